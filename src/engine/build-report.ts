/** Turns lint results into the public JSON report (version 1). */
import { docsPath, RULES_BY_ID } from '../rules/index.js';
import { fingerprint } from './baseline.js';
import type { Report, ReportFile, ReportSetting } from './report-types.js';
import { runPlanOf, type FileResult } from './lint.js';
import { PLAN_FIELDS, type Setting, type TrainingPlan } from './types.js';

export const TOOL_VERSION = '0.1.0';

export function reportSetting(setting: Setting): ReportSetting {
  const out: ReportSetting = { value: setting.value, origin: setting.origin };
  if (setting.unit) out.unit = setting.unit;
  if (setting.file) out.file = setting.file;
  if (setting.key) out.key = setting.key;
  if (setting.range) {
    out.line = setting.range.line;
    out.column = setting.range.column;
  }
  if (setting.how) out.how = setting.how;
  if (setting.note) out.note = setting.note;
  if (setting.bound) out.bound = setting.bound;
  return out;
}

export function reportPlan(plan: TrainingPlan): Record<string, ReportSetting> {
  const out: Record<string, ReportSetting> = {};
  for (const field of PLAN_FIELDS) {
    const setting = plan[field] as Setting | undefined;
    if (setting && (typeof setting.value !== 'number' || Number.isFinite(setting.value))) out[field] = reportSetting(setting);
  }
  return out;
}

export function reportFile(result: FileResult): ReportFile {
  const file: ReportFile = {
    path: result.file.path,
    dialect: result.dialect?.meta.id ?? null,
    plan: result.extraction ? reportPlan(runPlanOf(result)) : {},
  };
  if (result.reference) file.reference = { label: result.reference.label, path: result.reference.path };
  if (result.reason) file.reason = result.reason;
  if (result.launch) file.launcher = { path: result.launch.script, line: result.launch.range.line, column: result.launch.range.column };
  const overridable = result.extraction?.overridable;
  if (overridable) file.overridable = { path: overridable.file, line: overridable.range.line, column: overridable.range.column, message: overridable.message };
  return file;
}

export function buildReport(results: FileResult[]): Report {
  const texts = new Map(results.map((r) => [r.file.path, r.file.text]));
  const findings = results.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      path: f.path,
      line: f.range.line,
      column: f.range.column,
      endLine: f.range.endLine,
      endColumn: f.range.endColumn,
      data: f.data ?? {},
      ...(f.fix ? { fix: f.fix } : {}),
      ...(RULES_BY_ID.has(f.ruleId) ? { docsUrl: docsPath(f.ruleId) } : {}),
      ...(f.related?.length
        ? { related: f.related.map((r) => ({ path: r.path, line: r.range.line, column: r.range.column, message: r.message })) }
        : {}),
      // The baseline's wording-independent fingerprint (engine/baseline.ts), for SARIF and other consumers.
      fingerprint: fingerprint(f, texts),
    })),
  );
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return {
    version: 1,
    tool: { name: 'trainlint', version: TOOL_VERSION },
    files: results.map(reportFile),
    findings,
    summary: { files: results.length, errors: count('error'), warnings: count('warning'), infos: count('info') },
  };
}
