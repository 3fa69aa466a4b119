/**
 * Property-based tests (fast-check, fixed seed) of the readers added after issue #14, called
 * directly: they never throw on any input, what they return stays in its bounds, and where a
 * simple model exists they agree with it (Python literals, bash arithmetic, edit distance,
 * argparse numbers). The whole CLI on hostile repositories of each reader is in
 * properties.test.ts (classes in reader-arbitraries.ts) and, time-budgeted, bench/fuzz.mjs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { argparseNumber, argsFromCall, argsFromFlags, argsFromTree } from '../../src/dialects/flat-args';
import { editDistance, likelyTypo } from '../../src/dialects/key-typos';
import { fileNameBatch } from '../../src/dialects/mmengine';
import { ultralyticsVersion } from '../../src/dialects/ultralytics';
import { countRows } from '../../src/engine/dataset-rows';
import { configCandidates, hydraCommand, hydraDecorator } from '../../src/engine/hydra/command';
import { applyOverrides, composeConfig, MAX_COMPOSED_FILES, type ConfigLoader } from '../../src/engine/hydra/compose';
import { packageHeader, readDefaultsList } from '../../src/engine/hydra/defaults-list';
import { parseOverride, typePrimitive } from '../../src/engine/hydra/overrides';
import { parseSource } from '../../src/engine/load-file';
import { readMethodCalls } from '../../src/engine/load/python-calls';
import { loadPythonConfig, parsePythonConfig } from '../../src/engine/load/python-config';
import { parseLaunchScript, readSbatch } from '../../src/engine/load/shell';
import { evaluateArithmetic } from '../../src/engine/load/shell-arith';
import { OmegaReader, wholeInterpolation } from '../../src/engine/omega-reader';
import { getIn, mapDelete, mapGet, mapSet, toPlain, type MapNode } from '../../src/engine/tree';

const SEED = 20261204;
const RUNS = { seed: Number(process.env.FUZZ_SEED ?? SEED), numRuns: Number(process.env.FUZZ_RUNS ?? 200) };

/** Text from pieces of a syntax, with arbitrary characters between them. */
const soup = (pieces: string[], maxLength = 60) =>
  fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pieces) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength }).map((p) => p.join(''));

const PYTHON = ['x', 'y', ' = ', '=', 'dict(', '(', ')', '[', ']', '{', '}', ',', ':', '.', "'a'", '"b"', '1', '2.5', '1e3', '+', '-', '*', '/', '//', '%', '**', '\n', '    ', '_base_', '{{_base_.x}}', 'L(', 'import ', 'from ', ' .a ', 'with read_base():', 'x.update(', 'x.append(', 'del ', 'if ', 'lambda', '#', '\\\n', "f'", '"""', 'True', 'None', '.train('];

describe('static Python configs', () => {
  test('never throw; every problem is inside the file; every unknown name says why', () => {
    fc.assert(
      fc.property(soup(PYTHON, 80), (text) => {
        const result = parsePythonConfig(text);
        const lines = text.split('\n').length;
        for (const p of result.problems) expect(p.range.line).toBeLessThanOrEqual(lines + 1);
        for (const o of result.opaque.values()) expect(o.reason.length).toBeGreaterThan(0);
        const keys = result.tree?.entries.map((e) => e.key) ?? [];
        expect(new Set(keys).size).toBe(keys.length);
        loadPythonConfig(text);
        readMethodCalls(text, 'train');
      }),
      RUNS,
    );
  });

  /** A Python literal and the value it stands for. */
  const literal: fc.Arbitrary<[string, unknown]> = fc.letrec<{ v: [string, unknown] }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -1e9, max: 1e9 }).map((n) => [String(n), n] as [string, unknown]),
      fc.stringMatching(/^[a-z0-9_ ]{0,8}$/).map((s) => [`'${s}'`, s] as [string, unknown]),
      fc.constantFrom<[string, unknown]>(['True', true], ['False', false], ['None', null]),
      fc.array(tie('v'), { maxLength: 4 }).map((items) => [`[${items.map((i) => i[0]).join(', ')}]`, items.map((i) => i[1])] as [string, unknown]),
      fc.array(tie('v'), { minLength: 2, maxLength: 4 }).map((items) => [`(${items.map((i) => i[0]).join(', ')})`, items.map((i) => i[1])] as [string, unknown]),
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), tie('v')), { maxLength: 4, selector: ([k]) => k }).chain((entries) =>
        fc.boolean().map(
          (call) =>
            [
              call ? `dict(${entries.map(([k, v]) => `${k}=${v[0]}`).join(', ')})` : `{${entries.map(([k, v]) => `'${k}': ${v[0]}`).join(', ')}}`,
              Object.fromEntries(entries.map(([k, v]) => [k, v[1]])),
            ] as [string, unknown],
        ),
      ),
    ),
  })).v;

  test('literals read back as the values they stand for, in configs and in call keywords', () => {
    fc.assert(
      fc.property(literal, ([source, value]) => {
        const result = parsePythonConfig(`x = ${source}\n`);
        expect(result.problems).toEqual([]);
        expect(toPlain(getIn(result.tree, ['x'])!.node)).toEqual(value);
        const calls = readMethodCalls(`model.train(epochs=${source})\n`, 'train');
        const kw = calls[0].keywords[0];
        // A call keyword holds scalars and lists of them; a dict is not a literal there.
        if (JSON.stringify(value).includes('{')) expect(kw.opaque).toBeDefined();
        else expect(kw.value).toEqual(value);
      }),
      RUNS,
    );
  });

  /** Integer arithmetic as Python computes it (floor division, the divisor's sign for %). */
  type Expr = { src: string; value: bigint | undefined };
  const pyExpr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      fc.integer({ min: 0, max: 50 }).map((n) => ({ src: String(n), value: BigInt(n) })),
      fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '//', '%'), tie('e')).map(([a, op, b]) => {
        const value = a.value === undefined || b.value === undefined ? undefined : pyOp(op, a.value, b.value);
        return { src: `(${a.src} ${op} ${b.src})`, value };
      }),
      tie('e').map((a) => ({ src: `-(${a.src})`, value: a.value === undefined ? undefined : -a.value })),
    ),
  })).e;
  function pyOp(op: string, a: bigint, b: bigint): bigint | undefined {
    if (op === '+') return a + b;
    if (op === '-') return a - b;
    if (op === '*') return a * b;
    if (b === 0n) return undefined;
    const q = a / b - ((a % b !== 0n && (a < 0n) !== (b < 0n)) ? 1n : 0n);
    return op === '//' ? q : a - b * q;
  }

  test('integer arithmetic agrees with Python (exact while it fits a double)', () => {
    fc.assert(
      fc.property(pyExpr, ({ src, value }) => {
        const got = getIn(parsePythonConfig(`x = ${src}\n`).tree, ['x'])?.node;
        if (value === undefined) expect(got).toBeUndefined(); // ZeroDivisionError: unknown
        else if (value >= -(2n ** 53n) && value <= 2n ** 53n) expect(got && toPlain(got)).toBe(Number(value));
      }),
      RUNS,
    );
  });
});

describe('Hydra', () => {
  const OVERRIDE = ['a', '.', 'b', '=', '+', '++', '~', '@', '[', ']', '{', '}', ',', ':', '${', '"', "'", '\\', ' ', '1', '1.5', 'null', 'true', 'choice(', 'range(', 'interval(', ')', 'glob(', '_'];

  test('overrides and primitives never throw; a written key=int reads back as the int', () => {
    fc.assert(
      fc.property(soup(OVERRIDE, 40), fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}(\.[a-z_][a-z0-9_]{0,5}){0,3}$/), fc.integer(), (text, key, n) => {
        parseOverride(text);
        typePrimitive(text);
        const parsed = parseOverride(`${key}=${n}`);
        expect(parsed).toMatchObject({ ok: true, override: { op: 'set', key, path: key.split('.'), value: { kind: 'scalar', value: n } } });
      }),
      RUNS,
    );
  });

  const DEFAULTS = ['defaults:\n', '  - ', 'a', 'b', 'g/a', '/g', '_self_', '@', 'pkg', '_global_', ': ', 'null', '[a, b]', 'optional ', 'override ', '${x}', '\n', '# @package _global_\n', '# @package x.y\n', 'x: 1\n', 'y: ${x}\n'];

  test('defaults lists, package headers, compositions and overrides on random files never throw and stay bounded', () => {
    fc.assert(
      fc.property(fc.array(soup(DEFAULTS, 30), { minLength: 6, maxLength: 6 }), soup(OVERRIDE.concat([' ']), 60), (texts, overrides) => {
        const names = ['config.yaml', 'a.yaml', 'b.yaml', 'g/a.yaml', 'g/b.yaml', 'x/y.yaml'];
        const files = Object.fromEntries(names.map((n, i) => [n, texts[i]]));
        const loader: ConfigLoader = (rel) => (files[rel] !== undefined ? { path: rel, text: files[rel], tree: parseSource(rel, files[rel]).tree } : { missing: 'no such file' });
        for (const n of names) {
          readDefaultsList(parseSource(n, files[n]).tree);
          packageHeader(files[n]);
        }
        const primary = parseSource('config.yaml', files['config.yaml']);
        const composed = composeConfig(primary, loader);
        expect(composed.files.length).toBeLessThanOrEqual(MAX_COMPOSED_FILES + 1);
        const script = `python3 -m verl.trainer.main_ppo --config-name=config ${overrides}\n`;
        for (const cmd of parseLaunchScript(script).script.commands) {
          const h = hydraCommand(cmd, 'run.sh');
          configCandidates(h, hydraDecorator(`@hydra.main(config_path="${overrides.slice(0, 20)}", config_name="x")\n`));
          applyOverrides(composed, h.overrides, { complete: true });
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  const INTERPOLATION = ['${', '}', 'a', 'b.c', '.', '..', ':', 'oc.select', 'oc.env', 'multiply', ',', '1', '2', ' ', '"', "'", '${a}', '${b.c}', '???'];

  test('interpolations never throw; a whole `${…}` is unwrapped exactly', () => {
    fc.assert(
      fc.property(fc.array(soup(INTERPOLATION, 20), { minLength: 4, maxLength: 4 }), fc.stringMatching(/^[a-z.:, 0-9]{0,20}$/), (values, body) => {
        const yaml = `a: ${JSON.stringify(values[0])}\nb:\n  c: ${JSON.stringify(values[1])}\nd: ${JSON.stringify(values[2])}\ne: ${JSON.stringify(values[3])}\n`;
        const file = parseSource('x.yaml', yaml);
        if (!file.tree) return;
        const reader = new OmegaReader(file, [], file.tree, 'omegaconf', { resolvers: { multiply: (x) => x.reduce((p, q) => p * q, 1) } });
        for (const key of [['a'], ['b', 'c'], ['d'], ['e']]) {
          reader.number(key);
          reader.string(key);
        }
        for (const note of reader.notes) expect(note.length).toBeLessThan(2000);
        expect(wholeInterpolation(`\${${body}}`)).toBe(body);
      }),
      RUNS,
    );
  });
});

describe('shell', () => {
  /** A bash arithmetic expression and its value (64-bit, wrapping; C division). */
  type Arith = { src: string; value: bigint | undefined };
  const wrap = (v: bigint) => BigInt.asIntN(64, v);
  const arith: fc.Arbitrary<Arith> = fc.letrec<{ e: Arith }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(fc.integer({ min: 0, max: 1000 }).map(BigInt), fc.constantFrom(2n ** 62n, 2n ** 63n - 1n)).map((n) => ({ src: String(n), value: n })),
      fc.constantFrom<Arith>({ src: 'A', value: 6n }, { src: '$B', value: 4n }, { src: '${A}', value: 6n }, { src: 'NOPE', value: undefined }),
      fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%'), tie('e')).map(([a, op, b]) => {
        let value: bigint | undefined;
        if (a.value !== undefined && b.value !== undefined) {
          if (op === '+') value = wrap(a.value + b.value);
          else if (op === '-') value = wrap(a.value - b.value);
          else if (op === '*') value = wrap(a.value * b.value);
          else if (b.value === 0n) value = undefined;
          else if (a.value === -(2n ** 63n) && b.value === -1n) value = op === '/' ? a.value : 0n;
          else value = op === '/' ? a.value / b.value : a.value % b.value;
        }
        return { src: `(${a.src} ${op} ${b.src})`, value };
      }),
      fc.tuple(tie('e'), fc.integer({ min: 0, max: 5 })).map(([a, k]) => ({ src: `(${a.src}) ** ${k}`, value: a.value === undefined ? undefined : wrap(a.value ** BigInt(k)) })),
      tie('e').map((a) => ({ src: `-(${a.src})`, value: a.value === undefined ? undefined : wrap(-a.value) })),
    ),
  })).e;

  test('bash arithmetic agrees with 64-bit C semantics, or is unknown', () => {
    const vars: Record<string, string> = { A: '6', B: '4' };
    fc.assert(
      fc.property(arith, ({ src, value }) => {
        fc.pre(src.length <= 512);
        const r = evaluateArithmetic(src, (name) => vars[name]);
        if (value === undefined) expect(r.ok).toBe(false);
        else expect(r).toMatchObject({ ok: true, value });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  const SBATCH = ['#SBATCH ', '--nodes', '-N', '--ntasks-per-node', '--ntasks', '-n', '--gres', '--gpus-per-node', '--gpus', '-G', '=', ' ', 'gpu:', 'a100:', '8', '2-4', '99999999999999999999', '9007199254740993', ',', '#', '\n', 'srun ', 'yolo ', 'train ', 'detect ', 'mode=train ', 'epochs=', 'batch=', '$((', '))', '$SLURM_NNODES'];

  test('#SBATCH headers and yolo commands never throw; allocations are positive safe integers', () => {
    fc.assert(
      fc.property(soup(SBATCH, 80), (text) => {
        const alloc = readSbatch(text);
        for (const v of Object.values(alloc ?? {})) {
          expect(Number.isSafeInteger(v.value) && v.value > 0).toBe(true);
        }
        const { script } = parseLaunchScript(text);
        for (const cmd of script.commands) {
          if (cmd.cli === 'yolo train') expect(cmd.script).toBe('yolo train');
          argsFromFlags(parseSource('x.sh', text), cmd.args);
        }
      }),
      RUNS,
    );
  });
});

describe('flat arguments, names and versions', () => {
  test('argparseNumber gives a finite number exactly when int()/float() accepts the text, or nothing', () => {
    fc.assert(
      fc.property(soup(['1', '0', '9', '_', '.', 'e', 'E', '-', '+', ' ', 'inf', 'nan', 'x', '0x'], 12), fc.boolean(), (text, integer) => {
        const v = argparseNumber(text, integer);
        if (v === undefined) return;
        expect(Number.isFinite(v)).toBe(true);
        if (integer) expect(Number.isInteger(v)).toBe(true);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(argparseNumber(` ${n} `, true)).toBe(n);
        expect(argparseNumber(String(n), false)).toBe(n);
      }),
      RUNS,
    );
  });

  /** Levenshtein distance, the plain way. */
  function levenshtein(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  }

  test('editDistance is Levenshtein capped at max + 1; a suggested key is that close', () => {
    // Found by this property: the row-minimum cut-off let 4 through for max 2.
    expect(editDistance('b_a', '_a__b', 2)).toBe(3);
    const word = fc.stringMatching(/^[a-c_]{0,10}$/);
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 3 }), fc.array(word, { maxLength: 8 }), (a, b, max, known) => {
        expect(editDistance(a, b, max)).toBe(Math.min(levenshtein(a, b), max + 1));
        const near = likelyTypo(a, known);
        if (near !== undefined) expect(levenshtein(a, near)).toBeLessThanOrEqual(a.length < 8 ? 1 : 2);
      }),
      RUNS,
    );
  });

  test('flat argument readers, versions and file-name batches never throw and stay in bounds', () => {
    const TEXT = ['a', 'b_c', ' = ', ': ', '1', '1e-4', '0x10', '[t]\n', '\n', '"x"', 'ultralytics', '==', '8.', '3.', '40', ' ', '8xb2', '_', '-', '.py', '/', '99999'];
    fc.assert(
      fc.property(soup(TEXT, 40), (text) => {
        for (const [name, loader] of [
          ['x.yaml', 'pyyaml'],
          ['x.toml', 'pyyaml'],
          ['x.json', 'pyyaml'],
        ] as const) {
          const file = parseSource(name, text);
          const args = argsFromTree(file, loader, true);
          expect(args.all.length).toBeGreaterThanOrEqual(args.map.size);
        }
        const calls = readMethodCalls(`m.train(${text})`, 'train');
        for (const call of calls) argsFromCall(parseSource('config/x.py', ''), call.keywords);
        const version = ultralyticsVersion(text);
        if (version) expect(text).toContain(version.text.replace('==', ''));
        const batch = fileNameBatch(`configs/${text}`);
        if (batch) {
          expect(Number.isSafeInteger(batch.gpus) && batch.gpus > 0 && Number.isSafeInteger(batch.perGpu) && batch.perGpu > 0).toBe(true);
          expect(text).toContain(batch.text);
        }
      }),
      RUNS,
    );
  });
});

describe('mappings edited by composition (mapSet, mapDelete)', () => {
  test('agree with an insertion-ordered Map on any sequence of sets and deletes, across the index threshold', () => {
    const R = { line: 1, column: 1, endLine: 1, endColumn: 2 };
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }), fc.integer());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const node: MapNode = { kind: 'map', entries: [], range: R };
        const model = new Map<string, number>();
        for (const [set, k, v] of ops) {
          const key = `k${k}`;
          if (set) {
            mapSet(node, { key, keyRange: R, value: { kind: 'scalar', value: v, source: String(v), plain: true, range: R } });
            model.set(key, v);
          } else {
            mapDelete(node, key);
            model.delete(key);
          }
          for (const probe of [key, `k${(k * 7) % 41}`]) expect((mapGet(node, probe)?.value as { value?: number } | undefined)?.value).toBe(model.get(probe));
        }
        expect(node.entries.map((e) => [e.key, (e.value as { value: number }).value])).toEqual([...model.entries()]);
      }),
      RUNS,
    );
  });
});

describe('dataset row counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fuzz-rows-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('any bytes in any counted format: a row count that is a safe integer, or a reason', () => {
    const magic = Buffer.from('PAR1');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('parquet', 'json', 'jsonl', 'csv', 'tsv'), fc.boolean(), (bytes, ext, framed) => {
        let content = Buffer.from(bytes);
        if (ext === 'parquet' && framed) {
          const len = Buffer.alloc(4);
          len.writeUInt32LE(bytes.length);
          content = Buffer.concat([magic, content, len, magic]);
        }
        const file = path.join(dir, `f.${ext}`);
        fs.writeFileSync(file, content);
        const r = countRows(file);
        if (r.ok) expect(Number.isSafeInteger(r.rows) && r.rows >= 0).toBe(true);
        else expect(r.why.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
