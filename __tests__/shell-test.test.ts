import { evaluateTest, matchesPattern, type TestWord } from '../src/engine/load/shell-test.js';

const w = (text: string, quoted = false): TestWord => ({ text, quoted });
const plain = (...texts: string[]) => texts.map((t) => w(t));

describe('evaluateTest', () => {
  test('string and integer comparisons in [ ], [[ ]] and test', () => {
    expect(evaluateTest(plain('[', 'a', '=', 'a', ']'))).toBe(true);
    expect(evaluateTest(plain('[', 'a', '!=', 'a', ']'))).toBe(false);
    expect(evaluateTest(plain('test', '8', '-gt', '1'))).toBe(true);
    expect(evaluateTest(plain('[[', '8', '-le', '4', ']]'))).toBe(false);
    expect(evaluateTest(plain('[', '08', '-eq', '8', ']'))).toBe(true);
    expect(evaluateTest([w('['), w('-z'), w('', true), w(']')])).toBe(true);
    expect(evaluateTest(plain('[', '-n', 'x', ']'))).toBe(true);
    expect(evaluateTest(plain('[', 'x', ']'))).toBe(true);
    expect(evaluateTest([w('['), w('', true), w(']')])).toBe(false);
  });

  test('negation outside and inside the brackets', () => {
    expect(evaluateTest(plain('!', '[', 'a', '=', 'b', ']'))).toBe(true);
    expect(evaluateTest(plain('[', '!', 'a', '=', 'b', ']'))).toBe(true);
    expect(evaluateTest(plain('!', '!', 'true'))).toBe(true);
    expect(evaluateTest(plain('false'))).toBe(false);
    expect(evaluateTest(plain(':'))).toBe(true);
  });

  test('undecided: unknown words, file tests, non-integers for integer operators, other commands, unquoted empty or split words', () => {
    expect(evaluateTest([w('['), undefined, w('='), w('1'), w(']')])).toBeUndefined();
    expect(evaluateTest(plain('[', '-f', 'x', ']'))).toBeUndefined();
    expect(evaluateTest(plain('[', 'a', '-gt', '1', ']'))).toBeUndefined();
    expect(evaluateTest(plain('grep', '-q', 'x', 'f'))).toBeUndefined();
    expect(evaluateTest(plain('[', 'a', '=', 'b'))).toBeUndefined();
    expect(evaluateTest([w('['), w(''), w('='), w('x'), w(']')])).toBeUndefined();
    expect(evaluateTest([w('['), w('a b'), w('='), w('x'), w(']')])).toBeUndefined();
    expect(evaluateTest(plain('[', 'a', '=', 'b', '-o', 'c', ']'))).toBeUndefined();
  });

  test('[[ == ]] matches an unquoted right side as a pattern, a quoted one literally', () => {
    expect(evaluateTest(plain('[[', 'node-3', '==', 'node-*', ']]'))).toBe(true);
    expect(evaluateTest([w('[['), w('node-3'), w('=='), w('node-*', true), w(']]')])).toBe(false);
    expect(evaluateTest(plain('[', 'node-3', '=', 'node-*', ']'))).toBe(false);
    expect(evaluateTest(plain('[[', 'a', '==', '[ab]', ']]'))).toBeUndefined();
  });
});

describe('matchesPattern', () => {
  test('* and ? against literal characters', () => {
    expect(matchesPattern('7b', '7b')).toBe(true);
    expect(matchesPattern('70b', '7*b')).toBe(true);
    expect(matchesPattern('7b', '7?b')).toBe(false);
    expect(matchesPattern('abc', '*')).toBe(true);
    expect(matchesPattern('', '*')).toBe(true);
    expect(matchesPattern('a*c', 'a*')).toBe(true);
    expect(matchesPattern('abcbd', 'a*b?')).toBe(true);
    expect(matchesPattern('abcbde', 'a*b?')).toBe(false);
  });

  test('brackets, escapes and extended globs are undecided', () => {
    expect(matchesPattern('a', '[ab]')).toBeUndefined();
    expect(matchesPattern('a', '\\a')).toBeUndefined();
    expect(matchesPattern('a', '@(a|b)')).toBeUndefined();
  });

  test('a long subject against many stars answers quickly (no backtracking blow-up)', () => {
    const subject = 'a'.repeat(20000);
    const started = process.hrtime.bigint();
    expect(matchesPattern(subject, `${'*a'.repeat(50)}b`)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});
