/**
 * JSON Schemas applied by the `schema` rule: each dialect's built-in schema (compiled at
 * build time for dist/, see compiled-schemas.ts) and user schemas named in `.trainlint.yml`
 * `schemas:` (read once, compiled once, at run time).
 * ajv runs with `$data` off (CVE-2025-69873 needs it on) and strict mode.
 * Every `pattern` and `patternProperties` regex, built-in or user, runs on RE2 (linear time;
 * engine/linear-regexp.ts). User schemas are policy files: read through the engine's resolver
 * (inside the repository, regular files only, a byte limit on the read), and bounded in size so
 * they compile quickly. The built-in schemas of OmegaConf frameworks (OMEGACONF_TYPED_SCHEMAS) validate
 * the config as OmegaConf types it: `2e4` is a float there, a string to PyYAML.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { UsageError } from '../config/errors.js';
import { loadYaml } from './load/yaml.js';
import { loadJson } from './load/json.js';
import { UnsupportedPattern } from './linear-regexp.js';
import { decodeUtf8, readRepoFile, repoRootOf, type RepoRoot } from './repo-files.js';
import { toPlain, type ConfigNode } from './tree.js';

import { compiledSchema } from './compiled-schemas.js';
import { builtinKey, OMEGACONF_TYPED_SCHEMAS, SCHEMA_AJV_OPTIONS } from './schema-sources.js';
import { markOmegaConfTyped } from './omegaconf-typing.js';

/** A user schema file is at most this large… */
export const MAX_SCHEMA_BYTES = 512 * 1024;
/** …and has at most this many nodes (ajv compiles about 3,000 nodes a second). */
export const MAX_SCHEMA_NODES = 10_000;
/** All user schemas of a run together. */
export const MAX_USER_SCHEMA_NODES = 30_000;

/** Nodes of a tree, counted without recursion; stops counting past `limit`. */
function countNodes(tree: ConfigNode, limit: number): number {
  let count = 0;
  const stack: ConfigNode[] = [tree];
  while (stack.length > 0 && count <= limit) {
    const node = stack.pop()!;
    count++;
    if (node.kind === 'map') for (const e of node.entries) stack.push(e.value);
    else if (node.kind === 'seq') for (const item of node.items) stack.push(item);
  }
  return count;
}

export class SchemaStore {
  // Created on first use: only user schemas compile at run time.
  private ajvInstance?: Ajv;
  private get ajv(): Ajv {
    return (this.ajvInstance ??= new Ajv(SCHEMA_AJV_OPTIONS));
  }
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Built-in validators by schema name (undefined: no such schema). */
  private readonly builtins = new Map<string, ValidateFunction | undefined>();
  private readonly repo: RepoRoot;
  private userNodes = 0;

  /**
   * @param root the repository root
   * @param texts schema texts by the path written in `.trainlint.yml` (the action reads them at
   *   the base revision); a path not in it is read from the repository.
   */
  constructor(
    root: string,
    private readonly texts?: ReadonlyMap<string, string>,
  ) {
    this.repo = repoRootOf(root);
  }

  /** A dialect's built-in schema (compiled at build time in dist/, see compiled-schemas.ts). */
  builtin(name: string): ValidateFunction | undefined {
    // Looked up by the dialect's own name, once per file: not a `builtin:…` key built and hashed each time.
    const known = this.builtins.get(name);
    if (known !== undefined || this.builtins.has(name)) return known;
    // Its `schema` (the words of the schema rule's messages) is set in both forms: by ajv at run
    // time, with the generated code in dist/ (which keeps the schema objects out of the bundle).
    const validate = compiledSchema(builtinKey(name));
    if (validate && OMEGACONF_TYPED_SCHEMAS.has(name)) markOmegaConfTyped(validate);
    this.builtins.set(name, validate);
    return validate;
  }

  /** A user schema's text: given, or read from the repository. Throws UsageError when refused. */
  private userText(relPath: string): string {
    const given = this.texts?.get(relPath);
    if (given !== undefined) return given;
    const read = readRepoFile(this.repo, relPath, MAX_SCHEMA_BYTES, 'the size limit of a schema');
    if (!read.ok) {
      if (read.refusal === 'missing') throw new UsageError(`schema file not found: ${relPath} (named in .trainlint.yml schemas)`);
      if (read.refusal) throw new UsageError(`schema ${relPath} (named in .trainlint.yml schemas): ${read.why}; not read`);
      throw new UsageError(`${relPath}: ${read.why.replace(/; skipped$/, '')}; the schema is too large to compile in bounded time`);
    }
    const text = decodeUtf8(read.bytes);
    if (text === undefined) throw new UsageError(`${relPath}: not valid UTF-8; not read`);
    return text;
  }

  /** A user schema, by path relative to the root (JSON or YAML). Throws UsageError when unusable. */
  user(relPath: string): ValidateFunction {
    const key = `user:${relPath}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const text = this.userText(relPath);
    if (text.length > MAX_SCHEMA_BYTES) {
      throw new UsageError(`${relPath}: ${text.length} characters, over the ${MAX_SCHEMA_BYTES} limit of a schema; too large to compile in bounded time`);
    }
    const loaded = relPath.endsWith('.json') ? loadJson(text) : loadYaml(text, { version: '1.2' });
    const problem = loaded.problems.find((p) => p.kind === 'parse-error');
    if (problem || !loaded.tree) {
      throw new UsageError(`${relPath}:${problem?.range.line ?? 1}:${problem?.range.column ?? 1}: ${problem?.message ?? 'empty schema'}`);
    }
    const nodes = countNodes(loaded.tree, MAX_SCHEMA_NODES);
    if (nodes > MAX_SCHEMA_NODES) {
      throw new UsageError(`${relPath}: more than ${MAX_SCHEMA_NODES} nodes, over the limit of a schema; too large to compile in bounded time`);
    }
    this.userNodes += nodes;
    if (this.userNodes > MAX_USER_SCHEMA_NODES) {
      throw new UsageError(`${relPath}: the user schemas together have more than ${MAX_USER_SCHEMA_NODES} nodes; too large to compile in bounded time`);
    }
    const schema = toPlain(loaded.tree) as object;
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile({ ...JSON.parse(JSON.stringify(schema)), $id: undefined });
    } catch (err) {
      if (err instanceof UnsupportedPattern) throw new UsageError(`${relPath}: ${err.message}`);
      throw new UsageError(`${relPath}: invalid JSON Schema: ${(err as Error).message.split('\n')[0]}`);
    }
    this.compiled.set(key, validate);
    return validate;
  }
}
