/**
 * What a finished result keeps of a plan (engine/parallel/finished.ts): with `detach`, its string
 * values and notes are strings of their own (`detached`), not views of the file's text that would
 * keep the whole text alive for the rest of the run. Same characters, same plan otherwise.
 */
import { detached, reportGradeExtraction, reportGradePlan } from '../src/engine/parallel/finished';
import type { Extraction } from '../src/dialects/types';
import type { TrainingPlan } from '../src/engine/types';

const text = `${'x'.repeat(5000)}\noptimizer: adamw_torch_fused_with_a_long_name\nlr_scheduler: cosine\n`;
const at = (s: string) => text.slice(text.indexOf(s), text.indexOf(s) + s.length);

const plan = {
  optimizer: { value: at('adamw_torch_fused_with_a_long_name'), origin: 'explicit', key: 'optimizer', range: { line: 2, column: 1, endLine: 2, endColumn: 10 } },
  scheduler: { value: at('cosine'), origin: 'explicit', note: `read as ${at('adamw_torch_fused_with_a_long_name')}` },
  peakLr: { value: 3e-4, origin: 'explicit', unit: 'lr', how: 'as written' },
  epochs: { value: 2, origin: 'default', bound: 'upper', derivedFrom: ['x'] },
} as unknown as TrainingPlan;

describe('detached', () => {
  it('gives the same characters, short or long, one or two bytes a character', () => {
    for (const s of ['', 'adamw', 'exactly13char', at('adamw_torch_fused_with_a_long_name'), `ünïcødé ✓ 𝔘 ${at('cosine')} and more`, '\ud800 lone surrogate, long enough']) {
      expect(detached(s)).toBe(s);
      expect(detached(s, false)).toBe(s);
    }
  });

  it('shares one string for a value met again', () => {
    const a = detached(at('adamw_torch_fused_with_a_long_name'));
    const b = detached(`adamw_torch_fused_with_a_long_${'name'}`);
    expect(b).toBe(a);
  });
});

describe('reportGradePlan with detach', () => {
  it('keeps the same plan as without it', () => {
    expect(reportGradePlan(plan, true)).toEqual(reportGradePlan(plan));
    expect(JSON.stringify(reportGradePlan(plan, true))).toBe(JSON.stringify(reportGradePlan(plan)));
  });

  it('keeps only what reports show, as before', () => {
    const kept = reportGradePlan(plan, true) as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(kept)).toEqual(['optimizer', 'scheduler', 'peakLr', 'epochs']);
    expect(kept.epochs).toEqual({ value: 2, origin: 'default', bound: 'upper' });
    expect(kept.optimizer.range).toBe((plan as unknown as Record<string, { range: unknown }>).optimizer.range);
  });

  it('applies to an extraction kept as objects', () => {
    const extraction = { plan, missing: [], notes: ['n'], anchor: { line: 1, column: 1, endLine: 1, endColumn: 2 } } as unknown as Extraction;
    expect(reportGradeExtraction(extraction, false, true)).toEqual(reportGradeExtraction(extraction));
  });
});
