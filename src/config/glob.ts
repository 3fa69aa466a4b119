/**
 * Globs (`files:`, `ignore:`, `overrides[].files`, `schemas[].files`, globs on the command line)
 * matched in time linear in the file name. A glob is translated to an RE2 pattern and run by
 * re2js: no backtracking, so `*a*a*a…*b` against a 200-character name from a pull request costs
 * microseconds, and a line break in a name is an ordinary character (`configs/**` matches
 * `configs/a\nb.yaml`). Patterns are bounded in length when the config loads.
 *
 * Syntax (paths are POSIX and relative to the root; dot files match like any other):
 *  - `*` any characters but `/`; `?` one character but `/`; `[abc]`, `[a-z]`, `[!a]` / `[^a]`
 *    (a negated class never matches `/`), POSIX classes such as `[[:alpha:]]`; `\x` a literal x;
 *  - `**` as a whole segment: any number of segments (`a/**` also matches `a`; `a/**\/b` matches
 *    `a/b`); `**` inside a segment: any characters, `/` included;
 *  - `{a,b}` alternatives (nested, may contain `/`), `{1..5}` and `{a..e}` ranges;
 *  - `@(a|b)`, `?(a|b)`, `+(a|b)`, `*(a|b)` extglobs (`!(…)` is not supported: no linear engine
 *    can run it);
 *  - a leading `!` negates the pattern; a leading `./` is ignored.
 *
 * A list of globs is read in order, as `.gitignore` is: a path is selected when the last entry
 * that matches it is a plain glob, and not selected when that entry is a `!` glob (`['configs/**',
 * '!configs/legacy/**']` is every file under configs/ but those under configs/legacy/). A list that
 * starts with a `!` glob starts from every path (`'!legacy/**'` alone is everything but legacy/).
 */
import { RE2JS } from 're2js';

/** Longest glob accepted. */
export const MAX_GLOB_LENGTH = 1024;
/** Deepest nesting of braces and extglobs. */
const MAX_NESTING = 16;
/** Most numbers or letters one `{a..b}` range may stand for. */
const MAX_RANGE = 1000;

export class GlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobError';
  }
}

/** A short, printable form of a (possibly huge or hostile) glob for messages. */
export function showGlob(glob: string): string {
  const shown = glob.length > 40 ? `${glob.slice(0, 40)}…` : glob;
  return JSON.stringify(shown);
}

const SPECIAL = new Set([...'\\.+*?()|[]{}^$']);

function literal(c: string): string {
  return SPECIAL.has(c) ? `\\${c}` : c;
}

/** A character inside an RE2 bracket class. */
function classChar(c: string): string {
  return `\\x{${(c.codePointAt(0) ?? 0).toString(16)}}`;
}

const POSIX = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);

class Translator {
  private depth = 0;

  constructor(private readonly glob: string) {}

  /** Index of the bracket closing the one opened at `open` (`{`…`}` or `(`…`)`), or -1. */
  private closing(open: number, opener: string, closer: string): number {
    let level = 0;
    for (let i = open; i < this.glob.length; i++) {
      const c = this.glob[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === opener) level++;
      else if (c === closer && --level === 0) return i;
    }
    return -1;
  }

  /** Split `[from, to)` at top-level `sep` characters (outside braces, parentheses, classes). */
  private split(from: number, to: number, sep: string): [number, number][] {
    const parts: [number, number][] = [];
    let level = 0;
    let start = from;
    for (let i = from; i < to; i++) {
      const c = this.glob[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '{' || c === '(') level++;
      else if (c === '}' || c === ')') level--;
      else if (c === sep && level === 0) {
        parts.push([start, i]);
        start = i + 1;
      }
    }
    parts.push([start, to]);
    return parts;
  }

  /** `[...]` at `i`: the RE2 class and the index after it, or undefined when it does not close. */
  private bracket(i: number): [string, number] | undefined {
    let j = i + 1;
    let negated = false;
    if (this.glob[j] === '!' || this.glob[j] === '^') {
      negated = true;
      j++;
    }
    let body = '';
    let first = true;
    for (; j < this.glob.length; j++) {
      const c = this.glob[j];
      if (c === ']' && !first) return [negated ? `[^/${body}]` : `[${body}]`, j + 1];
      first = false;
      if (c === '[' && this.glob[j + 1] === ':') {
        const end = this.glob.indexOf(':]', j + 2);
        const name = end > 0 ? this.glob.slice(j + 2, end) : '';
        if (POSIX.has(name)) {
          body += `[:${name}:]`;
          j = end + 1;
          continue;
        }
      }
      if (c === '\\' && j + 1 < this.glob.length) {
        body += classChar(this.glob[++j]);
      } else if (c === '-' && body !== '' && this.glob[j + 1] !== ']' && j + 1 < this.glob.length) {
        body += '-';
      } else {
        body += classChar(c);
      }
    }
    return undefined;
  }

  /** `{a..b}` ranges of integers or single letters, as an alternation. */
  private range(text: string): string | undefined {
    const num = /^(-?\d{1,9})\.\.(-?\d{1,9})$/.exec(text);
    const chr = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(text);
    if (!num && !chr) return undefined;
    const [a, b] = num ? [Number(num[1]), Number(num[2])] : [chr![1].charCodeAt(0), chr![2].charCodeAt(0)];
    if (Math.abs(b - a) + 1 > MAX_RANGE) throw new GlobError(`the range {${text}} stands for more than ${MAX_RANGE} values`);
    const out: string[] = [];
    const step = a <= b ? 1 : -1;
    for (let v = a; v !== b + step; v += step) out.push(num ? String(v).replace('-', '\\-') : literal(String.fromCharCode(v)));
    return `(?:${out.join('|')})`;
  }

  /** Translate `[from, to)`; `segStart` says whether `from` begins a path segment. */
  translate(from: number, to: number, segStart: boolean): string {
    if (++this.depth > MAX_NESTING) throw new GlobError(`braces or extglobs nested more than ${MAX_NESTING} deep`);
    let out = '';
    let atStart = segStart;
    for (let i = from; i < to; ) {
      const c = this.glob[i];
      const next = this.glob[i + 1];
      if (c === '\\') {
        out += literal(i + 1 < to ? this.glob[i + 1] : '\\');
        i += 2;
        atStart = false;
        continue;
      }
      if ((c === '@' || c === '?' || c === '+' || c === '*' || c === '!') && next === '(') {
        const close = this.closing(i + 1, '(', ')');
        if (close > 0 && close < to) {
          if (c === '!') throw new GlobError('the extglob !(…) is not supported (no linear-time engine can run it); list the names to keep instead');
          const alts = this.split(i + 2, close, '|').map(([a, b]) => this.translate(a, b, atStart));
          const group = `(?:${alts.join('|')})`;
          out += c === '@' ? group : c === '?' ? `${group}?` : c === '+' ? `${group}+` : `${group}*`;
          i = close + 1;
          atStart = false;
          continue;
        }
      }
      if (c === '*') {
        let j = i;
        while (j < to && this.glob[j] === '*') j++;
        const stars = j - i;
        const segEnd = j === to || this.glob[j] === '/';
        if (stars >= 2 && atStart && segEnd) {
          if (j < to) {
            // `**/`: any number of whole segments, each followed by `/`.
            out += '(?:(?s:.)*/)?';
            i = j + 1;
            atStart = true;
            continue;
          }
          out += '(?s:.)*';
          i = j;
          continue;
        }
        out += stars >= 2 ? '(?s:.)*' : '[^/]*';
        i = j;
        atStart = false;
        continue;
      }
      if (c === '?') {
        out += '[^/]';
        i++;
        atStart = false;
        continue;
      }
      if (c === '[') {
        const cls = this.bracket(i);
        if (cls && cls[1] <= to) {
          out += cls[0];
          i = cls[1];
          atStart = false;
          continue;
        }
      }
      if (c === '{') {
        const close = this.closing(i, '{', '}');
        if (close > 0 && close < to) {
          const inner = this.glob.slice(i + 1, close);
          const range = this.range(inner);
          const alts = range ? undefined : this.split(i + 1, close, ',');
          if (range || (alts && alts.length > 1)) {
            out += range ?? `(?:${alts!.map(([a, b]) => this.translate(a, b, atStart)).join('|')})`;
            i = close + 1;
            atStart = false;
            continue;
          }
        }
      }
      if (c === '/') {
        // `a/**` at the very end also matches `a` itself.
        if (i + 1 < to && this.glob.slice(i + 1, to) === '**' && to === this.glob.length) {
          out += '(?:/(?s:.)*)?';
          i = to;
          continue;
        }
        out += '/';
        i++;
        atStart = true;
        continue;
      }
      out += literal(c);
      i++;
      atStart = false;
    }
    this.depth--;
    return out;
  }
}

export interface CompiledGlob {
  negated: boolean;
  /** The RE2 pattern the glob became (anchored). */
  source: string;
  /** Whether the glob selects the path (a negated glob: the path does not match its pattern). */
  test(path: string): boolean;
  /** Whether the path matches the pattern, the `!` aside. */
  matches(path: string): boolean;
  /**
   * The leading segments of the pattern that hold no wildcard (`configs/new` for `configs/new/**`
   * and for `configs/new`, '' for `**\/x.yaml`): every path the pattern matches starts with them.
   */
  literalPrefix: string;
}

/** Compile one glob; throws GlobError with the reason when it is refused. */
export function compileGlob(glob: string): CompiledGlob {
  if (glob.length > MAX_GLOB_LENGTH) throw new GlobError(`is ${glob.length} characters, over the ${MAX_GLOB_LENGTH}-character limit`);
  let body = glob;
  const negated = body.startsWith('!') && body[1] !== '(';
  if (negated) body = body.slice(1);
  while (body.startsWith('./')) body = body.slice(2);
  // `**/**` is `**` (so `a/**/**` also matches `a`).
  body = body.replace(/(^|\/)\*\*(?:\/\*\*)+(?=\/|$)/g, '$1**');
  const source = `^(?:${new Translator(body).translate(0, body.length, true)})$`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw new GlobError(`cannot be compiled (${(err as Error).message.split('\n')[0]})`);
  }
  return { negated, source, test: (p: string) => re.test(p) !== negated, matches: (p: string) => re.test(p), literalPrefix: literalPrefixOf(body) };
}

/** The leading segments of a glob (after `!` and `./`) without any wildcard, escape, class, brace or extglob. */
function literalPrefixOf(body: string): string {
  const literal: string[] = [];
  for (const segment of body.split('/')) {
    if (segment === '' || /[\\*?[\]{}()@!+]/.test(segment)) break;
    literal.push(segment);
  }
  return literal.join('/');
}

/** Whether a path on the command line is a glob (an unescaped wildcard, class, brace or extglob). */
export function isGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '*' || c === '?' || c === '[' || c === '{') return true;
    if ((c === '@' || c === '+' || c === '!') && pattern[i + 1] === '(') return true;
  }
  return false;
}

/**
 * Whether an ordered list selects the path: the last entry that matches it decides (a `!` entry
 * deselects); when none matches, the path is selected only if the list starts with a `!` entry.
 * `also` gives further paths that count as the path (its folders, for `ignore`).
 */
function selects(compiled: readonly CompiledGlob[], p: string, also?: readonly string[]): boolean {
  for (let i = compiled.length - 1; i >= 0; i--) {
    const g = compiled[i];
    if (!underPrefix(g, p)) continue;
    if (g.matches(p) || (also !== undefined && also.some((a) => g.matches(a)))) return !g.negated;
  }
  return compiled[0].negated;
}

/**
 * Whether `p` starts with the glob's literal segments: a cheap test that must hold for the glob to
 * match `p` or any folder above it (a folder above `p` is a prefix of it).
 */
export function underPrefix(glob: CompiledGlob, p: string): boolean {
  const prefix = glob.literalPrefix;
  return prefix === '' || p === prefix || (p.startsWith(prefix) && p[prefix.length] === '/');
}

/**
 * One matcher for a list of globs, read in order (see the top of this file): `['a/**', '!a/b/**']`
 * selects a/x but not a/b/x; `['!a/**']` selects everything but a/.
 */
export function compileGlobs(globs: string[]): (path: string) => boolean {
  const compiled = globs.map(compileGlob);
  if (compiled.length === 0) return () => false;
  if (compiled.length === 1) return compiled[0].test;
  if (!compiled.some((g) => g.negated)) return (p) => compiled.some((g) => g.matches(p));
  return (p) => selects(compiled, p);
}

/** The `ignore` list of `.trainlint.yml`, for a walk of the repository. */
export interface IgnoreMatcher {
  /** Whether a file is ignored: by an entry that matches it or one of its folders, the last such entry deciding. */
  ignores(path: string): boolean;
  /** `ignores` for a file a walk reached, having skipped every folder `skipsFolder` said (cheaper). */
  ignoresWalked(path: string): boolean;
  /** Whether a folder can be skipped whole: it is ignored, and no `!` entry may take back a path below it. */
  skipsFolder(path: string): boolean;
}

/** The folders above a POSIX path, nearest last: `a/b/c.yaml` → `a`, `a/b`. */
export function foldersOf(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

/** Whether a pattern whose literal folders are `prefix` may match a path below the folder `dir`. */
function mayMatchBelow(prefix: string, dir: string): boolean {
  return prefix === '' || prefix === dir || prefix.startsWith(`${dir}/`) || dir.startsWith(`${prefix}/`);
}

/**
 * The `ignore` list read in order, as `.gitignore` is: `['configs/**', '!configs/new/**']` ignores
 * configs/ but for configs/new/. An entry naming a folder ignores everything in it. Without `!`
 * entries a walk skips each ignored folder whole; a folder below which a `!` entry may match is
 * walked, and its files decided one by one.
 */
export function compileIgnore(globs: string[]): IgnoreMatcher {
  const compiled = globs.map(compileGlob);
  if (compiled.length === 0) return { ignores: () => false, ignoresWalked: () => false, skipsFolder: () => false };
  const negations = compiled.filter((g) => g.negated);
  if (negations.length === 0) {
    // A walk never reaches the files of a skipped folder: testing the path alone is enough there.
    const any = (p: string) => compiled.some((g) => g.matches(p));
    return { ignores: (p) => any(p) || foldersOf(p).some(any), ignoresWalked: any, skipsFolder: any };
  }
  const ignores = (p: string) => selects(compiled, p, foldersOf(p));
  return {
    ignores,
    ignoresWalked: ignores,
    skipsFolder: (dir) => ignores(dir) && !negations.some((g) => mayMatchBelow(g.literalPrefix, dir)),
  };
}
