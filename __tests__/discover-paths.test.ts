/**
 * A discovered file's absolute path (engine/discover.ts keeps only the relative one when the
 * absolute is the root joined with it): the path of the file, for an absolute root, a relative one
 * and one with a trailing separator, and through a symlinked folder.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discover } from '../src/engine/discover';

describe('discovered files', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'trainlint-discover-'));
    mkdirSync(path.join(root, 'configs', 'deep'), { recursive: true });
    writeFileSync(path.join(root, 'configs', 'a.yaml'), 'lr: 1\n');
    writeFileSync(path.join(root, 'configs', 'deep', 'b.json'), '{}\n');
    writeFileSync(path.join(root, 'run.sh'), 'torchrun train.py\n');
    mkdirSync(path.join(root, 'elsewhere'));
    writeFileSync(path.join(root, 'elsewhere', 'c.yaml'), 'x: 1\n');
    symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'linked'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test.each([
    ['absolute', () => root],
    ['relative', () => path.relative(process.cwd(), root)],
    ['with a trailing separator', () => root + path.sep],
  ])('%s root: each abs is the file at root/rel', (_label, rootOf) => {
    const given = rootOf();
    const files = discover(given, [], {});
    expect(files.map((f) => f.rel).sort()).toEqual(expect.arrayContaining(['configs/a.yaml', 'configs/deep/b.json', 'run.sh']));
    for (const f of files) {
      expect(path.resolve(f.abs)).toBe(path.resolve(given, ...f.rel.split('/')));
      expect(existsSync(f.abs)).toBe(true);
    }
  });

  test('a file named alone, and one through a symlinked folder', () => {
    const files = discover(root, ['configs/a.yaml', 'linked/c.yaml'], {});
    expect(files.map((f) => [f.rel, path.resolve(f.abs)])).toEqual([
      ['configs/a.yaml', path.join(root, 'configs', 'a.yaml')],
      ['linked/c.yaml', path.join(root, 'linked', 'c.yaml')],
    ]);
  });
});

describe('a path named on the command line that leads nowhere', () => {
  test('a dangling link and a link loop are named as such, not as links that leave the repository', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'trainlint-discover-nowhere-'));
    try {
      symlinkSync('missing.yaml', path.join(root, 'dangling.yaml'));
      symlinkSync('loop-b.yaml', path.join(root, 'loop-a.yaml'));
      symlinkSync('loop-a.yaml', path.join(root, 'loop-b.yaml'));
      expect(() => discover(root, ['dangling.yaml'], {})).toThrow('dangling.yaml: a symbolic link to a file that does not exist; not read');
      expect(() => discover(root, ['loop-a.yaml'], {})).toThrow('loop-a.yaml: a symbolic link loop; not read');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
