/**
 * timm (huggingface/pytorch-image-models) `train.py`: an args YAML (`-c/--config x.yaml`, or a run's
 * saved `args.yaml`) and command lines (`torchrun --nproc_per_node N train.py --flag value …`). Facts:
 * research/frameworks-wave2-vision.md §4 (`train.py::_parse_args`, `timm/scheduler/scheduler_factory.py`,
 * `cosine_lr.py`; timm @aa4b585).
 *
 * What timm does itself, and trainlint models rather than reports: when `lr` is unset it rescales the LR
 * from `lr_base` for the global batch (`lr_base × global / lr_base_size`, square root for Adam-like and
 * LAMB optimizers), so a batch change does not leave the LR stale. What it does silently: a YAML key
 * argparse does not know is kept (`parser.set_defaults`), `lr_base*` are ignored once `lr` is set, and
 * `cooldown_epochs` (and a prefix warmup) lengthen the run beyond `epochs` at `min_lr`.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, defaultSetting, derived, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { argparseNumber, argsFromFlags, argsFromTree, Unwritten, type FlatArgs } from './flat-args.js';
import { likelyTypo } from './key-typos.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { HiddenFlags } from './hidden-flags.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** train.py defaults now (research §4.3); timm before b1b024d (0.8 dev) had lr 0.05 and cooldown 10. */
export const TIMM_DEFAULTS = {
  batchSize: 128,
  gradAccumSteps: 1,
  lrBase: 0.1,
  lrBaseSize: 256,
  opt: 'sgd',
  sched: 'cosine',
  warmupEpochs: 5,
  warmupLr: 1e-5,
  minLr: 0,
  epochs: 300,
  cooldownEpochs: 0,
  lrCycleLimit: 1,
  valInterval: 1,
  decayMilestones: [90, 180, 270],
};

/** Schedulers without a cycle length: timm runs exactly `epochs` (no cooldown, no cycles). */
const NON_CYCLE = new Set(['step', 'multistep', 'plateau']);

/** Arguments only timm's train.py has (DeiT, ConvNeXt and Swin `main.py` share many other names). */
const TIMM_ONLY = ['lr_base', 'lr_base_size', 'lr_base_scale', 'sched_on_updates', 'grad_accum_steps', 'lr_cycle_mul', 'lr_cycle_limit', 'lr_k_decay', 'warmup_prefix', 'checkpoint_hist', 'recovery_interval', 'epoch_repeats', 'dist_bn'];

/** timm train.py argument names (dest), for "did you mean" on keys set_defaults keeps silently. */
export const TIMM_KEYS = new Set([
  ...TIMM_ONLY,
  'data', 'data_dir', 'dataset', 'train_split', 'val_split', 'train_num_samples', 'val_num_samples', 'dataset_download', 'class_map',
  'input_img_mode', 'input_key', 'target_key', 'model', 'pretrained', 'pretrained_path', 'initial_checkpoint', 'resume', 'no_resume_opt',
  'num_classes', 'gp', 'img_size', 'in_chans', 'input_size', 'crop_pct', 'mean', 'std', 'interpolation', 'batch_size',
  'validation_batch_size', 'channels_last', 'fuser', 'grad_checkpointing', 'fast_norm', 'model_kwargs', 'head_init_scale',
  'head_init_bias', 'torchcompile_mode', 'torchscript', 'torchcompile', 'device', 'amp', 'amp_dtype', 'amp_impl', 'model_dtype',
  'no_ddp_bb', 'synchronize_step', 'local_rank', 'device_modules', 'opt', 'opt_eps', 'opt_betas', 'momentum', 'weight_decay',
  'clip_grad', 'clip_mode', 'layer_decay', 'opt_kwargs', 'sched', 'lr', 'lr_noise', 'lr_noise_pct', 'lr_noise_std', 'warmup_lr',
  'min_lr', 'epochs', 'start_epoch', 'decay_milestones', 'decay_epochs', 'warmup_epochs', 'cooldown_epochs', 'patience_epochs',
  'decay_rate', 'no_aug', 'train_crop_mode', 'scale', 'ratio', 'hflip', 'vflip', 'color_jitter', 'color_jitter_prob',
  'grayscale_prob', 'gaussian_blur_prob', 'aa', 'aug_repeats', 'aug_splits', 'jsd_loss', 'bce_loss', 'bce_sum', 'bce_target_thresh',
  'bce_pos_weight', 'reprob', 'remode', 'recount', 'resplit', 'mixup', 'cutmix', 'cutmix_minmax', 'mixup_prob', 'mixup_switch_prob',
  'mixup_mode', 'mixup_off_epoch', 'smoothing', 'train_interpolation', 'drop', 'drop_connect', 'drop_path', 'drop_block', 'bn_momentum',
  'bn_eps', 'sync_bn', 'split_bn', 'model_ema', 'model_ema_force_cpu', 'model_ema_decay', 'model_ema_warmup', 'seed', 'worker_seeding',
  'log_interval', 'checkpoint_hist', 'workers', 'save_images', 'pin_mem', 'no_prefetcher', 'output', 'experiment', 'eval_metric', 'tta',
  'use_multi_epochs_loader', 'log_wandb', 'wandb_project', 'wandb_tags', 'wandb_resume_id', 'val_interval', 'naflex_loader',
  'config', 'distributed', 'world_size', 'rank', 'prefetcher',
]);
/** Keys whose ignored value is the LR or the run length. */
const CRITICAL = new Set(['lr', 'lr_base', 'lr_base_size', 'epochs', 'cooldown_epochs', 'warmup_prefix', 'lr_cycle_limit']);
/**
 * Flags of train.py whose argparse dest is not the flag's own name: the short aliases (`-b/--batch-size`,
 * `-vb/--validation-batch-size`, `-j/--workers`, `-c/--config`) and `--dr` (`--decay-rate`). A launch
 * command's flags over its `--config` YAML need them too (see docs/dialects/timm.md).
 */
export const TIMM_FLAG_ALIASES: Readonly<Record<string, string>> = {
  '-b': 'batch_size',
  '-vb': 'validation_batch_size',
  '-j': 'workers',
  '-c': 'config',
  '--dr': 'decay_rate',
  '--gp': 'gp',
  '--aug_splits': 'aug_splits',
};

type Form = 'yaml' | 'cli';

interface Source {
  form: Form;
  args: FlatArgs;
  anchor: Range;
  cmd?: LaunchCommand;
  /** `-c/--config x.yaml`: keys not on the command line come from it. */
  config?: string;
}

function dest(flag: string): string {
  return (Object.hasOwn(TIMM_FLAG_ALIASES, flag) ? TIMM_FLAG_ALIASES[flag] : undefined) ?? flag.replace(/^-+/, '').replace(/-/g, '_');
}

function commandScore(cmd: LaunchCommand): number {
  if (cmd.launcher === 'none') return 0;
  // timm's own wrapper: `./distributed_train.sh N train.py-arguments…`.
  if (cmd.cli === 'distributed_train.sh') return 9;
  const keys = new Set(cmd.args.filter((a) => a.flag.startsWith('-')).map((a) => dest(a.flag)));
  const only = TIMM_ONLY.filter((k) => keys.has(k)).length;
  const name = (cmd.script ?? '').slice((cmd.script ?? '').lastIndexOf('/') + 1);
  if (name === 'train.py' && only >= 1) return 8;
  return only >= 2 ? 6 : 0;
}

function commands(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter((c) => commandScore(c) > 0);
}

const TIMM_ONLY_GROUP = keyGroup(TIMM_ONLY);

function yamlScore(facts: DetectFacts): number {
  const root = facts.root;
  if (!root) return 0;
  const only = facts.count(TIMM_ONLY_GROUP);
  if (only === 0) return 0;
  const known = root.entries.filter((e) => TIMM_KEYS.has(e.key)).length;
  if (known >= 4) return 5 + Math.min(4, only);
  return 0;
}

function sourceOf(file: SourceFile): Source | undefined {
  if (file.format === 'shell') {
    const cmd = commands(file)[0];
    if (!cmd) return undefined;
    const args = argsFromFlags(file, cmd.args, dest);
    const cfg = args.get('config');
    return { form: 'cli', args, anchor: cmd.range, cmd, ...(cfg && typeof cfg.value === 'string' ? { config: cfg.value } : {}) };
  }
  return { form: 'yaml', args: argsFromTree(file, 'pydantic'), anchor: fileStartRange(file) };
}

/** A setting's key, file and range (where it is written), for a value derived from it. */
function keyOf(s: Setting<number>): Pick<Setting, 'key' | 'file' | 'range'> {
  return { key: s.key, ...(s.range ? { range: s.range, file: s.file } : {}) };
}

/**
 * `decay_milestones`: a YAML list, or `--decay-milestones 30 60 90` (argparse nargs='+': the flag's value
 * and the numbers after it). Epochs; optimizer steps once the epoch length is known.
 */
function milestones(src: Source, plan: TrainingPlan, spelled: <T extends number | string | boolean>(s: Setting<T>, dest: string) => Setting<T>, cli: boolean): void {
  const a = src.args.get('decay_milestones');
  let values: number[] | undefined;
  if (a && Array.isArray(a.value)) values = a.value.map(Number);
  else if (a && cli && src.cmd) {
    const i = src.cmd.args.findIndex((x) => x.flag === a.written);
    const after = src.cmd.args.slice(i + 1);
    const end = after.findIndex((x) => x.flag !== '');
    const words = [src.cmd.args[i]?.value, ...(end < 0 ? after : after.slice(0, end)).map((x) => x.value)].filter((v): v is string => v !== undefined);
    values = words.map((w) => argparseNumber(w, true) ?? NaN);
  } else if (a && typeof a.value === 'number') values = [a.value];
  else if (!a && src.config === undefined && !src.args.setBy('decay_milestones')) values = TIMM_DEFAULTS.decayMilestones;
  if (!values || values.length === 0 || values.some((v) => !Number.isFinite(v))) return;
  const sorted = [...values].sort((x, y) => x - y);
  const base: Setting<number> = a
    ? { value: 0, origin: 'explicit', key: a.written, file: src.args.file.path, range: a.range }
    : spelled({ value: 0, origin: 'default', key: 'decay_milestones', note: 'timm train.py default [90, 180, 270]' }, 'decay_milestones');
  const upe = plan.stepsPerEpoch?.value;
  const at = (v: number): Setting<number> =>
    upe ? { ...base, value: v * upe, unit: 'steps', writtenAs: { unit: 'epochs', perStep: 1 / upe } } : { ...base, value: v, unit: 'epochs' };
  plan.firstMilestone = at(sorted[0]);
  plan.lastMilestone = at(sorted[sorted.length - 1]);
}

/**
 * Where a cycle schedule ends, in epochs (`get_cycle_length`): `epochs` per cycle × the cycles, plus the
 * warmup when it is a prefix (`warmup_prefix` shifts the cycles, it does not lengthen each).
 */
function scheduleEpochs(epochs: Setting<number>, warmup: Setting<number>, cycles: Setting<number>, prefix: boolean): { value: number; how: string } {
  const n = Math.max(1, cycles.value);
  const value = epochs.value * n + (prefix ? warmup.value : 0);
  return { value, how: `epochs ${formatCount(epochs.value)}${n > 1 ? ` × ${formatCount(n)} cycles` : ''}${prefix ? ` + warmup ${formatCount(warmup.value)}` : ''}` };
}

/** The keys that make the run's length in epochs: `epochs + cooldown_epochs` (as this file spells them). */
function runKeys(epochs: Setting<number>, cooldown: Setting<number>, warmup: Setting<number>, cycles: Setting<number>, prefix: boolean): string {
  const keys = [cycles.value > 1 ? `${epochs.key} × ${cycles.key ?? 'lr_cycle_limit'}` : epochs.key, cooldown.value > 0 ? cooldown.key : undefined, prefix ? warmup.key : undefined];
  return keys.filter(Boolean).join(' + ');
}

/** `--epochs 20` on a command line, `epochs: 20` in a YAML. */
function kv(s: Setting<number>, fallback: string, value: number): string {
  const key = s.key ?? fallback;
  return key.startsWith('-') ? `${key} ${formatCount(value)}` : `${key}: ${formatCount(value)}`;
}

/** decay-horizon-mismatch's default tolerance: a tail of at most max(1, 5% of the run) is not reported. */
const HORIZON_TOLERANCE = 0.05;

/**
 * The longest cooldown decay-horizon-mismatch accepts after `epochs` (the run is then epochs + cooldown): c ≤ 1,
 * or c ≤ 5% × (epochs + c), i.e. c ≤ epochs × 0.05 / 0.95. Following the advice clears the finding.
 */
export function acceptedCooldown(epochs: number): number {
  return Math.max(1, Math.floor((epochs * HORIZON_TOLERANCE) / (1 - HORIZON_TOLERANCE) + 1e-9));
}

/** The cooldown makes the flat tail: fold it into the schedule, or shorten it. */
function cooldownAdvice(epochs: Setting<number>, cooldown: Setting<number>, runEpochs: number): string {
  const most = Math.min(acceptedCooldown(runEpochs - cooldown.value), cooldown.value - 1);
  const shorter = most >= 1 ? `, or set ${kv(cooldown, 'cooldown_epochs', most)} or less` : '';
  return `the ${formatCount(cooldown.value)} cooldown epochs run at min_lr after the schedule: set ${kv(epochs, 'epochs', epochs.value + cooldown.value)} with ${kv(cooldown, 'cooldown_epochs', 0)} to decay over the whole run${shorter}`;
}

/** Whether lr is what timm would have computed from lr_base for this batch (a saved args.yaml, not a choice). */
function savedRescaledLr(args: FlatArgs, lr: number, world: number | undefined): boolean {
  const base = args.num('lr_base')?.value;
  const size = args.num('lr_base_size')?.value ?? TIMM_DEFAULTS.lrBaseSize;
  const batch = args.num('batch_size')?.value;
  const accum = args.num('grad_accum_steps')?.value ?? 1;
  const ws = args.num('world_size')?.value ?? world;
  if (base === undefined || batch === undefined || ws === undefined || !(size > 0)) return false;
  const ratio = (batch * ws * accum) / size;
  return [ratio, Math.sqrt(ratio)].some((r) => Math.abs(base * r - lr) <= 1e-9 * Math.max(1, lr));
}

function extractSource(file: SourceFile, src: Source, env: ExtractEnv): Extraction {
  const { args } = src;
  const D = TIMM_DEFAULTS;
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const ignored: IgnoredSetting[] = [];
  const conflicts: Conflict[] = [];
  const unwritten = new Unwritten(src.config !== undefined ? { flag: '--config', path: src.config } : undefined, 'timm train.py default');
  // A flag the command does not write, which an opaque `$EXTRA_ARGS` (or the unknown end of an array a branch
  // appends to) may set: unknown, not timm's default.
  const hidden = new HiddenFlags();
  const hiddenBy = (key: string): string | undefined => hidden.record(`--${key.replace(/_/g, '-')}`, args.setBy(key));
  /** A value argparse would hand the program (`type=` converts strings), else the default. */
  const num = (key: string, fallback: number | undefined, integer = false): Setting<number> | undefined => {
    const a = args.get(key);
    if (a && a.value !== null && a.value !== undefined) {
      if (typeof a.value === 'string') {
        const v = argparseNumber(a.value, integer);
        if (v === undefined) {
          notes.push(`${a.written} ${a.value}: not a number argparse accepts`);
          return undefined;
        }
        return args.setting(a, v);
      }
      return args.num(key);
    }
    if (a?.value === null || hiddenBy(key)) return undefined;
    return unwritten.value(key, fallback);
  };
  const str = (key: string, fallback: string | undefined): Setting<string> | undefined => {
    const w = args.str(key);
    if (w || hiddenBy(key)) return w;
    return unwritten.value(key, fallback);
  };
  const flag = (key: string): boolean | undefined => {
    const a = args.get(key);
    if (a) return a.value === true || a.value === 'true' || a.value === 'True';
    return src.config !== undefined || hiddenBy(key) ? undefined : false;
  };

  if (src.cmd) {
    const w = launcherWorldSize(src.cmd);
    if (w) plan.worldSize = { value: w.value, origin: 'launcher', file: file.path, key: w.key, range: w.range, how: w.how };
  }
  applyAssumptions(plan, env.assume);
  // A run's saved args.yaml records the world size; train.py itself takes it from the launcher.
  const recorded = src.form === 'yaml' ? num('world_size', undefined, true) : undefined;
  if (!plan.worldSize && recorded && recorded.value >= 1) plan.worldSize = { ...recorded, note: 'as recorded in a saved args.yaml (train.py sets it from the launcher)' };
  const W = plan.worldSize?.value;

  const batch = num('batch_size', D.batchSize, true);
  if (batch) plan.microBatchSize = withUnit(batch, 'samples');
  const accum = num('grad_accum_steps', D.gradAccumSteps, true);
  if (accum) plan.gradAccumSteps = accum;
  if (batch && accum && W !== undefined) {
    plan.globalBatchSize = derived(batch.value * W * accum.value, `${formatCount(batch.value)} × ${formatCount(W)} × ${formatCount(accum.value)} (batch_size per process × world size × grad_accum_steps)`, 'samples');
  }
  const opt = str('opt', D.opt);
  if (opt) plan.optimizer = opt;

  // LR: an explicit lr disables timm's own rescaling; otherwise lr = lr_base × (global / lr_base_size).
  const lr = num('lr', undefined);
  if (lr) {
    plan.peakLr = lr;
    // A run's saved args.yaml holds every argument: defaults, and the lr timm computed from them.
    const defaults: Record<string, number | string> = { lr_base: D.lrBase, lr_base_size: D.lrBaseSize, lr_base_scale: '' };
    for (const key of ['lr_base', 'lr_base_size', 'lr_base_scale']) {
      const a = args.get(key);
      if (!a || a.value === null || a.value === '' || a.value === defaults[key] || savedRescaledLr(args, lr.value, W)) continue;
      ignored.push({
        key: a.written,
        range: a.range,
        critical: key !== 'lr_base_scale',
        message: `${a.written} ${a.text} is ignored: lr ${formatSci(lr.value)} is set, and timm rescales the LR from lr_base only when lr is unset; remove lr to let timm scale it, or remove ${a.written}`,
        data: { lr: lr.value },
      });
    }
  } else if ((!args.has('lr') || args.get('lr')?.value === null) && !hiddenBy('lr')) {
    const base = num('lr_base', D.lrBase);
    const size = num('lr_base_size', D.lrBaseSize, true);
    const scaleArg = str('lr_base_scale', '');
    if (base && size && scaleArg && plan.globalBatchSize && opt) {
      const sqrt = scaleArg.value === 'sqrt' || (scaleArg.value === '' && /ada|lamb/i.test(opt.value));
      const ratio = plan.globalBatchSize.value / size.value;
      const value = base.value * (sqrt ? Math.sqrt(ratio) : ratio);
      plan.peakLr = {
        ...derived(value, `lr unset: lr_base ${formatSci(base.value)} × ${sqrt ? 'sqrt(' : ''}${formatCount(plan.globalBatchSize.value)} / ${formatCount(size.value)}${sqrt ? ')' : ''} (timm rescales for the global batch${sqrt && scaleArg.value === '' ? `, square root for ${opt.value}` : ''})`),
        ...(base.range ? { key: base.key, range: base.range, file: base.file } : { key: 'lr' }),
      };
      notes.push('lr unset: timm computes it from lr_base for the global batch (timm 0.8 and later; before, an unset lr was 0.05)');
    } else if (W === undefined) {
      missing.push({ field: 'peakLr', hint: 'lr is unset, so timm scales lr_base by the global batch: launch with torchrun --nproc_per_node N or set assume.worldSize' });
    }
  }

  const sched = str('sched', D.sched);
  if (sched) plan.scheduler = sched;
  const minLr = num('min_lr', D.minLr);
  if (minLr) plan.minLr = minLr;

  // Epochs actually run: for a cycle schedule (cosine, tanh, poly: get_cycle_length), epochs × cycles +
  // cooldown (+ warmup when it is a prefix); step, multistep and plateau run `epochs` (create_scheduler_v2).
  const cli = src.form === 'cli';
  /** The key as this file spells it: `--cooldown-epochs` on a command line, `cooldown_epochs` in a YAML. */
  const spelled = <T extends number | string | boolean>(s: Setting<T>, dest: string): Setting<T> =>
    cli && !(s.key ?? '').startsWith('-') ? { ...s, key: `--${dest.replace(/_/g, '-')}` } : { ...s, key: s.key ?? dest };
  const epochsRead = num('epochs', D.epochs, true);
  const warmupRead = num('warmup_epochs', D.warmupEpochs);
  const cooldownRead = num('cooldown_epochs', D.cooldownEpochs, true);
  const epochs = epochsRead && spelled(epochsRead, 'epochs');
  const warmup = warmupRead && spelled(warmupRead, 'warmup_epochs');
  const cooldown = cooldownRead && spelled(cooldownRead, 'cooldown_epochs');
  const cycles = num('lr_cycle_limit', D.lrCycleLimit, true);
  const prefix = flag('warmup_prefix');
  if (epochs) plan.epochs = withUnit(epochs, 'epochs');
  const samples = plan.datasetSamples;
  const cycleBased = !sched || !NON_CYCLE.has(sched.value);
  if (epochs && warmup && cooldown && cycles && prefix !== undefined) {
    const cycleMul = num('lr_cycle_mul', 1);
    const cycleEpochs = !cycleBased ? epochs.value : cycleMul && cycleMul.value !== 1 ? undefined : epochs.value * Math.max(1, cycles.value);
    if (cycleEpochs === undefined) notes.push('lr_cycle_mul ≠ 1: the cycle lengths grow, and the run length is not computed');
    const runEpochs = cycleEpochs === undefined ? undefined : cycleBased ? cycleEpochs + cooldown.value + (prefix ? warmup.value : 0) : cycleEpochs;
    if (runEpochs !== undefined && runEpochs !== epochs.value) {
      const why = [cycles.value > 1 ? `${formatCount(cycles.value)} cycles` : '', cooldown.value ? `cooldown_epochs ${formatCount(cooldown.value)} at min_lr` : '', prefix ? `warmup_epochs ${formatCount(warmup.value)} as a prefix` : ''].filter(Boolean).join(', ');
      notes.push(`timm runs ${formatCount(runEpochs)} epochs, not epochs ${formatCount(epochs.value)}: ${why} ("Scheduled epochs" in its log)`);
      // The run's length in epochs, as the train loop counts them (range(start_epoch, num_epochs)).
      plan.epochs = { ...derived(runEpochs, `epochs ${formatCount(epochs.value)} with ${why}: timm's num_epochs`, 'epochs'), key: runKeys(epochs, cooldown, warmup, cycles, prefix) };
    } else if (!cycleBased && cooldown.value > 0) {
      notes.push(`cooldown_epochs ${formatCount(cooldown.value)} has no effect with sched ${sched!.value}: only cycle schedules (cosine, tanh, poly) add a cooldown`);
    }
    if (samples && batch && accum && W !== undefined && runEpochs !== undefined) {
      // len(loader_train) with drop_last; updates_per_epoch = ceil(len / grad_accum_steps).
      const loader = Math.floor(samples.value / (batch.value * W));
      const upe = Math.ceil(loader / accum.value);
      const inEpochs = { unit: 'epochs', perStep: 1 / upe };
      plan.stepsPerEpoch = derived(upe, `ceil(floor(${formatCount(samples.value)} / (${formatCount(batch.value)} × ${formatCount(W)})) / ${formatCount(accum.value)}) optimizer updates per epoch`, 'steps');
      plan.totalSteps = derived(upe * runEpochs, `${formatCount(upe)} updates/epoch × ${formatCount(runEpochs)} epochs`, 'steps');
      const w = warmup.value * upe;
      plan.warmupSteps = {
        ...derived(w, `warmup_epochs ${formatCount(warmup.value)} × ${formatCount(upe)} updates/epoch${flag('sched_on_updates') ? '' : ' (the LR changes once per epoch: sched_on_updates is off)'}`, 'steps'),
        key: warmup.key,
        ...(warmup.range ? { range: warmup.range, file: warmup.file } : {}),
        fractionOf: { fraction: warmup.value, of: `one epoch of ${formatCount(upe)} updates`, ofSteps: upe },
        // Advice in whole epochs: train.py reads --warmup-epochs with type=int.
        writtenAs: inEpochs,
      };
      if (sched && cycleBased && cycleEpochs !== undefined) {
        const horizon = scheduleEpochs(epochs, warmup, cycles, prefix);
        plan.decaySteps = {
          ...derived(horizon.value * upe, `(${horizon.how}) × ${formatCount(upe)} updates/epoch: the ${sched.value} schedule ends there, then min_lr`, 'steps'),
          key: epochs.key,
          ...(epochs.range ? { range: epochs.range, file: epochs.file } : {}),
          writtenAs: inEpochs,
          // The run outlasts the schedule by the cooldown: that key, not the horizon, makes the flat tail.
          ...(cooldown.value > 0 ? { advice: cooldownAdvice(epochs, cooldown, runEpochs) } : {}),
        };
      }
      // Validation and checkpointing every val_interval epochs.
      const val = num('val_interval', D.valInterval, true);
      if (val && val.value > 0) {
        const every = { ...derived(val.value * upe, `val_interval ${formatCount(val.value)} × ${formatCount(upe)} updates/epoch`, 'steps'), ...keyOf(spelled(val, 'val_interval')), writtenAs: inEpochs };
        plan.evalEverySteps = every;
        plan.saveEverySteps = { ...every, note: 'timm saves its checkpoint after each validation (val_interval: "how many epochs between validation and checkpointing")' };
      }
    } else {
      if (!prefix && warmup.value > 0 && warmup.value >= epochs.value) {
        conflicts.push({
          kind: 'warmup-covers-run',
          range: warmup.range ?? epochs.range ?? src.anchor,
          message: `warmup_epochs ${formatCount(warmup.value)}${warmup.origin === 'default' ? ' (default)' : ''} ≥ epochs ${formatCount(epochs.value)}: the warmup lies inside the epochs (warmup_prefix off), so the whole schedule is warmup and the LR never reaches its peak; set warmup_epochs well below ${formatCount(epochs.value)}`,
          data: { warmupEpochs: warmup.value, epochs: epochs.value },
        });
      }
      // Without the epoch length the decay horizon is known in epochs, which holds for any dataset size:
      // compared with the run's epochs (a cooldown or a prefix warmup makes the run longer).
      if (sched && cycleBased && cycleEpochs !== undefined && runEpochs !== undefined) {
        const horizon = scheduleEpochs(epochs, warmup, cycles, prefix);
        plan.decayEpochs = {
          ...(horizon.value === epochs.value ? epochs : derived(horizon.value, `${horizon.how}: the ${sched.value} schedule ends there, then min_lr`, 'epochs')),
          ...keyOf(epochs),
          unit: 'epochs',
          ...(cooldown.value > 0 ? { advice: cooldownAdvice(epochs, cooldown, runEpochs) } : {}),
        };
      }
    }
    // Multi-step decay: the LR drops at each decay_milestones epoch (MultiStepLRScheduler).
    if (sched?.value === 'multistep') milestones(src, plan, spelled, cli);
  }
  if (!samples) missing.push({ field: 'datasetSamples', hint: 'timm counts warmup and the run in epochs: set assume.datasetSamples (training images) for step counts' });
  if (W === undefined) missing.push({ field: 'worldSize', hint: 'launch with torchrun --nproc_per_node N (a committed script naming this file), or set assume.worldSize' });

  // Precision: --amp with amp_dtype (float16 or bfloat16, asserted).
  const amp = flag('amp');
  const dtype = str('amp_dtype', 'float16');
  // --amp written, --amp-dtype behind an opaque word: float16 or bfloat16, unknown.
  if (amp !== undefined && !(amp && !dtype && args.setBy('amp_dtype'))) plan.precision = amp ? { ...(args.get('amp') ? args.setting(args.get('amp')!, `amp_${dtype?.value ?? 'float16'}`) : defaultSetting(`amp_${dtype?.value}`, 'amp')) } : defaultSetting('fp32', 'amp', 'amp off: float32');

  if (src.form === 'yaml') {
    for (const a of args.all) {
      if (TIMM_KEYS.has(a.key)) continue;
      const near = likelyTypo(a.key, TIMM_KEYS);
      if (!near) continue;
      ignored.push({
        key: a.written,
        range: a.range,
        critical: CRITICAL.has(near),
        message: `${a.written} is not a timm train.py argument: parser.set_defaults keeps it without complaint and nothing reads it (did you mean ${near}?)${args.has(near) ? '' : `; ${near} stays at its default`}`,
        data: { reason: 'unknown-key', suggestion: near },
      });
    }
  }
  const fromConfig = unwritten.note();
  if (fromConfig) notes.push(fromConfig);
  notes.push(...hidden.notes("timm's"));
  // Cosine, linear and tanh schedulers hold min_lr after their horizon (the cooldown).
  return { plan, missing, anchor: src.anchor, notes, conflicts, ignored, afterDecay: 'flat' };
}

export const timm: Dialect = {
  meta: {
    id: 'timm',
    formats: ['shell', 'yaml'],
    title: 'timm train.py',
    description: 'timm train.py argument YAML (--config, args.yaml) and command lines',
    yamlLoader: 'pydantic',
    yamlLoaderName: "PyYAML (timm's yaml.safe_load, before argparse type=)",
    schema: 'timm.schema.json',
    // train.py: `parser.set_defaults(**yaml.safe_load(config))`, then `parse_args`: flags after
    // `--config` win over the file.
    launchOverrides: ['argparse'],
    flagAliases: TIMM_FLAG_ALIASES,
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return Math.max(0, ...commands(file).map(commandScore));
    if (file.format !== 'yaml') return 0;
    return yamlScore(facts);
  },
  extract(file, env) {
    const src = sourceOf(file);
    if (!src) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no timm train.py command found'] };
    const out = extractSource(file, src, env);
    const cmds = file.format === 'shell' ? commands(file) : [];
    if (cmds.length > 1) out.notes.push(`${cmds.length} timm commands in this script; the first (line ${cmds[0].range.line}) is linted`);
    return out;
  },
};
