/** The LR chart data and the standalone SVG: axis choice, run ends, legend, escaping. */
import { XMLValidator } from 'fast-xml-parser';
import type { ReportSetting } from '../src/engine/report-types';
import { lrChartData, RUN_COLORS } from '../src/report/chart';
import { lrChartSvg, ticks } from '../src/report/chart-svg';

const s = (value: number | string): ReportSetting => ({ value, origin: 'explicit' });
const plan = (batch: number, total: number, warmup: number) => ({ globalBatchSize: s(batch), peakLr: s(5e-4), warmupSteps: s(warmup), totalSteps: s(total), scheduler: s('cosine') });

describe('lrChartData', () => {
  test('same global batch: optimizer steps; each run ends where it ends', () => {
    const d = lrChartData([{ name: 'base', label: 'a', plan: plan(256, 1000, 100) }, { name: 'head', label: 'b', plan: plan(256, 400, 100) }])!;
    expect(d.axis).toBe('steps');
    expect(d.xMax).toBe(1000);
    expect(d.series.map((x) => x.end)).toEqual([1000, 400]);
    expect(d.series[1].points.at(-1)![0]).toBe(400);
    expect(d.series.map((x) => x.color)).toEqual([...RUN_COLORS]);
    expect(d.legend).toContain('blue: base (a; 1000 steps × 256 samples, warmup ends at 100 steps)');
  });

  test('a different global batch: samples, so the longer warmup shows', () => {
    const d = lrChartData([{ name: 'base', label: 'a', plan: plan(3200, 93840, 10000) }, { name: 'head', label: 'b', plan: plan(8800, 34320, 10000) }])!;
    expect(d.axis).toBe('samples');
    expect(d.series.map((x) => x.warmupEnd)).toEqual([32_000_000, 88_000_000]);
    // The peak is drawn at the warmup's end exactly.
    expect(d.series[1].points.find(([x]) => x === 88_000_000)![1]).toBeCloseTo(5e-4);
  });

  test('full-width lines (Mermaid): equal lengths share the axis to the shorter end, else the fraction of training', () => {
    const near = lrChartData([{ name: 'base', label: 'a', plan: plan(3200, 93840, 10000) }, { name: 'head', label: 'b', plan: plan(8800, 34320, 10000) }], { fullWidthLines: true, points: 20 })!;
    expect(near.axis).toBe('samples');
    expect(near.xMax).toBe(93840 * 3200);
    expect(near.legend).toContain('the axis ends with the shorter run');
    const far = lrChartData([{ name: 'base', label: 'a', plan: plan(256, 1000, 100) }, { name: 'head', label: 'b', plan: plan(256, 400, 100) }], { fullWidthLines: true, points: 20 })!;
    expect(far.axis).toBe('fraction');
    expect(far.series.map((x) => x.warmupEnd)).toEqual([0.1, 0.25]);
    // No point of a finished run is drawn as LR 0 before the very end of its own training.
    for (const series of far.series) expect(series.points.slice(1, -1).every(([, lr]) => lr > 0)).toBe(true);
  });

  test('an unknown length or LR: no chart', () => {
    expect(lrChartData([{ name: 'run', label: 'a', plan: { peakLr: s(1e-3) } }])).toBeUndefined();
  });
});

describe('lrChartSvg', () => {
  test('well-formed standalone SVG with escaped labels, a legend per run and round ticks', () => {
    const svg = lrChartSvg([{ name: 'base', label: 'a<b>&"c".sh', plan: plan(3200, 93840, 10000) }, { name: 'head', label: '</svg><script>x</script>', plan: plan(8800, 34320, 10000) }], 'LR <schedule>')!;
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;.sh');
    expect(svg.match(/<path class="run"/g)).toHaveLength(2);
    expect(svg).toContain('warmup to 88M samples');
    expect(ticks(5e-4)).toEqual([0, 0.0001, 0.0002, 0.0003, 0.0004, 0.0005]);
    expect(ticks(302_016_000)).toEqual([0, 1e8, 2e8, 3e8]);
  });
});
