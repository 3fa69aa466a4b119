/**
 * OpenRLHF trainer flags behind an opaque word (an unknown `$EXTRA_ARGS`, the end of an array a branch appends
 * to) are unknown, not OpenRLHF's defaults: no finding rests on a default the word may replace.
 */
import { openrlhf } from '../../src/dialects/openrlhf';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train_sft.sh', text, {}, 'shell');
const env: ExtractEnv = { assume: {}, mappings: {} };
const RUN =
  'deepspeed --num_gpus 6 --module openrlhf.cli.train_sft --pretrain meta-llama/Llama-3-8b --dataset Open-Orca/OpenOrca ' +
  '--bf16 --train_batch_size 256 --micro_train_batch_size 1 --max_epochs 1 --learning_rate 5e-6 --zero_stage 2';

describe('openrlhf: flags an opaque word may set (the DeepSpeed trainers)', () => {
  test('without an opaque word: ring attention and DeepSpeed TP default to 1, and 256 does not divide over 6 ranks', () => {
    const { plan, batchChecks } = openrlhf.extract(sh(`${RUN}\n`), env);
    expect(batchChecks?.map((c) => c.kind)).toEqual(['deepspeed-batch-identity']);
    expect(plan.scheduler).toMatchObject({ value: 'cosine_with_min_lr', origin: 'default' });
    expect(plan.warmupRatio).toMatchObject({ value: 0.03, origin: 'default' });
  });

  test('$EXTRA_ARGS at the end: the data-parallel size, scheduler and warmup are unknown, with a note; no batch check', () => {
    const { plan, batchChecks, notes } = openrlhf.extract(sh(`${RUN} $EXTRA_ARGS\n`), env);
    expect(batchChecks ?? []).toEqual([]);
    for (const field of ['scheduler', 'minLr', 'warmupRatio'] as const) expect([field, plan[field]]).toEqual([field, undefined]);
    expect(plan.globalBatchSize).toMatchObject({ value: 256, origin: 'explicit' });
    expect(notes).toContain('--lr_scheduler is not written on the command, and $EXTRA_ARGS may set it: the schedule and its floor are left unknown');
    expect(notes.find((n) => n.startsWith('--ring_attn_size'))).toMatch(/^--ring_attn_size, --ds_tensor_parallel_size, .*--lr_warmup_ratio.* are not written on the command, and \$EXTRA_ARGS may set them: left unknown rather than OpenRLHF's defaults$/);
  });
});
