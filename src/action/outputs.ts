/** The JSON report and SARIF files, and the step outputs (errors, warnings, files, report, sarif). */
import * as core from './core.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Report } from '../engine/report-types.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';

export function writeReport(report: Report, tempDir: string): string {
  const dir = path.join(tempDir, 'trainlint');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'report.json');
  writeFileSync(file, formatJson(report));
  return file;
}

export function writeSarif(report: Report, root: string, sarifInput: string): string {
  const file = path.resolve(root, sarifInput);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, formatSarif(report));
  return file;
}

export function setOutputs(report: Report, reportPath: string, sarifPath: string | undefined): void {
  core.setOutput('errors', report.summary.errors);
  core.setOutput('warnings', report.summary.warnings);
  core.setOutput('files', report.summary.files);
  core.setOutput('report', reportPath);
  core.setOutput('sarif', sarifPath ?? '');
}
