/**
 * Character offset → 1-based line/column. Lines end at "\n" only (a "\r" before it stays
 * at the end of its line), which is how Python's json and smol-toml count lines.
 * Columns count UTF-16 code units, like JS string offsets and most editors.
 */
import type { Range } from '../types.js';

export interface Pos {
  line: number;
  column: number;
}

/** Offsets at which each line starts; always begins with 0. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The 0-based line of `offset` (≥ 0) among the first `count` line starts: the last line whose start
 * is at or before it, by binary search (the loaders' own line caches ask when their guess misses).
 */
export function lineAt(lineStarts: ArrayLike<number>, count: number, offset: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Position of `offset` (clamped to the text) by binary search over `lineStarts`. */
export function offsetToPos(lineStarts: readonly number[], offset: number): Pos {
  const off = Math.max(0, offset);
  const line = lineAt(lineStarts, lineStarts.length, off);
  return { line: line + 1, column: off - lineStarts[line] + 1 };
}

/** Range of the characters [start, end); an empty span is a one-column point. */
export function rangeOf(lineStarts: readonly number[], start: number, end: number): Range {
  if (end <= start + 1) return pointRange(lineStarts, start);
  const a = offsetToPos(lineStarts, start);
  const b = offsetToPos(lineStarts, end);
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

/** One column at `offset`, kept on its line even when the character there is the "\n". */
export function pointRange(lineStarts: readonly number[], offset: number): Range {
  const a = offsetToPos(lineStarts, offset);
  return { line: a.line, column: a.column, endLine: a.line, endColumn: a.column + 1 };
}

/** A locator bound to one text (convenience for loaders). */
export function locator(text: string): {
  pos: (offset: number) => Pos;
  range: (start: number, end: number) => Range;
} {
  const starts = computeLineStarts(text);
  return { pos: (o) => offsetToPos(starts, o), range: (s, e) => rangeOf(starts, s, e) };
}

/** Strips a leading byte-order mark, which editors do not count as a column. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
