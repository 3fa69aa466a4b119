/**
 * Ultralytics YOLO (v8 / 11 / 26, package `ultralytics`): training arguments from three places,
 * read the same way:
 *   - a training-args YAML (`cfg=custom.yaml`, a run's `args.yaml`, a `default.yaml` copy, a small
 *     override file of a few keys);
 *   - `yolo [TASK] train k=v …` commands in launch scripts;
 *   - literal keyword arguments of `model.train(…)` in a Python script (read statically, never run).
 * Keys, defaults and runtime behaviour: research/frameworks-wave2-vision.md §1 (ultralytics
 * `cfg/default.yaml`, `engine/trainer.py`, `cfg/__init__.py`, `utils/autobatch.py`).
 *
 * Units: `batch` is the total per iteration over all GPUs (`device`); Ultralytics accumulates
 * `max(round(nbs / batch), 1)` iterations per optimizer step. Warmup and the run are counted in
 * iterations (dataloader batches), the unit of Ultralytics' own warmup; the LR schedule is over
 * epochs. Version-dependent behaviour (the 100-iteration warmup floor until 8.4.102, AutoBatch on
 * several GPUs) follows the `ultralytics==X.Y.Z` pin the file states, else the behaviour most vendored
 * copies still have, and the plan says which version range it assumes.
 */
import type { LaunchCommand } from '../engine/launch.js';
import { readMethodCalls, type MethodCall } from '../engine/load/python-calls.js';
import { applyAssumptions, defaultSetting, derived, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount, formatSci } from '../engine/format-number.js';
import type { Range, Setting, TrainingPlan } from '../engine/types.js';
import { argsFromCall, argsFromTree, FlatArgs, type FlatArg } from './flat-args.js';
import type { ConfigError, Conflict, DatasetRequest, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { type DetectFacts, detectFacts, keyGroup } from './detect-facts.js';

/** `ultralytics/cfg/default.yaml` (research §1.3). */
export const ULTRALYTICS_DEFAULTS = {
  epochs: 100,
  batch: 16,
  nbs: 64,
  lr0: 0.01,
  lrf: 0.01,
  momentum: 0.937,
  warmupEpochs: 3.0,
  warmupBiasLr: 0.1,
  optimizer: 'auto',
  closeMosaic: 10,
  fraction: 1.0,
  /** trainer.py ≤ 8.4.102: `nw = max(round(warmup_epochs * nb), 100)`. */
  warmupFloor: 100,
};

/** Keys of Ultralytics' training arguments across 8.0–8.4 (default.yaml, plus keys later releases added). */
export const ULTRALYTICS_KEYS = new Set([
  'task', 'mode', 'model', 'data', 'epochs', 'time', 'patience', 'batch', 'imgsz', 'save', 'save_period', 'cache', 'device',
  'workers', 'project', 'name', 'exist_ok', 'pretrained', 'optimizer', 'verbose', 'seed', 'deterministic', 'single_cls', 'rect',
  'cos_lr', 'close_mosaic', 'resume', 'amp', 'fraction', 'profile', 'freeze', 'multi_scale', 'compile', 'overlap_mask', 'mask_ratio',
  'dropout', 'val', 'split', 'save_json', 'save_hybrid', 'conf', 'iou', 'max_det', 'half', 'dnn', 'plots', 'source', 'vid_stride',
  'stream_buffer', 'visualize', 'augment', 'agnostic_nms', 'classes', 'retina_masks', 'embed', 'show', 'save_frames', 'save_txt',
  'save_conf', 'save_crop', 'show_labels', 'show_conf', 'show_boxes', 'line_width', 'format', 'keras', 'optimize', 'int8', 'dynamic',
  'simplify', 'opset', 'workspace', 'nms', 'lr0', 'lrf', 'momentum', 'weight_decay', 'warmup_epochs', 'warmup_momentum',
  'warmup_bias_lr', 'box', 'cls', 'cls_pw', 'dfl', 'pose', 'kobj', 'rle', 'angle', 'label_smoothing', 'nbs', 'hsv_h', 'hsv_s',
  'hsv_v', 'degrees', 'translate', 'scale', 'shear', 'perspective', 'flipud', 'fliplr', 'bgr', 'mosaic', 'mixup', 'cutmix',
  'copy_paste', 'copy_paste_mode', 'auto_augment', 'erasing', 'crop_fraction', 'cfg', 'tracker', 'save_dir', 'end2end', 'quantize',
  'batch_size',
]);

/** Keys only Ultralytics' trainer reads (YOLOv5/v7 hyp files share lr0/lrf/warmup_*, not these). */
const DISTINCTIVE = [
  'nbs', 'close_mosaic', 'overlap_mask', 'mask_ratio', 'cos_lr', 'save_period', 'imgsz', 'dfl', 'copy_paste_mode', 'auto_augment',
  'erasing', 'retina_masks', 'show_labels', 'save_json', 'exist_ok', 'single_cls', 'vid_stride',
];
/** Keys of YOLOv5/v7/v9 hyp files (`data/hyps/hyp.scratch-low.yaml`) that Ultralytics does not have. */
const HYP_ONLY = ['obj', 'obj_pw', 'iou_t', 'anchor_t', 'fl_gamma', 'anchors', 'loss_ota'];
/** Keys that make a file a training run rather than a hyp file (epochs and batch come from train.py flags there). */
const YOLO_TASKS = new Set(['detect', 'segment', 'classify', 'pose', 'obb']);
const RUN_KEYS = ['epochs', 'batch', 'imgsz', 'nbs', 'task', 'mode', 'model', 'data', 'device'];

/**
 * Ultralytics' bundled dataset YAMLs (`ultralytics/cfg/datasets/*.yaml`): training images and
 * classes, from the dataset pages of the Ultralytics docs (coco8: 4 train + 4 val images; coco128:
 * the first 128 images of COCO train2017, train = val; COCO train2017: 118,287 images; VOC: 2007+2012
 * trainval, 16,551 images).
 */
export const ULTRALYTICS_DATASETS: Record<string, { train: number; nc: number }> = {
  'coco8.yaml': { train: 4, nc: 80 },
  'coco8-seg.yaml': { train: 4, nc: 80 },
  'coco8-pose.yaml': { train: 4, nc: 1 },
  'coco128.yaml': { train: 128, nc: 80 },
  'coco128-seg.yaml': { train: 128, nc: 80 },
  'coco.yaml': { train: 118_287, nc: 80 },
  'VOC.yaml': { train: 16_551, nc: 20 },
};

/** A pinned `ultralytics==8.4.103` (a pip line in the script, a comment in the config). */
export interface UltraVersion {
  v: [number, number, number];
  text: string;
}

const VERSION = /\bultralytics\s{0,4}==\s{0,4}(\d{1,3})\.(\d{1,4})\.(\d{1,5})\b/;

export function ultralyticsVersion(text: string): UltraVersion | undefined {
  const m = VERSION.exec(text);
  return m ? { v: [Number(m[1]), Number(m[2]), Number(m[3])], text: `ultralytics==${m[1]}.${m[2]}.${m[3]}` } : undefined;
}

function atLeast(v: UltraVersion, a: number, b: number, c: number): boolean {
  const [x, y, z] = v.v;
  return x !== a ? x > a : y !== b ? y > b : z >= c;
}

/** Python's round(): halves go to the even neighbour. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (Math.abs(d - 0.5) < 1e-12) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
}

// ── Where the arguments come from ─────────────────────────────────────────────────────────

interface Source {
  args: FlatArgs;
  anchor: Range;
  /** How the arguments were given, for notes: "yolo train", "model.train()", "the YAML". */
  form: 'yaml' | 'cli' | 'python';
  /** `cfg=x.yaml` given: keys not written here come from that file, not from the defaults. */
  cfg?: string;
  notes: string[];
  ignored: IgnoredSetting[];
  /** Whether Python holds this number as a float (`100.0`, `1e2`), as its form reads it. */
  isFloat: (a: FlatArg) => boolean;
}

/** A number written with a dot or an exponent: a float to `smart_value` and to Python (`1e2` is 100.0). */
const FLOAT_TEXT = /^[-+]?(?:\d[\d_]*\.[\d_]*|\.\d[\d_]*|\d[\d_]*(?:\.[\d_]*)?[eE][-+]?\d+)$/;

/** `smart_value` (cfg/__init__.py): none/true/false, else a Python literal, else the text. */
function smartValue(v: string): FlatArg['value'] {
  const low = v.toLowerCase();
  if (low === 'none') return null;
  if (low === 'true') return true;
  if (low === 'false') return false;
  if (/^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/.test(v)) return Number(v.replace(/_/g, ''));
  if (/^\[?\d+(?:,\d+)*\]?$/.test(v) && v.includes(',')) return v.replace(/[[\]]/g, '').split(',').map(Number);
  return v.replace(/^(['"])(.*)\1$/, '$2');
}

function yoloCommands(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter((c) => c.cli === 'yolo train');
}

function fromCommand(file: SourceFile, cmd: LaunchCommand): Source {
  const words = cmd.args.filter((a) => a.flag === '' && a.value !== undefined && a.value.includes('='));
  // entrypoint(): `cfg=` replaces the overrides collected so far; arguments after it win.
  let cfgAt = -1;
  words.forEach((a, i) => {
    if (a.value!.startsWith('cfg=')) cfgAt = i;
  });
  const args = new FlatArgs(file);
  const ignored: IgnoredSetting[] = [];
  const cfgName = cfgAt >= 0 ? words[cfgAt].value!.slice(4) : '';
  words.forEach((a, i) => {
    const eq = a.value!.indexOf('=');
    const key = a.value!.slice(0, eq);
    const text = a.value!.slice(eq + 1);
    const range = a.valueRange ?? a.flagRange;
    if (i < cfgAt && key !== 'cfg') {
      ignored.push({
        key,
        range,
        critical: CRITICAL.has(key),
        message: `${key}=${text} is dropped: \`cfg=${cfgName}\` later on the command replaces every argument before it (yolo's entrypoint), so the run uses ${key} from ${cfgName} or the default; move ${key}=${text} after cfg=`,
        data: { reason: 'before-cfg', cfg: cfgName },
      });
      return;
    }
    args.add({ key, written: key, value: smartValue(text), text, range, ...(a.viaVariable ? { note: `from $${a.viaVariable}` } : { valueRange: range }) });
  });
  const isFloat = (a: FlatArg) => typeof a.value === 'number' && FLOAT_TEXT.test(a.text.trim());
  return { args, anchor: cmd.range, form: 'cli', notes: [], ignored, isFloat, ...(cfgAt >= 0 ? { cfg: cfgName } : {}) };
}

/** Each script's calls, read once: detection, extraction and the dataset request all ask for them. */
const trainCallsOf = new WeakMap<SourceFile, readonly MethodCall[]>();

/** The `.train(…)` calls of an Ultralytics Python script. */
function trainCalls(file: SourceFile): readonly MethodCall[] {
  let calls = trainCallsOf.get(file);
  if (!calls) trainCallsOf.set(file, (calls = readMethodCalls(file.text, 'train', file.tree?.kind === 'map' ? file.tree : undefined)));
  return calls;
}

function fromCall(file: SourceFile, call: MethodCall): Source {
  const args = argsFromCall(file, call.keywords);
  const notes = call.unread.length ? [`model.train(): not read statically: ${call.unread.join('; ')}`] : [];
  const cfg = args.get('cfg');
  // The last keyword of a name is the one Python passes (a `**dict` key included).
  const floats = new Set<string>();
  for (const k of call.keywords) {
    if (typeof k.value === 'number' && k.isInt === false) floats.add(k.name);
    else floats.delete(k.name);
  }
  const isFloat = (a: FlatArg) => floats.has(a.key);
  return { args, anchor: call.range, form: 'python', notes, ignored: [], isFloat, ...(cfg ? { cfg: typeof cfg.value === 'string' ? cfg.value : cfg.text } : {}) };
}

const IS_PY_ULTRA = /\bultralytics\b/;
const IS_TRAIN_CALL = /\.train\s{0,8}\(/;

function sourceOf(file: SourceFile): { source?: Source; notes?: string[] } {
  if (file.format === 'shell') {
    const cmds = yoloCommands(file);
    if (!cmds[0]) return { notes: ['no `yolo train` command found'] };
    const source = fromCommand(file, cmds[0]);
    if (cmds.length > 1) source.notes.push(`${cmds.length} yolo train commands in this script; the first (line ${cmds[0].range.line}) is linted`);
    return { source };
  }
  if (file.format === 'python') {
    const calls = trainCalls(file);
    if (!calls[0]) return { notes: ['no .train(…) call found'] };
    const source = fromCall(file, calls[0]);
    if (calls.length > 1) source.notes.push(`${calls.length} .train(…) calls in this script; the first (line ${calls[0].range.line}) is linted`);
    return { source };
  }
  // PyYAML's floats all have a dot (`1e2` is a string, which the schema reports).
  const isFloat = (a: FlatArg) => typeof a.value === 'number' && a.node?.kind === 'scalar' && a.node.plain && a.node.source.includes('.');
  return { source: { args: argsFromTree(file, 'pyyaml'), anchor: fileStartRange(file), form: 'yaml', notes: [], ignored: [], isFloat } };
}

// ── Detection ─────────────────────────────────────────────────────────────────────────────

/** The LR schedule's own keys. */
const LR_KEYS = ['lr0', 'lrf', 'warmup_bias_lr', 'warmup_momentum'];

const RUN_GROUP = keyGroup(RUN_KEYS);
const HYP_GROUP = keyGroup(HYP_ONLY);
const DISTINCTIVE_GROUP = keyGroup(DISTINCTIVE);
const LR_GROUP = keyGroup(LR_KEYS);
const TASK_OR_MODE_GROUP = keyGroup(['task', 'mode']);

function yamlScore(facts: DetectFacts): number {
  const root = facts.root;
  if (!root || root.entries.length === 0) return 0;
  const run = facts.some(RUN_GROUP);
  // YOLOv5/v7 hyp files: same LR keys, but epochs and batch come from train.py's flags.
  if (!run && facts.some(HYP_GROUP)) return 0;
  const distinctive = facts.count(DISTINCTIVE_GROUP);
  const lrKeys = facts.count(LR_GROUP);
  if (distinctive >= 2 || (distinctive >= 1 && lrKeys >= 2)) return 5 + Math.min(4, distinctive);
  if (lrKeys >= 2 && run) return 6;
  // The first entry of a key (asked only of a file that has `task:` or `mode:`).
  const scalar = (k: string) => {
    const v = root.entries.find((e) => e.key === k)?.value;
    return v?.kind === 'scalar' ? String(v.value) : undefined;
  };
  const yoloRun = () => facts.some(TASK_OR_MODE_GROUP) && (YOLO_TASKS.has(scalar('task') ?? '') || scalar('mode') === 'train');
  // A small args or override file (`cfg/coco_s_train.yaml`): every key an Ultralytics argument.
  if (!(distinctive >= 1 || lrKeys >= 1 || yoloRun())) return 0;
  const known = root.entries.filter((e) => ULTRALYTICS_KEYS.has(e.key)).length;
  if (known === root.entries.length && known >= 3) return 5;
  return 0;
}

// ── Extraction ────────────────────────────────────────────────────────────────────────────

/** Keys whose value is the LR or the run length (an ignored one is critical). */
const CRITICAL = new Set(['lr0', 'epochs', 'time']);

/** `CFG_INT_KEYS` (cfg/__init__.py): `check_cfg(hard=True)` refuses anything but a Python int. */
export const ULTRALYTICS_INT_KEYS = ['epochs', 'patience', 'workers', 'seed', 'close_mosaic', 'mask_ratio', 'max_det', 'vid_stride', 'line_width', 'nbs', 'save_period'];

/** A float as Python prints it in check_cfg's message (`100.0`, `0.5`). */
function pyFloat(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e16 ? `${n}.0` : String(n);
}

/**
 * Floats written for int keys: Ultralytics stops before training (`check_cfg(hard=True)`: "TypeError:
 * 'epochs=100.0' is of invalid type float. 'epochs' must be an int"). A JSON Schema cannot tell `100.0`
 * from `100`, so the dialect reads how each form writes the number; a YAML float that is not whole is
 * the schema's finding (type integer).
 */
function intKeyErrors(src: Source): ConfigError[] {
  const out: ConfigError[] = [];
  for (const key of ULTRALYTICS_INT_KEYS) {
    const a = src.args.get(key);
    if (!a || typeof a.value !== 'number' || !src.isFloat(a)) continue;
    if (src.form === 'yaml' && !Number.isInteger(a.value)) continue;
    const whole = Number.isInteger(a.value) ? String(a.value) : undefined;
    const written = src.form === 'yaml' ? `${a.written}: ${a.text}` : `${a.written}=${a.text}`;
    const instead = whole ? `write ${src.form === 'yaml' ? `${a.written}: ${whole}` : `${a.written}=${whole}`}` : `write a whole number of ${key}`;
    out.push({
      range: a.valueRange ?? a.range,
      message: `${written} is a float: Ultralytics stops before training (check_cfg: "TypeError: '${key}=${pyFloat(a.value)}' is of invalid type float. '${key}' must be an int (i.e. '${key}=8')"); ${instead}`,
      data: { keyPath: [a.written], keyword: 'ultralytics-int', expected: 'int', found: 'float', ...(whole ? { replacement: whole } : {}) },
    });
  }
  return out;
}

function isDefault(a: FlatArg | undefined, value: number): boolean {
  return !!a && typeof a.value === 'number' && Math.abs(a.value - value) < 1e-12;
}

/** Whether `device` is left unset (absent, None, empty): Ultralytics then trains on one GPU or the CPU. */
function deviceUnset(args: FlatArgs): boolean {
  const a = args.get('device');
  return !a || (!a.opaque && (a.value === null || a.value === ''));
}

/** GPUs from `device` ("0,1,2,3", [0, 1], 0, "cpu", "cuda:0,1"); undefined when it is unset or cannot be read. */
function worldFromDevice(args: FlatArgs): Setting<number> | undefined {
  const a = args.get('device');
  if (!a || a.opaque || a.value === null || a.value === undefined || a.value === '') return undefined;
  let n: number | undefined;
  let how = '';
  if (Array.isArray(a.value)) {
    n = a.value.length;
    how = `device ${a.text}: ${n} GPU${n === 1 ? '' : 's'}`;
  } else if (typeof a.value === 'number') {
    n = 1;
    how = a.value === -1 ? 'device -1: one idle GPU' : `device ${a.value}: one GPU`;
  } else if (typeof a.value === 'string') {
    // select_device: `str(device).lower()`, then "cuda:" and spaces removed.
    const v = a.value.toLowerCase().replace(/cuda:|\s/g, '');
    if (v === 'cpu' || v === 'mps') {
      n = 1;
      how = `device ${a.value}: one process`;
    } else if (/^\d+(?:,\d+)*,?$/.test(v)) {
      n = v.split(',').filter((x) => x !== '').length;
      how = `device ${a.value}: ${n} GPU${n === 1 ? '' : 's'} (len(device.split(",")))`;
    }
  }
  if (n === undefined) return undefined;
  return { ...args.setting(a, n), how };
}

function extractSource(file: SourceFile, src: Source, env: ExtractEnv): Extraction {
  const { args } = src;
  const D = ULTRALYTICS_DEFAULTS;
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes = [...src.notes];
  const ignored = [...src.ignored];
  const conflicts: Conflict[] = [];
  const version = ultralyticsVersion(file.text);
  const unknownFromCfg = new Set<string>();
  // A keyword written but not readable statically (`device=os.environ["DEVICES"]`): unknown, noted once.
  const noted = new Set<string>();
  const opaque = (key: string, what = 'left unknown'): boolean => {
    const a = args.get(key);
    if (!a?.opaque) return false;
    if (!noted.has(key)) notes.push(`${key}: ${a.opaque}; ${what}`);
    noted.add(key);
    return true;
  };
  const num = (key: string, fallback: number): Setting<number> | undefined => {
    const a = args.get(key);
    if (opaque(key)) return undefined;
    if (a && a.value !== null) return args.num(key);
    if (src.cfg !== undefined) {
      unknownFromCfg.add(key);
      return undefined;
    }
    return defaultSetting(fallback, key, 'ultralytics default.yaml');
  };

  const world = worldFromDevice(args);
  if (world) plan.worldSize = world;
  applyAssumptions(plan, env.assume);
  if (!plan.worldSize) {
    const device = args.get('device');
    if (opaque('device', 'the number of GPUs is left unknown')) {
      // noted
    } else if (!deviceUnset(args)) {
      notes.push(`device ${device!.text}: not a GPU list trainlint reads ("0,1,2,3", [0, 1], 0, cpu); the number of GPUs is left unknown`);
    } else if (src.cfg !== undefined && !device) {
      unknownFromCfg.add('device');
    } else {
      plan.worldSize = defaultSetting(1, 'device', 'device unset: one GPU (or the CPU)');
    }
  }
  const W = plan.worldSize?.value;

  // batch: the total per iteration; -1 or a fraction selects AutoBatch.
  const batch = num('batch', D.batch);
  const nbs = num('nbs', D.nbs);
  let perIteration: number | undefined;
  if (batch && (batch.value === -1 || (batch.value > 0 && batch.value < 1))) {
    const what = batch.value === -1 ? 'batch -1' : `batch ${batch.value}`;
    if (W !== undefined && W > 1) {
      const autobatch =
        version === undefined
          ? `Ultralytics 8.3.204 and later refuse to start ("AutoBatch with batch<1 not supported for Multi-GPU training"); earlier versions warn and train with batch 16 (no ultralytics==X.Y.Z pin found, so the version is unknown)`
          : atLeast(version, 8, 3, 204)
            ? `${version.text} refuses to start ("AutoBatch with batch<1 not supported for Multi-GPU training")`
            : `${version.text} warns and trains with batch 16`;
      if (version !== undefined && !atLeast(version, 8, 3, 204)) {
        ignored.push({ key: 'batch', range: batch.range ?? src.anchor, message: `${what} selects AutoBatch, which works on one GPU only: on ${formatCount(W)} GPUs ${autobatch}; set a fixed batch`, data: { batch: batch.value, worldSize: W } });
        perIteration = 16;
      } else {
        conflicts.push({ kind: 'autobatch-multi-gpu', range: batch.range ?? src.anchor, message: `${what} selects AutoBatch, which works on one GPU only, with device on ${formatCount(W)} GPUs: ${autobatch}; set a fixed batch (a multiple of ${formatCount(W)})` });
      }
    } else {
      const gpus = W === undefined ? ' (the number of GPUs is unknown: on several GPUs Ultralytics 8.3.204 and later refuse AutoBatch)' : '';
      notes.push(`${what}: AutoBatch picks the batch from the GPU's free memory at start-up, so the batch and the steps per epoch are unknown${gpus}`);
    }
  } else if (batch) {
    perIteration = batch.value;
  }

  if (perIteration !== undefined && nbs && perIteration >= 1 && W === undefined) {
    // The accumulation does not depend on the GPUs; the images each GPU loads (batch // GPUs) do.
    plan.gradAccumSteps = derived(Math.max(pyRound(nbs.value / perIteration), 1), `max(round(nbs ${formatCount(nbs.value)} / batch ${formatCount(perIteration)}), 1)`, 'steps');
  } else if (perIteration !== undefined && nbs && perIteration >= 1 && W !== undefined) {
    const perGpu = Math.floor(perIteration / W);
    const used = perGpu * W;
    if (perGpu >= 1 && used !== perIteration && batch && batch.origin === 'explicit') {
      ignored.push({
        key: 'batch',
        range: batch.range ?? src.anchor,
        message: `batch ${formatCount(perIteration)} is not a multiple of the ${formatCount(W)} GPUs (${world?.how ?? 'device'}): each GPU loads ${formatCount(perIteration)} // ${formatCount(W)} = ${formatCount(perGpu)} images, so an iteration uses ${formatCount(used)}, not ${formatCount(perIteration)}; use a multiple of ${formatCount(W)}`,
        data: { batch: perIteration, worldSize: W, used },
      });
    }
    if (perGpu >= 1) {
      plan.microBatchSize = derived(perGpu, `${formatCount(perIteration)} // ${formatCount(W)} (batch is the total over the GPUs)`, 'samples');
      const accumulate = Math.max(pyRound(nbs.value / perIteration), 1);
      plan.gradAccumSteps = derived(accumulate, `max(round(nbs ${formatCount(nbs.value)} / batch ${formatCount(perIteration)}), 1)`, 'steps');
      plan.globalBatchSize = derived(used * accumulate, `${formatCount(used)} × ${formatCount(accumulate)} (images per iteration × iterations accumulated per optimizer step; ≈ nbs ${formatCount(nbs.value)} while batch ≤ nbs)`, 'samples');
    } else {
      notes.push(`batch ${formatCount(perIteration)} on ${formatCount(W)} GPUs gives each GPU 0 images (batch // world size)`);
    }
  }

  // Run length: epochs, unless `time` (hours) overrides it.
  const time = args.get('time');
  const timed = time && typeof time.value === 'number' && time.value > 0;
  const epochs = num('epochs', D.epochs);
  if (opaque('time', 'a time budget (hours) overrides epochs, so the run length is left unknown')) {
    // noted
  } else if (timed) {
    notes.push(`time ${time.text}: the run stops after ${time.text} hours and re-estimates the epochs each epoch, so the run length is unknown`);
    const written = args.get('epochs');
    if (written) {
      ignored.push({
        key: 'epochs',
        range: written.range,
        critical: true,
        message: `epochs ${written.text} is overridden by time ${time.text}: Ultralytics trains for ${time.text} hours and recomputes the epochs from the measured epoch time; remove one of them`,
        data: { epochs: written.value, time: time.value },
      });
    }
  } else if (epochs) {
    plan.epochs = withUnit(epochs, 'epochs');
  }

  // Samples and iterations per epoch. Step counts of this plan are iterations (dataloader batches).
  plan.schedulerTick = { value: 'iteration', origin: 'derived', how: 'Ultralytics counts its warmup in dataloader iterations; an optimizer step accumulates max(round(nbs / batch), 1) of them' };
  const fraction = num('fraction', D.fraction);
  const samples = plan.datasetSamples;
  let nb: Setting<number> | undefined;
  if (samples && plan.microBatchSize && perIteration !== undefined && W !== undefined) {
    const used = plan.microBatchSize.value * W;
    const f = fraction?.value ?? 1;
    const n = Math.ceil((samples.value * f) / used);
    nb = derived(n, `ceil(${formatCount(samples.value)}${f !== 1 ? ` × fraction ${f}` : ''} / ${formatCount(used)}) iterations per epoch`, 'iterations');
    if (samples.estimatedFrom) nb.estimatedFrom = samples.estimatedFrom;
    plan.stepsPerEpoch = nb;
    if (plan.epochs) {
      plan.totalSteps = derived(n * plan.epochs.value, `${formatCount(n)} iterations/epoch × ${formatCount(plan.epochs.value)} epochs (Ultralytics counts warmup in iterations)`, 'iterations');
      if (samples.estimatedFrom) plan.totalSteps.estimatedFrom = samples.estimatedFrom;
    }
  }

  // Warmup (trainer.py): ≤ 8.4.102 `max(round(warmup_epochs × nb), 100)`; ≥ 8.4.103 capped at epochs − 1, no floor.
  const warmup = num('warmup_epochs', D.warmupEpochs);
  if (warmup && nb && warmup.value > 0) {
    const modern = version !== undefined && atLeast(version, 8, 4, 103);
    const assumed = version === undefined ? ' (assumed Ultralytics ≤ 8.4.102, as most vendored copies; no ultralytics==X.Y.Z pin found)' : ` (${version.text})`;
    let steps: number;
    let how: string;
    let fractionBased: boolean;
    if (modern) {
      const e = plan.epochs?.value;
      const capped = e !== undefined ? Math.min(warmup.value, Math.max(e - 1, 0)) : warmup.value;
      steps = pyRound(capped * nb.value);
      how = `round(min(warmup_epochs ${formatCount(warmup.value)}, epochs − 1) × ${formatCount(nb.value)}) iterations${assumed}`;
      fractionBased = capped === warmup.value;
    } else {
      const raw = pyRound(warmup.value * nb.value);
      steps = Math.max(raw, D.warmupFloor);
      how = `max(round(warmup_epochs ${formatCount(warmup.value)} × ${formatCount(nb.value)}), 100) iterations: a 100-iteration floor${assumed}`;
      fractionBased = raw >= D.warmupFloor;
    }
    plan.warmupSteps = {
      value: steps,
      origin: 'derived',
      how,
      unit: 'iterations',
      ...(warmup.range ? { file: warmup.file, range: warmup.range } : {}),
      // Advice names the key in its own unit: epochs, fractions allowed.
      key: 'warmup_epochs',
      writtenAs: { unit: 'epochs', perStep: 1 / nb.value, fractional: true },
      ...(fractionBased ? { fractionOf: { fraction: warmup.value, of: `one epoch of ${formatCount(nb.value)} iterations`, ofSteps: nb.value } } : {}),
      ...(modern
        ? {
            // Whole iterations: a warmup below one is none (warmup_epochs under 0.5 / nb rounds to 0).
            floor: {
              steps: 1,
              by: `a warmup is at least 1 iteration (Ultralytics rounds warmup_epochs × ${formatCount(nb.value)} iteration${nb.value === 1 ? '' : 's'} per epoch to whole iterations)`,
              off: src.form === 'yaml' ? 'warmup_epochs: 0' : 'warmup_epochs=0',
            },
          }
        : {
            floor: {
              steps: D.warmupFloor,
              by: `Ultralytics ≤ 8.4.102 floors the warmup at ${D.warmupFloor} iterations`,
              off: src.form === 'yaml' ? 'warmup_epochs: 0' : 'warmup_epochs=0',
              otherwise: 'use ultralytics ≥ 8.4.103 (no floor)',
            },
          }),
      ...(nb.estimatedFrom ? { estimatedFrom: nb.estimatedFrom } : {}),
    };
  } else if (warmup && warmup.value > 0 && plan.epochs && warmup.value >= plan.epochs.value && !nb && !(version && atLeast(version, 8, 4, 103))) {
    // Without the dataset size the iteration counts are unknown, but this holds for any size
    // (from 8.4.103 warmup is capped at epochs − 1, so the last epoch runs at the scheduled LR).
    const which = warmup.origin === 'default' ? ' (default)' : '';
    const assumed = version ? `${version.text} has no cap` : 'Ultralytics ≤ 8.4.102, assumed without an ultralytics==X.Y.Z pin; 8.4.103 and later cap it at epochs − 1';
    conflicts.push({
      kind: 'warmup-covers-run',
      range: warmup.range ?? plan.epochs.range ?? src.anchor,
      message: `warmup_epochs ${formatCount(warmup.value)}${which} ≥ epochs ${formatCount(plan.epochs.value)}: the whole run is warmup (${assumed}), so the LR never reaches lr0 and the decay never starts; set warmup_epochs well below ${formatCount(plan.epochs.value)}`,
      data: { warmupEpochs: warmup.value, epochs: plan.epochs.value },
    });
  }

  // Optimizer and LR: `optimizer: auto` (the default) ignores lr0 and momentum.
  const opt = args.get('optimizer');
  const optName = opt && typeof opt.value === 'string' ? opt.value : opt || src.cfg !== undefined ? undefined : D.optimizer;
  if (opt && optName !== undefined) plan.optimizer = args.setting(opt, optName);
  else if (optName !== undefined) plan.optimizer = defaultSetting(D.optimizer, 'optimizer', 'ultralytics default.yaml');
  else if (opaque('optimizer', 'the optimizer and its LR are left unknown')) {
    // noted
  } else if (opt) notes.push(`optimizer ${opt.text}: not an optimizer name; the optimizer and its LR are left unknown`);
  else unknownFromCfg.add('optimizer');
  const isAuto = optName !== undefined && optName.toLowerCase() === 'auto';
  const lr0 = num('lr0', D.lr0);
  const lrf = num('lrf', D.lrf);
  if (isAuto) {
    const iterationsPer = (n: number) => Math.ceil(n / Math.max(perIteration ?? 0, nbs?.value ?? D.nbs));
    const ds = datasetOf(args);
    const choice =
      samples && plan.epochs && ds
        ? iterationsPer(samples.value) * plan.epochs.value > 10000
          ? { name: version && atLeast(version, 8, 4, 0) ? 'MuSGD' : 'SGD', lr: 0.01, how: `${formatCount(iterationsPer(samples.value) * plan.epochs.value)} iterations > 10000` }
          : { name: 'AdamW', lr: Math.round((0.002 * 5 * 1e6) / (4 + ds.nc)) / 1e6, how: `round(0.002 × 5 / (4 + nc ${ds.nc}), 6), since ${formatCount(iterationsPer(samples.value) * plan.epochs.value)} iterations ≤ 10000` }
        : undefined;
    if (choice && plan.optimizer) {
      plan.optimizer = { ...plan.optimizer, value: choice.name, origin: 'derived', how: `optimizer auto: ${choice.how}` };
      plan.peakLr = { ...derived(choice.lr, `optimizer auto picks ${choice.name} with lr ${formatSci(choice.lr)} (${choice.how})`), key: 'optimizer' };
    } else {
      notes.push('optimizer auto: Ultralytics picks SGD (or MuSGD) with lr 0.01 above 10000 iterations, else AdamW with lr 0.002 × 5 / (4 + classes); the dataset size and classes are unknown, so the LR is unknown');
    }
    const say = (key: string, def: number, what: string, critical: boolean) => {
      const a = args.get(key);
      if (!a || a.opaque || typeof a.value !== 'number') return;
      if (isDefault(a, def)) {
        notes.push(`${key} ${a.text} is ignored under optimizer auto (it equals the default, so nothing the author chose is lost)`);
        return;
      }
      ignored.push({
        key,
        range: a.range,
        critical,
        message:
          `${key} ${a.text} is ignored: with optimizer ${opt ? opt.text : 'auto (the default)'} Ultralytics chooses the optimizer and ${what} itself` +
          `${choice ? ` (here ${choice.name}, lr ${formatSci(choice.lr)})` : ''}; set optimizer to SGD, AdamW, … to use ${key} ${a.text}`,
        data: { optimizer: optName, value: a.value, ...(choice ? { effectiveOptimizer: choice.name, effectiveLr: choice.lr } : {}) },
      });
    };
    say('lr0', D.lr0, 'its LR', true);
    say('momentum', D.momentum, 'its momentum', false);
    say('warmup_bias_lr', D.warmupBiasLr, 'sets warmup_bias_lr to 0', false);
  } else if (lr0 && optName !== undefined) {
    plan.peakLr = lr0;
  }
  if (plan.peakLr && lrf && lrf.value >= 0) {
    plan.minLr = { ...derived(plan.peakLr.value * lrf.value, `lr0 ${formatSci(plan.peakLr.value)} × lrf ${lrf.value} (lrf is a fraction of lr0)`), ...(lrf.range ? { file: lrf.file, key: lrf.key, range: lrf.range } : { key: 'lrf' }) };
  }
  const cos = args.bool('cos_lr');
  if (opaque('cos_lr', 'the scheduler (cosine or linear) is left unknown')) {
    // noted
  } else if (args.get('cos_lr')) plan.scheduler = { ...args.setting(args.get('cos_lr')!, cos ? 'cosine' : 'linear'), note: 'LambdaLR stepped once per epoch' };
  else if (src.cfg === undefined) plan.scheduler = defaultSetting('linear', 'cos_lr', 'cos_lr false: linear from lr0 to lr0 × lrf over the epochs, stepped once per epoch');

  // Precision: amp True runs an AMP check and may fall back to fp32; 8.4 also takes "bf16"/"fp32".
  const amp = args.get('amp');
  if (opaque('amp', 'the precision is left unknown')) {
    // noted
  } else if (amp && amp.value !== null && amp.value !== undefined) plan.precision = args.setting(amp, amp.value === true ? 'amp' : amp.value === false ? 'fp32' : String(amp.value));
  else if (src.cfg === undefined) plan.precision = defaultSetting('amp', 'amp', 'amp true: fp16 autocast after a start-up AMP check (falls back to fp32 if it fails)');

  // Values training does not read.
  const half = args.get('half');
  if (half?.value === true) {
    ignored.push({ key: 'half', range: half.range, message: 'half is read only by val, predict and export: training precision is set by amp; remove half from the training arguments', data: {} });
  }
  const savePeriod = args.get('save_period');
  if (args.bool('save') === false && savePeriod && typeof savePeriod.value === 'number' && savePeriod.value >= 1) {
    ignored.push({ key: 'save_period', range: savePeriod.range, message: `save_period ${savePeriod.text} has no effect with save false: no checkpoint is written at all; set save true or remove save_period`, data: {} });
  }
  const closeMosaic = args.get('close_mosaic');
  if (closeMosaic && typeof closeMosaic.value === 'number' && plan.epochs && closeMosaic.value > plan.epochs.value) {
    ignored.push({
      key: 'close_mosaic',
      range: closeMosaic.range,
      message: `close_mosaic ${closeMosaic.text} > epochs ${formatCount(plan.epochs.value)}: mosaic is switched off when epoch == epochs − close_mosaic, which never happens, so mosaic stays on to the end; use close_mosaic < ${formatCount(plan.epochs.value)} (0 keeps mosaic on deliberately)`,
      data: { closeMosaic: closeMosaic.value, epochs: plan.epochs.value },
    });
  }

  opaque('data', 'the training images are unknown');
  if (unknownFromCfg.size > 0 && src.cfg !== undefined) notes.push(`cfg=${src.cfg}: ${[...unknownFromCfg].join(', ')} come from that file (linted on its own) or the defaults, so they are left unknown here`);
  if (!plan.datasetSamples) {
    missing.push({ field: 'datasetSamples', hint: 'train on a bundled dataset (data: coco8.yaml, coco128.yaml, coco.yaml, VOC.yaml), or set assume.datasetSamples to the number of training images' });
  }
  if (version === undefined) notes.push('no ultralytics==X.Y.Z pin found: version-dependent behaviour follows Ultralytics ≤ 8.4.102 (100-iteration warmup floor)');
  const configErrors = intKeyErrors(src);
  return {
    plan,
    missing,
    anchor: src.anchor,
    notes,
    conflicts,
    ignored,
    ...(configErrors.length ? { configErrors } : {}),
    // The LambdaLR ends at lr0 × lrf after `epochs`: the schedule and the run end together.
    afterDecay: 'flat',
  };
}

/** The bundled dataset `data` names, if any. */
function datasetOf(args: FlatArgs): { name: string; train: number; nc: number; arg: FlatArg } | undefined {
  const a = args.get('data');
  if (!a || typeof a.value !== 'string') return undefined;
  const base = a.value.slice(a.value.lastIndexOf('/') + 1);
  const hit = Object.hasOwn(ULTRALYTICS_DATASETS, base) ? ULTRALYTICS_DATASETS[base] : undefined;
  // A path into the repository (`data/my.yaml`) is the user's own dataset, not the bundled one.
  return hit && !a.value.includes('/') ? { name: base, ...hit, arg: a } : undefined;
}

export const ultralytics: Dialect = {
  meta: {
    id: 'ultralytics',
    formats: ['shell', 'python', 'yaml'],
    title: 'Ultralytics YOLO',
    description: 'Ultralytics training arguments: cfg/args.yaml files, `yolo train k=v` commands, and model.train(…) keyword literals in Python scripts (read statically)',
    yamlLoader: 'pyyaml',
    schema: 'ultralytics.schema.json',
  },
  detect(file, _env, facts = detectFacts(file)) {
    if (file.format === 'shell') return yoloCommands(file).length > 0 ? 10 : 0;
    if (file.format === 'python') return IS_PY_ULTRA.test(file.text) && IS_TRAIN_CALL.test(file.text) && trainCalls(file).length > 0 ? 10 : 0;
    if (file.format !== 'yaml') return 0;
    return yamlScore(facts);
  },
  extract(file, env) {
    const { source, notes } = sourceOf(file);
    if (!source) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: notes ?? [] };
    return extractSource(file, source, env);
  },
  datasets(file): DatasetRequest | undefined {
    const { source } = sourceOf(file);
    if (!source) return undefined;
    const ds = datasetOf(source.args);
    if (!ds) return undefined;
    return {
      refs: [{ kind: 'bundled', names: [ds.name], key: 'data', range: ds.arg.range, rows: ds.train, source: `Ultralytics' bundled ${ds.name}: ${formatCount(ds.train)} training images` }],
    };
  },
};
