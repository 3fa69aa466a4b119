/**
 * The files a launch script sources (`source ./hparams.env`, `. "$(dirname "$0")/env.sh"`), read for the
 * shell reader (load/shell.ts applies their assignments where the `source` statement is; nothing is run).
 * A path is resolved as bash would look it up: from the folder the script is in at that point (its `cd`s
 * followed as for launch commands), then from the script's own folder, the way trainlint resolves the
 * configs a command names; `$(dirname "$0")/…` and `${BASH_SOURCE[0]}`-built folders are the script's folder.
 * Every read goes through the engine's one resolver: inside the repository, a regular file, a byte limit.
 */
import path from 'node:path';
import type { DirectoryChange, SourceReader } from './launch.js';
import { decodeUtf8, readRepoFile, resolveWritten, type PathBase, type RepoRoot } from './repo-files.js';
import { workdirAfter } from './script-links.js';

/** `$(dirname "$0")`, `$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)` and the like: the script's own folder. */
const SCRIPT_FOLDER = /^\$\((?:[^()]|\([^()]*\))*\)/;

/** A reader of the files the script at `scriptRel` (repository-relative) sources. */
export function sourceReaderFor(repo: RepoRoot, scriptRel: string, maxBytes: number): SourceReader {
  return (written: string, changes: readonly DirectoryChange[]) => {
    const found = resolveSource(repo, scriptRel, written, changes);
    if ('why' in found) return found;
    const read = readRepoFile(repo, found.rel, maxBytes, 'maxFileBytes');
    if (!read.ok) return { why: `${written}: ${read.why}` };
    const text = decodeUtf8(read.bytes);
    return text === undefined ? { why: `${written} is not valid UTF-8` } : { text: text.replace(/^\uFEFF/, ''), rel: found.rel };
  };
}

/** The file a `source` statement of the script at `scriptRel` reads, as the working tree holds it (its absolute and repository-relative paths). */
export function resolveSource(repo: RepoRoot, scriptRel: string, written: string, changes: readonly DirectoryChange[]): { abs: string; rel: string } | { why: string } {
  const bases = basesFor(written, changes, scriptRel, path.posix.dirname(scriptRel));
  if (!bases) return { why: `its path (${written}) is not one trainlint can follow` };
  const found = resolveWritten(repo, bases.written, bases.list);
  if (!found.found) return { why: `${written} is not a file in the repository` };
  return { abs: found.found.abs, rel: found.found.rel };
}

/**
 * A reader of the files a script's base version sources, at the base revision (`--base`): a path is
 * resolved as in the working tree, and its text is the base revision's (`baseTexts`, by the path `key`
 * gives for the file). A path not in `baseTexts` yet is added to `wanted` and read as missing: the caller
 * reads the wanted ones at the base and parses again. A file the base revision does not hold (null in
 * `baseTexts`: the action's synthetic base commit holds only the files it fetched) or that `key` gives no
 * path for (outside the folder the base revision is read in) is read by `outside`, as it is now.
 */
export function baseSourceReader(
  repo: RepoRoot,
  scriptRel: string,
  base: string,
  baseTexts: ReadonlyMap<string, string | null>,
  key: (abs: string) => string | undefined,
  wanted: Set<string>,
  outside: SourceReader,
): SourceReader {
  return (written, changes) => {
    const found = resolveSource(repo, scriptRel, written, changes);
    if ('why' in found) return found;
    const at = key(found.abs);
    // A file git does not read below the linted folder: its current text, as before `--base` read sources.
    if (at === undefined) return outside(written, changes);
    const text = baseTexts.get(at);
    if (text === undefined) {
      wanted.add(at);
      return { why: `${written} is not read at ${base} yet` };
    }
    // Not in the base revision as read (a synthetic base of the action holds only the files it fetched): as it is now.
    return text === null ? outside(written, changes) : { text: text.replace(/^\uFEFF/, ''), rel: found.rel };
  };
}

function basesFor(written: string, changes: readonly DirectoryChange[], scriptRel: string, scriptDir: string): { written: string; list: PathBase[] } | undefined {
  const unquoted = written.replace(/["']/g, '');
  const folder = SCRIPT_FOLDER.exec(unquoted);
  if (folder) {
    if (!/dirname/.test(folder[0]) || !/\$0\b|\$\{0\}|BASH_SOURCE/.test(folder[0])) return undefined;
    const rest = unquoted.slice(folder[0].length).replace(/^\/+/, '');
    if (!rest || /[$`]/.test(rest)) return undefined;
    return { written: rest, list: [{ dir: scriptDir, label: "the launch script's folder" }] };
  }
  if (/[$`~]/.test(unquoted) || path.posix.isAbsolute(unquoted)) return undefined;
  const wd = workdirAfter(changes, scriptRel, scriptDir);
  const list: PathBase[] = [];
  if (wd.dir !== undefined) list.push({ dir: wd.dir, label: wd.label });
  list.push({ dir: scriptDir, label: "the launch script's folder" });
  return { written: unquoted, list };
}
