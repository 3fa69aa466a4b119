/**
 * Two files that describe one run: a trainer config naming a DeepSpeed JSON
 * (`deepspeed: ds_config.json` in Hugging Face Trainer, axolotl and LLaMA-Factory YAML).
 * The linked file is read with its own dialect; the run's plan merges both, each value
 * keeping the file it came from. research/frameworks.md §3, §15.6.
 */
import type { SourceFile } from './source.js';
import { getIn } from './tree.js';
import type { PlanField, Range, Setting, TrainingPlan } from './types.js';

/** Dialects whose `deepspeed:` key names a DeepSpeed config the HF Trainer loads. */
const DEEPSPEED_KEY_DIALECTS = new Set(['hf-trainer', 'axolotl', 'llama-factory']);

export interface LinkRequest {
  role: 'deepspeed';
  /** The path as written in the config. */
  written: string;
  key: string;
  range: Range;
}

export interface LinkedPlan extends LinkRequest {
  /** Root-relative path of the linked file. */
  path: string;
  plan: TrainingPlan;
}

export function linkRequests(file: SourceFile, dialectId: string | undefined): LinkRequest[] {
  if (!dialectId || !DEEPSPEED_KEY_DIALECTS.has(dialectId)) return [];
  const hit = getIn(file.tree, ['deepspeed']);
  if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string' || !/\.json$/i.test(hit.node.value)) return [];
  return [{ role: 'deepspeed', written: hit.node.value, key: 'deepspeed', range: hit.keyRange }];
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
      const replaces = dsHasScheduler && SCHEDULER_FIELDS.includes(field) && setting.origin === 'explicit';
      if (!target[field] || replaces) target[field] = setting;
    }
  }
  return merged;
}
