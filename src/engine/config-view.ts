/**
 * A dialect's view of a config after inheritance (engine/inherit.ts): the merged tree, the file each
 * value comes from, and whether a key that is missing is really absent (so that the framework's
 * default applies) or unknown (a base file or config module that was not read).
 */
import { augmentedFrom, isPartial } from './load/python-config.js';
import { isLiteralNumber, sharedScalar, startsAfter } from './fix.js';
import { overrideSetting } from './launch-overrides.js';
import { inheritStyle } from './inherit.js';
import type { SourceFile } from './source.js';
import type { ConfigNode, MapEntry, MapNode, ScalarNode } from './tree.js';
import { mapGet } from './tree.js';
import type { KeyPath, Range, Setting } from './types.js';

export interface ConfigView {
  /** The linted file. */
  path: string;
  tree?: MapNode;
  /** False when part of the configuration could not be read: a missing key may be set there. */
  complete: boolean;
  /** The file a value or entry comes from (the linted file when it is its own). */
  fileOf(x: MapEntry | ConfigNode): string;
}

export function viewOf(file: SourceFile): ConfigView {
  const inherited = file.inherited;
  if (inherited) return { path: file.path, tree: inherited.tree, complete: inherited.complete, fileOf: (x) => inherited.fileOf(x) ?? file.path };
  const tree = file.tree?.kind === 'map' ? file.tree : undefined;
  // A file that builds on others, read alone: what it does not write may come from them.
  return { path: file.path, tree, complete: inheritStyle(file) === undefined, fileOf: () => file.path };
}

export type Lookup =
  | { kind: 'found'; node: ConfigNode; entry?: MapEntry; keyRange: Range; file: string }
  | { kind: 'absent' }
  | { kind: 'unknown'; why: string };

/** `param_scheduler[1].milestones` for ['param_scheduler', 1, 'milestones']. */
export function keyName(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Follows `path`; says whether a missing key is absent or unknown. */
export function lookup(view: ConfigView, path: KeyPath, from: ConfigNode | undefined = view.tree): Lookup {
  let node: ConfigNode | undefined = from;
  let entry: MapEntry | undefined;
  if (!node) return view.complete ? { kind: 'absent' } : { kind: 'unknown', why: 'the file could not be read with its base files' };
  let keyRange = node.range;
  for (const step of path) {
    if (node.kind === 'map') {
      const hit: MapEntry | undefined = mapGet(node, String(step));
      if (!hit) {
        const partial = isPartial(node);
        if (partial) return { kind: 'unknown', why: partial };
        return view.complete ? { kind: 'absent' } : { kind: 'unknown', why: 'a base file of this config was not read' };
      }
      entry = hit;
      node = hit.value;
      keyRange = hit.keyRange;
    } else if (node.kind === 'seq' && typeof step === 'number') {
      const item: ConfigNode | undefined = node.items[step];
      if (!item) return { kind: 'absent' };
      entry = undefined;
      node = item;
      keyRange = item.range;
    } else {
      return { kind: 'absent' };
    }
  }
  return { kind: 'found', node, entry, keyRange, file: view.fileOf(entry ?? node) };
}

/** "set in configs/_base_/schedules/schedule_1x.py:12, which this config inherits" for a value another file sets; `through` names the key that inherits (`_BASE_`). */
function fromNote(view: ConfigView, file: string, range: Range, through?: string): string | undefined {
  return file === view.path ? undefined : `set in ${file}:${range.line}, which this config inherits${through ? ` through ${through}` : ''}`;
}

/**
 * A Setting for a value found by lookup (`value`: as the framework reads the node). A number
 * written in the file that holds the key gets its `valueRange` (edits apply only in the linted
 * file: rules/types.ts, engine/rescale.ts); `through` names the inheriting key in the note.
 */
export function settingOf<T extends number | string | boolean>(view: ConfigView, hit: Extract<Lookup, { kind: 'found' }>, value: T, key: string, through?: string): Setting<T> {
  const scalar = hit.node.kind === 'scalar' ? (hit.node as ScalarNode) : undefined;
  // A value the launch command writes over the config (engine/launch-overrides.ts): the script's.
  const launched = scalar && overrideSetting(scalar, value);
  if (launched) return launched as Setting<T>;
  const sameFile = scalar !== undefined && view.fileOf(scalar) === hit.file;
  const note = fromNote(view, hit.file, hit.keyRange, through);
  // Built field by field, in the order the spreads of the optional parts gave (no object per part).
  const setting: Setting<T> = { value, origin: 'explicit', file: hit.file, key, range: hit.keyRange };
  if (sameFile && scalar && typeof value === 'number' && literalValue(view, scalar, hit.keyRange)) setting.valueRange = scalar.range;
  if (note) setting.note = note;
  return setting;
}

/**
 * Whether `--fix` may replace a number's text: a literal (not `base_lr * 2`, not what an augmented
 * assignment `x.k *= 2` computed), written after its key (not another name's value: `lr = base_lr`),
 * and read by no other key (not an anchored YAML scalar with aliases).
 */
function literalValue(view: ConfigView, scalar: ScalarNode, keyRange: Range): boolean {
  return !augmentedFrom(scalar) && isLiteralNumber(scalar.source) && startsAfter(scalar.range, keyRange) && !sharedScalar(view.tree, scalar);
}

/** The number at `path` (a bool is not a number). */
export function numberIn(view: ConfigView, path: KeyPath, from?: ConfigNode, key = keyName(path)): Setting<number> | undefined {
  const hit = lookup(view, path, from);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'number' || !Number.isFinite(hit.node.value)) return undefined;
  return settingOf(view, hit, hit.node.value, key);
}

export function stringIn(view: ConfigView, path: KeyPath, from?: ConfigNode, key = keyName(path)): Setting<string> | undefined {
  const hit = lookup(view, path, from);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string') return undefined;
  return settingOf(view, hit, hit.node.value, key);
}

export function boolIn(view: ConfigView, path: KeyPath, from?: ConfigNode, key = keyName(path)): Setting<boolean> | undefined {
  const hit = lookup(view, path, from);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'boolean') return undefined;
  return settingOf(view, hit, hit.node.value, key);
}

/** The numbers of a list or tuple at `path`, or undefined when it is not one. */
export function numbersIn(view: ConfigView, path: KeyPath, from?: ConfigNode): { values: number[]; hit: Extract<Lookup, { kind: 'found' }> } | undefined {
  const hit = lookup(view, path, from);
  if (hit.kind !== 'found' || hit.node.kind !== 'seq') return undefined;
  const values: number[] = [];
  for (const item of hit.node.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'number') return undefined;
    values.push(item.value);
  }
  return { values, hit };
}
