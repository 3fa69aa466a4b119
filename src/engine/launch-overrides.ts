/**
 * Values a launch command gives a config it names, which the framework applies over the file: the
 * flags after a Hugging Face / TRL YAML (`python train.py sft.yaml --learning_rate 2e-5`, `--config x.yaml
 * --deepspeed ds.json`: HfArgumentParser / TrlParser), LLaMA-Factory's `key=value` words
 * (`llamafactory-cli train x.yaml learning_rate=2e-5`: OmegaConf.from_cli merged over the YAML), axolotl's
 * options (`axolotl train x.yml --learning-rate 2e-5`: click, then load_cfg writes them into the config).
 *
 * `withOverrides` gives the config as that launch runs it: a copy of its tree with each overridden value
 * replaced (copy-on-write). The replaced scalars are registered here, so the plan helpers (engine/plan.ts)
 * give their Settings origin 'launcher', the script's file:line and the flag as written, instead of the
 * config's. Pure: no I/O.
 */
import type { SourceFile } from './source.js';
import { mapGet, type ConfigNode, type MapNode, type ScalarNode, type ScalarValue, type SeqNode } from './tree.js';
import type { Range, Setting } from './types.js';

/**
 * How a framework reads what follows its config on the command line: 'argparse' (HfArgumentParser /
 * TrlParser: `--key value`, `--key=value`, a bare `--flag` is true), 'click' (axolotl's CLI: the same, and
 * `--no-flag` is false; `--key-name` is `key_name`, `--trl.beta` is `trl.beta`), 'dotlist' (OmegaConf's
 * `key=value` words, YAML-typed), 'mmengine' (OpenMMLab's `tools/train.py`: `--auto-scale-lr`, `--amp` and
 * `--cfg-options k=v …`, merged into the config after its `_base_` chain).
 */
export type OverrideStyle = 'argparse' | 'click' | 'dotlist' | 'mmengine';

/** One value a launch command writes over its config. */
export interface LaunchOverride {
  /** How the command writes it: a dialect applies the styles its framework reads (DialectMeta.launchOverrides). */
  style: OverrideStyle;
  /** The key path in the config (`learning_rate`, `trl.beta`). */
  path: string[];
  /** The value as the framework types it. */
  value: ScalarValue;
  /** The value as written. */
  text: string;
  /** The flag as written (`--learning_rate`, `--no-bf16`), or a `key=value` word's key (`learning_rate`). */
  flag: string;
  /** The launch script, and where the flag is written in it. */
  file: string;
  range: Range;
  /** "the launch command at scripts/train.sh:4". */
  where: string;
}

/** Override scalars → what wrote them (only nodes created by withOverrides are in it). */
const registry = new WeakMap<ScalarNode, LaunchOverride & { replaced?: string }>();
/**
 * Whether a scalar was ever registered: until a launch command overrides a value (most runs: never),
 * no node is an override, and the plan helpers' read of every scalar needs no lookup.
 */
let registered = false;

/** What wrote this scalar, when a launch command gave it (withOverrides). */
export function overrideOf(node: ConfigNode | undefined): (LaunchOverride & { replaced?: string }) | undefined {
  return registered && node?.kind === 'scalar' ? registry.get(node) : undefined;
}

/**
 * A Setting for a value a launch command gave: origin 'launcher', the script's file and the flag's place,
 * the flag as written; the note says what it replaced. Undefined for a scalar the config itself holds.
 */
export function overrideSetting<T extends number | string | boolean>(node: ConfigNode | undefined, value: T, note?: string): Setting<T> | undefined {
  const o = overrideOf(node);
  if (!o) return undefined;
  const over = o.replaced !== undefined ? `, over ${o.path.join('.')}: ${o.replaced} in the config` : '';
  return { value, origin: 'launcher', file: o.file, key: o.flag, range: o.range, note: `from ${o.where}${over}${note ? `; ${note}` : ''}` };
}

/** A value typed as the style's parser types it. */
export function typeOverride(text: string, style: OverrideStyle): ScalarValue {
  const t = text.trim();
  if (/^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/.test(t)) {
    const n = Number(t.replace(/_/g, ''));
    if (Number.isFinite(n)) return n;
  }
  if (/^(?:true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (style === 'dotlist') {
    // OmegaConf's loader keeps YAML 1.1 booleans and null.
    if (/^(?:yes|on)$/i.test(t)) return true;
    if (/^(?:no|off)$/i.test(t)) return false;
    if (/^(?:null|~)$/i.test(t)) return null;
  }
  return text;
}

/**
 * A `--cfg-options` value as mmengine's DictAction parses it (`_parse_iterable`): quotes stripped from the ends and
 * spaces removed; `[a,b]` is a list and `(a,b)` a tuple (nested brackets too), `a,b` a list, anything else one
 * value (`_parse_int_float_bool`: int, float, True/False, None, else the text). Undefined for one value.
 */
export function dictActionIterable(text: string): DictActionValue[] | undefined {
  const val = trimQuotes(text).replace(/ /g, '');
  const parsed = parseIterable(val);
  return Array.isArray(parsed) ? parsed : undefined;
}

/** `text` without the quote characters at its ends (a scan: `/['"]+$/` backtracks quadratically on a run of quotes). */
function trimQuotes(text: string): string {
  const quote = (c: string | undefined): boolean => c === '"' || c === "'";
  let start = 0;
  let end = text.length;
  while (start < end && quote(text[start])) start++;
  while (end > start && quote(text[end - 1])) end--;
  return text.slice(start, end);
}

/** One value of a DictAction list: a scalar, or a nested list or tuple. */
export type DictActionValue = ScalarValue | DictActionValue[];

function parseIterable(val: string): DictActionValue {
  const bracketed = (val.startsWith('(') && val.endsWith(')')) || (val.startsWith('[') && val.endsWith(']'));
  if (!bracketed && !val.includes(',')) return dictActionScalar(val);
  const inner = bracketed ? val.slice(1, -1) : val;
  const items: DictActionValue[] = [];
  let rest = inner;
  while (rest.length > 0) {
    const end = nextComma(rest);
    items.push(parseIterable(rest.slice(0, end)));
    rest = rest.slice(end + 1);
  }
  return items;
}

/** The next comma outside brackets (DictAction's find_next_comma), or the length. */
function nextComma(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return text.length;
}

/** DictAction._parse_int_float_bool. */
function dictActionScalar(t: string): ScalarValue {
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^(?:true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (t === 'None') return null;
  return t;
}

function scalarFor(o: LaunchOverride, replaced?: ConfigNode): ScalarNode | SeqNode {
  const was = replaced ? writtenText(replaced) : undefined;
  const info = { ...o, ...(was !== undefined ? { replaced: was } : {}) };
  const range = replaced?.range ?? o.range;
  // mmengine's DictAction makes `[24,33]` (or `24,33`) a list: each item is the launcher's.
  const list = o.style === 'mmengine' ? dictActionIterable(o.text) : undefined;
  if (list) return seqFor(list, info, range);
  // Not `plain`: the value was never YAML text, so yaml11-ambiguous-scalar has nothing to say about it.
  const node: ScalarNode = { kind: 'scalar', value: o.value, source: o.text, plain: false, range };
  registered = true;
  registry.set(node, info);
  return node;
}

/** A replaced value as the note names it: its text, a list of scalars as `[8, 11]`. */
function writtenText(node: ConfigNode): string {
  if (node.kind === 'scalar') return node.source;
  if (node.kind === 'seq' && node.items.every((i) => i.kind === 'scalar')) return `[${node.items.map((i) => (i as ScalarNode).source).join(', ')}]`;
  return '(a mapping or list)';
}

function seqFor(items: DictActionValue[], info: LaunchOverride & { replaced?: string }, range: Range): SeqNode {
  return {
    kind: 'seq',
    range,
    items: items.map((item) => {
      if (Array.isArray(item)) return seqFor(item, info, range);
      const node: ScalarNode = { kind: 'scalar', value: item, source: item === null ? 'None' : String(item), plain: false, range };
      registered = true;
      registry.set(node, info);
      return node;
    }),
  };
}

/**
 * `node` with `path` set to the override: mappings are entered or created; a list element is entered by its
 * index only for mmengine's `--cfg-options` (merge_from_dict(allow_list_keys=True): `param_scheduler.1.end=36`;
 * an index past the end raises KeyError there, and is not applied here). Undefined when something is in the way.
 */
function setNode(node: ConfigNode | undefined, path: string[], o: LaunchOverride, within: Range): ConfigNode | undefined {
  if (path.length === 0) return scalarFor(o, node);
  if (!node) return setIn({ kind: 'map', entries: [], range: within }, path, o);
  if (node.kind === 'map') return setIn(node, path, o);
  const [key, ...rest] = path;
  if (node.kind !== 'seq' || o.style !== 'mmengine' || !/^\d+$/.test(key)) return undefined;
  const at = Number(key);
  if (at >= node.items.length) return undefined;
  const item = setNode(node.items[at], rest, o, node.range);
  if (!item) return undefined;
  const items = [...node.items];
  items[at] = item;
  return { ...node, items };
}

/** `map` with `path` set to the override (new mappings on the way), or undefined when a scalar is in the way. */
function setIn(map: MapNode, path: string[], o: LaunchOverride): MapNode | undefined {
  const [key, ...rest] = path;
  const entry = mapGet(map, key);
  let value: ConfigNode | undefined;
  if (rest.length === 0) value = scalarFor(o, entry?.value);
  else value = setNode(entry?.value, rest, o, map.range);
  if (!value) return undefined;
  // The last entry wins (mapGet): replace it in place, or append a new key at the mapping's start.
  const at = entry ? map.entries.lastIndexOf(entry) : -1;
  const entries = [...map.entries];
  if (at >= 0) entries[at] = { ...entry!, value };
  else entries.push({ key, keyRange: { ...map.range, endLine: map.range.line, endColumn: map.range.column }, value });
  return { ...map, entries };
}

/**
 * The config as the launch runs it: its tree with the overrides applied in order (the last of a key wins,
 * as the parsers do). The file is returned as is when nothing applies.
 */
export function withOverrides(file: SourceFile, overrides: readonly LaunchOverride[]): SourceFile {
  if (overrides.length === 0 || file.tree?.kind !== 'map') return file;
  const applied = (start: MapNode): MapNode => {
    let tree = start;
    for (const o of overrides) tree = (o.path.length > 0 && o.path.every((k) => k !== '') && setIn(tree, o.path, o)) || tree;
    return tree;
  };
  const tree = applied(file.tree);
  // A config with bases (MMEngine's `_base_`): the framework merges the command line into the merged
  // configuration, which is what its dialect reads (config-view.ts viewOf).
  const inherited = file.inherited ? { ...file.inherited, tree: applied(file.inherited.tree) } : undefined;
  if (tree === file.tree && inherited?.tree === file.inherited?.tree) return file;
  return { ...file, tree, ...(inherited ? { inherited } : {}) };
}

/**
 * The program a launch command runs on a config it names, as far as the command shows it: a framework front
 * end (`trl sft`), the Python file or module (`src/open_r1/grpo.py`, `trl.scripts.sft`), and how the config
 * is named (`--config x.yaml`, or a positional path). A dialect whose framework's loader depends on the
 * program (a Hugging Face YAML read by TrlParser or by HfArgumentParser.parse_yaml_file) reads it with
 * launchProgramOf. Pure data, from the script's text.
 */
export interface LaunchProgram {
  /** The front end that started it (`trl sft`, `swift sft`), when one did. */
  cli?: string;
  /** The Python file (`src/open_r1/grpo.py`) or `-m` module (`trl.scripts.sft`) it runs. */
  program?: string;
  /** The flag that names this config (`--config`), or '' for a positional path. */
  configFlag: string;
  /** "scripts/train.sh:4". */
  where: string;
}

/** Config files as launched → the program that reads them (only files created by withProgram are in it). */
const programs = new WeakMap<SourceFile, LaunchProgram>();

/** A copy of `file` that remembers the program its launch runs on it. */
export function withProgram(file: SourceFile, program: LaunchProgram): SourceFile {
  const copy = { ...file };
  programs.set(copy, program);
  return copy;
}

/** The program a launch runs on this config, when the file is a launch's view of it (withProgram). */
export function launchProgramOf(file: SourceFile): LaunchProgram | undefined {
  return programs.get(file);
}
