/**
 * Lint workers (worker_threads) over batches of files, for `lint()`.
 *
 * The main thread discovers the files and hands the structured configs out in batches, a few per
 * worker at a time, so that a slow file does not leave a core idle. It loads the launch scripts
 * itself (their links are cross-file work), lints batches until the first worker is up, and then
 * only collects: the workers' heaps are bounded (WORKER_HEAP), the main thread's is not. Results are put back at the file's place in
 * the discovery order, whatever order they arrive in, so the reports are those of a serial run.
 * A worker that fails, or a batch whose results cannot be sent, is linted on the main thread.
 *
 * Workers exist only where an entry registered its own file as the worker script
 * (`setLintWorkerScript`: dist/cli.js, dist/action-main.js); elsewhere (the Jest suite, library
 * use) `lint()` runs serially.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from '../discover.js';
import type { FileResult, LintOptions } from '../lint.js';
import { createLintRun, loadAndAnalyse, type LintRun } from '../lint-file.js';
import { formatOf } from '../load-file.js';
import { absoluteExceptions, fromSlim, lintAlone, workerLinted, type Batch, type FinishHow, type SlimResult, type WorkerInit } from './lint-alone.js';
import { Spool } from './spool.js';
import { growYoungGeneration, youngGenerationCheck } from '../../v8-tuning.js';
import { WORKER_ARG, WORKER_KEY, type FromWorker, type ToWorker } from './worker.js';

/**
 * Below this many files a run stays on one thread unless `jobs` asks for workers: starting a
 * worker (loading the bundle) costs about what linting 150 files does (see docs/performance.md).
 */
export const PARALLEL_MIN_FILES = 400;
/** At most this many workers by default (a GitHub-hosted runner has 4 cores). */
export const DEFAULT_MAX_WORKERS = 4;
/**
 * Workers by default only with this many cores or more. On the project's 2-core machine two
 * workers were slower than one thread in every measurement (5,000 files: 4.0–6.1 s against
 * 3.2–4.9 s, with about 55% more CPU; docs/performance.md), so there `--jobs 2` asks for them.
 */
export const DEFAULT_MIN_CORES = 3;
/**
 * `compactFromFiles`: a run without workers of at least this many files finishes each structured
 * config as a worker does, on this thread (`finishesHere`), so that it keeps only the compact
 * results (finished.ts) instead of every file's text, tree and extraction until the report.
 * `compressFromFiles`: from this many files on, finished results are kept deflated, in a temporary
 * file (spool.ts) unless none can be made (then in memory): memory over speed (below it, keeping
 * them as objects is faster: docs/performance.md, phase 5). `objectsUpTo`: a run of up to this many
 * files keeps every result as objects (5,000 files peak at ≈ 140 MiB); a larger one keeps its first
 * `objectsInLargerRuns` as objects and the rest encoded in the spool, not deflated: 6,000, 15,000
 * and 19,500 files peak at ≈ 119, 143 and 146 MiB (the report, at the end, is the peak), where
 * keeping every result peaked at 155, 227–237 and 286 MiB (phase 6). `workerHeap`: a worker's heap limits:
 * V8 sizes its collections by them, so a worker stays small instead of collecting only when its
 * heap is large. A file too large for it makes the worker fail, and its batch is linted on the
 * main thread, which has no such limit.
 */
export const tuning = {
  compressFromFiles: 20_000,
  objectsUpTo: 5_000,
  objectsInLargerRuns: 2_000,
  compactFromFiles: PARALLEL_MIN_FILES,
  workerHeap: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 },
  /**
   * A run without workers lets the event loop in after a batch once this long has passed since it
   * last did: a signal handler (the action's SIGTERM completes its check run as cancelled) and the
   * API requests it makes run within this, not after the last file. Not more often: each time, V8's
   * pending tasks run too (a scavenge or the end of a marking cycle earlier than it would come).
   */
  yieldEveryMs: 500,
};
/** Files per batch, at most. */
const MAX_BATCH = 48;
/** Batches a worker holds at a time (one running, one queued behind it). */
const IN_FLIGHT = 2;

let workerScript: string | URL | undefined;

/** Files linted by workers and on the main thread, since the process started (tests check both happen). */
export const poolStats = { byWorkers: 0, here: 0 };

/** The file a lint worker runs: the bundle entry itself (see worker.ts). */
export function setLintWorkerScript(script: string | URL | undefined): void {
  workerScript = script;
}

/** Files a worker can lint: everything but launch scripts, whose links the main thread resolves. */
function forWorkers(file: DiscoveredFile): boolean {
  return formatOf(file.rel) !== 'shell';
}

/** Paths in code-unit order. */
const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The order in which `lintInWorkers` takes the discovered files (indices into `discovered`): `here`,
 * the launch scripts, in discovery order; `sent`, the structured configs, by path, whatever order
 * they were named in. So the files of a folder (mostly configs of one framework) are linted one
 * after the other: named in a shuffled order, 4,795 configs took ≈ 17% longer than by path
 * (docs/performance.md, phase 14). Results keep their place in discovery order.
 */
export function lintOrder(discovered: readonly DiscoveredFile[]): { sent: number[]; here: number[] } {
  const here: number[] = [];
  const sent: number[] = [];
  for (let i = 0; i < discovered.length; i++) (forWorkers(discovered[i]) ? sent : here).push(i);
  sent.sort((a, b) => byPath(discovered[a].rel, discovered[b].rel));
  return { sent, here };
}

/**
 * How many lint workers to start; 0 lints serially, on this thread. Runs that need the whole set
 * at once stay serial: `--base` (one git read for every file), user schemas (one size budget for
 * all of them).
 */
export function workerCount(options: LintOptions, discovered: DiscoveredFile[]): number {
  if (!workerScript || (options.jobs !== undefined && options.jobs <= 1)) return 0;
  const files = filesToFinish(options, discovered);
  if (files === 0 || (options.jobs === undefined && files < PARALLEL_MIN_FILES)) return 0;
  const cores = availableParallelism();
  if (options.jobs === undefined && cores < DEFAULT_MIN_CORES) return 0;
  return Math.min(options.jobs ?? Math.min(cores, DEFAULT_MAX_WORKERS), files);
}

/**
 * A run without workers that still finishes its structured configs one by one, as workers do, on
 * this thread (`lintInWorkers` with 0 workers): a large run, whose memory would otherwise grow by
 * every file's text, tree and extraction. The runs that need the whole set at once stay as they
 * are (see `workerCount`).
 */
export function finishesHere(options: LintOptions, discovered: DiscoveredFile[]): boolean {
  const files = filesToFinish(options, discovered);
  return files > 0 && files >= tuning.compactFromFiles;
}

/** How many files could be finished one by one (0 for a run that needs the whole set at once). */
function filesToFinish(options: LintOptions, discovered: DiscoveredFile[]): number {
  if (options.base || (options.config.schemas?.length ?? 0) > 0) return 0;
  let files = 0;
  for (const d of discovered) if (forWorkers(d)) files++;
  return files;
}

/**
 * The first pass of a parallel run (or, with 0 workers, of a compact serial one, `finishesHere`): every structured config linted by a worker to the end, every
 * launch script loaded and analysed here. Returns the results in discovery order; `finished` gets
 * the results the workers finished, with what the cross-file steps need of each.
 */
export async function lintInWorkers<T>(
  run: LintRun,
  discovered: DiscoveredFile[],
  workers: number,
  finished: Map<FileResult, T>,
  infoOf: (slim: SlimResult) => T,
): Promise<FileResult[]> {
  const results: FileResult[] = new Array(discovered.length);
  const { sent, here } = lintOrder(discovered);
  const size = workers > 0 ? Math.max(1, Math.min(MAX_BATCH, Math.ceil(sent.length / (workers * 8)))) : MAX_BATCH;
  // Batches are made as they are taken (a batch's absolute paths are strings of their own): a run
  // of 50,000 files does not hold every path twice for its whole length.
  let made = 0;
  const nextBatch = (): Batch | undefined => {
    const from = made * size;
    if (from >= sent.length) return undefined;
    return { id: made++, files: sent.slice(from, from + size).map((j) => [j, discovered[j].rel, discovered[j].abs, discovered[j].regular === true]) };
  };
  const init: WorkerInit = {
    options: { root: run.root, repoRoot: run.options.repoRoot, config: run.config, cliRules: run.options.cliRules, schemaTexts: run.options.schemaTexts },
    linted: discovered.map((d) => d.rel),
    absolute: absoluteExceptions(path.resolve(run.root), discovered),
    compress: discovered.length >= tuning.compressFromFiles,
    // A run of more than `objectsUpTo` files keeps memory small rather than the JSON report's parts
    // printed (printed parts keep a result in memory; 15,000 files with 2 workers: 321 MiB with
    // them, 209 MiB without, 3% slower); so does a run on this thread only (printing them now
    // rather than with the report saves it no work).
    printJson: workers > 0 && run.options.renderJson === true && discovered.length <= tuning.objectsUpTo,
  };
  // How many results this thread keeps as objects: every one up to `objectsUpTo` files, the first
  // `objectsInLargerRuns` in a larger run, none in a very large one (deflated, as the workers do).
  const keptAsObjects = init.compress ? 0 : discovered.length <= tuning.objectsUpTo ? Infinity : tuning.objectsInLargerRuns;
  // A run that does not keep them all keeps the rest in a temporary file (spool.ts), else in
  // memory; the results it keeps as objects put their texts there too.
  const spool = keptAsObjects === Infinity ? undefined : Spool.open();
  let accepted = 0;
  const accept = (slim: SlimResult) => {
    accepted++;
    const result = fromSlim(slim, spool);
    results[slim.index] = result;
    finished.set(result, infoOf(slim));
  };

  // This thread lints batches too until a worker is up (or when none is left), and keeps what it
  // finishes as objects; past `keptAsObjects`, encoded (deflated in a very large run; not below
  // it, where deflating was most of the cost): memory over speed.
  const compact: FinishHow = { compress: init.compress, printJson: false };
  const asObjects: FinishHow = { compress: false, printJson: false, inThread: true };
  const onThisThread = (): FinishHow => (accepted >= keptAsObjects ? compact : asObjects);
  // A run that keeps every result as objects, on this thread: its young generation may grow (v8-tuning.ts).
  if (workers === 0 && keptAsObjects === Infinity) growYoungGeneration();
  const alone = createLintRun(run.options);
  const reads: string[] = [];
  alone.linted = workerLinted(alone, init, reads);
  alone.referenced = (rel) => reads.push(rel);
  const pool = new Pool(workers, init, nextBatch, accept);
  // The launch scripts first, while the workers start.
  for (const i of here) results[i] = loadAndAnalyse(run, discovered[i].abs, discovered[i].rel, discovered[i].regular);
  let yielded = performance.now();
  for (;;) {
    const batch = pool.takeHere();
    if (batch) {
      for (const [index, rel, abs, regular] of batch.files) {
        accept(lintAlone(alone, index, rel, abs, regular, reads, onThisThread()));
        youngGenerationCheck();
      }
      poolStats.here += batch.files.length;
      // Let the workers' answers in (and hand them more) before the next batch; without workers,
      // let the event loop in now and then (tuning.yieldEveryMs).
      if (workers > 0 || performance.now() - yielded >= tuning.yieldEveryMs) {
        await new Promise((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
    } else if (pool.busy()) {
      await pool.changed();
    } else {
      break;
    }
  }
  pool.close();
  return results;
}

/** Workers of earlier runs, waiting for the next one (they do not keep the process alive). */
const idle: Worker[] = [];

/**
 * Ends the idle workers (a caller's last run is over): their heaps and code are freed at once
 * instead of at exit, before the caller writes its reports. A later run starts new ones.
 */
export async function endLintWorkers(): Promise<void> {
  const ending = idle.splice(0, idle.length);
  await Promise.all(ending.map((w) => w.terminate()));
}
let runs = 0;

/**
 * Workers fed from a shared queue; the main thread takes from the same queue (`take`). A batch a
 * worker could not finish (it failed, or its results could not be sent) goes back to the queue.
 */
class Pool {
  private readonly run = ++runs;
  private readonly returned: Batch[] = [];
  private readonly held = new Map<Worker, Map<number, Batch>>();
  /** A worker has answered. */
  private ready = false;
  private wake: (() => void) | undefined;

  constructor(
    count: number,
    init: WorkerInit,
    private readonly nextBatch: () => Batch | undefined,
    private readonly accept: (slim: SlimResult) => void,
  ) {
    for (let i = 0; i < count; i++) {
      let w = idle.pop();
      if (!w) {
        try {
          w = new Worker(workerScript!, { argv: [WORKER_ARG], workerData: { [WORKER_KEY]: true }, resourceLimits: tuning.workerHeap });
        } catch {
          continue;
        }
        const worker = w;
        worker.on('error', () => {});
        worker.on('exit', () => {
          const at = idle.indexOf(worker);
          if (at >= 0) idle.splice(at, 1);
        });
      }
      const worker = w;
      worker.ref();
      this.held.set(worker, new Map());
      const onMessage = (answer: FromWorker) => this.answered(worker, answer);
      const onGone = () => this.lose(worker);
      worker.on('message', onMessage);
      worker.on('error', onGone);
      worker.on('exit', onGone);
      this.detach.set(worker, () => {
        worker.off('message', onMessage);
        worker.off('error', onGone);
        worker.off('exit', onGone);
      });
      worker.postMessage({ kind: 'run', run: this.run, init } satisfies ToWorker);
      this.feed(worker);
    }
  }

  private readonly detach = new Map<Worker, () => void>();

  /** The next batch for the main thread: while no worker has answered yet, or when none is left. */
  takeHere(): Batch | undefined {
    return this.ready && this.held.size > 0 ? undefined : this.take();
  }

  private take(): Batch | undefined {
    return this.returned.pop() ?? this.nextBatch();
  }

  /** Some worker still holds a batch. */
  busy(): boolean {
    for (const mine of this.held.values()) if (mine.size > 0) return true;
    return false;
  }

  /** Resolves when a worker answers or is lost. */
  changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The workers wait for the next run, without keeping the process alive. */
  close(): void {
    for (const w of this.held.keys()) {
      this.detach.get(w)?.();
      w.postMessage({ kind: 'end' } satisfies ToWorker);
      w.unref();
      idle.push(w);
    }
    this.held.clear();
  }

  private feed(w: Worker): void {
    const mine = this.held.get(w);
    if (!mine) return;
    while (mine.size < IN_FLIGHT) {
      const batch = this.take();
      if (!batch) break;
      mine.set(batch.id, batch);
      w.postMessage({ kind: 'batch', run: this.run, ...batch } satisfies ToWorker);
    }
  }

  private answered(w: Worker, answer: FromWorker): void {
    const mine = this.held.get(w);
    const batch = answer.run === this.run ? mine?.get(answer.id) : undefined;
    if (!mine || !batch) return;
    mine.delete(answer.id);
    this.ready = true;
    if (answer.results) {
      answer.results.forEach(this.accept);
      poolStats.byWorkers += answer.results.length;
    } else {
      this.returned.push(batch);
    }
    this.feed(w);
    this.signal();
  }

  private lose(w: Worker): void {
    const mine = this.held.get(w);
    if (!mine) return;
    this.detach.get(w)?.();
    this.held.delete(w);
    this.returned.push(...mine.values());
    void w.terminate();
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
