/**
 * A format-neutral tree of a structured config (YAML, JSON, TOML) that keeps the
 * source range of every key and value. Loaders build it; dialects and rules read it.
 */
import type { KeyPath, Range } from './types.js';

export type ScalarValue = string | number | boolean | null;

export interface ScalarNode {
  kind: 'scalar';
  /** The value as the training code's loader will see it. */
  value: ScalarValue;
  /** The scalar exactly as written in the file (without quotes for quoted strings). */
  source: string;
  /** True when the scalar was written without quotes (YAML plain scalar, bare TOML/JSON literal). */
  plain: boolean;
  range: Range;
}

export interface MapEntry {
  key: string;
  keyRange: Range;
  value: ConfigNode;
}

export interface MapNode {
  kind: 'map';
  /** Entries in source order, duplicates included. */
  entries: MapEntry[];
  range: Range;
}

export interface SeqNode {
  kind: 'seq';
  items: ConfigNode[];
  range: Range;
}

export type ConfigNode = ScalarNode | MapNode | SeqNode;

/** Key → last entry, for large mappings that are looked up many times (trees are not changed after loading). */
const mapIndex = new WeakMap<MapNode, Map<string, MapEntry>>();

/**
 * For code that builds or edits a mapping after it was looked up (Hydra composition, overrides):
 * drops the mapping's lookup index so the next `mapGet` sees its current entries.
 */
export function mapEdited(node: MapNode): void {
  mapIndex.delete(node);
}

/** The last entry for `key` (loaders keep the last value of a duplicate key). */
export function mapGet(node: MapNode, key: string): MapEntry | undefined {
  const entries = node.entries;
  if (entries.length > 16) {
    let index = mapIndex.get(node);
    if (!index) {
      index = new Map();
      for (const entry of entries) index.set(entry.key, entry);
      mapIndex.set(node, index);
    }
    return index.get(key);
  }
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].key === key) return entries[i];
  }
  return undefined;
}

export interface Located {
  node: ConfigNode;
  /** Range of the key that holds the node (or of the node itself for sequence items / the root). */
  keyRange: Range;
}

/** Follow `path` from `root`; undefined when any step is missing. */
export function getIn(root: ConfigNode | undefined, path: KeyPath): Located | undefined {
  if (!root) return undefined;
  let node: ConfigNode = root;
  let keyRange: Range = root.range;
  for (const step of path) {
    if (node.kind === 'map') {
      const entry = mapGet(node, String(step));
      if (!entry) return undefined;
      node = entry.value;
      keyRange = entry.keyRange;
    } else if (node.kind === 'seq' && typeof step === 'number') {
      const item: ConfigNode | undefined = node.items[step];
      if (!item) return undefined;
      node = item;
      keyRange = item.range;
    } else {
      return undefined;
    }
  }
  return { node, keyRange };
}

/**
 * The closest existing ancestor of `path` (used to place schema errors such as a missing
 * required key on the mapping that should hold it).
 */
export function locateNearest(root: ConfigNode | undefined, path: KeyPath): Range | undefined {
  for (let n = path.length; n >= 0; n--) {
    const hit = getIn(root, path.slice(0, n));
    if (hit) return hit.keyRange;
  }
  return undefined;
}

/** Plain data (null-prototype objects, so `__proto__` keys stay data), last duplicate wins. */
export function toPlain(node: ConfigNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      // No prototype, so every key (`__proto__` included) is an own data property.
      const out: Record<string, unknown> = Object.create(null);
      for (const entry of node.entries) out[entry.key] = toPlain(entry.value);
      return out;
    }
  }
}

/** Visit every map entry in the tree with its key path. */
export function walkEntries(
  node: ConfigNode,
  visit: (path: KeyPath, entry: MapEntry, parent: MapNode) => void,
  path: (string | number)[] = [],
): void {
  if (node.kind === 'map') {
    for (const entry of node.entries) {
      const childPath = [...path, entry.key];
      visit(childPath, entry, node);
      walkEntries(entry.value, visit, childPath);
    }
  } else if (node.kind === 'seq') {
    node.items.forEach((item, i) => walkEntries(item, visit, [...path, i]));
  }
}
