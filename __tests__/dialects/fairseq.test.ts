/**
 * fairseq: `fairseq-train` command lines (written in the shapes of the README commands recorded in
 * ../shared/corpus-wave2/FACTS-fairseq.md: CUDA_VISIBLE_DEVICES prefixes, variables, per-epoch `--lr`
 * lists) and `fairseq-hydra-train` with its Hydra YAML; the token batch, the schedulers, and the
 * LR-rescaling finding when a recipe documented for N GPUs runs on fewer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fairseq, documentedGpus } from '../../src/dialects/fairseq';
import { detectDialect } from '../../src/dialects/index';
import type { ExtractEnv, Extraction } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { lint, type FileResult } from '../../src/engine/lint';
import { fixtureLoader, fixturesDir, listConfigs } from '../helpers/dialect-fixtures';
import { SHARED, sharedDescribe } from '../helpers/shared';

const NO_ENV: ExtractEnv = { assume: {}, mappings: {} };
const fixture = fixtureLoader('fairseq');
const cli = (args: string, prefix = 'CUDA_VISIBLE_DEVICES=0,1,2,3'): Extraction => fairseq.extract(parseSource('train.sh', `${prefix} fairseq-train data-bin/x --arch transformer --optimizer adam ${args}\n`), NO_ENV);
const errors = (e: Extraction) => (e.configErrors ?? []).map((c) => c.message).join('\n');

describe('fairseq detection', () => {
  test.each([['train_iwslt_multilingual.sh'], ['train_wmt_big_fewer_gpus.sh'], ['finetune_bart_xsum.sh'], ['hydra/pretrain_roberta.sh'], ['hydra/examples/roberta/config/pretraining/base.yaml']])('%s is fairseq', (name) => {
    expect(detectDialect(fixture(name), NO_ENV)?.meta.id).toBe('fairseq');
  });
  test('a plain python train.py without fairseq flags, and a Hydra launcher config, are not fairseq', () => {
    expect(fairseq.detect(parseSource('a.sh', 'python train.py --lr 0.1 --epochs 10\n'), NO_ENV)).toBe(0);
    expect(fairseq.detect(parseSource('s.yaml', '# @package _global_\nhydra:\n  launcher:\n    gpus_per_node: 8\n    nodes: 2\n'), NO_ENV)).toBe(0);
  });
});

describe('fairseq-train: the token batch and the schedules', () => {
  test('max_tokens × update_freq × visible GPUs (an upper bound); values from variables keep their flag', () => {
    const e = fairseq.extract(fixture('finetune_bart_xsum.sh'), NO_ENV);
    expect(e.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', key: 'CUDA_VISIBLE_DEVICES' });
    expect(e.plan.globalBatchSize).toMatchObject({ value: 32768, unit: 'tokens', bound: 'upper' });
    expect(e.plan.peakLr).toMatchObject({ value: 3e-5, key: '--lr', note: 'from $LR' });
    // polynomial_decay decays to 0 at --total-num-update 15000 but the run is --max-update 20000.
    expect(e.plan.decaySteps?.value).toBe(15000);
    expect(e.plan.totalSteps?.value).toBe(20000);
    expect(e.afterDecay).toBe('flat');
  });
  test('inverse_sqrt: warmup 4000 by default and no horizon', () => {
    const e = cli('--lr 5e-4 --lr-scheduler inverse_sqrt --max-tokens 4096 --max-update 3000');
    expect(e.plan.warmupSteps).toMatchObject({ value: 4000, origin: 'default' });
    expect(e.plan.decaySteps).toBeUndefined();
  });
  test('cosine: one period of max_update − warmup, then it restarts; min_lr above lr is refused at start-up', () => {
    const e = cli('--lr 1e-3 --lr-scheduler cosine --warmup-updates 1000 --max-update 10000 --max-tokens 4096 --min-lr 1e-2');
    expect(e.plan.decaySteps?.value).toBe(10000);
    expect(e.afterDecay).toBe('rises');
    expect(e.launchChecks?.['min-lr-exceeds-lr']).toContain('must be more than min_lr');
  });
  test("fairseq's refusals: no batch size, a per-epoch LR list with inverse_sqrt, another scheduler's option, --max-lr", () => {
    expect(errors(cli('--lr 5e-4 --lr-scheduler inverse_sqrt --max-update 100'))).toContain('"Must specify batch size either with --max-tokens or --batch-size"');
    expect(errors(cli('--lr 0.1,0.05 --lr-scheduler inverse_sqrt --max-tokens 4096'))).toContain('"Cannot use a fixed learning rate schedule with inverse_sqrt. Consider --lr-scheduler=fixed instead."');
    expect(errors(cli('--lr 5e-4 --lr-scheduler inverse_sqrt --max-tokens 4096 --total-num-update 100'))).toContain('--total-num-update is not an option of the inverse_sqrt scheduler');
    expect(errors(cli('--lr 1e-7 --max-lr 1e-3 --lr-scheduler cosine --max-tokens 4096 --max-update 100'))).toContain('--max-lr is the fairseq ≤ 0.9 cosine option');
    expect(errors(cli('--lr 1e-3 --lr-scheduler cosine --max-tokens 4096'))).toContain('"Either --max_update or --lr-period-updates must be set"');
  });
  test("each scheduler's own options: --warmup-init-lr is not polynomial_decay's, --lr-shrink not inverse_sqrt's", () => {
    expect(errors(cli('--lr 2e-5 --lr-scheduler polynomial_decay --warmup-updates 100 --warmup-init-lr 1e-7 --total-num-update 2000 --max-update 2000 --max-tokens 4400'))).toContain(
      '--warmup-init-lr is not an option of the polynomial_decay scheduler: fairseq refuses to start (argparse: "unrecognized arguments")',
    );
    expect(errors(cli('--lr 5e-4 --lr-scheduler inverse_sqrt --lr-shrink 0.5 --max-tokens 4096 --max-update 3000'))).toContain('--lr-shrink is not an option of the inverse_sqrt scheduler');
    // Where the scheduler has them, they are accepted.
    expect(errors(cli('--lr 5e-4 --lr-scheduler inverse_sqrt --warmup-updates 4000 --warmup-init-lr 1e-7 --max-tokens 4096 --max-update 3000'))).not.toContain('not an option');
    expect(errors(cli('--lr 1e-3 --lr-scheduler cosine --warmup-updates 100 --warmup-init-lr 1e-7 --lr-shrink 0.5 --max-update 1000 --max-tokens 4096'))).not.toContain('not an option');
  });
  test('--warmup-init-lr without a warmup is ignored', () => {
    expect(cli('--lr 5e-4 --lr-scheduler inverse_sqrt --warmup-updates 0 --warmup-init-lr 1e-7 --max-tokens 4096').ignored?.map((i) => i.key)).toEqual(['--warmup-init-lr']);
  });
});

describe('fairseq: the batch a recipe was documented for', () => {
  test('the comment parser: a simulated count, a plain count, nothing', () => {
    expect(documentedGpus('# accumulates gradients to simulate training on 8 GPUs.\nfairseq-train x\n', 2)).toMatchObject({ gpus: 8, simulated: true, line: 1 });
    expect(documentedGpus('# assumes 1 GPU, but accumulates gradients from\n# 8 passes to simulate training on 8 GPUs.\nfairseq-train x\n', 3)).toMatchObject({ gpus: 1, simulated: false, line: 1 });
    expect(documentedGpus('# tuned on 8 GPUs with --update-freq 2\n# we run on 2 GPUs\nfairseq-train x\n', 3)).toMatchObject({ gpus: 8, updateFreq: 2, line: 1 });
    expect(documentedGpus('# add --update-freq 16 to simulate training on 8x16=128 GPUs\nfairseq-train x\n', 2)).toMatchObject({ gpus: 128, simulated: true });
    expect(documentedGpus('# Transformer big, trained on 8 V100 GPUs.\nfairseq-train x\n', 2)).toMatchObject({ gpus: 8, simulated: false });
    expect(documentedGpus('# no count here\nfairseq-train x\n', 2)).toBeUndefined();
  });
  test('simulated with --update-freq on one GPU: the same batch, no reference difference', () => {
    const e = fairseq.extract(fixture('train_iwslt_multilingual.sh'), NO_ENV);
    expect(e.reference?.plan.globalBatchSize?.value).toBe(32000);
    expect(e.plan.globalBatchSize?.value).toBe(32000);
  });
  test('an 8-GPU recipe on 2 GPUs without a larger --update-freq: lr-not-rescaled reports it', async () => {
    const { results } = await lint({ root: fixturesDir('fairseq'), paths: ['train_wmt_big_fewer_gpus.sh'], config: {}, repoScripts: false });
    const r: FileResult | undefined = results[0];
    const f = r?.findings.find((x) => x.ruleId === 'lr-not-rescaled');
    expect(f?.message).toContain('28672 → 7168');
    expect(f?.message).toContain('the 8-GPU setup documented at line 2');
  });
});

describe('fairseq-hydra-train: the YAML and the command that overrides it', () => {
  let results: FileResult[];
  beforeAll(async () => {
    ({ results } = await lint({ root: fixturesDir('fairseq/hydra'), paths: [], config: {} }));
  });
  test('the config as the script launches it: world size and max_update from the overrides', () => {
    const r = results.find((x) => x.file.path.endsWith('base.yaml') && x.launch);
    expect(r?.dialect?.meta.id).toBe('fairseq');
    const p = r!.extraction!.plan;
    expect(p.worldSize).toMatchObject({ value: 8, file: 'pretrain_roberta.sh' });
    expect(p.totalSteps).toMatchObject({ value: 5000, file: 'pretrain_roberta.sh' });
    expect(p.globalBatchSize).toMatchObject({ value: 2048, unit: 'sentences' }); // 32 × 8 × 8
    expect(p.peakLr?.value).toBe(6e-4);
    // polynomial_decay's horizon defaults to max_update, so it follows the override.
    expect(p.decaySteps?.value).toBe(5000);
    expect(p.warmupSteps?.value).toBe(10000);
    expect(r!.findings.map((f) => f.ruleId)).toContain('warmup-exceeds-training');
  });
});

const WAVE2 = path.join(SHARED, 'corpus-wave2');
const describeIfWave2 = sharedDescribe(path.join(WAVE2, 'facebookresearch__fairseq'));

describeIfWave2('fairseq corpus sweep (../shared/corpus-wave2/facebookresearch__fairseq)', () => {
  test('≥ 95% of the Hydra training configs are fairseq; the run_config/ launcher configs get none', () => {
    const files = listConfigs(path.join(WAVE2, 'facebookresearch__fairseq'));
    let training = 0;
    let right = 0;
    for (const f of files) {
      const got = detectDialect(parseSource(f, readFileSync(f, 'utf8')), NO_ENV)?.meta.id ?? null;
      if (/\/run_config\//.test(f)) expect([f, got]).toEqual([f, null]);
      else {
        training++;
        if (got === 'fairseq') right++;
      }
    }
    expect(training).toBeGreaterThan(20);
    expect(right / training).toBeGreaterThanOrEqual(0.95);
  });
});

const describeIfFacts = sharedDescribe(path.join(WAVE2, 'FACTS-fairseq.md'));

describeIfFacts('fairseq FACTS rows (../shared/corpus-wave2/FACTS-fairseq.md)', () => {
  test('each recorded fairseq-train command, rebuilt as a script, is detected and its values read', () => {
    const facts = readFileSync(path.join(WAVE2, 'FACTS-fairseq.md'), 'utf8');
    const rows = facts.split('\n').filter((l) => /^\| examples\//.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.length).toBeGreaterThan(45);
    let checked = 0;
    for (const [, source, devices, flags] of rows) {
      const pairs = [...flags.matchAll(/`([\w-]+)`=([^,]+?)(?=, `|$)/g)].map((m) => [m[1], m[2].trim()] as const);
      const args = pairs.map(([k, v]) => (v === '✓' ? `--${k}` : `--${k} ${v}`)).join(' ');
      const file = parseSource(source.replace(/:.*$/, '.sh'), `${devices ? `CUDA_VISIBLE_DEVICES=${devices} ` : ''}fairseq-train data-bin ${args}\n`);
      expect(detectDialect(file, NO_ENV)?.meta.id).toBe('fairseq');
      const e = fairseq.extract(file, NO_ENV);
      const lr = pairs.find(([k]) => k === 'lr');
      if (lr) {
        expect(e.plan.peakLr?.value).toBe(Number(lr[1].split(',')[0]));
        checked++;
      }
      if (devices) expect(e.plan.worldSize?.value).toBe(devices.split(',').length);
    }
    expect(checked).toBeGreaterThan(45);
  });
});
