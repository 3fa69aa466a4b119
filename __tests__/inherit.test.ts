import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inheritanceFindings, inheritanceReader, MAX_CHAIN_DEPTH, MAX_CHAIN_FILES, newInheritCache, resolveInheritance, type InheritIO } from '../src/engine/inherit';
import { parseSource } from '../src/engine/load-file';
import { getIn, toPlain } from '../src/engine/tree';
import { expectLinear } from './helpers/scaling';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- nested config data read in assertions
type Data = Record<string, any>;

/** An in-memory repository: paths relative to the root, resolved like the engine's resolver. */
function memoryIO(files: Record<string, string>): InheritIO & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read(written, fromRel) {
      const rel = path.posix.normalize(path.posix.join(fromRel === undefined ? '.' : path.posix.dirname(fromRel), written));
      if (rel.startsWith('..')) return { ok: false, why: `${rel} (outside the repository)`, missing: false };
      if (!(rel in files)) return { ok: false, why: `${rel} from the config's folder (does not exist)`, missing: true };
      reads.push(rel);
      return { ok: true, rel, text: files[rel] };
    },
  };
}

function resolve(files: Record<string, string>, rel: string) {
  const io = memoryIO(files);
  const file = parseSource(rel, files[rel]);
  const inherited = resolveInheritance(file, io, newInheritCache());
  return { file, inherited: inherited!, io };
}

/** MMEngine shapes (FACTS-openmmlab.md): schedule_1x, default_runtime, a model, children. */
const MMDET: Record<string, string> = {
  'configs/_base_/schedules/schedule_1x.py': [
    "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
    'param_scheduler = [',
    "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),",
    "    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)",
    ']',
    "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))",
    'auto_scale_lr = dict(enable=False, base_batch_size=16)',
  ].join('\n'),
  'configs/_base_/default_runtime.py': "default_scope = 'mmdet'\ndefault_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1))\n",
  'configs/_base_/datasets/coco_detection.py': "train_dataloader = dict(batch_size=2, num_workers=2, dataset=dict(type='CocoDataset'))\n",
  'configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py': [
    "_base_ = ['../_base_/datasets/coco_detection.py', '../_base_/schedules/schedule_1x.py', '../_base_/default_runtime.py']",
    "model = dict(type='FasterRCNN')",
  ].join('\n'),
  // A child that changes the run length but not the schedule it inherits.
  'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-6e_coco.py': "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'\ntrain_cfg = dict(max_epochs=6)\n",
  // `_delete_=True` replaces; a list replaces; _base_.x reads the merged bases.
  'configs/faster_rcnn/faster-rcnn_r50_fpn_adamw.py': [
    "_base_ = './faster-rcnn_r50_fpn_1x_coco.py'",
    "optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', lr=_base_.optim_wrapper.optimizer.lr / 10))",
    "param_scheduler = [dict(type='CosineAnnealingLR', T_max=12, by_epoch=True, begin=0, end=12)]",
    'train_dataloader = dict(batch_size=_base_.train_dataloader.batch_size * 4, num_workers={{_base_.train_dataloader.num_workers}})',
  ].join('\n'),
};

describe('MMEngine _base_ chains', () => {
  test('bases merge in order; the child merges into them; relative paths, lists and strings', () => {
    const { inherited, io } = resolve(MMDET, 'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-6e_coco.py');
    const data = toPlain(inherited.tree) as Data;
    expect(data.train_cfg).toEqual({ type: 'EpochBasedTrainLoop', max_epochs: 6, val_interval: 1 });
    // The child changed the run length; the inherited schedule is unchanged.
    expect(data.param_scheduler[1]).toEqual({ type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 });
    expect(data.train_dataloader.batch_size).toBe(2);
    expect(data.model).toEqual({ type: 'FasterRCNN' });
    expect(data._base_).toBeUndefined();
    expect(inherited.complete).toBe(true);
    expect(inherited.problems).toEqual([]);
    expect(io.reads).toEqual([
      'configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
      'configs/_base_/datasets/coco_detection.py',
      'configs/_base_/schedules/schedule_1x.py',
      'configs/_base_/default_runtime.py',
    ]);
    expect(inherited.files).toEqual(io.reads);
    // What the child inherits, without its own values.
    expect((toPlain(inherited.baseTree!) as Data).train_cfg.max_epochs).toBe(12);
  });

  test('every value knows its file', () => {
    const { inherited } = resolve(MMDET, 'configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-6e_coco.py');
    const epochs = getIn(inherited.tree, ['train_cfg', 'max_epochs'])!;
    const milestones = getIn(inherited.tree, ['param_scheduler', 1, 'milestones'])!;
    const loopType = getIn(inherited.tree, ['train_cfg', 'type'])!;
    expect(inherited.fileOf(epochs.node)).toBe('configs/faster_rcnn/faster-rcnn_r50_fpn_8xb2-6e_coco.py');
    expect(inherited.fileOf(milestones.node)).toBe('configs/_base_/schedules/schedule_1x.py');
    expect(inherited.fileOf(loopType.node)).toBe('configs/_base_/schedules/schedule_1x.py');
  });

  test('_delete_=True replaces, lists replace, _base_.x and {{_base_.x}} read the bases', () => {
    const { inherited } = resolve(MMDET, 'configs/faster_rcnn/faster-rcnn_r50_fpn_adamw.py');
    const data = toPlain(inherited.tree) as Data;
    expect(data.optim_wrapper).toEqual({ type: 'OptimWrapper', optimizer: { type: 'AdamW', lr: 0.002 } });
    expect(data.param_scheduler).toEqual([{ type: 'CosineAnnealingLR', T_max: 12, by_epoch: true, begin: 0, end: 12 }]);
    expect(data.train_dataloader).toEqual({ batch_size: 8, num_workers: 2, dataset: { type: 'CocoDataset' } });
  });

  test('arithmetic on {{_base_.x}} is a parse error where it is written (MMEngine runs the file with a string there); the value is unknown', () => {
    const files = {
      'c/base.py': "base_lr = 0.01\nparam_scheduler = [dict(type='CosineAnnealingLR', eta_min=base_lr * 0.05, T_max=10)]\n",
      'c/child.py': "_base_ = './base.py'\nlr = {{_base_.base_lr}}\nparam_scheduler = [dict(type='CosineAnnealingLR', eta_min={{_base_.base_lr}} * 0.05, T_max=10)]\n",
    };
    const { file, inherited } = resolve(files, 'c/child.py');
    file.inherited = inherited;
    const findings = inheritanceFindings(file);
    expect(findings.map((f) => [f.ruleId, f.range.line, f.range.column])).toEqual([['parse-error', 3, 59]]);
    expect(findings[0].message).toMatch(/^`\{\{_base_\.base_lr\}\} \* 0\.05` raises TypeError \(can't multiply sequence by non-int of type 'float'\)/);
    const data = toPlain(inherited.tree) as Data;
    // The child's list replaces the base's; its eta_min is not the base's 5e-4.
    expect(data.param_scheduler[0].eta_min).not.toBe(0.0005);
    expect(data.lr).toBe(0.01);
    // In a base, the error points at the _base_ entry that leads to it.
    const chained = resolve({ ...files, 'c/grand.py': "_base_ = './child.py'\n" }, 'c/grand.py');
    chained.file.inherited = chained.inherited;
    expect(inheritanceFindings(chained.file).map((f) => [f.range.line, f.message.slice(0, 20)])).toEqual([[1, '_base_ ./child.py: `']]);
  });

  test('a missing base is a parse error at the _base_ entry; the rest is still read, marked incomplete', () => {
    const files = { 'configs/a.py': "_base_ = ['./missing.py', './b.py']\nx = 1\n", 'configs/b.py': 'y = 2\n' };
    const { file, inherited } = resolve(files, 'configs/a.py');
    expect(inherited.complete).toBe(false);
    expect(toPlain(inherited.tree)).toEqual({ y: 2, x: 1 });
    file.inherited = inherited;
    const findings = inheritanceFindings(file);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'parse-error', severity: 'error', range: { line: 1, column: 11 } });
    expect(findings[0].message).toMatch(/_base_ \.\/missing\.py does not exist/);
  });

  test('a base of an installed package (mmdet::) is not followed: a note, incomplete, no error', () => {
    const { inherited } = resolve({ 'configs/a.py': "_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'\n" }, 'configs/a.py');
    expect(inherited.complete).toBe(false);
    expect(inherited.problems).toEqual([]);
    expect(inherited.notes.join()).toMatch(/installed package \(mmdet\)/);
  });

  test('a key two sibling bases define is an error (MMEngine KeyError)', () => {
    const files = { 'c/a.py': "_base_ = ['./b.py', './c.py']\n", 'c/b.py': 'lr = 1\n', 'c/c.py': 'lr = 2\n' };
    const { inherited } = resolve(files, 'c/a.py');
    expect(inherited.problems.map((p) => [p.fatal, p.message])).toEqual([[true, expect.stringMatching(/defines `lr` again: MMEngine refuses duplicate keys among bases/)]]);
  });

  test('a child dict over a base value that is not a dict is an error unless _delete_', () => {
    const files = { 'c/a.py': "_base_ = './b.py'\nx = dict(a=1)\ny = dict(_delete_=True, a=1)\n", 'c/b.py': 'x = 1\ny = 2\n' };
    const { inherited } = resolve(files, 'c/a.py');
    expect(inherited.problems.map((p) => p.message)).toEqual([expect.stringMatching(/`x` is a dict here but not in its base/)]);
    expect(toPlain(inherited.tree)).toEqual({ x: { a: 1 }, y: { a: 1 } });
  });

  test('cycles are reported and chains are bounded', () => {
    const cycle = { 'c/a.py': "_base_ = './b.py'\n", 'c/b.py': "_base_ = './a.py'\nx = 1\n" };
    const { inherited } = resolve(cycle, 'c/a.py');
    expect(inherited.problems[0].message).toMatch(/cycle \(c\/a\.py → c\/b\.py → c\/a\.py\)/);
    const long: Record<string, string> = {};
    for (let i = 0; i < 40; i++) long[`c/f${i}.py`] = `_base_ = './f${i + 1}.py'\nv${i} = ${i}\n`;
    long['c/f40.py'] = 'end = 1\n';
    const deep = resolve(long, 'c/f0.py');
    expect(deep.inherited.complete).toBe(false);
    expect(deep.inherited.notes.join()).toMatch(new RegExp(`deeper than ${MAX_CHAIN_DEPTH}`));
    expect(deep.io.reads.length).toBeLessThanOrEqual(MAX_CHAIN_DEPTH + 1);
  });
});

describe('lazy imports and detectron2 LazyConfig', () => {
  test('with read_base(): from .._base_.x import *, then changes', () => {
    const files = {
      'mmdet/configs/_base_/schedules/schedule_1x.py': MMDET['configs/_base_/schedules/schedule_1x.py'],
      'mmdet/configs/retinanet/retinanet_1x.py': [
        'from mmengine.config import read_base',
        'with read_base():',
        '    from .._base_.schedules.schedule_1x import *',
        'train_cfg.update(max_epochs=24)',
      ].join('\n'),
    };
    const { inherited } = resolve(files, 'mmdet/configs/retinanet/retinanet_1x.py');
    const data = toPlain(inherited.tree) as Data;
    expect(data.train_cfg.max_epochs).toBe(24);
    expect(data.param_scheduler[1].milestones).toEqual([8, 11]);
    expect(inherited.complete).toBe(true);
  });

  test('detectron2: relative imports of config files, attribute assignments on them', () => {
    const files = {
      'configs/common/train.py': "train = dict(output_dir='./output', max_iter=90000, amp=dict(enabled=False), checkpointer=dict(period=5000), eval_period=5000)\n",
      'configs/common/optim.py': "SGD = dict(_target_='torch.optim.SGD', lr=0.02, momentum=0.9)\n",
      'configs/new_baselines/run.py': [
        'from ..common.train import train',
        'from ..common.optim import SGD as optimizer',
        'train.max_iter = 184375',
        "train['amp']['enabled'] = True",
        'optimizer.lr = 0.1',
      ].join('\n'),
    };
    const { inherited } = resolve(files, 'configs/new_baselines/run.py');
    const data = toPlain(inherited.tree) as Data;
    expect(data.train).toEqual({ output_dir: './output', max_iter: 184375, amp: { enabled: true }, checkpointer: { period: 5000 }, eval_period: 5000 });
    expect(data.optimizer.lr).toBe(0.1);
    expect(inherited.fileOf(getIn(inherited.tree, ['train', 'eval_period'])!.node)).toBe('configs/common/train.py');
    expect(inherited.fileOf(getIn(inherited.tree, ['train', 'max_iter'])!.node)).toBe('configs/new_baselines/run.py');
  });
});

describe('detectron2 yacs _BASE_ chains', () => {
  const files = {
    'configs/Base-RCNN-FPN.yaml': 'MODEL:\n  META_ARCHITECTURE: "GeneralizedRCNN"\nSOLVER:\n  IMS_PER_BATCH: 16\n  BASE_LR: 0.02\n  STEPS: (60000, 80000)\n  MAX_ITER: 90000\nVERSION: 2\n',
    'configs/COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml': '_BASE_: "../Base-RCNN-FPN.yaml"\nMODEL:\n  MASK_ON: False\nSOLVER:\n  STEPS: (210000, 250000)\n  MAX_ITER: 270000\n',
    // A fine-tune that shortens the run and keeps the 3x steps.
    'configs/finetune.yaml': '_BASE_: "COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml"\nSOLVER:\n  MAX_ITER: 150\n  IMS_PER_BATCH: 2\n',
  };

  test('chained _BASE_: mappings merge recursively, the child wins', () => {
    const { inherited } = resolve(files, 'configs/finetune.yaml');
    expect(toPlain(inherited.tree)).toEqual({
      MODEL: { META_ARCHITECTURE: 'GeneralizedRCNN', MASK_ON: false },
      SOLVER: { IMS_PER_BATCH: 2, BASE_LR: 0.02, STEPS: '(210000, 250000)', MAX_ITER: 150 },
      VERSION: 2,
    });
    expect(inherited.fileOf(getIn(inherited.tree, ['SOLVER', 'STEPS'])!.node)).toBe('configs/COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml');
    expect(inherited.fileOf(getIn(inherited.tree, ['SOLVER', 'BASE_LR'])!.node)).toBe('configs/Base-RCNN-FPN.yaml');
    expect((toPlain(inherited.baseTree!) as Data).SOLVER.MAX_ITER).toBe(270000);
  });

  test('a _BASE_ that does not exist or does not parse is an error at _BASE_', () => {
    const missing = resolve({ 'a.yaml': '_BASE_: "nope.yaml"\nSOLVER:\n  MAX_ITER: 1\n' }, 'a.yaml');
    expect(missing.inherited.problems[0]).toMatchObject({ fatal: true, range: { line: 1, column: 1 } });
    const broken = resolve({ 'a.yaml': '_BASE_: "b.yaml"\n', 'b.yaml': 'a: [1\n' }, 'a.yaml');
    expect(broken.inherited.problems[0].message).toMatch(/_BASE_ b.yaml cannot be read/);
  });
});

describe('hostile input', () => {
  test('recognising a file that builds on others stays linear (up to 2 MiB of blank lines)', () => {
    const blank = (n: number) => `${'\n'.repeat(n)}x = 1\n`;
    // A ratio within one run, not a wall-time limit (helpers/scaling.ts).
    expectLinear(blank, (text) => resolveInheritance(parseSource('configs/blank.py', text), memoryIO({}), newInheritCache()), 512 * 1024);
    expect(resolveInheritance(parseSource('configs/blank.py', blank(2 * 1024 * 1024)), memoryIO({}), newInheritCache())).toBeUndefined();
  });
});

describe('hostile chains', () => {
  test('a list of thousands of bases is cut at MAX_CHAIN_FILES, with one note', () => {
    const list = Array.from({ length: 5000 }, (_, i) => `'./m${i}.py'`).join(', ');
    const { inherited } = resolve({ 'c/a.py': `_base_ = [${list}]\n` }, 'c/a.py');
    expect(inherited.problems.length).toBeLessThanOrEqual(MAX_CHAIN_FILES);
    expect(inherited.notes).toContain('5000 _base_ files: only the first 64 are read');
    expect(inherited.complete).toBe(false);
    const file = parseSource('c/a.py', `_base_ = [${list}]\n`);
    file.inherited = inherited;
    const findings = inheritanceFindings(file);
    expect(findings).toHaveLength(10);
    expect(findings[9].message).toMatch(/and 54 more problems/);
  });
});

describe('through the engine resolver', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'trainlint-inherit-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  const load = (rel: string, maxBytes = 2 * 1024 * 1024) => {
    const attach = inheritanceReader(root, root, maxBytes);
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    return attach(parseSource(rel, readFileSync(path.join(root, rel), 'utf8')));
  };

  test('bases outside the repository, through a symbolic link leaving it, or over the byte limit are not read', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'trainlint-outside-'));
    try {
      writeFileSync(path.join(outside, 'secret.py'), 'token = 1\n');
      symlinkSync(path.join(outside, 'secret.py'), path.join(root, 'link.py'));
      write('configs/a.py', `_base_ = ['../../${path.basename(outside)}/secret.py', '../link.py', './big.py']\nx = 1\n`);
      write('configs/big.py', `y = 1\n${'#'.repeat(5000)}\n`);
      const file = load('configs/a.py', 1000);
      expect(toPlain(file.inherited!.tree)).toEqual({ x: 1 });
      expect(file.inherited!.complete).toBe(false);
      expect(file.inherited!.problems).toEqual([]);
      const notes = file.inherited!.notes.join('\n');
      expect(notes).toMatch(/outside the repository/);
      expect(notes).toMatch(/symbolic link that leaves the repository/);
      expect(notes).toMatch(/over the 1000-byte limit/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test('a base that is a folder is not read', () => {
    mkdirSync(path.join(root, 'configs', 'dir.py'), { recursive: true });
    write('configs/a.py', "_base_ = './dir.py'\n");
    expect(load('configs/a.py').inherited!.notes.join()).toMatch(/a folder, not a file/);
  });
});
