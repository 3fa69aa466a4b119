/**
 * trainlint's own schemas test short inputs on V8's engine and longer ones on RE2
 * (engine/linear-regexp.ts `ownRegExp`): both must give the same answer for every pattern those
 * schemas hold, and a hostile long input must never reach the backtracking engine.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { linearRegExp, NATIVE_INPUT_UP_TO, nestsQuantifiers, ownRegExp } from '../src/engine/linear-regexp.js';
import { schemaSources } from '../src/engine/schema-sources.js';

/** Every `pattern` and `patternProperties` key of a schema. */
function patternsIn(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) patternsIn(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'pattern' && typeof v === 'string') out.add(v);
      if (k === 'patternProperties' && v && typeof v === 'object') for (const p of Object.keys(v)) out.add(p);
      patternsIn(v, out);
    }
  }
  return out;
}

const OWN_PATTERNS = [...new Set([...schemaSources().values()].flatMap(({ schema }) => [...patternsIn(schema)]))].sort();

describe('nestsQuantifiers', () => {
  it.each([
    ['(a+)+', true],
    ['^(?:\\d*\\.)*$', true],
    ['(a|b*){2,}', true],
    ['((ab)*c)+', true],
    ['(?:x(?:y+))+', true],
    ['(a*){3}', true],
    ['((a)?)+', true],
    ['(a', true],
    ['[a', true],
    ['a)', true],
    ['^[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?$', false],
    ['^\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?$', false],
    ['^(?:auto|-1|\\d+)$', false],
    ['[(+)]+', false],
    ['\\(a+\\)+', false],
    ['(ab)+', false],
    ['(a{2})?', false],
    ['(a*){0,1}', false],
    ['(a*){1}', false],
    ['^(?:x+)?(?:\\.y*)?$', false],
    ['^x{1,3}$', false],
  ])('%s: %s', (pattern, nests) => {
    expect(nestsQuantifiers(pattern)).toBe(nests);
  });
});

describe('ownRegExp', () => {
  it('finds the patterns of the built-in schemas, the config schema and rule options', () => {
    expect(OWN_PATTERNS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(OWN_PATTERNS)('%s: V8 and RE2 agree on short inputs', (pattern) => {
    const native = new RegExp(pattern, 'u');
    const re2 = linearRegExp(pattern, 'u');
    const own = ownRegExp(pattern, 'u');
    const unit = fc.constantFrom(...'0123456789_.eE+- $\\{}aAbBfiItTsSpPoOkK,:/é\n\t'.split(''), '😀');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: NATIVE_INPUT_UP_TO }), (s) => {
        const answer = re2.test(s);
        expect(native.test(s)).toBe(answer);
        expect(own.test(s)).toBe(answer);
      }),
      { numRuns: 400, seed: 3 },
    );
    // Strings the pattern is written for, in the forms configs use.
    for (const s of ['1', '8', '-1', '+5', '2e-5', '1.0e-4', '3.', '.5', '1_000', '${LR}', '$LR', 'auto', '100ba', '2ep', '1e9tok', '10 T', ' 5 ', '1,2,3', 'x']) {
      expect(own.test(s)).toBe(re2.test(s));
    }
  });

  it.each(OWN_PATTERNS)('%s: V8 answers pumped inputs of the native length at once', (pattern) => {
    const native = new RegExp(pattern, 'u');
    let worst = 0;
    for (const prefix of ['', '+', '-', '$', '${', '.', '1', 'a']) {
      for (const unit of ['1', '0', '.', '_', ' ', 'e', '1.', '1_', '1e', ',', '1,', 'a', '$', '{', '1 ']) {
        for (const suffix of ['!', 'x', '', '.', ' ', 'e']) {
          const s = (prefix + unit.repeat(NATIVE_INPUT_UP_TO)).slice(0, NATIVE_INPUT_UP_TO - suffix.length) + suffix;
          const started = process.hrtime.bigint();
          native.test(s);
          worst = Math.max(worst, Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
    }
    expect(worst).toBeLessThan(50);
  });

  it('gives a long input to RE2: a pattern that backtracks quadratically on V8 answers at once', () => {
    const pattern = '^\\+?(?:[0-9_]+\\.?[0-9_]*|\\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$';
    expect(nestsQuantifiers(pattern)).toBe(false);
    const hostile = '1'.repeat(200_000) + 'x';
    const started = Date.now();
    expect(ownRegExp(pattern, 'u').test(hostile)).toBe(false);
    // V8 alone takes minutes on this input (two adjacent stars over one class, 4·10^10 steps).
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runs a pattern with nested quantifiers on RE2 whatever the input length', () => {
    const hostile = 'a'.repeat(40) + '!';
    const started = Date.now();
    expect(ownRegExp('^(a+)+$', 'u').test(hostile)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ownRegExp('^(a+)+$', 'u').toString()).toBe(linearRegExp('^(a+)+$', 'u').toString());
  });
});
