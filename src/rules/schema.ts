import type { ErrorObject } from 'ajv';
import { getIn, locateNearest, toPlain, type ConfigNode } from '../engine/tree.js';
import type { KeyPath, Range } from '../engine/types.js';
import { REMOVED_KEYS, replacementOf } from '../dialects/removed-keys.js';
import type { YamlLoader } from '../dialects/types.js';
import { linearRegExp } from '../engine/linear-regexp.js';
import type { Rule } from './types.js';

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function showPath(path: KeyPath): string {
  return path.length ? path.join('.') : '(root)';
}

const TYPE_NAMES: Record<string, string> = { array: 'a list', object: 'a mapping', integer: 'an integer', number: 'a number', string: 'a string', boolean: 'a boolean' };

function describeBranches(errors: ErrorObject[]): string {
  const forms = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'type') forms.add(TYPE_NAMES[String((e.params as { type: string }).type)] ?? String((e.params as { type: string }).type));
    else if (e.keyword === 'enum') for (const v of (e.params as { allowedValues: unknown[] }).allowedValues) forms.add(JSON.stringify(v));
    else if (e.keyword === 'const') forms.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    else if (e.message) forms.add(e.message);
  }
  return [...forms].join(', ');
}

/** One readable message per offending location; anyOf/oneOf branch noise is collapsed. */
export function summariseErrors(errors: ErrorObject[]): { path: KeyPath; message: string; keyword: string }[] {
  const out: { path: KeyPath; message: string; keyword: string }[] = [];
  // ajv reports the failed branches of an anyOf/oneOf just before the combinator's own error,
  // at the same or a deeper instance path (their schemaPath may point into a $ref'd definition).
  const isCombinator = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';
  const branchesOf = new Map<ErrorObject, ErrorObject[]>();
  const absorbed = new Set<ErrorObject>();
  errors.forEach((e, i) => {
    if (!isCombinator(e)) return;
    const branches: ErrorObject[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const b = errors[j];
      const under = b.instancePath === e.instancePath || b.instancePath.startsWith(e.instancePath + '/');
      if (!under || absorbed.has(b)) break;
      absorbed.add(b);
      if (b.instancePath === e.instancePath) branches.push(b);
    }
    branchesOf.set(e, branches.reverse());
  });
  for (const e of errors) {
    if (absorbed.has(e)) continue;
    const path = pointerToPath(e.instancePath);
    if (isCombinator(e)) {
      const forms = describeBranches(branchesOf.get(e) ?? []);
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} must be ${forms ? `one of: ${forms}` : 'one of the allowed forms'}` });
    } else if (e.keyword === 'required') {
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} is missing the required key "${(e.params as { missingProperty: string }).missingProperty}"` });
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      out.push({ path: [...path, extra], keyword: e.keyword, message: `unknown key "${extra}" in ${showPath(path)}` });
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} must be one of ${allowed}` });
    } else {
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} ${e.message ?? 'is invalid'}` });
    }
  }
  return out;
}

const NUMERIC_TEXT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Whether the schema wants an integer at `path`: a `type: integer` (not number) error there, or a `pattern`
 * that takes "15" but neither "1.5" nor "1e4" (detectron2's schema types yacs int keys so).
 */
function wantsInteger(errors: ErrorObject[], path: readonly (string | number)[]): boolean {
  const at = path.join('/');
  return errors.some((e) => {
    if (pointerToPath(e.instancePath).join('/') !== at) return false;
    if (e.keyword === 'type') {
      const types = ([] as unknown[]).concat((e.params as { type: unknown }).type);
      return types.includes('integer') && !types.includes('number');
    }
    if (e.keyword !== 'pattern') return false;
    try {
      const re = linearRegExp(String((e.params as { pattern: unknown }).pattern), 'u');
      return re.test('15') && !re.test('1.5') && !re.test('1e4');
    } catch {
      return false;
    }
  });
}

/**
 * For a number written so that the loader does not give the key what it wants, say why, as that loader reads
 * it: PyYAML keeps `1e-4` a string (write `1.0e-4`, or the integer for an int key); yacs `literal_eval`s it to
 * a float, which its type check refuses for an int key (write the integer).
 */
function stringNumberHint(
  tree: ConfigNode,
  path: (string | number)[] | readonly (string | number)[],
  keyword: string,
  loader: YamlLoader,
  integer: boolean,
): { text: string; edit?: { range: Range; text: string } } {
  const none = { text: '' };
  if (keyword !== 'type' && keyword !== 'anyOf' && keyword !== 'oneOf' && keyword !== 'pattern') return none;
  const node = getIn(tree, path)?.node;
  if (!node || node.kind !== 'scalar' || typeof node.value !== 'string' || !NUMERIC_TEXT.test(node.value)) return none;
  if (!node.plain) return keyword === 'pattern' ? none : { text: ` (it is the quoted string "${node.value}")` };
  const value = Number(node.source);
  const whole = integer && Number.isSafeInteger(value) ? String(value) : undefined;
  const edit = (text: string) => ({ range: node.range, text });
  if (loader === 'yacs') {
    if (!integer) return none;
    const asFloat = Number.isInteger(value) ? `${value}.0` : String(value);
    const text = ` (yacs literal_evals \`${node.source}\` to the float ${asFloat} and refuses a float for an int key ("Type mismatch"); write ${whole ? `\`${whole}\`` : 'an integer'})`;
    return whole ? { text, edit: edit(whole) } : { text };
  }
  if (keyword === 'pattern') return none;
  const fixed = whole ?? (/^[-+]?\d+[eE]/.test(node.source) ? node.source.replace(/^([-+]?\d+)([eE])([-+]?)/, (_m, d: string, e: string, sign: string) => `${d}.0${e}${sign || '+'}`) : node.source);
  return { text: ` (PyYAML reads \`${node.source}\` as a string; write \`${fixed}\`)`, ...(fixed !== node.source ? { edit: edit(fixed) } : {}) };
}

const YAML11_BOOL = /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/;
const LOADER_NAMES: Record<YamlLoader, string> = { pyyaml: 'PyYAML', pydantic: 'PyYAML', omegaconf: 'OmegaConf', yacs: 'yacs (PyYAML)', text: 'the loader' };

/**
 * For a YAML 1.1 boolean where the schema wants the word as a string (`eval_strategy: no` against the enum
 * "no", "steps", "epoch"), say so: the loader reads `no` as false. The fix quotes the word.
 */
function booleanWordHint(tree: ConfigNode, path: readonly (string | number)[], errors: ErrorObject[], loader: YamlLoader): { text: string; edit?: { range: Range; text: string } } {
  const node = getIn(tree, path)?.node;
  if (!node || node.kind !== 'scalar' || !node.plain || typeof node.value !== 'boolean' || !YAML11_BOOL.test(node.source) || loader === 'text') return { text: '' };
  const at = path.join('/');
  const word = node.source.toLowerCase();
  const wanted = errors.some((e) => {
    if (pointerToPath(e.instancePath).join('/') !== at) return false;
    if (e.keyword === 'enum') return (e.params as { allowedValues: unknown[] }).allowedValues.some((v) => typeof v === 'string' && v.toLowerCase() === word);
    if (e.keyword === 'type') return ([] as unknown[]).concat((e.params as { type: unknown }).type).includes('string');
    return false;
  });
  if (!wanted) return { text: '' };
  return { text: ` (${LOADER_NAMES[loader]} reads \`${node.source}\` as the boolean ${node.value}; write "${node.source}")`, edit: { range: node.range, text: `"${node.source}"` } };
}

export const schema: Rule = {
  meta: {
    id: 'schema',
    defaultSeverity: 'error',
    description: "A value violates a JSON Schema: the dialect's built-in schema or a user schema from `schemas:`.",
    scope: 'file',
  },
  check(ctx) {
    // The framework's config loading rejects these before training (Hydra: a bad override).
    for (const e of ctx.configErrors ?? []) ctx.report({ range: e.range, message: e.message, data: { ...e.data } });
    const own = ctx.file.tree;
    if (own?.kind === 'map') {
      for (const entry of REMOVED_KEYS[ctx.dialectId ?? ''] ?? []) {
        for (const written of own.entries.filter((e) => entry.keys.includes(e.key))) {
          const instead = replacementOf(entry, written.key);
          ctx.report({
            range: written.keyRange,
            message: `${written.key} was removed in ${entry.since}: ${entry.refusal}; rename it to ${instead}`,
            data: { keyPath: [written.key], keyword: 'removed', replacement: instead, since: entry.since },
          });
        }
      }
    }
    const tree = own ?? ctx.schemaTree;
    if (!tree || ctx.schemas.length === 0) return;
    const data = toPlain(tree);
    for (const { name, validate } of ctx.schemas) {
      if (validate(data)) continue;
      for (const problem of summariseErrors(validate.errors ?? [])) {
        const numberHint = stringNumberHint(tree, problem.path, problem.keyword, ctx.yamlLoader, wantsInteger(validate.errors ?? [], problem.path));
        const hint = numberHint.text ? numberHint : booleanWordHint(tree, problem.path, validate.errors ?? [], ctx.yamlLoader);
        ctx.report({
          range: locateNearest(tree, problem.path) ?? ctx.anchor,
          message: `${problem.message}${hint.text} (schema ${name})`,
          data: { schema: name, keyPath: problem.path, keyword: problem.keyword },
          // The number respelled so the loader reads it as the key wants (`--fix`), in this file's own tree.
          ...(hint.edit && tree === own ? { fix: hint.edit.text, edit: hint.edit } : {}),
        });
      }
    }
  },
};
