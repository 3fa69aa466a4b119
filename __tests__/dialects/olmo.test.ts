import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { olmo, parseOlmoDuration } from '../../src/dialects/olmo';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import type { PlanField } from '../../src/engine/types';
import schema from '../../schemas/dialects/olmo.schema.json';
import { CORPUS, fixtureLoader, listConfigs, sharedTest } from '../helpers/dialect-fixtures';

const OWN = path.join(CORPUS, 'allenai__OLMo');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('olmo');

function yaml(text: string, name = 'olmo.yaml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return olmo.extract(file, { assume, mappings: {} });
}


/** A small OLMo config; `top` lines replace/extend the top-level keys. */
function small(top = 'max_duration: 1000\nglobal_train_batch_size: 512\ndevice_train_microbatch_size: 8\nprecision: amp_bf16', sched = 'name: cosine_with_warmup\n  t_warmup: 100\n  alpha_f: 0.1'): SourceFile {
  return yaml(`run_name: tiny
model:
  d_model: 256
  max_sequence_length: 2048
optimizer:
  name: adamw
  learning_rate: 4.0e-4
scheduler:
  ${sched}
${top}
`);
}

const validator = () => new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);

describe('olmo: golden plans of real OLMo files', () => {
  test('tiny/OLMo-20M: 1ep + stop_at, ${run_name}, default save_interval', () => {
    const file = fixture('OLMo-20M.yaml');
    expect(olmo.detect(file, NO_ENV)).toBe(10);
    const { plan, missing, notes } = extract(file, { worldSize: 16 });
    expect(plan.globalBatchSize).toMatchObject({ value: 1024, origin: 'explicit', key: 'global_train_batch_size', unit: 'samples', range: expect.objectContaining({ line: 69 }) });
    expect(plan.microBatchSize).toMatchObject({ value: 16, origin: 'explicit', key: 'device_train_microbatch_size' });
    expect(plan.worldSize).toMatchObject({ value: 16, origin: 'assumed', key: 'assume.worldSize' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 4, origin: 'derived', how: '1024 // 16 // 16 (global // world size // micro)' });
    expect(plan.seqLen).toMatchObject({ value: 4096, key: 'model.max_sequence_length', range: expect.objectContaining({ line: 32 }) });
    expect(plan.peakLr).toMatchObject({ value: 6e-4, origin: 'explicit', key: 'optimizer.learning_rate' });
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.optimizer).toMatchObject({ value: 'adamw', origin: 'explicit' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine_with_warmup', origin: 'explicit' });
    expect(plan.precision).toMatchObject({ value: 'amp_bf16', origin: 'explicit', key: 'precision' });
    expect(plan.epochs).toMatchObject({ value: 1, origin: 'explicit', key: 'max_duration', unit: 'epochs' });
    expect(plan.totalSteps).toMatchObject({ value: 406934, origin: 'explicit', key: 'stop_at', unit: 'steps' });
    expect(plan.totalSteps?.range?.line).toBe(68);
    expect(plan.warmupSteps).toMatchObject({ value: 5000, origin: 'explicit', key: 'scheduler.t_warmup', unit: 'steps' });
    expect(plan.minLr).toMatchObject({ value: 6e-5, origin: 'derived', how: '6e-4 × 0.1 (optimizer.learning_rate × scheduler.alpha_f)' });
    // No t_max and an epoch-based max_duration: the decay horizon needs the dataset size.
    expect(plan.decaySteps).toBeUndefined();
    expect(plan.saveEverySteps).toEqual({ value: 1000, origin: 'default', key: 'save_interval', unit: 'steps' });
    expect(plan.evalEverySteps).toMatchObject({ value: 5000, origin: 'explicit', key: 'eval_interval' });
    expect(missing.map((m) => m.field)).toEqual(['datasetSamples']);
    expect(notes).toEqual([]);
  });

  test('OLMo-20M with an assumed dataset size: epoch steps, stop_at wins when earlier', () => {
    const { plan } = extract(fixture('OLMo-20M.yaml'), { worldSize: 16, datasetSamples: 1_000_000_000 });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 976562, how: '1000000000 // 1024 (dataset instances // global batch)' });
    expect(plan.decaySteps).toMatchObject({ value: 976562, origin: 'derived', how: '976562 steps/epoch × 1' });
    expect(plan.totalSteps).toMatchObject({ value: 406934, key: 'stop_at', note: 'stop_at ends training before max_duration (976562 steps)' });
  });

  test('official-1124/OLMo2-7B-stage1: scheduler.units tokens → steps', () => {
    const file = fixture('OLMo2-7B-stage1.yaml');
    expect(olmo.detect(file, NO_ENV)).toBe(10);
    const { plan, missing } = extract(file, { worldSize: 512 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, how: '1024 // 512 // 2 (global // world size // micro)' });
    expect(plan.warmupSteps).toMatchObject({
      value: 2000,
      origin: 'derived',
      key: 'scheduler.t_warmup',
      unit: 'steps',
      how: 'ceil(8.389e9 tokens / (1024 × 4096 tokens/step))',
      note: 'scheduler.t_warmup 8.389e9 tokens (scheduler.units: tokens)',
      range: expect.objectContaining({ line: 50 }),
    });
    expect(plan.decaySteps).toMatchObject({ value: 1192093, origin: 'derived', key: 'scheduler.t_max', how: 'ceil(5e12 tokens / (1024 × 4096 tokens/step))' });
    expect(plan.minLr).toMatchObject({ value: 3e-5 });
    expect(plan.saveEverySteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'save_interval' });
    expect(plan.totalSteps).toBeUndefined();
    expect(missing.map((m) => m.field)).toEqual(['datasetSamples']);
  });

  const corpusFile = (rel: string) => parseSource(rel, readFileSync(path.join(OWN, rel), 'utf8'));
  const corpusTest = sharedTest(OWN);

  test('official-0724/OLMo-7B shape: `1e12T` tokens → steps; eval_interval: ${save_interval}', () => {
    const { plan, missing } = extract(fixture('OLMo-7B-0724.yaml'), { worldSize: 64 });
    expect(plan.totalSteps).toMatchObject({
      value: 238419,
      origin: 'derived',
      key: 'max_duration',
      how: 'ceil(1e12 tokens / (1024 × 4096 tokens/step))',
      unit: 'steps',
    });
    expect(plan.decaySteps).toMatchObject({ value: 238419, note: expect.stringContaining('scheduler.t_max unset') });
    expect(plan.scheduler?.value).toBe('linear_with_warmup');
    expect(plan.warmupSteps).toMatchObject({ value: 2500, origin: 'explicit' });
    expect(plan.evalEverySteps).toMatchObject({ value: 500, key: 'eval_interval', note: expect.stringContaining('interpolated from `${save_interval}`') });
    expect(plan.evalEverySteps?.range?.line).toBe(59);
    expect(plan.saveEverySteps).toMatchObject({ value: 500, origin: 'explicit', key: 'save_interval' });
    expect(plan.gradAccumSteps?.value).toBe(4);
    expect(missing).toEqual([]);
  });

  corpusTest('official-0724/OLMo-1B: `739_328` is steps (OmegaConf int)', () => {
    const { plan } = extract(corpusFile('configs/official-0724/OLMo-1B.yaml'));
    expect(plan.totalSteps).toMatchObject({ value: 739328, origin: 'explicit', key: 'max_duration', unit: 'steps' });
    expect(plan.totalSteps?.note).toBeUndefined();
    expect(plan.decaySteps?.value).toBe(739328);
    expect(plan.warmupSteps).toMatchObject({ value: 2000, origin: 'explicit' });
  });

  corpusTest('official-1124/OLMo2-7B-stage2: `50e9T` horizon, stop_at 10 steps past it', () => {
    const { plan } = extract(corpusFile('configs/official-1124/OLMo2-7B-stage2-seed42.yaml'));
    // ceil(50e9 / 4194304) = 11921 < stop_at 11931: max_duration ends training first.
    expect(plan.totalSteps).toMatchObject({ value: 11921, key: 'max_duration' });
    expect(plan.minLr).toMatchObject({ value: 0, how: '6.15e-5 × 0 (optimizer.learning_rate × scheduler.alpha_f)' });
    expect(plan.warmupSteps?.value).toBe(0);
  });
});

describe('olmo: max_duration parsing', () => {
  test('units as Trainer.max_steps reads them', () => {
    expect(parseOlmoDuration(739328)).toEqual({ unit: 'steps', value: 739328 });
    expect(parseOlmoDuration('2e12T')).toEqual({ unit: 'tokens', value: 2e12 });
    expect(parseOlmoDuration('50e9T')).toEqual({ unit: 'tokens', value: 5e10 });
    expect(parseOlmoDuration('1ep')).toEqual({ unit: 'epochs', value: 1 });
    expect(parseOlmoDuration('3e4')).toEqual({ unit: 'steps', value: 30000 });
    expect(parseOlmoDuration('739_328')).toEqual({ unit: 'steps', value: 739328 });
    expect(parseOlmoDuration('1.5ep')).toBeUndefined();
    expect(parseOlmoDuration('1000ba')).toBeUndefined();
  });
});

describe('olmo: edge cases', () => {
  test('no world size: accumulation unknown with a hint; steps-based horizon', () => {
    const { plan, missing } = extract(small());
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(missing).toEqual([{ field: 'worldSize', hint: expect.stringContaining('assume.worldSize') }]);
    expect(plan.totalSteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'max_duration' });
    expect(plan.decaySteps).toMatchObject({ value: 1000 });
  });

  test('defaults: max_duration 10000, batch 512/16, lionw 1e-4, no precision → note', () => {
    const file = yaml('run_name: x\nmodel:\n  d_model: 64\noptimizer:\n  learning_rate: 1.0e-3\nglobal_train_batch_size: 64\nmax_duration: 10\n');
    expect(olmo.detect(file, NO_ENV)).toBeGreaterThan(0);
    const bare = extract(yaml('run_name: x\n'), { worldSize: 4 });
    expect(bare.plan.totalSteps).toEqual({ value: 10000, origin: 'default', key: 'max_duration', unit: 'steps' });
    expect(bare.plan.globalBatchSize).toMatchObject({ value: 512, origin: 'default' });
    expect(bare.plan.microBatchSize).toMatchObject({ value: 16, origin: 'default' });
    expect(bare.plan.gradAccumSteps?.value).toBe(8);
    expect(bare.plan.optimizer).toMatchObject({ value: 'lionw', origin: 'default' });
    expect(bare.plan.peakLr).toMatchObject({ value: 1e-4, origin: 'default' });
    expect(bare.plan.warmupSteps).toMatchObject({ value: 100, origin: 'default', unit: 'steps' });
    expect(bare.plan.minLr?.value).toBeCloseTo(1e-5, 12);
    expect(bare.plan.precision).toBeUndefined();
    expect(bare.notes[0]).toContain('precision is not set');
  });

  test('stop_at later than max_duration: max_duration wins', () => {
    const { plan } = extract(small('max_duration: 500\nstop_at: 900\nglobal_train_batch_size: 512'));
    expect(plan.totalSteps).toMatchObject({ value: 500, key: 'max_duration' });
  });

  test('tokens units with default t_warmup; t_max in steps', () => {
    const tokens = extract(small(undefined, 'name: cosine_with_warmup\n  units: tokens'));
    // default t_warmup 100 tokens < one step of 512 × 2048 tokens.
    expect(tokens.plan.warmupSteps).toMatchObject({ value: 1, origin: 'derived', key: 'scheduler.t_warmup', how: 'ceil(1e2 tokens / (512 × 2048 tokens/step))' });
    const steps = extract(small(undefined, 'name: linear_with_warmup\n  t_warmup: 10\n  t_max: 800'));
    expect(steps.plan.decaySteps).toMatchObject({ value: 800, origin: 'explicit', key: 'scheduler.t_max', unit: 'steps' });
  });

  test('constant schedule: no decay horizon, no floor', () => {
    const { plan } = extract(small(undefined, 'name: constant\n  t_warmup: 0'));
    expect(plan.decaySteps).toBeUndefined();
    expect(plan.minLr).toBeUndefined();
  });

  test('save_interval: null falls back to save_interval_unsharded; invalid max_duration → note', () => {
    const { plan } = extract(small('max_duration: 100\nsave_interval: null\nsave_interval_unsharded: 250'));
    expect(plan.saveEverySteps).toMatchObject({ value: 250, key: 'save_interval_unsharded', unit: 'steps' });
    const bad = extract(small('max_duration: 1000ba\nglobal_train_batch_size: 8'));
    expect(bad.plan.totalSteps).toBeUndefined();
    expect(bad.notes.join('\n')).toContain('OLMo raises at startup');
  });

  test('unresolved interpolation stays unknown', () => {
    const { plan, notes } = extract(small('max_duration: 100\neval_interval: ${oc.env:EVAL}\nevaluators:\n  - label: c4\n'));
    expect(plan.evalEverySteps).toMatchObject({ value: 1000, origin: 'default' });
    expect(notes.join('\n')).toContain('eval_interval');
  });

  test('without evaluators OLMo never evaluates: no eval interval, and a written one is noted', () => {
    const { plan, notes } = extract(small('max_duration: 100\neval_interval: 50\n'));
    expect(plan.evalEverySteps).toBeUndefined();
    expect(notes).toContain('eval_interval has no effect: no evaluators are configured, so OLMo never evaluates');
    const empty = extract(small('max_duration: 100\nevaluators: []\n'));
    expect(empty.plan.evalEverySteps).toBeUndefined();
  });

  test('non-divisible global batch: floors and notes', () => {
    const { plan, notes } = extract(small('max_duration: 100\nglobal_train_batch_size: 100\ndevice_train_microbatch_size: 8'), { worldSize: 3 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 4, how: '100 // 3 // 8 (global // world size // micro)' });
    expect(notes.join('\n')).toContain('not a multiple');
  });
});

describe('olmo: detection', () => {
  test('llm-foundry look-alikes and other frameworks score 0', () => {
    // llm-foundry shares global_train_batch_size / max_duration.
    expect(olmo.detect(yaml('variables:\n  run_name: x\nrun_name: x\nmodel:\n  name: mpt_causal_lm\n  d_model: 768\nmax_duration: 10ba\nglobal_train_batch_size: 8\noptimizer:\n  name: decoupled_adamw\n  lr: 1.0e-4\nscheduler:\n  name: cosine_with_warmup\n'), NO_ENV)).toBe(0);
    expect(olmo.detect(yaml('run_name: x\nmax_duration: 10ba\nglobal_train_batch_size: 8\ntrain_loader:\n  name: text\nscheduler:\n  name: cosine_with_warmup\n'), NO_ENV)).toBe(0);
    // Missing OLMo evidence.
    expect(olmo.detect(yaml('max_duration: 10\nglobal_train_batch_size: 8\n'), NO_ENV)).toBe(0);
    expect(olmo.detect(yaml('run_name: x\nmax_duration: 10\nglobal_train_batch_size: 8\n'), NO_ENV)).toBe(0);
    expect(olmo.detect(yaml('per_device_train_batch_size: 8\nnum_train_epochs: 3\nlearning_rate: 2.0e-5\n'), NO_ENV)).toBe(0);
    expect(olmo.detect(parseSource('train.sh', 'torchrun scripts/train.py configs/x.yaml\n'), NO_ENV)).toBe(0);
    expect(olmo.detect(small(), NO_ENV)).toBe(8);
  });

  const sweep = sharedTest(OWN);

  sweep('every OLMo corpus file is claimed, extracts and passes the schema', () => {
    const files = listConfigs(OWN);
    const validate = validator();
    const bare: Partial<Record<PlanField, number>> = {};
    const resolved: Partial<Record<PlanField, number>> = {};
    const invalid: string[] = [];
    let claimed = 0;
    for (const f of files) {
      const file = parseSource(path.relative(OWN, f), readFileSync(f, 'utf8'));
      if (olmo.detect(file, NO_ENV) > 0) claimed++;
      for (const field of Object.keys(olmo.extract(file, NO_ENV).plan) as PlanField[]) bare[field] = (bare[field] ?? 0) + 1;
      const { plan } = olmo.extract(file, { assume: { worldSize: 64, datasetSamples: 50_000_000 }, mappings: {} });
      for (const field of Object.keys(plan) as PlanField[]) resolved[field] = (resolved[field] ?? 0) + 1;
      if (!validate(toPlain(file.tree!))) invalid.push(`${file.path}: ${JSON.stringify(validate.errors)}`);
    }
    console.log(`OLMo corpus: ${files.length} files, ${claimed} claimed; from the files alone: ${JSON.stringify(bare)}; with world 64 and 5e7 instances assumed: ${JSON.stringify(resolved)}`);
    expect(files.length).toBe(10);
    expect(claimed).toBe(10);
    expect(invalid).toEqual([]);
    expect(bare.globalBatchSize).toBe(10);
    expect(bare.peakLr).toBe(10);
    expect(bare.warmupSteps).toBe(10);
    expect(bare.totalSteps).toBeGreaterThanOrEqual(6); // steps, tokens or stop_at; the four 1ep files without stop_at need the dataset size
    expect(resolved.totalSteps).toBe(10);
    expect(resolved.decaySteps).toBe(10);
    expect(resolved.gradAccumSteps).toBe(10);
  });

  sweep('no file of another framework is claimed (llm-foundry, axolotl, HF, torchtune …)', () => {
    const claimed: string[] = [];
    let scanned = 0;
    for (const f of listConfigs(CORPUS)) {
      if (f.startsWith(OWN + path.sep)) continue;
      scanned++;
      const file = parseSource(path.relative(CORPUS, f), readFileSync(f, 'utf8'));
      if (olmo.detect(file, NO_ENV) > 0) claimed.push(file.path);
    }
    expect(scanned).toBeGreaterThan(100);
    expect(claimed).toEqual([]);
  });

  test('the schema compiles in strict mode and catches wrong values', () => {
    const validate = validator();
    expect(validate(toPlain(small().tree!))).toBe(true);
    const bad = small('max_duration: 1000ba\nprecision: bf16\nglobal_train_batch_size: 0', 'name: cosine\n  units: samples');
    expect(validate(toPlain(bad.tree!))).toBe(false);
    const paths = new Set(validate.errors?.map((e) => e.instancePath));
    expect([...paths]).toEqual(expect.arrayContaining(['/max_duration', '/precision', '/global_train_batch_size', '/scheduler/name', '/scheduler/units']));
  });
});
