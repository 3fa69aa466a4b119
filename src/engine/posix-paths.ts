/**
 * Paths between the operating system's form and the POSIX, root-relative form of results and
 * reports, with fast paths for the common case (a normalised root, a plain relative path) that
 * give exactly what `path.relative` and `path.resolve` give: a large run converts every file's
 * path several times.
 */
import path from 'node:path';

/** A path with POSIX separators. */
export function toPosix(p: string): string {
  // On POSIX systems the path is already in that form (no split and join of every path).
  if (path.sep === '/') return p;
  return p.split(path.sep).join('/');
}

/** A path relative to `from`, in POSIX form ('../scripts/train.sh' when outside it). */
export function relativePosix(from: string, abs: string): string {
  // Fast path, the same answer as path.relative: `abs` below `from`, both absolute and normalised.
  if (abs.length > from.length + 1 && abs.startsWith(from) && abs[from.length] === path.sep && isNormalisedAbsolute(from)) {
    const rest = abs.slice(from.length + 1);
    if (!ODD_SEGMENT.test(rest)) return path.sep === '/' ? rest : toPosix(rest);
  }
  return toPosix(path.relative(from, abs)) || '.';
}

/**
 * `path.resolve(root, rel)` for an absolute root: a plain relative path (no empty, `.` or `..`
 * segment, no trailing separator) under a normalised root is joined to it at once, as
 * path.resolve would give it; anything else (and every path on Windows) goes through path.resolve.
 */
export function resolveUnder(root: string, rel: string): string {
  if (path.sep === '/' && rel.length > 0 && !ODD_SEGMENT.test(rel) && isNormalisedAbsolute(root)) return root === '/' ? `/${rel}` : `${root}/${rel}`;
  return path.resolve(root, rel);
}

/** An empty, `.` or `..` segment, or a trailing separator (either separator: Windows takes both). */
const ODD_SEGMENT = /(^|[\\/])\.{0,2}([\\/]|$)/;

/** Roots known to be normalised: callers pass a few (the lint root, the repository root) many times. */
const normalised = new Set<string>();
const MAX_NORMALISED = 16;

/** `p` is what path.resolve gives for it. */
function isNormalisedAbsolute(p: string): boolean {
  if (normalised.has(p)) return true;
  if (!path.isAbsolute(p) || path.resolve(p) !== p || (p.length > 1 && p.endsWith(path.sep))) return false;
  if (normalised.size >= MAX_NORMALISED) normalised.clear();
  normalised.add(p);
  return true;
}

/**
 * Whether a POSIX path is relative and already what `path.posix.normalize` makes of it: not empty,
 * every segment non-empty (no leading, doubled or trailing '/') and neither '.' nor '..'.
 */
export function isPlainRelative(p: string): boolean {
  let start = 0;
  for (;;) {
    const end = p.indexOf('/', start);
    const stop = end === -1 ? p.length : end;
    const len = stop - start;
    if (len === 0) return false;
    if (p.charCodeAt(start) === 46 && (len === 1 || (len === 2 && p.charCodeAt(start + 1) === 46))) return false;
    if (end === -1) return true;
    start = end + 1;
  }
}

/** `path.posix.normalize(path.posix.join(dir, written))`, joined directly when both are plain already. */
export function joinedUnder(dir: string, written: string, plainWritten: boolean): string {
  if (plainWritten) {
    if (dir === '.') return written;
    if (isPlainRelative(dir)) return `${dir}/${written}`;
  }
  return path.posix.normalize(path.posix.join(dir, written));
}
