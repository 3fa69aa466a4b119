/** The rule catalogue, in the order rules run and are documented. */
import { batchSizeMismatch } from './batch-size-mismatch.js';
import { duplicateKey } from './duplicate-key.js';
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
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));

export function docsPath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`;
}
