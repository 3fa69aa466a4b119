/**
 * The engine: discover → load → detect dialect → extract plan → pair with a reference →
 * rules → suppressions → sorted findings. Shared by the CLI and the action.
 */
import path from 'node:path';
import { asList, ignoreMatcher } from '../config/load-config.js';
import type { RuleSetting, TrainlintConfig } from '../config/types.js';
import type { Dialect, Extraction } from '../dialects/types.js';
import type { Reference } from '../rules/types.js';
import { discover } from './discover.js';
import { relativePosix, resolveUnder, toPosix } from './posix-paths.js';
import { checkRepoPath, describeTried, readBounded, resolveWritten, type PathBase, type RepoRoot } from './repo-files.js';
import { baseSourceReader } from './script-sources.js';
import { readBaseVersions, type BaseVersion } from './git.js';
import { agreedLaunch, correspondingLaunch } from './reference-launch.js';
import { decodeSource, loadFile, parseSource } from './load-file.js';
import { accelerateLink, type LinkedPlan } from './links.js';
import { resolveCommandConfig } from './hydra-files.js';
import { composeConfig } from './hydra/compose.js';
import type { HydraInput } from './hydra/view.js';
import { scriptsMentioning, walkForScripts, type ScriptListing } from './repository.js';
import { mayNameFile, mayNameNeoxConfig } from './script-mentions.js';
import { accelerateConfigOf, accelerateValues, launchCommands, launchedConfig, scriptLaunches, workdirOf, type ScriptLaunch, type WorkDir } from './script-links.js';
import type { SourceFile } from './source.js';
import type { Finding, PlanField, Range, RelatedLocation, Setting } from './types.js';
import {
  analyse,
  analyseSafely,
  countDatasets,
  createLintRun,
  dialectOf,
  finishResult,
  internalError,
  linkFiles,
  loadAndAnalyse,
  pairReference,
  reloadLinted,
  resolveReferencePath,
  unloadedFile,
  withComposition,
  type LintRun,
} from './lint-file.js';
import { finishesHere, lintInWorkers, workerCount } from './parallel/pool.js';
import type { SlimResult } from './parallel/lint-alone.js';
import { tuneV8ForRun } from '../v8-tuning.js';


/** Rounds of reading what a base script sources (a sourced file may source another). */
const MAX_SOURCE_ROUNDS = 4;
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
  /**
   * Lint workers (worker_threads, engine/parallel/): 1 lints on this thread only; N above 1 starts N
   * workers whenever there are files for them. Default: as many as the available cores, at most 4,
   * for runs of at least PARALLEL_MIN_FILES files, else none. Output is the same either way; a
   * file a worker finished keeps what reports read (engine/parallel/finished.ts). Without workers,
   * a run of at least `tuning.compactFromFiles` files finishes them the same way on this thread.
   */
  jobs?: number;
  /**
   * Every result whole, as linted on this thread (its tree, its extraction's notes, missing fields
   * and rule inputs): no workers, and no compact finishing of large runs. For callers that print
   * more than reports read (`trainlint plan`).
   */
  wholeResults?: boolean;
  /**
   * The caller will write the JSON report (`reportParts`, `writeJson`): workers also render each
   * file's part of it, so that the main thread only joins them.
   */
  renderJson?: boolean;
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
  /** The command is another script's that this one runs (`ScriptLaunch.throughFile`): that script's path, as `script` is given. */
  through?: string;
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
  /** The dialect comes from the commands that launch the config, not from its keys (lint.ts claimByLaunch): the plan's note saying so. */
  dialectFromLaunch?: string;
}

export interface LintResult {
  results: FileResult[];
}

export { analyse, runPlanOf } from './lint-file.js';

/** Lint workers finish most files; the main thread keeps what the cross-file steps need of them. */
interface Finished {
  hasTree: boolean;
  hasPlan: boolean;
  /** Hydra compositions of the file: the files each merged (for config fragments). */
  compositions: { primary: string; files: string[] }[];
  /** Paths its links and references looked up that are not linted files. */
  reads: string[];
  /** A worker stopped on a usage error: the file is linted again here, in order. */
  redo: boolean;
}

export async function lint(options: LintOptions): Promise<LintResult> {
  const { root, config } = options;
  const run = createLintRun(options);
  const { repo, lintRoot, toRepo, fromAbs, lintRootBase, insideLintRoot, hydraFiles, parseOptions, maxBytes, withBases } = run;
  const virtual = [...(options.virtualFiles ?? []), ...(options.stdinFile ? [options.stdinFile] : [])];
  // A full scan of the repository root reads every script itself (ignored ones stay ignored); any
  // other run looks for the repository's launch scripts that name its configs.
  const fullScan = repo.root === lintRoot && options.paths.every((p) => path.resolve(lintRoot, p) === lintRoot) && asList(config.files).length === 0 && virtual.length === 0;
  const wantsScripts = options.repoScripts !== false && !fullScan;
  // A run that names many files walks the repository for its scripts first: the walk's listings
  // type the named files, which spares discovery an `lstat` of each file and folder.
  let walked = wantsScripts && options.paths.length >= LISTED_DISCOVERY_MIN_PATHS ? walkForScripts(repo.root, scriptSkip(config, lintRoot)) : undefined;
  const scriptsWalked: ScriptListing | undefined = walked && { scripts: walked.scripts, truncated: walked.truncated };
  // A large run in trainlint's own process takes V8's settings for linting (v8-tuning.ts) as soon
  // as discovery has found enough files: before the heap has grown (50,000 files: 300 MiB, not 410).
  const discovered = virtual.length > 0 && options.paths.length === 0 ? [] : discover(root, options.paths, config, tuneV8ForRun, walked?.folders);
  // The listings are not kept for the run.
  walked = undefined;
  const discoveredAt = new Map(discovered.map((d) => [d.rel, d]));
  const absOf = (rel: string) => discoveredAt.get(rel)?.abs ?? resolveUnder(lintRoot, rel);
  const virtualResults: FileResult[] = virtual.map((file) => analyseSafely(run, file, run.settingsOf(file.path)));

  // Files a lint worker finished (engine/parallel/): only what reports need is kept of them. A
  // large run without workers finishes them the same way on this thread (parallel/pool.ts finishesHere).
  const finished = new Map<FileResult, Finished>();
  const workers = virtual.length === 0 && !options.wholeResults ? workerCount(options, discovered) : 0;
  const compact = workers > 0 || (virtual.length === 0 && !options.wholeResults && finishesHere(options, discovered));
  let results: FileResult[] =
    compact
      ? await lintInWorkers(run, discovered, workers, finished, finishedInfo)
      : [...virtualResults, ...discovered.map(({ abs, rel, regular }) => loadAndAnalyse(run, abs, rel, regular))];
  const byPath = new Map(results.map((r) => [r.file.path, r]));
  // Links and references reuse a linted file as it is linted (a finished one is read again).
  run.linted = {
    has: (rel) => byPath.has(rel),
    file: (rel) => {
      const r = byPath.get(rel);
      if (!r) return undefined;
      return finished.has(r) ? reloadLinted(run, absOf(rel), rel) : r.file;
    },
  };

  results = results.map((result) => (finished.has(result) ? result : withComposition(run, result)));
  for (const r of results) byPath.set(r.file.path, r);

  // Launch scripts: the linted ones, then the repository's others that mention a linted config.
  // Command lines run from the working directory; a stdin buffer stands where its path says.
  const virtualPaths = new Set((options.virtualFiles ?? []).map((f) => f.path));
  const linted = results.filter((r) => r.file.script).map((r) => r.file);
  const scripts = [...linted];
  if (wantsScripts) {
    // Configs with a plan, and those no dialect claims (a launch may say whose they are): by file
    // name, the absolute paths a script's written path may lead to.
    const names = new Map<string, string[]>();
    for (const r of results) {
      const done = finished.get(r);
      if (!(done ? done.hasTree && (done.hasPlan || !r.dialect) : r.file.tree && (r.extraction || !r.dialect))) continue;
      const name = path.posix.basename(r.file.path);
      addName(names, name, toPosix(resolveUnder(lintRoot, r.file.path)));
      // A declared reference is read as the repository's scripts launch it (reference-launch.ts agreedLaunch):
      // the scripts that name it are needed too, even when no script names the linted config.
      // (Not for a file a worker finished: its directives are in its encoded payload, and decoding every one
      // would cost a large run its compactness; a run that large is not a one-file lint.)
      const ref = done ? undefined : resolveReferencePath(r, config);
      if (ref && !path.posix.isAbsolute(ref)) {
        const refName = path.posix.basename(ref);
        addName(names, refName, toPosix(resolveUnder(lintRoot, ref)));
      }
    }
    scripts.push(...repositoryScripts(repo, lintRoot, names, new Set(linted.map((f) => resolveUnder(lintRoot, f.path))), config, maxBytes, parseOptions, scriptsWalked));
  }
  const launchesOf = new Map<string, { launch: ScriptLaunch; link: LaunchLink }[]>();
  const lintedScriptFiles = new Map(linted.map((f) => [f.path, f]));
  /** Hydra scripts: the config each command names, composed, for the script's own extraction. */
  const scriptHydra = new Map<string, HydraInput>();
  const lintedScripts = new Set(linted.map((f) => f.path));
  for (const file of scripts) {
    const isVirtual = virtualPaths.has(file.path);
    // A virtual script's folder is that of its path: `.` for exec's command line, the script's for a script it runs.
    const scriptDir = toRepo(path.posix.dirname(file.path));
    for (const launch of scriptLaunches(file, scriptDir)) {
      if (isVirtual) launch.workdir = { dir: toRepo('.'), label: 'the working directory' };
      // `accelerate launch --config_file X`: X's num_processes and mixed_precision are the launch's values too,
      // given before the configs are read (a dialect turning scheduler ticks into optimizer steps needs them).
      if (launch.accelerateConfig) {
        const accelerate = linkAccelerate(launch, { script: file.path, range: launch.range }, repo, fromAbs, parseOptions, scriptDir, insideLintRoot(file.path) ? lintRootBase : []);
        if (accelerate.linked) Object.assign(launch.values, accelerateValues(launch.accelerateConfig, accelerate.linked, `${file.path}:${launch.range.line}`));
      }
      if (launch.hydra) {
        // The config a Hydra command names: --config-path/--config-name, or its app's @hydra.main.
        const bases = launchBases(launch.workdir, scriptDir, insideLintRoot(file.path) ? lintRootBase : []);
        const resolution = resolveCommandConfig(launch.hydra, bases, hydraFiles);
        const scriptResult = byPath.get(file.path);
        if (resolution.found) {
          const rel = fromAbs(resolution.found.abs);
          launch.configs.push({ written: resolution.candidates.find((c) => resolution.found!.rel.endsWith(c)) ?? rel, flag: '--config-name', range: launch.hydra.configName?.range ?? launch.hydra.configFile?.range ?? launch.range, resolved: resolution });
          try {
            const loaded = run.linted.file(rel) ?? loadFile(resolution.found.abs, rel, parseOptions);
            if (!loaded.problems.some((p) => p.kind === 'parse-error')) {
              const composed = run.composedFor(loaded, bases) ?? composeConfig(loaded);
              const input = (scriptHydra.get(file.path) ?? {}) as HydraInput;
              input.commandConfigs = { ...input.commandConfigs, [launch.range.line]: composed };
              scriptHydra.set(file.path, input);
            }
          } catch (err) {
            if (scriptResult) scriptResult.findings.push(internalError(file, err, `the Hydra config ${rel}`));
          }
        } else if (resolution.candidates.length > 0 && scriptResult) {
          // A dotlist command (MaxText's OmegaConf.from_cli) names a file, not a Hydra config of its app.
          const missing = launch.hydra.dotlist
            ? `config ${launch.hydra.configFile?.value ?? ''} not found inside the repository (tried ${describeTried(resolution.tried)}); the values it sets are unknown`
            : `Hydra config not found inside the repository (tried ${describeTried(resolution.tried)}); the framework's packaged defaults apply`;
          (scriptResult.starts ??= []).push(`line ${launch.range.line}: ${missing}`);
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
        const link: LaunchLink = {
          script: file.path,
          range: launch.range,
          launcher: launch.launcher,
          workdir: launch.workdir,
          resolvedFrom: `${named.written} from ${resolution.found.base.label}`,
          ...(launch.throughFile !== undefined ? { through: fromAbs(path.join(repo.root, launch.throughFile)) } : {}),
        };
        const list = launchesOf.get(rel) ?? [];
        if (!list.some((l) => l.launch === launch)) list.push({ launch, link });
        launchesOf.set(rel, list);
      }
    }
  }

  // A script whose own command is the run's config (diffusers, sd-scripts flags): extracted again with the
  // accelerate config that command names, linked to it.
  results = results.map((result) => {
    const file = lintedScriptFiles.get(result.file.path);
    if (!file || !result.extraction || finished.has(result)) return result;
    const anchor = result.extraction.anchor;
    const cmd = file.script?.commands.find((c) => c.range.line === anchor.line && c.range.column === anchor.column);
    const acc = cmd && accelerateConfigOf(cmd);
    if (!cmd || !acc) return result;
    const scriptDir = virtualPaths.has(file.path) ? toRepo('.') : toRepo(path.posix.dirname(file.path));
    const launch = { accelerateConfig: acc, workdir: virtualPaths.has(file.path) ? { dir: toRepo('.'), label: 'the working directory' } : workdirOf(file, cmd, scriptDir) };
    const accelerate = linkAccelerate(launch, { script: file.path, range: cmd.range }, repo, fromAbs, parseOptions, scriptDir, insideLintRoot(file.path) ? lintRootBase : []);
    if (!accelerate.linked) {
      if (accelerate.note) result.extraction.notes.push(accelerate.note);
      return result;
    }
    const values = accelerateValues(acc, accelerate.linked, `${file.path}:${cmd.range.line}`);
    const again = Object.keys(values).length ? analyseSafely(run, result.file, run.settingsWith(result.file.path, values), result.starts ? { starts: result.starts } : {}) : result;
    again.linked = [accelerate.linked];
    byPath.set(result.file.path, again);
    return again;
  });

  // A Hydra script whose command names a config in the repository is extracted again with it.
  results = results.map((result) => {
    const input = scriptHydra.get(result.file.path);
    if (!input || !result.dialect?.meta.hydra) return result;
    const again = analyseSafely(run, result.file, run.settingsOf(result.file.path), { hydra: input, ...(result.starts ? { starts: result.starts } : {}) });
    byPath.set(result.file.path, again);
    return again;
  });

  // Config fragments a Hydra composition merged: part of that config, read with its framework's loader.
  const fragments = new Map<string, { primary: string; dialect: Dialect }>();
  const noteFragments = (composed: { primary: string; files: string[] } | undefined, dialect: Dialect | undefined) => {
    if (!composed || !dialect) return;
    for (const f of composed.files) if (f !== composed.primary && !fragments.has(f)) fragments.set(f, { primary: composed.primary, dialect });
  };
  for (const r of results) {
    const done = finished.get(r);
    if (done) {
      for (const c of done.compositions) noteFragments(c, r.dialect);
      continue;
    }
    noteFragments(r.hydra?.composed, r.dialect);
    for (const c of Object.values(r.hydra?.commandConfigs ?? {})) noteFragments(c, r.dialect);
  }

  // A linted script's configs are linted with it, even when they are outside the linted paths
  // (pre-commit on a changed script); they get only the launches of the linted scripts.
  const toAdd: { rel: string; abs: string }[] = [];
  for (const [rel, list] of launchesOf) {
    if (byPath.has(rel) || !list.some((l) => lintedScripts.has(l.link.script))) continue;
    const check = checkRepoPath(repo, toRepo(rel));
    if (check.ok) toAdd.push({ rel, abs: check.abs });
  }

  // A file a worker finished without what other files give it (a launch, a composition that merges
  // it, a linked file that only a script adds) is linted again here, as a serial run lints it.
  if (finished.size > 0) {
    const adding = new Set(toAdd.map((a) => a.rel));
    results = results.map((r) => {
      const done = finished.get(r);
      if (!done) return r;
      const rel = r.file.path;
      const again =
        done.redo ||
        (!r.dialect && fragments.has(rel)) ||
        ((done.hasPlan || (!r.dialect && done.hasTree)) && (launchesOf.get(rel)?.length ?? 0) > 0) ||
        done.reads.some((p) => adding.has(p) || (launchesOf.get(p)?.length ?? 0) > 0);
      if (!again) return r;
      finished.delete(r);
      const full = withComposition(run, loadAndAnalyse(run, absOf(rel), rel));
      byPath.set(rel, full);
      return full;
    });
  }

  for (const r of results) {
    const into = r.dialect ? undefined : fragments.get(r.file.path);
    if (!into) continue;
    r.composedInto = into;
    r.reason = `a config fragment that Hydra composes into ${into.primary} (its defaults list): linted as part of it`;
  }

  // The dialect of one command of a launch script (linted or only found by the repository scan):
  // the script read as if that command were its only one, so a data-preparation command next to
  // the training command is not taken for it.
  const scriptFiles = new Map(scripts.map((f) => [f.path, f]));
  const commandDialect = (link: LaunchLink): Dialect | undefined => {
    const file = scriptFiles.get(link.script);
    const cmd = file ? launchCommands(file).find((c) => c.range.line === link.range.line && c.range.column === link.range.column) : undefined;
    if (!file?.script || !cmd) return undefined;
    try {
      return dialectOf({ ...file, script: { ...file.script, commands: [cmd] } }, run.settingsOf(link.script));
    } catch {
      return undefined;
    }
  };
  // A config that no dialect claims by its keys but that launch commands of one framework name
  // (timm's `--config args.yaml` holding only common keys) is read as that framework reads it.
  results = results.map((r) => {
    const list = launchesOf.get(r.file.path);
    if (r.dialect || r.composedInto || r.file.script || !r.file.tree || finished.has(r) || !list?.length) return r;
    const claimed = claimByLaunch(run, r, list.map((l) => ({ link: l.link, dialect: commandDialect(l.link) })));
    if (claimed) byPath.set(r.file.path, claimed);
    return claimed ?? r;
  });

  const addedByScripts = new Set<string>();
  for (const { rel, abs } of toAdd) {
    let added: FileResult;
    try {
      const file = withBases(loadFile(abs, rel, parseOptions));
      added = analyseSafely(run, file, run.settingsOf(rel));
    } catch (err) {
      const file = unloadedFile(rel);
      added = { file, findings: [internalError(file, err)], reason: 'internal error' };
    }
    results.push(added);
    byPath.set(rel, added);
    addedByScripts.add(rel);
  }

  // One plan per launch: a config named by scripts is linted as each command starts it.
  const alone = new Map<string, FileResult>();
  results = results.flatMap((result) => {
    if (finished.has(result)) return [result];
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
      const settings = run.settingsWith(rel, launch.values);
      const fromLaunch = result.dialectFromLaunch;
      const launched = analyseSafely(run, launchedConfig(result.file, launch, result.dialect), fromLaunch && result.dialect ? { ...settings, dialect: result.dialect.meta.id } : settings, {
        launch: link,
        ...(hydra ? { hydra } : {}),
        ...(fromLaunch ? { dialectFromLaunch: fromLaunch } : {}),
      });
      if (fromLaunch && launched.extraction) launched.extraction.notes.push(fromLaunch);
      if (launch.accelerateConfig && launched.extraction) {
        const scriptDir = virtualPaths.has(link.script) ? toRepo('.') : toRepo(path.posix.dirname(link.script));
        const accelerate = linkAccelerate(launch, link, repo, fromAbs, parseOptions, scriptDir, insideLintRoot(link.script) ? lintRootBase : []);
        if (accelerate.linked) launched.linked = [accelerate.linked];
        if (accelerate.note) launched.extraction.notes.push(accelerate.note);
      }
      return launched;
    });
  });
  // What the main thread still has to finish: every result a worker did not.
  const everything = [...results, ...alone.values()].filter((r) => !finished.has(r));

  for (const result of everything) countDatasets(run, result, result.launch ? launchValuesOf(launchesOf, result) : {});
  for (const result of everything) linkFiles(run, result);

  const needBase = everything.filter((result) => pairReference(run, result, (rel) => agreedLaunch(launchesOf.get(rel))) && options.base);
  if (options.base && needBase.length > 0) {
    // The scripts that launch them too: the base version of a config is read as the base version
    // of its script started it (reference-launch.ts).
    const scriptsAtBase = needBase.flatMap((r) => (r.launch && !virtualPaths.has(r.launch.script) && !r.launch.script.startsWith('../') ? [r.launch.script] : []));
    // The accelerate configs the commands name now: the base script most often names the same file.
    const acceleratePaths = (launch: ScriptLaunch, script: string) =>
      launch.accelerateConfig ? accelerateCandidates(launch, repo, fromAbs, toRepo(path.posix.dirname(script)), insideLintRoot(script) ? lintRootBase : []) : [];
    const accelerateAtHead = needBase.flatMap((r) => {
      const launch = r.launch && scriptsAtBase.includes(r.launch.script) ? launchOf(launchesOf, r) : undefined;
      return launch ? acceleratePaths(launch, r.launch!.script) : [];
    });
    const versions = await readBaseVersions(root, options.base, [...new Set([...needBase.map((r) => r.file.path), ...scriptsAtBase, ...accelerateAtHead])]);
    // The base scripts' commands, each with the values of the accelerate config it named at the base.
    const baseLaunches = new Map<string, ScriptLaunch[]>();
    // The base scripts (those that launch the configs, and linted scripts themselves), with the files they
    // source read at the base too (`source env.sh` whose GBS the change edited).
    const baseScripts = new Set([...scriptsAtBase, ...needBase.filter((r) => r.file.format === 'shell').map((r) => r.file.path)]);
    const scriptsAtBaseParsed = await parseScriptsAtBase(run, root, options.base, [...baseScripts].flatMap((p) => (versions.get(p) ? [[p, versions.get(p)!] as const] : [])));
    for (const script of new Set(scriptsAtBase)) {
      const file = scriptsAtBaseParsed.get(script);
      const launches = file ? baseScriptLaunches(file, toRepo(path.posix.dirname(script))) : undefined;
      if (launches) baseLaunches.set(script, launches);
    }
    const unread = [...baseLaunches].flatMap(([script, launches]) => launches.flatMap((l) => acceleratePaths(l, script))).filter((p) => !versions.has(p));
    if (unread.length > 0) for (const [p, v] of await readBaseVersions(root, options.base, [...new Set(unread)])) versions.set(p, v);
    for (const [script, launches] of baseLaunches) {
      for (const launch of launches) {
        const version = acceleratePaths(launch, script).map((p) => versions.get(p)).find((v): v is BaseVersion => !!v);
        if (version) Object.assign(launch.values, accelerateAtBase(launch, version, script, options.base, parseOptions));
      }
    }
    for (const result of needBase) {
      const version = versions.get(result.file.path);
      if (!version) continue;
      const { basePath } = version;
      // As for declared references: a failure on the base version is this file's finding only.
      let baseAnalysis: ReturnType<typeof analyse>;
      try {
        const baseFile = withBases((result.file.format === 'shell' ? scriptsAtBaseParsed.get(result.file.path) : undefined) ?? parseSource(basePath, version.text, parseOptions, result.file.format));
        const launch = result.launch ? launchAtBase(result, launchesOf, baseLaunches.get(result.launch.script)) : undefined;
        baseAnalysis = launch
          ? analyse(launchedConfig(baseFile, launch, result.dialect), run.settingsWith(result.file.path, launch.values), result.dialect)
          : analyse(baseFile, run.settingsOf(result.file.path), result.dialect);
      } catch (err) {
        result.findings.push(internalError(result.file, err, `its version at ${options.base}`));
        continue;
      }
      if (!baseAnalysis.extraction) continue;
      const renamed = basePath !== result.file.path ? ` (was ${basePath})` : '';
      result.reference = { plan: baseAnalysis.extraction.plan, label: `base ${options.base}${renamed}`, path: basePath };
    }
  }

  for (const result of everything) finishResult(run, result);
  mergeLaunchFindings(results, alone);
  return { results };
}

/** The four kinds of finished file that the cross-file steps need nothing more of, shared: most files of a large run. */
const PLAIN_FINISHED: Finished[] = [false, true].flatMap((hasTree) => [false, true].map((hasPlan) => Object.freeze({ hasTree, hasPlan, compositions: [], reads: [], redo: false })));

/** What the cross-file steps need of a finished file (see `Finished`). */
function finishedInfo(slim: SlimResult): Finished {
  const redo = slim.redo === true;
  if (!redo && slim.compositions.length === 0 && slim.reads.length === 0) return PLAIN_FINISHED[(slim.hasTree ? 2 : 0) + (slim.hasPlan ? 1 : 0)];
  return { hasTree: slim.hasTree, hasPlan: slim.hasPlan, compositions: slim.compositions, reads: slim.reads, redo };
}

/**
 * The command of the base revision's launch script that started the config as `result.launch`
 * starts it now (among `launches`, the base script's commands); undefined for a Hydra launch, a
 * script new since the base, or no such command.
 */
function launchAtBase(result: FileResult, launchesOf: Map<string, { launch: ScriptLaunch; link: LaunchLink }[]>, launches: ScriptLaunch[] | undefined): ScriptLaunch | undefined {
  const link = result.launch;
  if (!link || !launches) return undefined;
  const all = launchesOf.get(result.file.path) ?? [];
  const head = all.find((l) => l.link === link)?.launch;
  if (!head || head.hydra) return undefined;
  return correspondingLaunch(launches, head, all.filter((l) => l.link.script === link.script).map((l) => l.launch));
}

/** The launch commands of a script's base version (Hydra apps aside). */
function baseScriptLaunches(file: SourceFile, scriptDir: string): ScriptLaunch[] | undefined {
  return file.script ? scriptLaunches(file, scriptDir).filter((l) => !l.hydra) : undefined;
}

/**
 * Scripts' versions at the base, parsed with the files they source read at the base too: parsed, the
 * sources they ask for read at the base (one git call for all of them), parsed again while a sourced
 * file asks for another. By head path.
 */
async function parseScriptsAtBase(run: LintRun, root: string, base: string, scripts: ReadonlyArray<readonly [string, BaseVersion]>): Promise<Map<string, SourceFile>> {
  const { repo, toRepo, fromAbs, parseOptions } = run;
  const belowRoot = (abs: string) => {
    const rel = fromAbs(abs);
    return rel.startsWith('../') ? undefined : rel;
  };
  const sourcedAtBase = new Map<string, string | null>();
  const parsed = new Map<string, SourceFile>();
  let pending = scripts;
  for (let round = 0; round < MAX_SOURCE_ROUNDS && pending.length > 0; round++) {
    const wanted = new Set<string>();
    const again: (readonly [string, BaseVersion])[] = [];
    for (const entry of pending) {
      const [script, version] = entry;
      const asked = new Set<string>();
      const current = parseOptions.scriptSources?.(script) ?? (() => ({ why: 'sources are not read here' }));
      const reader = baseSourceReader(repo, toRepo(script), base, sourcedAtBase, belowRoot, asked, current);
      parsed.set(script, parseSource(version.basePath, version.text, { ...parseOptions, scriptSources: () => reader }, 'shell'));
      if (asked.size === 0) continue;
      again.push(entry);
      for (const p of asked) wanted.add(p);
    }
    if (wanted.size === 0) break;
    const read = await readBaseVersions(root, base, [...wanted]);
    for (const p of wanted) sourcedAtBase.set(p, read.get(p)?.text ?? null);
    pending = again;
  }
  return parsed;
}

/**
 * The paths (relative to the linted folder) where the accelerate config a command names may be: the one
 * found in the working tree, else every path tried (the base revision may have the file where the working
 * tree no longer does). Paths outside the linted folder are left out (git reads below it).
 */
function accelerateCandidates(
  launch: Pick<ScriptLaunch, 'accelerateConfig' | 'workdir'>,
  repo: RepoRoot,
  fromAbs: (abs: string) => string,
  scriptDir: string,
  extra: PathBase[],
): string[] {
  const named = launch.accelerateConfig;
  if (!named) return [];
  const resolution = resolveWritten(repo, named.written, launchBases(launch.workdir, scriptDir, extra));
  const found = resolution.found ? [fromAbs(resolution.found.abs)] : resolution.tried.map((t) => fromAbs(path.resolve(repo.root, t.rel)));
  return found.filter((p) => !p.startsWith('../'));
}

/**
 * `accelerate launch --config_file X` in the base revision's script: the values (num_processes,
 * mixed_precision) of X's base version that the command does not set itself, as the launch's values.
 */
function accelerateAtBase(
  launch: ScriptLaunch,
  version: BaseVersion,
  script: string,
  base: string,
  parseOptions: { yamlVersion?: TrainlintConfig['yaml']; maxBytes: number },
): Partial<Record<PlanField, Setting>> {
  const named = launch.accelerateConfig!;
  const linked = accelerateLink(parseSource(version.basePath, version.text, parseOptions), named.written, named.range);
  for (const field of named.commandSets) delete linked.plan[field];
  return accelerateValues(named, linked, `${script}:${launch.range.line} at ${base}`);
}

/** The launch command a result was built for. */
function launchOf(launchesOf: Map<string, { launch: ScriptLaunch; link: LaunchLink }[]>, result: FileResult): ScriptLaunch | undefined {
  return launchesOf.get(result.file.path)?.find((l) => l.link === result.launch)?.launch;
}

/** The launcher values of the launch a result was built for. */
function launchValuesOf(launchesOf: Map<string, { launch: ScriptLaunch; link: LaunchLink }[]>, result: FileResult): Partial<Record<PlanField, Setting>> {
  return launchOf(launchesOf, result)?.values ?? {};
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
  launch: Pick<ScriptLaunch, 'accelerateConfig' | 'workdir'>,
  link: Pick<LaunchLink, 'script' | 'range'>,
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
  const linked = accelerateLink(file, named.written, named.range);
  // accelerate takes a file's value only where the command line leaves it unset (_validate_launch_command):
  // `--num_processes 4` over `num_processes: 8` runs 4 processes, and the file's 8 is not part of the run.
  for (const field of named.commandSets) delete linked.plan[field];
  return { linked: { ...linked, resolvedFrom: resolution.found.base.label } };
}

/** From this many paths on the command line, the repository's walk for scripts comes before discovery (see `lint`). */
const LISTED_DISCOVERY_MIN_PATHS = 32;

/** What the walk for scripts leaves out: the `ignore` list in order, as discovery reads it (a `!` entry takes back a folder below an ignored one). */
function scriptSkip(config: TrainlintConfig, lintRoot: string): (abs: string, isDir: boolean) => boolean {
  const ignore = ignoreMatcher(config.ignore);
  return (abs, isDir) => {
    const rel = relativePosix(lintRoot, abs);
    return !rel.startsWith('..') && (isDir ? ignore.skipsFolder(rel) : ignore.ignoresWalked(rel));
  };
}

/**
 * The repository's launch scripts that may name a linted config: a bounded walk of the repository
 * for script files not linted already, and a text filter (the script mentions a linted config's
 * file name) before a script is parsed.
 */
function repositoryScripts(
  repo: RepoRoot,
  lintRoot: string,
  names: Map<string, string[]>,
  loaded: Set<string>,
  config: TrainlintConfig,
  maxBytes: number,
  parseOptions: { yamlVersion?: TrainlintConfig['yaml'] },
  walked: ScriptListing | undefined,
): SourceFile[] {
  if (names.size === 0) return [];
  const out: SourceFile[] = [];
  for (const abs of scriptsMentioning(walked ?? walkForScripts(repo.root, scriptSkip(config, lintRoot)), { mentioning: new Set(names.keys()), maxBytes }).scripts) {
    if (loaded.has(abs)) continue;
    const rel = relativePosix(lintRoot, abs);
    const check = checkRepoPath(repo, relativePosix(repo.root, abs));
    if (!check.ok) continue;
    const read = readBounded(check.abs, maxBytes);
    if (!read.ok) continue;
    const text = read.bytes.toString('utf8');
    // Only a script whose paths may lead to a linted config is parsed (engine/script-mentions.ts).
    const scriptDir = toPosix(path.dirname(abs));
    if (![...names].some(([name, targets]) => mayNameFile(text, name, targets, scriptDir) || mayNameNeoxConfig(text, name))) continue;
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
        const links = launches.map((l) => l.launch!);
        const by = links.map((l) => `${l.script}:${l.range.line}`);
        // No key of this file causes it (the values come from the command line): the command is where to look.
        const atStart = f.range.line === 1 && f.range.column === 1;
        const commands = atStart ? launches.filter((l) => l.launch!.script !== '(command line)').flatMap((l) => flagLocations(l, f)) : [];
        return [{ ...f, message: `${f.message} (as launched by ${joinAnd(by)})`, data: { ...f.data, launchedBy: by }, ...(commands.length ? { related: [...(f.related ?? []), ...commands] } : {}) }];
      });
    }
  }
}

/** The launch flags a finding quotes (plan values of origin launcher), else the command. */
function flagLocations(r: FileResult, f: Finding): RelatedLocation[] {
  const link = r.launch!;
  const flags = Object.values(r.extraction?.plan ?? {}).filter(
    (s): s is NonNullable<typeof s> => !!s && s.origin === 'launcher' && s.file === link.script && !!s.range && !!s.key && f.message.includes(s.key),
  );
  const seen = new Set<string>();
  const out: RelatedLocation[] = [];
  for (const s of flags) {
    const at = `${s.range!.line}:${s.range!.column}`;
    if (seen.has(at)) continue;
    seen.add(at);
    out.push({ path: link.script, range: s.range!, message: `${s.key} ${s.value}, written by the command (${link.launcher}) that launches this config` });
  }
  return out.length ? out : [launchCommandLocation(link)];
}

function launchCommandLocation(link: LaunchLink): RelatedLocation {
  return { path: link.script, range: link.range, message: `the command (${link.launcher}) that launches this config with these values` };
}

function joinAnd(items: string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The result of a config no dialect claims, read by the dialect of the scripts that launch it: when
 * every launching script is of one dialect and that dialect, made to read the file, takes at least
 * one value from the file itself (so the file is one of its configs, not a stray YAML). The plan
 * says where its dialect came from.
 */
function claimByLaunch(run: LintRun, result: FileResult, launches: { link: LaunchLink; dialect?: Dialect }[]): FileResult | undefined {
  const dialect = launches[0]?.dialect;
  if (!dialect || launches.some((l) => l.dialect !== dialect)) return undefined;
  let analysed: ReturnType<typeof analyse>;
  try {
    analysed = analyse(result.file, run.settingsOf(result.file.path), dialect, result.hydra);
  } catch {
    return undefined;
  }
  const extraction = analysed.extraction;
  if (!extraction) return undefined;
  const own = Object.values(extraction.plan).some((s) => s && s.origin === 'explicit' && (s.file === undefined || s.file === result.file.path));
  if (!own) return undefined;
  const first = launches[0].link;
  const note = `read as ${dialect.meta.title}: no key of its own names the framework; ${first.script}:${first.range.line} (${first.launcher}) launches it${launches.length > 1 ? ` (and ${launches.length - 1} more command${launches.length > 2 ? 's' : ''})` : ''}`;
  extraction.notes.push(note);
  const { reason: _reason, ...rest } = result;
  return { ...rest, dialect, extraction, dialectFromLaunch: note };
}

/** One more path for a file name (appended in place: many configs of a large run share a name). */
function addName(names: Map<string, string[]>, name: string, abs: string): void {
  const paths = names.get(name);
  if (paths) paths.push(abs);
  else names.set(name, [abs]);
}
