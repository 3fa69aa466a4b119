/**
 * The extraction shortcuts of the performance round give what the code they replace gave: the
 * OmegaReader's Settings built field by field (key order included), megatron's `--fp8-format`
 * found by word, axolotl's precision keys read on demand, numberAt's numbers read without
 * scalarNumber's result object, applyAssumptions by `for…in`.
 */
import { axolotl } from '../src/dialects/axolotl';
import { megatron } from '../src/dialects/megatron';
import type { ExtractEnv } from '../src/dialects/types';
import { parseSource } from '../src/engine/load-file';
import { OmegaReader } from '../src/engine/omega-reader';
import { applyAssumptions, numberAt } from '../src/engine/plan';
import type { TrainingPlan } from '../src/engine/types';

const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });

describe('OmegaReader Settings', () => {
  it('a literal number: value, origin, file, key, range, valueRange, then the note', () => {
    const file = parseSource('cfg.yaml', 'a: 1\nb: "2"\nc: ${a}\n');
    const reader = new OmegaReader(file, [], file.tree!, 'omegaconf');
    const a = reader.number(['a'])!;
    expect(Object.keys(a)).toEqual(['value', 'origin', 'file', 'key', 'range', 'valueRange']);
    const c = reader.number(['c'])!;
    expect(Object.keys(c)).toEqual(['value', 'origin', 'file', 'key', 'range', 'note']);
    expect(c.note).toMatch(/^interpolated from `\$\{a\}`/);
    const s = reader.string(['c'])!;
    expect(Object.keys(s)).toEqual(['value', 'origin', 'file', 'key', 'range', 'note']);
    const raw = reader.scalar(['a'])!;
    expect(Object.keys(raw.setting)).toEqual(['origin', 'file', 'key', 'range']);
  });
});

describe('megatron --fp8-format', () => {
  it('is found as a key and as one word with its value', () => {
    for (const key of ['--fp8-format', '"--fp8-format hybrid"']) {
      const file = parseSource('case/model_config.yaml', `MODEL_ARGS:\n  --micro-batch-size: 2\n  --train-iters: 10\n  --bf16: true\n  ${key}: hybrid\n`);
      const { plan } = megatron.extract(file, env());
      expect(plan.precision?.note).toContain('FP8 compute');
    }
    const other = parseSource('case/model_config.yaml', 'MODEL_ARGS:\n  --micro-batch-size: 2\n  --fp8-formats: hybrid\n  --bf16: true\n');
    expect(megatron.extract(other, env()).plan.precision?.note ?? '').not.toContain('FP8');
  });
});

describe('axolotl precision', () => {
  it.each([
    ['bf16: true\nfp16: true\n', 'bf16'],
    ['bf16: full\n', 'pure_bf16'],
    ['bf16: auto\n', 'auto'],
    ['fp16: true\n', 'fp16'],
    ['bfloat16: true\n', 'pure_bf16'],
    ['float16: true\n', 'pure_fp16'],
    ['bf16: false\n', 'fp32'],
    ['fp8: true\nbf16: true\n', 'fp8'],
    ['', 'auto'],
  ])('%j → %s', (keys, value) => {
    const file = parseSource('a.yml', `base_model: x\nmicro_batch_size: 2\nsequence_len: 512\nlearning_rate: 0.0002\n${keys}`);
    expect(axolotl.extract(file, env()).plan.precision?.value).toBe(value);
  });
});

describe('numberAt and applyAssumptions', () => {
  it('numbers as loaded, quoted numbers with a note', () => {
    const file = parseSource('c.yaml', 'a: 3\nb: "4"\nc: .inf\n');
    expect(numberAt(file, ['a'], 'pyyaml')).toEqual({ value: 3, origin: 'explicit', file: 'c.yaml', key: 'a', range: expect.anything(), valueRange: expect.anything() });
    expect(numberAt(file, ['b'], 'pyyaml')?.note).toMatch(/quoted string/);
    expect(numberAt(file, ['c'], 'pyyaml')).toBeUndefined();
  });

  it('fills absent fields in the order assume lists them', () => {
    const plan: TrainingPlan = { worldSize: { value: 2, origin: 'explicit' } };
    applyAssumptions(plan, { worldSize: 8, totalSteps: 100, scheduler: 'cosine' });
    expect(Object.keys(plan)).toEqual(['worldSize', 'totalSteps', 'scheduler']);
    expect(plan.worldSize?.value).toBe(2);
    expect(plan.scheduler).toEqual({ value: 'cosine', origin: 'assumed', key: 'assume.scheduler' });
  });
});
