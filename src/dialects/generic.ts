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
import type { SourceFile } from '../engine/source.js';
import type { Dialect, MissingField } from './types.js';

/** A mapping's dot-separated path as key steps: a number step (`optimizers.0.lr`) indexes a list (and still names a `0:` key of a mapping). */
function keyPath(path: string): (string | number)[] {
  return path
    .split('.')
    .filter(Boolean)
    .map((step) => (/^(?:0|[1-9]\d*)$/.test(step) ? Number(step) : step));
}

function shortText(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** What the file holds at a mapped path that gave no value: nothing, or a value of the wrong kind. */
function unreadMapping(file: SourceFile, field: PlanField, path: string): string {
  const hit = getIn(file.tree, keyPath(path));
  const wanted = STRING_PLAN_FIELDS.has(field) ? 'a string' : 'a number';
  if (!hit) return `\`mappings.${field}\` names ${path}, which is not in this file: fix the mapping or set \`assume.${field}\``;
  const node = hit.node;
  const found = node.kind === 'map' ? 'a mapping' : node.kind === 'seq' ? 'a list' : shortText(JSON.stringify(node.value));
  return `\`mappings.${field}\` names ${path}, which is ${found} in this file, not ${wanted}: fix the mapping or set \`assume.${field}\``;
}

export const generic: Dialect = {
  meta: {
    id: 'generic',
    title: 'Generic (key mapping)',
    description: 'any YAML/JSON/TOML config whose keys are mapped to canonical fields in .trainlint.yml `mappings`',
    yamlLoader: 'pyyaml',
    // The team's own loader: which tags it constructs is not known.
    yamlTags: 'any',
  },
  detect(file, env) {
    if (!file.tree) return 0;
    // Two mapped paths found decide (counting stops there).
    let hits = 0;
    for (const p of Object.values(env.mappings)) if (typeof p === 'string' && getIn(file.tree, keyPath(p)) !== undefined && ++hits === 2) return 1;
    return 0;
  },
  extract(file, env) {
    const plan: TrainingPlan = {};
    // Mapped fields whose path gave no value: why, for the note and the hint.
    const unread = new Map<PlanField, string>();
    for (const [field, path] of Object.entries(env.mappings) as [PlanField, string][]) {
      if (typeof path !== 'string') continue;
      const setting: Setting | undefined = STRING_PLAN_FIELDS.has(field)
        ? stringAt(file, keyPath(path))
        : numberAt(file, keyPath(path), 'pyyaml');
      if (setting) (plan as Record<string, Setting>)[field] = setting;
      else unread.set(field, unreadMapping(file, field, path));
    }
    applyAssumptions(plan, env.assume);
    // Neither mapped nor assumed: the generic dialect's documented default (README, generic section), said as one.
    // A mapped accumulation this file does not give stays unknown (its hint says why).
    if (!plan.gradAccumSteps && plan.microBatchSize && !unread.has('gradAccumSteps')) {
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
    const hinted: PlanField[] = ['peakLr', 'globalBatchSize', 'warmupSteps', 'totalSteps'];
    // An unread mapping is said once: in the hint for the fields above, in a note for the others.
    const notes = [...unread].filter(([field]) => !plan[field] && !hinted.includes(field)).map(([, why]) => why);
    for (const field of hinted) {
      if (!plan[field]) missing.push({ field, hint: unread.get(field) ?? `map it in .trainlint.yml \`mappings.${field}\` or set \`assume.${field}\`` });
    }
    return { plan, missing, anchor: fileStartRange(file), notes };
  },
};
