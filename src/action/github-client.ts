/**
 * The REST client itself: Octokit with the REST methods, pagination and the throttling plugin,
 * which is what @actions/github's `getOctokit` builds, without @actions/github. That package also
 * evaluates @actions/http-client and its own copy of undici when it loads (a proxy-aware `fetch`
 * in its defaults), which the action never used: its options give Octokit their own `request`
 * (`boundedFetch` over Node's fetch, octokit.ts), and Octokit merges options over defaults
 * shallowly, so that `fetch` and agent were dropped. Loaded at the first API call
 * (`createOctokit` in octokit.ts), not at start-up; a file of its own in dist/
 * (dist/github-client.js, scripts/bundle.mjs), so the action's main bundle does not carry it.
 */
import { Octokit as Core, type OctokitOptions } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { throttling } from '@octokit/plugin-throttling';
import { userAgentWithOrchestrationId } from './user-agent.js';

const GitHub = Core.plugin(restEndpointMethods, paginateRest, throttling);

export type Octokit = InstanceType<typeof GitHub>;

/** Octokit authenticated with `token` (an installation or personal token: `token …`), with the throttling plugin's `throttle` options in `options`. */
export function githubClient(token: string, options: OctokitOptions): Octokit {
  const userAgent = userAgentWithOrchestrationId(options.userAgent);
  return new GitHub({ ...options, auth: `token ${token}`, ...(userAgent ? { userAgent } : {}) });
}
