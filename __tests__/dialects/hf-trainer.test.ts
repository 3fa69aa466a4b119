import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { hfTrainer, extractHfTrainingArguments } from '../../src/dialects/hf-trainer';
import { llamaFactory } from '../../src/dialects/llama-factory';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import schema from '../../schemas/dialects/hf-trainer.schema.json';
import { CORPUS, fixtureLoader, listConfigs, sharedTest } from '../helpers/dialect-fixtures';

const HANDBOOK = path.join(CORPUS, 'huggingface__alignment-handbook');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('hf-trainer');

function yaml(text: string, name = 'config.yaml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return hfTrainer.extract(file, { assume, mappings: {} });
}


describe('hf-trainer: golden plans of alignment-handbook recipes', () => {
  test('zephyr-7b-beta/sft/config_full: SFTConfig with the pre-0.16 max_seq_length', () => {
    const file = fixture('zephyr-7b-beta-sft-config_full.yaml');
    expect(hfTrainer.detect(file, NO_ENV)).toBe(7);
    // Illustrative assumptions: 16 GPUs and 207,865 training rows.
    const { plan, missing, notes } = extract(file, { worldSize: 16, datasetSamples: 207865 });
    expect(plan.microBatchSize).toMatchObject({ value: 16, origin: 'explicit', key: 'per_device_train_batch_size', file: 'zephyr-7b-beta-sft-config_full.yaml' });
    expect(plan.microBatchSize?.range?.line).toBe(25);
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'explicit' });
    expect(plan.peakLr).toMatchObject({ value: 2e-5, origin: 'explicit', key: 'learning_rate' });
    expect(plan.peakLr?.note).toBeUndefined(); // written `2.0e-05`, a float for PyYAML
    expect(plan.seqLen).toMatchObject({ value: 2048, origin: 'explicit', key: 'max_seq_length', unit: 'tokens' });
    expect(plan.seqLen?.note).toMatch(/pre-0\.16 TRL name of max_length/);
    expect(plan.globalBatchSize).toMatchObject({ value: 256, how: '16 × 1 × 16 (micro × accumulation × world size)' });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 812, how: 'ceil(207865 / 256)' });
    // max_steps: -1 → epochs decide.
    expect(plan.totalSteps).toMatchObject({ value: 812, origin: 'derived', how: 'ceil(1 × ceil(207865 / 256))' });
    expect(plan.warmupRatio).toMatchObject({ value: 0.1, origin: 'explicit', key: 'warmup_ratio' });
    expect(plan.warmupSteps).toMatchObject({ value: 82, origin: 'derived', how: 'ceil(812 × 0.1)' });
    expect(plan.saveEverySteps).toMatchObject({ value: 100, origin: 'explicit', key: 'save_steps' });
    expect(plan.evalEverySteps).toBeUndefined(); // eval_strategy: epoch
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'explicit' });
    expect(plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit', key: 'bf16' });
    expect(missing).toEqual([]);
    expect(notes).toEqual([]);
  });

  test('zephyr-7b-beta/dpo/config_full: DPOConfig max_length, eval every 100 steps', () => {
    const file = fixture('zephyr-7b-beta-dpo-config_full.yaml');
    const { plan } = extract(file, { worldSize: 8, datasetSamples: 61135 });
    expect(plan.seqLen).toMatchObject({ value: 1024, origin: 'explicit', key: 'max_length', unit: 'tokens' });
    expect(plan.seqLen?.note).toBeUndefined();
    expect(plan.peakLr).toMatchObject({ value: 5e-7, origin: 'explicit' });
    expect(plan.optimizer).toMatchObject({ value: 'adamw_torch', origin: 'explicit', key: 'optim' });
    expect(plan.globalBatchSize).toMatchObject({ value: 128, how: '8 × 2 × 8 (micro × accumulation × world size)' });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 478, how: 'ceil(ceil(61135 / 64) / 2)' });
    expect(plan.totalSteps).toMatchObject({ value: 478, origin: 'derived' });
    expect(plan.warmupSteps).toMatchObject({ value: 48, how: 'ceil(478 × 0.1)' });
    expect(plan.evalEverySteps).toMatchObject({ value: 100, origin: 'explicit', key: 'eval_steps' });
    expect(plan.saveEverySteps).toMatchObject({ value: 100, origin: 'explicit' });
  });

  test('smollm3/sft/sft: cosine_with_min_lr with min_lr_rate, packing, epoch saves', () => {
    const { plan, notes } = extract(fixture('smollm3-sft.yaml'), { worldSize: 64, datasetSamples: 100000 });
    expect(plan.scheduler).toMatchObject({ value: 'cosine_with_min_lr', origin: 'explicit' });
    expect(plan.minLr?.value).toBeCloseTo(2e-6, 12);
    expect(plan.minLr).toMatchObject({ origin: 'derived', how: 'min_lr_rate 0.1 × learning_rate' });
    expect(plan.seqLen).toMatchObject({ value: 65536, key: 'max_length' });
    // "Config for 8 nodes with GBS 128": 64 GPUs × 1 × 2.
    expect(plan.globalBatchSize?.value).toBe(128);
    expect(plan.saveEverySteps).toBeUndefined(); // save_strategy: epoch
    expect(notes).toEqual([expect.stringMatching(/^packing: SFTTrainer packs samples into sequences of max_length tokens/)]);
  });
});

describe('hf-trainer: TRL keys and the shared extraction', () => {
  test('max_length wins over max_seq_length when both are set', () => {
    const { plan, notes } = extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\nmax_length: 4096\nmax_seq_length: 2048\n'));
    expect(plan.seqLen).toMatchObject({ value: 4096, key: 'max_length' });
    expect(notes.join('\n')).toMatch(/both set; TRL ≥ 0\.16 reads max_length/);
  });

  test('a key written as something that is not a number is unknown, not the default; null is the default', () => {
    const bad = extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\nlearning_rate: abc\nlr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs: {min_lr_rate: 0.1}\n'));
    expect(bad.plan.peakLr).toBeUndefined();
    // Nothing derived from a default the run does not use.
    expect(bad.plan.minLr).toBeUndefined();
    expect(bad.missing).toContainEqual({ field: 'peakLr', hint: 'learning_rate is written as `abc`, not a number the Trainer reads: write the number' });
    const tagged = extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\nlearning_rate: !include lr.yaml\ngradient_accumulation_steps: [2]\n'));
    expect(tagged.plan.peakLr).toBeUndefined();
    expect(tagged.plan.gradAccumSteps).toBeUndefined();
    expect(tagged.missing.map((m) => m.hint)).toEqual(
      expect.arrayContaining(['learning_rate is written as `!include lr.yaml`, not a number the Trainer reads: write the number', 'gradient_accumulation_steps is written as a list, not a number the Trainer reads: write the number']),
    );
    expect(extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\nlearning_rate: null\n')).plan.peakLr).toMatchObject({ value: 5e-5, origin: 'default' });
    expect(extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\nlearning_rate: "2e-5"\n')).plan.peakLr).toMatchObject({ value: 2e-5, origin: 'explicit' });
  });

  test('no TRL length key: seqLen unknown (no default: plain TrainingArguments has none)', () => {
    expect(extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\n')).plan.seqLen).toBeUndefined();
  });

  test('deepspeed: a .json path is left to the engine; an inline config is noted', () => {
    expect(extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\ndeepspeed: ds_z3.json\n')).notes).toEqual([]);
    const { notes } = extract(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 1\ndeepspeed:\n  zero_optimization: {stage: 3}\n'));
    expect(notes).toEqual([expect.stringMatching(/^the inline deepspeed config is not read/)]);
  });

  test('extractHfTrainingArguments: the loader decides the `1e-4` remark; hooks run in order', () => {
    const file = yaml('per_device_train_batch_size: 4\nlearning_rate: 1e-4\nnum_train_epochs: 1\n');
    expect(extractHfTrainingArguments(file, NO_ENV, 'pyyaml').plan.peakLr?.note).toMatch(/PyYAML/);
    expect(extractHfTrainingArguments(file, NO_ENV, 'omegaconf').plan.peakLr?.note).toBeUndefined();
    const order: string[] = [];
    const { plan } = extractHfTrainingArguments(file, { assume: { worldSize: 2, datasetSamples: 100 }, mappings: {} }, 'omegaconf', {
      readExtra: (p) => {
        order.push(`readExtra world=${p.worldSize?.value}`);
      },
      beforeDerive: (p) => {
        order.push(`beforeDerive world=${p.worldSize?.value}`);
        p.dataParallelSize = { value: 1, origin: 'derived', how: 'test' };
      },
    });
    expect(order).toEqual(['readExtra world=undefined', 'beforeDerive world=2']);
    // Steps per epoch follow the data-parallel size.
    expect(plan.stepsPerEpoch).toMatchObject({ value: 25, how: 'ceil(100 / 4)' });
  });
});

const sweep = sharedTest(HANDBOOK);

const BASE = `output_dir: out
per_device_train_batch_size: 8
learning_rate: 1.0e-4
max_steps: 300
`;

describe('hf-trainer: the scheduler and the start-up checks of TrainingArguments', () => {
  test('lr_scheduler_type constant: get_scheduler never reads the warmup, so the plan has none and the written key is ignored', () => {
    const { plan, ignored = [] } = extract(yaml(`${BASE}lr_scheduler_type: constant\nwarmup_steps: 400\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'derived', key: 'lr_scheduler_type', unit: 'steps' });
    expect(plan.warmupSteps?.note).toMatch(/no warmup: the LR is at its peak from step 0/);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatchObject({ key: 'warmup_steps', range: { line: 6 }, data: { warmup: 400, scheduler: 'constant', trainerSchedulerOnly: true } });
    expect(ignored[0].critical).toBeUndefined();
  });

  test('constant_with_warmup warms up; constant without a warmup keeps the default 0 and reports nothing', () => {
    const warm = extract(yaml(`${BASE}lr_scheduler_type: constant_with_warmup\nwarmup_steps: 400\n`));
    expect(warm.plan.warmupSteps).toMatchObject({ value: 400, origin: 'explicit', key: 'warmup_steps' });
    expect(warm.ignored ?? []).toEqual([]);
    const none = extract(yaml(`${BASE}lr_scheduler_type: constant\n`));
    expect(none.plan.warmupSteps).toMatchObject({ value: 0, origin: 'default', key: 'warmup_steps' });
    expect(none.ignored ?? []).toEqual([]);
  });

  test('a TRL config goes through the same get_scheduler: its warmup_ratio under constant is ignored too', () => {
    const { plan, ignored = [], conflicts = [] } = extract(yaml(`${BASE}dataset_text_field: text\npacking: false\nlr_scheduler_type: constant\nwarmup_ratio: 0.1\nwarmup_steps: 20\n`));
    expect(plan.warmupSteps?.value).toBe(0);
    expect(plan.warmupRatio).toBeUndefined();
    expect(ignored.map((i) => i.key)).toEqual(['warmup_steps', 'warmup_ratio']);
    // Neither is read, so their version-dependent precedence does not matter.
    expect(conflicts.map((c) => c.kind)).not.toContain('warmup-steps-and-ratio');
  });

  test('a warmup from warmup_ratio is placed on warmup_ratio and keeps the ratio as written (ceil(238 × 0.2) = 48)', () => {
    const { plan } = extract(yaml(`${BASE.replace('300', '238')}warmup_ratio: 0.2\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 48, origin: 'derived', how: 'ceil(238 × 0.2)', key: 'warmup_ratio', fractionOf: { fraction: 0.2, of: 'the run', ofSteps: 238 } });
    expect(plan.warmupSteps?.range?.line).toBe(5);
  });

  test('cosine_with_min_lr with both min_lr and min_lr_rate: the scheduler refuses to start', () => {
    const text = `${BASE}lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  min_lr: 1.0e-5\n  min_lr_rate: 0.1\n`;
    const { conflicts = [] } = extract(yaml(text));
    expect(conflicts.map((c) => [c.kind, c.range.line])).toEqual([['min-lr-and-rate', 8]]);
    expect(conflicts[0].message).toMatch(/\("Only one of min_lr or min_lr_rate should be set"\); keep one$/);
    // Only that scheduler takes them.
    expect(extract(yaml(text.replace('cosine_with_min_lr', 'cosine'))).conflicts ?? []).toEqual([]);
  });

  test('load_best_model_at_end: save_steps a round multiple of eval_steps, and the same save and eval strategies', () => {
    const best = `${BASE}eval_strategy: steps\neval_steps: 300\nload_best_model_at_end: true\n`;
    const bad = extract(yaml(`${best}save_steps: 500\n`)).conflicts ?? [];
    expect(bad.map((c) => [c.kind, c.range.line])).toEqual([['load-best-intervals', 8]]);
    expect(bad[0].message).toBe(
      'load_best_model_at_end needs save_steps 500 to be a round multiple of eval_steps 300: the Trainer refuses to start ' +
        '("--load_best_model_at_end requires the saving steps to be a round multiple of the evaluation steps"); set save_steps to a multiple of 300 (e.g. 600)',
    );
    // The default save_steps 500 counts: reported where eval_steps is written.
    expect((extract(yaml(best)).conflicts ?? []).map((c) => [c.kind, c.range.line])).toEqual([['load-best-intervals', 6]]);
    expect(extract(yaml(`${best}save_steps: 600\n`)).conflicts ?? []).toEqual([]);
    // A fraction with a step count cannot be guaranteed; two fractions are compared as fractions.
    expect((extract(yaml(`${best}save_steps: 0.25\n`)).conflicts ?? []).map((c) => c.kind)).toEqual(['load-best-intervals']);
    expect(extract(yaml(`${best.replace('eval_steps: 300', 'eval_steps: 0.05')}save_steps: 0.25\n`)).conflicts ?? []).toEqual([]);
    const strategies = extract(yaml(`${BASE}eval_strategy: epoch\nload_best_model_at_end: true\n`)).conflicts ?? [];
    expect(strategies.map((c) => [c.kind, c.range.line])).toEqual([['load-best-strategies', 6]]);
    expect(extract(yaml(`${BASE}eval_strategy: epoch\nsave_strategy: best\nload_best_model_at_end: true\n`)).conflicts ?? []).toEqual([]);
  });
});

describe('hf-trainer: corpus sweep', () => {
  sweep('claims the alignment-handbook recipes (not the accelerate configs); elsewhere only LLaMA-Factory files, where llama-factory wins; all pass the schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const invalid: string[] = [];
    const claimedElsewhere: string[] = [];
    let handbook = 0;
    let withSeq = 0;
    let withTotal = 0;
    for (const abs of listConfigs(CORPUS)) {
      const rel = path.relative(CORPUS, abs);
      const file = parseSource(rel, readFileSync(abs, 'utf8'));
      const score = hfTrainer.detect(file, NO_ENV);
      if (!rel.startsWith('huggingface__alignment-handbook/')) {
        if (score > 0) {
          if (rel.startsWith('hiyouga__LLaMA-Factory/')) expect(llamaFactory.detect(file, NO_ENV)).toBeGreaterThan(score);
          else claimedElsewhere.push(rel);
        }
        continue;
      }
      if (rel.includes('/accelerate_configs/')) {
        expect(score).toBe(0);
        continue;
      }
      expect(score).toBeGreaterThanOrEqual(5);
      handbook++;
      const { plan } = hfTrainer.extract(file, { assume: { worldSize: 8, datasetSamples: 10000 }, mappings: {} });
      if (plan.seqLen) withSeq++;
      if (plan.totalSteps) withTotal++;
      if (file.tree && !validate(toPlain(file.tree))) invalid.push(`${rel}: ${ajv.errorsText(validate.errors)}`);
    }
    console.log(`hf-trainer sweep: ${handbook} alignment-handbook recipes claimed; seqLen ${withSeq}, totalSteps ${withTotal} (assume worldSize 8, datasetSamples 10000)`);
    expect(claimedElsewhere).toEqual([]);
    expect(invalid).toEqual([]);
    expect(handbook).toBeGreaterThanOrEqual(24);
    expect(withTotal).toBe(handbook);
    expect(withSeq).toBeGreaterThanOrEqual(20);
  });
});

describe('hf-trainer: an interval above 1 that is not whole', () => {
  test('eval_steps 1.5 is refused at start-up (TrainingArguments.__post_init__); 0.1 is a fraction of the run, 500.0 is whole', () => {
    const errors = (text: string) => (hfTrainer.extract(parseSource('sft.yaml', text), { assume: {}, mappings: {} }).configErrors ?? []).map((e) => e.message);
    const base = 'output_dir: out\nper_device_train_batch_size: 8\nlearning_rate: 2.0e-5\nmax_steps: 1000\neval_strategy: steps\n';
    expect(errors(`${base}eval_steps: 1.5\n`)).toEqual(['eval_steps 1.5: the Trainer refuses to start ("--eval_steps must be an integer if bigger than 1: 1.5"); a value above 1 counts steps: write 2, or a fraction below 1 of the run']);
    expect(errors(`${base}eval_steps: 0.1\nsave_steps: 500.0\n`)).toEqual([]);
  });
});
