import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detectron2 } from '../../src/dialects/detectron2';
import { lint, type FileResult } from '../../src/engine/lint';
import { parseSource } from '../../src/engine/load-file';
import type { TrainlintConfig } from '../../src/config/types';
import { sharedDescribe } from '../helpers/shared';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dialects', 'detectron2');
const env = { assume: {}, mappings: {} };

let fixtureResults: FileResult[] = [];
beforeAll(async () => {
  ({ results: fixtureResults } = await lint({ root: FIXTURES, paths: [], config: {} }));
});

function result(rel: string, results = fixtureResults): FileResult {
  const r = results.find((x) => x.file.path === rel);
  if (!r) throw new Error(`no result for ${rel}`);
  return r;
}

function findings(r: FileResult, rule?: string): string[] {
  return r.findings.filter((f) => !rule || f.ruleId === rule).map((f) => `${f.range.line}:${f.range.column} ${f.severity} [${f.ruleId}] ${f.message}`);
}

async function lintFiles(files: Record<string, string>, config: TrainlintConfig = {}, paths: string[] = []): Promise<FileResult[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'trainlint-d2-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    return (await lint({ root, paths, config })).results;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const BASE = 'SOLVER:\n  IMS_PER_BATCH: 16\n  BASE_LR: 0.02\n  STEPS: (60000, 80000)\n  MAX_ITER: 90000\nMODEL:\n  META_ARCHITECTURE: "GeneralizedRCNN"\nVERSION: 2\n';

describe('detectron2: detection', () => {
  test('yacs configs and LazyConfig files are claimed; LazyConfig modules alone are not', () => {
    const claimed = fixtureResults.filter((r) => r.dialect?.meta.id === 'detectron2').map((r) => r.file.path).sort();
    expect(claimed).toEqual([
      'configs/Base-RCNN-FPN.yaml',
      'configs/COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml',
      'configs/Cityscapes/mask_rcnn_R_50_FPN.yaml',
      'configs/Misc/reference_world_size.yaml',
      'configs/Misc/scratch_mask_rcnn_R_50_FPN_9x_gn.yaml',
      'configs/finetune/balloon_R_50_FPN_3x.yaml',
      'configs/finetune/one_gpu.yaml',
      'configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py',
      'configs/new_baselines/mask_rcnn_R_50_FPN_200ep_LSJ.py',
    ]);
  });

  test('look-alikes: PySlowFast/pycls count epochs, model YAMLs have no solver', () => {
    expect(detectron2.detect(parseSource('slowfast.yaml', 'TRAIN:\n  BATCH_SIZE: 64\nSOLVER:\n  MAX_EPOCH: 196\nMODEL:\n  ARCH: slowfast\n'), env)).toBe(0);
    expect(detectron2.detect(parseSource('yolov8.yaml', 'nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n'), env)).toBe(0);
    expect(detectron2.detect(parseSource('a.yaml', 'SOLVER:\n  BASE_LR: 0.1\n'), env)).toBe(0);
  });
});

describe('detectron2: yacs plans through _BASE_', () => {
  test('the 3x config: IMS_PER_BATCH is global, STEPS are literal_eval-ed tuples, defaults fill the rest', () => {
    const plan = result('configs/COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml').extraction!.plan;
    expect(plan.globalBatchSize).toMatchObject({ value: 16, file: 'configs/Base-RCNN-FPN.yaml', key: 'SOLVER.IMS_PER_BATCH' });
    expect(plan.totalSteps).toMatchObject({ value: 270000, file: 'configs/COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml' });
    expect(plan.firstMilestone).toMatchObject({ value: 210000, unit: 'steps' });
    expect(plan.lastMilestone).toMatchObject({ value: 250000, unit: 'steps' });
    expect(plan.warmupSteps).toMatchObject({ value: 1000, origin: 'default' });
    expect(plan.saveEverySteps).toMatchObject({ value: 5000, origin: 'default' });
    expect(plan.gradAccumSteps?.value).toBe(1);
  });

  test('a fine-tune that changes MAX_ITER and inherits the 3x STEPS: the LR never decays', () => {
    const r = result('configs/finetune/balloon_R_50_FPN_3x.yaml');
    expect(findings(r)).toEqual([
      '9:3 warning [decay-horizon-mismatch] every LR milestone is at or past the end of the run: the first is at step 210000 (SOLVER.STEPS) and the run is 300 optimizer steps (SOLVER.MAX_ITER): the LR never decays and stays at its peak for the whole run; put the milestones before step 300, scaled with the run, or lengthen the run',
    ]);
    // Its own BASE_LR was chosen for its batch: the base is no reference then.
    expect(r.reference).toBeUndefined();
  });

  test('a step equal to MAX_ITER makes detectron2 refuse to start: an error', async () => {
    const results = await lintFiles({ 'Base.yaml': BASE, 'child.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  MAX_ITER: 80000\n' });
    expect(findings(result('child.yaml', results), 'decay-horizon-mismatch')).toEqual([
      expect.stringMatching(/^3:3 error \[decay-horizon-mismatch\] the last LR milestone is at step 80000 \(SOLVER\.STEPS\) but the run is 80000 optimizer steps \(SOLVER\.MAX_ITER\): detectron2 stops at start-up: SOLVER\.STEPS holds MAX_ITER 80000/),
    ]);
    // Configured explicitly, the rule keeps the user's severity.
    const lowered = await lintFiles({ 'Base.yaml': BASE, 'child.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  MAX_ITER: 80000\n' }, { rules: { 'decay-horizon-mismatch': 'info' } } as TrainlintConfig);
    expect(findings(result('child.yaml', lowered), 'decay-horizon-mismatch')[0]).toMatch(/^3:3 info /);
  });

  test('a smaller batch with the inherited BASE_LR is not rescaled (the _BASE_ is the reference)', () => {
    const r = result('configs/finetune/one_gpu.yaml');
    expect(r.reference?.label).toBe('_BASE_ ../Base-RCNN-FPN.yaml');
    expect(findings(r, 'lr-not-rescaled')).toEqual([expect.stringContaining('SOLVER.BASE_LR 2e-2 unchanged while the global batch went ×0.125 (16 → 2): since _BASE_ ../Base-RCNN-FPN.yaml the update size per sample changed, so the tuned LR no longer applies; set SOLVER.BASE_LR: 2.5e-3 (linear rule for SGD')]);
    // The repository's own 9x config scales batch and LR together: nothing to report.
    expect(findings(result('configs/Misc/scratch_mask_rcnn_R_50_FPN_9x_gn.yaml'), 'lr-not-rescaled')).toEqual([]);
  });

  test('REFERENCE_WORLD_SIZE rescales batch, LR and iteration counts to the launch world size', async () => {
    const results = await lintFiles(
      { 'Base.yaml': BASE, 'c.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  REFERENCE_WORLD_SIZE: 8\n  WARMUP_ITERS: 1000\n' },
      { assume: { worldSize: 2 } } as TrainlintConfig,
    );
    const plan = result('c.yaml', results).extraction!.plan;
    expect(plan.globalBatchSize?.value).toBe(4);
    expect(plan.microBatchSize?.value).toBe(2);
    expect(plan.peakLr?.value).toBeCloseTo(0.005);
    expect(plan.totalSteps?.value).toBe(360000);
    expect(plan.warmupSteps?.value).toBe(4000);
    expect(plan.lastMilestone?.value).toBe(320000);
  });

  test('REFERENCE_WORLD_SIZE: each scaled value says what it is scaled from (rescale edits the written one), also at the reference world size', async () => {
    const cfg = '_BASE_: "Base.yaml"\nSOLVER:\n  REFERENCE_WORLD_SIZE: 8\n  WARMUP_ITERS: 1000\n';
    const scaled = result('c.yaml', await lintFiles({ 'Base.yaml': BASE, 'c.yaml': cfg }, { assume: { worldSize: 2 } } as TrainlintConfig)).extraction!.plan;
    expect(scaled.globalBatchSize?.scaledFrom?.factor).toBe(0.25);
    expect(scaled.globalBatchSize?.scaledFrom?.by).toContain('SOLVER.REFERENCE_WORLD_SIZE 8');
    expect(scaled.warmupSteps?.scaledFrom?.factor).toBe(4);
    expect(scaled.warmupSteps?.writtenAs?.value).toBe(1000);
    expect(scaled.lastMilestone?.writtenAs?.value).toBe(80000);
    const same = result('c.yaml', await lintFiles({ 'Base.yaml': BASE, 'c.yaml': cfg }, { assume: { worldSize: 8 } } as TrainlintConfig)).extraction!.plan;
    expect(same.globalBatchSize?.origin).not.toBe('derived');
    expect(same.globalBatchSize?.scaledFrom?.factor).toBe(1);
    expect(same.totalSteps?.scaledFrom?.factor).toBe(1);
  });

  test('IMS_PER_BATCH not divisible by the GPUs: detectron2 asserts at start-up', async () => {
    const results = await lintFiles({ 'Base.yaml': BASE, 'c.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  IMS_PER_BATCH: 6\n  BASE_LR: 0.0075\n' }, { assume: { worldSize: 4 } } as TrainlintConfig);
    expect(findings(result('c.yaml', results), 'batch-size-mismatch')).toEqual([expect.stringContaining('detectron2 stops at start-up (data/build.py asserts the total batch size is divisible by the number of GPUs')]);
  });

  test('the default 1000-iteration warmup in a short run; written values the scheduler ignores', async () => {
    const results = await lintFiles({
      'Base.yaml': BASE,
      'short.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  MAX_ITER: 300\n  STEPS: (200,)\n',
      'cosine.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  LR_SCHEDULER_NAME: "WarmupCosineLR"\n  STEPS: (100,)\n',
      'factor.yaml': '_BASE_: "Base.yaml"\nSOLVER:\n  WARMUP_FACTOR: 1.0\n  WARMUP_ITERS: 10\n',
    });
    expect(findings(result('short.yaml', results), 'warmup-exceeds-training')).toEqual([expect.stringContaining('the run is 300 optimizer steps (SOLVER.MAX_ITER) but its schedule and intervals are sized for up to 5000 (SOLVER.CHECKPOINT_PERIOD): warmup (1000 steps) never ends')]);
    expect(result('cosine.yaml', results).extraction!.ignored?.map((i) => i.key)).toEqual(['SOLVER.STEPS']);
    expect(result('cosine.yaml', results).extraction!.plan.minLr?.value).toBe(0);
    expect(result('factor.yaml', results).extraction!.ignored?.map((i) => i.key)).toEqual(['SOLVER.WARMUP_ITERS']);
    expect(result('factor.yaml', results).extraction!.plan.warmupSteps).toBeUndefined();
  });

  test('a missing _BASE_ is a parse error; the plan keeps what is written and applies no defaults', async () => {
    const results = await lintFiles({ 'c.yaml': '_BASE_: "nowhere/Base.yaml"\nSOLVER:\n  MAX_ITER: 300\nMODEL:\n  MASK_ON: True\n' });
    const r = result('c.yaml', results);
    expect(findings(r, 'parse-error')[0]).toMatch(/^1:1 error \[parse-error\] _BASE_ nowhere\/Base\.yaml does not exist/);
    expect(r.extraction!.plan.totalSteps?.value).toBe(300);
    expect(r.extraction!.plan.warmupSteps).toBeUndefined();
    expect(r.extraction!.plan.globalBatchSize).toBeUndefined();
  });
});

describe('detectron2: LazyConfig', () => {
  test('relative imports of config files; warmup as a fraction; milestones follow train.max_iter', () => {
    const r = result('configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py');
    const plan = r.extraction!.plan;
    expect(plan.globalBatchSize?.value).toBe(64);
    expect(plan.peakLr?.value).toBe(0.1);
    expect(plan.totalSteps?.value).toBe(184375);
    expect(plan.warmupSteps).toMatchObject({ value: 500, fractionOf: { of: 'train.max_iter 184375' } });
    expect(plan.lastMilestone?.value).toBe(177546);
    expect(plan.saveEverySteps).toMatchObject({ value: 5000, file: 'configs/common/train.py' });
    expect(plan.precision?.value).toBe('fp16');
    expect(findings(r)).toEqual([]);
  });

  test('a shorter train.max_iter after the schedule was built: fvcore milestones are fractions of num_updates, so they follow', async () => {
    const results = await lintFiles({
      'configs/common/train.py': 'train = dict(max_iter=90000, checkpointer=dict(period=5000), eval_period=5000, amp=dict(enabled=False))\n',
      'configs/a.py': [
        'from detectron2.config import LazyCall as L',
        'from fvcore.common.param_scheduler import MultiStepParamScheduler',
        'from ..configs.common.train import train',
        'lr_multiplier = L(MultiStepParamScheduler)(values=[1.0, 0.1], milestones=[60000], num_updates=90000)',
        'train.max_iter = 9000',
      ].join('\n'),
    });
    const r = result('configs/a.py', results);
    expect(r.extraction!.plan.lastMilestone?.value).toBe(6000);
    expect(findings(r, 'decay-horizon-mismatch')).toEqual([]);
    // LazyConfig inherits through Python imports, not yacs' _BASE_.
    expect(r.extraction!.plan.precision).toMatchObject({ value: 'fp32', note: 'set in configs/common/train.py:1, which this config imports' });
  });

  test('a config that imports a sibling LazyConfig (upstream 200ep_LSJ) is claimed and follows `train.max_iter *= 2`', () => {
    const r = result('configs/new_baselines/mask_rcnn_R_50_FPN_200ep_LSJ.py');
    expect(r.dialect?.meta.id).toBe('detectron2');
    const plan = r.extraction!.plan;
    expect(plan.totalSteps).toMatchObject({ value: 368750, origin: 'derived', file: 'configs/new_baselines/mask_rcnn_R_50_FPN_200ep_LSJ.py', key: 'train.max_iter' });
    expect(plan.totalSteps?.how).toBe('train.max_iter 184375 (configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py:15), then `train.max_iter *= 2`');
    // Computed, not literal text: no edit may replace the statement.
    expect(plan.totalSteps?.valueRange).toBeUndefined();
    // warmup_length is a fraction of the run (500 / 184375), so the warmup doubles too.
    expect(plan.warmupSteps?.value).toBe(1000);
    expect(plan.globalBatchSize?.value).toBe(64);
    // The milestones are rebuilt by a comprehension: unknown, not the parent's.
    expect(plan.lastMilestone).toBeUndefined();
    expect(findings(r)).toEqual([]);
  });

  test('values set in an imported file say they come through the import, not _BASE_', () => {
    const r = result('configs/new_baselines/mask_rcnn_R_50_FPN_200ep_LSJ.py');
    const plan = r.extraction!.plan;
    expect(plan.precision?.note).toBe('set in configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py:11, which this config imports');
    expect(plan.saveEverySteps?.note).toBe('set in configs/common/train.py:8, which this config imports');
    const parent = result('configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py').extraction!.plan;
    expect(JSON.stringify(parent)).not.toContain('_BASE_');
  });

  test('a relative import of a module that is no LazyConfig is not claimed', async () => {
    const results = await lintFiles({
      'pkg/defaults.py': 'batch_size = 16\nlearning_rate = 3e-4\n',
      'pkg/run.py': 'from .defaults import batch_size, learning_rate\nbatch_size *= 2\n',
    }, {}, ['pkg/run.py']);
    expect(result('pkg/run.py', results).dialect?.meta.id).not.toBe('detectron2');
  });

  test('get_config() of a file that is not in the repository: only the assigned keys are known', () => {
    const file = parseSource('projects/dino/configs/x.py', 'from detrex.config import get_config\ntrain = get_config("common/train.py").train\ntrain.max_iter = 90000\noptimizer = get_config("common/optim.py").AdamW\noptimizer.lr = 1e-4\n');
    expect(detectron2.detect(file, env)).toBeGreaterThan(0);
    const ex = detectron2.extract(file, env);
    expect(ex.plan.totalSteps?.value).toBe(90000);
    expect(ex.plan.peakLr?.value).toBe(1e-4);
    expect(ex.plan.saveEverySteps).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Optional sweep over ../shared/corpus-wave2 (runs only when it exists).

const WAVE2 = path.join(__dirname, '..', '..', '..', 'shared', 'corpus-wave2');
const D2 = path.join(WAVE2, 'facebookresearch__detectron2');
const describeIfCorpus = sharedDescribe(D2);

describeIfCorpus('detectron2 corpus sweep (../shared/corpus-wave2)', () => {
  let wave2: FileResult[] = [];
  beforeAll(async () => {
    ({ results: wave2 } = await lint({ root: WAVE2, paths: [], config: {} }));
  }, 60_000);

  test('≥ 95% of the detectron2 training files per folder are detectron2, their _BASE_ chains resolve, no internal error', () => {
    const mine = wave2.filter((r) => r.file.path.startsWith('facebookresearch__detectron2/'));
    const byFolder = new Map<string, FileResult[]>();
    for (const r of mine) {
      const folder = path.posix.dirname(r.file.path);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), r]);
    }
    expect(byFolder.size).toBeGreaterThanOrEqual(10);
    for (const [folder, files] of byFolder) {
      const claimed = files.filter((r) => r.dialect?.meta.id === 'detectron2').length;
      expect({ folder, share: claimed / files.length }).toEqual({ folder, share: expect.any(Number) });
      expect(claimed / files.length).toBeGreaterThanOrEqual(0.95);
    }
    expect(mine.flatMap((r) => r.findings.filter((f) => f.ruleId === 'internal-error' || f.ruleId === 'parse-error').map((f) => `${r.file.path}: ${f.message}`))).toEqual([]);
    const unresolved = mine.filter((r) => r.file.inherited && !r.file.inherited.complete).map((r) => r.file.path);
    expect(unresolved).toEqual([]);
  });

  test('no file of another framework in the wave-2 corpus is claimed as detectron2 or mmengine', () => {
    const wrong = wave2
      .filter((r) => !r.file.path.startsWith('facebookresearch__detectron2/') && (r.dialect?.meta.id === 'detectron2' || r.dialect?.meta.id === 'mmengine'))
      .map((r) => r.file.path);
    expect(wrong).toEqual([]);
  });
});

describe('detectron2: advice on an LR that REFERENCE_WORLD_SIZE rescales', () => {
  test('the LR to write is the target divided by the scale detectron2 applies (world / REFERENCE_WORLD_SIZE)', async () => {
    const ref = BASE.replace('  MAX_ITER: 90000\n', '  MAX_ITER: 90000\n  REFERENCE_WORLD_SIZE: 8\n');
    const child = `# trainlint: reference=ref.yaml\n${ref.replace('IMS_PER_BATCH: 16', 'IMS_PER_BATCH: 32')}`;
    const results = await lintFiles({ 'ref.yaml': ref, 'bs32.yaml': child }, { assume: { worldSize: 4 } });
    const [message] = findings(result('bs32.yaml', results), 'lr-not-rescaled');
    // ×0.5 at start-up: 0.02 written is 1e-2 run; the linear target 2e-2 is 4e-2 written.
    expect(message).toContain('SOLVER.BASE_LR 1e-2 unchanged while the global batch went ×2 (8 → 16)');
    expect(message).toContain('set SOLVER.BASE_LR: 4e-2 (REFERENCE_WORLD_SIZE scales it × 4 / 8, to 2e-2)');
    expect(message).toContain('sqrt gives 2.828e-2');
    const edit = result('bs32.yaml', results).findings.find((f) => f.ruleId === 'lr-not-rescaled')?.edit;
    expect(edit).toMatchObject({ text: '4e-2', range: { line: 4 } });
  });
});
