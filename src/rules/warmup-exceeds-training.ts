import { formatCount, formatPercent } from '../engine/format-number.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import { brief, clearOfEstimates, derivation, launchRejection, rangeOf, stepCount, tickNouns, warmupAsWritten, type Rule } from './types.js';

/**
 * A warmup written as a fraction of the decay horizon (Megatron --lr-warmup-fraction, NeoX
 * `warmup`) follows that horizon: once the horizon is set to the run's length, what is it?
 */
function afterDecayFix(warmup: Setting<number>, plan: TrainingPlan, total: number): string | undefined {
  const f = warmup.fractionOf;
  const decay = plan.decaySteps;
  if (!f || !decay || Math.abs(f.ofSteps - decay.value) > 1) return undefined;
  const steps = Math.ceil(f.fraction * total - 1e-9);
  return steps < total ? `${warmup.key ?? 'warmup'} ${f.fraction} then gives ${stepCount(steps, plan)}` : undefined;
}

export const warmupExceedsTraining: Rule = {
  meta: {
    id: 'warmup-exceeds-training',
    defaultSeverity: 'error',
    description: 'Warmup steps are at least the total optimizer steps, so the learning rate never reaches its peak.',
  },
  check(ctx) {
    const { warmupSteps: warmup, totalSteps: total } = ctx.plan;
    if (!warmup || !total || total.value <= 0) return;
    if (warmup.value < total.value) return;
    if (!clearOfEstimates(warmup.value / total.value, warmup, total)) return;
    // 5% of the run, rounded; a run under 10 steps gets none (one step would already be over 10%, and near
    // warmup-fraction's limit), so the advice never repeats the warmup written nor trips that rule.
    const suggested = Math.round(total.value * 0.05);
    const advice = warmupAsWritten(warmup, suggested, ctx.plan, ctx.file.path);
    const consequence = launchRejection(ctx) ?? 'the LR never reaches its peak and the decay never starts';
    const range = rangeOf(ctx, warmup, total);
    const nouns = tickNouns(ctx.plan);
    // The share the advised value really gives (a whole epoch may be more than 5%).
    const actual = advice.steps / total.value;
    const share = Math.abs(actual - 0.05) < 0.005 ? '5%' : formatPercent(Math.min(1, actual));
    const fix = advice.floored
      ? advice.text
      : advice.steps === 0
        ? `set ${advice.text}: no warmup, the run (${stepCount(total.value, ctx.plan)}) is too short for one`
        : `set ${advice.text}, ${share} of the run`;
    const afterFix = afterDecayFix(warmup, ctx.plan, total.value);
    ctx.report({
      range,
      message:
        `warmup ${formatCount(warmup.value)} ${nouns.many}${brief(warmup)} ≥ the run's ${formatCount(total.value)} ${nouns.run}${brief(total)}: ` +
        `${consequence}; ${fix}${derivation(['warmup', warmup], ['the run', total])}`,
      data: { warmupSteps: warmup.value, totalSteps: total.value, fraction: warmup.value / total.value, suggestedWarmupSteps: suggested },
      fix: advice.fix,
      runLength: {
        consequence: ctx.launchCheck ? `warmup (${stepCount(warmup.value, ctx.plan)}) never ends: ${ctx.launchCheck}` : `warmup (${stepCount(warmup.value, ctx.plan)}) never ends`,
        advice: advice.fix,
        sizedFor: { steps: warmup.value, ...(warmup.key ? { key: warmup.key } : {}) },
        written: warmup.range !== undefined && range === warmup.range,
        ...(afterFix ? { afterDecayFix: afterFix } : {}),
      },
    });
  },
};
