/**
 * Reads and validates `.trainlint.yml`, and resolves the settings that apply to one file
 * (top-level values, then every matching `overrides` entry in order).
 */
import path from 'node:path';
import { compiledSchema } from '../engine/compiled-schemas.js';
import { loadYaml } from '../engine/load/yaml.js';
import { decodeUtf8, readRepoFile, repoRootOf } from '../engine/repo-files.js';
import { CONFIG_KEY, ruleOptionsKey } from '../engine/schema-sources.js';
import { locateNearest, toPlain, type ConfigNode } from '../engine/tree.js';
import { RULES_BY_ID } from '../rules/index.js';
import { summariseErrors } from '../rules/schema.js';
import { UsageError } from './errors.js';
import { compileGlobs, compileIgnore, GlobError, showGlob, type IgnoreMatcher } from './glob.js';
import configSchema from '../../schemas/trainlint.schema.json';
import { SHORT_RUN_DEFAULTS, type EffectiveRule, type FileSettings, type RuleSetting, type TrainlintConfig } from './types.js';

export const CONFIG_NAMES = ['.trainlint.yml', '.trainlint.yaml'];

export function asList(globs: string | string[] | undefined): string[] {
  if (globs === undefined) return [];
  return Array.isArray(globs) ? globs : [globs];
}

/** `.trainlint.yml` is at most this large (a policy file, not data). */
export const MAX_CONFIG_BYTES = 256 * 1024;
/** Globs in one config, all lists together. */
export const MAX_GLOBS = 1000;

const compiledGlobs = new Map<string, (p: string) => boolean>();

/**
 * A matcher for the globs, compiled once per distinct list (settingsFor runs once per file).
 * Linear in the path (config/glob.ts). Globs from a config were checked when it loaded; a glob
 * that cannot be compiled here throws GlobError.
 */
export function matcher(globs: string | string[] | undefined): (p: string) => boolean {
  const list = asList(globs);
  if (list.length === 0) return () => false;
  const key = JSON.stringify(list);
  let match = compiledGlobs.get(key);
  if (!match) {
    match = compileGlobs(list);
    compiledGlobs.set(key, match);
  }
  return match;
}

const ignoreMatchers = new Map<string, IgnoreMatcher>();

/** The `ignore` list as a walk reads it (config/glob.ts compileIgnore), compiled once per distinct list. */
export function ignoreMatcher(globs: string | string[] | undefined): IgnoreMatcher {
  const list = asList(globs);
  const key = JSON.stringify(list);
  let match = ignoreMatchers.get(key);
  if (!match) {
    match = compileIgnore(list);
    ignoreMatchers.set(key, match);
  }
  return match;
}

/** Where the entries of a loaded config are written, for messages about them (`policyNotes`). */
export interface ConfigPlaces {
  /** The config as messages name it (`.trainlint.yml`, `.trainlint.yml (base abc1234)`). */
  displayPath: string;
  /** `file:line:column` of each `files` entry, in order. */
  files: string[];
  /** `file:line:column` of each `references` key, by the normalised key. */
  references: Map<string, string>;
}

const placesOf = new WeakMap<TrainlintConfig, ConfigPlaces>();

/** Where the entries of a config that `parseConfig` returned are written (undefined for a config made in code). */
export function configPlaces(config: TrainlintConfig): ConfigPlaces | undefined {
  return placesOf.get(config);
}

/** A text of nothing but comments, blank lines and document markers: an empty policy, not an error. */
function isBlankYaml(text: string): boolean {
  return text.split(/\r?\n|\r/).every((line) => /^\s*(#.*)?$/.test(line) || /^(---|\.\.\.)\s*(#.*)?$/.test(line));
}

/** Validate a parsed config text; throws UsageError with `file:line:col: message`. */
export function parseConfig(text: string, displayPath: string): TrainlintConfig {
  if (isBlankYaml(text)) return {};
  const loaded = loadYaml(text, { version: '1.2' });
  const problem = loaded.problems[0];
  if (problem) throw new UsageError(`${displayPath}:${problem.range.line}:${problem.range.column}: ${problem.message}`);
  if (!loaded.tree) return {};
  const data = toPlain(loaded.tree);
  if (data === null) return {};
  // Compiled at build time in dist/ (see engine/compiled-schemas.ts).
  const validateConfig = compiledSchema(CONFIG_KEY);
  if (!validateConfig) throw new Error('the .trainlint.yml schema is missing');
  if (!validateConfig(data)) {
    const messages = summariseErrors(validateConfig.errors ?? []).map((e) => {
      const range = locateNearest(loaded.tree, e.path);
      return `${displayPath}:${range?.line ?? 1}:${range?.column ?? 1}: ${e.message}${e.keyword === 'additionalProperties' ? didYouMean(e.path) : ''}`;
    });
    throw new UsageError(`invalid configuration:\n${messages.join('\n')}`);
  }
  const config = JSON.parse(JSON.stringify(data)) as TrainlintConfig;
  checkGlobs(config, loaded.tree, displayPath);
  checkPolicyPaths(config, loaded.tree, displayPath);
  checkRuleSettings(config, loaded.tree, displayPath);
  const references = normaliseReferences(config, loaded.tree, displayPath);
  const at = (where: (string | number)[]) => {
    const range = locateNearest(loaded.tree, where);
    return `${displayPath}:${range?.line ?? 1}:${range?.column ?? 1}`;
  };
  placesOf.set(config, { displayPath, files: asList(config.files).map((_, i) => at(Array.isArray(config.files) ? ['files', i] : ['files'])), references });
  return config;
}

/**
 * ` (did you mean "peakLr"?)` for an unknown key that differs from a key the schema allows there
 * only in case, `-`/`_`, or one letter; '' otherwise.
 */
function didYouMean(keyPath: readonly (string | number)[]): string {
  const key = String(keyPath[keyPath.length - 1]);
  const allowed = Object.keys(schemaAt(keyPath.slice(0, -1))?.properties ?? {});
  const squash = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
  const near = allowed.find((k) => squash(k) === squash(key)) ?? allowed.find((k) => oneEditApart(squash(k), squash(key)));
  return near ? ` (did you mean "${near}"?)` : '';
}

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
}

/** The part of the `.trainlint.yml` schema that describes the value at `keyPath` (following `$ref`s), if it is plain. */
function schemaAt(keyPath: readonly (string | number)[]): SchemaNode | undefined {
  const definitions = (configSchema as { definitions: Record<string, SchemaNode> }).definitions;
  const deref = (node: SchemaNode | undefined) => (node?.$ref ? definitions[node.$ref.replace('#/definitions/', '')] : node);
  let node: SchemaNode | undefined = deref(configSchema as SchemaNode);
  for (const segment of keyPath) {
    if (typeof segment === 'number') node = deref(Array.isArray(node?.items) ? undefined : node?.items);
    else node = deref(node?.properties?.[segment]);
  }
  return node;
}

/** Whether two words differ by one inserted, deleted or replaced character. */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i + (a.length >= b.length ? 1 : 0));
  const restB = b.slice(i + (b.length >= a.length ? 1 : 0));
  return restA === restB;
}

/** `./h100.yaml` and `h100.yaml` are the same file: a path as the lint names it (POSIX, no `./`, `a/../b` folded). */
function normaliseReferencePath(p: string): string {
  const posix = p.replace(/\\/g, '/');
  return path.posix.isAbsolute(posix) ? posix : path.posix.normalize(posix);
}

/**
 * `references` keys and values written `./h100.yaml` become `h100.yaml`, the path the lint gives
 * the file (a key that is not would never match). Two keys naming the same file are a config error.
 * Returns where each (normalised) key is written.
 */
function normaliseReferences(config: TrainlintConfig, tree: ConfigNode | undefined, displayPath: string): Map<string, string> {
  const places = new Map<string, string>();
  if (!config.references) return places;
  const normal: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.references)) {
    const range = locateNearest(tree, ['references', key]);
    const at = `${displayPath}:${range?.line ?? 1}:${range?.column ?? 1}`;
    const file = normaliseReferencePath(key);
    if (Object.hasOwn(normal, file)) throw new UsageError(`${at}: references: "${key}" names ${file} again; give each config one reference`);
    // A data property even for a file named `__proto__`.
    Object.defineProperty(normal, file, { value: normaliseReferencePath(value), enumerable: true, writable: true, configurable: true });
    places.set(file, at);
  }
  config.references = normal;
  return places;
}

/** Every glob compiles (bounded length and nesting) and there are not too many; errors at line:column. */
function checkGlobs(config: TrainlintConfig, tree: Parameters<typeof locateNearest>[0], displayPath: string): void {
  const lists: [(string | number)[], string | string[] | undefined][] = [
    [['files'], config.files],
    [['ignore'], config.ignore],
    ...(config.overrides ?? []).map((o, i): [(string | number)[], string | string[] | undefined] => [['overrides', i, 'files'], o.files]),
    ...(config.schemas ?? []).map((o, i): [(string | number)[], string | string[] | undefined] => [['schemas', i, 'files'], o.files]),
  ];
  let count = 0;
  for (const [where, globs] of lists) {
    const list = asList(globs);
    count += list.length;
    if (count > MAX_GLOBS) {
      const at = locateNearest(tree, where);
      throw new UsageError(`${displayPath}:${at?.line ?? 1}:${at?.column ?? 1}: more than ${MAX_GLOBS} globs, over the limit for one configuration`);
    }
    list.forEach((glob, i) => {
      try {
        compileGlobs([glob]);
      } catch (err) {
        if (!(err instanceof GlobError)) throw err;
        const at = locateNearest(tree, Array.isArray(globs) ? [...where, i] : where);
        throw new UsageError(`${displayPath}:${at?.line ?? 1}:${at?.column ?? 1}: glob ${showGlob(glob)} ${err.message}`);
      }
    });
  }
}

/** Policy files (`schemas:`) must lie inside the repository: absolute and `../` paths are refused. */
function checkPolicyPaths(config: TrainlintConfig, tree: Parameters<typeof locateNearest>[0], displayPath: string): void {
  for (const [i, entry] of (config.schemas ?? []).entries()) {
    const posix = entry.schema.replace(/\\/g, '/');
    const normal = path.posix.normalize(posix);
    if (path.posix.isAbsolute(posix) || path.win32.isAbsolute(entry.schema) || normal === '..' || normal.startsWith('../')) {
      const at = locateNearest(tree, ['schemas', i, 'schema']);
      throw new UsageError(`${displayPath}:${at?.line ?? 1}:${at?.column ?? 1}: schema ${entry.schema}: outside the repository; not read`);
    }
  }
}

function checkRuleSettings(config: TrainlintConfig, tree: Parameters<typeof locateNearest>[0], displayPath: string): void {
  const blocks: [(string | number)[], Record<string, RuleSetting> | undefined][] = [
    [['rules'], config.rules],
    ...(config.overrides ?? []).map((o, i): [(string | number)[], Record<string, RuleSetting> | undefined] => [['overrides', i, 'rules'], o.rules]),
  ];
  for (const [where, rules] of blocks) {
    for (const [id, setting] of Object.entries(rules ?? {})) {
      const at = locateNearest(tree, [...where, id]);
      const loc = `${displayPath}:${at?.line ?? 1}:${at?.column ?? 1}`;
      const rule = RULES_BY_ID.get(id);
      if (!rule) throw new UsageError(`${loc}: unknown rule "${id}" (run \`trainlint rules\` for the list)`);
      const options = Array.isArray(setting) ? setting[1] : undefined;
      if (options === undefined) continue;
      if (!rule.meta.options) throw new UsageError(`${loc}: rule "${id}" takes no options`);
      const validate = compiledSchema(ruleOptionsKey(id));
      if (!validate) throw new Error(`the options schema of ${id} is missing`);
      if (!validate(options)) {
        const detail = summariseErrors(validate.errors ?? []).map((e) => e.message.replace('(root)', 'options')).join('; ');
        throw new UsageError(`${loc}: invalid options for "${id}": ${detail}`);
      }
    }
  }
}

/**
 * Find and read the config: `--config FILE`, else `.trainlint.yml` in the root.
 * A relative `--config` and the path shown in messages are relative to `root` (the CLI's `cwd`
 * or the action's workspace), not to `process.cwd()`: the two differ when the CLI runs in-process
 * with another working directory or the action's workspace is not the process's cwd.
 * The config is a policy file: read through the engine's resolver (inside the repository, after
 * symbolic links; a regular file; at most MAX_CONFIG_BYTES), as strict UTF-8. The repository is
 * `root`, or for an explicit `--config` the `repositoryRoot` the CLI found above it (a run in a
 * subfolder may name `../.trainlint.yml`).
 */
export function readConfig(root: string, explicitPath?: string, repositoryRoot: string = root): { config: TrainlintConfig; path?: string } {
  // `--config ../.trainlint.yml` from a subfolder: read when it is inside the repository.
  const repo = repoRootOf(explicitPath ? repositoryRoot : root);
  const base = path.resolve(root);
  const candidates = explicitPath ? [explicitPath] : CONFIG_NAMES;
  for (const candidate of candidates) {
    const read = readRepoFile(repo, path.resolve(base, candidate), MAX_CONFIG_BYTES, 'the size limit of .trainlint.yml');
    if (!read.ok) {
      if (read.refusal === 'missing') {
        if (explicitPath) throw new UsageError(`config file not found: ${explicitPath}`);
        continue;
      }
      throw new UsageError(`${candidate}: ${read.why.replace(/; skipped$/, '')}${read.refusal ? '; not read' : ''}`);
    }
    const text = decodeUtf8(read.bytes);
    if (text === undefined) throw new UsageError(`${candidate}: not valid UTF-8; not read`);
    const shown = path.relative(root, read.abs) || candidate;
    return { config: parseConfig(text, shown), path: read.abs };
  }
  return { config: {} };
}

function applyRules(target: Map<string, EffectiveRule>, rules: Record<string, RuleSetting> | undefined): void {
  for (const [id, setting] of Object.entries(rules ?? {})) {
    const current = target.get(id);
    if (!current) continue;
    if (Array.isArray(setting)) {
      target.set(id, { severity: setting[0], options: { ...current.options, ...(setting[1] ?? {}) } });
    } else {
      target.set(id, { severity: setting, options: current.options });
    }
  }
}

/** The settings for one file; `cliRules` (from `--rule ID=SEVERITY`) apply last. */
export function settingsFor(config: TrainlintConfig, relPath: string, cliRules: Record<string, RuleSetting> = {}): FileSettings {
  const rules = new Map<string, EffectiveRule>();
  for (const [id, rule] of RULES_BY_ID) rules.set(id, { severity: rule.meta.defaultSeverity, options: { ...(rule.meta.defaultOptions ?? {}) } });
  applyRules(rules, config.rules);
  let assume = { ...(config.assume ?? {}) };
  let mappings = { ...(config.mappings ?? {}) };
  let dialect: string | undefined;
  let shortRun = { ...SHORT_RUN_DEFAULTS, ...(config.shortRun ?? {}) };
  for (const override of config.overrides ?? []) {
    if (!matcher(override.files)(relPath)) continue;
    applyRules(rules, override.rules);
    shortRun = { ...shortRun, ...(override.shortRun ?? {}) };
    assume = { ...assume, ...(override.assume ?? {}) };
    mappings = { ...mappings, ...(override.mappings ?? {}) };
    if (override.dialect) dialect = override.dialect;
  }
  applyRules(rules, cliRules);
  const schemas = (config.schemas ?? []).filter((s) => matcher(s.files)(relPath)).map((s) => s.schema);
  return { rules, assume, mappings, dialect, schemas, shortRun };
}
