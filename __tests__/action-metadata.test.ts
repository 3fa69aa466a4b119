/** action.yml must satisfy GitHub's action metadata schema (GitHub's own parser, @actions/workflow-parser). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { githubErrors } from './helpers/external-schemas';

describe('action.yml', () => {
  const text = readFileSync(path.join(__dirname, '..', 'action.yml'), 'utf8');
  const action = parse(text);
  const broken = (changed: object) => ({ kind: 'action' as const, name: 'action.yml', content: stringify({ ...action, ...changed }) });
  const [valid, noMain, badRuntime, noRuns] = githubErrors([
    { kind: 'action', name: 'action.yml', content: text },
    broken({ runs: { using: 'node24' } }),
    broken({ runs: { using: 'node99', main: 'dist/index.js' } }),
    broken({ runs: undefined }),
  ]);

  test('validates against the official schema', () => {
    expect(valid).toEqual([]);
  });

  test('a broken action.yml is rejected (the check can fail)', () => {
    expect(noMain.join('\n')).toMatch(/main/);
    expect(badRuntime.join('\n')).toMatch(/node99/);
    expect(noRuns.join('\n')).toMatch(/runs/);
  });

  test('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(path.join(__dirname, '..', 'dist', 'index.js'))).toBe(true);
  });
});
