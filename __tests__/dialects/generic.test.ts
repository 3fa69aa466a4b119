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
