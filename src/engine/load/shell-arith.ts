/**
 * Bash arithmetic expansion, statically: `$((1024 * 2))`, `$((NNODES * 8))`, `$(( $A / 2 ))`.
 * Integers only (bash has no floats), 64-bit like bash; operators `+ - * / % **`, unary `+ -`,
 * parentheses, decimal, `0x` hex and leading-zero octal literals, and variable names, bare or
 * with `$`. A variable the script does not set, a `=`/`++`/`?:`/comparison/bit operator, or a
 * division by zero leaves the whole expression unknown: bash would read an unset variable as 0,
 * but in a launch script it is usually set by the environment, so trainlint never guesses it.
 * Pure: `(text, lookup) => result`; nothing is executed.
 */

/** The expansion's value, or why it is unknown. */
export type ArithResult = { ok: true; value: bigint; names: string[] } | { ok: false; why: string };

/** Expressions longer than this are not evaluated (a launch script's arithmetic is short). */
export const MAX_ARITH_CHARS = 512;
const MAX_DEPTH = 32;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

type Tok = { kind: 'num'; value: bigint } | { kind: 'name'; name: string } | { kind: 'op'; op: string };

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

function tokenize(src: string): Tok[] | string {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i;
      while (j < src.length && /[0-9A-Za-z_#]/.test(src[j])) j++;
      const text = src.slice(i, j);
      let value: bigint;
      if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = BigInt(text);
      else if (/^0[0-7]+$/.test(text)) value = BigInt('0o' + text.slice(1));
      else if (/^(?:0|[1-9]\d*)$/.test(text)) value = BigInt(text);
      else return `\`${text}\` is not a number bash reads here`;
      out.push({ kind: 'num', value });
      i = j;
      continue;
    }
    if (c === '$' || /[A-Za-z_]/.test(c)) {
      let j = c === '$' ? i + 1 : i;
      const braced = src[j] === '{';
      if (braced) j++;
      const start = j;
      while (j < src.length && /\w/.test(src[j])) j++;
      const name = src.slice(start, j);
      if (!name || !/^[A-Za-z_]/.test(name)) return `\`${src.slice(i, j + 1)}\` is not a variable trainlint can read here`;
      if (braced) {
        if (src[j] !== '}') return `\`${src.slice(i, j + 1)}\`: only \${NAME} is read inside arithmetic`;
        j++;
      }
      out.push({ kind: 'name', name });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '**') {
      out.push({ kind: 'op', op: '**' });
      i += 2;
      continue;
    }
    if ('+-*/%()'.includes(c)) {
      // `++`, `--`, `+=`… are assignments or increments: not evaluated.
      if ((c === '+' || c === '-') && src[i + 1] === c) return `\`${c}${c}\` changes a variable; not evaluated`;
      if (src[i + 1] === '=' && c !== '(' && c !== ')') return `\`${c}=\` assigns; not evaluated`;
      out.push({ kind: 'op', op: c });
      i++;
      continue;
    }
    return `operator \`${c}\` is not evaluated by trainlint`;
  }
  return out;
}

/**
 * Evaluates the text inside `$(( … ))`. `lookup(name)` gives a variable's value as the script set
 * it (undefined when unset); a value that is itself an integer expression is evaluated too, as bash
 * does, one level deep.
 */
export function evaluateArithmetic(expr: string, lookup: (name: string) => string | undefined): ArithResult {
  if (expr.length > MAX_ARITH_CHARS) return { ok: false, why: `the expression is longer than ${MAX_ARITH_CHARS} characters` };
  return evaluate(expr, lookup, 0);
}

function evaluate(expr: string, lookup: (name: string) => string | undefined, nesting: number): ArithResult {
  const toks = tokenize(expr);
  if (typeof toks === 'string') return { ok: false, why: toks };
  if (toks.length === 0) return { ok: false, why: 'empty expression' };
  const names: string[] = [];
  let pos = 0;
  let failure: string | undefined;
  const fail = (why: string): bigint => {
    failure ??= why;
    return 0n;
  };
  const peek = (): Tok | undefined => toks[pos];
  const isOp = (t: Tok | undefined, op: string): boolean => t?.kind === 'op' && t.op === op;

  const variable = (name: string): bigint => {
    const raw = lookup(name);
    if (raw === undefined) return fail(`$${name} is not set in the script (bash would read it as 0; it is probably set when the script runs)`);
    const text = raw.trim();
    if (text.length > MAX_ARITH_CHARS) return fail(`$${name} is longer than ${MAX_ARITH_CHARS} characters`);
    if (/^[-+]?\d+$/.test(text)) return wrap(BigInt(text));
    if (text === '') return fail(`$${name} is empty`);
    if (nesting > 0) return fail(`$${name} = "${text}" is not a number`);
    const inner = evaluate(text, lookup, nesting + 1);
    if (!inner.ok) return fail(`$${name} = "${text}": ${inner.why}`);
    names.push(...inner.names);
    return inner.value;
  };

  // Precedence climbing: unary, **, * / %, + -.
  const primary = (depth: number): bigint => {
    if (depth > MAX_DEPTH) return fail('parentheses nested too deeply');
    const t = toks[pos++];
    if (!t) return fail('the expression ends too early');
    if (t.kind === 'num') return t.value;
    if (t.kind === 'name') {
      names.push(t.name);
      return variable(t.name);
    }
    if (t.op === '(') {
      const v = sum(depth + 1);
      if (!isOp(toks[pos++], ')')) return fail('missing `)`');
      return v;
    }
    if (t.op === '-') return wrap(-unary(depth + 1));
    if (t.op === '+') return unary(depth + 1);
    return fail(`unexpected \`${t.op}\``);
  };
  const unary = (depth: number): bigint => primary(depth);
  const power = (depth: number): bigint => {
    const base = unary(depth);
    if (!isOp(peek(), '**')) return base;
    pos++;
    const exp = power(depth + 1); // right-associative
    if (exp < 0n) return fail('exponent less than 0');
    if (exp > 64n) return base === 0n || base === 1n ? base : base === -1n ? (exp % 2n === 0n ? 1n : -1n) : fail('exponent too large');
    return wrap(base ** exp);
  };
  const product = (depth: number): bigint => {
    let v = power(depth);
    while (isOp(peek(), '*') || isOp(peek(), '/') || isOp(peek(), '%')) {
      const op = (toks[pos++] as { op: string }).op;
      const r = power(depth);
      if (op === '*') v = wrap(v * r);
      else if (r === 0n) return fail('division by 0');
      else if (v === INT64_MIN && r === -1n) v = op === '/' ? INT64_MIN : 0n;
      else v = op === '/' ? v / r : v % r; // BigInt truncates toward zero, as C and bash do
    }
    return v;
  };
  const sum = (depth: number): bigint => {
    let v = product(depth);
    while (isOp(peek(), '+') || isOp(peek(), '-')) {
      const op = (toks[pos++] as { op: string }).op;
      const r = product(depth);
      v = wrap(op === '+' ? v + r : v - r);
    }
    return v;
  };

  const value = sum(0);
  if (failure !== undefined) return { ok: false, why: failure };
  if (pos < toks.length) return { ok: false, why: `unexpected \`${describe(toks[pos])}\`` };
  if (value < INT64_MIN || value > INT64_MAX) return { ok: false, why: 'out of range' };
  return { ok: true, value, names: [...new Set(names)] };
}

function describe(t: Tok): string {
  return t.kind === 'num' ? String(t.value) : t.kind === 'name' ? t.name : t.op;
}

/** The body of `$(( … ))` when `text` is exactly one arithmetic expansion, else undefined. */
export function arithmeticBody(text: string): string | undefined {
  if (!text.startsWith('$((') || !text.endsWith('))') || text.length < 5) return undefined;
  const body = text.slice(3, -2);
  // `$((a) + (b))` is a command substitution of a subshell in bash only when the parentheses do
  // not balance as one arithmetic expression; keep to bodies whose parentheses balance.
  let depth = 0;
  for (const ch of body) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return undefined;
  }
  return depth === 0 ? body : undefined;
}
