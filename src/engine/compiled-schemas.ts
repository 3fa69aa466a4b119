/**
 * The validator of a schema that ships with trainlint (see schema-sources.ts for the keys).
 *
 * In the sources (and so in the tests) each schema is compiled with ajv on first use. The
 * bundles in dist/ do not contain this module: scripts/bundle.mjs replaces it with ajv
 * standalone code generated at build time from the same sources and options
 * (scripts/validators.mjs; one file per schema in dist/validators/, loaded on first use), so
 * the CLI and the action compile no schema at start-up.
 * Both forms export the same function and give the same errors.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { AJV_OPTIONS, schemaSources, type AjvProfile, type SchemaSource } from './schema-sources.js';

let sources: Map<string, SchemaSource> | undefined;
const instances = new Map<AjvProfile, Ajv>();
const compiled = new Map<string, ValidateFunction>();

/** Undefined when no schema has that key. */
export function compiledSchema(key: string): ValidateFunction | undefined {
  const cached = compiled.get(key);
  if (cached) return cached;
  sources ??= schemaSources();
  const source = sources.get(key);
  if (!source) return undefined;
  let ajv = instances.get(source.profile);
  if (!ajv) {
    ajv = new Ajv(AJV_OPTIONS[source.profile]);
    instances.set(source.profile, ajv);
  }
  const validate = ajv.compile(source.schema);
  compiled.set(key, validate);
  return validate;
}

/** True in dist/ (validators generated at build time); false in the sources. */
export const PRECOMPILED = false;
