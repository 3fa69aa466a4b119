import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { litgpt } from '../../src/dialects/litgpt';
import type { ExtractEnv } from '../../src/dialects/types';
import { loadFile, parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { launchedConfig, scriptLaunches } from '../../src/engine/script-links';
import { toPlain } from '../../src/engine/tree';
import schema from '../../schemas/dialects/litgpt.schema.json';
import { CORPUS, listFiles, sharedAvailable, sharedDescribe, sharedTest } from '../helpers/dialect-fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'litgpt');
const FRAMEWORK = 'Lightning-AI__litgpt';

const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const fixture = (name: string): SourceFile => parseSource(`litgpt/${name}`, readFileSync(path.join(FIXTURES, name), 'utf8'));
const yaml = (text: string): SourceFile => parseSource('config_hub/x.yaml', text);


const corpusFiles = sharedAvailable() ? listFiles(CORPUS).filter((f) => !f.endsWith('.md')) : [];
const load = (abs: string): SourceFile => loadFile(abs, path.relative(CORPUS, abs).split(path.sep).join('/'));

describe('litgpt golden plans', () => {
  test('pretrain tinyllama.yaml: 3T tokens → optimizer steps; accumulation from the world size', () => {
    const file = fixture('pretrain-tinyllama.yaml');
    const unknownWorld = litgpt.extract(file, env());
    expect(unknownWorld.plan.totalSteps).toMatchObject({
      value: 2861022,
      origin: 'derived',
      unit: 'steps',
      how: '3000000000000 // (512 × 2048) (max_tokens / (global_batch_size × max_seq_length))',
    });
    expect(unknownWorld.plan.worldSize).toBeUndefined();
    expect(unknownWorld.plan.gradAccumSteps).toBeUndefined();
    expect(unknownWorld.notes).toContain('devices = auto: Fabric uses every visible GPU, so the world size comes from the machine');
    expect(unknownWorld.missing.map((m) => m.field)).toEqual(['worldSize']);

    const { plan } = litgpt.extract(file, env({ worldSize: 8 }));
    expect(plan.microBatchSize).toMatchObject({ value: 4, origin: 'explicit', key: 'train.micro_batch_size', file: 'litgpt/pretrain-tinyllama.yaml', range: { line: 19, column: 3 } });
    expect(plan.globalBatchSize).toMatchObject({ value: 512, origin: 'explicit', key: 'train.global_batch_size' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 16, origin: 'derived', how: '512 // 8 // 4 (global_batch_size // world size // micro_batch_size)' });
    expect(plan.seqLen).toMatchObject({ value: 2048, origin: 'explicit', key: 'train.max_seq_length' });
    // (3e12 // 8) // (4 × 2048) = 45776367 micro-steps, // 16 = 2861022 optimizer steps.
    expect(plan.totalSteps).toMatchObject({ value: 2861022, origin: 'derived' });
    expect(plan.totalSteps?.how).toBe(
      '(3000000000000 // 8) // (4 × 2048) = 45776367 micro-steps // 16 (max_tokens per rank / tokens per micro-step / accumulation)',
    );
    expect(plan.warmupSteps).toMatchObject({ value: 2000, origin: 'explicit', key: 'train.lr_warmup_steps', unit: 'steps' });
    // `lr: 4e-4` is a float for jsonargparse (a PyYAML string otherwise): no loader note.
    expect(plan.peakLr).toEqual(expect.objectContaining({ value: 4e-4, origin: 'explicit', key: 'optimizer.init_args.lr' }));
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.minLr).toMatchObject({ value: 4e-5, origin: 'explicit', key: 'train.min_lr' });
    expect(plan.optimizer).toMatchObject({ value: 'AdamW', origin: 'explicit', key: 'optimizer.class_path' });
    expect(plan.precision).toMatchObject({ value: 'bf16-mixed', origin: 'explicit' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'default' });
    expect(plan.saveEverySteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'train.save_interval' });
    expect(plan.evalEverySteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'eval.interval' });
  });

  test('pretrain tinystories.yaml: 9.7B tokens at 512 × 256 per step', () => {
    const { plan } = litgpt.extract(fixture('pretrain-tinystories.yaml'), env({ worldSize: 1 }));
    expect(plan.gradAccumSteps?.value).toBe(4);
    // (9.7e9 // 1) // (128 × 256) = 296020 micro-steps ("original did 298,000 iters"), // 4 = 74005 steps.
    expect(plan.totalSteps).toMatchObject({ value: 74005, how: '(9700000000 // 1) // (128 × 256) = 296020 micro-steps // 4 (max_tokens per rank / tokens per micro-step / accumulation)' });
    expect(plan.minLr?.value).toBe(0);
  });

  test('finetune llama-3-8b/lora.yaml: one device, epochs need the dataset size', () => {
    const { plan, missing } = litgpt.extract(fixture('finetune-llama-3-8b-lora.yaml'), env());
    expect(plan.worldSize).toMatchObject({ value: 1, origin: 'explicit', key: 'devices', range: { line: 6, column: 1 } });
    expect(plan.gradAccumSteps).toMatchObject({ value: 8, how: '8 // 1 // 1 (global_batch_size // world size // micro_batch_size)' });
    expect(plan.epochs).toMatchObject({ value: 2, origin: 'explicit' });
    expect(plan.peakLr).toMatchObject({ value: 2e-4, origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 10, origin: 'explicit' });
    expect(plan.seqLen).toMatchObject({ value: 512, note: 'upper bound: finetuning uses min(longest sample, max_seq_length)' });
    expect(plan.totalSteps).toBeUndefined();
    expect(missing.map((m) => m.field)).toEqual(['datasetSamples']);

    const withData = litgpt.extract(fixture('finetune-llama-3-8b-lora.yaml'), env({ datasetSamples: 2000 })).plan;
    expect(withData.stepsPerEpoch).toMatchObject({ value: 250, how: 'ceil(ceil(2000 / 1) / 1) // 8' });
    expect(withData.totalSteps).toMatchObject({ value: 500, origin: 'derived', how: '2 × ceil(ceil(2000 / 1) / 1) // 8' });
  });

  test('finetune phi-2/full.yaml: max_steps 100 caps the run below the 200 warmup steps', () => {
    const { plan } = litgpt.extract(fixture('finetune-phi-2-full.yaml'), env());
    expect(plan.worldSize).toMatchObject({ value: 2, origin: 'explicit' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, how: '8 // 2 // 4 (global_batch_size // world size // micro_batch_size)' });
    expect(plan.totalSteps).toMatchObject({ value: 100, origin: 'explicit', key: 'train.max_steps', note: 'upper bound: train.epochs 1 may end the run first (total = min(epochs × steps/epoch, max_steps))' });
    expect(plan.warmupSteps).toMatchObject({ value: 200, origin: 'explicit' });
    expect(plan.saveEverySteps?.value).toBe(200);
  });
});

describe('litgpt edge cases', () => {
  const head = 'checkpoint_dir: checkpoints/x\n';

  test('floor division: a global batch the world does not divide is noted', () => {
    const { plan, notes } = litgpt.extract(yaml(`${head}devices: 3\ntrain:\n  global_batch_size: 16\n  micro_batch_size: 2\n  epochs: 1\n`), env());
    expect(plan.gradAccumSteps).toMatchObject({ value: 2, how: '16 // 3 // 2 (global_batch_size // world size // micro_batch_size)' });
    expect(notes.join('\n')).toMatch(/the run steps every 12 samples, not global_batch_size 16/);
    const zero = litgpt.extract(yaml(`${head}devices: 8\ntrain:\n  global_batch_size: 8\n  micro_batch_size: 2\n  epochs: 1\n`), env());
    expect(zero.plan.gradAccumSteps).toBeUndefined();
    expect(zero.notes.join('\n')).toMatch(/asserts gradient_accumulation_iters > 0/);
  });

  test('devices × num_nodes', () => {
    const { plan } = litgpt.extract(yaml(`${head}devices: 4\nnum_nodes: 2\ntrain:\n  global_batch_size: 64\n  micro_batch_size: 2\n  max_steps: 10\n`), env());
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'derived', how: 'devices 4 × num_nodes 2', key: 'devices' });
    expect(plan.gradAccumSteps?.value).toBe(4);
  });

  test('max_steps below epochs × steps/epoch wins; above it the epochs end the run', () => {
    const text = (max: number) => `${head}devices: 1\ntrain:\n  global_batch_size: 4\n  micro_batch_size: 4\n  epochs: 2\n  max_steps: ${max}\n`;
    expect(litgpt.extract(yaml(text(30)), env({ datasetSamples: 100 })).plan.totalSteps).toMatchObject({ value: 30, origin: 'explicit' });
    expect(litgpt.extract(yaml(text(300)), env({ datasetSamples: 100 })).plan.totalSteps).toMatchObject({ value: 50, origin: 'derived' });
  });

  test('lr_warmup_fraction is a fraction of one epoch, not of training', () => {
    const text = 'model_name: pythia-14m\ndevices: 2\ntrain:\n  global_batch_size: 16\n  micro_batch_size: 4\n  lr_warmup_steps:\n  lr_warmup_fraction: 0.1\n  max_tokens: 1000000\n  max_seq_length: 128\n';
    const unknown = litgpt.extract(yaml(text), env());
    expect(unknown.plan.warmupSteps).toBeUndefined();
    expect(unknown.plan.warmupRatio).toBeUndefined();
    expect(unknown.missing.map((m) => m.field)).toContain('warmupSteps');
    // 1000 samples over 2 ranks: 500 per rank → 125 micro-batches; ceil(0.1 × 125) = 13 micro-steps; / accumulation 2 → 7 steps.
    const { plan } = litgpt.extract(yaml(text), env({ datasetSamples: 1000 }));
    expect(plan.warmupSteps).toMatchObject({ value: 7, origin: 'derived', key: 'train.lr_warmup_fraction', how: 'ceil(ceil(0.1 × 125 micro-batches per epoch) / 2) (lr_warmup_fraction is a fraction of one epoch)' });
  });

  test('lr_warmup_fraction with lr_warmup_steps (written, or the script default) is a conflict litgpt rejects', () => {
    const implicit = litgpt.extract(yaml('model_name: x\ntrain:\n  global_batch_size: 16\n  micro_batch_size: 4\n  lr_warmup_fraction: 0.1\n'), env());
    expect(implicit.conflicts).toEqual([
      expect.objectContaining({ kind: 'warmup-steps-and-ratio', range: expect.objectContaining({ line: 5, column: 3 }), message: expect.stringMatching(/script default \(2000 steps\) is set too: .*write lr_warmup_steps: null$/) }),
    ]);
    const both = litgpt.extract(yaml('model_name: x\ntrain:\n  global_batch_size: 16\n  micro_batch_size: 4\n  lr_warmup_steps: 10\n  lr_warmup_fraction: 0.1\n'), env());
    expect(both.plan.warmupSteps?.value).toBe(10);
    expect(both.conflicts?.map((c) => c.kind)).toEqual(['warmup-steps-and-ratio']);
    expect(litgpt.extract(fixture('pretrain-tinyllama.yaml'), env()).conflicts).toEqual([]);
    // The fraction given by a launch flag: the conflict sits at the file's start (the report adds the command), not at a script line.
    const sh = parseSource('pretrain.sh', 'litgpt pretrain --config config_hub/x.yaml --train.lr_warmup_fraction 0.1\n', {}, 'shell');
    const config = yaml('model_name: x\n\n\n\ntrain:\n  global_batch_size: 16\n  micro_batch_size: 4\n');
    const launched = litgpt.extract(launchedConfig(config, scriptLaunches(sh)[0], litgpt), env());
    expect(launched.conflicts?.map((c) => [c.kind, c.range.line, c.range.column])).toEqual([['warmup-steps-and-ratio', 1, 1]]);
  });

  test('pretrain without max_seq_length: steps need the model block size (or model_config.block_size)', () => {
    const bare = litgpt.extract(yaml('model_name: pythia-14m\ndevices: 1\ntrain:\n  global_batch_size: 125\n  micro_batch_size: 5\n  max_tokens: 100000000\n'), env());
    expect(bare.plan.totalSteps).toBeUndefined();
    expect(bare.missing.map((m) => m.field)).toContain('totalSteps');
    const inline = litgpt.extract(yaml('model_name: x\nmodel_config:\n  block_size: 256\ndevices: 1\ntrain:\n  global_batch_size: 128\n  micro_batch_size: 128\n  max_tokens: 3276800\n'), env());
    expect(inline.plan.seqLen).toMatchObject({ value: 256, key: 'model_config.block_size' });
    expect(inline.plan.totalSteps?.value).toBe(100);
  });

  test('optimizer as a name, with the torch default lr; save_interval null disables periodic saves', () => {
    const { plan, notes } = litgpt.extract(yaml(`${head}optimizer: AdamW\ntrain:\n  global_batch_size: 8\n  micro_batch_size: 1\n  save_interval:\n  epochs: 1\n`), env());
    expect(plan.optimizer).toMatchObject({ value: 'AdamW', origin: 'explicit' });
    expect(plan.peakLr).toMatchObject({ value: 1e-3, origin: 'default', note: 'torch.optim.AdamW default lr' });
    expect(plan.saveEverySteps).toBeUndefined();
    expect(notes).toContain('train.save_interval is null: no periodic checkpoints (only the final one)');
  });
});

describe('litgpt detection', () => {
  test('a train: mapping with TrainArgs keys plus a script argument', () => {
    expect(litgpt.detect(yaml('out_dir: o\ntrain:\n  global_batch_size: 8\n  micro_batch_size: 1\n'), env())).toBe(7);
    expect(litgpt.detect(yaml('train:\n  global_batch_size: 8\n  micro_batch_size: 1\n'), env())).toBe(0);
    expect(litgpt.detect(yaml('out_dir: o\ntrain:\n  batch_size: 8\n'), env())).toBe(0);
    expect(litgpt.detect(parseSource('x.toml', '[train]\nglobal_batch_size = 8\nmicro_batch_size = 1\nout_dir = "x"\n'), env())).toBe(0);
  });

  sharedTest()('claims every LitGPT corpus file and nothing else', () => {
    const own = corpusFiles.filter((abs) => path.relative(CORPUS, abs).startsWith(FRAMEWORK + path.sep)).map((abs) => path.relative(CORPUS, abs));
    const claimed = corpusFiles.filter((abs) => litgpt.detect(load(abs), env()) > 0).map((abs) => path.relative(CORPUS, abs));
    expect(own.length).toBe(46);
    expect(claimed.sort()).toEqual(own.sort());
  });

  test('claims no other test fixture', () => {
    const others = listFiles(path.join(__dirname, '..', 'fixtures')).filter((f) => !f.includes(`${path.sep}litgpt${path.sep}`) && !f.endsWith('.md'));
    expect(others.filter((abs) => litgpt.detect(loadFile(abs, path.basename(abs)), env()) > 0)).toEqual([]);
  });
});

sharedDescribe()('litgpt corpus sweep', () => {
  const files = corpusFiles.filter((abs) => path.relative(CORPUS, abs).startsWith(FRAMEWORK + path.sep)).map(load);

  test('every file extracts; batch, LR, warmup, intervals everywhere; steps where the data allows', () => {
    const counts: Record<string, number> = {};
    for (const file of files) {
      expect(file.problems).toEqual([]);
      // World size 4 where devices is "auto" (on 8 GPUs microllama and tinystories would fail: see below).
      const { plan } = litgpt.extract(file, env({ worldSize: 4 }));
      for (const [field, setting] of Object.entries(plan)) if (setting) counts[field] = (counts[field] ?? 0) + 1;
    }
    console.log(`litgpt sweep (${files.length} files, world size assumed 4 where devices is "auto"): ${JSON.stringify(counts)}`);
    for (const field of ['microBatchSize', 'globalBatchSize', 'gradAccumSteps', 'peakLr', 'warmupSteps', 'saveEverySteps', 'evalEverySteps', 'precision', 'optimizer', 'worldSize']) {
      expect(counts[field]).toBe(46);
    }
    // The minimum LR only in the 4 pretrain files: the finetune scripts do not pass train.min_lr on.
    expect(counts.minLr).toBe(4);
    // 3 pretrain files with max_seq_length (debug.yaml has none) + 2 finetune files with max_steps.
    expect(counts.totalSteps).toBeGreaterThanOrEqual(5);
    expect(counts.seqLen).toBeGreaterThanOrEqual(45);
  });

  test('pretrain microllama.yaml cannot run on 8 GPUs: 48 // 8 // 12 = 0 accumulation steps', () => {
    const file = files.find((f) => f.path.endsWith('pretrain/microllama.yaml')) as SourceFile;
    const { plan, notes } = litgpt.extract(file, env({ worldSize: 8 }));
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(notes).toContain('global_batch_size 48 // world 8 // micro_batch_size 12 = 0: litgpt asserts gradient_accumulation_iters > 0 and stops');
  });

  test('every corpus file passes the built-in schema (floats written 4e-4 included)', () => {
    const validate = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true }).compile(schema);
    const failures = files.filter((f) => !validate(toPlain(f.tree!))).map((f) => `${f.path}: ${JSON.stringify(validate.errors)}`);
    expect(failures).toEqual([]);
  });
});
