/**
 * `trainlint rescale`: the OpenCLIP story forward (A100 → H100 → A100 round trip, and the rescaled
 * script linted against its original gives no rescaling finding), a PyYAML config whose comments
 * and layout survive, Megatron's explicit global batch, values that are not literal text listed
 * with the value they should get, and usage errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Report } from '../src/engine/report-types';
import { spellLike } from '../src/engine/rescale';
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';

const REPO = path.resolve(__dirname, '..');
const EXAMPLE = path.join(REPO, 'examples', 'openclip-a100-to-h100');

const { repo, read } = tempRepos('trainlint-rescale');
/** The value of `--flag` in a script. */
const flag = (text: string, name: string) => Number(new RegExp(`${name} (\\S+)`).exec(text)![1]);

describe('OpenCLIP, A100 → H100 → A100', () => {
  test('rescales the batch, LR (sqrt for AdamW) and warmup, explains the arithmetic, keeps everything else', async () => {
    const a100 = fs.readFileSync(path.join(EXAMPLE, 'a100.sh'), 'utf8');
    const dir = repo({ 'a100.sh': a100, 'ported.sh': a100 });
    const r = await runCliCapture(['rescale', 'ported.sh', '--micro-batch', '2200'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ported.sh: global batch 3200 → 8800 (×2.75)');
    expect(r.stdout).toContain('--lr 5e-4 → 8.292e-4');
    expect(r.stdout).toContain('sqrt rule for adamw: 5e-4 × √2.75 = 8.2916e-4');
    expect(r.stdout).toContain('--warmup 10000 → 3636');
    expect(r.stdout).toContain('10000 × 3200 = 32000000 samples: 10000 ÷ 2.75 = 3636.4, rounded to 3636');
    expect(r.stdout).toContain('then: the run is 34320 steps (was 93840)');
    expect(r.stderr).toContain('rewrote 3 value(s) in ported.sh');
    const h100 = read(dir, 'ported.sh');
    expect([flag(h100, '--batch-size'), flag(h100, '--lr'), flag(h100, '--warmup')]).toEqual([2200, 8.292e-4, 3636]);
    // Only the three values changed: same lines, same comments and continuations.
    const diff = a100.split('\n').filter((line, i) => line !== h100.split('\n')[i]);
    expect(diff).toEqual(['    --batch-size 800 \\', '    --lr 5e-4 \\', '    --warmup 10000 \\']);

    // Linted against its original, the rescaled script gives no rescaling finding.
    fs.writeFileSync(path.join(dir, '.trainlint.yml'), 'references:\n  ported.sh: a100.sh\n');
    const lint = await runCliCapture(['ported.sh', '--format', 'json'], dir);
    const report = JSON.parse(lint.stdout) as Report;
    expect(report.files[0].reference?.path).toBe('a100.sh');
    expect(report.findings.map((f) => f.ruleId)).not.toEqual(expect.arrayContaining(['lr-not-rescaled']));
    expect(report.findings.map((f) => f.ruleId).filter((id) => /rescaled/.test(id))).toEqual([]);
    // The example's h100.sh, which kept the A100 values, does get them (the check can fail).
    const unported = await runCliCapture(['examples/openclip-a100-to-h100/h100.sh', '--format', 'json'], REPO);
    expect((JSON.parse(unported.stdout) as Report).findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['lr-not-rescaled', 'warmup-not-rescaled']));

    // And back: the original values within rounding (±1 step, LR well within lr-not-rescaled's 10%).
    const back = await runCliCapture(['rescale', 'ported.sh', '--micro-batch', '800'], dir);
    expect(back.code).toBe(0);
    const again = read(dir, 'ported.sh');
    expect(flag(again, '--batch-size')).toBe(800);
    expect(Math.abs(flag(again, '--lr') / 5e-4 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(flag(again, '--warmup') - 10000)).toBeLessThanOrEqual(1);
  });

  test('--global-batch and --world-size reach the same batch; --rule linear overrides the choice; --dry-run writes nothing', async () => {
    const a100 = fs.readFileSync(path.join(EXAMPLE, 'a100.sh'), 'utf8');
    const dir = repo({ 'a.sh': a100, 'b.sh': a100 });
    const g = await runCliCapture(['rescale', 'a.sh', '--global-batch', '8800', '--rule', 'linear', '--dry-run'], dir);
    expect(g.stdout).toContain('--batch-size 800 → 2200');
    expect(g.stdout).toContain('linear rule: 5e-4 × 2.75 = 1.375e-3');
    expect(g.stdout).toContain('+    --lr 1.375e-3 \\');
    expect(read(dir, 'a.sh')).toBe(a100);
    const w = await runCliCapture(['rescale', 'b.sh', '--world-size', '8'], dir);
    expect(w.stdout).toContain('global batch 3200 → 6400 (×2)');
    expect(w.stdout).toContain('--nproc_per_node 4 → 8');
    expect(flag(read(dir, 'b.sh'), '--nproc_per_node')).toBe(8);
    expect(flag(read(dir, 'b.sh'), '--batch-size')).toBe(800);
  });
});

// An HF Trainer config read by PyYAML (1e-4 would be a string): numbers are written as PyYAML reads them.
const SFT = [
  '# SFT on 8 GPUs.', // 1
  'per_device_train_batch_size: 8   # per GPU', // 2
  'gradient_accumulation_steps: 4', // 3
  'learning_rate: 2.0e-5', // 4
  'optim: adamw_torch', // 5
  'lr_scheduler_type: cosine', // 6
  'max_steps: 10000', // 7
  'warmup_steps: 500', // 8
  'save_strategy: steps', // 9
  'save_steps: 1000', // 10
  'eval_strategy: steps', // 11
  'eval_steps: 500', // 12
  '',
].join('\n');

describe('a YAML config', () => {
  test('steps and intervals keep their samples, the LR is spelled for PyYAML, comments stay; the round trip is exact', async () => {
    const dir = repo({ 'sft.yaml': SFT, '.trainlint.yml': 'assume:\n  worldSize: 8\n' });
    const r = await runCliCapture(['rescale', 'sft.yaml', '--global-batch', '512'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1, 7).map((l) => l.trim().split(/\s{2,}/)[1])).toEqual([
      'per_device_train_batch_size 8 → 16',
      'learning_rate 2.0e-5 → 2.828e-5',
      'max_steps 10000 → 5000',
      'warmup_steps 500 → 250',
      'save_steps 1000 → 500',
      'eval_steps 500 → 250',
    ]);
    const text = read(dir, 'sft.yaml');
    expect(text).toContain('per_device_train_batch_size: 16   # per GPU\n');
    expect(text).toContain('learning_rate: 2.828e-5\n');
    // Lint the result: the LR is a float for PyYAML (no yaml11-ambiguous-scalar), the plan is the new one.
    const plan = JSON.parse((await runCliCapture(['plan', 'sft.yaml', '--format', 'json'], dir)).stdout);
    expect([plan.plan.globalBatchSize.value, plan.plan.peakLr.value, plan.plan.totalSteps.value]).toEqual([512, 2.828e-5, 5000]);
    const lint = JSON.parse((await runCliCapture(['sft.yaml', '--format', 'json'], dir)).stdout) as Report;
    expect(lint.findings).toEqual([]);
    await runCliCapture(['rescale', 'sft.yaml', '--global-batch', '256'], dir);
    expect(read(dir, 'sft.yaml')).toBe(SFT);
  });

  test('an unknown optimizer: the LR is listed for --rule, not guessed', async () => {
    const dir = repo({ 'sft.yaml': SFT.replace('optim: adamw_torch', 'optim: my_optimizer'), '.trainlint.yml': 'assume:\n  worldSize: 8\n' });
    const r = await runCliCapture(['rescale', 'sft.yaml', '--global-batch', '512'], dir);
    expect(r.stdout).toMatch(/not changed, set by hand:\n {4}- learning_rate 2e-5: the optimizer is unknown, so neither rule is chosen; pass --rule linear/);
    expect(read(dir, 'sft.yaml')).toContain('learning_rate: 2.0e-5\n');
    expect(read(dir, 'sft.yaml')).toContain('max_steps: 5000\n');
  });
});

describe('values that are not literal text', () => {
  test('an LR through a shell variable and a framework-default warmup are listed with their values', async () => {
    const script = [
      '#!/bin/bash',
      'LR=5e-4',
      'torchrun --nproc_per_node 4 -m open_clip_train.main \\',
      "    --train-data '/data/{00000..00999}.tar' \\",
      '    --train-num-samples 10000000 \\',
      '    --dataset-type webdataset \\',
      '    --batch-size 800 \\',
      '    --lr $LR \\',
      '    --epochs 30 \\',
      '    --workers 8',
      '',
    ].join('\n');
    const dir = repo({ 'clip.sh': script });
    const r = await runCliCapture(['rescale', 'clip.sh', '--micro-batch', '2200'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--lr should be 8.292e-4 (sqrt rule for adamw: 5e-4 × √2.75 = 8.2916e-4), but --lr at clip.sh:8:5 is not a literal value');
    expect(r.stdout).toContain('--warmup should be 3636 (warmup; keeps 10000 × 3200 = 32000000 samples');
    expect(r.stdout).toContain('--warmup is not written (framework default)');
    expect(r.stderr).toContain('2 value(s) to set by hand');
    expect(read(dir, 'clip.sh')).toBe(script.replace('--batch-size 800', '--batch-size 2200'));
  });
});

const MEGATRON = [
  '#!/bin/bash',
  'torchrun --nproc_per_node 8 --nnodes 2 pretrain_gpt.py \\',
  '    --tensor-model-parallel-size 2 \\',
  '    --micro-batch-size 4 \\',
  '    --global-batch-size 256 \\',
  '    --lr 3.0e-4 \\',
  '    --min-lr 3.0e-5 \\',
  '    --lr-decay-style cosine \\',
  '    --lr-warmup-iters 2000 \\',
  '    --train-iters 100000 \\',
  '    --lr-decay-iters 100000 \\',
  '    --eval-interval 1000 \\',
  '    --optimizer adam',
  '',
].join('\n');

describe('Megatron: an explicit global batch', () => {
  test('a new micro batch changes the accumulation, not the global batch: nothing else moves', async () => {
    const dir = repo({ 'pretrain.sh': MEGATRON });
    const r = await runCliCapture(['rescale', 'pretrain.sh', '--micro-batch', '8'], dir);
    expect(r.stdout).toContain('global batch stays 256');
    expect(r.stdout).toContain('--global-batch-size 256 is written, so the framework changes the accumulation instead');
    expect(read(dir, 'pretrain.sh')).toBe(MEGATRON.replace('--micro-batch-size 4', '--micro-batch-size 8'));
  });

  test('--global-batch rewrites it with the LR, min LR, warmup, run length, decay horizon and eval interval', async () => {
    const dir = repo({ 'pretrain.sh': MEGATRON });
    await runCliCapture(['rescale', 'pretrain.sh', '--global-batch', '1024'], dir);
    const text = read(dir, 'pretrain.sh');
    expect(['--global-batch-size', '--lr', '--min-lr', '--lr-warmup-iters', '--train-iters', '--lr-decay-iters', '--eval-interval'].map((f) => flag(text, f))).toEqual([1024, 6e-4, 6e-5, 500, 25000, 25000, 250]);
    expect(text).toContain('--lr 6.0e-4 \\');
    // The world size is a product (--nproc_per_node 8 × --nnodes 2): listed, not edited.
    const w = await runCliCapture(['rescale', 'pretrain.sh', '--world-size', '32', '--dry-run'], dir);
    expect(w.stdout).toContain('world size 16 → 32: --nproc_per_node 8 × --nnodes 2 is not one literal count; change the launcher by hand');
  });
});

describe('usage', () => {
  test.each([
    [['rescale'], /usage: trainlint rescale FILE/],
    [['rescale', 'x.yaml'], /give exactly one of --global-batch, --micro-batch, --world-size/],
    [['rescale', 'x.yaml', '--micro-batch', '8', '--world-size', '8'], /exactly one/],
    [['rescale', 'x.yaml', '--micro-batch', '0'], /--micro-batch needs a positive integer/],
    [['rescale', 'x.yaml', '--micro-batch', '8', '--rule', 'cubic'], /--rule must be linear or sqrt/],
    [['rescale', 'missing.yaml', '--micro-batch', '8'], /missing\.yaml/],
    [['rescale', 'notes.yaml', '--micro-batch', '8'], /notes\.yaml has no plan/],
    [['rescale', 'nobatch.yaml', '--micro-batch', '8'], /the global batch of nobatch\.yaml is unknown/],
  ])('%j', async (argv, message) => {
    const dir = repo({ 'notes.yaml': 'title: not a training config\n', 'nobatch.yaml': 'per_device_train_batch_size: 8\nlearning_rate: 2.0e-5\nlr_scheduler_type: cosine\nmax_steps: 100\n' });
    const r = await runCliCapture(argv, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('numbers keep the style of what they replace', () => {
    expect(spellLike('5e-4', 8.2916e-4, 4, 'shell')).toBe('8.292e-4');
    expect(spellLike('3.0e-4', 6e-4, 4, 'shell')).toBe('6.0e-4');
    expect(spellLike('0.0003', 0.0006, 4, 'yaml', 'pyyaml')).toBe('6.0e-4');
    expect(spellLike('0.01', 0.02, 4, 'json')).toBe('0.02');
    expect(spellLike('2.0e-5', 2.8284e-5, 4, 'yaml', 'pyyaml')).toBe('2.828e-5');
    expect(spellLike('1e-4', 2e-4, 4, 'yaml', 'pyyaml')).toBe('2.0e-4');
    expect(spellLike('"1e-4"', 2e-4, 4, 'yaml', 'pyyaml')).toBe('"2e-4"');
    expect(spellLike('500', 250, 4, 'yaml')).toBe('250');
  });
});

describe('DeepSpeed JSON: the batch identity is written', () => {
  test('--global-batch rewrites the global and micro batch together; a key holding two values changes once', async () => {
    const ds = [
      '{',
      '  "train_batch_size": 256,',
      '  "train_micro_batch_size_per_gpu": 4,',
      '  "gradient_accumulation_steps": 8,',
      '  "scheduler": { "type": "WarmupDecayLR", "params": { "warmup_num_steps": 1000, "total_num_steps": 20000, "warmup_max_lr": 0.0003 } }',
      '}',
      '',
    ].join('\n');
    const dir = repo({ 'ds.json': ds, '.trainlint.yml': 'assume:\n  worldSize: 8\n' });
    const r = await runCliCapture(['rescale', 'ds.json', '--global-batch', '512', '--rule', 'sqrt'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/total_num_steps 20000 → 10000/g)).toHaveLength(1);
    const json = JSON.parse(read(dir, 'ds.json'));
    expect([json.train_batch_size, json.train_micro_batch_size_per_gpu, json.gradient_accumulation_steps]).toEqual([512, 8, 8]);
    expect(json.scheduler.params).toEqual({ warmup_num_steps: 500, total_num_steps: 10000, warmup_max_lr: 4.243e-4 });
  });
});
