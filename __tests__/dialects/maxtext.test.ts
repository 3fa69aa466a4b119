/**
 * MaxText: YAML configs on `base_config: base.yml` (followed through the resolver; a base not in the
 * repository is MaxText's packaged one) and `python3 -m MaxText.train CONFIG.yml key=value …`
 * launch commands (OmegaConf dotlist overrides, shell variables and `$((…))`), written in the shapes
 * of AI-Hypercomputer/maxtext's configs/ and gpu/tpu scripts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { maxtext } from '../../src/dialects/maxtext';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { lint, type FileResult } from '../../src/engine/lint';
import { parseDotlistItem } from '../../src/engine/hydra/command';
import { fixtureLoader, fixturesDir, listConfigs } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';

const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };
const fixture = fixtureLoader('maxtext');
const script = (args: string) => maxtext.extract(parseSource('run.sh', `python3 -m MaxText.train MaxText/configs/base.yml ${args}\n`), NO_ENV);

describe('maxtext detection', () => {
  test.each([['llama2_7b_16vm.sh'], ['v5p_128b.sh'], ['gpu_train.yml'], ['repo/configs/base.yml'], ['repo/configs/short_schedule.yml'], ['repo/train_short.sh']])('%s is maxtext', (name) => {
    expect(detectDialect(fixture(name), NO_ENV)?.meta.id).toBe('maxtext');
  });
  test('a model-architecture file is not maxtext', () => {
    expect(maxtext.detect(fixture('repo/configs/models/llama2-7b.yml'), NO_ENV)).toBe(0);
  });
});

describe('maxtext launch commands: base.yml defaults + key=value overrides', () => {
  test('the mesh gives the devices; per-device batch × devices × accumulation; warmup is a fraction of the schedule', () => {
    const e = maxtext.extract(fixture('llama2_7b_16vm.sh'), NO_ENV);
    const p = e.plan;
    expect(p.worldSize?.value).toBe(128);
    expect(p.globalBatchSize?.value).toBe(512);
    expect(p.totalSteps).toMatchObject({ value: 5000, key: 'steps', range: { line: 14 } });
    expect(p.decaySteps?.value).toBe(4000);
    expect(p.warmupSteps).toMatchObject({ value: 400, fractionOf: { fraction: 0.1, ofSteps: 4000 } });
    expect(p.peakLr).toMatchObject({ value: 3e-5, origin: 'default' });
    expect(e.afterDecay).toBe('zero');
    expect(e.overridable).toBeDefined();
  });
  test('learning_rate_schedule_steps -1 follows steps; an auto axis leaves the devices unknown', () => {
    const e = maxtext.extract(fixture('v5p_128b.sh'), NO_ENV);
    expect(e.plan.decaySteps).toMatchObject({ value: 15, origin: 'default' });
    expect(e.plan.worldSize).toBeUndefined();
    expect(e.plan.saveEverySteps).toBeUndefined(); // enable_checkpointing=false
    expect(e.missing.map((m) => m.field)).toContain('worldSize');
  });
  test('two auto axes, and a mesh that does not match the devices', () => {
    expect(script('ici_tensor_parallelism=-1').batchChecks?.[0].message).toContain('"Found unspecified values (-1) for more than one ICI parallelism axis. At most one axis can be unspecified."');
    const e = maxtext.extract(parseSource('r.sh', 'python3 -m MaxText.train MaxText/configs/base.yml ici_fsdp_parallelism=8 dcn_data_parallelism=2\n'), { assume: { worldSize: 8 }, mappings: {} });
    // MaxText checks per slice: without num_slices the slices come from the hardware, so both checks are named.
    expect(e.batchChecks?.[0].message).toContain('the mesh axes multiply to 16 (ICI 8 × DCN 2) but the run has 8 devices');
    expect(e.batchChecks?.[0].message).toContain('with 2 slices (the DCN product), "Number of devices per slice 4 does not match the product of the ICI parallelism 8"');
    expect(e.batchChecks?.[0].message).not.toContain('Number of devices 8');
  });
  test('two slices: the ICI axes are checked against the devices per slice, in MaxText\'s words', () => {
    const run = (line: string, world: number) => maxtext.extract(parseSource('r.sh', `python3 -m MaxText.train MaxText/configs/base.yml ${line}\n`), { assume: { worldSize: world }, mappings: {} });
    const e = run('ici_fsdp_parallelism=8 ici_tensor_parallelism=4 dcn_data_parallelism=2 num_slices=2', 32);
    expect(e.batchChecks?.map((c) => c.message)).toEqual([
      'the ICI axes do not fit the 32 devices over num_slices 2 (16 per slice): MaxText refuses to start (max_utils.fill_unspecified_mesh_axes): "Number of devices per slice 16 does not match the product of the ICI parallelism 32"; make the ici_* axes multiply to 16 (or set one to -1)',
    ]);
    expect(run('ici_fsdp_parallelism=8 dcn_data_parallelism=4 num_slices=2', 16).batchChecks?.[0].message).toContain('"Number of slices 2 does not match the product of the DCN parallelism 4"');
    expect(run('ici_fsdp_parallelism=8 ici_tensor_parallelism=2 dcn_data_parallelism=2 num_slices=2', 32).batchChecks ?? []).toEqual([]);
    expect(run('ici_fsdp_parallelism=-1 ici_tensor_parallelism=4 dcn_data_parallelism=2 num_slices=2', 32).batchChecks ?? []).toEqual([]);
  });
  test('a WSD schedule whose warmup and decay exceed the run; WSD keys under cosine are ignored in a child config', () => {
    expect(script('lr_schedule_type=wsd warmup_steps_fraction=0.5 wsd_decay_steps_fraction=0.6').configErrors?.[0].message).toContain('"Invalid WSD schedule: warmup_steps_fraction (0.5) + wsd_decay_steps_fraction (0.6) must not exceed 1.0."');
    const child = maxtext.extract(parseSource('c.yml', 'base_config: base.yml\nsteps: 100\nwsd_decay_style: cosine\n'), NO_ENV);
    expect(child.ignored?.map((i) => i.key)).toEqual(['wsd_decay_style']);
  });
  test('OmegaConf dotlist items: any text after `=`, typed as YAML', () => {
    expect(parseDotlistItem('run_name=$(date +%Y-%m-%d)')).toMatchObject({ ok: true, override: { key: 'run_name', value: { value: '$(date +%Y-%m-%d)' } } });
    expect(parseDotlistItem('per_device_batch_size=0.5')).toMatchObject({ ok: true, override: { value: { value: 0.5 } } });
    expect(parseDotlistItem('base_output_directory=gs://bucket/run')).toMatchObject({ ok: true, override: { value: { value: 'gs://bucket/run' } } });
    expect(parseDotlistItem('no-equals').ok).toBe(false);
  });
});

describe('maxtext through the engine: base_config chains and launched configs', () => {
  let results: FileResult[];
  beforeAll(async () => {
    ({ results } = await lint({ root: fixturesDir('maxtext'), paths: [], config: {} }));
  });
  const of = (p: string, launched = false) => results.find((r) => r.file.path === p && (r.launch !== undefined) === launched);
  test('a child config reads base.yml from the repository, each value at its own file', async () => {
    const alone = await lint({ root: fixturesDir('maxtext'), paths: ['repo/configs/short_schedule.yml'], config: {}, repoScripts: false });
    const r = alone.results.find((x) => x.file.path === 'repo/configs/short_schedule.yml');
    expect(r?.extraction?.plan.peakLr).toMatchObject({ value: 1e-4, file: 'repo/configs/short_schedule.yml' });
    expect(r?.extraction?.plan.minLr?.value).toBeCloseTo(1e-5); // learning_rate_final_fraction 0.1 from base.yml
    expect(r?.extraction?.plan.warmupSteps?.value).toBe(1500);
    // steps 20000 > learning_rate_schedule_steps 15000: 5000 steps at LR 0.
    expect(r?.findings.map((f) => f.ruleId)).toContain('decay-horizon-mismatch');
    expect(r?.findings.find((f) => f.ruleId === 'decay-horizon-mismatch')?.message).toContain('train at a learning rate of 0');
  });
  test('a base.yml that is not in the repository is the packaged one: its defaults apply', () => {
    const r = of('gpu_train.yml');
    expect(r?.extraction?.plan.peakLr).toMatchObject({ value: 3e-5, origin: 'default' });
    expect(r?.extraction?.notes.join()).toContain("MaxText reads its packaged configs/base.yml");
  });
  test("a script's overrides apply to the config it names, after the YAML", () => {
    const r = of('repo/configs/short_schedule.yml', true);
    expect(r?.extraction?.plan.totalSteps).toMatchObject({ value: 30000, file: 'repo/train_short.sh' });
    expect(r?.extraction?.plan.microBatchSize?.value).toBe(2);
    expect(of('repo/train_short.sh')?.extraction?.notes.join()).toContain('the plan is read from');
  });
});

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const describeIfWave2 = sharedDescribe(path.join(WAVE2, 'AI-Hypercomputer__maxtext'));

describeIfWave2('maxtext corpus sweep (../shared/corpus-wave2/AI-Hypercomputer__maxtext)', () => {
  test('≥ 95% of the training configs are maxtext; the model-architecture files under configs/models/ get none', () => {
    const files = listConfigs(path.join(WAVE2, 'AI-Hypercomputer__maxtext'));
    let training = 0;
    let right = 0;
    for (const f of files) {
      const got = detectDialect(parseSource(f, readFileSync(f, 'utf8')), NO_ENV)?.meta.id ?? null;
      if (/\/configs\/models\//.test(f)) expect([f, got]).toEqual([f, null]);
      else {
        training++;
        if (got === 'maxtext') right++;
      }
    }
    expect(training).toBeGreaterThan(15);
    expect(right / training).toBeGreaterThanOrEqual(0.95);
  });
});
