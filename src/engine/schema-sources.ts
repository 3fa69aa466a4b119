/**
 * Every JSON Schema that ships with trainlint, by key, with the ajv options it is compiled
 * with: the dialects' built-in schemas, the `.trainlint.yml` schema and the rules' option
 * schemas. The single source for both ways of compiling them (see compiled-schemas.ts):
 * at run time in the sources, at build time (ajv standalone code) for dist/.
 */
import type { Options } from 'ajv';
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
import ultralyticsSchema from '../../schemas/dialects/ultralytics.schema.json';
import kohyaSchema from '../../schemas/dialects/kohya.schema.json';
import kohyaGuiSchema from '../../schemas/dialects/kohya-gui.schema.json';
import timmSchema from '../../schemas/dialects/timm.schema.json';
import verlSchema from '../../schemas/dialects/verl.schema.json';
import nemoSchema from '../../schemas/dialects/nemo.schema.json';
import mmengineSchema from '../../schemas/dialects/mmengine.schema.json';
import detectron2Schema from '../../schemas/dialects/detectron2.schema.json';
import msSwiftSchema from '../../schemas/dialects/ms-swift.schema.json';
import maxtextSchema from '../../schemas/dialects/maxtext.schema.json';
import levanterSchema from '../../schemas/dialects/levanter.schema.json';
import fairseqSchema from '../../schemas/dialects/fairseq.schema.json';
import configSchema from '../../schemas/trainlint.schema.json';
import { linearRegExp, ownRegExp } from './linear-regexp.js';
import { RULES } from '../rules/index.js';

/**
 * A user schema's `pattern` runs on RE2 (linear time, engine/linear-regexp.ts); the patterns of
 * trainlint's own schemas on `ownRegExp` (V8's engine for short inputs, RE2 beyond), at run time
 * and in the standalone code generated for dist/ (where `trainlint.ownRegExp` is supplied to the code).
 */
const LINEAR_PATTERNS: Options['code'] = { regExp: linearRegExp };
const OWN_PATTERNS: Options['code'] = { regExp: ownRegExp };
/** User schemas (always compiled at run time, in schemas.ts); the dialects' built-in schemas take these with OWN_PATTERNS. */
// `errorMessage` (ajv-errors' keyword) is an annotation here: the schema rule says it for a failed `pattern`.
export const SCHEMA_AJV_OPTIONS: Options = { allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, ownProperties: true, logger: false, code: LINEAR_PATTERNS, keywords: ['errorMessage'] };
/** `.trainlint.yml` and rule options. */
export const CONFIG_AJV_OPTIONS: Options = { allErrors: true, strict: true, strictTuples: false, allowUnionTypes: true, code: OWN_PATTERNS };

export type AjvProfile = 'schema' | 'config';
/** The options each of trainlint's own schemas compiles with. */
export const AJV_OPTIONS: Record<AjvProfile, Options> = { schema: { ...SCHEMA_AJV_OPTIONS, code: OWN_PATTERNS }, config: CONFIG_AJV_OPTIONS };

export interface SchemaSource {
  schema: object;
  profile: AjvProfile;
}

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
  'ultralytics.schema.json': ultralyticsSchema,
  'kohya.schema.json': kohyaSchema,
  'kohya-gui.schema.json': kohyaGuiSchema,
  'timm.schema.json': timmSchema,
  'verl.schema.json': verlSchema,
  'nemo.schema.json': nemoSchema,
  'mmengine.schema.json': mmengineSchema,
  'detectron2.schema.json': detectron2Schema,
  'ms-swift.schema.json': msSwiftSchema,
  'maxtext.schema.json': maxtextSchema,
  'levanter.schema.json': levanterSchema,
  'fairseq.schema.json': fairseqSchema,
};

/** Keys: `builtin:<file name in schemas/dialects>`, `config`, `rule-options:<rule id>`. */
export const builtinKey = (name: string) => `builtin:${name}`;
export const CONFIG_KEY = 'config';
export const ruleOptionsKey = (ruleId: string) => `rule-options:${ruleId}`;

/** All schemas known at build time, in a stable order. */
export function schemaSources(): Map<string, SchemaSource> {
  const out = new Map<string, SchemaSource>();
  for (const [name, schema] of Object.entries(BUILTIN)) out.set(builtinKey(name), { schema, profile: 'schema' });
  out.set(CONFIG_KEY, { schema: configSchema, profile: 'config' });
  for (const rule of RULES) if (rule.meta.options) out.set(ruleOptionsKey(rule.meta.id), { schema: rule.meta.options, profile: 'config' });
  return out;
}

/**
 * Built-in schemas whose framework loads its YAML with OmegaConf and keeps a float where the code
 * counts (verl's untyped `trainer:` DictConfig, NeMo's Trainer arguments handed to Lightning,
 * MaxText's pydantic fields in lax mode): `2e4` is the float 20000.0 there, as `20000.0` and a
 * command-line `…=2e4` are, so the schema rule validates these with OmegaConf's typing (schemas.ts).
 * Not fairseq: its Hydra config is structured (dataclasses in the ConfigStore), where OmegaConf's
 * IntegerNode refuses any float. Facts: research/frameworks-wave2-nemo-rl-jax.md §1.1.
 */
export const OMEGACONF_TYPED_SCHEMAS: ReadonlySet<string> = new Set(['verl.schema.json', 'nemo.schema.json', 'maxtext.schema.json']);
