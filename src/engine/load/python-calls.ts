/**
 * Keyword arguments of method calls in a Python script, read statically (NEVER executed):
 *
 *     model = YOLO("yolo11n.pt")
 *     results = model.train(data="coco8.yaml", epochs=3, batch=2 * 9, device="0,1", lr0=1e-3)
 *     args = {"epochs": 100, "lrf": 0.025}
 *     model.train(**args, imgsz=640)
 *
 * `readMethodCalls(text, 'train')` finds every `….train(` call and returns its keyword arguments
 * with their ranges. A value is known when the static config reader (python-config.ts, the one
 * Python evaluator) knows it, with the file's module-level names (`module`, the tree that reader
 * loaded) in scope: literals, arithmetic, names, `cfg["epochs"]`, … ; a call argument's value is a
 * scalar or a (nested) list or tuple of them. `**name` is expanded when `name` is assigned a dict
 * literal (`{"k": v}` or `dict(k=v)`) earlier in the file; anything else is kept with the reason it
 * is unknown. Pure and linear in the text; the tokens are the shared Python lexer's
 * (python-lexer.ts, lenient: text it cannot read, an unterminated string, ends the scan;
 * nothing throws).
 */
import type { Range } from '../types.js';
import { locator } from './positions.js';
import type { ConfigNode, MapNode } from '../tree.js';
import { pythonTokens, type Token } from './python-lexer.js';
import { isPythonInt, pythonExpressions } from './python-config.js';

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

type Expressions = ReturnType<typeof pythonExpressions>;

/** A value as call arguments give it: scalars and (nested) lists or tuples of them; undefined for anything else. */
function pyValue(node: ConfigNode): PyValue | undefined {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'map') return undefined;
  const items: PyValue[] = [];
  for (const item of node.items) {
    const v = pyValue(item);
    if (v === undefined) return undefined;
    items.push(v);
  }
  return items;
}

function keyword(toks: Token[], text: string, loc: Loc, exprs: Expressions, name: string, keyTok: Token, from: number, to: number, via?: string): CallKeyword {
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
  const node = exprs.evaluate(toks.slice(from, to));
  const value = node && pyValue(node);
  if (node === undefined || value === undefined) return { ...base, opaque: `\`${written.length > 40 ? `${written.slice(0, 40)}…` : written}\` is not a literal` };
  return { ...base, value, ...(typeof value === 'number' ? { isInt: node.kind === 'scalar' && isPythonInt(node) } : {}) };
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
 * Every `<receiver>.<method>(…)` call in `text` with its keyword arguments. `module` (the file's
 * tree as python-config.ts loads it) gives the values of module-level names for arguments that use them.
 */
export function readMethodCalls(text: string, method: string, module?: MapNode): MethodCall[] {
  const toks = pythonTokens(text);
  const loc = locator(text);
  // The module's names, the last binding of each.
  const exprs = pythonExpressions(text, new Map((module?.entries ?? []).map((e) => [e.key, e.value])), loc);
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
        keywords.push(keyword(toks, text, loc, exprs, head.text, head, a + 2, b));
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
            keywords.push(keyword(toks, text, loc, exprs, dict.call ? k.text : (k.str as string), k, c + 2, d, name));
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
