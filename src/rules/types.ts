/** The rule contract: metadata plus a pure check over a file's resolved plan. */
import type { ValidateFunction } from 'ajv';
import type { BatchCheck, ConfigError, Conflict, Extraction, IgnoredSetting, YamlLoader } from '../dialects/types.js';
import type { LinkedPlan, MatchedValues } from '../engine/links.js';
import type { SourceFile } from '../engine/source.js';
import type { ConfigNode } from '../engine/tree.js';
import { writtenValueRange } from '../engine/fix.js';
import { formatCount, formatFractionDown, formatPercent } from '../engine/format-number.js';
import type { Range, RelatedLocation, RunLengthPart, Setting, Severity, TrainingPlan } from '../engine/types.js';

export interface RuleMeta {
  /** Public id, the user's vocabulary: never rename. */
  id: string;
  defaultSeverity: Severity;
  /** One line, for `trainlint rules`, SARIF and the README. */
  description: string;
  /** JSON Schema of the options object (validated when .trainlint.yml is read). */
  options?: Record<string, unknown>;
  defaultOptions?: Record<string, unknown>;
  /** Reported by the engine (loaders, suppressions) rather than by check(). */
  builtin?: boolean;
  /** 'file' rules run on every parsed file; 'plan' rules (default) only where a dialect resolved a plan. */
  scope?: 'file' | 'plan';
  /** `--fix` can rewrite what this rule reports. */
  fixable?: boolean;
}

/** What a file is compared against: its version at a git ref or a declared reference config. */
export interface Reference {
  plan: TrainingPlan;
  /** Human label: "base HEAD~1" or "reference a100.sh". */
  label: string;
  path: string;
}

export interface ReportInput {
  message: string;
  /**
   * Lower than the rule's configured severity: 'info' for harmless conflicts, 'warning' for a
   * non-critical ignored setting (never raised by it). 'error': the framework refuses to start on
   * it, or its behaviour makes the run useless (MaxText trains at LR 0 past its schedule); above a
   * rule's default level, kept only while the rule runs at its default.
   */
  severity?: 'info' | 'warning' | 'error';
  range: Range;
  data?: Record<string, unknown>;
  fix?: string;
  /** The text edit `--fix` applies (only for values written literally in this file). */
  edit?: { range: Range; text: string };
  /** More edits in this file that complete `edit` (an LR written twice that must stay equal). */
  alsoEdits?: { range: Range; text: string }[];
  /** Set by the rules whose problem is a run shorter than what a key was sized for (see RunLengthPart). */
  runLength?: RunLengthPart;
  /** Other places that belong to the finding (a scheduler inherited from a base file). */
  related?: RelatedLocation[];
}

export interface RuleContext {
  file: SourceFile;
  plan: TrainingPlan;
  dialectId?: string;
  /**
   * YAML tags written in this file that the framework's loader stops on (engine/yaml-tags.ts; reported
   * as a parse-error): the schema rule leaves values under them alone.
   */
  unconstructedTags?: ReadonlySet<string>;
  /** How the training code loads this file's YAML ('pyyaml' when no dialect claimed it). */
  yamlLoader: YamlLoader;
  /** The loader's name for messages, when the dialect gives one. */
  yamlLoaderName?: string;
  /**
   * The program that converts what the YAML loader gives, when it depends on how the file is run (TrlParser or
   * HfArgumentParser for a Hugging Face YAML; Extraction.yamlLoader): its name, and when no launch command
   * shows it, which one is assumed and why (the rules print it where their reading depends on it).
   */
  yamlParser?: { name: string; assumed?: string };
  /** Where run-level findings point when their cause is not written in the file. */
  anchor: Range;
  reference?: Reference;
  /** Files linked to this one that describe the same run (a DeepSpeed JSON named by `deepspeed:`). */
  linked: LinkedPlan[];
  /** This file's own plan before linked files were merged into `plan`. */
  ownPlan: TrainingPlan;
  /** This file's values the HF Trainer compares with a DeepSpeed file beyond the plan's fields (Extraction.matched). */
  ownMatched?: MatchedValues;
  /** Contradictions the dialect found while extracting the plan. */
  conflicts: Conflict[];
  /** Written values the framework ignores or overrides, as the dialect found them. */
  ignored: IgnoredSetting[];
  /** What the schedule does past its decay horizon, when the dialect knows (see Extraction). */
  afterDecay?: Extraction['afterDecay'];
  /** How the framework rejects this rule's problem at launch, when it does (see Extraction). */
  launchCheck?: string;
  /** How an explicit global batch that does not divide evenly is run (see Extraction). */
  globalBatchRounding?: Extraction['globalBatchRounding'];
  /** What the framework's config loading rejects (Hydra override errors), for `schema` (see Extraction). */
  configErrors?: ConfigError[];
  /** A tree to validate in place of the file's own (a launch script's Hydra overrides), for `schema`. */
  schemaTree?: ConfigNode;
  /** Start-up batch and parallel-size assertions the dialect found failing, for `batch-size-mismatch`. */
  batchChecks?: BatchCheck[];
  /** What the framework does when the run ends (see Extraction). */
  atRunEnd?: Extraction['atRunEnd'];
  /** The decay-horizon key falls back to the run length when left out (see Extraction). */
  decayDefaultsToRun?: boolean;
  options: Record<string, unknown>;
  /**
   * warmup-fraction's limit for this file (its `max`), undefined when that rule is off: a rule that advises a
   * warmup (warmup-not-rescaled) does not advise one past it.
   */
  warmupFractionMax?: number;
  /** Compiled JSON Schemas that apply to this file (dialect built-in and user schemas). */
  schemas: { name: string; validate: ValidateFunction }[];
  report(finding: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

/** The range of a setting's key when it is written in this file; otherwise the run's anchor. */
export function rangeOf(ctx: RuleContext, ...settings: (Setting | undefined)[]): Range {
  for (const s of settings) {
    if (s?.range && (s.file === undefined || s.file === ctx.file.path)) return s.range;
  }
  return ctx.anchor;
}

/**
 * An edit that replaces a setting's literal value in this file, or undefined when the value
 * is not written here (a default, a variable, another file).
 */
export function replaceValue(ctx: RuleContext, setting: Setting | undefined, text: string): { range: Range; text: string } | undefined {
  // The value's literal text: its valueRange, or the literal a dialect recorded only the key or flag of (`end=500`).
  const range = setting && writtenValueRange(setting, ctx.file);
  return range ? { range, text } : undefined;
}

/** A number spelled so that the file's loader reads it as a number (PyYAML needs `1.0e-4`). */
export function spellNumber(ctx: RuleContext, value: number, text: string): string {
  if (ctx.file.format !== 'yaml' || ctx.yamlLoader !== 'pyyaml' || !/e/i.test(text)) return text;
  const m = /^([-+]?)(\d+)(?:\.(\d*))?[eE]([-+]?)(\d+)$/.exec(text);
  if (!m) return String(value);
  return `${m[1]}${m[2]}.${m[3] || '0'}e${m[4] || '+'}${m[5]}`;
}

/** Where a value comes from, as a parenthetical: " (--warmup)", " (warmup_steps, framework default)". */
export function sourceOf(setting: Setting): string {
  const key = setting.key ?? '';
  const sep = key ? ', ' : '';
  switch (setting.origin) {
    case 'default':
      return ` (${key}${sep}framework default)`;
    case 'assumed':
      return ` (assumed in .trainlint.yml)`;
    case 'derived':
      return setting.how ? ` (= ${setting.how})` : '';
    case 'launcher':
      return ` (${key}${sep}launcher)`;
    case 'dataset':
      return ` (at most: ${setting.how ?? 'rows of the dataset'})`;
    default:
      return key ? ` (${key})` : '';
  }
}

/** How far a comparison must clear an estimate from a dataset's row count before it is reported (rows ≠ samples). */
export const ESTIMATE_MARGIN = 2;

/**
 * Whether a comparison of these settings may be reported. Exact values, and values that all rest on
 * the same dataset row count (they scale together), always; when only some rest on a row count
 * (`Setting.estimatedFrom`), only when `ratio` (the reported quantity over its limit, ≥ 1) is at
 * least ESTIMATE_MARGIN: packing, filtering and chunking move the real number of samples.
 */
export function clearOfEstimates(ratio: number, ...settings: (Setting | undefined)[]): boolean {
  // All exact, or all from one row count (the same label), in one pass without a list of sources.
  const first = settings.length ? settings[0]?.estimatedFrom : undefined;
  let anyEstimate = false;
  let allFirst = true;
  for (let i = 0; i < settings.length; i++) {
    const from = settings[i]?.estimatedFrom;
    if (from !== undefined) anyEstimate = true;
    if (from === undefined || from !== first) allFirst = false;
  }
  if (!anyEstimate || allFirst) return true;
  return ratio >= ESTIMATE_MARGIN;
}

/**
 * Where a value comes from in a few characters, for the first clause of a message: " (--warmup)",
 * " (warmup_steps, default)", " (assumed)". A derived value names the key it comes from; how it was
 * derived belongs after the fix (see derivation()).
 */
export function brief(setting: Setting): string {
  // A count written in another unit (rollout steps, samples, epochs): the key with its value as written.
  const w = setting.writtenAs;
  const key = setting.key && w?.value !== undefined && w.perStep !== 1 && !w.suffix ? `${setting.key} ${formatCount(w.value)} ${w.unit}` : (setting.key ?? '');
  switch (setting.origin) {
    case 'default':
      return key ? ` (${key}, default)` : ' (default)';
    case 'assumed':
      return ' (assumed in .trainlint.yml)';
    case 'launcher':
      return key ? ` (${key}, launcher)` : ' (launcher)';
    default:
      return key ? ` (${key})` : '';
  }
}

/** How derived values were computed, as a closing clause: " (warmup = 0.01 × --lr-decay-iters 990000)". */
export function derivation(...parts: [string, Setting | undefined][]): string {
  // One pass (most parts are not derived): the clause is built only from those that are.
  let hows = '';
  for (let i = 0; i < parts.length; i++) {
    const s = parts[i][1];
    if (s?.origin === 'derived' && s.how) hows += `${hows ? '; ' : ''}${parts[i][0]} = ${s.how}`;
  }
  return hows ? ` (${hows})` : '';
}

/**
 * `key value` as the file spells it: `--save-interval 50` on a command line, `trainer.save_freq=50` as a
 * `key=value` override in a launch script (Hydra, `yolo train`), `save_steps: 50` in YAML,
 * `"save_steps": 50` in JSON, `max_iters = 50` in a Python config (`file` decides).
 */
export function keyValue(key: string, value: string, file?: string): string {
  if (key.startsWith('-')) return `${key} ${value}`;
  if (file !== undefined && SCRIPT_FILE.test(file)) return `${key}=${value}`;
  if (file?.endsWith('.py')) return `${key} = ${value}`;
  if (file?.endsWith('.json')) return key.includes('.') ? `"${key.split('.').pop()}": ${value} (${key})` : `"${key}": ${value}`;
  if (file?.endsWith('.toml')) return key.includes('.') ? `${key.split('.').pop()} = ${value} (${key})` : `${key} = ${value}`;
  return `${key}: ${value}`;
}

const SCRIPT_FILE = /\.(?:sh|bash|sbatch|slurm)$/;

/** What a plan's step counts count (see TrainingPlan.schedulerTick), as nouns for messages. */
export interface TickNouns {
  /** "step", "rollout step", "iteration". */
  one: string;
  /** "steps", "rollout steps", "iterations". */
  many: string;
  /** The run's length: "optimizer steps", "rollout steps", "iterations". */
  run: string;
}

export function tickNouns(plan?: TrainingPlan): TickNouns {
  switch (plan?.schedulerTick?.value) {
    case 'rollout-step':
      return { one: 'rollout step', many: 'rollout steps', run: 'rollout steps' };
    case 'iteration':
      return { one: 'iteration', many: 'iterations', run: 'iterations' };
    default:
      return { one: 'step', many: 'steps', run: 'optimizer steps' };
  }
}

/**
 * A count of `steps` in the plan's unit written back under the key that holds `setting`, and the
 * count that value really gives (a conversion may round). `round` picks the direction when the
 * conversion is not whole (down for "at most", up for "at least").
 */
export function keyUnitValue(setting: Setting<number>, steps: number, round: 'down' | 'up' = 'down', inFile?: string): { text: string; value: string; steps: number } {
  const key = setting.key ?? '';
  const file = setting.file ?? inFile;
  const w = setting.writtenAs;
  const out = (value: string, given: number) => ({ text: keyValue(key, value, file), value, steps: given });
  if (!w) return out(formatCount(steps), steps);
  const raw = steps * w.perStep;
  if (w.fractional && raw > 0) {
    const shown = round === 'down' ? formatFractionDown(raw) : formatCount(Math.ceil(raw * 1000 - 1e-6) / 1000);
    return out(`${shown}${w.suffix ? w.unit : ''}`, Math.round(Number(shown) / w.perStep));
  }
  const n = Math.max(1, round === 'down' ? Math.floor(raw + 1e-9) : Math.ceil(raw - 1e-9));
  return out(`${formatCount(n)}${w.suffix ? w.unit : ''}`, Math.round(n / w.perStep));
}

/**
 * A step count in the unit of the key that holds `setting`: samples for a samples flag
 * (`--lr-decay-samples 19531250`), a Composer time string with its suffix (`t_max: 50ba`),
 * batches for Lightning's `val_check_interval`, epochs for an epoch key, else steps.
 */
export function inKeyUnit(setting: Setting<number>, steps: number, round: 'down' | 'up' = 'down', inFile?: string): string {
  return keyUnitValue(setting, steps, round, inFile).text;
}

/** The framework's own launch check for this rule's problem, as a message clause, when there is one. */
export function launchRejection(ctx: RuleContext): string | undefined {
  return ctx.launchCheck && `${ctx.launchCheck}, after the GPUs are allocated`;
}

/** "1 step", "25 steps"; in the plan's unit when a plan is given ("25 rollout steps", "100 iterations"). */
export function stepCount(steps: number, plan?: TrainingPlan): string {
  const n = tickNouns(plan);
  return `${formatCount(steps)} ${steps === 1 ? n.one : n.many}`;
}

/**
 * What to do when the warmup cannot be made as short as `steps` because the framework floors it
 * (Setting.floor): turn it off, leave the floor, or lengthen the run so the floor is `share` of it.
 */
function belowFloor(setting: Setting<number>, plan: TrainingPlan | undefined, share: number, inFile?: string): string {
  const f = setting.floor!;
  const ways: string[] = [];
  if (f.off) ways.push(`set ${f.off} (no warmup)`);
  if (f.otherwise) ways.push(f.otherwise);
  const need = Math.ceil(f.steps / share - 1e-9);
  const total = plan?.totalSteps;
  const spe = plan?.stepsPerEpoch;
  const epochs = plan?.epochs;
  const nouns = tickNouns(plan);
  const runKey = epochs?.key && spe && spe.value > 0 ? keyValue(epochs.key, formatCount(Math.ceil(need / spe.value - 1e-9)), epochs.file ?? inFile) : total?.key ? keyValue(total.key, formatCount(need), total.file ?? inFile) : undefined;
  ways.push(`train ≥ ${formatCount(need)} ${nouns.many}${runKey ? ` (${runKey})` : ''} so that it is ${formatPercent(share)} of the run`);
  const last = ways.pop()!;
  return `${f.by}, so no ${setting.key ?? 'warmup'} gives fewer: ${ways.length ? `${ways.join(', ')} or ${last}` : last}`;
}

/**
 * A warmup of `steps` in the terms the config uses, under its own key: a step count
 * (`--lr-warmup-iters 2`), samples for a samples flag, epochs for an epoch key, or for a warmup written
 * as a fraction (NeoX `warmup`, Megatron `--lr-warmup-fraction`; HF `warmup_ratio` when `plan` is given)
 * the fraction that gives at most that many steps. `text` goes in messages, `fix` in the short fix.
 * When the framework floors the warmup above `steps` (Setting.floor), both say what to do instead;
 * `share` is the part of the run `steps` stands for (0.05 for "5% of the run").
 */
export function warmupAsWritten(
  setting: Setting<number>,
  steps: number,
  plan?: TrainingPlan,
  inFile?: string,
  share = 0.05,
): { text: string; fix: string; floored?: boolean; steps: number } {
  if (setting.floor && steps < setting.floor.steps) {
    const text = belowFloor(setting, plan, share, inFile);
    return { text, fix: text, floored: true, steps: setting.floor.steps };
  }
  const f = setting.fractionOf;
  if (f && f.ofSteps > 0 && !setting.writtenAs) {
    const kv = keyValue(setting.key ?? 'warmup', `${formatFractionDown(steps / f.ofSteps)}${f.suffix ?? ''}`, setting.file ?? inFile);
    return { text: `${kv} (${stepCount(steps, plan)} of ${f.of})`, fix: kv, steps };
  }
  const ratio = plan?.warmupRatio;
  const total = plan?.totalSteps;
  if (!setting.key && ratio?.key && total && total.value > 0) {
    const kv = keyValue(ratio.key, formatFractionDown(steps / total.value), ratio.file ?? inFile);
    return { text: `${kv} (${stepCount(steps, plan)})`, fix: kv, steps };
  }
  if (!setting.key) return { text: stepCount(steps, plan), fix: `warmup ${formatCount(steps)}`, steps };
  const kv = keyUnitValue(setting, steps, 'down', inFile);
  return { text: setting.writtenAs ? `${kv.text} (${stepCount(kv.steps, plan)})` : kv.text, fix: kv.text, steps: kv.steps };
}

/**
 * The samples one LR-scheduler tick consumes, which a warmup in ticks spans: the global batch; for an
 * RL plan whose scheduler ticks once per rollout step (verl), the responses of one rollout step
 * (prompts per rollout step × samples per prompt), whatever the optimizer-step batch is; for a plan in
 * iterations (Ultralytics), the images of one iteration (micro-batch × world size).
 */
export function batchPerTick(plan: TrainingPlan): Setting<number> | undefined {
  const tick = plan.schedulerTick?.value;
  if (tick === 'iteration') {
    const micro = plan.microBatchSize;
    const world = plan.dataParallelSize ?? plan.worldSize;
    if (!micro || !world) return undefined;
    return { ...micro, value: micro.value * world.value, origin: 'derived', how: `${formatCount(micro.value)} × ${formatCount(world.value)} images per iteration`, unit: 'samples' };
  }
  const prompts = plan.promptsPerRolloutStep;
  if (tick !== 'rollout-step' || !prompts) return plan.globalBatchSize;
  const n = plan.samplesPerPrompt?.value ?? 1;
  return { ...prompts, value: prompts.value * n, origin: 'derived', how: `${formatCount(prompts.value)} prompts × ${formatCount(n)} responses per rollout step`, unit: 'responses' };
}

/** The batch one tick consumes, named for messages: "the global batch", "the responses per rollout step", "the images per iteration". */
export function tickBatchName(plan: TrainingPlan): string {
  const tick = plan.schedulerTick?.value;
  if (tick === 'rollout-step' && plan.promptsPerRolloutStep) return 'the responses per rollout step';
  if (tick === 'iteration') return 'the images per iteration';
  return 'the global batch';
}
