/**
 * The REST client: @actions/github's octokit against GITHUB_API_URL, with a deadline on every
 * call and a cap on the total time the action spends on the API.
 *
 * - Every request goes through `boundedFetch`: it is aborted after `PER_CALL_MS` (30 s) or when
 *   the run's API time (`api-time-limit`, 180 s by default) is spent, whichever comes first. An
 *   API that accepts connections and never answers costs at most the limit, not 300 s per call
 *   and per retry. Once the limit is spent, calls fail at once without being sent, and each
 *   channel falls back as for a 403 (workflow commands, the job summary, the log).
 * - 5xx answers and network errors are retried up to 3 times with back-off (1, 4, 9 s), only
 *   while the wait fits in what is left of the limit.
 * - Rate limits (`@octokit/plugin-throttling`): a `retry-after` is honoured up to
 *   MAX_RETRY_AFTER_S (60 s) and only within the limit; past it the call is not retried. The log
 *   announces a retry only when it will be made.
 */
import { stripTerminalControls } from '../report/escape.js';
import type { Octokit } from './github-client.js';

export type { Octokit };

/** Default of the `api-time-limit` input, seconds. */
export const DEFAULT_API_TIME_LIMIT_S = 180;
/** One request (connection, answer and body) is aborted past this. */
export const PER_CALL_MS = 30_000;
/** The longest `retry-after` the action waits for, seconds. */
export const MAX_RETRY_AFTER_S = 60;
/** Retries of a 5xx answer or a network error. */
export const RETRIES = 3;

/** The run's API time: what is allowed and what has been spent (requests and waits). */
export class ApiBudget {
  spentMs = 0;

  constructor(
    readonly limitMs: number,
    readonly perCallMs = PER_CALL_MS,
  ) {}

  remaining(): number {
    return this.limitMs - this.spentMs;
  }

  /** "the 180 s limit for GitHub API calls (input api-time-limit) is spent" */
  spentMessage(): string {
    return `the ${Math.round(this.limitMs / 1000)} s limit for GitHub API calls (input api-time-limit) is spent`;
  }
}

/** A call cut short by the deadline: not retried (octokit passes AbortErrors through). */
export class ApiTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbortError';
  }
}

/** A 2xx whose body is not what the API documents (cut-off JSON, no id). */
export class MalformedAnswer extends Error {
  constructor(what: string) {
    super(`malformed answer from the GitHub API: ${what}`);
    this.name = 'MalformedAnswer';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `fetch` with the per-call deadline, the run's time limit and 5xx retries. */
export function boundedFetch(budget: ApiBudget, log: (s: string) => void, retryBaseMs: number, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const what = `${init?.method ?? 'GET'} ${new URL(url).pathname}`;
    for (let attempt = 0; ; attempt++) {
      const remaining = budget.remaining();
      if (remaining <= 0) throw new ApiTimeout(`${budget.spentMessage()}; not sent`);
      const timeout = Math.min(budget.perCallMs, remaining);
      const deadline = AbortSignal.timeout(timeout);
      const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
      const started = Date.now();
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await inner(input, { ...init, signal });
      } catch (err) {
        failure = err;
      }
      budget.spentMs += Date.now() - started;
      if (deadline.aborted) {
        throw new ApiTimeout(timeout >= remaining ? budget.spentMessage() : `no answer from the GitHub API within ${Math.round(timeout / 1000)} s`);
      }
      const retryable = failure !== undefined || (response !== undefined && response.status >= 500);
      const wait = retryBaseMs * (attempt + 1) ** 2;
      if (retryable && attempt < RETRIES && wait < budget.remaining()) {
        const why = response ? `HTTP ${response.status}` : `network error (${stripTerminalControls(String((failure as Error)?.message ?? failure)).slice(0, 120)})`;
        log(`trainlint: GitHub API ${why} on ${what}; retry ${attempt + 1} of ${RETRIES} in ${wait / 1000}s`);
        await response?.body?.cancel().catch(() => {});
        await sleep(wait);
        budget.spentMs += wait;
        continue;
      }
      if (failure !== undefined) throw failure;
      return response!;
    }
  };
}

/**
 * The client, created at the first API call: the octokit code (github-client.ts, dist/github-client.js)
 * is loaded then, so a run that makes no API call never loads it.
 */
export async function createOctokit(token: string, log: (s: string) => void, budget: ApiBudget, env: NodeJS.ProcessEnv = process.env): Promise<Octokit> {
  const { githubClient } = await import('./github-client.js');
  // Seconds → milliseconds factor of the back-off and of `retry-after`; tests shorten it (never set on runners).
  const base = Number(env.TRAINLINT_API_RETRY_BASE_MS);
  const retryAfterBaseValue = Number.isFinite(base) && base >= 0 && env.TRAINLINT_API_RETRY_BASE_MS ? base : 1000;
  const onLimit = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
    const what = `trainlint: GitHub API ${kind} on ${options.method} ${options.url}`;
    if (retryCount >= 2) {
      log(`${what}; not retried again (${retryCount} retries made)`);
      return false;
    }
    if (retryAfter > MAX_RETRY_AFTER_S) {
      log(`${what}: retry-after ${retryAfter} s is over the ${MAX_RETRY_AFTER_S} s the action waits; not retried`);
      return false;
    }
    const wait = retryAfter * retryAfterBaseValue;
    if (wait >= budget.remaining()) {
      log(`${what}: retry-after ${retryAfter} s is over what is left of the API time limit (input api-time-limit); not retried`);
      return false;
    }
    budget.spentMs += wait;
    log(`${what}; retry ${retryCount + 1} in ${retryAfter}s`);
    return true;
  };
  return githubClient(token, {
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'trainlint-action',
    request: { fetch: boundedFetch(budget, log, retryAfterBaseValue) },
    throttle: {
      retryAfterBaseValue,
      fallbackSecondaryRateRetryAfter: 5,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
}

/** HTTP status of an octokit error, if any (none for a deadline or a malformed answer). */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiTimeout || err instanceof MalformedAnswer) return undefined;
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

/** One line describing an API failure, for the log. */
export function describeApiError(err: unknown): string {
  const status = statusOf(err);
  // Server-supplied text: no terminal controls, no line breaks.
  const message = stripTerminalControls((err instanceof Error ? err.message : String(err)).split('\n')[0]).slice(0, 300);
  return status ? `HTTP ${status}: ${message}` : message;
}
