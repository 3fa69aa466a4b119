/**
 * A plain python launch of a JAX program (Levanter's levanter.main.*, MaxText's train) runs one process per host
 * over every local device: script-links gives it no world size, so the user's assume.worldSize stays.
 */
import { parseSource } from '../src/engine/load-file';
import { scriptLaunches } from '../src/engine/script-links';

const world = (text: string) => scriptLaunches(parseSource('run_local.sh', text, {}, 'shell'))[0]?.values.worldSize;

describe('script-links: the world size of a plain python JAX launch', () => {
  test.each([
    'python -m levanter.main.train_lm --config_path config/gpt2_small.yaml --trainer.num_train_steps 60000\n',
    'python3 src/levanter/main/train_lm.py --config_path config/gpt2_small.yaml\n',
    'python3 -m MaxText.train MaxText/configs/base.yml run_name=r1 steps=100\n',
    'python3 MaxText/train.py MaxText/configs/base.yml run_name=r1\n',
  ])('%s gives no world size', (text) => {
    expect(scriptLaunches(parseSource('run_local.sh', text, {}, 'shell'))).toHaveLength(1);
    expect(world(text)).toBeUndefined();
  });

  test('another plain python program is still one process', () => {
    expect(world('python train.py --config configs/x.yaml\n')).toMatchObject({ value: 1, key: 'python' });
  });
});
