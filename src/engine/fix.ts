/**
 * `--fix`: text edits on the exact ranges of literal values, so comments, key order and
 * formatting outside the edit stay byte-for-byte the same (no re-dumping of YAML).
 */
import type { Finding, Range } from './types.js';

export interface TextEdit {
  range: Range;
  text: string;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function offsetOf(starts: number[], line: number, column: number): number {
  return (starts[line - 1] ?? 0) + column - 1;
}

/** Apply non-overlapping edits (later ones first); an edit overlapping an applied one is skipped. */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: number } {
  const starts = lineStarts(text);
  const spans = edits
    .map((e) => ({ start: offsetOf(starts, e.range.line, e.range.column), end: offsetOf(starts, e.range.endLine, e.range.endColumn), text: e.text }))
    .filter((s) => s.start >= 0 && s.end >= s.start && s.end <= text.length)
    .sort((a, b) => b.start - a.start);
  let out = text;
  let applied = 0;
  let floor = Infinity;
  for (const span of spans) {
    if (span.end > floor) continue;
    if (out.slice(span.start, span.end) === span.text) continue;
    out = out.slice(0, span.start) + span.text + out.slice(span.end);
    floor = span.start;
    applied++;
  }
  return { text: out, applied };
}

/** The edits of a file's findings, one per range (the first finding's edit wins). */
export function editsOf(findings: Finding[]): TextEdit[] {
  const byRange = new Map<string, TextEdit>();
  for (const f of findings) {
    if (!f.edit) continue;
    const r = f.edit.range;
    const key = `${r.line}:${r.column}:${r.endLine}:${r.endColumn}`;
    if (!byRange.has(key)) byRange.set(key, f.edit);
  }
  return [...byRange.values()];
}

/** A unified diff of two texts with the same number of lines (value edits never add lines). */
export function unifiedDiff(path: string, before: string, after: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) return `--- a/${path}\n+++ b/${path}\n@@ whole file @@\n${a.map((l) => `-${l}`).join('\n')}\n${b.map((l) => `+${l}`).join('\n')}\n`;
  const changed = a.map((line, i) => line !== b[i]);
  const hunks: string[] = [];
  let i = 0;
  while (i < a.length) {
    if (!changed[i]) {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    while (end < a.length && (changed[end] || changed.slice(end + 1, end + 1 + context * 2).some(Boolean))) end++;
    end = Math.min(a.length, end + context);
    const lines: string[] = [];
    for (let k = start; k < end; k++) {
      if (changed[k]) lines.push(`-${a[k]}`, `+${b[k]}`);
      else lines.push(` ${a[k]}`);
    }
    const count = end - start;
    hunks.push(`@@ -${start + 1},${count} +${start + 1},${count} @@\n${lines.join('\n')}\n`);
    i = end;
  }
  return hunks.length ? `--- a/${path}\n+++ b/${path}\n${hunks.join('')}` : '';
}
