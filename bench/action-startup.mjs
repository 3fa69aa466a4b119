// The action's start-up to its first GitHub API call, measured like a runner runs it: a pull
// request in a real git repository (base and head commits local), `node dist/index.js` with a
// runner's environment, and a loopback server standing in for the REST API. The first request
// the action sends (the check run) stops the clock. A `git` shim on PATH records how long each
// git process the action starts takes, so the time without git can be stated too. The shim is a
// bash script: its own start (bash, then the fork of git) is time a real git call does not have,
// measured once per session (`shimOverheadMs`: the wall time of `git --version` through the shim,
// as a Node process sees it, less what the shim records) and counted with each call's git time.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CONFIG_V1 = 'output_dir: ./out\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nlearning_rate: 2.0e-5\nmax_steps: 1500\nwarmup_steps: 100\n';
const CONFIG_V2 = CONFIG_V1.replace('per_device_train_batch_size: 4', 'per_device_train_batch_size: 8');

function git(cwd, args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com', GIT_CONFIG_NOSYSTEM: '1' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function setUp() {
  const dir = mkdtempSync(path.join(tmpdir(), 'trainlint-action-bench-'));
  const work = path.join(dir, 'work');
  mkdirSync(work);
  git(work, ['init', '-q', '-b', 'main']);
  writeFileSync(path.join(work, 'sft.yaml'), CONFIG_V1);
  git(work, ['add', '.']);
  git(work, ['commit', '-q', '-m', 'base']);
  const base = git(work, ['rev-parse', 'HEAD']);
  writeFileSync(path.join(work, 'sft.yaml'), CONFIG_V2);
  git(work, ['commit', '-q', '-am', 'head']);
  const head = git(work, ['rev-parse', 'HEAD']);
  // The shim times the git process itself (bash's own start-up is left outside the interval).
  const shimDir = path.join(dir, 'shim');
  mkdirSync(shimDir);
  const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const log = path.join(dir, 'git-times.log');
  writeFileSync(path.join(shimDir, 'git'), `#!/bin/bash\ns=$EPOCHREALTIME\n${JSON.stringify(realGit)} "$@"\nrc=$?\necho "$s $EPOCHREALTIME" >> ${JSON.stringify(log)}\nexit $rc\n`);
  chmodSync(path.join(shimDir, 'git'), 0o755);
  return { dir, work, base, head, shimDir, log, shimOverheadMs: shimOverhead(path.join(shimDir, 'git'), log) };
}

/** Median over 11 runs of the shim's own cost per call: its wall time from Node less the time it records. */
function shimOverhead(shim, log) {
  const extra = [];
  for (let i = 0; i < 11; i++) {
    writeFileSync(log, '');
    const started = process.hrtime.bigint();
    spawnSync(shim, ['--version'], { stdio: 'ignore' });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const [s, e] = readFileSync(log, 'utf8').trim().split(' ').map(Number);
    extra.push(wallMs - (e - s) * 1000);
  }
  extra.sort((a, b) => a - b);
  return Math.max(0, extra[5]);
}

function runOnce(node, repoRoot, setup, apiUrl, firstRequest, nodeArgs = [], extraEnv = {}) {
  const runner = mkdtempSync(path.join(setup.dir, 'runner-'));
  const eventPath = path.join(runner, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ number: 7, pull_request: { number: 7, head: { sha: setup.head, repo: { full_name: 'o/r' } }, base: { sha: setup.base, repo: { full_name: 'o/r' } } }, repository: { full_name: 'o/r' } }));
  writeFileSync(path.join(runner, 'summary.md'), '');
  writeFileSync(path.join(runner, 'output.txt'), '');
  writeFileSync(setup.log, '');
  const env = {
    PATH: `${setup.shimDir}${path.delimiter}${process.env.PATH}`,
    HOME: setup.dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_REPOSITORY_OWNER: 'o',
    GITHUB_SHA: setup.head,
    GITHUB_WORKSPACE: setup.work,
    GITHUB_STEP_SUMMARY: path.join(runner, 'summary.md'),
    GITHUB_OUTPUT: path.join(runner, 'output.txt'),
    GITHUB_API_URL: apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    RUNNER_TEMP: runner,
    ...extraEnv,
    INPUT_TOKEN: 'ghs_bench_token',
    INPUT_ANNOTATIONS: 'auto',
    INPUT_SUMMARY: 'true',
    INPUT_COMMENT: 'false',
    'INPUT_FAIL-ON': 'never',
  };
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    firstRequest.at = undefined;
    const child = spawn(node, [...nodeArgs, path.join(repoRoot, 'dist', 'index.js')], { cwd: setup.work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (firstRequest.at === undefined) return reject(new Error(`the action made no API call (exit ${code}): ${stderr.slice(0, 500)}`));
      // The git processes started before the first request (those after it are not part of the start-up).
      const before = readFileSync(setup.log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').map(Number))
        .filter(([s]) => s * 1e9 <= Number(firstRequest.wall));
      const gitMs = before.reduce((sum, [s, e]) => sum + (e - s) * 1000, 0);
      const totalMs = Number(firstRequest.at - started) / 1e6;
      const gitCalls = before.length;
      resolve({ totalMs, gitMs: gitMs + gitCalls * setup.shimOverheadMs, gitCalls });
    });
  });
}

/**
 * A set-up (repository, runner files, loopback API) for single runs, so that callers can interleave
 * them with other measurements: `run({ nodeArgs, env })` gives one run's { totalMs, gitMs, gitCalls }.
 */
export async function actionStartupSession({ node, repoRoot }) {
  const setup = setUp();
  const firstRequest = { at: undefined, wall: 0n };
  const server = http.createServer((req, res) => {
    if (firstRequest.at === undefined) {
      firstRequest.at = process.hrtime.bigint();
      firstRequest.wall = BigInt(Date.now()) * 1000000n;
    }
    req.resume();
    req.on('end', () => {
      const body = req.method === 'POST' && req.url.includes('/check-runs') ? { id: 1, html_url: 'https://github.com/o/r/runs/1' } : {};
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const apiUrl = `http://127.0.0.1:${server.address().port}`;
  return {
    run: ({ nodeArgs = [], env = {} } = {}) => runOnce(node, repoRoot, setup, apiUrl, firstRequest, nodeArgs, env),
    close: () => {
      server.close();
      rmSync(setup.dir, { recursive: true, force: true });
    },
  };
}
