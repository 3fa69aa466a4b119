/**
 * The version of a Python package a repository pins (TRL, whose GRPO batch rule changed four times):
 * read statically from the dependency files a project commits, nearest the config first, never
 * executed, every file through the one resolver (repo-files.ts `readRepoFile`: inside the repository,
 * a regular file, bounded).
 *
 * - `requirements*.txt` (and `.in`): `trl==0.16.1`, `trl[vllm]>=0.17,<0.18` (one requirement a line,
 *   comments and options skipped; `-r other.txt` is not followed);
 * - `pyproject.toml`: PEP 621 `dependencies = ["trl>=0.18"]` and optional groups, Poetry
 *   `trl = "^0.17"` / `trl = { version = "0.17.0" }`;
 * - `setup.py` / `setup.cfg`: `install_requires` entries written as string literals (`'trl==0.19.1'`).
 *
 * `parseVersionRange` turns a specifier into the interval of versions it admits, so a dialect can say
 * which of a framework's behaviours apply. Pure except `packagePinReader`, the engine's I/O side.
 */
import path from 'node:path';
import { decodeUtf8, readRepoFile, type RepoRoot } from './repo-files.js';

export interface PackagePin {
  /** The package as asked for (lower case, `-`). */
  name: string;
  /** The version specifier as written (`==0.16.1`, `>=0.17,<0.18`, `^0.17`). */
  spec: string;
  /** Repository-relative path of the file that pins it, and the line. */
  file: string;
  line: number;
}

/** A version as numbers (`0.17.1` → [0, 17, 1]); missing parts compare as 0. */
export type Version = number[];

/** Versions the specifier admits: `lo` ≤ v < `hi` (either end open when absent). */
export interface VersionRange {
  lo?: Version;
  hi?: Version;
}

/** Files read in each folder, in this order; the first that names the package wins. */
export const PIN_FILES = ['requirements.txt', 'requirements-train.txt', 'requirements_train.txt', 'requirements.in', 'pyproject.toml', 'setup.py', 'setup.cfg'];
/** A dependency file larger than this is not read. */
const MAX_PIN_FILE_BYTES = 256 * 1024;
/** Longest line looked at (a generated file may hold a huge single line). */
const MAX_LINE = 2000;

const norm = (name: string): string => name.toLowerCase().replace(/[_.]+/g, '-');

/** `0.17.1rc1` → [0, 17, 1]; undefined when it does not start with a number. */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d{1,6}(?:\.\d{1,6}){0,3})/.exec(text.trim());
  return m ? m[1].split('.').map(Number) : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The next release after the prefix `v` (`0.17` → `0.18`, `1` → `2`): the end of `==0.17.*` / `~=0.17.0`. */
function bump(v: Version, at: number): Version {
  const out = v.slice(0, at + 1);
  out[at] = (out[at] ?? 0) + 1;
  return out;
}

function tighten(r: VersionRange, lo?: Version, hi?: Version): void {
  if (lo && (!r.lo || compareVersions(lo, r.lo) > 0)) r.lo = lo;
  if (hi && (!r.hi || compareVersions(hi, r.hi) < 0)) r.hi = hi;
}

/**
 * The interval a PEP 440 specifier set (`>=0.17,<0.18`, `==0.16.*`, `~=0.18.0`) or a Poetry constraint
 * (`^0.17`, `~0.17.1`, `0.17.0`) admits; undefined when it cannot be read. `!=` is ignored (it only
 * removes single versions). `>X` is read as `≥` the next patch.
 */
export function parseVersionRange(spec: string): VersionRange | undefined {
  const r: VersionRange = {};
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0 || parts.length > 8) return undefined;
  for (const part of parts) {
    const m = /^(===|==|>=|<=|~=|!=|>|<|\^|~)?\s*(\S{1,40})$/.exec(part);
    if (!m) return undefined;
    const op = m[1] ?? '==';
    const text = m[2];
    if (op === '!=') continue;
    const wildcard = /\.\*$/.test(text);
    const v = parseVersion(text.replace(/\.\*$/, ''));
    if (!v) return undefined;
    switch (op) {
      case '==':
      case '===':
        if (wildcard) tighten(r, v, bump(v, v.length - 1));
        else tighten(r, v, [...v, 0, 0, 0].slice(0, Math.max(v.length, 3)).map((x, i, a) => (i === a.length - 1 ? x + 1 : x)));
        break;
      case '>=':
        tighten(r, v);
        break;
      case '>':
        tighten(r, bump([...v, 0, 0].slice(0, Math.max(v.length, 3)), Math.max(v.length, 3) - 1));
        break;
      case '<':
        tighten(r, undefined, v);
        break;
      case '<=':
        tighten(r, undefined, bump([...v, 0, 0].slice(0, Math.max(v.length, 3)), Math.max(v.length, 3) - 1));
        break;
      case '~=':
        // ~=0.18.0 → >=0.18.0,<0.19; ~=0.18 → >=0.18,<1
        tighten(r, v, bump(v, Math.max(0, v.length - 2)));
        break;
      case '^': {
        // Poetry caret: the first non-zero part may not change.
        const first = v.findIndex((x) => x !== 0);
        tighten(r, v, bump(v, first < 0 ? v.length - 1 : first));
        break;
      }
      case '~':
        tighten(r, v, bump(v, Math.min(1, v.length - 1)));
        break;
    }
  }
  return r;
}

/** Whether [lo, hi) and [from, to) overlap. */
export function overlaps(r: VersionRange, from: Version, to?: Version): boolean {
  if (r.hi && compareVersions(r.hi, from) <= 0) return false;
  if (to && r.lo && compareVersions(r.lo, to) >= 0) return false;
  return true;
}

/** A requirements line without its `#` comment (a `#` at the start or after a blank). */
function withoutComment(line: string): string {
  for (let i = line.indexOf('#'); i >= 0; i = line.indexOf('#', i + 1)) {
    if (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t') return line.slice(0, i);
  }
  return line;
}

/** The specifier written for `pkg` in one dependency file's text, with its line; undefined when it names none. */
export function findPin(fileName: string, text: string, pkg: string): { spec: string; line: number } | undefined {
  const want = norm(pkg);
  const base = path.posix.basename(fileName);
  const lines = text.split('\n');
  const isToml = base === 'pyproject.toml';
  const isReq = /\.(?:txt|in)$/.test(base);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].length > MAX_LINE ? lines[i].slice(0, MAX_LINE) : lines[i];
    if (isReq) {
      const body = withoutComment(line).trim();
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,80})(?:\[[^\]]{0,80}\])?\s*([<>=!~^][^;#@]{0,80})?/.exec(body);
      if (m && norm(m[1]) === want) return m[2] ? { spec: m[2].trim(), line: i + 1 } : undefined;
      continue;
    }
    // A quoted requirement string: "trl>=0.17,<0.18" / 'trl[vllm]==0.19.1'.
    for (const q of line.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]{0,80})(?:\[[^\]"']{0,80}\])?\s*([<>=!~][^"';]{0,80})?(?:;[^"']{0,120})?["']/g)) {
      if (norm(q[1]) === want && q[2]) return { spec: q[2].trim(), line: i + 1 };
    }
    if (isToml) {
      // Poetry: `trl = "^0.17"` or `trl = { version = "0.17.0", … }`.
      const p = /^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,80})\s*=\s*(?:"([^"]{1,80})"|\{[^}]{0,200}?version\s*=\s*"([^"]{1,80})")/.exec(line);
      if (p && norm(p[1]) === want) return { spec: (p[2] ?? p[3]).trim(), line: i + 1 };
    }
    if (base === 'setup.cfg') {
      const c = /^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,80})(?:\[[^\]]{0,80}\])?\s*([<>=!~][^;#]{0,80})\s*$/.exec(line);
      if (c && norm(c[1]) === want) return { spec: c[2].trim(), line: i + 1 };
    }
  }
  return undefined;
}

/**
 * The engine's lookup: the pin of `pkg` nearest a config (its folder, then each parent up to the
 * repository root), read once per folder. `dirOf` gives a file's repository-relative folder.
 */
export function packagePinReader(repo: RepoRoot, dirOf: (rel: string) => string): (rel: string, pkg: string) => PackagePin | undefined {
  const texts = new Map<string, { file: string; text: string }[]>();
  const filesIn = (dir: string): { file: string; text: string }[] => {
    let got = texts.get(dir);
    if (got) return got;
    got = [];
    for (const name of PIN_FILES) {
      const rel = dir === '.' ? name : `${dir}/${name}`;
      const read = readRepoFile(repo, rel, MAX_PIN_FILE_BYTES, 'the dependency-file limit');
      if (!read.ok) continue;
      const text = decodeUtf8(read.bytes);
      if (text !== undefined) got.push({ file: read.rel, text });
    }
    texts.set(dir, got);
    return got;
  };
  return (rel, pkg) => {
    let dir = dirOf(rel);
    for (let depth = 0; depth < 32; depth++) {
      for (const f of filesIn(dir)) {
        const pin = findPin(f.file, f.text, pkg);
        if (pin) return { name: norm(pkg), spec: pin.spec, file: f.file, line: pin.line };
      }
      if (dir === '.' || dir === '' || dir.startsWith('..')) break;
      dir = path.posix.dirname(dir);
    }
    return undefined;
  };
}
