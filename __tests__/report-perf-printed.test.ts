/**
 * A fingerprint the baseline computed while matching a finding (engine/baseline.ts, kept for the
 * report) is the one the report prints, and the one computed afresh.
 */
import { expect, it } from '@jest/globals';
import { reportFinding } from '../src/engine/build-report.js';
import { BaselineFilter, fingerprint } from '../src/engine/baseline.js';
import type { Finding } from '../src/engine/types.js';

const range = { line: 2, column: 1, endLine: 2, endColumn: 3 };
const texts = new Map([['c.yaml', 'a: 1\nlr:   3e-4\n']]);

it('report perf: the fingerprint a baseline computed is the one printed', () => {
  const f = { ruleId: 'warmup-fraction', severity: 'warning', message: 'm', path: 'c.yaml', range, data: { warmup: 5, line: 3 } } as unknown as Finding;
  const fresh = { ...f } as Finding;
  const filter = new BaselineFilter({ version: 1, fingerprints: 2, findings: [] }, texts);
  expect(filter.known(f)).toBe(false);
  expect(reportFinding(f, texts, true).fingerprint).toBe(fingerprint(fresh, texts));
  expect(reportFinding(f, texts).fingerprint).toBe(fingerprint(fresh, texts));
  // Matched against an entry with that fingerprint: hidden.
  const known = new BaselineFilter({ version: 1, fingerprints: 2, findings: [{ path: 'c.yaml', ruleId: 'warmup-fraction', fingerprint: fingerprint(fresh, texts), count: 1 }] }, texts);
  expect(known.known({ ...f } as Finding)).toBe(true);
});
