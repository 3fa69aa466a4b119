/**
 * The training data each dialect's configs name, as `DatasetRequest`s for the engine's row count
 * (engine/datasets.ts). Pure: reading and counting the files is the engine's job. A dialect whose
 * rows are not samples (pretraining text that is concatenated and cut into blocks) says so instead.
 */
import type { SourceFile } from '../engine/source.js';
import { getIn, type ConfigNode } from '../engine/tree.js';
import type { Range } from '../engine/types.js';
import type { DatasetRef, DatasetRequest } from './types.js';

interface Str {
  value: string;
  key: string;
  range: Range;
}

function str(root: ConfigNode | undefined, keyPath: (string | number)[], label?: string): Str | undefined {
  const hit = getIn(root, keyPath);
  if (!hit || hit.node.kind !== 'scalar' || typeof hit.node.value !== 'string') return undefined;
  const value = hit.node.value.trim();
  // The label (the key path by default) is made only for a hit.
  return value ? { value, key: label ?? keyPath.join('.'), range: hit.keyRange } : undefined;
}

function num(root: ConfigNode | undefined, keyPath: (string | number)[]): number | undefined {
  const hit = getIn(root, keyPath);
  if (!hit || hit.node.kind !== 'scalar') return undefined;
  const v = typeof hit.node.value === 'number' ? hit.node.value : typeof hit.node.value === 'string' ? Number(hit.node.value) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

function bool(root: ConfigNode | undefined, keyPath: (string | number)[]): boolean {
  const hit = getIn(root, keyPath);
  return hit?.node.kind === 'scalar' && hit.node.value === true;
}

/** A validation split written as a fraction (< 1) or a count (≥ 1); 0 or absent is none. */
function validation(root: ConfigNode | undefined, key: string, rounding: 'ceil' | 'floor'): DatasetRequest['validation'] {
  const v = num(root, key.split('.'));
  return v !== undefined && v > 0 ? { value: v, key, rounding } : undefined;
}

/** A written dataset path looks like a local file (has a data extension or a folder prefix) rather than a hub id. */
const LOCAL = /\.(jsonl?|ndjson|csv|tsv|parquet)$|^\.{0,2}\//i;

/**
 * LLaMA-Factory: `dataset: a,b` names entries of `{dataset_dir}/dataset_info.json` (dataset_dir
 * defaults to `data`); `max_samples` truncates each dataset; `val_size` splits with
 * `train_test_split`. Pretraining (`stage: pt`) concatenates texts into `cutoff_len` blocks, and
 * streaming has no length.
 */
export function llamaFactoryDatasets(file: SourceFile): DatasetRequest | undefined {
  const root = file.tree;
  const dataset = str(root, ['dataset']);
  if (!dataset) return undefined;
  if (str(root, ['stage'])?.value === 'pt') return { refs: [], skip: 'stage pt concatenates the texts into cutoff_len blocks: rows are not samples' };
  if (bool(root, ['streaming'])) return { refs: [], skip: 'streaming datasets have no length' };
  const dir = str(root, ['dataset_dir'])?.value ?? 'data';
  if (dir === 'ONLINE') return { refs: [], skip: 'dataset_dir ONLINE: the datasets are on the hub' };
  const max = num(root, ['max_samples']);
  const maxSamples = max !== undefined && max > 0 ? { value: max, key: 'max_samples' } : undefined;
  const refs: DatasetRef[] = dataset.value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((name) => ({ kind: 'catalog', names: [name], key: 'dataset', range: dataset.range, ...(maxSamples ? { maxSamples } : {}) }));
  return { refs, catalogDir: dir, validation: validation(root, 'val_size', 'ceil') };
}

/** litgpt's bundled data modules with a fixed size (litgpt/data/*.py). */
const LITGPT_BUNDLED: Record<string, { hub: string; valFraction: number; rounding: 'ceil' | 'floor' }> = {
  // alpaca_2k.py: load_dataset("mhenrichsen/alpaca_2k_test")["train"].train_test_split(test_size=0.05).
  Alpaca2k: { hub: 'mhenrichsen/alpaca_2k_test', valFraction: 0.05, rounding: 'ceil' },
};

/**
 * litgpt `data:`: a class path (`litgpt.data.Alpaca2k`, or its short name) with `init_args`.
 * `JSON` reads `json_path` (a file, or a folder with train.json/train.jsonl) and splits a single
 * file with torch `random_split` (val_split_fraction, default 0.05). Pretraining modules
 * (TextFiles, OpenWebText, TinyLlama…) chunk text into blocks.
 */
export function litgptDatasets(file: SourceFile): DatasetRequest | undefined {
  const root = file.tree;
  const data = getIn(root, ['data']);
  if (!data) return undefined;
  const cls = str(root, ['data', 'class_path'], 'data.class_path') ?? (data.node.kind === 'scalar' ? str(root, ['data'], 'data') : undefined);
  if (!cls) return undefined;
  const name = cls.value.replace(/^litgpt\.data\./, '');
  const args = (k: string): (string | number)[] => ['data', 'init_args', k];
  const bundled = Object.hasOwn(LITGPT_BUNDLED, name) ? LITGPT_BUNDLED[name] : undefined;
  if (bundled) {
    const frac = num(root, args('val_split_fraction')) ?? bundled.valFraction;
    return {
      refs: [{ kind: 'hub', names: [bundled.hub], key: cls.key, range: cls.range, split: 'train' }],
      validation: { value: frac, key: 'data.init_args.val_split_fraction', rounding: bundled.rounding },
    };
  }
  if (name === 'JSON') {
    const jsonPath = str(root, args('json_path'), 'data.init_args.json_path');
    if (!jsonPath) return undefined;
    const isFile = /\.jsonl?$/i.test(jsonPath.value);
    const dir = trimTrailingSlashes(jsonPath.value);
    const names = isFile ? [jsonPath.value] : [`${dir}/train.json`, `${dir}/train.jsonl`];
    const frac = num(root, args('val_split_fraction'));
    return {
      refs: [{ kind: 'path', names, key: jsonPath.key, range: jsonPath.range }],
      ...(isFile ? { validation: { value: frac ?? 0.05, key: 'data.init_args.val_split_fraction', rounding: 'floor' as const } } : {}),
    };
  }
  if (/^(TextFiles|OpenWebText|TinyLlama|TinyStories|LitData|MicroLlama)$/.test(name)) return { refs: [], skip: `${name} is pretraining text cut into blocks: rows are not samples` };
  return undefined;
}

/**
 * axolotl `datasets:` (each `path:` a local file when it exists, else a hub id, `split:`
 * default train) and `val_set_size` (train_test_split). `pretraining_dataset` streams.
 */
export function axolotlDatasets(file: SourceFile): DatasetRequest | undefined {
  const root = file.tree;
  if (getIn(root, ['pretraining_dataset'])) return { refs: [], skip: 'pretraining_dataset streams and chunks text: rows are not samples' };
  const list = getIn(root, ['datasets']);
  if (!list || list.node.kind !== 'seq') return undefined;
  const refs: DatasetRef[] = [];
  for (let i = 0; i < list.node.items.length; i++) {
    const p = str(root, ['datasets', i, 'path'], `datasets[${i}].path`);
    if (!p) return undefined;
    const dataFiles = str(root, ['datasets', i, 'data_files'], `datasets[${i}].data_files`);
    const split = str(root, ['datasets', i, 'split'])?.value ?? 'train';
    if (dataFiles) refs.push({ kind: 'path', names: [dataFiles.value], key: dataFiles.key, range: dataFiles.range });
    else refs.push({ kind: LOCAL.test(p.value) ? 'path' : 'path-or-hub', names: [p.value], key: p.key, range: p.range, split });
  }
  return { refs, validation: validation(root, 'val_set_size', 'ceil') };
}

/**
 * Hugging Face Trainer configs read by TRL / alignment-handbook scripts: `dataset_name` with
 * `dataset_train_split` (TRL ScriptArguments, default train), `dataset_mixer` with
 * `dataset_splits` (alignment-handbook: a fraction of each dataset), or `train_file` (run_clm-style
 * scripts).
 */
export function hfTrainerDatasets(file: SourceFile): DatasetRequest | undefined {
  const root = file.tree;
  const trainFile = str(root, ['train_file']);
  if (trainFile) return { refs: [{ kind: 'path', names: [trainFile.value], key: trainFile.key, range: trainFile.range }] };
  const name = str(root, ['dataset_name']);
  if (name) {
    const split = str(root, ['dataset_train_split'])?.value ?? 'train';
    return { refs: [{ kind: LOCAL.test(name.value) ? 'path' : 'path-or-hub', names: [name.value], key: name.key, range: name.range, split }] };
  }
  const mixer = getIn(root, ['dataset_mixer']);
  if (mixer?.node.kind === 'map') {
    const splits = getIn(root, ['dataset_splits']);
    const trainSplit =
      splits?.node.kind === 'seq'
        ? splits.node.items.map((n) => (n.kind === 'scalar' ? String(n.value) : '')).find((s) => s.startsWith('train'))
        : undefined;
    const refs: DatasetRef[] = [];
    for (const entry of mixer.node.entries) {
      const fraction = entry.value.kind === 'scalar' && typeof entry.value.value === 'number' ? entry.value.value : undefined;
      if (fraction === undefined || fraction <= 0) return undefined;
      refs.push({ kind: 'path-or-hub', names: [entry.key], key: `dataset_mixer.${entry.key}`, range: entry.keyRange, split: trainSplit ?? 'train', ...(fraction < 1 ? { fraction } : {}) });
    }
    return refs.length ? { refs } : undefined;
  }
  return undefined;
}

/** torchtune dataset builders and the hub datasets they load by default (torchtune/datasets/*.py). */
const TORCHTUNE_BUILDERS: Record<string, string> = {
  'torchtune.datasets.alpaca_dataset': 'tatsu-lab/alpaca',
  'torchtune.datasets.alpaca_cleaned_dataset': 'yahma/alpaca-cleaned',
};

/**
 * torchtune `dataset:` (one builder, or a list of them): a named builder with its default
 * source, or a generic builder (`instruct_dataset`, `chat_dataset`…) with `source: json` and
 * `data_files`, or a hub `source` with `split` (default train).
 */
export function torchtuneDatasets(file: SourceFile): DatasetRequest | undefined {
  const root = file.tree;
  const ds = getIn(root, ['dataset']);
  if (!ds) return undefined;
  // Each builder's node, read from once (not the whole key path from the root for each key).
  const builders: ConfigNode[] = ds.node.kind === 'seq' ? ds.node.items : [ds.node];
  const seq = ds.node.kind === 'seq';
  const refs: DatasetRef[] = [];
  for (let i = 0; i < builders.length; i++) {
    const node = builders[i];
    const prefix = seq ? `dataset.${i}.` : 'dataset.';
    const component = str(node, ['_component_'], `${prefix}_component_`);
    if (!component) return undefined;
    const source = str(node, ['source'], `${prefix}source`);
    const dataFiles = str(node, ['data_files'], `${prefix}data_files`);
    const split = str(node, ['split'], '')?.value ?? 'train';
    if (isTextBlocks(component.value)) return { refs: [], skip: `${component.value} is text cut into blocks: rows are not samples` };
    if (dataFiles && (!source || isFileFormat(source.value))) refs.push({ kind: 'path', names: [dataFiles.value], key: dataFiles.key, range: dataFiles.range });
    else if (source && !isFileFormat(source.value)) refs.push({ kind: 'path-or-hub', names: [source.value], key: source.key, range: source.range, split });
    else if (Object.hasOwn(TORCHTUNE_BUILDERS, component.value)) refs.push({ kind: 'hub', names: [TORCHTUNE_BUILDERS[component.value]], key: component.key, range: component.range, split });
    else return undefined;
  }
  return refs.length ? { refs } : undefined;
}

/** `/text_completion_dataset|cnn_dailymail|wikitext/.test(name)`, without a regular expression. */
const isTextBlocks = (name: string): boolean => name.includes('text_completion_dataset') || name.includes('cnn_dailymail') || name.includes('wikitext');

/** `/^(json|csv|parquet|text)$/.test(source)`: a loader of local files. */
const isFileFormat = (source: string): boolean => source === 'json' || source === 'csv' || source === 'parquet' || source === 'text';

/** `data/` → `data` (a loop: a regex on a run of slashes not at the end would retry at every slash). */
function trimTrailingSlashes(p: string): string {
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 0x2f) end--;
  return p.slice(0, end);
}
