import { formatCount, formatPercent } from '../engine/format-number.js';
import { checkEpochHorizon, checkMilestones } from './decay-milestones.js';
import type { Setting } from '../engine/types.js';
import { brief, clearOfEstimates, derivation, inKeyUnit, keyValue, launchRejection, rangeOf, tickNouns, type Rule, type RuleContext, type TickNouns } from './types.js';

/**
 * The horizon written back under its own key for a run of `total` steps: the run's own length
 * as written when both are in the same unit (`--lr-decay-samples` = `--train-samples` 19531250),
 * else the step count converted (samples, Composer `ba`).
 */
function horizonFor(decay: Setting<number>, total: Setting<number>, file: string, nouns: TickNouns): string {
  // A horizon no single key sets (derived from several, e.g. NeMo's max_steps − constant_steps).
  if (!decay.key) return `the decay horizon to ${formatCount(total.value)} ${nouns.many}`;
  const d = decay.writtenAs;
  const t = total.writtenAs;
  if (d && t && d.unit === t.unit && t.value !== undefined) return keyValue(decay.key ?? '', `${formatCount(t.value)}${d.suffix ? d.unit : ''}`, decay.file ?? file);
  return inKeyUnit(decay, total.value, 'up', file);
}

/** How to make the horizon the run's length: set it, or drop it where it defaults to the run length. */
function horizonAdvice(ctx: RuleContext, decay: Setting<number>, total: Setting<number>): string {
  // The dialect knows what to change (no key sets the horizon, or another key makes the tail): its own clause.
  if (decay.advice) return decay.advice;
  const set = horizonFor(decay, total, ctx.file.path, tickNouns(ctx.plan));
  // Only a horizon written in the config can be dropped (not a default, not one taken from the run length).
  if (!decay.key || !decay.range || decay.origin === 'default' || decay.key === total.key) return set;
  return ctx.decayDefaultsToRun ? `drop ${decay.key} (it defaults to the run length) or set ${set}` : set;
}

/** "set X" unless the advice already says what to do ("drop X … or set X", a dialect's own clause). */
const asFix = (advice: string, decay: Setting<number>): string => (advice.startsWith('drop ') || advice === decay.advice ? advice : `set ${advice}`);

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
    // Multi-step schedules (their milestones and where they stop), and a horizon known in epochs only (decay-milestones.ts).
    if (checkMilestones(ctx, Number(ctx.options.tolerance ?? 0.05))) return;
    if (checkEpochHorizon(ctx, Number(ctx.options.tolerance ?? 0.05))) return;
    const { decaySteps: decay, totalSteps: total, warmupSteps: warmup } = ctx.plan;
    if (!decay || !total || total.value <= 0) return;
    // Never tighter than one optimizer step (one global batch of samples).
    const tolerance = Math.max(1, total.value * Number(ctx.options.tolerance ?? 0.05));
    const diff = decay.value - total.value;
    // The common mistake: the horizon counts from step 0 (warmup included), but was set to
    // training − warmup. Reported whatever the tolerance, because it is a mistake, not a choice.
    const minusWarmup =
      diff < 0 && decay.origin === 'explicit' && warmup !== undefined && warmup.value > 0 && Math.abs(decay.value - (total.value - warmup.value)) <= 1;
    // Steps past the horizon that train at LR 0 (MaxText) or below 0 are wasted or harmful whatever their share:
    // such a tail is an error, reported without tolerance (beyond one step), like a horizon the framework rejects.
    const useless = diff < -1 && (ctx.afterDecay === 'zero' || ctx.afterDecay === 'negative');
    if (Math.abs(diff) <= tolerance && !(diff < 0 && ctx.launchCheck) && !minusWarmup && !useless) return;
    if (!clearOfEstimates(Math.max(decay.value, total.value) / Math.max(1, Math.min(decay.value, total.value)), decay, total)) return;
    const range = rangeOf(ctx, decay, total);
    const data = { decaySteps: decay.value, totalSteps: total.value, difference: diff, fraction: decay.value / total.value };
    const nouns = tickNouns(ctx.plan);
    const first = `the LR decay ends at ${nouns.one} ${formatCount(decay.value)}${brief(decay)} but the run is ${formatCount(total.value)} ${nouns.run}${brief(total)}`;
    const how = derivation(['the decay horizon', decay], ['the run', total]);
    if (diff < 0) {
      const tail = total.value - decay.value;
      const last = `the last ${formatCount(tail)} ${tail === 1 ? nouns.one : nouns.many} (${formatPercent(tail / total.value)})`;
      const pastEnd = {
        flat: `${last} run flat at the minimum LR`,
        rises: `the schedule is not clamped at its end, so over ${last} the cosine passes its minimum and the LR climbs back up`,
        negative: `the schedule is not clamped at its end, so over ${last} the decay continues below the minimum LR and can turn it negative`,
        zero: `${last} train at a learning rate of 0 (the schedule ends there), so those steps change nothing`,
      };
      const consequence =
        launchRejection(ctx) ??
        (ctx.afterDecay
          ? pastEnd[ctx.afterDecay]
          : `${last} run past the end of the decay: the LR stays at the minimum if the scheduler clamps, otherwise it climbs back or falls below it`);
      const mistake = minusWarmup
        ? `: it looks like training − warmup (${formatCount(total.value)} − ${formatCount(warmup!.value)}), but the horizon counts from step 0, warmup included, so`
        : ':';
      ctx.report({
        ...(useless || ctx.launchCheck ? { severity: 'error' as const } : {}),
        range,
        message: `${first}${mistake} ${consequence}; ${asFix(horizonAdvice(ctx, decay, total), decay)}${how}`,
        data: { ...data, tailSteps: tail, afterDecay: ctx.launchCheck ? 'rejected' : (ctx.afterDecay ?? 'unknown'), ...(minusWarmup ? { horizonIsTrainMinusWarmup: true } : {}) },
      });
      return;
    }
    const during = warmup !== undefined && total.value <= warmup.value;
    // How far the decay gets: from the end of warmup to the horizon (0 when the run ends in warmup).
    const reached = during ? 0 : warmup && decay.value > warmup.value ? (total.value - warmup.value) / (decay.value - warmup.value) : total.value / decay.value;
    const shown = formatPercent(Math.min(1, reached), reached < 0.01 ? 2 : 1);
    const consequence = during ? 'the run ends during warmup, before the decay begins' : `the run stops ${shown} of the way through the decay`;
    const advice = horizonAdvice(ctx, decay, total);
    ctx.report({
      range,
      message: `${first}: ${consequence}, so the LR never reaches its floor; ${asFix(advice, decay)}${how}`,
      // One literal per case (a spread after other keys is a runtime call): the keys of `data`, then these.
      data: during
        ? { decaySteps: data.decaySteps, totalSteps: data.totalSteps, difference: data.difference, fraction: data.fraction, decayCompleted: reached, decayCompletedReason: 'the run ends during warmup' }
        : { decaySteps: data.decaySteps, totalSteps: data.totalSteps, difference: data.difference, fraction: data.fraction, decayCompleted: reached },
      runLength: {
        consequence: during ? 'the decay never starts' : `the decay stops ${shown} of the way, above its floor`,
        advice,
        sizedFor: { steps: decay.value, ...(decay.key ? { key: decay.key } : {}) },
        written: decay.range !== undefined && range === decay.range,
      },
    });
  },
};
