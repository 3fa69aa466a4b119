/**
 * Golden tests: every folder `__tests__/golden/<rule-id>/<case>/` is a small repository
 * (configs, optionally `.trainlint.yml`). It is linted as a whole and every finding is
 * printed as `path:line:col: severity [rule-id] message` (and its related locations, indented);
 * the result must equal the case's
 * `expected.txt` exactly (empty for the good cases). UPDATE_GOLDEN=1 rewrites the files.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from '../src/config/load-config';
import { lint } from '../src/engine/lint';
import { renderGolden } from './helpers/golden-render';

const GOLDEN = path.join(__dirname, 'golden');

function cases(): [string, string][] {
  const out: [string, string][] = [];
  for (const rule of readdirSync(GOLDEN).sort()) {
    const ruleDir = path.join(GOLDEN, rule);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const name of readdirSync(ruleDir).sort()) {
      if (statSync(path.join(ruleDir, name)).isDirectory()) out.push([rule, name]);
    }
  }
  return out;
}

async function render(dir: string): Promise<string> {
  const { config } = readConfig(dir);
  const { results } = await lint({ root: dir, paths: [], config });
  return renderGolden(results);
}

describe('golden cases', () => {
  const all = cases();
  test('every rule with a docs page has good and bad golden cases', () => {
    const rulesWithCases = new Set(all.map(([rule]) => rule));
    const docs = readdirSync(path.join(__dirname, '..', 'docs', 'rules')).map((f) => f.replace(/\.md$/, ''));
    for (const rule of docs) {
      expect(rulesWithCases).toContain(rule);
      const names = all.filter(([r]) => r === rule).map(([, n]) => n);
      expect(names.some((n) => n.startsWith('bad'))).toBe(true);
      expect(names.some((n) => n.startsWith('good'))).toBe(true);
    }
  });

  test.each(all)('%s / %s', async (rule, name) => {
    const dir = path.join(GOLDEN, rule, name);
    const actual = await render(dir);
    const expectedPath = path.join(dir, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(expectedPath, actual);
    const expected = existsSync(expectedPath) ? readFileSync(expectedPath, 'utf8') : '<missing expected.txt>';
    expect(actual).toBe(expected);
    if (name.startsWith('bad')) expect(actual).toContain(`[${rule}]`);
    if (name.startsWith('good')) expect(actual).not.toContain(`[${rule}]`);
  });
});
