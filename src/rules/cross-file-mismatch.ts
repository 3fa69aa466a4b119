import { formatValue } from '../engine/format-number.js';
import { disagrees, type MatchedValue, type MatchedValues, matchedMismatches, TRAINER_MATCHED, trainerValue } from '../engine/links.js';
import type { PlanField, Setting } from '../engine/types.js';
import type { Rule } from './types.js';

/** What an accelerate launcher config sets that the run's plan compares with (links.ts accelerateLink). */
const LAUNCHER_COMPARED: { field: PlanField; what: string }[] = [
  { field: 'worldSize', what: 'world size' },
  { field: 'precision', what: 'precision' },
];

/**
 * Dialects whose training code overrides accelerate's `mixed_precision` with a precision written in the
 * config: TrainingArguments.__post_init__ sets ACCELERATE_MIXED_PRECISION (transformers v5: `mixed_precision`)
 * from `fp16`/`bf16` when one is true ("if training args is specified, it will override the one specified in
 * the accelerate config"), also for accelerate's DeepSpeed plugin, which takes that value
 * (research/frameworks.md §3). A config that sets neither runs with the accelerate value (the merged plan).
 */
const PRECISION_OVERRIDES_LAUNCHER = new Set(['hf-trainer', 'llama-factory', 'axolotl', 'ms-swift']);

function where(s: Setting<unknown>): string {
  return `${s.file ?? ''}${s.range ? `:${s.range.line}` : ''} ${s.key ?? ''}`.trim();
}

interface Clause {
  field: PlanField | string;
  clause: string;
  data: Record<string, unknown>;
  mine: Setting<unknown>;
  uncertain?: boolean;
  /** A fix on this file's side, said next to "auto" (an unset value the config class decides). */
  advice?: string;
}

function formatMatched(value: MatchedValue['value']): string {
  return Array.isArray(value) ? `[${value.map((v) => formatValue(v)).join(', ')}]` : formatValue(value as number | boolean);
}

function sideFixes(found: Clause[]): string {
  const fixes = found.flatMap((f) => (f.advice ? [f.advice] : []));
  return fixes.length ? `, or ${fixes.join(' and ')} here` : '';
}

/** The values beyond the plan's fields that the Trainer compares (links.ts TRAINER_MATCHED_KEYS), as clauses. */
function matchedClauses(own: MatchedValues | undefined, linked: MatchedValues | undefined, linkedFile: string): Clause[] {
  return matchedMismatches(own, linked).map(({ dsKey, what, mine, theirs }) => {
    const giver = mine.origin === 'launcher' ? `${mine.file}:${mine.range?.line ?? ''}` : 'this file';
    const how = `${mine.key ?? dsKey}${mine.origin === 'default' ? ', default' : ''}`;
    const clause = mine.uncertain
      ? `${what}: ${where(theirs)} is ${formatMatched(theirs.value)} but this file leaves ${mine.key} unset, which TrainingArguments takes as ${formatMatched(mine.value)} (${mine.uncertain}, and then they agree)`
      : `${what}: ${where(theirs)} is ${formatMatched(theirs.value)} but ${giver} gives ${formatMatched(mine.value)} (${how})`;
    return {
      field: dsKey,
      mine,
      ...(mine.uncertain ? { uncertain: true, advice: `write ${mine.key}: ${formatMatched(theirs.value)}` } : {}),
      clause,
      data: { field: dsKey, linkedFile, linkedKey: dsKey, linkedValue: theirs.value, value: mine.value, key: mine.key },
    };
  });
}

export const crossFileMismatch: Rule = {
  meta: {
    id: 'cross-file-mismatch',
    defaultSeverity: 'error',
    description: 'Two files describing one run disagree: hard-coded DeepSpeed values vs the trainer arguments, accelerate num_processes/mixed_precision vs the assumed world size/precision.',
  },
  check(ctx) {
    for (const link of ctx.linked) {
      const found: Clause[] = [];
      const compared = link.role === 'accelerate' ? LAUNCHER_COMPARED : [{ field: 'worldSize' as const, what: 'world size' }, ...TRAINER_MATCHED];
      for (const { field, what } of compared) {
        const mine = ctx.ownPlan[field] as Setting | undefined;
        const theirs = link.plan[field] as Setting | undefined;
        // Only values the DeepSpeed file writes: "auto" is filled by the Trainer (links.ts disagrees).
        if (!disagrees(field, mine, theirs, link.role, ctx.ownPlan, { own: ctx.ownMatched, linked: link.matched }) || !mine || !theirs) continue;
        // The training arguments' own fp16/bf16 override accelerate's mixed_precision: the run is as this file says.
        if (link.role === 'accelerate' && field === 'precision' && mine.origin !== 'assumed' && PRECISION_OVERRIDES_LAUNCHER.has(ctx.dialectId ?? '')) continue;
        const resolved = trainerValue(field, mine);
        // A value the launch command gives is named by its place in the script.
        const giver = mine.origin === 'launcher' && mine.file !== ctx.file.path ? `${mine.file}:${mine.range?.line ?? ''}` : 'this file';
        found.push({
          field,
          mine,
          clause:
            `${what}: ${where(theirs)} ${field === 'precision' ? 'selects' : 'is'} ${formatValue(theirs.value)} but ${giver} gives ${formatValue(mine.value)} ` +
            `(${resolved.how ?? `${mine.key ?? field}${mine.origin === 'assumed' ? ', assumed in .trainlint.yml' : mine.origin === 'default' ? ', default' : ''}`})`,
          data: { field, linkedFile: link.path, linkedKey: theirs.key, linkedValue: theirs.value, value: mine.value, key: mine.key },
        });
      }
      if (link.role === 'deepspeed') found.push(...matchedClauses(ctx.ownMatched, link.matched, link.path));
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
      // A trainer value that depends on the config class (TRL's bf16 default) is a warning when it is the only cause.
      const onlyUncertain = found.every((f) => f.uncertain);
      ctx.report({
        ...(onlyUncertain ? { severity: 'warning' as const } : {}),
        range: link.range,
        message:
          `${found.map((f) => f.clause).join('; ')}: the Trainer refuses to start ("DeepSpeed config values that mismatch TrainingArguments"); ` +
          `set the DeepSpeed value${plural ? 's' : ''} to "auto"${sideFixes(found)}`,
        data: { ...found[0].data, ...(plural ? { mismatches: found.map((f) => f.data) } : {}) },
      });
    }
  },
};
