/**
 * Hugging Face diffusers example training scripts (`train_*.py` under `examples/`): runs are command lines,
 * `accelerate launch [--num_processes N | --multi_gpu] [--mixed_precision X] train_dreambooth.py
 * --flag=value …`, in launch scripts. Flags are argparse with `type=int/float`. Facts:
 * research/frameworks-wave2-vision.md §5 and corpus-wave2/FACTS-diffusers.md (diffusers @58eb52c,
 * accelerate `scheduler.py`).
 *
 * The traps: `--lr_warmup_steps` (default 500) is ignored by the default `constant` scheduler; accelerate
 * steps the LR scheduler N times per optimizer step on N processes and each script compensates in its
 * own way (×N, ×gradient accumulation, or not at all), so on several GPUs some scripts warm up and decay
 * over a fraction (or a multiple) of the run, and diffusers' cosine climbs back up past its horizon;
 * the script's `--mixed_precision` wins over the launcher's.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, argRange, defaultSetting, derived, deriveGlobalBatch, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatPercent, formatSci } from '../engine/format-number.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import { argparseNumber, argsFromFlags, type FlatArgs } from './flat-args.js';
import { isKohyaScript, KOHYA_ONLY_FLAGS } from './kohya.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { HiddenFlags } from './hidden-flags.js';

/** argparse defaults shared by the example scripts (FACTS-diffusers.md, "Defaults that matter"). */
export const DIFFUSERS_DEFAULTS = {
  gradientAccumulationSteps: 1,
  lrScheduler: 'constant',
  lrWarmupSteps: 500,
  checkpointingSteps: 500,
};

/** Per-script defaults the research table gives (research §5.2). */
const SCRIPT_DEFAULTS: Record<string, { batch?: number; lr?: number; epochs?: number; scheduler?: string }> = {
  'train_dreambooth.py': { batch: 4, lr: 5e-6, epochs: 1 },
  'train_text_to_image.py': { batch: 16, lr: 1e-4, epochs: 100 },
  'train_unconditional.py': { scheduler: 'cosine' },
};

/**
 * How each script turns `--lr_warmup_steps` and the run length into the scheduler's steps (research
 * §5.3): 'N' multiplies both by the process count (correct), 'GAS' by the gradient accumulation (legacy),
 * 'none' passes them as written. Scripts not listed: unknown on several GPUs.
 */
const CONVENTIONS: Record<string, 'N' | 'GAS' | 'none'> = {
  'train_text_to_image.py': 'N',
  'train_text_to_image_lora.py': 'N',
  'train_dreambooth.py': 'N',
  'train_dreambooth_lora.py': 'N',
  'train_dreambooth_lora_sdxl.py': 'N',
  'train_dreambooth_flux.py': 'N',
  'train_dreambooth_lora_flux.py': 'N',
  'train_dreambooth_sd3.py': 'N',
  'train_dreambooth_lora_sd3.py': 'N',
  'train_controlnet.py': 'N',
  'train_controlnet_sdxl.py': 'N',
  'train_controlnet_flux.py': 'N',
  'train_controlnet_sd3.py': 'N',
  'train_custom_diffusion.py': 'N',
  'train_instruct_pix2pix.py': 'N',
  'train_text_to_image_sdxl.py': 'GAS',
  'train_text_to_image_lora_sdxl.py': 'GAS',
  'train_instruct_pix2pix_sdxl.py': 'GAS',
  'train_unconditional.py': 'GAS',
  'train_t2i_adapter_sdxl.py': 'none',
  'train_lcm_distill_sd_wds.py': 'none',
  'train_lcm_distill_sdxl_wds.py': 'none',
  'train_lcm_distill_lora_sd_wds.py': 'none',
  'train_lcm_distill_lora_sdxl_wds.py': 'none',
  'train_vqgan.py': 'none',
};
/** kandinsky2_2's text-to-image scripts are legacy (×GAS); wuerstchen has scripts of the same names. */
const KANDINSKY = /^train_text_to_image(?:_lora)?_(?:decoder|prior)\.py$/;

const SCRIPT = /^(?:train_[\w.-]*|textual_inversion[\w-]*|tutorial_train_[\w-]*)\.py$/;
/** Flags of the diffusers examples that sd-scripts does not have. */
const DIFFUSERS_FLAGS = ['instance_prompt', 'instance_data_dir', 'checkpointing_steps', 'validation_prompt', 'validation_epochs', 'validation_steps', 'scale_lr', 'lr_warmup_steps', 'dataset_name', 'class_prompt', 'checkpoints_total_limit', 'report_to'];
const DECAYING = new Set(['linear', 'cosine', 'cosine_with_restarts', 'polynomial']);

function scriptName(cmd: LaunchCommand): string {
  const s = cmd.script ?? '';
  return s.slice(s.lastIndexOf('/') + 1);
}

function commandScore(cmd: LaunchCommand): number {
  if (cmd.launcher === 'none' || !SCRIPT.test(scriptName(cmd)) || isKohyaScript(scriptName(cmd))) return 0;
  const flags = new Set(cmd.args.map((a) => a.flag.replace(/^-+/, '').replace(/-/g, '_')));
  // sd-scripts shares some script names (train_controlnet.py) and many flags.
  if (KOHYA_ONLY_FLAGS.filter((f) => flags.has(f)).length >= 2) return 0;
  if (flags.has('pretrained_model_name_or_path') || DIFFUSERS_FLAGS.some((f) => flags.has(f))) return 9;
  return 6;
}

function commands(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter((c) => commandScore(c) > 0);
}

/**
 * The opaque word (`$EXTRA_ARGS`, the unknown end of an array a branch appends to) that may set `--key`, which the
 * command does not write; each is remembered in `hidden` (word → flags) for the note. Its value is then unknown.
 */
type HiddenBy = (key: string) => string | undefined;

function hiddenFlags(args: FlatArgs): { hiddenBy: HiddenBy; hidden: HiddenFlags } {
  const hidden = new HiddenFlags();
  return { hiddenBy: (key) => hidden.record(`--${key}`, args.setBy(key)), hidden };
}

/** An argparse `type=int`/`type=float` flag: a written value, else a default (unless an opaque word may set it), else unknown. */
function numberArg(args: FlatArgs, key: string, integer: boolean, fallback: number | undefined, notes: string[], hiddenBy: HiddenBy): Setting<number> | undefined {
  const a = args.get(key);
  if (a && typeof a.value === 'string') {
    const v = argparseNumber(a.value, integer);
    if (v === undefined) {
      notes.push(`${a.written} ${a.value}: argparse (type=${integer ? 'int' : 'float'}) rejects it at start-up${a.value.startsWith('$') || a.value.startsWith('<') ? ' unless the variable holds a number' : ''}`);
      return undefined;
    }
    return args.setting(a, v, a.note);
  }
  if (a || fallback === undefined || hiddenBy(key)) return undefined;
  return defaultSetting(fallback, `--${key}`, 'the script\'s argparse default');
}

function extractCommand(file: SourceFile, cmd: LaunchCommand, env: ExtractEnv): Extraction {
  const args = argsFromFlags(file, cmd.args);
  const script = scriptName(cmd);
  const defaults = Object.hasOwn(SCRIPT_DEFAULTS, script) ? SCRIPT_DEFAULTS[script] : {};
  const D = DIFFUSERS_DEFAULTS;
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const ignored: IgnoredSetting[] = [];
  const conflicts: Conflict[] = [];
  const { hiddenBy, hidden } = hiddenFlags(args);
  const number = (key: string, integer: boolean, fallback: number | undefined) => numberArg(args, key, integer, fallback, notes, hiddenBy);

  const world = launcherWorldSize(cmd);
  if (world) plan.worldSize = { value: world.value, origin: 'launcher', file: file.path, key: world.key, range: world.range, how: world.how };
  else if (cmd.launcherArgs.some((a) => a.flag === '--multi_gpu' || a.flag === '--multi-gpu')) notes.push('accelerate launch --multi_gpu without --num_processes uses every visible GPU: the process count is unknown');
  applyAssumptions(plan, env.assume);
  const N = plan.worldSize?.value;

  const micro = number('train_batch_size', true, defaults.batch);
  if (micro) plan.microBatchSize = withUnit(micro, 'samples');
  const gas = number('gradient_accumulation_steps', true, D.gradientAccumulationSteps);
  if (gas) plan.gradAccumSteps = gas;
  deriveGlobalBatch(plan);

  // LR, and `--scale_lr`: lr × gradient_accumulation_steps × train_batch_size × num_processes.
  const lr = number('learning_rate', false, defaults.lr);
  if (lr && hiddenBy('scale_lr')) {
    notes.push(`${hiddenBy('scale_lr')} may pass --scale_lr, which multiplies the LR by accumulation × batch × processes: the LR is unknown`);
  } else if (lr && args.has('scale_lr') && args.get('scale_lr')?.value === true) {
    if (plan.microBatchSize && plan.gradAccumSteps && N !== undefined) {
      const k = plan.gradAccumSteps.value * plan.microBatchSize.value * N;
      plan.peakLr = { ...derived(lr.value * k, `--learning_rate ${formatSci(lr.value)} × ${formatCount(plan.gradAccumSteps.value)} × ${formatCount(plan.microBatchSize.value)} × ${formatCount(N)} (--scale_lr: accumulation × batch × processes)`), key: lr.key, range: lr.range, file: lr.file };
    } else {
      notes.push('--scale_lr multiplies the LR by accumulation × batch × processes, which are not all known: the LR is unknown');
    }
  } else if (lr) {
    plan.peakLr = lr;
  }
  const opt = args.str('optimizer');
  const eightBit = args.get('use_8bit_adam')?.value === true;
  const optimizer =
    opt ?? (hiddenBy('optimizer') ? undefined : eightBit ? defaultSetting('AdamW8bit', '--use_8bit_adam') : hiddenBy('use_8bit_adam') ? undefined : defaultSetting('AdamW', '--optimizer', 'torch.optim.AdamW unless --use_8bit_adam or --optimizer'));
  if (optimizer) plan.optimizer = optimizer;
  const sched = args.str('lr_scheduler') ?? (hiddenBy('lr_scheduler') ? undefined : defaultSetting(defaults.scheduler ?? D.lrScheduler, '--lr_scheduler', 'the script\'s argparse default'));
  if (sched) plan.scheduler = sched;

  // Run length in optimizer steps: --max_train_steps wins; else epochs × steps per epoch.
  const maxSteps = number('max_train_steps', true, undefined);
  const epochs = number('num_train_epochs', true, defaults.epochs);
  if (maxSteps) {
    plan.totalSteps = withUnit(maxSteps, 'steps');
    if (epochs?.origin === 'explicit') notes.push(`--max_train_steps wins over --num_train_epochs ${formatCount(epochs.value)} (the script recomputes the epochs from it)`);
  } else if (epochs && !hiddenBy('max_train_steps')) {
    plan.epochs = withUnit(epochs, 'epochs');
    const samples = plan.datasetSamples;
    if (samples && plan.microBatchSize && plan.gradAccumSteps && N) {
      const batches = Math.ceil(samples.value / plan.microBatchSize.value);
      const spe = Math.ceil(Math.ceil(batches / N) / plan.gradAccumSteps.value);
      plan.stepsPerEpoch = derived(spe, `ceil(ceil(ceil(${formatCount(samples.value)} / ${formatCount(plan.microBatchSize.value)}) / ${formatCount(N)}) / ${formatCount(plan.gradAccumSteps.value)})`, 'steps');
      plan.totalSteps = derived(spe * epochs.value, `${formatCount(spe)} steps/epoch × ${formatCount(epochs.value)} epochs`, 'steps');
    } else {
      missing.push({ field: 'totalSteps', hint: 'pass --max_train_steps, or set assume.datasetSamples (images) for --num_train_epochs' });
    }
  }

  // Warmup and decay horizon as the scheduler sees them, in optimizer steps (research §5.3).
  const warmupArg = args.get('lr_warmup_steps');
  const warmup = number('lr_warmup_steps', true, D.lrWarmupSteps);
  const convention = Object.hasOwn(CONVENTIONS, script) ? CONVENTIONS[script] : KANDINSKY.test(script) && /kandinsky/.test(cmd.script ?? '') ? 'GAS' : undefined;
  const G = plan.gradAccumSteps?.value;
  if (!sched) {
    // The scheduler is unknown, and with it whether the warmup is read and where the decay ends.
  } else if (sched.value === 'constant') {
    if (warmupArg && warmup && warmup.value > 0) {
      ignored.push({
        key: warmupArg.written,
        range: warmupArg.range,
        message: `${warmupArg.written} ${warmupArg.text} is ignored: --lr_scheduler constant${sched.origin === 'default' ? ' (the default)' : ''} returns before reading the warmup, so the LR starts at its peak; use --lr_scheduler constant_with_warmup (or another scheduler) to warm up`,
        data: { warmup: warmup.value, scheduler: 'constant' },
      });
    }
  } else if (warmup) {
    const scaled = scale(convention, N, G, warmup.value, `${warmup.key} ${formatCount(warmup.value)}`, script);
    if (scaled) {
      plan.warmupSteps =
        scaled.value === warmup.value || scaled.value <= 0
          ? withUnit(warmup, 'steps')
          : {
              ...derived(scaled.value, scaled.how, 'steps'),
              key: warmup.key,
              ...(warmup.range ? { range: warmup.range, file: warmup.file } : {}),
              // Advice gives the flag's value, which the script scales the same way.
              writtenAs: { unit: 'steps as the script reads them', perStep: warmup.value / scaled.value, value: warmup.value },
            };
    } else notes.push(scaledUnknown(script, N));
    const noDecay = DECAYING.has(sched.value) && plan.totalSteps && scaled && N !== undefined ? warmupCoversHorizon({ convention, N, G, warmup, total: plan.totalSteps, scaled: scaled.value, sched, script }) : undefined;
    if (noDecay) {
      // The warmup ends after the scheduler's horizon: no decay phase, so no decay horizon to compare with the run.
      ignored.push({ key: sched.key ?? '--lr_scheduler', range: sched.range ?? warmupArg?.range ?? cmd.range, ...noDecay });
    } else if (DECAYING.has(sched.value) && plan.totalSteps) {
      const horizon = scale(convention, N, G, plan.totalSteps.value, `${plan.totalSteps.key ?? 'the run'} ${formatCount(plan.totalSteps.value)}`, script);
      if (horizon) {
        // No flag sets this horizon: the script derives it from the run length (no key, so no flag is advised).
        plan.decaySteps =
          horizon.value === plan.totalSteps.value
            ? { ...plan.totalSteps }
            : { ...derived(horizon.value, horizon.how, 'steps'), range: sched.range ?? cmd.range, file: file.path, advice: horizonFix(convention, N, G, script) };
      }
    }
  }

  const ckpt = number('checkpointing_steps', true, D.checkpointingSteps);
  if (ckpt) plan.saveEverySteps = withUnit(ckpt, 'steps');
  const val = number('validation_steps', true, undefined);
  if (val) plan.evalEverySteps = withUnit(val, 'steps');

  // Precision: the script's --mixed_precision wins over the launcher's (AcceleratorState).
  const scriptMp = args.str('mixed_precision');
  const launcherMp = cmd.launcherArgs.find((a) => a.flag === '--mixed_precision' || a.flag === '--mixed-precision');
  if (scriptMp) plan.precision = scriptMp;
  else if (launcherMp?.value && !hiddenBy('mixed_precision')) plan.precision = { value: launcherMp.value, origin: 'launcher', file: file.path, key: launcherMp.flag, range: argRange(launcherMp) };
  if (scriptMp && launcherMp?.value && launcherMp.value !== scriptMp.value) {
    ignored.push({
      key: launcherMp.flag,
      range: argRange(launcherMp),
      message: `accelerate launch ${launcherMp.flag} ${launcherMp.value} is overridden by the script's --mixed_precision ${scriptMp.value}, which the Accelerator takes first; keep one of them`,
      data: { launcher: launcherMp.value, script: scriptMp.value },
    });
  }

  // train_dreambooth.py: accumulation with the text encoder is refused on several processes.
  if (script === 'train_dreambooth.py' && args.get('train_text_encoder')?.value === true && G !== undefined && G > 1 && N !== undefined && N > 1) {
    conflicts.push({
      kind: 'text-encoder-accumulation',
      range: args.get('gradient_accumulation_steps')?.range ?? cmd.range,
      message: `--train_text_encoder with --gradient_accumulation_steps ${formatCount(G)} on ${formatCount(N)} processes: train_dreambooth.py refuses to start ("Gradient accumulation is not supported when training the text encoder in distributed training"); use accumulation 1 or one process`,
    });
  }

  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'pass accelerate launch --num_processes N, or set assume.worldSize in .trainlint.yml' });
  const unlisted = (flag: string, by: string | undefined) => (by ? `${by} may set ${flag}: write ${flag} on the command` : `pass ${flag} (the default of ${script} is not in trainlint's table)`);
  if (!plan.microBatchSize) missing.push({ field: 'microBatchSize', hint: unlisted('--train_batch_size', args.setBy('train_batch_size')) });
  if (!plan.peakLr && !args.has('scale_lr')) missing.push({ field: 'peakLr', hint: unlisted('--learning_rate', args.setBy('learning_rate') ?? args.setBy('scale_lr')) });
  notes.push(...hidden.notes("the script's"));
  // Past the horizon (transformers' schedules, which diffusers' get_scheduler returns): the cosine climbs back,
  // linear and cosine_with_restarts return 0 (max(0, …), `if progress >= 1.0: return 0.0`), polynomial holds lr_end.
  const afterDecay = sched?.value === 'cosine' ? 'rises' : sched?.value === 'linear' || sched?.value === 'cosine_with_restarts' ? 'zero' : sched?.value === 'polynomial' ? 'flat' : undefined;
  return { plan, missing, anchor: cmd.range, notes, conflicts, ignored, ...(afterDecay ? { afterDecay } : {}) };
}

/** A count in scheduler steps turned into optimizer steps under a script's convention. */
function scale(convention: 'N' | 'GAS' | 'none' | undefined, N: number | undefined, G: number | undefined, value: number, what: string, script: string): { value: number; how: string } | undefined {
  if (convention === 'N') return { value, how: `${what} (${script} multiplies it by the process count for accelerate's scheduler stepping)` };
  if (N === undefined) return undefined;
  // One process and no accumulation: every convention gives the value as written.
  if (N === 1 && G === 1) return { value, how: what };
  if (convention === 'GAS' && G !== undefined) {
    return { value: (value * G) / N, how: `${what} × accumulation ${formatCount(G)} / ${formatCount(N)} processes (${script} multiplies by the accumulation and accelerate steps the scheduler ${formatCount(N)} times per optimizer step)` };
  }
  if (convention === 'none') return { value: value / N, how: `${what} / ${formatCount(N)} processes (${script} passes it as written and accelerate steps the scheduler ${formatCount(N)} times per optimizer step)` };
  return undefined;
}

interface CoverInput {
  convention: 'N' | 'GAS' | 'none' | undefined;
  N: number;
  G: number | undefined;
  warmup: Setting<number>;
  total: Setting<number>;
  /** The warmup in optimizer steps (scale()). */
  scaled: number;
  sched: Setting<string>;
  script: string;
}

/**
 * A script that does not multiply by the process count (convention B or C), on more processes than it
 * scales by: it gives the scheduler `--lr_warmup_steps` and the run length in the same ticks, and accelerate
 * steps it N ticks per optimizer step, so a warmup at least the run length (`--lr_warmup_steps` 500, the
 * default, against `--max_train_steps` 300) ends inside the run but after the scheduler's horizon. The
 * schedule then has no decay: transformers' linear returns max(0, (T − t) / max(1, T − W)) = 0,
 * cosine_with_restarts 0 (progress ≥ 1), polynomial its lr_end, and cosine 0.5·(1 + cos(π·(t − W))) (the
 * denominator max(1, T − W) is 1): its peak or 0 by the parity of the tick (research §5.3, §5.5 rule 4).
 * Undefined when the warmup is shorter than the horizon, or outlasts the run (warmup-exceeds-training's).
 */
function warmupCoversHorizon(x: CoverInput): Omit<IgnoredSetting, 'key' | 'range'> | undefined {
  const { convention, N, warmup, total, scaled, sched, script } = x;
  const G = x.G ?? 1;
  if (convention === 'N' || convention === undefined || warmup.value < total.value || scaled >= total.value) return undefined;
  const perTick = convention === 'GAS' ? G : 1;
  const W = warmup.value * perTick;
  const T = total.value * perTick;
  const tail = total.value - scaled;
  const last = `the last ${formatCount(tail)} optimizer steps (${formatPercent(tail / total.value)})`;
  const after = afterWarmup(sched.value, W, N, last);
  const ticks = convention === 'GAS' && G !== 1 ? ` × accumulation ${formatCount(G)}` : '';
  const warmupText = `${warmup.key ?? '--lr_warmup_steps'} ${formatCount(warmup.value)}${warmup.origin === 'default' ? ' (the default)' : ''}`;
  return {
    critical: after.zero,
    message:
      `--lr_scheduler ${sched.value} never decays: ${script} gives the scheduler a warmup of ${warmupText}${ticks}${ticks ? ` = ${formatCount(W)}` : ''} ticks and a horizon of ${total.key ?? 'the run'} ${formatCount(total.value)}${ticks}${ticks ? ` = ${formatCount(T)}` : ''} ticks, ` +
      `and accelerate steps it ${formatCount(N)} ticks per optimizer step on ${formatCount(N)} processes, so the LR rises for ${formatCount(scaled)} optimizer steps and then ${after.text}; ` +
      `set --lr_warmup_steps well below ${total.key ?? 'the run length'} ${formatCount(total.value)} (5%: ${formatCount(Math.max(1, Math.round(total.value * 0.05)))}), and ${horizonFix(convention, N, G, script)}, or the decay still ends at step ${formatCount((total.value * perTick) / N)}`,
    data: { reason: 'warmup-covers-horizon', warmupTicks: W, horizonTicks: T, warmupSteps: scaled, totalSteps: total.value, afterWarmup: after.kind },
  };
}

/** What the LR does once a warmup that covers the horizon ends, by scheduler (see warmupCoversHorizon). */
function afterWarmup(sched: string, W: number, N: number, last: string): { text: string; zero: boolean; kind: string } {
  if (sched === 'linear') return { text: `drops to 0 for ${last} (linear's max(0, (horizon − tick) / 1)), so those steps change nothing`, zero: true, kind: 'zero' };
  if (sched === 'cosine_with_restarts') return { text: `drops to 0 for ${last} (its progress is past 1), so those steps change nothing`, zero: true, kind: 'zero' };
  if (sched === 'polynomial') return { text: `drops to lr_end (1e-7) for ${last}, so those steps change almost nothing`, zero: true, kind: 'lr_end' };
  // cosine: 0.5·(1 + cos(π·k)) at tick W + k: the peak for an even k, 0 for an odd one; N ticks per optimizer step.
  const why = `(0.5·(1 + cos(π·k)) at ${formatCount(W)} + k ticks, k advancing ${formatCount(N)} per optimizer step)`;
  if (N % 2 === 1) return { text: `jumps between its peak and 0 every optimizer step for ${last} ${why}, never decaying`, zero: false, kind: 'alternating' };
  if (W % 2 === 0) return { text: `stays at its peak for ${last} ${why}: the run trains as constant_with_warmup`, zero: false, kind: 'peak' };
  return { text: `stays at 0 for ${last} ${why}, so those steps change nothing`, zero: true, kind: 'zero' };
}

/** What makes a script's derived decay horizon the run length, when its convention does not (research §5.3). */
function horizonFix(convention: 'N' | 'GAS' | 'none' | undefined, N: number | undefined, G: number | undefined, script: string): string {
  const instead = 'or use a script that multiplies by the process count (train_text_to_image.py, train_dreambooth.py …)';
  if (convention === 'GAS' && G !== undefined && N !== undefined) {
    return `${script} scales the horizon by accumulation / processes: make them equal (${formatCount(G)} process${G === 1 ? '' : 'es'}, or --gradient_accumulation_steps ${formatCount(N)}), ${instead}`;
  }
  return `${script} passes the run length as written while accelerate steps the scheduler once per process: launch one process, ${instead}`;
}

function scaledUnknown(script: string, N: number | undefined): string {
  return N === undefined
    ? 'the process count is unknown, so the warmup and decay in optimizer steps are unknown (accelerate steps the scheduler once per process per optimizer step)'
    : `${script}: how it passes --lr_warmup_steps and the run length to the scheduler on ${formatCount(N)} processes is not in trainlint's table (×processes, ×accumulation or as written), so the warmup and decay in optimizer steps are unknown`;
}

export const diffusers: Dialect = {
  meta: {
    id: 'diffusers',
    formats: ['shell'],
    title: 'diffusers example scripts',
    description: 'accelerate launch train_*.py commands of the Hugging Face diffusers examples (dreambooth, text_to_image, controlnet, LoRA …)',
    yamlLoader: 'pyyaml',
  },
  detect(file) {
    if (file.format !== 'shell') return 0;
    return Math.max(0, ...commands(file).map(commandScore));
  },
  extract(file, env) {
    const cmds = commands(file);
    const cmd = cmds[0];
    if (!cmd) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no diffusers training command found'] };
    const out = extractCommand(file, cmd, env);
    if (cmds.length > 1) out.notes.push(`${cmds.length} diffusers training commands in this script; the first (line ${cmd.range.line}) is linted`);
    return out;
  },
};
