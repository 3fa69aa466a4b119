import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { torchtitan } from '../../src/dialects/torchtitan';
import type { ExtractEnv } from '../../src/dialects/types';
import { loadFile, parseSource } from '../../src/engine/load-file';
import { launchedConfig, scriptLaunches } from '../../src/engine/script-links';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import schema from '../../schemas/dialects/torchtitan.schema.json';
import { CORPUS, listFiles, sharedAvailable, sharedDescribe, sharedTest } from '../helpers/dialect-fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'torchtitan');
const FRAMEWORK = 'pytorch__torchtitan';

const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const fixture = (name: string): SourceFile => parseSource(`torchtitan/${name}`, readFileSync(path.join(FIXTURES, name), 'utf8'));
const toml = (text: string): SourceFile => parseSource('train_configs/x.toml', text);


const corpusFiles = sharedAvailable() ? listFiles(CORPUS).filter((f) => !f.endsWith('.md')) : [];
const load = (abs: string): SourceFile => loadFile(abs, path.relative(CORPUS, abs).split(path.sep).join('/'));

describe('torchtitan golden plans', () => {
  test('llama3_8b.toml on 64 GPUs: FSDP over every rank, no accumulation', () => {
    const { plan, missing, notes } = torchtitan.extract(fixture('llama3_8b.toml'), env({ worldSize: 64 }));
    expect(plan.microBatchSize).toMatchObject({ value: 1, origin: 'explicit', key: 'training.local_batch_size', file: 'torchtitan/llama3_8b.toml', range: { line: 24, column: 1, endLine: 24, endColumn: 17 } });
    expect(plan.seqLen).toMatchObject({ value: 8192, origin: 'explicit', key: 'training.seq_len' });
    expect(plan.totalSteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'training.steps', unit: 'steps' });
    expect(plan.warmupSteps).toMatchObject({ value: 200, origin: 'explicit', key: 'lr_scheduler.warmup_steps', range: { line: 20 } });
    expect(plan.peakLr).toMatchObject({ value: 3e-4, origin: 'explicit', key: 'optimizer.lr' });
    expect(plan.optimizer).toMatchObject({ value: 'AdamW', origin: 'explicit' });
    expect(plan.scheduler).toMatchObject({ value: 'linear', origin: 'default', key: 'lr_scheduler.decay_type' });
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'default', key: 'lr_scheduler.min_lr_factor' });
    expect(plan.precision).toMatchObject({ value: 'bfloat16', origin: 'default', key: 'training.mixed_precision_param' });
    expect(plan.worldSize).toMatchObject({ value: 64, origin: 'assumed' });
    expect(plan.dataParallelSize).toMatchObject({ value: 64, origin: 'derived', how: 'world 64 / (tp 1 × pp 1 × cp 1) (data_parallel_shard_degree = -1 takes the rest)' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: 'training.global_batch_size' });
    expect(plan.globalBatchSize).toMatchObject({ value: 64, origin: 'derived', how: '1 × 1 × 64 (micro × accumulation × data-parallel size)' });
    expect(plan.saveEverySteps).toBeUndefined();
    expect(plan.evalEverySteps).toBeUndefined();
    expect(plan.decaySteps).toBeUndefined();
    expect(notes).toContain('checkpointing is disabled (checkpoint.enable = false): no periodic checkpoints, so the save interval is not linted');
    expect(missing).toEqual([]);
  });

  test('llama3_70b.toml: tensor parallel 8 leaves 8 data-parallel ranks of 64', () => {
    const { plan } = torchtitan.extract(fixture('llama3_70b.toml'), env({ worldSize: 64 }));
    expect(plan.dataParallelSize).toMatchObject({ value: 8, how: 'world 64 / (tp 8 × pp 1 × cp 1) (data_parallel_shard_degree = -1 takes the rest)' });
    expect(plan.globalBatchSize).toMatchObject({ value: 64, how: '8 × 1 × 8 (micro × accumulation × data-parallel size)' });
  });

  test('base_config.toml: warmup-stable-decay with decay_ratio, world size unknown', () => {
    const { plan, missing } = torchtitan.extract(fixture('base_config.toml'), env());
    expect(plan.totalSteps?.value).toBe(10);
    expect(plan.warmupSteps).toMatchObject({ value: 2, origin: 'explicit' });
    expect(plan.scheduler).toMatchObject({
      value: 'wsd',
      origin: 'explicit',
      key: 'lr_scheduler.decay_ratio',
      note: 'warmup-stable-decay: warmup 2, stable 0, linear decay over round(10 × 0.8) = 8 steps',
    });
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'derived', key: 'lr_scheduler.min_lr_factor', how: 'optimizer.lr 0.0008 × lr_scheduler.min_lr_factor 0' });
    expect(plan.worldSize).toBeUndefined();
    expect(plan.dataParallelSize).toBeUndefined();
    expect(plan.globalBatchSize).toBeUndefined();
    expect(missing.map((m) => m.field)).toEqual(['worldSize']);
    expect(missing[0].hint).toMatch(/assume\.worldSize/);
  });

  test('llama2_7b.toml: the older schema (training.batch_size, training.warmup_steps, enable_checkpoint)', () => {
    const { plan, notes } = torchtitan.extract(fixture('llama2_7b.toml'), env({ worldSize: 8 }));
    expect(plan.microBatchSize).toMatchObject({ value: 8, origin: 'explicit', key: 'training.batch_size' });
    expect(plan.warmupSteps).toMatchObject({ value: 200, origin: 'explicit', key: 'training.warmup_steps' });
    expect(plan.scheduler).toMatchObject({ value: 'linear', origin: 'default' });
    expect(plan.dataParallelSize).toMatchObject({ value: 8 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, key: 'training.batch_size' });
    expect(plan.globalBatchSize?.value).toBe(64);
    expect(notes[0]).toMatch(/older torchtitan schema/);
    expect(notes).toContain('checkpointing is disabled (checkpoint.enable_checkpoint = false): no periodic checkpoints, so the save interval is not linted');
  });
});

describe('torchtitan edge cases', () => {
  const base = '[job]\ndescription = "t"\n[training]\nlocal_batch_size = 4\nsteps = 1000\n';

  test('lr_scheduler.total_steps is the schedule length: decay horizon, warmup clamp and decay_ratio use it', () => {
    const { plan, notes } = torchtitan.extract(
      toml(`${base}[lr_scheduler]\nwarmup_steps = 600\ntotal_steps = 500\ndecay_ratio = 0.5\n`),
      env({ worldSize: 8 }),
    );
    expect(plan.totalSteps).toMatchObject({ value: 1000, key: 'training.steps' });
    expect(plan.decaySteps).toMatchObject({ value: 500, key: 'lr_scheduler.total_steps' });
    expect(plan.warmupSteps?.note).toBe('lr_scheduler.py clamps a warmup longer than lr_scheduler.total_steps to 500 (with a warning)');
    expect(notes.join('\n')).toContain('exceed lr_scheduler.total_steps 500: torchtitan shrinks the decay to 0 steps');
  });

  test('an explicit global batch gives the accumulation (global / (local × dp))', () => {
    const { plan } = torchtitan.extract(toml(`${base}global_batch_size = 256\n[parallelism]\ndata_parallel_shard_degree = -1\n`), env({ worldSize: 16 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 256, origin: 'explicit', key: 'training.global_batch_size' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 4, origin: 'derived', how: '256 / (4 × 16) (global_batch_size / (local_batch_size × data-parallel degree))' });
  });

  test('a global batch that local × dp does not divide leaves the accumulation unknown (batch-size-mismatch reports it)', () => {
    const { plan } = torchtitan.extract(toml(`${base}global_batch_size = 100\n`), env({ worldSize: 16 }));
    expect(plan.globalBatchSize?.value).toBe(100);
    expect(plan.gradAccumSteps).toBeUndefined();
  });

  test('explicit degrees give the world size; an assumed world that differs is noted', () => {
    const degrees = `${base}[parallelism]\ndata_parallel_replicate_degree = 2\ndata_parallel_shard_degree = 4\ntensor_parallel_degree = 2\n`;
    const { plan } = torchtitan.extract(toml(degrees), env());
    expect(plan.worldSize).toMatchObject({ value: 16, origin: 'derived' });
    expect(plan.worldSize?.how).toMatch(/^dp_replicate 2 × dp_shard 4 × tp 2 × pp 1 × cp 1/);
    expect(plan.dataParallelSize).toMatchObject({ value: 8, how: 'dp_replicate 2 × dp_shard 4' });
    expect(plan.globalBatchSize?.value).toBe(32);
    const mismatch = torchtitan.extract(toml(degrees), env({ worldSize: 8 }));
    expect(mismatch.notes.join('\n')).toMatch(/multiply to 16 ranks but the world size is 8: torchtitan refuses to start/);
  });

  test('data_parallel_shard_degree = -1 that cannot fill the world is noted', () => {
    const { plan, notes } = torchtitan.extract(toml(`${base}[parallelism]\ntensor_parallel_degree = 8\n`), env({ worldSize: 12 }));
    expect(plan.dataParallelSize).toBeUndefined();
    expect(notes.join('\n')).toMatch(/cannot fill the world size 12/);
  });

  test('checkpointing enabled: interval in steps (default 500); seconds are not steps', () => {
    expect(torchtitan.extract(toml(`${base}[checkpoint]\nenable = true\n`), env()).plan.saveEverySteps).toMatchObject({ value: 500, origin: 'default', key: 'checkpoint.interval' });
    expect(torchtitan.extract(toml(`${base}[checkpoint]\nenable = true\ninterval = 100\n`), env()).plan.saveEverySteps).toMatchObject({ value: 100, origin: 'explicit' });
    const seconds = torchtitan.extract(toml(`${base}[checkpoint]\nenable_checkpoint = true\ninterval_type = "seconds"\ninterval = 600\n`), env());
    expect(seconds.plan.saveEverySteps).toBeUndefined();
    expect(seconds.notes.join('\n')).toMatch(/interval_type = "seconds"/);
  });

  test('validation enabled: eval every validation.freq (default 10)', () => {
    expect(torchtitan.extract(toml(`${base}[validation]\nenable = true\n`), env()).plan.evalEverySteps).toMatchObject({ value: 10, origin: 'default' });
    expect(torchtitan.extract(toml(`${base}[validation]\nenable = true\nfreq = 250\n`), env()).plan.evalEverySteps).toMatchObject({ value: 250, origin: 'explicit' });
  });

  test('defaults when keys are missing: 8 × 2048, 10000 steps, warmup 200, lr 8e-4', () => {
    const { plan } = torchtitan.extract(toml('[job]\n[training]\n'), env());
    expect(plan.microBatchSize).toMatchObject({ value: 8, origin: 'default' });
    expect(plan.seqLen).toMatchObject({ value: 2048, origin: 'default' });
    expect(plan.totalSteps).toMatchObject({ value: 10000, origin: 'default' });
    expect(plan.warmupSteps).toMatchObject({ value: 200, origin: 'default' });
    expect(plan.peakLr).toMatchObject({ value: 8e-4, origin: 'default' });
  });

  test('warmup longer than training is kept (the rule reports it) with the clamp noted; oversized decay and decay_ratio 0', () => {
    const long = torchtitan.extract(toml(`[job]\n[training]\nsteps = 100\n[lr_scheduler]\nwarmup_steps = 300\n`), env());
    expect(long.plan.warmupSteps).toMatchObject({ value: 300, note: 'lr_scheduler.py clamps a warmup longer than training.steps to 100 (with a warning)' });
    const big = torchtitan.extract(toml(`[job]\n[training]\nsteps = 40\n[lr_scheduler]\nwarmup_steps = 4\ndecay_ratio = 0.95\n`), env());
    expect(big.notes.join('\n')).toMatch(/warmup 4 \+ decay round\(40 × 0.95\) = 38 exceed training.steps 40: torchtitan shrinks the decay to 36 steps/);
    // The scheduler note gives the decay length really used, and where it comes from.
    expect(big.plan.scheduler?.note).toBe('warmup-stable-decay: warmup 4, stable 0, linear decay over training.steps 40 − warmup 4 = 36 (round(40 × 0.95) = 38, shrunk to fit after the warmup) steps');
    const flat = torchtitan.extract(toml(`[job]\n[training]\nsteps = 40\n[lr_scheduler]\nwarmup_steps = 4\ndecay_ratio = 0.0\n`), env());
    expect(flat.plan.scheduler).toMatchObject({ value: 'constant' });
  });

  test('min_lr_factor gives min LR = lr × factor', () => {
    const { plan } = torchtitan.extract(toml(`[job]\n[training]\n[optimizer]\nlr = 4e-3\n[lr_scheduler]\nmin_lr_factor = 0.1\n`), env());
    expect(plan.minLr).toMatchObject({ value: 4e-4, origin: 'derived', how: 'optimizer.lr 0.004 × lr_scheduler.min_lr_factor 0.1' });
  });
});

describe('torchtitan detection', () => {
  test('TOML with [training] and a torchtitan table', () => {
    expect(torchtitan.detect(toml('[training]\nsteps = 1\n[job]\n'), env())).toBe(7);
    expect(torchtitan.detect(toml('[training]\nsteps = 1\n[job]\n[lr_scheduler]\n[parallelism]\n'), env())).toBe(9);
    expect(torchtitan.detect(toml('[training]\nsteps = 1\n'), env())).toBe(0);
    expect(torchtitan.detect(toml('[tool.poetry]\nname = "x"\n'), env())).toBe(0);
    expect(torchtitan.detect(parseSource('x.yaml', 'training:\n  steps: 1\njob: {}\n'), env())).toBe(0);
  });

  sharedTest()('claims every torchtitan corpus file and nothing else', () => {
    const claimed = corpusFiles.filter((abs) => torchtitan.detect(load(abs), env()) > 0).map((abs) => path.relative(CORPUS, abs));
    const own = corpusFiles.filter((abs) => path.relative(CORPUS, abs).startsWith(FRAMEWORK + path.sep));
    expect(own.length).toBe(26);
    expect(claimed.sort()).toEqual(own.map((abs) => path.relative(CORPUS, abs)).sort());
  });

  test('claims no other test fixture', () => {
    // Other engineers' fixtures; the loader tests keep a torchtitan TOML of their own.
    const others = listFiles(path.join(__dirname, '..', 'fixtures')).filter((f) => !/torchtitan/.test(f) && !f.endsWith('.md'));
    const claimed = others.filter((abs) => torchtitan.detect(loadFile(abs, path.basename(abs)), env()) > 0);
    expect(claimed).toEqual([]);
  });
});

sharedDescribe()('torchtitan corpus sweep', () => {
  const own = corpusFiles.filter((abs) => path.relative(CORPUS, abs).startsWith(FRAMEWORK + path.sep));
  const files = own.map(load);

  test('every file parses, extracts without throwing, and the important fields resolve', () => {
    const counts: Record<string, number> = {};
    for (const file of files) {
      expect(file.problems).toEqual([]);
      const { plan } = torchtitan.extract(file, env({ worldSize: 64 }));
      for (const [field, setting] of Object.entries(plan)) {
        if (setting) counts[field] = (counts[field] ?? 0) + 1;
      }
    }
    // Printed for the report: how many of the 26 files resolve each field (world size assumed 64, the llama3 presets' GPU count).
    console.log(`torchtitan sweep (${files.length} files): ${JSON.stringify(counts)}`);
    for (const field of ['microBatchSize', 'totalSteps', 'warmupSteps', 'peakLr', 'minLr', 'scheduler', 'dataParallelSize', 'globalBatchSize', 'gradAccumSteps']) {
      expect(counts[field]).toBe(26);
    }
    expect(counts.seqLen).toBeGreaterThanOrEqual(23); // the 3 flux configs have no seq_len
    expect(counts.saveEverySteps ?? 0).toBe(0); // every corpus config disables checkpointing
  });

  test('every corpus file passes the built-in schema', () => {
    const validate = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true }).compile(schema);
    const failures = files.filter((f) => !validate(toPlain(f.tree!))).map((f) => `${f.path}: ${JSON.stringify(validate.errors)}`);
    expect(failures).toEqual([]);
  });
});

describe('torchtitan launch scripts', () => {
  const RUN_TRAIN = [
    '#!/usr/bin/bash',
    'set -ex',
    'NGPU=${NGPU:-"8"}',
    'export LOG_RANK=${LOG_RANK:-0}',
    'CONFIG_FILE=${CONFIG_FILE:-"./torchtitan/models/llama3/train_configs/debug_model.toml"}',
    'TRAIN_FILE=${TRAIN_FILE:-"torchtitan.train"}',
    '',
    'PYTORCH_CUDA_ALLOC_CONF="expandable_segments:True" \\',
    'torchrun --nproc_per_node=${NGPU} --rdzv_backend c10d --rdzv_endpoint="localhost:0" \\',
    '--local-ranks-filter ${LOG_RANK} --role rank --tee 3 \\',
    '-m ${TRAIN_FILE} --job.config_file ${CONFIG_FILE} "$@"',
    '',
  ].join('\n');

  test('run_train.sh: --job.config_file names the TOML (the ${CONFIG_FILE:-…} default), NGPU is the world size, "$@" is forwarded', () => {
    const [launch] = scriptLaunches(parseSource('run_train.sh', RUN_TRAIN));
    expect(launch.configs).toEqual([expect.objectContaining({ written: './torchtitan/models/llama3/train_configs/debug_model.toml', flag: '--job.config_file' })]);
    expect(launch.values.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    // The config flag is not a value written over the TOML.
    expect(launch.overrides).toBeUndefined();
  });

  test('--config names it too; --section.option flags after it are written over the TOML (origin launcher)', () => {
    const sh = parseSource('train.sh', 'torchrun --nproc_per_node=8 -m torchtitan.train --config train_configs/x.toml --training.steps 100 --parallelism.tensor_parallel_degree 2\n');
    const [launch] = scriptLaunches(sh);
    expect(launch.configs.map((c) => [c.flag, c.written])).toEqual([['--config', 'train_configs/x.toml']]);
    const config = toml('[job]\n[training]\nlocal_batch_size = 4\nsteps = 1000\n[parallelism]\ndata_parallel_shard_degree = -1\n');
    const { plan } = torchtitan.extract(launchedConfig(config, launch, torchtitan), env(launch.values));
    expect(plan.totalSteps).toMatchObject({ value: 100, origin: 'launcher', key: '--training.steps', file: 'train.sh' });
    expect(plan.dataParallelSize?.value).toBe(4);
  });
});
