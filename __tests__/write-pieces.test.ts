import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writePiecesAsText, writePiecesToFile, type PieceMaker } from '../src/cli/write-pieces.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-pieces-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Pieces of every kind: ASCII, two- and three-byte characters, a surrogate pair, a lone surrogate, bytes. */
function pieces(count: number): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < count; i++) {
    const text = `{"i": ${i}, "how": "batch ×2.75 → lr 1.375e-3 ✓ 😀 é"${i % 7 === 0 ? ', "odd": "\ud800"' : ''}}`;
    out.push(i % 3 === 0 ? new Uint8Array(Buffer.from(text, 'utf8')) : text.repeat(1 + (i % 5)));
  }
  return out;
}

const maker =
  (list: (string | Uint8Array)[]): PieceMaker =>
  (write) => {
    for (const p of list) write(p);
  };

/** What writing each piece in turn gives (strings encoded as Node encodes them). */
const expected = (list: (string | Uint8Array)[]) => Buffer.concat(list.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

describe('writePiecesToFile', () => {
  test.each([
    ['a buffer larger than the output', 1 << 20],
    ['a small buffer: pieces cross its boundary and some are larger than it', 256],
    ['a buffer smaller than every piece', 8],
  ])('the file holds the pieces in order, byte for byte (%s)', (_label, blockBytes) => {
    const list = pieces(400);
    const file = path.join(dir, `out-${blockBytes}.json`);
    writePiecesToFile(file, maker(list), blockBytes);
    expect(fs.readFileSync(file).equals(expected(list))).toBe(true);
  });

  test('a string whose UTF-8 is up to three times its length never overruns the buffer', () => {
    // 85 three-byte characters are 255 bytes: they fit a 256-byte buffer only when it is empty.
    const list = ['a', '€'.repeat(85), 'b', '€'.repeat(86), '€'.repeat(85)];
    const file = path.join(dir, 'three-byte.txt');
    writePiecesToFile(file, maker(list), 256);
    expect(fs.readFileSync(file, 'utf8')).toBe(list.join(''));
  });

  test('nothing written: an empty file; the file is closed when the maker throws', () => {
    const file = path.join(dir, 'empty.json');
    writePiecesToFile(file, () => {});
    expect(fs.readFileSync(file).length).toBe(0);
    const failing = path.join(dir, 'failing.json');
    expect(() =>
      writePiecesToFile(failing, (write) => {
        write('{"partial": ');
        throw new Error('stop');
      }),
    ).toThrow('stop');
    // Closed: the file can be removed and written again.
    fs.rmSync(failing);
    writePiecesToFile(failing, (write) => write('{}'));
    expect(fs.readFileSync(failing, 'utf8')).toBe('{}');
  });
});

describe('writePiecesAsText', () => {
  test('the text is the pieces in order, in blocks of about 1 MiB', () => {
    const list = pieces(20_000);
    const blocks: string[] = [];
    writePiecesAsText((t) => blocks.push(t), maker(list));
    expect(blocks.length).toBeGreaterThan(1);
    expect(Buffer.from(blocks.join(''), 'utf8').equals(expected(list))).toBe(true);
  });
});
