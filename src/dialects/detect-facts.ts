/**
 * What many dialects' `detect` asks of a file, computed once per file by `detectDialect` and handed to
 * every detector: the root mapping, and how many keys of each detector's key list (`keyGroup`) it has
 * at its top level, counted in one pass over the root's entries. `count(group)` answers exactly what
 * `keys.filter((k) => hasKey(root, k)).length` answers; a detector asks it first (most files lack the
 * keys a dialect needs) and looks up values (`get`, `map`: `mapGet`, the last entry of a repeated key)
 * only of a file still in question.
 */
import type { SourceFile } from '../engine/source.js';
import { type ConfigNode, hasKey, mapGet, type MapNode } from '../engine/tree.js';

/** A list of top-level keys a detector counts; registered once (module level), counted for each file in one pass over its keys. */
export interface KeyGroup {
  readonly id: number;
  readonly keys: readonly string[];
}

const GROUPS: KeyGroup[] = [];
/**
 * Key → the ids of the groups that list it (an id repeated for a key a list holds twice), and the
 * facts (their number, `made`) that last counted it: a key repeated in a file is counted once.
 */
const GROUPS_OF = new Map<string, { ids: number[]; counted: number }>();
/** How many DetectFacts were made: the stamp of the one being made. */
let made = 0;

/** Registers a key list for `DetectFacts.count` / `some`: call it once, at module level. */
export function keyGroup(keys: readonly string[]): KeyGroup {
  if (keys.length > 255) throw new Error('keyGroup: at most 255 keys (counted in a byte)');
  const group: KeyGroup = { id: GROUPS.length, keys };
  GROUPS.push(group);
  for (const k of keys) {
    const listed = GROUPS_OF.get(k);
    if (listed) listed.ids.push(group.id);
    else GROUPS_OF.set(k, { ids: [group.id], counted: 0 });
  }
  return group;
}

const NO_COUNTS = new Uint8Array(0);

export class DetectFacts {
  /** The file's tree when it is a mapping (YAML, JSON, TOML, a Python config's names), else undefined. */
  readonly root: MapNode | undefined;
  /** Group id → how many of its keys the root has (the groups registered when the facts were made). */
  private readonly counts: Uint8Array;

  constructor(file: SourceFile) {
    const tree = file.tree;
    if (tree?.kind !== 'map') {
      this.root = undefined;
      this.counts = NO_COUNTS;
      return;
    }
    this.root = tree;
    // Bytes (a group lists fewer than 256 keys): a small array V8 keeps on its heap.
    const counts = new Uint8Array(GROUPS.length);
    const stamp = ++made;
    const entries = tree.entries;
    for (let i = 0; i < entries.length; i++) {
      const listed = GROUPS_OF.get(entries[i].key);
      // A key some group lists, counted at its first entry only.
      if (listed === undefined || listed.counted === stamp) continue;
      listed.counted = stamp;
      const ids = listed.ids;
      for (let j = 0; j < ids.length; j++) counts[ids[j]]++;
    }
    this.counts = counts;
  }

  /** Whether the root mapping has `key` (`hasKey(root, key)`). */
  has(key: string): boolean {
    return hasKey(this.root, key);
  }

  /** The value of the root's last entry for `key` (`mapGet(root, key)?.value`). */
  get(key: string): ConfigNode | undefined {
    return this.root && mapGet(this.root, key)?.value;
  }

  /** The value of `key` when it is a mapping. */
  map(key: string): MapNode | undefined {
    const v = this.get(key);
    return v?.kind === 'map' ? v : undefined;
  }

  /** The value of `key` when it is a string scalar. */
  string(key: string): string | undefined {
    const v = this.get(key);
    return v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : undefined;
  }

  /** How many of the group's keys the root has (a key the list holds twice counts twice). */
  count(group: KeyGroup): number {
    if (group.id < this.counts.length) return this.counts[group.id];
    // A group registered after these facts were made (not in a detection run): asked key by key.
    let n = 0;
    for (const k of group.keys) if (hasKey(this.root, k)) n++;
    return n;
  }

  /** Whether the root has any of the group's keys. */
  some(group: KeyGroup): boolean {
    return this.count(group) > 0;
  }
}

/** The facts of one file, for a detector called on its own (tests, a forced check); `detectDialect` shares one. */
export function detectFacts(file: SourceFile): DetectFacts {
  return new DetectFacts(file);
}
