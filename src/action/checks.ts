/**
 * One check run named "trainlint" on the PR head SHA (not the merge SHA), completed with the
 * conclusion from fail-on and the annotations in batches of at most 50. When the action's entry
 * created it in progress (first-check-run.ts), every batch goes by PATCH to that run; otherwise it
 * is created here with the first batch (completed at once when there is only one) and the further
 * batches go by PATCH.
 */
import type { Report } from '../engine/report-types.js';
import { checkAnnotations } from './annotations.js';
import { CHECK_NAME } from './check-name.js';
import { MalformedAnswer, type Octokit } from './octokit.js';

export { CHECK_NAME };
export const ANNOTATIONS_PER_REQUEST = 50;
export const CHECK_TEXT_MAX = 65535;

export interface CheckRunOptions {
  owner: string;
  repo: string;
  headSha: string;
  report: Report;
  failing: boolean;
  /** Markdown for output.summary (≤ 65,535 characters). */
  summary: string;
  detailsUrl?: string;
  /** The run the action's entry created in progress: completed here instead of creating one. */
  existingId?: number;
}

export function checkTitle(report: Report): string {
  const { errors, warnings, infos } = report.summary;
  if (errors + warnings + infos === 0) return 'trainlint: all clear';
  return `trainlint: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${infos} notice${infos === 1 ? '' : 's'}`;
}

/** Annotations sent with a check run (20 requests); the rest are in the summary and the log. */
export const MAX_CHECK_ANNOTATIONS = 1000;

export async function publishCheckRun(octokit: Octokit, o: CheckRunOptions): Promise<{ id: number; requests: number }> {
  const all = checkAnnotations(o.report);
  const annotations = all.slice(0, MAX_CHECK_ANNOTATIONS);
  const more = all.length - annotations.length;
  const text = more > 0 ? `${more} more finding${more === 1 ? ' is' : 's are'} not annotated here (at most ${MAX_CHECK_ANNOTATIONS}); every finding is in the job summary and the log.` : undefined;
  const batches: (typeof annotations)[] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = (batch: typeof annotations | undefined) => ({
    title: checkTitle(o.report),
    summary: o.summary.length > CHECK_TEXT_MAX ? `${o.summary.slice(0, CHECK_TEXT_MAX - 20)}\n\n_(truncated)_` : o.summary,
    ...(text ? { text } : {}),
    ...(batch && batch.length > 0 ? { annotations: batch } : {}),
  });
  const conclusion = o.failing ? ('failure' as const) : ('success' as const);
  const completed = () => ({ status: 'completed' as const, conclusion, completed_at: new Date().toISOString() });
  // The run the entry created in progress takes every batch by PATCH; otherwise the first batch creates it.
  let id = o.existingId;
  let next = 0;
  let requests = 0;
  if (id === undefined) {
    const created = await octokit.rest.checks.create({
      owner: o.owner,
      repo: o.repo,
      name: CHECK_NAME,
      head_sha: o.headSha,
      ...(o.detailsUrl ? { details_url: o.detailsUrl } : {}),
      ...(batches.length <= 1 ? completed() : { status: 'in_progress' as const }),
      output: output(batches[0]),
    });
    // A 2xx that is not a check run (cut-off JSON arrives as a string) is a failure, not a success.
    const data: unknown = created.data;
    const made = data !== null && typeof data === 'object' ? (data as { id?: unknown }).id : undefined;
    if (typeof made !== 'number') throw new MalformedAnswer('no check run id');
    id = made;
    next = 1;
    requests = 1;
  }
  // At least one PATCH for a run created at the start (it completes it, with no annotations when there are none).
  const count = Math.max(batches.length, o.existingId !== undefined ? 1 : 0);
  for (let i = next; i < count; i++) {
    await octokit.rest.checks.update({
      owner: o.owner,
      repo: o.repo,
      check_run_id: id,
      ...(i === count - 1 ? completed() : {}),
      output: output(batches[i]),
    });
    requests++;
  }
  return { id, requests };
}
