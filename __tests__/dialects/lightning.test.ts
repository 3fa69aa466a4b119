import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { lightning } from '../../src/dialects/lightning';
import { DIALECTS } from '../../src/dialects/index';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { launchedConfig, scriptLaunches } from '../../src/engine/script-links';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import schema from '../../schemas/dialects/lightning.schema.json';
import { CORPUS, fixtureLoader, listConfigs, sharedTest } from '../helpers/dialect-fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'lightning');
const LITGPT = path.join(CORPUS, 'Lightning-AI__litgpt');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('lightning');

function yaml(text: string, name = 'config.yaml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return lightning.extract(file, { assume, mappings: {} });
}


const TRAINER = (body: string) => `trainer:\n${body}\nmodel:\n  class_path: m.Model\n  init_args:\n    lr: 0.01\ndata:\n  class_path: d.Data\n  init_args:\n    batch_size: 32\n`;

describe('lightning: golden plans (hand-written LightningCLI configs)', () => {
  test('gpt-pretrain: 4 nodes × 8 GPUs, max_steps, val_check_interval in batches, ModelCheckpoint every_n_train_steps', () => {
    const file = fixture('gpt-pretrain.yaml');
    expect(lightning.detect(file, NO_ENV)).toBe(8);
    const { plan, missing, notes } = extract(file);
    expect(plan.worldSize).toMatchObject({ value: 32, origin: 'derived', how: 'trainer.devices 8 × trainer.num_nodes 4', key: 'trainer.devices' });
    expect(plan.worldSize?.range?.line).toBe(7);
    expect(plan.microBatchSize).toMatchObject({ value: 8, origin: 'explicit', key: 'data.init_args.batch_size', note: 'an argument of your LightningDataModule, read as the per-device DataLoader batch' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 4, origin: 'explicit', key: 'trainer.accumulate_grad_batches' });
    expect(plan.globalBatchSize).toMatchObject({ value: 1024, origin: 'derived', how: '8 × 4 × 32 (micro × accumulation × world size)' });
    // jsonargparse reads `6e-4` as a float (OmegaConf's resolver): no string note.
    expect(plan.peakLr).toEqual({ value: 6e-4, origin: 'explicit', file: 'gpt-pretrain.yaml', key: 'optimizer.init_args.lr', range: expect.objectContaining({ line: 61 }), valueRange: expect.objectContaining({ line: 61, column: 9 }) });
    expect(plan.optimizer?.value).toBe('torch.optim.AdamW');
    expect(plan.scheduler?.value).toBe('torch.optim.lr_scheduler.CosineAnnealingLR');
    expect(notes.join('\n')).toMatch(/steps the lr_scheduler once per epoch/);
    expect(plan.precision).toMatchObject({ value: 'bf16-mixed', origin: 'explicit' });
    expect(plan.epochs).toBeUndefined(); // max_epochs null with max_steps set: no epoch limit
    expect(plan.totalSteps).toMatchObject({ value: 60000, origin: 'explicit', key: 'trainer.max_steps', unit: 'steps' });
    expect(plan.evalEverySteps).toMatchObject({ value: 1000, origin: 'derived', how: 'val_check_interval 4000 batches / accumulate_grad_batches 4', key: 'trainer.val_check_interval' });
    expect(plan.saveEverySteps).toMatchObject({ value: 2000, origin: 'explicit', key: 'trainer.callbacks.1.init_args.every_n_train_steps' });
    expect(missing.map((m) => m.field)).toEqual(['warmupSteps']);
    expect(missing[0].hint).toMatch(/^model\.init_args\.warmup_steps 2000 is an argument of your own classes/);
  });

  test('image-classifier: device list, LR in the LightningModule, epochs × steps per epoch, fractional val_check_interval', () => {
    const file = fixture('image-classifier.yaml');
    expect(lightning.detect(file, NO_ENV)).toBe(8);
    const { plan, missing } = extract(file, { datasetSamples: 1281167, warmupSteps: 500 });
    expect(plan.worldSize).toMatchObject({ value: 4, origin: 'explicit', key: 'trainer.devices', note: 'num_nodes default 1' });
    expect(plan.globalBatchSize?.value).toBe(512);
    expect(plan.peakLr).toMatchObject({ value: 0.1, key: 'model.init_args.lr', note: 'an argument of your LightningModule, read as the peak LR' });
    expect(plan.precision?.value).toBe('16-mixed');
    expect(plan.epochs).toMatchObject({ value: 90, origin: 'explicit' });
    // per rank ceil(1281167 / 4) = 320292 samples → ceil(320292 / 64) = 5005 batches → ceil(5005 / 2) = 2503 steps.
    expect(plan.stepsPerEpoch).toMatchObject({ value: 2503, how: 'ceil(ceil(ceil(1281167 / 4) / 64) / 2)' });
    expect(plan.totalSteps).toMatchObject({ value: 225270, origin: 'derived', how: '90 × 2503 steps/epoch; 2503 = ceil(ceil(ceil(1281167 / 4) / 64) / 2)' });
    // val_check_batch = int(5005 × 0.5) = 2502 batches = 1251 optimizer steps.
    expect(plan.evalEverySteps).toMatchObject({ value: 1251, how: 'int(5005 batches/epoch × 0.5) / accumulate_grad_batches 2' });
    expect(plan.saveEverySteps).toMatchObject({ value: 12515, origin: 'derived', how: 'every_n_epochs 5 × 2503 steps/epoch' });
    expect(missing).toEqual([]);
  });

  test('minimal-defaults: devices auto, Lightning 1000-epoch default, 32-true precision', () => {
    const { plan, missing, notes } = extract(fixture('minimal-defaults.yaml'));
    expect(plan.worldSize).toBeUndefined();
    expect(notes).toContain('world size unknown: devices: auto uses every visible device');
    expect(plan.epochs).toMatchObject({ value: 1000, origin: 'default', key: 'trainer.max_epochs' });
    expect(plan.precision).toMatchObject({ value: '32-true', origin: 'default' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.peakLr).toMatchObject({ value: 0.001, key: 'model.init_args.learning_rate' });
    expect(missing.map((m) => m.field)).toEqual(['worldSize', 'warmupSteps', 'datasetSamples']);
  });

  test('flat-fixed-classes: flat groups, devices as a string, limit_train_batches: 1 is one batch', () => {
    const file = fixture('flat-fixed-classes.yaml');
    const bare = extract(file);
    expect(bare.plan.worldSize).toMatchObject({ value: 2, origin: 'derived', how: 'trainer.devices 2 × trainer.num_nodes 1' });
    expect(bare.plan.microBatchSize).toMatchObject({ value: 16, key: 'data.batch_size' });
    expect(bare.plan.peakLr).toMatchObject({ value: 1e-3, key: 'optimizer.lr' });
    expect(bare.notes).toContain('model.lr 0.0003 also set: optimizer.lr 0.001 is read as the peak LR');
    expect(bare.conflicts).toEqual([]);
    expect(bare.ignored).toEqual([
      {
        key: 'model.lr',
        range: expect.objectContaining({ line: 11 }),
        message: 'model.lr 0.0003 is likely unused: the optimizer: group makes LightningCLI build the optimizer with optimizer.lr 0.001; remove one of them',
      },
    ]);
    expect(bare.plan.totalSteps).toMatchObject({ value: 5000, origin: 'explicit', note: 'or fewer, if max_epochs 3 ends first' });

    const { plan, notes } = extract(file, { datasetSamples: 10000 });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 1, how: 'limit_train_batches 1' });
    expect(notes.join('\n')).toMatch(/limit_train_batches: 1 is an int, i\.e\. ONE batch per epoch/);
    expect(plan.totalSteps).toMatchObject({ value: 3, origin: 'derived', how: '3 epochs × 1 steps/epoch (before max_steps 5000)' });
  });
});

describe('lightning: edge cases', () => {
  test('devices -1 and "auto" are unknown; "0,1,3" counts indices', () => {
    expect(extract(yaml(TRAINER('  devices: -1\n  max_steps: 10'))).plan.worldSize).toBeUndefined();
    expect(extract(yaml(TRAINER('  devices: "0,1,3"\n  max_steps: 10'))).plan.worldSize?.value).toBe(3);
  });

  test('max_epochs -1 without max_steps: no limit; max_time: no 1000-epoch default', () => {
    const infinite = extract(yaml(TRAINER('  devices: 1\n  max_epochs: -1')));
    expect(infinite.plan.epochs).toBeUndefined();
    expect(infinite.notes).toContain('trainer.max_epochs -1: no epoch limit');
    const timed = extract(yaml(TRAINER('  devices: 1\n  max_time: "00:12:00:00"')));
    expect(timed.plan.epochs).toBeUndefined();
    expect(timed.notes.join('\n')).toMatch(/max_time 00:12:00:00/);
  });

  test('check_val_every_n_epoch without val_check_interval; limit_val_batches 0 turns validation off', () => {
    const every = extract(yaml(TRAINER('  devices: 2\n  max_epochs: 10\n  check_val_every_n_epoch: 2')), { datasetSamples: 6400 }).plan;
    expect(every.stepsPerEpoch?.value).toBe(100);
    expect(every.evalEverySteps).toMatchObject({ value: 200, how: 'check_val_every_n_epoch 2 × 100 steps/epoch' });
    // It counts epochs: advice about it is given in whole epochs (writtenAs).
    expect(every.evalEverySteps?.writtenAs).toEqual({ unit: 'epochs', perStep: 1 / 100, value: 2 });
    const off = extract(yaml(TRAINER('  devices: 2\n  max_epochs: 10\n  val_check_interval: 50\n  limit_val_batches: 0')));
    expect(off.plan.evalEverySteps).toBeUndefined();
    expect(off.notes).toContain('trainer.limit_val_batches 0: validation is off');
  });

  test('an int val_check_interval above the batches per epoch raises in Lightning unless check_val_every_n_epoch is null', () => {
    const raises = extract(yaml(TRAINER('  devices: 2\n  max_epochs: 10\n  val_check_interval: 500')), { datasetSamples: 6400 });
    expect(raises.conflicts?.map((c) => [c.kind, c.range.line, c.message])).toEqual([
      [
        'interval-exceeds-epoch',
        4,
        'val_check_interval 500 batches > 100 training batches per epoch: Lightning raises ValueError at fit; lower it, or set check_val_every_n_epoch: null to count batches across epochs',
      ],
    ]);
    const acrossEpochs = extract(yaml(TRAINER('  devices: 2\n  max_epochs: 10\n  val_check_interval: 500\n  check_val_every_n_epoch: null')), { datasetSamples: 6400 });
    expect(acrossEpochs.conflicts).toEqual([]);
    expect(acrossEpochs.plan.evalEverySteps?.value).toBe(500);
    // gpt-pretrain sets check_val_every_n_epoch: null for its 4000-batch interval.
    expect(extract(fixture('gpt-pretrain.yaml'), { datasetSamples: 100000 }).conflicts).toEqual([]);
  });

  test('flags after --config are the launch script\'s values: origin launcher at the flag, never a YAML edit', () => {
    const config = yaml(TRAINER('  devices: 8\n  max_epochs: 3\n  check_val_every_n_epoch: 1'));
    const sh = parseSource('train.sh', '#!/bin/bash\npython main.py fit --config config.yaml --data.init_args.batch_size 256 --model.init_args.lr 0.4 --trainer.val_check_interval 500\n', {}, 'shell');
    const [launch] = scriptLaunches(sh);
    const { plan, conflicts } = extract(launchedConfig(config, launch, lightning), { datasetSamples: 50000 });
    expect(plan.peakLr).toMatchObject({ value: 0.4, origin: 'launcher', file: 'train.sh', key: '--model.init_args.lr', range: expect.objectContaining({ line: 2 }) });
    expect(plan.peakLr?.note).toContain('over model.init_args.lr: 0.01 in the config');
    // Only a literal written in the config may be rewritten by --fix: not the YAML under a flag.
    expect(plan.peakLr?.valueRange).toBeUndefined();
    expect(plan.microBatchSize).toMatchObject({ value: 256, origin: 'launcher', key: '--data.init_args.batch_size' });
    expect(plan.microBatchSize?.valueRange).toBeUndefined();
    // The flag is not a key of the file: the conflict sits at the file's start and names the flag.
    expect(conflicts?.map((c) => [c.range.line, c.range.column, c.message.split(':')[0]])).toEqual([[1, 1, '--trainer.val_check_interval 500 batches > 25 training batches per epoch']]);
    expect(plan.evalEverySteps).toMatchObject({ value: 500, origin: 'launcher', file: 'train.sh' });
  });

  test('a float limit_train_batches is a fraction of the epoch', () => {
    const { plan } = extract(yaml(TRAINER('  devices: 2\n  max_epochs: 1\n  limit_train_batches: 0.25')), { datasetSamples: 6400 });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 25, how: 'int(ceil(ceil(6400 / 2) / 32) × limit_train_batches 0.25)' });
  });

  test('max_steps shorter than the epochs: max_steps wins', () => {
    const { plan } = extract(yaml(TRAINER('  devices: 2\n  max_epochs: 10\n  max_steps: 150')), { datasetSamples: 6400 });
    expect(plan.totalSteps).toMatchObject({ value: 150, origin: 'explicit' });
  });

  test('dependency-injected optimizer in the model, and a PyYAML-style quoted LR', () => {
    const text = 'trainer:\n  devices: 1\n  max_steps: 100\nmodel:\n  class_path: m.Model\n  init_args:\n    optimizer:\n      class_path: torch.optim.SGD\n      init_args:\n        lr: "0.1"\n';
    const { plan } = extract(yaml(text));
    expect(plan.peakLr).toMatchObject({ value: 0.1, key: 'model.init_args.optimizer.init_args.lr' });
    expect(plan.peakLr?.note).toMatch(/quoted string/);
    expect(plan.optimizer?.value).toBe('torch.optim.SGD');
  });

  test('detection: a trainer: mapping with Trainer keys; not litgpt, NeMo, or other frameworks', () => {
    expect(lightning.detect(yaml(TRAINER('  max_epochs: 3')), NO_ENV)).toBe(8);
    expect(lightning.detect(yaml('trainer:\n  max_epochs: 3\n  devices: 2\n  accelerator: gpu\n'), NO_ENV)).toBe(5);
    expect(lightning.detect(yaml('trainer:\n  max_epochs: 3\n'), NO_ENV)).toBe(0);
    expect(lightning.detect(yaml('trainer:\n  foo: 1\nmodel:\n  class_path: m.M\n'), NO_ENV)).toBe(0);
    // litgpt config_hub: train:, devices:, precision: at the top, no trainer: mapping.
    expect(lightning.detect(yaml('precision: bf16-mixed\ndevices: 4\ntrain:\n  global_batch_size: 64\n  micro_batch_size: 4\noptimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 2e-4\n'), NO_ENV)).toBe(0);
    // NeMo: Lightning Trainer arguments, but its own model config.
    expect(lightning.detect(yaml('trainer:\n  devices: 8\n  max_steps: 1000\nexp_manager:\n  explicit_log_dir: x\nmodel:\n  micro_batch_size: 4\n  optim:\n    lr: 1e-4\n'), NO_ENV)).toBe(0);
    expect(lightning.detect(yaml('trainer: pl\nmodel: x\n'), NO_ENV)).toBe(0);
  });

  test('detection: not EasyR1 / verl RL configs, nor NeMo inference configs, whose trainer: holds Trainer-like keys', () => {
    // EasyR1 (a verl fork): data:, worker:, trainer: {logger, n_gpus_per_node, nnodes, save_freq, …}.
    const easyR1 = 'data:\n  rollout_batch_size: 256\n  max_prompt_length: 1024\nworker:\n  actor:\n    global_batch_size: 64\n  rollout:\n    n: 4\ntrainer:\n  total_episodes: 10\n  logger: ["console"]\n  n_gpus_per_node: 4\n  nnodes: 1\n  save_freq: 10\n';
    expect(lightning.detect(yaml(easyR1), NO_ENV)).toBe(0);
    expect(lightning.detect(yaml('data:\n  train_files: x.parquet\ntrainer:\n  logger: ["console"]\n  n_gpus_per_node: 8\n'), NO_ENV)).toBe(0);
    // NeMo's megatron_gpt_inference.yaml shape: inference:, trainer:, parallel sizes and the checkpoint at the top.
    const nemoInference = 'inference:\n  greedy: false\n  tokens_to_generate: 64\ntrainer:\n  devices: 2\n  num_nodes: 1\n  accelerator: gpu\n  logger: false\n  precision: bf16\ntensor_model_parallel_size: 2\npipeline_model_parallel_size: 1\ngpt_model_file: null\nprompts:\n  - "Q: hi"\n';
    expect(lightning.detect(yaml(nemoInference), NO_ENV)).toBe(0);
    expect(lightning.detect(yaml('trainer:\n  devices: 1\n  accelerator: gpu\n  precision: 16\nnemo_model_file: model.nemo\n'), NO_ENV)).toBe(0);
    // A trainer-only LightningCLI file is still one.
    expect(lightning.detect(yaml('trainer:\n  devices: 1\n  accelerator: gpu\n  precision: 16\n  logger: false\n'), NO_ENV)).toBe(5);
  });

  test('the schema compiles in strict mode, accepts the fixtures, catches wrong values', () => {
    const validate = new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);
    for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'))) {
      expect([name, validate(toPlain(fixture(name).tree!)), validate.errors]).toEqual([name, true, null]);
    }
    const bad = yaml(TRAINER('  devices: 0\n  precision: bf16-mix\n  accumulate_grad_batches: 0'));
    expect(validate(toPlain(bad.tree!))).toBe(false);
    const paths = new Set(validate.errors?.map((e) => e.instancePath));
    expect([...paths]).toEqual(expect.arrayContaining(['/trainer/devices', '/trainer/precision', '/trainer/accumulate_grad_batches']));
  });
});

const sweep = sharedTest(CORPUS);

describe('lightning: corpus sweeps', () => {
  sweep('no corpus file is claimed (the corpus has no LightningCLI config; litgpt config_hub files are not Lightning Trainer YAML)', () => {
    const files = listConfigs(CORPUS);
    const claimed = files.filter((f) => lightning.detect(parseSource(path.relative(CORPUS, f), readFileSync(f, 'utf8')), NO_ENV) > 0);
    console.log(`lightning: ${files.length} corpus files swept, ${claimed.length} claimed; ${existsSync(LITGPT) ? listConfigs(LITGPT).length : 0} litgpt files among them`);
    expect(files.length).toBeGreaterThan(1000);
    expect(claimed).toEqual([]);
  });

  test('on the fixtures, no registered dialect scores higher', () => {
    const beaten: string[] = [];
    for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'))) {
      const file = fixture(name);
      const own = lightning.detect(file, NO_ENV);
      expect([name, own > 0]).toEqual([name, true]);
      for (const d of DIALECTS) if (d.meta.id !== 'lightning' && d.detect(file, NO_ENV) >= own) beaten.push(`${name}: ${d.meta.id}`);
    }
    expect(beaten).toEqual([]);
  });
});
