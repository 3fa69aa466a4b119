/**
 * LitGPT (Lightning-AI/litgpt) `config_hub` YAML: the arguments of `litgpt pretrain` and
 * `litgpt finetune_{lora,full,adapter}`, parsed by jsonargparse (CLI `--config file.yaml`).
 * Semantics read from litgpt source (frameworks.md has no LitGPT section):
 *  - args.py TrainArgs: global_batch_size is "samples between optimizer steps across data-parallel
 *    ranks"; gradient_accumulation_iters = global_batch_size // (devices × num_nodes) // micro_batch_size
 *    (some older scripts pass only `devices`).
 *  - pretrain.py: max_iters = (max_tokens // world_size) // (micro_batch_size × max_seq_length) micro-steps;
 *    lr_warmup_steps counts optimizer steps (warmup_iters = lr_warmup_steps × accumulation); cosine decay to
 *    min_lr at the end; checkpoints every save_interval and evals every eval.interval optimizer steps.
 *  - finetune/{lora,full}.py: total = min(epochs × steps_per_epoch, max_steps) with
 *    steps_per_epoch = len(train_dataloader) // accumulation; linear warmup then cosine annealing.
 *
 * YAML loader: jsonargparse reads YAML with PyYAML's SafeLoader but REPLACES its float resolver with
 * one that accepts `4e-4` (jsonargparse/_loaders_dumpers.py, DefaultLoader), and it coerces values to
 * the annotated types. `lr: 4e-4` is therefore a float, as with OmegaConf: loader 'omegaconf'.
 */
import { applyAssumptions, defaultSetting, derived, derivedFrom, numberAt, stringAt, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { getIn, hasKey } from '../engine/tree.js';
import type { KeyPath, Range, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, MissingField } from './types.js';
import { litgptDatasets } from './dataset-refs.js';
import { detectFacts, keyGroup } from './detect-facts.js';

const LOADER = 'omegaconf';

type Script = 'pretrain' | 'finetune';

/**
 * setup() defaults of the two script families (pretrain.py @e570612, finetune/lora.py @c16c72c and
 * finetune/full.py @0077627). They change between LitGPT releases; config_hub files set them all.
 */
export const LITGPT_DEFAULTS: Record<Script, { globalBatchSize: number; microBatchSize: number; lrWarmupSteps: number; saveInterval: number; evalInterval?: number; minLr: number; devices: number | 'auto' }> = {
  pretrain: { globalBatchSize: 512, microBatchSize: 4, lrWarmupSteps: 2000, saveInterval: 1000, evalInterval: 1000, minLr: 4e-5, devices: 'auto' },
  // eval.interval differs: 100 (lora.py) vs 600 (full.py); left unknown when unset.
  finetune: { globalBatchSize: 16, microBatchSize: 1, lrWarmupSteps: 100, saveInterval: 1000, minLr: 6e-5, devices: 1 },
};
/** torch.optim.AdamW's default lr, used when `optimizer: AdamW` gives no init_args. */
const TORCH_ADAMW_LR = 1e-3;

/** TrainArgs fields; two of them under `train:` mark a LitGPT config. */
const TRAIN_KEYS = ['global_batch_size', 'micro_batch_size', 'lr_warmup_steps', 'lr_warmup_fraction', 'save_interval', 'max_tokens', 'max_seq_length', 'tie_embeddings', 'log_interval'];
/** Top-level arguments of the litgpt scripts. */
const TOP_KEYS = ['checkpoint_dir', 'out_dir', 'devices', 'num_nodes', 'precision', 'model_name', 'initial_checkpoint_dir', 'tokenizer_dir', 'logger_name', 'quantize'];
const TOP_GROUP = keyGroup(TOP_KEYS);
const TRAIN_GROUP = keyGroup(['train']);

function scriptOf(file: SourceFile): Script {
  const has = (k: string) => hasKey(file.tree, k);
  return has('checkpoint_dir') || has('lora_r') ? 'finetune' : has('model_name') || has('model_config') || numberAt(file, ['train', 'max_tokens'], LOADER) ? 'pretrain' : 'finetune';
}

/** A positive integer device count, or undefined for "auto" / -1 (all visible GPUs). */
function deviceCount(file: SourceFile, script: Script): { setting?: Setting<number>; text: string } {
  const explicit = numberAt(file, ['devices'], LOADER);
  if (explicit && explicit.value > 0) return { setting: explicit, text: formatCount(explicit.value) };
  const written = stringAt(file, ['devices'])?.value;
  if (written !== undefined) return { text: written };
  const fallback = LITGPT_DEFAULTS[script].devices;
  return typeof fallback === 'number' ? { setting: defaultSetting(fallback, 'devices', `${script} default`), text: String(fallback) } : { text: `${fallback} (default)` };
}

export const litgpt: Dialect = {
  meta: {
    id: 'litgpt',
    formats: ['yaml'],
    title: 'LitGPT',
    description: 'LitGPT config_hub YAML for litgpt pretrain / finetune_lora / finetune_full (jsonargparse)',
    yamlLoader: LOADER,
    yamlLoaderName: "jsonargparse (litgpt's CLI; PyYAML SafeLoader)",
    // jsonargparse applies `--trainer.devices 8` / `--a.b=value` after `--config` over the file: argparse's form, dotted keys nested.
    launchOverrides: ['argparse'],
    schema: 'litgpt.schema.json',
  },
  datasets: litgptDatasets,
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format !== 'yaml' || !facts.root) return 0;
    const train = facts.some(TRAIN_GROUP) ? facts.map('train') : undefined;
    if (!train) return 0;
    const trainHits = TRAIN_KEYS.filter((k) => hasKey(train, k)).length;
    if (trainHits < 2 || !facts.some(TOP_GROUP)) return 0;
    return 6 + Math.min(3, trainHits - 1);
  },
  extract(file, env) {
    const plan: TrainingPlan = {};
    const missing: MissingField[] = [];
    const notes: string[] = [];
    const script = scriptOf(file);
    const D = LITGPT_DEFAULTS[script];
    const num = (...path: KeyPath) => numberAt(file, path, LOADER);
    const dflt = (value: number, key: string) => defaultSetting(value, key, `litgpt ${script} default (varies between LitGPT versions)`);
    notes.push(`read as a litgpt ${script} config`);

    // World size = devices × num_nodes (Fabric); "auto" means every visible GPU.
    const devices = deviceCount(file, script);
    const nodes = num('num_nodes') ?? defaultSetting(1, 'num_nodes');
    if (devices.setting) {
      plan.worldSize =
        nodes.value === 1
          ? devices.setting
          : { ...derived(devices.setting.value * nodes.value, `devices ${formatCount(devices.setting.value)} × num_nodes ${formatCount(nodes.value)}`), file: file.path, key: 'devices', range: devices.setting.range };
    } else {
      notes.push(`devices = ${devices.text}: Fabric uses every visible GPU, so the world size comes from the machine`);
    }

    plan.microBatchSize = withUnit(num('train', 'micro_batch_size') ?? dflt(D.microBatchSize, 'train.micro_batch_size'), 'samples');
    plan.globalBatchSize = withUnit(num('train', 'global_batch_size') ?? dflt(D.globalBatchSize, 'train.global_batch_size'), 'samples');
    const epochs = num('train', 'epochs');
    if (epochs) plan.epochs = epochs;
    if (script === 'pretrain') plan.minLr = num('train', 'min_lr') ?? dflt(D.minLr, 'train.min_lr');
    else if (num('train', 'min_lr')) {
      // finetune/{lora,full}.py get_lr_scheduler: CosineAnnealingLR(T_max=…) without eta_min in the
      // releases checked (c16c72c, 01fe959); others may read it, so the minimum stays unknown.
      notes.push('train.min_lr is not passed to the finetune scripts\' CosineAnnealingLR in the LitGPT releases checked (they anneal to 0), so the minimum LR is left unknown');
    }
    plan.scheduler = defaultSetting('cosine', 'built-in lr schedule', 'litgpt always uses linear warmup then cosine decay (not configurable)');
    precisionAndOptimizer(file, plan, notes);

    // Sequence length: train.max_seq_length; pretraining falls back to the model's block_size.
    const seq = num('train', 'max_seq_length') ?? num('model_config', 'block_size');
    if (seq) plan.seqLen = withUnit(seq, 'tokens', script === 'finetune' ? 'upper bound: finetuning uses min(longest sample, max_seq_length)' : undefined);

    const save = num('train', 'save_interval');
    if (save) plan.saveEverySteps = withUnit(save, 'steps');
    else if (getIn(file.tree, ['train', 'save_interval'])) notes.push('train.save_interval is null: no periodic checkpoints (only the final one)');
    else plan.saveEverySteps = withUnit(dflt(D.saveInterval, 'train.save_interval'), 'steps');
    const evalEvery = num('eval', 'interval') ?? (D.evalInterval !== undefined ? dflt(D.evalInterval, 'eval.interval') : undefined);
    if (evalEvery) plan.evalEverySteps = withUnit(evalEvery, 'steps');

    applyAssumptions(plan, env.assume);
    accumulation(plan, notes);
    duration(file, plan, notes, missing, script);
    const conflicts: Conflict[] = [];
    warmup(file, plan, { notes, missing, conflicts }, script, D.lrWarmupSteps);

    if (!plan.worldSize) {
      missing.push({ field: 'worldSize', hint: 'set devices (and num_nodes) to numbers, or assume.worldSize in .trainlint.yml' });
    }
    // finetune/*.py and pretrain.py save a final checkpoint after the loop and, with
    // eval.final_validation (default true), validate once more.
    const finalValidation = getIn(file.tree, ['eval', 'final_validation'])?.node;
    const atRunEnd = {
      save: 'litgpt saves a final checkpoint',
      eval: finalValidation?.kind === 'scalar' && finalValidation.value === false ? false : 'litgpt validates once at the end (eval.final_validation)',
    } as const;
    return { plan, missing, anchor: fileStartRange(file), notes, conflicts, globalBatchRounding: 'floor', atRunEnd };
  },
};

/** args.py: accumulation = global_batch_size // (devices × num_nodes) // micro_batch_size (floor, must be > 0). */
function accumulation(plan: TrainingPlan, notes: string[]): void {
  const { globalBatchSize: global, microBatchSize: micro, worldSize: world } = plan;
  if (!global || !micro || !world) return;
  const perRank = Math.floor(global.value / world.value);
  const accum = Math.floor(perRank / micro.value);
  if (accum < 1) {
    notes.push(
      `global_batch_size ${formatCount(global.value)} // world ${formatCount(world.value)} // micro_batch_size ${formatCount(micro.value)} = 0: litgpt asserts gradient_accumulation_iters > 0 and stops`,
    );
    return;
  }
  plan.gradAccumSteps = derived(
    accum,
    `${formatCount(global.value)} // ${formatCount(world.value)} // ${formatCount(micro.value)} (global_batch_size // world size // micro_batch_size)`,
    'steps',
  );
  if (accum * micro.value * world.value !== global.value) {
    notes.push(
      `litgpt floors the accumulation: the run steps every ${formatCount(accum * micro.value * world.value)} samples, not global_batch_size ${formatCount(global.value)}`,
    );
  }
}

/** Total optimizer steps: max_tokens (pretrain), or min(epochs × steps/epoch, max_steps) (finetune). */
function duration(file: SourceFile, plan: TrainingPlan, notes: string[], missing: MissingField[], script: Script): void {
  const maxSteps = numberAt(file, ['train', 'max_steps'], LOADER);
  const maxTokens = numberAt(file, ['train', 'max_tokens'], LOADER);
  const { microBatchSize: micro, worldSize: world, gradAccumSteps: accum, seqLen, globalBatchSize: global } = plan;

  if (script === 'pretrain') {
    if (maxSteps || plan.epochs) notes.push('litgpt pretrain rejects train.max_steps and train.epochs (validate_args); training length comes from train.max_tokens');
    const tokens = maxTokens ?? defaultSetting(3e12, 'train.max_tokens', 'litgpt pretrain default (3 trillion)');
    if (!seqLen) {
      missing.push({ field: 'totalSteps', hint: 'set train.max_seq_length (the model block size is not in this file), or assume.totalSteps in .trainlint.yml' });
      return;
    }
    const T = tokens.value;
    const L = seqLen.value;
    if (micro && world && accum) {
      // pretrain.py: max_iters = (max_tokens // world) // (micro × seq) micro-steps; one optimizer step per `accum`.
      const iters = Math.floor(Math.floor(T / world.value) / (micro.value * L));
      plan.totalSteps = derived(
        Math.floor(iters / accum.value),
        `(${formatCount(T)} // ${formatCount(world.value)}) // (${formatCount(micro.value)} × ${formatCount(L)}) = ${formatCount(iters)} micro-steps // ${formatCount(accum.value)} (max_tokens per rank / tokens per micro-step / accumulation)`,
        'steps',
      );
    } else if (global) {
      plan.totalSteps = derived(
        Math.floor(T / (global.value * L)),
        `${formatCount(T)} // (${formatCount(global.value)} × ${formatCount(L)}) (max_tokens / (global_batch_size × max_seq_length))`,
        'steps',
      );
      plan.totalSteps.note = 'assumes global_batch_size is a multiple of world size × micro_batch_size; exact count needs the world size';
    }
    return;
  }

  if (maxTokens) notes.push('litgpt finetune scripts reject train.max_tokens (validate_args)');
  // finetune: steps/epoch = len(dataloader) // accumulation, len(dataloader) = ceil(ceil(N / world) / micro).
  const { datasetSamples: samples, epochs } = plan;
  if (samples && micro && world && accum) {
    const batches = Math.ceil(Math.ceil(samples.value / world.value) / micro.value);
    const spe = Math.floor(batches / accum.value);
    const how = `ceil(ceil(${formatCount(samples.value)} / ${formatCount(world.value)}) / ${formatCount(micro.value)}) // ${formatCount(accum.value)}`;
    plan.stepsPerEpoch = derived(spe, how, 'steps');
    if (epochs) {
      const byEpochs = epochs.value * spe;
      if (maxSteps && maxSteps.value < byEpochs) plan.totalSteps = { ...maxSteps, unit: 'steps', note: `max_steps ends the run before ${formatCount(epochs.value)} epochs (${formatCount(byEpochs)} steps)` };
      else plan.totalSteps = derived(byEpochs, `${formatCount(epochs.value)} × ${how}`, 'steps');
      return;
    }
  }
  if (maxSteps) {
    plan.totalSteps = { ...maxSteps, unit: 'steps', ...(epochs ? { note: `upper bound: train.epochs ${formatCount(epochs.value)} may end the run first (total = min(epochs × steps/epoch, max_steps))` } : {}) };
    return;
  }
  if (epochs) {
    missing.push({ field: 'datasetSamples', hint: 'set assume.datasetSamples (and assume.worldSize) in .trainlint.yml to turn train.epochs into optimizer steps, or set train.max_steps' });
  } else {
    notes.push('litgpt finetune scripts require train.epochs or train.max_steps');
  }
}

/** A setting's key in this file, or the file's start when a launch flag gives it (the report then points at the command). */
function inThisFile(file: SourceFile, setting: Setting): Range {
  return setting.file === file.path && setting.range ? setting.range : fileStartRange(file);
}

/** Warmup in optimizer steps: lr_warmup_steps, or lr_warmup_fraction of an EPOCH (not of training). */
function warmup(
  file: SourceFile,
  plan: TrainingPlan,
  out: { notes: string[]; missing: MissingField[]; conflicts: Conflict[] },
  script: Script,
  fallback: number,
): void {
  const { notes, missing, conflicts } = out;
  const steps = numberAt(file, ['train', 'lr_warmup_steps'], LOADER);
  const fraction = numberAt(file, ['train', 'lr_warmup_fraction'], LOADER);
  if (steps && steps.value > 0) {
    plan.warmupSteps = withUnit(steps, 'steps');
    if (fraction && fraction.value > 0 && fraction.range) {
      // args.py TrainArgs.__post_init__ raises ValueError.
      conflicts.push({
        kind: 'warmup-steps-and-ratio',
        range: inThisFile(file, fraction),
        message: `train.lr_warmup_fraction ${fraction.value} and train.lr_warmup_steps ${formatCount(steps.value)} are both set: litgpt raises "Can't provide both … Choose one" at startup; set one of them to null`,
      });
    }
    return;
  }
  if (fraction && fraction.value > 0) {
    if (script === 'finetune') notes.push('litgpt finetune scripts reject train.lr_warmup_fraction (validate_args)');
    if (!getIn(file.tree, ['train', 'lr_warmup_steps'])) {
      if (fraction.range) {
        conflicts.push({
          kind: 'warmup-steps-and-ratio',
          range: inThisFile(file, fraction),
          message: `train.lr_warmup_fraction ${fraction.value} is set but train.lr_warmup_steps is not written, so the script default (${formatCount(fallback)} steps) is set too: litgpt raises "Can't provide both … Choose one" at startup; write lr_warmup_steps: null`,
        });
      }
    }
    // args.py warmup_iters: ceil(fraction × len(train_dataloader)) micro-steps (a fraction of one epoch).
    const { datasetSamples: samples, microBatchSize: micro, worldSize: world, gradAccumSteps: accum } = plan;
    if (samples && micro && world && accum) {
      const batches = Math.ceil(Math.ceil(samples.value / world.value) / micro.value);
      const iters = Math.ceil(fraction.value * batches);
      plan.warmupSteps = {
        ...derivedFrom(
          fraction,
          Math.ceil(iters / accum.value),
          `ceil(ceil(${fraction.value} × ${formatCount(batches)} micro-batches per epoch) / ${formatCount(accum.value)}) (lr_warmup_fraction is a fraction of one epoch)`,
          'steps',
        ),
        fractionOf: { fraction: fraction.value, of: `one epoch (${formatCount(batches)} micro-batches)`, ofSteps: batches / accum.value },
      };
    } else {
      missing.push({ field: 'warmupSteps', hint: 'train.lr_warmup_fraction is a fraction of one epoch: set assume.datasetSamples and assume.worldSize in .trainlint.yml, or use train.lr_warmup_steps' });
    }
    return;
  }
  if (steps) {
    plan.warmupSteps = withUnit(steps, 'steps');
    return;
  }
  const written = getIn(file.tree, ['train', 'lr_warmup_steps']);
  if (written) {
    // `lr_warmup_steps: null` (no fraction either): args.py warmup_iters returns 0.
    plan.warmupSteps = { value: 0, origin: 'explicit', unit: 'steps', file: file.path, key: 'train.lr_warmup_steps', range: written.keyRange, note: 'null: no warmup' };
    return;
  }
  plan.warmupSteps = { ...defaultSetting(fallback, 'train.lr_warmup_steps', `litgpt ${script} default (varies between LitGPT versions)`), unit: 'steps' };
}

/** precision (Fabric string, e.g. "bf16-true") and the optimizer (class_path + init_args.lr, or a name). */
function precisionAndOptimizer(file: SourceFile, plan: TrainingPlan, notes: string[]): void {
  const precision = stringAt(file, ['precision']);
  if (precision) plan.precision = precision;
  else notes.push('precision is not set: litgpt picks bf16 when the GPU supports it (get_default_supported_precision)');

  const opt = getIn(file.tree, ['optimizer']);
  const classPath = stringAt(file, ['optimizer', 'class_path']);
  const name = opt?.node.kind === 'scalar' ? stringAt(file, ['optimizer']) : undefined;
  if (classPath) plan.optimizer = { ...classPath, value: classPath.value.replace(/^torch\.optim\./, '') };
  else if (name) plan.optimizer = name;
  else if (!opt) plan.optimizer = defaultSetting('AdamW', 'optimizer', 'litgpt default');

  const lr = numberAt(file, ['optimizer', 'init_args', 'lr'], LOADER);
  if (lr) {
    plan.peakLr = lr;
  } else if (/^(?:torch\.optim\.)?AdamW$/.test(plan.optimizer?.value ?? '')) {
    plan.peakLr = defaultSetting(TORCH_ADAMW_LR, 'optimizer.init_args.lr', 'torch.optim.AdamW default lr');
  }
}
