/**
 * EleutherAI GPT-NeoX configs (`configs/*.yml`, `post-training/configs/*.yml`): one flat mapping
 * of NeoXArgs (Megatron-style model/schedule keys) with DeepSpeed blocks embedded (`optimizer`,
 * `fp16`, `zero_optimization`). NeoX loads every file with PyYAML `safe_load` (JSON-with-comments
 * files with trailing commas and `True` parse as YAML) and normalises `-` to `_` in top-level keys,
 * so `train-iters` and `train_iters` are the same argument.
 *
 * Semantics from NeoX's `megatron/neox_arguments/neox_args.py` (defaults) and `arguments.py`
 * (`calculate_derived`, `calculate_batch_parameters`) and `megatron/training.py`
 * (`get_learning_rate_scheduler`):
 *  - data-parallel size = global_num_gpus / (pp × mp × cp), where pp/mp/cp below 1 count as 1;
 *  - the batch triple is completed as DeepSpeed does (any two decide the third; one alone ⇒ gas 1);
 *  - the LR schedule runs over `lr_decay_iters` (else `train_iters`), and `warmup` is a FRACTION
 *    of that horizon: `warmup_iter = warmup × num_iters` (docs: "Percentage of total iterations").
 * A NeoX run usually merges several files (model + `local_setup.yml`); one file is linted at a time.
 */
import { applyAssumptions, boolAt, defaultSetting, derived, derivedFrom, numberAt, stringAt, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { hasKey } from '../engine/tree.js';
import type { KeyPath, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, Extraction, MissingField } from './types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

const LOADER = 'pyyaml';

/** Defaults of `neox_args.py` / `arguments.py` (NeoX `ea7aefd8`). */
export const NEOX_DEFAULTS = {
  /** `pipe_parallel_size` 0 (no pipeline; counted as 1 for the data-parallel size). */
  pipeParallelSize: 0,
  /** `model_parallel_size` 1. */
  modelParallelSize: 1,
  /** `gradient_accumulation_steps` 1 when only one of micro/train batch is given (calculate_batch_parameters). */
  gradientAccumulationSteps: 1,
  /** `OPT_DEFAULT` "adam", `OPT_PARAMS_DEFAULTS.lr` 0.001 (used when the `optimizer` block is absent). */
  optimizerType: 'adam',
  lr: 0.001,
  /** `min_lr` 0.0. */
  minLr: 0,
  /** `lr_decay_style` "linear". */
  lrDecayStyle: 'linear',
  /** `warmup` 0.01 (a fraction of the decay horizon). */
  warmup: 0.01,
  /** `eval_interval` 1000. */
  evalInterval: 1000,
  /** `checkpoint_scale` "linear". */
  checkpointScale: 'linear',
};

/** The keys that say "this is a NeoX file" next to a schedule key. */
const NEOX_ONLY = ['pipe_parallel_size', 'model_parallel_size', 'lr_decay_style', 'norm', 'pos_emb'];
const ARCH_TRIPLE = ['num_layers', 'hidden_size', 'num_attention_heads'];

/** The `a-b` spelling of each name asked about (a few dozen constant names; kept for the run). */
const DASHED = new Map<string, string>();

/** The key as written in the file: NeoX accepts `a_b` and `a-b` for the same argument. */
function keyOf(file: SourceFile, name: string): string | undefined {
  if (hasKey(file.tree, name)) return name;
  let dashed = DASHED.get(name);
  if (dashed === undefined) DASHED.set(name, (dashed = name.replaceAll('_', '-')));
  return dashed !== name && hasKey(file.tree, dashed) ? dashed : undefined;
}

function has(file: SourceFile, name: string): boolean {
  return keyOf(file, name) !== undefined;
}

function num(file: SourceFile, name: string, rest: KeyPath = []): Setting<number> | undefined {
  const key = keyOf(file, name);
  return key ? numberAt(file, [key, ...rest], LOADER) : undefined;
}

function str(file: SourceFile, name: string, rest: KeyPath = []): Setting<string> | undefined {
  const key = keyOf(file, name);
  return key ? stringAt(file, [key, ...rest]) : undefined;
}

function bool(file: SourceFile, name: string, rest: KeyPath = []): Setting<boolean> | undefined {
  const key = keyOf(file, name);
  return key ? boolAt(file, [key, ...rest]) : undefined;
}

/** `has(file, 'train_iters') || has(file, 'lr_decay_iters')`: either spelling of either key. */
const SCHEDULE_GROUP = keyGroup(['train_iters', 'train-iters', 'lr_decay_iters', 'lr-decay-iters']);

/** `has(file, name)` of detection, from the facts it shares: `name` or its `a-b` spelling among the root's keys. */
function hasName(facts: DetectFacts, name: string): boolean {
  if (facts.has(name)) return true;
  let dashed = DASHED.get(name);
  if (dashed === undefined) DASHED.set(name, (dashed = name.replaceAll('_', '-')));
  return dashed !== name && facts.has(dashed);
}

export function neoxScore(file: SourceFile, facts: DetectFacts = detectFacts(file)): number {
  if (!facts.root) return 0;
  // A training config needs a schedule horizon; architecture-only fragments are not claimed.
  if (!facts.some(SCHEDULE_GROUP)) return 0;
  const has = (k: string) => hasName(facts, k);
  const distinctive = NEOX_ONLY.filter(has).length + (ARCH_TRIPLE.every(has) ? 1 : 0);
  if (distinctive === 0) return 0;
  return Math.min(10, 7 + distinctive);
}

export const gptNeox: Dialect = {
  meta: {
    id: 'gpt-neox',
    title: 'GPT-NeoX',
    description: 'EleutherAI GPT-NeoX YAML configs (NeoXArgs: train_iters, lr_decay_iters, warmup fraction, pipe/model parallel sizes, embedded DeepSpeed blocks)',
    yamlLoader: LOADER,
    // NeoXArgs.from_ymls: `yaml.load(conf_file, Loader=yaml.FullLoader)`, whose `!!python/` tags are not SafeLoader's.
    yamlTags: ['!!python/'],
    schema: 'gpt-neox.schema.json',
  },
  detect(file, _env, facts = detectFacts(file)) {
    return neoxScore(file, facts);
  },
  extract(file, env): Extraction {
    const plan: TrainingPlan = {};
    const missing: MissingField[] = [];
    const notes: string[] = [];
    const conflicts: Conflict[] = [];

    // ── Explicit keys and documented defaults ───────────────────────────────────────────
    const micro = num(file, 'train_micro_batch_size_per_gpu');
    const gas = num(file, 'gradient_accumulation_steps');
    const train = num(file, 'train_batch_size');
    if (micro) plan.microBatchSize = withUnit(micro, 'samples');
    if (gas) plan.gradAccumSteps = gas;
    if (train) plan.globalBatchSize = withUnit(train, 'samples');

    const seq = num(file, 'seq_length');
    if (seq) plan.seqLen = withUnit(seq, 'tokens');

    const optKey = keyOf(file, 'optimizer');
    const optType = str(file, 'optimizer', ['type']);
    const lr = num(file, 'optimizer', ['params', 'lr']);
    plan.optimizer = optType ?? defaultSetting(NEOX_DEFAULTS.optimizerType, 'optimizer.type', 'NeoX OPT_DEFAULT');
    if (lr) plan.peakLr = lr;
    else if (!optKey) plan.peakLr = defaultSetting(NEOX_DEFAULTS.lr, 'optimizer.params.lr', 'no optimizer block: NeoX uses OPT_PARAMS_DEFAULTS (adam, lr 0.001)');
    if (has(file, 'lr')) notes.push('a top-level lr is overwritten by optimizer.params.lr in calculate_derived: set the LR in the optimizer block');
    plan.minLr = num(file, 'min_lr') ?? defaultSetting(NEOX_DEFAULTS.minLr, 'min_lr');
    plan.scheduler = str(file, 'lr_decay_style') ?? defaultSetting(NEOX_DEFAULTS.lrDecayStyle, 'lr_decay_style');

    const trainIters = num(file, 'train_iters');
    if (trainIters) plan.totalSteps = withUnit(trainIters, 'steps');

    readPrecision(file, plan, conflicts);
    readIntervals(file, plan, notes);

    const globalGpus = num(file, 'global_num_gpus');
    if (globalGpus) plan.worldSize = globalGpus;
    else noteRunnerKeys(file, notes);
    applyAssumptions(plan, env.assume);

    // ── Derived values ──────────────────────────────────────────────────────────────────
    deriveSchedule(file, plan, notes, conflicts);
    deriveParallel(file, plan, conflicts);
    deriveBatch(plan, { micro, gas, train });

    if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'set global_num_gpus, or assume.worldSize in .trainlint.yml (NeoX counts the GPUs of the hostfile, or of the machine, at launch)' });
    if (!plan.totalSteps) missing.push({ field: 'totalSteps', hint: 'set train_iters (NeoX has no default; it may come from another config file of the run)' });
    if (!plan.peakLr) missing.push({ field: 'peakLr', hint: 'set optimizer.params.lr' });
    if (!plan.seqLen) missing.push({ field: 'seqLen', hint: 'set seq_length' });
    if (!plan.microBatchSize && !plan.globalBatchSize) missing.push({ field: 'microBatchSize', hint: 'set train_micro_batch_size_per_gpu (or train_batch_size)' });
    // AnnealingLR.get_lr: past the horizon, linear is held at min_lr by max(lr, min_lr); the
    // cosine is not clamped, so cos(π × step / end) passes π and the LR climbs back.
    const afterDecay = plan.scheduler?.value === 'cosine' ? 'rises' : plan.scheduler?.value === 'linear' ? 'flat' : undefined;
    return {
      plan,
      missing,
      anchor: fileStartRange(file),
      notes,
      conflicts,
      ...(afterDecay ? { afterDecay } : {}),
      // lr_decay_iters falls back to train_iters (training.py get_learning_rate_scheduler).
      decayDefaultsToRun: true,
      // pretrain(): after train(), `if do_valid: evaluate…("the end of training…")` and
      // `if save and iteration != 0: save_checkpoint(…)`.
      atRunEnd: { save: 'NeoX saves once at the end, with `save` set', eval: 'NeoX evaluates once at the end' },
      launchChecks: { 'batch-size-mismatch': 'NeoX refuses to start (calculate_batch_parameters asserts train_batch_size = micro batch × gradient_accumulation_steps × data-parallel size)' },
    };
  },
};

/** NeoXArgsDeepspeedRunner keys, which `deepy.py` hands to DeepSpeed's launcher. */
const RUNNER_KEYS = ['num_gpus', 'num_nodes', 'hostfile', 'include', 'exclude'];

/**
 * Without global_num_gpus, NeoX counts the GPUs itself at launch (calculate_derived): the slots of the hostfile
 * (`hostfile`, else /job/hostfile), limited to num_nodes hosts, or num_gpus × those hosts; with no hostfile, the
 * machine's GPU count. None of them is in the file, so the world size stays unknown, and the launcher keys
 * written say so.
 */
function noteRunnerKeys(file: SourceFile, notes: string[]): void {
  const written = RUNNER_KEYS.map((k) => keyOf(file, k)).filter((k): k is string => k !== undefined);
  if (written.length === 0) return;
  notes.push(`${written.join(', ')}: NeoX hands them to DeepSpeed's launcher and counts global_num_gpus at launch from the hostfile's hosts and slots (or the machine's GPUs), which trainlint cannot see, so the world size is unknown; set global_num_gpus (or assume.worldSize) to check the batch and parallel sizes`);
}

/**
 * `precision` wins when written ("fp16", "fp32", "bfloat16"); else `fp16.enabled` gives fp16 and
 * `bf16.enabled` bf16; else NeoX sets fp32. NeoX asserts when `fp16.enabled` contradicts `precision`.
 */
function readPrecision(file: SourceFile, plan: TrainingPlan, conflicts: Conflict[]): void {
  const precision = str(file, 'precision');
  const fp16 = bool(file, 'fp16', ['enabled']);
  const bf16 = bool(file, 'bf16', ['enabled']);
  const canonical = (v: string) => (v === 'bfloat16' ? 'bf16' : v === 'float16' ? 'fp16' : v);
  if (precision) {
    plan.precision = { ...precision, value: canonical(precision.value) };
    if (fp16?.value && plan.precision.value !== 'fp16') {
      conflicts.push({
        kind: 'precision',
        range: fp16.range!,
        message: `fp16.enabled is true but precision is "${precision.value}": NeoX asserts "DeepSpeed fp16 field was set but precision conflicts"; keep one`,
      });
    } else if (bf16?.value && plan.precision.value === 'fp16') {
      // NeoX turns fp16 on for precision "fp16" and passes the bf16 block to DeepSpeed as written.
      conflicts.push({
        kind: 'precision',
        range: bf16.range!,
        message: `bf16.enabled is true but precision is "${precision.value}": NeoX enables fp16 and passes bf16 to DeepSpeed too, which refuses to start ("bfloat16 and fp16 modes cannot be simultaneously enabled"); keep one`,
      });
    }
  } else if (fp16?.value) {
    plan.precision = { ...fp16, value: 'fp16' };
    if (bf16?.value) {
      conflicts.push({ kind: 'precision', range: bf16.range!, message: 'fp16.enabled and bf16.enabled are both true: DeepSpeed refuses to start; keep bf16 on Ampere or newer GPUs, fp16 on older ones' });
    }
  } else if (bf16?.value) {
    plan.precision = { ...bf16, value: 'bf16' };
  } else {
    plan.precision = defaultSetting('fp32', 'precision', 'no precision, fp16.enabled or bf16.enabled: NeoX trains in fp32');
  }
}

/**
 * Checkpoints: `checkpoint_factor` (called `save_interval` before NeoX 2.0) with the linear
 * `checkpoint_scale`; a "log" scale saves at factor, factor², … (no fixed interval). Evaluation:
 * `eval_interval`, default 1000.
 */
function readIntervals(file: SourceFile, plan: TrainingPlan, notes: string[]): void {
  // `save_interval` was renamed `checkpoint_factor` (EleutherAI/gpt-neox#737, before NeoX 2.0):
  // NeoX refuses the old name, which the schema rule reports (removed-keys.ts); it is not read.
  const factor = num(file, 'checkpoint_factor');
  const scale = str(file, 'checkpoint_scale')?.value ?? NEOX_DEFAULTS.checkpointScale;
  if (factor && factor.value > 0) {
    if (scale === 'linear') plan.saveEverySteps = withUnit(factor, 'steps');
    else notes.push(`checkpoint_scale "${scale}": checkpoints at ${formatCount(factor.value)}, ${formatCount(factor.value)}², … (no fixed interval)`);
    if (!has(file, 'save')) notes.push('no save path in this file: NeoX writes checkpoints only when `save` is set (usually in local_setup.yml)');
  }
  const evalInterval = num(file, 'eval_interval') ?? defaultSetting(NEOX_DEFAULTS.evalInterval, 'eval_interval');
  // do_valid needs eval_iters > 0: eval_iters 0 switches evaluation off.
  const evalIters = num(file, 'eval_iters');
  if (evalIters?.value === 0) {
    if (evalInterval.origin === 'explicit') notes.push(`${evalInterval.key} has no effect with ${evalIters.key} 0: evaluation is off`);
    return;
  }
  plan.evalEverySteps = withUnit(evalInterval, 'steps');
}

/** Decay horizon (lr_decay_iters, else floor(train_iters × lr_decay_fraction), else train_iters) and warmup. */
function deriveSchedule(file: SourceFile, plan: TrainingPlan, notes: string[], _conflicts: Conflict[]): void {
  const decayIters = num(file, 'lr_decay_iters');
  const fraction = num(file, 'lr_decay_fraction');
  const total = plan.totalSteps;
  // Keys as the file spells them (train-iters or train_iters): one spelling per message.
  const trainKey = total?.key ?? 'train_iters';
  let horizonName = decayIters?.key ?? 'lr_decay_iters';
  let horizon: Setting<number> | undefined;
  if (decayIters) {
    horizon = withUnit(decayIters, 'steps');
  } else if (fraction && total) {
    horizon = derivedFrom(fraction, Math.floor(total.value * fraction.value), `floor(${trainKey} ${formatCount(total.value)} × ${fraction.key} ${fraction.value})`, 'steps');
    horizonName = 'the decay horizon';
  } else if (total) {
    horizon = derived(total.value, `${trainKey} ${formatCount(total.value)} (no decay horizon set: NeoX decays over ${trainKey})`, 'steps');
    horizonName = trainKey;
  }
  // AnnealingLR: linear and cosine end at the horizon; exponential halves the LR per horizon
  // and constant ignores it (the horizon still scales the warmup fraction below).
  const style = plan.scheduler?.value;
  if (horizon && (style === 'linear' || style === 'cosine')) plan.decaySteps = horizon;
  // lr_decay_style "constant" switches the decay off in the same config: a decay length written anyway
  // is not reported (it still scales the warmup fraction below).
  const warmup = num(file, 'warmup') ?? defaultSetting(NEOX_DEFAULTS.warmup, 'warmup');
  if (horizon) {
    const iters = Math.max(1, horizon.value); // training.py: num_iters = max(1, num_iters)
    const product = warmup.value * iters;
    const whole = Math.abs(product - Math.round(product)) < 1e-9;
    const steps = whole ? Math.round(product) : Math.ceil(product);
    const expr = `${warmup.value} × ${horizonName} ${formatCount(iters)}`;
    plan.warmupSteps = {
      ...derivedFrom(warmup, steps, `${whole ? expr : `ceil(${expr})`} (warmup is a fraction of the LR decay horizon, not a step count)`, 'steps'),
      fractionOf: { fraction: warmup.value, of: `${horizonName} ${formatCount(iters)}`, ofSteps: iters },
      ...(warmup.origin === 'default' ? { note: 'warmup unset: NeoX default 0.01' } : {}),
    };
  } else if (warmup.origin === 'explicit') {
    notes.push(`warmup ${warmup.value} is a fraction of lr_decay_iters (else train_iters); neither is set here`);
  }
  if (warmup.value >= 1) notes.push(`warmup ${warmup.value} ≥ 1: NeoX reads warmup as a fraction of the decay horizon, so the whole schedule is warmup`);
}

/** dp = world / (pp × mp × cp), each below 1 counted as 1 (arguments.py calculate_derived). */
function deriveParallel(file: SourceFile, plan: TrainingPlan, conflicts: Conflict[]): void {
  const pp = num(file, 'pipe_parallel_size')?.value ?? NEOX_DEFAULTS.pipeParallelSize;
  const mp = num(file, 'model_parallel_size')?.value ?? NEOX_DEFAULTS.modelParallelSize;
  const cp = num(file, 'context_parallel_size')?.value ?? 1;
  const world = plan.worldSize;
  if (!world || plan.dataParallelSize) return;
  const [p, m, c] = [pp, mp, cp].map((v) => (v >= 1 ? v : 1));
  const perReplica = p * m * c;
  const cpPart = c > 1 ? ` × ${formatCount(c)} CP` : '';
  if (world.value % perReplica !== 0) {
    conflicts.push({
      kind: 'parallel-sizes',
      range: world.range ?? fileStartRange(file),
      message: `world size ${formatCount(world.value)} is not divisible by pipe_parallel_size ${formatCount(p)} × model_parallel_size ${formatCount(m)}${cpPart} = ${formatCount(perReplica)}: NeoX raises "must be a whole number" at launch`,
    });
    return;
  }
  plan.dataParallelSize = derived(world.value / perReplica, `${formatCount(world.value)} / (${formatCount(p)} PP × ${formatCount(m)} MP${cpPart})`);
}

interface BatchKeys {
  micro?: Setting<number>;
  gas?: Setting<number>;
  train?: Setting<number>;
}

/** DeepSpeed's batch completion as NeoX copies it (`calculate_batch_parameters`), integer division included. */
function deriveBatch(plan: TrainingPlan, { micro, gas, train }: BatchKeys): void {
  const dp = plan.dataParallelSize;
  // One of micro/train alone: NeoX sets gas to 1 whatever the data-parallel size.
  if (!plan.gradAccumSteps && !(micro && train)) plan.gradAccumSteps = defaultSetting(NEOX_DEFAULTS.gradientAccumulationSteps, 'gradient_accumulation_steps');
  if (!dp) return;
  const d = formatCount(dp.value);
  // All three written: nothing to derive; batch-size-mismatch compares them (NeoX asserts the identity at launch).
  if (train && micro && gas) return;
  if (train && micro) {
    plan.gradAccumSteps = derived(Math.floor(Math.floor(train.value / micro.value) / dp.value), `train_batch_size ${formatCount(train.value)} // micro ${formatCount(micro.value)} // dp ${d}`);
  } else if (train && gas) {
    plan.microBatchSize = derived(Math.floor(Math.floor(train.value / dp.value) / gas.value), `train_batch_size ${formatCount(train.value)} // dp ${d} // gas ${formatCount(gas.value)}`, 'samples');
  } else if (train) {
    plan.microBatchSize = derived(Math.floor(train.value / dp.value), `train_batch_size ${formatCount(train.value)} // dp ${d} (gas 1)`, 'samples');
  }
  if (!plan.globalBatchSize && plan.microBatchSize && plan.gradAccumSteps) {
    const m = plan.microBatchSize.value;
    const g = plan.gradAccumSteps.value;
    plan.globalBatchSize = derived(m * g * dp.value, `${formatCount(m)} × ${formatCount(g)} × ${d} (micro × accumulation × data-parallel size)`, 'samples');
  }
}
