/** The one path resolver and bounded reader (src/engine/repo-files.ts), on real files in temp dirs. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRepoPath, readBounded, repoRootOf, resolveWritten } from '../src/engine/repo-files';

function tempRepo(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-repo-files-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('checkRepoPath', () => {
  test('a regular file inside the root is found, with its root-relative path', () => {
    const root = tempRepo({ 'configs/ds.json': '{}' });
    expect(checkRepoPath(repoRootOf(root), 'configs/ds.json')).toEqual({ ok: true, abs: path.join(root, 'configs/ds.json'), rel: 'configs/ds.json' });
  });

  test('missing, outside (../ and absolute) and folders are refused with a reason', () => {
    const root = tempRepo({ 'a.yaml': 'x: 1' });
    const repo = repoRootOf(root);
    expect(checkRepoPath(repo, 'b.yaml')).toMatchObject({ ok: false, refusal: 'missing' });
    expect(checkRepoPath(repo, '../etc/passwd')).toMatchObject({ ok: false, refusal: 'outside' });
    expect(checkRepoPath(repo, '/etc/passwd')).toMatchObject({ ok: false, refusal: 'outside' });
    fs.mkdirSync(path.join(root, 'dir'));
    expect(checkRepoPath(repo, 'dir')).toMatchObject({ ok: false, refusal: 'not-regular' });
  });

  test('a symbolic link that leaves the root is refused; one that stays inside is followed', () => {
    const outside = tempRepo({ 'secret.yaml': 'password: hunter2' });
    const root = tempRepo({ 'real.yaml': 'x: 1' });
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'leak.yaml'));
    fs.symlinkSync(path.join(root, 'real.yaml'), path.join(root, 'alias.yaml'));
    fs.symlinkSync(path.join(root, 'loop-b.yaml'), path.join(root, 'loop-a.yaml'));
    fs.symlinkSync(path.join(root, 'loop-a.yaml'), path.join(root, 'loop-b.yaml'));
    const repo = repoRootOf(root);
    expect(checkRepoPath(repo, 'leak.yaml')).toMatchObject({ ok: false, refusal: 'outside' });
    expect(checkRepoPath(repo, 'alias.yaml')).toMatchObject({ ok: true, rel: 'alias.yaml' });
    expect(checkRepoPath(repo, 'loop-a.yaml')).toMatchObject({ ok: false, refusal: 'unreadable' });
  });

  test('a FIFO is not a regular file', () => {
    const root = tempRepo({});
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    } catch {
      return; // no mkfifo on this system
    }
    expect(checkRepoPath(repoRootOf(root), 'pipe.yaml')).toMatchObject({ ok: false, refusal: 'not-regular' });
  });
});

describe('resolveWritten', () => {
  test('tries each base in order and says which one was used', () => {
    const root = tempRepo({ 'configs/ds.json': '{}', 'configs/sft.yaml': 'deepspeed: ds.json' });
    const bases = [
      { dir: '.', label: 'the repository root' },
      { dir: 'configs', label: "the config's folder" },
    ];
    const r = resolveWritten(repoRootOf(root), 'ds.json', bases);
    expect(r.found).toMatchObject({ rel: 'configs/ds.json', base: { label: "the config's folder" } });
    expect(r.tried).toEqual([{ rel: 'ds.json', base: bases[0], why: 'does not exist' }]);
  });

  test('nothing found: every candidate is listed', () => {
    const root = tempRepo({});
    const r = resolveWritten(repoRootOf(root), '../../x.json', [{ dir: 'a/b', label: "the config's folder" }, { dir: '.', label: 'the repository root' }]);
    expect(r.found).toBeUndefined();
    expect(r.tried.map((t) => [t.rel, t.why])).toEqual([
      ['x.json', 'does not exist'],
      ['../../x.json', 'outside the repository'],
    ]);
  });
});

describe('readBounded', () => {
  test('reads a regular file and stops at the byte limit', () => {
    const root = tempRepo({ 'small.yaml': 'a: 1\n', 'big.yaml': 'x'.repeat(5000) });
    expect(readBounded(path.join(root, 'small.yaml'), 100)).toEqual({ ok: true, bytes: Buffer.from('a: 1\n') });
    expect(readBounded(path.join(root, 'big.yaml'), 100)).toMatchObject({ ok: false, tooLarge: true });
  });

  test('a character device and a FIFO are refused without blocking', () => {
    expect(readBounded('/dev/zero', 1024)).toMatchObject({ ok: false, why: expect.stringMatching(/not a regular file/) });
    const root = tempRepo({});
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    } catch {
      return;
    }
    expect(readBounded(path.join(root, 'pipe.yaml'), 1024)).toMatchObject({ ok: false, why: expect.stringMatching(/not a regular file/) });
  });

  test('a file its listing typed regular reads the same, at every size around one chunk and the limit', () => {
    const chunk = 64 * 1024;
    const sizes = [0, 1, 4095, chunk - 1, chunk, chunk + 1, 3 * chunk + 7];
    const root = tempRepo(Object.fromEntries(sizes.map((n) => [`f${n}.yaml`, 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(n / 26)).slice(0, n)])));
    for (const n of sizes) {
      const abs = path.join(root, `f${n}.yaml`);
      for (const limit of [100, chunk - 1, chunk, chunk + 1, 10 * chunk]) {
        const typed = readBounded(abs, limit, 'maxFileBytes', true);
        // Same answer, same message (the size a too-large file reports comes from its fstat).
        expect(typed).toEqual(readBounded(abs, limit));
        if (typed.ok) expect(typed.bytes.equals(fs.readFileSync(abs))).toBe(true);
      }
    }
  });

  test('typed regular: a character device is still refused, and a FIFO swapped in never blocks', () => {
    expect(readBounded('/dev/zero', 1024, 'maxFileBytes', true)).toMatchObject({ ok: false, why: expect.stringMatching(/not a regular file/) });
    const root = tempRepo({});
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    } catch {
      return;
    }
    // No writer: a non-blocking read of a FIFO ends at once (read as empty); it never waits.
    expect(readBounded(path.join(root, 'pipe.yaml'), 1024, 'maxFileBytes', true)).toEqual({ ok: true, bytes: Buffer.alloc(0) });
  });
});
