/** Job summary / PR comment Markdown: totals, links, plan tables, LR chart, escaping, caps. */
import type { ReportSetting } from '../../src/engine/report-types';
import { COMMENT_MARKER, escapeMarkdown, formatMarkdown, lineUrl, lrAt, lrChart } from '../../src/report/markdown';
import { finding, report } from './helpers';

const links = { serverUrl: 'https://github.com', repository: 'acme/ml', sha: 'a'.repeat(40) };
const s = (value: number | string): ReportSetting => ({ value, origin: 'explicit' });
const basePlan = { globalBatchSize: s(3200), peakLr: s(5e-4), warmupSteps: s(10000), totalSteps: s(93750), scheduler: s('cosine') };
const headPlan = { globalBatchSize: s(8800), peakLr: s(5e-4), warmupSteps: s(10000), totalSteps: s(34110), scheduler: s('cosine') };

describe('escapeMarkdown', () => {
  test.each([
    ['a|b', 'a\\|b'],
    ['`rm -rf`', '\\`rm \\-rf\\`'],
    ['line1\nline2', 'line1 line2'],
    ['<!-- trainlint:sticky-comment -->', '&lt;\\!\\-\\- trainlint:sticky\\-comment \\-\\-&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
  ])('%j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  test('mentions and issue references are neutralised', () => {
    const out = escapeMarkdown('ping @octocat about #123 and org/repo#9');
    expect(out).not.toMatch(/@[a-z]/);
    expect(out).not.toMatch(/#\d/);
    expect(out).toContain('@\u200boctocat');
  });
});

describe('formatMarkdown', () => {
  test('totals, a findings table linking to file lines, errors first', () => {
    const md = formatMarkdown(report([finding({ severity: 'warning', ruleId: 'warmup-fraction', line: 3 }), finding()], 2), { links });
    expect(md).toContain('1 error, 1 warning, 0 notices in 2 files');
    expect(md).toContain(`[configs/train\\.sh:10](https://github.com/acme/ml/blob/${'a'.repeat(40)}/configs/train.sh#L10)`);
    expect(md).toContain('(https://github.com/trainlint/trainlint/blob/main/docs/rules/lr-not-rescaled.md)');
    expect(md.indexOf('❌ error')).toBeLessThan(md.indexOf('⚠️ warning'));
    expect(lineUrl(links, 'a b/#c.yaml', 2)).toBe(`https://github.com/acme/ml/blob/${'a'.repeat(40)}/a%20b/%23c.yaml#L2`);
  });

  test('all clear', () => {
    expect(formatMarkdown(report([], 4), { marker: COMMENT_MARKER })).toMatch(/^<!-- trainlint:sticky-comment -->\n### trainlint\n\n✅ \*\*trainlint: all clear\*\*/);
  });

  test('untrusted text cannot forge the marker, break the table or mention', () => {
    const evil = finding({ path: 'x|y.yaml', message: `<!-- trainlint:sticky-comment --> | @admin #1 \`code\`\n| injected | row |` });
    const md = formatMarkdown(report([evil]), { marker: COMMENT_MARKER, links, notices: ['policy edited by @mallory in <!-- x -->'] });
    expect(md.split(COMMENT_MARKER)).toHaveLength(2);
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    const row = md.split('\n').find((l) => l.startsWith('| ❌'))!;
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    expect(md).not.toMatch(/@(admin|mallory)/);
    expect(md).not.toMatch(/#1\b/);
    expect(md).not.toContain('<!-- x');
  });

  test('per changed config: the plan base → head and an LR chart', () => {
    const md = formatMarkdown(report([]), { links, changes: [{ path: 'train.sh', baseLabel: 'base abc123', base: basePlan, head: headPlan }] });
    expect(md).toContain('| global batch | 3200 | 8800 | ×2\\.75 |');
    expect(md).toContain('| LR (peak) | 5e\\-4 | 5e\\-4 | unchanged |');
    expect(md).toContain('| warmup share | 10\\.7% | 29\\.3% |');
    expect(md).toContain('| total steps | 93750 | 34110 |');
    expect(md).toContain('```mermaid\n---\nconfig:\n  themeVariables:\n    xyChart:\n      plotColorPalette: "#0072B2, #D55E00"\n---\nxychart-beta');
    const lines = md.split('\n').filter((l) => l.trim().startsWith('line ['));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l.split(',')).toHaveLength(50);
    // The global batch differs: against samples seen (both runs ≈ 300M samples), with a legend line.
    expect(md).toContain('x-axis "samples (millions)" 0 --> 300');
    expect(md).toContain('**LR schedule.** blue: base \\(base abc123; 93750 steps × 3200 samples, warmup ends at 32M samples\\) · orange: head \\(train\\.sh; 34110 steps × 8800 samples, warmup ends at 88M samples\\)');
    // Runs of different lengths: each against the fraction of its own training, never LR 0 past an end.
    const short = formatMarkdown(report([]), { changes: [{ path: 'train.sh', base: basePlan, head: { ...headPlan, totalSteps: s(10000) } }] });
    expect(short).toContain('x-axis "% of each run" 0 --> 100');
    expect(short).toContain('x axis: fraction of each run’s own training');
    const headLine = short.split('\n').filter((l) => l.trim().startsWith('line ['))[1];
    expect(headLine.split(',').slice(1, -1).every((v) => Number(v.replace(/[^\d.]/g, '')) > 0)).toBe(true);
    // A new config has no base: table without chart.
    const fresh = formatMarkdown(report([]), { changes: [{ path: 'new.sh', head: headPlan }] });
    expect(fresh).toContain('New config');
    expect(fresh).not.toContain('mermaid');
  });

  test('LR schedule shapes: linear warmup then cosine / linear / constant', () => {
    const plan = (scheduler: string) => ({ peakLr: s(1), warmupSteps: s(10), totalSteps: s(110), scheduler: s(scheduler) });
    expect(lrAt(plan('cosine'), 5)).toBeCloseTo(0.5);
    expect(lrAt(plan('cosine'), 10)).toBeCloseTo(1);
    expect(lrAt(plan('cosine'), 60)).toBeCloseTo(0.5);
    expect(lrAt(plan('cosine'), 110)).toBeCloseTo(0);
    // Past its end a run has no LR (it is not drawn as 0).
    expect(lrAt(plan('cosine'), 111)).toBeUndefined();
    expect(lrAt(plan('linear'), 35)).toBeCloseTo(0.75);
    expect(lrAt(plan('constant'), 100)).toBe(1);
    expect(lrChart(plan('cosine'), { peakLr: s(1) })).toBeUndefined();
  });

  test('caps: 65,536 characters for a comment, 1 MiB for the summary, with a truncated note', () => {
    const many = report(Array.from({ length: 3000 }, (_, i) => finding({ line: i + 1, endLine: i + 1, message: `m${i} ${'x'.repeat(300)}` })));
    const comment = formatMarkdown(many, { links, marker: COMMENT_MARKER, max: { length: 65536, unit: 'chars' } });
    expect(comment.length).toBeLessThanOrEqual(65536);
    expect(comment).toMatch(/\*\*Truncated:\*\* \d+ more lines did not fit in this comment/);
    const summary = formatMarkdown(report(Array.from({ length: 4000 }, () => finding({ message: '∑'.repeat(300) }))), { links });
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(summary).toContain('did not fit in this job summary');
  });
});
