/**
 * The one way trainlint follows a path and reads a file from the repository it lints.
 *
 * Every path the tool follows (configs named on the command line, references, `.trainlint.yml`,
 * user schemas, baselines, a config's `deepspeed:` file, includes, dataset files) goes through
 * here: the real path (symbolic links resolved) must lie inside the repository root, only
 * regular files are read (never a FIFO, socket or device), and the read itself stops at a byte
 * limit, whatever `stat` said. Anything else is refused with a reason that names the path as
 * written, never its content.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isPlainRelative, joinedUnder, resolveUnder } from './posix-paths.js';
import { RealPaths } from './real-paths.js';

/** The repository being linted: its root as given and as a real path. */
export interface RepoRoot {
  root: string;
  realRoot: string;
  /** Real paths of the files followed (folders cached for the life of this object). */
  paths: RealPaths;
}

export function repoRootOf(root: string): RepoRoot {
  const abs = path.resolve(root);
  let realRoot: string;
  try {
    realRoot = realpathSync(abs);
  } catch {
    realRoot = abs;
  }
  return { root: abs, realRoot, paths: new RealPaths() };
}

/** Whether the real path `real` is the root or lies below it. */
export function within(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/** Root-relative POSIX form of an absolute path under the root. */
export function relativeToRoot(repo: RepoRoot, abs: string): string {
  return path.relative(repo.root, abs).split(path.sep).join('/');
}

export type Refusal = 'missing' | 'outside' | 'not-regular' | 'unreadable';

/** Where a path leads: the regular file inside the root, or why it is refused. */
export type PathCheck = { ok: true; abs: string; rel: string } | { ok: false; refusal: Refusal; why: string };

/**
 * Check one root-relative or absolute path: it must exist, its real path must be inside the
 * root, and it must be a regular file. `rel` keeps the path as the repository names it (the
 * link, not its target), so findings point where the user looks.
 */
export function checkRepoPath(repo: RepoRoot, p: string): PathCheck {
  const abs = resolveUnder(repo.root, p);
  if (!within(repo.root, abs) && !within(repo.realRoot, abs)) return { ok: false, refusal: 'outside', why: 'outside the repository' };
  let real: string;
  let st: Stats;
  try {
    const found = repo.paths.resolveIfExists(abs);
    if (!found) return { ok: false, refusal: 'missing', why: 'does not exist' };
    ({ real, stat: st } = found);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, refusal: 'missing', why: 'does not exist' };
    if (code === 'ELOOP') return { ok: false, refusal: 'unreadable', why: 'symbolic link loop' };
    return { ok: false, refusal: 'unreadable', why: `cannot be read (${code ?? 'error'})` };
  }
  if (!within(repo.realRoot, real)) return { ok: false, refusal: 'outside', why: 'a symbolic link that leaves the repository' };
  if (st.isDirectory()) return { ok: false, refusal: 'not-regular', why: 'a folder, not a file' };
  if (!st.isFile()) return { ok: false, refusal: 'not-regular', why: 'not a regular file (a FIFO, socket or device)' };
  return { ok: true, abs, rel: relativeToRoot(repo, abs) };
}

/** A base folder a written path may be relative to, with the name messages give it. */
export interface PathBase {
  /** Root-relative POSIX folder ('' or '.' for the root). */
  dir: string;
  /** "the repository root", "the config's folder", "the launch script's folder". */
  label: string;
}

export interface Resolution {
  /** The file found, when one base gave a regular file inside the root. */
  found?: { abs: string; rel: string; base: PathBase };
  /** Every candidate tried, in order, with why it was not used. */
  tried: { rel: string; base: PathBase; why: string }[];
}

/**
 * Resolve a path written in a config the way a framework does: against each base folder in
 * order (the working directory the launcher runs in, then the config's own folder…). An absolute
 * path is tried as it is (it must still be inside the root). `checks`: answers kept for the
 * run (used when they are of `repo`).
 */
export function resolveWritten(repo: RepoRoot, written: string, bases: PathBase[], checks?: PathChecks): Resolution {
  const tried: Resolution['tried'] = [];
  const kept = checks?.repo === repo ? checks : undefined;
  if (path.isAbsolute(written)) {
    const base = { dir: '/', label: 'an absolute path' };
    const c = kept ? kept.of(written) : checkRepoPath(repo, written);
    if (c.ok) return { found: { abs: c.abs, rel: c.rel, base }, tried };
    tried.push({ rel: written, base, why: c.why });
    return { tried };
  }
  const plain = isPlainRelative(written);
  for (const base of bases) {
    const p = joinedUnder(base.dir || '.', written, plain);
    // A candidate already tried (two bases that are one folder): every earlier one is in `tried`.
    if (triedAlready(tried, p)) continue;
    const c = kept ? kept.of(p) : checkRepoPath(repo, p);
    if (c.ok) return { found: { abs: c.abs, rel: c.rel, base }, tried };
    tried.push({ rel: p, base, why: c.why });
  }
  return { tried };
}

function triedAlready(tried: Resolution['tried'], p: string): boolean {
  for (let i = 0; i < tried.length; i++) if (tried[i].rel === p) return true;
  return false;
}

/**
 * `checkRepoPath` answers for one repository, kept for a lint run's lookups that repeat: the
 * configs of a folder name the same dataset files and catalogs (≈ 3,000 checks of ≈ 900 paths,
 * nearly all missing, in the 5,000-file bench). At most `limit` answers are kept (then they start over).
 */
export class PathChecks {
  private readonly known = new Map<string, PathCheck>();

  constructor(
    readonly repo: RepoRoot,
    private readonly limit = 4096,
  ) {}

  of(p: string): PathCheck {
    let check = this.known.get(p);
    if (!check) {
      check = checkRepoPath(this.repo, p);
      if (this.known.size >= this.limit) this.known.clear();
      this.known.set(p, check);
    }
    return check;
  }
}

/** "ds.json from the repository root (does not exist), configs/ds.json from the config's folder (does not exist)". */
export function describeTried(tried: Resolution['tried']): string {
  return tried.map((t) => `${t.rel} from ${t.base.label} (${t.why})`).join(', ');
}

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; why: string; tooLarge?: boolean };

const READ_CHUNK = 64 * 1024;

/** Where a file the walk typed a regular file is read first (`readBounded`); its bytes are then copied out. */
const FIRST_READ = Buffer.allocUnsafe(READ_CHUNK);

/**
 * Read a regular file, at most `maxBytes` bytes. The file is opened without blocking (a FIFO
 * would otherwise wait for a writer forever), checked to be a regular file on the open
 * descriptor, and read in chunks up to the limit: a file that grows while it is read, or that
 * `stat` reports as smaller than it is, is still cut off at the limit.
 *
 * `typedRegular`: the folder's listing typed it a regular file (discover.ts `DiscoveredFile.regular`),
 * so it is read without the `fstat` first: a file that ends within one chunk and the limit needs
 * none (most configs); a longer one is checked as any other. Opened without blocking, a file swapped
 * for a FIFO since the listing reads as empty or fails; it never waits.
 */
export function readBounded(abs: string, maxBytes: number, limitName = 'maxFileBytes', typedRegular = false): ReadResult {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { ok: false, why: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  try {
    let first = 0;
    if (typedRegular) {
      const want = Math.min(FIRST_READ.length, maxBytes + 1);
      first = readSync(fd, FIRST_READ, 0, want, null);
      if (first < want) {
        const bytes = Buffer.allocUnsafe(first);
        FIRST_READ.copy(bytes, 0, 0, first);
        return { ok: true, bytes };
      }
    }
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, why: 'not a regular file (a FIFO, socket or device); not read' };
    if (st.size > maxBytes) return { ok: false, tooLarge: true, why: `file is ${st.size} bytes, over the ${maxBytes}-byte limit (${limitName}); skipped` };
    // One buffer of the size `stat` gave plus a byte (to notice a file that grew), grown in
    // chunks only when the file is longer than that, never past the limit plus a byte; it starts
    // with what a first read took.
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, first)));
    if (first > 0) FIRST_READ.copy(buf, 0, 0, first);
    let total = first;
    for (;;) {
      if (total === buf.length) {
        if (total > maxBytes) break;
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, total + READ_CHUNK));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const want = buf.length - total;
      const n = readSync(fd, buf, total, want, null);
      total += n;
      // A regular file reads short only at its end: no further read to learn that it ended.
      if (n < want) break;
    }
    if (total > maxBytes) return { ok: false, tooLarge: true, why: `file is over the ${maxBytes}-byte limit (${limitName}); skipped` };
    return { ok: true, bytes: buf.subarray(0, total) };
  } catch (err) {
    return { ok: false, why: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

export type RepoRead = { ok: true; bytes: Buffer; abs: string; rel: string } | { ok: false; why: string; refusal?: Refusal; tooLarge?: boolean };

/**
 * `checkRepoPath` then `readBounded`: the one call for a policy file (`.trainlint.yml`, a user
 * schema, a baseline) or any other path the tool follows.
 */
export function readRepoFile(repo: RepoRoot, p: string, maxBytes: number, limitName: string): RepoRead {
  const check = checkRepoPath(repo, p);
  if (!check.ok) return { ok: false, why: check.why, refusal: check.refusal };
  const read = readBounded(check.abs, maxBytes, limitName);
  if (!read.ok) return { ok: false, why: read.why, tooLarge: read.tooLarge };
  return { ok: true, bytes: read.bytes, abs: check.abs, rel: check.rel };
}

/** Strict UTF-8 decoding (a leading BOM dropped); undefined for invalid UTF-8. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = strictUtf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}
