/**
 * torchtune recipe configs (`recipes/configs/<model>/<size>_<method>.yaml`), run with
 * `tune run [--nproc_per_node N] <recipe> --config <file>`. Keys, defaults and derivations:
 * research/frameworks.md §8, checked against `recipes/full_finetune_distributed.py` and
 * `torchtune/training/lr_schedulers.py`.
 *
 * The YAML is loaded by OmegaConf (`2e-5` is a float; `${output_dir}` references resolve).
 * `_component_` values are only read as text: nothing is imported or instantiated.
 */
import { applyAssumptions, dataParallel, defaultSetting, derived, deriveGlobalBatch, perRankBatchKnown, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { mapGet, type ConfigNode, type MapNode } from '../engine/tree.js';
import type { TrainingPlan } from '../engine/types.js';
import { OmegaReader } from '../engine/omega-reader.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, MissingField, YamlLoader } from './types.js';
import { torchtuneDatasets } from './dataset-refs.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

const LOADER: YamlLoader = 'omegaconf';

export const TORCHTUNE_DEFAULTS = {
  /** get_cosine_schedule_with_warmup(num_cycles=0.5): a half cosine down to 0. */
  cosineNumCycles: 0.5,
  /** recipes: `cfg.get("tensor_parallel_dim", 1)`, `cfg.get("context_parallel_dim", 1)`. */
  tensorParallel: 1,
  contextParallel: 1,
};

const COSINE = /(?:^|\.)get_cosine_schedule_with_warmup$/;

/** Top-level sections that name a component to instantiate. */
const COMPONENT_SECTIONS = ['model', 'tokenizer', 'optimizer', 'checkpointer', 'dataset', 'loss', 'lr_scheduler', 'metric_logger', 'profiler'];
/** Top-level keys of torchtune recipes (full_finetune_*, lora_finetune_*, dpo, ppo, qat, kd). */
const RECIPE_KEYS = ['max_steps_per_epoch', 'epochs', 'dtype', 'output_dir', 'batch_size', 'gradient_accumulation_steps', 'resume_from_checkpoint', 'log_every_n_steps', 'enable_activation_checkpointing'];
/** Keys of a training loop (a generation or evaluation config has none of them). */
const TRAINING_LOOP_KEYS = ['epochs', 'max_steps_per_epoch', 'gradient_accumulation_steps', 'num_steps', 'ppo_epochs'];
/** RL recipes (PPO, GRPO) count steps in trajectories, not with epochs × steps per epoch. */
const RL_KEYS = ['num_steps', 'ppo_epochs', 'ppo_batch_size', 'grpo_samples'];

function component(root: MapNode, section: string): string | undefined {
  const node = mapGet(root, section)?.value;
  if (!node || node.kind !== 'map') return undefined;
  const comp = mapGet(node, '_component_')?.value;
  return comp && comp.kind === 'scalar' && typeof comp.value === 'string' ? comp.value : undefined;
}

/** Any `_component_` at depth ≤ 2 naming a torchtune module (`torchtune.models.llama3_1.llama3_1_8b`). */
function hasTorchtuneComponent(root: ConfigNode, depth = 0): boolean {
  if (root.kind !== 'map' || depth > 2) return false;
  return root.entries.some((e) =>
    e.key === '_component_'
      ? e.value.kind === 'scalar' && typeof e.value.value === 'string' && e.value.value.startsWith('torchtune.')
      : hasTorchtuneComponent(e.value, depth + 1),
  );
}

const COMPONENT_GROUP = keyGroup(COMPONENT_SECTIONS);
const RECIPE_GROUP = keyGroup(RECIPE_KEYS);
const TRAINING_LOOP_GROUP = keyGroup(TRAINING_LOOP_KEYS);

/** `component(root, section)` of the root mapping, read from the facts detection shares. */
function rootComponent(facts: DetectFacts, section: string): string | undefined {
  const node = facts.map(section);
  if (!node) return undefined;
  const comp = mapGet(node, '_component_')?.value;
  return comp && comp.kind === 'scalar' && typeof comp.value === 'string' ? comp.value : undefined;
}

/**
 * A recipe that trains: an optimizer to build (at the top, or in the `training:` section of the
 * async GRPO recipes), or a dataset with the training loop's keys. torchtune's generation,
 * evaluation and quantization configs (`generation.yaml`, `eleuther_evaluation.yaml`,
 * `quantization.yaml`) build a model, tokenizer and checkpointer too, but train nothing.
 */
function trains(facts: DetectFacts): boolean {
  if (rootComponent(facts, 'optimizer') !== undefined) return true;
  const training = facts.map('training');
  if (training && component(training, 'optimizer') !== undefined) return true;
  return rootComponent(facts, 'dataset') !== undefined && facts.some(TRAINING_LOOP_GROUP);
}

function score(facts: DetectFacts): number {
  const root = facts.root;
  if (!root) return 0;
  // Two component sections at least: two of their keys first, then their `_component_` (counting stops at two).
  if (facts.count(COMPONENT_GROUP) < 2) return 0;
  let components = 0;
  for (const s of COMPONENT_SECTIONS) if (rootComponent(facts, s) !== undefined && ++components === 2) break;
  if (components < 2 || !trains(facts)) return 0;
  const keys = facts.count(RECIPE_GROUP);
  if (hasTorchtuneComponent(root)) return 8 + Math.min(2, Math.floor(keys / 3));
  // `_component_` without a torchtune module: a custom recipe in torchtune's config style.
  return keys >= 4 ? 6 : 0;
}

/** A key that is missing or null (`cfg.get(key, None)` is None). */
function isAbsent(root: MapNode, key: string): boolean {
  const node = mapGet(root, key)?.value;
  return !node || (node.kind === 'scalar' && node.value === null);
}

function isSingleDevice(path: string): boolean {
  // The file name: what follows the last slash.
  return path.slice(path.lastIndexOf('/') + 1).includes('single_device');
}

function extractPlan(file: SourceFile, root: MapNode, env: ExtractEnv): Extraction {
  const reader = new OmegaReader(file, [], root, LOADER);
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes = reader.notes;
  const num = (...path: string[]) => reader.number(path);
  const str = (...path: string[]) => reader.string(path);
  const rl = RL_KEYS.some((k) => mapGet(root, k) !== undefined);

  const batch = num('batch_size');
  if (batch) plan.microBatchSize = withUnit(batch, 'samples');
  const accum = num('gradient_accumulation_steps');
  if (accum) plan.gradAccumSteps = accum;
  const lr = num('optimizer', 'lr');
  if (lr) plan.peakLr = lr;
  const optimizer = str('optimizer', '_component_');
  if (optimizer) plan.optimizer = optimizer;
  const epochs = num('epochs');
  if (epochs) plan.epochs = withUnit(epochs, 'epochs');
  const dtype = str('dtype');
  if (dtype) {
    plan.precision = dtype;
    if (dtype.value === 'fp16') notes.push('dtype fp16: the finetune recipes raise "full fp16 training is not supported with this recipe. Please use bf16 or fp32 instead."');
  }
  const seqLen = num('tokenizer', 'max_seq_len');
  if (seqLen) plan.seqLen = withUnit(seqLen, 'tokens');

  // LR schedule. Without an lr_scheduler section the recipes keep the LR constant.
  // Note: `profiler.warmup_steps` is a profiler schedule setting, never LR warmup.
  const scheduler = str('lr_scheduler', '_component_');
  if (scheduler) {
    plan.scheduler = scheduler;
    const warmup = num('lr_scheduler', 'num_warmup_steps');
    if (warmup) plan.warmupSteps = withUnit(warmup, 'steps');
    if (COSINE.test(scheduler.value)) {
      const cycles = num('lr_scheduler', 'num_cycles');
      if (!cycles || cycles.value === TORCHTUNE_DEFAULTS.cosineNumCycles) {
        plan.minLr = defaultSetting(0, 'lr_scheduler.num_cycles', 'get_cosine_schedule_with_warmup: num_cycles 0.5 decays to 0');
      }
    }
  } else if (isAbsent(root, 'lr_scheduler')) {
    plan.scheduler = defaultSetting('constant', 'lr_scheduler', 'no lr_scheduler section: the recipe keeps the LR constant');
    plan.warmupSteps = withUnit(defaultSetting(0, 'lr_scheduler'), 'steps');
  }

  applyAssumptions(plan, env.assume);
  deriveParallelism(plan, reader, notes);
  deriveGlobalBatch(plan);

  if (rl) {
    notes.push(
      'RL recipe (num_steps / ppo_epochs): optimizer steps per batch depend on the recipe (ppo_epochs, ppo_batch_size), so total steps are not derived',
    );
  } else {
    deriveLength(plan, reader, notes);
  }

  // save_every_n_steps: `cfg.get("save_every_n_steps")`; None means once per epoch (steps_per_epoch).
  const save = num('save_every_n_steps');
  if (save) plan.saveEverySteps = withUnit(save, 'steps');
  else if (plan.stepsPerEpoch && !rl) plan.saveEverySteps = { ...plan.stepsPerEpoch, how: `save_every_n_steps unset: once per epoch (${plan.stepsPerEpoch.how})` };
  // run_val_every_n_steps: null (the default) turns validation off.
  const val = num('run_val_every_n_steps');
  if (val) plan.evalEverySteps = withUnit(val, 'steps');

  const conflicts = recipeConflicts(reader, root);

  if (!plan.worldSize && !plan.dataParallelSize) {
    const hint = isSingleDevice(file.path)
      ? 'this is a single-device config (the *_single_device recipes run on one GPU): set assume.worldSize: 1 in .trainlint.yml'
      : 'set assume.worldSize in .trainlint.yml (tune run --nproc_per_node N [--nnodes M] decides it); batch_size is per device';
    missing.push({ field: 'worldSize', hint });
  }
  if (!plan.microBatchSize) missing.push({ field: 'microBatchSize', hint: 'set batch_size (per device), or assume.microBatchSize' });
  if (!plan.gradAccumSteps && !rl) missing.push({ field: 'gradAccumSteps', hint: 'set gradient_accumulation_steps (the recipes read it unconditionally)' });
  if (!plan.totalSteps && !rl) {
    missing.push({ field: 'datasetSamples', hint: 'set max_steps_per_epoch, or assume.datasetSamples (samples after packing) in .trainlint.yml' });
  }
  return { plan, missing, anchor: fileStartRange(file), notes, conflicts };
}

/** Combinations the recipes reject at startup (full_finetune_distributed.py __init__). */
function recipeConflicts(reader: OmegaReader, root: MapNode): Conflict[] {
  const conflicts: Conflict[] = [];
  const inBwd = reader.lookup(['optimizer_in_bwd']);
  if (inBwd && inBwd.node.kind === 'scalar' && inBwd.node.value === true) {
    const accum = reader.number(['gradient_accumulation_steps']);
    if (accum && accum.value > 1) {
      conflicts.push({
        kind: 'optimizer-in-bwd-accumulation',
        range: inBwd.keyRange,
        message: `optimizer_in_bwd: True with gradient_accumulation_steps ${formatCount(accum.value)}: the recipes raise "Gradient accumulation is not supported with optimizer in bwd"; set gradient_accumulation_steps: 1 or optimizer_in_bwd: False`,
      });
    }
    const clip = reader.scalar(['clip_grad_norm']);
    if (clip) {
      conflicts.push({
        kind: 'optimizer-in-bwd-clipping',
        range: inBwd.keyRange,
        message: `optimizer_in_bwd: True with clip_grad_norm ${String(clip.value)}: the recipes raise "Gradient clipping is not supported with optimizer in bwd"; set clip_grad_norm: null or optimizer_in_bwd: False`,
      });
    }
  }
  const val = reader.lookup(['run_val_every_n_steps']);
  if (val && val.node.kind === 'scalar' && val.node.value !== null && isAbsent(root, 'dataset_val')) {
    conflicts.push({
      kind: 'validation-without-dataset',
      range: val.keyRange,
      message: `run_val_every_n_steps ${String(val.node.value)} without dataset_val: the recipes assert "run_val_every_n_steps is set but dataset_val is not configured"; add dataset_val or set run_val_every_n_steps: null`,
    });
  }
  return conflicts;
}

/**
 * Data-parallel degree (recipes build ParallelDims): dp = dp_replicate × dp_shard, where
 * dp_shard -1 (the default) is inferred as world / (dp_replicate × tp × cp). So with the
 * default shard, dp = world / (tp × cp).
 */
function deriveParallelism(plan: TrainingPlan, reader: OmegaReader, notes: string[]): void {
  const tp = reader.number(['tensor_parallel_dim']);
  const cp = reader.number(['context_parallel_dim']);
  const shard = reader.number(['data_parallel_shard_dim']);
  const replicate = reader.number(['data_parallel_replicate_dim']);
  const tpv = tp?.value ?? TORCHTUNE_DEFAULTS.tensorParallel;
  const cpv = cp?.value ?? TORCHTUNE_DEFAULTS.contextParallel;
  if (shard && shard.value > 0) {
    const rep = replicate?.value ?? 1;
    plan.dataParallelSize = derived(shard.value * rep, `data_parallel_shard_dim ${formatCount(shard.value)} × data_parallel_replicate_dim ${formatCount(rep)}`);
    return;
  }
  if (tpv * cpv === 1) return;
  const world = plan.worldSize;
  if (!world) {
    notes.push(`tensor_parallel_dim ${formatCount(tpv)} × context_parallel_dim ${formatCount(cpv)}: the data-parallel size is world / ${formatCount(tpv * cpv)}, and the world size is unknown`);
    return;
  }
  if (world.value % (tpv * cpv) !== 0) {
    notes.push(`world size ${formatCount(world.value)} is not divisible by tensor_parallel_dim × context_parallel_dim = ${formatCount(tpv * cpv)}: ParallelDims rejects it`);
    return;
  }
  plan.dataParallelSize = derived(
    world.value / (tpv * cpv),
    `${formatCount(world.value)} / (${formatCount(tpv)} × ${formatCount(cpv)}) (world / (tensor_parallel_dim × context_parallel_dim))`,
  );
}

/**
 * full_finetune_distributed.py: the sampler shards the dataset over dp ranks (per rank
 * ceil(samples / dp)), the dataloader drops the last partial batch, steps_per_epoch =
 * len(dataloader) // gradient_accumulation_steps, capped by max_steps_per_epoch; the LR
 * scheduler gets num_training_steps = epochs × steps_per_epoch.
 */
function deriveLength(plan: TrainingPlan, reader: OmegaReader, notes: string[]): void {
  const { datasetSamples: samples, microBatchSize: batch, gradAccumSteps: accum, epochs } = plan;
  const dp = dataParallel(plan);
  const cap = reader.number(['max_steps_per_epoch']);
  if (samples && batch && accum && dp) {
    const perRank = Math.ceil(samples.value / dp.value);
    const batches = Math.floor(perRank / batch.value);
    const full = Math.floor(batches / accum.value);
    let how = `floor(floor(ceil(${formatCount(samples.value)} / ${formatCount(dp.value)}) / ${formatCount(batch.value)}) / ${formatCount(accum.value)})`;
    let steps = full;
    if (cap && cap.value < full) {
      steps = cap.value;
      how = `max_steps_per_epoch ${formatCount(cap.value)} (< ${how} = ${formatCount(full)})`;
    }
    plan.stepsPerEpoch = derived(steps, how, 'steps');
    if (epochs) plan.totalSteps = derived(steps * epochs.value, `${formatCount(epochs.value)} × ${formatCount(steps)} steps/epoch; ${formatCount(steps)} = ${how}`, 'steps');
    return;
  }
  if (cap && epochs) {
    // An epoch is min(len(dataloader) // accumulation, max_steps_per_epoch): the cap is an upper bound.
    plan.totalSteps = {
      ...derived(cap.value * epochs.value, `${formatCount(epochs.value)} × max_steps_per_epoch ${formatCount(cap.value)} (at most: a shorter epoch ends earlier)`, 'steps'),
      file: cap.file,
      key: cap.key,
      range: cap.range,
      bound: 'upper',
    };
    notes.push('total steps use max_steps_per_epoch as the epoch length: an upper bound until the dataset size is known (assume.datasetSamples)');
  }
}

export const torchtune: Dialect = {
  meta: {
    id: 'torchtune',
    formats: ['yaml'],
    title: 'torchtune',
    description: 'torchtune recipe YAML (OmegaConf, `_component_` sections), run with tune run',
    yamlLoader: LOADER,
    // `tune run RECIPE --config x.yaml optimizer.lr=2e-5`: the recipe parser merges the dotlist over the YAML.
    launchOverrides: ['dotlist'],
    rejectsDuplicateKeys: 'torchtune reads YAML with OmegaConf.load, which raises "found duplicate key"',
    schema: 'torchtune.schema.json',
  },
  datasets: torchtuneDatasets,
  // deriveLength reads the rows only with batch_size, gradient_accumulation_steps and the data-parallel size.
  usesDatasetRows: perRankBatchKnown,
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format !== 'yaml') return 0;
    return score(facts);
  },
  extract(file, env): Extraction {
    const root = file.tree;
    if (!root || root.kind !== 'map') return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['not a torchtune config (no mapping at the top)'] };
    return extractPlan(file, root, env);
  },
};

