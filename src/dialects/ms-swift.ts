/**
 * ms-swift (modelscope/ms-swift): `swift sft|pt|rlhf …` and Megatron-SWIFT `megatron sft|pt|rlhf …`
 * launch scripts, and the YAML/JSON configs they take (`swift sft config.yaml`: `parse_yaml_args`
 * turns each key into `--key value`, so a config holds the same keys as the command line).
 *
 * Two argument sets:
 * - `swift …`: Hugging Face TrainingArguments with ms-swift's own defaults (`per_device_train_batch_size`
 *   1, `gradient_accumulation_steps` = ceil(16 / per_device / world), `learning_rate` 1e-5 for full
 *   tuning else 1e-4, `lr_scheduler_type` cosine; swift/trainers/arguments.py, sft_args.py);
 * - `megatron …`: Megatron-LM's (`micro_batch_size` 1, `global_batch_size` 16, `lr` 1e-5 full / 1e-4
 *   LoRA, `lr_decay_style` cosine, `min_lr` 0, `train_iters`; swift/megatron/arguments/megatron_args.py).
 *
 * The world size is the environment ms-swift starts torchrun from: NPROC_PER_NODE × NNODES (neither
 * set: one process), or a config's `ENV:` block, which does not override a variable already set.
 * GRPO (`rlhf_type grpo`): TRL's units and ms-swift's own generation-batch checks
 * (`_init_generation_batch_params`, Megatron's `_check_batch_params`), quoted in their words.
 *
 * Facts: research/frameworks-wave2-nemo-rl-jax.md §1.1, §1.4, §9, and ms-swift's source (read for
 * the defaults and the Megatron GRPO checks).
 */
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, boolAt, dataParallel, defaultSetting, derived, derivedFrom, numberAt, stringAt, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { getIn, mapGet, type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { overlaps, parseVersionRange } from '../engine/package-pins.js';
import { keepLiteralValueRanges, treeFromFlags } from './cli-tree.js';
import { extractHfTrainingArguments, HF_AT_RUN_END } from './hf-trainer.js';
import { deriveGrpoSteps, generationBatch, type GrpoValues } from './trl.js';
import type { BatchCheck, ConfigError, Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

const LOADER = 'pydantic';
/** ms-swift reads a YAML with PyYAML's safe_load and hands `str(value)` to HfArgumentParser, which types it. */
const LOADER_NAME = 'PyYAML, then HfArgumentParser (ms-swift)';

type Sub = 'sft' | 'pt' | 'rlhf';

interface SwiftCommand {
  cmd: LaunchCommand;
  sub: Sub;
  megatron: boolean;
}

const CLI = /^(swift|megatron) (sft|pt|rlhf)$/;
const MODULE = /^swift\.cli\.(_megatron\.)?(sft|pt|rlhf)$/;
const SCRIPT = /(?:^|\/)swift\/cli\/(_megatron\/)?(sft|pt|rlhf)\.py$/;

function swiftCommand(cmd: LaunchCommand): SwiftCommand | undefined {
  const cli = CLI.exec(cmd.cli ?? '');
  if (cli) return { cmd, sub: cli[2] as Sub, megatron: cli[1] === 'megatron' };
  const m = (cmd.module ? MODULE.exec(cmd.module) : undefined) ?? (cmd.script ? SCRIPT.exec(cmd.script) : undefined);
  return m ? { cmd, sub: m[2] as Sub, megatron: m[1] !== undefined } : undefined;
}

/** Keys only ms-swift's argument classes have (v4 `tuner_type`, v3 `train_type`, v2 `sft_type`). */
const STRONG = ['tuner_type', 'train_type', 'sft_type', 'rlhf_type', 'model_author', 'ENV', 'external_plugins', 'colocate_groups'];
/** Megatron-SWIFT's training keys (Megatron-LM names). */
const MEGATRON_KEYS = ['micro_batch_size', 'global_batch_size', 'train_iters', 'lr_warmup_fraction', 'lr_warmup_iters', 'lr_decay_style'];

function has(root: MapNode, key: string): boolean {
  return mapGet(root, key) !== undefined;
}

const MODEL_GROUP = keyGroup(['model', 'model_type', 'model_id_or_path']);
const STRONG_GROUP = keyGroup(STRONG);
const MEGATRON_GROUP = keyGroup(MEGATRON_KEYS);

function yamlIsSwift(facts: DetectFacts): boolean {
  if (!facts.root) return false;
  if (!facts.some(MODEL_GROUP)) return false;
  if (facts.some(STRONG_GROUP)) return true;
  // A bare `model` + `dataset` config with Megatron-SWIFT's batch keys.
  return facts.has('dataset') && facts.count(MEGATRON_GROUP) >= 2;
}

/** Megatron-SWIFT: a `megatron` command, or a config written with Megatron-LM's names (or a Ray `train:` group). */
function yamlIsMegatron(root: MapNode): boolean {
  if (has(root, 'per_device_train_batch_size')) return false;
  const train = mapGet(root, 'train')?.value;
  if (train?.kind === 'map' && mapGet(train, 'gpus')) return true;
  return MEGATRON_KEYS.some((k) => has(root, k)) || has(root, 'lr');
}

// ── Extraction ──────────────────────────────────────────────────────────────────────────

interface Ctx {
  file: SourceFile;
  /** The config tree: the file's own, or the command's flags. */
  view: SourceFile;
  env: ExtractEnv;
  anchor: Range;
  notes: string[];
  missing: MissingField[];
  conflicts: Conflict[];
  checks: BatchCheck[];
  configErrors: ConfigError[];
  ignored: IgnoredSetting[];
  launchChecks: Record<string, string>;
  rlhfType?: string;
}

const num = (ctx: Ctx, key: string): Setting<number> | undefined => numberAt(ctx.view, [key], LOADER);
const str = (ctx: Ctx, key: string): Setting<string> | undefined => stringAt(ctx.view, [key]);

function rangeOf(ctx: Ctx, ...settings: (Setting | undefined)[]): Range {
  for (const s of settings) if (s?.range && s.file === ctx.file.path && s.origin !== 'default' && s.origin !== 'derived') return s.range;
  for (const s of settings) if (s?.range && s.file === ctx.file.path) return s.range;
  return ctx.anchor;
}

/** The tuner (`tuner_type`, v3 `train_type`, v2 `sft_type`); Megatron-SWIFT defaults to full tuning, swift to LoRA. */
function tuner(ctx: Ctx, megatron: boolean): Setting<string> {
  return str(ctx, 'tuner_type') ?? str(ctx, 'train_type') ?? str(ctx, 'sft_type') ?? defaultSetting(megatron ? 'full' : 'lora', 'tuner_type', 'ms-swift default');
}

/**
 * The world size from a config's `ENV:` block (NPROC_PER_NODE × NNODES): ms-swift exports it before it
 * starts torchrun, unless the variable is already in the environment (the launch command's own wins).
 */
function envBlockWorld(ctx: Ctx, plan: TrainingPlan): void {
  const block = getIn(ctx.file.tree, ['ENV']);
  if (!block || block.node.kind !== 'map') return;
  const per = numberAt(ctx.file, ['ENV', 'NPROC_PER_NODE'], LOADER);
  const nodes = numberAt(ctx.file, ['ENV', 'NNODES'], LOADER);
  if (!per && !nodes) return;
  const launcher = ctx.env.assume.worldSize;
  const launcherSetsIt = typeof launcher === 'object' && launcher.origin === 'launcher' && launcher.key === 'NPROC_PER_NODE' && !/^NPROC_PER_NODE and NNODES not set/.test(launcher.how ?? '');
  if (launcherSetsIt) {
    const where = per ?? nodes!;
    ctx.ignored.push({
      key: `ENV.${where.key?.split('.').pop()}`,
      range: where.range ?? ctx.anchor,
      message: `ENV.${where.key?.split('.').pop()} ${formatCount(where.value)} is ignored: the launch command already sets ${launcher.how} and ms-swift keeps a variable that is already in the environment (parse_yaml_args), so the run uses ${formatCount(launcher.value as number)} processes; remove it here or from the command`,
      data: { written: where.value, used: launcher.value },
    });
    return;
  }
  const p = per?.value ?? 1;
  const n = nodes?.value ?? 1;
  const how = `ENV.NPROC_PER_NODE ${per ? formatCount(p) : 'not set'} × ENV.NNODES ${nodes ? formatCount(n) : '1 (not set)'}`;
  plan.worldSize = derivedFrom((per ?? nodes)!, p * n, how, 'GPUs');
}

function commonPrecision(ctx: Ctx, plan: TrainingPlan): void {
  if (plan.precision) return;
  const dtype = str(ctx, 'torch_dtype');
  if (dtype && /bfloat16|bf16/.test(dtype.value)) plan.precision = { ...dtype, value: 'bf16', note: 'torch_dtype drives bf16/fp16 in ms-swift' };
  else if (dtype && /float16|fp16|half/.test(dtype.value)) plan.precision = { ...dtype, value: 'fp16', note: 'torch_dtype drives bf16/fp16 in ms-swift' };
}

/** An HF interval key ignored because its strategy is not "steps". */
function strategyIgnores(ctx: Ctx, key: 'save_steps' | 'eval_steps', strategyKey: 'save_strategy' | 'eval_strategy'): void {
  const written = num(ctx, key);
  const strategy = str(ctx, strategyKey);
  if (!written || !strategy || strategy.value === 'steps') return;
  ctx.ignored.push({
    key,
    range: rangeOf(ctx, written),
    message: `${key} ${formatCount(written.value)} is ignored: ${strategyKey} is "${strategy.value}", so the Trainer ${key === 'save_steps' ? 'saves' : 'evaluates'} ${strategy.value === 'no' ? 'never' : 'once per epoch'}; set ${strategyKey} to "steps" or remove ${key}`,
    data: { [key]: written.value, [strategyKey]: strategy.value },
  });
}

/** `swift sft|pt|rlhf`: TrainingArguments with ms-swift's defaults. */
function extractSwift(ctx: Ctx): TrainingPlan {
  const grpo = ctx.rlhfType === 'grpo';
  let grpoValues: GrpoValues | undefined;
  const t = tuner(ctx, false);
  const hf = extractHfTrainingArguments(ctx.view, ctx.env, LOADER, {
    readExtra(plan) {
      if (plan.microBatchSize?.origin === 'default') plan.microBatchSize = defaultSetting(1, 'per_device_train_batch_size', 'ms-swift default');
      if (plan.gradAccumSteps?.origin === 'default') delete plan.gradAccumSteps; // ms-swift derives it from the world size
      if (plan.peakLr?.origin === 'default') {
        const full = t.value === 'full';
        plan.peakLr = defaultSetting(full ? 1e-5 : 1e-4, 'learning_rate', `ms-swift default for tuner_type ${t.value}${t.origin === 'default' ? ' (the default tuner)' : ''}: 1e-5 for full tuning, else 1e-4`);
      }
      if (plan.scheduler?.origin === 'default') plan.scheduler = defaultSetting('cosine', 'lr_scheduler_type', 'ms-swift default');
      commonPrecision(ctx, plan);
      envBlockWorld(ctx, plan);
    },
    beforeDerive(plan, notes) {
      const pd = plan.microBatchSize;
      const world = dataParallel(plan);
      if (!plan.gradAccumSteps && grpo) {
        // RLHFArguments._set_default (v3 and v4) sets 1 for GRPO before SftArguments' global-batch-16 default runs.
        plan.gradAccumSteps = defaultSetting(1, 'gradient_accumulation_steps', "ms-swift's default for GRPO (RLHFArguments._set_default), not the global-batch-16 default of swift sft");
      } else if (!plan.gradAccumSteps && pd && world) {
        const ga = Math.max(1, Math.ceil(16 / pd.value / world.value));
        plan.gradAccumSteps = { ...derived(ga, `max(1, ceil(16 / per_device_train_batch_size ${formatCount(pd.value)} / world ${formatCount(world.value)})) (ms-swift's default: a global batch near 16)`), origin: 'default', key: 'gradient_accumulation_steps' };
      } else if (!plan.gradAccumSteps) {
        notes.push('gradient_accumulation_steps is not set: ms-swift derives it from the world size (ceil(16 / per_device / world)), which is unknown here');
      }
      if (grpo && pd && plan.gradAccumSteps) grpoValues = swiftGrpo(ctx, plan, pd, plan.gradAccumSteps, notes);
    },
    ...(grpo ? { deriveSteps: (plan: TrainingPlan, notes: string[]) => (grpoValues ? deriveGrpoSteps(plan, grpoValues, notes) : false) } : {}),
  });
  // `deepspeed: zero2` names one of ms-swift's bundled DeepSpeed presets (batch values "auto"), not a file.
  const ds = str(ctx, 'deepspeed');
  const preset = ds && /^zero[0-3](?:_offload)?$/.test(ds.value);
  ctx.notes.push(...hf.notes.filter((n) => !(preset && n.startsWith('deepspeed:'))));
  if (preset) ctx.notes.push(`deepspeed ${ds.value}: one of ms-swift's bundled DeepSpeed presets, whose batch values are "auto" (taken from these arguments)`);
  ctx.conflicts.push(...hf.conflicts);
  // What the Trainer ignores (a warmup under `lr_scheduler_type: constant`) is ignored under ms-swift too.
  ctx.ignored.push(...hf.ignored);
  ctx.missing.push(...hf.missing.filter((m) => m.field !== 'worldSize'));
  if (!hf.plan.worldSize) ctx.missing.push({ field: 'worldSize', hint: 'start the run with NPROC_PER_NODE=N (and NNODES) in a committed script, set ENV: {NPROC_PER_NODE: N} in the config, or set assume.worldSize in .trainlint.yml' });
  strategyIgnores(ctx, 'save_steps', 'save_strategy');
  strategyIgnores(ctx, 'eval_steps', 'eval_strategy');
  if (grpo && hf.plan.globalBatchSize) hf.plan.globalBatchSize = withUnit(hf.plan.globalBatchSize, 'completions');
  return hf.plan;
}

const SWIFT_STOPS = 'ms-swift refuses to start (its argument checks raise ValueError before training)';

/** split_dataset_ratio's default is 0 since ms-swift 3.6, 0.01 before (ms-swift's command-line docs: "ms-swift<3.6"). */
const SPLIT_DEFAULT_ZERO_SINCE = [3, 6];

interface Evaluation {
  /** Whether the run evaluates; undefined when it depends on a version the repository's pin leaves open. */
  runs: boolean | undefined;
  /** Why, for the message. */
  why: string;
  /** How to turn the evaluation off, when it runs. */
  off: string;
}

/**
 * Whether ms-swift evaluates, which is when GRPO checks the eval batch (`eval_strategy != 'no'`): without
 * validation data (no val_dataset and split_dataset_ratio 0) SftArguments sets eval_strategy 'no'. The
 * ratio's default depends on the version: the repository's ms-swift pin, else the current one (0).
 */
function evaluates(ctx: Ctx): Evaluation {
  const off = 'or set split_dataset_ratio 0 (no validation split, so no evaluation)';
  const strategy = str(ctx, 'eval_strategy');
  if (strategy?.value === 'no') return { runs: false, why: 'eval_strategy is "no"', off };
  const val = getIn(ctx.view.tree, ['val_dataset'])?.node;
  const hasVal = val !== undefined && !(val.kind === 'seq' && val.items.length === 0) && !(val.kind === 'scalar' && (val.value === null || val.value === ''));
  if (hasVal) return { runs: true, why: 'val_dataset is set', off: 'or remove val_dataset (no evaluation)' };
  const ratio = num(ctx, 'split_dataset_ratio');
  if (ratio) return { runs: ratio.value > 0, why: `split_dataset_ratio ${ratio.value}`, off };
  const pin = ctx.env.packagePin?.('ms-swift');
  const range = pin ? parseVersionRange(pin.spec) : undefined;
  if (!pin || !range) return { runs: false, why: 'split_dataset_ratio is not set: 0 since ms-swift 3.6 (no ms-swift pin in requirements*.txt, pyproject.toml or setup.py), so there is no validation set', off };
  const source = `ms-swift${pin.spec} (${pin.file}:${pin.line})`;
  const older = overlaps(range, [0], SPLIT_DEFAULT_ZERO_SINCE);
  const newer = overlaps(range, SPLIT_DEFAULT_ZERO_SINCE);
  if (older && !newer) return { runs: true, why: `split_dataset_ratio is not set: 0.01 before ms-swift 3.6 (${source}), so 1% of the dataset is held out for evaluation`, off };
  if (!older) return { runs: false, why: `split_dataset_ratio is not set: 0 since ms-swift 3.6 (${source})`, off };
  return { runs: undefined, why: `split_dataset_ratio is not set: its default is 0.01 before ms-swift 3.6 and 0 since, and ${source} allows both`, off };
}

/** `swift rlhf --rlhf_type grpo`: TRL's units, ms-swift's `_init_generation_batch_params` checks. */
function swiftGrpo(ctx: Ctx, plan: TrainingPlan, pd: Setting<number>, ga: Setting<number>, notes: string[]): GrpoValues {
  const g = num(ctx, 'num_generations') ?? defaultSetting(8, 'num_generations', 'ms-swift default');
  const mu = num(ctx, 'num_iterations') ?? defaultSetting(1, 'num_iterations');
  const gbs = num(ctx, 'generation_batch_size');
  const spg = num(ctx, 'steps_per_generation');
  const v: GrpoValues = { pd, ga, g, mu, ...(gbs ? { gbs } : {}), ...(spg ? { spg } : {}) };
  plan.microBatchSize = withUnit(pd, 'completions', 'GRPO: completions per device, not prompts');
  plan.samplesPerPrompt = withUnit(g, 'completions');
  plan.schedulerTick = { value: 'optimizer-step', origin: 'derived', how: 'the Trainer steps the LR scheduler once per optimizer step' };
  if (g.value <= 1) ctx.configErrors.push({ range: rangeOf(ctx, g), message: `num_generations ${formatCount(g.value)}: ${SWIFT_STOPS} ("num_generations must be greater than 1 for GRPO"); set it to 2 or more` });
  const world = dataParallel(plan);
  const p = world?.value;
  if (!p) {
    notes.push('GRPO batch checks need the world size (NPROC_PER_NODE): only the ones that do not depend on it were made');
  }
  const global = p ? pd.value * p : undefined;
  if (gbs && spg && global && gbs.value !== global * spg.value) {
    ctx.checks.push({
      kind: 'swift-generation-batch-mismatch',
      range: rangeOf(ctx, gbs, spg),
      message: `generation_batch_size ${formatCount(gbs.value)} ≠ per_device_train_batch_size ${formatCount(pd.value)} × world ${formatCount(p!)} × steps_per_generation ${formatCount(spg.value)} = ${formatCount(global * spg.value)}: ${SWIFT_STOPS} ("generation_batch_size (${formatCount(gbs.value)}) must equal per_device_train_batch_size * world_size * steps_per_generation = ${formatCount(global * spg.value)}."); keep one of the two`,
      data: { generationBatchSize: gbs.value, expected: global * spg.value },
    });
  } else if (gbs && !spg && global && gbs.value % global !== 0) {
    ctx.checks.push({
      kind: 'swift-generation-batch-not-divisible-by-global',
      range: rangeOf(ctx, gbs),
      message: `generation_batch_size ${formatCount(gbs.value)} is not divisible by the global batch per_device_train_batch_size ${formatCount(pd.value)} × world ${formatCount(p!)} = ${formatCount(global)}: ${SWIFT_STOPS} ("generation_batch_size (${formatCount(gbs.value)}) must be divisible by the global batch size (${formatCount(global)})."); use a multiple of ${formatCount(global)}`,
      data: { generationBatchSize: gbs.value, globalBatch: global },
    });
  }
  const gen = generationBatch(v, p);
  if (gen.gbs && gen.gbs % g.value !== 0) {
    const valid = [];
    for (let d = 2; d <= Math.min(gen.gbs, 128); d++) if (gen.gbs % d === 0) valid.push(d);
    ctx.checks.push({
      kind: 'swift-generation-batch-not-divisible-by-generations',
      range: rangeOf(ctx, gbs, g, pd, ga),
      // Numbers first; how the generation batch was computed closes the message.
      message: `${gen.how === `generation_batch_size ${formatCount(gen.gbs)}` ? gen.how : `the generation batch of ${formatCount(gen.gbs)} completions`} is not divisible by num_generations ${formatCount(g.value)}: ${SWIFT_STOPS} ("generation_batch_size (${formatCount(gen.gbs)}) must be evenly divisible by num_generations (${formatCount(g.value)}). Valid values: [${valid.slice(0, 8).join(', ')}]"); pick one of those${gen.how === `generation_batch_size ${formatCount(gen.gbs)}` ? '' : ` (the generation batch = ${gen.how})`}`,
      data: { generationBatchSize: gen.gbs, numGenerations: g.value },
    });
  }
  const pdEval = num(ctx, 'per_device_eval_batch_size') ?? defaultSetting(1, 'per_device_eval_batch_size', 'ms-swift default');
  const gEval = num(ctx, 'num_generations_eval') ?? g;
  const evaluation = evaluates(ctx);
  if (evaluation.runs === undefined) notes.push(`${evaluation.why}: whether GRPO evaluates (and checks the eval batch) is unknown`);
  if (p && evaluation.runs && (p * pdEval.value) % gEval.value !== 0) {
    ctx.checks.push({
      kind: 'swift-eval-batch-not-divisible',
      range: rangeOf(ctx, pdEval, gEval),
      message: `the global eval batch world ${formatCount(p)} × per_device_eval_batch_size ${formatCount(pdEval.value)}${pdEval.origin === 'default' ? ' (ms-swift default)' : ''} = ${formatCount(p * pdEval.value)} is not divisible by ${gEval.key ?? 'num_generations'} ${formatCount(gEval.value)} (the run evaluates: ${evaluation.why}): ${SWIFT_STOPS} ("The global eval batch size (${formatCount(p)} x ${formatCount(pdEval.value)}) must be evenly divisible by num_generations_eval (${formatCount(gEval.value)})."); raise per_device_eval_batch_size to a multiple of ${formatCount(gEval.value)}, ${evaluation.off}`,
      data: { evalBatch: p * pdEval.value, numGenerations: gEval.value },
    });
  }
  if (gen.gbs && Number.isInteger(gen.gbs / g.value)) plan.promptsPerRolloutStep = derived(gen.gbs / g.value, `${gen.how ?? formatCount(gen.gbs)} / num_generations ${formatCount(g.value)}`, 'prompts');
  if (gen.spg !== undefined && Number.isInteger((gen.spg * mu.value) / ga.value)) plan.optimizerStepsPerRolloutStep = derived((gen.spg * mu.value) / ga.value, `steps_per_generation ${formatCount(gen.spg)} × num_iterations ${formatCount(mu.value)} / gradient_accumulation_steps ${formatCount(ga.value)}`, 'optimizer steps');
  ctx.launchChecks['batch-size-mismatch'] = SWIFT_STOPS;
  return v;
}

// ── Megatron-SWIFT ──────────────────────────────────────────────────────────────────────

const MEGATRON_STOPS = 'Megatron-SWIFT refuses to start, after the GPUs are allocated';

function megatronWorld(ctx: Ctx, plan: TrainingPlan): void {
  // Ray (`swift … --config ray.yaml`): the trainer group's GPUs.
  const rayGpus = numberAt(ctx.view, ['train', 'gpus'], LOADER);
  if (rayGpus && !plan.worldSize) plan.worldSize = { ...rayGpus, unit: 'GPUs', note: 'the Ray trainer group (train.gpus)' };
}

function extractMegatron(ctx: Ctx): TrainingPlan {
  const plan: TrainingPlan = {};
  const t = tuner(ctx, true);
  const n = (key: string) => num(ctx, key) ?? numberAt(ctx.view, ['train', key], LOADER);
  const micro = n('micro_batch_size') ?? defaultSetting(1, 'micro_batch_size', 'Megatron-SWIFT default');
  const global = n('global_batch_size') ?? defaultSetting(16, 'global_batch_size', 'Megatron-SWIFT default');
  plan.microBatchSize = withUnit(micro, 'samples');
  plan.globalBatchSize = withUnit(global, 'samples');
  plan.peakLr = num(ctx, 'lr') ?? defaultSetting(t.value === 'full' ? 1e-5 : 1e-4, 'lr', `Megatron-SWIFT default for tuner_type ${t.value}: 1e-5 for full tuning, else 1e-4`);
  const minLr = num(ctx, 'min_lr') ?? defaultSetting(0, 'min_lr', 'Megatron-SWIFT default');
  plan.minLr = minLr;
  plan.scheduler = str(ctx, 'lr_decay_style') ?? defaultSetting('cosine', 'lr_decay_style', 'Megatron-SWIFT default');
  commonPrecision(ctx, plan);
  envBlockWorld(ctx, plan);
  megatronWorld(ctx, plan);
  applyAssumptions(plan, ctx.env.assume);

  const tp = n('tensor_model_parallel_size')?.value ?? 1;
  const pp = n('pipeline_model_parallel_size')?.value ?? 1;
  const cp = n('context_parallel_size')?.value ?? 1;
  const mp = tp * pp * cp;
  const world = plan.worldSize;
  if (world && mp > 1 && world.value % mp === 0) plan.dataParallelSize = derived(world.value / mp, `${formatCount(world.value)} GPUs / (TP ${tp} × PP ${pp} × CP ${cp})`);
  const dp = dataParallel(plan);
  if (dp && world && world.value % mp === 0) {
    const per = micro.value * dp.value;
    if (global.value % per === 0) plan.gradAccumSteps = derived(global.value / per, `global_batch_size ${formatCount(global.value)} / (micro_batch_size ${formatCount(micro.value)} × data-parallel ${formatCount(dp.value)})`);
    else if (ctx.rlhfType !== 'grpo') {
      ctx.checks.push({
        kind: 'megatron-global-not-divisible',
        range: rangeOf(ctx, global, micro),
        message: `global_batch_size ${formatCount(global.value)} is not divisible by micro_batch_size ${formatCount(micro.value)} × data-parallel ${formatCount(dp.value)} = ${formatCount(per)}: ${MEGATRON_STOPS} (Megatron's microbatch calculator asserts "global batch size (${formatCount(global.value)}) is not divisible by micro batch size (${formatCount(micro.value)}) times data parallel size (${formatCount(dp.value)})"); use a multiple of ${formatCount(per)}`,
        data: { globalBatchSize: global.value, microBatchSize: micro.value, dataParallel: dp.value },
      });
    }
  }

  // Run length: train_iters, else epochs × ceil(samples / global batch).
  const iters = num(ctx, 'train_iters');
  const epochs = num(ctx, 'num_train_epochs');
  if (iters) plan.totalSteps = withUnit(iters, 'steps');
  if (epochs) plan.epochs = withUnit(epochs, 'epochs');
  if (!iters && epochs && plan.datasetSamples) {
    const spe = Math.ceil(plan.datasetSamples.value / global.value);
    plan.stepsPerEpoch = derived(spe, `ceil(${formatCount(plan.datasetSamples.value)} / global_batch_size ${formatCount(global.value)})`, 'steps');
    plan.totalSteps = derivedFrom(epochs, spe * epochs.value, `${formatCount(spe)} steps/epoch × num_train_epochs ${formatCount(epochs.value)}`, 'steps');
  }
  const decay = num(ctx, 'lr_decay_iters');
  if (decay) plan.decaySteps = withUnit(decay, 'steps');
  else if (plan.totalSteps) plan.decaySteps = { ...derived(plan.totalSteps.value, 'lr_decay_iters not set: train_iters', 'steps'), origin: 'default', key: 'lr_decay_iters' };
  const wIters = num(ctx, 'lr_warmup_iters');
  const wFrac = num(ctx, 'lr_warmup_fraction');
  if (wFrac && wIters && wIters.value > 0) {
    ctx.conflicts.push({
      kind: 'warmup-iters-and-fraction',
      range: rangeOf(ctx, wFrac, wIters),
      message: `lr_warmup_fraction ${wFrac.value} and lr_warmup_iters ${formatCount(wIters.value)} are both set: Megatron refuses to start ("can only specify one of lr-warmup-fraction and lr-warmup-iters"); keep one`,
    });
  }
  if (wFrac) {
    plan.warmupRatio = withUnit(wFrac, 'ratio');
    const horizon = plan.decaySteps?.value;
    if (horizon !== undefined) plan.warmupSteps = { ...derivedFrom(wFrac, Math.floor(wFrac.value * horizon), `lr_warmup_fraction ${wFrac.value} × the decay horizon ${formatCount(horizon)}`, 'steps'), fractionOf: { fraction: wFrac.value, of: 'the decay horizon', ofSteps: horizon } };
  } else {
    plan.warmupSteps = wIters ? withUnit(wIters, 'steps') : withUnit(defaultSetting(0, 'lr_warmup_iters'), 'steps');
  }
  megatronWarmupAssertion(ctx, plan, decay);
  const save = num(ctx, 'save_steps') ?? num(ctx, 'save_interval') ?? defaultSetting(500, 'save_steps', 'Megatron-SWIFT default');
  if (save.value > 0) plan.saveEverySteps = withUnit(save, 'steps');
  const evalEvery = num(ctx, 'eval_steps') ?? num(ctx, 'eval_interval');
  if (evalEvery && evalEvery.value > 0) plan.evalEverySteps = withUnit(evalEvery, 'steps');
  ctx.launchChecks['min-lr-exceeds-lr'] = "Megatron-SWIFT refuses to start (Megatron's OptimizerParamScheduler asserts max_lr >= min_lr)";
  if (ctx.rlhfType === 'grpo') megatronGrpo(ctx, plan, micro, global, dp?.value, world?.value);

  if (!plan.worldSize) ctx.missing.push({ field: 'worldSize', hint: 'start the run with NPROC_PER_NODE=N (and NNODES) in a committed script, or set assume.worldSize in .trainlint.yml' });
  if (!plan.totalSteps) ctx.missing.push({ field: 'datasetSamples', hint: 'set train_iters, or assume.datasetSamples in .trainlint.yml' });
  ctx.notes.push(`Megatron-SWIFT: learning rate ${formatSci(plan.peakLr.value)} decays (${plan.scheduler?.value}) to min_lr ${formatSci(minLr.value)} over lr_decay_iters (train_iters when unset)`);
  return plan;
}

/**
 * Megatron's OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps when Megatron-SWIFT builds it
 * (lr_decay_iters defaults to train_iters): a warmup as long as the run is warmup-exceeds-training's finding,
 * which this launch check words; one shorter than the run but not below a written lr_decay_iters contradicts it.
 */
function megatronWarmupAssertion(ctx: Ctx, plan: TrainingPlan, decayWritten: Setting<number> | undefined): void {
  const w = plan.warmupSteps;
  const decay = plan.decaySteps;
  if (!w || !decay || w.value <= 0 || w.value < decay.value) return;
  const assertion = `Megatron's OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps: warmup ${formatCount(w.value)} ≥ decay ${formatCount(decay.value)} steps`;
  ctx.launchChecks['warmup-exceeds-training'] = `Megatron-SWIFT refuses to start (${assertion})`;
  const total = plan.totalSteps;
  if (!decayWritten || (total && w.value >= total.value)) return;
  ctx.conflicts.push({
    kind: 'warmup-not-below-decay',
    range: rangeOf(ctx, w, decayWritten),
    message: `${w.key ?? 'lr_warmup_iters'} ${formatCount(w.value)} is not below lr_decay_iters ${formatCount(decayWritten.value)}: ${MEGATRON_STOPS} (${assertion}); keep the warmup below ${formatCount(decayWritten.value)} steps, or raise lr_decay_iters`,
    data: { warmupSteps: w.value, decaySteps: decayWritten.value },
  });
}

/** Megatron GRPO `_check_batch_params` (swift/megatron/arguments/megatron_args.py). */
function megatronGrpo(ctx: Ctx, plan: TrainingPlan, micro: Setting<number>, global: Setting<number>, dp: number | undefined, world: number | undefined): void {
  const g = num(ctx, 'num_generations') ?? defaultSetting(8, 'num_generations', 'ms-swift default');
  const gbs = num(ctx, 'generation_batch_size');
  const spg = num(ctx, 'steps_per_generation');
  plan.samplesPerPrompt = withUnit(g, 'completions');
  plan.globalBatchSize = withUnit(global, 'completions');
  plan.schedulerTick = { value: 'optimizer-step', origin: 'derived', how: "Megatron's scheduler steps once per optimizer step" };
  if (gbs && spg) {
    ctx.conflicts.push({ kind: 'generation-batch-and-steps', range: rangeOf(ctx, spg, gbs), message: `generation_batch_size ${formatCount(gbs.value)} and steps_per_generation ${formatCount(spg.value)} are both set: Megatron-SWIFT refuses to start ("'generation_batch_size' and 'steps_per_generation' cannot be both configured"); keep one` });
    return;
  }
  let generation: number;
  if (gbs) {
    if (gbs.value % global.value !== 0) {
      ctx.checks.push({ kind: 'megatron-generation-batch-not-divisible', range: rangeOf(ctx, gbs, global), message: `generation_batch_size ${formatCount(gbs.value)} is not divisible by global_batch_size ${formatCount(global.value)}: ${MEGATRON_STOPS} ("generation_batch_size (${formatCount(gbs.value)}) must be divisible by global_batch_size (${formatCount(global.value)})"); use a multiple of ${formatCount(global.value)}` });
      return;
    }
    generation = gbs.value;
  } else {
    generation = global.value * (spg?.value ?? 1);
  }
  const steps = generation / global.value;
  plan.optimizerStepsPerRolloutStep = derived(steps, gbs ? `generation_batch_size ${formatCount(generation)} / global_batch_size ${formatCount(global.value)}` : `steps_per_generation ${formatCount(spg?.value ?? 1)}${spg ? '' : ' (default)'}`, 'optimizer steps');
  const prompts = Math.floor(generation / g.value);
  plan.promptsPerRolloutStep = derived(prompts, `generation batch ${formatCount(generation)} // num_generations ${formatCount(g.value)}`, 'prompts');
  if (!dp || !world) return;
  const how = `generation_batch_size (${formatCount(generation)}) // num_generations (${formatCount(g.value)})`;
  if (prompts % dp !== 0) {
    ctx.checks.push({
      kind: 'megatron-rollout-prompts-not-divisible',
      range: rangeOf(ctx, g, gbs, spg, global),
      message: `${formatCount(generation)} completions per generation // num_generations ${formatCount(g.value)} = ${formatCount(prompts)} prompts is not divisible by the ${formatCount(dp)} data-parallel ranks: ${MEGATRON_STOPS} ("num_rollout_prompt (${formatCount(prompts)}) = ${how} must be divisible by dp_size (${formatCount(dp)})."); adjust generation_batch_size, steps_per_generation or num_generations`,
      data: { rolloutPrompts: prompts, dataParallel: dp },
    });
    return;
  }
  const perDevice = prompts / dp;
  if (perDevice % micro.value !== 0) {
    ctx.checks.push({
      kind: 'megatron-rollout-prompts-per-device',
      range: rangeOf(ctx, micro, g),
      message: `${formatCount(prompts)} prompts per generation / ${formatCount(dp)} data-parallel ranks = ${formatCount(perDevice)} per device is not divisible by micro_batch_size ${formatCount(micro.value)}: ${MEGATRON_STOPS} ("Per-device rollout prompt count (${formatCount(perDevice)}) = (${how}) // dp_size (${formatCount(dp)}) must be divisible by micro_batch_size (${formatCount(micro.value)})."); lower micro_batch_size or raise the generation batch`,
      data: { perDeviceRolloutPrompts: perDevice, microBatchSize: micro.value },
    });
  }
  ctx.launchChecks['batch-size-mismatch'] = MEGATRON_STOPS;
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const anchor = fileStartRange(file);
  let view: SourceFile = file;
  let megatron = false;
  let sub: Sub | undefined;
  let cmd: LaunchCommand | undefined;
  const notes: string[] = [];
  if (file.format === 'shell') {
    const commands = (file.script?.commands ?? []).map(swiftCommand).filter((c): c is SwiftCommand => c !== undefined);
    const first = commands[0];
    if (!first) return { plan: {}, missing: [], anchor, notes: ['no ms-swift training command found'] };
    if (commands.length > 1) notes.push(`${commands.length} ms-swift commands in this script; the first (line ${first.cmd.range.line}) is linted`);
    cmd = first.cmd;
    sub = first.sub;
    megatron = first.megatron;
    const config = cmd.args.find((a) => a.flag === '' && /\.(?:ya?ml|json)$/i.test(a.value ?? ''));
    if (config) {
      notes.push(`the run's settings are in ${config.value}, linted with this command's world size; flags written after it on this line override its keys`);
      return { plan: {}, missing: [], anchor: cmd.range, notes };
    }
    view = { ...file, format: 'yaml', tree: treeFromFlags(cmd.args, cmd.range) };
  } else if (file.tree?.kind === 'map') {
    megatron = yamlIsMegatron(file.tree);
  }
  const ctx: Ctx = { file, view, env, anchor: cmd?.range ?? anchor, notes, missing: [], conflicts: [], checks: [], configErrors: [], ignored: [], launchChecks: {} };
  const rlhf = str(ctx, 'rlhf_type');
  ctx.rlhfType = rlhf?.value ?? (sub === 'rlhf' ? 'dpo' : undefined);
  if (cmd) {
    const w = launcherWorldSize(cmd);
    if (w) env = { ...env, assume: { ...env.assume, worldSize: { value: w.value, origin: 'launcher', file: file.path, key: w.key, range: w.range, how: w.how } } };
    ctx.env = env;
  }
  const plan = megatron ? extractMegatron(ctx) : extractSwift(ctx);
  if (ctx.rlhfType === 'dpo' && plan.peakLr?.origin === 'default') notes.push('rlhf_type dpo: per_device_train_batch_size counts preference pairs');
  keepLiteralValueRanges(plan as Record<string, Setting | undefined>, file);
  if (boolAt(view, ['use_vllm'])?.value === false && ctx.rlhfType === 'grpo' && megatron) {
    ctx.configErrors.push({ range: rangeOf(ctx, boolAt(view, ['use_vllm'])), message: 'use_vllm false: Megatron-SWIFT refuses to start ("use_vllm must be True for Megatron GRPO"); set use_vllm true' });
  }
  return {
    plan,
    missing: ctx.missing,
    anchor: ctx.anchor,
    notes: [...new Set(ctx.notes)],
    conflicts: ctx.conflicts,
    ...(ctx.checks.length ? { batchChecks: ctx.checks } : {}),
    ...(ctx.configErrors.length ? { configErrors: ctx.configErrors } : {}),
    ...(ctx.ignored.length ? { ignored: ctx.ignored } : {}),
    launchChecks: ctx.launchChecks,
    ...(megatron ? { decayDefaultsToRun: true, afterDecay: 'flat' as const } : { atRunEnd: HF_AT_RUN_END }),
    ...(cmd?.forwardsArgs ? { overridable: { file: file.path, range: cmd.forwardsArgs, message: `the command ends in "$@" (line ${cmd.forwardsArgs.line}): arguments given to the script override these values` } } : {}),
  };
}

export const msSwift: Dialect = {
  meta: {
    id: 'ms-swift',
    formats: ['shell', 'yaml', 'json'],
    title: 'ms-swift',
    description: 'ms-swift `swift sft|pt|rlhf` and Megatron-SWIFT `megatron sft|rlhf` launch scripts and their YAML/JSON configs',
    yamlLoader: LOADER,
    yamlLoaderName: LOADER_NAME,
    // `swift sft config.yaml --learning_rate 2e-4`, `megatron sft x.yaml --lr 1e-5`: swift/cli/main.py parse_yaml_args expands
    // the first argument's keys into `--k v` in its place, so the flags after it win (argparse: the last one).
    launchOverrides: ['argparse'],
    schema: 'ms-swift.schema.json',
    // parse_yaml_args reads a .json config with yaml.safe_load too, which skips a UTF-8 byte order mark.
    jsonLoader: 'yaml',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return (file.script?.commands ?? []).some((c) => swiftCommand(c) !== undefined) ? 10 : 0;
    if (file.format !== 'yaml' && file.format !== 'json') return 0;
    return yamlIsSwift(facts) ? 9 : 0;
  },
  extract,
};
