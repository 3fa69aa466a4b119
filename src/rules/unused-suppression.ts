import type { Rule } from './types.js';

/** Reported by the engine after suppressions are applied (engine/suppressions.ts). */
export const unusedSuppression: Rule = {
  meta: {
    id: 'unused-suppression',
    defaultSeverity: 'warning',
    description: 'A `trainlint-disable` comment suppresses nothing, or gives no `-- reason`.',
    builtin: true,
  },
  check() {},
};
