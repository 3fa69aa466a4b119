/**
 * `accelerate launch --config_file X`: what the accelerate config gives the program it starts, before the
 * program's dialect reads it (engine/script-links.ts accelerateConfigOf, accelerateValues).
 */
import { diffusers } from '../src/dialects/diffusers';
import type { ExtractEnv } from '../src/dialects/types';
import { accelerateLink } from '../src/engine/links';
import { parseSource } from '../src/engine/load-file';
import { accelerateConfigOf, accelerateValues } from '../src/engine/script-links';

const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const ACCELERATE_4GPU = 'compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nmixed_precision: bf16\nnum_machines: 1\nnum_processes: 4\nuse_cpu: false\n';
const command = (text: string) => parseSource('diff/train.sh', text);
const linked = (text = ACCELERATE_4GPU) => accelerateLink(parseSource('diff/configs/accelerate_4gpu.yaml', text), 'diff/configs/accelerate_4gpu.yaml', { line: 1, column: 1, endLine: 1, endColumn: 2 });

describe('accelerateConfigOf / accelerateValues', () => {
  test('num_processes and mixed_precision of the file, each unless the command line sets it', () => {
    const plain = accelerateConfigOf(command('accelerate launch --config_file diff/configs/accelerate_4gpu.yaml train.py\n').script!.commands[0])!;
    expect(plain).toMatchObject({ written: 'diff/configs/accelerate_4gpu.yaml', flag: '--config_file', commandSets: [] });
    const values = accelerateValues(plain, linked(), 'diff/train.sh:1');
    expect(values.worldSize).toMatchObject({ value: 4, origin: 'launcher', file: 'diff/configs/accelerate_4gpu.yaml', key: 'num_processes', how: 'num_processes 4 in diff/configs/accelerate_4gpu.yaml' });
    expect(values.worldSize?.note).toBe('from diff/configs/accelerate_4gpu.yaml, the accelerate config of the launch command at diff/train.sh:1 (--config_file diff/configs/accelerate_4gpu.yaml)');
    expect(values.precision).toMatchObject({ value: 'bf16', key: 'mixed_precision' });

    const both = accelerateConfigOf(command('accelerate launch --config_file=acc.yaml --num_processes 2 --mixed_precision fp16 train.py\n').script!.commands[0])!;
    expect(both.commandSets).toEqual(['worldSize', 'precision']);
    expect(accelerateValues(both, linked(), 'diff/train.sh:1')).toEqual({});
    expect(accelerateConfigOf(command('torchrun --nproc_per_node 4 train.py --config_file x.yaml\n').script!.commands[0])).toBeUndefined();
    // `num_processes: auto`, no precision: nothing to give.
    expect(accelerateValues(plain, linked('num_processes: auto\nmixed_precision: "no"\n'), 'diff/train.sh:1')).toEqual({});
  });

  test('a diffusers command read with them: 4 processes and bf16, and the ×accumulation script\'s horizon ends at a quarter of the run', () => {
    const file = command(
      'accelerate launch --config_file diff/configs/accelerate_4gpu.yaml train_text_to_image_lora_sdxl.py \\\n  --pretrained_model_name_or_path=stabilityai/stable-diffusion-xl-base-1.0 \\\n  --train_batch_size=1 --learning_rate=1e-4 --lr_scheduler="cosine" --lr_warmup_steps=0 \\\n  --max_train_steps=4000 --checkpointing_steps=500 --output_dir=out\n',
    );
    const acc = accelerateConfigOf(file.script!.commands[0])!;
    const { plan } = diffusers.extract(file, env(accelerateValues(acc, linked(), 'diff/train.sh:1')));
    expect(plan.worldSize).toMatchObject({ value: 4, origin: 'launcher', key: 'num_processes' });
    expect(plan.precision).toMatchObject({ value: 'bf16', file: 'diff/configs/accelerate_4gpu.yaml' });
    expect(plan.decaySteps).toMatchObject({ value: 1000, origin: 'derived' });
  });
});
