import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIALECTS, detectDialect } from '../../src/dialects/index';
import type { ExtractEnv } from '../../src/dialects/types';
import { pyRound, ultralytics, ultralyticsVersion } from '../../src/dialects/ultralytics';
import { readMethodCalls } from '../../src/engine/load/python-calls';
import { loadPythonConfig } from '../../src/engine/load/python-config';
import type { MapNode } from '../../src/engine/tree';
import { lint } from '../../src/engine/lint';
import { parseSource } from '../../src/engine/load-file';
import { formatPlan } from '../../src/report/plan-text';
import { fixtureLoader } from '../helpers/dialect-fixtures';
import { sharedDescribe } from '../helpers/shared';

const load = fixtureLoader('ultralytics');
const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const yaml = (text: string, name = 'args.yaml') => parseSource(name, text);
const detected = (file: ReturnType<typeof yaml>) => detectDialect(file, env())?.meta.id;

describe('ultralytics detection', () => {
  test.each(['args.yaml', 'finetune.yaml', 'augment.yaml', 'train.sh', 'train.py'])('%s is claimed', (name) => {
    expect(detected(load(name))).toBe('ultralytics');
  });

  test('look-alikes get no dialect: YOLOv5/v7 hyp files, model and dataset YAMLs, other yolo modes', () => {
    const hypV5 = 'lr0: 0.01\nlrf: 0.01\nmomentum: 0.937\nweight_decay: 0.0005\nwarmup_epochs: 3.0\nwarmup_momentum: 0.8\nwarmup_bias_lr: 0.1\nbox: 0.05\ncls: 0.5\ncls_pw: 1.0\nobj: 1.0\nobj_pw: 1.0\niou_t: 0.20\nanchor_t: 4.0\nfl_gamma: 0.0\nhsv_h: 0.015\nmosaic: 1.0\nmixup: 0.0\ncopy_paste: 0.0\n';
    const hypV7 = 'lr0: 0.01\nlrf: 0.1\nmomentum: 0.937\nwarmup_epochs: 3.0\nwarmup_bias_lr: 0.1\nbox: 0.05\ncls: 0.3\nobj: 0.7\nanchor_t: 4.0\nloss_ota: 1\n';
    const model = 'nc: 80\nscales:\n  n: [0.50, 0.25, 1024]\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\nhead:\n  - [[16, 19, 22], 1, Detect, [nc]]\n';
    const dataset = 'path: ../datasets/parts\ntrain: images/train\nval: images/val\nnames:\n  0: bolt\n  1: nut\n';
    for (const text of [hypV5, hypV7, model, dataset]) expect(detected(yaml(text))).toBeUndefined();
    expect(detected(parseSource('val.sh', 'yolo detect val model=best.pt data=coco8.yaml\nyolo predict model=best.pt source=img.jpg\n'))).toBeUndefined();
    expect(detected(parseSource('infer.py', 'from ultralytics import YOLO\nmodel = YOLO("best.pt")\nmodel.predict("img.jpg")\n'))).toBeUndefined();
  });

  test('yolo task=… mode=train is a training command; other words before the mode are not', () => {
    expect(detected(parseSource('a.sh', 'yolo task=detect mode=train data=coco8.yaml epochs=3\n'))).toBe('ultralytics');
    expect(detected(parseSource('a.sh', 'yolo export model=best.pt format=onnx\n'))).toBeUndefined();
  });
});

describe('ultralytics plans', () => {
  test('args.yaml: batch 128 on 4 GPUs, no accumulation above nbs, COCO iterations, SGD lr0', () => {
    const { plan, ignored = [], conflicts = [] } = ultralytics.extract(load('args.yaml'), env({ datasetSamples: 118287 }));
    expect(plan.worldSize).toMatchObject({ value: 4, origin: 'explicit', key: 'device' });
    expect(plan.microBatchSize).toMatchObject({ value: 32, origin: 'derived' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, how: 'max(round(nbs 64 / batch 128), 1)' });
    expect(plan.globalBatchSize?.value).toBe(128);
    expect(plan.stepsPerEpoch?.value).toBe(Math.ceil(118287 / 128));
    expect(plan.totalSteps?.value).toBe(925 * 300);
    // No pin: ≤ 8.4.102, max(round(3 × 925), 100) = 2775 iterations, a fraction of one epoch.
    expect(plan.warmupSteps).toMatchObject({ value: 2775, key: 'warmup_epochs', fractionOf: { fraction: 3, ofSteps: 925 } });
    expect(plan.peakLr).toMatchObject({ value: 0.01, origin: 'explicit', key: 'lr0' });
    expect(plan.minLr?.value).toBeCloseTo(1e-4);
    expect(plan.scheduler).toMatchObject({ value: 'linear', key: 'cos_lr' });
    expect(plan.precision).toMatchObject({ value: 'amp', key: 'amp' });
    expect(ignored).toEqual([]);
    expect(conflicts).toEqual([]);
  });

  test('finetune.yaml: optimizer auto ignores lr0 (critical); cos_lr; batch 24 accumulates round(64 / 24) = 3', () => {
    const { plan, ignored = [] } = ultralytics.extract(load('finetune.yaml'), env());
    expect(plan.gradAccumSteps?.value).toBe(3);
    expect(plan.globalBatchSize?.value).toBe(72);
    expect(plan.peakLr).toBeUndefined(); // auto, dataset size and classes unknown
    expect(plan.scheduler).toMatchObject({ value: 'cosine' });
    expect(ignored.map((i) => [i.key, i.critical, i.range.line])).toEqual([['lr0', true, 8]]);
    expect(ignored[0].message).toContain('lr0 0.002 is ignored: with optimizer auto');
  });

  test('under auto with a bundled dataset the chosen optimizer and LR are derived (AdamW below 10000 iterations)', () => {
    const { plan, ignored = [] } = ultralytics.extract(yaml('task: detect\nmode: train\ndata: coco128.yaml\nepochs: 10\nlr0: 0.05\n'), env({ datasetSamples: 128 }));
    // iterations = ceil(128 / max(16, 64)) × 10 = 20 ≤ 10000: AdamW, lr = round(0.002 × 5 / 84, 6).
    expect(plan.optimizer).toMatchObject({ value: 'AdamW', origin: 'derived' });
    expect(plan.peakLr?.value).toBeCloseTo(0.000119, 9);
    expect(ignored[0].message).toContain('(here AdamW, lr 1.19e-4)');
  });

  test('values equal to the defaults under auto are noted, not reported (a default.yaml copy)', () => {
    const { ignored, notes } = ultralytics.extract(yaml('task: detect\nmode: train\noptimizer: auto\nlr0: 0.01\nmomentum: 0.937\nwarmup_bias_lr: 0.1\n'), env());
    expect(ignored).toEqual([]);
    expect(notes.some((n) => n.startsWith('lr0 0.01 is ignored under optimizer auto (it equals the default'))).toBe(true);
  });

  test('the warmup floor follows the pinned version; without a pin ≤ 8.4.102 is assumed and said', () => {
    const text = 'task: detect\nmode: train\ndata: coco8.yaml\nepochs: 20\noptimizer: SGD\n';
    const old = ultralytics.extract(yaml(text), env({ datasetSamples: 4 })).plan;
    expect(old.warmupSteps?.value).toBe(100);
    expect(old.warmupSteps?.how).toContain('assumed Ultralytics ≤ 8.4.102');
    expect(old.warmupSteps?.fractionOf).toBeUndefined(); // the floor does not follow the epoch
    const pinned = ultralytics.extract(yaml(`# ultralytics==8.4.103\n${text}`), env({ datasetSamples: 4 })).plan;
    expect(pinned.warmupSteps).toMatchObject({ value: 3, how: expect.stringContaining('(ultralytics==8.4.103)') });
    const short = ultralytics.extract(yaml(`# ultralytics==8.4.103\n${text.replace('epochs: 20', 'epochs: 2')}`), env({ datasetSamples: 4 })).plan;
    expect(short.warmupSteps?.value).toBe(1); // capped at epochs − 1
    expect(ultralyticsVersion('pip install "ultralytics==8.3.40"')?.v).toEqual([8, 3, 40]);
    expect(ultralyticsVersion('ultralytics>=8.0')).toBeUndefined();
  });

  test('without the dataset size, warmup_epochs ≥ epochs is a conflict (any dataset), unless the pin caps it', () => {
    const text = 'task: detect\nmode: train\ndata: data/x.yaml\nepochs: 2\noptimizer: SGD\n';
    const { conflicts = [], plan } = ultralytics.extract(yaml(text), env());
    expect(plan.warmupSteps).toBeUndefined();
    expect(conflicts.map((c) => c.kind)).toEqual(['warmup-covers-run']);
    expect(conflicts[0].message).toContain('warmup_epochs 3 (default) ≥ epochs 2');
    expect(ultralytics.extract(yaml(`# ultralytics==8.4.110\n${text}`), env()).conflicts).toEqual([]);
  });

  test('train.sh: the first yolo train command, variables expanded, pin 8.3.40, batch 48 on 2 GPUs', () => {
    const file = load('train.sh');
    const { plan, anchor, ignored } = ultralytics.extract(file, env({ datasetSamples: 128 }));
    expect(anchor.line).toBe(6);
    expect(plan.worldSize?.value).toBe(2);
    expect(plan.microBatchSize?.value).toBe(24);
    expect(plan.gradAccumSteps?.value).toBe(1); // round(64 / 48) = 1
    expect(plan.peakLr).toMatchObject({ value: 0.005, key: 'lr0', range: { line: 6 } });
    expect(plan.stepsPerEpoch?.value).toBe(3); // ceil(128 / 48)
    expect(plan.warmupSteps?.value).toBe(100); // 8.3.40 keeps the floor
    expect(ignored).toEqual([]);
  });

  test('yolo: words before cfg= are dropped; time overrides epochs; half and save_period without save are ignored', () => {
    const cli = parseSource('run.sh', 'yolo train lr0=0.02 epochs=5 cfg=my.yaml batch=16 half=True\n');
    const r = ultralytics.extract(cli, env());
    expect(r.ignored?.map((i) => [i.key, i.critical])).toEqual([
      ['lr0', true],
      ['epochs', true],
      ['half', undefined],
    ]);
    expect(r.plan.epochs).toBeUndefined(); // from my.yaml or the default: unknown here
    expect(r.notes.some((n) => n.startsWith('cfg=my.yaml:'))).toBe(true);
    const timed = ultralytics.extract(yaml('task: detect\nmode: train\nepochs: 100\ntime: 2.5\nsave: false\nsave_period: 10\n'), env());
    expect(timed.plan.epochs).toBeUndefined();
    expect(timed.ignored?.map((i) => [i.key, i.critical])).toEqual([
      ['epochs', true],
      ['save_period', undefined],
    ]);
  });

  test('AutoBatch on several GPUs: a conflict when the version refuses or is unknown, ignored (batch 16) before 8.3.204', () => {
    const text = 'task: detect\nmode: train\nbatch: -1\ndevice: 0,1\noptimizer: SGD\n';
    expect(ultralytics.extract(yaml(text), env()).conflicts?.map((c) => c.kind)).toEqual(['autobatch-multi-gpu']);
    const old = ultralytics.extract(yaml(`# ultralytics==8.3.100\n${text}`), env());
    expect(old.conflicts).toEqual([]);
    expect(old.ignored?.[0]).toMatchObject({ key: 'batch', message: expect.stringContaining('warns and trains with batch 16') });
    expect(old.plan.microBatchSize?.value).toBe(8);
    const single = ultralytics.extract(yaml('task: detect\nmode: train\nbatch: 0.7\noptimizer: SGD\n'), env());
    expect(single.plan.microBatchSize).toBeUndefined();
    expect(single.notes.some((n) => n.includes('AutoBatch picks the batch'))).toBe(true);
  });

  test('train.py: literal keywords, module names and a **dict; values that are not literals stay unknown', () => {
    const file = load('train.py');
    const { plan, anchor, notes } = ultralytics.extract(file, env());
    expect(anchor.line).toBe(13);
    expect(plan.worldSize).toMatchObject({ value: 4, key: 'overrides["device"]', range: { line: 10 } });
    expect(plan.microBatchSize?.value).toBe(4); // 2 * 8 = 16 over 4 GPUs
    expect(plan.epochs).toMatchObject({ value: 60, key: 'epochs', range: { line: 15 } });
    expect(plan.peakLr).toMatchObject({ value: 1e-3, key: 'lr0' });
    expect(plan.optimizer?.value).toBe('AdamW');
    expect(notes).toEqual(['no ultralytics==X.Y.Z pin found: version-dependent behaviour follows Ultralytics ≤ 8.4.102 (100-iteration warmup floor)']);
  });

  test('a float for an int key stops Ultralytics (check_cfg): in a YAML, a yolo word and a .train() keyword', () => {
    const fromYaml = ultralytics.extract(yaml('task: detect\nmode: train\nepochs: 100.0\nnbs: 64\nsave_period: 10\npatience: 50.5\n'), env());
    // patience 50.5 is not whole: the schema's `type: integer` reports it, not the dialect.
    expect(fromYaml.configErrors?.map((e) => [e.range.line, e.message])).toEqual([
      [3, `epochs: 100.0 is a float: Ultralytics stops before training (check_cfg: "TypeError: 'epochs=100.0' is of invalid type float. 'epochs' must be an int (i.e. 'epochs=8')"); write epochs: 100`],
    ]);
    expect(fromYaml.configErrors?.[0].data).toMatchObject({ keyPath: ['epochs'], replacement: '100' });
    const cli = ultralytics.extract(parseSource('run.sh', 'yolo train data=coco8.yaml epochs=10 nbs=64.0 epochs=1e2 close_mosaic=2.5 lr0=1.0\n'), env());
    // The last epochs= wins; 1e2 is a float to smart_value too; lr0 takes floats.
    expect(cli.configErrors?.map((e) => e.message.split(':')[0])).toEqual(['epochs=1e2 is a float', 'close_mosaic=2.5 is a float', 'nbs=64.0 is a float']);
    expect(cli.configErrors?.[1].message).toMatch(/'close_mosaic=2\.5' is of invalid type float.*; write a whole number of close_mosaic$/);
    const py = ultralytics.extract(parseSource('train.py', 'from ultralytics import YOLO\nYOLO("yolo11n.pt").train(data="coco8.yaml", epochs=100.0, batch=16.0, seed=0)\n'), env());
    expect(py.configErrors?.map((e) => [e.range.column, e.message.split(' is ')[0]])).toEqual([[52, 'epochs=100.0']]);
    // Ints, and floats for float keys (batch, lr0, warmup_epochs), are fine.
    expect(ultralytics.extract(yaml('task: detect\nmode: train\nepochs: 100\nbatch: 16.0\nwarmup_epochs: 3.0\n'), env()).configErrors).toBeUndefined();
  });

  test('from 8.4.103 a warmup under one iteration is none: advice for a very short run turns warmup off or lengthens the run', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'trainlint-ultra-'));
    try {
      writeFileSync(path.join(root, 'train.py'), '# pip install ultralytics==8.4.110\nfrom ultralytics import YOLO\nYOLO("yolo11n.pt").train(data="coco8.yaml", epochs=3, batch=4, optimizer="Adam", lr0=0.0001, warmup_epochs=1)\n');
      const { results } = await lint({ root, paths: ['train.py'], config: {} });
      const warm = results[0].findings.filter((f) => f.ruleId === 'warmup-fraction').map((f) => f.message);
      expect(warm).toHaveLength(1);
      expect(warm[0]).toContain('a warmup is at least 1 iteration (Ultralytics rounds warmup_epochs × 1 iteration per epoch to whole iterations), so no warmup_epochs gives fewer: set warmup_epochs=0 (no warmup) or train ≥ 5 iterations (epochs = 5)');
      expect(warm[0]).not.toContain('set warmup_epochs = 1');
      // The plan shows the iteration unit on its schedulerTick line; it has no RL units.
      const text = formatPlan(results[0]);
      expect(text).toMatch(/schedulerTick +iteration/);
      expect(text).not.toContain('RL units');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('.train() keywords written but not literals are unknown and noted, never the default', () => {
    const text =
      'import os\nfrom ultralytics import YOLO\nOPT = os.environ.get("YOLO_OPT", "SGD")\n' +
      'YOLO("yolo11n.pt").train(data="coco8.yaml", epochs=50, batch=16, optimizer=OPT, lr0=0.02, device=os.environ["DEVICES"], cos_lr=args.cos, amp=args.amp)\n';
    const { plan, notes } = ultralytics.extract(parseSource('train.py', text), env());
    // The device is written: the GPUs are unknown (not "device unset: one GPU"), and so is all that divides the batch by them.
    expect(plan.worldSize).toBeUndefined();
    expect([plan.microBatchSize, plan.globalBatchSize, plan.stepsPerEpoch, plan.warmupSteps]).toEqual([undefined, undefined, undefined, undefined]);
    // The accumulation does not depend on the GPUs.
    expect(plan.gradAccumSteps?.value).toBe(4);
    expect([plan.optimizer, plan.peakLr, plan.scheduler, plan.precision]).toEqual([undefined, undefined, undefined, undefined]);
    expect(notes).toEqual(
      expect.arrayContaining([
        'device: `os.environ["DEVICES"]` is not a literal; the number of GPUs is left unknown',
        'optimizer: `OPT` is not a literal; the optimizer and its LR are left unknown',
        'cos_lr: `args.cos` is not a literal; the scheduler (cosine or linear) is left unknown',
        'amp: `args.amp` is not a literal; the precision is left unknown',
      ]),
    );
    // No cfg= in the call: no note about a cfg file.
    expect(notes.some((n) => n.startsWith('cfg='))).toBe(false);
    // A time budget that is not a literal may override epochs: the run length is unknown.
    const timed = ultralytics.extract(parseSource('train.py', 'from ultralytics import YOLO\nYOLO("a.pt").train(data="coco8.yaml", epochs=50, time=args.hours)\n'), env());
    expect(timed.plan.epochs).toBeUndefined();
    // A device string trainlint cannot count is unknown too; "cuda:0,1" is two GPUs.
    const odd = (device: string) => ultralytics.extract(parseSource('run.sh', `yolo train data=coco8.yaml device=${device}\n`), env()).plan.worldSize?.value;
    expect([odd('cuda:0,1'), odd('0,1,2,3'), odd('cpu'), odd('gpu0')]).toEqual([2, 4, 1, undefined]);
  });

  test('pyRound is Python round: halves to even', () => {
    expect([0.5, 1.5, 2.5, 2.6, 64 / 24].map(pyRound)).toEqual([0, 2, 2, 3, 3]);
  });
});

describe('static Python call reader (engine/load/python-calls.ts)', () => {
  test('keywords with literals, arithmetic, lists, names; the receiver; unread positionals', () => {
    const text = 'N = 5\nm = YOLO("a.pt")\nm.train("x", epochs=N * 2, device=[0, 1], lr0=-1e-3, name=f"r{N}", cos_lr=True)\n';
    const calls = readMethodCalls(text, 'train', loadPythonConfig(text).tree as MapNode);
    expect(calls).toHaveLength(1);
    const [c] = calls;
    expect(c.receiver).toBe('m');
    expect(c.unread).toEqual(['"x"']);
    expect(Object.fromEntries(c.keywords.map((k) => [k.name, k.value ?? k.opaque]))).toEqual({
      epochs: 10,
      device: [0, 1],
      lr0: -1e-3,
      name: '`f"r{N}"` is not a literal',
      cos_lr: true,
    });
    expect(c.keywords[0].range).toEqual({ line: 3, column: 14, endLine: 3, endColumn: 20 });
  });

  test('call arguments are evaluated by the config reader: module dicts and lists by key and index, ints, tuples; what it cannot know stays opaque', () => {
    const text = [
      "cfg = dict(epochs=30, lr=[1e-3, 1e-4])",
      "sizes = (320, 640)",
      "model.train(epochs=cfg['epochs'] * 2, lr0=cfg['lr'][1], imgsz=sizes[-1], pair=sizes, half=-0, nested=[(1, 2), [3]], aug=dict(a=1), f=compute(3), u=undefined_name)",
    ].join('\n');
    const [c] = readMethodCalls(text, 'train', loadPythonConfig(text).tree as MapNode);
    const byName = Object.fromEntries(c.keywords.map((k) => [k.name, k]));
    expect(Object.fromEntries(c.keywords.map((k) => [k.name, k.value ?? k.opaque]))).toEqual({
      epochs: 60,
      lr0: 1e-4,
      imgsz: 640,
      pair: [320, 640],
      half: 0,
      nested: [[1, 2], [3]],
      aug: '`dict(a=1)` is not a literal',
      f: '`compute(3)` is not a literal',
      u: '`undefined_name` is not a literal',
    });
    expect([byName.epochs.isInt, byName.lr0.isInt, byName.half.isInt, Object.is(byName.half.value, -0)]).toEqual([true, false, true, false]);
  });

  test('the shared Python lexer: escapes decoded as in configs, a stray closing bracket read past, calls after a string that never ends not read', () => {
    const [c] = readMethodCalls("m.train(data='C:\\\\d\\x41.yaml', name='\\N{EM DASH}', epochs=1_0)\n", 'train');
    expect(c.keywords.map((k) => k.value ?? k.opaque)).toEqual(['C:\\dA.yaml', "`'\\N{EM DASH}'` is not a literal", 10]);
    expect(readMethodCalls('x = 1)\nm.train(epochs=2)\n', 'train')[0].keywords[0].value).toBe(2);
    expect(readMethodCalls('m.train(epochs=2)\ns = "open\nm.train(epochs=3)\n', 'train').map((k) => k.keywords[0].value)).toEqual([2]);
    expect(readMethodCalls(`m.train(epochs=${'9'.repeat(400)})`, 'train')[0].keywords[0].opaque).toBeDefined();
  });

  test('unterminated strings, unbalanced brackets and deep nesting end the scan without throwing', () => {
    expect(() => readMethodCalls('m.train(epochs="3)\n', 'train')).not.toThrow();
    expect(readMethodCalls('m.train(epochs=3', 'train')).toEqual([]);
    const deep = `m.train(x=${'('.repeat(500)}1${')'.repeat(500)})`;
    expect(readMethodCalls(deep, 'train')[0].keywords[0].opaque).toBeDefined();
  });

  test('nothing in a linted script or config is executed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-ultra-'));
    try {
      const marker = path.join(dir, 'MARKER');
      writeFileSync(
        path.join(dir, 'train.py'),
        `from ultralytics import YOLO\n__import__('os').system('touch ${marker}')\nYOLO('a.pt').train(epochs=__import__('os').system('touch ${marker}'), data='coco8.yaml')\n`,
      );
      writeFileSync(path.join(dir, 'train.sh'), `yolo train epochs=$(touch ${marker}) data=coco8.yaml\n`);
      writeFileSync(path.join(dir, 'args.yaml'), `task: detect\nmode: train\nepochs: !!python/object/apply:os.system ["touch ${marker}"]\nlr0: 0.01\nlrf: 0.01\n`);
      const { results } = await lint({ root: dir, paths: ['train.py', 'train.sh', 'args.yaml'], config: {} });
      expect(results.map((r) => r.dialect?.meta.id ?? r.reason?.slice(0, 11))).toEqual(['ultralytics', 'ultralytics', 'ultralytics']);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus-wave2');
const describeCorpus = sharedDescribe(CORPUS);

describeCorpus('ultralytics corpus-wave2 sweep', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? files(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
  const claim = (p: string) => {
    const file = parseSource(path.relative(CORPUS, p), readFileSync(p, 'utf8'));
    return DIALECTS.filter((d) => d.detect(file, env()) > 0).map((d) => d.meta.id);
  };

  test('ultralytics__ultralytics: ≥ 95% of the training-argument files are ultralytics; model YAMLs get nothing', () => {
    const all = files(path.join(CORPUS, 'ultralytics__ultralytics'));
    const models = all.filter((p) => p.includes(`${path.sep}models${path.sep}`));
    const training = all.filter((p) => !models.includes(p));
    expect(training.length).toBeGreaterThanOrEqual(3);
    const right = training.filter((p) => detected(parseSource(p, readFileSync(p, 'utf8'))) === 'ultralytics');
    expect(right.length / training.length).toBeGreaterThanOrEqual(0.95);
    expect(models.length).toBeGreaterThanOrEqual(3);
    expect(models.flatMap(claim)).toEqual([]);
  });

  test('ultralytics__yolov5: the hyp files (same key names) get no dialect', () => {
    const hyps = files(path.join(CORPUS, 'ultralytics__yolov5'));
    expect(hyps.length).toBeGreaterThanOrEqual(3);
    expect(hyps.flatMap(claim)).toEqual([]);
  });
});
