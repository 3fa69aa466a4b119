/**
 * Python source as tokens, for the static readers of Python configs and scripts (NOTHING IS EXECUTED):
 * python-config.ts (module-level values: nanoGPT, MMEngine, detectron2 LazyConfig) and
 * python-calls.ts (keyword arguments of calls such as Ultralytics `model.train(…)`).
 *
 * `Lexer` splits a file into logical lines of tokens (brackets and backslashes join physical
 * lines; comments and blank lines are dropped) and decodes string literals as Python does. Text
 * Python would refuse (an unterminated string, an unclosed or unmatched bracket) is a
 * SyntaxProblem, or, for a lenient lexer (`pythonTokens`), the end of the tokens. `statements` and
 * `boundNames` split a logical line into statements and name the module-level names a statement binds.
 */

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
