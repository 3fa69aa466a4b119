/**
 * verl (volcengine/verl, now verl-project/verl): RL post-training (PPO, GRPO, RLOO, REINFORCE++,
 * DAPO…) with `python3 -m verl.trainer.main_ppo key=value …` launch scripts and Hydra trainer YAML
 * (`ppo_trainer.yaml`, `ppo_megatron_trainer.yaml`, configs whose defaults list names them), and the
 * SFT trainer (`torchrun … -m verl.trainer.fsdp_sft_trainer`, `sft_trainer.yaml`).
 *
 * Facts (keys, defaults, start-up assertions, units): research/frameworks-wave2-nemo-rl-jax.md §1.4
 * and §2, read in verl's source (`verl/utils/config.py:validate_config`, `workers/config/actor.py`,
 * `workers/fsdp_workers.py`, `trainer/ppo/ray_trainer.py`, `trainer/fsdp_sft_trainer.py`).
 *
 * Units (RL): `data.train_batch_size` counts prompts per rollout step, `ppo_mini_batch_size` prompts
 * per optimizer step, `ppo_micro_batch_size_per_gpu` responses; the actor's LR scheduler steps once
 * per rollout step, so total steps, warmup, decay and the save/test intervals are rollout steps.
 * The plan's `globalBatchSize` is responses per optimizer step (mini × n).
 */
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, dataParallel, derived, derivedFrom, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { commandConfigNote, hydraView, overrideConfigErrors, viewExtraction, type HydraView } from '../engine/hydra/view.js';
import { readDefaultsList } from '../engine/hydra/defaults-list.js';
import { mapGet, type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { HydraValues, knownKeys, type DefaultValue } from './hydra-values.js';
import type { BatchCheck, ConfigError, Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { detectFacts, keyGroup } from './detect-facts.js';

// ── Packaged defaults (verl @ b178a3cd5: _generated_ppo_trainer.yaml, dataclass defaults) ───

const A = 'actor_rollout_ref.actor';
const R = 'actor_rollout_ref.rollout';

/** PPO trainer defaults common to the FSDP and Megatron configs. */
const PPO_COMMON: Record<string, DefaultValue> = {
  'trainer.n_gpus_per_node': 8,
  'trainer.nnodes': 1,
  'trainer.total_epochs': 30,
  'trainer.total_training_steps': null,
  'trainer.save_freq': -1,
  'trainer.test_freq': -1,
  'data.train_batch_size': 1024,
  'data.max_prompt_length': 512,
  'data.max_response_length': 512,
  [`${R}.n`]: 1,
  [`${R}.tensor_model_parallel_size`]: 2,
  [`${R}.data_parallel_size`]: 1,
  [`${R}.pipeline_model_parallel_size`]: 1,
  [`${R}.log_prob_micro_batch_size`]: null,
  [`${R}.log_prob_micro_batch_size_per_gpu`]: null,
  'actor_rollout_ref.ref.log_prob_micro_batch_size': null,
  'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu': null,
  [`${A}.ppo_mini_batch_size`]: 256,
  [`${A}.ppo_micro_batch_size`]: null,
  [`${A}.ppo_micro_batch_size_per_gpu`]: null,
  [`${A}.use_dynamic_bsz`]: false,
  [`${A}.ppo_epochs`]: 1,
  [`${A}.use_kl_loss`]: false,
  [`${A}.optim.lr`]: 1e-6,
  [`${A}.optim.lr_warmup_steps`]: -1,
  [`${A}.optim.lr_warmup_steps_ratio`]: 0,
  'critic.optim.lr': 1e-5,
  'critic.ppo_micro_batch_size': null,
  'critic.ppo_micro_batch_size_per_gpu': null,
  'critic.enable': null,
  'algorithm.adv_estimator': 'gae',
  'algorithm.use_kl_in_reward': false,
};

/** FSDP actor (dp_actor.yaml, optim/fsdp.yaml). */
const PPO_FSDP: Record<string, DefaultValue> = {
  ...PPO_COMMON,
  [`${A}.strategy`]: 'fsdp',
  [`${A}.ulysses_sequence_parallel_size`]: 1,
  [`${A}.optim.lr_scheduler_type`]: 'constant',
  [`${A}.optim.warmup_style`]: null,
  [`${A}.optim.min_lr_ratio`]: 0,
  [`${A}.optim.num_cycles`]: 0.5,
};

/** Megatron actor (megatron_actor.yaml, optim/megatron.yaml, engine/megatron.yaml). */
const PPO_MEGATRON: Record<string, DefaultValue> = {
  ...PPO_COMMON,
  [`${A}.strategy`]: 'megatron',
  [`${A}.megatron.tensor_model_parallel_size`]: 1,
  [`${A}.megatron.pipeline_model_parallel_size`]: 1,
  [`${A}.megatron.context_parallel_size`]: 1,
  [`${A}.optim.lr_decay_style`]: 'constant',
  [`${A}.optim.lr_decay_steps`]: null,
  [`${A}.optim.min_lr`]: 0,
};

/** SFT trainer (sft_trainer.yaml). */
const SFT: Record<string, DefaultValue> = {
  'data.train_batch_size': 256,
  'data.micro_batch_size_per_gpu': 4,
  'data.micro_batch_size': null,
  'data.use_dynamic_bsz': false,
  'optim.lr': 1e-5,
  'optim.lr_warmup_steps_ratio': 0.1,
  'optim.lr_scheduler': 'cosine',
  'ulysses_sequence_parallel_size': 1,
  'trainer.total_epochs': 4,
  'trainer.total_training_steps': null,
  'trainer.save_freq': -1,
  'trainer.test_freq': -1,
};

/**
 * Keys verl's packaged PPO config has had for a long time (an append `+key=…` on one of them is
 * refused by Hydra). Kept to keys stable across verl versions: newer keys may not exist in the
 * version a script was written for.
 */
const STABLE_PPO_KEYS = knownKeys({
  'trainer.n_gpus_per_node': 0,
  'trainer.nnodes': 0,
  'trainer.total_epochs': 0,
  'trainer.total_training_steps': 0,
  'trainer.save_freq': 0,
  'trainer.test_freq': 0,
  'data.train_batch_size': 0,
  'data.max_prompt_length': 0,
  'data.max_response_length': 0,
  [`${R}.n`]: 0,
  [`${R}.tensor_model_parallel_size`]: 0,
  [`${A}.ppo_mini_batch_size`]: 0,
  [`${A}.ppo_epochs`]: 0,
  [`${A}.optim.lr`]: 0,
  'critic.optim.lr': 0,
  'algorithm.adv_estimator': 0,
});

const PPO_MODULE = /^(?:verl\.trainer\.main_ppo|recipe\.\w+\.main_\w+)$/;
const SFT_MODULE = /^verl\.trainer\.(?:fsdp_sft_trainer|sft_trainer)$/;
const PPO_PRIMARY = /(?:^|\/)(?:_generated_)?ppo_(?:megatron_)?trainer$/;

// ── Detection ───────────────────────────────────────────────────────────────────────────

type Kind = 'ppo' | 'sft';

function commandKind(cmd: LaunchCommand): Kind | undefined {
  if (cmd.module && PPO_MODULE.test(cmd.module)) return 'ppo';
  if (cmd.module && SFT_MODULE.test(cmd.module)) return 'sft';
  if (cmd.script && /(?:^|\/)main_ppo\.py$/.test(cmd.script)) return 'ppo';
  if (cmd.args.some((a) => a.flag === '' && /^\+{0,2}actor_rollout_ref\./.test(a.value ?? ''))) return 'ppo';
  return undefined;
}

function isMap(node: MapNode, key: string): boolean {
  return mapGet(node, key)?.value.kind === 'map';
}

function yamlKind(file: SourceFile): Kind | undefined {
  const root = file.tree;
  if (!root || root.kind !== 'map') return undefined;
  if (isMap(root, 'actor_rollout_ref')) return 'ppo';
  const list = readDefaultsList(root);
  if (list?.entries.some((e) => e.kind === 'config' && PPO_PRIMARY.test([e.group, ...e.options].filter(Boolean).join('/')))) return 'ppo';
  const data = mapGet(root, 'data')?.value;
  const trainer = mapGet(root, 'trainer')?.value;
  if (data?.kind === 'map' && trainer?.kind === 'map' && mapGet(data, 'micro_batch_size_per_gpu') && (mapGet(trainer, 'default_local_dir') || mapGet(trainer, 'total_epochs'))) {
    return 'sft';
  }
  return undefined;
}

const PPO_KEYS_GROUP = keyGroup(['actor_rollout_ref', 'defaults']);
const SFT_KEYS_GROUP = keyGroup(['data', 'trainer']);

// ── Extraction ──────────────────────────────────────────────────────────────────────────

interface Ctx {
  file: SourceFile;
  v: HydraValues;
  view: HydraView;
  plan: TrainingPlan;
  missing: MissingField[];
  notes: string[];
  conflicts: Conflict[];
  checks: BatchCheck[];
  configErrors: ConfigError[];
  ignored: IgnoredSetting[];
  anchor: Range;
  launchChecks: Record<string, string>;
  /** A launch script, or a config a launch script starts: what verl requires at start-up must be set. */
  launched: boolean;
}

const describe = (s: Setting): string => `${s.key ?? ''} ${formatCount(Number(s.value))}${s.origin === 'default' ? ' (verl default)' : ''}`.trim();

const gpus = (n: number): string => `${formatCount(n)} GPU${n === 1 ? '' : 's'}`;

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

function nearestMultiple(value: number, of: number): number {
  return Math.max(of, Math.round(value / of) * of);
}

function report(ctx: Ctx, kind: string, message: string, data: Record<string, unknown>, ...at: (Setting | undefined)[]): void {
  ctx.checks.push({ kind, message, range: ctx.v.rangeOf(...at) ?? ctx.anchor, data });
}

const AFTER_ALLOCATION = 'verl stops before training, after the GPUs are allocated';

/** PPO: world size, parallel sizes and the data-parallel size the actor's batches are divided by. */
function ppoParallel(ctx: Ctx, megatron: boolean): { world?: Setting<number>; dp?: number; sp: number; mp: number } {
  const { v, plan } = ctx;
  const perNode = v.num('trainer.n_gpus_per_node');
  const nodes = v.num('trainer.nnodes');
  let world: Setting<number> | undefined;
  if (perNode && nodes) {
    const how = `${describe(perNode)} × ${describe(nodes)}`;
    const written = [perNode, nodes].find((s) => s.origin !== 'default');
    world = written ? derivedFrom(written, perNode.value * nodes.value, how, 'GPUs') : { ...derived(perNode.value * nodes.value, how, 'GPUs'), origin: 'default', key: 'trainer.n_gpus_per_node' };
    plan.worldSize = world;
  }
  const sp = megatron ? 1 : (v.num(`${A}.ulysses_sequence_parallel_size`)?.value ?? 1);
  let mp = 1;
  if (megatron) {
    const tp = v.num(`${A}.megatron.tensor_model_parallel_size`);
    const pp = v.num(`${A}.megatron.pipeline_model_parallel_size`);
    const cp = v.num(`${A}.megatron.context_parallel_size`);
    mp = (tp?.value ?? 1) * (pp?.value ?? 1) * (cp?.value ?? 1);
    if (world && mp > 0 && world.value % mp !== 0 && !ctx.v.bool(`${A}.use_dynamic_bsz`)?.value) {
      report(
        ctx,
        'gpus-not-divisible-by-model-parallel',
        `${formatCount(world.value)} GPUs (${world.how}) are not divisible by tensor × pipeline × context parallel = ${formatCount(tp?.value ?? 1)} × ${formatCount(pp?.value ?? 1)} × ${formatCount(cp?.value ?? 1)} = ${formatCount(mp)}: ` +
          `${AFTER_ALLOCATION} ("n_gpus (${formatCount(world.value)}) must be divisible by model_parallel_size (${formatCount((tp?.value ?? 1) * (pp?.value ?? 1))}) times context_parallel_size (${formatCount(cp?.value ?? 1)})"); ` +
          `run on a multiple of ${formatCount(mp)} GPUs or lower the model parallelism`,
        { nGpus: world.value, modelParallel: mp },
        tp,
        pp,
        cp,
        perNode,
        nodes,
      );
      return { world, sp, mp };
    }
  }
  const divisor = megatron ? mp : sp;
  if (!world || divisor <= 0) return { world, sp, mp };
  if (world.value % divisor !== 0) return { world, sp, mp };
  const dp = world.value / divisor;
  // Always stated: the batch arithmetic divides by it (the worker's `world_size // ulysses_sp`), also when it is the GPU count.
  plan.dataParallelSize = derived(dp, megatron ? `${formatCount(world.value)} GPUs / (TP × PP × CP = ${formatCount(mp)})` : `${formatCount(world.value)} GPUs / ulysses_sequence_parallel_size ${formatCount(sp)}`);
  return { world, dp, sp, mp };
}

/** The rollout engine (vLLM/SGLang) splits the GPUs into replicas of TP × DP × PP. */
function rolloutMesh(ctx: Ctx, world: Setting<number> | undefined): void {
  const tp = ctx.v.num(`${R}.tensor_model_parallel_size`);
  if (!world || !tp) return;
  const dp = ctx.v.num(`${R}.data_parallel_size`)?.value ?? 1;
  const pp = ctx.v.num(`${R}.pipeline_model_parallel_size`)?.value ?? 1;
  const infer = tp.value * dp * pp;
  if (infer <= 0 || world.value % infer === 0) return;
  const defaultNote = tp.origin === 'default' ? ` (verl's default is ${formatCount(tp.value)}: a single-GPU run must set ${R}.tensor_model_parallel_size=1)` : '';
  report(
    ctx,
    'rollout-tp-does-not-divide',
    `rollout tensor parallel ${formatCount(tp.value)}${dp * pp > 1 ? ` × data parallel ${formatCount(dp)} × pipeline ${formatCount(pp)}` : ''} = ${formatCount(infer)} GPUs per rollout replica does not divide the ${gpus(world.value)} (${world.how}): ` +
      `${AFTER_ALLOCATION} ("rollout world_size: ${formatCount(world.value)} is not divisible by infer_world_size: ${formatCount(infer)}")${defaultNote}; ` +
      `set ${R}.tensor_model_parallel_size to a divisor of ${formatCount(world.value)}`,
    { nGpus: world.value, inferWorldSize: infer, rolloutTensorParallel: tp.value },
    tp,
    world,
  );
}

/** Actor and critic batch arithmetic (validate_config, ActorConfig.validate, the workers' normalization). */
function ppoBatches(ctx: Ctx, megatron: boolean, parallel: ReturnType<typeof ppoParallel>): void {
  const { v, plan, notes } = ctx;
  const tbs = v.num('data.train_batch_size');
  const n = v.num(`${R}.n`);
  const mini = v.num(`${A}.ppo_mini_batch_size`);
  const micro = v.num(`${A}.ppo_micro_batch_size_per_gpu`);
  const globalMicro = v.num(`${A}.ppo_micro_batch_size`);
  const epochs = v.num(`${A}.ppo_epochs`);
  const dynamic = v.bool(`${A}.use_dynamic_bsz`)?.value === true;
  const { world, dp, sp } = parallel;

  if (tbs) plan.promptsPerRolloutStep = withUnit(tbs, 'prompts');
  if (n) plan.samplesPerPrompt = withUnit(n, 'responses');
  if (micro && !dynamic) plan.microBatchSize = withUnit(micro, 'responses');
  if (mini && n && tbs && mini.value > tbs.value) {
    // dp_actor splits each rank's batch into mini-batches of ppo_mini_batch_size: a larger mini
    // batch is one (smaller) mini-batch holding the whole rollout batch (research §2.4).
    plan.globalBatchSize = derivedFrom(
      tbs,
      tbs.value * n.value,
      `${describe(tbs)} prompts × ${describe(n)} responses each: ${A}.ppo_mini_batch_size ${formatCount(mini.value)} is larger, so each optimizer step takes the whole rollout batch (responses per optimizer step)`,
      'responses',
    );
  } else if (mini && n) {
    plan.globalBatchSize = derivedFrom(mini, mini.value * n.value, `${describe(mini)} prompts × ${describe(n)} responses each (responses per optimizer step)`, 'responses');
  }
  if (tbs && mini && epochs && mini.value > 0) {
    const perEpoch = Math.ceil(tbs.value / mini.value);
    plan.optimizerStepsPerRolloutStep = derived(
      epochs.value * perEpoch,
      `${describe(epochs)} × ceil(${describe(tbs)} / ${describe(mini)})`,
      'optimizer steps',
    );
  }
  if (mini && n && dp && micro && !dynamic) {
    const normalized = Math.floor((mini.value * n.value) / dp);
    if (normalized > 0 && normalized % micro.value === 0) {
      plan.gradAccumSteps = derived(normalized / micro.value, `(${describe(mini)} × ${formatCount(n.value)} // ${formatCount(dp)} data-parallel ranks) / ${describe(micro)}`);
    }
  }

  // Both micro-batch spellings, or neither (ActorConfig.__post_init__).
  if (globalMicro && micro) {
    ctx.conflicts.push({
      kind: 'micro-batch-both-spellings',
      range: v.rangeOf(globalMicro, micro) ?? ctx.anchor,
      message: `${A}.ppo_micro_batch_size and ${A}.ppo_micro_batch_size_per_gpu are both set: verl raises "[actor] You have set both 'actor.ppo_micro_batch_size' AND 'actor.ppo_micro_batch_size_per_gpu'" at start-up; keep ppo_micro_batch_size_per_gpu (the global spelling is deprecated)`,
    });
  }
  if (!dynamic && !globalMicro && !micro) {
    required(ctx, `${A}.ppo_micro_batch_size_per_gpu`, `${A}.ppo_micro_batch_size_per_gpu is not set and use_dynamic_bsz is off: verl stops at start-up ("[actor] Please set at least one of 'actor.ppo_micro_batch_size' or 'actor.ppo_micro_batch_size_per_gpu' if use_dynamic_bsz is not enabled."); set ${A}.ppo_micro_batch_size_per_gpu`, v.rangeOf(mini, tbs));
  }
  for (const role of ['rollout', 'ref'] as const) {
    const section = `actor_rollout_ref.${role}`;
    if (role === 'ref' && !(v.bool(`${A}.use_kl_loss`)?.value || v.bool('algorithm.use_kl_in_reward')?.value)) continue;
    const own = v.bool(`${section}.log_prob_use_dynamic_bsz`);
    if ((own?.value ?? dynamic) === true) continue;
    const lpGlobal = v.num(`${section}.log_prob_micro_batch_size`);
    const lpPerGpu = v.num(`${section}.log_prob_micro_batch_size_per_gpu`);
    if (lpGlobal && lpPerGpu) {
      ctx.conflicts.push({
        kind: 'log-prob-micro-batch-both-spellings',
        range: v.rangeOf(lpGlobal, lpPerGpu) ?? ctx.anchor,
        message: `${section}.log_prob_micro_batch_size and log_prob_micro_batch_size_per_gpu are both set: verl's validate_config raises "[${section}] You have set both '${section}.log_prob_micro_batch_size' AND '${section}.log_prob_micro_batch_size_per_gpu'" at start-up; keep log_prob_micro_batch_size_per_gpu (the global spelling is deprecated)`,
      });
    }
    if (lpGlobal || lpPerGpu) continue;
    if (!v.isNull(`${section}.log_prob_micro_batch_size_per_gpu`) || !v.isNull(`${section}.log_prob_micro_batch_size`)) continue;
    required(ctx, `${section}.log_prob_micro_batch_size_per_gpu`, `${section}.log_prob_micro_batch_size_per_gpu is not set: verl's validate_config stops the run ("[${section}] Please set at least one of '${section}.log_prob_micro_batch_size' or '${section}.log_prob_micro_batch_size_per_gpu'."); set ${section}.log_prob_micro_batch_size_per_gpu`);
  }

  if (dynamic) {
    notes.push(`${A}.use_dynamic_bsz is on: verl skips its static batch checks (validate_config) and packs micro-batches by token count`);
    if (tbs && mini && mini.value > tbs.value) {
      notes.push(`${A}.ppo_mini_batch_size ${formatCount(mini.value)} > data.train_batch_size ${formatCount(tbs.value)}: with use_dynamic_bsz each rollout step is one optimizer step on ${formatCount(tbs.value)} prompts`);
    }
  } else if (tbs && n && world) {
    // validate_config: real_train_batch_size % minimal_bsz.
    const minimal = megatron ? (dp && micro ? dp * micro.value : undefined) : world.value;
    const real = tbs.value * n.value;
    if (minimal && real % minimal !== 0) {
      const step = minimal / gcd(n.value, minimal);
      const what = megatron ? `the minimal batch ${formatCount(dp!)} data-parallel ranks × ${describe(micro!)} = ${formatCount(minimal)}` : `the ${formatCount(minimal)} GPUs (${world.how})`;
      report(
        ctx,
        'train-batch-not-divisible',
        `data.train_batch_size ${formatCount(tbs.value)} × ${R}.n ${formatCount(n.value)} = ${formatCount(real)} responses per rollout step is not divisible by ${what}: ` +
          `${AFTER_ALLOCATION} ("real_train_batch_size (${formatCount(real)}) must be divisible by minimal possible batch size (${formatCount(minimal)})"); ` +
          `use a data.train_batch_size that is a multiple of ${formatCount(step)} (e.g. ${formatCount(nearestMultiple(tbs.value, step))})`,
        { realTrainBatchSize: real, minimalBatchSize: minimal, trainBatchSize: tbs.value, n: n.value },
        tbs,
        n,
      );
    }
    if (mini && tbs.value < mini.value) {
      report(
        ctx,
        'mini-batch-above-train-batch',
        `${A}.ppo_mini_batch_size ${formatCount(mini.value)} is larger than data.train_batch_size ${formatCount(tbs.value)} (both count prompts): ` +
          `${AFTER_ALLOCATION} ("train_batch_size (${formatCount(tbs.value)}) must be >= actor.ppo_mini_batch_size (${formatCount(mini.value)})"); ` +
          (!megatron && dp ? miniAdvice(`${A}.ppo_mini_batch_size`, mini, n, dp, micro, tbs.value, world.value) : `lower ppo_mini_batch_size to at most ${formatCount(tbs.value)} (a divisor of it, e.g. ${formatCount(largestDivisorAtMost(tbs.value, mini.value))})`),
        { trainBatchSize: tbs.value, ppoMiniBatchSize: mini.value },
        mini,
        tbs,
      );
    }
    if (globalMicro && mini && world) {
      if (mini.value % globalMicro.value !== 0) {
        report(ctx, 'mini-not-divisible-by-global-micro', `${A}.ppo_mini_batch_size ${formatCount(mini.value)} is not divisible by the deprecated global ${A}.ppo_micro_batch_size ${formatCount(globalMicro.value)}: ${AFTER_ALLOCATION} ("ppo_mini_batch_size (${formatCount(mini.value)}) must be divisible by ppo_micro_batch_size (${formatCount(globalMicro.value)})"); use ppo_micro_batch_size_per_gpu instead`, { ppoMiniBatchSize: mini.value, ppoMicroBatchSize: globalMicro.value }, globalMicro, mini);
      }
      if (globalMicro.value * sp < world.value) {
        report(ctx, 'global-micro-below-gpus', `the deprecated global ${A}.ppo_micro_batch_size ${formatCount(globalMicro.value)} × ulysses_sequence_parallel_size ${formatCount(sp)} is below the ${formatCount(world.value)} GPUs: ${AFTER_ALLOCATION} ("ppo_micro_batch_size (${formatCount(globalMicro.value)}) * ulysses_sequence_parallel_size (${formatCount(sp)}) must be >= n_gpus (${formatCount(world.value)})"); use ppo_micro_batch_size_per_gpu instead`, { ppoMicroBatchSize: globalMicro.value, nGpus: world.value }, globalMicro);
      }
    }
  }

  // The FSDP worker normalizes the mini-batch per data-parallel rank (fsdp_workers.py), floor division.
  if (!megatron && mini && n && dp) {
    workerNormalization(ctx, 'actor', `${A}.ppo_mini_batch_size`, mini, n, dp, sp, dynamic ? undefined : micro, tbs?.value, world?.value);
  }
  const critic = criticInUse(ctx);
  if (critic) criticMicroBatch(ctx, dynamic, dp);
  const criticDynamic = (v.bool('critic.use_dynamic_bsz')?.value ?? dynamic) === true;
  if (critic && tbs && !criticDynamic) {
    // validate_config calls critic_config.validate whenever the critic runs: CriticConfig.validate (FSDP and Megatron).
    const cMini = v.num('critic.ppo_mini_batch_size') ?? mini;
    const cMicro = v.num('critic.ppo_micro_batch_size_per_gpu');
    // The FSDP critic worker normalizes its mini-batch per data-parallel rank too (Megatron's does not assert).
    const fsdpWorker = !megatron && n && dp ? { n, dp, sp, world: world?.value } : undefined;
    if (cMini && tbs.value < cMini.value) {
      const advice = fsdpWorker ? miniAdvice('critic.ppo_mini_batch_size', cMini, fsdpWorker.n, fsdpWorker.dp, cMicro, tbs.value, fsdpWorker.world) : `lower it to at most ${formatCount(tbs.value)}`;
      report(ctx, 'critic-mini-batch-above-train-batch', `critic.ppo_mini_batch_size ${formatCount(cMini.value)} is larger than data.train_batch_size ${formatCount(tbs.value)}: ${AFTER_ALLOCATION} ("train_batch_size (${formatCount(tbs.value)}) must be >= critic.ppo_mini_batch_size (${formatCount(cMini.value)})"); ${advice}`, { trainBatchSize: tbs.value, criticMiniBatchSize: cMini.value }, cMini, tbs);
    }
    if (cMini && fsdpWorker) workerNormalization(ctx, 'critic', 'critic.ppo_mini_batch_size', cMini, fsdpWorker.n, fsdpWorker.dp, sp, cMicro, tbs.value, fsdpWorker.world);
  }
}

/**
 * CriticConfig.__post_init__ (verl/workers/config/critic.py), when the critic runs: one micro-batch
 * spelling, not both, unless critic.use_dynamic_bsz (which defaults to the actor's) is on.
 */
function criticMicroBatch(ctx: Ctx, actorDynamic: boolean, dp: number | undefined): void {
  const { v } = ctx;
  if ((v.bool('critic.use_dynamic_bsz')?.value ?? actorDynamic) === true) return;
  const global = v.num('critic.ppo_micro_batch_size');
  const perGpu = v.num('critic.ppo_micro_batch_size_per_gpu');
  const raise = `verl raises "[critic] You have set both 'critic.micro_batch_size' AND 'critic.micro_batch_size_per_gpu'. Please remove 'critic.micro_batch_size' because only '*_micro_batch_size_per_gpu' is supported (the former is deprecated)." at start-up`;
  if (global && perGpu) {
    ctx.conflicts.push({
      kind: 'critic-micro-batch-both-spellings',
      range: v.rangeOf(global, perGpu) ?? ctx.anchor,
      message: `critic.ppo_micro_batch_size and critic.ppo_micro_batch_size_per_gpu are both set: ${raise}; keep ppo_micro_batch_size_per_gpu (the global spelling is deprecated)`,
    });
  } else if (global && !v.has('critic.ppo_micro_batch_size_per_gpu')) {
    // critic.yaml: ppo_micro_batch_size_per_gpu: ${oc.select:.ppo_micro_batch_size,null} copies the deprecated value.
    ctx.conflicts.push({
      kind: 'critic-micro-batch-both-spellings',
      range: v.rangeOf(global) ?? ctx.anchor,
      message:
        `critic.ppo_micro_batch_size ${formatCount(global.value)} is also the per-GPU micro batch (verl's critic.yaml sets ppo_micro_batch_size_per_gpu: \${oc.select:.ppo_micro_batch_size,null}), so both are set: ${raise}; ` +
        `write critic.ppo_micro_batch_size_per_gpu instead, a per-GPU count (the deprecated global one was divided by the data-parallel ranks${dp && global.value >= dp ? `: ${formatCount(global.value)} // ${formatCount(dp)} = ${formatCount(Math.floor(global.value / dp))}` : ''})`,
      data: { criticPpoMicroBatchSize: global.value },
    });
  }
  if (global || perGpu || !v.isNull('critic.ppo_micro_batch_size_per_gpu') || !v.isNull('critic.ppo_micro_batch_size')) return;
  const estimator = v.str('algorithm.adv_estimator');
  const why = v.bool('critic.enable')?.value ? 'critic.enable is true' : `algorithm.adv_estimator ${estimator?.value ?? 'gae'}${estimator?.origin === 'default' ? ' (verl default)' : ''} trains a critic`;
  required(
    ctx,
    'critic.ppo_micro_batch_size_per_gpu',
    `critic.ppo_micro_batch_size_per_gpu is not set and use_dynamic_bsz is off (${why}): verl stops at start-up ("[critic] Please set at least one of 'critic.micro_batch_size' or 'critic.micro_batch_size_per_gpu'."); set critic.ppo_micro_batch_size_per_gpu`,
    v.rangeOf(v.num('critic.ppo_mini_batch_size'), v.num('critic.optim.lr'), estimator),
  );
}

/**
 * A key verl requires at start-up that no config of the run sets. A launch (a script, or a config a
 * script starts) fails: a `schema` error. A trainer YAML on its own is a template whose launch
 * scripts set such keys (verl's own ppo_trainer.yaml leaves them null): a note and a hint.
 */
function required(ctx: Ctx, key: string, message: string, range?: Range): void {
  if (ctx.launched) {
    ctx.configErrors.push({ range: range ?? ctx.anchor, message });
    return;
  }
  ctx.notes.push(`${key} is not set: a launch of this config must set it (${message.slice(message.indexOf('verl'), message.indexOf(';'))})`);
}

/** The multiple of `step` nearest `mini`, kept at or below the train batch when one fits (mini ≤ train_batch_size). */
function suggestMini(mini: number, step: number, trainBatch: number | undefined): number {
  const near = nearestMultiple(mini, step);
  if (trainBatch === undefined || near <= trainBatch || step > trainBatch) return near;
  return Math.floor(trainBatch / step) * step;
}

function largestDivisorAtMost(value: number, limit: number): number {
  for (let d = Math.min(value, limit); d >= 1; d--) if (value % d === 0) return d;
  return 1;
}

/** The critic runs with GAE (algorithm.adv_estimator gae, verl's default) or when critic.enable is true. */
function criticInUse(ctx: Ctx): boolean {
  const enable = ctx.v.bool('critic.enable');
  if (enable) return enable.value;
  return ctx.v.str('algorithm.adv_estimator')?.value === 'gae';
}

/**
 * What to write for a mini-batch that fails one of verl's checks, keeping all of them: at most
 * data.train_batch_size (ActorConfig/CriticConfig.validate) and, after the FSDP worker's normalization
 * (mini × n // data-parallel ranks), a positive multiple of the per-GPU micro batch. A mini-batch that is a
 * multiple of `step` passes the worker; when no such value fits under the train batch, the train batch or the
 * micro batch has to change, and the advice says which values work together.
 */
function miniAdvice(key: string, mini: Setting<number>, n: Setting<number>, dp: number, micro: Setting<number> | undefined, trainBatch: number | undefined, world: number | undefined): string {
  const per = micro && micro.value > 0 ? micro.value : 1;
  const unit = dp * per;
  const step = unit / gcd(n.value, unit);
  if (trainBatch === undefined || step <= trainBatch) {
    const target = suggestMini(mini.value, step, trainBatch);
    return `use a ${key} that is a multiple of ${formatCount(step)}${trainBatch !== undefined ? ` and at most data.train_batch_size ${formatCount(trainBatch)}` : ''} (e.g. ${formatCount(target)})`;
  }
  // Keep the train batch and lower the micro batch, with the largest mini-batch the train batch allows.
  let lowerMicro: string | undefined;
  if (micro) {
    let best = 0;
    for (let m = trainBatch; m >= 1 && best === 0; m--) if ((m * n.value) % dp === 0) best = m;
    if (best === 0) for (let m = trainBatch; m >= 1 && best === 0; m--) if (Math.floor((m * n.value) / dp) > 0) best = m;
    const normalized = best > 0 ? Math.floor((best * n.value) / dp) : 0;
    const divisor = normalized > 0 ? largestDivisorAtMost(normalized, per - 1) : 0;
    if (divisor >= 1) lowerMicro = `set ${micro.key} to ${formatCount(divisor)} with ${key} ${formatCount(best)}`;
  }
  // The worker's floor division: a value below `step` may still pass (dropping the remainder's responses).
  for (let m = trainBatch; m >= 1; m--) {
    const normalized = Math.floor((m * n.value) / dp);
    if (normalized > 0 && normalized % per === 0) {
      const floored = `a ${key} of ${formatCount(m)} (at most data.train_batch_size ${formatCount(trainBatch)}; ${formatCount(m)} × n ${formatCount(n.value)} // ${formatCount(dp)} = ${formatCount(normalized)} responses per rank, the floor dropping ${formatCount((m * n.value) % dp)})`;
      return lowerMicro ? `${lowerMicro}, or use ${floored}` : `use ${floored}`;
    }
  }
  const why =
    `no ${key} up to data.train_batch_size ${formatCount(trainBatch)} passes the worker's check${micro ? ` with ${micro.key} ${formatCount(per)}` : ''} ` +
    `(${key} × n ${formatCount(n.value)} // ${formatCount(dp)} data-parallel ranks must be a positive multiple of ${formatCount(per)}, so ${key} ≥ ${formatCount(Math.ceil(unit / n.value))})`;
  // Raise the train batch to a multiple of `step` that validate_config's real_train_batch_size check also accepts (FSDP: n_gpus).
  const trainStep = world ? world / gcd(n.value, world) : 1;
  const together = (step * trainStep) / gcd(step, trainStep);
  return `${why}: raise data.train_batch_size to ${formatCount(together)} with ${key} ${formatCount(step)}${lowerMicro ? `, or ${lowerMicro}` : ''}`;
}

/** ppo_mini_batch_size *= n; //= (world // sp); asserts > 0 and % micro_per_gpu == 0 (fsdp_workers.py). */
function workerNormalization(
  ctx: Ctx,
  who: 'actor' | 'critic',
  key: string,
  mini: Setting<number>,
  n: Setting<number>,
  dp: number,
  sp: number,
  micro: Setting<number> | undefined,
  trainBatch: number | undefined,
  world: number | undefined,
): void {
  const normalized = Math.floor((mini.value * n.value) / dp);
  const how = `${formatCount(mini.value)} × n ${formatCount(n.value)} // (${formatCount(dp * sp)} GPUs // sp ${formatCount(sp)}) = ${formatCount(normalized)}`;
  if (normalized <= 0) {
    report(
      ctx,
      `${who}-mini-batch-zero-after-normalization`,
      `${key} ${formatCount(mini.value)} gives ${how} responses per data-parallel rank: ${AFTER_ALLOCATION} ("ppo_mini_batch_size ${formatCount(normalized)} should be larger than 0 after normalization"); ` +
        miniAdvice(key, mini, n, dp, micro, trainBatch, world),
      { who, normalized, dataParallelSize: dp },
      mini,
      n,
    );
    return;
  }
  if (!micro || micro.value <= 0) return;
  if (normalized % micro.value !== 0) {
    const floored = (mini.value * n.value) % dp !== 0 ? ` (the division floors ${formatCount((mini.value * n.value) / dp)})` : '';
    const divisor = largestDivisorAtMost(normalized, micro.value);
    const unit = dp * micro.value;
    const fits = trainBatch === undefined || unit / gcd(n.value, unit) <= trainBatch;
    const keepMini = mini.value <= (trainBatch ?? Infinity) && divisor > 1 && fits ? `, or a ${micro.key} that divides ${formatCount(normalized)} (e.g. ${formatCount(divisor)})` : '';
    report(
      ctx,
      `${who}-mini-batch-not-divisible-by-micro`,
      `${key} ${formatCount(mini.value)} gives ${how} responses per data-parallel rank${floored}, not divisible by ${micro.key} ${formatCount(micro.value)}: ` +
        `${AFTER_ALLOCATION} ("normalized ppo_mini_batch_size ${formatCount(normalized)} should be divisible by ppo_micro_batch_size_per_gpu ${formatCount(micro.value)}"); ` +
        miniAdvice(key, mini, n, dp, micro, trainBatch, world) +
        keepMini,
      { who, normalized, microBatchSize: micro.value, dataParallelSize: dp },
      micro,
      mini,
    );
  }
}

/**
 * The actor's warmup in rollout steps. FSDP (fsdp_workers.py): lr_warmup_steps when ≥ 0, else
 * int(lr_warmup_steps_ratio × total_training_steps). Megatron (megatron/optimizer.py): lr_warmup_steps
 * when > 0, else int(lr_warmup_steps_ratio × lr_decay_steps), lr_decay_steps defaulting to the run.
 */
function ppoWarmup(ctx: Ctx, megatron: boolean, horizon: Setting<number> | undefined): void {
  const { v, plan } = ctx;
  const warmSteps = v.num(`${A}.optim.lr_warmup_steps`);
  const ratio = v.num(`${A}.optim.lr_warmup_steps_ratio`);
  const stepsWin = warmSteps !== undefined && (megatron ? warmSteps.value > 0 : warmSteps.value >= 0);
  if (warmSteps && stepsWin) {
    plan.warmupSteps = { ...warmSteps, unit: 'rollout steps' };
    if (ratio && ratio.origin !== 'default' && ratio.value > 0) {
      ctx.ignored.push({
        key: `${A}.optim.lr_warmup_steps_ratio`,
        range: v.rangeOf(ratio) ?? ctx.anchor,
        message: `${A}.optim.lr_warmup_steps_ratio ${ratio.value} is ignored: verl uses lr_warmup_steps ${formatCount(warmSteps.value)} whenever it is ${megatron ? '> 0 (0 or -1 selects the ratio)' : '≥ 0 (-1 selects the ratio)'}; remove one of them`,
        data: { ratio: ratio.value, warmupSteps: warmSteps.value },
      });
    }
    return;
  }
  if (!ratio) return;
  if (ratio.value > 0) plan.warmupRatio = ratio;
  if (horizon) {
    const steps = Math.floor(ratio.value * horizon.value);
    const of = megatron ? (horizon.origin === 'derived' ? `${formatCount(horizon.value)} (lr_decay_steps unset: the run length)` : `lr_decay_steps ${formatCount(horizon.value)}`) : formatCount(horizon.value);
    const ofName = megatron ? (horizon.origin === 'derived' ? 'the decay horizon (the run)' : 'lr_decay_steps') : 'the run';
    plan.warmupSteps = { ...derivedFrom(ratio, steps, `int(${ratio.value} × ${of})`, 'rollout steps'), fractionOf: { fraction: ratio.value, of: ofName, ofSteps: horizon.value } };
  } else if (ratio.value === 0) {
    plan.warmupSteps = { ...ratio, value: 0, unit: 'rollout steps' };
  }
}

/**
 * Megatron-Core's OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps when verl builds
 * it, whatever the decay style. A warmup as long as the run is warmup-exceeds-training's finding
 * (this launch check names the assertion); a warmup shorter than the run but not shorter than a
 * written lr_decay_steps is two settings that contradict each other.
 */
function megatronWarmupAssertion(ctx: Ctx, total: Setting<number> | undefined, horizon: Setting<number> | undefined, decayWritten: Setting<number> | undefined): void {
  const w = ctx.plan.warmupSteps;
  if (!w || !horizon || w.value < horizon.value) return;
  const assertion = `Megatron's OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps: warmup ${formatCount(w.value)} ≥ decay ${formatCount(horizon.value)} rollout steps`;
  ctx.launchChecks['warmup-exceeds-training'] = `verl refuses to start (${assertion})`;
  if (!decayWritten || (total && w.value >= total.value)) return;
  const warmKey = w.key ?? `${A}.optim.lr_warmup_steps`;
  ctx.conflicts.push({
    kind: 'warmup-not-below-decay',
    range: ctx.v.rangeOf(w, decayWritten) ?? ctx.anchor,
    message:
      `${warmKey} ${formatCount(w.value)}${w.origin === 'derived' ? ` (${w.how})` : ''} is not below ${A}.optim.lr_decay_steps ${formatCount(decayWritten.value)}: ${AFTER_ALLOCATION} (${assertion}); ` +
      `keep the warmup below ${formatCount(decayWritten.value)} rollout steps, or drop lr_decay_steps (it defaults to the run length${total ? `, ${formatCount(total.value)} rollout steps` : ''})`,
    data: { warmupSteps: w.value, decaySteps: decayWritten.value },
  });
}

/** LR schedule, run length and intervals, in rollout steps (the actor's scheduler ticks per update_actor call). */
function ppoSchedule(ctx: Ctx, megatron: boolean): void {
  const { v, plan, notes } = ctx;
  plan.schedulerTick = { value: 'rollout-step', origin: 'derived', how: 'verl steps the actor LR scheduler once per update_actor call, i.e. once per rollout step' };
  const lr = v.num(`${A}.optim.lr`);
  if (lr) plan.peakLr = lr;
  const epochs = v.num('trainer.total_epochs');
  if (epochs) plan.epochs = withUnit(epochs, 'epochs');
  const explicitTotal = v.num('trainer.total_training_steps');
  const tbs = v.num('data.train_batch_size');
  const gen = v.num('data.gen_batch_size');
  const loaderBatch = gen ?? tbs;
  const samples = plan.datasetSamples;
  if (explicitTotal && explicitTotal.value > 0) {
    plan.totalSteps = { ...explicitTotal, unit: 'rollout steps' };
  } else if (samples && loaderBatch && epochs && loaderBatch.value > 0) {
    const perEpoch = Math.floor(samples.value / loaderBatch.value);
    plan.stepsPerEpoch = derived(perEpoch, `floor(${formatCount(samples.value)} / ${describe(loaderBatch)}) (the dataloader drops the last partial batch)`, 'rollout steps');
    plan.totalSteps = derived(perEpoch * epochs.value, `${formatCount(perEpoch)} rollout steps/epoch × ${describe(epochs)}`, 'rollout steps');
  }
  const total = plan.totalSteps;

  // The Megatron scheduler's horizon: lr_decay_steps, which falls back to the run length
  // (verl/utils/megatron/optimizer.py: get_megatron_optimizer_param_scheduler).
  const decayWritten = megatron ? v.num(`${A}.optim.lr_decay_steps`) : undefined;
  const horizon: Setting<number> | undefined = !megatron
    ? total
    : decayWritten
      ? { ...decayWritten, unit: 'rollout steps' }
      : total
        ? derived(total.value, `${A}.optim.lr_decay_steps unset: the run length`, 'rollout steps')
        : undefined;
  ppoWarmup(ctx, megatron, horizon);

  if (megatron) {
    const style = v.str(`${A}.optim.lr_decay_style`);
    if (style) plan.scheduler = style;
    const minLr = v.num(`${A}.optim.min_lr`);
    if (style && style.value !== 'constant') {
      if (minLr) plan.minLr = minLr;
      if (horizon) plan.decaySteps = horizon;
    }
    ctx.launchChecks['min-lr-exceeds-lr'] = 'verl refuses to start (Megatron\'s OptimizerParamScheduler asserts max_lr >= min_lr)';
    megatronWarmupAssertion(ctx, total, horizon, decayWritten);
  } else {
    const style = v.str(`${A}.optim.warmup_style`);
    const type = v.str(`${A}.optim.lr_scheduler_type`);
    const scheduler = style && style.origin !== 'default' ? { ...style, note: `${A}.optim.warmup_style is the deprecated spelling of lr_scheduler_type; verl uses it` } : type;
    if (style && style.origin !== 'default' && type && type.origin !== 'default' && type.value !== style.value) {
      ctx.ignored.push({
        key: `${A}.optim.lr_scheduler_type`,
        range: v.rangeOf(type) ?? ctx.anchor,
        message: `${A}.optim.lr_scheduler_type ${type.value} is ignored: the deprecated warmup_style ${style.value} is set too and verl uses it (FSDPOptimizerConfig); remove warmup_style`,
        data: { lrSchedulerType: type.value, warmupStyle: style.value },
      });
    }
    if (scheduler) plan.scheduler = scheduler;
    if (scheduler?.value === 'cosine') {
      const ratioMin = v.num(`${A}.optim.min_lr_ratio`);
      if (lr && ratioMin) plan.minLr = derivedFrom(ratioMin, ratioMin.value * lr.value, `${A}.optim.min_lr_ratio ${ratioMin.value} × lr ${formatSci(lr.value)}`);
      if (total) plan.decaySteps = derived(total.value, 'get_cosine_schedule_with_warmup decays over the whole run (num_training_steps = total_training_steps)', 'rollout steps');
      ctx.launchChecks['min-lr-exceeds-lr'] = 'verl refuses to start (get_cosine_schedule_with_warmup asserts 0.0 <= min_lr_ratio <= 1.0)';
    }
  }

  // Checkpoints and validation every N rollout steps (and once more at the last step when N > 0).
  const save = v.num('trainer.save_freq');
  if (save && save.value > 0) plan.saveEverySteps = { ...save, unit: 'rollout steps' };
  const test = v.num('trainer.test_freq');
  if (test && test.value > 0) plan.evalEverySteps = { ...test, unit: 'rollout steps' };
  const criticWarmup = v.num('trainer.critic_warmup');
  if (criticWarmup && criticWarmup.value > 0) notes.push(`trainer.critic_warmup ${formatCount(criticWarmup.value)}: the first ${formatCount(criticWarmup.value)} rollout steps update only the critic (this is not LR warmup)`);
  if (!plan.totalSteps) {
    ctx.missing.push({ field: 'totalSteps', hint: 'set trainer.total_training_steps, or assume.datasetSamples (prompts after filtering) in .trainlint.yml: total rollout steps = floor(samples / data.train_batch_size) × trainer.total_epochs' });
  }
}

/** FSDPActorConfig.validate: Ulysses sequence parallelism needs remove-padding. */
function sequenceParallelPadding(ctx: Ctx, megatron: boolean): void {
  if (megatron) return;
  const sp = ctx.v.num(`${A}.ulysses_sequence_parallel_size`);
  if (!sp || sp.value <= 1) return;
  // dp_actor.yaml: use_remove_padding: ${oc.select:actor_rollout_ref.model.use_remove_padding,false}; the model's default is true.
  const own = ctx.v.bool(`${A}.use_remove_padding`);
  const model = ctx.v.bool('actor_rollout_ref.model.use_remove_padding');
  const off = own ?? model;
  if (off?.value !== false) return;
  ctx.conflicts.push({
    kind: 'sequence-parallel-without-remove-padding',
    range: ctx.v.rangeOf(off, sp) ?? ctx.anchor,
    message: `${A}.ulysses_sequence_parallel_size ${formatCount(sp.value)} with ${off.key} false: verl raises "When using sequence parallelism for actor/ref policy, you must enable use_remove_padding." at start-up; set actor_rollout_ref.model.use_remove_padding=True or ulysses_sequence_parallel_size=1`,
  });
}

function extractPpo(ctx: Ctx, megatron: boolean, env: ExtractEnv): void {
  const parallel = ppoParallel(ctx, megatron);
  sequenceParallelPadding(ctx, megatron);
  applyAssumptions(ctx.plan, env.assume);
  rolloutMesh(ctx, parallel.world);
  ppoBatches(ctx, megatron, parallel);
  ppoSchedule(ctx, megatron);
}

/** verl's SFT trainer (fsdp_sft_trainer.py): a plain supervised run, world size from torchrun. */
function extractSft(ctx: Ctx, env: ExtractEnv): void {
  const { v, plan, notes } = ctx;
  applyAssumptions(plan, env.assume);
  const sp = v.num('ulysses_sequence_parallel_size');
  const world = plan.worldSize;
  if (world && sp && sp.value > 1 && world.value % sp.value === 0) plan.dataParallelSize = derived(world.value / sp.value, `${formatCount(world.value)} GPUs / ulysses_sequence_parallel_size ${formatCount(sp.value)}`);
  const gbs = v.num('data.train_batch_size');
  if (gbs) plan.globalBatchSize = withUnit(gbs, 'samples');
  const dynamic = v.bool('data.use_dynamic_bsz')?.value === true;
  const micro = v.num('data.micro_batch_size_per_gpu');
  if (micro && !dynamic) plan.microBatchSize = withUnit(micro, 'samples');
  const dp = dataParallel(plan);
  if (gbs && micro && dp && !dynamic && gbs.value % (micro.value * dp.value) === 0) {
    plan.gradAccumSteps = derived(gbs.value / (micro.value * dp.value), `${formatCount(gbs.value)} / (${formatCount(micro.value)} × ${formatCount(dp.value)}) (global / (micro × data-parallel))`);
  }
  const lr = v.num('optim.lr');
  if (lr) plan.peakLr = lr;
  const sched = v.str('optim.lr_scheduler');
  if (sched) plan.scheduler = sched;
  if (sched?.value === 'cosine') plan.minLr = { ...derived(0, 'get_cosine_schedule_with_warmup decays to 0 (min_lr_ratio 0.0)'), origin: 'default', key: 'optim.lr_scheduler' };
  const epochs = v.num('trainer.total_epochs');
  if (epochs) plan.epochs = withUnit(epochs, 'epochs');
  const samples = plan.datasetSamples;
  const ratio = v.num('optim.lr_warmup_steps_ratio');
  if (ratio && ratio.value > 0) plan.warmupRatio = ratio;
  let horizon: number | undefined;
  if (samples && gbs && dp && epochs && gbs.value % dp.value === 0) {
    const perRank = Math.floor(samples.value / dp.value);
    const perEpoch = Math.floor(perRank / (gbs.value / dp.value));
    horizon = perEpoch * epochs.value;
    plan.stepsPerEpoch = derived(perEpoch, `floor(floor(${formatCount(samples.value)} / ${formatCount(dp.value)}) / (${formatCount(gbs.value)} / ${formatCount(dp.value)})) (DistributedSampler and dataloader drop the remainder)`, 'steps');
    plan.decaySteps = derived(horizon, `${formatCount(perEpoch)} steps/epoch × ${describe(epochs)} (the scheduler's horizon ignores trainer.total_training_steps)`, 'steps');
    if (ratio) plan.warmupSteps = { ...derivedFrom(ratio, Math.floor(horizon * ratio.value), `int(${formatCount(horizon)} × ${ratio.value})`, 'steps'), fractionOf: { fraction: ratio.value, of: 'the schedule horizon', ofSteps: horizon } };
  }
  const early = v.num('trainer.total_training_steps');
  if (early && early.value > 0) {
    plan.totalSteps = horizon !== undefined && horizon < early.value ? derived(horizon, `the epochs end first: ${formatCount(horizon)} < ${describe(early)}`, 'steps') : withUnit(early, 'steps');
    if (horizon === undefined) notes.push('trainer.total_training_steps only stops the loop early: the LR schedule still spans steps_per_epoch × total_epochs (set assume.datasetSamples to compare them)');
  } else if (horizon !== undefined) {
    plan.totalSteps = derived(horizon, `${formatCount(plan.stepsPerEpoch!.value)} steps/epoch × ${describe(epochs!)}`, 'steps');
  }
  const save = v.num('trainer.save_freq');
  if (save && save.value > 0) plan.saveEverySteps = withUnit(save, 'steps');
  const test = v.num('trainer.test_freq');
  if (test && test.value > 0) plan.evalEverySteps = withUnit(test, 'steps');
  ctx.launchChecks['batch-size-mismatch'] =
    'verl\'s SFT trainer refuses to start (_normalize_config_bsz asserts "Global batch size … is not divisible by dp size …", then that the per-rank batch is divisible by micro_batch_size_per_gpu)';
  if (!plan.worldSize && !plan.dataParallelSize) ctx.missing.push({ field: 'worldSize', hint: 'launch with torchrun --nproc_per_node N [--nnodes M] in a committed script, or set assume.worldSize in .trainlint.yml' });
  if (!plan.totalSteps) ctx.missing.push({ field: 'datasetSamples', hint: 'set assume.datasetSamples (rows of data.train_files) in .trainlint.yml: steps/epoch = floor(floor(samples / dp) / (train_batch_size / dp))' });
}

function chooseCommand(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter((c) => commandKind(c) !== undefined);
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const empty = (note: string): Extraction => ({ plan: {}, missing: [], anchor: fileStartRange(file), notes: [note] });
  let kind: Kind | undefined;
  let cmd: LaunchCommand | undefined;
  let commands: LaunchCommand[] = [];
  if (file.format === 'shell') {
    commands = chooseCommand(file);
    cmd = commands[0];
    if (!cmd) return empty('no verl training command found');
    kind = commandKind(cmd);
  } else {
    kind = yamlKind(file);
    if (!kind) return empty('not a verl trainer config');
  }
  const view = hydraView(file, env, { command: cmd, knownKey: kind === 'ppo' ? STABLE_PPO_KEYS : undefined });
  const anchor = cmd?.range ?? fileStartRange(file);
  const notes = [...view.notes, ...view.config.notes];
  const configErrors: ConfigError[] = overrideConfigErrors(view, 'verl');
  const base: Pick<Extraction, 'anchor' | 'notes'> & Partial<Extraction> = { anchor, notes, ...(configErrors.length ? { configErrors } : {}), ...viewExtraction(view) };
  if (commands.length > 1) notes.push(`${commands.length} verl commands in this script; the first (line ${cmd!.range.line}) is linted`);
  // A script whose config is in the repository: the config is linted as this command starts it.
  if (view.commandConfig) {
    notes.push(commandConfigNote(view.commandConfig));
    return { plan: {}, missing: [], ...base };
  }
  for (const u of view.config.unread) {
    const packaged = PPO_PRIMARY.test(u.name.replace(/\.ya?ml$/, '')) || /^(?:actor|critic|ref|rollout|optim|engine|data|model|reward_model|profiler|algorithm)\//.test(u.name);
    notes.push(`${u.file}:${u.range.line}: defaults entry ${u.entry} is ${u.why}${packaged ? "; verl's packaged defaults are used for the keys it would set" : '; the keys it would set are unknown (verl defaults used)'}`);
  }
  const megatron = isMegatron(file, view, cmd);
  const defaults = kind === 'sft' ? SFT : megatron ? PPO_MEGATRON : PPO_FSDP;
  const v = new HydraValues(file, view, defaults, {}, 'verl default');
  const launched = file.format === 'shell' || env.hydra?.launch !== undefined;
  const ctx: Ctx = { file, v, view, plan: {}, missing: [], notes, conflicts: [], checks: [], configErrors, ignored: [], anchor, launchChecks: {}, launched };
  if (kind === 'sft') {
    // torchrun's world size, when the command itself is the launcher.
    if (cmd) {
      const w = launcherWorldSize(cmd);
      if (w && cmd.launcher !== 'python') ctx.plan.worldSize = { value: w.value, origin: 'launcher', file: file.path, key: w.key, range: w.range, how: w.how };
    }
    extractSft(ctx, env);
  } else {
    if (cmd) {
      const w = launcherWorldSize(cmd);
      if (w && cmd.launcher !== 'python') notes.push(`${w.how}: verl starts its workers through Ray from trainer.n_gpus_per_node × trainer.nnodes, not from the launcher`);
    }
    extractPpo(ctx, megatron, env);
  }
  for (const n of v.reader.notes) if (!notes.includes(n)) notes.push(n);
  return {
    plan: ctx.plan,
    missing: ctx.missing,
    ...base,
    notes: [...new Set(notes)],
    conflicts: ctx.conflicts,
    ...(ctx.checks.length ? { batchChecks: ctx.checks } : {}),
    ...(ctx.configErrors.length ? { configErrors: ctx.configErrors } : {}),
    ...(ctx.ignored.length ? { ignored: ctx.ignored } : {}),
    launchChecks: ctx.launchChecks,
    afterDecay: 'flat',
    // ray_trainer.fit: is_last_step saves (save_freq > 0) and validates (test_freq > 0) once more.
    ...(kind === 'ppo' ? { atRunEnd: { save: 'verl saves once more at the last rollout step', eval: 'verl validates once more at the last rollout step' } } : {}),
    // Megatron's lr_decay_steps falls back to the run length when left out.
    ...(kind === 'ppo' && megatron ? { decayDefaultsToRun: true } : {}),
  };
}

/** Megatron actor: `ppo_megatron_trainer` named, `strategy: megatron`, or megatron.* keys. */
function isMegatron(file: SourceFile, view: HydraView, cmd: LaunchCommand | undefined): boolean {
  const name = view.command?.configName?.value ?? '';
  if (/megatron/.test(name)) return true;
  if (view.config.files.some((f) => /megatron/.test(f.replace(/^.*\//, '')) && f !== file.path)) return true;
  const list = readDefaultsList(file.tree);
  if (list?.entries.some((e) => /megatron/.test(e.text))) return true;
  const strategy = new HydraValues(file, view, {}).str(`${A}.strategy`);
  if (strategy) return strategy.value === 'megatron';
  return cmd !== undefined && cmd.args.some((a) => /^\+{0,2}actor_rollout_ref\.actor\.megatron\./.test(a.value ?? ''));
}

export const verl: Dialect = {
  meta: {
    id: 'verl',
    formats: ['shell', 'yaml'],
    title: 'verl',
    description: 'verl RL post-training (PPO/GRPO/…) and SFT: Hydra trainer YAML and python3 -m verl.trainer.main_ppo launch scripts',
    yamlLoader: 'omegaconf',
    schema: 'verl.schema.json',
    hydra: true,
    rejectsDuplicateKeys: 'Hydra reads YAML with OmegaConf\'s loader, which raises "found duplicate key"',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return (file.script?.commands ?? []).some((c) => commandKind(c) !== undefined) ? 10 : 0;
    if (file.format !== 'yaml') return 0;
    // What yamlKind needs at least, asked of the shared facts first: `actor_rollout_ref:`, a defaults list, or `data:` and `trainer:`.
    if (!facts.some(PPO_KEYS_GROUP) && facts.count(SFT_KEYS_GROUP) < 2) return 0;
    if (!facts.map('actor_rollout_ref') && facts.get('defaults')?.kind !== 'seq' && !(facts.map('data') && facts.map('trainer'))) return 0;
    const kind = yamlKind(file);
    return kind === 'ppo' ? 9 : kind === 'sft' ? 8 : 0;
  },
  extract,
};
