// Fuzz runner (issue #14): hostile inputs of every defect class (__tests__/fuzz/arbitraries.ts),
// generated from a fixed seed, each linted next to a good config by a worker process with a heap
// cap and a hard per-input timeout. Prints the figures: inputs tried, crashes, hangs (or inputs
// over the time bound), lost findings, code executed, and the slowest input of each class.
// Exit code 1 when any of those counts is not 0.
//
// Usage: node bench/fuzz.mjs [--seed N] [--time SECONDS] [--classes a,b,…] [--timeout SECONDS] [--heap MB]
//   .ci/run: --seed 20261204 --time 20. A longer run: node bench/fuzz.mjs --time 600 --seed $RANDOM
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const seed = Number(opt('seed', 20261204));
const budgetMs = Number(opt('time', 20)) * 1000;
const timeoutMs = Number(opt('timeout', 30)) * 1000;
const heapMb = Number(opt('heap', 1536));
const CLASSES = [
  'aliases',
  'numeric runs',
  'nesting',
  'duplicate floods',
  'long names',
  'odd bytes',
  'injection',
  'globs',
  // The readers added after issue #14 (__tests__/fuzz/reader-arbitraries.ts).
  'python configs',
  'inheritance',
  'hydra',
  'shell arithmetic',
  'slurm',
  'yolo',
  'flat args',
  'dataset rows',
];
const kinds = opt('classes', CLASSES.join(',')).split(',');
/** Time bound per input: a fixed allowance plus 20 µs per input byte (measured worst case: ~4 µs). */
const boundMs = (bytes) => 5000 + bytes * 0.02;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fuzz-run-'));
const worker = path.join(work, 'worker.mjs');
await build({
  entryPoints: [path.join(repo, '__tests__', 'fuzz', 'worker.ts')],
  outfile: worker,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
  banner: { js: "import { createRequire as __trainlintCreateRequire } from 'node:module';\nconst require = __trainlintCreateRequire(import.meta.url);" },
});
const marker = path.join(work, 'marker-should-never-exist');

const stats = Object.fromEntries(kinds.map((k) => [k, { inputs: 0, slowest: 0, slowestBytes: 0, peakRssMb: 0 }]));
const counts = { inputs: 0, crashes: 0, hangs: 0, lost: 0, executed: 0 };
const problems = [];
const started = Date.now();

function record(kind, what, detail, index) {
  problems.push(`${what}: input ${index} (${kind}, seed ${seed + index}): ${detail}`);
}

/** Runs the worker from input `start` until the budget ends; resolves with the next input to run. */
function runWorker(start) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, worker, String(seed), marker, String(start), kinds.join(',')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1' },
    });
    let current;
    let timer;
    let buffer = '';
    let stderr = '';
    let stopped = false;
    const stop = (next) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(next);
    };
    const budgetTimer = setTimeout(() => stop(undefined), Math.max(0, budgetMs - (Date.now() - started)));
    child.stderr.on('data', (b) => (stderr = (stderr + b.toString('utf8')).slice(-2000)));
    child.stdout.on('data', (b) => {
      buffer += b.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.start !== undefined) {
          current = msg;
          clearTimeout(timer);
          timer = setTimeout(() => {
            counts.inputs++;
            stats[msg.kind].inputs++;
            counts.hangs++;
            record(msg.kind, 'hang', `no result within ${timeoutMs / 1000} s`, msg.start);
            current = undefined;
            stop(msg.start + 1);
          }, timeoutMs);
        } else if (msg.done !== undefined) {
          clearTimeout(timer);
          current = undefined;
          counts.inputs++;
          const s = stats[msg.kind];
          s.inputs++;
          if (msg.ms > s.slowest) Object.assign(s, { slowest: msg.ms, slowestBytes: msg.bytes });
          s.peakRssMb = Math.max(s.peakRssMb, msg.peakRssMb ?? 0);
          if (msg.crash) {
            counts.crashes++;
            record(msg.kind, 'crash', msg.crash, msg.done);
          }
          if (msg.lost) {
            counts.lost++;
            record(msg.kind, 'lost finding', msg.lost, msg.done);
          }
          if (msg.executed) {
            counts.executed++;
            record(msg.kind, 'code executed', 'the marker file exists', msg.done);
            fs.rmSync(marker, { force: true });
          }
          if (msg.ms > boundMs(msg.bytes)) {
            counts.hangs++;
            record(msg.kind, 'over the time bound', `${msg.ms} ms for ${msg.bytes} bytes (bound ${Math.round(boundMs(msg.bytes))} ms)`, msg.done);
          }
        }
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(budgetTimer);
      if (stopped) return;
      if (current) {
        counts.inputs++;
        stats[current.kind].inputs++;
        counts.crashes++;
        record(current.kind, 'crash', `the worker died (${signal ?? `exit ${code}`}): ${stderr.split('\n').filter(Boolean).slice(-2).join(' | ').slice(0, 300)}`, current.start);
        stop(current.start + 1);
      } else {
        stop(undefined);
      }
    });
  });
}

let next = 0;
while (next !== undefined && Date.now() - started < budgetMs) next = await runWorker(next);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
fs.rmSync(work, { recursive: true, force: true });

console.log(`fuzz: seed ${seed}, ${seconds} s, ${counts.inputs} inputs tried`);
console.log(`  crashes ${counts.crashes}, hangs ${counts.hangs}, lost findings ${counts.lost}, code executed ${counts.executed}`);
console.log(`  ${'class'.padEnd(18)} ${'inputs'.padStart(6)} ${'slowest'.padStart(9)} ${'its size'.padStart(10)} ${'peak RSS'.padStart(9)}`);
for (const k of kinds) {
  const s = stats[k];
  const size = s.slowestBytes >= 1024 ? `${Math.round(s.slowestBytes / 1024)} KB` : `${s.slowestBytes} B`;
  console.log(`  ${k.padEnd(18)} ${String(s.inputs).padStart(6)} ${`${s.slowest} ms`.padStart(9)} ${size.padStart(10)} ${`${s.peakRssMb} MB`.padStart(9)}`);
}
for (const p of problems.slice(0, 20)) console.log(`  ! ${p}`);
process.exitCode = counts.crashes + counts.hangs + counts.lost + counts.executed > 0 ? 1 : 0;
