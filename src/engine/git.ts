/**
 * Reads the versions of files at a git base ref (`--base REF`), so each config can be
 * compared with what it was before the change.
 *
 * Process budget per `readBaseVersions` call, whatever the number of files (3 at most):
 *   1. `git rev-parse --show-toplevel --verify --quiet REF^{commit}`  (top level, repo check, ref check)
 *   2. `git diff --name-status -z -M -C SHA --`  (git's own rename/copy detection, REF vs work tree)
 *   3. `git cat-file --batch`  (all base contents, one `SHA:path` request per file on stdin)
 *
 * Limits:
 * - Rename/copy pairing is whatever `git diff -M -C` finds between REF and the working tree, which
 *   only sees tracked files (committed or staged). A file that was moved with a plain `mv` and not
 *   `git add`ed is untracked, so it is not paired: it maps to its own path at REF, usually null.
 *   Copies are found only from sources modified in the same change (`-C`, not
 *   `--find-copies-harder`); an untouched source copied to a new file gives null.
 * - Base contents are raw blobs (no clean/smudge or CRLF filters), decoded as UTF-8.
 * - A path that is a directory or a submodule at REF maps to null.
 * - Paths containing a newline need git >= 2.38 (`cat-file -z`); other paths work with any git.
 * - Paths that are not valid UTF-8 cannot be represented faithfully as JS strings.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { toPosix } from './posix-paths.js';

/** A git failure, with a one-line message meant for the user. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

export interface BaseVersion {
  /** POSIX path of the file at the base ref, as `readBaseVersions` states it (differs from the head path on renames). */
  basePath: string;
  /** The file's content at the base ref, decoded as UTF-8. */
  text: string;
}

/** Counts spawned git processes; exported so tests can check the process budget. */
export const gitStats = { spawns: 0 };

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs git with an argument array (never a shell), optionally feeding `input` on stdin. */
export function runGit(cwd: string, args: string[], input?: Buffer): Promise<GitResult> {
  gitStats.spawns++;
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      // C locale: stable messages. No optional locks: a read-only diff must not take index.lock.
      env: { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(new GitError(e.code === 'ENOENT' ? 'git not found on PATH' : `cannot run git: ${e.message}`));
    });
    child.on('close', (code) => {
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    // If git exits before reading all of stdin, the write fails with EPIPE; the exit code reports it.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** The first meaningful stderr line, without git's `fatal: ` / `error: ` prefix. */
function firstLine(stderr: string, fallback: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ? line.replace(/^(fatal|error): /, '') : fallback;
}

function assertDir(dir: string): void {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new GitError(`not a git repository: ${dir}`);
  }
}

/** Turns a failed git call into a GitError, recognising "not a git repository". */
function failure(dir: string, r: GitResult, what: string): GitError {
  if (/not a git repository/i.test(r.stderr)) return new GitError(`not a git repository: ${dir}`);
  return new GitError(firstLine(r.stderr, `${what} failed (exit ${r.code})`));
}

/**
 * For each POSIX path in `headPaths`, relative to `dir` (a folder inside a work tree) and as it is
 * in the working tree, the file's content at `ref`, following renames and copies detected by git
 * itself between `ref` and the working tree; null when the file did not exist at `ref` (a new
 * file). Its `basePath` is relative to `dir`, or to the top level when the file was renamed from
 * outside `dir`.
 */
export async function readBaseVersions(
  dir: string,
  ref: string,
  headPaths: string[],
): Promise<Map<string, BaseVersion | null>> {
  // Refuse refs that git could read as an option (argument injection) or that break the protocol.
  if (ref === '' || ref.startsWith('-') || /[\x00-\x1f\x7f]/.test(ref)) {
    throw new GitError(`invalid revision ${JSON.stringify(ref)}`);
  }
  assertDir(dir);

  // 1. Top level, repo check and ref resolution in one process. On a bad ref the top level is
  //    still printed and git exits 1; outside a repository it exits 128.
  const rp = await runGit(dir, ['rev-parse', '--show-toplevel', '--verify', '--quiet', `${ref}^{commit}`]);
  if (rp.code === 1) throw new GitError(`unknown revision ${JSON.stringify(ref)}`);
  if (rp.code !== 0) throw failure(dir, rp, 'git rev-parse');
  const lines = rp.stdout.toString('utf8').replace(/\n$/, '').split('\n');
  const sha = lines.pop() ?? '';
  const top = lines.join('\n');
  if (!/^[0-9a-f]{40,64}$/.test(sha) || top === '') throw new GitError(`unknown revision ${JSON.stringify(ref)}`);

  const result = new Map<string, BaseVersion | null>();
  if (headPaths.length === 0) return result;
  // Paths below `dir` as git names them (from the top level), and back.
  const prefix = toPosix(path.relative(top, dir));
  const fromTop = (p: string) => (prefix ? `${prefix}/${p}` : p);
  const toDir = (p: string) => (prefix && p.startsWith(`${prefix}/`) ? p.slice(prefix.length + 1) : p);

  // 2. Renames/copies/additions between the base commit and the working tree. Run from the top
  //    level so `diff.relative` or a subdirectory cwd cannot change the reported paths.
  const diff = await runGit(top, ['diff', '--name-status', '-z', '-M', '-C', '--no-color', '--no-ext-diff', sha, '--']);
  if (diff.code !== 0) throw failure(dir, diff, 'git diff');
  const renamedFrom = new Map<string, string>(); // head path -> base path
  const added = new Set<string>();
  const tokens = diff.stdout.toString('utf8').split('\0');
  for (let i = 0; i < tokens.length && tokens[i] !== ''; ) {
    const status = tokens[i];
    if (status.startsWith('R') || status.startsWith('C')) {
      renamedFrom.set(tokens[i + 2], tokens[i + 1]);
      i += 3;
    } else {
      if (status === 'A') added.add(tokens[i + 1]);
      i += 2;
    }
  }

  // Base path for each requested file (null = known new, no lookup needed).
  const basePathOf = new Map<string, string | null>();
  for (const p of headPaths) {
    const headPath = fromTop(p);
    basePathOf.set(p, added.has(headPath) ? null : (renamedFrom.get(headPath) ?? headPath));
  }
  const wanted = [...new Set([...basePathOf.values()].filter((p): p is string => p !== null))];

  // 3. All contents in one `git cat-file --batch`. Requests are newline-separated unless a path
  //    contains a newline, which needs NUL-separated input (`-z`, git >= 2.38).
  const texts = new Map<string, string | null>();
  if (wanted.length > 0) {
    const nul = wanted.some((p) => p.includes('\n'));
    const names = wanted.map((p) => `${sha}:${p}`);
    const sep = nul ? '\0' : '\n';
    const cat = await runGit(top, nul ? ['cat-file', '--batch', '-z'] : ['cat-file', '--batch'], Buffer.from(names.join(sep) + sep, 'utf8'));
    if (cat.code !== 0) {
      const hint = nul ? ' (paths containing newlines need git >= 2.38)' : '';
      throw new GitError(firstLine(cat.stderr, `git cat-file failed (exit ${cat.code})`) + hint);
    }
    const contents = parseBatch(cat.stdout, names);
    wanted.forEach((p, i) => texts.set(p, contents[i]));
  }

  for (const p of headPaths) {
    const basePath = basePathOf.get(p) ?? null;
    const text = basePath === null ? null : (texts.get(basePath) ?? null);
    result.set(p, basePath === null || text === null ? null : { basePath: toDir(basePath), text });
  }
  return result;
}

/**
 * Parses `git cat-file --batch` output for `names`, in request order. Each response is either
 * `<name> missing\n` (or `ambiguous`), or `<oid> <type> <size>\n<size bytes>\n`. Sizes are bytes,
 * so the parse works on Buffers; content may be binary. Non-blobs (trees, ...) give null.
 */
function parseBatch(out: Buffer, names: string[]): (string | null)[] {
  const res: (string | null)[] = [];
  let pos = 0;
  for (const name of names) {
    // The name is echoed verbatim (it may contain spaces or newlines), so match it exactly.
    const notFound = ['missing', 'ambiguous']
      .map((w) => Buffer.from(`${name} ${w}\n`, 'utf8'))
      .find((m) => out.subarray(pos, pos + m.length).equals(m));
    if (notFound) {
      res.push(null);
      pos += notFound.length;
      continue;
    }
    const eol = out.indexOf(0x0a, pos);
    const header = /^([0-9a-f]+) (\w+) (\d+)$/.exec(eol < 0 ? '' : out.toString('latin1', pos, eol));
    if (!header) throw new GitError(`unexpected git cat-file output for ${JSON.stringify(name)}`);
    const size = Number(header[3]);
    const start = eol + 1;
    if (start + size + 1 > out.length) throw new GitError(`truncated git cat-file output for ${JSON.stringify(name)}`);
    res.push(header[2] === 'blob' ? out.toString('utf8', start, start + size) : null);
    pos = start + size + 1; // content is followed by one LF
  }
  return res;
}
