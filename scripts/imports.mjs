// How the bundles reach Node's built-in modules and their heaviest dependency that a run seldom
// needs (esbuild plugin, scripts/bundle.mjs).
//  - An ESM `import … from 'node:fs'` makes Node build the module's ESM facade at start-up, which
//    reads every export, lazy getters included (`fs` loads its streams that way, `util` half a
//    dozen internals); a `require()` does not. So every built-in imported with `import` is served
//    as `require('node:…')` (esbuild's CommonJS interop reads each named import as a property where
//    it is used).
//  - Some modules are loaded at their first call instead (LAZY): each export listed there becomes
//    a function that loads the module and calls it (`new` works too: the call returns the object).
//    Importing a name that is not listed fails the build. ajv (≈ 200 KiB) compiles only user
//    schemas at run time (the shipped ones are precompiled, scripts/validators.mjs); crypto,
//    child_process and zlib serve baselines, fingerprints, git and lint workers' results.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Modules loaded at the first call of one of their functions: module → the functions imported (`default` included). */
export const LAZY = {
  'node:child_process': ['spawn', 'spawnSync', 'execFile', 'execFileSync'],
  'node:crypto': ['createHash', 'randomUUID'],
  'node:zlib': ['deflateRawSync', 'inflateRawSync', 'gzipSync', 'gunzipSync'],
  ajv: ['default'],
};

const BUILTINS = new Set(builtinModules);

function lazyModule(specifier, names) {
  const lines = ['let loaded;', `const load = () => (loaded ??= require(${JSON.stringify(specifier)}));`];
  for (const name of names) {
    if (name === 'default') {
      // A CommonJS package's default export is module.exports (ajv: the class, also at .default).
      lines.push('export default function lazyDefault(...args) {', '  const m = load();', '  const f = typeof m === "function" ? m : m.default;', '  return new.target ? new f(...args) : f(...args);', '}');
    } else {
      lines.push(`export function ${name}(...args) {`, `  const f = load().${name};`, '  return new.target ? new f(...args) : f(...args);', '}');
    }
  }
  return lines.join('\n') + '\n';
}

/** esbuild plugin: `import` of a Node built-in → require() (at the first call for LAZY ones); LAZY packages at the first call. */
export function importsPlugin() {
  return {
    name: 'trainlint-imports',
    setup(b) {
      b.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        if (args.kind !== 'import-statement') return undefined;
        if (Object.hasOwn(LAZY, args.path) && !args.path.startsWith('node:')) return { path: args.path, namespace: 'trainlint-lazy' };
        const bare = args.path.replace(/^node:/, '');
        if (!BUILTINS.has(bare) && !args.path.startsWith('node:')) return undefined;
        return { path: `node:${bare}`, namespace: 'trainlint-builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'trainlint-builtin' }, (args) => ({
        contents: LAZY[args.path] ? lazyModule(args.path, LAZY[args.path]) : `module.exports = require(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'trainlint-lazy' }, (args) => ({ contents: lazyModule(args.path, LAZY[args.path]), loader: 'js', resolveDir: repo }));
    },
  };
}
