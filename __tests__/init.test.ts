/**
 * `trainlint init`: detects frameworks, launch scripts and vendored/generated folders, writes a
 * commented `.trainlint.yml` (valid against its schema, placeholders for what it could not find) and
 * a least-privilege workflow (valid for GitHub's parser), prints what it wrote and what to check,
 * and never overwrites a file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { readConfig } from '../src/config/load-config';
import { githubErrors } from './helpers/external-schemas';
import { runCliCapture } from './helpers/run-cli';

const SFT = ['per_device_train_batch_size: 4', 'gradient_accumulation_steps: 2', 'learning_rate: 2.0e-5', 'lr_scheduler_type: cosine', 'max_steps: 1000', 'warmup_steps: 100', ''].join('\n');
const DPO = ['per_device_train_batch_size: 2', 'learning_rate: 5.0e-7', 'lr_scheduler_type: cosine', 'num_train_epochs: 1', 'warmup_ratio: 0.1', ''].join('\n');

const dirs: string[] = [];
function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-init-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const FILES = {
  'configs/sft.yaml': SFT,
  'configs/dpo.yaml': DPO,
  'configs/ds.json': '{"train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 2}\n',
  'scripts/train.sh': '#!/bin/bash\ntorchrun --nproc_per_node 8 train.py --config configs/sft.yaml\n',
  // Vendored and generated copies: ignored, not counted.
  'third_party/lib/config.yaml': SFT.replace('warmup_steps: 100', 'warmup_steps: 5000'),
  'outputs/run1/config.yaml': SFT.replace('warmup_steps: 100', 'warmup_steps: 5000'),
  '.gitmodules': '[submodule "ext"]\n\tpath = ext/megatron\n\turl = https://example.invalid/megatron.git\n',
  'ext/megatron/cfg.yaml': SFT.replace('warmup_steps: 100', 'warmup_steps: 5000'),
};

describe('trainlint init', () => {
  test('writes a valid, commented .trainlint.yml and a least-privilege workflow, and says what to check', async () => {
    const dir = repo(FILES);
    const r = await runCliCapture(['init'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trainlint init: frameworks hf-trainer (2), deepspeed (1); 1 launch script(s); ignoring ext/megatron/**, outputs/**, third_party/**');
    expect(r.stdout).toContain('  wrote .trainlint.yml\n  wrote .github/workflows/trainlint.yml\n');
    expect(r.stdout).toContain('the world size of configs/dpo.yaml: set assume.worldSize');
    expect(r.stdout).toContain('pin actions/checkout and trainlint/trainlint to commit SHAs');

    const yml = fs.readFileSync(path.join(dir, '.trainlint.yml'), 'utf8');
    const { config } = readConfig(dir); // validated against schemas/trainlint.schema.json
    expect(config.files).toEqual(['configs/**', 'scripts/**']);
    expect(config.ignore).toEqual(['ext/megatron/**', 'outputs/**', 'third_party/**']);
    expect(config.assume).toBeUndefined();
    // Placeholders for what it could not find, commented so they assert nothing false.
    expect(yml).toMatch(/^# assume:\n# {3}worldSize: 8 +# GPUs per run: no launch script names configs\/dpo\.yaml$/m);
    expect(yml).toMatch(/^# {3}datasetSamples: 1000000 +# training samples per epoch: unknown for configs\/dpo\.yaml$/m);
    expect(yml).toContain('# Found: 2 hf-trainer configs, 1 deepspeed config, 1 launch script.');

    const wf = fs.readFileSync(path.join(dir, '.github/workflows/trainlint.yml'), 'utf8');
    expect(githubErrors([{ kind: 'workflow', name: 'trainlint.yml', content: wf }])).toEqual([[]]);
    const parsed = YAML.parse(wf);
    expect(parsed.permissions).toEqual({ contents: 'read' });
    const steps = parsed.jobs.trainlint.steps;
    expect(steps[0]).toEqual({ uses: 'actions/checkout@v5', with: { 'persist-credentials': false } });
    expect(steps[1].uses).toBe('trainlint/trainlint@v1');
    expect(wf).toContain('# pin: trainlint/trainlint@<commit SHA>');

    // The written config is usable: the vendored and generated configs are not linted.
    const lint = await runCliCapture(['--format', 'json'], dir);
    const report = JSON.parse(lint.stdout);
    expect(report.files.map((f: { path: string }) => f.path).sort()).toEqual(['configs/dpo.yaml', 'configs/ds.json', 'configs/sft.yaml', 'scripts/train.sh']);
    expect(lint.code).toBe(0);
  });

  test('never overwrites: existing files are kept and said so', async () => {
    const dir = repo({ ...FILES, '.trainlint.yaml': 'rules: {}\n', '.github/workflows/trainlint.yml': 'mine\n' });
    const r = await runCliCapture(['init'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept .trainlint.yaml: it exists (init never overwrites a file)');
    expect(r.stdout).toContain('kept .github/workflows/trainlint.yml: it exists');
    expect(fs.readFileSync(path.join(dir, '.trainlint.yaml'), 'utf8')).toBe('rules: {}\n');
    expect(fs.existsSync(path.join(dir, '.trainlint.yml'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, '.github/workflows/trainlint.yml'), 'utf8')).toBe('mine\n');
  });

  test('--dry-run prints the files and writes nothing; an empty repository gets commented examples', async () => {
    const dir = repo({ 'README.md': '# nothing here\n' });
    const r = await runCliCapture(['init', '--dry-run'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no training configs found');
    expect(r.stdout).toContain('would write .trainlint.yml');
    expect(r.stdout).toContain("--- .trainlint.yml ---\n# trainlint configuration");
    expect(r.stdout).toContain("# files: ['configs/**', 'scripts/*.sh']");
    expect(fs.readdirSync(dir).sort()).toEqual(['.git', 'README.md']);
    const bad = await runCliCapture(['init', '--force'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^trainlint: init: Unknown option '--force'/);
  });
});

test('init --help and rescale --help print their usage', async () => {
  const init = await runCliCapture(['init', '--help'], os.tmpdir());
  expect([init.code, init.stdout.split('\n')[0]]).toEqual([0, 'usage: trainlint init [--dry-run]']);
  const rescale = await runCliCapture(['rescale', '-h'], os.tmpdir());
  expect([rescale.code, rescale.stdout.split('\n')[0]]).toEqual([0, 'usage: trainlint rescale FILE (--global-batch N | --micro-batch N | --world-size N) [--rule linear|sqrt] [--dry-run] [-c CONFIG]']);
});
