import { formatValue } from '../engine/format-number.js';
import type { PlanField, Setting } from '../engine/types.js';
import type { Rule } from './types.js';

/** The values the HF Trainer checks against a hard-coded DeepSpeed config at launch. */
const COMPARED: { field: PlanField; what: string }[] = [
  { field: 'microBatchSize', what: 'micro batch per GPU' },
  { field: 'gradAccumSteps', what: 'gradient accumulation' },
  { field: 'globalBatchSize', what: 'global batch' },
  { field: 'peakLr', what: 'learning rate' },
  { field: 'warmupSteps', what: 'warmup steps' },
  { field: 'totalSteps', what: 'total steps' },
  { field: 'precision', what: 'precision' },
];

function where(s: Setting): string {
  return `${s.file ?? ''}${s.range ? `:${s.range.line}` : ''} ${s.key ?? ''}`.trim();
}

function same(a: Setting, b: Setting): boolean {
  if (typeof a.value === 'number' && typeof b.value === 'number') return Math.abs(a.value - b.value) <= 1e-12 * Math.max(1, Math.abs(a.value));
  return a.value === b.value;
}

export const crossFileMismatch: Rule = {
  meta: {
    id: 'cross-file-mismatch',
    defaultSeverity: 'error',
    description: 'Two files describing one run disagree: hard-coded DeepSpeed values vs the trainer arguments (batch, LR, warmup, total steps, precision).',
  },
  check(ctx) {
    for (const link of ctx.linked) {
      for (const { field, what } of COMPARED) {
        const mine = ctx.ownPlan[field] as Setting | undefined;
        const theirs = link.plan[field] as Setting | undefined;
        // Only values written in both files: "auto" and defaults are filled by the Trainer.
        if (!mine || !theirs || theirs.origin !== 'explicit' || mine.origin === 'default' || mine.origin === 'assumed') continue;
        if (same(mine, theirs)) continue;
        ctx.report({
          range: link.range,
          message:
            `${what}: ${where(theirs)} is ${formatValue(theirs.value)} but this file gives ${formatValue(mine.value)} (${mine.key ?? field}): ` +
            `the Trainer refuses to start ("DeepSpeed config values that mismatch TrainingArguments"); set the DeepSpeed value to "auto"`,
          data: { field, linkedFile: link.path, linkedKey: theirs.key, linkedValue: theirs.value, value: mine.value, key: mine.key },
        });
      }
    }
  },
};
