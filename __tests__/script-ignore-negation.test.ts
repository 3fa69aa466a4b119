/**
 * The walk for launch scripts that may name a linted config (engine/lint.ts repositoryScripts) reads
 * `ignore` as discovery does, in order: `['configs/**', '!configs/new/**']` ignores configs/ but for
 * configs/new/, so a script there still gives its launch to the config it names.
 */
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';
import type { Report } from '../src/engine/report-types';

const { repo } = tempRepos('trainlint-script-ignore');

const SFT = 'per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\nlearning_rate: 2.0e-5\nlr_scheduler_type: cosine\nmax_steps: 1000\nwarmup_steps: 30\n';

async function worldSizeOf(ignore: string[], script: string): Promise<unknown> {
  const dir = repo({
    '.trainlint.yml': `ignore:\n${ignore.map((g) => `  - '${g}'\n`).join('')}`,
    'configs/new/sft.yaml': SFT,
    [script]: '#!/bin/bash\ntorchrun --nproc_per_node 8 train.py configs/new/sft.yaml\n',
  });
  // Only the config is linted: the script is found by the repository walk, not by discovery.
  const r = await runCliCapture(['--format', 'json', 'configs/new/sft.yaml'], dir);
  const report = JSON.parse(r.stdout) as Report;
  return report.files.find((f) => f.path === 'configs/new/sft.yaml')?.plan?.worldSize?.value;
}

describe('launch scripts under an ignore list with a `!` entry', () => {
  test('a script in a folder a `!` entry takes back gives its launch', async () => {
    expect(await worldSizeOf(['configs/**', '!configs/new/**'], 'configs/new/launch.sh')).toBe(8);
  });

  test('a script in a folder that stays ignored does not', async () => {
    expect(await worldSizeOf(['configs/**', '!configs/new/**'], 'configs/old/launch.sh')).toBeUndefined();
  });

  test('without a `!` entry the ignored folder is skipped whole', async () => {
    expect(await worldSizeOf(['configs/**'], 'configs/new/launch.sh')).toBeUndefined();
  });
});
