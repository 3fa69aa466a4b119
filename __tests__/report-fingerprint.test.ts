/**
 * A report finding's fingerprint is computed when first read (engine/build-report.ts), so the
 * formats that print none never hash: it must still be in every JSON report, in copies, and equal
 * to the baseline's fingerprint of the finding.
 */
import { reportFinding } from '../src/engine/build-report';
import { fingerprint } from '../src/engine/baseline';
import type { Finding } from '../src/engine/types';

const finding = {
  ruleId: 'warmup-exceeds-training',
  severity: 'error',
  message: 'warmup 2000 steps ≥ 1500 optimizer steps',
  path: 'configs/sft.yaml',
  range: { line: 2, column: 1, endLine: 2, endColumn: 13 },
  data: { warmup: 2000, total: 1500 },
} as unknown as Finding;
const texts = new Map([['configs/sft.yaml', 'max_steps: 1500\nwarmup_steps: 2000\n']]);

test('the fingerprint is in the JSON, in copies and in the keys, with the baseline value', () => {
  const expected = fingerprint(finding, texts);
  expect(expected).toMatch(/^[0-9a-f]{24}$/);
  const r = reportFinding(finding, texts);
  expect(Object.keys(r)).toContain('fingerprint');
  expect(JSON.parse(JSON.stringify(r)).fingerprint).toBe(expected);
  expect({ ...r }.fingerprint).toBe(expected);
  expect(r.fingerprint).toBe(expected);
});

test('an assigned fingerprint is kept', () => {
  const r = reportFinding(finding, texts);
  r.fingerprint = 'f'.repeat(24);
  expect(JSON.parse(JSON.stringify(r)).fingerprint).toBe('f'.repeat(24));
});
