/**
 * DeepSpeed JSON config (`ds_config*.json`, `deepspeed_configs/zero*.json`): the batch triple,
 * the `optimizer` / `scheduler` blocks and the precision blocks. Keys, defaults and the batch
 * filling rules: research/frameworks.md §4 (`runtime/config.py`, `runtime/lr_schedules.py`).
 *
 * Two worlds meet in these files:
 *  - plain DeepSpeed (`deepspeed.initialize(config=…)`): every value is read by DeepSpeed, and
 *    missing batch keys are filled by `_set_batch_related_parameters`;
 *  - the Hugging Face Trainer / Accelerate (§3): `"auto"` values are placeholders the Trainer
 *    replaces from TrainingArguments. They stay unknown here, with a hint to lint that file.
 *
 * DeepSpeed's "world size" in the batch identity is the data-parallel size; the file never
 * says it, so it comes from `assume.dataParallelSize` / `assume.worldSize`.
 */
import { applyAssumptions, boolAt, dataParallel, defaultSetting, derived, derivedFrom, deriveGlobalBatch, numberAt, stringAt, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { getIn, hasKey, type MapNode, walkEntries } from '../engine/tree.js';
import type { KeyPath, PlanField, Setting, TrainingPlan } from '../engine/types.js';
import { type MatchedValue, recordMatchedValues, TRAINER_MATCHED_KEYS } from '../engine/links.js';
import { launchProgramOf } from '../engine/launch-overrides.js';
import type { BatchCheck, Conflict, Dialect, Extraction, MissingField } from './types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

const LOADER = 'pyyaml';

/** Defaults from `runtime/lr_schedules.py` (frameworks.md §4). */
export const DEEPSPEED_DEFAULTS = {
  /** All Warmup* schedulers: `warmup_num_steps` 1000, clamped to at least 2. */
  warmupNumSteps: 1000,
  /** All Warmup* schedulers: `warmup_type` 'log'. */
  warmupType: 'log',
  /** WarmupLR / WarmupDecayLR `warmup_min_lr` 0.0 (the LR the warmup starts from; the end of WarmupDecayLR). */
  warmupMinLr: 0,
  /** WarmupDecayLR `warmup_max_lr` still defaults to 0.001, whatever the optimizer LR is. */
  warmupDecayMaxLr: 0.001,
  /** WarmupCosineLR `cos_min_ratio` 0.0001 (of the optimizer LR). */
  cosMinRatio: 0.0001,
  /** OneCycle `cycle_first_step_size` 2000 (constructor default). */
  cycleFirstStepSize: 2000,
  /** `_set_batch_related_parameters`: gradient_accumulation_steps = 1 when only one batch key is given. */
  gradAccum: 1,
};

const HF_FILLED = 'filled by the Hugging Face Trainer from TrainingArguments';

/** Keyword arguments each DeepSpeed scheduler's constructor accepts (lr_schedules.py). */
const SCHEDULER_PARAMS: Record<string, readonly string[]> = {
  WarmupLR: ['warmup_min_lr', 'warmup_max_lr', 'warmup_num_steps', 'warmup_type', 'last_batch_iteration'],
  WarmupDecayLR: ['total_num_steps', 'warmup_min_lr', 'warmup_max_lr', 'warmup_num_steps', 'warmup_type', 'last_batch_iteration'],
  WarmupCosineLR: ['total_num_steps', 'warmup_min_ratio', 'warmup_num_steps', 'cos_min_ratio', 'warmup_type', 'last_batch_iteration'],
  OneCycle: [
    'cycle_min_lr', 'cycle_max_lr', 'decay_lr_rate', 'cycle_first_step_size', 'cycle_second_step_size', 'cycle_first_stair_count',
    'cycle_second_stair_count', 'decay_step_size', 'cycle_momentum', 'cycle_min_mom', 'cycle_max_mom', 'decay_mom_rate', 'last_batch_iteration',
  ],
  LRRangeTest: ['lr_range_test_min_lr', 'lr_range_test_step_size', 'lr_range_test_step_rate', 'lr_range_test_staircase', 'last_batch_iteration'],
};

// ── Detection ───────────────────────────────────────────────────────────────────────────

/** Keys only a DeepSpeed config has at its top level. */
const STRONG_KEYS = ['train_micro_batch_size_per_gpu', 'zero_optimization'];
const BATCH_KEYS = ['train_batch_size', 'train_micro_batch_size_per_gpu', 'gradient_accumulation_steps'];
/** Precision sections that DeepSpeed switches with `enabled`. */
const PRECISION_SECTIONS = ['fp16', 'bf16', 'bfloat16', 'amp'];
/** Sections with a `type` and its `params`. */
const TYPED_SECTIONS = ['optimizer', 'scheduler'];
/** Top-level keys of DeepSpeed's own config sections. */
const DS_SCALAR_KEYS = ['steps_per_print', 'zero_allow_untested_optimizer', 'wall_clock_breakdown', 'zero_force_ds_cpu_optimizer', 'prescale_gradients', 'gradient_clipping'];
/**
 * GPT-NeoX configs embed DeepSpeed blocks in a Megatron-style config whose own keys decide the
 * schedule (`train_iters`, `lr_decay_style`, …). They are not DeepSpeed configs: not claimed.
 */
const NEOX_KEYS = [
  'pipe_parallel_size', 'pipe-parallel-size', 'model_parallel_size', 'model-parallel-size', 'num_layers', 'num-layers',
  'train_iters', 'train-iters', 'lr_decay_style', 'lr-decay-style', 'lr_decay_iters', 'lr-decay-iters',
];

function isMap(file: SourceFile, path: KeyPath): MapNode | undefined {
  const hit = getIn(file.tree, path);
  return hit && hit.node.kind === 'map' ? hit.node : undefined;
}

const STRONG_GROUP = keyGroup(STRONG_KEYS);
const BATCH_GROUP = keyGroup(BATCH_KEYS);
const NEOX_GROUP = keyGroup(NEOX_KEYS);
const PRECISION_GROUP = keyGroup(PRECISION_SECTIONS);
const TYPED_GROUP = keyGroup(TYPED_SECTIONS);
const ZERO_GROUP = keyGroup(['zero_optimization']);
const DS_SCALAR_GROUP = keyGroup(DS_SCALAR_KEYS);
/** The top-level keys dsSections looks at (each counts at most one section). */
const SECTION_KEYS_GROUP = keyGroup([...PRECISION_SECTIONS, ...TYPED_SECTIONS, 'zero_optimization', ...DS_SCALAR_KEYS]);

/** `fp16: {enabled: …}`, `optimizer: {type, params}`: DeepSpeed's section shapes, counted in a root mapping. */
function dsSections(facts: DetectFacts): number {
  // Each kind of section is looked into only when the file has one of its keys.
  let n = facts.count(DS_SCALAR_GROUP);
  if (facts.some(PRECISION_GROUP)) for (const k of PRECISION_SECTIONS) if (hasKey(facts.map(k), 'enabled')) n++;
  if (facts.some(TYPED_GROUP)) {
    for (const k of TYPED_SECTIONS) {
      const b = facts.map(k);
      if (hasKey(b, 'type') && hasKey(b, 'params')) n++;
    }
  }
  if (facts.some(ZERO_GROUP) && facts.map('zero_optimization')) n++;
  return n;
}

export function deepspeedScore(file: SourceFile, facts: DetectFacts = detectFacts(file)): number {
  if (file.format !== 'json' && file.format !== 'yaml') return 0;
  if (!facts.root) return 0;
  const strong = facts.count(STRONG_GROUP);
  const batch = facts.count(BATCH_GROUP);
  // No more sections than their keys: with too few of those, nothing can score (below).
  const sectionKeys = facts.count(SECTION_KEYS_GROUP);
  if (strong === 0 && (batch === 0 ? sectionKeys < 3 : sectionKeys === 0)) return 0;
  const sections = dsSections(facts);
  let score: number;
  // A batch key alone (train_batch_size, gradient_accumulation_steps) is not enough: other
  // frameworks use those names. It needs a DeepSpeed-shaped section next to it.
  if (strong === 0 && batch === 0) {
    // A fragment without batch keys (MoQ, compression configs): several DeepSpeed sections.
    score = sections >= 3 ? 6 : 0;
  } else if (strong === 0 && sections === 0) {
    score = 0;
  } else {
    score = 6 + Math.min(3, strong + batch + sections - 1);
  }
  // GPT-NeoX's keys beside the DeepSpeed blocks: never claimed (asked last, of a file that would score).
  return score === 0 || facts.some(NEOX_GROUP) ? 0 : score;
}

// ── Values ──────────────────────────────────────────────────────────────────────────────

/** Whether the value at `path` is the string "auto" (an HF Trainer placeholder). */
function isAuto(file: SourceFile, path: KeyPath): boolean {
  const hit = getIn(file.tree, path);
  return !!hit && hit.node.kind === 'scalar' && hit.node.value === 'auto';
}

/** Whether any value in the file is "auto": the file is meant for the HF Trainer / Accelerate. */
function hasAuto(file: SourceFile): boolean {
  let found = false;
  if (file.tree) {
    walkEntries(file.tree, (_path, entry) => {
      if (entry.value.kind === 'scalar' && entry.value.value === 'auto') found = true;
    });
  }
  return found;
}

interface Ctx {
  file: SourceFile;
  /** The file has "auto" values: the HF Trainer fills them and builds what the file leaves out. */
  hf: boolean;
  plan: TrainingPlan;
  missing: MissingField[];
  notes: string[];
  conflicts: Conflict[];
  /** Paths (dot-joined) holding "auto". */
  autos: string[];
}

/** A numeric key; "auto" is recorded (with a missing hint for `field`) and yields undefined. */
function num(ctx: Ctx, path: KeyPath, field: PlanField | undefined, hfSource?: string): Setting<number> | undefined {
  if (isAuto(ctx.file, path)) {
    const key = path.join('.');
    ctx.autos.push(key);
    if (field && !ctx.missing.some((m) => m.field === field)) {
      ctx.missing.push({ field, hint: `${key} is "auto": ${HF_FILLED}${hfSource ? ` (${hfSource})` : ''}; lint that file, or set assume.${field} in .trainlint.yml` });
    }
    return undefined;
  }
  return numberAt(ctx.file, path, LOADER);
}

/** A contradiction DeepSpeed rejects or silently resolves, reported at the key `path`. */
function conflict(ctx: Ctx, path: KeyPath, kind: string, message: string, data?: Record<string, unknown>): void {
  const hit = getIn(ctx.file.tree, path);
  ctx.conflicts.push({ kind, message, range: hit ? hit.keyRange : fileStartRange(ctx.file), ...(data ? { data } : {}) });
}

function steps<T extends Setting<number>>(s: T): T {
  return withUnit(s, 'steps');
}

// ── Batch ───────────────────────────────────────────────────────────────────────────────

/**
 * `DeepSpeedConfig._set_batch_related_parameters`: fill the batch keys the file leaves out.
 * "Present" means written, as a number or "auto" (HF fills the latter before DeepSpeed runs).
 */
function resolveBatch(ctx: Ctx): void {
  const { file, plan, notes } = ctx;
  const has = (k: string) => hasKey(file.tree, k);
  const [hasTrain, hasMicro, hasGas] = BATCH_KEYS.map(has);
  // Divisors must be positive (a written 0 is the schema's finding, not a division by zero).
  const positiveOnly = (s: Setting<number> | undefined) => (s && s.value > 0 ? s : undefined);
  const dp = positiveOnly(dataParallel(plan));
  const dpName = plan.dataParallelSize ? 'data-parallel size' : 'world size';
  const train = plan.globalBatchSize;
  const micro = positiveOnly(plan.microBatchSize);

  if (BATCH_KEYS.some((k) => isAuto(file, [k]))) {
    // An HF Trainer / Accelerate config: they fill the "auto" keys (and pass their own
    // gradient_accumulation_steps), so DeepSpeed's own filling rules do not apply here.
    if (!hasGas && !plan.gradAccumSteps) {
      ctx.missing.push({ field: 'gradAccumSteps', hint: `gradient_accumulation_steps is not set: with "auto" batch keys it is ${HF_FILLED}; set assume.gradAccumSteps` });
    }
    deriveGlobalBatch(plan);
    return;
  }
  if (!hasTrain && !hasMicro) {
    notes.push('neither train_batch_size nor train_micro_batch_size_per_gpu is set: DeepSpeed asserts "Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided"');
    return;
  }
  const positive = (value: number, what: string): boolean => {
    if (value > 0) return true;
    notes.push(`DeepSpeed's integer division gives ${what} 0 and then fails its "> 0" assertion`);
    return false;
  };
  if (hasTrain && hasMicro && !hasGas) {
    // grad_acc = train_batch // micro_batch; grad_acc //= world_size
    if (train && micro && dp && !plan.gradAccumSteps) {
      const value = Math.floor(Math.floor(train.value / micro.value) / dp.value);
      if (positive(value, 'gradient_accumulation_steps')) {
        plan.gradAccumSteps = derived(value, `${formatCount(train.value)} // ${formatCount(micro.value)} // ${formatCount(dp.value)} (train_batch_size // micro // ${dpName}, DeepSpeed fills it)`);
      }
    }
  } else if (hasTrain && hasGas && !hasMicro) {
    // micro_batch = train_batch // world_size; micro_batch //= grad_acc
    const gas = positiveOnly(plan.gradAccumSteps);
    if (train && gas && dp && !plan.microBatchSize) {
      const value = Math.floor(Math.floor(train.value / dp.value) / gas.value);
      if (positive(value, 'train_micro_batch_size_per_gpu')) {
        plan.microBatchSize = derived(value, `${formatCount(train.value)} // ${formatCount(dp.value)} // ${formatCount(gas.value)} (train_batch_size // ${dpName} // accumulation, DeepSpeed fills it)`, 'samples');
      }
    }
  } else if (hasTrain && !hasMicro && !hasGas) {
    // gas = 1; micro = train_batch // world_size
    plan.gradAccumSteps ??= defaultSetting(DEEPSPEED_DEFAULTS.gradAccum, 'gradient_accumulation_steps', 'only train_batch_size is set: DeepSpeed uses 1');
    if (train && dp && !plan.microBatchSize) {
      const value = Math.floor(train.value / dp.value);
      if (positive(value, 'train_micro_batch_size_per_gpu')) {
        plan.microBatchSize = derived(value, `${formatCount(train.value)} // ${formatCount(dp.value)} (train_batch_size // ${dpName}, DeepSpeed fills it)`, 'samples');
      }
    }
  } else if (hasMicro && !hasTrain && !hasGas) {
    // gas = 1; train = micro × world (deriveGlobalBatch below)
    plan.gradAccumSteps ??= defaultSetting(DEEPSPEED_DEFAULTS.gradAccum, 'gradient_accumulation_steps', 'only train_micro_batch_size_per_gpu is set: DeepSpeed uses 1');
  }
  // micro + gas (train left out), or an "auto" train_batch_size the HF Trainer fills the same way.
  deriveGlobalBatch(plan);
}

// ── Optimizer, scheduler ────────────────────────────────────────────────────────────────

function readSchedule(ctx: Ctx): void {
  const { file, plan, missing, notes } = ctx;
  const type = stringAt(file, ['optimizer', 'type']);
  if (type) plan.optimizer = type;
  const optLr = num(ctx, ['optimizer', 'params', 'lr'], undefined);
  const optLrAuto = isAuto(file, ['optimizer', 'params', 'lr']);
  const optLrHint = optLrAuto
    ? `optimizer.params.lr is "auto": ${HF_FILLED} (learning_rate); lint that file, or set assume.peakLr`
    : ctx.hf && !getIn(file.tree, ['optimizer'])
      ? 'no optimizer block: the Hugging Face Trainer builds the optimizer from TrainingArguments (learning_rate); lint that file, or set assume.peakLr'
      : 'set optimizer.params.lr (without an optimizer block the training script builds the optimizer), or assume.peakLr in .trainlint.yml';

  const scheduler = stringAt(file, ['scheduler', 'type']);
  if (!scheduler) {
    if (optLr) plan.peakLr = optLr;
    else missing.push({ field: 'peakLr', hint: optLrHint });
    notes.push('no DeepSpeed scheduler block: the LR schedule comes from the training script (with the HF Trainer: lr_scheduler_type)');
    missing.push({ field: 'totalSteps', hint: 'the training script decides the run length: set assume.totalSteps in .trainlint.yml' });
    return;
  }
  plan.scheduler = scheduler;
  const name = scheduler.value;
  const p = (key: string): KeyPath => ['scheduler', 'params', key];
  checkSchedulerParams(ctx, name);

  if (name === 'WarmupLR' || name === 'WarmupDecayLR' || name === 'WarmupCosineLR') {
    readWarmup(ctx);
  }
  if (name === 'WarmupDecayLR' || name === 'WarmupCosineLR') {
    const total = num(ctx, p('total_num_steps'), 'totalSteps', 'max_steps or the computed length');
    if (total) {
      const note = 'the scheduler horizon: DeepSpeed does not stop training there, the training loop decides the run length';
      plan.totalSteps = steps({ ...total, note: total.note ? `${total.note}; ${note}` : note });
      plan.decaySteps = steps({ ...total, note: `${name} decays until total_num_steps` });
    } else if (!isAuto(file, p('total_num_steps'))) {
      conflict(ctx, ['scheduler', 'type'], 'scheduler-params', `${name} requires scheduler.params.total_num_steps: the constructor raises TypeError without it; set it to the run's optimizer steps`);
      missing.push({ field: 'totalSteps', hint: 'set scheduler.params.total_num_steps, or assume.totalSteps in .trainlint.yml' });
    }
  } else if (name !== 'OneCycle') {
    missing.push({ field: 'totalSteps', hint: `${name} has no horizon: the training script decides the run length; set assume.totalSteps in .trainlint.yml` });
  }

  switch (name) {
    case 'WarmupLR': {
      // warmup_max_lr None → the optimizer's LR (PR #7360, v0.17.2); 0.001 before that.
      const max = num(ctx, p('warmup_max_lr'), 'peakLr', 'learning_rate');
      if (max) {
        plan.peakLr = withOverride(ctx, max, optLr);
      } else if (!isAuto(file, p('warmup_max_lr'))) {
        if (optLr) plan.peakLr = { ...optLr, note: 'WarmupLR without warmup_max_lr warms up to the optimizer LR (DeepSpeed ≥ 0.17.2); older versions warmed up to 0.001' };
        else missing.push({ field: 'peakLr', hint: optLrHint });
      }
      break;
    }
    case 'WarmupDecayLR': {
      const max = num(ctx, p('warmup_max_lr'), 'peakLr', 'learning_rate');
      if (max) plan.peakLr = withOverride(ctx, max, optLr);
      else if (!isAuto(file, p('warmup_max_lr'))) {
        const ignored = optLr ? `; optimizer.params.lr ${formatSci(optLr.value)} is silently replaced` : '';
        plan.peakLr = defaultSetting(DEEPSPEED_DEFAULTS.warmupDecayMaxLr, 'scheduler.params.warmup_max_lr', `WarmupDecayLR defaults warmup_max_lr to 0.001${ignored}`);
        if (optLr && optLr.value !== DEEPSPEED_DEFAULTS.warmupDecayMaxLr) {
          conflict(
            ctx,
            ['scheduler', 'type'],
            'lr-override',
            `WarmupDecayLR without scheduler.params.warmup_max_lr warms up to 0.001 (its default), not to optimizer.params.lr ${formatSci(optLr.value)}: set warmup_max_lr to the LR you mean`,
            { schedulerLr: DEEPSPEED_DEFAULTS.warmupDecayMaxLr, optimizerLr: optLr.value },
          );
        }
      }
      // The decay ends at warmup_min_lr (gamma → 0 at total_num_steps).
      const min = num(ctx, p('warmup_min_lr'), 'minLr', '0');
      if (min) plan.minLr = min;
      else if (!isAuto(file, p('warmup_min_lr'))) plan.minLr = defaultSetting(DEEPSPEED_DEFAULTS.warmupMinLr, 'scheduler.params.warmup_min_lr', 'WarmupDecayLR decays to warmup_min_lr');
      else plan.minLr = hfFilledMinLr(file);
      break;
    }
    case 'WarmupCosineLR': {
      // Ratios of the optimizer LR: warmup from warmup_min_ratio × lr, cosine down to cos_min_ratio × lr.
      if (optLr) plan.peakLr = { ...optLr, note: 'WarmupCosineLR scales the optimizer LR; it has no warmup_max_lr' };
      else missing.push({ field: 'peakLr', hint: optLrHint });
      const ratio = numberAt(file, p('cos_min_ratio'), LOADER) ?? defaultSetting(DEEPSPEED_DEFAULTS.cosMinRatio, 'scheduler.params.cos_min_ratio');
      if (plan.peakLr) {
        plan.minLr = derivedFrom(ratio, ratio.value * plan.peakLr.value, `cos_min_ratio ${ratio.value}${ratio.origin === 'default' ? ' (default)' : ''} × optimizer.params.lr ${formatSci(plan.peakLr.value)}`);
      }
      break;
    }
    case 'OneCycle': {
      // The LR rises from cycle_min_lr to cycle_max_lr over cycle_first_step_size steps, then falls back.
      const max = num(ctx, p('cycle_max_lr'), 'peakLr');
      const min = num(ctx, p('cycle_min_lr'), 'minLr');
      if (max) plan.peakLr = withOverride(ctx, max, optLr, 'cycle_max_lr');
      if (min) plan.minLr = min;
      const absent = ['cycle_min_lr', 'cycle_max_lr'].filter((k) => !getIn(file.tree, p(k)));
      if (absent.length) {
        conflict(ctx, ['scheduler', 'type'], 'scheduler-params', `OneCycle requires scheduler.params.${absent.join(' and ')}: the constructor raises TypeError without ${absent.length > 1 ? 'them' : 'it'}`);
      }
      const first = num(ctx, p('cycle_first_step_size'), 'warmupSteps');
      const note = 'OneCycle: the rising half of the cycle';
      if (first) plan.warmupSteps = steps({ ...first, note });
      else if (!isAuto(file, p('cycle_first_step_size'))) {
        plan.warmupSteps = steps(defaultSetting(DEEPSPEED_DEFAULTS.cycleFirstStepSize, 'scheduler.params.cycle_first_step_size', note));
      }
      missing.push({ field: 'totalSteps', hint: 'OneCycle has no horizon: the training script decides the run length; set assume.totalSteps in .trainlint.yml' });
      break;
    }
    case 'LRRangeTest':
      notes.push('LRRangeTest is an LR range test (the LR grows without bound), not a training schedule');
      if (optLr) plan.peakLr = optLr;
      break;
    default:
      // `engine._scheduler_from_config` falls back to torch.optim.lr_scheduler.<type>(optimizer, **params).
      notes.push(`scheduler type "${name}" is not a DeepSpeed schedule: DeepSpeed looks it up in torch.optim.lr_scheduler; its params are not read`);
      if (optLr) plan.peakLr = optLr;
  }
}

/**
 * `scheduler.params.warmup_min_lr: "auto"`: the HF Trainer fills 0 (`fill_only("scheduler.params.warmup_min_lr", 0)`,
 * "not a trainer arg"), whatever `lr_scheduler_kwargs` says: the schedule decays to 0.
 */
function hfFilledMinLr(file: SourceFile): Setting<number> {
  const hit = getIn(file.tree, ['scheduler', 'params', 'warmup_min_lr']);
  return {
    ...derived(0, '"auto": the Hugging Face Trainer fills 0 (not a TrainingArguments value; lr_scheduler_kwargs is not read)'),
    file: file.path,
    key: 'scheduler.params.warmup_min_lr',
    ...(hit ? { range: hit.keyRange } : {}),
  };
}

/** A scheduler LR that replaces optimizer.params.lr: a note and a conflict when the two differ. */
function withOverride(ctx: Ctx, lr: Setting<number>, optLr: Setting<number> | undefined, key = 'warmup_max_lr'): Setting<number> {
  if (!optLr || optLr.value === lr.value) return lr;
  const note = `scheduler.params.${key} ${formatSci(lr.value)} overrides optimizer.params.lr ${formatSci(optLr.value)}`;
  conflict(ctx, ['scheduler', 'params', key], 'lr-override', `${note}: the schedule sets the LR, the optimizer's is never used; make them equal or drop one`, {
    schedulerLr: lr.value,
    optimizerLr: optLr.value,
  });
  return { ...lr, note: lr.note ? `${lr.note}; ${note}` : note };
}

/** warmup_num_steps (default 1000, clamped to ≥ 2) and its shape (warmup_type, default log). */
function readWarmup(ctx: Ctx): void {
  const { file, plan, notes } = ctx;
  const path: KeyPath = ['scheduler', 'params', 'warmup_num_steps'];
  const explicit = num(ctx, path, 'warmupSteps', 'warmup_steps or warmup_ratio × max_steps');
  const shape = warmupShape(file, explicit?.value ?? DEEPSPEED_DEFAULTS.warmupNumSteps);
  if (explicit) {
    plan.warmupSteps = steps({ ...explicit, note: explicit.note ? `${explicit.note}; ${shape}` : shape });
    if (!Number.isInteger(explicit.value) || explicit.value <= 0) {
      notes.push('warmup_num_steps must be a positive integer: DeepSpeed ≥ 0.19.3 raises "warmup_num_steps must be a positive integer"');
    } else if (explicit.value < 2) {
      notes.push('warmup_num_steps is clamped to at least 2 by DeepSpeed');
    }
  } else if (!isAuto(file, path)) {
    plan.warmupSteps = steps(defaultSetting(DEEPSPEED_DEFAULTS.warmupNumSteps, 'scheduler.params.warmup_num_steps', shape));
  }
}

/**
 * The warmup shape. With `log` (the default) gamma = ln(step + 1) / ln(N), so the LR is at half
 * its peak after only √N steps: a "1000-step" warmup is mostly over after a few dozen steps.
 */
function warmupShape(file: SourceFile, n: number): string {
  const written = stringAt(file, ['scheduler', 'params', 'warmup_type'])?.value;
  const type = written ?? DEEPSPEED_DEFAULTS.warmupType;
  if (type === 'linear') return 'linear warmup (warmup_type linear)';
  const why = type === 'log' ? `warmup_type ${written ? '' : 'default '}log` : `unknown warmup_type "${type}" falls back to log`;
  const half = Math.max(1, Math.round(Math.sqrt(Math.max(2, n)) - 1));
  return `log-shaped warmup (${why}): the LR is at half its peak after ${half} of ${formatCount(n)} steps`;
}

/**
 * Keys under scheduler.params that the scheduler's constructor does not take: DeepSpeed calls
 * `scheduler(optimizer, **params)` (engine._scheduler_from_config), so each is a TypeError at init.
 */
function checkSchedulerParams(ctx: Ctx, name: string): void {
  const accepted = SCHEDULER_PARAMS[name];
  const params = isMap(ctx.file, ['scheduler', 'params']);
  if (!accepted || !params) return;
  for (const key of new Set(params.entries.map((e) => e.key))) {
    if (accepted.includes(key)) continue;
    conflict(
      ctx,
      ['scheduler', 'params', key],
      'scheduler-params',
      `${name} does not take scheduler.params.${key}: DeepSpeed passes params as keyword arguments, so the constructor raises TypeError; remove it (${name} takes ${accepted.filter((k) => k !== 'last_batch_iteration').join(', ')})`,
    );
  }
}

// ── Precision ───────────────────────────────────────────────────────────────────────────

function readPrecision(ctx: Ctx): void {
  const { file, plan } = ctx;
  const enabled = (block: string) => boolAt(file, [block, 'enabled']);
  const bf16 = enabled('bf16') ?? enabled('bfloat16'); // `bfloat16` is the legacy alias (constants.py BFLOAT16_OLD)
  const fp16 = enabled('fp16');
  const amp = enabled('amp');
  const autos = ['bf16', 'fp16', 'amp'].filter((b) => isAuto(file, [b, 'enabled']));
  ctx.autos.push(...autos.map((b) => `${b}.enabled`));
  if (bf16?.value && fp16?.value) {
    conflict(ctx, ['fp16', 'enabled'], 'precision', 'bf16.enabled and fp16.enabled are both true: DeepSpeed asserts "bfloat16 and fp16 modes cannot be simultaneously enabled"; disable one');
  }
  if (bf16?.value) plan.precision = { ...bf16, value: 'bf16' };
  else if (fp16?.value) plan.precision = { ...fp16, value: 'fp16' };
  else if (amp?.value) plan.precision = { ...amp, value: 'fp16', note: 'NVIDIA Apex AMP (amp.enabled)' };
  else if (autos.length) {
    ctx.missing.push({ field: 'precision', hint: `${autos.map((b) => `${b}.enabled`).join(' and ')} ${autos.length > 1 ? 'are' : 'is'} "auto": ${HF_FILLED} (bf16 / fp16); lint that file, or set assume.precision` });
  } else {
    plan.precision = defaultSetting('fp32', 'fp16.enabled', 'neither fp16 nor bf16 is enabled: DeepSpeed trains in fp32');
  }
}

/**
 * This file is the value of a training program's `--deepspeed` flag (TrainingArguments.deepspeed: the HF Trainer,
 * TRL, alignment-handbook scripts); plain DeepSpeed programs take `--deepspeed_config`.
 */
function trainerLaunched(file: SourceFile): boolean {
  return launchProgramOf(file)?.configFlag === '--deepspeed';
}

/**
 * The batch identity of a file the HF Trainer loads (`--deepspeed ds.json`): the Trainer fills and compares the batch
 * keys with TrainingArguments before DeepSpeed asserts the identity, and its accumulation and micro batch must equal
 * the trainer config's, so the advice keeps them and fixes the global batch ("auto" lets the Trainer compute it).
 */
function trainerBatchCheck(ctx: Ctx): BatchCheck | undefined {
  const { plan, file } = ctx;
  const [train, micro, gas] = [plan.globalBatchSize, plan.microBatchSize, plan.gradAccumSteps];
  const dp = dataParallel(plan);
  if (!trainerLaunched(file) || !train || !micro || !gas || !dp || dp.value <= 0) return undefined;
  if ([train, micro, gas].some((s) => s.origin !== 'explicit')) return undefined;
  const computed = micro.value * gas.value * dp.value;
  if (computed === train.value) return undefined;
  const hit = getIn(file.tree, ['train_batch_size']);
  return {
    kind: 'hf-deepspeed-train-batch',
    range: hit ? hit.keyRange : fileStartRange(file),
    message:
      `train_batch_size ${formatCount(train.value)} ≠ micro ${formatCount(micro.value)} × accumulation ${formatCount(gas.value)} × data-parallel ${formatCount(dp.value)} = ${formatCount(computed)}: ` +
      'the Hugging Face Trainer that loads this file (--deepspeed) refuses to start ("DeepSpeed config values that mismatch TrainingArguments"), and DeepSpeed asserts the same identity; ' +
      `set train_batch_size to "auto" (the Trainer fills world size × per_device_train_batch_size × gradient_accumulation_steps, ${formatCount(computed)} here) or ${formatCount(computed)}: ` +
      "the accumulation and micro batch must stay equal to the Trainer's",
    data: { declared: train.value, computed, microBatchSize: micro.value, gradAccumSteps: gas.value, dataParallelSize: dp.value },
  };
}

// ── Values the HF Trainer compares ──────────────────────────────────────────────────────

/**
 * The keys of links.ts TRAINER_MATCHED_KEYS this file hard-codes (a number, a list of numbers, a boolean; not
 * "auto"), for cross-file-mismatch: the Trainer's fill_match compares each with TrainingArguments. Only
 * `bf16.enabled` is compared for bf16: a legacy `bfloat16` block is not looked up by that name.
 */
function hardCodedMatched(file: SourceFile): Map<string, MatchedValue> {
  const out = new Map<string, MatchedValue>();
  for (const { dsKey } of TRAINER_MATCHED_KEYS) {
    const path = dsKey.split('.');
    if (dsKey.endsWith('.enabled')) {
      const flag = boolAt(file, path);
      if (flag) out.set(dsKey, flag);
      continue;
    }
    const hit = getIn(file.tree, path);
    if (hit?.node.kind === 'seq') {
      const items = hit.node.items.map((n) => (n.kind === 'scalar' && typeof n.value === 'number' ? n.value : undefined));
      if (items.every((v): v is number => v !== undefined)) out.set(dsKey, { value: items, origin: 'explicit', file: file.path, key: dsKey, range: hit.keyRange });
      continue;
    }
    const value = numberAt(file, path, LOADER);
    if (value) out.set(dsKey, value);
  }
  return out;
}

// ── Dialect ─────────────────────────────────────────────────────────────────────────────

export const deepspeed: Dialect = {
  meta: {
    id: 'deepspeed',
    formats: ['json', 'yaml'],
    title: 'DeepSpeed',
    description: 'DeepSpeed JSON configs (ds_config*.json): batch triple, optimizer/scheduler blocks, precision; "auto" values left to the HF Trainer',
    // JSON: the loader does not matter; the rare YAML copy is read like PyYAML would.
    yamlLoader: LOADER,
    schema: 'deepspeed.schema.json',
    // HF Transformers/Accelerate: json.load (rejects a byte order mark); `deepspeed --deepspeed_config`: hjson (skips it).
    jsonLoader: 'json-or-hjson',
  },
  detect(file, _env, facts = detectFacts(file)) {
    return deepspeedScore(file, facts);
  },
  extract(file, env): Extraction {
    const plan: TrainingPlan = {};
    const ctx: Ctx = { file, hf: hasAuto(file), plan, missing: [], notes: [], conflicts: [], autos: [] };

    const train = num(ctx, ['train_batch_size'], 'globalBatchSize', 'world_size × per_device_train_batch_size × gradient_accumulation_steps');
    const micro = num(ctx, ['train_micro_batch_size_per_gpu'], 'microBatchSize', 'per_device_train_batch_size');
    const gas = num(ctx, ['gradient_accumulation_steps'], 'gradAccumSteps', 'gradient_accumulation_steps');
    if (train) plan.globalBatchSize = withUnit(train, 'samples');
    if (micro) plan.microBatchSize = withUnit(micro, 'samples');
    if (gas) plan.gradAccumSteps = gas;

    readSchedule(ctx);
    readPrecision(ctx);

    if (boolAt(file, ['elasticity', 'enabled'])?.value) {
      ctx.notes.push('elasticity is enabled: DeepSpeed computes the batch keys itself');
      const written = BATCH_KEYS.filter((k) => numberAt(file, [k], LOADER));
      if (written.length && !boolAt(file, ['elasticity', 'ignore_non_elastic_batch_info'])?.value) {
        conflict(
          ctx,
          ['elasticity', 'enabled'],
          'elasticity-and-batch',
          `elasticity is enabled and ${written.join(', ')} ${written.length > 1 ? 'are' : 'is'} set: DeepSpeed raises unless elasticity.ignore_non_elastic_batch_info is true; remove the batch keys or set that flag`,
        );
      }
    }

    recordMatchedValues(plan, hardCodedMatched(file));
    applyAssumptions(plan, env.assume);
    resolveBatch(ctx);

    if (!plan.peakLr && !ctx.missing.some((m) => m.field === 'peakLr')) {
      ctx.missing.push({ field: 'peakLr', hint: 'set optimizer.params.lr (or the scheduler\'s peak LR), or assume.peakLr in .trainlint.yml' });
    }
    if (!plan.worldSize && !plan.dataParallelSize) {
      ctx.missing.push({
        field: 'worldSize',
        hint: 'set assume.worldSize (or assume.dataParallelSize with model parallelism) in .trainlint.yml: the launcher decides it (deepspeed --num_gpus/--num_nodes, torchrun)',
      });
    }
    for (const [field, key] of [['microBatchSize', 'train_micro_batch_size_per_gpu'], ['globalBatchSize', 'train_batch_size']] as const) {
      if (plan[field] || ctx.missing.some((m) => m.field === field)) continue;
      const hint = ctx.hf
        ? `${key} is not set: DeepSpeed fills it from the values the Hugging Face Trainer passes (micro × accumulation × world size); set assume.${field} in .trainlint.yml`
        : `set ${key}, or assume.${field} in .trainlint.yml`;
      ctx.missing.push({ field, hint });
    }
    if (ctx.autos.length) {
      ctx.notes.unshift(`"auto" values (${ctx.autos.join(', ')}) are placeholders ${HF_FILLED}: plain deepspeed.initialize cannot use this file; lint the TrainingArguments for those values`);
    }
    // A field an `assume` value filled is no longer missing.
    const missing = ctx.missing.filter((m) => !plan[m.field]);
    const trainerCheck = trainerBatchCheck(ctx);
    return {
      ...(trainerCheck ? { batchChecks: [trainerCheck] } : {}),
      plan,
      missing,
      anchor: fileStartRange(file),
      notes: ctx.notes,
      conflicts: ctx.conflicts,
      launchChecks: { 'batch-size-mismatch': 'DeepSpeed refuses to start (its batch assertion: train_batch_size must equal micro_batch_per_gpu × gradient_acc_step × world_size)' },
    };
  },
};
