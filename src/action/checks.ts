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
  const single = batches.length <= 1;
  if (o.existingId !== undefined) {
    const count = Math.max(1, batches.length);
    for (let i = 0; i < count; i++) {
      const last = i === count - 1;
      await octokit.rest.checks.update({
        owner: o.owner,
        repo: o.repo,
        check_run_id: o.existingId,
        ...(last ? { status: 'completed' as const, conclusion, completed_at: new Date().toISOString() } : {}),
        output: output(batches[i]),
      });
    }
    return { id: o.existingId, requests: count };
  }
  const created = await octokit.rest.checks.create({
    owner: o.owner,
    repo: o.repo,
    name: CHECK_NAME,
    head_sha: o.headSha,
    ...(o.detailsUrl ? { details_url: o.detailsUrl } : {}),
    ...(single ? { status: 'completed' as const, conclusion, completed_at: new Date().toISOString() } : { status: 'in_progress' as const }),
    output: output(batches[0]),
  });
  // A 2xx that is not a check run (cut-off JSON arrives as a string) is a failure, not a success.
  const data: unknown = created.data;
  const id = data !== null && typeof data === 'object' ? (data as { id?: unknown }).id : undefined;
  if (typeof id !== 'number') throw new MalformedAnswer('no check run id');
  let requests = 1;
  for (let i = 1; i < batches.length; i++) {
    const last = i === batches.length - 1;
    await octokit.rest.checks.update({
      owner: o.owner,
      repo: o.repo,
      check_run_id: id,
      ...(last ? { status: 'completed' as const, conclusion, completed_at: new Date().toISOString() } : {}),
      output: output(batches[i]),
    });
    requests++;
  }
  return { id, requests };
}
