/** Turns lint results into the public JSON report (version 1). */
import { docsPath, RULES_BY_ID } from '../rules/index.js';
import { fingerprint } from './baseline.js';
import type { Report, ReportFile, ReportFinding, ReportSetting } from './report-types.js';
import type { Printed } from '../report/json.js';
import type { FileTexts } from './source.js';
import { runPlanOf, type FileResult } from './lint.js';
import { PLAN_FIELDS, type Finding, type Setting, type TrainingPlan } from './types.js';

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
  const extraction = result.extraction;
  // The run's plan is the file's own when no file is linked to it (reportPlan only reads it: no
  // merged copy to make for it).
  const plan = extraction ? (result.linked?.length ? runPlanOf(result) : extraction.plan) : undefined;
  const file: ReportFile = {
    path: result.file.path,
    dialect: result.dialect?.meta.id ?? null,
    plan: plan ? reportPlan(plan) : {},
  };
  if (result.reference) file.reference = { label: result.reference.label, path: result.reference.path };
  if (result.reason) file.reason = result.reason;
  if (result.launch) file.launcher = { path: result.launch.script, line: result.launch.range.line, column: result.launch.range.column };
  const overridable = result.extraction?.overridable;
  if (overridable) file.overridable = { path: overridable.file, line: overridable.range.line, column: overridable.range.column, message: overridable.message };
  return file;
}

/** One finding as the report gives it; `texts`: the linted files' texts, for its fingerprint. */
export function reportFinding(f: Finding, texts: FileTexts): ReportFinding {
  const finding: ReportFinding = {
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
    ...(f.related?.length ? { related: f.related.map((r) => ({ path: r.path, line: r.range.line, column: r.range.column, message: r.message })) } : {}),
  };
  // The baseline's wording-independent fingerprint (engine/baseline.ts), for SARIF and other
  // consumers: computed when first read (JSON.stringify reads it), so the formats that print none
  // (stylish, the default) never load node:crypto (≈ 3–6 ms of a one-file run).
  let print: string | undefined;
  Object.defineProperty(finding, 'fingerprint', {
    enumerable: true,
    configurable: true,
    get: () => (print ??= fingerprint(f, texts)),
    set: (value: string) => {
      print = value;
    },
  });
  return finding;
}

/**
 * Each result's text by path (a file a worker finished keeps its text when it has findings, which
 * is what fingerprints and code frames read), read when asked: a very large run keeps the texts
 * in its spool (parallel/spool.ts), so they are not all read back at once. Readers keep what they
 * need of a text (fingerprints: baseline.ts lineOf; code frames: one read per file).
 */
export function textsOf(results: FileResult[]): FileTexts {
  const byPath = new Map<string, FileResult>();
  for (const r of results) byPath.set(r.file.path, r);
  return { get: (path) => byPath.get(path)?.file.text };
}

/**
 * The report. `files: 'paths'` gives each file its path, dialect and reason only (an empty plan),
 * for the formats that print no more of them (all but json): a large run then never reads every
 * plan.
 */
export function buildReport(results: FileResult[], { files: kept = 'all' }: { files?: 'all' | 'paths' } = {}): Report {
  const files: ReportFile[] = [];
  const findings: ReportFinding[] = [];
  const texts = textsOf(results);
  for (const r of results) {
    files.push(kept === 'paths' ? { path: r.file.path, dialect: r.dialect?.meta.id ?? null, plan: {}, ...(r.reason ? { reason: r.reason } : {}) } : reportFile(r));
    for (const f of r.findings) findings.push(reportFinding(f, texts));
    releaseResult(r);
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return {
    version: 1,
    tool: { name: 'trainlint', version: TOOL_VERSION },
    files,
    findings,
    summary: { files: results.length, errors: count('error'), warnings: count('warning'), infos: count('info') },
  };
}

/** A result a lint worker finished keeps its parsed form only while it is read (engine/parallel/finished.ts). */
export function releaseResult(r: FileResult): void {
  (r as { release?: () => void }).release?.();
}

/** A file's parts of the JSON report, printed by the lint worker that finished it (engine/parallel/finished.ts). */
export interface PrintedParts {
  /** UTF-8 of `nested(reportFile(result), 2)` and of each finding's. */
  file: Uint8Array;
  findings: Uint8Array[];
  severities: Finding['severity'][];
}

/**
 * The report of `results` in the order the JSON report holds it, each file and finding made when
 * it is read: the JSON report is written piece by piece (report/json.ts `writeJson`) without
 * holding every plan and finding at once. A file a worker printed already is taken as printed.
 * `summary()` is known once the findings are read.
 */
export function reportParts(results: FileResult[]): {
  version: 1;
  tool: Report['tool'];
  files: Iterable<ReportFile | Printed>;
  findings: Iterable<ReportFinding | Printed>;
  summary: () => Report['summary'];
} {
  const summary = { files: results.length, errors: 0, warnings: 0, infos: 0 };
  const texts = textsOf(results);
  const count = (severity: Finding['severity']) => {
    if (severity === 'error') summary.errors++;
    else if (severity === 'warning') summary.warnings++;
    else if (severity === 'info') summary.infos++;
  };
  const printed = (r: FileResult) => (r as { printed?: () => PrintedParts | undefined }).printed?.();
  return {
    version: 1,
    tool: { name: 'trainlint', version: TOOL_VERSION },
    files: (function* () {
      for (const r of results) {
        const done = printed(r);
        if (done) {
          yield { printed: done.file };
          continue;
        }
        const file = reportFile(r);
        releaseResult(r);
        yield file;
      }
    })(),
    findings: (function* () {
      for (const r of results) {
        const done = printed(r);
        if (done) {
          for (let i = 0; i < done.findings.length; i++) {
            count(done.severities[i]);
            yield { printed: done.findings[i] };
          }
          continue;
        }
        const findings = r.findings;
        releaseResult(r);
        for (const f of findings) {
          count(f.severity);
          yield reportFinding(f, texts);
        }
      }
    })(),
    summary: () => summary,
  };
}
