import { parseOverride, pythonFloat, pythonText, typePrimitive } from '../../src/engine/hydra/overrides.js';

const ok = (text: string) => {
  const r = parseOverride(text);
  if (!r.ok) throw new Error(r.error);
  return r.override;
};
const err = (text: string): string => {
  const r = parseOverride(text);
  if (r.ok) throw new Error(`parsed: ${text}`);
  return r.error;
};

describe('Hydra override grammar', () => {
  test('operations and keys', () => {
    expect(ok('trainer.nnodes=2')).toMatchObject({ op: 'set', key: 'trainer.nnodes', path: ['trainer', 'nnodes'] });
    expect(ok('+data.gen_batch_size=1536')).toMatchObject({ op: 'add', key: 'data.gen_batch_size' });
    expect(ok('++trainer.val_before_train=False')).toMatchObject({ op: 'force-add', value: { kind: 'scalar', value: false } });
    expect(ok('~trainer.logger')).toMatchObject({ op: 'delete', key: 'trainer.logger' });
    expect(ok('~trainer.nnodes=2')).toMatchObject({ op: 'delete', value: { value: 2 } });
    expect(ok('actor@actor_rollout_ref.actor=megatron_actor')).toMatchObject({ key: 'actor', package: 'actor_rollout_ref.actor' });
    expect(ok('hydra/launcher=submitit_slurm')).toMatchObject({ key: 'hydra/launcher' });
  });

  test.each([
    ['1e-6', 1e-6],
    ['1.0e-6', 1e-6],
    ['.5', 0.5],
    ['3.', 3],
    ['10', 10],
    ['-3', -3],
    ['1_000', 1000],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['True', true],
    ['false', false],
    ['null', null],
    ['NULL', null],
    ['0123', '0123'],
    ['Qwen/Qwen2-7B', 'Qwen/Qwen2-7B'],
    ['1e', '1e'],
  ])('Hydra types %s as %p', (text, value) => {
    expect(typePrimitive(text)).toEqual(value);
  });

  test('quoted values are strings; lists, dicts and interpolations keep their shape', () => {
    expect(ok("actor_rollout_ref.actor.optim.lr='1e-6'").value).toEqual({ kind: 'scalar', value: '1e-6', quoted: true, text: "'1e-6'" });
    const list = ok("trainer.logger=['console','wandb']").value;
    expect(list).toMatchObject({ kind: 'list', items: [{ value: 'console' }, { value: 'wandb' }] });
    expect(ok('model.override={attention_dropout: 0.0, n: 2}').value).toMatchObject({ kind: 'dict', entries: [['attention_dropout', { value: 0 }], ['n', { value: 2 }]] });
    expect(ok('critic.ppo_mini_batch_size=${actor_rollout_ref.actor.ppo_mini_batch_size}').value).toMatchObject({ kind: 'interpolation' });
    expect(ok('data.train_files=').value).toEqual({ kind: 'scalar', value: '', quoted: false, text: '' });
  });

  test("Hydra's errors: a key with no value, a sweep without --multirun, a bad key, unbalanced brackets", () => {
    expect(err('trainer.nnodes')).toMatch(/missing EQUAL at '<EOF>'/);
    expect(err('data.max_prompt_length=1,2')).toMatch(/Ambiguous value for argument '1,2'.*--multirun/);
    expect(err('lr=choice(1e-5,1e-6)')).toMatch(/is a sweep/);
    expect(err('a..b=1')).toMatch(/not a valid key/);
    expect(err('a=[1,2')).toMatch(/unbalanced/);
    expect(err('x='.padEnd(5000, '1'))).toMatch(/longer than/);
  });

  test('random input never throws', () => {
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const alphabet = 'ab.=+~@[]{},:\'"$()_1e-/ ';
    for (let i = 0; i < 3000; i++) {
      let s = '';
      for (let j = rand(40); j > 0; j--) s += alphabet[rand(alphabet.length)];
      expect(() => parseOverride(s)).not.toThrow();
    }
  });
});

describe('values as Hydra messages print them (Python)', () => {
  test.each([
    [3e-5, '3e-05'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [20000, '20000.0'],
    [0.5, '0.5'],
    [1.5e-7, '1.5e-07'],
    [1e16, '1e+16'],
    [123456789.5, '123456789.5'],
    [Infinity, 'inf'],
  ])('float %p → %s', (value, text) => {
    expect(pythonFloat(value)).toBe(text);
  });

  test('ints, booleans, None and text', () => {
    expect(pythonText(10, false)).toBe('10');
    expect(pythonText(true, false)).toBe('True');
    expect(pythonText(null, false)).toBe('None');
    expect(pythonText('cosine', false)).toBe('cosine');
  });
});
