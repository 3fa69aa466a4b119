/**
 * OmegaConf, statically: reads a config block and resolves its interpolations as OmegaConf resolves
 * them for the training script: absolute references `${a.b.c}`, relative ones `${.x}` / `${..x}`,
 * `${oc.select:key,default}`, and the custom resolvers a dialect names (NeMo's `${multiply:a,b}`).
 * Anything else (`${oc.env:X}`, a string with an interpolation inside, a cycle) stays unresolved,
 * with a note: its value is unknown, never guessed. Nothing is executed. Used by the composer,
 * torchtune, olmo, verl and nemo dialects.
 *
 * The block may be a file's own tree or a Hydra composition (engine/hydra/compose.ts): then each key
 * carries the file (or command-line override) that wrote it, and Settings point there.
 */
import { overrideSetting } from './launch-overrides.js';
import type { YamlLoader } from '../dialects/types.js';
import { scalarNumber } from './plan.js';
import type { SourceFile } from './source.js';
import { mapGet, type ConfigNode, type MapEntry, type ScalarNode } from './tree.js';
import type { EntrySource } from './hydra/compose.js';
import { splitTopLevel, typePrimitive } from './hydra/overrides.js';
import type { KeyPath, Origin, Range, Setting } from './types.js';
// ---------------------------------------------------------------------------------------------

const MAX_REF_DEPTH = 10;
/**
 * Most references and resolver arguments one lookup follows: a resolver whose arguments name keys
 * that are resolvers of the same kind (`${multiply:${a},${a},…}` a few levels deep) would otherwise
 * be evaluated an exponential number of times.
 */
export const MAX_REF_STEPS = 1000;
/** A reference: absolute `a.b.c` or relative `.a` / `..a.b` (no resolver `x:`). */
const REF = /^(\.*)([A-Za-z_][\w-]*(?:\.[\w-]+)*)?$/;
/** A resolver call `name:args`. */
const RESOLVER = /^\s*([A-Za-z_][\w.]*):([^]*)$/;

/** A custom resolver over numbers (`multiply`), as the framework registers it. */
export type NumericResolver = (args: number[]) => number | undefined;

export interface OmegaReaderOptions {
  /** The file (or override) of each key, for a composed config. */
  sources?: ReadonlyMap<MapEntry, EntrySource>;
  /** Resolvers the framework registers, by name. `oc.select` is OmegaConf's own and always known. */
  resolvers?: Record<string, NumericResolver>;
}

export interface OmegaHit {
  /** The node the key finally holds, after references were followed. */
  node: ConfigNode;
  /** Range of the key as written at the requested path. */
  keyRange: Range;
  /** The entry of the requested key (undefined for the block root or a sequence item). */
  entry?: MapEntry;
  /** "interpolated from `${variables.max_seq_len}` (line 4)" when references were followed. */
  via?: string;
  /** Why a reference was left unresolved (the value is then unknown). */
  unresolved?: string;
}

/** The result of evaluating an interpolation. */
type Evaluated =
  | { ok: true; node: ConfigNode; path?: string[]; range?: Range; how: string }
  | { ok: false; why: string };

interface Located {
  node: ConfigNode;
  keyRange: Range;
  entry?: MapEntry;
}

/**
 * Reads values of an OmegaConf config that lives at `prefix` in a file (`[]`, or
 * `['parameters']` for an mcli run file). References are resolved from the block root, as
 * OmegaConf resolves them in the YAML the training script receives. Unresolvable references
 * are collected in `notes`.
 */
export class OmegaReader {
  readonly notes: string[] = [];
  /** References and resolver arguments followed by the current lookup. */
  private steps = 0;

  constructor(
    readonly file: SourceFile,
    readonly prefix: KeyPath,
    readonly root: ConfigNode,
    readonly loader: YamlLoader = 'omegaconf',
    readonly options: OmegaReaderOptions = {},
  ) {}

  /** The key as written in the file (with the block prefix). */
  key(path: KeyPath): string {
    // `[...prefix, ...path].join('.')`, without the joined copy.
    if (this.prefix.length === 0) return path.join('.');
    if (path.length === 0) return this.prefix.join('.');
    return `${this.prefix.join('.')}.${path.join('.')}`;
  }

  /** Where the entry was written: this file, another composed file, or an override. */
  sourceOf(entry: MapEntry | undefined): EntrySource | undefined {
    return entry ? this.options.sources?.get(entry) : undefined;
  }

  private locate(path: KeyPath): Located | undefined {
    let node: ConfigNode = this.root;
    let keyRange = this.root.range;
    let entry: MapEntry | undefined;
    for (const step of path) {
      if (node.kind === 'map') {
        const e = mapGet(node, String(step));
        if (!e) return undefined;
        entry = e;
        node = e.value;
        keyRange = e.keyRange;
      } else if (node.kind === 'seq' && typeof step === 'number') {
        const item: ConfigNode | undefined = node.items[step];
        if (!item) return undefined;
        entry = undefined;
        node = item;
        keyRange = item.range;
      } else {
        return undefined;
      }
    }
    return { node, keyRange, entry };
  }

  lookup(path: KeyPath): OmegaHit | undefined {
    const hit = this.locate(path);
    if (!hit) return undefined;
    // Fields in the order `{ node, keyRange, entry?, unresolved? | via? }`, written out (no spreads).
    const { keyRange, entry } = hit;
    const node = hit.node;
    if (node.kind !== 'scalar' || typeof node.value !== 'string' || !node.value.includes('${')) return entry ? { node, keyRange, entry } : { node, keyRange };
    this.steps = 0;
    const r = this.evaluateString(node.value, path.map(String), [], 0);
    if (!r.ok) return entry ? { node, keyRange, entry, unresolved: r.why } : { node, keyRange, unresolved: r.why };
    return entry ? { node: r.node, keyRange, entry, via: r.how } : { node: r.node, keyRange, via: r.how };
  }

  /** A string value that holds an interpolation: the whole string must be one `${…}`. */
  private evaluateString(text: string, at: string[], chain: string[], depth: number): Evaluated {
    const t = text.trim();
    const body = wholeInterpolation(t);
    if (body === undefined) return { ok: false, why: `\`${shorten(t)}\` is an OmegaConf resolver or string interpolation; trainlint does not evaluate it` };
    if (depth >= MAX_REF_DEPTH) return { ok: false, why: `\`${shorten(t)}\`: references nested deeper than ${MAX_REF_DEPTH}` };
    return this.evaluate(body, t, at, chain, depth);
  }

  private evaluate(body: string, text: string, at: string[], chain: string[], depth: number): Evaluated {
    if (depth >= MAX_REF_DEPTH) return { ok: false, why: `\`${shorten(text)}\`: references nested deeper than ${MAX_REF_DEPTH}` };
    if (++this.steps > MAX_REF_STEPS) return { ok: false, why: `\`${shorten(text)}\`: more than ${MAX_REF_STEPS} references to follow` };
    const resolver = RESOLVER.exec(body);
    if (resolver) return this.callResolver(resolver[1], resolver[2], text, at, chain, depth);
    const ref = REF.exec(body.trim());
    if (!ref || ref[2] === undefined) return { ok: false, why: `\`${shorten(text)}\` is an OmegaConf resolver or string interpolation; trainlint does not evaluate it` };
    const target = this.refPath(ref[1].length, ref[2], at);
    const key = target.join('.');
    if (chain.includes(key)) return { ok: false, why: `\`${shorten(text)}\` is a circular reference` };
    const hit = this.locate(target);
    if (!hit) return { ok: false, why: `\`${shorten(text)}\` names no key in ${this.options.sources ? 'the composed config' : 'this file'}` };
    return this.follow(hit, target, ref[1] + ref[2], text, chain, depth);
  }

  /** Follow a reference to `hit` (which may itself hold a reference). */
  private follow(hit: Located, target: string[], written: string, text: string, chain: string[], depth: number): Evaluated {
    const where = this.where(target, hit);
    if (hit.node.kind === 'scalar' && typeof hit.node.value === 'string' && hit.node.value.includes('${')) {
      const inner = this.evaluateString(hit.node.value, target, [...chain, target.join('.')], depth + 1);
      if (!inner.ok) return inner;
      // Keep the first hop's text and the last hop's key, as before: "interpolated from `${a}` (c, line 9)".
      return { ...inner, how: inner.how.replace(/^interpolated from `\$\{[^`]*\}`/, `interpolated from \`\${${written}}\``) };
    }
    return { ok: true, node: hit.node, path: target, range: hit.keyRange, how: `interpolated from \`\${${written}}\` (${where})` };
  }

  /** "variables.base, line 20" (with the file when the key is in another composed file). */
  private where(target: string[], hit: Located): string {
    const src = this.sourceOf(hit.entry);
    const file = src && src.file !== this.file.path ? `${src.file}:` : 'line ';
    return `${this.key(target)}, ${file}${hit.keyRange.line}`;
  }

  /** The absolute path a reference names; relative references count dots from the key's mapping. */
  private refPath(leadingDots: number, rest: string, at: string[]): string[] {
    const parts = rest.split('.');
    if (leadingDots === 0) return parts;
    const container = at.slice(0, Math.max(0, at.length - leadingDots));
    return [...container, ...parts];
  }

  private callResolver(name: string, rawArgs: string, text: string, at: string[], chain: string[], depth: number): Evaluated {
    const args = splitTopLevel(rawArgs, ',').map((a) => a.trim());
    if (name === 'oc.select') {
      const keyText = args[0] ?? '';
      const ref = REF.exec(keyText.trim());
      if (!ref || ref[2] === undefined) return { ok: false, why: `\`${shorten(text)}\`: oc.select needs a key` };
      const target = this.refPath(ref[1].length, ref[2], at);
      const hit = this.locate(target);
      if (hit && !(hit.node.kind === 'scalar' && hit.node.value === '???')) {
        const followed = this.follow(hit, target, `oc.select:${keyText}`, text, chain, depth);
        return followed.ok ? { ...followed, how: followed.how.replace(/^interpolated from/, 'selected by') } : followed;
      }
      const fallback = args.length > 1 ? args.slice(1).join(',') : undefined;
      if (fallback === undefined) {
        return { ok: true, node: scalar(null, 'null'), how: `\`${shorten(text)}\`: ${keyText} is not set, so it is None` };
      }
      const inner = wholeInterpolation(fallback);
      if (inner !== undefined) {
        const r = this.evaluate(inner, fallback, at, chain, depth + 1);
        return r.ok ? { ...r, how: `\`${shorten(text)}\`: ${keyText} is not set; the default ${r.how}` } : r;
      }
      const value = typePrimitive(unquote(fallback));
      return { ok: true, node: scalar(value, fallback), how: `\`${shorten(text)}\`: ${keyText} is not set, so the default ${fallback} applies` };
    }
    const fn = this.options.resolvers?.[name];
    if (!fn) {
      return { ok: false, why: `\`${shorten(text)}\` is an OmegaConf resolver or string interpolation; trainlint does not evaluate it` };
    }
    const values: number[] = [];
    const parts: string[] = [];
    for (const arg of args) {
      const inner = wholeInterpolation(arg);
      let node: ConfigNode;
      if (inner !== undefined) {
        const r = this.evaluate(inner, arg, at, chain, depth + 1);
        if (!r.ok) return r;
        node = r.node;
      } else {
        node = scalar(typePrimitive(unquote(arg)), arg);
      }
      const num = node.kind === 'scalar' ? scalarNumber(node, 'omegaconf') : undefined;
      if (!num) return { ok: false, why: `\`${shorten(text)}\`: ${arg} is not a number` };
      values.push(num.value);
      parts.push(`${arg} = ${String(num.value)}`);
    }
    const out = fn(values);
    if (out === undefined || !Number.isFinite(out)) return { ok: false, why: `\`${shorten(text)}\` does not give a number` };
    return { ok: true, node: scalar(out, String(out)), how: `computed by \`${shorten(text)}\` (${parts.join(', ')})` };
  }

  private unresolvedNote(path: KeyPath, hit: OmegaHit): void {
    if (hit.unresolved) this.notes.push(`${this.key(path)}: ${hit.unresolved}, so its value is unknown`);
  }

  /** File, origin and override note of a Setting read at the hit's key. */
  private settingBase(path: KeyPath, hit: OmegaHit): { origin: Origin; file: string; key: string; range: Range; note?: string } {
    // A value a launch command writes over the config (`tune run … optimizer.lr=1e-4`, engine/launch-overrides.ts).
    const launched = overrideSetting(hit.node, 0);
    if (launched) return { origin: 'launcher', file: launched.file!, key: launched.key!, range: launched.range!, note: launched.note };
    const src = this.sourceOf(hit.entry);
    const origin: Origin = src?.override?.origin ?? 'explicit';
    const overrideNote = src?.override && src.file !== this.file.path ? `Hydra override \`${src.override.text}\` at ${src.file}:${src.override.range.line}` : undefined;
    const base: { origin: Origin; file: string; key: string; range: Range; note?: string } = { origin, file: src?.file ?? this.file.path, key: this.key(path), range: hit.keyRange };
    if (overrideNote) base.note = overrideNote;
    return base;
  }

  /** A numeric Setting (OmegaConf typing), following references. */
  number(path: KeyPath): Setting<number> | undefined {
    const hit = this.lookup(path);
    if (!hit) return undefined;
    this.unresolvedNote(path, hit);
    if (hit.unresolved || hit.node.kind !== 'scalar') return undefined;
    const num = scalarNumber(hit.node, this.loader);
    if (!num) return undefined;
    const base = this.settingBase(path, hit);
    const note = joinNotes(base.note, hit.via, num.note);
    // `{ value, ...base, valueRange?, note? }` field by field: a note the base has keeps its place before valueRange.
    const setting: Setting<number> = { value: num.value, origin: base.origin, file: base.file, key: base.key, range: base.range };
    if (base.note) setting.note = note;
    // A literal written under this key may be rewritten by --fix; an interpolated one lives elsewhere.
    if (!hit.via) setting.valueRange = hit.node.range;
    if (note && !base.note) setting.note = note;
    return setting;
  }

  /** A string (or any scalar, as text) Setting, following references; null is absent. */
  string(path: KeyPath): Setting<string> | undefined {
    const hit = this.lookup(path);
    if (!hit) return undefined;
    this.unresolvedNote(path, hit);
    if (hit.unresolved || hit.node.kind !== 'scalar' || hit.node.value === null) return undefined;
    const base = this.settingBase(path, hit);
    const note = joinNotes(base.note, hit.via);
    const setting: Setting<string> = { value: String(hit.node.value), origin: base.origin, file: base.file, key: base.key, range: base.range };
    if (note) setting.note = note;
    return setting;
  }

  /** The raw scalar (after references) with the Setting fields, for values that may be a number or a string. */
  scalar(path: KeyPath): { value: string | number | boolean; setting: Omit<Setting, 'value'> } | undefined {
    const hit = this.lookup(path);
    if (!hit) return undefined;
    this.unresolvedNote(path, hit);
    if (hit.unresolved || hit.node.kind !== 'scalar' || hit.node.value === null) return undefined;
    const base = this.settingBase(path, hit);
    const note = joinNotes(base.note, hit.via);
    const setting: Omit<Setting, 'value'> = { origin: base.origin, file: base.file, key: base.key, range: base.range };
    if (note) setting.note = note;
    return { value: hit.node.value, setting };
  }

  has(path: KeyPath): boolean {
    return this.locate(path) !== undefined;
  }
}

/** `[a, b, c].filter(Boolean).join('; ')`, without the array. */
function joinNotes(a: string | undefined, b: string | undefined, c?: string): string {
  let out = a || '';
  if (b) out = out ? `${out}; ${b}` : b;
  if (c) out = out ? `${out}; ${c}` : c;
  return out;
}

/** Long interpolations in messages: the first 200 characters. */
function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function scalar(value: ScalarNode['value'], source: string): ScalarNode {
  return { kind: 'scalar', value, source, plain: true, range: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
}

function unquote(text: string): string {
  const t = text.trim();
  return (t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"')) ? t.slice(1, -1) : t;
}

/** The body of `text` when it is exactly one `${…}` (braces balanced), else undefined. */
export function wholeInterpolation(text: string): string | undefined {
  const t = text.trim();
  if (!t.startsWith('${') || !t.endsWith('}')) return undefined;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '$' && t[i + 1] === '{') {
      depth++;
      i++;
    } else if (t[i] === '{') depth++;
    else if (t[i] === '}') {
      depth--;
      if (depth === 0 && i !== t.length - 1) return undefined;
    }
  }
  return depth === 0 ? t.slice(2, -1) : undefined;
}
