/**
 * The published package works: `npm pack` the repository, install the tarball into an empty
 * project with no registry access (the bundle in dist/ needs no dependency), then run the
 * installed `trainlint` the way a user does, through npx.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

interface PackEntry {
  filename: string;
  files: Array<{ path: string }>;
}

describe('npm pack → install → npx trainlint', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'trainlint-pack-'));
  const project = path.join(work, 'project');
  let packed: PackEntry;
  // npm's own cache stays out of the user's; --offline: nothing may come from the registry.
  const npmEnv = { ...process.env, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, env: npmEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const npx = (args: string[]) => spawnSync('npx', ['--no', '--', 'trainlint', ...args], { cwd: project, env: npmEnv, encoding: 'utf8' });

  beforeAll(() => {
    [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT));
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0', private: true }));
    npm(['install', '--offline', '--no-audit', '--no-fund', path.join(work, packed.filename)], project);
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the tarball holds the bundles, schemas, action.yml, README and LICENSE; no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'action.yml', 'dist/cli.js', 'dist/index.js']));
    expect(files.some((f) => f.startsWith('schemas/'))).toBe(true);
    expect(files.filter((f) => /^(src|__tests__|scripts|node_modules|\.ci)\//.test(f))).toEqual([]);
  });

  test('the installed LICENSE is the MIT licence package.json names', () => {
    expect(pkg.license).toBe('MIT');
    const text = readFileSync(path.join(project, 'node_modules', 'trainlint', 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} trainlint authors\n/);
    expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  test('installs with no dependency at all', () => {
    const installed = JSON.parse(readFileSync(path.join(project, 'node_modules', 'trainlint', 'package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});
    const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lock.packages).sort()).toEqual(['', 'node_modules/trainlint']);
  });

  test('npx trainlint --version prints the package version', () => {
    const run = npx(['--version']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`trainlint ${pkg.version}`);
  });

  test('npx trainlint on a config with a finding exits 1 and names the rule at its line', () => {
    writeFileSync(
      path.join(project, 'sft.yaml'),
      ['# fine-tune read by HfArgumentParser', 'output_dir: ./out', 'per_device_train_batch_size: 8', 'learning_rate: 1.0e-5', 'max_steps: 600', 'warmup_steps: 900', ''].join('\n'),
    );
    const run = npx(['sft.yaml']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/sft\.yaml\n\s+6:1\s+error\s+.*warmup-exceeds-training/);
  });

  test('npx trainlint on a clean config exits 0', () => {
    writeFileSync(path.join(project, 'ok.yaml'), ['output_dir: ./out', 'per_device_train_batch_size: 8', 'learning_rate: 1.0e-5', 'max_steps: 600', 'warmup_steps: 30', ''].join('\n'));
    const run = npx(['ok.yaml']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

test('package.json metadata is complete', () => {
  expect(pkg).toMatchObject({
    name: 'trainlint',
    license: 'MIT',
    bin: { trainlint: 'dist/cli.js' },
    engines: { node: '>=20' },
    repository: { type: 'git', url: expect.stringContaining('github.com/') },
    files: expect.arrayContaining(['dist', 'schemas', 'action.yml']),
  });
  expect(pkg.keywords.length).toBeGreaterThanOrEqual(5);
  expect(pkg.description).toBeTruthy();
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(Object.keys(pkg.devDependencies)).not.toContain('node');
  expect(readFileSync(path.join(ROOT, 'dist', 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});
