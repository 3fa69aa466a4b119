/**
 * `Dialect.usesDatasetRows`: when a dialect says a plan extracted without dataset rows derives
 * nothing from them, `countDatasets` adds the counted rows to that plan instead of extracting the
 * file again. The claim is checked here against the extraction it replaces: for every config (our
 * own variants, and every config of ../shared/corpus when it is there) whose plan the dialect
 * calls row-free, extracting again with `assume.datasetSamples` gives the same plan plus
 * `datasetSamples`, and the same notes, missing fields and conflicts. A lint run over a repository
 * with the data beside its configs shows both ways end to end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyse } from '../src/engine/lint-file';
import { lint } from '../src/engine/lint';
import { parseSource } from '../src/engine/load-file';
import { settingsFor } from '../src/config/load-config';
import type { FileSettings } from '../src/config/types';
import type { Setting } from '../src/engine/types';
import { CORPUS, sharedTest } from './helpers/shared';

const ROWS: Setting<number> = { value: 52_002, origin: 'dataset', unit: 'samples', key: 'dataset', how: '52002 rows', bound: 'upper' };

function settings(assume: FileSettings['assume'] = {}): FileSettings {
  return { ...settingsFor({}, 'config.yaml'), assume };
}

/** Whether the dialect calls this config's plan row-free, and what differs when that claim is wrong. */
function claimBroken(rel: string, text: string, assume: FileSettings['assume'] = {}): { claimed: boolean; problem?: string } {
  const file = parseSource(rel, text);
  const first = analyse(file, settings(assume));
  const dialect = first.dialect;
  if (!dialect?.usesDatasetRows || !first.extraction || first.extraction.plan.datasetSamples) return { claimed: false };
  if (dialect.usesDatasetRows(first.extraction.plan)) return { claimed: false };
  const again = analyse(parseSource(rel, text), settings({ ...assume, datasetSamples: ROWS }), dialect).extraction!;
  const expected = { ...first.extraction, plan: { ...first.extraction.plan, datasetSamples: ROWS } };
  try {
    expect(again).toEqual(expected);
    return { claimed: true };
  } catch (err) {
    return { claimed: true, problem: `${rel}: ${(err as Error).message.slice(0, 600)}` };
  }
}

const TORCHTUNE = `
batch_size: 4
gradient_accumulation_steps: 8
epochs: 3
max_steps_per_epoch: 500
dataset:
  _component_: torchtune.datasets.alpaca_dataset
  source: json
  data_files: data/train.jsonl
optimizer:
  _component_: torch.optim.AdamW
  lr: 2e-5
lr_scheduler:
  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup
  num_warmup_steps: 100
dtype: bf16
`;

const AXOLOTL = `
base_model: meta-llama/Llama-3.1-8B
datasets:
  - path: data/train.jsonl
    type: alpaca
val_set_size: 0.05
sequence_len: 2048
micro_batch_size: 2
gradient_accumulation_steps: 4
num_epochs: 3
learning_rate: 2e-4
warmup_ratio: 0.1
optimizer: adamw_torch_fused
`;

/** Variants that drop or add the inputs a row-based step count needs. */
function variants(text: string, lines: string[][]): string[] {
  return [text, ...lines.map((drop) => text.split('\n').filter((l) => !drop.some((d) => l.trimStart().startsWith(d))).join('\n'))];
}

describe('usesDatasetRows: a plan the dialect calls row-free is what extracting again with the rows gives', () => {
  const cases: [string, string, string[][]][] = [
    ['recipes/llama3_8b_full.yaml', TORCHTUNE, [['batch_size'], ['gradient_accumulation_steps'], ['max_steps_per_epoch'], ['epochs', 'max_steps_per_epoch']]],
    ['examples/llama-3/lora.yml', AXOLOTL, [['micro_batch_size'], ['gradient_accumulation_steps'], ['num_epochs'], ['warmup_ratio']]],
  ];
  for (const [rel, text, drops] of cases) {
    test(`${rel}: every variant, with and without a world size`, () => {
      const problems: string[] = [];
      let claimed = 0;
      let declined = 0;
      for (const variant of variants(text, drops)) {
        for (const assume of [{}, { worldSize: 8 }, { dataParallelSize: 4 }]) {
          const r = claimBroken(rel, variant, assume);
          if (r.problem) problems.push(r.problem);
          if (r.claimed) claimed++;
          else declined++;
        }
      }
      expect(problems).toEqual([]);
      // Both ways are exercised: configs without a world size are row-free, with one they are not.
      expect(claimed).toBeGreaterThan(0);
      expect(declined).toBeGreaterThan(0);
    });
  }

  test('a known world size makes the rows count: the dialects extract again (steps per epoch follow)', () => {
    for (const [rel, text] of [
      ['recipes/llama3_8b_full.yaml', TORCHTUNE],
      ['examples/llama-3/lora.yml', AXOLOTL],
    ]) {
      const first = analyse(parseSource(rel, text), settings({ worldSize: 8 }));
      expect(first.dialect?.usesDatasetRows?.(first.extraction!.plan)).toBe(true);
      const again = analyse(parseSource(rel, text), settings({ worldSize: 8, datasetSamples: ROWS }), first.dialect).extraction!;
      expect(again.plan.stepsPerEpoch).toBeDefined();
    }
  });

  sharedTest(CORPUS)('every config of ../shared/corpus that a dialect calls row-free', () => {
    const problems: string[] = [];
    let claimed = 0;
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const abs = path.join(dir, name);
        if (statSync(abs).isDirectory()) walk(abs);
        else if (/\.ya?ml$/.test(name)) {
          const rel = path.relative(CORPUS, abs).split(path.sep).join('/');
          const text = readFileSync(abs, 'utf8');
          for (const assume of [{}, { worldSize: 8 }]) {
            const r = claimBroken(rel, text, assume);
            if (r.problem) problems.push(r.problem);
            if (r.claimed) claimed++;
          }
        }
      }
    };
    walk(CORPUS);
    expect(problems).toEqual([]);
    expect(claimed).toBeGreaterThan(100);
  });
});

describe('countDatasets end to end', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'trainlint-rows-'));
    mkdirSync(path.join(root, 'data'));
    writeFileSync(path.join(root, 'data', 'train.jsonl'), Array.from({ length: 1000 }, (_, i) => JSON.stringify({ instruction: `q${i}`, output: `a${i}` })).join('\n') + '\n');
    writeFileSync(path.join(root, 'tune.yaml'), TORCHTUNE.replace('max_steps_per_epoch: 500\n', ''));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('without a world size the rows are added as they are; with one, steps per epoch follow from them', async () => {
    const alone = await lint({ root, paths: ['tune.yaml'], config: {} });
    const plan = alone.results[0].extraction!.plan;
    expect(plan.datasetSamples).toMatchObject({ value: 1000, origin: 'dataset', file: 'tune.yaml' });
    expect(plan.stepsPerEpoch).toBeUndefined();

    const eight = await lint({ root, paths: ['tune.yaml'], config: { assume: { worldSize: 8 } } });
    const known = eight.results[0].extraction!.plan;
    expect(known.datasetSamples).toMatchObject({ value: 1000, origin: 'dataset' });
    // floor(floor(ceil(1000 / 8) / 4) / 8) = 3 steps per epoch, × 3 epochs, upper bounds.
    expect(known.stepsPerEpoch).toMatchObject({ value: 3, bound: 'upper' });
    expect(known.totalSteps).toMatchObject({ value: 9, bound: 'upper' });
  });
});
