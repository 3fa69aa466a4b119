/**
 * OpenRLHF: launch scripts in both flag generations (written here in the shapes of
 * ../shared/corpus-wave2/FACTS-OpenRLHF.md: `ray job submit … --`, `read -r -d '' … <<EOF` +
 * `deepspeed --module $training_commands`, variables, `$((a*b))`, `"$@"`), the RL batch units, the
 * start-up assertions of train_ppo_ray.py and the DeepSpeed batch identity.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openrlhf } from '../../src/dialects/openrlhf';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { fixtureLoader } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';

const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };
const fixture = fixtureLoader('openrlhf');
const extract = (name: string): Extraction => openrlhf.extract(fixture(name), NO_ENV);
const kinds = (e: Extraction) => (e.batchChecks ?? []).map((c) => c.kind);

/** A dotted-flag PPO command with one changed line at a time. */
const ppo = (...lines: string[]) => {
  const base = [
    '--actor.num_nodes 1',
    '--actor.num_gpus_per_node 8',
    '--ref.num_nodes 1',
    '--ref.num_gpus_per_node 8',
    '--vllm.num_engines 4',
    '--vllm.tensor_parallel_size 2',
    '--train.colocate_all',
    '--algo.advantage.estimator group_norm',
    '--rollout.batch_size 128',
    '--rollout.n_samples_per_prompt 8',
    '--rollout.micro_batch_size 16',
    '--train.batch_size 128',
    '--train.micro_batch_size 8',
    '--actor.adam.lr 5e-7',
  ];
  const keys = lines.map((l) => l.split(' ')[0]);
  const all = [...base.filter((l) => !keys.includes(l.split(' ')[0])), ...lines.filter((l) => !l.endsWith(' -'))];
  return openrlhf.extract(parseSource('train.sh', `python3 -m openrlhf.cli.train_ppo_ray \\\n${all.map((l) => `  ${l} \\`).join('\n')}\n  --data.max_samples 10000\n`), NO_ENV);
};

describe('openrlhf detection', () => {
  test.each([['train_ppo_ray_hybrid_engine.sh'], ['train_reinforce_baseline_flat.sh'], ['train_sft_llama.sh'], ['train_dpo_dotted.sh']])('%s is openrlhf', (name) => {
    expect(detectDialect(fixture(name), NO_ENV)?.meta.id).toBe('openrlhf');
  });
  test('TRL and HF command lines, and OpenRLHF serving scripts, are not openrlhf', () => {
    expect(openrlhf.detect(parseSource('a.sh', 'accelerate launch train.py --learning_rate 1e-5 --per_device_train_batch_size 4\n'), NO_ENV)).toBe(0);
    expect(openrlhf.detect(parseSource('b.sh', 'python -m openrlhf.cli.serve_rm --reward_pretrain x --port 5000 --bf16 --batch_size 16\n'), NO_ENV)).toBe(0);
  });
});

describe('openrlhf: RL batch units in both flag generations', () => {
  test('dotted flags behind ray job submit: prompts, responses, optimizer steps per rollout step', () => {
    const e = extract('train_ppo_ray_hybrid_engine.sh');
    expect(kinds(e)).toEqual([]);
    expect(e.configErrors ?? []).toEqual([]);
    const p = e.plan;
    expect(p.worldSize).toMatchObject({ value: 8, unit: 'GPUs' });
    expect(p.promptsPerRolloutStep).toMatchObject({ value: 1024, unit: 'prompts', key: '--rollout.batch_size', range: { line: 28, column: 4 } });
    expect(p.samplesPerPrompt).toMatchObject({ value: 1 });
    expect(p.globalBatchSize).toMatchObject({ value: 128, unit: 'responses', key: '--train.batch_size' });
    expect(p.optimizerStepsPerRolloutStep?.value).toBe(8);
    expect(p.gradAccumSteps?.value).toBe(2); // 128 / (8 × 8 actor ranks)
    expect(p.schedulerTick?.value).toBe('optimizer-step');
    expect(p.peakLr).toMatchObject({ value: 5e-7, key: '--actor.adam.lr' });
    expect(p.minLr?.value).toBeCloseTo(5e-8);
    // 100000 prompts × 1 // 128 optimizer steps, at most (--data.max_samples caps the prompts).
    expect(p.totalSteps).toMatchObject({ value: 781, bound: 'upper' });
    expect(p.warmupSteps?.value).toBe(24);
    // --ckpt.save_steps counts rollout steps: 20 × 8 optimizer steps.
    expect(p.saveEverySteps).toMatchObject({ value: 160, writtenAs: { unit: 'rollout steps', value: 20 } });
  });

  test('flat flags with variables, $((…)) and "$@": one optimizer step per rollout step', () => {
    const e = extract('train_reinforce_baseline_flat.sh');
    expect(kinds(e)).toEqual([]);
    expect(e.plan.globalBatchSize).toMatchObject({ value: 1024, key: '--train_batch_size', note: 'from $TRAIN_BS' });
    expect(e.plan.promptsPerRolloutStep?.value).toBe(128);
    expect(e.plan.samplesPerPrompt?.value).toBe(8);
    expect(e.plan.optimizerStepsPerRolloutStep?.value).toBe(1);
    expect(e.plan.minLr?.how).toMatch(/hard-coded/);
    expect(e.overridable?.range.line).toBe(41);
    expect(e.notes.join('\n')).toMatch(/flat flags/);
  });

  test('read -r -d \'\' heredoc + deepspeed --module: the SFT command, each flag at its line in the heredoc', () => {
    const e = extract('train_sft_llama.sh');
    expect(e.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    expect(e.plan.globalBatchSize).toMatchObject({ value: 256, range: { line: 9, column: 4 } });
    expect(e.plan.microBatchSize?.value).toBe(2);
    expect(e.plan.gradAccumSteps?.value).toBe(16);
    expect(e.plan.peakLr).toMatchObject({ value: 5e-6, range: { line: 21 } });
    expect(kinds(e)).toEqual([]);
  });

  test('the DeepSpeed batch identity OpenRLHF feeds: 256 on 6 GPUs with micro 1 does not divide', () => {
    const e = extract('train_dpo_dotted.sh');
    expect(kinds(e)).toEqual(['deepspeed-batch-identity']);
    expect(e.batchChecks![0].message).toContain('train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * world_size 256 != 1 * 42 * 6');
    expect(e.batchChecks![0].range.line).toBe(9);
  });
});

describe("openrlhf: train_ppo_ray.py's start-up assertions, in OpenRLHF's words", () => {
  test('the valid command passes', () => {
    const e = ppo();
    expect(kinds(e)).toEqual([]);
    expect(e.configErrors ?? []).toEqual([]);
  });
  test('sample batches below the actor processes', () => {
    const e = ppo('--rollout.batch_size 4', '--rollout.n_samples_per_prompt 2', '--train.batch_size 8', '--train.micro_batch_size 1');
    expect(kinds(e)).toContain('sample-batches-below-actor-processes');
    expect(e.batchChecks!.find((c) => c.kind === 'sample-batches-below-actor-processes')!.message).toContain('"The number of sample batches must be greater than or equal to the effective number of actor processes."');
  });
  test('an estimator that needs n > 1', () => {
    const e = ppo('--rollout.n_samples_per_prompt 1', '--train.batch_size 64');
    expect(e.configErrors!.map((c) => c.message).join('\n')).toContain('"group_norm requires n_samples_per_prompt > 1"');
  });
  test('colocated actor and reference of different sizes (with a KL coefficient)', () => {
    const e = ppo('--ref.num_gpus_per_node 4');
    expect(kinds(e)).toContain('colocated-actor-ref-differ');
    expect(ppo('--ref.num_gpus_per_node 4', '--algo.kl.init_coef 0').batchChecks ?? []).toEqual([]);
  });
  test('colocated vLLM engines that do not fill the actor GPUs', () => {
    const e = ppo('--vllm.num_engines 2');
    expect(kinds(e)).toEqual(['colocated-vllm-gpus']);
    expect(e.batchChecks![0].message).toContain('got 8 and 4');
    expect(ppo('--vllm.num_engines 2', '--train.async_enable').batchChecks ?? []).toEqual([]);
  });
  test('packing without vLLM, also when ring attention turns it on', () => {
    expect(ppo('--vllm.num_engines 0', '--train.colocate_all -', '--ds.packing_samples').configErrors!.map((c) => c.message).join()).toContain('Only support `--packing_samples` with vLLM.');
    expect(ppo('--vllm.num_engines 0', '--train.colocate_all -', '--ds.ring_attn_size 2').configErrors!.map((c) => c.message).join()).toContain('which turns packing on');
  });
  test('a generation batch above the rollout batch needs async (dotted generation)', () => {
    const e = ppo('--rollout.vllm_generate_batch_size 256');
    expect(e.configErrors!.map((c) => c.message).join()).toContain('requires --train.async_enable');
  });
  test('async with vLLM sleep is a conflict; sleep without colocate_all is ignored', () => {
    expect(ppo('--train.async_enable', '--vllm.enable_sleep').conflicts!.map((c) => c.kind)).toEqual(['async-with-vllm-sleep']);
    const ignored = ppo('--train.colocate_all -', '--vllm.enable_sleep', '--vllm.num_engines 4').ignored ?? [];
    expect(ignored.map((i) => i.key)).toContain('--vllm.enable_sleep');
  });
  test('a critic LR with an estimator that trains no critic is ignored', () => {
    expect((ppo('--critic.adam.lr 9e-6').ignored ?? []).map((i) => i.key)).toEqual(['--critic.adam.lr']);
  });
  test('the removed checks of old versions are not applied (actor world not a power of 2, rollout batch not divisible by it)', () => {
    const e = ppo('--actor.num_gpus_per_node 6', '--ref.num_gpus_per_node 6', '--vllm.num_engines 3', '--rollout.batch_size 100', '--train.batch_size 96', '--train.micro_batch_size 2');
    expect(kinds(e)).toEqual([]);
  });
});

describe('openrlhf: flags of both generations in one command', () => {
  test("argparse of either version refuses the other's flags: a schema error in its words, not a silently dropped value", () => {
    const e = openrlhf.extract(
      parseSource('mixed.sh', 'python3 -m openrlhf.cli.train_ppo_ray \\\n   --actor.num_nodes 1 \\\n   --actor.num_gpus_per_node 8 \\\n   --train_batch_size 128 \\\n   --micro_train_batch_size 4 \\\n   --rollout.batch_size 512\n'),
      NO_ENV,
    );
    expect(e.configErrors?.map((c) => c.message)).toEqual([
      '--train_batch_size, --micro_train_batch_size are ≤ v0.9 flags among ≥ v0.10 dotted ones (--actor.num_nodes…): OpenRLHF ≥ v0.10 has no such flag and its argparse stops the run ("error: unrecognized arguments: --train_batch_size 128 --micro_train_batch_size 4"), as v0.9 does for the dotted ones; write the dotted names (--train_batch_size → --train.batch_size, --micro_train_batch_size → --train.micro_batch_size)',
    ]);
    expect(e.configErrors?.[0].range).toMatchObject({ line: 4, column: 4 });
    // One generation only: nothing.
    expect(ppo().configErrors ?? []).toEqual([]);
    expect(extract('train_reinforce_baseline_flat.sh').configErrors ?? []).toEqual([]);
  });
});

describe('openrlhf: nothing in a script is executed', () => {
  test('a command substitution in a heredoc and in a flag value is never run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-openrlhf-'));
    const marker = path.join(dir, 'MARKER');
    try {
      const text = `read -r -d '' cmd <<EOF\nopenrlhf.cli.train_sft --train_batch_size $(touch ${marker}) --micro_train_batch_size 2\nEOF\ndeepspeed --module $cmd\npython3 -m openrlhf.cli.train_ppo_ray --train_batch_size \`touch ${marker}\`\n`;
      const file = parseSource('x.sh', text);
      openrlhf.extract(file, NO_ENV);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const describeIfFacts = sharedDescribe(path.join(WAVE2, 'FACTS-OpenRLHF.md'));

/** The module of an OpenRLHF example script, from its name. */
function moduleOf(source: string): string | undefined {
  const name = path.basename(source).replace(/\.sh:\d+$/, '');
  if (/serve/.test(name)) return undefined;
  if (/ppo|reinforce|grpo|dapo|prorl|vlm_math/.test(name)) return 'openrlhf.cli.train_ppo_ray';
  if (/kto/.test(name)) return 'openrlhf.cli.train_kto';
  if (/prm/.test(name)) return 'openrlhf.cli.train_prm';
  if (/dpo/.test(name)) return 'openrlhf.cli.train_dpo';
  if (/_rm/.test(name)) return 'openrlhf.cli.train_rm';
  if (/distillation/.test(name)) return 'openrlhf.cli.train_kd';
  return 'openrlhf.cli.train_sft';
}

describeIfFacts('openrlhf FACTS rows (../shared/corpus-wave2/FACTS-OpenRLHF.md)', () => {
  test('each recorded command, rebuilt as a script, is detected and its batch read, in its flag generation', () => {
    const facts = readFileSync(path.join(WAVE2, 'FACTS-OpenRLHF.md'), 'utf8');
    const rows = facts.split('\n').filter((l) => /^\| examples\//.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.length).toBeGreaterThan(30);
    let checked = 0;
    for (const [, source, flags] of rows) {
      const module = moduleOf(source);
      const pairs = [...flags.matchAll(/`([\w.]+)`=([^,]+?)(?=, `|$)/g)].map((m) => [m[1], m[2].trim()] as const);
      if (!module || pairs.length === 0) continue;
      const args = pairs.map(([k, v]) => (v === '✓' ? `--${k}` : `--${k} ${v}`)).join(' ');
      const launch = module.endsWith('train_ppo_ray') ? `python3 -m ${module}` : `deepspeed --num_gpus 8 --module ${module}`;
      const file = parseSource(source.replace(/:\d+$/, ''), `${launch} ${args}\n`);
      expect(detectDialect(file, NO_ENV)?.meta.id).toBe('openrlhf');
      const e = openrlhf.extract(file, NO_ENV);
      const dotted = pairs.some(([k]) => k.includes('.'));
      expect(e.notes.join()).toContain(dotted ? 'dotted flags' : 'flat flags');
      const train = pairs.find(([k]) => k === 'train.batch_size' || k === 'train_batch_size');
      if (train) {
        expect(e.plan.globalBatchSize?.value).toBe(Number(train[1]));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});
