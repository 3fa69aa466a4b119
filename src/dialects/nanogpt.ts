/**
 * nanoGPT (karpathy/nanoGPT): `config/*.py` files of plain assignments that `configurator.py`
 * exec()s over the defaults at the top of `train.py`. trainlint reads them statically (see
 * engine/load/python-config.ts) and never runs them. Keys, defaults and semantics:
 * research/frameworks.md §11 and corpus/FACTS-nanoGPT.md (train.py @3adf61e).
 *
 * The trap: `gradient_accumulation_steps` is the GLOBAL number of micro-steps. Under DDP train.py
 * asserts it divides by the world size and then does `gradient_accumulation_steps //= world_size`,
 * so the global batch is batch_size × gradient_accumulation_steps whatever the GPU count.
 */
import { parsePythonConfig, type OpaqueName } from '../engine/load/python-config.js';
import { applyAssumptions, boolAt, defaultSetting, derived, numberAt, stringAt } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { getIn } from '../engine/tree.js';
import type { PlanField, Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, Dialect, MissingField } from './types.js';

/** train.py defaults (FACTS-nanoGPT.md, "Defaults in train.py", lines 35-75). */
export const NANOGPT_DEFAULTS = {
  batchSize: 12, // line 49
  gradientAccumulationSteps: 40, // line 48: 5 * 8
  blockSize: 1024, // line 50
  learningRate: 6e-4, // line 58
  maxIters: 600000, // line 59
  decayLr: true, // line 65
  warmupIters: 2000, // line 66
  lrDecayIters: 600000, // line 67
  minLr: 6e-5, // line 68
  evalInterval: 2000, // frameworks.md §11
  alwaysSaveCheckpoint: true, // frameworks.md §11
  dtype: 'bfloat16', // line 73: 'bfloat16' if the GPU supports it, else 'float16'
  optimizer: 'AdamW', // model.py configure_optimizers
};

/** Names that only nanoGPT's train.py reads; generic ones (batch_size, learning_rate) do not count alone. */
const DISTINCTIVE = [
  'block_size', 'max_iters', 'lr_decay_iters', 'warmup_iters', 'decay_lr', 'eval_interval', 'eval_iters', 'eval_only',
  'gradient_accumulation_steps', 'always_save_checkpoint', 'init_from', 'wandb_log', 'n_layer', 'n_head', 'n_embd',
];
const GENERIC = ['batch_size', 'learning_rate', 'min_lr', 'out_dir', 'dataset', 'dropout', 'beta2', 'weight_decay', 'log_interval', 'wandb_project', 'wandb_run_name', 'dtype', 'grad_clip'];

/** Python values carry no YAML typing; numbers are numbers. */
const LOADER = 'pydantic';

interface Reader {
  /** The explicit number at `key`, else the train.py default, else undefined (key written but not a literal number). */
  num(key: string, fallback: number, unit?: string): Setting<number> | undefined;
  notes: string[];
  /** Keys present but unknown, with why. */
  unknown: Map<string, string>;
}

function reader(file: SourceFile, opaque: Map<string, OpaqueName>): Reader {
  const notes: string[] = [];
  const unknown = new Map<string, string>();
  return {
    notes,
    unknown,
    num(key, fallback, unit) {
      const explicit = numberAt(file, [key], LOADER);
      if (explicit) return unit ? { ...explicit, unit } : explicit;
      const why = opaque.get(key)?.reason ?? (getIn(file.tree, [key]) ? 'it is not a number' : undefined);
      if (why) {
        unknown.set(key, why);
        notes.push(`${key}: ${why}; left unknown`);
        return undefined;
      }
      const setting = defaultSetting(fallback, key, 'train.py default');
      return unit ? { ...setting, unit } : setting;
    },
  };
}

/** A boolean flag: explicit, else the default; undefined when written but not a literal bool. */
function flag(file: SourceFile, key: string, fallback: boolean, opaque: Map<string, OpaqueName>): { value: boolean; setting?: Setting<boolean> } | undefined {
  const explicit = boolAt(file, [key]);
  if (explicit) return { value: explicit.value, setting: explicit };
  if (opaque.has(key) || getIn(file.tree, [key])) return undefined;
  return { value: fallback };
}

export const nanogpt: Dialect = {
  meta: {
    id: 'nanogpt',
    formats: ['python'],
    title: 'nanoGPT',
    description: 'nanoGPT config/*.py files of literal assignments (read statically, never executed)',
    yamlLoader: LOADER,
    schema: 'nanogpt.schema.json',
    // configurator.py: after exec'ing the config file, each `--key=value` argument replaces the global `key`
    // (ast.literal_eval of the value, else the text), so a launch command's flags win over the file.
    launchOverrides: ['argparse'],
  },
  detect(file) {
    if (file.format !== 'python' || !file.tree || file.tree.kind !== 'map') return 0;
    const names = new Set(file.tree.entries.map((e) => e.key));
    const distinctive = DISTINCTIVE.filter((k) => names.has(k)).length;
    const generic = GENERIC.filter((k) => names.has(k)).length;
    if (distinctive === 0 || distinctive + generic < 2) return 0;
    return 5 + Math.min(4, distinctive);
  },
  extract(file, env) {
    const plan: TrainingPlan = {};
    const missing: MissingField[] = [];
    const opaque = file.format === 'python' ? parsePythonConfig(file.text).opaque : new Map<string, OpaqueName>();
    const read = reader(file, opaque);
    const notes = read.notes;
    const D = NANOGPT_DEFAULTS;

    const micro = read.num('batch_size', D.batchSize, 'samples');
    const seqLen = read.num('block_size', D.blockSize, 'tokens');
    if (micro) plan.microBatchSize = micro;
    if (seqLen) plan.seqLen = seqLen;

    // train.py: `if iter_num == 0 and eval_only: break` — one evaluation, no optimizer step.
    const evalOnly = boolAt(file, ['eval_only']);
    if (evalOnly?.value) {
      notes.push(`eval_only = True (line ${evalOnly.range?.line}): train.py evaluates once and exits, so there is no training schedule to lint`);
      return { plan, missing, anchor: evalOnly.range ?? fileStartRange(file), notes };
    }

    const gas = read.num('gradient_accumulation_steps', D.gradientAccumulationSteps);
    plan.peakLr = read.num('learning_rate', D.learningRate);
    const total = read.num('max_iters', D.maxIters, 'steps');
    if (total) plan.totalSteps = total;
    const evalEvery = read.num('eval_interval', D.evalInterval, 'steps');
    if (evalEvery) plan.evalEverySteps = evalEvery;
    const dtype = stringAt(file, ['dtype']);
    plan.precision = dtype ?? defaultSetting(D.dtype, 'dtype', "train.py: 'bfloat16' when the GPU supports it, else 'float16'");
    plan.optimizer = defaultSetting(D.optimizer, 'configure_optimizers', 'model.py builds torch.optim.AdamW; not configurable from config/*.py');

    // get_lr() runs only when decay_lr is true; otherwise the LR stays at learning_rate and
    // warmup_iters, lr_decay_iters and min_lr have no effect (FACTS-nanoGPT.md observation 1).
    const conflicts: Conflict[] = [];
    const decay = flag(file, 'decay_lr', D.decayLr, opaque);
    if (!decay) {
      notes.push('decay_lr is not a literal True/False: the schedule (warmup, decay, min_lr) is left unknown');
    } else if (decay.value) {
      const how = 'linear warmup for warmup_iters, cosine decay to min_lr at lr_decay_iters, then min_lr';
      plan.scheduler = decay.setting ? { ...decay.setting, value: 'cosine', note: how } : defaultSetting('cosine', 'decay_lr', `decay_lr defaults to True: ${how}`);
      const warmup = read.num('warmup_iters', D.warmupIters, 'steps');
      if (warmup) plan.warmupSteps = warmup;
      const horizon = read.num('lr_decay_iters', D.lrDecayIters, 'steps');
      if (horizon) plan.decaySteps = horizon;
      const minLr = read.num('min_lr', D.minLr);
      if (minLr) plan.minLr = minLr;
    } else {
      plan.scheduler = { ...(decay.setting as Setting<boolean>), value: 'constant', note: 'decay_lr = False: constant LR' };
      notes.push('decay_lr = False: the LR stays at learning_rate; warmup_iters, lr_decay_iters and min_lr have no effect, so no warmup or decay is linted');
      // Values the author switched off in the same file (decay_lr = False) are not reported (ignored-setting's rule).
    }

    applyAssumptions(plan, env.assume);

    // Global batch: gradient_accumulation_steps counts micro-steps across ALL ranks.
    if (micro && gas) {
      const global = micro.value * gas.value;
      plan.globalBatchSize = derived(
        global,
        `${formatCount(micro.value)} × ${formatCount(gas.value)} (batch_size × gradient_accumulation_steps, a global micro-step count: the world size does not change it)`,
        'samples',
      );
      if (seqLen) plan.globalBatchSize.note = `${formatCount(global * seqLen.value)} tokens per optimizer step (× block_size ${formatCount(seqLen.value)})`;
    }
    const world = plan.worldSize;
    if (gas && world) {
      if (world.value > 0 && gas.value % world.value === 0) {
        plan.gradAccumSteps = derived(gas.value / world.value, `${formatCount(gas.value)} / ${formatCount(world.value)} (train.py: gradient_accumulation_steps //= world size)`, 'steps');
      } else {
        notes.push(
          `gradient_accumulation_steps ${formatCount(gas.value)} is not divisible by the world size ${formatCount(world.value)}: train.py asserts gradient_accumulation_steps % ddp_world_size == 0 and stops at launch`,
        );
      }
    }

    // Checkpoints are written at evaluations (train.py: when the val loss improves or always_save_checkpoint).
    const always = flag(file, 'always_save_checkpoint', D.alwaysSaveCheckpoint, opaque);
    if (plan.evalEverySteps && always) {
      const every = formatCount(plan.evalEverySteps.value);
      plan.saveEverySteps = {
        ...plan.evalEverySteps,
        origin: 'derived',
        how: always.value
          ? `eval_interval ${every}: always_save_checkpoint = True writes a checkpoint at every evaluation`
          : `eval_interval ${every}: checkpoints are written at evaluations, only when the val loss improves (always_save_checkpoint = False)`,
      };
    }

    const hint = (field: PlanField, key: string) => {
      const why = read.unknown.get(key);
      if (why) missing.push({ field, hint: `${key} is unknown (${why}); set assume.${field} in .trainlint.yml` });
    };
    hint('microBatchSize', 'batch_size');
    hint('seqLen', 'block_size');
    hint('peakLr', 'learning_rate');
    hint('totalSteps', 'max_iters');
    hint('warmupSteps', 'warmup_iters');
    hint('decaySteps', 'lr_decay_iters');
    if (!plan.worldSize) {
      missing.push({
        field: 'worldSize',
        hint: 'launch with torchrun --nproc_per_node N, or set assume.worldSize in .trainlint.yml (it only splits gradient_accumulation_steps across GPUs; the global batch stays the same)',
      });
    }
    // get_lr: past lr_decay_iters it returns min_lr.
    // train.py checkpoints only at evaluations (iter_num % eval_interval == 0, iter_num > 0) and
    // has no final save: an interval beyond max_iters writes no checkpoint at all.
    return { plan, missing, anchor: fileStartRange(file), notes, conflicts, afterDecay: 'flat', atRunEnd: { save: false } };
  },
};
