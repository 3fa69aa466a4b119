/**
 * Levanter (stanford-crfm/levanter, now marin-community/levanter): draccus YAML configs of
 * `levanter.main.train_lm` (`trainer:`, `optimizer:`, `model: {type: …}`, `data: !include …`).
 *
 * draccus reads the YAML with PyYAML (so `6E-4` is the string "6E-4") and decodes each value by
 * its dataclass field's type: `float("6E-4")` works, but an `int` field written `1e4` fails at
 * start-up ("Couldn't parse '1e4' into an int"). `optimizer.warmup` and `optimizer.decay` are a
 * fraction of the first cycle's steps when ≤ 1.0 and whole steps above (`_convert_frac_or_steps`);
 * without `cycle_length`/`cycles` the cycle is `trainer.num_train_steps` (less the deprecated
 * `cooldown`), so `warmup: 1` is the whole run. The LR schedule (`OptimizerConfig.lr_scheduler`):
 * warmup from 0, a stable phase, then `decay` (by default the rest of the cycle) down to
 * `learning_rate × min_lr_ratio` at the end of the cycle; a `cooldown` then runs from there to the
 * same min LR, i.e. flat for cosine and linear.
 *
 * Facts: research/frameworks-wave2-nemo-rl-jax.md §1.1, §7 (Levanter @ 9263f81e, draccus @ 13dd58f).
 */
import { applyAssumptions, boolAt, defaultSetting, derived, derivedFrom, numberAt, stringAt, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { getIn, mapGet } from '../engine/tree.js';
import type { KeyPath, Range, Setting, TrainingPlan } from '../engine/types.js';
import type { BatchCheck, ConfigError, Conflict, Dialect, ExtractEnv, Extraction, MissingField } from './types.js';
import { detectFacts, keyGroup } from './detect-facts.js';

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

const TRAINER_GROUP = keyGroup(['trainer']);

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
 * `_convert_frac_or_steps`: ≤ 1.0 is a fraction (int(x × total)), > 1 must be whole steps; a
 * negative or a non-whole number above 1 is refused. `total` is what the fraction multiplies: for
 * `warmup` and `decay` the first cycle's steps (`num_train_steps` less any `cooldown`, when the
 * schedule does not repeat).
 */
function fracOrSteps(ctx: Ctx, s: Setting<number>, total: number | undefined, what: string, of = 'num_train_steps'): Setting<number> | undefined {
  const x = s.value;
  if (x < 0 || (x > 1 && !Number.isInteger(x))) {
    ctx.configErrors.push({
      range: at(ctx, s),
      message: `${said(s)}: Levanter refuses to start ("Invalid fraction ${x}. Must be between 0 and 1. You can also use (whole) steps."); write a fraction ≤ 1 of the run or a whole number of steps`,
    });
    return undefined;
  }
  if (x > 1) return withUnit(s, 'steps');
  if (total === undefined) return undefined;
  const steps = Math.floor(x * total);
  const whole = of === 'num_train_steps' ? 'the whole run' : `all of ${of}`;
  const note = x === 1 && s.origin !== 'default' ? `${s.key} ${x} is ≤ 1.0, so Levanter reads it as a fraction: ${whole} (${formatCount(steps)} steps), not 1 step; write ${what === 'warmup' ? 'warmup: 2 or more for steps, or e.g. 0.01' : 'a whole number > 1 for steps'}` : undefined;
  return {
    ...derivedFrom(s, steps, `int(${x} × ${of} ${formatCount(total)}) (${s.key} ≤ 1.0 is a fraction${of === 'num_train_steps' ? ' of the run' : ''})`, 'steps'),
    fractionOf: { fraction: x, of: of === 'num_train_steps' ? 'trainer.num_train_steps' : of, ofSteps: total },
    ...(note ? { note } : {}),
  };
}

/** `lr_scheduler`: the steps before the deprecated `cooldown` (`total_main_steps`). */
interface MainSteps {
  steps: Setting<number>;
  /** The cooldown in steps, when one is set. */
  cooldown?: Setting<number>;
}

function mainSteps(ctx: Ctx, total: Setting<number> | undefined): MainSteps | undefined {
  if (!total) return undefined;
  const cd = num(ctx, 'optimizer', 'cooldown');
  if (!cd) return { steps: total };
  ctx.notes.push('optimizer.cooldown is deprecated in Levanter ("cooldown is deprecated. Just use the normal schedule."): the schedule runs over num_train_steps − cooldown, then holds a linear "cooldown" to the min LR; set decay instead');
  const cooldown = fracOrSteps(ctx, cd, total.value, 'cooldown');
  if (!cooldown || cooldown.value <= 0) return { steps: total };
  const left = Math.max(0, total.value - cooldown.value);
  return { steps: derivedFrom(cooldown, left, `num_train_steps ${formatCount(total.value)} − cooldown ${formatCount(cooldown.value)}`, 'steps'), cooldown };
}

/** Whole numbers in a YAML list (`cycle_length: [1000, 2000]`), or undefined. */
function intList(ctx: Ctx, ...path: string[]): number[] | undefined {
  const hit = getIn(ctx.file.tree, path);
  if (hit?.node.kind !== 'seq') return undefined;
  const out: number[] = [];
  for (const item of hit.node.items) {
    const v = item.kind === 'scalar' ? item.value : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}

/**
 * `_get_cycle_minima`: the first cycle's length (what `warmup` and `decay` fractions multiply) and
 * whether the schedule repeats. A scalar `cycle_length` that does not fit twice gives one cycle;
 * list lengths summing past the main steps are refused.
 */
function firstCycle(ctx: Ctx, main: MainSteps | undefined): { steps: number; repeats: boolean } | undefined {
  const cycleLength = num(ctx, 'optimizer', 'cycle_length');
  const cycles = num(ctx, 'optimizer', 'cycles');
  const lengths = intList(ctx, 'optimizer', 'cycle_length');
  const ends = intList(ctx, 'optimizer', 'cycles');
  const lengthHit = getIn(ctx.file.tree, ['optimizer', 'cycle_length']);
  const cyclesHit = getIn(ctx.file.tree, ['optimizer', 'cycles']);
  const isSet = (h: typeof lengthHit) => h !== undefined && !(h.node.kind === 'scalar' && h.node.value === null);
  if (isSet(lengthHit) && isSet(cyclesHit)) {
    const range = cycles && cycleLength ? at(ctx, cycles, cycleLength) : (cyclesHit?.keyRange ?? ctx.anchor);
    const value = (s: Setting<number> | undefined) => (s ? ` ${formatCount(s.value)}` : '');
    ctx.conflicts.push({ kind: 'cycle-length-and-cycles', range, message: `optimizer.cycle_length${value(cycleLength)} and optimizer.cycles${value(cycles)} are both set: Levanter refuses to start ("Can't use both cycle_length and cycles."); keep one` });
    return undefined;
  }
  if (!main) return undefined;
  const total = main.steps.value;
  if (cycleLength) {
    const len = fracOrSteps(ctx, cycleLength, total, 'cycle_length', main.cooldown ? 'num_train_steps − cooldown' : 'num_train_steps')?.value;
    if (len !== undefined && len > 0 && Math.floor(total / len) >= 2) return { steps: len, repeats: true };
    return { steps: total, repeats: false };
  }
  if (lengths?.length) {
    const sum = lengths.reduce((a, b) => a + b, 0);
    if (sum > total) {
      ctx.configErrors.push({ range: lengthHit?.keyRange ?? ctx.anchor, message: `optimizer.cycle_length adds up to ${formatCount(sum)} steps, more than the run's ${formatCount(total)}${main.cooldown ? ' main (before cooldown)' : ''} steps: Levanter refuses to start ("Cycle lengths exceed total number of steps: ${sum} > ${total}"); shorten the cycles or train longer` });
      return undefined;
    }
    return { steps: lengths[0], repeats: lengths[0] < total };
  }
  if (cycles && Number.isInteger(cycles.value) && cycles.value >= 2) return { steps: Math.floor(total / cycles.value), repeats: true };
  if (ends?.length && ends[0] > 0 && ends[0] < total) return { steps: ends[0], repeats: true };
  return { steps: total, repeats: false };
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

/**
 * The world a launch command gives, unless it is plain python's "one process": JAX runs one process per host
 * over all of the host's devices (TPU chips or GPUs), so a `python -m levanter.main.train_lm` command says
 * nothing about the device count. That value is dropped (the device count stays unknown, with a note).
 */
function withoutPlainPythonWorld(env: ExtractEnv, notes: string[]): ExtractEnv {
  const world = env.assume.worldSize;
  if (typeof world !== 'object' || world.origin !== 'launcher' || world.key !== 'python') return env;
  notes.push(`${world.file ? `${world.file}${world.range ? `:${world.range.line}` : ''}: ` : ''}a plain python launch runs one JAX process per host over all of its devices, so it does not give the device count, which stays unknown for this launch`);
  const { worldSize: _dropped, ...assume } = env.assume;
  return { ...env, assume };
}

function extractPlan(ctx: Ctx, env: ExtractEnv): void {
  const { plan, notes } = ctx;
  intTraps(ctx);
  applyAssumptions(plan, withoutPlainPythonWorld(env, notes).assume);
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
  if (tbs) plan.globalBatchSize = withUnit(tbs, 'samples');
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
        plan.microBatchSize = withUnit(pdp, 'samples');
        plan.gradAccumSteps = derived(1, 'train_batch_size -1: no microbatching');
        plan.globalBatchSize = derivedFrom(tbsAuto, pdp.value * dataAxis, `train_batch_size -1: per_device_parallelism ${formatCount(pdp.value)} × data axis ${formatCount(dataAxis)}`, 'samples');
      }
      if (tbs && pdp.value > 0) {
        plan.microBatchSize = withUnit(pdp, 'samples');
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
  if (steps) plan.totalSteps = withUnit(steps, 'steps');
  const lr = num(ctx, 'optimizer', 'learning_rate') ?? defaultSetting(LEVANTER_DEFAULTS.learningRate, 'optimizer.learning_rate', 'OptimizerConfig default');
  plan.peakLr = lr;
  const ratio = num(ctx, 'optimizer', 'min_lr_ratio') ?? defaultSetting(LEVANTER_DEFAULTS.minLrRatio, 'optimizer.min_lr_ratio', 'OptimizerConfig default');
  plan.minLr = derivedFrom(ratio, ratio.value * lr.value, `${said(ratio)} × learning_rate ${formatSci(lr.value)}`);
  const schedule = stringAt(ctx.file, ['optimizer', 'lr_schedule']) ?? defaultSetting(LEVANTER_DEFAULTS.lrSchedule, 'optimizer.lr_schedule', 'OptimizerConfig default');
  plan.scheduler = schedule;
  const type = stringAt(ctx.file, ['optimizer', 'type']);
  if (type) plan.optimizer = type;
  const main = mainSteps(ctx, plan.totalSteps);
  const cycle = firstCycle(ctx, main);
  const warm = num(ctx, 'optimizer', 'warmup') ?? defaultSetting(LEVANTER_DEFAULTS.warmup, 'optimizer.warmup', 'OptimizerConfig default');
  const ofWhat = cycle?.repeats ? 'the first cycle' : main?.cooldown ? 'num_train_steps − cooldown' : 'num_train_steps';
  const warmup = fracOrSteps(ctx, warm, cycle?.steps, 'warmup', ofWhat);
  if (warmup) plan.warmupSteps = warmup;
  if (warm.value <= 1 && warm.value >= 0 && !cycle?.repeats && !main?.cooldown) plan.warmupRatio = withUnit(warm, 'ratio');
  if (cycle?.repeats) {
    notes.push('optimizer.cycle_length / cycles: the schedule repeats (WSD-S), warming up and decaying within each cycle; the decay horizon is per cycle');
  } else if (main && plan.totalSteps) {
    const total = plan.totalSteps.value;
    if (main.cooldown && (schedule.value === 'cosine' || schedule.value === 'linear' || schedule.value === 'inv')) {
      // No key: the fix is to drop the cooldown, not to set it to the run's length.
      const how = `num_train_steps ${formatCount(total)} − the deprecated optimizer.cooldown ${formatCount(main.cooldown.value)} steps: the ${schedule.value} decay reaches learning_rate × min_lr_ratio there and the cooldown only holds it; drop optimizer.cooldown, or set optimizer.decay for a decay phase at the end`;
      plan.decaySteps = { ...derived(main.steps.value, how, 'steps'), ...(main.cooldown.range ? { range: main.cooldown.range } : {}), ...(main.cooldown.file ? { file: main.cooldown.file } : {}) };
    } else if (main.cooldown) {
      plan.decaySteps = derived(total, `the deprecated cooldown (${formatCount(main.cooldown.value)} steps) decays to learning_rate × min_lr_ratio at the end of the run`, 'steps');
    } else if (schedule.value !== 'constant') {
      plan.decaySteps = derived(total, 'the decay ends with the run (a single cycle)', 'steps');
    }
  }
  const decay = num(ctx, 'optimizer', 'decay');
  if (decay) fracOrSteps(ctx, decay, cycle?.steps, 'decay', ofWhat);
  const evalEvery = num(ctx, 'trainer', 'steps_per_eval') ?? defaultSetting(LEVANTER_DEFAULTS.stepsPerEval, 'trainer.steps_per_eval', 'TrainerConfig default');
  if (evalEvery.value > 0) plan.evalEverySteps = withUnit(evalEvery, 'steps');
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
    // Trainer.train ends with run_hooks(info, force=True): the checkpointer and the eval hook run once more.
    atRunEnd: { save: 'Levanter saves once at the end, its hooks forced', eval: 'Levanter evaluates once at the end, its hooks forced' },
  };
}

export const levanter: Dialect = {
  meta: {
    id: 'levanter',
    formats: ['yaml'],
    title: 'Levanter',
    description: 'Levanter draccus YAML configs (trainer:, optimizer:, model:, data: !include)',
    yamlLoader: LOADER,
    // draccus reads config files with `yaml.load(stream, FullLoaderWithInclusion)`: `!include`, and FullLoader's `!!python/` tags.
    yamlTags: ['!include', '!!python/'],
    yamlLoaderName: LOADER_NAME,
    // `python -m levanter.main.train_lm --config_path x.yaml --trainer.num_train_steps 500`: draccus applies the dotted flags over the YAML.
    launchOverrides: ['argparse'],
    schema: 'levanter.schema.json',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format !== 'yaml') return 0;
    // isLevanter needs a `trainer:` mapping: asked of the shared facts first.
    if (!facts.some(TRAINER_GROUP) || !facts.map('trainer')) return 0;
    return isLevanter(file) ? 9 : 0;
  },
  extract,
};
