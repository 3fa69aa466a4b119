/**
 * engine/fix.ts: `literalRange` reads the line of a range (line starts found as far as needed), and
 * `sharedScalar` counts scalars by where they start before comparing whole ranges.
 */
import { literalRange, sharedScalar } from '../src/engine/fix.js';
import { loadYaml } from '../src/engine/load/yaml.js';
import type { SourceFile } from '../src/engine/source.js';
import type { ConfigNode, MapNode, ScalarNode } from '../src/engine/tree.js';

const fileOf = (text: string) => ({ path: 'a.yaml', text }) as unknown as SourceFile;
const at = (line: number, column: number, endColumn: number) => ({ line, column, endLine: line, endColumn });

describe('literalRange by line', () => {
  test('lines asked in any order, the last one without a newline, past the end', () => {
    const file = fileOf('a: 1\nb: "2e-4"\n\nc: 300');
    expect(literalRange(file, at(4, 4, 7))).toEqual(at(4, 4, 7));
    expect(literalRange(file, at(1, 4, 5))).toEqual(at(1, 4, 5));
    expect(literalRange(file, at(2, 4, 10))).toEqual(at(2, 5, 9));
    expect(literalRange(file, at(3, 1, 1))).toBeUndefined();
    expect(literalRange(file, at(5, 1, 2))).toBeUndefined();
    expect(literalRange(file, at(0, 1, 2))).toBeUndefined();
    expect(literalRange(fileOf('x: 5\n'), at(2, 1, 1))).toBeUndefined();
  });
});

describe('sharedScalar', () => {
  const valueOf = (tree: ConfigNode, key: string) => (tree as MapNode).entries.find((e) => e.key === key)!.value as ScalarNode;

  test('an anchored scalar its alias reads is shared; the others are not', () => {
    const tree = loadYaml('w: &w 400\neval: *w\nlr: 0.1 # not * an alias\n').tree!;
    expect(sharedScalar(tree, valueOf(tree, 'w'))).toBe(true);
    expect(sharedScalar(tree, valueOf(tree, 'eval'))).toBe(true);
    expect(sharedScalar(tree, valueOf(tree, 'lr'))).toBe(false);
    expect(sharedScalar(undefined, valueOf(tree, 'lr'))).toBe(false);
  });

  test('scalars that start at the same place with other ends are not shared', () => {
    const a: ScalarNode = { kind: 'scalar', value: 1, source: '1', plain: true, range: at(1, 4, 5) };
    const b: ScalarNode = { kind: 'scalar', value: 12, source: '12', plain: true, range: at(1, 4, 6) };
    const tree = { kind: 'seq', items: [a, b], range: at(1, 1, 6) } as unknown as ConfigNode;
    expect(sharedScalar(tree, a)).toBe(false);
    expect(sharedScalar(tree, b)).toBe(false);
    const c: ScalarNode = { ...a, range: { ...a.range } };
    const withCopy = { kind: 'seq', items: [a, b, c], range: at(1, 1, 6) } as unknown as ConfigNode;
    expect(sharedScalar(withCopy, c)).toBe(true);
    expect(sharedScalar(withCopy, b)).toBe(false);
  });
});
