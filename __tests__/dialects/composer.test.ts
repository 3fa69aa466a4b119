import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { composer, parseComposerTime } from '../../src/dialects/composer';
import { DIALECTS } from '../../src/dialects/index';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import type { PlanField } from '../../src/engine/types';
import schema from '../../schemas/dialects/composer.schema.json';
import { CORPUS, fixtureLoader, listConfigs, sharedTest } from '../helpers/dialect-fixtures';

const OWN = path.join(CORPUS, 'mosaicml__llm-foundry');
const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };

const fixture = fixtureLoader('composer');

function yaml(text: string, name = 'train.yaml'): SourceFile {
  return parseSource(name, text);
}

function extract(file: SourceFile, assume: ExtractEnv['assume'] = {}) {
  return composer.extract(file, { assume, mappings: {} });
}


/** A small llm-foundry training YAML; `extra` lines are appended at the top level. */
function foundry(extra = '', overrides: Record<string, string> = {}): SourceFile {
  const keys: Record<string, string> = {
    max_seq_len: '2048',
    global_train_batch_size: '256',
    device_train_microbatch_size: '8',
    max_duration: '1000ba',
    precision: 'amp_bf16',
    ...overrides,
  };
  const top = Object.entries(keys)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return yaml(`model:
  name: mpt_causal_lm
train_loader:
  name: text
  drop_last: true
optimizer:
  name: decoupled_adamw
  lr: 6.0e-4
scheduler:
  name: cosine_with_warmup
  t_warmup: 100ba
  alpha_f: 0.1
${top}
${extra}`);
}

describe('composer: golden plans of real llm-foundry files', () => {
  test('pretrain/mpt-125m: batches, ${variables.*} interpolation, alpha_f', () => {
    const file = fixture('mpt-125m.yaml');
    expect(composer.detect(file, NO_ENV)).toBe(9);
    const { plan, missing, notes } = extract(file);
    expect(plan.globalBatchSize).toEqual({ value: 256, origin: 'explicit', file: 'mpt-125m.yaml', key: 'global_train_batch_size', range: expect.objectContaining({ line: 72 }), valueRange: expect.objectContaining({ line: 72 }), unit: 'samples' });
    expect(plan.seqLen).toMatchObject({ value: 2048, key: 'max_seq_len', note: 'interpolated from `${variables.max_seq_len}` (variables.max_seq_len, line 3)' });
    expect(plan.seqLen?.range?.line).toBe(10);
    expect(plan.microBatchSize).toMatchObject({ value: 16, origin: 'explicit', key: 'device_train_microbatch_size' });
    expect(plan.peakLr).toMatchObject({ value: 6e-4, key: 'optimizer.lr' });
    expect(plan.peakLr?.note).toBeUndefined();
    expect(plan.totalSteps).toMatchObject({ value: 4800, origin: 'explicit', key: 'max_duration', unit: 'steps' });
    expect(plan.totalSteps?.range?.line).toBe(75);
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'explicit', key: 'scheduler.t_warmup', unit: 'steps' });
    expect(plan.minLr).toMatchObject({ value: 6e-5, origin: 'derived', how: 'alpha_f 0.1 × optimizer.lr 6e-4', key: 'scheduler.alpha_f' });
    expect(plan.evalEverySteps).toMatchObject({ value: 500, origin: 'explicit', key: 'eval_interval' });
    expect(plan.saveEverySteps).toBeUndefined(); // no save_folder
    expect(plan.scheduler?.value).toBe('cosine_with_warmup');
    expect(plan.optimizer?.value).toBe('decoupled_adamw');
    expect(plan.precision).toMatchObject({ value: 'amp_bf16', origin: 'explicit' });
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(missing.map((m) => m.field)).toEqual(['worldSize']);
    expect(notes).toEqual([]);
  });

  test('pretrain/mpt-125m on 8 GPUs: device batch 32, microbatch 16 → accumulation 2', () => {
    const { plan } = extract(fixture('mpt-125m.yaml'), { worldSize: 8 });
    expect(plan.gradAccumSteps).toMatchObject({ value: 2, origin: 'derived', how: '256 / 8 / 16 (global / world size / microbatch)' });
    expect(plan.microBatchSize?.value).toBe(16);
  });

  test('mcli/mcli-1b-max-seq-len-8k: the parameters: block, compute.gpus as the launcher world size', () => {
    const file = fixture('mcli-1b-max-seq-len-8k.yaml');
    expect(composer.detect(file, NO_ENV)).toBe(9);
    const { plan, missing } = extract(file);
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', key: 'compute.gpus', how: 'mcli compute.gpus' });
    expect(plan.worldSize?.range?.line).toBe(22);
    expect(plan.globalBatchSize).toMatchObject({ value: 128, key: 'parameters.global_train_batch_size' });
    expect(plan.seqLen).toMatchObject({ value: 8192, key: 'parameters.max_seq_len' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 16, how: '128 / 8 / 1 (global / world size / microbatch)' });
    expect(plan.totalSteps).toMatchObject({ value: 24800, key: 'parameters.max_duration' });
    expect(plan.warmupSteps).toMatchObject({ value: 100, key: 'parameters.scheduler.t_warmup' });
    expect(plan.peakLr?.value).toBe(2e-4);
    expect(plan.minLr?.value).toBe(2e-5);
    expect(plan.evalEverySteps?.value).toBe(2000);
    expect(missing).toEqual([]);
  });

  test('mcli/mcli-llama3-finetune: microbatch auto, 1ep needs the dataset size', () => {
    const file = fixture('mcli-llama3-finetune.yaml');
    const { plan, missing, notes } = extract(file);
    expect(plan.worldSize?.value).toBe(8);
    expect(plan.microBatchSize).toBeUndefined();
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(notes.join('\n')).toMatch(/device_train_microbatch_size is auto/);
    expect(plan.epochs).toMatchObject({ value: 1, origin: 'explicit', key: 'parameters.max_duration', unit: 'epochs' });
    expect(plan.totalSteps).toBeUndefined();
    expect(plan.seqLen).toMatchObject({ value: 4096, note: 'interpolated from `${variables.max_seq_len}` (parameters.variables.max_seq_len, line 21)' });
    expect(missing.map((m) => m.field)).toEqual(['datasetSamples']);
    expect(notes.join('\n')).toMatch(/parameters\.max_duration: 1ep is in epochs and the steps per epoch are unknown/);

    const withData = extract(file, { datasetSamples: 10000 }).plan;
    expect(withData.stepsPerEpoch).toMatchObject({ value: 156, how: 'floor(10000 / 64) (train_loader.drop_last)' });
    expect(withData.totalSteps).toMatchObject({ value: 156, origin: 'derived', how: '1 ep × 156 steps/epoch', key: 'parameters.max_duration' });
    expect(withData.evalEverySteps).toMatchObject({ value: 156, origin: 'derived', key: 'parameters.eval_interval' });
  });

  test('finetune/dbrx-full-ft: t_warmup 0.02dur of a 2ep run', () => {
    const file = fixture('dbrx-full-ft.yaml');
    const { plan, missing } = extract(file);
    expect(plan.warmupRatio).toMatchObject({ value: 0.02, origin: 'explicit', key: 'scheduler.t_warmup', unit: 'ratio' });
    expect(plan.warmupSteps).toBeUndefined();
    expect(missing.map((m) => m.field)).toEqual(['worldSize', 'datasetSamples']);
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'derived', how: 'alpha_f 0 × optimizer.lr 1e-6' });

    const withData = extract(file, { datasetSamples: 6400 }).plan;
    expect(withData.stepsPerEpoch?.value).toBe(100);
    expect(withData.totalSteps).toMatchObject({ value: 200, how: '2 ep × 100 steps/epoch' });
    // _convert_time: int(0.02 × dataloader_len 100 × 2 epochs) batches.
    expect(withData.warmupSteps).toMatchObject({ value: 4, origin: 'derived', how: 'int(0.02 × 100 steps/epoch × 2 ep)', key: 'scheduler.t_warmup' });
  });

  test('pretrain/hf-llama-3.1-8B: 100 warmup batches in a 50-batch run; no eval loader, no save folder', () => {
    const { plan, conflicts } = extract(fixture('hf-llama-3.1-8B.yaml'));
    expect(conflicts).toEqual([]); // eval_interval is mandatory in TrainConfig, even with nothing to evaluate
    expect(plan.totalSteps).toMatchObject({ value: 50, origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'explicit' });
    expect(plan.warmupSteps!.value).toBeGreaterThanOrEqual(plan.totalSteps!.value);
    expect(plan.evalEverySteps).toBeUndefined(); // eval_interval 100ba, but nothing to evaluate
    expect(plan.saveEverySteps).toBeUndefined(); // save_folder: null
  });
});

describe('composer: past the decay horizon', () => {
  const withTMax = (tMax: string, maxDuration: string) =>
    extract(
      yaml(`optimizer:\n  name: decoupled_adamw\n  lr: 6.0e-4\nscheduler:\n  name: cosine_with_warmup\n  t_warmup: 100ba\n  t_max: ${tMax}\n  alpha_f: 0.1\nglobal_train_batch_size: 256\ndevice_train_microbatch_size: 8\nmax_seq_len: 2048\nmax_duration: ${maxDuration}\n`),
      { worldSize: 8 },
    );

  test('t_max in the unit of max_duration: Composer raises when it is shorter, so the rule says so', () => {
    const { plan, launchChecks } = withTMax('800ba', '1000ba');
    expect(plan.decaySteps).toMatchObject({ value: 800 });
    expect(launchChecks?.['decay-horizon-mismatch']).toContain('Composer refuses to start when scheduler.t_max 800ba is shorter than max_duration 1000ba');
  });

  test('t_max in another unit is not compared by Composer: progress is clipped, the LR holds alpha_f × lr', () => {
    const { launchChecks, afterDecay } = withTMax('800ba', '524288000tok');
    expect(launchChecks?.['decay-horizon-mismatch']).toBeUndefined();
    expect(afterDecay).toBe('flat');
  });
});

describe('composer: time strings and unit conversions', () => {
  test('parseComposerTime', () => {
    expect(parseComposerTime('100ba', false)).toEqual({ value: 100, unit: 'ba', text: '100ba' });
    expect(parseComposerTime('1EP', false)).toEqual({ value: 1, unit: 'ep', text: '1EP' });
    expect(parseComposerTime('3e4tok', false)).toEqual({ value: 30000, unit: 'tok', text: '3e4tok' });
    expect(parseComposerTime('0.1dur', false)).toEqual({ value: 0.1, unit: 'dur', text: '0.1dur' });
    expect(parseComposerTime(2, true)).toEqual({ value: 2, unit: 'ep', text: '2', bare: true });
    expect(parseComposerTime(2, false)).toHaveProperty('error');
    expect(parseComposerTime('1.5ba', true)).toEqual({ error: expect.stringMatching(/whole number/) });
    expect(parseComposerTime('1h30m', true)).toHaveProperty('error');
  });

  test('tokens and samples → optimizer steps (ceil over the global batch)', () => {
    const tok = extract(foundry('', { max_duration: '1000000tok' })).plan.totalSteps;
    expect(tok).toMatchObject({ value: 2, origin: 'derived', how: 'ceil(1000000 tokens / (256 × 2048)), full-length sequences' });
    const sp = extract(foundry('', { max_duration: '5000sp' })).plan.totalSteps;
    expect(sp).toMatchObject({ value: 20, how: 'ceil(5000 samples / 256)' });
  });

  test('a bare integer max_duration is epochs', () => {
    const { plan } = extract(foundry('', { max_duration: '2' }), { datasetSamples: 2560 });
    expect(plan.epochs).toMatchObject({ value: 2, note: 'a bare integer max_duration is a number of epochs (Composer Trainer)' });
    expect(plan.totalSteps).toMatchObject({ value: 20, how: '2 ep × 10 steps/epoch' });
  });

  test('dur warmup of a batch, token or epoch max_duration', () => {
    const inBatches = extract(yaml(foundry().text.replace('t_warmup: 100ba', 't_warmup: 0.15dur'))).plan;
    expect(inBatches.warmupRatio?.value).toBe(0.15);
    expect(inBatches.warmupSteps).toMatchObject({ value: 150, origin: 'derived', how: 'int(0.15 × 1000ba)' });
    const inTokens = extract(yaml(foundry('', { max_duration: '1e9tok' }).text.replace('t_warmup: 100ba', 't_warmup: 0.1dur'))).plan;
    expect(inTokens.warmupSteps).toMatchObject({ value: 191, how: 'int(0.1 × 1e9tok) = 100000000tok → ceil(100000000 tokens / (256 × 2048)), full-length sequences' });
    const inEpochs = extract(yaml(foundry('', { max_duration: '3ep' }).text.replace('t_warmup: 100ba', 't_warmup: 1ep')), { datasetSamples: 25600 }).plan;
    expect(inEpochs.warmupSteps).toMatchObject({ value: 100, how: '1 ep × 100 steps/epoch' });
    expect(inEpochs.totalSteps?.value).toBe(300);
  });

  test('t_max gives the decay horizon; t_warmup as a bare number is rejected by Composer', () => {
    const withTMax = extract(yaml(foundry().text.replace('alpha_f: 0.1', 'alpha_f: 0.1\n  t_max: 800ba'))).plan;
    expect(withTMax.decaySteps).toMatchObject({ value: 800, origin: 'explicit', key: 'scheduler.t_max' });
    const bare = extract(yaml(foundry().text.replace('t_warmup: 100ba', 't_warmup: 100')));
    expect(bare.plan.warmupSteps).toBeUndefined();
    expect(bare.notes.join('\n')).toMatch(/scheduler\.t_warmup: 100 is not a Composer time string/);
  });
});

describe('composer: batch arithmetic and edge cases', () => {
  test('microbatch above the device batch is reduced to it', () => {
    const { plan } = extract(foundry('', { device_train_microbatch_size: '64' }), { worldSize: 8 });
    expect(plan.microBatchSize).toMatchObject({ value: 32, origin: 'derived' });
    expect(plan.microBatchSize?.how).toMatch(/device_train_microbatch_size 64 > device batch 32 \(256 \/ 8\): llm-foundry reduces it/);
    expect(plan.gradAccumSteps?.value).toBe(1);
  });

  test('global batch not divisible by the world size: noted, no accumulation', () => {
    const { plan, notes } = extract(foundry('', { global_train_batch_size: '250' }), { worldSize: 8 });
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(notes.join('\n')).toMatch(/global_train_batch_size 250 is not divisible by the world size 8/);
  });

  test('global batch not divisible by the data-parallel size: llm-foundry refuses to start (calculate_batch_size_info), never floors', () => {
    const mcli = yaml(`name: ft
compute:
  gpus: 16
parameters:
  max_seq_len: 2048
  global_train_batch_size: 120
  device_train_microbatch_size: 4
  max_duration: 1200ba
  model:
    name: hf_causal_lm
  optimizer:
    name: decoupled_adamw
    lr: 1.0e-5
  train_loader:
    name: finetuning
`);
    const { launchChecks = {} } = extract(mcli);
    expect(launchChecks['batch-size-mismatch']).toBe(
      'llm-foundry refuses to start: calculate_batch_size_info raises ValueError ("Global batch size 120 is not divisible by 16 as a result, the batch size would be truncated")',
    );
    // Divisible: no launch check.
    expect(extract(foundry(), { worldSize: 8 }).launchChecks?.['batch-size-mismatch']).toBeUndefined();
  });

  test('device batch not a multiple of the microbatch: uneven microbatches, no accumulation count', () => {
    const { plan, notes } = extract(foundry('', { global_train_batch_size: '72', device_train_microbatch_size: '4' }), { worldSize: 8 });
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(notes.join('\n')).toMatch(/device batch 9 .* not a multiple of device_train_microbatch_size 4: Composer runs 3 microbatches/);
  });

  test('defaults: precision amp_bf16, microbatch auto, save_interval 1000ba with a save_folder', () => {
    const text = foundry('save_folder: ./{run_name}/checkpoints\neval_loader:\n  name: text\neval_interval: 1\n').text.replace('precision: amp_bf16\n', '').replace('device_train_microbatch_size: 8\n', '');
    const { plan, notes } = extract(yaml(text), { datasetSamples: 25600 });
    expect(plan.precision).toMatchObject({ value: 'amp_bf16', origin: 'default' });
    expect(notes.join('\n')).toMatch(/device_train_microbatch_size is auto \(TrainConfig default\)/);
    expect(plan.saveEverySteps).toMatchObject({ value: 1000, origin: 'default', key: 'save_interval' });
    expect(plan.evalEverySteps).toMatchObject({ value: 100, origin: 'derived', how: '1 ep × 100 steps/epoch' });
  });

  test('save_interval without a save_folder does nothing (an ignored setting); an unresolved save_folder counts as set', () => {
    const none = extract(foundry('save_interval: 500ba\n'));
    expect(none.conflicts).toEqual([]);
    expect(none.ignored?.map((i) => [i.key, i.critical, i.message])).toEqual([
      ['save_interval', undefined, 'save_interval 500ba has no effect: no checkpoint is written without a save_folder'],
    ]);
    expect(none.plan.saveEverySteps).toBeUndefined();
    const env = extract(foundry('save_interval: 500ba\nsave_folder: ${oc.env:SAVE_DIR}\n'));
    expect(env.conflicts).toEqual([]);
    expect(env.ignored).toEqual([]);
    expect(env.plan.saveEverySteps).toMatchObject({ value: 500, origin: 'explicit' });
  });

  test('cosine without alpha_f decays to 0; constant_with_warmup stays at the peak', () => {
    const noAlpha = extract(yaml(foundry().text.replace('  alpha_f: 0.1\n', ''))).plan;
    expect(noAlpha.minLr).toMatchObject({ value: 0, origin: 'default', key: 'scheduler.alpha_f' });
    const constant = extract(yaml(foundry().text.replace('cosine_with_warmup', 'constant_with_warmup'))).plan;
    expect(constant.minLr).toMatchObject({ value: 6e-4, origin: 'derived' });
  });

  test('interpolation: chains, resolvers and missing targets', () => {
    const text = foundry('variables:\n  gbs: ${variables.base}\n  base: 512\n  seq: ${oc.env:SEQ}\n', { global_train_batch_size: '${variables.gbs}', max_seq_len: '${variables.seq}', max_duration: '${variables.nope}' }).text;
    const { plan, notes } = extract(yaml(text));
    expect(plan.globalBatchSize).toMatchObject({ value: 512, note: 'interpolated from `${variables.gbs}` (variables.base, line 20)' });
    expect(plan.seqLen).toBeUndefined();
    expect(plan.totalSteps).toBeUndefined();
    expect(notes.join('\n')).toMatch(/max_seq_len: `\$\{oc\.env:SEQ\}` is an OmegaConf resolver/);
    expect(notes.join('\n')).toMatch(/max_duration: `\$\{variables\.nope\}` names no key in this file/);
    const cyclic = extract(yaml(foundry('a: ${b}\nb: ${a}\n', { global_train_batch_size: '${a}' }).text));
    expect(cyclic.plan.globalBatchSize).toBeUndefined();
    expect(cyclic.notes.join('\n')).toMatch(/circular reference/);
  });

  test('detection: llm-foundry keys, not OLMo, not eval-only, not HF', () => {
    expect(composer.detect(foundry(), NO_ENV)).toBe(9);
    // OLMo shares global_train_batch_size / max_duration / device_train_microbatch_size.
    const olmo = 'global_train_batch_size: 2048\ndevice_train_microbatch_size: 8\nmax_duration: 739328\noptimizer:\n  name: adamw\n  learning_rate: 4.0e-4\ndata:\n  paths: [a.npy]\nevaluators: []\n';
    expect(composer.detect(yaml(olmo), NO_ENV)).toBe(0);
    expect(composer.detect(yaml('icl_tasks: eval/yamls/tasks.yaml\nmax_seq_len: 1024\ndevice_eval_batch_size: 4\nmodels: []\n'), NO_ENV)).toBe(0);
    expect(composer.detect(yaml('per_device_train_batch_size: 8\nnum_train_epochs: 3\nlearning_rate: 2.0e-5\n'), NO_ENV)).toBe(0);
    expect(composer.detect(yaml('name: run\ncompute:\n  gpus: 8\nparameters:\n  foo: 1\n'), NO_ENV)).toBe(0);
    // A bare llm-foundry core plus the MPT model is enough.
    expect(composer.detect(yaml('model:\n  name: mpt_causal_lm\nmax_duration: 10ba\n'), NO_ENV)).toBe(6);
  });

  test('the schema compiles in strict mode and catches wrong values', () => {
    const validate = new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);
    expect(validate(toPlain(foundry().tree!))).toBe(true);
    const bad = foundry('', { max_duration: '1000steps', precision: 'bf16', global_train_batch_size: '0' });
    expect(validate(toPlain(bad.tree!))).toBe(false);
    const paths = new Set(validate.errors?.map((e) => e.instancePath));
    expect([...paths]).toEqual(expect.arrayContaining(['/max_duration', '/precision', '/global_train_batch_size']));
  });
});

const sweep = sharedTest(OWN);

describe('composer: corpus sweeps', () => {
  sweep('every llm-foundry corpus file is claimed, extracts, and passes the schema', () => {
    const files = listConfigs(OWN);
    const validate = new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);
    const resolved: Partial<Record<PlanField, number>> = {};
    const bare: Partial<Record<PlanField, number>> = {};
    let claimed = 0;
    const invalid: string[] = [];
    const conflicts: string[] = [];
    for (const f of files) {
      const file = parseSource(path.relative(OWN, f), readFileSync(f, 'utf8'));
      if (composer.detect(file, NO_ENV) > 0) claimed++;
      conflicts.push(...(composer.extract(file, NO_ENV).conflicts ?? []).map((c) => `${file.path}: ${c.message}`));
      for (const field of Object.keys(composer.extract(file, NO_ENV).plan) as PlanField[]) bare[field] = (bare[field] ?? 0) + 1;
      const { plan } = composer.extract(file, { assume: { worldSize: 8, datasetSamples: 100000 }, mappings: {} });
      for (const field of Object.keys(plan) as PlanField[]) resolved[field] = (resolved[field] ?? 0) + 1;
      if (!validate(toPlain(file.tree!))) invalid.push(`${file.path}: ${JSON.stringify(validate.errors)}`);
    }
    console.log(
      `llm-foundry corpus: ${files.length} files, ${claimed} claimed; fields from the files alone: ${JSON.stringify(bare)}; ` +
        `with world 8 and 100000 samples assumed: ${JSON.stringify(resolved)}`,
    );
    expect(files.length).toBe(31);
    expect(claimed).toBe(31);
    expect(conflicts).toEqual([]);
    expect(invalid).toEqual([]);
    expect(bare.globalBatchSize).toBe(31);
    expect(bare.peakLr).toBe(31);
    expect(bare.warmupSteps).toBeGreaterThanOrEqual(29); // the two 0.02dur warmups need the epoch length
    expect(bare.totalSteps).toBeGreaterThanOrEqual(19); // every `ba` max_duration
    expect(bare.seqLen).toBe(31);
    expect(resolved.totalSteps).toBe(31);
    expect(resolved.warmupSteps).toBe(31);
    expect(resolved.gradAccumSteps).toBeGreaterThanOrEqual(27);
  });

  sweep('no file of another framework is claimed (OLMo, axolotl, HF, torchtune, litgpt …)', () => {
    const claimed: string[] = [];
    for (const f of listConfigs(CORPUS)) {
      if (f.startsWith(OWN + path.sep)) continue;
      const file = parseSource(path.relative(CORPUS, f), readFileSync(f, 'utf8'));
      if (composer.detect(file, NO_ENV) > 0) claimed.push(file.path);
    }
    expect(claimed).toEqual([]);
  });

  sweep('on llm-foundry files, no registered dialect scores higher', () => {
    const beaten: string[] = [];
    for (const f of listConfigs(OWN)) {
      const file = parseSource(path.relative(OWN, f), readFileSync(f, 'utf8'));
      const own = composer.detect(file, NO_ENV);
      for (const d of DIALECTS) if (d.meta.id !== 'composer' && d.detect(file, NO_ENV) >= own) beaten.push(`${file.path}: ${d.meta.id}`);
    }
    expect(beaten).toEqual([]);
  });
});

describe('composer: a warmup written as a share of the run (`dur`)', () => {
  test('t_warmup 0.3dur is compared as 30% and advised in its own unit (0.2dur), not in batches', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const { lint } = await import('../../src/engine/lint');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-composer-dur-'));
    try {
      mkdirSync(path.join(dir, '.git'));
      writeFileSync(
        path.join(dir, 'mpt-125m.yaml'),
        'max_seq_len: 2048\nglobal_seed: 17\nmodel:\n  name: mpt_causal_lm\n  d_model: 768\n  n_heads: 12\n  n_layers: 12\n  max_seq_len: ${max_seq_len}\noptimizer:\n  name: decoupled_adamw\n  lr: 6.0e-4\nscheduler:\n  name: cosine_with_warmup\n  t_warmup: 0.3dur\n  alpha_f: 0.1\nmax_duration: 4800ba\nglobal_train_batch_size: 256\ndevice_train_microbatch_size: 16\nprecision: amp_bf16\n',
      );
      const { results } = await lint({ root: dir, paths: [], config: { assume: { worldSize: 16 } } });
      const f = results[0].findings.find((x) => x.ruleId === 'warmup-fraction');
      expect(f?.range.line).toBe(14);
      expect(f?.message).toContain('scheduler.t_warmup 0.3dur (1440 steps) is 30% of the run');
      expect(f?.message).toContain('set scheduler.t_warmup: 0.2dur (960 steps of max_duration) or less');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
