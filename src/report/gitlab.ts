/**
 * GitLab Code Quality (a subset of the Code Climate issue format): a JSON array of issues with
 * `description`, `check_name`, `fingerprint`, `severity` and `location.path` /
 * `location.lines.begin`, the fields GitLab documents for merge-request widgets and diffs.
 * Fingerprints are built like the SARIF ones, from the baseline fingerprint (ReportFinding.fingerprint),
 * so an issue keeps its identity when lines move or its message is reworded.
 */
import { createHash } from 'node:crypto';
import type { Report } from '../engine/report-types.js';
import type { Severity } from '../engine/types.js';
import { fingerprintText } from './sarif.js';

/** GitLab's severities are info, minor, major, critical and blocker. */
const SEVERITY: Record<Severity, 'info' | 'minor' | 'major'> = { error: 'major', warning: 'minor', info: 'info' };

export interface GitlabIssue {
  type: 'issue';
  check_name: string;
  description: string;
  categories: string[];
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  fingerprint: string;
  location: { path: string; lines: { begin: number; end: number } };
}

export function buildGitlab(report: Report): GitlabIssue[] {
  const seen = new Map<string, number>();
  return report.findings.map((f) => {
    // Reports of earlier versions have no fingerprint: the message hash with its numbers removed.
    const base = f.fingerprint ? `v2\0${f.fingerprint}` : fingerprintText(f);
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return {
      type: 'issue',
      check_name: f.ruleId,
      description: f.fix ? `${f.message} Fix: ${f.fix}` : f.message,
      categories: ['Bug Risk'],
      severity: SEVERITY[f.severity],
      fingerprint: createHash('sha256').update(`${base}\0${occurrence}`, 'utf8').digest('hex'),
      location: { path: f.path.replace(/^\.\//, ''), lines: { begin: Math.max(1, f.line), end: Math.max(1, f.endLine, f.line) } },
    };
  });
}

export function formatGitlab(report: Report): string {
  return `${JSON.stringify(buildGitlab(report), null, 2)}\n`;
}
