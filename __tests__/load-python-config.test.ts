import { ended, runWork } from './helpers/child';
import { computeLineStarts } from '../src/engine/load/positions';
import { failedValue, isPartial, isPythonInt, loadPythonConfig, MAX_NODES, MAX_STRING_CHARS, parsePythonConfig, pythonExpressions, type PythonConfigInput } from '../src/engine/load/python-config';
import { pythonTokens } from '../src/engine/load/python-lexer';
import { getIn, toPlain, type ConfigNode, type MapNode } from '../src/engine/tree';
import type { Range } from '../src/engine/types';

function slice(text: string, range: Range): string {
  const starts = computeLineStarts(text);
  return text.slice(starts[range.line - 1] + range.column - 1, starts[range.endLine - 1] + range.endColumn - 1);
}

function plain(text: string, input: PythonConfigInput = {}): Record<string, unknown> {
  const result = parsePythonConfig(text, input);
  expect(result.problems).toEqual([]);
  return toPlain(result.tree as ConfigNode) as Record<string, unknown>;
}

function tree(text: string, input: PythonConfigInput = {}): MapNode {
  const result = parsePythonConfig(text, input);
  expect(result.problems).toEqual([]);
  return result.tree!;
}

describe('python-config reader: values', () => {
  test('dict(), lists, tuples, literals and the arithmetic MMEngine configs use', () => {
    expect(
      plain(
        [
          "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
          'param_scheduler = [',
          "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),",
          "    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1),",
          ']',
          'lr = 5e-4 * 1024 / 512',
          'max_epochs = 300',
          'stage2 = max_epochs // 2 - 130',
          "pair = (1, 'a')",
          "table = {'a': [lr, lr * 10], 'b': None, 3: True}",
          "name = 'a' 'b' + 'c'",
          'merged = [1] + [2, 3]',
          'neg = -2 ** 2',
        ].join('\n'),
      ),
    ).toEqual({
      train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 12, val_interval: 1 },
      param_scheduler: [
        { type: 'LinearLR', start_factor: 0.001, by_epoch: false, begin: 0, end: 500 },
        { type: 'MultiStepLR', begin: 0, end: 12, by_epoch: true, milestones: [8, 11], gamma: 0.1 },
      ],
      lr: 0.001,
      max_epochs: 300,
      stage2: 20,
      pair: [1, 'a'],
      table: { a: [0.001, 0.01], b: null, 3: true },
      name: 'abc',
      merged: [1, 2, 3],
      neg: -4,
    });
  });

  test('keys and values keep their ranges; ints and floats are told apart', () => {
    const text = "optim_wrapper = dict(\n    optimizer=dict(type='SGD', lr=0.02 * 2))\nmax_epochs = 12\nratio = 12 / 4\n";
    const t = tree(text);
    const lr = getIn(t, ['optim_wrapper', 'optimizer', 'lr'])!;
    expect(slice(text, lr.keyRange)).toBe('lr');
    expect(slice(text, lr.node.range)).toBe('0.02 * 2');
    expect(toPlain(lr.node)).toBe(0.04);
    const epochs = getIn(t, ['max_epochs'])!.node;
    const ratio = getIn(t, ['ratio'])!.node;
    expect(epochs.kind === 'scalar' && isPythonInt(epochs)).toBe(true);
    expect(ratio.kind === 'scalar' && isPythonInt(ratio)).toBe(false);
  });

  test('package imports are class names: type=LinearLR reads as "LinearLR", O.SGD as "torch.optim.SGD"', () => {
    expect(
      plain(['from mmengine.optim.scheduler import LinearLR, MultiStepLR as MS', 'import torch.optim as O', 'param_scheduler = [dict(type=LinearLR), dict(type=MS), dict(type=O.SGD)]'].join('\n')),
    ).toEqual({ param_scheduler: [{ type: 'LinearLR' }, { type: 'MultiStepLR' }, { type: 'torch.optim.SGD' }] });
  });

  test('detectron2 L(Class)(…) is a mapping with _target_', () => {
    expect(
      plain(
        [
          'from detectron2.config import LazyCall as L',
          'from fvcore.common.param_scheduler import MultiStepParamScheduler',
          'max_iter = 1000',
          'lr_multiplier = L(MultiStepParamScheduler)(values=[1.0, 0.1], milestones=[800], num_updates=max_iter)',
        ].join('\n'),
      ).lr_multiplier,
    ).toEqual({ _target_: 'MultiStepParamScheduler', values: [1, 0.1], milestones: [800], num_updates: 1000 });
  });
});

describe('python-config reader: statements', () => {
  test('attribute and subscript assignments, chained assignments, update, pop, append and del', () => {
    expect(
      plain(
        [
          "train = dict(max_iter=10, amp=dict(enabled=False), checkpointer=dict(period=5))",
          "train['max_iter'] = 184375",
          'train.amp.enabled = True',
          'a = b = 3',
          "model = dict(head=dict(num_classes=80, loss=dict(type='CE')), neck=None)",
          'model.update(dict(head=dict(num_classes=20)))',
          "model['head'].update(loss_weight=2)",
          "model.pop('neck')",
          'hooks = [1]',
          'hooks.append(2)',
          'del train.checkpointer',
        ].join('\n'),
      ),
    ).toEqual({
      train: { max_iter: 184375, amp: { enabled: true } },
      a: 3,
      b: 3,
      model: { head: { num_classes: 20, loss: { type: 'CE' }, loss_weight: 2 } },
      hooks: [1, 2],
    });
  });

  test('what cannot be read statically is unknown, with why, and never guessed', () => {
    const result = parsePythonConfig(
      [
        'import os',
        'lr = float(os.environ["LR"])',
        'steps = [i * 10 for i in range(3)]',
        'norm = lambda c: c',
        'flag = 1 if True else 2',
        'batch = 8',
        'if flag:',
        '    batch = 16',
        'def make():',
        '    return 1',
        'model = dict(head=dict(norm=None))',
        'model.head.norm = lambda c: c',
        'count = 1',
        'count += 1',
      ].join('\n'),
    );
    expect(result.problems).toEqual([]);
    const data = toPlain(result.tree!) as Record<string, unknown>;
    expect(data).toEqual({ model: { head: {} } });
    expect([...result.opaque.keys()].sort()).toEqual(['batch', 'count', 'flag', 'lr', 'make', 'model.head.norm', 'norm', 'steps']);
    expect(result.opaque.get('batch')!.reason).toMatch(/inside a block/);
    expect(result.opaque.get('lr')!.reason).toMatch(/not a value trainlint can read/);
  });

  test('syntax errors Python would refuse are parse errors', () => {
    expect(parsePythonConfig('x = dict(a=1, a=2)\n').problems[0].message).toMatch(/keyword argument repeated: a/);
    expect(parsePythonConfig("x = dict(a='unterminated)\n").problems[0].message).toMatch(/unterminated string/);
    expect(parsePythonConfig('x = [1, 2\n').problems[0].message).toMatch(/never closed/);
  });
});

describe('python-config reader: _base_ and imported configs', () => {
  const base = tree("train_cfg = dict(max_epochs=12, val_interval=1)\nmodel = dict(depth=50)\nlr = 0.02\n");

  test('_base_ is read as written and not bound as a name (MMEngine removes that line before it runs the file)', () => {
    const result = parsePythonConfig("_base_ = ['../_base_/schedules/schedule_1x.py', './model.py']\nx = 1\n");
    expect(result.bases?.map((b) => b.written)).toEqual(['../_base_/schedules/schedule_1x.py', './model.py']);
    expect(toPlain(result.tree!)).toEqual({ _base_: ['../_base_/schedules/schedule_1x.py', './model.py'], x: 1 });
    expect(parsePythonConfig("_base_ = './a.py'\n").bases?.map((b) => b.written)).toEqual(['./a.py']);
    expect(parsePythonConfig('_base_ = make()\n').basesUnknown).toBeDefined();
  });

  test('_base_.x and {{_base_.x}} read the merged bases', () => {
    const data = plain("_base_ = './a.py'\nmodel = dict(backbone=dict(depth={{_base_.model.depth}}))\nlr = _base_.lr * 2\nloop = _base_.train_cfg\n", { base });
    expect(data).toEqual({ _base_: './a.py', model: { backbone: { depth: 50 } }, lr: 0.04, loop: { max_epochs: 12, val_interval: 1 } });
  });

  test('arithmetic on a {{_base_.x}} placeholder is a load error (MMEngine runs the file with a string there); the value is unknown', () => {
    const text = [
      "_base_ = './a.py'",
      'lr = {{_base_.lr}}',
      'sched = [dict(type="CosineAnnealingLR", eta_min={{_base_.lr}} * 0.05, T_max=10)]',
      'bs = {{ _base_.model.depth }} * 4',
      'neg = -{{_base_.lr}}',
      'half = lr / 2',
      'ok = dict(lr=lr, depth={{_base_.model.depth}})',
      'loop = _base_.lr * 0.05',
    ].join('\n');
    const result = parsePythonConfig(text, { base });
    expect(result.problems).toEqual([]);
    expect(result.loadErrors.map((e) => [slice(text, e.range), e.message.split(': MMEngine puts')[0]])).toEqual([
      ['{{_base_.lr}} * 0.05', "`{{_base_.lr}} * 0.05` raises TypeError (can't multiply sequence by non-int of type 'float') when MMEngine loads the config, so the run does not start"],
      ['{{ _base_.model.depth }} * 4', '`{{ _base_.model.depth }} * 4` repeats the placeholder string, which MMEngine never replaces (only a value that is the placeholder itself), so the value is that string, not the number meant, and the run fails where it is used'],
      ['-{{_base_.lr}}', "`-{{_base_.lr}}` raises TypeError (bad operand type for unary -: 'str') when MMEngine loads the config, so the run does not start"],
      ['lr / 2', "`lr / 2` raises TypeError (unsupported operand type(s) for /: 'str' and 'int') when MMEngine loads the config, so the run does not start"],
    ]);
    expect(result.loadErrors[0].message).toMatch(/; write _base_\.lr \(the base's value, read while the file runs\) instead of the placeholder$/);
    // The values are unknown: strings marked as failed, never the base's value times 0.05.
    const etaMin = getIn(result.tree, ['sched', 0, 'eta_min'])!.node;
    expect(failedValue(etaMin)).toMatch(/placeholder/);
    // A bare placeholder is the base's value (also through a name); `_base_.x` arithmetic is fine.
    const data = toPlain(result.tree!) as Record<string, unknown>;
    expect(data.ok).toEqual({ lr: 0.02, depth: 50 });
    expect(data.lr).toBe(0.02);
    expect(data.loop).toBeCloseTo(0.001);
    // The file alone (no bases): the same errors; the own tree leaves the failed values out.
    expect(parsePythonConfig(text).loadErrors).toHaveLength(4);
    expect(toPlain(loadPythonConfig(text).tree!)).toMatchObject({ sched: [{ type: 'CosineAnnealingLR', T_max: 10 }] });
  });

  test('without the bases, _base_.x is unknown: a partial mapping the loader leaves out', () => {
    const text = "_base_ = './a.py'\nmodel = dict(depth={{_base_.depth}}, width=2)\nloop = _base_.train_cfg\n";
    const result = parsePythonConfig(text);
    const loop = getIn(result.tree, ['loop'])!.node;
    expect(isPartial(loop)).toMatch(/_base_/);
    expect(toPlain(loadPythonConfig(text).tree!)).toEqual({ _base_: './a.py', model: { width: 2 } });
  });

  test('lazy imports (with read_base) bring the names of the imported config; changes never alter it', () => {
    const module = tree("train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12)\nparam_scheduler = [dict(type='MultiStepLR', milestones=[8, 11], end=12)]\n_private = 1\n");
    const before = JSON.stringify(toPlain(module));
    const text = [
      'from mmengine.config import read_base',
      'with read_base():',
      '    from .._base_.schedules.schedule_1x import *',
      'train_cfg.update(dict(max_epochs=24))',
      'param_scheduler[0].update(milestones=[16, 22], end=24)',
    ].join('\n');
    const result = parsePythonConfig(text, { modules: new Map([['.._base_.schedules.schedule_1x', module]]) });
    expect(result.readBase).toBe(true);
    expect(result.imports.map((i) => [i.module, i.level, i.inReadBase])).toEqual([['.._base_.schedules.schedule_1x', 2, true]]);
    expect(toPlain(result.tree!)).toEqual({ train_cfg: { type: 'EpochBasedTrainLoop', max_epochs: 24 }, param_scheduler: [{ type: 'MultiStepLR', milestones: [16, 22], end: 24 }] });
    expect(JSON.stringify(toPlain(module))).toBe(before);
  });

  test('a config module that was not supplied is partial: only what this file assigns is known', () => {
    const result = parsePythonConfig('from ..common.train import train\nfrom ..common.optim import SGD as optimizer\ntrain.max_iter = 500\noptimizer.lr = 0.01\n');
    expect(result.imports.map((i) => i.module)).toEqual(['..common.train', '..common.optim']);
    const train = getIn(result.tree, ['train'])!.node;
    expect(isPartial(train)).toMatch(/..common.train/);
    expect(toPlain(result.tree!)).toEqual({ train: { max_iter: 500 }, optimizer: { lr: 0.01 } });
    expect(parsePythonConfig('with read_base():\n    from .x import *\n').starUnknown).toEqual(['.x']);
  });
});

describe('python-config reader: expressions outside a config (pythonExpressions, for call arguments)', () => {
  const module = tree("cfg = dict(epochs=30, lr=[1e-3, 1e-4])\nn = 4\nbase = get_config('common/train.py')\nfrom torch.optim import AdamW\n");
  const names = new Map(module.entries.map((e) => [e.key, e.value]));
  const value = (text: string, exprs = pythonExpressions(text, names)) => {
    const node = exprs.evaluate(pythonTokens(text));
    return node === undefined ? undefined : toPlain(node);
  };

  test('the evaluator configs use, with the module names in scope', () => {
    expect(value("cfg['epochs'] * n // 2")).toBe(60);
    expect(value('cfg["lr"][-1]')).toBe(1e-4);
    expect(value('(1, [2, 3])')).toEqual([1, [2, 3]]);
    expect(value("dict(a=1, b='x')")).toEqual({ a: 1, b: 'x' });
    const text = 'n * 2';
    const node = pythonExpressions(text, names).evaluate(pythonTokens(text));
    expect(node?.kind === 'scalar' && isPythonInt(node)).toBe(true);
  });

  test('what a static read cannot know is undefined, never a guess or a throw', () => {
    for (const text of ['compute(3)', 'unknown + 1', 'True + 1', 'dict(a=1, a=2)', 'base.max_iter', 'base', 'a if b else c', 'n < 3', 'dict', '']) {
      expect([text, value(text)]).toEqual([text, undefined]);
    }
  });

  test('one budget for all of a file\'s expressions', () => {
    const half = "'" + 'a'.repeat(MAX_STRING_CHARS / 2) + "'";
    const sum = half + ' + ' + half;
    const exprs = pythonExpressions(sum, new Map());
    expect(typeof value(sum, exprs)).toBe('string');
    // The same expression again: the file's string budget is spent.
    expect(value(sum, exprs)).toBeUndefined();
  });
});

describe('python-config reader: nothing runs, hostile input is bounded', () => {
  test('code in the file is read, never executed', () => {
    // The reader has no way to run anything: these are only tokens to it.
    const result = parsePythonConfig("import os\nos.system('touch MARKER')\nx = __import__('os').system('touch MARKER')\nexec('y = 1')\n");
    expect(result.problems).toEqual([]);
    expect(toPlain(result.tree!)).toEqual({});
    expect(result.opaque.has('x')).toBe(true);
  });

  test('deep nesting is unknown, not a stack overflow', () => {
    const deep = `x = ${'['.repeat(5000)}${']'.repeat(5000)}\ny = 1\n`;
    const result = parsePythonConfig(deep);
    expect(result.opaque.has('x')).toBe(true);
    expect(toPlain(result.tree!)).toEqual({ y: 1 });
  });

  test('values that double at each line stop at MAX_NODES (in a child with a hard timeout: 2^60 nodes never end)', async () => {
    const { result, run } = await runWork<{ x60: string | null }>('python-doubling', [], { timeoutMs: 30_000 });
    expect(ended(run)).toMatch(/^exit 0/);
    expect(result!.x60).toEqual(expect.any(String));
    expect(MAX_NODES).toBeGreaterThan(1000);
  }, 40_000);
});
