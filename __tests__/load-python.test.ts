import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { discover, isPythonConfig } from '../src/engine/discover';
import { formatOf, parseSource } from '../src/engine/load-file';
import { computeLineStarts } from '../src/engine/load/positions';
import { loadPythonConfig, parsePythonConfig } from '../src/engine/load/python-config';
import { getIn, toPlain, type ConfigNode, type ScalarNode } from '../src/engine/tree';
import type { Range } from '../src/engine/types';
import type { TrainlintConfig } from '../src/config/types';
import { expectLinear } from './helpers/scaling';

function slice(text: string, range: Range): string {
  const starts = computeLineStarts(text);
  return text.slice(starts[range.line - 1] + range.column - 1, starts[range.endLine - 1] + range.endColumn - 1);
}

function plain(text: string): Record<string, unknown> {
  const result = loadPythonConfig(text);
  expect(result.problems).toEqual([]);
  return toPlain(result.tree as ConfigNode) as Record<string, unknown>;
}

function scalar(text: string, key: string): ScalarNode {
  const hit = getIn(loadPythonConfig(text).tree, [key]);
  if (!hit || hit.node.kind !== 'scalar') throw new Error(`no scalar ${key}`);
  return hit.node;
}

describe('Python config reader, module-level literals (nanoGPT config files)', () => {
  test('numbers, strings, booleans and None', () => {
    expect(
      plain(
        [
          'batch_size = 12',
          'learning_rate = 6e-4',
          'weight_decay = 1e-1',
          'max_iters = 600_000',
          'mask = 0x10',
          'dropout = .5',
          "wandb_run_name = 'gpt2-124M'",
          'out_dir = "out-shakespeare"',
          "escaped = 'it\\'s\\n'",
          "raw = r'a\\d'",
          "joined = 'a' \"b\"",
          'decay_lr = False',
          'compile = True',
          'seed = None',
        ].join('\n'),
      ),
    ).toEqual({
      batch_size: 12,
      learning_rate: 6e-4,
      weight_decay: 0.1,
      max_iters: 600000,
      mask: 16,
      dropout: 0.5,
      wandb_run_name: 'gpt2-124M',
      out_dir: 'out-shakespeare',
      escaped: "it's\n",
      raw: 'a\\d',
      joined: 'ab',
      decay_lr: false,
      compile: true,
      seed: null,
    });
  });

  test('string escapes decode as Python decodes them; one a static read cannot know leaves the name opaque', () => {
    const text = [
      "hex = '\\x41\\x2d'",
      "uni = '\\u00e9\\U0001F600'",
      "octal = '\\101\\12x\\0'",
      "bell = '\\a\\b\\f\\v'",
      "unknown = '\\q\\d'",
      "raw = r'\\x41'",
      "joined = 'a\\\r\nb'",
      "named = '\\N{EM DASH}'",
      "short = '\\x4'",
    ].join('\n');
    const result = parsePythonConfig(text);
    expect(toPlain(result.tree as ConfigNode)).toEqual({
      hex: 'A-',
      uni: '\u00e9\u{1F600}',
      octal: 'A\nx\0',
      bell: '\x07\b\f\v',
      unknown: '\\q\\d',
      raw: '\\x41',
      joined: 'ab',
    });
    expect([...result.opaque.keys()].sort()).toEqual(['named', 'short']);
  });

  test('arithmetic of literals and earlier names, with Python semantics', () => {
    expect(
      plain(
        [
          'gradient_accumulation_steps = 5 * 8',
          'learning_rate = 1e-3',
          'min_lr = learning_rate / 10',
          'steps = (100 + 20) // 7',
          'neg = -7 // 2',
          'mod = -7 % 3',
          'power = -2 ** 2',
          'tokens = 12 * 1024 * gradient_accumulation_steps',
          'alias = learning_rate',
        ].join('\n'),
      ),
    ).toEqual({
      gradient_accumulation_steps: 40,
      learning_rate: 1e-3,
      min_lr: 1e-4,
      steps: 17,
      neg: -4,
      mod: 2,
      power: -4,
      tokens: 491520,
      alias: 1e-3,
    });
  });

  test('key and value ranges point at the text; source keeps the expression', () => {
    const text = "# header\n\ngradient_accumulation_steps = 5 * 8  # 40\nname = 'x'\n";
    const result = loadPythonConfig(text);
    const hit = getIn(result.tree, ['gradient_accumulation_steps']);
    expect(hit?.keyRange).toEqual({ line: 3, column: 1, endLine: 3, endColumn: 28 });
    expect(slice(text, hit?.keyRange as Range)).toBe('gradient_accumulation_steps');
    const node = hit?.node as ScalarNode;
    expect(slice(text, node.range)).toBe('5 * 8');
    expect(node).toMatchObject({ value: 40, source: '5 * 8', plain: true });
    expect(scalar(text, 'name')).toMatchObject({ value: 'x', source: 'x', plain: false });
  });

  test('the last literal assignment wins', () => {
    expect(plain('batch_size = 1\nbatch_size = 2\n')).toEqual({ batch_size: 2 });
  });
});

describe('Python config reader: nothing is executed, what it cannot know is opaque', () => {
  const code = [
    'import os',
    'from math import sqrt',
    'import subprocess; subprocess.run(["rm", "-rf", "/"])',
    'device = os.environ["DEVICE"]',
    'layers = [i for i in range(12)]',
    'sizes = {"a": 1}',
    'def helper(x=3):',
    '    batch_size = 999',
    '    return x',
    'class Config:',
    '    lr = 1.0',
    '@decorator',
    'def other():',
    '    max_iters = 1',
    '"""',
    'block_size = 4096  (inside a docstring)',
    '"""',
    'block_size = 1024',
    'batch_size = 12',
    'max_iters = \\',
    '    5000',
    'eval_interval = (',
    '    250',
    ')',
  ].join('\n');

  test('the top-level assignments it can read become keys; nothing inside def, class or a docstring does', () => {
    expect(plain(code)).toEqual({ sizes: { a: 1 }, block_size: 1024, batch_size: 12, max_iters: 5000, eval_interval: 250 });
  });

  test('names bound by non-literal statements are opaque, not defaulted', () => {
    const { opaque } = parsePythonConfig(code);
    // def and class bind their names to a function and a class: not values a config sets.
    expect([...opaque.keys()].sort()).toEqual(['Config', 'device', 'helper', 'layers', 'other']);
    expect(opaque.get('device')?.reason).toMatch(/not a value trainlint can read without running Python/);
  });

  test('a later non-literal or conditional rebinding drops the literal; annotated and chained assignments are read as Python runs them', () => {
    const text = [
      'batch_size = 12',
      'batch_size = batch_size * world()',
      'max_iters = 5000',
      'if big:',
      '    max_iters = 10000',
      'learning_rate = 1e-3',
      'learning_rate += 1e-4',
      'a, b = 1, 2',
      'warmup_iters = 100',
      'for warmup_iters in range(3): pass',
      'eval_interval: int = 5',
      'x = y = 3',
      'dtype = "bfloat16"',
      'dtype = f"{dtype}"',
    ].join('\n');
    const { tree, opaque } = parsePythonConfig(text);
    expect(toPlain(tree as ConfigNode)).toEqual({ eval_interval: 5, x: 3, y: 3 });
    expect([...opaque.keys()].sort()).toEqual(['a', 'b', 'batch_size', 'dtype', 'learning_rate', 'max_iters', 'warmup_iters']);
    expect(opaque.get('max_iters')?.reason).toMatch(/inside a block \(line 5\)/);
  });

  test('a literal after a non-literal binding is known again', () => {
    const { tree, opaque } = parsePythonConfig('batch_size = compute()\nbatch_size = 8\n');
    expect(toPlain(tree as ConfigNode)).toEqual({ batch_size: 8 });
    expect(opaque.size).toBe(0);
  });

  test('expressions it does not evaluate: calls, attributes, unknown names, string repetition, division by zero, complex, bytes, bool arithmetic', () => {
    const { tree, opaque } = parsePythonConfig(
      ['a = int("3")', 'b = math.pi', 'c = unknown + 1', "d = 'x' * 3", 'e = 1 / 0', 'f = 1j', 'g = (1, 2)', 'h = True + 1', "i = b'x'"].join('\n'),
    );
    expect(toPlain(tree as ConfigNode)).toEqual({ g: [1, 2] });
    expect([...opaque.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'h', 'i']);
  });
});

describe('Python config reader: syntax errors and hostile input', () => {
  test.each([
    ["name = 'unterminated\n", 'unterminated string literal', 1],
    ['doc = """never closed\n\nx = 1\n', 'unterminated string literal', 1],
    ['sizes = [1, 2,\nx = 3\n', "'[' was never closed", 1],
    ['x = 1)\n', "unmatched ')'", 1],
  ])('%j is a parse error', (text, message, line) => {
    const result = loadPythonConfig(text);
    expect(result.tree).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ kind: 'parse-error', message: `Python syntax error: ${message}` });
    expect(result.problems[0].range.line).toBe(line);
  });

  test('empty and comment-only files give an empty mapping', () => {
    expect(plain('')).toEqual({});
    expect(plain('# nothing\n\n   \n# here')).toEqual({});
  });

  test('CRLF line endings', () => {
    expect(plain('a = 1\r\nb = "x"\r\nc = \\\r\n  2\r\n')).toEqual({ a: 1, b: 'x', c: 2 });
  });

  test('deep nesting and long expressions stay bounded', () => {
    const deep = `x = ${'('.repeat(5000)}1${')'.repeat(5000)}\ny = ${'-'.repeat(5000)}1\nz = ${Array(100000).fill('1').join(' + ')}\n`;
    const { tree, opaque } = parsePythonConfig(deep);
    expect(toPlain(tree as ConfigNode)).toEqual({ z: 100000 });
    expect([...opaque.keys()].sort()).toEqual(['x', 'y']);
  });

  test('many rebindings stay linear', () => {
    const text = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`v${i} = ${i}`);
      for (let i = 0; i < n; i++) lines.push(`v${i} = f()`);
      return lines.join('\n');
    };
    // A ratio within one run, not a wall-time limit (helpers/scaling.ts).
    expectLinear(text, parsePythonConfig, 10_000);
    const { tree, opaque } = parsePythonConfig(text(20_000));
    expect(tree?.entries).toHaveLength(0);
    expect(opaque.size).toBe(20000);
  });
});

describe('python format wiring', () => {
  test('formatOf and parseSource', () => {
    expect(formatOf('config/train_gpt2.py')).toBe('python');
    const file = parseSource('config/x.py', '# trainlint-disable-next-line warmup-fraction -- short run\nwarmup_iters = 100\n');
    expect(file.format).toBe('python');
    expect(toPlain(file.tree as ConfigNode)).toEqual({ warmup_iters: 100 });
    expect(file.directives.suppressions).toEqual([expect.objectContaining({ ruleIds: ['warmup-fraction'], scope: 2, reason: 'short run' })]);
  });

  test('isPythonConfig: only .py files under a config/ or configs/ folder', () => {
    expect(isPythonConfig('config/train_gpt2.py')).toBe(true);
    expect(isPythonConfig('nanoGPT/configs/a.py')).toBe(true);
    expect(isPythonConfig('config/__init__.py')).toBe(false);
    expect(isPythonConfig('train.py')).toBe(false);
    // MMEngine and detectron2 keep their Python configs in subfolders of configs/.
    expect(isPythonConfig('config/sub/a.py')).toBe(true);
    expect(isPythonConfig('configs/_base_/schedules/schedule_1x.py')).toBe(true);
    expect(isPythonConfig('mmdet/configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py')).toBe(true);
    expect(isPythonConfig('configs.py')).toBe(false);
    expect(isPythonConfig('src/configsx/a.py')).toBe(false);
    expect(isPythonConfig('config/a.yaml')).toBe(false);
  });

  test('discover walks .py files only under config folders, unless named or globbed', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'trainlint-py-'));
    try {
      for (const rel of ['train.py', 'model.py', 'config/train_gpt2.py', 'config/__init__.py', 'configs/a.py', 'src/config/b.py', 'src/util.py', 'config/deep/c.py', 'x.yaml']) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), 'a = 1\n');
      }
      const config = {} as TrainlintConfig;
      const rels = (inputs: string[], cfg: TrainlintConfig = config) => discover(root, inputs, cfg).map((f) => f.rel).sort();
      expect(rels([])).toEqual(['config/deep/c.py', 'config/train_gpt2.py', 'configs/a.py', 'src/config/b.py', 'x.yaml']);
      expect(rels(['train.py'])).toEqual(['train.py']);
      expect(rels(['**/*.py'])).toEqual(['config/__init__.py', 'config/deep/c.py', 'config/train_gpt2.py', 'configs/a.py', 'model.py', 'src/config/b.py', 'src/util.py', 'train.py']);
      expect(rels(['.'], { files: ['src/util.py'] } as TrainlintConfig)).toContain('src/util.py');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
