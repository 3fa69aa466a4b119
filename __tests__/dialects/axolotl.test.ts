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
import schema from '../../schemas/dialects/axolotl.schema.json';
import { CORPUS, fixtureLoader, listConfigs, sharedTest } from '../helpers/dialect-fixtures';

const OWN = path.join(CORPUS, 'axolotl-ai-cloud__axolotl');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('axolotl');

function yaml(text: string, name = 'config.yml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return axolotl.extract(file, { assume, mappings: {} });
}


const MINIMAL = `
base_model: NousResearch/Llama-3.2-1B
datasets:
  - path: teknium/GPT4-LLM-Cleaned
    type: alpaca
micro_batch_size: 2
gradient_accumulation_steps: 4
learning_rate: 2e-4
num_epochs: 2
sequence_len: 1024
`;

describe('axolotl: golden plans of real examples', () => {
  test('archived/falcon/config-7b: batch_size → accumulation, total steps from the dataset, floor warmup, per-epoch intervals', () => {
    const file = fixture('falcon-config-7b.yml');
    expect(axolotl.detect(file, NO_ENV)).toBe(10);
    const { plan, missing, notes } = extract(file, { worldSize: 8, datasetSamples: 2000 });
    expect(plan.microBatchSize).toMatchObject({ value: 1, origin: 'explicit', key: 'micro_batch_size', file: 'falcon-config-7b.yml' });
    expect(plan.microBatchSize?.range?.line).toBe(32);
    // normalize_config: gradient_accumulation_steps = batch_size // micro_batch_size
    expect(plan.gradAccumSteps).toMatchObject({ value: 2, origin: 'derived', how: 'batch_size 2 // micro_batch_size 1' });
    expect(plan.gradAccumSteps?.note).toMatch(/default of 1/);
    expect(plan.peakLr).toMatchObject({ value: 0.00003, origin: 'explicit', key: 'learning_rate' });
    expect(plan.epochs).toMatchObject({ value: 4, origin: 'explicit', key: 'num_epochs' });
    expect(plan.globalBatchSize).toMatchObject({ value: 16, origin: 'derived', how: '1 × 2 × 8 (micro × accumulation × world size)' });
    // calculate_total_num_steps: ceil(len(dataset) × num_epochs / (batch_size × world))
    expect(plan.totalSteps).toMatchObject({ value: 500, origin: 'derived', unit: 'steps', how: 'ceil(2000 × 4 / 16), 16 = batch_size 2 × 8 GPUs' });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 125, how: 'ceil(ceil(2000 / 8) / 2)' });
    // warmup_ratio: int(0.1 × 500), a floor (HF would ceil).
    expect(plan.warmupRatio).toMatchObject({ value: 0.1, origin: 'explicit', key: 'warmup_ratio', unit: 'ratio' });
    expect(plan.warmupSteps).toMatchObject({ value: 50, origin: 'derived', how: 'int(0.1 × 500)' });
    // saves_per_epoch 1 × num_epochs 4 → save_steps 0.25 → ceil(500 × 0.25)
    expect(plan.saveEverySteps).toMatchObject({ value: 125, origin: 'derived', how: 'ceil(500 × 1 / (saves_per_epoch 1 × num_epochs 4))' });
    expect(plan.evalEverySteps).toMatchObject({ value: 32, how: 'ceil(500 × 1 / (evals_per_epoch 4 × num_epochs 4))' });
    expect(plan.seqLen).toMatchObject({ value: 2048, key: 'sequence_len', unit: 'tokens' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'explicit' });
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'default' });
    expect(plan.precision).toMatchObject({ value: 'auto', origin: 'explicit', key: 'bf16' });
    expect(plan.precision?.note).toMatch(/bf16 when the GPU supports it.*else fp16/);
    expect(missing).toEqual([]);
    expect(notes).toEqual([]);
  });

  test('eaft/eaft-example: max_steps wins, warmup ratio on min(estimate, max_steps), `5e-5` coerced by pydantic', () => {
    const file = fixture('eaft-example.yml');
    const { plan, notes } = extract(file, { worldSize: 8, datasetSamples: 2000 });
    // PyYAML keeps `5e-5` a string; pydantic converts it, so no loader note.
    expect(plan.peakLr).toMatchObject({ value: 5e-5, origin: 'explicit', file: 'eaft-example.yml', key: 'learning_rate', range: expect.objectContaining({ line: 46 }) });
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.epochs).toMatchObject({ value: 1, origin: 'default', key: 'num_epochs' });
    expect(plan.totalSteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'max_steps', unit: 'steps' });
    // prepare_datasets: total_num_steps = min(ceil(2000 × 1 / 32), 1000) = 63; warmup = int(0.1 × 63).
    expect(plan.warmupSteps).toMatchObject({ value: 6, origin: 'derived', how: 'int(0.1 × 63) (the estimate, below max_steps)' });
    expect(notes).toContain("max_steps 1000 exceeds axolotl's estimate of 63 steps: HF repeats the data, and a ratio warmup is computed on the estimate");
    // `deepspeed:` is empty, `val_set_size: 0`: no note, no eval interval.
    expect(notes.some((n) => n.includes('deepspeed'))).toBe(false);
    expect(plan.evalEverySteps).toBeUndefined();
    expect(plan.saveEverySteps).toBeUndefined();
  });

  test('distributed-parallel/qwen3-8b-fsdp-tp-cp: data-parallel size = world // cp // tp, packing needs the total', () => {
    const file = fixture('qwen3-8b-fsdp-tp-cp.yaml');
    const bare = extract(file, { worldSize: 8 });
    expect(bare.plan.dataParallelSize).toMatchObject({ value: 2, origin: 'derived', how: '8 GPUs // (context_parallel_size 2 × tensor_parallel_size 2)' });
    expect(bare.plan.globalBatchSize).toMatchObject({ value: 2, how: '1 × 1 × 2 (micro × accumulation × data-parallel size)' });
    expect(bare.plan.totalSteps).toBeUndefined();
    expect(bare.missing.find((m) => m.field === 'totalSteps')?.hint).toMatch(/sample_packing.*token counts/);
    expect(bare.plan.warmupRatio).toMatchObject({ value: 0.1, origin: 'explicit' });
    expect(bare.plan.warmupSteps).toBeUndefined();

    const { plan } = extract(file, { worldSize: 8, totalSteps: 400 });
    expect(plan.totalSteps).toMatchObject({ value: 400, origin: 'assumed' });
    expect(plan.warmupSteps).toMatchObject({ value: 40, how: 'int(0.1 × 400)' });
    expect(plan.saveEverySteps).toMatchObject({ value: 200, how: 'ceil(400 × 1 / (saves_per_epoch 1 × num_epochs 2))' });
    expect(plan.scheduler?.value).toBe('constant_with_warmup');
    expect(plan.minLr).toBeUndefined();
    expect(plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit', key: 'bf16' });
    expect(plan.seqLen).toMatchObject({ value: 8192, note: expect.stringMatching(/packed/) });
  });

  test('llama-3/lora-1b: bf16 auto, sample packing, one save per epoch', () => {
    const { plan, missing, notes } = extract(fixture('llama-3-lora-1b.yml'));
    expect(plan.precision).toMatchObject({ value: 'auto', origin: 'explicit', key: 'bf16' });
    expect(plan.optimizer).toMatchObject({ value: 'adamw_8bit', origin: 'explicit' });
    expect(missing.map((m) => m.field)).toEqual(['totalSteps', 'worldSize']);
    expect(missing.find((m) => m.field === 'worldSize')?.hint).toMatch(/assume\.worldSize/);
    const assumed = extract(fixture('llama-3-lora-1b.yml'), { worldSize: 8, totalSteps: 400 });
    // saves_per_epoch 1 × num_epochs 1 = 1: save_steps stays unset (save per epoch).
    expect(assumed.plan.saveEverySteps).toBeUndefined();
    expect(assumed.notes.join('\n')).toMatch(/saves_per_epoch × num_epochs = 1 leaves save_steps unset/);
    // val_set_size 0.1 with evals_per_epoch 4 → eval_steps 0.25.
    expect(assumed.plan.evalEverySteps).toMatchObject({ value: 100, origin: 'derived' });
    expect(notes).toEqual(['saves_per_epoch × num_epochs = 1 leaves save_steps unset: axolotl then saves per save_strategy (default: once per epoch)']);
  });

  test('expert_parallel/qwen3_30ba3b_ep_fft_4gpu: a fractional warmup_steps is a ratio', () => {
    const { plan } = extract(fixture('qwen3_30ba3b_ep_fft_4gpu.yaml'));
    expect(plan.warmupRatio).toMatchObject({ value: 0.1, origin: 'explicit', key: 'warmup_steps', unit: 'ratio' });
    expect(plan.warmupSteps).toMatchObject({ value: 5, origin: 'derived', how: 'ceil(50 × 0.1)' });
  });
});

describe('axolotl: detection', () => {
  test('base_model + axolotl keys score ≥ 8 (above hf-trainer); other frameworks score 0', () => {
    expect(axolotl.detect(yaml(MINIMAL), NO_ENV)).toBe(10);
    expect(axolotl.detect(yaml('base_model: x\nmicro_batch_size: 1\nsequence_len: 512\n'), NO_ENV)).toBe(8);
    expect(axolotl.detect(yaml('base_model: x\nlearning_rate: 1e-4\n'), NO_ENV)).toBe(0);
    // HF TrainingArguments, LLaMA-Factory, a fragment without base_model and too few keys.
    expect(axolotl.detect(yaml('per_device_train_batch_size: 4\nnum_train_epochs: 3\nlr_scheduler_type: cosine\n'), NO_ENV)).toBe(0);
    expect(axolotl.detect(yaml('stage: sft\nfinetuning_type: lora\ncutoff_len: 2048\n'), NO_ENV)).toBe(0);
    expect(axolotl.detect(yaml('micro_batch_size: 1\ncutoff_len: 2048\nmodel: Qwen/Qwen3-0.6B\ntrain_dataset: d.yaml\n'), NO_ENV)).toBe(0);
    expect(axolotl.detect(parseSource('run.sh', 'torchrun train.py --micro_batch_size 2\n'), NO_ENV)).toBe(0);
    expect(axolotl.detect(parseSource('ds.json', '{"train_micro_batch_size_per_gpu": 1}'), NO_ENV)).toBe(0);
  });

  test('hf-trainer and llama-factory do not claim axolotl configs', () => {
    for (const name of ['falcon-config-7b.yml', 'llama-3-lora-1b.yml', 'eaft-example.yml']) {
      expect(hfTrainer.detect(fixture(name), NO_ENV)).toBe(0);
      expect(llamaFactory.detect(fixture(name), NO_ENV)).toBe(0);
    }
  });
});

describe('axolotl: edge cases', () => {
  test('missing keys: world size and dataset size hints, required learning_rate', () => {
    const { plan, missing } = extract(yaml(MINIMAL.replace('learning_rate: 2e-4\n', '')));
    expect(plan.peakLr).toBeUndefined();
    expect(missing).toEqual([
      { field: 'peakLr', hint: 'set learning_rate (a number): axolotl requires it' },
      { field: 'datasetSamples', hint: expect.stringMatching(/max_steps.*assume\.datasetSamples/) },
      { field: 'worldSize', hint: expect.stringMatching(/assume\.worldSize.*WORLD_SIZE/) },
    ]);
    // Without any warmup key and without a total, the documented default is a capped ratio.
    expect(plan.warmupRatio).toMatchObject({ value: 0.03, origin: 'default', key: 'warmup_ratio' });
  });

  test('defaults: micro 1, accumulation 1, epochs 1, cosine, sequence_len 512, bf16 auto, adamw_torch_fused', () => {
    const { plan, notes } = extract(yaml('base_model: x\ndatasets:\n  - path: p\n    type: alpaca\nlearning_rate: 0.0001\nadapter: lora\n'));
    expect(plan.microBatchSize).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.epochs).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'default', key: 'lr_scheduler' });
    expect(plan.seqLen).toMatchObject({ value: 512, origin: 'default', key: 'sequence_len' });
    expect(plan.precision).toMatchObject({ value: 'auto', origin: 'default', key: 'bf16' });
    expect(plan.optimizer).toMatchObject({ value: 'adamw_torch_fused', origin: 'default' });
    expect(notes.join('\n')).toMatch(/at least two of micro_batch_size, gradient_accumulation_steps, batch_size/);
  });

  test('default warmup: min(int(0.03 × total), 100), and 1 becomes 2', () => {
    const big = extract(yaml(`${MINIMAL}max_steps: 10000\n`));
    expect(big.plan.warmupSteps).toMatchObject({ value: 100, origin: 'derived', how: 'min(int(0.03 × 10000), 100)' });
    const small = extract(yaml(`${MINIMAL}max_steps: 40\n`));
    expect(small.plan.warmupSteps).toMatchObject({ value: 2, how: 'min(int(0.03 × 40), 100) = 1, raised to 2 by axolotl' });
    const one = extract(yaml(`${MINIMAL}max_steps: 40\nwarmup_steps: 1\n`));
    expect(one.plan.warmupSteps).toMatchObject({ value: 2, origin: 'explicit', note: 'axolotl turns a warmup of 1 step into 2' });
  });

  test('warmup_steps and warmup_ratio together: axolotl rejects it; warmup_steps is what the builder reads', () => {
    const { plan, conflicts } = extract(yaml(`${MINIMAL}max_steps: 1000\nwarmup_steps: 50\nwarmup_ratio: 0.1\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 50, origin: 'explicit', key: 'warmup_steps' });
    expect(conflicts).toEqual([
      { kind: 'warmup-steps-and-ratio', message: expect.stringMatching(/mutually exclusive/), range: expect.objectContaining({ line: 13, column: 1 }) },
    ]);
  });

  test('jagged_restart_warmup_steps is not LR warmup', () => {
    const { plan, notes } = extract(yaml(`${MINIMAL}max_steps: 1000\njagged_restart_steps: 150\njagged_restart_warmup_steps: 10\n`));
    expect(plan.warmupSteps).toMatchObject({ value: 30, origin: 'derived' });
    expect(notes.join('\n')).toMatch(/jagged_restart_warmup_steps is the ReLoRA restart warmup/);
  });

  test('precision: bf16 wins over fp16 silently; bf16 false → fp32; auto with fp16 true → fp16; fp8', () => {
    const both = extract(yaml(`${MINIMAL}bf16: true\nfp16: true\n`));
    expect(both.plan.precision).toMatchObject({ value: 'bf16', key: 'bf16' });
    expect(both.conflicts).toEqual([{ kind: 'precision', level: 'info', message: expect.stringMatching(/silently drops fp16/), range: expect.objectContaining({ line: 12 }) }]);
    expect(extract(yaml(`${MINIMAL}bf16: false\n`)).plan.precision).toMatchObject({ value: 'fp32', origin: 'explicit', key: 'bf16' });
    expect(extract(yaml(`${MINIMAL}bf16: auto\nfp16: true\n`)).plan.precision).toMatchObject({ value: 'fp16', key: 'fp16' });
    expect(extract(yaml(`${MINIMAL}bf16: auto\nfp16: false\n`)).plan.precision?.note).toMatch(/else fp32 \(fp16: false\)/);
    expect(extract(yaml(`${MINIMAL}fp8: true\n`)).plan.precision).toMatchObject({ value: 'fp8', key: 'fp8' });
    expect(extract(yaml(`${MINIMAL}bf16:\n`)).plan.precision).toMatchObject({ value: 'fp32', note: expect.stringMatching(/empty/) });
    expect(extract(yaml(`${MINIMAL}bf16: full\n`)).plan.precision).toMatchObject({ value: 'pure_bf16', key: 'bf16', note: expect.stringMatching(/bf16_full_eval/) });
  });

  test('cosine_min_lr_ratio → minLr = ratio × learning_rate; an ignored setting under other schedulers', () => {
    const { plan } = extract(yaml(`${MINIMAL}cosine_min_lr_ratio: 0.1\n`));
    expect(plan.minLr).toMatchObject({ value: 2e-5, origin: 'derived', how: 'cosine_min_lr_ratio 0.1 × learning_rate' });
    const linear = extract(yaml(`${MINIMAL}lr_scheduler: linear\ncosine_min_lr_ratio: 0.1\n`));
    expect(linear.plan.minLr).toBeUndefined();
    expect(linear.conflicts).toEqual([]);
    expect(linear.ignored).toEqual([{ key: 'cosine_min_lr_ratio', message: expect.stringMatching(/no effect with lr_scheduler linear/), range: expect.objectContaining({ line: 12 }) }]);
  });

  test('eval_steps with evals_per_epoch, save_steps with save_strategy epoch: conflicts', () => {
    const { conflicts } = extract(yaml(`${MINIMAL}eval_steps: 10\nevals_per_epoch: 2\nsave_strategy: epoch\nsave_steps: 20\n`));
    expect(conflicts?.map((c) => c.kind).sort()).toEqual(['eval-steps-and-per-epoch', 'save-steps-and-strategy']);
  });

  test('save_strategy: no loads as a boolean: no strategy "false" to mismatch with save_steps (the schema reports the type)', () => {
    const { conflicts = [], plan } = extract(yaml(`${MINIMAL}save_strategy: no\nsave_steps: 20\nmax_steps: 100\n`));
    expect(conflicts).toEqual([]);
    expect(plan.saveEverySteps).toMatchObject({ value: 20 });
    const epoch = extract(yaml(`${MINIMAL}save_strategy: epoch\nsave_steps: 20\nmax_steps: 100\n`));
    expect(epoch.conflicts?.map((c) => c.kind)).toEqual(['save-steps-and-strategy']);
  });

  test('gradient_accumulation_steps and batch_size together: a note, and the estimate uses batch_size', () => {
    const { plan, notes, conflicts = [] } = extract(yaml(`${MINIMAL}batch_size: 16\n`), { worldSize: 2, datasetSamples: 1000 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 4, origin: 'explicit' });
    expect(plan.globalBatchSize?.value).toBe(16);
    expect(plan.totalSteps).toMatchObject({ value: 63, how: 'ceil(1000 × 2 / 32), 32 = batch_size 16 × 2 GPUs' });
    expect(conflicts.map((c) => c.kind)).toEqual(['batch-size-and-accumulation']);
    expect(conflicts[0].message).toMatch(/check_gas_bsz/);
    expect(conflicts[0].range.line).toBe(11);
    expect(notes.join('\n')).toMatch(/batch_size 16 ≠ micro_batch_size × gradient_accumulation_steps = 8/);
  });

  test('saves_per_epoch × num_epochs < 1: saves at the end only; save_steps and saves_per_epoch together are rejected', () => {
    const half = extract(yaml(`${MINIMAL.replace('num_epochs: 2', 'num_epochs: 0.5')}saves_per_epoch: 1\nmax_steps: 100\n`));
    expect(half.plan.saveEverySteps).toBeUndefined();
    expect(half.notes.join('\n')).toMatch(/saves at the end only/);
    const both = extract(yaml(`${MINIMAL}saves_per_epoch: 2\nsave_steps: 50\nmax_steps: 100\n`));
    expect(both.plan.saveEverySteps).toMatchObject({ value: 50, origin: 'explicit', key: 'save_steps' });
    expect(both.conflicts?.map((c) => c.kind)).toEqual(['save-steps-and-per-epoch']);
  });

  test('streaming / pretraining_dataset: max_steps is required', () => {
    const { plan, missing } = extract(yaml(`${MINIMAL}pretraining_dataset:\n  - path: c4\n`), { worldSize: 8, datasetSamples: 1000 });
    expect(plan.totalSteps).toBeUndefined();
    expect(missing.find((m) => m.field === 'totalSteps')?.hint).toMatch(/requires it with pretraining_dataset/);
  });

  test('deepspeed: a .json path is left to the engine (linked, or noted when missing); another path is noted', () => {
    expect(extract(yaml(`${MINIMAL}deepspeed: deepspeed_configs/zero2.json\n`)).notes.join('\n')).not.toMatch(/deepspeed/);
    const { notes } = extract(yaml(`${MINIMAL}deepspeed: deepspeed_configs/zero2.yaml\n`));
    expect(notes.join('\n')).toMatch(/deepspeed: deepspeed_configs\/zero2\.yaml is not read/);
  });

  test('quoted numbers are coerced by pydantic: no "quoted string" remark', () => {
    const { plan } = extract(yaml(MINIMAL.replace('learning_rate: 2e-4', 'learning_rate: "2e-4"')));
    expect(plan.peakLr).toMatchObject({ value: 2e-4, note: 'quoted; pydantic coerces it to a number' });
  });
});

const sweep = sharedTest(OWN);

describe('axolotl: corpus sweep', () => {
  sweep('claims the axolotl examples (not the DeepSpeed JSONs) and nothing else in the corpus; every claimed file extracts and passes the schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const claimedElsewhere: string[] = [];
    let claimed = 0;
    let withLr = 0;
    let withSeq = 0;
    let withWarmup = 0;
    let withTotal = 0;
    const invalid: string[] = [];
    for (const abs of listConfigs(CORPUS)) {
      const rel = path.relative(CORPUS, abs);
      const file = parseSource(rel, readFileSync(abs, 'utf8'));
      const score = axolotl.detect(file, NO_ENV);
      if (!rel.startsWith('axolotl-ai-cloud__axolotl/')) {
        if (score > 0) claimedElsewhere.push(rel);
        continue;
      }
      if (rel.endsWith('.json')) {
        expect(score).toBe(0);
        continue;
      }
      expect(score).toBeGreaterThanOrEqual(8);
      claimed++;
      const { plan } = axolotl.extract(file, { assume: { worldSize: 8, datasetSamples: 10000 }, mappings: {} });
      if (plan.peakLr) withLr++;
      if (plan.seqLen?.origin === 'explicit') withSeq++;
      if (plan.warmupSteps) withWarmup++;
      if (plan.totalSteps) withTotal++;
      if (file.tree && !validate(toPlain(file.tree))) invalid.push(`${rel}: ${ajv.errorsText(validate.errors)}`);
    }
    console.log(`axolotl sweep: ${claimed} claimed; peakLr ${withLr}, explicit seqLen ${withSeq}, warmupSteps ${withWarmup}, totalSteps ${withTotal} (assume worldSize 8, datasetSamples 10000)`);
    expect(claimedElsewhere).toEqual([]);
    expect(invalid).toEqual([]);
    expect(claimed).toBeGreaterThanOrEqual(255);
    expect(withLr).toBeGreaterThanOrEqual(255);
    expect(withSeq).toBeGreaterThanOrEqual(255);
    expect(withTotal).toBeGreaterThanOrEqual(50);
    expect(withWarmup).toBeGreaterThanOrEqual(50);
  });
});

describe('axolotl: a warmup_ratio is compared and advised as the ratio written', () => {
  test('warmup_ratio 0.25 of a 238-step run: reported at warmup_ratio, as 25%, with warmup_ratio 0.2 as the advice', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const { lint } = await import('../../src/engine/lint');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-axo-'));
    try {
      mkdirSync(path.join(dir, '.git'));
      const text = 'base_model: Qwen/Qwen2.5-0.5B\nadapter: lora\nlora_r: 16\nsequence_len: 2048\nmicro_batch_size: 2\ngradient_accumulation_steps: 4\nmax_steps: 238\nlearning_rate: 0.0002\noptimizer: adamw_torch\nlr_scheduler: cosine\nwarmup_ratio: 0.25\nbf16: auto\ndatasets:\n  - path: ./data/train.jsonl\n    type: alpaca\noutput_dir: ./out\n';
      writeFileSync(path.join(dir, 'qwen-lora.yml'), text);
      const { results } = await lint({ root: dir, paths: [], config: { assume: { worldSize: 2 } } });
      const f = results[0].findings.find((x) => x.ruleId === 'warmup-fraction');
      expect(f?.range.line).toBe(11);
      expect(f?.message).toContain('warmup_ratio 0.25 (59 steps) is 25% of the run');
      expect(f?.message).toContain('set warmup_ratio: 0.2 or less');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
