/**
 * Config inheritance, read statically: the files a config builds on and how the framework merges
 * them, so that a child config is linted with what it inherits.
 *
 * - MMEngine Python configs (`mmengine/config/config.py` `Config._file2dict`): `_base_` is a path or
 *   a list of paths relative to the file (`'mmdet::…'` names an installed package: not followed).
 *   The bases are read first, each with its own bases; a top-level key defined by two sibling bases
 *   is an error (KeyError). The child is evaluated with `_base_` bound to the merged bases
 *   (`_base_.x`, `{{_base_.x}}`), then merged into them: mappings merge key by key, anything else
 *   (lists included) replaces, and `_delete_=True` in a mapping replaces instead of merging.
 * - MMEngine lazy-import configs (`with read_base(): from .._base_.x import *`) and detectron2
 *   LazyConfig files (`from ..common.train import train`): each relative import names another config
 *   file, read the same way; the importing file starts from the names it imports and changes them.
 * - detectron2 / fvcore yacs YAML (`CfgNode.load_yaml_with_base`): `_BASE_` is a path (or a list)
 *   relative to the file; mappings merge recursively, the child wins.
 *
 * Every file followed goes through the engine's one resolver (engine/repo-files.ts: inside the
 * repository, regular files only, byte limit), supplied by the caller as `InheritIO`. Chains are
 * bounded (MAX_CHAIN_DEPTH levels, MAX_CHAIN_FILES files per config) and cycles are reported.
 * Nothing is executed: Python files are read by load/python-config.ts.
 */
import path from 'node:path';
import { parsePythonConfig, markCopy, originalOf, type ModuleImport } from './load/python-config.js';
import { MAX_PARSE_ERRORS_PER_FILE, parseSource } from './load-file.js';
import { stripBom } from './load/positions.js';
import { describeTried, readBounded, repoRootOf, resolveWritten, type PathBase, type RepoRoot } from './repo-files.js';
import type { SourceFile } from './source.js';
import { mapGet, type ConfigNode, type MapEntry, type MapNode } from './tree.js';
import type { Finding, Range } from './types.js';

export const MAX_CHAIN_DEPTH = 16;
export const MAX_CHAIN_FILES = 64;

/** How the engine reads a file a config names (see repoInheritIO). */
export interface InheritIO {
  /**
   * Resolve `written` from the folder of `fromRel` (a path relative to the lint root), or from the
   * repository root when `fromRel` is undefined, and read it.
   */
  read(written: string, fromRel: string | undefined): { ok: true; rel: string; text: string } | { ok: false; why: string; missing: boolean };
}

/** A problem found while following the chain, in the linted file's terms. */
export interface InheritProblem {
  message: string;
  /** In the linted file: the `_base_` entry, `_BASE_` key or import that leads to the problem. */
  range: Range;
  /** The framework refuses to load the config (a missing base, a cycle, a key two bases define). */
  fatal: boolean;
}

/** A config as the framework sees it after inheritance (SourceFile.inherited). */
export interface Inherited {
  /** The merged configuration. */
  tree: MapNode;
  /** What the config inherits: its bases merged, before its own values (absent without bases). */
  baseTree?: MapNode;
  /** The other files read, in the order they were read (paths relative to the lint root). */
  files: string[];
  /** False when a file of the chain could not be read: a key missing from `tree` may come from it. */
  complete: boolean;
  problems: InheritProblem[];
  notes: string[];
  /** The file (relative to the lint root) a map entry or node comes from. */
  fileOf(x: MapEntry | ConfigNode): string | undefined;
}

/** Shared by every config of one lint run: a base file is read and merged once. */
export interface InheritCache {
  resolved: Map<string, Resolved>;
  provenance: WeakMap<object, string>;
}

export function newInheritCache(): InheritCache {
  return { resolved: new Map(), provenance: new WeakMap() };
}

interface Resolved {
  tree: MapNode;
  baseTree?: MapNode;
  files: string[];
  complete: boolean;
  /** Problems with the range of the reference in this file that leads to them. */
  problems: InheritProblem[];
  notes: string[];
}

type Style = 'python' | 'yacs' | 'base-config';

/** Whether a loaded file builds on others: `_base_`, relative or read_base imports, `_BASE_`. */
export function inheritStyle(file: SourceFile): Style | undefined {
  if (!file.tree || file.tree.kind !== 'map') return undefined;
  if (file.format === 'python') {
    if (mapGet(file.tree, '_base_') || file.text.includes('read_base') || /^[ \t]*from[ \t]+\./m.test(file.text)) return 'python';
    return undefined;
  }
  if (file.format === 'yaml' && mapGet(file.tree, '_BASE_')) return 'yacs';
  if (file.format === 'yaml' && isBaseConfigRef(mapGet(file.tree, 'base_config')?.value)) return 'base-config';
  return undefined;
}

/** The configuration of `file` after inheritance, or undefined when it builds on nothing. */
export function resolveInheritance(file: SourceFile, io: InheritIO, cache: InheritCache): Inherited | undefined {
  const style = inheritStyle(file);
  if (!style) return undefined;
  const state = { files: new Set<string>(), io, cache };
  const resolved = resolveFile(file.path, file, style, [file.path], state);
  const provenance = cache.provenance;
  return {
    tree: resolved.tree,
    ...(resolved.baseTree ? { baseTree: resolved.baseTree } : {}),
    files: resolved.files,
    complete: resolved.complete,
    problems: resolved.problems,
    notes: resolved.notes,
    fileOf: (x) => provenance.get(x) ?? provenance.get(originalOf(x)),
  };
}

interface State {
  files: Set<string>;
  io: InheritIO;
  cache: InheritCache;
}

type Named = { rel: string; file: SourceFile; problem?: undefined; note?: undefined } | { problem: InheritProblem; note?: undefined } | { note: string; problem?: undefined };

/** Reads a file the chain names; the problem (with `range` in the naming file) when it cannot. */
function readNamed(
  written: string,
  fromRel: string | undefined,
  range: Range,
  what: string,
  state: State,
  stack: string[],
): Named {
  if (state.files.size >= MAX_CHAIN_FILES) return { note: `${what} ${written}: more than ${MAX_CHAIN_FILES} files in the chain; not read` };
  if (stack.length > MAX_CHAIN_DEPTH) return { note: `${what} ${written}: the chain is deeper than ${MAX_CHAIN_DEPTH} files; not read` };
  if (written.startsWith('~') || /^[a-z]+:\/\//i.test(written)) return { note: `${what} ${written}: not a path inside the repository; not read` };
  const got = state.io.read(written, fromRel);
  if (!got.ok) {
    if (got.missing) return { problem: { message: `${what} ${written} does not exist (tried ${got.why})`, range, fatal: true } };
    return { note: `${what} ${written}: ${got.why}; not read` };
  }
  if (stack.includes(got.rel)) {
    return { problem: { message: `${what} ${written} is a cycle (${[...stack, got.rel].join(' → ')}): the framework recurses until it fails`, range, fatal: true } };
  }
  state.files.add(got.rel);
  return { rel: got.rel, file: parseSource(got.rel, stripBom(got.text)) };
}

function resolveFile(rel: string, file: SourceFile, style: Style, stack: string[], state: State): Resolved {
  const cached = stack.length > 1 ? state.cache.resolved.get(rel) : undefined;
  if (cached) {
    for (const f of cached.files) state.files.add(f);
    return cached;
  }
  const resolved = style === 'python' ? resolvePython(rel, file, stack, state) : style === 'yacs' ? resolveYacs(rel, file, stack, state) : resolveBaseConfig(rel, file, stack, state);
  register(resolved.tree, rel, state.cache.provenance);
  if (stack.length > 1) state.cache.resolved.set(rel, resolved);
  return resolved;
}

/** Records the file of every node and entry not seen before (shared base nodes keep theirs). */
function register(node: ConfigNode, rel: string, provenance: WeakMap<object, string>, depth = 0): void {
  if (provenance.has(node) || depth > 200) return;
  const original = originalOf(node);
  provenance.set(node, original !== node ? (provenance.get(original) ?? rel) : rel);
  if (node.kind === 'map') {
    for (const e of node.entries) {
      if (!provenance.has(e)) {
        const o = originalOf(e);
        provenance.set(e, o !== e ? (provenance.get(o) ?? rel) : rel);
      }
      register(e.value, rel, provenance, depth + 1);
    }
  } else if (node.kind === 'seq') {
    for (const item of node.items) register(item, rel, provenance, depth + 1);
  }
}

/** A nested file's result as seen from the file that names it: its problems point at the reference. */
function throughReference(inner: Resolved, range: Range, label: string): { problems: InheritProblem[]; notes: string[] } {
  return {
    problems: inner.problems.map((p) => ({ ...p, range, message: `${label}: ${p.message}` })),
    notes: inner.notes.map((n) => `${label}: ${n}`),
  };
}

/** At most MAX_CHAIN_FILES references of one file are followed (a hostile list of thousands is not). */
function capped<T>(items: readonly T[], what: string, notes: string[]): readonly T[] {
  if (items.length <= MAX_CHAIN_FILES) return items;
  notes.push(`${items.length} ${what}: only the first ${MAX_CHAIN_FILES} are read`);
  return items.slice(0, MAX_CHAIN_FILES);
}

function emptyMap(range: Range): MapNode {
  return { kind: 'map', entries: [], range };
}

// ---------------------------------------------------------------------------------------------
// MMEngine and detectron2 LazyConfig Python files

function resolvePython(rel: string, file: SourceFile, stack: string[], state: State): Resolved {
  const first = parsePythonConfig(file.text);
  const problems: InheritProblem[] = [];
  const notes: string[] = [];
  const files: string[] = [];
  let complete = true;
  const top = first.tree ?? emptyMap({ line: 1, column: 1, endLine: 1, endColumn: 2 });

  if (first.basesUnknown && first.basesRange) {
    notes.push(`_base_: ${first.basesUnknown}; the base files are not read`);
    complete = false;
  }
  if (first.bases && first.readBase && first.basesRange) {
    problems.push({ message: 'MMEngine refuses a config that uses both `_base_` and `with read_base():`', range: first.basesRange, fatal: true });
  }

  // `_base_` files, merged in order; a key two of them define is an error.
  let base: MapNode | undefined;
  for (const ref of capped(first.bases ?? [], '_base_ files', notes)) {
    if (ref.written.includes('::')) {
      notes.push(`_base_ ${ref.written}: a config of an installed package (${ref.written.split('::')[0]}); not read, so what it sets is unknown`);
      complete = false;
      continue;
    }
    const got = readNamed(ref.written, rel, ref.range, '_base_', state, stack);
    if (!('file' in got)) {
      if (got.problem) problems.push(got.problem);
      if (got.note) notes.push(got.note);
      complete = false;
      continue;
    }
    const style = inheritStyle(got.file) ?? 'python';
    const inner = got.file.format === 'python' ? resolveFile(got.rel, got.file, style, [...stack, got.rel], state) : plainResolved(got.file);
    files.push(got.rel, ...inner.files.filter((f) => !files.includes(f)));
    const through = throughReference(inner, ref.range, `_base_ ${ref.written}`);
    problems.push(...through.problems);
    notes.push(...through.notes);
    complete &&= inner.complete;
    if (!base) {
      base = inner.tree;
      continue;
    }
    const duplicates = new Set(inner.tree.entries.filter((e) => mapGet(base!, e.key)).map((e) => e.key));
    if (duplicates.size > 0) {
      problems.push({
        message: `_base_ ${ref.written} defines ${listKeys([...duplicates])} again: MMEngine refuses duplicate keys among bases (KeyError)`,
        range: ref.range,
        fatal: true,
      });
    }
    base = { kind: 'map', entries: [...base.entries.filter((e) => !duplicates.has(e.key)), ...inner.tree.entries], range: base.range };
  }
  if (first.bases && !base) base = emptyMap(top.range);

  // Config modules imported (lazy `read_base` imports, detectron2 relative imports).
  const modules = new Map<string, MapNode>();
  for (const imp of capped(first.imports, 'config imports', notes)) {
    const written = modulePath(imp);
    if (!written) {
      notes.push(`${imp.module}: not a config file path; not read`);
      complete = false;
      continue;
    }
    const got = readNamed(written.path, written.fromRoot ? undefined : rel, imp.range, `import ${imp.module}`, state, stack);
    if (!('file' in got)) {
      // An absolute module is a package that may simply not be in this repository.
      if (got.problem && !written.fromRoot) problems.push(got.problem);
      else notes.push(got.note ?? `${imp.module}: not in this repository; not read`);
      complete = false;
      continue;
    }
    const inner = resolveFile(got.rel, got.file, 'python', [...stack, got.rel], state);
    files.push(got.rel, ...inner.files.filter((f) => !files.includes(f)));
    const through = throughReference(inner, imp.range, `import ${imp.module}`);
    problems.push(...through.problems);
    notes.push(...through.notes);
    complete &&= inner.complete;
    modules.set(imp.module, inner.tree);
  }

  const parsed = parsePythonConfig(file.text, { ...(base ? { base } : {}), modules });
  if (parsed.starUnknown.length) complete = false;
  // Expressions that raise when MMEngine runs the file (`{{_base_.lr}} * 0.05`): the config does not load.
  for (const e of parsed.loadErrors) problems.push({ message: e.message, range: e.range, fatal: true });
  const own = parsed.tree ?? top;
  const ownEntries = own.entries.filter((e) => e.key !== '_base_' && !e.key.startsWith('__'));
  let tree: MapNode;
  if (base) {
    const merged = mergeMMEngine({ ...own, entries: ownEntries }, base, problems);
    tree = { kind: 'map', entries: merged.entries, range: own.range };
  } else {
    tree = { kind: 'map', entries: ownEntries, range: own.range };
  }
  return { tree, ...(base ? { baseTree: base } : {}), files, complete, problems, notes };
}

/** Keys for a message: the first ten, and how many more. */
function listKeys(keys: string[]): string {
  const shown = keys.slice(0, 10).map((k) => `\`${k.length > 80 ? `${k.slice(0, 80)}…` : k}\``).join(', ');
  return keys.length > 10 ? `${shown} and ${keys.length - 10} more keys` : shown;
}

/** The position of each key in `entries` (its first entry), for merges linear in the keys. */
function positions(entries: readonly MapEntry[]): Map<string, number> {
  const at = new Map<string, number>();
  entries.forEach((e, i) => {
    if (!at.has(e.key)) at.set(e.key, i);
  });
  return at;
}

/** A relative import's file, relative to the importing file's folder; an absolute one from the root. */
function modulePath(imp: ModuleImport): { path: string; fromRoot: boolean } | undefined {
  const parts = imp.module.slice(imp.level).split('.').filter(Boolean);
  if (parts.length === 0) return undefined;
  if (imp.level === 0) return parts.length > 1 ? { path: `${parts.join('/')}.py`, fromRoot: true } : undefined;
  const up = imp.level > 1 ? '../'.repeat(imp.level - 1) : './';
  return { path: `${up}${parts.join('/')}.py`, fromRoot: false };
}

/** A YAML or JSON base of an MMEngine config: its tree as it is. */
function plainResolved(file: SourceFile): Resolved {
  const tree = file.tree?.kind === 'map' ? file.tree : emptyMap({ line: 1, column: 1, endLine: 1, endColumn: 2 });
  const problem = file.problems.find((p) => p.kind === 'parse-error');
  return { tree, files: [], complete: !problem, problems: [], notes: problem ? [`${file.path} does not parse: ${problem.message}`] : [] };
}

function isDeleteMarker(node: MapNode): boolean {
  const d = mapGet(node, '_delete_');
  return d !== undefined && d.value.kind === 'scalar' && d.value.value === true;
}

function withoutDelete(node: MapNode): MapNode {
  if (!mapGet(node, '_delete_')) return node;
  const copy: MapNode = { kind: 'map', entries: node.entries.filter((e) => e.key !== '_delete_'), range: node.range };
  markCopy(copy, node);
  return copy;
}

/** MMEngine `Config._merge_a_into_b(child, base)`. */
function mergeMMEngine(child: MapNode, base: MapNode, problems: InheritProblem[], depth = 0): MapNode {
  const entries = [...base.entries];
  const at = positions(entries);
  for (const e of child.entries) {
    const i = at.get(e.key) ?? -1;
    const old = i >= 0 ? entries[i] : undefined;
    let next: MapEntry = e;
    if (e.value.kind === 'map') {
      const replace = isDeleteMarker(e.value);
      const value = withoutDelete(e.value);
      if (old && !replace && old.value.kind === 'map' && depth < 64) {
        next = { key: e.key, keyRange: e.keyRange, value: mergeMMEngine(value, old.value, problems, depth + 1) };
      } else {
        if (old && !replace && old.value.kind !== 'map') {
          problems.push({ message: `\`${e.key}\` is a dict here but not in its base: MMEngine refuses to merge it (TypeError); set _delete_=True to replace it`, range: e.keyRange, fatal: true });
        }
        next = value === e.value ? e : { key: e.key, keyRange: e.keyRange, value };
      }
    }
    if (i >= 0) entries[i] = next;
    else {
      at.set(e.key, entries.length);
      entries.push(next);
    }
  }
  return { kind: 'map', entries, range: child.range };
}

// ---------------------------------------------------------------------------------------------
// yacs YAML (`_BASE_`)

function resolveYacs(rel: string, file: SourceFile, stack: string[], state: State): Resolved {
  const own = file.tree?.kind === 'map' ? file.tree : emptyMap({ line: 1, column: 1, endLine: 1, endColumn: 2 });
  const problems: InheritProblem[] = [];
  const notes: string[] = [];
  const files: string[] = [];
  let complete = true;
  const baseEntry = mapGet(own, '_BASE_');
  const ownEntries = own.entries.filter((e) => e.key !== '_BASE_');
  if (!baseEntry) return { tree: own, files, complete, problems, notes };
  const refs = baseEntry.value.kind === 'seq' ? baseEntry.value.items : [baseEntry.value];
  let base: MapNode | undefined;
  for (const ref of capped(refs, '_BASE_ files', notes)) {
    if (ref.kind !== 'scalar' || typeof ref.value !== 'string') {
      notes.push('_BASE_ is not a path; the base file is not read');
      complete = false;
      continue;
    }
    const got = readNamed(ref.value, rel, baseEntry.keyRange, '_BASE_', state, stack);
    if (!('file' in got)) {
      if (got.problem) problems.push(got.problem);
      if (got.note) notes.push(got.note);
      complete = false;
      continue;
    }
    if (got.file.problems.some((p) => p.kind === 'parse-error') || got.file.tree?.kind !== 'map') {
      const why = got.file.problems.find((p) => p.kind === 'parse-error')?.message ?? 'not a mapping';
      problems.push({ message: `_BASE_ ${ref.value} cannot be read: ${why}`, range: baseEntry.keyRange, fatal: true });
      complete = false;
      continue;
    }
    const inner = resolveFile(got.rel, got.file, 'yacs', [...stack, got.rel], state);
    files.push(got.rel, ...inner.files.filter((f) => !files.includes(f)));
    const through = throughReference(inner, baseEntry.keyRange, `_BASE_ ${ref.value}`);
    problems.push(...through.problems);
    notes.push(...through.notes);
    complete &&= inner.complete;
    base = base ? mergeYacs(inner.tree, base, problems) : inner.tree;
  }
  if (!base) return { tree: { kind: 'map', entries: ownEntries, range: own.range }, files, complete, problems, notes };
  const tree = mergeYacs({ ...own, entries: ownEntries }, base, problems);
  return { tree: { ...tree, range: own.range }, baseTree: base, files, complete, problems, notes };
}

/** fvcore `merge_a_into_b(child, base)`: mappings merge recursively, anything else replaces. */
function mergeYacs(child: MapNode, base: MapNode, problems: InheritProblem[], depth = 0): MapNode {
  const entries = [...base.entries];
  const at = positions(entries);
  for (const e of child.entries) {
    const i = at.get(e.key) ?? -1;
    const old = i >= 0 ? entries[i] : undefined;
    let next = e;
    if (e.value.kind === 'map' && old) {
      if (old.value.kind !== 'map') {
        problems.push({ message: `\`${e.key}\` is a mapping here but not in its _BASE_: fvcore refuses to inherit it ("Cannot inherit key")`, range: e.keyRange, fatal: true });
      } else if (depth < 64) {
        next = { key: e.key, keyRange: e.keyRange, value: mergeYacs(e.value, old.value, problems, depth + 1) };
      }
    }
    if (i >= 0) entries[i] = next;
    else {
      at.set(e.key, entries.length);
      entries.push(next);
    }
  }
  return { kind: 'map', entries, range: child.range };
}

// ---------------------------------------------------------------------------------------------
// MaxText YAML (`base_config: base.yml`)

/** `base_config: "base.yml"`: a YAML file name (MaxText's inheritance key). */
function isBaseConfigRef(node: ConfigNode | undefined): boolean {
  return node?.kind === 'scalar' && typeof node.value === 'string' && /\.ya?ml$/i.test(node.value.trim()) && node.value.length < 1024;
}

/** The config files MaxText ships in its package (`configs/`), which it reads when the path is not beside the config. */
const PACKAGED_BASES = new Set(['base.yml']);

/**
 * MaxText `pyconfig._load_config`: `base_config` names a file relative to the config's folder, else
 * one of MaxText's packaged configs; the child's top-level keys replace the base's (`base_config[key]
 * = value`, a replacement per top-level key, not a deep merge). A base that is not in the repository
 * is MaxText's packaged one: not an error; for `base.yml` the dialect knows its defaults, so the
 * view stays complete.
 */
function resolveBaseConfig(rel: string, file: SourceFile, stack: string[], state: State): Resolved {
  const own = file.tree?.kind === 'map' ? file.tree : emptyMap({ line: 1, column: 1, endLine: 1, endColumn: 2 });
  const problems: InheritProblem[] = [];
  const notes: string[] = [];
  const entry = mapGet(own, 'base_config');
  // The root of the chain (base.yml itself) names no base.
  if (!entry || !isBaseConfigRef(entry.value)) return { tree: own, files: [], complete: true, problems, notes };
  const ownEntries = own.entries.filter((e) => e.key !== 'base_config');
  const written = String((entry.value as { value: unknown }).value).trim();
  const got = readNamed(written, rel, entry.keyRange, 'base_config', state, stack);
  if (!('file' in got)) {
    const packaged = PACKAGED_BASES.has(path.posix.basename(written));
    if (got.problem && /does not exist/.test(got.problem.message)) {
      notes.push(`base_config ${written} is not in the repository: MaxText reads its packaged configs/${path.posix.basename(written)}${packaged ? ', whose defaults trainlint knows' : ', which trainlint cannot read'}`);
      return { tree: { kind: 'map', entries: ownEntries, range: own.range }, files: [], complete: packaged, problems, notes };
    }
    if (got.problem) problems.push(got.problem);
    if (got.note) notes.push(got.note);
    return { tree: { kind: 'map', entries: ownEntries, range: own.range }, files: [], complete: false, problems, notes };
  }
  if (got.file.problems.some((p) => p.kind === 'parse-error') || got.file.tree?.kind !== 'map') {
    const why = got.file.problems.find((p) => p.kind === 'parse-error')?.message ?? 'not a mapping';
    problems.push({ message: `base_config ${written} cannot be read: ${why}`, range: entry.keyRange, fatal: true });
    return { tree: { kind: 'map', entries: ownEntries, range: own.range }, files: [got.rel], complete: false, problems, notes };
  }
  const inner = resolveFile(got.rel, got.file, 'base-config', [...stack, got.rel], state);
  const through = throughReference(inner, entry.keyRange, `base_config ${written}`);
  problems.push(...through.problems);
  notes.push(...through.notes);
  const entries = inner.tree.entries.filter((e) => !ownEntries.some((o) => o.key === e.key));
  return { tree: { kind: 'map', entries: [...entries, ...ownEntries], range: own.range }, baseTree: inner.tree, files: [got.rel, ...inner.files.filter((f) => f !== got.rel)], complete: inner.complete, problems, notes };
}

// ---------------------------------------------------------------------------------------------
// Engine glue

/** The InheritIO of a lint run: the one resolver and the bounded read of engine/repo-files.ts. */
export function repoInheritIO(repo: RepoRoot, maxBytes: number, toRepo: (rel: string) => string, fromAbs: (abs: string) => string): InheritIO {
  return {
    read(written, fromRel) {
      const bases: PathBase[] =
        fromRel === undefined ? [{ dir: '.', label: 'the repository root' }] : [{ dir: toRepo(path.posix.dirname(fromRel)), label: "the config's folder" }];
      const resolution = resolveWritten(repo, written, bases);
      if (!resolution.found) {
        return { ok: false, why: describeTried(resolution.tried), missing: resolution.tried.length > 0 && resolution.tried.every((t) => t.why === 'does not exist') };
      }
      const read = readBounded(resolution.found.abs, maxBytes);
      if (!read.ok) return { ok: false, why: read.why, missing: false };
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
      } catch {
        return { ok: false, why: 'not valid UTF-8', missing: false };
      }
      return { ok: true, rel: fromAbs(resolution.found.abs), text };
    },
  };
}

/**
 * Problems of the chain as findings on the linted file: what makes the framework refuse the config
 * is a `parse-error` (the file is still linted with what could be read).
 */
export function inheritanceFindings(file: SourceFile): Finding[] {
  const fatal = (file.inherited?.problems ?? []).filter((p) => p.fatal);
  const kept = fatal.slice(0, MAX_PARSE_ERRORS_PER_FILE);
  return kept.map((p, i) => {
    const more = i === kept.length - 1 && fatal.length > kept.length ? ` (and ${fatal.length - kept.length} more problems with the files this config builds on, not shown)` : '';
    return { ruleId: 'parse-error', severity: 'error' as const, path: file.path, range: p.range, message: p.message + more };
  });
}

/**
 * For lint(): a function that attaches `inherited` to a loaded file that builds on others, reading
 * them from the repository (paths relative to the lint root in results and provenance).
 */
export function inheritanceReader(repoRootPath: string, lintRootPath: string, maxBytes: number): (file: SourceFile) => SourceFile {
  const repo = repoRootOf(repoRootPath);
  const lintRoot = path.resolve(lintRootPath);
  const posix = (p: string) => p.split(path.sep).join('/');
  const toRepo = (rel: string) => posix(path.relative(repo.root, path.resolve(lintRoot, rel))) || '.';
  const fromAbs = (abs: string) => posix(path.relative(lintRoot, abs));
  const io = repoInheritIO(repo, maxBytes, toRepo, fromAbs);
  const cache = newInheritCache();
  return (file) => {
    if (!file.inherited && inheritStyle(file) && !file.problems.some((p) => p.kind === 'parse-error')) file.inherited = resolveInheritance(file, io, cache);
    return file;
  };
}
