/**
 * A lint run keeps the dataset files it counted and the catalogs it read (datasets.ts
 * `DatasetReads`): the same estimates as reading them for each config, each file read once a run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatasetReads, estimateDatasetSamples, type DatasetContext } from '../src/engine/datasets';
import { PathChecks, repoRootOf, type PathBase } from '../src/engine/repo-files';
import type { DatasetRequest } from '../src/dialects/types';
import { tempRepos } from './helpers/temp-repo';

const { repo: makeRepo } = tempRepos('trainlint-dataset-reads');

const bases: PathBase[] = [
  { dir: '.', label: 'the repository root' },
  { dir: 'configs', label: "the config's folder" },
];
const range = { line: 1, column: 1, endLine: 1, endColumn: 5 };
const requests: DatasetRequest[] = [
  { refs: [{ kind: 'path', names: ['data/train.jsonl'], key: 'data_files', range }] },
  { refs: [{ kind: 'path', names: ['nowhere.jsonl', 'data/train.jsonl'], key: 'data_files', range }], validation: { value: 0.5, key: 'val', rounding: 'ceil' } },
  { refs: [{ kind: 'path', names: ['nowhere.jsonl'], key: 'data_files', range }] },
  { refs: [{ kind: 'catalog', names: ['mine'], key: 'dataset', range }], catalogDir: 'data' },
  { refs: [{ kind: 'catalog', names: ['mine'], key: 'dataset', range, maxSamples: { value: 1, key: 'max_samples' } }, { kind: 'catalog', names: ['hub'], key: 'dataset', range }], catalogDir: 'data' },
  { refs: [{ kind: 'catalog', names: ['theirs'], key: 'dataset', range }], catalogDir: 'elsewhere' },
  { refs: [{ kind: 'path-or-hub', names: ['tatsu-lab/alpaca'], key: 'path', range }] },
];

function setUp() {
  const root = makeRepo({
    'configs/data/train.jsonl': '{"a":1}\n{"a":2}\n{"a":3}\n',
    'data/dataset_info.json': JSON.stringify({ mine: { file_name: 'mine.json' }, hub: { hf_hub_url: 'yahma/alpaca-cleaned' } }),
    'data/mine.json': '[{"a":1},{"a":2}]',
  });
  const repo = repoRootOf(root);
  const ctx = (reads?: DatasetReads): DatasetContext => ({ repo, bases, show: (abs) => path.relative(root, abs), maxBytes: 1 << 20, checks: new PathChecks(repo), ...(reads ? { reads } : {}) });
  return { root, ctx };
}

describe('DatasetReads', () => {
  test('the same estimates with the reads kept, config after config', () => {
    const { ctx } = setUp();
    const reads = new DatasetReads();
    const alone = requests.map((req) => estimateDatasetSamples(req, ctx()));
    expect(alone.map((e) => (e.ok ? e.setting.value : e.why.slice(0, 20)))).toEqual([3, 1, 'nowhere.jsonl not fo', 2, 51761, 'elsewhere/dataset_in', 52002]);
    for (let round = 0; round < 2; round++) {
      expect(requests.map((req) => estimateDatasetSamples(req, ctx(reads)))).toEqual(alone);
    }
    expect([...reads.rows.keys()].map((abs) => path.basename(abs)).sort()).toEqual(['mine.json', 'train.jsonl']);
    expect(reads.catalogs.size).toBe(1);
  });

  test('a file is counted and a catalog read once a run', () => {
    const { root, ctx } = setUp();
    const reads = new DatasetReads();
    const before = requests.map((req) => estimateDatasetSamples(req, ctx(reads)));
    // Changed behind the run's back: the run keeps what it read first; a context without reads sees the change.
    fs.appendFileSync(path.join(root, 'configs/data/train.jsonl'), '{"a":4}\n');
    fs.writeFileSync(path.join(root, 'data/dataset_info.json'), '{}');
    expect(requests.map((req) => estimateDatasetSamples(req, ctx(reads)))).toEqual(before);
    const fresh = requests.map((req) => estimateDatasetSamples(req, ctx()));
    expect(fresh[0]).toMatchObject({ ok: true, setting: { value: 4 } });
    expect(fresh[3]).toMatchObject({ ok: false });
  });

  test('at most the limits are kept, then they start over', () => {
    const { root, ctx } = setUp();
    const reads = new DatasetReads(1, 1);
    estimateDatasetSamples(requests[0], ctx(reads));
    estimateDatasetSamples(requests[3], ctx(reads));
    expect([...reads.rows.keys()].map((abs) => path.basename(abs))).toEqual(['mine.json']);
    fs.appendFileSync(path.join(root, 'configs/data/train.jsonl'), '{"a":4}\n');
    expect(estimateDatasetSamples(requests[0], ctx(reads))).toMatchObject({ ok: true, setting: { value: 4 } });
    expect(reads.rows.size).toBe(1);
    expect(reads.catalogs.size).toBe(1);
  });
});
