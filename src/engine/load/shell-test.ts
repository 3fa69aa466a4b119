/**
 * What a launch script's `if` condition or `case` arm decides, when the words it tests are known:
 * `[ … ]`, `[[ … ]]` and `test …` with string and integer comparisons, `true`/`false`/`:`, and
 * `case` patterns with `*` and `?`. Anything else (a file test, a regular expression, a command's
 * exit status, an unknown variable) is undecided, and the script reader then keeps every branch.
 */

/** One word of a condition after expansion; `undefined` when it holds a value the reader does not know. */
export interface TestWord {
  text: string;
  /** Written inside quotes (no word splitting, no pattern matching). */
  quoted: boolean;
}

const INTEGER = /^[+-]?\d{1,15}$/;
const INTEGER_OPS: Record<string, (a: number, b: number) => boolean> = {
  '-eq': (a, b) => a === b,
  '-ne': (a, b) => a !== b,
  '-lt': (a, b) => a < b,
  '-le': (a, b) => a <= b,
  '-gt': (a, b) => a > b,
  '-ge': (a, b) => a >= b,
};

/**
 * The exit status of a condition command as true/false, or undefined when it cannot be known statically.
 * `words` is the whole command (`[ "$X" = 1 ]`, `! [[ $N -gt 1 ]]`, `true`).
 */
export function evaluateTest(words: readonly (TestWord | undefined)[]): boolean | undefined {
  let negate = false;
  let k = 0;
  while (words[k]?.text === '!' && !words[k]?.quoted) {
    negate = !negate;
    k++;
  }
  const rest = words.slice(k);
  const result = commandStatus(rest);
  return result === undefined ? undefined : result !== negate;
}

function commandStatus(words: readonly (TestWord | undefined)[]): boolean | undefined {
  const first = words[0];
  if (!first || first.quoted) return undefined;
  if (words.length === 1 && (first.text === 'true' || first.text === ':')) return true;
  if (words.length === 1 && first.text === 'false') return false;
  const last = words[words.length - 1];
  if (first.text === '[' && last?.text === ']' && !last.quoted && words.length >= 2) return expression(words.slice(1, -1), false);
  if (first.text === '[[' && last?.text === ']]' && !last.quoted && words.length >= 2) return expression(words.slice(1, -1), true);
  if (first.text === 'test') return expression(words.slice(1), false);
  return undefined;
}

/** The test expression inside `[ … ]` (`double`: inside `[[ … ]]`, where `==` matches a pattern). */
function expression(words: readonly (TestWord | undefined)[], double: boolean): boolean | undefined {
  if (words.some((w) => w === undefined)) return undefined;
  const known = words as readonly TestWord[];
  // Unquoted empty or multi-word values are split (or dropped) by `[`; `[[` does not split, but keep it simple.
  if (known.some((w) => !w.quoted && (w.text === '' || /\s/.test(w.text)))) return undefined;
  if (known[0]?.text === '!' && !known[0].quoted) {
    const inner = expression(known.slice(1), double);
    return inner === undefined ? undefined : !inner;
  }
  if (known.length === 1) return known[0].text !== '';
  if (known.length === 2) {
    if (known[0].quoted) return undefined;
    if (known[0].text === '-n') return known[1].text !== '';
    if (known[0].text === '-z') return known[1].text === '';
    return undefined; // file tests and the like
  }
  if (known.length !== 3 || known[1].quoted) return undefined;
  const [left, { text: op }, right] = known;
  if (op === '=' || op === '==' || op === '!=') {
    const same = double && !right.quoted ? matchesPattern(left.text, right.text) : left.text === right.text;
    return same === undefined ? undefined : same === (op !== '!=');
  }
  const compare = Object.hasOwn(INTEGER_OPS, op) ? INTEGER_OPS[op] : undefined;
  if (!compare || !INTEGER.test(left.text) || !INTEGER.test(right.text)) return undefined;
  return compare(Number(left.text), Number(right.text));
}

/**
 * Whether `subject` matches a shell pattern made of literal characters, `*` and `?`; undefined for
 * bracket expressions, escapes and extended globs.
 */
export function matchesPattern(subject: string, pattern: string): boolean | undefined {
  if (/[[\]\\]|[?*+@!]\(/.test(pattern)) return undefined;
  // Iterative wildcard match (no regular expression built from the script's text).
  let s = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (s < subject.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === subject[s])) {
      s++;
      p++;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
