/**
 * OpenCLIP's epoch length by dataset type (open_clip_train/data.py): webdataset reads --train-num-samples
 * (ceil, rounded up to the workers); a CSV is one epoch of its rows with drop_last (floor), and
 * --train-num-samples is never read.
 */
import { openclip } from '../../src/dialects/openclip';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train.sh', text, {}, 'shell');
const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const cmd = (data: string, extra = '') =>
  `torchrun --nproc_per_node 4 -m open_clip_train.main --train-data ${data} --train-num-samples 200000 --batch-size 128 --epochs 10 --warmup 100${extra}\n`;

describe('openclip: the epoch length follows the dataset type', () => {
  test('a CSV: one epoch of its rows, floor(ceil(rows / world) / batch); --train-num-samples is ignored', () => {
    const file = sh(cmd('/data/cc3m/train.csv', ' --csv-img-key filepath --csv-caption-key title'));
    const unknown = openclip.extract(file, env());
    expect(unknown.plan.datasetSamples).toBeUndefined();
    expect(unknown.plan.totalSteps).toBeUndefined();
    expect(unknown.missing.find((m) => m.field === 'datasetSamples')?.hint).toMatch(/^one epoch is the rows of the CSV \/data\/cc3m\/train\.csv: set assume\.datasetSamples/);
    expect(unknown.ignored?.map((i) => [i.key, i.critical ?? false])).toEqual([['--train-num-samples', false]]);
    expect(unknown.ignored?.[0].message).toMatch(/^--train-num-samples 200000 is ignored: --train-data is a CSV \(a \.csv file with --dataset-type auto\), and get_csv_dataset makes one epoch of its rows/);
    // 10001 rows on 4 GPUs: ceil(10001 / 4) = 2501 per rank, 19 full batches of 128 (the last partial one dropped).
    const { plan } = openclip.extract(file, env({ datasetSamples: 10001 }));
    expect(plan.stepsPerEpoch).toMatchObject({ value: 19, how: 'floor(ceil(10001 / 4) / 128)' });
    expect(plan.totalSteps?.value).toBe(190);
  });

  test('--dataset-type csv on any file name; synthetic data reads --train-num-samples with the same floor', () => {
    expect(openclip.extract(sh(cmd('/data/pairs.txt', ' --dataset-type csv')), env()).ignored?.map((i) => i.key)).toEqual(['--train-num-samples']);
    const synthetic = openclip.extract(sh(cmd('x', ' --dataset-type synthetic')), env());
    expect(synthetic.plan.stepsPerEpoch).toMatchObject({ value: 390, how: 'floor(ceil(200000 / 4) / 128)' });
    expect(synthetic.ignored ?? []).toEqual([]);
  });

  test('webdataset keeps ceil(samples / global batch), rounded up to the workers', () => {
    const { plan, ignored } = openclip.extract(sh(cmd('/data/cc12m/{00000..01242}.tar')), env());
    expect(plan.datasetSamples).toMatchObject({ value: 200000, key: '--train-num-samples' });
    expect(plan.stepsPerEpoch).toMatchObject({ value: 392, how: 'ceil(200000 / 512) = 391, rounded up to a multiple of 4 workers (--workers default)' });
    expect(ignored ?? []).toEqual([]);
  });

  test('the CSV in the repository is the dataset the engine counts', () => {
    expect(openclip.datasets?.(sh(cmd('data/train.csv')))).toEqual({ refs: [expect.objectContaining({ kind: 'path', names: ['data/train.csv'], key: '--train-data' })] });
    expect(openclip.datasets?.(sh(cmd('/data/cc12m/{00000..01242}.tar')))).toBeUndefined();
  });
});
