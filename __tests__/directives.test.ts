import { scanDirectives } from '../src/engine/directives';
import { applySuppressions } from '../src/engine/suppressions';
import type { SourceFile } from '../src/engine/source';
import type { Finding } from '../src/engine/types';

const at = (line: number): Finding['range'] => ({ line, column: 1, endLine: line, endColumn: 2 });

describe('scanDirectives: the two suppression forms, and nothing else read as them', () => {
  test('disable-next-line covers the next line, disable the whole file', () => {
    const d = scanDirectives('# trainlint-disable-next-line warmup-fraction -- long warmup\na: 1\n# trainlint-disable lr-not-rescaled\n', true);
    expect(d.suppressions.map((s) => [s.scope, s.ruleIds])).toEqual([
      [2, ['warmup-fraction']],
      ['file', ['lr-not-rescaled']],
    ]);
    expect(d.unknown).toBeUndefined();
  });

  test.each(['disable-line', 'disable-nextline', 'disable_next_line', 'disable:warmup-fraction', 'enable', 'disable-file'])(
    '`trainlint-%s` is an unknown directive, not a whole-file disable',
    (word) => {
      const d = scanDirectives(`warmup_steps: 900  # trainlint-${word} warmup-fraction -- intended\n`, true);
      expect(d.suppressions).toEqual([]);
      expect(d.unknown).toEqual([expect.objectContaining({ directive: `trainlint-${word}`, range: expect.objectContaining({ line: 1, column: 20 }) })]);
    },
  );

  test('a comment that only mentions trainlint is no directive', () => {
    const d = scanDirectives('# checked by trainlint in CI\na: 1 # see trainlint docs\n', true);
    expect(d).toEqual({ suppressions: [] });
  });
});

describe('applySuppressions: unknown directives suppress nothing and are reported', () => {
  const file = (text: string): SourceFile => ({ path: 'sft.yaml', text, format: 'yaml', problems: [], directives: scanDirectives(text, true) });
  const finding = (ruleId: string, line: number): Finding => ({ ruleId, severity: 'error', path: 'sft.yaml', range: at(line), message: 'x' });

  test('a trailing trainlint-disable-line leaves the finding on its line and on every other line', () => {
    const text = 'a: 1\nbf16: true\nbf16: true  # trainlint-disable-line duplicate-key -- same value\nlr: 3\n';
    const { kept, problems } = applySuppressions([finding('duplicate-key', 3), finding('duplicate-key', 4)], file(text));
    expect(kept.map((f) => f.range.line)).toEqual([3, 4]);
    expect(problems).toEqual([
      expect.objectContaining({
        ruleId: 'unused-suppression',
        range: expect.objectContaining({ line: 3, column: 13 }),
        message: expect.stringContaining('`trainlint-disable-line` is not a trainlint directive, so it suppresses nothing: write `# trainlint-disable-next-line duplicate-key -- reason`'),
      }),
    ]);
  });
});
