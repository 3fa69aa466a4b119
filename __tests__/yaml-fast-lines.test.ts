/**
 * The fast YAML path's bookkeeping (src/engine/load/yaml-fast.ts): the line starts it keeps in a
 * buffer shared by the texts it reads one after another, its document-marker check (by line, no
 * regular expression), keys whose text is empty, and the tree's last-lookup cache (tree.ts).
 * Each case must give the `yaml` package path's tree or step aside.
 */
import { isDeepStrictEqual } from 'node:util';
import { loadYamlFastOnly, loadYamlWithYamlPackage } from '../src/engine/load/yaml';
import { getIn, hasKey, mapDelete, mapGet, mapSet, type MapNode } from '../src/engine/tree';

function same(text: string): boolean {
  const fast = loadYamlFastOnly(text);
  return fast !== undefined && isDeepStrictEqual(fast, loadYamlWithYamlPackage(text));
}

describe('fast YAML path: line starts, markers, keys', () => {
  it('reads a long text, then shorter ones, with positions of their own', () => {
    const long = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}\n`).join('');
    const mid = Array.from({ length: 5_000 }, (_, i) => `m${i}:\n  v: [${i}, x]\n`).join('');
    const texts = [long, 'a: 1\n', mid, 'b:\n  - 1\n  - 2\nc: 3', long, 'z: z'];
    for (const text of texts) expect(same(text)).toBe(true);
    // The last line of a short text after a long one: nothing of the long one is read.
    const tree = loadYamlFastOnly('q: 1\nr: 2')!.tree as MapNode;
    expect(mapGet(tree, 'r')?.keyRange).toEqual({ line: 2, column: 1, endLine: 2, endColumn: 2 });
  });

  it.each([
    ['---\na: 1\n'],
    ['a: 1\n---\n'],
    ['a: 1\n--- \nb: 2\n'],
    ['a: 1\n...\n'],
    ['a: 1\n...'],
    ['%YAML 1.1\n---\na: 1\n'],
    ['a: 1\n%x\n'],
  ])('leaves document markers and directives to the yaml package: %j', (text) => {
    expect(loadYamlFastOnly(text)).toBeUndefined();
  });

  it.each([['a: ---x\n'], ['a: 1\n----: 2\n'], ['a: 1\n..x: 2\n'], ['a:\n  --- 1\n'], ['a: "%x"\n'], ['a: 1 ---\n']])(
    'reads what only looks like a marker: %j',
    (text) => {
      const fast = loadYamlFastOnly(text);
      if (fast) expect(fast).toEqual(loadYamlWithYamlPackage(text));
    },
  );

  it.each([['"": 1\nb: 2\n'], ["'': x\n'': y\n"], ['~: 1\nnull: 2\n'], ['a:\n  "":\n    b: 1\n'], ['- "": 1\n  c: 2\n'], ['x: &a\n  "": 1\ny: *a\n']])(
    'keys whose text is empty: %j',
    (text) => {
      expect(same(text)).toBe(true);
    },
  );

  it('finds duplicate keys in small and large mappings', () => {
    for (const n of [3, 15, 16, 17, 40]) {
      const keys = Array.from({ length: n }, (_, i) => `key_${i}: ${i}\n`).join('');
      for (const dup of [0, n - 1]) expect(same(`${keys}key_${dup}: again\n`)).toBe(true);
    }
    // Keys of equal length and end characters (one hash bit), distinct and repeated.
    expect(same('ab: 1\nbb: 2\ncb: 3\nab: 4\nbb: 5\n')).toBe(true);
  });
});

describe('tree lookups after edits', () => {
  it('sees entries added, replaced and deleted in a large mapping looked up just before', () => {
    const text = Array.from({ length: 30 }, (_, i) => `k${i}: ${i}\n`).join('');
    const tree = loadYamlFastOnly(text)!.tree as MapNode;
    const other = loadYamlFastOnly(text)!.tree as MapNode;
    expect(getIn(tree, ['k29'])?.node).toMatchObject({ value: 29 });
    mapDelete(tree, 'k3');
    expect(hasKey(tree, 'k3')).toBe(false);
    expect(getIn(tree, ['k29'])?.node).toMatchObject({ value: 29 });
    expect(hasKey(other, 'k3')).toBe(true);
    mapSet(tree, { key: 'new', keyRange: tree.range, value: tree.entries[0].value });
    expect(mapGet(tree, 'new')?.value).toBe(tree.entries[0].value);
    // Entries replaced behind the index's back: rebuilt.
    tree.entries = tree.entries.filter((e) => e.key !== 'k5');
    expect(hasKey(tree, 'k5')).toBe(false);
    expect(mapGet(tree, 'k6')).toBe(tree.entries.find((e) => e.key === 'k6'));
    tree.entries.push({ key: 'pushed', keyRange: tree.range, value: tree.entries[0].value });
    expect(hasKey(tree, 'pushed')).toBe(true);
  });
});
