// trainlint with its V8 settings (src/v8-tuning.ts) against V8's own (TRAINLINT_V8_DEFAULTS=1), on
// the same N-file corpus as bench/run.mjs, interleaved run by run so that load from other jobs falls
// on both alike; medians of wall time, CPU time (user + system) and peak resident memory.
//
//   npm run bundle && node bench/v8-flags.mjs [--corpus DIR] [--files 5000] [--runs 5] [--jobs 1]
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { median, timed } from './measure.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const work = path.join(process.env.TRAINLINT_BENCH_HOME ?? path.join(homedir(), '.cache', 'trainlint-bench'), 'work');
mkdirSync(work, { recursive: true });
const corpus = buildCorpus(path.resolve(opt('corpus', path.join(repo, '..', 'shared', 'corpus'))), Number(opt('files', 5000)), work);
const runs = Number(opt('runs', 5));
const jobs = opt('jobs', '1');
const cli = path.join(repo, 'dist', 'cli.js');
const timeFile = path.join(work, 'v8-flags-time.txt');

function once(env) {
  const out = path.join(work, 'v8-flags-report.json');
  const r = timed(process.execPath, [cli, '.', '--jobs', jobs, '--format', 'json', '--output', out], { cwd: corpus.dir, env: { ...process.env, ...env }, timeFile });
  return { ...r, files: JSON.parse(readFileSync(out, 'utf8')).files.length };
}

const variants = { 'trainlint settings': {}, "V8's defaults (TRAINLINT_V8_DEFAULTS=1)": { TRAINLINT_V8_DEFAULTS: '1' } };
const seen = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const loadBefore = loadavg()[0];
for (let i = 0; i < runs; i++) for (const [name, env] of Object.entries(variants)) seen[name].push(once(env));
console.log(`${corpus.files?.length ?? Number(opt('files', 5000))} files, --jobs ${jobs}, ${process.version}, medians of ${runs} interleaved runs; load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
console.log('| V8 settings | files | wall | CPU | peak RSS |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, rs] of Object.entries(seen)) {
  console.log(`| ${name} | ${rs[0].files} | ${median(rs.map((r) => r.seconds)).toFixed(2)} s | ${median(rs.map((r) => r.cpu)).toFixed(2)} s | ${median(rs.map((r) => r.mib)).toFixed(0)} MiB (${Math.min(...rs.map((r) => r.mib)).toFixed(0)}–${Math.max(...rs.map((r) => r.mib)).toFixed(0)}) |`);
}
