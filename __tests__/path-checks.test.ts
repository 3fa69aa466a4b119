/**
 * A lint run keeps the answers of `checkRepoPath` for dataset lookups (repo-files.ts `PathChecks`):
 * the same answers, the same resolutions and the same dataset estimates as checking every time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { estimateDatasetSamples } from '../src/engine/datasets';
import { checkRepoPath, PathChecks, repoRootOf, resolveWritten, type PathBase } from '../src/engine/repo-files';
import type { DatasetRequest } from '../src/dialects/types';
import { tempRepos } from './helpers/temp-repo';

const { repo: makeRepo } = tempRepos('trainlint-path-checks');

const bases: PathBase[] = [
  { dir: '.', label: 'the repository root' },
  { dir: 'configs', label: "the config's folder" },
];

describe('PathChecks', () => {
  test('each answer is the one checkRepoPath gives, kept after the first', () => {
    const root = makeRepo({ 'configs/data/train.jsonl': '{"a":1}\n{"a":2}\n', 'configs/x.yaml': 'a: 1' });
    fs.mkdirSync(path.join(root, 'folder'));
    const repo = repoRootOf(root);
    const checks = new PathChecks(repo);
    for (const p of ['configs/data/train.jsonl', 'missing.jsonl', '../outside.json', '/etc/passwd', 'folder', 'configs/x.yaml']) {
      expect(checks.of(p)).toEqual(checkRepoPath(repo, p));
      expect(checks.of(p)).toBe(checks.of(p));
    }
  });

  test('resolveWritten gives the same resolution with and without them, and ignores those of another repository', () => {
    const root = makeRepo({ 'configs/data/train.jsonl': '{"a":1}\n' });
    const other = makeRepo({ 'data/train.jsonl': '{"a":1}\n' });
    const repo = repoRootOf(root);
    const checks = new PathChecks(repo);
    for (const written of ['data/train.jsonl', 'nowhere.json', '../x.json']) {
      expect(resolveWritten(repo, written, bases, checks)).toEqual(resolveWritten(repo, written, bases));
      expect(resolveWritten(repo, written, bases, checks)).toEqual(resolveWritten(repo, written, bases));
    }
    const otherRepo = repoRootOf(other);
    expect(resolveWritten(otherRepo, 'data/train.jsonl', bases, checks)).toEqual(resolveWritten(otherRepo, 'data/train.jsonl', bases));
    expect(resolveWritten(otherRepo, 'data/train.jsonl', bases, checks).found?.rel).toBe('data/train.jsonl');
  });

  test('at most `limit` answers are kept', () => {
    const root = makeRepo({ 'a.json': '[]' });
    const repo = repoRootOf(root);
    const checks = new PathChecks(repo, 2);
    const first = checks.of('a.json');
    checks.of('b.json');
    checks.of('c.json');
    expect(checks.of('a.json')).not.toBe(first);
    expect(checks.of('a.json')).toEqual(first);
  });

  test('dataset estimates are the same with the checks kept, config after config', () => {
    const root = makeRepo({ 'configs/data/train.jsonl': '{"a":1}\n{"a":2}\n{"a":3}\n', 'data/dataset_info.json': JSON.stringify({ mine: { file_name: 'mine.json' } }), 'data/mine.json': '[{"a":1},{"a":2}]' });
    const repo = repoRootOf(root);
    const checks = new PathChecks(repo);
    const show = (abs: string) => path.relative(root, abs);
    const range = { line: 1, column: 1, endLine: 1, endColumn: 5 };
    const requests: DatasetRequest[] = [
      { refs: [{ kind: 'path', names: ['data/train.jsonl'], key: 'data_files', range }] },
      { refs: [{ kind: 'path', names: ['nowhere.jsonl', 'data/train.jsonl'], key: 'data_files', range }] },
      { refs: [{ kind: 'path', names: ['nowhere.jsonl'], key: 'data_files', range }] },
      { refs: [{ kind: 'catalog', names: ['mine'], key: 'dataset', range }], catalogDir: 'data' },
      { refs: [{ kind: 'catalog', names: ['theirs'], key: 'dataset', range }], catalogDir: 'elsewhere' },
    ];
    const counted = requests.map((req) => estimateDatasetSamples(req, { repo, bases, show, maxBytes: 1 << 20, checks }));
    expect(counted.map((e) => (e.ok ? e.setting.value : e.why.slice(0, 20)))).toEqual([3, 3, 'nowhere.jsonl not fo', 2, 'elsewhere/dataset_in']);
    for (let round = 0; round < 2; round++) {
      for (const req of requests) {
        expect(estimateDatasetSamples(req, { repo, bases, show, maxBytes: 1 << 20, checks })).toEqual(estimateDatasetSamples(req, { repo, bases, show, maxBytes: 1 << 20 }));
      }
    }
  });
});
