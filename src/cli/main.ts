/** The CLI: argv → engine → reporter → exit code (0 clean, 1 findings, 2 usage/internal). */
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../config/errors.js';
import { readConfig } from '../config/load-config.js';
import { policyNotes } from '../config/policy-notes.js';
import { buildReport, reportFile, reportParts, reportPlan, textsOf, TOOL_VERSION } from '../engine/build-report.js';
import { GitError } from '../engine/git.js';
import { lint, runPlanOf, type FileResult, type LintOptions } from '../engine/lint.js';
import { BASELINE_FILE, MAX_BASELINE_BYTES, parseBaseline } from '../engine/baseline.js';
import { baselineOf, hideBaselined } from '../engine/baseline-results.js';
import { agreedEdits, applyEdits, unappliedFixes, unifiedDiff } from '../engine/fix.js';
import { checkRepoPath, decodeUtf8, readRepoFile, repoRootOf } from '../engine/repo-files.js';
import { userFacingMessage } from '../engine/load/result.js';
import type { Report } from '../engine/report-types.js';
import { RULES } from '../rules/index.js';
import { formatReport } from '../report/index.js';
import { endLintWorkers } from '../engine/parallel/pool.js';
import { writeJson } from '../report/json.js';
import { formatPlan } from '../report/plan-text.js';
import { HELP, parseCliArgs, type CliArgs, type FailOn } from './args.js';
import { COMMAND_LINE_PATH, commandLineFile, namedConfigPaths, parseExecArgs, runCommand, scriptRun, scriptRunFile } from './exec.js';
import { findRepositoryRoot } from '../engine/repository.js';
import { lrChartSvg } from '../report/chart-svg.js';
import type { PlanChange } from '../report/markdown.js';
import { DEFAULT_MAX_FILE_BYTES } from '../engine/load-file.js';
import { readProcessStdin, stdinIgnored, stdinPath, stdinSource } from './stdin.js';
import { runInit } from './init.js';
import { runRescale } from './rescale.js';
import { writePiecesAsText, writePiecesToFile } from './write-pieces.js';

export interface CliIO {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** Runs a launch command for `trainlint exec` (tests substitute a recorder). */
  run?: (command: string[], cwd: string) => Promise<number>;
  /** Standard input for `--stdin` (default: the process's, up to `maxBytes`). */
  readStdin?: (maxBytes: number) => Promise<Uint8Array>;
}

export function exitCodeFor(report: Pick<Report, 'summary'>, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  if (report.summary.errors > 0) return 1;
  if (failOn === 'warning' && report.summary.warnings > 0) return 1;
  return 0;
}

function rulesTable(): string {
  const width = Math.max(...RULES.map((r) => r.meta.id.length));
  const header = `${'rule'.padEnd(width)}  ${'default'.padEnd(7)}  fixable  description`;
  const rows = RULES.map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.defaultSeverity.padEnd(7)}  ${(r.meta.fixable ? 'yes' : 'no').padEnd(7)}  ${r.meta.description}`);
  return [header, ...rows].join('\n') + '\n';
}

async function runPlan(args: CliArgs, io: CliIO): Promise<number> {
  const { config } = readConfig(io.cwd, args.config, findRepositoryRoot(io.cwd));
  checkOutputFolder(args, io);
  const named = args.paths[0];
  let isFolder = false;
  try {
    isFolder = statSync(path.resolve(io.cwd, named)).isDirectory();
  } catch {
    // not a path on disk (a glob, or missing): lint() says so
  }
  if (isFolder) throw new UsageError(`plan: ${named} is a folder; name one config file`);
  // The full pipeline (so references, links and --base apply), restricted to this one file.
  // One thread: `plan` prints everything the extraction holds (workers keep what reports read).
  const { results } = await lint({ root: io.cwd, repoRoot: findRepositoryRoot(io.cwd), paths: [named], config, base: args.base, cliRules: args.rules, jobs: 1 });
  const result = results[0];
  if (!result) throw new UsageError(`plan: ${named} matches no file`);
  // A config named by several launch commands has one plan per command.
  const plans = results.filter((r) => r.file.path === result.file.path);
  if (args.chart) writeChart(result, args.chart, io);
  const out =
    args.format === 'json'
      ? JSON.stringify(plans.length > 1 ? plans.map(reportFile) : reportFile(result), null, 2) + '\n'
      : plans.map(formatPlan).join('\n');
  emit(args, io, out);
  return 0;
}

/** `plan --chart FILE`: the LR schedule (and the reference's, when there is one) as an SVG. */
function writeChart(result: FileResult, file: string, io: CliIO): void {
  if (!result.extraction) throw new UsageError(`plan --chart: ${result.file.path} has no plan (${result.reason ?? 'no dialect'})`);
  const head = { name: result.reference ? 'head' : 'run', label: result.file.path, plan: reportPlan(runPlanOf(result)) };
  const runs = result.reference ? [{ name: 'base', label: result.reference.label, plan: reportPlan(result.reference.plan) }, head] : [head];
  const svg = lrChartSvg(runs, `LR schedule of ${result.file.path}`);
  if (!svg) throw new UsageError(`plan --chart: the LR schedule of ${result.file.path} cannot be drawn: its plan (or its reference's) lacks the peak LR or the run length (see \`trainlint plan ${result.file.path}\`)`);
  writeOutput('--chart', file, () => writeFileSync(path.resolve(io.cwd, file), svg));
  io.stderr(`trainlint: wrote the LR chart to ${file}\n`);
}

/** The configs with a reference, base → head, for the markdown format's plan section. */
function planChanges(results: FileResult[]): PlanChange[] {
  return results
    .filter((r) => r.extraction && r.reference)
    .map((r) => ({ path: r.file.path, head: reportPlan(runPlanOf(r)), base: reportPlan(r.reference!.plan), baseLabel: r.reference!.label }));
}

/**
 * `-o FILE` (or `--chart FILE`) is written where the user said: a folder that does not exist, or a
 * file that cannot be written, is a usage error that names it, not an internal error.
 */
function writeOutput(flag: string, file: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    const why = code === 'ENOENT' ? `the folder ${path.dirname(file)} does not exist` : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    throw new UsageError(`${flag} ${file}: cannot write the file (${why})`);
  }
}

/** `-o FILE` in a folder that does not exist: said before linting, not after. */
function checkOutputFolder(args: CliArgs, io: CliIO): void {
  for (const [flag, file] of [['-o', args.output], ['--chart', args.chart]] as const) {
    if (!file) continue;
    const dir = path.dirname(path.resolve(io.cwd, file));
    let isFolder = false;
    try {
      isFolder = statSync(dir).isDirectory();
    } catch {
      // missing: said below
    }
    if (!isFolder) throw new UsageError(`${flag} ${file}: cannot write the file (the folder ${path.dirname(file)} does not exist)`);
  }
}

function emit(args: CliArgs, io: CliIO, text: string): void {
  const output = args.output;
  if (output) writeOutput('-o', output, () => writeFileSync(path.resolve(io.cwd, output), text));
  else io.stdout(text);
}

/** Like `emit`, for a text made piece by piece (strings and UTF-8): written in blocks of about 1 MiB. */
function emitPieces(args: CliArgs, io: CliIO, make: (write: (piece: string | Uint8Array) => void) => void): void {
  const output = args.output;
  if (output) writeOutput('-o', output, () => writePiecesToFile(path.resolve(io.cwd, output), make));
  else writePiecesAsText(io.stdout, make);
}

async function runExec(argv: string[], io: CliIO): Promise<number> {
  const args = parseExecArgs(argv);
  const { config } = readConfig(io.cwd, args.config, findRepositoryRoot(io.cwd));
  // A command that runs a launch script of the repository (`NGPU=4 CONFIG_FILE=… ./run_train.sh`):
  // the script is the launch, read with the command's environment; any other: the command line.
  const run = scriptRun(args.command);
  const script = run && scriptRunFile(run, io.cwd, config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const file = script ?? commandLineFile(args.command);
  const paths = namedConfigPaths(file, args.command, io.cwd, script && run);
  // The command line is the launch: the repository's scripts do not add plans of their own.
  const { results } = await lint({ root: io.cwd, paths, config, cliRules: args.rules, virtualFiles: [file], repoScripts: false });
  const report = buildReport(results);
  const sources = textsOf(results);
  const color = args.color ?? (io.isTTY && !process.env.NO_COLOR);
  // Findings go to stderr so that the training command keeps stdout to itself.
  io.stderr(formatReport(args.format, report, { color, sources }));
  const code = exitCodeFor(report, args.failOn);
  if (code !== 0) {
    io.stderr(`trainlint: not running the command: findings reach --fail-on ${args.failOn}\n`);
    return code;
  }
  if (args.dryRun) return 0;
  return io.run ? io.run(args.command, io.cwd) : runCommand(args.command, io.cwd);
}

/**
 * Apply (or, for a dry run, diff) the edits of every file's fixable findings. A file that cannot
 * be written is reported on its own (`notes`) and the others are still fixed; so is a value left
 * as it is because the launches of its file want different values for it. A byte order mark is
 * written back; line endings are untouched (edits replace values only).
 */
function fixFiles(results: FileResult[], cwd: string, dryRun: boolean): { files: number; edits: number; diff: string; notes: string[] } {
  let files = 0;
  let edits = 0;
  let diff = '';
  // A config linted once per launch script has several results: its edits are applied together.
  const notes: string[] = [];
  const byFile = new Map<string, FileResult[]>();
  for (const r of results) byFile.set(r.file.path, [...(byFile.get(r.file.path) ?? []), r]);
  for (const group of byFile.values()) {
    const result = group[0];
    if (result.file.path === COMMAND_LINE_PATH) continue;
    const launches = group.flatMap((r) => (r.launch ? [`${r.launch.script}:${r.launch.range.line}`] : []));
    const findings = group.flatMap((r) => r.findings);
    const { edits: agreed, refused } = agreedEdits(findings, launches);
    for (const r of refused) notes.push(`trainlint: ${result.file.path}:${r.range.line}:${r.range.column}: not fixed: the launches of this file want different values (${r.why})\n`);
    // An advertised fix `--fix` cannot apply is said, never skipped in silence.
    const told = new Set<string>();
    for (const u of unappliedFixes(findings)) {
      const line = `trainlint: ${result.file.path}:${u.range.line}:${u.range.column}: not fixed: ${u.fix} [${u.ruleId}] (${u.why})\n`;
      if (!told.has(line)) notes.push(line);
      told.add(line);
    }
    const { text, applied } = applyEdits(result.file.text, agreed);
    if (applied === 0) continue;
    if (dryRun) {
      diff += unifiedDiff(result.file.path, result.file.text, text);
    } else {
      try {
        writeFileSync(path.resolve(cwd, result.file.path), result.file.bom ? `\ufeff${text}` : text);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        notes.push(`trainlint: cannot write ${result.file.path} (${code}); its ${applied} fix(es) were not applied\n`);
        continue;
      }
    }
    files++;
    edits += applied;
  }
  return { files, edits, diff, notes };
}

/**
 * The baseline's text, read through the engine's resolver (inside the repository, a regular file,
 * a byte limit on the read): a FIFO or a device named as the baseline is refused, never read.
 */
function readBaselineFile(cwd: string, file: string, shown: string): string | undefined {
  const read = readRepoFile(repoRootOf(cwd), file, MAX_BASELINE_BYTES, 'the size limit of a baseline');
  if (!read.ok) {
    if (read.refusal === 'missing') return undefined;
    throw new UsageError(`${shown}: ${read.why.replace(/; (skipped|not read)$/, '')}; not read`);
  }
  const text = decodeUtf8(read.bytes);
  if (text === undefined) throw new UsageError(`${shown}: not valid UTF-8; not read`);
  return text;
}

/** `--update-baseline` writes only a regular file inside the repository (or a new one). */
function writeBaselineFile(cwd: string, file: string, shown: string, text: string): void {
  const check = checkRepoPath(repoRootOf(cwd), file);
  if (!check.ok && check.refusal !== 'missing') throw new UsageError(`${shown}: ${check.why}; not written`);
  const rel = path.relative(cwd, file);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) throw new UsageError(`${shown}: outside the repository; not written`);
  writeOutput('--update-baseline', shown, () => writeFileSync(file, text));
}

/** Hide baselined findings in place; returns the line to print about it. */
function filterByBaseline(results: FileResult[], text: string, shown: string, root: string): string {
  const baseline = parseBaseline(text);
  if (!baseline) throw new UsageError(`${shown}: not a trainlint baseline (version 1); recreate it with --update-baseline`);
  // Entries of files this run did not lint (a pre-commit run lints a few) are neither hidden nor gone.
  const { hidden, fixed } = hideBaselined(results, baseline, { root });
  const parts: string[] = [];
  if (hidden) parts.push(`${hidden} finding(s) hidden by ${shown}`);
  if (fixed) parts.push(`${fixed} baselined finding(s) no longer occur: prune them with --update-baseline`);
  return parts.length ? `trainlint: ${parts.join('; ')}\n` : '';
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let args: CliArgs | undefined;
  try {
    if (argv[0] === 'exec') return await runExec(argv.slice(1), io);
    if (argv[0] === 'init') return await runInit(argv.slice(1), io);
    if (argv[0] === 'rescale') return await runRescale(argv.slice(1), io);
    args = parseCliArgs(argv);
    if (args.command === 'help') {
      io.stdout(HELP);
      return 0;
    }
    if (args.command === 'version') {
      io.stdout(`trainlint ${TOOL_VERSION}\n`);
      return 0;
    }
    if (args.command === 'rules') {
      io.stdout(rulesTable());
      return 0;
    }
    if (args.command === 'plan') return await runPlan(args, io);
    const repoRoot = findRepositoryRoot(io.cwd);
    const { config } = readConfig(io.cwd, args.config, repoRoot);
    checkOutputFolder(args, io);
    const options: LintOptions = {
      root: io.cwd,
      repoRoot,
      paths: args.paths,
      config,
      base: args.base,
      cliRules: args.rules,
      jobs: args.jobs,
      renderJson: args.format === 'json',
    };
    let stdinRel: string | undefined;
    if (args.stdin) {
      stdinRel = stdinPath(io.cwd, args.stdinFilename);
      const maxBytes = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
      const bytes = await (io.readStdin ?? readProcessStdin)(maxBytes);
      if (bytes.length > maxBytes) throw new UsageError(`--stdin: the input is larger than ${maxBytes} bytes (maxFileBytes)`);
      if (stdinIgnored(config, stdinRel)) {
        io.stderr(`trainlint: ${stdinRel} is ignored by the configuration's ignore globs; nothing linted\n`);
        return 0;
      }
      options.stdinFile = stdinSource(stdinRel, bytes, config);
    }
    let { results } = await lint(options);
    // Only the buffer's own findings: an editor shows them on the buffer.
    if (stdinRel !== undefined) results = results.filter((r) => r.file.path === stdinRel);
    // `files` entries and references that lead nowhere: said, never fatal (a deleted config).
    else if (args.paths.length === 0) for (const note of policyNotes(io.cwd, config, results.map((r) => r.file.path))) io.stderr(`trainlint: ${note}\n`);
    const baselinePath = path.resolve(io.cwd, args.baseline ?? BASELINE_FILE);
    const baselineShown = args.baseline ?? BASELINE_FILE;
    // Hides the baselined findings of `results` (before a fix, so that hidden findings are not fixed).
    const hideBaseline = (): string => {
      if (args!.noBaseline || args!.updateBaseline) return '';
      const text = readBaselineFile(io.cwd, baselinePath, baselineShown);
      if (text === undefined && args!.baseline) throw new UsageError(`baseline file not found: ${baselineShown}`);
      return text === undefined ? '' : filterByBaseline(results, text, baselineShown, io.cwd);
    };
    let baselineSummary: string | undefined;
    if (args.fix || args.fixDryRun) {
      baselineSummary = hideBaseline();
      const fixed = fixFiles(results, io.cwd, args.fixDryRun);
      for (const line of fixed.notes) io.stderr(line);
      if (args.fixDryRun) {
        // The diff is the output (-o writes it to a file); the exit code is the lint's, as without --fix-dry-run.
        emit(args, io, fixed.diff);
        if (baselineSummary) io.stderr(baselineSummary);
        io.stderr(`trainlint: ${fixed.edits} fix(es) in ${fixed.files} file(s) would be applied (dry run)\n`);
        return exitCodeFor(buildReport(results, { files: 'paths' }), args.failOn);
      }
      io.stderr(`trainlint: applied ${fixed.edits} fix(es) in ${fixed.files} file(s)\n`);
      if (fixed.files > 0) {
        results = (await lint(options)).results;
        baselineSummary = undefined;
      }
    }
    // No more lint runs: the workers' memory is freed before the report is written.
    await endLintWorkers();
    if (args.updateBaseline) {
      // The entries of files this run did not lint are kept (a lint of some files updates their entries only).
      const previousText = readBaselineFile(io.cwd, baselinePath, baselineShown);
      const previous = previousText === undefined ? undefined : (parseBaseline(previousText) ?? undefined);
      const { baseline, count, kept } = baselineOf(results, previous, { root: io.cwd });
      writeBaselineFile(io.cwd, baselinePath, baselineShown, JSON.stringify(baseline, null, 2) + '\n');
      const keptText = kept ? `; kept ${kept} entr${kept === 1 ? 'y' : 'ies'} of files not linted in this run` : '';
      io.stderr(`trainlint: recorded ${count} finding(s) in ${path.relative(io.cwd, baselinePath) || baselinePath}${keptText}\n`);
      return 0;
    }
    const summary = baselineSummary ?? hideBaseline();
    if (summary) io.stderr(summary);
    if (args.format === 'json') {
      // Written piece by piece: a large run never holds the whole report (or its text) at once.
      const parts = reportParts(results);
      emitPieces(args, io, (write) => writeJson(parts, write));
      return exitCodeFor({ summary: parts.summary() }, args.failOn);
    }
    const changes = args.format === 'markdown' ? planChanges(results) : undefined;
    // The other formats print no plan: the report's files carry their paths only.
    const report = buildReport(results, { files: 'paths' });
    const sources = textsOf(results);
    const color = args.color ?? (io.isTTY && !args.output && !process.env.NO_COLOR);
    emit(args, io, formatReport(args.format, report, { color, sources, changes, failOn: args.failOn, notify: io.stderr }));
    return exitCodeFor(report, args.failOn);
  } catch (err) {
    if (err instanceof UsageError || err instanceof GitError) {
      io.stderr(`trainlint: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    io.stderr(`trainlint: internal error: ${userFacingMessage(e?.message?.split('\n')[0] ?? String(err))}${args?.debug ? `\n${e?.stack ?? ''}` : ' (run with --debug for details)'}\n`);
    return 2;
  }
}
