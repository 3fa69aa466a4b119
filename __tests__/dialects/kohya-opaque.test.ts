/**
 * sd-scripts flags behind an opaque word (an unknown `$EXTRA_ARGS`, the end of an array a branch appends to) are
 * unknown, not sd-scripts' defaults: no finding rests on a default the word may replace.
 */
import { kohya } from '../../src/dialects/kohya';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';

const sh = (text: string) => parseSource('train.sh', text, {}, 'shell');
const env: ExtractEnv = { assume: {}, mappings: {} };
const RUN =
  'accelerate launch --num_processes 1 --mixed_precision bf16 train_network.py --pretrained_model_name_or_path=/models/sd15.safetensors ' +
  '--network_module=networks.lora --network_dim=16 --train_data_dir=./img --output_dir=./out --learning_rate=1e-4 --train_batch_size=2';

describe('kohya: flags an opaque word may set', () => {
  test("without an opaque word: the script's default mixed_precision no overrides the launcher's bf16; 1600 steps", () => {
    const { plan, ignored } = kohya.extract(sh(`${RUN}\n`), env);
    expect(plan.precision).toMatchObject({ value: 'no', origin: 'default' });
    expect((ignored ?? []).map((i) => i.key)).toEqual(['--mixed_precision']);
    expect(plan.totalSteps).toMatchObject({ value: 1600, origin: 'default' });
  });

  test('$EXTRA_ARGS at the end: precision, run length, scheduler and optimizer are unknown, with a note; no launcher finding', () => {
    const { plan, ignored, notes } = kohya.extract(sh(`${RUN} $EXTRA_ARGS\n`), env);
    expect(ignored ?? []).toEqual([]);
    // --unet_lr would replace --learning_rate for the U-Net.
    for (const field of ['precision', 'totalSteps', 'scheduler', 'optimizer', 'gradAccumSteps', 'peakLr'] as const) expect([field, plan[field]]).toEqual([field, undefined]);
    expect(plan.microBatchSize).toMatchObject({ value: 2, origin: 'explicit' });
    expect(notes.find((n) => n.includes('$EXTRA_ARGS'))).toMatch(/^--gradient_accumulation_steps, .*--mixed_precision are not written on the command, and \$EXTRA_ARGS may set them: left unknown rather than sd-scripts' defaults$/);
  });
});
