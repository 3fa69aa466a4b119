/**
 * Hugging Face Transformers `TrainingArguments` written as YAML or JSON (read through
 * HfArgumentParser by TRL, alignment-handbook and many in-house scripts).
 * Keys, defaults and precedence: research/frameworks.md §3.
 */
import {
  applyAssumptions,
  boolAt,
  defaultSetting,
  derived,
  deriveGlobalBatch,
  deriveWarmupFromRatio,
  numberAt,
  stringAt,
} from '../engine/plan.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { getIn } from '../engine/tree.js';
import type { TrainingPlan } from '../engine/types.js';
import type { Dialect, MissingField } from './types.js';

export const HF_DEFAULTS = {
  perDeviceTrainBatchSize: 8,
  gradientAccumulationSteps: 1,
  learningRate: 5e-5,
  numTrainEpochs: 3,
  lrSchedulerType: 'linear',
  saveSteps: 500,
  loggingSteps: 500,
  optim: 'adamw_torch',
};

/** Keys that TrainingArguments has and other frameworks rarely use at the top level. */
const STRONG_KEYS = ['per_device_train_batch_size', 'num_train_epochs', 'lr_scheduler_type'];
const WEAK_KEYS = ['learning_rate', 'gradient_accumulation_steps', 'output_dir', 'save_strategy', 'warmup_ratio', 'logging_steps', 'eval_strategy', 'evaluation_strategy', 'max_steps', 'save_steps', 'bf16'];

const LOADER = 'pyyaml';

export const hfTrainer: Dialect = {
  meta: {
    id: 'hf-trainer',
    title: 'Hugging Face Trainer',
    description: 'TrainingArguments as YAML/JSON (HfArgumentParser: TRL, alignment-handbook, in-house)',
    yamlLoader: LOADER,
    schema: 'hf-trainer.schema.json',
  },
  detect(file) {
    const root = file.tree;
    if (!root || root.kind !== 'map') return 0;
    const has = (k: string) => getIn(root, [k]) !== undefined;
    const strong = STRONG_KEYS.filter(has).length;
    const weak = WEAK_KEYS.filter(has).length;
    if (strong >= 1 && strong + weak >= 2) return 4 + strong;
    return 0;
  },
  extract(file, env) {
    const plan: TrainingPlan = {};
    const missing: MissingField[] = [];
    const num = (key: string) => numberAt(file, [key], LOADER);

    plan.microBatchSize = num('per_device_train_batch_size') ?? defaultSetting(HF_DEFAULTS.perDeviceTrainBatchSize, 'per_device_train_batch_size');
    plan.gradAccumSteps = num('gradient_accumulation_steps') ?? defaultSetting(HF_DEFAULTS.gradientAccumulationSteps, 'gradient_accumulation_steps');
    plan.peakLr = num('learning_rate') ?? defaultSetting(HF_DEFAULTS.learningRate, 'learning_rate');
    plan.epochs = num('num_train_epochs') ?? defaultSetting(HF_DEFAULTS.numTrainEpochs, 'num_train_epochs');
    plan.scheduler = stringAt(file, ['lr_scheduler_type']) ?? defaultSetting(HF_DEFAULTS.lrSchedulerType, 'lr_scheduler_type');
    plan.optimizer = stringAt(file, ['optim']) ?? defaultSetting(HF_DEFAULTS.optim, 'optim');

    const maxSteps = num('max_steps');
    if (maxSteps && maxSteps.value > 0) plan.totalSteps = { ...maxSteps, unit: 'steps', note: 'max_steps > 0 overrides num_train_epochs' };

    // Warmup (v4: warmup_steps > 0 wins over warmup_ratio; v5: a warmup_steps < 1 is a ratio,
    // and a warmup_ratio overwrites warmup_steps). Both given: see conflicting-settings.
    const steps = num('warmup_steps');
    const ratio = num('warmup_ratio');
    if (steps && steps.value >= 1) {
      plan.warmupSteps = { ...steps, unit: 'steps' };
      if (ratio && ratio.value > 0) {
        plan.warmupSteps.note = 'warmup_ratio is also set: transformers v4 uses warmup_steps, v5 lets warmup_ratio overwrite it';
      }
    } else if (steps && steps.value > 0) {
      plan.warmupRatio = { ...steps, unit: 'ratio', note: 'warmup_steps < 1 is a fraction of total steps (transformers v5)' };
    } else if (ratio && ratio.value > 0) {
      plan.warmupRatio = { ...ratio, unit: 'ratio' };
    } else {
      plan.warmupSteps = steps ? { ...steps, unit: 'steps' } : { ...defaultSetting(0, 'warmup_steps'), unit: 'steps' };
    }

    const minLr = numberAt(file, ['lr_scheduler_kwargs', 'min_lr'], LOADER);
    if (minLr) plan.minLr = minLr;
    const minLrRate = numberAt(file, ['lr_scheduler_kwargs', 'min_lr_rate'], LOADER);
    if (!plan.minLr && minLrRate && plan.peakLr) {
      plan.minLr = derived(minLrRate.value * plan.peakLr.value, `min_lr_rate ${minLrRate.value} × learning_rate`);
    }

    const bf16 = boolAt(file, ['bf16']);
    const fp16 = boolAt(file, ['fp16']);
    if (bf16?.value) plan.precision = { ...bf16, value: 'bf16' };
    else if (fp16?.value) plan.precision = { ...fp16, value: 'fp16' };

    applyAssumptions(plan, env.assume);
    deriveGlobalBatch(plan);

    // trainer.py: steps/epoch = ceil(len(dataloader) / gas); total = ceil(epochs × steps/epoch).
    const { datasetSamples, microBatchSize, worldSize, gradAccumSteps, epochs } = plan;
    if (datasetSamples && microBatchSize && worldSize && gradAccumSteps) {
      const perStep = microBatchSize.value * worldSize.value;
      const batches = Math.ceil(datasetSamples.value / perStep);
      const spe = Math.max(1, Math.ceil(batches / gradAccumSteps.value));
      const gasPart = gradAccumSteps.value === 1 ? `ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)})` : `ceil(ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)}) / ${formatCount(gradAccumSteps.value)})`;
      plan.stepsPerEpoch = derived(spe, gasPart, 'steps');
      if (!plan.totalSteps && epochs) {
        plan.totalSteps = derived(Math.ceil(epochs.value * spe), `ceil(${formatCount(epochs.value)} × ${gasPart})`, 'steps');
      }
    }
    deriveWarmupFromRatio(plan);

    const saveStrategy = stringAt(file, ['save_strategy'])?.value ?? 'steps';
    if (saveStrategy === 'steps') {
      const save = num('save_steps') ?? defaultSetting(HF_DEFAULTS.saveSteps, 'save_steps');
      plan.saveEverySteps = fractionOfTotal(save, plan);
    }
    const evalStrategy = stringAt(file, ['eval_strategy'])?.value ?? stringAt(file, ['evaluation_strategy'])?.value ?? 'no';
    if (evalStrategy === 'steps') {
      const evalSteps = num('eval_steps') ?? num('logging_steps') ?? defaultSetting(HF_DEFAULTS.loggingSteps, 'logging_steps');
      plan.evalEverySteps = fractionOfTotal(evalSteps, plan);
    }

    if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'set assume.worldSize in .trainlint.yml (the launcher decides it: torchrun --nproc_per_node, accelerate --num_processes)' });
    if (!plan.totalSteps && !plan.datasetSamples) missing.push({ field: 'datasetSamples', hint: 'set max_steps, or assume.datasetSamples in .trainlint.yml' });
    return { plan, missing, anchor: fileStartRange(file), notes: [] };
  },
};

/** HF intervals below 1 are fractions of the total steps (TrainerState.compute_steps). */
function fractionOfTotal<T extends { value: number }>(setting: T, plan: TrainingPlan): T | ReturnType<typeof derived> | undefined {
  if (setting.value >= 1) return { ...setting, unit: 'steps' };
  if (!plan.totalSteps || setting.value <= 0) return undefined;
  return derived(Math.ceil(plan.totalSteps.value * setting.value), `ceil(${formatCount(plan.totalSteps.value)} × ${setting.value})`, 'steps');
}
