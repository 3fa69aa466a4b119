/**
 * README.md (its GitHub Action section): every workflow example validates against
 * GitHub's workflow schema (GitHub's own parser, @actions/workflow-parser), and every input
 * and output of action.yml is documented.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { githubErrors } from '../helpers/external-schemas';

const ROOT = path.join(__dirname, '..', '..');
const doc = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const texts = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const workflowTexts = texts.filter((t) => {
  const b = parse(t);
  return b && typeof b === 'object' && 'jobs' in b;
});
const workflows = workflowTexts.map((t) => parse(t));

describe('README workflow examples', () => {
  const broken = stringify({ ...workflows[0], jobs: { trainlint: { steps: [] } } });
  const errors = githubErrors([...workflowTexts, broken].map((content, i) => ({ kind: 'workflow', name: `readme-${i}.yml`, content })));

  test('there are several, and each validates against GitHub\'s workflow schema', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(4);
    expect(errors.slice(0, -1)).toEqual(workflows.map(() => []));
  });

  test('a broken workflow is rejected (the check can fail)', () => {
    expect(errors.at(-1)!.join('\n')).toMatch(/runs-on/);
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
  const read = [...source.matchAll(/(?:getInput|oneOf|bool)\('([a-z-]+)'/g)].map((m) => m[1]);
  expect(read.sort()).toEqual(Object.keys(action.inputs).sort());
});
