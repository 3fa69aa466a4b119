/** The REST client: @actions/github's octokit with the retry and throttling plugins, against GITHUB_API_URL. */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { stripTerminalControls } from '../report/escape.js';

export type Octokit = ReturnType<typeof getOctokit>;

export function createOctokit(token: string, log: (s: string) => void, env: NodeJS.ProcessEnv = process.env): Octokit {
  // Seconds → milliseconds factor of the plugins' back-off; tests shorten it (never set on runners).
  const base = Number(env.TRAINLINT_API_RETRY_BASE_MS);
  const retryAfterBaseValue = Number.isFinite(base) && base >= 0 && env.TRAINLINT_API_RETRY_BASE_MS ? base : 1000;
  return getOctokit(
    token,
    {
      baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
      userAgent: 'trainlint-action',
      retry: { retries: 3, retryAfterBaseValue },
      throttle: {
        retryAfterBaseValue,
        fallbackSecondaryRateRetryAfter: 5,
        onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log(`trainlint: GitHub API rate limit on ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter}s`);
          return retryCount < 2;
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log(`trainlint: GitHub API secondary rate limit on ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter}s`);
          return retryCount < 2;
        },
      },
    },
    retry,
    throttling,
  );
}

/** HTTP status of an octokit error, if any. */
export function statusOf(err: unknown): number | undefined {
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
