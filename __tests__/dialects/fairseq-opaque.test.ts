/**
 * fairseq-train flags behind an opaque word (an unknown `$EXTRA_ARGS`, the end of an array a branch appends to)
 * are unknown, not fairseq's defaults: no finding rests on a default the word may replace.
 */
import { fairseq } from '../../src/dialects/fairseq';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train.sh', text, {}, 'shell');
const env: ExtractEnv = { assume: {}, mappings: {} };
const RUN = 'CUDA_VISIBLE_DEVICES=0,1,2,3 fairseq-train data-bin/iwslt14.tokenized.de-en --arch transformer_iwslt_de_en --optimizer adam --lr 5e-4 --lr-scheduler inverse_sqrt --max-update 30000';

describe('fairseq: flags an opaque word may set', () => {
  test('without an opaque word: no --max-tokens or --batch-size is refused; update_freq defaults to 1, warmup to 4000', () => {
    const { plan, configErrors } = fairseq.extract(sh(`${RUN}\n`), env);
    expect(configErrors?.map((e) => e.message)).toEqual([expect.stringContaining('neither --max-tokens nor --batch-size is set')]);
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
    expect(plan.warmupSteps).toMatchObject({ origin: 'default' });
  });

  test('$EXTRA_ARGS at the end: no refusal, update_freq and warmup unknown, with a note', () => {
    const { plan, configErrors, notes } = fairseq.extract(sh(`${RUN} $EXTRA_ARGS\n`), env);
    expect(configErrors ?? []).toEqual([]);
    for (const field of ['gradAccumSteps', 'warmupSteps', 'microBatchSize', 'globalBatchSize'] as const) expect([field, plan[field]]).toEqual([field, undefined]);
    expect(plan.peakLr).toMatchObject({ value: 5e-4, origin: 'explicit' });
    expect(plan.scheduler).toMatchObject({ value: 'inverse_sqrt', origin: 'explicit' });
    expect(plan.totalSteps).toMatchObject({ value: 30000, origin: 'explicit' });
    expect(notes.find((n) => n.includes('$EXTRA_ARGS'))).toMatch(/^--max-tokens, --batch-size, --update-freq, .*--warmup-updates.* are not written on the command, and \$EXTRA_ARGS may set them: left unknown rather than fairseq's defaults$/);
  });
});
