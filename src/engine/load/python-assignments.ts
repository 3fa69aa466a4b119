/**
 * Python config files made of literal assignments (nanoGPT `config/*.py`):
 *
 *     batch_size = 12
 *     gradient_accumulation_steps = 5 * 8   # arithmetic of literals and earlier names
 *     learning_rate = 6e-4
 *     decay_lr = False
 *     wandb_run_name = 'gpt2-124M'
 *
 * The file is read statically and NEVER executed. Only top-level `NAME = expression` statements
 * whose expression is a literal (number, string, True/False/None) or arithmetic (`+ - * / // % **`,
 * parentheses, unary signs) over numeric literals and previously assigned names become entries of
 * the ConfigNode tree (a MapNode of ScalarNodes, key ranges kept). Everything else — imports, calls,
 * comprehensions, `if` blocks, augmented assignments — is skipped. A name that such a statement
 * (re)binds after its last literal assignment has no known final value: it is dropped from the tree
 * and listed in `opaque`, so a dialect can say "not a literal" instead of falling back to a default.
 *
 * Only certain syntax errors (an unterminated string, an unclosed or unmatched bracket) are
 * reported as parse errors: Python would refuse to run such a file.
 */
import type { MapEntry, MapNode, ScalarNode, ScalarValue } from '../tree.js';
import type { Range } from '../types.js';
import { locator } from './positions.js';
import { MAX_DEPTH, type LoadProblem, type LoadResult } from './result.js';

export type TokenKind = 'name' | 'number' | 'string' | 'op';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  start: number;
  end: number;
  /** Strings: decoded value (undefined for f-strings and bytes, which are not plain values). */
  str?: string;
  /** Numbers: parsed value and whether Python sees an int. */
  num?: number;
  isInt?: boolean;
}

/** One logical line: physical lines joined by brackets or backslashes. */
export interface LogicalLine {
  tokens: Token[];
  /** True when the line starts with whitespace (inside a block). */
  indented: boolean;
}

export interface OpaqueName {
  /** Where the last non-literal (re)binding of the name is written. */
  range: Range;
  /** Why its value is unknown, e.g. "assigned `compute()`, not a literal". */
  reason: string;
}

export interface PythonAssignments extends LoadResult {
  tree?: MapNode;
  /** Names whose final value a static read cannot know (see the module comment). */
  opaque: Map<string, OpaqueName>;
}

export const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield',
]);
/** Statements whose indented body does not bind module-level names. */
export const SCOPE_HEADERS = new Set(['def', 'class', 'async']);
export const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '//=', '%=', '**=', '@=', '&=', '|=', '^=', '>>=', '<<=', ':=']);
const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '**', '//', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '->', ':=', '<<', '>>',
];
const OPEN = '([{';
const CLOSE = ')]}';
const STRING_PREFIX = /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/;
const NUMBER = /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?)[jJ]?/y;
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
const OCTAL_ESCAPE = /[0-7]{1,3}/y;
const HEX_DIGITS = /^[0-9a-fA-F]+$/;
/** Hex escapes and their digit counts: `\xhh`, `\uhhhh`, `\Uhhhhhhhh`. */
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The escape sequence at `t[j]` (a backslash) of a non-raw string, as Python decodes it: the text
 * it stands for (undefined for `\N{name}`, whose character a static read does not know) and its
 * width. An unknown escape keeps its backslash, as Python does.
 */
function escapeAt(t: string, j: number): { text: string | undefined; width: number } {
  const c = t[j + 1];
  if (c === '\r' && t[j + 2] === '\n') return { text: '', width: 3 };
  const simple = ESCAPES[c];
  if (simple !== undefined) return { text: simple, width: 2 };
  if (c >= '0' && c <= '7') {
    OCTAL_ESCAPE.lastIndex = j + 1;
    const digits = OCTAL_ESCAPE.exec(t)![0];
    return { text: String.fromCodePoint(parseInt(digits, 8)), width: 1 + digits.length };
  }
  const hex = HEX_ESCAPES[c];
  if (hex !== undefined) {
    const digits = t.slice(j + 2, j + 2 + hex);
    const code = digits.length === hex && HEX_DIGITS.test(digits) ? parseInt(digits, 16) : -1;
    // A short or invalid one is a SyntaxError in Python: the value is not known.
    return code >= 0 && code <= 0x10ffff ? { text: String.fromCodePoint(code), width: 2 + hex } : { text: undefined, width: 2 };
  }
  if (c === 'N') return { text: undefined, width: 2 };
  return { text: `\\${c}`, width: 2 };
}

export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/**
 * Splits the text into logical lines of tokens; comments and blank lines are dropped. Text Python
 * would refuse (an unterminated string, an unclosed or unmatched bracket) throws a SyntaxProblem;
 * a `lenient` lexer instead ends at an unterminated string, keeping the tokens before it, and
 * reads past brackets that do not match (`pythonTokens`).
 */
export class Lexer {
  private i = 0;
  readonly lines: LogicalLine[] = [];
  private current: LogicalLine | undefined;
  private readonly brackets: { char: string; at: number }[] = [];

  constructor(
    private readonly t: string,
    private readonly lenient = false,
  ) {}

  run(): LogicalLine[] {
    try {
      return this.scan();
    } catch (err) {
      if (this.lenient && err instanceof SyntaxProblem) return this.lines;
      throw err;
    }
  }

  private scan(): LogicalLine[] {
    const t = this.t;
    let atLineStart = true;
    let continued = false;
    while (this.i < t.length) {
      if (atLineStart && this.brackets.length === 0 && !continued) {
        const indentEnd = this.skipSpaces();
        const c = t[this.i];
        if (c === undefined) break;
        if (c === '\n' || c === '#' || (c === '\r' && t[this.i + 1] === '\n')) {
          this.skipToLineEnd();
          this.i++;
          continue;
        }
        this.current = { tokens: [], indented: indentEnd > 0 };
        this.lines.push(this.current);
      }
      atLineStart = false;
      continued = false;
      const c = t[this.i];
      if (c === ' ' || c === '\t' || c === '\f' || c === '\r') {
        this.i++;
      } else if (c === '#') {
        this.skipToLineEnd();
      } else if (c === '\n') {
        this.i++;
        atLineStart = true;
      } else if (c === '\\' && (t[this.i + 1] === '\n' || (t[this.i + 1] === '\r' && t[this.i + 2] === '\n'))) {
        this.i += t[this.i + 1] === '\n' ? 2 : 3;
        atLineStart = true;
        continued = true;
      } else {
        this.token();
      }
    }
    const open = this.brackets[this.brackets.length - 1];
    if (open && !this.lenient) throw new SyntaxProblem(`'${open.char}' was never closed`, open.at, open.at + 1);
    return this.lines;
  }

  /** Skips spaces and tabs; returns how many were skipped. */
  private skipSpaces(): number {
    const start = this.i;
    while (this.t[this.i] === ' ' || this.t[this.i] === '\t' || this.t[this.i] === '\f') this.i++;
    return this.i - start;
  }

  private skipToLineEnd(): void {
    const nl = this.t.indexOf('\n', this.i);
    this.i = nl < 0 ? this.t.length : nl;
  }

  private push(token: Token): void {
    this.current?.tokens.push(token);
  }

  private token(): void {
    const t = this.t;
    const start = this.i;
    NAME.lastIndex = start;
    const name = NAME.exec(t);
    if (name) {
      const next = t[start + name[0].length];
      if ((next === "'" || next === '"') && STRING_PREFIX.test(name[0])) {
        this.string(start, start + name[0].length, name[0].toLowerCase());
        return;
      }
      this.i = start + name[0].length;
      this.push({ kind: 'name', text: name[0], start, end: this.i });
      return;
    }
    const c = t[start];
    if (c === "'" || c === '"') {
      this.string(start, start, '');
      return;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(t[start + 1] ?? ''))) {
      NUMBER.lastIndex = start;
      const m = NUMBER.exec(t);
      if (m) {
        this.i = start + m[0].length;
        this.push({ kind: 'number', text: m[0], start, end: this.i, ...parseNumber(m[0]) });
        return;
      }
    }
    const op = OPERATORS.find((o) => t.startsWith(o, start)) ?? c;
    this.i = start + op.length;
    if (OPEN.includes(op)) {
      this.brackets.push({ char: op, at: start });
    } else if (CLOSE.includes(op)) {
      const open = this.brackets.pop();
      if ((!open || OPEN.indexOf(open.char) !== CLOSE.indexOf(op)) && !this.lenient) throw new SyntaxProblem(`unmatched '${op}'`, start, start + 1);
    }
    this.push({ kind: 'op', text: op, start, end: this.i });
  }

  /** A string literal from `start` (its prefix) with the quote at `quoteAt`. */
  private string(start: number, quoteAt: number, prefix: string): void {
    const t = this.t;
    const quote = t[quoteAt];
    const triple = t.startsWith(quote.repeat(3), quoteAt);
    const delim = triple ? quote.repeat(3) : quote;
    const raw = prefix.includes('r');
    let j = quoteAt + delim.length;
    let body = '';
    // An escape whose character a static read does not know (`\N{name}`, a bad `\x`): no value.
    let known = true;
    for (;;) {
      if (j >= t.length) throw new SyntaxProblem('unterminated string literal', start, Math.min(t.length, quoteAt + 1));
      const ch = t[j];
      if (!triple && ch === '\n') throw new SyntaxProblem('unterminated string literal', start, j);
      if (t.startsWith(delim, j)) break;
      if (ch === '\\' && j + 1 < t.length) {
        if (raw) {
          const width = t[j + 1] === '\r' && t[j + 2] === '\n' ? 3 : 2;
          body += t.slice(j, j + width);
          j += width;
          continue;
        }
        const esc = escapeAt(t, j);
        if (esc.text === undefined) known = false;
        else body += esc.text;
        j += esc.width;
        continue;
      }
      body += ch;
      j++;
    }
    this.i = j + delim.length;
    const plainText = known && !prefix.includes('f') && !prefix.includes('b');
    this.push({ kind: 'string', text: t.slice(start, this.i), start, end: this.i, ...(plainText ? { str: body } : {}) });
  }
}

/**
 * The tokens of a whole file, comments dropped, for readers that look for calls anywhere in it
 * (python-calls.ts): a lenient Lexer's, so text Python would refuse ends the tokens (an
 * unterminated string) or is read past (a bracket that does not match), and nothing throws.
 */
export function pythonTokens(text: string): Token[] {
  return new Lexer(text, true).run().flatMap((line) => line.tokens);
}

function parseNumber(text: string): { num?: number; isInt?: boolean } {
  if (/[jJ]$/.test(text)) return {}; // complex: not a plain number
  const clean = text.replace(/_/g, '');
  const num = Number(clean);
  // An int too large for a double is not known (Python's ints have no bound).
  if (!Number.isFinite(num)) return {};
  return { num, isInt: /^0[xXoObB]/.test(clean) || /^\d+$/.test(clean) };
}

/** A known value of a name, as Python would hold it. */
type Value = { kind: 'number'; value: number; isInt: boolean } | { kind: 'scalar'; value: ScalarValue };

class Unsupported extends Error {}

/**
 * Evaluates an expression of literals, known names and arithmetic. Throws Unsupported for
 * anything else (calls, attribute access, unknown names, division by zero…).
 */
class Evaluator {
  private p = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly env: Map<string, Value>,
  ) {}

  evaluate(): Value {
    const strings = this.tokens.every((tok) => tok.kind === 'string');
    if (strings) {
      // Adjacent string literals concatenate ('a' 'b' == 'ab'); f-strings and bytes are not plain.
      if (this.tokens.some((tok) => tok.str === undefined)) throw new Unsupported();
      return { kind: 'scalar', value: this.tokens.map((tok) => tok.str).join('') };
    }
    if (this.tokens.length === 1 && this.tokens[0].kind === 'name') {
      const word = this.tokens[0].text;
      if (word === 'True' || word === 'False') return { kind: 'scalar', value: word === 'True' };
      if (word === 'None') return { kind: 'scalar', value: null };
      const known = this.env.get(word);
      if (known) return known;
      throw new Unsupported();
    }
    const value = this.sum();
    if (this.p !== this.tokens.length) throw new Unsupported();
    if (!Number.isFinite(value.value)) throw new Unsupported();
    return { kind: 'number', ...value };
  }

  private peek(): Token | undefined {
    return this.tokens[this.p];
  }

  private isOp(...ops: string[]): string | undefined {
    const tok = this.peek();
    return tok && tok.kind === 'op' && ops.includes(tok.text) ? tok.text : undefined;
  }

  private sum(): { value: number; isInt: boolean } {
    let left = this.product();
    for (let op = this.isOp('+', '-'); op; op = this.isOp('+', '-')) {
      this.p++;
      const right = this.product();
      left = { value: op === '+' ? left.value + right.value : left.value - right.value, isInt: left.isInt && right.isInt };
    }
    return left;
  }

  private product(): { value: number; isInt: boolean } {
    let left = this.unary();
    for (let op = this.isOp('*', '/', '//', '%'); op; op = this.isOp('*', '/', '//', '%')) {
      this.p++;
      const right = this.unary();
      const isInt = left.isInt && right.isInt;
      if (op === '*') {
        left = { value: left.value * right.value, isInt };
        continue;
      }
      if (right.value === 0) throw new Unsupported(); // ZeroDivisionError in Python
      if (op === '/') left = { value: left.value / right.value, isInt: false };
      else if (op === '//') left = { value: Math.floor(left.value / right.value), isInt };
      else left = { value: left.value - right.value * Math.floor(left.value / right.value), isInt }; // Python's % follows the divisor's sign
    }
    return left;
  }

  private unary(): { value: number; isInt: boolean } {
    const op = this.isOp('+', '-');
    if (!op) return this.power();
    this.p++;
    const inner = this.nested(() => this.unary());
    return op === '-' ? { value: -inner.value, isInt: inner.isInt } : inner;
  }

  private power(): { value: number; isInt: boolean } {
    const base = this.atom();
    if (!this.isOp('**')) return base;
    this.p++;
    const exp = this.nested(() => this.unary()); // right-associative, binds tighter than unary minus on its left
    return { value: base.value ** exp.value, isInt: base.isInt && exp.isInt && exp.value >= 0 };
  }

  private atom(): { value: number; isInt: boolean } {
    const tok = this.peek();
    if (!tok) throw new Unsupported();
    this.p++;
    if (tok.kind === 'number' && tok.num !== undefined) return { value: tok.num, isInt: tok.isInt === true };
    if (tok.kind === 'name') {
      const known = this.env.get(tok.text);
      if (known?.kind === 'number') return { value: known.value, isInt: known.isInt };
      throw new Unsupported();
    }
    if (tok.kind === 'op' && tok.text === '(') {
      const inner = this.nested(() => this.sum());
      if (!this.isOp(')')) throw new Unsupported();
      this.p++;
      return inner;
    }
    throw new Unsupported();
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Unsupported();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }
}

/** Splits a logical line at top-level `;`. */
export function statements(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const tok of tokens) {
    if (tok.kind === 'op' && OPEN.includes(tok.text)) depth++;
    if (tok.kind === 'op' && CLOSE.includes(tok.text)) depth--;
    if (depth === 0 && tok.kind === 'op' && tok.text === ';') out.push([]);
    else out[out.length - 1].push(tok);
  }
  return out.filter((s) => s.length > 0);
}

/** Names a statement binds at module level (targets of `=`, augmented ops, `for … in`), with their tokens. */
export function boundNames(stmt: Token[]): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let segmentStart = 0;
  const targetsIn = (from: number, to: number) => {
    let d = 0;
    for (let k = from; k < to; k++) {
      const tok = stmt[k];
      if (tok.kind === 'op' && OPEN.includes(tok.text)) d++;
      if (tok.kind === 'op' && CLOSE.includes(tok.text)) d--;
      if (d !== 0 || tok.kind !== 'name' || KEYWORDS.has(tok.text)) continue;
      const prev = stmt[k - 1];
      const next = stmt[k + 1];
      const attribute = prev?.kind === 'op' && prev.text === '.';
      const subscripted = next?.kind === 'op' && (next.text === '.' || next.text === '[' || next.text === '(');
      if (!attribute && !subscripted) out.push(tok);
    }
  };
  stmt.forEach((tok, k) => {
    if (tok.kind === 'op' && OPEN.includes(tok.text)) depth++;
    if (tok.kind === 'op' && CLOSE.includes(tok.text)) depth--;
    if (depth === 0 && tok.kind === 'op' && ASSIGN_OPS.has(tok.text)) {
      // An annotation `x: int = 1` puts `: int` in the target segment; only what precedes `:` is a target.
      const colon = stmt.findIndex((s, n) => n >= segmentStart && n < k && s.kind === 'op' && s.text === ':');
      targetsIn(segmentStart, colon >= 0 ? colon : k);
      segmentStart = k + 1;
    }
  });
  // `for a, b in …:` binds a and b.
  if (stmt[0]?.kind === 'name' && (stmt[0].text === 'for' || (stmt[0].text === 'async' && stmt[1]?.text === 'for'))) {
    const from = stmt[0].text === 'for' ? 1 : 2;
    const inAt = stmt.findIndex((s, n) => n > from && s.kind === 'name' && s.text === 'in');
    if (inAt > 0) targetsIn(from, inAt);
  }
  return out;
}

/** Parses the file; see the module comment. Never throws for bad content. */
export function parsePythonAssignments(text: string): PythonAssignments {
  const loc = locator(text);
  const opaque = new Map<string, OpaqueName>();
  let lines: LogicalLine[];
  try {
    lines = new Lexer(text).run();
  } catch (err) {
    if (!(err instanceof SyntaxProblem)) throw err;
    const problem: LoadProblem = { kind: 'parse-error', message: `Python syntax error: ${err.message}`, range: loc.range(err.start, err.end) };
    return { problems: [problem], opaque };
  }

  const entries: MapEntry[] = [];
  // Entries of each name still in the tree, and those dropped (filtered out at the end: O(n)).
  const live = new Map<string, MapEntry[]>();
  const dropped = new Set<MapEntry>();
  const env = new Map<string, Value>();
  const forget = (name: Token, reason: string) => {
    for (const entry of live.get(name.text) ?? []) dropped.add(entry);
    live.delete(name.text);
    env.delete(name.text);
    opaque.set(name.text, { range: loc.range(name.start, name.end), reason });
  };
  const sourceOf = (tokens: Token[]) => text.slice(tokens[0].start, tokens[tokens.length - 1].end);

  // Whether the indented lines that follow belong to a def/class body (local names, not module-level).
  let inScopeBody = false;
  for (const line of lines) {
    if (line.indented) {
      if (inScopeBody) continue;
      for (const stmt of statements(line.tokens)) {
        for (const name of boundNames(stmt)) forget(name, `assigned inside a block (line ${loc.pos(name.start).line}); its value depends on the condition`);
      }
      continue;
    }
    const first = line.tokens[0];
    inScopeBody = first !== undefined && ((first.kind === 'name' && SCOPE_HEADERS.has(first.text)) || (first.kind === 'op' && first.text === '@'));
    if (inScopeBody) continue;
    for (const stmt of statements(line.tokens)) {
      const [target, eq] = stmt;
      const simple =
        stmt.length >= 3 && target.kind === 'name' && !KEYWORDS.has(target.text) && eq.kind === 'op' && eq.text === '=' &&
        !stmt.slice(2).some((tok) => tok.kind === 'op' && ASSIGN_OPS.has(tok.text));
      if (!simple) {
        for (const name of boundNames(stmt)) forget(name, `\`${sourceOf(stmt)}\` is not a literal assignment`);
        continue;
      }
      const expr = stmt.slice(2);
      let value: Value;
      try {
        value = new Evaluator(expr, env).evaluate();
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        forget(target, `assigned \`${sourceOf(expr)}\`: not a literal, and trainlint never runs Python`);
        continue;
      }
      opaque.delete(target.text);
      env.set(target.text, value);
      const quoted = expr.every((tok) => tok.kind === 'string');
      const node: ScalarNode = {
        kind: 'scalar',
        value: value.value,
        source: quoted && typeof value.value === 'string' ? value.value : sourceOf(expr),
        plain: !quoted,
        range: loc.range(expr[0].start, expr[expr.length - 1].end),
      };
      const entry: MapEntry = { key: target.text, keyRange: loc.range(target.start, target.end), value: node };
      entries.push(entry);
      const same = live.get(target.text);
      if (same) same.push(entry);
      else live.set(target.text, [entry]);
    }
  }
  const kept = dropped.size > 0 ? entries.filter((e) => !dropped.has(e)) : entries;
  const tree: MapNode = { kind: 'map', entries: kept, range: loc.range(0, Math.max(1, text.length)) };
  return { tree, problems: [], opaque };
}

/** The loader entry point used by parseSource: the tree of literal assignments and syntax problems. */
export function loadPythonAssignments(text: string): LoadResult {
  const { tree, problems } = parsePythonAssignments(text);
  return { tree, problems };
}
