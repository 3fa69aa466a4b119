/**
 * NVIDIA NeMo: NeMo 1.x Hydra YAML (LLM/NLP `megatron_*_config.yaml`, ASR `examples/asr/conf/**`,
 * NeMo-Framework-Launcher and NeMo-Aligner configs), NeMo 2 scheduler blocks
 * (`nemo.lightning.pytorch.optim.CosineAnnealingScheduler`), Megatron-Bridge YAML override files
 * (`train:`/`optimizer:`/`scheduler:`, Megatron-LM semantics), and the launch scripts that start
 * NeMo's example programs with Hydra overrides (`python megatron_gpt_pretraining.py
 * --config-path=conf --config-name=… trainer.devices=8 …`).
 *
 * Facts: research/frameworks-wave2-nemo-rl-jax.md §3 (NeMo `modelPT.py:setup_optimization`,
 * `core/optim/lr_scheduler.py`, `megatron_base_model.py`, `data_samplers.py`; Megatron-Core
 * `num_microbatches_calculator.py`, `initialize_model_parallel`; Megatron-Bridge `training/config.py`).
 */
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, dataParallel, defaultSetting, derived, derivedFrom, deriveGlobalBatch, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatFractionDown, formatSci } from '../engine/format-number.js';
import { commandConfigNote, hydraView, overrideConfigErrors, viewExtraction, type HydraView } from '../engine/hydra/view.js';
import { isHydraCommand } from '../engine/hydra/command.js';
import { getIn, mapGet, type ConfigNode, type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { HydraValues, type DefaultValue } from './hydra-values.js';
import type { BatchCheck, ConfigError, Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { detectFacts, keyGroup } from './detect-facts.js';

/** NeMo's own resolvers (ModelPT registers `multiply`; NeMo-Aligner adds `int_div`). */
const RESOLVERS = {
  multiply: (a: number[]) => (a.length === 2 ? a[0] * a[1] : undefined),
  int_div: (a: number[]) => (a.length === 2 && a[1] !== 0 ? Math.floor(a[0] / a[1]) : undefined),
};

/**
 * Class and Lightning defaults for keys a NeMo 1.x YAML leaves out (the example YAMLs themselves
 * are the "packaged" configs; a launch that names one not in the repository has no other defaults).
 */
const NEMO1_DEFAULTS: Record<string, DefaultValue> = {
  'trainer.num_nodes': 1,
  'trainer.accumulate_grad_batches': 1,
  'trainer.max_steps': -1,
  'model.tensor_model_parallel_size': 1,
  'model.pipeline_model_parallel_size': 1,
  'model.context_parallel_size': 1,
  'model.optim.sched.min_lr': 0,
  'model.optim.sched.constant_steps': 0,
  'exp_manager.create_checkpoint_callback': true,
};

/** NeMo 2's `CosineAnnealingScheduler.__init__` defaults (nemo/lightning/pytorch/optim/lr_scheduler.py). */
export const NEMO2_COSINE_DEFAULTS = { warmupSteps: 750, constantSteps: 80000, minLr: 6e-5 };

/** Schedulers whose LR follows warmup → decay → hold at min_lr (WarmupAnnealHoldPolicy subclasses). */
const ANNEAL_HOLD = /^(?:CosineAnnealing|WarmupAnnealing|PolynomialDecayAnnealing|PolynomialHoldDecayAnnealing|SquareAnnealing|SquareRootAnnealing|LinearAnnealing)$/;

// ── Detection ───────────────────────────────────────────────────────────────────────────

type Form = 'nemo1' | 'nemo2' | 'bridge' | 'script';

/** A NeMo 2 run config (NeMo-Run YAML): sections instantiate `nemo.…` classes through `_target_`. */
function nemoTargets(root: MapNode): number {
  return root.entries.filter((e) => {
    if (e.value.kind !== 'map') return false;
    const t = mapGet(e.value, '_target_')?.value;
    return t?.kind === 'scalar' && typeof t.value === 'string' && /^nemo\./.test(t.value);
  }).length;
}

function isMap(root: MapNode, ...path: string[]): boolean {
  return getIn(root, path)?.node.kind === 'map';
}

function yamlForm(file: SourceFile): { form: Form; score: number } | undefined {
  const root = file.tree;
  if (!root || root.kind !== 'map') return undefined;
  // The key lookup first: most files have no `trainer:`, and nemoTargets looks into every block.
  if (isMap(root, 'trainer') && nemoTargets(root) >= 2) return { form: 'nemo2', score: 8 };
  if (isMap(root, 'trainer') && isMap(root, 'model')) {
    const markers = [
      isMap(root, 'exp_manager'),
      isMap(root, 'model', 'optim'),
      getIn(root, ['model', 'micro_batch_size']) !== undefined,
      getIn(root, ['model', 'global_batch_size']) !== undefined,
      getIn(root, ['model', 'tensor_model_parallel_size']) !== undefined,
      getIn(root, ['model', 'megatron_amp_O2']) !== undefined,
    ].filter(Boolean).length;
    if (isMap(root, 'exp_manager') && markers >= 2) return { form: 'nemo1', score: 9 };
    if (markers >= 3) return { form: 'nemo1', score: 8 };
    return undefined;
  }
  // Megatron-Bridge: `train:` with Megatron's batch/iteration keys beside optimizer/scheduler/model/checkpoint.
  const train = mapGet(root, 'train')?.value;
  if (train?.kind === 'map' && ['train_iters', 'train_samples', 'global_batch_size', 'micro_batch_size'].some((k) => mapGet(train, k))) {
    const beside = ['optimizer', 'scheduler', 'checkpoint', 'model', 'dist', 'ddp', 'logger', 'rng'].filter((k) => isMap(root, k)).length;
    if (beside >= 2) return { form: 'bridge', score: 8 };
  }
  return undefined;
}

const TRAINER_GROUP = keyGroup(['trainer', 'train']);

/** A NeMo example program started with Hydra overrides of NeMo's keys. */
function nemoCommand(cmd: LaunchCommand): boolean {
  if (!isHydraCommand(cmd)) return false;
  if (cmd.module?.startsWith('verl.') || cmd.module?.startsWith('recipe.')) return false;
  const nemoScript = cmd.script !== undefined && /(?:^|\/)(?:megatron_\w+|speech_to_text\w*|\w*_finetuning|\w*_pretraining|train_gpt_\w+)\.py$/.test(cmd.script);
  const nemoKeys = cmd.args.filter((a) => a.flag === '' && /^(?:\+{1,2}|~)?(?:trainer|model|exp_manager)\./.test(a.value ?? '')).length;
  return (nemoScript && nemoKeys >= 1) || nemoKeys >= 3;
}

// ── Extraction ──────────────────────────────────────────────────────────────────────────

interface Ctx {
  file: SourceFile;
  v: HydraValues;
  plan: TrainingPlan;
  missing: MissingField[];
  notes: string[];
  conflicts: Conflict[];
  checks: BatchCheck[];
  ignored: IgnoredSetting[];
  anchor: Range;
  launchChecks: Record<string, string>;
  /**
   * Only part of the run's config is here (a Megatron-Bridge override file over a Python recipe, a
   * script whose config is not in the repository): a key it leaves out is unknown, not a default.
   */
  partial: boolean;
  form: Form;
  /** The world size is known but left out of the plan, since the data-parallel size is not (see parallel). */
  worldWithheld?: boolean;
}

const named = (s: Setting): string => `${s.key ?? ''} ${formatCount(Number(s.value))}`.trim();

function conflict(ctx: Ctx, kind: string, message: string, ...at: (Setting | undefined)[]): void {
  ctx.conflicts.push({ kind, message, range: ctx.v.rangeOf(...at) ?? ctx.anchor });
}

/** Devices per node as Lightning reads them: a count, a list of indices, a "0,1,3" string; -1/"auto" is unknown. */
function devices(ctx: Ctx): { count?: number; setting?: Setting<number>; why?: string } {
  const hit = ctx.v.reader.lookup(['trainer', 'devices']);
  if (!hit || hit.unresolved) return hit?.unresolved ? { why: hit.unresolved } : {};
  const setting = ctx.v.num('trainer.devices');
  const node: ConfigNode = hit.node;
  if (node.kind === 'seq') return { count: node.items.length, why: `a list of ${node.items.length} devices` };
  if (setting && Number.isInteger(setting.value) && setting.value > 0) return { count: setting.value, setting };
  if (node.kind === 'scalar' && typeof node.value === 'string' && /^\d+(?:,\d+)+$/.test(node.value)) return { count: node.value.split(',').length, why: `devices "${node.value}"` };
  return { why: `trainer.devices ${node.kind === 'scalar' ? String(node.value) : '…'} uses every visible GPU` };
}

/** World size, model parallelism and the data-parallel size (Megatron-Core: world / (TP × PP × CP)). */
function parallel(ctx: Ctx, keys: { tp: string; pp: string; cp: string }): { mp: number } {
  const { v, plan } = ctx;
  const tp = v.num(keys.tp);
  const pp = v.num(keys.pp);
  const cp = v.num(keys.cp);
  if (ctx.partial && !plan.dataParallelSize && (!tp || !pp || !cp)) {
    // The recipe (or the config the script names) sets the model parallelism: the world size alone
    // does not give the data-parallel size, so it is left out rather than taken as the DP size.
    const unset = [[keys.tp, tp], [keys.pp, pp], [keys.cp, cp]].filter(([, x]) => !x).map(([k]) => k);
    const world = plan.worldSize;
    if (world) {
      // The plan's data-parallel size falls back to the world size: without the model parallelism it is not
      // that, so the world size the command gives is said here and left out of the plan.
      ctx.notes.push(
        `world size ${formatCount(world.value)}${world.how ? ` (${world.how})` : ''} is known but not used as the data-parallel size: ${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set here ` +
          `(${ctx.form === 'script' ? 'the config the command names sets' : 'the Python recipe sets'} ${unset.length === 1 ? 'it' : 'them'}), so the data-parallel size is unknown`,
      );
      delete plan.worldSize;
      ctx.worldWithheld = true;
    }
    ctx.missing.push({ field: 'dataParallelSize', hint: `set ${unset.join(', ')}${ctx.form === 'script' ? ' on the command' : ''}, or assume.dataParallelSize in .trainlint.yml` });
    return { mp: NaN };
  }
  const mp = (tp?.value ?? 1) * (pp?.value ?? 1) * (cp?.value ?? 1);
  const world = plan.worldSize;
  if (!world || mp <= 1) return { mp };
  if (world.value % mp !== 0) {
    ctx.checks.push({
      kind: 'world-not-divisible-by-model-parallel',
      range: v.rangeOf(tp, pp, cp, world) ?? ctx.anchor,
      message:
        `world size ${formatCount(world.value)}${world.how ? ` (${world.how})` : ''} is not divisible by tensor × pipeline × context parallel = ${formatCount(tp?.value ?? 1)} × ${formatCount(pp?.value ?? 1)} × ${formatCount(cp?.value ?? 1)} = ${formatCount(mp)}: ` +
        `Megatron-Core stops the run at start-up, after the GPUs are allocated ("world_size (${formatCount(world.value)}) is not divisible by ${formatCount(mp)}"); run on a multiple of ${formatCount(mp)} GPUs or lower the model parallelism`,
      data: { worldSize: world.value, modelParallel: mp },
    });
    return { mp };
  }
  plan.dataParallelSize = derived(world.value / mp, `${formatCount(world.value)} / (TP ${formatCount(tp?.value ?? 1)} × PP ${formatCount(pp?.value ?? 1)} × CP ${formatCount(cp?.value ?? 1)}) (world / model-parallel size)`);
  return { mp };
}

function worldFromTrainer(ctx: Ctx): void {
  const { v, plan } = ctx;
  const d = devices(ctx);
  const nodes = v.num('trainer.num_nodes');
  if (d.count === undefined) {
    if (d.why) ctx.notes.push(`${d.why}: the world size is unknown`);
    return;
  }
  if (!nodes && ctx.partial) {
    ctx.notes.push('trainer.num_nodes is not set here (the config this command names sets it): the world size is unknown');
    return;
  }
  const n = nodes?.value ?? 1;
  const how = `trainer.devices ${formatCount(d.count)} × trainer.num_nodes ${formatCount(n)}${nodes?.origin === 'default' ? ' (default)' : ''}`;
  plan.worldSize = d.setting ? derivedFrom(d.setting, d.count * n, how, 'GPUs') : { ...derived(d.count * n, how, 'GPUs'), key: 'trainer.devices' };
}

/** The LR schedule of `model.optim.sched` (NeMo 1.x) on a run of `total` optimizer steps. */
function nemo1Schedule(ctx: Ctx, prefix: string): void {
  const { v, plan, notes } = ctx;
  const name = v.str(`${prefix}.sched.name`);
  if (name) plan.scheduler = name;
  const lr = v.num(`${prefix}.lr`);
  const total = plan.totalSteps;
  const warmSteps = v.num(`${prefix}.sched.warmup_steps`);
  const warmRatio = v.num(`${prefix}.sched.warmup_ratio`);
  const constSteps = v.num(`${prefix}.sched.constant_steps`);
  const constRatio = v.num(`${prefix}.sched.constant_ratio`);
  const holdSteps = v.num(`${prefix}.sched.hold_steps`);
  if (warmSteps && warmRatio && warmSteps.origin !== 'default' && warmRatio.origin !== 'default') {
    conflict(ctx, 'warmup-steps-and-ratio', `${prefix}.sched.warmup_steps and warmup_ratio are both set: NeMo's scheduler asserts "Either use particular number of step or ratio" when the run starts; keep one`, warmRatio, warmSteps);
  }
  if (constSteps && constRatio && constSteps.origin !== 'default' && constRatio.origin !== 'default') {
    conflict(ctx, 'constant-steps-and-ratio', `${prefix}.sched.constant_steps and constant_ratio are both set: NeMo's scheduler asserts "Either use constant_steps or constant_ratio"; keep one`, constRatio, constSteps);
  }
  // Noam: the written lr is a multiplier; the peak is lr × d_model^-0.5 × warmup^-0.5.
  if (name?.value === 'NoamAnnealing') {
    const dModel = v.num(`${prefix}.sched.d_model`);
    if (lr && dModel && warmSteps && warmSteps.value > 0) {
      plan.peakLr = derivedFrom(lr, lr.value * dModel.value ** -0.5 * warmSteps.value ** -0.5, `NoamAnnealing: lr ${formatSci(lr.value)} × d_model ${formatCount(dModel.value)}^-0.5 × warmup ${formatCount(warmSteps.value)}^-0.5`);
    } else {
      notes.push(`${prefix}.sched.name NoamAnnealing: lr ${lr ? formatSci(lr.value) : '?'} is a multiplier (peak = lr × d_model^-0.5 × warmup_steps^-0.5); the peak LR is unknown without d_model and warmup_steps`);
    }
  } else if (lr) {
    plan.peakLr = lr;
  }
  const minLr = v.num(`${prefix}.sched.min_lr`);
  if (minLr && name && name.value !== 'NoamAnnealing') plan.minLr = minLr;
  if (warmSteps && warmSteps.origin !== 'default') plan.warmupSteps = withUnit(warmSteps, 'steps');
  else if (warmRatio) {
    plan.warmupRatio = warmRatio;
    if (total) plan.warmupSteps = { ...derivedFrom(warmRatio, Math.floor(warmRatio.value * total.value), `int(${warmRatio.value} × max_steps ${formatCount(total.value)})`, 'steps'), fractionOf: { fraction: warmRatio.value, of: 'max_steps', ofSteps: total.value } };
  } else if (name) plan.warmupSteps = { ...defaultSetting(0, `${prefix}.sched.warmup_steps`, 'no warmup_steps or warmup_ratio: no warmup'), unit: 'steps' };
  if (!name || !ANNEAL_HOLD.test(name.value) || !total) return;
  const warm = plan.warmupSteps?.value ?? 0;
  const hold = constSteps?.value ?? (constRatio && total ? Math.floor(constRatio.value * total.value) : 0);
  const holdKey = constSteps ? named(constSteps) : constRatio ? `${prefix}.sched.constant_ratio ${constRatio.value}` : 'constant_steps 0';
  annealHorizon(ctx, total, warm, hold + (holdSteps?.value ?? 0), holdKey, constSteps ?? constRatio);
  ctx.launchChecks['min-lr-exceeds-lr'] = `NeMo stops at the first step after warmup (CosineAnnealing raises ValueError "… received an initial learning rate that was lower than the minimum learning rate.")`;
}

/**
 * WarmupAnnealHoldPolicy: decay_steps = max_steps − (constant_steps + warmup_steps); after
 * warmup + decay the LR holds at min_lr. A hold that leaves no decay drops the LR from the peak
 * to min_lr right after warmup: the decay horizon is then the warmup.
 */
function annealHorizon(ctx: Ctx, total: Setting<number>, warm: number, hold: number, holdKey: string, holdSetting: Setting | undefined, adviseKey = holdSetting?.key): void {
  const decay = total.value - (hold + warm);
  // A warmup as long as the run is warmup-exceeds-training's finding, not a decay problem.
  if (decay > 0 || warm >= total.value) {
    ctx.plan.decaySteps = derived(total.value, `max_steps ${formatCount(total.value)}${hold > 0 ? ` (decay ${formatCount(decay)} steps, then ${holdKey} held at min_lr)` : ''}`, 'steps');
    return;
  }
  // No key: the horizon is max_steps − (hold + warmup), which no single key sets; the range points
  // at the hold (or the scheduler) that causes it, and `how` says what to lower.
  const base = holdSetting ?? total;
  ctx.plan.decaySteps = {
    ...derived(
      warm,
      `${holdKey} + warmup ${formatCount(warm)} ≥ max_steps ${formatCount(total.value)}: decay_steps = ${formatCount(total.value)} − (${formatCount(hold)} + ${formatCount(warm)}) ≤ 0, so the LR drops to min_lr right after warmup; keep constant_steps + warmup_steps below max_steps`,
      'steps',
    ),
    ...(base.file ? { file: base.file } : {}),
    ...(base.range ? { range: base.range } : {}),
    ...(hold > 0 ? { advice: holdAdvice(adviseKey, total.value, warm) } : {}),
  };
}

/** The fix for a hold that leaves no decay, in the hold key's own unit (steps, or a ratio of max_steps). */
function holdAdvice(adviseKey: string | undefined, total: number, warm: number): string {
  const room = total - warm;
  const key = adviseKey ?? 'constant_steps';
  if (/ratio$/.test(key)) return `set ${key} below ${formatFractionDown(room / total)} (max_steps − warmup is ${formatCount(room)} steps), or 0 to decay over the whole run after warmup`;
  return `set ${key} below ${formatCount(room)} (max_steps − warmup), or 0 to decay over the whole run after warmup`;
}

/** NeMo 2 `CosineAnnealingScheduler` (a `_target_` block, as a NeMo-Run YAML holds it). */
function nemo2Scheduler(ctx: Ctx): boolean {
  const root = ctx.v.view.config.root;
  const found = findTarget(root, /(?:^|\.)CosineAnnealingScheduler$/, []);
  if (!found) return false;
  const { v, plan } = ctx;
  const at = found.join('.');
  const targetHit = v.reader.lookup([...found, '_target_']);
  const targetSrc = v.reader.sourceOf(targetHit?.entry);
  plan.scheduler = { value: 'CosineAnnealingScheduler', origin: 'explicit', file: targetSrc?.file ?? ctx.file.path, key: `${at}._target_`, ...(targetHit ? { range: targetHit.keyRange } : {}) };
  const warm = v.num(`${at}.warmup_steps`) ?? { ...defaultSetting(NEMO2_COSINE_DEFAULTS.warmupSteps, `${at}.warmup_steps`, 'NeMo 2 CosineAnnealingScheduler default'), unit: 'steps' };
  plan.warmupSteps = withUnit(warm, 'steps');
  const minLr = v.num(`${at}.min_lr`) ?? defaultSetting(NEMO2_COSINE_DEFAULTS.minLr, `${at}.min_lr`, 'NeMo 2 CosineAnnealingScheduler default');
  plan.minLr = minLr;
  const hold = v.num(`${at}.constant_steps`) ?? defaultSetting(NEMO2_COSINE_DEFAULTS.constantSteps, `${at}.constant_steps`, 'NeMo 2 CosineAnnealingScheduler default: 80,000 steps held at min_lr');
  // MegatronStrategy copies trainer.max_steps into the scheduler ("Copying Trainer's 'max_steps'").
  const total = plan.totalSteps;
  if (total) annealHorizon(ctx, total, warm.value, hold.value, `${named(hold)}${hold.origin === 'default' ? ' (NeMo 2 default)' : ''}`, hold.origin === 'default' ? plan.scheduler : hold, hold.key);
  return true;
}

function findTarget(node: ConfigNode, pattern: RegExp, path: string[], depth = 0): string[] | undefined {
  if (node.kind !== 'map' || depth > 6) return undefined;
  const target = mapGet(node, '_target_')?.value;
  if (target?.kind === 'scalar' && typeof target.value === 'string' && pattern.test(target.value)) return path;
  for (const e of node.entries) {
    const hit = findTarget(e.value, pattern, [...path, e.key], depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/** NeMo 1.x (Megatron NLP models, ASR and other Lightning models, NeMo-Aligner). */
function extractNemo1(ctx: Ctx, env: ExtractEnv): void {
  const { v, plan, notes } = ctx;
  worldFromTrainer(ctx);
  applyAssumptions(plan, env.assume);
  const megatron = v.has('model.global_batch_size') || v.has('model.micro_batch_size') || v.has('model.tensor_model_parallel_size');
  parallel(ctx, { tp: 'model.tensor_model_parallel_size', pp: 'model.pipeline_model_parallel_size', cp: 'model.context_parallel_size' });

  // Run length: trainer.max_steps (optimizer steps), or NeMo-Aligner's algorithm block.
  const algo = ['sft', 'dpo', 'ppo', 'rm', 'kto', 'spin'].find((a) => v.reader.lookup(['trainer', a])?.node.kind === 'map');
  const maxSteps = (algo ? v.num(`trainer.${algo}.max_steps`) : undefined) ?? v.num('trainer.max_steps');
  if (maxSteps && maxSteps.value > 0) plan.totalSteps = withUnit(maxSteps, 'steps');
  const epochs = v.num('trainer.max_epochs');
  if (epochs && epochs.value > 0) plan.epochs = withUnit(epochs, 'epochs');

  if (megatron) {
    const micro = v.num('model.micro_batch_size');
    if (micro) plan.microBatchSize = withUnit(micro, 'samples');
    const rampup = v.reader.lookup(['model', 'rampup_batch_size']);
    const global = v.num('model.global_batch_size');
    if (global) {
      const ramping = rampup && rampup.node.kind === 'seq';
      plan.globalBatchSize = ramping ? { ...global, origin: 'derived', how: 'model.rampup_batch_size ramps up to it (the sampler does not check divisibility)', unit: 'samples' } : withUnit(global, 'samples');
    }
    const dp = dataParallel(plan);
    if (global && micro && dp && global.value % (micro.value * dp.value) === 0) {
      plan.gradAccumSteps = derived(global.value / (micro.value * dp.value), `${formatCount(global.value)} / (${formatCount(micro.value)} × ${formatCount(dp.value)}) (global / (micro × data-parallel); NeMo derives it)`);
    }
    const accum = v.num('trainer.accumulate_grad_batches');
    if (accum && accum.origin !== 'default' && accum.value !== 1) {
      ctx.ignored.push({
        key: 'trainer.accumulate_grad_batches',
        range: v.rangeOf(accum) ?? ctx.anchor,
        message: `trainer.accumulate_grad_batches ${formatCount(accum.value)} is not how NeMo's Megatron models accumulate ("do not modify"): they derive the accumulation from model.global_batch_size / (micro_batch_size × data-parallel size); set trainer.accumulate_grad_batches: 1 and change model.global_batch_size`,
      });
    }
    ctx.launchChecks['batch-size-mismatch'] =
      'NeMo refuses to start (its Megatron sampler raises "`global_batch_size` is not divisible by `micro_batch_size` x `data_parallel_size`")';
  } else {
    // Lightning models (ASR, …): the per-GPU batch is the training dataset's batch_size.
    const micro = v.num('model.train_ds.batch_size');
    if (micro) plan.microBatchSize = withUnit(micro, 'samples');
    const accum = v.num('trainer.accumulate_grad_batches');
    if (accum) plan.gradAccumSteps = accum;
    deriveGlobalBatch(plan);
  }
  const seq = v.num('model.encoder_seq_length') ?? v.num('model.seq_length') ?? v.num('model.data.seq_length');
  if (seq) plan.seqLen = withUnit(seq, 'tokens');
  const precision = v.str('trainer.precision');
  if (precision) plan.precision = precision;
  const optimizer = v.str('model.optim.name');
  if (optimizer) plan.optimizer = optimizer;

  // O2 with fp16 (megatron_base_model.configure_optimizers).
  const o2 = v.bool('model.megatron_amp_O2');
  if (o2?.value && precision && /^(?:16|16-mixed|fp16)$/.test(precision.value) && optimizer && !/distributed_fused_adam|mcore_distributed_optim/.test(optimizer.value)) {
    conflict(ctx, 'fp16-with-o2', `trainer.precision ${precision.value} with model.megatron_amp_O2 true and model.optim.name ${optimizer.value}: NeMo raises "fp16 training is not yet supported with O2. Please set megatron_amp_O2 to False in the model config." at start-up; use bf16 or set megatron_amp_O2: false`, o2, precision);
  }

  // megatron_base_model._validate_and_override_config.
  const fsdp = v.bool('model.fsdp');
  const fp8 = v.bool('model.fp8');
  if (fsdp?.value && fp8?.value) conflict(ctx, 'fsdp-with-fp8', 'model.fsdp with model.fp8: NeMo raises "Torch FSDP does not support FP8." at start-up; turn one off', fp8, fsdp);
  const vpp = v.num('model.virtual_pipeline_model_parallel_size');
  const pp = v.num('model.pipeline_model_parallel_size');
  const layers = v.num('model.num_layers');
  if (vpp && pp && layers && vpp.value > 0 && pp.value > 0 && Math.floor(layers.value / pp.value) % vpp.value !== 0) {
    conflict(
      ctx,
      'virtual-pipeline-chunks',
      `model.num_layers ${formatCount(layers.value)} // pipeline_model_parallel_size ${formatCount(pp.value)} = ${formatCount(Math.floor(layers.value / pp.value))} layers per stage is not divisible by virtual_pipeline_model_parallel_size ${formatCount(vpp.value)}: NeMo asserts "Make sure the number of model chunks is the same across all pipeline stages." at start-up; pick a virtual pipeline size that divides ${formatCount(Math.floor(layers.value / pp.value))}`,
      vpp,
    );
  }

  if (!nemo2Scheduler(ctx)) {
    // The decay horizon: trainer.max_steps overwrites sched.max_steps (ModelPT.setup_optimization).
    const schedMax = v.num('model.optim.sched.max_steps');
    if (schedMax && schedMax.origin !== 'default' && maxSteps && maxSteps.value > 0) {
      ctx.ignored.push({
        key: 'model.optim.sched.max_steps',
        range: v.rangeOf(schedMax) ?? ctx.anchor,
        message: `model.optim.sched.max_steps ${formatCount(schedMax.value)} is ignored: NeMo sets the scheduler's max_steps to trainer.max_steps ${formatCount(maxSteps.value)} (ModelPT.setup_optimization), so the decay spans ${formatCount(maxSteps.value)} steps; remove sched.max_steps or change trainer.max_steps`,
        critical: true,
        data: { schedMaxSteps: schedMax.value, trainerMaxSteps: maxSteps.value },
      });
    }
    if (v.has('model.optim.sched')) nemo1Schedule(ctx, 'model.optim');
    else if (v.has('model.optim.lr')) {
      const lr = v.num('model.optim.lr');
      if (lr) plan.peakLr = lr;
      plan.scheduler = { ...defaultSetting('constant', 'model.optim.sched', 'no model.optim.sched: the LR stays constant'), value: 'constant' };
    }
  } else {
    const lr = v.num('model.optim.lr') ?? v.num('optim.config.lr');
    if (lr) plan.peakLr = lr;
  }

  // Validation and checkpoints.
  const vci = algo ? (v.num(`trainer.${algo}.val_check_interval`) ?? v.num('trainer.val_check_interval')) : v.num('trainer.val_check_interval');
  const limitVal = v.num('trainer.limit_val_batches');
  // Lightning: an int counts training batches, a float in (0, 1] is a fraction of an epoch.
  const vciPath = algo && v.has(`trainer.${algo}.val_check_interval`) ? ['trainer', algo, 'val_check_interval'] : ['trainer', 'val_check_interval'];
  const vciNode = v.reader.lookup(vciPath)?.node;
  const vciFloat = vciNode?.kind === 'scalar' && /[.eE]/.test(vciNode.source);
  if (vci && !vciFloat && Number.isInteger(vci.value) && vci.value >= 1 && !(limitVal && limitVal.value === 0)) {
    const accum = megatron ? 1 : (plan.gradAccumSteps?.value ?? 1);
    plan.evalEverySteps =
      accum > 1
        ? { ...derivedFrom(vci, vci.value / accum, `${named(vci)} batches / accumulate_grad_batches ${formatCount(accum)}`, 'steps'), writtenAs: { unit: 'batches', perStep: accum } }
        : withUnit(vci, 'steps');
  } else if (vci && vciFloat && vci.value > 0 && vci.value <= 1) {
    notes.push(`trainer.val_check_interval ${vciNode?.kind === 'scalar' ? vciNode.source : vci.value} is a fraction of an epoch: ${vci.value === 1 ? 'validation once per epoch' : `validation every ${vci.value} of an epoch`}`);
  }
  const everyN = algo ? v.num(`trainer.${algo}.save_interval`) : v.num('exp_manager.checkpoint_callback_params.every_n_train_steps');
  const callback = v.bool('exp_manager.create_checkpoint_callback');
  if (everyN && everyN.value > 0) plan.saveEverySteps = withUnit(everyN, 'steps');
  else if (callback?.value !== false && plan.evalEverySteps && !algo) {
    plan.saveEverySteps = { ...plan.evalEverySteps, origin: 'derived', how: `exp_manager checkpoints at each validation (no checkpoint_callback_params.every_n_train_steps): ${plan.evalEverySteps.how ?? named(plan.evalEverySteps)}` };
  }
  if (!plan.totalSteps) ctx.missing.push({ field: 'totalSteps', hint: 'set trainer.max_steps (NeMo counts optimizer steps), or assume.totalSteps in .trainlint.yml' });
  if (!plan.worldSize && !plan.dataParallelSize && !ctx.worldWithheld) ctx.missing.push({ field: 'worldSize', hint: 'set trainer.devices and trainer.num_nodes to numbers (the launcher may override them: trainer.devices=8), or assume.worldSize in .trainlint.yml' });
}

/**
 * NeMo 2 run configs (NeMo-Run YAML): trainer (devices, num_nodes, max_steps, MegatronStrategy
 * parallel sizes), data module batch sizes, MegatronOptimizerModule config and scheduler.
 */
function extractNemo2(ctx: Ctx, env: ExtractEnv): void {
  const { v, plan } = ctx;
  worldFromTrainer(ctx);
  applyAssumptions(plan, env.assume);
  parallel(ctx, { tp: 'trainer.strategy.tensor_model_parallel_size', pp: 'trainer.strategy.pipeline_model_parallel_size', cp: 'trainer.strategy.context_parallel_size' });
  const micro = v.num('data.micro_batch_size');
  if (micro) plan.microBatchSize = withUnit(micro, 'samples');
  const global = v.num('data.global_batch_size');
  if (global) plan.globalBatchSize = withUnit(global, 'samples');
  const dp = dataParallel(plan);
  if (global && micro && dp && global.value % (micro.value * dp.value) === 0) plan.gradAccumSteps = derived(global.value / (micro.value * dp.value), `${formatCount(global.value)} / (${formatCount(micro.value)} × ${formatCount(dp.value)}) (global / (micro × data-parallel))`);
  ctx.launchChecks['batch-size-mismatch'] = 'NeMo 2 refuses to start (its data sampler raises "`global_batch_size` is not divisible by `micro_batch_size` x `data_parallel_size`")';
  const maxSteps = v.num('trainer.max_steps');
  if (maxSteps && maxSteps.value > 0) plan.totalSteps = withUnit(maxSteps, 'steps');
  const lr = v.num('optim.config.lr');
  if (lr) plan.peakLr = lr;
  if (!nemo2Scheduler(ctx)) {
    const target = v.str('optim.lr_scheduler._target_');
    if (target) plan.scheduler = target;
  }
  const vci = v.num('trainer.val_check_interval');
  if (vci && Number.isInteger(vci.value) && vci.value >= 1) plan.evalEverySteps = withUnit(vci, 'steps');
  if (!plan.totalSteps) ctx.missing.push({ field: 'totalSteps', hint: 'set trainer.max_steps, or assume.totalSteps in .trainlint.yml' });
}

/** Megatron-Bridge YAML override files: Megatron-LM semantics under train/optimizer/scheduler/checkpoint. */
function extractBridge(ctx: Ctx, env: ExtractEnv): void {
  const { v, plan, notes } = ctx;
  applyAssumptions(plan, env.assume);
  parallel(ctx, { tp: 'model.tensor_model_parallel_size', pp: 'model.pipeline_model_parallel_size', cp: 'model.context_parallel_size' });
  const gbs = v.num('train.global_batch_size');
  const mbs = v.num('train.micro_batch_size');
  if (gbs) plan.globalBatchSize = withUnit(gbs, 'samples');
  if (mbs) plan.microBatchSize = withUnit(mbs, 'samples');
  const dp = dataParallel(plan);
  if (gbs && mbs && dp && gbs.value % (mbs.value * dp.value) === 0) plan.gradAccumSteps = derived(gbs.value / (mbs.value * dp.value), `${formatCount(gbs.value)} / (${formatCount(mbs.value)} × ${formatCount(dp.value)}) (global / (micro × data-parallel))`);
  ctx.launchChecks['batch-size-mismatch'] = 'Megatron-Bridge refuses to start (Megatron-Core\'s micro-batch calculator asserts the global batch is divisible by micro batch × data-parallel size)';

  const iters = v.num('train.train_iters');
  const samples = v.num('train.train_samples');
  const epochs = v.num('train.num_epochs');
  const lengths = [iters, samples, epochs].filter((s): s is Setting<number> => s !== undefined && s.value !== null);
  if (lengths.length > 1) conflict(ctx, 'run-length-twice', `${lengths.map((s) => s.key).join(' and ')} are all set: Megatron-Bridge raises "Cannot specify more than one of train_iters, train_samples, or num_epochs" at start-up; keep one`, ...lengths.slice(1));
  if (iters) plan.totalSteps = withUnit(iters, 'steps');
  else if (samples && gbs) plan.totalSteps = { ...derivedFrom(samples, Math.floor(samples.value / gbs.value), `${named(samples)} // ${named(gbs)}`, 'steps'), writtenAs: { unit: 'samples', perStep: gbs.value, value: samples.value } };
  const lr = v.num('optimizer.lr');
  if (lr) plan.peakLr = lr;
  const finetuneLr = v.num('optimizer.finetune_lr');
  if (!lr && finetuneLr) plan.peakLr = finetuneLr;
  const minLr = v.num('optimizer.min_lr');
  if (minLr) plan.minLr = minLr;
  const style = v.str('scheduler.lr_decay_style');
  if (style) plan.scheduler = style;
  const wIters = v.num('scheduler.lr_warmup_iters');
  const wFrac = v.num('scheduler.lr_warmup_fraction');
  const wSamples = v.num('scheduler.lr_warmup_samples');
  if (wFrac && (wIters || wSamples)) {
    conflict(ctx, 'warmup-fraction-and-count', `scheduler.lr_warmup_fraction is set with ${wIters ? 'lr_warmup_iters' : 'lr_warmup_samples'}: Megatron-Bridge raises "Cannot specify lr_warmup_fraction=… with lr_warmup_iters=… or lr_warmup_samples=…" at start-up; keep one`, wFrac);
  }
  const decayIters = v.num('scheduler.lr_decay_iters');
  const total = plan.totalSteps;
  const decay = decayIters
    ? withUnit(decayIters, 'steps')
    : total
      ? derived(total.value, 'scheduler.lr_decay_iters not set here: train.train_iters (Megatron-Bridge\'s default, unless the recipe sets it)', 'steps')
      : undefined;
  if (decay && style?.value !== 'constant') plan.decaySteps = decay;
  if (wIters) plan.warmupSteps = withUnit(wIters, 'steps');
  else if (wFrac && decay) plan.warmupSteps = { ...derivedFrom(wFrac, Math.floor(wFrac.value * decay.value), `${wFrac.value} × decay ${formatCount(decay.value)}`, 'steps'), fractionOf: { fraction: wFrac.value, of: 'the decay horizon', ofSteps: decay.value } };
  else if (wSamples && gbs) plan.warmupSteps = { ...derivedFrom(wSamples, Math.ceil(wSamples.value / gbs.value), `ceil(${named(wSamples)} / ${named(gbs)})`, 'steps'), writtenAs: { unit: 'samples', perStep: gbs.value, value: wSamples.value } };
  if (plan.warmupSteps && decay && plan.warmupSteps.value >= decay.value) {
    // Megatron-Core's scheduler counts samples (lr_decay_steps = iterations × global batch): the cap is
    // one sample short of the horizon, so the warmup still spans all of it.
    const capSamples = gbs ? ` = ${formatCount(decay.value * gbs.value - 1)} samples` : '';
    notes.push(
      `warmup ${formatCount(plan.warmupSteps.value)} ≥ decay ${formatCount(decay.value)} steps: Megatron-Bridge warns and caps the warmup at lr_decay_steps − 1${capSamples} (_calculate_scheduler_steps; its scheduler counts samples), ` +
        `one sample short of the decay horizon: the LR climbs for all ${formatCount(decay.value)} steps and never decays (Megatron-Core's lr_warmup_steps < lr_decay_steps assertion does not fire)`,
    );
  }
  const maxSteps = v.num('scheduler.max_steps');
  if (maxSteps && iters && maxSteps.value < iters.value) {
    ctx.launchChecks['decay-horizon-mismatch'] = `Megatron-Bridge refuses to start ("scheduler.max_steps (${formatCount(maxSteps.value)}) must be greater than or equal to train.train_iters (${formatCount(iters.value)})")`;
    plan.decaySteps = withUnit(maxSteps, 'steps');
  }
  ctx.launchChecks['min-lr-exceeds-lr'] = 'Megatron-Bridge refuses to start (Megatron-Core\'s OptimizerParamScheduler asserts max_lr >= min_lr)';
  const save = v.num('checkpoint.save_interval');
  if (save && save.value > 0) plan.saveEverySteps = withUnit(save, 'steps');
  const evalEvery = v.num('train.eval_interval');
  const evalIters = v.num('train.eval_iters');
  if (evalEvery && evalEvery.value > 0 && !(evalIters && evalIters.value === 0)) plan.evalEverySteps = withUnit(evalEvery, 'steps');
  const seq = v.num('model.seq_length') ?? v.num('dataset.seq_length');
  if (seq) plan.seqLen = withUnit(seq, 'tokens');
  notes.push('a Megatron-Bridge override file: keys it leaves out come from the Python recipe it overrides, so they are unknown here');
  if (!plan.worldSize && !plan.dataParallelSize) ctx.missing.push({ field: 'worldSize', hint: 'launch with torchrun --nproc_per_node N in a committed script, or set assume.worldSize in .trainlint.yml' });
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const empty = (note: string): Extraction => ({ plan: {}, missing: [], anchor: fileStartRange(file), notes: [note] });
  let form: Form;
  let cmd: LaunchCommand | undefined;
  let commands: LaunchCommand[] = [];
  if (file.format === 'shell') {
    commands = (file.script?.commands ?? []).filter(nemoCommand);
    cmd = commands[0];
    if (!cmd) return empty('no NeMo training command found');
    form = 'script';
  } else {
    const y = yamlForm(file);
    if (!y) return empty('not a NeMo config');
    form = y.form;
  }
  const view: HydraView = hydraView(file, env, { command: cmd });
  const anchor = cmd?.range ?? fileStartRange(file);
  const notes = [...view.notes, ...view.config.notes];
  for (const u of view.config.unread) notes.push(`${u.file}:${u.range.line}: defaults entry ${u.entry} is ${u.why}; the keys it would set are unknown`);
  const configErrors: ConfigError[] = overrideConfigErrors(view, 'NeMo');
  const base = { anchor, ...(configErrors.length ? { configErrors } : {}), ...viewExtraction(view) };
  if (commands.length > 1) notes.push(`${commands.length} NeMo commands in this script; the first (line ${cmd!.range.line}) is linted`);
  if (view.commandConfig) {
    notes.push(commandConfigNote(view.commandConfig));
    return { plan: {}, missing: [], notes, ...base };
  }
  const v = new HydraValues(file, view, form === 'nemo1' ? NEMO1_DEFAULTS : {}, RESOLVERS, 'NeMo default');
  const ctx: Ctx = { file, v, plan: {}, missing: [], notes, conflicts: [], checks: [], ignored: [], anchor, launchChecks: {}, partial: form === 'bridge' || form === 'script', form };
  if (cmd && form === 'script') {
    const w = launcherWorldSize(cmd);
    if (w && cmd.launcher !== 'python') ctx.plan.worldSize = { value: w.value, origin: 'launcher', file: file.path, key: w.key, range: w.range, how: w.how };
    if (!view.commandConfig) notes.push('the config this command names is not in the repository: only the command\'s overrides are known');
  }
  if (form === 'bridge') extractBridge(ctx, env);
  else if (form === 'nemo2') extractNemo2(ctx, env);
  else extractNemo1(ctx, env);
  for (const n of v.reader.notes) if (!notes.includes(n)) notes.push(n);
  return {
    plan: ctx.plan,
    missing: ctx.missing,
    notes: [...new Set(notes)],
    ...base,
    conflicts: ctx.conflicts,
    ...(ctx.checks.length ? { batchChecks: ctx.checks } : {}),
    ...(ctx.ignored.length ? { ignored: ctx.ignored } : {}),
    launchChecks: ctx.launchChecks,
    afterDecay: 'flat',
    // Megatron-Bridge: scheduler.lr_decay_iters falls back to train.train_iters.
    ...(form === 'bridge' ? { decayDefaultsToRun: true } : {}),
  };
}

export const nemo: Dialect = {
  meta: {
    id: 'nemo',
    formats: ['shell', 'yaml'],
    title: 'NVIDIA NeMo',
    description: 'NeMo 1.x Hydra YAML (LLM/NLP, ASR, Launcher, Aligner), NeMo 2 scheduler blocks, Megatron-Bridge override YAML, and NeMo example scripts with Hydra overrides',
    yamlLoader: 'omegaconf',
    schema: 'nemo.schema.json',
    hydra: true,
    rejectsDuplicateKeys: 'Hydra reads YAML with OmegaConf\'s loader, which raises "found duplicate key"',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return (file.script?.commands ?? []).some(nemoCommand) ? 9 : 0;
    if (file.format !== 'yaml') return 0;
    // What every form of yamlForm needs, asked of the shared facts first: a `trainer:` or `train:` mapping.
    if (!facts.some(TRAINER_GROUP) || (!facts.map('trainer') && !facts.map('train'))) return 0;
    return yamlForm(file)?.score ?? 0;
  },
  extract,
};
