/**
 * Real paths (symbolic links resolved) for many files of one repository, at one `lstat` a file.
 *
 * `fs.realpathSync` walks every component of the path with an `lstat` each, on every call: for
 * 5,000 files five folders deep that is tens of thousands of system calls, most of them for the
 * same folders. Here the real path of a folder is worked out once per run and kept; a file that
 * is not itself a link is its folder's real path plus its name, so it costs the one `lstat` that
 * also says what kind of file it is. A link (file or folder) is resolved by the operating system
 * (`realpathSync.native`), so loops and dangling links fail exactly as `realpathSync` fails
 * (ELOOP, ENOENT). Folders are cached for the life of the cache: create one per lint run.
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

export interface RealPath {
  /** The real path. */
  real: string;
  /** `stat` of the real path (of the link's target for a link). */
  stat: Stats;
}

export class RealPaths {
  private readonly folders = new Map<string, string>();

  /**
   * The real path of an absolute path and what it is; throws the error `realpathSync` throws
   * for a path that does not resolve (its `code`: ENOENT, ENOTDIR, ELOOP, EACCES…). `lst` is
   * the path's `lstat` when the caller has it already.
   */
  resolve(abs: string, lst: Stats = lstatSync(abs)): RealPath {
    if (lst.isSymbolicLink()) {
      const real = realpathSync.native(abs);
      return { real, stat: statSync(real) };
    }
    const dir = path.dirname(abs);
    if (dir === abs) return { real: abs, stat: lst };
    const realDir = this.folder(dir);
    return { real: realDir === dir ? abs : path.join(realDir, path.basename(abs)), stat: lst };
  }

  /**
   * `resolve`, except that a path that does not exist gives undefined instead of the ENOENT
   * error: a config's dataset and include lookups miss often, and a thrown error costs about ten
   * times the `lstat` itself.
   */
  resolveIfExists(abs: string): RealPath | undefined {
    const lst = lstatSync(abs, { throwIfNoEntry: false });
    return lst ? this.resolve(abs, lst) : undefined;
  }

  private folder(dir: string): string {
    const known = this.folders.get(dir);
    if (known !== undefined) return known;
    const { real, stat } = this.resolve(dir);
    if (!stat.isDirectory()) {
      const err = new Error(`ENOTDIR: not a directory, realpath '${dir}'`) as NodeJS.ErrnoException;
      err.code = 'ENOTDIR';
      throw err;
    }
    this.folders.set(dir, real);
    return real;
  }
}
