/**
 * Output made piece by piece (a JSON report: strings, and the UTF-8 bytes lint workers printed),
 * written in blocks of about 1 MiB: to a file through one reused buffer, or as text.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type PieceMaker = (write: (piece: string | Uint8Array) => void) => void;

/** Bytes of a file's write buffer. */
export const FILE_BLOCK_BYTES = 1 << 20;

/**
 * Writes the pieces `make` produces to `file`: each is encoded (a string) or copied (bytes) straight
 * into one buffer, written when the next piece may not fit; a piece larger than the buffer is written
 * alone. No joined copy of the text is made, and the write does not encode it again.
 */
export function writePiecesToFile(file: string, make: PieceMaker, blockBytes = FILE_BLOCK_BYTES): void {
  const fd = openSync(file, 'w');
  try {
    const block = Buffer.allocUnsafe(blockBytes);
    let used = 0;
    const writeAll = (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    };
    const flush = () => {
      if (used > 0) writeAll(block.subarray(0, used));
      used = 0;
    };
    make((piece) => {
      // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a pair of them 4): the bound for a string.
      const most = typeof piece === 'string' ? piece.length * 3 : piece.length;
      if (most > blockBytes - used) {
        flush();
        if (most > blockBytes) {
          writeAll(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
          return;
        }
      }
      if (typeof piece === 'string') used += block.write(piece, used);
      else {
        block.set(piece, used);
        used += piece.length;
      }
    });
    flush();
  } finally {
    closeSync(fd);
  }
}

/** Hands the pieces to `out` as text, joined in blocks of about 1 MiB (standard output takes text). */
export function writePiecesAsText(out: (text: string) => void, make: PieceMaker): void {
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const block = pending.join('');
    pending = [];
    size = 0;
    out(block);
  };
  make((piece) => {
    // Each piece of bytes is whole UTF-8 (a file's printed part), so it decodes alone.
    const text = typeof piece === 'string' ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString('utf8');
    pending.push(text);
    size += text.length;
    if (size >= 1 << 20) flush();
  });
  flush();
}
