/**
 * The GitHub Action. Minimal until the action issue lands: lints the workspace with the
 * shared engine, prints workflow-command annotations and fails on errors.
 */
import * as core from '@actions/core';
import { readConfig } from '../config/load-config.js';
import { buildReport } from '../engine/build-report.js';
import { lint } from '../engine/lint.js';
import { formatGithub } from '../report/github.js';

export async function run(): Promise<void> {
  try {
    const root = process.env.GITHUB_WORKSPACE || process.cwd();
    const { config } = readConfig(root, core.getInput('config') || undefined);
    const files = core.getInput('files');
    const { results } = await lint({ root, paths: files ? files.split(/\s+/).filter(Boolean) : [], config });
    const report = buildReport(results);
    process.stdout.write(formatGithub(report));
    core.setOutput('errors', report.summary.errors);
    core.setOutput('warnings', report.summary.warnings);
    core.setOutput('files', report.summary.files);
    if (report.summary.errors > 0) core.setFailed(`trainlint: ${report.summary.errors} error(s) in training configs`);
  } catch (err) {
    core.setFailed(`trainlint: ${(err as Error).message.split('\n')[0]}`);
  }
}
