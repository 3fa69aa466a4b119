/**
 * Two files that describe one run: a trainer config naming a DeepSpeed JSON
 * (`deepspeed: ds_config.json` in Hugging Face Trainer, axolotl, LLaMA-Factory and ms-swift YAML).
 * The linked file is read with its own dialect; the run's plan merges both, each value
 * keeping the file it came from. research/frameworks.md §3, §15.6.
 */
import { overrideOf } from './launch-overrides.js';
import type { SourceFile } from './source.js';
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
  /** The base folder the written path was found from ("the repository root", "the config's folder"). */
  resolvedFrom?: string;
}

export function linkRequests(file: SourceFile, dialectId: string | undefined): LinkRequest[] {
  if (!dialectId || !DEEPSPEED_KEY_DIALECTS.has(dialectId)) return [];
  const hit = getIn(file.tree, ['deepspeed']);
  if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string' || !/\.json$/i.test(hit.node.value)) return [];
  // `--deepspeed ds.json` on the launch command (engine/launch-overrides.ts) names it as written there.
  return [{ role: 'deepspeed', written: hit.node.value, key: overrideOf(hit.node)?.flag ?? 'deepspeed', range: hit.keyRange }];
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
 * The run's plan: the trainer's values, plus what only the DeepSpeed file says. When the
 * DeepSpeed file has a scheduler block, its explicit schedule values replace the trainer's.
 */
export function mergeLinked(primary: TrainingPlan, linked: LinkedPlan[]): TrainingPlan {
  const merged: TrainingPlan = { ...primary };
  const target = merged as Record<string, Setting>;
  for (const link of linked) {
    const dsHasScheduler = link.plan.scheduler?.origin === 'explicit';
    for (const [field, setting] of Object.entries(link.plan) as [PlanField, Setting][]) {
      if (!setting || setting.origin === 'default' || setting.origin === 'assumed') continue;
      const replaces =
        (dsHasScheduler && SCHEDULER_FIELDS.includes(field) && setting.origin === 'explicit') ||
        // What the launcher really starts beats what .trainlint.yml assumed.
        (target[field]?.origin === 'assumed' && (setting.origin === 'launcher' || setting.origin === 'explicit'));
      if (!target[field] || replaces) target[field] = setting;
    }
  }
  return merged;
}
