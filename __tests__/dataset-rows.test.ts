/** Row counts of committed dataset files: JSON, JSON Lines, CSV, Parquet footers; limits and refusals. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countRows, parquetRows } from '../src/engine/dataset-rows';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-rows-'));
function write(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

describe('text formats', () => {
  test('a JSON list counts its records, whatever the strings hold', () => {
    const rows = [{ instruction: 'a [tricky] {one}', output: 'quote \\" and ] inside' }, { instruction: 'x', output: '[1, 2, {"n": 3}]' }, 7, 'plain', null];
    expect(countRows(write('list.json', JSON.stringify(rows, null, 2)))).toEqual({ ok: true, rows: 5 });
    expect(countRows(write('empty.json', '[]'))).toEqual({ ok: true, rows: 0 });
    expect(countRows(write('nested.json', '[[1,2],[3],[]]'))).toEqual({ ok: true, rows: 3 });
  });

  test('records one per line in a .json file count as rows; a single object does not', () => {
    expect(countRows(write('lines.json', '{"a": 1}\n{"a": 2}\n{"a": {"b": [3]}}\n'))).toEqual({ ok: true, rows: 3 });
    expect(countRows(write('columns.json', '{"instruction": ["a", "b"], "output": ["c", "d"]}'))).toEqual({ ok: false, why: 'one JSON object, not a list of records' });
    expect(countRows(write('broken.json', '[{"a": 1}, {"a": '))).toMatchObject({ ok: false, why: expect.stringMatching(/not valid JSON/) });
  });

  test('JSON Lines: non-blank lines, with or without a final newline', () => {
    expect(countRows(write('a.jsonl', '{"x":1}\n{"x":2}\n\n   \n{"x":3}'))).toEqual({ ok: true, rows: 3 });
    expect(countRows(write('b.jsonl', '{"x":1}\r\n{"x":2}\r\n'))).toEqual({ ok: true, rows: 2 });
  });

  test('CSV: records minus the header; a quoted field may hold newlines and quotes', () => {
    const csv = 'instruction,output\n"first, with comma",ok\n"multi\nline ""quoted"" text",fine\n\nlast,row';
    expect(countRows(write('t.csv', csv))).toEqual({ ok: true, rows: 3 });
    expect(countRows(write('h.csv', 'only,header\n'))).toEqual({ ok: true, rows: 0 });
  });

  test('a file over the byte limit is not counted (the count would be a guess)', () => {
    const p = write('big.jsonl', '{"x":1}\n'.repeat(1000));
    expect(countRows(p, 100)).toMatchObject({ ok: false, why: expect.stringMatching(/over the 100-byte limit/) });
    expect(countRows(p, 8000)).toEqual({ ok: true, rows: 1000 });
  });

  test('a folder, a FIFO and an unknown extension are refused with a reason', () => {
    fs.mkdirSync(path.join(dir, 'folder.json'));
    expect(countRows(path.join(dir, 'folder.json'))).toMatchObject({ ok: false, why: 'not a regular file' });
    const fifo = path.join(dir, 'pipe.jsonl');
    try {
      execFileSync('mkfifo', [fifo]);
      // Opened without blocking and refused on its descriptor: the count never waits for a writer.
      expect(countRows(fifo)).toMatchObject({ ok: false, why: 'not a regular file' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    expect(countRows(write('data.arrow', 'x'))).toMatchObject({ ok: false, why: expect.stringMatching(/not a format trainlint counts/) });
  });
});

// ── Parquet: a footer written with the Thrift compact protocol, as parquet-mr and pyarrow write it ──

/** A small writer of the Thrift compact protocol, independent of the reader under test. */
class Compact {
  bytes: number[] = [];
  private last = [0];
  varint(v: bigint | number): this {
    let x = BigInt(v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.bytes.push(b);
    } while (x);
    return this;
  }
  zigzag(v: bigint | number): this {
    const x = BigInt(v);
    return this.varint(x >= 0n ? x << 1n : (-x << 1n) - 1n);
  }
  field(id: number, type: number, longForm = false): this {
    const delta = id - this.last[this.last.length - 1];
    if (!longForm && delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
    return this;
  }
  i32(id: number, v: number): this {
    return this.field(id, 5).zigzag(v);
  }
  i64(id: number, v: bigint | number, longForm = false): this {
    return this.field(id, 6, longForm).zigzag(v);
  }
  str(id: number, s: string): this {
    const b = Buffer.from(s);
    this.field(id, 8).varint(b.length);
    this.bytes.push(...b);
    return this;
  }
  bool(id: number, v: boolean): this {
    return this.field(id, v ? 1 : 2);
  }
  beginStruct(id?: number): this {
    if (id !== undefined) this.field(id, 12);
    this.last.push(0);
    return this;
  }
  endStruct(): this {
    this.bytes.push(0);
    this.last.pop();
    return this;
  }
  list(id: number, elemType: number, size: number): this {
    this.field(id, 9);
    if (size < 15) this.bytes.push((size << 4) | elemType);
    else {
      this.bytes.push(0xf0 | elemType);
      this.varint(size);
    }
    return this;
  }
}

function parquetFile(numRows: bigint | number, opts: { longForm?: boolean; columns?: number } = {}): Buffer {
  const w = new Compact();
  const columns = opts.columns ?? 3;
  w.i32(1, 1); // version
  w.list(2, 12, columns + 1); // schema: root + columns
  w.beginStruct().str(4, 'schema').i32(5, columns).endStruct();
  for (let c = 0; c < columns; c++) w.beginStruct().i32(1, 6).i32(3, 1).str(4, `col_${c}`).i32(6, 0).endStruct();
  w.i64(3, numRows, opts.longForm);
  w.list(4, 12, 1); // row_groups
  w.beginStruct();
  w.list(1, 12, 1).beginStruct().str(1, 'part-0').i64(2, 4).endStruct(); // columns
  w.i64(2, 123456).i64(3, numRows).endStruct();
  w.list(5, 12, 1).beginStruct().str(1, 'pandas').str(2, '{"index_columns": [], "a": [1, 2]}').endStruct(); // key_value_metadata
  w.str(6, 'parquet-cpp-arrow version 17.0.0');
  w.endStruct();
  const footer = Buffer.from(w.bytes);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length, 0);
  return Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), footer, len, Buffer.from('PAR1')]);
}

describe('Parquet footer', () => {
  test('num_rows is read from the footer, past the schema, with one-byte and long field headers', () => {
    expect(parquetRows(write('a.parquet', parquetFile(2000)), 1 << 20)).toEqual({ ok: true, rows: 2000 });
    expect(parquetRows(write('b.parquet', parquetFile(123_456_789, { longForm: true, columns: 20 })), 1 << 20)).toEqual({ ok: true, rows: 123_456_789 });
    expect(countRows(write('c.parquet', parquetFile(0)))).toEqual({ ok: true, rows: 0 });
  });

  test('not Parquet, a truncated footer or a footer over the limit: no count', () => {
    expect(countRows(write('d.parquet', 'PAR1 hello'))).toMatchObject({ ok: false, why: 'too short for a Parquet file' });
    expect(countRows(write('e.parquet', Buffer.concat([Buffer.from('XXXX'), Buffer.alloc(20), Buffer.from('PAR1')])))).toMatchObject({ ok: false, why: expect.stringMatching(/PAR1 magic/) });
    const good = parquetFile(10);
    const cut = Buffer.concat([good.subarray(0, 70), good.subarray(good.length - 8)]);
    expect(countRows(write('f.parquet', cut))).toMatchObject({ ok: false });
    expect(parquetRows(write('g.parquet', good), 8)).toMatchObject({ ok: false, why: expect.stringMatching(/over the 8-byte limit/) });
  });
});
