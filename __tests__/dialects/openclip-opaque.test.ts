/**
 * OpenCLIP flags behind an opaque word (an unknown `$EXTRA_ARGS`, the end of an array a branch appends to) are
 * unknown, not OpenCLIP's defaults; `--dataset-type auto` goes by the text after the last `.` of --train-data.
 */
import { openclip } from '../../src/dialects/openclip';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train.sh', text, {}, 'shell');
const env: ExtractEnv = { assume: {}, mappings: {} };

const FINETUNE = [
  'HPARAMS=(',
  '    --batch-size 128',
  '    --lr 1e-5',
  '    --warmup 10',
  '    --epochs 2',
  '    --workers 8',
  ')',
  'if [ -n "$WANDB_PROJECT" ]; then',
  '    HPARAMS+=(--report-to wandb)',
  'fi',
  'torchrun --nproc_per_node 4 -m open_clip_train.main \\',
  "    --train-data '/data/ft/{00000..00099}.tar' \\",
  '    --train-num-samples 100000 \\',
  '    --dataset-type webdataset \\',
  '    "${HPARAMS[@]}"',
  '',
].join('\n');

describe('openclip: flags an opaque word may set', () => {
  test('an array a branch appends --report-to to keeps its flags; the defaults of flags no branch writes stay', () => {
    const { plan } = openclip.extract(sh(FINETUNE), env);
    expect(plan.microBatchSize).toMatchObject({ value: 128, origin: 'explicit', key: '--batch-size' });
    expect(plan.warmupSteps).toMatchObject({ value: 10, origin: 'explicit' });
    expect(plan.peakLr).toMatchObject({ value: 1e-5, origin: 'explicit' });
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.totalSteps?.value).toBe(400);
  });

  test('the branch may write --warmup again: unknown, not 10 and not the default 10000', () => {
    const { plan, missing } = openclip.extract(sh(FINETUNE.replace('--report-to wandb', '--warmup 100')), env);
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.peakLr?.value).toBe(1e-5);
    expect(missing.map((m) => m.field)).not.toContain('microBatchSize');
  });

  test('an unknown $EXTRA_ARGS: the flags the command does not write are unknown, with a note', () => {
    const text = 'torchrun --nproc_per_node 8 -m open_clip_train.main --train-data /d/{0..9}.tar --train-num-samples 100000 --batch-size 256 $EXTRA_ARGS\n';
    const { plan, notes, missing } = openclip.extract(sh(text), env);
    expect(plan.microBatchSize?.value).toBe(256);
    for (const field of ['peakLr', 'warmupSteps', 'epochs', 'gradAccumSteps', 'scheduler', 'precision', 'optimizer', 'minLr', 'totalSteps'] as const) {
      expect([field, plan[field]]).toEqual([field, undefined]);
    }
    expect(notes).toContain(
      "--accum-freq, --lr, --warmup, --epochs, --lr-scheduler, --precision, --opt are not written on the command, and $EXTRA_ARGS may set them: left unknown rather than OpenCLIP's defaults",
    );
    expect(missing.find((m) => m.field === 'warmupSteps')?.hint).toBe('$EXTRA_ARGS may set --warmup: write --warmup on the command, or set assume.warmupSteps in .trainlint.yml');
  });
});

describe('openclip: --dataset-type auto', () => {
  const cmd = (data: string, extra = '') =>
    `torchrun --nproc_per_node 8 -m open_clip_train.main --train-data ${data} --train-num-samples 10968539 --batch-size 256 --workers 8${extra}\n`;

  test('a pipe: URL ending in "tar -" is not a tar extension: OpenCLIP stops at start, and the epoch length is unknown', () => {
    const { plan, notes } = openclip.extract(sh(cmd('"pipe:aws s3 cp s3://b/cc12m/{00000..01242}.tar -"')), env);
    expect(plan.stepsPerEpoch).toBeUndefined();
    expect(plan.totalSteps).toBeUndefined();
    expect(notes.join('\n')).toMatch(/with --dataset-type auto \(the default\): get_dataset_fn goes by the text after its last "\." \("tar -"\), which is neither csv\/tsv nor tar, so OpenCLIP stops at start .*add --dataset-type webdataset/);
  });

  test('with --dataset-type webdataset the same URL is webdataset; `a.tar::b.tar` ends in tar', () => {
    expect(openclip.extract(sh(cmd('"pipe:aws s3 cp s3://b/{00000..01242}.tar -"', ' --dataset-type webdataset')), env).plan.stepsPerEpoch?.value).toBe(5360);
    expect(openclip.extract(sh(cmd('/a/{0..9}.tar::/b/{0..9}.tar')), env).plan.stepsPerEpoch?.value).toBe(5360);
  });
});

test('openclip: a sourced file that was not read is named in a note', () => {
  const { notes } = openclip.extract(sh('BS=800\nsource ./hparams.env\ntorchrun --nproc_per_node 4 -m open_clip_train.main --batch-size $BS\n'), env);
  expect(notes).toContain("line 2: source ./hparams.env was not read (sourced files are not read here): the variables it may set keep the script's values");
});
