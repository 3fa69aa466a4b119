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
import { MAX_DEPTH, type LoadProblem, type LoadResult } from './result.js';
import { loadYamlFast, type PlainResolver } from './yaml-fast.js';

export type YamlVersion = '1.1' | '1.2';

/** Alias expansions allowed per file before the file is treated as an alias bomb. */
const MAX_ALIAS_EXPANSIONS = 10_000;

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
const pyBool: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: PY_BOOL,
  resolve: (s: string) => /^(?:yes|true|on)$/i.test(s),
};

const REPLACED_TAGS = new Set(['tag:yaml.org,2002:float', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:bool']);

function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'string' || !REPLACED_TAGS.has(t.tag));
  return [...kept, pyBool, pyInt, pyFloat];
}

interface BuildState {
  lines: LineCounter;
  problems: LoadProblem[];
  doc: Document;
  aliasExpansions: number;
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

class TooDeep extends Error {}
class AliasBomb extends Error {}

function scalarText(node: YamlNode): string {
  if (isScalar(node)) {
    if (typeof node.source === 'string') return node.source;
    return String(node.value);
  }
  return '';
}

function build(state: BuildState, node: YamlNode | null | undefined, depth: number, fallback: Range): ConfigNode {
  if (depth > MAX_DEPTH) throw new TooDeep();
  if (node == null) {
    return { kind: 'scalar', value: null, source: '', plain: true, range: fallback };
  }
  if (isAlias(node)) {
    state.aliasExpansions++;
    if (state.aliasExpansions > MAX_ALIAS_EXPANSIONS) throw new AliasBomb();
    const target = node.resolve(state.doc);
    return build(state, target, depth + 1, nodeRange(state, node, fallback));
  }
  const range = nodeRange(state, node, fallback);
  if (isScalar(node)) {
    let value = node.value;
    if (value instanceof Date) value = scalarText(node);
    if (typeof value === 'bigint') value = Number(value);
    if (value !== null && typeof value === 'object') value = scalarText(node);
    const source = typeof node.source === 'string' ? node.source : String(value ?? '');
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
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyRange = nodeRange(state, keyNode, range);
      const key = keyNode && isScalar(keyNode) ? String(keyNode.value ?? '') : scalarText(keyNode as YamlNode);
      const isMerge = keyNode && isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN';
      if (isMerge) {
        merged.push(...mergeSources(state, pair.value as YamlNode, depth + 1, keyRange));
        continue;
      }
      const first = seen.get(key);
      if (first) {
        state.problems.push({
          kind: 'duplicate-key',
          message: `duplicate key "${key}" (first at line ${first.line}); the loader keeps the last value`,
          range: keyRange,
        });
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

function mergeSources(state: BuildState, value: YamlNode, depth: number, keyRange: Range): MapEntry[] {
  const sources: YamlNode[] = isSeq(value) ? (value.items as YamlNode[]) : [value];
  const out: MapEntry[] = [];
  // PyYAML: in a sequence of merges, earlier maps win over later ones.
  for (const source of [...sources].reverse()) {
    const built = build(state, source, depth, keyRange);
    if (built.kind === 'map') out.push(...built.entries);
  }
  return out;
}

let pyyamlSchemaTags: ScalarTag[] | undefined;

/**
 * Plain scalars typed exactly as the `yaml` path types them in 1.1 mode: the first tag of the
 * same schema (yaml's 1.1 tags with PyYAML's bool, int and float) whose test matches. Values
 * the tree turns into their source text (timestamps, merge keys) are left to the `yaml` path.
 */
const resolvePlain11: PlainResolver = (text, atKey) => {
  // Only these first characters can match a non-string tag (null, bool, int, float, timestamp, merge).
  if (!/^[-+.0-9~<nNtTfFyYoO]/.test(text)) return { value: text };
  pyyamlSchemaTags ??= new Document(undefined, { version: '1.1', customTags: pyyamlTags }).schema.tags as ScalarTag[];
  const tag = pyyamlSchemaTags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(text));
  if (!tag) return { value: text };
  let failed = false;
  const resolved = tag.resolve(text, () => (failed = true), {});
  const value = isScalar(resolved) ? resolved.value : resolved;
  if (failed || (value !== null && typeof value === 'object') || typeof value === 'bigint') return undefined;
  return { value: value as string | number | boolean | null };
};

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

/** The general path: the `yaml` package's Document, then the tree (also the reference the fast path is tested against). */
export function loadYamlWithYamlPackage(text: string, version: YamlVersion = '1.1'): LoadResult {
  const lines = new LineCounter();
  const problems: LoadProblem[] = [];
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
  const state: BuildState = { lines, problems, doc, aliasExpansions: 0 };
  try {
    const tree = build(state, doc.contents as YamlNode | null, 0, toRange(lines, 0, 0));
    return { tree, problems };
  } catch (err) {
    if (err instanceof TooDeep) {
      return { problems: [{ kind: 'parse-error', message: `nesting deeper than ${MAX_DEPTH} levels`, range: toRange(lines, 0, 0) }] };
    }
    if (err instanceof AliasBomb || err instanceof RangeError) {
      return {
        problems: [
          {
            kind: 'parse-error',
            message: `more than ${MAX_ALIAS_EXPANSIONS} alias expansions or nesting too deep (resource exhaustion guard)`,
            range: toRange(lines, 0, 0),
          },
        ],
      };
    }
    throw err;
  }
}
