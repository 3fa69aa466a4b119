/**
 * MosaicML llm-foundry / Composer training YAML (`scripts/train/yamls/**`), and MosaicML
 * platform run files (`mcli/*.yaml`) whose training block sits under `parameters:`.
 * Keys, defaults and Composer time strings: research/frameworks.md §9, read from
 * llm-foundry `llmfoundry/utils/config_utils.py` (TrainConfig, calculate_batch_size_info) and
 * Composer `composer/core/time.py`, `composer/optim/scheduler.py` (`_convert_time`).
 *
 * The file is loaded by OmegaConf, so `lr: 2e-5` is a float and `${variables.x}` references are
 * resolved: trainlint follows plain references to other keys of the same block (OmegaReader),
 * never resolvers such as `${oc.env:X}`.
 */
import { applyAssumptions, dataParallel, defaultSetting, derived, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatValue } from '../engine/format-number.js';
import { getIn, hasKey, mapGet, type ConfigNode, type MapNode } from '../engine/tree.js';
import type { KeyPath, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, MissingField, YamlLoader, IgnoredSetting } from './types.js';
import { OmegaReader } from '../engine/omega-reader.js';
import { detectFacts, keyGroup } from './detect-facts.js';

const LOADER: YamlLoader = 'omegaconf';

/** TrainConfig defaults (llm-foundry config_utils.py) and Composer scheduler defaults (scheduler.py). */
export const COMPOSER_DEFAULTS = {
  precision: 'amp_bf16',
  deviceTrainMicrobatchSize: 'auto',
  saveInterval: '1000ba',
  /** CosineAnnealingWithWarmupScheduler / LinearWithWarmupScheduler `alpha_f`. */
  alphaF: 0,
  /** ConstantWithWarmupScheduler `alpha`. */
  constantAlpha: 1,
  tMax: '1dur',
};

// ---------------------------------------------------------------------------------------------
// Composer time strings (composer/core/time.py): `<number><unit>`, case-insensitive.
// ---------------------------------------------------------------------------------------------

export type TimeUnit = 'ep' | 'ba' | 'sp' | 'tok' | 'dur' | 'iter' | 'sec';

export interface ComposerTime {
  value: number;
  unit: TimeUnit;
  /** As written (`100ba`, or `1` for a bare integer). */
  text: string;
  /** True for a bare integer, which the Trainer reads as epochs. */
  bare?: boolean;
}

const TIME_STRING = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)(iter|ep|ba|sp|tok|dur|sec)$/i;

/**
 * Parse a Composer time value. Bare integers are epochs where the Trainer says so
 * (`max_duration`, `eval_interval`, `save_interval`); elsewhere (scheduler times) they are
 * not valid and yield an error. Non-`dur` units must be whole numbers (Time raises TypeError).
 */
export function parseComposerTime(value: string | number | boolean, bareIntIsEpochs: boolean): ComposerTime | { error: string } {
  if (typeof value === 'number') {
    if (bareIntIsEpochs && Number.isInteger(value) && value >= 0) return { value, unit: 'ep', text: String(value), bare: true };
    return { error: `${value} is not a Composer time string (write e.g. \`${value}ba\`)` };
  }
  if (typeof value !== 'string') return { error: `${String(value)} is not a Composer time string` };
  const m = TIME_STRING.exec(value.trim());
  if (!m) return { error: `\`${value}\` is not a Composer time string such as 100ba, 1ep, 0.1dur, 1000tok or 500sp` };
  const num = Number(m[1]);
  const unit = m[2].toLowerCase() as TimeUnit;
  if (unit !== 'dur' && !Number.isInteger(num)) return { error: `\`${value}\`: Composer requires a whole number for unit ${unit} (TypeError at launch)` };
  return { value: num, unit, text: value.trim() };
}

/** What is known when converting a time into optimizer steps. */
interface StepContext {
  globalBatch?: number;
  seqLen?: number;
  stepsPerEpoch?: number;
  /** max_duration, for `dur` fractions. */
  maxDuration?: ComposerTime;
}

/** A time converted to optimizer steps, or why it cannot be. */
type Steps = { steps: number; how: string } | { unknown: string };

/**
 * Convert a time into optimizer steps (batches). Composer compares `state.timestamp` with the
 * time in its own unit, so a sample or token count ends at the first batch that reaches it:
 * ceil(samples / global batch), ceil(tokens / (global batch × seq len)).
 */
function toSteps(t: ComposerTime, ctx: StepContext, depth = 0): Steps {
  const { globalBatch: g, seqLen, stepsPerEpoch: spe } = ctx;
  switch (t.unit) {
    case 'ba':
      return { steps: t.value, how: t.text };
    case 'ep':
      if (spe === undefined) return { unknown: `${t.text} is in epochs and the steps per epoch are unknown (set assume.datasetSamples)` };
      return { steps: t.value * spe, how: `${formatCount(t.value)} ep × ${formatCount(spe)} steps/epoch` };
    case 'sp':
      if (!g) return { unknown: `${t.text} is in samples and the global batch is unknown` };
      return { steps: Math.ceil(t.value / g), how: `ceil(${formatCount(t.value)} samples / ${formatCount(g)})` };
    case 'tok':
      if (!g || !seqLen) return { unknown: `${t.text} is in tokens and the global batch or max_seq_len is unknown` };
      return {
        steps: Math.ceil(t.value / (g * seqLen)),
        how: `ceil(${formatCount(t.value)} tokens / (${formatCount(g)} × ${formatCount(seqLen)})), full-length sequences`,
      };
    case 'dur': {
      // _convert_time: int(fraction × max_duration) in max_duration's unit (epochs: × dataloader length, in batches).
      const max = ctx.maxDuration;
      if (!max || max.unit === 'dur' || depth > 0) return { unknown: `${t.text} is a fraction of max_duration, which is unknown` };
      if (max.unit === 'ep') {
        if (spe === undefined) return { unknown: `${t.text} of max_duration ${max.text} needs the steps per epoch (set assume.datasetSamples)` };
        const steps = Math.floor(t.value * spe * max.value);
        return { steps, how: `int(${t.value} × ${formatCount(spe)} steps/epoch × ${formatCount(max.value)} ep)` };
      }
      const inUnit: ComposerTime = { value: Math.floor(t.value * max.value), unit: max.unit, text: `${Math.floor(t.value * max.value)}${max.unit}` };
      const converted = toSteps(inUnit, ctx, depth + 1);
      if ('unknown' in converted) return converted;
      const first = `int(${t.value} × ${max.text})`;
      return { steps: converted.steps, how: max.unit === 'ba' ? first : `${first} = ${inUnit.text} → ${converted.how}` };
    }
    default:
      return { unknown: `${t.text}: unit ${t.unit} cannot be converted to optimizer steps before the run` };
  }
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

const CORE_KEYS = ['global_train_batch_size', 'max_duration', 'device_train_microbatch_size'];
const CORE_GROUP = keyGroup(CORE_KEYS);
const PARAMETERS_GROUP = keyGroup(['parameters']);
/** Keys of llm-foundry's TrainConfig that OLMo (same key style, different trainer) does not use. */
const FOUNDRY_KEYS = ['train_loader', 'icl_tasks', 'fsdp_config', 'max_seq_len', 'eval_loader', 'variables'];
/** OLMo configs share global_train_batch_size / max_duration but are not Composer: never claim them. */
const OLMO_KEYS = ['evaluators', 'save_interval_unsharded', 'data'];

function scoreBlock(block: ConfigNode | undefined): number {
  if (!block || block.kind !== 'map') return 0;
  const has = (key: string) => hasKey(block, key);
  // Every score needs a core key: without one, nothing else is looked at.
  const core = CORE_KEYS.filter(has).length;
  if (core === 0) return 0;
  if (OLMO_KEYS.some(has) || getIn(block, ['optimizer', 'learning_rate']) !== undefined) return 0;
  const mpt = scalarText(block, ['model', 'name']) === 'mpt_causal_lm';
  const foundry = FOUNDRY_KEYS.filter(has).length + (mpt ? 1 : 0) + (getIn(block, ['optimizer', 'lr']) !== undefined ? 1 : 0);
  if (core >= 2 && foundry >= 1) return 6 + Math.min(3, core);
  if (mpt || has('icl_tasks') || has('train_loader')) return 6;
  return 0;
}

function scalarText(root: ConfigNode, path: KeyPath): string | undefined {
  const hit = getIn(root, path);
  return hit && hit.node.kind === 'scalar' && typeof hit.node.value === 'string' ? hit.node.value : undefined;
}

/** The training block: the file root, or `parameters:` of an mcli run file. */
function trainingBlock(file: SourceFile): { node: MapNode; prefix: KeyPath; mcli: boolean } | undefined {
  const root = file.tree;
  if (!root || root.kind !== 'map') return undefined;
  const params = mapGet(root, 'parameters')?.value;
  if (params && params.kind === 'map' && scoreBlock(params) > 0) return { node: params, prefix: ['parameters'], mcli: true };
  if (scoreBlock(root) > 0) return { node: root, prefix: [], mcli: false };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

/** Schedulers with a decay to `alpha_f × lr` over `t_max` (llm-foundry registry names). */
const DECAYING = new Set(['cosine_with_warmup', 'linear_decay_with_warmup']);

function timeSetting(reader: OmegaReader, path: KeyPath, bareIntIsEpochs: boolean): { time: ComposerTime; setting: Omit<Setting, 'value'> } | undefined {
  const raw = reader.scalar(path);
  if (!raw) return undefined;
  const time = parseComposerTime(raw.value, bareIntIsEpochs);
  if ('error' in time) {
    reader.notes.push(`${reader.key(path)}: ${time.error}`);
    return undefined;
  }
  return { time, setting: raw.setting };
}

/** A step count from a time: explicit when written in batches, derived otherwise. */
function stepSetting(t: { time: ComposerTime; setting: Omit<Setting, 'value'> }, ctx: StepContext, notes: string[]): Setting<number> | undefined {
  const steps = toSteps(t.time, ctx);
  if ('unknown' in steps) {
    notes.push(`${t.setting.key}: ${steps.unknown}`);
    return undefined;
  }
  // Suggestions go back as batches with their suffix: a bare integer would be epochs.
  const writtenAs = { unit: 'ba', perStep: 1, suffix: true };
  if (t.time.unit === 'ba') return { value: steps.steps, ...t.setting, unit: 'steps', writtenAs };
  // Derived, but still placed on the key that holds the time.
  return { value: steps.steps, ...t.setting, origin: 'derived', how: steps.how, unit: 'steps', writtenAs };
}

function extractBlock(file: SourceFile, block: { node: MapNode; prefix: KeyPath; mcli: boolean }, env: ExtractEnv): Extraction {
  const reader = new OmegaReader(file, block.prefix, block.node);
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes = reader.notes;
  const num = (...path: string[]) => reader.number(path);
  const str = (...path: string[]) => reader.string(path);

  // World size: mcli `compute.gpus` is the GPU count of the run (the launcher's choice).
  if (block.mcli && file.tree) {
    const gpus = getIn(file.tree, ['compute', 'gpus']);
    if (gpus && gpus.node.kind === 'scalar' && typeof gpus.node.value === 'number') {
      plan.worldSize = { value: gpus.node.value, origin: 'launcher', file: file.path, key: 'compute.gpus', range: gpus.keyRange, how: 'mcli compute.gpus' };
    }
  }

  const global = num('global_train_batch_size');
  if (global) plan.globalBatchSize = withUnit(global, 'samples');
  const seq = num('max_seq_len');
  if (seq) plan.seqLen = withUnit(seq, 'tokens');
  const lr = num('optimizer', 'lr');
  if (lr) plan.peakLr = lr;
  const optimizer = str('optimizer', 'name');
  if (optimizer) plan.optimizer = optimizer;
  const schedulerName = str('scheduler', 'name');
  if (schedulerName) plan.scheduler = schedulerName;
  plan.precision = str('precision') ?? defaultSetting(COMPOSER_DEFAULTS.precision, 'precision', 'TrainConfig default');

  // device_train_microbatch_size: a number, or 'auto' (the default) where Composer searches at runtime.
  const micro = num('device_train_microbatch_size');
  if (micro) plan.microBatchSize = withUnit(micro, 'samples');
  else {
    const hit = reader.lookup(['device_train_microbatch_size']);
    const text = !hit ? `${COMPOSER_DEFAULTS.deviceTrainMicrobatchSize} (TrainConfig default)` : hit.node.kind === 'scalar' && !hit.unresolved ? String(hit.node.value) : 'not a number';
    notes.push(`device_train_microbatch_size is ${text}: Composer picks the microbatch (and so the accumulation) at runtime; the global batch stays global_train_batch_size`);
  }

  applyAssumptions(plan, env.assume);
  deriveDeviceBatch(plan, micro, notes);

  // ---- duration ------------------------------------------------------------------------------
  const maxDuration = timeSetting(reader, ['max_duration'], true);
  if (maxDuration?.time.unit === 'ep') {
    plan.epochs = {
      value: maxDuration.time.value,
      ...maxDuration.setting,
      unit: 'epochs',
      ...(maxDuration.time.bare ? { note: 'a bare integer max_duration is a number of epochs (Composer Trainer)' } : {}),
    };
  }
  deriveStepsPerEpoch(plan, reader.scalar(['train_loader', 'drop_last'])?.value, notes);
  const ctx: StepContext = {
    globalBatch: plan.globalBatchSize?.value,
    seqLen: plan.seqLen?.value,
    stepsPerEpoch: plan.stepsPerEpoch?.value,
    maxDuration: maxDuration?.time,
  };
  if (!maxDuration) notes.push('max_duration is mandatory in llm-foundry TrainConfig and is not set');
  else if (maxDuration.time.unit === 'dur') notes.push('max_duration cannot be a dur fraction');
  else {
    const total = stepSetting(maxDuration, ctx, notes);
    if (total) plan.totalSteps = total;
  }

  const { warmup, tMax } = readSchedule(plan, reader, ctx, schedulerName?.value);
  const ignored: IgnoredSetting[] = [];
  const conflicts = readIntervals(plan, reader, ctx, ignored);

  if (!plan.worldSize) {
    missing.push({
      field: 'worldSize',
      hint: 'set assume.worldSize in .trainlint.yml (the launcher decides it: composer -n N, or compute.gpus in an mcli run file); the global batch is fixed, the per-device batch and accumulation follow from it',
    });
  }
  const inEpochs = (t?: ComposerTime) => t?.unit === 'ep' || (t?.unit === 'dur' && maxDuration?.time.unit === 'ep');
  if ((inEpochs(maxDuration?.time) || inEpochs(warmup)) && !plan.stepsPerEpoch) {
    missing.push({ field: 'datasetSamples', hint: 'durations are in epochs: set assume.datasetSamples (training samples after packing) in .trainlint.yml' });
  }
  const launchChecks: Record<string, string> = {};
  const batchCheck = globalBatchRejection(plan);
  if (batchCheck) launchChecks['batch-size-mismatch'] = batchCheck;
  if (tMaxComparable(tMax, maxDuration?.time)) {
    launchChecks['decay-horizon-mismatch'] = `Composer refuses to start when scheduler.t_max ${tMax!.text} is shorter than max_duration ${maxDuration!.time.text} (ValueError "t_max … must be greater than or equal to max_duration")`;
  }
  return {
    plan,
    missing,
    anchor: fileStartRange(file),
    notes,
    conflicts,
    ignored,
    afterDecay: 'flat',
    launchChecks,
    globalBatchRounding: 'per-device',
    // scheduler.t_max defaults to '1dur', the whole max_duration.
    decayDefaultsToRun: true,
    // create_interval_scheduler(…, include_end_of_training=True): the checkpoint saver and the
    // evaluators fire once more when training ends.
    atRunEnd: { save: 'Composer saves once at the end', eval: 'Composer evaluates once at the end' },
  };
}

/** Warmup, decay horizon and final LR (Composer scheduler.py); returns the warmup and t_max times as written. */
function readSchedule(plan: TrainingPlan, reader: OmegaReader, ctx: StepContext, scheduler: string | undefined): { warmup?: ComposerTime; tMax?: ComposerTime } {
  const notes = reader.notes;
  const warmup = timeSetting(reader, ['scheduler', 't_warmup'], false);
  if (warmup) {
    if (warmup.time.unit === 'dur') {
      // A fraction of max_duration, i.e. of the whole run.
      plan.warmupRatio = { value: warmup.time.value, ...warmup.setting, unit: 'ratio', note: `${warmup.time.text}: fraction of max_duration` };
    }
    const steps = stepSetting(warmup, ctx, notes);
    if (steps && warmup.time.unit === 'dur' && warmup.time.value > 0) {
      // A share of the run, compared and advised as that share, in its own unit (`0.2dur`).
      const { writtenAs: _batches, ...inSteps } = steps;
      plan.warmupSteps = { ...inSteps, fractionOf: { fraction: warmup.time.value, of: 'max_duration', ofSteps: plan.totalSteps?.value ?? steps.value / warmup.time.value, suffix: 'dur' } };
    } else if (steps) plan.warmupSteps = steps;
  } else if (scheduler?.endsWith('_with_warmup')) {
    notes.push(`scheduler ${scheduler} requires scheduler.t_warmup`);
  }

  const lr = plan.peakLr;
  let tMaxTime: ComposerTime | undefined;
  if (scheduler && DECAYING.has(scheduler)) {
    const tMax = timeSetting(reader, ['scheduler', 't_max'], false);
    tMaxTime = tMax?.time;
    if (tMax) {
      const steps = stepSetting(tMax, ctx, notes);
      if (steps) plan.decaySteps = steps;
    }
    const alphaF = reader.number(['scheduler', 'alpha_f']);
    if (lr && alphaF) {
      const value = Number((alphaF.value * lr.value).toPrecision(12));
      plan.minLr = { ...derived(value, `alpha_f ${alphaF.value} × optimizer.lr ${formatValue(lr.value)}`), file: alphaF.file, key: alphaF.key, range: alphaF.range };
    } else if (lr) {
      // scheduler.py: alpha_f defaults to 0.0 (the LR decays to zero).
      plan.minLr = defaultSetting(COMPOSER_DEFAULTS.alphaF, 'scheduler.alpha_f', `${scheduler}: alpha_f default 0.0, the LR decays to 0`);
    }
  } else if (scheduler === 'constant_with_warmup' && lr) {
    const alpha = reader.number(['scheduler', 'alpha'])?.value ?? COMPOSER_DEFAULTS.constantAlpha;
    plan.minLr = derived(Number((alpha * lr.value).toPrecision(12)), `alpha ${alpha} × optimizer.lr ${formatValue(lr.value)} (constant after warmup)`);
  }
  return { warmup: warmup?.time, tMax: tMaxTime };
}

/**
 * scheduler.py `_raise_if_max_duration_exceeds_t_max`: when t_max and max_duration are
 * comparable (same unit, or batches and epochs), a t_max shorter than the run raises
 * ValueError at the first scheduler call. Other units are not compared; the schedulers clip
 * their progress to 1, so the LR then stays at alpha_f × lr.
 */
function tMaxComparable(tMax: ComposerTime | undefined, maxDuration: ComposerTime | undefined): boolean {
  if (!tMax || !maxDuration) return false;
  const units = new Set([tMax.unit, maxDuration.unit]);
  return tMax.unit === maxDuration.unit || (units.has('ba') && units.has('ep'));
}

/**
 * Evaluation runs only with an eval_loader or ICL tasks (eval_interval is mandatory, a bare int
 * is epochs); checkpoints only with a save_folder (save_interval defaults to '1000ba').
 */
function readIntervals(plan: TrainingPlan, reader: OmegaReader, ctx: StepContext, ignored: IgnoredSetting[]): Conflict[] {
  const notes = reader.notes;
  const conflicts: Conflict[] = [];
  const convert = (key: string): Setting<number> | undefined => {
    const t = timeSetting(reader, [key], true);
    if (t && t.time.unit === 'dur') notes.push(`${reader.key([key])} ${t.time.text}: a dur fraction is not converted`);
    return t && t.time.unit !== 'dur' ? stepSetting(t, ctx, notes) : undefined;
  };

  if (reader.has(['eval_loader']) || reader.has(['icl_tasks'])) {
    const steps = convert('eval_interval');
    if (steps) plan.evalEverySteps = steps;
  }

  const folder = reader.lookup(['save_folder']);
  const saves = !!folder && (folder.unresolved !== undefined || (folder.node.kind === 'scalar' && folder.node.value !== null));
  const saveHit = reader.lookup(['save_interval']);
  if (saves) {
    if (saveHit) {
      const steps = convert('save_interval');
      if (steps) plan.saveEverySteps = steps;
    } else plan.saveEverySteps = withUnit(defaultSetting(1000, 'save_interval', "TrainConfig default '1000ba'"), 'steps');
  } else if (saveHit && saveHit.node.kind === 'scalar' && saveHit.node.value !== null) {
    // save_interval is optional, so one written without a save_folder misleads. (eval_interval is
    // mandatory in TrainConfig even without an eval loader, so it is not reported.)
    ignored.push({
      key: reader.key(['save_interval']),
      range: saveHit.keyRange,
      message: `${reader.key(['save_interval'])} ${String(saveHit.node.value)} has no effect: no checkpoint is written without a save_folder`,
    });
  }
  return conflicts;
}

/**
 * llm-foundry `config_utils.py::calculate_batch_size_info` (and the train scripts of mosaicml/examples before
 * it) raises ValueError when the global batch does not divide by the data-parallel size: the run stops at
 * launch, it is never floored. research/frameworks.md §9.
 */
function globalBatchRejection(plan: TrainingPlan): string | undefined {
  const global = plan.globalBatchSize;
  const dp = dataParallel(plan);
  if (!global || !dp || dp.value <= 0 || global.value % dp.value === 0) return undefined;
  return (
    `llm-foundry refuses to start: calculate_batch_size_info raises ValueError ("Global batch size ${formatCount(global.value)} is not divisible by ${formatCount(dp.value)} ` +
    'as a result, the batch size would be truncated")'
  );
}

/**
 * llm-foundry calculate_batch_size_info: device batch = global / world (global must be divisible),
 * a microbatch above the device batch is reduced to it, accumulation = ceil(device / microbatch).
 */
function deriveDeviceBatch(plan: TrainingPlan, micro: Setting<number> | undefined, notes: string[]): void {
  const { globalBatchSize: global, worldSize: world } = plan;
  if (!global || !world || world.value <= 0) return;
  if (global.value % world.value !== 0) {
    notes.push(
      `global_train_batch_size ${formatCount(global.value)} is not divisible by the world size ${formatCount(world.value)}: llm-foundry raises "Global batch size … is not divisible" at launch`,
    );
    return;
  }
  const device = global.value / world.value;
  if (!micro) return;
  if (micro.value > device) {
    plan.microBatchSize = {
      ...micro,
      value: device,
      origin: 'derived',
      how: `device_train_microbatch_size ${formatCount(micro.value)} > device batch ${formatCount(device)} (${formatCount(global.value)} / ${formatCount(world.value)}): llm-foundry reduces it`,
      unit: 'samples',
    };
    plan.gradAccumSteps = derived(1, `device batch ${formatCount(device)} = one microbatch`);
    return;
  }
  if (device % micro.value !== 0) {
    // Composer splits the device batch into ceil(device / micro) chunks, the last one smaller:
    // the global batch is unchanged, so no accumulation count that would break the identity.
    notes.push(
      `device batch ${formatCount(device)} (${formatCount(global.value)} / ${formatCount(world.value)}) is not a multiple of device_train_microbatch_size ${formatCount(micro.value)}: ` +
        `Composer runs ${Math.ceil(device / micro.value)} microbatches per step, the last one smaller`,
    );
    return;
  }
  plan.gradAccumSteps = derived(
    device / micro.value,
    `${formatCount(global.value)} / ${formatCount(world.value)} / ${formatCount(micro.value)} (global / world size / microbatch)`,
  );
}

/**
 * Steps per epoch = batches of the train loader (one batch = one optimizer step):
 * floor(samples / global batch) with `drop_last: true`, ceil otherwise. Per-rank sharding can
 * make it differ by one when the samples do not split evenly across ranks.
 */
function deriveStepsPerEpoch(plan: TrainingPlan, dropLast: unknown, notes: string[]): void {
  const { datasetSamples: samples, globalBatchSize: global } = plan;
  if (!samples || !global || global.value <= 0) return;
  const drop = dropLast === true;
  const steps = drop ? Math.floor(samples.value / global.value) : Math.ceil(samples.value / global.value);
  plan.stepsPerEpoch = derived(
    steps,
    `${drop ? 'floor' : 'ceil'}(${formatCount(samples.value)} / ${formatCount(global.value)})${drop ? ' (train_loader.drop_last)' : ''}`,
    'steps',
  );
  if (dropLast === undefined) notes.push('train_loader.drop_last is not set: steps per epoch assume the last partial batch is kept');
}

export const composer: Dialect = {
  meta: {
    id: 'composer',
    formats: ['yaml', 'json'],
    title: 'MosaicML llm-foundry / Composer',
    description: 'llm-foundry training YAML (OmegaConf, Composer time strings) and mcli run files with a parameters: block',
    yamlLoader: LOADER,
    rejectsDuplicateKeys: 'Composer/llm-foundry read YAML with OmegaConf.load, which raises "found duplicate key"',
    schema: 'composer.schema.json',
    // OmegaConf.load reads a .json config with PyYAML, which skips a UTF-8 byte order mark.
    jsonLoader: 'yaml',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format !== 'yaml' && file.format !== 'json') return 0;
    // What trainingBlock needs, asked of the shared facts first: a `parameters:` mapping, or a core key at the top.
    if (!facts.some(CORE_GROUP) && !(facts.some(PARAMETERS_GROUP) && facts.map('parameters'))) return 0;
    const block = trainingBlock(file);
    return block ? scoreBlock(block.node) : 0;
  },
  extract(file, env): Extraction {
    const block = trainingBlock(file);
    if (!block) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no llm-foundry training block found'] };
    return extractBlock(file, block, env);
  },
};
