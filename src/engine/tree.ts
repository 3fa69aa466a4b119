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
  /** True when the scalar was written without quotes (YAML plain scalar, bare TOML/JSON literal) and without a tag. */
  plain: boolean;
  range: Range;
  /** A YAML scalar's explicit tag, as usually written (`!!str`, `!!float`, `!custom`). */
  tag?: string;
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

/**
 * Key → position of its last entry, for large mappings that are looked up many times. Trees are not
 * changed after loading, except the mappings Hydra composition builds and edits (engine/hydra/),
 * which go through `mapSet`/`mapDelete`: each keeps the index right in constant or logarithmic time
 * (a flood of overrides is linear). An index whose entries array was replaced or resized behind its
 * back is rebuilt.
 *
 * Positions are kept as "slots": an entry's position when it was added. A deletion removes the
 * entry from the array and records its slot; an entry's position is its slot minus the deleted
 * slots before it (a binary search in `deleted`, which is sorted).
 */
interface MapIndex {
  entries: MapEntry[];
  length: number;
  slot: Map<string, number>;
  /** Slots of deleted entries, ascending. */
  deleted: number[];
  /** The slot of the next entry appended. */
  next: number;
  /** Some key has more than one entry (a loader's duplicate key). */
  duplicates: boolean;
}
/**
 * A mapping's index is kept on the mapping itself, under a symbol, not enumerable (spreads, JSON,
 * structured clones and Jest's equality do not see or copy it), rather than in a module WeakMap:
 * during a scavenge V8 keeps a WeakMap's values alive while their key is young, and an index holds
 * its mapping's entries, so every tree read since the last scavenge was copied once before dying
 * (at 5,000 files, 125 MB of survivors instead of 42 MB; docs/performance.md, phase 11).
 */
const INDEX: unique symbol = Symbol('trainlint.mapIndex');
type IndexedMap = MapNode & { [INDEX]?: MapIndex };

function indexOn(node: MapNode): MapIndex | undefined {
  return (node as IndexedMap)[INDEX];
}

function keepIndex(node: MapNode, index: MapIndex | undefined): void {
  const indexed = node as IndexedMap;
  if (Object.prototype.hasOwnProperty.call(indexed, INDEX)) indexed[INDEX] = index;
  else if (index) Object.defineProperty(indexed, INDEX, { value: index, writable: true, configurable: true, enumerable: false });
}

/** Drops the index of `node`: the next lookup builds it again from its entries. */
function dropIndex(node: MapNode): void {
  if (indexOn(node)) keepIndex(node, undefined);
}

/** Mappings of more entries than this are indexed; smaller ones are scanned. */
export const MAP_SCAN_UP_TO = 16;

/** The index of a large mapping (more than MAP_SCAN_UP_TO entries), built or rebuilt when needed. */
function indexOfMap(node: MapNode): MapIndex | undefined {
  const entries = node.entries;
  if (entries.length <= MAP_SCAN_UP_TO) return undefined;
  let index = indexOn(node);
  if (!index || index.entries !== entries || index.length !== entries.length) {
    const slot = new Map<string, number>();
    entries.forEach((e, i) => slot.set(e.key, i));
    index = freshIndex(entries, slot);
    keepIndex(node, index);
  }
  return index;
}

/** The index of `entries` whose `slot` maps each key to the position of its last entry. */
function freshIndex(entries: MapEntry[], slot: Map<string, number>): MapIndex {
  return { entries, length: entries.length, slot, deleted: [], next: entries.length, duplicates: slot.size !== entries.length };
}

/**
 * A loader that kept, while reading a mapping, each key's last position in its entries (to find
 * duplicate keys) hands that map over as the mapping's index, so the first lookup does not build
 * it again. `slot` must be exactly what indexOfMap would build: key → position of its last entry.
 */
export function adoptMapIndex(node: MapNode, slot: Map<string, number>): void {
  if (node.entries.length > MAP_SCAN_UP_TO) keepIndex(node, freshIndex(node.entries, slot));
}

/** How many of `sorted` are below `x`. */
function countBelow(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The position of the last entry for `key`, or -1. */
function positionOf(node: MapNode, key: string): number {
  const entries = node.entries;
  if (entries.length > MAP_SCAN_UP_TO) {
    const index = indexOfMap(node)!;
    const slot = index.slot.get(key);
    if (slot === undefined) return -1;
    return index.deleted.length === 0 ? slot : slot - countBelow(index.deleted, slot);
  }
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].key === key) return i;
  }
  return -1;
}

/**
 * For code that builds or edits a mapping after it was looked up (Hydra composition, overrides):
 * drops the mapping's lookup index so the next `mapGet` sees its current entries.
 */
export function mapEdited(node: MapNode): void {
  dropIndex(node);
}

/** The last entry for `key` (loaders keep the last value of a duplicate key). */
export function mapGet(node: MapNode, key: string): MapEntry | undefined {
  const i = positionOf(node, key);
  return i < 0 ? undefined : node.entries[i];
}

/**
 * Sets the entry of `entry.key` in a mapping being built: it replaces the last entry for the key in
 * place (dropping earlier duplicates), or is appended.
 */
export function mapSet(node: MapNode, entry: MapEntry): void {
  const i = positionOf(node, entry.key);
  const index = indexOfMap(node);
  if (i < 0) {
    node.entries.push(entry);
    if (index) {
      index.slot.set(entry.key, index.next++);
      index.length = node.entries.length;
    }
    return;
  }
  node.entries[i] = entry;
  if (index && !index.duplicates) return;
  for (let j = i - 1; j >= 0; j--) if (node.entries[j].key === entry.key) node.entries.splice(j, 1);
  dropIndex(node);
}

/** Removes every entry of `key` from a mapping being built (its entries array is changed in place). */
export function mapDelete(node: MapNode, key: string): void {
  const i = positionOf(node, key);
  if (i < 0) return;
  const index = indexOfMap(node);
  if (index && !index.duplicates) {
    const slot = index.slot.get(key)!;
    node.entries.splice(i, 1);
    index.slot.delete(key);
    index.deleted.splice(countBelow(index.deleted, slot), 0, slot);
    index.length = node.entries.length;
    return;
  }
  node.entries = node.entries.filter((e) => e.key !== key);
  dropIndex(node);
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
  for (let s = 0; s < path.length; s++) {
    const step = path[s];
    if (node.kind === 'map') {
      const i = positionOf(node, typeof step === 'string' ? step : String(step));
      if (i < 0) return undefined;
      const entry = node.entries[i];
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

/** Whether `node` is a mapping with an entry for `key` (`getIn(node, [key]) !== undefined`, without the path and the hit). */
export function hasKey(node: ConfigNode | undefined, key: string): boolean {
  return node !== undefined && node.kind === 'map' && positionOf(node, key) >= 0;
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
export function toPlain(node: ConfigNode, scalar?: (node: ScalarNode) => unknown): unknown {
  switch (node.kind) {
    case 'scalar':
      return scalar ? scalar(node) : node.value;
    case 'seq':
      return node.items.map((item) => toPlain(item, scalar));
    case 'map': {
      // No prototype, so every key (`__proto__` included) is an own data property.
      const out: Record<string, unknown> = Object.create(null);
      const entries = node.entries;
      for (let i = 0; i < entries.length; i++) out[entries[i].key] = toPlain(entries[i].value, scalar);
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
    const entries = node.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const childPath = [...path, entry.key];
      visit(childPath, entry, node);
      walkEntries(entry.value, visit, childPath);
    }
  } else if (node.kind === 'seq') {
    node.items.forEach((item, i) => walkEntries(item, visit, [...path, i]));
  }
}
