/**
 * Keyword arguments of method calls in a Python script, read statically (NEVER executed):
 *
 *     model = YOLO("yolo11n.pt")
 *     results = model.train(data="coco8.yaml", epochs=3, batch=2 * 9, device="0,1", lr0=1e-3)
 *     args = {"epochs": 100, "lrf": 0.025}
 *     model.train(**args, imgsz=640)
 *
 * `readMethodCalls(text, 'train')` finds every `….train(` call and returns its keyword arguments
 * with their ranges. A value is known when it is a literal (number, string, True/False/None), a
 * list or tuple of literals, arithmetic of numbers (`+ - * / // % **`, parentheses, unary signs) or
 * a name the caller knows (module-level literal assignments: engine/load/python-assignments.ts).
 * `**name` is expanded when `name` is assigned a dict literal (`{"k": v}` or `dict(k=v)`) earlier in
 * the file; anything else is kept with the reason it is unknown. Pure and linear in the text; the
 * tokens are the shared Python lexer's (python-assignments.ts, lenient: text it cannot read, an
 * unterminated string, ends the scan; nothing throws).
 */
import type { Range } from '../types.js';
import { locator } from './positions.js';
import { pythonTokens, type Token } from './python-assignments.js';
import { MAX_DEPTH } from './result.js';

export type PyScalar = string | number | boolean | null;
export type PyValue = PyScalar | PyValue[];

export interface CallKeyword {
  name: string;
  /** Range of the keyword (or of the dict key, for `**name`). */
  range: Range;
  /** Range of the value as written. */
  valueRange: Range;
  /** The value, when it is known statically. */
  value?: PyValue;
  /** Numbers: whether Python sees an int. */
  isInt?: boolean;
  /** The value as written. */
  text: string;
  /** Set when the value is unknown: why ("`get_epochs()` is not a literal"). */
  opaque?: string;
  /** `**name` expanded from a dict literal: the name. */
  via?: string;
}

export interface MethodCall {
  /** The receiver as written (`model`, `YOLO("x.pt")`). */
  receiver: string;
  /** From the receiver's last name to the closing parenthesis. */
  range: Range;
  keywords: CallKeyword[];
  /** `**name` spreads whose content is unknown, and positional arguments, for notes. */
  unread: string[];
}

class Unknown extends Error {}

interface Known {
  value: PyValue;
  isInt?: boolean;
}

/** Evaluates tokens[from, to) as a literal expression; throws Unknown otherwise. */
class Evaluator {
  private p: number;
  private depth = 0;

  constructor(
    private readonly toks: Token[],
    from: number,
    private readonly to: number,
    private readonly names: ReadonlyMap<string, PyScalar>,
  ) {
    this.p = from;
  }

  run(): Known {
    const v = this.expr();
    if (this.p !== this.to) throw new Unknown();
    return v;
  }

  private peek(): Token | undefined {
    return this.p < this.to ? this.toks[this.p] : undefined;
  }

  private op(...ops: string[]): string | undefined {
    const t = this.peek();
    return t?.kind === 'op' && ops.includes(t.text) ? t.text : undefined;
  }

  private nest<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Unknown();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private expr(): Known {
    let left = this.term();
    for (let o = this.op('+', '-'); o; o = this.op('+', '-')) {
      this.p++;
      const right = this.term();
      if (typeof left.value === 'string' && typeof right.value === 'string' && o === '+') left = { value: left.value + right.value };
      else left = { value: arith(o, num(left), num(right)), isInt: left.isInt === true && right.isInt === true };
    }
    return left;
  }

  private term(): Known {
    let left = this.unary();
    for (let o = this.op('*', '/', '//', '%'); o; o = this.op('*', '/', '//', '%')) {
      this.p++;
      const right = this.unary();
      left = { value: arith(o, num(left), num(right)), isInt: o !== '/' && left.isInt === true && right.isInt === true };
    }
    return left;
  }

  private unary(): Known {
    const o = this.op('+', '-');
    if (!o) return this.power();
    this.p++;
    const inner = this.nest(() => this.unary());
    return { value: o === '-' ? -num(inner) : num(inner), isInt: inner.isInt };
  }

  private power(): Known {
    const base = this.atom();
    if (!this.op('**')) return base;
    this.p++;
    const exp = this.nest(() => this.unary());
    return { value: num(base) ** num(exp), isInt: base.isInt === true && exp.isInt === true && num(exp) >= 0 };
  }

  private atom(): Known {
    const t = this.peek();
    if (!t) throw new Unknown();
    this.p++;
    if (t.kind === 'number') {
      if (t.num === undefined) throw new Unknown();
      return { value: t.num, isInt: t.isInt };
    }
    if (t.kind === 'string') {
      if (t.str === undefined) throw new Unknown();
      let s = t.str;
      // Adjacent literals concatenate.
      while (this.peek()?.kind === 'string') {
        const n = this.toks[this.p++];
        if (n.str === undefined) throw new Unknown();
        s += n.str;
      }
      return { value: s };
    }
    if (t.kind === 'name') {
      if (t.text === 'True' || t.text === 'False') return { value: t.text === 'True' };
      if (t.text === 'None') return { value: null };
      if (this.op('(', '.', '[')) throw new Unknown();
      if (!this.names.has(t.text)) throw new Unknown();
      const v = this.names.get(t.text) as PyScalar;
      return { value: v, isInt: typeof v === 'number' && Number.isInteger(v) };
    }
    if (t.text === '(' || t.text === '[') {
      const close = t.text === '(' ? ')' : ']';
      return this.nest(() => {
        const items: Known[] = [];
        let tuple = t.text === '[';
        while (!this.op(close)) {
          items.push(this.expr());
          if (this.op(',')) {
            this.p++;
            tuple = true;
          } else if (!this.op(close)) throw new Unknown();
        }
        this.p++;
        if (!tuple && items.length === 1) return items[0];
        return { value: items.map((x) => x.value) };
      });
    }
    throw new Unknown();
  }
}

function num(k: Known): number {
  if (typeof k.value === 'number') return k.value;
  if (typeof k.value === 'boolean') return k.value ? 1 : 0;
  throw new Unknown();
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    default:
      if (b === 0) throw new Unknown(); // ZeroDivisionError
      if (op === '/') return a / b;
      if (op === '//') return Math.floor(a / b);
      return a - b * Math.floor(a / b);
  }
}

/** Index of the bracket closing the one at `open`, or -1. */
function closing(toks: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const x = toks[i];
    if (x.kind !== 'op') continue;
    if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
    else if (x.text === ')' || x.text === ']' || x.text === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Top-level comma-separated parts of tokens (from, to). */
function parts(toks: Token[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const x = toks[i];
    if (x.kind === 'op' && (x.text === '(' || x.text === '[' || x.text === '{')) depth++;
    else if (x.kind === 'op' && (x.text === ')' || x.text === ']' || x.text === '}')) depth--;
    else if (depth === 0 && x.kind === 'op' && x.text === ',') {
      if (i > start) out.push([start, i]);
      start = i + 1;
    }
  }
  if (to > start) out.push([start, to]);
  return out;
}

type Loc = ReturnType<typeof locator>;

function keyword(toks: Token[], text: string, loc: Loc, names: ReadonlyMap<string, PyScalar>, name: string, keyTok: Token, from: number, to: number, via?: string): CallKeyword {
  const first = toks[from];
  const last = toks[to - 1];
  const written = first && last ? text.slice(first.start, last.end) : '';
  const base = {
    name,
    range: loc.range(keyTok.start, keyTok.end),
    valueRange: first && last ? loc.range(first.start, last.end) : loc.range(keyTok.end, keyTok.end),
    text: written,
    ...(via ? { via } : {}),
  };
  try {
    const known = new Evaluator(toks, from, to, names).run();
    return { ...base, value: known.value, ...(typeof known.value === 'number' ? { isInt: known.isInt === true } : {}) };
  } catch {
    return { ...base, opaque: `\`${written.length > 40 ? `${written.slice(0, 40)}…` : written}\` is not a literal` };
  }
}

/** Source text in a note: the first 80 characters. */
function shortText(t: string): string {
  return t.length > 80 ? `${t.slice(0, 80)}…` : t;
}

/** The tokens of a call's receiver followed back from the method name, at most. */
const MAX_RECEIVER_TOKENS = 64;

/**
 * The dict literals assigned to a name (`name = {…}`, `name = dict(…)`), found in one pass: a
 * call spreading `**name` asks for the last one before it (a file of thousands of spreads is not
 * scanned back from each).
 */
class DictAssignments {
  private byName?: Map<string, { open: number; call: boolean; close?: number }[]>;

  constructor(private readonly toks: Token[]) {}

  private index(): Map<string, { open: number; call: boolean; close?: number }[]> {
    if (this.byName) return this.byName;
    const byName = new Map<string, { open: number; call: boolean; close?: number }[]>();
    const toks = this.toks;
    for (let i = 2; i < toks.length; i++) {
      const x = toks[i];
      if (x.kind !== 'op' || (x.text !== '{' && x.text !== '(')) continue;
      const eq = toks[i - 1];
      const call = x.text === '(' && eq?.kind === 'name' && eq.text === 'dict';
      const target = call ? toks[i - 3] : toks[i - 2];
      const assign = call ? toks[i - 2] : eq;
      if (assign?.kind !== 'op' || assign.text !== '=' || target?.kind !== 'name') continue;
      if (x.text === '(' && !call) continue;
      const list = byName.get(target.text) ?? [];
      list.push({ open: i, call });
      byName.set(target.text, list);
    }
    this.byName = byName;
    return byName;
  }

  /** The dict literal last assigned to `name` before token `before`, when it is closed before it. */
  before(name: string, before: number): { open: number; close: number; call: boolean } | undefined {
    const list = this.index().get(name);
    if (!list) return undefined;
    // The last assignment whose opening bracket is before `before` (binary search: opens ascend).
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].open <= before - 1) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const a = list[found];
    a.close ??= closing(this.toks, a.open);
    if (a.close < 0 || a.close > before) return undefined;
    return { open: a.open, close: a.close, call: a.call };
  }
}

/**
 * Every `<receiver>.<method>(…)` call in `text` with its keyword arguments. `names` gives the values
 * of module-level names (literal assignments) for arguments written as a name.
 */
export function readMethodCalls(text: string, method: string, names: ReadonlyMap<string, PyScalar> = new Map()): MethodCall[] {
  const toks = pythonTokens(text);
  const loc = locator(text);
  const calls: MethodCall[] = [];
  const dicts = new DictAssignments(toks);
  for (let i = 1; i + 1 < toks.length; i++) {
    const t = toks[i];
    if (t.kind !== 'name' || t.text !== method || toks[i - 1].text !== '.' || toks[i + 1].text !== '(') continue;
    const close = closing(toks, i + 1);
    if (close < 0) break;
    // The receiver: walk back over names, dots and one bracketed group (`YOLO("x.pt")`), at most
    // MAX_RECEIVER_TOKENS tokens (a chain `m.train().train()…` is not walked again at each call).
    let r = i - 1;
    while (r > 0 && i - r < MAX_RECEIVER_TOKENS) {
      const p = toks[r - 1];
      // A line break outside brackets ends the statement (the receiver does not reach back into it).
      if (text.slice(p.end, toks[r].start).includes('\n') && !text.slice(p.end, toks[r].start).includes('\\')) break;
      if (p.kind === 'name' || p.text === '.') r--;
      else if (p.text === ')' || p.text === ']') {
        let depth = 0;
        let k = r - 1;
        for (; k >= 0; k--) {
          if (toks[k].text === ')' || toks[k].text === ']') depth++;
          else if (toks[k].text === '(' || toks[k].text === '[') depth--;
          if (depth === 0) break;
        }
        if (k <= 0) break;
        r = k;
      } else break;
    }
    const receiver = text.slice(toks[r].start, toks[i - 1].start);
    const keywords: CallKeyword[] = [];
    const unread: string[] = [];
    for (const [a, b] of parts(toks, i + 2, close)) {
      const head = toks[a];
      if (head.kind === 'name' && toks[a + 1]?.text === '=' && b > a + 2) {
        keywords.push(keyword(toks, text, loc, names, head.text, head, a + 2, b));
      } else if (head.text === '**' && b === a + 2 && toks[a + 1].kind === 'name') {
        const name = toks[a + 1].text;
        const dict = dicts.before(name, r);
        if (!dict) {
          unread.push(`**${name} (not assigned a dict literal before the call)`);
          continue;
        }
        for (const [c, d] of parts(toks, dict.open + 1, dict.close)) {
          const k = toks[c];
          if (dict.call ? k.kind === 'name' && toks[c + 1]?.text === '=' : k.kind === 'string' && k.str !== undefined && toks[c + 1]?.text === ':') {
            keywords.push(keyword(toks, text, loc, names, dict.call ? k.text : (k.str as string), k, c + 2, d, name));
          } else {
            unread.push(`**${name}: ${shortText(text.slice(k.start, toks[d - 1].end))}`);
          }
        }
      } else {
        unread.push(shortText(text.slice(head.start, toks[b - 1].end)));
      }
    }
    calls.push({ receiver, range: loc.range(toks[r].start, toks[close].end), keywords, unread });
    i = close;
  }
  return calls;
}
