/**
 * Levanter (stanford-crfm/levanter, now marin-community/levanter): draccus YAML configs of
 * `levanter.main.train_lm` (`trainer:`, `optimizer:`, `model: {type: …}`, `data: !include …`).
 *
 * draccus reads the YAML with PyYAML (so `6E-4` is the string "6E-4") and decodes each value by
 * its dataclass field's type: `float("6E-4")` works, but an `int` field written `1e4` fails at
 * start-up ("Couldn't parse '1e4' into an int"). `optimizer.warmup` and `optimizer.decay` are a
 * fraction of `trainer.num_train_steps` when ≤ 1.0 and whole steps above (`_convert_frac_or_steps`),
 * so `warmup: 1` is the whole run. The LR schedule (`OptimizerConfig.lr_scheduler`): warmup from 0,
 * a stable phase, then `decay` (by default the rest of the cycle) down to `learning_rate ×
 * min_lr_ratio` at the end of the cycle (`cycle_length`/`cycles`, else the run).
 *
 * Facts: research/frameworks-wave2-nemo-rl-jax.md §1.1, §7 (Levanter @ 9263f81e, draccus @ 13dd58f).
 */
import { applyAssumptions, boolAt, defaultSetting, derived, derivedFrom, numberAt, stringAt } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { getIn, mapGet } from '../engine/tree.js';
import type { KeyPath, Range, Setting, TrainingPlan } from '../engine/types.js';
import type { BatchCheck, ConfigError, Conflict, Dialect, ExtractEnv, Extraction, MissingField } from './types.js';

const LOADER = 'pydantic';
const LOADER_NAME = 'PyYAML, then draccus (Levanter)';

/** OptimizerConfig and TrainerConfig defaults. */
export const LEVANTER_DEFAULTS = {
  trainBatchSize: 512,
  numTrainSteps: 400_000,
  stepsPerEval: 1_000,
  learningRate: 6e-4,
  minLrRatio: 0.1,
  warmup: 0.01,
  lrSchedule: 'cosine',
  perDeviceParallelism: -1,
  modelAxisSize: 1,
};

/** TrainerConfig keys only Levanter has (Lightning's `trainer:` has none of them). */
const TRAINER_KEYS = ['num_train_steps', 'per_device_parallelism', 'mp', 'model_axis_size', 'checkpointer', 'fsdp_axis', 'batch_axis', 'per_device_eval_parallelism', 'steps_per_eval', 'tracker'];
/** Integer fields draccus decodes with int(): a PyYAML string like "1e4" fails there. */
const INT_FIELDS: KeyPath[] = [
  ['trainer', 'num_train_steps'],
  ['trainer', 'train_batch_size'],
  ['trainer', 'per_device_parallelism'],
  ['trainer', 'per_device_eval_parallelism'],
  ['trainer', 'steps_per_eval'],
  ['trainer', 'model_axis_size'],
  ['trainer', 'max_eval_batches'],
  ['optimizer', 'cycle_length'],
  ['optimizer', 'cycles'],
];

function isLevanter(file: SourceFile): boolean {
  const root = file.tree;
  if (!root || root.kind !== 'map') return false;
  const trainer = mapGet(root, 'trainer')?.value;
  if (trainer?.kind !== 'map') return false;
  const trainerKeys = TRAINER_KEYS.filter((k) => mapGet(trainer, k) !== undefined).length;
  const optimizer = mapGet(root, 'optimizer')?.value;
  const model = mapGet(root, 'model')?.value;
  const hasModelType = model?.kind === 'map' && mapGet(model, 'type') !== undefined;
  return trainerKeys >= 2 || (trainerKeys >= 1 && (optimizer?.kind === 'map' || hasModelType));
}

interface Ctx {
  file: SourceFile;
  plan: TrainingPlan;
  notes: string[];
  missing: MissingField[];
  checks: BatchCheck[];
  configErrors: ConfigError[];
  conflicts: Conflict[];
  anchor: Range;
}

const num = (ctx: Ctx, ...path: string[]) => numberAt(ctx.file, path, LOADER);
const said = (s: Setting): string => `${s.key ?? ''} ${typeof s.value === 'number' ? formatCount(s.value) : String(s.value)}${s.origin === 'default' ? ' (default)' : ''}`.trim();
const at = (ctx: Ctx, ...s: (Setting | undefined)[]): Range => s.find((x) => x?.range && x.origin !== 'default' && x.origin !== 'derived')?.range ?? ctx.anchor;

/**
 * `_convert_frac_or_steps`: ≤ 1.0 is a fraction of the run (int(x × num_train_steps)), > 1 must be
 * whole steps; a negative or a non-whole number above 1 is refused.
 */
function fracOrSteps(ctx: Ctx, s: Setting<number>, total: Setting<number> | undefined, what: string): Setting<number> | undefined {
  const x = s.value;
  if (x < 0 || (x > 1 && !Number.isInteger(x))) {
    ctx.configErrors.push({
      range: at(ctx, s),
      message: `${said(s)}: Levanter refuses to start ("Invalid fraction ${x}. Must be between 0 and 1. You can also use (whole) steps."); write a fraction ≤ 1 of the run or a whole number of steps`,
    });
    return undefined;
  }
  if (x > 1) return { ...s, unit: 'steps' };
  if (!total) return undefined;
  const steps = Math.floor(x * total.value);
  const note = x === 1 && s.origin !== 'default' ? `${s.key} ${x} is ≤ 1.0, so Levanter reads it as a fraction: the whole run (${formatCount(steps)} steps), not 1 step; write ${what === 'warmup' ? 'warmup: 2 or more for steps, or e.g. 0.01' : 'a whole number > 1 for steps'}` : undefined;
  return {
    ...derivedFrom(s, steps, `int(${x} × num_train_steps ${formatCount(total.value)}) (${s.key} ≤ 1.0 is a fraction of the run)`, 'steps'),
    fractionOf: { fraction: x, of: 'trainer.num_train_steps', ofSteps: total.value },
    ...(note ? { note } : {}),
  };
}

function intTraps(ctx: Ctx): void {
  for (const path of INT_FIELDS) {
    const hit = getIn(ctx.file.tree, path);
    if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string') continue;
    const text = hit.node.value.trim();
    if (text.length > 40 || !/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)[eE][-+]?\d+$/.test(text)) continue;
    const n = Number(text);
    ctx.configErrors.push({
      range: hit.keyRange,
      message: `${path.join('.')}: ${hit.node.source} is read by PyYAML as the string "${text}", and draccus decodes this int field with int(): Levanter refuses to start ("Couldn't parse '${text}' into an int"); write ${Number.isFinite(n) && Number.isInteger(n) ? formatCount(n).replace(/,/g, '') : 'a whole number'}`,
      data: { keyPath: path, written: hit.node.source },
    });
  }
}

function extractPlan(ctx: Ctx, env: ExtractEnv): void {
  const { plan, notes } = ctx;
  intTraps(ctx);
  applyAssumptions(plan, env.assume);
  // Batch: global train_batch_size (an int, or a schedule of {start, value}).
  const tbsHit = getIn(ctx.file.tree, ['trainer', 'train_batch_size']);
  let tbs = num(ctx, 'trainer', 'train_batch_size');
  if (!tbs && tbsHit?.node.kind === 'seq') {
    const first = tbsHit.node.items[0];
    const v = first && first.kind === 'map' ? mapGet(first, 'value')?.value : undefined;
    if (v?.kind === 'scalar' && typeof v.value === 'number') {
      tbs = { value: v.value, origin: 'explicit', file: ctx.file.path, key: 'trainer.train_batch_size', range: tbsHit.keyRange, note: `a batch schedule of ${tbsHit.node.items.length} phases: the first is used here` };
      notes.push(`trainer.train_batch_size is a schedule (${tbsHit.node.items.length} phases): the global batch changes during the run; rules use the first phase's ${formatCount(v.value)}`);
    }
  }
  tbs ??= tbsHit ? undefined : defaultSetting(LEVANTER_DEFAULTS.trainBatchSize, 'trainer.train_batch_size', 'TrainerConfig default');
  // -1: per_device_parallelism × the data axis decides the global batch.
  const tbsAuto = tbs?.value === -1 ? tbs : undefined;
  if (tbsAuto) tbs = undefined;
  if (tbs) plan.globalBatchSize = { ...tbs, unit: 'samples' };
  const pdp = num(ctx, 'trainer', 'per_device_parallelism') ?? defaultSetting(LEVANTER_DEFAULTS.perDeviceParallelism, 'trainer.per_device_parallelism', 'TrainerConfig default');
  const mas = num(ctx, 'trainer', 'model_axis_size') ?? defaultSetting(LEVANTER_DEFAULTS.modelAxisSize, 'trainer.model_axis_size', 'TrainerConfig default');
  const world = plan.worldSize;
  const allowNondivisible = boolAt(ctx.file, ['trainer', 'allow_nondivisible_batch_size'])?.value === true;
  if (pdp.value === -1 && tbsAuto) {
    ctx.configErrors.push({ range: at(ctx, pdp), message: 'trainer.train_batch_size and per_device_parallelism are both -1: Levanter refuses to start ("either train_batch_size or per_device_parallelism must be specified (not -1)"); set train_batch_size' });
  }
  if (world) {
    if (world.value % mas.value !== 0) {
      ctx.checks.push({
        kind: 'devices-not-divisible-by-model-axis',
        range: at(ctx, mas, world),
        message: `${formatCount(world.value)} devices are not divisible by ${said(mas)}: Levanter refuses to start ("num_devices (${formatCount(world.value)}) is not divisible by model_axis_size (${formatCount(mas.value)})"); use a model_axis_size that divides ${formatCount(world.value)}`,
      });
    } else {
      const dataAxis = world.value / mas.value;
      if (mas.value > 1) plan.dataParallelSize = derived(dataAxis, `${formatCount(world.value)} devices / model_axis_size ${formatCount(mas.value)}`);
      if (tbsAuto && pdp.value > 0) {
        plan.microBatchSize = { ...pdp, unit: 'samples' };
        plan.gradAccumSteps = derived(1, 'train_batch_size -1: no microbatching');
        plan.globalBatchSize = derivedFrom(tbsAuto, pdp.value * dataAxis, `train_batch_size -1: per_device_parallelism ${formatCount(pdp.value)} × data axis ${formatCount(dataAxis)}`, 'samples');
      }
      if (tbs && pdp.value > 0) {
        plan.microBatchSize = { ...pdp, unit: 'samples' };
        const per = pdp.value * dataAxis;
        if (tbs.value % per === 0) plan.gradAccumSteps = derived(tbs.value / per, `train_batch_size ${formatCount(tbs.value)} / (per_device_parallelism ${formatCount(pdp.value)} × data axis ${formatCount(dataAxis)}) (microbatches)`);
        else if (!allowNondivisible) {
          ctx.checks.push({
            kind: 'train-batch-not-divisible',
            range: at(ctx, tbs, pdp),
            message: `trainer.train_batch_size ${formatCount(tbs.value)} is not divisible by per_device_parallelism ${formatCount(pdp.value)} × data axis ${formatCount(dataAxis)} = ${formatCount(per)}: Levanter refuses to start ("train_batch_size (${formatCount(tbs.value)}) must be divisible by per_device_parallelism * data_axis_size (${formatCount(pdp.value)}, ${formatCount(dataAxis)})"); use a multiple of ${formatCount(per)} (e.g. ${formatCount(Math.max(per, Math.round(tbs.value / per) * per))})`,
          });
        }
      } else if (tbs && pdp.value === -1 && tbs.value % dataAxis === 0) {
        plan.microBatchSize = derived(tbs.value / dataAxis, `train_batch_size ${formatCount(tbs.value)} // data axis ${formatCount(dataAxis)} (per_device_parallelism -1)`, 'samples');
        plan.gradAccumSteps = derived(1, 'per_device_parallelism -1: no microbatching');
      }
    }
  } else {
    ctx.missing.push({ field: 'worldSize', hint: 'set assume.worldSize (the number of accelerator devices) in .trainlint.yml: Levanter takes the devices from JAX' });
  }

  // Run length and schedule.
  const steps = num(ctx, 'trainer', 'num_train_steps') ?? (getIn(ctx.file.tree, ['trainer', 'num_train_steps']) ? undefined : defaultSetting(LEVANTER_DEFAULTS.numTrainSteps, 'trainer.num_train_steps', 'TrainerConfig default'));
  if (steps) plan.totalSteps = { ...steps, unit: 'steps' };
  const lr = num(ctx, 'optimizer', 'learning_rate') ?? defaultSetting(LEVANTER_DEFAULTS.learningRate, 'optimizer.learning_rate', 'OptimizerConfig default');
  plan.peakLr = lr;
  const ratio = num(ctx, 'optimizer', 'min_lr_ratio') ?? defaultSetting(LEVANTER_DEFAULTS.minLrRatio, 'optimizer.min_lr_ratio', 'OptimizerConfig default');
  plan.minLr = derivedFrom(ratio, ratio.value * lr.value, `${said(ratio)} × learning_rate ${formatSci(lr.value)}`);
  const schedule = stringAt(ctx.file, ['optimizer', 'lr_schedule']) ?? defaultSetting(LEVANTER_DEFAULTS.lrSchedule, 'optimizer.lr_schedule', 'OptimizerConfig default');
  plan.scheduler = schedule;
  const type = stringAt(ctx.file, ['optimizer', 'type']);
  if (type) plan.optimizer = type;
  const warm = num(ctx, 'optimizer', 'warmup') ?? defaultSetting(LEVANTER_DEFAULTS.warmup, 'optimizer.warmup', 'OptimizerConfig default');
  const warmup = fracOrSteps(ctx, warm, plan.totalSteps, 'warmup');
  if (warmup) plan.warmupSteps = warmup;
  if (warm.value <= 1 && warm.value >= 0) plan.warmupRatio = { ...warm, unit: 'ratio' };
  const cycleLength = num(ctx, 'optimizer', 'cycle_length');
  const cycles = num(ctx, 'optimizer', 'cycles');
  if (cycleLength && cycles) {
    ctx.conflicts.push({ kind: 'cycle-length-and-cycles', range: at(ctx, cycles, cycleLength), message: `optimizer.cycle_length ${formatCount(cycleLength.value)} and optimizer.cycles ${formatCount(cycles.value)} are both set: Levanter refuses to start ("Can't use both cycle_length and cycles."); keep one` });
  } else if (cycleLength && plan.totalSteps && cycleLength.value > plan.totalSteps.value) {
    ctx.configErrors.push({ range: at(ctx, cycleLength), message: `optimizer.cycle_length ${formatCount(cycleLength.value)} > the run's ${formatCount(plan.totalSteps.value)} steps: Levanter refuses to start ("Cycle lengths exceed total number of steps: ${formatCount(cycleLength.value)} > ${formatCount(plan.totalSteps.value)}"); shorten the cycle or train longer` });
  }
  if (!cycleLength && !cycles && plan.totalSteps && schedule.value !== 'constant') {
    plan.decaySteps = derived(plan.totalSteps.value, 'the decay ends with the run (no cycle_length or cycles)', 'steps');
  } else if (cycleLength || cycles) {
    notes.push('optimizer.cycle_length / cycles: the schedule repeats (WSD-S), warming up and decaying within each cycle; the decay horizon is per cycle');
  }
  const decay = num(ctx, 'optimizer', 'decay');
  if (decay) fracOrSteps(ctx, decay, plan.totalSteps, 'decay');
  const cooldown = getIn(ctx.file.tree, ['optimizer', 'cooldown']);
  if (cooldown?.node.kind === 'scalar' && cooldown.node.value !== null) notes.push('optimizer.cooldown is deprecated in Levanter ("cooldown is deprecated. Just use the normal schedule."): set decay instead');
  const evalEvery = num(ctx, 'trainer', 'steps_per_eval') ?? defaultSetting(LEVANTER_DEFAULTS.stepsPerEval, 'trainer.steps_per_eval', 'TrainerConfig default');
  if (evalEvery.value > 0) plan.evalEverySteps = { ...evalEvery, unit: 'steps' };
  const keep = getIn(ctx.file.tree, ['trainer', 'checkpointer', 'keep']);
  if (keep?.node.kind === 'seq') notes.push('trainer.checkpointer: Levanter saves by time (save_interval, 15 min by default) and keeps a permanent checkpoint every keep[].every steps');
  const mp = stringAt(ctx.file, ['trainer', 'mp']);
  if (mp) {
    const compute = /(?:^|,)\s*(?:c|compute)\s*=\s*([\w]+)/.exec(mp.value.slice(0, 200))?.[1];
    plan.precision = { ...mp, value: compute ? (/bf/.test(compute) ? 'bf16' : /16/.test(compute) ? 'fp16' : compute) : mp.value };
  }
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const anchor = fileStartRange(file);
  if (!isLevanter(file)) return { plan: {}, missing: [], anchor, notes: ['not a Levanter config'] };
  const ctx: Ctx = { file, plan: {}, notes: [], missing: [], checks: [], configErrors: [], conflicts: [], anchor };
  const data = getIn(file.tree, ['data']);
  if (data?.node.kind === 'scalar' && typeof data.node.value === 'string' && /\.ya?ml$/.test(data.node.value)) ctx.notes.push(`data: ${data.node.value} (draccus !include) holds the data mixture; it does not change the training plan and is not read`);
  extractPlan(ctx, env);
  if (!ctx.plan.totalSteps) ctx.missing.push({ field: 'totalSteps', hint: 'write trainer.num_train_steps as a whole number' });
  return {
    plan: ctx.plan,
    missing: ctx.missing,
    anchor,
    notes: ctx.notes,
    conflicts: ctx.conflicts,
    ...(ctx.checks.length ? { batchChecks: ctx.checks } : {}),
    ...(ctx.configErrors.length ? { configErrors: ctx.configErrors } : {}),
    launchChecks: { 'batch-size-mismatch': 'Levanter refuses to start (TrainerConfig._validate_and_set_defaults)' },
    afterDecay: 'flat',
  };
}

export const levanter: Dialect = {
  meta: {
    id: 'levanter',
    title: 'Levanter',
    description: 'Levanter draccus YAML configs (trainer:, optimizer:, model:, data: !include)',
    yamlLoader: LOADER,
    yamlLoaderName: LOADER_NAME,
    schema: 'levanter.schema.json',
  },
  detect(file) {
    if (file.format !== 'yaml') return 0;
    return isLevanter(file) ? 9 : 0;
  },
  extract,
};
