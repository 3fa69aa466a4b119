import { describe, expect, it } from '@jest/globals';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { compiledSchema } from '../src/engine/compiled-schemas.js';
import { mergeReads, plainFor, schemaReads, WHOLE, type SchemaReads, type ValueReads } from '../src/engine/schema-reads.js';
import { SCHEMA_AJV_OPTIONS, schemaSources } from '../src/engine/schema-sources.js';
import { toPlain, type ConfigNode, type MapEntry, type ScalarValue } from '../src/engine/tree.js';

const AT = { line: 1, column: 1, endLine: 1, endColumn: 2 };
const scalar = (value: ScalarValue): ConfigNode => ({ kind: 'scalar', value, source: String(value), plain: true, range: AT });
const map = (...entries: [string, ConfigNode][]): ConfigNode => ({ kind: 'map', entries: entries.map(([key, value]): MapEntry => ({ key, keyRange: AT, value })), range: AT });
const seq = (...items: ConfigNode[]): ConfigNode => ({ kind: 'seq', items, range: AT });

/** The keys a read names, nested, for readable expectations. */
function shape(reads: SchemaReads): unknown {
  if (reads === WHOLE) return WHOLE;
  const out: Record<string, unknown> = {};
  for (const [key, below] of reads.properties ?? []) out[key] = shape(below);
  if (reads.items !== undefined) out['[]'] = shape(reads.items);
  return out;
}

describe('schemaReads', () => {
  it('names the keys of properties and required, each as deep as its subschema looks', () => {
    const reads = schemaReads({
      type: 'object',
      required: ['model'],
      properties: { lr: { type: 'number', minimum: 0 }, optim: { type: 'object', properties: { betas: { type: 'array', items: { type: 'number' }, minItems: 2 } } } },
    });
    expect(shape(reads)).toEqual({ model: {}, lr: {}, optim: { betas: { '[]': {} } } });
  });

  it.each([
    ['additionalProperties: false', { properties: { a: {} }, additionalProperties: false }],
    ['an additionalProperties schema', { additionalProperties: { type: 'number' } }],
    ['patternProperties', { patternProperties: { '^x': { type: 'number' } } }],
    ['propertyNames', { propertyNames: { maxLength: 3 } }],
    ['minProperties', { minProperties: 1 }],
    ['dependencies', { dependencies: { a: ['b'] } }],
    ['enum', { enum: [{ a: 1 }] }],
    ['const', { const: { a: 1 } }],
    ['uniqueItems', { type: 'array', uniqueItems: true }],
    ['contains', { contains: { type: 'number' } }],
    ['tuple items', { items: [{ type: 'number' }] }],
    ['a keyword it does not know', { discriminator: { propertyName: 'kind' } }],
    ['a reference outside the schema', { $ref: 'other.json#/definitions/x' }],
    ['a reference to nothing', { $ref: '#/definitions/none' }],
    ['a nested $id', { properties: { a: { $id: 'a.json', properties: { b: { $ref: '#/definitions/c' } }, definitions: { c: {} } } } }],
  ])('reads the whole value under %s', (_what, schema) => {
    const reads = schemaReads(schema);
    const whole = reads === WHOLE || [...((reads as ValueReads).properties?.values() ?? [])].includes(WHOLE);
    expect(whole).toBe(true);
  });

  it('leaves a key whole where enum or const is its only check, and its siblings as narrow as before', () => {
    expect(shape(schemaReads({ properties: { mode: { enum: ['a', 'b'] }, lr: { type: 'number' } } }))).toEqual({ mode: WHOLE, lr: {} });
  });

  it('follows references inside the schema, with JSON pointer escapes', () => {
    const schema = {
      definitions: { 'a/b': { properties: { x: { type: 'number' } } }, 'c~d': { properties: { y: {} } } },
      properties: { one: { $ref: '#/definitions/a~1b' }, two: { $ref: '#/definitions/c~0d' }, three: { $ref: '#/definitions/a%2Fb' } },
    };
    expect(shape(schemaReads(schema))).toEqual({ one: { x: {} }, two: { y: {} }, three: { x: {} } });
  });

  it('reads a recursive reference whole where it recurs', () => {
    const schema = { definitions: { node: { properties: { name: { type: 'string' }, child: { $ref: '#/definitions/node' } } } }, properties: { root: { $ref: '#/definitions/node' } } };
    expect(shape(schemaReads(schema))).toEqual({ root: { name: {}, child: WHOLE } });
    expect(shape(schemaReads({ properties: { again: { $ref: '#' } } }))).toEqual({ again: WHOLE });
  });

  it('joins what every branch of anyOf, oneOf, allOf, not and if/then/else reads', () => {
    const schema = {
      anyOf: [{ properties: { a: {} } }, { properties: { b: { properties: { c: {} } } } }],
      oneOf: [{ properties: { b: { properties: { d: {} } } } }],
      allOf: [{ required: ['e'] }],
      not: { properties: { f: {} } },
      if: { properties: { g: {} } },
      then: { properties: { h: {} } },
      else: { properties: { i: { items: { properties: { j: {} } } } } },
    };
    expect(shape(schemaReads(schema))).toEqual({ a: {}, b: { c: {}, d: {} }, e: {}, f: {}, g: {}, h: {}, i: { '[]': { j: {} } } });
  });

  it('reads no more than a value for boolean schemas and annotations', () => {
    expect(shape(schemaReads({ properties: { a: true, b: false }, title: 't', description: 'd', default: { x: 1 }, examples: [{}], $comment: 'c', errorMessage: 'e' }))).toEqual({ a: {}, b: {} });
    expect(schemaReads(true)).toEqual({});
  });

  it('merges reads key by key', () => {
    const a = schemaReads({ properties: { x: { properties: { y: {} } } } });
    const b = schemaReads({ properties: { x: { properties: { z: {} } }, w: { enum: [1] } } });
    expect(shape(mergeReads(a, b))).toEqual({ x: { y: {}, z: {} }, w: WHOLE });
    expect(mergeReads(a, WHOLE)).toBe(WHOLE);
  });
});

describe('plainFor', () => {
  it('copies only the keys read, the last of duplicates, __proto__ as data, every item of a sequence', () => {
    const tree = map(['lr', scalar(1)], ['other', map(['deep', scalar(2)])], ['lr', scalar(3)], ['__proto__', scalar('p')], ['list', seq(map(['k', scalar(1)], ['no', scalar(0)]), scalar(2))]);
    const reads = schemaReads({ properties: { lr: {}, ['__proto__']: {}, list: { items: { properties: { k: {} } } } } });
    const plain = plainFor(tree, reads) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBeNull();
    expect(Object.keys(plain).sort()).toEqual(['__proto__', 'list', 'lr']);
    expect(plain.lr).toBe(3);
    expect(plain['__proto__']).toBe('p');
    expect(JSON.parse(JSON.stringify(plain.list))).toEqual([{ k: 1 }, 2]);
    expect(plainFor(tree, WHOLE)).toEqual(toPlain(tree));
  });

  it('keeps a mapping or sequence the schema does not look into as its kind', () => {
    const tree = map(['a', map(['b', scalar(1)])], ['c', seq(scalar(1), scalar(2))]);
    const plain = plainFor(tree, schemaReads({ properties: { a: { type: 'object' }, c: { type: 'array', maxItems: 1 } } })) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(plain))).toEqual({ a: {}, c: [1, 2] });
  });
});

// Differential: for every built-in schema and for schemas that use each keyword the analysis
// knows, a validator given plainFor's data says exactly what it says given the whole copy.

/** Every property name anywhere in a schema, so that generated configs hit the keys it checks. */
function namesIn(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) namesIn(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if ((k === 'properties' || k === 'definitions' || k === '$defs') && v && typeof v === 'object') for (const name of Object.keys(v)) out.add(name);
      if (k === 'required' && Array.isArray(v)) for (const name of v) out.add(String(name));
      namesIn(v, out);
    }
  }
  return out;
}

function trees(names: string[]): fc.Arbitrary<ConfigNode> {
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom('unknown_key', 'x', '__proto__', 'constructor') });
  const leaf = fc.oneof(
    fc.integer({ min: -3, max: 5000 }).map(scalar),
    fc.constantFrom(0.5, 2e-5, -1, 1.5, 1e9).map(scalar),
    fc.constantFrom('1e-4', '8', '${LR}', 'cosine', 'bf16', 'auto', '', 'fp16', 'no', 'steps', '0.1', '-1').map(scalar),
    fc.constantFrom(true, false, null).map(scalar),
  );
  const { node } = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('map'), tie('seq')),
    map: fc.array(fc.tuple(key, tie('node')), { maxLength: 8 }).map((entries) => map(...(entries as [string, ConfigNode][]))),
    seq: fc.array(tie('node'), { maxLength: 3 }).map((items) => seq(...(items as ConfigNode[]))),
  }));
  // A root mapping with the schema's own keys at the top, as configs have.
  return fc.array(fc.tuple(key, node), { minLength: 1, maxLength: 20 }).map((entries) => map(...(entries as [string, ConfigNode][])));
}

function sameVerdict(validate: ValidateFunction, tree: ConfigNode): void {
  const whole = validate(toPlain(tree));
  const wholeErrors = structuredClone(validate.errors ?? []);
  const reads = schemaReads(validate.schema);
  const narrow = validate(plainFor(tree, reads));
  expect(narrow).toBe(whole);
  expect(validate.errors ?? []).toEqual(wholeErrors);
}

describe('a validator given what its schema reads says what it says given everything', () => {
  const builtins = [...schemaSources()].filter(([, source]) => source.profile === 'schema').map(([key]) => key);

  it('covers every built-in schema', () => {
    expect(builtins.length).toBeGreaterThanOrEqual(20);
    // The analysis does not give up on them: each names a key or two instead of the whole config.
    for (const key of builtins) expect(schemaReads(compiledSchema(key)!.schema)).not.toBe(WHOLE);
  });

  it.each(builtins)('%s', (key) => {
    const validate = compiledSchema(key)!;
    const names = [...namesIn(validate.schema)];
    fc.assert(fc.property(trees(names), (tree) => sameVerdict(validate, tree)), { numRuns: 150, seed: 7 });
  });

  it('schemas that use each keyword', () => {
    const ajv = new Ajv(SCHEMA_AJV_OPTIONS);
    const schemas = [
      { type: 'object', required: ['lr', 'steps'], properties: { lr: { type: 'number', exclusiveMinimum: 0 }, steps: { type: 'integer', minimum: 1 }, name: { type: 'string', pattern: '^[a-z]+$', maxLength: 6 } } },
      { properties: { sched: { anyOf: [{ type: 'string', enum: ['cosine', 'linear'] }, { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }] } } },
      { if: { required: ['warmup'], properties: { warmup: true } }, then: { properties: { warmup: { type: 'integer' } } }, else: { properties: { lr: { not: { type: 'string' } } } } },
      { properties: { list: { type: 'array', minItems: 1, maxItems: 2, items: { oneOf: [{ type: 'number', multipleOf: 0.5 }, { type: 'object', properties: { lr: { maximum: 1 } } }] } } } },
      { definitions: { pos: { type: 'integer', minimum: 1 } }, properties: { steps: { $ref: '#/definitions/pos' }, nested: { properties: { steps: { $ref: '#/definitions/pos' } } } } },
      { properties: { nested: { additionalProperties: false, properties: { lr: {} } }, x: { const: 1 } } },
      { allOf: [{ properties: { lr: { type: 'number' } } }, { properties: { lr: { minimum: 0 }, x: true }, required: ['x'] }] },
    ];
    for (const schema of schemas) {
      const validate = ajv.compile(schema);
      fc.assert(fc.property(trees([...namesIn(schema), 'warmup', 'name']), (tree) => sameVerdict(validate, tree)), { numRuns: 300, seed: 11 });
    }
  });
});
