/**
 * Strict JSON → ConfigNode tree with positions.
 *
 * "Strict" means what Python's `json.load` accepts, since that is what DeepSpeed, HF
 * Transformers and most training code use: no comments, no trailing commas, no single
 * quotes, no unquoted words. Like Python (and unlike RFC 8259) we accept `NaN`,
 * `Infinity` and `-Infinity` as numbers. Duplicate keys are legal for Python (the last
 * one wins), so they are reported as `duplicate-key` problems and both entries are kept.
 *
 * A hand-written recursive-descent parser, because `JSON.parse` gives no positions and
 * silently drops duplicate keys. Error messages start like Python's ("Expecting value",
 * "Expecting ',' delimiter", …) and point at the offending character.
 */
import { MAP_SCAN_UP_TO, type ConfigNode, type MapEntry, type MapNode, type ScalarNode, type SeqNode } from '../tree.js';
import type { Range } from '../types.js';
import { computeLineStarts, lineAt, rangeOf, stripBom } from './positions.js';
import { MAX_DEPTH, type LoadProblem, type LoadResult } from './result.js';

/** Thrown inside the parser; becomes the single parse-error problem. */
class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number = start + 1,
  ) {
    super(message);
  }
}

// Python's json NUMBER_RE, `-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?` (no leading zeros, no leading '+',
// no bare '.5' or '1.'), is scanned by numberEnd.
const EMPTY = 'empty JSON file';
const WORD_RE = /[A-Za-z_$][A-Za-z0-9_$.-]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The unquoted literal Python's json accepts (`true`, `NaN`, `-Infinity`, …) at `at` by its first character `c`, if any. */
function literalAt(t: string, at: number, c: string): string | undefined {
  const word = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : c === 'N' ? 'NaN' : c === 'I' ? 'Infinity' : c === '-' ? '-Infinity' : undefined;
  return word !== undefined && t.startsWith(word, at) ? word : undefined;
}

const LITERAL_VALUES: Record<string, number | boolean | null> = { true: true, false: false, null: null, NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Whether the character at `at` is a decimal digit. */
function digitAt(t: string, at: number): boolean {
  const c = t.charCodeAt(at);
  return c >= 0x30 && c <= 0x39;
}

/** The end of NUMBER_RE's match at `at` (Python's json NUMBER_RE, scanned), or -1 when it does not match. */
function numberEnd(t: string, at: number): number {
  let j = at;
  if (t.charCodeAt(j) === 0x2d) j++;
  const c = t.charCodeAt(j);
  if (c === 0x30) {
    j++;
  } else if (c >= 0x31 && c <= 0x39) {
    j++;
    while (digitAt(t, j)) j++;
  } else {
    return -1;
  }
  if (t.charCodeAt(j) === 0x2e && digitAt(t, j + 1)) {
    j += 2;
    while (digitAt(t, j)) j++;
  }
  const e = t.charCodeAt(j);
  if (e === 0x65 || e === 0x45) {
    let k = j + 1;
    const sign = t.charCodeAt(k);
    if (sign === 0x2b || sign === 0x2d) k++;
    if (digitAt(t, k)) {
      k++;
      while (digitAt(t, k)) k++;
      j = k;
    }
  }
  return j;
}

class Parser {
  private i = 0;
  private readonly lineStarts: number[];
  /** The line `range` found last (most ranges are on it or the next one). */
  private lastLine = 0;
  readonly duplicates: LoadProblem[] = [];

  constructor(private readonly text: string) {
    this.lineStarts = computeLineStarts(text);
  }

  parseDocument(): ConfigNode {
    this.skipWs();
    if (this.i >= this.text.length) throw new JsonSyntaxError(EMPTY, 0);
    const root = this.parseValue(0);
    this.skipWs();
    if (this.i < this.text.length) this.fail('Extra data after the JSON value');
    return root;
  }

  /** rangeOf(lineStarts, start, end) for an offset in the text, without its two position objects. */
  private range(start: number, end: number): Range {
    const starts = this.lineStarts;
    const a = this.lineOf(start);
    const column = start - starts[a] + 1;
    // An empty or one-character span is a point, kept on its line (pointRange).
    if (end <= start + 1) return { line: a + 1, column, endLine: a + 1, endColumn: column + 1 };
    const b = a + 1 >= starts.length || end < starts[a + 1] ? a : this.lineOf(end);
    return { line: a + 1, column, endLine: b + 1, endColumn: end - starts[b] + 1 };
  }

  /** The 0-based line of `offset` (≥ 0), as offsetToPos finds it. */
  private lineOf(offset: number): number {
    const starts = this.lineStarts;
    const last = this.lastLine;
    if (offset >= starts[last]) {
      if (last + 1 >= starts.length || offset < starts[last + 1]) return last;
      if (last + 2 >= starts.length || offset < starts[last + 2]) return (this.lastLine = last + 1);
    }
    return (this.lastLine = lineAt(starts, starts.length, offset));
  }

  private skipWs(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  /** Throws a syntax error at the current character, explaining the common non-JSON cases. */
  private fail(expected: string): never {
    const t = this.text;
    const at = this.i;
    const c = t[at];
    if (c === undefined) throw new JsonSyntaxError(`${expected}, found end of file`, at);
    if (c === '/' && (t[at + 1] === '/' || t[at + 1] === '*')) {
      throw new JsonSyntaxError(`${expected}, found a comment (comments are not allowed in JSON)`, at, at + 2);
    }
    if (c === "'") {
      throw new JsonSyntaxError(`${expected}, found a single quote (JSON strings use double quotes)`, at);
    }
    WORD_RE.lastIndex = at;
    const word = WORD_RE.exec(t);
    if (word) {
      throw new JsonSyntaxError(
        `${expected}, found bare word ${word[0]} (JSON allows only true, false and null unquoted; an unfilled template placeholder?)`,
        at,
        at + word[0].length,
      );
    }
    throw new JsonSyntaxError(`${expected}, found ${JSON.stringify(c)}`, at);
  }

  private parseValue(depth: number): ConfigNode {
    const t = this.text;
    const c = t[this.i];
    if (c === '{' || c === '[') {
      // Checked before recursing, so `[[[[…` 100k deep fails fast instead of overflowing.
      if (depth + 1 > MAX_DEPTH) throw new JsonSyntaxError(`nesting deeper than ${MAX_DEPTH} levels`, this.i);
      return c === '{' ? this.parseObject(depth + 1) : this.parseArray(depth + 1);
    }
    if (c === '"') {
      const start = this.i;
      const value = this.parseString();
      return this.scalar(value, value, false, start);
    }
    // Unquoted literals first, so "-Infinity" wins over a number's "-".
    const word = literalAt(t, this.i, c);
    if (word !== undefined) return this.scalar(LITERAL_VALUES[word], word, true, this.i);
    const end = numberEnd(t, this.i);
    if (end < 0) return this.fail('Expecting value');
    const num = t.slice(this.i, end);
    return this.scalar(Number(num), num, true, this.i);
  }

  /** Builds a scalar whose source text spans from `start` to the current position after advancing. */
  private scalar(value: ScalarNode['value'], source: string, plain: boolean, start: number): ScalarNode {
    if (plain) this.i = start + source.length; // strings already advanced past the closing quote
    return { kind: 'scalar', value, source, plain, range: this.range(start, this.i) };
  }

  private parseObject(depth: number): MapNode {
    const t = this.text;
    const start = this.i++;
    const entries: MapEntry[] = [];
    // Keys seen, for duplicates: scanned while the entries are few, then a Map (keys like
    // "__proto__" stay plain data) of each key's first line.
    let firstLine: Map<string, number> | undefined;
    this.skipWs();
    if (t[this.i] === '}') {
      this.i++;
      return { kind: 'map', entries, range: this.range(start, this.i) };
    }
    for (;;) {
      if (t[this.i] !== '"') this.fail('Expecting property name enclosed in double quotes');
      const keyStart = this.i;
      const key = this.parseString();
      const keyRange = this.range(keyStart, this.i);
      this.skipWs();
      if (t[this.i] !== ':') this.fail("Expecting ':' delimiter");
      this.i++;
      this.skipWs();
      const value = this.parseValue(depth);
      let seen: number | undefined;
      if (firstLine === undefined) {
        for (let k = 0; k < entries.length; k++) {
          if (entries[k].key === key) {
            seen = entries[k].keyRange.line;
            break;
          }
        }
        if (seen === undefined && entries.length >= MAP_SCAN_UP_TO) {
          firstLine = new Map();
          for (let k = entries.length - 1; k >= 0; k--) firstLine.set(entries[k].key, entries[k].keyRange.line);
        }
      } else {
        seen = firstLine.get(key);
      }
      if (seen !== undefined) {
        this.duplicates.push({
          kind: 'duplicate-key',
          message: `duplicate key ${JSON.stringify(key)} (first at line ${seen}); the loader keeps the last value`,
          range: keyRange,
        });
      } else if (firstLine !== undefined) {
        firstLine.set(key, keyRange.line);
      }
      entries.push({ key, keyRange, value });
      this.skipWs();
      if (t[this.i] === '}') {
        this.i++;
        return { kind: 'map', entries, range: this.range(start, this.i) };
      }
      if (t[this.i] !== ',') this.fail("Expecting ',' delimiter");
      const comma = this.i++;
      this.skipWs();
      if (t[this.i] === '}') throw new JsonSyntaxError('trailing comma before "}" is not allowed in JSON', comma);
    }
  }

  private parseArray(depth: number): SeqNode {
    const t = this.text;
    const start = this.i++;
    const items: ConfigNode[] = [];
    this.skipWs();
    if (t[this.i] === ']') {
      this.i++;
      return { kind: 'seq', items, range: this.range(start, this.i) };
    }
    for (;;) {
      items.push(this.parseValue(depth));
      this.skipWs();
      if (t[this.i] === ']') {
        this.i++;
        return { kind: 'seq', items, range: this.range(start, this.i) };
      }
      if (t[this.i] !== ',') this.fail("Expecting ',' delimiter");
      const comma = this.i++;
      this.skipWs();
      if (t[this.i] === ']') throw new JsonSyntaxError('trailing comma before "]" is not allowed in JSON', comma);
    }
  }

  /** Parses the string at `this.i` (which is a '"') and returns its unescaped content. */
  private parseString(): string {
    const t = this.text;
    const open = this.i++;
    let out = '';
    let chunk = this.i;
    for (;;) {
      if (this.i >= t.length) throw new JsonSyntaxError('Unterminated string starting here', open);
      const code = t.charCodeAt(this.i);
      if (code === 0x22) {
        out += t.slice(chunk, this.i++);
        return out;
      }
      if (code < 0x20) {
        const what = code === 0x0a ? 'a line break' : `control character U+${code.toString(16).padStart(4, '0')}`;
        throw new JsonSyntaxError(`Invalid control character in string: ${what} must be escaped`, this.i);
      }
      if (code !== 0x5c) {
        this.i++;
        continue;
      }
      out += t.slice(chunk, this.i);
      const esc = t[this.i + 1];
      if (esc === 'u') {
        const hex = t.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('Invalid \\uXXXX escape', this.i, this.i + 2);
        // Surrogate pairs written as two escapes join up naturally in a JS string.
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else if (esc !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, esc)) {
        out += ESCAPES[esc];
        this.i += 2;
      } else {
        throw new JsonSyntaxError(`Invalid \\escape: ${JSON.stringify('\\' + (esc ?? ''))}`, this.i, this.i + 2);
      }
      chunk = this.i;
    }
  }
}

/** Loads strict JSON. On a syntax error: exactly one parse-error problem and no tree. */
export function loadJson(text: string): LoadResult {
  // A BOM is tolerated and not counted as a column.
  const body = stripBom(text);
  const parser = new Parser(body);
  try {
    const tree = parser.parseDocument();
    return { tree, problems: parser.duplicates };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const message = err.message === EMPTY ? EMPTY : `invalid JSON: ${err.message}`;
    return {
      problems: [
        {
          kind: 'parse-error',
          message,
          range: rangeOf(computeLineStarts(body), err.start, err.end),
        },
      ],
    };
  }
}
