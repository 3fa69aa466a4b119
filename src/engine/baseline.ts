/**
 * Baselines: `trainlint --update-baseline` records today's findings in
 * `.trainlint-baseline.json`; later runs report only findings that are not in it, and count
 * the baselined ones that no longer occur so the file can be pruned. Only the files a run lints
 * are its business: the entries of the others (a pre-commit run lints the staged files) are
 * neither counted as no longer occurring nor dropped by `--update-baseline`; those of a file
 * that no longer exists are.
 *
 * Fingerprints (version 2) do not depend on the message's wording nor on line numbers: the rule,
 * the path, the text at the finding's range (the key it points at) and the numbers of its `data`
 * but line numbers (baselines written while they were in it are still matched by the fingerprint
 * with them, `fingerprintWithLines`);
 * for a grouped finding
 * (engine/group-findings.ts) also the rules and keys of the findings it merges, so a new
 * consequence shows up. A grouped finding is also hidden when every finding it merges is in the
 * baseline, so a baseline written before the grouping still applies.
 *
 * Baselines written by the previous version (no `fingerprints` field: message-based hashes) are
 * accepted for one release: an entry matches its old hash when the message did not change, else
 * any finding of the same rule in the same file. `--update-baseline` rewrites them.
 */
import { createHash, hash } from 'node:crypto';
import { RecentMap } from './recent-map.js';
import type { FileTexts } from './source.js';
import type { Finding } from './types.js';

export const BASELINE_FILE = '.trainlint-baseline.json';
/** A baseline is at most this large (it is read through the engine's resolver). */
export const MAX_BASELINE_BYTES = 32 * 1024 * 1024;

/** The fingerprint scheme written by this version. */
export const FINGERPRINT_VERSION = 2;

export interface BaselineEntry {
  path: string;
  ruleId: string;
  fingerprint: string;
  count: number;
}

export interface Baseline {
  version: 1;
  /** 2: wording-independent fingerprints. Absent: the previous, message-based ones. */
  fingerprints?: number;
  findings: BaselineEntry[];
}

/**
 * Where each line of a file starts, found as far as the findings fingerprinted so far needed, per
 * texts lookup. Findings come file by file (a merged finding may name another file), so a few
 * files are kept, not every file: a very large run does not hold every text again while it prints
 * fingerprints. Nothing is split: a finding on line 3 of a long file costs three `indexOf`s.
 */
interface LineStarts {
  text: string;
  /** starts[i] is the offset of line i + 1. */
  starts: number[];
}
const linesOf = new WeakMap<FileTexts, RecentMap<string, LineStarts>>();
const LINES_KEPT = 8;

/** The file's line (1-based) without its newline, '' past the end: `text.split('\n')[line - 1] ?? ''`. */
export function lineOf(texts: FileTexts, path: string, line: number): string {
  if (!Number.isInteger(line) || line < 1) return '';
  let cache = linesOf.get(texts);
  if (!cache) linesOf.set(texts, (cache = new RecentMap(LINES_KEPT)));
  let known = cache.get(path);
  if (!known) cache.set(path, (known = { text: texts.get(path) ?? '', starts: [0] }));
  const { text, starts } = known;
  while (starts.length < line) {
    const newline = text.indexOf('\n', starts[starts.length - 1]);
    if (newline < 0) return '';
    starts.push(newline + 1);
  }
  const start = starts[line - 1];
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

function snippet(texts: FileTexts, f: Finding): string {
  const line = lineOf(texts, f.path, f.range.line);
  const end = f.range.endLine === f.range.line ? f.range.endColumn - 1 : line.length;
  return line.slice(f.range.column - 1, end).trim();
}

/** Node has `crypto.hash` (20.12+, 21.7+): the same digest in one call, without a Hash object. */
const [NODE_MAJOR, NODE_MINOR] = process.versions.node.split('.').map(Number);
const ONE_SHOT_HASH = NODE_MAJOR > 21 || (NODE_MAJOR === 21 && NODE_MINOR >= 7) || (NODE_MAJOR === 20 && NODE_MINOR >= 12);
const sha = (parts: string[]): string => (ONE_SHOT_HASH ? hash('sha256', parts.join('\0'), 'hex') : createHash('sha256').update(parts.join('\0')).digest('hex')).slice(0, 24);

/** Added by the engine, not the rule's numbers: left out of fingerprints. */
const NOT_FINGERPRINTED = new Set(['grouped', 'shortRun', 'launchRejects']);

/**
 * A `data` field that holds a line number is named `line` or ends in `Line` (duplicate-key's
 * `firstLine` and `winsLine`), or is unused-suppression's `scope` when a number (the line a
 * `disable-next-line` covers; `'file'` otherwise): left out of fingerprints, which do not depend
 * on line numbers.
 */
const isLineField = (key: string, value: unknown): boolean => key === 'line' || key.endsWith('Line') || (key === 'scope' && typeof value === 'number');

/** `(requirements.txt:3)` in a text of `data` (where a pin was read): the file stays, its line goes. */
const FILE_LINE = /\(([^()\s:]+):\d+\)/g;

/** `text` with FILE_LINE's lines left out; most texts hold no `:` and are not searched. */
const withoutPinLines = (text: string): string => (text.includes(':') ? text.replace(FILE_LINE, '($1)') : text);

/**
 * The finding's numbers (its `data`, top-level values only, sorted by key), so that the same key
 * with other values (a batch changed 800 → 1600 instead of 800 → 2200) is a new finding, whatever
 * the message says. Line numbers are left out, unless `withLines` (the fingerprints written
 * before they were, still matched: see `fingerprintWithLines`).
 */
function numbers(f: Finding, withLines = false): string {
  const data = f.data;
  if (!data) return '';
  const parts: string[] = [];
  // Own keys in Object.keys order (data is plain: nothing enumerable inherited), each value read by
  // the walk's own key (no array of keys; data objects come in many shapes).
  for (const k in data) {
    const v = data[k];
    if (NOT_FINGERPRINTED.has(k) || (!withLines && isLineField(k, v))) continue;
    if (typeof v === 'number') parts.push(`${k}=${sixDigits(v)}`);
    else if (typeof v === 'string') parts.push(`${k}=${withLines ? v : withoutPinLines(v)}`);
    else if (typeof v === 'boolean') parts.push(`${k}=${String(v)}`);
  }
  return sortedStrings(parts).join(',');
}

/**
 * `Number(v.toPrecision(6))`: an integer of at most six digits is itself (-0 prints as 0 either
 * way), without the round trip through a string (most of the numbers of findings).
 */
const sixDigits = (v: number): number => (Number.isInteger(v) && v < 1e6 && v > -1e6 ? v : Number(v.toPrecision(6)));

/**
 * `parts.sort()` (UTF-16 code unit order, what `<` compares) by insertion, in place: a finding's
 * data has a handful of fields, where the default sort's comparisons through `String()` cost more.
 */
function sortedStrings(parts: string[]): string[] {
  for (let i = 1; i < parts.length; i++) {
    const x = parts[i];
    let j = i - 1;
    while (j >= 0 && parts[j] > x) {
      parts[j + 1] = parts[j];
      j--;
    }
    parts[j + 1] = x;
  }
  return parts;
}

function fingerprintOf(f: Finding, texts: FileTexts, withLines: boolean): string {
  const parts = [`v${FINGERPRINT_VERSION}`, f.ruleId, f.path, snippet(texts, f), numbers(f, withLines)];
  if (f.merged) {
    // The merged findings' parts after the finding's own, sorted (what `.sort()` gives, by insertion: a handful).
    const merged: string[] = [];
    for (const m of f.merged) merged.push(`${m.ruleId}@${snippet(texts, m)}#${numbers(m, withLines)}`);
    for (const m of sortedStrings(merged)) parts.push(m);
  }
  return sha(parts);
}

/**
 * Stable across edits elsewhere in the file and across rewording: the rule, the path, the key the
 * finding points at and its numbers, line numbers left out (plus, for a grouped finding, the same
 * of what it merges).
 */
export function fingerprint(f: Finding, texts: FileTexts): string {
  return matchedPrints.get(f) ?? fingerprintOf(f, texts, false);
}

/**
 * The fingerprints a baseline computed for the findings it looked up (`Pool.match`), by finding: the
 * report prints the same findings' fingerprints next (the texts are the same), without computing
 * them again. A finding is never changed once linted; a run that lints again (`--fix`) has new ones.
 */
const matchedPrints = new WeakMap<Finding, string>();

/** Whether the finding's data (or a merged finding's) holds a line number: its fingerprint once held it. */
function holdsLines(f: Finding): boolean {
  const has = (x: Finding): boolean =>
    !!x.data &&
    Object.entries(x.data).some(([k, v]) => !NOT_FINGERPRINTED.has(k) && (isLineField(k, v) || (typeof v === 'string' && withoutPinLines(v) !== v)));
  return has(f) || (f.merged ?? []).some(has);
}

/**
 * The fingerprint this scheme gave before line numbers were left out of it (duplicate-key's
 * `firstLine`/`winsLine`, a pin's `file:line`), when it differs: a baseline written then still
 * matches until the lines move.
 */
export function fingerprintWithLines(f: Finding, texts: FileTexts): string | undefined {
  return holdsLines(f) ? fingerprintOf(f, texts, true) : undefined;
}

/**
 * The previous version's fingerprint (rule, path, text at the range and the message with line
 * references and the base ref masked), to match baselines it wrote.
 */
export function legacyFingerprint(f: Finding, texts: FileTexts): string {
  const message = f.message
    .replace(/\bline \d+/g, 'line #')
    .replace(/:\d+:\d+\b/g, ':#:#')
    .replace(/\bsince base \S+( \(was [^)]*\))?/g, 'since base');
  return sha([f.ruleId, f.path, snippet(texts, f), message]);
}

export function buildBaseline(findings: Iterable<Finding>, texts: FileTexts): Baseline {
  const entries = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const fp = fingerprint(f, texts);
    const key = `${f.path}\0${fp}`;
    const entry = entries.get(key);
    if (entry) entry.count++;
    else entries.set(key, { path: f.path, ruleId: f.ruleId, fingerprint: fp, count: 1 });
  }
  const list = [...entries.values()].sort((a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  return { version: 1, fingerprints: FINGERPRINT_VERSION, findings: list };
}

/**
 * The baseline `--update-baseline` writes: the entries of `current` (built from this run's
 * findings), and those of `previous` whose file `keep` accepts (a file this run did not lint,
 * such as the other files of a repository when one file is linted), in the same order.
 */
export function mergeBaselines(current: Baseline, previous: Baseline | undefined, keep: (path: string) => boolean): Baseline {
  if (!previous) return current;
  // Entries of the previous fingerprint scheme cannot be matched with the current one's: rewritten by a full run.
  if (previous.fingerprints !== current.fingerprints) return current;
  const kept = previous.findings.filter((e) => keep(e.path));
  if (kept.length === 0) return current;
  const list = [...current.findings, ...kept].sort((a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  return { ...current, findings: list };
}

/** Remaining counts of baseline entries, consumed as findings match them. */
class Pool {
  private readonly left = new Map<string, number>();
  /** Legacy entries by path and rule, for findings whose message changed. */
  private readonly byRule = new Map<string, string[]>();

  constructor(baseline: Baseline, readonly legacy: boolean) {
    for (const e of baseline.findings) {
      const key = `${e.path}\0${e.fingerprint}`;
      this.left.set(key, (this.left.get(key) ?? 0) + e.count);
      if (legacy) {
        const rule = `${e.path}\0${e.ruleId}`;
        const list = this.byRule.get(rule) ?? [];
        if (!list.includes(key)) list.push(key);
        this.byRule.set(rule, list);
      }
    }
  }

  private take(key: string): boolean {
    const n = this.left.get(key) ?? 0;
    if (n <= 0) return false;
    this.left.set(key, n - 1);
    return true;
  }

  /** `fingerprint(f, texts)`, kept for the report (`matchedPrints`). */
  private fingerprint(f: Finding, texts: FileTexts): string {
    let print = matchedPrints.get(f);
    if (print === undefined) matchedPrints.set(f, (print = fingerprintOf(f, texts, false)));
    return print;
  }

  /** Consume the entry that `f` matches; its key, or undefined when none matches. */
  match(f: Finding, texts: FileTexts): string | undefined {
    const withLines = this.legacy ? undefined : fingerprintWithLines(f, texts);
    const candidates = this.legacy
      ? // Reworded since the baseline was written: then any entry of the same rule in the same file.
        [`${f.path}\0${legacyFingerprint(f, texts)}`, ...(this.byRule.get(`${f.path}\0${f.ruleId}`) ?? [])]
      : [`${f.path}\0${this.fingerprint(f, texts)}`, ...(withLines ? [`${f.path}\0${withLines}`] : [])];
    return candidates.find((key) => this.take(key));
  }

  /** Every finding of `group` matches an entry; else nothing is consumed. */
  matchAll(group: Finding[], texts: FileTexts): boolean {
    const taken: string[] = [];
    for (const f of group) {
      const key = this.match(f, texts);
      if (key === undefined) {
        taken.forEach((k) => this.left.set(k, (this.left.get(k) ?? 0) + 1));
        return false;
      }
      taken.push(key);
    }
    return true;
  }

  /** Entries not consumed, of the files `counted` accepts (every file without it). */
  remaining(counted?: (path: string) => boolean): number {
    let sum = 0;
    for (const [key, n] of this.left) if (!counted || counted(key.slice(0, key.indexOf('\0')))) sum += n;
    return sum;
  }
}

/**
 * The baseline applied finding by finding, in order: each entry absorbs up to `count` findings. A
 * grouped finding is known when it matches itself, or when every finding it merges does. For
 * callers that go through results one at a time (engine/baseline-results.ts).
 */
export class BaselineFilter {
  private readonly pool: Pool;
  /** Findings found known so far. */
  hidden = 0;

  constructor(
    baseline: Baseline,
    private readonly texts: FileTexts,
  ) {
    this.pool = new Pool(baseline, baseline.fingerprints === undefined);
  }

  /** Whether the baseline knows `f` (its entry is consumed). */
  known(f: Finding): boolean {
    const pool = this.pool;
    // A legacy baseline knows the merged findings, never the group itself: only they can hide it.
    const known = f.merged
      ? (!pool.legacy && pool.match(f, this.texts) !== undefined) || pool.matchAll(f.merged, this.texts)
      : pool.match(f, this.texts) !== undefined;
    if (known) this.hidden++;
    return known;
  }

  /**
   * Baselined findings that no longer occur (entries not consumed), of the files `counted` accepts:
   * an entry of a file this run did not lint is not known to be fixed.
   */
  fixed(counted?: (path: string) => boolean): number {
    return this.pool.remaining(counted);
  }
}

export function parseBaseline(text: string): Baseline | undefined {
  try {
    const data = JSON.parse(text) as Baseline;
    if (data?.version !== 1 || !Array.isArray(data.findings)) return undefined;
    return data;
  } catch {
    return undefined;
  }
}
