/**
 * The repository around the linted folder: its root (where launchers run from) and its launch
 * scripts. Linting a subset (one config, the files a pull request changed, a subfolder) still reads
 * the repository's scripts for the configs it lints; this module finds them with a cheap pass:
 * a bounded directory walk, and a text filter before any script is parsed. Nothing is executed.
 */
import { existsSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { toPosix } from './discover.js';

/** Launch script extensions (`#SBATCH` batch scripts included). */
export const SCRIPT_EXTENSIONS = new Set(['.sh', '.bash', '.sbatch', '.slurm']);

/** Folders never walked for scripts: version control, dependencies, virtual environments, caches. */
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env', 'wandb', 'outputs']);

/** At most this many directory entries are visited when looking for scripts. */
export const MAX_SCRIPT_WALK_ENTRIES = 100_000;

/**
 * The repository root for `root`: the nearest folder at or above it holding `.git` (a folder, or
 * the file of a worktree or submodule), else `root` itself. Launchers run from there.
 */
export function findRepositoryRoot(root: string): string {
  const start = path.resolve(root);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

export interface ScriptListing {
  /** Absolute paths of the launch scripts found. */
  scripts: string[];
  /** Set when the walk stopped at MAX_SCRIPT_WALK_ENTRIES. */
  truncated: boolean;
}

/**
 * Launch scripts under `dir`, in a stable order. Hidden folders, dependency folders and symbolic
 * links are not followed; `skip` drops folders and files (root-relative paths, e.g. `ignore` globs).
 */
export function listScripts(dir: string, skip: (abs: string, isDir: boolean) => boolean = () => false): ScriptListing {
  const scripts: string[] = [];
  let visited = 0;
  let truncated = false;
  const walk = (d: string) => {
    if (truncated) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++visited > MAX_SCRIPT_WALK_ENTRIES) {
        truncated = true;
        return;
      }
      const abs = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name) || skip(abs, true)) continue;
        walk(abs);
      } else if (e.isFile() && SCRIPT_EXTENSIONS.has(path.extname(e.name).toLowerCase()) && !skip(abs, false)) {
        scripts.push(abs);
      }
    }
  };
  walk(dir);
  return { scripts, truncated };
}

/** A path relative to `from`, in POSIX form ('../scripts/train.sh' when outside it). */
export function relativePosix(from: string, abs: string): string {
  return toPosix(path.relative(from, abs)) || '.';
}
