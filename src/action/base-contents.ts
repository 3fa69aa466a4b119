/**
 * Base versions through the REST contents API, for when the base commit cannot be had locally
 * (not in the checkout and not fetchable). The files are written into a synthetic commit in the
 * workspace's object store (a temporary index, `write-tree`, `commit-tree`: no ref, the work tree
 * and the real index untouched), so the engine compares with it exactly as with a real base.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Octokit } from './octokit.js';
import { describeApiError, statusOf } from './octokit.js';

/** At most this many files are fetched one by one (each is one API request). */
export const MAX_CONTENT_FILES = 100;

function gitIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: Buffer): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...env, LC_ALL: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.resume();
    child.on('error', () => resolve({ code: -1, out: '' }));
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.trim() }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** Each path's text at `ref` (null when absent there). */
export async function fetchBaseContents(octokit: Octokit, owner: string, repo: string, ref: string, paths: string[], log: (s: string) => void): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const p of paths.slice(0, MAX_CONTENT_FILES)) {
    try {
      const { data } = await octokit.rest.repos.getContent({ owner, repo, path: p, ref });
      if (!Array.isArray(data) && data.type === 'file' && typeof data.content === 'string') {
        out.set(p, Buffer.from(data.content, 'base64').toString('utf8'));
      } else out.set(p, null);
    } catch (err) {
      if (statusOf(err) === 404) out.set(p, null);
      else log(`trainlint: cannot read ${p} at ${ref.slice(0, 7)} through the API (${describeApiError(err)})`);
    }
  }
  if (paths.length > MAX_CONTENT_FILES) log(`trainlint: only the first ${MAX_CONTENT_FILES} of ${paths.length} base versions were fetched through the API`);
  return out;
}

/** A commit (no ref) whose tree holds exactly `files`; undefined when git refuses. */
export async function syntheticCommit(root: string, files: Map<string, string | null>, label: string): Promise<string | undefined> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trainlint-index-'));
  const env = { GIT_INDEX_FILE: path.join(dir, 'index'), GIT_AUTHOR_NAME: 'trainlint', GIT_AUTHOR_EMAIL: 'trainlint@localhost', GIT_COMMITTER_NAME: 'trainlint', GIT_COMMITTER_EMAIL: 'trainlint@localhost' };
  try {
    for (const [p, text] of files) {
      if (text === null) continue;
      const blob = await gitIn(root, ['hash-object', '-w', '--stdin'], env, Buffer.from(text, 'utf8'));
      if (blob.code !== 0) return undefined;
      const add = await gitIn(root, ['update-index', '--add', '--cacheinfo', `100644,${blob.out},${p}`], env);
      if (add.code !== 0) return undefined;
    }
    const tree = await gitIn(root, ['write-tree'], env);
    if (tree.code !== 0) return undefined;
    const commit = await gitIn(root, ['commit-tree', tree.out, '-m', label], env);
    return commit.code === 0 ? commit.out : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
