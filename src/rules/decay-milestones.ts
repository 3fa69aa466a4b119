/**
 * decay-horizon-mismatch for multi-step schedules and for horizons counted in epochs (helpers of
 * decay-horizon-mismatch.ts, kept apart so that its main check stays as it is).
 *
 * - Milestones (`firstMilestone`/`lastMilestone`): a milestone at or past the end of the run never
 *   takes effect (MMEngine never reaches it, detectron2 drops a `SOLVER.STEPS` value above
 *   `MAX_ITER` with a log warning); when every milestone is there, the LR never decays. Where the
 *   framework refuses to start on it (detectron2: a step equal to `MAX_ITER`), the dialect's
 *   launch check says so and the finding is an error.
 * - A multi-step schedule that ends before the run: a plan with milestones whose decay horizon
 *   (`decaySteps`, or `decayEpochs` when the epoch length is unknown) is where the schedule stops
 *   (MMEngine's MultiStepLR `end`). It was sized for a shorter run, as when an MMEngine child
 *   lengthens `train_cfg.max_epochs` and keeps the scheduler it inherits: past the last milestone the
 *   LR stays at its lowest step for the rest of the run.
 * - `decayEpochs` against `epochs`, when the decay horizon is known in epochs only.
 */
import { formatCount, formatPercent, formatRatio } from '../engine/format-number.js';
import type { Setting } from '../engine/types.js';
import type { TrainingPlan } from '../engine/types.js';
import { clearOfEstimates, keyValue, launchRejection, rangeOf, sourceOf, tickNouns, type RuleContext } from './types.js';

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

/**
 * The multi-step checks: milestones at or past the end of the run, else a schedule that ends before
 * the run. True when the plan has milestones: a multi-step plan's horizon (where the schedule stops)
 * is judged here, not by the generic horizon checks, since the LR is flat from the last milestone on.
 */
export function checkMilestones(ctx: RuleContext, tolerance: number): boolean {
  const { firstMilestone: first, lastMilestone: last } = ctx.plan;
  if (!last) return false;
  const unit = last.unit === 'epochs' ? 'epochs' : 'steps';
  const end = unit === 'epochs' ? ctx.plan.epochs : ctx.plan.totalSteps;
  if (!end || end.value <= 0) return true;
  if (last.value < end.value) {
    checkScheduleEnd(ctx, last, end, unit, tolerance);
    return true;
  }
  if (!clearOfEstimates(last.value / end.value, last, end)) return true;
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
  return true;
}

/** A count in the unit its key is written in (epochs for an epoch key compared in steps). */
function asWritten(s: Setting<number>, value: number): number {
  return s.writtenAs ? Math.round(value * s.writtenAs.perStep * 1e6) / 1e6 : value;
}

/**
 * A multi-step schedule that stops (its `end`, the plan's horizon) well before the run, every
 * milestone inside the run: sized for a shorter run. mmdet's 1x schedule (milestones [8, 11], end 12)
 * inherited by a child with `max_epochs = 36` keeps the LR at 1% of its peak for 25 of 36 epochs.
 */
function checkScheduleEnd(ctx: RuleContext, last: Setting<number>, end: Setting<number>, unit: 'epochs' | 'steps', tolerance: number): void {
  const span = unit === 'epochs' ? ctx.plan.decayEpochs : ctx.plan.decaySteps;
  const first = ctx.plan.firstMilestone ?? last;
  if (!span || span.value <= last.value || end.value - span.value <= Math.max(end.value * tolerance, unit === 'steps' ? 1 : 0)) return;
  if (!clearOfEstimates(end.value / span.value, span, end)) return;
  const nouns = unit === 'epochs' ? { one: 'epoch', many: 'epochs' } : tickNouns(ctx.plan);
  const tail = end.value - last.value;
  const { peakLr: peak, minLr: floor } = ctx.plan;
  const level = peak && floor && peak.value > 0 && floor.value < peak.value ? `at ${formatPercent(floor.value / peak.value, floor.value / peak.value < 0.01 ? 2 : 1)} of its peak` : 'at its last step down';
  // The fix in the keys' own unit: the run's end for `end`, the milestones scaled with the run.
  const scale = end.value / span.value;
  const scaled = (s: Setting<number>) => `${formatCount(asWritten(s, s.value))} → ${formatCount(Math.round(asWritten(s, s.value) * scale))}`;
  const endKey = span.key ? keyValue(span.key, formatCount(asWritten(span, end.value)), span.file ?? ctx.file.path) : `the schedule's end to ${formatCount(end.value)} ${nouns.many}`;
  const milestones = `${last.key ?? 'the milestones'} ×${formatRatio(scale)} (${first.value === last.value ? scaled(last) : `first ${scaled(first)}, last ${scaled(last)}`})`;
  const inherited = span.file && span.file !== ctx.file.path ? ` in this file (the scheduler is inherited from ${span.file})` : '';
  ctx.report({
    range: rangeOf(ctx, end, last, span),
    message:
      `the multi-step LR schedule ends at ${at(span, ctx.plan)} but the run is ${length(end, unit, ctx.plan)}: it was sized for a shorter run, so from its last milestone, at ${at(last, ctx.plan)}, ` +
      `the LR stays ${level} for the last ${formatCount(tail)} ${tail === 1 ? nouns.one : nouns.many} (${formatPercent(tail / end.value)}) of the run; ` +
      `set ${endKey} and scale ${milestones}${inherited}, or shorten the run`,
    data: { firstMilestone: first.value, lastMilestone: last.value, scheduleEnd: span.value, end: end.value, unit, tail, ...(peak && floor ? { floorRatio: floor.value / peak.value } : {}) },
    ...(span.file && span.range && span.file !== ctx.file.path ? { related: [{ path: span.file, range: span.range, message: `the inherited schedule ends here (${span.key ?? 'end'})` }] } : {}),
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
      // The dialect's own clause when it knows what to change (timm: cooldown_epochs make the tail).
      message: `${decayText} but ${runText}: ${consequence}; ${decay.advice ?? `set the decay horizon to ${formatCount(epochs.value)} epochs or shorten training`}`,
      data: { ...data, tailEpochs: tail, afterDecay: ctx.afterDecay ?? 'unknown' },
    });
  } else {
    ctx.report({
      range: rangeOf(ctx, decay, epochs),
      message: `${decayText} but ${runText}: training stops at epoch ${formatCount(epochs.value)}, before the decay ends, so the LR never reaches its floor; ${decay.advice ?? `set the decay horizon to ${formatCount(epochs.value)} epochs`}`,
      data,
    });
  }
  return true;
}
