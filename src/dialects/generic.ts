/**
 * In-house configs: `.trainlint.yml` `mappings` name the key path of each canonical field
 * (`peakLr: optim.lr`, `microBatchSize: data.batch_per_gpu`). Only mapped keys are read; `assume` fills
 * fields no key gives. One default: gradient accumulation 1 when a micro batch is mapped and nothing maps
 * or assumes the accumulation (origin 'default', documented in the README's generic section).
 */
import { applyAssumptions, defaultSetting, deriveGlobalBatch, deriveWarmupFromRatio, derived, numberAt, stringAt } from '../engine/plan.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import { getIn } from '../engine/tree.js';
import { STRING_PLAN_FIELDS, type PlanField, type Setting, type TrainingPlan } from '../engine/types.js';
import type { Dialect, MissingField } from './types.js';

function keyPath(path: string): string[] {
  return path.split('.').filter(Boolean);
}

export const generic: Dialect = {
  meta: {
    id: 'generic',
    title: 'Generic (key mapping)',
    description: 'any YAML/JSON/TOML config whose keys are mapped to canonical fields in .trainlint.yml `mappings`',
    yamlLoader: 'pyyaml',
  },
  detect(file, env) {
    if (!file.tree) return 0;
    const paths = Object.values(env.mappings).filter((p): p is string => typeof p === 'string');
    const hits = paths.filter((p) => getIn(file.tree, keyPath(p)) !== undefined).length;
    return hits >= 2 ? 1 : 0;
  },
  extract(file, env) {
    const plan: TrainingPlan = {};
    for (const [field, path] of Object.entries(env.mappings) as [PlanField, string][]) {
      const setting: Setting | undefined = STRING_PLAN_FIELDS.has(field)
        ? stringAt(file, keyPath(path))
        : numberAt(file, keyPath(path), 'pyyaml');
      if (setting) (plan as Record<string, Setting>)[field] = setting;
    }
    applyAssumptions(plan, env.assume);
    // Neither mapped nor assumed: the generic dialect's documented default (README, generic section), said as one.
    if (!plan.gradAccumSteps && plan.microBatchSize) {
      plan.gradAccumSteps = defaultSetting(1, 'gradAccumSteps', 'the generic dialect\'s default: no accumulation unless mappings.gradAccumSteps or assume.gradAccumSteps says otherwise');
    }
    deriveGlobalBatch(plan);
    const { datasetSamples, globalBatchSize, epochs } = plan;
    if (!plan.stepsPerEpoch && datasetSamples && globalBatchSize) {
      plan.stepsPerEpoch = derived(Math.ceil(datasetSamples.value / globalBatchSize.value), `ceil(${formatCount(datasetSamples.value)} / ${formatCount(globalBatchSize.value)})`, 'steps');
    }
    if (!plan.totalSteps && plan.stepsPerEpoch && epochs) {
      plan.totalSteps = derived(plan.stepsPerEpoch.value * epochs.value, `${formatCount(plan.stepsPerEpoch.value)} × ${formatCount(epochs.value)}`, 'steps');
    }
    deriveWarmupFromRatio(plan);
    const missing: MissingField[] = [];
    for (const field of ['peakLr', 'globalBatchSize', 'warmupSteps', 'totalSteps'] as PlanField[]) {
      if (!plan[field]) missing.push({ field, hint: `map it in .trainlint.yml \`mappings.${field}\` or set \`assume.${field}\`` });
    }
    return { plan, missing, anchor: fileStartRange(file), notes: [] };
  },
};
