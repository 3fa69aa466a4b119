/**
 * OpenMMLab's `tools/train.py` options on the launch line (launch-overrides.ts style 'mmengine'):
 * `--auto-scale-lr`, `--amp` and `--cfg-options k=v …` are merged over the config after its `_base_`
 * chain, directly, through `torchrun`, or through `tools/dist_train.sh`. Real temp repositories, linted
 * in-process through the CLI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import type { Report } from '../src/engine/report-types';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-mmlaunch-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

// A recipe tuned for 8 GPUs × 32 images (its file name), with auto_scale_lr off, as OpenMMLab ships it.
const BASE = [
  "_base_ = ['./schedule_300e.py']",
  'train_dataloader = dict(batch_size=32, num_workers=8)',
  "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=0.004, weight_decay=0.05))",
  'auto_scale_lr = dict(enable=False, base_batch_size=256)',
  '',
].join('\n');
const SCHEDULE = [
  "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300, val_interval=10)",
  "param_scheduler = [dict(type='LinearLR', start_factor=1e-5, by_epoch=False, begin=0, end=1000), dict(type='CosineAnnealingLR', eta_min=0.0002, begin=150, end=300, T_max=150, by_epoch=True, convert_to_iter_based=True)]",
  '',
].join('\n');

async function planOf(dir: string, config: string): Promise<{ report: Report; plan: Report['files'][number]['plan'] }> {
  const r = await runCliCapture(['--format', 'json', '.'], dir);
  const report = JSON.parse(r.stdout) as Report;
  const file = report.files.find((f) => f.path === config && f.launcher);
  expect(file).toBeDefined();
  return { report, plan: file!.plan };
}

const CONFIG = 'configs/rtmdet/rtmdet_l_8xb32-300e_coco.py';

describe('tools/train.py options over an MMEngine config', () => {
  test('--auto-scale-lr on 4 GPUs: MMEngine scales the LR (2e-3), so the halved batch is not an unrescaled LR', async () => {
    const dir = repo({
      [CONFIG]: BASE,
      'configs/rtmdet/schedule_300e.py': SCHEDULE,
      'train.sh': `torchrun --nproc_per_node=4 tools/train.py ${CONFIG} --launcher pytorch --auto-scale-lr\n`,
    });
    const { report, plan } = await planOf(dir, CONFIG);
    expect(plan.peakLr).toMatchObject({ value: 0.002, origin: 'derived' });
    expect(report.findings.filter((f) => f.ruleId === 'lr-not-rescaled')).toEqual([]);
  });

  test('without it, the same launch keeps lr 4e-3 for half the batch: lr-not-rescaled', async () => {
    const dir = repo({
      [CONFIG]: BASE,
      'configs/rtmdet/schedule_300e.py': SCHEDULE,
      'train.sh': `torchrun --nproc_per_node=4 tools/train.py ${CONFIG} --launcher pytorch\n`,
    });
    const { report, plan } = await planOf(dir, CONFIG);
    expect(plan.peakLr).toMatchObject({ value: 0.004 });
    expect(report.findings.some((f) => f.ruleId === 'lr-not-rescaled')).toBe(true);
  });

  test('tools/dist_train.sh CONFIG 8 --amp --cfg-options: fp16 from the launcher, and the options written over the bases', async () => {
    const dir = repo({
      [CONFIG]: BASE,
      'configs/rtmdet/schedule_300e.py': SCHEDULE,
      'train.sh': `bash tools/dist_train.sh ${CONFIG} 8 --amp --cfg-options train_cfg.max_epochs=100 train_dataloader.batch_size=16 optim_wrapper.optimizer.weight_decay=None\n`,
    });
    const { plan } = await planOf(dir, CONFIG);
    expect(plan.precision).toMatchObject({ value: 'fp16', origin: 'launcher', key: '--amp' });
    expect(plan.precision?.file).toBe('train.sh');
    expect(plan.epochs).toMatchObject({ value: 100, origin: 'launcher', file: 'train.sh', key: 'train_cfg.max_epochs' });
    expect(plan.microBatchSize).toMatchObject({ value: 16, origin: 'launcher' });
  });

  test('--cfg-options with a list index (merge_from_dict(allow_list_keys=True)): the scheduler\'s end and milestones are the command\'s', async () => {
    const schedule = [
      "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
      "param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500), dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)]",
      '',
    ].join('\n');
    const dir = repo({
      'configs/det/faster_rcnn_1x.py': "_base_ = ['./schedule_1x.py']\ntrain_dataloader = dict(batch_size=2)\noptim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9))\n",
      'configs/det/schedule_1x.py': schedule,
      'train.sh': `bash tools/dist_train.sh configs/det/faster_rcnn_1x.py 8 --cfg-options train_cfg.max_epochs=36 param_scheduler.1.end=36 "param_scheduler.1.milestones=[24, 33]"\n`,
    });
    const { report, plan } = await planOf(dir, 'configs/det/faster_rcnn_1x.py');
    expect(plan.epochs).toMatchObject({ value: 36, origin: 'launcher' });
    expect(plan.decayEpochs).toMatchObject({ value: 36, origin: 'launcher', file: 'train.sh', key: 'param_scheduler[1].end' });
    expect(plan.firstMilestone).toMatchObject({ value: 24, origin: 'launcher' });
    expect(plan.lastMilestone).toMatchObject({ value: 33, origin: 'launcher' });
    expect(plan.lastMilestone?.note).toContain('over param_scheduler.1.milestones: [8, 11] in the config');
    expect(report.findings.map((x) => x.ruleId)).not.toContain('decay-horizon-mismatch');
  });
});
