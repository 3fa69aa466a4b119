/** Small git helpers for the action (argument arrays, never a shell). */
import { GitError, runGit, type GitResult } from '../engine/git.js';

/** The engine's git runner; a git that cannot start is a failed run here (code -1), not a throw. */
export async function git(cwd: string, args: string[], input?: Buffer): Promise<GitResult> {
  try {
    return await runGit(cwd, args, input);
  } catch (err) {
    if (err instanceof GitError) return { code: -1, stdout: Buffer.alloc(0), stderr: err.message };
    throw err;
  }
}

const SHA = /^[0-9a-f]{40,64}$/i;

/**
 * Blobs read ahead with the commit check (`ensureCommit`), by `<sha>:<path>`: the text, or null
 * when there is no blob at that path. `readAtCommit` answers from here first. Keyed by commit, so
 * one repository's answers cannot stand for another's.
 */
const readAhead = new Map<string, string | null>();

/**
 * One `git cat-file --batch`: is `sha` a commit, and the blobs at `paths` in it (kept in
 * `readAhead`). Undefined when the batch could not be run or read (the caller asks git again,
 * one question per process).
 */
async function commitAndBlobs(cwd: string, sha: string, paths: string[]): Promise<boolean | undefined> {
  // Newline-separated requests: a path with a line break (or none) is left to readAtCommit.
  const wanted = [...new Set(paths.filter((p) => p !== '' && !/[\n\r]/.test(p)))];
  const names = [`${sha}^{commit}`, ...wanted.map((p) => `${sha}:${p}`)];
  const r = await git(cwd, ['cat-file', '--batch'], Buffer.from(names.map((n) => `${n}\n`).join(''), 'utf8'));
  if (r.code !== 0) return undefined;
  const answers = parseBatch(r.stdout, names);
  if (!answers) return undefined;
  const [commit, ...blobs] = answers;
  if (commit === undefined || commit.type !== 'commit') return false;
  wanted.forEach((p, i) => readAhead.set(`${sha}:${p}`, blobs[i]?.type === 'blob' ? blobs[i].bytes.toString('utf8') : null));
  return true;
}

/** `git cat-file --batch` output for `names`, in order: each object's type and bytes, or undefined (missing, ambiguous); null when the output is not that. */
function parseBatch(out: Buffer, names: string[]): ({ type: string; bytes: Buffer } | undefined)[] | null {
  const answers: ({ type: string; bytes: Buffer } | undefined)[] = [];
  let pos = 0;
  for (const name of names) {
    const eol = out.indexOf(0x0a, pos);
    if (eol < 0) return null;
    const line = out.toString('utf8', pos, eol);
    if (line === `${name} missing` || line === `${name} ambiguous`) {
      answers.push(undefined);
      pos = eol + 1;
      continue;
    }
    const header = /^[0-9a-f]{40,64} ([a-z]+) (\d+)$/.exec(line);
    if (!header) return null;
    const start = eol + 1;
    const end = start + Number(header[2]);
    if (end + 1 > out.length || out[end] !== 0x0a) return null;
    answers.push({ type: header[1], bytes: out.subarray(start, end) });
    pos = end + 1;
  }
  return pos === out.length ? answers : null;
}

/**
 * True when `sha` is a commit in the local repository; fetches just that commit (depth 1) when it
 * is not. The files at `readAheadPaths` in that commit (the policy files the run reads there) are
 * read in the same git process.
 */
export async function ensureCommit(cwd: string, sha: string, log: (s: string) => void, readAheadPaths: string[] = []): Promise<boolean> {
  if (!SHA.test(sha)) return false;
  const isCommit = async () => (await commitAndBlobs(cwd, sha, readAheadPaths)) ?? (await git(cwd, ['cat-file', '-e', `${sha}^{commit}`])).code === 0;
  if (await isCommit()) return true;
  log(`trainlint: base commit ${sha} is not in the checkout; fetching it (depth 1)`);
  const fetched = await git(cwd, ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', sha]);
  if (fetched.code !== 0) {
    log(`trainlint: cannot fetch ${sha}: ${fetched.stderr.trim().split('\n')[0] ?? ''}`);
    return false;
  }
  return await isCommit();
}

/** The file's text at a commit, or null when it does not exist there. */
export async function readAtCommit(cwd: string, sha: string, repoPath: string): Promise<string | null> {
  const known = readAhead.get(`${sha}:${repoPath}`);
  if (known !== undefined) return known;
  const r = await git(cwd, ['cat-file', 'blob', `${sha}:${repoPath}`]);
  return r.code === 0 ? r.stdout.toString('utf8') : null;
}
