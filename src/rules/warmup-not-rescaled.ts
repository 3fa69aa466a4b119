import { formatCount, formatRatio } from '../engine/format-number.js';
import { selfReference } from '../engine/fix.js';
import { batchPerTick, brief, keyUnitValue, rangeOf, replaceValue, tickBatchName, tickNouns, type Rule } from './types.js';

export const warmupNotRescaled: Rule = {
  meta: {
    id: 'warmup-not-rescaled',
    defaultSeverity: 'warning',
    description: 'The global batch changed but warmup is still the same number of steps, so it now covers k× the samples.',
    fixable: true,
    options: {
      type: 'object',
      properties: { tolerance: { type: 'number', minimum: 0, maximum: 1 } },
      additionalProperties: false,
    },
    defaultOptions: { tolerance: 0.1 },
  },
  check(ctx) {
    const ref = ctx.reference;
    // The batch one scheduler tick consumes (an RL rollout step for verl): warmup counts ticks.
    const { warmupSteps: warmup } = ctx.plan;
    const batch = batchPerTick(ctx.plan);
    if (!ref || !batch || !warmup) return;
    // A warmup written as a ratio of training scales with the run by itself.
    if (ctx.plan.warmupRatio || ref.plan.warmupRatio) return;
    // So does one written as a fraction of the decay horizon or of an epoch (NeoX, Megatron, litgpt).
    if (ctx.plan.warmupSteps?.fractionOf || ref.plan.warmupSteps?.fractionOf) return;
    const baseBatch = batchPerTick(ref.plan);
    const baseWarmup = ref.plan.warmupSteps;
    if (!baseBatch || !baseWarmup || baseBatch.value <= 0 || warmup.value <= 0) return;
    const tolerance = Number(ctx.options.tolerance ?? 0.1);
    const k = batch.value / baseBatch.value;
    if (Math.abs(k - 1) <= tolerance || warmup.value !== baseWarmup.value) return;
    const suggested = Math.max(1, Math.round(warmup.value / k));
    // A framework floor (Ultralytics ≤ 8.4.102: 100 iterations) that no value of the key can go below.
    if (warmup.floor && suggested < warmup.floor.steps) return;
    const set = keyUnitValue(warmup, suggested, 'down', ctx.file.path);
    const unit = batch.unit ?? 'samples';
    const total = ctx.plan.totalSteps;
    const nouns = tickNouns(ctx.plan);
    // The same warmup in samples past warmup-fraction's limit of the run (as configured for this file; none when
    // that rule is off): setting it would trade one finding for another, so the advice is about the run's length
    // instead, and nothing is edited.
    const limit = ctx.warmupFractionMax;
    const tooLong = limit !== undefined && total && total.value > 0 && suggested > total.value * limit;
    const self = selfReference(ctx);
    const advice = tooLong
      ? `keeping the same warmup in ${unit} would take ${set.text}, ${formatRatio(suggested / total.value)}× the run's ${formatCount(total.value)} ${nouns.many}${brief(total)}: lengthen the run or keep the warmup within warmup-fraction's limit`
      : `set ${set.text} to keep the same warmup in ${unit}${self ? ` (not applied by --fix: the reference, ${ref.label}, is read from this file and would change with the edit)` : ''}`;
    const cause =
      `warmup still ${formatCount(warmup.value)} ${nouns.many}${brief(warmup)} while ${tickBatchName(ctx.plan)} went ×${formatRatio(k)} ` +
      `(${formatCount(baseBatch.value)} → ${formatCount(batch.value)}): since ${ref.label} it spans ${formatRatio(k)}× the ${unit} ` +
      `(${formatCount(warmup.value * batch.value)} vs ${formatCount(warmup.value * baseBatch.value)})`;
    ctx.report({
      range: rangeOf(ctx, warmup, batch),
      // `cause; advice`: engine/group-findings.ts pairWarmupFindings splits it after the cause's "(… vs …)" to make
      // one finding with warmup-fraction on the same key.
      message: `${cause}; ${advice}`,
      data: {
        batchRatio: k,
        baseGlobalBatchSize: baseBatch.value,
        globalBatchSize: batch.value,
        warmupSteps: warmup.value,
        suggestedWarmupSteps: suggested,
        reference: ref.path,
      },
      fix: tooLong ? undefined : set.text,
      // A reference read from this file itself (a comment, the file's name) would no longer hold after the edit.
      edit: tooLong || self ? undefined : replaceValue(ctx, warmup, set.value),
    });
  },
};
