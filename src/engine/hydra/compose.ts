/**
 * Hydra composition, statically: a primary config and the configs its defaults list names
 * (recursively) are merged the way Hydra merges them, and command-line overrides are applied after
 * the YAML, each with the error Hydra raises for a bad one. The result keeps, for every key, the
 * file (or override) that wrote it, so a plan value points at its own file and line.
 *
 * Pure: files are read through a `ConfigLoader` callback that the engine implements with the one
 * resolver (engine/hydra-files.ts: `resolveWritten` and `readBounded`). Without a loader the
 * defaults list is left unread and each entry is reported as not read.
 *
 * Merge semantics are OmegaConf.merge's: mappings merge key by key, anything else (a scalar, a list,
 * null) replaces what was there; `???` (a missing value) does not replace a value. A config without
 * `_self_` in its defaults list merges its own values last (Hydra ≥ 1.1).
 */
import path from 'node:path';
import { mapDelete, mapGet, mapSet, type ConfigNode, type MapEntry, type MapNode, type ScalarNode, type SeqNode } from '../tree.js';
import { MAX_DEPTH } from '../load/result.js';
import type { Range } from '../types.js';
import { packageHeader, readDefaultsList, type DefaultsEntry } from './defaults-list.js';
import { OMEGACONF_FLOAT, pythonText, type HydraOverride, type OverrideValue } from './overrides.js';

/** Where a key of the composed config was written. */
export interface EntrySource {
  /** Repository-relative path of the file that holds the key (a YAML, or the launch script of an override). */
  file: string;
  /** Set when a command-line override wrote the value. */
  override?: { text: string; range: Range; origin: 'explicit' | 'launcher' };
}

/** A defaults-list entry whose config is not in the repository. */
export interface UnreadDefault {
  /** The entry as written (`actor@actor_rollout_ref.actor: dp_actor`). */
  entry: string;
  /** The config it names, relative to a config folder (`actor/dp_actor.yaml`). */
  name: string;
  /** The file that holds the entry, and where. */
  file: string;
  range: Range;
  /** Where the config's values would have gone (dotted package, '' for the top). */
  package: string;
  why: string;
}

export interface ComposedConfig {
  /** The primary config's path. */
  primary: string;
  root: MapNode;
  /** The file (or override) of each key, for keys whose entry is in `root`. */
  sources: Map<MapEntry, EntrySource>;
  /** The files merged, in merge order (the primary included). */
  files: string[];
  /** Defaults-list entries that name configs not found in the repository. */
  unread: UnreadDefault[];
  /** Remarks for `trainlint plan` (skipped entries, cycles, limits). */
  notes: string[];
  /** Config-group choices made by the defaults lists (`actor_rollout_ref.actor` → `actor/dp_actor`), for group overrides. */
  groups: Map<string, string>;
}

export interface LoadedConfig {
  /** Repository-relative path of the file found. */
  path: string;
  text: string;
  /** Absent when the file does not parse (`problem` says why). */
  tree?: ConfigNode;
  problem?: string;
}

/**
 * Finds `<rel>` (a path relative to a config folder: the primary's folder, then the
 * `hydra.searchpath` folders) and reads it. Returns why not when it cannot.
 */
export type ConfigLoader = (rel: string) => LoadedConfig | { missing: string };

/** Limits: a defaults list fans out to at most this many files, and nests this deep. */
export const MAX_COMPOSED_FILES = 64;
export const MAX_DEFAULTS_DEPTH = 12;

const MISSING_VALUE = '???';

// ── Building composed trees ──────────────────────────────────────────────────────────────

class Builder {
  readonly sources = new Map<MapEntry, EntrySource>();
  readonly owned = new WeakSet<MapNode>();

  map(range: Range): MapNode {
    const m: MapNode = { kind: 'map', entries: [], range };
    this.owned.add(m);
    return m;
  }

  /** An owned copy of `src` (maps copied, scalars and sequences shared), every key attributed to `file`. */
  clone(src: MapNode, source: EntrySource, skipTop?: Set<string>): MapNode {
    const out = this.map(src.range);
    for (const e of src.entries) {
      if (skipTop?.has(e.key)) continue;
      this.put(out, e, source);
    }
    return out;
  }

  /** Merge `src` into the owned map `dest`, OmegaConf style. */
  merge(dest: MapNode, src: MapNode, source: EntrySource, skipTop?: Set<string>): void {
    for (const e of src.entries) {
      if (skipTop?.has(e.key)) continue;
      this.put(dest, e, source);
    }
  }

  private put(dest: MapNode, e: MapEntry, source: EntrySource): void {
    const existing = mapGet(dest, e.key);
    if (e.value.kind === 'map') {
      if (existing && existing.value.kind === 'map' && this.owned.has(existing.value)) {
        this.merge(existing.value, e.value, source);
        return;
      }
      const entry: MapEntry = { key: e.key, keyRange: e.keyRange, value: this.clone(e.value, source) };
      this.sources.set(entry, source);
      mapSet(dest, entry);
      return;
    }
    // `???` (MISSING) does not replace a value an earlier config set.
    if (existing && isMissingValue(e.value) && !isMissingValue(existing.value)) return;
    this.sources.set(e, source);
    mapSet(dest, e);
  }

  /** The owned map at `pkg` under `root`, created (attributed to `source`, at `range`) where missing. */
  at(root: MapNode, pkg: string[], range: Range, source: EntrySource): MapNode {
    let node = root;
    for (const key of pkg) {
      const e = mapGet(node, key);
      if (e && e.value.kind === 'map' && this.owned.has(e.value)) {
        node = e.value;
        continue;
      }
      const child = e && e.value.kind === 'map' ? this.clone(e.value, this.sources.get(e) ?? source) : this.map(range);
      const entry: MapEntry = { key, keyRange: e?.keyRange ?? range, value: child };
      this.sources.set(entry, e ? (this.sources.get(e) ?? source) : source);
      mapSet(node, entry);
      node = child;
    }
    return node;
  }
}


export function isMissingValue(node: ConfigNode): boolean {
  return node.kind === 'scalar' && node.value === MISSING_VALUE;
}

const EMPTY_RANGE: Range = { line: 1, column: 1, endLine: 1, endColumn: 2 };

// ── Composition ──────────────────────────────────────────────────────────────────────────

/** Keys of a config file that are Hydra's, not the job's. */
const HYDRA_KEYS = new Set(['defaults', 'hydra']);

const dots = (p: string): string[] => p.split(/[./]/).filter((s) => s !== '' && s !== '.' && s !== '..');

/**
 * The package a config lands in: `@pkg` relative to the containing package (`_global_` absolute),
 * else the file's `# @package` header (`_global_`, `_group_` or a literal), else the group path
 * relative to the containing package.
 */
function packageOf(entry: DefaultsEntry, parentPkg: string[], absGroup: string, header: string | undefined): string[] {
  if (entry.package !== undefined) {
    if (entry.package === '_global_' || entry.package.startsWith('_global_.')) return dots(entry.package.slice('_global_'.length));
    if (entry.package === '_here_') return parentPkg;
    return [...parentPkg, ...dots(entry.package)];
  }
  if (header !== undefined) {
    if (header === '_global_') return [];
    if (header === '_group_') return dots(absGroup);
    return dots(header);
  }
  return [...parentPkg, ...dots(entry.group)];
}

/**
 * Compose `primary` (its tree and path) with the configs its defaults list names. `choices` are
 * config-group overrides from the command line (`model=llama`: group path → option).
 */
export function composeConfig(
  primary: { path: string; text: string; tree?: ConfigNode },
  loader?: ConfigLoader,
  choices: ReadonlyMap<string, string> = new Map(),
): ComposedConfig {
  const b = new Builder();
  const top = primary.tree?.kind === 'map' ? primary.tree : undefined;
  const root = b.map(top?.range ?? EMPTY_RANGE);
  const out: ComposedConfig = { primary: primary.path, root, sources: b.sources, files: [], unread: [], notes: [], groups: new Map() };
  // `override group: option` entries of any list change the choice everywhere (Hydra applies them globally).
  const overrides = new Map(choices);
  let budget = MAX_COMPOSED_FILES;

  const expand = (file: { path: string; text: string; tree?: ConfigNode }, pkg: string[], groupDir: string, stack: string[]): void => {
    const own = file.tree?.kind === 'map' ? file.tree : undefined;
    const source: EntrySource = { file: file.path };
    const placeOwn = (): void => {
      out.files.push(file.path);
      if (!own) return;
      b.merge(b.at(root, pkg, own.range, source), own, source, HYDRA_KEYS);
    };
    const list = readDefaultsList(file.tree);
    if (!list) {
      placeOwn();
      return;
    }
    for (const s of list.skipped) out.notes.push(`${file.path}:${s.range.line}: defaults entry ${s.text} is ${s.why}; not composed`);
    for (const e of list.entries) {
      if (e.override && e.kind === 'group' && e.options[0] !== undefined) overrides.set(path.posix.normalize(path.posix.join(groupDir, e.group)), e.options[0]);
    }
    let selfPlaced = false;
    for (const e of list.entries) {
      if (e.kind === 'self') {
        placeOwn();
        selfPlaced = true;
        continue;
      }
      if (e.override) continue;
      const absGroup = e.group.startsWith('/') ? path.posix.normalize(e.group.slice(1)) : path.posix.normalize(path.posix.join(groupDir, e.group));
      const chosen = e.kind === 'group' ? overrides.get(absGroup) : undefined;
      const options = chosen !== undefined ? [chosen] : e.options;
      if (e.kind === 'group' && options.length > 0) out.groups.set([...pkg, ...dots(e.package ?? e.group)].join('.'), `${absGroup === '.' ? '' : absGroup + '/'}${options.join(',')}`);
      for (const option of options) {
        if (option === 'null') continue;
        const rel = path.posix.normalize(path.posix.join(absGroup, `${option}.yaml`));
        const where = { entry: e.text, name: rel, file: file.path, range: e.range };
        if (rel.startsWith('../')) {
          out.unread.push({ ...where, package: pkg.join('.'), why: 'outside the config folder' });
          continue;
        }
        if (stack.includes(rel)) {
          out.notes.push(`${file.path}:${e.range.line}: defaults entry ${e.text} includes ${rel} again (a cycle); not composed twice`);
          continue;
        }
        if (stack.length >= MAX_DEFAULTS_DEPTH || budget <= 0) {
          out.notes.push(`${file.path}:${e.range.line}: defaults entry ${e.text} not composed: more than ${stack.length >= MAX_DEFAULTS_DEPTH ? `${MAX_DEFAULTS_DEPTH} levels` : `${MAX_COMPOSED_FILES} files`}`);
          continue;
        }
        const loaded = loader ? loader(rel) : { missing: 'not read (the engine did not compose this file)' };
        if ('missing' in loaded) {
          if (!e.optional) out.unread.push({ ...where, package: pkg.join('.'), why: loaded.missing });
          continue;
        }
        budget--;
        if (loaded.problem) {
          out.unread.push({ ...where, package: pkg.join('.'), why: loaded.problem });
          continue;
        }
        const header = packageHeader(loaded.text);
        const childPkg = packageOf(e, pkg, absGroup, header);
        if (childPkg.length > MAX_DEPTH) {
          out.unread.push({ ...where, package: childPkg.slice(0, 8).join('.') + '…', why: `its package is nested deeper than ${MAX_DEPTH} levels` });
          continue;
        }
        expand(loaded, childPkg, path.posix.dirname(rel), [...stack, rel]);
      }
    }
    // Hydra ≥ 1.1: a config without `_self_` merges its own values after its defaults.
    if (!selfPlaced) placeOwn();
  };

  expand(primary, [], '.', [path.posix.basename(primary.path)]);
  return out;
}

// ── Command-line overrides ───────────────────────────────────────────────────────────────

/** An override as a launch command wrote it. */
export interface LocatedOverride {
  override: HydraOverride;
  /** The file that holds it (a launch script). */
  file: string;
  range: Range;
  keyRange: Range;
  valueRange: Range;
  /** 'explicit' when the override is in the file being linted, 'launcher' when a script passes it to a config. */
  origin: 'explicit' | 'launcher';
  /** Set when the value still holds a shell variable the script does not set: its value is unknown. */
  unresolved?: string;
}

export interface OverrideError {
  /** Hydra's message. */
  message: string;
  override: LocatedOverride;
}

export interface OverrideOptions {
  /**
   * Whether the composed config holds every key the run has (all defaults-list entries read): only
   * then is "no such key" certain. Otherwise the framework's packaged defaults may have the key.
   */
  complete: boolean;
  /** Keys known to exist in the framework's packaged config (a dialect's key table), for an incomplete base. */
  knownKey?: (keyPath: string[]) => boolean;
}

export interface OverrideResult {
  config: ComposedConfig;
  errors: OverrideError[];
  /** Overrides not applied to values: config-group choices and `hydra.*` settings. */
  skipped: { override: LocatedOverride; why: string }[];
}

/** Whether an override chooses a config-group option rather than setting a value. */
export function isGroupOverride(o: HydraOverride, config: ComposedConfig): boolean {
  if (o.package !== undefined || o.key.includes('/')) return true;
  return config.groups.has(o.key) && !(o.value?.kind === 'scalar' && typeof o.value.value !== 'string');
}

function valueNode(v: OverrideValue, range: Range): ConfigNode {
  switch (v.kind) {
    case 'scalar':
      return { kind: 'scalar', value: v.value, source: v.text, plain: !v.quoted, range } satisfies ScalarNode;
    case 'interpolation':
      return { kind: 'scalar', value: v.text, source: v.text, plain: true, range } satisfies ScalarNode;
    case 'list':
      return { kind: 'seq', items: v.items.map((i) => valueNode(i, range)), range } satisfies SeqNode;
    case 'dict':
      return { kind: 'map', entries: v.entries.map(([key, val]) => ({ key, keyRange: range, value: valueNode(val, range) })), range } satisfies MapNode;
  }
}

/** The owned copy of a composed config that overrides may change. */
function copyForEdit(config: ComposedConfig): { config: ComposedConfig; owned: WeakSet<MapNode> } {
  const owned = new WeakSet<MapNode>();
  const copy = (m: MapNode): MapNode => {
    const out: MapNode = { kind: 'map', range: m.range, entries: m.entries.map((e) => (e.value.kind === 'map' ? copyEntry(e) : e)) };
    owned.add(out);
    return out;
  };
  const copyEntry = (e: MapEntry): MapEntry => {
    const entry: MapEntry = { key: e.key, keyRange: e.keyRange, value: copy(e.value as MapNode) };
    const src = config.sources.get(e);
    if (src) config.sources.set(entry, src);
    return entry;
  };
  return { config: { ...config, root: copy(config.root), notes: [...config.notes] }, owned };
}

/**
 * A scalar as OmegaConf holds it: a YAML scalar typed by OmegaConf's loader (`3e-5` is a float,
 * which PyYAML left a string), an override's value as Hydra's grammar typed it.
 */
function omegaScalar(node: ScalarNode): { value: string | number | boolean | null; float: boolean } {
  const v = node.value;
  if (typeof v === 'number') return { value: v, float: !Number.isFinite(v) || /\.|^[-+]?\d[\d_]*[eE]/.test(node.source.trim()) };
  if (typeof v === 'string' && node.plain && OMEGACONF_FLOAT.test(v)) return { value: Number(v.replace(/_/g, '')), float: true };
  return { value: v, float: false };
}

/** A value as Hydra's messages print it (Python's `str`). */
function show(node: ConfigNode): string {
  if (node.kind === 'scalar') {
    const s = omegaScalar(node);
    return pythonText(s.value, s.float);
  }
  return node.kind === 'seq' ? '[…]' : '{…}';
}

/**
 * Apply overrides in command-line order, after the YAML, as Hydra's
 * `ConfigLoaderImpl._apply_overrides_to_config` does. Errors carry Hydra's message.
 */
export function applyOverrides(base: ComposedConfig, overrides: LocatedOverride[], options: OverrideOptions): OverrideResult {
  const { config } = copyForEdit(base);
  const errors: OverrideError[] = [];
  const skipped: OverrideResult['skipped'] = [];
  for (const lo of overrides) {
    const o = lo.override;
    if (o.path[0] === 'hydra') {
      skipped.push({ override: lo, why: "a setting of Hydra itself (hydra.*), not of the job's config" });
      continue;
    }
    if (o.path.length > MAX_DEPTH) {
      skipped.push({ override: lo, why: `a key nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    if (isGroupOverride(o, base)) {
      skipped.push({ override: lo, why: 'a config-group choice: it changes which config file is composed' });
      continue;
    }
    const source: EntrySource = { file: lo.file, override: { text: o.text, range: lo.range, origin: lo.origin } };
    // Walk to the parent mapping, noting whether the key exists.
    let parent: MapNode | undefined = config.root;
    let viaNull = false;
    let blocked: string | undefined;
    for (let i = 0; i < o.path.length - 1 && parent; i++) {
      const e: MapEntry | undefined = mapGet(parent, o.path[i]);
      if (!e) {
        parent = undefined;
      } else if (e.value.kind === 'map') {
        parent = e.value;
      } else if (e.value.kind === 'scalar' && e.value.value === null && o.op !== 'delete') {
        // A null section (`profiler: null`) becomes a mapping when a key is set under it.
        const fresh: MapNode = { kind: 'map', entries: [], range: lo.keyRange };
        const entry: MapEntry = { key: e.key, keyRange: e.keyRange, value: fresh };
        config.sources.set(entry, config.sources.get(e) ?? source);
        mapSet(parent, entry);
        parent = fresh;
        viaNull = true;
      } else {
        blocked = `Could not override '${o.key}': '${o.path.slice(0, i + 1).join('.')}' is ${show(e.value)}, not a mapping`;
        parent = undefined;
      }
    }
    if (blocked) {
      errors.push({ override: lo, message: blocked });
      continue;
    }
    const leaf = o.path[o.path.length - 1];
    const existing = parent ? mapGet(parent, leaf) : undefined;
    // A null value counts as "nothing there" for an append (OmegaConf.select gives None).
    const holdsValue = existing !== undefined && !(existing.value.kind === 'scalar' && existing.value.value === null);
    const known = holdsValue || (existing === undefined && (options.knownKey?.(o.path) ?? false));
    const certainlyAbsent = options.complete && existing === undefined && !viaNull;
    const valueText = o.value?.text ?? '';
    if (o.op === 'delete') {
      // Hydra selects the key: a null value counts as "does not exist" (OmegaConf.select gives None).
      if (!existing || (!holdsValue && options.complete && !viaNull)) {
        if (certainlyAbsent || existing) errors.push({ override: lo, message: `Could not delete from config. '${o.key}' does not exist.` });
        continue;
      }
      if (o.value && o.value.kind === 'scalar' && existing.value.kind === 'scalar') {
        const have = omegaScalar(existing.value);
        const want = { value: o.value.value, float: typeof o.value.value === 'number' && /[.eE]|inf|nan/i.test(o.value.text) };
        if (have.value !== want.value) {
          errors.push({ override: lo, message: `Could not delete from config. The value of '${o.key}' is ${show(existing.value)} and not ${pythonText(want.value, want.float)}.` });
          continue;
        }
      }
      mapDelete(parent!, leaf);
      continue;
    }
    // Hydra merges a list or dict appended onto an existing key instead of refusing it.
    if (o.op === 'add' && known && o.value?.kind !== 'list' && o.value?.kind !== 'dict') {
      errors.push({ override: lo, message: `Could not append to config. An item is already at '${o.key}'. (++${o.key}=${valueText} appends or overrides)` });
      continue;
    }
    if (o.op === 'set' && certainlyAbsent && !(options.knownKey?.(o.path) ?? false)) {
      errors.push({ override: lo, message: `Could not override '${o.key}'. To append to your config use +${o.key}=${valueText}` });
      continue;
    }
    if (!o.value) continue;
    // Create the missing parents (append, or a key of the framework's packaged config).
    let target = parent;
    if (!target) {
      target = config.root;
      for (const key of o.path.slice(0, -1)) {
        let e = mapGet(target, key);
        if (!e || e.value.kind !== 'map') {
          const fresh: MapNode = { kind: 'map', entries: [], range: lo.keyRange };
          e = { key, keyRange: lo.keyRange, value: fresh };
          config.sources.set(e, source);
          mapSet(target, e);
        }
        target = e.value as MapNode;
      }
    }
    const entry: MapEntry = { key: leaf, keyRange: lo.keyRange, value: valueNode(o.value, lo.valueRange) };
    config.sources.set(entry, source);
    mapSet(target, entry);
  }
  return { config, errors, skipped };
}
