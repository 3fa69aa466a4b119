/**
 * Baselines: `trainlint --update-baseline` records today's findings in
 * `.trainlint-baseline.json`; later runs report only findings that are not in it, and count
 * the baselined ones that no longer occur so the file can be pruned. Fingerprints do not
 * depend on line numbers: rule, path, the text at the finding's range and the message with
 * line references masked.
 */
import { createHash } from 'node:crypto';
import type { Finding } from './types.js';

export const BASELINE_FILE = '.trainlint-baseline.json';
/** A baseline is at most this large (it is read through the engine's resolver). */
export const MAX_BASELINE_BYTES = 32 * 1024 * 1024;

export interface BaselineEntry {
  path: string;
  ruleId: string;
  fingerprint: string;
  count: number;
}

export interface Baseline {
  version: 1;
  findings: BaselineEntry[];
}

const linesOf = new WeakMap<Map<string, string>, Map<string, string[]>>();

/** The file's lines, split once per texts map (fingerprints are computed for every finding). */
function lineOf(texts: Map<string, string>, path: string, line: number): string {
  let cache = linesOf.get(texts);
  if (!cache) linesOf.set(texts, (cache = new Map()));
  let lines = cache.get(path);
  if (!lines) cache.set(path, (lines = (texts.get(path) ?? '').split('\n')));
  return lines[line - 1] ?? '';
}

function snippet(texts: Map<string, string>, f: Finding): string {
  const line = lineOf(texts, f.path, f.range.line);
  const end = f.range.endLine === f.range.line ? f.range.endColumn - 1 : line.length;
  return line.slice(f.range.column - 1, end).trim();
}

/**
 * Stable across edits elsewhere in the file (no line numbers) and across bases: a finding
 * against `--base <ref>` says "since base <ref>", and the ref (a SHA in the action) changes
 * with every pull request, so it is left out.
 */
export function fingerprint(f: Finding, texts: Map<string, string>): string {
  const message = f.message
    .replace(/\bline \d+/g, 'line #')
    .replace(/:\d+:\d+\b/g, ':#:#')
    .replace(/\bsince base \S+( \(was [^)]*\))?/g, 'since base');
  return createHash('sha256').update([f.ruleId, f.path, snippet(texts, f), message].join('\0')).digest('hex').slice(0, 24);
}

export function buildBaseline(findings: Finding[], texts: Map<string, string>): Baseline {
  const entries = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const fp = fingerprint(f, texts);
    const key = `${f.path}\0${fp}`;
    const entry = entries.get(key);
    if (entry) entry.count++;
    else entries.set(key, { path: f.path, ruleId: f.ruleId, fingerprint: fp, count: 1 });
  }
  const list = [...entries.values()].sort((a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  return { version: 1, findings: list };
}

/** Drop findings the baseline knows (each entry absorbs up to `count` findings). */
export function applyBaseline(findings: Finding[], texts: Map<string, string>, baseline: Baseline): { kept: Finding[]; hidden: number; fixed: number } {
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) remaining.set(`${e.path}\0${e.fingerprint}`, (remaining.get(`${e.path}\0${e.fingerprint}`) ?? 0) + e.count);
  let hidden = 0;
  const kept = findings.filter((f) => {
    const key = `${f.path}\0${fingerprint(f, texts)}`;
    const left = remaining.get(key) ?? 0;
    if (left <= 0) return true;
    remaining.set(key, left - 1);
    hidden++;
    return false;
  });
  const fixed = [...remaining.values()].reduce((a, b) => a + b, 0);
  return { kept, hidden, fixed };
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
