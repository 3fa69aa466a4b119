/** `trainlint exec`: lint the launch command and its configs, run it only when clean. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import { parse } from 'shell-quote';
import fc from 'fast-check';
import { commandLineText, parseExecArgs, scriptRun, shellWord } from '../src/cli/exec';
import type { Report } from '../src/engine/report-types';

const HF = `output_dir: ./out
per_device_train_batch_size: 8
gradient_accumulation_steps: 4
learning_rate: 2.0e-5
num_train_epochs: 1
warmup_steps: 100
`;

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-exec-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function exec(argv: string[], cwd: string, exitCode = 0) {
  const out: string[] = [];
  const err: string[] = [];
  const ran: string[][] = [];
  const code = await runCli(['exec', ...argv], {
    cwd,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY: false,
    run: async (command) => {
      ran.push(command);
      return exitCode;
    },
  });
  return { code, stdout: out.join(''), stderr: err.join(''), ran };
}

describe('parseExecArgs', () => {
  test('own options end at -- or at the first word; the command keeps its flags verbatim', () => {
    const a = parseExecArgs(['--dry-run', '--fail-on=warning', '--rule', 'warmup-fraction=off', '--', 'torchrun', '--nproc_per_node', '8', 'train.py', '--lr', '1e-4']);
    expect(a).toMatchObject({ dryRun: true, failOn: 'warning', rules: { 'warmup-fraction': 'off' } });
    expect(a.command).toEqual(['torchrun', '--nproc_per_node', '8', 'train.py', '--lr', '1e-4']);
    expect(parseExecArgs(['python', '-m', 'x', '--dry-run']).command).toEqual(['python', '-m', 'x', '--dry-run']);
  });
  test('unknown own options and an empty command are usage errors', () => {
    expect(() => parseExecArgs(['--nproc_per_node', '8'])).toThrow(/unknown option/);
    expect(() => parseExecArgs(['--dry-run'])).toThrow(/usage/);
  });
});

describe('trainlint exec', () => {
  test('a clean command runs with the same argv and its exit code is passed through', async () => {
    const dir = tempRepo({ 'sft.yaml': HF });
    const command = ['torchrun', '--nproc_per_node', '8', 'train.py', '--config', 'sft.yaml'];
    const r = await exec(['--', ...command], dir, 3);
    expect(r.ran).toEqual([command]);
    expect(r.code).toBe(3);
  });

  test('findings at the fail level stop the launch', async () => {
    const dir = tempRepo({ 'sft.yaml': HF.replace('num_train_epochs: 1', 'max_steps: 50') });
    const r = await exec(['--', 'torchrun', '--nproc_per_node', '8', 'train.py', 'sft.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.ran).toEqual([]);
    expect(r.stderr).toContain('warmup-exceeds-training');
    expect(r.stderr).toContain('not running the command');
    expect(r.stdout).toBe('');
  });

  test('--dry-run lints only', async () => {
    const dir = tempRepo({ 'sft.yaml': HF });
    const r = await exec(['--dry-run', '--', 'python', 'train.py', '--config', 'sft.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.ran).toEqual([]);
  });

  test('the launcher world size reaches the configs it names (origin launcher)', async () => {
    const dir = tempRepo({ 'sft.yaml': HF });
    const r = await exec(['--dry-run', '--format', 'json', '--', 'torchrun', '--nproc_per_node', '4', '--nnodes', '2', 'train.py', '--config=sft.yaml'], dir);
    const report = JSON.parse(r.stderr) as Report;
    const plan = report.files.find((f) => f.path === 'sft.yaml')!.plan;
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    expect(plan.globalBatchSize).toMatchObject({ value: 256, origin: 'derived' });
  });

  test('the command line itself is linted (OpenCLIP flags)', async () => {
    const dir = tempRepo({});
    const r = await exec(['--', 'torchrun', '--nproc_per_node', '4', '-m', 'open_clip_train.main', '--batch-size', '800', '--train-num-samples', '1000000', '--epochs', '2'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(command line)');
    // OpenCLIP's default --warmup 10000 is named as a default.
    expect(r.stderr).toContain('(--warmup, default)');
    expect(r.ran).toEqual([]);
  });

  test('accelerate --config_file: its num_processes is the launch\'s world size (over assume), the config\'s bf16 wins over its mixed_precision', async () => {
    // accelerate's config gives the process count as --num_processes would; TrainingArguments sets
    // ACCELERATE_MIXED_PRECISION from bf16/fp16 before the Accelerator reads it, so the run is bf16.
    const accelerateConfig = 'compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nmixed_precision: fp16\nnum_machines: 1\nnum_processes: 4\n';
    const dir = tempRepo({ 'sft.yaml': HF + 'bf16: true\n', 'acc.yaml': accelerateConfig, '.trainlint.yml': 'assume:\n  worldSize: 8\n' });
    const r = await exec(['--dry-run', '--format', 'json', '--', 'accelerate', 'launch', '--config_file', 'acc.yaml', 'train.py', '--config', 'sft.yaml'], dir);
    const report = JSON.parse(r.stderr) as Report;
    expect(report.findings.filter((f) => f.path === 'sft.yaml' && f.ruleId === 'cross-file-mismatch')).toEqual([]);
    const plan = report.files.find((f) => f.path === 'sft.yaml')!.plan;
    expect(plan.worldSize).toMatchObject({ value: 4, origin: 'launcher', file: 'acc.yaml' });
    expect(plan.precision).toMatchObject({ value: 'bf16', file: 'sft.yaml' });
    expect(r.ran).toEqual([]);
  });

  test('accelerate --config_file with --num_processes and --mixed_precision: the command line wins, the file\'s values are not the run\'s', async () => {
    // accelerate's _validate_launch_command copies a config-file value only where the command left it unset.
    const accelerateConfig = 'distributed_type: MULTI_GPU\nmixed_precision: fp16\nnum_machines: 1\nnum_processes: 8\n';
    const dir = tempRepo({ 'sft.yaml': HF + 'bf16: true\n', 'acc.yaml': accelerateConfig });
    const r = await exec(['--dry-run', '--format', 'json', '--', 'accelerate', 'launch', '--config_file', 'acc.yaml', '--mixed_precision', 'bf16', '--num_processes', '4', 'train.py', '--config', 'sft.yaml'], dir);
    const report = JSON.parse(r.stderr) as Report;
    expect(report.findings.filter((f) => f.ruleId === 'cross-file-mismatch')).toEqual([]);
    expect(report.files.find((f) => f.path === 'sft.yaml')!.plan.worldSize).toMatchObject({ value: 4, origin: 'launcher', key: '--num_processes' });
  });

  test('a named config that does not exist is a usage error', async () => {
    const dir = tempRepo({});
    const r = await exec(['--', 'python', 'train.py', '--config', 'missing.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trainlint: exec: config named on the command line not found: missing\.yaml\n$/);
  });

  test('the real process runner inherits stdio and passes the exit code through', async () => {
    const dir = tempRepo({});
    const code = await runCli(['exec', '--', process.execPath, '-e', 'process.exit(4)'], {
      cwd: dir,
      stdout: () => {},
      stderr: () => {},
      isTTY: false,
    });
    expect(code).toBe(4);
  });
});

// torchtitan's run_train.sh shape: NGPU and CONFIG_FILE from the environment, with defaults.
const RUN_TRAIN = [
  '#!/usr/bin/bash',
  'set -ex',
  'NGPU=${NGPU:-"8"}',
  'CONFIG_FILE=${CONFIG_FILE:-"./train_configs/tp2.toml"}',
  'torchrun --nproc_per_node=${NGPU} --rdzv_backend c10d --rdzv_endpoint="localhost:0" \\',
  '-m torchtitan.train --job.config_file ${CONFIG_FILE} "$@"',
  '',
].join('\n');
/** A torchtitan job config: global batch 48 of micro 4 needs 48 / 4 / data-parallel whole. */
const titanToml = (tp: number) =>
  ['[training]', 'local_batch_size = 4', 'global_batch_size = 48', 'seq_len = 2048', 'steps = 1000', '', '[parallelism]', `tensor_parallel_degree = ${tp}`, ''].join('\n');

describe('scriptRun', () => {
  test('a launch script run directly, by bash or sh, after env and NAME=value words', () => {
    expect(scriptRun(['./run_train.sh'])).toEqual({ environment: [], written: './run_train.sh', args: [] });
    expect(scriptRun(['NGPU=4', 'CONFIG_FILE=a.toml', './run_train.sh', '--training.steps', '10'])).toEqual({
      environment: [
        ['NGPU', '4'],
        ['CONFIG_FILE', 'a.toml'],
      ],
      written: './run_train.sh',
      args: ['--training.steps', '10'],
    });
    expect(scriptRun(['env', 'NGPU=4', 'bash', '-ex', 'scripts/train.sh', 'configs/a.yaml'])).toEqual({ environment: [['NGPU', '4']], written: 'scripts/train.sh', args: ['configs/a.yaml'] });
    expect(scriptRun(['/usr/bin/env', 'A=1', 'sh', '--', 'x.slurm'])).toEqual({ environment: [['A', '1']], written: 'x.slurm', args: [] });
    expect(scriptRun(['NGPU=2', 'nohup', 'bash', 'run.sh'])).toEqual({ environment: [['NGPU', '2']], written: 'run.sh', args: [] });
    expect(scriptRun(['exec', './run.sh', 'a.yaml'])).toEqual({ environment: [], written: './run.sh', args: ['a.yaml'] });
    expect(scriptRun(['sbatch', 'jobs/train.slurm', 'configs/a.yaml'])).toEqual({ environment: [], written: 'jobs/train.slurm', args: ['configs/a.yaml'] });
    // sbatch's own options, before the script, are kept: they override its #SBATCH lines.
    expect(scriptRun(['sbatch', '--nodes=4', '-p', 'gpu', '-o', 'logs/%j.out', 'train.slurm', 'a.yaml'])).toEqual({
      environment: [],
      written: 'train.slurm',
      args: ['a.yaml'],
      sbatchArgs: ['--nodes=4', '-p', 'gpu', '-o', 'logs/%j.out'],
    });
  });
  test('anything else is not: programs, a shell running a string, env with options of its own', () => {
    expect(scriptRun(['torchrun', '--nproc_per_node', '8', 'train.py'])).toBeUndefined();
    expect(scriptRun(['CFG=a.yaml', 'python', 'train.py'])).toBeUndefined();
    expect(scriptRun(['bash', '-c', './run_train.sh'])).toBeUndefined();
    expect(scriptRun(['bash', '-o', 'pipefail', 'x.sh'])).toBeUndefined();
    expect(scriptRun(['env', '-i', 'NGPU=4', './run_train.sh'])).toBeUndefined();
    expect(scriptRun(['env', '-u', 'NGPU', './run_train.sh'])).toBeUndefined();
    expect(scriptRun(['NGPU=4'])).toBeUndefined();
    // sbatch with --export decides the job's environment itself; --wrap runs a string; no script at all.
    expect(scriptRun(['NGPU=4', 'sbatch', '--export=NONE', 'train.slurm'])).toBeUndefined();
    expect(scriptRun(['sbatch', '--export', 'ALL,NGPU=2', 'train.slurm'])).toBeUndefined();
    expect(scriptRun(['sbatch', '--wrap', 'python train.py'])).toBeUndefined();
    expect(scriptRun(['sbatch', '--nodes=4'])).toBeUndefined();
    expect(scriptRun(['sbatch'])).toBeUndefined();
  });
});

describe('trainlint exec of a launch script', () => {
  const repo = () => tempRepo({ 'run_train.sh': RUN_TRAIN, 'train_configs/tp2.toml': titanToml(2), 'train_configs/tp1.toml': titanToml(1) });

  test("the script is the launch, read with the command's environment: NGPU and CONFIG_FILE choose the world size and the config", async () => {
    const dir = repo();
    // 8 GPUs, TP 2: data-parallel 4, 48 / (4 × 4) = 3: clean, and the command runs.
    const clean = await exec(['--format', 'json', '--', 'NGPU=8', './run_train.sh'], dir);
    expect(clean.code).toBe(0);
    expect(clean.ran).toEqual([['NGPU=8', './run_train.sh']]);
    const cleanReport = JSON.parse(clean.stderr) as Report;
    expect(cleanReport.files.map((f) => f.path).sort()).toEqual(['run_train.sh', 'train_configs/tp2.toml']);
    expect(cleanReport.files.find((f) => f.path === 'train_configs/tp2.toml')!.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', file: 'run_train.sh', key: '--nproc_per_node' });

    // 10 GPUs on the TP 1 config: data-parallel 10, 48 is not a multiple of 40: torchtitan refuses to start.
    const bad = await exec(['--format', 'json', '--', 'env', 'NGPU=10', 'CONFIG_FILE=./train_configs/tp1.toml', './run_train.sh'], dir);
    expect(bad.code).toBe(1);
    expect(bad.ran).toEqual([]);
    const report = JSON.parse(bad.stderr.slice(0, bad.stderr.lastIndexOf('}') + 1)) as Report;
    expect(report.files.map((f) => f.path).sort()).toEqual(['run_train.sh', 'train_configs/tp1.toml']);
    expect(report.files.find((f) => f.path === 'train_configs/tp1.toml')!.plan.worldSize).toMatchObject({ value: 10, origin: 'launcher' });
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'batch-size-mismatch', path: 'train_configs/tp1.toml' })]);
    expect(bad.stderr).toContain('not running the command');
  });

  test("without an environment the script's own defaults apply; bash -x runs the same script", async () => {
    const dir = repo();
    const r = await exec(['--dry-run', '--format', 'json', '--', 'bash', '-x', 'run_train.sh'], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stderr) as Report;
    expect(report.files.find((f) => f.path === 'train_configs/tp2.toml')!.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    // NGPU 12 on TP 2: data-parallel 6, 48 / (4 × 6) = 2: clean; NGPU 16: data-parallel 8, 48 / 32: not whole.
    expect((await exec(['--dry-run', '--', 'NGPU=12', 'bash', 'run_train.sh'], dir)).code).toBe(0);
    expect((await exec(['--dry-run', '--', 'NGPU=16', 'bash', 'run_train.sh'], dir)).code).toBe(1);
  });

  test("the script's arguments are its $1, ${2:-…} and shift: the config it is given, with its launcher", async () => {
    const train = ['#!/bin/bash', 'CONFIG=$1', 'shift', 'GPUS=${1:-8}', 'torchrun --nproc_per_node=$GPUS train.py --config "$CONFIG"', ''].join('\n');
    const dir = tempRepo({ 'scripts/train.sh': train, 'configs/sft.yaml': HF, 'configs/other.yaml': HF });
    const r = await exec(['--dry-run', '--format', 'json', '--', 'bash', 'scripts/train.sh', 'configs/sft.yaml', '2'], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stderr) as Report;
    expect(report.files.map((f) => f.path).sort()).toEqual(['configs/sft.yaml', 'scripts/train.sh']);
    expect(report.files.find((f) => f.path === 'configs/sft.yaml')!.plan.worldSize).toMatchObject({ value: 2, origin: 'launcher', file: 'scripts/train.sh' });
    // Without a second argument, the script's default.
    const dflt = JSON.parse((await exec(['--dry-run', '--format', 'json', '--', './scripts/train.sh', 'configs/other.yaml'], dir)).stderr) as Report;
    expect(dflt.files.find((f) => f.path === 'configs/other.yaml')!.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    // A config among the arguments that the script does not visibly launch is still linted (as the command line's own words were).
    const opaque = tempRepo({ 'scripts/run.sh': '#!/bin/bash\npython "$@"\n', 'configs/sft.yaml': HF });
    const o = JSON.parse((await exec(['--dry-run', '--format', 'json', '--', 'scripts/run.sh', 'train.py', 'configs/sft.yaml', 'trainer.lr=1e-4'], opaque)).stderr) as Report;
    expect(o.files.map((f) => f.path).sort()).toEqual(['configs/sft.yaml', 'scripts/run.sh']);
  });

  test('"$@": the arguments after the config reach the program, as flags over the config', async () => {
    const train = ['#!/bin/bash', 'CONFIG=$1', 'shift', 'torchrun --nproc_per_node=4 train.py "$CONFIG" "$@"', ''].join('\n');
    const dir = tempRepo({ 'scripts/train.sh': train, 'configs/sft.yaml': HF });
    const r = await exec(['--dry-run', '--format', 'json', '--', 'bash', 'scripts/train.sh', 'configs/sft.yaml', '--learning_rate', '3e-4'], dir);
    expect(r.code).toBe(0);
    const plan = (JSON.parse(r.stderr) as Report).files.find((f) => f.path === 'configs/sft.yaml')!.plan;
    expect(plan.peakLr).toMatchObject({ value: 3e-4, origin: 'launcher', file: 'scripts/train.sh' });
    expect(plan.worldSize).toMatchObject({ value: 4, origin: 'launcher' });
    // Without arguments after the config, the config's own value.
    const own = JSON.parse((await exec(['--dry-run', '--format', 'json', '--', 'bash', 'scripts/train.sh', 'configs/sft.yaml'], dir)).stderr) as Report;
    expect(own.files.find((f) => f.path === 'configs/sft.yaml')!.plan.peakLr).toMatchObject({ value: 2e-5, origin: 'explicit' });
  });

  test('sbatch JOB: the job script under its #SBATCH allocation, from the submission folder', async () => {
    const job = ['#!/bin/bash', '#SBATCH --nodes=2', '#SBATCH --ntasks-per-node=1', '#SBATCH --gpus-per-node=8', 'srun torchrun --nnodes $SLURM_NNODES --nproc_per_node 8 train.py --config configs/sft.yaml', ''].join('\n');
    const dir = tempRepo({ 'jobs/train.slurm': job, 'configs/sft.yaml': HF });
    const r = await exec(['--format', 'json', '--', 'sbatch', 'jobs/train.slurm'], dir);
    expect(r.code).toBe(0);
    expect(r.ran).toEqual([['sbatch', 'jobs/train.slurm']]);
    const report = JSON.parse(r.stderr) as Report;
    expect(report.files.find((f) => f.path === 'configs/sft.yaml')!.plan.worldSize).toMatchObject({ value: 16, origin: 'launcher', file: 'jobs/train.slurm' });
  });

  test("sbatch's options override the job's #SBATCH lines: the world size they give, reported where the line is", async () => {
    const job = ['#!/bin/bash', '#SBATCH --job-name=sft', '#SBATCH --nodes=2', '#SBATCH --ntasks-per-node=1', 'srun torchrun --nnodes $SLURM_NNODES --nproc_per_node 8 train.py --config configs/sft.yaml', ''].join('\n');
    const dir = tempRepo({ 'jobs/train.slurm': job, 'configs/sft.yaml': HF });
    const r = await exec(['--dry-run', '--format', 'json', '--', 'sbatch', '-p', 'gpu', '--nodes=4', 'jobs/train.slurm'], dir);
    expect(r.code).toBe(0);
    const plan = (JSON.parse(r.stderr) as Report).files.find((f) => f.path === 'configs/sft.yaml')!.plan;
    expect(plan.worldSize).toMatchObject({ value: 32, origin: 'launcher', file: 'jobs/train.slurm' });
    // Without them, the script's own: 2 nodes.
    const own = JSON.parse((await exec(['--dry-run', '--format', 'json', '--', 'sbatch', 'jobs/train.slurm'], dir)).stderr) as Report;
    expect(own.files.find((f) => f.path === 'configs/sft.yaml')!.plan.worldSize).toMatchObject({ value: 16 });
  });

  test('NAME=value words are never configs: a command that is not a script lints its command line', async () => {
    const dir = tempRepo({ 'sft.yaml': HF });
    const r = await exec(['--dry-run', '--', 'CFG=missing.yaml', 'python', 'train.py', '--config', 'sft.yaml'], dir);
    expect(r.stderr).not.toContain('not found');
    expect(r.code).toBe(0);
    // A script that is not in the folder: the command line is linted, and the launch is left to the shell.
    const missing = await exec(['--dry-run', '--', 'NGPU=8', './nowhere.sh'], dir);
    expect(missing.code).toBe(0);
  });
});

describe('the command line as it is echoed in findings', () => {
  test('as the user typed it, quoted only where the shell needs it (no `\\=`)', async () => {
    expect(commandLineText(['torchrun', '--nproc_per_node=4', 'train.py', 'trainer.lr=1e-3', 'data.path=/data/a,b:c', '--name', 'a b', "it's", '$HOME', '*.yaml', '', '~/x', '#x'])).toBe(
      `torchrun --nproc_per_node=4 train.py trainer.lr=1e-3 data.path=/data/a,b:c --name 'a b' "it's" '$HOME' '*.yaml' '' '~/x' '#x'`,
    );
    const dir = tempRepo({});
    const r = await exec(['--dry-run', '--', 'torchrun', '--nproc_per_node=4', '-m', 'open_clip_train.main', '--batch-size', '8', '--warmup', '10000', '--epochs', '1', '--train-num-samples', '1000', '--name', 'run 1'], dir);
    expect(r.stderr).toContain("| torchrun --nproc_per_node=4 -m open_clip_train.main --batch-size 8 --warmup 10000 --epochs 1 --train-num-samples 1000 --name 'run 1'\n");
    expect(r.stderr).not.toContain('\\=');
  });

  test('a shell reads every echoed word back as the same word', () => {
    const word = fc.string({ unit: fc.constantFrom('a', '=', '-', '.', ' ', "'", '"', '$', '`', '\\', '*', '?', '[', ']', '(', ')', '{', '}', '~', '#', '!', '&', '|', ';', '<', '>', '\t', 'é', ','), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const text = commandLineText(words);
        expect(parse(text, (name: string) => `$${name}`)).toEqual(words);
        for (const w of words) if (/^[\w.,:=/+-]+$/.test(w) && !w.startsWith('=')) expect(shellWord(w)).toBe(w);
      }),
      { seed: 20261204, numRuns: 500 },
    );
  });
});

