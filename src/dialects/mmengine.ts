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
 * GPU count × per-GPU batch the LR written with it was tuned for (mmdet "Config name style"); a child
 * that inherits its LR runs the recipe of its bases (tunedRecipe).
 */
import { overrideSetting } from '../engine/launch-overrides.js';
import { boolIn, lookup, numberIn, numbersIn, stringIn, viewOf, type ConfigView, type Lookup } from '../engine/config-view.js';
import { formatCount, formatRatio, formatSci } from '../engine/format-number.js';
import { applyAssumptions, defaultSetting, derived, derivedFrom, deriveGlobalBatch, withUnit } from '../engine/plan.js';
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
  // A value `--cfg-options` writes (`param_scheduler.1.end=36`, a list of milestones): the launch script's.
  const launched = hit?.kind === 'found' ? overrideSetting(hit.node.kind === 'seq' ? hit.node.items[0] : hit.node, value) : undefined;
  const base: Setting<number> = launched
    ? { ...launched, key: written }
    : hit?.kind === 'found'
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
  return p.unit === 'epochs' ? withUnit(base, 'epochs') : undefined;
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
    // A written `end` is where the schedule stops (its horizon: mmdet's schedule_1x writes end=12 for
    // milestones [8, 11]); a child that lengthens the run keeps it (research §2.1).
    if (decay.endWritten && decay.end !== undefined) {
      const end = pointSetting(ctx, decay, 'end', decay.end, lookup(view, ['end'], decay.node), '');
      if (end?.unit === 'steps') plan.decaySteps = end;
      else if (end?.unit === 'epochs') plan.decayEpochs = end;
    }
    // The floor: the LR × gamma for each milestone the schedule reaches (before its end).
    const gamma = numberIn(view, ['gamma'], decay.node)?.value ?? 0.1;
    const reached = sorted.filter((m) => decay.end === undefined || decay.begin + m < decay.end).length;
    if (plan.peakLr && reached > 0 && gamma > 0 && gamma < 1) {
      plan.minLr = derivedFrom(plan.peakLr, plan.peakLr.value * gamma ** reached, `lr ${formatSci(plan.peakLr.value)} × gamma ${formatCount(gamma)}^${formatCount(reached)} (MultiStepLR, ${formatCount(reached)} milestone${reached === 1 ? '' : 's'})`);
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
    const floorWritten = (['eta_min', 'eta_min_ratio'] as const).find((k) => lookup(view, [k], decay.node).kind === 'found');
    if (etaMin) plan.minLr = etaMin;
    else if (floorWritten && !ratio) notes.push(`param_scheduler[${decay.index}].${floorWritten} is written but not a number trainlint can read: the minimum LR is unknown`);
    else if (ratio && plan.peakLr) plan.minLr = derivedFrom(ratio, ratio.value * plan.peakLr.value, `eta_min_ratio ${ratio.value} × lr ${formatSci(plan.peakLr.value)}`);
    else if (decay.type !== 'LinearLR') plan.minLr = defaultSetting(0, 'eta_min', `${decay.type} default`);
  }
}

/** The run-length keyword each built-in loop takes, and the other one it refuses (runner/loops.py). */
const LOOP_LENGTH: Record<string, { takes: string; refuses: string }> = {
  EpochBasedTrainLoop: { takes: 'max_epochs', refuses: 'max_iters' },
  IterBasedTrainLoop: { takes: 'max_iters', refuses: 'max_epochs' },
};

/**
 * `train_cfg` with the other loop's run length: `EpochBasedTrainLoop(runner, dataloader, max_epochs,
 * val_begin, val_interval, dynamic_intervals)` and `IterBasedTrainLoop(…, max_iters, …)` take no
 * `**kwargs`, so `Runner.build_train_loop` raises TypeError ("unexpected keyword argument") at
 * start-up. The usual cause: a child switches the loop type (`train_cfg = dict(type='IterBasedTrainLoop',
 * max_iters=90000)`) without `_delete_=True`, and MMEngine merges the base's `max_epochs` into it.
 */
function loopLengthMismatch(file: SourceFile, view: ConfigView, typeShort: string | undefined): { conflict: Conflict; note: string } | undefined {
  const loop = typeShort ? LOOP_LENGTH[typeShort] : undefined;
  if (!loop || !typeShort) return undefined;
  const stray = lookup(view, ['train_cfg', loop.refuses]);
  if (stray.kind !== 'found') return undefined;
  const typeHit = lookup(view, ['train_cfg', 'type']);
  const own = file.tree?.kind === 'map' ? mapGet(file.tree, 'train_cfg') : undefined;
  const merged = stray.file !== file.path;
  // Point at the key that causes it: the child's train_cfg (which merges instead of replacing), else the stray key.
  const range = merged ? (own?.keyRange ?? (typeHit.kind === 'found' && typeHit.file === file.path ? typeHit.keyRange : undefined)) : stray.keyRange;
  if (!range) return undefined;
  const fix = merged
    ? `add _delete_=True to train_cfg here (train_cfg = dict(_delete_=True, type='${typeShort}', ${loop.takes}=…)) so it replaces the base's train_cfg instead of merging into it`
    : `remove ${loop.refuses} (${typeShort} counts ${loop.takes === 'max_iters' ? 'iterations' : 'epochs'} with ${loop.takes})`;
  const from = merged ? `${loop.refuses} from ${stray.file} is merged into train_cfg (a dict without _delete_=True merges into the base's)` : `it sets ${loop.refuses}`;
  return {
    conflict: {
      kind: 'loop-length-mismatch',
      range,
      message: `train_cfg is an ${typeShort} but ${from}: ${typeShort} takes ${loop.takes}, not ${loop.refuses}, and no other keywords, so MMEngine's Runner raises TypeError (unexpected keyword argument '${loop.refuses}') and the run does not start; ${fix}`,
      data: { loop: typeShort, key: loop.refuses, ...(merged ? { from: stray.file } : {}) },
    },
    note: `the run does not start: ${typeShort} refuses train_cfg.${loop.refuses}${merged ? ` (merged from ${stray.file}; set _delete_=True on train_cfg)` : ''}`,
  };
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
  // Findings about the whole run point at `_base_` when the file has one, else at its first line.
  const base = file.tree?.kind === 'map' ? mapGet(file.tree, '_base_') : undefined;
  const anchor = base ? base.keyRange : fileStartRange(file);
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
  const strayLength = loopLengthMismatch(file, view, typeShort);
  if (strayLength) {
    conflicts.push(strayLength.conflict);
    notes.push(strayLength.note);
  }
  if (typeShort === 'EpochBasedTrainLoop' || (!loopType && loopByEpoch?.value === true) || (!typeShort?.includes('Iter') && maxEpochs && !maxIters)) ctx.loop = 'epoch';
  else if (typeShort === 'IterBasedTrainLoop' || (!loopType && loopByEpoch?.value === false) || (maxIters && !maxEpochs)) ctx.loop = 'iter';
  if (ctx.loop === 'epoch' && maxEpochs) {
    plan.epochs = withUnit(maxEpochs, 'epochs');
    ctx.maxEpochs = maxEpochs.value;
  }
  if (ctx.loop === 'iter' && maxIters) ctx.maxIters = maxIters.value;

  // Batch: per GPU; accumulation; world size from the launch, else the file name's N.
  const micro = numberIn(view, ['train_dataloader', 'batch_size']);
  if (micro) plan.microBatchSize = withUnit(micro, 'samples');
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
    // At max_epochs' key: findings about the run's length point where it is written.
    if (maxEpochs) plan.totalSteps = derivedFrom(maxEpochs, Math.ceil(maxEpochs.value * itersPerEpoch / ctx.accum), `${formatCount(maxEpochs.value)} epochs × ${formatCount(itersPerEpoch)} iterations${ctx.accum !== 1 ? ` / ${formatCount(ctx.accum)}` : ''}`, 'steps');
  } else if (ctx.loop === 'iter' && maxIters) {
    plan.totalSteps =
      ctx.accum === 1
        ? withUnit(maxIters, 'steps')
        : { ...derivedFrom(maxIters, Math.ceil(maxIters.value / ctx.accum), `ceil(${formatCount(maxIters.value)} iterations / accumulative_counts ${formatCount(ctx.accum)})`), unit: 'steps', writtenAs: { unit: 'iterations', perStep: ctx.accum, value: maxIters.value } };
  }

  // auto_scale_lr: lr × (world × batch_size) / base_batch_size, without accumulative_counts.
  const autoEnable = boolIn(view, ['auto_scale_lr', 'enable']);
  const baseBatch = numberIn(view, ['auto_scale_lr', 'base_batch_size']);
  if (autoEnable?.value && lr && baseBatch && baseBatch.value > 0 && micro && world) {
    const factor = (world * micro.value) / baseBatch.value;
    plan.peakLr = {
      ...derivedFrom(lr, lr.value * factor, `lr ${formatSci(lr.value)} × ${formatCount(world)} GPUs × batch_size ${formatCount(micro.value)} / auto_scale_lr.base_batch_size ${formatCount(baseBatch.value)} (Runner.scale_lr; accumulative_counts is not counted)`),
      scaledFrom: { factor, by: `auto_scale_lr scales it × ${formatCount(world)} GPUs × batch_size ${formatCount(micro.value)} / base_batch_size ${formatCount(baseBatch.value)}`, ...(lr.valueRange ? { valueRange: lr.valueRange } : {}) },
    };
  } else if (autoEnable?.value) {
    notes.push('auto_scale_lr.enable: the LR is scaled by world × batch_size / base_batch_size at start-up; the world size or batch is unknown, so the LR used is unknown');
    delete plan.peakLr;
  }
  const recipe = lr ? tunedRecipe(file, view, plan, lr, ctx.accum) : undefined;
  if (recipe && lr && baseBatch && baseBatch.value > 0) checkAutoScale({ file, view, recipe, lr, baseBatch, enabled: autoEnable?.value === true, accum: ctx.accum, anchor }, conflicts, notes);

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

  const reference = asBase || !recipe ? undefined : conventionReference(file, env, plan, recipe);
  return {
    plan,
    missing,
    anchor,
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
    if (ctx.accum === 1) return withUnit(s, 'steps');
    return { ...derivedFrom(s, s.value / ctx.accum, `${formatCount(s.value)} iterations / accumulative_counts ${formatCount(ctx.accum)}`), unit: 'steps', writtenAs: { unit: 'iterations', perStep: ctx.accum, value: s.value } };
  }
  if (ctx.stepsPerEpoch === undefined) return undefined;
  return { ...derivedFrom(s, s.value * ctx.stepsPerEpoch, `${formatCount(s.value)} epochs × ${formatCount(ctx.stepsPerEpoch)} steps per epoch`), unit: 'steps', writtenAs: { unit: 'epochs', perStep: 1 / ctx.stepsPerEpoch } };
}

const LR_PATH = ['optim_wrapper', 'optimizer', 'lr'];

/**
 * The recipe the LR belongs to: an LR and the samples per optimizer step it was tuned for, as the
 * config and its bases say it (research §2.3–2.5).
 */
interface Recipe {
  lr: Setting<number>;
  /** Samples per optimizer step the LR was tuned for. */
  batch: number;
  /** Where that batch comes from, for messages: "file name 8xb2", "auto_scale_lr.base_batch_size 16". */
  label: string;
  /** The file that says it. */
  path: string;
  /** The recipe is the one the config inherits from its bases (true), or its own. */
  inherited: boolean;
}

/** The view of what a config inherits: its bases merged, without its own values. */
function basesView(file: SourceFile): ConfigView | undefined {
  const inherited = file.inherited;
  if (!inherited?.baseTree) return undefined;
  return viewOf({ ...file, inherited: { ...inherited, tree: inherited.baseTree, baseTree: undefined } });
}

const shortType = (t: Setting<string> | undefined): string | undefined => t && (t.value.split('.').pop() ?? t.value);

/**
 * The file name whose `NxbM` documents the batch of an LR written in `lrFile`: that file's own, else
 * the nearest file of the chain that builds on it (read before it: `_base_` files are listed depth
 * first), e.g. `swin-tiny_16xb64_in1k.py` for the LR of `_base_/schedules/imagenet_bs1024_adamw.py`.
 */
function namedFor(lrFile: string | undefined, files: readonly string[]): { path: string; gpus: number; perGpu: number; text: string } | undefined {
  if (!lrFile) return undefined;
  const own = fileNameBatch(lrFile);
  if (own) return { path: lrFile, ...own };
  const at = files.indexOf(lrFile);
  for (let i = (at < 0 ? files.length : at) - 1; i >= 0; i--) {
    const named = fileNameBatch(files[i]);
    if (named) return { path: files[i], ...named };
  }
  return undefined;
}

/** "× accumulative_counts 2" when the recipe accumulates. */
const timesAccum = (accum: number): string => (accum !== 1 ? ` × accumulative_counts ${formatCount(accum)}` : '');

/**
 * What the LR was tuned for. The file name's `NxbM` is the documented GPUs × per-GPU batch the LR
 * written with it was tuned for (× the recipe's accumulative_counts, which `NxbM` does not show), and
 * `auto_scale_lr.base_batch_size` is the batch MMEngine scales the LR against. Whose recipe counts:
 *
 * - a config that inherits the LR of its bases: the bases' recipe. Its batch is the `NxbM` of the
 *   file that writes that LR or of the nearest named file that builds on it, else the config's own
 *   `NxbM` when the bases' base_batch_size agrees (or they have none), else the bases'
 *   base_batch_size. A child's own `NxbM` describes its own launch (`rtmdet_l_4xb32` inheriting the
 *   LR of `rtmdet_l_8xb32`), not the batch of an LR it inherits.
 * - a config that writes another LR for the optimizer type of its bases: the bases' recipe when the LR
 *   it trains with is what that recipe gives for its batch (a compensation: 2e-3 that auto_scale_lr
 *   halves, for the same 1024 samples per step), else its own (mmdet's yolox_s_8xb8: SGD 0.01 for
 *   8 × 8 over schedule_1x's 0.02 for 16).
 * - otherwise (a new optimizer, as rtmdet's AdamW over schedule_1x's SGD, or nothing inherited): the
 *   config's own `NxbM`, else its base_batch_size.
 */
function tunedRecipe(file: SourceFile, view: ConfigView, plan: TrainingPlan, lr: Setting<number>, accum: number): Recipe | undefined {
  const own = fileNameBatch(file.path);
  const inherited = inheritedRecipe(file, plan.optimizer?.value, own);
  // An LR this config (or its launch) writes is its own unless it compensates.
  const written = lr.file === file.path || lr.origin === 'launcher';
  if (inherited && (!written || compensates(plan, inherited))) return inherited;
  if (own) return { lr, batch: own.gpus * own.perGpu * accum, label: `file name ${own.text}${timesAccum(accum)}`, path: file.path, inherited: false };
  const baseBatch = numberIn(view, ['auto_scale_lr', 'base_batch_size']);
  if (baseBatch && baseBatch.value > 0) return { lr, batch: baseBatch.value * accum, label: `auto_scale_lr.base_batch_size ${formatCount(baseBatch.value)}${timesAccum(accum)}`, path: file.path, inherited: false };
  return undefined;
}

/** The recipe of the bases' LR, when they write one for the same optimizer type (see tunedRecipe). */
function inheritedRecipe(file: SourceFile, optimizer: string | undefined, own: ReturnType<typeof fileNameBatch>): Recipe | undefined {
  const bases = basesView(file);
  const baseLr = bases && numberIn(bases, LR_PATH);
  if (!bases || !baseLr || baseLr.origin !== 'explicit') return undefined;
  const baseOptimizer = shortType(stringIn(bases, ['optim_wrapper', 'optimizer', 'type']));
  if (optimizer && baseOptimizer && optimizer !== baseOptimizer) return undefined;
  const baseAccum = numberIn(bases, ['optim_wrapper', 'accumulative_counts'])?.value ?? 1;
  const baseBatch = numberIn(bases, ['auto_scale_lr', 'base_batch_size']);
  const named = namedFor(baseLr.file, file.inherited?.files ?? []);
  const recipe = (batch: number, label: string, path: string): Recipe => ({ lr: baseLr, batch: batch * baseAccum, label: `${label}${timesAccum(baseAccum)}`, path, inherited: true });
  if (named) return recipe(named.gpus * named.perGpu, `file name ${named.text}${named.path !== file.path ? ` of ${named.path}` : ''}`, named.path);
  if (own && (!baseBatch || baseBatch.value === own.gpus * own.perGpu)) return recipe(own.gpus * own.perGpu, `file name ${own.text}`, file.path);
  if (baseBatch && baseBatch.value > 0) return recipe(baseBatch.value, `auto_scale_lr.base_batch_size ${formatCount(baseBatch.value)}`, baseBatch.file ?? file.path);
  return undefined;
}

/** Whether the LR the plan trains with is what `recipe` gives for the plan's batch (linear or sqrt rule, within 10%, as lr-not-rescaled). */
function compensates(plan: TrainingPlan, recipe: Recipe): boolean {
  const lr = plan.peakLr?.value;
  const batch = plan.globalBatchSize?.value;
  if (lr === undefined || batch === undefined || !(recipe.batch > 0)) return false;
  const k = batch / recipe.batch;
  return [k, Math.sqrt(k)].some((f) => Math.abs(lr / (recipe.lr.value * f) - 1) <= 0.1);
}

interface AutoScaleInput {
  file: SourceFile;
  view: ConfigView;
  recipe: Recipe;
  /** The LR as written (before scaling). */
  lr: Setting<number>;
  baseBatch: Setting<number>;
  enabled: boolean;
  accum: number;
  anchor: Range;
}

/**
 * `auto_scale_lr` against the recipe. Runner.scale_lr makes the LR `lr × world × batch_size /
 * base_batch_size`, while the recipe wants `recipe lr × world × batch_size × accumulative_counts /
 * recipe batch`: they agree at every world size only when base_batch_size = lr × recipe batch /
 * (recipe lr × accumulative_counts). Checked when the LR is the recipe's (a config that wrote
 * another LR chose it: 2e-3 with accumulative_counts 2 and base_batch_size 1024 is 1e-3 per 1024
 * samples again). With scaling enabled a mismatch is a conflict, else a note for --auto-scale-lr.
 */
function checkAutoScale(input: AutoScaleInput, conflicts: Conflict[], notes: string[]): void {
  const { file, view, recipe, lr, baseBatch, enabled, accum } = input;
  if (Math.abs(lr.value / recipe.lr.value - 1) > 1e-6) return;
  const B = baseBatch.value;
  const wanted = (lr.value * recipe.batch) / (recipe.lr.value * accum);
  if (Math.abs(B / wanted - 1) <= 0.01) return;
  // The LR scale_lr gives, over the one the recipe gives, whatever the world size.
  const ratio = wanted / B;
  const lrKey = lr.key ?? 'lr';
  const tuned = `${lrKey} ${formatSci(recipe.lr.value)} was tuned for ${formatCount(recipe.batch)} samples per optimizer step (${recipe.label})`;
  const counted = accum !== 1 ? `world × batch_size / base_batch_size ${formatCount(B)}, without accumulative_counts ${formatCount(accum)}` : `world × batch_size / base_batch_size ${formatCount(B)}`;
  const lrToWrite = (recipe.lr.value * accum * B) / recipe.batch;
  const setBase = Number.isInteger(Math.round(wanted * 1e6) / 1e6) ? `auto_scale_lr.base_batch_size = ${formatCount(Math.round(wanted))}${accum !== 1 ? ` (${formatCount(wanted * accum)} / accumulative_counts ${formatCount(accum)})` : ''}` : undefined;
  const setLr = `${lrKey} = ${formatSci(lrToWrite)} (MMEngine then scales it to the recipe's LR)`;
  const advice = setBase ? (accum !== 1 ? `set ${setBase}, or keep it and set ${setLr}` : `set ${setBase}`) : `set ${setLr}`;
  const data = { baseBatchSize: B, wantedBaseBatchSize: wanted, recipeLr: recipe.lr.value, recipeBatch: recipe.batch, accumulativeCounts: accum, lrRatio: ratio };
  if (!enabled) {
    notes.push(`auto_scale_lr.base_batch_size ${formatCount(B)}: ${tuned}; with tools/train.py --auto-scale-lr MMEngine would scale the LR by ${counted}, ×${formatRatio(ratio)} of what that recipe gives; before enabling it, ${advice}`);
    return;
  }
  // In this file: base_batch_size, else what enables scaling, else the accumulation or the LR, else the run.
  const here = [baseBatch, boolIn(view, ['auto_scale_lr', 'enable']), accum !== 1 ? numberIn(view, ['optim_wrapper', 'accumulative_counts']) : undefined, lr].find((s) => s?.range && s.file === file.path);
  conflicts.push({
    kind: 'auto-scale-against-recipe',
    range: here?.range ?? input.anchor,
    message: `auto_scale_lr is enabled with base_batch_size ${formatCount(B)}, but ${tuned}: MMEngine scales the LR by ${counted}, so the LR it trains with is ×${formatRatio(ratio)} of what that recipe gives at any world size; ${advice}`,
    data,
  });
}

/** The reference of lr-not-rescaled and warmup-not-rescaled: the recipe's LR and batch (and the warmup that goes with them). */
function conventionReference(file: SourceFile, env: ExtractEnv, plan: TrainingPlan, recipe: Recipe): Extraction['reference'] {
  const inherited = file.inherited;
  const base = recipe.inherited && inherited?.baseTree ? extract({ ...file, inherited: { ...inherited, tree: inherited.baseTree, baseTree: undefined } }, env, true).plan : undefined;
  const tunedWarmup = recipe.inherited ? base?.warmupSteps : plan.warmupSteps;
  const ref: TrainingPlan = {
    peakLr: recipe.lr,
    ...(tunedWarmup ? { warmupSteps: tunedWarmup } : {}),
    globalBatchSize: { value: recipe.batch, origin: 'explicit', key: recipe.label, unit: 'samples' },
  };
  return { plan: ref, label: recipe.label, path: recipe.path };
}

export const mmengine: Dialect = {
  meta: {
    id: 'mmengine',
    formats: ['python'],
    title: 'MMEngine / OpenMMLab',
    description: 'OpenMMLab (mmdetection, mmpretrain, mmsegmentation, mmdet3d…) Python configs with their _base_ chain, read statically (never executed)',
    yamlLoader: 'pydantic',
    // mmengine's YamlHandler: `yaml.load(file, Loader=CLoader or Loader)`, PyYAML's full loader: `!!python/` tags load.
    yamlTags: ['!!python/'],
    yamlLoaderName: 'Python (MMEngine Config)',
    schema: 'mmengine.schema.json',
    // `tools/train.py … --auto-scale-lr --amp --cfg-options k=v`: merged over the config after its bases.
    launchOverrides: ['mmengine'],
  },
  detect: score,
  extract,
};

