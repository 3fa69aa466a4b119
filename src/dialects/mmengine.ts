/**
 * MMEngine / OpenMMLab configs (mmdetection 3.x, mmpretrain, mmsegmentation 1.x, mmdetection3d 1.x,
 * mmpose…): Python files read statically (engine/load/python-config.ts), with their `_base_` chain or
 * lazy imports resolved by engine/inherit.ts. Keys, defaults and units: research
 * frameworks-wave2-vision.md §2 (mmengine @2543429: `runner/runner.py`, `runner/loops.py`,
 * `optim/scheduler/param_scheduler.py`, `hooks/checkpoint_hook.py`) and frameworks.md §13.
 *
 * Units: `train_dataloader.batch_size` is per GPU; schedulers with `by_epoch=False` step on every
 * dataloader iteration (whatever `accumulative_counts`), `by_epoch=True` ones count epochs; a
 * scheduler without `end` runs to the end of the loop. The file name's `NxbM` (`_8xb2-1x_`) is the
 * GPU count × per-GPU batch the LR was tuned for (mmdet "Config name style").
 */
import { boolIn, lookup, numberIn, numbersIn, stringIn, viewOf, type ConfigView, type Lookup } from '../engine/config-view.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { applyAssumptions, defaultSetting, derived, derivedFrom, deriveGlobalBatch } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { mapGet, type ConfigNode, type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';

/** Top-level keys `Runner.from_cfg` reads. */
const RUNNER_KEYS = [
  'train_cfg', 'optim_wrapper', 'param_scheduler', 'train_dataloader', 'default_hooks', 'auto_scale_lr', 'default_scope',
  'val_cfg', 'test_cfg', 'val_dataloader', 'val_evaluator', 'log_processor', 'env_cfg', 'randomness', 'visualizer', 'custom_hooks',
];
/** The keys that make a file an MMEngine training config rather than a model or dataset piece. */
const TRAINING_KEYS = ['train_cfg', 'optim_wrapper', 'param_scheduler', 'train_dataloader', 'auto_scale_lr'];

/** mmcv 1.x (MMDetection 2.x) keys that MMEngine's Runner never reads, and what replaced them. */
const LEGACY_KEYS: Record<string, { use: string; critical?: boolean }> = {
  optimizer: { use: 'optim_wrapper = dict(optimizer=dict(...))', critical: true },
  lr_config: { use: 'param_scheduler = [...]', critical: true },
  runner: { use: "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=...)", critical: true },
  total_epochs: { use: 'train_cfg = dict(max_epochs=...)', critical: true },
  optimizer_config: { use: 'optim_wrapper = dict(clip_grad=...)' },
  checkpoint_config: { use: 'default_hooks = dict(checkpoint=dict(interval=...))' },
  evaluation: { use: 'train_cfg = dict(val_interval=...)' },
  data: { use: 'train_dataloader = dict(batch_size=...)' },
  fp16: { use: "optim_wrapper = dict(type='AmpOptimWrapper', loss_scale=...)" },
  momentum_config: { use: 'param_scheduler with a momentum scheduler' },
};

/** `_8xb2-1x_`, `_64xb64_`: GPUs × per-GPU batch the config was tuned for. */
const NXBM = /(?:^|[_-])(\d{1,4})xb(\d{1,5})(?=[-_.]|$)/;

export function fileNameBatch(filePath: string): { gpus: number; perGpu: number; text: string } | undefined {
  const base = filePath.split('/').pop() ?? '';
  const m = NXBM.exec(base.length > 300 ? base.slice(0, 300) : base);
  if (!m) return undefined;
  const gpus = Number(m[1]);
  const perGpu = Number(m[2]);
  return gpus > 0 && perGpu > 0 ? { gpus, perGpu, text: `${m[1]}xb${m[2]}` } : undefined;
}

/** The class name a `type` names (`'mmengine.optim.LinearLR'`, `LinearLR` imported lazily). */
function typeName(view: ConfigView, node: ConfigNode | undefined): string | undefined {
  if (!node) return undefined;
  const t = stringIn(view, ['type'], node);
  return t ? (t.value.split('.').pop() ?? t.value) : undefined;
}

function topKeys(tree: MapNode | undefined): Set<string> {
  return new Set(tree?.entries.map((e) => e.key) ?? []);
}

function score(file: SourceFile): number {
  if (file.format !== 'python' || !file.tree || file.tree.kind !== 'map') return 0;
  const own = topKeys(file.tree);
  const merged = file.inherited ? topKeys(file.inherited.tree) : own;
  const runner = RUNNER_KEYS.filter((k) => own.has(k) || merged.has(k)).length;
  // A dataset or model piece (`_base_/datasets/coco_detection.py`) is not a training config alone.
  const training = TRAINING_KEYS.some((k) => k !== 'train_dataloader' && merged.has(k));
  // detectron2 LazyConfig files have `train`/`lr_multiplier`/`dataloader`, not these.
  if (own.has('lr_multiplier') && !own.has('_base_')) return 0;
  if (own.has('_base_')) return 6 + Math.min(3, runner);
  if (file.text.includes('read_base') && (runner > 0 || /from\s+\S*_base_/.test(file.text))) return 6 + Math.min(3, runner);
  if (training && runner >= 2) return 5 + Math.min(4, runner);
  return 0;
}

/** A point of a scheduler: epochs, or dataloader iterations. */
interface Point {
  value: number;
  unit: 'epochs' | 'iters';
}

interface Scheduler {
  index: number;
  node: ConfigNode;
  type: string;
  byEpoch: boolean;
  begin: number;
  /** Written `end`, else the loop's end in the scheduler's unit (Runner._build_param_scheduler). */
  end?: number;
  endWritten: boolean;
}

interface Ctx {
  view: ConfigView;
  plan: TrainingPlan;
  notes: string[];
  /** Optimizer steps per dataloader iteration: 1 / accumulative_counts. */
  accum: number;
  /** Optimizer steps per epoch, when the epoch length is known. */
  stepsPerEpoch?: number;
  loop?: 'epoch' | 'iter';
  maxEpochs?: number;
  maxIters?: number;
}

/** A point as optimizer steps (iterations ÷ accumulative_counts; epochs × steps per epoch). */
function pointSteps(ctx: Ctx, p: Point): number | undefined {
  if (p.unit === 'iters') return p.value / ctx.accum;
  return ctx.stepsPerEpoch !== undefined ? p.value * ctx.stepsPerEpoch : undefined;
}

function schedulers(view: ConfigView, ctx: Ctx): Scheduler[] {
  const hit = lookup(view, ['param_scheduler']);
  if (hit.kind !== 'found') return [];
  const items = hit.node.kind === 'seq' ? hit.node.items : [hit.node];
  const out: Scheduler[] = [];
  items.forEach((node, index) => {
    if (node.kind !== 'map') return;
    const type = typeName(view, node);
    if (!type) return;
    const byEpoch = boolIn(view, ['by_epoch'], node)?.value ?? true;
    const begin = numberIn(view, ['begin'], node)?.value ?? 0;
    const endWritten = numberIn(view, ['end'], node)?.value;
    const loopEnd = byEpoch ? (ctx.loop === 'iter' ? 1 : ctx.maxEpochs) : ctx.loop === 'epoch' ? undefined : ctx.maxIters;
    out.push({ index, node, type, byEpoch, begin, end: endWritten ?? loopEnd, endWritten: endWritten !== undefined });
  });
  return out;
}

function keyOf(list: ConfigNode | undefined, index: number, key: string): string {
  return list?.kind === 'seq' ? `param_scheduler[${index}].${key}` : `param_scheduler.${key}`;
}

/** A plan Setting for a point written at `key` of a scheduler (or derived from the loop's end). */
function pointSetting(ctx: Ctx, s: Scheduler, key: string, value: number, hit: Lookup | undefined, what: string): Setting<number> | undefined {
  const p: Point = { value, unit: s.byEpoch ? 'epochs' : 'iters' };
  const steps = pointSteps(ctx, p);
  const list = lookup(ctx.view, ['param_scheduler']);
  const written = keyOf(list.kind === 'found' ? list.node : undefined, s.index, key);
  const base: Setting<number> =
    hit?.kind === 'found'
      ? { value, origin: 'explicit', key: written, file: hit.file, range: hit.keyRange, ...(hit.file !== ctx.view.path ? { note: `set in ${hit.file}:${hit.keyRange.line}, which this config inherits` } : {}) }
      : { value, origin: 'default', key: written, note: what };
  if (steps !== undefined) {
    const how = p.unit === 'iters' ? (ctx.accum !== 1 ? `${formatCount(value)} iterations / accumulative_counts ${formatCount(ctx.accum)}` : undefined) : `${formatCount(value)} epochs × ${formatCount(ctx.stepsPerEpoch!)} steps per epoch`;
    return {
      ...base,
      value: steps,
      unit: 'steps',
      ...(how ? { origin: 'derived' as const, how } : {}),
      // Advice is written back in the key's unit: epochs, or dataloader iterations (optimizer steps × accumulative_counts).
      ...(p.unit === 'epochs' ? { writtenAs: { unit: 'epochs', perStep: 1 / ctx.stepsPerEpoch! } } : ctx.accum !== 1 ? { writtenAs: { unit: 'iterations', perStep: ctx.accum, value } } : {}),
    };
  }
  return p.unit === 'epochs' ? { ...base, unit: 'epochs' } : undefined;
}

const WARMUP_TYPES = new Set(['LinearLR', 'QuadraticWarmupLR']);
const DECAY_TYPES = new Set(['CosineAnnealingLR', 'PolyLR', 'MultiStepLR', 'StepLR', 'ExponentialLR', 'CosineRestartLR', 'OneCycleLR', 'LinearLR']);

function readSchedule(ctx: Ctx, lr: Setting<number> | undefined, conflicts: Conflict[], ignored: IgnoredSetting[], file: SourceFile): void {
  const { view, plan, notes } = ctx;
  const all = schedulers(view, ctx).filter((s) => s.type.endsWith('LR'));
  if (all.length === 0) {
    if (lookup(view, ['param_scheduler']).kind === 'absent') notes.push('no param_scheduler: the LR stays at optim_wrapper.optimizer.lr for the whole run');
    return;
  }
  plan.scheduler = { value: all.map((s) => s.type).join(' + '), origin: 'explicit', key: 'param_scheduler' };
  // An epoch-based scheduler in an iteration loop steps once, after the last iteration.
  for (const s of all) {
    if (ctx.loop === 'iter' && s.byEpoch) {
      const hit = lookup(view, ['by_epoch'], s.node);
      const range = hit.kind === 'found' && hit.file === file.path ? hit.keyRange : rangeInFile(view, s.node, file);
      if (range) {
        ignored.push({
          key: `param_scheduler[${s.index}]`,
          range,
          message: `${s.type} counts epochs (by_epoch=True, the default) but train_cfg is an IterBasedTrainLoop, which runs one "epoch": MMEngine steps this scheduler only after the last iteration, so its schedule never applies; set by_epoch=False and give begin/end in iterations`,
          critical: true,
        });
      }
    }
    const etaMin = lookup(view, ['eta_min'], s.node);
    const etaRatio = lookup(view, ['eta_min_ratio'], s.node);
    if (etaMin.kind === 'found' && etaRatio.kind === 'found' && etaRatio.file === file.path) {
      conflicts.push({
        kind: 'eta-min-and-ratio',
        range: etaRatio.keyRange,
        message: `param_scheduler[${s.index}] sets both eta_min and eta_min_ratio: MMEngine's ${s.type} asserts that only one is given and stops at start-up; keep one`,
      });
    }
  }
  // Warmup: a LinearLR / QuadraticWarmupLR from the start that raises the LR.
  const first = all[0];
  let decayFrom = 0;
  if (first && WARMUP_TYPES.has(first.type) && first.begin === 0) {
    const start = numberIn(view, ['start_factor'], first.node)?.value ?? 1 / 3;
    const endFactor = numberIn(view, ['end_factor'], first.node)?.value ?? 1;
    if (first.type === 'QuadraticWarmupLR' || start < endFactor) {
      decayFrom = 1;
      if (first.end !== undefined) {
        const warm = pointSetting(ctx, first, 'end', first.end, first.endWritten ? lookup(view, ['end'], first.node) : undefined, 'no end: the warmup runs to the end of the loop');
        if (warm && warm.unit === 'steps') plan.warmupSteps = warm;
        else if (warm) notes.push(`warmup: ${formatCount(first.end)} epochs (param_scheduler[${first.index}]); the epoch length is unknown, so its share of the run is not checked (set assume.datasetSamples)`);
      }
    }
  }
  // The decay: the last scheduler that lowers the LR (a cosine whose eta_min is above the LR is the
  // ramp-up of a cyclic schedule, as in mmdet3d's cyclic-20e: not the decay).
  const lrValue = lr?.value;
  const decays = all.slice(decayFrom).filter((s) => {
    if (!DECAY_TYPES.has(s.type)) return false;
    if (s.type === 'LinearLR') return (numberIn(view, ['end_factor'], s.node)?.value ?? 1) < (numberIn(view, ['start_factor'], s.node)?.value ?? 1 / 3);
    if (s.type === 'CosineAnnealingLR') {
      const etaMin = numberIn(view, ['eta_min'], s.node)?.value;
      const ratio = numberIn(view, ['eta_min_ratio'], s.node)?.value;
      if (ratio !== undefined) return ratio < 1;
      return etaMin === undefined || lrValue === undefined || etaMin < lrValue;
    }
    return true;
  });
  const decay = decays[decays.length - 1];
  if (!decay) return;
  if (decay.type === 'MultiStepLR') {
    const ms = numbersIn(view, ['milestones'], decay.node);
    if (!ms || ms.values.length === 0) return;
    const sorted = [...ms.values].sort((a, b) => a - b);
    const hit = lookup(view, ['milestones'], decay.node);
    const firstM = pointSetting(ctx, decay, 'milestones', decay.begin + sorted[0], hit, '');
    const lastM = pointSetting(ctx, decay, 'milestones', decay.begin + sorted[sorted.length - 1], hit, '');
    if (firstM && lastM) {
      plan.firstMilestone = firstM;
      plan.lastMilestone = lastM;
    } else {
      notes.push('MultiStepLR milestones count iterations while the run counts epochs of unknown length: not compared with the run');
    }
    return;
  }
  if (decay.type === 'CosineAnnealingLR' || decay.type === 'PolyLR' || decay.type === 'LinearLR') {
    const tMax = decay.type === 'CosineAnnealingLR' ? numberIn(view, ['T_max'], decay.node) : undefined;
    const horizon = tMax ? decay.begin + tMax.value : decay.end;
    if (horizon === undefined) return;
    const hit = tMax ? lookup(view, ['T_max'], decay.node) : decay.endWritten ? lookup(view, ['end'], decay.node) : undefined;
    const setting = pointSetting(ctx, decay, tMax ? 'T_max' : 'end', horizon, hit, 'no end: the decay runs to the end of the loop');
    if (setting && tMax && decay.begin) setting.note = [setting.note, `begin ${formatCount(decay.begin)} + T_max ${formatCount(tMax.value)}`].filter(Boolean).join('; ');
    if (setting?.unit === 'steps') plan.decaySteps = setting;
    else if (setting?.unit === 'epochs') plan.decayEpochs = setting;
    else notes.push(`${decay.type} counts iterations while the run counts epochs of unknown length: its horizon is not compared with the run`);
    // The floor: an absolute eta_min (not scaled by auto_scale_lr) or eta_min_ratio × the LR.
    const etaMin = numberIn(view, ['eta_min'], decay.node);
    const ratio = numberIn(view, ['eta_min_ratio'], decay.node);
    if (etaMin) plan.minLr = etaMin;
    else if (ratio && plan.peakLr) plan.minLr = derivedFrom(ratio, ratio.value * plan.peakLr.value, `eta_min_ratio ${ratio.value} × lr ${formatSci(plan.peakLr.value)}`);
    else if (decay.type !== 'LinearLR') plan.minLr = defaultSetting(0, 'eta_min', `${decay.type} default`);
  }
}

/** The range of a node's key in the linted file, when it is written there. */
function rangeInFile(view: ConfigView, node: ConfigNode, file: SourceFile): Range | undefined {
  return view.fileOf(node) === file.path ? node.range : undefined;
}

function extract(file: SourceFile, env: ExtractEnv, asBase = false): Extraction {
  const view = viewOf(file);
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const conflicts: Conflict[] = [];
  const ignored: IgnoredSetting[] = [];
  const anchor = fileStartRange(file);
  if (file.inherited && file.inherited.files.length > 0) notes.push(`read with ${file.inherited.files.length} inherited file${file.inherited.files.length === 1 ? '' : 's'}: ${file.inherited.files.join(', ')}`);
  for (const n of file.inherited?.notes ?? []) notes.push(n);
  if (!view.complete) notes.push('part of the configuration could not be read: values it may set are unknown, not defaults');
  const absent = (path: (string | number)[]) => lookup(view, path).kind === 'absent';

  // The loop.
  const loopType = stringIn(view, ['train_cfg', 'type']);
  const loopByEpoch = boolIn(view, ['train_cfg', 'by_epoch']);
  const maxEpochs = numberIn(view, ['train_cfg', 'max_epochs']);
  const maxIters = numberIn(view, ['train_cfg', 'max_iters']);
  const ctx: Ctx = { view, plan, notes, accum: 1 };
  if (loopType && loopByEpoch && loopByEpoch.file === file.path) {
    conflicts.push({
      kind: 'loop-type-and-by-epoch',
      range: loopByEpoch.range!,
      message: `train_cfg sets both type (${loopType.value}) and by_epoch: MMEngine's Runner raises RuntimeError at start-up; keep one`,
    });
  }
  const typeShort = loopType?.value.split('.').pop();
  if (typeShort === 'EpochBasedTrainLoop' || (!loopType && loopByEpoch?.value === true) || (!typeShort?.includes('Iter') && maxEpochs && !maxIters)) ctx.loop = 'epoch';
  else if (typeShort === 'IterBasedTrainLoop' || (!loopType && loopByEpoch?.value === false) || (maxIters && !maxEpochs)) ctx.loop = 'iter';
  if (ctx.loop === 'epoch' && maxEpochs) {
    plan.epochs = { ...maxEpochs, unit: 'epochs' };
    ctx.maxEpochs = maxEpochs.value;
  }
  if (ctx.loop === 'iter' && maxIters) ctx.maxIters = maxIters.value;

  // Batch: per GPU; accumulation; world size from the launch, else the file name's N.
  const micro = numberIn(view, ['train_dataloader', 'batch_size']);
  if (micro) plan.microBatchSize = { ...micro, unit: 'samples' };
  const accum = numberIn(view, ['optim_wrapper', 'accumulative_counts']);
  if (accum) plan.gradAccumSteps = accum;
  else if (absent(['optim_wrapper', 'accumulative_counts']) && lookup(view, ['optim_wrapper']).kind === 'found') plan.gradAccumSteps = defaultSetting(1, 'optim_wrapper.accumulative_counts', 'OptimWrapper default');
  ctx.accum = plan.gradAccumSteps?.value && plan.gradAccumSteps.value > 0 ? plan.gradAccumSteps.value : 1;

  const lr = numberIn(view, ['optim_wrapper', 'optimizer', 'lr']);
  if (lr) plan.peakLr = lr;
  const optimizer = stringIn(view, ['optim_wrapper', 'optimizer', 'type']);
  if (optimizer) plan.optimizer = { ...optimizer, value: optimizer.value.split('.').pop() ?? optimizer.value };
  const wrapper = stringIn(view, ['optim_wrapper', 'type']);
  if (!wrapper && absent(['optim_wrapper', 'type']) && lookup(view, ['optim_wrapper']).kind === 'found') {
    plan.precision = defaultSetting('fp32', 'optim_wrapper.type', 'OptimWrapper (the default type): fp32 unless tools/train.py --amp switches it to AmpOptimWrapper (fp16)');
  } else if (wrapper) {
    const dtype = stringIn(view, ['optim_wrapper', 'dtype']);
    const amp = wrapper.value.endsWith('AmpOptimWrapper');
    plan.precision = amp ? { ...(dtype ?? wrapper), value: dtype?.value === 'bfloat16' ? 'bf16' : 'fp16' } : { ...wrapper, value: 'fp32', note: 'OptimWrapper: fp32 unless tools/train.py --amp switches it to AmpOptimWrapper (fp16)' };
  }

  applyAssumptions(plan, env.assume);
  const named = fileNameBatch(file.path);
  if (!plan.worldSize && named) {
    plan.worldSize = { value: named.gpus, origin: 'default', key: `file name ${named.text}`, note: `the GPU count the file name gives (MMEngine config naming: ${named.text} = ${named.gpus} GPUs × ${named.perGpu} per GPU); a launch with another count changes the global batch` };
  }
  deriveGlobalBatch(plan);

  // Run length in optimizer steps: iterations ÷ accumulation; epochs × the epoch length.
  const world = plan.worldSize?.value;
  if (ctx.loop === 'epoch' && plan.datasetSamples && micro && world) {
    // DefaultSampler(round_up=True) gives each rank ceil(N / world) samples; the DataLoader keeps the last batch.
    const itersPerEpoch = Math.ceil(Math.ceil(plan.datasetSamples.value / world) / micro.value);
    ctx.stepsPerEpoch = itersPerEpoch / ctx.accum;
    plan.stepsPerEpoch = derived(ctx.stepsPerEpoch, `ceil(ceil(${formatCount(plan.datasetSamples.value)} / ${formatCount(world)}) / ${formatCount(micro.value)})${ctx.accum !== 1 ? ` / ${formatCount(ctx.accum)}` : ''} (DefaultSampler pads each rank to ceil(N / world))`, 'steps');
    if (maxEpochs) plan.totalSteps = derived(Math.ceil(maxEpochs.value * itersPerEpoch / ctx.accum), `${formatCount(maxEpochs.value)} epochs × ${formatCount(itersPerEpoch)} iterations${ctx.accum !== 1 ? ` / ${formatCount(ctx.accum)}` : ''}`, 'steps');
  } else if (ctx.loop === 'iter' && maxIters) {
    plan.totalSteps =
      ctx.accum === 1
        ? { ...maxIters, unit: 'steps' }
        : { ...derivedFrom(maxIters, Math.ceil(maxIters.value / ctx.accum), `ceil(${formatCount(maxIters.value)} iterations / accumulative_counts ${formatCount(ctx.accum)})`), unit: 'steps', writtenAs: { unit: 'iterations', perStep: ctx.accum, value: maxIters.value } };
  }

  // auto_scale_lr: lr × (world × batch_size) / base_batch_size, without accumulative_counts.
  const autoEnable = boolIn(view, ['auto_scale_lr', 'enable']);
  const baseBatch = numberIn(view, ['auto_scale_lr', 'base_batch_size']);
  if (autoEnable?.value && lr && baseBatch && baseBatch.value > 0 && micro && world) {
    const factor = (world * micro.value) / baseBatch.value;
    plan.peakLr = derivedFrom(lr, lr.value * factor, `lr ${formatSci(lr.value)} × ${formatCount(world)} GPUs × batch_size ${formatCount(micro.value)} / auto_scale_lr.base_batch_size ${formatCount(baseBatch.value)} (Runner.scale_lr; accumulative_counts is not counted)`);
  } else if (autoEnable?.value) {
    notes.push('auto_scale_lr.enable: the LR is scaled by world × batch_size / base_batch_size at start-up; the world size or batch is unknown, so the LR used is unknown');
    delete plan.peakLr;
  }
  if (named && baseBatch && baseBatch.value !== named.gpus * named.perGpu) {
    const text = `auto_scale_lr.base_batch_size ${formatCount(baseBatch.value)} but the file name's ${named.text} says the LR was tuned for ${formatCount(named.gpus * named.perGpu)}`;
    if (autoEnable?.value && baseBatch.file === file.path) {
      conflicts.push({ kind: 'base-batch-and-file-name', range: baseBatch.range!, message: `${text}: with auto_scale_lr enabled, MMEngine scales the LR against ${formatCount(baseBatch.value)}; set base_batch_size=${formatCount(named.gpus * named.perGpu)}` });
    } else {
      notes.push(`${text}; with tools/train.py --auto-scale-lr the LR would be scaled against ${formatCount(baseBatch.value)}`);
    }
  }

  readSchedule(ctx, lr, conflicts, ignored, file);

  // Checkpoints: CheckpointHook(interval=-1, by_epoch=True); intervals of an epoch hook count epochs.
  const ckpt = numberIn(view, ['default_hooks', 'checkpoint', 'interval']);
  const ckptByEpoch = boolIn(view, ['default_hooks', 'checkpoint', 'by_epoch'])?.value ?? true;
  if (ckpt && ckpt.value > 0) {
    const every = interval(ctx, ckpt, ckptByEpoch);
    if (every) plan.saveEverySteps = every;
    if (ctx.loop === 'iter' && ckptByEpoch && ckpt.file === file.path) {
      ignored.push({
        key: 'default_hooks.checkpoint.interval',
        range: ckpt.range!,
        message: `checkpoint interval ${formatCount(ckpt.value)} counts epochs (CheckpointHook by_epoch=True, the default) but train_cfg is an IterBasedTrainLoop: only the final checkpoint is written; set by_epoch=False to save every ${formatCount(ckpt.value)} iterations`,
      });
    }
  }
  // Validation: val_interval of the loop (epochs for EpochBasedTrainLoop, iterations for IterBasedTrainLoop).
  const valInterval = numberIn(view, ['train_cfg', 'val_interval']);
  const hasVal = lookup(view, ['val_cfg']).kind === 'found' && lookup(view, ['val_dataloader']).kind === 'found';
  if (hasVal && ctx.loop) {
    const v = valInterval ?? defaultSetting(ctx.loop === 'epoch' ? 1 : 1000, 'train_cfg.val_interval', `${ctx.loop === 'epoch' ? 'EpochBasedTrainLoop' : 'IterBasedTrainLoop'} default`);
    const every = interval(ctx, v, ctx.loop === 'epoch');
    if (every) plan.evalEverySteps = every;
  }

  // mmcv 1.x keys in an MMEngine config: the Runner never reads them.
  const modern = TRAINING_KEYS.some((k) => lookup(view, [k]).kind === 'found');
  const own = file.tree?.kind === 'map' ? file.tree : undefined;
  if (modern && own) {
    const wrapped = lookup(view, ['optim_wrapper', 'optimizer']);
    for (const entry of own.entries) {
      const legacy = LEGACY_KEYS[entry.key];
      if (!legacy) continue;
      // `optimizer = dict(...)` used by `optim_wrapper = dict(optimizer=optimizer)` is read.
      if (entry.key === 'optimizer' && wrapped.kind === 'found' && sameValue(wrapped.node, mapGet(view.tree!, 'optimizer')?.value)) continue;
      ignored.push({
        key: entry.key,
        range: entry.keyRange,
        message: `\`${entry.key}\` is an mmcv 1.x (MMDetection 2.x) key: MMEngine's Runner never reads it, so it has no effect; use ${legacy.use}`,
        ...(legacy.critical ? { critical: true } : {}),
      });
    }
  }

  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'launch with tools/dist_train.sh CONFIG GPUS or torchrun --nproc_per_node N, or set assume.worldSize in .trainlint.yml (or name the file with its NxbM, e.g. _8xb2_)' });
  if (ctx.loop === 'epoch' && !plan.totalSteps) missing.push({ field: 'datasetSamples', hint: 'the epoch length is len(train_dataloader); set assume.datasetSamples in .trainlint.yml to compare step counts with the run' });
  if (!lr && !view.complete) missing.push({ field: 'peakLr', hint: 'optim_wrapper.optimizer.lr comes from a file that was not read; set assume.peakLr' });

  const reference = asBase ? undefined : conventionReference(file, env, plan, lr, baseBatch, named);
  return {
    plan,
    missing,
    anchor: file.tree?.kind === 'map' && mapGet(file.tree, '_base_') ? mapGet(file.tree, '_base_')!.keyRange : anchor,
    notes,
    conflicts,
    ignored,
    afterDecay: 'flat',
    ...(reference ? { reference } : {}),
  };
}

function sameValue(a: ConfigNode, b: ConfigNode | undefined): boolean {
  return b !== undefined && (a === b || JSON.stringify(strip(a)) === JSON.stringify(strip(b)));
}

function strip(node: ConfigNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(strip);
  return node.entries.map((e) => [e.key, strip(e.value)]);
}

/** An interval written in epochs or iterations, as optimizer steps when the epoch length is known. */
function interval(ctx: Ctx, s: Setting<number>, byEpoch: boolean): Setting<number> | undefined {
  if (!byEpoch) {
    if (ctx.accum === 1) return { ...s, unit: 'steps' };
    return { ...derivedFrom(s, s.value / ctx.accum, `${formatCount(s.value)} iterations / accumulative_counts ${formatCount(ctx.accum)}`), unit: 'steps', writtenAs: { unit: 'iterations', perStep: ctx.accum, value: s.value } };
  }
  if (ctx.stepsPerEpoch === undefined) return undefined;
  return { ...derivedFrom(s, s.value * ctx.stepsPerEpoch, `${formatCount(s.value)} epochs × ${formatCount(ctx.stepsPerEpoch)} steps per epoch`), unit: 'steps', writtenAs: { unit: 'epochs', perStep: 1 / ctx.stepsPerEpoch } };
}

/**
 * What the LR was tuned for, from the config itself: the file name's `NxbM`, else
 * `auto_scale_lr.base_batch_size` (the batch MMEngine scales the LR against).
 */
function conventionReference(
  file: SourceFile,
  env: ExtractEnv,
  plan: TrainingPlan,
  lr: Setting<number> | undefined,
  baseBatch: Setting<number> | undefined,
  named: ReturnType<typeof fileNameBatch>,
): Extraction['reference'] {
  // The LR and warmup that were tuned: those the config inherits from its `_base_` files when it
  // builds on them (a child that changes its batch and its LR is compared with what it started from).
  const inherited = file.inherited;
  const base = inherited?.baseTree ? extract({ ...file, inherited: { ...inherited, tree: inherited.baseTree, baseTree: undefined } }, env, true).plan : undefined;
  const tunedLr = base?.peakLr && base.peakLr.origin === 'explicit' ? base.peakLr : lr;
  const tunedWarmup = base ? base.warmupSteps : plan.warmupSteps;
  if (!tunedLr) return undefined;
  const ref: TrainingPlan = { peakLr: tunedLr, ...(tunedWarmup ? { warmupSteps: tunedWarmup } : {}) };
  if (named) {
    ref.globalBatchSize = { value: named.gpus * named.perGpu, origin: 'explicit', key: `file name ${named.text}`, unit: 'samples' };
    return { plan: ref, label: `file name ${named.text}`, path: file.path };
  }
  if (baseBatch && baseBatch.value > 0) {
    ref.globalBatchSize = { ...baseBatch, unit: 'samples' };
    return { plan: ref, label: `auto_scale_lr.base_batch_size ${formatCount(baseBatch.value)}`, path: file.path };
  }
  return undefined;
}

export const mmengine: Dialect = {
  meta: {
    id: 'mmengine',
    title: 'MMEngine / OpenMMLab',
    description: 'OpenMMLab (mmdetection, mmpretrain, mmsegmentation, mmdet3d…) Python configs with their _base_ chain, read statically (never executed)',
    yamlLoader: 'pydantic',
    yamlLoaderName: 'Python (MMEngine Config)',
    schema: 'mmengine.schema.json',
  },
  detect: score,
  extract,
};

