/**
 * README.md (its GitHub Action section): every workflow example validates against
 * GitHub's workflow schema, and every input and output of action.yml is documented.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const schemaPath = path.join(ROOT, '..', 'shared', 'external-schemas', 'github-workflow.json');
const describeIfSchema = existsSync(schemaPath) ? describe : describe.skip;
const doc = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
const workflows = blocks.filter((b) => b && typeof b === 'object' && 'jobs' in b);

describeIfSchema('README workflow examples', () => {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

  test('there are several, and each validates against github-workflow.json', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(4);
    for (const wf of workflows) expect(validate(wf) ? [] : validate.errors).toEqual([]);
  });

  test('a broken workflow is rejected (the check can fail)', () => {
    expect(validate({ ...workflows[0], jobs: { trainlint: { steps: [] } } })).toBe(false);
  });

  test('the examples pin least privilege and cover merge_group', () => {
    for (const wf of workflows) expect(wf.permissions.contents).toBe('read');
    expect(workflows.some((wf) => JSON.stringify(wf.on).includes('merge_group'))).toBe(true);
    expect(workflows.some((wf) => JSON.stringify(wf.jobs).match(/trainlint@[0-9a-f]{40}/))).toBe(true);
  });
});

test('every action.yml input and output is documented', () => {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) expect(doc).toContain(`| \`${name}\` |`);
});

test('action.yml declares exactly the inputs src/action/inputs.ts reads', () => {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  const source = readFileSync(path.join(ROOT, 'src', 'action', 'inputs.ts'), 'utf8');
  const read = [...source.matchAll(/(?:getInput|oneOf|bool|seconds)\('([a-z-]+)'/g)].map((m) => m[1]);
  expect(read.sort()).toEqual(Object.keys(action.inputs).sort());
});
