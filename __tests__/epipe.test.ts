/**
 * `trainlint … | head`: when the reader of the output goes away, the CLI stops writing quietly
 * (src/cli/output.ts) instead of dying on an unhandled EPIPE with a stack trace; its exit code is
 * still the lint's.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import os from 'node:os';
import { streamWriter } from '../src/cli/output';
import { bundled } from './helpers/child';
import { cleanTempDirs, GOOD, tempRepo } from './helpers/hostile';

afterAll(cleanTempDirs);

/** Runs the CLI, reads the first chunk of its output, then closes the pipe (as `head -c` does). */
async function readThenClose(argv: string[], cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; first: string; stderr: string }> {
  const cli = await bundled('src/cli.ts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd, env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    let stderr = '';
    child.stdout.once('data', (b: Buffer) => {
      first = b.toString('utf8');
      child.stdout.destroy();
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, first, stderr });
    });
  });
}

describe('a reader that goes away', () => {
  // 1,500 configs with a finding each: the report is far larger than a pipe's buffer.
  const files = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`configs/c${i}.yaml`, GOOD]));

  test.each([
    ['stylish', []],
    ['json', ['--format', 'json']],
  ])('%s output: no EPIPE stack trace, the lint exit code', async (_, format) => {
    const dir = tempRepo(files);
    const r = await readThenClose([...format, '--no-baseline'], dir);
    expect(r.first.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
  }, 70_000);
});

describe('streamWriter', () => {
  const failing = (code: string) =>
    new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error(code), { code }));
      },
    });

  test('EPIPE: quiet, and nothing more is written; another error: reported once', async () => {
    const others: string[] = [];
    const pipe = streamWriter(failing('EPIPE'), (e) => others.push(String(e.code)));
    pipe.write('a');
    await new Promise((r) => setImmediate(r));
    expect(pipe.closed).toBe(true);
    pipe.write('b');
    const full = streamWriter(failing('ENOSPC'), (e) => others.push(String(e.code)));
    full.write('a');
    await new Promise((r) => setImmediate(r));
    full.write('b');
    await new Promise((r) => setImmediate(r));
    expect(others).toEqual(['ENOSPC']);
  });
});
