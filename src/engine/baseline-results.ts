/**
 * A baseline applied to lint results, and recorded from them (the CLI and the action), one result
 * at a time: each result's findings are read, matched and let go with the result's parsed payload
 * (a result a large run keeps compact or in its spool, engine/parallel/finished.ts; a changed one
 * is encoded again), so a baseline over 50,000 results holds neither every plan nor every finding
 * at once.
 *
 * A run answers for the files it linted only: the entries of other files (a pre-commit run lints
 * the staged files, `trainlint a.yaml` one file) are not "no longer occurring", and
 * `--update-baseline` keeps them. An entry of a file that no longer exists under `root` is the
 * run's business whatever it linted (a renamed or deleted config): counted and pruned.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BaselineFilter, buildBaseline, mergeBaselines, type Baseline } from './baseline.js';
import { releaseResult, textsOf } from './build-report.js';
import type { FileResult } from './lint.js';
import type { Finding } from './types.js';

/** Where the linted paths are relative to (the lint root), to tell a deleted file from one not linted. */
export interface BaselineScope {
  root?: string;
}

/**
 * Whether an entry's file is this run's business: linted in it, or (with a root) gone from the
 * disk. A path that is absolute or leaves the root is never looked up.
 */
function answeredFor(results: FileResult[], scope: BaselineScope): (file: string) => boolean {
  const linted = new Set(results.map((r) => r.file.path));
  const gone = new Map<string, boolean>();
  return (file) => {
    if (linted.has(file)) return true;
    const { root } = scope;
    if (root === undefined || typeof file !== 'string' || path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) return false;
    let missing = gone.get(file);
    if (missing === undefined) gone.set(file, (missing = !existsSync(path.resolve(root, file))));
    return missing;
  };
}

/**
 * Hides the findings `baseline` knows, in place, result by result in order. `fixed` counts the
 * entries no finding matched, of the files this run answers for (see the module comment).
 */
export function hideBaselined(results: FileResult[], baseline: Baseline, scope: BaselineScope = {}): { hidden: number; fixed: number } {
  const counted = answeredFor(results, scope);
  const filter = new BaselineFilter(baseline, textsOf(results));
  for (const r of results) {
    const findings = r.findings;
    const shown = findings.filter((f) => !filter.known(f));
    if (shown.length !== findings.length) r.findings = shown;
    releaseResult(r);
  }
  return { hidden: filter.hidden, fixed: filter.fixed(counted) };
}

/**
 * The baseline of every finding of `results`, and how many it records; with the `previous`
 * baseline, its entries of the files this run does not answer for are kept (`kept` counts them).
 */
export function baselineOf(results: FileResult[], previous?: Baseline, scope: BaselineScope = {}): { baseline: Baseline; count: number; kept: number } {
  const answered = answeredFor(results, scope);
  let count = 0;
  function* findings(): Generator<Finding> {
    for (const r of results) {
      const list = r.findings;
      releaseResult(r);
      count += list.length;
      yield* list;
    }
  }
  const current = buildBaseline(findings(), textsOf(results));
  const keep = (file: string): boolean => !answered(file);
  const baseline = mergeBaselines(current, previous, keep);
  const kept = baseline === current || !previous ? 0 : previous.findings.reduce((n, e) => n + (keep(e.path) ? e.count : 0), 0);
  return { baseline, count, kept };
}
