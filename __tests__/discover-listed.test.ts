/**
 * Discovery typed by the repository's walk for scripts (engine/discover.ts `listedFile`): a run that
 * names many files walks the repository first, and a named file that the walk's listing of its folder
 * types a regular file is taken without an `lstat`. Everything else goes the usual way, so the files
 * found and the paths refused are those of discovery without a listing, input by input and all at once.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discover } from '../src/engine/discover';
import { walkForScripts } from '../src/engine/repository';

/** The files found, or the usage error's message. */
function outcome(root: string, inputs: string[], listed?: ReadonlyMap<string, readonly Dirent[]>): string[] | string {
  try {
    return discover(root, inputs, { ignore: ['ignored/**'] }, undefined, listed).map((f) => `${f.rel} ${f.abs}`);
  } catch (err) {
    return (err as Error).message;
  }
}

describe('discovery typed by the walk for scripts', () => {
  let base: string;
  let root: string;
  const inputs: string[] = [];
  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'trainlint-listed-'));
    root = path.join(base, 'repo');
    const outside = path.join(base, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.yaml'), 'lr: 1\n');
    // Forty configs in folders of one, a few and many entries (a map of names past SCANNED_FOLDER_ENTRIES).
    for (let i = 0; i < 40; i++) {
      const dir = path.join(root, 'configs', i < 30 ? 'many' : `few${i % 3}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `run${i}.yaml`), `lr: ${i}\n`);
      inputs.push(path.relative(root, path.join(dir, `run${i}.yaml`)));
    }
    mkdirSync(path.join(root, '.hidden'), { recursive: true });
    writeFileSync(path.join(root, '.hidden', 'h.yaml'), 'lr: 1\n');
    mkdirSync(path.join(root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'pkg', 'n.yaml'), 'lr: 1\n');
    mkdirSync(path.join(root, 'ignored'), { recursive: true });
    writeFileSync(path.join(root, 'ignored', 'i.yaml'), 'lr: 1\n');
    mkdirSync(path.join(root, 'real'), { recursive: true });
    writeFileSync(path.join(root, 'real', 'r.yaml'), 'lr: 1\n');
    // A link to a file outside, a link to a file inside, a folder link inside, a folder link outside, a dangling link.
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'configs', 'many', 'escape.yaml'));
    symlinkSync(path.join(root, 'real', 'r.yaml'), path.join(root, 'configs', 'many', 'inside.yaml'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'linked-in'));
    symlinkSync(outside, path.join(root, 'linked-out'));
    symlinkSync(path.join(root, 'nowhere.yaml'), path.join(root, 'configs', 'dangling.yaml'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const special = [
    'configs/many/escape.yaml',
    'configs/many/inside.yaml',
    'linked-in/r.yaml',
    'linked-out/secret.yaml',
    'configs/dangling.yaml',
    '.hidden/h.yaml',
    'node_modules/pkg/n.yaml',
    'ignored/i.yaml',
    'configs/many',
    'configs/missing.yaml',
    'configs/MANY/run1.yaml',
    '../outside/secret.yaml',
    './configs/few0/run30.yaml',
    'configs/few0/../few1/run31.yaml',
  ];

  test('each input alone: the same files or the same refusal', () => {
    const listed = walkForScripts(root).folders;
    expect(listed.has(path.join(root, 'configs', 'many'))).toBe(true);
    for (const input of [...inputs, ...special]) expect(outcome(root, [input], listed)).toEqual(outcome(root, [input]));
  });

  test('all at once, in order, with the files that are refused last', () => {
    const listed = walkForScripts(root).folders;
    const accepted = ['configs/many/inside.yaml', 'linked-in/r.yaml', '.hidden/h.yaml', 'node_modules/pkg/n.yaml', 'ignored/i.yaml', 'configs/many'];
    const all = [...inputs, ...accepted];
    const found = outcome(root, all, listed);
    expect(found).toEqual(outcome(root, all));
    expect(found).toHaveLength(new Set([...inputs, 'configs/many/inside.yaml', 'linked-in/r.yaml', '.hidden/h.yaml', 'node_modules/pkg/n.yaml', 'ignored/i.yaml']).size);
    for (const refused of ['configs/many/escape.yaml', 'linked-out/secret.yaml', 'configs/dangling.yaml', 'configs/missing.yaml']) {
      expect(outcome(root, [...all, refused], listed)).toEqual(outcome(root, [...all, refused]));
      expect(typeof outcome(root, [...all, refused], listed)).toBe('string');
    }
  });

  test('a file its folder listing types a regular file is taken from the listing, without a look at the disk', () => {
    // A listing that says more than the disk holds shows that the listing, not an lstat, decided.
    const folder = path.join(root, 'configs', 'few0');
    const listed = new Map(walkForScripts(root).folders);
    const typed = { name: 'listed-only.yaml', isFile: () => true } as Dirent;
    listed.set(folder, [...(listed.get(folder) ?? []), typed]);
    expect(outcome(root, ['configs/few0/listed-only.yaml'], listed)).toEqual([`configs/few0/listed-only.yaml ${path.join(folder, 'listed-only.yaml')}`]);
    expect(outcome(root, ['configs/few0/listed-only.yaml'])).toMatch(/no such file or directory/);
  });

  test('a file typed regular by a listing (its own walk or the walk for scripts) is marked so; a link to a file, or a file found by lstat, is not', () => {
    const regularOf = (inputs: string[], listed?: ReadonlyMap<string, readonly Dirent[]>) =>
      Object.fromEntries(discover(root, inputs, { ignore: ['ignored/**'] }, undefined, listed).map((f) => [f.rel, f.regular]));
    // A folder input: discovery's own walk types each entry.
    const walked = regularOf(['configs']);
    expect(walked['configs/many/run0.yaml']).toBe(true);
    expect(walked['configs/few0/run30.yaml']).toBe(true);
    expect(walked['configs/many/inside.yaml']).toBe(false);
    // Named files: typed by the listing of the walk for scripts, else found by lstat (not typed).
    const listed = walkForScripts(root).folders;
    expect(regularOf(['configs/many/run0.yaml', 'configs/many/inside.yaml', 'linked-in/r.yaml'], listed)).toEqual({
      'configs/many/run0.yaml': true,
      'configs/many/inside.yaml': false,
      'linked-in/r.yaml': false,
    });
    expect(regularOf(['configs/many/run0.yaml'])).toEqual({ 'configs/many/run0.yaml': false });
  });
});
