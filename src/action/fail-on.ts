/** Whether findings reach `fail-on` (the step's exit status and the check run's conclusion). */
import type { Report } from '../engine/report-types.js';

export type FailOn = 'error' | 'warning' | 'never';

export function isFailing(report: Report, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return report.summary.errors > 0 || (failOn === 'warning' && report.summary.warnings > 0);
}
