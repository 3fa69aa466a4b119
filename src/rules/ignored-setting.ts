import { deepspeedSchedulerOf } from '../engine/links.js';
import type { Rule } from './types.js';

/**
 * Values written in a config that the framework silently ignores or overrides (a default, another
 * key or the launcher wins): each dialect lists them in `Extraction.ignored`. An ignored LR or run
 * length (`critical`) is reported at the configured severity (error by default); anything else at
 * warning, never above the configured level.
 */
export const ignoredSetting: Rule = {
  meta: {
    id: 'ignored-setting',
    defaultSeverity: 'error',
    description: 'A value written in the config that the framework silently ignores or overrides (error when it is the LR or the run length, else warning).',
  },
  check(ctx) {
    // A DeepSpeed scheduler block replaces the trainer's scheduler, and reads what that scheduler ignored.
    const dsScheduler = deepspeedSchedulerOf(ctx.linked);
    for (const ignored of ctx.ignored) {
      if (dsScheduler && ignored.data?.trainerSchedulerOnly === true) continue;
      ctx.report({
        range: ignored.range,
        message: ignored.message,
        data: { key: ignored.key, critical: ignored.critical === true, ...(ignored.data ?? {}) },
        ...(ignored.critical ? {} : { severity: 'warning' as const }),
      });
    }
  },
};
