import { formatCount } from '../engine/format-number.js';
import { dataParallel } from '../engine/plan.js';
import type { Setting } from '../engine/types.js';
import { launchRejection, rangeOf, type Rule, type RuleContext } from './types.js';

/** What the framework does with the mismatch, for the message: its launch check, its rounding, or both possibilities. */
function consequence(ctx: RuleContext, effective: number | undefined, declared: number): string {
  const rejection = launchRejection(ctx);
  if (rejection) return rejection;
  if (effective !== undefined && ctx.globalBatchRounding) {
    return effective === 0
      ? 'the floored accumulation is 0, so the run cannot train (the framework stops at launch)'
      : `the framework floors it and steps every ${formatCount(effective)} samples, not ${formatCount(declared)}: the LR and step count were chosen for another batch`;
  }
  return 'the framework either rejects this at launch or silently uses another batch';
}

function multipleNear(value: number, of: number): number {
  return Math.round(value / of) * of || of;
}

/**
 * The global batch with a derived micro batch: it must be divisible by data-parallel size × accumulation (1 when
 * the framework fills it), and any multiple of that works; the derived micro is only what the framework floors to.
 */
function checkDerivedMicro(ctx: RuleContext, global: number, micro: Setting<number>, accum: Setting<number> | undefined, world: number): void {
  const accumulation = accum?.value ?? 1;
  const unit = world * accumulation;
  if (unit <= 0 || global % unit === 0) return;
  const accumText = accum && (accum.origin === 'explicit' || accum.origin === 'launcher') ? `accumulation ${formatCount(accumulation)} × ` : '';
  const divisor = accumText ? `${accumText}data-parallel ${formatCount(world)} = ${formatCount(unit)}` : `data-parallel size ${formatCount(world)}`;
  const computed = micro.value * unit;
  ctx.report({
    range: rangeOf(ctx, ctx.plan.globalBatchSize),
    message:
      `global batch ${formatCount(global)} is not divisible by ${divisor}: the micro batch is derived as ${micro.how ?? formatCount(micro.value)} = ${formatCount(micro.value)}, ` +
      `and ${formatCount(micro.value)} × ${formatCount(accumulation)} × ${formatCount(world)} = ${formatCount(computed)} ≠ ${formatCount(global)}; ` +
      `${consequence(ctx, computed, global)}; pick a multiple of ${formatCount(unit)} (e.g. ${formatCount(multipleNear(global, unit))})`,
    data: { declared: global, computed, microBatchSize: micro.value, gradAccumSteps: accumulation, dataParallelSize: world, divisor: unit },
  });
}

export const batchSizeMismatch: Rule = {
  meta: {
    id: 'batch-size-mismatch',
    defaultSeverity: 'error',
    description: 'An explicit global batch disagrees with micro × accumulation × data-parallel size, or is not divisible by micro × data-parallel size.',
  },
  check(ctx) {
    // Identities the framework asserts at start-up, computed by the dialect with its own arithmetic.
    for (const c of ctx.batchChecks ?? []) ctx.report({ range: c.range, message: c.message, data: { kind: c.kind, ...c.data } });
    // The dialect's own arithmetic already reported what fails at start-up: the generic identity would repeat it.
    if (ctx.batchChecks?.length) return;
    // The model-parallel size does not divide the world size (conflicting-settings says so): there is no
    // data-parallel size, and the world size is not one. One cause, one finding.
    if (ctx.conflicts.some((c) => c.kind === 'parallel-sizes')) return;
    const { globalBatchSize: global, microBatchSize: micro, gradAccumSteps: accum } = ctx.plan;
    const world = dataParallel(ctx.plan);
    if (!global || global.origin !== 'explicit' || !world || world.value <= 0) return;

    // llm-foundry/Composer: the devices share the global batch; micro-batches only cut each share.
    if (ctx.globalBatchRounding === 'per-device') {
      if (global.value % world.value === 0) return;
      const effective = Math.floor(global.value / world.value) * world.value;
      ctx.report({
        range: rangeOf(ctx, global),
        message:
          `global batch ${formatCount(global.value)} is not divisible by data-parallel size ${formatCount(world.value)}: ${consequence(ctx, effective, global.value)}; ` +
          `pick a multiple of ${formatCount(world.value)} (e.g. ${formatCount(multipleNear(global.value, world.value))})`,
        data: { declared: global.value, computed: effective, dataParallelSize: world.value },
      });
      return;
    }

    if (!micro) return;
    // A micro batch the framework derives from the global batch (DeepSpeed: train_batch_size // world // accumulation)
    // is its floor, not a constraint the user wrote: only the written sizes must divide the global batch.
    if (micro.origin === 'derived') {
      checkDerivedMicro(ctx, global.value, micro, accum, world.value);
      return;
    }
    const perStep = micro.value * world.value;
    if (perStep <= 0) return;
    // Only an accumulation the user wrote is compared; a derived one is the framework's own floor.
    const writtenAccum = accum && (accum.origin === 'explicit' || accum.origin === 'launcher') ? accum : undefined;
    if (writtenAccum) {
      const computed = perStep * writtenAccum.value;
      if (computed === global.value) return;
      const exactAccum = global.value % perStep === 0 ? global.value / perStep : undefined;
      ctx.report({
        range: rangeOf(ctx, global),
        message:
          `global batch ${formatCount(global.value)} ≠ micro ${formatCount(micro.value)} × accumulation ${formatCount(writtenAccum.value)} × data-parallel ${formatCount(world.value)} = ${formatCount(computed)}: ` +
          `${consequence(ctx, undefined, global.value)}; make them agree (` +
          (exactAccum !== undefined
            ? `accumulation ${formatCount(exactAccum)}, or global batch ${formatCount(computed)})`
            : `global batch ${formatCount(computed)})`),
        data: { declared: global.value, computed, microBatchSize: micro.value, gradAccumSteps: writtenAccum.value, dataParallelSize: world.value },
      });
      return;
    }
    if (global.value % perStep === 0) return;
    const effective = Math.floor(Math.floor(global.value / world.value) / micro.value) * micro.value * world.value;
    ctx.report({
      range: rangeOf(ctx, global),
      message:
        `global batch ${formatCount(global.value)} is not divisible by micro ${formatCount(micro.value)} × data-parallel ${formatCount(world.value)} = ${formatCount(perStep)}: ` +
        `no whole number of accumulation steps gives it; ${consequence(ctx, effective, global.value)}; pick a multiple of ${formatCount(perStep)} (e.g. ${formatCount(multipleNear(global.value, perStep))})`,
      data: { declared: global.value, computed: perStep, microBatchSize: micro.value, dataParallelSize: world.value },
    });
  },
};
