/**
 * Python config files read statically: MMEngine / OpenMMLab configs (`dict(...)`, lists, tuples,
 * arithmetic such as `5e-4 * 1024 / 512`, `_base_` inheritance, `{{_base_.x}}` and `_base_.x`
 * references, the lazy-import style `with read_base(): from .x import *`) and detectron2
 * LazyConfig files (`L(Class)(...)`, relative imports of other config files, attribute
 * assignments such as `train.max_iter = 90000`).
 *
 * NOTHING IS EXECUTED. The file is tokenized by `python-lexer.ts` (the one Python tokenizer of the
 * engine) and a small evaluator (the one Python evaluator: python-calls.ts reads call arguments
 * with it too) builds the ConfigNode tree of the module's top-level names, with the range of every
 * key and value (nanoGPT's `config/*.py` files of literal assignments too). It reads:
 *
 * - literals (numbers, strings, `True`/`False`/`None`), arithmetic over numbers (`+ - * / // % **`),
 *   string and list `+`; names bound earlier; `a.b`, `a['b']`, `a[0]` on known values;
 * - `dict(k=v, …)`, `{'k': v}`, `[…]`, `(…)`; `L(Class)(k=v)` / `LazyCall(Class)(…)` becomes a
 *   mapping with `_target_: 'Class'`;
 * - imported names of Python packages (`from mmengine.optim import LinearLR`) are class names:
 *   `type=LinearLR` reads as the string `'LinearLR'`;
 * - top-level statements `NAME = v`, `a = b = v`, `x.k = v`, `x['k'] = v`, `x.update(…)` (merged as
 *   MMEngine's ConfigDict.update merges), `x.pop('k')`, `del x.k`, and augmented assignments of a known
 *   key's value (`train.max_iter *= 2`: `augmentedFrom` gives the value it changed).
 *
 * What the reader cannot know stays unknown, never guessed: calls of other functions,
 * comprehensions, lambdas, conditionals, names bound inside `if`/`for` blocks (the name is
 * dropped and listed in `opaque` with why: a dialect says "not a literal" instead of falling back
 * to a default). A config module
 * the caller did not supply (`from ..common.train import train`, `get_config("common/train.py")`,
 * `_base_.model` without the base files) is a *partial* mapping: the keys this file assigns on
 * it are known, the others are not (`isPartial`).
 *
 * The reader is pure: `(text, input) → result`. The caller (engine/inherit.ts) reads the files a
 * config names and hands their trees back in `input`.
 *
 * Hostile input is bounded: nesting (MAX_DEPTH), the expanded size of the values (a chain of
 * `x2 = [x1, x1]` would double at each line, and so would `x.append(x)`): values over MAX_NODES
 * nodes in all are unknown; strings built by `+` (`s = s + s`) over MAX_STRING_CHARS characters in
 * all are unknown; and the work of copy-on-write (each mutation copies the containers on its path,
 * `x.k = v` on a mapping of 30,000 keys copies 30,000 entries) is at most MAX_COPY_WORK entries per
 * file, past which a value the file goes on changing is unknown.
 */
import type { MapEntry, MapNode, ScalarNode, SeqNode, ConfigNode } from '../tree.js';
import { mapGet } from '../tree.js';
import type { Range } from '../types.js';
import { locator } from './positions.js';
import { MAX_DEPTH, type LoadResult } from './result.js';
import { ASSIGN_OPS, boundNames, KEYWORDS, Lexer, SCOPE_HEADERS, statements, SyntaxProblem, type LogicalLine, type Token } from './python-lexer.js';

export interface OpaqueName {
  /** Where the last non-literal (re)binding of the name is written. */
  range: Range;
  /** Why its value is unknown, e.g. "assigned `compute()`, not a literal". */
  reason: string;
}

/** Largest expanded size (nodes) of the values of one file. */
export const MAX_NODES = 200_000;
/** Most characters the strings built by `+` may hold in all, in one file. */
export const MAX_STRING_CHARS = 1 << 20;
/** Most entries and items mutations and concatenations may copy in one file. */
export const MAX_COPY_WORK = 1_000_000;

/** A relative or config-package import that names another config file. */
export interface ModuleImport {
  /** As written, with its leading dots: `..common.train`, `.._base_.schedules.schedule_1x`, `mmdet.configs._base_.default_runtime`. */
  module: string;
  /** Leading dots (0 for an absolute module). */
  level: number;
  /** `*`, or the names imported with the name they are bound to. */
  names: '*' | { name: string; as: string }[];
  range: Range;
  /** Inside `with read_base():` (MMEngine's lazy-import style). */
  inReadBase: boolean;
}

/** One entry of `_base_` as written. */
export interface BaseRef {
  written: string;
  range: Range;
}

export interface PythonConfigInput {
  /** The merged tree of the file's `_base_` files: what `_base_.x` and `{{_base_.x}}` read. */
  base?: MapNode;
  /** Config modules the file imports (ModuleImport.module → its top-level names). */
  modules?: ReadonlyMap<string, MapNode>;
}

export interface PythonConfig extends LoadResult {
  tree?: MapNode;
  /** Names and key paths whose value a static read cannot know, with why (dotted: `model.head.norm`). */
  opaque: Map<string, OpaqueName>;
  /** The first `_base_ = …` of the file (what MMEngine reads), when it is a string or a list of strings. */
  bases?: BaseRef[];
  /** Where `_base_` is assigned. */
  basesRange?: Range;
  /** Why `_base_` could not be read (not a literal string or list of strings). */
  basesUnknown?: string;
  /** Config modules imported (relative imports anywhere; any import inside `with read_base():`). */
  imports: ModuleImport[];
  /** The file uses `with read_base():`. */
  readBase: boolean;
  /** `from x import *` of a module that was not supplied: any name may come from it. */
  starUnknown: string[];
  /**
   * Expressions Python would raise on when MMEngine runs the file, so the config does not load:
   * arithmetic on a `{{_base_.x}}` placeholder, which MMEngine turns into a string before it runs
   * the file (`_pre_substitute_base_vars`). The value stays unknown (`failedValue`).
   */
  loadErrors: LoadError[];
}

/** An expression that raises when the framework runs the config file. */
export interface LoadError {
  range: Range;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Values

/** A class, function or module of a Python package, by name (never imported). */
interface Sym {
  kind: 'sym';
  name: string;
  range: Range;
}
/** `L(Class)`: calling it builds a mapping with `_target_`. */
interface LazyCallable {
  kind: 'lazy';
  target: string;
}
type Val = ConfigNode | Sym | LazyCallable;

/** Mappings whose unwritten keys are unknown (a config module that was not read). */
const PARTIAL = new WeakMap<MapNode, string>();
/** Numbers Python holds as int (for `//` and `%`, and for messages). */
const INTS = new WeakSet<ScalarNode>();
/** Expanded size of a node (shared nodes count each time they appear). */
const SIZE = new WeakMap<ConfigNode, number>();
/** A node or entry copied from another (copy-on-write): the original, for provenance. */
const COPIED = new WeakMap<object, object>();
/**
 * Values written as MMEngine's `{{_base_.a.b}}` placeholder: MMEngine puts a string in their place
 * while the file runs and the base's value only into the finished config, so arithmetic on them
 * raises. Each is a copy of the base's node, so `_base_.a.b` (the base's real value) is not one.
 */
const PLACEHOLDERS = new WeakSet<ConfigNode>();
/** Values of expressions that raise when the file runs (`{{_base_.lr}} * 0.05`): unknown. */
const FAILED = new WeakMap<ScalarNode, string>();
/** Numbers an augmented assignment computed (`train.max_iter *= 2`) → the value it changed. */
const AUGMENTED = new WeakMap<ScalarNode, ScalarNode>();
/** Augmented assignment operators the reader follows, with the binary operator they apply. */
const AUGMENTED_OPS = new Map([
  ['+=', '+'],
  ['-=', '-'],
  ['*=', '*'],
  ['/=', '/'],
  ['//=', '//'],
  ['%=', '%'],
  ['**=', '**'],
]);

/** Why the keys of this mapping that are not written are unknown, when they are. */
export function isPartial(node: ConfigNode): string | undefined {
  return node.kind === 'map' ? PARTIAL.get(node) : undefined;
}

/**
 * For a number an augmented assignment computed (`train.max_iter *= 2`, its range that statement):
 * the number it changed. Such a value is not literal text (an edit must not replace the statement).
 */
export function augmentedFrom(node: ScalarNode): ScalarNode | undefined {
  return AUGMENTED.get(node);
}

/**
 * Why a value is unknown because the expression that gives it raises when the file runs
 * (`{{_base_.lr}} * 0.05`: a TypeError); undefined for any other value. Such a value is a string
 * holding the expression as written, never a number: read it as unknown.
 */
export function failedValue(node: ConfigNode): string | undefined {
  return node.kind === 'scalar' ? FAILED.get(node) : undefined;
}

/** Whether Python holds this number as an int. */
export function isPythonInt(node: ScalarNode): boolean {
  return INTS.has(node);
}

/** The object `x` was copied from when a mutation copied it (transitively), else `x`. */
export function originalOf<T extends object>(x: T): T {
  let cur: object = x;
  for (let i = 0; i < 1000; i++) {
    const next = COPIED.get(cur);
    if (!next) break;
    cur = next;
  }
  return cur as T;
}

/** Marks `copy` as a copy of `original` (used by the merge in engine/inherit.ts too). */
export function markCopy(copy: object, original: object): void {
  // The first original, not the one copied: a chain of copies (a value changed thousands of
  // times) must not keep every intermediate copy alive.
  COPIED.set(copy, originalOf(original));
  if (PARTIAL.has(original as MapNode)) PARTIAL.set(copy as MapNode, PARTIAL.get(original as MapNode)!);
}

export function sizeOf(node: ConfigNode): number {
  const known = SIZE.get(node);
  if (known !== undefined) return known;
  let n = 1;
  if (node.kind === 'map') for (const e of node.entries) n += sizeOf(e.value);
  else if (node.kind === 'seq') for (const item of node.items) n += sizeOf(item);
  SIZE.set(node, n);
  return n;
}

class Unsupported extends Error {}

function partialMap(range: Range, why: string): MapNode {
  const node: MapNode = { kind: 'map', entries: [], range };
  PARTIAL.set(node, why);
  return node;
}

/** The Python type name of a value, for TypeError messages. */
function pythonType(v: Val): string {
  if (v.kind === 'map') return 'dict';
  if (v.kind === 'seq') return 'list';
  if (v.kind !== 'scalar') return 'type';
  if (typeof v.value === 'number') return INTS.has(v) ? 'int' : 'float';
  if (typeof v.value === 'boolean') return 'bool';
  if (v.value === null) return 'NoneType';
  return 'str';
}

function isNode(v: Val): v is ConfigNode {
  return v.kind === 'map' || v.kind === 'seq' || v.kind === 'scalar';
}

// ---------------------------------------------------------------------------------------------
// The evaluator

type Loc = ReturnType<typeof locator>;

interface Scope {
  env: Map<string, Val>;
  /** The merged `_base_` files, when given. */
  base?: MapNode;
  text: string;
  loc: Loc;
  budget: Budget;
  /** Where expressions that raise when the file runs are recorded (absent: not recorded). */
  loadErrors?: LoadError[];
}

/** What one file may still spend on building values (see the module comment). */
class Budget {
  private chars = 0;
  private copies = 0;

  /** Charges a string of `n` characters built by `+`; false once over MAX_STRING_CHARS. */
  string(n: number): boolean {
    this.chars += n;
    return this.chars <= MAX_STRING_CHARS;
  }

  /** Charges `n` entries or items copied; false once over MAX_COPY_WORK. */
  copy(n: number): boolean {
    this.copies += n;
    return this.copies <= MAX_COPY_WORK;
  }

  get exhausted(): boolean {
    return this.copies > MAX_COPY_WORK;
  }
}

const BUILTIN_CONTAINERS = new Set(['dict', 'list', 'tuple']);

class Expr {
  private p = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly scope: Scope,
  ) {}

  /** The whole token list as one expression (a bare tuple `1, 2` included). */
  all(): Val {
    const first = this.expr();
    if (this.isOp(',')) {
      const items: ConfigNode[] = [this.node(first)];
      while (this.isOp(',')) {
        this.p++;
        if (this.p >= this.tokens.length) break;
        items.push(this.node(this.expr()));
      }
      if (this.p !== this.tokens.length) throw new Unsupported();
      return this.seq(items, this.tokens[0], this.tokens[this.tokens.length - 1]);
    }
    if (this.p !== this.tokens.length) throw new Unsupported();
    return first;
  }

  private range(a: Token, b: Token): Range {
    return this.scope.loc.range(a.start, b.end);
  }

  private src(a: Token, b: Token): string {
    return this.scope.text.slice(a.start, b.end);
  }

  private peek(k = 0): Token | undefined {
    return this.tokens[this.p + k];
  }

  private isOp(...ops: string[]): string | undefined {
    const t = this.peek();
    return t && t.kind === 'op' && ops.includes(t.text) ? t.text : undefined;
  }

  private expect(op: string): Token {
    const t = this.peek();
    if (!t || t.kind !== 'op' || t.text !== op) throw new Unsupported();
    this.p++;
    return t;
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Unsupported();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** Charges `n` entries or items copied to the file's budget. */
  private charge(n: number): void {
    if (!this.scope.budget.copy(n)) throw new Unsupported();
  }

  /** A value as a tree node: class names become their name as a string. */
  node(v: Val): ConfigNode {
    if (isNode(v)) return v;
    if (v.kind === 'sym') return { kind: 'scalar', value: v.name, source: v.name, plain: true, range: v.range };
    throw new Unsupported();
  }

  private num(value: number, isInt: boolean, a: Token, b: Token): ScalarNode {
    if (!Number.isFinite(value)) throw new Unsupported();
    // A Python int has no negative zero (`-0` is 0); a float keeps it (`-0.0`).
    if (isInt && value === 0) value = 0;
    const node: ScalarNode = { kind: 'scalar', value, source: this.src(a, b), plain: true, range: this.range(a, b) };
    if (isInt) INTS.add(node);
    return node;
  }

  private seq(items: ConfigNode[], a: Token, b: Token): SeqNode {
    const node: SeqNode = { kind: 'seq', items, range: this.range(a, b) };
    if (sizeOf(node) > MAX_NODES) throw new Unsupported();
    return node;
  }

  private map(entries: MapEntry[], a: Token, b: Token): MapNode {
    const node: MapNode = { kind: 'map', entries, range: this.range(a, b) };
    if (sizeOf(node) > MAX_NODES) throw new Unsupported();
    return node;
  }

  expr(): Val {
    return this.nested(() => {
      const t = this.peek();
      if (t?.kind === 'name' && (t.text === 'lambda' || t.text === 'not' || t.text === 'yield' || t.text === 'await')) throw new Unsupported();
      const v = this.sum();
      // Comparisons, boolean operators and conditional expressions are not evaluated.
      const next = this.peek();
      if (next && next.kind === 'name' && ['if', 'and', 'or', 'in', 'is', 'not', 'for'].includes(next.text)) throw new Unsupported();
      if (this.isOp('==', '!=', '<', '>', '<=', '>=', '|', '&', '^', '<<', '>>', '@', ':=')) throw new Unsupported();
      return v;
    });
  }

  private sum(): Val {
    const start = this.peek()!;
    let left = this.product();
    for (let op = this.isOp('+', '-'); op; op = this.isOp('+', '-')) {
      this.p++;
      const right = this.product();
      left = this.binary(op, left, right, start);
    }
    return left;
  }

  private product(): Val {
    const start = this.peek()!;
    let left = this.unary();
    for (let op = this.isOp('*', '/', '//', '%'); op; op = this.isOp('*', '/', '//', '%')) {
      this.p++;
      const right = this.unary();
      left = this.binary(op, left, right, start);
    }
    return left;
  }

  private binary(op: string, left: Val, right: Val, start: Token): Val {
    const end = this.tokens[this.p - 1];
    if (this.isPlaceholder(left) || this.isPlaceholder(right)) return this.onPlaceholder(op, left, right, start, end);
    if (left.kind === 'scalar' && right.kind === 'scalar') {
      const a = left.value;
      const b = right.value;
      if (typeof a === 'number' && typeof b === 'number') {
        const isInt = INTS.has(left) && INTS.has(right);
        if (op === '+') return this.num(a + b, isInt, start, end);
        if (op === '-') return this.num(a - b, isInt, start, end);
        if (op === '*') return this.num(a * b, isInt, start, end);
        if (b === 0) throw new Unsupported(); // ZeroDivisionError
        if (op === '/') return this.num(a / b, false, start, end);
        if (op === '//') return this.num(Math.floor(a / b), isInt, start, end);
        return this.num(a - b * Math.floor(a / b), isInt, start, end); // Python's % follows the divisor's sign
      }
      if (op === '+' && typeof a === 'string' && typeof b === 'string') {
        if (!this.scope.budget.string(a.length + b.length)) throw new Unsupported();
        return { kind: 'scalar', value: a + b, source: a + b, plain: false, range: this.range(start, end) };
      }
    }
    if (op === '+' && left.kind === 'seq' && right.kind === 'seq') {
      this.charge(left.items.length + right.items.length);
      return this.seq([...left.items, ...right.items], start, end);
    }
    throw new Unsupported();
  }

  private unary(): Val {
    const op = this.isOp('+', '-', '~');
    if (!op) return this.power();
    const start = this.peek()!;
    this.p++;
    const inner = this.nested(() => this.unary());
    if (this.isPlaceholder(inner)) return this.failed(start, this.tokens[this.p - 1], `raises TypeError (bad operand type for unary ${op}: 'str') when MMEngine loads the config, so the run does not start`);
    if (op === '~' || inner.kind !== 'scalar' || typeof inner.value !== 'number') throw new Unsupported();
    return this.num(op === '-' ? -inner.value : inner.value, INTS.has(inner), start, this.tokens[this.p - 1]);
  }

  private power(): Val {
    const start = this.peek()!;
    const base = this.primary();
    if (!this.isOp('**')) return base;
    this.p++;
    const exp = this.nested(() => this.unary());
    if (this.isPlaceholder(base) || this.isPlaceholder(exp)) return this.onPlaceholder('**', base, exp, start, this.tokens[this.p - 1]);
    if (base.kind !== 'scalar' || exp.kind !== 'scalar' || typeof base.value !== 'number' || typeof exp.value !== 'number') throw new Unsupported();
    const isInt = INTS.has(base) && INTS.has(exp) && exp.value >= 0;
    return this.num(base.value ** exp.value, isInt, start, this.tokens[this.p - 1]);
  }

  private isPlaceholder(v: Val): boolean {
    return isNode(v) && PLACEHOLDERS.has(v);
  }

  /**
   * An operator applied to a `{{_base_.x}}` placeholder, as Python applies it to the string MMEngine
   * puts there: with a number (`{{_base_.lr}} * 0.05`) or another operator than `+`, `*`, `%` it
   * raises TypeError (recorded; the value is unknown); `+` of strings, `*` by an int and `%`
   * build some other string, which MMEngine never replaces: unknown too.
   */
  private onPlaceholder(op: string, left: Val, right: Val, start: Token, end: Token): Val {
    const type = (v: Val) => (this.isPlaceholder(v) ? 'str' : pythonType(v));
    const [a, b] = [type(left), type(right)];
    const number = (t: string) => t === 'int' || t === 'float';
    if (op === '+' && a === 'str' && b === 'str') throw new Unsupported();
    if (op === '%' && a === 'str' && !number(b)) throw new Unsupported();
    const intTimes = (t: string) => t === 'int' || t === 'bool';
    if (op === '*' && (a === 'str' ? intTimes(b) : intTimes(a))) {
      return this.failed(start, end, 'repeats the placeholder string, which MMEngine never replaces (only a value that is the placeholder itself), so the value is that string, not the number meant, and the run fails where it is used');
    }
    let why: string;
    if (op === '+' && a === 'str') why = `can only concatenate str (not "${b}") to str`;
    else if (op === '*') why = `can't multiply sequence by non-int of type '${a === 'str' ? b : a}'`;
    else if (op === '%' && a === 'str') why = 'not all arguments converted during string formatting';
    else why = `unsupported operand type(s) for ${op === '**' ? '** or pow()' : op}: '${a}' and '${b}'`;
    return this.failed(start, end, `raises TypeError (${why}) when MMEngine loads the config, so the run does not start`);
  }

  /**
   * Records arithmetic on a `{{_base_.x}}` placeholder (`what` it does in Python); its value is unknown.
   * The fix: `_base_.x`, which reads the base's value while the file runs.
   */
  private failed(start: Token, end: Token, what: string): ScalarNode {
    const written = this.src(start, end);
    const shown = `\`${written.length > 80 ? `${written.slice(0, 80)}…` : written}\``;
    const range = this.range(start, end);
    const placeholders = [...new Set([...written.matchAll(/\{\{\s*_base_\.([\w.]+)\s*\}\}/g)].map((m) => m[1]))];
    const instead = placeholders.length ? `; write ${placeholders.map((x) => `_base_.${x}`).join(', ')} (the base's value, read while the file runs) instead of the placeholder` : '';
    const message = `${shown} ${what}: MMEngine puts a string in place of each {{_base_.…}} before it runs the file and the base's value only into the finished config${instead}`;
    this.scope.loadErrors?.push({ range, message });
    const node: ScalarNode = { kind: 'scalar', value: written, source: written, plain: false, range };
    FAILED.set(node, `${shown} is arithmetic on a {{_base_.…}} placeholder, which is a string while the file runs`);
    return node;
  }

  /** An atom and its trailers: `.name`, `[index]`, `(arguments)`. */
  private primary(): Val {
    const start = this.peek();
    if (!start) throw new Unsupported();
    let v = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.p++;
        const name = this.peek();
        if (!name || name.kind !== 'name') throw new Unsupported();
        this.p++;
        v = this.attribute(v, name.text, start, name);
      } else if (this.isOp('[')) {
        this.p++;
        const index = this.nested(() => this.expr());
        const close = this.expect(']');
        v = this.subscript(v, index, start, close);
      } else if (this.isOp('(')) {
        v = this.call(v, start);
      } else {
        return v;
      }
    }
  }

  attribute(v: Val, name: string, start: Token, at: Token): Val {
    // A placeholder is a string while the file runs: its attributes are str's, not the base's keys.
    if (this.isPlaceholder(v)) throw new Unsupported();
    if (v.kind === 'sym') return { kind: 'sym', name: `${v.name}.${name}`, range: this.range(start, at) };
    if (v.kind === 'map') {
      const entry = mapGet(v, name);
      if (entry) return entry.value;
      const why = PARTIAL.get(v);
      if (why) return partialMap(this.range(start, at), why);
    }
    throw new Unsupported();
  }

  private subscript(v: Val, index: Val, start: Token, close: Token): Val {
    if (index.kind !== 'scalar' || this.isPlaceholder(v) || this.isPlaceholder(index)) throw new Unsupported();
    if (v.kind === 'map' && typeof index.value === 'string') return this.attribute(v, index.value, start, close);
    if (v.kind === 'seq' && typeof index.value === 'number' && INTS.has(index)) {
      const i = index.value < 0 ? v.items.length + index.value : index.value;
      const item = v.items[i];
      if (item) return item;
    }
    throw new Unsupported();
  }

  private atom(): Val {
    const tok = this.peek();
    if (!tok) throw new Unsupported();
    if (tok.kind === 'number') {
      this.p++;
      if (tok.num === undefined) throw new Unsupported();
      return this.num(tok.num, tok.isInt === true, tok, tok);
    }
    if (tok.kind === 'string') {
      // Adjacent literals concatenate; f-strings and bytes are not plain values.
      let end = this.p;
      while (this.tokens[end]?.kind === 'string') end++;
      const parts = this.tokens.slice(this.p, end);
      if (parts.some((s) => s.str === undefined)) throw new Unsupported();
      this.p = end;
      const value = parts.map((s) => s.str).join('');
      return { kind: 'scalar', value, source: value, plain: false, range: this.range(parts[0], parts[parts.length - 1]) };
    }
    if (tok.kind === 'name') {
      this.p++;
      return this.name(tok);
    }
    if (tok.text === '(') return this.parenthesized();
    if (tok.text === '[') return this.list();
    if (tok.text === '{') return this.braces();
    throw new Unsupported();
  }

  private name(tok: Token): Val {
    const w = tok.text;
    const range = this.range(tok, tok);
    if (w === 'True' || w === 'False') return { kind: 'scalar', value: w === 'True', source: w, plain: true, range };
    if (w === 'None') return { kind: 'scalar', value: null, source: w, plain: true, range };
    if (KEYWORDS.has(w)) throw new Unsupported();
    const known = this.scope.env.get(w);
    if (known) return known;
    if (w === '_base_') {
      if (this.scope.base) return this.scope.base;
      return partialMap(range, 'from the `_base_` files, which were not read');
    }
    if (BUILTIN_CONTAINERS.has(w)) return { kind: 'sym', name: w, range };
    throw new Unsupported(); // NameError in Python, or a name this reader dropped
  }

  private parenthesized(): Val {
    const open = this.expect('(');
    if (this.isOp(')')) {
      const close = this.expect(')');
      return this.seq([], open, close);
    }
    const first = this.nested(() => this.expr());
    if (this.isOp(')')) {
      this.p++;
      return first;
    }
    const items: ConfigNode[] = [this.node(first)];
    while (this.isOp(',')) {
      this.p++;
      if (this.isOp(')')) break;
      items.push(this.node(this.nested(() => this.expr())));
    }
    const close = this.expect(')');
    return this.seq(items, open, close);
  }

  private list(): Val {
    const open = this.expect('[');
    const items: ConfigNode[] = [];
    while (!this.isOp(']')) {
      if (this.isOp('*', '**')) throw new Unsupported();
      items.push(this.node(this.nested(() => this.expr())));
      if (!this.isOp(',')) break;
      this.p++;
    }
    const close = this.expect(']');
    return this.seq(items, open, close);
  }

  /** `{k: v, …}`, or MMEngine's `{{_base_.a.b}}` placeholder. */
  private braces(): Val {
    const open = this.expect('{');
    if (this.isOp('{')) return this.basePlaceholder(open);
    const entries = new EntryList();
    while (!this.isOp('}')) {
      if (this.isOp('**')) throw new Unsupported();
      const keyTok = this.peek()!;
      const key = this.node(this.nested(() => this.expr()));
      if (key.kind !== 'scalar' || key.value === null || typeof key.value === 'boolean') throw new Unsupported();
      this.expect(':');
      const value = this.node(this.nested(() => this.expr()));
      const keyText = typeof key.value === 'number' ? (keyTok.text as string) : key.value;
      entries.set({ key: String(keyText), keyRange: key.range, value });
      if (!this.isOp(',')) break;
      this.p++;
    }
    const close = this.expect('}');
    return this.map(entries.entries, open, close);
  }

  private basePlaceholder(open: Token): Val {
    this.expect('{');
    const head = this.peek();
    if (!head || head.kind !== 'name' || head.text !== '_base_') throw new Unsupported();
    this.p++;
    let v: Val = this.name(head);
    while (this.isOp('.')) {
      this.p++;
      const name = this.peek();
      if (!name || name.kind !== 'name') throw new Unsupported();
      this.p++;
      v = this.attribute(v, name.text, open, name);
    }
    this.expect('}');
    this.expect('}');
    return this.placeholder(this.node(v));
  }

  /** A copy of the base's value standing for the placeholder (the copy, not the base's node, is marked). */
  private placeholder(v: ConfigNode): ConfigNode {
    const copy: ConfigNode = v.kind === 'map' ? copyMap(v, v.entries) : v.kind === 'seq' ? copySeq(v, v.items) : { ...v };
    if (v.kind === 'scalar') {
      markCopy(copy, v);
      if (INTS.has(v)) INTS.add(copy as ScalarNode);
    }
    PLACEHOLDERS.add(copy);
    return copy;
  }

  /** Arguments of a call: positional values and keyword values (with the keyword's token). */
  private args(): { positional: Val[]; keywords: { name: Token; value: Val }[]; close: Token } {
    this.expect('(');
    const positional: Val[] = [];
    const keywords: { name: Token; value: Val }[] = [];
    const named = new Set<string>();
    while (!this.isOp(')')) {
      if (this.isOp('*', '**')) throw new Unsupported();
      const t = this.peek();
      if (t?.kind === 'name' && this.peek(1)?.kind === 'op' && this.peek(1)?.text === '=') {
        this.p += 2;
        if (named.has(t.text)) throw new DuplicateKeyword(t);
        named.add(t.text);
        keywords.push({ name: t, value: this.nested(() => this.expr()) });
      } else {
        if (keywords.length > 0) throw new Unsupported();
        positional.push(this.nested(() => this.expr()));
      }
      if (!this.isOp(',')) break;
      this.p++;
    }
    const close = this.expect(')');
    return { positional, keywords, close };
  }

  /** `(…)` of a method call, whole: values as tree nodes where keywords are given. */
  callArgs(): { positional: Val[]; keywords: { name: Token; node: ConfigNode }[] } {
    const { positional, keywords, close } = this.args();
    if (close !== this.tokens[this.tokens.length - 1]) throw new Unsupported();
    return { positional, keywords: keywords.map((k) => ({ name: k.name, node: this.node(k.value) })) };
  }

  private call(callee: Val, start: Token): Val {
    const { positional, keywords, close } = this.args();
    if (callee.kind === 'lazy') {
      if (positional.length > 0) throw new Unsupported();
      const target: ScalarNode = { kind: 'scalar', value: callee.target, source: callee.target, plain: true, range: this.range(start, start) };
      const entries = new EntryList([{ key: '_target_', keyRange: target.range, value: target }]);
      for (const k of keywords) entries.set({ key: k.name.text, keyRange: this.range(k.name, k.name), value: this.node(k.value) });
      return this.map(entries.entries, start, close);
    }
    if (callee.kind === 'sym') {
      if (/(^|\.)(LazyCall|L)$/.test(callee.name) && positional.length === 1 && keywords.length === 0) {
        const target = positional[0];
        if (target.kind === 'sym') return { kind: 'lazy', target: target.name };
        if (target.kind === 'scalar' && typeof target.value === 'string') return { kind: 'lazy', target: target.value };
        throw new Unsupported();
      }
      if (callee.name === 'dict') {
        if (positional.length > 1) throw new Unsupported();
        const first = positional[0];
        if (first && (first.kind !== 'map' || PARTIAL.has(first))) throw new Unsupported();
        if (first) this.charge(first.entries.length);
        const entries = new EntryList(first?.entries);
        for (const k of keywords) entries.set({ key: k.name.text, keyRange: this.range(k.name, k.name), value: this.node(k.value) });
        return this.map(entries.entries, start, close);
      }
      // OmegaConf.create() / OmegaConf.create(dict(...)): a plain mapping (detectron2 LazyConfig).
      if (/(^|\.)OmegaConf\.create$/.test(callee.name) && keywords.length === 0 && positional.length <= 1) {
        const first = positional[0];
        if (!first) return this.map([], start, close);
        if (first.kind === 'map') return first;
        throw new Unsupported();
      }
      if ((callee.name === 'list' || callee.name === 'tuple') && keywords.length === 0 && positional.length <= 1) {
        const first = positional[0];
        if (!first) return this.seq([], start, close);
        if (first.kind === 'seq') {
          this.charge(first.items.length);
          return this.seq([...first.items], start, close);
        }
        throw new Unsupported();
      }
      // detectron2 `model_zoo.get_config("common/train.py")`: a config file not read here.
      if (/(^|\.)get_config$/.test(callee.name) && positional.length === 1) {
        const path = positional[0];
        const what = path.kind === 'scalar' && typeof path.value === 'string' ? `get_config("${path.value}")` : 'get_config(…)';
        return partialMap(this.range(start, close), `from ${what}, which is not read`);
      }
    }
    throw new Unsupported();
  }
}

class DuplicateKeyword extends Error {
  constructor(readonly token: Token) {
    super('keyword argument repeated');
  }
}

/** Entries in order, with an index: a key written again replaces the earlier one in place. */
class EntryList {
  readonly entries: MapEntry[] = [];
  private readonly at = new Map<string, number>();

  constructor(initial: readonly MapEntry[] = []) {
    for (const e of initial) this.set(e);
  }

  set(entry: MapEntry): void {
    const i = this.at.get(entry.key);
    if (i !== undefined) this.entries[i] = entry;
    else {
      this.at.set(entry.key, this.entries.length);
      this.entries.push(entry);
    }
  }

  get(key: string): MapEntry | undefined {
    const i = this.at.get(key);
    return i === undefined ? undefined : this.entries[i];
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations (copy-on-write: a node shared with another file's tree is never changed)

/** One step of a target path, with the token that names it (for the key's range). */
interface Step {
  key: string | number;
  token: Token;
}

function copyMap(node: MapNode, entries: MapEntry[]): MapNode {
  const copy: MapNode = { kind: 'map', entries, range: node.range };
  markCopy(copy, node);
  return copy;
}

function copySeq(node: SeqNode, items: ConfigNode[]): SeqNode {
  const copy: SeqNode = { kind: 'seq', items, range: node.range };
  markCopy(copy, node);
  return copy;
}

function copyEntry(entry: MapEntry, value: ConfigNode): MapEntry {
  const copy: MapEntry = { key: entry.key, keyRange: entry.keyRange, value };
  markCopy(copy, entry);
  return copy;
}

/**
 * `node` with the value at `path` replaced by `change(old)` (old undefined when the last key is
 * new); undefined when a step does not exist (Python raises) or `change` gives undefined.
 */
function updateAt(
  node: ConfigNode,
  path: Step[],
  keyRange: (s: Step) => Range,
  change: (old: ConfigNode | undefined) => ConfigNode | null | undefined,
  budget: Budget,
): ConfigNode | undefined {
  const [step, ...rest] = path;
  if (!step) return undefined;
  if (node.kind === 'map') {
    if (!budget.copy(node.entries.length)) return undefined;
    const key = String(step.key);
    const i = node.entries.findIndex((e) => e.key === key);
    const entry = i >= 0 ? node.entries[i] : undefined;
    let value: ConfigNode | null | undefined;
    if (rest.length === 0) value = change(entry?.value);
    else if (entry) value = updateAt(entry.value, rest, keyRange, change, budget);
    else if (PARTIAL.has(node)) value = updateAt(partialMap(node.range, PARTIAL.get(node)!), rest, keyRange, change, budget);
    else return undefined;
    if (value === undefined) return undefined;
    const entries = [...node.entries];
    if (value === null) {
      if (i >= 0) entries.splice(i, 1);
    } else if (rest.length === 0 || !entry) {
      const fresh: MapEntry = { key, keyRange: keyRange(step), value };
      if (i >= 0) entries[i] = fresh;
      else entries.push(fresh);
    } else {
      entries[i] = copyEntry(entry, value);
    }
    return copyMap(node, entries);
  }
  if (node.kind === 'seq' && typeof step.key === 'number') {
    const i = step.key < 0 ? node.items.length + step.key : step.key;
    const old = node.items[i];
    if (!old || !budget.copy(node.items.length)) return undefined;
    const value = rest.length === 0 ? change(old) : updateAt(old, rest, keyRange, change, budget);
    if (value === undefined || value === null) return undefined;
    const items = [...node.items];
    items[i] = value;
    return copySeq(node, items);
  }
  return undefined;
}

/** MMEngine ConfigDict.update: a mapping value merges into a mapping, anything else replaces; undefined over the budget. */
function updateMerge(target: MapNode, other: MapEntry[], budget: Budget, depth = 0): MapNode | undefined {
  if (depth > MAX_DEPTH || !budget.copy(target.entries.length + other.length)) return undefined;
  const entries = new EntryList(target.entries);
  for (const e of other) {
    const old = entries.get(e.key);
    if (old && old.value.kind === 'map' && e.value.kind === 'map') {
      const merged = updateMerge(old.value, e.value.entries, budget, depth + 1);
      if (!merged) return undefined;
      entries.set({ key: e.key, keyRange: e.keyRange, value: merged });
    } else entries.set(e);
  }
  return copyMap(target, entries.entries);
}

// ---------------------------------------------------------------------------------------------
// Statements

/** A target `NAME(.attr | [literal])*`: the root name and the steps, or undefined. */
function parseTarget(tokens: Token[]): { root: Token; steps: Step[] } | undefined {
  const root = tokens[0];
  if (!root || root.kind !== 'name' || KEYWORDS.has(root.text)) return undefined;
  const steps: Step[] = [];
  let k = 1;
  while (k < tokens.length) {
    const t = tokens[k];
    if (t.kind === 'op' && t.text === '.' && tokens[k + 1]?.kind === 'name') {
      steps.push({ key: tokens[k + 1].text, token: tokens[k + 1] });
      k += 2;
    } else if (t.kind === 'op' && t.text === '[' && tokens[k + 2]?.kind === 'op' && tokens[k + 2].text === ']') {
      const idx = tokens[k + 1];
      if (idx.kind === 'string' && idx.str !== undefined) steps.push({ key: idx.str, token: idx });
      else if (idx.kind === 'number' && idx.isInt) steps.push({ key: idx.num as number, token: idx });
      else return undefined;
      k += 3;
    } else if (t.kind === 'op' && t.text === '[' && tokens[k + 1]?.kind === 'op' && tokens[k + 1].text === '-' && tokens[k + 2]?.kind === 'number' && tokens[k + 3]?.text === ']') {
      steps.push({ key: -(tokens[k + 2].num as number), token: tokens[k + 2] });
      k += 4;
    } else {
      return undefined;
    }
  }
  return { root, steps };
}

function dotted(root: Token, steps: Step[]): string {
  return [root.text, ...steps.map((s) => (typeof s.key === 'number' ? `[${s.key}]` : s.key))].join('.').replace(/\.\[/g, '[');
}

/** Splits a statement at its top-level `=` signs: targets…, value. */
function splitAssignment(stmt: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const tok of stmt) {
    if (tok.kind === 'op' && '([{'.includes(tok.text)) depth++;
    if (tok.kind === 'op' && ')]}'.includes(tok.text)) depth--;
    if (depth === 0 && tok.kind === 'op' && tok.text === '=') parts.push([]);
    else parts[parts.length - 1].push(tok);
  }
  return parts;
}

/** Indices of the assignment operators at bracket depth 0 (not keyword arguments inside calls). */
function topLevelAssignOps(stmt: Token[]): number[] {
  const out: number[] = [];
  let depth = 0;
  stmt.forEach((tok, i) => {
    if (tok.kind !== 'op') return;
    if ('([{'.includes(tok.text)) depth++;
    else if (')]}'.includes(tok.text)) depth--;
    else if (depth === 0 && i > 0 && ASSIGN_OPS.has(tok.text)) out.push(i);
  });
  return out;
}

/** `from …x.y import a as b, c` / `import a.b as c`; undefined when the statement is not an import. */
function parseImport(stmt: Token[]): { module: string; level: number; names: '*' | { name: string; as: string }[] } | { plain: { name: string; as: string }[] } | undefined {
  const head = stmt[0];
  if (head?.kind !== 'name') return undefined;
  if (head.text === 'import') {
    const out: { name: string; as: string }[] = [];
    let k = 1;
    while (k < stmt.length) {
      const parts: string[] = [];
      while (stmt[k]?.kind === 'name') {
        parts.push(stmt[k].text);
        if (stmt[k + 1]?.text === '.') k += 2;
        else {
          k++;
          break;
        }
      }
      if (parts.length === 0) return undefined;
      let as = parts[0];
      if (stmt[k]?.text === 'as' && stmt[k + 1]?.kind === 'name') {
        as = stmt[k + 1].text;
        k += 2;
      }
      out.push({ name: parts.join('.'), as });
      if (stmt[k]?.text === ',') k++;
      else break;
    }
    return { plain: out };
  }
  if (head.text !== 'from') return undefined;
  let k = 1;
  let level = 0;
  while (stmt[k]?.kind === 'op' && (stmt[k].text === '.' || stmt[k].text === '...')) {
    level += stmt[k].text.length;
    k++;
  }
  const parts: string[] = [];
  while (stmt[k]?.kind === 'name' && stmt[k].text !== 'import') {
    parts.push(stmt[k].text);
    k++;
    if (stmt[k]?.text === '.') k++;
  }
  if (stmt[k]?.text !== 'import') return undefined;
  k++;
  const module = '.'.repeat(level) + parts.join('.');
  if (stmt[k]?.text === '*') return { module, level, names: '*' };
  const names: { name: string; as: string }[] = [];
  for (; k < stmt.length; k++) {
    const t = stmt[k];
    if (t.kind !== 'name') continue;
    if (t.text === 'as') continue;
    if (stmt[k - 1]?.text === 'as') {
      names[names.length - 1].as = t.text;
      continue;
    }
    names.push({ name: t.text, as: t.text });
  }
  return { module, level, names };
}

const MUTATORS = new Set(['update', 'pop', 'append', 'extend', 'insert', 'clear', 'remove', 'setdefault', '__setitem__', '__delitem__']);

/**
 * Expressions of one file evaluated as this reader evaluates a config's right-hand sides, with the
 * module-level `names` known (python-calls.ts reads call arguments with it, so there is one Python
 * evaluator). `evaluate` gives undefined for what a static read does not know: a call it does not
 * model, an unknown name, a comparison, a class, a mapping that was not read in full.
 */
export function pythonExpressions(text: string, names: ReadonlyMap<string, ConfigNode>, loc: Loc = locator(text)): { evaluate(tokens: Token[]): ConfigNode | undefined } {
  // One budget for the file's expressions: many calls with long arguments stay bounded too.
  const scope: Scope = { env: new Map<string, Val>(names), text, loc, budget: new Budget() };
  return {
    evaluate(tokens) {
      if (tokens.length === 0) return undefined;
      try {
        const v = new Expr(tokens, scope).all();
        return isNode(v) && !(v.kind === 'map' && PARTIAL.has(v)) ? v : undefined;
      } catch (err) {
        if (err instanceof Unsupported || err instanceof DuplicateKeyword) return undefined;
        throw err;
      }
    },
  };
}

/** Parses the file; never throws for bad content. See the module comment. */
export function parsePythonConfig(text: string, input: PythonConfigInput = {}): PythonConfig {
  const loc = locator(text);
  const opaque = new Map<string, OpaqueName>();
  const result: PythonConfig = { problems: [], opaque, imports: [], readBase: false, starUnknown: [], loadErrors: [] };
  let lines: LogicalLine[];
  try {
    lines = new Lexer(text).run();
  } catch (err) {
    if (!(err instanceof SyntaxProblem)) throw err;
    result.problems.push({ kind: 'parse-error', message: `Python syntax error: ${err.message}`, range: loc.range(err.start, err.end) });
    return result;
  }
  const budget = new Budget();
  const scope: Scope = { env: new Map(), base: input.base, text, loc, budget, loadErrors: result.loadErrors };
  const env = scope.env;
  /** Top-level names in first-binding order, with the range of the name where it was last bound. */
  const keyRanges = new Map<string, Range>();
  const src = (tokens: Token[]) => text.slice(tokens[0].start, tokens[tokens.length - 1].end);
  const tokRange = (t: Token) => loc.range(t.start, t.end);
  let total = 0;
  let baseEntry: MapEntry | undefined;

  const bind = (name: Token, value: Val) => {
    if (isNode(value)) {
      total += sizeOf(value);
      if (total > MAX_NODES) {
        forget(name.text, tokRange(name), `its value is over ${MAX_NODES} nodes; not read`);
        return;
      }
    }
    env.set(name.text, value);
    opaque.delete(name.text);
    keyRanges.delete(name.text);
    keyRanges.set(name.text, tokRange(name));
  };
  const forget = (path: string, range: Range, reason: string) => {
    if (!path.includes('.') && !path.includes('[')) {
      env.delete(path);
      keyRanges.delete(path);
    }
    opaque.set(path, { range, reason });
  };
  const evaluate = (tokens: Token[]): Val => new Expr(tokens, scope).all();

  /**
   * Binds a changed value to a name that holds `current`, within the bounds: past them the name is
   * unknown (forgotten, with why). True either way: the change is handled.
   */
  const rebind = (root: Token, current: ConfigNode, updated: ConfigNode | undefined): boolean => {
    if (budget.exhausted) {
      forget(root.text, tokRange(root), `changed more often than trainlint follows (over ${MAX_COPY_WORK} entries copied in this file); not read`);
      return true;
    }
    if (!updated) return false;
    const growth = sizeOf(updated) - sizeOf(current);
    if (growth > 0 && total + growth > MAX_NODES) {
      forget(root.text, tokRange(root), `its value is over ${MAX_NODES} nodes; not read`);
      return true;
    }
    if (growth > 0) total += growth;
    env.set(root.text, updated);
    return true;
  };

  /** Sets (or, with `value` null, deletes) the value at a target path; false when unknown. */
  const assignPath = (root: Token, steps: Step[], value: ConfigNode | null | ((old: ConfigNode | undefined) => ConfigNode | null | undefined)): boolean => {
    const current = env.get(root.text);
    if (!current || !isNode(current)) return false;
    const change = typeof value === 'function' ? value : () => value;
    return rebind(root, current, budget.exhausted ? undefined : updateAt(current, steps, (s) => tokRange(s.token), change, budget));
  };

  const importStatement = (stmt: Token[], inReadBase: boolean) => {
    const parsed = parseImport(stmt);
    if (!parsed) return false;
    const range = loc.range(stmt[0].start, stmt[stmt.length - 1].end);
    if ('plain' in parsed) {
      for (const n of parsed.plain) {
        const tok = stmt.find((t) => t.kind === 'name' && t.text === n.as) ?? stmt[0];
        bind(tok, { kind: 'sym', name: n.name, range: tokRange(tok) });
      }
      return true;
    }
    const isConfig = parsed.level > 0 || inReadBase;
    if (!isConfig) {
      if (parsed.names === '*') return true;
      for (const n of parsed.names) {
        const tok = [...stmt].reverse().find((t) => t.kind === 'name' && t.text === n.as) ?? stmt[0];
        bind(tok, { kind: 'sym', name: n.name, range: tokRange(tok) });
      }
      return true;
    }
    result.imports.push({ module: parsed.module, level: parsed.level, names: parsed.names, range, inReadBase });
    const module = input.modules?.get(parsed.module);
    if (parsed.names === '*') {
      if (!module) {
        result.starUnknown.push(parsed.module);
        return true;
      }
      for (const e of module.entries) {
        if (e.key.startsWith('_')) continue;
        env.set(e.key, e.value);
        opaque.delete(e.key);
        keyRanges.delete(e.key);
        keyRanges.set(e.key, range);
      }
      return true;
    }
    for (const n of parsed.names) {
      const tok = [...stmt].reverse().find((t) => t.kind === 'name' && t.text === n.as) ?? stmt[0];
      const entry = module ? mapGet(module, n.name) : undefined;
      if (entry) bind(tok, entry.value);
      else if (module && !PARTIAL.has(module)) forget(n.as, tokRange(tok), `${parsed.module} does not define ${n.name}`);
      else bind(tok, partialMap(tokRange(tok), `imported from ${parsed.module}, which was not read`));
    }
    return true;
  };

  const expressionStatement = (stmt: Token[]) => {
    // `x.update(…)`, `x['a'].pop('k')`, … : a method call on a known value.
    const open = stmt.findIndex((t) => t.kind === 'op' && t.text === '(');
    if (open < 3 || stmt[stmt.length - 1].text !== ')') return;
    const method = stmt[open - 1];
    if (method.kind !== 'name' || stmt[open - 2].text !== '.' || !MUTATORS.has(method.text)) return;
    const target = parseTarget(stmt.slice(0, open - 2));
    if (!target || !env.has(target.root.text)) return;
    const reason = `\`${src(stmt).slice(0, 80)}\` changes it in a way trainlint does not follow`;
    /** Replaces the value at the target by `change(old)`; false when that is not possible. */
    const change = (f: (old: ConfigNode | undefined) => ConfigNode | null | undefined): boolean => {
      if (target.steps.length > 0) return assignPath(target.root, target.steps, f);
      const cur = env.get(target.root.text);
      if (!cur || !isNode(cur)) return false;
      const next = f(cur);
      return next === null ? false : rebind(target.root, cur, next);
    };
    let done = false;
    try {
      const { positional, keywords } = new Expr(stmt.slice(open), scope).callArgs();
      if (method.text === 'update') {
        const first = positional[0];
        const fromPositional = first && first.kind === 'map' && !PARTIAL.has(first) ? first.entries : first ? undefined : [];
        if (fromPositional && positional.length <= 1) {
          const other = [...fromPositional, ...keywords.map((k) => ({ key: k.name.text, keyRange: tokRange(k.name), value: k.node }))];
          done = change((old) => (old?.kind === 'map' ? updateMerge(old, other, budget) : undefined));
        }
      } else if (method.text === 'pop' && keywords.length === 0 && positional.length >= 1) {
        const key = positional[0];
        if (key.kind === 'scalar' && typeof key.value === 'string') {
          const k = key.value;
          done = change((old) => {
            if (old?.kind !== 'map') return undefined;
            if (!mapGet(old, k)) return positional.length === 2 && !PARTIAL.has(old) ? old : undefined;
            return budget.copy(old.entries.length) ? copyMap(old, old.entries.filter((e) => e.key !== k)) : undefined;
          });
        }
      } else if (method.text === 'append' && keywords.length === 0 && positional.length === 1 && isNode(positional[0])) {
        const item = positional[0];
        done = change((old) => (old?.kind === 'seq' && budget.copy(old.items.length + 1) ? copySeq(old, [...old.items, item]) : undefined));
      }
    } catch (err) {
      if (err instanceof DuplicateKeyword) throw err;
      if (!(err instanceof Unsupported)) throw err;
    }
    if (done) return;
    if (target.steps.length === 0) {
      forget(target.root.text, tokRange(target.root), reason);
    } else {
      assignPath(target.root, target.steps, null);
      opaque.set(dotted(target.root, target.steps), { range: tokRange(method), reason });
    }
  };

  const assignment = (stmt: Token[]) => {
    const parts = splitAssignment(stmt);
    const valueTokens = parts[parts.length - 1];
    let targets = parts.slice(0, -1);
    // `x: int = 1`: the annotation is not part of the target.
    targets = targets.map((t) => {
      const colon = t.findIndex((x) => x.kind === 'op' && x.text === ':');
      return colon >= 0 ? t.slice(0, colon) : t;
    });
    let value: Val | undefined;
    let why = '';
    if (valueTokens.length === 0) why = 'no value';
    else {
      try {
        value = evaluate(valueTokens);
      } catch (err) {
        if (err instanceof DuplicateKeyword) throw err;
        if (!(err instanceof Unsupported)) throw err;
        why = `assigned \`${src(valueTokens).slice(0, 80)}\`: not a value trainlint can read without running Python`;
      }
    }
    // Python assigns the targets left to right.
    for (const t of targets) {
      const target = parseTarget(t);
      if (!target) {
        for (const name of boundNames([...t, { kind: 'op', text: '=', start: 0, end: 0 }])) forget(name.text, tokRange(name), `\`${src(stmt).slice(0, 80)}\` is not a plain assignment`);
        continue;
      }
      if (target.steps.length === 0 && target.root.text === '_base_') {
        // MMEngine removes this assignment before it runs the file: there `_base_` is the merged
        // base config (`_base_.model`). The list of files is kept in the tree as written.
        if (result.basesRange === undefined) readBases(target.root, value, valueTokens);
        if (value && isNode(value)) baseEntry ??= { key: '_base_', keyRange: tokRange(target.root), value };
        continue;
      }
      if (target.steps.length === 0) {
        if (value) bind(target.root, value);
        else forget(target.root.text, tokRange(target.root), why);
        continue;
      }
      const where = dotted(target.root, target.steps);
      const last = target.steps[target.steps.length - 1].token;
      let node: ConfigNode | undefined;
      try {
        node = value ? new Expr([], scope).node(value) : undefined;
      } catch {
        node = undefined;
        why = 'not a value trainlint can read';
      }
      if (node && assignPath(target.root, target.steps, node)) {
        opaque.delete(where);
        continue;
      }
      if (env.has(target.root.text)) {
        // The value, or the path it is assigned at, is unknown: the key is unknown, not absent.
        assignPath(target.root, target.steps, null);
        opaque.set(where, { range: tokRange(last), reason: node ? `${where}: an intermediate key does not exist` : why });
      }
    }
  };

  const readBases = (root: Token, value: Val | undefined, valueTokens: Token[]) => {
    result.basesRange = loc.range(root.start, valueTokens.length ? valueTokens[valueTokens.length - 1].end : root.end);
    const items = value?.kind === 'seq' ? value.items : value ? [value] : [];
    const refs: BaseRef[] = [];
    for (const item of items) {
      if (item.kind !== 'scalar' || typeof item.value !== 'string') {
        result.basesUnknown = '`_base_` must be a string or a list of strings';
        return;
      }
      refs.push({ written: item.value, range: item.range });
    }
    if (!value) result.basesUnknown = '`_base_` is not a literal string or list of strings';
    else result.bases = refs;
  };

  const blockStatement = (stmt: Token[]) => {
    // Inside an if/for/while/try/with block: what it binds or changes depends on the condition.
    const line = loc.pos(stmt[0].start).line;
    const reason = `assigned inside a block (line ${line}); its value depends on the condition`;
    const parts = splitAssignment(stmt);
    if (parts.length > 1) {
      for (const t of parts.slice(0, -1)) {
        const target = parseTarget(t);
        if (target && target.steps.length > 0 && env.has(target.root.text)) {
          assignPath(target.root, target.steps, null);
          opaque.set(dotted(target.root, target.steps), { range: tokRange(target.root), reason });
        }
      }
    }
    for (const name of boundNames(stmt)) forget(name.text, tokRange(name), reason);
    const open = stmt.findIndex((t) => t.kind === 'op' && t.text === '(');
    if (open >= 3 && stmt[open - 1].kind === 'name' && MUTATORS.has(stmt[open - 1].text)) {
      const target = parseTarget(stmt.slice(0, open - 2));
      if (target && env.has(target.root.text)) forget(target.root.text, tokRange(target.root), reason);
    }
  };

  /**
   * `x.k op= v` on a known value, read as `x.k = x.k op (v)` (its range: the statement); false when the
   * value is unknown (the caller marks the target unknown). A bare name (`lr += 1e-4`) is not followed:
   * plan helpers would take the statement for a literal value an edit can replace.
   */
  const augmentedAssignment = (stmt: Token[], at: number): boolean => {
    const op = AUGMENTED_OPS.get(stmt[at].text);
    const targetTokens = stmt.slice(0, at);
    const valueTokens = stmt.slice(at + 1);
    const target = parseTarget(targetTokens);
    if (!op || !target || target.steps.length === 0 || valueTokens.length === 0) return false;
    const first = valueTokens[0];
    const last = valueTokens[valueTokens.length - 1];
    const expr: Token[] = [
      ...targetTokens,
      { kind: 'op', text: op, start: stmt[at].start, end: stmt[at].end },
      { kind: 'op', text: '(', start: first.start, end: first.start },
      ...valueTokens,
      { kind: 'op', text: ')', start: last.end, end: last.end },
    ];
    let node: ConfigNode;
    try {
      const old = evaluate(targetTokens);
      const value = evaluate(expr);
      if (!isNode(value) || !isNode(old)) return false;
      node = value;
      if (node.kind === 'scalar' && old.kind === 'scalar') AUGMENTED.set(node, old);
    } catch (err) {
      if (err instanceof DuplicateKeyword) throw err;
      if (!(err instanceof Unsupported)) throw err;
      return false;
    }
    if (!assignPath(target.root, target.steps, node)) return false;
    opaque.delete(dotted(target.root, target.steps));
    return true;
  };

  let block: 'none' | 'scope' | 'read-base' | 'other' = 'none';
  try {
    for (const line of lines) {
      if (line.indented) {
        if (block === 'scope') continue;
        for (const stmt of statements(line.tokens)) {
          if (block === 'read-base' && importStatement(stmt, true)) continue;
          blockStatement(stmt);
        }
        continue;
      }
      const first = line.tokens[0];
      block = 'none';
      if (first && ((first.kind === 'name' && SCOPE_HEADERS.has(first.text)) || (first.kind === 'op' && first.text === '@'))) {
        block = 'scope';
        // A function or class is dropped from the config (MMEngine drops them too).
        const name = line.tokens[first.text === 'async' ? 2 : 1];
        if (first.kind === 'name' && name?.kind === 'name') forget(name.text, tokRange(name), `a ${first.text === 'class' ? 'class' : 'function'}, not a value`);
        continue;
      }
      if (first?.kind === 'name' && first.text === 'with' && line.tokens.some((t) => t.kind === 'name' && t.text === 'read_base')) {
        block = 'read-base';
        result.readBase = true;
        // `with read_base(): from .x import *` on one line.
        const colon = line.tokens.findIndex((t) => t.kind === 'op' && t.text === ':');
        const rest = line.tokens.slice(colon + 1);
        if (rest.length) for (const stmt of statements(rest)) importStatement(stmt, true);
        continue;
      }
      if (first?.kind === 'name' && ['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'match', 'case'].includes(first.text)) {
        block = 'other';
        const colon = line.tokens.findIndex((t) => t.kind === 'op' && t.text === ':');
        const rest = line.tokens.slice(colon + 1);
        for (const stmt of statements(line.tokens)) for (const name of boundNames(stmt)) forget(name.text, tokRange(name), `bound by \`${first.text}\` (line ${tokRange(first).line})`);
        if (rest.length) for (const stmt of statements(rest)) blockStatement(stmt);
        continue;
      }
      for (const stmt of statements(line.tokens)) {
        const head = stmt[0];
        if (importStatement(stmt, false)) continue;
        if (head.kind === 'name' && head.text === 'del') {
          const target = parseTarget(stmt.slice(1));
          if (target && target.steps.length > 0) {
            if (!assignPath(target.root, target.steps, (old) => (old ? null : undefined))) opaque.set(dotted(target.root, target.steps), { range: tokRange(head), reason: 'deleted' });
          } else if (target) forget(target.root.text, tokRange(target.root), 'deleted with `del`');
          continue;
        }
        const hasAssign = topLevelAssignOps(stmt).length > 0;
        if (!hasAssign) {
          expressionStatement(stmt);
          continue;
        }
        const ops = topLevelAssignOps(stmt);
        if (ops.some((i) => stmt[i].text !== '=')) {
          if (ops.length === 1 && augmentedAssignment(stmt, ops[0])) continue;
          // Walrus, and augmented assignments of values the reader does not know: not followed.
          const target = parseTarget(stmt.slice(0, ops[0]));
          if (target && target.steps.length > 0 && env.has(target.root.text)) {
            assignPath(target.root, target.steps, null);
            opaque.set(dotted(target.root, target.steps), { range: tokRange(target.root), reason: `\`${src(stmt).slice(0, 80)}\` is not a plain assignment` });
          }
          for (const name of boundNames(stmt)) forget(name.text, tokRange(name), `\`${src(stmt).slice(0, 80)}\` is not a plain assignment`);
          continue;
        }
        assignment(stmt);
      }
    }
  } catch (err) {
    if (!(err instanceof DuplicateKeyword)) throw err;
    result.problems.push({ kind: 'parse-error', message: `Python syntax error: keyword argument repeated: ${err.token.text}`, range: tokRange(err.token) });
    return result;
  }

  const entries: MapEntry[] = baseEntry ? [baseEntry] : [];
  for (const [name, keyRange] of keyRanges) {
    const value = env.get(name);
    if (!value || !isNode(value)) continue;
    entries.push({ key: name, keyRange, value });
  }
  result.tree = { kind: 'map', entries, range: loc.range(0, Math.max(1, text.length)) };
  // A statement read twice (an augmented assignment tried, then read again) records its error once.
  const seen = new Set<string>();
  result.loadErrors = result.loadErrors.filter((e) => {
    const at = `${e.range.line}:${e.range.column}:${e.range.endLine}:${e.range.endColumn}`;
    return seen.has(at) ? false : (seen.add(at), true);
  });
  return result;
}

/**
 * The loader entry point used by parseSource for `.py` files: the file alone (no base files). Values
 * of config modules it does not read (an empty partial mapping: `{{_base_.x}}`, `_base_.x`, an
 * imported name nothing is assigned on) are left out, so that the file's own tree holds only what
 * it writes; engine/inherit.ts reads the whole configuration.
 */
export function loadPythonConfig(text: string): LoadResult {
  const { tree, problems } = parsePythonConfig(text);
  return { tree: tree && (withoutUnread(tree) as MapNode), problems };
}

function withoutUnread(node: ConfigNode, depth = 0): ConfigNode | undefined {
  // A value whose expression raises when the file runs is unknown: the load error says so.
  if (failedValue(node)) return undefined;
  if (node.kind === 'seq') {
    if (depth > MAX_DEPTH) return node;
    // Items keep their places (an index names the same item in the whole configuration).
    const items = node.items.map((item) => withoutUnread(item, depth + 1) ?? item);
    return items.some((item, i) => item !== node.items[i]) ? copySeq(node, items) : node;
  }
  if (node.kind === 'map') {
    if (PARTIAL.has(node) && node.entries.length === 0) return undefined;
    if (depth > MAX_DEPTH) return node;
    let changed = false;
    const entries: MapEntry[] = [];
    for (const e of node.entries) {
      const v = withoutUnread(e.value, depth + 1);
      if (v !== e.value) changed = true;
      if (v) entries.push(v === e.value ? e : copyEntry(e, v));
    }
    return changed ? copyMap(node, entries) : node;
  }
  return node;
}

