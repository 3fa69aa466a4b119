/**
 * Turns the paths and globs a user gives into the list of config files to lint.
 * Folders are walked for config extensions; `.git`, `node_modules` and `ignore` globs are
 * skipped; symlinks are followed only when they stay inside the root.
 */
import { lstatSync, readdirSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../config/errors.js';
import { compileGlob, foldersOf, GlobError, isGlob, underPrefix } from '../config/glob.js';
import type { TrainlintConfig } from '../config/types.js';
import { asList, CONFIG_NAMES, ignoreMatcher, matcher } from '../config/load-config.js';
import { RealPaths, type RealPath } from './real-paths.js';
import { relativePosix, resolveUnder, toPosix } from './posix-paths.js';
import { within } from './repo-files.js';

export const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json', '.toml', '.sh', '.bash', '.sbatch', '.slurm'];
const ALWAYS_SKIPPED_DIRS = new Set(['.git', 'node_modules']);
const SKIPPED_FILES = new Set([...CONFIG_NAMES, '.trainlint-baseline.json', 'package.json', 'package-lock.json', 'tsconfig.json']);

/**
 * Python files are code, so a folder walk picks up only those under a folder named `config` or
 * `configs` (nanoGPT's `config/train_gpt2.py`, MMEngine's `configs/faster_rcnn/x.py` and
 * `configs/_base_/schedules/schedule_1x.py`, detectron2's `configs/common/train.py`), never
 * `__init__.py`. Other `.py` files are linted only when named on the command line or matched by the
 * `files` globs.
 */
const PYTHON_CONFIG_DIRS = new Set(['config', 'configs']);

export function isPythonConfig(rel: string): boolean {
  const posix = rel.split(path.sep).join('/');
  if (path.posix.extname(posix).toLowerCase() !== '.py' || path.posix.basename(posix) === '__init__.py') return false;
  return posix.split('/').slice(0, -1).some((dir) => PYTHON_CONFIG_DIRS.has(dir));
}

export interface DiscoveredFile {
  /** Absolute path. */
  readonly abs: string;
  /** Root-relative POSIX path. */
  readonly rel: string;
  /**
   * Its folder's listing typed it a regular file (not a link): it is read without an `fstat` first
   * (repo-files.ts `readBounded`).
   */
  readonly regular?: boolean;
}

/**
 * A discovered file whose absolute path is the root joined with its relative one (the usual case)
 * keeps only the relative path: a run of 50,000 files holds 50,000 fewer path strings.
 */
class Discovered implements DiscoveredFile {
  constructor(
    readonly rel: string,
    private readonly prefix: string,
    private readonly absolute: string | undefined,
    readonly regular: boolean,
  ) {}

  get abs(): string {
    return this.absolute ?? this.prefix + this.rel;
  }
}

/**
 * The files to lint under `root` for `inputs` (files, folders, globs), in order; `onCount` hears
 * the count as it grows. A path or glob on the command line that leads nowhere is a usage error.
 *
 * Without inputs, the config's `files` list is read in order, as `.gitignore` is: an entry adds
 * the file it names, the config files of the folder it names, or every file its glob matches; a
 * `!` entry takes away what the entries before it added (`['configs/**', '!configs/legacy/**']`),
 * and a list that starts with one starts from the whole root. An entry that leads nowhere (a file
 * a pull request deleted) adds nothing and stops nothing: `policyNotes` says so, with its line.
 */
export function discover(
  root: string,
  inputs: string[],
  config: TrainlintConfig,
  onCount?: (files: number) => void,
  listed?: ReadonlyMap<string, readonly Dirent[]>,
): DiscoveredFile[] {
  const realRoot = realpathSync(root);
  const paths = new RealPaths();
  const ignore = ignoreMatcher(config.ignore);
  // Files the `files` globs name are linted whatever their extension; `!` entries before the first
  // plain one only take away from the whole root, so they name nothing here.
  const entries = asList(config.files);
  const firstPlain = entries.findIndex((entry) => !isNegatedGlob(entry));
  const named = matcher(firstPlain < 0 ? [] : entries.slice(firstPlain));
  const found = new Map<string, DiscoveredFile>();
  const absRoot = path.resolve(root);
  const relOf = (abs: string) => {
    const rel = relativePosix(absRoot, abs);
    return rel === '.' ? path.basename(abs) : rel;
  };

  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  const absPrefix = absRoot.endsWith(path.sep) ? absRoot : absRoot + path.sep;
  const folderNames = new Map<string, ReadonlyMap<string, Dirent>>();
  const add = (abs: string, regular: boolean) => {
    const rel = relOf(abs);
    if (found.has(rel)) return;
    found.set(rel, new Discovered(rel, prefix, abs === prefix + rel ? undefined : abs, regular));
    onCount?.(found.size);
  };

  /** `onFile` hears each file, and whether the listing typed it a regular file (a link to one is not). */
  const walk = (dir: string, onFile: (abs: string, rel: string, regular: boolean) => void) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      const rel = relOf(abs);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (isDir ? ignore.skipsFolder(rel) : ignore.ignoresWalked(rel)) continue;
      if (entry.isSymbolicLink()) {
        let st: Stats;
        try {
          const resolved = paths.resolve(abs);
          if (!within(realRoot, resolved.real)) continue;
          st = resolved.stat;
        } catch {
          continue;
        }
        isDir = st.isDirectory();
        isFile = st.isFile();
        // Directory links are not walked (no cycles); file links inside the root are read.
        if (isDir) continue;
      }
      if (isDir) {
        if (!ALWAYS_SKIPPED_DIRS.has(entry.name)) walk(abs, onFile);
      } else if (isFile) {
        onFile(abs, rel, entry.isFile());
      }
    }
  };

  const wanted = (rel: string) =>
    named(rel) ||
    (CONFIG_EXTENSIONS.includes(path.extname(rel).toLowerCase()) && !SKIPPED_FILES.has(path.basename(rel))) ||
    isPythonConfig(rel);

  /**
   * Add what one path or glob names. A problem is a usage error for a command-line input; for a
   * `files` entry (`strict` false) it is left to `policyNotes`, and the entry adds nothing.
   */
  const addInput = (input: string, strict: boolean) => {
    const abs = resolveUnder(absRoot, input);
    // A regular file that a listing of its folder typed so needs no `lstat` of its own (see `listedFile`).
    if (listed !== undefined && abs.startsWith(absPrefix) && listedFile(listed, folderNames, abs)) {
      add(abs, true);
      return;
    }
    let lst: Stats | undefined;
    try {
      lst = lstatSync(abs);
    } catch {
      lst = undefined;
    }
    if (lst) {
      const target = followInput(paths, realRoot, absRoot, abs, lst);
      if ('refused' in target) {
        if (strict) throw new UsageError(`${input}: ${target.refused}`);
        return;
      }
      if (target.stat.isDirectory()) {
        walk(abs, (fileAbs, rel, regular) => {
          if (wanted(rel)) add(fileAbs, regular);
        });
      } else {
        add(abs, false);
      }
      return;
    }
    if (isGlob(input)) {
      let glob: ReturnType<typeof compileGlob>;
      try {
        glob = compileGlob(toPosix(input));
      } catch (err) {
        if (err instanceof GlobError) throw new UsageError(`${input.length > 80 ? `${input.slice(0, 80)}…` : input}: glob ${err.message}`);
        throw err;
      }
      walk(root, (fileAbs, rel, regular) => {
        if (glob.test(rel)) add(fileAbs, regular);
      });
      return;
    }
    if (strict) throw new UsageError(`${input}: no such file or directory`);
  };

  /** A `!` entry of `files`: the files added so far that it (or one of their folders) matches are taken away. */
  const takeAway = (entry: string) => {
    const glob = compileGlob(toPosix(entry));
    for (const rel of [...found.keys()]) if (underPrefix(glob, rel) && (glob.matches(rel) || foldersOf(rel).some((dir) => glob.matches(dir)))) found.delete(rel);
    onCount?.(found.size);
  };

  if (inputs.length > 0 || entries.length === 0) {
    for (const input of inputs.length > 0 ? inputs : ['.']) addInput(input, true);
  } else {
    if (isNegatedGlob(entries[0])) addInput('.', true);
    for (const entry of entries) {
      if (isNegatedGlob(entry)) takeAway(entry);
      else addInput(entry, false);
    }
  }
  return [...found.values()];
}

/** Folders of more entries than this are looked up by a map of their names (made once), smaller ones by a scan. */
const SCANNED_FOLDER_ENTRIES = 16;

/**
 * Whether the listing of `abs`'s folder holds it as a regular file. A listing (repository.ts
 * `walkForScripts`) holds only folders it reached through folders that are not links, and its
 * entries are typed by the directory itself (a link is typed a link): a file it types a regular
 * file, under the root, is inside the root and reached through no link, which is what `followInput`
 * learns with an `lstat` of the file and of each of its folders. Anything else (a folder, a link, a
 * folder the listing did not read, a name spelled otherwise than the folder spells it) goes the
 * usual way.
 */
function listedFile(listed: ReadonlyMap<string, readonly Dirent[]>, names: Map<string, ReadonlyMap<string, Dirent>>, abs: string): boolean {
  const dir = path.dirname(abs);
  const entries = listed.get(dir);
  if (entries === undefined) return false;
  const name = abs.slice(dir.length + (dir.endsWith(path.sep) ? 0 : 1));
  let entry: Dirent | undefined;
  if (entries.length <= SCANNED_FOLDER_ENTRIES) {
    for (let i = 0; i < entries.length; i++) {
      if (entries[i].name === name) {
        entry = entries[i];
        break;
      }
    }
  } else {
    let byName = names.get(dir);
    if (byName === undefined) names.set(dir, (byName = new Map(entries.map((e) => [e.name, e]))));
    entry = byName.get(name);
  }
  return entry !== undefined && entry.isFile();
}

/** Whether a `files` entry is a `!` glob (not an extglob `!(…)`, which the config refuses). */
export function isNegatedGlob(entry: string): boolean {
  return entry.startsWith('!') && entry[1] !== '(';
}

/**
 * What an existing path (named on the command line, or in `files`) leads to, or why it is not
 * read: it is read only inside the root, never `../x` or `/etc/x`, and never through a link (of the
 * file or a folder above it) that leaves the root or leads nowhere (dangling, a loop).
 */
function followInput(paths: RealPaths, realRoot: string, absRoot: string, abs: string, lst: Stats): { stat: Stats } | { refused: string } {
  let resolved: RealPath | undefined;
  let nowhere: string | undefined;
  try {
    resolved = paths.resolve(abs, lst);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    nowhere = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' || code === 'ENOTDIR' ? 'a symbolic link to a file that does not exist' : `cannot be read (${code ?? 'error'})`;
    resolved = undefined;
  }
  const rel = relativePosix(absRoot, abs);
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return { refused: 'outside the repository; not read' };
  if (nowhere) return { refused: `${nowhere}; not read` };
  if (!resolved || !within(realRoot, resolved.real)) return { refused: 'symbolic link leaves the repository; not followed' };
  return { stat: resolved.stat };
}

/**
 * What a `files` entry that names a path (not a glob) leads to under `root`: a file or a folder to
 * lint, or why nothing (it does not exist, lies outside the root, is a link that leaves it…).
 */
export function followFilesEntry(root: string, entry: string): { kind: 'file' | 'folder' } | { kind: 'nothing'; why: string } {
  const absRoot = path.resolve(root);
  const abs = resolveUnder(absRoot, entry);
  let lst: Stats;
  try {
    lst = lstatSync(abs);
  } catch {
    return { kind: 'nothing', why: 'no such file or directory' };
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(absRoot);
  } catch {
    realRoot = absRoot;
  }
  const target = followInput(new RealPaths(), realRoot, absRoot, abs, lst);
  if ('refused' in target) return { kind: 'nothing', why: target.refused };
  return { kind: target.stat.isDirectory() ? 'folder' : 'file' };
}
