/** Unit tests of the action's small modules: event, annotations caps, changed files, policy. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkAnnotation, checkAnnotations, workflowCommands } from '../../src/action/annotations';
import { gitChangedFiles, touchedPaths } from '../../src/action/changed-files';
import { readEvent } from '../../src/action/event';
import { resolvePolicy } from '../../src/action/policy';
import { isFailing } from '../../src/action/fail-on';
import { userAgentWithOrchestrationId } from '../../src/action/user-agent';
import { spawnSync } from 'node:child_process';
import { ensureCommit, readAtCommit } from '../../src/action/git';
import { gitStats } from '../../src/engine/git';
import { finding, report } from './helpers';
import { Repo } from './e2e-harness';

function eventFile(payload: object): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'trainlint-event-')), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

describe('readEvent', () => {
  const env = (name: string, payload: object) => ({ GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: eventFile(payload), GITHUB_REPOSITORY: 'acme/ml', GITHUB_SHA: 'm'.repeat(40) });
  const pr = { number: 5, pull_request: { number: 5, head: { sha: 'h'.repeat(40), repo: { full_name: 'fork/ml' } }, base: { sha: 'b'.repeat(40), repo: { full_name: 'acme/ml' } } } };

  test('pull_request: head SHA (not the merge SHA), base SHA, fork', () => {
    expect(readEvent(env('pull_request', pr))).toMatchObject({ kind: 'pull_request', owner: 'acme', repo: 'ml', headSha: 'h'.repeat(40), baseSha: 'b'.repeat(40), prNumber: 5, fork: true, untrusted: true });
  });
  test('pull_request_target is untrusted even from the same repository', () => {
    const same = JSON.parse(JSON.stringify(pr));
    same.pull_request.head.repo.full_name = 'acme/ml';
    expect(readEvent(env('pull_request_target', same))).toMatchObject({ kind: 'pull_request', untrusted: true, fork: false });
    expect(readEvent(env('pull_request', same))).toMatchObject({ untrusted: false });
  });
  test('push: before as base, none for a new branch', () => {
    expect(readEvent(env('push', { before: 'a'.repeat(40), after: 'c'.repeat(40) }))).toMatchObject({ kind: 'push', baseSha: 'a'.repeat(40), headSha: 'c'.repeat(40) });
    expect(readEvent(env('push', { before: '0'.repeat(40), after: 'c'.repeat(40) })).baseSha).toBeUndefined();
  });
  test('merge_group, workflow_dispatch and schedule', () => {
    expect(readEvent(env('merge_group', { merge_group: { base_sha: 'b'.repeat(40), head_sha: 'h'.repeat(40) } }))).toMatchObject({ kind: 'merge_group', baseSha: 'b'.repeat(40) });
    for (const name of ['workflow_dispatch', 'schedule']) {
      const e = readEvent(env(name, {}));
      expect(e.kind).toBe('full');
      expect(e.baseSha).toBeUndefined();
    }
  });
});

describe('annotations', () => {
  const many = (severity: 'error' | 'warning' | 'info', n: number) => Array.from({ length: n }, (_, i) => finding({ severity, line: i + 1, endLine: i + 1 }));

  test('workflow commands: ≤ 10 per severity, errors first, one overflow notice', () => {
    const r = report([...many('info', 15), ...many('warning', 15), ...many('error', 15)]);
    const { text, shown, hidden } = workflowCommands(r);
    const kinds = text.trim().split('\n').map((l) => /^::(\w+)/.exec(l)![1]);
    expect(kinds.filter((k) => k === 'error')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'warning')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'notice')).toHaveLength(10);
    expect(kinds.slice(0, 10).every((k) => k === 'error')).toBe(true);
    expect([shown, hidden]).toEqual([29, 16]);
    expect(text).toContain('::notice title=trainlint::16 more findings are not shown');
    // Reserved slots (setFailed's error, policy notices).
    const reserved = workflowCommands(r, { errors: 1, notices: 2 });
    expect([reserved.shown, reserved.hidden]).toEqual([9 + 10 + 7, 19]);
    expect(workflowCommands(report(many('error', 3)))).toMatchObject({ shown: 3, hidden: 0 });
    expect(workflowCommands(report(many('error', 3))).text).not.toContain('more finding');
  });

  test('check annotations: levels, columns only on one line, errors first', () => {
    expect(checkAnnotation(finding({ line: 2, endLine: 4 }))).not.toHaveProperty('start_column');
    expect(checkAnnotation(finding())).toMatchObject({ start_column: 5, end_column: 17, annotation_level: 'failure', title: 'trainlint (lr-not-rescaled)' });
    expect(checkAnnotations(report([finding({ severity: 'info' }), finding({ severity: 'warning' }), finding()])).map((a) => a.annotation_level)).toEqual(['failure', 'warning', 'notice']);
  });

  test('fail-on', () => {
    const w = report([finding({ severity: 'warning' })]);
    expect([isFailing(w, 'error'), isFailing(w, 'warning'), isFailing(w, 'never')]).toEqual([false, true, false]);
    expect(isFailing(report([finding()]), 'never')).toBe(false);
  });
});

describe('changed files and policy (real git)', () => {
  test('git diff follows renames', async () => {
    const repo = new Repo();
    const base = repo.commit({ 'a/old.yaml': 'lr: 1\nbatch: 2\nwarmup: 3\nsteps: 4\n', 'b.yaml': 'x: 1\n', 'gone.yaml': 'y: 1\n' }, 'base');
    repo.write({ 'a/old.yaml': null, 'a/new.yaml': 'lr: 1\nbatch: 2\nwarmup: 3\nsteps: 5\n', 'b.yaml': 'x: 2\n', 'gone.yaml': null, 'c.yaml': 'z: 1\n' });
    repo.git('add', '-A');
    const files = await gitChangedFiles(repo.work, base);
    expect(files).toEqual(
      expect.arrayContaining([
        { path: 'a/new.yaml', previousPath: 'a/old.yaml', status: 'renamed' },
        { path: 'b.yaml', status: 'modified' },
        { path: 'gone.yaml', status: 'removed' },
        { path: 'c.yaml', status: 'added' },
      ]),
    );
    expect([...touchedPaths(files)].sort()).toEqual(['a/new.yaml', 'a/old.yaml', 'b.yaml', 'c.yaml', 'gone.yaml']);
    repo.cleanup();
  });

  test('ensureCommit reads the named files of the commit in the same git process; readAtCommit answers as git does', async () => {
    const repo = new Repo();
    const base = repo.commit({ '.trainlint.yml': 'rules: {}\n', 'dir/x.yaml': 'a: 1\n', 'sp ace.json': '{"é": 1}\n', 'empty.txt': '' }, 'base');
    repo.commit({ '.trainlint.yml': 'rules:\n  schema: off\n' }, 'head');
    const paths = ['.trainlint.yml', '.trainlint.yaml', 'dir', 'sp ace.json', 'empty.txt', 'line\nbreak.yml'];
    const spawnsBefore = gitStats.spawns;
    expect(await ensureCommit(repo.work, base, () => {}, paths)).toBe(true);
    expect(gitStats.spawns - spawnsBefore).toBe(1);
    const answers = await Promise.all(paths.map((p) => readAtCommit(repo.work, base, p)));
    // Answered from the read-ahead (no git process), except the path with a line break.
    expect(gitStats.spawns - spawnsBefore).toBe(2);
    expect(answers).toEqual(['rules: {}\n', null, null, '{"é": 1}\n', '', null]);
    // The same answers from one git process each, the way readAtCommit reads an unknown path.
    for (const [i, p] of paths.entries()) {
      const r = spawnSync('git', ['cat-file', 'blob', `${base}:${p}`], { cwd: repo.work, encoding: 'utf8' });
      expect([p, answers[i]]).toEqual([p, r.status === 0 ? r.stdout : null]);
    }
    // Not a commit: false, and nothing read ahead.
    expect(await ensureCommit(repo.work, 'f'.repeat(40), () => {}, ['.trainlint.yml'])).toBe(false);
    expect(await ensureCommit(repo.work, repo.git('rev-parse', `${base}^{tree}`), () => {}, ['.trainlint.yml'])).toBe(false);
    repo.cleanup();
  });

  test('policy and schemas from the base revision on PRs, with notices; head elsewhere', async () => {
    const repo = new Repo();
    const schemaV1 = JSON.stringify({ type: 'object', required: ['lr'] });
    const config = 'files: "*.yaml"\nschemas:\n  - files: "*.yaml"\n    schema: s.schema.json\n';
    const base = repo.commit({ '.trainlint.yml': config, 's.schema.json': schemaV1 }, 'base');
    repo.commit({ '.trainlint.yml': `${config}rules:\n  schema: off\n`, 's.schema.json': JSON.stringify({}) }, 'head');
    const opts = { root: repo.work, baseSha: base, isPullRequest: true, trustPrConfig: false, log: () => {} };
    const policy = await resolvePolicy(opts);
    expect(policy.source).toBe('base');
    expect(policy.config.rules).toBeUndefined();
    expect(policy.notices).toEqual([
      `This PR edits .trainlint.yml; trainlint used the policy from the base revision ${base.slice(0, 7)}. The new policy applies once merged.`,
      `This PR edits the schema s.schema.json; trainlint used its version from the base revision ${base.slice(0, 7)}.`,
    ]);
    // The base version is kept in memory under the path the config names; the config is unchanged.
    expect(policy.config.schemas![0].schema).toBe('s.schema.json');
    expect(policy.schemaTexts?.get('s.schema.json')).toBe(schemaV1);
    expect((await resolvePolicy({ ...opts, trustPrConfig: true })).config.rules).toEqual({ schema: 'off' });
    expect((await resolvePolicy({ ...opts, isPullRequest: false })).source).toBe('head');
    repo.cleanup();
  });

  test('without the base commit, the schemas the base policy names are fetched from the base too', async () => {
    const repo = new Repo();
    const schemaV1 = JSON.stringify({ type: 'object', required: ['lr'] });
    const config = 'files: "*.yaml"\nschemas:\n  - files: "*.yaml"\n    schema: s.schema.json\n';
    // The synthetic base commit holds only the policy file (as the contents API gave it).
    const synthetic = repo.commit({ '.trainlint.yml': config }, 'synthetic base');
    repo.commit({ 's.schema.json': JSON.stringify({}) }, 'head');
    const fetched: string[][] = [];
    const policy = await resolvePolicy({
      root: repo.work,
      baseSha: synthetic,
      isPullRequest: true,
      trustPrConfig: false,
      log: () => {},
      fetchBase: async (paths) => {
        fetched.push(paths);
        return new Map([['s.schema.json', schemaV1]]);
      },
    });
    expect(fetched).toEqual([['s.schema.json']]);
    expect(policy.schemaTexts?.get('s.schema.json')).toBe(schemaV1);
    expect(policy.notices).toContain(`This PR edits the schema s.schema.json; trainlint used its version from the base revision ${synthetic.slice(0, 7)}.`);
    repo.cleanup();
  });
});

describe('the REST client (github-client.ts)', () => {
  test('the user agent carries the runner orchestration id as @actions/github adds it', () => {
    expect(userAgentWithOrchestrationId('trainlint-action', {})).toBe('trainlint-action');
    expect(userAgentWithOrchestrationId('trainlint-action', { ACTIONS_ORCHESTRATION_ID: ' ab/c d ' })).toBe('trainlint-action actions_orchestration_id/ab_c_d');
    expect(userAgentWithOrchestrationId(undefined, { ACTIONS_ORCHESTRATION_ID: 'x1' })).toBe('actions_orchestration_id/x1');
    expect(userAgentWithOrchestrationId('ua actions_orchestration_id/x1', { ACTIONS_ORCHESTRATION_ID: 'x1' })).toBe('ua actions_orchestration_id/x1');
  });

  // Octokit is ESM only: the client is run from its bundle (dist/github-client.js) in a child process.
  test('dist/github-client.js: requests carry the token and user agent, go to the base URL through the given fetch, and paginate', () => {
    const script = `
      const { githubClient } = await import(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'github-client.js'))});
      const seen = [];
      const fetch = async (url, init) => {
        seen.push({ url, headers: Object.fromEntries(Object.entries(init.headers).map(([k, v]) => [k.toLowerCase(), v])) });
        const page = seen.length;
        const link = page === 1 ? { link: '<http://127.0.0.1:9/repos/o/r/pulls/7/files?per_page=1&page=2>; rel="next"' } : {};
        return new Response(JSON.stringify([{ filename: 'f' + page + '.yaml' }]), { status: 200, headers: { 'content-type': 'application/json', ...link } });
      };
      const octokit = githubClient('ghs_x', { baseUrl: 'http://127.0.0.1:9', userAgent: 'trainlint-action', request: { fetch }, throttle: { enabled: false } });
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: 'o', repo: 'r', pull_number: 7, per_page: 1 });
      console.log(JSON.stringify({ files, seen }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ACTIONS_ORCHESTRATION_ID: 'run-1' } });
    expect(r.stderr).toBe('');
    const { files, seen } = JSON.parse(r.stdout);
    expect(files).toEqual([{ filename: 'f1.yaml' }, { filename: 'f2.yaml' }]);
    expect(seen.map((s: { url: string }) => s.url)).toEqual(['http://127.0.0.1:9/repos/o/r/pulls/7/files?per_page=1', 'http://127.0.0.1:9/repos/o/r/pulls/7/files?per_page=1&page=2']);
    expect(seen[0].headers.authorization).toBe('token ghs_x');
    expect(seen[0].headers['user-agent']).toMatch(/^trainlint-action actions_orchestration_id\/run-1 octokit-core\.js\//);
  });
});
