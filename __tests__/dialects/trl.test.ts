/**
 * TRL GRPO/DPO configs on the Hugging Face Trainer dialect (open-r1-style recipes read by TrlParser):
 * the RL units, GRPOConfig's defaults, the start-up assertions in TRL's words, and the batch rule of
 * the TRL version the repository pins (requirements.txt, pyproject.toml, setup.py).
 */
import { hfTrainer } from '../../src/dialects/hf-trainer';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { lint } from '../../src/engine/lint';
import { findPin, overlaps, parseVersionRange } from '../../src/engine/package-pins';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixtureLoader, fixturesDir, listConfigs } from '../helpers/dialect-fixtures';
import { SHARED, sharedTest } from '../helpers/shared';
import { launchedConfig, scriptLaunches } from '../../src/engine/script-links';

const fixture = fixtureLoader('hf-trainer');
const env = (worldSize?: number, spec?: string): ExtractEnv => ({
  assume: worldSize ? { worldSize } : {},
  mappings: {},
  ...(spec ? { packagePin: () => ({ name: 'trl', spec, file: 'requirements.txt', line: 1 }) } : {}),
});
const grpo = (body: string, world?: number, spec?: string): Extraction => hfTrainer.extract(parseSource('grpo.yaml', `model_name_or_path: m\nuse_vllm: true\n${body}`), env(world, spec));
const kinds = (e: Extraction) => (e.batchChecks ?? []).map((c) => c.kind);

describe('TRL configs stay on the Hugging Face dialect', () => {
  test.each([['trl/unpinned/grpo.yaml'], ['trl/unpinned/dpo.yaml'], ['trl/pinned-0.16/grpo.yaml'], ['trl/pinned-range/grpo.yaml']])('%s is hf-trainer', (name) => {
    expect(detectDialect(fixture(name), env())?.meta.id).toBe('hf-trainer');
  });
});

describe('GRPO units and defaults', () => {
  test('completions per device, generations per prompt, prompts per generation batch', () => {
    const e = hfTrainer.extract(fixture('trl/unpinned/grpo.yaml'), env(8));
    const p = e.plan;
    expect(p.microBatchSize).toMatchObject({ value: 16, unit: 'completions' });
    expect(p.samplesPerPrompt).toMatchObject({ value: 16 });
    expect(p.globalBatchSize).toMatchObject({ value: 512, unit: 'completions' });
    expect(p.promptsPerRolloutStep?.value).toBe(32); // 16 × 8 × 4 / 16
    expect(p.optimizerStepsPerRolloutStep?.value).toBe(1);
    expect(p.schedulerTick?.value).toBe('optimizer-step');
    expect(kinds(e)).toEqual([]);
    expect(e.notes.join('\n')).toContain('TRL < 0.17 additionally required');
  });
  test("GRPOConfig's learning_rate default is 1e-6, DPOConfig's too", () => {
    expect(grpo('num_generations: 8\n').plan.peakLr).toMatchObject({ value: 1e-6, origin: 'default' });
    expect(hfTrainer.extract(fixture('trl/unpinned/dpo.yaml'), env()).plan.peakLr).toMatchObject({ value: 1e-6, origin: 'default' });
  });
  test('one epoch counts every prompt num_generations times', () => {
    const e = grpo('num_generations: 8\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 2\nnum_train_epochs: 1\n', 4);
    const withRows = hfTrainer.extract(parseSource('g.yaml', 'model_name_or_path: m\nuse_vllm: true\nnum_generations: 8\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 2\nnum_train_epochs: 1\n'), { assume: { worldSize: 4, datasetSamples: 1000 }, mappings: {} });
    expect(e.plan.totalSteps).toBeUndefined();
    // 1000 prompts / 8 per generation batch (64 completions / 8) = 125 generation batches, one optimizer step each.
    expect(withRows.plan.stepsPerEpoch?.value).toBe(125);
    expect(withRows.plan.totalSteps?.value).toBe(125);
  });
});

describe("GRPO start-up assertions, in TRL's words (current rule, TRL ≥ 0.20)", () => {
  test('the generation batch must be divisible by num_generations', () => {
    const e = grpo('num_generations: 7\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 1\n', 8);
    expect(kinds(e)).toEqual(['grpo-generation-batch-not-divisible-by-generations']);
    expect(e.batchChecks![0].message).toContain('"generation_batch_size (32) must be divisible by num_generations (7)."');
  });
  test('a written generation batch: against num_generations without the world size, and against the global batch with it', () => {
    expect(kinds(grpo('num_generations: 8\ngeneration_batch_size: 60\n'))).toEqual(['grpo-generation-batch-not-divisible-by-generations']);
    const e = grpo('num_generations: 4\nper_device_train_batch_size: 8\ngeneration_batch_size: 96\n', 8);
    expect(kinds(e)).toEqual(['grpo-generation-batch-not-divisible-by-global']);
    expect(e.batchChecks![0].message).toContain('"generation_batch_size (96) must be divisible by the global batch size (64)."');
  });
  test('generation_batch_size and steps_per_generation together; fewer than 2 generations; auto_find_batch_size', () => {
    expect(grpo('num_generations: 4\ngeneration_batch_size: 64\nsteps_per_generation: 2\n').conflicts!.map((c) => c.message).join()).toContain("\"'generation_batch_size' and 'steps_per_generation' can not be both configured at the same time\"");
    expect(grpo('num_generations: 1\n').configErrors![0].message).toContain('"GRPO requires at least 2 generations per prompt to calculate the advantages. You provided 1, which is less than the minimum required."');
    expect(grpo('num_generations: 4\nauto_find_batch_size: true\n').configErrors![0].message).toContain('auto_find_batch_size is not supported by GRPO');
  });
  test('the eval batch, when evaluating', () => {
    const e = grpo('num_generations: 8\nper_device_train_batch_size: 8\nper_device_eval_batch_size: 3\neval_strategy: steps\n', 2);
    expect(kinds(e)).toEqual(['grpo-eval-batch-not-divisible']);
    expect(e.batchChecks![0].message).toContain('"The global eval batch size (3 * 2) must be divisible by the number of generations used for evaluation (8)."');
    expect(kinds(grpo('num_generations: 8\nper_device_train_batch_size: 8\nper_device_eval_batch_size: 3\n', 2))).toEqual([]);
  });
});

describe('the GRPO batch rule of the pinned TRL version', () => {
  test('TRL 0.15–0.16: processes × per-device, without accumulation', () => {
    const e = grpo('num_generations: 7\nper_device_train_batch_size: 16\ngradient_accumulation_steps: 4\n', 8, '==0.16.1');
    expect(kinds(e)).toEqual(['grpo-global-batch-v0.15']);
    expect(e.batchChecks![0].message).toContain('"The global train batch size (8 x 16) must be evenly divisible by the number of generations per prompt (7)."');
    expect(e.notes.join()).toContain('trl==0.16.1');
  });
  test('TRL 0.17: with gradient accumulation', () => {
    const e = grpo('num_generations: 5\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 3\n', 2, '~=0.17.0');
    expect(kinds(e)).toEqual(['grpo-global-batch-v0.17']);
    expect(e.batchChecks![0].message).toContain('"The effective train batch size (2 x 4 x 3) must be evenly divisible by the number of generations per prompt (5).');
  });
  test('TRL 0.18–0.19: per-device × processes × steps_per_generation', () => {
    const e = grpo('num_generations: 12\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 2\n', 8, '>=0.18,<0.20');
    expect(kinds(e)).toEqual(['grpo-global-batch-v0.18']);
    expect(e.batchChecks![0].message).toContain('"The effective train batch size (8 x 8 x 2) must be evenly divisible by the number of generations per prompt (12).", TRL 0.18–0.19');
  });
  test('a pin that spans rules reports only what fails under all of them', () => {
    // 8 processes × 4 = 32 (0.15 rule), × GA 2 = 64 (0.17 rule, and the generation batch since 0.18): none divides by 6.
    const all = grpo('num_generations: 6\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 2\n', 8, '>=0.15');
    expect(kinds(all)).toEqual(['grpo-generation-batch-not-divisible-by-generations']);
    expect(all.notes.join()).toContain('a batch check is reported only when it fails under all of them');
    // 8 × 4 = 32 passes 0.15 with 8 generations, 64 passes the later rules: the range reports nothing.
    // 8 × 3 = 24 passes the 0.15 rule; 24 × 2 = 48 passes 0.17; generation batch 48 passes the current rule.
    expect(kinds(grpo('num_generations: 8\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 2\n', 8, '>=0.15'))).toEqual([]);
    // 8 × 3 = 24 passes the 0.15 rule with 6 generations, 48 passes the others: nothing either.
    expect(kinds(grpo('num_generations: 6\nper_device_train_batch_size: 3\ngradient_accumulation_steps: 2\n', 8, '>=0.15'))).toEqual([]);
    // 8 × 2 = 16 fails the 0.15 rule with 6 generations, but 16 × 3 = 48 passes the later ones: not reported.
    expect(kinds(grpo('num_generations: 6\nper_device_train_batch_size: 2\ngradient_accumulation_steps: 3\n', 8, '>=0.15'))).toEqual([]);
    expect(kinds(grpo('num_generations: 6\nper_device_train_batch_size: 2\ngradient_accumulation_steps: 3\n', 8, '==0.16.0'))).toEqual(['grpo-global-batch-v0.15']);
  });
  test('through the engine: the pin is read from the repository (requirements.txt, pyproject.toml)', async () => {
    const r016 = await lint({ root: fixturesDir('hf-trainer/trl/pinned-0.16'), paths: ['grpo.yaml'], config: { assume: { worldSize: 8 } }, repoScripts: false });
    const f = r016.results[0].findings.find((x) => x.ruleId === 'batch-size-mismatch');
    expect(f?.message).toContain('TRL 0.15–0.16');
    expect(r016.results[0].extraction?.notes.join()).toContain('trl==0.16.1 (requirements.txt:3)');
    const range = await lint({ root: fixturesDir('hf-trainer/trl/pinned-range'), paths: ['grpo.yaml'], config: { assume: { worldSize: 8 } }, repoScripts: false });
    expect(range.results[0].extraction?.notes.join()).toContain('trl>=0.18,<0.20 (pyproject.toml:6)');
    expect(range.results[0].findings.map((x) => x.ruleId)).toContain('batch-size-mismatch');
  });
});

describe('package pins, read statically', () => {
  test('requirements, pyproject (PEP 621 and Poetry), setup.py', () => {
    expect(findPin('requirements.txt', 'torch\ntrl[vllm]==0.16.1  # rl\n', 'trl')).toEqual({ spec: '==0.16.1', line: 2 });
    expect(findPin('requirements.txt', 'trl-extras==1.0\n', 'trl')).toBeUndefined();
    expect(findPin('pyproject.toml', 'dependencies = ["trl>=0.18,<0.20", "torch"]\n', 'trl')).toEqual({ spec: '>=0.18,<0.20', line: 1 });
    expect(findPin('pyproject.toml', '[tool.poetry.dependencies]\ntrl = "^0.17"\n', 'trl')).toEqual({ spec: '^0.17', line: 2 });
    expect(findPin('setup.py', "install_requires=['transformers>=4.46', 'trl==0.19.1']\n", 'trl')).toEqual({ spec: '==0.19.1', line: 1 });
  });
  test('version ranges', () => {
    expect(parseVersionRange('==0.16.1')).toEqual({ lo: [0, 16, 1], hi: [0, 16, 2] });
    expect(parseVersionRange('>=0.17,<0.18')).toEqual({ lo: [0, 17], hi: [0, 18] });
    expect(parseVersionRange('~=0.18.0')).toEqual({ lo: [0, 18, 0], hi: [0, 19] });
    expect(parseVersionRange('^0.17')).toEqual({ lo: [0, 17], hi: [0, 18] });
    expect(parseVersionRange('==0.19.*')).toEqual({ lo: [0, 19], hi: [0, 20] });
    expect(overlaps(parseVersionRange('>=0.18,<0.20')!, [0, 20])).toBe(false);
    expect(overlaps(parseVersionRange('>=0.18,<0.20')!, [0, 18], [0, 20])).toBe(true);
    expect(parseVersionRange('not a version')).toBeUndefined();
  });
});

const WAVE2 = path.join(SHARED, 'corpus-wave2');

describe('TRL and open-r1 corpus sweep (../shared/corpus-wave2/huggingface__trl, huggingface__open-r1)', () => {
  /** Per repository: the training configs stay on hf-trainer; accelerate configs get no dialect. */
  const FOLDERS: [string, RegExp][] = [
    ['huggingface__trl', /\/accelerate_configs\//],
    ['huggingface__open-r1', /\/accelerate_configs\//],
  ];
  for (const [folder, negative] of FOLDERS) {
    sharedTest(path.join(WAVE2, folder))(`${folder}: ≥ 95% of the training configs are hf-trainer (GRPO recipes included), accelerate configs none`, () => {
      const files = listConfigs(path.join(WAVE2, folder));
      let training = 0;
      let right = 0;
      let grpo = 0;
      for (const f of files) {
        const file = parseSource(f, readFileSync(f, 'utf8'));
        const got = detectDialect(file, env())?.meta.id ?? null;
        if (negative.test(f)) {
          expect([f, got]).toEqual([f, null]);
          continue;
        }
        training++;
        if (got === 'hf-trainer') right++;
        if (got === 'hf-trainer' && hfTrainer.extract(file, env(8)).plan.samplesPerPrompt) grpo++;
      }
      expect(training).toBeGreaterThan(0);
      expect(right / training).toBeGreaterThanOrEqual(0.95);
      if (folder === 'huggingface__open-r1') expect(grpo).toBeGreaterThanOrEqual(5);
    });
  }
});

describe('which parser types a Hugging Face YAML (TrlParser converts `1e-4`, HfArgumentParser.parse_yaml_file does not)', () => {
  const SFT_YAML = 'model_name_or_path: m\noutput_dir: out\nper_device_train_batch_size: 4\nlearning_rate: 2e-5\nnum_train_epochs: 1\n';
  const launched = (command: string, yaml = SFT_YAML) => {
    const sh = parseSource('scripts/train.sh', `${command}\n`, {}, 'shell');
    const [launch] = scriptLaunches(sh);
    return hfTrainer.extract(launchedConfig(parseSource('configs/sft.yaml', yaml), launch, hfTrainer), env()).yamlLoader;
  };

  test.each([
    ['trl sft --config configs/sft.yaml', 'pydantic', 'TrlParser', false],
    ['accelerate launch src/open_r1/sft.py --config configs/sft.yaml', 'pydantic', 'TrlParser', false],
    ['python -m trl.scripts.sft --config configs/sft.yaml', 'pydantic', 'TrlParser', false],
    ['torchrun --nproc_per_node 8 train.py --config configs/sft.yaml', 'pydantic', 'TrlParser', true],
    ['accelerate launch scripts/run_sft.py configs/sft.yaml', 'pyyaml', 'HfArgumentParser.parse_yaml_file', true],
  ])('%s: %s (%s)', (command, loader, parser, assumed) => {
    const got = launched(command);
    expect(got).toMatchObject({ loader, parser });
    expect(got?.assumed !== undefined).toBe(assumed);
  });

  test('no launch: a TRL config is assumed to be TrlParser\'s, any other HF YAML parse_yaml_file\'s, and the assumption is said', () => {
    const alone = (yaml: string) => hfTrainer.extract(parseSource('sft.yaml', yaml), env()).yamlLoader;
    expect(alone(SFT_YAML)).toMatchObject({ loader: 'pyyaml', assumed: expect.stringMatching(/no launch script names this config/) });
    expect(alone(`${SFT_YAML}packing: true\n`)).toMatchObject({ loader: 'pydantic', parser: 'TrlParser', assumed: expect.stringMatching(/a TRL config \(packing\)/) });
    expect(alone(`${SFT_YAML}num_generations: 8\n`)).toMatchObject({ loader: 'pydantic', assumed: expect.stringMatching(/a TRL GRPO config/) });
  });

  test('the plan reads the value as the parser gives it: no "string" note under TrlParser', () => {
    const sh = parseSource('scripts/train.sh', 'trl sft --config configs/sft.yaml\n', {}, 'shell');
    const config = parseSource('configs/sft.yaml', SFT_YAML);
    const trl = hfTrainer.extract(launchedConfig(config, scriptLaunches(sh)[0], hfTrainer), env()).plan.peakLr;
    expect(trl).toMatchObject({ value: 2e-5 });
    expect(trl?.note).toBeUndefined();
    expect(hfTrainer.extract(config, env()).plan.peakLr?.note).toMatch(/as the string "2e-5"/);
  });
});

describe('SFTConfig default learning rate, by TRL version', () => {
  const sft = (body: string, spec?: string): Extraction =>
    hfTrainer.extract(parseSource('sft.yaml', `model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_name: trl-lib/Capybara\ndataset_text_field: text\npacking: true\nmax_length: 1024\nper_device_train_batch_size: 8\nnum_train_epochs: 1\noutput_dir: out\n${body}`), env(undefined, spec));

  test('TRL ≥ 0.12: 2e-5 (SFTConfig), not the Trainer\'s 5e-5', () => {
    expect(sft('', '>=0.19').plan.peakLr).toMatchObject({ value: 2e-5, origin: 'default', note: expect.stringContaining('SFTConfig default since TRL 0.12 (trl>=0.19 (requirements.txt:1)') });
  });

  test('an older pin keeps the Trainer\'s 5e-5; a range over both says so', () => {
    expect(sft('', '==0.11.4').plan.peakLr).toMatchObject({ value: 5e-5, note: expect.stringContaining('older than TRL 0.12') });
    expect(sft('', '>=0.9').plan.peakLr).toMatchObject({ value: 2e-5, note: expect.stringContaining('also allows older TRL, where it is the Trainer\'s 5e-5') });
  });

  test('no pin: 2e-5, with the assumed range said', () => {
    expect(sft('').plan.peakLr).toMatchObject({ value: 2e-5, note: expect.stringMatching(/TRL ≥ 0\.12, assumed .*TRL < 0\.12 uses the Trainer's 5e-5/) });
  });

  test('a written learning_rate wins; a plain TrainingArguments file keeps 5e-5', () => {
    expect(sft('learning_rate: 1.0e-5\n').plan.peakLr).toMatchObject({ value: 1e-5, origin: 'explicit' });
    const plain = hfTrainer.extract(parseSource('train.yaml', 'model_name_or_path: m\nper_device_train_batch_size: 8\nnum_train_epochs: 1\noutput_dir: out\n'), env());
    expect(plain.plan.peakLr).toMatchObject({ value: 5e-5, origin: 'default' });
  });
});

describe('GRPO before TRL 0.15: per_device_train_batch_size counts prompts', () => {
  test('the plan says prompts per device and gives the global batch in completions (prompts × num_generations)', () => {
    const e = grpo('per_device_train_batch_size: 3\ngradient_accumulation_steps: 1\nnum_generations: 8\n', 2, '==0.14.0');
    expect(e.plan.microBatchSize).toMatchObject({ value: 3, unit: 'prompts' });
    expect(e.plan.microBatchSize?.note).not.toContain('TRL ≥ 0.15');
    expect(e.plan.globalBatchSize).toMatchObject({ value: 48, unit: 'completions' });
    expect(kinds(e)).toEqual([]);
  });
  test('from 0.15 the same file counts completions', () => {
    const e = grpo('per_device_train_batch_size: 4\ngradient_accumulation_steps: 1\nnum_generations: 8\n', 2, '==0.15.2');
    expect(e.plan.microBatchSize).toMatchObject({ value: 4, unit: 'completions' });
    expect(e.plan.globalBatchSize).toMatchObject({ value: 8, unit: 'completions' });
  });
});
