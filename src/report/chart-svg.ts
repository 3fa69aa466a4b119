/**
 * `trainlint plan FILE [--base REF] --chart out.svg`: the LR schedule as a standalone SVG (no
 * script, no external resource), for people working locally. Each run ends where it ends (an end
 * marker, never a drop to 0), its warmup's end is marked in its colour, and a legend names the
 * runs; the x axis counts samples when the global batch differs, else optimizer steps.
 */
import { formatSci } from '../engine/format-number.js';
import { escapeXml } from './junit.js';
import { axisValue, compact, lrChartData, type ChartRun, type LrChartData } from './chart.js';

const W = 760;
const H = 460;
const M = { left: 78, right: 24, top: 64, bottom: 124 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** Round tick values: 1, 2 or 5 × 10^k, about `count` of them from 0 to max. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw) + 1e-9);
  const step = [1, 2, 2.5, 5, 10].map((m) => Number((m * mag).toPrecision(12))).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v <= max * (1 + 1e-9); v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** At most `max` characters, keeping the end (a path's file name). */
function clip(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max + 1)}`;
}

function fmtX(data: LrChartData, x: number): string {
  if (data.axis === 'fraction') return `${Math.round(x * 100)}%`;
  return compact(x);
}

/** The SVG document of `runs`' LR schedules; undefined when a schedule cannot be drawn. */
export function lrChartSvg(runs: ChartRun[], title: string): string | undefined {
  const data = lrChartData(runs, { points: 240 });
  if (!data) return undefined;
  const xt = ticks(data.xMax);
  const xTop = Math.max(data.xMax, xt[xt.length - 1]);
  const yt = ticks(data.yMax);
  const yTop = Math.max(data.yMax, yt[yt.length - 1]);
  const sx = (x: number) => M.left + (x / xTop) * PW;
  const sy = (y: number) => M.top + PH - (y / yTop) * PH;
  const f = (n: number) => n.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12" role="img" aria-labelledby="trainlint-chart-title trainlint-chart-desc">`,
    `<title id="trainlint-chart-title">${escapeXml(title)}</title>`,
    `<desc id="trainlint-chart-desc">${escapeXml(data.legend)}</desc>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="24" font-size="15" font-weight="600" fill="#1f2328">${escapeXml(title)}</text>`,
  );
  // Grid and axes.
  for (const v of yt) out.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${f(sy(v))}" y2="${f(sy(v))}" stroke="#d0d7de" stroke-width="1"/>`, `<text x="${M.left - 8}" y="${f(sy(v) + 4)}" text-anchor="end" fill="#424a53">${v === 0 ? '0' : escapeXml(formatSci(v, 3))}</text>`);
  for (const v of xt) out.push(`<line x1="${f(sx(v))}" x2="${f(sx(v))}" y1="${M.top + PH}" y2="${M.top + PH + 5}" stroke="#424a53"/>`, `<text x="${f(sx(v))}" y="${M.top + PH + 19}" text-anchor="middle" fill="#424a53">${escapeXml(fmtX(data, v))}</text>`);
  out.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}" stroke="#424a53"/>`,
    `<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" stroke="#424a53"/>`,
    `<text x="${M.left + PW / 2}" y="${M.top + PH + 38}" text-anchor="middle" fill="#1f2328">${escapeXml(data.xTitle)}</text>`,
    `<text transform="translate(18 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">learning rate</text>`,
  );
  // The runs: warmup-end markers, the curve, an end marker.
  data.series.forEach((s, i) => {
    const dash = i === 0 ? '' : ' stroke-dasharray="7 4"';
    if (s.warmupEnd > 0 && s.warmupEnd < s.end) {
      out.push(`<line x1="${f(sx(s.warmupEnd))}" x2="${f(sx(s.warmupEnd))}" y1="${M.top}" y2="${M.top + PH}" stroke="${s.color}" stroke-width="1" stroke-dasharray="2 3" opacity="0.8"/>`);
    }
    const path = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${f(sx(x))} ${f(sy(y))}`).join(' ');
    out.push(`<path class="run" data-run="${escapeXml(s.name)}" d="${path}" fill="none" stroke="${s.color}" stroke-width="2.5"${dash} stroke-linejoin="round"/>`);
    const [ex, ey] = s.points[s.points.length - 1];
    out.push(`<circle cx="${f(sx(ex))}" cy="${f(sy(ey))}" r="4" fill="${s.color}"/>`);
  });
  // Legend: per run, its line style and colour with its name, then its length and warmup.
  data.series.forEach((s, i) => {
    const y = H - 68 + i * 34;
    const dash = i === 0 ? '' : ' stroke-dasharray="7 4"';
    const warm = s.warmupEnd > 0 ? `; warmup to ${axisValue(data.axis, s.warmupEnd)}` : '';
    out.push(
      `<line x1="${M.left}" x2="${M.left + 28}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2.5"${dash}/>`,
      `<text x="${M.left + 36}" y="${y}" fill="#1f2328"><tspan font-weight="600">${escapeXml(s.name)}</tspan>: ${escapeXml(clip(s.label, 88))}</text>`,
      `<text x="${M.left + 36}" y="${y + 15}" fill="#424a53">${escapeXml(`${s.length}${warm}`)}</text>`,
    );
  });
  out.push(`<text x="${M.left}" y="44" fill="#424a53">${escapeXml(data.axis === 'samples' ? 'x: samples seen — the global batch differs, so steps are not comparable' : 'x: optimizer steps; each line ends where its run ends')}</text>`);
  out.push('</svg>', '');
  return out.join('\n');
}
