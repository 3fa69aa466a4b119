// The YAML parse candidates of issue #12, measured on the YAML files of the N-file corpus in one
// process: the `yaml` package at each of its levels (lexer, CST parser, Document), trainlint's
// loadYaml through the `yaml` package alone and with the fast path (src/engine/load/yaml-fast.ts),
// and js-yaml 4 (no ranges; with its `listener`, the only position information it gives).
// CPU time of the first pass (cold JIT, as in a CLI run) and the best of three more.
//   node bench/parsers.mjs [--corpus DIR] [--files 5000]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { Lexer, Parser, parseAllDocuments, LineCounter } from 'yaml';
import { buildCorpus } from './corpus.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const source = path.resolve(opt('corpus', path.join(repo, '..', 'shared', 'corpus')));
const n = Number(opt('files', 5000));
const home = process.env.TRAINLINT_BENCH_HOME ?? path.join(homedir(), '.cache', 'trainlint-bench');

const corpus = buildCorpus(source, n, path.join(home, 'work'));
const texts = corpus.files.filter((f) => /\.ya?ml$/i.test(f)).map((f) => readFileSync(path.join(corpus.dir, f), 'utf8'));

// trainlint's loader, from the sources.
const dir = mkdtempSync(path.join(tmpdir(), 'trainlint-parsers-'));
let loader;
try {
  const out = await build({
    stdin: { contents: "export { loadYaml, loadYamlFastOnly, loadYamlWithYamlPackage } from './src/engine/load/yaml.ts';", resolveDir: repo, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module';\nconst require = __cr(import.meta.url);" },
  });
  writeFileSync(path.join(dir, 'loader.mjs'), out.outputFiles[0].text);
  loader = await import(pathToFileURL(path.join(dir, 'loader.mjs')).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
let jsyaml;
try {
  jsyaml = createRequire(path.join(repo, 'package.json'))('js-yaml');
} catch {
  jsyaml = undefined;
}

const candidates = {
  '`yaml` Lexer (tokens only)': (t) => {
    for (const _ of new Lexer().lex(t));
  },
  '`yaml` Parser (CST)': (t) => {
    for (const _ of new Parser().parse(t));
  },
  '`yaml` parseAllDocuments (Document, YAML 1.1)': (t) => parseAllDocuments(t, { lineCounter: new LineCounter(), uniqueKeys: false, version: '1.1' }),
  'loadYaml through `yaml` only (before)': (t) => loader.loadYamlWithYamlPackage(t),
  'loadYaml, fast path + `yaml` fallback (now)': (t) => loader.loadYaml(t),
  ...(jsyaml
    ? {
        'js-yaml 4 load (no ranges)': (t) => {
          try {
            jsyaml.load(t);
          } catch {
            /* counted as parsed */
          }
        },
        'js-yaml 4 load with listener (positions as events)': (t) => {
          let k = 0;
          try {
            jsyaml.load(t, { listener: (_e, s) => (k += s.position) });
          } catch {
            /* counted as parsed */
          }
        },
      }
    : {}),
};

const cpu = (fn, list = texts) => {
  const c = process.cpuUsage();
  for (const t of list) fn(t);
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const fast = texts.filter((t) => loader.loadYamlFastOnly(t)).length;
const bytes = texts.reduce((s, t) => s + t.length, 0);
const fastBytes = texts.filter((t) => loader.loadYamlFastOnly(t)).reduce((s, t) => s + t.length, 0);
console.log(`${texts.length} YAML files of the ${n}-file corpus (${(bytes / 2 ** 20).toFixed(1)} MiB); fast path: ${fast} files, ${((100 * fastBytes) / bytes).toFixed(0)}% of the bytes; Node ${process.version}`);
console.log('| candidate | first pass (ms CPU) | best of 3 after (ms CPU) |');
console.log('| --- | ---: | ---: |');
for (const [name, fn] of Object.entries(candidates)) {
  const first = cpu(fn);
  const warm = Math.min(cpu(fn), cpu(fn), cpu(fn));
  console.log(`| ${name} | ${first.toFixed(0)} | ${warm.toFixed(0)} |`);
}
// Where the time of `loadYaml` goes now: the files the fast path takes, and the others.
const taken = texts.filter((t) => loader.loadYamlFastOnly(t));
const left = texts.filter((t) => !loader.loadYamlFastOnly(t));
console.log(`| of which: fast path on its ${taken.length} files | | ${Math.min(cpu(loader.loadYaml, taken), cpu(loader.loadYaml, taken)).toFixed(0)} |`);
console.log(`| of which: \`yaml\` on the other ${left.length} files | | ${Math.min(cpu(loader.loadYaml, left), cpu(loader.loadYaml, left)).toFixed(0)} |`);
