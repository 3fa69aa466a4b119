import { formatCount, formatFractionDown, formatPercent, percentShown } from '../engine/format-number.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import { brief, clearOfEstimates, derivation, keyValue, rangeOf, tickNouns, warmupAsWritten, type Rule } from './types.js';

/**
 * The share of the run the user wrote, when the warmup is written as a fraction of the run itself (HF
 * `warmup_ratio`, a fraction of the total steps): the framework rounds its step count (ceil(238 × 0.2) = 48 is
 * 20.2%), but the ratio is what was chosen, so it is what is compared with the limit.
 */
function writtenShare(warmup: Setting<number>, total: Setting<number>): number | undefined {
  const f = warmup.fractionOf;
  return f && Math.abs(f.ofSteps - total.value) < 1e-9 ? f.fraction : undefined;
}

/**
 * A warmup that follows the run's length (a fraction of it): its share does not change when the run is
 * shortened, so it is its own cause, never part of "the run is shorter than what it was sized for".
 */
function fromRatio(warmup: Setting<number>, total: Setting<number>, plan: TrainingPlan): boolean {
  if (writtenShare(warmup, total) !== undefined) return true;
  return warmup.origin === 'derived' && !warmup.key && plan.warmupRatio !== undefined && plan.warmupRatio.origin !== 'default';
}

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
    const written = writtenShare(warmup, total);
    const fraction = written ?? warmup.value / total.value;
    // At or beyond 100% warmup-exceeds-training reports it.
    if (fraction >= 1 || warmup.value >= total.value) return;
    // Compared at the precision the message prints (one decimal of a percent): a share shown as
    // the limit itself (20.001% of a 20% limit prints as 20%) is not a finding.
    // The numbers formatPercent prints, compared without printing them (most runs are within the limit).
    if (percentShown(fraction) <= percentShown(max)) return;
    const share = formatPercent(fraction);
    // A written ratio is exact; a share computed against an estimated run length needs a margin.
    if (written === undefined && !clearOfEstimates(fraction / max, warmup, total)) return;
    const suggested = Math.floor(total.value * max);
    // Against an upper bound on the run's length the share is a lower bound.
    const sameEstimate = total.estimatedFrom !== undefined && total.estimatedFrom === warmup.estimatedFrom;
    // A ratio of the run is that share whatever the run's length turns out to be.
    const shown = total.bound === 'upper' && !sameEstimate && written === undefined ? `at least ${share}` : share;
    const asSteps = warmupAsWritten(warmup, suggested, ctx.plan, ctx.file.path, max);
    // A ratio of the run written by the user is compared as written: the limit itself is a ratio to write,
    // though the floored step count over the run gives a smaller one (0.197 for 47 of 238 steps).
    const limit = `${formatFractionDown(max)}${warmup.fractionOf?.suffix ?? ''}`;
    const advice =
      written !== undefined && warmup.key && !asSteps.floored && !asSteps.fix.endsWith(` ${limit}`) && !asSteps.fix.endsWith(`=${limit}`)
        ? (() => {
            const kv = keyValue(warmup.key, limit, warmup.file ?? ctx.file.path);
            return { text: kv, fix: kv, floored: false, steps: suggested };
          })()
        : asSteps;
    // A warmup derived from a ratio without a key of its own is reported where the ratio is written.
    const range = rangeOf(ctx, warmup, warmup.key ? undefined : ctx.plan.warmupRatio);
    const nouns = tickNouns(ctx.plan);
    // A run too short for one warmup step within the limit: no warmup (never "0 or less").
    const fix = advice.floored ? advice.text : advice.steps === 0 ? `set ${advice.text}: no warmup, one step would already be ${formatPercent(1 / total.value)} of the run` : `set ${advice.text} or less`;
    const what = written !== undefined ? `${warmup.key ?? 'the warmup ratio'} ${written}${warmup.fractionOf?.suffix ?? ''} (${formatCount(warmup.value)} ${nouns.many})` : `warmup ${formatCount(warmup.value)} ${nouns.many}${brief(warmup)}`;
    ctx.report({
      range,
      message:
        `${what} is ${shown} of the run's ${formatCount(total.value)} ${nouns.run}${brief(total)}, ` +
        `above the ${formatPercent(max)} limit: the LR stays below its peak for ${shown} of the run and the decay gets the rest; ` +
        `${fix}${derivation(['warmup', warmup], ['the run', total])}`,
      data: { warmupSteps: warmup.value, totalSteps: total.value, fraction, max, suggestedWarmupSteps: suggested, ...(written !== undefined ? { writtenFraction: written } : {}) },
      fix: advice.fix,
      // A share written as a ratio stays the same in a shorter run: not a run-length cause (engine/group-findings.ts).
      ...(fromRatio(warmup, total, ctx.plan)
        ? {}
        : {
            runLength: {
              consequence: `warmup takes ${shown} of the run`,
              advice: advice.floored || advice.steps === 0 ? advice.fix : `${advice.fix} or less`,
              written: warmup.range !== undefined && range === warmup.range,
            },
          }),
    });
  },
};
