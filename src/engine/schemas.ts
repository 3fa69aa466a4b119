/**
 * JSON Schemas applied by the `schema` rule: each dialect's built-in schema (bundled) and
 * user schemas named in `.trainlint.yml` `schemas:` (read once, compiled once).
 * ajv runs with `$data` off (CVE-2025-69873 needs it on) and strict mode.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import axolotlSchema from '../../schemas/dialects/axolotl.schema.json';
import composerSchema from '../../schemas/dialects/composer.schema.json';
import deepspeedSchema from '../../schemas/dialects/deepspeed.schema.json';
import megatronSchema from '../../schemas/dialects/megatron.schema.json';
import lightningSchema from '../../schemas/dialects/lightning.schema.json';
import litgptSchema from '../../schemas/dialects/litgpt.schema.json';
import nanogptSchema from '../../schemas/dialects/nanogpt.schema.json';
import olmoSchema from '../../schemas/dialects/olmo.schema.json';
import torchtitanSchema from '../../schemas/dialects/torchtitan.schema.json';
import torchtuneSchema from '../../schemas/dialects/torchtune.schema.json';
import gptNeoxSchema from '../../schemas/dialects/gpt-neox.schema.json';
import hfTrainerSchema from '../../schemas/dialects/hf-trainer.schema.json';
import llamaFactorySchema from '../../schemas/dialects/llama-factory.schema.json';
import mmengineSchema from '../../schemas/dialects/mmengine.schema.json';
import detectron2Schema from '../../schemas/dialects/detectron2.schema.json';
import { UsageError } from '../config/errors.js';
import { loadYaml } from './load/yaml.js';
import { loadJson } from './load/json.js';
import { toPlain } from './tree.js';

const BUILTIN: Record<string, object> = {
  'hf-trainer.schema.json': hfTrainerSchema,
  'axolotl.schema.json': axolotlSchema,
  'llama-factory.schema.json': llamaFactorySchema,
  'torchtune.schema.json': torchtuneSchema,
  'composer.schema.json': composerSchema,
  'deepspeed.schema.json': deepspeedSchema,
  'megatron.schema.json': megatronSchema,
  'gpt-neox.schema.json': gptNeoxSchema,
  'olmo.schema.json': olmoSchema,
  'lightning.schema.json': lightningSchema,
  'torchtitan.schema.json': torchtitanSchema,
  'litgpt.schema.json': litgptSchema,
  'nanogpt.schema.json': nanogptSchema,
  'mmengine.schema.json': mmengineSchema,
  'detectron2.schema.json': detectron2Schema,
};

export class SchemaStore {
  private readonly ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly root: string) {}

  builtin(name: string): ValidateFunction | undefined {
    const key = `builtin:${name}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const schema = BUILTIN[name];
    if (!schema) return undefined;
    const validate = this.ajv.compile(schema);
    this.compiled.set(key, validate);
    return validate;
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
