/**
 * A temporary file that a very large run keeps its finished results in (finished.ts): each result's
 * payload and text are written once, when the file is finished, and read back only when a report or
 * a cross-file step reads that result. What stays in memory per file is its place in the file, so
 * memory no longer grows by every file's plan and text (50,000 files: ≈ 70 MiB of deflated payloads
 * and texts; docs/performance.md).
 *
 * Writes are gathered in a buffer and appended a megabyte at a time. The file is created in its own
 * folder under the system's temporary folder, readable by this user only, and removed from the
 * folder at once where the system allows it (POSIX: it lives on until its descriptor is closed, so
 * nothing is left behind by a run that is killed); elsewhere it is removed when the process exits.
 * Its descriptor is closed when the spool is no longer reachable (the run's results are gone).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Bytes gathered before they are written. */
const CHUNK = 1 << 20;

const closing = new FinalizationRegistry<{ fd: number; left?: string }>(({ fd, left }) => {
  try {
    closeSync(fd);
    if (left) rmSync(path.dirname(left), { recursive: true, force: true });
  } catch {
    // Already closed or removed: nothing to do.
  }
});

/** Folders left to remove at exit (where an open file cannot be unlinked). */
const atExit = new Set<string>();
let exitHook = false;

export class Spool {
  /** Bytes in the file so far. */
  private written = 0;
  private readonly pending = Buffer.allocUnsafe(CHUNK);
  private used = 0;

  private constructor(private readonly fd: number) {}

  /** A new spool in `folder`, or undefined when no temporary file can be made there (the caller keeps results in memory). */
  static open(folder = tmpdir()): Spool | undefined {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(path.join(folder, 'trainlint-'));
      const file = path.join(dir, 'results');
      const fd = openSync(file, 'wx+', 0o600);
      let left: string | undefined;
      try {
        unlinkSync(file);
        rmdirSync(dir);
      } catch {
        left = file;
        leaveForExit(dir);
      }
      const spool = new Spool(fd);
      closing.register(spool, { fd, ...(left ? { left } : {}) });
      return spool;
    } catch {
      if (dir) rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
  }

  /** Appends `parts` one after another; returns where the first begins, or undefined when the file cannot take them (the caller keeps them in memory). */
  put(parts: Uint8Array[]): number | undefined {
    let length = 0;
    for (const p of parts) length += p.length;
    const at = this.written + this.used;
    try {
      if (this.used + length > CHUNK) this.flush();
      if (length > CHUNK) {
        for (const p of parts) this.writeAll(p);
      } else {
        for (const p of parts) {
          this.pending.set(p, this.used);
          this.used += p.length;
        }
      }
    } catch {
      return undefined;
    }
    return at;
  }

  /** `length` bytes from `at`. */
  read(at: number, length: number): Uint8Array {
    // A copy: Buffer's own slice would be a view of the buffer that later writes refill.
    if (at >= this.written) return Uint8Array.prototype.slice.call(this.pending, at - this.written, at - this.written + length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, at + done);
      if (n === 0) throw new Error('trainlint: its temporary results file was cut short');
      done += n;
    }
    return out;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.pending.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done);
    this.written += bytes.length;
  }
}

function leaveForExit(dir: string): void {
  atExit.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const d of atExit) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        // Still open elsewhere: the system's temporary folder keeps it.
      }
    }
  });
}
