/**
 * The script prefilter (engine/repository.ts) keeps a script that names a Hydra config by its stem with
 * neither a `$` nor a `.py` in it: `fairseq-hydra-train --config-dir config/pretraining --config-name
 * roberta_small`, so linting the config alone reads the launch's overrides.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lint } from '../src/engine/lint';
import { listScripts } from '../src/engine/repository';
import { tempRepos } from './helpers/temp-repo';

const made = tempRepos('trainlint-prefilter');
const repo = (files: Record<string, string>): string => fs.realpathSync(made.repo(files));

const CONFIG = [
  '# @package _group_',
  'common:',
  '  fp16: true',
  'task:',
  '  _name: masked_lm',
  '  data: ???',
  '  tokens_per_sample: 512',
  'criterion: masked_lm',
  'dataset:',
  '  batch_size: 16',
  'optimizer:',
  '  _name: adam',
  'lr_scheduler:',
  '  _name: polynomial_decay',
  '  warmup_updates: 4000',
  '  total_num_update: 30000',
  'optimization:',
  '  lr: [0.0005]',
  '  max_update: 30000',
  '  update_freq: [4]',
  'distributed_training:',
  '  distributed_world_size: 8',
  'model:',
  '  _name: roberta',
  '',
].join('\n');

const PRETRAIN = [
  '#!/bin/bash',
  'fairseq-hydra-train -m --config-dir config/pretraining --config-name roberta_base_small \\',
  '  task.data=/data/wiki-bin optimization.max_update=50000 lr_scheduler.total_num_update=50000',
  '',
].join('\n');

describe('script prefilter: Hydra config names without $ or .py', () => {
  test.each([
    ['--config-name roberta_base_small'],
    ['--config-name=roberta_base_small'],
    ['-cn roberta_base_small'],
  ])('a script with %s is kept for roberta_base_small.yaml', (words) => {
    const root = repo({ 'pretrain.sh': `fairseq-hydra-train --config-dir config/pretraining ${words} task.data=/d\n`, 'other.sh': 'echo done\n' });
    const kept = listScripts(root, undefined, { mentioning: new Set(['roberta_base_small.yaml']), maxBytes: 1 << 20 }).scripts;
    expect(kept.map((a) => path.basename(a))).toEqual(['pretrain.sh']);
  });

  test('linting the config alone applies the launch overrides of the script that names it', async () => {
    const root = repo({ 'config/pretraining/roberta_base_small.yaml': CONFIG, 'pretrain.sh': PRETRAIN });
    const { results } = await lint({ root, paths: ['config/pretraining/roberta_base_small.yaml'], config: {} });
    const result = results.find((r) => r.file.path === 'config/pretraining/roberta_base_small.yaml');
    expect(result?.dialect?.meta.id).toBe('fairseq');
    expect(result?.extraction?.plan.totalSteps).toMatchObject({ value: 50000 });
  });
});
