/**
 * diffusers example flags behind an opaque word (an unknown `$EXTRA_ARGS`, the end of an array a branch appends
 * to) are unknown, not the script's argparse defaults: no finding rests on a default the word may replace.
 */
import { diffusers } from '../../src/dialects/diffusers';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train.sh', text, {}, 'shell');
const env: ExtractEnv = { assume: {}, mappings: {} };
const RUN =
  'accelerate launch --num_processes 2 train_dreambooth_lora.py --pretrained_model_name_or_path=runwayml/stable-diffusion-v1-5 ' +
  '--instance_data_dir=./dog --instance_prompt="a photo of sks dog" --train_batch_size=1 --learning_rate=1e-4 --lr_warmup_steps=100 --max_train_steps=800';

describe('diffusers: flags an opaque word may set', () => {
  test('without an opaque word: the default constant scheduler ignores --lr_warmup_steps', () => {
    const { plan, ignored } = diffusers.extract(sh(`${RUN}\n`), env);
    expect(plan.scheduler).toMatchObject({ value: 'constant', origin: 'default' });
    expect((ignored ?? []).map((i) => i.key)).toEqual(['--lr_warmup_steps']);
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'default' });
  });

  test('$EXTRA_ARGS at the end: the scheduler, accumulation, optimizer and LR are unknown, with a note; no ignored warmup', () => {
    const { plan, ignored, notes } = diffusers.extract(sh(`${RUN} $EXTRA_ARGS\n`), env);
    expect(ignored ?? []).toEqual([]);
    for (const field of ['scheduler', 'gradAccumSteps', 'optimizer', 'peakLr', 'warmupSteps'] as const) expect([field, plan[field]]).toEqual([field, undefined]);
    expect(plan.totalSteps).toMatchObject({ value: 800, origin: 'explicit' });
    expect(notes).toContain('$EXTRA_ARGS may pass --scale_lr, which multiplies the LR by accumulation × batch × processes: the LR is unknown');
    expect(notes.find((n) => n.startsWith('--gradient_accumulation_steps'))).toMatch(/--scale_lr.*--optimizer.*--lr_scheduler.* are not written on the command, and \$EXTRA_ARGS may set them: left unknown rather than the script's defaults$/);
  });
});
