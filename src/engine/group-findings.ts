/**
 * One cause, one finding. A run much shorter than what its schedule and intervals were sized for
 * (50 iterations against a warmup, decay horizon and save/eval intervals sized for 600,000) makes
 * several rules fire: warmup-exceeds-training, decay-horizon-mismatch, warmup-fraction,
 * interval-exceeds-training. Each of those findings carries its part of the cause (`runLength`,
 * set by the rule); this module, run after the rules and before suppressions, reports the cause
 * once: at the key the user should change (the decay horizon when it is written, else the warmup,
 * else an interval), with the rule id of that key, the highest severity among the merged findings,
 * every consequence in the message, one coherent fix, and the merged findings as `related`
 * locations. Suppressions and baselines written for any merged rule still apply (see
 * suppressions.ts and baseline.ts, which read `merged`).
 *
 * It also applies `shortRun`: in a deliberate short run (short-run.ts) a run-length finding gets
 * the configured severity (warning by default) and says so, unless the framework refuses to start
 * on it (the dialect's launchChecks), which stays as it is.
 */
import { brief, derivation, tickNouns } from '../rules/types.js';
import { formatCount, formatPercent, formatRatio } from './format-number.js';
import type { ShortRun } from './short-run.js';
import type { Finding, RelatedLocation, Severity, TrainingPlan } from './types.js';

export interface RunFindingsContext {
  /** The run's plan (the file's own plan merged with its linked files). */
  plan: TrainingPlan;
  shortRun?: ShortRun;
  /** Severity of run-length findings in a short run (`shortRun.severity`). */
  shortRunSeverity: Severity;
  /** Rule id → how the framework rejects that problem at launch (Extraction.launchChecks). */
  launchChecks: Record<string, string>;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Which member becomes the grouped finding: the key whose change fixes the most (warmup-not-rescaled: a pair, pairWarmupFindings). */
const PRIMARY_ORDER = ['decay-horizon-mismatch', 'warmup-exceeds-training', 'warmup-fraction', 'warmup-not-rescaled', 'interval-exceeds-training'];
/** The order consequences are told in: warmup, decay, share, then checkpoints and evaluation. */
const STORY_ORDER = ['warmup-exceeds-training', 'decay-horizon-mismatch', 'warmup-fraction', 'warmup-not-rescaled', 'interval-exceeds-training'];

function byOrder(order: string[]): (a: Finding, b: Finding) => number {
  const rank = new Map<string, number>();
  order.forEach((id, i) => rank.has(id) || rank.set(id, i));
  const at = (f: Finding) => rank.get(f.ruleId) ?? order.length;
  return (a, b) => at(a) - at(b) || a.range.line - b.range.line || a.range.column - b.range.column;
}
/** The two orders' comparators, made once (merge runs for every grouped finding). */
const BY_PRIMARY = byOrder(PRIMARY_ORDER);
const BY_STORY = byOrder(STORY_ORDER);

/**
 * The largest `sizedFor` of the members, the first of them on a tie: what a stable sort by steps,
 * largest first, puts first. Undefined when no member has one.
 */
function largestSizedFor(members: Finding[]): NonNullable<NonNullable<Finding['runLength']>['sizedFor']> | undefined {
  let sized: NonNullable<NonNullable<Finding['runLength']>['sizedFor']> | undefined;
  for (const m of members) {
    const s = m.runLength?.sizedFor;
    if (s === undefined) continue;
    // A step count that is no finite number compares as the sort's comparator does, not as `>` does.
    if (!Number.isFinite(s.steps)) return members.map((x) => x.runLength?.sizedFor).filter((x): x is NonNullable<typeof x> => x !== undefined).sort((a, b) => b.steps - a.steps)[0];
    if (sized === undefined || s.steps > sized.steps) sized = s;
  }
  return sized;
}

function keyOf(key: string | undefined): string {
  return key ? ` (${key})` : '';
}

/** A run-length finding with the short-run severity applied (before grouping). */
function withShortRunSeverity(f: Finding, ctx: RunFindingsContext): Finding {
  if (!ctx.shortRun) return f;
  if (ctx.launchChecks[f.ruleId]) return { ...f, data: { ...f.data, launchRejects: true } };
  // A finding already at or below the short-run severity is kept as it is (a copy would be the same).
  if (RANK[ctx.shortRunSeverity] >= RANK[f.severity]) return f;
  return { ...f, severity: ctx.shortRunSeverity };
}

/** The short-run remark and data, on the finding that is reported (grouped or single). */
function withShortRunNote(f: Finding, ctx: RunFindingsContext): Finding {
  const run = ctx.shortRun;
  if (!run) return f;
  const rejects = f.merged ? f.merged.some((m) => m.data?.launchRejects) : Boolean(f.data?.launchRejects);
  return { ...f, message: `${f.message}${shortRunNote(run, f.severity, rejects)}`, data: { ...f.data, ...shortRunData(run, rejects) } };
}

/** The remark a finding of a deliberate short run ends with. */
function shortRunNote(run: ShortRun, severity: Severity, rejects: boolean): string {
  return rejects
    ? `; a deliberate short run (${run.why}), but the framework refuses to start on it`
    : `; a deliberate short run (${run.why}), so ${severity === 'warning' ? 'a' : 'an'} ${severity} (shortRun in .trainlint.yml)`;
}

/** The data a finding of a deliberate short run adds (after its own). */
function shortRunData(run: ShortRun, rejects: boolean): { shortRun: Record<string, unknown>; launchRejects?: true } {
  const shortRun = { steps: run.steps, ...(run.sizedFor ? { sizedFor: run.sizedFor.steps } : {}), ...(run.pathWord ? { pathWord: run.pathWord } : {}) };
  return rejects ? { shortRun, launchRejects: true } : { shortRun };
}

/** The member a stable sort by `BY_PRIMARY` puts first among those `eligible` keeps (the first on a tie), if any. */
function firstBy(members: Finding[], eligible: (m: Finding) => boolean): Finding | undefined {
  let best: Finding | undefined;
  for (const m of members) if (eligible(m) && (best === undefined || BY_PRIMARY(m, best) < 0)) best = m;
  return best;
}

const isWritten = (m: Finding): boolean => Boolean(m.runLength?.written);
const anyMember = (): boolean => true;

/** The merged finding of `members` (two or more), with the short-run remark and data when the run is a deliberate short run. */
function merge(members: Finding[], ctx: RunFindingsContext): Finding {
  // The first written member in the primary order, else the first: no sorted copy needed.
  const primary = firstBy(members, isWritten) ?? firstBy(members, anyMember)!;
  const story = members.slice().sort(BY_STORY);
  const total = ctx.plan.totalSteps;
  const steps = total?.value ?? Number(primary.data?.totalSteps);
  const sized = largestSizedFor(members);
  const intervals = members.filter((m) => m.ruleId === 'interval-exceeds-training');
  const sizedByInterval = sized !== undefined && intervals.some((m) => m.runLength?.sizedFor === sized);
  const what = intervals.length === members.length ? 'intervals are' : sizedByInterval ? 'schedule and intervals are' : 'schedule is';
  const nouns = tickNouns(ctx.plan);
  const cause =
    `the run is ${formatCount(steps)} ${nouns.run}${total?.origin === 'launcher' ? brief(total) : keyOf(total?.key)} but its ${what} sized for ` +
    `${sized ? `${sizedByInterval && intervals.length < members.length ? 'up to ' : ''}${formatCount(sized.steps)}${keyOf(sized.key)}` : 'a longer run'}`;
  const decayFixed = members.some((m) => m.ruleId === 'decay-horizon-mismatch');
  const advice = story.map((m) => (decayFixed && m.runLength?.afterDecayFix ? m.runLength.afterDecayFix : m.runLength!.advice));
  // Advice on the horizon first: the warmup that follows it is told after it.
  const decayAt = story.findIndex((m) => m.ruleId === 'decay-horizon-mismatch');
  if (decayAt > 0) {
    const first = advice[decayAt];
    for (let i = decayAt; i > 0; i--) advice[i] = advice[i - 1];
    advice[0] = first;
  }
  const decay = members.find((m) => m.ruleId === 'decay-horizon-mismatch');
  const lengthen =
    !ctx.shortRun && decay && total?.key
      ? `; or lengthen the run (${total.key}) to the ${formatCount(Number(decay.data?.decaySteps))} ${nouns.many} the decay is sized for`
      : '';
  // One key can hold two consequences (nanoGPT checkpoints at its evaluations): say its fix once.
  const fixes: string[] = [];
  for (const a of advice) if (!fixes.includes(a)) fixes.push(a);
  const fix = fixes.join(', ');
  const severity = members.reduce<Severity>((s, m) => (RANK[m.severity] > RANK[s] ? m.severity : s), 'info');
  const merged = flatMembers(members);
  const run = ctx.shortRun;
  const rejects = run !== undefined && merged.some((m) => m.data?.launchRejects);
  const message = `${cause}: ${story.map((m) => m.runLength!.consequence).join('; ')}; to size it for ${formatCount(steps)} ${nouns.many}: ${fix}${lengthen}${run ? shortRunNote(run, severity, rejects) : ''}`;
  const related: RelatedLocation[] = story.filter((m) => m !== primary).map((m) => ({ ...causeLocation(m, ctx.plan), message: m.message }));
  if (total?.range && total.file === primary.path && !members.some((m) => m.range.line === total.range!.line)) {
    related.push({ path: primary.path, range: total.range, message: `the run's length: ${formatCount(steps)} ${nouns.run}${keyOf(total.key)}` });
  }
  return {
    ruleId: primary.ruleId,
    severity,
    message,
    path: primary.path,
    range: primary.range,
    data: {
      ...primary.data,
      grouped: story.map((m) => ({ ruleId: m.ruleId, line: m.range.line, column: m.range.column, ...m.data })),
      ...(run ? shortRunData(run, rejects) : {}),
    },
    fix,
    related,
    // A member that is itself a pair (pairWarmupFindings) stands for both of its findings.
    merged,
  };
}

/** The findings `members` stand for: each member, or the findings it merged itself (`flatMap` without an array per member). */
function flatMembers(members: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const m of members) {
    if (m.merged) for (const x of m.merged) out.push(x);
    else out.push(m);
  }
  return out;
}

/**
 * Where a merged finding's cause is written. A finding must point into its own file, so a rule whose key
 * is written elsewhere (a launch script's `--train.lr_warmup_steps 500`, a linked DeepSpeed file) points
 * at another key of the file; as a related location of the group it points at the setting itself.
 */
function causeLocation(m: Finding, plan: TrainingPlan): { path: string; range: Finding['range'] } {
  const key = m.runLength?.written === false ? m.runLength.sizedFor?.key : undefined;
  const setting = key ? Object.values(plan).find((s) => s?.key === key && s.file !== undefined && s.range !== undefined) : undefined;
  return setting ? { path: setting.file!, range: setting.range! } : { path: m.path, range: m.range };
}

/** warmup-not-rescaled's message split into its cause and its advice (`cause; advice`, the cause ending at "(… vs …)"). */
function rescaleParts(w: Finding): { cause: string; advice: string } | undefined {
  const vs = w.message.indexOf(' vs ');
  const end = vs < 0 ? -1 : w.message.indexOf('); ', vs);
  return end < 0 ? undefined : { cause: w.message.slice(0, end + 1), advice: w.message.slice(end + 3) };
}

/**
 * One warmup key, one finding: the batch grew since the reference, so an unchanged warmup spans more samples
 * (warmup-not-rescaled) and, in a run of fewer steps, a larger share of it (warmup-fraction). Two findings would
 * give two numbers for one key ("39 or less", "25"); the pair is one, at the higher severity, whose advice is one
 * value: the warmup that keeps the samples when that is within warmup-fraction's limit (the finding is then
 * warmup-not-rescaled's, and its fix), else warmup-fraction's bound (the finding is warmup-fraction's, and says
 * that the same samples would be past it). A run-length group (groupRunLength) takes the pair as one member.
 * Suppressions and baselines written for either rule still apply (`merged`).
 */
export function pairWarmupFindings(findings: Finding[], plan: TrainingPlan): Finding[] {
  // Most files have no warmup-fraction finding: nothing to pair (a copy, as below).
  if (!findings.some((f) => f.ruleId === 'warmup-fraction')) return findings.slice();
  const paired = new Set<Finding>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.ruleId !== 'warmup-fraction' || paired.has(f)) {
      if (!paired.has(f)) out.push(f);
      continue;
    }
    const w = findings.find((x) => x.ruleId === 'warmup-not-rescaled' && !paired.has(x) && x.path === f.path && x.range.line === f.range.line && x.range.column === f.range.column);
    const parts = w && rescaleParts(w);
    if (!w || !parts) {
      out.push(f);
      continue;
    }
    paired.add(w);
    out.push(pairOf(f, w, parts, plan));
  }
  return out.filter((f) => !paired.has(f));
}

function pairOf(f: Finding, w: Finding, parts: { cause: string; advice: string }, plan: TrainingPlan): Finding {
  const severity = RANK[w.severity] > RANK[f.severity] ? w.severity : f.severity;
  const { fraction, totalSteps, max, suggestedWarmupSteps: bound } = f.data ?? {};
  const keeping = w.data?.suggestedWarmupSteps;
  // warmup-not-rescaled leaves out its fix past the default 20%; a lower `max` of warmup-fraction is checked here.
  const within = w.fix !== undefined && (typeof keeping !== 'number' || typeof bound !== 'number' || keeping <= bound);
  const share =
    typeof fraction === 'number' && typeof totalSteps === 'number' && typeof max === 'number'
      ? `, and it is ${formatPercent(fraction)} of the run's ${formatCount(totalSteps)} ${tickNouns(plan).run}, above warmup-fraction's ${formatPercent(max)} limit`
      : '';
  // The samples' warmup is the one value when it fits the limit; otherwise warmup-fraction's bound is, and the
  // rescale says why the same samples cannot be kept.
  const pastLimit = w.fix === undefined ? parts.advice : `keeping the same warmup in samples (${String(keeping)}) would still be past the limit`;
  const message = within
    ? `${parts.cause}${share}; ${parts.advice}, which also brings it within the limit${derivation(['warmup', plan.warmupSteps], ['the run', plan.totalSteps])}`
    : `${f.message}; ${parts.cause}: ${pastLimit}`;
  const [primary, other] = within ? [w, f] : [f, w];
  const ratio = w.data?.batchRatio;
  const { fix: _fix, edit: _edit, ...rest } = f;
  return {
    ...rest,
    ruleId: primary.ruleId,
    severity,
    message,
    ...(primary.fix !== undefined ? { fix: primary.fix } : {}),
    ...(primary.edit ? { edit: primary.edit } : {}),
    data: { ...primary.data, pairedWith: { ruleId: other.ruleId, ...other.data } },
    ...(f.runLength
      ? {
          runLength: {
            ...f.runLength,
            ...(within ? { advice: w.fix! } : {}),
            consequence: `${f.runLength.consequence} (and ${typeof ratio === 'number' ? `${formatRatio(ratio)}×` : 'more'} the samples it spanned at the reference)`,
          },
        }
      : {}),
    merged: [...(f.merged ?? [f]), ...(w.merged ?? [w])],
  };
}

/**
 * Pair the warmup findings of one key (pairWarmupFindings), then group the run-length findings of
 * one file's run (at least two) into one finding; any other finding passes unchanged. Also used to regroup what is left after suppressions or baselines.
 */
export function groupRunLength(findings: Finding[], ctx: RunFindingsContext): Finding[] {
  const paired = pairWarmupFindings(findings, ctx.plan);
  // The others first, then the run-length findings (one merged finding for two or more), in one pass.
  const others: Finding[] = [];
  const members: Finding[] = [];
  for (const f of paired) (f.runLength ? members : others).push(f);
  if (members.length < 2) {
    for (const m of members) others.push(withShortRunNote(m, ctx));
  } else {
    others.push(merge(members, ctx));
  }
  return others;
}

/**
 * A number the loader does not type as the schema wants (`learning_rate: 2e-5`, a string for PyYAML) is one
 * cause: the `schema` error names the scalar with the loader's reading and the fix, so a
 * `yaml11-ambiguous-scalar` finding on that scalar (same line, its text quoted in the schema message) is merged
 * into it. Suppressions written for either still apply (`merged`).
 */
export function mergeScalarTyping(findings: Finding[]): Finding[] {
  const typing = findings.filter((f) => f.ruleId === 'yaml11-ambiguous-scalar' && typeof f.data?.source === 'string');
  if (typing.length === 0) return findings;
  const absorbed = new Set<Finding>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.ruleId !== 'schema') {
      out.push(f);
      continue;
    }
    const same = typing.filter((t) => !absorbed.has(t) && t.path === f.path && t.range.line === f.range.line && f.message.includes(`\`${String(t.data!.source)}\``));
    same.forEach((t) => absorbed.add(t));
    out.push(same.length ? { ...f, merged: [f, ...same], related: [...(f.related ?? []), ...same.map((t) => ({ path: t.path, range: t.range, message: t.message }))] } : f);
  }
  return out.filter((f) => !absorbed.has(f));
}

/** Short-run severities, then one finding per cause. */
export function shapeRunFindings(findings: Finding[], ctx: RunFindingsContext): Finding[] {
  // Most files: no run-length finding, no warmup-fraction finding to pair, no scalar typing to merge:
  // the steps below would give a copy of `findings`.
  if (!findings.some(needsShaping)) return findings.slice();
  return groupRunLength(
    mergeScalarTyping(findings).map((f) => (f.runLength ? withShortRunSeverity(f, ctx) : f)),
    ctx,
  );
}

/** A finding that a step of shapeRunFindings can change, group, pair or merge. */
function needsShaping(f: Finding): boolean {
  return f.runLength !== undefined || f.ruleId === 'warmup-fraction' || f.ruleId === 'yaml11-ambiguous-scalar';
}
