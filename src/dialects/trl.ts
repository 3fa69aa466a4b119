/**
 * TRL's RL trainers on top of the Hugging Face Trainer config (`GRPOConfig`, `DPOConfig` written as
 * YAML for `TrlParser`: `trl grpo --config recipe.yaml`, open-r1's `grpo.py --config …`). The
 * hf-trainer dialect reads the TrainingArguments keys; this module adds what GRPO changes:
 *
 * - units: `per_device_train_batch_size` counts completions (since TRL 0.15), a prompt is sampled
 *   `num_generations` times, one generation batch (`generation_batch_size` completions) feeds
 *   `steps_per_generation` micro-steps, `num_iterations` times over (research §1.4, §5.2);
 * - the start-up assertions of `GRPOConfig.__post_init__` / `GRPOTrainer.__init__`, whose batch rule
 *   changed three times: the TRL version comes from a pin in the repository (requirements.txt,
 *   pyproject.toml, setup.py; engine/package-pins.ts), else the current rule is applied and the
 *   older one named;
 * - GRPOConfig's and DPOConfig's own defaults (`learning_rate` 1e-6 instead of the Trainer's 5e-5).
 *
 * Facts: research/frameworks-wave2-nemo-rl-jax.md §5 (TRL @ f2cd57710, tags v0.15–v0.20).
 */
import { defaultSetting, derived, derivedFrom, numberAt, boolAt, stringAt, dataParallel, withUnit } from '../engine/plan.js';
import { formatCount } from '../engine/format-number.js';
import { overlaps, parseVersionRange, type VersionRange } from '../engine/package-pins.js';
import type { SourceFile } from '../engine/source.js';
import { hasKey } from '../engine/tree.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import type { BatchCheck, ConfigError, Conflict, ExtractEnv, YamlLoader } from './types.js';

export type TrlKind = 'grpo' | 'dpo';

const has = (file: SourceFile, key: string): boolean => hasKey(file.tree, key);

/** GRPOConfig keys (num_generations, the generation batch, rewards) or DPOConfig keys beside TrainingArguments. */
export function trlKind(file: SourceFile): TrlKind | undefined {
  if (!file.tree || file.tree.kind !== 'map') return undefined;
  if (has(file, 'num_generations') || has(file, 'reward_funcs') || has(file, 'steps_per_generation') || has(file, 'generation_batch_size') || (has(file, 'max_completion_length') && has(file, 'use_vllm'))) return 'grpo';
  if (has(file, 'beta') && ['loss_type', 'max_prompt_length', 'rpo_alpha', 'precompute_ref_log_probs', 'ref_model_init_kwargs', 'reference_free'].some((k) => has(file, k))) return 'dpo';
  return undefined;
}

/** TRL's GRPO batch rule by version (research §5.3, read from the tags). */
interface Era {
  id: 'v0.15' | 'v0.17' | 'v0.18' | 'v0.20';
  from: number[];
  to?: number[];
  label: string;
}

const ERAS: Era[] = [
  { id: 'v0.15', from: [0, 15], to: [0, 17], label: 'TRL 0.15–0.16' },
  { id: 'v0.17', from: [0, 17], to: [0, 18], label: 'TRL 0.17' },
  { id: 'v0.18', from: [0, 18], to: [0, 20], label: 'TRL 0.18–0.19' },
  { id: 'v0.20', from: [0, 20], label: 'TRL ≥ 0.20' },
];

export const GRPO_DEFAULTS = { learningRate: 1e-6, numGenerations: 8, numIterations: 1 };
export const DPO_DEFAULTS = { learningRate: 1e-6 };
/**
 * SFTConfig sets `learning_rate` 2e-5 since TRL 0.12 (huggingface/trl#2244, Oct 2024; #3530 restated it
 * without changing it); older SFTConfig inherits TrainingArguments' 5e-5.
 */
export const SFT_DEFAULTS = { learningRate: 2e-5, since: [0, 12], before: 5e-5 };

/** SFTConfig keys TrainingArguments does not have (as hf-parser.ts reads a TRL config without GRPO/DPO keys). */
const SFT_KEYS = ['dataset_text_field', 'completion_only_loss', 'assistant_only_loss', 'packing', 'packing_strategy', 'eval_packing'];

/** A TRL SFTConfig YAML: an SFT key, and none of GRPOConfig's or DPOConfig's. */
function isSftConfig(file: SourceFile): boolean {
  return trlKind(file) === undefined && SFT_KEYS.some((k) => has(file, k));
}

/** SFTConfig's default learning rate for the TRL versions the repository's pin allows (the assumption said when there is none). */
function sftLearningRate(env: ExtractEnv): { value: number; note: string } {
  const { since, learningRate, before } = SFT_DEFAULTS;
  const pin = env.packagePin?.('trl');
  const range = pin ? parseVersionRange(pin.spec) : undefined;
  if (!pin || !range) {
    return { value: learningRate, note: `SFTConfig default for TRL ≥ 0.12, assumed (no TRL pin in requirements*.txt, pyproject.toml or setup.py); TRL < 0.12 uses the Trainer's 5e-5` };
  }
  const source = `trl${pin.spec} (${pin.file}:${pin.line})`;
  const newer = overlaps(range, since);
  const older = overlaps(range, [0], since);
  if (!newer) return { value: before, note: `the Trainer's default: ${source} is older than TRL 0.12, whose SFTConfig sets 2e-5` };
  if (older) return { value: learningRate, note: `SFTConfig default for TRL ≥ 0.12; ${source} also allows older TRL, where it is the Trainer's 5e-5` };
  return { value: learningRate, note: `SFTConfig default since TRL 0.12 (${source}; the Trainer's is 5e-5)` };
}

/** Which TRL versions the repository allows, and the eras of the GRPO batch rule among them. */
interface TrlVersion {
  eras: Era[];
  /** "trl==0.16.1 (requirements.txt:3)", or the range assumed. */
  source: string;
  pinned: boolean;
  /** The pin admits only versions before GRPO counted completions (< 0.15). */
  tooOld?: boolean;
}

function trlVersion(env: ExtractEnv): TrlVersion {
  const pin = env.packagePin?.('trl');
  const range: VersionRange | undefined = pin ? parseVersionRange(pin.spec) : undefined;
  if (pin && range) {
    const eras = ERAS.filter((e) => overlaps(range, e.from, e.to));
    const source = `trl${pin.spec} (${pin.file}:${pin.line})`;
    return { eras, source, pinned: true, ...(eras.length === 0 ? { tooOld: true } : {}) };
  }
  return { eras: [ERAS[ERAS.length - 1]], source: 'no TRL pin in requirements*.txt, pyproject.toml or setup.py: the current rule (TRL ≥ 0.20) is applied', pinned: false };
}

export interface GrpoValues {
  pd: Setting<number>;
  ga: Setting<number>;
  g: Setting<number>;
  gbs?: Setting<number>;
  spg?: Setting<number>;
  mu: Setting<number>;
  pdEval?: Setting<number>;
  gEval?: Setting<number>;
}

export interface TrlExtension {
  /** Before `assume` is applied: TRL's own defaults in place of the Trainer's. */
  readExtra(plan: TrainingPlan, notes: string[]): void;
  /** After `assume`: the RL units and the start-up checks (the world size may come from the launcher). */
  beforeDerive(plan: TrainingPlan, notes: string[]): void;
  /** GRPO's step count: prompts × num_generations × num_iterations over the completions per optimizer step. */
  deriveSteps?(plan: TrainingPlan, notes: string[]): boolean;
  batchChecks: BatchCheck[];
  configErrors: ConfigError[];
  conflicts: Conflict[];
  launchChecks: Record<string, string>;
}

const TRL_STOPS = 'TRL refuses to start (GRPOConfig/GRPOTrainer raise ValueError before training)';

/**
 * Where a check points: the first of `settings` written in this file (a value the launch command gives has its
 * range in the script, not here: the check then goes to the file's start, where the engine adds the command).
 */
function rangeOf(path: string, ...settings: (Setting | undefined)[]): Range | undefined {
  const inFile = (s: Setting | undefined) => s?.range !== undefined && (s.file === undefined || s.file === path);
  const written = settings.find((s) => s?.range && s.origin !== 'default' && s.origin !== 'derived');
  if (written) return inFile(written) ? written.range : undefined;
  return settings.find(inFile)?.range;
}

const divisorsOf = (n: number): number[] => {
  const out: number[] = [];
  for (let d = 2; d <= Math.min(n, 4096); d++) if (n % d === 0) out.push(d);
  return out;
};

/** The TRL extension for a config, or undefined when it is not a GRPO/DPO config. */
export function trlExtension(file: SourceFile, env: ExtractEnv, loader: YamlLoader, anchor: Range): TrlExtension | undefined {
  if (isSftConfig(file)) return sftExtension(env);
  const kind = trlKind(file);
  if (!kind) return undefined;
  const num = (key: string) => numberAt(file, [key], loader);
  const out: TrlExtension = {
    batchChecks: [],
    configErrors: [],
    conflicts: [],
    launchChecks: {},
    readExtra(plan, notes) {
      const lr = kind === 'grpo' ? GRPO_DEFAULTS.learningRate : DPO_DEFAULTS.learningRate;
      if (plan.peakLr?.origin === 'default') plan.peakLr = defaultSetting(lr, 'learning_rate', `${kind === 'grpo' ? 'GRPOConfig' : 'DPOConfig'} default (the Trainer's is 5e-5)`);
      if (kind === 'dpo') notes.push('DPOConfig: per_device_train_batch_size counts preference pairs (chosen and rejected together)');
    },
    beforeDerive() {},
  };
  if (kind === 'dpo') return out;

  let values: GrpoValues | undefined;
  /** The pinned TRL counts prompts per device (< 0.15). */
  let promptUnits = false;
  out.beforeDerive = (plan, notes) => {
    const pd = plan.microBatchSize!;
    const ga = plan.gradAccumSteps!;
    const g = num('num_generations') ?? defaultSetting(GRPO_DEFAULTS.numGenerations, 'num_generations', 'GRPOConfig default');
    const mu = num('num_iterations') ?? defaultSetting(GRPO_DEFAULTS.numIterations, 'num_iterations', 'GRPOConfig default');
    const gbs = num('generation_batch_size');
    const spg = num('steps_per_generation');
    const pdEval = num('per_device_eval_batch_size') ?? defaultSetting(8, 'per_device_eval_batch_size');
    const gEval = num('num_generations_eval');
    values = { pd, ga, g, mu, ...(gbs ? { gbs } : {}), ...(spg ? { spg } : {}), pdEval, ...(gEval ? { gEval } : {}) };
    plan.samplesPerPrompt = withUnit(g, 'completions');
    plan.schedulerTick = { value: 'optimizer-step', origin: 'derived', how: 'the Trainer steps the LR scheduler once per optimizer step' };
    const version = trlVersion(env);
    notes.push(`TRL version: ${version.source}`);
    if (version.tooOld) {
      // Before 0.15 a device's batch is prompts, each sampled num_generations times (research wave2 §5).
      plan.microBatchSize = { ...pd, unit: 'prompts', note: [pd.note, `GRPO before TRL 0.15 (${version.source}): prompts per device, each sampled num_generations times`].filter(Boolean).join('; ') };
      promptUnits = true;
      notes.push('the pinned TRL is older than 0.15, where per_device_train_batch_size still counted prompts: the GRPO batch rules below are not applied');
      return;
    }
    plan.microBatchSize = { ...pd, unit: 'completions', note: [pd.note, 'GRPO: completions per device (TRL ≥ 0.15), not prompts'].filter(Boolean).join('; ') };
    grpoChecks(file, env, plan, values, version, out, anchor, notes);
  };
  out.deriveSteps = (plan, notes) => {
    // TRL < 0.15: the Trainer's own count over a dataloader of prompts; the global batch is told in completions.
    if (promptUnits) {
      const prompts = plan.globalBatchSize;
      const g = plan.samplesPerPrompt;
      if (prompts && g) plan.globalBatchSize = derivedFrom(prompts, prompts.value * g.value, `${prompts.how ?? formatCount(prompts.value)} = ${formatCount(prompts.value)} prompts × num_generations ${formatCount(g.value)}`, 'completions');
      return false;
    }
    if (!values) return false;
    return deriveGrpoSteps(plan, values, notes);
  };
  return out;
}

/** SFTConfig: its own default learning rate, by TRL version (nothing else of the Trainer's changes). */
function sftExtension(env: ExtractEnv): TrlExtension {
  return {
    batchChecks: [],
    configErrors: [],
    conflicts: [],
    launchChecks: {},
    readExtra(plan) {
      if (plan.peakLr?.origin !== 'default') return;
      const lr = sftLearningRate(env);
      plan.peakLr = defaultSetting(lr.value, 'learning_rate', lr.note);
    },
    beforeDerive() {},
  };
}

/** The completions of one generation batch and what each part of it is, given the world size. */
export function generationBatch(v: GrpoValues, p: number | undefined): { gbs?: number; spg?: number; how?: string } {
  if (v.gbs) return { gbs: v.gbs.value, ...(p ? { spg: v.gbs.value / (v.pd.value * p) } : {}), how: `generation_batch_size ${formatCount(v.gbs.value)}` };
  const spg = v.spg?.value ?? v.ga.value;
  const spgName = v.spg ? `steps_per_generation ${formatCount(spg)}` : `steps_per_generation = gradient_accumulation_steps ${formatCount(spg)}`;
  if (!p) return { spg };
  return { gbs: v.pd.value * p * spg, spg, how: `per_device_train_batch_size ${formatCount(v.pd.value)} × ${formatCount(p)} processes × ${spgName}` };
}

function grpoChecks(file: SourceFile, env: ExtractEnv, plan: TrainingPlan, v: GrpoValues, version: TrlVersion, out: TrlExtension, anchor: Range, notes: string[]): void {
  const { pd, ga, g } = v;
  const world = dataParallel(plan);
  const p = world?.value;
  const at = (...s: (Setting | undefined)[]): Range => rangeOf(file.path, ...s) ?? anchor;
  const eraNames = version.eras.map((e) => e.label).join(', ');

  // GRPOConfig.__post_init__: at least two generations.
  if (g.value < 2) {
    out.configErrors.push({
      range: at(g),
      message: `num_generations ${formatCount(g.value)}: ${TRL_STOPS.replace(' (GRPOConfig/GRPOTrainer raise ValueError before training)', '')} ("GRPO requires at least 2 generations per prompt to calculate the advantages. You provided ${formatCount(g.value)}, which is less than the minimum required."); set num_generations to 2 or more`,
      data: { numGenerations: g.value },
    });
  }
  const auto = boolAt(file, ['auto_find_batch_size']);
  if (auto?.value === true) {
    out.configErrors.push({ range: at(auto), message: 'auto_find_batch_size true: TRL refuses to start ("auto_find_batch_size is not supported by GRPO…"); remove it and set per_device_train_batch_size' });
  }
  const newKeys = version.eras.every((e) => e.id === 'v0.18' || e.id === 'v0.20');
  if (v.gbs && v.spg && newKeys) {
    out.conflicts.push({
      kind: 'generation-batch-and-steps',
      range: at(v.spg, v.gbs),
      message: `generation_batch_size ${formatCount(v.gbs.value)} and steps_per_generation ${formatCount(v.spg.value)} are both set: TRL refuses to start ("'generation_batch_size' and 'steps_per_generation' can not be both configured at the same time"); keep one (steps_per_generation = generation_batch_size / (per_device_train_batch_size × processes))`,
      data: { generationBatchSize: v.gbs.value, stepsPerGeneration: v.spg.value },
    });
  }
  if ((v.gbs || v.spg) && !newKeys && version.pinned && version.eras.every((e) => e.id === 'v0.15' || e.id === 'v0.17')) {
    notes.push(`${v.gbs ? 'generation_batch_size' : 'steps_per_generation'} exists since TRL 0.18; ${version.source} does not know it`);
  }

  if (!p) {
    notes.push('GRPO batch checks need the number of processes (accelerate --num_processes, or assume.worldSize): only the ones that do not depend on it were made');
  }
  // The batch rule fails for the repository when it fails in every era its TRL pin allows; the
  // latest era's wording is reported.
  const gen = generationBatch(v, p);
  const pGlobal = p ? pd.value * p : undefined;
  const fix = (n: number, of: string): string => {
    const ok = divisorsOf(n).filter((d) => d <= 64);
    return ok.length ? `num_generations must divide ${formatCount(n)} (e.g. ${ok.slice(-4).join(', ')}), or ${of}` : of;
  };
  interface Failure {
    kind: string;
    message: string;
    range: Range;
    data: Record<string, unknown>;
  }
  // Numbers first: "the generation batch of 128 completions"; how it was computed closes the message.
  const written = gen.gbs !== undefined && gen.how === `generation_batch_size ${formatCount(gen.gbs)}`;
  const genText = gen.gbs !== undefined ? (written ? gen.how : `the generation batch of ${formatCount(gen.gbs)} completions`) : '';
  const genHow = gen.gbs !== undefined && !written ? ` (the generation batch = ${gen.how})` : '';
  const ruleFails = (era: Era): Failure | undefined => {
    if (era.id === 'v0.15') {
      if (!p) return undefined;
      const n = p * pd.value;
      if (n % g.value === 0) return undefined;
      return {
        kind: 'grpo-global-batch-v0.15',
        range: at(g, pd),
        message: `the global train batch of ${formatCount(n)} completions is not divisible by num_generations ${formatCount(g.value)}: ${TRL_STOPS} ("The global train batch size (${formatCount(p)} x ${formatCount(pd.value)}) must be evenly divisible by the number of generations per prompt (${formatCount(g.value)}).", ${era.label}); ${fix(n, 'raise per_device_train_batch_size to a multiple of it')} (the global train batch = ${formatCount(p)} processes × per_device_train_batch_size ${formatCount(pd.value)})`,
        data: { numGenerations: g.value, perDevice: pd.value, processes: p },
      };
    }
    if (era.id === 'v0.17') {
      if (!p) return undefined;
      const n = p * pd.value * ga.value;
      if (n % g.value === 0) return undefined;
      return {
        kind: 'grpo-global-batch-v0.17',
        range: at(g, pd, ga),
        message: `the effective train batch of ${formatCount(n)} completions is not divisible by num_generations ${formatCount(g.value)}: ${TRL_STOPS} ("The effective train batch size (${formatCount(p)} x ${formatCount(pd.value)} x ${formatCount(ga.value)}) must be evenly divisible by the number of generations per prompt (${formatCount(g.value)}).", ${era.label}); ${fix(n, 'change gradient_accumulation_steps or per_device_train_batch_size')} (the effective train batch = ${formatCount(p)} processes × per_device_train_batch_size ${formatCount(pd.value)} × gradient_accumulation_steps ${formatCount(ga.value)})`,
        data: { numGenerations: g.value, perDevice: pd.value, processes: p, gradientAccumulationSteps: ga.value },
      };
    }
    // TRL ≥ 0.18: a written generation batch against the global batch (processes × per-device).
    if (v.gbs && pGlobal && v.gbs.value % pGlobal !== 0) {
      return {
        kind: 'grpo-generation-batch-not-divisible-by-global',
        range: at(v.gbs, pd),
        message: `generation_batch_size ${formatCount(v.gbs.value)} is not divisible by the global batch per_device_train_batch_size ${formatCount(pd.value)} × ${formatCount(p!)} processes = ${formatCount(pGlobal)}: ${TRL_STOPS} ("generation_batch_size (${formatCount(v.gbs.value)}) must be divisible by the global batch size (${formatCount(pGlobal)}).", ${era.label}); use a multiple of ${formatCount(pGlobal)} (e.g. ${formatCount(Math.max(pGlobal, Math.round(v.gbs.value / pGlobal) * pGlobal))})`,
        data: { generationBatchSize: v.gbs.value, globalBatch: pGlobal },
      };
    }
    if (!gen.gbs || gen.gbs % g.value === 0) return undefined;
    if (era.id === 'v0.18') {
      if (!p) return undefined;
      const spg = gen.spg ?? ga.value;
      return {
        kind: 'grpo-global-batch-v0.18',
        range: at(g, v.spg, pd, ga),
        message: `${genText} is not divisible by num_generations ${formatCount(g.value)}: ${TRL_STOPS} ("The effective train batch size (${formatCount(p)} x ${formatCount(pd.value)} x ${formatCount(spg)}) must be evenly divisible by the number of generations per prompt (${formatCount(g.value)}).", ${era.label}); ${fix(gen.gbs, 'change steps_per_generation or per_device_train_batch_size')}${genHow}`,
        data: { generationBatchSize: gen.gbs, numGenerations: g.value },
      };
    }
    return {
      kind: 'grpo-generation-batch-not-divisible-by-generations',
      range: at(v.gbs, g, pd, ga),
      message: `${genText} is not divisible by num_generations ${formatCount(g.value)}: ${TRL_STOPS} ("generation_batch_size (${formatCount(gen.gbs)}) must be divisible by num_generations (${formatCount(g.value)}).", ${era.label}); ${fix(gen.gbs, v.gbs ? 'change generation_batch_size' : 'change steps_per_generation, gradient_accumulation_steps or per_device_train_batch_size')}${genHow}`,
      data: { generationBatchSize: gen.gbs, numGenerations: g.value },
    };
  };
  let failure: Failure | undefined;
  for (const era of version.eras) {
    const f = ruleFails(era);
    if (!f) {
      failure = undefined;
      break;
    }
    failure = f;
  }
  if (failure) out.batchChecks.push({ kind: failure.kind, range: failure.range, message: failure.message, data: { ...failure.data, trl: version.source } });

  // Evaluation: the global eval batch against the generations used for evaluation.
  const evalStrategy = stringAt(file, ['eval_strategy'])?.value ?? 'no';
  const doEval = boolAt(file, ['do_eval'])?.value;
  if (p && v.pdEval && evalStrategy !== 'no' && doEval !== false) {
    const gE = v.gEval ?? g;
    const n = p * v.pdEval.value;
    if (n % gE.value !== 0) {
      out.batchChecks.push({
        kind: 'grpo-eval-batch-not-divisible',
        range: at(v.pdEval, gE),
        message: `the global eval batch per_device_eval_batch_size ${formatCount(v.pdEval.value)}${v.pdEval.origin === 'default' ? ' (Trainer default)' : ''} × ${formatCount(p)} processes = ${formatCount(n)} is not divisible by ${gE.key ?? 'num_generations'} ${formatCount(gE.value)}: ${TRL_STOPS} ("The global eval batch size (${formatCount(v.pdEval.value)} * ${formatCount(p)}) must be divisible by the number of generations used for evaluation (${formatCount(gE.value)})."); set per_device_eval_batch_size to a multiple of ${formatCount(gE.value / gcd(gE.value, p))}`,
        data: { evalBatch: n, numGenerations: gE.value },
      });
    }
  }

  if (!version.pinned) notes.push('TRL < 0.17 additionally required processes × per_device_train_batch_size to be divisible by num_generations, and TRL 0.17 processes × per_device × gradient_accumulation_steps: pin trl in requirements.txt to check the rule of the version you run');
  else if (version.eras.length > 1) notes.push(`the TRL pin allows several batch rules (${eraNames}): a batch check is reported only when it fails under all of them`);

  // RL units for the plan.
  if (gen.gbs) {
    const prompts = gen.gbs / g.value;
    if (Number.isInteger(prompts)) plan.promptsPerRolloutStep = derived(prompts, `${gen.how ?? formatCount(gen.gbs)} / num_generations ${formatCount(g.value)}`, 'prompts');
  }
  if (gen.spg !== undefined && Number.isInteger(gen.spg)) {
    const per = (gen.spg * v.mu.value) / ga.value;
    if (Number.isInteger(per) && per >= 1) plan.optimizerStepsPerRolloutStep = derived(per, `steps_per_generation ${formatCount(gen.spg)} × num_iterations ${formatCount(v.mu.value)} / gradient_accumulation_steps ${formatCount(ga.value)}`, 'optimizer steps');
  }
  out.launchChecks['batch-size-mismatch'] = TRL_STOPS;
  void env;
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

/**
 * Steps of a GRPO run: RepeatSampler draws generation_batch_size / num_generations prompts per
 * generation (dropping an incomplete last group), each used steps_per_generation × num_iterations
 * micro-steps; the Trainer takes ceil(micro-steps / gradient_accumulation_steps) optimizer steps per epoch.
 */
export function deriveGrpoSteps(plan: TrainingPlan, v: GrpoValues, notes: string[]): boolean {
  const { datasetSamples, epochs } = plan;
  const p = dataParallel(plan)?.value;
  const gen = generationBatch(v, p);
  // Never the Trainer's own count: its dataset rows are prompts, each used num_generations times.
  if (!datasetSamples || !gen.gbs || gen.spg === undefined) return true;
  const promptsPerGen = gen.gbs / v.g.value;
  if (!Number.isInteger(promptsPerGen) || promptsPerGen <= 0) return true;
  const generations = Math.floor(datasetSamples.value / promptsPerGen);
  const micro = generations * gen.spg * v.mu.value;
  const spe = Math.max(1, Math.ceil(micro / v.ga.value));
  const how = `ceil(floor(${formatCount(datasetSamples.value)} prompts / ${formatCount(promptsPerGen)} per generation) × steps_per_generation ${formatCount(gen.spg)} × num_iterations ${formatCount(v.mu.value)} / gradient_accumulation_steps ${formatCount(v.ga.value)})`;
  plan.stepsPerEpoch = derived(spe, how, 'steps');
  if (!plan.totalSteps && epochs) plan.totalSteps = derivedFrom(epochs, Math.ceil(epochs.value * spe), `ceil(${formatCount(epochs.value)} epochs × ${formatCount(spe)} steps/epoch); each prompt counts num_generations ${formatCount(v.g.value)} times`, 'steps');
  notes.push(`GRPO: one epoch is ${formatCount(spe)} optimizer steps (${formatCount(datasetSamples.value)} prompts × ${formatCount(v.g.value)} completions each${v.mu.value > 1 ? ` × ${formatCount(v.mu.value)} iterations` : ''}), so warmup_ratio and the intervals scale with num_generations`);
  return true;
}
