/**
 * OpenRLHF (OpenRLHF/OpenRLHF): argparse command lines in launch scripts, no config files.
 * `python3 -m openrlhf.cli.train_ppo_ray …` (PPO, GRPO, REINFORCE++ on Ray, often behind
 * `ray job submit … --`), and `deepspeed --module openrlhf.cli.train_sft|train_dpo|train_rm…` (the
 * supervised trainers; their scripts keep the command in `read -r -d '' training_commands <<EOF`).
 *
 * Two flag generations, both read: ≤ v0.9.x flat flags (`--train_batch_size`, `--rollout_batch_size`,
 * `--actor_learning_rate`…) and ≥ v0.10 dotted names (`--train.batch_size`, `--rollout.batch_size`,
 * `--actor.adam.lr`…); a script is one or the other (research §4.1: no aliases).
 *
 * Units (RL): `rollout.batch_size` counts prompts per rollout step, `rollout.n_samples_per_prompt`
 * responses per prompt, `train.batch_size` responses per optimizer step (DeepSpeed's
 * `train_batch_size`); the LR scheduler ticks once per optimizer step; `ckpt.save_steps` and
 * `eval.steps` count rollout (global) steps and are converted. The scheduler's length is
 * prompts × n // train.batch_size × num_episodes × max_epochs (ppo_trainer.py).
 *
 * Start-up assertions reported before launch: train_ppo_ray.py's checks (sample batches vs actor
 * processes, an estimator that needs n > 1, colocated groups of equal size, the colocated vLLM
 * engines filling the actor's GPUs, packing only with vLLM, the generation batch and async mode)
 * and the DeepSpeed batch identity OpenRLHF feeds (get_ds_train_config). Checks that older
 * versions made (v0.5 "actor_world_size must be power of 2", v0.7 "rollout_bach_size must be
 * divisible by actor_world_size") are not applied.
 *
 * Facts: research/frameworks-wave2-nemo-rl-jax.md §1.4, §4, and train_ppo_ray.py in both
 * generations (read for the exact conditions: the n > 1 estimators are rloo, reinforce_baseline and
 * group_norm; the actor/ref check applies only with a KL coefficient > 0).
 */
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, defaultSetting, derived, derivedFrom, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatSci, formatValue } from '../engine/format-number.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { argparseNumber, argsFromFlags, type FlatArgs } from './flat-args.js';
import type { BatchCheck, ConfigError, Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { HiddenFlags } from './hidden-flags.js';

type Kind = 'ppo' | 'supervised';
type Generation = 'flat' | 'dotted';

const MODULE = /^openrlhf\.cli\.(train_\w+)$/;
const SCRIPT = /(?:^|\/)openrlhf\/cli\/(train_\w+)\.py$/;
const PPO_PROGRAMS = new Set(['train_ppo_ray', 'train_ppo', 'train_grpo_ray', 'train_grpo']);
/** Dotted flags of the ≥ v0.10 parser. */
const DOTTED = /^--(?:train|rollout|actor|critic|ref|reward|vllm|ds|ckpt|eval|data|algo|logger|adam)\./;

function program(cmd: LaunchCommand): string | undefined {
  const m = (cmd.module ? MODULE.exec(cmd.module) : undefined) ?? (cmd.script ? SCRIPT.exec(cmd.script) : undefined);
  return m?.[1];
}

/** A setting's flag in each generation, and its default there (undefined: no default is assumed). */
interface Spec {
  flat?: string;
  dotted?: string;
  flatDefault?: number | string | boolean;
  dottedDefault?: number | string | boolean;
}

const sp = (flat: string | undefined, dotted: string | undefined, flatDefault?: Spec['flatDefault'], dottedDefault: Spec['dottedDefault'] = flatDefault): Spec => ({
  ...(flat ? { flat } : {}),
  ...(dotted ? { dotted } : {}),
  ...(flatDefault !== undefined ? { flatDefault } : {}),
  ...(dottedDefault !== undefined ? { dottedDefault } : {}),
});

/** train_ppo_ray.py flags and defaults (v0.9.x flat, current dotted). */
const PPO = {
  rolloutBatch: sp('--rollout_batch_size', '--rollout.batch_size', 1024),
  n: sp('--n_samples_per_prompt', '--rollout.n_samples_per_prompt', 1),
  trainBatch: sp('--train_batch_size', '--train.batch_size', 128),
  microTrain: sp('--micro_train_batch_size', '--train.micro_batch_size', 4, 1),
  microRollout: sp('--micro_rollout_batch_size', '--rollout.micro_batch_size', 8, 1),
  maxEpochs: sp('--max_epochs', '--train.max_epochs', 1),
  episodes: sp('--num_episodes', '--train.num_episodes', 1),
  maxSamples: sp('--max_samples', '--data.max_samples', 1e8),
  lr: sp('--actor_learning_rate', '--actor.adam.lr', 1e-6),
  criticLr: sp('--critic_learning_rate', '--critic.adam.lr', 9e-6),
  warmupRatio: sp('--lr_warmup_ratio', '--actor.lr_warmup_ratio', 0.03),
  scheduler: sp('--lr_scheduler', '--actor.lr_scheduler', 'cosine_with_min_lr'),
  minLrRatio: sp(undefined, '--actor.min_lr_ratio', undefined, 0.1),
  saveSteps: sp('--save_steps', '--ckpt.save_steps', -1),
  evalSteps: sp('--eval_steps', '--eval.steps', -1),
  actorNodes: sp('--actor_num_nodes', '--actor.num_nodes', 1),
  actorGpus: sp('--actor_num_gpus_per_node', '--actor.num_gpus_per_node', 8),
  refNodes: sp('--ref_num_nodes', '--ref.num_nodes', 1),
  refGpus: sp('--ref_num_gpus_per_node', '--ref.num_gpus_per_node', 8),
  criticNodes: sp('--critic_num_nodes', '--critic.num_nodes', 1),
  criticGpus: sp('--critic_num_gpus_per_node', '--critic.num_gpus_per_node', 8),
  rewardNodes: sp('--reward_num_nodes', '--reward.num_nodes', 1),
  rewardGpus: sp('--reward_num_gpus_per_node', '--reward.num_gpus_per_node', 8),
  vllmEngines: sp('--vllm_num_engines', '--vllm.num_engines'),
  vllmTp: sp('--vllm_tensor_parallel_size', '--vllm.tensor_parallel_size', 1),
  colocateAll: sp('--colocate_all_models', '--train.colocate_all', false),
  colocateActorRef: sp('--colocate_actor_ref', '--train.colocate_actor_ref', false),
  colocateCriticReward: sp('--colocate_critic_reward', '--train.colocate_critic_reward', false),
  async: sp('--async_train', '--train.async_enable', false),
  vllmSleep: sp('--vllm_enable_sleep', '--vllm.enable_sleep', false),
  packing: sp('--packing_samples', '--ds.packing_samples', false),
  dynamic: sp('--use_dynamic_batch', '--train.dynamic_batch_enable', false),
  ring: sp('--ring_attn_size', '--ds.ring_attn_size', 1),
  dsTp: sp('--ds_tensor_parallel_size', '--ds.tensor_parallel_size', 1),
  estimator: sp('--advantage_estimator', '--algo.advantage.estimator', 'gae'),
  klCoef: sp('--init_kl_coef', '--algo.kl.init_coef', 0.01),
  generateBatch: sp('--vllm_generate_batch_size', '--rollout.vllm_generate_batch_size'),
  criticPretrain: sp('--critic_pretrain', '--critic.model_name_or_path'),
  rewardPretrain: sp('--reward_pretrain', '--reward.model_name_or_path'),
  remoteRm: sp('--remote_rm_url', '--reward.remote_url'),
  freezing: sp('--freezing_actor_steps', '--critic.freezing_steps', -1),
  zero: sp('--zero_stage', '--ds.zero_stage', 2),
  paramDtype: sp('--param_dtype', '--ds.param_dtype', undefined, 'bf16'),
  bf16: sp('--bf16', undefined),
};

/** The supervised trainers (train_sft, train_dpo, train_rm…): only what both generations surely spell. */
const SUPERVISED = {
  trainBatch: sp('--train_batch_size', '--train.batch_size'),
  microTrain: sp('--micro_train_batch_size', '--train.micro_batch_size'),
  maxEpochs: sp('--max_epochs', '--train.max_epochs'),
  maxSamples: sp('--max_samples', '--data.max_samples', 1e8),
  lr: sp('--learning_rate', '--adam.lr'),
  warmupRatio: sp('--lr_warmup_ratio', undefined, 0.03),
  saveSteps: sp('--save_steps', '--ckpt.save_steps', -1),
  evalSteps: sp('--eval_steps', '--eval.steps', -1),
  ring: sp('--ring_attn_size', '--ds.ring_attn_size', 1),
  dsTp: sp('--ds_tensor_parallel_size', '--ds.tensor_parallel_size', 1),
  zero: sp('--zero_stage', '--ds.zero_stage', 2),
  paramDtype: sp('--param_dtype', '--ds.param_dtype', undefined, 'bf16'),
  bf16: sp('--bf16', undefined),
};

const STOPS = 'OpenRLHF refuses to start (train_ppo_ray.py asserts before any model is loaded)';

// ── Reading flags ───────────────────────────────────────────────────────────────────────

class Flags {
  /** Opaque words (`$EXTRA_ARGS`) → the flags the command does not write that each may set (see `hides`). */
  readonly hidden = new HiddenFlags();

  constructor(
    readonly args: FlatArgs,
    readonly gen: Generation,
    readonly file: SourceFile,
    /**
     * A default an opaque word (`$EXTRA_ARGS`, the unknown end of an array a branch appends to) may replace is
     * unknown, not OpenRLHF's default. Off for train_ppo_ray, whose checks still take every default.
     */
    readonly hides = false,
  ) {}

  /** The opaque word that may set the flag of `s` the command does not write (remembered for the note). */
  private hiddenBy(s: Spec): string | undefined {
    const k = this.key(s);
    return this.hidden.record(this.flag(s)!, this.hides && k ? this.args.setBy(k) : undefined);
  }

  flag(s: Spec): string | undefined {
    return this.gen === 'flat' ? s.flat : s.dotted;
  }

  private def(s: Spec): Spec['flatDefault'] {
    return this.gen === 'flat' ? s.flatDefault : s.dottedDefault;
  }

  private key(s: Spec): string | undefined {
    const f = this.flag(s);
    return f?.replace(/^--/, '');
  }

  written(s: Spec): boolean {
    const k = this.key(s);
    return k !== undefined && this.args.has(k);
  }

  num(s: Spec, label = 'OpenRLHF default'): Setting<number> | undefined {
    const k = this.key(s);
    if (!k) return undefined;
    const a = this.args.get(k);
    if (a && typeof a.value === 'string') {
      const v = argparseNumber(a.value, false);
      if (v !== undefined) return this.args.setting(a, v, a.note);
    }
    const d = this.def(s);
    return typeof d === 'number' && !this.args.has(k) && !this.hiddenBy(s) ? defaultSetting(d, this.flag(s)!, label) : undefined;
  }

  str(s: Spec): Setting<string> | undefined {
    const k = this.key(s);
    if (!k) return undefined;
    const got = this.args.str(k);
    if (got) return got;
    const d = this.def(s);
    return typeof d === 'string' && !this.args.has(k) && !this.hiddenBy(s) ? defaultSetting(d, this.flag(s)!, 'OpenRLHF default') : undefined;
  }

  /** A store_true switch: on when written bare (or `true`). */
  on(s: Spec): boolean {
    const k = this.key(s);
    if (!k) return false;
    const a = this.args.get(k);
    return a !== undefined && (a.value === true || a.value === 'true' || a.value === 'True');
  }

  range(s: Spec): Range | undefined {
    const k = this.key(s);
    return k ? this.args.get(k)?.range : undefined;
  }
}

interface Ctx {
  file: SourceFile;
  f: Flags;
  cmd: LaunchCommand;
  plan: TrainingPlan;
  notes: string[];
  missing: MissingField[];
  checks: BatchCheck[];
  configErrors: ConfigError[];
  conflicts: Conflict[];
  ignored: IgnoredSetting[];
  launchChecks: Record<string, string>;
}

function at(ctx: Ctx, ...settings: (Setting | undefined)[]): Range {
  for (const s of settings) if (s?.range && s.origin !== 'default' && s.origin !== 'derived' && s.file === ctx.file.path) return s.range;
  return ctx.cmd.range;
}

const said = (s: Setting<number | string>): string => `${s.key ?? ''} ${typeof s.value === 'number' ? formatValue(s.value) : s.value}${s.origin === 'default' ? ' (default)' : ''}`.trim();

function precision(ctx: Ctx, spec: typeof PPO | typeof SUPERVISED): void {
  const dtype = ctx.f.str(spec.paramDtype);
  if (ctx.f.on(spec.bf16)) ctx.plan.precision = { value: 'bf16', origin: 'explicit', file: ctx.file.path, key: '--bf16', ...(ctx.f.range(spec.bf16) ? { range: ctx.f.range(spec.bf16)! } : {}) };
  else if (dtype) ctx.plan.precision = dtype;
}

/** DeepSpeed's batch identity as OpenRLHF feeds it (get_ds_train_config): train_batch_size = micro × accumulation × data-parallel ranks. */
function deepspeedIdentity(ctx: Ctx, train: Setting<number>, micro: Setting<number>, world: number, ring: number, tp: number, who: string): void {
  const dp = world / ring / tp;
  if (!Number.isInteger(dp) || dp < 1) return;
  const per = micro.value * dp;
  if (train.value % per === 0) {
    ctx.plan.gradAccumSteps = derived(train.value / per, `${said(train)} / (${said(micro)} × ${formatCount(dp)} data-parallel ${who ? `${who} ` : ''}ranks)`);
    return;
  }
  const ga = Math.floor((train.value * ring * tp) / micro.value / world);
  const dsTrain = train.value * ring * tp;
  const fixUp = Math.max(per, Math.round(train.value / per) * per);
  ctx.checks.push({
    kind: 'deepspeed-batch-identity',
    range: at(ctx, train, micro),
    message:
      `${said(train)} is not divisible by ${said(micro)} × ${formatCount(dp)} data-parallel ${who ? `${who} ` : ''}ranks = ${formatCount(per)}: OpenRLHF hands DeepSpeed accumulation ${formatCount(ga)} (floor division) and DeepSpeed refuses to start ` +
      `("Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * world_size ${formatCount(dsTrain)} != ${formatCount(micro.value)} * ${formatCount(ga)} * ${formatCount(world)}"); ` +
      `use a ${train.key ?? 'train batch'} that is a multiple of ${formatCount(per)} (e.g. ${formatCount(fixUp)})`,
    data: { trainBatchSize: train.value, microBatchSize: micro.value, dataParallel: dp, gradientAccumulation: ga },
  });
}

function extractPpo(ctx: Ctx, env: ExtractEnv): void {
  const { f, plan, notes } = ctx;
  const s = PPO;
  // Actor placement: its GPUs are the data-parallel world of the trainer.
  const nodes = f.num(s.actorNodes)!;
  const gpus = f.num(s.actorGpus)!;
  const world = nodes.value * gpus.value;
  const written = [gpus, nodes].find((x) => x.origin !== 'default');
  plan.worldSize = written ? derivedFrom(written, world, `${said(gpus)} × ${said(nodes)}`, 'GPUs') : { ...derived(world, `${said(gpus)} × ${said(nodes)}`, 'GPUs'), origin: 'default', key: f.flag(s.actorGpus) };
  const ring = f.num(s.ring)!.value;
  const dsTp = f.num(s.dsTp)!.value;
  if (ring * dsTp > 1 && world % (ring * dsTp) === 0) plan.dataParallelSize = derived(world / ring / dsTp, `${formatCount(world)} actor GPUs / ring_attn_size ${ring} / DeepSpeed tensor parallel ${dsTp}`);
  applyAssumptions(plan, env.assume);

  const rollout = f.num(s.rolloutBatch)!;
  const n = f.num(s.n)!;
  const train = f.num(s.trainBatch)!;
  const microTrain = f.num(s.microTrain)!;
  const microRollout = f.num(s.microRollout)!;
  const epochs = f.num(s.maxEpochs)!;
  const episodes = f.num(s.episodes)!;
  const dynamic = f.on(s.dynamic);
  plan.promptsPerRolloutStep = withUnit(rollout, 'prompts');
  plan.samplesPerPrompt = withUnit(n, 'responses');
  plan.globalBatchSize = withUnit(train, 'responses');
  if (!dynamic) plan.microBatchSize = withUnit(microTrain, 'responses');
  plan.schedulerTick = { value: 'optimizer-step', origin: 'derived', how: "the actor's LR scheduler steps once per optimizer step (get_scheduler over max_steps)" };
  const responses = rollout.value * n.value;
  const perRollout = Math.floor(responses / train.value);
  if (perRollout >= 1) {
    plan.optimizerStepsPerRolloutStep = derived(perRollout * epochs.value, `${said(rollout)} × ${said(n)} = ${formatCount(responses)} responses // ${said(train)} × ${said(epochs)}`, 'optimizer steps');
  }
  if (dynamic && f.written(s.microTrain)) {
    ctx.ignored.push({
      key: f.flag(s.microTrain)!,
      range: at(ctx, microTrain),
      message: `${said(microTrain)} is ignored: with ${f.flag(s.dynamic)} OpenRLHF packs micro-batches by token count (train max_tokens_per_gpu) and hands DeepSpeed a micro-batch of 1; remove it or turn dynamic batching off`,
      data: { microBatchSize: microTrain.value },
    });
  }

  // Learning rate and schedule (HF get_scheduler over max_steps optimizer steps).
  const lr = f.num(s.lr)!;
  plan.peakLr = lr;
  const scheduler = f.str(s.scheduler)!;
  plan.scheduler = scheduler;
  if (/min_lr/.test(scheduler.value)) {
    const ratio = f.num(s.minLrRatio);
    plan.minLr = ratio ? derivedFrom(ratio, ratio.value * lr.value, `${said(ratio)} × ${f.flag(s.lr)} ${formatSci(lr.value)}`) : { ...derived(lr.value * 0.1, `lr × 0.1 (hard-coded min_lr in OpenRLHF ≤ v0.9)`), origin: 'default', key: f.flag(s.lr) };
  }
  const samples = plan.datasetSamples ?? f.num(s.maxSamples);
  const capped = !plan.datasetSamples && samples && samples.origin !== 'default';
  if (samples && (plan.datasetSamples || capped)) {
    const total = Math.floor((samples.value * n.value) / train.value) * episodes.value * epochs.value;
    const how = `${formatCount(samples.value)} prompts${capped ? ` (at most: ${said(samples)})` : ''} × ${formatCount(n.value)} // ${formatCount(train.value)} × num_episodes ${formatCount(episodes.value)} × max_epochs ${formatCount(epochs.value)} (ppo_trainer.py)`;
    plan.totalSteps = { ...derived(total, how, 'steps'), ...(capped ? { bound: 'upper' as const } : {}) };
    plan.decaySteps = { ...derived(total, 'the scheduler decays over the whole run (num_training_steps = max_steps)', 'steps'), ...(capped ? { bound: 'upper' as const } : {}) };
    if (perRollout >= 1) plan.stepsPerEpoch = derived(Math.floor(samples.value / rollout.value) * perRollout * epochs.value, `floor(${formatCount(samples.value)} / ${formatCount(rollout.value)}) rollout steps × ${formatCount(perRollout * epochs.value)}`, 'steps');
  } else {
    ctx.missing.push({ field: 'datasetSamples', hint: `set ${f.flag(s.maxSamples)} to the number of prompts, or assume.datasetSamples in .trainlint.yml: the scheduler runs prompts × n_samples_per_prompt // train batch × num_episodes × max_epochs optimizer steps` });
  }
  const warm = f.num(s.warmupRatio)!;
  if (warm.value > 0) {
    plan.warmupRatio = withUnit(warm, 'ratio');
    if (plan.totalSteps) plan.warmupSteps = { ...derivedFrom(warm, Math.ceil(plan.totalSteps.value * warm.value), `ceil(${formatCount(plan.totalSteps.value)} × ${warm.value})`, 'steps'), fractionOf: { fraction: warm.value, of: 'the run', ofSteps: plan.totalSteps.value } };
  }
  // Checkpoints and evaluation count rollout steps: in optimizer steps they are × the steps per rollout.
  const k = plan.optimizerStepsPerRolloutStep?.value;
  for (const [spec, field] of [[s.saveSteps, 'saveEverySteps'], [s.evalSteps, 'evalEverySteps']] as const) {
    const v = f.num(spec);
    if (!v || v.value <= 0 || !k) continue;
    plan[field] = { ...v, value: v.value * k, unit: 'steps', how: `${said(v)} rollout steps × ${formatCount(k)} optimizer steps each`, writtenAs: { unit: 'rollout steps', perStep: 1 / k, value: v.value } };
    delete plan[field]!.valueRange;
  }
  const freezing = f.num(s.freezing);
  if (freezing && freezing.value > 0) notes.push(`${said(freezing)}: the actor is frozen for the first ${formatCount(freezing.value)} rollout steps while the critic warms up (this is not LR warmup)`);
  precision(ctx, s);
  ppoChecks(ctx, { rollout, n, train, microTrain, microRollout, world, ring, dsTp, dynamic });
  if (!dynamic) deepspeedIdentity(ctx, train, microTrain, world, ring, dsTp, 'actor');
  ctx.launchChecks['batch-size-mismatch'] = STOPS;
}

interface PpoBatch {
  rollout: Setting<number>;
  n: Setting<number>;
  train: Setting<number>;
  microTrain: Setting<number>;
  microRollout: Setting<number>;
  world: number;
  ring: number;
  dsTp: number;
  dynamic: boolean;
}

function ppoChecks(ctx: Ctx, b: PpoBatch): void {
  const { f, file } = ctx;
  const s = PPO;
  const estimator = f.str(s.estimator)!;
  const critic = estimator.value === 'gae';
  // The number of sample batches against the actor processes.
  const batches = Math.floor((b.n.value * b.rollout.value) / b.microRollout.value);
  const procs = Math.floor(Math.floor(b.world / b.ring) / b.dsTp);
  if (batches < procs) {
    ctx.checks.push({
      kind: 'sample-batches-below-actor-processes',
      range: at(ctx, b.microRollout, b.rollout, b.n),
      message:
        `${said(b.n)} × ${said(b.rollout)} // ${said(b.microRollout)} = ${formatCount(batches)} sample batches per rollout step is below the ${formatCount(procs)} actor processes (${formatCount(b.world)} GPUs // ring_attn_size ${b.ring} // DeepSpeed TP ${b.dsTp}): ` +
        `${STOPS} ("The number of sample batches must be greater than or equal to the effective number of actor processes."); lower the rollout micro-batch to at most ${formatCount(Math.max(1, Math.floor((b.n.value * b.rollout.value) / procs)))} or raise the rollout batch`,
      data: { sampleBatches: batches, actorProcesses: procs },
    });
  }
  // Estimators that normalise within a prompt's group need more than one response.
  if (['rloo', 'reinforce_baseline', 'group_norm'].includes(estimator.value) && b.n.value <= 1) {
    ctx.configErrors.push({
      range: at(ctx, b.n, estimator),
      message: `${f.flag(s.estimator)} ${estimator.value} with ${said(b.n)}: ${STOPS} ("${estimator.value} requires n_samples_per_prompt > 1"); set ${f.flag(s.n)} to 2 or more (e.g. 8)`,
    });
  }
  // Colocated groups share placement bundles: their sizes must match.
  const kl = f.num(s.klCoef)!;
  if ((f.on(s.colocateActorRef) || f.on(s.colocateAll)) && kl.value > 0) {
    const an = f.num(s.actorNodes)!;
    const ag = f.num(s.actorGpus)!;
    const rn = f.num(s.refNodes)!;
    const rg = f.num(s.refGpus)!;
    if (an.value !== rn.value || ag.value !== rg.value) {
      ctx.checks.push({
        kind: 'colocated-actor-ref-differ',
        range: at(ctx, rg, rn, ag, an),
        message: `the reference model is colocated with the actor (${f.on(s.colocateAll) ? f.flag(s.colocateAll) : f.flag(s.colocateActorRef)}) but runs on ${said(rn)} × ${said(rg)} while the actor has ${said(an)} × ${said(ag)}: ${STOPS} ("num_nodes and num_gpus_per_node must be the same when colocate actor and ref model."); give both the same placement`,
      });
    }
  }
  const criticModel = critic && (f.written(s.criticPretrain) || f.written(s.rewardPretrain) || !f.written(s.remoteRm));
  if (criticModel && f.on(s.colocateCriticReward)) {
    const cn = f.num(s.criticNodes)!;
    const cg = f.num(s.criticGpus)!;
    const wn = f.num(s.rewardNodes)!;
    const wg = f.num(s.rewardGpus)!;
    if (cn.value !== wn.value || cg.value !== wg.value) {
      ctx.checks.push({
        kind: 'colocated-critic-reward-differ',
        range: at(ctx, wg, wn, cg, cn),
        message: `the critic and the reward model are colocated (${f.flag(s.colocateCriticReward)}) but run on ${said(cn)} × ${said(cg)} and ${said(wn)} × ${said(wg)}: ${STOPS} ("num_nodes and num_gpus_per_node must be the same when colocate critic and reward model."); give both the same placement`,
      });
    }
  }
  const engines = f.num(s.vllmEngines);
  const vllmTp = f.num(s.vllmTp)!;
  const asyncOn = f.on(s.async);
  if (engines && engines.value > 0 && f.on(s.colocateAll) && !asyncOn && engines.value * vllmTp.value !== b.world) {
    ctx.checks.push({
      kind: 'colocated-vllm-gpus',
      range: at(ctx, engines, vllmTp),
      message:
        `${f.flag(s.colocateAll)}: ${said(engines)} × ${said(vllmTp)} = ${formatCount(engines.value * vllmTp.value)} vLLM GPUs must be the actor's ${formatCount(b.world)} GPUs: ${STOPS} ` +
        `("actor_num_nodes * actor_num_gpus_per_node must be equal to vllm_num_engines * vllm_tensor_parallel_size, got ${formatCount(b.world)} and ${formatCount(engines.value * vllmTp.value)}"); ` +
        `set ${f.flag(s.vllmEngines)} ${formatCount(b.world / vllmTp.value)}${Number.isInteger(b.world / vllmTp.value) ? '' : ' (or change the tensor parallel size)'}`,
      data: { actorGpus: b.world, vllmGpus: engines.value * vllmTp.value },
    });
  }
  // Packing (asked for, or turned on by ring attention or dynamic batching) needs vLLM engines.
  const packing = f.on(s.packing) || b.ring > 1 || b.dynamic;
  if (packing && !(engines && engines.value > 0)) {
    const why = f.on(s.packing) ? f.flag(s.packing) : b.ring > 1 ? `${f.flag(s.ring)} ${b.ring} (which turns packing on)` : `${f.flag(s.dynamic)} (which turns packing on)`;
    ctx.configErrors.push({
      range: f.range(s.packing) ?? f.range(s.dynamic) ?? f.range(s.ring) ?? ctx.cmd.range,
      message: `${why} without vLLM engines (${f.flag(s.vllmEngines)} ${engines ? formatCount(engines.value) : 'not set'}): ${STOPS} ("Only support \`--packing_samples\` with vLLM."); set ${f.flag(s.vllmEngines)} to 1 or more`,
    });
  }
  // Async training cannot sleep vLLM; a generation batch above the rollout batch needs async (dotted generation).
  const sleep = f.on(s.vllmSleep);
  if (sleep && !f.on(s.colocateAll)) {
    ctx.ignored.push({
      key: f.flag(s.vllmSleep)!,
      range: f.range(s.vllmSleep) ?? ctx.cmd.range,
      message: `${f.flag(s.vllmSleep)} is ignored: OpenRLHF turns vLLM sleep off unless ${f.flag(s.colocateAll)} is set ("Set args.vllm_enable_sleep to False when args.colocate_all_models is disabled."); remove it or colocate all models`,
    });
  } else if (sleep && asyncOn) {
    ctx.conflicts.push({
      kind: 'async-with-vllm-sleep',
      range: f.range(s.vllmSleep) ?? ctx.cmd.range,
      message: `${f.flag(s.async)} with ${f.flag(s.vllmSleep)}: ${STOPS} ("Async RLHF is not supported with --vllm${f.gen === 'dotted' ? '.' : '_'}enable_sleep."); drop one`,
    });
  }
  const gen = f.num(s.generateBatch);
  if (f.gen === 'dotted' && gen && gen.value > b.rollout.value && !asyncOn) {
    ctx.configErrors.push({
      range: at(ctx, gen),
      message: `${said(gen)} > ${said(b.rollout)} without ${f.flag(s.async)}: ${STOPS} ("--rollout.vllm_generate_batch_size > --rollout.batch_size requires --train.async_enable"); lower it to at most ${formatCount(b.rollout.value)} or turn on async training`,
    });
  }
  // A critic learning rate with an estimator that has no critic.
  if (!critic && f.written(s.criticLr)) {
    const c = f.num(s.criticLr)!;
    ctx.ignored.push({
      key: f.flag(s.criticLr)!,
      range: at(ctx, c),
      message: `${said(c)} is ignored: ${f.flag(s.estimator)} ${estimator.value} trains no critic (OpenRLHF clears the critic model for every estimator but gae); remove it`,
      data: { criticLr: c.value, estimator: estimator.value },
    });
  }
  void file;
}

/** train_sft / train_dpo / train_rm …: a supervised DeepSpeed run. */
function extractSupervised(ctx: Ctx, env: ExtractEnv, name: string): void {
  const { f, plan, cmd } = ctx;
  const s = SUPERVISED;
  const w = launcherWorldSize(cmd);
  if (w && cmd.launcher !== 'python') plan.worldSize = { value: w.value, origin: 'launcher', file: ctx.file.path, key: w.key, range: w.range, how: w.how };
  applyAssumptions(plan, env.assume);
  const ring = f.num(s.ring)?.value;
  const dsTp = f.num(s.dsTp)?.value;
  const world = plan.worldSize?.value;
  if (world && ring !== undefined && dsTp !== undefined && ring * dsTp > 1 && world % (ring * dsTp) === 0) plan.dataParallelSize = derived(world / ring / dsTp, `${formatCount(world)} GPUs / ring_attn_size ${ring} / DeepSpeed TP ${dsTp}`);
  const train = f.num(s.trainBatch);
  const micro = f.num(s.microTrain);
  if (train) plan.globalBatchSize = { ...train, unit: name === 'train_dpo' ? 'pairs' : 'samples' };
  if (micro) plan.microBatchSize = micro;
  const lr = f.num(s.lr);
  if (lr) plan.peakLr = lr;
  const epochs = f.num(s.maxEpochs);
  if (epochs) plan.epochs = withUnit(epochs, 'epochs');
  // The trainers' --lr_scheduler (cosine_with_min_lr unless written; an opaque word may write it).
  const schedBy = f.args.has('lr_scheduler') ? undefined : f.args.setBy('lr_scheduler');
  if (schedBy) ctx.notes.push(`--lr_scheduler is not written on the command, and ${schedBy} may set it: the schedule and its floor are left unknown`);
  else plan.scheduler = defaultSetting('cosine_with_min_lr', 'lr_scheduler', 'OpenRLHF default');
  if (lr && !schedBy) plan.minLr = { ...derived(lr.value * 0.1, 'lr × 0.1 (OpenRLHF cosine_with_min_lr)'), origin: 'default', key: f.flag(s.lr) };
  const samples = plan.datasetSamples;
  if (samples && train && epochs) {
    const spe = Math.floor(samples.value / train.value);
    plan.stepsPerEpoch = derived(spe, `${formatCount(samples.value)} // ${said(train)}`, 'steps');
    plan.totalSteps = derived(Math.ceil(epochs.value * spe), `ceil(${said(epochs)} × ${formatCount(spe)})`, 'steps');
    plan.decaySteps = derived(plan.totalSteps.value, 'the scheduler decays over the whole run', 'steps');
  } else if (!samples) {
    ctx.missing.push({ field: 'datasetSamples', hint: 'set assume.datasetSamples (rows after max_samples) in .trainlint.yml: steps = epochs × samples // train batch' });
  }
  const warm = f.num(s.warmupRatio);
  if (warm && warm.value > 0) {
    plan.warmupRatio = withUnit(warm, 'ratio');
    if (plan.totalSteps) plan.warmupSteps = derived(Math.ceil(plan.totalSteps.value * warm.value), `ceil(${formatCount(plan.totalSteps.value)} × ${warm.value})`, 'steps');
  }
  const save = f.num(s.saveSteps);
  if (save && save.value > 0) plan.saveEverySteps = withUnit(save, 'steps');
  const ev = f.num(s.evalSteps);
  if (ev && ev.value > 0) plan.evalEverySteps = withUnit(ev, 'steps');
  precision(ctx, s);
  if (train && micro && world && ring !== undefined && dsTp !== undefined) deepspeedIdentity(ctx, train, micro, world, ring, dsTp, '');
  if (!world) ctx.missing.push({ field: 'worldSize', hint: 'pass --num_gpus N to deepspeed (without it, every GPU of the host), or set assume.worldSize in .trainlint.yml' });
  ctx.launchChecks['batch-size-mismatch'] = 'DeepSpeed refuses to start (its batch identity check)';
}

/** The renamed flags of both generations (flat ↔ dotted), from the spec tables. */
const RENAMED: { flat: Map<string, string>; dotted: Map<string, string> } = (() => {
  const flat = new Map<string, string>();
  const dotted = new Map<string, string>();
  for (const spec of [...Object.values(PPO), ...Object.values(SUPERVISED)] as Spec[]) {
    if (!spec.flat || !spec.dotted || spec.flat === spec.dotted) continue;
    flat.set(spec.flat, spec.dotted);
    dotted.set(spec.dotted, spec.flat);
  }
  return { flat, dotted };
})();

/**
 * Flags of both generations in one command: neither version's parser knows the other's names (research §4.1:
 * no aliases), and train_*.py calls `parser.parse_args()`, so argparse stops the run. Reported as a schema error
 * at the first flag of the minority generation, with the flags argparse would list.
 */
function mixedGenerations(ctx: Ctx, gen: Generation): void {
  const flatOnes = ctx.cmd.args.filter((a) => RENAMED.flat.has(a.flag));
  const dottedOnes = ctx.cmd.args.filter((a) => DOTTED.test(a.flag));
  if (gen !== 'dotted' || flatOnes.length === 0 || dottedOnes.length === 0) return;
  const said = (a: LaunchCommand['args'][number]): string => `${a.flag}${a.value !== undefined ? ` ${a.value}` : ''}`;
  const renames = flatOnes.map((a) => `${a.flag} → ${RENAMED.flat.get(a.flag)}`).join(', ');
  ctx.configErrors.push({
    range: flatOnes[0].flagRange,
    message:
      `${flatOnes.map((a) => a.flag).join(', ')} ${flatOnes.length === 1 ? 'is a' : 'are'} ≤ v0.9 flag${flatOnes.length === 1 ? '' : 's'} among ≥ v0.10 dotted ones (${dottedOnes[0].flag}…): OpenRLHF ≥ v0.10 has no such flag and its argparse stops the run ("error: unrecognized arguments: ${flatOnes.map(said).join(' ')}"), ` +
      `as v0.9 does for the dotted ones; write the dotted names (${renames})`,
    data: { flatFlags: flatOnes.map((a) => a.flag), dottedFlags: dottedOnes.map((a) => a.flag) },
  });
  ctx.notes.push(`flags of both OpenRLHF generations: the plan reads the dotted (≥ v0.10) ones; ${flatOnes.map((a) => a.flag).join(', ')} ${flatOnes.length === 1 ? 'is' : 'are'} not read`);
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const anchor = fileStartRange(file);
  const commands = (file.script?.commands ?? []).filter((c) => program(c) !== undefined);
  const cmd = commands[0];
  if (!cmd) return { plan: {}, missing: [], anchor, notes: ['no OpenRLHF training command found'] };
  const name = program(cmd)!;
  const kind: Kind = PPO_PROGRAMS.has(name) ? 'ppo' : 'supervised';
  const gen: Generation = cmd.args.some((a) => DOTTED.test(a.flag)) ? 'dotted' : 'flat';
  const args = argsFromFlags(file, cmd.args, (flag) => flag.replace(/^--/, ''));
  const ctx: Ctx = { file, f: new Flags(args, gen, file, kind !== 'ppo'), cmd, plan: {}, notes: [], missing: [], checks: [], configErrors: [], conflicts: [], ignored: [], launchChecks: {} };
  ctx.notes.push(`OpenRLHF ${name}, ${gen === 'dotted' ? 'dotted flags (≥ v0.10)' : 'flat flags (≤ v0.9)'}`);
  if (commands.length > 1) ctx.notes.push(`${commands.length} OpenRLHF commands in this script; the first (line ${cmd.range.line}) is linted`);
  mixedGenerations(ctx, gen);
  if (kind === 'ppo') extractPpo(ctx, env);
  else extractSupervised(ctx, env, name);
  ctx.notes.push(...ctx.f.hidden.notes("OpenRLHF's"));
  return {
    plan: ctx.plan,
    missing: ctx.missing,
    anchor: cmd.range,
    notes: ctx.notes,
    conflicts: ctx.conflicts,
    ...(ctx.checks.length ? { batchChecks: ctx.checks } : {}),
    ...(ctx.configErrors.length ? { configErrors: ctx.configErrors } : {}),
    ...(ctx.ignored.length ? { ignored: ctx.ignored } : {}),
    launchChecks: ctx.launchChecks,
    afterDecay: 'flat',
    // save_logs_and_checkpoints runs at multiples of save_steps; after fit() the final model is saved.
    atRunEnd: { save: 'OpenRLHF saves the final model (weights, not a resumable checkpoint) when training ends' },
    ...(cmd.forwardsArgs ? { overridable: { file: file.path, range: cmd.forwardsArgs, message: `the command ends in "$@" (line ${cmd.forwardsArgs.line}): arguments given to the script override these values` } } : {}),
  };
}

export const openrlhf: Dialect = {
  meta: {
    id: 'openrlhf',
    formats: ['shell'],
    title: 'OpenRLHF',
    description: 'OpenRLHF launch scripts: train_ppo_ray (PPO/GRPO/REINFORCE++) and the DeepSpeed trainers, flat (≤ v0.9) and dotted (≥ v0.10) flags',
    yamlLoader: 'pyyaml',
  },
  detect(file) {
    if (file.format !== 'shell') return 0;
    return (file.script?.commands ?? []).some((c) => program(c) !== undefined) ? 10 : 0;
  },
  extract,
};
