/**
 * `--fix`: text edits on the exact ranges of literal values, so comments, key order and
 * formatting outside the edit stay byte-for-byte the same (no re-dumping of YAML).
 */
import type { Finding, Range } from './types.js';
import type { RuleContext } from '../rules/types.js';
import type { SourceFile } from './source.js';
import type { ConfigNode, ScalarNode } from './tree.js';

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

/** A number written as a literal (`4e-4`, `1_000`, `-.5`): not an expression, a variable or a shell expansion. */
const LITERAL_NUMBER = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/;

/** Whether `source` (a value as written, without surrounding quotes) is a number literal. */
export function isLiteralNumber(source: string): boolean {
  return LITERAL_NUMBER.test(source.trim());
}

/** Whether `value` starts after `key` (a value written before its key is another name's: `lr = base_lr`). */
export function startsAfter(value: Range, key: Range): boolean {
  return value.line > key.line || (value.line === key.line && value.column > key.column);
}

const rangeText = (r: Range): string => `${r.line}:${r.column}:${r.endLine}:${r.endColumn}`;
/** Per tree: how many scalar nodes sit at each range (a YAML alias copies the anchored node, ranges included). */
const SCALARS_AT = new WeakMap<ConfigNode, Map<string, number>>();

function scalarsAt(tree: ConfigNode): Map<string, number> {
  let counts = SCALARS_AT.get(tree);
  if (counts) return counts;
  counts = new Map();
  const stack: ConfigNode[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === 'scalar') {
      const key = rangeText(node.range);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } else if (node.kind === 'map') for (const e of node.entries) stack.push(e.value);
    else stack.push(...node.items);
  }
  SCALARS_AT.set(tree, counts);
  return counts;
}

/**
 * Whether the text of `node` is read in more than one place of `tree` (an anchored YAML scalar and
 * its aliases `*w`): an edit of it would change every reader, so it is not edited.
 */
export function sharedScalar(tree: ConfigNode | undefined, node: ScalarNode): boolean {
  return tree !== undefined && (scalarsAt(tree).get(rangeText(node.range)) ?? 0) > 1;
}

/**
 * The range of a scalar's literal number for `--fix`, or undefined when the text there is not one
 * (an expression `base_lr * 2`, a shell expansion `$((5000*2))`, a variable). A quoted number
 * (`"unet_lr": "1e-4"`) gives the range inside its quotes, so that it stays a string.
 */
export function literalRange(file: SourceFile, range: Range): Range | undefined {
  if (range.line !== range.endLine) return undefined;
  const line = lineText(file, range.line);
  if (line === undefined) return undefined;
  const text = line.slice(range.column - 1, range.endColumn - 1);
  if (isLiteralNumber(text) && text.trim() === text) return range;
  const quoted = /^(["'])(.*)\1$/.exec(text);
  if (quoted && isLiteralNumber(quoted[2]) && quoted[2].trim() === quoted[2]) return { ...range, column: range.column + 1, endColumn: range.endColumn - 1 };
  return undefined;
}

const LINES = new WeakMap<SourceFile, string[]>();

function lineText(file: SourceFile, line: number): string | undefined {
  let lines = LINES.get(file);
  if (!lines) {
    lines = file.text.split('\n');
    LINES.set(file, lines);
  }
  return lines[line - 1];
}

/**
 * Whether the run's reference is read from the linted file itself (a comment documenting the GPU count,
 * the file name's `NxbM`, an LR the file writes for its own recipe), not from another file or the
 * file's version at `--base`. An edit of the LR or warmup would then change the reference with it
 * (the next run compares against the edited value and edits again), so such findings give advice only.
 */
export function selfReference(ctx: Pick<RuleContext, 'reference' | 'file'>): boolean {
  const ref = ctx.reference;
  return ref !== undefined && ref.path === ctx.file.path && !ref.label.startsWith('base ');
}

/**
 * The text that replaces `old` by the number `text` in the way `old` is written: a quoted number stays
 * a quoted string (`"1e-4"` → `"2e-4"`, the type the file's reader gets is kept). Undefined when `old`
 * is not a number literal (an expression, a variable, a shell expansion: only literal text is
 * edited). A replacement that is not a number (`yes` → `true`, `100ba`) is returned as it is.
 */
function asWritten(old: string, text: string): string | undefined {
  if (!isLiteralNumber(text) || isLiteralNumber(old)) return text;
  const quoted = /^(["'])(.*)\1$/s.exec(old);
  if (quoted && isLiteralNumber(quoted[2])) return `${quoted[1]}${text}${quoted[1]}`;
  return undefined;
}

/**
 * Apply non-overlapping edits (later ones first); an edit overlapping an applied one is skipped, and
 * so is one that would write a number over text that is not a number literal (see asWritten).
 */
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
    const replacement = asWritten(out.slice(span.start, span.end), span.text);
    if (replacement === undefined || out.slice(span.start, span.end) === replacement) continue;
    out = out.slice(0, span.start) + replacement + out.slice(span.end);
    floor = span.start;
    applied++;
  }
  return { text: out, applied };
}

const rangeKey = (r: Range): string => `${r.line}:${r.column}:${r.endLine}:${r.endColumn}`;

/** The edits of a file's findings, one per range (the first finding's edit wins). */
export function editsOf(findings: Finding[]): TextEdit[] {
  const byRange = new Map<string, TextEdit>();
  for (const f of findings) {
    if (!f.edit) continue;
    const key = rangeKey(f.edit.range);
    if (!byRange.has(key)) byRange.set(key, f.edit);
  }
  return [...byRange.values()];
}

/** A value left as it is because the launches of its file want different texts for it. */
export interface RefusedEdit {
  range: Range;
  /** "8.0e-5 for launch16.sh:2; 4.0e-5 for launch4.sh:2; unchanged for launch1.sh:2". */
  why: string;
}

/**
 * The edits of a file's findings when several launch commands start it (`launches`: "script:line"
 * of each, as lint.ts names them in `data.launchedBy`; empty when none or one does). A finding without
 * `launchedBy` holds for every launch. A value is edited only when every launch wants the same text
 * for it: a launch that reports nothing there wants the value as it is, and applying another
 * launch's edit would make it wrong. Such a value is not edited, and `refused` says why.
 */
export function agreedEdits(findings: Finding[], launches: string[]): { edits: TextEdit[]; refused: RefusedEdit[] } {
  if (launches.length <= 1) return { edits: editsOf(findings), refused: [] };
  const wanted = new Map<string, { range: Range; byText: Map<string, Set<string>> }>();
  for (const f of findings) {
    if (!f.edit) continue;
    const key = rangeKey(f.edit.range);
    const slot = wanted.get(key) ?? { range: f.edit.range, byText: new Map<string, Set<string>>() };
    wanted.set(key, slot);
    const by = Array.isArray(f.data?.launchedBy) ? (f.data.launchedBy as string[]) : launches;
    const set = slot.byText.get(f.edit.text) ?? new Set<string>();
    for (const l of by) set.add(l);
    slot.byText.set(f.edit.text, set);
  }
  const edits: TextEdit[] = [];
  const refused: RefusedEdit[] = [];
  for (const { range, byText } of wanted.values()) {
    const texts = [...byText.entries()];
    const covered = new Set(texts.flatMap(([, by]) => [...by]));
    if (texts.length === 1 && launches.every((l) => covered.has(l))) {
      edits.push({ range, text: texts[0][0] });
      continue;
    }
    const unchanged = launches.filter((l) => !covered.has(l));
    const parts = texts.map(([text, by]) => `${text} for ${[...by].join(', ')}`);
    if (unchanged.length) parts.push(`unchanged for ${unchanged.join(', ')}`);
    refused.push({ range, why: parts.join('; ') });
  }
  return { edits, refused };
}

/** A text's lines without their line feeds, and whether its last line has none (the diff marks it). */
function diffLines(text: string): { lines: string[]; noFinalNewline: boolean } {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') {
    lines.pop();
    return { lines, noFinalNewline: false };
  }
  return { lines, noFinalNewline: true };
}

const NO_NEWLINE = '\\ No newline at end of file';

/** A hunk's lines of `lines[start, end)` with `prefix`, marking the last line of a file without a final line feed. */
function hunkLines(prefix: string, lines: string[], start: number, end: number, noFinalNewline: boolean): string[] {
  const out: string[] = [];
  for (let k = start; k < end; k++) {
    out.push(`${prefix}${lines[k]}`);
    if (noFinalNewline && k === lines.length - 1) out.push(NO_NEWLINE);
  }
  return out;
}

/**
 * A unified diff of two texts that `git apply` and `patch` accept: hunks with `context` lines
 * around each change, counts of the lines that exist (no line after the final line feed), and
 * `\ No newline at end of file` after a last line without one. Value edits keep the number of
 * lines; texts of different lengths give one hunk over the whole file.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 2): string {
  const a = diffLines(before);
  const b = diffLines(after);
  if (before === after) return '';
  const header = `--- a/${path}\n+++ b/${path}\n`;
  if (a.lines.length !== b.lines.length || a.noFinalNewline !== b.noFinalNewline) {
    const minus = hunkLines('-', a.lines, 0, a.lines.length, a.noFinalNewline);
    const plus = hunkLines('+', b.lines, 0, b.lines.length, b.noFinalNewline);
    return `${header}@@ -1,${a.lines.length} +1,${b.lines.length} @@\n${[...minus, ...plus].join('\n')}\n`;
  }
  const n = a.lines.length;
  const changed = a.lines.map((line, i) => line !== b.lines[i]);
  const hunks: string[] = [];
  let i = 0;
  while (i < n) {
    if (!changed[i]) {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    while (end < n && (changed[end] || changed.slice(end + 1, end + 1 + context * 2).some(Boolean))) end++;
    end = Math.min(n, end + context);
    const lines: string[] = [];
    for (let k = start; k < end; k++) {
      if (changed[k]) lines.push(...hunkLines('-', a.lines, k, k + 1, a.noFinalNewline), ...hunkLines('+', b.lines, k, k + 1, b.noFinalNewline));
      else lines.push(...hunkLines(' ', a.lines, k, k + 1, a.noFinalNewline));
    }
    const count = end - start;
    hunks.push(`@@ -${start + 1},${count} +${start + 1},${count} @@\n${lines.join('\n')}\n`);
    i = end;
  }
  return hunks.length ? header + hunks.join('') : '';
}
