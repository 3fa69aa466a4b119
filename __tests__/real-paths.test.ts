import { lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RealPaths } from '../src/engine/real-paths.js';

/** What `realpathSync` gives, or the error code it throws. */
function expected(abs: string): string {
  try {
    return realpathSync(abs);
  } catch (err) {
    return `error ${(err as NodeJS.ErrnoException).code}`;
  }
}

function actual(paths: RealPaths, abs: string): string {
  try {
    return paths.resolve(abs).real;
  } catch (err) {
    return `error ${(err as NodeJS.ErrnoException).code}`;
  }
}

describe('RealPaths', () => {
  let dir: string;
  beforeAll(() => {
    // A tree with links at every level: a linked folder, a link to a linked folder, file links
    // (relative and absolute), dangling links, a loop, and a file used as a folder.
    dir = mkdtempSync(path.join(tmpdir(), 'trainlint-realpaths-'));
    mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'b', 'c', 'x.yaml'), 'lr: 1\n');
    writeFileSync(path.join(dir, 'a', 'top.yaml'), 'lr: 1\n');
    symlinkSync(path.join(dir, 'a', 'b'), path.join(dir, 'linked'));
    symlinkSync('linked', path.join(dir, 'linked2'));
    symlinkSync('c/x.yaml', path.join(dir, 'a', 'b', 'rel.yaml'));
    symlinkSync(path.join(dir, 'a', 'top.yaml'), path.join(dir, 'a', 'b', 'c', 'abs.yaml'));
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    symlinkSync('loop2', path.join(dir, 'loop1'));
    symlinkSync('loop1', path.join(dir, 'loop2'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    'a/b/c/x.yaml',
    'a/top.yaml',
    'a',
    'linked/c/x.yaml',
    'linked2/c/x.yaml',
    'linked2/rel.yaml',
    'linked/c/abs.yaml',
    'a/b/rel.yaml',
    'linked',
    'dangling',
    'dangling/x.yaml',
    'loop1',
    'loop1/x',
    'a/top.yaml/x',
    'missing/x.yaml',
    'a/missing.yaml',
  ];

  test.each(cases)('%s resolves as realpathSync does', (rel) => {
    const abs = path.join(dir, rel);
    // A fresh cache and one that has already seen every other case give the same answer.
    const warm = new RealPaths();
    for (const other of cases) actual(warm, path.join(dir, other));
    expect(actual(new RealPaths(), abs)).toBe(expected(abs));
    expect(actual(warm, abs)).toBe(expected(abs));
  });

  test.each(cases)('%s: resolveIfExists gives undefined for a missing path, else what resolve gives', (rel) => {
    const abs = path.join(dir, rel);
    const want = expected(abs);
    let got: string;
    try {
      got = new RealPaths().resolveIfExists(abs)?.real ?? 'missing';
    } catch (err) {
      got = `error ${(err as NodeJS.ErrnoException).code}`;
    }
    // A path with no entry of its own (a dangling link still has one) is 'missing'; other errors throw as before.
    const ownEntry = (() => {
      try {
        lstatSync(abs);
        return true;
      } catch {
        return false;
      }
    })();
    expect(got).toBe(want === 'error ENOENT' && !ownEntry ? 'missing' : want);
  });

  test('gives the stat of what the path leads to', () => {
    const paths = new RealPaths();
    expect(paths.resolve(path.join(dir, 'linked')).stat.isDirectory()).toBe(true);
    expect(paths.resolve(path.join(dir, 'a', 'b', 'rel.yaml')).stat.isFile()).toBe(true);
    expect(paths.resolve(path.join(dir, 'a', 'top.yaml')).stat.isFile()).toBe(true);
    expect(paths.resolve('/').real).toBe(realpathSync('/'));
  });
});
