/**
 * The engine: discover → load → detect dialect → extract plan → pair with a reference →
 * rules → suppressions → sorted findings. Shared by the CLI and the action.
 */
import path from 'node:path';
import { settingsFor } from '../config/load-config.js';
import type { RuleSetting, TrainlintConfig, FileSettings } from '../config/types.js';
import { detectDialect, dialectById } from '../dialects/index.js';
import type { Dialect, ExtractEnv, Extraction } from '../dialects/types.js';
import { RULES, RULES_BY_ID } from '../rules/index.js';
import type { Reference, RuleContext } from '../rules/types.js';
import { discover, toPosix } from './discover.js';
import { checkRepoPath, describeTried, repoRootOf, resolveWritten, type PathBase } from './repo-files.js';
import { readBaseVersions, repoRoot } from './git.js';
import { DEFAULT_MAX_FILE_BYTES, formatOf, loadFile, parseSource } from './load-file.js';
import { SchemaStore } from './schemas.js';
import { applySuppressions } from './suppressions.js';
import { appendAll, capPerKind } from './caps.js';
import { userFacingMessage } from './load/result.js';
import { linkRequests, mergeLinked, type LinkedPlan } from './links.js';
import type { SourceFile } from './source.js';
import { fileStartRange } from './source.js';
import type { Finding, PlanField, Setting, TrainingPlan } from './types.js';

export interface LintOptions {
  /** Folder that paths are relative to (the repository root). */
  root: string;
  /** Paths and globs; empty means the config's `files`, else the root. */
  paths: string[];
  config: TrainlintConfig;
  /** Compare each file with its version at this git ref. */
  base?: string;
  /** `--rule ID=SEVERITY` overrides. */
  cliRules?: Record<string, RuleSetting>;
  /** Files that exist only in memory (the command line of `trainlint exec`), linted first. */
  virtualFiles?: SourceFile[];
  /** Values a launch command gives every config it names (origin 'launcher'); they win over `assume`. */
  launcherValues?: Partial<Record<PlanField, Setting>>;
  /** Plans linked to every linted file by the launch command (an accelerate --config_file). */
  launcherLinks?: LinkedPlan[];
  /** User schema texts by the path `.trainlint.yml` names (the action's base-revision policy). */
  schemaTexts?: ReadonlyMap<string, string>;
}

export interface FileResult {
  file: SourceFile;
  dialect?: Dialect;
  extraction?: Extraction;
  reference?: Reference;
  findings: Finding[];
  /** Why the file has no plan. */
  reason?: string;
  /** Files that describe the same run (see engine/links.ts). */
  linked?: LinkedPlan[];
}

export interface LintResult {
  results: FileResult[];
}

/** The plan of the run a file describes: its own plan merged with its linked files. */
export function runPlanOf(result: FileResult): TrainingPlan {
  return result.extraction ? mergeLinked(result.extraction.plan, result.linked ?? []) : {};
}

function envFor(settings: FileSettings): ExtractEnv {
  return { assume: settings.assume, mappings: settings.mappings };
}

/** Detect (or take the forced) dialect and extract the plan of a loaded file. */
export function analyse(file: SourceFile, settings: FileSettings, forced?: Dialect): { dialect?: Dialect; extraction?: Extraction; reason?: string } {
  const parseProblem = file.problems.find((p) => p.kind === 'parse-error');
  if (parseProblem) return { reason: `parse-error at ${parseProblem.range.line}:${parseProblem.range.column}: ${parseProblem.message}` };
  const env = envFor(settings);
  const dialect = forced ?? (settings.dialect ? dialectById(settings.dialect) : undefined) ?? detectDialect(file, env);
  if (!dialect) return { reason: unclaimedReason(file) };
  return { dialect, extraction: dialect.extract(file, env) };
}

/** Why no dialect claimed a file: known non-training configs are named as such. */
function unclaimedReason(file: SourceFile): string {
  const top = file.tree?.kind === 'map' ? new Set(file.tree.entries.map((e) => e.key)) : new Set<string>();
  if (top.has('compute_environment') || (top.has('distributed_type') && top.has('num_processes'))) {
    return 'accelerate launcher config (num_processes, mixed_precision): not a training config on its own';
  }
  if (top.has('vocab_size') && top.has('hidden_size') && !top.has('learning_rate')) return 'model architecture config, not a training config';
  if (file.format === 'shell') return 'launch script without a recognised training command';
  return 'no dialect recognised this file (set `dialect` in .trainlint.yml overrides or add `mappings`)';
}

function resolveReferencePath(result: FileResult, config: TrainlintConfig): string | undefined {
  const declared = result.file.directives.reference?.path;
  if (declared) return toPosix(path.posix.normalize(path.posix.join(path.posix.dirname(result.file.path), declared)));
  // Own keys only: a file named `constructor` or `toString` must not find Object.prototype members.
  const refs = config.references;
  return refs && Object.hasOwn(refs, result.file.path) ? refs[result.file.path] : undefined;
}

function runRules(result: FileResult, settings: FileSettings, schemas: SchemaStore): void {
  const { file, extraction, dialect } = result;
  const raw: Finding[] = [];
  // Findings recorded before the rules (reference problems, internal errors) follow the same
  // severity settings and suppressions as the rest.
  const earlier = result.findings.splice(0);
  const push = (finding: Finding) => {
    const configured = settings.rules.get(finding.ruleId)?.severity ?? finding.severity;
    if (configured === 'off') return;
    // A rule may report below its configured level (info for harmless conflicts), never above.
    raw.push({ ...finding, severity: finding.severity === 'info' ? 'info' : configured });
  };
  earlier.forEach((f) => push(f));
  for (const problem of file.problems) {
    const meta = RULES_BY_ID.get(problem.kind)?.meta;
    push({ ruleId: problem.kind, severity: meta?.defaultSeverity ?? 'error', message: problem.message, path: file.path, range: problem.range });
  }
  if (file.tree || file.script) {
    const validators = [
      ...(dialect?.meta.schema ? [{ name: dialect.meta.schema, validate: schemas.builtin(dialect.meta.schema) }] : []),
      ...settings.schemas.map((name) => ({ name, validate: schemas.user(name) })),
    ].filter((v): v is { name: string; validate: NonNullable<typeof v.validate> } => v.validate !== undefined);
    for (const rule of RULES) {
      if (rule.meta.builtin) continue;
      const effective = settings.rules.get(rule.meta.id);
      if (!effective || effective.severity === 'off') continue;
      if (rule.meta.scope !== 'file' && !extraction) continue;
      const ctx: RuleContext = {
        file,
        plan: runPlanOf(result),
        ownPlan: extraction?.plan ?? {},
        linked: result.linked ?? [],
        dialectId: dialect?.meta.id,
        yamlLoader: dialect?.meta.yamlLoader ?? 'pyyaml',
        yamlLoaderName: dialect?.meta.yamlLoaderName,
        anchor: extraction?.anchor ?? fileStartRange(file),
        reference: result.reference,
        conflicts: extraction?.conflicts ?? [],
        afterDecay: extraction?.afterDecay,
        launchCheck: extraction?.launchChecks?.[rule.meta.id],
        globalBatchRounding: extraction?.globalBatchRounding,
        options: effective.options,
        schemas: validators,
        report: ({ severity, ...input }) =>
          push({ ruleId: rule.meta.id, severity: severity ?? (effective.severity as Finding['severity']), path: file.path, ...input }),
      };
      rule.check(ctx);
    }
  }
  const { kept, problems } = applySuppressions(raw, file);
  appendAll(result.findings, capPerKind(kept, (f) => f.ruleId));
  const suppressionSeverity = settings.rules.get('unused-suppression')?.severity ?? 'warning';
  // After an internal error the rules did not all run: "suppresses nothing" would be a guess.
  const crashed = raw.some((f) => f.ruleId === 'internal-error');
  const reported = crashed ? problems.filter((p) => p.data?.missingReason) : problems;
  if (suppressionSeverity !== 'off') appendAll(result.findings, capPerKind(reported.map((p) => ({ ...p, severity: suppressionSeverity })), (f) => f.ruleId));
}

function compareFindings(a: Finding, b: Finding): number {
  return a.range.line - b.range.line || a.range.column - b.range.column || a.ruleId.localeCompare(b.ruleId);
}

export async function lint(options: LintOptions): Promise<LintResult> {
  const { root, config } = options;
  const maxBytes = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const parseOptions = { yamlVersion: config.yaml, maxBytes };
  const schemas = new SchemaStore(root, options.schemaTexts);
  const virtual = options.virtualFiles ?? [];
  const discovered = virtual.length > 0 && options.paths.length === 0 ? [] : discover(root, options.paths, config);
  const settingsByPath = new Map<string, FileSettings>();
  const settingsOf = (rel: string) => {
    let s = settingsByPath.get(rel);
    if (!s) {
      s = settingsFor(config, rel, options.cliRules);
      if (options.launcherValues) s.assume = { ...s.assume, ...options.launcherValues };
      settingsByPath.set(rel, s);
    }
    return s;
  };

  const virtualResults: FileResult[] = virtual.map((file) => {
    try {
      return { file, findings: [], ...analyse(file, settingsOf(file.path)) };
    } catch (err) {
      return { file, findings: [internalError(file, err)], reason: 'internal error' };
    }
  });
  const diskResults: FileResult[] = discovered.map(({ abs, rel }) => {
    // Loading is inside the try too: loaders should never throw on content, but if one does (a
    // bug), only this file gets an internal-error finding and the other files are still linted.
    let file: SourceFile | undefined;
    try {
      file = loadFile(abs, rel, parseOptions);
      return { file, findings: [], ...analyse(file, settingsOf(rel)) };
    } catch (err) {
      file ??= { path: rel, text: '', format: formatOf(rel), problems: [], directives: { suppressions: [] } };
      return { file, findings: [internalError(file, err)], reason: 'internal error' };
    }
  });
  const results = [...virtualResults, ...diskResults];

  const byPath = new Map(results.map((r) => [r.file.path, r]));
  const repo = repoRootOf(root);
  for (const result of results) {
    if (result.extraction && options.launcherLinks?.length) result.linked = [...options.launcherLinks];
  }
  // Linked files: a trainer config's `deepspeed: ds.json`, resolved as the launcher's working
  // directory (the repository root) sees it, then from the config's folder; never outside the root.
  for (const result of results) {
    for (const request of linkRequests(result.file, result.dialect?.meta.id)) {
      const bases: PathBase[] = [
        { dir: '.', label: 'the repository root' },
        { dir: path.posix.dirname(result.file.path), label: "the config's folder" },
      ];
      const linted = bases.map((b) => path.posix.normalize(path.posix.join(b.dir, request.written))).find((c) => byPath.has(c));
      const resolution = linted ? undefined : resolveWritten(repo, request.written, bases);
      const rel = linted ?? resolution?.found?.rel;
      if (!rel) {
        result.extraction?.notes.push(
          `${request.key}: ${request.written} not found inside the repository (tried ${describeTried(resolution?.tried ?? [])}); its values are not checked`,
        );
        continue;
      }
      try {
        const loaded = byPath.get(rel)?.file ?? loadFile(path.resolve(root, rel), rel, parseOptions);
        const linked = analyse(loaded, settingsOf(result.file.path), dialectById('deepspeed'));
        if (linked.extraction) (result.linked ??= []).push({ ...request, path: rel, plan: linked.extraction.plan });
      } catch (err) {
        result.findings.push(internalError(result.file, err, `its linked file ${rel}`));
      }
    }
  }

  // Declared references: the config this one was derived from, linted with the same dialect.
  const needBase: FileResult[] = [];
  for (const result of results) {
    if (!result.extraction || !result.dialect) continue;
    const refPath = resolveReferencePath(result, config);
    if (refPath) {
      // A failure while reading the reference is reported on this file, which is still linted
      // without its reference (the same isolation as for the files themselves).
      const refCheck = byPath.has(refPath) ? undefined : checkRepoPath(repo, refPath);
      if (refCheck && !refCheck.ok) {
        // Like discovery, references never read files outside the linted root (an untrusted
        // PR must not make the linter read and echo arbitrary files of the runner).
        result.findings.push({
          ruleId: 'parse-error',
          severity: 'error',
          path: result.file.path,
          range: result.file.directives.reference?.range ?? fileStartRange(result.file),
          message: `reference ${refPath}: ${refCheck.why}; not read`,
        });
        continue;
      }
      try {
        const loaded = byPath.get(refPath)?.file ?? loadFile(path.resolve(root, refPath), refPath, parseOptions);
        const problem = loaded.problems.find((p) => p.kind === 'parse-error');
        if (problem) {
          result.findings.push({
            ruleId: 'parse-error',
            severity: 'error',
            path: result.file.path,
            range: result.file.directives.reference?.range ?? fileStartRange(result.file),
            message: `reference ${refPath} cannot be read: ${problem.message}`,
          });
          continue;
        }
        const refAnalysis = analyse(loaded, settingsOf(refPath), result.dialect);
        if (refAnalysis.extraction) result.reference = { plan: refAnalysis.extraction.plan, label: `reference ${refPath}`, path: refPath };
      } catch (err) {
        result.findings.push(internalError(result.file, err, `its reference ${refPath}`));
      }
    } else if (options.base) {
      needBase.push(result);
    }
  }

  if (options.base && needBase.length > 0) {
    const gitTop = await repoRoot(root);
    const prefix = toPosix(path.relative(gitTop, root));
    const toGit = (rel: string) => (prefix ? `${prefix}/${rel}` : rel);
    const versions = await readBaseVersions(gitTop, options.base, needBase.map((r) => toGit(r.file.path)));
    for (const result of needBase) {
      const version = versions.get(toGit(result.file.path));
      if (!version) continue;
      const basePath = prefix && version.basePath.startsWith(prefix + '/') ? version.basePath.slice(prefix.length + 1) : version.basePath;
      // As for declared references: a failure on the base version is this file's finding only.
      let baseAnalysis: ReturnType<typeof analyse>;
      try {
        const baseFile = parseSource(basePath, version.text, parseOptions, result.file.format);
        baseAnalysis = analyse(baseFile, settingsOf(result.file.path), result.dialect);
      } catch (err) {
        result.findings.push(internalError(result.file, err, `its version at ${options.base}`));
        continue;
      }
      if (!baseAnalysis.extraction) continue;
      const renamed = basePath !== result.file.path ? ` (was ${basePath})` : '';
      result.reference = { plan: baseAnalysis.extraction.plan, label: `base ${options.base}${renamed}`, path: basePath };
    }
  }

  for (const result of results) {
    try {
      runRules(result, settingsOf(result.file.path), schemas);
    } catch (err) {
      if ((err as Error).name === 'UsageError') throw err;
      result.findings.push(internalError(result.file, err));
    }
    result.findings.sort(compareFindings);
  }
  return { results };
}

function internalError(file: SourceFile, err: unknown, what = 'this file'): Finding {
  const message = userFacingMessage(err instanceof Error ? err.message.split('\n')[0] : String(err));
  return {
    ruleId: 'internal-error',
    severity: 'error',
    path: file.path,
    range: fileStartRange(file),
    message: `trainlint failed on ${what} (${message}); the other files were linted. Please report this with the file.`,
  };
}
