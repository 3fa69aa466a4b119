/**
 * YAML adapter: parses with eemeli/yaml (positions on every node) and builds the
 * format-neutral ConfigNode tree. Scalars are typed the way the training code's loader
 * types them:
 *  - "1.1" (default): PyYAML's SafeLoader resolvers, emulated exactly. The `yaml` package's
 *    own 1.1 schema is looser (it reads `1e-4` and `1.0e4` as numbers and `y`/`n` as booleans),
 *    while PyYAML reads them as strings, so the float, int and bool resolvers are replaced.
 *  - "1.2": YAML 1.2 core schema.
 * Merge keys (`<<`) are applied as PyYAML does: explicit keys win over merged ones.
 */
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Node as YamlNode,
  type ScalarTag,
  type Tags,
} from 'yaml';
import type { ConfigNode, MapEntry, ScalarNode } from '../tree.js';
import type { Range } from '../types.js';
import { MAX_DEPTH, type LoadProblem, type LoadResult, type UnresolvedTag } from './result.js';
import { LEAVE_TO_YAML, loadYamlFast, mergeInto, type PlainResolver } from './yaml-fast.js';

export type YamlVersion = '1.1' | '1.2';

/**
 * What aliases may expand to, per file: nodes of resolved content, and characters of resolved
 * scalar text. The bound is on the expansion, not on the number of aliases: one 10,000-item list
 * aliased 9,000 times is 109 KB of YAML and 90 million nodes.
 */
export const MAX_ALIAS_NODES = 100_000;
export const MAX_ALIAS_CHARS = 16 * 1024 * 1024;

// PyYAML (resolver.py) implicit resolvers, verbatim in meaning.
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

function sexagesimal(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const parts = text.replace(/^[-+]/, '').split(':');
  let total = 0;
  for (const part of parts) total = total * 60 + Number(part);
  return sign * total;
}

function resolvePyFloat(source: string): number {
  const text = source.replace(/_/g, '');
  if (/\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/\.(?:nan|NaN|NAN)$/.test(text)) return NaN;
  if (text.includes(':')) return sexagesimal(text);
  return Number(text);
}

function resolvePyInt(source: string): number {
  const text = source.replace(/_/g, '');
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body.includes(':')) return sign * sexagesimal(body);
  if (body.startsWith('0b')) return sign * parseInt(body.slice(2), 2);
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  if (body.length > 1 && body.startsWith('0')) return sign * parseInt(body.slice(1), 8);
  return sign * Number(body);
}

const pyFloat: ScalarTag = { tag: 'tag:yaml.org,2002:float', default: true, test: PY_FLOAT, resolve: resolvePyFloat };
const pyInt: ScalarTag = { tag: 'tag:yaml.org,2002:int', default: true, test: PY_INT, resolve: resolvePyInt };
/** PyYAML's true spellings (a module constant: a literal in `resolve` would be a new RegExp per boolean). */
const PY_TRUE = /^(?:yes|true|on)$/i;
const pyBool = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: PY_BOOL,
  resolve: (s: string) => PY_TRUE.test(s),
} satisfies ScalarTag;

const REPLACED_TAGS = new Set(['tag:yaml.org,2002:float', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:bool']);

const PYTHON_DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/;
const PYTHON_INT_BODY: [RegExp, number, number][] = [
  [/^0b[01]+$/, 2, 2],
  [/^0x[0-9a-f]+$/, 16, 2],
  [/^0[0-7]+$/, 8, 1],
  [/^[1-9]\d*$/, 10, 0],
];

/**
 * What PyYAML's constructors give an explicitly tagged scalar (`lr: !!float 1e-4`, a common way
 * around its YAML 1.1 float resolver): construct_yaml_float/int/bool read any text Python's float(),
 * int() or its boolean table take, not only what the implicit resolvers match. Undefined when they
 * raise (ValueError, KeyError: the loader stops).
 */
function pythonFloat(source: string): number | undefined {
  const text = source.replace(/_/g, '').toLowerCase().trim();
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body === '.inf' || body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === '.nan' || body === 'nan') return NaN;
  if (body.includes(':')) return body.split(':').every((p) => PYTHON_DECIMAL.test(p)) ? sign * sexagesimal(body) : undefined;
  return PYTHON_DECIMAL.test(body) ? sign * Number(body) : undefined;
}

function pythonInt(source: string): number | undefined {
  const text = source.replace(/_/g, '').trim();
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body === '0') return 0;
  if (body.includes(':')) return body.split(':').every((p) => /^\d+$/.test(p)) ? sign * sexagesimal(body) : undefined;
  for (const [pattern, base, skip] of PYTHON_INT_BODY) if (pattern.test(body)) return sign * parseInt(body.slice(skip), base);
  return undefined;
}

const PY_BOOL_TABLE: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

function explicit(tag: string, name: string, construct: (source: string) => unknown): ScalarTag {
  return {
    tag,
    default: false,
    resolve: (source, onError) => {
      const value = construct(source);
      if (value === undefined) onError(`PyYAML cannot construct ${name} from "${source}": its loader stops here (ValueError)`);
      return value ?? source;
    },
  };
}

/** Explicit-tag constructors: not default, so the implicit resolvers above still type untagged scalars. */
const EXPLICIT_TAGS: ScalarTag[] = [
  explicit('tag:yaml.org,2002:float', 'a !!float', pythonFloat),
  explicit('tag:yaml.org,2002:int', 'an !!int', pythonInt),
  explicit('tag:yaml.org,2002:bool', 'a !!bool', (s) => (Object.hasOwn(PY_BOOL_TABLE, s.toLowerCase()) ? PY_BOOL_TABLE[s.toLowerCase()] : undefined)),
];

/** The `yaml` package's YAML 1.1 tags with PyYAML's bool, int and float in place of its own. */
export function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'string' || !REPLACED_TAGS.has(t.tag));
  return [...kept, pyBool, pyInt, pyFloat, ...EXPLICIT_TAGS];
}

interface BuildState {
  lines: LineCounter;
  problems: LoadProblem[];
  /** Each alias node's target, resolved once (see `checkAliasFanOut`). */
  targets: Map<YamlNode, YamlNode | undefined>;
  /**
   * Mappings whose duplicate keys are reported: an aliased mapping is built once per alias, and
   * its duplicates are one problem each, at the anchored mapping's keys.
   */
  checked: Set<YamlNode>;
}

function toRange(lines: LineCounter, start: number, end: number): Range {
  const a = lines.linePos(start);
  const b = lines.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

function nodeRange(state: BuildState, node: YamlNode | null | undefined, fallback: Range): Range {
  const r = node?.range;
  return r ? toRange(state.lines, r[0], r[1]) : fallback;
}

/** Thrown by `build` past MAX_DEPTH, with the range of the node that went too deep. */
class TooDeep extends Error {
  constructor(readonly range: Range) {
    super('too deep');
  }
}

/** The anchor name (`&name`) of a scalar, map or sequence, if any. */
function anchorOf(node: YamlNode): string | undefined {
  const anchor = (node as { anchor?: unknown }).anchor;
  return typeof anchor === 'string' && anchor !== '' ? anchor : undefined;
}

/** The children of a node in document order (a pair's key before its value). */
function childrenOf(node: YamlNode): YamlNode[] {
  const out: YamlNode[] = [];
  if (isSeq(node)) {
    for (const item of node.items) if (item != null) out.push(item as YamlNode);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (pair.key != null && typeof pair.key === 'object') out.push(pair.key as YamlNode);
      if (pair.value != null) out.push(pair.value as YamlNode);
    }
  }
  return out;
}

export interface AliasFanOut {
  /** Each alias node's target: the last node with that anchor before it (as in YAML). */
  targets: Map<YamlNode, YamlNode | undefined>;
  /** Set when the expansion is over a bound. */
  bomb?: { anchor: string; offset: number; message: string };
}

/**
 * The alias bound. One iterative pass over the written document (no recursion, so no stack limit)
 * resolves every alias and computes, bottom-up, how many nodes and characters each node expands
 * to. An alias inside the node it names (a cycle) expands without end. When the document expands
 * beyond the written nodes by more than MAX_ALIAS_NODES (or MAX_ALIAS_CHARS of scalar text), the
 * anchor whose aliases weigh most is reported, at its `&name`.
 */
export function checkAliasFanOut(doc: Document, text: string): AliasFanOut {
  const targets = new Map<YamlNode, YamlNode | undefined>();
  const root = doc.contents as YamlNode | null;
  if (!root) return { targets };
  const anchors = new Map<string, YamlNode>();
  const nodes = new Map<YamlNode, number>();
  const chars = new Map<YamlNode, number>();
  const refs = new Map<YamlNode, number>();
  let written = 0;
  let writtenChars = 0;
  // Pre-order (document order) to resolve aliases; post-order to sum sizes. A target that is not
  // an ancestor of its alias starts and ends before it, so its size is known when the alias is met.
  const stack: { node: YamlNode; exit: boolean }[] = [{ node: root, exit: false }];
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    if (!exit) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        targets.set(node, target);
        if (target) refs.set(target, (refs.get(target) ?? 0) + 1);
        nodes.set(node, target ? (nodes.get(target) ?? Infinity) : 1);
        chars.set(node, target ? (chars.get(target) ?? Infinity) : 0);
        continue;
      }
      const anchor = anchorOf(node);
      if (anchor) anchors.set(anchor, node);
      stack.push({ node, exit: true });
      const children = childrenOf(node);
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], exit: false });
      continue;
    }
    let n = 1;
    let c = isScalar(node) ? String(node.source ?? node.value ?? '').length : 0;
    written++;
    writtenChars += c;
    for (const child of childrenOf(node)) {
      n += nodes.get(child) ?? 1;
      c += chars.get(child) ?? 0;
    }
    nodes.set(node, n);
    chars.set(node, c);
  }
  const expanded = nodes.get(root) ?? 1;
  const expandedChars = chars.get(root) ?? 0;
  if (expanded - written <= MAX_ALIAS_NODES && expandedChars - writtenChars <= MAX_ALIAS_CHARS) return { targets };
  // The anchor whose direct aliases weigh most (size × number of aliases written).
  let worst: { node: YamlNode; weight: number } | undefined;
  for (const [node, count] of refs) {
    const weight = (nodes.get(node) ?? Infinity) * count;
    if (!worst || weight > worst.weight) worst = { node, weight };
  }
  const anchorNode = worst?.node ?? root;
  const name = anchorOf(anchorNode) ?? '?';
  const start = anchorNode.range?.[0] ?? 0;
  const at = text.lastIndexOf(`&${name}`, start);
  const count = refs.get(anchorNode) ?? 0;
  const size = nodes.get(anchorNode) ?? Infinity;
  const message = !Number.isFinite(size)
    ? `alias *${name} lies inside its own anchor &${name} and expands without end (resource exhaustion guard); the file is not read`
    : `${count} alias${count === 1 ? '' : 'es'} *${name} of anchor &${name} (${size} nodes each) expand the file ` +
      (expanded - written > MAX_ALIAS_NODES
        ? `to ${expanded} nodes, over the limit of ${MAX_ALIAS_NODES} nodes that aliases may add`
        : `to ${expandedChars} characters of text, over the limit of ${MAX_ALIAS_CHARS} characters that aliases may add`) +
      ' (resource exhaustion guard); the file is not read';
  return { targets, bomb: { anchor: name, offset: at >= 0 ? at : start, message } };
}

function scalarText(node: YamlNode): string {
  if (isScalar(node)) {
    if (typeof node.source === 'string') return node.source;
    return String(node.value);
  }
  return '';
}

function build(state: BuildState, node: YamlNode | null | undefined, depth: number, fallback: Range): ConfigNode {
  if (depth > MAX_DEPTH) throw new TooDeep(node && !isAlias(node) ? nodeRange(state, node, fallback) : fallback);
  if (node == null) {
    return { kind: 'scalar', value: null, source: '', plain: true, range: fallback };
  }
  if (isAlias(node)) {
    return build(state, state.targets.get(node), depth + 1, nodeRange(state, node, fallback));
  }
  const range = nodeRange(state, node, fallback);
  if (isScalar(node)) {
    let value = node.value;
    if (value instanceof Date) value = scalarText(node);
    if (typeof value === 'bigint') value = Number(value);
    if (value !== null && typeof value === 'object') value = scalarText(node);
    const source = typeof node.source === 'string' ? node.source : String(value ?? '');
    // An explicit tag (`!!str 100`, `!!float 1e-4`) types the scalar, not the resolver: it is not plain.
    if (node.tag) return { kind: 'scalar', value: value as ScalarNode['value'], source, plain: false, range, tag: shortTag(node.tag) };
    return {
      kind: 'scalar',
      value: value as ScalarNode['value'],
      source,
      plain: node.type === 'PLAIN',
      range,
    };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => build(state, item as YamlNode, depth + 1, range)), range };
  }
  if (isMap(node)) {
    const own: MapEntry[] = [];
    const merged: MapEntry[] = [];
    const seen = new Map<string, Range>();
    const report = !state.checked.has(node);
    state.checked.add(node);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyRange = nodeRange(state, keyNode, range);
      const key = keyNode && isScalar(keyNode) ? String(keyNode.value ?? '') : scalarText(keyNode as YamlNode);
      const isMerge = keyNode && isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN';
      if (isMerge) {
        const value = pair.value as YamlNode;
        const sources: YamlNode[] = isSeq(value) ? (value.items as YamlNode[]) : [value];
        mergeInto(merged, sources.map((source) => build(state, source, depth + 1, keyRange)));
        continue;
      }
      const first = seen.get(key);
      if (first) {
        if (report) {
          state.problems.push({
            kind: 'duplicate-key',
            message: `duplicate key "${key}" (first at line ${first.line}); the loader keeps the last value`,
            range: keyRange,
          });
        }
      } else {
        seen.set(key, keyRange);
      }
      own.push({ key, keyRange, value: build(state, pair.value as YamlNode, depth + 1, keyRange) });
    }
    // Merged entries come first so that explicit keys (later) win, as in PyYAML.
    return { kind: 'map', entries: [...merged, ...own], range };
  }
  return { kind: 'scalar', value: null, source: '', plain: true, range };
}

/** The offset of the first CR that is not followed by LF, or -1. */
function loneCarriageReturn(text: string): number {
  for (let at = text.indexOf('\r'); at >= 0 && at < text.length - 1; at = text.indexOf('\r', at + 1)) if (text[at + 1] !== '\n') return at;
  return -1;
}

/** `tag:yaml.org,2002:str` as it is usually written, `!!str`. */
function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/**
 * The offset where `[`/`{` flow collections first nest deeper than MAX_DEPTH, or -1. The yaml
 * package parses flow collections recursively and reports a stack overflow at a position that
 * depends on the caller's stack; this scan (quoted scalars and comments skipped) gives a stable
 * parse-error instead, before any recursion.
 */
export function flowTooDeep(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // A quoted scalar: skip to its closing quote (`\"` in double quotes, `''` in single ones).
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t' || text[i - 1] === '\n')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return -1;
}

/** yaml's YAML 1.1 timestamp (yaml-1.1/timestamp.js): a date, optionally a time and a zone. */
const YAML11_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|T|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:[ \t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/;

/** First characters that can begin a non-string plain scalar (null, bool, int, float, timestamp, merge), by code. */
const MAYBE_TYPED_FIRST = new Uint8Array(128);
for (const c of '-+.0123456789~<nNtTfFyYoO') MAYBE_TYPED_FIRST[c.charCodeAt(0)] = 1;

// The patterns are module constants: a regular expression literal in the function body would be a
// new RegExp object at every call, and this runs for every plain scalar of every YAML file.

/**
 * Plain scalars typed exactly as the `yaml` path types them in 1.1 mode (the first tag of its
 * schema, `pyyamlTags` of yaml's 1.1 tags, whose test matches: null, then timestamp, then PyYAML's
 * bool, int and float; the merge key only as a key), without loading the `yaml` package: it is
 * loaded only for what the fast path leaves to it (scripts/imports.mjs). Values the tree turns
 * into their source text (timestamps, merge keys of flow mappings: block ones are merged by the fast
 * path before typing) are left to the `yaml` path (LEAVE_TO_YAML).
 * __tests__/yaml-resolve.test.ts checks it against the schema itself.
 */
export const resolvePlain11: PlainResolver = (text, atKey) => {
  // Only these first characters can match a non-string tag (null, bool, int, float, timestamp, merge).
  const first = text.charCodeAt(0);
  if (!(first < 128 && MAYBE_TYPED_FIRST[first] === 1)) return text;
  // Starting with a letter (or `~`), only null and the booleans (`null`, `False`, `yes`, `off`…) are
  // not strings, and none is longer than five letters: a key such as `num_train_epochs` is a string.
  if (first >= 0x41) return text.length > 5 ? text : yaml11Word(text, first);
  // The commonest numbers (`8`, `-1`, `0.95`, `3.`), as the tags below type them.
  const number = plainNumber(text);
  if (number === number) return number;
  // First `-+.<` or a digit: the 1.1 null and PY_BOOL (`~`, a letter or nothing first) cannot match,
  // and YAML11_TIMESTAMP only after a digit.
  if ((first <= 0x39 && first >= 0x30 && YAML11_TIMESTAMP.test(text)) || (atKey && text === '<<')) return LEAVE_TO_YAML;
  if (PY_INT.test(text)) return resolvePyInt(text);
  if (PY_FLOAT.test(text)) return resolvePyFloat(text);
  return text;
};

/**
 * The words starting with a letter or `~` that the 1.1 tags type (yaml's 1.1 null, common/null.js:
 * `~`, `null`, `Null`, `NULL`; PY_BOOL: its booleans, true for PY_TRUE's spellings), for a text of
 * at most five characters whose first character code is `first`; any other text as it is.
 * Compared by first character, then whole: no hash of the text. __tests__/yaml-resolve.test.ts
 * checks them.
 */
function yaml11Word(text: string, first: number): string | boolean | null {
  switch (first) {
    case 0x7e: // ~
      return text.length === 1 ? null : text;
    case 0x6e: // n
      return text === 'null' ? null : text === 'no' ? false : text;
    case 0x4e: // N
      return text === 'Null' || text === 'NULL' ? null : text === 'No' || text === 'NO' ? false : text;
    case 0x79: // y
      return text === 'yes' ? true : text;
    case 0x59: // Y
      return text === 'Yes' || text === 'YES' ? true : text;
    case 0x74: // t
      return text === 'true' ? true : text;
    case 0x54: // T
      return text === 'True' || text === 'TRUE' ? true : text;
    case 0x66: // f
      return text === 'false' ? false : text;
    case 0x46: // F
      return text === 'False' || text === 'FALSE' ? false : text;
    case 0x6f: // o
      return text === 'on' ? true : text === 'off' ? false : text;
    case 0x4f: // O
      return text === 'On' || text === 'ON' ? true : text === 'Off' || text === 'OFF' ? false : text;
    default:
      return text;
  }
}

/** 10 ** k for k ≤ 22: exact doubles. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The value of `^[-+]?(?:0|[1-9][0-9]*)$` or `^[-+]?[0-9]+\.[0-9]*$` (a decimal integer without a
 * leading zero, PyYAML's octal, is an int; digits around one dot without an exponent a float), or
 * NaN for any other text. The value is Number(text): with at most 15 digits it is computed from
 * the digits, exactly (an integer below 2 ** 53 divided by an exact power of ten, one correctly
 * rounded division); longer ones go through Number().
 */
function plainNumber(text: string): number {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 0x2d || c === 0x2b) c = text.charCodeAt(++i);
  const digitsFrom = i;
  let m = 0;
  while (c >= 0x30 && c <= 0x39) {
    m = m * 10 + (c - 0x30);
    c = text.charCodeAt(++i);
  }
  const digits = i - digitsFrom;
  if (digits === 0) return NaN;
  let fraction = 0;
  if (i !== n) {
    if (c !== 0x2e) return NaN;
    c = text.charCodeAt(++i);
    const fractionFrom = i;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      c = text.charCodeAt(++i);
    }
    if (i !== n) return NaN;
    fraction = i - fractionFrom;
  } else if (digits > 1 && text.charCodeAt(digitsFrom) === 0x30) {
    return NaN;
  }
  if (digits + fraction > 15) return Number(text);
  const value = fraction === 0 ? m : m / POW10[fraction];
  return text.charCodeAt(0) === 0x2d ? -value : value;
}

export interface YamlLoadOptions {
  version?: YamlVersion;
}

/** The fast path alone (undefined when the text is outside its subset); for tests and benchmarks. */
export function loadYamlFastOnly(text: string): LoadResult | undefined {
  return loadYamlFast(text, resolvePlain11);
}

/** Parse YAML text into a ConfigNode tree; never throws. Only the first document is read. */
export function loadYaml(text: string, options: YamlLoadOptions = {}): LoadResult {
  const version = options.version ?? '1.1';
  // Most configs are plain block YAML: read those in one pass (same tree, same problems).
  if (version === '1.1') {
    const fast = loadYamlFast(text, resolvePlain11);
    if (fast) return fast;
  }
  return loadYamlWithYamlPackage(text, version);
}

/**
 * The tags of `doc` that `yaml`'s schema does not resolve (its TAG_RESOLVE_FAILED warnings, at the
 * tag as written). The schema is YAML 1.1's with PyYAML's scalars (`pyyamlTags`): what it resolves
 * is what PyYAML's SafeLoader constructs (str, int, float, bool, null, binary, timestamp, omap,
 * pairs, set, seq, map, merge); the non-specific `!` is resolved as PyYAML resolves it.
 */
function unresolvedTagsOf(doc: Document.Parsed, text: string, lines: LineCounter): UnresolvedTag[] {
  const out: UnresolvedTag[] = [];
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const tag = text.slice(w.pos[0], w.pos[1]);
    if (tag.startsWith('!')) out.push({ tag, range: toRange(lines, w.pos[0], w.pos[1]) });
  }
  return out;
}

/** The general path: the `yaml` package's Document, then the tree (also the reference the fast path is tested against). */
export function loadYamlWithYamlPackage(text: string, version: YamlVersion = '1.1'): LoadResult {
  const lines = new LineCounter();
  const problems: LoadProblem[] = [];
  const loneCr = loneCarriageReturn(text);
  if (loneCr >= 0) {
    const line = text.slice(0, loneCr).split('\n').length;
    const column = loneCr - text.lastIndexOf('\n', loneCr - 1);
    const message =
      'this line ends with a lone CR (a classic Mac OS line ending): PyYAML reads it as a line break, but trainlint reads lines ending in LF or CR LF only; convert the file to LF line endings';
    return { problems: [{ kind: 'parse-error', message, range: { line, column, endLine: line, endColumn: column + 1 } }] };
  }
  const deep = flowTooDeep(text);
  if (deep >= 0) {
    const line = text.slice(0, deep).split('\n').length;
    const column = deep - text.lastIndexOf('\n', deep - 1);
    return { problems: [{ kind: 'parse-error', message: `nesting deeper than ${MAX_DEPTH} levels`, range: { line, column, endLine: line, endColumn: column + 1 } }] };
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: false,
      ...(version === '1.1' ? { version: '1.1' as const, customTags: pyyamlTags } : { version: '1.2' as const }),
    }) as Document.Parsed[];
  } catch (err) {
    return { problems: [{ kind: 'parse-error', message: `YAML could not be parsed: ${(err as Error).message}`, range: toRange(lines, 0, 0) }] };
  }
  if (!Array.isArray(docs)) docs = [docs];
  const doc = docs[0];
  if (!doc) return { problems: [{ kind: 'parse-error', message: 'empty YAML file', range: toRange(lines, 0, 0) }] };
  for (const d of docs) {
    for (const err of d.errors) {
      problems.push({
        kind: 'parse-error',
        message: err.message.split('\n')[0],
        range: toRange(lines, err.pos[0], err.pos[1]),
      });
    }
  }
  if (problems.length > 0) return { problems };
  const aliases = checkAliasFanOut(doc, text);
  if (aliases.bomb) {
    const at = aliases.bomb.offset;
    return { problems: [{ kind: 'parse-error', message: aliases.bomb.message, range: toRange(lines, at, at + aliases.bomb.anchor.length + 1) }] };
  }
  const state: BuildState = { lines, problems, targets: aliases.targets, checked: new Set() };
  try {
    const tree = build(state, doc.contents as YamlNode | null, 0, toRange(lines, 0, 0));
    const unresolvedTags = unresolvedTagsOf(doc, text, lines);
    return unresolvedTags.length > 0 ? { tree, problems, unresolvedTags } : { tree, problems };
  } catch (err) {
    if (err instanceof TooDeep) {
      return { problems: [{ kind: 'parse-error', message: `nesting deeper than ${MAX_DEPTH} levels`, range: err.range }] };
    }
    if (err instanceof RangeError) {
      return { problems: [{ kind: 'parse-error', message: `nested too deeply (limit ${MAX_DEPTH})`, range: toRange(lines, 0, 0) }] };
    }
    throw err;
  }
}
