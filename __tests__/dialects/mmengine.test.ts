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
