/**
 * The CLI's writers to its standard output and error. When the reader goes away (`trainlint … |
 * head`), a write fails with EPIPE: the writer stops writing, quietly, instead of letting the
 * stream's unhandled 'error' event end the process with a stack trace; the exit code stays the
 * lint's. Any other write error is still reported once, in one line, as an internal error.
 */
import type { Writable } from 'node:stream';

export interface StreamWriter {
  write: (text: string) => void;
  /** The reader went away: nothing more is written. */
  readonly closed: boolean;
}

export function streamWriter(target: Writable | (() => Writable), onOtherError: (err: NodeJS.ErrnoException) => void): StreamWriter {
  let closed = false;
  let stream: Writable | undefined;
  // A getter opens the stream at the first write: Node builds process.stderr when it is first read
  // (≈ 2 ms of a one-file run), and most runs write nothing there.
  const open = (): Writable => {
    if (stream) return stream;
    stream = typeof target === 'function' ? target() : target;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (closed) return;
      closed = true;
      if (err.code !== 'EPIPE') onOtherError(err);
    });
    return stream;
  };
  if (typeof target !== 'function') open();
  return {
    write(text: string) {
      if (!closed) open().write(text);
    },
    get closed() {
      return closed;
    },
  };
}
