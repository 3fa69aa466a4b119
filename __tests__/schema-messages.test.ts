import Ajv from 'ajv';

import { SCHEMA_AJV_OPTIONS } from '../src/engine/schema-sources.js';
import { summariseErrors } from '../src/rules/schema.js';

/** The schema rule's messages for one document against one schema (errorMessage is an annotation in SCHEMA_AJV_OPTIONS). */
function messages(schema: object, data: unknown): string[] {
  const ajv = new Ajv(SCHEMA_AJV_OPTIONS);
  const validate = ajv.compile(schema);
  expect(validate(data)).toBe(false);
  return summariseErrors(validate.errors ?? [], validate.schema).map((e) => e.message);
}

describe('schema rule: a failed pattern in the schema’s own words', () => {
  const LONG = '^v[0-9]+\\.[0-9]+\\.[0-9]+(?:-(?:alpha|beta|rc)\\.[0-9]+)?$';

  it('uses errorMessage (a string, or {pattern: …}) as the message', () => {
    expect(messages({ type: 'object', properties: { a: { type: 'string', pattern: '^x$', errorMessage: 'must be x' } } }, { a: 'y' })).toEqual(['a must be x']);
    expect(messages({ type: 'object', properties: { a: { type: 'string', pattern: '^x$', errorMessage: { pattern: 'must be the letter x.' } } } }, { a: 'y' })).toEqual(['a must be the letter x']);
  });

  it('uses a description (first sentence) as what the value must be, through $ref and inside anyOf', () => {
    const schema = {
      $defs: { url: { description: 'A bucket URL. Anything else is refused.', type: 'string', pattern: '^gs://' } },
      type: 'object',
      properties: { out: { $ref: '#/$defs/url' }, ckpt: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/url' }] } },
    };
    expect(messages(schema, { out: '/tmp', ckpt: 'ftp://x' })).toEqual(['out must be a bucket URL', 'ckpt must be one of: null, a bucket URL']);
  });

  it('without words, shows the pattern quoted and shortened to 40 characters', () => {
    const [m] = messages({ type: 'object', properties: { tag: { type: 'string', pattern: LONG } } }, { tag: 'release' });
    expect(m).toBe(`tag must match the pattern "${LONG.slice(0, 39)}…"`);
    expect(m).not.toContain('rc');
  });

  it('shows a short pattern whole, and the pattern when the schema is not known', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', pattern: '^x$', description: 'The letter x.' } } };
    const ajv = new Ajv(SCHEMA_AJV_OPTIONS);
    const validate = ajv.compile(schema);
    validate({ a: 'y' });
    expect(summariseErrors(validate.errors ?? []).map((e) => e.message)).toEqual(['a must match the pattern "^x$"']);
  });

  it('treats a property’s own description as a note on the key, not as what the pattern means', () => {
    const schema = { type: 'object', properties: { lr: { description: 'Peak learning rate.', type: ['number', 'string'], pattern: '^[0-9.]+$' } } };
    expect(messages(schema, { lr: 'fast' })).toEqual(['lr must match the pattern "^[0-9.]+$" (Peak learning rate)']);
  });

  it('says "a number" / "a whole number" for patterns that accept numbers written as text, by what they match', () => {
    const NUMBER = '^\\s*[-+]?(\\d[\\d_]*\\.?[\\d_]*|\\.\\d[\\d_]*)([eE][-+]?\\d+)?\\s*$';
    const schema = {
      type: 'object',
      properties: {
        lr: { description: 'Peak learning rate.', type: ['number', 'string'], pattern: NUMBER },
        steps: { type: ['integer', 'string'], pattern: '^[-+]?[0-9]+$' },
        iters: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\+?[0-9_]*[1-9][0-9_]*$' }] },
        eps: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[-+]?[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$' }] },
      },
    };
    expect(messages(schema, { lr: 'fast', steps: '1.5', iters: 'x', eps: 'small' })).toEqual([
      'lr must be a number',
      'steps must be a whole number',
      // It does not accept 0: no inference, the pattern as written.
      'iters must be one of: an integer, text matching the pattern "^\\+?[0-9_]*[1-9][0-9_]*$"',
      'eps must be one of: null, a number',
    ]);
  });

  it('does not borrow words when two uses of one pattern say different things', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'string', pattern: '^x', description: 'First meaning.' },
        b: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^x', description: 'Second meaning.' }] },
      },
    };
    // Its own sub-schema's words when ajv's schemaPath leads there.
    expect(messages(schema, { a: 'y', b: 'y' })).toEqual(['a must match the pattern "^x" (First meaning)', 'b must be one of: an integer, second meaning']);
  });
});

describe('schema rule: if/then/else wrappers', () => {
  const schema = {
    type: 'object',
    if: { properties: { gui: { type: 'number' } }, required: ['gui'] },
    then: { properties: { precision: { enum: ['fp16', 'bf16'] } } },
    else: { properties: { warmup: { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^[0-9]+%?$', description: 'a count or a share with %' }] } } },
  };

  it('reports what the branch found, not the "must match else schema" wrapper as well', () => {
    expect(messages(schema, { warmup: 'five' })).toEqual(['warmup must be one of: a number, a count or a share with %']);
    expect(messages(schema, { gui: 1, precision: 'fp8' })).toEqual(['precision must be one of "fp16", "bf16"']);
  });

  it('keeps the wrapper when it is the only error', () => {
    const ajv = new Ajv(SCHEMA_AJV_OPTIONS);
    const validate = ajv.compile(schema);
    validate({ warmup: 'five' });
    const onlyWrapper = (validate.errors ?? []).filter((e) => e.keyword === 'if');
    expect(onlyWrapper).toHaveLength(1);
    expect(summariseErrors(onlyWrapper).map((e) => e.message)).toEqual(['(root) must match "else" schema']);
  });
});
