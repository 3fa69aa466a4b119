/**
 * The action's first act: the check run "trainlint", created in progress on the PR head before
 * anything is read or linted, so that the pull request shows trainlint running at once (the Checks
 * API's lifecycle: created `in_progress`, completed by PATCH with the findings; checks.ts).
 *
 * This request is sent from the action's small entry (src/index.ts) with Node's own `http`/`https`
 * modules: the REST client (octokit over `fetch`) costs ≈ 25 ms of loading before its first request
 * (undici), and the action's main bundle ≈ 20 ms more. One attempt, no retry: when it fails for any
 * reason but a plain 403, the action creates the check run at the end through the REST client, with
 * its retries and rate-limit handling, exactly as without this request. A plain 403 (the token lacks
 * `checks: write`: fork PRs, Dependabot, read-only permissions) means workflow-command annotations
 * without a second attempt; a 403 that is a rate limit is not taken for a missing permission.
 *
 * Not made when the check run would not be (annotations `off` or `commands`, no token, no
 * repository or head commit), when an input is invalid (the action reports that), or when a proxy
 * is configured (HTTPS_PROXY and friends: the REST client's path, as before).
 */
import http from 'node:http';
import https from 'node:https';
import { CHECK_NAME } from './check-name.js';
import { readEvent, type ActionEvent } from './event.js';
import { readInputs } from './inputs.js';
import { PER_CALL_MS } from './octokit.js';
import { userAgentWithOrchestrationId } from './user-agent.js';

/** What the first request gave: the check run's id, a refusal for want of permission, or a failure. */
export type FirstCheckRun =
  | { kind: 'created'; id: number; ms: number }
  | { kind: 'forbidden'; message: string; ms: number }
  | { kind: 'failed'; why: string; ms: number };

export interface PendingCheckRun {
  /** Settles once the request is handed to the operating system (or failed, or after `SEND_WAIT_MS`). */
  sent: Promise<void>;
  /** The outcome; never rejects. */
  result: Promise<FirstCheckRun>;
  /** The head commit the check run is on. */
  headSha: string;
}

/** The longest the entry waits for the request to leave before it loads the action (a slow TLS handshake). */
export const SEND_WAIT_MS = 2000;

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** The check run's title and summary while it runs. */
export const IN_PROGRESS_OUTPUT = { title: 'trainlint: linting', summary: 'trainlint is reading the training configs of this commit.' };

/** GITHUB_API_URL without its trailing slashes (a loop: a pattern anchored at the end would be quadratic on a long run of slashes). */
function apiBase(env: NodeJS.ProcessEnv): string {
  const url = env.GITHUB_API_URL || 'https://api.github.com';
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return url.slice(0, end);
}

/** Whether the action will report through a check run (the same conditions as main.ts's). */
export function wantsCheckRun(annotations: string, token: string, event: Pick<ActionEvent, 'owner' | 'repo' | 'headSha'>): boolean {
  return annotations !== 'off' && annotations !== 'commands' && token !== '' && event.owner !== '' && event.repo !== '' && event.headSha !== '';
}

/** Starts the in-progress check run when the action will report through one; undefined otherwise. */
export function startCheckRun(env: NodeJS.ProcessEnv = process.env): PendingCheckRun | undefined {
  let inputs: ReturnType<typeof readInputs>;
  try {
    inputs = readInputs();
  } catch {
    return undefined;
  }
  const event = readEvent(env);
  if (!wantsCheckRun(inputs.annotations, inputs.token, event)) return undefined;
  if (PROXY_VARIABLES.some((v) => env[v])) return undefined;
  let url: URL;
  try {
    url = new URL(`${apiBase(env)}/repos/${encodeURIComponent(event.owner)}/${encodeURIComponent(event.repo)}/check-runs`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const body = JSON.stringify({
    name: CHECK_NAME,
    head_sha: event.headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    ...(env.GITHUB_RUN_ID && event.owner ? { details_url: `${env.GITHUB_SERVER_URL || 'https://github.com'}/${event.owner}/${event.repo}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    output: IN_PROGRESS_OUTPUT,
  });
  const request = sendJson('POST', url, inputs.token, body, Math.min(PER_CALL_MS, inputs.apiTimeLimit * 1000), env);
  return { sent: request.sent, headSha: event.headSha, result: request.answer.then(classify) };
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string; ms: number } | { error: string; ms: number };

function classify(answer: Answer): FirstCheckRun {
  if ('error' in answer) return { kind: 'failed', why: answer.error, ms: answer.ms };
  const { status, headers, text, ms } = answer;
  if (status === 201 || status === 200) {
    let id: unknown;
    try {
      id = (JSON.parse(text) as { id?: unknown })?.id;
    } catch {
      id = undefined;
    }
    return typeof id === 'number' ? { kind: 'created', id, ms } : { kind: 'failed', why: 'malformed answer from the GitHub API: no check run id', ms };
  }
  const rateLimited = headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0';
  if (status === 403 && !rateLimited) return { kind: 'forbidden', message: messageOf(text), ms };
  return { kind: 'failed', why: `HTTP ${status}`, ms };
}

function messageOf(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown })?.message;
    return typeof m === 'string' ? m : '';
  } catch {
    return '';
  }
}

/**
 * One JSON request with Node's http/https, a deadline of `timeoutMs` for the whole exchange, and
 * an answer body of at most 1 MiB. `sent` settles when the body has been written (or on failure).
 */
function sendJson(method: string, url: URL, token: string, body: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): { sent: Promise<void>; answer: Promise<Answer> } {
  const started = Date.now();
  let markSent: () => void = () => {};
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
    setTimeout(resolve, SEND_WAIT_MS).unref();
  });
  const answer = new Promise<Answer>((resolve) => {
    let done = false;
    const finish = (a: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      markSent();
      resolve(a);
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `token ${token}`,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'user-agent': userAgentWithOrchestrationId('trainlint-action', env) ?? 'trainlint-action',
          'x-github-api-version': '2022-11-28',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 1 << 20) chunks.push(c);
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
        res.on('error', (err) => finish({ error: `network error (${err.message})`, ms: Date.now() - started }));
      },
    );
    const deadline = setTimeout(() => {
      finish({ error: `no answer from the GitHub API within ${Math.round(timeoutMs / 1000)} s`, ms: Date.now() - started });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish({ error: `network error (${err.message})`, ms: Date.now() - started }));
    req.on('finish', markSent);
    req.end(body);
  });
  return { sent, answer };
}
