/**
 * allenai/OLMo training YAML (`configs/**`), loaded by `olmo/config.py::TrainConfig.load` with
 * OmegaConf: `6.0e-4` is a float, `739_328` an int, `${run_name}` / `${save_interval}` plain
 * references are resolved (trainlint follows plain `${key}` references within the file only,
 * never resolvers such as `${path.last_checkpoint:…}`).
 *
 * Semantics read from OLMo (commit 59a53e3, `olmo/config.py`, `olmo/train.py`, `scripts/train.py`):
 * - `device_train_batch_size = global_train_batch_size // world_size` and
 *   `device_train_grad_accum = device_train_batch_size // device_train_microbatch_size` (scripts/train.py):
 *   the global batch is fixed, accumulation absorbs the world size.
 * - `Trainer.max_steps`: an int `max_duration` is optimizer steps; a string ending in `T` is tokens
 *   (`int(float(x[:-1]))`, steps = ceil(tokens / (global batch × max_sequence_length)); older OLMo
 *   versions used floor division); a string ending in `ep` is epochs
 *   (`epochs × dataset.total_size // global_train_batch_size`); any other string is `int(float(x))` steps.
 * - `stop_at` ends training early at that step; the LR schedule still runs on the `max_duration`
 *   horizon (`scheduler.get_lr(lr, step, max_steps)`), unless `scheduler.t_max` is set.
 * - `scheduler.units: tokens` makes `t_warmup` / `t_max` token counts (compared with tokens seen).
 * - cosine_with_warmup / linear_with_warmup decay to `alpha_f × learning_rate` at t_max (default: max_steps).
 */
import { applyAssumptions, defaultSetting, derived, derivedFrom, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { getIn, type ConfigNode, type MapNode } from '../engine/tree.js';
import type { KeyPath, Setting, TrainingPlan } from '../engine/types.js';
import { OmegaReader } from '../engine/omega-reader.js';
import type { Dialect, ExtractEnv, Extraction, MissingField, YamlLoader } from './types.js';
import { detectFacts, keyGroup } from './detect-facts.js';

const LOADER: YamlLoader = 'omegaconf';

/** Dataclass defaults of OLMo's TrainConfig / OptimizerConfig / SchedulerConfig / ModelConfig (olmo/config.py). */
export const OLMO_DEFAULTS = {
  /** TrainConfig.max_duration: Union[int, str] = 10000 (steps). */
  maxDuration: 10000,
  globalTrainBatchSize: 512,
  deviceTrainMicrobatchSize: 16,
  /** OptimizerConfig: name lionw, learning_rate 1e-4. */
  optimizer: 'lionw',
  learningRate: 1e-4,
  /** SchedulerConfig: cosine_with_warmup, units steps, t_warmup 100, alpha_f 0.1, t_max None. */
  scheduler: 'cosine_with_warmup',
  units: 'steps',
  tWarmup: 100,
  alphaF: 0.1,
  /** ModelConfig.max_sequence_length. */
  maxSequenceLength: 1024,
  saveInterval: 1000,
  evalInterval: 1000,
};

/** SchedulerType values (olmo/config.py); those that decay to alpha_f × lr at t_max. */
const SCHEDULERS = new Set(['cosine_with_warmup', 'linear_with_warmup', 'inverse_sqrt_with_warmup', 'max_scheduler', 'constant', 'cosine_linear_envelope', 'constant_with_warmup']);
const DECAYING = new Set(['cosine_with_warmup', 'linear_with_warmup']);

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

/** llm-foundry / Composer keys that OLMo's TrainConfig does not have. */
const FOUNDRY_KEYS: KeyPath[] = [['variables'], ['icl_tasks'], ['train_loader'], ['eval_loader'], ['fsdp_config'], ['max_seq_len'], ['model', 'name'], ['optimizer', 'lr'], ['parameters']];
/** Keys typical of OLMo configs, for confidence. */
const OLMO_HINTS: KeyPath[] = [['optimizer', 'learning_rate'], ['model', 'max_sequence_length'], ['save_interval_unsharded'], ['evaluators'], ['data', 'paths'], ['tokenizer', 'identifier'], ['scheduler', 't_warmup']];

/** The keys score asks of first: both needed. */
const REQUIRED_GROUP = keyGroup(['global_train_batch_size', 'max_duration']);

function score(root: ConfigNode | undefined): number {
  if (!root || root.kind !== 'map') return 0;
  const has = (path: KeyPath) => getIn(root, path) !== undefined;
  if (!has(['global_train_batch_size']) || !has(['max_duration'])) return 0;
  if (FOUNDRY_KEYS.some(has)) return 0;
  if (!has(['run_name']) && !has(['model', 'd_model'])) return 0;
  const schedName = scalarString(root, ['scheduler', 'name']);
  const olmoOptim = has(['optimizer', 'learning_rate']);
  const olmoSched = schedName !== undefined && SCHEDULERS.has(schedName);
  if (!olmoOptim && !olmoSched) return 0;
  const hints = OLMO_HINTS.filter(has).length;
  return 7 + Math.min(3, Math.floor(hints / 2));
}

function scalarString(root: ConfigNode, path: KeyPath): string | undefined {
  const hit = getIn(root, path);
  return hit && hit.node.kind === 'scalar' && typeof hit.node.value === 'string' ? hit.node.value : undefined;
}

// ---------------------------------------------------------------------------------------------
// max_duration
// ---------------------------------------------------------------------------------------------

export type OlmoDuration = { unit: 'steps'; value: number } | { unit: 'tokens'; value: number } | { unit: 'epochs'; value: number };

/** Parse `max_duration` as Trainer.max_steps does; undefined when Python would raise. */
export function parseOlmoDuration(value: string | number | boolean): OlmoDuration | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? { unit: 'steps', value } : { unit: 'steps', value: Math.trunc(value) };
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const num = (s: string) => {
    // Python float() accepts underscores between digits and scientific notation.
    const t = s.trim().replace(/(\d)_(?=\d)/g, '$1');
    return /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(t) ? Number(t) : undefined;
  };
  if (text.endsWith('T')) {
    const n = num(text.slice(0, -1));
    return n === undefined ? undefined : { unit: 'tokens', value: Math.trunc(n) };
  }
  if (text.endsWith('ep')) {
    // int(x[:-2]): a float such as "1.5ep" raises.
    const t = text.slice(0, -2).trim();
    return /^\d[\d_]*$/.test(t) ? { unit: 'epochs', value: Number(t.replace(/_/g, '')) } : undefined;
  }
  const n = num(text);
  return n === undefined ? undefined : { unit: 'steps', value: Math.trunc(n) };
}

// ---------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------

function isNull(root: ConfigNode, path: KeyPath): boolean {
  const hit = getIn(root, path);
  return !!hit && hit.node.kind === 'scalar' && hit.node.value === null;
}

function extractOlmo(file: SourceFile, root: MapNode, env: ExtractEnv): Extraction {
  const r = new OmegaReader(file, [], root, LOADER);
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const D = OLMO_DEFAULTS;

  plan.globalBatchSize = withUnit(r.number(['global_train_batch_size']) ?? defaultSetting(D.globalTrainBatchSize, 'global_train_batch_size'), 'samples');
  plan.microBatchSize = r.number(['device_train_microbatch_size']) ?? defaultSetting(D.deviceTrainMicrobatchSize, 'device_train_microbatch_size');
  plan.seqLen = r.number(['model', 'max_sequence_length']) ?? defaultSetting(D.maxSequenceLength, 'model.max_sequence_length');
  plan.peakLr = r.number(['optimizer', 'learning_rate']) ?? defaultSetting(D.learningRate, 'optimizer.learning_rate');
  plan.optimizer = r.string(['optimizer', 'name']) ?? defaultSetting(D.optimizer, 'optimizer.name');
  plan.scheduler = r.string(['scheduler', 'name']) ?? defaultSetting(D.scheduler, 'scheduler.name');
  const precision = r.string(['precision']);
  if (precision) plan.precision = precision;
  else notes.push('precision is not set: OLMo\'s TrainConfig.autocast_precision raises "Unexpected precision type \'None\'"; set precision: amp_bf16');

  const save = isNull(root, ['save_interval']) ? undefined : (r.number(['save_interval']) ?? defaultSetting(D.saveInterval, 'save_interval'));
  const saveUnsharded = r.number(['save_interval_unsharded']);
  if (save) plan.saveEverySteps = withUnit(save, 'steps');
  else if (saveUnsharded) plan.saveEverySteps = withUnit(saveUnsharded, 'steps');
  // TrainConfig.evaluators defaults to an empty list: without evaluators no evaluation runs.
  const evaluators = getIn(root, ['evaluators'])?.node;
  if (evaluators?.kind === 'seq' && evaluators.items.length > 0) {
    plan.evalEverySteps = withUnit(r.number(['eval_interval']) ?? defaultSetting(D.evalInterval, 'eval_interval'), 'steps');
  } else if (r.number(['eval_interval'])) {
    notes.push('eval_interval has no effect: no evaluators are configured, so OLMo never evaluates');
  }

  applyAssumptions(plan, env.assume);
  const tokensPerStep = plan.globalBatchSize.value * plan.seqLen.value;
  const tokensHow = `${formatCount(plan.globalBatchSize.value)} × ${formatCount(plan.seqLen.value)} tokens/step`;

  // Accumulation: scripts/train.py, device batch = global // world; accum = device batch // micro.
  const world = plan.dataParallelSize ?? plan.worldSize;
  if (world && !plan.gradAccumSteps) {
    const device = Math.floor(plan.globalBatchSize.value / world.value);
    const accum = Math.floor(device / plan.microBatchSize.value);
    plan.gradAccumSteps = derived(accum, `${formatCount(plan.globalBatchSize.value)} // ${formatCount(world.value)} // ${formatCount(plan.microBatchSize.value)} (global // world size // micro)`);
    if (plan.globalBatchSize.value % world.value !== 0 || device % plan.microBatchSize.value !== 0) {
      notes.push(`global_train_batch_size ${formatCount(plan.globalBatchSize.value)} is not a multiple of world size ${formatCount(world.value)} × micro batch ${formatCount(plan.microBatchSize.value)}: OLMo floors the device batch and accumulation`);
    }
  } else if (!world) {
    missing.push({ field: 'worldSize', hint: 'set assume.worldSize in .trainlint.yml (OLMo derives accumulation = global_train_batch_size // world size // device_train_microbatch_size)' });
  }

  // Duration: Trainer.max_steps.
  let maxSteps: Setting<number> | undefined;
  const dur = r.scalar(['max_duration']);
  const parsed = dur ? parseOlmoDuration(dur.value) : { unit: 'steps' as const, value: D.maxDuration };
  if (dur && !parsed) notes.push(`max_duration \`${String(dur.value)}\` is not a step count, \`<n>T\` (tokens) or \`<n>ep\` (epochs): OLMo raises at startup`);
  if (parsed && !dur) maxSteps = withUnit(defaultSetting(D.maxDuration, 'max_duration'), 'steps');
  else if (parsed && dur) {
    const base = dur.setting;
    if (parsed.unit === 'steps') maxSteps = { ...base, value: parsed.value, unit: 'steps' };
    else if (parsed.unit === 'tokens') {
      maxSteps = {
        ...derived(Math.ceil(parsed.value / tokensPerStep), `ceil(${formatSci(parsed.value)} tokens / (${tokensHow}))`, 'steps'),
        file: file.path,
        key: 'max_duration',
        range: base.range,
        note: `max_duration ${String(dur.value)} = ${formatSci(parsed.value)} tokens; older OLMo versions floor this division`,
        writtenAs: { unit: 'T', perStep: tokensPerStep, suffix: true, value: parsed.value },
      };
    } else {
      plan.epochs = { ...base, value: parsed.value, unit: 'epochs' };
      if (plan.datasetSamples) {
        const perEpoch = Math.floor(plan.datasetSamples.value / plan.globalBatchSize.value);
        plan.stepsPerEpoch = derived(perEpoch, `${formatCount(plan.datasetSamples.value)} // ${formatCount(plan.globalBatchSize.value)} (dataset instances // global batch)`, 'steps');
        maxSteps = derived(perEpoch * parsed.value, `${perEpoch} steps/epoch × ${formatCount(parsed.value)}`, 'steps');
      } else {
        missing.push({ field: 'datasetSamples', hint: `max_duration ${String(dur.value)} counts epochs of the token-id dataset: set assume.datasetSamples (instances of ${formatCount(plan.seqLen.value)} tokens), or give max_duration in steps or \`<n>T\` tokens` });
      }
    }
  }

  const stopAt = r.number(['stop_at']);
  if (stopAt && maxSteps) {
    plan.totalSteps = stopAt.value < maxSteps.value ? { ...stopAt, unit: 'steps', note: `stop_at ends training before max_duration (${formatCount(maxSteps.value)} steps)` } : maxSteps;
  } else if (stopAt) {
    plan.totalSteps = withUnit(stopAt, 'steps', 'training stops at stop_at, or earlier if max_duration (epochs, dataset size unknown) ends first');
  } else if (maxSteps) plan.totalSteps = maxSteps;

  // Scheduler: units, warmup, decay horizon and floor.
  const unitsSetting = r.string(['scheduler', 'units']);
  const units = unitsSetting?.value ?? D.units;
  const toSteps = (s: Setting<number>, what: string): Setting<number> => {
    if (units !== 'tokens') return withUnit(s, 'steps');
    return {
      ...derived(Math.ceil(s.value / tokensPerStep), `ceil(${formatSci(s.value)} tokens / (${tokensHow}))`, 'steps'),
      ...(s.origin === 'explicit' ? { file: s.file, key: s.key, range: s.range } : { key: s.key }),
      note: `${what} ${formatSci(s.value)} tokens (scheduler.units: tokens)`,
      writtenAs: { unit: 'tokens', perStep: tokensPerStep, value: s.value },
    };
  };
  plan.warmupSteps = toSteps(r.number(['scheduler', 't_warmup']) ?? defaultSetting(D.tWarmup, 'scheduler.t_warmup'), 'scheduler.t_warmup');
  if (DECAYING.has(plan.scheduler.value)) {
    const tMax = r.number(['scheduler', 't_max']);
    if (tMax) plan.decaySteps = toSteps(tMax, 'scheduler.t_max');
    else if (maxSteps) plan.decaySteps = { ...maxSteps, note: ['scheduler.t_max unset: the schedule decays over max_duration', maxSteps.note].filter(Boolean).join('; ') };
    const alpha = r.number(['scheduler', 'alpha_f']) ?? defaultSetting(D.alphaF, 'scheduler.alpha_f');
    // toPrecision(12) drops float noise (3e-4 × 0.1 = 2.9999999999999997e-5).
    plan.minLr = derivedFrom(alpha, Number((plan.peakLr.value * alpha.value).toPrecision(12)), `${formatSci(plan.peakLr.value)} × ${alpha.value} (optimizer.learning_rate × scheduler.alpha_f)`);
  } else if (!SCHEDULERS.has(plan.scheduler.value)) {
    notes.push(`scheduler.name \`${plan.scheduler.value}\` is not an OLMo SchedulerType`);
  }

  if (!plan.totalSteps && !missing.some((m) => m.field === 'datasetSamples')) {
    missing.push({ field: 'totalSteps', hint: 'set max_duration (steps, `<n>T` tokens) or stop_at' });
  }
  notes.push(...r.notes);
  // optim.py: the schedulers return eta_min (alpha_f × lr) once step >= t_max.
  return {
    plan,
    missing,
    anchor: fileStartRange(file),
    notes,
    afterDecay: 'flat',
    globalBatchRounding: 'floor',
    // scheduler.t_max unset: the schedule decays over max_duration.
    decayDefaultsToRun: true,
    // Trainer.fit(): "Save final checkpoint" after the loop (unless save_num_checkpoints_to_keep is 0).
    atRunEnd: { save: 'OLMo saves a final checkpoint at the end' },
  };
}

export const olmo: Dialect = {
  meta: {
    id: 'olmo',
    formats: ['yaml'],
    title: 'OLMo',
    description: 'allenai/OLMo TrainConfig YAML (configs/**: global_train_batch_size, max_duration, optimizer.learning_rate, scheduler.t_warmup)',
    yamlLoader: LOADER,
    rejectsDuplicateKeys: 'OLMo reads YAML with OmegaConf.load, which raises "found duplicate key"',
    schema: 'olmo.schema.json',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format !== 'yaml') return 0;
    // score's first question, asked of the shared facts.
    if (facts.count(REQUIRED_GROUP) < 2) return 0;
    return score(file.tree);
  },
  extract(file, env): Extraction {
    const root = file.tree;
    if (!root || root.kind !== 'map') return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['not an OLMo training config (no top-level mapping)'] };
    return extractOlmo(file, root, env);
  },
};
