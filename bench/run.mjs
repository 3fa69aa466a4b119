// The performance benchmark of issue #12, in one run so that the ratios are comparable.
//
//   bash bench/install-peers.sh            # once: ajv-cli, Spectral, yamllint at pinned versions
//   npm run bundle && node bench/run.mjs [--corpus DIR] [--sizes 1000,5000] [--repeats 3]
//                                        [--tools floor,yaml,ajv-cli,yamllint,spectral]
//                                        [--startup-runs 21]   (Node 24 from TRAINLINT_NODE24; 0: no start-up)
//
// For each size it builds the N-file corpus (bench/corpus.mjs, cycled from ../shared/corpus by
// default), then runs every peer paired with trainlint: per repeat, the peer and then trainlint
// on the same files, so both see the same machine; times are medians. Peak memory is the maximum
// resident set of the process (GNU time %M). ajv-cli exits at the first file it cannot load and
// reads no TOML: it is timed on the files it can load (bench/ajv-loadable.cjs), and so is the
// trainlint run it is paired with. Then the start-up ratios (bench/startup.mjs, also runnable
// alone): one file cold (a new process) against `node -e 0`, for the CLI, and for the action up
// to its first API call (bench/action-startup.mjs). Prints a Markdown table; --json FILE also writes the numbers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { median, timed as measure } from './measure.mjs';
import { measureStartup, startupLines } from './startup.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const home = process.env.TRAINLINT_BENCH_HOME ?? path.join(homedir(), '.cache', 'trainlint-bench');
const peers = path.join(home, 'peers');
const corpusSource = path.resolve(opt('corpus', path.join(repo, '..', 'shared', 'corpus')));
const sizes = opt('sizes', '1000,5000').split(',').map(Number);
const repeats = Number(opt('repeats', 3));
const tools = opt('tools', 'floor,yaml,ajv-cli,yamllint,spectral').split(',');
const startupRuns = Number(opt('startup-runs', 21));
const jsonOut = opt('json', undefined);
const node = process.execPath;
// Node 24 (the action's runtime): TRAINLINT_NODE24 (scripts/node24.sh prints it), else a local `node` package.
const node24 = process.env.TRAINLINT_NODE24 || path.join(repo, 'node_modules', 'node', 'bin', 'node');
const cli = path.join(repo, 'dist', 'cli.js');
const work = path.join(home, 'work');
mkdirSync(work, { recursive: true });

for (const need of [cli, path.join(repo, 'dist', 'index.js')]) {
  if (!existsSync(need)) fail(`${need} is missing: run npm run bundle first`);
}
if (!existsSync(corpusSource)) fail(`corpus not found: ${corpusSource} (give one with --corpus DIR)`);
if ((tools.includes('ajv-cli') || tools.includes('spectral')) && !existsSync(path.join(peers, 'node_modules'))) fail('peers are not installed: run bash bench/install-peers.sh');

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** One timed run: wall seconds, CPU seconds (user + system) and peak RSS (MiB) of the command, under GNU time. */
function timed(cmd, argv, cwd, okStatus = [0, 1]) {
  return measure(cmd, argv, { cwd, timeFile: path.join(work, 'time.txt'), okStatus });
}

function writeList(name, files) {
  const file = path.join(work, name);
  writeFileSync(file, files.join('\n') + '\n');
  return file;
}

/** Schemas and rulesets the peers validate with: every built-in dialect schema (a file passes when one accepts it). */
function peerInputs() {
  const dir = path.join(work, 'schemas');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const schemaDir = path.join(repo, 'schemas', 'dialects');
  const names = spawnSync('ls', [schemaDir], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.endsWith('.json'));
  const schemas = names.map((n) => JSON.parse(readFileSync(path.join(schemaDir, n), 'utf8')));
  const any = path.join(dir, 'any-dialect.json');
  writeFileSync(any, JSON.stringify({ $id: 'trainlint-bench-any-dialect.json', anyOf: schemas.map((s) => ({ $ref: s.$id })) }));
  const inline = schemas.map(({ $id: _id, $schema: _s, ...rest }) => rest);
  const ruleset = path.join(dir, 'spectral-ruleset.json');
  writeFileSync(
    ruleset,
    JSON.stringify({
      rules: {
        'dialect-schema': { description: 'a built-in dialect schema accepts the file', severity: 'error', given: '$', then: { function: 'schema', functionOptions: { schema: { anyOf: inline } } } },
        'warmup-ratio-max': { description: 'warmup_ratio at most 0.2', severity: 'error', given: '$.warmup_ratio', then: { function: 'schema', functionOptions: { schema: { type: 'number', maximum: 0.2 } } } },
        'learning-rate-set': { description: 'learning_rate is not empty', severity: 'warn', given: '$.learning_rate', then: { function: 'truthy' } },
        'fp16-with-bf16': {
          description: 'fp16 and bf16 are not both on',
          severity: 'error',
          given: '$',
          then: { function: 'schema', functionOptions: { schema: { not: { required: ['fp16', 'bf16'], properties: { fp16: { const: true }, bf16: { const: true } } } } } },
        },
      },
    }),
  );
  return { any, refs: names.map((n) => path.join(schemaDir, n)), ruleset };
}

const inputs = peerInputs();
const ajvBin = path.join(peers, 'node_modules', 'ajv-cli', 'dist', 'index.js');
const spectralBin = path.join(peers, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');

/** trainlint on `files` (undefined: the whole folder), JSON report to a file; returns files linted. */
function trainlint(dir, files, extra = [], bin = node) {
  const out = path.join(work, 'trainlint-report.json');
  const r = timed(bin, [cli, ...(files ?? ['.']), ...extra, '--format', 'json', '--output', out], dir);
  r.files = JSON.parse(readFileSync(out, 'utf8')).files.length;
  return r;
}

const PEERS = {
  floor: { label: 'read every file (floor)', what: 'nothing', run: (dir, c) => ({ ...timed(node, [path.join(repo, 'bench', 'floor.mjs'), writeList('all.txt', c.files)], dir), files: c.files.length }) },
  yaml: {
    label: '`yaml` parseDocument of every file',
    what: 'parse only (YAML, JSON)',
    run: (dir, c) => {
      const r = timed(node, [path.join(repo, 'bench', 'yaml-parse.mjs'), writeList('all.txt', c.files)], dir);
      return { ...r, files: Number(r.stdout.split(' ')[0]) };
    },
  },
  'ajv-cli': {
    label: 'ajv-cli 5',
    what: 'JSON Schema only, no positions; on the files it can load',
    subset: (dir, c) => spawnSync(node, [path.join(repo, 'bench', 'ajv-loadable.cjs'), peers, writeList('all.txt', c.files)], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 }).stdout.split('\n').filter(Boolean),
    run: (dir, _c, subset, bin = node) => ({
      ...timed(bin, [ajvBin, 'validate', '-s', inputs.any, ...inputs.refs.flatMap((r) => ['-r', r]), ...subset.flatMap((f) => ['-d', f]), '--all-errors', '--errors=line', '--strict=false', '--allow-union-types'], dir),
      files: subset.length,
    }),
  },
  yamllint: {
    label: 'yamllint 1.29',
    what: 'YAML style only (default rules)',
    run: (dir, c) => ({ ...timed('yamllint', ['-f', 'parsable', '.'], dir, [0, 1]), files: c.formats.yaml }),
  },
  spectral: {
    label: 'Spectral 6.16',
    what: 'schema + 3 rules, positions (YAML, JSON)',
    run: (dir, c) => ({
      ...timed(node, [spectralBin, 'lint', '--ruleset', inputs.ruleset, '--format', 'json', '--output', path.join(work, 'spectral.json'), '--fail-severity', 'error', '--quiet', '**/*.yaml', '**/*.yml', '**/*.json'], dir, [0, 1]),
      files: c.formats.yaml + c.formats.json,
    }),
  },
};

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const results = { date: new Date().toISOString(), machine, corpus: corpusSource, loadBefore: loadavg()[0], sizes: {} };
const fmtS = (s) => (s < 10 ? s.toFixed(2) : s.toFixed(1));

/** The files ajv-cli can load, by corpus size. */
const ajvSubsets = new Map();
for (const n of sizes) {
  const c = buildCorpus(corpusSource, n, work);
  const perSize = { dir: c.dir, formats: c.formats, bytes: c.bytes, rows: [] };
  console.error(`corpus of ${n}: ${c.formats.yaml} YAML, ${c.formats.json} JSON, ${c.formats.toml} TOML (${(c.bytes / 2 ** 20).toFixed(1)} MiB) in ${c.dir}`);
  const allTrainlint = [];
  for (const id of tools) {
    const peer = PEERS[id];
    if (!peer) fail(`unknown tool ${id} (known: ${Object.keys(PEERS).join(', ')})`);
    const subset = peer.subset?.(c.dir, c);
    if (id === 'ajv-cli') ajvSubsets.set(n, subset);
    const p = [];
    const t = [];
    for (let i = 0; i < repeats; i++) {
      p.push(peer.run(c.dir, c, subset));
      t.push(trainlint(c.dir, subset));
    }
    if (!subset) allTrainlint.push(...t);
    const row = {
      id,
      label: peer.label,
      what: peer.what,
      files: p[0].files,
      seconds: median(p.map((r) => r.seconds)),
      cpu: median(p.map((r) => r.cpu)),
      mib: Math.max(...p.map((r) => r.mib)),
      trainlint: { files: t[0].files, seconds: median(t.map((r) => r.seconds)), cpu: median(t.map((r) => r.cpu)), mib: Math.max(...t.map((r) => r.mib)) },
    };
    // The ratio of each pair (run back to back), then the median: robust to load that comes and goes.
    row.ratio = median(p.map((r, i) => t[i].seconds / r.seconds));
    row.cpuRatio = median(p.map((r, i) => t[i].cpu / Math.max(r.cpu, 0.01)));
    perSize.rows.push(row);
    console.error(`  ${id}: ${fmtS(row.seconds)} s (${row.files} files) vs trainlint ${fmtS(row.trainlint.seconds)} s (${row.trainlint.files} files)`);
  }
  if (allTrainlint.length === 0) for (let i = 0; i < repeats; i++) allTrainlint.push(trainlint(c.dir));
  perSize.trainlint = { seconds: median(allTrainlint.map((r) => r.seconds)), cpu: median(allTrainlint.map((r) => r.cpu)), mib: Math.max(...allTrainlint.map((r) => r.mib)), files: allTrainlint[0].files };
  results.sizes[n] = perSize;
}

// Lint workers: the largest corpus with one thread (`--jobs 1`) and with one worker a core
// (`--jobs N`, which the default uses only from 3 cores on), paired.
{
  const n = sizes.at(-1);
  const dir = results.sizes[n].dir;
  const one = [];
  const dflt = [];
  for (let i = 0; i < repeats; i++) {
    one.push(trainlint(dir, undefined, ['--jobs', '1']));
    dflt.push(trainlint(dir, undefined, ['--jobs', String(cpus().length)]));
  }
  const sum = (rs) => ({ seconds: median(rs.map((r) => r.seconds)), cpu: median(rs.map((r) => r.cpu)), mib: Math.max(...rs.map((r) => r.mib)) });
  results.threads = { files: n, serial: sum(one), workers: sum(dflt), cores: cpus().length };
}

// The action's runtime: ajv-cli and trainlint both under Node 24 on the largest corpus, paired
// as above (Node 24's optimizing tiers warm up sooner; both tools gain from it).
if (tools.includes('ajv-cli') && existsSync(node24)) {
  const n = sizes.at(-1);
  const dir = results.sizes[n].dir;
  const subset = ajvSubsets.get(n);
  const p = [];
  const t = [];
  for (let i = 0; i < repeats; i++) {
    p.push(PEERS['ajv-cli'].run(dir, undefined, subset, node24));
    t.push(trainlint(dir, subset, [], node24));
  }
  const sum = (rs) => ({ files: rs[0].files, seconds: median(rs.map((r) => r.seconds)), cpu: median(rs.map((r) => r.cpu)), mib: Math.max(...rs.map((r) => r.mib)) });
  const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
  results.node24 = { version, files: n, ajv: sum(p), trainlint: sum(t), ratio: median(p.map((r, i) => t[i].seconds / r.seconds)) };
}

// Start-up (bench/startup.mjs): one file in a new process, the CLI and the action, every
// measurement interleaved with `node -e 0` and with the others (`--startup-runs 0`: left out).
if (startupRuns > 0) results.startup = await measureStartup({ repo, node, node24: existsSync(node24) ? node24 : undefined, runs: startupRuns });

// Report.
const out = [];
results.loadAfter = loadavg()[0];
out.push(`trainlint benchmark, ${results.date.slice(0, 10)}, ${machine}; load average ${results.loadBefore.toFixed(1)} at the start, ${results.loadAfter.toFixed(1)} at the end (other jobs on the machine slow every tool)`);
out.push(`corpus: ${path.relative(repo, corpusSource).startsWith('..' + path.sep + 'shared') ? path.relative(repo, corpusSource) : corpusSource} (${sizes.map((n) => `${n}: ${results.sizes[n].formats.yaml} YAML / ${results.sizes[n].formats.json} JSON / ${results.sizes[n].formats.toml} TOML`).join('; ')}); medians of ${repeats}, each tool paired with trainlint on the same files`);
out.push('');
const head = ['tool', 'what it does', ...sizes.flatMap((n) => [`${n.toLocaleString('en')} files`, 'trainlint, paired', 'trainlint ÷ tool (CPU)']), `peak memory at ${sizes.at(-1).toLocaleString('en')} (tool / trainlint)`];
out.push(`| ${head.join(' | ')} |`);
out.push(`| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
const cell = (r) => `${fmtS(r.seconds)} s (${r.files})`;
for (const id of tools) {
  const rows = sizes.map((n) => results.sizes[n].rows.find((r) => r.id === id));
  const last = rows.at(-1);
  out.push(`| ${rows[0].label} | ${rows[0].what} | ${rows.map((r) => `${cell(r)} | ${cell(r.trainlint)} | ${r.ratio.toFixed(2)}× (${r.cpuRatio.toFixed(2)}×)`).join(' | ')} | ${last.mib.toFixed(0)} / ${last.trainlint.mib.toFixed(0)} MiB |`);
}
const tl = sizes.map((n) => results.sizes[n].trainlint);
out.push(`| **trainlint** | everything, with positions | ${tl.map((t) => `**${cell(t)}** | | `).join(' | ')} | **${tl.at(-1).mib.toFixed(0)} MiB** |`);
out.push('');
out.push('Wall times, medians (files processed). trainlint ÷ tool: median of the ratios of the back-to-back pairs, wall time (CPU time, user + system, in brackets); below 1 means trainlint is faster. Peak memory: maximum resident set.');
if (sizes.length >= 2) {
  const [a, b] = [sizes[0], sizes.at(-1)];
  const ta = results.sizes[a].trainlint;
  const tb = results.sizes[b].trainlint;
  out.push(`scaling: ${b} files take ${(tb.seconds / ta.seconds).toFixed(2)}× the time of ${a} (CPU ${(tb.cpu / ta.cpu).toFixed(2)}×) for ${(b / a).toFixed(1)}× the files`);
}
const th = results.threads;
if (th) {
  out.push(
    `lint workers, ${th.files} files on ${th.cores} cores: one thread (--jobs 1) ${fmtS(th.serial.seconds)} s (CPU ${fmtS(th.serial.cpu)} s, ${th.serial.mib.toFixed(0)} MiB), --jobs ${th.cores} ${fmtS(th.workers.seconds)} s (CPU ${fmtS(th.workers.cpu)} s, ${th.workers.mib.toFixed(0)} MiB)`,
  );
}
const n24 = results.node24;
if (n24) {
  out.push(
    `Node ${n24.version} (the action's runtime), ${n24.files} files: ajv-cli ${fmtS(n24.ajv.seconds)} s (${n24.ajv.files} files, ${n24.ajv.mib.toFixed(0)} MiB), trainlint ${fmtS(n24.trainlint.seconds)} s (${n24.trainlint.files} files, ${n24.trainlint.mib.toFixed(0)} MiB) = ${n24.ratio.toFixed(2)}×`,
  );
}
if (results.startup) out.push(...startupLines(results.startup));
console.log(out.join('\n'));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2) + '\n');
