/** Turns lint results into the public JSON report (version 1). */
import { docsPath, RULES_BY_ID } from '../rules/index.js';
import { fingerprint } from './baseline.js';
import type { Report, ReportFile, ReportFinding, ReportSetting } from './report-types.js';
import type { Printed } from '../report/json.js';
import type { FileTexts } from './source.js';
import { runPlanOf, type FileResult } from './lint.js';
import { settingFields, type SettingFields } from './setting-fields.js';
import { PLAN_FIELDS, type Finding, type Setting, type TrainingPlan } from './types.js';

export const TOOL_VERSION = '0.1.0';

export function reportSetting(setting: Setting): ReportSetting {
  // One walk of the setting's own fields (setting-fields.ts: loads by name miss V8's caches on settings).
  return reportFields(settingFields(setting));
}

/** reportSetting of a setting's fields as settingFields read them. */
function reportFields({ value, origin, unit, file, key, range, how, note, bound }: Readonly<SettingFields>): ReportSetting {
  // Most settings are a key of a file (with a unit or not): one literal each, fields in the order below.
  if (file && key && range && !how && !note && !bound) {
    return unit ? { value, origin, unit, file, key, line: range.line, column: range.column } as ReportSetting : { value, origin, file, key, line: range.line, column: range.column } as ReportSetting;
  }
  const out = { value, origin } as ReportSetting;
  if (unit) out.unit = unit;
  if (file) out.file = file;
  if (key) out.key = key;
  if (range) {
    out.line = range.line;
    out.column = range.column;
  }
  if (how) out.how = how;
  if (note) out.note = note;
  if (bound) out.bound = bound;
  return out;
}

/** Each plan field's place in PLAN_FIELDS (the report's order). */
const FIELD_ORDER = new Map<string, number>(PLAN_FIELDS.map((field, i) => [field, i]));

export function reportPlan(plan: TrainingPlan): Record<string, ReportSetting> {
  // The plan's own fields (a handful of the 27) by one for…in walk, put in PLAN_FIELDS order: not
  // a load by name of every field (plans come in many shapes, so each such load misses V8's caches).
  const settings = plan as Record<string, Setting | undefined>;
  const found: (Setting | undefined)[] = [];
  let first = PLAN_FIELDS.length;
  let last = -1;
  for (const field in settings) {
    const at = FIELD_ORDER.get(field);
    if (at === undefined) continue;
    found[at] = settings[field];
    if (at < first) first = at;
    if (at > last) last = at;
  }
  const out: Record<string, ReportSetting> = {};
  for (let at = first; at <= last; at++) {
    const setting = found[at];
    if (!setting) continue;
    // Its value read by the one walk reportSetting makes anyway (not a load by name).
    const fields = settingFields(setting);
    if (typeof fields.value !== 'number' || Number.isFinite(fields.value)) out[PLAN_FIELDS[at]] = reportFields(fields);
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

/**
 * One finding as the report gives it; `texts`: the linted files' texts, for its fingerprint.
 * `printing`: the caller prints it at once (JSON), so the fingerprint is a plain field, computed now.
 */
export function reportFinding(f: Finding, texts: FileTexts, printing = false): ReportFinding {
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
  // consumers: computed when first read, so the formats that print none (stylish, the default)
  // never load node:crypto (≈ 3–6 ms of a one-file run). Printed JSON reads it anyway: a plain
  // field, in the same place (an accessor makes every finding a slower object to print).
  if (printing) {
    finding.fingerprint = fingerprint(f, texts);
    return finding;
  }
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
          yield reportFinding(f, texts, true);
        }
      }
    })(),
    summary: () => summary,
  };
}
