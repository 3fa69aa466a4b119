import { formatCount } from '../engine/format-number.js';
import { dataParallel } from '../engine/plan.js';
import { rangeOf, type Rule } from './types.js';

export const batchSizeMismatch: Rule = {
  meta: {
    id: 'batch-size-mismatch',
    defaultSeverity: 'error',
    description: 'An explicit global batch disagrees with micro × accumulation × data-parallel size, or is not divisible by micro × data-parallel size.',
  },
  check(ctx) {
    const { globalBatchSize: global, microBatchSize: micro, gradAccumSteps: accum } = ctx.plan;
    const world = dataParallel(ctx.plan);
    if (!global || global.origin !== 'explicit' || !micro || !world) return;
    const perStep = micro.value * world.value;
    if (perStep <= 0) return;
    const explicitAccum = accum && accum.origin !== 'default' && accum.origin !== 'assumed' ? accum : undefined;
    if (explicitAccum) {
      const computed = perStep * explicitAccum.value;
      if (computed === global.value) return;
      ctx.report({
        range: rangeOf(ctx, global),
        message:
          `global batch ${formatCount(global.value)} ≠ micro ${formatCount(micro.value)} × accumulation ${formatCount(explicitAccum.value)} × data-parallel ${formatCount(world.value)} = ${formatCount(computed)}: ` +
          `the framework either rejects this at launch or silently uses another batch; make them agree (e.g. accumulation ${formatCount(global.value / perStep)})`,
        data: { declared: global.value, computed, microBatchSize: micro.value, gradAccumSteps: explicitAccum.value, dataParallelSize: world.value },
      });
      return;
    }
    if (global.value % perStep === 0) return;
    ctx.report({
      range: rangeOf(ctx, global),
      message:
        `global batch ${formatCount(global.value)} is not divisible by micro ${formatCount(micro.value)} × data-parallel ${formatCount(world.value)} = ${formatCount(perStep)}: ` +
        `no whole number of accumulation steps gives it; pick a multiple of ${formatCount(perStep)} (e.g. ${formatCount(Math.round(global.value / perStep) * perStep || perStep)})`,
      data: { declared: global.value, computed: perStep, microBatchSize: micro.value, dataParallelSize: world.value },
    });
  },
};
