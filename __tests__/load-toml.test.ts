import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { computeLineStarts, offsetToPos, rangeOf } from '../src/engine/load/positions.js';
import type { LoadProblem } from '../src/engine/load/result.js';
import { loadToml } from '../src/engine/load/toml.js';
import { getIn, toPlain, walkEntries, type ConfigNode, type MapNode, type ScalarNode, type SeqNode } from '../src/engine/tree.js';
import type { Range } from '../src/engine/types.js';
import { CORPUS, sharedTest } from './helpers/shared';

const FIXTURES = path.join(__dirname, 'fixtures', 'load');
const TORCHTITAN = path.join(CORPUS, 'pytorch__torchtitan');

const r = (line: number, column: number, endLine: number, endColumn: number): Range => ({ line, column, endLine, endColumn });

function tree(text: string): ConfigNode {
  const result = loadToml(text);
  expect(result.problems).toEqual([]);
  expect(result.tree).toBeDefined();
  return result.tree as ConfigNode;
}

function at(root: ConfigNode, ...p: (string | number)[]): ConfigNode {
  const hit = getIn(root, p);
  if (!hit) throw new Error(`no ${p.join('.')}`);
  return hit.node;
}

function keyRange(root: ConfigNode, ...p: (string | number)[]): Range | undefined {
  return getIn(root, p)?.keyRange;
}

/** The text a range covers (ranges are 1-based, endColumn exclusive). */
function slice(text: string, range: Range): string {
  const starts = computeLineStarts(text);
  return text.slice(starts[range.line - 1] + range.column - 1, starts[range.endLine - 1] + range.endColumn - 1);
}

/** Every node and entry in the tree has a well-formed range. */
function expectAllRanged(root: ConfigNode): void {
  const check = (range: Range | undefined): void => {
    expect(range).toBeDefined();
    const { line, column, endLine, endColumn } = range as Range;
    expect(line).toBeGreaterThanOrEqual(1);
    expect(column).toBeGreaterThanOrEqual(1);
    expect(endLine > line || (endLine === line && endColumn > column)).toBe(true);
  };
  const visit = (node: ConfigNode): void => {
    check(node.range);
    if (node.kind === 'map') node.entries.forEach((e) => (check(e.keyRange), visit(e.value)));
    if (node.kind === 'seq') node.items.forEach(visit);
  };
  visit(root);
}

const TITAN = `# torchtitan Config.toml
[job]
dump_folder = "./outputs"
description = "Llama 3 8B training"

[optimizer]
name = "AdamW"
lr = 3e-4
eps = 1e-8

[lr_scheduler]
warmup_steps = 200  # lr scheduler warm up

[training]
local_batch_size = 1
seq_len = 8192
max_norm = 1.0  # grad norm clipping
steps = 1000
`;

describe('positions helper', () => {
  it('maps offsets to 1-based line/column, "\\n" ends a line', () => {
    const starts = computeLineStarts('ab\r\ncd\n\nx');
    expect(starts).toEqual([0, 4, 7, 8]);
    expect(offsetToPos(starts, 0)).toEqual({ line: 1, column: 1 });
    expect(offsetToPos(starts, 2)).toEqual({ line: 1, column: 3 }); // the \r stays on line 1
    expect(offsetToPos(starts, 5)).toEqual({ line: 2, column: 2 });
    expect(offsetToPos(starts, 7)).toEqual({ line: 3, column: 1 });
    expect(offsetToPos(starts, 99)).toEqual({ line: 4, column: 92 });
    expect(rangeOf(starts, 4, 6)).toEqual(r(2, 1, 2, 3));
    expect(rangeOf(starts, 8, 8)).toEqual(r(4, 1, 4, 2)); // empty span still covers one column
    expect(rangeOf(starts, 6, 7)).toEqual(r(2, 3, 2, 4)); // a lone "\n" stays on its line
  });
});

describe('loadToml: torchtitan config', () => {
  const root = tree(TITAN);

  it('places the [training] keys and values', () => {
    expect(keyRange(root, 'training')).toEqual(r(14, 1, 14, 11));
    expect(at(root, 'training').range).toEqual(r(14, 1, 18, 13));
    expect(keyRange(root, 'training', 'local_batch_size')).toEqual(r(15, 1, 15, 17));
    expect(at(root, 'training', 'local_batch_size')).toEqual({ kind: 'scalar', value: 1, source: '1', plain: true, range: r(15, 20, 15, 21) });
    expect(keyRange(root, 'training', 'seq_len')).toEqual(r(16, 1, 16, 8));
    expect(at(root, 'training', 'seq_len').range).toEqual(r(16, 11, 16, 15));
    // The trailing comment is not part of the value.
    expect(at(root, 'training', 'max_norm')).toEqual({ kind: 'scalar', value: 1, source: '1.0', plain: true, range: r(17, 12, 17, 15) });
    expect(keyRange(root, 'training', 'steps')).toEqual(r(18, 1, 18, 6));
    expect(at(root, 'training', 'steps').range).toEqual(r(18, 9, 18, 13));
  });

  it('places the other tables', () => {
    expect(at(root, 'optimizer', 'lr')).toMatchObject({ value: 3e-4, source: '3e-4', range: r(8, 6, 8, 10) });
    expect(at(root, 'optimizer', 'name')).toMatchObject({ value: 'AdamW', source: 'AdamW', plain: false, range: r(7, 8, 7, 15) });
    expect(at(root, 'optimizer').range).toEqual(r(6, 1, 9, 11));
    expect(at(root, 'lr_scheduler', 'warmup_steps').range).toEqual(r(12, 16, 12, 19));
    expect((root as MapNode).entries.map((e) => e.key)).toEqual(['job', 'optimizer', 'lr_scheduler', 'training']);
    expectAllRanged(root);
  });

  it('loads a torchtitan llama3_8b.toml', () => {
    const text = readFileSync(path.join(FIXTURES, 'torchtitan_llama3_8b.toml'), 'utf8');
    const real = tree(text);
    expect(at(real, 'training', 'seq_len')).toMatchObject({ value: 8192, range: r(25, 11, 25, 15) });
    expect(slice(text, keyRange(real, 'quantize', 'linear', 'float8') as Range)).toBe('[quantize.linear.float8]');
    // `quantize` and `linear` are only implied by the header: they point at their part of it.
    expect(slice(text, keyRange(real, 'quantize') as Range)).toBe('quantize');
    expect(slice(text, at(real, 'compile', 'components', 1).range)).toBe('"loss"');
    expect(at(real, 'checkpoint', 'async_mode')).toMatchObject({ value: 'disabled', range: r(48, 14, 48, 24) });
    expectAllRanged(real);
  });
});

describe('loadToml: keys', () => {
  const text = ['[model]', 'a.b = 1', '"x.y" = 2', "'lit' = 3", '"esc\\u0041" = 4', 'site . "google.com" = true'].join('\n');
  const root = tree(text);

  it('handles dotted, quoted and literal keys', () => {
    expect(keyRange(root, 'model', 'a')).toEqual(r(2, 1, 2, 2));
    expect(keyRange(root, 'model', 'a', 'b')).toEqual(r(2, 1, 2, 4)); // the whole dotted key
    expect(at(root, 'model', 'a', 'b').range).toEqual(r(2, 7, 2, 8));
    expect(keyRange(root, 'model', 'x.y')).toEqual(r(3, 1, 3, 6));
    expect(at(root, 'model', 'x.y')).toMatchObject({ value: 2, range: r(3, 9, 3, 10) });
    expect(keyRange(root, 'model', 'lit')).toEqual(r(4, 1, 4, 6));
    expect(at(root, 'model', 'escA').range).toEqual(r(5, 15, 5, 16));
    expect(slice(text, keyRange(root, 'model', 'site', 'google.com') as Range)).toBe('site . "google.com"');
    expect(at(root, 'model', 'site', 'google.com')).toMatchObject({ value: true, source: 'true', plain: true });
  });

  it('keeps __proto__ and constructor as plain keys', () => {
    const t = tree('__proto__ = 1\n[constructor]\nx = 2\n') as MapNode;
    expect(t.entries.map((e) => e.key)).toEqual(['__proto__', 'constructor']);
    expect(t.entries[0].keyRange).toEqual(r(1, 1, 1, 10));
    const plain = toPlain(t) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['__proto__', 'constructor']);
  });
});

describe('loadToml: arrays of tables and inline values', () => {
  it('counts [[array]] elements, including nested ones', () => {
    const text = [
      '[[fruits]]', // 1
      'name = "apple"',
      '',
      '[fruits.physical]', // 4
      'color = "red"',
      '',
      '[[fruits.varieties]]', // 7
      'name = "red delicious"',
      '',
      '[[fruits]]', // 10
      'name = "banana"',
      '',
      '[[fruits.varieties]]', // 13
      'name = "plantain"',
    ].join('\n');
    const root = tree(text);
    expect(keyRange(root, 'fruits')).toEqual(r(1, 1, 1, 11));
    expect(at(root, 'fruits').kind).toBe('seq');
    expect(at(root, 'fruits', 0).range.line).toBe(1);
    expect(at(root, 'fruits', 1).range).toEqual(r(10, 1, 11, 16));
    expect(at(root, 'fruits', 0, 'name').range).toEqual(r(2, 8, 2, 15));
    expect(at(root, 'fruits', 0, 'physical', 'color').range.line).toBe(5);
    expect(at(root, 'fruits', 0, 'varieties', 0, 'name').range.line).toBe(8);
    expect(at(root, 'fruits', 1, 'name')).toMatchObject({ value: 'banana', range: r(11, 8, 11, 16) });
    expect(at(root, 'fruits', 1, 'varieties', 0, 'name').range.line).toBe(14);
    expect(keyRange(root, 'fruits', 1, 'varieties')).toEqual(r(13, 1, 13, 21));
    expectAllRanged(root);
  });

  it('places inline array items and inline table entries', () => {
    const text = [
      'betas = [0.9, 0.95]',
      'opt = { name = "adam", params = { lr = 1e-3 } }',
      'layers = [',
      '  1,  # one',
      '  2,',
      ']',
      'matrix = [[1, 2], [3]]',
      'pts = [{x = 1}, {x = 2}]',
    ].join('\n');
    const root = tree(text);
    expect(at(root, 'betas', 1)).toMatchObject({ value: 0.95, range: r(1, 15, 1, 19) });
    expect(at(root, 'opt').range).toEqual(r(2, 7, 2, 48));
    expect(keyRange(root, 'opt', 'params', 'lr')).toEqual(r(2, 35, 2, 37));
    expect(at(root, 'opt', 'params', 'lr')).toMatchObject({ value: 1e-3, source: '1e-3', range: r(2, 40, 2, 44) });
    expect(at(root, 'layers').range).toEqual(r(3, 10, 6, 2));
    expect(at(root, 'layers', 1).range).toEqual(r(5, 3, 5, 4));
    expect(at(root, 'matrix', 1, 0).range).toEqual(r(7, 20, 7, 21));
    expect(at(root, 'pts', 1, 'x').range).toEqual(r(8, 22, 8, 23));
    expectAllRanged(root);
  });

  it('is not fooled by multi-line strings that look like TOML', () => {
    const text = ['s = """', '[fake]', 'x = "y"', 'end"""', "t = '''a'''", 'after = 1', 'q = "a \\" # b" # real comment'].join('\n');
    const root = tree(text);
    expect(at(root, 's')).toMatchObject({ value: '[fake]\nx = "y"\nend', plain: false, range: r(1, 5, 4, 7) });
    expect(at(root, 't').range).toEqual(r(5, 5, 5, 12));
    expect(at(root, 'after').range).toEqual(r(6, 9, 6, 10));
    expect(at(root, 'q')).toMatchObject({ value: 'a " # b', range: r(7, 5, 7, 15) });
    expect((root as MapNode).entries.map((e) => e.key)).toEqual(['s', 't', 'after', 'q']);
  });
});

describe('loadToml: scalar types', () => {
  it('turns dates and times into their string form', () => {
    const root = tree('d = 1979-05-27T07:32:00Z\nld = 1979-05-27\nlt = 07:32:00\nldt = 1979-05-27 07:32:00 # local\n');
    expect(at(root, 'd')).toMatchObject({ value: '1979-05-27T07:32:00.000Z', source: '1979-05-27T07:32:00Z', plain: true });
    expect(at(root, 'ld')).toMatchObject({ value: '1979-05-27', source: '1979-05-27' });
    expect(at(root, 'lt')).toMatchObject({ value: '07:32:00.000', source: '07:32:00' });
    expect(at(root, 'ldt')).toMatchObject({ value: '1979-05-27T07:32:00.000', source: '1979-05-27 07:32:00', range: r(4, 7, 4, 26) });
  });

  it('reads special numbers, keeps the digits of huge integers', () => {
    const root = tree('h = 0xff\nu = 1_000\ni = -inf\nn = nan\nbig = 9999999999999999999\n');
    expect(at(root, 'h')).toMatchObject({ value: 255, source: '0xff' });
    expect(at(root, 'u')).toMatchObject({ value: 1000, source: '1_000' });
    expect((at(root, 'i') as ScalarNode).value).toBe(-Infinity);
    expect((at(root, 'n') as ScalarNode).value).toBeNaN();
    expect(at(root, 'big')).toMatchObject({ value: 1e19, source: '9999999999999999999' });
  });

  it('accepts empty files, a BOM and CRLF', () => {
    expect(tree('')).toEqual({ kind: 'map', entries: [], range: r(1, 1, 1, 2) });
    expect(tree('# only a comment\n')).toMatchObject({ kind: 'map', entries: [] });
    const root = tree('\ufeff[a]\r\nx = 1\r\n');
    expect(at(root, 'a', 'x')).toMatchObject({ value: 1, range: r(2, 5, 2, 6) });
  });
});

describe('loadToml: errors', () => {
  function only(text: string): LoadProblem {
    const result = loadToml(text);
    expect(result.tree).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    return result.problems[0];
  }

  it.each<[string, string, number, number, string]>([
    ['missing value', 'a = 1\nb = \n', 2, 5, 'invalid TOML: invalid value'],
    ['unfinished string', '[x]\nname = "abc\n', 2, 12, 'invalid TOML: control characters are not allowed in strings'],
    ['two values on a line', 'a = 1 b = 2', 1, 7, 'invalid TOML: each key-value declaration must be followed by an end-of-line'],
    ['bare word', 'lr = GBSIZE', 1, 6, 'invalid TOML: invalid value'],
  ])('%s → one-line parse-error at the position', (_name, text, line, column, message) => {
    expect(only(text)).toEqual({ kind: 'parse-error', message, range: r(line, column, line, column + 1) });
  });

  it('rejects deep nesting without overflowing', () => {
    const dotted = only(Array.from({ length: 100 }, (_, i) => `k${i}`).join('.') + ' = 1');
    expect(dotted).toMatchObject({ kind: 'parse-error', message: expect.stringMatching(/nest/) });
    expect(only('a = ' + '['.repeat(100) + ']'.repeat(100)).kind).toBe('parse-error');
    expect(only('a = ' + '['.repeat(100_000) + ']'.repeat(100_000)).kind).toBe('parse-error');
    expect(only(`[${'k.'.repeat(50_000)}k]\nx = 1`).kind).toBe('parse-error');
  });
});

describe('loadToml: duplicate keys', () => {
  it('reports a repeated key, keeps the first definition in the tree', () => {
    const text = '[optimizer]\nlr = 1e-4\neps = 1e-8\nlr = 3e-4\nname = "adam"\n';
    const result = loadToml(text);
    expect(result.problems).toEqual([
      {
        kind: 'duplicate-key',
        message: 'duplicate key "optimizer.lr" (first at line 2); TOML forbids redefining a key, so the file does not load (tomllib raises)',
        range: r(4, 1, 4, 3),
      },
    ]);
    const root = result.tree as ConfigNode;
    expect(at(root, 'optimizer', 'lr')).toMatchObject({ value: 1e-4, range: r(2, 6, 2, 10) });
    expect(at(root, 'optimizer', 'name').range).toEqual(r(5, 8, 5, 14));
    expect((at(root, 'optimizer') as MapNode).entries.map((e) => e.key)).toEqual(['lr', 'eps', 'name']);
  });

  it('reports every duplicate, including tables, inline tables and dotted conflicts', () => {
    const text = ['[a]', 'x = 1', '[a]', 'y = 2', '[b]', 'z = 3', 'z = 4', 'i = {p = 1, p = 2}', 'd.e = 1', 'd = 2'].join('\n');
    const result = loadToml(text);
    expect(result.problems.map((p) => [p.kind, p.range.line, p.range.column, p.message.split(';')[0]])).toEqual([
      ['duplicate-key', 3, 1, 'duplicate key "a" (first at line 1)'],
      ['duplicate-key', 7, 1, 'duplicate key "b.z" (first at line 6)'],
      ['duplicate-key', 8, 13, 'duplicate key "b.i.p" (first at line 8)'],
      ['duplicate-key', 10, 1, 'duplicate key "b.d" (first at line 9)'],
    ]);
    const root = result.tree as ConfigNode;
    expect(toPlain(root)).toEqual({ a: { x: 1 }, b: { z: 3, i: { p: 1 }, d: { e: 1 } } });
    expect(at(root, 'b', 'z').range).toEqual(r(6, 5, 6, 6));
    expect(at(root, 'b', 'i', 'p').range).toEqual(r(8, 10, 8, 11));
    expectAllRanged(root);
  });

  it('handles a plain table redefining an array of tables', () => {
    const result = loadToml('[[t]]\nx = 1\n[t]\ny = 2\n');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ kind: 'duplicate-key', range: r(3, 1, 3, 4) });
    expect(result.problems[0].message).toContain('"t" (first at line 1)');
    expect(toPlain(result.tree as ConfigNode)).toEqual({ t: [{ x: 1 }] });
  });
});

function listToml(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listToml(full));
    else if (entry.name.endsWith('.toml')) out.push(full);
  }
  return out;
}

sharedTest(TORCHTITAN)('places every key of every torchtitan corpus file on its own text', () => {
  const files = listToml(TORCHTITAN);
  expect(files.length).toBeGreaterThan(20);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const root = tree(text);
    expectAllRanged(root);
    walkEntries(root, (_path, entry) => {
      const written = slice(text, entry.keyRange);
      // A header (`[a.b]`, `[[a]]`) or the key text itself.
      if (!written.startsWith('[')) expect(written.replace(/["']/g, '').split(/\s*\.\s*/)).toContain(entry.key);
      if (entry.value.kind === 'scalar' && entry.value.plain) expect(slice(text, entry.value.range)).toBe(entry.value.source);
      if (entry.value.kind === 'seq' && !written.startsWith('[')) {
        expect(slice(text, (entry.value as SeqNode).range).startsWith('[')).toBe(true);
      }
    });
  }
});
