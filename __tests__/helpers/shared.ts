/**
 * `../shared` beside the repository holds third-party corpora for optional sweeps (our own
 * workspace has it; a fresh clone does not). Tests that read it go through `sharedTest` /
 * `sharedDescribe`: when the folder is missing, or `TRAINLINT_NO_SHARED=1` hides it, they are
 * registered as skipped tests whose names say why and how to run them, and one console line
 * says so, instead of passing silently.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** `../shared` beside the repository. */
export const SHARED = path.resolve(ROOT, '..', 'shared');
/** `../shared/corpus`: real configs from public repositories, one folder per `owner__repo`. */
export const CORPUS = path.join(SHARED, 'corpus');

const HOW = 'to run it, place shared/ beside the repository and leave TRAINLINT_NO_SHARED unset';

/** Why `dir` (a folder in ../shared) cannot be read, or undefined when it can. */
export function sharedMissing(dir: string): string | undefined {
  if (process.env.TRAINLINT_NO_SHARED === '1') return 'TRAINLINT_NO_SHARED=1 hides ../shared';
  if (!existsSync(dir)) return `${path.relative(ROOT, dir).split(path.sep).join('/')} not found`;
  return undefined;
}

/** True when `dir` in ../shared can be read. */
export const sharedAvailable = (dir: string = CORPUS): boolean => sharedMissing(dir) === undefined;

const noted = new Set<string>();

/** One console line per test file and reason: what was skipped, why, how to run it. */
function note(name: string, why: string): void {
  const key = `${expect.getState?.().testPath ?? ''}|${why}`;
  if (noted.has(key)) return;
  noted.add(key);
  process.stderr.write(`[trainlint tests] skipped "${name}" (${why}); ${HOW}\n`);
}

/** The name a skipped test or block gets: it says why it did not run and how to run it. */
export const skippedName = (name: string, why: string): string => `${name} [SKIPPED: ${why}; ${HOW}]`;

type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/** `test` when `dir` (default ../shared/corpus) exists; otherwise a visibly skipped test. */
export function sharedTest(dir: string = CORPUS): TestFn {
  const why = sharedMissing(dir);
  if (!why) return (name, fn, timeout) => test(name, fn, timeout);
  return (name, fn, timeout) => {
    note(name, why);
    test.skip(skippedName(name, why), fn, timeout);
  };
}

/** `describe` when `dir` (default ../shared/corpus) exists; otherwise a visibly skipped block. */
export function sharedDescribe(dir: string = CORPUS): (name: string, fn: () => void) => void {
  const why = sharedMissing(dir);
  if (!why) return (name, fn) => describe(name, fn);
  return (name, fn) => {
    note(name, why);
    describe.skip(skippedName(name, why), fn);
  };
}
