/**
 * NeMo: NeMo 1.x Hydra YAML (Megatron NLP, ASR, Launcher, Aligner), NeMo 2 run YAML, Megatron-Bridge
 * overrides, and example scripts with Hydra overrides. Fixtures are written here in those shapes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nemo } from '../../src/dialects/nemo';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { lint, type FileResult } from '../../src/engine/lint';
import type { SourceFile } from '../../src/engine/source';
import { fixtureLoader, fixturesDir } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';

const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };
const fixture = fixtureLoader('nemo');
const extract = (file: SourceFile, env: ExtractEnv = NO_ENV): Extraction => nemo.extract(file, env);
const yaml = (text: string, name = 'conf/x.yaml') => parseSource(name, text);

/** A Megatron GPT config with the values tests change. */
const gpt = (over: { devices?: number; nodes?: number; tp?: number; micro?: number; global?: number; maxSteps?: number; sched?: string; trainerExtra?: string; modelExtra?: string } = {}) =>
  yaml(`trainer:
  devices: ${over.devices ?? 8}
  num_nodes: ${over.nodes ?? 1}
  precision: bf16
  max_steps: ${over.maxSteps ?? 10000}
  val_check_interval: 500
${over.trainerExtra ?? ''}
exp_manager:
  create_checkpoint_callback: True
model:
  micro_batch_size: ${over.micro ?? 4}
  global_batch_size: ${over.global ?? 256}
  tensor_model_parallel_size: ${over.tp ?? 2}
  pipeline_model_parallel_size: 1
${over.modelExtra ?? ''}
  optim:
    name: distributed_fused_adam
    lr: 2e-4
    sched:
${(over.sched ?? 'name: CosineAnnealing\nwarmup_steps: 100\nconstant_steps: 0\nmin_lr: 2e-5').split('\n').map((l) => `      ${l}`).join('\n')}
`);

describe('nemo detection', () => {
  test.each([
    ['nlp/conf/megatron_gpt_config.yaml'],
    ['nlp/conf/megatron_gpt_finetuning_config.yaml'],
    ['asr/conformer_ctc_bpe.yaml'],
    ['launcher/gpt3_5b.yaml'],
    ['aligner/gpt_dpo.yaml'],
    ['bridge/llama32_1b_pretrain.yaml'],
    ['nemo2/llama_pretrain_run.yaml'],
    ['scripts/pretrain_gpt.sh'],
  ])('%s is nemo', (name) => {
    expect(detectDialect(fixture(name), NO_ENV)?.meta.id).toBe('nemo');
  });

  test.each([['negative/megatron_model_base_config.yaml'], ['negative/lightning_cli.yaml'], ['negative/transcribe.yaml']])('%s is not nemo', (name) => {
    expect(nemo.detect(fixture(name), NO_ENV)).toBe(0);
  });

  test('a plain Lightning config stays lightning', () => {
    expect(detectDialect(fixture('negative/lightning_cli.yaml'), NO_ENV)?.meta.id).toBe('lightning');
  });
});

describe('NeMo 1.x Megatron models', () => {
  test('world = devices × nodes, DP = world / (TP × PP × CP), accumulation derived; ${multiply:…} resolves', () => {
    const f = fixture('nlp/conf/megatron_gpt_config.yaml');
    const e = extract(f);
    expect(e.plan.worldSize?.value).toBe(16);
    expect(e.plan.dataParallelSize?.value).toBe(8);
    expect(e.plan.gradAccumSteps?.value).toBe(16);
    expect(e.plan.globalBatchSize).toMatchObject({ value: 512, origin: 'explicit' });
    expect(e.plan.seqLen?.value).toBe(4096);
    // The hold: decay 44500 steps, then 5000 at min_lr; the horizon is the run (a hold is not a mismatch).
    expect(e.plan.decaySteps).toMatchObject({ value: 50000, how: expect.stringContaining('then model.optim.sched.constant_steps 5000 held at min_lr') });
    expect(e.plan.saveEverySteps).toMatchObject({ value: 1000, origin: 'derived' });
    expect(e.launchChecks?.['batch-size-mismatch']).toMatch(/global_batch_size` is not divisible by `micro_batch_size` x `data_parallel_size`/);
    expect(e.batchChecks).toBeUndefined();
  });

  test('interpolated data batch sizes and an explicit checkpoint interval', () => {
    const e = extract(fixture('nlp/conf/megatron_gpt_finetuning_config.yaml'));
    expect(e.plan.globalBatchSize?.value).toBe(128);
    expect(e.plan.saveEverySteps).toMatchObject({ value: 1000, key: 'exp_manager.checkpoint_callback_params.every_n_train_steps' });
    expect(e.plan.evalEverySteps?.value).toBe(200);
  });

  test('world size not divisible by TP × PP × CP: Megatron-Core rejects it at start-up', () => {
    const e = extract(gpt({ devices: 6, tp: 4, global: 96, micro: 4 }));
    expect(e.batchChecks?.map((c) => c.kind)).toEqual(['world-not-divisible-by-model-parallel']);
    expect(e.batchChecks?.[0].message).toMatch(/"world_size \(6\) is not divisible by 4"/);
  });

  test('constant_steps leaving no decay: the LR drops to min_lr right after warmup', () => {
    const e = extract(gpt({ maxSteps: 2000, sched: 'name: CosineAnnealing\nwarmup_steps: 100\nconstant_steps: 5000\nmin_lr: 2e-5' }));
    // No single key sets this horizon: it points at constant_steps, and says what to lower.
    expect(e.plan.decaySteps).toMatchObject({ value: 100, range: { line: 22 } });
    expect(e.plan.decaySteps?.key).toBeUndefined();
    expect(e.plan.decaySteps?.how).toMatch(/decay_steps = 2000 − \(5000 \+ 100\) ≤ 0, so the LR drops to min_lr right after warmup/);
  });

  test('warmup_steps with warmup_ratio, constant_steps with constant_ratio: NeMo asserts', () => {
    const e = extract(gpt({ sched: 'name: CosineAnnealing\nwarmup_steps: 100\nwarmup_ratio: 0.01\nconstant_steps: 10\nconstant_ratio: 0.1\nmin_lr: 2e-5' }));
    expect(e.conflicts?.map((c) => [c.kind, c.message.match(/"[^"]+"/)?.[0]])).toEqual([
      ['warmup-steps-and-ratio', '"Either use particular number of step or ratio"'],
      ['constant-steps-and-ratio', '"Either use constant_steps or constant_ratio"'],
    ]);
  });

  test('sched.max_steps is ignored under trainer.max_steps (ModelPT.setup_optimization)', () => {
    const e = extract(gpt({ sched: 'name: CosineAnnealing\nwarmup_steps: 100\nmax_steps: 500000\nmin_lr: 2e-5' }));
    expect(e.ignored).toEqual([expect.objectContaining({ key: 'model.optim.sched.max_steps', critical: true, message: expect.stringMatching(/is ignored: NeMo sets the scheduler's max_steps to trainer.max_steps 10000/) })]);
    expect(e.plan.decaySteps?.value).toBe(10000);
  });

  test('fp16 with megatron_amp_O2 and a non-distributed optimizer', () => {
    const f = yaml(gpt().text.replace('precision: bf16', 'precision: 16').replace('distributed_fused_adam', 'fused_adam').replace('  pipeline_model_parallel_size: 1', '  pipeline_model_parallel_size: 1\n  megatron_amp_O2: True'));
    expect(extract(f).conflicts?.map((c) => c.kind)).toEqual(['fp16-with-o2']);
  });

  test('rampup_batch_size: the global batch is not checked for divisibility', () => {
    const e = extract(gpt({ global: 100, modelExtra: '  rampup_batch_size: [16, 16, 1000000]' }));
    expect(e.plan.globalBatchSize?.origin).toBe('derived');
  });
});

describe('NeMo 1.x Lightning models, Launcher, Aligner, NeMo 2, Megatron-Bridge', () => {
  test('ASR: per-GPU batch × accumulation × devices; Noam peak = lr × d_model^-0.5 × warmup^-0.5', () => {
    const e = extract(fixture('asr/conformer_ctc_bpe.yaml'));
    expect(e.plan.globalBatchSize?.value).toBe(128);
    expect(e.plan.peakLr?.value).toBeCloseTo(2 / 16 / 100, 8);
    expect(e.plan.minLr).toBeUndefined();
    expect(e.notes.join('\n')).toMatch(/val_check_interval 1\.0 is a fraction of an epoch: validation once per epoch/);
  });

  test('Launcher 5b: a deliberate 12,500-step hold after a 62,385-step decay is not a trap', () => {
    const e = extract(fixture('launcher/gpt3_5b.yaml'));
    expect(e.plan.decaySteps).toMatchObject({ value: 75000, how: expect.stringContaining('decay 62385 steps') });
    expect(e.plan.gradAccumSteps?.value).toBe(4);
  });

  test("Aligner: the algorithm block's intervals; ${.dpo.max_epochs} relative interpolation", () => {
    const e = extract(fixture('aligner/gpt_dpo.yaml'));
    expect(e.plan.epochs).toMatchObject({ value: 1, note: expect.stringContaining('interpolated from `${.dpo.max_epochs}`') });
    expect(e.plan.saveEverySteps).toMatchObject({ value: 100, key: 'trainer.dpo.save_interval' });
    expect(e.plan.totalSteps).toBeUndefined();
  });

  test('NeMo 2: CosineAnnealingScheduler keeps 80,000 constant steps by default', () => {
    const e = extract(fixture('nemo2/llama_pretrain_run.yaml'));
    expect(e.plan.decaySteps).toMatchObject({ value: 200, range: { line: 16 } });
    expect(e.plan.decaySteps?.how).toMatch(/constant_steps 80000 \(NeMo 2 default\)/);
    expect(e.plan.gradAccumSteps?.value).toBe(64);
  });

  test('Megatron-Bridge: Megatron semantics; lr_decay_iters falls back to train_iters; recipe keys unknown', () => {
    const e = extract(fixture('bridge/llama32_1b_pretrain.yaml'), { assume: { worldSize: 8 }, mappings: {} });
    expect(e.plan.dataParallelSize?.value).toBe(4);
    expect(e.plan.gradAccumSteps?.value).toBe(8);
    expect(e.plan.decaySteps).toMatchObject({ value: 2000, origin: 'derived' });
    expect(e.notes.join('\n')).toMatch(/keys it leaves out come from the Python recipe/);
    const both = extract(yaml('train:\n  train_iters: 10\n  train_samples: 100\n  global_batch_size: 8\noptimizer:\n  lr: 1e-4\nscheduler:\n  lr_warmup_iters: 2\n  lr_warmup_fraction: 0.1\n'));
    expect(both.conflicts?.map((c) => c.kind)).toEqual(['run-length-twice', 'warmup-fraction-and-count']);
  });
});

describe('a NeMo script whose config is not in the repository', () => {
  test('only its overrides are known: parallel sizes and nodes it leaves out are unknown, not defaults', () => {
    const partial = extract(parseSource('run.sh', 'python megatron_gpt_pretraining.py --config-path=/opt/NeMo/conf --config-name=megatron_gpt_config trainer.devices=8 model.global_batch_size=100 model.micro_batch_size=4\n'));
    expect(partial.plan.worldSize).toBeUndefined();
    expect(partial.plan.globalBatchSize?.value).toBe(100);
    expect(partial.batchChecks).toBeUndefined();
    expect(partial.notes.join('\n')).toMatch(/trainer\.num_nodes is not set here/);
    const full = extract(parseSource('run.sh', 'python megatron_gpt_pretraining.py --config-path=/opt/NeMo/conf --config-name=megatron_gpt_config trainer.devices=8 trainer.num_nodes=1 model.tensor_model_parallel_size=2 model.pipeline_model_parallel_size=1 model.context_parallel_size=1 model.global_batch_size=100 model.micro_batch_size=4\n'));
    expect(full.plan.dataParallelSize?.value).toBe(4);
    expect(full.plan.gradAccumSteps).toBeUndefined();
  });

  test('a Megatron-Bridge override without the model parallel sizes does not take the world size as data-parallel', () => {
    const e = extract(yaml('train:\n  train_iters: 100\n  global_batch_size: 100\n  micro_batch_size: 2\noptimizer:\n  lr: 1e-4\nscheduler:\n  lr_warmup_iters: 10\n'), { assume: { worldSize: 8 }, mappings: {} });
    expect(e.plan.worldSize).toBeUndefined();
    expect(e.missing.map((m) => m.field)).toContain('dataParallelSize');
    expect(e.notes.join('\n')).toMatch(/world size 8 is known but not used as the data-parallel size: model\.tensor_model_parallel_size, model\.pipeline_model_parallel_size, model\.context_parallel_size are not set here \(the Python recipe sets them\)/);
  });

  test('a script on a packaged config that sets the devices and nodes: the world size is said, and the hint asks only for what is missing', () => {
    const e = extract(parseSource('run.sh', 'python /opt/NeMo/examples/nlp/language_modeling/megatron_gpt_pretraining.py trainer.devices=8 trainer.num_nodes=2 trainer.max_steps=1000 model.micro_batch_size=4 model.global_batch_size=128 model.tensor_model_parallel_size=2 model.pipeline_model_parallel_size=1\n'));
    expect(e.notes.join('\n')).toMatch(/world size 16 \(trainer\.devices 8 × trainer\.num_nodes 2\) is known but not used as the data-parallel size: model\.context_parallel_size is not set here \(the config the command names sets it\)/);
    expect(e.missing).toEqual([expect.objectContaining({ field: 'dataParallelSize', hint: expect.stringContaining('set model.context_parallel_size on the command') })]);
    // Not the batch identity with the world size as the data-parallel size.
    expect(e.plan.dataParallelSize).toBeUndefined();
    expect(e.plan.worldSize).toBeUndefined();
  });

  test('a script of Hydra deletions only is a NeMo command', () => {
    expect(nemo.detect(parseSource('run.sh', 'python megatron_gpt_pretraining.py --config-path=conf --config-name=gpt ~model.optim.sched.warmup_ratio\n'), NO_ENV)).toBeGreaterThan(0);
  });

  test('Megatron-Bridge caps a warmup at or past the decay horizon one sample short of it (its scheduler counts samples)', () => {
    const e = extract(yaml('train:\n  train_samples: 1024000\n  global_batch_size: 512\n  micro_batch_size: 2\noptimizer:\n  lr: 3.0e-4\nscheduler:\n  lr_warmup_samples: 2048000\n  lr_decay_style: cosine\n'));
    expect(e.plan.warmupSteps?.value).toBe(4000);
    expect(e.notes.join('\n')).toMatch(/warmup 4000 ≥ decay 2000 steps: Megatron-Bridge warns and caps the warmup at lr_decay_steps − 1 = 1023999 samples .*the LR climbs for all 2000 steps and never decays/);
    expect(e.notes.join('\n')).not.toMatch(/1999 steps/);
  });
});

describe('a NeMo script starts a config in the repository with Hydra overrides', () => {
  let results: FileResult[];
  beforeAll(async () => {
    ({ results } = await lint({ root: fixturesDir('nemo'), paths: [], config: {} }));
  });

  test('the config is linted with the overrides, values pointing at the script ($((…)), ${X:-default})', () => {
    const r = results.find((x) => x.file.path === 'nlp/conf/megatron_gpt_config.yaml' && x.launch)!;
    const p = r.extraction!.plan;
    expect(r.launch?.script).toBe('scripts/pretrain_gpt.sh');
    expect(p.worldSize?.value).toBe(16);
    expect(p.dataParallelSize?.value).toBe(4);
    expect(p.globalBatchSize).toMatchObject({ value: 512, origin: 'explicit', file: 'scripts/pretrain_gpt.sh', range: { line: 12 } });
    expect(p.gradAccumSteps?.value).toBe(64);
    expect(p.totalSteps).toMatchObject({ value: 20000, origin: 'explicit', file: 'scripts/pretrain_gpt.sh' });
    expect(p.minLr).toMatchObject({ value: 3e-5, file: 'nlp/conf/megatron_gpt_config.yaml' });
    expect(r.findings).toEqual([]);
  });

  test('the script has no plan of its own; its override errors are reported there', async () => {
    const s = results.find((x) => x.file.path === 'scripts/pretrain_gpt.sh')!;
    expect(s.starts?.[0]).toMatch(/^line 6: nlp\/conf\/megatron_gpt_config\.yaml/);
    expect(s.findings).toEqual([]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-nemo-'));
    try {
      writeFileSync(path.join(dir, 'megatron_gpt_config.yaml'), fixture('nlp/conf/megatron_gpt_config.yaml').text);
      writeFileSync(path.join(dir, 'run.sh'), 'python megatron_gpt_pretraining.py --config-path=. --config-name=megatron_gpt_config \\\n  model.global_batch_size=100 trainer.nope=1 +trainer.devices=4\n');
      const { results: rs } = await lint({ root: dir, paths: [], config: {} });
      const run = rs.find((x) => x.file.path === 'run.sh')!;
      expect(run.findings.map((f) => [f.ruleId, f.range.line, f.message.replace(/ \(Hydra.*$/, '')])).toEqual([
        ['schema', 2, "Could not override 'trainer.nope'. To append to your config use +trainer.nope=1"],
        ['schema', 2, "Could not append to config. An item is already at 'trainer.devices'. (++trainer.devices=4 appends or overrides)"],
      ]);
      const cfg = rs.find((x) => x.file.path === 'megatron_gpt_config.yaml' && x.launch)!;
      expect(cfg.findings.map((f) => f.ruleId)).toEqual(['batch-size-mismatch']);
      expect(cfg.findings[0].message).toMatch(/global batch 100 is not divisible by micro 4 × data-parallel 8 = 32.*NeMo refuses to start.*\(as launched by run\.sh:1\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ── Optional: ../shared/corpus-wave2 (skipped visibly when absent) ─────────────────────────

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const FOLDERS: [string, RegExp, 'nemo' | 'none'][] = [
  ['NVIDIA__NeMo', /^examples\/asr\/conf\//, 'nemo'],
  ['NVIDIA__NeMo', /^examples\/nlp\/language_modeling\/(?:tuning\/)?conf\/(?!megatron_model_base_config)/, 'nemo'],
  ['NVIDIA__NeMo', /megatron_model_base_config\.yaml$/, 'none'],
  ['NVIDIA-NeMo__Megatron-Bridge', /\.ya?ml$/, 'nemo'],
];
const describeIfNemo = sharedDescribe(path.join(WAVE2, 'NVIDIA__NeMo'));

describeIfNemo('NeMo and Megatron-Bridge corpus (../shared/corpus-wave2)', () => {
  const byRepo = new Map<string, FileResult[]>();
  beforeAll(async () => {
    for (const repo of new Set(FOLDERS.map(([r]) => r))) byRepo.set(repo, (await lint({ root: path.join(WAVE2, repo), paths: [], config: {} })).results);
  }, 60_000);

  test('≥ 95% of the training files per folder are nemo; the model-architecture fragment gets no dialect', () => {
    for (const [repo, folder, expected] of FOLDERS) {
      const files = byRepo.get(repo)!.filter((r) => folder.test(r.file.path) && !r.launch);
      expect(files.length).toBeGreaterThan(0);
      const right = files.filter((r) => (r.dialect?.meta.id ?? 'none') === expected);
      if (expected === 'none') expect(files.filter((r) => !right.includes(r)).map((r) => r.file.path)).toEqual([]);
      else expect(right.length / files.length).toBeGreaterThanOrEqual(0.95);
    }
  });

  test('no internal error', () => {
    for (const results of byRepo.values()) expect(results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'internal-error'))).toEqual([]);
  });
});
