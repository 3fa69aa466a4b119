import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { deepspeed } from '../../src/dialects/deepspeed';
import { hfTrainer } from '../../src/dialects/hf-trainer';
import { openclip } from '../../src/dialects/openclip';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { toPlain } from '../../src/engine/tree';
import type { PlanField } from '../../src/engine/types';
import schema from '../../schemas/dialects/deepspeed.schema.json';
import { CORPUS, fixtureLoader, listFiles, sharedTest } from '../helpers/dialect-fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'deepspeed');
const ALL_FIXTURES = path.join(__dirname, '..', 'fixtures');
const DS_DIRS = ['deepspeedai__DeepSpeed', 'microsoft__DeepSpeedExamples', 'axolotl-ai-cloud__axolotl/deepspeed_configs', 'hiyouga__LLaMA-Factory/examples/deepspeed'];

function env(assume: ExtractEnv['assume'] = {}): ExtractEnv {
  return { assume, mappings: {} };
}

const fixture = fixtureLoader('deepspeed', 'fixtures/deepspeed/');

function inline(obj: unknown, name = 'ds_config.json') {
  return parseSource(name, JSON.stringify(obj, null, 2));
}


const hints = (missing: { field: PlanField; hint: string }[], field: PlanField) => missing.filter((m) => m.field === field).map((m) => m.hint);

describe('deepspeed: golden plans of real configs', () => {
  it('DeepSpeed tests/model/Megatron_GPT2/ds_config_func_scheduler.json: train + gas, WarmupLR', () => {
    const file = fixture('ds_config_func_scheduler.json');
    const { plan, missing, notes } = deepspeed.extract(file, env({ worldSize: 2 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 4, origin: 'explicit', key: 'train_batch_size', unit: 'samples', range: { line: 2, column: 3 } });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'explicit', key: 'gradient_accumulation_steps' });
    // train + gas given: micro = train // world // gas.
    expect(plan.microBatchSize).toMatchObject({ value: 2, origin: 'derived', how: '4 // 2 // 1 (train_batch_size // world size // accumulation, DeepSpeed fills it)' });
    expect(plan.worldSize).toMatchObject({ value: 2, origin: 'assumed' });
    expect(plan.scheduler).toMatchObject({ value: 'WarmupLR', origin: 'explicit', key: 'scheduler.type' });
    expect(plan.peakLr).toMatchObject({ value: 0.001, origin: 'explicit', key: 'scheduler.params.warmup_max_lr', range: { line: 13 } });
    expect(plan.warmupSteps).toMatchObject({ value: 10, origin: 'explicit', unit: 'steps', key: 'scheduler.params.warmup_num_steps' });
    expect(plan.warmupSteps?.note).toMatch(/log-shaped warmup \(warmup_type default log\): the LR is at half its peak after 2 of 10 steps/);
    expect(plan.precision).toMatchObject({ value: 'fp16', origin: 'explicit', key: 'fp16.enabled' });
    expect(plan.totalSteps).toBeUndefined();
    expect(hints(missing, 'totalSteps')[0]).toMatch(/WarmupLR has no horizon.*assume\.totalSteps/);
    expect(notes).toEqual([]);
  });

  it('the real fixtures have no conflicts (equal warmup_max_lr and optimizer LR are fine)', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))) {
      expect([name, deepspeed.extract(fixture(name), env({ worldSize: 8 })).conflicts]).toEqual([name, []]);
    }
  });

  it('DeepSpeedExamples bing_bert bsz64k LAMB: train + micro, accumulation derived as DeepSpeed does', () => {
    const file = fixture('deepspeed_bsz64k_lamb_config_seq128.json');
    const { plan, notes } = deepspeed.extract(file, env({ worldSize: 64 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 65536, origin: 'explicit' });
    expect(plan.microBatchSize).toMatchObject({ value: 64, origin: 'explicit' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 16, origin: 'derived', how: '65536 // 64 // 64 (train_batch_size // micro // world size, DeepSpeed fills it)' });
    // `"lr": 11e-3` in JSON is a number.
    expect(plan.peakLr).toMatchObject({ value: 0.011, origin: 'explicit', key: 'optimizer.params.lr' });
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.optimizer).toMatchObject({ value: 'Lamb', origin: 'explicit' });
    expect(plan.scheduler).toBeUndefined();
    expect(notes).toContain('no DeepSpeed scheduler block: the LR schedule comes from the training script (with the HF Trainer: lr_scheduler_type)');
  });

  it('DeepSpeed tests/torch_compile/ds_config_z3.json: only train_batch_size → gas 1, micro = train // world', () => {
    const file = fixture('ds_config_z3.json');
    const { plan, missing } = deepspeed.extract(file, env({ worldSize: 4 }));
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default', key: 'gradient_accumulation_steps' });
    expect(plan.microBatchSize).toMatchObject({ value: 2, origin: 'derived', how: '8 // 4 (train_batch_size // world size, DeepSpeed fills it)' });
    expect(plan.peakLr).toMatchObject({ value: 0.001, key: 'scheduler.params.warmup_max_lr' });
    expect(plan.warmupSteps).toMatchObject({ value: 1000, origin: 'explicit' });
    expect(plan.precision).toMatchObject({ value: 'bf16' });
    expect(hints(missing, 'microBatchSize')).toEqual([]);

    // On 64 GPUs DeepSpeed's integer division gives micro 0 and its "> 0" assertion fails.
    const big = deepspeed.extract(file, env({ worldSize: 64 }));
    expect(big.plan.microBatchSize).toBeUndefined();
    expect(big.notes.join('\n')).toMatch(/integer division gives train_micro_batch_size_per_gpu 0/);
  });

  it('without a world size nothing world-relative is derived, and the hint says how to supply it', () => {
    const { plan, missing } = deepspeed.extract(fixture('ds_config_z3.json'), env());
    expect(plan.microBatchSize).toBeUndefined();
    expect(hints(missing, 'worldSize')[0]).toMatch(/assume\.worldSize.*deepspeed --num_gpus/);
  });

  it('DeepSpeed ds_config_func_bs8_zero0_gas3.json: micro + gas → train = micro × gas × world', () => {
    const { plan } = deepspeed.extract(fixture('ds_config_func_bs8_zero0_gas3.json'), env({ worldSize: 4 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 96, origin: 'derived', how: '8 × 3 × 4 (micro × accumulation × world size)' });
  });

  it('axolotl zero3_bf16.json: every batch key "auto" stays unknown with an HF Trainer hint', () => {
    const file = fixture('axolotl_zero3_bf16.json');
    const { plan, missing, notes } = deepspeed.extract(file, env({ worldSize: 8 }));
    expect(plan.microBatchSize).toBeUndefined();
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(plan.globalBatchSize).toBeUndefined();
    expect(plan.precision).toMatchObject({ value: 'bf16', origin: 'explicit' });
    expect(hints(missing, 'microBatchSize')).toEqual([
      'train_micro_batch_size_per_gpu is "auto": filled by the Hugging Face Trainer from TrainingArguments (per_device_train_batch_size); lint that file, or set assume.microBatchSize in .trainlint.yml',
    ]);
    expect(hints(missing, 'gradAccumSteps')[0]).toMatch(/^gradient_accumulation_steps is "auto": filled by the Hugging Face Trainer/);
    expect(hints(missing, 'globalBatchSize')[0]).toMatch(/^train_batch_size is "auto"/);
    expect(hints(missing, 'peakLr')[0]).toMatch(/no optimizer block: the Hugging Face Trainer builds the optimizer/);
    expect(notes[0]).toMatch(/^"auto" values \(train_batch_size, train_micro_batch_size_per_gpu, gradient_accumulation_steps\) are placeholders/);
  });

  it('"auto" batch keys with assumed values: the global batch is derived as the HF Trainer fills it', () => {
    const { plan, missing } = deepspeed.extract(fixture('axolotl_zero3_bf16.json'), env({ worldSize: 8, microBatchSize: 4, gradAccumSteps: 2, totalSteps: 1000 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 64, origin: 'derived', how: '4 × 2 × 8 (micro × accumulation × world size)' });
    // Assumed fields are no longer reported missing.
    expect(missing.map((m) => m.field)).toEqual(['peakLr']);
  });

  it('LLaMA-Factory ds_z3_fp8_config.json: bf16.enabled "auto", fp16 disabled → precision unknown', () => {
    const { plan, missing } = deepspeed.extract(fixture('llamafactory_ds_z3_fp8_config.json'), env());
    expect(plan.precision).toBeUndefined();
    expect(hints(missing, 'precision')[0]).toMatch(/^bf16\.enabled is "auto": filled by the Hugging Face Trainer/);
    // train_batch_size is absent: DeepSpeed computes it from what the Trainer passes.
    expect(hints(missing, 'globalBatchSize')[0]).toMatch(/train_batch_size is not set: DeepSpeed fills it/);
    // No DeepSpeed default for the absent accumulation in an HF config.
    expect(plan.gradAccumSteps).toBeUndefined();
  });
});

describe('deepspeed: schedulers', () => {
  const base = { train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 2, optimizer: { type: 'AdamW', params: { lr: 3e-4 } } };

  it('WarmupDecayLR without warmup_max_lr silently uses 0.001, not the optimizer LR; total_num_steps is the horizon', () => {
    const file = inline({ ...base, scheduler: { type: 'WarmupDecayLR', params: { total_num_steps: 5000 } } });
    const { plan } = deepspeed.extract(file, env({ worldSize: 8 }));
    expect(plan.peakLr).toMatchObject({ value: 0.001, origin: 'default', key: 'scheduler.params.warmup_max_lr' });
    expect(plan.peakLr?.note).toBe('WarmupDecayLR defaults warmup_max_lr to 0.001; optimizer.params.lr 3e-4 is silently replaced');
    expect(plan.warmupSteps).toMatchObject({ value: 1000, origin: 'default', unit: 'steps', key: 'scheduler.params.warmup_num_steps' });
    expect(plan.warmupSteps?.note).toMatch(/log-shaped warmup \(warmup_type default log\): the LR is at half its peak after 31 of 1000 steps/);
    expect(plan.totalSteps).toMatchObject({ value: 5000, origin: 'explicit', unit: 'steps', key: 'scheduler.params.total_num_steps' });
    expect(plan.decaySteps).toMatchObject({ value: 5000, origin: 'explicit' });
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'default', key: 'scheduler.params.warmup_min_lr' });
    expect(plan.globalBatchSize).toMatchObject({ value: 64, origin: 'derived' });
    // The optimizer LR the user wrote is never used: a conflict at scheduler.type.
    const { conflicts = [] } = deepspeed.extract(file, env());
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'lr-override', data: { schedulerLr: 0.001, optimizerLr: 3e-4 } });
    expect(conflicts[0].message).toBe('WarmupDecayLR without scheduler.params.warmup_max_lr warms up to 0.001 (its default), not to optimizer.params.lr 3e-4: set warmup_max_lr to the LR you mean');
    expect(file.text.split('\n')[conflicts[0].range.line - 1]).toMatch(/"type": "WarmupDecayLR"/);
  });

  it('WarmupDecayLR: an explicit warmup_max_lr that differs from optimizer.params.lr is noted', () => {
    const file = inline({ ...base, scheduler: { type: 'WarmupDecayLR', params: { total_num_steps: 100, warmup_max_lr: 1e-3, warmup_min_lr: 1e-5, warmup_num_steps: 10, warmup_type: 'linear' } } });
    const { plan, conflicts = [] } = deepspeed.extract(file, env());
    expect(plan.peakLr).toMatchObject({ value: 1e-3, origin: 'explicit', note: 'scheduler.params.warmup_max_lr 1e-3 overrides optimizer.params.lr 3e-4' });
    expect(conflicts.map((c) => c.kind)).toEqual(['lr-override']);
    expect(conflicts[0].message).toBe("scheduler.params.warmup_max_lr 1e-3 overrides optimizer.params.lr 3e-4: the schedule sets the LR, the optimizer's is never used; make them equal or drop one");
    expect(file.text.split('\n')[conflicts[0].range.line - 1]).toMatch(/"warmup_max_lr"/);
    expect(plan.minLr).toMatchObject({ value: 1e-5, origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 10, note: 'linear warmup (warmup_type linear)' });
  });

  it('WarmupLR without warmup_max_lr warms up to the optimizer LR (DeepSpeed ≥ 0.17.2)', () => {
    const file = inline({ ...base, scheduler: { type: 'WarmupLR', params: { warmup_num_steps: 100 } } });
    const { plan } = deepspeed.extract(file, env());
    expect(plan.peakLr).toMatchObject({ value: 3e-4, origin: 'explicit', key: 'optimizer.params.lr' });
    expect(plan.peakLr?.note).toMatch(/0\.17\.2.*0\.001/);
    expect(plan.minLr).toBeUndefined(); // WarmupLR stays at the peak
  });

  it('WarmupCosineLR: peak is the optimizer LR, min = cos_min_ratio × LR; a warmup_max_lr param is a TypeError', () => {
    const file = inline({ ...base, scheduler: { type: 'WarmupCosineLR', params: { total_num_steps: 2000, warmup_num_steps: 100, warmup_max_lr: 1e-3 } } });
    const { plan, conflicts = [] } = deepspeed.extract(file, env());
    expect(plan.peakLr).toMatchObject({ value: 3e-4, origin: 'explicit', key: 'optimizer.params.lr' });
    expect(plan.minLr).toMatchObject({ origin: 'derived', how: 'cos_min_ratio 0.0001 (default) × optimizer.params.lr 3e-4' });
    expect(plan.minLr?.value).toBeCloseTo(3e-8, 15);
    expect(plan.totalSteps).toMatchObject({ value: 2000 });
    // DeepSpeed calls WarmupCosineLR(optimizer, **params): an unknown keyword is a TypeError at init.
    expect(conflicts.map((c) => c.kind)).toEqual(['scheduler-params']);
    expect(conflicts[0].message).toBe(
      'WarmupCosineLR does not take scheduler.params.warmup_max_lr: DeepSpeed passes params as keyword arguments, so the constructor raises TypeError; ' +
        'remove it (WarmupCosineLR takes total_num_steps, warmup_min_ratio, warmup_num_steps, cos_min_ratio, warmup_type)',
    );
    expect(file.text.split('\n')[conflicts[0].range.line - 1]).toMatch(/"warmup_max_lr"/);
  });

  it('WarmupCosineLR with an explicit cos_min_ratio', () => {
    const file = inline({ ...base, scheduler: { type: 'WarmupCosineLR', params: { total_num_steps: 2000, cos_min_ratio: 0.1 } } });
    const { plan } = deepspeed.extract(file, env());
    expect(plan.minLr).toMatchObject({ how: 'cos_min_ratio 0.1 × optimizer.params.lr 3e-4' });
    expect(plan.minLr?.value).toBeCloseTo(3e-5, 12);
  });

  it('"auto" scheduler params (HF fills them at finalize) stay unknown with hints; an "auto" warmup_min_lr is 0', () => {
    const file = inline({
      ...base,
      optimizer: { type: 'AdamW', params: { lr: 'auto' } },
      scheduler: { type: 'WarmupDecayLR', params: { warmup_min_lr: 'auto', warmup_max_lr: 'auto', warmup_num_steps: 'auto', total_num_steps: 'auto' } },
    });
    const { plan, missing, notes } = deepspeed.extract(file, env());
    for (const field of ['peakLr', 'warmupSteps', 'totalSteps'] as PlanField[]) {
      expect(plan[field]).toBeUndefined();
      expect(hints(missing, field)[0]).toMatch(/is "auto": filled by the Hugging Face Trainer from TrainingArguments/);
    }
    expect(hints(missing, 'totalSteps')).toHaveLength(1);
    // fill_only("scheduler.params.warmup_min_lr", 0): not a TrainingArguments value, so known (lr_scheduler_kwargs is not read).
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'derived', key: 'scheduler.params.warmup_min_lr' });
    expect(hints(missing, 'minLr')).toHaveLength(0);
    expect(notes[0]).toMatch(/scheduler\.params\.warmup_num_steps/);
  });

  it('WarmupDecayLR without total_num_steps: a scheduler-params conflict (TypeError) and a missing hint', () => {
    const { plan, missing, conflicts = [] } = deepspeed.extract(inline({ ...base, scheduler: { type: 'WarmupDecayLR', params: {} } }), env());
    expect(plan.totalSteps).toBeUndefined();
    expect(conflicts.map((c) => [c.kind, c.message])).toContainEqual([
      'scheduler-params',
      "WarmupDecayLR requires scheduler.params.total_num_steps: the constructor raises TypeError without it; set it to the run's optimizer steps",
    ]);
    expect(hints(missing, 'totalSteps')[0]).toMatch(/set scheduler\.params\.total_num_steps/);
  });

  it('OneCycle: cycle_max_lr is the peak, cycle_min_lr the floor, the rising half the warmup', () => {
    const file = inline({ ...base, scheduler: { type: 'OneCycle', params: { cycle_min_lr: 1e-5, cycle_max_lr: 1e-3 } } });
    const { plan, conflicts = [] } = deepspeed.extract(file, env());
    expect(conflicts.map((c) => c.kind)).toEqual(['lr-override']); // cycle_max_lr replaces optimizer.params.lr
    expect(plan.peakLr).toMatchObject({ value: 1e-3, key: 'scheduler.params.cycle_max_lr' });
    expect(plan.minLr).toMatchObject({ value: 1e-5 });
    expect(plan.warmupSteps).toMatchObject({ value: 2000, origin: 'default', key: 'scheduler.params.cycle_first_step_size' });
  });

  it('a torch scheduler name is recorded but its params are not read', () => {
    const { plan, notes } = deepspeed.extract(inline({ ...base, scheduler: { type: 'CosineAnnealingLR', params: { T_max: 100 } } }), env());
    expect(plan.scheduler?.value).toBe('CosineAnnealingLR');
    expect(plan.peakLr).toMatchObject({ value: 3e-4 });
    expect(notes.join('\n')).toMatch(/torch\.optim\.lr_scheduler/);
  });

  it('warmup_num_steps 0 is rejected by recent DeepSpeed', () => {
    const { notes } = deepspeed.extract(inline({ ...base, scheduler: { type: 'WarmupLR', params: { warmup_num_steps: 0 } } }), env());
    expect(notes.join('\n')).toMatch(/warmup_num_steps must be a positive integer/);
  });
});

describe('deepspeed: batch and precision edge cases', () => {
  it('only gradient_accumulation_steps: DeepSpeed asserts that train or micro is given', () => {
    const file = inline({ gradient_accumulation_steps: 4, fp16: { enabled: true } });
    expect(deepspeed.detect(file, env())).toBeGreaterThan(0);
    const { plan, missing, notes } = deepspeed.extract(file, env({ worldSize: 8 }));
    expect(plan.gradAccumSteps).toMatchObject({ value: 4 });
    expect(notes.join('\n')).toMatch(/Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided/);
    expect(hints(missing, 'microBatchSize')[0]).toMatch(/set train_micro_batch_size_per_gpu/);
  });

  it('only micro: gas = 1 (DeepSpeed default) and train = micro × world', () => {
    const { plan } = deepspeed.extract(inline({ train_micro_batch_size_per_gpu: 4, zero_optimization: { stage: 2 } }), env({ worldSize: 8 }));
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.globalBatchSize).toMatchObject({ value: 32, origin: 'derived' });
    expect(plan.precision).toMatchObject({ value: 'fp32', origin: 'default' });
  });

  it('the data-parallel size (assume.dataParallelSize) is DeepSpeed\'s "world size"', () => {
    const { plan } = deepspeed.extract(inline({ train_batch_size: 256, train_micro_batch_size_per_gpu: 4, zero_optimization: { stage: 1 } }), env({ worldSize: 64, dataParallelSize: 16 }));
    expect(plan.gradAccumSteps).toMatchObject({ value: 4, how: '256 // 4 // 16 (train_batch_size // micro // data-parallel size, DeepSpeed fills it)' });
  });

  it('all three given: nothing is filled, the identity is left to batch-size-mismatch', () => {
    const { plan } = deepspeed.extract(inline({ train_batch_size: 100, train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 2, zero_optimization: { stage: 0 } }), env({ worldSize: 8 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 100, origin: 'explicit' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 2, origin: 'explicit' });
  });

  it('a quoted number is read with a note (DeepSpeed receives a string)', () => {
    const { plan } = deepspeed.extract(inline({ train_batch_size: '32', zero_optimization: { stage: 0 } }), env());
    expect(plan.globalBatchSize).toMatchObject({ value: 32 });
    expect(plan.globalBatchSize?.note).toMatch(/quoted string/);
  });

  it('bf16 and fp16 both enabled: a precision conflict at fp16.enabled (DeepSpeed asserts); bf16 is reported', () => {
    const file = inline({ train_batch_size: 8, bf16: { enabled: true }, fp16: { enabled: true } });
    const { plan, conflicts = [] } = deepspeed.extract(file, env());
    expect(plan.precision).toMatchObject({ value: 'bf16' });
    expect(conflicts).toEqual([
      {
        kind: 'precision',
        message: 'bf16.enabled and fp16.enabled are both true: DeepSpeed asserts "bfloat16 and fp16 modes cannot be simultaneously enabled"; disable one',
        range: { line: 7, column: 5, endLine: 7, endColumn: 14 },
      },
    ]);
  });

  it('legacy `bfloat16` block, Apex `amp` block, disabled blocks', () => {
    expect(deepspeed.extract(inline({ train_batch_size: 8, bfloat16: { enabled: true } }), env()).plan.precision).toMatchObject({ value: 'bf16', key: 'bfloat16.enabled' });
    expect(deepspeed.extract(inline({ train_batch_size: 8, amp: { enabled: true, opt_level: 'O1' } }), env()).plan.precision).toMatchObject({ value: 'fp16', note: 'NVIDIA Apex AMP (amp.enabled)' });
    expect(deepspeed.extract(inline({ train_batch_size: 8, fp16: { enabled: false } }), env()).plan.precision).toMatchObject({ value: 'fp32', origin: 'default' });
  });

  it('elasticity with explicit batch keys is a conflict unless ignore_non_elastic_batch_info', () => {
    const { notes, conflicts = [] } = deepspeed.extract(inline({ train_batch_size: 8, zero_optimization: { stage: 0 }, elasticity: { enabled: true } }), env());
    expect(notes.join('\n')).toMatch(/elasticity is enabled/);
    expect(conflicts.map((c) => [c.kind, c.range.line])).toEqual([['elasticity-and-batch', 7]]);
    expect(conflicts[0].message).toMatch(/train_batch_size is set: DeepSpeed raises unless elasticity\.ignore_non_elastic_batch_info is true/);
    const ignored = deepspeed.extract(inline({ train_batch_size: 8, elasticity: { enabled: true, ignore_non_elastic_batch_info: true } }), env());
    expect(ignored.conflicts).toEqual([]);
  });
});

describe('deepspeed: detection', () => {
  it('claims the real DeepSpeed fixtures, with a score above the HF Trainer range', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))) {
      const file = fixture(name);
      expect([name, deepspeed.detect(file, env()) >= 7]).toEqual([name, true]);
      expect(hfTrainer.detect(file, env())).toBe(0);
      expect(openclip.detect(file, env())).toBe(0);
    }
  });

  it('does not claim a GPT-NeoX config that embeds DeepSpeed blocks', () => {
    const file = fixture('neox_125M.yml');
    expect(file.tree).toBeDefined();
    expect(deepspeed.detect(file, env())).toBe(0);
  });

  it('does not claim HF TrainingArguments or bare batch keys', () => {
    const hf = parseSource('train.yaml', 'per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\nbf16: true\ndeepspeed: ds_z3.json\nlearning_rate: 1.0e-5\n');
    expect(deepspeed.detect(hf, env())).toBe(0);
    expect(deepspeed.detect(inline({ train_batch_size: 32, gradient_accumulation_steps: 2 }), env())).toBe(0);
    expect(deepspeed.detect(inline({ optimizer: { name: 'adamw', lr: 1e-4 }, max_duration: '1ep' }), env())).toBe(0);
    expect(deepspeed.detect(parseSource('train.sh', 'deepspeed train.py --deepspeed ds.json\n'), env())).toBe(0);
  });

  it('claims a DeepSpeed fragment with several DeepSpeed sections (MoQ-style, no batch keys)', () => {
    expect(deepspeed.detect(inline({ steps_per_print: 10, gradient_clipping: 1.0, fp16: { enabled: true }, quantize_training: { enabled: true } }), env())).toBe(6);
  });

  it('claims only DeepSpeed files among all repository fixtures', () => {
    const claimed: string[] = [];
    for (const abs of listFiles(ALL_FIXTURES)) {
      if (!/\.(json|ya?ml|toml|sh)$/.test(abs)) continue;
      const file = parseSource(path.relative(ALL_FIXTURES, abs), readFileSync(abs, 'utf8'));
      if (deepspeed.detect(file, env()) > 0) claimed.push(file.path);
    }
    expect(claimed.length).toBeGreaterThanOrEqual(6);
    for (const p of claimed) expect(p).toMatch(/deepspeed|ds_/i);
  });
});

describe('deepspeed: built-in schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true });
  const validate = ajv.compile(schema);

  it('accepts the fixtures, "auto" included', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))) {
      const tree = fixture(name).tree;
      expect([name, validate(toPlain(tree!)), validate.errors]).toEqual([name, true, null]);
    }
  });

  it('rejects wrong types and ranges', () => {
    expect(validate({ train_batch_size: 0 })).toBe(false);
    expect(validate({ train_micro_batch_size_per_gpu: 'four' })).toBe(false);
    expect(validate({ scheduler: { type: 'WarmupLR', params: { warmup_type: 'cosine' } } })).toBe(false);
    expect(validate({ scheduler: { params: {} } })).toBe(false);
    expect(validate({ fp16: { enabled: 'yes' } })).toBe(false);
    expect(validate({ zero_optimization: { stage: 4 } })).toBe(false);
    expect(validate({ optimizer: { type: 'AdamW', params: { lr: 'auto', betas: [0.9, 0.999] } }, gradient_clipping: 'auto' })).toBe(true);
  });
});

const sweep = sharedTest(CORPUS);

describe('deepspeed: corpus sweep (../shared/corpus)', () => {
  sweep('claims the DeepSpeed configs and nothing else; every claimed file yields a plan and passes the schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true });
    const validate = ajv.compile(schema);
    const isDsDir = (rel: string) => DS_DIRS.some((d) => rel.startsWith(`${d}/`));
    let claimed = 0;
    let inDsDirs = 0;
    const outside: string[] = [];
    const schemaFailures: string[] = [];
    const fields: Partial<Record<PlanField, number>> = {};
    for (const abs of listFiles(CORPUS)) {
      if (!/\.(json|ya?ml|toml)$/.test(abs)) continue;
      const rel = path.relative(CORPUS, abs);
      const file = parseSource(rel, readFileSync(abs, 'utf8'));
      if (isDsDir(rel) && file.tree) inDsDirs++;
      if (!deepspeed.detect(file, env())) continue;
      claimed++;
      if (!isDsDir(rel)) outside.push(rel);
      if (!validate(toPlain(file.tree!))) schemaFailures.push(rel);
      const { plan } = deepspeed.extract(file, env({ worldSize: 8 }));
      for (const field of Object.keys(plan) as PlanField[]) fields[field] = (fields[field] ?? 0) + 1;
    }
    console.log(`deepspeed sweep: ${claimed} claimed of ${inDsDirs} parsed files in the DeepSpeed folders; fields with worldSize 8: ${JSON.stringify(fields)}`);
    expect(outside).toEqual([]);
    expect(schemaFailures).toEqual([]);
    // 109 at the corpus snapshot: the parsed files minus the bing_bert model/training configs.
    expect(claimed).toBeGreaterThanOrEqual(105);
    expect(fields.precision ?? 0).toBeGreaterThanOrEqual(90);
    expect(fields.globalBatchSize ?? 0).toBeGreaterThanOrEqual(60);
    expect(fields.microBatchSize ?? 0).toBeGreaterThanOrEqual(40);
    expect(fields.peakLr ?? 0).toBeGreaterThanOrEqual(40);
    expect(fields.warmupSteps ?? 0).toBeGreaterThanOrEqual(5);
  });
});
