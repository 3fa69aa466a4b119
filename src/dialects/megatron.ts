/**
 * Megatron-LM (NVIDIA/Megatron-LM): runs are `pretrain_*.py` command lines. Two forms:
 *  - launch scripts: `torchrun … pretrain_gpt.py --micro-batch-size 4 --global-batch-size 256 …`;
 *  - the functional-test YAML (`tests/functional_tests/test_cases/**\/model_config.yaml`), whose
 *    `MODEL_ARGS:` mapping holds `--flag: value` pairs. The CI harness (`_run_training.sh`)
 *    envsubst's the file, turns `true` into a bare flag and passes every other value as text,
 *    so argparse (not the YAML loader) types the values: `1e-4` is a float here.
 *
 * Flags, defaults and the scheduler math: research/frameworks.md §5
 * (`megatron/training/arguments.py`, `training.py::get_optimizer_param_scheduler`,
 * `training.py::update_train_iters`). Megatron's LR schedule counts samples; everything here
 * is converted to optimizer steps (iterations), keeping the original value in `how`.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { argValue, flagMayBeSetBy, launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, argRange, defaultSetting, derived, derivedFrom, deriveGlobalBatch, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { getIn, hasKey, mapGet, type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, MissingField } from './types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** Defaults from `arguments.py` / `training_config.py` (frameworks.md §5). */
export const MEGATRON_DEFAULTS = {
  /** `--tensor-model-parallel-size`, `--pipeline-model-parallel-size`, `--context-parallel-size`: 1. */
  parallelSize: 1,
  /** `--min-lr` 0.0. */
  minLr: 0,
  /** `--lr-decay-style` linear. */
  lrDecayStyle: 'linear',
  /** `--lr-warmup-iters` 0 and `--lr-warmup-samples` 0. */
  warmup: 0,
  /** `--optimizer` 'adam' (megatron/core/optimizer/optimizer_config.py: decoupled weight decay, i.e. AdamW). */
  optimizer: 'adam',
};

const SCRIPT = /(?:^|\/)pretrain_[A-Za-z0-9_]+\.py$/;
/** Flags only Megatron's parser has (HF spells its flags with underscores). */
const DISTINCTIVE = [
  '--micro-batch-size', '--global-batch-size', '--tensor-model-parallel-size', '--pipeline-model-parallel-size',
  '--train-iters', '--train-samples', '--lr-decay-style', '--lr-decay-iters', '--lr-decay-samples',
  '--lr-warmup-fraction', '--lr-warmup-iters', '--lr-warmup-samples',
];

// ── Argument sources: a launch command or a MODEL_ARGS mapping ───────────────────────────

interface Arg {
  /** The value as the program receives it (text); undefined for a bare switch. */
  text?: string;
  /** A switch that is on (`--bf16` in a script, `--bf16: true` in the YAML). */
  on: boolean;
  key: string;
  range: Range;
  note?: string;
}

interface ArgSource {
  /** The last occurrence of `flag` (argparse keeps the last; the YAML tree keeps the last duplicate). */
  get(flag: string): Arg | undefined;
  /** All values of a multi-value flag (`--rampup-batch-size 16 16 5859375`). */
  values(flag: string): string[];
  flags(): string[];
  /**
   * The first flag written (in `flags()` order) that is `flag`, or `flag` and a value in one word (a bash
   * array element quoted whole: "--fp8-format hybrid"), without listing them all.
   */
  findFlag(flag: string): string | undefined;
  /** The opaque word (`$EXTRA_ARGS`, an array a branch appended to) that may set one of `flags` the command does not write. */
  hiddenBy(...flags: string[]): string | undefined;
}

function shellSource(cmd: LaunchCommand): ArgSource {
  return {
    get(flag) {
      const arg = argValue(cmd, flag);
      if (!arg) return undefined;
      return {
        text: arg.value,
        // A switch followed by an unknown `$EXTRA_ARGS` is on (the word is not its value: argparse's store_true takes none).
        on: arg.value === undefined || arg.valueOpaque !== undefined,
        key: flag,
        range: argRange(arg),
        ...(arg.viaVariable ? { note: `from $${arg.viaVariable}` } : {}),
      };
    },
    values(flag) {
      // The shell reader keeps the first value with the flag and the rest as positional args.
      let at = cmd.args.length - 1;
      while (at >= 0 && cmd.args[at].flag !== flag) at--;
      if (at < 0 || cmd.args[at].value === undefined) return [];
      const out = [cmd.args[at].value as string];
      for (let i = at + 1; i < cmd.args.length && cmd.args[i].flag === '' && cmd.args[i].value !== undefined; i++) out.push(cmd.args[i].value as string);
      return out;
    },
    flags: () => cmd.args.map((a) => a.flag).filter(Boolean),
    findFlag(flag) {
      for (const a of cmd.args) if (a.flag && isFlagWord(a.flag, flag)) return a.flag;
      return undefined;
    },
    hiddenBy: (...flags) => flagMayBeSetBy(cmd, ...flags),
  };
}

function yamlSource(args: MapNode): ArgSource {
  return {
    get(flag) {
      const entry = mapGet(args, flag);
      if (!entry) return undefined;
      const range = entry.keyRange;
      const node = entry.value;
      if (node.kind === 'seq') {
        // The harness strips the brackets: `--flag: [a, b]` becomes `--flag a, b`.
        return { key: flag, range, on: false, text: node.items.map((i) => (i.kind === 'scalar' ? String(i.value) : '')).join(' ') };
      }
      if (node.kind !== 'scalar') return { key: flag, range, on: false };
      if (node.value === true) return { key: flag, range, on: true };
      if (node.value === null || node.value === false) return { key: flag, range, on: false };
      return { key: flag, range, on: false, text: typeof node.value === 'number' ? node.source : String(node.value) };
    },
    values(flag) {
      return (this.get(flag)?.text ?? '').split(/[\s,]+/).filter(Boolean);
    },
    flags: () => args.entries.map((e) => e.key),
    findFlag(flag) {
      const entries = args.entries;
      for (let i = 0; i < entries.length; i++) if (isFlagWord(entries[i].key, flag)) return entries[i].key;
      return undefined;
    },
    hiddenBy: () => undefined,
  };
}

/** `word` is `flag`, or `flag` and its value in one word ("--fp8-format hybrid", a bash array element quoted whole). */
function isFlagWord(word: string, flag: string): boolean {
  return word.startsWith(flag) && (word.length === flag.length || word.charCodeAt(flag.length) === 32 /* space */);
}

const NUMBER = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/;

// ── Extraction ──────────────────────────────────────────────────────────────────────────

interface Ctx {
  file: SourceFile;
  src: ArgSource;
  plan: TrainingPlan;
  missing: MissingField[];
  notes: string[];
  conflicts: Conflict[];
  /** Where run-level findings point: the command, or the MODEL_ARGS key. */
  anchor: Range;
  /** tp × pp × cp (1 when none is set). */
  modelParallel: number;
  /** Warmup or decay counts consumed tokens (Megatron-DeepSpeed `--lr-warmup-tokens`/`--lr-decay-tokens`). */
  tokenSchedule?: boolean;
  /** `--train-tokens` ends the run before `--train-iters`. */
  tokensEndRun?: boolean;
}

/** Flags Megatron rejects together (validate_args asserts), reported at the flag `at`. */
function conflict(ctx: Ctx, at: string, kind: string, message: string, level?: 'info'): void {
  ctx.conflicts.push({ kind, message, range: ctx.src.get(at)?.range ?? ctx.anchor, ...(level ? { level } : {}) });
}

/** What argparse's type=int accepts (digits, underscores, a sign). */
const INTEGER_TEXT = /^[-+]?[\d_]+$/;

/** A numeric flag as argparse reads it; `integer` for `type=int` flags. Unresolved variables stay unknown. */
function numberArg(ctx: Ctx, flag: string, integer = false): Setting<number> | undefined {
  const arg = ctx.src.get(flag);
  if (!arg || arg.text === undefined) return undefined;
  const text = arg.text.trim();
  if (!NUMBER.test(text)) {
    if (text.includes('$')) ctx.notes.push(`${flag} is "${text}": set at launch, so it stays unknown`);
    return undefined;
  }
  const value = Number(text.includes('_') ? text.replaceAll('_', '') : text);
  if (!Number.isFinite(value)) return undefined;
  const rejected = integer && !INTEGER_TEXT.test(text) ? `argparse type=int rejects "${text}" at launch` : undefined;
  const setting: Setting<number> = { value, origin: 'explicit', file: ctx.file.path, key: flag, range: arg.range };
  // The variable's note, then argparse's ("; "-joined), as before.
  const note = arg.note ? (rejected ? `${arg.note}; ${rejected}` : arg.note) : rejected;
  if (note) setting.note = note;
  return setting;
}

function stringArg(ctx: Ctx, flag: string): Setting<string> | undefined {
  const arg = ctx.src.get(flag);
  if (!arg || arg.text === undefined) return undefined;
  return { value: arg.text, origin: 'explicit', file: ctx.file.path, key: flag, range: arg.range, ...(arg.note ? { note: arg.note } : {}) };
}

function switchArg(ctx: Ctx, flag: string): Arg | undefined {
  const arg = ctx.src.get(flag);
  return arg?.on ? arg : undefined;
}

const steps = <T extends Setting<number>>(s: T): T => withUnit(s, 'steps');

/**
 * Megatron's default for flags the command does not write, unless an opaque word of the command (`$EXTRA_ARGS`, the
 * unknown end of an array a branch appended to) may write one of them: then the value is unknown, with a note.
 */
function orDefault<T extends Setting>(ctx: Ctx, flags: string[], make: () => T): T | undefined {
  const by = ctx.src.hiddenBy(...flags);
  if (!by) return make();
  ctx.notes.push(`${flags.join('/')}: not written, and ${by} may set it; left unknown rather than Megatron's default`);
  return undefined;
}
/** ceil that ignores float noise (0.001 × 430000 = 430.00000000000006). */
const ceil = (x: number): number => Math.ceil(x - 1e-9);
const isWhole = (x: number): boolean => Math.abs(x - Math.round(x)) < 1e-9;

function extractArgs(ctx: Ctx, env: ExtractEnv, world: Setting<number> | undefined): void {
  const { plan, notes } = ctx;
  if (world) plan.worldSize = world;

  const micro = numberArg(ctx, '--micro-batch-size', true);
  if (micro) plan.microBatchSize = withUnit(micro, 'samples');
  const global = numberArg(ctx, '--global-batch-size', true);
  if (global) plan.globalBatchSize = withUnit(global, 'samples');
  const seq = numberArg(ctx, '--seq-length', true) ?? numberArg(ctx, '--encoder-seq-length', true);
  if (seq) plan.seqLen = withUnit(seq, 'tokens');

  const lr = numberArg(ctx, '--lr');
  if (lr) plan.peakLr = lr;
  const minLr = numberArg(ctx, '--min-lr') ?? orDefault(ctx, ['--min-lr'], () => defaultSetting(MEGATRON_DEFAULTS.minLr, '--min-lr'));
  if (minLr) plan.minLr = minLr;
  const scheduler = stringArg(ctx, '--lr-decay-style') ?? orDefault(ctx, ['--lr-decay-style'], () => defaultSetting(MEGATRON_DEFAULTS.lrDecayStyle, '--lr-decay-style'));
  if (scheduler) plan.scheduler = scheduler;
  // arguments.py `--optimizer` default 'adam' (OptimizerConfig.optimizer 'adam', decoupled_weight_decay True: AdamW).
  const optimizer =
    stringArg(ctx, '--optimizer') ?? orDefault(ctx, ['--optimizer'], () => defaultSetting(MEGATRON_DEFAULTS.optimizer, '--optimizer', 'Megatron default: Adam with decoupled weight decay (AdamW)'));
  if (optimizer) plan.optimizer = optimizer;
  readPrecision(ctx);

  // Checkpoints need a --save folder (`if args.save and … iteration % args.save_interval == 0`).
  const save = numberArg(ctx, '--save-interval', true);
  if (save && ctx.src.get('--save')) plan.saveEverySteps = steps(save);
  else if (save) notes.push('--save-interval has no effect without --save: no checkpoint is written');
  // --eval-interval: None at HEAD means no evaluation (older versions defaulted to 1000, unverified).
  // --eval-iters 0 switches evaluation off (do_valid needs eval_iters > 0).
  const evalInterval = numberArg(ctx, '--eval-interval', true);
  const evalIters = numberArg(ctx, '--eval-iters', true);
  if (evalInterval && evalIters?.value === 0) notes.push('--eval-interval has no effect with --eval-iters 0: evaluation is off');
  else if (evalInterval) plan.evalEverySteps = steps(evalInterval);

  applyAssumptions(plan, env.assume);
  resolveParallel(ctx);
  resolveBatch(ctx);
  resolveSchedule(ctx);

  const exit = numberArg(ctx, '--exit-interval', true);
  if (exit && plan.totalSteps && exit.value < plan.totalSteps.value) {
    notes.push(`--exit-interval ${formatCount(exit.value)} stops the run before the ${formatCount(plan.totalSteps.value)} steps the LR schedule is built for`);
  }
  for (const [flag, why] of NOTED_FLAGS) {
    if (ctx.src.get(flag)) notes.push(why);
  }
}

/** Flags whose mere presence earns a note (built once, not for each command). */
const NOTED_FLAGS = [
  ['--warmup', '--warmup is the old warmup flag ("do not use"): use --lr-warmup-iters, --lr-warmup-samples or --lr-warmup-fraction'],
  ['--deepspeed', '--deepspeed (Megatron-DeepSpeed): the DeepSpeed config (--deepspeed_config) also sets batch and precision, and both must agree'],
] as const;

function readPrecision(ctx: Ctx): void {
  const { plan } = ctx;
  const bf16 = switchArg(ctx, '--bf16');
  const fp16 = switchArg(ctx, '--fp16');
  // `--fp8-format hybrid`, or one word when a bash array element was quoted ("--fp8-format hybrid").
  const fp8Flag = ctx.src.findFlag('--fp8-format');
  const fp8Value = fp8Flag ? ctx.src.get(fp8Flag)?.text : undefined;
  const fp8Note = fp8Flag ? `FP8 compute (${fp8Value ? `${fp8Flag} ${fp8Value}` : fp8Flag}) on top of it` : undefined;
  if (bf16 && fp16) conflict(ctx, '--fp16', 'precision', '--bf16 and --fp16 are both set: Megatron asserts that only one is used; drop one');
  const pick = bf16 ? { arg: bf16, value: 'bf16' } : fp16 ? { arg: fp16, value: 'fp16' } : undefined;
  if (pick) {
    const note = [pick.arg.note, fp8Note].filter(Boolean).join('; ');
    plan.precision = { value: pick.value, origin: 'explicit', file: ctx.file.path, key: pick.arg.key, range: pick.arg.range, ...(note ? { note } : {}) };
  } else {
    const precision = orDefault(ctx, ['--bf16', '--fp16'], () => defaultSetting('fp32', '--bf16', `neither --bf16 nor --fp16: fp32 parameters${fp8Note ? `; ${fp8Note}` : ''}`));
    if (precision) plan.precision = precision;
  }
}

/** data_parallel_size = world_size // (tp × pp × cp), which Megatron requires to divide evenly. */
function resolveParallel(ctx: Ctx): void {
  const { plan } = ctx;
  const size = (flag: string) => numberArg(ctx, flag, true)?.value ?? MEGATRON_DEFAULTS.parallelSize;
  const tp = size('--tensor-model-parallel-size');
  const pp = size('--pipeline-model-parallel-size');
  const cp = size('--context-parallel-size');
  const mp = tp * pp * cp;
  ctx.modelParallel = mp;
  const world = plan.worldSize;
  if (plan.dataParallelSize || !world || mp <= 0) return;
  const parts = `${tp} TP × ${pp} PP × ${cp} CP`;
  if (world.value % mp !== 0) {
    // validate_args: the world size must be divisible by the model-parallel size.
    const source = world.origin === 'assumed' ? ' (assume.worldSize)' : world.how ? ` (${world.how})` : '';
    const message =
      `world size ${formatCount(world.value)}${source} is not divisible by ${parts} = ${formatCount(mp)}: Megatron rejects this at launch; ` +
      `run on a multiple of ${formatCount(mp)} GPUs or lower the model parallelism (the data-parallel size stays unknown)`;
    const inFile = world.range && world.file === ctx.file.path ? world.range : undefined;
    ctx.conflicts.push({ kind: 'parallel-sizes', message, range: inFile ?? ctx.src.get('--tensor-model-parallel-size')?.range ?? ctx.anchor });
    return;
  }
  // Without model parallelism the data-parallel size is the world size (plan default).
  if (mp > 1) plan.dataParallelSize = derived(world.value / mp, `${formatCount(world.value)} / (${parts}) (world / model-parallel size)`);
}

/**
 * Megatron keeps the global batch fixed: accumulation = global / (micro × dp) is derived, and must
 * divide evenly (`ConstantNumMicroBatchesCalculator`). Without --global-batch-size it is micro × dp.
 */
function resolveBatch(ctx: Ctx): void {
  const { plan, notes } = ctx;
  const schedule = stringArg(ctx, '--step-batch-size-schedule');
  if (schedule) stepSchedule(ctx, schedule);
  if (ctx.src.get('--rampup-batch-size')) {
    const [start, increment, over] = ctx.src.values('--rampup-batch-size');
    const ramp = over !== undefined ? `from ${start} by ${increment} over ${over} samples ` : '';
    notes.push(
      `--rampup-batch-size (deprecated): the global batch ramps ${ramp}up to ${plan.globalBatchSize ? formatCount(plan.globalBatchSize.value) : 'its final value'}; ` +
        'the LR schedule counts samples, so during the ramp warmup and decay advance more slowly per step than derived here',
    );
  }
  const { microBatchSize: micro } = plan;
  // With model parallelism the world size is not the data-parallel size: only a derived dp counts.
  const dp = plan.dataParallelSize ?? (ctx.modelParallel === 1 ? plan.worldSize : undefined);
  const dpName = plan.dataParallelSize ? 'data-parallel size' : 'world size';
  if (!plan.globalBatchSize && !schedule && !ctx.src.get('--global-batch-size')) {
    const accum = orDefault(ctx, ['--global-batch-size'], () =>
      defaultSetting(1, '--global-batch-size', 'no --global-batch-size: global = micro × data-parallel size, one micro-batch per step'),
    );
    if (!accum) return;
    plan.gradAccumSteps = accum;
    if (dp) deriveGlobalBatch(plan);
    return;
  }
  const global = plan.globalBatchSize;
  if (plan.gradAccumSteps || !global || !micro || !dp) return;
  const perStep = micro.value * dp.value;
  if (perStep > 0 && global.value % perStep === 0) {
    plan.gradAccumSteps = derived(global.value / perStep, `${formatCount(global.value)} / (${formatCount(micro.value)} × ${formatCount(dp.value)}) (global / (micro × ${dpName}))`);
  }
}

/** `--step-batch-size-schedule "0:384 200B:768"`: thresholds in tokens when --seq-length is known, else samples. */
function stepSchedule(ctx: Ctx, schedule: Setting<string>): void {
  const { plan, notes } = ctx;
  if (ctx.src.get('--global-batch-size')) {
    conflict(ctx, '--step-batch-size-schedule', 'batch-schedule-and-global-batch', '--step-batch-size-schedule together with --global-batch-size: Megatron raises ValueError; keep one');
    return;
  }
  const suffix: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  const entries = schedule.value.trim().split(/\s+/).map((part) => {
    const m = /^(\d+(?:\.\d+)?)([KMBT]?):(\d+)$/i.exec(part);
    return m ? { at: Number(m[1]) * suffix[m[2].toUpperCase()], batch: Number(m[3]) } : undefined;
  });
  if (entries.some((e) => !e) || !entries.length || entries[0]?.at !== 0) {
    notes.push(`--step-batch-size-schedule "${schedule.value}" is not read: the global batch is unknown`);
    return;
  }
  const [first, next] = entries as { at: number; batch: number }[];
  const unit = plan.seqLen ? 'tokens' : 'samples';
  const perSample = plan.seqLen?.value ?? 1;
  const samples = numberArg(ctx, '--train-samples', true)?.value ?? (numberArg(ctx, '--train-iters', true)?.value ?? NaN) * first.batch;
  const length = samples * perSample;
  if (!next || length < next.at) {
    const lengthText = unit === 'tokens' ? `${formatCount(samples)} samples × ${formatCount(perSample)} = ${formatSci(length)} tokens` : `${formatCount(samples)} samples`;
    plan.globalBatchSize = derived(
      first.batch,
      `--step-batch-size-schedule starts at ${first.batch}${next ? `, and the run (${lengthText}) ends before the next threshold ${formatSci(next.at)} ${unit}` : ''}`,
      'samples',
    );
  } else {
    notes.push(`--step-batch-size-schedule "${schedule.value}": the global batch grows during the run, so step counts are not derived`);
  }
}

/**
 * The decay horizon, unless `--lr-decay-style constant` keeps the LR at its peak: then the
 * horizon only anchors a warmup fraction, and a decay flag written anyway is not reported (the
 * same command switched the decay off).
 */
function setDecayHorizon(ctx: Ctx, decay: Setting<number>, _writtenFlag: string | undefined): void {
  if (ctx.plan.scheduler?.value !== 'constant') {
    ctx.plan.decaySteps = decay;
    return;
  }
  // --lr-decay-style constant switches the decay off in the same command: a decay flag is not reported.
}

/**
 * `get_optimizer_param_scheduler`: iteration mode (--train-iters) or sample mode (--train-samples).
 * Warmup and decay horizons are samples inside Megatron; here they become steps. The warmup
 * fraction is a fraction of the DECAY horizon (--lr-decay-iters/-samples), not of training.
 */
function resolveSchedule(ctx: Ctx): void {
  resolveStepSchedule(ctx);
  resolveTokenSchedule(ctx);
}

function resolveStepSchedule(ctx: Ctx): void {
  const { plan, notes, missing } = ctx;
  const iters = numberArg(ctx, '--train-iters', true);
  const samples = numberArg(ctx, '--train-samples', true);
  const fraction = numberArg(ctx, '--lr-warmup-fraction');
  const warmIters = numberArg(ctx, '--lr-warmup-iters', true);
  const warmSamples = numberArg(ctx, '--lr-warmup-samples', true);
  const G = plan.globalBatchSize;

  if (iters) {
    plan.totalSteps = steps(iters);
    const mixed = (flag: string, why: string) => conflict(ctx, flag, 'iterations-and-samples', `${flag} in iteration-based training (--train-iters): Megatron asserts ${why}; use the iteration flags`);
    if (samples) mixed('--train-samples', 'train_samples is None');
    if (warmSamples && warmSamples.value > 0) mixed('--lr-warmup-samples', 'lr_warmup_samples == 0');
    if (ctx.src.get('--lr-decay-samples')) mixed('--lr-decay-samples', 'lr_decay_samples is None');
    const decayIters = numberArg(ctx, '--lr-decay-iters', true);
    const decay = decayIters ? steps(decayIters) : derived(iters.value, `--train-iters ${formatCount(iters.value)} (--lr-decay-iters not set: decay over the whole run)`, 'steps');
    setDecayHorizon(ctx, decay, decayIters ? '--lr-decay-iters' : undefined);
    if (fraction) {
      if (warmIters && warmIters.value > 0) {
        conflict(ctx, '--lr-warmup-iters', 'warmup-fraction-and-count', '--lr-warmup-fraction and --lr-warmup-iters are both set: Megatron asserts "can only specify one of lr-warmup-fraction and lr-warmup-iters"; keep one');
      }
      const horizon = decayIters ? `--lr-decay-iters ${formatCount(decay.value)}` : `--train-iters ${formatCount(decay.value)} (the default decay horizon)`;
      const raw = fraction.value * decay.value;
      const product = `${fraction.value} × ${horizon}`;
      // derivedFrom's fresh Setting with the field added: the keys of `{ ...derivedFrom(…), fractionOf }`, without the copy.
      const warmup = derivedFrom(
        fraction,
        ceil(raw),
        `${isWhole(raw) ? product : `ceil(${product})`} (--lr-warmup-fraction is a fraction of the decay horizon, not of training)`,
        'steps',
      );
      warmup.fractionOf = { fraction: fraction.value, of: horizon, ofSteps: decay.value };
      plan.warmupSteps = warmup;
    } else {
      const warmup = warmIters ?? orDefault(ctx, ['--lr-warmup-iters', '--lr-warmup-fraction'], () => defaultSetting(MEGATRON_DEFAULTS.warmup, '--lr-warmup-iters'));
      if (warmup) plan.warmupSteps = steps(warmup);
    }
    if (decayIters) warmupBelowDecay(ctx, fraction ? '--lr-warmup-fraction' : '--lr-warmup-iters', '--lr-decay-iters', decayIters.value, iters.value, 'iterations');
    return;
  }
  if (!samples) {
    missing.push({ field: 'totalSteps', hint: 'Megatron requires --train-iters or --train-samples ("either train-iters or train-samples should be provided")' });
    return;
  }
  // Sample-based training.
  const mixed = (flag: string, why: string) => conflict(ctx, flag, 'iterations-and-samples', `${flag} in sample-based training (--train-samples): Megatron asserts ${why}; use the sample flags`);
  if (warmIters && warmIters.value > 0) mixed('--lr-warmup-iters', 'lr_warmup_iters == 0');
  if (ctx.src.get('--lr-decay-iters')) mixed('--lr-decay-iters', 'lr_decay_iters is None');
  if (!G) {
    missing.push({ field: 'globalBatchSize', hint: 'set --global-batch-size (sample counts become steps by dividing by it), or assume.globalBatchSize in .trainlint.yml' });
    return;
  }
  const g = formatCount(G.value);
  if (ctx.src.get('--rampup-batch-size')) {
    notes.push('with --rampup-batch-size, update_train_iters simulates the ramp: the step count is not derived');
    missing.push({ field: 'totalSteps', hint: 'set assume.totalSteps in .trainlint.yml (the batch ramp changes the number of iterations)' });
  } else {
    // update_train_iters: train_iters = train_samples // global_batch_size.
    const total = derivedFrom(samples, Math.floor(samples.value / G.value), `${formatCount(samples.value)} // ${g} (--train-samples // global batch)`, 'steps');
    total.writtenAs = { unit: 'samples', perStep: G.value, value: samples.value };
    plan.totalSteps = total;
  }
  const decaySamples = numberArg(ctx, '--lr-decay-samples', true);
  const decayValue = decaySamples?.value ?? samples.value;
  const decayFlag = decaySamples ? '--lr-decay-samples' : '--train-samples (--lr-decay-samples not set)';
  const decayHorizon = derivedFrom(decaySamples ?? samples, ceil(decayValue / G.value), `ceil(${formatCount(decayValue)} / ${g}) (${decayFlag} / global batch)`, 'steps');
  decayHorizon.writtenAs = { unit: 'samples', perStep: G.value, value: decayValue };
  setDecayHorizon(ctx, decayHorizon, decaySamples ? '--lr-decay-samples' : undefined);
  if (fraction) {
    if (warmSamples && warmSamples.value > 0) {
      conflict(ctx, '--lr-warmup-samples', 'warmup-fraction-and-count', '--lr-warmup-fraction and --lr-warmup-samples are both set: Megatron asserts "can only specify one of lr-warmup-fraction and lr-warmup-samples"; keep one');
    }
    const warmup = derivedFrom(
      fraction,
      ceil((fraction.value * decayValue) / G.value),
      `ceil(${fraction.value} × ${formatCount(decayValue)} / ${g}) (--lr-warmup-fraction of ${decayFlag}, the decay horizon, / global batch)`,
      'steps',
    );
    warmup.fractionOf = { fraction: fraction.value, of: `${decayFlag} ${formatCount(decayValue)} samples`, ofSteps: decayValue / G.value };
    plan.warmupSteps = warmup;
  } else if (warmSamples && warmSamples.value === 0) {
    plan.warmupSteps = steps(warmSamples);
  } else if (warmSamples) {
    const warmup = derivedFrom(warmSamples, ceil(warmSamples.value / G.value), `ceil(${formatCount(warmSamples.value)} / ${g}) (--lr-warmup-samples / global batch)`, 'steps');
    warmup.writtenAs = { unit: 'samples', perStep: G.value, value: warmSamples.value };
    plan.warmupSteps = warmup;
  } else {
    const warmup = orDefault(ctx, ['--lr-warmup-samples', '--lr-warmup-fraction'], () => defaultSetting(MEGATRON_DEFAULTS.warmup, '--lr-warmup-samples'));
    if (warmup) plan.warmupSteps = steps(warmup);
  }
  const warmWritten = fraction ? fraction.value * decayValue : warmSamples?.value;
  if (decaySamples && warmWritten !== undefined) warmupBelowDecay(ctx, fraction ? '--lr-warmup-fraction' : '--lr-warmup-samples', '--lr-decay-samples', decaySamples.value, samples.value, 'samples', warmWritten);
}

/**
 * Megatron-DeepSpeed's token flags (microsoft/Megatron-DeepSpeed `megatron/optimizer_param_scheduler.py`,
 * `training.py`): with `--lr-warmup-tokens` the LR warms up while consumed tokens ≤ that count, with
 * `--lr-decay-tokens` it decays over consumed tokens (both replace the iteration/sample horizons), and
 * train() stops at `--train-iters` or once consumed tokens reach `--train-tokens`, whichever comes
 * first. Each step consumes global batch × `--seq-length` tokens, so a token count is
 * ceil(tokens / (global batch × seq length)) steps. Megatron-LM itself has none of these flags.
 */
function resolveTokenSchedule(ctx: Ctx): void {
  const { plan, notes, missing } = ctx;
  const trainTokens = numberArg(ctx, '--train-tokens', true);
  const warmTokens = numberArg(ctx, '--lr-warmup-tokens', true);
  const decayTokens = numberArg(ctx, '--lr-decay-tokens', true);
  if (warmTokens || decayTokens) ctx.tokenSchedule = true;
  if (!trainTokens && !warmTokens && !decayTokens) return;
  const { globalBatchSize: G, seqLen: L } = plan;
  if (!G || !L) {
    // The step-based values these flags replace are not the run's: unknown rather than wrong.
    if (warmTokens) delete plan.warmupSteps;
    if (decayTokens) delete plan.decaySteps;
    const flags = [trainTokens, warmTokens, decayTokens].flatMap((s) => (s?.key ? [s.key] : [])).join(', ');
    missing.push({ field: warmTokens ? 'warmupSteps' : decayTokens ? 'decaySteps' : 'totalSteps', hint: `${flags} count tokens: set --global-batch-size and --seq-length (tokens per step), or assume them in .trainlint.yml` });
    return;
  }
  const perStep = G.value * L.value;
  const perStepText = `${formatCount(G.value)} × ${formatCount(L.value)}`;
  const inSteps = (tokens: Setting<number>): Setting<number> => ({
    ...derivedFrom(tokens, ceil(tokens.value / perStep), `ceil(${formatCount(tokens.value)} / (${perStepText})) (${tokens.key} / tokens per step: global batch × --seq-length)`, 'steps'),
    writtenAs: { unit: 'tokens', perStep, value: tokens.value },
  });

  if (warmTokens) {
    const stepFlags = ['--lr-warmup-iters', '--lr-warmup-samples', '--lr-warmup-fraction'].filter((f) => (numberArg(ctx, f)?.value ?? 0) > 0);
    if (stepFlags.length) notes.push(`--lr-warmup-tokens replaces ${stepFlags.join(' and ')}: Megatron-DeepSpeed warms up on consumed tokens when it is set`);
    plan.warmupSteps = warmTokens.value > 0 ? inSteps(warmTokens) : steps(warmTokens);
  }
  if (decayTokens) setDecayHorizon(ctx, inSteps(decayTokens), '--lr-decay-tokens');
  if (trainTokens && plan.totalSteps) {
    const byTokens = inSteps(trainTokens);
    if (byTokens.value < plan.totalSteps.value) {
      plan.totalSteps = { ...byTokens, how: `${byTokens.how}, before --train-iters ${formatCount(plan.totalSteps.value)}` };
      ctx.tokensEndRun = true;
    } else {
      notes.push(`--train-tokens ${formatSci(trainTokens.value)} (${formatCount(byTokens.value)} steps) is not reached: the run ends at ${formatCount(plan.totalSteps.value)} steps`);
    }
  }
}

/**
 * OptimizerParamScheduler.__init__ asserts `lr_warmup_steps < lr_decay_steps`: a warmup that is not below a
 * written decay horizon stops Megatron at start-up. A warmup as long as the run is warmup-exceeds-training's
 * finding (its launch check names the assertion); a shorter one is two settings that contradict each other.
 * In iterations the counts compared are the plan's steps; in samples, the samples written (`warmup` given).
 */
function warmupBelowDecay(ctx: Ctx, warmFlag: string, decayFlag: string, decay: number, run: number, unit: 'iterations' | 'samples', warmup = ctx.plan.warmupSteps?.value): void {
  if (warmup === undefined || warmup <= 0 || warmup < decay || warmup >= run) return;
  conflict(
    ctx,
    warmFlag,
    'warmup-not-below-decay',
    `${warmFlag === '--lr-warmup-fraction' ? `the warmup (--lr-warmup-fraction × ${decayFlag} = ${formatCount(warmup)} ${unit})` : `${warmFlag} ${formatCount(warmup)}`} is not below ${decayFlag} ${formatCount(decay)}: ` +
      `Megatron refuses to start (OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps), after the GPUs are allocated; keep the warmup below ${formatCount(decay)} ${unit}, or raise ${decayFlag}`,
  );
}

function addMissing(ctx: Ctx, worldHint: string): void {
  const { plan, missing } = ctx;
  const add = (field: MissingField['field'], hint: string) => {
    if (!plan[field] && !missing.some((m) => m.field === field)) missing.push({ field, hint });
  };
  const microBy = ctx.src.hiddenBy('--micro-batch-size');
  add('microBatchSize', microBy ? `--micro-batch-size is not written; ${microBy} may set it` : 'Megatron requires --micro-batch-size');
  add('peakLr', 'set --lr (Megatron has no default learning rate)');
  if (!plan.dataParallelSize) add('worldSize', worldHint);
}

function extractFrom(file: SourceFile, src: ArgSource, anchor: Range, env: ExtractEnv, world: Setting<number> | undefined, worldHint: string): Extraction {
  const ctx: Ctx = { file, src, plan: {}, missing: [], notes: [], conflicts: [], anchor, modelParallel: 1 };
  extractArgs(ctx, env, world);
  addMissing(ctx, worldHint);
  const notes = [...new Set(ctx.notes)]; // a flag read twice reports once
  // A field an `assume` value filled is no longer missing.
  const missing = ctx.missing.filter((m) => !ctx.plan[m.field]);
  const { warmupSteps: warmup, decaySteps: decay } = ctx.plan;
  return {
    plan: ctx.plan,
    missing,
    anchor,
    notes,
    conflicts: ctx.conflicts,
    // OptimizerParamScheduler.get_lr clamps to min_lr after the decay steps.
    afterDecay: 'flat',
    // --lr-decay-iters / --lr-decay-samples: None means the train length (--train-iters/-samples, which
    // is not the run's when --train-tokens ends it first).
    decayDefaultsToRun: !ctx.tokensEndRun,
    // pretrain(): after train(), `if args.save and iteration % args.save_interval != 0: save_checkpoint(…)`
    // (skipped with --disable-last-saving), then `if args.do_valid: evaluate_and_print_results(…)`.
    atRunEnd: {
      save: ctx.src.get('--disable-last-saving') ? false : 'Megatron saves once at the end, with --save',
      eval: 'Megatron evaluates once at the end',
    },
    launchChecks: {
      'min-lr-exceeds-lr': 'Megatron refuses to start (OptimizerParamScheduler asserts max_lr >= min_lr)',
      // OptimizerParamScheduler.__init__ asserts lr_warmup_steps < lr_decay_steps.
      // (on the iteration/sample horizons: a token schedule is not what it compares).
      ...(warmup && decay && warmup.value >= decay.value && !ctx.tokenSchedule
        ? { 'warmup-exceeds-training': `Megatron refuses to start (OptimizerParamScheduler asserts lr_warmup_steps < lr_decay_steps: warmup ${formatCount(warmup.value)} ≥ decay ${formatCount(decay.value)} steps)` }
        : {}),
      'batch-size-mismatch': 'Megatron refuses to start (the micro-batch calculator asserts the global batch is divisible by micro batch × data-parallel size)',
    },
  };
}

// ── Detection ───────────────────────────────────────────────────────────────────────────

/** How many of the DISTINCTIVE flags `has` finds. */
function distinctiveHits(has: (flag: string) => boolean): number {
  let hits = 0;
  for (const flag of DISTINCTIVE) if (has(flag)) hits++;
  return hits;
}

function commandScore(cmd: LaunchCommand): number {
  const flags = new Set(cmd.args.map((a) => a.flag));
  const hits = distinctiveHits((f) => flags.has(f));
  const script = cmd.script !== undefined && SCRIPT.test(cmd.script);
  if (script) return hits >= 1 ? 10 : 3;
  return hits >= 2 ? 6 : 0;
}

/** The `MODEL_ARGS` mapping of a functional-test config, when its keys are `--flags`. */
function modelArgs(file: SourceFile): MapNode | undefined {
  if (file.format !== 'yaml' || file.tree?.kind !== 'map') return undefined;
  const hit = getIn(file.tree, ['MODEL_ARGS']);
  if (!hit || hit.node.kind !== 'map') return undefined;
  return hit.node.entries.some((e) => e.key.startsWith('--')) ? hit.node : undefined;
}

/**
 * A functional-test config of the Megatron-LM CI (`MODEL_ARGS:` at the top), whatever its keys:
 * `--flags` for Megatron's argparse, or `trainer.max_steps`-style overrides the NeMo tests hand to
 * NeMo-Run, which parses each value with `ast.literal_eval`. Either way the harness hands the
 * values on as text, so they are not PyYAML-typed (`1e-2` is a float there).
 */
export function handedOnAsText(file: SourceFile): boolean {
  if (file.format !== 'yaml' || file.tree?.kind !== 'map') return false;
  const hit = getIn(file.tree, ['MODEL_ARGS']);
  return hit?.node.kind === 'map';
}

const MODEL_ARGS_GROUP = keyGroup(['MODEL_ARGS']);

function yamlScore(file: SourceFile, facts: DetectFacts): number {
  // `MODEL_ARGS:` asked of the shared facts first: most files have none.
  if (!facts.some(MODEL_ARGS_GROUP) || !facts.map('MODEL_ARGS')) return 0;
  const args = modelArgs(file);
  if (!args) return 0;
  // Two hits decide (counting stops there).
  let hits = 0;
  for (const flag of DISTINCTIVE) if (hasKey(args, flag) && ++hits === 2) break;
  return hits >= 2 ? 9 : hits === 1 ? 7 : 0;
}

/** The functional-test case name ends in the topology it runs on: `_1N8G` = 1 node × 8 GPUs. */
function testTopologyHint(path: string): string {
  const m = /_(\d+)N(\d+)G(?:_|\/|$)/.exec(path);
  if (!m) return '';
  const gpus = Number(m[1]) * Number(m[2]);
  return ` (the test case name says ${m[1]}N${m[2]}G, i.e. ${gpus} GPUs: assume.worldSize ${gpus})`;
}

// ── Dialect ─────────────────────────────────────────────────────────────────────────────

export const megatron: Dialect = {
  meta: {
    id: 'megatron',
    formats: ['shell', 'yaml'],
    title: 'Megatron-LM',
    description: 'Megatron-LM pretrain_*.py launch scripts and functional-test model_config.yaml (MODEL_ARGS)',
    // The functional-test harness reads the YAML with yq (YAML 1.2), `tostring`s every value and
    // hands it to argparse, which coerces it to the flag's type: `1e-4` is a float, like pydantic.
    // ('pyyaml' would flag `--weight-decay: 1e-2` in 242 of the 266 corpus files as a string.)
    yamlLoader: 'text',
    // yq keeps every tag (the value goes on as text).
    yamlTags: 'any',
    schema: 'megatron.schema.json',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return (file.script?.commands ?? []).reduce((best, cmd) => Math.max(best, commandScore(cmd)), 0);
    return yamlScore(file, facts);
  },
  extract(file, env): Extraction {
    if (file.format === 'shell') {
      const commands = (file.script?.commands ?? []).filter((cmd) => commandScore(cmd) > 0);
      const cmd = commands[0];
      if (!cmd) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no Megatron training command found'] };
      const w = launcherWorldSize(cmd);
      const world: Setting<number> | undefined = w ? { value: w.value, origin: 'launcher', file: file.path, key: w.key, range: w.range, how: w.how } : undefined;
      const out = extractFrom(file, shellSource(cmd), cmd.range, env, world, 'launch with torchrun --nproc_per_node N [--nnodes M], or set assume.worldSize in .trainlint.yml');
      if (commands.length > 1) out.notes.push(`${commands.length} Megatron commands in this script; the first (line ${cmd.range.line}) is linted`);
      return out;
    }
    const args = modelArgs(file);
    if (!args) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no MODEL_ARGS mapping of --flags found'] };
    const anchor = getIn(file.tree, ['MODEL_ARGS'])?.keyRange ?? fileStartRange(file);
    const out = extractFrom(file, yamlSource(args), anchor, env, undefined, `the CI launcher decides it: set assume.worldSize in .trainlint.yml${testTopologyHint(file.path)}`);
    if (getIn(file.tree, ['MODEL_ARGS_2'])) out.notes.push('MODEL_ARGS_2 (the second, resumed run) is not linted');
    return out;
  },
};
