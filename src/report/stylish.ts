/**
 * Human output, after ESLint's "stylish": findings grouped by file, aligned columns, a code
 * frame under each finding and a summary line. All untrusted text goes through
 * stripTerminalControls; with `color: false` the output holds no escape codes at all.
 */
import type { Report, ReportFinding } from '../engine/report-types.js';
import type { Severity } from '../engine/types.js';
import { stripTerminalControls } from './escape.js';

export interface StylishOptions {
  color: boolean;
  /** File texts by report path, for the code frames. A missing file gets no frames. */
  sources: Map<string, string>;
}

type Paint = (s: string) => string;

interface Palette {
  severity: Record<Severity, Paint>;
  dim: Paint;
  underline: Paint;
  bold: Paint;
  green: Paint;
}

function sgr(open: number, close: number): Paint {
  return (s) => `\x1b[${open}m${s}\x1b[${close}m`;
}

const plain: Paint = (s) => s;

const COLORS: Palette = {
  severity: { error: sgr(31, 39), warning: sgr(33, 39), info: sgr(34, 39) },
  dim: sgr(2, 22),
  underline: sgr(4, 24),
  bold: sgr(1, 22),
  green: sgr(32, 39),
};

const NO_COLORS: Palette = {
  severity: { error: plain, warning: plain, info: plain },
  dim: plain,
  underline: plain,
  bold: plain,
  green: plain,
};

/** Width in code points (astral characters count once). */
function width(s: string): number {
  return Array.from(s).length;
}

function padEnd(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

function padStart(s: string, n: number): string {
  return ' '.repeat(Math.max(0, n - width(s))) + s;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function byPosition(a: ReportFinding, b: ReportFinding): number {
  return a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn;
}

/** The findings grouped by path: report file order first, then any other path as it appears. */
function groupByFile(report: Report): Array<[string, ReportFinding[]]> {
  const groups = new Map<string, ReportFinding[]>();
  for (const file of report.files) groups.set(file.path, []);
  for (const f of report.findings) {
    const list = groups.get(f.path);
    if (list) list.push(f);
    else groups.set(f.path, [f]);
  }
  return [...groups].filter(([, list]) => list.length > 0).map(([p, list]) => [p, [...list].sort(byPosition)]);
}

/**
 * The source line and a `^~~~` marker under the finding's range (1-based columns, endColumn
 * exclusive; a multi-line range is underlined to the end of its first line). Tabs before the
 * range are copied into the marker's indent so that it stays aligned.
 */
/** Code frames show at most this many characters of a line, around the finding (lines can be megabytes long). */
const FRAME_WIDTH = 240;

function codeFrame(lines: string[], f: ReportFinding, gutter: number, p: Palette): string[] {
  let raw = lines[f.line - 1];
  if (raw === undefined) return [];
  let start = Math.min(Math.max(f.column - 1, 0), raw.length);
  let end = f.endLine > f.line ? raw.length : Math.min(Math.max(f.endColumn - 1, start), raw.length);
  if (raw.length > FRAME_WIDTH) {
    const from = Math.max(0, Math.min(start - 40, raw.length - FRAME_WIDTH));
    const to = from + FRAME_WIDTH;
    const lead = from > 0 ? '…' : '';
    raw = `${lead}${raw.slice(from, to)}${to < raw.length ? '…' : ''}`;
    start = start - from + lead.length;
    end = Math.min(end - from + lead.length, raw.length);
  }
  const text = stripTerminalControls(raw);
  const before = Array.from(stripTerminalControls(raw.slice(0, start)))
    .map((c) => (c === '\t' ? '\t' : ' '))
    .join('');
  const marker = `^${'~'.repeat(Math.max(0, width(stripTerminalControls(raw.slice(start, end))) - 1))}`;
  const number = padStart(String(f.line), gutter);
  const blank = ' '.repeat(gutter);
  return [
    p.dim(`    ${number} |${text === '' ? '' : ` ${text}`}`),
    `${p.dim(`    ${blank} |`)} ${before}${p.severity[f.severity](marker)}`,
  ];
}

function summaryLine(report: Report, p: Palette): string {
  const { files, errors, warnings, infos } = report.summary;
  const total = errors + warnings + infos;
  if (total === 0) return p.green(`✔ no problems in ${plural(files, 'file')}`);
  const paint = errors > 0 ? p.severity.error : warnings > 0 ? p.severity.warning : p.severity.info;
  return p.bold(
    paint(
      `✖ ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')})`,
    ),
  );
}

export function formatStylish(report: Report, opts: StylishOptions): string {
  const p = opts.color ? COLORS : NO_COLORS;
  const out: string[] = [];
  for (const [path, findings] of groupByFile(report)) {
    const source = opts.sources.get(path);
    const lines = source === undefined ? [] : source.split('\n').map((l) => l.replace(/\r$/, ''));
    const rows = findings.map((f) => ({
      f,
      line: String(f.line),
      column: String(f.column),
      message: stripTerminalControls(f.message),
      ruleId: stripTerminalControls(f.ruleId),
    }));
    const lineWidth = Math.max(...rows.map((r) => r.line.length));
    const columnWidth = Math.max(...rows.map((r) => r.column.length));
    const severityWidth = Math.max(...rows.map((r) => r.f.severity.length));
    const messageWidth = Math.max(...rows.map((r) => width(r.message)));
    const gutter = Math.max(...rows.map((r) => r.line.length));

    out.push(p.underline(stripTerminalControls(path)));
    for (const r of rows) {
      const position = p.dim(`${padStart(r.line, lineWidth)}:${padEnd(r.column, columnWidth)}`);
      const severity = p.severity[r.f.severity](padEnd(r.f.severity, severityWidth));
      out.push(`  ${position}  ${severity}  ${padEnd(r.message, messageWidth)}  ${p.dim(r.ruleId)}`);
      out.push(...codeFrame(lines, r.f, gutter, p));
    }
    out.push('');
  }
  out.push(summaryLine(report, p));
  return `${out.join('\n')}\n`;
}
