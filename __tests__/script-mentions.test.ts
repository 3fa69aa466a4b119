import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listScripts } from '../src/engine/repository.js';
import { mayNameFile, mayNameIndirectly, mayNameNeoxConfig } from '../src/engine/script-mentions.js';

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

describe('names a script gives a config without writing it (one-file lint = folder lint)', () => {
  test('a file name built from shell variables that could expand to the name', () => {
    const may = (text: string) => mayNameFile(text, 'sft_llama.yaml', ['/repo/configs/sft_llama.yaml']);
    expect(may('MODEL=llama\nTASK=sft\nCONFIG=configs/${TASK}_${MODEL}.yaml\ntorchrun --nproc_per_node 8 train.py $CONFIG\n')).toBe(true);
    expect(may('python train.py --config configs/$TASK.yaml\n')).toBe(true);
    // The literal parts do not fit, or another extension.
    expect(may('CONFIG=configs/${TASK}_mistral.yaml\ntorchrun train.py $CONFIG\n')).toBe(false);
    expect(may('CONFIG=configs/${TASK}_${MODEL}.json\n')).toBe(false);
  });

  test('a Hydra config name: --config-name, -cn, and a decorator config_name', () => {
    const targets = ['/repo/examples/nlp/language_modeling/conf/megatron_gpt_config.yaml'];
    const may = (text: string) => mayNameFile(text, 'megatron_gpt_config.yaml', targets);
    expect(may('python examples/nlp/run.py --config-path=conf --config-name=megatron_gpt_config trainer.devices=8\n')).toBe(true);
    expect(may('python run.py --config-name megatron_gpt_config.yaml\n')).toBe(true);
    expect(may('python run.py -cn megatron_gpt_config\n')).toBe(true);
    expect(mayNameIndirectly('@hydra_runner(config_path="conf", config_name="megatron_gpt_config")\n', 'megatron_gpt_config.yaml')).toBe(true);
    expect(may('python run.py --config-name=megatron_gpt_config_v2\n')).toBe(false);
  });

  test('a Hydra app run with overrides only (its decorator names the config): the program next to the config folder', () => {
    const targets = ['/repo/examples/nlp/language_modeling/conf/megatron_gpt_config.yaml'];
    const may = (text: string) => mayNameFile(text, 'megatron_gpt_config.yaml', targets);
    expect(may('python examples/nlp/language_modeling/megatron_gpt_pretraining.py \\\n  trainer.devices=8 model.global_batch_size=40\n')).toBe(true);
    expect(may('python examples/vision/train.py trainer.devices=8\n')).toBe(false);
    expect(may('python examples/nlp/language_modeling/megatron_gpt_pretraining.py --help\n')).toBe(false);
  });

  test('the byte prefilter keeps such scripts (listScripts with mentioning)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-mentions-'));
    try {
      const put = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      };
      put('scripts/vars.sh', 'CONFIG=configs/${TASK}_${MODEL}.yaml\ntorchrun train.py $CONFIG\n');
      put('scripts/hydra.sh', 'python run.py --config-path=conf --config-name=megatron_gpt_config\n');
      put('scripts/app.sh', 'python examples/nlp/megatron_gpt_pretraining.py trainer.devices=8\n');
      put('scripts/other.sh', 'torchrun train.py configs/other.yaml\n');
      const kept = (name: string) => listScripts(dir, () => false, { mentioning: new Set([name]) }).scripts.map((s) => path.basename(s)).sort();
      expect(kept('sft_llama.yaml')).toEqual(['app.sh', 'vars.sh']);
      // `${TASK}_${MODEL}.yaml` may be `megatron_gpt_config.yaml` too: the parser decides.
      expect(kept('megatron_gpt_config.yaml')).toEqual(['app.sh', 'hydra.sh', 'vars.sh']);
      expect(kept('sft.json')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a Hydra app run as a bare `train.py`', () => {
  test('runs from the script\'s folder: it may read a config there or one level below, not any YAML of the repository', () => {
    const script = 'python megatron_gpt_pretraining.py trainer.devices=8 model.micro_batch_size=4\n';
    const conf = ['/r/examples/nlp/conf/megatron_gpt_config.yaml'];
    expect(mayNameFile(script, 'megatron_gpt_config.yaml', conf, '/r/examples/nlp')).toBe(true);
    expect(mayNameFile(script, 'sft.yaml', ['/r/examples/hf-trainer/sft.yaml'], '/r/examples/nlp')).toBe(false);
    // A script that changes directory may run the program anywhere.
    expect(mayNameFile(`cd ../nlp\n${script}`, 'sft.yaml', ['/r/examples/hf-trainer/sft.yaml'], '/r/scripts')).toBe(true);
  });
});
