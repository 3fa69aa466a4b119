/**
 * Hostile input for the readers added after issue #14 (static Python configs, inheritance, Hydra,
 * shell arithmetic, dataset row counts): each test reproduces a defect the fuzz suite and the
 * hostile corpus found (it failed before its fix) and states the contract after it. Hangs and
 * memory blow-ups are asserted on child processes with a hard timeout and a heap cap; linear-time
 * claims as a ratio within one run (helpers/scaling.ts), never as a wall-time limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ended, runCliChild, runWork, type ChildRun } from './helpers/child';
import { cleanTempDirs, expectGoodLinted, findingsOf, GOOD, tempRepo } from './helpers/hostile';
import { expectLinear } from './helpers/scaling';
import { countRows, parquetRows } from '../src/engine/dataset-rows';
import { MAX_DATASET_REFS } from '../src/engine/datasets';
import { applyOverrides, composeConfig, type LocatedOverride } from '../src/engine/hydra/compose';
import { parseOverride } from '../src/engine/hydra/overrides';
import { newInheritCache, resolveInheritance, type InheritIO } from '../src/engine/inherit';
import { parseSource } from '../src/engine/load-file';
import { evaluateArithmetic, MAX_ARITH_CHARS } from '../src/engine/load/shell-arith';
import { MAX_COPY_WORK, MAX_NODES, MAX_STRING_CHARS, parsePythonConfig } from '../src/engine/load/python-config';
import { MAX_DEPTH } from '../src/engine/load/result';
import { readMethodCalls } from '../src/engine/load/python-calls';
import { parseLaunchScript, readSbatch } from '../src/engine/load/shell';
import { openclip } from '../src/dialects/openclip';
import { OmegaReader } from '../src/engine/omega-reader';
import { getIn, mapDelete, mapGet, mapSet, toPlain, type MapNode } from '../src/engine/tree';
import type { Report } from '../src/engine/report-types';

afterAll(cleanTempDirs);

/** A child run that must end on its own (no timeout, no crash) with a JSON report on stdout. */
function reportOf(r: ChildRun): Report {
  if (r.timedOut || (r.code !== 0 && r.code !== 1)) throw new Error(`the child did not end with a report: ${ended(r)}`);
  return JSON.parse(r.stdout) as Report;
}

/** An MMEngine schedule the mmengine dialect claims, to which a test appends its lines. */
const SCHEDULE = [
  "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
  "param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500)]",
  "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9))",
  'train_dataloader = dict(batch_size=2)',
  '',
].join('\n');

interface PythonRead {
  keys: string[];
  opaque: Record<string, string>;
  problems: string[];
}

/** parsePythonConfig in a child (a hang is a timeout, not a stuck Jest worker), with its exit. */
async function readPython(text: string, maxOldSpaceMb = 512): Promise<{ read?: PythonRead; run: ChildRun }> {
  const file = path.join(tempRepo({ 'c.py': text }), 'c.py');
  const { result, run } = await runWork<PythonRead>('python-config', [file], { timeoutMs: 30_000, maxOldSpaceMb });
  return { read: result, run };
}

describe('static Python configs', () => {
  test('a string doubled by `s = s + s` is unknown past MAX_STRING_CHARS, not an internal RangeError', () => {
    const text = `s = 'ab'\n${'s = s + s\n'.repeat(40)}name = 'run'\n`;
    const result = parsePythonConfig(text);
    expect(result.opaque.get('s')?.reason).toMatch(/not a value trainlint can read/);
    expect(result.tree?.entries.map((e) => e.key)).toEqual(['name']);
    // Short concatenations are still read.
    expect(getIn(parsePythonConfig("a = 'x' + 'y'\n").tree, ['a'])?.node).toMatchObject({ value: 'xy' });
    expect(MAX_STRING_CHARS).toBeGreaterThanOrEqual(1 << 16);
  });

  test.each([
    ['x.append(x)', 'x = [1, 2]', () => 'x.append(x)'],
    ["x['k'] = x", 'x = dict(a=1)', (i: number) => `x['k${i}'] = x`],
    ['x.k = x', 'x = dict(a=1)', (i: number) => `x.k${i} = x`],
    ['x.update(k=x)', 'x = dict(a=1)', (i: number) => `x.update(k${i}=x)`],
  ] as [string, string, (i: number) => string][])('a value that doubles through a mutation (%s) counts toward MAX_NODES', async (_, first, line) => {
    const lines = [first, ...Array.from({ length: 40 }, (_u, i) => line(i)), 'y = 1'];
    const { read, run } = await readPython(lines.join('\n'));
    expect(ended(run)).toMatch(/^exit 0/);
    expect(read!.opaque.x).toMatch(new RegExp(`over ${MAX_NODES} nodes`));
    expect(read!.keys).toEqual(['y']);
  }, 40_000);

  test('the same mutations in a linted config: the CLI ends with a report, the other file linted', async () => {
    const dir = tempRepo({
      'configs/append.py': `${SCHEDULE}x = [1, 2]\n${'x.append(x)\n'.repeat(40)}model = dict(type='X', layers=x)\n`,
      'configs/setitem.py': `${SCHEDULE}x = dict(a=1)\n${Array.from({ length: 40 }, (_, i) => `x['k${i}'] = x`).join('\n')}\nmodel = dict(type='X', m=x)\n`,
      'good.yaml': GOOD,
    });
    const r = await runCliChild(['--format', 'json', '--no-baseline'], { cwd: dir, timeoutMs: 60_000, maxOldSpaceMb: 512 });
    const report = reportOf(r);
    expect(report.files.map((f) => [f.path, f.dialect])).toEqual(
      expect.arrayContaining([
        ['configs/append.py', 'mmengine'],
        ['configs/setitem.py', 'mmengine'],
      ]),
    );
    expect(report.findings.filter((f) => f.ruleId === 'internal-error')).toEqual([]);
    expectGoodLinted(report);
  }, 70_000);

  test('30,000 mutations of one wide mapping: bounded copy work (MAX_COPY_WORK), then unknown; memory stays small', async () => {
    const lines = ['x = dict()', ...Array.from({ length: 30_000 }, (_, i) => `x.a${i} = 1`), 'y = 2'];
    const { read, run } = await readPython(lines.join('\n'), 256);
    expect(ended(run)).toMatch(/^exit 0/);
    expect(read!.opaque.x).toMatch(new RegExp(`changed more often than trainlint follows \\(over ${MAX_COPY_WORK} entries copied`));
    expect(read!.keys).toEqual(['y']);
  }, 40_000);

  test('a few mutations are still followed exactly', () => {
    const result = parsePythonConfig("x = dict(a=1, b=dict(c=2))\nx.a = 3\nx['b']['c'] = 4\nx.update(d=5)\ny = [1]\ny.append(2)\n");
    const plain = (k: string[]) => getIn(result.tree, k)?.node;
    expect(plain(['x', 'a'])).toMatchObject({ value: 3 });
    expect(plain(['x', 'b', 'c'])).toMatchObject({ value: 4 });
    expect(plain(['x', 'd'])).toMatchObject({ value: 5 });
    expect(plain(['y'])).toMatchObject({ kind: 'seq', items: [{ value: 1 }, { value: 2 }] });
  });

  test('keyword and key floods (`dict(a0=…, …)`, `{…}`) are read in linear time', () => {
    expectLinear(
      (n) => `x = dict(${Array.from({ length: n }, (_, i) => `a${i}=${i}`).join(', ')})\n`,
      (text) => parsePythonConfig(text),
      5_000,
    );
    expectLinear(
      (n) => `x = {${Array.from({ length: n }, (_, i) => `'a${i}': ${i}`).join(', ')}}\n`,
      (text) => parsePythonConfig(text),
      5_000,
    );
    // A keyword given twice is still Python's error.
    expect(parsePythonConfig('x = dict(a=1, b=2, a=3)\n').problems[0].message).toMatch(/keyword argument repeated: a/);
  });
});

describe('Ultralytics `model.train(…)` calls', () => {
  test('a chain of calls and thousands of `**spread`s are read in linear time', () => {
    expectLinear((n) => `model${'.train(epochs=1)'.repeat(n)}\n`, (text) => readMethodCalls(text, 'train'), 2_000);
    expectLinear((n) => `a = {'epochs': 3}\n${'b = dict(x=1)\n'.repeat(n)}model.train(${Array(n).fill('**a').join(', ')})\n`, (text) => readMethodCalls(text, 'train'), 2_000);
    const calls = readMethodCalls(`args = {'epochs': 3}\nother = dict(batch=8)\nYOLO("x.pt").train(**args, **other, imgsz=640)\n`, 'train');
    expect(calls).toHaveLength(1);
    expect(calls[0].receiver).toBe('YOLO("x.pt")');
    expect(calls[0].keywords.map((k) => [k.name, k.value, k.via])).toEqual([
      ['epochs', 3, 'args'],
      ['batch', 8, 'other'],
      ['imgsz', 640, undefined],
    ]);
  });

  test('positional arguments in the note are shortened', () => {
    const [call] = readMethodCalls(`model.train([${'1, '.repeat(10_000)}1], epochs=3)\n`, 'train');
    expect(call.unread).toHaveLength(1);
    expect(call.unread[0].length).toBeLessThanOrEqual(81);
  });
});

describe('inheritance', () => {
  function memoryIO(files: Record<string, string>): InheritIO {
    return {
      read(written, fromRel) {
        const rel = path.posix.normalize(path.posix.join(fromRel === undefined ? '.' : path.posix.dirname(fromRel), written));
        return rel in files ? { ok: true, rel, text: files[rel] } : { ok: false, why: `${rel} (does not exist)`, missing: true };
      },
    };
  }
  const resolve = (files: Record<string, string>, rel: string) => resolveInheritance(parseSource(rel, files[rel]), memoryIO(files), newInheritCache())!;

  test('merging a child and a base of many keys is linear in the keys (MMEngine and fvcore)', () => {
    expectLinear(
      (n) => ({
        'configs/_base_/wide.py': Array.from({ length: n }, (_, i) => `k${i} = 1`).join('\n'),
        'configs/wide.py': `_base_ = ['./_base_/wide.py']\n${Array.from({ length: n }, (_, i) => `k${i} = 2`).join('\n')}\n`,
      }),
      (files) => resolve(files, 'configs/wide.py'),
      2_500,
      8,
      2,
    );
    expectLinear(
      (n) => ({
        'configs/base.yaml': Array.from({ length: n }, (_, i) => `K${i}: 1`).join('\n'),
        'configs/child.yaml': `_BASE_: base.yaml\n${Array.from({ length: n }, (_, i) => `K${i}: 2`).join('\n')}\n`,
      }),
      (files) => resolve(files, 'configs/child.yaml'),
      4_000,
      8,
      2,
    );
    const merged = resolve({ 'configs/base.yaml': 'A: {B: 1, C: 2}\nD: 3\n', 'configs/child.yaml': '_BASE_: base.yaml\nA: {C: 4}\nE: 5\n' }, 'configs/child.yaml');
    expect(toPlain(merged.tree)).toEqual({ A: { B: 1, C: 4 }, D: 3, E: 5 });
  });

  test('keys two bases both define: a linear check, and a message that lists ten of them and a count', () => {
    const n = 3_000;
    const files = {
      'configs/_base_/a.py': Array.from({ length: n }, (_, i) => `k${i} = 1`).join('\n'),
      'configs/_base_/b.py': Array.from({ length: n }, (_, i) => `k${i} = 2`).join('\n'),
      'configs/x.py': "_base_ = ['./_base_/a.py', './_base_/b.py']\n",
    };
    const problems = resolve(files, 'configs/x.py').problems;
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe(
      `_base_ ./_base_/b.py defines \`k0\`, \`k1\`, \`k2\`, \`k3\`, \`k4\`, \`k5\`, \`k6\`, \`k7\`, \`k8\`, \`k9\` and ${n - 10} more keys again: MMEngine refuses duplicate keys among bases (KeyError)`,
    );
  });
});

describe('Hydra composition and overrides', () => {
  const R = { line: 1, column: 1, endLine: 1, endColumn: 2 };
  const located = (text: string): LocatedOverride => {
    const p = parseOverride(text);
    if (!p.ok) throw new Error(p.error);
    return { override: p.override, file: 'run.sh', range: R, keyRange: R, valueRange: R, origin: 'explicit' };
  };
  const composed = (yaml: string) => composeConfig({ path: 'c.yaml', text: yaml, tree: parseSource('c.yaml', yaml).tree });

  test('a key added by one override is seen by the next one on a large mapping (the lookup index follows edits)', () => {
    const base = composed(`trainer:\n${Array.from({ length: 20 }, (_, i) => `  k${i}: ${i}`).join('\n')}\n`);
    const r = applyOverrides(base, ['+trainer.extra=1', 'trainer.extra=2', 'trainer.k3=30', '~trainer.k4', '+trainer.k4=40'].map(located), { complete: true });
    expect(r.errors.map((e) => e.message)).toEqual([]);
    const trainer = getIn(r.config.root, ['trainer'])!.node as MapNode;
    expect(mapGet(trainer, 'extra')?.value).toMatchObject({ value: 2 });
    expect(mapGet(trainer, 'k3')?.value).toMatchObject({ value: 30 });
    expect(mapGet(trainer, 'k4')?.value).toMatchObject({ value: 40 });
    // A deleted key comes back at the end, as OmegaConf appends it.
    expect(trainer.entries.map((e) => e.key).slice(-2)).toEqual(['extra', 'k4']);
    // The composed config itself is not changed by the overrides.
    expect(mapGet(getIn(base.root, ['trainer'])!.node as MapNode, 'extra')).toBeUndefined();
  });

  test('mapSet and mapDelete keep a large mapping and its lookups consistent', () => {
    const node: MapNode = { kind: 'map', entries: [], range: R };
    const entry = (key: string, value: number) => ({ key, keyRange: R, value: { kind: 'scalar' as const, value, source: String(value), plain: true, range: R } });
    for (let i = 0; i < 40; i++) mapSet(node, entry(`k${i}`, i));
    expect(mapGet(node, 'k39')?.value).toMatchObject({ value: 39 });
    mapSet(node, entry('k5', 500));
    mapDelete(node, 'k6');
    mapSet(node, entry('k6', 600));
    node.entries.push(entry('k40', 40)); // an edit that bypasses mapSet is noticed by its length
    expect(node.entries).toHaveLength(41);
    expect(mapGet(node, 'k5')?.value).toMatchObject({ value: 500 });
    expect(mapGet(node, 'k6')?.value).toMatchObject({ value: 600 });
    expect(mapGet(node, 'k40')?.value).toMatchObject({ value: 40 });
    expect(node.entries.map((e) => e.key).slice(4, 7)).toEqual(['k4', 'k5', 'k7']);
  });

  test('override floods (adds, sets, deletes) are applied in linear time', () => {
    const base = composed('trainer:\n  a: 1\n');
    expectLinear(
      (n) => [
        ...Array.from({ length: n }, (_, i) => located(`+trainer.k${i}=${i}`)),
        ...Array.from({ length: n }, (_, i) => located(`trainer.k${i}=${i + 1}`)),
        ...Array.from({ length: n }, (_, i) => located(`~trainer.k${n - 1 - i}`)),
      ],
      (overrides) => applyOverrides(base, overrides, { complete: true }),
      2_000,
    );
  });

  test('a package or an override key nested deeper than MAX_DEPTH is not composed (it overflowed the stack)', async () => {
    const files: Record<string, string> = { 'g/h.yaml': `# @package ${'a.'.repeat(2_000)}b\nx: 1\n` };
    const loader = (rel: string) => (rel in files ? { path: rel, text: files[rel], tree: parseSource(rel, files[rel]).tree } : { missing: 'no such file' });
    const yaml = 'defaults:\n  - g: h\n  - _self_\ny: 2\n';
    const c = composeConfig({ path: 'main.yaml', text: yaml, tree: parseSource('main.yaml', yaml).tree }, loader);
    expect(c.unread.map((u) => u.why)).toEqual([`its package is nested deeper than ${MAX_DEPTH} levels`]);
    expect(toPlain(c.root)).toEqual({ y: 2 });
    const r = applyOverrides(c, [located(`+${'k.'.repeat(1_000)}v=1`), located('+z=3')], { complete: true });
    expect(r.skipped.map((s) => s.why)).toEqual([`a key nested deeper than ${MAX_DEPTH} levels`]);
    expect(toPlain(r.config.root)).toEqual({ y: 2, z: 3 });
    // In a linted script, the file is read: no internal error.
    const dir = tempRepo({ 'conf/main.yaml': 'trainer:\n  nnodes: 1\n', 'run.sh': `python3 -m verl.trainer.main_ppo --config-path=$(pwd)/conf --config-name=main +${'k.'.repeat(1_000)}v=1\n` });
    const run = await runCliChild(['--format', 'json', '--no-baseline', 'run.sh'], { cwd: dir, timeoutMs: 30_000 });
    expect(reportOf(run).findings.filter((f) => f.ruleId === 'internal-error')).toEqual([]);
  }, 40_000);

  test('a resolver whose arguments fan out to resolvers: a bounded number of steps, then unknown', async () => {
    const { result, run } = await runWork<{ value: number | null; notes: string[] }>('omega-fan-out', ['100', '4'], { timeoutMs: 30_000 });
    expect(ended(run)).toMatch(/^exit 0/);
    expect(result!.value).toBeNull();
    expect(result!.notes[0]).toMatch(/more than 1000 references to follow, so its value is unknown$/);
    // A small fan-out is still computed.
    const small = await runWork<{ value: number | null }>('omega-fan-out', ['2', '2'], { timeoutMs: 30_000 });
    expect(small.result!.value).toBe(1);
  }, 70_000);

  test('resolvers nested thousands deep: unknown at the depth limit, not a stack overflow', () => {
    const yaml = `a: "${'${multiply:'.repeat(3000)}2${',2}'.repeat(3000)}"\nb: "${'${oc.select:x,'.repeat(3000)}2${'}'.repeat(3000)}"\n`;
    const file = parseSource('x.yaml', yaml);
    const reader = new OmegaReader(file, [], file.tree!, 'omegaconf', { resolvers: { multiply: (x) => x[0] * x[1] } });
    expect(reader.number(['a'])).toBeUndefined();
    expect(reader.number(['b'])).toBeUndefined();
    expect(reader.notes).toHaveLength(2);
    for (const note of reader.notes) {
      expect(note).toMatch(/references nested deeper than 10, so its value is unknown$/);
      expect(note.length).toBeLessThan(400);
    }
  });
});

describe('SLURM headers', () => {
  test('tasks computed from nodes × tasks per node stay a safe integer, or are not computed', () => {
    const big = readSbatch('#SBATCH --nodes=9007199254740\n#SBATCH --ntasks-per-node=9007199\n');
    expect(big?.nodes?.value).toBe(9007199254740);
    expect(big?.ntasks).toBeUndefined();
    expect(readSbatch('#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=8\n')?.ntasks?.value).toBe(16);
  });
});

describe('shell arithmetic', () => {
  test('nested `$(( $(( … )) ))` in a variable stays one word: the command is still read (the value is unknown)', () => {
    const { script } = parseLaunchScript('N=$(( $(( $(( 4 )) )) ))\ntorchrun --nproc_per_node $N -m open_clip_train.main --batch-size 8\n');
    expect(script.commands).toHaveLength(1);
    expect(script.commands[0]).toMatchObject({ launcher: 'torchrun', module: 'open_clip_train.main' });
    expect(script.commands[0].args.map((a) => [a.flag, a.value])).toEqual([['--batch-size', '8']]);
    expect(script.commands[0].launcherArgs.map((a) => [a.flag, a.value])).toEqual([['--nproc_per_node', '$(( $(( $(( 4 )) )) ))']]);
  });

  test('OpenCLIP: a flag given a value trainlint cannot read is unknown, not the default', () => {
    const file = parseSource('train.sh', 'B=$(( ((((((((((((((((((((((((((((((((((8)))))))))))))))))))))))))))))))))) ))\ntorchrun --nproc_per_node 4 -m open_clip_train.main --batch-size $B --warmup $(cat warmup.txt) --lr 1e-3 --epochs 3\n');
    const { plan } = openclip.extract(file, { assume: {}, mappings: {} });
    expect(plan.microBatchSize).toBeUndefined();
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.peakLr).toMatchObject({ value: 1e-3, origin: 'explicit' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
  });

  test('a variable longer than MAX_ARITH_CHARS is unknown before it is parsed (it was parsed at every reference)', () => {
    const long = '9'.repeat(65_000);
    const r = evaluateArithmetic('A+'.repeat(250) + 'A', () => long);
    expect(r).toEqual({ ok: false, why: `$A is longer than ${MAX_ARITH_CHARS} characters` });
    expect(evaluateArithmetic('A * 2', () => '21')).toEqual({ ok: true, value: 42n, names: ['A'] });
  });
});

describe('dataset row counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-hostile-rows-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** A file PAR1 + footer + footer length + PAR1. */
  const parquet = (name: string, footer: number[]) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(footer.length);
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.concat([Buffer.from('PAR1'), Buffer.from(footer), len, Buffer.from('PAR1')]));
    return file;
  };

  test('a Parquet footer map of booleans claiming 4 billion elements: refused, not a hang', async () => {
    // field 1 i32 = 1, then field 2: a map (type 11) of 0xFFFFFFFF bool → bool pairs, then the end.
    const file = parquet('map.parquet', [0x15, 0x02, 0x1b, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x11, 0x00]);
    const { result, run } = await runWork<{ ok: boolean; why?: string }>('parquet', [file], { timeoutMs: 30_000 });
    expect(ended(run)).toMatch(/^exit 0/);
    expect(result).toEqual({ ok: false, why: 'Parquet footer cannot be read (footer claims 4294967295 elements in 2 bytes)' });
  }, 40_000);

  test('a list or map that claims more elements than the footer has bytes is refused at once', () => {
    // field 2: a list (type 9) with the long size form (0xF_) of i32 elements claiming 2^34.
    expect(parquetRows(parquet('list.parquet', [0x15, 0x02, 0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00]), 1 << 20)).toEqual({
      ok: false,
      why: 'Parquet footer cannot be read (footer claims 17179869184 elements in 1 bytes)',
    });
    expect(countRows(parquet('empty-map.parquet', [0x15, 0x02, 0x1b, 0x00, 0x16, 0x0a, 0x00]))).toEqual({ ok: true, rows: 5 });
  });

  test('a config naming one dataset 20,000 times: counted once, within the reference cap, quickly', async () => {
    const info = JSON.stringify(Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`d${i}`, { file_name: 'rows.jsonl' }])));
    const config = (names: string) =>
      `model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\nfinetuning_type: full\ndataset: ${names}\ntemplate: qwen3\ncutoff_len: 2048\nmax_samples: 1000\nper_device_train_batch_size: 1\ngradient_accumulation_steps: 2\nlearning_rate: 1.0e-5\nnum_train_epochs: 3.0\nlr_scheduler_type: cosine\nwarmup_ratio: 0.1\n`;
    const repo = tempRepo({
      'data/dataset_info.json': info,
      'data/rows.jsonl': '{"a": 1}\n'.repeat(200_000),
      'flood.yaml': config(Array(20_000).fill('d0').join(',')),
      'mix.yaml': config(Array(MAX_DATASET_REFS).fill('d1').join(',')),
      'good.yaml': GOOD,
    });
    const flood = await runCliChild(['plan', 'flood.yaml'], { cwd: repo, timeoutMs: 60_000, maxOldSpaceMb: 512 });
    expect(ended(flood)).toMatch(/^exit 0/);
    expect(flood.stdout).toMatch(`dataset size unknown: 20000 datasets named, more than the ${MAX_DATASET_REFS} trainlint counts`);
    const mix = await runCliChild(['plan', 'mix.yaml'], { cwd: repo, timeoutMs: 60_000, maxOldSpaceMb: 512 });
    expect(ended(mix)).toMatch(/^exit 0/);
    expect(mix.stdout).toMatch(/datasetSamples +≤ 256000 samples/);
    const lint = reportOf(await runCliChild(['--format', 'json', '--no-baseline'], { cwd: repo, timeoutMs: 60_000, maxOldSpaceMb: 512 }));
    expect(findingsOf(lint, 'flood.yaml').filter((f) => f.ruleId === 'internal-error')).toEqual([]);
    expectGoodLinted(lint);
  }, 130_000);
});
