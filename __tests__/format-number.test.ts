import { describe, expect, it } from '@jest/globals';
import { formatFractionDown } from '../src/engine/format-number.js';
import { warmupAsWritten } from '../src/rules/types.js';

describe('formatFractionDown', () => {
  it('keeps 3 significant digits and never rounds up past the limit', () => {
    expect(formatFractionDown(1000 / 143000)).toBe('0.00699');
    expect(formatFractionDown(0.2)).toBe('0.2');
    expect(formatFractionDown(0.12345)).toBe('0.123');
    expect(formatFractionDown(10 / 320000)).toBe('0.0000312');
    expect(Number(formatFractionDown(0.9999))).toBeLessThanOrEqual(0.9999);
  });
});

describe('warmupAsWritten', () => {
  it('a step count for a warmup written in steps, singular for one', () => {
    expect(warmupAsWritten({ value: 10, origin: 'explicit', key: 'warmup_steps' }, 1)).toEqual({ text: '1 step', fix: 'warmup 1' });
    expect(warmupAsWritten({ value: 10, origin: 'explicit', key: 'warmup_steps' }, 25)).toEqual({ text: '25 steps', fix: 'warmup 25' });
  });

  it('the fraction that gives at most that many steps for a fraction-derived warmup', () => {
    const neox = { value: 1430, origin: 'derived' as const, key: 'warmup', fractionOf: { fraction: 0.01, of: 'lr_decay_iters 143000', ofSteps: 143000 } };
    expect(warmupAsWritten(neox, 1000)).toEqual({ text: 'warmup 0.00699 (1000 steps of lr_decay_iters 143000)', fix: 'warmup 0.00699' });
  });
});
