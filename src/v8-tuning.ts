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
 * - The young generation doubles while allocation stays high (to 32 MiB), and the old generation
 *   grows to up to 4× its live size between full collections: a peak of 175–210 MiB for a live set
 *   a fifth of that. A young generation that stops growing where discovery leaves it (4 MiB) and a
 *   heap that grows by 20% keep it ≈ 130 MiB.
 * - Except in a run that keeps every result as objects (up to 5,000 files, pool.ts): its young
 *   generation grows again, to YOUNG_GENERATION_BYTES, then stops: at 4 MiB the 5,000-file run
 *   scavenged 460 times and took 7–10% longer than at 16 MiB (124 scavenges), for ≈ 6 MiB less
 *   (docs/performance.md, phase 6). A larger run's memory stays flat instead (20 MiB more at
 *   50,000 files). V8 reads the largest size only when the heap is set up, so growth is stopped
 *   once it is reached (`youngGenerationCheck`, called as files are linted).
 * TRAINLINT_V8_DEFAULTS=1 keeps V8's own settings (the benchmark compares both).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation grows again (V8's default factor), and stops (1). */
const GROW_YOUNG = '--semi-space-growth-factor=2';
const STOP_YOUNG = '--semi-space-growth-factor=1';

/** Flags that Node 20 and Node 24 both know (an unknown one would be printed as an error). */
export const LINT_V8_FLAGS = ['--no-turbo-inlining', STOP_YOUNG, '--heap-growing-percent=20'] as const;

/** The young generation's size (V8's new space, both semi-spaces) at which its growth stops. */
export const YOUNG_GENERATION_BYTES = 16 * 2 ** 20;

/** Files between two looks at the young generation's size (a look costs a few microseconds). */
const CHECK_EVERY_FILES = 8;

/** Files from which a run is large enough for the settings. */
export const LARGE_RUN_FILES = 400;

let allowed = false;
let applied = false;
/** The young generation is growing towards YOUNG_GENERATION_BYTES (`growYoungGeneration`). */
let youngGrowing = false;
let sinceCheck = 0;

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

/**
 * A run that keeps every result as objects: once the settings apply, its young generation grows
 * again, until YOUNG_GENERATION_BYTES (`youngGenerationCheck`). True when it now grows.
 */
export function growYoungGeneration(): boolean {
  if (!applied || youngGrowing) return false;
  try {
    setFlagsFromString(GROW_YOUNG);
    youngGrowing = true;
    sinceCheck = 0;
    stopYoungWhenGrown();
    return youngGrowing;
  } catch {
    return false;
  }
}

/** After each file linted on this thread: every CHECK_EVERY_FILES files, `stopYoungWhenGrown`. */
export function youngGenerationCheck(): void {
  if (!youngGrowing || ++sinceCheck < CHECK_EVERY_FILES) return;
  sinceCheck = 0;
  stopYoungWhenGrown();
}

/** A growing young generation that has reached YOUNG_GENERATION_BYTES grows no more. */
function stopYoungWhenGrown(): void {
  try {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young && young.space_size < YOUNG_GENERATION_BYTES) return;
  } catch {
    // Stopped below.
  }
  youngGrowing = false;
  setFlagsFromString(STOP_YOUNG);
}
