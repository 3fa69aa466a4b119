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
  it('a step count under the key that holds it', () => {
    expect(warmupAsWritten({ value: 10, origin: 'explicit', key: 'warmup_steps' }, 1)).toEqual({ text: 'warmup_steps: 1', fix: 'warmup_steps: 1' });
    expect(warmupAsWritten({ value: 10, origin: 'explicit', key: '--lr-warmup-iters' }, 25)).toEqual({ text: '--lr-warmup-iters 25', fix: '--lr-warmup-iters 25' });
    expect(warmupAsWritten({ value: 10, origin: 'derived' }, 25)).toEqual({ text: '25 steps', fix: 'warmup 25' });
  });

  it('the fraction that gives at most that many steps for a fraction-derived warmup', () => {
    const neox = { value: 1430, origin: 'derived' as const, key: 'warmup', fractionOf: { fraction: 0.01, of: 'lr_decay_iters 143000', ofSteps: 143000 } };
    expect(warmupAsWritten(neox, 1000)).toEqual({ text: 'warmup: 0.00699 (1000 steps of lr_decay_iters 143000)', fix: 'warmup: 0.00699' });
  });

  it("in the key's own unit: samples for a samples flag, a Composer time string with its suffix", () => {
    const samples = { value: 10173, origin: 'derived' as const, key: '--lr-warmup-samples', writtenAs: { unit: 'samples', perStep: 384, value: 3906252 } };
    expect(warmupAsWritten(samples, 2543)).toEqual({ text: '--lr-warmup-samples 976512 (2543 steps)', fix: '--lr-warmup-samples 976512' });
    const composer = { value: 100, origin: 'explicit' as const, key: 'scheduler.t_warmup', writtenAs: { unit: 'ba', perStep: 1, suffix: true } };
    expect(warmupAsWritten(composer, 40).fix).toBe('scheduler.t_warmup: 40ba');
  });

  it('a warmup derived from a ratio key is advised as a ratio of that key', () => {
    const plan = { warmupRatio: { value: 1, origin: 'explicit' as const, key: 'warmup_ratio' }, totalSteps: { value: 400, origin: 'explicit' as const, key: 'max_steps' } };
    expect(warmupAsWritten({ value: 400, origin: 'derived' }, 20, plan)).toEqual({ text: 'warmup_ratio: 0.05 (20 steps)', fix: 'warmup_ratio: 0.05' });
  });
});
