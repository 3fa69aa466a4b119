/**
 * The repository around the linted folder: its root (where launchers run from) and its launch
 * scripts. Linting a subset (one config, the files a pull request changed, a subfolder) still reads
 * the repository's scripts for the configs it lints; this module finds them with a cheap pass:
 * a bounded directory walk, and a text filter before any script is parsed. Nothing is executed.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { mayNameIndirectly } from './script-mentions.js';
import { SCRIPT_EXTENSIONS } from './script-run.js';

/** Launch script extensions (`#SBATCH` batch scripts included). */
export { SCRIPT_EXTENSIONS } from './script-run.js';

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

const DEEPY = Buffer.from('deepy.py', 'utf8');
const DOLLAR = Buffer.from('$', 'utf8');
const DOT_PY = Buffer.from('.py', 'utf8');
/**
 * Words of a command that may name a Hydra config without its extension or a `$`: `fairseq-hydra-train
 * --config-dir config/pretraining --config-name roberta_small` (script-mentions.ts mayNameHydraConfig).
 */
const HYDRA_CONFIG_WORDS = ['config-name', 'config_name', '-cn', '--config-dir'].map((w) => Buffer.from(w, 'utf8'));

/** What the bytes of a script must hold for it to name `name`, one way or another (see mentionTest). */
interface NameNeedles {
  name: string;
  /** The name itself. */
  whole: Buffer;
  /** GPT-NeoX's `125M` for `125M.yml`, with deepy.py. */
  neoxStem?: Buffer;
  /** The extension a variable-built name must end with (script-mentions.ts mayExpandToName), with a `$`. */
  ext?: string;
  /** The stem a Hydra config name must hold (mayNameHydraConfig), with a Hydra config word. */
  hydraStem?: Buffer;
  /** A YAML name: a Python program run with Hydra overrides may read it (mayNameIndirectly), with a `.py`. */
  yaml: boolean;
}

function needlesOf(name: string): NameNeedles {
  const ext = /\.[A-Za-z]+$/.exec(name)?.[0];
  const hydraStem = /^(.+)\.ya?ml$/.exec(name)?.[1];
  return {
    name,
    whole: Buffer.from(name, 'utf8'),
    // GPT-NeoX's deepy.py takes `125M` for `125M.yml` (script-mentions.ts mayNameNeoxConfig): in a script that runs it, the stem too.
    neoxStem: name.endsWith('.yml') && name.length > 4 ? Buffer.from(name.slice(0, -4), 'utf8') : undefined,
    ext,
    hydraStem: hydraStem === undefined ? undefined : Buffer.from(hydraStem, 'utf8'),
    yaml: /\.ya?ml$/.test(name),
  };
}

/**
 * Whether a script's bytes may name one of the names in a way they do not show as the name itself
 * (script-mentions.ts mayNameIndirectly). The text is decoded, and a name asked, only when the bytes hold
 * what one of that function's ways needs the decoded text to hold (ASCII, or text of the name): the same
 * answer, for fewer scripts decoded. What does not depend on the name is searched once per script.
 */
function mayNameAnyIndirectly(bytes: Buffer, needles: readonly NameNeedles[]): boolean {
  const dollar = bytes.includes(DOLLAR);
  // runsHydraApp: a `.py`.
  const python = bytes.includes(DOT_PY);
  let extensions: Map<string, boolean> | undefined;
  let hydraWords: boolean | undefined;
  let text: string | undefined;
  for (const n of needles) {
    let may = false;
    // mayExpandToName: a `$`, and a variable-built segment that ends with the name's extension.
    if (dollar && n.ext !== undefined) {
      extensions ??= new Map();
      let has = extensions.get(n.ext);
      if (has === undefined) extensions.set(n.ext, (has = bytes.includes(n.ext)));
      may = has;
    }
    // For a YAML name: runsHydraApp, or mayNameHydraConfig (the stem, and a config-name flag or keyword).
    if (!may && n.yaml) may = python || (n.hydraStem !== undefined && (hydraWords ??= HYDRA_CONFIG_WORDS.some((w) => bytes.includes(w))) && bytes.includes(n.hydraStem));
    if (may && mayNameIndirectly((text ??= bytes.toString('utf8')), n.name)) return true;
  }
  return false;
}

/**
 * A predicate on a script's bytes: does it hold one of `names`? Undefined (keep every script) when
 * there is nothing to search for that a byte search can decide.
 */
function mentionTest(names: ReadonlySet<string>, maxBytes: number): ((abs: string) => boolean) | undefined {
  // A name with U+FFFD could match a replaced invalid byte in the decoded text only.
  if ([...names].some((n) => n.length === 0 || n.includes('\uFFFD'))) return undefined;
  const needles = [...names].map(needlesOf);
  const neox = needles.some((n) => n.neoxStem !== undefined);
  let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /**
   * The file's bytes into `scratch`: their count, or undefined for a file to keep unjudged (over
   * `maxBytes`, not a regular file, growing). A regular file reads short only at its end: a script that
   * fits the buffer takes one read, and no `fstat` (a listing typed it a file already; anything else
   * that reads short here, a FIFO or a device, is refused by the caller's own read all the same).
   */
  const readWhole = (fd: number, limit: number): number | undefined => {
    const first = Math.min(Math.floor(limit) + 1, scratch.length);
    const got = readSync(fd, scratch, 0, first, null);
    if (got < first) return got;
    if (got > limit) return undefined;
    // A longer script: its size decides, as for any other.
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > limit || st.size < got) return undefined;
    // One byte more than its size: a file that grew since is kept unjudged.
    if (scratch.length < st.size + 1) {
      const bigger = Buffer.allocUnsafe(st.size + 1);
      scratch.copy(bigger, 0, 0, got);
      scratch = bigger;
    }
    let n = got;
    for (;;) {
      const more = readSync(fd, scratch, n, st.size + 1 - n, null);
      if (more === 0) break;
      n += more;
      if (n > st.size) return undefined;
    }
    return n;
  };
  return (abs) => {
    let fd: number;
    try {
      fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch {
      return true;
    }
    try {
      const n = readWhole(fd, maxBytes);
      if (n === undefined) return true;
      const bytes = scratch.subarray(0, n);
      for (const needle of needles) if (bytes.includes(needle.whole)) return true;
      if (neox && bytes.includes(DEEPY) && needles.some((needle) => needle.neoxStem !== undefined && bytes.includes(needle.neoxStem))) return true;
      // A name the bytes do not hold as such: built from variables, a Hydra config name, a Hydra app's decorator.
      return mayNameAnyIndirectly(bytes, needles);
    } catch {
      return true;
    } finally {
      closeSync(fd);
    }
  };
}

/** Dirent name order, as the walk visits a folder's entries. */
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Whether a file name has a launch script extension (the last character first: most names end otherwise). */
function isScriptName(name: string): boolean {
  // Every extension of SCRIPT_EXTENSIONS ends in `h` or `m`, and only `h`/`H` (`m`/`M`) lower-case to that.
  const last = name.charCodeAt(name.length - 1);
  if (last !== 104 && last !== 72 && last !== 109 && last !== 77) return false;
  return SCRIPT_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** A folder the walk never enters, by its name. */
const isSkippedDirName = (name: string): boolean => name.charCodeAt(0) === 46 /* . */ || SKIPPED_DIRS.has(name);

/**
 * Launch scripts under `dir`, in a stable order. Hidden folders, dependency folders and symbolic
 * links are not followed; `skip` drops folders (before they are read) and files (root-relative
 * paths, e.g. `ignore` globs); `filter.mentioning` keeps only the scripts that name a file.
 * Entries are typed by the listing itself (no stat per entry).
 *
 * The order is that of a depth-first walk visiting each folder's entries by name, and the walk stops
 * after MAX_SCRIPT_WALK_ENTRIES entries of that order. A repository under the limit (nearly every one)
 * is listed by a quicker walk of the same folders: it sorts only the entries it uses, and reads the
 * scripts once the listing is complete. Over the limit, the ordered walk decides where it stops, from
 * the listings read so far. `maxEntries` is MAX_SCRIPT_WALK_ENTRIES but in tests.
 */
export function listScripts(
  dir: string,
  skip: (abs: string, isDir: boolean) => boolean = () => false,
  filter: ScriptFilter = {},
  maxEntries = MAX_SCRIPT_WALK_ENTRIES,
): ScriptListing {
  return scriptsMentioning(walkForScripts(dir, skip, maxEntries), filter);
}

/** What `walkForScripts` read: the scripts it found (unfiltered) and the listing of every folder it read. */
export interface ScriptWalk extends ScriptListing {
  /**
   * Each folder read (absolute path) and its entries, typed by the listing. A folder is here only if
   * the walk reached it through folders that are not links, from the walk's start.
   */
  folders: ReadonlyMap<string, readonly Dirent[]>;
}

/** `listScripts` in two steps: the walk (`walkForScripts`), then the text filter on the scripts it found. */
export function scriptsMentioning(walked: ScriptListing, filter: ScriptFilter): ScriptListing {
  const mentions = filter.mentioning ? mentionTest(filter.mentioning, filter.maxBytes ?? Number.MAX_SAFE_INTEGER) : undefined;
  return { scripts: mentions ? walked.scripts.filter(mentions) : walked.scripts, truncated: walked.truncated };
}

/** The walk of `listScripts`, without its text filter; see there. */
export function walkForScripts(dir: string, skip: (abs: string, isDir: boolean) => boolean = () => false, maxEntries = MAX_SCRIPT_WALK_ENTRIES): ScriptWalk {
  const root = path.resolve(dir);
  // The folders read and their entries, in case the ordered walk needs them again.
  const folders = new Map<string, Dirent[]>();
  let total = 0;
  const candidates: string[] = [];
  /** False when the folders read hold more than `maxEntries` entries. */
  const walk = (d: string): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return true;
    }
    folders.set(d, entries);
    total += entries.length;
    if (total > maxEntries) return false;
    // Indexed loops: most of this runs once, before the compiler has seen it, where `for…of` costs more.
    let used: Dirent[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.isDirectory() ? isSkippedDirName(e.name) : !e.isFile() || !isScriptName(e.name)) continue;
      (used ??= []).push(e);
    }
    if (used === undefined) return true;
    if (used.length > 1) used.sort(byName);
    // `d` is absolute and normalised, an entry's name has no separator: joined without path.join.
    const prefix = d.endsWith(path.sep) ? d : d + path.sep;
    for (let i = 0; i < used.length; i++) {
      const e = used[i];
      const abs = prefix + e.name;
      if (e.isDirectory()) {
        if (!skip(abs, true) && !walk(abs)) return false;
      } else if (!skip(abs, false)) candidates.push(abs);
    }
    return true;
  };
  if (walk(root)) return { scripts: candidates, truncated: false, folders };
  return { ...orderedWalk(root, skip, folders, maxEntries), folders };
}

/** The walk in order, entry by entry, up to `maxEntries`: the scripts it reaches (unfiltered). */
function orderedWalk(root: string, skip: (abs: string, isDir: boolean) => boolean, known: Map<string, Dirent[]>, maxEntries: number): ScriptListing {
  const scripts: string[] = [];
  let visited = 0;
  let truncated = false;
  const walk = (d: string) => {
    if (truncated) return;
    let entries = known.get(d);
    if (entries === undefined) {
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      known.set(d, entries);
    }
    entries.sort(byName);
    const prefix = d.endsWith(path.sep) ? d : d + path.sep;
    for (const e of entries) {
      if (++visited > maxEntries) {
        truncated = true;
        return;
      }
      if (e.isDirectory()) {
        if (isSkippedDirName(e.name)) continue;
        const abs = prefix + e.name;
        if (!skip(abs, true)) walk(abs);
      } else if (e.isFile() && isScriptName(e.name)) {
        const abs = prefix + e.name;
        if (!skip(abs, false)) scripts.push(abs);
      }
    }
  };
  walk(root);
  return { scripts, truncated };
}
