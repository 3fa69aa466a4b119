/**
 * OpenCLIP (mlfoundations/open_clip): runs are command lines in launch scripts,
 * `torchrun … -m open_clip_train.main --flag value …`. Flags and defaults follow
 * `src/open_clip_train/params.py` (research/frameworks.md §2, corpus/FACTS-open_clip.md).
 */
import type { LaunchCommand } from '../engine/launch.js';
import { argValue, flagMayBeSetBy, launcherWorldSize } from '../engine/load/shell.js';
import { applyAssumptions, defaultSetting, derived, deriveGlobalBatch, numberFromArg, stringFromArg, withUnit } from '../engine/plan.js';
import type { SourceFile } from '../engine/source.js';
import { fileStartRange } from '../engine/source.js';
import { formatCount } from '../engine/format-number.js';
import type { Setting, TrainingPlan } from '../engine/types.js';
import type { Conflict, DatasetRequest, Dialect, ExtractEnv, Extraction, IgnoredSetting, MissingField } from './types.js';
import { HiddenFlags } from './hidden-flags.js';

const MODULES = /^(?:open_clip_train|training)\.main$/;
const SCRIPT = /(?:^|\/)(?:open_clip_train|training)\/main\.py$/;
/** Flags that only OpenCLIP's parser has; two of them identify a command without the module name. */
const DISTINCTIVE = ['--train-num-samples', '--accum-freq', '--local-loss', '--gather-with-grad', '--zeroshot-frequency', '--dataset-resampled', '--lock-text', '--force-patch-dropout'];

export const OPENCLIP_DEFAULTS = {
  batchSize: 64,
  accumFreq: 1,
  lr: 5e-4,
  warmup: 10000,
  epochs: 32,
  scheduler: 'cosine',
  precision: 'amp_bf16',
  workers: 4,
};

function commandScore(cmd: LaunchCommand): number {
  if (cmd.module && MODULES.test(cmd.module)) return 10;
  if (cmd.script && SCRIPT.test(cmd.script)) return 10;
  const flags = new Set(cmd.args.map((a) => a.flag));
  const hits = DISTINCTIVE.filter((f) => flags.has(f)).length;
  return hits >= 2 ? 5 : 0;
}

function trainingCommands(file: SourceFile): LaunchCommand[] {
  return (file.script?.commands ?? []).filter((cmd) => commandScore(cmd) > 0);
}

function extractCommand(
  file: SourceFile,
  cmd: LaunchCommand,
  env: ExtractEnv,
): { plan: TrainingPlan; missing: MissingField[]; conflicts: Conflict[]; ignored: IgnoredSetting[]; notes: string[] } {
  const conflicts: Conflict[] = [];
  const ignored: IgnoredSetting[] = [];
  const plan: TrainingPlan = {};
  const missing: MissingField[] = [];
  const notes: string[] = [];
  const arg = (...flags: string[]) => argValue(cmd, ...flags);
  // A flag the command does not write, which an opaque `$EXTRA_ARGS` (or the unknown end of an array a branch
  // appends to) may set: unknown, not OpenCLIP's default.
  const hidden = new HiddenFlags();
  const unwritten = <T extends number | string>(flag: string, fallback: () => Setting<T>): Setting<T> | undefined =>
    hidden.record(flag, flagMayBeSetBy(cmd, flag)) ? undefined : fallback();

  const world = launcherWorldSize(cmd);
  if (world) {
    plan.worldSize = { value: world.value, origin: 'launcher', file: file.path, key: world.key, range: world.range, how: world.how };
  }
  // A flag that is given with a value trainlint cannot read (`--batch-size $(cmd)`) is unknown, not the default.
  const numberOr = (flag: string, integer: boolean, fallback: () => Setting<number>): Setting<number> | undefined => {
    const a = arg(flag);
    return a ? numberFromArg(file, a, integer) : unwritten(flag, fallback);
  };
  const batch = numberOr('--batch-size', true, () => defaultSetting(OPENCLIP_DEFAULTS.batchSize, '--batch-size'));
  if (batch) plan.microBatchSize = batch;
  const accum = numberOr('--accum-freq', true, () => defaultSetting(OPENCLIP_DEFAULTS.accumFreq, '--accum-freq'));
  if (accum) plan.gradAccumSteps = accum;
  const lr = numberOr('--lr', false, () => defaultSetting(OPENCLIP_DEFAULTS.lr, '--lr', 'get_default_params(): 5e-4 unless a timm optimizer is used'));
  if (lr) plan.peakLr = lr;
  const warmup = numberOr('--warmup', true, () => defaultSetting(OPENCLIP_DEFAULTS.warmup, '--warmup'));
  if (warmup) plan.warmupSteps = withUnit(warmup, 'steps');
  const epochCount = numberOr('--epochs', true, () => defaultSetting(OPENCLIP_DEFAULTS.epochs, '--epochs'));
  if (epochCount) plan.epochs = epochCount;
  const data = datasetKind(cmd);
  if (data.note) notes.push(data.note);
  const samplesArg = arg('--train-num-samples');
  const samples = numberFromArg(file, samplesArg, true);
  if (data.kind === 'csv') {
    // get_csv_dataset: the epoch is the CSV's rows (len(dataset)); --train-num-samples is never read.
    if (samplesArg) {
      ignored.push({
        key: '--train-num-samples',
        range: samplesArg.flagRange,
        message:
          `--train-num-samples ${samplesArg.value ?? ''} is ignored: --train-data is a CSV (${data.how}), and get_csv_dataset makes one epoch of its rows ` +
          '(len(dataset)); --train-num-samples sets the epoch only for webdataset; remove it (set assume.datasetSamples to the row count if the CSV is not in the repository)',
        data: { dataset: 'csv' },
      });
    }
  } else if (samples) plan.datasetSamples = withUnit(samples, 'samples');
  const stringOr = (flag: string, fallback: () => Setting<string>): Setting<string> | undefined => {
    const a = arg(flag);
    return a ? stringFromArg(file, a) : unwritten(flag, fallback);
  };
  const scheduler = stringOr('--lr-scheduler', () => defaultSetting(OPENCLIP_DEFAULTS.scheduler, '--lr-scheduler'));
  if (scheduler) plan.scheduler = scheduler;
  const precision = stringOr('--precision', () => defaultSetting(OPENCLIP_DEFAULTS.precision, '--precision'));
  if (precision) plan.precision = precision;
  const optimizer = stringOr('--opt', () => defaultSetting('adamw', '--opt', 'OpenCLIP builds torch.optim.AdamW unless a timm optimizer is chosen'));
  if (optimizer) plan.optimizer = optimizer;
  // scheduler.py: only const-cooldown reads --lr-cooldown-end; cosine always decays to 0 and
  // const keeps the LR at --lr.
  const cooldownEnd = arg('--lr-cooldown-end');
  if (!plan.scheduler) {
    // The scheduler is unknown, and with it what --lr-cooldown-end does.
  } else if (plan.scheduler.value === 'const-cooldown') {
    const minLr = numberFromArg(file, cooldownEnd);
    if (minLr) plan.minLr = minLr;
  } else {
    // cosine ignores it; another --lr-scheduler (const) switches the cooldown off explicitly: not reported.
    if (cooldownEnd && plan.scheduler.value === 'cosine') {
      const what = 'cosine always decays to 0';
      ignored.push({
        key: '--lr-cooldown-end',
        range: cooldownEnd.flagRange,
        message: `--lr-cooldown-end ${cooldownEnd.value ?? ''} has no effect with --lr-scheduler ${plan.scheduler.value}: ${what}; remove it or use --lr-scheduler const-cooldown`,
      });
    }
    if (plan.scheduler.value === 'cosine') plan.minLr = defaultSetting(0, cooldownEnd ? '--lr-scheduler' : '--lr-cooldown-end', 'cosine decays to 0');
  }
  notes.push(...hidden.notes("OpenCLIP's"));

  applyAssumptions(plan, env.assume);
  deriveGlobalBatch(plan);

  deriveSteps(file, cmd, plan, data.kind);
  const hint = (field: MissingField['field'], flag: string) => {
    const by = flagMayBeSetBy(cmd, flag);
    if (!plan[field] && by && hidden.has(by)) missing.push({ field, hint: `${by} may set ${flag}: write ${flag} on the command, or set assume.${field} in .trainlint.yml` });
  };
  hint('microBatchSize', '--batch-size');
  hint('peakLr', '--lr');
  hint('warmupSteps', '--warmup');
  hint('epochs', '--epochs');
  if (!plan.worldSize) {
    missing.push({ field: 'worldSize', hint: 'launch with torchrun --nproc_per_node N [--nnodes M], or set assume.worldSize in .trainlint.yml' });
  }
  if (!plan.datasetSamples) {
    const hint =
      data.kind === 'csv'
        ? `one epoch is the rows of the CSV ${argValue(cmd, '--train-data')?.value ?? ''}: set assume.datasetSamples in .trainlint.yml to its row count (--train-num-samples is read only for webdataset)`
        : 'pass --train-num-samples, or set assume.datasetSamples in .trainlint.yml';
    missing.push({ field: 'datasetSamples', hint });
  }
  return { plan, missing, conflicts, ignored, notes };
}

/** 'fails': `--dataset-type auto` cannot tell the type, and OpenCLIP stops at start. */
type DatasetKind = 'webdataset' | 'csv' | 'synthetic' | 'fails' | undefined;

/**
 * data.py `get_dataset_fn`: `--dataset-type` (default `auto`, which goes by the text after the last `.` of
 * `--train-data`: `csv`/`tsv` → CsvDataset, `tar` → webdataset, anything else raises "Tried to figure out dataset
 * type, but failed for extension …"). Undefined when it cannot be told (a variable, no --train-data, an opaque
 * `$EXTRA_ARGS` that may set either flag); 'fails' when auto fails (`note` says so: there is no epoch length).
 */
function datasetKind(cmd: LaunchCommand): { kind: DatasetKind; how: string; note?: string } {
  const typeArg = argValue(cmd, '--dataset-type');
  const typeBy = typeArg ? undefined : flagMayBeSetBy(cmd, '--dataset-type');
  if (typeBy) return { kind: undefined, how: `--dataset-type may be set by ${typeBy}` };
  const type = typeArg?.value ?? 'auto';
  if (type === 'csv') return { kind: 'csv', how: '--dataset-type csv' };
  if (type === 'webdataset' || type === 'webdataset-audio') return { kind: 'webdataset', how: `--dataset-type ${type}` };
  if (type === 'synthetic' || type === 'synthetic-audio') return { kind: 'synthetic', how: `--dataset-type ${type}` };
  if (type !== 'auto') return { kind: undefined, how: `--dataset-type ${type}` };
  const dataArg = argValue(cmd, '--train-data');
  const data = dataArg?.value;
  if (data === undefined || /[$`]/.test(data)) return { kind: undefined, how: '--dataset-type auto' };
  // `data_path.split('.')[-1]`: `a.tar::b.tar` ends in `tar`; `pipe:aws s3 cp …/{000..329}.tar -` in `tar -`.
  const ext = data.slice(data.lastIndexOf('.') + 1);
  if (ext === 'csv' || ext === 'tsv') return { kind: 'csv', how: `a .${ext} file with --dataset-type auto` };
  if (ext === 'tar') return { kind: 'webdataset', how: '.tar shards with --dataset-type auto' };
  const said = data.includes('.') ? `"${ext}"` : 'no extension';
  return {
    kind: 'fails',
    how: '--dataset-type auto',
    note:
      `--train-data ${JSON.stringify(data)} with --dataset-type auto (the default): get_dataset_fn goes by the text after its last "." (${said}), ` +
      'which is neither csv/tsv nor tar, so OpenCLIP stops at start ("Tried to figure out dataset type, but failed for extension …"); ' +
      'add --dataset-type webdataset (or csv). The dataset type, and with it the epoch length, is left unknown',
  };
}

/**
 * Optimizer steps per epoch and in total (main.py: total = (num_batches // accum_freq) × epochs), with the
 * dataloader length data.py gives:
 * - webdataset (get_wds_dataset, floor=False for training): ceil(num_samples / (batch × world)), rounded up to a
 *   multiple of the dataloader workers;
 * - CSV and synthetic data (a map-style dataset with DistributedSampler and drop_last=True): len(dataloader) =
 *   floor(ceil(rows / world) / batch).
 */
function deriveSteps(file: SourceFile, cmd: LaunchCommand, plan: TrainingPlan, kind: DatasetKind): void {
  const { datasetSamples, microBatchSize, worldSize, gradAccumSteps, epochs } = plan;
  if (!datasetSamples || !microBatchSize || !worldSize || !gradAccumSteps || kind === 'fails') return;
  let batches: number;
  let how: string;
  if (kind === 'csv' || kind === 'synthetic') {
    const perRank = Math.ceil(datasetSamples.value / worldSize.value);
    batches = Math.floor(perRank / microBatchSize.value);
    how =
      worldSize.value === 1
        ? `floor(${formatCount(datasetSamples.value)} / ${formatCount(microBatchSize.value)})`
        : `floor(ceil(${formatCount(datasetSamples.value)} / ${formatCount(worldSize.value)}) / ${formatCount(microBatchSize.value)})`;
  } else {
    const perStep = microBatchSize.value * worldSize.value;
    batches = Math.ceil(datasetSamples.value / perStep);
    how = `ceil(${formatCount(datasetSamples.value)} / ${formatCount(perStep)})`;
    const workers = webdatasetWorkers(file, cmd, kind);
    // The dataloader worker count rounds the epoch, and an opaque `$EXTRA_ARGS` may set it.
    if (kind === 'webdataset' && !workers) return;
    if (workers && batches % workers.value !== 0) {
      const rounded = Math.ceil(batches / workers.value) * workers.value;
      how = `${how} = ${batches}, rounded up to a multiple of ${workers.text}`;
      batches = rounded;
    }
  }
  const stepsPerEpoch = Math.floor(batches / gradAccumSteps.value);
  if (gradAccumSteps.value !== 1) how = `(${how}) // ${formatCount(gradAccumSteps.value)}`;
  plan.stepsPerEpoch = derived(stepsPerEpoch, how, 'steps');
  if (epochs) {
    const simple = !how.includes('rounded') && gradAccumSteps.value === 1;
    plan.totalSteps = derived(
      stepsPerEpoch * epochs.value,
      simple ? `${how} × ${formatCount(epochs.value)}` : `${stepsPerEpoch} steps/epoch × ${formatCount(epochs.value)} epochs; ${stepsPerEpoch} = ${how}`,
      'steps',
    );
  }
}

/** Dataloader workers per GPU when the webdataset pipeline rounds batches per epoch (data.py). */
function webdatasetWorkers(file: SourceFile, cmd: LaunchCommand, kind: DatasetKind): { value: number; text: string } | undefined {
  if (kind !== 'webdataset') return undefined;
  const written = argValue(cmd, '--workers');
  const explicit = numberFromArg(file, written, true);
  if (explicit) return { value: Math.max(1, explicit.value), text: `--workers ${formatCount(explicit.value)}` };
  if (written || flagMayBeSetBy(cmd, '--workers')) return undefined;
  return { value: OPENCLIP_DEFAULTS.workers, text: `${OPENCLIP_DEFAULTS.workers} workers (--workers default)` };
}

/** A CSV `--train-data` in the repository: its rows are one epoch (get_csv_dataset), counted by the engine. */
function csvDataset(file: SourceFile): DatasetRequest | undefined {
  const cmd = trainingCommands(file)[0];
  if (!cmd || datasetKind(cmd).kind !== 'csv') return undefined;
  const data = argValue(cmd, '--train-data');
  if (!data?.value) return undefined;
  return { refs: [{ kind: 'path', names: [data.value], key: '--train-data', range: data.flagRange }] };
}

export const openclip: Dialect = {
  meta: {
    id: 'openclip',
    formats: ['shell'],
    title: 'OpenCLIP',
    description: 'launch scripts running open_clip_train.main (torchrun, python -m, srun)',
    yamlLoader: 'pyyaml',
  },
  datasets: csvDataset,
  detect(file) {
    if (file.format !== 'shell') return 0;
    return (file.script?.commands ?? []).reduce((best, cmd) => Math.max(best, commandScore(cmd)), 0);
  },
  extract(file, env): Extraction {
    const commands = trainingCommands(file);
    const cmd = commands[0];
    if (!cmd) return { plan: {}, missing: [], anchor: fileStartRange(file), notes: ['no OpenCLIP training command found'] };
    const { plan, missing, conflicts, ignored, notes } = extractCommand(file, cmd, env);
    // A file sourced before the command that trainlint could not read may set the variables the command uses.
    for (const src of file.script?.sources ?? []) {
      if (!src.read && src.range.line < cmd.range.line) notes.push(`line ${src.range.line}: source ${src.path} was not read (${src.why}): the variables it may set keep the script's values`);
    }
    if (commands.length > 1) notes.unshift(`${commands.length} OpenCLIP commands in this script; the first (line ${cmd.range.line}) is linted`);
    return { plan, missing, anchor: cmd.range, notes, conflicts, ignored };
  },
};
