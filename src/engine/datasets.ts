/**
 * Dataset sizes: the training samples a config's data gives, counted from what the repository holds
 * (origin 'dataset'). A dialect says what the config trains on (`Dialect.datasets`, pure); this
 * module finds the files through the one path resolver (engine/repo-files.ts), counts their rows
 * (engine/dataset-rows.ts), looks up framework-bundled and popular public datasets
 * (engine/dataset-catalog.ts), applies per-dataset caps, mixture fractions and the validation split,
 * and returns the count as an upper bound: packing and filtering only lower the number of samples.
 */
import type { DatasetRef, DatasetRequest } from '../dialects/types.js';
import { publicDatasetRows } from './dataset-catalog.js';
import { countRows, DATASET_MAX_BYTES, type RowCount } from './dataset-rows.js';
import { formatCount } from './format-number.js';
import { describeTried, readBounded, resolveWritten, type PathBase, type PathChecks, type RepoRoot, type Resolution } from './repo-files.js';
import type { Setting } from './types.js';
import { RecentMap } from './recent-map.js';

export interface DatasetContext {
  repo: RepoRoot;
  /** Base folders for relative paths: the launcher's working directory, then the config's folder. */
  bases: PathBase[];
  /** How an absolute path is shown (root-relative). */
  show: (abs: string) => string;
  /** Byte limit for reading `dataset_info.json`. */
  maxBytes: number;
  /** Byte limit for counting a dataset file. */
  datasetMaxBytes?: number;
  /** The run's path checks already made (the same dataset files are looked up config after config). */
  checks?: PathChecks;
  /** The dataset files and catalogs the run has read already (for contexts of one run: the same limits and `show`). */
  reads?: DatasetReads;
}

export type DatasetEstimate = { ok: true; setting: Setting<number>; label: string } | { ok: false; why: string };

type Counted = { ok: true; rows: number; text: string; label: string } | { ok: false; why: string };

/** Most datasets one config may name for a count (a mixture is a handful; a hostile list is thousands). */
export const MAX_DATASET_REFS = 256;

type Catalog = { entries: unknown } | { why: string };

/**
 * The row counts and catalogs (`dataset_info.json`, parsed) read so far, by absolute path: a file
 * named many times is read and counted once. One lint run keeps one (the configs of a folder name
 * the same files, and a config that several launch commands run is counted for each); an estimate
 * without it has its own. At most `rowsLimit` counts and `catalogsLimit` catalogs (a catalog may be
 * large) are kept, the most recently read (engine/recent-map.ts).
 */
export class DatasetReads {
  readonly rows: RecentMap<string, RowCount>;
  readonly catalogs: RecentMap<string, Catalog>;

  constructor(rowsLimit = 4096, catalogsLimit = 8) {
    this.rows = new RecentMap(rowsLimit);
    this.catalogs = new RecentMap(catalogsLimit);
  }
}

function countOnce(abs: string, ctx: DatasetContext, seen: DatasetReads): RowCount {
  let n = seen.rows.get(abs);
  if (!n) {
    n = countRows(abs, ctx.datasetMaxBytes ?? DATASET_MAX_BYTES);
    seen.rows.set(abs, n);
  }
  return n;
}

function countPath(names: string[], ctx: DatasetContext, seen: DatasetReads, bases = ctx.bases): Counted {
  const local = countLocal(names, ctx, seen, bases);
  return 'tried' in local ? { ok: false, why: `${names.join(' or ')} not found inside the repository (tried ${describeTried(local.tried)})` } : local;
}

/** `countPath`, except that when no name is found it gives the candidates tried, not the message. */
function countLocal(names: string[], ctx: DatasetContext, seen: DatasetReads, bases = ctx.bases): Counted | { ok: false; tried: Resolution['tried'] } {
  const tried: Resolution['tried'] = [];
  for (const name of names) {
    const r = resolveWritten(ctx.repo, name, bases, ctx.checks);
    if (!r.found) {
      tried.push(...r.tried);
      continue;
    }
    const shown = ctx.show(r.found.abs);
    const n = countOnce(r.found.abs, ctx, seen);
    if (!n.ok) return { ok: false, why: `${shown}: ${n.why}` };
    return { ok: true, rows: n.rows, text: `${formatCount(n.rows)} rows in ${shown}`, label: shown };
  }
  return { ok: false, tried };
}

function countHub(id: string, split = 'train'): Counted {
  const known = publicDatasetRows(id, split);
  if (!known) return { ok: false, why: `${id} (${split}) is not in trainlint's table of public datasets` };
  return { ok: true, rows: known.rows, text: `${formatCount(known.rows)} rows in ${id} ${split} (${known.source})`, label: `${id} ${split}` };
}

/** LLaMA-Factory: the `dataset_info.json` entry of `name` in `dir`, then its file or hub id. */
function countCatalog(name: string, dir: string, ctx: DatasetContext, seen: DatasetReads): Counted {
  const info = resolveWritten(ctx.repo, `${dir}/dataset_info.json`, ctx.bases, ctx.checks);
  if (!info.found) return { ok: false, why: `${dir}/dataset_info.json not found inside the repository (tried ${describeTried(info.tried)})` };
  let catalog = seen.catalogs.get(info.found.abs);
  if (!catalog) {
    catalog = readCatalog(info.found.abs, ctx);
    seen.catalogs.set(info.found.abs, catalog);
  }
  if ('why' in catalog) return { ok: false, why: catalog.why };
  const entries = catalog.entries;
  const entry = entries && typeof entries === 'object' && Object.hasOwn(entries, name) ? (entries as Record<string, unknown>)[name] : undefined;
  if (!entry || typeof entry !== 'object') return { ok: false, why: `${name} is not an entry of ${ctx.show(info.found.abs)}` };
  const e = entry as Record<string, unknown>;
  if (typeof e.file_name === 'string') {
    // data/loader.py: os.path.join(dataset_dir, file_name), relative to where the CLI runs.
    const base: PathBase = { dir: info.found.rel.slice(0, info.found.rel.lastIndexOf('/')) || '.', label: `the folder of ${ctx.show(info.found.abs)}` };
    const counted = countPath([e.file_name], ctx, seen, [base]);
    return counted.ok ? { ...counted, text: `${counted.text} (${name} in ${ctx.show(info.found.abs)})` } : counted;
  }
  if (typeof e.hf_hub_url === 'string') return countHub(e.hf_hub_url, typeof e.split === 'string' ? e.split : 'train');
  return { ok: false, why: `${name} in ${ctx.show(info.found.abs)} has no file_name or hf_hub_url that trainlint can count` };
}

/** `dataset_info.json`, parsed. */
function readCatalog(abs: string, ctx: DatasetContext): Catalog {
  const read = readBounded(abs, ctx.maxBytes);
  if (!read.ok) return { why: `${ctx.show(abs)}: ${read.why}` };
  try {
    return { entries: JSON.parse(read.bytes.toString('utf8')) };
  } catch {
    return { why: `${ctx.show(abs)} is not valid JSON` };
  }
}

function countRef(ref: DatasetRef, req: DatasetRequest, ctx: DatasetContext, seen: DatasetReads): Counted {
  let counted: Counted;
  switch (ref.kind) {
    case 'path':
      counted = countPath(ref.names, ctx, seen);
      break;
    case 'hub':
      counted = countHub(ref.names[0], ref.split);
      break;
    case 'path-or-hub': {
      // A name not found in the repository (or a file whose count failed with "not found" in its
      // reason) is a hub id: the candidates tried are not part of the message.
      const local = countLocal(ref.names, ctx, seen);
      if (local.ok || ('why' in local && !/not found/.test(local.why))) counted = local;
      else {
        const hub = countHub(ref.names[0], ref.split);
        counted = hub.ok ? hub : { ok: false, why: `${ref.names[0]}: not a file in the repository, and ${hub.why}` };
      }
      break;
    }
    case 'catalog':
      counted = countCatalog(ref.names[0], req.catalogDir ?? 'data', ctx, seen);
      break;
    case 'bundled':
      counted = ref.rows !== undefined ? { ok: true, rows: ref.rows, text: `${formatCount(ref.rows)} rows (${ref.source ?? ref.names[0]})`, label: ref.names[0] } : { ok: false, why: `${ref.names[0]}: size unknown` };
      break;
  }
  if (!counted.ok) return counted;
  let { rows, text } = counted;
  if (ref.fraction !== undefined) {
    rows = Math.floor(rows * ref.fraction);
    text = `${text} × ${ref.fraction} = ${formatCount(rows)}`;
  }
  if (ref.maxSamples && rows > ref.maxSamples.value) {
    rows = ref.maxSamples.value;
    text = `${text}, cut to ${ref.maxSamples.key} ${formatCount(rows)}`;
  }
  return { ok: true, rows, text, label: counted.label };
}

/** The training samples a request gives, at most: an upper bound, with how it was counted. */
export function estimateDatasetSamples(req: DatasetRequest, ctx: DatasetContext): DatasetEstimate {
  if (req.skip) return { ok: false, why: req.skip };
  if (req.refs.length === 0) return { ok: false, why: 'no dataset named' };
  if (req.refs.length > MAX_DATASET_REFS) return { ok: false, why: `${req.refs.length} datasets named, more than the ${MAX_DATASET_REFS} trainlint counts` };
  const parts: { rows: number; text: string; label: string }[] = [];
  const seen = ctx.reads ?? new DatasetReads();
  for (const ref of req.refs) {
    const c = countRef(ref, req, ctx, seen);
    if (!c.ok) return { ok: false, why: c.why };
    parts.push(c);
  }
  let total = parts.reduce((a, p) => a + p.rows, 0);
  let how = parts.map((p) => p.text).join(' + ');
  const v = req.validation;
  if (v && total > 0) {
    const held = v.value >= 1 ? Math.floor(v.value) : v.rounding === 'ceil' ? Math.ceil(total * v.value) : Math.floor(total * v.value);
    const kept = Math.max(0, total - held);
    how = `${how} − ${formatCount(held)} validation rows (${v.key} ${v.value}) = ${formatCount(kept)}`;
    total = kept;
  }
  const label = parts.length === 1 ? parts[0].label : `${parts.length} datasets`;
  const first = req.refs[0];
  return {
    ok: true,
    label,
    setting: {
      value: total,
      origin: 'dataset',
      unit: 'samples',
      key: first.key,
      range: first.range,
      how,
      bound: 'upper',
      estimatedFrom: label,
      note: 'rows before packing and filtering: an upper bound on the training samples',
    },
  };
}
