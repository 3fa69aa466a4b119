/**
 * timm flags behind an opaque word (an unknown `$EXTRA_ARGS`, the end of an array a branch appends to) are
 * unknown, not train.py's defaults: no finding rests on a default the word may replace.
 */
import { timm } from '../../src/dialects/timm';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train.sh', text, {}, 'shell');
const env: ExtractEnv = { assume: {}, mappings: {} };
const RUN = 'torchrun --nproc_per_node 8 train.py /data/imagenet --model resnet50 -b 128 --lr-base 0.1 --epochs 4 --sched cosine';

describe('timm: flags an opaque word may set', () => {
  test('without an opaque word: warmup_epochs defaults to 5, which covers the 4 epochs', () => {
    const { plan, conflicts } = timm.extract(sh(`${RUN}\n`), env);
    expect((conflicts ?? []).map((c) => c.kind)).toEqual(['warmup-covers-run']);
    expect(plan.minLr).toMatchObject({ value: 0, origin: 'default' });
    expect(plan.optimizer).toMatchObject({ value: 'sgd', origin: 'default' });
    expect(plan.peakLr?.origin).toBe('derived');
  });

  test('$EXTRA_ARGS at the end: the warmup, min_lr, optimizer and precision are unknown, with a note; no warmup finding', () => {
    const { plan, conflicts, notes } = timm.extract(sh(`${RUN} $EXTRA_ARGS\n`), env);
    expect(conflicts ?? []).toEqual([]);
    for (const field of ['minLr', 'optimizer', 'precision', 'gradAccumSteps', 'peakLr'] as const) expect([field, plan[field]]).toEqual([field, undefined]);
    expect(plan.epochs).toMatchObject({ value: 4, origin: 'explicit' });
    expect(plan.microBatchSize).toMatchObject({ value: 128, origin: 'explicit' });
    expect(notes.find((n) => n.includes('$EXTRA_ARGS'))).toMatch(/^--grad-accum-steps, --opt, --lr, .*--warmup-epochs.* are not written on the command, and \$EXTRA_ARGS may set them: left unknown rather than timm's defaults$/);
  });
});
