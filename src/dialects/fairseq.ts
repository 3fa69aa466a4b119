/**
 * fairseq (facebookresearch/fairseq): `fairseq-train DATA --arch … --lr … --max-tokens …` command
 * lines (also `python train.py …` / `fairseq_cli/train.py`), and `fairseq-hydra-train --config-dir
 * … --config-name …` with its Hydra YAML (`# @package _group_`: `optimization:`, `lr_scheduler:
 * {_name: …}`, `dataset:`, `task:`…), composed and overridden by the shared Hydra machinery.
 *
 * Units (research §8, fairseq/dataclass/configs.py): a batch is bounded by `--max-tokens` tokens (or
 * `--batch-size` sentences) per GPU per forward pass; one update accumulates `--update-freq` of them
 * on each of the `--distributed-world-size` GPUs (default: every visible GPU, so a
 * `CUDA_VISIBLE_DEVICES=…` prefix decides), so tokens per update ≤ max_tokens × update_freq × world.
 * Schedules: inverse_sqrt (`--warmup-updates`, 4000 by default; no horizon), polynomial_decay (decays
 * to `--end-learning-rate` at `--total-num-update`, default `--max-update`), cosine (one period of
 * `--lr-period-updates`, default max_update − warmup, then it restarts), fixed. `--lr` is a per-epoch
 * list; a list of several values is refused by inverse_sqrt and cosine.
 *
 * A recipe documented for N GPUs (the script's comment: "assumes 8 GPUs", "to simulate training on
 * 8x16=128 GPUs") is the run's reference: run on fewer GPUs without a larger `--update-freq`, its
 * batch shrinks and `lr-not-rescaled` says so.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { commandConfigNote, hydraView, overrideConfigErrors, type HydraView } from '../engine/hydra/view.js';
import { applyAssumptions, defaultSetting, derived, derivedFrom, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import { mapGet } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { argparseNumber, argsFromFlags, type FlatArgs } from './flat-args.js';
import { HydraValues, type DefaultValue } from './hydra-values.js';
import type { ConfigError, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { HiddenFlags } from './hidden-flags.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** FairseqConfig defaults of the keys read (configs.py and the schedulers' dataclasses). */
const DEFAULTS: Record<string, DefaultValue> = {
  'optimization.max_update': 0,
  'optimization.max_epoch': 0,
  'optimization.stop_min_lr': -1,
  'dataset.validate_interval_updates': 0,
  'checkpoint.save_interval_updates': 0,
  'checkpoint.save_interval': 1,
  'checkpoint.no_save': false,
  'dataset.validate_interval': 1,
  'dataset.disable_validation': false,
  'common.fp16': false,
  'common.bf16': false,
  'lr_scheduler._name': 'fixed',
};
/** Per-scheduler defaults of `lr_scheduler.*`. */
const SCHEDULER_DEFAULTS: Record<string, Record<string, number>> = {
  inverse_sqrt: { warmup_updates: 4000, warmup_init_lr: -1 },
  polynomial_decay: { warmup_updates: 0, end_learning_rate: 0, power: 1 },
  cosine: { warmup_updates: 0, warmup_init_lr: -1, min_lr: 0, t_mult: 1, lr_period_updates: -1, lr_shrink: 0.1 },
  fixed: { warmup_updates: 0 },
  reduce_lr_on_plateau: { warmup_updates: 0 },
  tri_stage: {},
};
/** Options each scheduler has (beyond the common ones): an option of another scheduler is refused. */
const SCHEDULER_OPTIONS: Record<string, string[]> = {
  inverse_sqrt: ['warmup_updates', 'warmup_init_lr'],
  polynomial_decay: ['warmup_updates', 'end_learning_rate', 'power', 'total_num_update', 'force_anneal'],
  cosine: ['warmup_updates', 'warmup_init_lr', 'min_lr', 't_mult', 'lr_period_updates', 'lr_shrink'],
  fixed: ['warmup_updates', 'force_anneal', 'lr_shrink'],
  reduce_lr_on_plateau: ['warmup_updates', 'warmup_init_lr', 'lr_shrink', 'lr_threshold', 'lr_patience'],
};
/**
 * Options only some schedulers' config classes have (fairseq/optim/lr_scheduler/*: polynomial_decay has no
 * warmup_init_lr, inverse_sqrt and polynomial_decay no lr_shrink); `warmup_updates` is in every one listed above.
 */
const SCHEDULER_ONLY = ['end_learning_rate', 'power', 'total_num_update', 't_mult', 'lr_period_updates', 'min_lr', 'force_anneal', 'lr_threshold', 'lr_patience', 'warmup_init_lr', 'lr_shrink'];

/** fairseq's Hydra config groups (FairseqConfig fields). */
const SECTIONS = ['common', 'common_eval', 'distributed_training', 'dataset', 'optimization', 'checkpoint', 'bmuf', 'generation', 'eval_lm', 'interactive', 'model', 'task', 'criterion', 'optimizer', 'lr_scheduler', 'scoring', 'bpe', 'tokenizer', 'ema'];
const SECTION_GROUP = keyGroup(SECTIONS);
const knownKey = (path: string[]): boolean => SECTIONS.includes(path[0]);

const TRAIN_SCRIPT = /(?:^|\/)(?:fairseq_cli\/)?(?:hydra_)?train\.py$/;

type Form = 'cli' | 'hydra';

function commandForm(cmd: LaunchCommand): Form | undefined {
  if (cmd.cli === 'fairseq-train') return 'cli';
  if (cmd.cli === 'fairseq-hydra-train') return 'hydra';
  if (cmd.module === 'fairseq_cli.train') return 'cli';
  if (cmd.module === 'fairseq_cli.hydra_train') return 'hydra';
  if (cmd.script && TRAIN_SCRIPT.test(cmd.script)) {
    if (/hydra_train\.py$/.test(cmd.script)) return 'hydra';
    const flags = new Set(cmd.args.map((a) => a.flag));
    const has = (f: string) => flags.has(f);
    if ((has('--arch') || has('-a') || has('--task')) && (has('--max-tokens') || has('--lr-scheduler') || has('--update-freq') || has('--max-update') || has('--criterion'))) return 'cli';
  }
  return undefined;
}

function yamlIsFairseq(facts: DetectFacts): boolean {
  if (!facts.root) return false;
  // Three sections at least.
  if (facts.count(SECTION_GROUP) < 3) return false;
  const named = (s: string) => {
    const v = facts.map(s);
    return v !== undefined && mapGet(v, '_name') !== undefined;
  };
  return facts.map('optimization') !== undefined || named('task') || named('lr_scheduler');
}

// ── Reading values: CLI flags or the composed Hydra config ───────────────────────────────

/** One accessor over both forms, by Hydra path (`optimization.max_update` ↔ `--max-update`). */
interface Values {
  num(path: string): Setting<number> | undefined;
  /** The first element of a list option (`--lr 0.1,0.05`, `lr: [0.0005]`) and how many there are. */
  first(path: string): { setting: Setting<number>; count: number } | undefined;
  str(path: string): Setting<string> | undefined;
  bool(path: string): boolean | undefined;
  written(path: string): boolean;
  rangeOf(...s: (Setting | undefined)[]): Range | undefined;
  /** The opaque word of a command line (`$EXTRA_ARGS`) that may set the option the command does not write. */
  setBy(path: string): string | undefined;
}

/** The CLI spelling of a config path: `optimization.max_update` → `--max-update`; `_name` of a group → `--lr-scheduler`. */
function flagOf(path: string): string {
  const [section, key] = path.split('.');
  if (key === '_name') return section === 'model' ? '--arch' : `--${section.replace(/_/g, '-')}`;
  return `--${key.replace(/_/g, '-')}`;
}

function cliValues(file: SourceFile, args: FlatArgs): Values {
  const key = (path: string) => flagOf(path).slice(2).replace(/-/g, '_');
  const fromText = (path: string, text: string, a: NonNullable<ReturnType<FlatArgs['get']>>): Setting<number> | undefined => {
    const v = argparseNumber(text, false);
    return v === undefined ? undefined : args.setting(a, v, a.note);
  };
  return {
    num(path) {
      const a = args.get(key(path));
      return a && typeof a.value === 'string' ? fromText(path, a.value, a) : undefined;
    },
    first(path) {
      const a = args.get(key(path));
      if (!a || typeof a.value !== 'string') return undefined;
      const parts = a.value.split(',');
      const s = fromText(path, parts[0], a);
      return s ? { setting: { ...s, ...(parts.length > 1 ? { note: `a per-epoch list of ${parts.length}` } : {}) }, count: parts.length } : undefined;
    },
    str(path) {
      return args.str(key(path));
    },
    bool(path) {
      const a = args.get(key(path));
      return a ? a.value === true || a.value === 'true' || a.value === 'True' : undefined;
    },
    written(path) {
      return args.has(key(path));
    },
    setBy(path) {
      return args.setBy(key(path));
    },
    rangeOf(...s) {
      for (const x of s) if (x?.range && x.file === file.path && x.origin !== 'default') return x.range;
      return undefined;
    },
  };
}

function hydraValues(v: HydraValues): Values {
  return {
    num: (path) => v.num(path),
    first(path) {
      const hit = v.reader.lookup(path.split('.'));
      if (hit?.node.kind === 'seq') {
        const item = hit.node.items[0];
        if (item?.kind !== 'scalar' || typeof item.value !== 'number') return undefined;
        const src = hit.entry ? v.reader.sourceOf(hit.entry) : undefined;
        const setting: Setting<number> = { value: item.value, origin: 'explicit', file: src?.file ?? v.file.path, key: path, range: hit.keyRange, ...(hit.node.items.length > 1 ? { note: `a per-epoch list of ${hit.node.items.length}` } : {}) };
        return { setting, count: hit.node.items.length };
      }
      const s = v.num(path);
      return s ? { setting: s, count: 1 } : undefined;
    },
    str: (path) => v.str(path),
    bool: (path) => v.bool(path)?.value,
    written: (path) => v.has(path),
    rangeOf: (...s) => v.rangeOf(...s),
    setBy: () => undefined,
  };
}

// ── Extraction ──────────────────────────────────────────────────────────────────────────

interface Ctx {
  file: SourceFile;
  v: Values;
  form: Form;
  plan: TrainingPlan;
  notes: string[];
  missing: MissingField[];
  configErrors: ConfigError[];
  ignored: IgnoredSetting[];
  launchChecks: Record<string, string>;
  anchor: Range;
  afterDecay?: Extraction['afterDecay'];
  atRunEnd?: Extraction['atRunEnd'];
  /** Opaque words (`$EXTRA_ARGS`) → the flags the command does not write that each may set. */
  hidden: HiddenFlags;
}

const name = (ctx: Ctx, path: string): string => (ctx.form === 'cli' ? flagOf(path) : path);

/**
 * The opaque word (`$EXTRA_ARGS`, the unknown end of an array a branch appends to) that may set an option the
 * command does not write: its value is then unknown, not fairseq's default. Remembered for the note.
 */
function hiddenBy(ctx: Ctx, path: string): string | undefined {
  return ctx.hidden.record(name(ctx, path), ctx.v.setBy(path));
}

/**
 * What fairseq saves and validates whatever the update intervals (train.py validate_and_save): at the end of
 * every `save_interval` / `validate_interval` epochs (1 by default) and when training stops; nothing with
 * `no_save` / `disable_validation`.
 */
function atRunEnd(ctx: Ctx): Extraction['atRunEnd'] {
  const every = (key: string, verb: string): string | undefined => {
    // Unwritten on a command line: the argparse default, 1 epoch (unknown when an opaque word may set it).
    if (!ctx.v.written(key) && hiddenBy(ctx, key)) return undefined;
    const n = ctx.v.num(key)?.value ?? 1;
    if (!(n > 0)) return undefined;
    return `fairseq ${verb} every ${n === 1 ? 'epoch' : `${formatCount(n)} epochs`} (${name(ctx, key)} ${formatCount(n)}) and when training stops`;
  };
  const save = ctx.v.bool('checkpoint.no_save') || hiddenBy(ctx, 'checkpoint.no_save') ? undefined : every('checkpoint.save_interval', 'saves');
  const evaluate = ctx.v.bool('dataset.disable_validation') || hiddenBy(ctx, 'dataset.disable_validation') ? undefined : every('dataset.validate_interval', 'validates');
  return {
    ...(ctx.v.bool('checkpoint.no_save') ? { save: false as const } : {}),
    ...(ctx.v.bool('dataset.disable_validation') ? { eval: false as const } : {}),
    ...(save || evaluate ? { epochEnds: { ...(save ? { save } : {}), ...(evaluate ? { eval: evaluate } : {}) } } : {}),
  };
}
const said = (ctx: Ctx, path: string, s: Setting<number>): string => `${name(ctx, path)} ${formatCount(s.value)}${s.origin === 'default' ? ' (default)' : ''}`;
const at = (ctx: Ctx, ...s: (Setting | undefined)[]): Range => ctx.v.rangeOf(...s) ?? ctx.anchor;

/** A scheduler option, or its default for that scheduler. */
function schedNum(ctx: Ctx, sched: string, key: string): Setting<number> | undefined {
  const s = ctx.v.num(`lr_scheduler.${key}`);
  if (s) return s;
  const d = SCHEDULER_DEFAULTS[sched]?.[key];
  return d === undefined || ctx.v.written(`lr_scheduler.${key}`) || hiddenBy(ctx, `lr_scheduler.${key}`) ? undefined : defaultSetting(d, name(ctx, `lr_scheduler.${key}`), `fairseq ${sched} default`);
}

function extractPlan(ctx: Ctx, env: ExtractEnv, cmd: LaunchCommand | undefined): void {
  const { v, plan, notes } = ctx;
  // World size: --distributed-world-size, else every visible GPU (CUDA_VISIBLE_DEVICES).
  const dws = v.num('distributed_training.distributed_world_size');
  if (dws) plan.worldSize = { ...dws, unit: 'GPUs' };
  else if (cmd?.env?.CUDA_VISIBLE_DEVICES !== undefined && /^\d+(?:,\d+)*$/.test(cmd.env.CUDA_VISIBLE_DEVICES.trim())) {
    const n = cmd.env.CUDA_VISIBLE_DEVICES.trim().split(',').length;
    plan.worldSize = { value: n, origin: 'launcher', file: ctx.file.path, key: 'CUDA_VISIBLE_DEVICES', range: cmd.range, how: `CUDA_VISIBLE_DEVICES=${cmd.env.CUDA_VISIBLE_DEVICES} (fairseq uses every visible GPU)`, unit: 'GPUs' };
  }
  applyAssumptions(plan, env.assume);
  const maxTokens = v.num('dataset.max_tokens');
  const batchSize = v.num('dataset.batch_size');
  const batchHidden = [hiddenBy(ctx, 'dataset.max_tokens'), hiddenBy(ctx, 'dataset.batch_size')].find(Boolean);
  if (!maxTokens && !batchSize && !v.written('dataset.max_tokens') && !v.written('dataset.batch_size') && !batchHidden) {
    ctx.configErrors.push({ range: ctx.anchor, message: `neither ${name(ctx, 'dataset.max_tokens')} nor ${name(ctx, 'dataset.batch_size')} is set: fairseq refuses to start ("Must specify batch size either with --max-tokens or --batch-size"); set ${name(ctx, 'dataset.max_tokens')}` });
  }
  const uf = v.first('optimization.update_freq')?.setting ?? (hiddenBy(ctx, 'optimization.update_freq') ? undefined : defaultSetting(1, name(ctx, 'optimization.update_freq'), 'fairseq default'));
  if (uf) plan.gradAccumSteps = uf;
  // --max-tokens wins over --batch-size when both are set: one an opaque word may set leaves the batch unknown.
  const per = maxTokens ?? (batchHidden && !v.written('dataset.max_tokens') ? undefined : batchSize);
  const unit = maxTokens ? 'tokens' : 'sentences';
  if (per) plan.microBatchSize = { ...per, unit, ...(maxTokens ? { bound: 'upper' as const } : {}) };
  const world = plan.worldSize;
  if (per && uf && world) {
    plan.globalBatchSize = {
      ...derived(per.value * uf.value * world.value, `${said(ctx, maxTokens ? 'dataset.max_tokens' : 'dataset.batch_size', per)} × ${said(ctx, 'optimization.update_freq', uf)} × ${formatCount(world.value)} GPUs${maxTokens ? ' (an upper bound: batches are filled up to max_tokens)' : ''}`, unit),
      ...(maxTokens ? { bound: 'upper' as const } : {}),
    };
  } else if (!world) {
    ctx.missing.push({ field: 'worldSize', hint: `set ${name(ctx, 'distributed_training.distributed_world_size')}, prefix the command with CUDA_VISIBLE_DEVICES=…, or set assume.worldSize in .trainlint.yml (fairseq uses every visible GPU)` });
  }

  // Learning rate and schedule.
  const lr = v.first('optimization.lr');
  const peak = lr?.setting ?? (v.written('optimization.lr') || hiddenBy(ctx, 'optimization.lr') ? undefined : defaultSetting(0.25, name(ctx, 'optimization.lr'), 'fairseq default'));
  if (peak) plan.peakLr = peak;
  const opt = v.str('optimizer._name');
  if (opt) plan.optimizer = opt;
  const sched = v.str('lr_scheduler._name') ?? (hiddenBy(ctx, 'lr_scheduler._name') ? undefined : defaultSetting('fixed', name(ctx, 'lr_scheduler._name'), 'fairseq default'));
  const maxUpdate = v.num('optimization.max_update') ?? (hiddenBy(ctx, 'optimization.max_update') ? undefined : defaultSetting(0, name(ctx, 'optimization.max_update'), 'fairseq default'));
  const maxEpoch = v.num('optimization.max_epoch');
  if (maxEpoch && maxEpoch.value > 0) plan.epochs = withUnit(maxEpoch, 'epochs');
  if (!maxUpdate) {
    // An opaque word may set --max-update: the run length is unknown.
  } else if (maxUpdate.value > 0) plan.totalSteps = withUnit(maxUpdate, 'steps');
  else if (!maxEpoch || maxEpoch.value <= 0) notes.push(`no ${name(ctx, 'optimization.max_update')} or ${name(ctx, 'optimization.max_epoch')}: fairseq trains until the LR falls below ${name(ctx, 'optimization.stop_min_lr')} (or without end)`);
  else ctx.missing.push({ field: 'totalSteps', hint: `set ${name(ctx, 'optimization.max_update')}: the run is ${formatCount(maxEpoch.value)} epochs, whose length in updates depends on the data` });
  // The scheduler, and with it the warmup and the decay, is unknown when an opaque word may name it.
  if (sched) schedule(ctx, sched, maxUpdate, lr, peak);
  checkpoints(ctx);
}

/** The scheduler's warmup, decay horizon and floor, and the options it refuses. */
function schedule(ctx: Ctx, sched: Setting<string>, maxUpdate: Setting<number> | undefined, lr: ReturnType<Values['first']>, peak: Setting<number> | undefined): void {
  const { v, plan, notes } = ctx;
  plan.scheduler = sched;
  const s = sched.value;
  // Options of another scheduler are refused (argparse: unrecognized arguments; Hydra: not in its config class).
  const own = SCHEDULER_OPTIONS[s];
  if (own) {
    for (const key of SCHEDULER_ONLY) {
      if (own.includes(key) || !v.written(`lr_scheduler.${key}`)) continue;
      const w = v.num(`lr_scheduler.${key}`);
      ctx.configErrors.push({
        range: at(ctx, w),
        message: `${name(ctx, `lr_scheduler.${key}`)} is not an option of the ${s} scheduler: fairseq refuses to start (${ctx.form === 'cli' ? 'argparse: "unrecognized arguments"' : `Hydra: the key is not in ${s}'s config`}); remove it or choose the scheduler it belongs to`,
      });
    }
  }
  if (ctx.form === 'cli' && v.written('lr_scheduler.max_lr')) {
    ctx.configErrors.push({ range: at(ctx, v.num('lr_scheduler.max_lr')), message: '--max-lr is the fairseq ≤ 0.9 cosine option (the peak LR, with --lr as the minimum): current fairseq has no such option and refuses the command ("unrecognized arguments"); write the peak as --lr and the floor as --min-lr' });
  }
  if (lr && lr.count > 1 && (s === 'inverse_sqrt' || s === 'cosine')) {
    ctx.configErrors.push({ range: at(ctx, lr.setting), message: `${name(ctx, 'optimization.lr')} is a list of ${lr.count} per-epoch values: fairseq refuses to start ("Cannot use a fixed learning rate schedule with ${s}. Consider --lr-scheduler=fixed instead."); give one LR` });
  }
  const warm = schedNum(ctx, s, 'warmup_updates');
  if (warm) plan.warmupSteps = withUnit(warm, 'steps');
  const warmInit = ctx.v.num('lr_scheduler.warmup_init_lr');
  if (warmInit && warm && warm.value <= 0 && (s === 'inverse_sqrt' || s === 'cosine')) {
    ctx.ignored.push({ key: name(ctx, 'lr_scheduler.warmup_init_lr'), range: at(ctx, warmInit), message: `${name(ctx, 'lr_scheduler.warmup_init_lr')} ${formatSci(warmInit.value)} is ignored: ${name(ctx, 'lr_scheduler.warmup_updates')} is 0, so there is no warmup to start from it; remove it or set a warmup` });
  }
  if (s === 'inverse_sqrt') {
    notes.push('inverse_sqrt: after warmup the LR falls as 1/sqrt(update) without end; there is no decay horizon');
  } else if (s === 'polynomial_decay') {
    const tnu = v.num('lr_scheduler.total_num_update');
    const horizon = tnu ?? (maxUpdate && maxUpdate.value > 0 && !hiddenBy(ctx, 'lr_scheduler.total_num_update') ? { ...derived(maxUpdate.value, `${name(ctx, 'lr_scheduler.total_num_update')} not set: ${name(ctx, 'optimization.max_update')}`, 'steps'), origin: 'default' as const, key: name(ctx, 'lr_scheduler.total_num_update') } : undefined);
    if (!tnu && (!maxUpdate || hiddenBy(ctx, 'lr_scheduler.total_num_update'))) {
      // An opaque word may set the horizon or the run length: unknown.
    } else if (!horizon || horizon.value <= 0) {
      ctx.configErrors.push({ range: at(ctx, tnu, maxUpdate), message: `polynomial_decay needs a horizon: ${name(ctx, 'lr_scheduler.total_num_update')} and ${name(ctx, 'optimization.max_update')} are unset or 0, and fairseq refuses to start (it asserts total_num_update > 0); set ${name(ctx, 'optimization.max_update')}` });
    } else plan.decaySteps = withUnit(horizon, 'steps');
    const end = schedNum(ctx, s, 'end_learning_rate');
    if (end) plan.minLr = end;
    ctx.afterDecay = 'flat';
  } else if (s === 'cosine') {
    const period = schedNum(ctx, s, 'lr_period_updates');
    const w = warm?.value ?? 0;
    if (!period || (period.value <= 0 && !maxUpdate)) {
      // An opaque word may set the period or the run length: the horizon is unknown.
    } else if (period.value <= 0 && maxUpdate!.value <= 0) {
      ctx.configErrors.push({ range: at(ctx, period, maxUpdate), message: `cosine without ${name(ctx, 'optimization.max_update')} or ${name(ctx, 'lr_scheduler.lr_period_updates')}: fairseq refuses to start ("Either --max_update or --lr-period-updates must be set"); set ${name(ctx, 'optimization.max_update')}` });
    } else {
      const len = period.value > 0 ? period.value : maxUpdate!.value - w;
      plan.decaySteps = period.value > 0 ? derivedFrom(period, w + len, `warmup ${formatCount(w)} + ${said(ctx, 'lr_scheduler.lr_period_updates', period)} (the first cosine period)`, 'steps') : { ...derived(w + len, `${name(ctx, 'lr_scheduler.lr_period_updates')} not set: one period of max_update − warmup`, 'steps'), origin: 'default', key: name(ctx, 'lr_scheduler.lr_period_updates') };
    }
    const minLr = schedNum(ctx, s, 'min_lr');
    if (minLr) plan.minLr = minLr;
    if (peak) ctx.launchChecks['min-lr-exceeds-lr'] = `fairseq refuses to start (the cosine scheduler asserts "max_lr (=${formatSci(peak.value)}) must be more than min_lr")`;
    // After one period the cosine restarts from the (shrunk) peak.
    ctx.afterDecay = 'rises';
  } else if (s === 'tri_stage') {
    notes.push('tri_stage: warmup, hold and decay phases come from phase_ratio (or the *_steps options) of max_update; not modelled');
    delete plan.warmupSteps;
  }
}

/** Checkpoint and validation intervals, what happens at the run's end, and the precision. */
function checkpoints(ctx: Ctx): void {
  const { v, plan } = ctx;
  const saveUpd = v.num('checkpoint.save_interval_updates');
  if (saveUpd && saveUpd.value > 0) plan.saveEverySteps = withUnit(saveUpd, 'steps');
  const valUpd = v.num('dataset.validate_interval_updates');
  if (valUpd && valUpd.value > 0) plan.evalEverySteps = withUnit(valUpd, 'steps');
  ctx.atRunEnd = atRunEnd(ctx);
  if (v.bool('common.bf16')) plan.precision = { value: 'bf16', origin: 'explicit', file: ctx.file.path, key: name(ctx, 'common.bf16') };
  else if (v.bool('common.fp16') || v.bool('common.memory_efficient_fp16')) plan.precision = { value: 'fp16', origin: 'explicit', file: ctx.file.path, key: name(ctx, v.bool('common.fp16') ? 'common.fp16' : 'common.memory_efficient_fp16') };
  else if (v.bool('common.amp')) plan.precision = { value: 'amp', origin: 'explicit', file: ctx.file.path, key: name(ctx, 'common.amp') };
}

// ── The batch a recipe was documented for ───────────────────────────────────────────────

/** Longest comment line looked at. */
const MAX_COMMENT = 400;

interface Documented {
  gpus: number;
  /** A count of GPUs "simulated" with --update-freq (each with update_freq 1), not real ones. */
  simulated: boolean;
  /** The --update-freq the comment gives for that setup, when it names one. */
  updateFreq?: number;
  line: number;
  text: string;
}

/**
 * The GPU count the script's comments give for the command at `line`: a count in a comment about how
 * the recipe was made ("tuned on 8 GPUs", "the paper trained on 8 V100 GPUs", "assumes 1 GPU"), else the
 * nearest plain "on 8 GPUs", else "simulate training on 8x16=128 GPUs" (an effective count, with
 * update_freq 1). An `--update-freq N` in the same comment line is the documented one. Comment lines
 * within 40 lines above the command.
 */
export function documentedGpus(text: string, line: number): Documented | undefined {
  const lines = text.split('\n');
  let origin: Documented | undefined;
  let nearest: Documented | undefined;
  let simulated: Documented | undefined;
  for (let i = Math.min(line - 2, lines.length - 1); i >= 0 && i >= line - 40; i--) {
    const raw = lines[i].trim();
    if (!raw.startsWith('#')) continue;
    const c = raw.slice(0, MAX_COMMENT);
    const uf = /update[-_]freq\s+(\d{1,5})/i.exec(c);
    const sim = /simulat\w*\s+(?:training\s+)?on\s+(?:\d{1,5}\s*[x×*]\s*\d{1,5}\s*=\s*)?(\d{1,5})\s+(?:\w+\s+)?GPUs?\b/i.exec(c);
    if (sim) {
      simulated ??= { gpus: Number(sim[1]), simulated: true, line: i + 1, text: c };
      continue;
    }
    const plain = /\b(?:on|for|with|assumes?|using|across)\s+(\d{1,5})\s+(?:[A-Za-z]?\d{0,4}\w{0,8}\s+)?GPUs?\b/i.exec(c);
    if (plain) {
      const found: Documented = { gpus: Number(plain[1]), simulated: false, line: i + 1, text: c, ...(uf ? { updateFreq: Number(uf[1]) } : {}) };
      if (!origin && /tun|train|recipe|assum|expect|paper|original|reference|documented/i.test(c.slice(0, plain.index + plain[0].length))) origin = found;
      nearest ??= found;
    }
  }
  return origin ?? nearest ?? simulated;
}

function documentedReference(ctx: Ctx, cmd: LaunchCommand): Extraction['reference'] {
  const doc = documentedGpus(ctx.file.text, cmd.range.line);
  const per = ctx.plan.microBatchSize;
  const lr = ctx.plan.peakLr;
  if (!doc || !per || !lr || doc.gpus < 1) return undefined;
  const uf = doc.simulated ? 1 : (doc.updateFreq ?? ctx.plan.gradAccumSteps?.value ?? 1);
  const batch = per.value * uf * doc.gpus;
  const how = doc.simulated ? `${formatCount(per.value)} × ${formatCount(doc.gpus)} GPUs simulated` : `${formatCount(per.value)} × update_freq ${formatCount(uf)}${doc.updateFreq ? '' : ' (as written here)'} × ${formatCount(doc.gpus)} GPUs`;
  const plan: TrainingPlan = {
    globalBatchSize: derived(batch, how, per.unit),
    peakLr: lr,
    ...(ctx.plan.warmupSteps ? { warmupSteps: ctx.plan.warmupSteps } : {}),
  };
  ctx.notes.push(`${ctx.file.path}:${doc.line} documents this command for ${formatCount(doc.gpus)} GPUs${doc.simulated ? ' (simulated with --update-freq)' : ''}: ${formatCount(batch)} ${per.unit} per update, the batch its LR was tuned for`);
  return { plan, label: `the ${formatCount(doc.gpus)}-GPU setup documented at line ${doc.line}`, path: ctx.file.path };
}

function extract(file: SourceFile, env: ExtractEnv): Extraction {
  const anchor0 = fileStartRange(file);
  let cmd: LaunchCommand | undefined;
  let form: Form;
  let values: Values;
  let view: HydraView | undefined;
  const notes: string[] = [];
  if (file.format === 'shell') {
    const cmds = (file.script?.commands ?? []).filter((c) => commandForm(c) !== undefined);
    cmd = cmds[0];
    if (!cmd) return { plan: {}, missing: [], anchor: anchor0, notes: ['no fairseq training command found'] };
    if (cmds.length > 1) notes.push(`${cmds.length} fairseq commands in this script; the first (line ${cmd.range.line}) is linted`);
    form = commandForm(cmd)!;
    if (form === 'cli') {
      values = cliValues(file, argsFromFlags(file, cmd.args));
    } else {
      view = hydraView(file, env, { command: cmd, knownKey });
      if (view.commandConfig) {
        notes.push(commandConfigNote(view.commandConfig));
        return { plan: {}, missing: [], anchor: cmd.range, notes, ...(view.overridable ? { overridable: view.overridable } : {}), ...(view.errors.length ? { configErrors: overrideConfigErrors(view, 'fairseq') } : {}) };
      }
      values = hydraValues(new HydraValues(file, view, DEFAULTS, {}, 'fairseq default'));
    }
  } else {
    form = 'hydra';
    view = hydraView(file, env, { knownKey });
    values = hydraValues(new HydraValues(file, view, DEFAULTS, {}, 'fairseq default'));
  }
  const ctx: Ctx = { file, v: values, form, plan: {}, notes: [...notes, ...(view?.notes ?? [])], missing: [], configErrors: [], ignored: [], launchChecks: {}, anchor: cmd?.range ?? anchor0, hidden: new HiddenFlags() };
  if (view) ctx.configErrors.push(...overrideConfigErrors(view, 'fairseq'));
  extractPlan(ctx, env, cmd);
  ctx.notes.push(...ctx.hidden.notes("fairseq's"));
  const reference = cmd ? documentedReference(ctx, cmd) : undefined;
  return {
    plan: ctx.plan,
    missing: ctx.missing,
    anchor: ctx.anchor,
    notes: ctx.notes,
    ...(ctx.configErrors.length ? { configErrors: ctx.configErrors } : {}),
    ...(ctx.ignored.length ? { ignored: ctx.ignored } : {}),
    ...(view?.overrideTree?.entries.length ? { schemaTree: view.overrideTree } : {}),
    ...(view?.overridable ? { overridable: view.overridable } : cmd?.forwardsArgs ? { overridable: { file: file.path, range: cmd.forwardsArgs, message: `the command ends in "$@" (line ${cmd.forwardsArgs.line}): arguments given to the script override these values` } } : {}),
    launchChecks: ctx.launchChecks,
    ...(ctx.afterDecay ? { afterDecay: ctx.afterDecay } : {}),
    ...(ctx.atRunEnd ? { atRunEnd: ctx.atRunEnd } : {}),
    ...(reference ? { reference } : {}),
  };
}

export const fairseq: Dialect = {
  meta: {
    id: 'fairseq',
    formats: ['shell', 'yaml'],
    title: 'fairseq',
    description: 'fairseq `fairseq-train` command lines and `fairseq-hydra-train` Hydra configs',
    yamlLoader: 'omegaconf',
    schema: 'fairseq.schema.json',
    hydra: true,
    rejectsDuplicateKeys: 'Hydra reads YAML with OmegaConf\'s loader, which raises "found duplicate key"',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return (file.script?.commands ?? []).some((c) => commandForm(c) !== undefined) ? 10 : 0;
    if (file.format !== 'yaml') return 0;
    return yamlIsFairseq(facts) ? 9 : 0;
  },
  extract,
};
