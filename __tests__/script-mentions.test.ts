import { mayNameFile, mayNameNeoxConfig } from '../src/engine/script-mentions.js';

describe('mayNameFile (a script that may name a linted config, before it is parsed)', () => {
  const targets = ['/repo/examples/hf-trainer/sft.yaml'];
  const may = (text: string) => mayNameFile(text, 'sft.yaml', targets);

  test('a written path that is a tail of the config path may lead to it, from some base folder', () => {
    expect(may('torchrun train.py --config sft.yaml\n')).toBe(true);
    expect(may('torchrun train.py --config ./hf-trainer/sft.yaml\n')).toBe(true);
    expect(may('python train.py examples/hf-trainer/sft.yaml\n')).toBe(true);
    expect(may('python train.py --config=hf-trainer//./sft.yaml\n')).toBe(true);
    expect(may('python train.py "/repo/examples/hf-trainer/sft.yaml"\n')).toBe(true);
    expect(may("CFG='hf-trainer/sft.yaml'\npython train.py $CFG\n")).toBe(true);
  });

  test('another file of the same name, or a longer name, cannot', () => {
    expect(may('torchrun train.py --config configs/sft.yaml\n')).toBe(false);
    expect(may('python train.py examples/qwen3_full_sft.yaml sft.yaml.bak\n')).toBe(false);
    expect(may('python train.py "/other/examples/hf-trainer/sft.yaml"\n')).toBe(false);
    expect(may('configs=(other/sft.yaml b.yaml)\n')).toBe(false);
    expect(may('echo no config here\n')).toBe(false);
  });

  test('what only the shell knows is kept for the parser', () => {
    expect(may('python train.py ${CONFIG_DIR}/sft.yaml\n')).toBe(true);
    expect(may('python train.py "$(dirname "$0")/sft.yaml"\n')).toBe(true);
    expect(may('python train.py $ROOT/configs/sft.yaml\n')).toBe(true);
    expect(may('python train.py ../configs/sft.yaml\n')).toBe(true);
    expect(may('python train.py ~/configs/sft.yaml\n')).toBe(true);
    expect(may('python train.py {a,b}/sft.yaml\n')).toBe(true);
    expect(may('python train.py configs/*/sft.yaml\n')).toBe(true);
  });

  test('every mention counts, not only the first', () => {
    expect(may('# configs/sft.yaml is the old one\npython train.py hf-trainer/sft.yaml\n')).toBe(true);
  });
});

describe('mayNameNeoxConfig (GPT-NeoX deepy.py takes a config name without .yml)', () => {
  test('a deepy.py command with the stem as a word of its own', () => {
    const script = 'python ./deepy.py train.py -d configs 125M local_setup\n';
    expect(mayNameNeoxConfig(script, '125M.yml')).toBe(true);
    expect(mayNameNeoxConfig(script, 'local_setup.yml')).toBe(true);
    // With its extension the name is mayNameFile's to find.
    expect(mayNameFile('python ./deepy.py train.py configs/125M.yml\n', '125M.yml', ['/r/configs/125M.yml'])).toBe(true);
    // Another name that contains the stem, a script without deepy.py, a .yaml name: no.
    expect(mayNameNeoxConfig(script, '25M.yml')).toBe(false);
    expect(mayNameNeoxConfig('python train.py -d configs 125M\n', '125M.yml')).toBe(false);
    expect(mayNameNeoxConfig(script, '125M.yaml')).toBe(false);
  });
});
