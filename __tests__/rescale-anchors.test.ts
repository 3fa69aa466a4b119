/**
 * `trainlint rescale` where the batch is anchored somewhere else than micro × accumulation × world:
 * axolotl's per-device `batch_size` (the accumulation is batch_size // micro_batch_size), and a world
 * size a launcher gives, which the rescaled config is checked against at its new value.
 */
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';

const { repo, read } = tempRepos('trainlint-rescale-anchors');

// axolotl with batch_size (per device) and micro_batch_size, no gradient_accumulation_steps; 8 GPUs.
const AXOLOTL = [
  'base_model: mistralai/Mistral-7B-v0.1',
  'datasets:',
  '  - path: mhenrichsen/alpaca_2k_test',
  '    type: alpaca',
  'sequence_len: 4096',
  'adapter: qlora',
  'batch_size: 64',
  'micro_batch_size: 4',
  'num_epochs: 3',
  'optimizer: adamw_bnb_8bit',
  'lr_scheduler: cosine',
  'learning_rate: 0.0002',
  'warmup_ratio: 0.05',
  'eval_steps: 20',
  'save_steps: 50',
  '',
].join('\n');
const AXOLOTL_LAUNCH = '#!/bin/bash\ntorchrun --nproc_per_node 8 -m axolotl.cli.train configs/qlora.yml\n';

describe('axolotl batch_size: the accumulation is batch_size // micro_batch_size', () => {
  test('a new global batch edits batch_size (per device), not the micro batch', async () => {
    const dir = repo({ 'configs/qlora.yml': AXOLOTL, 'run.sh': AXOLOTL_LAUNCH });
    const r = await runCliCapture(['rescale', 'configs/qlora.yml', '--global-batch', '1024'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global batch 512 → 1024 (×2)');
    expect(r.stdout).toContain('batch_size 64 → 128');
    expect(r.stdout).toContain('axolotl makes the accumulation 128 // 4 = 32');
    expect(r.stdout).not.toContain('micro_batch_size 4 →');
    expect(r.stdout).not.toMatch(/global batch is \d+, not/);
    const text = read(dir, 'configs/qlora.yml');
    expect(text).toContain('batch_size: 128\nmicro_batch_size: 4\n');
    expect(text).toContain('learning_rate: 2.828e-4');
    expect(text).toContain('save_steps: 25');
  });

  test('a new micro batch keeps the global batch: the accumulation follows', async () => {
    const dir = repo({ 'configs/qlora.yml': AXOLOTL, 'run.sh': AXOLOTL_LAUNCH });
    const r = await runCliCapture(['rescale', 'configs/qlora.yml', '--micro-batch', '8'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global batch stays 512');
    expect(r.stdout).toContain('axolotl changes the accumulation from 16 to 8');
    const text = read(dir, 'configs/qlora.yml');
    expect(text).toContain('batch_size: 64\nmicro_batch_size: 8\n');
    expect(text).toContain('learning_rate: 0.0002');
    expect(text).toContain('save_steps: 50');
  });

  test('a micro batch that does not divide batch_size is refused: the accumulation would be floored', async () => {
    const dir = repo({ 'configs/qlora.yml': AXOLOTL, 'run.sh': AXOLOTL_LAUNCH });
    const r = await runCliCapture(['rescale', 'configs/qlora.yml', '--micro-batch', '3'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('batch_size 64 is written and is not a multiple of micro_batch_size 3');
    expect(read(dir, 'configs/qlora.yml')).toBe(AXOLOTL);
  });
});

// DeepSpeed with all three batch values written, 8 GPUs from the launcher.
const DS = `{
  "train_batch_size": 256,
  "train_micro_batch_size_per_gpu": 4,
  "gradient_accumulation_steps": 8,
  "optimizer": { "type": "AdamW", "params": { "lr": 0.0003 } },
  "scheduler": { "type": "WarmupCosineLR", "params": { "warmup_num_steps": 2000, "total_num_steps": 20000 } },
  "bf16": { "enabled": true },
  "zero_optimization": { "stage": 1 }
}
`;

describe('a launcher world size changed by hand: the rescaled config is checked at the new world size', () => {
  test('DeepSpeed with train_batch_size, micro and accumulation written: 8 → 16 GPUs doubles train_batch_size', async () => {
    const dir = repo({ 'configs/ds_config.json': DS, 'train.sh': '#!/bin/bash\ndeepspeed --num_gpus 8 pretrain.py --deepspeed --deepspeed_config configs/ds_config.json\n' });
    const r = await runCliCapture(['rescale', 'configs/ds_config.json', '--world-size', '16'], dir);
    expect(r.stderr).not.toContain('would not start');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('train_batch_size 256 → 512');
    expect(r.stdout).toContain('world size 8 → 16: set by train.sh:2');
    expect(r.stdout).not.toMatch(/global batch is \d+, not/);
    expect(read(dir, 'configs/ds_config.json')).toContain('"train_batch_size": 512,');
  });
});

describe('an LR written in two places that must stay equal', () => {
  test('DeepSpeed WarmupDecayLR: optimizer.params.lr follows warmup_max_lr', async () => {
    const ds = `{
  "train_batch_size": 256,
  "train_micro_batch_size_per_gpu": 4,
  "gradient_accumulation_steps": 8,
  "optimizer": { "type": "AdamW", "params": { "lr": 3e-4, "weight_decay": 0.1 } },
  "scheduler": { "type": "WarmupDecayLR", "params": { "warmup_min_lr": 0, "warmup_max_lr": 3e-4, "warmup_num_steps": 2000, "total_num_steps": 20000 } }
}
`;
    const dir = repo({ 'configs/ds_config.json': ds, 'train.sh': '#!/bin/bash\ndeepspeed --num_gpus 8 pretrain.py --deepspeed_config configs/ds_config.json\n' });
    const r = await runCliCapture(['rescale', 'configs/ds_config.json', '--micro-batch', '16'], dir);
    expect(r.stderr).not.toContain('would not start');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('optimizer.params.lr 3e-4 → 6e-4');
    expect(r.stdout).toContain('kept equal to scheduler.params.warmup_max_lr');
    const text = read(dir, 'configs/ds_config.json');
    expect(text).toContain('"params": { "lr": 6e-4,');
    expect(text).toContain('"warmup_max_lr": 6e-4,');
  });

  const SFT = ['model_name_or_path: org/model', 'output_dir: out', 'per_device_train_batch_size: 8', 'gradient_accumulation_steps: 4', 'learning_rate: 2.0e-5', 'num_train_epochs: 2', 'deepspeed: configs/ds_z2.json', ''].join('\n');
  const dsWith = (scheduler: string) =>
    `{\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto",\n  "optimizer": { "type": "AdamW", "params": { "lr": 2e-5 } },\n${scheduler}  "zero_optimization": { "stage": 2 }\n}\n`;
  const LAUNCH = '#!/bin/bash\ndeepspeed --num_gpus 8 sft.py --config configs/sft.yaml\n';

  test.each([
    ['the DeepSpeed optimizer alone (the run takes learning_rate)', ''],
    ['a DeepSpeed scheduler (the run takes the JSON "lr")', '  "scheduler": { "type": "WarmupCosineLR", "params": { "total_num_steps": "auto", "warmup_num_steps": "auto" } },\n'],
  ])('HF learning_rate beside a DeepSpeed JSON hard-coding "lr", with %s: learning_rate is edited, the JSON value listed by hand', async (_what, scheduler) => {
    const ds = dsWith(scheduler);
    const dir = repo({ 'configs/sft.yaml': SFT, 'configs/ds_z2.json': ds, 'train.sh': LAUNCH });
    const r = await runCliCapture(['rescale', 'configs/sft.yaml', '--micro-batch', '16'], dir);
    expect(r.stderr).not.toContain('would not start');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('learning_rate 2.0e-5 → 2.828e-5');
    expect(r.stdout).toMatch(/- optimizer\.params\.lr should be 2\.828e-5 .*written in configs\/ds_z2\.json:\d+:\d+/);
    expect(r.stdout).toContain('(until the value set by hand in configs/ds_z2.json is changed)');
    expect(read(dir, 'configs/sft.yaml')).toContain('learning_rate: 2.828e-5\n');
    expect(read(dir, 'configs/ds_z2.json')).toBe(ds);
  });
});

describe('an LR the framework rescales for the batch itself', () => {
  test('timm with lr unset: lr_base stays (timm computes lr from it for the new global batch)', async () => {
    const cfg = ['model: vit_small_patch16_224', 'batch_size: 64', 'grad_accum_steps: 2', 'opt: adamw', 'lr_base: 5.0e-4', 'lr_base_size: 512', 'sched: cosine', 'epochs: 30', 'warmup_epochs: 3', ''].join('\n');
    const dir = repo({ 'configs/vit.yaml': cfg, 'train.sh': '#!/bin/bash\ntorchrun --nproc_per_node=4 train.py /data --config configs/vit.yaml\n' });
    const r = await runCliCapture(['rescale', 'configs/vit.yaml', '--world-size', '8'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global batch 512 → 1024 (×2)');
    expect(r.stdout).toMatch(/unchanged: lr_base: .* rescales the learning rate for the new batch itself .*the value to write is unchanged/);
    expect(r.stdout).not.toContain('should be 7.071e-4');
    expect(read(dir, 'configs/vit.yaml')).toBe(cfg);
  });
});

describe('a world size written in the config as one literal count', () => {
  // GPT-NeoX: global_num_gpus is the count deepy.py would otherwise take from the launcher.
  const NEOX = [
    '{',
    '  "pipe_parallel_size": 1,',
    '  "model_parallel_size": 2,',
    '  "num_layers": 24,',
    '  "hidden_size": 1024,',
    '  "num_attention_heads": 16,',
    '  "seq_length": 2048,',
    '  "optimizer": {"type": "Adam", "params": {"lr": 0.0003, "betas": [0.9, 0.95], "eps": 1.0e-8}},',
    '  "min_lr": 0.00003,',
    '  "train_micro_batch_size_per_gpu": 16,',
    '  "gradient_accumulation_steps": 4,',
    '  "train-iters": 143000,',
    '  "lr-decay-iters": 143000,',
    '  "lr_decay_style": "cosine",',
    '  "warmup": 0.01,',
    '  "checkpoint_factor": 1000,',
    '  "global_num_gpus": 32',
    '}',
    '',
  ].join('\n');

  test('GPT-NeoX global_num_gpus is rewritten with the rest (it was "not one literal count")', async () => {
    const dir = repo({ 'configs/410m.yml': NEOX });
    const r = await runCliCapture(['rescale', 'configs/410m.yml', '--world-size', '64'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global_num_gpus 32 → 64');
    expect(r.stdout).not.toContain('change the launcher by hand');
    const text = read(dir, 'configs/410m.yml');
    expect(text).toContain('"global_num_gpus": 64');
    expect(text).toContain('"train-iters": 71500');
  });
});
