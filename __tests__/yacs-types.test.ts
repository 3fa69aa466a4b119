import { loadYaml } from '../src/engine/load/yaml.js';
import type { MapNode } from '../src/engine/tree.js';
import { yacsTypeErrors } from '../src/dialects/yacs-types.js';

function errors(text: string) {
  const tree = loadYaml(text).tree as MapNode;
  return yacsTypeErrors(tree).map((e) => `${e.range.line}:${String(e.data?.keyPath).replace(/,/g, '.')} ${String(e.data?.found)}→${String(e.data?.expected)}`);
}

describe('yacs type check (detectron2 defaults)', () => {
  it('reports a YAML float for an int default and a YAML int for a float default', () => {
    expect(errors('SOLVER:\n  BASE_LR: 1\n  CHECKPOINT_PERIOD: 5000.0\n  MAX_ITER: 90000\nTEST:\n  EVAL_PERIOD: 2e3\n')).toEqual([
      '2:SOLVER.BASE_LR int→float',
      '3:SOLVER.CHECKPOINT_PERIOD float→int',
    ]);
  });

  it('leaves strings (literal_eval, the schema’s business), fractional ints (type integer) and unknown keys alone', () => {
    expect(errors('SOLVER:\n  BASE_LR: "1"\n  MAX_ITER: 100.5\n  MY_KEY: 3\nMODEL:\n  ROI_HEADS:\n    NUM_CLASSES: 3.0\n')).toEqual([]);
  });

  it('says what to write in the default’s type', () => {
    const tree = loadYaml('SOLVER:\n  WEIGHT_DECAY: 0\n  IMS_PER_BATCH: 64.0\n').tree as MapNode;
    expect(yacsTypeErrors(tree).map((e) => e.data?.replacement)).toEqual(['0.0', '64']);
  });
});
