import { parseSource } from '../../src/engine/load-file.js';
import { applyOverrides, composeConfig, type ConfigLoader, type LocatedOverride } from '../../src/engine/hydra/compose.js';
import { parseOverride } from '../../src/engine/hydra/overrides.js';
import { readDefaultsList, packageHeader } from '../../src/engine/hydra/defaults-list.js';
import { toPlain } from '../../src/engine/tree.js';
import { OmegaReader } from '../../src/engine/omega-reader.js';

/** An in-memory config folder: root-relative path → YAML text. */
function folder(files: Record<string, string>): ConfigLoader {
  return (rel) => {
    const text = files[rel];
    if (text === undefined) return { missing: `${rel} does not exist` };
    const f = parseSource(`conf/${rel}`, text);
    return { path: f.path, text, ...(f.tree ? { tree: f.tree } : {}) };
  };
}

const primary = (text: string, path = 'conf/config.yaml') => parseSource(path, text);
const R = { line: 9, column: 5, endLine: 9, endColumn: 20 };
const located = (text: string, origin: LocatedOverride['origin'] = 'explicit'): LocatedOverride => {
  const p = parseOverride(text);
  if (!p.ok) throw new Error(p.error);
  return { override: p.override, file: 'run.sh', range: R, keyRange: R, valueRange: R, origin };
};

const FILES = {
  'actor/dp_actor.yaml': 'defaults:\n  - ../optim@optim: fsdp\n  - actor\n  - _self_\nstrategy: fsdp\n',
  'actor/actor.yaml': 'strategy: ???\nppo_mini_batch_size: 256\nrollout_n: ${oc.select:actor_rollout_ref.rollout.n,1}\n',
  'optim/fsdp.yaml': 'lr: 1e-6\nlr_warmup_steps: -1\n',
  'rollout/rollout.yaml': 'n: 1\ntensor_model_parallel_size: 2\n',
  'data/legacy.yaml': '# @package _global_\ndata:\n  train_batch_size: 1024\n',
  'base_model.yaml': 'hidden_size: 512\nnum_layers: 12\n',
};

describe('defaults lists', () => {
  test('entries: self, group defaults with packages, optional/override, configs', () => {
    const list = readDefaultsList(primary('defaults:\n  - _self_\n  - actor@actor_rollout_ref.actor: dp_actor\n  - optional tp_overlap@model.ub:\n  - override hydra/launcher: submitit\n  - ppo_trainer\n  - .@model.encoder: base\n').tree)!;
    expect(list.entries.map((e) => [e.kind, e.group, e.options, e.package, e.optional, e.override])).toEqual([
      ['self', '', [], undefined, false, false],
      ['group', 'actor', ['dp_actor'], 'actor_rollout_ref.actor', false, false],
      ['group', 'tp_overlap', [], 'model.ub', true, false],
      ['group', 'hydra/launcher', ['submitit'], undefined, false, true],
      ['config', '', ['ppo_trainer'], undefined, false, false],
      ['group', '.', ['base'], 'model.encoder', false, false],
    ]);
    expect(packageHeader('# comment\n# @package _global_\nx: 1\n')).toBe('_global_');
    expect(packageHeader('x: 1\n# @package _global_\n')).toBeUndefined();
  });
});

describe('composition', () => {
  test('nested groups land in their packages; _self_ decides the order; ??? does not replace a value', () => {
    const c = composeConfig(
      primary('defaults:\n  - actor@actor_rollout_ref.actor: dp_actor\n  - rollout@actor_rollout_ref.rollout: rollout\n  - data: legacy\n  - _self_\nactor_rollout_ref:\n  rollout:\n    n: 5\n'),
      folder(FILES),
    );
    expect(c.unread).toEqual([]);
    expect(toPlain(c.root)).toEqual({
      actor_rollout_ref: {
        actor: { optim: { lr: '1e-6', lr_warmup_steps: -1 }, strategy: 'fsdp', ppo_mini_batch_size: 256, rollout_n: '${oc.select:actor_rollout_ref.rollout.n,1}' },
        rollout: { n: 5, tensor_model_parallel_size: 2 },
      },
      data: { train_batch_size: 1024 },
    });
    expect(c.files).toEqual(['conf/optim/fsdp.yaml', 'conf/actor/actor.yaml', 'conf/actor/dp_actor.yaml', 'conf/rollout/rollout.yaml', 'conf/data/legacy.yaml', 'conf/config.yaml']);
    // Every key knows its file: rollout.n from the primary, tensor_model_parallel_size from rollout.yaml.
    const reader = new OmegaReader(primary(''), [], c.root, 'omegaconf', { sources: c.sources });
    expect(reader.number(['actor_rollout_ref', 'rollout', 'n'])).toMatchObject({ value: 5, file: 'conf/config.yaml' });
    expect(reader.number(['actor_rollout_ref', 'rollout', 'tensor_model_parallel_size'])).toMatchObject({ value: 2, file: 'conf/rollout/rollout.yaml', range: { line: 2 } });
    expect(reader.number(['actor_rollout_ref', 'actor', 'rollout_n'])).toMatchObject({ value: 5, note: expect.stringMatching(/^selected by/) });
  });

  test('without _self_ the config merges after its defaults (Hydra ≥ 1.1); _self_ first lets the defaults win', () => {
    const last = composeConfig(primary('defaults:\n  - rollout: rollout\nrollout:\n  n: 8\n'), folder(FILES));
    expect(toPlain(last.root)).toMatchObject({ rollout: { n: 8 } });
    const first = composeConfig(primary('defaults:\n  - _self_\n  - rollout: rollout\nrollout:\n  n: 8\n'), folder(FILES));
    expect(toPlain(first.root)).toMatchObject({ rollout: { n: 1 } });
  });

  test('the same fragment twice (NeMo T5 encoder and decoder), group choices, missing and optional entries', () => {
    const c = composeConfig(
      primary('defaults:\n  - .@model.encoder: base_model\n  - .@model.decoder: base_model\n  - optional tp_overlap@model.ub: none\n  - missing_group: nope\nmodel:\n  decoder:\n    num_layers: 6\n'),
      folder(FILES),
    );
    expect(toPlain(c.root)).toEqual({ model: { encoder: { hidden_size: 512, num_layers: 12 }, decoder: { hidden_size: 512, num_layers: 6 } } });
    expect(c.unread).toMatchObject([{ entry: 'missing_group: nope', name: 'missing_group/nope.yaml', why: 'missing_group/nope.yaml does not exist' }]);
    expect(c.groups.get('model.encoder')).toBe('base_model');
  });

  test('cycles, depth and files outside the config folder are notes, never loops', () => {
    const loops = folder({ 'a/x.yaml': 'defaults:\n  - /a: x\nv: 1\n' });
    const c = composeConfig(primary('defaults:\n  - a: x\n'), loops);
    expect(c.notes.join('\n')).toMatch(/a cycle/);
    const out = composeConfig(primary('defaults:\n  - ../../etc: passwd\n'), folder({}));
    expect(out.unread[0].why).toMatch(/outside the config folder/);
  });

  test('without a loader the defaults list is left unread', () => {
    const c = composeConfig(primary('defaults:\n  - ppo_trainer\n  - _self_\ndata:\n  train_batch_size: 8\n'));
    expect(c.unread.map((u) => u.name)).toEqual(['ppo_trainer.yaml']);
    expect(toPlain(c.root)).toEqual({ data: { train_batch_size: 8 } });
  });
});

describe('overrides after the YAML', () => {
  const base = () => composeConfig(primary('data:\n  train_batch_size: 1024\ntrainer:\n  nnodes: 1\n  logger: [console]\nprofiler: null\n'));

  test('set, append, force-append and delete, with the override as the value\'s source', () => {
    const r = applyOverrides(base(), ['data.train_batch_size=256', '+data.gen_batch_size=512', '++trainer.nnodes=2', '~trainer.logger', 'profiler.enable=true'].map((t) => located(t, 'launcher')), { complete: true });
    expect(r.errors).toEqual([]);
    expect(toPlain(r.config.root)).toEqual({ data: { train_batch_size: 256, gen_batch_size: 512 }, trainer: { nnodes: 2 }, profiler: { enable: true } });
    const reader = new OmegaReader(primary('', 'conf/config.yaml'), [], r.config.root, 'omegaconf', { sources: r.config.sources });
    expect(reader.number(['data', 'train_batch_size'])).toMatchObject({ value: 256, origin: 'launcher', file: 'run.sh', range: R, note: expect.stringContaining('Hydra override `data.train_batch_size=256` at run.sh:9') });
    // The base is not changed.
    expect(toPlain(base().root)).toMatchObject({ data: { train_batch_size: 1024 } });
  });

  test("Hydra's errors for overrides it cannot apply", () => {
    const r = applyOverrides(base(), ['data.nope=1', '+data.train_batch_size=8', '~trainer.missing', '~trainer.nnodes=4', 'data.train_batch_size.x=1'].map((t) => located(t)), { complete: true });
    expect(r.errors.map((e) => e.message)).toEqual([
      "Could not override 'data.nope'. To append to your config use +data.nope=1",
      "Could not append to config. An item is already at 'data.train_batch_size'. (++data.train_batch_size=8 appends or overrides)",
      "Could not delete from config. 'trainer.missing' does not exist.",
      "Could not delete from config. The value of 'trainer.nnodes' is 1 and not 4.",
      "Could not override 'data.train_batch_size.x': 'data.train_batch_size' is 1024, not a mapping",
    ]);
  });

  test('~key=value compares the value as OmegaConf typed the YAML, and says it as Hydra (Python) prints it', () => {
    const c = composeConfig(primary('model:\n  optim:\n    sched:\n      min_lr: 3e-5\n      warmup_ratio: null\n      warmup_steps: 2000\n'));
    const bad = applyOverrides(c, ['~model.optim.sched.min_lr=1e-5', '~model.optim.sched.warmup_ratio', '~model.optim.sched.warmup_steps=2e3'].map((t) => located(t)), { complete: true });
    expect(bad.errors.map((e) => e.message)).toEqual([
      "Could not delete from config. The value of 'model.optim.sched.min_lr' is 3e-05 and not 1e-05.",
      // OmegaConf.select gives None for a null value: Hydra says it does not exist.
      "Could not delete from config. 'model.optim.sched.warmup_ratio' does not exist.",
    ]);
    // `3e-5` in the YAML is the float OmegaConf reads, equal to the override's 3e-5 (PyYAML would keep the text).
    const ok = applyOverrides(c, ['~model.optim.sched.min_lr=3e-5'].map((t) => located(t)), { complete: true });
    expect(ok.errors).toEqual([]);
    expect(toPlain(ok.config.root)).toEqual({ model: { optim: { sched: { warmup_ratio: null, warmup_steps: 2000 } } } });
    // Not certain without the whole composition: a null may be the packaged config's value.
    expect(applyOverrides(c, [located('~model.optim.sched.warmup_ratio')], { complete: false }).errors).toEqual([]);
  });

  test('an incomplete base (defaults not in the repository) only errs where certain', () => {
    const r = applyOverrides(base(), ['data.nope=1', '+trainer.total_epochs=3', '+x.y=1'].map((t) => located(t)), { complete: false, knownKey: (p) => p.join('.') === 'trainer.total_epochs' });
    expect(r.errors.map((e) => e.message)).toEqual(["Could not append to config. An item is already at 'trainer.total_epochs'. (++trainer.total_epochs=3 appends or overrides)"]);
    expect(toPlain(r.config.root)).toMatchObject({ data: { nope: 1 }, x: { y: 1 } });
  });

  test('config-group choices and hydra.* settings are not values', () => {
    const r = applyOverrides(base(), ['actor@actor_rollout_ref.actor=megatron_actor', 'hydra.run.dir=/tmp'].map((t) => located(t)), { complete: true });
    expect(r.errors).toEqual([]);
    expect(r.skipped.map((s) => s.why)).toEqual([expect.stringMatching(/config-group choice/), expect.stringMatching(/Hydra itself/)]);
  });
});
