import type { ErrorObject } from 'ajv';
import { plainFor, schemaReads, WHOLE } from '../engine/schema-reads.js';
import { omegaConfScalar, typesAsOmegaConf } from '../engine/omegaconf-typing.js';
import { OMEGACONF_FLOAT } from '../engine/hydra/overrides.js';
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

/** Patterns longer than this are shortened in messages. */
const PATTERN_CHARS = 40;

/** The sub-schema at a JSON pointer (`#/$defs/x/pattern` → the `$defs.x` object when `up` is 1). */
function schemaAt(root: unknown, schemaPath: string, up: number): Record<string, unknown> | undefined {
  if (!schemaPath.startsWith('#')) return undefined;
  const parts = pointerToPath(schemaPath.slice(1));
  let node: unknown = root;
  for (const part of parts.slice(0, parts.length - up)) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/** A message (`must …`), a form (`an OmegaConf interpolation`), or a note on the key shown after the pattern. */
type Meaning = { message?: string; noun?: string; note?: string };

/**
 * A sub-schema is a form of value (its description says what the pattern means) when it is a
 * branch of anyOf/oneOf/allOf or a reusable definition; a property's own description is about the
 * key, not the pattern (`"Learning rate"`), so it is only a note.
 */
function isForm(parts: readonly (string | number)[]): boolean {
  const last = String(parts.at(-1) ?? '');
  const parent = String(parts.at(-2) ?? '');
  return /^\d+$/.test(last) || parent === 'definitions' || parent === '$defs';
}

/** A sub-schema's own words for what its pattern means: `errorMessage` (ajv-errors style), `description` or `title`. */
function ownMeaning(owner: Record<string, unknown>, form: boolean): Meaning {
  const own = owner.errorMessage;
  const message = typeof own === 'string' ? own : own && typeof own === 'object' && typeof (own as Record<string, unknown>).pattern === 'string' ? ((own as Record<string, unknown>).pattern as string) : undefined;
  if (message) return { message: firstSentence(message) };
  const words = typeof owner.description === 'string' ? owner.description : typeof owner.title === 'string' ? owner.title : undefined;
  if (!words?.trim()) return {};
  const text = firstSentence(words);
  // "Must be …" reads as a message; a form's words ("An OmegaConf interpolation…") as what the value must be.
  if (/^(?:must|should)\b/i.test(text)) return { message: text };
  return form ? { noun: text.charAt(0).toLowerCase() + text.slice(1) } : { note: text };
}

/**
 * Pattern → what it means, for every `pattern` in a schema that says the same thing wherever it is
 * used (ajv's `schemaPath` is relative to an inlined `$ref`, so it cannot always be followed).
 */
const meaningsOf = new WeakMap<object, Map<string, Meaning | null>>();

function patternMeanings(root: object): Map<string, Meaning | null> {
  let found = meaningsOf.get(root);
  if (found) return found;
  const out = new Map<string, Meaning | null>();
  const seen = new Set<object>();
  const walk = (node: unknown, parts: string[]): void => {
    if (!node || typeof node !== 'object' || seen.has(node) || parts.length > 64) return;
    seen.add(node);
    const o = node as Record<string, unknown>;
    if (typeof o.pattern === 'string') {
      const m = ownMeaning(o, isForm(parts));
      const key = m.message ?? m.noun ?? m.note;
      const before = out.get(o.pattern);
      // One meaning for every use of the pattern, or none (null) when two uses disagree.
      if (before === undefined) out.set(o.pattern, key ? m : null);
      else if (before && (before.message ?? before.noun ?? before.note) !== key) out.set(o.pattern, null);
    }
    for (const [k, v] of Object.entries(o)) walk(v, [...parts, k]);
  };
  walk(root, []);
  found = out;
  meaningsOf.set(root, found);
  return found;
}

/** What a failed `pattern` error means in the schema's own words, when it says. */
function patternMeaning(e: ErrorObject, root: unknown): Meaning {
  const pattern = String((e.params as { pattern: string }).pattern);
  let said: Meaning = {};
  if (root && typeof root === 'object') {
    const owner = schemaAt(root, e.schemaPath, 1);
    const own = owner && owner.pattern === pattern ? ownMeaning(owner, isForm(pointerToPath(e.schemaPath.slice(1)).slice(0, -1))) : {};
    said = own.message || own.noun || own.note ? own : (patternMeanings(root).get(pattern) ?? {});
  }
  if (said.message || said.noun) return said;
  // A number written as text: said so, whatever the regex looks like.
  const noun = numericForm(pattern);
  return noun ? { noun } : said;
}

/**
 * What a pattern accepts when it is one of the usual "a number as text" patterns, found by what it
 * matches (not by how it is written): "a whole number" or "a number". Short probes, run by the
 * linear-time engine the schemas use.
 */
const NUMERIC_PROBES = {
  integer: { accept: ['0', '1', '10', '250', '-1'], reject: ['', 'x', '1x', '0.5', '1e-4'] },
  number: { accept: ['0', '1', '10', '0.5', '-1', '1e-4', '2.5E3'], reject: ['', 'x', '1x', 'one'] },
};
const numericForms = new Map<string, string | undefined>();

function numericForm(pattern: string): string | undefined {
  if (numericForms.has(pattern)) return numericForms.get(pattern);
  let form: string | undefined;
  try {
    const re = linearRegExp(pattern, 'u');
    const fits = (p: { accept: string[]; reject: string[] }) => p.accept.every((s) => re.test(s)) && !p.reject.some((s) => re.test(s));
    form = fits(NUMERIC_PROBES.integer) ? 'a whole number' : fits(NUMERIC_PROBES.number) ? 'a number' : undefined;
  } catch {
    form = undefined;
  }
  if (numericForms.size < 1024) numericForms.set(pattern, form);
  return form;
}

/** The first sentence of schema prose, at most 160 characters, without its final period. */
function firstSentence(text: string): string {
  const t = text.trim().split(/(?<=[.!?])\s/)[0].replace(/\.$/, '');
  return t.length > 160 ? `${t.slice(0, 159)}…` : t;
}

/** A pattern in a message: quoted, and shortened past PATTERN_CHARS. */
function quotedPattern(pattern: string): string {
  return `"${pattern.length > PATTERN_CHARS ? `${pattern.slice(0, PATTERN_CHARS - 1)}…` : pattern}"`;
}

/** What a failed pattern asks for, as one of the allowed forms. */
function patternForm(e: ErrorObject, root: unknown): string {
  const meaning = patternMeaning(e, root);
  if (meaning.noun) return meaning.noun;
  if (meaning.message) return meaning.message.replace(/^(?:must|should)\s+(?:be\s+)?/i, '');
  return `text matching the pattern ${quotedPattern(String((e.params as { pattern: string }).pattern))}${meaning.note ? ` (${meaning.note})` : ''}`;
}

function describeBranches(errors: ErrorObject[], root: unknown): string {
  const forms = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'type') forms.add(TYPE_NAMES[String((e.params as { type: string }).type)] ?? String((e.params as { type: string }).type));
    else if (e.keyword === 'enum') for (const v of (e.params as { allowedValues: unknown[] }).allowedValues) forms.add(JSON.stringify(v));
    else if (e.keyword === 'const') forms.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    else if (e.keyword === 'pattern') forms.add(patternForm(e, root));
    else if (e.message) forms.add(e.message);
  }
  return [...forms].join(', ');
}

/**
 * One readable message per offending location; anyOf/oneOf branch noise is collapsed. `root` is
 * the schema (when known): a failed `pattern` is said in the schema's own words (`errorMessage`,
 * `description`, `title` of the sub-schema that holds it), else shown quoted and shortened.
 */
export function summariseErrors(errors: ErrorObject[], root?: unknown): { path: KeyPath; message: string; keyword: string }[] {
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
  // An `if` error ("must match "else" schema") only wraps the failures of its branch, reported
  // before it: keep it only when the branch said nothing of its own.
  const branchSaid = (e: ErrorObject) => {
    const base = e.schemaPath.endsWith('/if') ? e.schemaPath.slice(0, -'/if'.length) : undefined;
    return base !== undefined && errors.some((o) => o !== e && (o.schemaPath.startsWith(`${base}/then/`) || o.schemaPath.startsWith(`${base}/else/`)));
  };
  for (const e of errors) {
    if (absorbed.has(e)) continue;
    if (e.keyword === 'if' && branchSaid(e)) continue;
    const path = pointerToPath(e.instancePath);
    if (isCombinator(e)) {
      const forms = describeBranches(branchesOf.get(e) ?? [], root);
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} must be ${forms ? `one of: ${forms}` : 'one of the allowed forms'}` });
    } else if (e.keyword === 'required') {
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} is missing the required key "${(e.params as { missingProperty: string }).missingProperty}"` });
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      out.push({ path: [...path, extra], keyword: e.keyword, message: `unknown key "${extra}" in ${showPath(path)}` });
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} must be one of ${allowed}` });
    } else if (e.keyword === 'pattern') {
      const meaning = patternMeaning(e, root);
      const quoted = `must match the pattern ${quotedPattern(String((e.params as { pattern: string }).pattern))}${meaning.note ? ` (${meaning.note})` : ''}`;
      const said = meaning.message ?? (meaning.noun ? `must be ${meaning.noun}` : quoted);
      out.push({ path, keyword: e.keyword, message: `${showPath(path)} ${said}` });
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
 * a float, which its type check refuses for an int key (write the integer); a converting loader (pydantic,
 * argparse `type=` under TrlParser) makes it the float a float key wants (`skip`: no finding) and refuses it
 * for an int key. An assumed loader (RuleContext.yamlLoaderAssumed) is named.
 */
function stringNumberHint(
  tree: ConfigNode,
  path: (string | number)[] | readonly (string | number)[],
  keyword: string,
  loader: YamlLoader,
  integer: boolean,
  named: { name?: string; assumed?: string } = {},
): { text: string; edit?: { range: Range; text: string }; skip?: boolean } {
  const none = { text: '' };
  if (keyword !== 'type' && keyword !== 'anyOf' && keyword !== 'oneOf' && keyword !== 'pattern') return none;
  const node = getIn(tree, path)?.node;
  if (!node || node.kind !== 'scalar' || typeof node.value !== 'string' || !NUMERIC_TEXT.test(node.value)) return none;
  if (!node.plain) {
    if (keyword === 'pattern') return none;
    return { text: node.tag ? ` (its \`${node.tag}\` tag makes it the string "${node.value}": remove the tag)` : ` (it is the quoted string "${node.value}")` };
  }
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
  const assumed = named.assumed ? `; ${named.assumed}` : '';
  if (loader === 'omegaconf' && OMEGACONF_FLOAT.test(node.source)) {
    // OmegaConf reads `1e4`, `1.5e0` as floats: the error is a float where the config's typed field wants an int.
    if (!integer) return none;
    const asFloat = Number.isInteger(value) ? `${value}.0` : String(value);
    const text = ` (OmegaConf reads \`${node.source}\` as the float ${asFloat}, which an int field refuses; write ${whole ? `\`${whole}\`` : 'an integer'}${assumed})`;
    return whole ? { text, edit: edit(whole) } : { text };
  }
  if (loader === 'pydantic') {
    if (!integer) return { text: '', skip: true };
    const text = ` (${named.name ?? 'the loader'} refuses the string "${node.source}" for an int key; write ${whole ? `\`${whole}\`` : 'an integer'}${assumed})`;
    return whole ? { text, edit: edit(whole) } : { text };
  }
  const fixed = whole ?? (/^[-+]?\d+[eE]/.test(node.source) ? node.source.replace(/^([-+]?\d+)([eE])([-+]?)/, (_m, d: string, e: string, sign: string) => `${d}.0${e}${sign || '+'}`) : node.source);
  return { text: ` (PyYAML reads \`${node.source}\` as a string; write \`${fixed}\`${assumed})`, ...(fixed !== node.source ? { edit: edit(fixed) } : {}) };
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

/** Whether the value at `path` is a scalar written with one of `tags`. */
function taggedWith(tree: ConfigNode, path: readonly (string | number)[], tags: ReadonlySet<string>): boolean {
  const node = getIn(tree, path)?.node;
  return node?.kind === 'scalar' && node.tag !== undefined && tags.has(node.tag);
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
    const configErrors = ctx.configErrors;
    if (configErrors) for (const e of configErrors) ctx.report({ range: e.range, message: e.message, data: { ...e.data } });
    const own = ctx.file.tree;
    // No empty array per file: most dialects have no removed key to look for.
    const removed = REMOVED_KEYS[ctx.dialectId ?? ''];
    if (removed && own?.kind === 'map') {
      for (const entry of removed) {
        for (const written of own.entries) {
          if (!entry.keys.includes(written.key)) continue;
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
    // Each validator is given the part of the tree its schema reads (engine/schema-reads.ts).
    let whole: unknown;
    for (const { name, validate } of ctx.schemas) {
      const reads = schemaReads(validate.schema);
      // The config as its framework's loader types it (OmegaConf: a plain `2e4` is a float; schemas.ts).
      const scalar = typesAsOmegaConf(validate) ? omegaConfScalar : undefined;
      const data = reads === WHOLE ? (scalar ? toPlain(tree, scalar) : (whole ??= toPlain(tree))) : plainFor(tree, reads, scalar);
      if (validate(data)) continue;
      for (const problem of summariseErrors(validate.errors ?? [], validate.schema)) {
        const named = { name: ctx.yamlParser?.name ?? ctx.yamlLoaderName, assumed: ctx.yamlParser?.assumed };
        const numberHint = stringNumberHint(tree, problem.path, problem.keyword, ctx.yamlLoader, wantsInteger(validate.errors ?? [], problem.path), named);
        if (numberHint.skip) continue;
        // The framework's loader stops at this value's tag: a parse-error says so, once.
        if (ctx.unconstructedTags && taggedWith(tree, problem.path, ctx.unconstructedTags)) continue;
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
