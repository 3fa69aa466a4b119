/** The JSON report (version 1): see src/engine/report-types.ts and schemas/report.schema.json. */
import type { Report } from '../engine/report-types.js';

/** Pretty-printed (2-space indent) with a trailing newline. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
