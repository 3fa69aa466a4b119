/**
 * Hugging Face Transformers `TrainingArguments` written as YAML or JSON (read through
 * HfArgumentParser by TRL, alignment-handbook and many in-house scripts).
 * Keys, defaults and precedence: research/frameworks.md §3.
 */
import { applyAssumptions, boolAt, dataParallel, defaultSetting, derived, derivedFrom, deriveGlobalBatch, numberAt, stringAt, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatValue } from '../engine/format-number.js';
import { getIn, type ConfigNode } from '../engine/tree.js';
import type { PlanField, Setting, TrainingPlan } from '../engine/types.js';
import type { ConfigError, Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField, YamlLoader } from './types.js';
import { hfTrainerDatasets } from './dataset-refs.js';
import { hfYamlLoader } from './hf-parser.js';
import { trlExtension } from './trl.js';
import { type MatchedValue, recordMatchedValues } from '../engine/links.js';
import { detectFacts, keyGroup } from './detect-facts.js';

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
const STRONG_GROUP = keyGroup(STRONG_KEYS);
const WEAK_GROUP = keyGroup(WEAK_KEYS);

const LOADER = 'pyyaml';

export const hfTrainer: Dialect = {
  meta: {
    id: 'hf-trainer',
    title: 'Hugging Face Trainer',
    description: 'TrainingArguments as YAML/JSON (HfArgumentParser: TRL, alignment-handbook, in-house)',
    yamlLoader: LOADER,
    // `python train.py sft.yaml --learning_rate 2e-5`, `--config x.yaml …`: HfArgumentParser / TrlParser apply the flags over the YAML.
    launchOverrides: ['argparse'],
    schema: 'hf-trainer.schema.json',
    // HfArgumentParser.parse_json_file: json.loads of the file's text, which rejects a byte order mark.
    jsonLoader: 'json',
  },
  datasets: hfTrainerDatasets,
  detect(file, _env, facts = detectFacts(file)) {
    if (!facts.root) return 0;
    const strong = facts.count(STRONG_GROUP);
    if (strong === 0) return 0;
    if (strong >= 2 || facts.some(WEAK_GROUP)) return 4 + strong;
    return 0;
  },
  extract(file, env) {
    const anchor = fileStartRange(file);
    // TrlParser or HfArgumentParser.parse_yaml_file, as the launch runs the file (hf-parser.ts).
    const yamlLoader = hfYamlLoader(file);
    const loader = yamlLoader.loader;
    // TRL's GRPOConfig / DPOConfig (trl.ts): their defaults, RL units and start-up checks.
    const trl = trlExtension(file, env, loader, anchor);
    const { plan, missing, notes, conflicts, ignored } = extractHfTrainingArguments(file, env, loader, {
      readExtra: (p, n) => {
        readTrlSeqLen(file, p, n, loader);
        trl?.readExtra(p, n);
      },
      ...(trl ? { beforeDerive: trl.beforeDerive, ...(trl.deriveSteps ? { deriveSteps: trl.deriveSteps } : {}) } : {}),
    });
    const intervalErrors = fractionalIntervals(file, loader);
    if (!trl) return { plan, missing, anchor, notes, conflicts, ignored, atRunEnd: HF_AT_RUN_END, yamlLoader, ...(intervalErrors.length ? { configErrors: intervalErrors } : {}) };
    if (plan.samplesPerPrompt && plan.globalBatchSize) plan.globalBatchSize = withUnit(plan.globalBatchSize, 'completions');
    return {
      plan,
      missing,
      anchor,
      notes,
      conflicts: [...conflicts, ...trl.conflicts],
      ignored,
      atRunEnd: HF_AT_RUN_END,
      ...(trl.batchChecks.length ? { batchChecks: trl.batchChecks } : {}),
      ...(trl.configErrors.length + intervalErrors.length ? { configErrors: [...intervalErrors, ...trl.configErrors] } : {}),
      launchChecks: trl.launchChecks,
      yamlLoader,
    };
  },
};

/**
 * TrainingArguments.__post_init__ takes `logging_steps`, `eval_steps` and `save_steps` below 1 as a
 * fraction of the run, and refuses a float above 1 that is not whole ("--eval_steps must be an integer
 * if bigger than 1: 1.5"). research/frameworks.md §3.
 */
function fractionalIntervals(file: SourceFile, loader: YamlLoader): ConfigError[] {
  const out: ConfigError[] = [];
  for (const key of ['logging_steps', 'eval_steps', 'save_steps']) {
    const s = numberAt(file, [key], loader);
    if (!s || s.value <= 1 || Number.isInteger(s.value)) continue;
    out.push({
      range: s.range ?? fileStartRange(file),
      message: `${key} ${formatValue(s.value)}: the Trainer refuses to start ("--${key} must be an integer if bigger than 1: ${s.value}"); a value above 1 counts steps: write ${formatCount(Math.round(s.value))}, or a fraction below 1 of the run`,
      data: { key, value: s.value },
    });
  }
  return out;
}

/**
 * TRL configs (SFTConfig, DPOConfig, ORPOConfig…) subclass TrainingArguments and add the
 * sequence length: `max_length` (prompt + completion for preference trainers); SFTConfig
 * called it `max_seq_length` until TRL 0.16 deprecated it (removed in 0.20, huggingface/trl#3912).
 * No default is applied: plain TrainingArguments has no sequence length, and the TRL default
 * depends on the config class and version.
 */
function readTrlSeqLen(file: SourceFile, plan: TrainingPlan, notes: string[], loader: YamlLoader): void {
  const maxLength = numberAt(file, ['max_length'], loader);
  const maxSeqLength = numberAt(file, ['max_seq_length'], loader);
  if (maxLength) {
    plan.seqLen = withUnit(maxLength, 'tokens');
    if (maxSeqLength && maxSeqLength.value !== maxLength.value) {
      notes.push(`max_length ${formatCount(maxLength.value)} and max_seq_length ${formatCount(maxSeqLength.value)} are both set; TRL ≥ 0.16 reads max_length (max_seq_length was removed in 0.20)`);
    }
  } else if (maxSeqLength) {
    plan.seqLen = withUnit(maxSeqLength, 'tokens', 'max_seq_length is the pre-0.16 TRL name of max_length; TRL 0.20+ rejects it');
  }
  if (boolAt(file, ['packing'])?.value === true) {
    notes.push('packing: SFTTrainer packs samples into sequences of max_length tokens, so a step count from assume.datasetSamples needs the number of packed sequences');
  }
}

export interface HfExtractHooks {
  /** Read framework keys before `assume` is applied (explicit values and defaults win over assumptions). */
  readExtra?: (plan: TrainingPlan, notes: string[]) => void;
  /** After `assume` is applied, before the derivations (global batch, steps per epoch, totals). */
  beforeDerive?: (plan: TrainingPlan, notes: string[]) => void;
  /**
   * Replace Trainer's steps-per-epoch and total-steps derivation (e.g. a PPO trainer that counts
   * its own steps). Return true when it ran; warmup and intervals are derived from its result.
   */
  deriveSteps?: (plan: TrainingPlan, notes: string[]) => boolean;
}

export interface HfExtraction {
  plan: TrainingPlan;
  missing: MissingField[];
  notes: string[];
  conflicts: Conflict[];
  /** Written values the Trainer ignores (a warmup under lr_scheduler_type constant). */
  ignored: IgnoredSetting[];
}

/** How a value is written, for a hint: a scalar as written (with its tag), else what it is. */
function writtenAs(node: ConfigNode): string {
  if (node.kind === 'scalar') return `\`${node.tag ? `${node.tag} ` : ''}${node.source}\``;
  return node.kind === 'map' ? 'a mapping' : 'a list';
}

/**
 * The TrainingArguments keys of a config tree, resolved the way `Trainer` resolves them
 * (research/frameworks.md §3). Shared by every dialect whose YAML is parsed into (a subclass of)
 * TrainingArguments: hf-trainer (TRL, alignment-handbook) and llama-factory. `loader` is how
 * the calling framework types its YAML scalars.
 */
export function extractHfTrainingArguments(file: SourceFile, env: ExtractEnv, loader: YamlLoader, hooks: HfExtractHooks = {}): HfExtraction {
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const conflicts: Conflict[] = [];
  const num = (key: string) => numberAt(file, [key], loader);
  /**
   * A numeric key: its value; the Trainer's default when the key is not written (or is null); unknown, with a
   * hint, when it is written as something that is not a number (`learning_rate: abc`, `!include lr.yaml`): the
   * run does not use the default then (the schema rule or a parse-error reports the value).
   */
  const numOrDefault = (key: string, fallback: number, field: PlanField): Setting<number> | undefined => {
    const value = num(key);
    if (value) return value;
    const written = getIn(file.tree, [key])?.node;
    if (written && !(written.kind === 'scalar' && written.value === null)) {
      missing.push({ field, hint: `${key} is written as ${writtenAs(written)}, not a number the Trainer reads: write the number` });
      return undefined;
    }
    return defaultSetting(fallback, key);
  };

  const micro = numOrDefault('per_device_train_batch_size', HF_DEFAULTS.perDeviceTrainBatchSize, 'microBatchSize');
  if (micro) plan.microBatchSize = micro;
  const accumulation = numOrDefault('gradient_accumulation_steps', HF_DEFAULTS.gradientAccumulationSteps, 'gradAccumSteps');
  if (accumulation) plan.gradAccumSteps = accumulation;
  const lr = numOrDefault('learning_rate', HF_DEFAULTS.learningRate, 'peakLr');
  if (lr) plan.peakLr = lr;
  const epochs = numOrDefault('num_train_epochs', HF_DEFAULTS.numTrainEpochs, 'epochs');
  if (epochs) plan.epochs = epochs;
  plan.scheduler = stringAt(file, ['lr_scheduler_type']) ?? defaultSetting(HF_DEFAULTS.lrSchedulerType, 'lr_scheduler_type');
  plan.optimizer = stringAt(file, ['optim']) ?? defaultSetting(HF_DEFAULTS.optim, 'optim');

  const maxSteps = num('max_steps');
  if (maxSteps && maxSteps.value > 0) plan.totalSteps = withUnit(maxSteps, 'steps', 'max_steps > 0 overrides num_train_epochs');

  const ignored: IgnoredSetting[] = [];
  const steps = num('warmup_steps');
  const ratio = num('warmup_ratio');
  if (plan.scheduler.value === 'constant') ignoreWarmupUnderConstant(plan, steps, ratio, ignored);
  else readWarmup(plan, steps, ratio, conflicts);

  const minLr = numberAt(file, ['lr_scheduler_kwargs', 'min_lr'], loader);
  const minLrRate = numberAt(file, ['lr_scheduler_kwargs', 'min_lr_rate'], loader);
  if (minLr && minLrRate && plan.scheduler.value === 'cosine_with_min_lr') {
    // optimization.py get_cosine_with_min_lr_schedule_with_warmup, when the Trainer creates the scheduler.
    conflicts.push({
      kind: 'min-lr-and-rate',
      range: (minLrRate.range?.line ?? 0) > (minLr.range?.line ?? 0) ? minLrRate.range! : minLr.range!,
      message:
        `lr_scheduler_kwargs sets both min_lr ${formatValue(minLr.value)} and min_lr_rate ${formatValue(minLrRate.value)}: the Trainer refuses to start when it creates ` +
        'the cosine_with_min_lr scheduler ("Only one of min_lr or min_lr_rate should be set"); keep one',
      data: { minLr: minLr.value, minLrRate: minLrRate.value },
    });
  }
  if (minLr) plan.minLr = minLr;
  if (!plan.minLr && minLrRate && plan.peakLr) {
    plan.minLr = derivedFrom(minLrRate, minLrRate.value * plan.peakLr.value, `min_lr_rate ${minLrRate.value} × learning_rate`);
  }

  const bf16 = boolAt(file, ['bf16']);
  const fp16 = boolAt(file, ['fp16']);
  if (bf16?.value && fp16?.value) {
    // training_args.py raises "At most one of fp16 and bf16 can be True" — but only at launch.
    const later = (bf16.range?.line ?? 0) > (fp16.range?.line ?? 0) ? bf16 : fp16;
    conflicts.push({
      kind: 'precision',
      range: later.range!,
      message: 'fp16 and bf16 are both true: the Trainer refuses to start ("At most one of fp16 and bf16 can be True"); keep bf16 on Ampere or newer GPUs, fp16 on older ones',
    });
  }
  if (bf16?.value) plan.precision = { ...bf16, value: 'bf16' };
  else if (fp16?.value) plan.precision = { ...fp16, value: 'fp16' };

  const deepspeed = deepspeedNote(file);
  if (deepspeed) notes.push(deepspeed);
  recordMatchedValues(plan, trainerMatched(file, loader));

  hooks.readExtra?.(plan, notes);
  applyAssumptions(plan, env.assume);
  hooks.beforeDerive?.(plan, notes);
  deriveGlobalBatch(plan);

  if (!hooks.deriveSteps?.(plan, notes)) deriveTrainerSteps(plan);
  deriveWarmupFromRatio(plan);

  const saveStrategy = stringAt(file, ['save_strategy'])?.value ?? 'steps';
  if (saveStrategy === 'steps') {
    const save = num('save_steps') ?? defaultSetting(HF_DEFAULTS.saveSteps, 'save_steps');
    plan.saveEverySteps = fractionOfTotal(save, plan);
  }
  // `evaluation_strategy` is the name transformers removed in 4.46 (schemas/dialects, removed-keys.ts):
  // the Trainer rejects it, so it is not read as if it still worked.
  const evalStrategy = stringAt(file, ['eval_strategy'])?.value ?? 'no';
  let evalSteps: Setting<number> | undefined;
  if (evalStrategy === 'steps') {
    evalSteps = num('eval_steps') ?? num('logging_steps') ?? defaultSetting(HF_DEFAULTS.loggingSteps, 'logging_steps');
    plan.evalEverySteps = fractionOfTotal(evalSteps, plan);
  }
  const bestAtEnd = loadBestConflict(file, saveStrategy, evalStrategy, num('save_steps') ?? defaultSetting(HF_DEFAULTS.saveSteps, 'save_steps'), evalSteps);
  if (bestAtEnd) conflicts.push(bestAtEnd);

  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'set assume.worldSize in .trainlint.yml (the launcher decides it: torchrun --nproc_per_node, accelerate --num_processes)' });
  if (!plan.totalSteps && !plan.datasetSamples) missing.push({ field: 'datasetSamples', hint: 'set max_steps, or assume.datasetSamples in .trainlint.yml' });
  return { plan, missing, notes, conflicts, ignored };
}

/** TrainingArguments defaults of the values the Trainer compares with a DeepSpeed file (training_args.py). */
const MATCHED_DEFAULTS = { maxGradNorm: 1.0, adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-8, weightDecay: 0 };

/** TRL PR huggingface/trl#3515 (0.19.0): its configs' `__post_init__` sets `bf16 = not fp16` when bf16 is unset. */
const TRL_BF16_DEFAULT = "TRL's configs (SFTConfig, DPOConfig, GRPOConfig…) default bf16 to true since TRL 0.19";

/**
 * The TrainingArguments values `trainer_config_process` compares with a DeepSpeed file beyond the plan's fields
 * (engine/links.ts TRAINER_MATCHED_KEYS), each written or the Trainer's default. `fp16.enabled` is compared with
 * `fp16 or fp16_full_eval` unless the apex backend is chosen; `bf16.enabled` with `bf16 or bf16_full_eval`, whose
 * default depends on the config class (false for TrainingArguments, true for TRL ≥ 0.19 unless fp16): said, not guessed.
 */
function trainerMatched(file: SourceFile, loader: YamlLoader): Map<string, MatchedValue> {
  const num = (key: string, fallback: number) => numberAt(file, [key], loader) ?? { ...defaultSetting(fallback, key) };
  const out = new Map<string, MatchedValue>();
  out.set('gradient_clipping', num('max_grad_norm', MATCHED_DEFAULTS.maxGradNorm));
  const beta1 = num('adam_beta1', MATCHED_DEFAULTS.adamBeta1);
  const beta2 = num('adam_beta2', MATCHED_DEFAULTS.adamBeta2);
  const writtenBeta = [beta1, beta2].find((b) => b.origin !== 'default');
  out.set('optimizer.params.betas', { ...(writtenBeta ?? beta1), value: [beta1.value, beta2.value], key: 'adam_beta1, adam_beta2' });
  out.set('optimizer.params.eps', num('adam_epsilon', MATCHED_DEFAULTS.adamEpsilon));
  out.set('optimizer.params.weight_decay', num('weight_decay', MATCHED_DEFAULTS.weightDecay));

  const flag = (key: string) => boolAt(file, [key]);
  const either = (main: string, evalKey: string): MatchedValue | undefined => {
    const [a, b] = [flag(main), flag(evalKey)];
    return [a, b].find((s) => s?.value === true) ?? a ?? b;
  };
  const backend = stringAt(file, ['half_precision_backend'])?.value ?? stringAt(file, ['fp16_backend'])?.value;
  const fp16 = either('fp16', 'fp16_full_eval');
  if (backend !== 'apex') out.set('fp16.enabled', fp16 ?? { value: false, origin: 'default', key: 'fp16' });
  const bf16 = either('bf16', 'bf16_full_eval');
  if (bf16) out.set('bf16.enabled', bf16);
  else if (fp16?.value === true) out.set('bf16.enabled', { value: false, origin: 'default', key: 'bf16' });
  else out.set('bf16.enabled', { value: false, origin: 'default', key: 'bf16', uncertain: TRL_BF16_DEFAULT });
  return out;
}

/**
 * Warmup (v4: warmup_steps > 0 wins over warmup_ratio; v5: a warmup_steps < 1 is a ratio,
 * and a warmup_ratio overwrites warmup_steps). Both given: see conflicting-settings.
 */
function readWarmup(plan: TrainingPlan, steps: Setting<number> | undefined, ratio: Setting<number> | undefined, conflicts: Conflict[]): void {
  if (steps && steps.value >= 1) {
    plan.warmupSteps = withUnit(steps, 'steps');
    if (ratio && ratio.value > 0) {
      plan.warmupSteps.note = 'warmup_ratio is also set: transformers v4 uses warmup_steps, v5 lets warmup_ratio overwrite it';
      conflicts.push({
        kind: 'warmup-steps-and-ratio',
        range: ratio.range ?? steps.range!,
        message: `warmup_steps ${steps.value} and warmup_ratio ${ratio.value} are both set: transformers v4 uses the steps, v5 lets the ratio overwrite them, so the warmup depends on the installed version; keep one`,
        data: { warmupSteps: steps.value, warmupRatio: ratio.value },
      });
    }
  } else if (steps && steps.value > 0) {
    plan.warmupRatio = withUnit(steps, 'ratio', 'warmup_steps < 1 is a fraction of total steps (transformers v5)');
  } else if (ratio && ratio.value > 0) {
    plan.warmupRatio = withUnit(ratio, 'ratio');
  } else {
    plan.warmupSteps = steps ? withUnit(steps, 'steps') : withUnit(defaultSetting(0, 'warmup_steps'), 'steps');
  }
}

/**
 * `lr_scheduler_type: constant`: transformers' `get_scheduler` returns `get_constant_schedule(optimizer)`
 * before it reads `num_warmup_steps`, so a written warmup is ignored and the LR is at its peak from
 * step 0 (constant_with_warmup does warm up). The plan's warmup is 0, and each written warmup key is
 * an ignored setting. A DeepSpeed `scheduler` block replaces the Trainer's scheduler and does read the
 * warmup: `data.trainerSchedulerOnly` lets the rules and the merge of the linked plan know (engine/links.ts).
 */
function ignoreWarmupUnderConstant(plan: TrainingPlan, steps: Setting<number> | undefined, ratio: Setting<number> | undefined, ignored: IgnoredSetting[]): void {
  const written = [steps, ratio].filter((w): w is Setting<number> => w !== undefined && w.value > 0);
  if (written.length === 0) {
    plan.warmupSteps = steps ? withUnit(steps, 'steps') : withUnit(defaultSetting(0, 'warmup_steps'), 'steps');
    return;
  }
  const why = 'lr_scheduler_type constant: transformers get_scheduler returns the constant schedule before reading the warmup';
  plan.warmupSteps = { ...derivedFrom(plan.scheduler!, 0, why, 'steps'), note: 'no warmup: the LR is at its peak from step 0' };
  // Reported where it is written in this file (a value from the launch command is not: its range is in the script).
  for (const w of written.filter((x) => x.origin === 'explicit' && x.range)) {
    ignored.push({
      key: w.key ?? 'warmup_steps',
      range: w.range!,
      message:
        `${w.key} ${formatValue(w.value)} is ignored: with lr_scheduler_type constant, transformers' get_scheduler returns the constant schedule before it reads the warmup, ` +
        'so the LR is at its peak from step 0; use lr_scheduler_type constant_with_warmup to warm up, or remove it',
      data: { warmup: w.value, scheduler: 'constant', trainerSchedulerOnly: true },
    });
  }
}

/**
 * A warmup written as a fraction of the run (`warmup_ratio`, or a v5 `warmup_steps` < 1): get_warmup_steps
 * takes ceil(total × ratio). The step count points at the key that holds the ratio and remembers the ratio as
 * written, so rules compare the ratio itself (not its rounded-up step count) and give advice as a ratio.
 */
function deriveWarmupFromRatio(plan: TrainingPlan): void {
  const { warmupSteps, warmupRatio: ratio, totalSteps: total } = plan;
  if (warmupSteps || !ratio || !total) return;
  plan.warmupSteps = {
    ...derivedFrom(ratio, Math.ceil(total.value * ratio.value), `ceil(${formatCount(total.value)} × ${ratio.value})`, 'steps'),
    fractionOf: { fraction: ratio.value, of: 'the run', ofSteps: total.value },
  };
}

/**
 * `load_best_model_at_end` (TrainingArguments._validate_args): the save and eval strategies must match
 * (unless save_strategy is "best"), and with "steps" save_steps must be a round multiple of eval_steps, or
 * the Trainer refuses to start. Fractions (< 1) are compared as fractions when both are; a fraction with an
 * absolute count raises.
 */
function loadBestConflict(file: SourceFile, saveStrategy: string, evalStrategy: string, save: Setting<number>, evalSteps: Setting<number> | undefined): Conflict | undefined {
  const best = boolAt(file, ['load_best_model_at_end']);
  if (!best?.value || !best.range || saveStrategy === 'best') return undefined;
  if (saveStrategy !== evalStrategy) {
    return {
      kind: 'load-best-strategies',
      range: best.range,
      message:
        `load_best_model_at_end needs save_strategy and eval_strategy to match, but they are "${saveStrategy}" and "${evalStrategy}": the Trainer refuses to start ` +
        '("--load_best_model_at_end requires the save and eval strategy to match"); set both to the same strategy',
      data: { saveStrategy, evalStrategy },
    };
  }
  if (evalStrategy !== 'steps' || !evalSteps || evalSteps.value <= 0 || save.value <= 0) return undefined;
  const mixed = (save.value < 1) !== (evalSteps.value < 1);
  const multiple = Math.round(save.value * 1e6) % Math.round(evalSteps.value * 1e6) === 0;
  if (!mixed && multiple) return undefined;
  // At the key the fix changes (save_steps), else where the eval interval is written.
  const where = [save, evalSteps].find((s) => s.range && s.origin === 'explicit' && s.file === file.path);
  const saveText = `save_steps ${formatValue(save.value)}${save.origin === 'default' ? ' (default)' : ''}`;
  const evalText = `eval_steps ${formatValue(evalSteps.value)}${evalSteps.origin === 'default' ? ' (default)' : evalSteps.key === 'eval_steps' ? '' : ` (${evalSteps.key})`}`;
  const whole = save.value >= 1 && evalSteps.value >= 1;
  const fix = mixed ? 'write both as step counts or both as fractions' : `set save_steps to a multiple of ${formatValue(evalSteps.value)} (e.g. ${formatValue(nearestMultiple(save.value, evalSteps.value))})`;
  return {
    kind: 'load-best-intervals',
    range: where?.range ?? best.range,
    message:
      `load_best_model_at_end needs ${saveText} to be a${whole ? ' round' : ''} multiple of ${evalText}: the Trainer refuses to start ` +
      `("--load_best_model_at_end requires the saving steps to be a${whole ? ' round' : ''} multiple of the evaluation steps"); ${fix}`,
    data: { saveSteps: save.value, evalSteps: evalSteps.value },
  };
}

function nearestMultiple(value: number, of: number): number {
  return Number((Math.max(1, Math.round(value / of)) * of).toPrecision(12));
}

/**
 * What the Trainer does at the last step (DefaultFlowCallback.on_step_end): with save_strategy
 * "steps" it saves once more at max_steps; evaluation runs only at multiples of eval_steps, so an
 * eval_steps beyond the run means no evaluation at all.
 */
export const HF_AT_RUN_END: Extraction['atRunEnd'] = { save: 'the Trainer saves once at the end, with save_strategy "steps"', eval: false };

/**
 * trainer.py: steps/epoch = ceil(len(dataloader) / gas); total = ceil(epochs × steps/epoch).
 * The dataloader is sharded over the data-parallel ranks (world // tp in get_total_train_batch_size).
 */
function deriveTrainerSteps(plan: TrainingPlan): void {
  const { datasetSamples, microBatchSize, gradAccumSteps, epochs } = plan;
  const dp = dataParallel(plan);
  if (datasetSamples && microBatchSize && dp && gradAccumSteps) {
    const perStep = microBatchSize.value * dp.value;
    const batches = Math.ceil(datasetSamples.value / perStep);
    const spe = Math.max(1, Math.ceil(batches / gradAccumSteps.value));
    const gasPart = gradAccumSteps.value === 1 ? `ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)})` : `ceil(ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)}) / ${formatCount(gradAccumSteps.value)})`;
    plan.stepsPerEpoch = derived(spe, gasPart, 'steps');
    if (!plan.totalSteps && epochs) {
      plan.totalSteps = derived(Math.ceil(epochs.value * spe), `ceil(${formatCount(epochs.value)} × ${gasPart})`, 'steps');
    }
  }
}

/**
 * A note for a `deepspeed:` key that trainlint does not follow (an inline mapping, a path that is
 * not a `.json` file): the DeepSpeed config is a second source of truth (research/frameworks.md
 * §3, §15.6). A `.json` path is linked by the engine (engine/links.ts), which notes a missing file.
 */
export function deepspeedNote(file: SourceFile, key = 'deepspeed'): string | undefined {
  const hit = getIn(file.tree, [key]);
  if (!hit) return undefined;
  if (hit.node.kind === 'scalar' && typeof hit.node.value === 'string' && /\.json$/i.test(hit.node.value)) return undefined;
  const what = hit.node.kind === 'scalar' ? (hit.node.value === null ? undefined : `${key}: ${String(hit.node.value)}`) : `the inline ${key} config`;
  if (!what) return undefined;
  return `${what} is not read: an optimizer or scheduler block there replaces the optimizer / LR scheduler set here, and its non-"auto" batch values must match these (HF raises at launch)`;
}

/** HF intervals below 1 are fractions of the total steps (TrainerState.compute_steps). */
export function fractionOfTotal<T extends { value: number }>(setting: T, plan: TrainingPlan): T | ReturnType<typeof derived> | undefined {
  if (setting.value >= 1) return withUnit(setting, 'steps');
  if (!plan.totalSteps || setting.value <= 0) return undefined;
  return derived(Math.ceil(plan.totalSteps.value * setting.value), `ceil(${formatCount(plan.totalSteps.value)} × ${setting.value})`, 'steps');
}
