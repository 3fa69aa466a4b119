/**
 * The GitHub Action: lint the configs a change touches with the shared engine, against the base
 * revision's policy, and report on every channel that is available: the log, the JSON report,
 * SARIF, outputs and the job summary always; a check run (or, without `checks: write`, capped
 * workflow-command annotations) and an optional sticky PR comment. A reporting channel that
 * fails is logged and never fails the job by itself; the exit status follows `fail-on`.
 */
import * as core from './core.js';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { CONFIG_NAMES } from '../config/load-config.js';
import { policyNotes } from '../config/policy-notes.js';
import { BASELINE_FILE, parseBaseline } from '../engine/baseline.js';
import { hideBaselined } from '../engine/baseline-results.js';
import { readAtCommit } from './git.js';
import { decodeUtf8, readRepoFile, repoRootOf } from '../engine/repo-files.js';
import { MAX_BASELINE_BYTES } from '../engine/baseline.js';
import { buildReport, reportPlan } from '../engine/build-report.js';
import { lint, type FileResult } from '../engine/lint.js';
import { userFacingMessage } from '../engine/load/result.js';
import type { Report } from '../engine/report-types.js';
import { COMMENT_MARKER, COMMENT_MAX_CHARS, formatMarkdown, SUMMARY_MAX_BYTES, type MarkdownOptions, type PlanChange } from '../report/markdown.js';
import { formatStylish } from '../report/stylish.js';
import { workflowCommands } from './annotations.js';
import { fetchBaseContents, syntheticCommit } from './base-contents.js';
import { apiChangedFiles, gitChangedFiles, selectTouched, touchedPaths, type ChangedFile } from './changed-files.js';
import { CHECK_TEXT_MAX, publishCheckRun } from './checks.js';
import { upsertStickyComment } from './comment.js';
import { readEvent, type ActionEvent } from './event.js';
import { ensureCommit, git } from './git.js';
import { isFailing } from './fail-on.js';
import { readInputs, type Inputs } from './inputs.js';
import { wantsCheckRun, type PendingCheckRun } from './first-check-run.js';
import { ApiBudget, createOctokit, describeApiError, statusOf, type Octokit } from './octokit.js';
import { setOutputs, writeReport, writeSarif } from './outputs.js';
import { basePolicyNames, resolvePolicy } from './policy.js';
import { writeJobSummary } from './summary.js';

const log = (s: string) => core.info(s);

/** The base commit SHA: the `base-ref` input (any ref git can resolve, fetched if missing) or the event's. */
async function resolveBase(root: string, inputs: Inputs, event: ActionEvent): Promise<{ sha?: string; local: boolean }> {
  const wanted = inputs.baseRef ?? event.baseSha;
  if (!wanted) return { local: false };
  if (wanted.startsWith('-') || /[\x00-\x20\x7f]/.test(wanted)) throw new Error(`invalid base-ref ${JSON.stringify(wanted)}`);
  // The base's policy files and baseline are read in the same git process as the commit check.
  if (/^[0-9a-f]{40,64}$/i.test(wanted)) return { sha: wanted, local: await ensureCommit(root, wanted, log, [...basePolicyNames(inputs.config), BASELINE_FILE]) };
  const parsed = await git(root, ['rev-parse', '--verify', '--quiet', `${wanted}^{commit}`]);
  if (parsed.code === 0) return { sha: parsed.stdout.toString('utf8').trim(), local: true };
  log(`trainlint: base-ref ${wanted} is not in the checkout; fetching it (depth 1)`);
  const fetched = await git(root, ['fetch', '--no-tags', '--depth=1', 'origin', wanted]);
  if (fetched.code === 0) {
    const head = await git(root, ['rev-parse', '--verify', '--quiet', 'FETCH_HEAD^{commit}']);
    if (head.code === 0) return { sha: head.stdout.toString('utf8').trim(), local: true };
  }
  log(`trainlint: cannot resolve base-ref ${wanted}; linting without a base`);
  return { local: false };
}

async function changedFiles(root: string, base: { sha?: string; local: boolean }, event: ActionEvent, octokit: () => Promise<Octokit> | undefined): Promise<ChangedFile[] | undefined> {
  if (!base.sha) return undefined;
  if (base.local) {
    try {
      return await gitChangedFiles(root, base.sha);
    } catch (err) {
      log(`trainlint: ${(err as Error).message}`);
    }
  }
  const client = event.prNumber !== undefined ? await octokit() : undefined;
  if (event.prNumber !== undefined && client) {
    try {
      return await apiChangedFiles(client, event.owner, event.repo, event.prNumber);
    } catch (err) {
      log(`trainlint: cannot list the PR's files through the API (${describeApiError(err)})`);
    }
  }
  return undefined;
}

/** The configs to show base → head: changed configs with a plan. */
/**
 * Honour `.trainlint-baseline.json`. On pull requests it is policy, read from the base commit
 * like `.trainlint.yml`, so a PR cannot baseline its own findings away.
 */
async function applyActionBaseline(root: string, results: FileResult[], baseSha: string | undefined, log: (s: string) => void): Promise<void> {
  let text: string | null;
  if (baseSha) {
    text = await readAtCommit(root, baseSha, BASELINE_FILE);
  } else {
    // Through the engine's resolver: a FIFO or a link out of the workspace is never read.
    const read = readRepoFile(repoRootOf(root), BASELINE_FILE, MAX_BASELINE_BYTES, 'the size limit of a baseline');
    if (!read.ok && read.refusal !== 'missing') log(`trainlint: ${BASELINE_FILE}: ${read.why.replace(/; (skipped|not read)$/, '')}; not read`);
    text = read.ok ? (decodeUtf8(read.bytes) ?? null) : null;
  }
  if (!text) return;
  const baseline = parseBaseline(text);
  if (!baseline) {
    log(`trainlint: ${BASELINE_FILE} is not a trainlint baseline (version 1); ignored`);
    return;
  }
  const { hidden, fixed } = hideBaselined(results, baseline, { root });
  log(`trainlint: ${hidden} finding(s) hidden by ${BASELINE_FILE}${baseSha ? ' (from the base commit)' : ''}${fixed ? `; ${fixed} baselined finding(s) no longer occur` : ''}`);
}

function planChanges(results: FileResult[], touched: Set<string> | undefined): PlanChange[] {
  return results
    .filter((r) => r.extraction && (touched ? touched.has(r.file.path) : r.reference !== undefined))
    .map((r) => ({
      path: r.file.path,
      head: reportPlan(r.extraction!.plan),
      ...(r.reference ? { base: reportPlan(r.reference.plan), baseLabel: r.reference.label } : {}),
    }));
}

/** Every finding in the log, with workflow commands disabled around the untrusted text. */
function logFindings(report: Report): void {
  const token = randomUUID().replace(/-/g, '');
  process.stdout.write(`::stop-commands::${token}\n`);
  process.stdout.write(formatStylish(report, { color: false, sources: new Map() }));
  process.stdout.write(`::${token}::\n`);
}

/**
 * The action. `first`: the check run the entry (src/index.ts) began to create in progress before
 * this bundle loaded (first-check-run.ts); it is completed here with the findings, or, when the
 * action fails or is cancelled before publishing them, with that conclusion.
 */
export async function run(first?: PendingCheckRun): Promise<void> {
  // The first check run until it is completed: a failure or a cancellation completes it (never left in progress).
  let unfinished: { api: () => Promise<Octokit> | undefined; owner: string; repo: string } | undefined;
  const completeUnfinished = async (conclusion: 'success' | 'failure' | 'cancelled', summary: string): Promise<void> => {
    const u = unfinished;
    unfinished = undefined;
    if (!u || !first) return;
    const made = await first.result;
    const api = made.kind === 'created' ? await u.api() : undefined;
    if (!api || made.kind !== 'created') return;
    const title = conclusion === 'cancelled' ? 'trainlint: cancelled' : conclusion === 'success' ? 'trainlint: passed (findings in the log)' : 'trainlint: did not finish';
    try {
      await api.rest.checks.update({ owner: u.owner, repo: u.repo, check_run_id: made.id, status: 'completed', conclusion, completed_at: new Date().toISOString(), output: { title, summary } });
    } catch (err) {
      log(`trainlint: cannot complete the check run (${describeApiError(err)})`);
    }
  };
  // A signal completes the check run as cancelled; the run publishes nothing after it.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    stopping = true;
    void completeUnfinished('cancelled', `The run was stopped (${signal}) before trainlint could publish its findings.`).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  if (first) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    const inputs = readInputs();
    const event = readEvent();
    const root = process.env.GITHUB_WORKSPACE || process.cwd();
    const tempDir = process.env.RUNNER_TEMP || tmpdir();
    // Created at the first API call (octokit.ts loads the client's code then).
    let client: Promise<Octokit> | undefined;
    const budget = new ApiBudget(inputs.apiTimeLimit * 1000);
    const octokit = () => (inputs.token ? (client ??= createOctokit(inputs.token, log, budget)) : undefined);
    if (first) unfinished = { api: octokit, owner: event.owner, repo: event.repo };

    const base = await resolveBase(root, inputs, event);
    const onlyChanged = inputs.onlyChanged ?? (event.kind === 'pull_request' || event.kind === 'merge_group');
    const changed = onlyChanged || event.kind === 'pull_request' ? await changedFiles(root, base, event, octokit) : undefined;
    if (onlyChanged && !changed) log('trainlint: the changed files are unknown (no base); linting every config');
    const touched = changed ? touchedPaths(changed) : undefined;

    // Without the base commit locally, base versions come through the REST contents API, held in
    // a synthetic commit: first the policy files, then (after a head-only pass) the changed configs.
    const api = base.sha && !base.local && touched ? await octokit() : undefined;
    const fromApi = new Map<string, string | null>();
    let baseCommit = base.local ? base.sha : undefined;
    if (api && base.sha) {
      log(`trainlint: reading base versions of ${base.sha.slice(0, 7)} through the REST contents API`);
      const names = inputs.config ? [inputs.config] : CONFIG_NAMES;
      for (const [p, t] of await fetchBaseContents(api, event.owner, event.repo, base.sha, names, log)) fromApi.set(p, t);
      baseCommit = await syntheticCommit(root, fromApi, `trainlint: base ${base.sha} (from the REST API)`);
    }

    const policy = await resolvePolicy({
      root,
      configInput: inputs.config,
      baseSha: baseCommit,
      isPullRequest: event.kind === 'pull_request',
      trustPrConfig: inputs.trustPrConfig && event.name !== 'pull_request_target',
      log,
      fetchBase: api && base.sha ? (paths) => fetchBaseContents(api, event.owner, event.repo, base.sha!, paths, log) : undefined,
    });

    if (api && base.sha && touched && changed) {
      const head = await lint({ root, paths: inputs.files, config: policy.config, schemaTexts: policy.schemaTexts });
      const configs = head.results.filter((r) => r.extraction && touched.has(r.file.path)).map((r) => r.file.path);
      const basePaths = configs.map((p) => changed.find((c) => c.path === p)?.previousPath ?? p).filter((p) => !fromApi.has(p));
      for (const [p, t] of await fetchBaseContents(api, event.owner, event.repo, base.sha, basePaths, log)) fromApi.set(p, t);
      baseCommit = await syntheticCommit(root, fromApi, `trainlint: base ${base.sha} (from the REST API)`);
    }

    const { results } = await lint({ root, paths: inputs.files, config: policy.config, base: baseCommit, schemaTexts: policy.schemaTexts });
    // A `files` entry of the base policy that this change deleted or renamed, a reference naming no file: a notice, never a failure.
    if (inputs.files.length === 0) policy.notices.push(...policyNotes(root, policy.config, results.map((r) => r.file.path)));
    const selected = onlyChanged && touched ? selectTouched(results, touched) : results;
    if (onlyChanged && touched) log(`trainlint: only-changed: ${selected.length} of ${results.length} configs are touched by the change`);
    await applyActionBaseline(root, selected, event.kind === 'pull_request' && !(inputs.trustPrConfig && event.name !== 'pull_request_target') ? baseCommit : undefined, log);
    const report = buildReport(selected);

    // Channels that need no permission first: nothing below can lose these.
    logFindings(report);
    const reportPath = writeReport(report, tempDir);
    const sarifPath = inputs.sarifFile ? writeSarif(report, root, inputs.sarifFile) : undefined;
    setOutputs(report, reportPath, sarifPath);
    for (const n of policy.notices) core.notice(n, { title: 'trainlint policy' });

    const md: MarkdownOptions = {
      links: { serverUrl: process.env.GITHUB_SERVER_URL || 'https://github.com', repository: `${event.owner}/${event.repo}`, sha: event.headSha },
      changes: planChanges(selected, touched),
      notices: policy.notices,
    };
    if (inputs.summary) writeJobSummary(formatMarkdown(report, { ...md, max: { length: SUMMARY_MAX_BYTES, unit: 'bytes' } }), log);

    const failing = isFailing(report, inputs.failOn);
    if (inputs.annotations !== 'off') {
      let viaChecks = false;
      // The first request went out before the bundle loaded; its answer may have waited while this run
      // linted. Only the time this run waits for it here is API time (its own timeout bounds it).
      const waitFrom = Date.now();
      const made = first ? await first.result : undefined;
      if (stopping) return;
      if (made) budget.spentMs += Math.min(made.ms, Date.now() - waitFrom);
      const checksApi = made?.kind === 'forbidden' ? undefined : await octokit();
      if (made?.kind === 'forbidden') {
        unfinished = undefined;
        log('trainlint: cannot create the check run (the token lacks checks: write (fork PR, Dependabot or read-only permissions)); falling back to workflow-command annotations');
      } else if (checksApi && wantsCheckRun(inputs.annotations, inputs.token, event)) {
        if (made?.kind === 'failed') log(`trainlint: the check run was not created at the start (${made.why}); creating it now`);
        try {
          const runUrl = process.env.GITHUB_RUN_ID ? `${md.links!.serverUrl}/${event.owner}/${event.repo}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
          const { requests } = await publishCheckRun(checksApi, {
            owner: event.owner,
            repo: event.repo,
            headSha: event.headSha,
            report,
            failing,
            summary: formatMarkdown(report, { ...md, max: { length: CHECK_TEXT_MAX, unit: 'chars' } }),
            detailsUrl: runUrl,
            existingId: made?.kind === 'created' ? made.id : undefined,
          });
          unfinished = undefined;
          viaChecks = true;
          const total = requests + (made?.kind === 'created' ? 1 : 0);
          log(`trainlint: check run "trainlint" on ${event.headSha} with ${report.findings.length} annotations (${total} requests)`);
        } catch (err) {
          const why = statusOf(err) === 403 ? 'the token lacks checks: write (fork PR, Dependabot or read-only permissions)' : describeApiError(err);
          log(`trainlint: cannot create the check run (${why}); falling back to workflow-command annotations`);
          // The run created in progress at the start is completed all the same, pointing to the log.
          await completeUnfinished(failing ? 'failure' : 'success', `The findings could not be attached to this check run (${why}); they are in the job's log and summary.`);
        }
      } else if (inputs.annotations === 'checks') {
        log('trainlint: annotations: checks needs a token and a repository; falling back to workflow-command annotations');
      }
      if (!viaChecks) process.stdout.write(workflowCommands(report, { notices: policy.notices.length, errors: failing ? 1 : 0 }).text);
    }

    if (inputs.comment) {
      const commentApi = event.prNumber === undefined ? undefined : await octokit();
      if (event.prNumber === undefined) log('trainlint: comment: true has no effect outside pull requests');
      else if (!commentApi) log('trainlint: comment: true needs a token');
      else {
        try {
          const body = formatMarkdown(report, { ...md, marker: COMMENT_MARKER, max: { length: COMMENT_MAX_CHARS, unit: 'chars' } });
          const clean = report.findings.length === 0;
          const outcome = await upsertStickyComment(commentApi, { owner: event.owner, repo: event.repo, issueNumber: event.prNumber, body, clean });
          log(`trainlint: PR comment ${outcome}`);
        } catch (err) {
          const why = statusOf(err) === 403 ? 'the token lacks pull-requests: write (fork PR, Dependabot or read-only permissions)' : describeApiError(err);
          log(`trainlint: cannot update the PR comment (${why}); the findings are in the job summary and this log`);
        }
      }
    }

    if (failing) {
      const { errors, warnings } = report.summary;
      core.setFailed(`trainlint: ${errors} error(s), ${warnings} warning(s) in training configs (fail-on: ${inputs.failOn})`);
    }
  } catch (err) {
    // Every line of the reason (an invalid policy lists each problem with its file:line:col), at most 20.
    const lines = String((err as Error)?.message ?? err).split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
    const message = `trainlint: ${userFacingMessage([...lines.slice(0, 20), ...(lines.length > 20 ? [`(${lines.length - 20} more lines)`] : [])].join('\n'))}`;
    core.setFailed(message);
    await completeUnfinished('failure', `${message}\n\nThe findings, if any, are in the job's log.`);
  } finally {
    // A check run the failure path did not reach (every channel above ran) is left to the channels' own handling.
    if (first) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
}
