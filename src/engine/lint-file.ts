/**
 * One lint run's shared state (`LintRun`: settings, schemas, resolver bases, caches) and the steps
 * that concern one file at a time: load and analyse, Hydra composition, dataset rows, linked
 * files, the declared reference, the rules. `lint()` (engine/lint.ts) runs them on the main thread
 * around the cross-file steps (launch scripts, config fragments, `--base`); a lint worker
 * (engine/parallel/worker.ts) runs the same steps for the files it is given, so that a parallel
 * run gives what a serial one does.
 */
import path from 'node:path';
import { matcher, settingsFor } from '../config/load-config.js';
import type { TrainlintConfig, FileSettings } from '../config/types.js';
import { detectDialect, dialectById, ruleYamlLoader } from '../dialects/index.js';
import type { Dialect, DialectMeta, ExtractEnv, Extraction } from '../dialects/types.js';
import type { UnresolvedTag } from './load/result.js';
import { unconstructedTagMessage, unconstructedTags } from './yaml-tags.js';
import { handedOnAsText } from '../dialects/megatron.js';
import { RULES, RULES_BY_ID } from '../rules/index.js';
import type { Rule, RuleContext } from '../rules/types.js';
import { relativePosix, resolveUnder, toPosix } from './posix-paths.js';
import { checkRepoPath, describeTried, PathChecks, repoRootOf, resolveWritten, type PathBase, type RepoRoot } from './repo-files.js';
import { DEFAULT_MAX_FILE_BYTES, formatOf, jsonByteOrderMarkProblem, loadFile } from './load-file.js';
import { SchemaStore } from './schemas.js';
import { applySuppressions } from './suppressions.js';
import { appendAll, capPerKind, moreNoteOf } from './caps.js';
import { userFacingMessage } from './load/result.js';
import { groupRunLength, shapeRunFindings, type RunFindingsContext } from './group-findings.js';
import { shortRunOf } from './short-run.js';
import { duplicateKeyFinding } from './duplicates.js';
import { linkRequests, mergeLinked, takeMatchedValues } from './links.js';
import { packagePinReader, type PackagePin } from './package-pins.js';
import { composeFromRepository, type HydraFiles } from './hydra-files.js';
import type { ComposedConfig, LoadedConfig } from './hydra/compose.js';
import type { HydraInput } from './hydra/view.js';
import { inheritanceFindings, inheritanceReader } from './inherit.js';
import { DatasetReads, estimateDatasetSamples } from './datasets.js';
import type { SourceFile } from './source.js';
import { fileStartRange } from './source.js';
import { PLAN_FIELDS, type Finding, type PlanField, type Setting, type Severity, type TrainingPlan } from './types.js';
import type { FileResult, LintOptions } from './lint.js';
import { RecentMap } from './recent-map.js';
import { launchedConfig, type ScriptLaunch } from './script-links.js';
import { sourceReaderFor } from './script-sources.js';
import type { SourceReader } from './launch.js';

/** Per-file cache entries a run keeps (Hydra compositions): the configs linted most recently. */
const RECENT_PER_FILE = 256;

/** The files being linted, as the links and references of a config see them. */
export interface LintedFiles {
  /** The path is one of the linted files. */
  has(rel: string): boolean;
  /** Its loaded form (inheritance attached), as it is linted; undefined when it is not linted. */
  file(rel: string): SourceFile | undefined;
}

/** What every step of one lint run shares. */
export interface LintRun {
  options: LintOptions;
  root: string;
  config: TrainlintConfig;
  maxBytes: number;
  parseOptions: { yamlVersion?: TrainlintConfig['yaml']; maxBytes: number; scriptSources?: (rel: string) => SourceReader };
  /** Attaches `_base_`/`_BASE_`/import inheritance to a loaded file (engine/inherit.ts). */
  withBases: (file: SourceFile) => SourceFile;
  schemas: SchemaStore;
  settingsOf(rel: string): FileSettings;
  /** A file's settings with values a launch command gives it: they win over `assume`. */
  settingsWith(rel: string, values: Partial<Record<PlanField, Setting>>): FileSettings;
  repo: RepoRoot;
  lintRoot: string;
  /** A result path (relative to the lint root) → repository-relative. */
  toRepo(rel: string): string;
  /** An absolute path → the path results use (relative to the lint root). */
  fromAbs(abs: string): string;
  rootBase: PathBase;
  /** The linted folder, when it is below the repository root. */
  lintRootBase: PathBase[];
  insideLintRoot(rel: string): boolean;
  hydraFiles: HydraFiles;
  /** A config's Hydra composition from the repository's files (cached per file and bases). */
  composedFor(file: SourceFile, bases: PathBase[]): ComposedConfig | undefined;
  /** `configBases` of the configs no launch command runs, per folder (they follow from it alone). */
  datasetBasesByFolder: Map<string, PathBase[]>;
  /** The dataset files and catalogs looked up so far (configs of a folder name the same ones). */
  datasetChecks: PathChecks;
  /** The dataset files counted and catalogs read so far. */
  datasetReads: DatasetReads;
  /** Set by the caller: the linted files, for links and references. */
  linted: LintedFiles;
  /** Set by a lint worker: told the path of each declared reference (the main thread relints a file whose reference a script launches). */
  referenced?: (rel: string) => void;
}

export function createLintRun(options: LintOptions): LintRun {
  const { root, config } = options;
  const maxBytes = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // Paths are root-relative in results and reports; written paths resolve from the repository root.
  const repo = repoRootOf(options.repoRoot ?? root);
  const lintRoot = path.resolve(root);
  const toRepo = (rel: string) => relativePosix(repo.root, resolveUnder(lintRoot, rel));
  // A launch script's `source env.sh` is read from the current files (a script's version at --base reads its sources at the base: lint.ts).
  const parseOptions = { yamlVersion: config.yaml, maxBytes, scriptSources: (rel: string) => sourceReaderFor(repo, toRepo(rel), maxBytes) };
  // A file's settings follow from which `overrides` and `schemas` entries match it: files that
  // match the same ones share one settings object (a run of 50,000 files has a handful).
  const overrides = config.overrides ?? [];
  const schemaEntries = config.schemas ?? [];
  const settingsByMatch = new Map<string, FileSettings>();
  // Package pins (requirements.txt, pyproject.toml, setup.py) near a config, read when a dialect asks.
  const pinRepo = repoRootOf(options.repoRoot ?? root);
  const pinReader = packagePinReader(pinRepo, (rel) => relativePosix(pinRepo.root, path.dirname(path.resolve(root, rel))) || '.');
  const packagePins = (rel: string, pkg: string): PackagePin | undefined => {
    const pin = pinReader(rel, pkg);
    return pin ? { ...pin, file: relativePosix(path.resolve(root), path.resolve(pinRepo.root, pin.file)) } : undefined;
  };
  const settingsOf = (rel: string) => {
    let key = '';
    for (let i = 0; i < overrides.length; i++) if (matcher(overrides[i].files)(rel)) key += `o${i},`;
    for (let i = 0; i < schemaEntries.length; i++) if (matcher(schemaEntries[i].files)(rel)) key += `s${i},`;
    let s = settingsByMatch.get(key);
    if (!s) {
      s = { ...settingsFor(config, rel, options.cliRules), packagePins };
      settingsByMatch.set(key, s);
    }
    return s;
  };
  const fromAbs = (abs: string) => relativePosix(lintRoot, abs);
  // Hydra: a config's defaults list is composed from the repository's files (engine/hydra-files.ts).
  const hydraFiles: HydraFiles = { repo, show: fromAbs, toRepo, parseOptions: { ...parseOptions, maxBytes } };
  const hydraCache = new Map<string, LoadedConfig | { missing: string }>();
  const composedCache = new RecentMap<string, ComposedConfig | undefined>(RECENT_PER_FILE);
  return {
    options,
    root,
    config,
    maxBytes,
    parseOptions,
    // `_base_`, `_BASE_` and config imports: the files a config builds on, through the one resolver.
    withBases: inheritanceReader(options.repoRoot ?? root, root, maxBytes),
    schemas: new SchemaStore(root, options.schemaTexts),
    settingsOf,
    settingsWith: (rel, values) => {
      const s = settingsOf(rel);
      return Object.keys(values).length ? { ...s, assume: { ...s.assume, ...values } } : s;
    },
    repo,
    lintRoot,
    toRepo,
    fromAbs,
    rootBase: { dir: '.', label: 'the repository root' },
    lintRootBase: repo.root === lintRoot ? [] : [{ dir: toRepo('.'), label: 'the linted folder' }],
    insideLintRoot: (rel) => !rel.startsWith('../'),
    hydraFiles,
    composedFor: (file, bases) => {
      const key = `${file.path}\0${bases.map((b) => b.dir).join('\0')}`;
      if (!composedCache.has(key)) composedCache.set(key, composeFromRepository(file, bases, hydraFiles, hydraCache));
      return composedCache.get(key);
    },
    datasetBasesByFolder: new Map(),
    datasetChecks: new PathChecks(repo),
    datasetReads: new DatasetReads(),
    linted: { has: () => false, file: () => undefined },
  };
}

/** The plan of the run a file describes: its own plan merged with its linked files. */
export function runPlanOf(result: FileResult): TrainingPlan {
  return result.extraction ? mergeLinked(result.extraction.plan, result.linked ?? [], result.extraction.matched) : {};
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
  const dialect = forced ?? chosenDialect(file, settings, env);
  if (!dialect) return { reason: unclaimedReason(file) };
  const extraction = dialect.extract(file, env);
  const matched = takeMatchedValues(extraction.plan);
  if (matched) extraction.matched = matched;
  return { dialect, extraction };
}

/** The dialect `analyse` reads a loaded file with (the configured one, else the one detected), without extracting. */
export function dialectOf(file: SourceFile, settings: FileSettings): Dialect | undefined {
  if (file.problems.some((p) => p.kind === 'parse-error')) return undefined;
  return chosenDialect(file, settings, envFor(settings, undefined, file));
}

function chosenDialect(file: SourceFile, settings: FileSettings, env: ExtractEnv): Dialect | undefined {
  return (settings.dialect ? dialectById(settings.dialect) : undefined) ?? detectDialect(file, env);
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

/** A file that could not be loaded at all (a loader bug): what its result shows. */
export function unloadedFile(rel: string): SourceFile {
  return { path: rel, text: '', format: formatOf(rel), problems: [], directives: { suppressions: [] } };
}

export function analyseSafely(run: LintRun, file: SourceFile, settings: FileSettings, extra: Partial<FileResult> = {}): FileResult {
  try {
    return { file, findings: [], ...extra, ...analyse(file, settings, undefined, extra.hydra) };
  } catch (err) {
    return { file, findings: [internalError(file, err)], ...extra, reason: 'internal error' };
  }
}

/** Load a linted file from disk, with what it inherits, and analyse it; `regular`: discovery's `DiscoveredFile.regular`. */
export function loadAndAnalyse(run: LintRun, abs: string, rel: string, regular = false): FileResult {
  // Loading is inside the try too: loaders should never throw on content, but if one does (a
  // bug), only this file gets an internal-error finding and the other files are still linted.
  let file: SourceFile | undefined;
  try {
    file = run.withBases(loadFile(abs, rel, run.parseOptions, regular));
    return { file, findings: [], ...analyse(file, run.settingsOf(rel)) };
  } catch (err) {
    file ??= unloadedFile(rel);
    return { file, findings: [internalError(file, err)], reason: 'internal error' };
  }
}

/** A linted file as it is linted (for links and references): loaded again, or its stand-in when loading fails. */
export function reloadLinted(run: LintRun, abs: string, rel: string): SourceFile {
  try {
    return run.withBases(loadFile(abs, rel, run.parseOptions));
  } catch {
    return unloadedFile(rel);
  }
}

/** A Hydra config is analysed again with its composition from the repository's files. */
export function withComposition(run: LintRun, result: FileResult): FileResult {
  if (!result.dialect?.meta.hydra || !result.file.tree) return result;
  const composed = run.composedFor(result.file, [run.rootBase, ...run.lintRootBase]);
  return composed ? analyseSafely(run, result.file, run.settingsOf(result.file.path), { hydra: { composed } }) : result;
}

/** Where a path a config writes is resolved from: the launcher's working directory (or the repository root), then the config's folder. */
export function configBases(run: LintRun, result: FileResult): PathBase[] {
  const wd = result.launch?.workdir;
  const start = wd?.dir !== undefined ? [{ dir: wd.dir, label: wd.label }, ...(run.insideLintRoot(result.launch!.script) ? run.lintRootBase : [])] : [run.rootBase, ...run.lintRootBase];
  return [...start, { dir: run.toRepo(path.posix.dirname(result.file.path)), label: "the config's folder" }];
}

/**
 * Dataset sizes: the rows of the data a config names, as an upper bound on its samples.
 * `launchValues`: the values of the launch command the result was built for.
 */
export function countDatasets(run: LintRun, result: FileResult, launchValues: Partial<Record<PlanField, Setting>>): void {
  const request = result.dialect?.datasets?.(result.file);
  const extraction = result.extraction;
  if (!request || !extraction || !result.dialect || extraction.plan.datasetSamples) return;
  // Counted for each result (a launch command may name other data than the config as written:
  // `llamafactory-cli train sft.yaml dataset=big`): what is slow to repeat, reading the files,
  // is done once a run (the path checks, `run.datasetReads`). A result is counted once: keeping
  // estimates per config and request (a key of the request's text) cost more than it saved.
  const estimate = estimateDatasetSamples(request, { repo: run.repo, bases: datasetBases(run, result), show: run.fromAbs, maxBytes: run.maxBytes, checks: run.datasetChecks, reads: run.datasetReads });
  if (!estimate.ok) {
    extraction.notes.push(`dataset size unknown: ${estimate.why}`);
    return;
  }
  // The estimate is this result's own: its setting takes the config's path as its last key (as `{ ...setting, file }` would).
  const counted = estimate.setting;
  counted.file = result.file.path;
  if (result.dialect.usesDatasetRows?.(extraction.plan) === false) {
    // Nothing in this plan follows from the rows: extracting again with them would give the same
    // plan with `datasetSamples` added (and the same notes), so that is what the result gets.
    const plan: TrainingPlan = { ...extraction.plan, datasetSamples: counted };
    markEstimates(extraction.plan, plan, estimate.label);
    result.extraction = { ...extraction, plan };
    return;
  }
  const settings = result.launch ? run.settingsWith(result.file.path, launchValues) : run.settingsOf(result.file.path);
  const withRows = analyse(result.file, { ...settings, assume: { ...settings.assume, datasetSamples: counted } }, result.dialect, result.hydra).extraction;
  if (!withRows) return;
  markEstimates(extraction.plan, withRows.plan, estimate.label);
  for (const note of extraction.notes) if (!withRows.notes.includes(note)) withRows.notes.push(note);
  result.extraction = withRows;
}

/** `configBases` of a config; for one no launch command runs, kept per folder (`datasetBasesByFolder`). */
function datasetBases(run: LintRun, result: FileResult): PathBase[] {
  if (result.launch) return configBases(run, result);
  const byFolder = run.datasetBasesByFolder;
  const folder = path.posix.dirname(result.file.path);
  let known = byFolder.get(folder);
  if (!known) {
    known = configBases(run, result);
    byFolder.set(folder, known);
  }
  return known;
}

/**
 * The fields that follow from a dataset's row count (they differ from the plan without it) are
 * upper bounds too: steps per epoch, total steps, and what is derived from them.
 */
function markEstimates(before: TrainingPlan, after: TrainingPlan, label: string): void {
  const target = after as Record<string, Setting>;
  // The plan's own fields (a plan holds a third of PLAN_FIELDS, or fewer), each on its own: a value
  // replaced keeps its place among the plan's keys.
  for (const field of Object.keys(target)) {
    if (!PLAN_FIELD_SET.has(field)) continue;
    const s = target[field];
    if (!s || typeof s.value !== 'number' || s.origin === 'dataset') continue;
    const b = (before as Record<string, Setting | undefined>)[field];
    if (b && b.value === s.value) continue;
    // `{ ...s, bound, estimatedFrom, how }` with each key that `s` has keeping its place: copied by
    // `Object.assign`, one builtin step whatever the shape (a spread here sees the many shapes of Settings).
    const marked: Setting = Object.assign({}, s);
    marked.bound = 'upper';
    marked.estimatedFrom = label;
    if (s.how) marked.how = `${s.how}, at most: from the rows of ${label}`;
    target[field] = marked;
  }
}

const PLAN_FIELD_SET: ReadonlySet<string> = new Set(PLAN_FIELDS);

/**
 * Linked files: a trainer config's `deepspeed: ds.json`, resolved as the launcher's working
 * directory sees it (the repository root, or where the script cd's), then from the config's folder.
 */
export function linkFiles(run: LintRun, result: FileResult): void {
  for (const request of linkRequests(result.file, result.dialect?.meta.id)) {
    const resolution = resolveWritten(run.repo, request.written, configBases(run, result));
    if (!resolution.found) {
      result.extraction?.notes.push(`${request.key}: ${request.written} not found inside the repository (tried ${describeTried(resolution.tried)}); its values are not checked`);
      continue;
    }
    const rel = run.fromAbs(resolution.found.abs);
    try {
      const loaded = run.linted.file(rel) ?? loadFile(resolution.found.abs, rel, run.parseOptions);
      const linkedAnalysis = analyse(loaded, run.settingsOf(result.file.path), dialectById('deepspeed'));
      const linked = linkedAnalysis.extraction;
      if (linked) (result.linked ??= []).push({ ...request, path: rel, plan: linked.plan, ...(linked.matched ? { matched: linked.matched } : {}), resolvedFrom: resolution.found.base.label });
    } catch (err) {
      result.findings.push(internalError(result.file, err, `its linked file ${rel}`));
    }
  }
}

/** The reference a config declares (`# trainlint: reference=PATH`, or `references` in .trainlint.yml), as a lint-root-relative path. */
export function resolveReferencePath(result: FileResult, config: TrainlintConfig): string | undefined {
  const declared = result.file.directives.reference?.path;
  // An absolute path stays absolute (the repository check then refuses it as outside), never joined to the folder.
  if (declared) return toPosix(path.posix.isAbsolute(declared) ? path.posix.normalize(declared) : path.posix.normalize(path.posix.join(path.posix.dirname(result.file.path), declared)));
  // Own keys only: a file named `constructor` or `toString` must not find Object.prototype members.
  const refs = config.references;
  return refs && Object.hasOwn(refs, result.file.path) ? refs[result.file.path] : undefined;
}

/**
 * Declared references: the config this one was derived from, linted with the same dialect.
 * Returns true when the file declares none and has a plan (`--base` may give it one).
 */
export function pairReference(run: LintRun, result: FileResult, launchOf?: (rel: string) => ScriptLaunch | undefined): boolean {
  if (!result.extraction || !result.dialect) return false;
  const refPath = resolveReferencePath(result, run.config);
  if (!refPath) return true;
  run.referenced?.(refPath);
  // A failure while reading the reference is reported on this file, which is still linted
  // without its reference (the same isolation as for the files themselves).
  const refCheck = run.linted.has(refPath) ? undefined : checkRepoPath(run.repo, refPath);
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
    return false;
  }
  try {
    const loaded = run.linted.file(refPath) ?? run.withBases(loadFile(path.resolve(run.root, refPath), refPath, run.parseOptions));
    const problem = loaded.problems.find((p) => p.kind === 'parse-error');
    if (problem) {
      result.findings.push({
        ruleId: 'parse-error',
        severity: 'error',
        path: result.file.path,
        range: result.file.directives.reference?.range ?? fileStartRange(result.file),
        message: `reference ${refPath} cannot be read: ${problem.message}`,
      });
      return false;
    }
    // A Hydra reference is composed from its defaults list like the config itself.
    const refComposed = result.dialect.meta.hydra && loaded.tree ? run.composedFor(loaded, [run.rootBase, ...run.lintRootBase]) : undefined;
    // Read as the repository's launch scripts start it, when they agree (reference-launch.ts).
    const launch = refComposed ? undefined : launchOf?.(refPath);
    const refAnalysis = launch
      ? analyse(launchedConfig(loaded, launch, result.dialect), run.settingsWith(refPath, launch.values), result.dialect)
      : analyse(loaded, run.settingsOf(refPath), result.dialect, refComposed ? { composed: refComposed } : undefined);
    if (refAnalysis.extraction) result.reference = { plan: refAnalysis.extraction.plan, label: `reference ${refPath}`, path: refPath };
  } catch (err) {
    result.findings.push(internalError(result.file, err, `its reference ${refPath}`));
  }
  return false;
}

/** The last step: the reference the config implies, the rules, sorted findings. */
export function finishResult(run: LintRun, result: FileResult): void {
  // What the config itself says its LR was tuned for (a file-name convention, a base config).
  if (!result.reference && result.extraction?.reference) result.reference = result.extraction.reference;
  const bom = byteOrderMarkFinding(result);
  if (bom) result.findings.push(bom);
  const tags = tagsLoadStopsAt(result);
  if (tags) {
    for (const t of tags.stops) result.findings.push({ ruleId: 'parse-error', severity: 'error', path: result.file.path, range: t.range, message: unconstructedTagMessage(t.tag, tags.meta) });
  }
  try {
    runRules(result, run.settingsOf(result.file.path), run.schemas, tags?.stops.length ? new Set(tags.stops.map((t) => t.tag)) : undefined);
  } catch (err) {
    if ((err as Error).name === 'UsageError') throw err;
    result.findings.push(internalError(result.file, err));
  }
  result.findings.sort(compareFindings);
}

/**
 * The YAML tags of a file that its framework's loader stops on (engine/yaml-tags.ts): the loader of
 * its dialect, or of the config it is composed into (a Hydra fragment). None for a file no dialect
 * reads, or one Megatron's functional tests hand on as text (yq keeps every tag).
 */
function tagsLoadStopsAt(result: FileResult): { stops: UnresolvedTag[]; meta: DialectMeta } | undefined {
  const { file } = result;
  const meta = result.dialect?.meta ?? result.composedInto?.dialect.meta;
  if (!file.unresolvedTags || !meta || handedOnAsText(file)) return undefined;
  return { stops: unconstructedTags(file.unresolvedTags, meta), meta };
}

/**
 * A JSON file that starts with a UTF-8 byte order mark, once its dialect tells how the framework
 * reads it (`DialectMeta.jsonLoader`): an error where Python's `json.load` reads it, nothing where a
 * YAML loader does (it skips the mark), a warning naming both loaders for a DeepSpeed config. The
 * file is still linted (the mark is all that must go). Unclaimed files: nothing.
 */
function byteOrderMarkFinding(result: FileResult): Finding | undefined {
  const problem = jsonByteOrderMarkProblem(result.file);
  const loader = result.dialect?.meta.jsonLoader ?? 'json';
  if (!problem || !result.dialect || loader === 'yaml') return undefined;
  const finding: Finding = { ruleId: 'parse-error', severity: 'error', path: result.file.path, range: problem.range, message: problem.message };
  if (loader === 'json') return finding;
  return {
    ...finding,
    severity: 'warning',
    message:
      'the file starts with a UTF-8 byte order mark: HF Transformers and Accelerate read a DeepSpeed config ' +
      "with Python's json.load, which rejects it (\"Unexpected UTF-8 BOM (decode using utf-8-sig)\") when a trainer " +
      'config or `--deepspeed` names this file; `deepspeed --deepspeed_config` reads it with hjson, which skips the mark. ' +
      'Save the file as UTF-8 without a BOM',
  };
}

/** `unconstructedTags`: the YAML tags the framework's loader stops on, already reported (`tagsLoadStopsAt`). */
function runRules(result: FileResult, settings: FileSettings, schemas: SchemaStore, unconstructedTags?: ReadonlySet<string>): void {
  const { file, dialect } = result;
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
  // The run's plan, once for the rules and the grouping of their findings.
  const plan = runPlanOf(result);
  if (file.tree || file.script) runEachRule(result, settings, schemas, push, plan, unconstructedTags);
  // One cause, one finding (and the short-run severities), before suppressions: those written
  // for a merged finding still apply to the group (engine/group-findings.ts).
  const runCtx = runFindingsContext(result, settings, plan, raw);
  const { kept, problems } = applySuppressions(shapeRunFindings(raw, runCtx), file, (members) => groupRunLength(members, runCtx));
  appendAll(result.findings, capPerKind(kept, (f) => f.ruleId));
  const suppressionSeverity = settings.rules.get('unused-suppression')?.severity ?? 'warning';
  // After an internal error the rules did not all run: "suppresses nothing" would be a guess. What
  // holds whatever the rules found stays: a suppression without a reason, a comment that is no directive.
  const crashed = raw.some((f) => f.ruleId === 'internal-error');
  const reported = crashed ? problems.filter((p) => p.data?.missingReason || p.data?.unknownDirective) : problems;
  if (suppressionSeverity !== 'off') appendAll(result.findings, capPerKind(reported.map((p) => ({ ...p, severity: suppressionSeverity })), (f) => f.ruleId));
}

/**
 * The rules of a file, with one context they share (what differs from rule to rule is set before
 * each runs). A function of its own, and the context one object literal of fixed fields: the
 * optimizing compiler builds it once for every file (spreads of optional parts gave objects of
 * varying shapes, and with them repeated deoptimizations and recompilations of `runRules`).
 */
function runEachRule(
  result: FileResult,
  settings: FileSettings,
  schemas: SchemaStore,
  push: (finding: Finding) => void,
  plan: TrainingPlan,
  unconstructedTags: ReadonlySet<string> | undefined,
): void {
  const { file, extraction, dialect } = result;
  const builtin = dialect?.meta.schemaFor ? dialect.meta.schemaFor(file) : dialect?.meta.schema;
  // The dialect's built-in schema, then the user's (those that compile), in this order.
  const validators: RuleContext['schemas'] = [];
  if (builtin) {
    const validate = schemas.builtin(builtin);
    if (validate !== undefined) validators.push({ name: builtin, validate });
  }
  for (const name of settings.schemas) {
    const validate = schemas.user(name);
    if (validate !== undefined) validators.push({ name, validate });
  }
  // What every rule of this file sees, worked out once (the merged plan, the YAML loader…).
  const loader = ruleYamlLoader(extraction, dialect?.meta ?? result.composedInto?.dialect.meta, handedOnAsText(file));
  let ruleId = '';
  let ruleSeverity: Finding['severity'] = 'error';
  const ctx: RuleContext = {
    file,
    plan,
    ownPlan: extraction?.plan ?? {},
    ownMatched: extraction?.matched,
    linked: result.linked ?? [],
    dialectId: dialect?.meta.id,
    ...(unconstructedTags ? { unconstructedTags } : {}),
    yamlLoader: loader.yamlLoader,
    yamlLoaderName: loader.yamlLoaderName,
    yamlParser: loader.yamlParser,
    anchor: extraction?.anchor ?? fileStartRange(file),
    reference: result.reference,
    conflicts: extraction?.conflicts ?? [],
    ignored: extraction?.ignored ?? [],
    afterDecay: extraction?.afterDecay,
    launchCheck: undefined,
    globalBatchRounding: extraction?.globalBatchRounding,
    configErrors: extraction?.configErrors,
    schemaTree: extraction?.schemaTree,
    batchChecks: extraction?.batchChecks,
    atRunEnd: extraction?.atRunEnd,
    decayDefaultsToRun: extraction?.decayDefaultsToRun,
    options: {},
    schemas: validators,
    report: ({ severity, ...input }) => push({ ruleId, severity: severity ?? ruleSeverity, path: file.path, ...input }),
  };
  const launchChecks = extraction?.launchChecks;
  const warmupFraction = settings.rules.get('warmup-fraction');
  // Its options hold its default `max` already (settingsFor).
  ctx.warmupFractionMax = warmupFraction && warmupFraction.severity !== 'off' ? Number(warmupFraction.options.max) : undefined;
  for (let i = 0; i < RULE_STEPS.length; i++) {
    const step = RULE_STEPS[i];
    const effective = settings.rules.get(step.id);
    if (!effective || effective.severity === 'off') continue;
    if (!step.fileScope && !extraction) continue;
    ruleId = step.id;
    ruleSeverity = effective.severity as Finding['severity'];
    ctx.launchCheck = launchChecks?.[step.id];
    ctx.options = effective.options;
    step.rule.check(ctx);
  }
}

/**
 * The rules `runEachRule` runs (not the built-in ones), in order, with what it reads of each: one
 * shape for all, where the rules' objects and metas come in as many shapes as there are rules (each
 * object literal has its own), so that reading `meta.id`, `meta.scope`… file after file missed the
 * inline caches.
 */
const RULE_STEPS: readonly { id: string; fileScope: boolean; rule: Rule }[] = RULES.filter((rule) => !rule.meta.builtin).map((rule) => ({
  id: rule.meta.id,
  fileScope: rule.meta.scope === 'file',
  rule,
}));

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * What the grouping of a file's findings reads. The short run is read for run-length findings only
 * (their severity, their note, the merged finding): a file without any (most files) needs none.
 */
function runFindingsContext(result: FileResult, settings: FileSettings, plan: TrainingPlan, raw: Finding[]): RunFindingsContext {
  const shortRun = result.extraction && raw.some(hasRunLength) ? shortRunOf(result.file.path, plan, settings.shortRun, result.launch?.script) : undefined;
  return { plan, shortRun, shortRunSeverity: settings.shortRun.severity, launchChecks: result.extraction?.launchChecks ?? {} };
}

const hasRunLength = (f: Finding): boolean => Boolean(f.runLength);

function compareFindings(a: Finding, b: Finding): number {
  return a.range.line - b.range.line || a.range.column - b.range.column || a.ruleId.localeCompare(b.ruleId);
}

export function internalError(file: SourceFile, err: unknown, what = 'this file'): Finding {
  const message = userFacingMessage(err instanceof Error ? err.message.split('\n')[0] : String(err));
  return {
    ruleId: 'internal-error',
    severity: 'error',
    path: file.path,
    range: fileStartRange(file),
    message: `trainlint failed on ${what} (${message}); the other files were linted. Please report this with the file.`,
  };
}
