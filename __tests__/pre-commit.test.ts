/**
 * The pre-commit hook with the real `pre-commit` (Debian's package): `pre-commit try-repo` of this
 * repository on a temporary git repository, once with a bad config (the hook fails with the
 * finding) and once with a good one (it passes). Skipped visibly when `pre-commit` is missing,
 * unless TRAINLINT_REQUIRE_PRECOMMIT=1 (set by .ci/run, which installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');

function preCommitMissing(): string | undefined {
  if (process.env.TRAINLINT_REQUIRE_PRECOMMIT === '1') return undefined;
  const found = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'pre-commit not found; install it with `apt-get install -y pre-commit` (.ci/run does)';
}

const why = preCommitMissing();
if (why) process.stderr.write(`[trainlint tests] pre-commit test skipped: ${why}\n`);
const ptest = why ? (name: string, fn: jest.ProvidesCallback, t?: number) => test.skip(`${name} [SKIPPED: ${why}]`, fn, t) : test;

const BAD = ['per_device_train_batch_size: 4', 'gradient_accumulation_steps: 8', 'learning_rate: 2.0e-5', 'lr_scheduler_type: cosine', 'max_steps: 1500', 'warmup_steps: 2000', ''].join('\n');
const GOOD = BAD.replace('warmup_steps: 2000', 'warmup_steps: 75');

describe('pre-commit try-repo', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-pre-commit-'));
    fs.mkdirSync(path.join(dir, 'work', 'configs'), { recursive: true });
    const work = path.join(dir, 'work');
    fs.writeFileSync(path.join(work, 'configs', 'bad.yaml'), BAD);
    fs.writeFileSync(path.join(work, 'configs', 'good.yaml'), GOOD);
    fs.writeFileSync(path.join(work, 'README.md'), '# not linted\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: work });
    git('init', '-q');
    git('add', '.');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const tryRepo = (file: string) =>
    spawnSync('pre-commit', ['try-repo', REPO, 'trainlint', '--color', 'never', '--files', file], {
      cwd: path.join(dir, 'work'),
      encoding: 'utf8',
      env: { ...process.env, PRE_COMMIT_HOME: path.join(dir, 'cache'), PRE_COMMIT_COLOR: 'never' },
      timeout: 120_000,
    });

  ptest('a bad config fails the hook with its finding', () => {
    const r = tryRepo('configs/bad.yaml');
    expect(r.stdout).toMatch(/trainlint\.+Failed/);
    expect(r.stdout).toContain('configs/bad.yaml');
    expect(r.stdout).toContain('warmup-exceeds-training');
    expect(r.status).toBe(1);
  }, 120_000);

  ptest('a good config passes', () => {
    const r = tryRepo('configs/good.yaml');
    expect(r.stdout).toMatch(/trainlint\.+Passed/);
    expect(r.status).toBe(0);
  }, 120_000);
});
