/**
 * The LR schedule of one or two runs, as data for a chart (the job summary's Mermaid chart and
 * `trainlint plan --chart`'s SVG). Pure: plans in, series out.
 *
 * - Linear warmup to the peak, then the scheduler's cosine / linear / constant decay to the floor.
 * - A run is never drawn past its end (no "LR 0" after the last step).
 * - When the global batch differs between the runs, the x axis counts samples, so a warmup that
 *   spans more data is visible at a glance; otherwise optimizer steps. A chart format that cannot
 *   end a line early (Mermaid's xychart) uses the fraction of each run's training instead, unless
 *   both runs have the same length on that axis.
 * - Each run has an explicit colour from a colour-blind-safe pair (Okabe–Ito blue and vermillion),
 *   with a legend line naming the runs.
 */
import type { ReportSetting } from '../engine/report-types.js';
import { formatCount, formatPercent } from '../engine/format-number.js';

export type Plan = Record<string, ReportSetting>;

/** Okabe–Ito blue (base) and vermillion (head): distinct for colour-blind readers, on light and dark backgrounds. */
export const RUN_COLORS = ['#0072B2', '#D55E00'] as const;
export const RUN_COLOR_NAMES = ['blue', 'orange'] as const;

function num(plan: Plan | undefined, field: string): number | undefined {
  const v = plan?.[field]?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Warmup in steps: the step count, or the ratio of the run. */
function warmupStepsOf(plan: Plan, total: number): number {
  const steps = num(plan, 'warmupSteps');
  if (steps !== undefined) return Math.min(Math.max(0, steps), total);
  const ratio = num(plan, 'warmupRatio');
  return ratio !== undefined ? Math.min(Math.max(0, ratio), 1) * total : 0;
}

/** The run's length in optimizer steps, when known. */
export function runSteps(plan: Plan): number | undefined {
  const total = num(plan, 'totalSteps');
  return total !== undefined && total > 0 ? total : undefined;
}

/**
 * LR at `step`: linear warmup, then cosine / linear / constant decay to `minLr` over the decay
 * horizon (`decaySteps`, else the run). Undefined when the plan lacks the peak LR or the length,
 * and past the run's end: a finished run has no LR.
 */
export function lrAt(plan: Plan, step: number): number | undefined {
  const peak = num(plan, 'peakLr');
  const total = runSteps(plan);
  if (peak === undefined || total === undefined || step < 0 || step > total) return undefined;
  const warmup = warmupStepsOf(plan, total);
  const min = num(plan, 'minLr') ?? 0;
  if (warmup > 0 && step < warmup) return (peak * step) / warmup;
  const scheduler = String(plan.scheduler?.value ?? 'constant').toLowerCase();
  const decay = Math.max(1, (num(plan, 'decaySteps') ?? total) - warmup);
  const t = Math.min(1, Math.max(0, (step - warmup) / decay));
  if (scheduler.includes('cos')) return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * t));
  if (scheduler.includes('linear') || scheduler.includes('poly')) return peak - (peak - min) * t;
  return peak;
}

export type Axis = 'steps' | 'samples' | 'fraction';

export interface ChartRun {
  /** "base", "head", or the file's name for a single run. */
  name: string;
  /** What the run is, for the legend: "reference a100.sh", "h100.sh". */
  label: string;
  plan: Plan;
}

export interface ChartSeries {
  name: string;
  label: string;
  color: string;
  colorName: string;
  /** [x, LR] from 0 to the run's end on the chart's axis. */
  points: Array<[number, number]>;
  /** Where the run ends and where its warmup ends, on the axis. */
  end: number;
  warmupEnd: number;
  /** The run in words: "34320 steps × 8800 samples". */
  length: string;
}

export interface LrChartData {
  axis: Axis;
  /** "optimizer step", "samples", "fraction of training". */
  xTitle: string;
  xMax: number;
  yMax: number;
  series: ChartSeries[];
  /** The legend line: which colour is which run, and what the axis counts. */
  legend: string;
}

export interface ChartOptions {
  /** Points per run. */
  points?: number;
  /**
   * The chart cannot end a line before the axis does (Mermaid's xychart): runs of different
   * lengths are drawn against the fraction of their own training, and equal lengths share the
   * axis up to the shorter end (within `sameLength`, default 2%).
   */
  fullWidthLines?: boolean;
  sameLength?: number;
}

/** Samples per optimizer step, when the plan says. */
function batchOf(plan: Plan): number | undefined {
  const b = num(plan, 'globalBatchSize');
  return b !== undefined && b > 0 ? b : undefined;
}

/** The chart of one or two runs; undefined when a run's schedule cannot be drawn. */
export function lrChartData(runs: ChartRun[], options: ChartOptions = {}): LrChartData | undefined {
  if (runs.length === 0) return undefined;
  const points = Math.max(2, options.points ?? 200);
  for (const r of runs) if (lrAt(r.plan, 0) === undefined) return undefined;
  const batches = runs.map((r) => batchOf(r.plan));
  const batchDiffers = runs.length > 1 && batches.every((b) => b !== undefined) && new Set(batches).size > 1;
  let axis: Axis = batchDiffers ? 'samples' : 'steps';
  const perStep = (i: number) => (axis === 'samples' ? batches[i]! : 1);
  const lengths = runs.map((r, i) => runSteps(r.plan)! * perStep(i));
  let xMax = Math.max(...lengths);
  if (options.fullWidthLines && runs.length > 1) {
    const shortest = Math.min(...lengths);
    if ((xMax - shortest) / xMax <= (options.sameLength ?? 0.02)) xMax = shortest;
    else {
      axis = 'fraction';
      xMax = 1;
    }
  }
  const toStep = (i: number, x: number) => (axis === 'fraction' ? x * runSteps(runs[i].plan)! : x / perStep(i));
  const series = runs.map((r, i): ChartSeries => {
    const total = runSteps(r.plan)!;
    const end = axis === 'fraction' ? 1 : Math.min(lengths[i], xMax);
    const warmup = warmupStepsOf(r.plan, total);
    const xs = Array.from({ length: points }, (_, k) => (options.fullWidthLines ? (xMax * k) / (points - 1) : (end * k) / (points - 1)));
    // The warmup's end is a corner of the curve: include it so the peak is drawn exactly.
    const warmupX = axis === 'fraction' ? warmup / total : warmup * perStep(i);
    if (!options.fullWidthLines && warmupX > 0 && warmupX < end) xs.push(warmupX);
    xs.sort((a, b) => a - b);
    const pts = xs.map((x): [number, number] => [x, lrAt(r.plan, Math.min(total, toStep(i, x))) ?? 0]);
    const batch = batches[i];
    return {
      name: r.name,
      label: r.label,
      color: RUN_COLORS[i % RUN_COLORS.length],
      colorName: RUN_COLOR_NAMES[i % RUN_COLOR_NAMES.length],
      points: pts,
      end,
      warmupEnd: warmupX,
      length: batch !== undefined ? `${formatCount(total)} steps × ${formatCount(batch)} samples` : `${formatCount(total)} steps`,
    };
  });
  const yMax = Math.max(...series.flatMap((s) => s.points.map((p) => p[1])));
  if (!(yMax > 0)) return undefined;
  const xTitle = axis === 'samples' ? 'samples' : axis === 'fraction' ? 'fraction of training' : 'optimizer step';
  return { axis, xTitle, xMax, yMax, series, legend: legendLine(series, axis, lengths) };
}

function legendLine(series: ChartSeries[], axis: Axis, lengths: number[]): string {
  const runs = series.map((s) => `${s.colorName}: ${s.name} (${s.label}; ${s.length}${s.warmupEnd > 0 ? `, warmup ends at ${axisValue(axis, s.warmupEnd)}` : ''})`).join(' · ');
  const x =
    axis === 'samples'
      ? 'x axis: samples seen (the global batch differs, so steps are not comparable)'
      : axis === 'fraction'
        ? 'x axis: fraction of each run’s own training (the runs have different lengths)'
        : 'x axis: optimizer steps';
  const cut = axis !== 'fraction' && series.length > 1 && Math.min(...lengths) < Math.max(...lengths) && series.every((s) => s.end === Math.min(...lengths)) ? '; the axis ends with the shorter run' : '';
  return `${runs}. ${x}${cut}.`;
}

/** A value on the axis, for labels: "32M samples", "10000 steps", "29.1%". */
export function axisValue(axis: Axis, x: number): string {
  if (axis === 'fraction') return formatPercent(x);
  const n = axis === 'samples' ? compact(x) : formatCount(Math.round(x));
  return `${n} ${axis === 'samples' ? 'samples' : 'steps'}`;
}

/** 32000000 → "32M", 1500 → "1.5k", 0.5 → "0.5". */
export function compact(x: number): string {
  const abs = Math.abs(x);
  const [div, suffix] = abs >= 1e12 ? [1e12, 'T'] : abs >= 1e9 ? [1e9, 'B'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${Number((x / div).toPrecision(3))}${suffix}`;
}
