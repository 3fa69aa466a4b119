/**
 * The REST client itself: @actions/github's octokit with the throttling plugin. Loaded at the
 * first API call (`createOctokit` in octokit.ts), not at start-up: it brings an HTTP client and
 * Octokit's plugins, most of the action's start-up cost otherwise. A file of its own in dist/
 * (dist/github-client.js, scripts/bundle.mjs), so the action's main bundle does not carry it.
 */
import { getOctokit } from '@actions/github';
import { throttling } from '@octokit/plugin-throttling';

export type Octokit = ReturnType<typeof getOctokit>;

/** `getOctokit(token, options)` with the throttling plugin (its `throttle` options in `options`). */
export function githubClient(token: string, options: Parameters<typeof getOctokit>[1]): Octokit {
  return getOctokit(token, options, throttling);
}
