import { formatCount, formatPercent } from '../engine/format-number.js';
import { checkEpochHorizon, checkMilestones } from './decay-milestones.js';
import { clearOfEstimates, launchRejection, rangeOf, sourceOf, type Rule } from './types.js';

export const decayHorizonMismatch: Rule = {
  meta: {
    id: 'decay-horizon-mismatch',
    defaultSeverity: 'warning',
    description: 'The LR decay horizon differs from the total optimizer steps: the LR ends early (flat tail) or never reaches its floor.',
    options: {
      type: 'object',
      properties: { tolerance: { type: 'number', minimum: 0, maximum: 1 } },
      additionalProperties: false,
    },
    defaultOptions: { tolerance: 0.05 },
  },
  check(ctx) {
    // Multi-step milestones, and a horizon known in epochs only (decay-milestones.ts).
    checkMilestones(ctx);
    if (checkEpochHorizon(ctx, Number(ctx.options.tolerance ?? 0.05))) return;
    const { decaySteps: decay, totalSteps: total, warmupSteps: warmup } = ctx.plan;
    if (!decay || !total || total.value <= 0) return;
    // Never tighter than one optimizer step (one global batch of samples).
    const tolerance = Math.max(1, total.value * Number(ctx.options.tolerance ?? 0.05));
    const diff = decay.value - total.value;
    // A framework that rejects any horizon shorter than the run is reported without tolerance.
    if (Math.abs(diff) <= tolerance && !(diff < 0 && ctx.launchCheck)) return;
    if (!clearOfEstimates(Math.max(decay.value, total.value) / Math.max(1, Math.min(decay.value, total.value)), decay, total)) return;
    const range = rangeOf(ctx, decay, total);
    const data = { decaySteps: decay.value, totalSteps: total.value, difference: diff, fraction: decay.value / total.value };
    const decayText = `the LR decay ends at step ${formatCount(decay.value)}${sourceOf(decay)}`;
    const totalText = `training runs ${formatCount(total.value)} optimizer steps${sourceOf(total)}`;
    if (diff < 0) {
      const tail = total.value - decay.value;
      const last = `the last ${formatCount(tail)} steps (${formatPercent(tail / total.value)})`;
      const fix = `set the decay horizon to ${formatCount(total.value)} or shorten training`;
      const pastEnd = {
        flat: `${last} run flat at the minimum LR`,
        rises: `the schedule is not clamped at its end, so over ${last} the cosine passes its minimum and the LR climbs back up`,
        negative: `the schedule is not clamped at its end, so over ${last} the decay continues below the minimum LR and can turn it negative`,
      };
      const consequence =
        launchRejection(ctx) ??
        (ctx.afterDecay
          ? pastEnd[ctx.afterDecay]
          : `${last} run past the end of the decay: the LR stays at the minimum if the scheduler clamps, otherwise it climbs back or falls below it`);
      ctx.report({
        range,
        message: `${decayText} but ${totalText}: ${consequence}; ${fix}`,
        data: { ...data, tailSteps: tail, afterDecay: ctx.launchCheck ? 'rejected' : (ctx.afterDecay ?? 'unknown') },
      });
    } else {
      const reached = warmup && decay.value > warmup.value ? (total.value - warmup.value) / (decay.value - warmup.value) : total.value / decay.value;
      ctx.report({
        range,
        message:
          `${decayText} but ${totalText}: ` +
          (reached <= 0
            ? 'training stops during warmup, before the decay begins'
            : `training stops ${formatPercent(Math.min(1, reached), reached < 0.01 ? 2 : 1)} of the way through the decay`) +
          `, so the LR never reaches its floor; set the decay horizon to ${formatCount(total.value)}`,
        data: { ...data, decayCompleted: reached },
      });
    }
  },
};
