import type { Rule } from './types.js';

/** Reported by the loaders at the second occurrence; the loader's last-wins value is used. */
export const duplicateKey: Rule = {
  meta: {
    id: 'duplicate-key',
    defaultSeverity: 'error',
    description: 'The same key appears twice in one mapping; the loader silently keeps the last value.',
    builtin: true,
  },
  check() {},
};
