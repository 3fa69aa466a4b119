/**
 * axolotl (axolotl-ai-cloud/axolotl) YAML configs. The YAML is validated by the pydantic model
 * `AxolotlInputConfig` (utils/schemas/*.py), normalised by `utils/config/__init__.py::normalize_config`
 * and turned into HF TrainingArguments by `core/builders/*.py`; the step count comes from
 * `utils/trainer.py::calculate_total_num_steps`. Keys, defaults and precedence:
 * research/frameworks.md §7 (snapshot 067b021), §15.
 *
 * How axolotl differs from plain HF TrainingArguments:
 * - it computes the total steps itself and hands them to HF as `max_steps` (`cfg.max_steps or
 *   total_num_steps`), so the epoch count only enters through that estimate;
 * - it resolves warmup itself with a floor (`int(warmup_ratio × total)`), and without any
 *   warmup key it uses `min(int(0.03 × total), 100)`; a warmup of 1 step becomes 2;
 * - `saves_per_epoch` / `evals_per_epoch` become fractional `save_steps` / `eval_steps`.
 */
import { applyAssumptions, boolAt, dataParallel, defaultSetting, derived, derivedFrom, deriveGlobalBatch, numberAt, perRankBatchKnown, stringAt, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { type ConfigNode, getIn, hasKey } from '../engine/tree.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import type { PerDeviceAnchored } from '../engine/rescale.js';
import { deepspeedNote, fractionOfTotal, HF_AT_RUN_END } from './hf-trainer.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, MissingField, IgnoredSetting } from './types.js';
import { axolotlDatasets } from './dataset-refs.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** pydantic coerces numeric strings (`learning_rate: "1e-4"`, `convert_learning_rate`). */
const LOADER = 'pydantic';

export const AXOLOTL_DEFAULTS = {
  /** schemas/training.py HyperparametersConfig */
  microBatchSize: 1,
  gradientAccumulationSteps: 1,
  numEpochs: 1,
  lrScheduler: 'cosine',
  optimizer: 'adamw_torch_fused',
  /** schemas/config.py AxolotlInputConfig */
  sequenceLen: 512,
  /** core/builders/base.py::_configure_warmup_and_logging: no warmup key → min(int(0.03 × total), 100) */
  warmupFraction: 0.03,
  warmupCap: 100,
  /** HF TrainingArguments.save_steps, used when save_strategy is "steps" without save_steps */
  hfSaveSteps: 500,
};

/** Top-level keys only axolotl's schema has (with `base_model`, they identify a config). */
const AXOLOTL_KEYS = [
  'micro_batch_size',
  'sequence_len',
  'num_epochs',
  'adapter',
  'lora_r',
  'lora_target_linear',
  'lora_target_modules',
  'sample_packing',
  'eval_sample_packing',
  'pad_to_sequence_len',
  'val_set_size',
  'saves_per_epoch',
  'evals_per_epoch',
  'dataset_prepared_path',
  'pretraining_dataset',
  'special_tokens',
];

/** What extraction reports besides the plan. */
interface Out {
  notes: string[];
  conflicts: Conflict[];
  ignored?: IgnoredSetting[];
  launchChecks: Record<string, string>;
}

/** A contradiction axolotl rejects (error) or silently resolves (info), reported at `key`. */
function conflict(file: SourceFile, out: Out, key: string, kind: string, message: string, level: 'error' | 'info' = 'error'): void {
  const hit = getIn(file.tree, [key]);
  out.conflicts.push({ kind, message, range: hit ? hit.keyRange : fileStartRange(file), ...(level === 'info' ? { level } : {}) });
}

/** `datasets:` as axolotl writes it: a list of mappings with `path` and `type`. */
function hasTypedDatasets(datasets: ConfigNode | undefined): boolean {
  if (!datasets || datasets.kind !== 'seq') return false;
  return datasets.items.some((item) => item.kind === 'map' && hasKey(item, 'path') && hasKey(item, 'type'));
}

const AXOLOTL_GROUP = keyGroup(AXOLOTL_KEYS);
const BASE_MODEL_GROUP = keyGroup(['base_model']);
const PAIR_GROUP = keyGroup(['micro_batch_size', 'sequence_len']);

function detectScore(facts: DetectFacts): number {
  const root = facts.root;
  if (!root) return 0;
  // Every score needs base_model as a string, or the batch/length pair: without them nothing else is counted.
  const hasBaseModel = facts.some(BASE_MODEL_GROUP) && facts.string('base_model') !== undefined;
  const pair = facts.count(PAIR_GROUP) === 2;
  if (!hasBaseModel && !pair) return 0;
  const hits = facts.count(AXOLOTL_GROUP) + (hasTypedDatasets(facts.get('datasets')) ? 1 : 0);
  if (hasBaseModel && hits >= 2) return Math.min(10, 6 + hits);
  // A config fragment without base_model (e.g. merged by a wrapper) still has the batch/length pair.
  if (pair && hits >= 3) return 8;
  return 0;
}

/**
 * A numeric key as pydantic sees it: quoted numbers are coerced too, so the generic
 * "quoted string" remark of numberAt does not apply.
 */
function numAt(file: SourceFile, key: string): Setting<number> | undefined {
  const s = numberAt(file, [key], LOADER);
  if (s?.note?.startsWith('the value is a quoted string')) {
    const { note: _drop, ...rest } = s;
    return { ...rest, note: 'quoted; pydantic coerces it to a number' };
  }
  return s;
}

/** Whether a key is set to a truthy value, as axolotl's validators test it (`if data.get(k)`). */
function truthy(file: SourceFile, key: string): boolean {
  const hit = getIn(file.tree, [key]);
  if (!hit) return false;
  if (hit.node.kind !== 'scalar') return true;
  const v = hit.node.value;
  return v !== null && v !== false && v !== 0 && v !== '';
}

/** Batch keys: micro, accumulation, and the per-GPU `batch_size` (normalize_config). */
function readBatch(file: SourceFile, plan: TrainingPlan, out: Out): Setting<number> | undefined {
  plan.microBatchSize = numAt(file, 'micro_batch_size') ?? defaultSetting(AXOLOTL_DEFAULTS.microBatchSize, 'micro_batch_size');
  const batchSize = numAt(file, 'batch_size');
  const gas = numAt(file, 'gradient_accumulation_steps');
  const setCount = ['micro_batch_size', 'gradient_accumulation_steps', 'batch_size'].filter((k) => truthy(file, k)).length;
  if (setCount < 2) out.notes.push('axolotl requires at least two of micro_batch_size, gradient_accumulation_steps, batch_size (check_batch_size_fields): this config fails validation');

  if (gas) {
    plan.gradAccumSteps = gas;
    if (batchSize) {
      conflict(
        file,
        out,
        'batch_size',
        'batch-size-and-accumulation',
        'gradient_accumulation_steps and batch_size are both set: recent axolotl rejects this (check_gas_bsz: "please set only one of gradient_accumulation_steps or batch_size"); ' +
          'older versions train with gradient_accumulation_steps and size the step estimate with batch_size; remove batch_size',
      );
    }
  } else if (batchSize && plan.microBatchSize.value > 0) {
    // normalize_config: gradient_accumulation_steps = gradient_accumulation_steps or batch_size // micro_batch_size
    const value = Math.floor(batchSize.value / plan.microBatchSize.value);
    // rescale edits batch_size, which the accumulation follows (engine/rescale.ts PerDeviceAnchored).
    const accumulation: PerDeviceAnchored = { ...derived(value, `batch_size ${formatCount(batchSize.value)} // micro_batch_size ${formatCount(plan.microBatchSize.value)}`), perDeviceBatch: batchSize };
    plan.gradAccumSteps = accumulation;
    plan.gradAccumSteps.note =
      'batch_size is per GPU (micro × accumulation) and axolotl warns it is not recommended; its schema also gives gradient_accumulation_steps a default of 1, ' +
      'which (if it reaches normalize_config) keeps accumulation at 1: set gradient_accumulation_steps instead';
    if (batchSize.value % plan.microBatchSize.value !== 0) {
      out.notes.push(`batch_size ${formatCount(batchSize.value)} is not a multiple of micro_batch_size ${formatCount(plan.microBatchSize.value)}: accumulation rounds down to ${value}`);
    }
  } else {
    plan.gradAccumSteps = defaultSetting(AXOLOTL_DEFAULTS.gradientAccumulationSteps, 'gradient_accumulation_steps');
  }
  return batchSize;
}

/**
 * Precision as resolve_dtype() and the builder resolve it: bf16 wins over fp16 (silently), and
 * `bf16: auto` (the default) depends on the GPU found at launch.
 */
function readPrecision(file: SourceFile, plan: TrainingPlan, out: Out): void {
  // Each key is read when its branch is reached (the reads are pure: most configs stop at bf16).
  const fp8 = boolAt(file, ['fp8']);
  if (fp8?.value) {
    plan.precision = { ...fp8, value: 'fp8' };
    return;
  }
  const bf16Hit = getIn(file.tree, ['bf16']);
  const bf16Raw = bf16Hit?.node.kind === 'scalar' ? bf16Hit.node.value : undefined;
  const fp16 = boolAt(file, ['fp16']);
  if (bf16Raw === true || bf16Raw === 'full') {
    // `full`: the builder sets bf16_full_eval instead of the bf16 AMP flag, and resolve_dtype loads the weights in bf16.
    plan.precision = { ...(stringAt(file, ['bf16']) as Setting<string>), value: bf16Raw === 'full' ? 'pure_bf16' : 'bf16' };
    if (bf16Raw === 'full') plan.precision.note = 'bf16: full trains bf16 weights without AMP and evaluates in bf16 (bf16_full_eval)';
    if (fp16?.value) conflict(file, out, 'fp16', 'precision', 'fp16: true has no effect with bf16 set: axolotl silently drops fp16 (resolve_dtype); remove one of them', 'info');
    return;
  }
  if (fp16?.value) {
    plan.precision = { ...fp16, value: 'fp16' };
    return;
  }
  const bfloat16 = boolAt(file, ['bfloat16']);
  if (bfloat16?.value) {
    plan.precision = { ...bfloat16, value: 'pure_bf16', note: 'bfloat16: true loads the weights in bf16 without AMP' };
    return;
  }
  const float16 = boolAt(file, ['float16']);
  if (float16?.value) {
    plan.precision = { ...float16, value: 'pure_fp16', note: 'float16: true loads the weights in fp16 without AMP' };
    return;
  }
  if (bf16Hit && (bf16Raw === false || bf16Raw === null)) {
    // An empty `bf16:` is None for pydantic (not the "auto" default): no bf16 detection.
    const note = bf16Raw === null ? 'bf16 is empty (None), which turns off the bf16 auto-detection' : undefined;
    plan.precision = { value: 'fp32', origin: 'explicit', file: file.path, key: 'bf16', range: bf16Hit.keyRange, ...(note ? { note } : {}) };
    return;
  }
  // bf16: auto, written or the schema default.
  const fallback = fp16?.value === false ? 'fp32 (fp16: false)' : 'fp16';
  const note = `bf16: auto resolves at launch: bf16 when the GPU supports it (Ampere or newer), else ${fallback}`;
  const bf16Key = bf16Raw === 'auto' ? stringAt(file, ['bf16']) : undefined;
  plan.precision = bf16Key ? { ...bf16Key, value: 'auto', note } : defaultSetting('auto', 'bf16', note);
}

/** The learning-rate schedule: type, and the floor of a cosine decay. */
function readSchedule(file: SourceFile, plan: TrainingPlan, out: Out): void {
  plan.scheduler = stringAt(file, ['lr_scheduler']) ?? defaultSetting(AXOLOTL_DEFAULTS.lrScheduler, 'lr_scheduler');
  const scheduler = plan.scheduler.value;
  if (scheduler === 'one_cycle' || scheduler === 'rex') {
    out.notes.push(`lr_scheduler: ${scheduler} is passed to HF as lr_scheduler_type cosine with an alternate ${scheduler} scheduler`);
  }
  const minLrAbs = numberAt(file, ['lr_scheduler_kwargs', 'min_lr'], LOADER);
  const ratio = numAt(file, 'cosine_min_lr_ratio');
  if (minLrAbs) {
    plan.minLr = minLrAbs;
  } else if (scheduler === 'cosine' && ratio && plan.peakLr) {
    // core/trainers/mixins/scheduler.py: cosine with cosine_min_lr_ratio decays to ratio × learning_rate.
    plan.minLr = derivedFrom(ratio, ratio.value * plan.peakLr.value, `cosine_min_lr_ratio ${ratio.value} × learning_rate`);
    if (ratio.value > 1) {
      out.launchChecks['min-lr-exceeds-lr'] = 'axolotl refuses to start (its scheduler asserts "cosine_min_lr_ratio must be between 0.0 and 1.0")';
    }
  } else if (scheduler === 'cosine' && !ratio) {
    plan.minLr = defaultSetting(0, 'cosine_min_lr_ratio', 'cosine decays to 0');
  } else if (ratio) {
    (out.ignored ??= []).push({ key: 'cosine_min_lr_ratio', range: ratio.range ?? fileStartRange(file), message: `cosine_min_lr_ratio has no effect with lr_scheduler ${scheduler}: it is only read for cosine` });
  }
  if (truthy(file, 'cosine_constant_lr_ratio')) out.notes.push('cosine_constant_lr_ratio holds the LR constant at the floor for the final part of the cosine schedule');
  if (boolAt(file, ['lr_quadratic_warmup'])?.value) out.notes.push('lr_quadratic_warmup: the warmup is quadratic, not linear');
}

interface Estimate {
  /** calculate_total_num_steps without packing, when the dataset size is known. */
  steps?: Setting<number>;
}

/**
 * Total optimizer steps. HF gets `max_steps = cfg.max_steps or total_num_steps`; the estimate
 * (without sample packing) is `ceil(len(dataset) × num_epochs × cp × tp / batch_size)` where
 * batch_size = per-GPU batch × (world // cp // tp) (normalize_config).
 */
function resolveTotal(file: SourceFile, plan: TrainingPlan, batchSize: Setting<number> | undefined, out: Out, missing: MissingField[]): Estimate {
  const maxSteps = numAt(file, 'max_steps');
  if (maxSteps && maxSteps.value > 0) plan.totalSteps = withUnit(maxSteps, 'steps', 'max_steps is passed to HF as is; num_epochs only sizes the estimate');

  const packing = boolAt(file, ['sample_packing'])?.value === true;
  const streaming = truthy(file, 'pretraining_dataset') || boolAt(file, ['streaming'])?.value === true;
  const rl = stringAt(file, ['rl'])?.value;
  const { datasetSamples, microBatchSize, gradAccumSteps, epochs } = plan;
  const dp = dataParallel(plan);
  const cpTp = modelParallelDegree(file);

  // Steps per epoch as the HF dataloader counts them (informational; axolotl passes max_steps).
  if (datasetSamples && microBatchSize && gradAccumSteps && dp && !packing && !streaming) {
    const perStep = microBatchSize.value * dp.value;
    const batches = Math.ceil(datasetSamples.value / perStep);
    const spe = Math.max(1, Math.ceil(batches / gradAccumSteps.value));
    plan.stepsPerEpoch = derived(spe, `ceil(ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)}) / ${formatCount(gradAccumSteps.value)})`, 'steps');
  }

  const estimate: Estimate = {};
  if (streaming) {
    if (!plan.totalSteps) missing.push({ field: 'totalSteps', hint: 'set max_steps: axolotl requires it with pretraining_dataset / streaming data (check_pretraining_w_max_steps)' });
    return estimate;
  }
  if (packing) {
    if (!plan.totalSteps) {
      missing.push({
        field: 'totalSteps',
        hint: 'set max_steps, or assume.totalSteps in .trainlint.yml: with sample_packing axolotl estimates the steps from token counts (total_num_tokens / sample_packing_eff_est / sequence_len)',
      });
    }
    return estimate;
  }
  if (rl) {
    out.notes.push(`rl: ${rl}: the step estimate of TRL-based RL runs is not derived; set max_steps or assume.totalSteps`);
    if (!plan.totalSteps) missing.push({ field: 'totalSteps', hint: 'set max_steps, or assume.totalSteps in .trainlint.yml' });
    return estimate;
  }
  if (datasetSamples && microBatchSize && gradAccumSteps && dp && epochs) {
    const perGpu = batchSize?.value ?? microBatchSize.value * gradAccumSteps.value;
    const global = perGpu * dp.value;
    const factor = cpTp.value > 1 ? ` × ${cpTp.value}` : '';
    const value = Math.ceil((datasetSamples.value * epochs.value * cpTp.value) / global);
    const perGpuText = batchSize ? `batch_size ${formatCount(perGpu)}` : `${formatCount(microBatchSize.value)} × ${formatCount(gradAccumSteps.value)}`;
    const dpText = plan.dataParallelSize ? 'data-parallel ranks' : 'GPUs';
    estimate.steps = derived(
      value,
      `ceil(${formatCount(datasetSamples.value)} × ${formatCount(epochs.value)}${factor} / ${formatCount(global)}), ${formatCount(global)} = ${perGpuText} × ${formatCount(dp.value)} ${dpText}`,
      'steps',
    );
    if (cpTp.value > 1) out.notes.push(`calculate_total_num_steps multiplies by context × tensor parallel size ${cpTp.value} (${cpTp.how}) after dividing the batch by it`);
    if (!plan.totalSteps) plan.totalSteps = estimate.steps;
    else if (estimate.steps.value < plan.totalSteps.value) {
      out.notes.push(`max_steps ${formatCount(plan.totalSteps.value)} exceeds axolotl's estimate of ${formatCount(estimate.steps.value)} steps: HF repeats the data, and a ratio warmup is computed on the estimate`);
    }
  } else if (!plan.totalSteps) {
    missing.push({ field: 'datasetSamples', hint: 'set max_steps, or assume.datasetSamples in .trainlint.yml (training samples after val_set_size)' });
  }
  return estimate;
}

/** Context × tensor parallel degree (world // cp // tp is the data-parallel size). */
function modelParallelDegree(file: SourceFile): { value: number; how: string } {
  const cp = numAt(file, 'context_parallel_size') ?? numAt(file, 'sequence_parallel_degree');
  const tp = numAt(file, 'tensor_parallel_size');
  const cpv = cp && cp.value > 1 ? cp.value : 1;
  const tpv = tp && tp.value > 1 ? tp.value : 1;
  const parts = [cpv > 1 ? `${cp?.key} ${cpv}` : '', tpv > 1 ? `tensor_parallel_size ${tpv}` : ''].filter(Boolean);
  return { value: cpv * tpv, how: parts.join(' × ') || '1' };
}

/**
 * Warmup as _configure_warmup_and_logging resolves it: warmup_steps if set; else
 * int(warmup_ratio × total); else min(int(0.03 × total), 100); then 1 becomes 2.
 * `total` is min(estimate, max_steps) (prepare_datasets).
 */
function resolveWarmup(file: SourceFile, plan: TrainingPlan, estimate: Estimate, out: Out): void {
  const steps = numAt(file, 'warmup_steps');
  const ratio = numAt(file, 'warmup_ratio');
  if (truthy(file, 'warmup_steps') && truthy(file, 'warmup_ratio')) {
    conflict(file, out, 'warmup_ratio', 'warmup-steps-and-ratio', 'warmup_steps and warmup_ratio are both set: axolotl rejects the config ("warmup_steps and warmup_ratio are mutually exclusive", check_warmup); keep one');
  }
  if (getIn(file.tree, ['jagged_restart_warmup_steps'])) {
    out.notes.push('jagged_restart_warmup_steps is the ReLoRA restart warmup, not the learning-rate warmup');
  }
  const base = warmupBase(plan, estimate);
  if (steps && steps.value > 0 && steps.value < 1) {
    // A fractional warmup_steps reaches HF as is; transformers v5 reads a value < 1 as a ratio (ceil).
    plan.warmupRatio = {
      ...steps,
      unit: 'ratio',
      note: 'a fractional warmup_steps is a ratio of the total steps for transformers v5; axolotl versions whose schema types warmup_steps as an integer reject it',
    };
    if (base) plan.warmupSteps = derived(Math.ceil(steps.value * base.value), `ceil(${formatCount(base.value)} × ${steps.value})${base.how}`, 'steps');
    return;
  }
  if (steps) {
    if (steps.value === 0) out.notes.push('warmup_steps: 0 means no warmup in current axolotl; versions that test it for truthiness fall back to warmup_ratio or the default warmup');
    plan.warmupSteps = steps.value === 1 ? { ...steps, value: 2, unit: 'steps', note: 'axolotl turns a warmup of 1 step into 2' } : withUnit(steps, 'steps');
    return;
  }
  if (ratio) {
    plan.warmupRatio = withUnit(ratio, 'ratio');
    // At warmup_ratio's key, remembering the ratio as written: rules compare the ratio itself and advise a ratio.
    if (base) {
      plan.warmupSteps = {
        ...bumpOne(derivedFrom(ratio, Math.max(Math.floor(ratio.value * base.value), 0), `int(${ratio.value} × ${formatCount(base.value)})${base.how}`, 'steps')),
        fractionOf: { fraction: ratio.value, of: 'the run', ofSteps: base.value },
      };
    }
    return;
  }
  if (base) {
    const value = Math.min(Math.floor(AXOLOTL_DEFAULTS.warmupFraction * base.value), AXOLOTL_DEFAULTS.warmupCap);
    plan.warmupSteps = bumpOne(derived(value, `min(int(0.03 × ${formatCount(base.value)}), 100)${base.how}`, 'steps'));
    plan.warmupSteps.note = 'axolotl default when neither warmup_steps nor warmup_ratio is set';
  } else {
    plan.warmupRatio = {
      ...defaultSetting(AXOLOTL_DEFAULTS.warmupFraction, 'warmup_ratio', 'no warmup key: axolotl warms up for min(int(0.03 × total steps), 100) steps'),
      unit: 'ratio',
    };
  }
}

function warmupBase(plan: TrainingPlan, estimate: Estimate): { value: number; how: string } | undefined {
  const total = plan.totalSteps;
  if (!total) return undefined;
  if (estimate.steps && total !== estimate.steps && estimate.steps.value < total.value) {
    return { value: estimate.steps.value, how: ' (the estimate, below max_steps)' };
  }
  return { value: total.value, how: '' };
}

function bumpOne(s: Setting<number>): Setting<number> {
  if (s.value !== 1) return s;
  return { ...s, value: 2, how: `${s.how} = 1, raised to 2 by axolotl` };
}

/**
 * `saves_per_epoch` / `evals_per_epoch` → a fractional interval 1 / (per_epoch × num_epochs)
 * (normalize_config), which HF turns into ceil(max_steps × fraction) steps. A fraction of
 * exactly 1 leaves the interval unset; above 1 axolotl warns and drops it.
 */
function perEpochInterval(file: SourceFile, key: 'saves_per_epoch' | 'evals_per_epoch', plan: TrainingPlan, out: Out): Setting<number> | undefined {
  const per = numAt(file, key);
  const epochs = plan.epochs;
  if (!per || per.value <= 0 || !epochs) return undefined;
  const fraction = 1 / (per.value * epochs.value);
  const what = key === 'saves_per_epoch' ? 'save_steps' : 'eval_steps';
  if (fraction > 1) {
    out.notes.push(`${key} ${formatCount(per.value)} × num_epochs ${formatCount(epochs.value)} < 1: axolotl warns and ${key === 'saves_per_epoch' ? 'saves at the end only' : 'skips evaluation'}`);
    return undefined;
  }
  if (fraction === 1) {
    out.notes.push(
      key === 'saves_per_epoch'
        ? `saves_per_epoch × num_epochs = 1 leaves save_steps unset: axolotl then saves per save_strategy (default: once per epoch)`
        : `evals_per_epoch × num_epochs = 1 leaves eval_steps unset: axolotl then evaluates per eval_strategy, if set`,
    );
    return undefined;
  }
  if (!plan.totalSteps) return undefined;
  const value = Math.ceil(plan.totalSteps.value * fraction);
  return {
    ...derived(value, `ceil(${formatCount(plan.totalSteps.value)} × 1 / (${key} ${formatCount(per.value)} × num_epochs ${formatCount(epochs.value)}))`, 'steps'),
    note: `${key} becomes ${what} = ${Number(fraction.toFixed(6))} of the total steps`,
  };
}

/**
 * A `*_strategy` string. A YAML 1.1 boolean (`save_strategy: no` loads as false) is not a
 * strategy: axolotl's pydantic model rejects it, which the built-in schema and
 * yaml11-ambiguous-scalar report; no strategy is read from it.
 */
function strategyAt(file: SourceFile, key: string): string | undefined {
  const hit = getIn(file.tree, [key]);
  if (hit?.node.kind === 'scalar' && typeof hit.node.value === 'boolean') return undefined;
  return stringAt(file, [key])?.value;
}

function resolveIntervals(file: SourceFile, plan: TrainingPlan, out: Out): void {
  // Saves (core/builders/base.py::_configure_save_and_eval_strategy): save_steps → "steps";
  // else save_strategy; else one save per epoch.
  const saveStrategy = strategyAt(file, 'save_strategy');
  if (truthy(file, 'save_steps') && truthy(file, 'saves_per_epoch')) {
    conflict(file, out, 'saves_per_epoch', 'save-steps-and-per-epoch', 'save_steps and saves_per_epoch are both set: axolotl rejects the config ("save_steps and saves_per_epoch are mutually exclusive", check_saves); keep one');
  }
  if (saveStrategy && saveStrategy !== 'steps' && truthy(file, 'save_steps')) {
    conflict(file, out, 'save_steps', 'save-steps-and-strategy', `save_steps with save_strategy ${saveStrategy}: axolotl rejects the config ("save_strategy and save_steps mismatch", check_saves)`);
  }
  const saveSteps = numAt(file, 'save_steps');
  let save: Setting<number> | undefined;
  if (saveSteps && saveSteps.value > 0) save = fractionOfTotal(saveSteps, plan);
  else if (truthy(file, 'saves_per_epoch')) save = perEpochInterval(file, 'saves_per_epoch', plan, out);
  else if (saveStrategy === 'steps') save = withUnit(defaultSetting(AXOLOTL_DEFAULTS.hfSaveSteps, 'save_steps', 'HF default: save_strategy steps without save_steps'), 'steps');
  if (save) plan.saveEverySteps = save;

  if (truthy(file, 'eval_steps') && truthy(file, 'evals_per_epoch')) {
    conflict(file, out, 'evals_per_epoch', 'eval-steps-and-per-epoch', 'eval_steps and evals_per_epoch are both set: axolotl rejects the config ("eval_steps and evals_per_epoch are mutually exclusive", check_evals); keep one');
  }
  // Evals run only with a validation split or test datasets.
  const valSetSize = numAt(file, 'val_set_size');
  const hasEval = (valSetSize !== undefined && valSetSize.value > 0) || truthy(file, 'test_datasets');
  if (!hasEval) return;
  const evalSteps = numAt(file, 'eval_steps');
  let every: Setting<number> | undefined;
  if (evalSteps && evalSteps.value > 0) every = fractionOfTotal(evalSteps, plan);
  else if (truthy(file, 'evals_per_epoch')) every = perEpochInterval(file, 'evals_per_epoch', plan, out);
  if (every) plan.evalEverySteps = every;
}

function extractAxolotl(file: SourceFile, env: ExtractEnv): Extraction {
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const out: Out = { notes: [], conflicts: [], launchChecks: {} };

  const batchSize = readBatch(file, plan, out);
  const lr = numAt(file, 'learning_rate');
  if (lr) plan.peakLr = lr;
  else missing.push({ field: 'peakLr', hint: 'set learning_rate (a number): axolotl requires it' });
  plan.epochs = numAt(file, 'num_epochs') ?? defaultSetting(AXOLOTL_DEFAULTS.numEpochs, 'num_epochs');
  plan.optimizer = stringAt(file, ['optimizer']) ?? defaultSetting(AXOLOTL_DEFAULTS.optimizer, 'optimizer');
  const seqLen = numAt(file, 'sequence_len');
  plan.seqLen = seqLen ? withUnit(seqLen, 'tokens') : withUnit(defaultSetting(AXOLOTL_DEFAULTS.sequenceLen, 'sequence_len'), 'tokens');
  if (boolAt(file, ['sample_packing'])?.value) plan.seqLen.note = 'sample_packing: samples are packed into sequences of up to sequence_len tokens';
  readSchedule(file, plan, out);
  readPrecision(file, plan, out);
  const ds = deepspeedNote(file);
  if (ds) out.notes.push(ds);

  applyAssumptions(plan, env.assume);
  // Data-parallel size: normalize_config multiplies batch_size by world // cp // tp.
  const cpTp = modelParallelDegree(file);
  if (cpTp.value > 1 && plan.worldSize && !plan.dataParallelSize) {
    const dp = Math.floor(plan.worldSize.value / cpTp.value);
    plan.dataParallelSize = derived(dp, `${formatCount(plan.worldSize.value)} GPUs // (${cpTp.how})`);
  }
  deriveGlobalBatch(plan);
  if (batchSize && plan.microBatchSize && plan.gradAccumSteps && batchSize.value !== plan.microBatchSize.value * plan.gradAccumSteps.value) {
    out.notes.push(
      `batch_size ${formatCount(batchSize.value)} ≠ micro_batch_size × gradient_accumulation_steps = ${formatCount(plan.microBatchSize.value * plan.gradAccumSteps.value)}: ` +
        'training uses micro × accumulation, the step estimate uses batch_size',
    );
  }

  const estimate = resolveTotal(file, plan, batchSize, out, missing);
  resolveWarmup(file, plan, estimate, out);
  resolveIntervals(file, plan, out);

  if (!plan.worldSize) {
    missing.push({ field: 'worldSize', hint: 'set assume.worldSize in .trainlint.yml (axolotl reads WORLD_SIZE from the launcher: accelerate launch, torchrun)' });
  }
  return { plan, missing, anchor: fileStartRange(file), notes: out.notes, conflicts: out.conflicts, launchChecks: out.launchChecks, atRunEnd: HF_AT_RUN_END, ...(out.ignored ? { ignored: out.ignored } : {}) };
}

export const axolotl: Dialect = {
  meta: {
    id: 'axolotl',
    title: 'axolotl',
    description: 'axolotl YAML configs (base_model, datasets, micro_batch_size, sequence_len…)',
    yamlLoader: LOADER,
    // `axolotl train x.yml --learning-rate 2e-5` (click), `python -m axolotl.cli.train x.yml --learning_rate=2e-5`: load_cfg writes them over the YAML.
    launchOverrides: ['click', 'argparse'],
    // The YAML is read with yaml.safe_load; pydantic then coerces numeric strings, not booleans.
    yamlLoaderName: "PyYAML (axolotl's yaml.safe_load, before pydantic)",
    schema: 'axolotl.schema.json',
  },
  datasets: axolotlDatasets,
  // resolveTotal reads the rows (steps per epoch, the step estimate) only with micro_batch_size, accumulation and the data-parallel size.
  usesDatasetRows: perRankBatchKnown,
  detect(file, _env, facts = detectFacts(file)) {
    return detectScore(facts);
  },
  extract(file, env) {
    return extractAxolotl(file, env);
  },
};
