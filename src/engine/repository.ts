/**
 * The repository around the linted folder: its root (where launchers run from) and its launch
 * scripts. Linting a subset (one config, the files a pull request changed, a subfolder) still reads
 * the repository's scripts for the configs it lints; this module finds them with a cheap pass:
 * a bounded directory walk, and a text filter before any script is parsed. Nothing is executed.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { mayNameIndirectly } from './script-mentions.js';

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

export interface ScriptFilter {
  /**
   * Only the scripts whose bytes hold one of these names (UTF-8), found by a byte search before any
   * decoding: a script that cannot be read here, or is over `maxBytes`, is kept for the caller's
   * own bounded read to decide. A name the text of a kept script holds is always in its bytes, so
   * the filter drops no script that names one of them.
   */
  mentioning?: ReadonlySet<string>;
  /** With `mentioning`: the byte limit of a read. */
  maxBytes?: number;
}

/** Files are read in one piece when they fit this scratch buffer, reused from file to file. */
const SCRATCH_BYTES = 256 * 1024;

/**
 * A predicate on a script's bytes: does it hold one of `names`? Undefined (keep every script) when
 * there is nothing to search for that a byte search can decide.
 */
const DEEPY = Buffer.from('deepy.py', 'utf8');
const DOLLAR = Buffer.from('$', 'utf8');
const DOT_PY = Buffer.from('.py', 'utf8');
/**
 * Words of a command that may name a Hydra config without its extension or a `$`: `fairseq-hydra-train
 * --config-dir config/pretraining --config-name roberta_small` (script-mentions.ts mayNameHydraConfig).
 */
const HYDRA_CONFIG_WORDS = ['config-name', 'config_name', '-cn', '--config-dir'].map((w) => Buffer.from(w, 'utf8'));

function mentionTest(names: ReadonlySet<string>, maxBytes: number): ((abs: string) => boolean) | undefined {
  // A name with U+FFFD could match a replaced invalid byte in the decoded text only.
  if ([...names].some((n) => n.length === 0 || n.includes('\uFFFD'))) return undefined;
  const needles = [...names].map((n) => Buffer.from(n, 'utf8'));
  // GPT-NeoX's deepy.py takes `125M` for `125M.yml` (script-mentions.ts mayNameNeoxConfig): in a script that runs it, the stem too.
  const stems = [...names].filter((n) => n.endsWith('.yml') && n.length > 4).map((n) => Buffer.from(n.slice(0, -4), 'utf8'));
  let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  return (abs) => {
    let fd: number;
    try {
      fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch {
      return true;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > maxBytes) return true;
      // One byte more than its size: a file that grew since is kept unjudged.
      if (scratch.length < st.size + 1) scratch = Buffer.allocUnsafe(st.size + 1);
      let n = 0;
      for (;;) {
        const got = readSync(fd, scratch, n, st.size + 1 - n, null);
        if (got === 0) break;
        n += got;
        if (n > st.size) return true;
      }
      const bytes = scratch.subarray(0, n);
      if (needles.some((needle) => bytes.includes(needle)) || (stems.length > 0 && bytes.includes(DEEPY) && stems.some((stem) => bytes.includes(stem)))) return true;
      // A name the bytes do not hold as such: built from variables, a Hydra config name, a Hydra app's decorator.
      if (!bytes.includes(DOLLAR) && !bytes.includes(DOT_PY) && !HYDRA_CONFIG_WORDS.some((w) => bytes.includes(w))) return false;
      const text = bytes.toString('utf8');
      return [...names].some((name) => mayNameIndirectly(text, name));
    } catch {
      return true;
    } finally {
      closeSync(fd);
    }
  };
}

/**
 * Launch scripts under `dir`, in a stable order. Hidden folders, dependency folders and symbolic
 * links are not followed; `skip` drops folders (before they are read) and files (root-relative
 * paths, e.g. `ignore` globs); `filter.mentioning` keeps only the scripts that name a file.
 * Entries are typed by the listing itself (no stat per entry).
 */
export function listScripts(dir: string, skip: (abs: string, isDir: boolean) => boolean = () => false, filter: ScriptFilter = {}): ScriptListing {
  const scripts: string[] = [];
  const mentions = filter.mentioning ? mentionTest(filter.mentioning, filter.maxBytes ?? Number.MAX_SAFE_INTEGER) : undefined;
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
    // `d` is absolute and normalised, an entry's name has no separator: joined without path.join.
    const prefix = d.endsWith(path.sep) ? d : d + path.sep;
    for (const e of entries) {
      if (++visited > MAX_SCRIPT_WALK_ENTRIES) {
        truncated = true;
        return;
      }
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
        const abs = prefix + e.name;
        if (!skip(abs, true)) walk(abs);
      } else if (e.isFile() && SCRIPT_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
        const abs = prefix + e.name;
        if (!skip(abs, false) && (!mentions || mentions(abs))) scripts.push(abs);
      }
    }
  };
  walk(path.resolve(dir));
  return { scripts, truncated };
}
