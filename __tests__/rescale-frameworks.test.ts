/**
 * `trainlint rescale` against each framework's own batch arithmetic: a world size that does not change
 * the global batch (nanoGPT, Ultralytics), targets the framework would refuse to start with (Megatron,
 * TRL GRPO, detectron2), numbers the loader refuses (a yacs float written as an int), a byte-order
 * mark kept, and arithmetic shown with the exact factor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';

const { repo, read } = tempRepos('trainlint-rescale-fw');

// nanoGPT: gradient_accumulation_steps counts all ranks; train.py divides it by the world size and asserts it divides.
const NANOGPT = [
  'batch_size = 12',
  'block_size = 1024',
  'gradient_accumulation_steps = 5 * 8',
  'max_iters = 600000',
  'lr_decay_iters = 600000',
  'learning_rate = 6e-4',
  'min_lr = 6e-5',
  'warmup_iters = 2000',
  'eval_interval = 1000',
  '',
].join('\n');

describe('a world size that does not change the global batch', () => {
  test('nanoGPT: the accumulation is split over the ranks; nothing to rescale, nothing written', async () => {
    const dir = repo({ 'config/train_small.py': NANOGPT, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
    const r = await runCliCapture(['rescale', 'config/train_small.py', '--world-size', '4'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global batch stays 480');
    expect(r.stdout).toContain('the accumulation 40 counts all ranks: each of 4 takes 10 (was 5)');
    expect(r.stdout).toContain('nothing to rescale');
    expect(r.stdout).not.toMatch(/learning_rate|max_iters|is 480, not/);
    expect(read(dir, 'config/train_small.py')).toBe(NANOGPT);
  });

  test('nanoGPT: 40 accumulation steps over 16 ranks is refused, as train.py refuses it', async () => {
    const dir = repo({ 'config/train_small.py': NANOGPT, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
    const r = await runCliCapture(['rescale', 'config/train_small.py', '--world-size', '16'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not divisible by 16');
    expect(r.stderr).toContain('assert gradient_accumulation_steps % ddp_world_size == 0');
    expect(read(dir, 'config/train_small.py')).toBe(NANOGPT);
  });

  test('Ultralytics: batch is the total over the GPUs; lr0 is not touched', async () => {
    const yolo = [
      'from ultralytics import YOLO',
      '',
      'model = YOLO("yolo11n.pt")',
      'model.train(',
      '    data="coco.yaml",',
      '    epochs=100,',
      '    imgsz=640,',
      '    batch=32,',
      '    device=[0, 1],',
      '    optimizer="SGD",',
      '    lr0=0.01,',
      '    warmup_epochs=3.0,',
      ')',
      '',
    ].join('\n');
    const dir = repo({ 'train_yolo.py': yolo });
    const r = await runCliCapture(['rescale', 'train_yolo.py', '--world-size', '4'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global batch stays 64');
    expect(r.stdout).toContain('the total batch 32 counts all ranks: each of 4 takes 8 (was 16)');
    expect(r.stdout).not.toContain('lr0');
    expect(read(dir, 'train_yolo.py')).toBe(yolo);
  });
});

const MEGATRON = [
  '#!/bin/bash',
  'torchrun --nproc_per_node 8 --nnodes 2 pretrain_gpt.py \\',
  '    --tensor-model-parallel-size 2 \\',
  '    --pipeline-model-parallel-size 2 \\',
  '    --micro-batch-size 4 \\',
  '    --global-batch-size 256 \\',
  '    --lr 3.0e-4 \\',
  '    --lr-warmup-iters 2000 \\',
  '    --train-iters 100000 \\',
  '    --optimizer adam',
  '',
].join('\n');

describe('targets the framework would refuse: exit 2, nothing written', () => {
  test.each([
    [['--global-batch', '200'], /global batch 200 is not divisible by micro 4 × data-parallel 4 = 16.*Megatron refuses to start/],
    [['--micro-batch', '3'], /global batch 256 is not divisible by micro 3 × data-parallel 4 = 12/],
    [['--world-size', '24'], /--global-batch-size 256 is not divisible by micro 4 × data-parallel 6 = 24 at world size 24.*refuses to start/],
  ])('Megatron %j', async (argv, message) => {
    const dir = repo({ 'gpt.sh': MEGATRON });
    const r = await runCliCapture(['rescale', 'gpt.sh', ...argv], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/10\.6667/);
    expect(read(dir, 'gpt.sh')).toBe(MEGATRON);
  });

  test('Megatron: a world size that divides keeps the global batch and says the new accumulation', async () => {
    const dir = repo({ 'gpt.sh': MEGATRON });
    const r = await runCliCapture(['rescale', 'gpt.sh', '--world-size', '32', '--dry-run'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the framework changes the accumulation from 16 to 8 (256 / (4 × 8))');
  });

  test('TRL GRPO: a generation batch num_generations does not divide', async () => {
    const grpo = [
      'model_name_or_path: Qwen/Qwen2.5-1.5B-Instruct',
      'output_dir: out',
      'per_device_train_batch_size: 16',
      'gradient_accumulation_steps: 1',
      'num_generations: 16',
      'learning_rate: 1.0e-6',
      'lr_scheduler_type: cosine',
      'warmup_ratio: 0.1',
      'max_steps: 500',
      'use_vllm: true',
      'reward_funcs: [accuracy, format]',
      '',
    ].join('\n');
    const dir = repo({ 'grpo.yaml': grpo, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
    const r = await runCliCapture(['rescale', 'grpo.yaml', '--micro-batch', '3'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('generation_batch_size (24) must be divisible by num_generations (16)');
    expect(read(dir, 'grpo.yaml')).toBe(grpo);
  });

  test('detectron2 LazyConfig: the total batch over 6 GPUs, without accumulation', async () => {
    const lazy = [
      'from detectron2.config import LazyCall as L',
      'from detectron2.solver import WarmupParamScheduler',
      'from fvcore.common.param_scheduler import MultiStepParamScheduler',
      '',
      'from ..common.data.coco import dataloader',
      'from ..common.models.mask_rcnn_fpn import model',
      'from ..common.optim import SGD as optimizer',
      'from ..common.train import train',
      '',
      'dataloader.train.total_batch_size = 64',
      'optimizer.lr = 0.16',
      'train.max_iter = 184375',
      '',
    ].join('\n');
    const dir = repo({ 'configs/new/mask_rcnn.py': lazy, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
    const r = await runCliCapture(['rescale', 'configs/new/mask_rcnn.py', '--world-size', '6'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/total_batch_size 64 is the total over the GPUs and is not divisible by 6: detectron2 has no accumulation/);
  });
});

describe('numbers as the file reads them', () => {
  test('detectron2 yacs: an LR that becomes whole stays a float (1.0, not 1)', async () => {
    const base = 'SOLVER:\n  IMS_PER_BATCH: 16\n  BASE_LR: 0.5\n  MAX_ITER: 90000\n  WARMUP_ITERS: 1000\n';
    const cfg = '_BASE_: "Base.yaml"\nMODEL:\n  META_ARCHITECTURE: "GeneralizedRCNN"\nSOLVER:\n  IMS_PER_BATCH: 16\n  BASE_LR: 0.5\n  MAX_ITER: 90000\n';
    const dir = repo({ 'configs/Base.yaml': base, 'configs/big.yaml': cfg, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
    const r = await runCliCapture(['rescale', 'configs/big.yaml', '--global-batch', '32', '--rule', 'linear'], dir);
    expect(r.code).toBe(0);
    expect(read(dir, 'configs/big.yaml')).toContain('  BASE_LR: 1.0\n');
  });

  test('a UTF-8 byte-order mark is kept', async () => {
    const sft = '\ufeffper_device_train_batch_size: 8\ngradient_accumulation_steps: 4\nlearning_rate: 2.0e-5\noptim: adamw_torch\nmax_steps: 10000\n';
    const dir = repo({ 'sft.yaml': sft, '.trainlint.yml': 'assume:\n  worldSize: 8\n' });
    const r = await runCliCapture(['rescale', 'sft.yaml', '--micro-batch', '16'], dir);
    expect(r.code).toBe(0);
    const bytes = fs.readFileSync(path.join(dir, 'sft.yaml'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(read(dir, 'sft.yaml')).toContain('per_device_train_batch_size: 16\n');
  });

  test('the arithmetic uses the exact factor, not a rounded one', async () => {
    const sft = 'per_device_train_batch_size: 12\ngradient_accumulation_steps: 1\nlearning_rate: 2.0e-5\noptim: adamw_torch\nmax_steps: 10000\n';
    const dir = repo({ 'sft.yaml': sft, '.trainlint.yml': 'assume:\n  worldSize: 1\n' });
    const exact = await runCliCapture(['rescale', 'sft.yaml', '--micro-batch', '3', '--dry-run'], dir);
    expect(exact.stdout).toContain('10000 ÷ 0.25 = 40000');
    // ×7/12 = 0.58333…: shown as a fraction, since 10000 ÷ 0.583 is not 17143.
    const odd = await runCliCapture(['rescale', 'sft.yaml', '--micro-batch', '7', '--dry-run'], dir);
    expect(odd.stdout).toContain('10000 ÷ (7/12) = 17142.9, rounded to 17143');
    expect(odd.stdout).not.toMatch(/0\.583 /);
  });
});
