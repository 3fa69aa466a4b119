/**
 * The young generation under trainlint's V8 settings (src/v8-tuning.ts), in a process of its own
 * (the settings change V8's flags for the whole process). Prints V8's new space size in MiB after
 * an allocation loop: argv[2] 'stopped' (the run's settings only) or 'grown' (then
 * growYoungGeneration, checked every file as a lint run does).
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { allowV8Tuning, growYoungGeneration, LARGE_RUN_FILES, tuneV8ForRun, youngGenerationCheck } from '../../src/v8-tuning.js';

const newSpaceMiB = () => (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / 2 ** 20;

allowV8Tuning();
tuneV8ForRun(LARGE_RUN_FILES, {});
const grown = process.argv[2] === 'grown' && growYoungGeneration();
// Allocation with survivors, as linting files does: the young generation grows under V8's defaults.
let keep: { i: number; s: string }[] = [];
for (let file = 0; file < 4000; file++) {
  for (let i = 0; i < 1000; i++) {
    keep.push({ i, s: `value ${i}` });
    if (keep.length > 200_000) keep = [];
  }
  youngGenerationCheck();
}
process.stdout.write(JSON.stringify({ grown, newSpaceMiB: newSpaceMiB() }));
