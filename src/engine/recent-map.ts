/**
 * A map that keeps only its most recently set entries, for caches keyed by file whose entries are
 * used one after another: a run-wide cache (a config linted once per launch command reuses its
 * dataset count and its Hydra composition) must not keep an entry for every file of a large run;
 * so the lines fingerprints read and the linked files a worker loads again.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    return this;
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }
}
