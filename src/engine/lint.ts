/**
 * The engine: discover → load → detect dialect → extract plan → pair with a reference →
 * rules → suppressions → sorted findings. Shared by the CLI and the action.
 */
import path from 'node:path';
import { asList, matcher, settingsFor } from '../config/load-config.js';
import type { RuleSetting, TrainlintConfig, FileSettings } from '../config/types.js';
import { detectDialect, dialectById, ruleYamlLoader } from '../dialects/index.js';
import type { Dialect, ExtractEnv, Extraction } from '../dialects/types.js';
import { handedOnAsText } from '../dialects/megatron.js';
import { RULES, RULES_BY_ID } from '../rules/index.js';
import type { Reference, RuleContext } from '../rules/types.js';
import { discover, toPosix } from './discover.js';
import { checkRepoPath, describeTried, readBounded, repoRootOf, resolveWritten, type PathBase, type RepoRoot } from './repo-files.js';
import { readBaseVersions, repoRoot } from './git.js';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, formatOf, loadFile, parseSource } from './load-file.js';
import { SchemaStore } from './schemas.js';
import { applySuppressions } from './suppressions.js';
import { appendAll, capPerKind, moreNoteOf } from './caps.js';
import { userFacingMessage } from './load/result.js';
import { groupRunLength, shapeRunFindings, type RunFindingsContext } from './group-findings.js';
import { shortRunOf } from './short-run.js';
import { duplicateKeyFinding } from './duplicates.js';
import { accelerateLink, linkRequests, mergeLinked, type LinkedPlan } from './links.js';
import { packagePinReader, type PackagePin } from './package-pins.js';
import { composeFromRepository, resolveCommandConfig, type HydraFiles } from './hydra-files.js';
import { composeConfig, type ComposedConfig, type LoadedConfig } from './hydra/compose.js';
import type { HydraInput } from './hydra/view.js';
import { inheritanceFindings, inheritanceReader } from './inherit.js';
import { listScripts, relativePosix } from './repository.js';
import { estimateDatasetSamples, type DatasetEstimate } from './datasets.js';
import { launchedConfig, scriptLaunches, type ScriptLaunch, type WorkDir } from './script-links.js';
import type { SourceFile } from './source.js';
import { fileStartRange } from './source.js';
import { PLAN_FIELDS, type Finding, type PlanField, type Range, type Setting, type Severity, type TrainingPlan } from './types.js';

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
  /**
   * Files that exist only in memory (the command line of `trainlint exec`), linted first. A launch
   * command among them links the configs it names, from the root as its working directory.
   */
  virtualFiles?: SourceFile[];
  /**
   * The repository root: the folder launch scripts run from, against which the paths written in
   * scripts and configs are resolved first. Default: `root`. The CLI passes the nearest folder
   * with `.git` (a run in a subfolder still resolves `deepspeed: configs/ds.json` from the top).
   */
  repoRoot?: string;
  /**
   * Read the repository's launch scripts for the configs being linted, also those outside the
   * linted paths (default true). `trainlint exec` turns it off: its command line is the launch.
   */
  repoScripts?: boolean;
  /** User schema texts by the path `.trainlint.yml` names (the action's base-revision policy). */
  schemaTexts?: ReadonlyMap<string, string>;
  /**
   * A file read from standard input (`--stdin --stdin-filename PATH`), linted alone as if it were
   * on disk at its path: that path's settings, references, linked files and the repository's
   * launch scripts that name it (unlike `virtualFiles`, it does not run from the working directory).
   */
  stdinFile?: SourceFile;
}

/** The launch script command a plan was built for (a config named by a script). */
export interface LaunchLink {
  /** The script's path, relative to the root ('(command line)' for `trainlint exec`). */
  script: string;
  /** The command in the script. */
  range: Range;
  /** "torchrun", "tune run", "accelerate launch"… */
  launcher: string;
  /** The folder the command runs in. */
  workdir: WorkDir;
  /** How the config's path was resolved: "configs/sft.yaml from the repository root". */
  resolvedFrom: string;
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
  /** Set when the plan is the one a launch script gives this config (one result per script command). */
  launch?: LaunchLink;
  /** For a launch script: the configs its commands start, or what was tried for those not found. */
  starts?: string[];
  /** For a Hydra dialect: the composition and launch overrides its plan was extracted with (engine/hydra/view.ts). */
  hydra?: HydraInput;
  /**
   * A config fragment that Hydra composes into another config (a defaults-list group file such as
   * verl's `actor/dp_actor.yaml`): no plan of its own; its YAML is typed by that framework's loader.
   */
  composedInto?: { primary: string; dialect: Dialect };
}

export interface LintResult {
  results: FileResult[];
}

/** The plan of the run a file describes: its own plan merged with its linked files. */
export function runPlanOf(result: FileResult): TrainingPlan {
  return result.extraction ? mergeLinked(result.extraction.plan, result.linked ?? []) : {};
}

function envFor(settings: FileSettings, hydra?: HydraInput, file?: SourceFile): ExtractEnv {
  const pins = settings.packagePins;
  return { assume: settings.assume, mappings: settings.mappings, ...(hydra ? { hydra } : {}), ...(pins && file ? { packagePin: (pkg: string) => pins(file.path, pkg) } : {}) };
}

/**
 * Detect (or take the forced) dialect and extract the plan of a loaded file. `hydra`: for a Hydra
 * dialect, the composition and launch overrides the engine prepared (engine/hydra/view.ts).
 */
export function analyse(file: SourceFile, settings: FileSettings, forced?: Dialect, hydra?: HydraInput): { dialect?: Dialect; extraction?: Extraction; reason?: string } {
  const parseProblem = file.problems.find((p) => p.kind === 'parse-error');
  if (parseProblem) return { reason: `parse-error at ${parseProblem.range.line}:${parseProblem.range.column}: ${parseProblem.message}` };
  const env = envFor(settings, hydra, file);
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
  earlier.push(...inheritanceFindings(file));
  const push = (finding: Finding) => {
    const configured = settings.rules.get(finding.ruleId)?.severity ?? finding.severity;
    if (configured === 'off') return;
    // A finding may come below its rule's default level (info for harmless conflicts, a warning
    // for a redundant duplicate key): then it stays that low at most. It goes above the default
    // only as an error where the framework refuses to start, and only while the rule runs at its
    // default level.
    const defaultLevel = RULES_BY_ID.get(finding.ruleId)?.meta.defaultSeverity ?? 'error';
    const raised = finding.severity === 'error' && configured === defaultLevel;
    const lowered = SEVERITY_RANK[finding.severity] < SEVERITY_RANK[defaultLevel];
    raw.push({ ...finding, severity: raised ? 'error' : lowered && SEVERITY_RANK[finding.severity] < SEVERITY_RANK[configured] ? finding.severity : configured });
  };
  earlier.forEach((f) => push(f));
  for (const problem of file.problems) {
    const severity = RULES_BY_ID.get(problem.kind)?.meta.defaultSeverity ?? 'error';
    if (problem.kind !== 'duplicate-key') {
      push({ ruleId: problem.kind, severity, message: problem.message, path: file.path, range: problem.range });
      continue;
    }
    // The rewritten message keeps the loader's count of the duplicates past the cap.
    const finding = duplicateKeyFinding(problem, file, dialect, severity);
    const more = moreNoteOf(problem.message);
    push(more && !finding.message.endsWith(more) ? { ...finding, message: finding.message + more } : finding);
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
        ...ruleYamlLoader(extraction, dialect?.meta ?? result.composedInto?.dialect.meta, handedOnAsText(file)),
        anchor: extraction?.anchor ?? fileStartRange(file),
        reference: result.reference,
        conflicts: extraction?.conflicts ?? [],
        ignored: extraction?.ignored ?? [],
        afterDecay: extraction?.afterDecay,
        launchCheck: extraction?.launchChecks?.[rule.meta.id],
        globalBatchRounding: extraction?.globalBatchRounding,
        configErrors: extraction?.configErrors,
        schemaTree: extraction?.schemaTree,
        batchChecks: extraction?.batchChecks,
        atRunEnd: extraction?.atRunEnd,
        decayDefaultsToRun: extraction?.decayDefaultsToRun,
        options: effective.options,
        schemas: validators,
        report: ({ severity, ...input }) =>
          push({ ruleId: rule.meta.id, severity: severity ?? (effective.severity as Finding['severity']), path: file.path, ...input }),
      };
      rule.check(ctx);
    }
  }
  // One cause, one finding (and the short-run severities), before suppressions: those written
  // for a merged finding still apply to the group (engine/group-findings.ts).
  const runCtx = runFindingsContext(result, settings);
  const { kept, problems } = applySuppressions(shapeRunFindings(raw, runCtx), file, (members) => groupRunLength(members, runCtx));
  appendAll(result.findings, capPerKind(kept, (f) => f.ruleId));
  const suppressionSeverity = settings.rules.get('unused-suppression')?.severity ?? 'warning';
  // After an internal error the rules did not all run: "suppresses nothing" would be a guess.
  const crashed = raw.some((f) => f.ruleId === 'internal-error');
  const reported = crashed ? problems.filter((p) => p.data?.missingReason) : problems;
  if (suppressionSeverity !== 'off') appendAll(result.findings, capPerKind(reported.map((p) => ({ ...p, severity: suppressionSeverity })), (f) => f.ruleId));
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

function runFindingsContext(result: FileResult, settings: FileSettings): RunFindingsContext {
  const plan = runPlanOf(result);
  const shortRun = result.extraction ? shortRunOf(result.file.path, plan, settings.shortRun, result.launch?.script) : undefined;
  return { plan, shortRun, shortRunSeverity: settings.shortRun.severity, launchChecks: result.extraction?.launchChecks ?? {} };
}

function compareFindings(a: Finding, b: Finding): number {
  return a.range.line - b.range.line || a.range.column - b.range.column || a.ruleId.localeCompare(b.ruleId);
}

export async function lint(options: LintOptions): Promise<LintResult> {
  const { root, config } = options;
  const maxBytes = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const parseOptions = { yamlVersion: config.yaml, maxBytes };
  // `_base_`, `_BASE_` and config imports: the files a config builds on, through the one resolver.
  const withBases = inheritanceReader(options.repoRoot ?? root, root, maxBytes);
  const schemas = new SchemaStore(root, options.schemaTexts);
  const virtual = [...(options.virtualFiles ?? []), ...(options.stdinFile ? [options.stdinFile] : [])];
  const discovered = virtual.length > 0 && options.paths.length === 0 ? [] : discover(root, options.paths, config);
  const settingsByPath = new Map<string, FileSettings>();
  // Package pins (requirements.txt, pyproject.toml, setup.py) near a config, read when a dialect asks.
  const pinRepo = repoRootOf(options.repoRoot ?? root);
  const pinReader = packagePinReader(pinRepo, (rel) => relativePosix(pinRepo.root, path.dirname(path.resolve(root, rel))) || '.');
  const packagePins = (rel: string, pkg: string): PackagePin | undefined => {
    const pin = pinReader(rel, pkg);
    return pin ? { ...pin, file: relativePosix(path.resolve(root), path.resolve(pinRepo.root, pin.file)) } : undefined;
  };
  const settingsOf = (rel: string) => {
    let s = settingsByPath.get(rel);
    if (!s) {
      s = { ...settingsFor(config, rel, options.cliRules), packagePins };
      settingsByPath.set(rel, s);
    }
    return s;
  };
  /** A file's settings with values a launch command gives it: they win over `assume`. */
  const settingsWith = (rel: string, values: Partial<Record<PlanField, Setting>>): FileSettings => {
    const s = settingsOf(rel);
    return Object.keys(values).length ? { ...s, assume: { ...s.assume, ...values } } : s;
  };
  const analyseSafely = (file: SourceFile, settings: FileSettings, extra: Partial<FileResult> = {}): FileResult => {
    try {
      return { file, findings: [], ...extra, ...analyse(file, settings, undefined, extra.hydra) };
    } catch (err) {
      return { file, findings: [internalError(file, err)], ...extra, reason: 'internal error' };
    }
  };

  const virtualResults: FileResult[] = virtual.map((file) => analyseSafely(file, settingsOf(file.path)));
  const diskResults: FileResult[] = discovered.map(({ abs, rel }) => {
    // Loading is inside the try too: loaders should never throw on content, but if one does (a
    // bug), only this file gets an internal-error finding and the other files are still linted.
    let file: SourceFile | undefined;
    try {
      file = withBases(loadFile(abs, rel, parseOptions));
      return { file, findings: [], ...analyse(file, settingsOf(rel)) };
    } catch (err) {
      file ??= { path: rel, text: '', format: formatOf(rel), problems: [], directives: { suppressions: [] } };
      return { file, findings: [internalError(file, err)], reason: 'internal error' };
    }
  });
  let results = [...virtualResults, ...diskResults];
  const byPath = new Map(results.map((r) => [r.file.path, r]));

  // Paths are root-relative in results and reports; written paths resolve from the repository root.
  const repo = repoRootOf(options.repoRoot ?? root);
  const lintRoot = path.resolve(root);
  const toRepo = (rel: string) => relativePosix(repo.root, path.resolve(lintRoot, rel));
  const fromAbs = (abs: string) => relativePosix(lintRoot, abs);
  const rootBase: PathBase = { dir: '.', label: 'the repository root' };
  const lintRootBase: PathBase[] = repo.root === lintRoot ? [] : [{ dir: toRepo('.'), label: 'the linted folder' }];
  const insideLintRoot = (rel: string) => !rel.startsWith('../');
  // Hydra: a config's defaults list is composed from the repository's files (engine/hydra-files.ts).
  const hydraFiles: HydraFiles = { repo, show: fromAbs, toRepo, parseOptions: { ...parseOptions, maxBytes } };
  const hydraCache = new Map<string, LoadedConfig | { missing: string }>();
  const composedCache = new Map<string, ComposedConfig | undefined>();
  const composedFor = (file: SourceFile, bases: PathBase[]): ComposedConfig | undefined => {
    const key = `${file.path}\0${bases.map((b) => b.dir).join('\0')}`;
    if (!composedCache.has(key)) composedCache.set(key, composeFromRepository(file, bases, hydraFiles, hydraCache));
    return composedCache.get(key);
  };
  results = results.map((result) => {
    if (!result.dialect?.meta.hydra || !result.file.tree) return result;
    const composed = composedFor(result.file, [rootBase, ...lintRootBase]);
    return composed ? analyseSafely(result.file, settingsOf(result.file.path), { hydra: { composed } }) : result;
  });
  for (const r of results) byPath.set(r.file.path, r);
  /** Where a path a config writes is resolved from: the launcher's working directory (or the repository root), then the config's folder. */
  const configBases = (result: FileResult): PathBase[] => {
    const wd = result.launch?.workdir;
    const start = wd?.dir !== undefined ? [{ dir: wd.dir, label: wd.label }, ...(insideLintRoot(result.launch!.script) ? lintRootBase : [])] : [rootBase, ...lintRootBase];
    return [...start, { dir: toRepo(path.posix.dirname(result.file.path)), label: "the config's folder" }];
  };

  // Launch scripts: the linted ones, then the repository's others that mention a linted config.
  // Command lines run from the working directory; a stdin buffer stands where its path says.
  const virtualPaths = new Set((options.virtualFiles ?? []).map((f) => f.path));
  const linted = results.filter((r) => r.file.script).map((r) => r.file);
  const scripts = [...linted];
  // A full scan of the repository root has read every script already (ignored ones stay ignored).
  const fullScan = repo.root === lintRoot && options.paths.every((p) => path.resolve(lintRoot, p) === lintRoot) && asList(config.files).length === 0 && virtual.length === 0;
  if (options.repoScripts !== false && !fullScan) scripts.push(...repositoryScripts(repo, lintRoot, results, new Set(linted.map((f) => path.resolve(lintRoot, f.path))), config, maxBytes, parseOptions));
  const launchesOf = new Map<string, { launch: ScriptLaunch; link: LaunchLink }[]>();
  /** Hydra scripts: the config each command names, composed, for the script's own extraction. */
  const scriptHydra = new Map<string, HydraInput>();
  const lintedScripts = new Set(linted.map((f) => f.path));
  for (const file of scripts) {
    const isVirtual = virtualPaths.has(file.path);
    const scriptDir = isVirtual ? toRepo('.') : toRepo(path.posix.dirname(file.path));
    for (const launch of scriptLaunches(file, scriptDir)) {
      if (isVirtual) launch.workdir = { dir: toRepo('.'), label: 'the working directory' };
      if (launch.hydra) {
        // The config a Hydra command names: --config-path/--config-name, or its app's @hydra.main.
        const bases = launchBases(launch.workdir, scriptDir, insideLintRoot(file.path) ? lintRootBase : []);
        const resolution = resolveCommandConfig(launch.hydra, bases, hydraFiles);
        const scriptResult = byPath.get(file.path);
        if (resolution.found) {
          const rel = fromAbs(resolution.found.abs);
          launch.configs.push({ written: resolution.candidates.find((c) => resolution.found!.rel.endsWith(c)) ?? rel, flag: '--config-name', range: launch.hydra.configName?.range ?? launch.hydra.configFile?.range ?? launch.range, resolved: resolution });
          try {
            const loaded = byPath.get(rel)?.file ?? loadFile(resolution.found.abs, rel, parseOptions);
            if (!loaded.problems.some((p) => p.kind === 'parse-error')) {
              const composed = composedFor(loaded, bases) ?? composeConfig(loaded);
              const input = (scriptHydra.get(file.path) ?? {}) as HydraInput;
              input.commandConfigs = { ...input.commandConfigs, [launch.range.line]: composed };
              scriptHydra.set(file.path, input);
            }
          } catch (err) {
            if (scriptResult) scriptResult.findings.push(internalError(file, err, `the Hydra config ${rel}`));
          }
        } else if (resolution.candidates.length > 0 && scriptResult) {
          (scriptResult.starts ??= []).push(
            `line ${launch.range.line}: Hydra config not found inside the repository (tried ${describeTried(resolution.tried)}); the framework's packaged defaults apply`,
          );
        }
      }
      for (const named of launch.configs) {
        const resolution = named.resolved ?? resolveWritten(repo, named.written, launchBases(launch.workdir, scriptDir, insideLintRoot(file.path) ? lintRootBase : []));
        const scriptResult = byPath.get(file.path);
        if (!resolution.found) {
          (scriptResult ? (scriptResult.starts ??= []) : []).push(`line ${launch.range.line}: ${named.flag || 'argument'} ${named.written} not found inside the repository (tried ${describeTried(resolution.tried)})`);
          continue;
        }
        const rel = fromAbs(resolution.found.abs);
        const world = launch.values.worldSize;
        (scriptResult ? (scriptResult.starts ??= []) : []).push(
          `line ${launch.range.line}: ${rel} (${launch.launcher}${world ? `, world size ${world.value}` : ''}; found from ${resolution.found.base.label})`,
        );
        const link: LaunchLink = { script: file.path, range: launch.range, launcher: launch.launcher, workdir: launch.workdir, resolvedFrom: `${named.written} from ${resolution.found.base.label}` };
        const list = launchesOf.get(rel) ?? [];
        if (!list.some((l) => l.launch === launch)) list.push({ launch, link });
        launchesOf.set(rel, list);
      }
    }
  }

  // A Hydra script whose command names a config in the repository is extracted again with it.
  results = results.map((result) => {
    const input = scriptHydra.get(result.file.path);
    if (!input || !result.dialect?.meta.hydra) return result;
    const again = analyseSafely(result.file, settingsOf(result.file.path), { hydra: input, ...(result.starts ? { starts: result.starts } : {}) });
    byPath.set(result.file.path, again);
    return again;
  });

  // Config fragments a Hydra composition merged: part of that config, read with its framework's loader.
  const fragments = new Map<string, { primary: string; dialect: Dialect }>();
  const noteFragments = (composed: ComposedConfig | undefined, dialect: Dialect | undefined) => {
    if (!composed || !dialect) return;
    for (const f of composed.files) if (f !== composed.primary && !fragments.has(f)) fragments.set(f, { primary: composed.primary, dialect });
  };
  for (const r of results) {
    noteFragments(r.hydra?.composed, r.dialect);
    for (const c of Object.values(r.hydra?.commandConfigs ?? {})) noteFragments(c, r.dialect);
  }
  for (const r of results) {
    const into = r.dialect ? undefined : fragments.get(r.file.path);
    if (!into) continue;
    r.composedInto = into;
    r.reason = `a config fragment that Hydra composes into ${into.primary} (its defaults list): linted as part of it`;
  }

  // A linted script's configs are linted with it, even when they are outside the linted paths
  // (pre-commit on a changed script); they get only the launches of the linted scripts.
  const addedByScripts = new Set<string>();
  for (const [rel, list] of launchesOf) {
    if (byPath.has(rel) || !list.some((l) => lintedScripts.has(l.link.script))) continue;
    const check = checkRepoPath(repo, toRepo(rel));
    if (!check.ok) continue;
    let added: FileResult;
    try {
      const file = withBases(loadFile(check.abs, rel, parseOptions));
      added = analyseSafely(file, settingsOf(rel));
    } catch (err) {
      const file: SourceFile = { path: rel, text: '', format: formatOf(rel), problems: [], directives: { suppressions: [] } };
      added = { file, findings: [internalError(file, err)], reason: 'internal error' };
    }
    results.push(added);
    byPath.set(rel, added);
    addedByScripts.add(rel);
  }

  // One plan per launch: a config named by scripts is linted as each command starts it.
  const alone = new Map<string, FileResult>();
  results = results.flatMap((result) => {
    const rel = result.file.path;
    let list = result.file.script || !result.extraction ? undefined : launchesOf.get(rel);
    if (list && addedByScripts.has(rel)) list = list.filter((l) => lintedScripts.has(l.link.script));
    if (!list?.length) return [result];
    alone.set(rel, result);
    return list.map(({ launch, link }) => {
      const hydra: HydraInput | undefined =
        launch.hydra && result.dialect?.meta.hydra
          ? {
              ...result.hydra,
              launch: { script: link.script, line: launch.range.line, overrides: launch.hydra.overrides, ...(launch.hydra.forwardsArgs ? { forwardsArgs: launch.hydra.forwardsArgs } : {}) },
            }
          : result.hydra;
      // The config as this command runs it: the values it writes over the file (script-links.ts launchedConfig).
      const launched = analyseSafely(launchedConfig(result.file, launch, result.dialect), settingsWith(rel, launch.values), { launch: link, ...(hydra ? { hydra } : {}) });
      if (launch.accelerateConfig && launched.extraction) {
        const scriptDir = virtualPaths.has(link.script) ? toRepo('.') : toRepo(path.posix.dirname(link.script));
        const accelerate = linkAccelerate(launch, link, repo, fromAbs, parseOptions, scriptDir, insideLintRoot(link.script) ? lintRootBase : []);
        if (accelerate.linked) launched.linked = [accelerate.linked];
        if (accelerate.note) launched.extraction.notes.push(accelerate.note);
      }
      return launched;
    });
  });
  const everything = [...results, ...alone.values()];

  // Dataset sizes: the rows of the data a config names, as an upper bound on its samples.
  const estimates = new Map<string, DatasetEstimate>();
  for (const result of everything) {
    const request = result.dialect?.datasets?.(result.file);
    const extraction = result.extraction;
    if (!request || !extraction || !result.dialect || extraction.plan.datasetSamples) continue;
    const bases = configBases(result);
    const cacheKey = `${result.file.path}\0${bases.map((b) => b.dir).join('\0')}`;
    let estimate = estimates.get(cacheKey);
    if (!estimate) {
      estimate = estimateDatasetSamples(request, { repo, bases, show: fromAbs, maxBytes });
      estimates.set(cacheKey, estimate);
    }
    if (!estimate.ok) {
      extraction.notes.push(`dataset size unknown: ${estimate.why}`);
      continue;
    }
    const settings = result.launch ? settingsWith(result.file.path, launchValuesOf(launchesOf, result)) : settingsOf(result.file.path);
    const counted = { ...estimate.setting, file: result.file.path };
    const withRows = analyse(result.file, { ...settings, assume: { ...settings.assume, datasetSamples: counted } }, result.dialect, result.hydra).extraction;
    if (!withRows) continue;
    markEstimates(extraction.plan, withRows.plan, estimate.label);
    for (const note of extraction.notes) if (!withRows.notes.includes(note)) withRows.notes.push(note);
    result.extraction = withRows;
  }

  // Linked files: a trainer config's `deepspeed: ds.json`, resolved as the launcher's working
  // directory sees it (the repository root, or where the script cd's), then from the config's folder.
  for (const result of everything) {
    for (const request of linkRequests(result.file, result.dialect?.meta.id)) {
      const resolution = resolveWritten(repo, request.written, configBases(result));
      if (!resolution.found) {
        result.extraction?.notes.push(
          `${request.key}: ${request.written} not found inside the repository (tried ${describeTried(resolution.tried)}); its values are not checked`,
        );
        continue;
      }
      const rel = fromAbs(resolution.found.abs);
      try {
        const loaded = byPath.get(rel)?.file ?? loadFile(resolution.found.abs, rel, parseOptions);
        const linkedAnalysis = analyse(loaded, settingsOf(result.file.path), dialectById('deepspeed'));
        if (linkedAnalysis.extraction) (result.linked ??= []).push({ ...request, path: rel, plan: linkedAnalysis.extraction.plan, resolvedFrom: resolution.found.base.label });
      } catch (err) {
        result.findings.push(internalError(result.file, err, `its linked file ${rel}`));
      }
    }
  }

  // Declared references: the config this one was derived from, linted with the same dialect.
  const needBase: FileResult[] = [];
  for (const result of everything) {
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
        const loaded = byPath.get(refPath)?.file ?? withBases(loadFile(path.resolve(root, refPath), refPath, parseOptions));
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
        // A Hydra reference is composed from its defaults list like the config itself.
        const refComposed = result.dialect.meta.hydra && loaded.tree ? composedFor(loaded, [rootBase, ...lintRootBase]) : undefined;
        const refAnalysis = analyse(loaded, settingsOf(refPath), result.dialect, refComposed ? { composed: refComposed } : undefined);
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
    const versions = await readBaseVersions(gitTop, options.base, [...new Set(needBase.map((r) => toGit(r.file.path)))]);
    for (const result of needBase) {
      const version = versions.get(toGit(result.file.path));
      if (!version) continue;
      const basePath = prefix && version.basePath.startsWith(prefix + '/') ? version.basePath.slice(prefix.length + 1) : version.basePath;
      // As for declared references: a failure on the base version is this file's finding only.
      let baseAnalysis: ReturnType<typeof analyse>;
      try {
        const baseFile = withBases(parseSource(basePath, version.text, parseOptions, result.file.format));
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

  // What the config itself says its LR was tuned for (a file-name convention, a base config).
  for (const result of everything) if (!result.reference && result.extraction?.reference) result.reference = result.extraction.reference;

  for (const result of everything) {
    try {
      runRules(result, settingsOf(result.file.path), schemas);
    } catch (err) {
      if ((err as Error).name === 'UsageError') throw err;
      result.findings.push(internalError(result.file, err));
    }
    result.findings.sort(compareFindings);
  }
  mergeLaunchFindings(results, alone);
  return { results };
}

/** The launcher values of the launch a result was built for. */
function launchValuesOf(launchesOf: Map<string, { launch: ScriptLaunch; link: LaunchLink }[]>, result: FileResult): Partial<Record<PlanField, Setting>> {
  return launchesOf.get(result.file.path)?.find((l) => l.link === result.launch)?.launch.values ?? {};
}

/**
 * The fields that follow from a dataset's row count (they differ from the plan without it) are
 * upper bounds too: steps per epoch, total steps, and what is derived from them.
 */
function markEstimates(before: TrainingPlan, after: TrainingPlan, label: string): void {
  const target = after as Record<string, Setting>;
  for (const field of PLAN_FIELDS) {
    const s = target[field];
    const b = (before as Record<string, Setting | undefined>)[field];
    if (!s || typeof s.value !== 'number' || s.origin === 'dataset' || (b && b.value === s.value)) continue;
    target[field] = { ...s, bound: 'upper', estimatedFrom: label, ...(s.how ? { how: `${s.how}, at most: from the rows of ${label}` } : {}) };
  }
}

/** Where a config named by a launch command is looked for: the command's working directory, then the script's folder. */
function launchBases(workdir: WorkDir, scriptDir: string, extra: PathBase[] = []): PathBase[] {
  const bases: PathBase[] = [];
  if (workdir.dir !== undefined) bases.push({ dir: workdir.dir, label: workdir.label });
  else bases.push({ dir: '.', label: `the repository root (the script changes to ${workdir.label})` });
  // The linted folder, when it is below the repository root (a project inside a larger checkout).
  bases.push(...extra, { dir: scriptDir, label: "the launch script's folder" });
  return bases;
}

/** `accelerate launch --config_file X`: the accelerate config as a linked plan of the launch's configs. */
function linkAccelerate(
  launch: ScriptLaunch,
  link: LaunchLink,
  repo: RepoRoot,
  fromAbs: (abs: string) => string,
  parseOptions: { yamlVersion?: TrainlintConfig['yaml']; maxBytes: number },
  scriptDir: string,
  extra: PathBase[],
): { linked?: LinkedPlan; note?: string } {
  const named = launch.accelerateConfig;
  if (!named) return {};
  const resolution = resolveWritten(repo, named.written, launchBases(launch.workdir, scriptDir, extra));
  if (!resolution.found) return { note: `${named.flag} ${named.written} (${link.script}:${link.range.line}) not found inside the repository (tried ${describeTried(resolution.tried)})` };
  const rel = fromAbs(resolution.found.abs);
  const file = loadFile(resolution.found.abs, rel, parseOptions);
  return { linked: { ...accelerateLink(file, named.written, named.range), resolvedFrom: resolution.found.base.label } };
}

/**
 * The repository's launch scripts that may name a linted config: a bounded walk of the repository
 * for script files not linted already, and a text filter (the script mentions a linted config's
 * file name) before a script is parsed.
 */
function repositoryScripts(
  repo: RepoRoot,
  lintRoot: string,
  results: FileResult[],
  loaded: Set<string>,
  config: TrainlintConfig,
  maxBytes: number,
  parseOptions: { yamlVersion?: TrainlintConfig['yaml'] },
): SourceFile[] {
  const names = new Set(results.filter((r) => r.file.tree && r.extraction).map((r) => path.posix.basename(r.file.path)));
  if (names.size === 0) return [];
  const ignored = matcher(config.ignore);
  const skip = (abs: string) => {
    const rel = relativePosix(lintRoot, abs);
    return !rel.startsWith('..') && ignored(rel);
  };
  const out: SourceFile[] = [];
  for (const abs of listScripts(repo.root, skip).scripts) {
    if (loaded.has(abs)) continue;
    const rel = relativePosix(lintRoot, abs);
    const check = checkRepoPath(repo, relativePosix(repo.root, abs));
    if (!check.ok) continue;
    const read = readBounded(check.abs, maxBytes);
    if (!read.ok) continue;
    const text = read.bytes.toString('utf8');
    if (![...names].some((n) => text.includes(n))) continue;
    const file = decodeSource(rel, read.bytes, parseOptions);
    if (file.script) out.push(file);
  }
  return out;
}

function findingKey(f: Finding): string {
  const r = f.range;
  return `${f.ruleId}\0${r.line}:${r.column}:${r.endLine}:${r.endColumn}\0${f.message}`;
}

/**
 * A config named by several launch commands has one result per command. A finding that every
 * launch shares, and that the config alone has too, does not depend on the launch: it is kept
 * once. Any other finding is kept once, in the first result that has it, and says which launches
 * give it ("as launched by scripts/a.sh:3"). An unused suppression is reported only when it is
 * unused under every launch.
 */
function mergeLaunchFindings(results: FileResult[], alone: Map<string, FileResult>): void {
  for (const [rel, single] of alone) {
    const group = results.filter((r) => r.file.path === rel && r.launch);
    const inAlone = new Set(single.findings.map(findingKey));
    const where = new Map<string, FileResult[]>();
    for (const r of group) for (const f of r.findings) where.set(findingKey(f), [...(where.get(findingKey(f)) ?? []), r]);
    const kept = new Set<string>();
    for (const r of group) {
      r.findings = r.findings.flatMap((f) => {
        const key = findingKey(f);
        if (kept.has(key)) return [];
        const launches = where.get(key) ?? [];
        if (f.ruleId === 'unused-suppression' && launches.length < group.length) return [];
        kept.add(key);
        if (launches.length === group.length && inAlone.has(key)) return [f];
        const by = launches.map((l) => `${l.launch!.script}:${l.launch!.range.line}`);
        return [{ ...f, message: `${f.message} (as launched by ${joinAnd(by)})`, data: { ...f.data, launchedBy: by } }];
      });
    }
  }
}

function joinAnd(items: string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
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
