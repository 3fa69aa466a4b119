/**
 * `--stdin --stdin-filename PATH` (editors): the buffer is linted as the file at PATH would be,
 * with that path's dialect and overrides, its reference, and the launch scripts that name it;
 * only the buffer's findings are reported.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import type { Report } from '../src/engine/report-types';

const REPO = path.resolve(__dirname, '..');
const H100 = 'examples/openclip-a100-to-h100/h100.sh';

async function runStdin(argv: string[], input: string, cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
    readStdin: async () => Buffer.from(input, 'utf8'),
  });
  return { code, stdout, stderr };
}

async function stdinReport(argv: string[], input: string, cwd = REPO): Promise<{ code: number; report: Report }> {
  const r = await runStdin([...argv, '--format', 'json'], input, cwd);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const dirs: string[] = [];
function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-stdin-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const SFT = ['per_device_train_batch_size: 4', 'gradient_accumulation_steps: 2', 'learning_rate: 2.0e-5', 'lr_scheduler_type: cosine', 'max_steps: 1000', 'warmup_steps: 100', ''].join('\n');
const SCRIPT = ['#!/bin/bash', 'torchrun --nproc_per_node 8 train.py --config configs/sft.yaml', ''].join('\n');

describe('--stdin --stdin-filename', () => {
  test('an unsaved launch script gets its reference: the directive resolves from its path', async () => {
    const text = fs.readFileSync(path.join(REPO, H100), 'utf8');
    const { code, report } = await stdinReport(['--stdin', '--stdin-filename', H100], text);
    expect(code).toBe(1);
    expect(report.files.map((f) => [f.path, f.dialect, f.reference?.path])).toEqual([[H100, 'openclip', 'examples/openclip-a100-to-h100/a100.sh']]);
    // The warmup's share and its lost scaling are one finding (group-findings.ts pairWarmupFindings).
    expect(report.findings.map((f) => `${f.ruleId}:${f.line}`)).toEqual(['lr-not-rescaled:11', 'warmup-not-rescaled:13']);
    // The buffer, not the file on disk: with the LR and warmup rescaled, those findings are gone.
    const fixed = text.replace('--lr 5e-4', '--lr 8.292e-4').replace('--warmup 10000', '--warmup 3636');
    const after = await stdinReport(['--stdin', '--stdin-filename', H100], fixed);
    expect(after.code).toBe(0);
    expect(after.report.findings).toEqual([]);
  });

  test('a config gets the world size of the committed launch script that names it', async () => {
    const dir = repo({ 'configs/sft.yaml': SFT, 'scripts/train.sh': SCRIPT });
    const r = await stdinReport(['--stdin', '--stdin-filename', 'configs/sft.yaml'], SFT.replace('gradient_accumulation_steps: 2', 'gradient_accumulation_steps: 4'), dir);
    expect(r.report.files).toHaveLength(1);
    const file = r.report.files[0];
    expect(file.launcher).toEqual({ path: 'scripts/train.sh', line: 2, column: 1 });
    expect(file.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', file: 'scripts/train.sh' });
    // The buffer's values: 4 × 4 × 8, not the file's 4 × 2 × 8.
    expect(file.plan.globalBatchSize.value).toBe(128);
  });

  test('a launch script buffer: only the buffer is reported, not the configs its commands start', async () => {
    const dir = repo({ 'configs/sft.yaml': SFT.replace('warmup_steps: 100', 'warmup_steps: 5000'), 'scripts/train.sh': SCRIPT });
    const r = await stdinReport(['--stdin', '--stdin-filename', 'scripts/train.sh'], SCRIPT.replace('--nproc_per_node 8', '--nproc_per_node 2'), dir);
    expect(r.report.files.map((f) => f.path)).toEqual(['scripts/train.sh']);
    expect(r.report.findings.every((f) => f.path === 'scripts/train.sh')).toBe(true);
    // Linted from disk, the config has its own finding; it is not attributed to the buffer.
    const disk = await stdinReport(['configs/sft.yaml'], '', dir);
    expect(disk.report.findings.map((f) => f.ruleId)).toContain('warmup-exceeds-training');
  });

  test("the path's overrides apply: a forced dialect and rule options", async () => {
    const config = ['overrides:', "  - files: 'special/**'", '    rules:', '      warmup-fraction: [error, { max: 0.5 }]', ''].join('\n');
    const text = SFT.replace('warmup_steps: 100', 'warmup_steps: 300');
    const dir = repo({ '.trainlint.yml': config });
    const plain = await stdinReport(['--stdin', '--stdin-filename', 'configs/x.yaml'], text, dir);
    expect(plain.report.findings.map((f) => f.ruleId)).toEqual(['warmup-fraction']);
    const special = await stdinReport(['--stdin', '--stdin-filename', 'special/x.yaml'], text, dir);
    expect(special.report.findings).toEqual([]);
    // The extension decides the loader: the same text as .json is a parse error.
    const json = await stdinReport(['--stdin', '--stdin-filename', 'configs/x.json'], text, dir);
    expect(json.report.findings.map((f) => f.ruleId)).toEqual(['parse-error']);
  });

  test('ignored paths lint nothing; without a file name the text is YAML named <stdin>', async () => {
    const dir = repo({ '.trainlint.yml': "ignore: ['vendor/**']\n" });
    const ignored = await runStdin(['--stdin', '--stdin-filename', 'vendor/x.yaml'], 'warmup_steps: 1e9\n', dir);
    expect(ignored).toEqual({ code: 0, stdout: '', stderr: expect.stringContaining('vendor/x.yaml is ignored') });
    const anonymous = await stdinReport(['--stdin'], SFT.replace('warmup_steps: 100', 'warmup_steps: 5000'), dir);
    expect(anonymous.report.findings.map((f) => [f.path, f.ruleId])).toEqual([['<stdin>', 'warmup-exceeds-training']]);
  });

  test.each([
    [['--stdin', 'a.yaml'], /--stdin takes no paths/],
    [['--stdin-filename', 'a.yaml'], /--stdin-filename needs --stdin/],
    [['--stdin', '--fix'], /--stdin cannot be combined with --fix/],
    [['--stdin', '--stdin-filename', '../outside.yaml'], /outside the folder trainlint runs in/],
    [['plan', 'x.yaml', '--stdin'], /does not apply to `trainlint plan`/],
  ])('usage error: %j', async (argv, message) => {
    const r = await runStdin(argv, '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('the bundle reads the process stdin (dist/cli.js)', () => {
    const text = fs.readFileSync(path.join(REPO, H100), 'utf8');
    const r = spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), '--stdin', '--stdin-filename', H100, '--format', 'json'], { cwd: REPO, input: text, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as Report).findings.map((f) => f.ruleId)).toContain('lr-not-rescaled');
  });
});
