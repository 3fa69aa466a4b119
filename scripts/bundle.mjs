// Builds the committed bundles: dist/cli.js (the `trainlint` command) and dist/index.js
// (the GitHub Action). Deterministic output: CI rebuilds and compares with what is committed.
// The JSON Schemas that ship with trainlint are compiled here, not at start-up
// (scripts/validators.mjs replaces src/engine/compiled-schemas.ts with ajv standalone code and
// writes one file per schema to dist/validators/). Every file is written as ASCII only
// (scripts/ascii.mjs: Node decodes and scans a non-ASCII source at twice the size).
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { asciiOnly } from './ascii.mjs';
import { importsPlugin, vendorBuilds } from './imports.mjs';
import { precompiledSchemasPlugin } from './validators.mjs';

// Where the bundles go: dist/ (committed). TRAINLINT_BUNDLE_OUT=DIR builds a private copy elsewhere
// (to try a change with the CLI while dist/ stays as committed).
const OUT = process.env.TRAINLINT_BUNDLE_OUT || 'dist';

// CommonJS bundles (dist/package.json says so): Node 20 starts its ESM loader for an ESM entry,
// ≈ 3.5 ms of a one-file run (none under Node 24). `import()` of our own files becomes require(),
// `import.meta.url` the file's URL.
const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__trainlintFileUrl' },
  plugins: [importsPlugin({ external: true }), precompiledSchemasPlugin({ outdir: OUT })],
  // Strict mode first, as in the ESM sources (a banner goes before esbuild's own "use strict").
  banner: { js: "'use strict';\nconst __trainlintFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/** Builds and writes; returns the text written for each output file (by its path). */
async function bundle(options) {
  const result = await build({ ...shared, ...options });
  const written = new Map();
  for (const out of result.outputFiles) {
    mkdirSync(path.dirname(out.path), { recursive: true });
    const text = asciiOnly(out.text, out.path);
    writeFileSync(out.path, text);
    written.set(out.path, text);
    if (out.text.startsWith('#!')) chmodSync(out.path, 0o755);
  }
  return written;
}

// The CLI is a small entry (dist/cli.js) that turns on Node's compile cache and then runs the
// bundled command (dist/cli-main.js) from trainlint's own code cache (src/code-cache.ts), whose
// files are named by the command's build hash: the hash of dist/cli-main.js, written into the
// entry. The action is a small entry (dist/index.js) that turns on Node's compile cache and then
// imports the bundled action (dist/action-main.js), which loads the REST client
// (dist/github-client.js: octokit and its HTTP client) only at its first API call.
const cliMain = [...(await bundle({ entryPoints: { 'cli-main': 'src/cli-main.ts' }, outdir: OUT })).values()];
if (cliMain.length !== 1) throw new Error(`bundle: expected one file for cli-main, got ${cliMain.length}`);
const cliMainBuild = createHash('sha256').update(cliMain[0]).digest('hex').slice(0, 20);
await bundle({ entryPoints: { cli: 'src/cli.ts' }, outdir: OUT, external: ['./cli-main.js'], define: { ...shared.define, TRAINLINT_CLI_MAIN_BUILD: JSON.stringify(cliMainBuild) } });
await bundle({ entryPoints: { index: 'src/index.ts' }, outdir: OUT, external: ['./action-main.js'] });
await bundle({ entryPoints: { 'action-main': 'src/action-main.ts' }, outdir: OUT, external: ['./github-client.js'] });
await bundle({ entryPoints: { 'github-client': 'src/action/github-client.ts' }, outdir: OUT });
writeFileSync(path.join(OUT, 'package.json'), '{\n  "type": "commonjs"\n}\n');
// Dependencies a run seldom needs, loaded from files of their own at their first use (scripts/imports.mjs).
rmSync(path.join(OUT, 'vendor'), { recursive: true, force: true });
for (const options of vendorBuilds(OUT)) await bundle({ ...options, banner: {}, plugins: [] });
