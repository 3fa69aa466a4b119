// Start-up of issue #12: one file in a new process against `node -e 0`, for the CLI (the Node on
// PATH and Node 24, each with a warm and a cold code cache) and for the action up to its first API
// call (Node 24, cold and warm; bench/action-startup.mjs). Every measurement is interleaved with the
// others, run by run, so that load from other jobs falls on all of them alike; the results are
// medians and ratios of medians. Part of bench/run.mjs; alone:
//
//   npm run bundle && node bench/startup.mjs [--runs 21] [--json FILE]   (Node 24 from TRAINLINT_NODE24)
//
// The CLI lints examples/hf-trainer/sft.yaml from the repository root, as in the issue: the run
// also scans this repository (≈ 1,200 folders, ≈ 250 launch scripts of test fixtures) for launch
// scripts that name the file. "fresh" is the same file alone in a new repository (no scripts); one
// more fresh run lints an axolotl config (bench/fixtures/), a dialect whose schema has patterns.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionStartupSession } from './action-startup.mjs';
import { median } from './measure.mjs';


function timeRun(bin, argv, cwd, env) {
  const s = process.hrtime.bigint();
  const r = spawnSync(bin, argv, { cwd, env, encoding: 'utf8' });
  if (r.status === 2 || r.status === null) throw new Error(`${bin} ${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - s) / 1e6;
}

const nodeVersion = (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();

/**
 * All start-up measurements, `runs` interleaved rounds. `node24` may be undefined (its lines are
 * left out). Returns { cli, cliCold, cliFresh, cli24, cli24cold, cli24fresh, cli24freshCold, cli24freshPatterns, action, actionWarm, load }.
 */
export async function measureStartup({ repo, node, node24, runs }) {
  const cli = path.join(repo, 'dist', 'cli.js');
  const oneFile = path.join('examples', 'hf-trainer', 'sft.yaml');
  const fresh = mkdtempSync(path.join(tmpdir(), 'trainlint-startup-'));
  mkdirSync(path.join(fresh, '.git'));
  copyFileSync(path.join(repo, oneFile), path.join(fresh, 'sft.yaml'));
  // A dialect whose built-in schema has `pattern`s (hf-trainer's has none).
  copyFileSync(path.join(repo, 'bench', 'fixtures', 'axolotl-lora.yaml'), path.join(fresh, 'axolotl.yaml'));
  const cacheDir = path.join(fresh, 'compile-cache');
  const env = { ...process.env };
  // Cold: NODE_DISABLE_COMPILE_CACHE turns off Node's compile cache and trainlint's own code cache
  // of the CLI bundle (src/code-cache.ts, under Node 20 too).
  const cold = { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
  const series = {};
  const add = (key, ms) => (series[key] ??= []).push(ms);
  const session = node24 ? await actionStartupSession({ node: node24, repoRoot: repo }) : undefined;
  const loadBefore = loadavg()[0];
  try {
    // One round first, unmeasured: the compile cache warm, the files in the page cache.
    for (let i = -1; i < runs; i++) {
      const keep = (key, ms) => i >= 0 && add(key, ms);
      keep('node', timeRun(node, ['-e', '0'], repo, env));
      keep('cli', timeRun(node, [cli, oneFile], repo, env));
      keep('cliCold', timeRun(node, [cli, oneFile], repo, cold));
      keep('cliFresh', timeRun(node, [cli, 'sft.yaml'], fresh, env));
      if (!session) continue;
      keep('node24', timeRun(node24, ['-e', '0'], repo, env));
      keep('cli24', timeRun(node24, [cli, oneFile], repo, env));
      keep('cli24cold', timeRun(node24, [cli, oneFile], repo, cold));
      keep('cli24fresh', timeRun(node24, [cli, 'sft.yaml'], fresh, env));
      keep('cli24freshCold', timeRun(node24, [cli, 'sft.yaml'], fresh, cold));
      keep('cli24freshPatterns', timeRun(node24, [cli, 'axolotl.yaml'], fresh, env));
      // Cold: no compile cache (a GitHub-hosted runner starts every job on a fresh machine).
      // Warm: the cache the action keeps between runs (self-hosted runners).
      const a = await session.run({ env: { NODE_DISABLE_COMPILE_CACHE: '1' } });
      const w = await session.run({ env: { NODE_COMPILE_CACHE: cacheDir } });
      if (i >= 0) {
        for (const [key, r] of [['action', a], ['actionWarm', w]]) {
          add(`${key}Total`, r.totalMs);
          add(`${key}Git`, r.gitMs);
          add(`${key}NoGit`, r.totalMs - r.gitMs);
          add(`${key}Calls`, r.gitCalls);
        }
      }
    }
  } finally {
    session?.close();
    rmSync(fresh, { recursive: true, force: true });
  }
  const m = (key) => median(series[key]);
  const out = { runs, load: [loadBefore, loadavg()[0]] };
  const version = nodeVersion(node);
  out.cli = { node: version, nodeMs: m('node'), cliMs: m('cli'), ratio: m('cli') / m('node') };
  out.cliCold = { node: version, nodeMs: m('node'), cliMs: m('cliCold'), ratio: m('cliCold') / m('node') };
  out.cliFresh = { node: version, nodeMs: m('node'), cliMs: m('cliFresh'), ratio: m('cliFresh') / m('node') };
  if (session) {
    const v24 = nodeVersion(node24);
    const base = m('node24');
    out.cli24 = { node: v24, nodeMs: base, cliMs: m('cli24'), ratio: m('cli24') / base };
    out.cli24cold = { node: v24, nodeMs: base, cliMs: m('cli24cold'), ratio: m('cli24cold') / base };
    out.cli24fresh = { node: v24, nodeMs: base, cliMs: m('cli24fresh'), ratio: m('cli24fresh') / base };
    out.cli24freshCold = { node: v24, nodeMs: base, cliMs: m('cli24freshCold'), ratio: m('cli24freshCold') / base };
    out.cli24freshPatterns = { node: v24, nodeMs: base, cliMs: m('cli24freshPatterns'), ratio: m('cli24freshPatterns') / base };
    for (const key of ['action', 'actionWarm']) {
      out[key] = { node: v24, nodeMs: base, totalMs: m(`${key}Total`), gitMs: m(`${key}Git`), gitCalls: m(`${key}Calls`), ratioWithoutGit: m(`${key}NoGit`) / base };
    }
  }
  return out;
}

/** The report lines of `measureStartup`'s result. */
export function startupLines(s) {
  const out = [];
  const cliLine = (c, what) => `start-up, one file in a new process: CLI ${c.cliMs.toFixed(0)} ms vs node -e 0 ${c.nodeMs.toFixed(0)} ms = ${c.ratio.toFixed(2)}× (${c.node}${what})`;
  out.push(cliLine(s.cli, s.cliCold ? ', warm code cache' : ''));
  if (s.cliCold) out.push(cliLine(s.cliCold, ', cold: no code cache'));
  if (s.cliFresh) out.push(cliLine(s.cliFresh, ', warm code cache, the file alone in a fresh repository'));
  if (s.cli24) out.push(cliLine(s.cli24, ', warm code cache'));
  if (s.cli24cold) out.push(cliLine(s.cli24cold, ', cold: no code cache'));
  if (s.cli24fresh) out.push(cliLine(s.cli24fresh, ', warm code cache, the file alone in a fresh repository'));
  if (s.cli24freshCold) out.push(cliLine(s.cli24freshCold, ', cold: no code cache, the file alone in a fresh repository'));
  if (s.cli24freshPatterns) out.push(cliLine(s.cli24freshPatterns, ', warm code cache, an axolotl config (a schema with patterns) alone in a fresh repository'));
  if (s.cli24 && s.cli24fresh && s.cli24freshCold) {
    // What the two Node 24 lines from this root add to the fresh run, in the same interleaved runs.
    const scan = s.cli24.cliMs - s.cli24fresh.cliMs;
    const compile = s.cli24freshCold.cliMs - s.cli24fresh.cliMs;
    out.push(
      `  of which (${s.cli24.node}): the launch-script scan of this repository ≈ ${scan.toFixed(0)} ms (root − fresh, warm), compiling the bundle without code cache ≈ ${compile.toFixed(0)} ms (fresh cold − fresh warm); 2.5× node -e 0 leaves ${(1.5 * s.cli24.nodeMs).toFixed(0)} ms above node -e 0`,
    );
  }
  for (const [label, a] of [['cold', s.action], ['warm compile cache', s.actionWarm]]) {
    if (!a) continue;
    out.push(
      `action to its first API call (${label}): ${a.totalMs.toFixed(0)} ms, of which ${a.gitMs.toFixed(0)} ms in ${a.gitCalls} git processes (with the git shim's own start); without git ${(a.ratioWithoutGit * a.nodeMs).toFixed(0)} ms = ${a.ratioWithoutGit.toFixed(2)}× node -e 0 ${a.nodeMs.toFixed(0)} ms (${a.node})`,
    );
  }
  if (s.runs) out.push(`(medians of ${s.runs} interleaved runs; load average ${s.load[0].toFixed(1)} → ${s.load[1].toFixed(1)})`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const node24 = process.env.TRAINLINT_NODE24 || path.join(repo, 'node_modules', 'node', 'bin', 'node');
  for (const need of ['cli.js', 'index.js']) {
    if (!existsSync(path.join(repo, 'dist', need))) {
      console.error(`bench: dist/${need} is missing: run npm run bundle first`);
      process.exit(2);
    }
  }
  const result = await measureStartup({ repo, node: process.execPath, node24: existsSync(node24) ? node24 : undefined, runs: Number(opt('runs', 21)) });
  console.log(startupLines(result).join('\n'));
  const json = opt('json', undefined);
  if (json) writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
}
