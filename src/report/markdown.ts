/**
 * GitHub-flavoured Markdown for the job summary and the sticky PR comment: totals, a findings
 * table linking to file lines, and per changed config the plan base → head with an LR-schedule
 * chart (Mermaid xychart-beta). Every untrusted string (paths, keys, values, messages) goes
 * through escapeMarkdown, so it cannot break the table, mention people, link issues or forge
 * the sticky comment's hidden marker. The output is capped (1 MiB summary, 65,536-character
 * comment) with an explicit "truncated" note.
 */
import type { Report, ReportFinding, ReportSetting } from '../engine/report-types.js';
import { formatPercent, formatValue } from '../engine/format-number.js';
import type { Severity } from '../engine/types.js';
import { DEFAULT_DOCS_BASE_URL } from './sarif.js';
import { lrAt, lrChartData, type LrChartData } from './chart.js';

export const SUMMARY_MAX_BYTES = 1024 * 1024;
export const COMMENT_MAX_CHARS = 65536;
/** The hidden marker the sticky comment is found by. Untrusted text can never produce it (`<` is escaped). */
export const COMMENT_MARKER = '<!-- trainlint:sticky-comment -->';

const ZWSP = '\u200b';

/**
 * Makes untrusted text inert inside GitHub Markdown, including table cells: no line breaks or
 * control characters, HTML special characters as entities (so no tags and no `<!--` comments),
 * Markdown punctuation backslash-escaped (`|` `` ` `` `*` `_` `[` `]` `\` …), and `@name` / `#123`
 * broken with a zero-width space so they neither notify nor auto-link.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`)
    .replace(/\\#(?=\d)/g, `\\#${ZWSP}`)
    .replace(/:(?=\/\/)/g, `:${ZWSP}`);
}

/** Percent-encodes each path segment for use in a URL. */
function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export interface LinkContext {
  /** https://github.com, or the GHES server URL. */
  serverUrl: string;
  /** owner/repo */
  repository: string;
  /** The commit the links point at (the PR head). */
  sha: string;
}

export function lineUrl(ctx: LinkContext, path: string, line: number): string {
  return `${ctx.serverUrl.replace(/(?<!\/)\/+$/, '')}/${ctx.repository}/blob/${ctx.sha}/${encodePath(path)}#L${line}`;
}

/** One config whose plan the summary shows base → head. */
export interface PlanChange {
  path: string;
  /** "base <sha> (was old/path)" or "reference a100.sh". */
  baseLabel?: string;
  /** Absent when the file is new (or has no resolvable base plan). */
  base?: Record<string, ReportSetting>;
  head: Record<string, ReportSetting>;
}

export interface MarkdownOptions {
  links?: LinkContext;
  changes?: PlanChange[];
  /** Plain-text remarks shown under the totals (escaped here). */
  notices?: string[];
  /** Prepended verbatim (the sticky comment's marker). */
  marker?: string;
  /** Output cap, and whether it counts UTF-8 bytes (job summary) or characters (comment). */
  max?: { length: number; unit: 'bytes' | 'chars' };
  /** Where rule docs live (see sarif.ts). */
  docsBaseUrl?: string;
  /** Sample count per LR curve. */
  chartPoints?: number;
}

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function totals(report: Report): string {
  const { errors, warnings, infos, files } = report.summary;
  if (errors + warnings + infos === 0) return `✅ **trainlint: all clear** — no findings in ${plural(files, 'file')}.`;
  const icon = errors > 0 ? '❌' : warnings > 0 ? '⚠️' : 'ℹ️';
  return `${icon} **trainlint:** ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'notice')} in ${plural(files, 'file')}.`;
}

function findingRow(f: ReportFinding, links: LinkContext | undefined, docsBaseUrl: string): string {
  const where = `${escapeMarkdown(f.path)}:${f.line}`;
  const location = links ? `[${where}](${lineUrl(links, f.path, f.line)})` : where;
  const rule = f.docsUrl ? `[${escapeMarkdown(f.ruleId)}](${docsBaseUrl}${encodePath(f.docsUrl)})` : escapeMarkdown(f.ruleId);
  const message = escapeMarkdown(f.fix ? `${f.message} Fix: ${f.fix}` : f.message);
  return `| ${ICON[f.severity]} ${f.severity} | ${location} | ${rule} | ${message} |`;
}

function num(plan: Record<string, ReportSetting> | undefined, field: string): number | undefined {
  const v = plan?.[field]?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function warmupShare(plan: Record<string, ReportSetting> | undefined): number | undefined {
  const warmup = num(plan, 'warmupSteps');
  const total = num(plan, 'totalSteps');
  if (warmup !== undefined && total !== undefined && total > 0) return warmup / total;
  return num(plan, 'warmupRatio');
}

const PLAN_ROWS: Array<{ label: string; value: (p?: Record<string, ReportSetting>) => number | string | undefined; percent?: boolean }> = [
  { label: 'global batch', value: (p) => num(p, 'globalBatchSize') },
  { label: 'LR (peak)', value: (p) => num(p, 'peakLr') },
  { label: 'warmup steps', value: (p) => num(p, 'warmupSteps') },
  { label: 'warmup share', value: warmupShare, percent: true },
  { label: 'total steps', value: (p) => num(p, 'totalSteps') },
  { label: 'scheduler', value: (p) => (typeof p?.scheduler?.value === 'string' ? p.scheduler.value : undefined) },
];

function cell(v: number | string | undefined, percent?: boolean): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return escapeMarkdown(percent ? formatPercent(v) : formatValue(v));
  return escapeMarkdown(v);
}

function change(b: number | string | undefined, h: number | string | undefined): string {
  if (b === undefined || h === undefined) return '';
  if (b === h) return 'unchanged';
  if (typeof b === 'number' && typeof h === 'number' && b !== 0) return escapeMarkdown(`×${formatValue(Number((h / b).toPrecision(4)))}`);
  return '**changed**';
}

/** LR at `step` (re-exported from chart.ts): undefined past the run's end. */
export { lrAt };

/** Mermaid's parser takes plain decimals only. */
function decimal(v: number, digits = 4): string {
  return String(Number(v.toFixed(digits)));
}

/** The x axis of the Mermaid chart: its title and the divisor its numbers are shown with. */
function mermaidX(data: LrChartData): { title: string; div: number } {
  if (data.axis === 'fraction') return { title: '% of each run', div: 0.01 };
  const unit = data.axis === 'samples' ? 'samples' : 'step';
  if (data.xMax >= 1e9) return { title: `${unit} (billions)`, div: 1e9 };
  if (data.xMax >= 1e6) return { title: `${unit} (millions)`, div: 1e6 };
  if (data.xMax >= 1e4) return { title: `${unit} (thousands)`, div: 1e3 };
  return { title: unit, div: 1 };
}

/**
 * The LR schedules of base and head as a Mermaid xychart-beta, preceded by a legend line naming
 * the runs and their colours (xychart has no legend of its own); undefined unless both plans
 * resolve. Lines cannot end early in xychart: see chart.ts for the axis chosen.
 */
export function lrChart(base: Record<string, ReportSetting>, head: Record<string, ReportSetting>, points = 50, labels: { base?: string; head?: string } = {}): string | undefined {
  const data = lrChartData(
    [
      { name: 'base', label: labels.base ?? 'base', plan: base },
      { name: 'head', label: labels.head ?? 'head', plan: head },
    ],
    { points, fullWidthLines: true },
  );
  if (!data) return undefined;
  // Scale the LR to a power of ten shown in the axis title.
  const exponent = Math.floor(Math.log10(data.yMax));
  const scale = 10 ** -exponent;
  const top = Number((Math.ceil(data.yMax * scale * 10) / 10).toFixed(1));
  const x = mermaidX(data);
  const palette = data.series.map((s) => s.color).join(', ');
  return [
    `**LR schedule.** ${escapeMarkdown(data.legend)}`,
    '',
    '```mermaid',
    '---',
    'config:',
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${palette}"`,
    '---',
    'xychart-beta',
    `    title "LR schedule: base (${data.series[0].colorName}) vs head (${data.series[1].colorName})"`,
    `    x-axis "${x.title}" 0 --> ${decimal(data.xMax / x.div, 3)}`,
    `    y-axis "LR (x1e${exponent})" 0 --> ${top}`,
    ...data.series.map((s) => `    line [${s.points.map(([, lr]) => decimal(lr * scale)).join(', ')}]`),
    '```',
  ].join('\n');
}

function planSection(c: PlanChange, links: LinkContext | undefined, points: number): string {
  const title = links ? `[${escapeMarkdown(c.path)}](${lineUrl(links, c.path, 1).replace(/#L1$/, '')})` : escapeMarkdown(c.path);
  const lines = [`#### ${title}`, ''];
  lines.push(c.base ? `Compared with ${escapeMarkdown(c.baseLabel ?? 'the base')}.` : 'New config (no base version).', '');
  lines.push('| | base | head | change |', '| --- | --- | --- | --- |');
  for (const row of PLAN_ROWS) {
    const b = c.base ? row.value(c.base) : undefined;
    const h = row.value(c.head);
    if (b === undefined && h === undefined) continue;
    lines.push(`| ${row.label} | ${cell(b, row.percent)} | ${cell(h, row.percent)} | ${change(b, h)} |`);
  }
  const chart = c.base ? lrChart(c.base, c.head, points, { base: c.baseLabel, head: c.path }) : undefined;
  if (chart) lines.push('', chart);
  return lines.join('\n');
}

function sizeOf(s: string, unit: 'bytes' | 'chars'): number {
  return unit === 'bytes' ? Buffer.byteLength(s, 'utf8') : s.length;
}

/** The whole Markdown document, within `options.max`. */
export function formatMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const max = options.max ?? { length: SUMMARY_MAX_BYTES, unit: 'bytes' as const };
  const head: string[] = [];
  if (options.marker) head.push(options.marker);
  head.push('### trainlint', '', totals(report));
  for (const n of options.notices ?? []) head.push('', `> ${escapeMarkdown(n)}`);

  const blocks: string[] = [];
  const findings = report.findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
  if (findings.length > 0) {
    blocks.push('', '| severity | location | rule | message |', '| --- | --- | --- | --- |');
    for (const f of findings) blocks.push(findingRow(f, options.links, options.docsBaseUrl ?? DEFAULT_DOCS_BASE_URL));
  }
  const changes = options.changes ?? [];
  if (changes.length > 0) {
    blocks.push('', `### Training plan changes (${plural(changes.length, 'config')})`);
    for (const c of changes) blocks.push('', planSection(c, options.links, options.chartPoints ?? 50));
  }

  const note = (omitted: number) =>
    `\n\n> **Truncated:** ${plural(omitted, 'more line')} did not fit in this ${max.unit === 'bytes' ? 'job summary' : 'comment'}; every finding is in the job log, the JSON report and the SARIF file.\n`;
  let out = head.join('\n');
  const reserve = sizeOf(note(blocks.length), max.unit) + 8;
  let size = sizeOf(out, max.unit);
  for (let i = 0; i < blocks.length; i++) {
    const next = `${out}\n${blocks[i]}`;
    size += 1 + sizeOf(blocks[i], max.unit);
    if (size + reserve > max.length) {
      // A cut inside an open code fence would swallow the note.
      const fences = (out.match(/^```/gm) ?? []).length;
      return `${out}${fences % 2 === 1 ? '\n```' : ''}${note(blocks.length - i)}`;
    }
    out = next;
  }
  return `${out}\n`;
}
