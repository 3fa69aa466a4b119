// Validates this repository's GitHub workflow files and action.yml with GitHub's own parser
// (@actions/workflow-parser, through __tests__/helpers/github-actions-validate.mjs). Used by
// .ci/run and by __tests__/workflows.test.ts. Prints one line per file; exit 1 on any error.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.github', 'workflows');
const files = [
  { kind: 'action', name: 'action.yml', content: readFileSync(path.join(root, 'action.yml'), 'utf8') },
  ...readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ kind: 'workflow', name: `.github/workflows/${f}`, content: readFileSync(path.join(dir, f), 'utf8') })),
];
const out = execFileSync(process.execPath, [path.join(root, '__tests__', 'helpers', 'github-actions-validate.mjs')], { input: JSON.stringify(files), encoding: 'utf8', cwd: root });
const errors = JSON.parse(out);
let bad = 0;
files.forEach((f, i) => {
  if (errors[i].length) bad++;
  console.log(`${errors[i].length ? 'FAIL' : 'ok  '} ${f.name}${errors[i].length ? `\n  ${errors[i].join('\n  ')}` : ''}`);
});
process.exit(bad ? 1 : 0);
