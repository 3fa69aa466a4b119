/**
 * JUnit XML, the shape Jenkins, GitLab, Buildkite and CircleCI display: `<testsuites>` holding one
 * `<testsuite>` per linted file, one `<testcase>` per finding (a passing `trainlint` case for a
 * clean file). A finding at or above `--fail-on` is a `<failure>`, so the test report turns red
 * exactly when the job does; a finding below it is a passing case whose text is in `<system-out>`.
 * Config content is untrusted: characters XML 1.0 forbids are dropped and the rest escaped.
 */
import type { Report, ReportFinding } from '../engine/report-types.js';
import type { Severity } from '../engine/types.js';

export interface JunitOptions {
  /** The level that fails the run (`--fail-on`); `never` makes every finding a passing case. */
  failOn?: 'error' | 'warning' | 'never';
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Text safe in an XML 1.0 attribute or element: forbidden characters dropped, markup escaped. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Element text: newlines kept as they are. */
function escapeText(s: string): string {
  return escapeXml(s).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}

function attrs(pairs: Array<[string, string | number]>): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
}

function fails(f: ReportFinding, failOn: JunitOptions['failOn']): boolean {
  if (failOn === 'never') return false;
  return RANK[f.severity] >= RANK[failOn === 'warning' ? 'warning' : 'error'];
}

function detail(f: ReportFinding): string {
  const lines = [`${f.path}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}: ${f.message}`];
  if (f.fix) lines.push(`fix: ${f.fix}`);
  for (const r of f.related ?? []) lines.push(`related: ${r.path}:${r.line}:${r.column}: ${r.message}`);
  return lines.join('\n');
}

export function formatJunit(report: Report, options: JunitOptions = {}): string {
  const failOn = options.failOn ?? 'error';
  // Every linted file is a suite (a clean one passes); files with findings only in a related
  // file's report still get their own suite.
  const paths = [...new Set([...report.files.map((f) => f.path), ...report.findings.map((f) => f.path)])];
  let tests = 0;
  let failures = 0;
  const suites = paths.map((p) => {
    const findings = report.findings.filter((f) => f.path === p);
    const cases =
      findings.length === 0
        ? [`    <testcase${attrs([['classname', p], ['name', 'trainlint'], ['file', p], ['time', 0]])}/>`]
        : findings.map((f) => {
            const name = `${f.ruleId} at ${f.line}:${f.column}`;
            const open = `    <testcase${attrs([['classname', p], ['name', name], ['file', p], ['line', f.line], ['time', 0]])}>`;
            const body = fails(f, failOn)
              ? `      <failure${attrs([['message', f.message], ['type', f.severity]])}>${escapeText(detail(f))}</failure>`
              : `      <system-out>${escapeText(detail(f))}</system-out>`;
            return `${open}\n${body}\n    </testcase>`;
          });
    const failed = findings.filter((f) => fails(f, failOn)).length;
    tests += cases.length;
    failures += failed;
    const head = `  <testsuite${attrs([['name', p], ['tests', cases.length], ['failures', failed], ['errors', 0], ['skipped', 0], ['time', 0]])}>`;
    return `${head}\n${cases.join('\n')}\n  </testsuite>`;
  });
  const root = `<testsuites${attrs([['name', 'trainlint'], ['tests', tests], ['failures', failures], ['errors', 0], ['time', 0]])}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', root, ...suites, '</testsuites>', ''].join('\n');
}
