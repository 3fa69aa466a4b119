/**
 * Linear-time regular expressions for JSON Schema `pattern` and `patternProperties`, through
 * ajv's `code.regExp` option. JavaScript's engine backtracks: `^(a+)+$` against 34 characters of a
 * linted file takes minutes. RE2 (re2js, a pure JavaScript port that bundles into dist/) matches
 * in time linear in the input. Patterns RE2 cannot express (lookaround, backreferences) are
 * refused with the pattern named, instead of silently falling back to a backtracking engine.
 */
import { RE2JS } from 're2js';

/** A pattern the linear-time engine cannot run. */
export class UnsupportedPattern extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`pattern ${JSON.stringify(pattern)} cannot be run in linear time (${reason}); rewrite it without lookaround or backreferences`);
    this.name = 'UnsupportedPattern';
  }
}

/** Patterns longer than this are refused (RE2's own program-size limit also applies). */
export const MAX_PATTERN_LENGTH = 4096;

/** What ajv needs: `test`, and a `toString` that is unique per pattern (ajv dedupes by it). */
export interface LinearRegExp {
  test(s: string): boolean;
  toString(): string;
}

function compile(pattern: string): LinearRegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UnsupportedPattern(pattern.slice(0, 80) + '…', `${pattern.length} characters, over the ${MAX_PATTERN_LENGTH}-character limit`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '').split('\n')[0];
    throw new UnsupportedPattern(pattern, reason);
  }
  // Answers by input: configs repeat the same few strings (`2e-5`, `${batch_size}`, `100ba`) and an
  // RE2 test costs microseconds. Short inputs only, and a bounded number of them per pattern.
  const answers = new Map<string, boolean>();
  const test = (s: string): boolean => {
    if (s.length > MAX_REMEMBERED_INPUT) return re.test(s);
    let answer = answers.get(s);
    if (answer === undefined) {
      answer = re.test(s);
      if (answers.size < MAX_REMEMBERED_ANSWERS) answers.set(s, answer);
    }
    return answer;
  };
  return { test, toString: () => `re2js:${pattern}` };
}

/** Inputs longer than this are tested each time. */
const MAX_REMEMBERED_INPUT = 256;
/** Answers a pattern remembers. */
const MAX_REMEMBERED_ANSWERS = 4096;

/**
 * Compiled patterns by source: the built-in schemas' validators (one module per dialect) share a
 * few number and interpolation patterns, and a pattern compiles once per process. Refusals are not
 * kept (they throw each time, as before).
 */
const compiled = new Map<string, LinearRegExp>();

/** ajv's RegExpEngine: `(pattern, flags) => { test }` plus a `code` label for generated code. */
export const linearRegExp = Object.assign(
  (pattern: string, _flags: string) => {
    let re = compiled.get(pattern);
    if (!re) compiled.set(pattern, (re = compile(pattern)));
    return re;
  },
  { code: 'trainlint.linearRegExp' },
);
