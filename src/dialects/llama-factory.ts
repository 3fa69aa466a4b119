/**
 * LLaMA-Factory (hiyouga/LLaMA-Factory) training YAMLs, run as `llamafactory-cli train x.yaml`.
 * research/frameworks.md §12 (snapshot ff6d4d1).
 *
 * Two generations of config share the repository:
 * - the classic one (`examples/train_*`, `extras`, `megatron*`, `ascend`, `ktransformers/train_*`):
 *   HfArgumentParser fills ModelArguments, DataArguments, TrainingArguments (a subclass of HF
 *   Seq2SeqTrainingArguments), FinetuningArguments and GeneratingArguments, so every HF key keeps
 *   its Trainer meaning (hf-trainer.ts) and LLaMA-Factory adds `stage`, `finetuning_type`,
 *   `cutoff_len` (the sequence length), `max_samples`, `pure_bf16`…;
 * - the experimental v1 API (`examples/v1/**`, `llamafactory/v1/config/*.py`): `model`,
 *   `micro_batch_size`, `global_batch_size`, `cutoff_len`, plugin blocks (`dist_config`…).
 *
 * Both read the YAML with `OmegaConf.load` (hparams/parser.py::read_args), whose resolver
 * types `1e-4` as a float, unlike PyYAML.
 */
import { applyAssumptions, boolAt, defaultSetting, derived, deriveGlobalBatch, numberAt, stringAt, withUnit } from '../engine/plan.js';
import { fileStartRange, type SourceFile } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { getIn, hasKey } from '../engine/tree.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import { extractHfTrainingArguments, HF_AT_RUN_END } from './hf-trainer.js';
import type { Dialect, ExtractEnv, Extraction, MissingField } from './types.js';
import { llamaFactoryDatasets } from './dataset-refs.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

const LOADER = 'omegaconf';

export const LLAMA_FACTORY_DEFAULTS = {
  /** hparams/data_args.py DataArguments.cutoff_len */
  cutoffLen: 2048,
  /** hparams/finetuning_args.py FinetuningArguments */
  stage: 'sft',
  finetuningType: 'lora',
  ppoBufferSize: 1,
  /** v1/config/training_args.py (experimental API) */
  v1: { microBatchSize: 1, learningRate: 1e-4, numTrainEpochs: 3, cutoffLen: 2048, bf16: true },
};

const STAGES = ['pt', 'sft', 'rm', 'ppo', 'dpo', 'kto'];
const FINETUNING_TYPES = ['lora', 'oft', 'freeze', 'full'];
/** Keys no other trainer-argument family has at the top level. */
const LF_KEYS = ['template', 'cutoff_len', 'lora_target', 'plot_loss', 'max_samples', 'finetuning_type', 'stage'];
const HF_KEYS = ['per_device_train_batch_size', 'gradient_accumulation_steps', 'learning_rate', 'num_train_epochs', 'lr_scheduler_type', 'max_steps', 'output_dir'];
/** v1 plugin blocks and keys. */
const V1_KEYS = ['train_dataset', 'model_class', 'dist_config', 'kernel_config', 'peft_config', 'quant_config', 'optim_config', 'lr_scheduler_config', 'batching_strategy'];

function stringValue(file: SourceFile, key: string): string | undefined {
  const hit = getIn(file.tree, [key]);
  return hit?.node.kind === 'scalar' && typeof hit.node.value === 'string' ? hit.node.value : undefined;
}

function isV1(file: SourceFile): boolean {
  const root = file.tree;
  if (!root || root.kind !== 'map') return false;
  if (stringValue(file, 'model') === undefined || !hasKey(root, 'micro_batch_size')) return false;
  return V1_KEYS.some((k) => hasKey(root, k));
}

const LF_GROUP = keyGroup(LF_KEYS);
const HF_GROUP = keyGroup(HF_KEYS);
const STAGE_TYPE_GROUP = keyGroup(['stage', 'finetuning_type']);
const V1_PAIR_GROUP = keyGroup(['model', 'micro_batch_size']);
const MODEL_NAME_GROUP = keyGroup(['model_name_or_path']);

function detectScore(file: SourceFile, facts: DetectFacts): number {
  if (!facts.root) return 0;
  if (facts.count(STAGE_TYPE_GROUP) === 2) {
    const stage = facts.string('stage');
    const finetuningType = facts.string('finetuning_type');
    const validStage = stage !== undefined && STAGES.includes(stage);
    const validType = finetuningType !== undefined && FINETUNING_TYPES.includes(finetuningType);
    if (validStage && validType) return 10;
  }
  // isV1's first two questions, asked of the shared facts before it runs.
  if (facts.count(V1_PAIR_GROUP) === 2 && facts.string('model') !== undefined && isV1(file)) return facts.has('cutoff_len') ? 9 : 8;
  if (!facts.some(MODEL_NAME_GROUP)) return 0;
  const lfHits = facts.count(LF_GROUP);
  if (lfHits === 0 || !(facts.has('template') || facts.has('dataset'))) return 0;
  const hfHits = facts.count(HF_GROUP);
  if (hfHits >= 1) return lfHits >= 2 ? 9 : 8;
  return 0;
}

/** `cutoff_len` → seqLen (explicit or the DataArguments default). */
function cutoffLen(file: SourceFile, fallback: number): Setting<number> {
  const explicit = numberAt(file, ['cutoff_len'], LOADER);
  const s = explicit ?? defaultSetting(fallback, 'cutoff_len');
  const packing = boolAt(file, ['packing'])?.value === true || boolAt(file, ['neat_packing'])?.value === true;
  return withUnit(s, 'tokens', packing ? 'packing: samples are packed into sequences of cutoff_len tokens' : undefined);
}

/** Megatron (mcore_adapter, USE_MCA=1, or Megatron Bridge) model-parallel degrees in the YAML. */
function megatronDegrees(file: SourceFile): { product: number; how: string; ep?: number } {
  const parts: string[] = [];
  let product = 1;
  for (const key of ['tensor_model_parallel_size', 'pipeline_model_parallel_size', 'context_parallel_size']) {
    const s = numberAt(file, [key], LOADER);
    if (s && s.value > 1) {
      product *= s.value;
      parts.push(`${key} ${formatCount(s.value)}`);
    }
  }
  const ep = numberAt(file, ['expert_model_parallel_size'], LOADER)?.value;
  return { product, how: parts.join(' × '), ...(ep && ep > 1 ? { ep } : {}) };
}

/** Remarks on keys that change what the plan means without being plan fields. */
function classicNotes(file: SourceFile, stage: string, notes: string[]): void {
  if (getIn(file.tree, ['profiler_warmup_steps'])) notes.push('profiler_warmup_steps is the profiler warmup, not the learning-rate warmup');
  const maxSamples = numberAt(file, ['max_samples'], LOADER);
  if (maxSamples) {
    const datasets = stringValue(file, 'dataset')?.split(',').filter((d) => d.trim()).length;
    const cap = datasets ? `: at most ${formatCount(maxSamples.value * datasets)} samples from ${datasets} dataset${datasets > 1 ? 's' : ''}` : '';
    notes.push(`max_samples ${formatCount(maxSamples.value)} truncates each dataset${cap}; set assume.datasetSamples to the real count`);
  }
  const valSize = numberAt(file, ['val_size'], LOADER);
  if (valSize && valSize.value > 0) {
    notes.push(`val_size ${formatCount(valSize.value)} is taken out of the training data (${valSize.value < 1 ? 'a fraction' : 'a sample count'}): assume.datasetSamples is the remaining training set`);
  }
  if (stage === 'ppo') notes.push('stage ppo: one optimizer step per ppo_buffer_size × per_device_train_batch_size × gradient_accumulation_steps samples per GPU (workflow.py)');
  if (boolAt(file, ['streaming'])?.value === true) notes.push('streaming: the dataset has no length, LLaMA-Factory requires max_steps');
}

function extractClassic(file: SourceFile, env: ExtractEnv): Extraction {
  const stageSetting = stringAt(file, ['stage']) ?? defaultSetting(LLAMA_FACTORY_DEFAULTS.stage, 'stage');
  const stage = stageSetting.value;
  const degrees = megatronDegrees(file);

  const { plan, missing, notes, conflicts, ignored } = extractHfTrainingArguments(file, env, LOADER, {
    readExtra(p, n) {
      p.seqLen = cutoffLen(file, LLAMA_FACTORY_DEFAULTS.cutoffLen);
      // FinetuningArguments.pure_bf16: weights in bf16 without AMP (then bf16/fp16 flags stay off).
      const pureBf16 = boolAt(file, ['pure_bf16']);
      if (pureBf16?.value) p.precision = { ...pureBf16, value: 'pure_bf16' };
      classicNotes(file, stage, n);
    },
    beforeDerive(p, n) {
      // Megatron-core: data-parallel size = world / (TP × PP × CP); expert parallelism is carved
      // out of the data-parallel ranks and does not shrink the batch.
      if (degrees.product > 1 && p.worldSize && !p.dataParallelSize) {
        const dp = Math.floor(p.worldSize.value / degrees.product);
        p.dataParallelSize = derived(dp, `${formatCount(p.worldSize.value)} GPUs / (${degrees.how})`);
        if (p.worldSize.value % degrees.product !== 0) n.push(`world size ${formatCount(p.worldSize.value)} is not a multiple of ${degrees.how}: Megatron refuses to start`);
      }
      if (degrees.ep) {
        n.push(
          `expert_model_parallel_size ${degrees.ep} is not counted: Megatron-core's data-parallel size is world / (TP × PP × CP); ` +
            'if your mcore_adapter version also divides by it (as a comment in LLaMA-Factory\'s examples/megatron does), set assume.dataParallelSize',
        );
      }
    },
    deriveSteps(p) {
      return stage === 'ppo' ? derivePpoSteps(file, p) : false;
    },
  });
  return { plan, missing, anchor: fileStartRange(file), notes, conflicts, ignored, atRunEnd: HF_AT_RUN_END };
}

/**
 * PPO (train/ppo/trainer.py): num_training_steps = max_steps, or
 * num_train_epochs × ceil(len(dataset) / (micro × gas × ppo_buffer_size × world_size)).
 */
function derivePpoSteps(file: SourceFile, plan: TrainingPlan): boolean {
  const { datasetSamples, microBatchSize, gradAccumSteps, worldSize, epochs } = plan;
  if (plan.totalSteps || !datasetSamples || !microBatchSize || !gradAccumSteps || !worldSize || !epochs) return true;
  const buffer = numberAt(file, ['ppo_buffer_size'], LOADER)?.value ?? LLAMA_FACTORY_DEFAULTS.ppoBufferSize;
  const perStep = microBatchSize.value * gradAccumSteps.value * buffer * worldSize.value;
  const spe = Math.ceil(datasetSamples.value / perStep);
  const how = `ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)})`;
  plan.stepsPerEpoch = derived(spe, `${how}, ${formatCount(perStep)} = micro × accumulation × ppo_buffer_size ${buffer} × world`, 'steps');
  plan.totalSteps = derived(epochs.value * spe, `${formatCount(epochs.value)} × ${how}`, 'steps');
  return true;
}

/** A plugin block's `name` (`optim_config: {name: muon}`), as an explicit setting. */
function pluginName(file: SourceFile, key: string): Setting<string> | undefined {
  const name = stringAt(file, [key, 'name']);
  return name ? { ...name, key: `${key}.name` } : undefined;
}

/**
 * v1 (experimental): explicit values and the TrainingArguments dataclass defaults. The global
 * batch defaults to data-parallel size × micro batch (no accumulation); warmup and decay live
 * in `lr_scheduler_config` and are not read.
 */
function extractV1(file: SourceFile, env: ExtractEnv): Extraction {
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = ['LLaMA-Factory v1 config (experimental API): only batch, length, learning rate and duration are read'];
  const D = LLAMA_FACTORY_DEFAULTS.v1;
  const num = (key: string) => numberAt(file, [key], LOADER);

  plan.microBatchSize = num('micro_batch_size') ?? defaultSetting(D.microBatchSize, 'micro_batch_size');
  const global = num('global_batch_size');
  if (global) plan.globalBatchSize = withUnit(global, 'samples');
  plan.peakLr = num('learning_rate') ?? defaultSetting(D.learningRate, 'learning_rate');
  plan.epochs = num('num_train_epochs') ?? defaultSetting(D.numTrainEpochs, 'num_train_epochs');
  const maxSteps = num('max_steps');
  if (maxSteps && maxSteps.value > 0) plan.totalSteps = withUnit(maxSteps, 'steps', 'max_steps overrides num_train_epochs');
  plan.seqLen = cutoffLen(file, D.cutoffLen);
  const bf16 = boolAt(file, ['bf16']);
  plan.precision = bf16 ? { ...bf16, value: bf16.value ? 'bf16' : 'fp32' } : defaultSetting('bf16', 'bf16');
  const optimizer = pluginName(file, 'optim_config');
  if (optimizer) plan.optimizer = optimizer;
  const scheduler = pluginName(file, 'lr_scheduler_config');
  if (scheduler) plan.scheduler = scheduler;

  applyAssumptions(plan, env.assume);
  const cp = num('cp_size') ?? numberAt(file, ['dist_config', 'cp_size'], LOADER);
  if (cp && cp.value > 1 && plan.worldSize && !plan.dataParallelSize) {
    plan.dataParallelSize = derived(Math.floor(plan.worldSize.value / cp.value), `${formatCount(plan.worldSize.value)} GPUs / cp_size ${formatCount(cp.value)}`);
  }
  const dp = plan.dataParallelSize ?? plan.worldSize;
  if (global && dp && plan.microBatchSize) {
    const perStep = plan.microBatchSize.value * dp.value;
    if (global.value % perStep === 0) {
      plan.gradAccumSteps = derived(global.value / perStep, `global_batch_size ${formatCount(global.value)} / (${formatCount(plan.microBatchSize.value)} × ${formatCount(dp.value)})`);
    } else {
      notes.push(`global_batch_size ${formatCount(global.value)} is not a multiple of micro_batch_size × data-parallel size = ${formatCount(perStep)}`);
    }
  } else if (!global) {
    plan.gradAccumSteps = defaultSetting(1, 'global_batch_size', 'global_batch_size defaults to data-parallel size × micro_batch_size');
    deriveGlobalBatch(plan);
  }
  if (!plan.worldSize) missing.push({ field: 'worldSize', hint: 'set assume.worldSize in .trainlint.yml (the launcher decides it)' });
  if (!plan.totalSteps) missing.push({ field: 'totalSteps', hint: 'set max_steps, or assume.totalSteps in .trainlint.yml' });
  return { plan, missing, anchor: fileStartRange(file), notes };
}

export const llamaFactory: Dialect = {
  meta: {
    id: 'llama-factory',
    title: 'LLaMA-Factory',
    description: 'llamafactory-cli training YAMLs (stage, finetuning_type, template, cutoff_len + HF TrainingArguments; v1 configs)',
    yamlLoader: LOADER,
    // `llamafactory-cli train x.yaml learning_rate=2e-5`: read_args merges OmegaConf.from_cli over the YAML.
    launchOverrides: ['dotlist'],
    rejectsDuplicateKeys: 'LLaMA-Factory reads YAML with OmegaConf.load, which raises "found duplicate key"',
    schema: 'llama-factory.schema.json',
  },
  datasets: llamaFactoryDatasets,
  detect(file, _env, facts = detectFacts(file)) {
    return detectScore(file, facts);
  },
  extract(file, env) {
    return isV1(file) ? extractV1(file, env) : extractClassic(file, env);
  },
};
