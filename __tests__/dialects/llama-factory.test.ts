import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { axolotl } from '../../src/dialects/axolotl';
import { hfTrainer } from '../../src/dialects/hf-trainer';
import { llamaFactory } from '../../src/dialects/llama-factory';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import schema from '../../schemas/dialects/llama-factory.schema.json';
import { CORPUS, fixtureLoader, listConfigs, sharedTest } from '../helpers/dialect-fixtures';

const OWN = path.join(CORPUS, 'hiyouga__LLaMA-Factory');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('llama-factory');

function yaml(text: string, name = 'train.yaml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return llamaFactory.extract(file, { assume, mappings: {} });
}


const MINIMAL = `
model_name_or_path: Qwen/Qwen3-4B-Instruct-2507
stage: sft
do_train: true
finetuning_type: lora
dataset: alpaca_en_demo
template: qwen3_nothink
output_dir: saves/out
per_device_train_batch_size: 2
gradient_accumulation_steps: 4
learning_rate: 1.0e-4
num_train_epochs: 2.0
`;

describe('llama-factory: golden plans of real examples', () => {
  test('train_full/qwen3_full_sft: HF Trainer arithmetic, cutoff_len, deepspeed and max_samples notes', () => {
    const file = fixture('qwen3_full_sft.yaml');
    expect(llamaFactory.detect(file, NO_ENV)).toBe(10);
    const { plan, missing, notes } = extract(file, { worldSize: 8, datasetSamples: 2000 });
    expect(plan.microBatchSize).toMatchObject({ value: 1, origin: 'explicit', key: 'per_device_train_batch_size', file: 'qwen3_full_sft.yaml' });
    expect(plan.microBatchSize?.range?.line).toBe(27);
    expect(plan.gradAccumSteps).toMatchObject({ value: 2, origin: 'explicit' });
    expect(plan.peakLr).toMatchObject({ value: 1e-5, origin: 'explicit', key: 'learning_rate' });
    expect(plan.seqLen).toMatchObject({ value: 2048, origin: 'explicit', key: 'cutoff_len', unit: 'tokens' });
    expect(plan.globalBatchSize).toMatchObject({ value: 16, how: '1 × 2 × 8 (micro × accumulation × world size)' });
    // trainer.py: ceil(ceil(2000 / 8) / 2) = 125 steps/epoch; ceil(3 × 125) = 375 steps.
    expect(plan.stepsPerEpoch).toMatchObject({ value: 125, origin: 'derived', how: 'ceil(ceil(2000 / 8) / 2)' });
    expect(plan.totalSteps).toMatchObject({ value: 375, origin: 'derived', how: 'ceil(3 × ceil(ceil(2000 / 8) / 2))', unit: 'steps' });
    // HF: ceil(375 × 0.1)
    expect(plan.warmupRatio).toMatchObject({ value: 0.1, origin: 'explicit', key: 'warmup_ratio' });
    expect(plan.warmupSteps).toMatchObject({ value: 38, origin: 'derived', how: 'ceil(375 × 0.1)' });
    expect(plan.saveEverySteps).toMatchObject({ value: 500, origin: 'explicit', key: 'save_steps' });
    expect(plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit', key: 'bf16' });
    expect(plan.optimizer).toMatchObject({ value: 'adamw_torch', origin: 'default', key: 'optim' });
    // The `.json` DeepSpeed path is linked by the engine (engine/links.ts), which notes it only when missing.
    expect(notes).toEqual([
      'max_samples 1000 truncates each dataset: at most 2000 samples from 2 datasets; set assume.datasetSamples to the real count',
    ]);
    expect(missing).toEqual([]);
  });

  test('megatron/qwen3_moe_full: OmegaConf reads `3e-6` as a float; data-parallel size from the Megatron degrees', () => {
    const file = fixture('megatron-qwen3_moe_full.yaml');
    const { plan, notes } = extract(file, { worldSize: 8, datasetSamples: 2000 });
    expect(plan.peakLr).toMatchObject({ value: 3e-6, origin: 'explicit', key: 'learning_rate' });
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.dataParallelSize).toMatchObject({ value: 2, origin: 'derived', how: '8 GPUs / (pipeline_model_parallel_size 4)' });
    expect(plan.globalBatchSize).toMatchObject({ value: 16, how: '1 × 8 × 2 (micro × accumulation × data-parallel size)' });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 125, how: 'ceil(ceil(2000 / 2) / 8)' });
    expect(plan.totalSteps).toMatchObject({ value: 250 });
    expect(plan.scheduler).toMatchObject({ value: 'constant', origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'default', key: 'warmup_steps' });
    expect(plan.seqLen).toMatchObject({ value: 4096, key: 'cutoff_len' });
    expect(notes.join('\n')).toMatch(/expert_model_parallel_size 2 is not counted.*assume\.dataParallelSize/);
  });

  test('megatron_bridge/llama3_sft: max_steps overrides epochs; a save interval beyond the run', () => {
    const { plan, missing } = extract(fixture('megatron_bridge-llama3_sft.yaml'));
    expect(plan.totalSteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'max_steps', note: 'max_steps > 0 overrides num_train_epochs' });
    expect(plan.warmupSteps).toMatchObject({ value: 10, origin: 'explicit', key: 'warmup_steps', unit: 'steps' });
    expect(plan.saveEverySteps).toMatchObject({ value: 3000, origin: 'explicit' });
    expect(plan.dataParallelSize).toBeUndefined(); // every degree is 1
    expect(missing.map((m) => m.field)).toEqual(['worldSize']);
  });

  test('v1/train_full_ulysses_cp: the v1 API, global batch defaulting to DP × micro', () => {
    const file = fixture('v1-train_full_ulysses_cp.yaml');
    expect(llamaFactory.detect(file, NO_ENV)).toBe(9);
    const { plan, notes, missing } = extract(file, { worldSize: 8 });
    expect(plan.microBatchSize).toMatchObject({ value: 1, origin: 'explicit', key: 'micro_batch_size' });
    expect(plan.peakLr).toMatchObject({ value: 1e-4, origin: 'explicit' });
    expect(plan.totalSteps).toMatchObject({ value: 10, origin: 'explicit', key: 'max_steps' });
    expect(plan.seqLen).toMatchObject({ value: 2048, origin: 'explicit', key: 'cutoff_len' });
    expect(plan.precision).toMatchObject({ value: 'fp32', origin: 'explicit', key: 'bf16' });
    expect(plan.dataParallelSize).toMatchObject({ value: 4, how: '8 GPUs / cp_size 2' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: 'global_batch_size' });
    expect(plan.globalBatchSize).toMatchObject({ value: 4, origin: 'derived' });
    expect(plan.warmupSteps).toBeUndefined();
    expect(notes[0]).toMatch(/v1 config \(experimental API\)/);
    expect(missing).toEqual([]);
  });
});

describe('llama-factory: the Trainer semantics it shares with hf-trainer', () => {
  test('lr_scheduler_type constant: the warmup is never read (ignored-setting), the plan has none', () => {
    const { plan, ignored = [] } = extract(yaml(`${MINIMAL}max_steps: 1000\nlr_scheduler_type: constant\nwarmup_steps: 300\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'derived', key: 'lr_scheduler_type' });
    expect(ignored.map((i) => [i.key, i.range.line, i.critical ?? false])).toEqual([['warmup_steps', 15, false]]);
    expect(ignored[0].message).toMatch(/^warmup_steps 300 is ignored: with lr_scheduler_type constant, transformers' get_scheduler returns the constant schedule before it reads the warmup/);
  });

  test('warmup_ratio: the warmup sits on the ratio key and keeps the ratio as written', () => {
    const { plan } = extract(yaml(`${MINIMAL}max_steps: 300\nwarmup_ratio: 0.3\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 90, origin: 'derived', key: 'warmup_ratio', fractionOf: { fraction: 0.3, ofSteps: 300 } });
    expect(plan.warmupSteps?.range?.line).toBe(14);
  });
});

describe('llama-factory: detection', () => {
  test('stage + finetuning_type → 10; model_name_or_path + template + HF keys → 8–9; v1 → 8–9', () => {
    expect(llamaFactory.detect(yaml(MINIMAL), NO_ENV)).toBe(10);
    expect(llamaFactory.detect(yaml('model_name_or_path: m\ntemplate: llama3\nper_device_train_batch_size: 1\n'), NO_ENV)).toBe(8);
    expect(llamaFactory.detect(yaml('model_name_or_path: m\ntemplate: llama3\ncutoff_len: 1024\nlearning_rate: 1.0e-4\n'), NO_ENV)).toBe(9);
    expect(llamaFactory.detect(yaml('model: Qwen/Qwen3-4B\nmicro_batch_size: 1\ntrain_dataset: data.yaml\n'), NO_ENV)).toBe(8);
  });

  test('beats hf-trainer on its files; 0 on HF-only, TRL, axolotl and accelerate configs', () => {
    const file = fixture('qwen3_full_sft.yaml');
    expect(llamaFactory.detect(file, NO_ENV)).toBeGreaterThan(hfTrainer.detect(file, NO_ENV));
    expect(hfTrainer.detect(file, NO_ENV)).toBeGreaterThan(0);
    expect(axolotl.detect(file, NO_ENV)).toBe(0);
    expect(llamaFactory.detect(yaml('model_name_or_path: m\nper_device_train_batch_size: 4\nnum_train_epochs: 3\nlr_scheduler_type: cosine\n'), NO_ENV)).toBe(0);
    expect(llamaFactory.detect(yaml('model_name_or_path: m\ndataset_name: trl-lib/Capybara\nmax_length: 1024\nlearning_rate: 2.0e-5\n'), NO_ENV)).toBe(0);
    expect(llamaFactory.detect(yaml('stage: train\nfinetuning_type: lora\n'), NO_ENV)).toBe(0);
    expect(llamaFactory.detect(yaml('compute_environment: LOCAL_MACHINE\ndistributed_type: FSDP\nnum_processes: 2\n'), NO_ENV)).toBe(0);
    expect(llamaFactory.detect(parseSource('ds.json', '{"train_micro_batch_size_per_gpu": "auto"}'), NO_ENV)).toBe(0);
  });
});

describe('llama-factory: edge cases', () => {
  test('defaults: cutoff_len 2048, HF TrainingArguments defaults; world size and dataset hints', () => {
    const { plan, missing } = extract(yaml(MINIMAL));
    expect(plan.seqLen).toMatchObject({ value: 2048, origin: 'default', key: 'cutoff_len' });
    expect(plan.scheduler).toMatchObject({ value: 'linear', origin: 'default' });
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'default' });
    expect(plan.saveEverySteps).toMatchObject({ value: 500, origin: 'default', key: 'save_steps' });
    expect(missing.map((m) => m.field)).toEqual(['worldSize', 'datasetSamples']);
  });

  test('profiler_warmup_steps is not LR warmup; pure_bf16 is the precision; packing annotates the length', () => {
    const { plan, notes } = extract(yaml(`${MINIMAL}profiler_warmup_steps: 5\npure_bf16: true\npacking: true\ncutoff_len: 4096\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'default' });
    expect(notes.join('\n')).toMatch(/profiler_warmup_steps is the profiler warmup/);
    expect(plan.precision).toMatchObject({ value: 'pure_bf16', origin: 'explicit', key: 'pure_bf16' });
    expect(plan.seqLen).toMatchObject({ value: 4096, note: expect.stringMatching(/packed/) });
  });

  test('stage ppo: one optimizer step per ppo_buffer_size × micro × accumulation × world samples', () => {
    const { plan, notes } = extract(yaml(`${MINIMAL.replace('stage: sft', 'stage: ppo')}ppo_buffer_size: 2\nwarmup_ratio: 0.1\n`), { worldSize: 4, datasetSamples: 1000 });
    // ceil(1000 / (2 × 4 × 2 × 4)) = 16 per epoch, × 2 epochs
    expect(plan.stepsPerEpoch).toMatchObject({ value: 16, how: 'ceil(1000 / 64), 64 = micro × accumulation × ppo_buffer_size 2 × world' });
    expect(plan.totalSteps).toMatchObject({ value: 32, how: '2 × ceil(1000 / 64)' });
    expect(plan.warmupSteps).toMatchObject({ value: 4, how: 'ceil(32 × 0.1)' });
    expect(notes.join('\n')).toMatch(/stage ppo/);
  });

  test('val_size and streaming notes; a deepspeed .json path is left to the engine', () => {
    const { notes } = extract(yaml(`${MINIMAL}val_size: 0.1\nstreaming: true\ndeepspeed: examples/deepspeed/ds_z2_config.json\n`));
    expect(notes.join('\n')).toMatch(/val_size 0\.1 is taken out of the training data \(a fraction\)/);
    expect(notes.join('\n')).toMatch(/streaming: the dataset has no length/);
    expect(notes.join('\n')).not.toMatch(/deepspeed/);
  });

  test('a `1e-4` learning rate: a float for OmegaConf, no PyYAML remark', () => {
    const { plan } = extract(yaml(MINIMAL.replace('learning_rate: 1.0e-4', 'learning_rate: 1e-4')));
    expect(plan.peakLr).toMatchObject({ value: 1e-4, origin: 'explicit' });
    expect(plan.peakLr?.note).toBeUndefined();
  });
});

const sweep = sharedTest(OWN);

describe('llama-factory: corpus sweep', () => {
  sweep('claims the training YAMLs (not the DeepSpeed JSONs nor accelerate configs) and nothing else; every claimed file extracts and passes the schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const claimedElsewhere: string[] = [];
    const notClaimed: string[] = [];
    const invalid: string[] = [];
    let classic = 0;
    let v1 = 0;
    let withTotal = 0;
    let withWarmup = 0;
    let withSeq = 0;
    for (const abs of listConfigs(CORPUS)) {
      const rel = path.relative(CORPUS, abs);
      const file = parseSource(rel, readFileSync(abs, 'utf8'));
      const score = llamaFactory.detect(file, NO_ENV);
      if (!rel.startsWith('hiyouga__LLaMA-Factory/')) {
        if (score > 0) claimedElsewhere.push(rel);
        continue;
      }
      const launcherConfig = rel.endsWith('.json') || /\/accelerate\//.test(rel);
      if (launcherConfig) {
        expect(score).toBe(0);
        continue;
      }
      if (score < 8) {
        notClaimed.push(rel);
        continue;
      }
      if (rel.includes('/v1/')) v1++;
      else classic++;
      const { plan } = llamaFactory.extract(file, { assume: { worldSize: 8, datasetSamples: 10000 }, mappings: {} });
      if (plan.totalSteps) withTotal++;
      if (plan.warmupSteps) withWarmup++;
      if (plan.seqLen) withSeq++;
      if (file.tree && !validate(toPlain(file.tree))) invalid.push(`${rel}: ${ajv.errorsText(validate.errors)}`);
    }
    console.log(`llama-factory sweep: ${classic} classic + ${v1} v1 claimed; totalSteps ${withTotal}, warmupSteps ${withWarmup}, seqLen ${withSeq} (assume worldSize 8, datasetSamples 10000)`);
    expect(claimedElsewhere).toEqual([]);
    expect(notClaimed).toEqual([]);
    expect(invalid).toEqual([]);
    expect(classic).toBeGreaterThanOrEqual(55);
    expect(v1).toBeGreaterThanOrEqual(16);
    expect(withSeq).toBe(classic + v1);
    expect(withTotal).toBeGreaterThanOrEqual(70);
    expect(withWarmup).toBeGreaterThanOrEqual(50);
  });
});
