/** The JSON report (version 1): see src/engine/report-types.ts and schemas/report.schema.json. */
import type { Report, ReportFile, ReportFinding } from '../engine/report-types.js';

/** Pretty-printed (2-space indent) with a trailing newline. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** What JSON.stringify(…, null, 2) prints around a value wrapped in `depth` one-element arrays. */
const wrappers: { head: number; tail: number }[] = [];
function wrapperOf(depth: number): { head: number; tail: number } {
  let known = wrappers[depth];
  if (!known) {
    let head = '';
    let tail = '';
    for (let k = 0; k < depth; k++) {
      head += `${'  '.repeat(k)}[\n`;
      tail = `\n${'  '.repeat(k)}]${tail}`;
    }
    known = wrappers[depth] = { head: head.length + 2 * depth, tail: tail.length };
  }
  return known;
}

/**
 * `value` as JSON.stringify(…, null, 2) prints it at `depth` levels of nesting: the value wrapped
 * in `depth` arrays and printed once, then cut out of them (JSON.stringify indents it, no second
 * pass over the text).
 */
export function nested(value: unknown, depth: number): string {
  if (depth === 0) return JSON.stringify(value, null, 2);
  let wrapped: unknown = value;
  for (let k = 0; k < depth; k++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  const { head, tail } = wrapperOf(depth);
  return text.slice(head, text.length - tail);
}

/**
 * An item of a list of the report (`files`, `findings`) as JSON.stringify(…, null, 2) prints it,
 * with what goes before it: `[` and the line break for the first, `,` and the line break for the
 * others. One piece cut out of one JSON.stringify text (`[[item]]`, or `[[0, item]]` for the comma
 * after the 0), not a string joined to the item's text: writing a joined string copies it first
 * (≈ 20 MB at 5,000 files).
 */
function listItem(item: unknown, first: boolean): string {
  const text = JSON.stringify(first ? [[item]] : [[0, item]], null, 2);
  // `[\n  [\n    ` then the item (after `0` for the others), then `\n  ]\n]`.
  return text.slice(first ? 4 : 11, text.length - 6);
}

/** A file or finding of the report already printed as `nested(item, 2)`, UTF-8 (by a lint worker). */
export interface Printed {
  printed: Uint8Array;
}

/**
 * The same text as `formatJson(report)`, written piece by piece (engine/build-report.ts
 * `reportParts`): the files and findings are read one at a time, and `summary` once they are.
 */
export function writeJson(
  report: Pick<Report, 'version' | 'tool'> & {
    files: Iterable<ReportFile | Printed>;
    findings: Iterable<ReportFinding | Printed>;
    summary: () => Report['summary'];
  },
  write: (text: string | Uint8Array) => void,
): void {
  const list = (items: Iterable<object>) => {
    let first = true;
    for (const item of items) {
      if ('printed' in item) {
        write(first ? '[\n    ' : ',\n    ');
        write((item as Printed).printed);
      } else {
        write(listItem(item, first));
      }
      first = false;
    }
    write(first ? '[]' : '\n  ]');
  };
  write(`{\n  "version": ${JSON.stringify(report.version)},\n  "tool": ${nested(report.tool, 1)},\n  "files": `);
  list(report.files);
  write(',\n  "findings": ');
  list(report.findings);
  write(`,\n  "summary": ${nested(report.summary(), 1)}\n}\n`);
}
