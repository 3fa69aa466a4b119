// Checks that what the bundles do differently from the sources changes no output:
//  1. every golden case (__tests__/golden/<rule>/<case>/) linted by the engine bundled as in
//     dist/ (schemas compiled at build time, in files of their own; built-ins through require;
//     ajv and re2js from vendor files at their first use; written as ASCII only) gives exactly
//     its expected.txt;
//  2. every schema that ships with trainlint, precompiled and compiled at run time, gives the
//     same errors on every config of the golden cases (and on mutated .trainlint.yml files).
// Run by __tests__/bundle-parity.test.ts; prints one line per mismatch and exits 1 on any.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { asciiOnly } from './ascii.mjs';
import { importsPlugin, vendorBuilds } from './imports.mjs';
import { precompiledSchemasPlugin } from './validators.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const golden = path.join(repo, '__tests__', 'golden');
const ENTRY = `
export { readConfig } from './src/config/load-config.ts';
export { lint } from './src/engine/lint.ts';
export { compiledSchema, PRECOMPILED } from './src/engine/compiled-schemas.ts';
export { schemaSources } from './src/engine/schema-sources.ts';
export { loadFile } from './src/engine/load-file.ts';
export { toPlain } from './src/engine/tree.ts';
export { renderGolden } from './__tests__/helpers/golden-render.ts';
`;

async function bundle(dir, name, plugins, ascii = false) {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: repo, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
    plugins,
    banner: { js: "import { createRequire as __cr } from 'node:module';\nconst require = __cr(import.meta.url);" },
  });
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, ascii ? asciiOnly(out.outputFiles[0].text, file) : out.outputFiles[0].text);
  return import(pathToFileURL(file).href);
}

function cases() {
  const out = [];
  for (const rule of readdirSync(golden).sort()) {
    const ruleDir = path.join(golden, rule);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const name of readdirSync(ruleDir).sort()) if (statSync(path.join(ruleDir, name)).isDirectory()) out.push(path.join(ruleDir, name));
  }
  return out;
}

function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (/\.(ya?ml|json|toml)$/.test(entry.name) && entry.name !== 'expected.txt') out.push(p);
  }
  return out;
}

const dir = mkdtempSync(path.join(tmpdir(), 'trainlint-parity-'));
const mismatches = [];
let checked = 0;
try {
  // As dist/ is built: the validators and vendor files next to the bundle, built-ins through require.
  for (const options of vendorBuilds(dir)) await build({ ...options, bundle: true, platform: 'node', logLevel: 'warning' });
  const pre = await bundle(dir, 'precompiled', [importsPlugin(), precompiledSchemasPlugin({ outdir: dir })], true);
  const run = await bundle(dir, 'runtime', []);
  if (!pre.PRECOMPILED || run.PRECOMPILED) throw new Error('bundles are not what they should be');

  for (const caseDir of cases()) {
    const { config } = pre.readConfig(caseDir);
    const { results } = await pre.lint({ root: caseDir, paths: [], config });
    const actual = pre.renderGolden(results);
    const expectedPath = path.join(caseDir, 'expected.txt');
    const expected = existsSync(expectedPath) ? readFileSync(expectedPath, 'utf8') : '';
    checked++;
    if (actual !== expected) mismatches.push(`golden ${path.relative(golden, caseDir)}: bundled output differs from expected.txt`);
  }

  // Inputs: every config of the golden cases, plus each .trainlint.yml with its values swapped
  // for wrong types, so the error paths of the config schema are compared too.
  const inputs = [];
  for (const caseDir of cases()) {
    for (const file of filesUnder(caseDir)) {
      const rel = path.relative(caseDir, file);
      const loaded = pre.loadFile(file, rel);
      if (!loaded.tree) continue;
      const data = pre.toPlain(loaded.tree);
      inputs.push(data);
      if (path.basename(file).startsWith('.trainlint')) {
        inputs.push(JSON.parse(JSON.stringify(data, (_k, v) => (typeof v === 'string' ? 7 : typeof v === 'number' ? 'x' : v))));
        inputs.push(JSON.parse(JSON.stringify(data, (_k, v) => (Array.isArray(v) ? {} : v))));
      }
    }
  }
  for (const key of pre.schemaSources().keys()) {
    const a = pre.compiledSchema(key);
    const b = run.compiledSchema(key);
    if (!a || !b) {
      mismatches.push(`schema ${key}: missing (${a ? 'runtime' : 'precompiled'})`);
      continue;
    }
    const samples = key.startsWith('rule-options:') ? [{}, { max: 2 }, { max: 'x' }, { scaling: 'cubic' }, { tolerance: -1 }, { extra: 1 }, ...inputs.slice(0, 20)] : inputs;
    for (const sample of samples) {
      const ra = a(sample);
      const rb = b(sample);
      checked++;
      if (ra !== rb || JSON.stringify(a.errors) !== JSON.stringify(b.errors)) {
        mismatches.push(`schema ${key}: precompiled and run-time validators disagree on ${JSON.stringify(sample).slice(0, 120)}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const m of mismatches) console.log(m);
console.log(`${checked} checks, ${mismatches.length} mismatches`);
process.exit(mismatches.length ? 1 : 0);
