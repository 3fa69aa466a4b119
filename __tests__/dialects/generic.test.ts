/**
 * The generic (key-mapping) dialect: mapped keys, `assume` for what no key gives, and its one documented
 * default (gradient accumulation 1), never labelled as something the user assumed.
 */
import { generic } from '../../src/dialects/generic';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const CONFIG = 'optim:\n  lr: 3.0e-4\ndata:\n  batch_per_gpu: 16\nsched:\n  warmup: 1000\n  epochs: 1\n';
const MAPPINGS: ExtractEnv['mappings'] = { peakLr: 'optim.lr', microBatchSize: 'data.batch_per_gpu', warmupSteps: 'sched.warmup', epochs: 'sched.epochs' };
const run = (assume: ExtractEnv['assume']) => generic.extract(parseSource('run.yaml', CONFIG), { assume, mappings: MAPPINGS });

describe('generic: gradient accumulation', () => {
  test('assume.gradAccumSteps is used (not replaced by a made-up 1)', () => {
    const e = run({ worldSize: 8, gradAccumSteps: 4, datasetSamples: 1_000_000 });
    expect(e.plan.gradAccumSteps).toMatchObject({ value: 4, origin: 'assumed', key: 'assume.gradAccumSteps' });
    expect(e.plan.globalBatchSize?.value).toBe(16 * 4 * 8);
    expect(e.plan.totalSteps?.value).toBe(Math.ceil(1_000_000 / 512));
  });
  test('neither mapped nor assumed: the documented default 1, origin default (the user assumed nothing)', () => {
    const e = run({ worldSize: 8 });
    expect(e.plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: 'gradAccumSteps' });
    expect(e.plan.gradAccumSteps?.note).toContain('mappings.gradAccumSteps or assume.gradAccumSteps');
  });
  test('a mapped accumulation wins over assume', () => {
    const e = generic.extract(parseSource('run.yaml', `${CONFIG}  accum: 2\n`), { assume: { gradAccumSteps: 4 }, mappings: { ...MAPPINGS, gradAccumSteps: 'sched.accum' } });
    expect(e.plan.gradAccumSteps).toMatchObject({ value: 2, origin: 'explicit' });
  });
});

describe('generic: mapped paths the file does not give', () => {
  test('a mapped path not in the file: the hint names the path, not "map it"', () => {
    const e = generic.extract(parseSource('run.yaml', 'optim:\n  lr: 3.0e-4\nsched:\n  warmup_steps: 50\n  total: 1000\n'), {
      assume: {},
      mappings: { peakLr: 'optim.lr', warmupSteps: 'sched.warmup', totalSteps: 'sched.total' },
    });
    expect(e.plan.warmupSteps).toBeUndefined();
    const hint = e.missing.find((m) => m.field === 'warmupSteps')?.hint;
    expect(hint).toBe('`mappings.warmupSteps` names sched.warmup, which is not in this file: fix the mapping or set `assume.warmupSteps`');
    // A field nothing maps keeps the plain hint.
    expect(e.missing.find((m) => m.field === 'globalBatchSize')?.hint).toBe('map it in .trainlint.yml `mappings.globalBatchSize` or set `assume.globalBatchSize`');
  });

  test('a mapped value of the wrong kind is named, and a mapped accumulation it hides is not defaulted to 1', () => {
    const e = generic.extract(parseSource('run.yaml', 'optim:\n  lr: 3.0e-4\n  accum: four\ndata:\n  batch_per_gpu: 16\n  eval: {bs: 1}\n'), {
      assume: { worldSize: 8 },
      mappings: { peakLr: 'optim.lr', microBatchSize: 'data.batch_per_gpu', gradAccumSteps: 'optim.accum', totalSteps: 'data.eval' },
    });
    expect(e.plan.gradAccumSteps).toBeUndefined();
    expect(e.plan.globalBatchSize).toBeUndefined();
    expect(e.notes).toContain('`mappings.gradAccumSteps` names optim.accum, which is "four" in this file, not a number: fix the mapping or set `assume.gradAccumSteps`');
    expect(e.missing.find((m) => m.field === 'totalSteps')?.hint).toContain('names data.eval, which is a mapping in this file, not a number');
  });

  test('a number step indexes a list: optimizers.0.lr', () => {
    const file = parseSource('c.yaml', 'optimizers:\n  - lr: 3.0e-4\n  - lr: 1.0e-3\ndata: {bs: 16}\ntotal: 1000\n');
    const env: ExtractEnv = { assume: {}, mappings: { peakLr: 'optimizers.1.lr', microBatchSize: 'data.bs', totalSteps: 'total' } };
    expect(generic.detect(file, env)).toBe(1);
    const e = generic.extract(file, env);
    expect(e.plan.peakLr).toMatchObject({ value: 1.0e-3, origin: 'explicit', key: 'optimizers.1.lr', range: { line: 3 } });
  });

  test('a number step still names a numbered key of a mapping', () => {
    const e = generic.extract(parseSource('c.yaml', 'stages:\n  0: {lr: 2.0e-4}\n'), { assume: {}, mappings: { peakLr: 'stages.0.lr' } });
    expect(e.plan.peakLr?.value).toBe(2.0e-4);
  });
});
