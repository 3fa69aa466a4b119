// Builds the committed bundles: dist/cli.js (the `trainlint` command) and dist/index.js
// (the GitHub Action). Deterministic output: CI rebuilds and compares with what is committed.
// The JSON Schemas that ship with trainlint are compiled here, not at start-up
// (scripts/validators.mjs replaces src/engine/compiled-schemas.ts with ajv standalone code).
import { build } from 'esbuild';
import { precompiledSchemasPlugin } from './validators.mjs';

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [precompiledSchemasPlugin()],
  // CommonJS dependencies bundled into ESM may call require() for Node built-ins.
  banner: { js: "import { createRequire as __trainlintCreateRequire } from 'node:module';\nconst require = __trainlintCreateRequire(import.meta.url);" },
};

// The CLI is a small entry (dist/cli.js) that turns on Node's compile cache and then imports the
// bundled command (dist/cli-main.js). The action is a small entry (dist/index.js) that turns on
// Node's compile cache and then imports the bundled action (dist/action-main.js), which loads the
// REST client (dist/github-client.js: octokit and its HTTP client) only at its first API call.
await build({ ...shared, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', external: ['./cli-main.js'] });
await build({ ...shared, entryPoints: { 'cli-main': 'src/cli-main.ts' }, outdir: 'dist' });
await build({ ...shared, entryPoints: { index: 'src/index.ts' }, outdir: 'dist', external: ['./action-main.js'] });
await build({ ...shared, entryPoints: { 'action-main': 'src/action-main.ts' }, outdir: 'dist', external: ['./github-client.js'] });
await build({ ...shared, entryPoints: { 'github-client': 'src/action/github-client.ts' }, outdir: 'dist' });
