/**
 * The CLI bundle (dist/cli-main.js) run from V8 code cached by earlier runs, which Node's own
 * compile cache does not do well enough for a command started once per config:
 *  - Node 20 has no compile cache at all: every run compiled the 1.4 MB bundle again;
 *  - Node 22+ caches what V8 compiled before the module ran (its top level), so every function a
 *    run calls is still compiled lazily, in every run.
 * Here the cache is V8's data for the bundle as it stands after a run (`Script.createCachedData`
 * at exit): the functions that run called are in it, compiled. It is written by the first runs of
 * a build (MAX_GENERATIONS of them, so that the commands a user alternates between, one file,
 * a folder, `plan`, all add their functions) and whenever V8 rejects it (another V8, other flags);
 * after that a run only reads it.
 *
 * What runs from the cache is trainlint's own bundle, never anything of the repository linted.
 * Cached code is run without being parsed, so the cache must never be another file's:
 *  - its name holds the bundle's build hash (written into dist/cli.js by scripts/bundle.mjs from
 *    the bytes of dist/cli-main.js), the bundle's size, modification time and inode, and the Node
 *    version and architecture (V8 checks its own version and flags again);
 *  - it lives in a folder of this user's (`trainlint-<uid>` in Node's cache folder: NODE_COMPILE_CACHE,
 *    else `node-compile-cache` in the OS temp folder), made private (0700); a folder or file that
 *    someone else owns, or that others may write, is neither read nor written;
 *  - NODE_DISABLE_COMPILE_CACHE turns it off, as it does Node's.
 * Any failure of the cache only means a run without it.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/** A cache is rewritten at the exit of a build's first runs, up to this many times. */
export const MAX_GENERATIONS = 3;

/** Our header before V8's data: magic, format version, generation. */
const MAGIC = 0x43434c54; // 'TLCC', little-endian
const FORMAT = 1;
const HEADER_BYTES = 8;
/** A cache file larger than this is not read (the CLI bundle's is ≈ 0.7 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * V8 checks the data it deserializes only against its own version, its flags and the source's
 * length; it trusts the rest, and damaged data brings the process down. With this flag it writes a
 * checksum into the data it produces and refuses data whose checksum does not match ("rejected").
 * Set before data is read or produced (the flag is part of what V8 compares, so both sides have it);
 * node:v8 is loaded only then (≈ 2 ms).
 */
let checksums = false;
function verifyChecksums(): void {
  if (checksums) return;
  checksums = true;
  setFlagsFromString('--verify-snapshot-checksum');
}

/** Node's CommonJS wrapper, on the source's first line so that line numbers stay the file's. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n})';

export type CodeCacheStatus =
  /** NODE_DISABLE_COMPILE_CACHE, or no folder to keep it in. */
  | 'off'
  /** The folder or the file is someone else's, or writable by others: not used. */
  | 'unsafe'
  /** No cache for this build yet (or one that could not be read). */
  | 'missing'
  /** V8 refused the cached data (another V8 or other flags, or damaged data). */
  | 'rejected'
  | 'accepted';

export interface CompiledBundle {
  status: CodeCacheStatus;
  /** The cache file of this build (undefined when off). */
  cacheFile: string | undefined;
  /** Whether `save` should run once the bundle has done its work. */
  wantsSave: boolean;
  /** Runs the bundle as a CommonJS module; returns its `module.exports`. */
  run: () => unknown;
  /** Writes V8's data for the bundle as it is now (at exit). False when it could not be written. */
  save: () => boolean;
}

/** The folder of trainlint's code caches for this user, or undefined when caching is turned off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const base = env.NODE_COMPILE_CACHE ? path.resolve(env.NODE_COMPILE_CACHE) : path.join(tmpdir(), 'node-compile-cache');
  return path.join(base, `trainlint-${currentUid() ?? 'user'}`);
}

const currentUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/** A folder or file only this user may have written: owned by them, not writable by group or others. */
function isPrivate(st: { uid: number; mode: number }): boolean {
  const uid = currentUid();
  // Windows has no owners here; its temporary folder is the user's own.
  if (uid === undefined) return true;
  return st.uid === uid && (st.mode & 0o022) === 0;
}

interface CacheRead {
  data?: Buffer;
  generation: number;
  unsafe: boolean;
}
const NO_CACHE: CacheRead = { generation: 0, unsafe: false };
const UNSAFE: CacheRead = { generation: 0, unsafe: true };

function readCache(dir: string, file: string): CacheRead {
  let dirStat;
  try {
    dirStat = lstatSync(dir);
  } catch {
    return NO_CACHE;
  }
  if (!dirStat.isDirectory() || !isPrivate(dirStat)) return UNSAFE;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return NO_CACHE;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !isPrivate(st)) return UNSAFE;
    if (st.size <= HEADER_BYTES || st.size > MAX_CACHE_BYTES) return NO_CACHE;
    const bytes = readFileSync(fd);
    if (bytes.length !== st.size || bytes.readUInt32LE(0) !== MAGIC || bytes[4] !== FORMAT) return NO_CACHE;
    return { data: bytes.subarray(HEADER_BYTES), generation: bytes[5], unsafe: false };
  } catch {
    return NO_CACHE;
  } finally {
    closeSync(fd);
  }
}

function writeCache(dir: string, file: string, generation: number, data: Buffer): boolean {
  let tmp: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || !isPrivate(st)) return false;
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header[4] = FORMAT;
    header[5] = Math.min(generation, 255);
    tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
    writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600, flag: 'wx' });
    // Readers see the old file or the new one, never part of one.
    renameSync(tmp, file);
    return true;
  } catch {
    if (tmp !== undefined) {
      try {
        unlinkSync(tmp);
      } catch {
        // Nothing was written.
      }
    }
    return false;
  }
}

/** The cache file's name: the build, the file's size, modification time and inode, Node's version and architecture. */
function cacheName(build: string, st: { size: number; mtimeMs: number; ino: number }): string | undefined {
  const identity = `${build}-${st.size}-${Math.round(st.mtimeMs * 1000)}-${st.ino}`;
  // Only file-name characters ([0-9A-Za-z-]): a build hash is hex.
  return /^[0-9a-z-]+$/i.test(identity) ? `cli-main-${process.version}-${process.arch}-${identity}.cache` : undefined;
}

/** Where `compileWithCodeCache` keeps the cache of `file` as it is now (undefined: no folder, or no usable name). */
export function codeCachePath(file: string, build: string, dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const name = cacheName(build, statSync(file));
  return name === undefined ? undefined : path.join(dir, name);
}

/**
 * Compiles the CommonJS file `file` with the code cache of build `build` from `dir` (undefined:
 * no cache). The file is read once; `run` executes it as Node's loader would (its own `require`,
 * `module`, `exports`, `__filename`, `__dirname`).
 */
export function compileWithCodeCache(file: string, build: string, dir: string | undefined): CompiledBundle {
  const fd = openSync(file, 'r');
  let source: string;
  let name: string | undefined;
  try {
    name = cacheName(build, fstatSync(fd));
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const cacheFile = dir === undefined || name === undefined ? undefined : path.join(dir, name);
  const read = cacheFile === undefined ? NO_CACHE : readCache(dir!, cacheFile);
  if (read.data !== undefined) verifyChecksums();
  const script = new Script(WRAP_HEAD + source + WRAP_TAIL, { filename: file, cachedData: read.data });
  const status: CodeCacheStatus =
    cacheFile === undefined ? 'off' : read.unsafe ? 'unsafe' : read.data === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const wantsSave = status === 'missing' || status === 'rejected' || (status === 'accepted' && read.generation < MAX_GENERATIONS);
  let saved = false;
  return {
    status,
    cacheFile,
    wantsSave,
    run() {
      const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
      const module = { exports: {} as unknown };
      wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
      return module.exports;
    },
    save() {
      if (!wantsSave || saved || cacheFile === undefined) return false;
      saved = true;
      let data: Buffer;
      try {
        verifyChecksums();
        data = script.createCachedData();
      } catch {
        return false;
      }
      const generation = status === 'accepted' ? read.generation + 1 : 1;
      return writeCache(dir!, cacheFile, generation, data);
    },
  };
}

/**
 * Runs the CLI bundle `file` (build `build`) from its code cache, and saves the cache at exit
 * when this run should. Without a cache (turned off, unsafe, unreadable) the bundle just runs.
 */
export function runBundleWithCodeCache(file: string, build: string): void {
  const bundle = compileWithCodeCache(file, build, codeCacheDir());
  if (bundle.wantsSave) process.once('exit', () => bundle.save());
  bundle.run();
}
