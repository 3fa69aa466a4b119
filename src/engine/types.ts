/**
 * Core types shared by the engine, dialects, rules and reporters.
 * Lines and columns are 1-based everywhere; `endColumn` is exclusive.
 */

export type Severity = 'error' | 'warning' | 'info';
export type SeverityOrOff = Severity | 'off';

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A path into a structured document: mapping keys and sequence indices. */
export type KeyPath = ReadonlyArray<string | number>;

/**
 * Where a plan value came from. `unknown` values are simply absent from the plan. 'dataset': counted
 * from the training data a config names (rows of a committed file, a framework's bundled set, a
 * documented public dataset); always an upper bound on the samples (engine/datasets.ts).
 */
export type Origin = 'explicit' | 'default' | 'derived' | 'launcher' | 'assumed' | 'dataset';

export interface Setting<T = number | string | boolean> {
  value: T;
  origin: Origin;
  /** Unit of `value` after normalisation (e.g. "steps", "samples", "ratio"). */
  unit?: string;
  /** Repo-relative POSIX path of the file that holds the value. */
  file?: string;
  /** The key or flag as written (`--batch-size`, `training.lr`). */
  key?: string;
  /** Where the key sits in `file`. */
  range?: Range;
  /** Where the value is written, when it is literal text that `--fix` may replace. */
  valueRange?: Range;
  /** How a derived value was computed, e.g. "ceil(10000000 / 8800) × 30". */
  how?: string;
  /** Anything the user should know (loader type quirks, variable expansion…). */
  note?: string;
  /**
   * Set on a step count derived from a fraction the user wrote (NeoX `warmup`, Megatron
   * `--lr-warmup-fraction`, litgpt `lr_warmup_fraction`): the count follows the run's length, so
   * advice is given as a fraction, not as a step count.
   */
  fractionOf?: FractionOf;
  /**
   * How a step count is written back under this key when its own unit is not optimizer steps:
   * value in that unit = steps × perStep (Lightning val_check_interval counts batches; Composer
   * times need a unit suffix, a bare integer is epochs).
   */
  writtenAs?: {
    unit: string;
    perStep: number;
    suffix?: boolean;
    /** The value as written, in that unit (19531250 for `--train-samples 19531250`), when it is a number. */
    value?: number;
    /** The key takes fractions (Ultralytics `warmup_epochs: 0.5`): advice is not rounded to a whole number. */
    fractional?: boolean;
  };
  /**
   * A least count the framework imposes whatever the key says (Ultralytics ≤ 8.4.102 floors the warmup at
   * 100 iterations): advice below it is impossible, so rules say what to do instead.
   */
  floor?: {
    /** The least count, in the plan's unit. */
    steps: number;
    /** Who imposes it, as a clause: "Ultralytics ≤ 8.4.102 floors the warmup at 100 iterations". */
    by: string;
    /** The key and value that turn the feature off (`warmup_epochs: 0`), when there is one. */
    off?: string;
    /** Another way out, as a clause: "ultralytics ≥ 8.4.103 has no floor". */
    otherwise?: string;
  };
  /**
   * What to change when the key that holds the value is not the one to fix (a decay horizon a script derives
   * from the run length, the process count and the accumulation; timm's flat tail made by cooldown_epochs), as
   * an imperative clause ("make them equal (2 processes, …)"). Rules use it in place of their own advice.
   */
  advice?: string;
  /**
   * A value the framework rescales at start-up from the one written (MMEngine's auto_scale_lr, detectron2's
   * REFERENCE_WORLD_SIZE): value = written × factor. Advice and `--fix` write the value to write, target / factor.
   */
  scaledFrom?: {
    factor: number;
    /** "auto_scale_lr: × 4 GPUs × batch_size 32 / base_batch_size 256". */
    by: string;
    /** Where the written value is, in `file` (for `--fix`). */
    valueRange?: Range;
  };
  /** 'upper': the real value may be smaller (torchtune's epochs × max_steps_per_epoch before the dataset size is known). */
  bound?: 'upper';
  /**
   * Set on an upper bound that rests on a dataset's row count (the count itself and what follows
   * from it: steps per epoch, total steps…): the dataset, for messages. Packing, filtering and
   * chunking move the real number, so rules report against such an estimate only with a large
   * margin (rules/types.ts `clearMargin`).
   */
  estimatedFrom?: string;
}

/** What a fraction-derived step count is a fraction of. */
export interface FractionOf {
  /** The fraction as written (0.01). */
  fraction: number;
  /** What it multiplies, for messages: "lr_decay_iters 143000", "one epoch". */
  of: string;
  /** That length in optimizer steps (may be fractional, e.g. samples / global batch). */
  ofSteps: number;
  /** Written after the number in the key's value (Composer's `0.2dur`). */
  suffix?: string;
}

/** The flat, canonical description of what a run will do. A missing field is unknown. */
export interface TrainingPlan {
  worldSize?: Setting<number>;
  /** Data-parallel replicas = world / (tensor × pipeline × context parallel); absent means equal to worldSize. */
  dataParallelSize?: Setting<number>;
  microBatchSize?: Setting<number>;
  gradAccumSteps?: Setting<number>;
  globalBatchSize?: Setting<number>;
  seqLen?: Setting<number>;
  peakLr?: Setting<number>;
  minLr?: Setting<number>;
  warmupSteps?: Setting<number>;
  /** Set when warmup was written as a fraction of training rather than a step count. */
  warmupRatio?: Setting<number>;
  totalSteps?: Setting<number>;
  epochs?: Setting<number>;
  datasetSamples?: Setting<number>;
  stepsPerEpoch?: Setting<number>;
  /** Optimizer step at which the LR decay reaches its floor, counted from step 0 (warmup included). */
  decaySteps?: Setting<number>;
  /** Checkpoint interval in optimizer steps (absent when checkpointing is disabled). */
  saveEverySteps?: Setting<number>;
  evalEverySteps?: Setting<number>;
  scheduler?: Setting<string>;
  precision?: Setting<string>;
  optimizer?: Setting<string>;
  /**
   * RL post-training (verl, TRL GRPO, OpenRLHF, ms-swift, NeMo-RL): absent for supervised runs.
   * There `globalBatchSize` is the responses (samples) per optimizer step, and `totalSteps`,
   * `warmupSteps`, `decaySteps` and the intervals count what the LR scheduler ticks on
   * (`schedulerTick`), so the rules compare like with like.
   */
  /** Prompts drawn per rollout (generation) step: verl `data.train_batch_size`. */
  promptsPerRolloutStep?: Setting<number>;
  /** Responses generated per prompt: verl `rollout.n`, TRL `num_generations`. */
  samplesPerPrompt?: Setting<number>;
  /** Optimizer steps per rollout step (verl: train_batch_size / ppo_mini_batch_size × ppo_epochs). */
  optimizerStepsPerRolloutStep?: Setting<number>;
  /**
   * What the plan's step counts (totalSteps, warmupSteps, decaySteps, the intervals) count: 'optimizer-step'
   * (the default when absent), 'rollout-step' (verl ticks its LR scheduler once per rollout step) or
   * 'iteration' (Ultralytics counts its warmup and run in dataloader iterations; an optimizer step
   * accumulates several). Messages name the unit from it (rules/types.ts `tickNouns`).
   */
  schedulerTick?: Setting<string>;
  /**
   * Multi-step schedules (MMEngine `MultiStepLR` `milestones`, detectron2 `SOLVER.STEPS`): the first and
   * the last point at which the LR drops, counted from the start of the run, in `unit`: 'steps'
   * (optimizer steps, compared with totalSteps) or 'epochs' (compared with epochs, when the epoch
   * length is unknown). A milestone at or past the end of the run never takes effect.
   */
  firstMilestone?: Setting<number>;
  lastMilestone?: Setting<number>;
  /** The decay horizon in epochs, for a schedule that counts epochs when the epoch length is unknown (compared with epochs). */
  decayEpochs?: Setting<number>;
}

export type PlanField = keyof TrainingPlan;

export const PLAN_FIELDS: readonly PlanField[] = [
  'worldSize',
  'dataParallelSize',
  'microBatchSize',
  'gradAccumSteps',
  'globalBatchSize',
  'seqLen',
  'peakLr',
  'minLr',
  'warmupSteps',
  'warmupRatio',
  'totalSteps',
  'epochs',
  'datasetSamples',
  'stepsPerEpoch',
  'decaySteps',
  'saveEverySteps',
  'evalEverySteps',
  'scheduler',
  'precision',
  'optimizer',
  'promptsPerRolloutStep',
  'samplesPerPrompt',
  'optimizerStepsPerRolloutStep',
  'schedulerTick',
  'firstMilestone',
  'lastMilestone',
  'decayEpochs',
] as const;

export const STRING_PLAN_FIELDS: ReadonlySet<PlanField> = new Set(['scheduler', 'precision', 'optimizer', 'schedulerTick']);

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Repo-relative POSIX path. */
  path: string;
  range: Range;
  /** The numbers behind the message. */
  data?: Record<string, unknown>;
  /** A short, human hint of what to change. */
  fix?: string;
  /** A text edit that `--fix` applies: replace `range` in the finding's file by `text`. */
  edit?: { range: Range; text: string };
  /** More edits in the same file that complete `edit` (an LR written twice that must stay equal); only with `edit`. */
  alsoEdits?: { range: Range; text: string }[];
  /** Other places that belong to this finding (report v1 `related`, SARIF `relatedLocations`). */
  related?: RelatedLocation[];
  /**
   * A finding about a run that is shorter than its schedule or intervals were sized for: its part
   * of that one cause (engine/group-findings.ts merges such findings of one run into one).
   */
  runLength?: RunLengthPart;
  /** The findings a grouped finding stands for: suppressions and baselines written for them still apply to it. */
  merged?: Finding[];
}

/** A place a finding refers to besides its own. */
export interface RelatedLocation {
  path: string;
  range: Range;
  message: string;
}

/** What one run-length finding adds to the grouped finding of its run (engine/group-findings.ts). */
export interface RunLengthPart {
  /** The consequence as a clause: "warmup (9900 steps) never ends, so the LR never reaches its peak". */
  consequence: string;
  /** The change in the key's own unit and spelling: "--save-interval ≤ 50", "drop --lr-decay-iters (…)". */
  advice: string;
  /** The length this key was sized for, in optimizer steps, and the key as written. */
  sizedFor?: { steps: number; key?: string };
  /** Whether the key is written in this file (a finding there can point at it). */
  written: boolean;
  /** A warmup that follows the decay horizon (a fraction of it): what it becomes once the horizon is fixed. */
  afterDecayFix?: string;
}

/** `python`: Python configs and scripts read statically, never executed (load/python-config.ts, load/python-calls.ts). */
export type FileFormat = 'yaml' | 'json' | 'toml' | 'shell' | 'python';
