/**
 * A report finding's fingerprint is computed when first read (engine/build-report.ts), so the
 * formats that print none never hash: it must still be in every JSON report, in copies, and equal
 * to the baseline's fingerprint of the finding.
 */
import { reportFinding } from '../src/engine/build-report';
import fc from 'fast-check';
import { fingerprint, lineOf } from '../src/engine/baseline';
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

describe('fingerprint values stay those baselines hold', () => {
  const grouped = {
    ...finding,
    ruleId: 'decay-horizon-mismatch',
    range: { line: 3, column: 1, endLine: 3, endColumn: 15 },
    data: { decaySteps: 1e-7 / 3, totalSteps: 1500, scheduler: 'cosine', exact: true, none: null, list: [1, 2], grouped: [{}], shortRun: { steps: 1 }, launchRejects: true, 'a=b': 1, ab: 2 },
    merged: [
      { ...finding, ruleId: 'interval-exceeds-training', range: { line: 1, column: 1, endLine: 1, endColumn: 10 }, data: { interval: 2000, total: 1500 } },
      { ...finding, range: { line: 9, column: 1, endLine: 9, endColumn: 4 }, data: undefined },
    ],
  } as unknown as Finding;
  const text = new Map([['configs/sft.yaml', 'max_steps: 1500\r\nwarmup_steps: 2000\nlr_scheduler_type: cosine\n']]);

  // Values written by the previous implementation (Object.entries/filter/map, createHash, split lines).
  test.each([
    ['a finding', finding, texts, '91140168d095551581302896'],
    ['a grouped finding, data of every kind, a line past the end, CRLF', grouped, text, '318488f4d96da32cd6b4b37b'],
  ])('%s', (_what, f, t, expected) => {
    expect(fingerprint(f, t)).toBe(expected);
  });
});

describe('lineOf', () => {
  test('is the line split("\\n") gives, across files and in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', 'é') , maxLength: 40 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(2), fc.integer({ min: -1, max: 14 })), { maxLength: 20 }),
        (files, asks) => {
          const texts = new Map(files.map((text, i) => [`f${i}`, text]));
          for (const [which, line] of asks) {
            const path = `f${which % files.length}`;
            expect(lineOf(texts, path, line)).toBe(texts.get(path)!.split('\n')[line - 1] ?? '');
          }
          expect(lineOf(texts, 'missing', 1)).toBe('');
          expect(lineOf(texts, 'f0', 1.5)).toBe('');
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });
});
