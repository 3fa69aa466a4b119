/**
 * Lint workers change no output: every golden case and a generated corpus are linted serially
 * (`jobs: 1`) and with workers (`jobs` 2, 3 and 4; with 3 the results are kept deflated), and every
 * report format must be byte-identical
 * (__tests__/helpers/parallel-runner.ts, bundled as dist/ is, runs in a child process). Also when
 * no worker can start: every batch comes back to the main thread. And without workers (here, in
 * Jest, where there is no worker script): a large run finishes each file compactly on this thread,
 * with the output of the run that keeps every file whole.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '../src/config/load-config';
import { baselineOf, hideBaselined } from '../src/engine/baseline-results';
import { buildReport, reportParts } from '../src/engine/build-report';
import { lint, type FileResult } from '../src/engine/lint';
import { FinishedResult } from '../src/engine/parallel/finished';
import { lintOrder, poolStats, tuning } from '../src/engine/parallel/pool';
import { FORMAT_NAMES, formatReport } from '../src/report/index';
import { writeJson } from '../src/report/json';
import { bundled, ended, runNode } from './helpers/child';
import { CORPUS, sharedTest } from './helpers/shared';

const GOLDEN = path.join(__dirname, 'golden');

function goldenCases(): string[] {
  const out: string[] = [];
  for (const rule of readdirSync(GOLDEN).sort()) {
    const ruleDir = path.join(GOLDEN, rule);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const name of readdirSync(ruleDir).sort()) if (statSync(path.join(ruleDir, name)).isDirectory()) out.push(path.join(ruleDir, name));
  }
  return out;
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One repository made of every golden case's files (configs, launch scripts, Hydra groups, bases,
 * linked DeepSpeed files, references), twice, in folders that interleave them; a third copy of
 * some files cut short or with a line doubled (parse errors, duplicate keys); and generated
 * trainer configs, some linking one DeepSpeed file, some naming another as their reference.
 */
function generatedCorpus(into: string): number {
  const random = prng(12);
  let files = 0;
  const put = (rel: string, text: string | Buffer) => {
    const target = path.join(into, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    files++;
  };
  const walk = (dir: string, rel: string, visit: (abs: string, rel: string) => void) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'expected.txt' || e.name === '.trainlint.yml' || e.name === 'PROVENANCE.md') continue;
      if (e.isDirectory()) walk(path.join(dir, e.name), `${rel}/${e.name}`, visit);
      else if (e.isFile()) visit(path.join(dir, e.name), `${rel}/${e.name}`);
    }
  };
  for (const caseDir of goldenCases()) {
    const name = path.relative(GOLDEN, caseDir).split(path.sep).join('/');
    walk(caseDir, '', (abs, rel) => {
      const bytes = readFileSync(abs);
      put(`a/${name}${rel}`, bytes);
      put(`b/${name}${rel}`, bytes);
      if (random() < 0.3) {
        const text = bytes.toString('utf8');
        const lines = text.split('\n');
        const at = Math.floor(random() * lines.length);
        const mutated = random() < 0.5 ? text.slice(0, Math.floor(random() * text.length)) : [...lines.slice(0, at + 1), ...lines.slice(at)].join('\n');
        put(`c/${name}${rel}`, mutated);
      }
    });
  }
  put('gen/ds/zero2.json', JSON.stringify({ train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 8, zero_optimization: { stage: 2 } }, null, 2));
  for (let i = 0; i < 120; i++) {
    const lr = [1e-5, 2e-5, 5e-5, 3e-4][i % 4];
    const lines = [
      `output_dir: ./out/run${i}`,
      `per_device_train_batch_size: ${1 + (i % 8)}`,
      `gradient_accumulation_steps: ${1 + (i % 5)}`,
      `learning_rate: ${lr}`,
      `max_steps: ${100 + 37 * i}`,
      `warmup_steps: ${(i * 13) % 400}`,
      ...(i % 3 === 0 ? ['deepspeed: gen/ds/zero2.json'] : []),
      ...(i % 7 === 0 ? [`# trainlint: reference=run${i - 7 < 0 ? 1 : i - 7}.yaml`] : []),
      ...(i % 11 === 0 ? [`learning_rate: ${lr * 2}`] : []),
    ];
    put(`gen/run${i}.yaml`, lines.join('\n') + '\n');
  }
  return files;
}

/** The runner's difference lines and summary, and how many files workers and the main thread linted. */
async function runner(args: string[], timeoutMs: number): Promise<{ lines: string[]; byWorkers: number; here: number }> {
  const script = await bundled('__tests__/helpers/parallel-runner.ts');
  const r = await runNode(script, args, { cwd: os.tmpdir(), timeoutMs, maxOldSpaceMb: 1024 });
  const lines = r.stdout.trim().split('\n');
  if (r.code !== 0 || r.stderr !== '') throw new Error(`runner: ${ended(r)}\n${r.stdout.slice(0, 2000)}`);
  const counts = /^workers: (\d+), main thread: (\d+)$/.exec(lines.pop() ?? '');
  if (!counts) throw new Error(`runner: no counts in ${r.stdout.slice(-500)}`);
  return { lines, byWorkers: Number(counts[1]), here: Number(counts[2]) };
}

describe('lint workers give the serial output', () => {
  let dir: string;
  let files = 0;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-parallel-'));
    files = generatedCorpus(path.join(dir, 'corpus'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every golden case, every format, with 2, 3 and 4 workers', async () => {
    const cases = goldenCases();
    const { lines, byWorkers, here } = await runner(cases, 240_000);
    expect(lines.slice(0, -1)).toEqual([]);
    expect(lines.at(-1)).toBe(`${cases.length * 3} runs, 0 differences`);
    // Both sides linted files: the comparison is not serial against serial.
    expect(byWorkers).toBeGreaterThan(500);
    expect(here).toBeGreaterThan(0);
  }, 300_000);

  test('a generated corpus of the golden files, cut and doubled lines, linked and referenced configs', async () => {
    expect(files).toBeGreaterThan(1000);
    const { lines, byWorkers } = await runner([path.join(dir, 'corpus')], 120_000);
    expect(lines).toEqual(['3 runs, 0 differences']);
    expect(byWorkers).toBeGreaterThan(files / 2);
  }, 150_000);

  test('a run of more than objectsUpTo files spools the workers\' results past the first ones too, with the serial output', async () => {
    const { lines, byWorkers } = await runner(['--objects-up-to', '200', path.join(dir, 'corpus')], 120_000);
    expect(lines[0]).toBe('3 runs, 0 differences');
    // With 2 workers too, where a smaller run keeps the JSON report's printed parts in memory.
    expect(Number(/^spooled: (\d+)$/.exec(lines[1] ?? '')?.[1])).toBeGreaterThan(files * 2);
    expect(byWorkers).toBeGreaterThan(files / 2);
  }, 150_000);

  test('when no worker can start, the main thread lints every batch', async () => {
    const { lines, byWorkers, here } = await runner(['--fail-workers', path.join(dir, 'corpus')], 120_000);
    expect(lines).toEqual(['1 runs, 0 differences']);
    expect(byWorkers).toBe(0);
    expect(here).toBeGreaterThan(files / 2);
  }, 150_000);

  sharedTest(CORPUS)('../shared/corpus (1,097 real configs)', async () => {
    const { lines, byWorkers } = await runner([CORPUS], 120_000);
    expect(lines).toEqual(['3 runs, 0 differences']);
    expect(byWorkers).toBeGreaterThan(500);
  }, 150_000);
});

/** Every report format of a run, as the CLI writes them (the JSON report also piece by piece). */
function renderAll(results: FileResult[]): Map<string, string> {
  const sources = new Map(results.map((r) => [r.file.path, r.file.text]));
  const out = new Map<string, string>();
  const report = buildReport(results);
  for (const format of FORMAT_NAMES) out.set(format, formatReport(format, report, { color: false, sources }));
  const light = buildReport(results, { files: 'paths' });
  for (const format of FORMAT_NAMES) if (format !== 'json') out.set(`${format} from paths`, formatReport(format, light, { color: false, sources }));
  const pieces: Buffer[] = [];
  writeJson(reportParts(results), (piece) => pieces.push(Buffer.from(piece)));
  out.set('json written in pieces', Buffer.concat(pieces).toString('utf8'));
  return out;
}

describe('without workers, a large run finishes files compactly on this thread', () => {
  const before = tuning.compactFromFiles;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-compact-'));
    generatedCorpus(path.join(dir, 'corpus'));
  });
  afterAll(() => {
    tuning.compactFromFiles = before;
    rmSync(dir, { recursive: true, force: true });
  });

  /** The formats that differ between the whole-file run (`wholeResults`) and the compact one, and how many files each run finished compactly. */
  async function compare(root: string, jobs?: number): Promise<{ differences: string[]; whole: number; compact: number }> {
    const { config } = readConfig(root);
    const count = (results: FileResult[]) => results.filter((r) => r instanceof FinishedResult).length;
    tuning.compactFromFiles = 0;
    const wholeRun = (await lint({ root, paths: [], config, ...(jobs ? { jobs } : {}), wholeResults: true })).results;
    const whole = renderAll(wholeRun);
    const here = poolStats.here;
    const compactRun = (await lint({ root, paths: [], config, ...(jobs ? { jobs } : {}), renderJson: true })).results;
    const compact = renderAll(compactRun);
    // Some files are finished and then linted again whole (a launch, a Hydra composition needs them).
    expect(poolStats.here - here).toBeGreaterThanOrEqual(count(compactRun));
    const differences = [...whole].filter(([format, text]) => compact.get(format) !== text).map(([format]) => `${root}: ${format}`);
    return { differences, whole: count(wholeRun), compact: count(compactRun) };
  }

  test('every golden case, every format', async () => {
    const differences: string[] = [];
    let compact = 0;
    for (const caseDir of goldenCases()) {
      const r = await compare(caseDir);
      differences.push(...r.differences);
      expect(r.whole).toBe(0);
      compact += r.compact;
    }
    expect(differences).toEqual([]);
    expect(compact).toBeGreaterThan(300);
  }, 120_000);

  test('a generated corpus of the golden files, with jobs 1 and by default', async () => {
    for (const jobs of [1, undefined]) {
      const r = await compare(path.join(dir, 'corpus'), jobs);
      expect(r.differences).toEqual([]);
      expect(r.whole).toBe(0);
      expect(r.compact).toBeGreaterThan(1000);
    }
  }, 120_000);

  test('files named in a shuffled order are linted by path and reported in the order named, as the whole run reports them', async () => {
    const root = path.join(dir, 'corpus');
    const named: string[] = [];
    const walk = (rel: string) => {
      for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const child = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) walk(child);
        else named.push(child);
      }
    };
    walk('');
    const random = prng(7);
    for (let i = named.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [named[i], named[j]] = [named[j], named[i]];
    }
    const { config } = readConfig(root);
    tuning.compactFromFiles = 0;
    const wholeRun = (await lint({ root, paths: named, config, jobs: 1, wholeResults: true })).results;
    const compactRun = (await lint({ root, paths: named, config, jobs: 1, renderJson: true })).results;
    expect(compactRun.filter((r) => r instanceof FinishedResult).length).toBeGreaterThan(1000);
    const whole = renderAll(wholeRun);
    const compact = renderAll(compactRun);
    expect([...whole].filter(([format, text]) => compact.get(format) !== text).map(([format]) => format)).toEqual([]);
    // The report follows the order the files were named in, not the order they were linted in.
    const position = new Map(named.map((rel, i) => [rel, i]));
    const order = compactRun.map((r) => position.get(r.file.path) ?? -1).filter((i) => i >= 0);
    expect(order.length).toBeGreaterThan(1000);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }, 120_000);

  test('a very large run keeps its payloads deflated on this thread too: same reports', async () => {
    const compressBefore = tuning.compressFromFiles;
    tuning.compressFromFiles = 0;
    try {
      const r = await compare(path.join(dir, 'corpus'), 1);
      expect(r.differences).toEqual([]);
      expect(r.compact).toBeGreaterThan(1000);
    } finally {
      tuning.compressFromFiles = compressBefore;
    }
  }, 120_000);

  test('a run of more than objectsUpTo files keeps its first results as objects and spools the rest: same reports', async () => {
    const root = path.join(dir, 'corpus');
    const before = { ...tuning };
    tuning.objectsUpTo = 200;
    tuning.objectsInLargerRuns = 100;
    try {
      const r = await compare(root, 1);
      expect(r.differences).toEqual([]);
      const { config } = readConfig(root);
      const finished = (await lint({ root, paths: [], config, jobs: 1 })).results.filter((x): x is FinishedResult => x instanceof FinishedResult);
      const spooled = finished.filter((x) => x.spooled).length;
      // The first 100 stay objects (less the few linted again whole for a launch or a composition).
      expect(finished.length - spooled).toBeGreaterThan(70);
      expect(finished.length - spooled).toBeLessThanOrEqual(100);
      expect(spooled).toBeGreaterThan(800);
    } finally {
      tuning.objectsUpTo = before.objectsUpTo;
      tuning.objectsInLargerRuns = before.objectsInLargerRuns;
    }
  }, 120_000);

  test('a baseline recorded from and applied to spooled results is the one of whole results', async () => {
    const root = path.join(dir, 'corpus');
    const { config } = readConfig(root);
    const compressBefore = tuning.compressFromFiles;
    tuning.compressFromFiles = 0;
    tuning.compactFromFiles = 0;
    try {
      const whole = (await lint({ root, paths: [], config, jobs: 1, wholeResults: true })).results;
      const spooled = (await lint({ root, paths: [], config, jobs: 1 })).results;
      expect(spooled.filter((r) => r instanceof FinishedResult && r.spooled).length).toBeGreaterThan(1000);
      const recorded = baselineOf(whole);
      expect(recorded.count).toBeGreaterThan(100);
      expect(JSON.stringify(baselineOf(spooled))).toBe(JSON.stringify(recorded));
      // Every other finding baselined: the same ones hidden, the same reports after.
      const partial = { ...recorded.baseline, findings: recorded.baseline.findings.filter((_, i) => i % 2 === 0) };
      const hidden = [hideBaselined(whole, partial), hideBaselined(spooled, partial)];
      expect(hidden[1]).toEqual(hidden[0]);
      expect(hidden[0].hidden).toBeGreaterThan(50);
      const after = [renderAll(whole), renderAll(spooled)];
      const differences = [...after[0]].filter(([format, text]) => after[1].get(format) !== text).map(([format]) => format);
      expect(differences).toEqual([]);
    } finally {
      tuning.compressFromFiles = compressBefore;
    }
  }, 120_000);
});

describe('lintOrder', () => {
  const file = (rel: string) => ({ rel, abs: `/repo/${rel}` });
  test('structured configs by path whatever the order named; launch scripts apart, in the order named', () => {
    const discovered = [file('z/train.yaml'), file('b/run.sh'), file('a/b/x.json'), file('a/b.yaml'), file('a/run.sh'), file('A/c.toml'), file('a/b/a.yaml')];
    const { sent, here } = lintOrder(discovered);
    expect(sent.map((i) => discovered[i].rel)).toEqual(['A/c.toml', 'a/b.yaml', 'a/b/a.yaml', 'a/b/x.json', 'z/train.yaml']);
    expect(here.map((i) => discovered[i].rel)).toEqual(['b/run.sh', 'a/run.sh']);
  });
});
