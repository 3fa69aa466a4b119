import { parseSource } from '../../src/engine/load-file.js';
import { OmegaReader, wholeInterpolation } from '../../src/engine/omega-reader.js';

const TEXT = `model:
  tensor_model_parallel_size: 2
  pipeline_model_parallel_size: 4
  micro_batch_size: 4
  global_batch_size: 256
  encoder_seq_length: 4096
  max_position_embeddings: \${.encoder_seq_length}
  data:
    global_batch_size: \${model.global_batch_size}
    seq: \${..encoder_seq_length}
exp_manager:
  model_parallel_size: \${multiply:\${model.tensor_model_parallel_size}, \${model.pipeline_model_parallel_size}}
  bad: \${multiply:\${model.nope}, 2}
critic:
  ppo_mini_batch_size: \${oc.select:actor.ppo_mini_batch_size,256}
  micro: \${oc.select:.nothing}
  epochs: \${oc.select:actor.ppo_epochs,\${model.micro_batch_size}}
  env: \${oc.env:NNODES}
  text: run-\${model.micro_batch_size}
actor:
  ppo_epochs: 2
`;
const file = parseSource('conf/x.yaml', TEXT);
const reader = () => new OmegaReader(file, [], file.tree!, 'omegaconf', { resolvers: { multiply: (a) => (a.length === 2 ? a[0] * a[1] : undefined) } });

describe('OmegaConf interpolations', () => {
  test('relative references count dots from the key\'s mapping', () => {
    const r = reader();
    expect(r.number(['model', 'max_position_embeddings'])).toMatchObject({ value: 4096, note: 'interpolated from `${.encoder_seq_length}` (model.encoder_seq_length, line 6)' });
    expect(r.number(['model', 'data', 'seq'])?.value).toBe(4096);
    expect(r.number(['model', 'data', 'global_batch_size'])?.value).toBe(256);
  });

  test('a resolver the dialect registers (NeMo multiply) is computed from its resolved arguments', () => {
    const r = reader();
    expect(r.number(['exp_manager', 'model_parallel_size'])).toMatchObject({ value: 8, note: expect.stringMatching(/^computed by `\$\{multiply:/) });
    expect(r.number(['exp_manager', 'bad'])).toBeUndefined();
    expect(r.notes.join('\n')).toMatch(/exp_manager\.bad: `\$\{model\.nope\}` names no key in this file/);
  });

  test('oc.select: the key when set, else its default (a literal or another interpolation), else None', () => {
    const r = reader();
    expect(r.number(['critic', 'ppo_mini_batch_size'])).toMatchObject({ value: 256, note: expect.stringMatching(/actor\.ppo_mini_batch_size is not set, so the default 256 applies/) });
    expect(r.number(['critic', 'epochs'])).toMatchObject({ value: 2, note: expect.stringMatching(/^selected by/) });
    expect(r.lookup(['critic', 'micro'])?.node).toMatchObject({ value: null });
  });

  test('oc.env and string interpolation stay unknown, with a note', () => {
    const r = reader();
    expect(r.number(['critic', 'env'])).toBeUndefined();
    expect(r.string(['critic', 'text'])).toBeUndefined();
    expect(r.notes.join('\n')).toMatch(/critic\.env: `\$\{oc\.env:NNODES\}` is an OmegaConf resolver/);
    expect(r.notes.join('\n')).toMatch(/critic\.text: `run-\$\{model\.micro_batch_size\}` is an OmegaConf resolver or string interpolation/);
  });

  test('wholeInterpolation recognises exactly one ${…}', () => {
    expect(wholeInterpolation('${a.b}')).toBe('a.b');
    expect(wholeInterpolation('${multiply:${a}, 2}')).toBe('multiply:${a}, 2');
    expect(wholeInterpolation('${a}-${b}')).toBeUndefined();
    expect(wholeInterpolation('x${a}')).toBeUndefined();
  });
});
