/**
 * Which files the change touches: `git diff` against the base commit (renames followed), or the
 * REST pulls files API (paginated) when the base commit cannot be had locally.
 */
import { git } from './git.js';
import type { Octokit } from './octokit.js';

export interface ChangedFile {
  path: string;
  /** Set on renames and copies. */
  previousPath?: string;
  status: 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'other';
}

const STATUS: Record<string, ChangedFile['status']> = { A: 'added', M: 'modified', D: 'removed', R: 'renamed', C: 'copied' };

/** `git diff --name-status -z -M base` against the working tree. Throws when git fails. */
export async function gitChangedFiles(cwd: string, baseSha: string): Promise<ChangedFile[]> {
  const r = await git(cwd, ['diff', '--name-status', '-z', '-M', '--no-color', '--no-ext-diff', '--no-relative', baseSha, '--']);
  if (r.code !== 0) throw new Error(`git diff failed: ${r.stderr.trim().split('\n')[0] ?? r.code}`);
  const tokens = r.stdout.toString('utf8').split('\0');
  const out: ChangedFile[] = [];
  for (let i = 0; i < tokens.length && tokens[i] !== ''; ) {
    const code = tokens[i].charAt(0);
    if (code === 'R' || code === 'C') {
      out.push({ path: tokens[i + 2], previousPath: tokens[i + 1], status: STATUS[code] });
      i += 3;
    } else {
      out.push({ path: tokens[i + 1], status: STATUS[code] ?? 'other' });
      i += 2;
    }
  }
  return out;
}

/** The PR's files from the REST API (GET /repos/{o}/{r}/pulls/{n}/files, 100 per page, up to 3000 files). */
export async function apiChangedFiles(octokit: Octokit, owner: string, repo: string, pullNumber: number): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: pullNumber, per_page: 100 });
  return files.map((f) => ({
    path: f.filename,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    status: (['added', 'modified', 'removed', 'renamed', 'copied'] as const).find((s) => s === f.status) ?? 'other',
  }));
}

/** Paths a changed file touches, both sides of a rename. */
export function touchedPaths(files: ChangedFile[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    out.add(f.path);
    if (f.previousPath) out.add(f.previousPath);
  }
  return out;
}

/** What `only-changed` needs of a lint result: its file, its declared reference, the launch script its plan comes from. */
export interface TouchableResult {
  file: { path: string };
  reference?: { path: string };
  launch?: { script: string; through?: string };
}

/**
 * The results a change touches: the file itself, its declared reference, or the launch script its
 * plan comes from, or the script that script runs for it (a pull request that changes only a script
 * re-checks the configs it names).
 */
export function selectTouched<T extends TouchableResult>(results: T[], touched: Set<string>): T[] {
  return results.filter(
    (r) =>
      touched.has(r.file.path) ||
      (r.reference !== undefined && touched.has(r.reference.path)) ||
      (r.launch !== undefined && (touched.has(r.launch.script) || (r.launch.through !== undefined && touched.has(r.launch.through)))),
  );
}
