/**
 * Annotations for both channels: workflow commands within GitHub's per-step caps (10 errors,
 * 10 warnings, 10 notices; errors first, plus one overflow notice), and Checks API annotations.
 */
import type { Report, ReportFinding } from '../engine/report-types.js';
import type { Severity } from '../engine/types.js';
import { escapeCommandData } from '../report/escape.js';
import { formatGithub } from '../report/github.js';

export const COMMAND_CAP = 10;

export interface CommandAnnotations {
  /** The workflow-command lines, ready to print. */
  text: string;
  shown: number;
  hidden: number;
}

/**
 * At most 10 per severity, errors first. Slots the step spends elsewhere are kept free:
 * `reserved.errors` (the `core.setFailed` error) and `reserved.notices` (policy notices), and one
 * notice slot for the overflow notice when needed.
 */
export function workflowCommands(report: Report, reserved: { errors?: number; notices?: number } = {}): CommandAnnotations {
  const bySeverity = (s: Severity) => report.findings.filter((f) => f.severity === s);
  const errors = bySeverity('error').slice(0, Math.max(0, COMMAND_CAP - (reserved.errors ?? 0)));
  const reservedNotices = reserved.notices ?? 0;
  const warnings = bySeverity('warning').slice(0, COMMAND_CAP);
  const allInfos = bySeverity('info');
  let noticeRoom = Math.max(0, COMMAND_CAP - reservedNotices);
  const overflow = report.findings.length - errors.length - warnings.length - Math.min(allInfos.length, noticeRoom) > 0;
  if (overflow) noticeRoom = Math.max(0, noticeRoom - 1);
  const infos = allInfos.slice(0, noticeRoom);
  const shown = errors.length + warnings.length + infos.length;
  const hidden = report.findings.length - shown;
  let text = formatGithub({ ...report, findings: [...errors, ...warnings, ...infos] });
  if (hidden > 0) {
    text += `::notice title=trainlint::${escapeCommandData(
      `${hidden} more finding${hidden === 1 ? ' is' : 's are'} not shown as annotations (GitHub shows at most 10 errors, 10 warnings and 10 notices per step); every finding is in the job summary and in this log.`,
    )}\n`;
  }
  return { text, shown, hidden };
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title: string;
}

const LEVEL: Record<Severity, CheckAnnotation['annotation_level']> = { error: 'failure', warning: 'warning', info: 'notice' };

function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function checkAnnotation(f: ReportFinding): CheckAnnotation {
  const start = Math.max(1, f.line);
  const end = Math.max(start, f.endLine);
  const a: CheckAnnotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: LEVEL[f.severity],
    message: cap(f.fix ? `${f.message}\nFix: ${f.fix}` : f.message, 60000),
    title: cap(`trainlint (${f.ruleId})`, 255),
  };
  // Columns only when the annotation is on one line (the API rejects them otherwise).
  if (start === end && f.column >= 1 && f.endColumn >= f.column) {
    a.start_column = f.column;
    a.end_column = f.endColumn;
  }
  return a;
}

/** Errors first, then warnings, then notices. */
export function checkAnnotations(report: Report): CheckAnnotation[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return report.findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i)
    .map(({ f }) => checkAnnotation(f));
}
