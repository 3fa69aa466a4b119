import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lint } from '../../src/engine/lint';
import Ajv from 'ajv';
import { gptNeox } from '../../src/dialects/gpt-neox';
import { deepspeed } from '../../src/dialects/deepspeed';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { scriptLaunches } from '../../src/engine/script-links';
import { toPlain } from '../../src/engine/tree';
import type { PlanField } from '../../src/engine/types';
import schema from '../../schemas/dialects/gpt-neox.schema.json';
import { CORPUS, fixtureLoader, listFiles, sharedTest } from '../helpers/dialect-fixtures';

const NEOX_DIR = 'EleutherAI__gpt-neox';

function env(assume: ExtractEnv['assume'] = {}): ExtractEnv {
  return { assume, mappings: {} };
}

const fixture = fixtureLoader('gpt-neox', 'fixtures/gpt-neox/');

function yaml(text: string) {
  return parseSource('neox.yml', text);
}


const hints = (missing: { field: PlanField; hint: string }[], field: PlanField) => missing.filter((m) => m.field === field).map((m) => m.hint);

describe('gpt-neox: golden plans of real configs', () => {
  it('configs/pythia/160M.yml: warmup fraction of lr_decay_iters, fp16 block, checkpoint_factor', () => {
    const file = fixture('pythia-160M.yml');
    expect(gptNeox.detect(file, env())).toBe(10);
    const { plan, missing, conflicts = [], notes } = gptNeox.extract(file, env({ worldSize: 8 }));
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'assumed' });
    expect(plan.dataParallelSize).toMatchObject({ value: 8, origin: 'derived', how: '8 / (1 PP × 1 MP)' });
    expect(plan.microBatchSize).toMatchObject({ value: 32, origin: 'explicit', key: 'train_micro_batch_size_per_gpu', range: { line: 22 } });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: 'gradient_accumulation_steps' });
    expect(plan.globalBatchSize).toMatchObject({ value: 256, origin: 'derived', how: '32 × 1 × 8 (micro × accumulation × data-parallel size)' });
    expect(plan.seqLen).toMatchObject({ value: 2048, key: 'seq_length', unit: 'tokens' });
    expect(plan.peakLr).toMatchObject({ value: 0.0006, origin: 'explicit', key: 'optimizer.params.lr' });
    expect(plan.minLr).toMatchObject({ value: 0.00006, origin: 'explicit', key: 'min_lr' });
    expect(plan.optimizer).toMatchObject({ value: 'Adam', key: 'optimizer.type' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'explicit' });
    expect(plan.totalSteps).toMatchObject({ value: 143000, origin: 'explicit', key: 'train_iters', unit: 'steps' });
    expect(plan.decaySteps).toMatchObject({ value: 143000, origin: 'explicit', key: 'lr_decay_iters' });
    expect(plan.warmupSteps).toMatchObject({
      value: 1430,
      origin: 'derived',
      unit: 'steps',
      how: '0.01 × lr_decay_iters 143000 (warmup is a fraction of the LR decay horizon, not a step count)',
    });
    expect(plan.warmupRatio).toBeUndefined();
    expect(plan.precision).toMatchObject({ value: 'fp16', origin: 'explicit', key: 'fp16.enabled' });
    expect(plan.saveEverySteps).toMatchObject({ value: 1000, key: 'checkpoint_factor', unit: 'steps' });
    expect(plan.evalEverySteps).toMatchObject({ value: 143000, key: 'eval_interval' });
    expect(conflicts).toEqual([]);
    expect(missing).toEqual([]);
    expect(notes).toContain('no save path in this file: NeoX writes checkpoints only when `save` is set (usually in local_setup.yml)');
  });

  it('configs/20B.yml: 4 PP × 2 MP on 96 GPUs gives 12 data-parallel replicas', () => {
    const file = fixture('20B.yml');
    expect(gptNeox.detect(file, env())).toBe(10);
    const { plan, conflicts = [], notes } = gptNeox.extract(file, env({ worldSize: 96 }));
    expect(plan.dataParallelSize).toMatchObject({ value: 12, how: '96 / (4 PP × 2 MP)' });
    expect(plan.microBatchSize).toMatchObject({ value: 4 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 32, origin: 'explicit', key: 'gradient_accumulation_steps' });
    expect(plan.globalBatchSize).toMatchObject({ value: 1536, how: '4 × 32 × 12 (micro × accumulation × data-parallel size)' });
    expect(plan.peakLr).toMatchObject({ value: 0.97e-4 });
    expect(plan.totalSteps).toMatchObject({ value: 150000 });
    expect(plan.warmupSteps).toMatchObject({ value: 1500, origin: 'derived' });
    expect(plan.saveEverySteps).toMatchObject({ value: 500, key: 'checkpoint_factor' });
    expect(plan.evalEverySteps).toMatchObject({ value: 1000 });
    expect(plan.precision).toMatchObject({ value: 'fp16' });
    expect(conflicts).toEqual([]);
    expect(notes.some((n) => n.includes('no save path'))).toBe(false);
  });

  it('configs/autotuning_configs/small_tune.json: dashed keys; the removed save-interval name is not read', () => {
    const file = fixture('small_tune.json');
    expect(gptNeox.detect(file, env())).toBeGreaterThanOrEqual(8);
    expect(deepspeed.detect(file, env())).toBe(0);
    const { plan } = gptNeox.extract(file, env());
    expect(plan.totalSteps).toMatchObject({ value: 320000, key: 'train-iters' });
    expect(plan.decaySteps).toMatchObject({ value: 320000, key: 'lr-decay-iters' });
    // One spelling per message: the dashed key as the file writes it.
    expect(plan.warmupSteps).toMatchObject({ value: 3200, how: '0.01 × lr-decay-iters 320000 (warmup is a fraction of the LR decay horizon, not a step count)' });
    expect(plan.seqLen).toMatchObject({ value: 2048, key: 'seq-length' });
    // NeoX refuses save-interval since it was renamed checkpoint-factor: the schema rule reports it.
    expect(plan.saveEverySteps).toBeUndefined();
    expect(plan.scheduler).toMatchObject({ value: 'cosine', key: 'lr-decay-style' });
  });
});

describe('gpt-neox: schedule, batch and precision rules', () => {
  const base = '"pipe_parallel_size": 1\n"model_parallel_size": 1\n"train_micro_batch_size_per_gpu": 4\n"optimizer": {"type": "Adam", "params": {"lr": 3.0e-4}}\n';

  it('warmup is a fraction of lr_decay_iters, not train_iters (default 0.01, ceil of a non-whole product)', () => {
    const { plan } = gptNeox.extract(yaml(`${base}"train_iters": 10000\n"lr_decay_iters": 8000\n`), env());
    expect(plan.decaySteps).toMatchObject({ value: 8000, origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 80, note: 'warmup unset: NeoX default 0.01' });
    const odd = gptNeox.extract(yaml(`${base}"train_iters": 1000\n"lr_decay_iters": 999\n"warmup": 0.015\n`), env()).plan;
    expect(odd.warmupSteps).toMatchObject({ value: 15, how: 'ceil(0.015 × lr_decay_iters 999) (warmup is a fraction of the LR decay horizon, not a step count)' });
  });

  it('no lr_decay_iters: the decay horizon is train_iters; lr_decay_fraction shortens it', () => {
    const { plan } = gptNeox.extract(yaml(`${base}"train_iters": 5000\n"warmup": 0.02\n`), env());
    expect(plan.decaySteps).toMatchObject({ value: 5000, origin: 'derived', how: 'train_iters 5000 (no decay horizon set: NeoX decays over train_iters)' });
    expect(plan.warmupSteps).toMatchObject({ value: 100, how: '0.02 × train_iters 5000 (warmup is a fraction of the LR decay horizon, not a step count)' });
    expect(plan.warmupSteps).toMatchObject({ key: 'warmup', fractionOf: { fraction: 0.02, of: 'train_iters 5000', ofSteps: 5000 } });
    const frac = gptNeox.extract(yaml(`${base}"train_iters": 5000\n"lr_decay_fraction": 0.8\n`), env()).plan;
    expect(frac.decaySteps).toMatchObject({ value: 4000, how: 'floor(train_iters 5000 × lr_decay_fraction 0.8)' });
  });

  it('train_batch_size with micro: gas = train // micro // dp; an inconsistent triple is left to batch-size-mismatch with the launch check of NeoX', () => {
    const two = gptNeox.extract(yaml(`${base}"train_iters": 10\n"train_batch_size": 256\n"model_parallel_size": 2\n`), env({ worldSize: 16 })).plan;
    expect(two.dataParallelSize).toMatchObject({ value: 8 });
    expect(two.gradAccumSteps).toMatchObject({ value: 8, origin: 'derived', how: 'train_batch_size 256 // micro 4 // dp 8' });
    expect(two.globalBatchSize).toMatchObject({ value: 256, origin: 'explicit' });
    const bad = gptNeox.extract(yaml(`${base}"train_iters": 10\n"train_batch_size": 100\n"gradient_accumulation_steps": 2\n`), env({ worldSize: 8 }));
    expect(bad.conflicts ?? []).toEqual([]);
    expect(bad.plan.gradAccumSteps).toMatchObject({ value: 2, origin: 'explicit' });
    expect(bad.launchChecks?.['batch-size-mismatch']).toMatch(/NeoX refuses to start/);
  });

  it('world size not divisible by pp × mp: conflict, no data-parallel size', () => {
    const { plan, conflicts = [] } = gptNeox.extract(yaml(`${base}"train_iters": 10\n"pipe_parallel_size": 3\n`), env({ worldSize: 8 }));
    expect(plan.dataParallelSize).toBeUndefined();
    expect(plan.globalBatchSize).toBeUndefined();
    expect(conflicts.map((c) => c.kind)).toEqual(['parallel-sizes']);
  });

  it('precision: explicit key, bf16 block, default fp32, fp16 vs precision conflict', () => {
    expect(gptNeox.extract(yaml(`${base}"train_iters": 10\n"precision": "bfloat16"\n`), env()).plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit', key: 'precision' });
    expect(gptNeox.extract(yaml(`${base}"train_iters": 10\n"bf16": {"enabled": true}\n`), env()).plan.precision).toMatchObject({ value: 'bf16', key: 'bf16.enabled' });
    expect(gptNeox.extract(yaml(`${base}"train_iters": 10\n`), env()).plan.precision).toMatchObject({ value: 'fp32', origin: 'default' });
    const clash = gptNeox.extract(yaml(`${base}"train_iters": 10\n"precision": "bfloat16"\n"fp16": {"enabled": true}\n`), env());
    expect(clash.conflicts?.map((c) => c.kind)).toEqual(['precision']);
  });

  it('precision "fp16" with an enabled bf16 block: DeepSpeed gets both, a conflict at bf16.enabled', () => {
    const { conflicts = [] } = gptNeox.extract(yaml(`${base}"train_iters": 10\n"precision": "fp16"\n"bf16": {"enabled": true}\n`), env());
    expect(conflicts.map((c) => [c.kind, c.range.line])).toEqual([['precision', 7]]);
    expect(conflicts[0].message).toContain('bfloat16 and fp16 modes cannot be simultaneously enabled');
  });

  it('decay style: linear and cosine end at the horizon (held vs climbing back); exponential and constant have none', () => {
    const run = (style: string) => gptNeox.extract(yaml(`${base}"train_iters": 10000\n"lr_decay_iters": 8000\n"lr_decay_style": "${style}"\n`), env());
    expect(run('linear').plan.decaySteps).toMatchObject({ value: 8000 });
    expect(run('linear').afterDecay).toBe('flat');
    expect(run('cosine').plan.decaySteps).toMatchObject({ value: 8000 });
    expect(run('cosine').afterDecay).toBe('rises');
    for (const style of ['exponential', 'constant']) {
      const { plan, afterDecay } = run(style);
      expect(plan.decaySteps).toBeUndefined();
      expect(afterDecay).toBeUndefined();
      // The horizon still scales the warmup fraction.
      expect(plan.warmupSteps).toMatchObject({ value: 80 });
    }
    // lr_decay_style constant switches the decay off in the same config: the written lr_decay_iters is not reported.
    expect(run('constant').conflicts).toEqual([]);
    expect(run('constant').ignored ?? []).toEqual([]);
    expect(run('exponential').conflicts).toEqual([]);
  });

  it('missing keys give hints; log checkpoint scale has no fixed interval', () => {
    const { plan, missing, notes } = gptNeox.extract(yaml('"pipe_parallel_size": 1\n"lr_decay_iters": 100\n"checkpoint_factor": 2\n"checkpoint_scale": "log"\n"save": "ckpt"\n'), env());
    expect(hints(missing, 'worldSize')[0]).toContain('assume.worldSize');
    expect(hints(missing, 'totalSteps')[0]).toContain('train_iters');
    expect(hints(missing, 'seqLen')).toEqual(['set seq_length']);
    expect(hints(missing, 'microBatchSize')[0]).toContain('train_micro_batch_size_per_gpu');
    expect(plan.peakLr).toMatchObject({ value: 0.001, origin: 'default' });
    expect(plan.saveEverySteps).toBeUndefined();
    expect(notes[0]).toContain('checkpoint_scale "log"');
  });
});

describe('gpt-neox: detection', () => {
  it('claims NeoX training configs only', () => {
    expect(gptNeox.detect(yaml('"train_iters": 100\n"lr_decay_style": "cosine"\n'), env())).toBe(8);
    expect(gptNeox.detect(yaml('"num_layers": 2\n"hidden_size": 64\n"num_attention_heads": 2\n"pos_emb": "rotary"\n'), env())).toBe(0); // architecture only
    expect(gptNeox.detect(yaml('"train_iters": 100\n"learning_rate": 1e-4\n'), env())).toBe(0); // no NeoX-only key
    expect(gptNeox.detect(parseSource('ds.json', '{"train_batch_size": 32, "optimizer": {"type": "Adam", "params": {"lr": 1e-4}}}'), env())).toBe(0);
  });
});

describe('gpt-neox: launched by deepy.py', () => {
  const launch = (line: string) => scriptLaunches(parseSource('train.sh', `#!/bin/bash\n${line}\n`))[0];

  it('deepy.py hands the run to DeepSpeed\'s launcher: the command gives no world size, so none is "plain python, one process"', () => {
    const l = launch('python ./deepy.py train.py configs/pythia/1B.yml configs/local_setup.yml');
    expect(l).toMatchObject({ launcher: 'deepy.py', values: {} });
    expect(l.configs.map((c) => c.written)).toEqual(['configs/pythia/1B.yml', 'configs/local_setup.yml']);
  });

  it('config names are joined with -d / --conf_dir, and .yml is added to a name without .yml or .json (consume_deepy_args)', () => {
    expect(launch('python ./deepy.py train.py -d configs 125M local_setup.yml eval.json').configs.map((c) => c.written)).toEqual(['configs/125M.yml', 'configs/local_setup.yml', 'configs/eval.json']);
    expect(launch('python deepy.py train.py --conf_dir=neox/configs /abs/base.yml 125M.yml').configs.map((c) => c.written)).toEqual(['/abs/base.yml', 'neox/configs/125M.yml']);
    // The flags' values (a wandb group, a hostfile) are not configs.
    expect(launch('python deepy.py train.py 125M.yml --wandb_group pythia -H /job/hostfile').configs.map((c) => c.written)).toEqual(['125M.yml']);
  });

  it('NeoX launcher keys without global_num_gpus leave the world size unknown, and say why', () => {
    const { plan, notes, missing } = gptNeox.extract(yaml('"pipe_parallel_size": 1\n"model_parallel_size": 2\n"train_iters": 100\n"num_gpus": 8\n"num_nodes": 2\n"hostfile": "/job/hostfile"\n'), env());
    expect(plan.worldSize).toBeUndefined();
    expect(notes).toContain("num_gpus, num_nodes, hostfile: NeoX hands them to DeepSpeed's launcher and counts global_num_gpus at launch from the hostfile's hosts and slots (or the machine's GPUs), which trainlint cannot see, so the world size is unknown; set global_num_gpus (or assume.worldSize) to check the batch and parallel sizes");
    expect(hints(missing, 'worldSize')).toEqual(['set global_num_gpus, or assume.worldSize in .trainlint.yml (NeoX counts the GPUs of the hostfile, or of the machine, at launch)']);
    const given = gptNeox.extract(yaml('"model_parallel_size": 2\n"train_iters": 100\n"num_gpus": 8\n"global_num_gpus": 16\n'), env());
    expect(given.plan.worldSize?.value).toBe(16);
    // One literal count in this file: `rescale --world-size` may rewrite it (the value's own range).
    expect(given.plan.worldSize).toMatchObject({ origin: 'explicit', key: 'global_num_gpus', valueRange: { line: 4, column: 20, endLine: 4, endColumn: 22 } });
    expect(given.notes.some((n) => n.includes('num_gpus'))).toBe(false);
  });
});

const sweep = sharedTest(CORPUS);

describe('gpt-neox: corpus sweep (../shared/corpus)', () => {
  sweep('claims the NeoX training configs and nothing else', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true });
    const validate = ajv.compile(schema);
    let claimed = 0;
    let neoxFiles = 0;
    const outside: string[] = [];
    const unclaimed: string[] = [];
    const schemaFailures: string[] = [];
    const fields: Partial<Record<PlanField, number>> = {};
    for (const abs of listFiles(CORPUS)) {
      if (!/\.(json|ya?ml|toml)$/.test(abs)) continue;
      const rel = path.relative(CORPUS, abs);
      const file = parseSource(rel, readFileSync(abs, 'utf8'));
      const mine = rel.startsWith(`${NEOX_DIR}/`);
      if (mine) neoxFiles++;
      if (!gptNeox.detect(file, env())) {
        if (mine) unclaimed.push(rel);
        continue;
      }
      claimed++;
      if (!mine) outside.push(rel);
      if (!validate(toPlain(file.tree!))) schemaFailures.push(`${rel}: ${ajv.errorsText(validate.errors)}`);
      const { plan } = gptNeox.extract(file, env({ worldSize: 8 }));
      for (const field of Object.keys(plan) as PlanField[]) fields[field] = (fields[field] ?? 0) + 1;
    }
    console.log(`gpt-neox sweep: ${claimed} claimed of ${neoxFiles} NeoX files; unclaimed: ${JSON.stringify(unclaimed)}; fields: ${JSON.stringify(fields)}`);
    expect(outside).toEqual([]);
    expect(schemaFailures).toEqual([]);
    expect(claimed).toBeGreaterThanOrEqual(45);
    for (const field of ['totalSteps', 'decaySteps', 'warmupSteps', 'peakLr', 'microBatchSize', 'precision'] as PlanField[]) {
      expect([field, (fields[field] ?? 0) >= 45]).toEqual([field, true]);
    }
  });
});

describe('gpt-neox: a one-file lint finds the deepy.py script that names the config by its stem', () => {
  test('`deepy.py train.py -d configs 125M`: linting configs/125M.yml alone links the script (its world size stays unknown)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trainlint-neox-'));
    try {
      mkdirSync(path.join(dir, '.git'));
      mkdirSync(path.join(dir, 'configs'));
      writeFileSync(path.join(dir, 'configs', '125M.yml'), '{\n  "pipe_parallel_size": 1,\n  "model_parallel_size": 1,\n  "num_layers": 12,\n  "hidden_size": 768,\n  "seq_length": 2048,\n  "train_micro_batch_size_per_gpu": 4,\n  "gradient_accumulation_steps": 1,\n  "train_iters": 320000,\n  "lr_decay_iters": 320000,\n  "optimizer": {"type": "Adam", "params": {"lr": 0.0006}},\n  "warmup": 0.01\n}\n');
      writeFileSync(path.join(dir, 'train.sh'), '#!/bin/bash\npython ./deepy.py train.py -d configs 125M\n');
      const { results } = await lint({ root: dir, paths: ['configs/125M.yml'], config: {} });
      const launched = results.find((r) => r.file.path === 'configs/125M.yml' && r.launch);
      expect(launched?.launch?.script).toBe('train.sh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
