/** Shared by the hostile-input tests: temp repositories, a good config with one known finding. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../../src/engine/report-types';

/** A good HF config with one known finding (warmup-fraction: 40% of 1000 steps). */
export const GOOD = [
  'per_device_train_batch_size: 8',
  'gradient_accumulation_steps: 4',
  'learning_rate: 2.0e-5',
  'lr_scheduler_type: cosine',
  'max_steps: 1000',
  'warmup_steps: 400',
  '',
].join('\n');

const dirs: string[] = [];

/**
 * The system's temporary folder, not the test run's (jest.global-setup.cjs): the hostile-input goldens
 * hold positions after an absolute path written into a config, so that path's length must not change.
 * What is made there is removed by `cleanTempDirs` (or by the test).
 */
export function systemTmpdir(): string {
  return process.env.TRAINLINT_TEST_SYSTEM_TMPDIR || os.tmpdir();
}

/** A temp folder with the given files (binary content allowed); removed by `cleanTempDirs`. */
export function tempRepo(files: Record<string, string | Buffer> = {}, prefix = 'trainlint-hostile-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(systemTmpdir(), prefix)));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

export function cleanTempDirs(): void {
  for (const d of dirs.splice(0)) {
    try {
      fs.chmodSync(d, 0o755);
    } catch {
      // already gone
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
}

export const findingsOf = (report: Report, file: string) => report.findings.filter((f) => f.path === file);
export const idsOf = (report: Report, file: string) => findingsOf(report, file).map((f) => f.ruleId);

/** The good file was linted normally next to the hostile one. */
export function expectGoodLinted(report: Report, file = 'good.yaml'): void {
  expect(idsOf(report, file)).toEqual(['warmup-fraction']);
  expect(report.files.find((f) => f.path === file)?.dialect).toBe('hf-trainer');
}

/** Whether this process may create FIFOs (mkfifo) and symbolic links. */
export const canMkfifo = (() => {
  if (process.platform === 'win32') return false;
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fifo-probe-'));
    try {
      execFileSync('mkfifo', [path.join(dir, 'p')]);
      return true;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    return false;
  }
})();

export function mkfifo(p: string): void {
  execFileSync('mkfifo', [p]);
}

/** Running as root: file permissions do not stop writes. */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
