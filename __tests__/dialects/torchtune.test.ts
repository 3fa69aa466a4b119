import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { torchtune } from '../../src/dialects/torchtune';
import { DIALECTS } from '../../src/dialects/index';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import type { PlanField } from '../../src/engine/types';
import schema from '../../schemas/dialects/torchtune.schema.json';
import { CORPUS, fixtureLoader, sharedTest } from '../helpers/dialect-fixtures';

const OWN = path.join(CORPUS, 'pytorch__torchtune');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('torchtune');

function yaml(text: string, name = 'recipe.yaml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return torchtune.extract(file, { assume, mappings: {} });
}

function listYaml(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return listYaml(full);
    return /\.(ya?ml|json|toml|sh)$/.test(entry) ? [full] : [];
  });
}

const MINIMAL = `
output_dir: /tmp/out
model:
  _component_: torchtune.models.llama3_2.llama3_2_1b
tokenizer:
  _component_: torchtune.models.llama3.llama3_tokenizer
  path: /tmp/tokenizer.model
optimizer:
  _component_: torch.optim.AdamW
  lr: 2e-5
batch_size: 4
gradient_accumulation_steps: 2
epochs: 3
max_steps_per_epoch: null
dtype: bf16
`;

describe('torchtune: golden plans of real recipes', () => {
  test('llama3_1/8B_lora_single_device: cosine warmup, OmegaConf floats, profiler warmup ignored', () => {
    const file = fixture('llama3_1-8B_lora_single_device.yaml');
    expect(torchtune.detect(file, NO_ENV)).toBe(10);
    const { plan, missing } = extract(file);
    expect(plan.microBatchSize).toMatchObject({ value: 2, origin: 'explicit', key: 'batch_size', file: 'llama3_1-8B_lora_single_device.yaml' });
    expect(plan.microBatchSize?.range?.line).toBe(40);
    expect(plan.gradAccumSteps).toMatchObject({ value: 8, origin: 'explicit', key: 'gradient_accumulation_steps' });
    // OmegaConf reads `3e-4` as a float: no PyYAML string note.
    expect(plan.peakLr).toEqual({ value: 3e-4, origin: 'explicit', file: 'llama3_1-8B_lora_single_device.yaml', key: 'optimizer.lr', range: expect.objectContaining({ line: 47 }), valueRange: expect.objectContaining({ line: 47 }) });
    expect(plan.optimizer?.value).toBe('torch.optim.AdamW');
    expect(plan.scheduler).toMatchObject({ value: 'torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup', key: 'lr_scheduler._component_' });
    // profiler.warmup_steps: 3 is a profiler schedule, never LR warmup.
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'explicit', key: 'lr_scheduler.num_warmup_steps', unit: 'steps' });
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'default' });
    expect(plan.epochs).toMatchObject({ value: 1, key: 'epochs' });
    expect(plan.precision).toMatchObject({ value: 'bf16', key: 'dtype' });
    expect(plan.seqLen).toBeUndefined(); // tokenizer.max_seq_len: null
    expect(plan.totalSteps).toBeUndefined();
    expect(missing.find((m) => m.field === 'worldSize')?.hint).toMatch(/single-device config.*assume\.worldSize: 1/);
    expect(missing.map((m) => m.field)).toEqual(['worldSize', 'datasetSamples']);
  });

  test('llama3_1/8B_lora_single_device with assumed world size and dataset: the recipe arithmetic', () => {
    const { plan, missing } = extract(fixture('llama3_1-8B_lora_single_device.yaml'), { worldSize: 1, datasetSamples: 51760 });
    expect(plan.globalBatchSize).toMatchObject({ value: 16, origin: 'derived', how: '2 × 8 × 1 (micro × accumulation × world size)' });
    // floor(floor(ceil(51760 / 1) / 2) / 8) = floor(25880 / 8) = 3235
    expect(plan.stepsPerEpoch).toMatchObject({ value: 3235, origin: 'derived', how: 'floor(floor(ceil(51760 / 1) / 2) / 8)' });
    expect(plan.totalSteps).toMatchObject({ value: 3235, origin: 'derived', how: '1 × 3235 steps/epoch; 3235 = floor(floor(ceil(51760 / 1) / 2) / 8)' });
    expect(plan.saveEverySteps).toMatchObject({ value: 3235, origin: 'derived' });
    expect(plan.saveEverySteps?.how).toMatch(/^save_every_n_steps unset: once per epoch/);
    expect(missing).toEqual([]);
  });

  test('llama3_3/70B_full_multinode: tensor parallel 8 → data-parallel = world / 8; no lr_scheduler → constant LR', () => {
    const file = fixture('llama3_3-70B_full_multinode.yaml');
    const { plan, notes } = extract(file, { worldSize: 16, datasetSamples: 10000 });
    expect(plan.peakLr).toMatchObject({ value: 2e-5, key: 'optimizer.lr' });
    expect(plan.seqLen).toMatchObject({ value: 1024, key: 'tokenizer.max_seq_len', unit: 'tokens' });
    expect(plan.scheduler).toMatchObject({ value: 'constant', origin: 'default' });
    expect(plan.warmupSteps).toMatchObject({ value: 0, origin: 'default' });
    expect(plan.dataParallelSize).toMatchObject({ value: 2, origin: 'derived', how: '16 / (8 × 1) (world / (tensor_parallel_dim × context_parallel_dim))' });
    expect(plan.globalBatchSize).toMatchObject({ value: 8, how: '4 × 1 × 2 (micro × accumulation × data-parallel size)' });
    // Sharded over 2 data-parallel ranks: floor(floor(ceil(10000 / 2) / 4) / 1) = 1250.
    expect(plan.stepsPerEpoch).toMatchObject({ value: 1250 });
    expect(plan.totalSteps).toMatchObject({ value: 1250 });
    expect(plan.evalEverySteps).toBeUndefined(); // run_val_every_n_steps: null
    expect(notes).toEqual([]);
  });

  test('llama3_3/70B_full_multinode without a world size: the TP degree is noted', () => {
    const { plan, notes } = extract(fixture('llama3_3-70B_full_multinode.yaml'));
    expect(plan.dataParallelSize).toBeUndefined();
    expect(plan.globalBatchSize).toBeUndefined();
    expect(notes.join('\n')).toMatch(/tensor_parallel_dim 8 × context_parallel_dim 1: the data-parallel size is world \/ 8/);
  });

  test('dev/11B_lora_multi_dataset: max_steps_per_epoch 50 caps the run below its 100 warmup steps', () => {
    const { plan, notes } = extract(fixture('dev-11B_lora_multi_dataset.yaml'));
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'explicit' });
    expect(plan.totalSteps).toMatchObject({
      value: 50,
      origin: 'derived',
      how: '1 × max_steps_per_epoch 50 (at most: a shorter epoch ends earlier)',
      key: 'max_steps_per_epoch',
      unit: 'steps',
    });
    expect(plan.totalSteps?.range?.line).toBe(77);
    expect(plan.warmupSteps!.value).toBeGreaterThanOrEqual(plan.totalSteps!.value);
    expect(notes.join('\n')).toMatch(/upper bound/);
  });

  test('dev/11B_lora_multi_dataset with the dataset size: the cap applies when the epoch is longer', () => {
    const { plan } = extract(fixture('dev-11B_lora_multi_dataset.yaml'), { worldSize: 8, datasetSamples: 100000 });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 50, how: 'max_steps_per_epoch 50 (< floor(floor(ceil(100000 / 8) / 4) / 1) = 3125)' });
    expect(plan.totalSteps?.value).toBe(50);
  });

  test('mistral/7B_full_ppo_low_memory: an RL recipe, no step arithmetic', () => {
    const file = fixture('mistral-7B_full_ppo_low_memory.yaml');
    expect(torchtune.detect(file, NO_ENV)).toBeGreaterThanOrEqual(8);
    const { plan, notes, missing } = extract(file, { worldSize: 1, datasetSamples: 1000 });
    expect(plan.microBatchSize?.value).toBe(128);
    expect(plan.peakLr?.value).toBe(3e-6);
    expect(plan.optimizer?.value).toBe('bitsandbytes.optim.PagedAdamW');
    expect(plan.warmupSteps?.value).toBe(100);
    expect(plan.totalSteps).toBeUndefined();
    expect(plan.stepsPerEpoch).toBeUndefined();
    expect(notes.join('\n')).toMatch(/RL recipe/);
    expect(missing.map((m) => m.field)).not.toContain('datasetSamples');
  });
});

describe('torchtune: edge cases', () => {
  test('a minimal recipe: explicit keys, missing hints', () => {
    const { plan, missing } = extract(yaml(MINIMAL));
    expect(plan.microBatchSize?.value).toBe(4);
    expect(plan.gradAccumSteps?.value).toBe(2);
    expect(plan.peakLr?.value).toBe(2e-5);
    expect(plan.epochs?.value).toBe(3);
    expect(plan.scheduler).toMatchObject({ value: 'constant', origin: 'default' });
    expect(missing.map((m) => m.field)).toEqual(['worldSize', 'datasetSamples']);
    expect(missing[0].hint).toMatch(/tune run --nproc_per_node/);
  });

  test('missing batch_size and gradient_accumulation_steps → hints', () => {
    const text = MINIMAL.replace('batch_size: 4\n', '').replace('gradient_accumulation_steps: 2\n', '');
    const { missing } = extract(yaml(text));
    expect(missing.map((m) => m.field)).toEqual(['worldSize', 'microBatchSize', 'gradAccumSteps', 'datasetSamples']);
  });

  test('OmegaConf interpolation: lr and warmup from other keys; resolvers stay unknown', () => {
    const text = `${MINIMAL.replace('lr: 2e-5', 'lr: ${base_lr}')}base_lr: 3e-4
warmup: 20
lr_scheduler:
  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup
  num_warmup_steps: \${warmup}
save_every_n_steps: \${oc.env:SAVE_STEPS}
`;
    const { plan, notes } = extract(yaml(text));
    expect(plan.peakLr).toMatchObject({ value: 3e-4, key: 'optimizer.lr' });
    expect(plan.peakLr?.note).toMatch(/interpolated from `\$\{base_lr\}`/);
    expect(plan.warmupSteps?.value).toBe(20);
    expect(plan.saveEverySteps).toBeUndefined();
    expect(notes.join('\n')).toMatch(/save_every_n_steps: `\$\{oc\.env:SAVE_STEPS\}` is an OmegaConf resolver/);
  });

  test('a quoted LR is a string to OmegaConf too: noted', () => {
    const { plan } = extract(yaml(MINIMAL.replace('lr: 2e-5', 'lr: "2e-5"')));
    expect(plan.peakLr?.value).toBe(2e-5);
    expect(plan.peakLr?.note).toMatch(/quoted string/);
  });

  test('num_cycles other than 0.5: the minimum LR is not assumed', () => {
    const text = `${MINIMAL}lr_scheduler:\n  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup\n  num_warmup_steps: 10\n  num_cycles: 1.0\n`;
    expect(extract(yaml(text)).plan.minLr).toBeUndefined();
  });

  test('explicit data_parallel_shard_dim gives the data-parallel size without the world size', () => {
    const text = `${MINIMAL}data_parallel_shard_dim: 4\ndata_parallel_replicate_dim: 2\n`;
    const { plan } = extract(yaml(text));
    expect(plan.dataParallelSize).toMatchObject({ value: 8, how: 'data_parallel_shard_dim 4 × data_parallel_replicate_dim 2' });
    expect(plan.globalBatchSize?.value).toBe(64);
  });

  test('save_every_n_steps and run_val_every_n_steps', () => {
    const { plan } = extract(yaml(`${MINIMAL}save_every_n_steps: 200\nrun_val_every_n_steps: 50\n`));
    expect(plan.saveEverySteps).toMatchObject({ value: 200, origin: 'explicit', unit: 'steps' });
    expect(plan.evalEverySteps).toMatchObject({ value: 50, origin: 'explicit', unit: 'steps' });
  });

  test('fp16 is noted (and rejected by the schema); combinations the recipes reject are conflicts', () => {
    const text = MINIMAL.replace('dtype: bf16', 'dtype: fp16').replace('gradient_accumulation_steps: 2', 'gradient_accumulation_steps: 4\noptimizer_in_bwd: True\nclip_grad_norm: 1.0\nrun_val_every_n_steps: 100');
    const { notes, conflicts } = extract(yaml(text));
    expect(notes.join('\n')).toMatch(/full fp16 training is not supported/);
    expect(conflicts?.map((c) => [c.kind, c.range.line, c.level])).toEqual([
      ['optimizer-in-bwd-accumulation', 13, undefined],
      ['optimizer-in-bwd-clipping', 13, undefined],
      ['validation-without-dataset', 15, undefined],
    ]);
    expect(conflicts?.[0].message).toMatch(/optimizer_in_bwd: True with gradient_accumulation_steps 4: the recipes raise "Gradient accumulation is not supported with optimizer in bwd"/);
    // The real PPO config: optimizer in backward with accumulation 1 and no clipping is fine.
    expect(extract(fixture('mistral-7B_full_ppo_low_memory.yaml')).conflicts).toEqual([]);
  });

  test('detection: needs two _component_ sections; hydra _target_ and plain YAML are not torchtune', () => {
    expect(torchtune.detect(yaml(MINIMAL), NO_ENV)).toBe(10);
    expect(torchtune.detect(yaml('model:\n  _component_: torchtune.models.x\nbatch_size: 2\n'), NO_ENV)).toBe(0);
    expect(torchtune.detect(yaml('model:\n  _target_: torchtune.models.x\noptimizer:\n  _target_: torch.optim.AdamW\nepochs: 1\n'), NO_ENV)).toBe(0);
    // Custom components in torchtune's style with recipe keys: lower confidence.
    expect(torchtune.detect(yaml('model:\n  _component_: my.model\noptimizer:\n  _component_: torch.optim.AdamW\nbatch_size: 2\nepochs: 1\ndtype: bf16\noutput_dir: /x\n'), NO_ENV)).toBe(6);
    expect(torchtune.detect(parseSource('run.sh', 'tune run full_finetune_distributed --config x.yaml\n'), NO_ENV)).toBe(0);
  });

  test('detection: generation, evaluation and quantization configs train nothing and are not claimed', () => {
    const tools = 'model:\n  _component_: torchtune.models.llama3.llama3_8b\ncheckpointer:\n  _component_: torchtune.training.FullModelMetaCheckpointer\n  checkpoint_dir: /ckpt\n  output_dir: /out\ntokenizer:\n  _component_: torchtune.models.llama3.llama3_tokenizer\n  path: /tok\ndevice: cuda\ndtype: bf16\nseed: 1234\n';
    expect(torchtune.detect(yaml(`${tools}prompt:\n  user: Tell me a joke.\nmax_new_tokens: 300\ntemperature: 0.6\n`), NO_ENV)).toBe(0);
    expect(torchtune.detect(yaml(`${tools}tasks: [truthfulqa_mc2]\nlimit: null\nmax_seq_length: 4096\nbatch_size: 8\n`), NO_ENV)).toBe(0);
    expect(torchtune.detect(yaml(`${tools}quantizer:\n  _component_: torchtune.training.quantization.Int8DynActInt4WeightQuantizer\n  groupsize: 256\n`), NO_ENV)).toBe(0);
    // The async GRPO recipe keeps its optimizer in `training:`; a dataset with epochs trains too.
    expect(torchtune.detect(yaml(`${tools}training:\n  optimizer:\n    _component_: torch.optim.AdamW\n    lr: 1e-5\n`), NO_ENV)).toBeGreaterThan(0);
    expect(torchtune.detect(yaml(`${tools}dataset:\n  _component_: torchtune.datasets.alpaca_dataset\nepochs: 1\n`), NO_ENV)).toBeGreaterThan(0);
  });

  test('the schema compiles in strict mode and catches wrong types', () => {
    const validate = new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);
    const bad = yaml(MINIMAL.replace('batch_size: 4', 'batch_size: 0').replace('dtype: bf16', 'dtype: float16'));
    expect(validate(toPlain(bad.tree!))).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(expect.arrayContaining(['/batch_size', '/dtype']));
    expect(validate(toPlain(yaml(MINIMAL).tree!))).toBe(true);
  });
});

const sweep = sharedTest(OWN);

describe('torchtune: corpus sweeps', () => {
  sweep('every torchtune corpus file is claimed, extracts without throwing, and passes the schema', () => {
    const files = listYaml(OWN);
    const validate = new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);
    const resolved: Partial<Record<PlanField, number>> = {};
    let claimed = 0;
    const invalid: string[] = [];
    const conflicts: string[] = [];
    for (const f of files) {
      const file = parseSource(path.relative(OWN, f), readFileSync(f, 'utf8'));
      if (torchtune.detect(file, NO_ENV) > 0) claimed++;
      const { plan } = torchtune.extract(file, { assume: { worldSize: 8, datasetSamples: 50000 }, mappings: {} });
      for (const field of Object.keys(plan) as PlanField[]) resolved[field] = (resolved[field] ?? 0) + 1;
      if (!validate(toPlain(file.tree!))) invalid.push(`${file.path}: ${JSON.stringify(validate.errors)}`);
      conflicts.push(...(torchtune.extract(file, NO_ENV).conflicts ?? []).map((c) => `${file.path}: ${c.kind}`));
    }
    expect(conflicts).toEqual([]);
    console.log(`torchtune corpus: ${files.length} files, ${claimed} claimed; fields resolved (world 8, 50000 samples assumed): ${JSON.stringify(resolved)}`);
    expect(files.length).toBe(179);
    expect(claimed).toBe(179);
    expect(invalid).toEqual([]);
    expect(resolved.microBatchSize).toBeGreaterThanOrEqual(177);
    expect(resolved.peakLr).toBeGreaterThanOrEqual(177);
    expect(resolved.warmupSteps).toBeGreaterThanOrEqual(177);
    expect(resolved.totalSteps).toBeGreaterThanOrEqual(170);
    expect(resolved.globalBatchSize).toBeGreaterThanOrEqual(170);
  });

  sweep('no file of another framework is claimed', () => {
    const claimed: string[] = [];
    for (const f of listYaml(CORPUS)) {
      if (f.startsWith(OWN + path.sep)) continue;
      const file = parseSource(path.relative(CORPUS, f), readFileSync(f, 'utf8'));
      if (torchtune.detect(file, NO_ENV) > 0) claimed.push(file.path);
    }
    expect(claimed).toEqual([]);
  });

  sweep('on torchtune files, no registered dialect scores higher', () => {
    const others = DIALECTS.filter((d) => d.meta.id !== 'torchtune');
    const beaten: string[] = [];
    for (const f of listYaml(OWN)) {
      const file = parseSource(path.relative(OWN, f), readFileSync(f, 'utf8'));
      const own = torchtune.detect(file, NO_ENV);
      for (const d of others) if (d.detect(file, NO_ENV) >= own) beaten.push(`${file.path}: ${d.meta.id}`);
    }
    expect(beaten).toEqual([]);
  });
});
