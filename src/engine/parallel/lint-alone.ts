/**
 * What a lint worker does with one file, and the form its result crosses threads in.
 *
 * A worker lints a file through every per-file step (engine/lint-file.ts): load with what it
 * inherits, analyse, Hydra composition, dataset rows, linked files, the declared reference, the
 * rules. It does not know what other files give it (a launch script that starts it, a composition
 * that merges it, a file that only a script adds), so it also reports what the main thread needs to
 * tell: whether it has a tree and a plan, the files its compositions merged, the paths its links
 * and references looked up that are not linted files. The main thread lints such a file again
 * itself when one of those applies (engine/lint.ts).
 *
 * Trees never cross threads. A finished file keeps its text only when it has findings (the code
 * frames, baselines and `--fix` read the text at findings).
 */
import { dialectById } from '../../dialects/index.js';
import type { FileResult, LintOptions } from '../lint.js';
import { countDatasets, finishResult, linkFiles, loadAndAnalyse, pairReference, reloadLinted, withComposition, type LintedFiles, type LintRun } from '../lint-file.js';
import type { FileFormat } from '../types.js';
import { encodePayload, FinishedResult, flattened, reportGradeExtraction, reportGradePlan, type Payload } from './finished.js';
import { reportFile, reportFinding, type PrintedParts } from '../build-report.js';
import { nested } from '../../report/json.js';
import type { Spool } from './spool.js';
import { RecentMap } from '../recent-map.js';
import { resolveUnder } from '../posix-paths.js';

/** What a worker is started with. */
export interface WorkerInit {
  options: Pick<LintOptions, 'root' | 'repoRoot' | 'config' | 'cliRules' | 'schemaTexts'>;
  /** The linted files (root-relative paths), for links and references. */
  linted: string[];
  /** Their absolute paths where that is not the root joined with the path. */
  absolute: [string, string][];
  /** Keep finished results deflated (a large run, see finished.ts). */
  compress: boolean;
  /** Print each file's parts of the JSON report too (LintOptions.renderJson). */
  printJson: boolean;
}

/** A batch of files: [index in the discovery order, root-relative path, absolute path, typed a regular file by its folder's listing]. */
export interface Batch {
  id: number;
  files: [number, string, string, boolean][];
}

/** A file's result as it crosses threads (see finished.ts). */
export interface SlimResult {
  index: number;
  path: string;
  format: FileFormat;
  bom?: boolean;
  /** Only when there are findings. */
  text?: string;
  dialect?: string;
  reason?: string;
  /** The rest, report-grade, as UTF-8 JSON (finished.ts), deflated when `compressed`. */
  payload: Uint8Array;
  /** The rest as objects, for a file finished on the thread that keeps it (no encoding: `payload` is empty). */
  kept?: Payload;
  compressed?: boolean;
  /** Its parts of the JSON report, printed (WorkerInit.printJson). */
  printed?: PrintedParts;
  hasTree: boolean;
  hasPlan: boolean;
  compositions: { primary: string; files: string[] }[];
  reads: string[];
  /** The rules stopped on a usage error: the main thread lints the file again, in order. */
  redo?: boolean;
}

/** The linted files as a worker sees them: loaded again when a link or reference needs one. */
export function workerLinted(run: LintRun, init: Pick<WorkerInit, 'linted' | 'absolute'>, reads: string[]): LintedFiles {
  const paths = new Set(init.linted);
  const absolute = new Map(init.absolute);
  // A few recent files: many configs of a repository link the same DeepSpeed JSON.
  const recent = new RecentMap<string, ReturnType<typeof reloadLinted>>(32);
  return {
    has: (rel) => {
      if (paths.has(rel)) return true;
      reads.push(rel);
      return false;
    },
    file: (rel) => {
      if (!paths.has(rel)) {
        reads.push(rel);
        return undefined;
      }
      let file = recent.get(rel);
      if (!file) {
        file = reloadLinted(run, absolute.get(rel) ?? resolveUnder(run.lintRoot, rel), rel);
        recent.set(rel, file);
      }
      return file;
    },
  };
}

/** Absolute paths that are not the lint root joined with the relative path. */
export function absoluteExceptions(lintRoot: string, files: { rel: string; abs: string }[]): [string, string][] {
  return files.filter((f) => f.abs !== resolveUnder(lintRoot, f.rel)).map((f) => [f.rel, f.abs]);
}

/**
 * How a finished result is kept: deflated (a large run), with its JSON report parts printed, and
 * `inThread` when the thread that lints it keeps it (the payload stays objects, never encoded).
 */
export interface FinishHow {
  compress: boolean;
  printJson: boolean;
  inThread?: boolean;
}

/** Lint one file through every per-file step; `reads` collects the lookups outside the linted files. */
export function lintAlone(run: LintRun, index: number, rel: string, abs: string, regular: boolean, reads: string[], how: FinishHow): SlimResult {
  reads.length = 0;
  let result = loadAndAnalyse(run, abs, rel, regular);
  result = withComposition(run, result);
  countDatasets(run, result, {});
  linkFiles(run, result);
  pairReference(run, result);
  let redo = false;
  try {
    finishResult(run, result);
  } catch (err) {
    if ((err as Error).name !== 'UsageError') throw err;
    redo = true;
  }
  return toSlim(index, result, [...reads], redo, how);
}

const utf8 = new TextEncoder();

/** The buffers a result holds (they move to the main thread instead of being copied). */
export function buffersOf(slim: SlimResult): ArrayBuffer[] {
  const out = [slim.payload.buffer as ArrayBuffer];
  if (slim.printed) out.push(slim.printed.file.buffer as ArrayBuffer, ...slim.printed.findings.map((f) => f.buffer as ArrayBuffer));
  return out;
}

const EMPTY = new Uint8Array(0);

function toSlim(index: number, r: FileResult, reads: string[], redo: boolean, { compress, printJson, inThread }: FinishHow): SlimResult {
  const { file } = r;
  const composed = r.hydra?.composed;
  // The file's own plan is trimmed to what reports show wherever it is kept (on this thread too:
  // ≈ 1.3 KB less per file kept, 6 MiB at 5,000 files, for no measurable time); the extraction's
  // rule inputs and the tree are let go. Sent to another thread, the linked and reference plans
  // are trimmed too.
  // Both objects are built by assignment, in the order of their fields (the payload's JSON keeps
  // it), not from spreads of optional parts: no temporary object per part.
  const kept = {} as Payload;
  if (r.extraction) kept.extraction = reportGradeExtraction(r.extraction, r.linked !== undefined && r.linked.length > 0, inThread === true);
  if (r.linked) kept.linked = inThread ? r.linked : r.linked.map((l) => ({ ...l, plan: reportGradePlan(l.plan) }));
  if (r.reference) kept.reference = inThread ? r.reference : { ...r.reference, plan: reportGradePlan(r.reference.plan) };
  kept.findings = r.findings;
  // Kept as objects for the whole run: their messages flat, not trees of the parts they were built from.
  if (inThread) {
    for (const f of r.findings) {
      flattened(f.message);
      if (f.related) for (const rel of f.related) flattened(rel.message);
    }
  }
  kept.problems = file.problems;
  kept.directives = file.directives;
  const payload = inThread ? EMPTY : encodePayload(kept, compress);
  const slim = { index, path: file.path, format: file.format } as SlimResult;
  if (file.bom) slim.bom = true;
  if (r.findings.length > 0) slim.text = file.text;
  if (r.dialect) slim.dialect = r.dialect.meta.id;
  if (r.reason !== undefined) slim.reason = r.reason;
  slim.payload = payload;
  if (inThread) slim.kept = kept;
  else if (compress) slim.compressed = true;
  if (printJson) {
    slim.printed = {
      file: utf8.encode(nested(reportFile(r), 2)),
      findings: r.findings.map((f) => utf8.encode(nested(reportFinding(f, new Map([[file.path, file.text]]), true), 2))),
      severities: r.findings.map((f) => f.severity),
    };
  }
  slim.hasTree = file.tree !== undefined;
  slim.hasPlan = r.extraction !== undefined;
  slim.compositions = composed ? [{ primary: composed.primary, files: composed.files }] : [];
  slim.reads = reads;
  if (redo) slim.redo = redo;
  return slim;
}

/** The main thread's FileResult of a file a worker finished; `spool`: where a very large run keeps it (spool.ts). */
export function fromSlim(slim: SlimResult, spool?: Spool): FileResult {
  return new FinishedResult(
    { path: slim.path, text: slim.text ?? '', format: slim.format, bom: slim.bom },
    slim.kept ?? { bytes: slim.payload, compressed: slim.compressed === true },
    slim.dialect === undefined ? undefined : dialectById(slim.dialect),
    slim.reason,
    slim.printed,
    spool,
  );
}
