/**
 * Augmented assignments in Python config files (`train.max_iter *= 2` in detectron2's
 * `new_baselines/*_200ep_LSJ.py`): a key of a known value is read as `x.k = x.k op (v)`; anything
 * else stays unknown.
 */
import { augmentedFrom, isPythonInt, parsePythonConfig } from '../src/engine/load/python-config';
import { getIn, toPlain, type MapNode, type ScalarNode } from '../src/engine/tree';
import { numberIn, viewOf } from '../src/engine/config-view';
import { parseSource } from '../src/engine/load-file';
import { numberAt } from '../src/engine/plan';
import type { SourceFile } from '../src/engine/source';

function parse(text: string, modules?: Map<string, MapNode>) {
  const result = parsePythonConfig(text, modules ? { modules } : {});
  expect(result.problems).toEqual([]);
  return result;
}

describe('python-config reader: augmented assignments', () => {
  test('each arithmetic operator on a known key, with Python int and float semantics', () => {
    const ops = ['a += 5', 'b -= 4', 'c *= 2', 'd /= 2', 'e //= 2', 'f %= 3', 'g **= 10', "h['i'] *= 3"];
    const r = parse(['x = dict(a=10, b=10, c=3, d=7, e=7, f=-7, g=2, h=dict(i=2))', ...ops.map((o) => `x.${o}`.replace("x.h['i']", "x['h']['i']"))].join('\n'));
    expect(toPlain(r.tree!)).toEqual({ x: { a: 15, b: 6, c: 6, d: 3.5, e: 3, f: 2, g: 1024, h: { i: 6 } } });
    expect(r.opaque.size).toBe(0);
    expect(isPythonInt(getIn(r.tree, ['x', 'e'])!.node as ScalarNode)).toBe(true);
    expect(isPythonInt(getIn(r.tree, ['x', 'd'])!.node as ScalarNode)).toBe(false);
  });

  test('an attribute of an imported config module: the new value, its statement, and the value it changed', () => {
    const parent = parse('train = dict(max_iter=184375, checkpointer=dict(period=5000))\n').tree!;
    const text = 'from .base import train\ntrain.max_iter *= 2  # 100ep -> 200ep\ntrain.checkpointer.period //= 2\n';
    const r = parse(text, new Map([['.base', parent]]));
    expect(toPlain(r.tree!)).toEqual({ train: { max_iter: 368750, checkpointer: { period: 2500 } } });
    const node = getIn(r.tree, ['train', 'max_iter'])!.node as ScalarNode;
    expect(node.source).toBe('train.max_iter *= 2');
    expect(augmentedFrom(node)?.value).toBe(184375);
    expect(augmentedFrom(getIn(parent, ['train', 'max_iter'])!.node as ScalarNode)).toBeUndefined();
  });

  test('strings and lists; an unknown operand, a type Python refuses, or a bare name stay unknown', () => {
    const r = parse(["c = dict(s='a', l=[1], k=1, t='a')", "c.s += 'b'", 'c.l += [2]', 'c.k += x', 'c.t += 1', 'n = 1', 'n += 1'].join('\n'));
    expect(toPlain(r.tree!)).toEqual({ c: { s: 'ab', l: [1, 2] } });
    expect([...r.opaque.keys()].sort()).toEqual(['c.k', 'c.t', 'n']);
  });

  test('an attribute of a module that was not read stays unknown (a partial mapping)', () => {
    const r = parse('from ..common.train import train\ntrain.max_iter *= 2\n');
    expect(r.opaque.has('train.max_iter')).toBe(true);
  });
});

describe('a number an augmented assignment computed is not literal text', () => {
  // `--fix` and `rescale` replace a setting's valueRange with a new number: on `train.max_iter *= 2`
  // that would write `train.max_iter 736` over the statement.
  const source = (text: string): SourceFile => parseSource('configs/run.py', text);

  test('the plan readers give it no valueRange (config-view numberIn, plan numberAt); a literal keeps one', () => {
    const file = source('train = dict(max_iter=1000, period=50)\ntrain.max_iter *= 2\n');
    const view = viewOf(file);
    expect(numberIn(view, ['train', 'max_iter'])?.value).toBe(2000);
    expect(numberIn(view, ['train', 'max_iter'])?.valueRange).toBeUndefined();
    expect(numberIn(view, ['train', 'period'])?.valueRange).toBeDefined();
    expect(numberAt(file, ['train', 'max_iter'], 'pyyaml')?.valueRange).toBeUndefined();
    expect(numberAt(file, ['train', 'period'], 'pyyaml')?.valueRange).toBeDefined();
  });
});
