/**
 * `trainlint rescale FILE (--global-batch N | --micro-batch N | --world-size N) [--rule linear|sqrt]
 * [--dry-run]`: ports a config to another global batch (engine/rescale.ts), rewriting its values in
 * place as `--fix` does (only the values' characters change), and explains every change with its
 * arithmetic. The rescaled text is linted again as the file at the same path (same launch scripts,
 * linked files and settings) to confirm the new global batch and show what follows from it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../config/errors.js';
import { readConfig, settingsFor } from '../config/load-config.js';
import type { TrainlintConfig } from '../config/types.js';
import type { Setting } from '../engine/types.js';
import { applyEdits, unifiedDiff } from '../engine/fix.js';
import { formatCount } from '../engine/format-number.js';
import { lint, runPlanOf, type FileResult } from '../engine/lint.js';
import { parseSource } from '../engine/load-file.js';
import { rescale, RescaleError, type RescaleResult, type RescaleTarget } from '../engine/rescale.js';
import { findRepositoryRoot } from '../engine/repository.js';
import { stripTerminalControls } from '../report/escape.js';
import type { CliIO } from './main.js';

export const RESCALE_USAGE = 'usage: trainlint rescale FILE (--global-batch N | --micro-batch N | --world-size N) [--rule linear|sqrt] [--dry-run] [-c CONFIG]';

export interface RescaleArgs {
  file: string;
  target: RescaleTarget;
  rule?: 'linear' | 'sqrt';
  dryRun: boolean;
  config?: string;
}

export function parseRescaleArgs(argv: string[]): RescaleArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'global-batch': { type: 'string' },
        'micro-batch': { type: 'string' },
        'world-size': { type: 'string' },
        rule: { type: 'string' },
        'dry-run': { type: 'boolean' },
        config: { type: 'string', short: 'c' },
      },
    });
  } catch (err) {
    throw new UsageError(`rescale: ${(err as Error).message.split('\n')[0]}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(RESCALE_USAGE);
  const targets = (['global-batch', 'micro-batch', 'world-size'] as const).filter((k) => values[k] !== undefined);
  if (targets.length !== 1) throw new UsageError(`rescale: give exactly one of --global-batch, --micro-batch, --world-size (${RESCALE_USAGE})`);
  const kind = targets[0];
  const raw = values[kind]!;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) throw new UsageError(`rescale: --${kind} needs a positive integer (got "${raw}")`);
  const rule = values.rule;
  if (rule !== undefined && rule !== 'linear' && rule !== 'sqrt') throw new UsageError(`rescale: --rule must be linear or sqrt (got "${rule}")`);
  return { file: positionals[0], target: { kind, value: Number(raw) }, rule, dryRun: values['dry-run'] ?? false, config: values.config };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The explanation: one line per change with its arithmetic, then what stays and what to check by hand. */
export function formatRescale(file: string, r: RescaleResult, after: string[]): string {
  const clean = stripTerminalControls;
  const lines = [`${clean(file)}: global batch ${r.k === 1 ? `stays ${formatCount(r.oldGlobal)}` : `${formatCount(r.oldGlobal)} → ${formatCount(r.newGlobal)} (×${formatCount(Number(r.k.toFixed(4)))})`}`];
  const width = Math.max(0, ...r.changes.map((c) => `${c.key} ${c.from} → ${c.to}`.length));
  for (const c of r.changes) lines.push(`  ${pad(`${c.range.line}:${c.range.column}`, 7)} ${pad(clean(`${c.key} ${c.from} → ${c.to}`), width)}  ${clean(c.why)}`);
  if (r.changes.length === 0) lines.push('  no value in the file changes');
  for (const k of r.kept) lines.push(`  unchanged: ${clean(k)}`);
  for (const a of after) lines.push(`  then: ${clean(a)}`);
  if (r.manual.length) {
    lines.push('  not changed, set by hand:');
    for (const m of r.manual) lines.push(`    - ${clean(m)}`);
  }
  return lines.join('\n') + '\n';
}

/** What the rescaled plan derives differently (run length, steps per epoch), and a check of the new global batch. */
function derivedChanges(before: FileResult, after: FileResult | undefined, r: RescaleResult): string[] {
  if (!after?.extraction) return ['the rescaled file could not be analysed again; check it with `trainlint plan`'];
  const a = runPlanOf(after);
  const b = runPlanOf(before);
  const out: string[] = [];
  const g = a.globalBatchSize?.value;
  if (g !== undefined && g !== r.newGlobal) out.push(`the rescaled file's global batch is ${formatCount(g)}, not ${formatCount(r.newGlobal)}: check the values set by hand`);
  for (const field of ['stepsPerEpoch', 'totalSteps'] as const) {
    const x = b[field];
    const y = a[field];
    if (x && y && x.value !== y.value && y.origin === 'derived') out.push(`${field === 'totalSteps' ? 'the run' : 'an epoch'} is ${formatCount(y.value)} steps (was ${formatCount(x.value)})`);
  }
  return out;
}

/** Rules whose errors mean the framework or its loader refuses the run (not advice about a run that starts). */
const REFUSALS = new Set(['batch-size-mismatch', 'schema', 'cross-file-mismatch', 'parse-error', 'yaml11-ambiguous-scalar', 'conflicting-settings']);

/** Whether a finding is a cross-file mismatch only on values rescale lists to set by hand in that linked file. */
function awaitsHand(f: FileResult['findings'][number], byHand: RescaleResult['linkedByHand']): boolean {
  if (f.ruleId !== 'cross-file-mismatch' || byHand.length === 0) return false;
  const data = f.data ?? {};
  const all = (Array.isArray(data.mismatches) ? data.mismatches : [data]) as Record<string, unknown>[];
  return all.every((m) => byHand.some((h) => h.field === m.field && h.file === m.linkedFile));
}

/**
 * The findings the rescaled file has that the original did not, each as `[rule] path:line:col: message`.
 * A mismatch with a linked file on values listed to set by hand there is not a refusal: it is what those
 * values fix (`byHand`).
 */
export function newFindings(before: FileResult, after: FileResult | undefined, byHand: RescaleResult['linkedByHand'] = []): { refusals: string[]; others: string[] } {
  const out = { refusals: [] as string[], others: [] as string[] };
  if (!after) return out;
  const own = (r: FileResult) => r.findings.filter((f) => f.path === r.file.path);
  const had = new Map<string, number>();
  for (const f of own(before)) had.set(f.ruleId, (had.get(f.ruleId) ?? 0) + 1);
  for (const f of own(after)) {
    const left = had.get(f.ruleId) ?? 0;
    if (left > 0) {
      had.set(f.ruleId, left - 1);
      continue;
    }
    const text = `[${f.ruleId}] ${f.path}:${f.range.line}:${f.range.column}: ${f.message.replace(/\s+/g, ' ')}`;
    if (awaitsHand(f, byHand)) out.others.push(`${text} (until the value set by hand in ${f.data?.linkedFile as string} is changed)`);
    else (f.severity === 'error' && REFUSALS.has(f.ruleId) ? out.refusals : out.others).push(text);
  }
  return out;
}

/** The peak LRs the DeepSpeed files linked to a config write (each as written there). */
function deepSpeedLrs(result: FileResult): Setting<number>[] {
  return (result.linked ?? []).flatMap((l) => (l.role === 'deepspeed' && l.plan.peakLr ? [l.plan.peakLr] : []));
}

/** A world size given as `.trainlint.yml` assumes it for `rel` (an override, so it wins over the file's own). */
function assumingWorld(config: TrainlintConfig, rel: string, worldSize: number): TrainlintConfig {
  return { ...config, overrides: [...(config.overrides ?? []), { files: rel, assume: { worldSize } }] };
}

/**
 * The rescaled text linted again at the same path (same launch scripts, linked files and settings), with the
 * result it is compared with. The check is made at the new world size: one assumed in `.trainlint.yml` is
 * assumed at its new value; one a launcher gives and that rescale does not edit (it is listed to change by
 * hand) cannot be changed in the script's reading, so both texts are linted without the scripts, at the
 * old and the new world size as assumed. When the scripts give more than the world size (the plan differs
 * without them), the check is not made and a note says so.
 */
async function checkRescaled(input: {
  io: CliIO;
  repoRoot: string;
  config: TrainlintConfig;
  rel: string;
  text: string;
  first: FileResult;
  target: RescaleTarget;
  result: RescaleResult;
}): Promise<{ before: FileResult; after: FileResult | undefined; notes: string[] }> {
  const { io, repoRoot, config, rel, text, first, target, result } = input;
  const stdinFile = () => parseSource(rel, text, { yamlVersion: config.yaml });
  const world = runPlanOf(first).worldSize;
  const worldEdited = result.changes.some((c) => c.field === 'worldSize');
  const sameLaunch = (r: FileResult) => r.file.path === rel && (!first.launch || r.launch?.script === first.launch.script);
  if (target.kind !== 'world-size' || !world || world.origin === 'assumed' || worldEdited) {
    const againConfig = target.kind === 'world-size' && world?.origin === 'assumed' ? assumingWorld(config, rel, target.value) : config;
    const again = await lint({ root: io.cwd, repoRoot, paths: [], config: againConfig, stdinFile: stdinFile() });
    return { before: first, after: again.results.find(sameLaunch), notes: [] };
  }
  // The launcher's count is changed by hand: the rescaled file is checked as it will run, at the new world size.
  const alone = await lint({ root: io.cwd, repoRoot, paths: [rel], config: assumingWorld(config, rel, world.value), repoScripts: false });
  const before = alone.results.find((r) => r.file.path === rel);
  if (!before?.extraction || runPlanOf(before).globalBatchSize?.value !== result.oldGlobal || runPlanOf(before).worldSize?.value !== world.value) {
    return { before: first, after: undefined, notes: [`not checked at world size ${formatCount(target.value)}: the launch script gives ${rel} more than its world size; run \`trainlint\` after changing the launcher`] };
  }
  const again = await lint({ root: io.cwd, repoRoot, paths: [], config: assumingWorld(config, rel, target.value), stdinFile: stdinFile(), repoScripts: false });
  return { before, after: again.results.find((r) => r.file.path === rel), notes: [] };
}

export async function runRescale(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${RESCALE_USAGE}\n\nRewrites FILE for the new batch: the LR by the rule (default as lr-not-rescaled chooses: sqrt for\nAdam-family optimizers, linear for SGD-family), warmup, run length, decay horizon and save/eval\nintervals and multi-step milestones kept in samples. Every change is explained; values that are not literal text are listed.\nA target the framework would refuse (a batch it cannot split into whole numbers) is refused with exit 2.\n--dry-run prints the explanation and a diff and writes nothing.\n`);
    return 0;
  }
  const args = parseRescaleArgs(argv);
  const { config } = readConfig(io.cwd, args.config);
  const repoRoot = findRepositoryRoot(io.cwd);
  const { results } = await lint({ root: io.cwd, repoRoot, paths: [args.file], config });
  const first = results[0];
  if (!first) throw new UsageError(`rescale: ${args.file} matches no file`);
  if (results.some((r) => r.file.path !== first.file.path)) throw new UsageError(`rescale: ${args.file} names more than one file; rescale one config at a time`);
  if (!first.extraction || !first.dialect) throw new UsageError(`rescale: ${first.file.path} has no plan (${first.reason ?? 'no dialect'})`);
  const batches = new Set(results.map((r) => runPlanOf(r).globalBatchSize?.value));
  if (batches.size > 1) throw new UsageError(`rescale: ${first.file.path} is started by several launch commands with different global batches (${[...batches].join(', ')}); rescale needs one`);
  const rel = first.file.path;
  const scaling = settingsFor(config, rel).rules.get('lr-not-rescaled')?.options?.scaling as 'linear' | 'sqrt' | 'either' | undefined;
  let result: RescaleResult;
  try {
    result = rescale({ file: first.file, plan: runPlanOf(first), ownPlan: first.extraction.plan, linkedLrs: deepSpeedLrs(first), target: args.target, rule: args.rule, scaling, yamlLoader: first.dialect.meta.yamlLoader, framework: first.dialect.meta.title });
  } catch (err) {
    if (err instanceof RescaleError) throw new UsageError(`rescale: ${err.message}`);
    throw err;
  }
  const { text } = applyEdits(first.file.text, result.edits);
  const check = await checkRescaled({ io, repoRoot, config, rel, text, first, target: args.target, result });
  const found = newFindings(check.before, check.after, result.linkedByHand);
  if (found.refusals.length) throw new UsageError(`rescale: ${rel} was not changed: the rescaled run would not start: ${found.refusals[0]}`);
  io.stdout(formatRescale(rel, result, [...check.notes, ...(check.notes.length ? [] : derivedChanges(check.before, check.after, result)), ...found.others.map((f) => `check ${f}`)]));
  if (args.dryRun) {
    io.stdout(unifiedDiff(rel, first.file.text, text));
    io.stderr(`trainlint: ${result.changes.length} value(s) would change in ${rel} (dry run)\n`);
    return 0;
  }
  if (text !== first.file.text) writeFileSync(path.resolve(io.cwd, rel), first.file.bom ? `\ufeff${text}` : text);
  io.stderr(`trainlint: ${text !== first.file.text ? `rewrote ${result.changes.length} value(s) in ${rel}` : `${rel} unchanged`}${result.manual.length ? `; ${result.manual.length} value(s) to set by hand (listed above)` : ''}\n`);
  return 0;
}
