/**
 * End to end: `node dist/index.js` spawned with a runner's environment against a real git repo,
 * a Prism mock of GitHub's REST API (OpenAPI description from @octokit/openapi, started once for
 * the whole file) and a node:http front server for 403/500/429. Every case runs under the system
 * Node and under Node 24, the runtime GitHub uses (TRAINLINT_NODE24, see scripts/node24.sh); without
 * it the Node 24 leg is a visibly skipped test.
 * Any request Prism rejects (422 problem, or a violation in its log) fails the test.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import path from 'node:path';
import { sarifValidator } from '../helpers/external-schemas';
import {
  commands,
  example,
  FrontServer,
  NODE24,
  nodeMajor,
  OWNER,
  Prism,
  prRepo,
  pullRequestPayload,
  REPO,
  Repo,
  ROOT,
  runAction,
  systemNode,
  type Json,
  type Recorded,
} from './e2e-harness';

const A100 = readFileSync(path.join(ROOT, '__tests__', 'fixtures', 'action', 'train-a100.sh'), 'utf8');
const H100 = A100.replace('--batch-size 800', '--batch-size 2200');
const POLICY = 'files: "configs/**"\n';

const system = systemNode();
const node24Problem = !NODE24 ? 'TRAINLINT_NODE24 is not set' : !existsSync(NODE24) ? `TRAINLINT_NODE24=${NODE24} does not exist` : nodeMajor(NODE24) !== '24' ? `TRAINLINT_NODE24=${NODE24} is Node ${nodeMajor(NODE24)}` : undefined;
const runtimes: Array<[string, string]> = [system, ...(!node24Problem && nodeMajor(system) !== '24' ? [NODE24!] : [])].map((bin) => [`node ${nodeMajor(bin)}`, bin]);
if (node24Problem && nodeMajor(system) !== '24') {
  const how = 'to run it: export TRAINLINT_NODE24="$(scripts/node24.sh)"';
  process.stderr.write(`[trainlint tests] skipped the action e2e tests under Node 24 (${node24Problem}); ${how}\n`);
  test.skip(`action e2e (node 24) [SKIPPED: ${node24Problem}; ${how}]`, () => {});
}

const prism = new Prism();
const front = new FrontServer(prism);
let prismLogStart = 0;

beforeAll(async () => {
  await prism.start();
  await front.start();
}, 120_000);

afterAll(async () => {
  await front.stop();
  prism.stop();
});

beforeEach(() => {
  front.reset();
  prismLogStart = prism.log.length;
});

/** Waits for Prism's log to flush, then asserts it had nothing to say against our requests. */
async function expectNoPrismViolations(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
  const rejected = front.requests.filter((r) => r.mode !== 'forbidden' && r.mode !== 'down' && r.status === 422);
  expect(rejected.map((r) => `${r.method} ${r.path}: ${r.response}`)).toEqual([]);
  expect(prism.violations(prismLogStart)).toEqual([]);
}

const checkRequests = (reqs: Recorded[]) => reqs.filter((r) => r.path.includes('/check-runs') && r.status < 300);

const sarifValidate = sarifValidator();

describe.each(runtimes)('action e2e (%s)', (_label, node) => {
  const repos: Repo[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));

  test('PR with the OpenCLIP batch change: check run on the head SHA, findings, sticky comment, SARIF, exit failure', async () => {
    const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100, 'README.md': 'x\n' }, { 'configs/train.sh': H100 });
    repos.push(repo);
    const res = await runAction({
      node,
      repo,
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 7, baseSha, headSha }),
      sha: mergeSha,
      apiUrl: front.url('prism'),
      inputs: { comment: 'true', 'sarif-file': 'trainlint.sarif' },
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^::error::trainlint: 2 error\(s\), 0 warning\(s\) in training configs \(fail-on: error\)$/m);
    // Created in progress first (the entry's first request, before linting), then completed with the findings.
    const checks = checkRequests(front.requests);
    expect(checks.map((r) => [r.method, r.body.status])).toEqual([
      ['POST', 'in_progress'],
      ['PATCH', 'completed'],
    ]);
    expect(front.requests[0]).toBe(checks[0]);
    expect(checks[0].path).toBe(`/repos/${OWNER}/${REPO}/check-runs`);
    expect(checks[0].body.head_sha).toBe(headSha);
    expect(checks[0].body.head_sha).not.toBe(mergeSha);
    expect(checks[0].body.output.annotations).toBeUndefined();
    expect(checks[1].path).toBe(`/repos/${OWNER}/${REPO}/check-runs/${JSON.parse(checks[0].response).id}`);
    expect(checks[1].body.conclusion).toBe('failure');
    expect(checks[1].body.output.annotations.map((a: Json) => [a.path, a.start_line, a.annotation_level])).toEqual([
      ['configs/train.sh', 10, 'failure'],
      ['configs/train.sh', 12, 'failure'],
    ]);
    // With the check run, no workflow-command annotations besides setFailed's.
    expect(commands(res.stdout).map((c) => c.kind)).toEqual(['error']);
    // Sticky comment: the list call, then one created comment with the marker.
    const comments = front.requests.filter((r) => r.path.includes('/issues/7/comments'));
    expect(comments.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(comments[1].body.body.startsWith('<!-- trainlint:sticky-comment -->')).toBe(true);
    // Summary: totals, a link to the head line, the plan base → head with the LR chart.
    expect(res.summary).toContain('2 errors, 0 warnings, 0 notices in 1 file');
    expect(res.summary).toContain(`https://github.com/${OWNER}/${REPO}/blob/${headSha}/configs/train.sh#L10`);
    expect(res.summary).toContain('| global batch | 3200 | 8800 | ×2\\.75 |');
    expect(res.summary).toContain('xychart-beta');
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0', files: '1' });
    expect(JSON.parse(readFileSync(res.outputs.report, 'utf8')).summary.errors).toBe(2);
    const sarif = JSON.parse(readFileSync(res.outputs.sarif, 'utf8'));
    expect(sarifValidate(sarif) ? [] : sarifValidate.errors).toEqual([]);
    expect(sarif.runs[0].results).toHaveLength(2);
    await expectNoPrismViolations();
  }, 60_000);

  test('fork PR (403): workflow commands and summary, still fails on errors', async () => {
    const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/train.sh': H100 });
    repos.push(repo);
    const res = await runAction({
      node,
      repo,
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 8, baseSha, headSha, fork: true }),
      sha: mergeSha,
      apiUrl: front.url('forbidden'),
      inputs: { comment: 'true' },
    });
    expect(res.code).toBe(1);
    expect(front.requests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 403],
      ['GET', 403],
    ]);
    expect(res.stdout).toContain('cannot create the check run (the token lacks checks: write');
    expect(res.stdout).toContain('cannot update the PR comment (the token lacks pull-requests: write');
    const cmds = commands(res.stdout);
    expect(cmds.map((c) => c.kind)).toEqual(['error', 'error', 'error']);
    expect(cmds[0].props).toBe('file=configs/train.sh,line=10,endLine=10,col=5,endColumn=14,title=trainlint (lr-not-rescaled)');
    expect(res.summary).toContain('2 errors, 0 warnings');
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0' });
  }, 60_000);

  test('120 findings: 3 batches of check annotations; capped workflow commands + overflow notice', async () => {
    const files: Record<string, string> = {
      '.trainlint.yml': [
        'files: "w/**"',
        'overrides:',
        '  - files: "w/b*"',
        '    rules: { warmup-exceeds-training: warning }',
        '  - files: "w/c*"',
        '    rules: { warmup-exceeds-training: info }',
        '',
      ].join('\n'),
    };
    // 2500 steps: long enough not to be a deliberate short run (its findings keep their severity).
    const script = '#!/bin/bash\ntorchrun --nproc_per_node 4 -m open_clip_train.main --train-num-samples 100000 --batch-size 10 --lr 5e-4 --warmup 100000 --epochs 1\n';
    for (const p of ['a', 'b', 'c']) for (let i = 0; i < 40; i++) files[`w/${p}${String(i).padStart(2, '0')}.sh`] = script;
    const { repo, baseSha, headSha, mergeSha } = prRepo({ 'README.md': 'x\n' }, files);
    repos.push(repo);
    const payload = pullRequestPayload({ number: 9, baseSha, headSha });
    const viaChecks = await runAction({ node, repo, eventName: 'pull_request', payload, sha: mergeSha, apiUrl: front.url('prism') });
    expect(viaChecks.code).toBe(1);
    const checks = checkRequests(front.requests);
    expect(checks.map((r) => [r.method, r.body.output.annotations?.length ?? 0, r.body.status ?? null])).toEqual([
      ['POST', 0, 'in_progress'],
      ['PATCH', 50, null],
      ['PATCH', 50, null],
      ['PATCH', 20, 'completed'],
    ]);
    expect(checks[3].body.conclusion).toBe('failure');
    expect(checks[3].path).toMatch(/\/check-runs\/\d+$/);
    expect(viaChecks.outputs).toMatchObject({ errors: '40', warnings: '40', files: '120' });
    await expectNoPrismViolations();

    front.reset();
    const viaCommands = await runAction({ node, repo, eventName: 'pull_request', payload, sha: mergeSha, apiUrl: front.url('prism'), inputs: { annotations: 'commands' } });
    expect(front.requests).toEqual([]);
    const cmds = commands(viaCommands.stdout);
    const count = (k: string) => cmds.filter((c) => c.kind === k).length;
    // 9 finding errors + setFailed's error; 10 warnings; 8 finding notices + the notice that the PR
    // adds .trainlint.yml + the overflow notice.
    expect([count('error'), count('warning'), count('notice')]).toEqual([10, 10, 10]);
    expect(cmds.findIndex((c) => c.kind === 'warning')).toBeGreaterThan(cmds.findIndex((c) => c.kind === 'error'));
    expect(cmds.find((c) => c.message.includes('more findings'))?.message).toMatch(/^93 more findings are not shown as annotations/);
    expect(cmds.some((c) => c.kind === 'notice' && c.message.startsWith('This PR adds .trainlint.yml'))).toBe(true);
    // The summary and the log still carry all 120.
    expect(viaCommands.summary.split('\n').filter((l) => /^\| (❌|⚠️|ℹ️)/.test(l))).toHaveLength(120);
  }, 90_000);

  test('PR that disables a rule in .trainlint.yml: the base policy still applies, with a notice', async () => {
    const { repo, baseSha, headSha, mergeSha } = prRepo(
      { '.trainlint.yml': POLICY, 'configs/train.sh': A100 },
      { '.trainlint.yml': `${POLICY}rules:\n  lr-not-rescaled: off\n  warmup-fraction: off\n`, 'configs/train.sh': H100 },
    );
    repos.push(repo);
    const res = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 10, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('prism'), inputs: { annotations: 'commands' } });
    expect(res.code).toBe(1);
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0' });
    const notice = commands(res.stdout).find((c) => c.kind === 'notice');
    expect(notice?.message).toBe(`This PR edits .trainlint.yml; trainlint used the policy from the base revision ${baseSha.slice(0, 7)}. The new policy applies once merged.`);
    expect(res.summary).toContain('This PR edits \\.trainlint\\.yml');
    // trust-pr-config: true opts out.
    const trusted = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 10, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('prism'), inputs: { annotations: 'commands', 'trust-pr-config': 'true' } });
    expect(trusted.outputs).toMatchObject({ errors: '0', warnings: '1' });
    expect(trusted.code).toBe(0);
  }, 60_000);

  test('push event: compared with "before", every config linted, check run on the pushed SHA', async () => {
    const repo = new Repo();
    repos.push(repo);
    const before = repo.commit({ '.trainlint.yml': POLICY, 'configs/train.sh': A100, 'configs/other.sh': A100 }, 'one');
    const after = repo.commit({ 'configs/train.sh': H100 }, 'two');
    const payload = example('push');
    payload.before = before;
    payload.after = after;
    payload.repository.full_name = `${OWNER}/${REPO}`;
    const res = await runAction({ node, repo, eventName: 'push', payload, sha: after, apiUrl: front.url('prism') });
    expect(res.code).toBe(1);
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0', files: '2' });
    const checks = checkRequests(front.requests);
    expect(checks.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(checks[0].body.head_sha).toBe(after);
    expect(front.requests.some((r) => r.path.includes('/comments'))).toBe(false);
    await expectNoPrismViolations();
  }, 60_000);

  test('baseline: honoured from the workspace without a base; on PRs read from the base commit, so a PR cannot baseline itself', async () => {
    // A baseline recorded by the CLI for configs/b.sh (warmup-fraction: 29.1% of the steps).
    const scratch = mkdtempSync(path.join(tmpdir(), 'trainlint-baseline-'));
    mkdirSync(path.join(scratch, 'configs'));
    writeFileSync(path.join(scratch, 'configs', 'b.sh'), H100);
    writeFileSync(path.join(scratch, '.trainlint.yml'), POLICY);
    await runCli(['--update-baseline'], { cwd: scratch, stdout: () => {}, stderr: () => {}, isTTY: false });
    const baseline = readFileSync(path.join(scratch, '.trainlint-baseline.json'), 'utf8');
    expect(JSON.parse(baseline).findings.length).toBeGreaterThan(0);

    const repo = new Repo();
    repos.push(repo);
    const sha = repo.commit({ '.trainlint.yml': POLICY, 'configs/b.sh': H100, '.trainlint-baseline.json': baseline }, 'one');
    const payload = example('workflow_dispatch');
    payload.repository.full_name = `${OWNER}/${REPO}`;
    const res = await runAction({ node, repo, eventName: 'workflow_dispatch', payload, sha, apiUrl: front.url('prism') });
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({ errors: '0' });
    expect(res.stdout).toMatch(/finding\(s\) hidden by \.trainlint-baseline\.json/);

    const pr = prRepo({ '.trainlint.yml': POLICY, 'configs/b.sh': A100 }, { 'configs/b.sh': H100, '.trainlint-baseline.json': baseline });
    repos.push(pr.repo);
    const prRes = await runAction({
      node,
      repo: pr.repo,
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 9, baseSha: pr.baseSha, headSha: pr.headSha }),
      sha: pr.mergeSha,
      apiUrl: front.url('prism'),
    });
    expect(prRes.code).toBe(1);
    expect(prRes.stdout).not.toMatch(/hidden by/);
  }, 90_000);

  test('workflow_dispatch: everything linted, no base; a bad input fails with a one-line reason', async () => {
    const repo = new Repo();
    repos.push(repo);
    const sha = repo.commit({ '.trainlint.yml': POLICY, 'configs/a.sh': A100, 'configs/b.sh': H100 }, 'one');
    const payload = { inputs: {}, ref: 'refs/heads/main', repository: example('push').repository, sender: example('push').sender, workflow: '.github/workflows/trainlint.yml' };
    payload.repository.full_name = `${OWNER}/${REPO}`;
    const res = await runAction({ node, repo, eventName: 'workflow_dispatch', payload, sha, apiUrl: front.url('prism') });
    expect(res.outputs).toMatchObject({ errors: '1', warnings: '0', files: '2' });
    expect(res.code).toBe(1);
    expect(checkRequests(front.requests)[0].body.head_sha).toBe(sha);
    await expectNoPrismViolations();
    const bad = await runAction({ node, repo, eventName: 'workflow_dispatch', payload, sha, apiUrl: front.url('prism'), inputs: { 'fail-on': 'sometimes' } });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('::error::trainlint: input fail-on must be one of error, warning, never (got "sometimes")');
  }, 60_000);

  test('merge_group: compared with base_sha, only the changed config', async () => {
    const repo = new Repo();
    repos.push(repo);
    const base = repo.commit({ '.trainlint.yml': POLICY, 'configs/train.sh': A100, 'configs/other.sh': A100 }, 'one');
    const head = repo.commit({ 'configs/train.sh': H100 }, 'two');
    const payload = example('merge_group');
    payload.merge_group.base_sha = base;
    payload.merge_group.head_sha = head;
    payload.repository.full_name = `${OWNER}/${REPO}`;
    const res = await runAction({ node, repo, eventName: 'merge_group', payload, sha: head, apiUrl: front.url('prism'), inputs: { annotations: 'commands' } });
    expect(res.code).toBe(1);
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0', files: '1' });
  }, 60_000);

  test('API down (500 on every call): results still in the log, summary and outputs; exit follows fail-on', async () => {
    const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/train.sh': H100 });
    repos.push(repo);
    const res = await runAction({
      node,
      repo,
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 11, baseSha, headSha }),
      sha: mergeSha,
      apiUrl: front.url('down'),
      inputs: { comment: 'true' },
    });
    expect(res.code).toBe(1);
    // The entry's one attempt at the start, then the REST client's, retried with back-off: 1 + 3 retries.
    expect(front.requests.filter((r) => r.method === 'POST')).toHaveLength(5);
    expect(res.stdout).toContain('the check run was not created at the start (HTTP 500); creating it now');
    expect(res.stdout).toContain('cannot create the check run (HTTP 500');
    expect(res.stdout).toContain('cannot update the PR comment (HTTP 500');
    expect(res.stdout).toContain('lr-not-rescaled');
    expect(commands(res.stdout).map((c) => c.kind)).toEqual(['error', 'error', 'error']);
    expect(res.summary).toContain('2 errors, 0 warnings');
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0', files: '1' });
    // fail-on: never keeps the step green even so.
    const never = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 11, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('down'), inputs: { 'fail-on': 'never', annotations: 'commands' } });
    expect(never.code).toBe(0);
  }, 60_000);

  test('fixed PR: the stale sticky comment is updated in place to "all clear", nothing created', async () => {
    const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/train.sh': A100.replace('--wd 0.2', '--wd 0.1') });
    repos.push(repo);
    const res = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 14, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('sticky'), inputs: { comment: 'true' } });
    expect(res.code).toBe(0);
    const writes = front.requests.filter((r) => r.path.includes('comments') && r.method !== 'GET');
    expect(writes.map((r) => [r.method, r.path, r.status])).toEqual([['PATCH', `/repos/${OWNER}/${REPO}/issues/comments/1002`, 200]]);
    expect(writes[0].body.body).toMatch(/^<!-- trainlint:sticky-comment -->\n### trainlint\n\n✅ \*\*trainlint: all clear\*\*/);
    expect(checkRequests(front.requests).map((r) => r.body.status)).toEqual(['in_progress', 'completed']);
    expect(checkRequests(front.requests)[1].body.conclusion).toBe('success');
    await expectNoPrismViolations();
  }, 60_000);

  test('base commit missing and not fetchable: changed files from the pulls files API, base versions from the contents API', async () => {
    const { repo, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/moved.sh': H100, 'configs/train.sh': null });
    repos.push(repo);
    const missing = 'f'.repeat(40);
    const api = `/repos/${OWNER}/${REPO}`;
    const file = (p: string, text: string) => ({ status: 200, body: { type: 'file', encoding: 'base64', name: path.basename(p), path: p, size: text.length, sha: 'e'.repeat(40), content: Buffer.from(text).toString('base64') } });
    front.overrides.set(`GET ${api}/pulls/15/files`, { status: 200, body: [{ sha: 'e'.repeat(40), filename: 'configs/moved.sh', previous_filename: 'configs/train.sh', status: 'renamed', additions: 1, deletions: 1, changes: 2 }] });
    front.overrides.set(`GET ${api}/contents/.trainlint.yml`, file('.trainlint.yml', POLICY));
    front.overrides.set(`GET ${api}/contents/.trainlint.yaml`, { status: 404, body: { message: 'Not Found' } });
    front.overrides.set(`GET ${api}/contents/configs/train.sh`, file('configs/train.sh', A100));
    const res = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 15, baseSha: missing, headSha }), sha: mergeSha, apiUrl: front.url('prism'), inputs: { annotations: 'commands' } });
    expect(res.stdout).toContain(`base commit ${missing} is not in the checkout; fetching it (depth 1)`);
    expect(res.stdout).toContain('through the REST contents API');
    const gets = front.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets).toEqual([
      `${api}/pulls/15/files?per_page=100`,
      `${api}/contents/.trainlint.yml?ref=${missing}`,
      `${api}/contents/.trainlint.yaml?ref=${missing}`,
      `${api}/contents/configs%2Ftrain.sh?ref=${missing}`,
    ]);
    // The rename was followed to the base version: the batch change is found.
    expect(res.outputs).toMatchObject({ errors: '2', warnings: '0', files: '1' });
    expect(res.summary).toContain('| global batch | 3200 | 8800 |');
    expect(res.code).toBe(1);
    // The workspace is untouched: no new refs, a clean status.
    expect(repo.git('status', '--porcelain')).toBe('');
    await expectNoPrismViolations();
  }, 60_000);

  test('only-changed: a config whose reference changed is linted; hostile file names stay inert', async () => {
    const hostile = 'configs/x%0A::error::pwned,y.sh';
    const { repo, baseSha, headSha, mergeSha } = prRepo(
      { '.trainlint.yml': POLICY, 'configs/a100.sh': A100, 'configs/h100.sh': `${H100.replace('#!/bin/bash\n', '#!/bin/bash\n# trainlint: reference=a100.sh\n')}`, 'configs/other.sh': A100 },
      { 'configs/a100.sh': A100.replace('--wd 0.2', '--wd 0.1'), [hostile]: H100.replace('#!/bin/bash\n', '#!/bin/bash\n# trainlint: reference=a100.sh\n') },
    );
    repos.push(repo);
    const res = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 16, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('prism'), inputs: { annotations: 'commands' } });
    const report = JSON.parse(readFileSync(res.outputs.report, 'utf8'));
    expect(report.files.map((f: Json) => f.path).sort()).toEqual(['configs/a100.sh', 'configs/h100.sh', hostile].sort());
    const cmds = commands(res.stdout);
    expect(cmds.some((c) => c.message.startsWith('pwned'))).toBe(false);
    expect(cmds.filter((c) => c.props.includes('x%250A%3A%3Aerror%3A%3Apwned%2Cy.sh')).length).toBeGreaterThan(0);
    // The log's stylish block is fenced by stop-commands, so the name cannot start a command there either.
    expect(res.stdout).toMatch(/::stop-commands::(\w+)\n[\s\S]*x%0A::error::pwned[\s\S]*\n::\1::\n/);
  }, 60_000);

  test('500, 429, then 403 secondary rate limit: retried with back-off, then the check run goes through', async () => {
    const { repo, baseSha, headSha, mergeSha } = prRepo({ '.trainlint.yml': POLICY, 'configs/train.sh': A100 }, { 'configs/train.sh': H100 });
    repos.push(repo);
    const res = await runAction({ node, repo, eventName: 'pull_request', payload: pullRequestPayload({ number: 12, baseSha, headSha }), sha: mergeSha, apiUrl: front.url('flaky') });
    expect(front.requests.filter((r) => r.path.endsWith('/check-runs')).map((r) => r.status)).toEqual([500, 429, 403, 201]);
    // The 403 secondary limit is the throttling plugin's (the retry plugin never retries 403).
    expect(res.stdout).toMatch(/GitHub API secondary rate limit on POST .*\/check-runs; retry 1 in 1s/);
    expect(commands(res.stdout).map((c) => c.kind)).toEqual(['error']);
    expect(res.code).toBe(1);
    await expectNoPrismViolations();
  }, 60_000);
});
