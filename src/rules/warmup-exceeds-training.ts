import { formatCount } from '../engine/format-number.js';
import { clearOfEstimates, launchRejection, rangeOf, sourceOf, warmupAsWritten, type Rule } from './types.js';

export const warmupExceedsTraining: Rule = {
  meta: {
    id: 'warmup-exceeds-training',
    defaultSeverity: 'error',
    description: 'Warmup steps are at least the total optimizer steps, so the learning rate never reaches its peak.',
  },
  check(ctx) {
    const { warmupSteps, totalSteps } = ctx.plan;
    if (!warmupSteps || !totalSteps || totalSteps.value <= 0) return;
    if (warmupSteps.value < totalSteps.value) return;
    if (!clearOfEstimates(warmupSteps.value / totalSteps.value, warmupSteps, totalSteps)) return;
    const suggested = Math.max(1, Math.round(totalSteps.value * 0.05));
    const advice = warmupAsWritten(warmupSteps, suggested);
    const consequence = launchRejection(ctx) ?? 'the LR never reaches its peak and the decay never starts';
    ctx.report({
      range: rangeOf(ctx, warmupSteps, totalSteps),
      message:
        `warmup ${formatCount(warmupSteps.value)} steps${sourceOf(warmupSteps)} ≥ total ${formatCount(totalSteps.value)} optimizer steps` +
        `${sourceOf(totalSteps)}: ${consequence}; set warmup well below ${formatCount(totalSteps.value)} (5% is ${advice.text})`,
      data: { warmupSteps: warmupSteps.value, totalSteps: totalSteps.value, fraction: warmupSteps.value / totalSteps.value, suggestedWarmupSteps: suggested },
      fix: advice.fix,
    });
  },
};
