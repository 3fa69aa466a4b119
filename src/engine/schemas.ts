/**
 * JSON Schemas applied by the `schema` rule: each dialect's built-in schema (compiled at
 * build time for dist/, see compiled-schemas.ts) and user schemas named in `.trainlint.yml`
 * `schemas:` (read once, compiled once, at run time).
 * ajv runs with `$data` off (CVE-2025-69873 needs it on) and strict mode.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { UsageError } from '../config/errors.js';
import { loadYaml } from './load/yaml.js';
import { loadJson } from './load/json.js';
import { toPlain } from './tree.js';
import { compiledSchema } from './compiled-schemas.js';
import { builtinKey, SCHEMA_AJV_OPTIONS } from './schema-sources.js';

export class SchemaStore {
  // Created on first use: only user schemas compile at run time.
  private ajvInstance?: Ajv;
  private get ajv(): Ajv {
    return (this.ajvInstance ??= new Ajv(SCHEMA_AJV_OPTIONS));
  }
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly root: string) {}

  /** A dialect's built-in schema (compiled at build time in dist/, see compiled-schemas.ts). */
  builtin(name: string): ValidateFunction | undefined {
    return compiledSchema(builtinKey(name));
  }

  /** A user schema, by path relative to the root (JSON or YAML). Throws UsageError when unusable. */
  user(relPath: string): ValidateFunction {
    const key = `user:${relPath}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const abs = path.resolve(this.root, relPath);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      throw new UsageError(`schema file not found: ${relPath} (named in .trainlint.yml schemas)`);
    }
    const loaded = relPath.endsWith('.json') ? loadJson(text) : loadYaml(text, { version: '1.2' });
    const problem = loaded.problems.find((p) => p.kind === 'parse-error');
    if (problem || !loaded.tree) {
      throw new UsageError(`${relPath}:${problem?.range.line ?? 1}:${problem?.range.column ?? 1}: ${problem?.message ?? 'empty schema'}`);
    }
    const schema = toPlain(loaded.tree) as object;
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile({ ...JSON.parse(JSON.stringify(schema)), $id: undefined });
    } catch (err) {
      throw new UsageError(`${relPath}: invalid JSON Schema: ${(err as Error).message.split('\n')[0]}`);
    }
    this.compiled.set(key, validate);
    return validate;
  }
}
