/**
 * What part of a config a JSON Schema looks at, so that the schema rule hands a validator plain
 * data holding only that part instead of a plain copy of the whole tree.
 *
 * Most schemas trainlint validates against are open (unknown keys allowed): they type a few dozen
 * keys of configs that have hundreds. A validator compiled by ajv reads an object's keys only
 * through `properties` and `required` when no keyword about all of its keys (`additionalProperties`,
 * `patternProperties`, `propertyNames`, `minProperties`, …) applies there, so a copy that keeps
 * those keys, each as deep as their own subschemas look, is validated exactly as the whole copy is:
 * same result, same errors in the same order (a keyword's errors follow the schema's order, not
 * the data's). Anything this module does not know to be so makes it copy that value whole:
 * `enum`, `const`, keywords about all keys or all items beyond their count, references outside the
 * schema or in a cycle, a nested `$id`, and every keyword it does not list.
 */
import { mapGet, toPlain, type ConfigNode, type ScalarNode } from './tree.js';

/** The value and everything below it, as `toPlain` copies it. */
export const WHOLE = 'whole';

/**
 * What of a value a schema reads: for a mapping, the keys in `properties` (each with what is read
 * below it; a key not listed is never read), for a sequence, every item with `items`. The value's
 * own kind and, for a scalar, its value are always read.
 */
export interface ValueReads {
  properties?: ReadonlyMap<string, SchemaReads>;
  items?: SchemaReads;
}

export type SchemaReads = typeof WHOLE | ValueReads;

/** The kind of a value and a scalar's value: what `type`, `pattern` or `minimum` need. */
const KIND_ONLY: ValueReads = Object.freeze({});

/** Keywords that validate nothing (ajv's annotations, and `errorMessage`, declared as one). */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'definitions', '$defs', 'errorMessage']);

/** Keywords that read a value itself only: a scalar's value, or the kind of a mapping or sequence. */
const VALUE_ONLY = new Set(['type', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']);

/** Keywords about a sequence's length, which every copy keeps. */
const LENGTH_ONLY = new Set(['minItems', 'maxItems']);

/** Keywords whose subschemas apply to the same value. */
const SAME_VALUE_ONE = ['not', 'if', 'then', 'else'];
const SAME_VALUE_MANY = ['allOf', 'anyOf', 'oneOf'];

const analysed = new WeakMap<object, SchemaReads>();

/** What `schema` (a root schema, as ajv compiled it) reads of a value; cached per schema object. */
export function schemaReads(schema: unknown): SchemaReads {
  if (typeof schema !== 'object' || schema === null) return typeof schema === 'boolean' ? KIND_ONLY : WHOLE;
  let reads = analysed.get(schema);
  if (reads === undefined) {
    reads = readsOf(schema, schema, new Set(['#']), true);
    analysed.set(schema, reads);
  }
  return reads;
}

/**
 * A `properties` map as arrays, made once per map: its keys (the schema's own strings, which the
 * copy's objects are keyed by) and what is read below each, and each key's position. Read in a
 * counted loop, without an iterator or an entry array per key of every copied mapping.
 */
interface PropertyList {
  keys: string[];
  below: SchemaReads[];
  slot: Map<string, number>;
}

const propertyLists = new WeakMap<ReadonlyMap<string, SchemaReads>, PropertyList>();

function propertyList(wanted: ReadonlyMap<string, SchemaReads>): PropertyList {
  let list = propertyLists.get(wanted);
  if (list === undefined) {
    const keys: string[] = [];
    const below: SchemaReads[] = [];
    const slot = new Map<string, number>();
    for (const [key, reads] of wanted) {
      slot.set(key, keys.length);
      keys.push(key);
      below.push(reads);
    }
    list = { keys, below, slot };
    propertyLists.set(wanted, list);
  }
  return list;
}

/**
 * The plain data `schema` needs of `node`: null-prototype objects, last duplicate wins, as
 * `toPlain` gives, restricted to what `reads` names.
 */
export function plainFor(node: ConfigNode, reads: SchemaReads, scalar?: (node: ScalarNode) => unknown): unknown {
  if (reads === WHOLE) return toPlain(node, scalar);
  switch (node.kind) {
    case 'scalar':
      return scalar ? scalar(node) : node.value;
    case 'seq': {
      const each = reads.items ?? KIND_ONLY;
      const items = node.items;
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        // A scalar as `plainFor` (and `toPlain`) would give it, whatever is read below it: without a call.
        out.push(item.kind === 'scalar' ? (scalar ? scalar(item) : item.value) : plainFor(item, each, scalar));
      }
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = Object.create(null);
      const wanted = reads.properties;
      if (!wanted) return out;
      const { keys, below, slot } = propertyList(wanted);
      const entries = node.entries;
      if (keys.length < entries.length) {
        // The schema's keys looked up (a large mapping is indexed once, tree.ts): the object's keys
        // then come in the schema's order, which no keyword read here depends on.
        for (let i = 0; i < keys.length; i++) {
          const entry = mapGet(node, keys[i]);
          if (entry) {
            const value = entry.value;
            out[keys[i]] = value.kind === 'scalar' ? (scalar ? scalar(value) : value.value) : plainFor(value, below[i], scalar);
          }
        }
      } else {
        // Stored under the schema's string for the key (the same text): the file's own key strings
        // would each be looked up in V8's string table first.
        for (let i = 0; i < entries.length; i++) {
          const entry = entries[i];
          const at = slot.get(entry.key);
          if (at === undefined) continue;
          const value = entry.value;
          out[keys[at]] = value.kind === 'scalar' ? (scalar ? scalar(value) : value.value) : plainFor(value, below[at], scalar);
        }
      }
      return out;
    }
  }
}

/** Both reads together. */
export function mergeReads(a: SchemaReads, b: SchemaReads): SchemaReads {
  if (a === WHOLE || b === WHOLE) return WHOLE;
  if (a === KIND_ONLY) return b;
  if (b === KIND_ONLY) return a;
  let properties: Map<string, SchemaReads> | undefined;
  if (a.properties || b.properties) {
    properties = new Map(a.properties);
    for (const [key, below] of b.properties ?? []) {
      const known = properties.get(key);
      properties.set(key, known === undefined ? below : mergeReads(known, below));
    }
  }
  const items = a.items === undefined ? b.items : b.items === undefined ? a.items : mergeReads(a.items, b.items);
  return { ...(properties ? { properties } : {}), ...(items !== undefined ? { items } : {}) };
}

function readsOf(schema: unknown, root: object, resolving: Set<string>, atRoot: boolean): SchemaReads {
  if (typeof schema === 'boolean') return KIND_ONLY;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return WHOLE;
  // A nested resource resolves its references against its own `$id`: not followed here.
  if (!atRoot && '$id' in schema) return WHOLE;
  let reads: SchemaReads = KIND_ONLY;
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword) || VALUE_ONLY.has(keyword) || LENGTH_ONLY.has(keyword)) continue;
    let more: SchemaReads;
    if (keyword === 'properties') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return WHOLE;
      const properties = new Map<string, SchemaReads>();
      for (const [key, sub] of Object.entries(value)) properties.set(key, readsOf(sub, root, resolving, false));
      more = { properties };
    } else if (keyword === 'required') {
      if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) return WHOLE;
      more = { properties: new Map(value.map((k: string) => [k, KIND_ONLY])) };
    } else if (keyword === 'items') {
      // The array form (a tuple) reads items by position and, with additionalItems, the rest.
      if (Array.isArray(value)) return WHOLE;
      more = { items: readsOf(value, root, resolving, false) };
    } else if (keyword === 'additionalProperties' && value === true) {
      continue;
    } else if (SAME_VALUE_ONE.includes(keyword)) {
      more = readsOf(value, root, resolving, false);
    } else if (SAME_VALUE_MANY.includes(keyword)) {
      if (!Array.isArray(value)) return WHOLE;
      more = KIND_ONLY;
      for (const sub of value) more = mergeReads(more, readsOf(sub, root, resolving, false));
    } else if (keyword === '$ref') {
      more = referenced(value, root, resolving);
    } else {
      return WHOLE;
    }
    reads = mergeReads(reads, more);
    if (reads === WHOLE) return WHOLE;
  }
  return reads;
}

/** A reference inside the schema (`#` or `#/json/pointer`); anything else, or a cycle, is WHOLE. */
function referenced(ref: unknown, root: object, resolving: Set<string>): SchemaReads {
  if (typeof ref !== 'string' || !ref.startsWith('#') || resolving.has(ref)) return WHOLE;
  let target: unknown = root;
  if (ref !== '#') {
    if (!ref.startsWith('#/')) return WHOLE;
    for (const raw of ref.slice(2).split('/')) {
      let token: string;
      try {
        token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      } catch {
        return WHOLE;
      }
      if (typeof target !== 'object' || target === null || !Object.prototype.hasOwnProperty.call(target, token)) return WHOLE;
      target = (target as Record<string, unknown>)[token];
    }
  }
  resolving.add(ref);
  try {
    return readsOf(target, root, resolving, target === root);
  } finally {
    resolving.delete(ref);
  }
}
