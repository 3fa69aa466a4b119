/**
 * Which validators check a config as OmegaConf's YAML loader types it, and that typing for one scalar.
 * The tree is read as PyYAML reads YAML (YAML 1.1: `2e4` is a string); the built-in schemas of the
 * frameworks in OMEGACONF_TYPED_SCHEMAS (schema-sources.ts) validate the values OmegaConf gives their code.
 */
import type { ValidateFunction } from 'ajv';
import { OMEGACONF_FLOAT } from './hydra/overrides.js';
import type { ScalarNode } from './tree.js';

const typed = new WeakSet<ValidateFunction>();

/** Marks a built-in validator whose data is typed as OmegaConf reads it (SchemaStore.builtin). */
export function markOmegaConfTyped(validate: ValidateFunction): void {
  typed.add(validate);
}

/** Whether `validate` checks a config as OmegaConf types it (the schema rule copies the tree accordingly). */
export function typesAsOmegaConf(validate: ValidateFunction): boolean {
  return typed.has(validate);
}

/**
 * A scalar as OmegaConf's YAML loader reads it: a plain `2e4`, `1.0e4`, `1_000.0` is a float (a string to
 * PyYAML); a quoted one stays a string, as it does for OmegaConf.
 */
export function omegaConfScalar(node: ScalarNode): unknown {
  return node.plain && typeof node.value === 'string' && OMEGACONF_FLOAT.test(node.value) ? Number(node.value.replace(/_/g, '')) : node.value;
}
