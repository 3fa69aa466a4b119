/** Small git helpers for the action (argument arrays, never a shell). */
import { spawn } from 'node:child_process';

export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function git(cwd: string, args: string[]): Promise<GitRun> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: -1, stdout: Buffer.alloc(0), stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
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
