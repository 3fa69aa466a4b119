/**
 * `--fix`: text edits on the exact ranges of literal values, so comments, key order and
 * formatting outside the edit stay byte-for-byte the same (no re-dumping of YAML).
 */
import type { Finding, Range, Setting } from './types.js';
import type { RuleContext } from '../rules/types.js';
import type { SourceFile } from './source.js';
import { getIn, type ConfigNode, type ScalarNode } from './tree.js';
import { computeLineStarts } from './load/positions.js';
import { SourceLines } from './source-lines.js';

export interface TextEdit {
  range: Range;
  text: string;
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
/** Where a range starts, as one number (a string past 2^20 columns): two ranges that are equal start at the same key. */
const startKey = (r: Range): number | string => (r.column >= 0 && r.column < 0x100000 && Number.isInteger(r.column) ? r.line * 0x100000 + r.column : `${r.line}:${r.column}`);
/**
 * Per tree: how many scalar nodes start at each place (a YAML alias copies the anchored node,
 * ranges included), and, once a scalar that starts where another does is asked about, how many sit
 * at each range.
 */
interface ScalarCounts {
  starts: Map<number | string, number>;
  ranges?: Map<string, number>;
}
const SCALARS_AT = new WeakMap<ConfigNode, ScalarCounts>();

/**
 * Trees that share no node: the own tree of a JSON or TOML file, or of a YAML text without `*` (no
 * alias, so no merge key either). Marked by the loader (load-file.ts); a tree built later (composed,
 * inherited, overridden) is a new object and is counted as before.
 */
const ALIAS_FREE = new WeakSet<ConfigNode>();

/** `tree`, loaded from a text that cannot repeat a node (see ALIAS_FREE): sharedScalar answers at once. */
export function markAliasFree(tree: ConfigNode): void {
  ALIAS_FREE.add(tree);
}

/** Each scalar of `tree`, by `key` of its range. */
function countScalars<K>(tree: ConfigNode, key: (r: Range) => K): Map<K, number> {
  const counts = new Map<K, number>();
  const stack: ConfigNode[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === 'scalar') {
      const k = key(node.range);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    } else if (node.kind === 'map') for (const e of node.entries) stack.push(e.value);
    else stack.push(...node.items);
  }
  return counts;
}

/**
 * Whether the text of `node` is read in more than one place of `tree` (an anchored YAML scalar and
 * its aliases `*w`): an edit of it would change every reader, so it is not edited. Scalars are
 * counted by where they start (numbers, not a string a scalar), and by their whole range only in a
 * tree where the node's start is shared.
 */
export function sharedScalar(tree: ConfigNode | undefined, node: ScalarNode): boolean {
  if (tree === undefined || ALIAS_FREE.has(tree)) return false;
  let counts = SCALARS_AT.get(tree);
  if (!counts) SCALARS_AT.set(tree, (counts = { starts: countScalars(tree, startKey) }));
  if ((counts.starts.get(startKey(node.range)) ?? 0) <= 1) return false;
  counts.ranges ??= countScalars(tree, rangeText);
  return (counts.ranges.get(rangeText(node.range)) ?? 0) > 1;
}

/** A text in matching quotes, and what they hold. */
const QUOTED = /^(["'])(.*)\1$/;

/**
 * The range of a scalar's literal number for `--fix`, or undefined when the text there is not one
 * (an expression `base_lr * 2`, a shell expansion `$((5000*2))`, a variable). A quoted number
 * (`"unet_lr": "1e-4"`) gives the range inside its quotes, so that it stays a string.
 */
export function literalRange(file: SourceFile, range: Range): Range | undefined {
  if (range.line !== range.endLine) return undefined;
  const text = lineSlice(file, range.line, range.column - 1, range.endColumn - 1);
  if (text === undefined) return undefined;
  // LITERAL_NUMBER matches no white space: the text is a literal number without any around it.
  if (LITERAL_NUMBER.test(text)) return range;
  const quoted = QUOTED.exec(text);
  if (quoted && LITERAL_NUMBER.test(quoted[2])) return { ...range, column: range.column + 1, endColumn: range.endColumn - 1 };
  return undefined;
}

/**
 * The lines of the text last asked about (a file's settings are read together). One slot keyed by
 * the text itself, not a map of every file: a WeakMap keyed by per-file objects costs every scavenge.
 */
let lines = new SourceLines(undefined);
let linesText: string | undefined;

/** `text.split('\n')[line - 1].slice(from, to)` of the file (undefined where there is no such line). */
function lineSlice(file: SourceFile, line: number, from: number, to: number): string | undefined {
  if (file.text !== linesText) {
    linesText = file.text;
    lines = new SourceLines(linesText);
  }
  return lines.slice(line, from, to);
}

/**
 * Where a setting's value is written as literal text in this file: its `valueRange`, or for a
 * launch-script flag whose dialect records only the flag, the flag's literal value (not one that
 * came through a variable).
 */
function scriptFlagValue(s: Setting, file: SourceFile): Range | undefined {
  if (s.valueRange) return s.valueRange;
  if (!file.script || !s.range || !s.key) return undefined;
  for (const cmd of file.script.commands) {
    for (const arg of [...cmd.launcherArgs, ...cmd.args]) {
      const r = arg.flagRange;
      if (arg.flag !== s.key || r.line !== s.range.line || r.column !== s.range.column) continue;
      if (!arg.valueRange || arg.viaVariable || Number(arg.value) !== s.value) return undefined;
      return arg.valueRange;
    }
  }
  return undefined;
}

export const NUMBER = String.raw`[-+]?\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?`;
const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where a literal written right after the setting's key is (`end=90000`, `max_duration: 4800ba`), for a
 * dialect that records only the key: the number (with a unit suffix) when it is the setting's value.
 */
export function afterKey(s: Setting, file: SourceFile, pattern: string): { range: Range; text: string } | undefined {
  if (!s.range || !s.key) return undefined;
  const last = s.key.split('.').pop()!.replace(/\[\d+\]$/, '');
  const lines = file.text.split('\n');
  const line = lines[s.range.line - 1];
  if (line === undefined) return undefined;
  const from = s.range.column - 1;
  const m = new RegExp(`^(["']?)${escapeRe(last)}\\1\\s*[=:]\\s*(${pattern})`).exec(line.slice(from));
  if (!m) return undefined;
  const start = from + m[0].length - m[2].length;
  return { range: { line: s.range.line, column: start + 1, endLine: s.range.line, endColumn: start + m[2].length + 1 }, text: m[2] };
}

/** `4800ba` → `4800`: a number without the unit letters that follow it (a scan: no regex backtracking). */
function withoutUnit(text: string): string {
  let end = text.length;
  while (end > 0 && /[a-zA-Z]/.test(text[end - 1])) end--;
  // An exponent's `e` belongs to the number (`1e4`): the scan stops at its digits.
  return text.slice(0, end);
}

function keyedLiteral(s: Setting, file: SourceFile): Range | undefined {
  const found = afterKey(s, file, `${NUMBER}[a-zA-Z]*`);
  if (!found) return undefined;
  const n = Number(withoutUnit(found.text).replace(/_/g, ''));
  const written = s.writtenAs?.value ?? (typeof s.value === 'number' ? s.value * (s.writtenAs?.perStep ?? 1) : NaN);
  return n === written || n === s.value ? found.range : undefined;
}

/**
 * Where an explicit setting of `file` has its value as literal text `--fix` and `rescale` may replace: its
 * `valueRange`; for a launch-script flag whose dialect records only the flag, the flag's literal value (not one
 * that came through a variable); for a key whose dialect records only the key (`end=500` in a Python dict
 * call, `max_duration: 4800ba`), the number written right after it when it is the setting's value.
 * Undefined for anything else (a default, a derived value, another file's, an expression).
 */
export function writtenValueRange(s: Setting, file: SourceFile): Range | undefined {
  if (s.file !== file.path || s.origin !== 'explicit') return undefined;
  return s.valueRange ?? scriptFlagValue(s, file) ?? keyedLiteral(s, file);
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
  const starts = computeLineStarts(text);
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

/**
 * DeepSpeed schedules whose peak LR is written in the scheduler block while the optimizer writes its own: the
 * schedule's replaces the optimizer's, and deepspeed.ts reports them when they differ (conflicting-settings),
 * so values written equal are kept equal.
 */
const SAME_FILE_LR_TWINS: Record<string, readonly string[]> = {
  'scheduler.params.warmup_max_lr': ['optimizer', 'params', 'lr'],
  'scheduler.params.cycle_max_lr': ['optimizer', 'params', 'lr'],
};

/** The optimizer's LR written equal beside a DeepSpeed schedule's peak LR `lr` in the same file, which must move with it. */
export function sameFileLrTwin(lr: Setting<number>, file: SourceFile): Setting<number> | undefined {
  const path = lr.key && lr.file === file.path && Object.hasOwn(SAME_FILE_LR_TWINS, lr.key) ? SAME_FILE_LR_TWINS[lr.key] : undefined;
  const hit = path ? getIn(file.tree, path) : undefined;
  if (!path || hit?.node.kind !== 'scalar' || hit.node.value !== lr.value) return undefined;
  const valueRange = literalRange(file, hit.node.range);
  return { value: lr.value, origin: 'explicit', file: file.path, key: path.join('.'), range: hit.keyRange, ...(valueRange ? { valueRange } : {}) };
}

/**
 * A finding's edits: its `edit`, then its `alsoEdits` (only with an `edit`: they complete it: an LR written twice
 * that must stay equal, DeepSpeed's `optimizer.params.lr` beside `warmup_max_lr`).
 */
export function findingEdits(f: Finding): TextEdit[] {
  return f.edit ? [f.edit, ...(f.alsoEdits ?? [])] : [];
}

/** The edits of a file's findings, one per range (the first finding's edit wins). */
export function editsOf(findings: Finding[]): TextEdit[] {
  const byRange = new Map<string, TextEdit>();
  for (const f of findings) {
    for (const e of findingEdits(f)) {
      const key = rangeKey(e.range);
      if (!byRange.has(key)) byRange.set(key, e);
    }
  }
  return [...byRange.values()];
}

/** A finding that advertises a fix (`fix`) that `--fix` does not apply, with the reason. */
export interface UnappliedFix {
  range: Range;
  ruleId: string;
  /** The advertised fix. */
  fix: string;
  why: string;
}

/**
 * The findings whose report carries a `fix` text but no edit, so that `--fix` says why it leaves them: the
 * rule's own reason (`data.notFixed`, a clause) when it gives one, else that the value is not literal text
 * of this file that `--fix` can replace. Never silent: an advertised fix is applied or explained.
 */
export function unappliedFixes(findings: Finding[]): UnappliedFix[] {
  return findings
    .filter((f) => f.fix && !f.edit)
    .map((f) => ({
      range: f.range,
      ruleId: f.ruleId,
      fix: f.fix!,
      why:
        typeof f.data?.notFixed === 'string'
          ? f.data.notFixed
          : 'the value is not literal text of this file that --fix can replace (a default, a value computed or set through a variable, an expression, or one written in another file)',
    }));
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
    for (const e of findingEdits(f)) {
      const key = rangeKey(e.range);
      const slot = wanted.get(key) ?? { range: e.range, byText: new Map<string, Set<string>>() };
      wanted.set(key, slot);
      const by = Array.isArray(f.data?.launchedBy) ? (f.data.launchedBy as string[]) : launches;
      const set = slot.byText.get(e.text) ?? new Set<string>();
      for (const l of by) set.add(l);
      slot.byText.set(e.text, set);
    }
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
