import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detectDialect } from '../../src/dialects/index';
import { fileNameBatch, mmengine } from '../../src/dialects/mmengine';
import { lint, type FileResult } from '../../src/engine/lint';
import { parseSource } from '../../src/engine/load-file';
import type { TrainlintConfig } from '../../src/config/types';
import { sharedDescribe } from '../helpers/shared';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'mmengine');
const env = { assume: {}, mappings: {} };

let fixtureResults: FileResult[] = [];
beforeAll(async () => {
  ({ results: fixtureResults } = await lint({ root: FIXTURES, paths: [], config: {} }));
});

function result(rel: string): FileResult {
  const r = fixtureResults.find((x) => x.file.path === rel);
  if (!r) throw new Error(`no result for ${rel}`);
  return r;
}

function findings(r: FileResult, rule?: string): string[] {
  return r.findings.filter((f) => !rule || f.ruleId === rule).map((f) => `${f.range.line}:${f.range.column} ${f.severity} [${f.ruleId}] ${f.message}`);
}

/** Lints a small repository written to a temporary folder. */
async function lintFiles(files: Record<string, string>, config: TrainlintConfig = {}): Promise<FileResult[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'trainlint-mmengine-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    return (await lint({ root, paths: [], config })).results;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const SCHEDULE = readFileSync(path.join(FIXTURES, 'configs/_base_/schedules/schedule_1x.py'), 'utf8');

describe('mmengine: detection', () => {
  test('training configs, their children and the lazy-import style are claimed; model, dataset and runtime pieces are not', () => {
    const claimed = fixtureResults.filter((r) => r.dialect?.meta.id === 'mmengine').map((r) => r.file.path).sort();
    expect(claimed).toEqual([
      'configs/_base_/schedules/schedule_1x.py',
      'configs/centerpoint/cyclic-20e.py',
      'configs/faster_rcnn/faster-rcnn_r101_fpn_8xb2-6e_coco.py',
      'configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
      'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-1x_coco-bs4.py',
      'configs/retinanet/retinanet_r50_fpn_90k_coco.py',
      'configs/rtmdet/rtmdet_l_8xb32-100e_coco.py',
      'configs/rtmdet/rtmdet_l_8xb32-300e_coco.py',
      'configs/swin_transformer/imagenet_bs1024_adamw_swin.py',
      'configs/swin_transformer/swin-base_16xb64_in1k.py',
      'mmdet/configs/_base_/schedules/schedule_1x.py',
      'mmdet/configs/faster_rcnn/faster_rcnn_r50_fpn_2x_coco.py',
    ]);
    for (const piece of ['configs/_base_/default_runtime.py', 'configs/_base_/models/faster-rcnn_r50_fpn.py', 'configs/_base_/datasets/coco_detection.py']) {
      expect(result(piece).dialect).toBeUndefined();
    }
  });

  test('look-alikes are not claimed: nanoGPT, detectron2 LazyConfig, plain Python', () => {
    const nano = parseSource('config/train_gpt2.py', 'batch_size = 12\nblock_size = 1024\nmax_iters = 600000\nlr_decay_iters = 600000\n');
    expect(detectDialect(nano, env)?.meta.id).toBe('nanogpt');
    const lazy = parseSource('configs/x.py', 'from ..common.train import train\nfrom ..common.optim import SGD as optimizer\nlr_multiplier = None\ntrain.max_iter = 10\n');
    expect(mmengine.detect(lazy, env)).toBe(0);
    expect(mmengine.detect(parseSource('configs/util.py', 'import os\nx = 1\n'), env)).toBe(0);
  });

  test('the NxbM of a file name', () => {
    expect(fileNameBatch('configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-1x_coco.py')).toEqual({ gpus: 8, perGpu: 2, text: '8xb2' });
    expect(fileNameBatch('configs/vision_transformer/vit-base-p16_64xb64_in1k.py')).toEqual({ gpus: 64, perGpu: 64, text: '64xb64' });
    expect(fileNameBatch('configs/resnext/resnext101-32x4d_8xb32_in1k.py')?.text).toBe('8xb32');
    expect(fileNameBatch('configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py')).toBeUndefined();
  });
});

describe('mmengine: plans through the _base_ chain', () => {
  test('the 1x config: loop, per-GPU batch, LR, warmup in iterations, milestones in epochs, all from its bases', () => {
    const plan = result('configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py').extraction!.plan;
    expect(plan.epochs).toMatchObject({ value: 12, file: 'configs/_base_/schedules/schedule_1x.py', key: 'train_cfg.max_epochs' });
    expect(plan.microBatchSize).toMatchObject({ value: 2, file: 'configs/_base_/datasets/coco_detection.py' });
    expect(plan.peakLr).toMatchObject({ value: 0.02, key: 'optim_wrapper.optimizer.lr' });
    expect(plan.warmupSteps).toMatchObject({ value: 500, unit: 'steps', key: 'param_scheduler[0].end' });
    expect(plan.firstMilestone).toMatchObject({ value: 8, unit: 'epochs' });
    expect(plan.lastMilestone).toMatchObject({ value: 11, unit: 'epochs' });
    expect(plan.optimizer?.value).toBe('SGD');
    expect(findings(result('configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'))).toEqual([]);
  });

  test('a child that shortens the run keeps the inherited schedule: its milestones are never reached', () => {
    const r = result('configs/faster_rcnn/faster-rcnn_r101_fpn_8xb2-6e_coco.py');
    expect(r.extraction!.plan.epochs).toMatchObject({ value: 6, file: r.file.path });
    expect(findings(r)).toEqual([
      '4:18 warning [decay-horizon-mismatch] every LR milestone is at or past the end of the run: the first is at epoch 8 (param_scheduler[1].milestones) and the run is 6 epochs (train_cfg.max_epochs): the LR never decays and stays at its peak for the whole run; put the milestones before epoch 6, scaled with the run, or lengthen the run',
    ]);
  });

  test('rtmdet shortened to 100 epochs: the inherited cosine (epochs 150 → 300) is never reached', () => {
    const r = result('configs/rtmdet/rtmdet_l_8xb32-100e_coco.py');
    expect(r.extraction!.plan.decayEpochs).toMatchObject({ value: 300, unit: 'epochs', file: 'configs/rtmdet/rtmdet_l_8xb32-300e_coco.py' });
    expect(findings(r, 'decay-horizon-mismatch')).toEqual([expect.stringContaining('the LR decay ends at epoch 300 (param_scheduler[1].T_max) but the run is 100 epochs (train_cfg.max_epochs)')]);
    // The 300-epoch original is consistent, and _delete_=True replaced the SGD wrapper by AdamW.
    const original = result('configs/rtmdet/rtmdet_l_8xb32-300e_coco.py');
    expect(findings(original)).toEqual([]);
    expect(original.extraction!.plan.optimizer?.value).toBe('AdamW');
    expect(original.extraction!.plan.minLr?.value).toBeCloseTo(0.0002);
    expect(original.extraction!.plan.globalBatchSize?.value).toBe(256);
  });

  test('the file name is the reference batch: a doubled per-GPU batch with the inherited LR', () => {
    const r = result('configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-1x_coco-bs4.py');
    expect(r.reference?.label).toBe('file name 8xb2');
    expect(r.extraction!.plan.worldSize).toMatchObject({ value: 8, origin: 'default' });
    expect(findings(r, 'lr-not-rescaled')).toEqual([expect.stringContaining('optim_wrapper.optimizer.lr 2e-2 unchanged while the global batch went ×2 (16 → 32): since file name 8xb2 the update size per sample changed, so the tuned LR no longer applies; set optim_wrapper.optimizer.lr = 4e-2 (linear rule for SGD')]);
    expect(findings(r, 'warmup-not-rescaled')).toHaveLength(1);
  });

  test('an iteration loop: steps, milestones in iterations, and an epoch-based checkpoint hook that only saves at the end', () => {
    const r = result('configs/retinanet/retinanet_r50_fpn_90k_coco.py');
    const plan = r.extraction!.plan;
    expect(plan.totalSteps).toMatchObject({ value: 90000, unit: 'steps' });
    expect(plan.firstMilestone).toMatchObject({ value: 60000, unit: 'steps' });
    expect(plan.evalEverySteps?.value).toBe(10000);
    expect(plan.saveEverySteps).toBeUndefined();
    expect(r.extraction!.ignored).toEqual([expect.objectContaining({ key: 'default_hooks.checkpoint.interval', range: expect.objectContaining({ line: 17, column: 38 }) })]);
  });

  test('mmpretrain: literal arithmetic, a scheduler without end runs to the end of the loop, warmup in epochs', () => {
    const plan = result('configs/swin_transformer/swin-base_16xb64_in1k.py').extraction!.plan;
    expect(plan.peakLr?.value).toBeCloseTo(1e-3);
    expect(plan.decayEpochs).toMatchObject({ value: 300, origin: 'default' });
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.globalBatchSize?.value).toBe(1024);
    expect(plan.precision).toMatchObject({ value: 'fp32', origin: 'default' });
  });

  test('false-positive trap: the cyclic schedule of mmdet3d ramps up to 10 × lr first; the floor is the second cosine', () => {
    const r = result('configs/centerpoint/cyclic-20e.py');
    expect(r.extraction!.plan.minLr?.value).toBeCloseTo(1e-8);
    expect(r.extraction!.plan.decayEpochs?.value).toBe(20);
    expect(findings(r)).toEqual([]);
  });

  test('the lazy-import style: read_base imports, update() of the imported schedule', () => {
    const r = result('mmdet/configs/faster_rcnn/faster_rcnn_r50_fpn_2x_coco.py');
    const plan = r.extraction!.plan;
    expect(plan.epochs?.value).toBe(24);
    expect(plan.firstMilestone?.value).toBe(16);
    expect(plan.lastMilestone?.value).toBe(22);
    expect(plan.optimizer?.value).toBe('SGD');
    expect(findings(r)).toEqual([]);
  });
});

describe('mmengine: framework behaviour', () => {
  test('auto_scale_lr scales by world × batch_size and ignores accumulation: with 4 accumulation steps the LR is 4× too low', async () => {
    const results = await lintFiles({
      'configs/_base_/schedules/schedule_1x.py': SCHEDULE,
      'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-1x_coco.py': [
        "_base_ = '../_base_/schedules/schedule_1x.py'",
        'train_dataloader = dict(batch_size=2)',
        'optim_wrapper = dict(accumulative_counts=4)',
        'auto_scale_lr = dict(enable=True, base_batch_size=16)',
      ].join('\n'),
    });
    const r = results.find((x) => x.file.path.endsWith('8xb2-1x_coco.py'))!;
    expect(r.extraction!.plan.globalBatchSize?.value).toBe(64);
    expect(r.extraction!.plan.peakLr).toMatchObject({ value: 0.02, origin: 'derived' });
    expect(r.extraction!.plan.peakLr?.how).toMatch(/accumulative_counts is not counted/);
    expect(findings(r, 'lr-not-rescaled')).toEqual([expect.stringContaining('optim_wrapper.optimizer.lr 2e-2 unchanged while the global batch went ×4 (16 → 64): since file name 8xb2 the update size per sample changed, so the tuned LR no longer applies; set optim_wrapper.optimizer.lr = 8e-2 (linear rule for SGD')]);
    // The cause, at the key that enables it: base_batch_size is 16 / 4 for scale_lr to count the accumulation.
    expect(findings(r, 'conflicting-settings')).toEqual([expect.stringMatching(/^4:35 error .*without accumulative_counts 4, so the LR it trains with is ×0\.25 of what that recipe gives at any world size; set auto_scale_lr\.base_batch_size = 4 \(16 \/ accumulative_counts 4\), or keep it and set optim_wrapper\.optimizer\.lr = 8e-2/)]);
  });

  test('auto_scale_lr with the launch world size: the scaled LR, and eta_min is not scaled with it', async () => {
    const results = await lintFiles(
      {
        'configs/a.py': [
          "train_cfg = dict(type='IterBasedTrainLoop', max_iters=1000)",
          'train_dataloader = dict(batch_size=2)',
          "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02))",
          "param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=1000, eta_min=0.005)]",
          'auto_scale_lr = dict(enable=True, base_batch_size=16)',
        ].join('\n'),
      },
      { assume: { worldSize: 1 } } as TrainlintConfig,
    );
    const plan = results[0].extraction!.plan;
    expect(plan.peakLr?.value).toBeCloseTo(0.0025);
    expect(plan.minLr?.value).toBe(0.005);
    expect(findings(results[0], 'min-lr-exceeds-lr')).toHaveLength(1);
  });

  test('mmcv 1.x keys in an MMEngine config are ignored settings (fp16, lr_config); an optimizer used by optim_wrapper is read', async () => {
    const results = await lintFiles({
      'configs/a.py': [
        "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12)",
        "optimizer = dict(type='SGD', lr=0.01)",
        'optim_wrapper = dict(optimizer=optimizer)',
        'fp16 = dict(loss_scale=512.)',
        "lr_config = dict(policy='step', step=[8, 11])",
      ].join('\n'),
    });
    const ignored = results[0].extraction!.ignored!;
    expect(ignored.map((i) => [i.key, i.critical ?? false])).toEqual([
      ['fp16', false],
      ['lr_config', true],
    ]);
    expect(ignored[0].message).toMatch(/AmpOptimWrapper/);
  });

  test('what MMEngine refuses at start-up: a loop with type and by_epoch, eta_min with eta_min_ratio', async () => {
    const results = await lintFiles({
      'configs/a.py': [
        "train_cfg = dict(type='EpochBasedTrainLoop', by_epoch=True, max_epochs=12)",
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))",
        "param_scheduler = dict(type='CosineAnnealingLR', eta_min=0.0, eta_min_ratio=0.1, by_epoch=True)",
      ].join('\n'),
    });
    expect(findings(results[0], 'conflicting-settings').map((f) => f.replace(/ \[.*$/, ''))).toEqual(['1:46 error', '3:63 error']);
  });

  test("a loop given the other loop's run length does not start: merged from the base without _delete_, or written", async () => {
    const base = "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02))\n";
    const results = await lintFiles({
      'configs/_base_/schedule_1x.py': base,
      'configs/iter_90k.py': "_base_ = './_base_/schedule_1x.py'\ntrain_cfg = dict(type='IterBasedTrainLoop', max_iters=90000, val_interval=10000)\n",
      'configs/iter_90k_delete.py': "_base_ = './_base_/schedule_1x.py'\ntrain_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=90000, val_interval=10000)\n",
      'configs/epoch_written.py': "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, max_iters=1000)\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02))\n",
    });
    const byPath = (rel: string) => results.find((r) => r.file.path === rel)!;
    const merged = findings(byPath('configs/iter_90k.py'), 'conflicting-settings');
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatch(/^2:1 error \[conflicting-settings\] train_cfg is an IterBasedTrainLoop but max_epochs from configs\/_base_\/schedule_1x\.py is merged into train_cfg/);
    expect(merged[0]).toMatch(/TypeError \(unexpected keyword argument 'max_epochs'\) and the run does not start; add _delete_=True to train_cfg here/);
    expect(byPath('configs/iter_90k.py').extraction!.notes).toContain(
      'the run does not start: IterBasedTrainLoop refuses train_cfg.max_epochs (merged from configs/_base_/schedule_1x.py; set _delete_=True on train_cfg)',
    );
    expect(findings(byPath('configs/iter_90k_delete.py'), 'conflicting-settings')).toEqual([]);
    // Written in the same file: at the stray key, with "remove" as the fix.
    expect(findings(byPath('configs/epoch_written.py'), 'conflicting-settings')).toEqual([
      expect.stringMatching(/^1:61 error .*EpochBasedTrainLoop but it sets max_iters: .*; remove max_iters \(EpochBasedTrainLoop counts epochs with max_epochs\)$/),
    ]);
  });

  test('arithmetic on {{_base_.x}} does not load (a parse-error where it is written); the minimum LR is unknown, not the default 0', async () => {
    const results = await lintFiles({
      'configs/_base_/schedule.py': "base_lr = 0.01\ntrain_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=base_lr))\nparam_scheduler = [dict(type='CosineAnnealingLR', eta_min=base_lr * 0.05, by_epoch=True, begin=0, T_max=300, end=300)]\n",
      'configs/yolox_s_8xb8-100e.py': "_base_ = './_base_/schedule.py'\ntrain_cfg = dict(max_epochs=100)\noptim_wrapper = dict(optimizer=dict(lr={{_base_.base_lr}}))\nparam_scheduler = [dict(type='CosineAnnealingLR', eta_min={{_base_.base_lr}} * 0.05, by_epoch=True, begin=0, T_max=100, end=100)]\n",
    });
    const child = results.find((r) => r.file.path === 'configs/yolox_s_8xb8-100e.py')!;
    expect(findings(child)).toEqual([expect.stringMatching(/^4:59 error \[parse-error\] `\{\{_base_\.base_lr\}\} \* 0\.05` raises TypeError/)]);
    const plan = child.extraction!.plan;
    // A bare placeholder is the base's value; the arithmetic one is unknown.
    expect(plan.peakLr).toMatchObject({ value: 0.01, origin: 'explicit' });
    expect(plan.minLr).toBeUndefined();
    expect(child.extraction!.notes).toContain('param_scheduler[0].eta_min is written but not a number trainlint can read: the minimum LR is unknown');
  });

  test('an epoch-based scheduler inside an iteration loop steps only once, at the end', async () => {
    const results = await lintFiles({
      'configs/a.py': [
        "train_cfg = dict(type='IterBasedTrainLoop', max_iters=90000)",
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))",
        "param_scheduler = [dict(type='MultiStepLR', milestones=[8, 11])]",
      ].join('\n'),
    });
    expect(results[0].extraction!.ignored?.map((i) => i.key)).toEqual(['param_scheduler[0]']);
  });

  test('a launch script gives the world size: 4 GPUs for a config named 8xb2 halve the batch its LR was tuned for', async () => {
    const results = await lintFiles({
      'configs/_base_/schedules/schedule_1x.py': SCHEDULE,
      'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-1x_coco.py': "_base_ = '../_base_/schedules/schedule_1x.py'\ntrain_dataloader = dict(batch_size=2)\n",
      'tools/dist_train.sh': '#!/bin/bash\ntorchrun --nproc_per_node 4 tools/train.py configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-1x_coco.py --launcher pytorch\n',
    });
    const launched = results.find((r) => r.file.path.endsWith('8xb2-1x_coco.py') && r.launch)!;
    expect(launched.extraction!.plan.worldSize).toMatchObject({ value: 4, origin: 'launcher' });
    expect(findings(launched, 'lr-not-rescaled')).toEqual([expect.stringContaining('the global batch went ×0.5 (16 → 8): since file name 8xb2')]);
    expect(findings(launched, 'lr-not-rescaled')[0]).toMatch(/as launched by tools\/dist_train\.sh:2/);
  });

  test('with the dataset size, epochs become steps (DefaultSampler pads each rank)', async () => {
    const results = await lintFiles(
      {
        'configs/_base_/schedules/schedule_1x.py': SCHEDULE,
        'configs/x_4xb2-1x.py': "_base_ = './_base_/schedules/schedule_1x.py'\ntrain_dataloader = dict(batch_size=2)\n",
      },
      { assume: { datasetSamples: 1001 } } as TrainlintConfig,
    );
    const plan = results.find((r) => r.file.path === 'configs/x_4xb2-1x.py')!.extraction!.plan;
    // ceil(ceil(1001 / 4) / 2) = 126 iterations per epoch.
    expect(plan.stepsPerEpoch?.value).toBe(126);
    expect(plan.totalSteps?.value).toBe(12 * 126);
    expect(plan.lastMilestone).toMatchObject({ value: 11 * 126, unit: 'steps' });
  });

  test('a base that does not exist: a parse error at _base_, and what it would set is unknown rather than a default', async () => {
    const results = await lintFiles({ 'configs/a_8xb2.py': "_base_ = ['./missing.py']\ntrain_dataloader = dict(batch_size=2)\n" });
    const r = results[0];
    expect(findings(r, 'parse-error')).toEqual([expect.stringMatching(/^1:11 error \[parse-error\] _base_ \.\/missing\.py does not exist/)]);
    expect(r.extraction!.plan.gradAccumSteps).toBeUndefined();
    expect(r.extraction!.notes.join()).toMatch(/could not be read/);
  });
});

const fixture = (rel: string): string => readFileSync(path.join(FIXTURES, rel), 'utf8');
const RTMDET = {
  'configs/_base_/schedules/schedule_1x.py': SCHEDULE,
  'configs/_base_/default_runtime.py': fixture('configs/_base_/default_runtime.py'),
  'configs/_base_/datasets/coco_detection.py': fixture('configs/_base_/datasets/coco_detection.py'),
  // Written in the repository's copy (the upstream file inherits schedule_1x's 16): the LR 0.004 is for 8 × 32.
  'configs/rtmdet/rtmdet_l_8xb32-300e_coco.py': `${fixture('configs/rtmdet/rtmdet_l_8xb32-300e_coco.py')}auto_scale_lr = dict(enable=False, base_batch_size=256)\n`,
};
const SWIN = {
  'configs/_base_/schedules/imagenet_bs1024_adamw_swin.py': fixture('configs/swin_transformer/imagenet_bs1024_adamw_swin.py'),
  'configs/swin_transformer/swin-tiny_16xb64_in1k.py': "_base_ = ['../_base_/schedules/imagenet_bs1024_adamw_swin.py']\ntrain_dataloader = dict(batch_size=64, num_workers=5)\n",
};
const byName = (results: FileResult[], name: string): FileResult => {
  const r = results.find((x) => x.file.path.endsWith(name) && !x.launch);
  if (!r) throw new Error(`no result for ${name}`);
  return r;
};

describe('mmengine: the batch an LR was tuned for', () => {
  test("a child's NxbM is its own launch: rtmdet_l_4xb32 scales the inherited 0.004 (tuned for 8 × 32) against base_batch_size 256", async () => {
    const results = await lintFiles({
      ...RTMDET,
      'configs/rtmdet/rtmdet_l_4xb32-300e_coco.py': "_base_ = './rtmdet_l_8xb32-300e_coco.py'\n# 4 GPUs: let MMEngine scale the LR by 4 x 32 / 256\nauto_scale_lr = dict(enable=True, base_batch_size=256)\n",
      // The advice trainlint used to give: the LR would stay 0.004 on half the batch.
      'configs/rtmdet/rtmdet_l_4xb32-300e_base128_coco.py': "_base_ = './rtmdet_l_8xb32-300e_coco.py'\nauto_scale_lr = dict(enable=True, base_batch_size=128)\n",
    });
    const child = byName(results, 'rtmdet_l_4xb32-300e_coco.py');
    expect(child.extraction!.plan.peakLr).toMatchObject({ value: 0.002, origin: 'derived' });
    expect(child.reference).toMatchObject({ label: 'file name 8xb32 of configs/rtmdet/rtmdet_l_8xb32-300e_coco.py', plan: { globalBatchSize: { value: 256 }, peakLr: { value: 0.004 } } });
    expect(findings(child, 'conflicting-settings')).toEqual([]);
    expect(findings(child, 'lr-not-rescaled')).toEqual([]);
    expect(findings(byName(results, 'rtmdet_l_4xb32-300e_base128_coco.py'), 'conflicting-settings')).toEqual([
      '2:35 error [conflicting-settings] auto_scale_lr is enabled with base_batch_size 128, but optim_wrapper.optimizer.lr 4e-3 was tuned for 256 samples per optimizer step (file name 8xb32 of configs/rtmdet/rtmdet_l_8xb32-300e_coco.py): MMEngine scales the LR by world × batch_size / base_batch_size 128, so the LR it trains with is ×2 of what that recipe gives at any world size; set auto_scale_lr.base_batch_size = 256',
    ]);
  });

  test('the file that writes the LR: its own NxbM against the base_batch_size it inherits, and a new optimizer is a new recipe', async () => {
    const results = await lintFiles({
      ...RTMDET,
      // Upstream shape: rtmdet writes AdamW 0.004 for 8 x 32 and inherits schedule_1x's base_batch_size 16.
      'configs/rtmdet/rtmdet_l_8xb32-300e_coco.py': `${fixture('configs/rtmdet/rtmdet_l_8xb32-300e_coco.py')}auto_scale_lr = dict(enable=True)\n`,
    });
    const r = byName(results, 'rtmdet_l_8xb32-300e_coco.py');
    // The recipe is its own (AdamW), not schedule_1x's SGD 0.02.
    expect(r.reference).toMatchObject({ label: 'file name 8xb32', plan: { peakLr: { value: 0.004 }, globalBatchSize: { value: 256 } } });
    expect(findings(r, 'conflicting-settings')).toEqual([expect.stringMatching(/^\d+:\d+ error \[conflicting-settings\] auto_scale_lr is enabled with base_batch_size 16, but optim_wrapper\.optimizer\.lr 4e-3 was tuned for 256 samples per optimizer step \(file name 8xb32\): .* ×16 of what that recipe gives at any world size; set auto_scale_lr\.base_batch_size = 256$/)]);
  });

  test("a config that writes its own LR for the bases' optimizer type is its own recipe unless it compensates: yolox_s_8xb8 over schedule_1x", async () => {
    const yolox = [
      "_base_ = ['../_base_/schedules/schedule_1x.py', '../_base_/datasets/coco_detection.py']",
      'train_dataloader = dict(batch_size=8, num_workers=4)',
      'max_epochs = 300',
      'num_last_epochs = 15',
      'base_lr = 0.01',
      'train_cfg = dict(max_epochs=max_epochs, val_interval=10)',
      "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, weight_decay=5e-4, nesterov=True))",
      'param_scheduler = [',
      "    dict(type='QuadraticWarmupLR', by_epoch=True, begin=0, end=5, convert_to_iter_based=True),",
      "    dict(type='CosineAnnealingLR', eta_min=base_lr * 0.05, begin=5, T_max=max_epochs - num_last_epochs, end=max_epochs - num_last_epochs, by_epoch=True, convert_to_iter_based=True),",
      "    dict(type='ConstantLR', by_epoch=True, factor=1, begin=max_epochs - num_last_epochs, end=max_epochs),",
      ']',
      '# USER SHOULD NOT CHANGE ITS VALUES: base_batch_size = (8 GPUs) x (8 samples per GPU)',
      'auto_scale_lr = dict(base_batch_size=64)',
    ].join('\n');
    const files = {
      'configs/_base_/schedules/schedule_1x.py': SCHEDULE,
      'configs/_base_/datasets/coco_detection.py': fixture('configs/_base_/datasets/coco_detection.py'),
      'configs/yolox/yolox_s_8xb8-300e_coco.py': yolox,
    };
    // At the 8 GPUs of its name: its own recipe (0.01 for 64), not schedule_1x's 0.02 for 16.
    const alone = byName(await lintFiles(files), 'yolox_s_8xb8-300e_coco.py');
    expect(alone.reference).toMatchObject({ label: 'file name 8xb8', plan: { peakLr: { value: 0.01 }, globalBatchSize: { value: 64 } } });
    expect(findings(alone, 'lr-not-rescaled')).toEqual([]);
    const results = await lintFiles({ ...files, 'tools/train_4gpu.sh': 'torchrun --nproc_per_node 4 tools/train.py configs/yolox/yolox_s_8xb8-300e_coco.py --launcher pytorch\n' });
    const launched = results.find((x) => x.file.path.endsWith('yolox_s_8xb8-300e_coco.py') && x.launch)!;
    expect(findings(launched, 'lr-not-rescaled')).toEqual([expect.stringContaining('optim_wrapper.optimizer.lr 1e-2 unchanged while the global batch went ×0.5 (64 → 32): since file name 8xb8')]);
  });

  test('accumulation is not in NxbM: 8 GPUs × 64 × accumulative_counts 2 is the 1024 the inherited LR was tuned for', async () => {
    const results = await lintFiles({
      ...SWIN,
      'configs/swin_transformer/swin-tiny_8xb64-accum2-noscale_in1k.py': "_base_ = './swin-tiny_16xb64_in1k.py'\noptim_wrapper = dict(accumulative_counts=2)\n",
      // auto_scale_lr ignores accumulation: 1e-3 x 8 x 64 / 1024 = 5e-4 for 1024 samples per step.
      'configs/swin_transformer/swin-tiny_8xb64-accum2_in1k.py': "_base_ = './swin-tiny_16xb64_in1k.py'\noptim_wrapper = dict(accumulative_counts=2)\nauto_scale_lr = dict(enable=True, base_batch_size=1024)\n",
      // The value to write with scaling on: 2e-3 x 8 x 64 / 1024 = 1e-3.
      'configs/swin_transformer/swin-tiny_8xb64-accum2-fixed_in1k.py': "_base_ = './swin-tiny_16xb64_in1k.py'\noptim_wrapper = dict(accumulative_counts=2, optimizer=dict(lr=2e-3))\nauto_scale_lr = dict(enable=True, base_batch_size=1024)\n",
      // A recipe that accumulates in the file that writes its LR: 8 x 64 x 2.
      'configs/swin_transformer/swin-tiny_8xb64-accum2-own_in1k.py': [
        "train_cfg = dict(by_epoch=True, max_epochs=300)",
        'train_dataloader = dict(batch_size=64)',
        "optim_wrapper = dict(accumulative_counts=2, optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))",
        "param_scheduler = [dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True)]",
      ].join('\n'),
    });
    const noscale = byName(results, 'accum2-noscale_in1k.py');
    expect(noscale.extraction!.plan.globalBatchSize?.value).toBe(1024);
    expect(noscale.reference).toMatchObject({ label: 'file name 16xb64 of configs/swin_transformer/swin-tiny_16xb64_in1k.py', plan: { globalBatchSize: { value: 1024 } } });
    expect(findings(noscale)).toEqual([]);
    expect(noscale.extraction!.notes.join('\n')).toMatch(/with tools\/train\.py --auto-scale-lr MMEngine would scale the LR by world × batch_size \/ base_batch_size 1024, without accumulative_counts 2, ×0\.5/);
    const scaled = byName(results, 'accum2_in1k.py');
    expect(scaled.extraction!.plan.peakLr?.value).toBeCloseTo(5e-4);
    expect(findings(scaled)).toEqual([
      '3:35 error [conflicting-settings] auto_scale_lr is enabled with base_batch_size 1024, but optim_wrapper.optimizer.lr 1e-3 was tuned for 1024 samples per optimizer step (file name 16xb64 of configs/swin_transformer/swin-tiny_16xb64_in1k.py): MMEngine scales the LR by world × batch_size / base_batch_size 1024, without accumulative_counts 2, so the LR it trains with is ×0.5 of what that recipe gives at any world size; set auto_scale_lr.base_batch_size = 512 (1024 / accumulative_counts 2), or keep it and set optim_wrapper.optimizer.lr = 2e-3 (MMEngine then scales it to the recipe\'s LR)',
    ]);
    const fixed = byName(results, 'accum2-fixed_in1k.py');
    expect(fixed.extraction!.plan.peakLr?.value).toBeCloseTo(1e-3);
    expect(findings(fixed)).toEqual([]);
    const own = byName(results, 'accum2-own_in1k.py');
    expect(own.reference).toMatchObject({ label: 'file name 8xb64 × accumulative_counts 2', plan: { globalBatchSize: { value: 1024 } } });
    expect(findings(own, 'lr-not-rescaled')).toEqual([]);
  });
});

describe('mmengine: a child that lengthens the run keeps the schedule it inherits', () => {
  const FASTER = {
    'configs/_base_/schedules/schedule_1x.py': SCHEDULE,
    'configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py': "_base_ = ['../_base_/schedules/schedule_1x.py']\ntrain_dataloader = dict(batch_size=2)\n",
  };

  test('ms-3x: max_epochs 36 with the 1x MultiStepLR (milestones [8, 11], end 12): 25 epochs at 1% of the LR', async () => {
    const results = await lintFiles({
      ...FASTER,
      'configs/faster_rcnn/faster-rcnn_r50_fpn_ms-3x_coco.py': "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'\n\n# 3x schedule\nmax_epochs = 36\ntrain_cfg = dict(max_epochs=max_epochs)\n",
    });
    const r = byName(results, 'ms-3x_coco.py');
    expect(r.extraction!.plan.decayEpochs).toMatchObject({ value: 12, key: 'param_scheduler[1].end', file: 'configs/_base_/schedules/schedule_1x.py' });
    expect(r.extraction!.plan.minLr?.value).toBeCloseTo(2e-4);
    expect(findings(r)).toEqual([
      '5:18 warning [decay-horizon-mismatch] the multi-step LR schedule ends at epoch 12 (param_scheduler[1].end) but the run is 36 epochs (train_cfg.max_epochs): it was sized for a shorter run, so from its last milestone, at epoch 11 (param_scheduler[1].milestones), the LR stays at 1% of its peak for the last 25 epochs (69.4%) of the run; set param_scheduler[1].end = 36 and scale param_scheduler[1].milestones ×3 (first 8 → 24, last 11 → 33) in this file (the scheduler is inherited from configs/_base_/schedules/schedule_1x.py), or shorten the run',
    ]);
    const finding = r.findings.find((f) => f.ruleId === 'decay-horizon-mismatch')!;
    expect(finding.related).toEqual([{ path: 'configs/_base_/schedules/schedule_1x.py', range: expect.objectContaining({ line: 12 }), message: 'the inherited schedule ends here (param_scheduler[1].end)' }]);
    expect(finding.data).toMatchObject({ scheduleEnd: 12, end: 36, tail: 25, floorRatio: expect.closeTo(0.01, 6) });
  });

  test('in steps when the epoch length is known, the advice still in epochs', async () => {
    const results = await lintFiles(
      { ...FASTER, 'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-ms-3x_coco.py': "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'\ntrain_cfg = dict(max_epochs=36)\n" },
      { assume: { datasetSamples: 1600 } } as TrainlintConfig,
    );
    const r = byName(results, '8xb2-ms-3x_coco.py');
    expect(r.extraction!.plan.decaySteps).toMatchObject({ value: 12 * 100, unit: 'steps' });
    expect(findings(r, 'decay-horizon-mismatch')).toEqual([expect.stringContaining('the multi-step LR schedule ends at epoch 12 (step 1200, param_scheduler[1].end) but the run is 3600 optimizer steps (= 36 epochs × 100 iterations): it was sized for a shorter run, so from its last milestone, at epoch 11 (step 1100, param_scheduler[1].milestones), the LR stays at 1% of its peak for the last 2500 steps (69.4%) of the run; set param_scheduler[1].end = 36 and scale param_scheduler[1].milestones ×3 (first 8 → 24, last 11 → 33)')]);
  });

  test('the lazy-import style: train_cfg.update(max_epochs=24) with the imported 1x schedule', async () => {
    const lazyBase = fixture('mmdet/configs/_base_/schedules/schedule_1x.py');
    const results = await lintFiles({
      'mmdet/configs/_base_/schedules/schedule_1x.py': lazyBase,
      'mmdet/configs/retinanet/retinanet_r50_fpn_2x_coco.py': 'from mmengine.config import read_base\n\nwith read_base():\n    from .._base_.schedules.schedule_1x import *\n\ntrain_cfg.update(max_epochs=24)\n',
      'mmdet/configs/retinanet/retinanet_r50_fpn_2x_good_coco.py':
        'from mmengine.config import read_base\n\nwith read_base():\n    from .._base_.schedules.schedule_1x import *\n\nmax_epochs = 24\ntrain_cfg.update(dict(max_epochs=max_epochs))\nparam_scheduler[1].update(dict(end=max_epochs, milestones=[16, 22]))\n',
    });
    expect(findings(byName(results, 'retinanet_r50_fpn_2x_coco.py'), 'decay-horizon-mismatch')).toEqual([expect.stringMatching(/^6:18 warning \[decay-horizon-mismatch\] the multi-step LR schedule ends at epoch 12 .* for the last 13 epochs \(54\.2%\)/)]);
    expect(findings(byName(results, 'retinanet_r50_fpn_2x_good_coco.py'))).toEqual([]);
  });

  test('silent: the 1x schedule in its own 12 epochs, a child that re-declares its scheduler, an end past the run, the cyclic trap', async () => {
    const results = await lintFiles({
      ...FASTER,
      'configs/faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py':
        "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'\nmax_epochs = 24\ntrain_cfg = dict(max_epochs=max_epochs)\nparam_scheduler = [\n    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),\n    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[16, 22], gamma=0.1)\n]\n",
      // The drops happen inside the run; a scheduler end past it changes nothing.
      'configs/faster_rcnn/faster-rcnn_r50_fpn_end-past_coco.py':
        "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'\nparam_scheduler = [dict(type='MultiStepLR', begin=0, end=24, by_epoch=True, milestones=[8, 11], gamma=0.1)]\n",
      // No end: the scheduler runs to the end of the loop.
      'configs/faster_rcnn/faster-rcnn_r50_fpn_no-end_coco.py':
        "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'\ntrain_cfg = dict(max_epochs=14)\nparam_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[9, 12], gamma=0.1)]\n",
      'configs/centerpoint/cyclic-20e.py': fixture('configs/centerpoint/cyclic-20e.py'),
    });
    for (const name of ['faster-rcnn_r50_fpn_1x_coco.py', 'faster-rcnn_r50_fpn_2x_coco.py', 'end-past_coco.py', 'no-end_coco.py', 'cyclic-20e.py']) {
      expect([name, findings(byName(results, name), 'decay-horizon-mismatch')]).toEqual([name, []]);
    }
  });
});

describe('nothing from the repository is executed', () => {
  test('Python code and YAML Python tags in configs are read, never run', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'trainlint-noexec-'));
    const marker = path.join(root, 'MARKER');
    try {
      const files: Record<string, string> = {
        'configs/_base_/evil.py': `import os\nos.system('touch ${marker}')\nx = __import__('os').system('touch ${marker}')\ntrain_cfg = dict(max_epochs=exec('import os; os.system("touch ${marker}")'))\n`,
        'configs/child_8xb2.py': `_base_ = './_base_/evil.py'\nlr = {{_base_.x}}\noptim_wrapper = dict(optimizer=dict(lr=eval("__import__('os').system('touch ${marker}')")))\n`,
        'configs/lazy.py': `from mmengine.config import read_base\nwith read_base():\n    from ._base_.evil import *\nimport subprocess\nsubprocess.run(['touch', '${marker}'])\n`,
        'configs/tagged.yaml': `_BASE_: "Base.yaml"\nSOLVER:\n  STEPS: !!python/object/apply:os.system ["touch ${marker}"]\n`,
        'configs/Base.yaml': `MODEL:\n  X: !!python/object/apply:eval ["__import__('os').system('touch ${marker}')"]\nSOLVER:\n  MAX_ITER: 10\n`,
      };
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), text);
      }
      const { results } = await lint({ root, paths: [], config: {} });
      expect(results.length).toBe(5);
      expect(results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'internal-error'))).toEqual([]);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Optional: the configs of FACTS-openmmlab.md (values resolved from real _base_ chains), rebuilt
// as one MMEngine file each, are detected and read back with their values.

const FACTS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus-wave2', 'FACTS-openmmlab.md');
const describeIfFacts = sharedDescribe(FACTS);

interface FactsRow {
  config: string;
  loop: string;
  maxEpochs?: number;
  batch?: number;
  optimizer?: string;
  lr?: number;
  schedulers: string[];
  ckpt?: number;
  baseBatch?: number;
}

function factsRows(text: string): FactsRow[] {
  const rows: FactsRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('| configs/')) continue;
    const cells = line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
    if (cells.length !== 10 || cells[1] === 'by_epoch=None') continue;
    const num = (s: string) => (s === '' ? undefined : Number(s));
    rows.push({
      config: cells[0],
      loop: cells[1],
      maxEpochs: num(cells[2]),
      batch: num(cells[4]),
      optimizer: cells[5] || undefined,
      lr: num(cells[6]),
      schedulers: cells[7] ? cells[7].split('; ') : [],
      ckpt: num(cells[8]),
      baseBatch: num(cells[9]),
    });
  }
  return rows;
}

/** `CosineAnnealingLR[5→100, T_max=95]` → `dict(type='CosineAnnealingLR', begin=5, end=100, T_max=95)`. */
function schedulerDict(summary: string): string {
  const m = /^(\w+)\[([^→\]]*)→([^,\]]*)(?:, (.*))?\]$/.exec(summary);
  if (!m) throw new Error(`cannot read ${summary}`);
  const parts = [`type='${m[1]}'`, 'by_epoch=True'];
  if (m[2]) parts.push(`begin=${m[2]}`);
  if (m[3]) parts.push(`end=${m[3]}`);
  if (m[4]) parts.push(m[4]);
  return `dict(${parts.join(', ')})`;
}

function factsConfig(row: FactsRow): string {
  const loop = row.loop === 'by_epoch=True' ? 'by_epoch=True' : `type='${row.loop}'`;
  return [
    `train_cfg = dict(${loop}, max_epochs=${row.maxEpochs})`,
    `train_dataloader = dict(batch_size=${row.batch})`,
    `optim_wrapper = dict(optimizer=dict(type='${row.optimizer}', lr=${row.lr}))`,
    `param_scheduler = [${row.schedulers.map(schedulerDict).join(', ')}]`,
    ...(row.ckpt !== undefined ? [`default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=${row.ckpt}))`] : []),
    ...(row.baseBatch !== undefined ? [`auto_scale_lr = dict(base_batch_size=${row.baseBatch})`] : []),
  ].join('\n');
}

describeIfFacts('mmengine: FACTS-openmmlab.md rows (optional, ../shared)', () => {
  const rows = existsSync(FACTS) ? factsRows(readFileSync(FACTS, 'utf8')) : [];

  test('the tables are read', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  test.each(rows.map((r) => [r.config, r] as const))('%s is detected and read back', (_name, row) => {
    const file = parseSource(row.config, factsConfig(row));
    expect(file.problems).toEqual([]);
    expect(detectDialect(file, env)?.meta.id).toBe('mmengine');
    const { plan } = mmengine.extract(file, env);
    expect(plan.epochs?.value).toBe(row.maxEpochs);
    expect(plan.microBatchSize?.value).toBe(row.batch);
    expect(plan.peakLr?.value).toBe(row.lr);
    expect(plan.optimizer?.value).toBe(row.optimizer);
    const named = fileNameBatch(row.config);
    if (named) expect(plan.worldSize?.value).toBe(named.gpus);
    const multi = row.schedulers.find((s) => s.startsWith('MultiStepLR'));
    if (multi) expect(plan.lastMilestone?.value).toBe(Number(/milestones=\[([^\]]*)\]/.exec(multi)![1].split(', ').pop()));
    if (row.schedulers.some((s) => s.startsWith('CosineAnnealingLR'))) expect(plan.decayEpochs).toBeDefined();
  });

  test('the cyclic mmdet3d schedules (eta_min above the LR on the ramp-up) give no min-lr-exceeds-lr', async () => {
    const cyclic = rows.filter((r) => r.schedulers.filter((s) => s.startsWith('CosineAnnealingLR')).length === 2);
    expect(cyclic.length).toBeGreaterThanOrEqual(5);
    const results = await lintFiles(Object.fromEntries(cyclic.map((r) => [r.config, factsConfig(r)])));
    expect(results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'min-lr-exceeds-lr' || f.ruleId === 'internal-error'))).toEqual([]);
    for (const r of results) expect(r.extraction!.plan.minLr!.value).toBeLessThan(r.extraction!.plan.peakLr!.value);
  });
});
