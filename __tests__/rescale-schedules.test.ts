/**
 * `trainlint rescale`: everything counted in steps moves together, in each key's own unit: MMEngine's
 * scheduler `end` and `milestones` (recorded by key only), detectron2's `SOLVER.STEPS` tuple, and
 * Composer durations with a `ba` suffix.
 */
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';

const { repo, read } = tempRepos('trainlint-rescale-sched');

test('MMEngine: max_iters, the warmup end, the decay end and the milestones move together', async () => {
  const cfg = [
    "_base_ = ['../_base_/default_runtime.py']",
    'train_dataloader = dict(batch_size=2, num_workers=2)',
    "train_cfg = dict(type='IterBasedTrainLoop', max_iters=90000, val_interval=10000)",
    'param_scheduler = [',
    "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),",
    "    dict(type='MultiStepLR', begin=0, end=90000, by_epoch=False, milestones=[60000, 80000], gamma=0.1)",
    ']',
    "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))",
    '',
  ].join('\n');
  const dir = repo({ 'configs/det/retina_8xb2_90k_coco.py': cfg, 'configs/_base_/default_runtime.py': "default_scope = 'mmdet'\n" });
  const r = await runCliCapture(['rescale', 'configs/det/retina_8xb2_90k_coco.py', '--micro-batch', '4'], dir);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain('is not a literal value');
  const text = read(dir, 'configs/det/retina_8xb2_90k_coco.py');
  expect(text).toContain('max_iters=45000');
  expect(text).toContain('begin=0, end=500)');
  expect(text).toContain('end=45000, by_epoch=False, milestones=[30000, 40000]');
});

test('detectron2 yacs: SOLVER.STEPS follows MAX_ITER', async () => {
  const cfg = ['MODEL:', '  META_ARCHITECTURE: "GeneralizedRCNN"', 'SOLVER:', '  IMS_PER_BATCH: 16', '  BASE_LR: 0.02', '  STEPS: (60000, 80000)', '  MAX_ITER: 90000', ''].join('\n');
  const dir = repo({ 'configs/rcnn.yaml': cfg, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
  const r = await runCliCapture(['rescale', 'configs/rcnn.yaml', '--global-batch', '32'], dir);
  expect(r.code).toBe(0);
  const text = read(dir, 'configs/rcnn.yaml');
  expect(text).toContain('  STEPS: (30000, 40000)\n');
  expect(text).toContain('  MAX_ITER: 45000\n');
});

test('Composer: durations in batches keep their suffix', async () => {
  const cfg = [
    'global_train_batch_size: 256',
    'device_train_microbatch_size: 8',
    'max_duration: 4800ba',
    'optimizer:',
    '  name: decoupled_adamw',
    '  lr: 6.0e-4',
    'scheduler:',
    '  name: cosine_with_warmup',
    '  t_warmup: 100ba',
    '  alpha_f: 0.1',
    'eval_interval: 500ba',
    'save_interval: 1000ba',
    '',
  ].join('\n');
  const dir = repo({ 'ref.yaml': cfg, '.trainlint.yml': 'assume: { worldSize: 8 }\n' });
  const r = await runCliCapture(['rescale', 'ref.yaml', '--global-batch', '512'], dir);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain('is not a literal value');
  const text = read(dir, 'ref.yaml');
  expect(text).toContain('max_duration: 2400ba\n');
  expect(text).toContain('  t_warmup: 50ba\n');
});
