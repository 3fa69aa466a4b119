/**
 * kohya-ss sd-scripts (`train_network.py`, `sdxl_train_network.py`, `flux_train_network.py`,
 * `train_db.py`, `fine_tune.py`, …) and the kohya_ss GUI (bmaltais). Three file shapes:
 *   - training-argument TOML (`--config_file x.toml`): every table is flattened into one argparse
 *     namespace (the last duplicate wins) and keys argparse does not know are kept silently;
 *   - launch scripts: `accelerate launch [--num_processes N] train_network.py --flag value …`;
 *   - kohya_ss GUI presets and saved configs (JSON): GUI names (`epoch`, `lr_warmup` as a percentage,
 *     `optimizer`), numbers often written as strings.
 * Facts: research/frameworks-wave2-vision.md §6 (`library/train_util.py` @48d368f:
 * `read_config_from_file`, `get_scheduler_fix`, `prepare_accelerator`; kohya_ss `kohya_gui/*_gui.py`).
 *
 * The traps: an unknown TOML key is ignored; an integer `lr_warmup_steps` lasts 1/N of its steps on N
 * GPUs (the scheduler is stepped N times per optimizer step and only the total is multiplied by N), a
 * float is a ratio of the total (so `100.0` is 10000%); `max_train_steps` defaults to 1600;
 * `mixed_precision` defaults to "no" and that default wins over `accelerate launch --mixed_precision`.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { overrideOf } from '../engine/launch-overrides.js';
import { argValue, launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, argRange, defaultSetting, derived, deriveGlobalBatch, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatFractionDown, formatPercent, formatSci } from '../engine/format-number.js';
import { type MapNode } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { argsFromFlags, argsFromTree, FlatArgs, Unwritten, type FlatArg } from './flat-args.js';
import { likelyTypo } from './key-typos.js';
import type { Conflict, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { HiddenFlags } from './hidden-flags.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** `library/train_util.py` argparse defaults (research §6.2). */
export const KOHYA_DEFAULTS = {
  trainBatchSize: 1,
  gradientAccumulationSteps: 1,
  learningRate: 2e-6,
  lrScheduler: 'constant',
  lrWarmupSteps: 0,
  maxTrainSteps: 1600,
  mixedPrecision: 'no',
  optimizer: 'AdamW',
};

/** The sd-scripts training scripts (kohya-ss/sd-scripts, repository root). */
const SCRIPTS = new Set([
  'train_network.py', 'sdxl_train_network.py', 'flux_train_network.py', 'sd3_train_network.py', 'lumina_train_network.py',
  'anima_train_network.py', 'hunyuan_image_train_network.py', 'train_db.py', 'fine_tune.py', 'sdxl_train.py', 'sd3_train.py',
  'flux_train.py', 'lumina_train.py', 'anima_train.py', 'train_textual_inversion.py', 'train_textual_inversion_XTI.py',
  'sdxl_train_textual_inversion.py', 'sdxl_train_control_net_lllite.py', 'sdxl_train_control_net.py', 'flux_train_control_net.py',
  'train_control_net.py',
]);
/** Flags only sd-scripts has; they tell its `train_controlnet.py` from diffusers' one. */
export const KOHYA_ONLY_FLAGS = [
  'network_module', 'network_dim', 'network_alpha', 'network_args', 'max_train_epochs', 'save_every_n_epochs', 'config_file',
  'dataset_config', 'optimizer_type', 'save_model_as', 'output_name', 'cache_latents', 'lr_scheduler_num_cycles', 'save_precision',
  'max_data_loader_n_workers', 'full_bf16', 'full_fp16', 'unet_lr', 'train_data_dir', 'sample_every_n_epochs', 'conditioning_data_dir',
];

/**
 * sd-scripts argument names (train_util.py add_*_arguments, train_network.py, sdxl/flux/sd3 utils,
 * config_util, custom_train_functions, deepspeed_utils). Keys outside this list are reported only
 * when they are GUI names or look like a typo of one of these: model-specific scripts add flags.
 */
export const KOHYA_KEYS = new Set([
  // models
  'v2', 'v_parameterization', 'pretrained_model_name_or_path', 'tokenizer_cache_dir', 'vae', 'clip_l', 'clip_g', 't5xxl', 'ae',
  'no_half_vae', 'weights', 'base_weights', 'base_weights_multiplier',
  // output and saving
  'output_dir', 'output_name', 'huggingface_repo_id', 'huggingface_repo_type', 'huggingface_path_in_repo', 'huggingface_token',
  'huggingface_repo_visibility', 'save_state_to_huggingface', 'resume_from_huggingface', 'async_upload', 'save_precision',
  'save_every_n_epochs', 'save_every_n_steps', 'save_n_epoch_ratio', 'save_last_n_epochs', 'save_last_n_epochs_state',
  'save_last_n_steps', 'save_last_n_steps_state', 'save_state', 'save_state_on_train_end', 'resume', 'save_model_as',
  'use_safetensors', 'training_comment', 'metadata_title', 'metadata_author', 'metadata_description', 'metadata_license',
  'metadata_tags', 'no_metadata', 'save_clip', 'save_t5xxl', 'mem_eff_save',
  // training
  'train_batch_size', 'max_token_length', 'mem_eff_attn', 'torch_compile', 'dynamo_backend', 'xformers', 'sdpa', 'vae_batch_size',
  'max_train_steps', 'max_train_epochs', 'max_data_loader_n_workers', 'persistent_data_loader_workers', 'seed',
  'gradient_checkpointing', 'gradient_accumulation_steps', 'mixed_precision', 'full_fp16', 'full_bf16', 'fp8_base', 'fp8_base_unet',
  'ddp_timeout', 'ddp_gradient_as_bucket_view', 'ddp_static_graph', 'clip_skip', 'logging_dir', 'log_with', 'log_prefix',
  'log_tracker_name', 'wandb_run_name', 'log_tracker_config', 'wandb_api_key', 'log_config', 'noise_offset',
  'noise_offset_random_strength', 'multires_noise_iterations', 'ip_noise_gamma', 'ip_noise_gamma_random_strength',
  'multires_noise_discount', 'adaptive_noise_scale', 'zero_terminal_snr', 'min_timestep', 'max_timestep', 'loss_type',
  'huber_schedule', 'huber_c', 'huber_scale', 'lowram', 'highvram', 'sample_every_n_steps', 'sample_at_first',
  'sample_every_n_epochs', 'sample_prompts', 'sample_sampler', 'config_file', 'output_config', 'prior_loss_weight',
  'min_snr_gamma', 'scale_v_pred_loss_like_noise_pred', 'v_pred_like_loss', 'debiased_estimation_loss', 'weighted_captions',
  'masked_loss', 'deepspeed', 'zero_stage', 'offload_optimizer_device', 'offload_optimizer_nvme_path', 'offload_param_device',
  'offload_param_nvme_path', 'zero3_init_flag', 'zero3_save_16bit_model', 'fp16_master_weights_and_gradients', 'cpu_offload_checkpointing',
  'blocks_to_swap', 'validate_every_n_steps', 'validate_every_n_epochs', 'max_validation_steps', 'validation_seed', 'validation_split',
  'skip_cache_check', 'disable_mmap_load_safetensors', 'fused_backward_pass', 'fused_optimizer_groups', 'train_text_encoder',
  'learning_rate_te1', 'learning_rate_te2', 'stop_text_encoder_training', 'no_token_padding', 'cache_text_encoder_outputs',
  'cache_text_encoder_outputs_to_disk', 'text_encoder_batch_size', 'timestep_sampling', 'sigmoid_scale', 'model_prediction_type',
  'discrete_flow_shift', 'guidance_scale', 'apply_t5_attn_mask', 't5xxl_max_token_length', 'weighting_scheme', 'logit_mean',
  'logit_std', 'mode_scale', 'split_mode', 'train_blocks', 'blockwise_fused_optimizers',
  // optimizer and scheduler
  'optimizer_type', 'use_8bit_adam', 'use_lion_optimizer', 'learning_rate', 'max_grad_norm', 'optimizer_args', 'lr_scheduler_type',
  'lr_scheduler_args', 'lr_scheduler', 'lr_warmup_steps', 'lr_decay_steps', 'lr_scheduler_num_cycles', 'lr_scheduler_power',
  'lr_scheduler_timescale', 'lr_scheduler_min_lr_ratio', 'optimizer_schedulefree_wrapper', 'schedulefree_wrapper_args',
  // dataset
  'train_data_dir', 'cache_info', 'shuffle_caption', 'caption_separator', 'caption_extension', 'caption_extention', 'keep_tokens',
  'keep_tokens_separator', 'secondary_separator', 'enable_wildcard', 'caption_prefix', 'caption_suffix', 'color_aug', 'flip_aug',
  'face_crop_aug_range', 'random_crop', 'debug_dataset', 'resolution', 'cache_latents', 'cache_latents_to_disk', 'enable_bucket',
  'min_bucket_reso', 'max_bucket_reso', 'bucket_reso_steps', 'bucket_no_upscale', 'token_warmup_min', 'token_warmup_step',
  'alpha_mask', 'dataset_class', 'caption_dropout_rate', 'caption_dropout_every_n_epochs', 'caption_tag_dropout_rate',
  'reg_data_dir', 'in_json', 'dataset_repeats', 'dataset_config', 'conditioning_data_dir',
  // networks (train_network.py)
  'cpu', 'no_metadata', 'unet_lr', 'text_encoder_lr', 'fp8_base_unet', 'network_weights', 'network_module', 'network_dim',
  'network_alpha', 'network_dropout', 'network_args', 'network_train_unet_only', 'network_train_text_encoder_only',
  'training_comment', 'dim_from_weights', 'scale_weight_norms', 'base_weights', 'no_half_vae', 'skip_until_initial_step',
  'initial_epoch', 'initial_step', 'loraplus_lr_ratio', 'loraplus_unet_lr_ratio', 'loraplus_text_encoder_lr_ratio',
  // textual inversion
  'token_string', 'init_word', 'num_vectors_per_token', 'use_object_template', 'use_style_template',
]);

/** kohya_ss GUI names that sd-scripts does not read (the GUI translates them; in a TOML they are ignored). */
const GUI_ONLY: Record<string, { meaning: string; critical?: boolean }> = {
  epoch: { meaning: 'the GUI turns it into max_train_steps; sd-scripts reads max_train_epochs', critical: true },
  lr_warmup: { meaning: 'a percentage of max_train_steps in the GUI; sd-scripts reads lr_warmup_steps' },
  optimizer: { meaning: 'sd-scripts reads optimizer_type' },
  learning_rate_te: { meaning: 'sd-scripts reads text_encoder_lr', critical: true },
  max_resolution: { meaning: 'sd-scripts reads resolution' },
  LoRA_type: { meaning: 'the GUI turns it into network_module and network_args' },
  conv_dim: { meaning: 'the GUI passes it inside network_args' },
  conv_alpha: { meaning: 'the GUI passes it inside network_args' },
  stop_text_encoder_training_pct: { meaning: 'sd-scripts reads stop_text_encoder_training (steps)' },
  num_processes: { meaning: 'an accelerate launch option' },
  num_machines: { meaning: 'an accelerate launch option' },
  multi_gpu: { meaning: 'an accelerate launch option' },
  gpu_ids: { meaning: 'an accelerate launch option' },
  num_cpu_threads_per_process: { meaning: 'an accelerate launch option' },
  main_process_port: { meaning: 'an accelerate launch option' },
  extra_accelerate_launch_args: { meaning: 'an accelerate launch option' },
  sdxl: { meaning: 'the GUI picks sdxl_train_network.py with it' },
  model_list: { meaning: 'a GUI field' },
  train_on_input: { meaning: 'the GUI passes it inside network_args' },
  use_wandb: { meaning: 'sd-scripts reads log_with' },
};

/** Keys another framework uses for the LR or the run length: in a kohya TOML they are ignored. */
const FOREIGN: Record<string, string> = {
  epochs: 'max_train_epochs',
  num_train_epochs: 'max_train_epochs',
  max_steps: 'max_train_steps',
  lr: 'learning_rate',
  warmup_steps: 'lr_warmup_steps',
  warmup_ratio: 'lr_warmup_steps (a float below 1 is a ratio)',
  batch_size: 'train_batch_size',
};
const CRITICAL_KEYS = new Set(['learning_rate', 'unet_lr', 'text_encoder_lr', 'max_train_steps', 'max_train_epochs', 'learning_rate_te1', 'learning_rate_te2']);

/** Top-level tables of the kohya_ss GUI's own settings file (`config example.toml`), not a training config. */
const GUI_SETTINGS_TABLES = ['settings', 'server', 'configuration', 'folders', 'accelerate_launch'];
/** Keys of a dataset config (`--dataset_config`: `[general]`, `[[datasets]]`, `[[datasets.subsets]]`). */
const DATASET_KEYS = new Set([
  'shuffle_caption', 'caption_extension', 'keep_tokens', 'resolution', 'batch_size', 'enable_bucket', 'bucket_no_upscale', 'flip_aug',
  'color_aug', 'caption_dropout_rate', 'caption_tag_dropout_rate', 'keep_tokens_separator', 'secondary_separator', 'enable_wildcard',
  'validation_seed', 'validation_split', 'num_repeats', 'image_dir', 'class_tokens', 'min_bucket_reso', 'max_bucket_reso',
  'bucket_reso_steps', 'caption_prefix', 'caption_suffix', 'random_crop', 'alpha_mask', 'cache_info', 'interpolation_type',
]);
/** Keys that only a training-argument file has (in any of the three shapes). */
const TRAINING_KEYS = [
  'network_module', 'network_dim', 'network_alpha', 'optimizer_type', 'optimizer_args', 'lr_warmup_steps', 'lr_scheduler_num_cycles',
  'max_train_epochs', 'max_train_steps', 'save_every_n_epochs', 'save_model_as', 'output_name', 'pretrained_model_name_or_path',
  'mixed_precision', 'save_precision', 'train_batch_size', 'unet_lr', 'text_encoder_lr', 'full_bf16', 'full_fp16', 'fp8_base',
  'max_data_loader_n_workers', 'persistent_data_loader_workers', 'cache_latents', 'dataset_config', 'xformers', 'sdpa', 'min_snr_gamma',
  'noise_offset', 'sample_every_n_epochs', 'sample_prompts', 'gradient_checkpointing', 'clip_skip', 'network_args', 'vae_batch_size',
];

type Form = 'toml' | 'cli' | 'gui';

interface Source {
  form: Form;
  args: FlatArgs;
  anchor: Range;
  cmd?: LaunchCommand;
  /** `--config_file x.toml` on the command line: keys not written there come from the TOML. */
  configFile?: string;
}

/** An sd-scripts training script name (`train_controlnet.py` is not: diffusers has one too). */
export function isKohyaScript(name: string): boolean {
  return SCRIPTS.has(name);
}

function scriptName(cmd: LaunchCommand): string {
  const s = cmd.script ?? '';
  return s.slice(s.lastIndexOf('/') + 1);
}

function commandScore(cmd: LaunchCommand): number {
  if (cmd.launcher === 'none') return 0;
  const name = scriptName(cmd);
  const flags = new Set(cmd.args.map((a) => a.flag.replace(/^-+/, '')));
  const only = KOHYA_ONLY_FLAGS.filter((f) => flags.has(f)).length;
  if (SCRIPTS.has(name)) return 10;
  // `train_controlnet.py` is a script name in both sd-scripts and diffusers: the flags decide.
  if (name.endsWith('.py') && only >= 2) return 8;
  return 0;
}

function kohyaCommands(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter((c) => commandScore(c) > 0);
}

function tables(root: MapNode): Set<string> {
  return new Set(root.entries.filter((e) => e.value.kind === 'map').map((e) => e.key));
}

function tomlScore(file: SourceFile): number {
  const root = file.tree;
  if (!root || root.kind !== 'map') return 0;
  const tbl = tables(root);
  if (GUI_SETTINGS_TABLES.some((t) => tbl.has(t))) return 0;
  const args = argsFromTree(file, 'pydantic', true);
  const keys = [...args.map.keys()];
  // A dataset config (`[[datasets]]`, `[general]` with dataset keys only) is not a training config.
  if (root.entries.some((e) => e.key === 'datasets')) return 0;
  const training = TRAINING_KEYS.filter((k) => args.has(k)).length;
  if (training === 0 || keys.every((k) => DATASET_KEYS.has(k))) return 0;
  const known = keys.filter((k) => KOHYA_KEYS.has(k)).length;
  if (training >= 2 || (training >= 1 && known >= 3)) return 5 + Math.min(4, training);
  return 0;
}

/** Keys only the kohya_ss GUI's presets have. */
const GUI_KEYS = ['LoRA_type', 'lr_warmup', 'epoch', 'max_resolution', 'stop_text_encoder_training_pct', 'num_cpu_threads_per_process'];

const GUI_GROUP = keyGroup(GUI_KEYS);
const TRAINING_GROUP = keyGroup(TRAINING_KEYS);

function guiScore(facts: DetectFacts): number {
  if (!facts.root) return 0;
  return facts.count(GUI_GROUP) >= 2 && facts.count(TRAINING_GROUP) >= 2 ? 9 : 0;
}

function sourceOf(file: SourceFile): Source | undefined {
  if (file.format === 'shell') {
    const cmd = kohyaCommands(file)[0];
    if (!cmd) return undefined;
    const args = argsFromFlags(file, cmd.args);
    const cfg = args.get('config_file');
    return { form: 'cli', args, anchor: cmd.range, cmd, ...(cfg && typeof cfg.value === 'string' ? { configFile: cfg.value } : {}) };
  }
  if (file.format === 'json') return { form: 'gui', args: argsFromTree(file, 'pydantic'), anchor: fileStartRange(file) };
  return { form: 'toml', args: argsFromTree(file, 'pydantic', true), anchor: fileStartRange(file) };
}

// ── Extraction ────────────────────────────────────────────────────────────────────────────

/** A GUI number: numbers, numeric strings ("1", "1e-6"); '' and 0 mean "not set" for some keys. */
function guiNumber(args: FlatArgs, key: string): Setting<number> | undefined {
  const a = args.get(key);
  if (!a || a.value === '' || a.value === null) return undefined;
  return args.num(key);
}

/**
 * A value the launch command writes over the TOML (`--lr_warmup_steps 0.05` after `--config_file x.toml`:
 * `parse_args(namespace=config_args)`, so the command line wins): findings about it point at the TOML's start
 * and name the flag and the script; its plan values point at the flag.
 */
function launchedFlag(a: FlatArg | undefined) {
  return a ? overrideOf(a.node) : undefined;
}

/** An argument as a message names it: `train.lr_warmup_steps 100`, or `--lr_warmup_steps 100 (the launch command at go.sh:1)`. */
function named(a: FlatArg): string {
  const o = launchedFlag(a);
  return o ? `${o.flag} ${o.text} (${o.where})` : `${a.written} ${a.text}`;
}

/** Where a finding about an argument points in this file: its key, or the run's anchor for a command-line flag. */
function rangeIn(a: FlatArg, src: Source): Range {
  return launchedFlag(a) ? src.anchor : a.range;
}

/**
 * Whether the command line alone shows a problem: every argument involved is a flag after --config_file. The
 * script's own plan reports it at the flag, so the TOML's launched view does not repeat it.
 */
function shownByCommand(...involved: (FlatArg | undefined)[]): boolean {
  return involved.every((a) => a !== undefined && launchedFlag(a) !== undefined);
}

/** Where a plan value derived from an argument is written: the TOML key, or the command's flag. */
function writtenAt(a: FlatArg, args: FlatArgs): { key: string; range: Range; file: string } {
  const o = launchedFlag(a);
  return o ? { key: o.flag, range: o.range, file: o.file } : { key: a.written, range: a.range, file: args.file.path };
}

function extractSource(file: SourceFile, src: Source, env: ExtractEnv): Extraction {
  const { args, form } = src;
  const D = KOHYA_DEFAULTS;
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const ignored: IgnoredSetting[] = [];
  const conflicts: Conflict[] = [];
  const unwritten = new Unwritten(src.configFile !== undefined ? { flag: '--config_file', path: src.configFile } : undefined, 'sd-scripts default (train_util.py)');
  // A flag the command does not write, which an opaque `$EXTRA_ARGS` (or the unknown end of an array a branch
  // appends to) may set: unknown, not sd-scripts' default.
  const hidden = new HiddenFlags();
  const hiddenBy = (key: string): string | undefined => hidden.record(`--${key}`, args.setBy(key));
  /** A written number, else the default (or unknown when `--config_file` or an opaque word may set it). */
  const num = (key: string, fallback: number | undefined): Setting<number> | undefined => {
    const written = form === 'gui' ? guiNumber(args, key) : args.num(key);
    if (written) return written;
    if (args.get(key)?.opaque || hiddenBy(key)) return undefined;
    return unwritten.value(key, fallback);
  };
  const str = (key: string, fallback: string | undefined): Setting<string> | undefined => {
    const w = args.str(key);
    if (w && w.value !== '') return w;
    if (hiddenBy(key)) return undefined;
    return unwritten.value(key, fallback);
  };

  // World size: the launcher (a linked script, `accelerate launch --num_processes`), or the GUI's own launch fields.
  if (src.cmd) {
    const w = launcherWorldSize(src.cmd);
    if (w) plan.worldSize = { value: w.value, origin: 'launcher', file: file.path, key: w.key, range: w.range, how: w.how };
  } else if (form === 'gui') {
    const multi = args.bool('multi_gpu');
    const procs = guiNumber(args, 'num_processes');
    const ids = args.get('gpu_ids');
    if (multi && procs) plan.worldSize = { ...procs, how: `multi_gpu with num_processes ${formatCount(procs.value)} (the GUI's accelerate launch)` };
    else if (multi && ids && typeof ids.value === 'string' && /^\d+(?:,\d+)*$/.test(ids.value)) {
      plan.worldSize = { ...args.setting(ids, ids.value.split(',').length), how: `gpu_ids ${ids.value}` };
    } else if (multi === false || (procs && procs.value === 1)) plan.worldSize = { ...(procs ?? defaultSetting(1, 'multi_gpu')), value: 1, how: 'multi_gpu false: one process' };
  }
  applyAssumptions(plan, env.assume);
  const N = plan.worldSize?.value;

  const micro = num('train_batch_size', D.trainBatchSize);
  if (micro) plan.microBatchSize = withUnit(micro, 'samples');
  const accum = num('gradient_accumulation_steps', D.gradientAccumulationSteps);
  if (accum) plan.gradAccumSteps = accum;
  if (args.isSet('dataset_config')) {
    notes.push('dataset_config: a `[[datasets]] batch_size` there overrides train_batch_size (sd-scripts falls back subset → dataset → general → argparse)');
  }
  deriveGlobalBatch(plan);

  // LR: a network's unet_lr replaces learning_rate for the U-Net (the bulk of the parameters).
  const unet = num('unet_lr', undefined);
  // An opaque word that may pass --unet_lr may replace learning_rate for the U-Net: the LR is unknown.
  const lr = unet && unet.value > 0 ? { ...unet, note: 'unet_lr: the LR of the U-Net parameters (learning_rate covers the rest)' } : args.setBy('unet_lr') ? undefined : num('learning_rate', D.learningRate);
  if (lr) plan.peakLr = lr;
  const opt = form === 'gui' ? args.str('optimizer') : str('optimizer_type', undefined);
  if (args.bool('use_8bit_adam') && opt && opt.value !== '' && form !== 'gui') {
    conflicts.push({ kind: 'optimizer', range: opt.file === file.path && opt.range ? opt.range : src.anchor, message: `use_8bit_adam with optimizer_type ${opt.value}: sd-scripts refuses to start (get_optimizer asserts only one is given); keep optimizer_type only (AdamW8bit)` });
  }
  const optimizer =
    opt && opt.value !== ''
      ? opt
      : args.bool('use_8bit_adam')
        ? { ...defaultSetting('AdamW8bit', 'use_8bit_adam') }
        : src.configFile === undefined && !hiddenBy('optimizer_type') && !hiddenBy('use_8bit_adam')
          ? defaultSetting(D.optimizer, 'optimizer_type', 'sd-scripts default')
          : undefined;
  if (optimizer) plan.optimizer = optimizer;
  const scheduler = str('lr_scheduler', D.lrScheduler);
  if (scheduler) plan.scheduler = scheduler;

  // Run length: max_train_epochs (when set) overrides max_train_steps (default 1600).
  const epochs = num('max_train_epochs', undefined);
  const stepsWritten = form === 'gui' ? guiNumber(args, 'max_train_steps') : args.num('max_train_steps');
  const guiEpoch = form === 'gui' ? guiNumber(args, 'epoch') : undefined;
  if (epochs && epochs.value > 0) {
    plan.epochs = withUnit(epochs, 'epochs');
    const a = args.get('max_train_steps');
    if (stepsWritten && stepsWritten.value > 0 && a && !shownByCommand(a, args.get('max_train_epochs'))) {
      ignored.push({
        key: a.written,
        range: rangeIn(a, src),
        critical: true,
        message: `${launchedFlag(a) ? named(a) : `max_train_steps ${a.text}`} is overridden by max_train_epochs ${formatCount(epochs.value)}: sd-scripts recomputes the steps from the epochs ("override steps"); remove one of them`,
        data: { maxTrainSteps: stepsWritten.value, maxTrainEpochs: epochs.value },
      });
    }
    const samples = plan.datasetSamples;
    if (samples && plan.microBatchSize && plan.gradAccumSteps && N) {
      const batches = Math.ceil(samples.value / plan.microBatchSize.value);
      const spe = Math.ceil(batches / N / plan.gradAccumSteps.value);
      plan.stepsPerEpoch = derived(spe, `ceil(ceil(${formatCount(samples.value)} / ${formatCount(plan.microBatchSize.value)}) / ${formatCount(N)} / ${formatCount(plan.gradAccumSteps.value)})`, 'steps');
      plan.totalSteps = derived(spe * epochs.value, `${formatCount(spe)} steps/epoch × max_train_epochs ${formatCount(epochs.value)}`, 'steps');
    } else {
      missing.push({ field: 'totalSteps', hint: 'max_train_epochs needs the number of images × repeats: set assume.datasetSamples' });
    }
  } else if (form === 'gui' && !(stepsWritten && stepsWritten.value > 0)) {
    // The GUI computes max_train_steps from the image folders × epoch; without them it is unknown.
    if (guiEpoch) plan.epochs = withUnit(guiEpoch, 'epochs');
    notes.push('the kohya_ss GUI computes max_train_steps from the image folders (repeats × images / batch × epoch); set assume.totalSteps to lint the schedule');
    if (args.isSet('dataset_config')) notes.push('with a dataset_config the GUI skips that computation and sd-scripts trains its default 1600 steps unless max_train_steps is set');
  } else if (!epochs && hiddenBy('max_train_epochs')) {
    // max_train_epochs overrides max_train_steps, and an opaque word may set it: the run length is unknown.
  } else {
    const total = stepsWritten && stepsWritten.value > 0 ? stepsWritten : num('max_train_steps', D.maxTrainSteps);
    if (total) plan.totalSteps = withUnit(total, 'steps');
  }
  if (!plan.totalSteps && env.assume.totalSteps !== undefined) applyAssumptions(plan, { totalSteps: env.assume.totalSteps });

  hiddenBy('lr_warmup_steps');
  warmup(src, plan, N, ignored, conflicts, notes);

  // Checkpoints: save_every_n_steps, or save_every_n_epochs × steps per epoch; the final model is always saved.
  const saveSteps = form === 'gui' ? guiNumber(args, 'save_every_n_steps') : args.num('save_every_n_steps');
  const saveEpochs = form === 'gui' ? guiNumber(args, 'save_every_n_epochs') : args.num('save_every_n_epochs');
  if (saveSteps && saveSteps.value > 0) plan.saveEverySteps = withUnit(saveSteps, 'steps');
  else if (saveEpochs && saveEpochs.value > 0 && plan.stepsPerEpoch) {
    plan.saveEverySteps = { ...derived(saveEpochs.value * plan.stepsPerEpoch.value, `save_every_n_epochs ${formatCount(saveEpochs.value)} × ${formatCount(plan.stepsPerEpoch.value)} steps/epoch`, 'steps'), key: saveEpochs.key, range: saveEpochs.range, file: saveEpochs.file };
  }
  const validate = args.num('validate_every_n_steps');
  if (validate && validate.value > 0) plan.evalEverySteps = withUnit(validate, 'steps');

  hiddenBy('mixed_precision');
  precision(src, plan, ignored, conflicts);
  if (form === 'toml') unknownKeys(args, ignored, plan);

  const fromToml = unwritten.note();
  if (fromToml) notes.push(fromToml);
  notes.push(...hidden.notes("sd-scripts'"));
  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'launch with accelerate launch --num_processes N (a committed script naming this config), or set assume.worldSize' });
  return {
    plan,
    missing,
    anchor: src.anchor,
    notes,
    conflicts,
    ignored,
    // diffusers' schedulers (get_scheduler): linear and cosine end at 0 at the horizon, which is the run.
    afterDecay: 'flat',
  };
}

/** `get_scheduler_fix`: an int is steps (÷ N on N GPUs), a float is a ratio of the total; constant rejects any warmup. */
function warmup(src: Source, plan: TrainingPlan, N: number | undefined, ignored: IgnoredSetting[], conflicts: Conflict[], notes: string[]): void {
  const { args, form } = src;
  const total = plan.totalSteps;
  const sched = plan.scheduler?.value;
  let written: FlatArg | undefined;
  let steps: number | undefined;
  let how = '';
  let ratio: number | undefined;
  if (form === 'gui') {
    const abs = guiNumber(args, 'lr_warmup_steps');
    const pct = guiNumber(args, 'lr_warmup');
    if (abs && abs.value > 0) {
      written = args.get('lr_warmup_steps');
      steps = abs.value;
      how = `lr_warmup_steps ${formatCount(abs.value)}`;
    } else if (pct && pct.value > 0) {
      written = args.get('lr_warmup');
      const datasetConfig = args.isSet('dataset_config');
      if (datasetConfig && total) {
        // Every kohya_gui version read: with a dataset_config and max_train_steps,
        // lr_warmup_steps = round(int(lr_warmup) × max_train_steps / 100), passed as an int.
        steps = Math.round((Math.trunc(pct.value) * total.value) / 100);
        how = `round(lr_warmup ${formatCount(pct.value)}% × ${formatCount(total.value)} / 100) (with a dataset_config the GUI passes an integer)`;
      } else if (!datasetConfig) {
        // The current GUI (kohya_gui/*_gui.py "# Calculate lr_warmup_steps") passes lr_warmup / 100, a ratio of the run.
        ratio = pct.value / 100;
        notes.push(`lr_warmup ${formatCount(pct.value)}%: read as the current kohya_ss GUI passes it, lr_warmup_steps ${formatCount(ratio)} (a ratio of the run, right on any GPU count); older GUIs (their lora_gui.py computes round(lr_warmup × max_train_steps / 100) for every run) pass an integer, which lasts 1/N of its steps on N GPUs`);
      } else {
        notes.push(`lr_warmup ${formatCount(pct.value)}% with a dataset_config: the GUI passes round(lr_warmup × max_train_steps / 100) only when max_train_steps is set, which it is not here`);
      }
    }
  } else {
    written = args.get('lr_warmup_steps');
    if (!written && (src.configFile !== undefined || args.setBy('lr_warmup_steps'))) return;
    if (written && written.value !== null && written.value !== undefined) {
      const raw = written.value;
      const text = String(written.text);
      if (typeof raw === 'number' && form === 'toml' && !launchedFlag(written)) {
        // TOML keeps the type: `isinstance(…, float)` decides between a ratio and a count.
        const isFloat = !Number.isInteger(raw) || /[.eE]/.test(text);
        if (isFloat) ratio = raw;
        else steps = raw;
      } else {
        const t = String(raw).trim();
        // int_or_float (CLI): "5%" and "0.05" are ratios, "100" a count.
        if (/^\d+(?:\.\d+)?%$/.test(t)) ratio = Number(t.slice(0, -1)) / 100;
        else if (/^\d+$/.test(t)) steps = Number(t);
        else if (/^\d*\.\d+$/.test(t) && Number(t) < 1) ratio = Number(t);
        else notes.push(`${launchedFlag(written) ? named(written) : `lr_warmup_steps ${t}`}: sd-scripts' int_or_float rejects it at start-up`);
      }
      if (steps !== undefined) how = `${launchedFlag(written) ? launchedFlag(written)!.flag : 'lr_warmup_steps'} ${formatCount(steps)}`;
    }
  }
  const warmupValue = ratio !== undefined ? ratio : (steps ?? 0);
  const needless = sched === 'constant' || sched === 'adafactor' || args.isSet('lr_scheduler_type');
  if (needless && warmupValue > 0 && written && ratio !== undefined) {
    // get_scheduler_fix turns a ratio into int(ratio × max_train_steps × N) scheduler ticks before the check.
    const ticks = ratioTicks(ratio, total?.value, N);
    if (ticks === undefined) {
      notes.push(`${named(written)} with lr_scheduler ${sched}: sd-scripts refuses to start unless int(${ratio} × max_train_steps × GPUs) is 0, and ${total ? 'the GPU count' : 'max_train_steps'} is unknown here`);
      return;
    }
    if (ticks === 0) {
      notes.push(`${named(written)} with lr_scheduler ${sched}: int(${ratio} × ${formatCount(total!.value)} × ${formatCount(N ?? 1)}) = 0 scheduler ticks, so there is no warmup and sd-scripts accepts it`);
      return;
    }
  }
  const schedulerArg = args.get('lr_scheduler_type') ?? args.get('lr_scheduler');
  if (needless && warmupValue > 0 && written) {
    if (shownByCommand(written, schedulerArg)) return;
    conflicts.push({
      kind: 'warmup-with-constant',
      range: rangeIn(written, src),
      message: `${named(written)}${ratio !== undefined && total ? ` (int(${ratio} × ${formatCount(total.value)}${N !== undefined ? ` × ${formatCount(N)}` : ''}) = ${formatCount(ratioTicks(ratio, total.value, N) ?? 0)} scheduler ticks${N === undefined ? ' on one GPU, more on more' : ''})` : ''} with lr_scheduler ${args.isSet('lr_scheduler_type') ? `type ${args.str('lr_scheduler_type')?.value}` : sched}${plan.scheduler?.origin === 'default' ? ' (default)' : ''}: sd-scripts refuses to start ("${sched} does not require num_warmup_steps. Set None or 0."); use lr_scheduler constant_with_warmup, or remove the warmup`,
      data: { warmup: warmupValue, scheduler: sched },
    });
    return;
  }
  if (ratio !== undefined && form === 'gui') {
    guiRatioWarmup(args, written!, ratio, plan);
    return;
  }
  if (ratio !== undefined) {
    plan.warmupRatio = withUnit(args.setting(written!, ratio), 'ratio');
    if (ratio >= 1) {
      notes.push(`lr_warmup_steps ${written!.text} is a TOML float, so sd-scripts reads it as a ratio of the run (${formatPercent(ratio)}), not a step count; write an integer for steps`);
    }
    if (total) {
      // int(lr_warmup_steps × max_train_steps × N) scheduler ticks = int(ratio × total) optimizer steps.
      const w = Math.floor(ratio * total.value);
      // Advice keeps the ratio form the file uses (a float: a share of the run).
      plan.warmupSteps = {
        ...derived(w, `int(${ratio} × ${formatCount(total.value)}) (a float warmup is a ratio of the run)`, 'steps'),
        ...writtenAt(written!, args),
        fractionOf: { fraction: ratio, of: 'the run', ofSteps: total.value },
      };
    }
    return;
  }
  if (steps === undefined || steps <= 0 || !written) return;
  // Advice is written back in the key's unit: the GUI's lr_warmup is a percentage of max_train_steps, and an
  // integer counts scheduler ticks (N per optimizer step on N GPUs).
  const percent = form === 'gui' && written.key === 'lr_warmup' && total && total.value > 0 ? 100 / total.value : undefined;
  const ticks = N !== undefined && N > 1 ? N : 1;
  const writtenAs = percent !== undefined || ticks > 1 ? { writtenAs: { unit: percent !== undefined ? '%' : 'scheduler ticks', perStep: (percent ?? 1) * ticks } } : {};
  // An integer warmup counts scheduler ticks, and accelerate steps the scheduler N times per optimizer step.
  if (N !== undefined && N > 1) {
    const eff = steps / N;
    plan.warmupSteps = {
      ...derived(eff, `${how} / ${formatCount(N)} GPUs: the scheduler is stepped ${formatCount(N)} times per optimizer step and only the total is multiplied by ${formatCount(N)}`, 'steps'),
      ...writtenAt(written, args),
      ...writtenAs,
    };
    if (shownByCommand(written)) return;
    ignored.push({
      key: written.written,
      range: rangeIn(written, src),
      message: form === 'gui' ? guiWarmupMessage(written, steps, N, total) : `${named(written)} lasts ${formatCount(eff)} optimizer steps on ${formatCount(N)} GPUs, not ${formatCount(steps)}: sd-scripts multiplies the total steps by the GPU count but not an integer warmup; write it as a ratio (${total && steps < total.value ? `${formatFractionDown(steps / total.value)}) or as ${formatCount(steps * N)}` : 'a float below 1)'}`,
      data: { written: steps, effective: eff, worldSize: N },
    });
  } else {
    plan.warmupSteps = { ...args.setting(written, steps), unit: 'steps', ...(form === 'gui' ? { origin: 'derived' as const, how } : {}), ...writtenAs };
  }
}

/**
 * The GUI's `lr_warmup` percentage as the current GUI passes it: `lr_warmup / 100`, a float that sd-scripts reads as a
 * ratio of the run (`int(ratio × max_train_steps × N)` ticks = `int(ratio × max_train_steps)` optimizer steps on any
 * GPU count). Advice stays in the key's unit, a percentage of max_train_steps.
 */
function guiRatioWarmup(args: FlatArgs, written: FlatArg, ratio: number, plan: TrainingPlan): void {
  const total = plan.totalSteps;
  const pct = formatCount(ratio * 100);
  plan.warmupRatio = { ...derived(ratio, `lr_warmup ${pct}% / 100 (the current kohya_ss GUI passes it as a ratio of the run)`, 'ratio'), ...writtenAt(written, args) };
  if (!total || total.value <= 0) return;
  plan.warmupSteps = {
    ...derived(Math.floor(ratio * total.value), `int(lr_warmup ${pct}% / 100 × ${formatCount(total.value)}) (the current GUI passes a ratio of the run)`, 'steps'),
    ...writtenAt(written, args),
    writtenAs: { unit: '%', perStep: 100 / total.value },
  };
}

/**
 * The scheduler ticks a ratio warmup gives (`int(ratio × max_train_steps × N)`, get_scheduler_fix), when known:
 * with the GPU count unknown, only a count that is at least 1 on one GPU (and so on any number).
 */
function ratioTicks(ratio: number, total: number | undefined, N: number | undefined): number | undefined {
  if (total === undefined) return undefined;
  const ticks = Math.trunc(ratio * total * (N ?? 1));
  return N === undefined && ticks === 0 ? undefined : ticks;
}

/**
 * The GUI's warmup on N GPUs, advised in the key's own unit. `lr_warmup` is a whole percentage of max_train_steps
 * (the GUI passes `round(int(lr_warmup) × max_train_steps / 100)` as an integer lr_warmup_steps, so a ratio such
 * as 0.1 becomes no warmup): the same share of the run in optimizer steps is N times the percentage. Past 100%
 * (the GUI's slider ends there) the advice is the GUI's lr_warmup_steps, which it passes as written.
 */
function guiWarmupMessage(written: FlatArg, ticks: number, N: number, total: Setting<number> | undefined): string {
  const eff = ticks / N;
  const cause = `sd-scripts multiplies the total steps by the GPU count but not the integer lr_warmup_steps the GUI passes`;
  if (written.key === 'lr_warmup' && total) {
    const pct = Number(written.value);
    const lasts = `${written.written} ${written.text} (${formatCount(pct)}% of max_train_steps ${formatCount(total.value)} = ${formatCount(ticks)} scheduler ticks) lasts ${formatCount(eff)} optimizer steps on ${formatCount(N)} GPUs, not ${formatCount(ticks)}: ${cause}`;
    const want = pct * N;
    const wantTicks = Math.round((want * total.value) / 100);
    if (want <= 100) return `${lasts}; write ${written.written}: ${formatCount(want)} (${formatCount(wantTicks)} scheduler ticks = ${formatCount(wantTicks / N)} optimizer steps on ${formatCount(N)} GPUs)`;
    return `${lasts}; that share of the run needs ${formatCount(want)}%, past the GUI's 100%: set lr_warmup_steps: ${formatCount(ticks * N)} instead (scheduler ticks, ${formatCount(ticks)} optimizer steps on ${formatCount(N)} GPUs)`;
  }
  return `${written.written} ${written.text} lasts ${formatCount(eff)} optimizer steps on ${formatCount(N)} GPUs, not ${formatCount(ticks)}: ${cause}; write ${written.written}: ${formatCount(ticks * N)} (scheduler ticks, ${formatCount(ticks)} optimizer steps on ${formatCount(N)} GPUs)`;
}

/** `prepare_accelerator` passes mixed_precision (default "no"), which wins over the launcher's flag. */
function precision(src: Source, plan: TrainingPlan, ignored: IgnoredSetting[], conflicts: Conflict[]): void {
  const { args } = src;
  const written = args.str('mixed_precision');
  const launcherFlag = src.cmd ? src.cmd.launcherArgs.find((a) => a.flag === '--mixed_precision' || a.flag === '--mixed-precision') : undefined;
  if (written && written.value !== '') plan.precision = written;
  else if (src.configFile === undefined && !args.setBy('mixed_precision')) plan.precision = defaultSetting(KOHYA_DEFAULTS.mixedPrecision, 'mixed_precision', 'sd-scripts default: fp32, whatever the launcher says');
  if (launcherFlag?.value && plan.precision && plan.precision.value !== launcherFlag.value && src.configFile === undefined) {
    ignored.push({
      key: launcherFlag.flag,
      range: argRange(launcherFlag),
      message: `accelerate launch ${launcherFlag.flag} ${launcherFlag.value} is overridden: sd-scripts passes its own mixed_precision ${plan.precision.value}${plan.precision.origin === 'default' ? ' (the default)' : ''} to the Accelerator, so the run is ${plan.precision.value === 'no' ? 'fp32' : plan.precision.value}; pass --mixed_precision ${launcherFlag.value} to the script`,
      data: { launcher: launcherFlag.value, script: plan.precision.value },
    });
  }
  const mp = plan.precision?.value;
  for (const [key, need] of [['full_fp16', 'fp16'], ['full_bf16', 'bf16']] as const) {
    if (args.bool(key) && mp !== undefined && mp !== need && !shownByCommand(args.get(key), args.get('mixed_precision'))) {
      conflicts.push({ kind: 'precision', range: rangeIn(args.get(key)!, src), message: `${key} needs mixed_precision ${need}, but it is ${mp}${plan.precision?.origin === 'default' ? ' (the default)' : ''}: sd-scripts refuses to start ("${key} requires mixed precision='${need}'"); set mixed_precision ${need}` });
    }
  }
}

/** TOML keys sd-scripts ignores: GUI names, other frameworks' names, likely typos. */
function unknownKeys(args: FlatArgs, ignored: IgnoredSetting[], plan: TrainingPlan): void {
  const runLength = plan.epochs ? `max_train_epochs ${formatCount(plan.epochs.value)}` : plan.totalSteps ? `max_train_steps ${formatCount(plan.totalSteps.value)}${plan.totalSteps.origin === 'default' ? ' (default)' : ''}` : 'the run length';
  for (const a of args.all) {
    // A flag after --config_file is argparse's to reject (the script's own command line), not a TOML key.
    if (KOHYA_KEYS.has(a.key) || launchedFlag(a)) continue;
    let why: string | undefined;
    let critical = false;
    if (Object.hasOwn(GUI_ONLY, a.key)) {
      why = `a kohya_ss GUI name: ${GUI_ONLY[a.key].meaning}`;
      critical = GUI_ONLY[a.key].critical === true;
    } else if (Object.hasOwn(FOREIGN, a.key)) {
      why = `sd-scripts reads ${FOREIGN[a.key]}`;
      critical = /train_steps|train_epochs|learning_rate/.test(FOREIGN[a.key]);
    } else {
      const near = likelyTypo(a.key, KOHYA_KEYS);
      if (near) {
        why = `did you mean ${near}?`;
        critical = CRITICAL_KEYS.has(near);
      }
    }
    if (!why) continue;
    const effect = critical
      ? /epoch|step/.test(a.key)
        ? `; the run length stays ${runLength}`
        : `; the LR stays ${plan.peakLr ? `${formatSci(plan.peakLr.value)}${plan.peakLr.origin === 'default' ? ' (default)' : ''}` : 'the default'}`
      : a.key === 'optimizer' && plan.optimizer
        ? `; the optimizer stays ${plan.optimizer.value}${plan.optimizer.origin === 'default' ? ' (default)' : ''}`
        : '';
    ignored.push({
      key: a.written,
      range: a.range,
      critical,
      message: `${a.written} is not an sd-scripts argument, so sd-scripts ignores it silently (${why})${effect}`,
      data: { reason: 'unknown-key' },
    });
  }
}

export const kohya: Dialect = {
  meta: {
    id: 'kohya',
    formats: ['shell', 'toml', 'json'],
    title: 'kohya-ss sd-scripts',
    description: 'kohya-ss sd-scripts training TOML, accelerate launch train_network.py … commands, and kohya_ss GUI JSON presets',
    yamlLoader: 'pyyaml',
    schema: 'kohya.schema.json',
    // GUI JSON presets write numbers as strings on purpose (the GUI converts them); a TOML is never GUI JSON,
    // whatever GUI keys are left in it.
    schemaFor: (file) => (file.format === 'json' ? 'kohya-gui.schema.json' : 'kohya.schema.json'),
    // `parser.parse_args(namespace=config_args)`: the flags after `--config_file x.toml` win over the TOML.
    launchOverrides: ['argparse'],
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return Math.max(0, ...kohyaCommands(file).map(commandScore));
    if (file.format === 'toml') return tomlScore(file);
    if (file.format === 'json') return guiScore(facts);
    return 0;
  },
  extract(file, env) {
    const src = sourceOf(file);
    if (!src) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no sd-scripts training command found'] };
    const out = extractSource(file, src, env);
    const cmds = file.format === 'shell' ? kohyaCommands(file) : [];
    if (cmds.length > 1) out.notes.push(`${cmds.length} sd-scripts commands in this script; the first (line ${cmds[0].range.line}) is linted`);
    return out;
  },
};

/** The `--config_file` a kohya command names (for messages and tests). */
export function kohyaConfigFile(cmd: LaunchCommand): string | undefined {
  return argValue(cmd, '--config_file')?.value;
}
