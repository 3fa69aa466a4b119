// How the bundles reach Node's built-in modules and the dependencies a run seldom needs
// (esbuild plugin and extra builds, scripts/bundle.mjs).
//  - An ESM `import … from 'node:fs'` makes Node build the module's ESM facade at start-up, which
//    reads every export, lazy getters included (`fs` loads its streams that way, `util` half a
//    dozen internals); a `require()` does not. So every built-in imported with `import` is served
//    as `require('node:…')` (esbuild's CommonJS interop reads each named import as a property where
//    it is used). The dist/ bundles are CommonJS, which would do that anyway; the parity check's
//    ESM bundle (scripts/check-bundled.mjs) relies on it.
//  - LAZY modules are loaded at their first use instead: each function export listed becomes a
//    function that loads the module and calls it (`new` works too), each object export a proxy
//    whose methods load it. Importing a name that is not listed fails the build. Packages among
//    them are not in the bundles at all but in files of their own (`dist/vendor/<name>.cjs`, built
//    by `vendorBuilds`), so the bundles are smaller to read and compile: ajv (≈ 200 KiB) compiles
//    only user schemas at run time (the shipped ones are precompiled, scripts/validators.mjs),
//    re2js (≈ 260 KiB) runs only user globs and schema `pattern`s, yaml (≈ 255 KiB) reads only
//    what the one-pass YAML reader leaves to it (engine/load/yaml.ts types plain scalars itself).
//    crypto, child_process and zlib serve fingerprints, git and lint workers' results; v8 only
//    large runs' settings (v8-tuning.ts); worker_threads only lint workers (a worker is told by
//    its argv, engine/parallel/worker.ts).
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Modules loaded at their first use: what each exports to the sources, and the file a package is built to. */
export const LAZY = {
  'node:child_process': { functions: ['spawn', 'spawnSync', 'execFile', 'execFileSync'] },
  'node:crypto': { functions: ['createHash', 'hash', 'randomUUID'] },
  'node:zlib': { functions: ['deflateRawSync', 'inflateRawSync', 'gzipSync', 'gunzipSync'] },
  'node:v8': { functions: ['getHeapSpaceStatistics', 'setFlagsFromString'] },
  'node:worker_threads': { functions: ['Worker'], objects: ['parentPort', 'workerData'] },
  ajv: { functions: ['default'], file: 'vendor/ajv.cjs' },
  re2js: { objects: ['RE2JS'], file: 'vendor/re2js.cjs' },
  yaml: { functions: ['Document', 'isAlias', 'isMap', 'isPair', 'isScalar', 'isSeq', 'LineCounter', 'parseAllDocuments'], file: 'vendor/yaml.cjs' },
};

const BUILTINS = new Set(builtinModules);

function lazyModule(specifier) {
  const { functions = [], objects = [], file } = LAZY[specifier];
  // `require` of a vendor file is the bundle banner's (relative to the bundle), not followed by esbuild.
  const target = file ? `./${file}` : specifier;
  const lines = ['let loaded;', `const load = () => (loaded ??= require(${JSON.stringify(target)}));`];
  for (const name of functions) {
    // A CommonJS package's default export is module.exports (ajv: the class, also at .default).
    const get = name === 'default' ? '(typeof load() === "function" ? load() : load().default)' : `load().${name}`;
    lines.push(`export ${name === 'default' ? 'default function lazyDefault' : `function ${name}`}(...args) {`, `  const f = ${get};`, '  return new.target ? new f(...args) : f(...args);', '}');
  }
  for (const name of objects) {
    lines.push(`export const ${name} = new Proxy({}, {`, '  get(_, key) {', `    const object = load().${name};`, '    const value = object[key];', '    return typeof value === "function" ? value.bind(object) : value;', '  },', '});');
  }
  return lines.join('\n') + '\n';
}

/**
 * esbuild plugin: `import` of a Node built-in → require() (at the first use for LAZY ones); LAZY
 * packages at the first use, from their own files. `external`: the other built-ins are left to
 * the CommonJS output's own `require()` (what the dist/ bundles use). Served through a module of
 * the bundle instead, each importing file would get esbuild's interop copy of the built-in
 * (`__toESM`), which asks for every property's descriptor: under Node 24 that loads `util`'s
 * lazy members (streams, worker_threads, the stderr stream: ≈ 10 ms of a one-file run).
 */
export function importsPlugin({ external = false } = {}) {
  return {
    name: 'trainlint-imports',
    setup(b) {
      b.onResolve({ filter: /^\.\/vendor\/[a-z0-9-]+\.cjs$/, namespace: 'trainlint-lazy' }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /^(node:)?[a-z0-9_-]+(\/[a-z_]+)?$/ }, (args) => {
        if (args.kind !== 'import-statement') return undefined;
        if (Object.hasOwn(LAZY, args.path) && !args.path.startsWith('node:')) return { path: args.path, namespace: 'trainlint-lazy' };
        const bare = args.path.replace(/^node:/, '');
        if (!BUILTINS.has(bare) && !args.path.startsWith('node:')) return undefined;
        if (external && !LAZY[`node:${bare}`]) return { path: `node:${bare}`, external: true };
        return { path: `node:${bare}`, namespace: 'trainlint-builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'trainlint-builtin' }, (args) => ({
        contents: LAZY[args.path] ? lazyModule(args.path) : `module.exports = require(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'trainlint-lazy' }, (args) => ({ contents: lazyModule(args.path), loader: 'js', resolveDir: repo }));
    },
  };
}

/** esbuild options of each vendor file: the package bundled alone as CommonJS (what `require(name)` gives). */
export function vendorBuilds(outdir) {
  return Object.entries(LAZY)
    .filter(([, lazy]) => lazy.file)
    .map(([name, lazy]) => ({
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});\n`, resolveDir: repo, sourcefile: `${name}.cjs`, loader: 'js' },
      outfile: path.join(outdir, lazy.file),
      format: 'cjs',
    }));
}
