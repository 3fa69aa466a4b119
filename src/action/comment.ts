/**
 * The sticky PR comment: one comment found by a hidden marker and updated in place. Created only
 * when there is something to say; an existing one is updated to "all clear" once fixed.
 */
import { COMMENT_MARKER } from '../report/markdown.js';
import { MalformedAnswer, type Octokit } from './octokit.js';

export interface CommentOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  /** No findings: update an existing comment, never create one. */
  clean: boolean;
}

export async function upsertStickyComment(octokit: Octokit, o: CommentOptions): Promise<'created' | 'updated' | 'skipped'> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: o.owner, repo: o.repo, issue_number: o.issueNumber, per_page: 100 });
  if (!Array.isArray(comments) || comments.some((c) => c === null || typeof c !== 'object')) throw new MalformedAnswer('the list of comments is not a list of comments');
  // Only a bot's comment (ours: the token's identity is github-actions[bot] or an app) counts, so
  // a person cannot make the action overwrite their comment by pasting the marker.
  const existing = comments.find((c) => typeof c.body === 'string' && c.body.startsWith(COMMENT_MARKER) && c.user?.type === 'Bot');
  if (existing) {
    await octokit.rest.issues.updateComment({ owner: o.owner, repo: o.repo, comment_id: existing.id, body: o.body });
    return 'updated';
  }
  if (o.clean) return 'skipped';
  await octokit.rest.issues.createComment({ owner: o.owner, repo: o.repo, issue_number: o.issueNumber, body: o.body });
  return 'created';
}
