/**
 * verl: launch scripts of Hydra overrides (written here in the shapes of verl's examples and of
 * ../shared/corpus-wave2/FACTS-verl-scripts.md: variables, ${X:-default}, $((a*b)), "$@"), trainer
 * YAML composed from a defaults list, and the start-up assertions reported before launch.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verl } from '../../src/dialects/verl';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { lint, type FileResult } from '../../src/engine/lint';
import { buildReport } from '../../src/engine/build-report';
import { formatPlan } from '../../src/report/plan-text';
import type { SourceFile } from '../../src/engine/source';
import { fixtureLoader, fixturesDir } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';

const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };
const fixture = fixtureLoader('verl');
const extract = (file: SourceFile, env: ExtractEnv = NO_ENV): Extraction => verl.extract(file, env);
const script = (body: string, name = 'run.sh'): SourceFile => parseSource(name, `#!/bin/bash\npython3 -m verl.trainer.main_ppo \\\n${body.trim().split('\n').map((l) => `    ${l.trim()} \\`).join('\n')}\n    trainer.total_epochs=1\n`);
const kinds = (e: Extraction) => (e.batchChecks ?? []).map((c) => c.kind);
const value = (e: Extraction, field: keyof Extraction['plan']) => e.plan[field]?.value;

/** A valid GRPO run on 8 GPUs; tests change one override at a time. */
const VALID = `
algorithm.adv_estimator=grpo
data.train_batch_size=1024
actor_rollout_ref.actor.ppo_mini_batch_size=256
actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=40
actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=40
actor_rollout_ref.rollout.n=5
trainer.n_gpus_per_node=8
trainer.nnodes=1
`;
const withOverride = (...lines: string[]): string => {
  const keys = lines.map((l) => l.replace(/=.*/, '').replace(/^\+*/, ''));
  return [...VALID.trim().split('\n').filter((l) => !keys.includes(l.replace(/=.*/, ''))), ...lines].join('\n');
};

describe('verl detection', () => {
  const env = { assume: {}, mappings: {} };
  test.each([
    ['scripts/run_qwen2-7b_grpo.sh'],
    ['scripts/test_dapo_7b_math.sh'],
    ['scripts/run_moonlight16b_megatron.sh'],
    ['scripts/run_qwen_05_sft.sh'],
    ['scripts/train_tiny_zero_a100_grpo.sh'],
    ['repo/examples/grpo/config/gsm8k_grpo.yaml'],
    ['repo/verl/trainer/config/ppo_trainer.yaml'],
  ])('%s is verl', (name) => {
    expect(detectDialect(fixture(name), env)?.meta.id).toBe('verl');
  });

  test.each([['negative/generation.yaml'], ['negative/config.json'], ['repo/verl/trainer/config/actor/actor.yaml'], ['repo/verl/trainer/config/optim/fsdp.yaml']])('%s is not verl', (name) => {
    expect(verl.detect(fixture(name), env)).toBe(0);
  });

  test('an SFT trainer YAML and a plain torchrun script are told apart', () => {
    const sft = parseSource('sft_trainer.yaml', 'data:\n  train_batch_size: 256\n  micro_batch_size_per_gpu: 4\noptim:\n  lr: 1e-5\ntrainer:\n  total_epochs: 4\n  default_local_dir: ckpt\n');
    expect(verl.detect(sft, env)).toBeGreaterThan(0);
    expect(verl.detect(parseSource('run.sh', 'torchrun --nproc_per_node 8 train.py --lr 1e-4\n'), env)).toBe(0);
  });
});

describe('verl scripts: RL batch units, Hydra overrides, shell variables', () => {
  test('GRPO: prompts, responses and optimizer steps per rollout step; values point at their overrides', () => {
    const e = extract(fixture('scripts/run_qwen2-7b_grpo.sh'));
    expect(kinds(e)).toEqual([]);
    expect(e.configErrors ?? []).toEqual([]);
    const p = e.plan;
    expect(p.worldSize).toMatchObject({ value: 8, how: 'trainer.n_gpus_per_node 8 × trainer.nnodes 1' });
    expect(p.promptsPerRolloutStep).toMatchObject({ value: 1024, unit: 'prompts', key: 'data.train_batch_size', range: { line: 9, column: 5 } });
    expect(p.samplesPerPrompt).toMatchObject({ value: 5, unit: 'responses' });
    expect(p.globalBatchSize).toMatchObject({ value: 1280, unit: 'responses', origin: 'derived' });
    expect(p.microBatchSize).toMatchObject({ value: 40, unit: 'responses' });
    expect(p.gradAccumSteps?.value).toBe(4);
    expect(p.optimizerStepsPerRolloutStep).toMatchObject({ value: 4, unit: 'optimizer steps' });
    expect(p.schedulerTick?.value).toBe('rollout-step');
    expect(p.saveEverySteps).toMatchObject({ value: 20, unit: 'rollout steps' });
    expect(p.peakLr).toMatchObject({ value: 1e-6, origin: 'explicit' });
    expect(p.scheduler).toMatchObject({ value: 'constant', origin: 'default' });
    expect(e.overridable).toMatchObject({ file: 'scripts/run_qwen2-7b_grpo.sh', range: { line: 28 } });
    expect(e.missing.map((m) => m.field)).toEqual(['totalSteps']);
  });

  test('DAPO: $((…)), ${NNODES:-8} and +data.gen_batch_size; dynamic batching skips the static checks', () => {
    const e = extract(fixture('scripts/test_dapo_7b_math.sh'));
    expect(kinds(e)).toEqual([]);
    expect(e.configErrors ?? []).toEqual([]);
    expect(value(e, 'worldSize')).toBe(64);
    expect(e.plan.promptsPerRolloutStep?.value).toBe(512);
    expect(e.plan.samplesPerPrompt?.value).toBe(16);
    expect(e.plan.globalBatchSize?.value).toBe(512);
    expect(e.plan.microBatchSize).toBeUndefined();
    expect(e.plan.optimizerStepsPerRolloutStep?.value).toBe(16);
    expect(e.plan.warmupSteps).toMatchObject({ value: 10, unit: 'rollout steps' });
    expect(e.plan.totalSteps).toMatchObject({ value: 200, unit: 'rollout steps' });
    expect(e.notes.join('\n')).toMatch(/use_dynamic_bsz is on: verl skips its static batch checks/);
    expect(e.overridable).toBeUndefined();
  });

  test('Megatron: DP = GPUs / (TP × PP × CP); a naive GPU-count check would be wrong', () => {
    const e = extract(fixture('scripts/run_moonlight16b_megatron.sh'));
    expect(kinds(e)).toEqual([]);
    expect(e.plan.worldSize?.value).toBe(24);
    expect(e.plan.dataParallelSize?.value).toBe(2);
    expect(e.plan.gradAccumSteps?.value).toBe(10);
    expect(e.plan.scheduler).toMatchObject({ key: 'actor_rollout_ref.actor.optim.lr_decay_style' });
    expect(e.overridable).toBeDefined();
  });

  test('a critic (GAE) is checked like the actor', () => {
    expect(kinds(extract(fixture('scripts/run_gemma_ppo.sh')))).toEqual([]);
    const bad = extract(script(withOverride('algorithm.adv_estimator=gae', 'critic.ppo_micro_batch_size_per_gpu=48')));
    expect(kinds(bad)).toEqual(['critic-mini-batch-not-divisible-by-micro']);
  });

  test('Megatron critic: CriticConfig.validate still refuses a critic mini-batch above data.train_batch_size', () => {
    const e = extract(script(withOverride('algorithm.adv_estimator=gae', 'actor_rollout_ref.actor.strategy=megatron', 'actor_rollout_ref.actor.megatron.tensor_model_parallel_size=2', 'actor_rollout_ref.actor.ppo_mini_batch_size=256', 'critic.ppo_micro_batch_size_per_gpu=2', 'critic.ppo_mini_batch_size=2048')));
    expect(kinds(e)).toEqual(['critic-mini-batch-above-train-batch']);
    expect(e.batchChecks![0].message).toContain('"train_batch_size (1024) must be >= critic.ppo_mini_batch_size (2048)"');
  });

  test("the deprecated critic.ppo_micro_batch_size alone is both spellings: critic.yaml copies it into ppo_micro_batch_size_per_gpu", () => {
    const e = extract(script(withOverride('algorithm.adv_estimator=gae', 'critic.ppo_micro_batch_size=16')));
    expect(e.conflicts?.map((c) => c.kind)).toEqual(['critic-micro-batch-both-spellings']);
    expect(e.conflicts![0].message).toContain("ppo_micro_batch_size_per_gpu: ${oc.select:.ppo_micro_batch_size,null}");
    expect(e.conflicts![0].message).toContain('16 // 8 = 2');
    // Written per GPU only: nothing; written null per GPU: the deprecated one alone is accepted.
    expect(extract(script(withOverride('algorithm.adv_estimator=gae', 'critic.ppo_micro_batch_size_per_gpu=2'))).conflicts ?? []).toEqual([]);
    expect(extract(script(withOverride('algorithm.adv_estimator=gae', 'critic.ppo_micro_batch_size=16', 'critic.ppo_micro_batch_size_per_gpu=null'))).conflicts ?? []).toEqual([]);
  });

  test('a mini-batch no value under the train batch can fix: the advice changes the train batch or the micro batch, never contradicts itself', () => {
    const e = extract(script(withOverride('algorithm.adv_estimator=gae', 'data.train_batch_size=12', 'actor_rollout_ref.actor.ppo_mini_batch_size=12', 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1', 'actor_rollout_ref.rollout.n=2', 'critic.ppo_mini_batch_size=16', 'critic.ppo_micro_batch_size_per_gpu=2', 'trainer.n_gpus_per_node=8', 'trainer.nnodes=3')));
    expect(kinds(e)).toEqual(['critic-mini-batch-above-train-batch', 'critic-mini-batch-not-divisible-by-micro']);
    for (const check of e.batchChecks!) {
      expect(check.message).not.toContain('lower it to at most 12');
      expect(check.message).not.toMatch(/multiple of 24 \(e\.g\. 24\)/);
      expect(check.message).toContain('no critic.ppo_mini_batch_size up to data.train_batch_size 12 passes');
      expect(check.message).toContain('raise data.train_batch_size to 24 with critic.ppo_mini_batch_size 24, or set critic.ppo_micro_batch_size_per_gpu to 1 with critic.ppo_mini_batch_size 12');
    }
  });

  test('the data-parallel size is in the plan also without sequence parallelism (the gradient accumulation divides by it)', () => {
    const e = extract(script(VALID));
    expect(e.plan.dataParallelSize).toMatchObject({ value: 8, origin: 'derived' });
    expect(e.plan.gradAccumSteps?.how).toContain('// 8 data-parallel ranks');
  });

  test('an unset shell variable leaves its value unknown (with a note), never guessed', () => {
    const e = extract(fixture('scripts/train_tiny_zero_a100_grpo.sh'));
    expect(e.plan.worldSize).toBeUndefined();
    expect(e.notes.join('\n')).toMatch(/trainer\.n_gpus_per_node = \$N_GPUS .*a shell expansion the script does not resolve/);
    expect(kinds(e)).toEqual([]);
  });

  test('SFT: world size from torchrun; global batch = micro × accumulation × data-parallel', () => {
    const e = extract(fixture('scripts/run_sft_8gpu.sh'));
    expect(e.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    expect(e.plan.globalBatchSize).toMatchObject({ value: 256, origin: 'explicit' });
    expect(e.plan.gradAccumSteps?.value).toBe(8);
    expect(e.launchChecks?.['batch-size-mismatch']).toMatch(/Global batch size … is not divisible by dp size/);
    const unknown = extract(fixture('scripts/run_qwen_05_sft.sh'));
    expect(unknown.plan.worldSize).toBeUndefined();
    expect(unknown.missing.map((m) => m.field)).toContain('worldSize');
  });

  test('SFT: total_training_steps stops early, the cosine still spans the epochs', () => {
    const e = extract(parseSource('sft.sh', 'torchrun --nproc_per_node=8 -m verl.trainer.fsdp_sft_trainer data.train_batch_size=64 data.micro_batch_size_per_gpu=8 trainer.total_epochs=2 trainer.total_training_steps=100\n'), { assume: { datasetSamples: 64000 }, mappings: {} });
    expect(e.plan.stepsPerEpoch?.value).toBe(1000);
    expect(e.plan.decaySteps?.value).toBe(2000);
    expect(e.plan.totalSteps?.value).toBe(100);
    expect(e.plan.warmupSteps?.value).toBe(200);
  });
});

describe("verl's start-up assertions, reported before launch with verl's arithmetic", () => {
  test.each([
    ['real_train_batch_size % minimal_bsz', withOverride('data.train_batch_size=100'), 'train-batch-not-divisible', /real_train_batch_size \(500\) must be divisible by minimal possible batch size \(8\)/],
    ['train_batch_size >= ppo_mini_batch_size', withOverride('data.train_batch_size=128', 'actor_rollout_ref.actor.ppo_mini_batch_size=256'), 'mini-batch-above-train-batch', /train_batch_size \(128\) must be >= actor\.ppo_mini_batch_size \(256\)/],
    ['normalized mini > 0', withOverride('actor_rollout_ref.actor.ppo_mini_batch_size=1', 'actor_rollout_ref.rollout.n=1', 'data.train_batch_size=1024'), 'actor-mini-batch-zero-after-normalization', /should be larger than 0 after normalization/],
    ['normalized mini % micro', withOverride('actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=48'), 'actor-mini-batch-not-divisible-by-micro', /normalized ppo_mini_batch_size 160 should be divisible by ppo_micro_batch_size_per_gpu 48/],
    ['rollout TP divides the GPUs', withOverride('trainer.n_gpus_per_node=6', 'actor_rollout_ref.rollout.tensor_model_parallel_size=4', 'data.train_batch_size=1020', 'actor_rollout_ref.actor.ppo_mini_batch_size=204', 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=10'), 'rollout-tp-does-not-divide', /rollout world_size: 6 is not divisible by infer_world_size: 4/],
    ['Megatron GPUs % (TP × PP × CP)', withOverride('actor_rollout_ref.actor.megatron.tensor_model_parallel_size=4', 'actor_rollout_ref.actor.megatron.pipeline_model_parallel_size=3', 'actor_rollout_ref.actor.strategy=megatron'), 'gpus-not-divisible-by-model-parallel', /n_gpus \(8\) must be divisible by model_parallel_size \(12\) times context_parallel_size \(1\)/],
    ['deprecated global micro: mini % micro', withOverride('actor_rollout_ref.actor.ppo_micro_batch_size=24', '~actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu'), 'mini-not-divisible-by-global-micro', /ppo_mini_batch_size \(256\) must be divisible by ppo_micro_batch_size \(24\)/],
    ['deprecated global micro × sp >= n_gpus', withOverride('actor_rollout_ref.actor.ppo_micro_batch_size=4', '~actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu'), 'global-micro-below-gpus', /ppo_micro_batch_size \(4\) \* ulysses_sequence_parallel_size \(1\) must be >= n_gpus \(8\)/],
  ])('%s', (_what, body, kind, wording) => {
    const e = extract(script(body));
    expect(kinds(e)).toContain(kind);
    const check = e.batchChecks!.find((c) => c.kind === kind)!;
    expect(check.message).toMatch(wording);
    expect(check.message).toMatch(/after the GPUs are allocated/);
  });

  test('the megatron data-parallel size makes the minimal batch micro × dp', () => {
    const e = extract(script(withOverride('actor_rollout_ref.actor.strategy=megatron', 'actor_rollout_ref.actor.megatron.tensor_model_parallel_size=2', 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=3', 'data.train_batch_size=100')));
    expect(e.batchChecks?.find((c) => c.kind === 'train-batch-not-divisible')?.message).toMatch(/minimal batch 4 data-parallel ranks × actor_rollout_ref\.actor\.ppo_micro_batch_size_per_gpu 3 = 12/);
  });

  test('both micro-batch spellings conflict; neither is a start-up error for a script', () => {
    const both = extract(script(withOverride('actor_rollout_ref.actor.ppo_micro_batch_size=320')));
    expect(both.conflicts?.map((c) => c.kind)).toEqual(['micro-batch-both-spellings']);
    const none = extract(script(withOverride('~actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu')));
    expect(none.configErrors?.map((e) => e.message).join('\n')).toMatch(/\[actor\] Please set at least one of 'actor\.ppo_micro_batch_size' or 'actor\.ppo_micro_batch_size_per_gpu'/);
    const logProb = extract(script(withOverride('~actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu')));
    expect(logProb.configErrors?.map((e) => e.message).join('\n')).toMatch(/\[actor_rollout_ref\.rollout\] Please set at least one of/);
  });

  test('a critic (GAE, verl\'s default estimator) without a micro batch stops verl at start-up, as the actor does', () => {
    const noCritic = script(withOverride('~algorithm.adv_estimator', 'critic.optim.lr=1e-5', 'critic.model.path=Qwen/Qwen2.5-0.5B'));
    const e = extract(noCritic);
    expect(e.configErrors?.map((x) => x.message).join('\n')).toMatch(/\(algorithm\.adv_estimator gae \(verl default\) trains a critic\): verl stops at start-up \("\[critic\] Please set at least one of 'critic\.micro_batch_size' or 'critic\.micro_batch_size_per_gpu'\."\)/);
    // It points at the critic's own override.
    expect(e.configErrors?.find((x) => /\[critic\]/.test(x.message))?.range.line).toBe(noCritic.text.split('\n').findIndex((l) => l.includes('critic.optim.lr')) + 1);
    // Set, dynamic batching, or no critic (GRPO): nothing.
    for (const body of [withOverride('algorithm.adv_estimator=gae', 'critic.ppo_micro_batch_size_per_gpu=8'), withOverride('algorithm.adv_estimator=gae', 'critic.use_dynamic_bsz=True'), VALID]) {
      expect(extract(script(body)).configErrors?.some((x) => /\[critic\]/.test(x.message)) ?? false).toBe(false);
    }
  });

  test('Megatron: lr_warmup_steps not below lr_decay_steps is refused at start-up, even when the run is longer', () => {
    const megatron = (...lines: string[]) => extract(script(withOverride('actor_rollout_ref.actor.strategy=megatron', 'actor_rollout_ref.actor.megatron.tensor_model_parallel_size=2', 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=4', 'actor_rollout_ref.actor.optim.lr_decay_style=cosine', 'trainer.total_training_steps=500', ...lines)));
    const e = megatron('actor_rollout_ref.actor.optim.lr_warmup_steps=100', 'actor_rollout_ref.actor.optim.lr_decay_steps=80');
    expect(e.conflicts?.map((c) => [c.kind, c.message])).toEqual([
      ['warmup-not-below-decay', expect.stringMatching(/lr_warmup_steps 100 is not below actor_rollout_ref\.actor\.optim\.lr_decay_steps 80: .*Megatron's OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps/)],
    ]);
    // The whole run as warmup is warmup-exceeds-training's (its launch check names the assertion), not a conflict too.
    const whole = megatron('actor_rollout_ref.actor.optim.lr_warmup_steps=500');
    expect(whole.conflicts ?? []).toEqual([]);
    expect(whole.launchChecks?.['warmup-exceeds-training']).toMatch(/warmup 500 ≥ decay 500 rollout steps/);
    expect(megatron('actor_rollout_ref.actor.optim.lr_warmup_steps=50', 'actor_rollout_ref.actor.optim.lr_decay_steps=80').conflicts ?? []).toEqual([]);
  });

  test('Megatron: a warmup ratio is a fraction of lr_decay_steps (which defaults to the run), not of the run', () => {
    const megatron = (...lines: string[]) => extract(script(withOverride('actor_rollout_ref.actor.strategy=megatron', 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=4', 'actor_rollout_ref.actor.optim.lr_decay_style=cosine', 'actor_rollout_ref.actor.optim.lr_warmup_steps_ratio=0.1', 'trainer.total_training_steps=500', ...lines)));
    expect(megatron('actor_rollout_ref.actor.optim.lr_decay_steps=200').plan.warmupSteps).toMatchObject({ value: 20, how: 'int(0.1 × lr_decay_steps 200)' });
    expect(megatron().plan.warmupSteps).toMatchObject({ value: 50, how: expect.stringContaining('lr_decay_steps unset: the run length') });
    // Megatron reads lr_warmup_steps only when > 0: 0 selects the ratio (FSDP: ≥ 0).
    expect(megatron('actor_rollout_ref.actor.optim.lr_warmup_steps=0', 'actor_rollout_ref.actor.optim.lr_decay_steps=200').plan.warmupSteps?.value).toBe(20);
    expect(extract(script(withOverride('actor_rollout_ref.actor.optim.lr_warmup_steps=0', 'actor_rollout_ref.actor.optim.lr_warmup_steps_ratio=0.1', 'trainer.total_training_steps=500'))).plan.warmupSteps?.value).toBe(0);
  });

  test('use_dynamic_bsz with a mini batch above the train batch: one optimizer step takes the whole rollout batch', () => {
    const e = extract(script('algorithm.adv_estimator=grpo\ndata.train_batch_size=100\nactor_rollout_ref.actor.ppo_mini_batch_size=256\nactor_rollout_ref.actor.use_dynamic_bsz=True\nactor_rollout_ref.rollout.n=5\ntrainer.total_training_steps=300'));
    expect(e.plan.globalBatchSize).toMatchObject({ value: 500, unit: 'responses', how: expect.stringContaining('each optimizer step takes the whole rollout batch') });
    expect(e.plan.optimizerStepsPerRolloutStep?.value).toBe(1);
    expect(extract(script(VALID)).plan.globalBatchSize?.value).toBe(1280);
  });

  test('values verl ignores: the warmup ratio under lr_warmup_steps, lr_scheduler_type under the deprecated warmup_style', () => {
    const e = extract(script(withOverride('actor_rollout_ref.actor.optim.lr_warmup_steps=10', 'actor_rollout_ref.actor.optim.lr_warmup_steps_ratio=0.1', 'actor_rollout_ref.actor.optim.warmup_style=cosine', 'actor_rollout_ref.actor.optim.lr_scheduler_type=constant')));
    expect(e.ignored?.map((i) => [i.key, i.message])).toEqual([
      ['actor_rollout_ref.actor.optim.lr_warmup_steps_ratio', expect.stringMatching(/is ignored: verl uses lr_warmup_steps 10 whenever it is ≥ 0/)],
      ['actor_rollout_ref.actor.optim.lr_scheduler_type', expect.stringMatching(/is ignored: the deprecated warmup_style cosine is set too/)],
    ]);
    expect(e.plan.scheduler?.value).toBe('cosine');
    expect(e.plan.warmupSteps?.value).toBe(10);
  });

  test('the default rollout tensor parallel size 2 on one GPU', () => {
    const e = extract(script(withOverride('trainer.n_gpus_per_node=1', '~actor_rollout_ref.rollout.tensor_model_parallel_size', 'data.train_batch_size=8', 'actor_rollout_ref.actor.ppo_mini_batch_size=8', 'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=8')));
    expect(e.batchChecks?.find((c) => c.kind === 'rollout-tp-does-not-divide')?.message).toMatch(/verl's default is 2: a single-GPU run must set actor_rollout_ref\.rollout\.tensor_model_parallel_size=1/);
  });

  test('Hydra rejects overrides it cannot parse or apply: a schema error at the override', () => {
    const e = extract(script(withOverride('+data.train_batch_size=64', 'data.max_prompt_length=1,2', 'trainer.nnodes')));
    expect(e.configErrors?.map((x) => [x.range.line, x.message.replace(/ \(Hydra rejects.*$/, '')])).toEqual([
      [10, expect.stringMatching(/^Error parsing override 'data\.max_prompt_length=1,2': Ambiguous value/)],
      [11, "Error parsing override 'trainer.nnodes': missing EQUAL at '<EOF>' (write trainer.nnodes=VALUE)"],
      [9, "Could not append to config. An item is already at 'data.train_batch_size'. (++data.train_batch_size=64 appends or overrides)"],
    ]);
  });
});

describe('verl YAML composed from its defaults list, launched by a script', () => {
  let results: FileResult[];
  const repo = path.join(fixturesDir('verl'), 'repo');
  beforeAll(async () => {
    ({ results } = await lint({ root: repo, paths: [], config: {} }));
  });
  const launched = () => results.find((r) => r.file.path === 'examples/grpo/config/gsm8k_grpo.yaml' && r.launch)!;

  test('the config as the script starts it: the YAML, its composed defaults, then the overrides', () => {
    const r = launched();
    expect(r.launch?.script).toBe('examples/grpo/run_gsm8k_grpo.sh');
    const p = r.extraction!.plan;
    expect(p.promptsPerRolloutStep).toMatchObject({ value: 256, file: 'examples/grpo/config/gsm8k_grpo.yaml' });
    expect(p.worldSize).toMatchObject({ value: 8, file: 'verl/trainer/config/ppo_trainer.yaml' });
    expect(p.microBatchSize).toMatchObject({ value: 16, origin: 'explicit', file: 'examples/grpo/run_gsm8k_grpo.sh', range: { line: 11 } });
    expect(p.totalSteps).toMatchObject({ value: 200, origin: 'explicit', file: 'examples/grpo/run_gsm8k_grpo.sh' });
    expect(p.warmupSteps).toMatchObject({ value: 10, how: 'int(0.05 × 200)' });
    expect(p.decaySteps?.value).toBe(200);
    expect(p.minLr?.value).toBe(0);
    expect(r.findings).toEqual([]);
    expect(r.extraction!.overridable?.message).toMatch(/examples\/grpo\/run_gsm8k_grpo\.sh:14 ends in "\$@"/);
    expect(formatPlan(r)).toMatch(/RL units: 256 prompts × 8 responses = 2048 responses per rollout step; 512 responses per optimizer step; 4 optimizer steps per rollout step/);
  });

  test('the script names its config; the group files are fragments of the composition', () => {
    const s = results.find((r) => r.file.path === 'examples/grpo/run_gsm8k_grpo.sh')!;
    expect(s.starts?.[0]).toMatch(/^line 8: examples\/grpo\/config\/gsm8k_grpo\.yaml/);
    expect(s.extraction?.plan).toEqual({});
    expect(s.findings).toEqual([]);
    const fragment = results.find((r) => r.file.path === 'verl/trainer/config/optim/fsdp.yaml')!;
    expect(fragment.dialect).toBeUndefined();
    expect(fragment.reason).toMatch(/config fragment that Hydra composes into/);
    // OmegaConf reads `lr: 1e-6` as a float: no YAML 1.1 warning in a fragment either.
    expect(fragment.findings).toEqual([]);
  });

  test('the JSON report marks the plan overridable', () => {
    const report = buildReport([launched()]);
    expect(report.files[0].overridable).toMatchObject({ path: 'examples/grpo/run_gsm8k_grpo.sh', line: 14 });
    expect(report.files[0].plan.schedulerTick).toMatchObject({ value: 'rollout-step' });
  });

  test('an unlaunched template only notes what a launch must set', () => {
    const base = results.find((r) => r.file.path === 'verl/trainer/config/ppo_trainer.yaml')!;
    expect(base.findings).toEqual([]);
    expect(base.extraction?.notes.join('\n')).toMatch(/ppo_micro_batch_size_per_gpu is not set: a launch of this config must set it/);
  });
});

describe('a reference trainer YAML is composed like the config', () => {
  test('the mini-batch both configs inherit from the vendored defaults is compared', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-verl-ref-'));
    try {
      mkdirSync(path.join(dir, 'conf'));
      writeFileSync(path.join(dir, 'conf', 'base.yaml'), 'actor_rollout_ref:\n  actor:\n    ppo_mini_batch_size: 64\n    optim:\n      lr: 1e-6\n');
      const cfg = (n: number, ref = '') => `${ref}defaults:\n  - base\n  - _self_\nactor_rollout_ref:\n  rollout:\n    n: ${n}\n`;
      writeFileSync(path.join(dir, 'conf', 'small.yaml'), cfg(4));
      writeFileSync(path.join(dir, 'conf', 'large.yaml'), cfg(16, '# trainlint: reference=small.yaml\n'));
      const { results } = await lint({ root: dir, paths: [], config: {} });
      const large = results.find((r) => r.file.path === 'conf/large.yaml')!;
      expect(large.reference?.plan.globalBatchSize?.value).toBe(256);
      expect(large.findings.map((f) => f.ruleId)).toEqual(['lr-not-rescaled']);
      expect(large.findings[0].message).toMatch(/the global batch went ×4 \(256 → 1024\): since reference conf\/small\.yaml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nothing in a linted verl repository is executed', () => {
  test('substitutions in overrides and Python tags in YAML stay text', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-verl-'));
    try {
      const marker = path.join(dir, 'MARKER');
      mkdirSync(path.join(dir, 'conf'));
      writeFileSync(path.join(dir, 'run.sh'), `python3 -m verl.trainer.main_ppo --config-path=conf --config-name=x data.train_batch_size=$(touch ${marker}; echo 8) trainer.nnodes=\`touch ${marker}\`\n`);
      writeFileSync(path.join(dir, 'conf', 'x.yaml'), `defaults:\n  - ppo_trainer\nactor_rollout_ref:\n  actor:\n    ppo_mini_batch_size: !!python/object/apply:os.system ["touch ${marker}"]\n`);
      const { results } = await lint({ root: dir, paths: [], config: {} });
      expect(results.length).toBeGreaterThan(0);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ── Optional: ../shared/corpus-wave2 (skipped visibly when absent) ─────────────────────────

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const VERL = path.join(WAVE2, 'volcengine__verl');
const describeIfVerl = sharedDescribe(VERL);

/** Per folder: the dialect every file should get ('none': a config fragment, no dialect). */
const VERL_FOLDERS: [RegExp, 'verl' | 'none'][] = [
  [/^examples\//, 'verl'],
  [/^verl\/trainer\/config\/[^/]*trainer[^/]*\.yaml$/, 'verl'],
  [/^verl\/trainer\/config\/(?:[^/]+\/|reward_manager\.yaml$)/, 'none'],
];

describeIfVerl('verl corpus (../shared/corpus-wave2/volcengine__verl)', () => {
  let results: FileResult[];
  beforeAll(async () => {
    ({ results } = await lint({ root: VERL, paths: [], config: {} }));
  }, 60_000);

  test('≥ 95% of the training files per folder are verl; config fragments and inference configs get no dialect', () => {
    for (const [folder, expected] of VERL_FOLDERS) {
      const files = results.filter((r) => folder.test(r.file.path) && !r.launch);
      expect(files.length).toBeGreaterThan(0);
      const right = files.filter((r) => (r.dialect?.meta.id ?? 'none') === expected);
      const wrong = files.filter((r) => !right.includes(r)).map((r) => `${r.file.path}: ${r.dialect?.meta.id ?? 'none'}`);
      if (expected === 'none') expect(wrong).toEqual([]);
      else expect(right.length / files.length).toBeGreaterThanOrEqual(0.95);
    }
  });

  test('no internal error; the sglang configs compose ppo_trainer from the searchpath', () => {
    expect(results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'internal-error'))).toEqual([]);
    const grpo = results.find((r) => r.file.path === 'examples/sglang_multiturn/config/gsm8k_multiturn_grpo.yaml')!;
    expect(grpo.extraction?.plan.samplesPerPrompt?.file).toBe('verl/trainer/config/rollout/rollout.yaml');
    expect(grpo.extraction?.plan.worldSize?.file).toBe('verl/trainer/config/ppo_trainer.yaml');
  });
});

describeIfVerl('verl FACTS rows (../shared/corpus-wave2/FACTS-verl-scripts.md)', () => {
  test('each recorded command, rebuilt as a script, is detected as verl and its batch values read', () => {
    const facts = readFileSync(path.join(WAVE2, 'FACTS-verl-scripts.md'), 'utf8');
    const rows = facts.split('\n').filter((l) => /^\| examples\//.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.length).toBeGreaterThan(100);
    let checked = 0;
    for (const row of rows) {
      const [, source, entry, tbs, n, mini, micro] = row;
      const args: string[] = [];
      if (/^\d+$/.test(tbs)) args.push(`data.train_batch_size=${tbs}`);
      if (/^\d+$/.test(n)) args.push(`actor_rollout_ref.rollout.n=${n}`);
      if (/^\d+$/.test(mini)) args.push(`actor_rollout_ref.actor.ppo_mini_batch_size=${mini}`);
      if (/^\d+$/.test(micro)) args.push(`actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=${micro}`);
      const module = entry === 'sft' ? 'torchrun --nproc_per_node=8 -m verl.trainer.fsdp_sft_trainer' : 'python3 -m verl.trainer.main_ppo';
      const file = parseSource(source.replace(/:\d+$/, ''), `${module} ${args.join(' ')} "$@"\n`);
      expect(detectDialect(file, NO_ENV)?.meta.id).toBe('verl');
      const e = verl.extract(file, NO_ENV);
      if (entry === 'ppo' && /^\d+$/.test(tbs)) {
        expect(e.plan.promptsPerRolloutStep?.value).toBe(Number(tbs));
        checked++;
      }
      expect(e.overridable).toBeDefined();
    }
    expect(checked).toBeGreaterThan(90);
  });
});
