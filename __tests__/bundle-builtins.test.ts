/**
 * How the committed bundles reach Node's built-in modules (scripts/imports.mjs). esbuild's interop
 * copy of a CommonJS module (`__toESM`) asks for the descriptor of every property; under Node 24
 * that loads `util`'s lazy members (streams, worker_threads, the stderr stream) and `fs`'s `Dir`,
 * ≈ 5 ms of a one-file run. So a built-in imported by name is a plain `require()`, and none that
 * has lazy members goes through the copy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const BUNDLES = ['cli-main.js', 'action-main.js'];
/** Built-ins whose exports include lazily loaded members (Node 24). */
const WITH_LAZY_MEMBERS = ['util', 'fs', 'stream'];

describe.each(BUNDLES)('dist/%s', (name) => {
  const text = readFileSync(path.join(REPO, 'dist', name), 'utf8');

  test('requires the built-ins directly, not through a module of the bundle', () => {
    expect(text).toMatch(/require\("node:fs"\)/);
    expect(text).not.toMatch(/trainlint-builtin:node:(?!child_process|crypto|zlib|v8|worker_threads)/);
  });

  test.each(WITH_LAZY_MEMBERS)('never copies node:%s through the interop helper', (mod) => {
    expect(text).not.toContain(`__toESM(require("node:${mod}")`);
    expect(text).not.toContain(`__toESM(require_node_${mod}()`);
  });
});
