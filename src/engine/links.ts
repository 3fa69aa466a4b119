/**
 * Two files that describe one run: a trainer config naming a DeepSpeed JSON
 * (`deepspeed: ds_config.json` in Hugging Face Trainer, axolotl, LLaMA-Factory and ms-swift YAML).
 * The linked file is read with its own dialect; the run's plan merges both, each value
 * keeping the file it came from. research/frameworks.md §3, §15.6.
 */
import { formatValue } from './format-number.js';
import { overrideOf } from './launch-overrides.js';
import { fileStartRange, type SourceFile } from './source.js';
import { getIn } from './tree.js';
import type { PlanField, Range, Setting, TrainingPlan } from './types.js';

/** Dialects whose `deepspeed:` key names a DeepSpeed config the HF Trainer loads. */
const DEEPSPEED_KEY_DIALECTS = new Set(['hf-trainer', 'axolotl', 'llama-factory', 'ms-swift']);

export interface LinkRequest {
  /** 'deepspeed': named by the config itself; 'accelerate': the launcher's --config_file (a launch script or `trainlint exec`). */
  role: 'deepspeed' | 'accelerate';
  /** The path as written in the config. */
  written: string;
  key: string;
  range: Range;
}

export interface LinkedPlan extends LinkRequest {
  /** Root-relative path of the linked file. */
  path: string;
  plan: TrainingPlan;
  /** The linked file's TRAINER_MATCHED_KEYS values (Extraction.matched). */
  matched?: MatchedValues;
  /** The base folder the written path was found from ("the repository root", "the config's folder"). */
  resolvedFrom?: string;
}

export function linkRequests(file: SourceFile, dialectId: string | undefined): LinkRequest[] {
  if (!dialectId || !DEEPSPEED_KEY_DIALECTS.has(dialectId)) return [];
  const hit = getIn(file.tree, ['deepspeed']);
  if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string' || !/\.json$/i.test(hit.node.value)) return [];
  // `--deepspeed ds.json` on the launch command (engine/launch-overrides.ts) names it as written there; the file's own
  // `deepspeed:` line (another JSON) is not this launch's: the link is at the file's start, where the engine adds the
  // command as a related location (docs/linking.md).
  const flag = overrideOf(hit.node)?.flag;
  return [{ role: 'deepspeed', written: hit.node.value, key: flag ?? 'deepspeed', range: flag ? fileStartRange(file) : hit.keyRange }];
}

/**
 * An accelerate launcher config (`accelerate launch --config_file X`) as a linked plan: its
 * `num_processes` is the world size (origin launcher) and `mixed_precision` the precision.
 */
export function accelerateLink(file: SourceFile, written: string, range: Range): LinkedPlan {
  const plan: TrainingPlan = {};
  const processes = getIn(file.tree, ['num_processes']);
  if (processes?.node.kind === 'scalar' && typeof processes.node.value === 'number') {
    plan.worldSize = { value: processes.node.value, origin: 'launcher', file: file.path, key: 'num_processes', range: processes.keyRange };
  }
  const precision = getIn(file.tree, ['mixed_precision']);
  if (precision?.node.kind === 'scalar' && (precision.node.value === 'bf16' || precision.node.value === 'fp16')) {
    plan.precision = { value: precision.node.value, origin: 'explicit', file: file.path, key: 'mixed_precision', range: precision.keyRange };
  }
  return { role: 'accelerate', written, key: '--config_file', range, path: file.path, plan };
}

/** Fields a DeepSpeed scheduler block takes over from the trainer (its scheduler replaces HF's). */
const SCHEDULER_FIELDS: PlanField[] = ['scheduler', 'warmupSteps', 'totalSteps', 'decaySteps', 'minLr', 'peakLr'];

/**
 * The values the HF Trainer fills into a DeepSpeed config's "auto" placeholders and compares with a
 * hard-coded one (integrations/deepspeed.py `fill_match`): a disagreement stops the run at launch
 * ("Please correct the following DeepSpeed config values that mismatch TrainingArguments values").
 * research/frameworks.md §3.
 */
export const TRAINER_MATCHED: { field: PlanField; what: string }[] = [
  { field: 'microBatchSize', what: 'micro batch per GPU' },
  { field: 'gradAccumSteps', what: 'gradient accumulation' },
  { field: 'globalBatchSize', what: 'global batch' },
  { field: 'peakLr', what: 'learning rate' },
  { field: 'warmupSteps', what: 'warmup steps' },
  { field: 'totalSteps', what: 'total steps' },
  { field: 'precision', what: 'precision' },
];

/**
 * Values `trainer_config_process` compares (`fill_match`) that the plan has no field for, by the DeepSpeed key
 * it names: gradient clipping (max_grad_norm), the optimizer's betas, eps and weight decay, and the precision
 * switches, each compared on its own (`bf16.enabled` with bf16 or bf16_full_eval, `fp16.enabled` with fp16 or
 * fp16_full_eval). A DeepSpeed file that leaves a key out, or writes "auto", is not compared on it.
 * research/frameworks.md §3; transformers integrations/deepspeed.py.
 */
export const TRAINER_MATCHED_KEYS: { dsKey: string; what: string }[] = [
  { dsKey: 'gradient_clipping', what: 'gradient clipping' },
  { dsKey: 'optimizer.params.betas', what: 'Adam betas' },
  { dsKey: 'optimizer.params.eps', what: 'Adam epsilon' },
  { dsKey: 'optimizer.params.weight_decay', what: 'weight decay' },
  { dsKey: 'bf16.enabled', what: 'bf16' },
  { dsKey: 'fp16.enabled', what: 'fp16' },
];

/** A value of TRAINER_MATCHED_KEYS: on the DeepSpeed side as written, on the trainer side as TrainingArguments holds it. */
export type MatchedValue = Setting<number | boolean | readonly number[]> & {
  /** Set on a trainer value that depends on the config class (TRL's configs default bf16 to true): the other case. */
  uncertain?: string;
};

/**
 * A file's TRAINER_MATCHED_KEYS values, by DeepSpeed key (plain data: it travels with the extraction to lint
 * workers and finished results). Set by the dialect that extracts the plan (deepspeed.ts for a DeepSpeed file,
 * hf-trainer.ts for TrainingArguments) as `Extraction.matched`, read by cross-file-mismatch. Kept beside the plan
 * rather than in it: they are compared, never reasoned about by other rules, and reports do not print them.
 */
export type MatchedValues = Record<string, MatchedValue>;

/** What dialects record while they extract a plan, until `takeMatchedValues` moves it into the extraction. */
const recorded = new WeakMap<TrainingPlan, MatchedValues>();

/** Record the values of TRAINER_MATCHED_KEYS that the file of `plan` gives (called by the dialect while it extracts). */
export function recordMatchedValues(plan: TrainingPlan, values: Map<string, MatchedValue>): void {
  recorded.set(plan, Object.fromEntries(values));
}

/** The values recorded for `plan` by its dialect, for `Extraction.matched` (engine/lint-file.ts `analyse`). */
export function takeMatchedValues(plan: TrainingPlan): MatchedValues | undefined {
  const values = recorded.get(plan);
  recorded.delete(plan);
  return values;
}

function sameMatched(a: MatchedValue['value'], b: MatchedValue['value']): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = a as readonly number[];
    const y = b as readonly number[];
    return Array.isArray(a) && Array.isArray(b) && x.length === y.length && x.every((v, i) => same(v, y[i]));
  }
  return same(a as number | boolean, b as number | boolean);
}

/**
 * The TRAINER_MATCHED_KEYS values a DeepSpeed file hard-codes against the trainer's, in the table's order
 * (Python's `!=`: 0 equals 0.0, true equals 1). Empty when either side's dialect records none.
 */
export function matchedMismatches(mineAll: MatchedValues | undefined, theirsAll: MatchedValues | undefined): { dsKey: string; what: string; mine: MatchedValue; theirs: MatchedValue }[] {
  if (!mineAll || !theirsAll) return [];
  return TRAINER_MATCHED_KEYS.flatMap(({ dsKey, what }) => {
    const mine = Object.hasOwn(mineAll, dsKey) ? mineAll[dsKey] : undefined;
    const theirs = Object.hasOwn(theirsAll, dsKey) ? theirsAll[dsKey] : undefined;
    return mine && theirs && !sameMatched(mine.value, theirs.value) ? [{ dsKey, what, mine, theirs }] : [];
  });
}

/** Whether the precision switches are compared key by key (both dialects record them): the plan's `precision` then is not. */
export function precisionComparedByKey(own: MatchedValues | undefined, linked: MatchedValues | undefined): boolean {
  return own !== undefined && linked !== undefined;
}

/**
 * The trainer's own LR scheduler made its warmup 0 (HF `lr_scheduler_type: constant` never reads
 * `warmup_steps`, hf-trainer.ts): a DeepSpeed scheduler block replaces that scheduler, and the Trainer
 * fills its `warmup_num_steps` from the written warmup, which this plan no longer holds.
 */
export function warmupDroppedByTrainerScheduler(plan: TrainingPlan): boolean {
  const w = plan.warmupSteps;
  return plan.scheduler?.value === 'constant' && w?.origin === 'derived' && w.value === 0;
}

/** The linked DeepSpeed file has its own scheduler block, which replaces the trainer's. */
export function deepspeedSchedulerOf(linked: LinkedPlan[]): Setting | undefined {
  return linked.find((l) => l.role === 'deepspeed' && l.plan.scheduler?.origin === 'explicit')?.plan.scheduler;
}

/**
 * Values the framework resolves before the Trainer compares them with the DeepSpeed file: axolotl
 * turns `bf16: auto` into true on a bf16-capable GPU (resolve_dtype) first, so a DeepSpeed
 * `bf16.enabled: true` agrees with it. Returns the value compared, and how it was resolved.
 */
export function trainerValue(field: PlanField, mine: Setting): { value: Setting['value']; how?: string } {
  if (field === 'precision' && mine.value === 'auto') {
    return { value: 'bf16', how: `${mine.key ?? 'bf16'}: auto, which resolves to bf16 on a bf16-capable GPU (Ampere or newer) before the comparison` };
  }
  return { value: mine.value };
}

function same(a: Setting['value'], b: Setting['value']): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
  return a === b;
}

/**
 * A value the DeepSpeed file hard-codes (or an accelerate launcher sets) that differs from the trainer's, so
 * the Trainer refuses to start. "auto" and DeepSpeed defaults are filled, not compared; the trainer's own
 * defaults are compared with a DeepSpeed file (fill_match compares whatever TrainingArguments holds: a
 * hard-coded `warmup_num_steps: 1000` against the default warmup 0 stops the run), not with an accelerate
 * config. An assumed trainer value is compared only with what an accelerate launcher starts.
 */
export function disagrees(
  field: PlanField,
  mine: Setting | undefined,
  theirs: Setting | undefined,
  role: LinkRequest['role'],
  own?: TrainingPlan,
  matched?: { own?: MatchedValues; linked?: MatchedValues },
): boolean {
  // The precision switches are compared key by key when both files record them (matchedMismatches).
  if (field === 'precision' && role === 'deepspeed' && precisionComparedByKey(matched?.own, matched?.linked)) return false;
  if (!mine || !theirs || (theirs.origin !== 'explicit' && theirs.origin !== 'launcher') || (mine.origin === 'default' && role !== 'deepspeed')) return false;
  if (mine.origin === 'assumed' && role !== 'accelerate') return false;
  // The warmup the Trainer compares is the written one, which a constant scheduler left out of the plan.
  if (field === 'warmupSteps' && own && warmupDroppedByTrainerScheduler(own)) return false;
  return mine !== theirs && !same(trainerValue(field, mine).value, theirs.value);
}

/**
 * The run's plan: the trainer's values, plus what only the DeepSpeed file says. When the
 * DeepSpeed file has a scheduler block, its explicit schedule values replace the trainer's; its
 * optimizer block replaces the trainer's optimizer (integrations/deepspeed.py deepspeed_optim_sched).
 * A hard-coded DeepSpeed value that disagrees with the trainer's stops the run at launch
 * (cross-file-mismatch): the plan keeps the trainer's value, the one the fix ("auto") gives.
 */
export function mergeLinked(primary: TrainingPlan, linked: LinkedPlan[], primaryMatched?: MatchedValues): TrainingPlan {
  // Nothing linked (most configs): the plan itself, not a copy of it (its readers never change it).
  if (linked.length === 0) return primary;
  const merged: TrainingPlan = { ...primary };
  const target = merged as Record<string, Setting>;
  for (const link of linked) {
    const refusedKeys = new Set<string>();
    const dsHasScheduler = link.plan.scheduler?.origin === 'explicit';
    const dsHasOptimizer = link.role === 'deepspeed' && link.plan.optimizer?.origin === 'explicit';
    for (const [field, setting] of Object.entries(link.plan) as [PlanField, Setting][]) {
      if (!setting || setting.origin === 'default' || setting.origin === 'assumed') continue;
      // A precision the Trainer refuses (bf16.enabled or fp16.enabled against TrainingArguments) is not the run's.
      if (field === 'precision' && link.role === 'deepspeed' && matchedMismatches(primaryMatched, link.matched).some((m) => m.dsKey.endsWith('16.enabled') && !m.mine.uncertain)) continue;
      const matched = { own: primaryMatched, linked: link.matched };
      if (link.role === 'deepspeed' && TRAINER_MATCHED.some((m) => m.field === field) && disagrees(field, primary[field] as Setting | undefined, setting, link.role, primary, matched)) {
        const mine = target[field];
        target[field] = { ...mine, note: [mine.note, `${link.path} hard-codes ${formatValue(setting.value)}: the Trainer refuses to start until it is "auto"`].filter(Boolean).join('; ') };
        if (setting.key) refusedKeys.add(setting.key);
        continue;
      }
      const replaces =
        (dsHasScheduler && SCHEDULER_FIELDS.includes(field) && setting.origin === 'explicit') ||
        (dsHasOptimizer && field === 'optimizer') ||
        // What the launcher really starts beats what .trainlint.yml assumed.
        (target[field]?.origin === 'assumed' && (setting.origin === 'launcher' || setting.origin === 'explicit'));
      if (!target[field] || replaces) target[field] = setting;
    }
    // A value the Trainer refuses (cross-file-mismatch reports it) is not the run's in any other field either:
    // DeepSpeed's total_num_steps is both the total the Trainer compares and the scheduler's decay horizon.
    for (const field of SCHEDULER_FIELDS) {
      const s = merged[field] as Setting | undefined;
      if (!s || s === primary[field] || !s.key || !refusedKeys.has(s.key)) continue;
      if (primary[field]) (merged as Record<string, Setting>)[field] = primary[field] as Setting;
      else delete merged[field];
    }
    // The trainer's scheduler is never built: its floor (`lr_scheduler_kwargs` min_lr / min_lr_rate) is not the
    // run's, the DeepSpeed scheduler's is (its default too: WarmupDecayLR decays to warmup_min_lr 0), or none known.
    if (link.role === 'deepspeed' && dsHasScheduler) {
      const floor = link.plan.minLr;
      if (floor && floor.origin !== 'assumed') merged.minLr = floor;
      else if (merged.minLr === primary.minLr && primary.minLr?.origin !== 'assumed') delete merged.minLr;
    }
    // The DeepSpeed scheduler reads the warmup the trainer's constant schedule ignored; with an "auto"
    // warmup_num_steps that count is not in the plan: unknown, not 0.
    if (link.role === 'deepspeed' && dsHasScheduler && warmupDroppedByTrainerScheduler(primary) && merged.warmupSteps === primary.warmupSteps) delete merged.warmupSteps;
  }
  return merged;
}
