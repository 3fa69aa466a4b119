/**
 * PyTorch Lightning: LightningCLI config files (`fit --config config.yaml`, the output of
 * `--print_config`) with `trainer:`, `model:`, `data:` and optional `optimizer:` /
 * `lr_scheduler:` groups (`class_path` + `init_args`, or flat when the class is fixed).
 * Trainer keys and defaults: research/frameworks.md §6 (`src/lightning/pytorch/trainer/trainer.py`).
 *
 * Loader: LightningCLI parses with jsonargparse, whose YAML loader (`_loaders_dumpers.py`
 * DefaultLoader) is PyYAML's SafeLoader with OmegaConf's float resolver, so `lr: 1e-4` is a
 * float, as with OmegaConf: yamlLoader 'omegaconf'. `class_path` values are read as text only.
 *
 * Micro batch and LR are arguments of the user's own LightningModule / LightningDataModule;
 * trainlint reads the conventional names (`batch_size`, `lr`, `learning_rate`) and says so.
 */
import { overrideSetting } from '../engine/launch-overrides.js';
import { applyAssumptions, defaultSetting, derived, deriveGlobalBatch, numberAt, stringAt, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { type ConfigNode, getIn, hasKey, mapGet, type MapNode, type ScalarNode } from '../engine/tree.js';
import type { KeyPath, Range, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, MissingField, YamlLoader, IgnoredSetting } from './types.js';
import { detectFacts, keyGroup } from './detect-facts.js';

const LOADER: YamlLoader = 'omegaconf';

/** Trainer.__init__ defaults (frameworks.md §6). */
export const LIGHTNING_DEFAULTS = {
  numNodes: 1,
  accumulateGradBatches: 1,
  /** max_epochs None becomes 1000 when max_steps == -1 and no max_time (fit loop limits). */
  maxEpochs: 1000,
  precision: '32-true',
  checkValEveryNEpoch: 1,
};

/** Trainer arguments (a subset) that identify a `trainer:` mapping as Lightning's. */
const TRAINER_KEYS = [
  'max_epochs', 'max_steps', 'devices', 'accelerator', 'precision', 'accumulate_grad_batches', 'num_nodes', 'strategy',
  'callbacks', 'logger', 'val_check_interval', 'check_val_every_n_epoch', 'gradient_clip_val', 'log_every_n_steps',
  'limit_train_batches', 'limit_val_batches', 'enable_checkpointing', 'default_root_dir', 'fast_dev_run', 'max_time',
  'min_epochs', 'min_steps', 'deterministic', 'benchmark', 'num_sanity_val_steps', 'sync_batchnorm', 'use_distributed_sampler',
];
/** NeMo puts Lightning Trainer arguments under `trainer:` too, but batch and LR live in its own model config. */
const NEMO_MARKERS: KeyPath[] = [['exp_manager'], ['model', 'optim'], ['model', 'micro_batch_size'], ['model', 'global_batch_size']];

/**
 * Trainer keys of verl and its forks (EasyR1), which Lightning's Trainer does not take: their `trainer:` also
 * holds `logger`, `save_freq`… (research/frameworks-wave2-nemo-rl-jax.md §2.2).
 */
const RL_TRAINER_KEYS = ['n_gpus_per_node', 'nnodes', 'total_epochs', 'total_episodes', 'total_training_steps', 'save_freq', 'test_freq', 'val_freq', 'val_before_train', 'critic_warmup'];
/**
 * Top-level sections of configs that hand Trainer arguments to Lightning but do not train through
 * LightningCLI: verl (`actor_rollout_ref`), EasyR1 (`worker`), NeMo's inference and evaluation
 * configs (`inference:` beside `trainer:`, as megatron_gpt_inference.yaml has), and NeMo's
 * `*_model_file` keys naming the checkpoint a script restores.
 */
const NOT_LIGHTNING_SECTIONS = ['actor_rollout_ref', 'worker', 'inference'];
const NEMO_MODEL_FILE = /^\w+_model_file$/;

/** Where the peak LR can be, in order of precedence (the optimizer group wins: the CLI builds the optimizer). */
const LR_PATHS: { path: KeyPath; userArg: boolean }[] = [
  { path: ['optimizer', 'init_args', 'lr'], userArg: false },
  { path: ['optimizer', 'lr'], userArg: false },
  { path: ['model', 'init_args', 'optimizer', 'init_args', 'lr'], userArg: false },
  { path: ['model', 'optimizer', 'lr'], userArg: false },
  { path: ['model', 'init_args', 'lr'], userArg: true },
  { path: ['model', 'init_args', 'learning_rate'], userArg: true },
  { path: ['model', 'lr'], userArg: true },
  { path: ['model', 'learning_rate'], userArg: true },
];
const BATCH_PATHS: KeyPath[] = [['data', 'init_args', 'batch_size'], ['data', 'batch_size']];

const TRAINER_GROUP = keyGroup(['trainer']);

function trainerNode(root: ConfigNode | undefined): MapNode | undefined {
  if (!root || root.kind !== 'map') return undefined;
  const trainer = mapGet(root, 'trainer')?.value;
  return trainer && trainer.kind === 'map' ? trainer : undefined;
}

function score(file: SourceFile): number {
  const root = file.tree;
  const trainer = trainerNode(root);
  if (!root || !trainer) return 0;
  if (NEMO_MARKERS.some((p) => getIn(root, p) !== undefined)) return 0;
  if (root.kind === 'map' && root.entries.some((e) => NOT_LIGHTNING_SECTIONS.includes(e.key) || NEMO_MODEL_FILE.test(e.key))) return 0;
  if (RL_TRAINER_KEYS.some((k) => mapGet(trainer, k) !== undefined)) return 0;
  const trainerKeys = TRAINER_KEYS.filter((k) => mapGet(trainer, k) !== undefined).length;
  const sections = ['model', 'data'].filter((k) => hasKey(root, k)).length;
  const classPaths = ['model', 'data', 'optimizer', 'lr_scheduler'].filter((k) => getIn(root, [k, 'class_path']) !== undefined).length;
  if (trainerKeys >= 1 && (sections >= 1 || trainerKeys >= 3)) return Math.min(8, 5 + Math.min(2, classPaths) + (sections === 2 ? 1 : 0));
  return 0;
}

/** Whether a plain scalar was written as a float (`1.0`), which Lightning treats differently from the int `1`. */
function writtenAsFloat(node: ScalarNode): boolean {
  return typeof node.value === 'number' && /[.eE]/.test(node.source);
}

/**
 * Reads keys of the config as one launch runs it: a value the launch command writes after the config
 * (`--optimizer.init_args.lr 0.1`, jsonargparse applies it over the file) is the script's, origin
 * 'launcher' at the flag (engine/launch-overrides.ts), and `--fix` never rewrites the YAML for it.
 */
class Reader {
  constructor(readonly file: SourceFile) {}

  node(path: KeyPath): { node: ConfigNode; setting: Omit<Setting, 'value'> } | undefined {
    const hit = getIn(this.file.tree, path);
    if (!hit) return undefined;
    const launched = overrideSetting(hit.node, 0);
    if (launched) {
      const { value: _value, ...setting } = launched;
      void _value;
      return { node: hit.node, setting };
    }
    return { node: hit.node, setting: { origin: 'explicit', file: this.file.path, key: path.join('.'), range: hit.keyRange } };
  }

  number(path: KeyPath): Setting<number> | undefined {
    return numberAt(this.file, path, LOADER);
  }

  /** A scalar as text (null is absent). */
  string(path: KeyPath): Setting<string> | undefined {
    return stringAt(this.file, path);
  }
}

/**
 * Devices per node as Lightning parses them (`_parse_devices`): an int, a list of device
 * indices, or a string ("4", "0,1,3"). "auto" and -1 mean "all visible devices": unknown.
 */
function devicesCount(node: ConfigNode): { count?: number; why: string } {
  if (node.kind === 'seq') return { count: node.items.length, why: `${node.items.length} device indices` };
  if (node.kind !== 'scalar') return { why: 'not a device count' };
  const v = node.value;
  if (typeof v === 'number') return v > 0 && Number.isInteger(v) ? { count: v, why: String(v) } : { why: `devices: ${v} uses every visible device` };
  if (typeof v === 'string') {
    const text = v.trim();
    if (/^\d+$/.test(text)) return Number(text) > 0 ? { count: Number(text), why: text } : { why: `devices: "${text}"` };
    if (text.includes(',')) {
      const ids = text.split(',').filter((s) => s.trim() !== '');
      return { count: ids.length, why: `device indices "${text}"` };
    }
    return { why: `devices: ${text} uses every visible device` };
  }
  return { why: 'devices is not set to a count' };
}

/** World size = trainer.devices × trainer.num_nodes, when devices is a count. */
function readWorldSize(r: Reader): { setting: Setting<number> } | { why?: string } {
  const devices = r.node(['trainer', 'devices']);
  if (!devices) return {};
  const nodes = r.number(['trainer', 'num_nodes']);
  const d = devicesCount(devices.node);
  if (d.count === undefined) return { why: d.why };
  if (!nodes) return { setting: { value: d.count, ...devices.setting, note: `num_nodes default ${LIGHTNING_DEFAULTS.numNodes}` } };
  const how = `trainer.devices ${d.why} × trainer.num_nodes ${formatCount(nodes.value)}`;
  return { setting: { ...derived(d.count * nodes.value, how), file: r.file.path, key: 'trainer.devices', range: devices.setting.range } };
}

/**
 * The first LR found in LR_PATHS. An optimizer: group makes LightningCLI replace the model's
 * configure_optimizers, so a different LR among the model's arguments is likely unused (info).
 */
function readPeakLr(plan: TrainingPlan, r: Reader, notes: string[], ignored: IgnoredSetting[]): void {
  const lrs = LR_PATHS.flatMap(({ path, userArg }) => {
    const lr = r.number(path);
    return lr ? [{ lr, userArg, name: path.join('.') }] : [];
  });
  if (lrs.length === 0) return;
  const { lr, userArg, name } = lrs[0];
  plan.peakLr = userArg ? { ...lr, note: [lr.note, 'an argument of your LightningModule, read as the peak LR'].filter(Boolean).join('; ') } : lr;
  const others = lrs.slice(1).filter((x) => x.lr.value !== lr.value);
  if (others.length > 0) notes.push(`${others.map((x) => `${x.lr.key} ${x.lr.value}`).join(', ')} also set: ${lr.key} ${lr.value} is read as the peak LR`);
  if (!name.startsWith('optimizer.')) return;
  for (const other of others) {
    // Only a key of this file is reported here (a launch flag is the script's).
    if (!other.userArg || !other.lr.range || other.lr.file !== r.file.path) continue;
    ignored.push({
      key: other.lr.key ?? 'lr',
      range: other.lr.range,
      message: `${other.lr.key} ${other.lr.value} is likely unused: the optimizer: group makes LightningCLI build the optimizer with ${lr.key} ${lr.value}; remove one of them`,
    });
  }
}

function extractPlan(file: SourceFile, env: ExtractEnv): Extraction {
  const r = new Reader(file);
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const conflicts: Conflict[] = [];
  const T = (...k: string[]): KeyPath => ['trainer', ...k];

  const world = readWorldSize(r);
  if ('setting' in world) plan.worldSize = world.setting;
  else if (world.why) notes.push(`world size unknown: ${world.why}`);

  // ---- batch and accumulation ----------------------------------------------------------------
  for (const path of BATCH_PATHS) {
    const b = r.number(path);
    if (b) {
      plan.microBatchSize = { ...b, unit: 'samples', note: [b.note, 'an argument of your LightningDataModule, read as the per-device DataLoader batch'].filter(Boolean).join('; ') };
      break;
    }
  }
  plan.gradAccumSteps = r.number(T('accumulate_grad_batches')) ?? defaultSetting(LIGHTNING_DEFAULTS.accumulateGradBatches, 'trainer.accumulate_grad_batches');

  // ---- LR, optimizer, scheduler --------------------------------------------------------------
  const ignored: IgnoredSetting[] = [];
  readPeakLr(plan, r, notes, ignored);
  const optimizer = r.string(['optimizer', 'class_path']) ?? r.string(['optimizer']) ?? r.string(['model', 'init_args', 'optimizer', 'class_path']);
  if (optimizer) plan.optimizer = optimizer;
  const scheduler = r.string(['lr_scheduler', 'class_path']) ?? r.string(['lr_scheduler']);
  if (scheduler) {
    plan.scheduler = scheduler;
    notes.push('LightningCLI steps the lr_scheduler once per epoch (interval "epoch"): its horizon and warmup arguments count epochs, not optimizer steps');
  }
  const precision = r.string(T('precision'));
  plan.precision = precision ?? defaultSetting(LIGHTNING_DEFAULTS.precision, 'trainer.precision', 'Trainer precision None → "32-true"');

  // ---- length --------------------------------------------------------------------------------
  const maxSteps = r.number(T('max_steps'));
  const maxEpochs = r.number(T('max_epochs'));
  const maxTime = r.string(T('max_time'));
  const stepsLimit = maxSteps && maxSteps.value > 0 ? maxSteps : undefined;
  if (maxEpochs && maxEpochs.value > 0) plan.epochs = withUnit(maxEpochs, 'epochs');
  else if (maxEpochs && maxEpochs.value === -1) notes.push('trainer.max_epochs -1: no epoch limit');
  else if (!stepsLimit && !maxTime) {
    plan.epochs = withUnit(defaultSetting(LIGHTNING_DEFAULTS.maxEpochs, 'trainer.max_epochs', 'neither max_epochs nor max_steps is set: Lightning trains 1000 epochs'), 'epochs');
  }
  if (maxTime) notes.push(`trainer.max_time ${maxTime.value}: training may stop earlier on wall-clock time`);

  applyAssumptions(plan, env.assume);
  deriveGlobalBatch(plan);
  const epochBatches = deriveStepsPerEpoch(plan, r, notes);

  const epochLimit = maxEpochs && maxEpochs.value > 0 ? plan.epochs : stepsLimit ? undefined : plan.epochs;
  const spe = plan.stepsPerEpoch;
  if (stepsLimit) {
    // Training stops at whichever of max_steps and max_epochs comes first (fit_loop.py).
    if (epochLimit && spe && epochLimit.value * spe.value < stepsLimit.value) {
      plan.totalSteps = derived(epochLimit.value * spe.value, `${formatCount(epochLimit.value)} epochs × ${formatCount(spe.value)} steps/epoch (before max_steps ${formatCount(stepsLimit.value)})`, 'steps');
    } else {
      plan.totalSteps = { ...stepsLimit, unit: 'steps', ...(epochLimit && !spe ? { note: `or fewer, if max_epochs ${formatCount(epochLimit.value)} ends first` } : {}) };
    }
  } else if (epochLimit && spe) {
    plan.totalSteps = derived(epochLimit.value * spe.value, `${formatCount(epochLimit.value)} × ${formatCount(spe.value)} steps/epoch; ${formatCount(spe.value)} = ${spe.how}`, 'steps');
  }

  deriveIntervals(plan, r, epochBatches, notes, conflicts);

  if (!plan.worldSize) {
    missing.push({ field: 'worldSize', hint: 'set trainer.devices (and trainer.num_nodes) to numbers, or assume.worldSize in .trainlint.yml' });
  }
  if (!plan.microBatchSize) {
    missing.push({ field: 'microBatchSize', hint: 'set data.init_args.batch_size (per device), or assume.microBatchSize in .trainlint.yml' });
  }
  if (!plan.peakLr) {
    missing.push({ field: 'peakLr', hint: 'set optimizer.init_args.lr or model.init_args.lr, or assume.peakLr in .trainlint.yml' });
  }
  if (!plan.warmupSteps) {
    const named = warmupArguments(file);
    missing.push({
      field: 'warmupSteps',
      hint:
        (named.length ? `${named.join(', ')} ${named.length > 1 ? 'are arguments' : 'is an argument'} of your own classes, which trainlint cannot interpret: ` : 'warmup lives in your LightningModule or scheduler arguments: ') +
        'set assume.warmupSteps (optimizer steps) in .trainlint.yml',
    });
  }
  if (!plan.totalSteps && !stepsLimit) {
    missing.push({ field: 'datasetSamples', hint: 'set trainer.max_steps, or assume.datasetSamples in .trainlint.yml' });
  }
  fastDevRun(r, plan, notes);
  return { plan, missing, anchor: fileStartRange(file), notes, conflicts, ignored };
}

/**
 * `trainer.fast_dev_run: true` (or n): a debug run of 1 (or n) training batches that turns
 * checkpoint callbacks and loggers off (Trainer docs, fast_dev_run). The run's length is that,
 * whatever max_steps says, and the save and eval intervals are not in force.
 */
function fastDevRun(r: Reader, plan: TrainingPlan, notes: string[]): void {
  const hit = r.node(['trainer', 'fast_dev_run']);
  if (!hit || hit.node.kind !== 'scalar') return;
  const v = hit.node.value;
  const batches = v === true ? 1 : typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
  if (batches === undefined) return;
  const accum = plan.gradAccumSteps?.value ?? 1;
  plan.totalSteps = {
    value: Math.max(1, Math.floor(batches / accum)),
    origin: 'explicit',
    file: hit.setting.file,
    key: 'trainer.fast_dev_run',
    range: hit.setting.range,
    unit: 'steps',
    note: `fast_dev_run: a debug run of ${batches} batch${batches === 1 ? '' : 'es'}; checkpoints and loggers are off`,
  };
  delete plan.saveEverySteps;
  delete plan.evalEverySteps;
  notes.push(`trainer.fast_dev_run: a debug run of ${batches} batch${batches === 1 ? '' : 'es'}: max_steps, max_epochs and the save/eval intervals are not in force`);
}

/** `model.init_args.warmup_steps` and the like: user arguments whose unit trainlint cannot know. */
function warmupArguments(file: SourceFile): string[] {
  const out: string[] = [];
  for (const base of [['model', 'init_args'], ['model'], ['lr_scheduler', 'init_args']] as KeyPath[]) {
    const node = getIn(file.tree, base)?.node;
    if (node?.kind !== 'map') continue;
    for (const e of node.entries) {
      if (/warmup/i.test(e.key) && e.value.kind === 'scalar' && typeof e.value.value === 'number') out.push(`${[...base, e.key].join('.')} ${e.value.value}`);
    }
  }
  return out;
}

/**
 * Batches per epoch on each rank: the DistributedSampler gives ceil(samples / world) samples,
 * the DataLoader ceil(… / batch) batches (drop_last False), `limit_train_batches` caps them
 * (an int is a count, a float a fraction). The optimizer steps every `accumulate_grad_batches`
 * batches and at the end of the epoch: ceil(batches / accumulation).
 */
function deriveStepsPerEpoch(plan: TrainingPlan, r: Reader, notes: string[]): number | undefined {
  const { datasetSamples: samples, microBatchSize: batch, worldSize: world, gradAccumSteps: accum } = plan;
  if (!samples || !batch || !world || !accum) return undefined;
  let batches = Math.ceil(Math.ceil(samples.value / world.value) / batch.value);
  let how = `ceil(ceil(${formatCount(samples.value)} / ${formatCount(world.value)}) / ${formatCount(batch.value)})`;
  const limit = r.node(['trainer', 'limit_train_batches']);
  if (limit && limit.node.kind === 'scalar' && typeof limit.node.value === 'number') {
    const value = limit.node.value;
    if (writtenAsFloat(limit.node)) {
      batches = Math.floor(batches * value);
      how = `int(${how} × limit_train_batches ${value})`;
    } else if (value < batches) {
      batches = value;
      how = `limit_train_batches ${formatCount(value)}`;
      if (value === 1) notes.push('trainer.limit_train_batches: 1 is an int, i.e. ONE batch per epoch; write 1.0 for the whole epoch');
    }
  }
  const steps = Math.ceil(batches / accum.value);
  plan.stepsPerEpoch = derived(steps, accum.value === 1 ? how : `ceil(${how} / ${formatCount(accum.value)})`, 'steps');
  return batches;
}

/**
 * Where a finding about a setting goes in this file: its key, or the file's start when a launch
 * command gives it (the report then points at the command).
 */
function rangeInFile(setting: Omit<Setting, 'value'>, file: SourceFile): Range {
  return setting.file === file.path && setting.range ? setting.range : fileStartRange(file);
}

/** Validation and checkpoint intervals, in optimizer steps. */
function deriveIntervals(plan: TrainingPlan, r: Reader, epochBatches: number | undefined, notes: string[], conflicts: Conflict[]): void {
  const accum = plan.gradAccumSteps?.value ?? 1;
  const spe = plan.stepsPerEpoch;
  const limitVal = r.number(['trainer', 'limit_val_batches']);
  const vci = r.node(['trainer', 'val_check_interval']);
  const every = r.number(['trainer', 'check_val_every_n_epoch']);
  if (limitVal && limitVal.value === 0) {
    notes.push('trainer.limit_val_batches 0: validation is off');
  } else if (vci && vci.node.kind === 'scalar' && typeof vci.node.value === 'number') {
    const value = vci.node.value;
    if (!writtenAsFloat(vci.node)) {
      // fit_loop setup: an int above the epoch's batch count raises unless check_val_every_n_epoch is None.
      const everyNode = r.node(['trainer', 'check_val_every_n_epoch'])?.node;
      const perEpoch = !(everyNode?.kind === 'scalar' && everyNode.value === null);
      if (perEpoch && epochBatches !== undefined && value > epochBatches) {
        conflicts.push({
          kind: 'interval-exceeds-epoch',
          range: rangeInFile(vci.setting, r.file),
          message:
            `${vci.setting.origin === 'launcher' ? `${vci.setting.key}` : 'val_check_interval'} ${formatCount(value)} batches > ${formatCount(epochBatches)} training batches per epoch: Lightning raises ValueError at fit; ` +
            'lower it, or set check_val_every_n_epoch: null to count batches across epochs',
          data: { valCheckInterval: value, batchesPerEpoch: epochBatches },
        });
      }
      // An int counts training batches (micro-batches), not optimizer steps.
      plan.evalEverySteps =
        accum === 1
          ? { value, ...vci.setting, unit: 'steps' }
          : {
              value: value / accum,
              ...vci.setting,
              origin: 'derived',
              how: `val_check_interval ${formatCount(value)} batches / accumulate_grad_batches ${formatCount(accum)}`,
              unit: 'steps',
              writtenAs: { unit: 'batches', perStep: accum },
            };
    } else if (epochBatches !== undefined) {
      // A float is a fraction of the epoch's batches: val_check_batch = int(batches × fraction).
      const checkBatch = Math.max(1, Math.floor(epochBatches * value));
      plan.evalEverySteps = {
        value: checkBatch / accum,
        ...vci.setting,
        origin: 'derived',
        how: `int(${formatCount(epochBatches)} batches/epoch × ${value})${accum === 1 ? '' : ` / accumulate_grad_batches ${formatCount(accum)}`}`,
        unit: 'steps',
      };
    }
  } else if (every && spe) {
    plan.evalEverySteps = {
      ...every,
      value: every.value * spe.value,
      origin: 'derived',
      how: `check_val_every_n_epoch ${formatCount(every.value)} × ${formatCount(spe.value)} steps/epoch`,
      unit: 'steps',
      // It counts whole epochs (an int): advice is given in epochs.
      writtenAs: { unit: 'epochs', perStep: 1 / spe.value, value: every.value },
    };
  }

  // ModelCheckpoint callbacks: every_n_train_steps counts optimizer steps (global_step).
  const callbacks = getIn(r.file.tree, ['trainer', 'callbacks'])?.node;
  const list = callbacks?.kind === 'seq' ? callbacks.items.map((_, i) => ['trainer', 'callbacks', i]) : callbacks?.kind === 'map' ? [['trainer', 'callbacks']] : [];
  for (const base of list as KeyPath[]) {
    const cls = r.string([...base, 'class_path'])?.value ?? '';
    if (!/(?:^|\.)ModelCheckpoint$/.test(cls)) continue;
    const steps = r.number([...base, 'init_args', 'every_n_train_steps']);
    const epochs = r.number([...base, 'init_args', 'every_n_epochs']);
    if (steps && steps.value > 0) plan.saveEverySteps = withUnit(steps, 'steps');
    else if (epochs && epochs.value > 0 && spe) {
      plan.saveEverySteps = {
        ...epochs,
        value: epochs.value * spe.value,
        origin: 'derived',
        how: `every_n_epochs ${formatCount(epochs.value)} × ${formatCount(spe.value)} steps/epoch`,
        unit: 'steps',
        writtenAs: { unit: 'epochs', perStep: 1 / spe.value, value: epochs.value },
      };
    }
    if (plan.saveEverySteps) break;
  }
}

export const lightning: Dialect = {
  meta: {
    id: 'lightning',
    formats: ['yaml', 'json'],
    title: 'PyTorch Lightning (LightningCLI)',
    description: 'LightningCLI config YAML: trainer:, model:, data:, optimizer:/lr_scheduler: with class_path + init_args',
    yamlLoader: LOADER,
    yamlLoaderName: 'jsonargparse (LightningCLI; PyYAML SafeLoader)',
    // jsonargparse applies `--trainer.devices 8` / `--a.b=value` after `--config` over the file: argparse's form, dotted keys nested.
    launchOverrides: ['argparse'],
    schema: 'lightning.schema.json',
    // jsonargparse reads a .json config with its YAML loader (PyYAML), which skips a UTF-8 byte order mark.
    jsonLoader: 'yaml',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format !== 'yaml' && file.format !== 'json') return 0;
    // score needs a `trainer:` mapping: asked of the shared facts first.
    if (!facts.some(TRAINER_GROUP) || !facts.map('trainer')) return 0;
    return score(file);
  },
  extract(file, env): Extraction {
    if (!trainerNode(file.tree)) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no trainer: mapping found'] };
    return extractPlan(file, env);
  },
};
