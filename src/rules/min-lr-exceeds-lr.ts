import { formatSci } from '../engine/format-number.js';
import { launchRejection, rangeOf, sourceOf, type Rule } from './types.js';

export const minLrExceedsLr: Rule = {
  meta: {
    id: 'min-lr-exceeds-lr',
    defaultSeverity: 'error',
    description: 'The minimum (final) learning rate is above the peak learning rate.',
  },
  check(ctx) {
    const { minLr, peakLr } = ctx.plan;
    if (!minLr || !peakLr || minLr.value <= peakLr.value) return;
    ctx.report({
      range: rangeOf(ctx, minLr, peakLr),
      message:
        `minimum LR ${formatSci(minLr.value)}${sourceOf(minLr)} is above the peak LR ${formatSci(peakLr.value)}${sourceOf(peakLr)}: ` +
        `${launchRejection(ctx) ?? 'the "decay" raises the LR instead of lowering it'}; set the minimum below the peak (often 10% of it, ${formatSci(peakLr.value / 10)})`,
      data: { minLr: minLr.value, peakLr: peakLr.value, ratio: minLr.value / peakLr.value },
    });
  },
};
