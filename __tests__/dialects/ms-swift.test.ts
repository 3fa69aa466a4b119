/**
 * ms-swift: `swift sft|rlhf` and `megatron sft|rlhf` launch scripts (written in the shapes of
 * ../shared/corpus-wave2/FACTS-ms-swift.md: NPROC_PER_NODE / CUDA_VISIBLE_DEVICES prefixes, nargs
 * lists, `"$@"`), its YAML configs (`swift sft config.yaml`, an `ENV:` block, Megatron-SWIFT keys,
 * Ray groups), ms-swift's defaults, and its GRPO generation-batch checks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { msSwift } from '../../src/dialects/ms-swift';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { fixtureLoader, fixturesDir, listConfigs } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';
import { lint } from '../../src/engine/lint';

const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };
const fixture = fixtureLoader('ms-swift');
const extract = (name: string, env: ExtractEnv = NO_ENV): Extraction => msSwift.extract(fixture(name), env);
const swift = (body: string, prefix = 'NPROC_PER_NODE=8'): Extraction => msSwift.extract(parseSource('run.sh', `${prefix} swift rlhf --rlhf_type grpo ${body}\n`), NO_ENV);
const kinds = (e: Extraction) => (e.batchChecks ?? []).map((c) => c.kind);

describe('ms-swift detection', () => {
  test.each([['lora_sft.sh'], ['grpo_7b.sh'], ['megatron_sft.sh'], ['sft.yaml'], ['megatron_sft.yaml'], ['ray_grpo.yaml'], ['run_config.sh']])('%s is ms-swift', (name) => {
    expect(detectDialect(fixture(name), NO_ENV)?.meta.id).toBe('ms-swift');
  });
  test('an accelerate config, an FSDP JSON and a TRL recipe are not ms-swift', () => {
    expect(msSwift.detect(fixture('negative/multi_node.yaml'), NO_ENV)).toBe(0);
    expect(msSwift.detect(fixture('negative/fsdp.json'), NO_ENV)).toBe(0);
    expect(msSwift.detect(parseSource('r.yaml', 'model_name_or_path: Qwen/Qwen2.5-1.5B\nnum_generations: 8\nper_device_train_batch_size: 8\nnum_train_epochs: 1\n'), NO_ENV)).toBe(0);
  });
});

describe('ms-swift: swift sft/rlhf (TrainingArguments with ms-swift defaults)', () => {
  test('one process without NPROC_PER_NODE; dataset lists; the values at their flags', () => {
    const e = extract('lora_sft.sh');
    const p = e.plan;
    expect(p.worldSize).toMatchObject({ value: 1, origin: 'launcher', how: 'NPROC_PER_NODE and NNODES not set: ms-swift runs one process' });
    expect(p.globalBatchSize?.value).toBe(16);
    expect(p.peakLr).toMatchObject({ value: 1e-4, range: { line: 13, column: 5 } });
    expect(p.scheduler).toMatchObject({ value: 'cosine', origin: 'default' });
    expect(p.precision?.value).toBe('bf16');
  });
  test('a warmup under lr_scheduler_type constant is ignored (the Trainer\'s get_scheduler never reads it), and says so', () => {
    const e = msSwift.extract(parseSource('a.sh', 'NPROC_PER_NODE=4 swift sft --model m --dataset d --lr_scheduler_type constant --warmup_ratio 0.05\n'), NO_ENV);
    expect(e.plan.warmupSteps?.value).toBe(0);
    expect((e.ignored ?? []).map((i) => i.message).join('\n')).toContain('warmup_ratio');
  });
  test("ms-swift's defaults: per-device 1, accumulation ceil(16 / per-device / world), LR by tuner", () => {
    const lora = msSwift.extract(parseSource('a.sh', 'NPROC_PER_NODE=4 swift sft --model m --dataset d\n'), NO_ENV);
    expect(lora.plan.microBatchSize).toMatchObject({ value: 1, origin: 'default' });
    expect(lora.plan.gradAccumSteps).toMatchObject({ value: 4, origin: 'default' });
    expect(lora.plan.peakLr).toMatchObject({ value: 1e-4, origin: 'default' });
    const full = msSwift.extract(parseSource('b.sh', 'NPROC_PER_NODE=4 swift sft --model m --tuner_type full --per_device_train_batch_size 2\n'), NO_ENV);
    expect(full.plan.peakLr?.value).toBe(1e-5);
    expect(full.plan.gradAccumSteps?.value).toBe(2);
  });
  test('a YAML config with a bundled DeepSpeed preset: the note says so; the world size comes from the launch', () => {
    const e = extract('sft.yaml');
    expect(e.notes.join('\n')).toContain('bundled DeepSpeed presets');
    expect(e.missing.map((m) => m.field)).toContain('worldSize');
    const launched = extract('sft.yaml', { assume: { worldSize: { value: 4, origin: 'launcher', key: 'NPROC_PER_NODE', how: 'NPROC_PER_NODE=4' } }, mappings: {} });
    expect(launched.plan.globalBatchSize?.value).toBe(32);
  });
  test('a script that names a config is linted on the config', () => {
    expect(extract('run_config.sh').notes.join()).toContain('settings are in sft.yaml');
  });
  test('save_steps under save_strategy epoch is ignored', () => {
    const e = msSwift.extract(parseSource('c.sh', 'swift sft --model m --save_strategy epoch --save_steps 50\n'), NO_ENV);
    expect(e.ignored?.map((i) => i.key)).toEqual(['save_steps']);
  });
});

describe('ms-swift GRPO: units and the generation-batch checks, in ms-swift\'s words', () => {
  test('RL units of the GRPO script', () => {
    const e = extract('grpo_7b.sh');
    expect(kinds(e)).toEqual([]);
    expect(e.plan.samplesPerPrompt?.value).toBe(16);
    expect(e.plan.globalBatchSize).toMatchObject({ value: 64, unit: 'completions' });
    expect(e.plan.promptsPerRolloutStep?.value).toBe(4);
    expect(e.plan.optimizerStepsPerRolloutStep?.value).toBe(1);
    expect(e.overridable).toBeDefined();
  });
  test('a generation batch num_generations does not divide', () => {
    const e = swift('--model m --per_device_train_batch_size 3 --gradient_accumulation_steps 1 --num_generations 16 --split_dataset_ratio 0');
    expect(kinds(e)).toEqual(['swift-generation-batch-not-divisible-by-generations']);
    expect(e.batchChecks![0].message).toContain('"generation_batch_size (24) must be evenly divisible by num_generations (16). Valid values: [');
  });
  test('a written generation batch the global batch does not divide', () => {
    const e = swift('--model m --per_device_train_batch_size 4 --generation_batch_size 48 --num_generations 8 --split_dataset_ratio 0');
    expect(kinds(e)).toEqual(['swift-generation-batch-not-divisible-by-global']);
  });
  test('num_generations 1 and an eval batch num_generations does not divide', () => {
    expect(swift('--model m --num_generations 1 --split_dataset_ratio 0').configErrors!.map((c) => c.message).join()).toContain('"num_generations must be greater than 1 for GRPO"');
    expect(kinds(swift('--model m --num_generations 8 --per_device_train_batch_size 8 --per_device_eval_batch_size 1 --split_dataset_ratio 0.01', 'NPROC_PER_NODE=4'))).toEqual(['swift-eval-batch-not-divisible']);
  });
  test('GRPO without gradient_accumulation_steps: 1 (RLHFArguments._set_default), not ceil(16 / per-device / world)', () => {
    const e = swift('--model m --per_device_train_batch_size 2 --num_generations 16 --split_dataset_ratio 0', 'NPROC_PER_NODE=4');
    expect(e.plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: 'gradient_accumulation_steps' });
    expect(kinds(e)).toEqual(['swift-generation-batch-not-divisible-by-generations']);
    expect(e.batchChecks![0].message).toContain('"generation_batch_size (8) must be evenly divisible by num_generations (16).');
    // swift sft keeps the global-batch-16 default.
    expect(msSwift.extract(parseSource('s.sh', 'NPROC_PER_NODE=4 swift sft --model m --per_device_train_batch_size 2\n'), NO_ENV).plan.gradAccumSteps?.value).toBe(2);
  });
  test('the eval-batch check only when the run evaluates: split_dataset_ratio defaults to 0 since ms-swift 3.6 (0.01 before)', () => {
    const body = '--model m --num_generations 8 --per_device_train_batch_size 2';
    // No validation data by default: eval_strategy becomes "no" and the check never runs.
    expect(kinds(swift(body, 'NPROC_PER_NODE=4'))).toEqual([]);
    expect(kinds(swift(`${body} --val_dataset v.jsonl`, 'NPROC_PER_NODE=4'))).toEqual(['swift-eval-batch-not-divisible']);
    expect(kinds(swift(`${body} --split_dataset_ratio 0.05 --eval_strategy no`, 'NPROC_PER_NODE=4'))).toEqual([]);
    const pinned = (spec: string): Extraction =>
      msSwift.extract(parseSource('run.sh', `NPROC_PER_NODE=4 swift rlhf --rlhf_type grpo ${body}\n`), { ...NO_ENV, packagePin: (pkg) => (pkg === 'ms-swift' ? { name: 'ms-swift', spec, file: 'requirements.txt', line: 1 } : undefined) });
    const old = pinned('==3.5.2');
    expect(kinds(old)).toEqual(['swift-eval-batch-not-divisible']);
    expect(old.batchChecks![0].message).toContain('0.01 before ms-swift 3.6 (ms-swift==3.5.2 (requirements.txt:1))');
    expect(kinds(pinned('>=3.8'))).toEqual([]);
    const open = pinned('>=3.4');
    expect(kinds(open)).toEqual([]);
    expect(open.notes.join('\n')).toContain('allows both');
  });
});

describe('ms-swift: Megatron-SWIFT', () => {
  test('micro/global batch over TP, warmup as a fraction of the decay horizon, Megatron defaults', () => {
    const e = extract('megatron_sft.sh');
    expect(kinds(e)).toEqual([]);
    expect(e.plan.dataParallelSize?.value).toBe(4);
    expect(e.plan.gradAccumSteps?.value).toBe(2);
    expect(e.plan.warmupSteps).toMatchObject({ value: 100, fractionOf: { fraction: 0.05 } });
    expect(e.decayDefaultsToRun).toBe(true);
  });
  test("a warmup not below the decay horizon: Megatron's OptimizerParamScheduler assertion, not a schedule that never decays", () => {
    const e = msSwift.extract(parseSource('m.sh', 'NPROC_PER_NODE=8 megatron sft --model m --micro_batch_size 1 --global_batch_size 16 --train_iters 2000 --lr_warmup_iters 2500\n'), NO_ENV);
    expect(e.launchChecks?.['warmup-exceeds-training']).toBe("Megatron-SWIFT refuses to start (Megatron's OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps: warmup 2500 ≥ decay 2000 steps)");
    const shortDecay = msSwift.extract(parseSource('m.sh', 'NPROC_PER_NODE=8 megatron sft --model m --train_iters 2000 --lr_decay_iters 500 --lr_warmup_iters 600\n'), NO_ENV);
    expect(shortDecay.conflicts?.map((c) => c.kind)).toEqual(['warmup-not-below-decay']);
    expect(msSwift.extract(parseSource('m.sh', 'NPROC_PER_NODE=8 megatron sft --model m --train_iters 2000 --lr_warmup_iters 100\n'), NO_ENV).launchChecks?.['warmup-exceeds-training']).toBeUndefined();
  });
  test("Megatron's global-batch identity", () => {
    const e = msSwift.extract(parseSource('m.sh', 'NPROC_PER_NODE=8 megatron sft --model m --micro_batch_size 2 --global_batch_size 20 --train_iters 100\n'), NO_ENV);
    expect(kinds(e)).toEqual(['megatron-global-not-divisible']);
    expect(e.batchChecks![0].message).toContain('"global batch size (20) is not divisible by micro batch size (2) times data parallel size (8)"');
  });
  test('the ENV block gives the world size; a launch command that sets NPROC_PER_NODE wins and the block is ignored', () => {
    expect(extract('megatron_sft.yaml').plan.worldSize).toMatchObject({ value: 4, key: 'ENV.NPROC_PER_NODE' });
    const e = extract('megatron_sft.yaml', { assume: { worldSize: { value: 8, origin: 'launcher', key: 'NPROC_PER_NODE', how: 'NPROC_PER_NODE=8 (NNODES not set: 1 node)' } }, mappings: {} });
    expect(e.plan.worldSize?.value).toBe(8);
    expect(e.ignored?.[0]).toMatchObject({ key: 'ENV.NPROC_PER_NODE' });
  });
  test('Megatron GRPO over Ray: the trainer group, rollout prompts per data-parallel rank', () => {
    const e = extract('ray_grpo.yaml');
    expect(e.plan.worldSize?.value).toBe(4);
    expect(e.plan.promptsPerRolloutStep?.value).toBe(8);
    expect(e.plan.optimizerStepsPerRolloutStep?.value).toBe(4);
    const bad = msSwift.extract(parseSource('g.sh', 'NPROC_PER_NODE=8 megatron rlhf --rlhf_type grpo --model m --micro_batch_size 1 --global_batch_size 16 --num_generations 8 --steps_per_generation 1 --use_vllm true\n'), NO_ENV);
    expect(kinds(bad)).toEqual(['megatron-rollout-prompts-not-divisible']);
    expect(bad.batchChecks![0].message).toContain('num_rollout_prompt (2) = generation_batch_size (16) // num_generations (8) must be divisible by dp_size (8).');
  });
});

describe('ms-swift through the engine', () => {
  test('swift sft config.yaml: the config gets the script\'s NPROC_PER_NODE', async () => {
    const dir = fixturesDir('ms-swift');
    const { results } = await lint({ root: dir, paths: ['run_config.sh', 'sft.yaml'], config: {} });
    const launched = results.find((r) => r.file.path === 'sft.yaml' && r.launch);
    expect(launched?.extraction?.plan.worldSize).toMatchObject({ value: 4, origin: 'launcher' });
    expect(launched?.extraction?.plan.globalBatchSize?.value).toBe(32);
  });
});

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const describeIfWave2 = sharedDescribe(path.join(WAVE2, 'modelscope__ms-swift'));

describeIfWave2('ms-swift corpus sweep (../shared/corpus-wave2/modelscope__ms-swift)', () => {
  /** Per folder: the expected dialect of the training configs (null: not a training config). */
  const EXPECTED: [RegExp, string | null][] = [
    [/\/train\/multi-gpu\/.*\.json$/, null], // FSDP configs
    [/\/train\/multi-node\/accelerate\//, null], // an accelerate config
    [/./, 'ms-swift'],
  ];
  test('≥ 95% of the training configs are ms-swift; FSDP and accelerate configs get none', () => {
    const files = listConfigs(path.join(WAVE2, 'modelscope__ms-swift'));
    let right = 0;
    let training = 0;
    for (const f of files) {
      const want = EXPECTED.find(([re]) => re.test(f))![1];
      const got = detectDialect(parseSource(f, readFileSync(f, 'utf8')), NO_ENV)?.meta.id ?? null;
      if (want === null) expect([f, got]).toEqual([f, null]);
      else {
        training++;
        if (got === want) right++;
      }
    }
    expect(training).toBeGreaterThan(10);
    expect(right / training).toBeGreaterThanOrEqual(0.95);
  });
});

const describeIfFacts = sharedDescribe(path.join(WAVE2, 'FACTS-ms-swift.md'));

describeIfFacts('ms-swift FACTS rows (../shared/corpus-wave2/FACTS-ms-swift.md)', () => {
  test('each recorded swift/megatron command, rebuilt as a script, is detected and its batch read', () => {
    const facts = readFileSync(path.join(WAVE2, 'FACTS-ms-swift.md'), 'utf8');
    const rows = facts.split('\n').filter((l) => /^\| examples\//.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.length).toBeGreaterThan(250);
    let detected = 0;
    let commands = 0;
    for (const [, source, command, env, flags] of rows) {
      const cli = /`((?:swift|megatron) (?:sft|pt|rlhf))`/.exec(command)?.[1];
      if (!cli) continue;
      commands++;
      const nproc = /^(\d+)/.exec(env)?.[1];
      const pairs = [...flags.matchAll(/`(\w+)`=([^,]+?)(?=, `|$)/g)].map((m) => [m[1], m[2].trim()] as const);
      const args = pairs.map(([k, v]) => `--${k} ${/\s|\$\(/.test(v) ? `'${v}'` : v}`).join(' ');
      const file = parseSource(source.replace(/:\d+$/, ''), `${nproc ? `NPROC_PER_NODE=${nproc} ` : ''}${cli} --model m ${args}\n`);
      if (detectDialect(file, NO_ENV)?.meta.id !== 'ms-swift') continue;
      detected++;
      const e = msSwift.extract(file, NO_ENV);
      const micro = pairs.find(([k]) => k === 'micro_batch_size' || k === 'per_device_train_batch_size');
      if (micro && /^\d+$/.test(micro[1])) expect(e.plan.microBatchSize?.value).toBe(Number(micro[1]));
    }
    expect(commands).toBeGreaterThan(200);
    expect(detected).toBe(commands);
  });
});
