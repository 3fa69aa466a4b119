/**
 * trainlint's code cache for the CLI bundle (src/code-cache.ts): V8's data for the bundle after a
 * run, kept per build in a private folder, used only when it is this build's and this user's.
 * The module-level tests compile small CommonJS files of their own (each with a source of its own:
 * V8 keeps compiled scripts in memory by source, and a second compile of the same source would
 * not consult the cached data at all); the last ones run dist/cli.js in new processes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeCacheDir, codeCachePath, compileWithCodeCache, MAX_GENERATIONS } from '../src/code-cache';

const REPO = path.resolve(__dirname, '..');
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-code-cache-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

let sources = 0;
/** A CommonJS module of its own source (see above) that reads its wrapper's arguments and requires a neighbour. */
function writeModule(dir: string, value = '6 * 7'): string {
  fs.writeFileSync(path.join(dir, 'dep.js'), 'module.exports = "dep";\n');
  const file = path.join(dir, 'main.js');
  fs.writeFileSync(
    file,
    [
      `// source ${++sources} ${process.pid} ${Date.now()}`,
      "'use strict';",
      `module.exports = { value: ${value}, filename: __filename, dirname: __dirname, dep: require('./dep.js'), self: this === exports };`,
      '',
    ].join('\n'),
  );
  return file;
}

interface Exports {
  value: number;
  filename: string;
  dirname: string;
  dep: string;
  self: boolean;
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const generationOf = (cacheFile: string) => fs.readFileSync(cacheFile)[5];

describe('compileWithCodeCache', () => {
  test('a first run finds no cache and runs the file as a CommonJS module; its save writes a private cache that the next run uses', () => {
    const work = tempDir();
    const cache = path.join(tempDir(), 'cache');
    const file = writeModule(work);
    const first = compileWithCodeCache(file, 'build1', cache);
    expect(first.status).toBe('missing');
    expect(first.wantsSave).toBe(true);
    expect(first.run()).toEqual({ value: 42, filename: file, dirname: work, dep: 'dep', self: true });
    expect(first.save()).toBe(true);
    // Saved once only.
    expect(first.save()).toBe(false);
    expect(first.cacheFile).toBe(codeCachePath(file, 'build1', cache));
    expect(path.dirname(first.cacheFile!)).toBe(cache);
    if (uid !== undefined) {
      expect(mode(cache)).toBe(0o700);
      expect(mode(first.cacheFile!)).toBe(0o600);
    }
    expect(generationOf(first.cacheFile!)).toBe(1);
    // No temporary file is left beside it.
    expect(fs.readdirSync(cache)).toEqual([path.basename(first.cacheFile!)]);

    const second = compileWithCodeCache(file, 'build1', cache);
    expect(second.status).toBe('accepted');
    expect((second.run() as Exports).value).toBe(42);
  });

  test(`the first ${MAX_GENERATIONS} runs of a build write the cache; after them a run only reads it`, () => {
    const cache = path.join(tempDir(), 'cache');
    const file = writeModule(tempDir());
    for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
      const run = compileWithCodeCache(file, 'build1', cache);
      expect(run.status).toBe(generation === 1 ? 'missing' : 'accepted');
      expect(run.wantsSave).toBe(true);
      run.run();
      expect(run.save()).toBe(true);
      expect(generationOf(run.cacheFile!)).toBe(generation);
    }
    const settled = compileWithCodeCache(file, 'build1', cache);
    expect(settled.status).toBe('accepted');
    expect(settled.wantsSave).toBe(false);
    const before = fs.readFileSync(settled.cacheFile!);
    settled.run();
    expect(settled.save()).toBe(false);
    expect(fs.readFileSync(settled.cacheFile!).equals(before)).toBe(true);
  });

  test("another build, or the file changed in place, never reads the first one's cache", () => {
    const work = tempDir();
    const cache = path.join(tempDir(), 'cache');
    const file = writeModule(work);
    const first = compileWithCodeCache(file, 'build1', cache);
    first.run();
    expect(first.save()).toBe(true);

    const otherBuild = compileWithCodeCache(file, 'build2', cache);
    expect(otherBuild.status).toBe('missing');
    expect(otherBuild.cacheFile).not.toBe(first.cacheFile);

    // Same length, other value, written later: another modification time.
    const text = fs.readFileSync(file, 'utf8').replace('6 * 7', '5 * 9');
    const later = new Date(fs.statSync(file).mtimeMs + 5000);
    fs.writeFileSync(file, text);
    fs.utimesSync(file, later, later);
    const changed = compileWithCodeCache(file, 'build1', cache);
    expect(changed.status).toBe('missing');
    expect(changed.cacheFile).not.toBe(first.cacheFile);
    expect((changed.run() as Exports).value).toBe(45);
  });

  test('data V8 refuses (damaged) is a run without it, and the cache is written again', () => {
    const cache = path.join(tempDir(), 'cache');
    const file = writeModule(tempDir());
    const cacheFile = codeCachePath(file, 'build1', cache)!;
    fs.mkdirSync(cache, { mode: 0o700 });
    // Our header (magic, format 1, generation 3), then bytes that are not V8's.
    const header = Buffer.from([0x54, 0x4c, 0x43, 0x43, 1, 3, 0, 0]);
    fs.writeFileSync(cacheFile, Buffer.concat([header, Buffer.alloc(4096, 7)]), { mode: 0o600 });
    const damaged = compileWithCodeCache(file, 'build1', cache);
    expect(damaged.status).toBe('rejected');
    expect(damaged.wantsSave).toBe(true);
    expect((damaged.run() as Exports).value).toBe(42);
    expect(damaged.save()).toBe(true);
    expect(generationOf(cacheFile)).toBe(1);

    // A file that is not one of ours (no header) is no cache at all.
    const file2 = writeModule(tempDir());
    const cacheFile2 = codeCachePath(file2, 'build1', cache)!;
    fs.writeFileSync(cacheFile2, 'not a cache', { mode: 0o600 });
    const foreign = compileWithCodeCache(file2, 'build1', cache);
    expect(foreign.status).toBe('missing');
    expect((foreign.run() as Exports).value).toBe(42);
  });

  (uid === undefined ? test.skip : test)('a cache folder or file that others may write, or that is not ours, is neither read nor written', () => {
    const cache = path.join(tempDir(), 'cache');
    const file = writeModule(tempDir());
    const first = compileWithCodeCache(file, 'build1', cache);
    first.run();
    expect(first.save()).toBe(true);
    const saved = fs.readFileSync(first.cacheFile!);

    fs.chmodSync(cache, 0o777);
    const openFolder = compileWithCodeCache(file, 'build1', cache);
    expect(openFolder.status).toBe('unsafe');
    expect(openFolder.wantsSave).toBe(false);
    expect((openFolder.run() as Exports).value).toBe(42);
    expect(openFolder.save()).toBe(false);
    fs.chmodSync(cache, 0o700);

    fs.chmodSync(first.cacheFile!, 0o666);
    const openFile = compileWithCodeCache(file, 'build1', cache);
    expect(openFile.status).toBe('unsafe');
    expect(openFile.wantsSave).toBe(false);
    fs.chmodSync(first.cacheFile!, 0o600);

    if (uid === 0) {
      // Root can give the file away: a file another user owns is not read.
      fs.chownSync(first.cacheFile!, 12345, 12345);
      expect(compileWithCodeCache(file, 'build1', cache).status).toBe('unsafe');
      fs.chownSync(first.cacheFile!, 0, 0);
    }
    // A symbolic link in the cache's place is not followed.
    fs.renameSync(first.cacheFile!, first.cacheFile! + '.real');
    fs.symlinkSync(first.cacheFile! + '.real', first.cacheFile!);
    expect(compileWithCodeCache(file, 'build1', cache).status).toBe('missing');
    expect(fs.readFileSync(first.cacheFile! + '.real').equals(saved)).toBe(true);
  });

  test('without a folder (turned off) the file just runs; a folder that cannot be made only means no cache is saved', () => {
    const file = writeModule(tempDir());
    const off = compileWithCodeCache(file, 'build1', undefined);
    expect(off.status).toBe('off');
    expect(off.cacheFile).toBeUndefined();
    expect(off.wantsSave).toBe(false);
    expect((off.run() as Exports).value).toBe(42);
    expect(off.save()).toBe(false);

    const blocker = path.join(tempDir(), 'a-file');
    fs.writeFileSync(blocker, '');
    const file2 = writeModule(tempDir());
    const blocked = compileWithCodeCache(file2, 'build1', path.join(blocker, 'cache'));
    expect(blocked.status).toBe('missing');
    expect((blocked.run() as Exports).value).toBe(42);
    expect(blocked.save()).toBe(false);
  });
});

describe('codeCacheDir', () => {
  const user = `trainlint-${uid ?? 'user'}`;
  test("Node's settings: NODE_DISABLE_COMPILE_CACHE turns it off, NODE_COMPILE_CACHE names the folder, else the OS temp folder", () => {
    expect(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1', NODE_COMPILE_CACHE: '/x' })).toBeUndefined();
    expect(codeCacheDir({ NODE_COMPILE_CACHE: '/var/cache/node' })).toBe(path.join('/var/cache/node', user));
    expect(codeCacheDir({ NODE_COMPILE_CACHE: 'rel' })).toBe(path.join(process.cwd(), 'rel', user));
    expect(codeCacheDir({})).toBe(path.join(os.tmpdir(), 'node-compile-cache', user));
  });
});

describe('dist/cli.js', () => {
  const cli = path.join(REPO, 'dist', 'cli.js');
  const lint = (env: Record<string, string>) =>
    spawnSync(process.execPath, [cli, 'examples/'], { cwd: REPO, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 20000 });

  test('runs the command from its cache: the same report from the first run, a cached one and a damaged cache; none when turned off', () => {
    const base = tempDir();
    const folder = path.join(base, `trainlint-${uid ?? 'user'}`);
    const first = lint({ NODE_COMPILE_CACHE: base });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(1);
    expect(first.stdout).toContain('lr-not-rescaled');
    const [name] = fs.readdirSync(folder);
    expect(name).toMatch(new RegExp(`^cli-main-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{20}-\\d+-\\d+-\\d+\\.cache$`));
    const cacheFile = path.join(folder, name);
    expect(generationOf(cacheFile)).toBe(1);

    const second = lint({ NODE_COMPILE_CACHE: base });
    expect(second.stdout).toBe(first.stdout);
    expect(second.status).toBe(1);
    expect(generationOf(cacheFile)).toBe(2);

    const bytes = fs.readFileSync(cacheFile);
    bytes.fill(0x5a, 64);
    fs.writeFileSync(cacheFile, bytes);
    const damaged = lint({ NODE_COMPILE_CACHE: base });
    expect(damaged.stderr).toBe('');
    expect(damaged.stdout).toBe(first.stdout);
    expect(damaged.status).toBe(1);
    // Rejected by V8, then written again by this run.
    expect(generationOf(cacheFile)).toBe(1);
    expect(fs.readdirSync(folder)).toEqual([name]);

    const offBase = tempDir();
    const off = lint({ NODE_COMPILE_CACHE: offBase, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(off.stdout).toBe(first.stdout);
    expect(fs.readdirSync(offBase)).toEqual([]);
  });
});
