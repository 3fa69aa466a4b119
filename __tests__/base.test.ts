/**
 * `--base REF` end to end: real git repositories in temp dirs, linted in-process with
 * `runCli`. Each config is compared with its own version at REF (following renames), so the
 * diff rules (lr-not-rescaled, warmup-not-rescaled) fire without a declared reference.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import type { Report } from '../src/engine/report-types';

const REPO = path.resolve(__dirname, '..');
const A100 = fs
  .readFileSync(path.join(REPO, 'examples/openclip-a100-to-h100/a100.sh'), 'utf8')
  .split('\n')
  .filter((l) => !/#\s*trainlint:\s*reference/.test(l))
  .join('\n');
const H100_EDIT = A100.replace('--batch-size 800 ', '--batch-size 2200 ');

// warmup-fraction is part of the warmup-not-rescaled finding: one warmup key, one finding (engine/group-findings.ts).
const DIFF_RULES = ['lr-not-rescaled', 'warmup-not-rescaled'];

const run = (argv: string[], cwd: string) => runCliCapture(argv, cwd);

async function runJson(argv: string[], cwd: string): Promise<{ code: number; report: Report }> {
  const r = await run([...argv, '--format', 'json'], cwd);
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

function makeRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-base-'));
  dirs.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

function commit(dir: string, msg: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', msg);
}

/** A repository with the A100 script committed as train.sh. */
function repoWithTrainSh(): string {
  const dir = makeRepo();
  expect(A100).toContain('--batch-size 800 ');
  expect(A100).not.toContain('reference=');
  write(dir, 'train.sh', A100);
  commit(dir, 'a100 run');
  return dir;
}

const idsOf = (report: Report, file: string) => report.findings.filter((f) => f.path === file).map((f) => f.ruleId).sort();
const finding = (report: Report, file: string, id: string) => report.findings.find((f) => f.path === file && f.ruleId === id);

/** The findings of the A100 → H100 change, compared with `label`. */
function expectRescaleFindings(report: Report, file: string, label: string): void {
  expect(idsOf(report, file)).toEqual(DIFF_RULES);
  const lr = finding(report, file, 'lr-not-rescaled')!;
  expect(lr.message).toContain(`(3200 → 8800): since ${label} the update size`);
  expect(lr.message).toContain('×2.75');
  expect(lr.data).toMatchObject({ batchRatio: 2.75, baseGlobalBatchSize: 3200, globalBatchSize: 8800 });
  const warm = finding(report, file, 'warmup-not-rescaled')!;
  expect(warm.message).toContain(`since ${label}`);
  expect(warm.data.suggestedWarmupSteps).toBe(3636);
  expect(warm.message).toContain("29.1% of the run's 34320 optimizer steps, above warmup-fraction's 20% limit; set --warmup 3636");
  expect(warm.data.pairedWith).toMatchObject({ ruleId: 'warmup-fraction', suggestedWarmupSteps: 6864 });
  expect(report.files.find((f) => f.path === file)?.reference?.label).toBe(label);
}

describe('--base', () => {
  test('(a) uncommitted in-place edit against HEAD', async () => {
    const dir = repoWithTrainSh();
    // Unchanged: nothing to compare, nothing found.
    const clean = await runJson(['--base', 'HEAD'], dir);
    expect(clean.report.findings).toEqual([]);
    expect(clean.code).toBe(0);

    write(dir, 'train.sh', H100_EDIT);
    const { code, report } = await runJson(['--base', 'HEAD'], dir);
    expect(code).toBe(1);
    expectRescaleFindings(report, 'train.sh', 'base HEAD');
    expect(report.files.find((f) => f.path === 'train.sh')?.reference?.path).toBe('train.sh');

    // Without --base there is nothing to compare with: only warmup-fraction.
    const alone = await runJson([], dir);
    expect(idsOf(alone.report, 'train.sh')).toEqual(['warmup-fraction']);
  });

  test('(b) committed edit against HEAD~1', async () => {
    const dir = repoWithTrainSh();
    write(dir, 'train.sh', H100_EDIT);
    commit(dir, 'h100');
    const { code, report } = await runJson(['--base', 'HEAD~1'], dir);
    expect(code).toBe(1);
    expectRescaleFindings(report, 'train.sh', 'base HEAD~1');
    // Against HEAD the committed edit is the base: only the absolute rule remains.
    const head = await runJson(['--base', 'HEAD'], dir);
    expect(idsOf(head.report, 'train.sh')).toEqual(['warmup-fraction']);
  });

  test('(c) renamed and edited: paired with the old path, label says (was train.sh)', async () => {
    const dir = repoWithTrainSh();
    git(dir, 'mv', 'train.sh', 'h100.sh');
    write(dir, 'h100.sh', H100_EDIT);
    commit(dir, 'move to h100');
    const { report } = await runJson(['--base', 'HEAD~1'], dir);
    expectRescaleFindings(report, 'h100.sh', 'base HEAD~1 (was train.sh)');
    expect(report.files.find((f) => f.path === 'h100.sh')?.reference?.path).toBe('train.sh');
    expect(report.files.map((f) => f.path)).toEqual(['h100.sh']);
  });

  test('(d) a file that did not exist at base: no diff-rule findings', async () => {
    const dir = repoWithTrainSh();
    write(dir, 'new.sh', H100_EDIT);
    const { report } = await runJson(['--base', 'HEAD'], dir);
    expect(idsOf(report, 'new.sh')).toEqual(['warmup-fraction']);
    expect(report.files.find((f) => f.path === 'new.sh')?.reference).toBeUndefined();
    expect(idsOf(report, 'train.sh')).toEqual([]);
    // Also when it is committed.
    commit(dir, 'add new.sh');
    const committed = await runJson(['--base', 'HEAD~1'], dir);
    expect(idsOf(committed.report, 'new.sh')).toEqual(['warmup-fraction']);
  });

  test('(e) unknown ref: exit 2, one line', async () => {
    const dir = repoWithTrainSh();
    for (const ref of ['no-such-branch', 'HEAD~5', 'deadbeef']) {
      const r = await run(['--base', ref], dir);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^trainlint: [^\n]+\n$/);
      expect(r.stderr).toContain(ref);
      expect(r.stderr).not.toContain('    at ');
    }
  });

  test('(e) outside a git repository: exit 2, one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-nogit-'));
    dirs.push(dir);
    write(dir, 'train.sh', A100);
    // Stop git from finding a repository above the temp dir.
    const saved = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(dir);
    try {
      const r = await run(['--base', 'HEAD'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^trainlint: [^\n]*not a git repository[^\n]*\n$/);
    } finally {
      if (saved === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = saved;
    }
  });

  test('(f) run from a subdirectory of the repository with its own .trainlint.yml', async () => {
    const dir = makeRepo();
    write(dir, 'sub/.trainlint.yml', 'rules:\n  warmup-fraction: warning\n');
    write(dir, 'sub/train.sh', A100);
    write(dir, 'other/train.sh', A100);
    commit(dir, 'base');
    write(dir, 'sub/train.sh', H100_EDIT);
    const cwd = path.join(dir, 'sub');
    const { code, report } = await runJson(['--base', 'HEAD'], cwd);
    expect(code).toBe(1);
    expect(report.files.map((f) => f.path)).toEqual(['train.sh']);
    expectRescaleFindings(report, 'train.sh', 'base HEAD');
    // The subdirectory's config applies: warmup-fraction a warning, so the warmup finding is one.
    expect(finding(report, 'train.sh', 'warmup-not-rescaled')?.severity).toBe('warning');
    expect(report.files[0].reference?.path).toBe('train.sh');

    // Renamed inside the subdirectory: the old path is shown relative to the subdirectory too.
    commit(dir, 'edit');
    git(dir, 'mv', 'sub/train.sh', 'sub/h100.sh');
    const renamed = await runJson(['--base', 'HEAD~1'], cwd);
    expectRescaleFindings(renamed.report, 'h100.sh', 'base HEAD~1 (was train.sh)');
  });

  test('(g) HF YAML: gradient_accumulation_steps 4 → 16 with assume.worldSize 8', async () => {
    const dir = makeRepo();
    const hf = (gas: number) =>
      [
        'per_device_train_batch_size: 8',
        `gradient_accumulation_steps: ${gas}`,
        'learning_rate: 1.0e-4',
        'lr_scheduler_type: cosine',
        'max_steps: 10000',
        'warmup_steps: 500',
        '',
      ].join('\n');
    write(dir, '.trainlint.yml', 'assume:\n  worldSize: 8\n');
    write(dir, 'configs/sft.yaml', hf(4));
    commit(dir, 'base');
    write(dir, 'configs/sft.yaml', hf(16));
    const { code, report } = await runJson(['--base', 'HEAD'], dir);
    expect(code).toBe(1);
    const file = 'configs/sft.yaml';
    expect(idsOf(report, file)).toEqual(['lr-not-rescaled', 'warmup-not-rescaled']);
    expect(finding(report, file, 'lr-not-rescaled')?.data).toMatchObject({ batchRatio: 4, baseGlobalBatchSize: 256, globalBatchSize: 1024 });
    expect(finding(report, file, 'lr-not-rescaled')?.line).toBe(3);
    expect(finding(report, file, 'warmup-not-rescaled')?.data.suggestedWarmupSteps).toBe(125);
    expect(report.files[0].reference?.label).toBe('base HEAD');

    // Without the assumed world size the global batch is unknown: no diff-rule findings.
    write(dir, '.trainlint.yml', '{}\n');
    const unknown = await runJson(['--base', 'HEAD'], dir);
    expect(idsOf(unknown.report, file)).toEqual([]);
  });
  test('(h) a baseline of diff-rule findings still matches when the base ref changes', async () => {
    const dir = repoWithTrainSh();
    write(dir, 'train.sh', H100_EDIT);
    const baseSha = git(dir, 'rev-parse', 'HEAD');
    const update = await run(['--base', baseSha, '--update-baseline'], dir);
    expect(update.code).toBe(0);
    // A later pull request: the same edit, now compared with another spelling of the base.
    write(dir, 'notes.md', 'unrelated\n');
    commit(dir, 'unrelated change');
    const later = await run(['--base', 'HEAD~1', '--format', 'json'], dir);
    expect(later.code).toBe(0);
    expect((JSON.parse(later.stdout) as Report).findings).toEqual([]);
    expect(later.stderr).toContain('2 finding(s) hidden');
    // A different change (batch 800 → 1600) is a new finding, not hidden.
    write(dir, 'train.sh', A100.replace('--batch-size 800 ', '--batch-size 1600 '));
    const other = await runJson(['--base', 'HEAD', '--no-baseline'], dir);
    expect(idsOf(other.report, 'train.sh')).toContain('lr-not-rescaled');
    const withBaseline = await run(['--base', 'HEAD', '--format', 'json'], dir);
    expect((JSON.parse(withBaseline.stdout) as Report).findings.map((f) => f.ruleId)).toContain('lr-not-rescaled');
  });
});

describe('--base --fix edits a value its dialect records by key only', () => {
  test('MMEngine: warmup-not-rescaled rewrites param_scheduler[0].end=500 (the advertised fix was never applied)', async () => {
    const dir = makeRepo();
    write(
      dir,
      'configs/retinanet/retinanet_r50_fpn_1xb4-1x_coco.py',
      [
        "_base_ = ['../_base_/default_runtime.py']",
        "model = dict(type='RetinaNet')",
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))",
        "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
        'param_scheduler = [',
        "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),",
        "    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)",
        ']',
        'train_dataloader = dict(batch_size=4)',
        '',
      ].join('\n'),
    );
    write(dir, 'configs/_base_/default_runtime.py', "default_scope = 'mmdet'\n");
    commit(dir, 'retinanet 1 GPU × 4');
    const rel = 'configs/retinanet/retinanet_r50_fpn_1xb4-1x_coco.py';
    write(dir, rel, fs.readFileSync(path.join(dir, rel), 'utf8').replace('batch_size=4', 'batch_size=16'));
    const r = await run(['--base', 'HEAD', '--fix', rel], dir);
    expect(r.stderr).toContain('applied 2 fix(es) in 1 file(s)');
    const text = fs.readFileSync(path.join(dir, rel), 'utf8');
    expect(text).toContain('begin=0, end=125),');
    expect(text).toContain('lr=4e-2');
  });
});

describe('--base --fix moves an LR written twice together', () => {
  test("DeepSpeed WarmupDecayLR: optimizer.params.lr follows warmup_max_lr (one edit alone would be a conflicting setting)", async () => {
    const dir = makeRepo();
    const ds = (batch: number, micro: number) =>
      [
        '{',
        `  "train_batch_size": ${batch},`,
        `  "train_micro_batch_size_per_gpu": ${micro},`,
        '  "gradient_accumulation_steps": 8,',
        '  "optimizer": {"type": "AdamW", "params": {"lr": 3e-4, "betas": [0.9, 0.95], "weight_decay": 0.1}},',
        '  "scheduler": {"type": "WarmupDecayLR", "params": {"warmup_min_lr": 0, "warmup_max_lr": 3e-4, "warmup_num_steps": 2000, "total_num_steps": 20000}},',
        '  "bf16": {"enabled": true}',
        '}',
        '',
      ].join('\n');
    write(dir, 'configs/ds_config.json', ds(256, 4));
    write(dir, 'scripts/pretrain.sh', '#!/bin/bash\ndeepspeed --num_gpus 8 pretrain.py --deepspeed --deepspeed_config configs/ds_config.json\n');
    commit(dir, 'ds 256');
    write(dir, 'configs/ds_config.json', ds(512, 8));
    const lintOut = await runJson(['--base', 'HEAD', 'configs/ds_config.json'], dir);
    const lr = finding(lintOut.report, 'configs/ds_config.json', 'lr-not-rescaled')!;
    expect(lr.message).toContain('and "lr": 4.243e-4 (optimizer.params.lr) with it');
    await run(['--base', 'HEAD', '--fix', 'configs/ds_config.json'], dir);
    const text = fs.readFileSync(path.join(dir, 'configs/ds_config.json'), 'utf8');
    expect(text).toContain('"params": {"lr": 4.243e-4,');
    expect(text).toContain('"warmup_max_lr": 4.243e-4,');
    const after = await runJson(['--base', 'HEAD', 'configs/ds_config.json'], dir);
    expect(idsOf(after.report, 'configs/ds_config.json')).not.toContain('conflicting-settings');
  });
});
