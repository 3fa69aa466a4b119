/**
 * nanoGPT's configurator.py applies `--key=value` arguments after the config file (research/frameworks.md §11):
 * `torchrun … train.py config/x.py --max_iters=300` runs 300 iterations whatever the file says.
 */
import { nanogpt } from '../../src/dialects/nanogpt';
import { parseSource } from '../../src/engine/load-file';
import { launchedConfig, scriptLaunches } from '../../src/engine/script-links';

const CONFIG = [
  "out_dir = 'out-tiny'",
  'eval_interval = 250',
  'batch_size = 8',
  'block_size = 512',
  'gradient_accumulation_steps = 4',
  'learning_rate = 3e-5',
  'max_iters = 5000',
  'lr_decay_iters = 5000',
  'min_lr = 3e-6',
  'warmup_iters = 200',
  '',
].join('\n');

describe('nanoGPT: --key=value arguments after the config file', () => {
  test('they replace the file values (origin launcher, at the flag), so gradient_accumulation_steps 8 divides by 8 GPUs', () => {
    const config = parseSource('config/finetune_tiny.py', CONFIG, {}, 'python');
    const script = parseSource('run.sh', 'torchrun --standalone --nproc_per_node=8 train.py config/finetune_tiny.py --max_iters=300 --gradient_accumulation_steps=8\n', {}, 'shell');
    const [launch] = scriptLaunches(script);
    const launched = launchedConfig(config, launch, nanogpt);
    const { plan, notes } = nanogpt.extract(launched, { assume: { worldSize: launch.values.worldSize! }, mappings: {} });
    expect(plan.totalSteps).toMatchObject({ value: 300, origin: 'launcher', file: 'run.sh', key: '--max_iters' });
    expect(plan.totalSteps?.note).toMatch(/over max_iters: 5000 in the config/);
    expect(plan.gradAccumSteps).toMatchObject({ value: 1, origin: 'derived' });
    expect(plan.globalBatchSize?.value).toBe(64);
    expect(notes.join('\n')).not.toMatch(/not divisible/);
  });
});
