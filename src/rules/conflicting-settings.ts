import type { Rule } from './types.js';

export const conflictingSettings: Rule = {
  meta: {
    id: 'conflicting-settings',
    defaultSeverity: 'error',
    description: 'Settings that contradict each other (fp16 with bf16, warmup as steps and ratio, warmup_max_lr ≠ optimizer LR).',
  },
  check(ctx) {
    for (const conflict of ctx.conflicts) {
      ctx.report({
        range: conflict.range,
        message: conflict.message,
        data: { kind: conflict.kind, ...(conflict.data ?? {}) },
        ...(conflict.level === 'info' ? { severity: 'info' as const } : {}),
      });
    }
  },
};
