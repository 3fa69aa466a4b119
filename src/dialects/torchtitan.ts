/**
 * torchtitan (pytorch/torchtitan) TOML job configs, `train_configs/*.toml` (research/frameworks.md §10).
 * Two TOML schemas are read:
 *  - current (2025 – v0.2.2, `torchtitan/config/job_config.py` @238fa99): `[training] local_batch_size`,
 *    `global_batch_size`, `[lr_scheduler]`, `[parallelism]`, `[checkpoint] enable`;
 *  - older (≤ Dec 2024, `config_manager.py` @6a6f755): `[training] batch_size`, `warmup_steps` and the
 *    data/tensor-parallel degrees, `[experimental]` pipeline/context degrees, `[checkpoint] enable_checkpoint`.
 * All step counts are optimizer steps. The newest torchtitan has no TOML (Python config registry).
 */
import { applyAssumptions, boolAt, defaultSetting, derived, deriveGlobalBatch, numberAt, stringAt, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { getIn } from '../engine/tree.js';
import type { KeyPath, Setting, TrainingPlan } from '../engine/types.js';
import type { Dialect, MissingField } from './types.js';

/** job_config.py defaults (frameworks.md §10 table). */
export const TORCHTITAN_DEFAULTS = {
  localBatchSize: 8,
  globalBatchSize: -1, // -1 = local_batch_size × data-parallel degree (no accumulation)
  seqLen: 2048,
  steps: 10000,
  lr: 8e-4,
  optimizer: 'AdamW',
  warmupSteps: 200,
  decayType: 'linear',
  minLrFactor: 0,
  dataParallelReplicateDegree: 1,
  dataParallelShardDegree: -1, // -1 = the ranks left after the other degrees
  parallelDegree: 1, // tensor, pipeline, context
  checkpointEnable: false,
  checkpointInterval: 500,
  validationEnable: false,
  validationFreq: 10,
  mixedPrecisionParam: 'bfloat16',
};

/** TOML tables that mark a torchtitan job config (besides `[training]`). */
const MARKER_TABLES = ['job', 'lr_scheduler', 'parallelism'];
/** TOML is typed: numbers are numbers (the loader name only matters for YAML). */
const LOADER = 'pydantic';

/** The first key path among `paths` that holds a number. */
function firstNumber(file: SourceFile, ...paths: KeyPath[]): Setting<number> | undefined {
  for (const p of paths) {
    const hit = numberAt(file, p, LOADER);
    if (hit) return hit;
  }
  return undefined;
}

function firstBool(file: SourceFile, ...paths: KeyPath[]): Setting<boolean> | undefined {
  for (const p of paths) {
    const hit = boolAt(file, p);
    if (hit) return hit;
  }
  return undefined;
}

/** The older schema: batch and warmup under [training], checkpoint.enable_checkpoint. */
function isOldSchema(file: SourceFile): boolean {
  const has = (...p: string[]) => getIn(file.tree, p) !== undefined;
  return (
    has('training', 'batch_size') ||
    has('training', 'warmup_steps') ||
    has('training', 'data_parallel_shard_degree') ||
    has('experimental', 'pipeline_parallel_degree') ||
    (!has('lr_scheduler') && !has('parallelism') && !has('training', 'local_batch_size'))
  );
}

interface Degrees {
  replicate: Setting<number>;
  shard: Setting<number>;
  tp: Setting<number>;
  pp: Setting<number>;
  cp: Setting<number>;
}

function degrees(file: SourceFile, old: boolean): Degrees {
  const D = TORCHTITAN_DEFAULTS;
  const read = (name: string, oldSection: string, fallback: number): Setting<number> =>
    firstNumber(file, ['parallelism', name], [oldSection, name]) ?? defaultSetting(fallback, `${old ? oldSection : 'parallelism'}.${name}`);
  return {
    replicate: read('data_parallel_replicate_degree', 'training', D.dataParallelReplicateDegree),
    // The oldest configs had a single `training.data_parallel_degree`.
    shard:
      firstNumber(file, ['parallelism', 'data_parallel_shard_degree'], ['training', 'data_parallel_shard_degree'], ['training', 'data_parallel_degree']) ??
      defaultSetting(D.dataParallelShardDegree, `${old ? 'training' : 'parallelism'}.data_parallel_shard_degree`, '-1: the ranks left after the other degrees'),
    tp: read('tensor_parallel_degree', 'training', D.parallelDegree),
    pp: read('pipeline_parallel_degree', 'experimental', D.parallelDegree),
    cp: read('context_parallel_degree', 'experimental', D.parallelDegree),
  };
}

/**
 * parallel_dims.py: dp_replicate × dp_shard × cp × tp × pp == WORLD_SIZE; dp_shard = -1 takes the rest.
 * The batch is split over dp_replicate × dp_shard ranks (context-parallel ranks share one batch).
 */
function resolveParallelism(plan: TrainingPlan, deg: Degrees, notes: string[]): void {
  const { replicate: r, shard: s, tp, pp, cp } = deg;
  const model = tp.value * pp.value * cp.value;
  const modelHow = `tp ${formatCount(tp.value)} × pp ${formatCount(pp.value)} × cp ${formatCount(cp.value)}`;
  if (s.value > 0) {
    const world = r.value * s.value * model;
    const how = `dp_replicate ${formatCount(r.value)} × dp_shard ${formatCount(s.value)} × ${modelHow} (parallel_dims.py requires this product to equal WORLD_SIZE)`;
    if (plan.worldSize && plan.worldSize.value !== world) {
      notes.push(`the parallel degrees multiply to ${formatCount(world)} ranks but the world size is ${formatCount(plan.worldSize.value)}: torchtitan refuses to start (${how})`);
    } else if (!plan.worldSize) {
      plan.worldSize = derived(world, how);
    }
    plan.dataParallelSize = derived(r.value * s.value, `dp_replicate ${formatCount(r.value)} × dp_shard ${formatCount(s.value)}`);
    return;
  }
  const world = plan.worldSize;
  if (!world) return;
  const rest = world.value / (r.value * model);
  if (!Number.isInteger(rest) || rest < 1) {
    notes.push(
      `data_parallel_shard_degree = -1 cannot fill the world size ${formatCount(world.value)}: it is not a multiple of dp_replicate ${formatCount(r.value)} × ${modelHow}, so torchtitan refuses to start`,
    );
    return;
  }
  plan.dataParallelSize = derived(
    r.value * rest,
    `world ${formatCount(world.value)} / (${modelHow})${r.value !== 1 ? `, dp_replicate ${formatCount(r.value)} × dp_shard ${formatCount(rest)}` : ''} (data_parallel_shard_degree = -1 takes the rest)`,
  );
}

export const torchtitan: Dialect = {
  meta: {
    id: 'torchtitan',
    formats: ['toml'],
    title: 'torchtitan',
    description: 'torchtitan TOML job configs (train_configs/*.toml; current and 2024 schemas)',
    yamlLoader: LOADER,
    schema: 'torchtitan.schema.json',
    // ConfigManager parses the TOML, then the command line's `--section.option value` over it.
    launchOverrides: ['argparse'],
  },
  detect(file) {
    if (file.format !== 'toml' || !file.tree || file.tree.kind !== 'map') return 0;
    if (getIn(file.tree, ['training'])?.node.kind !== 'map') return 0;
    const markers = MARKER_TABLES.filter((t) => getIn(file.tree, [t])?.node.kind === 'map').length;
    return markers === 0 ? 0 : 6 + markers;
  },
  extract(file, env) {
    const plan: TrainingPlan = {};
    const missing: MissingField[] = [];
    const notes: string[] = [];
    const D = TORCHTITAN_DEFAULTS;
    const old = isOldSchema(file);
    if (old) notes.push('older torchtitan schema (training.batch_size / training.warmup_steps, ≤ Dec 2024)');

    plan.microBatchSize = {
      ...(firstNumber(file, ['training', 'local_batch_size'], ['training', 'batch_size']) ??
        defaultSetting(D.localBatchSize, old ? 'training.batch_size' : 'training.local_batch_size', 'per device')),
      unit: 'samples',
    };
    // Flux trains on images: seq_len is not read, so its default means nothing there.
    const imageModel = getIn(file.tree, ['encoder']) !== undefined || /^flux/.test(String(stringAt(file, ['model', 'name'])?.value ?? ''));
    const seqLen = numberAt(file, ['training', 'seq_len'], LOADER) ?? (imageModel ? undefined : defaultSetting(D.seqLen, 'training.seq_len'));
    if (seqLen) plan.seqLen = withUnit(seqLen, 'tokens');
    plan.totalSteps = withUnit(numberAt(file, ['training', 'steps'], LOADER) ?? defaultSetting(D.steps, 'training.steps'), 'steps');
    plan.peakLr = numberAt(file, ['optimizer', 'lr'], LOADER) ?? defaultSetting(D.lr, 'optimizer.lr');
    plan.optimizer = stringAt(file, ['optimizer', 'name']) ?? defaultSetting(D.optimizer, 'optimizer.name');
    plan.precision =
      stringAt(file, ['training', 'mixed_precision_param']) ??
      defaultSetting(D.mixedPrecisionParam, 'training.mixed_precision_param', 'FSDP/autocast parameter dtype; reductions in float32');

    const warmup = firstNumber(file, ['lr_scheduler', 'warmup_steps'], ['training', 'warmup_steps']);
    plan.warmupSteps = withUnit(warmup ?? defaultSetting(D.warmupSteps, old ? 'training.warmup_steps' : 'lr_scheduler.warmup_steps'), 'steps');
    schedule(file, plan, notes, old);

    // Checkpoints: off unless checkpoint.enable (checkpoint.enable_checkpoint in older configs).
    const enabled = firstBool(file, ['checkpoint', 'enable'], ['checkpoint', 'enable_checkpoint']);
    const interval = numberAt(file, ['checkpoint', 'interval'], LOADER) ?? defaultSetting(D.checkpointInterval, 'checkpoint.interval');
    const intervalType = stringAt(file, ['checkpoint', 'interval_type'])?.value ?? 'steps';
    if (!enabled?.value) {
      const where = enabled ? `${enabled.key} = false` : `${old ? 'checkpoint.enable_checkpoint' : 'checkpoint.enable'} defaults to false`;
      notes.push(`checkpointing is disabled (${where}): no periodic checkpoints, so the save interval is not linted`);
    } else if (intervalType !== 'steps') {
      notes.push(`checkpoint.interval_type = "${intervalType}": the interval is not in steps, so the save interval is left unknown`);
    } else {
      plan.saveEverySteps = withUnit(interval, 'steps');
    }
    if (boolAt(file, ['validation', 'enable'])?.value) {
      plan.evalEverySteps = withUnit(numberAt(file, ['validation', 'freq'], LOADER) ?? defaultSetting(D.validationFreq, 'validation.freq'), 'steps');
    }

    applyAssumptions(plan, env.assume);
    resolveParallelism(plan, degrees(file, old), notes);

    // Global batch: explicit global_batch_size (current schema) or -1 = local × dp (no accumulation).
    const global = numberAt(file, ['training', 'global_batch_size'], LOADER);
    if (global && global.value > 0) {
      plan.globalBatchSize = withUnit(global, 'samples');
      const dp = plan.dataParallelSize ?? plan.worldSize;
      const perStep = dp ? plan.microBatchSize.value * dp.value : undefined;
      // train.py: accumulation = global // (local × dp), and the global batch must be a multiple of it.
      if (dp && perStep && global.value % perStep === 0) {
        plan.gradAccumSteps = derived(
          global.value / perStep,
          `${formatCount(global.value)} / (${formatCount(plan.microBatchSize.value)} × ${formatCount(dp.value)}) (global_batch_size / (local_batch_size × data-parallel degree))`,
          'steps',
        );
      }
    } else {
      plan.gradAccumSteps = old
        ? defaultSetting(1, 'training.batch_size', 'the older schema has no gradient accumulation: global = batch_size × data-parallel degree')
        : defaultSetting(1, 'training.global_batch_size', 'global_batch_size -1: global = local_batch_size × data-parallel degree, no gradient accumulation');
      deriveGlobalBatch(plan);
    }

    if (!plan.worldSize) {
      missing.push({
        field: 'worldSize',
        hint: 'set assume.worldSize in .trainlint.yml (the NGPU / torchrun --nproc_per_node × nodes of the launch): data_parallel_shard_degree = -1 takes the ranks left over',
      });
    }
    return {
      plan,
      missing,
      anchor: fileStartRange(file),
      notes,
      launchChecks: { 'batch-size-mismatch': 'torchtitan refuses to start (train.py asserts "global batch size must be multiple of local batch size times data-parallel degree")' },
      // lr_scheduler.total_steps unset: the schedule is built on training.steps.
      decayDefaultsToRun: true,
      // train.py: checkpointer.save(step, last_step=(step == training.steps)); _should_save returns
      // True on the last step when checkpointing is enabled.
      atRunEnd: { save: 'torchtitan saves at the last step' },
    };
  },
};

/**
 * The LR schedule (components/lr_scheduler.py): linear warmup, an optional stable phase, then a
 * `decay_type` decay to lr × min_lr_factor at the last step. With decay_ratio (WSD) the decay covers
 * round(steps × decay_ratio) steps; without it, every step after warmup. The older schema had only
 * linear warmup + linear decay to 0.
 */
function schedule(file: SourceFile, plan: TrainingPlan, notes: string[], old: boolean): void {
  const D = TORCHTITAN_DEFAULTS;
  // build_lr_schedulers works on lr_scheduler.total_steps when it is set (the schedule's own
  // length), else on training.steps: the warmup clamp and the decay_ratio use that length.
  const horizon = numberAt(file, ['lr_scheduler', 'total_steps'], LOADER);
  const total = horizon?.value ?? plan.totalSteps?.value ?? D.steps;
  const totalKey = horizon ? 'lr_scheduler.total_steps' : 'training.steps';
  if (plan.warmupSteps && plan.warmupSteps.value > total) {
    plan.warmupSteps.note = `lr_scheduler.py clamps a warmup longer than ${totalKey} to ${formatCount(total)} (with a warning)`;
  }
  const warmup = Math.min(plan.warmupSteps?.value ?? D.warmupSteps, total);
  const decayType = stringAt(file, ['lr_scheduler', 'decay_type']);
  const shape = decayType?.value ?? D.decayType;
  const ratio = numberAt(file, ['lr_scheduler', 'decay_ratio'], LOADER);
  if (ratio) {
    const rounded = Math.round(total * ratio.value);
    let decay = rounded;
    let decayHow = `round(${formatCount(total)} × ${ratio.value}) = ${formatCount(decay)}`;
    if (warmup + decay > total) {
      notes.push(
        `warmup ${formatCount(warmup)} + decay round(${formatCount(total)} × ${ratio.value}) = ${formatCount(decay)} exceed ${totalKey} ${formatCount(total)}: torchtitan shrinks the decay to ${formatCount(total - warmup)} steps`,
      );
      decay = total - warmup;
      decayHow = `${totalKey} ${formatCount(total)} − warmup ${formatCount(warmup)} = ${formatCount(decay)} (round(${formatCount(total)} × ${ratio.value}) = ${formatCount(rounded)}, shrunk to fit after the warmup)`;
    }
    const stable = total - warmup - decay;
    plan.scheduler =
      decay === 0
        ? { ...ratio, value: 'constant', note: `decay_ratio ${ratio.value}: linear warmup for ${formatCount(warmup)} steps, then constant` }
        : {
            ...ratio,
            value: 'wsd',
            note: `warmup-stable-decay: warmup ${formatCount(warmup)}, stable ${formatCount(stable)}, ${shape} decay over ${decayHow} steps`,
          };
  } else {
    plan.scheduler =
      decayType ??
      (old
        ? defaultSetting('linear', 'built-in lr schedule', 'the older schema has one schedule: linear warmup, then linear decay to 0 at training.steps')
        : defaultSetting(D.decayType, 'lr_scheduler.decay_type', 'linear warmup, then decay from the end of warmup to the last step'));
  }
  // The decay reaches its floor at the last step, unless an explicit lr_scheduler.total_steps moves it.
  if (horizon) plan.decaySteps = withUnit(horizon, 'steps');

  const factor = firstNumber(file, ['lr_scheduler', 'min_lr_factor'], ['lr_scheduler', 'lr_min']);
  const lr = plan.peakLr;
  if (factor && lr) {
    plan.minLr = {
      ...derived(lr.value * factor.value, `optimizer.lr ${lr.value} × ${factor.key} ${factor.value}`),
      file: factor.file,
      key: factor.key,
      range: factor.range,
    };
  } else {
    plan.minLr = old
      ? defaultSetting(0, 'built-in lr schedule', 'the older schedule decays linearly to 0')
      : defaultSetting(0, 'lr_scheduler.min_lr_factor', 'min LR = lr × min_lr_factor (default 0.0)');
  }
}
