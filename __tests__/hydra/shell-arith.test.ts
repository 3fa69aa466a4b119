import { ended, runWork } from '../helpers/child';
import { arithmeticBody, evaluateArithmetic, MAX_ARITH_CHARS } from '../../src/engine/load/shell-arith.js';

const vars: Record<string, string> = { A: '6', B: '4', EXPR: 'A * B', NEG: '-3', TEXT: 'gpu', EMPTY: '' };
const lookup = (name: string): string | undefined => vars[name];
const value = (expr: string): string => {
  const r = evaluateArithmetic(expr, lookup);
  return r.ok ? String(r.value) : `unknown: ${r.why}`;
};

describe('bash arithmetic, statically', () => {
  test.each([
    ['1024 * 2', '2048'],
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['2 ** 3 ** 2', '512'],
    ['-7 / 2', '-3'],
    ['-7 % 3', '-1'],
    ['0x10 + 010', '24'],
    ['A * B', '24'],
    ['$A * ${B}', '24'],
    ['EXPR + 1', '25'],
    ['NEG * -2', '6'],
    ['  ( A ) ', '6'],
    ['9223372036854775807 + 1', '-9223372036854775808'],
  ])('%s = %s', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  test.each([
    ['UNSET * 2', /\$UNSET is not set/],
    ['TEXT + 1', /TEXT = "gpu"/],
    ['EMPTY + 1', /\$EMPTY is empty/],
    ['1 / 0', /division by 0/],
    ['x++', /changes a variable/],
    ['a += 1', /assigns/],
    ['a < b', /operator `<`/],
    ['1 ? 2 : 3', /operator `\?`/],
    ['(1 + 2', /missing `\)`/],
    ['1 2', /unexpected `2`/],
    ['', /empty/],
    ['2 ** -1', /exponent less than 0/],
    ['08', /not a number/],
  ])('%s is unknown', (expr, why) => {
    expect(value(expr)).toMatch(why);
  });

  test('the variables used are reported', () => {
    const r = evaluateArithmetic('$A + B * A', lookup);
    expect(r).toEqual({ ok: true, value: 30n, names: ['A', 'B'] });
  });

  test('long or deeply nested input is refused quickly, never thrown', () => {
    expect(value('1+'.repeat(MAX_ARITH_CHARS))).toMatch(/longer than/);
    expect(value('('.repeat(200) + '1' + ')'.repeat(200))).toMatch(/nested too deeply/);
  });

  test('random expressions never throw (in a child with a hard timeout)', async () => {
    const { result, run } = await runWork<{ threw: string[] }>('arith-random', [], { timeoutMs: 60_000 });
    expect(ended(run)).toMatch(/^exit 0/);
    expect(result!.threw).toEqual([]);
  }, 70_000);

  test('arithmeticBody recognises exactly one $(( … ))', () => {
    expect(arithmeticBody('$((1 * 2))')).toBe('1 * 2');
    expect(arithmeticBody('$(( (a + b) * 2 ))')).toBe(' (a + b) * 2 ');
    expect(arithmeticBody('$(date)')).toBeUndefined();
    expect(arithmeticBody('$((a) + (b))')).toBeUndefined();
  });
});
