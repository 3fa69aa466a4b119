// Builds the N-file benchmark corpus deterministically from a folder of configs: the source
// files (.yaml .yml .json .toml) are put in a fixed pseudo-random order (by a hash of their
// path, so every prefix has the folder's mix of formats and frameworks) and cycled until there
// are N: copy k of a file goes to `c<k>/<its path>`. The same folder and N give the same files.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CONFIG = /\.(ya?ml|json|toml)$/i;

export function sourceFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && CONFIG.test(e.name)) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  const key = (rel) => createHash('sha256').update(rel).digest('hex');
  return out.sort().map((rel) => [key(rel), rel]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, rel]) => rel);
}

/** Returns { dir, files (relative, in order), formats } for an N-file corpus under `into`. */
export function buildCorpus(source, n, into) {
  const files = sourceFiles(source);
  if (files.length === 0) throw new Error(`no .yaml/.yml/.json/.toml files in ${source}`);
  const stamp = createHash('sha256').update(JSON.stringify({ source: path.resolve(source), n, files, v: 1 })).digest('hex').slice(0, 16);
  const dir = path.join(into, `corpus-${n}-${stamp}`);
  const list = [];
  for (let i = 0; i < n; i++) list.push(`c${Math.floor(i / files.length)}/${files[i % files.length]}`);
  const done = path.join(dir, '.complete');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    for (let i = 0; i < n; i++) {
      const target = path.join(dir, list[i]);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(path.join(source, files[i % files.length]), target);
    }
    writeFileSync(done, `${n} files from ${path.resolve(source)}\n`);
  }
  const formats = { yaml: 0, json: 0, toml: 0 };
  for (const rel of list) formats[/\.json$/i.test(rel) ? 'json' : /\.toml$/i.test(rel) ? 'toml' : 'yaml']++;
  return { dir, files: list, formats, sourceCount: files.length, bytes: list.reduce((s, rel) => s + readFileSync(path.join(dir, rel)).length, 0) };
}
