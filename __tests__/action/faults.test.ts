/**
 * Fault injection on loopback (issue #14): the GitHub API never answers, answers slowly, fails
 * with 500 or 403, rate-limits with a long `retry-after`, or sends a malformed 2xx. For each:
 * the action ends within a wall-time bound, exits per `fail-on`, keeps every finding in the log,
 * the job summary and the outputs, and says which fallback it used.
 *
 * The action is bundled from the sources (not dist/) and run under the system Node only: these
 * cases are about time, not about the runtime (e2e.test.ts covers Node 20 and 24). Each case has
 * its own loopback server, so the cases run concurrently; the bounds are generous for that.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundled } from '../helpers/child';
import { canMkfifo, mkfifo } from '../helpers/hostile';
import { commands, example, FrontServer, OWNER, prRepo, pullRequestPayload, REPO, Repo, ROOT, runAction, systemNode, type RunResult } from './e2e-harness';

const A100 = readFileSync(path.join(ROOT, '__tests__', 'fixtures', 'action', 'train-a100.sh'), 'utf8');
const H100 = A100.replace('--batch-size 800', '--batch-size 2200');
const POLICY = 'files: "configs/**"\n';
/** The three findings of the A100 → H100 change. */
const FINDINGS = ['lr-not-rescaled', 'warmup-not-rescaled'];

const servers: FrontServer[] = [];
const repos: Repo[] = [];
const scriptReady = bundled('src/index.ts');

/** Each test has its own loopback API, so that the cases run concurrently. */
async function server(): Promise<FrontServer> {
  const front = new FrontServer();
  servers.push(front);
  await front.start();
  return front;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  repos.forEach((r) => r.cleanup());
});

/** The API time limit given to the action in these tests, seconds. */
const LIMIT_S = 2;
/** Generous wall-time bound: the limit, plus linting and start-up, several times over. */
const BOUND_MS = 30_000;

async function runPr(front: FrontServer, mode: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/train.sh': H100 });
  repos.push(repo);
  return runAction({
    node: systemNode(),
    repo,
    eventName: 'pull_request',
    payload: pullRequestPayload({ number: 21, baseSha, headSha }),
    sha: mergeSha,
    apiUrl: front.url(mode),
    inputs: { comment: 'true', 'api-time-limit': String(LIMIT_S), ...inputs },
    script: await scriptReady,
    timeoutMs: 90_000,
  });
}

/** Every finding reached the log, the summary and the outputs; the step failed per fail-on. */
function expectEverythingReported(res: RunResult): void {
  expect(res.timedOut).toBe(false);
  expect(res.ms).toBeLessThan(BOUND_MS);
  for (const id of FINDINGS) expect(res.stdout).toContain(id);
  expect(res.summary).toContain('2 errors, 0 warnings');
  for (const id of FINDINGS) expect(res.summary).toContain(id);
  expect(res.outputs).toMatchObject({ errors: '2', warnings: '0', files: '1' });
  expect(res.code).toBe(1);
}

/** The check run was not made: the findings went out as workflow-command annotations. */
function expectCommandsFallback(res: RunResult): void {
  expect(res.stdout).toMatch(/cannot create the check run \(.*\); falling back to workflow-command annotations/);
  expect(commands(res.stdout).map((c) => c.kind)).toEqual(['error', 'error', 'error']);
}

test.concurrent('the API never answers: the time limit ends every call, workflow commands instead', async () => {
  const front = await server();
  const res = await runPr(front, 'hang');
  expectEverythingReported(res);
  expectCommandsFallback(res);
  expect(res.stdout).toContain(`the ${LIMIT_S} s limit for GitHub API calls (input api-time-limit) is spent`);
  expect(res.stdout).toMatch(/cannot update the PR comment \(/);
  // Nothing is retried after a timeout, and nothing is sent once the limit is spent.
  expect(front.requests.length).toBeLessThanOrEqual(2);
}, 100_000);

test.concurrent('retry-after: 3600 is not waited for; the log never announces that retry', async () => {
  const front = await server();
  const res = await runPr(front, 'ratelimited');
  expectEverythingReported(res);
  expectCommandsFallback(res);
  expect(res.stdout).not.toMatch(/retry \d+ in 3600s/);
  expect(res.stdout).toMatch(/secondary rate limit on POST \S+\/check-runs: retry-after 3600 s is over the 60 s the action waits; not retried/);
}, 100_000);

test.concurrent('429 with a short retry-after: retried once, then the check run is made', async () => {
  const front = await server();
  const res = await runPr(front, 'retry429');
  expectEverythingReported(res);
  expect(res.stdout).toMatch(/secondary rate limit on POST \S+\/check-runs; retry 1 in 1s/);
  expect(res.stdout).toContain('the check run was not created at the start (HTTP 429); creating it now');
  expect(front.requests.filter((r) => r.path.endsWith('/check-runs')).map((r) => r.status)).toEqual([429, 429, 201]);
  expect(commands(res.stdout).map((c) => c.kind)).toEqual(['error']);
}, 100_000);

test.concurrent('500 on every call: retried within the limit, then workflow commands; fail-on never keeps it green', async () => {
  const front = await server();
  const res = await runPr(front, 'down');
  expectEverythingReported(res);
  expectCommandsFallback(res);
  expect(res.stdout).toMatch(/HTTP 500 on POST \S+\/check-runs; retry 1 of 3 in /);
  const never = await runPr(front, 'down', { 'fail-on': 'never' });
  expect(never.timedOut).toBe(false);
  expect(never.ms).toBeLessThan(BOUND_MS);
  expect(never.code).toBe(0);
  expect(never.outputs).toMatchObject({ errors: '2', warnings: '0' });
}, 100_000);

test.concurrent('403 (read-only token): workflow commands, no retry', async () => {
  const front = await server();
  const res = await runPr(front, 'forbidden');
  expectEverythingReported(res);
  expectCommandsFallback(res);
  expect(front.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
}, 100_000);

test.concurrent.each([['malformed'], ['emptyok']])('a %s 2xx from the Checks API is a failure, not a success', async (mode) => {
  const front = await server();
  const res = await runPr(front, mode);
  expectEverythingReported(res);
  expectCommandsFallback(res);
  expect(res.stdout).toMatch(/cannot create the check run \(malformed answer from the GitHub API: no check run id\)/);
}, 100_000);

test.concurrent('a slow API (0.7 s per answer) is waited for: the check run and the comment are made', async () => {
  const front = await server();
  front.slowMs = 700;
  const res = await runPr(front, 'slow', { 'api-time-limit': '30' });
  expectEverythingReported(res);
  expect(res.stdout).toContain('check run "trainlint"');
  expect(res.stdout).toContain('PR comment created');
  expect(commands(res.stdout).map((c) => c.kind)).toEqual(['error']);
}, 100_000);

test.concurrent('a FIFO as the workspace baseline or .trainlint.yml: refused without a blocking read', async () => {
  const front = await server();
  if (!canMkfifo) return;
  const repo = new Repo();
  repos.push(repo);
  const sha = repo.commit({ '.trainlint.yml': POLICY, 'configs/a.sh': H100 }, 'one');
  mkfifo(path.join(repo.work, '.trainlint-baseline.json'));
  const payload = { inputs: {}, ref: 'refs/heads/main', repository: example('push').repository, sender: example('push').sender, workflow: '.github/workflows/trainlint.yml' };
  payload.repository.full_name = `${OWNER}/${REPO}`;
  const script = await scriptReady;
  const run = () => runAction({ node: systemNode(), repo, eventName: 'workflow_dispatch', payload, sha, apiUrl: front.url('forbidden'), inputs: { 'api-time-limit': '2' }, script, timeoutMs: 60_000 });
  const res = await run();
  expect(res.timedOut).toBe(false);
  expect(res.stdout).toContain('trainlint: .trainlint-baseline.json: not a regular file (a FIFO, socket or device); not read');
  expect(res.outputs).toMatchObject({ errors: '1', files: '1' });
  rmSync(path.join(repo.work, '.trainlint.yml'));
  mkfifo(path.join(repo.work, '.trainlint.yml'));
  const config = await run();
  expect(config.timedOut).toBe(false);
  expect(config.stdout).toContain('::error::trainlint: .trainlint.yml: not a regular file (a FIFO, socket or device); not read');
  expect(config.code).toBe(1);
}, 100_000);

/** The check-run requests a run made: [method, status code, status field, conclusion]. */
const checkRunCalls = (front: FrontServer) => front.requests.filter((r) => r.path.includes('/check-runs')).map((r) => [r.method, r.status, r.body?.status, r.body?.conclusion ?? null]);

test.concurrent('the action fails after its first request created the check run: the run is completed as a failure, not left in progress', async () => {
  const front = await server();
  // A policy the schema refuses, in the base commit the PR is linted against: the action stops with an error.
  const bad = 'files: "configs/**"\nrules: 5\n';
  const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': bad, 'configs/train.sh': A100 }, { 'configs/train.sh': H100 });
  repos.push(repo);
  const res = await runAction({ node: systemNode(), repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 22, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('canned'), script: await scriptReady, timeoutMs: 90_000 });
  expect(res.code).toBe(1);
  expect(res.stdout).toMatch(/^::error::trainlint: .*\.trainlint\.yml/m);
  expect(checkRunCalls(front)).toEqual([
    ['POST', 201, 'in_progress', null],
    ['PATCH', 200, 'completed', 'failure'],
  ]);
  const done = front.requests.find((r) => r.method === 'PATCH')!;
  expect(done.body.output.title).toBe('trainlint: did not finish');
  expect(done.body.output.summary).toContain('.trainlint.yml');
}, 100_000);

test.concurrent('SIGTERM (a cancelled job) while the action waits for the API: the check run is completed as cancelled', async () => {
  const front = await server();
  front.slowMs = 1500;
  const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/train.sh': H100 });
  repos.push(repo);
  const res = await runAction({
    node: systemNode(),
    repo,
    eventName: 'pull_request',
    payload: pullRequestPayload({ number: 23, baseSha, headSha }),
    sha: mergeSha,
    apiUrl: front.url('slow'),
    inputs: { 'api-time-limit': '20' },
    script: await scriptReady,
    timeoutMs: 90_000,
    // The first answer takes 1.5 s: the signal arrives while the action waits for it.
    onSpawn: (child) => void setTimeout(() => child.kill('SIGTERM'), 700),
  });
  expect(res.timedOut).toBe(false);
  expect(res.code).toBe(143);
  expect(checkRunCalls(front)).toEqual([
    ['POST', 201, 'in_progress', null],
    ['PATCH', 200, 'completed', 'cancelled'],
  ]);
  expect(front.requests.find((r) => r.method === 'PATCH')!.body.output.summary).toContain('SIGTERM');
}, 100_000);

test.concurrent('no token, annotations: commands or off: no request at the start', async () => {
  const front = await server();
  const cases: Record<string, string>[] = [{ token: '' }, { annotations: 'commands' }, { annotations: 'off' }];
  for (const inputs of cases) {
    const res = await runPr(front, 'canned', { ...inputs, comment: 'false' });
    expect(res.code).toBe(1);
  }
  expect(front.requests).toEqual([]);
}, 100_000);
