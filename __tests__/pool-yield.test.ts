/**
 * A large run without workers (the compact serial run of pool.ts) lets the event loop in between
 * batches once `tuning.yieldEveryMs` has passed: a signal handler and the API requests it makes (the
 * action completes its check run as cancelled on SIGTERM) run during the lint, not after its last
 * file. Measured by an event-loop tick counter running beside the lint: with every batch yielding,
 * it ticks at least once per batch more than with no yield at all; the results are the same.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint } from '../src/engine/lint';
import { tuning } from '../src/engine/parallel/pool';

const FILES = 200;
/** Files per batch on this thread (pool.ts MAX_BATCH). */
const BATCH = 48;

describe('a serial run lets the event loop in', () => {
  let root: string;
  const before = { ...tuning };
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'trainlint-yield-'));
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(root, 'configs', `g${i % 5}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `run${i}.yaml`), `base_model: meta-llama/Llama-3.1-8B\nmicro_batch_size: ${1 + (i % 4)}\ngradient_accumulation_steps: 4\nlearning_rate: 2e-4\nnum_epochs: 1\nwarmup_steps: ${i}\nmax_steps: 100\n`);
    }
  });
  afterAll(() => {
    Object.assign(tuning, before);
    rmSync(root, { recursive: true, force: true });
  });

  /** Event-loop ticks seen while one lint runs (jobs 1: no workers; compact from the first file), and its plans. */
  async function ticksDuring(yieldEveryMs: number): Promise<{ ticks: number; plans: string }> {
    tuning.compactFromFiles = 1;
    tuning.yieldEveryMs = yieldEveryMs;
    let ticks = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const { results } = await lint({ root, paths: [], config: {}, jobs: 1 });
    running = false;
    return { ticks, plans: JSON.stringify(results.map((r) => [r.file.path, r.extraction?.plan.warmupSteps?.value])) };
  }

  test('every batch yields with yieldEveryMs 0; none without it; the results are the same', async () => {
    const never = await ticksDuring(Number.POSITIVE_INFINITY);
    const always = await ticksDuring(0);
    expect(always.plans).toEqual(never.plans);
    expect(JSON.parse(always.plans)).toHaveLength(FILES);
    expect(always.ticks - never.ticks).toBeGreaterThanOrEqual(Math.ceil(FILES / BATCH) - 1);
  });
});
