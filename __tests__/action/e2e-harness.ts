/**
 * Real parts for the action's end-to-end tests: a Prism mock of GitHub's REST API (started once),
 * a loopback node:http front server that records every request and can answer 403/500/429, a
 * real git repository in a temp dir, and `node dist/index.js` spawned with a runner's environment.
 * Nothing here talks to anything but 127.0.0.1.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
/**
 * Node 24, the runtime GitHub runs the action on: the binary named by TRAINLINT_NODE24
 * (`export TRAINLINT_NODE24="$(scripts/node24.sh)"`, as .ci/run does). Undefined when unset.
 */
export const NODE24 = process.env.TRAINLINT_NODE24 || undefined;

/** The system Node: the first `node` on PATH outside node_modules, else the one running Jest. */
export function systemNode(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = path.join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

export function nodeMajor(bin: string): string {
  return execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.')[0];
}
const SPEC = path.join(ROOT, 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json');
const PRISM = path.join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Recorded {
  mode: string;
  method: string;
  path: string;
  body: Json;
  status: number;
  response: string;
}

/** Prism: `prism mock` on a free loopback port; resolves once it listens. */
export class Prism {
  private child?: ChildProcess;
  log = '';
  port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    this.child = spawn(process.execPath, [PRISM, 'mock', '-h', '127.0.0.1', '-p', String(this.port), '--errors', SPEC], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const child = this.child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Prism did not start in 90 s:\n${this.log.slice(-2000)}`)), 90_000);
      const onData = (b: Buffer) => {
        this.log += b.toString('utf8');
        if (/Prism is listening/.test(this.log)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Prism exited (${code}):\n${this.log.slice(-2000)}`));
      });
    });
  }

  /** Prism's own validation complaints (request or response), in its log since `from`. */
  violations(from = 0): string[] {
    return this.log
      .slice(from)
      .split('\n')
      .filter((l) => /did not pass the validation|✖|violation/i.test(l));
  }

  stop(): void {
    this.child?.kill('SIGTERM');
  }
}

/**
 * The API the action talks to. The first path segment picks the behaviour:
 * - `/prism/...`   forwarded to Prism, request and response recorded; when a test set an
 *   override for the route, Prism still validates the request and the override is the answer
 *   (Prism's static examples know nothing of the test repository);
 * - `/forbidden/...` 403 "Resource not accessible by integration" (a fork PR's read-only token);
 * - `/down/...`    500 on every request;
 * - `/sticky/...`  like prism, but listing PR comments returns an earlier run's sticky comment;
 * - `/flaky/...`   the first request of each method+path gets 500, the second 429, the third 403
 *   "secondary rate limit" (GitHub's two forms), later ones go to Prism.
 *
 * Fault injection (issue #14; no Prism needed, `canned` answers stand for GitHub's):
 * - `/hang/...`       accepts the request and never answers;
 * - `/canned/...`     the canned answer at once;
 * - `/slow/...`       the canned answer after `slowMs`;
 * - `/ratelimited/...` 403 "secondary rate limit" with `retry-after: 3600` on every request;
 * - `/retry429/...`   the first request of each method+path (the first two creating a check run)
 *   gets 429 (secondary limit, `retry-after: 1`), later ones the canned answer;
 * - `/malformed/...`  a 2xx whose JSON body is cut off;
 * - `/emptyok/...`    a 2xx with an empty JSON object (no `id`).
 */
export class FrontServer {
  private server?: http.Server;
  requests: Recorded[] = [];
  port = 0;
  private seen = new Map<string, number>();
  /** Repo-aware answers by `METHOD /path` (no query), sent after Prism accepted the request. */
  overrides = new Map<string, { status: number; body: Json }>();
  /** Delay of the `slow` mode. */
  slowMs = 1500;
  /** Requests held open by the `hang` mode, ended when the server stops. */
  private held = new Set<http.ServerResponse>();

  constructor(private readonly prism?: Prism) {}

  url(mode: string): string {
    return `http://127.0.0.1:${this.port}/${mode}`;
  }

  reset(): void {
    this.requests = [];
    this.seen.clear();
    this.overrides.clear();
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async handle(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): Promise<void> {
    const [, mode = '', ...rest] = (req.url ?? '/').split('/');
    const apiPath = `/${rest.join('/')}`;
    const text = raw.toString('utf8');
    let body: Json = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const record = (status: number, response: string) => this.requests.push({ mode, method: req.method ?? '', path: apiPath, body, status, response });
    const reply = (status: number, json: Json, headers: Record<string, string> = {}) => {
      const out = JSON.stringify(json);
      record(status, out);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(out);
    };
    const key = `${req.method} ${decodeURIComponent(apiPath.split('?')[0])}`;
    const count = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, count);
    if (mode === 'hang') {
      record(0, '(no answer)');
      this.held.add(res);
      return;
    }
    if (mode === 'canned') return reply(...canned(req.method ?? '', apiPath));
    if (mode === 'slow') {
      await new Promise((r) => setTimeout(r, this.slowMs));
      return reply(...canned(req.method ?? '', apiPath));
    }
    if (mode === 'ratelimited') {
      return reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '3600' });
    }
    if (mode === 'retry429') {
      // Creating the check run is limited twice: once for the entry's single attempt at the start,
      // once for the REST client, which retries after the short retry-after.
      const limited = req.method === 'POST' && key.endsWith('/check-runs') ? 2 : 1;
      if (count <= limited) return reply(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '1' });
      return reply(...canned(req.method ?? '', apiPath));
    }
    if (mode === 'malformed' || mode === 'emptyok') {
      const [status] = canned(req.method ?? '', apiPath);
      const out = mode === 'malformed' ? '{"id": 4242, "head_sha": ' : '{}';
      record(status, out);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(out);
    }
    if (mode === 'forbidden') return reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
    if (mode === 'down') return reply(500, { message: 'Server Error' });
    if (mode === 'flaky' && count === 1) return reply(500, { message: 'Server Error' });
    if (mode === 'flaky' && count === 2) {
      return reply(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '1' });
    }
    if (mode === 'flaky' && count === 3) {
      return reply(403, { message: 'You have exceeded a secondary rate limit and have been temporarily blocked from content creation.' }, { 'retry-after': '1' });
    }
    if (mode === 'sticky' && req.method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments/.test(apiPath)) {
      // An earlier run's sticky comment (and someone else's), as the list endpoint returns them.
      const user = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
      return reply(200, [
        { id: 1000, body: '<!-- trainlint:sticky-comment -->\nforged by a person', user: { login: 'mallory', id: 2, type: 'User' } },
        { id: 1001, body: 'LGTM <!-- trainlint:sticky-comment -->', user: { login: 'octocat', id: 1, type: 'User' } },
        { id: 1002, body: '<!-- trainlint:sticky-comment -->\n### trainlint\n\n❌ 2 errors', user },
      ]);
    }
    // Forward to Prism.
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
    // GitHub's vendor media type (application/vnd.github.v3+json) is JSON, but Prism's negotiator
    // only matches the spec's literal `application/json` (406 otherwise): translate it, nothing else.
    if (headers.accept) headers.accept = headers.accept.replace(/application\/vnd\.github(?:\.[\w-]+)*(?:\+json)?/g, 'application/json');
    if (!this.prism) return reply(502, { message: 'no Prism in this test' });
    const upstream = await fetch(`http://127.0.0.1:${this.prism.port}${apiPath}`, {
      method: req.method,
      headers,
      body: raw.length > 0 ? raw : undefined,
    });
    const out = await upstream.text();
    const override = this.overrides.get(key);
    if (override && upstream.status < 400) return reply(override.status, override.body);
    record(upstream.status, out);
    const h: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/json' };
    res.writeHead(upstream.status, h);
    res.end(out);
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** What GitHub answers to the requests the action makes, minimal but well-formed. */
function canned(method: string, apiPath: string): [number, Json] {
  const p = apiPath.split('?')[0];
  if (method === 'POST' && /\/check-runs$/.test(p)) return [201, { id: 4242, head_sha: 'x', name: 'trainlint', status: 'in_progress' }];
  if (method === 'PATCH' && /\/check-runs\/\d+$/.test(p)) return [200, { id: 4242, name: 'trainlint', status: 'completed' }];
  if (method === 'GET' && /\/issues\/\d+\/comments$/.test(p)) return [200, []];
  if (method === 'POST' && /\/issues\/\d+\/comments$/.test(p)) return [201, { id: 77, body: '' }];
  if (method === 'PATCH' && /\/issues\/comments\/\d+$/.test(p)) return [200, { id: 77, body: '' }];
  return [404, { message: 'Not Found' }];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A git repository in a temp dir. */
export class Repo {
  readonly dir: string;
  readonly work: string;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-e2e-'));
    this.work = path.join(this.dir, 'repo');
    mkdirSync(this.work);
    this.git('init', '-q', '-b', 'main');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: this.dir, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  }

  write(files: Record<string, string | null>): void {
    for (const [rel, text] of Object.entries(files)) {
      const abs = path.join(this.work, rel);
      if (text === null) {
        rmSync(abs, { force: true });
        continue;
      }
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }

  commit(files: Record<string, string | null>, message: string): string {
    this.write(files);
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A PR-shaped history: base on main, head on a branch, the workspace at a real merge commit. */
export function prRepo(base: Record<string, string | null>, head: Record<string, string | null>): { repo: Repo; baseSha: string; headSha: string; mergeSha: string } {
  const repo = new Repo();
  const baseSha = repo.commit(base, 'base');
  repo.git('checkout', '-q', '-b', 'feature');
  const headSha = repo.commit(head, 'head');
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--no-ff', '-m', 'Merge feature into main', 'feature');
  const mergeSha = repo.git('rev-parse', 'HEAD');
  return { repo, baseSha, headSha, mergeSha };
}

const EXAMPLES: Json[] = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@octokit', 'webhooks-examples', 'api.github.com', 'index.json'), 'utf8'));

/** A webhook example payload (deep copy) by event name and action. */
export function example(name: string, action?: string): Json {
  const group = EXAMPLES.find((e) => e.name === name);
  const payload = group?.examples.find((p: Json) => action === undefined || p.action === action);
  if (!payload) throw new Error(`no ${name}/${action} example`);
  return JSON.parse(JSON.stringify(payload));
}

export const OWNER = 'acme';
export const REPO = 'ml-training';

export function pullRequestPayload(o: { number: number; baseSha: string; headSha: string; fork?: boolean }): Json {
  const p = example('pull_request', 'opened');
  p.number = o.number;
  p.pull_request.number = o.number;
  p.pull_request.base.sha = o.baseSha;
  p.pull_request.head.sha = o.headSha;
  p.pull_request.base.repo.full_name = `${OWNER}/${REPO}`;
  p.pull_request.head.repo.full_name = o.fork ? `contributor/${REPO}` : `${OWNER}/${REPO}`;
  p.repository.full_name = `${OWNER}/${REPO}`;
  return p;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  ms: number;
  /** Killed by the hard timeout. */
  timedOut?: boolean;
  /** The signal that ended the process, if one did. */
  signal?: NodeJS.Signals | null;
}

/** Parses $GITHUB_OUTPUT (`name<<DELIM\nvalue\nDELIM`). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = m[3];
  return out;
}

/** Spawns the bundled action like a runner would and waits for it. */
export function runAction(o: {
  node: string;
  repo: Repo;
  eventName: string;
  payload: Json;
  sha: string;
  apiUrl: string;
  inputs?: Record<string, string>;
  /** The action bundle to run (default dist/index.js). */
  script?: string;
  /** Hard wall-clock limit: the action is killed past it (code -1, `timedOut`). */
  timeoutMs?: number;
  /** Called with the action's process once it is spawned (to signal it). */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<RunResult> {
  const runner = path.join(o.repo.dir, 'runner');
  mkdirSync(runner, { recursive: true });
  const eventPath = path.join(runner, 'event.json');
  const summary = path.join(runner, 'summary.md');
  const output = path.join(runner, 'output.txt');
  writeFileSync(eventPath, JSON.stringify(o.payload));
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const inputs: Record<string, string> = {
    files: '',
    config: '',
    'fail-on': 'error',
    'base-ref': '',
    'only-changed': '',
    annotations: 'auto',
    summary: 'true',
    comment: 'false',
    'sarif-file': '',
    'trust-pr-config': 'false',
    token: 'ghs_e2e_test_token',
    ...o.inputs,
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: o.repo.dir,
    NO_PROXY: '*',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_REPOSITORY_OWNER: OWNER,
    GITHUB_SHA: o.sha,
    GITHUB_WORKSPACE: o.repo.work,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    GITHUB_API_URL: o.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: runner,
    TRAINLINT_API_RETRY_BASE_MS: '20',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(o.node, [o.script ?? path.join(ROOT, 'dist', 'index.js')], { cwd: o.repo.work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    o.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = o.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, o.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr, summary: readFileSync(summary, 'utf8'), outputs: parseOutputs(readFileSync(output, 'utf8')), ms: Date.now() - started, timedOut });
    });
  });
}

/** The workflow-command annotations a runner would pick up from stdout, outside stop-commands blocks. */
export function commands(stdout: string): Array<{ kind: string; props: string; message: string }> {
  const out: Array<{ kind: string; props: string; message: string }> = [];
  let stopToken: string | undefined;
  for (const line of stdout.split('\n')) {
    if (stopToken) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) {
      stopToken = stop[1];
      continue;
    }
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (m) out.push({ kind: m[1], props: m[2] ?? '', message: m[3] });
  }
  return out;
}
