/** Shared builders for the action and reporter tests. */
import type { Report, ReportFinding } from '../../src/engine/report-types';

export function finding(over: Partial<ReportFinding> = {}): ReportFinding {
  return {
    ruleId: 'lr-not-rescaled',
    severity: 'error',
    message: 'global batch changed 3200 → 8800 (×2.75) but the LR stayed 5e-4',
    path: 'configs/train.sh',
    line: 10,
    column: 5,
    endLine: 10,
    endColumn: 17,
    data: {},
    docsUrl: 'docs/rules/lr-not-rescaled.md',
    ...over,
  };
}

export function report(findings: ReportFinding[], files = 1): Report {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return {
    version: 1,
    tool: { name: 'trainlint', version: '0.1.0' },
    files: [],
    findings,
    summary: { files, errors: count('error'), warnings: count('warning'), infos: count('info') },
  };
}
