/**
 * decay-horizon-mismatch for multi-step schedules and for horizons counted in epochs (helpers of
 * decay-horizon-mismatch.ts, kept apart so that its main check stays as it is).
 *
 * - Milestones (`firstMilestone`/`lastMilestone`): a milestone at or past the end of the run never
 *   takes effect (MMEngine never reaches it, detectron2 drops a `SOLVER.STEPS` value above
 *   `MAX_ITER` with a log warning); when every milestone is there, the LR never decays. Where the
 *   framework refuses to start on it (detectron2: a step equal to `MAX_ITER`), the dialect's
 *   launch check says so and the finding is an error.
 * - `decayEpochs` against `epochs`, when the decay horizon is known in epochs only.
 */
import { formatCount, formatPercent } from '../engine/format-number.js';
import type { Setting } from '../engine/types.js';
import type { TrainingPlan } from '../engine/types.js';
import { clearOfEstimates, launchRejection, rangeOf, sourceOf, tickNouns, type RuleContext } from './types.js';

function at(s: Setting<number>, plan: TrainingPlan): string {
  // A milestone written in epochs and compared in steps: the epoch as written first.
  if (s.writtenAs?.unit === 'epochs') return `epoch ${formatCount(s.value * s.writtenAs.perStep)} (${tickNouns(plan).one} ${formatCount(s.value)}${s.key ? `, ${s.key}` : ''})`;
  return `${s.unit === 'epochs' ? 'epoch' : tickNouns(plan).one} ${formatCount(s.value)}${sourceOf(s)}`;
}

function length(s: Setting<number>, unit: 'epochs' | 'steps', plan?: TrainingPlan): string {
  return `${formatCount(s.value)} ${unit === 'epochs' ? 'epochs' : tickNouns(plan).run}${sourceOf(s)}`;
}

/**
 * Where the milestones must end, in the unit they are written in: `SOLVER.STEPS` below 600 when
 * detectron2 divides them by REFERENCE_WORLD_SIZE 2 (Setting.writtenAs), else the run's end.
 */
function before(last: Setting<number>, end: Setting<number>, unit: 'epochs' | 'steps', plan: TrainingPlan): string {
  const scale = unit === 'epochs' ? 'epoch' : tickNouns(plan).one;
  if (!last.writtenAs || !last.key) return `put the milestones before ${scale} ${formatCount(end.value)}`;
  const limit = Math.ceil(end.value * last.writtenAs.perStep - 1e-9);
  return `put the ${last.key} values below ${formatCount(limit)} (${scale} ${formatCount(end.value)})`;
}

/** Milestones at or past the end of the run. */
export function checkMilestones(ctx: RuleContext): void {
  const { firstMilestone: first, lastMilestone: last } = ctx.plan;
  if (!last) return;
  const unit = last.unit === 'epochs' ? 'epochs' : 'steps';
  const end = unit === 'epochs' ? ctx.plan.epochs : ctx.plan.totalSteps;
  if (!end || end.value <= 0 || last.value < end.value) return;
  if (!clearOfEstimates(last.value / end.value, last, end)) return;
  const none = first !== undefined && first.value >= end.value;
  const crash = launchRejection(ctx);
  const run = length(end, unit, ctx.plan);
  const what = none
    ? `every LR milestone is at or past the end of the run: the first is at ${at(first, ctx.plan)} and the run is ${run}`
    : `the last LR milestone is at ${at(last, ctx.plan)} but the run is ${run}`;
  const consequence = crash ?? (none ? 'the LR never decays and stays at its peak for the whole run' : 'that drop never happens, so the LR ends higher than the schedule planned');
  ctx.report({
    range: rangeOf(ctx, none ? first : last, end),
    message: `${what}: ${consequence}; ${before(last, end, unit, ctx.plan)}, scaled with the run, or lengthen the run`,
    data: {
      firstMilestone: first?.value,
      lastMilestone: last.value,
      end: end.value,
      unit,
      neverDecays: none,
      ...(crash ? { afterDecay: 'rejected' } : {}),
    },
    ...(crash ? { severity: 'error' as const } : {}),
  });
}

/** The decay horizon in epochs against the run in epochs; true when it applied (decaySteps unknown). */
export function checkEpochHorizon(ctx: RuleContext, tolerance: number): boolean {
  const { decayEpochs: decay, epochs, decaySteps } = ctx.plan;
  if (decaySteps || !decay || !epochs || epochs.value <= 0) return false;
  const diff = decay.value - epochs.value;
  if (Math.abs(diff) <= Math.max(epochs.value * tolerance, 0)) return true;
  if (!clearOfEstimates(Math.max(decay.value, epochs.value) / Math.max(1, Math.min(decay.value, epochs.value)), decay, epochs)) return true;
  const decayText = `the LR decay ends at epoch ${formatCount(decay.value)}${sourceOf(decay)}`;
  const runText = `the run is ${length(epochs, 'epochs')}`;
  const data = { decayEpochs: decay.value, epochs: epochs.value, difference: diff };
  if (diff < 0) {
    const tail = epochs.value - decay.value;
    const last = `the last ${formatCount(tail)} epochs (${formatPercent(tail / epochs.value)})`;
    const pastEnd = {
      flat: `${last} run at the LR where the decay stopped`,
      rises: `the schedule is not clamped at its end, so over ${last} the LR climbs back up`,
      negative: `the schedule is not clamped at its end, so over ${last} the LR falls below its minimum`,
      zero: `${last} train at a learning rate of 0`,
    };
    const consequence = ctx.afterDecay ? pastEnd[ctx.afterDecay] : `${last} run past the end of the decay`;
    ctx.report({
      range: rangeOf(ctx, decay, epochs),
      message: `${decayText} but ${runText}: ${consequence}; set the decay horizon to ${formatCount(epochs.value)} epochs or shorten training`,
      data: { ...data, tailEpochs: tail, afterDecay: ctx.afterDecay ?? 'unknown' },
    });
  } else {
    ctx.report({
      range: rangeOf(ctx, decay, epochs),
      message: `${decayText} but ${runText}: training stops at epoch ${formatCount(epochs.value)}, before the decay ends, so the LR never reaches its floor; set the decay horizon to ${formatCount(epochs.value)} epochs`,
      data,
    });
  }
  return true;
}
