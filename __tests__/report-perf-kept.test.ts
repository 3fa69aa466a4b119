/**
 * The report path's faster forms give what the plain ones did: the stylish format's line wrapping
 * (widths in code points, measured once per word) and the report-grade plan read with for-in.
 */
import { describe, expect, it } from '@jest/globals';
import { flattened, reportGradePlan } from '../src/engine/parallel/finished.js';
import { wrap } from '../src/report/stylish.js';
import type { Setting, TrainingPlan } from '../src/engine/types.js';

/** The wrapping as it was: widths by Array.from, the line measured again for every word. */
function wrapBefore(text: string, limit: number): string[] {
  const width = (s: string) => Array.from(s).length;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    if (line && width(line) + 1 + width(word) > limit) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

describe('report perf: same output', () => {
  it('wraps as before, astral characters and lone surrogates included', () => {
    const words = ['a', 'warmup', '😀😀', '\ud83d', '\ude00x', 'x\ud83d', '𝔘𝔫𝔦', 'é', '', 'lr=3e-4', '\ud83d\ude00\ud83d'];
    for (let seed = 1; seed < 400; seed++) {
      let x = seed;
      const parts: string[] = [];
      for (let k = 0; k < 30; k++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        parts.push(words[x % words.length]);
      }
      const text = parts.join(seed % 3 === 0 ? '  ' : ' ');
      for (const limit of [1, 5, 12, 40]) expect(wrap(text, limit)).toEqual(wrapBefore(text, limit));
    }
  });

  it('keeps the same fields of a setting, in the same order, whatever order it was built in', () => {
    const range = { line: 1, column: 2, endLine: 1, endColumn: 5 };
    const a: Setting = { value: 8, origin: 'explicit', file: 'a.yaml', key: 'bs', range, valueRange: range };
    const b = { note: 'n', how: 'h', bound: 'upper', estimatedFrom: 'd', unit: 'steps', key: 'k', origin: 'derived', value: 'adamw_torch_fused_long' } as unknown as Setting;
    const c: Setting = { value: 1, origin: 'default', unit: undefined };
    const plan = { microBatchSize: a, optimizer: b, totalSteps: c, epochs: undefined } as unknown as TrainingPlan;
    for (const detach of [false, true]) {
      const kept = reportGradePlan(plan, detach) as Record<string, Setting>;
      expect(Object.keys(kept)).toEqual(['microBatchSize', 'optimizer', 'totalSteps']);
      expect(Object.keys(kept.microBatchSize)).toEqual(['value', 'origin', 'file', 'key', 'range']);
      expect(Object.keys(kept.optimizer)).toEqual(['value', 'origin', 'unit', 'key', 'how', 'note', 'bound']);
      expect(kept.optimizer.value).toBe('adamw_torch_fused_long');
      expect(kept.optimizer.note).toBe('n');
      expect(Object.keys(kept.totalSteps)).toEqual(['value', 'origin']);
      expect(kept.microBatchSize.range).toBe(range);
    }
  });

  it('flattens without changing the text', () => {
    let s = '';
    for (let k = 0; k < 50; k++) s += `part ${k}; `;
    expect(flattened(s)).toBe(s);
    expect(flattened('')).toBe('');
  });
});
