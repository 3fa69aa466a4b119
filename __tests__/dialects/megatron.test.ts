import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { megatron } from '../../src/dialects/megatron';
import { deepspeed } from '../../src/dialects/deepspeed';
import { hfTrainer } from '../../src/dialects/hf-trainer';
import { openclip } from '../../src/dialects/openclip';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { toPlain } from '../../src/engine/tree';
import type { PlanField } from '../../src/engine/types';
import schema from '../../schemas/dialects/megatron.schema.json';
import { CORPUS, fixtureLoader, listFiles, sharedTest } from '../helpers/dialect-fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'megatron');
const ALL_FIXTURES = path.join(__dirname, '..', 'fixtures');
const MEGATRON_DIR = 'NVIDIA__Megatron-LM';

function env(assume: ExtractEnv['assume'] = {}): ExtractEnv {
  return { assume, mappings: {} };
}

const fixture = fixtureLoader('megatron', 'fixtures/megatron/');

function script(body: string) {
  return parseSource('train.sh', `#!/bin/bash\n${body}\n`);
}

function modelConfig(args: string, dir = 'gpt3_case') {
  return parseSource(`${dir}/model_config.yaml`, `ENV_VARS:\n  CUDA_DEVICE_MAX_CONNECTIONS: 1\nMODEL_ARGS:\n${args.replace(/^/gm, '  ')}\nTEST_TYPE: regular\n`);
}


const hints = (missing: { field: PlanField; hint: string }[], field: PlanField) => missing.filter((m) => m.field === field).map((m) => m.hint);

describe('megatron: golden plans of real launch scripts', () => {
  it('examples/gpt3/train_gpt3_175b_distributed.sh: iterations, warmup fraction of the decay horizon', () => {
    const file = fixture('train_gpt3_175b_distributed.sh');
    expect(megatron.detect(file, env())).toBe(10);
    const { plan, missing, notes, conflicts = [], anchor } = megatron.extract(file, env());
    expect(anchor.line).toBe(76);
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', how: '--nproc_per_node 8 × --nnodes 1' });
    expect(plan.microBatchSize).toMatchObject({ value: 1, origin: 'explicit', key: '--micro-batch-size', note: 'from $TRAINING_ARGS', range: { line: 37 } });
    expect(plan.globalBatchSize).toMatchObject({ value: 1536, origin: 'explicit', key: '--global-batch-size' });
    expect(plan.seqLen).toMatchObject({ value: 2048, unit: 'tokens' });
    expect(plan.totalSteps).toMatchObject({ value: 500000, origin: 'explicit', key: '--train-iters', unit: 'steps' });
    expect(plan.decaySteps).toMatchObject({ value: 430000, origin: 'explicit', key: '--lr-decay-iters' });
    // --lr-warmup-fraction .001 is a fraction of --lr-decay-iters (430000), not of --train-iters (500000).
    expect(plan.warmupSteps).toMatchObject({
      value: 430,
      origin: 'derived',
      unit: 'steps',
      how: '0.001 × --lr-decay-iters 430000 (--lr-warmup-fraction is a fraction of the decay horizon, not of training)',
    });
    expect(plan.warmupRatio).toBeUndefined();
    expect(plan.peakLr).toMatchObject({ value: 6e-5, key: '--lr' });
    expect(plan.minLr).toMatchObject({ value: 6e-6, key: '--min-lr' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'explicit' });
    expect(plan.precision).toMatchObject({ value: 'fp16', origin: 'explicit', key: '--fp16' });
    expect(plan.saveEverySteps).toMatchObject({ value: 10000, unit: 'steps' });
    expect(plan.evalEverySteps).toMatchObject({ value: 1000, unit: 'steps' });
    // TP 8 × PP 16 = 128 GPUs per replica, but the script starts 8: no data-parallel size, no accumulation.
    expect(plan.dataParallelSize).toBeUndefined();
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(conflicts).toEqual([
      {
        kind: 'parallel-sizes',
        message:
          'world size 8 (--nproc_per_node 8 × --nnodes 1) is not divisible by 8 TP × 16 PP × 1 CP = 128: Megatron rejects this at launch; ' +
          'run on a multiple of 128 GPUs or lower the model parallelism (the data-parallel size stays unknown)',
        range: plan.worldSize!.range,
      },
    ]);
    expect(conflicts[0].range.line).toBe(21);
    expect(notes).toEqual([
      '--rampup-batch-size (deprecated): the global batch ramps from 16 by 16 over 5859375 samples up to 1536; the LR schedule counts samples, so during the ramp warmup and decay advance more slowly per step than derived here',
    ]);
    expect(missing).toEqual([]);
  });

  it('the same script on 16 nodes: dp = world / (TP × PP × CP), accumulation = global / (micro × dp)', () => {
    const text = readFileSync(path.join(FIXTURES, 'train_gpt3_175b_distributed.sh'), 'utf8').replace('NUM_NODES=1', 'NUM_NODES=16');
    const { plan, conflicts = [] } = megatron.extract(parseSource('train_gpt3.sh', text), env());
    expect(plan.worldSize).toMatchObject({ value: 128, origin: 'launcher' });
    expect(plan.dataParallelSize).toMatchObject({ value: 1, origin: 'derived', how: '128 / (8 TP × 16 PP × 1 CP) (world / model-parallel size)' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1536, origin: 'derived', how: '1536 / (1 × 1) (global / (micro × data-parallel size))' });
    expect(conflicts).toEqual([]);
  });

  it('examples/llama/train_llama3_8b_h100_fp8.sh: sample-based training converted to steps', () => {
    const file = fixture('train_llama3_8b_h100_fp8.sh');
    const { plan, notes } = megatron.extract(file, env());
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    expect(plan.microBatchSize).toMatchObject({ value: 1, note: 'from $TRAINING_ARGS' });
    expect(plan.globalBatchSize).toMatchObject({ value: 128, origin: 'explicit' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 16, origin: 'derived', how: '128 / (1 × 8) (global / (micro × world size))' });
    // update_train_iters: train_iters = train_samples // global_batch_size.
    expect(plan.totalSteps).toMatchObject({ value: 15258789, origin: 'derived', how: '1953125000 // 128 (--train-samples // global batch)', unit: 'steps' });
    expect(plan.decaySteps).toMatchObject({ value: 15228272, origin: 'derived', how: 'ceil(1949218748 / 128) (--lr-decay-samples / global batch)' });
    expect(plan.warmupSteps).toMatchObject({ value: 30518, origin: 'derived', how: 'ceil(3906252 / 128) (--lr-warmup-samples / global batch)' });
    expect(plan.seqLen).toMatchObject({ value: 8192, note: 'from $MODEL_ARGS' });
    expect(plan.peakLr).toMatchObject({ value: 1.5e-4 });
    expect(plan.minLr).toMatchObject({ value: 1e-5 });
    // FP8_ARGS is filled inside `if [[ "$USE_FP8" == "1" ]]` (no else), with USE_FP8 set to 1 earlier in the
    // script: the condition is decided (shell-test.ts), the branch runs, and the FP8 flag is read.
    expect(plan.precision).toMatchObject({ value: 'bf16', note: 'from $TRAINING_ARGS; FP8 compute (--fp8-format hybrid) on top of it' });
    expect(plan.saveEverySteps).toMatchObject({ value: 1000 });
    expect(plan.evalEverySteps).toMatchObject({ value: 100 });
    expect(notes).toEqual([]);
  });
});

describe('megatron: golden plans of functional-test model_config.yaml', () => {
  it('gpt3_mcore_te_tp2_pp2_cp2: warmup 1% of a 320000-iteration decay horizon in a 50-iteration run', () => {
    const file = fixture('gpt3_mcore_te_tp2_pp2_cp2/model_config.yaml');
    expect(megatron.detect(file, env())).toBe(9);
    const { plan, missing, anchor } = megatron.extract(file, env({ worldSize: 8 }));
    expect(anchor.line).toBe(3);
    expect(plan.microBatchSize).toMatchObject({ value: 4, origin: 'explicit', key: '--micro-batch-size', range: { line: 13, column: 3 } });
    expect(plan.globalBatchSize).toMatchObject({ value: 32, origin: 'explicit' });
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'assumed' });
    expect(plan.dataParallelSize).toMatchObject({ value: 1, origin: 'derived', how: '8 / (2 TP × 2 PP × 2 CP) (world / model-parallel size)' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 8, origin: 'derived', how: '32 / (4 × 1) (global / (micro × data-parallel size))' });
    expect(plan.totalSteps).toMatchObject({ value: 50, origin: 'explicit', key: '--train-iters' });
    expect(plan.decaySteps).toMatchObject({ value: 320000, origin: 'explicit' });
    // `.01` × the DECAY horizon: 3200 steps, longer than the whole 50-step run.
    expect(plan.warmupSteps).toMatchObject({ value: 3200, origin: 'derived', how: '0.01 × --lr-decay-iters 320000 (--lr-warmup-fraction is a fraction of the decay horizon, not of training)' });
    expect(plan.peakLr).toMatchObject({ value: 1.5e-4, origin: 'explicit' });
    // PyYAML reads `1.0e-5` as a float and `1e-2` as a string; argparse gets text either way.
    expect(plan.minLr).toMatchObject({ value: 1e-5 });
    expect(plan.minLr?.note).toBeUndefined();
    expect(plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit', key: '--bf16', range: { line: 51 } });
    expect(missing).toEqual([]);
  });

  it('without assume.worldSize the data-parallel size and accumulation stay unknown', () => {
    const { plan, missing } = megatron.extract(fixture('gpt3_mcore_te_tp2_pp2_cp2/model_config.yaml'), env());
    expect(plan.dataParallelSize).toBeUndefined();
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(hints(missing, 'worldSize')).toEqual(['the CI launcher decides it: set assume.worldSize in .trainlint.yml']);
  });

  it('the test case name gives the topology as a hint, never as a value', () => {
    const { plan, missing } = megatron.extract(fixture('hybrid_mr_mcore_te_tp1_pp1_cp1_dgx_a100_1N8G/model_config.yaml'), env());
    expect(plan.worldSize).toBeUndefined();
    expect(hints(missing, 'worldSize')[0]).toMatch(/the test case name says 1N8G, i\.e\. 8 GPUs: assume\.worldSize 8/);
  });

  it('gpt3_15b_8t_release_sm: sample-based, --step-batch-size-schedule constant over the run', () => {
    const file = fixture('gpt3_15b_8t_release_sm/model_config.yaml');
    const { plan, notes } = megatron.extract(file, env({ worldSize: 64 }));
    expect(plan.globalBatchSize).toMatchObject({
      value: 384,
      origin: 'derived',
      how: '--step-batch-size-schedule starts at 384, and the run (4882812 samples × 4096 = 2e10 tokens) ends before the next threshold 2e11 tokens',
    });
    expect(plan.dataParallelSize).toMatchObject({ value: 8, how: '64 / (8 TP × 1 PP × 1 CP) (world / model-parallel size)' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 12, origin: 'derived' });
    expect(plan.totalSteps).toMatchObject({ value: 12715, how: '4882812 // 384 (--train-samples // global batch)' });
    expect(plan.decaySteps).toMatchObject({ value: 5076091, how: 'ceil(1949218748 / 384) (--lr-decay-samples / global batch)' });
    expect(plan.warmupSteps).toMatchObject({ value: 10173, how: 'ceil(3906252 / 384) (--lr-warmup-samples / global batch)' });
    expect(plan.peakLr).toMatchObject({ value: 4.5e-4 });
    expect(plan.minLr).toMatchObject({ value: 4.5e-5 });
    expect(plan.saveEverySteps).toMatchObject({ value: 1000 });
    expect(plan.evalEverySteps).toMatchObject({ value: 2000 });
    expect(notes).toEqual([]);
  });

  it('gpt_grpo_…_throughputtest: a duplicated --micro-batch-size reads the last value', () => {
    const file = fixture('gpt_grpo_tp1tp2_pp1_dp8_583m_throughputtest/model_config.yaml');
    expect(file.problems.some((p) => p.kind === 'duplicate-key')).toBe(true);
    const { plan, notes } = megatron.extract(file, env({ worldSize: 8 }));
    expect(plan.microBatchSize).toMatchObject({ value: 1, range: { line: 52 } });
    expect(plan.globalBatchSize).toMatchObject({ value: 16 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 2 });
    expect(plan.totalSteps).toMatchObject({ value: 3051757, how: '48828125 // 16 (--train-samples // global batch)' });
    expect(plan.decaySteps).toMatchObject({ value: 3051758, how: 'ceil(48828125 / 16) (--train-samples (--lr-decay-samples not set) / global batch)' });
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'explicit', key: '--lr-warmup-samples' });
    expect(plan.scheduler).toMatchObject({ value: 'linear', origin: 'default', key: '--lr-decay-style' });
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'default' });
    // No --save in this test: checkpointing is off, so the save interval is not read.
    expect(plan.saveEverySteps).toBeUndefined();
    expect(notes).toEqual([
      '--save-interval has no effect without --save: no checkpoint is written',
      '--exit-interval 50 stops the run before the 3051757 steps the LR schedule is built for',
    ]);
  });
});

describe('megatron: edge cases', () => {
  it('plain python: world 1; no --global-batch-size → one micro-batch per step', () => {
    const { plan } = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr 1e-4 --lr-warmup-iters 100'), env());
    expect(plan.worldSize).toMatchObject({ value: 1, origin: 'launcher' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: '--global-batch-size' });
    expect(plan.globalBatchSize).toMatchObject({ value: 8, origin: 'derived' });
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'explicit', unit: 'steps' });
    expect(plan.decaySteps).toMatchObject({ value: 1000, origin: 'derived', how: '--train-iters 1000 (--lr-decay-iters not set: decay over the whole run)' });
    expect(plan.precision).toMatchObject({ value: 'fp32', origin: 'default' });
    // arguments.py --optimizer default 'adam' (OptimizerConfig: decoupled weight decay, i.e. AdamW).
    expect(plan.optimizer).toMatchObject({ value: 'adam', origin: 'default', key: '--optimizer' });
    const sgd = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr 1e-4 --optimizer sgd'), env());
    expect(sgd.plan.optimizer).toMatchObject({ value: 'sgd', origin: 'explicit' });
  });

  it('the schedule holds min_lr past the horizon; min_lr above lr is rejected by Megatron at launch', () => {
    const { afterDecay, launchChecks } = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr 1e-4'), env());
    expect(afterDecay).toBe('flat');
    expect(launchChecks?.['min-lr-exceeds-lr']).toContain('asserts max_lr >= min_lr');
  });

  it('a warmup that reaches the decay horizon is rejected by Megatron at launch; one below it is not', () => {
    const long = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr 1e-4 --lr-warmup-iters 1000'), env());
    expect(long.launchChecks?.['warmup-exceeds-training']).toContain('asserts lr_warmup_steps < lr_decay_steps: warmup 1000 ≥ decay 1000 steps');
    const past = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 100 --lr-decay-iters 2000 --lr 1e-4 --lr-warmup-iters 150'), env());
    expect(past.launchChecks?.['warmup-exceeds-training']).toBeUndefined();
  });

  it('--lr-warmup-fraction: the warmup points at the flag and records the fraction it came from', () => {
    const { plan } = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr-decay-iters 800 --lr 1e-4 --lr-warmup-fraction 0.05'), env());
    expect(plan.warmupSteps).toMatchObject({ value: 40, origin: 'derived', key: '--lr-warmup-fraction', fractionOf: { fraction: 0.05, of: '--lr-decay-iters 800', ofSteps: 800 } });
    expect(plan.warmupSteps?.range).toBeDefined();
  });

  it('--lr-decay-style constant: no decay horizon; a written --lr-decay-iters is not reported (the decay is switched off)', () => {
    const { plan, conflicts = [] } = megatron.extract(
      script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr 1e-4 --lr-decay-style constant --lr-decay-iters 500 --lr-warmup-fraction 0.1'),
      env(),
    );
    expect(plan.decaySteps).toBeUndefined();
    // The warmup fraction is still a fraction of the (unused) decay horizon.
    expect(plan.warmupSteps).toMatchObject({ value: 50 });
    expect(conflicts).toEqual([]);
    const plain = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 8 --train-iters 1000 --lr 1e-4 --lr-decay-style constant'), env());
    expect(plain.plan.decaySteps).toBeUndefined();
    expect(plain.conflicts).toEqual([]);
  });

  it('sample mode: steps derived from sample counts point at the flag they come from', () => {
    const { plan } = megatron.extract(
      script('python pretrain_gpt.py --micro-batch-size 8 --global-batch-size 64 --train-samples 64000 --lr-decay-samples 32000 --lr-warmup-samples 6400 --lr 1e-4'),
      env(),
    );
    expect(plan.totalSteps).toMatchObject({ value: 1000, origin: 'derived', key: '--train-samples', range: { line: 2 } });
    expect(plan.decaySteps).toMatchObject({ value: 500, origin: 'derived', key: '--lr-decay-samples' });
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'derived', key: '--lr-warmup-samples' });
    expect(plan.totalSteps?.valueRange).toBeUndefined();
  });

  it('the warmup fraction without --lr-decay-iters is a fraction of --train-iters (the default horizon)', () => {
    const { plan } = megatron.extract(script('torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 2 --global-batch-size 64 --train-iters 1234 --lr-warmup-fraction 0.01 --lr 3e-4'), env());
    expect(plan.warmupSteps).toMatchObject({ value: 13, how: 'ceil(0.01 × --train-iters 1234 (the default decay horizon)) (--lr-warmup-fraction is a fraction of the decay horizon, not of training)' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 4 });
  });

  it('sample mode with a warmup fraction: fraction × decay samples / global batch', () => {
    const { plan } = megatron.extract(
      script('torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 2 --global-batch-size 256 --train-samples 1000000 --lr-decay-samples 900000 --lr-warmup-fraction 0.02 --lr 3e-4'),
      env(),
    );
    expect(plan.totalSteps).toMatchObject({ value: 3906 });
    expect(plan.decaySteps).toMatchObject({ value: 3516 });
    expect(plan.warmupSteps).toMatchObject({ value: 71, how: 'ceil(0.02 × 900000 / 256) (--lr-warmup-fraction of --lr-decay-samples, the decay horizon, / global batch)' });
  });

  it('sample mode without a global batch: steps stay unknown with a hint', () => {
    const { plan } = megatron.extract(script('torchrun --nproc_per_node 8 --nnodes 2 pretrain_bert.py --micro-batch-size 2 --train-samples 1000000 --tensor-model-parallel-size 2 --lr 1e-4'), env());
    // No --global-batch-size: global = micro × dp = 2 × 8.
    expect(plan.dataParallelSize).toMatchObject({ value: 8 });
    expect(plan.globalBatchSize).toMatchObject({ value: 16, origin: 'derived' });
    expect(plan.totalSteps).toMatchObject({ value: 62500 });
    const bare = megatron.extract(script('torchrun pretrain_gpt.py --micro-batch-size 2 --train-samples 1000000 --tensor-model-parallel-size 2 --lr 1e-4 $EXTRA'), env());
    expect(bare.plan.totalSteps).toBeUndefined();
    expect(hints(bare.missing, 'globalBatchSize')[0]).toMatch(/set --global-batch-size/);
  });

  it('flags Megatron rejects together are conflicts, reported at the second flag', () => {
    const file = script('torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 1 --global-batch-size 8 --train-iters 100 --lr-warmup-fraction 0.1 --lr-warmup-iters 5 --lr-decay-samples 9000 --bf16 --fp16 --lr 1e-4');
    const { plan, conflicts = [] } = megatron.extract(file, env());
    expect(plan.warmupSteps).toMatchObject({ value: 10, origin: 'derived' });
    const line = file.text.split('\n')[1];
    expect(conflicts.map((c) => [c.kind, line.slice(c.range.column - 1, c.range.endColumn - 1)])).toEqual([
      ['precision', '--fp16'],
      ['iterations-and-samples', '--lr-decay-samples 9000'],
      ['warmup-fraction-and-count', '--lr-warmup-iters 5'],
    ]);
    expect(conflicts[2].message).toMatch(/can only specify one of lr-warmup-fraction and lr-warmup-iters/);
    const samples = megatron.extract(script('torchrun pretrain_gpt.py --micro-batch-size 1 --global-batch-size 8 --train-samples 800 --lr-warmup-iters 5 --lr-decay-iters 50'), env());
    expect((samples.conflicts ?? []).map((c) => c.kind)).toEqual(['iterations-and-samples', 'iterations-and-samples']);
    expect((samples.conflicts ?? [])[0].message).toBe('--lr-warmup-iters in sample-based training (--train-samples): Megatron asserts lr_warmup_iters == 0; use the sample flags');
  });

  it('an assumed world size that TP × PP × CP does not divide is a conflict at the parallel flags', () => {
    const file = modelConfig('--micro-batch-size: 1\n--global-batch-size: 8\n--train-iters: 10\n--tensor-model-parallel-size: 4\n--pipeline-model-parallel-size: 4');
    const { plan, conflicts = [] } = megatron.extract(file, env({ worldSize: 8 }));
    expect(plan.dataParallelSize).toBeUndefined();
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'parallel-sizes', range: { line: 7 } });
    expect(conflicts[0].message).toMatch(/^world size 8 \(assume\.worldSize\) is not divisible by 4 TP × 4 PP × 1 CP = 16/);
  });

  it('unresolved variables stay unknown, with a note', () => {
    const { plan, notes, missing } = megatron.extract(script('torchrun --nproc_per_node $GPUS pretrain_gpt.py --micro-batch-size $MBS --global-batch-size 64 --train-iters 10 --lr 1e-4'), env());
    expect(plan.microBatchSize).toBeUndefined();
    expect(plan.worldSize).toBeUndefined();
    expect(notes).toContain('--micro-batch-size is "$MBS": set at launch, so it stays unknown');
    expect(hints(missing, 'microBatchSize')).toEqual(['Megatron requires --micro-batch-size']);
    expect(hints(missing, 'worldSize')[0]).toMatch(/torchrun --nproc_per_node/);
  });

  it('several training commands: the first is linted', () => {
    const { notes, plan } = megatron.extract(
      script('torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 1 --train-iters 10 --lr 1e-4\ntorchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 2 --train-iters 20 --lr 1e-4'),
      env(),
    );
    expect(plan.microBatchSize?.value).toBe(1);
    expect(notes).toContain('2 Megatron commands in this script; the first (line 2) is linted');
  });

  it('no --train-iters nor --train-samples: a missing hint quoting Megatron', () => {
    const { missing } = megatron.extract(script('torchrun pretrain_gpt.py --micro-batch-size 1 --global-batch-size 8'), env());
    expect(hints(missing, 'totalSteps')[0]).toMatch(/either train-iters or train-samples should be provided/);
    expect(hints(missing, 'peakLr')[0]).toMatch(/set --lr/);
  });

  it('YAML: `1e-4` (a string for PyYAML) is read as argparse would, without a loader note; ${VAR} stays unknown', () => {
    const file = modelConfig('--micro-batch-size: 2\n--global-batch-size: ${GBS}\n--train-iters: 100\n--lr: 1e-4\n--min-lr: 1e-5\n--fp16: true');
    const { plan, notes } = megatron.extract(file, env({ worldSize: 4 }));
    expect(plan.peakLr).toMatchObject({ value: 1e-4, origin: 'explicit' });
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.globalBatchSize).toBeUndefined();
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(notes).toContain('--global-batch-size is "${GBS}": set at launch, so it stays unknown');
    expect(plan.precision).toMatchObject({ value: 'fp16' });
  });

  it('YAML: --bf16: false is not a switch; MODEL_ARGS_2 is noted', () => {
    const file = parseSource('case/model_config.yaml', 'MODEL_ARGS:\n  --micro-batch-size: 2\n  --train-iters: 10\n  --bf16: false\nMODEL_ARGS_2:\n  --train-iters: 20\n');
    const { plan, notes } = megatron.extract(file, env());
    expect(plan.precision).toMatchObject({ value: 'fp32', origin: 'default' });
    expect(notes).toContain('MODEL_ARGS_2 (the second, resumed run) is not linted');
  });

  it('--step-batch-size-schedule with --global-batch-size: Megatron raises; a growing schedule is not derived', () => {
    const both = megatron.extract(modelConfig('--micro-batch-size: 1\n--global-batch-size: 64\n--step-batch-size-schedule: "0:64 1M:128"\n--train-samples: 100000'), env());
    expect((both.conflicts ?? [])).toMatchObject([{ kind: 'batch-schedule-and-global-batch', range: { line: 6 } }]);
    expect((both.conflicts ?? [])[0].message).toMatch(/Megatron raises ValueError/);
    const grows = megatron.extract(modelConfig('--micro-batch-size: 1\n--step-batch-size-schedule: "0:64 1M:128"\n--train-samples: 10000000\n--seq-length: 1024'), env());
    expect(grows.plan.globalBatchSize).toBeUndefined();
    expect(grows.notes.join('\n')).toMatch(/the global batch grows during the run/);
  });
});

describe('megatron: the warmup below the decay horizon (OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps)', () => {
  const cmd = (flags: string) =>
    megatron.extract(parseSource('pretrain.sh', `torchrun --nproc_per_node 8 pretrain_gpt.py --tensor-model-parallel-size 1 --micro-batch-size 4 --global-batch-size 32 --lr 3e-4 --min-lr 3e-5 --lr-decay-style cosine ${flags}\n`), env());

  it('--lr-warmup-iters 100 with --lr-decay-iters 80 in a 500-iteration run: a conflict at the warmup flag', () => {
    const conflicts = cmd('--train-iters 500 --lr-decay-iters 80 --lr-warmup-iters 100').conflicts ?? [];
    const c = conflicts.find((x) => x.kind === 'warmup-not-below-decay');
    expect(c?.message).toContain('--lr-warmup-iters 100 is not below --lr-decay-iters 80: Megatron refuses to start');
  });

  it('sample-based: --lr-warmup-samples against --lr-decay-samples', () => {
    const conflicts = cmd('--train-samples 100000 --lr-decay-samples 20000 --lr-warmup-samples 20000').conflicts ?? [];
    expect(conflicts.map((x) => x.kind)).toContain('warmup-not-below-decay');
  });

  it('silent: a warmup below the horizon, no horizon written, or a warmup as long as the run (warmup-exceeds-training says it)', () => {
    for (const flags of ['--train-iters 500 --lr-decay-iters 400 --lr-warmup-iters 100', '--train-iters 500 --lr-warmup-iters 100', '--train-iters 500 --lr-decay-iters 80 --lr-warmup-iters 600']) {
      expect((cmd(flags).conflicts ?? []).filter((x) => x.kind === 'warmup-not-below-decay')).toEqual([]);
    }
  });
});

describe('megatron: Megatron-DeepSpeed token schedules (--lr-warmup-tokens, --lr-decay-tokens, --train-tokens)', () => {
  const GPT3 = 'deepspeed --num_gpus 8 --num_nodes 8 pretrain_gpt.py --micro-batch-size 2 --global-batch-size 512 --seq-length 2048 --lr 2e-4 --min-lr 2e-5 --lr-decay-style cosine';

  it('warmup and decay count consumed tokens: ceil(tokens / (global batch × seq length)) steps; --train-tokens ends the run first', () => {
    const { plan, launchChecks, decayDefaultsToRun } = megatron.extract(
      script(`${GPT3} --train-tokens 300000000000 --train-iters 858306 --lr-warmup-tokens 375000000 --lr-decay-tokens 260000000000 --lr-warmup-iters 2000`),
      env(),
    );
    expect(plan.warmupSteps).toMatchObject({ value: 358, origin: 'derived', key: '--lr-warmup-tokens', how: 'ceil(375000000 / (512 × 2048)) (--lr-warmup-tokens / tokens per step: global batch × --seq-length)', writtenAs: { unit: 'tokens', perStep: 1048576, value: 375000000 } });
    expect(plan.decaySteps).toMatchObject({ value: 247956, origin: 'derived', key: '--lr-decay-tokens', writtenAs: { unit: 'tokens' } });
    expect(plan.totalSteps).toMatchObject({ value: 286103, key: '--train-tokens' });
    expect(plan.totalSteps?.how).toContain('before --train-iters 858306');
    // Without --lr-decay-tokens the decay runs over --train-iters, not the token-limited run.
    expect(decayDefaultsToRun).toBe(false);
    expect(launchChecks?.['warmup-exceeds-training']).toBeUndefined();
  });

  it('--train-iters before --train-tokens: the iterations end the run; a token flag without the seq length leaves its horizon unknown', () => {
    const short = megatron.extract(script(`${GPT3} --train-tokens 300000000000 --train-iters 1000 --lr-decay-tokens 1000000000`), env());
    expect(short.plan.totalSteps).toMatchObject({ value: 1000, key: '--train-iters' });
    expect(short.plan.decaySteps).toMatchObject({ value: 954 });
    expect(short.decayDefaultsToRun).toBe(true);
    const noSeq = megatron.extract(script('python pretrain_gpt.py --micro-batch-size 2 --global-batch-size 16 --lr 1e-4 --train-iters 1000 --lr-warmup-tokens 1000000'), env());
    expect(noSeq.plan.warmupSteps).toBeUndefined();
    expect(hints(noSeq.missing, 'warmupSteps')).toEqual(['--lr-warmup-tokens count tokens: set --global-batch-size and --seq-length (tokens per step), or assume them in .trainlint.yml']);
  });
});

describe('megatron: detection', () => {
  it('claims pretrain_*.py commands and functional-test configs', () => {
    expect(megatron.detect(fixture('train_llama3_8b_h100_fp8.sh'), env())).toBe(10);
    expect(megatron.detect(script('python tasks/main.py --micro-batch-size 4 --global-batch-size 32'), env())).toBe(6);
    expect(megatron.detect(script('python pretrain_gpt.py $ARGS'), env())).toBe(3);
    expect(megatron.detect(modelConfig('--micro-batch-size: 4'), env())).toBe(7);
  });

  it('returns 0 for other frameworks', () => {
    expect(megatron.detect(fixture('llama3-nemo_8b_mr_mbs1_gbs8_mcore_te_8experts_tp2_ep2_pp2_dgx_a100_1N8G/model_config.yaml'), env())).toBe(0);
    expect(megatron.detect(script('torchrun --nproc_per_node 8 train.py --per_device_train_batch_size 8 --gradient_accumulation_steps 4'), env())).toBe(0);
    expect(megatron.detect(script('torchrun -m open_clip_train.main --batch-size 256 --lr 1e-3 --train-num-samples 1000'), env())).toBe(0);
    expect(megatron.detect(parseSource('cfg.yaml', 'train_iters: 100\nlr_decay_style: cosine\nmicro_batch_size: 4\n'), env())).toBe(0);
    expect(megatron.detect(parseSource('ds.json', '{"train_batch_size": 8, "zero_optimization": {"stage": 1}}'), env())).toBe(0);
  });

  it('its files are not claimed by the DeepSpeed, HF Trainer or OpenCLIP dialects', () => {
    for (const name of ['train_gpt3_175b_distributed.sh', 'train_llama3_8b_h100_fp8.sh', 'gpt3_mcore_te_tp2_pp2_cp2/model_config.yaml']) {
      const file = fixture(name);
      expect([name, deepspeed.detect(file, env()), hfTrainer.detect(file, env()), openclip.detect(file, env())]).toEqual([name, 0, 0, 0]);
    }
  });

  it('claims only Megatron files among all repository fixtures', () => {
    const claimed: string[] = [];
    for (const abs of listFiles(ALL_FIXTURES)) {
      if (!/\.(json|ya?ml|toml|sh)$/.test(abs)) continue;
      const file = parseSource(path.relative(ALL_FIXTURES, abs), readFileSync(abs, 'utf8'));
      if (megatron.detect(file, env()) > 0) claimed.push(file.path);
    }
    expect(claimed.length).toBeGreaterThanOrEqual(6);
    for (const p of claimed) expect(p).toMatch(/megatron/i);
  });
});

describe('megatron: built-in schema (MODEL_ARGS)', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true });
  const validate = ajv.compile(schema);

  it('accepts the YAML fixtures, numeric strings and ${VAR} included', () => {
    for (const name of ['gpt3_mcore_te_tp2_pp2_cp2', 'gpt3_15b_8t_release_sm', 'gpt_grpo_tp1tp2_pp1_dp8_583m_throughputtest', 'hybrid_mr_mcore_te_tp1_pp1_cp1_dgx_a100_1N8G']) {
      const tree = fixture(`${name}/model_config.yaml`).tree;
      expect([name, validate(toPlain(tree!)), validate.errors]).toEqual([name, true, null]);
    }
    expect(validate({ MODEL_ARGS: { '--lr': '1e-4', '--global-batch-size': '${GBS}', '--micro-batch-size': '4' } })).toBe(true);
  });

  it('rejects wrong values', () => {
    expect(validate({ MODEL_ARGS: { '--micro-batch-size': 0 } })).toBe(false);
    expect(validate({ MODEL_ARGS: { '--lr-decay-style': 'cosine_with_restarts' } })).toBe(false);
    expect(validate({ MODEL_ARGS: { '--lr-warmup-fraction': 1.5 } })).toBe(false);
    expect(validate({ MODEL_ARGS: { '--bf16': 'yes' } })).toBe(false);
    expect(validate({ MODEL_ARGS: { '--train-iters': 'ten' } })).toBe(false);
  });
});

const sweep = sharedTest(CORPUS);

describe('megatron: corpus sweep (../shared/corpus)', () => {
  sweep('claims the Megatron functional-test configs (not the NeMo ones) and nothing else', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true });
    const validate = ajv.compile(schema);
    let claimed = 0;
    let megatronFiles = 0;
    const outside: string[] = [];
    const unclaimed: string[] = [];
    const schemaFailures: string[] = [];
    const fields: Partial<Record<PlanField, number>> = {};
    for (const abs of listFiles(CORPUS)) {
      if (!/\.(json|ya?ml|toml)$/.test(abs)) continue;
      const rel = path.relative(CORPUS, abs);
      const file = parseSource(rel, readFileSync(abs, 'utf8'));
      const mine = rel.startsWith(`${MEGATRON_DIR}/`);
      if (mine) megatronFiles++;
      if (!megatron.detect(file, env())) {
        if (mine) unclaimed.push(rel);
        continue;
      }
      claimed++;
      if (!mine) outside.push(rel);
      if (!validate(toPlain(file.tree!))) schemaFailures.push(rel);
      // The test case names carry the topology (`_1N8G`); 8 GPUs otherwise.
      const m = /_(\d+)N(\d+)G/.exec(rel);
      const { plan } = megatron.extract(file, env({ worldSize: m ? Number(m[1]) * Number(m[2]) : 8 }));
      for (const field of Object.keys(plan) as PlanField[]) fields[field] = (fields[field] ?? 0) + 1;
    }
    console.log(`megatron sweep: ${claimed} claimed of ${megatronFiles} Megatron-LM files; fields: ${JSON.stringify(fields)}`);
    expect(outside).toEqual([]);
    expect(schemaFailures).toEqual([]);
    // Only the NeMo-run cases (trainer.* / data.* keys) are left out.
    for (const rel of unclaimed) expect(rel).toMatch(/\/gpt-nemo\//);
    expect(claimed).toBeGreaterThanOrEqual(260);
    for (const field of ['microBatchSize', 'globalBatchSize', 'totalSteps', 'warmupSteps', 'decaySteps', 'peakLr', 'precision'] as PlanField[]) {
      expect([field, (fields[field] ?? 0) >= 260]).toEqual([field, true]);
    }
    expect(fields.gradAccumSteps ?? 0).toBeGreaterThanOrEqual(240);
  });
});

describe('megatron: flags an opaque word may set are unknown, not defaults', () => {
  const plan = (text: string) => {
    const file = parseSource('train.sh', text);
    return megatron.extract(file, env());
  };

  test('an array a branch appended to: the flags written before stay; the missing ones are unknown', () => {
    const text = [
      '#!/bin/bash',
      'ARGS=(--micro-batch-size 2 --global-batch-size 256 --lr 3e-4 --train-iters 5000 --seq-length 2048)',
      'if [ -f use_fp8 ]; then',
      '  ARGS+=(--fp8-format hybrid)',
      'fi',
      'torchrun --nproc_per_node 8 pretrain_gpt.py "${ARGS[@]}"',
      '',
    ].join('\n');
    const out = plan(text);
    expect(out.plan.microBatchSize?.value).toBe(2);
    expect(out.plan.peakLr?.value).toBe(3e-4);
    // Only --fp8-format may be appended: the defaults of other flags still hold.
    expect(out.plan.minLr).toMatchObject({ value: 0, origin: 'default' });
  });

  test('an unknown $EXTRA_ARGS may write any flag: min-lr, decay style, optimizer, precision and warmup are unknown', () => {
    const text = 'torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 2 --global-batch-size 256 --lr 3e-4 --train-iters 5000 $EXTRA_ARGS\n';
    const out = plan(text);
    expect(out.plan.peakLr?.value).toBe(3e-4);
    for (const field of ['minLr', 'scheduler', 'optimizer', 'precision', 'warmupSteps'] as const) expect(out.plan[field]).toBeUndefined();
    expect(out.notes.join('\n')).toContain('--min-lr: not written, and $EXTRA_ARGS may set it');
    // Without the opaque word, Megatron's defaults.
    const plain = plan(text.replace(' $EXTRA_ARGS', ''));
    expect(plain.plan.minLr).toMatchObject({ value: 0, origin: 'default' });
    expect(plain.plan.optimizer).toMatchObject({ origin: 'default' });
  });

  test('a switch right before an unknown $EXTRA_ARGS is on (store_true takes no value)', () => {
    const text = 'torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 2 --global-batch-size 256 --lr 3e-4 --train-iters 5000 --bf16 $EXTRA_ARGS\n';
    expect(plan(text).plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit', key: '--bf16' });
    expect(plan(text.replace('--bf16 $EXTRA_ARGS', '--fp16 $EXTRA_ARGS')).plan.precision).toMatchObject({ value: 'fp16', origin: 'explicit' });
    expect(plan(text.replace('--bf16 $EXTRA_ARGS', '--bf16 --seq-length 2048')).plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit' });
  });

  test('a missing micro batch names the word that may hold it', () => {
    const out = plan('torchrun --nproc_per_node 8 pretrain_gpt.py --global-batch-size 256 --lr 3e-4 --train-iters 5000 $EXTRA_ARGS\n');
    expect(out.missing.find((m) => m.field === 'microBatchSize')?.hint).toBe('--micro-batch-size is not written; $EXTRA_ARGS may set it');
  });
});
