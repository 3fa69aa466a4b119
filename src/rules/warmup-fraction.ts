import { formatCount, formatPercent } from '../engine/format-number.js';
import { brief, clearOfEstimates, derivation, rangeOf, tickNouns, warmupAsWritten, type Rule } from './types.js';

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
    const { warmupSteps: warmup, totalSteps: total } = ctx.plan;
    const max = Number(ctx.options.max ?? 0.2);
    if (!warmup || !total || total.value <= 0) return;
    const fraction = warmup.value / total.value;
    // At or beyond 100% warmup-exceeds-training reports it.
    if (fraction >= 1) return;
    // Compared at the precision the message prints (one decimal of a percent): a share shown as
    // the limit itself (20.001% of a 20% limit prints as 20%) is not a finding.
    const share = formatPercent(fraction);
    if (Number.parseFloat(share) <= Number.parseFloat(formatPercent(max))) return;
    if (!clearOfEstimates(fraction / max, warmup, total)) return;
    const suggested = Math.floor(total.value * max);
    // Against an upper bound on the run's length the share is a lower bound.
    const sameEstimate = total.estimatedFrom !== undefined && total.estimatedFrom === warmup.estimatedFrom;
    const shown = total.bound === 'upper' && !sameEstimate ? `at least ${share}` : share;
    const advice = warmupAsWritten(warmup, suggested, ctx.plan, ctx.file.path, max);
    const range = rangeOf(ctx, warmup);
    const nouns = tickNouns(ctx.plan);
    const fix = advice.floored ? advice.text : `set ${advice.text} or less`;
    ctx.report({
      range,
      message:
        `warmup ${formatCount(warmup.value)} ${nouns.many}${brief(warmup)} is ${shown} of the run's ${formatCount(total.value)} ${nouns.run}${brief(total)}, ` +
        `above the ${formatPercent(max)} limit: the LR stays below its peak for ${shown} of the run and the decay gets the rest; ` +
        `${fix}${derivation(['warmup', warmup], ['the run', total])}`,
      data: { warmupSteps: warmup.value, totalSteps: total.value, fraction, max, suggestedWarmupSteps: suggested },
      fix: advice.fix,
      runLength: {
        consequence: `warmup takes ${shown} of the run`,
        advice: advice.floored ? advice.fix : `${advice.fix} or less`,
        written: warmup.range !== undefined && range === warmup.range,
      },
    });
  },
};
