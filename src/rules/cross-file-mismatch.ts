import { formatValue } from '../engine/format-number.js';
import type { PlanField, Setting } from '../engine/types.js';
import type { Rule } from './types.js';

/** The values the HF Trainer checks against a hard-coded DeepSpeed config at launch. */
const COMPARED: { field: PlanField; what: string }[] = [
  { field: 'worldSize', what: 'world size' },
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

/**
 * Values the framework resolves before the Trainer compares them with the DeepSpeed file: axolotl
 * turns `bf16: auto` into true on a bf16-capable GPU (resolve_dtype) first, so a DeepSpeed
 * `bf16.enabled: true` agrees with it. Returns the value compared, and how it was resolved.
 */
function resolved(field: PlanField, mine: Setting): { value: Setting['value']; how?: string } {
  if (field === 'precision' && mine.value === 'auto') {
    return { value: 'bf16', how: `${mine.key ?? 'bf16'}: auto, which resolves to bf16 on a bf16-capable GPU (Ampere or newer) before the comparison` };
  }
  return { value: mine.value };
}

function same(a: Setting, b: Setting): boolean {
  if (typeof a.value === 'number' && typeof b.value === 'number') return Math.abs(a.value - b.value) <= 1e-12 * Math.max(1, Math.abs(a.value));
  return a.value === b.value;
}

export const crossFileMismatch: Rule = {
  meta: {
    id: 'cross-file-mismatch',
    defaultSeverity: 'error',
    description: 'Two files describing one run disagree: hard-coded DeepSpeed values vs the trainer arguments, accelerate num_processes/mixed_precision vs the assumed world size/precision.',
  },
  check(ctx) {
    for (const link of ctx.linked) {
      const found: { field: PlanField; clause: string; data: Record<string, unknown>; mine: Setting }[] = [];
      for (const { field, what } of COMPARED) {
        const mine = ctx.ownPlan[field] as Setting | undefined;
        const theirs = link.plan[field] as Setting | undefined;
        // Only values written in both files: "auto" and defaults are filled by the Trainer.
        if (!mine || !theirs || (theirs.origin !== 'explicit' && theirs.origin !== 'launcher') || mine.origin === 'default') continue;
        // An assumed value is compared only with what the launcher really starts (accelerate).
        if (mine.origin === 'assumed' && link.role !== 'accelerate') continue;
        const compared = resolved(field, mine);
        if (mine === theirs || same({ ...mine, value: compared.value }, theirs)) continue;
        // A value the launch command gives is named by its place in the script.
        const giver = mine.origin === 'launcher' && mine.file !== ctx.file.path ? `${mine.file}:${mine.range?.line ?? ''}` : 'this file';
        found.push({
          field,
          mine,
          clause:
            `${what}: ${where(theirs)} ${field === 'precision' ? 'selects' : 'is'} ${formatValue(theirs.value)} but ${giver} gives ${formatValue(mine.value)} ` +
            `(${compared.how ?? `${mine.key ?? field}${mine.origin === 'assumed' ? ', assumed in .trainlint.yml' : ''}`})`,
          data: { field, linkedFile: link.path, linkedKey: theirs.key, linkedValue: theirs.value, value: mine.value, key: mine.key },
        });
      }
      if (found.length === 0) continue;
      if (link.role === 'accelerate') {
        // Each launcher value is its own cause: reported where this file sets it.
        for (const f of found) {
          ctx.report({
            range: (f.mine.file === ctx.file.path && f.mine.range) || ctx.anchor,
            message: `${f.clause}: accelerate launches with its own value, so the run is not the one this config describes; make them agree`,
            data: f.data,
          });
        }
        continue;
      }
      // One cause, one finding: the HF Trainer lists every pinned DeepSpeed value that disagrees in one
      // error, and one fix ("auto") clears them all; the first is the one the message leads with.
      const plural = found.length > 1;
      ctx.report({
        range: link.range,
        message:
          `${found.map((f) => f.clause).join('; ')}: the Trainer refuses to start ("DeepSpeed config values that mismatch TrainingArguments"); ` +
          `set the DeepSpeed value${plural ? 's' : ''} to "auto"`,
        data: { ...found[0].data, ...(plural ? { mismatches: found.map((f) => f.data) } : {}) },
      });
    }
  },
};
