/**
 * Flags and `key=value` words a launch command writes after a config: read by the convention of the
 * program (HfArgumentParser/TrlParser argparse, axolotl's click CLI, OmegaConf dotlists), applied over
 * the config's tree for that launch only, and attributed to the script (origin launcher, file:line).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { axolotl } from '../src/dialects/axolotl';
import { hfTrainer } from '../src/dialects/hf-trainer';
import { levanter } from '../src/dialects/levanter';
import { llamaFactory } from '../src/dialects/llama-factory';
import { msSwift } from '../src/dialects/ms-swift';
import { readConfig } from '../src/config/load-config';
import { overrideOf, typeOverride, withOverrides } from '../src/engine/launch-overrides';
import { lint } from '../src/engine/lint';
import { parseSource } from '../src/engine/load-file';
import { numberAt } from '../src/engine/plan';
import { launchedConfig, launchOverrides, scriptLaunches } from '../src/engine/script-links';
import { getIn } from '../src/engine/tree';

const script = (text: string, p = 'scripts/train.sh') => parseSource(p, text, {}, 'shell');
const overridesOf = (text: string) => {
  const file = script(text);
  return launchOverrides(file, file.script!.commands[0]).map((o) => [o.style, o.path.join('.'), o.value, o.flag]);
};

const SFT = `model_name_or_path: gpt2
output_dir: out
per_device_train_batch_size: 4
learning_rate: 1.0e-4
max_steps: 1000
warmup_steps: 50
`;

describe('reading what a command writes after its config', () => {
  test('HfArgumentParser / TrlParser flags: --k v, --k=v, a bare switch; the config flag itself is not a value', () => {
    expect(overridesOf('torchrun --nproc_per_node 8 train.py --config configs/sft.yaml --learning_rate 2e-5 --bf16 --lr_scheduler_type=linear --max-steps 10 --deepspeed ds.json --seed $SEED\n')).toEqual([
      ['argparse', 'learning_rate', 2e-5, '--learning_rate'],
      ['argparse', 'bf16', true, '--bf16'],
      ['argparse', 'lr_scheduler_type', 'linear', '--lr_scheduler_type'],
      ['argparse', 'max_steps', 10, '--max-steps'],
      ['argparse', 'deepspeed', 'ds.json', '--deepspeed'],
    ]);
  });

  test('front ends that parse their flags with argparse over the config: trl, swift, megatron; a dotted flag is a nested key', () => {
    expect(overridesOf('trl sft --config configs/sft.yaml --learning_rate 1e-5 --max_steps=200\n')).toEqual([
      ['argparse', 'learning_rate', 1e-5, '--learning_rate'],
      ['argparse', 'max_steps', 200, '--max_steps'],
    ]);
    expect(overridesOf('swift sft configs/sft.yaml --learning_rate 2e-4 --num_train_epochs 1\n')).toEqual([
      ['argparse', 'learning_rate', 2e-4, '--learning_rate'],
      ['argparse', 'num_train_epochs', 1, '--num_train_epochs'],
    ]);
    expect(overridesOf('megatron sft --config configs/sft.yaml --train_iters 500\n')).toEqual([['argparse', 'train_iters', 500, '--train_iters']]);
    // draccus (Levanter): `--config_path` names the config; `--trainer.num_train_steps` is trainer: num_train_steps.
    expect(overridesOf('python -m levanter.main.train_lm --config_path config/gpt2.yaml --trainer.num_train_steps 500 --optimizer.learning_rate 3e-4\n')).toEqual([
      ['argparse', 'trainer.num_train_steps', 500, '--trainer.num_train_steps'],
      ['argparse', 'optimizer.learning_rate', 3e-4, '--optimizer.learning_rate'],
    ]);
    // litgpt's own CLI (jsonargparse) applies `--a.b v` over the config the same way.
    expect(overridesOf('litgpt finetune --config configs/lora.yaml --train.max_steps 10\n')).toEqual([['argparse', 'train.max_steps', 10, '--train.max_steps']]);
  });

  test("llamafactory-cli and tune run: OmegaConf key=value words, YAML-typed; their flags are not overrides", () => {
    expect(overridesOf('llamafactory-cli train x.yaml learning_rate=1e-4 do_eval=false model.dtype=on output_dir=saves/run --extra 1\n')).toEqual([
      ['dotlist', 'learning_rate', 1e-4, 'learning_rate'],
      ['dotlist', 'do_eval', false, 'do_eval'],
      ['dotlist', 'model.dtype', true, 'model.dtype'],
      ['dotlist', 'output_dir', 'saves/run', 'output_dir'],
    ]);
    expect(overridesOf('tune run lora_finetune_single_device --config x.yaml optimizer.lr=2e-5 epochs=1\n')).toEqual([
      ['dotlist', 'optimizer.lr', 2e-5, 'optimizer.lr'],
      ['dotlist', 'epochs', 1, 'epochs'],
    ]);
  });

  test("axolotl's click options: dashes are underscores, --no-x is false, --a.b is nested; no dotlist words", () => {
    expect(overridesOf('axolotl train x.yml lr=1 --learning-rate 1e-4 --no-bf16 --trl.beta 0.1 --gradient-checkpointing\n')).toEqual([
      ['click', 'learning_rate', 1e-4, '--learning-rate'],
      ['click', 'bf16', false, '--no-bf16'],
      ['click', 'trl.beta', 0.1, '--trl.beta'],
      ['click', 'gradient_checkpointing', true, '--gradient-checkpointing'],
    ]);
  });

  test('typing by style: numbers, booleans, YAML 1.1 booleans and null only in a dotlist', () => {
    expect([typeOverride('1e-4', 'argparse'), typeOverride('True', 'argparse'), typeOverride('on', 'argparse'), typeOverride('on', 'dotlist'), typeOverride('null', 'dotlist'), typeOverride('1_000', 'dotlist')]).toEqual([
      1e-4,
      true,
      'on',
      true,
      null,
      1000,
    ]);
  });

  test('Hydra commands keep their own override reading (no flag overrides)', () => {
    const file = script('python3 -m verl.trainer.main_ppo data.train_batch_size=512 trainer.n_gpus_per_node=8\n');
    expect(scriptLaunches(file).map((l) => l.overrides)).toEqual([undefined]);
  });
});

describe('applying them to the config of one launch', () => {
  const file = parseSource('configs/sft.yaml', SFT);
  const launch = script('torchrun --nproc_per_node 8 train.py configs/sft.yaml --learning_rate 2e-5 --warmup_ratio 0.1 --trl.beta 0.2\n');
  const [scriptLaunch] = scriptLaunches(launch);

  test('a written key is replaced, a new one added, nested paths created; the config itself is untouched', () => {
    const over = withOverrides(file, scriptLaunch.overrides!);
    expect(getIn(over.tree, ['learning_rate'])?.node).toMatchObject({ kind: 'scalar', value: 2e-5 });
    expect(getIn(over.tree, ['warmup_ratio'])?.node).toMatchObject({ value: 0.1 });
    expect(getIn(file.tree, ['learning_rate'])?.node).toMatchObject({ value: 1e-4 });
    expect(getIn(file.tree, ['warmup_ratio'])).toBeUndefined();
    // A dotted flag is a nested key (draccus reads Levanter's `--trainer.num_train_steps` so; HfArgumentParser has no dotted fields).
    expect(getIn(over.tree, ['trl', 'beta'])?.node).toMatchObject({ value: 0.2 });
    // A scalar in the way of a nested path: that override does not apply.
    const blocked = withOverrides(file, [{ ...scriptLaunch.overrides![0], style: 'dotlist', path: ['learning_rate', 'x'] }]);
    expect(blocked).toBe(file);
  });

  test('plan Settings of an overridden value: origin launcher, the script and the flag, and what it replaced', () => {
    const over = withOverrides(file, scriptLaunch.overrides!);
    expect(numberAt(over, ['learning_rate'], 'pyyaml')).toEqual({
      value: 2e-5,
      origin: 'launcher',
      file: 'scripts/train.sh',
      key: '--learning_rate',
      range: expect.objectContaining({ line: 1 }),
      note: 'from the launch command at scripts/train.sh:1, over learning_rate: 1.0e-4 in the config',
    });
    expect(numberAt(over, ['max_steps'], 'pyyaml')).toMatchObject({ origin: 'explicit', file: 'configs/sft.yaml' });
    expect(overrideOf(getIn(over.tree, ['max_steps'])?.node)).toBeUndefined();
  });

  test('each dialect takes the styles its framework reads', () => {
    const words = script('llamafactory-cli train configs/sft.yaml learning_rate=3e-5\n');
    const [lf] = scriptLaunches(words);
    expect(getIn(launchedConfig(file, lf, llamaFactory).tree, ['learning_rate'])?.node).toMatchObject({ value: 3e-5 });
    // HfArgumentParser reads flags, not key=value words; the TRL/HF config keeps its value (and its tree).
    expect(launchedConfig(file, lf, hfTrainer).tree).toBe(file.tree);
    expect(getIn(launchedConfig(file, scriptLaunch, hfTrainer).tree, ['learning_rate'])?.node).toMatchObject({ value: 2e-5 });
    expect(launchedConfig(file, scriptLaunch, llamaFactory).tree).toBe(file.tree);
    expect(axolotl.meta.launchOverrides).toEqual(['click', 'argparse']);
    expect(msSwift.meta.launchOverrides).toEqual(['argparse']);
    expect(levanter.meta.launchOverrides).toEqual(['argparse']);
  });
});

describe('a plain scan: the launch plan holds the values the command writes', () => {
  function tempRepo(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-over-'));
    fs.mkdirSync(path.join(dir, '.git'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  test('TRL flags and --deepspeed over a config; torchtune dotlist; the config alone keeps its own values', async () => {
    const dir = tempRepo({
      'configs/sft.yaml': `${SFT}deepspeed: configs/ds_z2.json\n`,
      'configs/ds_z2.json': '{"train_batch_size": "auto", "zero_optimization": {"stage": 2}}\n',
      'configs/ds_z3.json': '{"train_batch_size": "auto", "zero_optimization": {"stage": 3}}\n',
      'configs/lora.yaml': 'batch_size: 2\nepochs: 3\nmax_steps_per_epoch: 100\ngradient_accumulation_steps: 8\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 3.0e-4\nlr_scheduler:\n  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup\n  num_warmup_steps: 100\nmodel:\n  _component_: torchtune.models.llama3_1.lora_llama3_1_8b\n',
      'scripts/sft.sh': 'torchrun --nproc_per_node 8 train.py configs/sft.yaml --learning_rate 2e-5 --deepspeed configs/ds_z3.json\n',
      'scripts/lora.sh': 'tune run lora_finetune_single_device --config configs/lora.yaml optimizer.lr=1e-4 epochs=1\n',
    });
    const { config } = readConfig(dir);
    const { results } = await lint({ root: dir, paths: [], config });
    const sft = results.find((r) => r.file.path === 'configs/sft.yaml' && r.launch)!;
    expect(sft.extraction!.plan.peakLr).toMatchObject({ value: 2e-5, origin: 'launcher', file: 'scripts/sft.sh', key: '--learning_rate' });
    expect(sft.linked?.map((l) => [l.path, l.key])).toEqual([['configs/ds_z3.json', '--deepspeed']]);
    const lora = results.find((r) => r.file.path === 'configs/lora.yaml' && r.launch)!;
    expect(lora.dialect?.meta.id).toBe('torchtune');
    expect(lora.extraction!.plan.peakLr).toMatchObject({ value: 1e-4, origin: 'launcher', key: 'optimizer.lr' });
    expect(lora.extraction!.plan.epochs).toMatchObject({ value: 1, origin: 'launcher', file: 'scripts/lora.sh' });
    // The same file linted alone keeps its own values.
    const { results: alone } = await lint({ root: dir, paths: ['configs/sft.yaml'], config, repoScripts: false });
    expect(alone.find((r) => r.file.path === 'configs/sft.yaml')!.extraction!.plan.peakLr).toMatchObject({ value: 1e-4, origin: 'explicit' });
  });
});
