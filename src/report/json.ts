/** The JSON report (version 1): see src/engine/report-types.ts and schemas/report.schema.json. */
import type { Report, ReportFile, ReportFinding } from '../engine/report-types.js';

/** Pretty-printed (2-space indent) with a trailing newline. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** `value` as JSON.stringify(…, null, 2) prints it at `depth` levels of nesting. */
export function nested(value: unknown, depth: number): string {
  // Strings hold no raw line break (JSON escapes them): every \n starts a line of the value.
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
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
        write(`${first ? '[\n' : ',\n'}    ${nested(item, 2)}`);
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
