import { formatCount, formatRatio, formatSci } from '../engine/format-number.js';
import { sameFileLrTwin, selfReference } from '../engine/fix.js';
import { keyValue, rangeOf, replaceValue, spellNumber, type Rule } from './types.js';

type Scaling = 'linear' | 'sqrt' | 'either';

/**
 * The rule `--fix` applies. With `either`, as timm does: sqrt for Adam-family optimizers
 * (adaptive: names with "adam", "ada", "lamb", "lion"), linear for SGD-family ones; no fix
 * when the optimizer is unknown.
 */
export function fixRule(scaling: Scaling, optimizer: string | undefined): 'linear' | 'sqrt' | undefined {
  if (scaling !== 'either') return scaling;
  if (!optimizer) return undefined;
  if (/ada|lamb|lion|adam/i.test(optimizer)) return 'sqrt';
  if (/sgd|momentum|lars|nesterov/i.test(optimizer)) return 'linear';
  return undefined;
}

export const lrNotRescaled: Rule = {
  meta: {
    id: 'lr-not-rescaled',
    defaultSeverity: 'error',
    description: 'The global batch changed against the reference or base, but the learning rate did not follow the scaling rule.',
    options: {
      type: 'object',
      properties: {
        tolerance: { type: 'number', minimum: 0, maximum: 1 },
        scaling: { enum: ['linear', 'sqrt', 'either'] },
      },
      additionalProperties: false,
    },
    defaultOptions: { tolerance: 0.1, scaling: 'either' },
    fixable: true,
  },
  check(ctx) {
    const ref = ctx.reference;
    const { globalBatchSize: batch, peakLr: lr } = ctx.plan;
    if (!ref || !batch || !lr) return;
    const baseBatch = ref.plan.globalBatchSize;
    const baseLr = ref.plan.peakLr;
    if (!baseBatch || !baseLr || baseBatch.value <= 0 || baseLr.value <= 0) return;
    const tolerance = Number(ctx.options.tolerance ?? 0.1);
    const scaling = (ctx.options.scaling ?? 'either') as Scaling;
    const k = batch.value / baseBatch.value;
    if (Math.abs(k - 1) <= tolerance) return;
    const expected = { linear: baseLr.value * k, sqrt: baseLr.value * Math.sqrt(k) };
    const close = (target: number) => Math.abs(lr.value / target - 1) <= tolerance;
    const ok = scaling === 'linear' ? close(expected.linear) : scaling === 'sqrt' ? close(expected.sqrt) : close(expected.linear) || close(expected.sqrt);
    if (ok) return;
    const lrRatio = lr.value / baseLr.value;
    const chosen = fixRule(scaling, ctx.plan.optimizer?.value);
    const key = lr.key ?? 'lr';
    const lrText = Math.abs(lrRatio - 1) < 1e-9 ? `${key} ${formatSci(lr.value)} unchanged` : `${key} ×${formatRatio(lrRatio)} (${formatSci(baseLr.value)} → ${formatSci(lr.value)})`;
    // The value to write: the framework's own scaling (lr.scaledFrom) applies to it at start-up.
    const scaled = lr.scaledFrom && lr.scaledFrom.factor > 0 && lr.scaledFrom.factor !== 1 ? lr.scaledFrom : undefined;
    const toWrite = (rule: 'linear' | 'sqrt') => (scaled ? expected[rule] / scaled.factor : expected[rule]);
    // Spelled so that the file's loader reads a number (PyYAML needs `4.0e-4`).
    const written = (rule: 'linear' | 'sqrt') => spellNumber(ctx, toWrite(rule), formatSci(toWrite(rule)));
    const set = (rule: 'linear' | 'sqrt') =>
      keyValue(key, written(rule), lr.file ?? ctx.file.path) + (scaled ? ` (${scaled.by}, to ${formatSci(expected[rule])})` : '');
    const editable = scaled ? { ...lr, origin: 'explicit' as const, valueRange: scaled.valueRange } : lr;
    const advice =
      scaling === 'linear'
        ? `set ${set('linear')} (linear rule)`
        : scaling === 'sqrt'
          ? `set ${set('sqrt')} (sqrt rule)`
          : chosen
            ? `set ${set(chosen)} (${chosen} rule for ${ctx.plan.optimizer?.value}; ${chosen === 'sqrt' ? `linear gives ${formatSci(toWrite('linear'))}` : `sqrt gives ${formatSci(toWrite('sqrt'))}`})`
            : `set ${set('linear')} (linear rule) or ${formatSci(toWrite('sqrt'))} (sqrt rule, for Adam-family optimizers)`;
    // A reference read from this file (its name's NxbM, a comment on the GPU count) would move with the edit.
    const self = selfReference(ctx);
    // DeepSpeed's optimizer LR written equal beside the schedule's peak: both move, or the edit makes a conflict.
    const twin = scaled ? undefined : sameFileLrTwin(lr, ctx.file);
    const edit = chosen && !self ? replaceValue(ctx, editable, written(chosen)) : undefined;
    const twinEdit = edit && twin ? replaceValue(ctx, twin, written(chosen!)) : undefined;
    const alsoSet = twin ? ` and ${keyValue(twin.key ?? 'lr', chosen ? written(chosen) : 'the same value', ctx.file.path)} with it (DeepSpeed's schedule replaces the optimizer's LR; two values conflict)` : '';
    const notApplied = self && chosen ? ` (not applied by --fix: the reference, ${ref.label}, is read from this file and would change with the edit)` : '';
    ctx.report({
      range: rangeOf(ctx, lr, batch),
      message:
        `${lrText} while the global batch went ×${formatRatio(k)} (${formatCount(baseBatch.value)} → ${formatCount(batch.value)}): ` +
        `since ${ref.label} the update size per sample changed, so the tuned LR no longer applies; ${advice}${alsoSet}, or restore the batch${notApplied}`,
      data: {
        batchRatio: k,
        lrRatio,
        baseGlobalBatchSize: baseBatch.value,
        globalBatchSize: batch.value,
        baseLr: baseLr.value,
        lr: lr.value,
        expectedLr: expected,
        scaling,
        reference: ref.path,
        ...(chosen && lr.file && lr.file !== ctx.file.path ? { notFixed: `${key} is written in ${lr.file}, and --fix edits only the file a finding is in` } : {}),
      },
      fix: chosen ? `${set(chosen)} (${chosen} rule)` : undefined,
      edit,
      ...(twinEdit ? { alsoEdits: [twinEdit] } : {}),
    });
  },
};
