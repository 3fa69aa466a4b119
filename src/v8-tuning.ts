/**
 * V8 settings for a trainlint process: the CLI and the action set them first thing (a library
 * user's process is left as it is). Measured on the project's 2-core machine (docs/performance.md,
 * "Phase 4"): linting 4,795 files keeps little alive (≈ 40 MiB after a full collection) but
 * allocates ≈ 950 MB and runs a few hundred hot functions, and V8's defaults, tuned for long-lived
 * processes, spend that on the wrong things for a run of a few seconds:
 * - TurboFan inlining: the optimizing compiler re-compiles the engine's large functions with every
 *   callee inlined, on helper threads that take ≈ 1 s of the second core per 5,000 files (more
 *   than the garbage collector), and compiles them again after each deoptimization. Without
 *   inlining: 21% less CPU, 9% less wall time on one thread, and the second core free for workers.
 * - The young generation doubles its size while allocation stays high, and the old generation
 *   grows to up to 4× its live size between full collections: peak memory of 210 MiB for a live
 *   set a fifth of that. A fixed young generation and a heap that grows by 30% keep it ≈ 145 MiB
 *   at the same wall time.
 * TRAINLINT_V8_DEFAULTS=1 keeps V8's own settings (the benchmark compares both).
 */
import v8 from 'node:v8';

/** Flags that Node 20 and Node 24 both know (an unknown one would be printed as an error). */
export const LINT_V8_FLAGS = ['--no-turbo-inlining', '--semi-space-growth-factor=1', '--heap-growing-percent=30'] as const;

/** Applies LINT_V8_FLAGS to this process (its lint workers share them); true when applied. */
export function tuneV8ForLinting(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.TRAINLINT_V8_DEFAULTS === '1') return false;
  try {
    v8.setFlagsFromString(LINT_V8_FLAGS.join(' '));
    return true;
  } catch {
    // Tuning only; never a reason to fail.
    return false;
  }
}
