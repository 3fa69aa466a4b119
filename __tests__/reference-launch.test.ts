/**
 * A reference plan read as its launch started it (engine/reference-launch.ts): the base revision
 * of a config with the base revision of the script that launches it (`--base`), and a declared
 * reference with the repository's scripts. Real git repositories in temp dirs, linted in-process.
 * With lint workers (a worker finishes a config whose reference a script launches; the main thread
 * lints it again): the golden case lr-not-rescaled/bad-reference-launched, which parallel.test.ts
 * also lints with workers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import type { Report } from '../src/engine/report-types';
import { agreedLaunch, correspondingLaunch } from '../src/engine/reference-launch';
import type { ScriptLaunch } from '../src/engine/script-links';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

function makeRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-reflaunch-'));
  dirs.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

function commit(dir: string, msg: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', msg);
  return git(dir, 'rev-parse', 'HEAD');
}

async function lintJson(dir: string, argv: string[]): Promise<Report> {
  const r = await runCliCapture([...argv, '--format', 'json'], dir);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Report;
}

const sft = (perDevice: number, warmup = 300) =>
  [
    'model_name_or_path: Qwen/Qwen2.5-1.5B',
    `per_device_train_batch_size: ${perDevice}`,
    'gradient_accumulation_steps: 2',
    'learning_rate: 2.0e-5',
    'max_steps: 5000',
    `warmup_steps: ${warmup}`,
    'lr_scheduler_type: cosine',
    'bf16: true',
    'output_dir: out/sft',
    '',
  ].join('\n');

const accelerate = (n: number) => `#!/bin/bash\naccelerate launch --num_processes=${n} train.py --config configs/sft.yaml\n`;

const ruleIds = (report: Report) => report.findings.map((f) => f.ruleId).sort();

describe('--base: the base version of a config as the base version of its script launched it', () => {
  test('per-device batch raised, same LR and warmup, GPUs given by the script: reported with the batch ratio', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'launch.sh': accelerate(8) });
    const base = commit(dir, 'base');
    write(dir, { 'configs/sft.yaml': sft(32) });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    expect(ruleIds(report)).toEqual(['lr-not-rescaled', 'warmup-not-rescaled']);
    const lr = report.findings.find((f) => f.ruleId === 'lr-not-rescaled')!;
    expect(lr.message).toContain('×4 (128 → 512)');
    expect(lr.message).toContain('as launched by launch.sh:2');
    expect(lr.line).toBe(4);
  });

  test('the script changed since the base (2 → 8 processes) and the batch too: the base run is the base script’s', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'launch.sh': accelerate(2) });
    const base = commit(dir, 'base');
    write(dir, { 'configs/sft.yaml': sft(16), 'launch.sh': accelerate(8) });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    const lr = report.findings.find((f) => f.ruleId === 'lr-not-rescaled')!;
    // 8 × 2 × 2 = 32 at the base, 16 × 2 × 8 = 256 now.
    expect(lr.message).toContain('×8 (32 → 256)');
  });

  test('nothing changed but the GPU count in the script, LR rescaled: silent about the LR', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'launch.sh': accelerate(2) });
    const base = commit(dir, 'base');
    write(dir, { 'configs/sft.yaml': sft(8, 75).replace('learning_rate: 2.0e-5', 'learning_rate: 4.0e-5'), 'launch.sh': accelerate(8) });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    // ×4 in batch, LR ×2 (the sqrt rule), warmup ÷4: nothing to say.
    expect(ruleIds(report)).toEqual([]);
  });

  test('a one-GPU smoke test added before the full run: compared with nothing, not with the base’s full run', async () => {
    const torchrun = (lines: string[]) => `#!/bin/bash\nset -e\n${lines.join('\n')}\n`;
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'launch.sh': torchrun(['torchrun --nproc_per_node 8 train.py --config configs/sft.yaml']) });
    const base = commit(dir, 'base');
    write(dir, {
      'launch.sh': torchrun(['# smoke test first', 'torchrun --nproc_per_node 1 train.py --config configs/sft.yaml --max_steps 10', 'torchrun --nproc_per_node 8 train.py --config configs/sft.yaml']),
    });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    // The full run is unchanged since the base; the smoke test has no base run to be rescaled from.
    expect(report.findings.filter((f) => f.ruleId === 'lr-not-rescaled' || f.ruleId === 'warmup-not-rescaled')).toEqual([]);
  });

  const accelerateConfig = (n: number) =>
    ['compute_environment: LOCAL_MACHINE', 'distributed_type: MULTI_GPU', 'mixed_precision: bf16', 'num_machines: 1', `num_processes: ${n}`, 'use_cpu: false', ''].join('\n');
  const withConfigFile = '#!/bin/bash\naccelerate launch --config_file configs/accelerate/multi_gpu.yaml train.py --config configs/sft.yaml\n';

  test('GPUs given by the accelerate config the base script names: its num_processes is the base run’s world size', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'configs/accelerate/multi_gpu.yaml': accelerateConfig(8), 'launch.sh': withConfigFile });
    const base = commit(dir, 'base');
    write(dir, { 'configs/sft.yaml': sft(16) });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    expect(ruleIds(report)).toEqual(['lr-not-rescaled', 'warmup-not-rescaled']);
    // 8 × 2 × 8 = 128 at the base, 16 × 2 × 8 = 256 now.
    expect(report.findings.find((f) => f.ruleId === 'lr-not-rescaled')!.message).toContain('×2 (128 → 256)');
  });

  test('the accelerate config changed since the base (2 → 8 processes): the base run is the base file’s', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'configs/accelerate/multi_gpu.yaml': accelerateConfig(2), 'launch.sh': withConfigFile });
    const base = commit(dir, 'base');
    write(dir, { 'configs/accelerate/multi_gpu.yaml': accelerateConfig(8) });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    expect(report.findings.find((f) => f.ruleId === 'lr-not-rescaled')!.message).toContain('×4 (32 → 128)');
  });

  test('the base script named another accelerate config, since renamed away: read at the base all the same', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'configs/accelerate/two.yaml': accelerateConfig(2), 'launch.sh': withConfigFile.replace('multi_gpu', 'two') });
    const base = commit(dir, 'base');
    fs.rmSync(path.join(dir, 'configs/accelerate/two.yaml'));
    write(dir, { 'configs/accelerate/multi_gpu.yaml': accelerateConfig(8).replace('use_cpu: false', 'use_cpu: false\ndebug: false'), 'launch.sh': withConfigFile });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    expect(report.findings.find((f) => f.ruleId === 'lr-not-rescaled')!.message).toContain('×4 (32 → 128)');
  });

  test('a script new since the base: the base run’s world size is unknown, so no ratio is claimed', async () => {
    const dir = makeRepo({ 'configs/sft.yaml': sft(8) });
    const base = commit(dir, 'base');
    write(dir, { 'configs/sft.yaml': sft(32), 'launch.sh': accelerate(8) });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    expect(ruleIds(report)).toEqual([]);
  });
});

describe('a declared reference read as the repository’s scripts launch it', () => {
  const files = (referenceLaunch: string) => ({
    'cfg/a100.yaml': sft(8),
    'cfg/h100.yaml': `# trainlint: reference=a100.yaml\n${sft(24, 200)}`,
    'run.sh': `#!/bin/bash\ntorchrun --nproc_per_node 4 train.py cfg/h100.yaml\n${referenceLaunch}`,
  });

  test('both launched with 4 processes: the batch went ×3 since the reference', async () => {
    const dir = makeRepo(files('torchrun --nproc_per_node 4 train.py cfg/a100.yaml\n'));
    const report = await lintJson(dir, ['cfg/h100.yaml']);
    const lr = report.findings.find((f) => f.ruleId === 'lr-not-rescaled' && f.path === 'cfg/h100.yaml')!;
    expect(lr.message).toContain('×3 (64 → 192)');
    expect(lr.message).toContain('since reference cfg/a100.yaml');
  });

  test('the reference launched twice with different process counts: which run it means is unknown, no ratio', async () => {
    const dir = makeRepo(files('torchrun --nproc_per_node 4 train.py cfg/a100.yaml\ntorchrun --nproc_per_node 8 train.py cfg/a100.yaml\n'));
    const report = await lintJson(dir, ['cfg/h100.yaml']);
    expect(report.findings.filter((f) => f.ruleId === 'lr-not-rescaled')).toEqual([]);
  });
});

describe('choosing the launch', () => {
  const launch = (written: string, world: number, extra: Partial<ScriptLaunch> = {}): ScriptLaunch =>
    ({
      script: 'run.sh',
      range: { line: 1, column: 1, endLine: 1, endColumn: 2 },
      launcher: 'torchrun',
      configs: [{ written, flag: '', range: { line: 1, column: 1, endLine: 1, endColumn: 2 } }],
      values: { worldSize: { value: world, origin: 'launcher' } },
      workdir: { label: 'the repository root' },
      ...extra,
    }) as ScriptLaunch;

  test('correspondingLaunch: the only command naming the config, else the one at the same position', () => {
    const head = launch('a.yaml', 8);
    expect(correspondingLaunch([launch('b.yaml', 2), launch('a.yaml', 2)], head, [head])?.values.worldSize?.value).toBe(2);
    expect(correspondingLaunch([launch('b.yaml', 2)], head, [head])).toBeUndefined();
    const second = launch('a.yaml', 16);
    expect(correspondingLaunch([launch('a.yaml', 1), launch('a.yaml', 4)], second, [head, second])?.values.worldSize?.value).toBe(4);
    // Three commands at the base, two now: which one is which is a guess.
    expect(correspondingLaunch([launch('a.yaml', 1), launch('a.yaml', 4), launch('a.yaml', 2)], second, [head, second])).toBeUndefined();
  });

  test('correspondingLaunch with a command added or removed: the one running the same program with the same flags, else none', () => {
    const maxSteps = (n: number) => ({ overrides: [{ style: 'argparse', path: ['max_steps'], value: n, text: String(n), flag: '--max_steps', file: 'run.sh', range: { line: 1, column: 1, endLine: 1, endColumn: 2 }, where: 'x' }] }) as Partial<ScriptLaunch>;
    const smoke = launch('a.yaml', 1, maxSteps(10));
    const full = launch('a.yaml', 8);
    // The base had the full run only (on 4 GPUs); a smoke test now comes first.
    expect(correspondingLaunch([launch('a.yaml', 4)], smoke, [smoke, full])).toBeUndefined();
    expect(correspondingLaunch([launch('a.yaml', 4)], full, [smoke, full])?.values.worldSize?.value).toBe(4);
    // The smoke test removed since the base: the full run is still the full run.
    expect(correspondingLaunch([launch('a.yaml', 1, maxSteps(10)), launch('a.yaml', 2)], full, [full])?.values.worldSize?.value).toBe(2);
    // An identical command wins over one whose launcher options changed.
    expect(correspondingLaunch([launch('a.yaml', 1, maxSteps(10)), launch('a.yaml', 2), launch('a.yaml', 8)], full, [smoke, full])?.values.worldSize?.value).toBe(8);
  });

  test('agreedLaunch: launches that give the same values, else none', () => {
    expect(agreedLaunch(undefined)).toBeUndefined();
    expect(agreedLaunch([{ launch: launch('a.yaml', 4) }, { launch: launch('a.yaml', 4) }])?.values.worldSize?.value).toBe(4);
    expect(agreedLaunch([{ launch: launch('a.yaml', 4) }, { launch: launch('a.yaml', 8) }])).toBeUndefined();
  });
});

describe('--base: a script that sources a file reads that file at the base too', () => {
  const OPENCLIP = [
    '#!/bin/bash',
    'source ./hparams.env',
    'torchrun --nproc_per_node 4 -m open_clip_train.main \\',
    "    --train-data '/data/laion/{00000..00999}.tar' --train-num-samples 10000000 --dataset-type webdataset \\",
    '    --batch-size $BS --lr 5e-4 --warmup 2000 --epochs 30 --workers 8',
    '',
  ].join('\n');

  test('the batch changed in the sourced file only: the base run is the base file’s (lr-not-rescaled)', async () => {
    const dir = makeRepo({ 'hparams.env': 'BS=800\n', 'train.sh': OPENCLIP });
    const base = commit(dir, 'base');
    write(dir, { 'hparams.env': 'BS=2200\n' });
    commit(dir, 'bigger batch');
    const report = await lintJson(dir, ['--base', base, 'train.sh']);
    const lr = report.findings.find((f) => f.ruleId === 'lr-not-rescaled');
    expect(lr?.message).toContain('×2.75 (3200 → 8800)');
    // Unchanged since the base: nothing to compare.
    const same = await lintJson(dir, ['--base', 'HEAD', 'train.sh']);
    expect(same.findings.filter((f) => f.ruleId === 'lr-not-rescaled')).toEqual([]);
  });

  test('a sourced file that sources another, and one the base revision does not have', async () => {
    const dir = makeRepo({ 'hparams.env': 'source ./batch.env\n', 'batch.env': 'BS=800\n', 'train.sh': OPENCLIP });
    const base = commit(dir, 'base');
    write(dir, { 'batch.env': 'BS=2200\n' });
    const report = await lintJson(dir, ['--base', base, 'train.sh']);
    expect(report.findings.find((f) => f.ruleId === 'lr-not-rescaled')?.message).toContain('×2.75 (3200 → 8800)');
    // hparams.env added after the base: the base script sources nothing, its batch is unknown: no comparison.
    const dir2 = makeRepo({ 'train.sh': OPENCLIP.replace('source ./hparams.env\n', 'BS=800\n') });
    const base2 = commit(dir2, 'base');
    write(dir2, { 'hparams.env': 'BS=2200\n', 'train.sh': OPENCLIP });
    const added = await lintJson(dir2, ['--base', base2, 'train.sh']);
    expect(added.findings.find((f) => f.ruleId === 'lr-not-rescaled')?.message).toContain('×2.75 (3200 → 8800)');
  });

  test('a config launched by a script whose sourced file changed the GPU count', async () => {
    const launch = '#!/bin/bash\nsource ./gpus.env\naccelerate launch --num_processes=$N train.py --config configs/sft.yaml\n';
    const dir = makeRepo({ 'configs/sft.yaml': sft(8), 'gpus.env': 'N=2\n', 'launch.sh': launch });
    const base = commit(dir, 'base');
    write(dir, { 'gpus.env': 'N=8\n' });
    const report = await lintJson(dir, ['--base', base, 'configs/sft.yaml']);
    // 8 × 2 × 2 = 32 at the base, 8 × 2 × 8 = 128 now.
    expect(report.findings.find((f) => f.ruleId === 'lr-not-rescaled')?.message).toContain('×4 (32 → 128)');
  });
});
