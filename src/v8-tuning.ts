/**
 * V8 settings for a large lint run in a trainlint process: the CLI and the action allow them at
 * start (a library user's process is left as it is), and `lint()` applies them as soon as its
 * discovery has found LARGE_RUN_FILES files (below that they change nothing measurable, and loading
 * `node:v8` would cost a small run's start-up; later, the young generation would have grown). Measured on the project's 2-core machine (docs/performance.md,
 * "Phase 4"; bench/v8-flags.mjs): linting 4,795 files keeps little alive (≈ 40 MiB after a full
 * collection) but allocates ≈ 950 MB and runs a few hundred hot functions, and V8's defaults, tuned
 * for long-lived processes, spend that on the wrong things for a run of a few seconds:
 * - TurboFan inlining: the optimizing compiler re-compiles the engine's large functions with every
 *   callee inlined, on helper threads that take ≈ 1.5 s of the second core per 5,000 files (more
 *   than the garbage collector does), and compiles them again after each deoptimization. Without
 *   inlining: ≈ 20% less CPU, and the second core free for workers.
 * - The young generation doubles while allocation stays high, and the old generation grows to up
 *   to 4× its live size between full collections: a peak of 175–210 MiB for a live set a fifth of
 *   that. A young generation that does not grow and a heap that grows by 20% keep it ≈ 139–146 MiB.
 * TRAINLINT_V8_DEFAULTS=1 keeps V8's own settings (the benchmark compares both).
 */
import { setFlagsFromString } from 'node:v8';

/** Flags that Node 20 and Node 24 both know (an unknown one would be printed as an error). */
export const LINT_V8_FLAGS = ['--no-turbo-inlining', '--semi-space-growth-factor=1', '--heap-growing-percent=20'] as const;

/** Files from which a run is large enough for the settings. */
export const LARGE_RUN_FILES = 400;

let allowed = false;
let applied = false;

/** The process is trainlint's own (the CLI, the action): large runs may set V8's flags. */
export function allowV8Tuning(): void {
  allowed = true;
}

/** Applies LINT_V8_FLAGS for a run of `files` files when allowed and large (once); true when applied now. */
export function tuneV8ForRun(files: number, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!allowed || applied || files < LARGE_RUN_FILES || env.TRAINLINT_V8_DEFAULTS === '1') return false;
  applied = true;
  try {
    setFlagsFromString(LINT_V8_FLAGS.join(' '));
    return true;
  } catch {
    // Tuning only; never a reason to fail.
    return false;
  }
}
