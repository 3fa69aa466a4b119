/**
 * yacs type checking for detectron2 configs. While merging a YAML file into the defaults, yacs
 * (`_check_and_coerce_cfg_value_type`) raises `ValueError("Type mismatch …")` unless the value's
 * Python type is exactly the default's (exceptions: a `None` on either side, tuple ↔ list). A YAML
 * `5000.0` is a float and a YAML `1` is an int, so `SOLVER.CHECKPOINT_PERIOD: 5000.0` and
 * `SOLVER.BASE_LR: 1` stop detectron2 before training. Numbers written as quoted or `1e4`-style
 * strings are left to the built-in schema (yacs `literal_eval`s them; the schema's patterns say so).
 */
import type { ConfigError } from './types.js';
import { getIn, type MapNode, type ScalarNode } from '../engine/tree.js';

type PyNumber = 'int' | 'float';

/**
 * Keys of `detectron2/config/defaults.py` whose default is a number, with the default's Python type
 * and value. Only keys whose type has been stable across detectron2 releases (`WEIGHT_DECAY_BIAS`
 * became `None` and is left out).
 */
export const YACS_NUMBER_DEFAULTS: Readonly<Record<string, { type: PyNumber; value: string }>> = {
  'SOLVER.BASE_LR': { type: 'float', value: '0.001' },
  'SOLVER.BASE_LR_END': { type: 'float', value: '0.0' },
  'SOLVER.MOMENTUM': { type: 'float', value: '0.9' },
  'SOLVER.WEIGHT_DECAY': { type: 'float', value: '0.0001' },
  'SOLVER.WEIGHT_DECAY_NORM': { type: 'float', value: '0.0' },
  'SOLVER.GAMMA': { type: 'float', value: '0.1' },
  'SOLVER.WARMUP_FACTOR': { type: 'float', value: '0.001' },
  'SOLVER.BIAS_LR_FACTOR': { type: 'float', value: '1.0' },
  'SOLVER.CLIP_GRADIENTS.CLIP_VALUE': { type: 'float', value: '1.0' },
  'SOLVER.CLIP_GRADIENTS.NORM_TYPE': { type: 'float', value: '2.0' },
  'SOLVER.MAX_ITER': { type: 'int', value: '40000' },
  'SOLVER.WARMUP_ITERS': { type: 'int', value: '1000' },
  'SOLVER.CHECKPOINT_PERIOD': { type: 'int', value: '5000' },
  'SOLVER.IMS_PER_BATCH': { type: 'int', value: '16' },
  'SOLVER.REFERENCE_WORLD_SIZE': { type: 'int', value: '0' },
  'TEST.EVAL_PERIOD': { type: 'int', value: '0' },
  'DATALOADER.NUM_WORKERS': { type: 'int', value: '4' },
};

/** The Python type PyYAML gives a plain number scalar, or undefined when it is not a plain number. */
function pyNumberType(node: ScalarNode): PyNumber | undefined {
  if (!node.plain || typeof node.value !== 'number') return undefined;
  const s = node.source.trim();
  if (/^[-+]?[0-9][0-9_]*$/.test(s)) return 'int';
  // PyYAML's YAML 1.1 floats need a dot (`1e4` is a string there, and the schema's business).
  if (s.includes('.')) return 'float';
  return undefined;
}

/** What to write instead, in the default's type. */
function respelled(node: ScalarNode, want: PyNumber): string {
  const n = node.value as number;
  if (want === 'float') return Number.isInteger(n) ? `${n}.0` : String(n);
  return String(Math.trunc(n));
}

/** yacs type mismatches in one file's own keys (each file of a `_BASE_` chain answers for its own). */
export function yacsTypeErrors(root: MapNode): ConfigError[] {
  const out: ConfigError[] = [];
  for (const [key, want] of Object.entries(YACS_NUMBER_DEFAULTS)) {
    const keyPath = key.split('.');
    const hit = getIn(root, keyPath);
    if (!hit || hit.node.kind !== 'scalar') continue;
    const got = pyNumberType(hit.node);
    if (!got || got === want.type) continue;
    // A fractional value for an int key is the schema's finding (type integer).
    if (want.type === 'int' && !Number.isInteger(hit.node.value)) continue;
    const fix = respelled(hit.node, want.type);
    out.push({
      range: hit.node.range,
      message: `${key}: ${hit.node.source} is ${got === 'int' ? 'an int' : 'a float'} where detectron2's default is the ${want.type} ${want.value}: yacs stops loading the config with "Type mismatch (<class '${want.type}'> vs. <class '${got}'>)"; write ${fix}`,
      data: { keyPath, keyword: 'yacs-type', expected: want.type, found: got, replacement: fix },
    });
  }
  return out;
}
