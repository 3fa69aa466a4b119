/**
 * The path shortcuts the one resolver (src/engine/repo-files.ts) uses (src/engine/posix-paths.ts) give what Node's path functions
 * give: `joinedUnder` is `path.posix.normalize(path.posix.join(dir, written))`, `resolveUnder` is
 * `path.resolve(root, p)`, on plain paths and on every kind that is not plain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPlainRelative, joinedUnder, resolveUnder } from '../src/engine/posix-paths';
import { PathChecks, repoRootOf, resolveWritten } from '../src/engine/repo-files';

const PATHS = [
  '',
  '.',
  '..',
  '...',
  '.a',
  'a.',
  '..a',
  'a..',
  'a',
  'a/b',
  'a/b/c.jsonl',
  './a',
  'a/./b',
  'a/../b',
  '../a',
  'a/..',
  'a/.',
  'a/',
  'a//b',
  '/a',
  '//a',
  '/',
  'a\\b',
  '.\\a',
  'data/dataset_info.json',
  'mlabonne/FineTome-100k',
  'a/.hidden/b',
  'a/b/../../..',
  ' a/b ',
];
const DIRS = ['.', '', 'c0/x/y', 'c0', 'x/../y', './x', 'x/', '..', '../x', '/abs', 'x//y', '.hidden'];
const ROOTS = ['/', '/r', '/r/s', '/r/.cache/t', '/r/', '/r/./s', '/r/../s', '//r'];

describe('the resolver shortcuts', () => {
  test('isPlainRelative: relative, every segment non-empty and neither . nor ..', () => {
    for (const p of PATHS) expect([p, isPlainRelative(p)]).toEqual([p, p.split('/').every((s) => s !== '' && s !== '.' && s !== '..')]);
    for (const p of PATHS) if (isPlainRelative(p)) expect(path.posix.normalize(p)).toBe(p);
  });

  test('joinedUnder is normalize(join(dir, written))', () => {
    for (const dir of DIRS) {
      for (const w of PATHS) {
        const d = dir || '.';
        expect([d, w, joinedUnder(d, w, isPlainRelative(w))]).toEqual([d, w, path.posix.normalize(path.posix.join(d, w))]);
      }
    }
  });

  test('resolveUnder is path.resolve(root, p)', () => {
    for (const root of ROOTS) {
      for (const p of PATHS) {
        if (p === '') continue;
        expect([root, p, resolveUnder(root, p)]).toEqual([root, p, path.resolve(root, p)]);
      }
    }
    // The set of roots known to be normalised follows the roots it is given.
    expect(resolveUnder('/r', 'a')).toBe('/r/a');
    expect(resolveUnder('/', 'a')).toBe('/a');
    expect(resolveUnder('/r/', 'a')).toBe('/r/a');
  });

  test('resolveWritten: a base that repeats an earlier candidate is tried once, in order; found through the kept checks as without them', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-dataset-perf-'));
    fs.mkdirSync(path.join(root, 'configs/sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'configs/sub/train.jsonl'), '{}\n');
    const repo = repoRootOf(root);
    const bases = [
      { dir: '.', label: 'the repository root' },
      { dir: '', label: 'the root again' },
      { dir: 'configs/../configs', label: 'a folder written with ..' },
      { dir: 'configs', label: "the config's folder" },
    ];
    const missing = resolveWritten(repo, 'sub/none.jsonl', bases);
    expect(missing).toEqual({
      tried: [
        { rel: 'sub/none.jsonl', base: bases[0], why: 'does not exist' },
        { rel: 'configs/sub/none.jsonl', base: bases[2], why: 'does not exist' },
      ],
    });
    const checks = new PathChecks(repo);
    for (const kept of [undefined, checks, checks]) {
      expect(resolveWritten(repo, 'sub/train.jsonl', bases, kept)).toEqual({
        found: { abs: path.join(root, 'configs/sub/train.jsonl'), rel: 'configs/sub/train.jsonl', base: bases[2] },
        tried: [{ rel: 'sub/train.jsonl', base: bases[0], why: 'does not exist' }],
      });
      expect(resolveWritten(repo, './configs/./sub/train.jsonl', bases, kept).found?.rel).toBe('configs/sub/train.jsonl');
      expect(resolveWritten(repo, path.join(root, 'configs/sub/train.jsonl'), bases, kept).found).toEqual({
        abs: path.join(root, 'configs/sub/train.jsonl'),
        rel: 'configs/sub/train.jsonl',
        base: { dir: '/', label: 'an absolute path' },
      });
      expect(resolveWritten(repo, '../outside.jsonl', bases, kept).tried[0]).toEqual({ rel: '../outside.jsonl', base: bases[0], why: 'outside the repository' });
    }
    fs.rmSync(root, { recursive: true, force: true });
  });
});
