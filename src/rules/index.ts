/** The rule catalogue, in the order rules run and are documented. */
import { batchSizeMismatch } from './batch-size-mismatch.js';
import { conflictingSettings } from './conflicting-settings.js';
import { crossFileMismatch } from './cross-file-mismatch.js';
import { decayHorizonMismatch } from './decay-horizon-mismatch.js';
import { intervalExceedsTraining } from './interval-exceeds-training.js';
import { minLrExceedsLr } from './min-lr-exceeds-lr.js';
import { unusedSuppression } from './unused-suppression.js';
import { yaml11AmbiguousScalar } from './yaml11-ambiguous-scalar.js';
import { duplicateKey } from './duplicate-key.js';
import { ignoredSetting } from './ignored-setting.js';
import { lrNotRescaled } from './lr-not-rescaled.js';
import { parseError } from './parse-error.js';
import { schema } from './schema.js';
import type { Rule } from './types.js';
import { warmupExceedsTraining } from './warmup-exceeds-training.js';
import { warmupFraction } from './warmup-fraction.js';
import { warmupNotRescaled } from './warmup-not-rescaled.js';

export const RULES: readonly Rule[] = [
  parseError,
  duplicateKey,
  schema,
  warmupExceedsTraining,
  warmupFraction,
  lrNotRescaled,
  warmupNotRescaled,
  batchSizeMismatch,
  decayHorizonMismatch,
  conflictingSettings,
  ignoredSetting,
  crossFileMismatch,
  minLrExceedsLr,
  intervalExceedsTraining,
  yaml11AmbiguousScalar,
  unusedSuppression,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));

export function docsPath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`;
}
