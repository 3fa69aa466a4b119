/**
 * Levanter: draccus YAML configs (written in the shapes of stanford-crfm/levanter's config/*.yaml:
 * `data: !include`, `6E-4` learning rates, batch schedules, WSD-S cycles), the warmup/decay
 * fraction-or-steps rule, the `1e4`-is-not-an-int trap and TrainerConfig's batch checks.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { levanter } from '../../src/dialects/levanter';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { fixtureLoader, listConfigs } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';

const fixture = fixtureLoader('levanter');
const env = (worldSize?: number): ExtractEnv => ({ assume: worldSize ? { worldSize } : {}, mappings: {} });
const extract = (name: string, world?: number): Extraction => levanter.extract(fixture(name), env(world));
const yaml = (text: string, world?: number): Extraction => levanter.extract(parseSource('c.yaml', text), env(world));

describe('levanter detection', () => {
  test.each([['gpt2_small.yaml'], ['llama_7b.yaml'], ['warmup_one.yaml'], ['int_trap.yaml'], ['batch_schedule.yaml']])('%s is levanter', (name) => {
    expect(detectDialect(fixture(name), env())?.meta.id).toBe('levanter');
  });
  test('an !include data file and a Lightning config are not levanter', () => {
    expect(levanter.detect(fixture('data/openwebtext.yaml'), env())).toBe(0);
    expect(levanter.detect(fixture('negative/lightning.yaml'), env())).toBe(0);
  });
});

describe('levanter plan', () => {
  test('6E-4 (a PyYAML string) is the float draccus decodes; warmup 0.01 is a fraction of num_train_steps', () => {
    const e = extract('gpt2_small.yaml', 8);
    expect(e.configErrors ?? []).toEqual([]);
    expect(e.plan.peakLr?.value).toBe(6e-4);
    expect(e.plan.warmupSteps).toMatchObject({ value: 500, fractionOf: { fraction: 0.01, ofSteps: 50000 } });
    expect(e.plan.minLr?.value).toBeCloseTo(6e-5);
    expect(e.plan.microBatchSize?.value).toBe(64); // 512 // 8 devices
    expect(e.notes.join()).toContain('!include');
  });
  test('warmup 1000 is whole steps; per_device_parallelism 2 microbatches 1024 over 8 devices', () => {
    const e = extract('llama_7b.yaml', 8);
    expect(e.plan.warmupSteps).toMatchObject({ value: 1000, unit: 'steps' });
    expect(e.plan.gradAccumSteps?.value).toBe(64);
    expect(e.plan.decaySteps?.value).toBe(10000); // cycle_length 10000 = the run: one cycle, decaying to its end
  });
  test('warmup: 1 is the whole run, with the reason in the note', () => {
    const e = extract('warmup_one.yaml');
    expect(e.plan.warmupSteps).toMatchObject({ value: 20000 });
    expect(e.plan.warmupSteps?.note).toContain('reads it as a fraction: the whole run');
  });
  test("num_train_steps: 1e4 is refused by draccus (Couldn't parse '1e4' into an int)", () => {
    const e = extract('int_trap.yaml');
    expect(e.configErrors?.[0]).toMatchObject({ range: { line: 6, column: 3 } });
    expect(e.configErrors?.[0].message).toContain(`"Couldn't parse '1e4' into an int"`);
    expect(e.configErrors?.[0].message).toContain('write 10000');
  });
  test('a batch schedule: the first phase, with a note', () => {
    const e = extract('batch_schedule.yaml', 8);
    expect(e.plan.globalBatchSize?.value).toBe(64);
    expect(e.notes.join()).toContain('schedule (2 phases)');
  });
  test('a non-whole warmup above 1 is refused', () => {
    const e = yaml('trainer:\n  num_train_steps: 1000\n  mp: p=f32\noptimizer:\n  warmup: 1.5\n');
    expect(e.configErrors?.[0].message).toContain('"Invalid fraction 1.5. Must be between 0 and 1. You can also use (whole) steps."');
  });
});

describe("levanter: TrainerConfig's start-up checks", () => {
  test('train_batch_size not divisible by per_device_parallelism × data axis', () => {
    const e = yaml('trainer:\n  mp: p=f32\n  train_batch_size: 100\n  per_device_parallelism: 4\n  num_train_steps: 100\n', 8);
    expect(e.batchChecks?.map((c) => c.kind)).toEqual(['train-batch-not-divisible']);
    expect(e.batchChecks?.[0].message).toContain('"train_batch_size (100) must be divisible by per_device_parallelism * data_axis_size (4, 8)"');
    expect(yaml('trainer:\n  mp: p=f32\n  train_batch_size: 100\n  per_device_parallelism: 4\n  allow_nondivisible_batch_size: true\n', 8).batchChecks).toBeUndefined();
  });
  test('devices not divisible by model_axis_size; both batch keys -1', () => {
    expect(yaml('trainer:\n  mp: p=f32\n  model_axis_size: 3\n  num_train_steps: 100\n', 8).batchChecks?.[0].message).toContain('"num_devices (8) is not divisible by model_axis_size (3)"');
    expect(yaml('trainer:\n  mp: p=f32\n  train_batch_size: -1\n  per_device_parallelism: -1\n').configErrors?.[0].message).toContain('either train_batch_size or per_device_parallelism must be specified');
  });
  test("cycle_length and cycles together; cycle lengths past the run; one long cycle is accepted", () => {
    expect(yaml('trainer:\n  mp: p=f32\n  num_train_steps: 100\noptimizer:\n  cycle_length: 50\n  cycles: 2\n').conflicts?.[0].message).toContain(`"Can't use both cycle_length and cycles."`);
    expect(yaml('trainer:\n  mp: p=f32\n  num_train_steps: 100\noptimizer:\n  cycle_length: [60, 50]\n').configErrors?.[0].message).toContain('"Cycle lengths exceed total number of steps: 110 > 100"');
    // A scalar cycle_length that does not fit twice is one cycle (range(1, 100 // 500) is empty).
    const one = yaml('trainer:\n  mp: p=f32\n  num_train_steps: 100\noptimizer:\n  cycle_length: 500\n');
    expect(one.configErrors).toBeUndefined();
    expect(one.plan.decaySteps?.value).toBe(100);
  });
  test('warmup and decay fractions are of the first cycle', () => {
    const byCycles = yaml('trainer:\n  mp: p=f32\n  num_train_steps: 1000\noptimizer:\n  cycles: 4\n  warmup: 0.1\n');
    expect(byCycles.plan.warmupSteps?.value).toBe(25);
    expect(byCycles.plan.warmupSteps?.fractionOf).toMatchObject({ of: 'the first cycle', ofSteps: 250 });
    expect(byCycles.plan.warmupRatio).toBeUndefined();
    expect(byCycles.plan.decaySteps).toBeUndefined();
    expect(yaml('trainer:\n  mp: p=f32\n  num_train_steps: 1000\noptimizer:\n  cycle_length: 0.5\n  warmup: 1\n').plan.warmupSteps?.value).toBe(500);
    expect(yaml('trainer:\n  mp: p=f32\n  num_train_steps: 1000\noptimizer:\n  cycle_length: [200, 800]\n  warmup: 0.5\n').plan.warmupSteps?.value).toBe(100);
  });
  test('the deprecated cooldown shortens the main schedule; cosine then holds the min LR', () => {
    const e = yaml('trainer:\n  mp: p=f32\n  num_train_steps: 1000\noptimizer:\n  cooldown: 0.2\n  warmup: 0.1\n');
    expect(e.plan.warmupSteps?.value).toBe(80); // int(0.1 × (1000 − 200))
    expect(e.plan.decaySteps?.value).toBe(800);
    expect(e.plan.warmupRatio).toBeUndefined();
    expect(e.notes.join('\n')).toContain('cooldown is deprecated');
    // A constant schedule's cooldown is a real decay to the min LR at the end of the run.
    expect(yaml('trainer:\n  mp: p=f32\n  num_train_steps: 1000\noptimizer:\n  lr_schedule: constant\n  cooldown: 100\n').plan.decaySteps?.value).toBe(1000);
    expect(yaml('trainer:\n  mp: p=f32\n  num_train_steps: 1000\noptimizer:\n  lr_schedule: constant\n').plan.decaySteps).toBeUndefined();
  });
});

describe('levanter: the device count of a plain python launch', () => {
  const plainPython: ExtractEnv = { assume: { worldSize: { value: 1, origin: 'launcher', file: 'run.sh', key: 'python', range: { line: 2, column: 1, endLine: 2, endColumn: 40 }, how: 'plain python (one process)' } }, mappings: {} };
  test('python -m levanter.main.train_lm is one JAX process per host over all its devices: not a world of 1', () => {
    const e = levanter.extract(fixture('gpt2_small.yaml'), plainPython);
    expect(e.plan.worldSize).toBeUndefined();
    expect(e.plan.gradAccumSteps).toBeUndefined();
    expect(e.missing.map((m) => m.field)).toContain('worldSize');
    expect(e.notes.join('\n')).toContain('run.sh:2: a plain python launch runs one JAX process per host over all of its devices, so it does not give the device count');
  });
  test('a launcher that does give the device count is kept', () => {
    const e = levanter.extract(fixture('gpt2_small.yaml'), { assume: { worldSize: { value: 8, origin: 'launcher', key: 'NPROC', how: 'x' } }, mappings: {} });
    expect(e.plan.worldSize?.value).toBe(8);
  });
});

describe('levanter: nothing is executed', () => {
  test('a YAML with Python tags is read as data, never run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-levanter-'));
    const marker = path.join(dir, 'MARKER');
    try {
      const text = `trainer:\n  mp: p=f32\n  num_train_steps: !!python/object/apply:os.system ["touch ${marker}"]\noptimizer:\n  learning_rate: 1E-3\n`;
      const file = parseSource('evil.yaml', text);
      if (levanter.detect(file, env()) > 0) levanter.extract(file, env());
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const describeIfWave2 = sharedDescribe(path.join(WAVE2, 'stanford-crfm__levanter'));

describeIfWave2('levanter corpus sweep (../shared/corpus-wave2/stanford-crfm__levanter)', () => {
  test('≥ 95% of config/*.yaml are levanter; the !include data files under config/data/ get none', () => {
    const files = listConfigs(path.join(WAVE2, 'stanford-crfm__levanter'));
    let training = 0;
    let right = 0;
    for (const f of files) {
      const got = detectDialect(parseSource(f, readFileSync(f, 'utf8')), env())?.meta.id ?? null;
      if (/\/config\/data\//.test(f)) expect([f, got]).toEqual([f, null]);
      else {
        training++;
        if (got === 'levanter') right++;
      }
    }
    expect(training).toBeGreaterThan(30);
    expect(right / training).toBeGreaterThanOrEqual(0.95);
  });
});
