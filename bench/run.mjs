// Benchmark: lints the shared corpus (1,097 real configs) with the committed CLI bundle and
// measures start-up of both bundles, all in one run so the ratios are comparable.
// Usage: node bench/run.mjs [corpus-dir] [repeats]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const corpus = path.resolve(process.argv[2] ?? path.join(repo, '..', 'shared', 'corpus'));
const repeats = Number(process.argv[3] ?? 5);
if (!existsSync(corpus)) {
  console.error(`corpus not found: ${corpus}`);
  process.exit(2);
}

function countFiles(dir) {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) n += countFiles(p);
    else if (/\.(ya?ml|json|toml|sh)$/.test(entry)) n++;
  }
  return n;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args, cwd) {
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status === 2) throw new Error(`failed: ${args.join(' ')}\n${r.stderr}`);
  }
  return median(samples);
}

const files = countFiles(corpus);
const cli = path.join(repo, 'dist', 'cli.js');
const startup = time([cli, '--version'], repo);
const lintAll = time([cli, '.', '--format', 'json', '--output', path.join(process.env.TMPDIR ?? '/tmp', 'trainlint-bench.json')], corpus);
const actionImport = time(['--input-type=module', '-e', `await import(${JSON.stringify(path.join(repo, 'dist', 'index.js'))}).catch(() => {});`], repo);
const perFile = (lintAll - startup) / files;
console.log(`corpus: ${files} files`);
console.log(`cli start-up (--version):        ${startup.toFixed(0)} ms (median of ${repeats})`);
console.log(`action bundle (import + lint this repo): ${actionImport.toFixed(0)} ms`);
console.log(`lint whole corpus:               ${lintAll.toFixed(0)} ms  →  ${perFile.toFixed(2)} ms/file after start-up`);
console.log(`300 configs (projected):         ${(startup + 300 * perFile).toFixed(0)} ms`);
