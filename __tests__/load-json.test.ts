import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadJson } from '../src/engine/load/json.js';
import { MAX_DEPTH, type LoadProblem, type LoadResult } from '../src/engine/load/result.js';
import { loadToml } from '../src/engine/load/toml.js';
import { getIn, mapGet, toPlain, type ConfigNode, type MapNode, type ScalarNode } from '../src/engine/tree.js';
import type { Range } from '../src/engine/types.js';
import { CORPUS, sharedTest } from './helpers/shared';
import { expectLinear } from './helpers/scaling';

const FIXTURES = path.join(__dirname, 'fixtures', 'load');

const r = (line: number, column: number, endLine: number, endColumn: number): Range => ({ line, column, endLine, endColumn });

function tree(text: string): ConfigNode {
  const result = loadJson(text);
  expect(result.problems).toEqual([]);
  expect(result.tree).toBeDefined();
  return result.tree as ConfigNode;
}

function at(root: ConfigNode, ...p: (string | number)[]): ConfigNode {
  const hit = getIn(root, p);
  if (!hit) throw new Error(`no ${p.join('.')}`);
  return hit.node;
}

/** The single parse error of `text`: asserts there is no tree. */
function parseError(text: string): LoadProblem {
  const result = loadJson(text);
  expect(result.tree).toBeUndefined();
  expect(result.problems).toHaveLength(1);
  expect(result.problems[0].kind).toBe('parse-error');
  return result.problems[0];
}

describe('loadJson: tree and positions', () => {
  const text = ['{', '  "optimizer": {"type": "AdamW", "lr": 3e-4},', '  "betas": [0.9, 0.95],', '  "fp16": null,', '  "on": true', '}'].join('\n');

  it('builds maps, sequences and scalars with ranges', () => {
    const root = tree(text);
    expect(root.kind).toBe('map');
    expect(root.range).toEqual(r(1, 1, 6, 2));
    const opt = getIn(root, ['optimizer']);
    expect(opt?.keyRange).toEqual(r(2, 3, 2, 14)); // the key with its quotes
    expect(opt?.node.range).toEqual(r(2, 16, 2, 45));
    const lr = at(root, 'optimizer', 'lr') as ScalarNode;
    expect(lr).toEqual({ kind: 'scalar', value: 3e-4, source: '3e-4', plain: true, range: r(2, 40, 2, 44) });
    const type = at(root, 'optimizer', 'type') as ScalarNode;
    expect(type).toMatchObject({ value: 'AdamW', source: 'AdamW', plain: false, range: r(2, 25, 2, 32) });
    expect(at(root, 'betas', 1)).toMatchObject({ value: 0.95, source: '0.95', range: r(3, 18, 3, 22) });
    expect(at(root, 'fp16')).toMatchObject({ value: null, source: 'null', plain: true });
    expect(at(root, 'on')).toMatchObject({ value: true, source: 'true', plain: true, range: r(5, 9, 5, 13) });
  });

  it('keeps the number text as written in source', () => {
    const root = tree('{"a": 1.0, "b": -0, "c": 1E+3, "big": 12345678901234567890}');
    expect(at(root, 'a')).toMatchObject({ value: 1, source: '1.0' });
    expect(at(root, 'c')).toMatchObject({ value: 1000, source: '1E+3' });
    expect(at(root, 'big')).toMatchObject({ source: '12345678901234567890' });
  });

  it('accepts NaN, Infinity and -Infinity like Python json', () => {
    const root = tree('[NaN, Infinity, -Infinity, -1]');
    const values = (root as { items: ScalarNode[] }).items.map((n) => n.value);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([Infinity, -Infinity, -1]);
  });

  it('unescapes strings, source is the unescaped content', () => {
    const root = tree('{"s": "a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00", "k\\u0041": 1}');
    expect(at(root, 's')).toMatchObject({ value: 'a"b\\c/d\né😀', source: 'a"b\\c/d\né😀', plain: false });
    expect(getIn(root, ['kA'])).toBeDefined();
  });

  it('accepts a scalar root and CRLF line ends', () => {
    expect(tree(' 42 ')).toMatchObject({ value: 42, range: r(1, 2, 1, 4) });
    const root = tree('{\r\n  "a": 1,\r\n  "b": 2\r\n}\r\n');
    expect(at(root, 'b').range).toEqual(r(3, 8, 3, 9));
  });

  it('tolerates a BOM and does not count it as a column', () => {
    const root = tree('\ufeff{"a": 1}');
    expect(at(root, 'a').range).toEqual(r(1, 7, 1, 8));
  });

  it('treats __proto__ and constructor as plain keys', () => {
    const root = tree('{"__proto__": {"polluted": 1}, "constructor": 2}') as MapNode;
    expect(root.entries.map((e) => e.key)).toEqual(['__proto__', 'constructor']);
    expect(mapGet(root, '__proto__')?.value.kind).toBe('map');
    const plain = toPlain(root) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('loadJson: duplicate keys', () => {
  it('reports the second occurrence, keeps both entries, mapGet returns the last', () => {
    const text = '{\n  "optimizer": {\n    "lr": 1e-4,\n    "eps": 1e-8,\n    "lr": 3e-4\n  }\n}';
    const result = loadJson(text);
    expect(result.problems).toEqual([
      {
        kind: 'duplicate-key',
        message: 'duplicate key "lr" (first at line 3); the loader keeps the last value',
        range: r(5, 5, 5, 9),
      },
    ]);
    const opt = at(result.tree as ConfigNode, 'optimizer') as MapNode;
    expect(opt.entries.map((e) => e.key)).toEqual(['lr', 'eps', 'lr']);
    expect((mapGet(opt, 'lr')?.value as ScalarNode).value).toBe(3e-4);
    expect((toPlain(opt) as Record<string, unknown>).lr).toBe(3e-4);
  });

  it('reports every repeat and scopes keys per object', () => {
    const result = loadJson('{"a": 1, "b": {"a": 2}, "a": 3, "a": 4}');
    expect(result.problems.map((p) => [p.kind, p.range.column])).toEqual([
      ['duplicate-key', 25],
      ['duplicate-key', 33],
    ]);
    expect(result.problems[1].message).toContain('(first at line 1)');
  });
});

describe('loadJson: strict syntax errors at the offending character', () => {
  it.each<[string, string, number, number, RegExp]>([
    ['trailing comma in object', '{\n  "a": 1,\n}', 2, 9, /trailing comma/],
    ['trailing comma in array', '[1, 2,\n]', 1, 6, /trailing comma/],
    ['line comment', '{\n  // lr\n  "lr": 1\n}', 2, 3, /comment/],
    ['block comment after value', '{"lr": 1 /* peak */}', 1, 10, /comment/],
    ['single quotes', "{'lr': 1}", 1, 2, /single quote/],
    ['single-quoted value', "{\"lr\": 'x'}", 1, 8, /single quote/],
    ['unquoted key', '{lr: 1}', 1, 2, /property name.*bare word lr/],
    ['bare placeholder', '{\n  "train_batch_size": GBSIZE,\n}', 2, 23, /Expecting value, found bare word GBSIZE/],
    ['Python True', '{"a": True}', 1, 7, /bare word True/],
    ['missing comma', '{"a": 1\n "b": 2}', 2, 2, /Expecting ',' delimiter/],
    ['missing colon', '{"a" 1}', 1, 6, /Expecting ':' delimiter/],
    ['unterminated string', '{"a": "abc', 1, 7, /Unterminated string/],
    ['raw newline in string', '{"a": "ab\nc"}', 1, 10, /control character.*line break/],
    ['invalid escape', '{"a": "\\x41"}', 1, 8, /Invalid \\escape/],
    ['bad \\u escape', '{"a": "\\u12G4"}', 1, 8, /\\uXXXX/],
    ['leading zero', '{"a": 01}', 1, 8, /Expecting ',' delimiter/],
    ['leading plus', '{"a": +1}', 1, 7, /Expecting value/],
    ['bare fraction', '[.5]', 1, 2, /Expecting value/],
    ['lone minus', '[-]', 1, 2, /Expecting value/],
    ['extra data', '{"a": 1}\n{"b": 2}', 2, 1, /Extra data/],
    ['unexpected end', '{"a": [1, 2', 1, 12, /end of file/],
    ['positive infinity', '[+Infinity]', 1, 2, /Expecting value/],
  ])('%s', (_name, text, line, column, message) => {
    const problem = parseError(text);
    expect(problem.range.line).toBe(line);
    expect(problem.range.column).toBe(column);
    expect(problem.message).toMatch(message);
    expect(problem.message).not.toContain('\n');
  });

  it('spans the whole bare word of a placeholder', () => {
    expect(parseError('{"a": GBSIZE}').range).toEqual(r(1, 7, 1, 13));
  });

  it('drops duplicate-key problems when the file does not parse', () => {
    const result = loadJson('{"a": 1, "a": 2,}');
    expect(result.problems.map((p) => p.kind)).toEqual(['parse-error']);
  });

  it.each(['', '   \n\t ', '\ufeff'])('empty file %j', (text) => {
    expect(parseError(text)).toEqual({ kind: 'parse-error', message: 'empty JSON file', range: r(1, 1, 1, 2) });
  });
});

describe('loadJson: nesting depth', () => {
  it(`accepts ${MAX_DEPTH} levels and rejects ${MAX_DEPTH + 1}`, () => {
    const ok = '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH);
    expect(loadJson(ok).tree).toBeDefined();
    const deep = '{"a":'.repeat(MAX_DEPTH) + '{}' + '}'.repeat(MAX_DEPTH);
    const problem = parseError(deep);
    expect(problem.message).toMatch(/nesting deeper than 64/);
    expect(problem.range.column).toBe(MAX_DEPTH * 5 + 1);
  });

  it('fails fast on 100k nested brackets instead of overflowing the stack', () => {
    const problem = parseError('['.repeat(100_000) + ']'.repeat(100_000));
    expect(problem.range.column).toBe(MAX_DEPTH + 1);
    // A ratio within one run, not a wall-time limit (helpers/scaling.ts).
    expectLinear((n) => '['.repeat(n) + ']'.repeat(n), loadJson, 100_000);
  });
});

describe('loadJson: real files', () => {
  it('loads a DeepSpeed config with tabs', () => {
    const root = tree(readFileSync(path.join(FIXTURES, 'deepspeed_vit_ds_fp16_config.json'), 'utf8'));
    expect(at(root, 'optimizer', 'params', 'lr')).toMatchObject({ value: 0.002, range: r(9, 12, 9, 17) });
    expect(getIn(root, ['optimizer', 'params', 'lr'])?.keyRange).toEqual(r(9, 6, 9, 10));
    expect(at(root, 'optimizer', 'params', 'betas', 1)).toMatchObject({ value: 0.995, range: r(12, 3, 12, 8) });
  });

  it('rejects the sed template at its first placeholder', () => {
    const problem = parseError(readFileSync(path.join(FIXTURES, 'deepspeed_ds_config_TEMPLATE.json'), 'utf8'));
    expect(problem.range).toEqual(r(3, 37, 3, 48));
    expect(problem.message).toContain('bare word MICRO_BATCH');
  });
});

function listConfigs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listConfigs(full));
    else if (/\.(json|toml)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

const sweep = sharedTest(CORPUS);

describe('corpus sweep (../shared/corpus)', () => {
  sweep('loads every .json and .toml file: a tree or a problem, only the 5 templates fail', () => {
    const files = listConfigs(CORPUS);
    expect(files.length).toBeGreaterThan(100);
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    const start = process.hrtime.bigint();
    const results: LoadResult[] = texts.map((text, i) => (files[i].endsWith('.json') ? loadJson(text) : loadToml(text)));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(`loaded ${files.length} corpus files in ${ms.toFixed(1)} ms`);
    const failing: string[] = [];
    results.forEach((result, i) => {
      expect(result.tree !== undefined || result.problems.length > 0).toBe(true);
      if (result.problems.some((p) => p.kind === 'parse-error')) failing.push(path.basename(files[i]));
      else expect(result.tree).toBeDefined();
    });
    expect(failing.sort()).toEqual([
      'ds_config_TEMPLATE.json',
      'ds_config_gpt2-medium_1clmetric_TEMPLATE.json',
      'ds_config_gpt2-medium_2clmetrics_TEMPLATE.json',
      'ds_config_gpt2_TEMPLATE.json',
      'ds_config_structural_pruning_TEMPLATE.json',
    ]);
  });
});
