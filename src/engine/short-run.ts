/**
 * Deliberate short runs: smoke, functional, debug and autotuning runs that train a few steps
 * against a schedule inherited from a long run (Megatron's functional tests: 50 iterations with a
 * decay horizon of 990,000). Their run-length findings are expected; `.trainlint.yml` `shortRun`
 * sets what counts as one and how they are reported (defaults in config/types.ts).
 */
import type { ShortRunOption } from '../config/types.js';
import { formatCount } from './format-number.js';
import type { TrainingPlan } from './types.js';

export interface ShortRun {
  /** The run's length in optimizer steps. */
  steps: number;
  /** The longest length a schedule value or interval of this run was sized for, and its key. */
  sizedFor?: { steps: number; key?: string };
  /** sizedFor / steps. */
  ratio?: number;
  /** The word of the path that names a test, when the path (the config's, or the launch script's) says so. */
  pathWord?: string;
  /** The launch script whose path named the test, when the config's own path does not. */
  script?: string;
  /** Why it is a short run, for messages: "50 steps against a schedule sized for 990000 (--lr-decay-iters)". */
  why: string;
}

/** Path words that name tests and debug runs (folder or file name, split at / _ - .). */
const TEST_WORDS = new Set(['test', 'tests', 'testing', 'functional', 'debug', 'smoke', 'sanity', 'dryrun', 'ci', 'autotuning']);

/** The longest of TEST_WORDS: a longer word of a path is none of them. */
const TEST_WORD_MAX = Math.max(...[...TEST_WORDS].map((w) => w.length));

/** A separator of path words: / \\ _ . - */
function isWordBreak(c: number): boolean {
  return c === 47 || c === 92 || c === 95 || c === 46 || c === 45;
}

/** The first word of the lower-cased path that is a test word (what splitting at the separators finds), without splitting it. */
function pathWord(path: string): string | undefined {
  const lower = path.toLowerCase();
  let start = 0;
  for (let i = 0; i <= lower.length; i++) {
    if (i < lower.length && !isWordBreak(lower.charCodeAt(i))) continue;
    const length = i - start;
    if (length > 0 && length <= TEST_WORD_MAX) {
      const word = lower.slice(start, i);
      if (TEST_WORDS.has(word)) return word;
    }
    start = i + 1;
  }
  return undefined;
}

/** The longest schedule value or interval of the plan, in optimizer steps. */
function longest(plan: TrainingPlan): { steps: number; key?: string } | undefined {
  let best: { steps: number; key?: string } | undefined;
  for (const s of [plan.decaySteps, plan.warmupSteps, plan.saveEverySteps, plan.evalEverySteps]) {
    if (s && Number.isFinite(s.value) && (!best || s.value > best.steps)) best = { steps: s.value, ...(s.key ? { key: s.key } : {}) };
  }
  return best;
}

/**
 * Whether `path`'s run is a deliberate short run: at most `maxSteps` optimizer steps, and either
 * a schedule value or interval sized for at least `ratio` times longer, or a path that names a
 * test: the config's own, or that of the launch script that starts this plan (`scripts/smoke.sh`,
 * `tests/functional/run.sh`). Undefined when the run length is unknown or the run is not short.
 */
export function shortRunOf(path: string, plan: TrainingPlan, options: Required<ShortRunOption>, script?: string): ShortRun | undefined {
  const total = plan.totalSteps;
  if (!total || !(total.value > 0) || total.value > options.maxSteps) return undefined;
  const sized = longest(plan);
  const ratio = sized ? sized.steps / total.value : undefined;
  const byRatio = ratio !== undefined && ratio >= options.ratio;
  const own = pathWord(path);
  const byScript = own || !script ? undefined : pathWord(script);
  const word = own ?? byScript;
  if (!byRatio && !word) return undefined;
  const against = sized && sized.steps > total.value ? ` against ${sized.key ? `${sized.key} ` : ''}${formatCount(sized.steps)}` : '';
  const why = byRatio ? `${formatCount(total.value)} steps${against}, ${formatCount(Math.round(ratio))}× longer` : byScript
      ? `${formatCount(total.value)} steps, launched by ${script}, whose path names a test ("${byScript}")`
      : `${formatCount(total.value)} steps, path names a test ("${word}")`;
  return {
    steps: total.value,
    ...(sized ? { sizedFor: sized } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    ...(word ? { pathWord: word } : {}),
    ...(byScript ? { script } : {}),
    why,
  };
}
