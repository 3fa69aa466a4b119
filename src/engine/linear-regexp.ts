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

/**
 * Inputs up to this many UTF-16 units are tested on V8's engine by `ownRegExp`: config values that
 * patterns check are short (`2e-5`, `${LR}`, `100ba`), and a pattern without nested quantifiers
 * backtracks at most polynomially, so 64 units cost microseconds whatever the input.
 */
export const NATIVE_INPUT_UP_TO = 64;

/**
 * Whether a repeated group holds a quantifier (`(a+)+`, `(?:\d*\.)*`, `(a*){3}`): the exponential
 * kind of backtracking. An optional group (`(?:\.\d*)?`) does not repeat. Escapes and character
 * classes are skipped; a pattern that cannot be read so counts as nesting.
 */
export function nestsQuantifiers(pattern: string): boolean {
  // For each open group: whether a quantifier occurred inside it.
  const open: boolean[] = [];
  /** The length of the quantifier at `i` (0: none) and whether it repeats (anything but `?`, `{0,1}`, `{1}`). */
  const quantifierAt = (i: number): { length: number; repeats: boolean } => {
    const c = pattern[i];
    if (c === '*' || c === '+') return { length: 1, repeats: true };
    if (c === '?') return { length: 1, repeats: false };
    const brace = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i)) : null;
    if (!brace) return { length: 0, repeats: false };
    const most = brace[2] === undefined ? Number(brace[1]) : brace[3] === '' ? Infinity : Number(brace[3]);
    return { length: brace[0].length, repeats: most > 1 };
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    // A quantifier after an escape or a class is met by the last branch, at its own offset.
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      if (j >= pattern.length) return true;
      i = j + 1;
    } else if (c === '(') {
      open.push(false);
      // `(?:`, `(?<name>`: the group's own marker is not a quantifier.
      i += pattern[i + 1] === '?' ? 2 : 1;
    } else if (c === ')') {
      if (open.length === 0) return true;
      const quantifiedInside = open.pop()!;
      const after = quantifierAt(i + 1);
      if (quantifiedInside && after.repeats) return true;
      if ((quantifiedInside || after.length > 0) && open.length) open[open.length - 1] = true;
      i += 1 + after.length;
    } else {
      const q = quantifierAt(i);
      if (q.length > 0 && open.length) open[open.length - 1] = true;
      i += Math.max(1, q.length);
    }
  }
  return open.length > 0;
}

const own = new Map<string, LinearRegExp>();

/** V8's RegExp for `pattern`, unless it nests repeated quantifiers or V8 cannot compile it. */
function nativeRegExp(pattern: string, flags: string): RegExp | undefined {
  if (nestsQuantifiers(pattern)) return undefined;
  try {
    return new RegExp(pattern, flags);
  } catch {
    return undefined;
  }
}

function compileOwn(pattern: string, flags: string): LinearRegExp {
  const native = nativeRegExp(pattern, flags);
  if (!native) return linearRegExp(pattern, flags);
  return {
    // linearRegExp compiles a pattern once per process: a long input asks it each time.
    test: (s: string) => (s.length <= NATIVE_INPUT_UP_TO ? native.test(s) : linearRegExp(pattern, flags).test(s)),
    toString: () => `own:${pattern}`,
  };
}

/**
 * ajv's RegExpEngine for trainlint's own schemas (the dialects' built-in schemas, `.trainlint.yml`
 * and rule options; user schemas keep `linearRegExp`): a short input is tested on V8's engine, a
 * longer one on RE2, which is loaded only then. A pattern with nested quantifiers, or one V8
 * cannot compile, always runs on RE2. The two engines agree on every one of these patterns, and
 * V8 answers each on pumped adversarial inputs of NATIVE_INPUT_UP_TO units within milliseconds
 * (__tests__/own-regexp.test.ts). Most runs never load RE2 (≈ 300 KiB to read and compile:
 * ≈ 15 ms of a one-file run under Node 24).
 */
export const ownRegExp = Object.assign(
  (pattern: string, flags: string) => {
    let re = own.get(pattern);
    if (!re) own.set(pattern, (re = compileOwn(pattern, flags)));
    return re;
  },
  { code: 'trainlint.ownRegExp' },
);
