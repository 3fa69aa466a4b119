/**
 * The repository walk for launch scripts (engine/repository.ts): the `mentioning` filter keeps
 * exactly the scripts whose text names a file (what lint() keeps after reading them), and the
 * fast path of relativePosix gives path.relative's answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { listScripts } from '../src/engine/repository.js';
import { relativePosix, resolveUnder, toPosix } from '../src/engine/posix-paths.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function repo(files: Record<string, string | Buffer>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-repository-')));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('listScripts', () => {
  const files = {
    'train.sh': 'torchrun train.py --config configs/sft.yaml\n',
    'a/run.bash': 'python x.py ds_zero3.json\n',
    'a/b/c/job.sbatch': '#SBATCH -N 2\nsrun python train.py dpo.yaml\n',
    'a/b/other.slurm': 'echo nothing here\n',
    'a/b/UPPER.SH': 'deepspeed train.py sft.yaml\n',
    'ünï/run.sh': 'python train.py ünï-config.yaml\n',
    'bad/utf8.sh': Buffer.concat([Buffer.from('python t.py '), Buffer.from([0xff, 0xfe]), Buffer.from(' sft.yaml\n')]),
    'node_modules/pkg/run.sh': 'sft.yaml\n',
    '.hidden/run.sh': 'sft.yaml\n',
    'venv/run.sh': 'sft.yaml\n',
    'notes.txt': 'sft.yaml\n',
    'ignored/run.sh': 'sft.yaml\n',
  };

  test('without a filter: every script outside hidden and dependency folders, in a stable order', () => {
    const root = repo(files);
    const rel = (abs: string) => path.relative(root, abs);
    expect(listScripts(root).scripts.map(rel)).toEqual(['a/b/UPPER.SH', 'a/b/c/job.sbatch', 'a/b/other.slurm', 'a/run.bash', 'bad/utf8.sh', 'ignored/run.sh', 'train.sh', 'ünï/run.sh']);
  });

  test('mentioning: exactly the scripts whose decoded text holds a name, as lint() would keep them', () => {
    const root = repo(files);
    const skip = (abs: string) => relativePosix(root, abs) === 'ignored';
    for (const names of [['sft.yaml'], ['dpo.yaml', 'ds_zero3.json'], ['ünï-config.yaml'], ['absent.yaml'], ['sft.yaml', 'run']]) {
      const set = new Set(names);
      const all = listScripts(root, skip).scripts;
      const expected = all.filter((abs) => names.some((n) => fs.readFileSync(abs).toString('utf8').includes(n)));
      expect(listScripts(root, skip, { mentioning: set, maxBytes: 1 << 20 }).scripts).toEqual(expected);
    }
  });

  test('a script over maxBytes is kept unread (the caller reads it, bounded, and decides)', () => {
    const root = repo({ 'big.sh': 'echo x\n'.repeat(100), 'small.sh': 'echo x\n' });
    expect(listScripts(root, undefined, { mentioning: new Set(['sft.yaml']), maxBytes: 100 }).scripts.map((a) => path.basename(a))).toEqual(['big.sh']);
  });

  test('larger scripts than the reused read buffer are searched whole', () => {
    const big = 'echo padding\n'.repeat(40_000) + 'python train.py far.yaml\n';
    const root = repo({ 'a.sh': big, 'b.sh': 'echo far\n', 'c.sh': big.replace('far.yaml', 'near.yaml') });
    expect(listScripts(root, undefined, { mentioning: new Set(['far.yaml']), maxBytes: 4 << 20 }).scripts.map((a) => path.basename(a))).toEqual(['a.sh']);
  });

  test('skipped folders are not read at all', () => {
    const root = repo({ 'keep/a.sh': 'x', 'drop/b.sh': 'x', 'drop/deeper/c.sh': 'x' });
    const asked: string[] = [];
    const skip = (abs: string, isDir: boolean) => {
      asked.push(`${relativePosix(root, abs)}${isDir ? '/' : ''}`);
      return relativePosix(root, abs) === 'drop';
    };
    expect(listScripts(root, skip).scripts.map((a) => relativePosix(root, a))).toEqual(['keep/a.sh']);
    expect(asked).toEqual(['drop/', 'keep/', 'keep/a.sh']);
  });
});

describe('posix-paths: relativePosix', () => {
  const slow = (from: string, abs: string) => toPosix(path.relative(from, abs)) || '.';

  test('the same answer as path.relative on absolute, relative and odd paths', () => {
    const cases: [string, string][] = [
      ['/r', '/r/a/b.sh'],
      ['/r', '/r'],
      ['/r', '/rx/a'],
      ['/r', '/r/'],
      ['/r/', '/r/a'],
      ['/r', '/r//a'],
      ['/r', '/r/./a'],
      ['/r', '/r/a/../b'],
      ['/r', '/r/a/..'],
      ['/r', '/other/a'],
      ['/r/a', '/r'],
      ['/', '/a/b'],
      ['/r', '/r/.hidden/x'],
      ['/r', '/r/a..b/x'],
      ['r', 'r/a'],
      ['/r/../s', '/r/../s/a'],
    ];
    for (const [from, abs] of cases) expect([from, abs, relativePosix(from, abs)]).toEqual([from, abs, slow(from, abs)]);
  });

  test('random paths', () => {
    const segment = fc.constantFrom('a', 'b', '.', '..', '', '.x', 'x.', 'é');
    const p = fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => '/' + s.join('/'));
    fc.assert(fc.property(p, p, (from, abs) => relativePosix(from, abs) === slow(from, abs)));
    fc.assert(fc.property(p, fc.array(segment, { maxLength: 4 }), (from, rest) => relativePosix(from, `${from}/${rest.join('/')}`) === slow(from, `${from}/${rest.join('/')}`)));
  });
});

describe('posix-paths: resolveUnder', () => {
  test('the same answer as path.resolve on plain, odd and absolute paths', () => {
    const cases: [string, string][] = [
      ['/r', 'a/b.yaml'],
      ['/', 'a'],
      ['/r', ''],
      ['/r', '.'],
      ['/r', './a'],
      ['/r', 'a/./b'],
      ['/r', 'a/../b'],
      ['/r', '../x'],
      ['/r', 'a//b'],
      ['/r', 'a/'],
      ['/r', '/etc/passwd'],
      ['/r', '.hidden/x'],
      ['/r', 'a..b/..c'],
      ['/r', 'a\\..\\b'],
      ['/r/', 'a'],
      ['/r/../s', 'a'],
      ['r', 'a'],
      ['/r', 'é/ü.yaml'],
    ];
    for (const [root, rel] of cases) expect([root, rel, resolveUnder(root, rel)]).toEqual([root, rel, path.resolve(root, rel)]);
  });

  test('random paths', () => {
    const segment = fc.constantFrom('a', 'b', '.', '..', '', '.x', 'x.', 'é', 'a\\b');
    const root = fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => '/' + s.join('/'));
    const rel = fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => s.join('/'));
    fc.assert(fc.property(root, rel, (r, p) => resolveUnder(r, p) === path.resolve(r, p)));
  });
});
