/** What the triggering event means for linting: which base, which head, which PR. */
import { readFileSync } from 'node:fs';

export type EventKind = 'pull_request' | 'merge_group' | 'push' | 'full';

export interface ActionEvent {
  name: string;
  kind: EventKind;
  owner: string;
  repo: string;
  /** The commit that was checked out (GITHUB_SHA; the merge commit on PRs). */
  sha: string;
  /** The commit findings belong to: the PR head (check runs, links), else `sha`. */
  headSha: string;
  /** Base commit to compare with, when the event has one. */
  baseSha?: string;
  /** PR number, for comments and the pulls files API. */
  prNumber?: number;
  /** pull_request_target, or a PR from a fork: the head is untrusted and the token may be read-only. */
  untrusted: boolean;
  fork: boolean;
}

const ZERO_SHA = /^0+$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Payload = Record<string, any>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function readEvent(env: NodeJS.ProcessEnv = process.env): ActionEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  let payload: Payload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Payload;
    } catch {
      payload = {};
    }
  }
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const sha = env.GITHUB_SHA ?? '';
  const base: ActionEvent = { name, kind: 'full', owner, repo, sha, headSha: sha, untrusted: false, fork: false };

  if ((name === 'pull_request' || name === 'pull_request_target') && payload.pull_request) {
    const pr = payload.pull_request;
    const fork = str(pr.head?.repo?.full_name) !== undefined && pr.head.repo.full_name !== pr.base?.repo?.full_name;
    return {
      ...base,
      kind: 'pull_request',
      headSha: str(pr.head?.sha) ?? sha,
      baseSha: str(pr.base?.sha),
      prNumber: typeof pr.number === 'number' ? pr.number : typeof payload.number === 'number' ? payload.number : undefined,
      untrusted: name === 'pull_request_target' || fork,
      fork,
    };
  }
  if (name === 'merge_group' && payload.merge_group) {
    return { ...base, kind: 'merge_group', headSha: str(payload.merge_group.head_sha) ?? sha, baseSha: str(payload.merge_group.base_sha) };
  }
  if (name === 'push') {
    const before = str(payload.before);
    return { ...base, kind: 'push', headSha: str(payload.after) ?? sha, baseSha: before && !ZERO_SHA.test(before) ? before : undefined };
  }
  return base;
}
