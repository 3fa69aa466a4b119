/** action.yml must satisfy GitHub's action metadata schema (from ../shared/external-schemas). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

const schemaPath = path.join(__dirname, '..', '..', 'shared', 'external-schemas', 'github-action.json');
const describeIfSchema = existsSync(schemaPath) ? describe : describe.skip;

describeIfSchema('action.yml', () => {
  const action = parse(readFileSync(path.join(__dirname, '..', 'action.yml'), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

  test('validates against the official schema', () => {
    expect(validate(action) ? [] : validate.errors).toEqual([]);
  });

  test('a broken action.yml is rejected (the check can fail)', () => {
    expect(validate({ ...action, runs: { using: 'node24' } })).toBe(false);
  });

  test('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(path.join(__dirname, '..', 'dist', 'index.js'))).toBe(true);
  });
});
