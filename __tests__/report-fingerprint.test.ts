/**
 * A report finding's fingerprint is computed when first read (engine/build-report.ts), so the
 * formats that print none never hash: it must still be in every JSON report, in copies, and equal
 * to the baseline's fingerprint of the finding.
 */
import { reportFinding } from '../src/engine/build-report';
import fc from 'fast-check';
import { BaselineFilter, fingerprint, lineOf } from '../src/engine/baseline';
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

describe('fingerprints do not depend on line numbers held in data', () => {
  const before = 'model_name_or_path: x\nlearning_rate: 2.0e-5\nlearning_rate: 3.0e-5\n';
  const after = `# a comment added at the top\n${before}`;
  const duplicate = (shift: number): Finding => ({
    ruleId: 'duplicate-key',
    severity: 'error',
    message: `duplicate key "learning_rate" (first at line ${2 + shift})`,
    path: 'sft.yaml',
    range: { line: 3 + shift, column: 1, endLine: 3 + shift, endColumn: 14 },
    data: { key: 'learning_rate', firstLine: 2 + shift, valuesDiffer: true, loader: 'last-wins', winsLine: 3 + shift },
  });

  test('duplicate-key: firstLine and winsLine are left out, so a line added above keeps the fingerprint', () => {
    expect(fingerprint(duplicate(1), new Map([['sft.yaml', after]]))).toBe(fingerprint(duplicate(0), new Map([['sft.yaml', before]])));
    // The values still count: equal values are another finding.
    expect(fingerprint({ ...duplicate(0), data: { ...duplicate(0).data, valuesDiffer: false } }, new Map([['sft.yaml', before]]))).not.toBe(
      fingerprint(duplicate(0), new Map([['sft.yaml', before]])),
    );
  });

  test("unused-suppression: a next-line suppression's scope (a line) is left out, 'file' is kept", () => {
    const text = (pad: string): Map<string, string> => new Map([['sft.yaml', `${pad}# trainlint-disable-next-line warmup-fraction -- x\nwarmup_steps: 9\n`]]);
    const unused = (line: number, scope: number | 'file'): Finding => ({
      ruleId: 'unused-suppression',
      severity: 'warning',
      message: 'suppresses nothing',
      path: 'sft.yaml',
      range: { line, column: 1, endLine: line, endColumn: 52 },
      data: { ruleIds: ['warmup-fraction'], scope },
    });
    expect(fingerprint(unused(2, 3), text('\n'))).toBe(fingerprint(unused(1, 2), text('')));
    expect(fingerprint(unused(1, 'file'), text(''))).not.toBe(fingerprint(unused(1, 2), text('')));
  });

  test("a pin's file:line in a data text keeps the file, not the line", () => {
    const pinned = (where: string): Finding => ({ ...finding, ruleId: 'batch-size-mismatch', data: { kind: 'grpo-global-batch-v0.17', trl: `trl~=0.17.0 (${where})` } });
    expect(fingerprint(pinned('requirements.txt:4'), texts)).toBe(fingerprint(pinned('requirements.txt:1'), texts));
    expect(fingerprint(pinned('pyproject.toml:4'), texts)).not.toBe(fingerprint(pinned('requirements.txt:4'), texts));
  });

  test('a baseline written with the line numbers in the fingerprint still hides the finding where it was', () => {
    const texts0 = new Map([['sft.yaml', before]]);
    // 7928f8d44b121129825f438c: what the previous implementation (dist/ of 9165f4a) wrote for it (firstLine=2, winsLine=3).
    const old = { version: 1 as const, fingerprints: 2, findings: [{ path: 'sft.yaml', ruleId: 'duplicate-key', fingerprint: '7928f8d44b121129825f438c', count: 1 }] };
    expect(fingerprint(duplicate(0), texts0)).not.toBe('7928f8d44b121129825f438c');
    const filter = new BaselineFilter(old, texts0);
    expect(filter.known(duplicate(0))).toBe(true);
    expect(filter.fixed()).toBe(0);
  });
});
