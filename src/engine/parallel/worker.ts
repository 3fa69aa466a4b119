/**
 * The lint worker's side: a bundle entry (dist/cli.js, dist/action-main.js) that finds itself
 * started as a lint worker runs `runLintWorkerIfAny()` instead of its command. A worker serves one
 * run at a time: `run` messages start one (its settings and linted files), `batch` messages are
 * linted (engine/parallel/lint-alone.ts) and answered with their results, `end` drops the run's
 * state. A worker stays for the next `lint()` of the process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLintRun, type LintRun } from '../lint-file.js';
import { buffersOf, lintAlone, workerLinted, type Batch, type SlimResult, type WorkerInit } from './lint-alone.js';

/** The key of `workerData` that marks a lint worker. */
export const WORKER_KEY = 'trainlintLintWorker';
/**
 * The argument a lint worker is started with (pool.ts): a process that lacks it is no lint worker,
 * told without loading `node:worker_threads` (which costs the CLI's start-up a few milliseconds).
 */
export const WORKER_ARG = '--trainlint-lint-worker';

/** Started by pool.ts as a lint worker: its argument, then its `workerData` mark (null on the main thread). */
function isLintWorker(): boolean {
  if (!process.argv.includes(WORKER_ARG)) return false;
  try {
    return (workerData as Record<string, unknown>)[WORKER_KEY] === true && parentPort !== null;
  } catch {
    return false;
  }
}

export type ToWorker = { kind: 'run'; run: number; init: WorkerInit } | ({ kind: 'batch'; run: number } & Batch) | { kind: 'end' };
export interface FromWorker {
  run: number;
  id: number;
  results?: SlimResult[];
  failed?: string;
}

/** In a lint worker: serve runs and return true. Elsewhere: false. */
export function runLintWorkerIfAny(): boolean {
  if (!isLintWorker()) return false;
  const port = parentPort!;
  let current: { id: number; run: LintRun; reads: string[]; how: { compress: boolean; printJson: boolean } } | undefined;
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'end') {
      current = undefined;
      return;
    }
    if (message.kind === 'run') {
      const run = createLintRun({ ...message.init.options, paths: [] });
      const reads: string[] = [];
      run.linted = workerLinted(run, message.init, reads);
      run.referenced = (rel) => reads.push(rel);
      current = { id: message.run, run, reads, how: { compress: message.init.compress, printJson: message.init.printJson } };
      return;
    }
    const answer: FromWorker = { run: message.run, id: message.id };
    try {
      if (!current || current.id !== message.run) throw new Error('batch of a run this worker was not given');
      const results: SlimResult[] = [];
      for (const [index, rel, abs, regular] of message.files) results.push(lintAlone(current.run, index, rel, abs, regular, current.reads, current.how));
      // The payloads' buffers move to the main thread instead of being copied.
      port.postMessage({ ...answer, results }, results.flatMap(buffersOf));
    } catch (err) {
      // A result that cannot be sent (or a bug outside the per-file isolation): the main thread
      // lints this batch itself.
      port.postMessage({ ...answer, failed: String((err as Error)?.message ?? err) });
    }
  });
  return true;
}
