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
    expect(warmupAsWritten({ value: 10, origin: 'explicit', key: 'warmup_steps' }, 1)).toEqual({ text: 'warmup_steps: 1', fix: 'warmup_steps: 1', steps: 1 });
    expect(warmupAsWritten({ value: 10, origin: 'explicit', key: '--lr-warmup-iters' }, 25)).toEqual({ text: '--lr-warmup-iters 25', fix: '--lr-warmup-iters 25', steps: 25 });
    expect(warmupAsWritten({ value: 10, origin: 'derived' }, 25)).toEqual({ text: '25 steps', fix: 'warmup 25', steps: 25 });
  });

  it('the fraction that gives at most that many steps for a fraction-derived warmup', () => {
    const neox = { value: 1430, origin: 'derived' as const, key: 'warmup', fractionOf: { fraction: 0.01, of: 'lr_decay_iters 143000', ofSteps: 143000 } };
    expect(warmupAsWritten(neox, 1000)).toEqual({ text: 'warmup: 0.00699 (1000 steps of lr_decay_iters 143000)', fix: 'warmup: 0.00699', steps: 1000 });
  });

  it("in the key's own unit: samples for a samples flag, a Composer time string with its suffix", () => {
    const samples = { value: 10173, origin: 'derived' as const, key: '--lr-warmup-samples', writtenAs: { unit: 'samples', perStep: 384, value: 3906252 } };
    expect(warmupAsWritten(samples, 2543)).toEqual({ text: '--lr-warmup-samples 976512 (2543 steps)', fix: '--lr-warmup-samples 976512', steps: 2543 });
    const composer = { value: 100, origin: 'explicit' as const, key: 'scheduler.t_warmup', writtenAs: { unit: 'ba', perStep: 1, suffix: true } };
    expect(warmupAsWritten(composer, 40).fix).toBe('scheduler.t_warmup: 40ba');
  });

  it('epochs: whole epochs by default (the count they really give), fractions where the key takes them', () => {
    const timm = { value: 12510, origin: 'derived' as const, key: 'warmup_epochs', writtenAs: { unit: 'epochs', perStep: 1 / 1251 } };
    expect(warmupAsWritten(timm, 500)).toEqual({ text: 'warmup_epochs: 1 (1251 steps)', fix: 'warmup_epochs: 1', steps: 1251 });
    const ultralytics = { value: 24, origin: 'derived' as const, key: 'warmup_epochs', writtenAs: { unit: 'epochs', perStep: 1 / 8, fractional: true } };
    expect(warmupAsWritten(ultralytics, 4, { schedulerTick: { value: 'iteration', origin: 'derived' } })).toEqual({ text: 'warmup_epochs: 0.5 (4 iterations)', fix: 'warmup_epochs: 0.5', steps: 4 });
  });

  it('a floor the framework imposes: what to do instead, with the run length in its key', () => {
    const floored = {
      value: 100,
      origin: 'derived' as const,
      key: 'warmup_epochs',
      writtenAs: { unit: 'epochs', perStep: 1 / 8, fractional: true },
      floor: { steps: 100, by: 'Ultralytics ≤ 8.4.102 floors the warmup at 100 iterations', off: 'warmup_epochs: 0', otherwise: 'use ultralytics ≥ 8.4.103 (no floor)' },
    };
    const plan = {
      schedulerTick: { value: 'iteration', origin: 'derived' as const },
      totalSteps: { value: 240, origin: 'derived' as const },
      stepsPerEpoch: { value: 8, origin: 'derived' as const },
      epochs: { value: 30, origin: 'explicit' as const, key: 'epochs', file: 'args.yaml' },
    };
    const advice = warmupAsWritten(floored, 48, plan, 'args.yaml', 0.2);
    expect(advice).toEqual({
      text: 'Ultralytics ≤ 8.4.102 floors the warmup at 100 iterations, so no warmup_epochs gives fewer: set warmup_epochs: 0 (no warmup), use ultralytics ≥ 8.4.103 (no floor) or train ≥ 500 iterations (epochs: 63) so that it is 20% of the run',
      fix: expect.any(String),
      floored: true,
      steps: 100,
    });
    // Above the floor the key's own unit applies again.
    expect(warmupAsWritten(floored, 160, plan, 'args.yaml').fix).toBe('warmup_epochs: 20');
  });

  it('a warmup derived from a ratio key is advised as a ratio of that key', () => {
    const plan = { warmupRatio: { value: 1, origin: 'explicit' as const, key: 'warmup_ratio' }, totalSteps: { value: 400, origin: 'explicit' as const, key: 'max_steps' } };
    expect(warmupAsWritten({ value: 400, origin: 'derived' }, 20, plan)).toEqual({ text: 'warmup_ratio: 0.05 (20 steps)', fix: 'warmup_ratio: 0.05', steps: 20 });
  });
});
