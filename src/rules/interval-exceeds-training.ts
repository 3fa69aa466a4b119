import { formatCount } from '../engine/format-number.js';
import type { Setting } from '../engine/types.js';
import { brief, clearOfEstimates, derivation, inKeyUnit, keyUnitValue, rangeOf, stepCount, tickNouns, type Rule, type RuleContext } from './types.js';

type Kind = 'checkpoint' | 'evaluation';

/**
 * What an interval longer than the run means, as the dialect knows the framework: a checkpoint or
 * evaluation at the last step (Megatron, HF Trainer…), none at all, or unknown.
 */
function consequences(ctx: RuleContext, kind: Kind): { full: string; short: string } {
  const atEnd = kind === 'checkpoint' ? ctx.atRunEnd?.save : ctx.atRunEnd?.eval;
  // A framework that also saves or evaluates at epoch ends (fairseq): only those are left.
  const epochs = kind === 'checkpoint' ? ctx.atRunEnd?.epochEnds?.save : ctx.atRunEnd?.epochEnds?.eval;
  if (epochs) {
    return kind === 'checkpoint'
      ? { full: `no checkpoint except at epoch ends (${epochs}): a crash loses the work since the last one`, short: `checkpoints only at epoch ends (${epochs})` }
      : { full: `no evaluation except at epoch ends (${epochs}), so a divergence between them is not seen`, short: `evaluation only at epoch ends (${epochs})` };
  }
  if (kind === 'checkpoint') {
    if (atEnd) return { full: `no checkpoint before the end (${atEnd}): a crash loses the whole run`, short: `no checkpoint before the end (${atEnd})` };
    if (atEnd === false) return { full: 'no checkpoint is written at all, not even at the end', short: 'no checkpoint at all' };
    return { full: 'no checkpoint is written during the run: a crash loses the whole run', short: 'no checkpoint during the run' };
  }
  if (atEnd) return { full: `no evaluation during training (${atEnd}), so a diverging run is not seen`, short: `no evaluation during training (${atEnd})` };
  if (atEnd === false) return { full: 'no evaluation runs at all, so a diverging run is not seen', short: 'no evaluation at all' };
  return { full: 'no evaluation runs during training, so a diverging run is not seen', short: 'no evaluation during training' };
}

/** As many checkpoints or evaluations as an interval rounded to its key's unit (whole epochs) gives. */
function howMany(total: number, every: number, kind: Kind): string {
  const n = Math.max(1, Math.floor(total / Math.max(1, every)));
  return `${n === 4 ? 'four' : formatCount(n)} ${kind}${n === 1 ? '' : 's'}`;
}

function check(ctx: RuleContext, interval: Setting<number> | undefined, kind: Kind): void {
  const total = ctx.plan.totalSteps;
  if (!interval || !total || interval.value <= total.value) return;
  if (!clearOfEstimates(interval.value / total.value, interval, total)) return;
  const four = Math.max(1, Math.floor(total.value / 4));
  const written = keyUnitValue(interval, four, 'down', ctx.file.path);
  const nouns = tickNouns(ctx.plan);
  const { full, short } = consequences(ctx, kind);
  const range = rangeOf(ctx, interval, total);
  ctx.report({
    range,
    message:
      `${kind} interval ${formatCount(interval.value)} ${nouns.many}${brief(interval)} > the run's ${formatCount(total.value)} ${nouns.run}${brief(total)}: ` +
      `${full}; set ${written.text}${interval.writtenAs ? ` (${stepCount(written.steps, ctx.plan)})` : ''} for ${interval.writtenAs ? howMany(total.value, written.steps, kind) : `four ${kind}s`}${derivation([`the ${kind} interval`, interval], ['the run', total])}`,
    data: { kind, intervalSteps: interval.value, totalSteps: total.value },
    runLength: {
      consequence: short,
      advice: `${inKeyUnit(interval, total.value, 'down', ctx.file.path)} or less`,
      sizedFor: { steps: interval.value, ...(interval.key ? { key: interval.key } : {}) },
      written: interval.range !== undefined && range === interval.range,
    },
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
