/** Small git helpers for the action (argument arrays, never a shell). */
import { GitError, runGit, type GitResult } from '../engine/git.js';

/** The engine's git runner; a git that cannot start is a failed run here (code -1), not a throw. */
export async function git(cwd: string, args: string[]): Promise<GitResult> {
  try {
    return await runGit(cwd, args);
  } catch (err) {
    if (err instanceof GitError) return { code: -1, stdout: Buffer.alloc(0), stderr: err.message };
    throw err;
  }
}

const SHA = /^[0-9a-f]{40,64}$/i;

/** True when `sha` is a commit in the local repository; fetches just that commit (depth 1) when it is not. */
export async function ensureCommit(cwd: string, sha: string, log: (s: string) => void): Promise<boolean> {
  if (!SHA.test(sha)) return false;
  if ((await git(cwd, ['cat-file', '-e', `${sha}^{commit}`])).code === 0) return true;
  log(`trainlint: base commit ${sha} is not in the checkout; fetching it (depth 1)`);
  const fetched = await git(cwd, ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', sha]);
  if (fetched.code !== 0) {
    log(`trainlint: cannot fetch ${sha}: ${fetched.stderr.trim().split('\n')[0] ?? ''}`);
    return false;
  }
  return (await git(cwd, ['cat-file', '-e', `${sha}^{commit}`])).code === 0;
}

/** The file's text at a commit, or null when it does not exist there. */
export async function readAtCommit(cwd: string, sha: string, repoPath: string): Promise<string | null> {
  const r = await git(cwd, ['cat-file', 'blob', `${sha}:${repoPath}`]);
  return r.code === 0 ? r.stdout.toString('utf8') : null;
}
