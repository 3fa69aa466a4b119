/** The README rule table and the docs pages follow the rule catalogue. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DIALECTS } from '../src/dialects/index';
import { RULES } from '../src/rules/index';

const ROOT = path.join(__dirname, '..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe.each(RULES.map((r) => [r.meta.id, r] as const))('%s', (id, rule) => {
  test('README row: link, default severity, fixability', () => {
    const row = readme.split('\n').find((l) => l.startsWith(`| [\`${id}\`](docs/rules/${id}.md) |`));
    expect(row).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[2]).toBe(rule.meta.defaultSeverity);
    expect(cells[3]).toBe(rule.meta.fixable ? 'yes' : 'no');
  });

  test('docs page exists and names the rule', () => {
    const page = path.join(ROOT, 'docs', 'rules', `${id}.md`);
    expect(existsSync(page)).toBe(true);
    expect(readFileSync(page, 'utf8').split('\n')[0]).toBe(`# ${id}`);
  });
});

describe('dialect pages', () => {
  // `generic` has no framework semantics: it is documented with `mappings` in the README.
  const framed = DIALECTS.filter((d) => d.meta.id !== 'generic');

  test.each(framed.map((d) => [d.meta.id] as const))('%s: a docs/dialects page that names its id, linked from the README table', (id) => {
    const page = path.join(ROOT, 'docs', 'dialects', `${id}.md`);
    expect(existsSync(page)).toBe(true);
    expect(readFileSync(page, 'utf8')).toContain(`Dialect id: \`${id}\``);
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`(docs/dialects/${id}.md)`);
  });
});
