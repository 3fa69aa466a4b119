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
  const scriptDir = path.posix.dirname(scriptRel);
  return (written: string, changes: readonly DirectoryChange[]) => {
    const bases = basesFor(written, changes, scriptRel, scriptDir);
    if (!bases) return { why: `its path (${written}) is not one trainlint can follow` };
    const rel = bases.written;
    const found = resolveWritten(repo, rel, bases.list);
    if (!found.found) return { why: `${written} is not a file in the repository` };
    const read = readRepoFile(repo, found.found.rel, maxBytes, 'maxFileBytes');
    if (!read.ok) return { why: `${written}: ${read.why}` };
    const text = decodeUtf8(read.bytes);
    return text === undefined ? { why: `${written} is not valid UTF-8` } : { text: text.replace(/^\uFEFF/, '') };
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
