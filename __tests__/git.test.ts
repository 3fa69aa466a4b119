import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError, gitStats, readBaseVersions } from '../src/engine/git.js';

const dirs: string[] = [];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

/** A fresh, empty repository with a local identity. */
function makeRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-git-'));
  dirs.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

function write(dir: string, rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

function commit(dir: string, msg: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', msg);
}

const YAML_A = 'model:\n  name: resnet50\n  layers: 50\noptimizer:\n  lr: 0.1\n  momentum: 0.9\ntrainer:\n  epochs: 90\n';

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('readBaseVersions', () => {
  test('edited file (committed and uncommitted): base text returned, ref as HEAD~1, branch, SHA', async () => {
    const dir = makeRepo();
    write(dir, 'cfg/a.yaml', YAML_A);
    commit(dir, 'base');
    const baseSha = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'branch', 'base-branch');
    write(dir, 'cfg/a.yaml', YAML_A.replace('0.1', '0.2'));
    commit(dir, 'edit');
    write(dir, 'cfg/a.yaml', YAML_A.replace('0.1', '0.3')); // plus an unstaged edit

    for (const ref of ['HEAD~1', 'base-branch', baseSha, baseSha.slice(0, 10)]) {
      const m = await readBaseVersions(dir, ref, ['cfg/a.yaml']);
      expect(m.get('cfg/a.yaml')).toEqual({ basePath: 'cfg/a.yaml', text: YAML_A });
    }
    // Against HEAD the committed edit is the base.
    const m = await readBaseVersions(dir, 'HEAD', ['cfg/a.yaml']);
    expect(m.get('cfg/a.yaml')?.text).toContain('lr: 0.2');
  });

  test('renamed + edited and committed: found under the old path', async () => {
    const dir = makeRepo();
    write(dir, 'a.yaml', YAML_A);
    commit(dir, 'base');
    git(dir, 'mv', 'a.yaml', 'b.yaml');
    write(dir, 'b.yaml', YAML_A.replace('epochs: 90', 'epochs: 100'));
    commit(dir, 'rename');
    const m = await readBaseVersions(dir, 'HEAD~1', ['b.yaml']);
    expect(m.get('b.yaml')).toEqual({ basePath: 'a.yaml', text: YAML_A });
  });

  test('renamed but only staged (uncommitted): found under the old path', async () => {
    const dir = makeRepo();
    write(dir, 'configs/old name.yaml', YAML_A);
    commit(dir, 'base');
    git(dir, 'mv', 'configs/old name.yaml', 'configs/new.yaml');
    write(dir, 'configs/new.yaml', YAML_A.replace('momentum: 0.9', 'momentum: 0.95'));
    const m = await readBaseVersions(dir, 'HEAD', ['configs/new.yaml']);
    expect(m.get('configs/new.yaml')).toEqual({ basePath: 'configs/old name.yaml', text: YAML_A });
  });

  test('new files (committed, staged, untracked) map to null; deleted file not requested', async () => {
    const dir = makeRepo();
    write(dir, 'keep.yaml', 'a: 1\n');
    write(dir, 'gone.yaml', 'b: 2\n');
    commit(dir, 'base');
    fs.rmSync(path.join(dir, 'gone.yaml'));
    write(dir, 'committed.yaml', 'c: 3\n');
    commit(dir, 'add');
    write(dir, 'staged.yaml', 'd: 4\n');
    git(dir, 'add', 'staged.yaml');
    write(dir, 'untracked.yaml', 'e: 5\n');
    const req = ['keep.yaml', 'committed.yaml', 'staged.yaml', 'untracked.yaml'];
    const m = await readBaseVersions(dir, 'HEAD~1', req);
    expect([...m.keys()]).toEqual(req);
    expect(m.get('keep.yaml')).toEqual({ basePath: 'keep.yaml', text: 'a: 1\n' });
    expect(m.get('committed.yaml')).toBeNull();
    expect(m.get('staged.yaml')).toBeNull();
    expect(m.get('untracked.yaml')).toBeNull();
    expect(m.has('gone.yaml')).toBe(false);
  });

  test('unknown ref, option-like ref and non-repository throw GitError with one-line messages', async () => {
    const dir = makeRepo();
    write(dir, 'a.yaml', 'a: 1\n');
    commit(dir, 'base');
    await expect(readBaseVersions(dir, 'foo', ['a.yaml'])).rejects.toThrow(new GitError('unknown revision "foo"'));
    await expect(readBaseVersions(dir, 'HEAD~5', ['a.yaml'])).rejects.toBeInstanceOf(GitError);
    await expect(readBaseVersions(dir, '--output=/tmp/x', ['a.yaml'])).rejects.toThrow(/invalid revision/);
    await expect(readBaseVersions(dir, 'HEAD\nfoo', ['a.yaml'])).rejects.toBeInstanceOf(GitError);

    const notRepo = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-norepo-'));
    dirs.push(notRepo);
    // Guard against a tmpdir that happens to live inside a git work tree.
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(notRepo);
    try {
      const err = await readBaseVersions(notRepo, 'HEAD', ['a.yaml']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitError);
      expect((err as Error).message).toBe(`not a git repository: ${notRepo}`);
    } finally {
      delete process.env.GIT_CEILING_DIRECTORIES;
    }
    await expect(readBaseVersions(path.join(notRepo, 'missing'), 'HEAD', [])).rejects.toBeInstanceOf(GitError);
  });

  test('spaces, unicode and newlines in paths', async () => {
    const dir = makeRepo();
    const names = ['with space.yaml', 'dïr/ünïcødé 配置.yaml', 'line\nbreak.yaml'];
    names.forEach((n, i) => write(dir, n, `k: ${i}\n`));
    commit(dir, 'base');
    names.forEach((n, i) => write(dir, n, `k: ${i + 10}\n`));
    const m = await readBaseVersions(dir, 'HEAD', names);
    names.forEach((n, i) => expect(m.get(n)).toEqual({ basePath: n, text: `k: ${i}\n` }));
    // A missing path with a space is still parsed correctly (its name is echoed back).
    const m2 = await readBaseVersions(dir, 'HEAD', ['new file.yaml', 'with space.yaml']);
    expect(m2.get('new file.yaml')).toBeNull();
    expect(m2.get('with space.yaml')?.text).toBe('k: 0\n');
  });

  test('binary / non-UTF-8 content and directories do not break parsing of the next file', async () => {
    const dir = makeRepo();
    // Bytes including LF, NUL, invalid UTF-8 and something that looks like a cat-file header.
    const bin = Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0x0a, 0xc3]), Buffer.from('\nabc blob 3\nxyz\n'), Buffer.from([0x80, 0x0a])]);
    write(dir, 'a.bin', bin);
    write(dir, 'b.yaml', 'after: binary\n');
    write(dir, 'c.yaml', 'caf\u00e9: \u2713\n');
    write(dir, 'sub/x.yaml', 'x: 1\n');
    commit(dir, 'base');
    const m = await readBaseVersions(dir, 'HEAD', ['a.bin', 'sub', 'b.yaml', 'c.yaml']);
    expect(m.get('a.bin')?.text).toBe(bin.toString('utf8'));
    expect(m.get('sub')).toBeNull(); // a tree, not a file
    expect(m.get('b.yaml')).toEqual({ basePath: 'b.yaml', text: 'after: binary\n' });
    expect(m.get('c.yaml')?.text).toBe('caf\u00e9: \u2713\n');
  });

  test('from a subdirectory of the work tree: paths relative to it, a file moved in from outside named from the top level', async () => {
    const dir = makeRepo();
    write(dir, 'sub/a.yaml', 'a: 1\n');
    write(dir, 'sub/b.yaml', YAML_A);
    write(dir, 'other/c.yaml', YAML_A.replace('0.1', '0.3'));
    commit(dir, 'base');
    git(dir, 'mv', 'sub/b.yaml', 'sub/renamed.yaml');
    git(dir, 'mv', 'other/c.yaml', 'sub/c.yaml');
    const sub = path.join(dir, 'sub');
    const m = await readBaseVersions(sub, 'HEAD', ['a.yaml', 'renamed.yaml', 'c.yaml', 'new.yaml']);
    expect(m.get('a.yaml')).toEqual({ basePath: 'a.yaml', text: 'a: 1\n' });
    expect(m.get('renamed.yaml')).toEqual({ basePath: 'b.yaml', text: YAML_A });
    expect(m.get('c.yaml')).toEqual({ basePath: 'other/c.yaml', text: YAML_A.replace('0.1', '0.3') });
    expect(m.get('new.yaml')).toBeNull();
  });

  test('200 files (renames included) are read with a bounded number of git processes', async () => {
    const dir = makeRepo();
    const N = 200;
    for (let i = 0; i < N; i++) write(dir, `cfg/f${i}.yaml`, `${YAML_A}id: ${i}\n`);
    commit(dir, 'base');
    fs.mkdirSync(path.join(dir, 'moved'));
    for (let i = 0; i < 20; i++) git(dir, 'mv', `cfg/f${i}.yaml`, `moved/g${i}.yaml`);
    for (let i = 20; i < N; i += 2) write(dir, `cfg/f${i}.yaml`, `${YAML_A}id: ${i}\nchanged: true\n`);
    const headPaths = Array.from({ length: N }, (_, i) => (i < 20 ? `moved/g${i}.yaml` : `cfg/f${i}.yaml`));
    headPaths.push('brand-new.yaml');

    const before = gitStats.spawns;
    const m = await readBaseVersions(dir, 'HEAD', headPaths);
    expect(gitStats.spawns - before).toBeLessThanOrEqual(4);

    expect(m.size).toBe(N + 1);
    for (let i = 0; i < N; i++) {
      const v = m.get(headPaths[i]);
      expect(v).toEqual({ basePath: `cfg/f${i}.yaml`, text: `${YAML_A}id: ${i}\n` });
    }
    expect(m.get('brand-new.yaml')).toBeNull();
  });
});

