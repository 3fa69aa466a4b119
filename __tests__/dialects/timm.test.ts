import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectDialect } from '../../src/dialects/index';
import { lint } from '../../src/engine/lint';
import { acceptedCooldown, timm } from '../../src/dialects/timm';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { fixtureLoader } from '../helpers/dialect-fixtures';

const load = fixtureLoader('timm');
const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const yaml = (text: string) => parseSource('args.yaml', text);
const detected = (file: ReturnType<typeof yaml>) => detectDialect(file, env())?.meta.id;
const IMAGENET = 1281167;

describe('timm detection', () => {
  test.each(['args.yaml', 'finetune.yaml', 'train.sh'])('%s is claimed', (name) => {
    expect(detected(load(name))).toBe('timm');
  });

  test('DeiT/ConvNeXt main.py look-alikes (shared names, no timm-only key) and other train.py commands get no timm', () => {
    const deit = 'model: deit_small_patch16_224\nbatch_size: 256\nepochs: 300\nopt: adamw\nlr: 0.0005\nsched: cosine\nwarmup_lr: 1.0e-06\nmin_lr: 1.0e-05\nwarmup_epochs: 5\ncooldown_epochs: 10\nsmoothing: 0.1\nreprob: 0.25\n';
    expect(detected(yaml(deit))).toBeUndefined();
    expect(detected(parseSource('t.sh', 'torchrun --nproc_per_node 8 train.py --model resnet50 --lr 0.1 --epochs 90\n'))).toBeUndefined();
  });
});

describe('timm plans', () => {
  test('args.yaml (a saved run): explicit lr, the recorded world size, default lr_base not reported', () => {
    const { plan, ignored } = timm.extract(load('args.yaml'), env({ datasetSamples: IMAGENET }));
    expect(plan.worldSize).toMatchObject({ value: 8, key: 'world_size' });
    expect(plan.globalBatchSize?.value).toBe(1024);
    expect(plan.peakLr).toMatchObject({ value: 0.004, origin: 'explicit' });
    expect(plan.stepsPerEpoch?.value).toBe(Math.floor(IMAGENET / 1024));
    expect(plan.warmupSteps).toMatchObject({ value: 20 * 1251, fractionOf: { fraction: 20, ofSteps: 1251 } });
    expect(plan.totalSteps?.value).toBe(300 * 1251);
    expect(plan.decaySteps?.value).toBe(300 * 1251);
    expect(plan.precision?.value).toBe('amp_float16');
    expect(ignored).toEqual([]);
  });

  test('lr unset: timm rescales lr_base for the global batch (linear for SGD, square root for Adam-like and LAMB)', () => {
    const sgd = timm.extract(yaml('model: resnet50\nbatch_size: 256\nlr_base: 0.1\nepochs: 90\ncheckpoint_hist: 5\n'), env({ worldSize: 4 })).plan;
    expect(sgd.peakLr).toMatchObject({ value: 0.4, origin: 'derived' }); // 0.1 × 1024 / 256
    const lamb = timm.extract(load('train.sh'), env()).plan;
    expect(lamb.peakLr?.value).toBeCloseTo(0.005 * Math.sqrt(2048 / 256), 12);
    const unknown = timm.extract(load('finetune.yaml'), env());
    expect(unknown.plan.peakLr).toBeUndefined();
    expect(unknown.missing.map((m) => m.field)).toContain('peakLr');
  });

  test('cooldown and a prefix warmup lengthen the run beyond the decay horizon', () => {
    const { plan, notes } = timm.extract(load('finetune.yaml'), env({ worldSize: 2, datasetSamples: 8189 }));
    // floor(8189 / (64 × 2)) = 63 batches, ceil(63 / 2) = 32 updates per epoch; 30 + 3 cooldown epochs.
    expect(plan.stepsPerEpoch?.value).toBe(32);
    expect(plan.totalSteps?.value).toBe(33 * 32);
    expect(plan.decaySteps?.value).toBe(30 * 32);
    expect(notes.some((n) => n.startsWith('timm runs 33 epochs, not epochs 30'))).toBe(true);
    const prefixed = timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.001\nepochs: 30\nwarmup_epochs: 3\nwarmup_prefix: true\ncheckpoint_hist: 3\n'), env({ worldSize: 1, datasetSamples: 6400 })).plan;
    expect([prefixed.totalSteps?.value, prefixed.decaySteps?.value]).toEqual([33 * 100, 33 * 100]);
  });

  test('ignored: lr_base* next to an explicit lr (unless the lr is the saved rescaled value); key typos kept by set_defaults', () => {
    const { ignored = [] } = timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.01\nlr_base: 0.2\nepochs: 10\ncooldown_epoch: 2\ncheckpoint_hist: 3\nmy_custom_flag: 1\n'), env());
    expect(ignored.map((i) => [i.key, i.critical])).toEqual([
      ['lr_base', true],
      ['cooldown_epoch', true],
    ]);
    expect(ignored[1].message).toContain('did you mean cooldown_epochs?');
    const saved = timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.05\nlr_base: 0.2\nworld_size: 1\nepochs: 10\ncheckpoint_hist: 3\n'), env());
    expect(saved.ignored).toEqual([]); // 0.2 × 64 / 256 = 0.05: what timm itself computed
  });

  test('without the dataset size, warmup_epochs ≥ epochs (warmup inside the epochs) is a conflict', () => {
    const { conflicts = [] } = timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.01\nepochs: 4\ncheckpoint_hist: 3\n'), env());
    expect(conflicts.map((c) => c.kind)).toEqual(['warmup-covers-run']);
    expect(timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.01\nepochs: 4\nwarmup_prefix: true\ncheckpoint_hist: 3\n'), env()).conflicts).toEqual([]);
  });

  test('without the dataset size the run and the decay horizon are compared in epochs: the cooldown tail holds for any dataset', () => {
    const text = 'model: convnext_tiny\nbatch_size: 64\ngrad_accum_steps: 2\nlr: 1.0e-4\nopt: adamw\nepochs: 10\nwarmup_epochs: 1\nmin_lr: 1.0e-6\ncooldown_epochs: 5\nsched: cosine\n';
    const { plan } = timm.extract(yaml(text), env());
    expect(plan.decaySteps).toBeUndefined();
    expect(plan.epochs).toMatchObject({ value: 15, origin: 'derived', key: 'epochs + cooldown_epochs', unit: 'epochs' });
    expect(plan.decayEpochs).toMatchObject({ value: 10, origin: 'explicit', key: 'epochs', range: { line: 6 }, unit: 'epochs' });
    expect(plan.decayEpochs?.advice).toBe('the 5 cooldown epochs run at min_lr after the schedule: set epochs: 15 with cooldown_epochs: 0 to decay over the whole run, or set cooldown_epochs: 1 or less');
    // Cycles and a prefix warmup are part of the horizon; a step schedule has no cooldown.
    const cycled = timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.01\nepochs: 10\nlr_cycle_limit: 2\nwarmup_epochs: 2\nwarmup_prefix: true\ncheckpoint_hist: 3\n'), env()).plan;
    expect([cycled.decayEpochs?.value, cycled.epochs?.value, cycled.epochs?.key]).toEqual([22, 22, 'epochs × lr_cycle_limit + warmup_epochs']);
    expect(cycled.decayEpochs?.how).toBe('epochs 10 × 2 cycles + warmup 2: the cosine schedule ends there, then min_lr');
    const step = timm.extract(yaml('model: m\nbatch_size: 64\nlr: 0.01\nepochs: 10\nsched: step\ncooldown_epochs: 5\ncheckpoint_hist: 3\n'), env()).plan;
    expect(step.decayEpochs).toBeUndefined();
    expect(step.epochs?.value).toBe(10);
  });

  test('-c on the command line: keys not written there come from the YAML, so they stay unknown', () => {
    const { plan, notes } = timm.extract(parseSource('t.sh', 'torchrun --nproc_per_node 2 train.py -c finetune.yaml --grad-accum-steps 4 --lr-base 0.001\n'), env());
    expect(plan.gradAccumSteps?.value).toBe(4);
    expect(plan.microBatchSize).toBeUndefined();
    expect(notes.filter((n) => n.startsWith('--config finetune.yaml:'))).toEqual([expect.stringMatching(/^--config finetune\.yaml: (\w+, )*batch_size(, \w+)* come from that file \(linted on its own\) or the defaults, so they are left unknown here$/)]);
  });
});

describe('timm launches and schedules', () => {
  test('./distributed_train.sh N: timm wrapper, world size N, the rest are train.py arguments', () => {
    for (const line of ['./distributed_train.sh 4 /data --model resnet50 -b 64 --lr-base 0.002 --epochs 10\n', 'bash distributed_train.sh 4 /data --model resnet50 -b 64 --lr-base 0.002 --epochs 10\n']) {
      const file = parseSource('run.sh', line);
      expect(detected(file)).toBe('timm');
      const { plan } = timm.extract(file, env());
      expect(plan.worldSize).toMatchObject({ value: 4, origin: 'launcher', how: 'distributed_train.sh 4 (--nnodes not set: 1 node)' });
      expect(plan.microBatchSize?.value).toBe(64);
      expect(plan.epochs?.value).toBe(10);
    }
    // Without a process count it is not a launch trainlint can read.
    expect(detected(parseSource('run.sh', './distributed_train.sh --model resnet50 --lr-base 0.002 --epochs 10\n'))).toBeUndefined();
  });

  test('val_interval: validation and checkpoints every N epochs, in updates once the epoch length is known', () => {
    const text = 'model: resnet50\nbatch_size: 128\nlr_base: 0.1\nepochs: 10\nval_interval: 3\ncheckpoint_hist: 5\nworld_size: 8\n';
    const { plan } = timm.extract(yaml(text), env({ datasetSamples: IMAGENET }));
    expect(plan.evalEverySteps).toMatchObject({ value: 3 * 1251, key: 'val_interval', writtenAs: { unit: 'epochs' } });
    expect(plan.saveEverySteps?.value).toBe(3 * 1251);
    expect(timm.extract(yaml(text), env()).plan.evalEverySteps).toBeUndefined();
  });

  test('multistep: decay_milestones are the decay horizons, and the run has no cooldown', () => {
    const text = 'model: resnet50\nbatch_size: 128\nlr_base: 0.1\nsched: multistep\ndecay_milestones: [30, 60]\nepochs: 90\ncooldown_epochs: 10\ncheckpoint_hist: 5\nworld_size: 8\n';
    const known = timm.extract(yaml(text), env({ datasetSamples: IMAGENET })).plan;
    expect(known.firstMilestone).toMatchObject({ value: 30 * 1251, unit: 'steps' });
    expect(known.lastMilestone).toMatchObject({ value: 60 * 1251, unit: 'steps' });
    expect(known.totalSteps?.value).toBe(90 * 1251);
    const epochsOnly = timm.extract(yaml(text), env()).plan;
    expect(epochsOnly.lastMilestone).toMatchObject({ value: 60, unit: 'epochs' });
    const cli = timm.extract(parseSource('t.sh', 'torchrun --nproc_per_node 8 train.py /data --lr-base 0.1 --sched multistep --decay-milestones 30 60 80 --epochs 90\n'), env()).plan;
    expect([cli.firstMilestone?.value, cli.lastMilestone?.value, cli.lastMilestone?.key]).toEqual([30, 80, '--decay-milestones']);
  });
});

describe('timm: a launch command over a --config YAML', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('train.py re-parses the command line with the YAML as defaults: -b 32 and --dr (aliases) win over it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-timm-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'mv3.yaml'), 'model: mobilenetv3_large_100\nbatch_size: 128\nlr: 0.064\nsched: step\ndecay_epochs: 2.4\ndecay_rate: 0.973\nepochs: 600\nwarmup_epochs: 5\ncheckpoint_hist: 10\n');
    fs.writeFileSync(path.join(dir, 'run.sh'), 'torchrun --nproc_per_node=2 train.py /data --config mv3.yaml --model mobilenetv3_large_100 -b 32 --dr 0.9 -j 4\n');
    const { results } = await lint({ root: dir, paths: ['.'], config: {} });
    const launched = results.find((r) => r.file.path === 'mv3.yaml' && r.launch);
    expect(launched?.extraction?.plan.microBatchSize).toMatchObject({ value: 32, origin: 'launcher', key: '-b', file: 'run.sh' });
    expect(launched?.extraction?.plan.globalBatchSize?.value).toBe(64);
  });
});

describe('timm: the shorter cooldown advised is one decay-horizon-mismatch accepts', () => {
  const advice = (cooldown: number) =>
    timm.extract(yaml(`model: vit_small_patch16_224\nbatch_size: 64\nlr: 1.0e-4\nopt: adamw\nepochs: 30\nsched: cosine\nmin_lr: 1.0e-6\ncooldown_epochs: ${cooldown}\n`), env()).plan.decayEpochs?.advice;

  test('epochs 30: a cooldown of 2 is 6.3% of 32 (above max(1, 5%)), so both 10 and 2 are told "1 or less"', () => {
    expect(advice(10)).toMatch(/, or set cooldown_epochs: 1 or less$/);
    expect(advice(2)).toMatch(/, or set cooldown_epochs: 1 or less$/);
    expect(acceptedCooldown(30)).toBe(1);
    // 5% of 95 + 5: a cooldown of 5 is accepted after 95 epochs.
    expect(acceptedCooldown(95)).toBe(5);
  });
});

