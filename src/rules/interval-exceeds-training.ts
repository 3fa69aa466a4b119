import { formatCount } from '../engine/format-number.js';
import type { Setting } from '../engine/types.js';
import { clearOfEstimates, rangeOf, sourceOf, stepCount, type Rule, type RuleContext } from './types.js';

/** `steps` optimizer steps, and how to write them under the interval's key when its unit differs. */
function suggestion(interval: Setting<number>, steps: number): string {
  const w = interval.writtenAs;
  const count = stepCount(steps);
  if (!w) return count;
  const written = `${formatCount(Math.max(1, Math.floor(steps * w.perStep)))}${w.suffix ? w.unit : ` ${w.unit}`}`;
  return `${count} (${interval.key ? `${interval.key}: ` : ''}${written})`;
}

function check(ctx: RuleContext, interval: Setting<number> | undefined, what: 'checkpoint' | 'evaluation'): void {
  const total = ctx.plan.totalSteps;
  if (!interval || !total || interval.value <= total.value) return;
  if (!clearOfEstimates(interval.value / total.value, interval, total)) return;
  const consequence =
    what === 'checkpoint'
      ? 'no checkpoint is written before the run ends (a crash loses everything; only some frameworks save at the final step)'
      : 'no evaluation runs during training, so a diverging run is not seen';
  ctx.report({
    range: rangeOf(ctx, interval, total),
    message: `${what} interval ${formatCount(interval.value)} steps${sourceOf(interval)} is longer than the whole run (${formatCount(total.value)} optimizer steps${sourceOf(total)}): ${consequence}; use at most ${suggestion(interval, Math.max(1, Math.floor(total.value / 4)))} for four ${what}s`,
    data: { kind: what, intervalSteps: interval.value, totalSteps: total.value },
  });
}

export const intervalExceedsTraining: Rule = {
  meta: {
    id: 'interval-exceeds-training',
    defaultSeverity: 'warning',
    description: 'A save or eval interval is larger than the whole run, so no checkpoint or evaluation happens before the end.',
  },
  check(ctx) {
    check(ctx, ctx.plan.saveEverySteps, 'checkpoint');
    check(ctx, ctx.plan.evalEverySteps, 'evaluation');
  },
};
