/** The YAML adapter types scalars as PyYAML's SafeLoader does (or YAML 1.2 when asked). */
import { loadYaml } from '../src/engine/load/yaml';
import { getIn, toPlain, type ScalarNode } from '../src/engine/tree';

function scalar(text: string, key: string, version?: '1.1' | '1.2'): ScalarNode {
  const { tree, problems } = loadYaml(text, { version });
  expect(problems.filter((p) => p.kind === 'parse-error')).toEqual([]);
  const node = getIn(tree, [key])?.node;
  if (!node || node.kind !== 'scalar') throw new Error(`no scalar at ${key}`);
  return node;
}

describe('PyYAML (YAML 1.1) scalar typing', () => {
  test.each([
    ['1e-4', '1e-4'], // no dot: a string to PyYAML
    ['1.0e4', '1.0e4'], // exponent without sign: a string to PyYAML
    ['-.5', '-.5'], // signed fraction without leading digit: a string
    ['y', 'y'],
    ['n', 'n'],
    ['09', '09'], // not octal, not decimal
  ])('%s stays the string %j', (text, expected) => {
    expect(scalar(`v: ${text}\n`, 'v').value).toBe(expected);
  });

  test.each([
    ['1.0e-4', 0.0001],
    ['1.e-4', 0.0001],
    ['.5', 0.5],
    ['1_000', 1000],
    ['0755', 493],
    ['0x1F', 31],
    ['0b101', 5],
    ['1:30', 90],
    ['-2.5E+3', -2500],
    ['3', 3],
  ])('%s is the number %d', (text, expected) => {
    expect(scalar(`v: ${text}\n`, 'v').value).toBe(expected);
  });

  test.each([
    ['on', true],
    ['Off', false],
    ['yes', true],
    ['NO', false],
    ['True', true],
  ])('%s is the boolean %s', (text, expected) => {
    expect(scalar(`v: ${text}\n`, 'v').value).toBe(expected);
  });

  test('null forms and timestamps', () => {
    expect(scalar('v: ~\n', 'v').value).toBeNull();
    expect(scalar('v:\n', 'v').value).toBeNull();
    expect(scalar('v: 2024-01-02\n', 'v').value).toBe('2024-01-02');
  });

  test('quoted scalars are strings and not plain', () => {
    const node = scalar('v: "5e-4"\n', 'v');
    expect(node).toMatchObject({ value: '5e-4', plain: false });
  });
});

describe('YAML 1.2 typing on request', () => {
  test('1e-4 is a number and on is a string', () => {
    expect(scalar('v: 1e-4\n', 'v', '1.2').value).toBe(0.0001);
    expect(scalar('v: on\n', 'v', '1.2').value).toBe('on');
  });
});

describe('structure and positions', () => {
  test('key ranges are 1-based and exact', () => {
    const { tree } = loadYaml('a:\n  lr: 1.0e-3\n  steps: 10\n');
    expect(getIn(tree, ['a', 'steps'])?.keyRange).toEqual({ line: 3, column: 3, endLine: 3, endColumn: 8 });
  });

  test('duplicate keys are reported at the second occurrence and the last value wins', () => {
    const { tree, problems } = loadYaml('lr: 1\nsteps: 2\nlr: 3\n');
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'duplicate-key', range: { line: 3, column: 1, endLine: 3, endColumn: 3 } }),
    ]);
    expect(problems[0].message).toContain('first at line 1');
    expect(toPlain(tree!)).toEqual({ lr: 3, steps: 2 });
  });

  test('merge keys apply like PyYAML: explicit keys win, earlier merges win over later', () => {
    const text = 'a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 9\n';
    const { tree, problems } = loadYaml(text);
    expect(problems).toEqual([]);
    expect(toPlain(getIn(tree, ['c'])!.node)).toEqual({ x: 9, y: 1, z: 2 });
  });

  test('syntax errors carry one-line messages with a position', () => {
    const { tree, problems } = loadYaml('a: [1, 2\nb: 3\n');
    expect(tree).toBeUndefined();
    expect(problems[0].kind).toBe('parse-error');
    expect(problems[0].message).not.toContain('\n');
    expect(problems[0].range.line).toBeGreaterThanOrEqual(1);
  });

  test('__proto__ is an own data key', () => {
    const { tree } = loadYaml('__proto__:\n  polluted: true\n');
    const plain = toPlain(tree!) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('alias bombs are refused', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const { tree, problems } = loadYaml(lines.join('\n') + '\n');
    expect(tree).toBeUndefined();
    expect(problems[0].message).toMatch(/alias/);
  });
});

describe('explicit tags, as PyYAML constructs them', () => {
  const scalars = (text: string) => {
    const r = loadYaml(text);
    expect(r.tree?.kind).toBe('map');
    return r.tree?.kind === 'map' ? Object.fromEntries(r.tree.entries.map((e) => [e.key, e.value])) : {};
  };

  test('!!float and !!int take what Python float()/int() take, not only what the implicit resolvers match', () => {
    const s = scalars('a: !!float 2e-5\nb: !!float 1\nc: !!float 1_000.5\nd: !!int "4"\ne: !!int 0x10\nf: !!float -.inf\ng: !!bool Yes\n');
    expect([s.a, s.b, s.c, s.d, s.e, s.f, s.g].map((n) => n.kind === 'scalar' && n.value)).toEqual([2e-5, 1, 1000.5, 4, 16, -Infinity, true]);
    // Typed by the tag, not by the resolver: not plain, and the tag is kept for messages.
    expect(s.a).toMatchObject({ plain: false, tag: '!!float', source: '2e-5' });
  });

  test('!!str keeps a number as text; what PyYAML cannot construct is a parse error at the tag', () => {
    expect(scalars('w: !!str 100\n').w).toMatchObject({ value: '100', plain: false, tag: '!!str' });
    const bad = loadYaml('lr: !!float fast\n');
    expect(bad.problems).toEqual([expect.objectContaining({ kind: 'parse-error', message: expect.stringContaining('PyYAML cannot construct a !!float from "fast"') })]);
    expect(bad.problems[0].range.line).toBe(1);
    expect(loadYaml('n: !!int 1.5\n').problems[0]?.message).toContain('an !!int from "1.5"');
    expect(loadYaml('b: !!bool maybe\n').problems[0]?.message).toContain('a !!bool from "maybe"');
  });
});

describe('files trainlint cannot read as PyYAML does: a message at the place', () => {
  test('a lone CR line ending is named at its line, not read as one long line', () => {
    const r = loadYaml('model: x\r\nbatch: 4\rlr: 2e-5\rsteps: 10\n');
    expect(r.tree).toBeUndefined();
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'parse-error', message: expect.stringContaining('lone CR (a classic Mac OS line ending)') })]);
    expect(r.problems[0].range).toMatchObject({ line: 2, column: 9 });
    // A CR as the file's last character, and CR LF line ends, are read.
    expect(loadYaml('a: 1\r\nb: 2\r').problems).toEqual([]);
  });

  test('block nesting deeper than the limit is reported where it goes too deep', () => {
    const text = `top: 1\n${Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('')}`;
    const r = loadYaml(text);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'parse-error', message: expect.stringContaining('nesting deeper than') })]);
    expect(r.problems[0].range.line).toBeGreaterThan(60);
  });
});
