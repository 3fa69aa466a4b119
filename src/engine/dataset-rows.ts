/**
 * Row counts of dataset files committed in a repository: JSON (a list of records, or one record per
 * line), JSON Lines, CSV/TSV (minus the header), and Parquet (the `num_rows` of its footer, read
 * without reading the data). Text formats are read as a stream of bytes and the count stops at a
 * byte limit: a larger file is not counted. The file must be a regular file (O_NONBLOCK open,
 * fstat on the descriptor, as engine/repo-files.ts `readBounded` does); nothing is kept in memory
 * but the current chunk.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

export type RowCount = { ok: true; rows: number } | { ok: false; why: string };

/** The largest dataset file counted (64 MiB): counting streams, but a run must stay quick. */
export const DATASET_MAX_BYTES = 64 * 1024 * 1024;

const CHUNK = 256 * 1024;

/** Formats counted, by extension. */
const FORMATS: Record<string, 'json' | 'jsonl' | 'csv' | 'tsv' | 'parquet'> = {
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.parquet': 'parquet',
};

export function countableFormat(file: string): string | undefined {
  const ext = path.extname(file).toLowerCase();
  return Object.hasOwn(FORMATS, ext) ? FORMATS[ext] : undefined;
}

/** Open a regular file without blocking; the descriptor and its size, or why not. */
function openRegular(abs: string): { fd: number; size: number } | { why: string } {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { why: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      return { why: 'not a regular file' };
    }
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    return { why: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

/** Feed the file to `onChunk`, at most `maxBytes` bytes; false with a reason when it is larger. */
function stream(abs: string, maxBytes: number, onChunk: (buf: Buffer, n: number) => void): { ok: true } | { ok: false; why: string } {
  const opened = openRegular(abs);
  if ('why' in opened) return { ok: false, why: opened.why };
  const { fd, size } = opened;
  try {
    if (size > maxBytes) return { ok: false, why: `${size} bytes, over the ${maxBytes}-byte limit for counting rows` };
    const buf = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { ok: false, why: `over the ${maxBytes}-byte limit for counting rows` };
      onChunk(buf, n);
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, why: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Non-blank lines (JSON Lines). */
function countLines(abs: string, maxBytes: number): RowCount {
  let rows = 0;
  let content = false;
  const r = stream(abs, maxBytes, (buf, n) => {
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (c === 0x0a) {
        if (content) rows++;
        content = false;
      } else if (!SPACE.has(c)) content = true;
    }
  });
  if (!r.ok) return r;
  return { ok: true, rows: rows + (content ? 1 : 0) };
}

/**
 * A JSON file as `json.load` / `load_dataset("json")` sees it: a top-level list counts its
 * elements; top-level records one after another (JSON Lines saved as `.json`) count each. A single
 * top-level object (columns, or a wrapper) is not a row count.
 */
function countJson(abs: string, maxBytes: number): RowCount {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let top: 'array' | 'values' | undefined;
  let inElement = false;
  let rows = 0;
  const r = stream(abs, maxBytes, (buf, n) => {
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (SPACE.has(c)) continue;
      if (depth === 0) {
        top ??= c === 0x5b ? 'array' : 'values';
        if (top === 'values' && (c === 0x7b || c === 0x5b || c === 0x22)) rows++;
      } else if (depth === 1 && top === 'array') {
        if (c === 0x2c) inElement = false;
        else if (c !== 0x5d && !inElement) {
          rows++;
          inElement = true;
        }
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
      if (depth < 0) depth = 0;
    }
  });
  if (!r.ok) return r;
  if (depth !== 0 || inString) return { ok: false, why: 'not valid JSON (unbalanced brackets or an unterminated string)' };
  if (top === undefined) return { ok: true, rows: 0 };
  if (top === 'values' && rows === 1) return { ok: false, why: 'one JSON object, not a list of records' };
  return { ok: true, rows };
}

/** CSV/TSV records (a quoted field may hold newlines), minus the header row; blank lines are skipped. */
function countDelimited(abs: string, maxBytes: number): RowCount {
  let records = 0;
  let quoted = false;
  let content = false;
  const r = stream(abs, maxBytes, (buf, n) => {
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (c === 0x22) quoted = !quoted;
      if (quoted) {
        content = true;
        continue;
      }
      if (c === 0x0a) {
        if (content) records++;
        content = false;
      } else if (c !== 0x0d) content = true;
    }
  });
  if (!r.ok) return r;
  if (content) records++;
  return { ok: true, rows: Math.max(0, records - 1) };
}

// ── Parquet footer (Thrift compact protocol) ────────────────────────────────────────────

class CompactReader {
  pos = 0;
  constructor(private readonly b: Buffer) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new Error('footer ends early');
    return this.b[this.pos++];
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      result |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new Error('varint too long');
  }

  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }

  skipBytes(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) throw new Error('footer ends early');
    this.pos += n;
  }

  /** Skips one element of a list, set or map: there a boolean is a byte of its own. */
  private element(t: number, depth: number): void {
    if (t === 1 || t === 2) this.skipBytes(1);
    else this.skip(t, depth);
  }

  /** An element count: every element takes a byte at least, so a count over the bytes left is a lie. */
  private count(n: bigint): number {
    if (n > BigInt(this.b.length - this.pos)) throw new Error(`footer claims ${n} elements in ${this.b.length - this.pos} bytes`);
    return Number(n);
  }

  /** Skips one value of compact type `t`. */
  skip(t: number, depth: number): void {
    if (depth > 64) throw new Error('footer nests too deeply');
    switch (t) {
      case 1:
      case 2:
        return; // booleans in a field header carry their value
      case 3:
        return this.skipBytes(1);
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case 7:
        return this.skipBytes(8);
      case 8:
        return this.skipBytes(Number(this.varint()));
      case 9:
      case 10: {
        const h = this.byte();
        const size = h >> 4 === 15 ? this.count(this.varint()) : h >> 4;
        const elem = h & 0x0f;
        for (let i = 0; i < size; i++) this.element(elem, depth + 1);
        return;
      }
      case 11: {
        const size = this.count(this.varint());
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          this.element(kv >> 4, depth + 1);
          this.element(kv & 0x0f, depth + 1);
        }
        return;
      }
      case 12:
        return this.skipStruct(depth + 1);
      default:
        throw new Error(`unknown compact type ${t}`);
    }
  }

  skipStruct(depth: number): void {
    let id = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return;
      id = h >> 4 ? id + (h >> 4) : Number(this.zigzag());
      this.skip(h & 0x0f, depth);
    }
  }

  /** The i64 field `wanted` of the top-level struct (FileMetaData.num_rows is field 3). */
  i64Field(wanted: number): bigint | undefined {
    let id = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return undefined;
      id = h >> 4 ? id + (h >> 4) : Number(this.zigzag());
      const t = h & 0x0f;
      if (id === wanted && t === 6) return this.zigzag();
      this.skip(t, 1);
    }
  }
}

/** `num_rows` from a Parquet file's footer: the last 8 bytes give the footer length and `PAR1`. */
export function parquetRows(abs: string, maxBytes: number): RowCount {
  const opened = openRegular(abs);
  if ('why' in opened) return { ok: false, why: opened.why };
  const { fd, size } = opened;
  try {
    if (size < 12) return { ok: false, why: 'too short for a Parquet file' };
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    if (tail.toString('latin1', 4) !== 'PAR1' || head.toString('latin1') !== 'PAR1') return { ok: false, why: 'not a Parquet file (no PAR1 magic)' };
    const footerLength = tail.readUInt32LE(0);
    if (footerLength > size - 12) return { ok: false, why: 'Parquet footer length exceeds the file' };
    if (footerLength > maxBytes) return { ok: false, why: `Parquet footer of ${footerLength} bytes, over the ${maxBytes}-byte limit` };
    const footer = Buffer.alloc(footerLength);
    readSync(fd, footer, 0, footerLength, size - 8 - footerLength);
    const rows = new CompactReader(footer).i64Field(3);
    if (rows === undefined) return { ok: false, why: 'Parquet footer without num_rows' };
    if (rows < 0n || rows > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, why: `Parquet footer num_rows ${rows} is not a row count` };
    return { ok: true, rows: Number(rows) };
  } catch (err) {
    return { ok: false, why: `Parquet footer cannot be read (${(err as Error).message})` };
  } finally {
    closeSync(fd);
  }
}

/** Rows of one dataset file, by its extension. */
export function countRows(abs: string, maxBytes = DATASET_MAX_BYTES): RowCount {
  switch (countableFormat(abs)) {
    case 'jsonl':
      return countLines(abs, maxBytes);
    case 'json':
      return countJson(abs, maxBytes);
    case 'csv':
    case 'tsv':
      return countDelimited(abs, maxBytes);
    case 'parquet':
      return parquetRows(abs, maxBytes);
    default:
      return { ok: false, why: `${path.extname(abs) || 'no extension'}: not a format trainlint counts (JSON, JSON Lines, CSV, Parquet)` };
  }
}
