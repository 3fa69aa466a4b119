/**
 * detectron2: yacs YAML configs with `_BASE_` chains (`tools/train_net.py --config-file X`), and
 * LazyConfig Python files (`tools/lazyconfig_train_net.py`), both read statically: `_BASE_` chains
 * and relative config imports are resolved by engine/inherit.ts; nothing is executed. Keys, defaults
 * and behaviour: research frameworks-wave2-vision.md §3 (detectron2 @02b5c4e:
 * `config/defaults.py`, `engine/defaults.py`, `solver/build.py`, `data/build.py`; fvcore
 * `param_scheduler.py`).
 *
 * yacs: `SOLVER.IMS_PER_BATCH` is the batch of ALL GPUs together; one iteration is one optimizer
 * step. Strings are `literal_eval`ed (`BASE_LR: 1e-4` is 0.0001, `STEPS: (60000, 80000)` a tuple).
 * `SOLVER.STEPS` values above `MAX_ITER` are dropped with a log warning, one equal to `MAX_ITER`
 * makes fvcore raise at start-up. `REFERENCE_WORLD_SIZE` rescales batch, LR and every iteration
 * count to the real GPU count (`DefaultTrainer.auto_scale_workers`).
 *
 * LazyConfig: `dataloader.train.total_batch_size` (global), `optimizer.lr`, `train.max_iter`, and
 * `lr_multiplier = L(WarmupParamScheduler)(scheduler=L(MultiStepParamScheduler)(milestones,
 * num_updates), warmup_length=<fraction of the run>)`: fvcore schedules are evaluated at
 * iteration / max_iter, so milestones are fractions of `num_updates` and follow `train.max_iter`.
 */
import { lookup, settingOf, viewOf, type ConfigView, type Lookup } from '../engine/config-view.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { augmentedFrom, parsePythonConfig } from '../engine/load/python-config.js';
import { applyAssumptions, defaultSetting, derived, derivedFrom, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { type ConfigNode, hasKey, mapGet, type MapNode } from '../engine/tree.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import { yacsTypeErrors } from './yacs-types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';
import type { BatchCheck, Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';

/** `detectron2/config/defaults.py`. */
export const DETECTRON2_DEFAULTS = {
  imsPerBatch: 16,
  baseLr: 0.001,
  baseLrEnd: 0,
  maxIter: 40000,
  steps: [30000],
  warmupIters: 1000,
  warmupFactor: 1 / 1000,
  checkpointPeriod: 5000,
  evalPeriod: 0,
  referenceWorldSize: 0,
  scheduler: 'WarmupMultiStepLR',
};

/** Top-level sections of a detectron2 yacs config. */
const YACS_SECTIONS = ['MODEL', 'SOLVER', 'DATASETS', 'INPUT', 'DATALOADER', 'TEST'];
const YACS_GROUP = keyGroup(YACS_SECTIONS);
/** LazyConfig top-level names (`configs/common/*.py`). */
const LAZY_NAMES = ['train', 'optimizer', 'lr_multiplier', 'dataloader', 'model'];

const NUMERIC = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function scoreYacs(file: SourceFile, facts: DetectFacts): number {
  if (file.format !== 'yaml' || !facts.root) return 0;
  const sections = facts.count(YACS_GROUP);
  // Every score needs a section: without one, nothing else is looked at.
  if (sections === 0) return 0;
  // PySlowFast / pycls look alike but count epochs (SOLVER.MAX_EPOCH, TRAIN.BATCH_SIZE).
  const solver = facts.map('SOLVER');
  if (facts.has('TRAIN') || (solver && mapGet(solver, 'MAX_EPOCH'))) return 0;
  if (facts.has('_BASE_')) return 9;
  const model = facts.map('MODEL');
  const arch = model !== undefined && mapGet(model, 'META_ARCHITECTURE') !== undefined;
  if (sections >= 2 && (facts.has('SOLVER') || arch || facts.has('VERSION'))) return 8;
  return 0;
}

function scoreLazy(file: SourceFile): number {
  const root = file.tree;
  if (file.format !== 'python' || !root || root.kind !== 'map' || mapGet(root, '_base_') || file.text.includes('read_base')) return 0;
  const names = LAZY_NAMES.filter((k) => mapGet(root, k) !== undefined).length;
  const lazy = /\bLazyCall\b|\bL\(|\bget_config\(|from \.+common\./.test(file.text);
  if (lazy && (names >= 2 || mapGet(root, 'lr_multiplier'))) return 8;
  if (lazy && /from \.+common\./.test(file.text)) return 7;
  return importsLazyNames(file.text) || importsLazyConfig(file) ? 7 : 0;
}

/** Relative imports and what they import (`from .mask_rcnn_R_50_FPN_100ep_LSJ import (dataloader, …, train)`; a list is read up to 2,000 characters). */
const RELATIVE_IMPORTS = /^[ \t]*from[ \t]+\.+(?:\w[\w.]*)?[ \t]+import[ \t]*(\([^)]{0,2000}|[^\n]*)/gm;
const HAS_RELATIVE_IMPORT = /^[ \t]*from[ \t]+\.+(?:\w[\w.]*)?[ \t]+import\b/m;

/**
 * A config that builds on a sibling LazyConfig by importing its names (upstream's `…_200ep_LSJ.py`
 * imports `lr_multiplier`, `train`, … from `…_100ep_LSJ.py` and changes `train.max_iter`): a relative
 * import of `lr_multiplier` with another LazyConfig name says so on its own.
 */
function importsLazyNames(text: string): boolean {
  const names = new Set<string>();
  for (const m of text.matchAll(RELATIVE_IMPORTS)) {
    for (const part of m[1].replace(/[()]/g, '').split(',')) names.add(part.trim().split(/\s+/)[0]);
  }
  return names.has('lr_multiplier') && LAZY_NAMES.filter((k) => names.has(k)).length >= 2;
}

/**
 * The same from what the file ends up with, as engine/inherit.ts read the imported files: two LazyConfig
 * names, at least one a `LazyCall` (`_target_`: MMEngine's objects have `type=`).
 */
function importsLazyConfig(file: SourceFile): boolean {
  const tree = file.inherited?.tree;
  if (!tree || !HAS_RELATIVE_IMPORT.test(file.text)) return false;
  const values = LAZY_NAMES.map((k) => mapGet(tree, k)?.value).filter((v): v is ConfigNode => v !== undefined);
  const lazyCall = (v: ConfigNode) => v.kind === 'map' && (hasKey(v, '_target_') || v.entries.some((e) => e.value.kind === 'map' && hasKey(e.value, '_target_')));
  return values.length >= 2 && values.some(lazyCall);
}

/** yacs reads a string with `literal_eval`: numbers as strings are numbers. */
function yacsNumber(view: ConfigView, path: (string | number)[], key = path.join('.')): Setting<number> | undefined {
  const hit = lookup(view, path);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar') return undefined;
  const v = hit.node.value;
  const value = typeof v === 'number' ? v : typeof v === 'string' && v.length < 64 && NUMERIC.test(v.trim()) ? Number(v.trim()) : undefined;
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return settingAt(view, hit, value, key);
}

/** A Setting for a value yacs reads from the chain; an inherited one says it comes through `_BASE_`. */
function settingAt<T extends number | string | boolean>(view: ConfigView, hit: Extract<Lookup, { kind: 'found' }>, value: T, key: string): Setting<T> {
  return settingOf(view, hit, value, key, '_BASE_');
}

function yacsBool(view: ConfigView, path: string[]): Setting<boolean> | undefined {
  const hit = lookup(view, path);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar') return undefined;
  const v = hit.node.value;
  const value = typeof v === 'boolean' ? v : v === 'True' ? true : v === 'False' ? false : undefined;
  return value === undefined ? undefined : settingAt(view, hit, value, path.join('.'));
}

function yacsString(view: ConfigView, path: string[]): Setting<string> | undefined {
  const hit = lookup(view, path);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string') return undefined;
  return settingAt(view, hit, hit.node.value, path.join('.'));
}

/** `SOLVER.STEPS`: a YAML list, or the text of a Python tuple/list that yacs literal_evals. */
function yacsSteps(view: ConfigView): { values: number[]; hit: Extract<Lookup, { kind: 'found' }> } | undefined {
  const hit = lookup(view, ['SOLVER', 'STEPS']);
  if (hit.kind !== 'found') return undefined;
  let node: ConfigNode | undefined = hit.node;
  if (node.kind === 'scalar' && typeof node.value === 'string' && node.value.length < 10_000) {
    node = getIn(parsePythonConfig(`v = ${node.value}`).tree, 'v');
  }
  if (!node) return undefined;
  const items = node.kind === 'seq' ? node.items : node.kind === 'scalar' ? [node] : [];
  const values: number[] = [];
  for (const item of items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'number') return undefined;
    values.push(item.value);
  }
  return { values, hit };
}

function getIn(tree: MapNode | undefined, key: string): ConfigNode | undefined {
  return tree ? mapGet(tree, key)?.value : undefined;
}

function extractYacs(file: SourceFile, env: ExtractEnv): Extraction {
  const view = viewOf(file);
  const D = DETECTRON2_DEFAULTS;
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const conflicts: Conflict[] = [];
  const ignored: IgnoredSetting[] = [];
  const launchChecks: Record<string, string> = {};
  const batchChecks: BatchCheck[] = [];
  if (file.inherited && file.inherited.files.length > 0) notes.push(`read with its _BASE_ chain: ${file.inherited.files.join(', ')}`);
  for (const n of file.inherited?.notes ?? []) notes.push(n);
  const absent = (path: string[]) => lookup(view, path).kind === 'absent';
  /** The written value, else the default when the key is really absent (not in an unread base). */
  const num = (path: string[], fallback: number, unit?: string): Setting<number> | undefined => {
    const s = yacsNumber(view, path) ?? (absent(path) ? defaultSetting(fallback, path.join('.'), 'detectron2 default (config/defaults.py)') : undefined);
    return s && unit ? { ...s, unit } : s;
  };

  applyAssumptions(plan, env.assume);
  const world = plan.worldSize?.value;
  let batch = num(['SOLVER', 'IMS_PER_BATCH'], D.imsPerBatch, 'samples');
  let lr = num(['SOLVER', 'BASE_LR'], D.baseLr);
  let maxIter = num(['SOLVER', 'MAX_ITER'], D.maxIter, 'steps');
  let warmup = num(['SOLVER', 'WARMUP_ITERS'], D.warmupIters, 'steps');
  let checkpoint = num(['SOLVER', 'CHECKPOINT_PERIOD'], D.checkpointPeriod, 'steps');
  let evalPeriod = num(['TEST', 'EVAL_PERIOD'], D.evalPeriod, 'steps');
  const stepsRead = yacsSteps(view);
  let steps = stepsRead?.values ?? (absent(['SOLVER', 'STEPS']) ? D.steps : undefined);
  const refWorld = num(['SOLVER', 'REFERENCE_WORLD_SIZE'], D.referenceWorldSize);
  let stepsScale = 1;
  /** REFERENCE_WORLD_SIZE is set and the world size known: the values carry `scaledFrom` (rescale reads it). */
  const refScaled = Boolean(refWorld && refWorld.value > 0 && world);

  // DefaultTrainer.auto_scale_workers: scale = world / REFERENCE_WORLD_SIZE.
  if (refWorld && refWorld.value > 0 && world && world !== refWorld.value) {
    const scale = world / refWorld.value;
    const by = `× ${formatCount(world)} / REFERENCE_WORLD_SIZE ${formatCount(refWorld.value)} (DefaultTrainer.auto_scale_workers)`;
    const over = `/ (${formatCount(world)} / REFERENCE_WORLD_SIZE ${formatCount(refWorld.value)}) (DefaultTrainer.auto_scale_workers)`;
    if (batch && batch.value % refWorld.value !== 0) {
      launchChecks['batch-size-mismatch'] = `detectron2 stops at start-up (auto_scale_workers asserts IMS_PER_BATCH % REFERENCE_WORLD_SIZE == 0)`;
      batchChecks.push(referenceWorldCheck(file, batch, refWorld, world));
    }
    const scaled = (s: Setting<number> | undefined, value: (v: number) => number, how: string, unit?: string) =>
      s ? { ...derivedFrom(s, value(s.value), `${formatCount(s.value)} ${how}`, unit) } : undefined;
    const multiplied = `REFERENCE_WORLD_SIZE scales it × ${formatCount(world)} / ${formatCount(refWorld.value)}`;
    const divided = `REFERENCE_WORLD_SIZE divides it by ${formatCount(world)} / ${formatCount(refWorld.value)}`;
    batch = autoScaled(scaled(batch, (v) => Math.round(v * scale), by, 'samples'), batch, scale, writtenFor(refWorld.value));
    lr = lr ? { ...derivedFrom(lr, lr.value * scale, `${formatSci(lr.value)} ${by}`), scaledFrom: { factor: scale, by: multiplied, ...(lr.valueRange ? { valueRange: lr.valueRange } : {}) } } : undefined;
    // Iteration counts are divided by the scale: advice is written back as the file's value (× scale).
    const counted = (s: Setting<number> | undefined) =>
      autoScaled(s ? { ...scaled(s, (v) => Math.round(v / scale), over, 'steps')!, writtenAs: { unit: 'iterations', perStep: scale, value: s.value } } : undefined, s, 1 / scale, divided);
    maxIter = counted(maxIter);
    warmup = counted(warmup);
    checkpoint = counted(checkpoint);
    evalPeriod = counted(evalPeriod);
    stepsScale = scale;
    steps = steps?.map((v) => Math.round(v / scale));
    notes.push(`SOLVER.REFERENCE_WORLD_SIZE ${formatCount(refWorld.value)} with ${formatCount(world)} GPUs: detectron2 scales IMS_PER_BATCH and BASE_LR by ${formatCount(scale)} and divides MAX_ITER, WARMUP_ITERS, STEPS, CHECKPOINT_PERIOD and EVAL_PERIOD by it`);
  } else if (refWorld && refWorld.value > 0 && world) {
    // At the reference world size auto_scale_workers changes nothing, but at any other it would: rescale
    // must know the values are written for REFERENCE_WORLD_SIZE GPUs (factor 1 now).
    const same = (s: Setting<number> | undefined, how: string) => autoScaled(s, s, 1, how);
    const at = `REFERENCE_WORLD_SIZE ${formatCount(refWorld.value)} is the world size: nothing is scaled`;
    batch = autoScaled(batch, batch, 1, writtenFor(refWorld.value));
    lr = same(lr, at);
    maxIter = same(maxIter, at);
    warmup = same(warmup, at);
    checkpoint = same(checkpoint, at);
    evalPeriod = same(evalPeriod, at);
  } else if (refWorld && refWorld.value > 0 && !world) {
    notes.push(`SOLVER.REFERENCE_WORLD_SIZE ${formatCount(refWorld.value)}: detectron2 rescales batch, LR and iteration counts to the real GPU count, which is unknown here (set assume.worldSize)`);
  }

  if (batch) {
    plan.globalBatchSize = batch;
    if (world && world > 0 && batch.value % world === 0) plan.microBatchSize = derived(batch.value / world, `${formatCount(batch.value)} / ${formatCount(world)} GPUs (SOLVER.IMS_PER_BATCH is the total)`, 'samples');
  }
  plan.gradAccumSteps = defaultSetting(1, 'SOLVER.IMS_PER_BATCH', 'detectron2 does not accumulate gradients: one iteration is one optimizer step');
  launchChecks['batch-size-mismatch'] ??= 'detectron2 stops at start-up (data/build.py asserts the total batch size is divisible by the number of GPUs)';
  if (lr) plan.peakLr = lr;
  if (maxIter) plan.totalSteps = maxIter;
  plan.optimizer = defaultSetting('SGD', 'SOLVER', 'detectron2 build_optimizer: SGD with momentum (SOLVER.MOMENTUM)');

  const amp = yacsBool(view, ['SOLVER', 'AMP', 'ENABLED']);
  plan.precision = amp?.value ? { ...amp, value: 'fp16', note: 'AMPTrainer: float16 autocast' } : amp ? { ...amp, value: 'fp32' } : defaultSetting('fp32', 'SOLVER.AMP.ENABLED', 'AMP off by default');

  const schedName = yacsString(view, ['SOLVER', 'LR_SCHEDULER_NAME']);
  const scheduler = schedName?.value ?? (absent(['SOLVER', 'LR_SCHEDULER_NAME']) ? D.scheduler : undefined);
  if (scheduler) plan.scheduler = schedName ?? defaultSetting(D.scheduler, 'SOLVER.LR_SCHEDULER_NAME', 'detectron2 default');

  // Warmup: min(WARMUP_ITERS / MAX_ITER, 1) of the run (clamped silently); a factor of 1 is no warmup.
  const warmupFactor = yacsNumber(view, ['SOLVER', 'WARMUP_FACTOR']);
  if (warmupFactor && warmupFactor.value >= 1) {
    const written = yacsNumber(view, ['SOLVER', 'WARMUP_ITERS']);
    if (written && written.file === file.path && written.value > 0) {
      ignored.push({ key: 'SOLVER.WARMUP_ITERS', range: written.range!, message: `SOLVER.WARMUP_ITERS ${formatCount(written.value)} has no effect: SOLVER.WARMUP_FACTOR ${warmupFactor.value} starts the warmup at the full LR; lower WARMUP_FACTOR (default 0.001) or remove WARMUP_ITERS` });
    }
  } else if (warmup && warmup.value > 0) {
    plan.warmupSteps = warmup;
  }

  if (scheduler === 'WarmupMultiStepLR' && steps && maxIter) {
    // build_lr_scheduler keeps the steps <= MAX_ITER; fvcore then raises for one == MAX_ITER.
    if (steps.length > 0) {
      const sorted = [...steps].sort((a, b) => a - b);
      // The values as written, in the same order (auto_scale_workers divides each by one factor).
      const written = [...(stepsRead?.values ?? D.steps)].sort((a, b) => a - b);
      const scaledBy = (v: number, w: number): Partial<Setting<number>> =>
        !refScaled
          ? {}
          : steps !== stepsRead?.values
            ? { origin: 'derived', how: 'SOLVER.STEPS scaled by REFERENCE_WORLD_SIZE', writtenAs: { unit: 'iterations', perStep: stepsScale, value: w }, scaledFrom: { factor: v / w, by: `REFERENCE_WORLD_SIZE divides it by ${formatCount(stepsScale)}` } }
            : { scaledFrom: { factor: 1, by: 'REFERENCE_WORLD_SIZE is the world size: nothing is scaled' } };
      const at = (v: number, w: number): Setting<number> =>
        stepsRead
          ? { ...settingAt(view, stepsRead.hit, v, 'SOLVER.STEPS'), unit: 'steps', ...scaledBy(v, w) }
          : { ...defaultSetting(v, 'SOLVER.STEPS', 'detectron2 default (30000,)'), unit: 'steps', ...scaledBy(v, w) };
      plan.firstMilestone = at(sorted[0], written[0]);
      plan.lastMilestone = at(sorted[sorted.length - 1], written[written.length - 1]);
      if (steps.includes(maxIter.value)) {
        launchChecks['decay-horizon-mismatch'] = `detectron2 stops at start-up: SOLVER.STEPS holds MAX_ITER ${formatCount(maxIter.value)}, and fvcore's MultiStepParamScheduler raises "Milestone must be smaller than total number of updates"`;
      }
      if (steps.some((v) => v > maxIter!.value)) notes.push('SOLVER.STEPS values above MAX_ITER are dropped with a log warning (detectron2 ≤ 0.5 crashed on them instead)');
    }
  }
  if (scheduler === 'WarmupCosineLR') {
    const end = num(['SOLVER', 'BASE_LR_END'], D.baseLrEnd);
    if (end) plan.minLr = end;
    if (end && lr && end.value > lr.value) launchChecks['min-lr-exceeds-lr'] = 'detectron2 stops at start-up (build_lr_scheduler asserts 0 <= BASE_LR_END / BASE_LR <= 1)';
    const written = yacsSteps(view);
    if (written && written.hit.file === file.path) {
      ignored.push({ key: 'SOLVER.STEPS', range: written.hit.keyRange, message: 'SOLVER.STEPS has no effect: SOLVER.LR_SCHEDULER_NAME is WarmupCosineLR, which decays over the whole MAX_ITER; remove STEPS or use WarmupMultiStepLR' });
    }
  } else {
    const end = yacsNumber(view, ['SOLVER', 'BASE_LR_END']);
    if (end && end.file === file.path && scheduler) {
      ignored.push({ key: 'SOLVER.BASE_LR_END', range: end.range!, message: `SOLVER.BASE_LR_END has no effect: only WarmupCosineLR reads it, and SOLVER.LR_SCHEDULER_NAME is ${scheduler}` });
    }
  }

  if (checkpoint && checkpoint.value > 0) plan.saveEverySteps = checkpoint;
  if (evalPeriod && evalPeriod.value > 0) plan.evalEverySteps = evalPeriod;

  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'launch with tools/train_net.py --num-gpus N, or set assume.worldSize in .trainlint.yml (SOLVER.IMS_PER_BATCH is the total batch either way)' });
  const typeErrors = file.tree?.kind === 'map' ? yacsTypeErrors(file.tree) : [];
  return {
    plan,
    missing,
    anchor: mapGet(file.tree as MapNode, '_BASE_')?.keyRange ?? fileStartRange(file),
    notes,
    conflicts,
    ignored,
    launchChecks,
    ...(typeErrors.length ? { configErrors: typeErrors } : {}),
    ...(batchChecks.length ? { batchChecks } : {}),
    globalBatchRounding: 'per-device',
    // WarmupParamScheduler / LRMultiplier stop at MAX_ITER: there is nothing past the end.
    afterDecay: 'flat',
    ...(baseReference(file, env) ?? {}),
  };
}

/** How the global batch is scaled, as rescale says it: the key and the GPU count the values are written for. */
const writtenFor = (reference: number) =>
  `SOLVER.REFERENCE_WORLD_SIZE ${formatCount(reference)}: DefaultTrainer.auto_scale_workers multiplies IMS_PER_BATCH and BASE_LR by GPUs / ${formatCount(reference)} and divides the iteration counts by it`;

/**
 * A value `DefaultTrainer.auto_scale_workers` computes from the written one (`written`): value = written × factor
 * (`scaledFrom`), with the written value's range for rescale, which edits what is written, not what is computed.
 */
function autoScaled(s: Setting<number> | undefined, written: Setting<number> | undefined, factor: number, by: string): Setting<number> | undefined {
  if (!s || !written) return s;
  return { ...s, scaledFrom: { factor, by, ...(written.valueRange ? { valueRange: written.valueRange } : {}) } };
}

/**
 * `DefaultTrainer.auto_scale_workers` asserts `IMS_PER_BATCH % REFERENCE_WORLD_SIZE == 0` ("Invalid
 * REFERENCE_WORLD_SIZE in config!") before it rescales to another GPU count: the run stops at start-up.
 * Reported at IMS_PER_BATCH when this file writes it, else at REFERENCE_WORLD_SIZE or the file's start.
 */
function referenceWorldCheck(file: SourceFile, batch: Setting<number>, refWorld: Setting<number>, world: number): BatchCheck {
  const own = (s: Setting<number>) => (s.file === undefined || s.file === file.path) && s.range ? s.range : undefined;
  const ref = refWorld.value;
  const near = Math.max(ref, Math.round(batch.value / ref) * ref);
  return {
    kind: 'ims-per-batch-not-divisible-by-reference-world-size',
    range: own(batch) ?? own(refWorld) ?? fileStartRange(file),
    message:
      `SOLVER.IMS_PER_BATCH ${formatCount(batch.value)} is not divisible by SOLVER.REFERENCE_WORLD_SIZE ${formatCount(ref)}: with ${formatCount(world)} GPUs detectron2 rescales the batch and stops at start-up ` +
      `(DefaultTrainer.auto_scale_workers asserts IMS_PER_BATCH % REFERENCE_WORLD_SIZE == 0, "Invalid REFERENCE_WORLD_SIZE in config!"); pick a multiple of ${formatCount(ref)} (e.g. ${formatCount(near)})`,
    data: { imsPerBatch: batch.value, referenceWorldSize: ref, worldSize: world },
  };
}

/** The plan a yacs child inherits from its `_BASE_` chain: the reference its LR was tuned for. */
function baseReference(file: SourceFile, env: ExtractEnv): Pick<Extraction, 'reference'> | undefined {
  const inherited = file.inherited;
  const baseEntry = file.tree?.kind === 'map' ? mapGet(file.tree, '_BASE_') : undefined;
  if (!inherited?.baseTree || !baseEntry || baseEntry.value.kind !== 'scalar') return undefined;
  // A BASE_LR the child writes itself was chosen for its batch (a fine-tune's lower LR): no reference.
  const own = yacsNumber(viewOf(file), ['SOLVER', 'BASE_LR']);
  if (own && own.file === file.path) return undefined;
  const baseView: ConfigView = { path: file.path, tree: inherited.baseTree, complete: inherited.complete, fileOf: (x) => inherited.fileOf(x) ?? file.path };
  const written = yacsNumber(baseView, ['SOLVER', 'BASE_LR']) ?? yacsNumber(baseView, ['SOLVER', 'IMS_PER_BATCH']);
  if (!written) return undefined;
  const baseFile: SourceFile = { ...file, tree: inherited.baseTree, inherited: { ...inherited, tree: inherited.baseTree, baseTree: undefined } };
  const plan = extractYacs(baseFile, env).plan;
  // A warmup nobody wrote (the 1000-iteration default on both sides) is not a tuned value.
  if (plan.warmupSteps?.origin === 'default') delete plan.warmupSteps;
  return { reference: { plan, label: `_BASE_ ${String(baseEntry.value.value)}`, path: written.file ?? file.path } };
}

// ---------------------------------------------------------------------------------------------
// LazyConfig

/** A Setting for a value of a LazyConfig: one another file sets comes through a Python import (not `_BASE_`). */
function lazySetting<T extends number | string | boolean>(view: ConfigView, hit: Extract<Lookup, { kind: 'found' }>, value: T, key: string): Setting<T> {
  const s = settingOf(view, hit, value, key);
  return hit.file !== view.path ? { ...s, note: `set in ${hit.file}:${hit.keyRange.line}, which this config imports` } : s;
}

function lazyNumber(view: ConfigView, path: (string | number)[]): Setting<number> | undefined {
  const hit = lookup(view, path);
  if (hit.kind !== 'found' || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'number') return undefined;
  const key = path.join('.');
  const s = lazySetting(view, hit, hit.node.value, key);
  // `train.max_iter *= 2` on the imported value: computed, not literal text an edit could replace.
  const old = augmentedFrom(hit.node);
  if (!old || typeof old.value !== 'number') return s;
  const { valueRange: _literal, ...computed } = s;
  const from = view.fileOf(old);
  const at = from && from !== view.path ? ` (${from}:${old.range.line})` : '';
  return { ...computed, origin: 'derived', how: `${key} ${formatCount(old.value)}${at}, then \`${hit.node.source}\`` };
}

function lazyTarget(view: ConfigView, path: string[]): string | undefined {
  const hit = lookup(view, [...path, '_target_']);
  return hit.kind === 'found' && hit.node.kind === 'scalar' && typeof hit.node.value === 'string' ? (hit.node.value.split('.').pop() ?? hit.node.value) : undefined;
}

function extractLazy(file: SourceFile, env: ExtractEnv): Extraction {
  const view = viewOf(file);
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const launchChecks: Record<string, string> = {};
  if (file.inherited && file.inherited.files.length > 0) notes.push(`read with the config files it imports: ${file.inherited.files.join(', ')}`);
  for (const n of file.inherited?.notes ?? []) notes.push(n);
  if (!view.complete) notes.push('a config file it imports was not read: the values it sets are unknown');

  const batch = lazyNumber(view, ['dataloader', 'train', 'total_batch_size']);
  if (batch) plan.globalBatchSize = withUnit(batch, 'samples');
  const lr = lazyNumber(view, ['optimizer', 'lr']);
  if (lr) plan.peakLr = lr;
  const opt = lazyTarget(view, ['optimizer']);
  if (opt) plan.optimizer = { value: opt, origin: 'explicit', key: 'optimizer._target_' };
  const maxIter = lazyNumber(view, ['train', 'max_iter']);
  if (maxIter) plan.totalSteps = withUnit(maxIter, 'steps');
  const ckpt = lazyNumber(view, ['train', 'checkpointer', 'period']) ?? lazyNumber(view, ['train', 'checkpoint_period']);
  if (ckpt && ckpt.value > 0) plan.saveEverySteps = withUnit(ckpt, 'steps');
  const evalPeriod = lazyNumber(view, ['train', 'eval_period']);
  if (evalPeriod && evalPeriod.value > 0) plan.evalEverySteps = withUnit(evalPeriod, 'steps');
  const amp = lookup(view, ['train', 'amp', 'enabled']);
  if (amp.kind === 'found' && amp.node.kind === 'scalar' && typeof amp.node.value === 'boolean') plan.precision = lazySetting(view, amp, amp.node.value ? 'fp16' : 'fp32', 'train.amp.enabled');
  plan.gradAccumSteps = defaultSetting(1, 'train', 'detectron2 does not accumulate gradients: one iteration is one optimizer step');

  // lr_multiplier = L(WarmupParamScheduler)(scheduler=…, warmup_length=<fraction>, warmup_factor=…)
  const sched = lazyTarget(view, ['lr_multiplier']);
  const inner = sched === 'WarmupParamScheduler' ? ['lr_multiplier', 'scheduler'] : ['lr_multiplier'];
  const innerType = lazyTarget(view, inner);
  if (sched) plan.scheduler = { value: innerType && innerType !== sched ? `${sched}(${innerType})` : sched, origin: 'explicit', key: 'lr_multiplier' };
  const warmupLength = sched === 'WarmupParamScheduler' ? lazyNumber(view, ['lr_multiplier', 'warmup_length']) : undefined;
  if (warmupLength && maxIter) {
    plan.warmupSteps = {
      ...derivedFrom(warmupLength, Math.round(warmupLength.value * maxIter.value), `warmup_length ${warmupLength.value} × train.max_iter ${formatCount(maxIter.value)}`, 'steps'),
      fractionOf: { fraction: warmupLength.value, of: `train.max_iter ${formatCount(maxIter.value)}`, ofSteps: maxIter.value },
    };
  }
  if (innerType === 'MultiStepParamScheduler' && maxIter) {
    const ms = lookup(view, [...inner, 'milestones']);
    const updates = lazyNumber(view, [...inner, 'num_updates']);
    if (ms.kind === 'found' && ms.node.kind === 'seq' && updates && updates.value > 0) {
      const values = ms.node.items.map((i) => (i.kind === 'scalar' && typeof i.value === 'number' ? i.value : NaN));
      if (values.every(Number.isFinite) && values.length > 0) {
        const sorted = [...values].sort((a, b) => a - b);
        const steps = (m: number): Setting<number> => ({
          ...lazySetting(view, ms, m, `${inner.join('.')}.milestones`),
          value: Math.round((m / updates.value) * maxIter.value),
          origin: 'derived',
          unit: 'steps',
          how: `milestone ${formatCount(m)} / num_updates ${formatCount(updates.value)} × train.max_iter ${formatCount(maxIter.value)} (fvcore schedules follow iteration / max_iter)`,
        });
        plan.firstMilestone = steps(sorted[0]);
        plan.lastMilestone = steps(sorted[sorted.length - 1]);
        if (sorted[sorted.length - 1] >= updates.value) {
          launchChecks['decay-horizon-mismatch'] = `detectron2 stops at start-up: fvcore's MultiStepParamScheduler raises "Milestone must be smaller than total number of updates" (num_updates ${formatCount(updates.value)})`;
        }
      }
    }
  }
  if (innerType === 'CosineParamScheduler') {
    const start = lazyNumber(view, [...inner, 'start_value']);
    const end = lazyNumber(view, [...inner, 'end_value']);
    if (lr && start && end) plan.minLr = derivedFrom(end, lr.value * end.value, `optimizer.lr ${formatSci(lr.value)} × end_value ${end.value}`);
  }
  applyAssumptions(plan, env.assume);
  const world = plan.worldSize?.value;
  if (batch && world && world > 0 && batch.value % world === 0) plan.microBatchSize = derived(batch.value / world, `${formatCount(batch.value)} / ${formatCount(world)} GPUs (total_batch_size is the total)`, 'samples');
  launchChecks['batch-size-mismatch'] = 'detectron2 stops at start-up (data/build.py asserts the total batch size is divisible by the number of GPUs)';
  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'launch with tools/lazyconfig_train_net.py --num-gpus N, or set assume.worldSize in .trainlint.yml' });
  if (!maxIter) missing.push({ field: 'totalSteps', hint: 'train.max_iter comes from a config that was not read (get_config or an import outside the repository); set assume.totalSteps' });
  return { plan, missing, anchor: fileStartRange(file), notes, conflicts: [], launchChecks, globalBatchRounding: 'per-device', afterDecay: 'flat' };
}

export const detectron2: Dialect = {
  meta: {
    id: 'detectron2',
    formats: ['python', 'yaml'],
    title: 'detectron2',
    description: 'detectron2 yacs YAML configs with their _BASE_ chain, and LazyConfig Python files read statically (never executed)',
    yamlLoader: 'yacs',
    // fvcore falls back to yaml.unsafe_load on a ConstructorError (allow_unsafe): `!!python/` tags load.
    yamlTags: ['!!python/'],
    yamlLoaderName: 'yacs (PyYAML, then literal_eval of strings)',
    schema: 'detectron2.schema.json',
  },
  detect(file, _env, facts = detectFacts(file)) {
    return file.format === 'python' ? scoreLazy(file) : scoreYacs(file, facts);
  },
  extract(file, env) {
    return file.format === 'python' ? extractLazy(file, env) : extractYacs(file, env);
  },
};
