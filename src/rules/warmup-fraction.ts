import { formatCount, formatPercent } from '../engine/format-number.js';
import { clearOfEstimates, rangeOf, sourceOf, warmupAsWritten, type Rule } from './types.js';

export const warmupFraction: Rule = {
  meta: {
    id: 'warmup-fraction',
    defaultSeverity: 'error',
    description: 'Warmup takes more than `max` (default 20%) of the optimizer steps.',
    options: {
      type: 'object',
      properties: { max: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
      additionalProperties: false,
    },
    defaultOptions: { max: 0.2 },
  },
  check(ctx) {
    const { warmupSteps, totalSteps } = ctx.plan;
    const max = Number(ctx.options.max ?? 0.2);
    if (!warmupSteps || !totalSteps || totalSteps.value <= 0) return;
    const fraction = warmupSteps.value / totalSteps.value;
    // At or beyond 100% warmup-exceeds-training reports it.
    if (fraction <= max || fraction >= 1) return;
    if (!clearOfEstimates(fraction / max, warmupSteps, totalSteps)) return;
    const suggested = Math.floor(totalSteps.value * max);
    // Just above the limit, one decimal would print the limit itself ("20% … above the 20% limit").
    const exact = formatPercent(fraction) === formatPercent(max) ? formatPercent(fraction, 3) : formatPercent(fraction);
    // Against an upper bound on the run's length the share is a lower bound.
    const sameEstimate = totalSteps.estimatedFrom !== undefined && totalSteps.estimatedFrom === warmupSteps.estimatedFrom;
    const share = totalSteps.bound === 'upper' && !sameEstimate ? `at least ${exact}` : exact;
    const advice = warmupAsWritten(warmupSteps, suggested);
    ctx.report({
      range: rangeOf(ctx, warmupSteps),
      message:
        `warmup ${formatCount(warmupSteps.value)} steps${sourceOf(warmupSteps)} is ${share} of the ` +
        `${formatCount(totalSteps.value)} optimizer steps${sourceOf(totalSteps)}, above the ${formatPercent(max)} limit: ` +
        `the LR stays below its peak for ${share} of the run and the decay gets the rest; lower warmup to at most ${advice.text}`,
      data: { warmupSteps: warmupSteps.value, totalSteps: totalSteps.value, fraction, max, suggestedWarmupSteps: suggested },
      fix: advice.fix,
    });
  },
};
