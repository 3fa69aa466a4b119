/**
 * GitHub Actions workflow commands (annotations): one `::error` / `::warning` / `::notice`
 * line per finding, escaped like @actions/core's command.ts.
 */
import type { Report, ReportFinding } from '../engine/report-types.js';
import type { Severity } from '../engine/types.js';
import { escapeCommandData, escapeCommandProperty, stripCommandControls } from './escape.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function command(f: ReportFinding): string {
  const file = stripCommandControls(f.path);
  const props: Array<[string, string | number]> = [
    ['file', file],
    ['line', f.line],
    ['endLine', f.endLine],
  ];
  // GitHub only honours col/endColumn for single-line annotations.
  if (f.line === f.endLine) props.push(['col', f.column], ['endColumn', f.endColumn]);
  props.push(['title', `trainlint (${f.ruleId})`]);
  const properties = props.map(([k, v]) => `${k}=${escapeCommandProperty(String(v))}`).join(',');
  // The log line shows only the message, so it carries the location too.
  const message = stripCommandControls(`${file}:${f.line}:${f.column}: ${f.message}`);
  return `::${COMMAND[f.severity]} ${properties}::${escapeCommandData(message)}`;
}

/** Errors first, then warnings, then notices; report order otherwise. Empty string when clean. */
export function formatGithub(report: Report): string {
  const sorted = report.findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
  return sorted.map((f) => `${command(f)}\n`).join('');
}
