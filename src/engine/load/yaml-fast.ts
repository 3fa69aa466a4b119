/**
 * A fast path for the YAML most training configs are written in: block mappings and
 * sequences of scalars (plain, also over several lines; single- and double-quoted on one line;
 * block scalars `|`/`>` with `-`/`+` chomping), flow collections (also over several lines, on
 * the line below their key, and a whole document as one), anchors and aliases, and comments.
 * It builds the same ConfigNode tree as the `yaml` package path in yaml.ts, with the same ranges
 * (including where `yaml` ends a collection after trailing comments), the same PyYAML 1.1 typing
 * (it uses that path's own scalar tags) and the same duplicate-key problems (each once, at the
 * anchored node's keys, however many aliases copy it, as the `yaml` path's build() does), in one
 * pass over the text without building a CST or a Document.
 *
 * Merge keys (`<<: *base`, `<<: [*a, *b]`) in block mappings are merged as the `yaml` path merges
 * them; CR LF line ends are read as LF.
 *
 * Anything outside that subset returns undefined and yaml.ts parses the file with `yaml`,
 * which then also reports every error: merge keys in flow mappings, tags, block scalar
 * indentation indicators, multi-line quoted scalars, tabs, other CRs, directives, document
 * markers, several documents, aliases that would add more than FAST_ALIAS_NODES nodes (the `yaml` path applies
 * the alias bound), layouts of comments whose ranges it does not model, and every construct
 * that would be an error. The fast path never reports an error of its own.
 * __tests__/yaml-fast.test.ts compares both paths node by node.
 */
import { adoptMapIndex, MAP_SCAN_UP_TO, type ConfigNode, type MapEntry, type MapNode, type ScalarNode, type ScalarValue } from '../tree.js';
import type { Range } from '../types.js';
import type { LoadProblem, LoadResult } from './result.js';
import { lineAt } from './positions.js';

/** What a PlainResolver returns for a scalar it leaves to the `yaml` path. */
export const LEAVE_TO_YAML: unique symbol = Symbol('leave to the yaml path');
/** How plain scalars are typed: `(text, atKey) => value`, or LEAVE_TO_YAML when it cannot be done here (no object per scalar). */
export type PlainResolver = (text: string, atKey: boolean) => ScalarValue | typeof LEAVE_TO_YAML;

/**
 * The keys of a mapping being read, for duplicates: its entries are scanned while they are few
 * (most mappings of a config), and indexed once they are more (a Map per mapping costs more than
 * the scan). The index holds each key's last position, as the tree's own index of the mapping
 * does: a mapping read without merge keys hands it over (tree.ts `adoptMapIndex`).
 */
interface KeysSeen {
  /**
   * While the keys are scanned: one bit per key of a hash of its length and end characters. Most
   * keys are new and find their bit clear: no scan.
   */
  mask: number;
  index: Map<string, number> | undefined;
}

/** KeysSeen of a mapping with no entries yet. */
function keysSeen(): KeysSeen {
  return { mask: 0, index: undefined };
}

/**
 * The range of the first entry of `entries` with `key`, if any; `key` is recorded at the position
 * its entry will take (the caller then appends it). `seen` indexes the keys once they are many.
 */
function firstKeyRange(entries: MapEntry[], seen: KeysSeen, key: string): Range | undefined {
  if (seen.index === undefined) {
    const n = key.length;
    const bit = 1 << ((n + key.charCodeAt(0) * 7 + key.charCodeAt(n - 1) * 13) & 31);
    if ((seen.mask & bit) !== 0) {
      for (let i = 0; i < entries.length; i++) if (entries[i].key === key) return entries[i].keyRange;
    }
    seen.mask |= bit;
    if (entries.length < MAP_SCAN_UP_TO) return undefined;
    seen.index = new Map();
    for (let i = 0; i < entries.length; i++) seen.index.set(entries[i].key, i);
  }
  // One hash lookup: the index grows when the key is new.
  const size = seen.index.size;
  seen.index.set(key, entries.length);
  if (seen.index.size !== size) return undefined;
  // A duplicate (rare): where the key was first written.
  for (let i = 0; i < entries.length; i++) if (entries[i].key === key) return entries[i].keyRange;
  return undefined;
}

/** A mapping read as `entries` with `seen`: its own index, when `seen` built one. */
function mapNode(entries: MapEntry[], seen: KeysSeen, range: Range): MapNode {
  const node: MapNode = { kind: 'map', entries, range };
  if (seen.index !== undefined) adoptMapIndex(node, seen.index);
  return node;
}

/** What `blockKey` gives for a plain `<<`: a merge key, not an entry. */
const MERGE_KEY: unique symbol = Symbol('merge key');

/**
 * The entries that a merge key's sources add to a mapping, as PyYAML merges (both YAML paths use
 * it): the value's mapping, or each mapping of a sequence value, later sources first so that
 * earlier ones win; other values add nothing. Duplicate keys among them are not the mapping's own
 * (they were reported where written).
 */
export function mergeInto(merged: MapEntry[], sources: readonly ConfigNode[]): void {
  for (let s = sources.length - 1; s >= 0; s--) {
    const source = sources[s];
    if (source.kind === 'map') for (const entry of source.entries) merged.push(entry);
  }
}

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

const SPACE = 0x20;
const NL = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;

/** YAML's one-character escapes in double-quoted scalars (a line break after `\\` is not single-line: not here). */
const DQ_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** Anchor and alias names the fast path reads (others go to the `yaml` path). */
const ANCHOR_NAME = /[A-Za-z0-9_.-]+/y;
/**
 * Nodes (and scalar characters) that aliases may add on the fast path: far below the `yaml`
 * path's bounds (MAX_ALIAS_NODES, MAX_ALIAS_CHARS in yaml.ts), which judge every file beyond.
 */
const FAST_ALIAS_NODES = 10_000;
const FAST_ALIAS_CHARS = 1_000_000;

/**
 * The deepest node an alias copy may hold. The `yaml` path counts one more level per alias on the
 * way down and each alias stands at least one level deep, so its depth stays under twice this,
 * inside its MAX_DEPTH (64): the fast path never takes a file the `yaml` path finds too deep.
 */
const MAX_ALIAS_COPY_DEPTH = 30;

/** Nesting the fast path handles; deeper files go to the `yaml` path (and its depth limit). */
const MAX_FAST_DEPTH = 40;

/** Characters that make the fast path step aside: tabs, CR, other line breaks, controls. */
const UNSUPPORTED_CHARS = /[\t\r\u0085\u2028\u2029\x00-\x08\x0b-\x1f\x7f\ufeff]/;
/**
 * Anything but LF and printable ASCII: a text without it holds none of UNSUPPORTED_CHARS, and this
 * test (one range of a class) costs a fifth less per character than theirs; most configs are ASCII.
 */
const NOT_PRINTABLE_ASCII = /[^\n -~]/;

/**
 * Line starts of the text being read, kept between files (no array per file; one file is read at
 * a time). Texts of more lines than LINE_STARTS_KEPT get an array of their own.
 */
let lineStartsBuffer = new Int32Array(4096);
const LINE_STARTS_KEPT = 1 << 16;

/** No trailing comments. */
const NO_TRAIL = -1;

/** An anchored node (an alias copies it; the problems found while building it are reported once, there). */
interface Anchored {
  node: ConfigNode;
  /** Definitions in document order: an alias names the last one before it, also when nested in another. */
  order: number;
}

/** PLAIN_START: what the first character of a plain scalar may be (by code below 128; any other can). */
const PLAIN_NEVER = 0;
const PLAIN_ALWAYS = 1;
/** `-`, `?`, `:`: when a non-space follows. */
const PLAIN_IF_NEXT = 2;
const PLAIN_START = new Uint8Array(128).fill(PLAIN_ALWAYS);
for (const c of ',[]{}#&*!|>\'"%@`') PLAIN_START[c.charCodeAt(0)] = PLAIN_NEVER;
for (const c of '-?:') PLAIN_START[c.charCodeAt(0)] = PLAIN_IF_NEXT;

/** A placeholder for an entry's value while the value is read. */
const NO_VALUE: ScalarNode = { kind: 'scalar', value: null, source: '', plain: true, range: { line: 1, column: 1, endLine: 1, endColumn: 1 } };

class FastYaml {
  /** Offsets at which each line starts (the first `lineCount` of them). */
  private readonly lineStarts: Int32Array;
  private readonly lineCount: number;
  readonly problems: LoadProblem[] = [];
  /** Created at the first anchor. */
  private anchors: Map<string, Anchored> | undefined;
  /** Anchors whose node is being built: an alias to one is a cycle (the `yaml` path reports it). */
  private openAnchors: Set<string> | undefined;
  private anchorCount = 0;
  private aliasNodes = 0;
  private aliasChars = 0;

  // What the methods give besides their result (no object per call); a caller reads them at once.

  /**
   * Of the value built last (the methods that build a value in block context set them): its end
   * including trailing comments (yaml's range[2]); the start of the first line after the value,
   * where the next entry is looked for; and the comment lines after the value that `yaml` did
   * not give to the value (its "trailing item"): the deepest indent among them (NO_TRAIL: no such
   * comment) and where the item ends. When the collections around the value close, each one
   * (from the innermost) keeps the item, which then ends that collection's range[2], unless the
   * collection is at indent 0 or every comment is indented less than it; then it moves on to the
   * enclosing collection.
   */
  private nodeEnd = 0;
  private resume = 0;
  private trail = NO_TRAIL;
  private trailEnd = 0;
  /** nextContent: the indent of the line found. */
  private contentIndent = 0;
  /** blockKey: the key's range (when asked to build it) and the offset after its `:`. */
  private keyRange: Range = NO_VALUE.range;
  private afterColon = 0;
  /** quoted, flowItem and flowCollection, anchorName, plainContinuation: the offset after what they read. */
  private quotedEnd = 0;
  private flowEnd = 0;
  private nameEnd = 0;
  private continuationEnd = 0;

  constructor(
    private readonly text: string,
    private readonly resolvePlain: PlainResolver,
  ) {
    let starts = lineStartsBuffer;
    let n = 1;
    starts[0] = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      if (n === starts.length) {
        const grown = new Int32Array(n * 2);
        grown.set(starts);
        starts = grown;
        if (grown.length <= LINE_STARTS_KEPT) lineStartsBuffer = grown;
      }
      starts[n++] = i + 1;
    }
    this.lineStarts = starts;
    this.lineCount = n;
  }

  /**
   * A line that starts a directive or a document marker (`%`, `---` or `...` then a space, a
   * line break or the end): the `yaml` path reads those. Line breaks are only LF here.
   */
  hasDocumentMarker(): boolean {
    const t = this.text;
    const starts = this.lineStarts;
    for (let k = 0; k < this.lineCount; k++) {
      const s = starts[k];
      const c = t.charCodeAt(s);
      if (c === 0x25) return true;
      if ((c === DASH || c === 0x2e) && t.charCodeAt(s + 1) === c && t.charCodeAt(s + 2) === c) {
        const d = t.charCodeAt(s + 3);
        if (s + 3 >= t.length || d === SPACE || d === NL) return true;
      }
    }
    return false;
  }

  // --- positions -----------------------------------------------------------------------

  /** The line lineOf found last: the reader mostly asks about the same line or the next one. */
  private lastLine = 0;

  /** The 0-based line of `offset`. */
  private lineOf(offset: number): number {
    const starts = this.lineStarts;
    const count = this.lineCount;
    const last = this.lastLine;
    if (offset >= starts[last]) {
      if (last + 1 >= count || offset < starts[last + 1]) return last;
      if (last + 2 >= count || offset < starts[last + 2]) return (this.lastLine = last + 1);
    }
    this.lastLine = lineAt(this.lineStarts, this.lineCount, offset);
    return this.lastLine;
  }

  range(start: number, end: number): Range {
    const starts = this.lineStarts;
    // The line lineOf found last, without a call (most ranges are on it).
    let a = this.lastLine;
    if (!(start >= starts[a] && (a + 1 >= this.lineCount || start < starts[a + 1]))) a = this.lineOf(start);
    const stop = end > start ? end : start;
    // Most ranges end on the line they start on.
    const b = a + 1 >= this.lineCount || stop < starts[a + 1] ? a : this.lineOf(stop);
    return { line: a + 1, column: start - starts[a] + 1, endLine: b + 1, endColumn: stop - starts[b] + 1 };
  }

  /** The offset of the newline that ends the line holding `from` (or the end of the text); no rescanning of long lines. */
  private lineEnd(from: number): number {
    const starts = this.lineStarts;
    // The line lineOf found last, without a call (most questions are about it).
    let next = this.lastLine + 1;
    if (!(from >= starts[next - 1] && (next >= this.lineCount || from < starts[next]))) next = this.lineOf(from) + 1;
    return next < this.lineCount ? starts[next] - 1 : this.text.length;
  }

  /** Offset after the line that holds `from` (after its newline, or the end of the text). */
  private nextLineStart(from: number): number {
    const length = this.text.length;
    if (from >= length) return length;
    const starts = this.lineStarts;
    let next = this.lastLine + 1;
    if (!(from >= starts[next - 1] && (next >= this.lineCount || from < starts[next]))) next = this.lineOf(from) + 1;
    return next < this.lineCount ? starts[next] : length;
  }

  /** nextContent's last question and answer (the reader asks about the line after a value several times). */
  private contentFrom = -1;
  private contentStart = -1;
  private contentIndentFound = 0;

  /**
   * From a line start, skip blank and comment-only lines; returns the start of the next content
   * line (its indent in `contentIndent`), or -1 at the end of the text.
   */
  private nextContent(from: number): number {
    if (from === this.contentFrom) {
      this.contentIndent = this.contentIndentFound;
      return this.contentStart;
    }
    const t = this.text;
    let p = from;
    let start = -1;
    while (p < t.length) {
      let i = p;
      while (t.charCodeAt(i) === SPACE) i++;
      const c = t.charCodeAt(i);
      if (i >= t.length) break;
      if (c === NL || c === HASH) {
        p = this.nextLineStart(i);
        continue;
      }
      this.contentIndent = this.contentIndentFound = i - p;
      start = p;
      break;
    }
    this.contentFrom = from;
    this.contentStart = start;
    return start;
  }

  /**
   * The end of a single-line value that stands at the end of its line (yaml's range[2]): after
   * the line's newline, then after every following comment line indented deeper than the
   * collection that holds the value (blank lines between them included). The comment lines
   * after those (from the first one not indented deeper) form the trailing item. Sets `nodeEnd`,
   * `trail` and `trailEnd`.
   */
  private valueNodeEnd(afterValue: number, parentIndent: number): void {
    const t = this.text;
    let end = this.nextLineStart(afterValue);
    let p = end;
    let trail = NO_TRAIL;
    while (p < t.length) {
      let i = p;
      while (t.charCodeAt(i) === SPACE) i++;
      const c = t.charCodeAt(i);
      if (i >= t.length) break;
      if (c === NL) {
        p = i + 1;
        continue;
      }
      if (c === HASH) {
        if (trail < 0 && i - p > parentIndent) end = this.nextLineStart(i);
        else trail = Math.max(trail, i - p);
        p = this.nextLineStart(i);
        continue;
      }
      // The item runs to the next content (its indent included).
      this.nodeEnd = end;
      this.trail = trail;
      this.trailEnd = i;
      return;
    }
    this.nodeEnd = end;
    this.trail = trail;
    this.trailEnd = t.length;
  }

  /** The trailing item (`trail`, `trailEnd`) from the line start `from` to the next content line. */
  private trailFrom(from: number): void {
    const t = this.text;
    let trail = NO_TRAIL;
    for (let p = from; p < t.length; ) {
      let i = p;
      while (t.charCodeAt(i) === SPACE) i++;
      if (i >= t.length) break;
      const c = t.charCodeAt(i);
      if (c === HASH) trail = Math.max(trail, i - p);
      else if (c !== NL) {
        this.trail = trail;
        this.trailEnd = i;
        return;
      }
      p = this.nextLineStart(i);
    }
    this.trail = trail;
    this.trailEnd = t.length;
  }

  /**
   * A block scalar (`|` or `>`, with `-`/`+` chomping; no indentation indicator) whose header is
   * at `start`, the value of a collection indented `parentIndent`; built as `yaml` builds it: its
   * lines are those indented at least as deep as its first non-blank line (which must be deeper
   * than the collection), and blank lines; without `+`, trailing blank lines not indented deeper
   * than the content are left out of its range. Empty ones, leading blank lines indented deeper
   * than the content and the end of the text inside one go to the `yaml` path.
   */
  private blockScalar(start: number, parentIndent: number): ScalarNode {
    const t = this.text;
    const folded = t.charCodeAt(start) === 0x3e;
    let h = start + 1;
    const chomp = t[h] === '-' || t[h] === '+' ? t[h++] : '';
    const headerEnd = this.expectLineEnd(h);
    if (headerEnd === h && h < t.length && t.charCodeAt(h) !== NL) throw UNSUPPORTED;
    const body = this.nextLineStart(headerEnd);
    if (headerEnd >= t.length) throw UNSUPPORTED;
    // The first non-blank line sets the content indent.
    let p = body;
    let contentIndent = -1;
    while (p < t.length) {
      let i = p;
      while (t.charCodeAt(i) === SPACE) i++;
      if (i >= t.length) break;
      if (t.charCodeAt(i) !== NL) {
        contentIndent = i - p;
        break;
      }
      p = i + 1;
    }
    if (contentIndent <= parentIndent) throw UNSUPPORTED;
    // The lines of the scalar: blank, or indented at least `contentIndent`.
    let end = p; // the start of the line after the last line taken
    for (let q = p; q < t.length; ) {
      let i = q;
      while (t.charCodeAt(i) === SPACE) i++;
      if (i >= t.length) throw UNSUPPORTED; // spaces at the end of the text
      if (t.charCodeAt(i) !== NL && i - q < contentIndent) break;
      const eol = this.lineEnd(i);
      if (eol >= t.length) throw UNSUPPORTED; // no newline after the last line
      q = eol + 1;
      end = q;
    }
    if (chomp !== '+') {
      // Trailing blank lines with at most `contentIndent` spaces are not the scalar's.
      while (end > p) {
        const prev = t.lastIndexOf('\n', end - 2);
        const lineStart = prev + 1;
        if (lineStart < body) break;
        const line = t.slice(lineStart, end - 1);
        if (line.length <= contentIndent && /^ *$/.test(line)) end = lineStart;
        else break;
      }
    }
    const value = FastYaml.blockScalarValue(t.slice(body, end), folded, chomp, contentIndent);
    const node = this.scalarNode(start, end, value, value, false);
    this.trailFrom(end);
    this.nodeEnd = end;
    this.resume = end;
    return node;
  }

  /** The value of a block scalar's lines (each ending in a newline), as `yaml` resolves them. */
  private static blockScalarValue(source: string, folded: boolean, chomp: string, contentIndent: number): string {
    const lines = source.slice(0, -1).split('\n');
    const indentOf = (line: string) => line.length - line.trimStart().length;
    let last = lines.length; // lines from `last` on are blank (chomped)
    while (last > 0 && /^ *$/.test(lines[last - 1])) last--;
    let first = 0;
    while (/^ *$/.test(lines[first])) {
      if (lines[first].length > contentIndent) throw UNSUPPORTED; // yaml: an error
      first++;
    }
    // Trailing blank lines indented deeper than the content belong to the content.
    for (let i = lines.length - 1; i >= last; i--) if (lines[i].length > contentIndent) last = i + 1;
    let value = '';
    for (let i = 0; i < first; i++) value += '\n';
    let sep = '';
    let prevMore = false;
    for (let i = first; i < last; i++) {
      const line = lines[i];
      const rest = line.slice(contentIndent);
      if (!folded) {
        value += sep + rest;
        sep = '\n';
      } else if (indentOf(line) > contentIndent) {
        if (sep === ' ') sep = '\n';
        else if (!prevMore && sep === '\n') sep = '\n\n';
        value += sep + rest;
        sep = '\n';
        prevMore = true;
      } else if (rest === '') {
        if (sep === '\n') value += '\n';
        else sep = '\n';
      } else {
        value += sep + rest;
        sep = ' ';
        prevMore = false;
      }
    }
    if (chomp === '+') {
      for (let i = last; i < lines.length; i++) value += '\n' + lines[i].slice(contentIndent);
      // The newline that ends the last line.
      value += '\n';
      if (!value.endsWith('\n')) value += '\n';
    } else if (chomp === '') {
      value += '\n';
    }
    return value;
  }

  /** After a value on a line: only spaces and an optional ` #` comment may follow. Returns the offset of the newline/EOF. */
  private expectLineEnd(from: number): number {
    const t = this.text;
    let i = from;
    while (t.charCodeAt(i) === SPACE) i++;
    if (i >= t.length || t.charCodeAt(i) === NL) return i;
    if (t.charCodeAt(i) === HASH && i > from) return this.lineEnd(i);
    throw UNSUPPORTED;
  }

  // --- scalars -------------------------------------------------------------------------

  /** A quoted scalar starting at `start` (on the quote); single line; returns its value (`quotedEnd`: the offset after the closing quote). */
  private quoted(start: number): string {
    const t = this.text;
    const q = t.charCodeAt(start);
    const eol = this.lineEnd(start);
    if (q === DQUOTE) {
      let out = '';
      let from = start + 1;
      for (let i = from; ; i++) {
        if (i >= eol) throw UNSUPPORTED;
        const c = t.charCodeAt(i);
        if (c === DQUOTE) {
          this.quotedEnd = i + 1;
          return out + t.slice(from, i);
        }
        if (c !== 0x5c) continue;
        out += t.slice(from, i);
        const e = t[i + 1];
        if (Object.hasOwn(DQ_ESCAPES, e)) {
          out += DQ_ESCAPES[e];
          i += 1;
        } else {
          const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
          const hex = t.slice(i + 2, i + 2 + digits);
          if (!digits || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) throw UNSUPPORTED;
          const code = parseInt(hex, 16);
          if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw UNSUPPORTED;
          out += String.fromCodePoint(code);
          i += 1 + digits;
        }
        from = i + 1;
      }
    }
    let out = '';
    let i = start + 1;
    for (;;) {
      const close = t.indexOf("'", i);
      if (close === -1 || close > eol) throw UNSUPPORTED;
      out += t.slice(i, close);
      if (t.charCodeAt(close + 1) === SQUOTE) {
        out += "'";
        i = close + 2;
        continue;
      }
      this.quotedEnd = close + 1;
      return out;
    }
  }

  private scalarNode(start: number, end: number, value: ScalarValue, source: string, plain: boolean): ScalarNode {
    return { kind: 'scalar', value, source, plain, range: this.range(start, end) };
  }

  private plainNode(start: number, end: number, atKey: boolean): ScalarNode {
    const source = this.text.slice(start, end);
    const value = this.resolvePlain(source, atKey);
    if (value === LEAVE_TO_YAML) throw UNSUPPORTED;
    return { kind: 'scalar', value, source, plain: true, range: this.range(start, end) };
  }

  /** Can a plain scalar start with this character (followed by `next`)? Conservative. */
  private static plainStart(c: number, next: number): boolean {
    const kind = c < 128 ? PLAIN_START[c] : PLAIN_ALWAYS;
    if (kind === PLAIN_ALWAYS) return true;
    // Indicators: - ? : need a non-space after them; the others never start a plain scalar here.
    return kind === PLAIN_IF_NEXT && !(next === SPACE || next === NL || Number.isNaN(next));
  }

  /**
   * A plain scalar in block context from `start` to the end of its line (before a ` #`
   * comment), trailing spaces excluded. `: ` inside, or a trailing `:`, is not for the fast path.
   */
  private blockPlainEnd(start: number): number {
    const t = this.text;
    const eol = this.lineEnd(start);
    let end = start;
    for (let i = start; i < eol; i++) {
      const c = t.charCodeAt(i);
      if (c === HASH && t.charCodeAt(i - 1) === SPACE) break;
      if (c === COLON) {
        const n = t.charCodeAt(i + 1);
        if (i + 1 >= eol || n === SPACE) throw UNSUPPORTED;
      }
      if (c !== SPACE) end = i + 1;
    }
    return end;
  }

  // --- flow collections ----------------------------------------------------------------

  private skipSpaces(i: number): number {
    while (this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /**
   * Spaces, line breaks and comments inside a flow collection. Its lines must be indented
   * deeper than the block collection that holds it (a closing bracket may stand at that
   * indent), as `yaml` requires; other layouts go to the `yaml` path.
   */
  private flowSpace(from: number, blockIndent: number): number {
    const t = this.text;
    let i = from;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === SPACE) {
        i++;
      } else if (c === HASH && (t.charCodeAt(i - 1) === SPACE || t.charCodeAt(i - 1) === NL)) {
        i = this.lineEnd(i);
      } else if (c === NL) {
        let j = i + 1;
        while (t.charCodeAt(j) === SPACE) j++;
        const d = t.charCodeAt(j);
        if (j < t.length && d !== NL && d !== HASH) {
          const lineIndent = j - (i + 1);
          if (d === RBRACKET || d === RBRACE ? lineIndent < blockIndent : lineIndent <= blockIndent) throw UNSUPPORTED;
        }
        i = j;
      } else {
        return i;
      }
    }
  }

  /** A flow item at `i` (after spaces): returns the node (`flowEnd`: the offset after it). */
  private flowItem(i: number, depth: number, atKey: boolean, blockIndent: number): ConfigNode {
    const t = this.text;
    if (i >= t.length) throw UNSUPPORTED;
    const c = t.charCodeAt(i);
    if (c === LBRACKET || c === LBRACE) {
      if (atKey) throw UNSUPPORTED;
      return this.flowCollection(i, depth + 1, blockIndent);
    }
    if (c === SQUOTE || c === DQUOTE) {
      const value = this.quoted(i);
      const end = this.quotedEnd;
      this.flowEnd = end;
      return this.scalarNode(i, end, value, value, false);
    }
    if (c === 0x2a && !atKey) {
      // An alias item: `*name` then a space, `,` or the closing bracket.
      this.anchorName(i);
      const end = this.nameEnd;
      const d = t.charCodeAt(end);
      if (!(d === SPACE || d === COMMA || d === RBRACKET || d === RBRACE)) throw UNSUPPORTED;
      const node = this.aliasCopy(i, depth + 1);
      this.flowEnd = end;
      return node;
    }
    if (!FastYaml.plainStart(c, t.charCodeAt(i + 1))) throw UNSUPPORTED;
    let end = i;
    let j = i;
    for (; j < t.length; j++) {
      const d = t.charCodeAt(j);
      // A plain scalar ends at the line end here; a continuation on the next line is not
      // followed by `,` or the closing bracket, which the collection rejects below.
      if (d === COMMA || d === RBRACKET || d === RBRACE || d === NL) break;
      if (d === COLON && atKey && t.charCodeAt(j + 1) === SPACE) break;
      if (d === LBRACKET || d === LBRACE || d === COLON) throw UNSUPPORTED;
      if (d === HASH && t.charCodeAt(j - 1) === SPACE) throw UNSUPPORTED;
      if (d !== SPACE) end = j + 1;
    }
    const node = this.plainNode(i, end, atKey);
    this.flowEnd = end;
    return node;
  }

  /** A flow collection at `start`: returns the node (`flowEnd`: the offset after it). */
  private flowCollection(start: number, depth: number, blockIndent: number): ConfigNode {
    if (depth > MAX_FAST_DEPTH) throw UNSUPPORTED;
    const t = this.text;
    const isMap = t.charCodeAt(start) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    let i = this.flowSpace(start + 1, blockIndent);
    const items: ConfigNode[] = [];
    const entries: MapEntry[] = [];
    const seen = keysSeen();
    if (t.charCodeAt(i) !== close) {
      for (;;) {
        if (isMap) {
          const k = this.flowItem(i, depth, true, blockIndent) as ScalarNode;
          i = this.flowEnd;
          // A plain key needs `: `; a quoted key may be followed by `:` directly. Key and `:`
          // stay on one line.
          if (t.charCodeAt(i) !== COLON) {
            i = this.skipSpaces(i);
            if (t.charCodeAt(i) !== COLON) throw UNSUPPORTED;
          }
          if (t.charCodeAt(i + 1) !== SPACE) throw UNSUPPORTED;
          i = this.skipSpaces(i + 1);
          const c = t.charCodeAt(i);
          if (c === COMMA || c === close || c === NL || c === HASH) throw UNSUPPORTED;
          const entry = this.addEntry(entries, seen, String(k.value ?? ''), k.range);
          entry.value = this.flowItem(i, depth, false, blockIndent);
          i = this.flowEnd;
        } else {
          items.push(this.flowItem(i, depth, false, blockIndent));
          i = this.flowEnd;
        }
        i = this.flowSpace(i, blockIndent);
        const c = t.charCodeAt(i);
        if (c === close) break;
        if (c !== COMMA) throw UNSUPPORTED;
        i = this.flowSpace(i + 1, blockIndent);
        const n = t.charCodeAt(i);
        if (n === close) break; // a trailing comma
        if (n === COMMA || Number.isNaN(n)) throw UNSUPPORTED;
      }
    }
    const end = i + 1;
    const range = this.range(start, end);
    this.flowEnd = end;
    return isMap ? mapNode(entries, seen, range) : { kind: 'seq', items, range };
  }

  // --- block collections ---------------------------------------------------------------

  /**
   * Adds the entry of `key` written at `keyRange` (its value set by the caller once built) and
   * reports a duplicate key before any problem inside the value, in the order the `yaml` path
   * reports them.
   */
  private addEntry(entries: MapEntry[], seen: KeysSeen, key: string, keyRange: Range): MapEntry {
    const first = firstKeyRange(entries, seen, key);
    if (first) {
      this.problems.push({
        kind: 'duplicate-key',
        message: `duplicate key "${key}" (first at line ${first.line}); the loader keeps the last value`,
        range: keyRange,
      });
    }
    const entry: MapEntry = { key, keyRange, value: NO_VALUE };
    entries.push(entry);
    return entry;
  }

  /**
   * A key at `i` on a line of a block mapping: returns the key as the mapping's entry holds it
   * (or MERGE_KEY) and sets `afterColon` (the offset after its `:`) and, when `build`, `keyRange`;
   * undefined when the line holds no `key:`. Without `build` (callers that only ask whether the line
   * holds a key, then read it again with `build`) a plain key is neither cut out nor typed: it is
   * returned as '' (a key that the `yaml` path must type steps aside at that second reading).
   */
  private blockKey(i: number, build: boolean): string | typeof MERGE_KEY | undefined {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === SQUOTE || c === DQUOTE) {
      const value = this.quoted(i);
      const end = this.quotedEnd;
      let j = end;
      while (t.charCodeAt(j) === SPACE) j++;
      if (t.charCodeAt(j) !== COLON) return undefined;
      const n = t.charCodeAt(j + 1);
      if (!(n === SPACE || n === NL || j + 1 >= t.length)) throw UNSUPPORTED;
      if (build) this.keyRange = this.range(i, end);
      this.afterColon = j + 1;
      return value;
    }
    if (!FastYaml.plainStart(c, t.charCodeAt(i + 1))) return undefined;
    let colon = -1;
    let end: number;
    if (i === this.probedAt) {
      // Asked without `build` first (is the line a key?), then read: the key is not scanned again.
      colon = this.probedColon;
      end = this.probedEnd;
    } else {
      const eol = this.lineEnd(i);
      for (let j = i; j < eol; j++) {
        const d = t.charCodeAt(j);
        if (d === HASH && t.charCodeAt(j - 1) === SPACE) return undefined;
        if (d === COLON) {
          const n = t.charCodeAt(j + 1);
          if (j + 1 < eol && n !== SPACE) continue;
          colon = j;
          break;
        }
      }
      if (colon < 0) return undefined;
      end = colon;
      while (end > i && t.charCodeAt(end - 1) === SPACE) end--;
      if (end - i > 1024) throw UNSUPPORTED;
      if (!build) {
        this.probedAt = i;
        this.probedColon = colon;
        this.probedEnd = end;
      }
    }
    // A plain `<<` is a merge key (blockMap merges its value); keys the `yaml` path types as
    // timestamps go there.
    this.afterColon = colon + 1;
    if (end - i === 2 && t.charCodeAt(i) === 0x3c && t.charCodeAt(i + 1) === 0x3c) return MERGE_KEY;
    if (!build) return '';
    const source = t.slice(i, end);
    const value = this.resolvePlain(source, true);
    if (value === LEAVE_TO_YAML) throw UNSUPPORTED;
    this.keyRange = this.range(i, end);
    return typeof value === 'string' ? value : String(value ?? '');
  }

  /** The plain key blockKey found last without `build`: where it starts (-1: none), its `:` and its end. */
  private probedAt = -1;
  private probedColon = 0;
  private probedEnd = 0;

  /**
   * The value after `key:` or `- ` at `from` (on the same line): a scalar or flow collection
   * on that line, or the block below (deeper, or a sequence at `indent` for map values), or
   * an empty (null) value. `indent` is the indent of the collection that holds the value.
   */
  private blockValue(from: number, indent: number, depth: number, inMap: boolean): ConfigNode {
    const t = this.text;
    const i = this.skipSpaces(from);
    const c = t.charCodeAt(i);
    if (c === 0x26 && i > from) return this.anchoredValue(i, indent, depth, inMap);
    if (c === 0x2a && i > from) return this.aliasValue(i, indent, depth);
    if (i >= t.length || c === NL || c === HASH) {
      if (c === HASH && i === from) throw UNSUPPORTED;
      const next = this.nextContent(this.nextLineStart(i));
      const nextIndent = this.contentIndent;
      if (next >= 0 && (nextIndent > indent || (inMap && nextIndent === indent && this.isSeqLine(next + nextIndent)))) {
        // A flow collection or a scalar alone on the next, deeper line (not a key, not a block scalar).
        const at = next + nextIndent;
        const d = t.charCodeAt(at);
        if (nextIndent > indent && !this.isSeqLine(at) && d !== 0x7c && d !== 0x3e && this.blockKey(at, false) === undefined) return this.lineValue(at, indent, depth);
        return this.blockNode(next, nextIndent, depth + 1);
      }
      const node = this.scalarNode(i, i, null, '', true);
      this.nodeEnd = inMap ? this.emptyMapValueEnd(i, indent) : this.emptyValueEnd(i, c === HASH, indent);
      this.resume = this.nextLineStart(i);
      this.trail = NO_TRAIL;
      this.trailEnd = 0;
      return node;
    }
    return this.lineValue(i, indent, depth);
  }

  /**
   * The lines that continue a plain scalar whose first line's text ends at `firstEnd`, in a
   * collection indented `indent`: each following line indented deeper, folded as YAML folds them
   * (one line break: a space; blank lines: one newline each). Returns the folded text added and
   * where the last line's text ends (`continuationEnd`), or undefined when the scalar is one line.
   * Comments on or between its lines, `: `, ` #` and lines starting with an indicator go to the
   * `yaml` path.
   */
  private plainContinuation(firstEnd: number, indent: number): string | undefined {
    const t = this.text;
    const firstEol = this.lineEnd(firstEnd);
    let commented = this.skipSpaces(firstEnd) < firstEol;
    let text = '';
    let end = -1;
    let blanks = 0;
    for (let p = firstEol + 1; p < t.length; ) {
      const i = this.skipSpaces(p);
      if (i >= t.length) break;
      const c = t.charCodeAt(i);
      if (c === NL) {
        blanks++;
        p = i + 1;
        continue;
      }
      if (c === HASH) {
        // A comment line ends the scalar; a deeper line after it is not for the fast path.
        commented = true;
        p = this.nextLineStart(i);
        continue;
      }
      if (i - p <= indent) break;
      if (commented || !FastYaml.plainStart(c, t.charCodeAt(i + 1)) || c === DASH || c === 0x3f || c === COLON) throw UNSUPPORTED;
      const lineEnd = this.blockPlainEnd(i); // throws on `: ` and a trailing `:`
      if (this.skipSpaces(lineEnd) < this.lineEnd(i)) throw UNSUPPORTED; // a comment after it
      text += (blanks > 0 ? '\n'.repeat(blanks) : ' ') + t.slice(i, lineEnd);
      blanks = 0;
      end = lineEnd;
      p = this.nextLineStart(i);
    }
    if (end < 0) return undefined;
    this.continuationEnd = end;
    return text;
  }

  /** The name of an anchor or alias whose indicator is at `at` (`nameEnd`: the offset after it). */
  private anchorName(at: number): string {
    ANCHOR_NAME.lastIndex = at + 1;
    const m = ANCHOR_NAME.exec(this.text);
    if (!m) throw UNSUPPORTED;
    this.nameEnd = at + 1 + m[0].length;
    return m[0];
  }

  /**
   * `&name value` after `key:` or `- `: the value on the same line (not a key), or a block
   * collection below. Built as without the anchor (its range starts at the value); the node is
   * kept for the aliases that follow.
   */
  private anchoredValue(at: number, indent: number, depth: number, inMap: boolean): ConfigNode {
    const t = this.text;
    const name = this.anchorName(at);
    const end = this.nameEnd;
    const after = t.charCodeAt(end);
    if (end < t.length && after !== SPACE && after !== NL) throw UNSUPPORTED;
    const i = this.skipSpaces(end);
    const c = t.charCodeAt(i);
    const order = this.anchorCount++;
    const anchors = (this.anchors ??= new Map());
    const open = (this.openAnchors ??= new Set());
    open.add(name);
    let node: ConfigNode;
    if (i < t.length && c !== NL && c !== HASH) {
      if (c === 0x26 || c === 0x2a || c === 0x21 || this.blockKey(i, false) !== undefined) throw UNSUPPORTED;
      node = this.lineValue(i, indent, depth);
    } else {
      if (c === HASH && i === end) throw UNSUPPORTED;
      const next = this.nextContent(this.nextLineStart(i));
      if (next < 0) throw UNSUPPORTED;
      const nextIndent = this.contentIndent;
      const first = next + nextIndent;
      const seqLine = this.isSeqLine(first);
      if (!(nextIndent > indent || (inMap && nextIndent === indent && seqLine))) throw UNSUPPORTED;
      if (!seqLine && this.blockKey(first, false) === undefined) throw UNSUPPORTED;
      node = this.blockNode(next, nextIndent, depth + 1);
    }
    open.delete(name);
    const inner = anchors.get(name);
    if (!inner || inner.order < order) anchors.set(name, { node, order });
    return node;
  }

  /** `*name` after `key:` or `- `, alone on its line: a copy of the anchored node. */
  private aliasValue(at: number, indent: number, depth: number): ConfigNode {
    this.anchorName(at);
    const end = this.nameEnd;
    const node = this.aliasCopy(at, depth + 1);
    const eol = this.expectLineEnd(end);
    if (this.nextContent(this.nextLineStart(eol)) >= 0 && this.contentIndent > indent) throw UNSUPPORTED;
    this.valueNodeEnd(eol, indent);
    this.resume = this.nextLineStart(eol);
    return node;
  }

  /**
   * The node an alias at `at` stands for, as the `yaml` path builds it: a copy of the anchored
   * node (same ranges; its problems were reported where it is defined). Unknown anchors, cycles,
   * expansions beyond the fast path's budget and nesting beyond its depth go to the `yaml` path.
   */
  private aliasCopy(at: number, depth: number): ConfigNode {
    const name = this.anchorName(at);
    const target = this.anchors?.get(name);
    if (!target || this.openAnchors?.has(name)) throw UNSUPPORTED;
    const copy = (node: ConfigNode, d: number): ConfigNode => {
      if (d > MAX_ALIAS_COPY_DEPTH || ++this.aliasNodes > FAST_ALIAS_NODES) throw UNSUPPORTED;
      const range = { ...node.range };
      if (node.kind === 'scalar') {
        this.aliasChars += node.source.length;
        if (this.aliasChars > FAST_ALIAS_CHARS) throw UNSUPPORTED;
        return { ...node, range };
      }
      if (node.kind === 'seq') return { kind: 'seq', items: node.items.map((item) => copy(item, d + 1)), range };
      return { kind: 'map', entries: node.entries.map((e) => ({ key: e.key, keyRange: { ...e.keyRange }, value: copy(e.value, d + 1) })), range };
    };
    return copy(target.node, depth);
  }

  /**
   * A value that starts at `i` and, except a block scalar, ends on its line: a flow collection,
   * a quoted or plain scalar, or a block scalar; `indent` is that of the collection holding it.
   */
  private lineValue(i: number, indent: number, depth: number): ConfigNode {
    const t = this.text;
    const c = t.charCodeAt(i);
    let valueEnd: number;
    let node: ConfigNode;
    if (c === LBRACKET || c === LBRACE) {
      node = this.flowCollection(i, depth + 1, indent);
      valueEnd = this.flowEnd;
    } else if (c === SQUOTE || c === DQUOTE) {
      const value = this.quoted(i);
      valueEnd = this.quotedEnd;
      node = this.scalarNode(i, valueEnd, value, value, false);
    } else if (c === 0x7c || c === 0x3e) {
      return this.blockScalar(i, indent);
    } else {
      if (!FastYaml.plainStart(c, t.charCodeAt(i + 1))) throw UNSUPPORTED;
      valueEnd = this.blockPlainEnd(i);
      // More lines of the scalar only when the next content line is deeper (plainContinuation skips the same lines).
      const eolPlain = this.lineEnd(valueEnd);
      const deeper = this.nextContent(eolPlain < t.length ? eolPlain + 1 : t.length) >= 0 && this.contentIndent > indent;
      const more = deeper ? this.plainContinuation(valueEnd, indent) : undefined;
      if (more !== undefined) {
        const firstEnd = valueEnd;
        valueEnd = this.continuationEnd;
        const text = t.slice(i, firstEnd) + more;
        const value = this.resolvePlain(text, false);
        if (value === LEAVE_TO_YAML) throw UNSUPPORTED;
        node = this.scalarNode(i, valueEnd, value, text, true);
      } else {
        node = this.plainNode(i, valueEnd, false);
      }
    }
    const eol = t.charCodeAt(valueEnd) === NL ? valueEnd : this.expectLineEnd(valueEnd);
    // The start of the next line (eol is the line's newline or the end of the text).
    const after = eol < t.length ? eol + 1 : t.length;
    // A deeper line after a one-line value would continue it (multi-line scalar) or be an error.
    const next = this.nextContent(after);
    if (next >= 0 && this.contentIndent > indent) throw UNSUPPORTED;
    if (next === after) {
      // Content on the next line: the value ends there (what valueNodeEnd finds then).
      this.nodeEnd = after;
      this.trail = NO_TRAIL;
      this.trailEnd = after + this.contentIndent;
    } else {
      this.valueNodeEnd(eol, indent);
    }
    this.resume = after;
    return node;
  }

  /**
   * The end of an empty mapping value (yaml's range[2]) at `at`, in a mapping indented
   * `indent`. `yaml` keeps the spaces, comments and line breaks after the `:` with the value
   * until the next token: when the next line holds the next key (same indent), everything from
   * the second line break after the last comment indented deeper than the mapping goes to that
   * key; before a line indented less, or at the end, all of it stays, up to that line's indent.
   * The end is that of the last token kept, when a comment is among them; else `at`.
   */
  private emptyMapValueEnd(at: number, indent: number): number {
    const t = this.text;
    const kinds: number[] = []; // 0 line break, 1 spaces, 2 comment
    const ends: number[] = [];
    const deep: boolean[] = [];
    const push = (kind: number, end: number, isDeep = false) => {
      kinds.push(kind);
      ends.push(end);
      deep.push(isDeep);
    };
    let p = at;
    if (t.charCodeAt(p) === HASH) {
      p = this.lineEnd(p);
      push(2, p);
    }
    let next = -1;
    while (p < t.length) {
      push(0, p + 1);
      p++;
      let i = p;
      while (t.charCodeAt(i) === SPACE) i++;
      if (i > p) push(1, i);
      if (i >= t.length) break;
      const c = t.charCodeAt(i);
      if (c === NL) {
        p = i;
      } else if (c === HASH) {
        const end = this.lineEnd(i);
        push(2, end, i - p > indent);
        p = end;
      } else {
        next = i - p;
        break;
      }
    }
    let kept = kinds.length;
    if (next === indent) {
      let first = -1;
      let second = -1;
      for (let j = 0; j < kinds.length; j++) {
        if (kinds[j] === 0) {
          if (first < 0) first = j;
          else if (second < 0) second = j;
        } else if (kinds[j] === 2 && deep[j]) {
          first = -1;
          second = -1;
        }
      }
      if (second >= 0) kept = second;
    }
    for (let j = 0; j < kept; j++) if (kinds[j] === 2) return ends[kept - 1];
    return at;
  }

  /**
   * The end of an empty sequence item (yaml's range[2]) at `at`, in a sequence indented `indent`:
   * without comments, `at` itself; with a comment on its line and/or comment lines right below
   * it, after the last of them (before a line indented less than the collection, that line's
   * first character; at the end of the text, the end of the text). Comments with blank lines
   * among them are left to the `yaml` path.
   */
  private emptyValueEnd(at: number, lineComment: boolean, indent: number): number {
    const t = this.text;
    let end = lineComment ? this.nextLineStart(at) : at;
    let comment = lineComment;
    let blank = false;
    for (let p = this.nextLineStart(at); p < t.length; ) {
      let i = p;
      while (t.charCodeAt(i) === SPACE) i++;
      if (i >= t.length) {
        blank = true;
        break;
      }
      const c = t.charCodeAt(i);
      if (c === NL) {
        blank = true;
        p = i + 1;
        continue;
      }
      if (c !== HASH) {
        if (comment && blank) throw UNSUPPORTED;
        // Before a line indented less than the collection, the end takes in that line's indent.
        return comment && i - p < indent ? i : end;
      }
      if (blank) throw UNSUPPORTED;
      comment = true;
      end = this.nextLineStart(i);
      p = end;
    }
    if (comment && blank) throw UNSUPPORTED;
    return comment ? t.length : at;
  }

  private isSeqLine(i: number): boolean {
    const t = this.text;
    if (t.charCodeAt(i) !== DASH) return false;
    const n = t.charCodeAt(i + 1);
    return n === SPACE || n === NL || i + 1 >= t.length;
  }

  /** A block mapping or sequence whose first line starts at `lineStart` with `indent` spaces. */
  private blockNode(lineStart: number, indent: number, depth: number): ConfigNode {
    if (depth > MAX_FAST_DEPTH) throw UNSUPPORTED;
    const first = lineStart + indent;
    if (this.isSeqLine(first)) return this.blockSeq(lineStart, indent, depth);
    return this.blockMap(first, indent, depth);
  }

  /** A block mapping whose first key is at `firstKey`; its lines are indented `indent`. */
  private blockMap(firstKey: number, indent: number, depth: number): ConfigNode {
    const entries: MapEntry[] = [];
    const seen = keysSeen();
    /** Entries of the mappings merged in (`<<`), as PyYAML orders them: before the mapping's own. */
    let merged: MapEntry[] | undefined;
    let keyAt = firstKey;
    for (;;) {
      const key = this.blockKey(keyAt, true);
      if (key === undefined) throw UNSUPPORTED;
      if (key === MERGE_KEY) {
        const value = this.blockValue(this.afterColon, indent, depth, true);
        mergeInto((merged ??= []), value.kind === 'seq' ? value.items : [value]);
      } else {
        const afterColon = this.afterColon;
        const entry = this.addEntry(entries, seen, key, this.keyRange);
        entry.value = this.blockValue(afterColon, indent, depth, true);
      }
      const next = this.nextContent(this.resume);
      if (next < 0 || this.contentIndent < indent) break;
      if (this.contentIndent > indent) throw UNSUPPORTED;
      keyAt = next + indent;
      if (this.isSeqLine(keyAt)) {
        // `key:` then `- item` at the key's indent belongs to the key; a sequence line after a
        // finished value at this indent is an error.
        throw UNSUPPORTED;
      }
    }
    // Merged entries come first: the positions `seen` recorded are not the mapping's then.
    const range = this.range(firstKey, this.nodeEnd);
    this.closeBlock(indent);
    return merged !== undefined && merged.length > 0 ? { kind: 'map', entries: [...merged, ...entries], range } : mapNode(entries, seen, range);
  }

  /** A block sequence whose `-` lines are indented `indent`. */
  private blockSeq(lineStart: number, indent: number, depth: number): ConfigNode {
    const t = this.text;
    const items: ConfigNode[] = [];
    const start = lineStart + indent;
    let dash = start;
    for (;;) {
      const after = dash + 1;
      const i = this.skipSpaces(after);
      const c = t.charCodeAt(i);
      if (i < t.length && c !== NL && c !== HASH && this.isSeqLine(i)) throw UNSUPPORTED; // `- - a`
      if (i < t.length && c !== NL && c !== HASH && i > after && this.blockKey(i, false) !== undefined) {
        // `- key: value`: a mapping whose lines are indented like its first key.
        items.push(this.blockMap(i, i - this.lineStarts[this.lineOf(i)], depth + 1));
      } else {
        items.push(this.blockValue(after, indent, depth, false));
      }
      const next = this.nextContent(this.resume);
      if (next < 0 || this.contentIndent < indent) break;
      if (this.contentIndent > indent) throw UNSUPPORTED;
      dash = next + indent;
      if (!this.isSeqLine(dash)) {
        // A key at a sequence's indent ends the sequence when the sequence is a map value at
        // the map's indent; the caller checks that line.
        break;
      }
    }
    const range = this.range(start, this.nodeEnd);
    this.closeBlock(indent);
    return { kind: 'seq', items, range };
  }

  /**
   * A block collection at `indent` closes after its last value (whose `nodeEnd`, `trail` and
   * `trailEnd` are set): `yaml` keeps the trailing comment item in it (its range[2], where the
   * enclosing collection's range ends, then runs to the item's end) unless it is at indent 0 or
   * every comment of the item is indented less than it, in which case the item moves on to the
   * enclosing collection. `resume` stays the last value's.
   */
  private closeBlock(indent: number): void {
    if (this.trail >= 0 && indent > 0 && this.trail >= indent) {
      this.nodeEnd = this.trailEnd;
      this.trail = NO_TRAIL;
      this.trailEnd = 0;
    }
  }

  parse(): ConfigNode {
    const first = this.nextContent(0);
    if (first < 0) throw UNSUPPORTED;
    const at = first + this.contentIndent;
    const c = this.text.charCodeAt(at);
    if (c === LBRACKET || c === LBRACE) {
      // A flow collection as the whole document (GPT-NeoX writes its YAML configs as `{ … }`).
      const flow = this.flowCollection(at, 0, -1);
      const eol = this.expectLineEnd(this.flowEnd);
      if (this.nextContent(this.nextLineStart(eol)) >= 0) throw UNSUPPORTED;
      return flow;
    }
    const root = this.blockNode(first, this.contentIndent, 0);
    if (this.nextContent(this.resume) >= 0) throw UNSUPPORTED;
    return root;
  }
}

/**
 * The tree of `text` when it is in the fast path's subset, else undefined (the caller then
 * uses the `yaml` package). Never throws on content.
 */
export function loadYamlFast(text: string, resolvePlain: PlainResolver): LoadResult | undefined {
  // CR LF line ends read as LF: every line and column stays where it was (a CR is only ever the
  // last character of a line, which no range covers). A CR anywhere else steps aside below.
  const lf = text.includes('\r') ? text.replaceAll('\r\n', '\n') : text;
  if (NOT_PRINTABLE_ASCII.test(lf) && UNSUPPORTED_CHARS.test(lf)) return undefined;
  const parser = new FastYaml(lf, resolvePlain);
  if (parser.hasDocumentMarker()) return undefined;
  try {
    const tree = parser.parse();
    return { tree, problems: parser.problems };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
