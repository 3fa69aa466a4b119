import type { Rule } from './types.js';

/** Reported by the loaders; the other files are still linted. */
export const parseError: Rule = {
  meta: {
    id: 'parse-error',
    defaultSeverity: 'error',
    description: 'A file cannot be parsed (syntax error, binary or non-UTF-8 content, too large or too deep).',
    builtin: true,
  },
  check() {},
};
