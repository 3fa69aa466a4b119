/**
 * TOML → ConfigNode tree with positions.
 *
 * smol-toml decides what the document means (values, types, errors). It gives no
 * positions, so a light scanner (`scanToml`) walks the text a second time and records
 * where each key path is written: `[a.b]` / `[[a.b]]` headers (array-of-tables elements
 * are counted), `key = value` lines with dotted and quoted keys, and the items and entries
 * of inline arrays and tables. The tree is built from smol-toml's value and each node
 * looks its path up; a node the scanner could not place gets its closest placed
 * ancestor's range.
 *
 * TOML forbids defining a key twice and Python's tomllib rejects such a file. Those
 * errors become `duplicate-key` problems; the duplicate definition is then blanked out
 * and the text re-parsed, so the tree still comes back (keeping the FIRST definition).
 */
import { parse, TomlError } from 'smol-toml';
import type { ConfigNode, MapEntry, ScalarValue } from '../tree.js';
import type { Range } from '../types.js';
import { computeLineStarts, offsetToPos, rangeOf, stripBom } from './positions.js';
import { MAX_DEPTH, type LoadProblem, type LoadResult } from './result.js';

type Path = (string | number)[];

/** Where one key path is written, as character offsets into the text. */
interface Place {
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
  /** False for tables that only exist because a header or dotted key goes through them. */
  explicit: boolean;
}

/** One explicit definition, kept to explain and repair "already defined" errors. */
interface Definition {
  path: Path;
  keyStart: number;
  keyEnd: number;
  /** The first definition (explicit or implicit) of the same path, if any. */
  prior?: Place;
  /** Characters to blank so that the text parses without this definition. */
  blankStart: number;
  blankEnd: number;
}

interface Scan {
  places: Map<string, Place>;
  definitions: Definition[];
}

const pathKey = (path: Path): string => JSON.stringify(path);

/** `training.lr`, `fruits[1].name`. */
function showPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

class ScanAbort extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]/;
const KEY_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

/** Unescapes the body of a basic (double-quoted) single-line string. */
function unescapeBasic(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return KEY_ESCAPES[e] ?? e;
  });
}

/**
 * Records key positions. Assumes mostly valid TOML (smol-toml has parsed it, or is
 * erroring past the point we care about) but never loops or throws on anything else.
 */
class TomlScanner {
  private i = 0;
  readonly places = new Map<string, Place>();
  readonly definitions: Definition[] = [];
  /** Array-of-tables path → number of elements seen so far. */
  private readonly aotCount = new Map<string, number>();

  constructor(private readonly t: string) {}

  run(): Scan {
    const t = this.t;
    let table: Path = [];
    // The open header section, closed (its end fixed) by the next header or the end of file.
    let section: { places: Place[]; def?: Definition } | undefined;
    let lastEnd = 0;
    const closeSection = (next: number): void => {
      if (!section) return;
      for (const p of section.places) p.end = Math.max(p.end, lastEnd);
      if (section.def) section.def.blankEnd = next;
    };
    while (this.i < t.length) {
      const before = this.i;
      this.skipBlank(true);
      const c = t[this.i];
      if (c === undefined) break;
      if (c === '#') {
        this.skipLine();
      } else if (c === '[') {
        closeSection(this.i);
        const header = this.header();
        table = header.path;
        section = header.section;
        lastEnd = this.i;
      } else {
        this.keyval(table, undefined, 0);
        lastEnd = this.i;
      }
      this.skipLine(); // trailing comment, or junk we do not understand
      if (this.i === before) this.i++; // always make progress
    }
    closeSection(t.length);
    return { places: this.places, definitions: this.definitions };
  }

  /** Skips spaces and tabs (and line breaks and comments when `lines`). */
  private skipBlank(lines: boolean): void {
    const t = this.t;
    while (this.i < t.length) {
      const c = t[this.i];
      if (c === ' ' || c === '\t') this.i++;
      else if (lines && (c === '\n' || c === '\r')) this.i++;
      else if (lines && c === '#') this.skipLine();
      else break;
    }
  }

  /** Moves to the next line break (not past it). */
  private skipLine(): void {
    const nl = this.t.indexOf('\n', this.i);
    this.i = nl === -1 ? this.t.length : nl;
  }

  /** Records a place unless an explicit one exists; returns the prior place if any. */
  private place(path: Path, p: Place): Place | undefined {
    const k = pathKey(path);
    const prior = this.places.get(k);
    if (!prior || (!prior.explicit && p.explicit)) this.places.set(k, p);
    return prior;
  }

  private define(path: Path, p: Place, blankStart: number, blankEnd: number): Definition {
    const prior = this.place(path, p);
    const def: Definition = { path, keyStart: p.keyStart, keyEnd: p.keyEnd, prior, blankStart, blankEnd };
    this.definitions.push(def);
    return def;
  }

  /** A dotted key: its segments and their spans. */
  private key(): { name: string; start: number; end: number }[] {
    const t = this.t;
    const segs: { name: string; start: number; end: number }[] = [];
    for (;;) {
      this.skipBlank(false);
      const start = this.i;
      const q = t[start];
      let name: string;
      if (q === '"' || q === "'") {
        let j = start + 1;
        while (j < t.length && t[j] !== q && t[j] !== '\n') j += q === '"' && t[j] === '\\' ? 2 : 1;
        if (t[j] !== q) throw new ScanAbort();
        const raw = t.slice(start + 1, j);
        name = q === '"' ? unescapeBasic(raw) : raw;
        this.i = j + 1;
      } else {
        while (this.i < t.length && BARE_KEY.test(t[this.i])) this.i++;
        if (this.i === start) throw new ScanAbort();
        name = t.slice(start, this.i);
      }
      segs.push({ name, start, end: this.i });
      // Paths are copied per segment below; a 50k-segment key would cost O(n²).
      if (segs.length > MAX_DEPTH) throw new ScanAbort();
      this.skipBlank(false);
      if (t[this.i] !== '.') return segs;
      this.i++;
    }
  }

  /** `[a.b]` or `[[a.b]]`; returns the table path that following key/values go into. */
  private header(): { path: Path; section: { places: Place[]; def?: Definition } } {
    const t = this.t;
    const start = this.i;
    const aot = t[start + 1] === '[';
    this.i += aot ? 2 : 1;
    const segs = this.key();
    if (t[this.i] !== ']' || (aot && t[this.i + 1] !== ']')) throw new ScanAbort();
    this.i += aot ? 2 : 1;
    const end = this.i;
    const path: Path = [];
    segs.forEach((seg, n) => {
      path.push(seg.name);
      if (n === segs.length - 1) return;
      this.place([...path], { keyStart: seg.start, keyEnd: seg.end, start, end, explicit: false });
      // `[fruits.physical]` after `[[fruits]]` means the LAST element of fruits.
      const count = this.aotCount.get(pathKey(path));
      if (count) path.push(count - 1);
    });
    const header: Place = { keyStart: start, keyEnd: end, start, end, explicit: true };
    if (!aot) {
      const def = this.define([...path], header, start, t.length);
      return { path, section: { places: [header], def } };
    }
    const k = pathKey(path);
    const index = this.aotCount.get(k) ?? 0;
    this.aotCount.set(k, index + 1);
    // The array itself is defined by its first header; its end grows with every element.
    const def = index === 0 ? this.define([...path], { ...header }, start, t.length) : undefined;
    const element: Place = { ...header };
    this.place([...path, index], element);
    const array = this.places.get(k);
    path.push(index);
    return { path, section: { places: array ? [element, array] : [element], def } };
  }

  /** `key = value` inside `table`; `blankFrom` is the comma before an inline-table entry. */
  private keyval(table: Path, blankFrom: number | undefined, depth: number): void {
    const t = this.t;
    const segs = this.key();
    const keyStart = segs[0].start;
    const keyEnd = segs[segs.length - 1].end;
    if (t[this.i] !== '=') throw new ScanAbort();
    this.i++;
    this.skipBlank(false);
    const path = [...table];
    for (const seg of segs.slice(0, -1)) {
      path.push(seg.name);
      this.place([...path], { keyStart: seg.start, keyEnd: seg.end, start: keyStart, end: keyEnd, explicit: false });
    }
    path.push(segs[segs.length - 1].name);
    const value = this.value(path, depth);
    this.define(path, { keyStart, keyEnd, start: value.start, end: value.end, explicit: true }, blankFrom ?? keyStart, value.end);
  }

  /** Scans one value at `this.i`, recording array items and inline-table entries under `path`. */
  private value(path: Path, depth: number): { start: number; end: number } {
    const t = this.t;
    const start = this.i;
    if (depth > MAX_DEPTH) throw new ScanAbort();
    const c = t[start];
    if (t.startsWith('"""', start) || t.startsWith("'''", start)) {
      const q = t.slice(start, start + 3);
      let j = start + 3;
      for (;;) {
        const close = t.indexOf(q, j);
        if (close === -1) throw new ScanAbort();
        // A backslash escapes the next quote in basic strings; count the run of backslashes.
        let bs = 0;
        while (q === '"""' && t[close - 1 - bs] === '\\') bs++;
        if (bs % 2 === 1) {
          j = close + 1;
          continue;
        }
        j = close + 3;
        // Up to two quotes may sit right before the closing delimiter: `""""x""""`.
        for (let extra = 0; extra < 2 && t[j] === q[0]; extra++) j++;
        break;
      }
      this.i = j;
    } else if (c === '"' || c === "'") {
      let j = start + 1;
      while (j < t.length && t[j] !== c && t[j] !== '\n') j += c === '"' && t[j] === '\\' ? 2 : 1;
      this.i = Math.min(j + 1, t.length);
    } else if (c === '[') {
      this.i++;
      for (let index = 0; ; index++) {
        this.skipBlank(true);
        if (t[this.i] === ']' || this.i >= t.length) break;
        const item = this.value([...path, index], depth + 1);
        this.place([...path, index], { keyStart: item.start, keyEnd: item.end, ...item, explicit: true });
        this.skipBlank(true);
        if (t[this.i] === ',') this.i++;
        else if (t[this.i] !== ']') throw new ScanAbort();
      }
      this.i++;
    } else if (c === '{') {
      this.i++;
      let comma: number | undefined;
      for (;;) {
        this.skipBlank(true); // TOML 1.1 (and smol-toml) allow line breaks in inline tables
        if (t[this.i] === '}' || this.i >= t.length) break;
        this.keyval(path, comma, depth + 1);
        this.skipBlank(true);
        if (t[this.i] === ',') comma = this.i++;
        else if (t[this.i] !== '}') throw new ScanAbort();
      }
      this.i++;
    } else {
      // Numbers, booleans, dates: up to a delimiter, minus trailing blanks
      // (a local date-time may contain one space: `1979-05-27 07:32:00`).
      let j = start;
      while (j < t.length && !',]}#\n\r'.includes(t[j])) j++;
      let end = j;
      while (end > start && (t[end - 1] === ' ' || t[end - 1] === '\t')) end--;
      this.i = end;
      if (end === start) throw new ScanAbort();
    }
    return { start, end: Math.min(this.i, t.length) };
  }
}

/** Runs the scanner; a scanner failure only costs positions, never the load. */
function scanToml(text: string): Scan {
  const scanner = new TomlScanner(text);
  try {
    return scanner.run();
  } catch {
    return { places: scanner.places, definitions: scanner.definitions };
  }
}

/** smol-toml's TomlDate extends Date (checked by tag too, in case of another realm's Date). */
function isDate(v: unknown): v is Date {
  return v instanceof Date || Object.prototype.toString.call(v) === '[object Date]';
}

class DepthError extends Error {
  constructor(readonly range: Range) {
    super(`nesting deeper than ${MAX_DEPTH} levels`);
  }
}

/** Builds the tree from smol-toml's value, taking ranges from the scan. */
function buildTree(text: string, value: unknown, scan: Scan): ConfigNode {
  const starts = computeLineStarts(text);
  const span = (a: number, b: number): Range => rangeOf(starts, a, b);
  const rootRange = span(0, Math.max(text.length, 1));

  const build = (v: unknown, path: Path, inherited: Range, depth: number): ConfigNode => {
    const place = path.length ? scan.places.get(pathKey(path)) : undefined;
    const range = path.length === 0 ? rootRange : place ? span(place.start, place.end) : inherited;
    const raw = place ? text.slice(place.start, place.end) : undefined;
    if (Array.isArray(v) || (typeof v === 'object' && v !== null && !isDate(v))) {
      // Checked before recursing: a 100k-segment dotted key must not overflow the stack.
      if (depth > MAX_DEPTH) throw new DepthError(range);
      if (Array.isArray(v)) {
        return { kind: 'seq', items: v.map((item, i) => build(item, [...path, i], range, depth + 1)), range };
      }
      const entries: MapEntry[] = Object.entries(v as Record<string, unknown>).map(([key, child]) => {
        const childPath = [...path, key];
        const childPlace = scan.places.get(pathKey(childPath));
        const keyRange = childPlace ? span(childPlace.keyStart, childPlace.keyEnd) : range;
        return { key, keyRange, value: build(child, childPath, range, depth + 1) };
      });
      return { kind: 'map', entries, range };
    }
    if (typeof v === 'string') return { kind: 'scalar', value: v, source: v, plain: false, range };
    let scalar: ScalarValue;
    if (isDate(v)) scalar = v.toISOString(); // TomlDate prints the form written (local date, time, offset)
    else if (typeof v === 'bigint') scalar = Number(v); // beyond 2^53: lossy, `source` keeps the digits
    else scalar = v as ScalarValue;
    return { kind: 'scalar', value: scalar, source: raw ?? String(scalar), plain: true, range };
  };
  return build(value, [], rootRange, 1);
}

/** Replaces [start, end) with spaces, keeping line breaks so every offset stays put. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

/**
 * At most this many duplicate definitions are repaired before giving up on a tree. Each repair
 * re-parses the whole file, so this bounds a flood of duplicates to 20 linear passes.
 */
const MAX_REPAIRS = 20;

/** Loads TOML; see the module comment for how duplicates are handled. */
export function loadToml(text: string): LoadResult {
  let src = stripBom(text);
  const starts = computeLineStarts(src);
  const problems: LoadProblem[] = [];
  const point = (offset: number): Range => rangeOf(starts, offset, offset + 1);
  let value: unknown;
  for (let repairs = 0; ; repairs++) {
    try {
      value = parse(src, { integersAsBigInt: 'asNeeded', maxDepth: MAX_DEPTH, unsafeKeyBehaviour: 'keep' });
      break;
    } catch (err) {
      if (!(err instanceof TomlError)) {
        // Not expected from smol-toml, but a loader must never throw on content.
        problems.push({ kind: 'parse-error', message: `invalid TOML: ${String(err)}`, range: point(0) });
        return { problems };
      }
      // smol-toml's message is "Invalid TOML document: <what>\n\n<code frame>".
      const what = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      const offset = starts[Math.min(err.line, starts.length) - 1] + err.column - 1;
      if (!/already defined/.test(what)) {
        problems.push({ kind: 'parse-error', message: `invalid TOML: ${what}`, range: point(offset) });
        return { problems };
      }
      // A redefinition: find the definition smol-toml points at (its key start).
      const def = scanToml(src).definitions.find((d) => d.keyStart <= offset && offset <= d.keyEnd);
      if (!def) {
        problems.push({ kind: 'duplicate-key', message: `invalid TOML: ${what}`, range: point(offset) });
        return { problems };
      }
      const first = def.prior ? ` (first at line ${offsetToPos(starts, def.prior.keyStart).line})` : '';
      problems.push({
        kind: 'duplicate-key',
        message: `duplicate key "${showPath(def.path)}"${first}; TOML forbids redefining a key, so the file does not load (tomllib raises)`,
        range: rangeOf(starts, def.keyStart, def.keyEnd),
      });
      if (repairs >= MAX_REPAIRS) return { problems };
      src = blank(src, def.blankStart, def.blankEnd);
    }
  }
  try {
    return { tree: buildTree(src, value, scanToml(src)), problems };
  } catch (err) {
    if (!(err instanceof DepthError)) throw err;
    problems.push({ kind: 'parse-error', message: `invalid TOML: ${err.message}`, range: err.range });
    return { problems };
  }
}
