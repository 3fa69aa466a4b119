import { linearRegExp, UnsupportedPattern } from '../src/engine/linear-regexp.js';

const NUMBER = '^\\s*[-+]?(\\d[\\d_]*\\.?[\\d_]*|\\.\\d[\\d_]*)([eE][-+]?\\d+)?\\s*$';

describe('linearRegExp', () => {
  test('answers as the pattern does, the first time and when an input comes again', () => {
    const re = linearRegExp(NUMBER, 'u');
    const native = new RegExp(NUMBER, 'u');
    const inputs = ['2e-5', '${batch_size}', '1_000', ' 3.0 ', '', 'abc', '.5', '1e', '2e-5', '${batch_size}', '1e', 'x'.repeat(300), '1'.repeat(300), '1'.repeat(300) + 'x'];
    for (const round of [1, 2]) {
      for (const s of inputs) expect([round, s.slice(0, 20), re.test(s)]).toEqual([round, s.slice(0, 20), native.test(s)]);
    }
  });

  test('a pattern compiles once per process: the same engine for the same source', () => {
    expect(linearRegExp(NUMBER, 'u')).toBe(linearRegExp(NUMBER, 'u'));
    expect(linearRegExp('^a$', 'u')).not.toBe(linearRegExp('^b$', 'u'));
    expect(String(linearRegExp('^a$', 'u'))).toBe('re2js:^a$');
  });

  test('many distinct inputs (past what a pattern remembers) are still answered right', () => {
    const re = linearRegExp('^[0-9]+$', 'u');
    for (let i = 0; i < 10_000; i++) {
      const s = i % 3 === 0 ? `${i}x` : String(i);
      expect(re.test(s)).toBe(i % 3 !== 0);
    }
    for (let i = 0; i < 10_000; i += 997) expect(re.test(String(i))).toBe(true);
  });

  test('patterns RE2 cannot run are refused each time, with the pattern named', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => linearRegExp('^(?=a)a$', 'u')).toThrow(UnsupportedPattern);
      expect(() => linearRegExp('^(a)\\1$', 'u')).toThrow(/cannot be run in linear time/);
    }
  });

  test('answers where a backtracking engine would not return (the test times out if it does not)', () => {
    expect(linearRegExp('^(a+)+$', 'u').test('a'.repeat(5_000) + 'b')).toBe(false);
  });
});
