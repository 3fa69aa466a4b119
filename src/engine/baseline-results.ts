/**
 * A baseline applied to lint results, and recorded from them (the CLI and the action), one result
 * at a time: each result's findings are read, matched and let go with the result's parsed payload
 * (a result a large run keeps compact or in its spool, engine/parallel/finished.ts; a changed one
 * is encoded again), so a baseline over 50,000 results holds neither every plan nor every finding
 * at once.
 */
import { BaselineFilter, buildBaseline, type Baseline } from './baseline.js';
import { releaseResult, textsOf } from './build-report.js';
import type { FileResult } from './lint.js';
import type { Finding } from './types.js';

/** Hides the findings `baseline` knows, in place, result by result in order. */
export function hideBaselined(results: FileResult[], baseline: Baseline): { hidden: number; fixed: number } {
  const filter = new BaselineFilter(baseline, textsOf(results));
  for (const r of results) {
    const findings = r.findings;
    const shown = findings.filter((f) => !filter.known(f));
    if (shown.length !== findings.length) r.findings = shown;
    releaseResult(r);
  }
  return { hidden: filter.hidden, fixed: filter.fixed() };
}

/** The baseline of every finding of `results`, and how many it records. */
export function baselineOf(results: FileResult[]): { baseline: Baseline; count: number } {
  let count = 0;
  function* findings(): Generator<Finding> {
    for (const r of results) {
      const list = r.findings;
      releaseResult(r);
      count += list.length;
      yield* list;
    }
  }
  const baseline = buildBaseline(findings(), textsOf(results));
  return { baseline, count };
}
