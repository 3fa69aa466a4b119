/**
 * `trainlint rescale` on a detectron2 yacs config with SOLVER.REFERENCE_WORLD_SIZE: DefaultTrainer.auto_scale_workers
 * rescales IMS_PER_BATCH and BASE_LR by world / REFERENCE_WORLD_SIZE and divides the iteration counts by it at
 * start-up. A new world size edits nothing (detectron2 does it) and says what it computes; a new global batch
 * edits the values written for the reference world size.
 */
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';

const { repo, read } = tempRepos('trainlint-rescale-refworld');

const BASE = ['MODEL:', '  META_ARCHITECTURE: "GeneralizedRCNN"', 'SOLVER:', '  IMS_PER_BATCH: 16', '  BASE_LR: 0.02', '  STEPS: (60000, 80000)', '  MAX_ITER: 90000', 'VERSION: 2', ''].join('\n');
const FT = [
  '_BASE_: "Base-RCNN-FPN.yaml"',
  'SOLVER:',
  '  IMS_PER_BATCH: 16',
  '  BASE_LR: 0.02',
  '  REFERENCE_WORLD_SIZE: 8',
  '  MAX_ITER: 4000',
  '  WARMUP_ITERS: 1000',
  '  STEPS: (3000, 3800)',
  '  CHECKPOINT_PERIOD: 5000',
  'TEST:',
  '  EVAL_PERIOD: 1000',
  '',
].join('\n');
const launch = (gpus: number, machines: number) => `#!/bin/bash\npython tools/train_net.py --num-gpus ${gpus} --num-machines ${machines} --config-file configs/retina_ft.yaml\n`;
const files = (gpus: number, machines: number) => ({ 'configs/Base-RCNN-FPN.yaml': BASE, 'configs/retina_ft.yaml': FT, 'launch.sh': launch(gpus, machines) });

describe('a new world size: detectron2 rescales, the file does not change', () => {
  test('16 GPUs → 32: the batch, LR and iteration counts detectron2 computes', async () => {
    const dir = repo(files(8, 2));
    const r = await runCliCapture(['rescale', 'configs/retina_ft.yaml', '--world-size', '32'], dir);
    expect(r.code).toBe(0);
    expect(read(dir, 'configs/retina_ft.yaml')).toBe(FT);
    expect(r.stdout).toContain('global batch 32 → 64 (×2)');
    expect(r.stdout).toContain('no value in the file changes');
    expect(r.stdout).toMatch(/detectron2 rescales the written values to the world size at start-up \(SOLVER\.REFERENCE_WORLD_SIZE 8: .*\): nothing to edit; at 32 GPUs it computes:/);
    expect(r.stdout).toContain('SOLVER.IMS_PER_BATCH 16 as written: the global batch is 64 (16 × 32 / 8), 2 per GPU');
    expect(r.stdout).toContain('SOLVER.BASE_LR 2e-2 as written: the LR is 8e-2 (2e-2 × 32 / 8, the linear rule)');
    expect(r.stdout).toContain('SOLVER.MAX_ITER 4000 as written: the run is 1000 iterations (4000 ÷ (32 / 8))');
    expect(r.stdout).toContain('SOLVER.WARMUP_ITERS 1000 as written: the warmup is 250 iterations');
    expect(r.stdout).toContain('SOLVER.CHECKPOINT_PERIOD 5000 as written: the save interval is 1250 iterations');
    expect(r.stdout).toContain('TEST.EVAL_PERIOD 1000 as written: the eval interval is 250 iterations');
    expect(r.stdout).toContain('SOLVER.STEPS 3000 … 3800 as written: the LR drops at 750 … 950');
    expect(r.stdout).toContain('world size 16 → 32: set by launch.sh:2:27 (--num-gpus): change the launcher by hand');
    expect(r.stdout).not.toContain('global batch stays');
  });

  test('at the reference world size (8 GPUs) detectron2 scales nothing; a move to 16 doubles the batch', async () => {
    const dir = repo(files(8, 1));
    const r = await runCliCapture(['rescale', 'configs/retina_ft.yaml', '--world-size', '16', '--dry-run'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('global batch 16 → 32 (×2)');
    expect(r.stdout).toContain('SOLVER.MAX_ITER 4000 as written: the run is 2000 iterations');
    expect(r.stderr).toContain('0 value(s) would change');
  });

  test('an IMS_PER_BATCH the reference world size does not divide: refused, detectron2 asserts it', async () => {
    const dir = repo({ ...files(8, 1), 'configs/retina_ft.yaml': FT.replace('IMS_PER_BATCH: 16', 'IMS_PER_BATCH: 12') });
    const r = await runCliCapture(['rescale', 'configs/retina_ft.yaml', '--world-size', '16'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SOLVER\.IMS_PER_BATCH 12 is not divisible by 8, the world size it is written for: detectron2 refuses to rescale it to 16 GPUs/);
  });
});

describe('a new global batch: the values written for the reference world size', () => {
  test('16 GPUs, global batch 32 → 64: IMS_PER_BATCH 32 (= 64 × 8 / 16), the LR and counts as for any batch change', async () => {
    const dir = repo(files(8, 2));
    const r = await runCliCapture(['rescale', 'configs/retina_ft.yaml', '--global-batch', '64'], dir);
    expect(r.code).toBe(0);
    const text = read(dir, 'configs/retina_ft.yaml');
    expect(text).toContain('  IMS_PER_BATCH: 32\n');
    expect(text).toContain('  BASE_LR: 0.04\n');
    expect(text).toContain('  REFERENCE_WORLD_SIZE: 8\n');
    expect(text).toContain('  MAX_ITER: 2000\n');
    expect(text).toContain('  WARMUP_ITERS: 500\n');
    expect(text).toContain('  STEPS: (1500, 1900)\n');
    expect(text).toContain('  CHECKPOINT_PERIOD: 2500\n');
    expect(text).toContain('  EVAL_PERIOD: 500\n');
    expect(r.stdout).toContain('SOLVER.IMS_PER_BATCH 16 → 32');
    expect(r.stdout).toContain('= 64 / 2: detectron2 multiplies it by 2 at this world size');
    expect(r.stdout).not.toContain('set by hand');
    // The run's plan after the edit: 64 samples per step, 1000 steps (the same samples).
    const plan = await runCliCapture(['plan', 'configs/retina_ft.yaml'], dir);
    expect(plan.stdout).toMatch(/globalBatchSize\s+64 samples/);
    expect(plan.stdout).toMatch(/totalSteps\s+1000 steps/);
  });

  test('a global batch the GPUs do not divide is refused, nothing written', async () => {
    const dir = repo(files(8, 2));
    const r = await runCliCapture(['rescale', 'configs/retina_ft.yaml', '--global-batch', '40'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/global batch 40 is not divisible by the 16 GPUs: detectron2 splits the total batch/);
    expect(read(dir, 'configs/retina_ft.yaml')).toBe(FT);
  });
});
