import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { nanogpt } from '../../src/dialects/nanogpt';
import type { ExtractEnv } from '../../src/dialects/types';
import { loadFile, parseSource } from '../../src/engine/load-file';
import type { SourceFile } from '../../src/engine/source';
import { toPlain } from '../../src/engine/tree';
import schema from '../../schemas/dialects/nanogpt.schema.json';
import { CORPUS, listFiles, sharedTest } from '../helpers/dialect-fixtures';

const CONFIG = path.join(__dirname, '..', 'fixtures', 'dialects', 'nanogpt', 'config');

const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const config = (name: string): SourceFile => parseSource(`config/${name}`, readFileSync(path.join(CONFIG, name), 'utf8'));
const py = (text: string): SourceFile => parseSource('config/x.py', text);


describe('nanoGPT golden plans (numbers from corpus/FACTS-nanoGPT.md)', () => {
  test('train_gpt2.py: 12 × 40 sequences = 491,520 tokens per step, whatever the GPU count', () => {
    const file = config('train_gpt2.py');
    const { plan, missing } = nanogpt.extract(file, env());
    expect(plan.microBatchSize).toMatchObject({ value: 12, origin: 'explicit', key: 'batch_size', file: 'config/train_gpt2.py', range: { line: 7, column: 1, endLine: 7, endColumn: 11 } });
    expect(plan.seqLen).toMatchObject({ value: 1024, origin: 'explicit', key: 'block_size' });
    expect(plan.globalBatchSize).toMatchObject({
      value: 480,
      origin: 'derived',
      unit: 'samples',
      how: '12 × 40 (batch_size × gradient_accumulation_steps, a global micro-step count: the world size does not change it)',
      note: '491520 tokens per optimizer step (× block_size 1024)',
    });
    expect(plan.gradAccumSteps).toBeUndefined(); // per-GPU accumulation = 40 / world size
    expect(plan.totalSteps).toMatchObject({ value: 600000, origin: 'explicit', key: 'max_iters', unit: 'steps' });
    expect(plan.decaySteps).toMatchObject({ value: 600000, origin: 'explicit', key: 'lr_decay_iters' });
    // Left to the train.py defaults (FACTS observation 3).
    expect(plan.peakLr).toMatchObject({ value: 6e-4, origin: 'default', key: 'learning_rate' });
    expect(plan.warmupSteps).toMatchObject({ value: 2000, origin: 'default', key: 'warmup_iters', unit: 'steps' });
    expect(plan.minLr).toMatchObject({ value: 6e-5, origin: 'default', key: 'min_lr' });
    expect(plan.scheduler).toMatchObject({ value: 'cosine', origin: 'default', key: 'decay_lr' });
    expect(plan.evalEverySteps).toMatchObject({ value: 1000, origin: 'explicit', key: 'eval_interval' });
    expect(plan.saveEverySteps).toMatchObject({ value: 1000, origin: 'derived', key: 'eval_interval', how: 'eval_interval 1000: always_save_checkpoint = True writes a checkpoint at every evaluation' });
    expect(plan.precision).toMatchObject({ value: 'bfloat16', origin: 'default' });
    expect(plan.optimizer).toMatchObject({ value: 'AdamW', origin: 'default' });
    expect(missing.map((m) => m.field)).toEqual(['worldSize']);

    // On the 8 GPUs of the file's torchrun comment: 40 / 8 = 5 accumulation steps per GPU; the global batch is unchanged.
    const eight = nanogpt.extract(file, env({ worldSize: 8 })).plan;
    expect(eight.gradAccumSteps).toMatchObject({ value: 5, origin: 'derived', how: '40 / 8 (train.py: gradient_accumulation_steps //= world size)' });
    expect(eight.globalBatchSize?.value).toBe(480);
    expect(nanogpt.extract(file, env({ worldSize: 4 })).plan.globalBatchSize?.value).toBe(480);
  });

  test('train_shakespeare_char.py: 64 × 256 × 1 = 16,384 tokens, warmup 100 of 5000, min_lr = lr / 10', () => {
    const { plan } = nanogpt.extract(config('train_shakespeare_char.py'), env({ worldSize: 1 }));
    expect(plan.globalBatchSize).toMatchObject({ value: 64, note: '16384 tokens per optimizer step (× block_size 256)' });
    expect(plan.gradAccumSteps?.value).toBe(1);
    expect(plan.peakLr).toMatchObject({ value: 1e-3, origin: 'explicit' });
    expect(plan.minLr).toMatchObject({ value: 1e-4, origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'explicit', key: 'warmup_iters' });
    expect(plan.totalSteps?.value).toBe(5000);
    expect(plan.decaySteps?.value).toBe(5000);
    expect(plan.evalEverySteps?.value).toBe(250);
  });

  test('finetune_shakespeare.py: decay_lr = False, so the inherited warmup 2000 ≥ 20 iterations is inert', () => {
    const { plan, notes } = nanogpt.extract(config('finetune_shakespeare.py'), env());
    expect(plan.globalBatchSize).toMatchObject({ value: 32, note: '32768 tokens per optimizer step (× block_size 1024)' });
    expect(plan.seqLen).toMatchObject({ value: 1024, origin: 'default' });
    expect(plan.totalSteps).toMatchObject({ value: 20, origin: 'explicit' });
    expect(plan.peakLr).toMatchObject({ value: 3e-5, origin: 'explicit' });
    expect(plan.scheduler).toMatchObject({ value: 'constant', origin: 'explicit', key: 'decay_lr', range: { line: 16 } });
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.decaySteps).toBeUndefined();
    expect(plan.minLr).toBeUndefined();
    expect(plan.evalEverySteps?.value).toBe(5);
    expect(notes).toContain('decay_lr = False: the LR stays at learning_rate; warmup_iters, lr_decay_iters and min_lr have no effect, so no warmup or decay is linted');
    expect(nanogpt.extract(config('finetune_shakespeare.py'), env()).conflicts).toEqual([]); // the inert values are inherited, not written
  });

  test.each(['eval_gpt2.py', 'eval_gpt2_medium.py', 'eval_gpt2_large.py', 'eval_gpt2_xl.py'])('%s is evaluation only: no schedule', (name) => {
    const { plan, notes } = nanogpt.extract(config(name), env());
    expect(plan).toEqual({
      microBatchSize: expect.objectContaining({ value: 8, origin: 'explicit' }),
      seqLen: expect.objectContaining({ value: 1024, origin: 'default' }),
    });
    expect(notes[0]).toMatch(/^eval_only = True \(line 6\): train.py evaluates once and exits/);
  });
});

describe('nanoGPT edge cases', () => {
  test('a world size that does not divide gradient_accumulation_steps fails train.py’s assert', () => {
    const { plan, notes } = nanogpt.extract(py('batch_size = 4\ngradient_accumulation_steps = 40\nmax_iters = 100\n'), env({ worldSize: 3 }));
    expect(plan.gradAccumSteps).toBeUndefined();
    expect(plan.globalBatchSize?.value).toBe(160);
    expect(notes.join('\n')).toMatch(/40 is not divisible by the world size 3: train.py asserts/);
  });

  test('computed values are unknown, never defaulted, with a hint', () => {
    const { plan, missing, notes } = nanogpt.extract(
      py('import math\nbatch_size = 12\nmax_iters = int(5e4)\nif True:\n    warmup_iters = 10\nblock_size = 1024\n'),
      env(),
    );
    expect(plan.totalSteps).toBeUndefined();
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.decaySteps).toMatchObject({ value: 600000, origin: 'default' });
    expect(missing.map((m) => m.field)).toEqual(['totalSteps', 'warmupSteps', 'worldSize']);
    expect(missing[0].hint).toBe('max_iters is unknown (assigned `int(5e4)`: not a value trainlint can read without running Python); set assume.totalSteps in .trainlint.yml');
    expect(notes.join('\n')).toMatch(/warmup_iters: assigned inside a block \(line 5\)/);
    // assume fills what the config computes.
    expect(nanogpt.extract(py('batch_size = 12\nmax_iters = int(5e4)\n'), env({ totalSteps: 50000 })).plan.totalSteps).toMatchObject({ value: 50000, origin: 'assumed' });
  });

  test('always_save_checkpoint = False: checkpoints only at evaluations that improve', () => {
    const { plan } = nanogpt.extract(py('eval_interval = 500\nalways_save_checkpoint = False\nmax_iters = 5000\n'), env());
    expect(plan.saveEverySteps?.how).toBe('eval_interval 500: checkpoints are written at evaluations, only when the val loss improves (always_save_checkpoint = False)');
  });

  test('decay_lr = False with a written warmup_iters / min_lr: switched off in the same file, so not reported', () => {
    const { conflicts, ignored, notes, plan } = nanogpt.extract(py('decay_lr = False\nwarmup_iters = 100\nmin_lr = 1e-5\nmax_iters = 1000\n'), env());
    expect(conflicts).toEqual([]);
    expect(ignored ?? []).toEqual([]);
    expect(plan.warmupSteps).toBeUndefined();
    expect(notes).toContain('decay_lr = False: the LR stays at learning_rate; warmup_iters, lr_decay_iters and min_lr have no effect, so no warmup or decay is linted');
  });

  test('an explicit dtype is the precision', () => {
    expect(nanogpt.extract(py("dtype = 'float16'\nmax_iters = 10\n"), env()).plan.precision).toMatchObject({ value: 'float16', origin: 'explicit' });
  });
});

describe('nanoGPT detection', () => {
  test('python files with nanoGPT names', () => {
    expect(nanogpt.detect(config('train_gpt2.py'), env())).toBe(9);
    expect(nanogpt.detect(config('eval_gpt2.py'), env())).toBe(8);
    expect(nanogpt.detect(py('batch_size = 1\nlearning_rate = 1e-3\n'), env())).toBe(0);
    expect(nanogpt.detect(py('max_epochs = 12\nmodel = dict(type="x")\n'), env())).toBe(0);
    expect(nanogpt.detect(parseSource('x.yaml', 'block_size: 1024\nmax_iters: 10\n'), env())).toBe(0);
  });

  test('claims the 7 fixtures and no other fixture', () => {
    const fixtures = readdirSync(CONFIG).map((name) => config(name));
    expect(fixtures.filter((f) => nanogpt.detect(f, env()) > 0)).toHaveLength(7);
    const others = listFiles(path.join(__dirname, '..', 'fixtures')).filter((f) => !f.includes(`${path.sep}nanogpt${path.sep}`) && !f.endsWith('.md'));
    expect(others.length).toBeGreaterThan(50);
    expect(others.filter((abs) => nanogpt.detect(loadFile(abs, path.basename(abs)), env()) > 0)).toEqual([]);
  });

  sharedTest()('claims no corpus file', () => {
    const files = listFiles(CORPUS).filter((f) => !f.endsWith('.md'));
    expect(files.length).toBeGreaterThan(1000);
    expect(files.filter((abs) => nanogpt.detect(loadFile(abs, path.basename(abs)), env()) > 0)).toEqual([]);
  });
});

describe('nanoGPT fixture sweep', () => {
  const files = readdirSync(CONFIG).map((name) => config(name));

  test('every fixture parses and extracts; the training configs resolve their schedule', () => {
    let withPlan = 0;
    let training = 0;
    for (const file of files) {
      expect(file.problems).toEqual([]);
      const { plan } = nanogpt.extract(file, env());
      if (Object.keys(plan).length > 0) withPlan++;
      if (plan.totalSteps && plan.globalBatchSize && plan.peakLr) training++;
    }
    expect(withPlan).toBe(7);
    expect(training).toBe(3);
  });

  test('every fixture passes the built-in schema', () => {
    const validate = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true }).compile(schema);
    expect(files.filter((f) => !validate(toPlain(f.tree!))).map((f) => f.path)).toEqual([]);
    expect(validate(toPlain(py('batch_size = 0\ndecay_lr = 1\n').tree!))).toBe(false);
  });
});
