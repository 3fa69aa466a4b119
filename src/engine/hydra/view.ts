/**
 * The config a Hydra application really runs with, as a dialect sees it: the YAML composed from its
 * defaults list, then the command line's overrides, in that order (Hydra applies overrides after
 * the YAML). The one entry point the Hydra dialects (verl, nemo) use:
 *
 *   const view = hydraView(file, env, { command, knownKey });
 *   const reader = new OmegaReader(file, [], view.config.root, 'omegaconf', { sources: view.config.sources, resolvers });
 *
 * - A YAML config: its composition (`env.hydra.composed`, made by the engine from the repository's
 *   files; else the file alone, its defaults list unread) and, when a launch script starts it, that
 *   script's overrides (`env.hydra.launch`, origin 'launcher').
 * - A launch script: the config its command names when the engine found it in the repository
 *   (`env.hydra.commandConfigs`), else nothing but the framework's packaged defaults (the dialect's
 *   key table, through `knownKey`), then the command's own overrides (origin 'explicit').
 *
 * Override errors are `configErrors` only for the file that holds the override (the script); for a
 * config started by a script they become notes, since the script reports them. Pure.
 */
import type { LaunchCommand } from '../launch.js';
import { MAX_DEPTH } from '../load/result.js';
import type { SourceFile } from '../source.js';
import { mapGet, mapSet, type MapEntry, type MapNode } from '../tree.js';
import type { Range } from '../types.js';
import { hydraCommand, type HydraCommand } from './command.js';
import { applyOverrides, composeConfig, type ComposedConfig, type LocatedOverride } from './compose.js';

/** What the engine hands a Hydra dialect (ExtractEnv.hydra). */
export interface HydraInput {
  /** This YAML composed with the configs its defaults list names (repository files). */
  composed?: ComposedConfig;
  /** For a launch script: the config each Hydra command names, composed, keyed by the command's first line. */
  commandConfigs?: Record<number, ComposedConfig>;
  /** For a config a launch script starts: the script's Hydra overrides. */
  launch?: { script: string; line: number; overrides: LocatedOverride[]; forwardsArgs?: Range };
}

export interface HydraViewError {
  message: string;
  range: Range;
  data?: Record<string, unknown>;
}

export interface HydraView {
  /** The config after composition and overrides. */
  config: ComposedConfig;
  /** Whether every key of the run is known (all defaults-list configs read). */
  complete: boolean;
  /** For a launch script: its Hydra command (config named, overrides). */
  command?: HydraCommand;
  /** Set when the config the command names was found and composed from the repository. */
  commandConfig?: ComposedConfig;
  /** Problems with overrides written in this file: Hydra's own messages, at the override. */
  errors: HydraViewError[];
  notes: string[];
  /** `"$@"`: the caller can override these values. */
  overridable?: { file: string; range: Range; message: string };
  /** This file's overrides as a tree (values at their place in the script), for the schema rule. */
  overrideTree?: MapNode;
}

export interface HydraViewOptions {
  /** For a launch script: the Hydra command to read (the dialect chooses it). */
  command?: LaunchCommand;
  /** Keys the framework's packaged config has (for a base trainlint cannot read). */
  knownKey?: (keyPath: string[]) => boolean;
}

const EMPTY: Range = { line: 1, column: 1, endLine: 1, endColumn: 2 };

function emptyConfig(primary: string): ComposedConfig {
  return { primary, root: { kind: 'map', entries: [], range: EMPTY }, sources: new Map(), files: [], unread: [], notes: [], groups: new Map() };
}

/** The overrides as a config tree (last one wins), skipping deletions and values the shell left unresolved. */
function treeOf(overrides: LocatedOverride[]): MapNode {
  const root: MapNode = { kind: 'map', entries: [], range: overrides[0]?.range ?? EMPTY };
  for (const lo of overrides) {
    const o = lo.override;
    if (o.op === 'delete' || !o.value || lo.unresolved || o.package !== undefined || o.path[0] === 'hydra' || o.path.length > MAX_DEPTH) continue;
    let node = root;
    for (const key of o.path.slice(0, -1)) {
      let e = mapGet(node, key);
      if (!e || e.value.kind !== 'map') {
        e = { key, keyRange: lo.keyRange, value: { kind: 'map', entries: [], range: lo.keyRange } };
        mapSet(node, e);
      }
      node = e.value as MapNode;
    }
    const leaf = o.path[o.path.length - 1];
    const v = o.value;
    const value: MapEntry['value'] =
      v.kind === 'scalar'
        ? { kind: 'scalar', value: v.value, source: v.text, plain: !v.quoted, range: lo.valueRange }
        : v.kind === 'interpolation'
          ? { kind: 'scalar', value: v.text, source: v.text, plain: true, range: lo.valueRange }
          : v.kind === 'list'
            ? { kind: 'seq', items: [], range: lo.valueRange }
            : { kind: 'map', entries: [], range: lo.valueRange };
    mapSet(node, { key: leaf, keyRange: lo.keyRange, value });
  }
  return root;
}

/** The view's override errors as a dialect's `configErrors`: Hydra refuses each before `framework` starts. */
export function overrideConfigErrors(view: HydraView, framework: string): HydraViewError[] {
  return view.errors.map((e) => ({ message: `${e.message} (Hydra rejects this override before ${framework} starts)`, range: e.range, ...(e.data ? { data: e.data } : {}) }));
}

/** What an extraction takes from the view: this file's overrides as a tree (for the schema rule) and `"$@"`. */
export function viewExtraction(view: HydraView): { schemaTree?: MapNode; overridable?: HydraView['overridable'] } {
  return { ...(view.overrideTree?.entries.length ? { schemaTree: view.overrideTree } : {}), ...(view.overridable ? { overridable: view.overridable } : {}) };
}

/** A script whose command's config is in the repository: the note that its plan is read there. */
export function commandConfigNote(config: ComposedConfig): string {
  return `the plan is read from ${config.primary} with this command's overrides (linted there, as launched by this script)`;
}

/** An override in a note: the first 80 characters. */
function shortOverride(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

export function hydraView(file: SourceFile, env: { hydra?: HydraInput }, options: HydraViewOptions = {}): HydraView {
  const notes: string[] = [];
  const errors: HydraViewError[] = [];
  const input = env.hydra ?? {};
  if (file.format === 'shell') {
    const cmd = options.command;
    if (!cmd) return { config: emptyConfig(file.path), complete: false, errors, notes };
    const command = hydraCommand(cmd, file.path, 'explicit');
    for (const e of command.errors) errors.push({ message: e.message, range: e.range, data: { hydra: 'parse' } });
    const named = input.commandConfigs?.[cmd.range.line];
    const base = named ?? emptyConfig(file.path);
    const complete = named !== undefined && named.unread.length === 0;
    const applied = applyOverrides(base, command.overrides, { complete, knownKey: options.knownKey });
    for (const e of applied.errors) errors.push({ message: e.message, range: e.override.range, data: { hydra: 'override', override: e.override.override.text } });
    for (const s of applied.skipped) notes.push(`${shortOverride(s.override.override.text)} (line ${s.override.range.line}) is ${s.why}; not applied`);
    const view: HydraView = { config: applied.config, complete, command, errors, notes, overrideTree: treeOf(command.overrides) };
    if (named) view.commandConfig = named;
    if (command.forwardsArgs) {
      view.overridable = {
        file: file.path,
        range: command.forwardsArgs,
        message: `the command ends in "$@" (line ${command.forwardsArgs.line}): arguments given to the script override these values`,
      };
    }
    return view;
  }
  const base = input.composed ?? composeConfig(file);
  const complete = base.unread.length === 0;
  const launch = input.launch;
  if (!launch) return { config: base, complete, errors, notes };
  const applied = applyOverrides(base, launch.overrides, { complete, knownKey: options.knownKey });
  for (const e of applied.errors) notes.push(`${launch.script}:${e.override.range.line}: ${e.message}`);
  const view: HydraView = { config: applied.config, complete, errors, notes };
  if (launch.forwardsArgs) {
    view.overridable = {
      file: launch.script,
      range: launch.forwardsArgs,
      message: `${launch.script}:${launch.forwardsArgs.line} ends in "$@": arguments given to the script override these values`,
    };
  }
  return view;
}
