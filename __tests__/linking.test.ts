/**
 * The repository read as a whole: launch scripts link the configs they name in a plain scan
 * (world size, SLURM, working directory), one plan per script, subset linting, subfolder runs,
 * and dataset sizes (origin dataset, bound upper) in the plan and the JSON report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { selectTouched } from '../src/action/changed-files';
import { readConfig } from '../src/config/load-config';
import { buildReport } from '../src/engine/build-report';
import { lint } from '../src/engine/lint';
import { parseSource } from '../src/engine/load-file';
import { launcherWorldSize, parseLaunchScript, readSbatch } from '../src/engine/load/shell';
import type { Report } from '../src/engine/report-types';
import { launchedConfig, namedConfigs, scriptLaunches } from '../src/engine/script-links';
import { lightning } from '../src/dialects/lightning';
import { litgpt } from '../src/dialects/litgpt';
import { runCliCapture } from './helpers/run-cli';

function tempRepo(files: Record<string, string>, git = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-link-'));
  if (git) fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const script = (text: string, p = 'scripts/train.sh') => parseSource(p, text, {}, 'shell');

const SFT = `model_name_or_path: org/model-7b
output_dir: out/sft
per_device_train_batch_size: 4
gradient_accumulation_steps: 4
learning_rate: 2.0e-5
max_steps: 1000
warmup_steps: 30
bf16: true
deepspeed: configs/ds.json
`;
const DS = '{\n  "train_batch_size": 64,\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto"\n}\n';
const TRAIN_SH = '#!/bin/bash\ntorchrun --nproc_per_node 8 train.py --config configs/sft.yaml\n';

describe('#SBATCH and $SLURM_* variables', () => {
  test('directives in their spellings, up to the first command; a later #SBATCH is a comment', () => {
    const alloc = readSbatch('#!/bin/bash\n#SBATCH -N2   # two nodes\n#SBATCH --ntasks-per-node 4\n#SBATCH --gres=gpu:a100:4,shard:2\n\necho go\n#SBATCH --nodes=9\n');
    expect(alloc).toMatchObject({ nodes: { value: 2, text: '-N2' }, ntasksPerNode: { value: 4 }, gpusPerNode: { value: 4, text: '--gres=gpu:a100:4,shard:2' }, ntasks: { value: 8 } });
    expect(alloc?.nodes?.range).toMatchObject({ line: 2, column: 9 });
    expect(readSbatch('#SBATCH --nodes=2-4\n#SBATCH --gpus-per-node=h100:8\n')).toEqual({ gpusPerNode: expect.objectContaining({ value: 8 }) });
    expect(readSbatch('#SBATCH --nodes=2-2 --gpus=16\n')).toMatchObject({ nodes: { value: 2 }, gpus: { value: 16 } });
    expect(readSbatch('echo hi\n#SBATCH -N 2\n')).toBeUndefined();
  });

  test("sbatch's command line overrides the directives: at the directive it overrides, else at the first line", () => {
    const src = '#!/bin/bash\n#SBATCH --nodes=2\n#SBATCH --ntasks-per-node 4\necho go\n';
    const alloc = readSbatch(src, undefined, ['-p', 'gpu', '--nodes', '3', '--gpus-per-node=8']);
    expect(alloc).toMatchObject({
      nodes: { value: 3, text: "--nodes 3 (sbatch's command line)", range: { line: 2, column: 9 } },
      ntasksPerNode: { value: 4, text: '--ntasks-per-node 4' },
      gpusPerNode: { value: 8, text: "--gpus-per-node=8 (sbatch's command line)", range: { line: 1, column: 1 } },
      ntasks: { value: 12 },
    });
    // A script without directives gets the command line's allocation; options that allocate nothing give none.
    expect(readSbatch('echo go\n', undefined, ['-N2'])).toMatchObject({ nodes: { value: 2 } });
    expect(readSbatch('echo go\n', undefined, ['-p', 'gpu', '-t', '01:00:00'])).toBeUndefined();
  });

  test('srun torchrun with $SLURM_NNODES and $SLURM_GPUS_ON_NODE resolves to a number', () => {
    const f = script('#!/bin/bash\n#SBATCH --nodes=4\n#SBATCH --gpus-per-node=8\nsrun torchrun --nnodes $SLURM_NNODES --nproc_per_node ${SLURM_GPUS_ON_NODE} train.py --config c.yaml\n');
    expect(launcherWorldSize(f.script!.commands[0])).toMatchObject({
      value: 32,
      how: '--nproc_per_node 8 ($SLURM_GPUS_ON_NODE from #SBATCH) × --nnodes 4 ($SLURM_NNODES from #SBATCH)',
    });
    // Without #SBATCH lines the variables stay unknown, and so does the world size.
    expect(launcherWorldSize(script('srun torchrun --nnodes $SLURM_NNODES --nproc_per_node 8 train.py\n').script!.commands[0])).toBeUndefined();
  });

  test('srun without task flags inherits the allocation; with none known the size stays unknown', () => {
    const f = script('#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=8\nsrun python train.py --config c.yaml\n');
    expect(launcherWorldSize(f.script!.commands[0])).toMatchObject({ value: 16, how: 'srun inherits --nodes=2 × --ntasks-per-node=8', range: { line: 2 } });
    expect(launcherWorldSize(script('#SBATCH --nodes=2\nsrun python train.py\n').script!.commands[0])).toBeUndefined();
  });
});

describe('launch commands and the configs they name', () => {
  test('tune run: torchrun options before the recipe; key=value overrides are not paths', () => {
    const f = script('tune run --nnodes 1 --nproc_per_node 4 lora_finetune_distributed --config configs/8B_lora.yaml optimizer.lr=2e-4 dataset.packed=True\n');
    const cmd = f.script!.commands[0];
    expect(cmd).toMatchObject({ launcher: 'torchrun', cli: 'tune run', script: 'lora_finetune_distributed' });
    expect(launcherWorldSize(cmd)).toMatchObject({ value: 4 });
    expect(namedConfigs(cmd).map((c) => c.written)).toEqual(['configs/8B_lora.yaml']);
    expect(launcherWorldSize(script('tune run lora_finetune_single_device --config x.yaml\n').script!.commands[0])).toMatchObject({ value: 1 });
  });

  test('ms-swift front ends read a config only as their first argument (parse_yaml_args: argv[0])', () => {
    const first = script('NPROC_PER_NODE=4 swift sft configs/sft.yaml --learning_rate 1e-5\n').script!.commands[0];
    expect(first).toMatchObject({ cli: 'swift sft' });
    expect(namedConfigs(first).map((c) => c.written)).toEqual(['configs/sft.yaml']);
    const later = script('swift sft --model Qwen/Qwen2.5-7B configs/sft.yaml\n').script!.commands[0];
    expect(namedConfigs(later)).toEqual([]);
    expect(namedConfigs(script('megatron sft configs/mcore.yaml --train_iters 80\n').script!.commands[0]).map((c) => c.written)).toEqual(['configs/mcore.yaml']);
    // Other programs take a positional config anywhere (LLaMA-Factory's train.py).
    expect(namedConfigs(script('python src/train.py --stage sft configs/x.yaml\n').script!.commands[0]).map((c) => c.written)).toEqual(['configs/x.yaml']);
  });

  test('llamafactory-cli train takes NNODES × NPROC_PER_NODE from its environment', () => {
    const cmd = script('FORCE_TORCHRUN=1 NNODES=2 NPROC_PER_NODE=8 llamafactory-cli train examples/sft.yaml\n').script!.commands[0];
    expect(cmd).toMatchObject({ launcher: 'none', cli: 'llamafactory-cli train', env: { NNODES: '2', NPROC_PER_NODE: '8' } });
    expect(launcherWorldSize(cmd)).toMatchObject({ value: 16 });
    expect(launcherWorldSize(script('llamafactory-cli train examples/sft.yaml\n').script!.commands[0])).toBeUndefined();
  });

  test('detectron2 train_net.py spawns --num-gpus × --num-machines processes (default_argument_parser: 1 and 1)', () => {
    const world = (text: string) => scriptLaunches(script(text))[0]?.values.worldSize;
    expect(world('python tools/train_net.py --num-gpus 8 --config-file configs/COCO-Detection/x.yaml\n')).toMatchObject({ value: 8, origin: 'launcher', key: '--num-gpus' });
    expect(world('python tools/lazyconfig_train_net.py --config-file configs/new_baselines/x.py --num-gpus=4 --num-machines 2\n')).toMatchObject({ value: 8, how: '--num-gpus 4 × --num-machines 2 (detectron2 launch)' });
    expect(world('python tools/train_net.py --config-file configs/x.yaml SOLVER.IMS_PER_BATCH 2\n')).toMatchObject({ value: 1, how: '--num-gpus not set (default 1) (detectron2 launch; --num-machines not set: 1 machine)' });
    // A project's own train_net.py at the root (Mask2Former), and one only the parser's flags show.
    expect(world('python train_net.py --num-gpus 2 --config-file configs/coco/x.yaml\n')).toMatchObject({ value: 2 });
    expect(world('python projects/run.py --config-file configs/x.yaml --num-gpus 4\n')).toMatchObject({ value: 4 });
    // A count trainlint cannot read stays unknown (not "plain python, one process"), so assume.worldSize can give it.
    expect(world('python tools/train_net.py --num-gpus $NGPUS --config-file configs/x.yaml\n')).toBeUndefined();
    expect(world('python tools/train_net.py --config-file configs/x.yaml $EXTRA\n')).toBeUndefined();
    // Another plain python program is still one process.
    expect(world('python train.py --config configs/x.yaml\n')).toMatchObject({ value: 1 });
  });

  test('accelerate: --num_processes / --mixed_precision on the command line win over the config file even when their value is unknown', () => {
    const f = script('#!/bin/bash\nsrun accelerate launch --config_file recipes/zero3.yaml --num_machines $SLURM_NNODES --num_processes $WORLD_SIZE --mixed_precision $PREC \\\n  src/sft.py --config recipes/sft.yaml\n');
    const [launch] = scriptLaunches(f);
    expect(launch.accelerateConfig).toMatchObject({ written: 'recipes/zero3.yaml', commandSets: ['worldSize', 'precision'] });
    expect(launch.values.worldSize).toBeUndefined();
  });

  test('jsonargparse flags after --config (LightningCLI, litgpt) are values over the YAML, as launched', () => {
    const fit = parseSource('configs/fit.yaml', 'trainer:\n  accelerator: gpu\n  devices: 4\n  max_steps: 20000\nmodel:\n  class_path: pkg.LitModel\n  init_args:\n    learning_rate: 3.0e-4\ndata:\n  class_path: pkg.Data\n  init_args:\n    batch_size: 16\n', {}, 'yaml');
    const [cliLaunch] = scriptLaunches(script('python main.py fit --config configs/fit.yaml --trainer.devices=8\n'));
    const plan = lightning.extract(launchedConfig(fit, cliLaunch, lightning), { assume: {}, mappings: {} }).plan;
    expect(plan.worldSize).toMatchObject({ value: 8 });
    const lora = parseSource('config_hub/lora.yaml', 'checkpoint_dir: checkpoints/m\ndevices: 1\ntrain:\n  global_batch_size: 8\n  micro_batch_size: 1\n  epochs: 4\n  max_seq_length: 512\noptimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 0.0002\n', {}, 'yaml');
    const [loraLaunch] = scriptLaunches(script('litgpt finetune_lora checkpoints/m --config config_hub/lora.yaml --devices 4 --train.global_batch_size 6\n'));
    const loraPlan = litgpt.extract(launchedConfig(lora, loraLaunch, litgpt), { assume: {}, mappings: {} }).plan;
    expect(loraPlan.worldSize).toMatchObject({ value: 4, origin: 'launcher' });
    expect(loraPlan.globalBatchSize).toMatchObject({ value: 6, origin: 'launcher', key: '--train.global_batch_size' });
  });

  test('the working directory follows cd: the script folder, its parent, a relative folder, or unknown', () => {
    const launches = (text: string) => scriptLaunches(script(text, 'scripts/run.sh')).map((l) => l.workdir);
    expect(launches('torchrun --nproc_per_node 2 t.py --config a.yaml\n')).toEqual([{ dir: '.', label: 'the repository root' }]);
    expect(launches('cd "$(dirname "$0")"\ntorchrun --nproc_per_node 2 t.py --config a.yaml\n')[0]).toMatchObject({ dir: 'scripts', label: expect.stringMatching(/^the launch script's folder \(cd at scripts\/run\.sh:1\)/) });
    expect(launches('cd "$(dirname "${BASH_SOURCE[0]}")/.." && python t.py --config a.yaml\n')[0]).toMatchObject({ dir: '.' });
    expect(launches('cd training\npython t.py --config a.yaml\n')[0]).toMatchObject({ dir: 'training' });
    expect(launches('cd ..\npython t.py --config a.yaml\n')[0]).toEqual({ label: expect.stringMatching(/outside the repository/) });
    expect(launches('cd /scratch/$USER/run\npython t.py --config a.yaml\n')[0]).toEqual({ label: expect.stringMatching(/cannot follow/) });
    expect(launches('cd "$(git rev-parse --show-toplevel)"\npython t.py --config a.yaml\n')[0]).toMatchObject({ dir: '.' });
  });
});

async function lintRepo(dir: string, paths: string[] = [], cwd = dir) {
  const { config } = readConfig(cwd);
  return lint({ root: cwd, repoRoot: dir, paths, config });
}

describe('a plain scan links scripts to configs', () => {
  test('scripts/train.sh → configs/sft.yaml → configs/ds.json: the batch mismatch needs the script\'s world size', async () => {
    const dir = tempRepo({ 'scripts/train.sh': TRAIN_SH, 'configs/sft.yaml': SFT, 'configs/ds.json': DS });
    const r = await runCliCapture(['.', '--format', 'json'], dir);
    const report = JSON.parse(r.stdout) as Report;
    const finding = report.findings.find((f) => f.ruleId === 'cross-file-mismatch')!;
    expect(finding).toMatchObject({ path: 'configs/sft.yaml', line: 9, data: { field: 'globalBatchSize', linkedValue: 64, value: 128, launchedBy: ['scripts/train.sh:2'] } });
    expect(finding.message).toMatch(/\(as launched by scripts\/train\.sh:2\)$/);
    const sft = report.files.find((f) => f.path === 'configs/sft.yaml')!;
    expect(sft.launcher).toEqual({ path: 'scripts/train.sh', line: 2, column: 1 });
    expect(sft.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', file: 'scripts/train.sh', line: 2, key: '--nproc_per_node' });
    expect(r.code).toBe(1);
    // Without the script the world size is unknown and nothing is reported.
    fs.rmSync(path.join(dir, 'scripts/train.sh'));
    expect((await runCliCapture(['.'], dir)).code).toBe(0);
  });

  test('several scripts: one plan per script; shared findings once, launch-dependent ones name their script', async () => {
    const dir = tempRepo({
      'scripts/one.sh': 'torchrun --nproc_per_node 4 train.py configs/sft.yaml\n',
      'scripts/two.sh': 'torchrun --nproc_per_node 8 train.py configs/sft.yaml\n',
      'scripts/also4.sh': 'deepspeed --num_gpus 4 train.py --config configs/sft.yaml\n',
      'configs/sft.yaml': SFT.replace('learning_rate: 2.0e-5', 'learning_rate: 2e-5').replace('bf16: true', 'bf16: on'),
      'configs/ds.json': DS,
    });
    const { results } = await lintRepo(dir);
    const sft = results.filter((r) => r.file.path === 'configs/sft.yaml');
    expect(sft.map((r) => [r.launch?.script, r.extraction?.plan.worldSize?.value])).toEqual([
      ['scripts/also4.sh', 4],
      ['scripts/one.sh', 4],
      ['scripts/two.sh', 8],
    ]);
    const findings = sft.flatMap((r) => r.findings);
    // `bf16: on` is the boolean true for PyYAML whatever the parser: reported once, with no launcher named.
    const shared = findings.filter((f) => f.ruleId === 'yaml11-ambiguous-scalar');
    expect(shared.map((f) => [f.range.line, /launched by/.test(f.message)])).toEqual([[8, false]]);
    // `2e-5` stays a string only for HfArgumentParser.parse_yaml_file (a positional YAML path); TrlParser's
    // argparse (`--config`) converts it: the schema error (standing for the yaml11 finding on the same
    // scalar) names the two launches that give it.
    const typing = findings.filter((f) => f.ruleId === 'schema');
    expect(typing.map((f) => f.merged?.map((m) => m.ruleId))).toEqual([['schema', 'yaml11-ambiguous-scalar']]);
    expect(typing[0].message).toMatch(/\(as launched by scripts\/one\.sh:1 and scripts\/two\.sh:1\)$/);
    const mismatch = findings.filter((f) => f.ruleId === 'cross-file-mismatch');
    expect(mismatch.map((f) => f.message.replace(/.*\(as launched by /, ''))).toEqual(['scripts/two.sh:1)']);
    const report = buildReport(results);
    expect(report.files.filter((f) => f.path === 'configs/sft.yaml').map((f) => f.launcher?.path)).toEqual(['scripts/also4.sh', 'scripts/one.sh', 'scripts/two.sh']);
    // trainlint plan: one plan per launch command (an array in JSON).
    const plan = await runCliCapture(['plan', 'configs/sft.yaml', '--format', 'json'], dir);
    expect((JSON.parse(plan.stdout) as { launcher: { path: string }; plan: { worldSize: { value: number } } }[]).map((p) => [p.launcher.path, p.plan.worldSize.value])).toEqual([
      ['scripts/also4.sh', 4],
      ['scripts/one.sh', 4],
      ['scripts/two.sh', 8],
    ]);
    expect((await runCliCapture(['plan', 'configs/sft.yaml'], dir)).stdout.match(/^ {2}launched by: /gm)).toHaveLength(3);
  });

  test('the JSON report with launcher, bound and origin dataset validates against report v1', async () => {
    const dir = tempRepo({
      'scripts/train.sh': TRAIN_SH,
      'configs/sft.yaml': SFT.replace('max_steps: 1000\n', 'num_train_epochs: 2\ndataset_name: HuggingFaceH4/ultrachat_200k\ndataset_train_split: train_sft\n'),
      'configs/ds.json': DS.replace('64', '"auto"'),
    });
    const report = buildReport((await lintRepo(dir)).results);
    const plan = report.files.find((f) => f.path === 'configs/sft.yaml')!.plan;
    expect(plan.datasetSamples).toMatchObject({ value: 207_865, origin: 'dataset', bound: 'upper', key: 'dataset_name' });
    expect(plan.totalSteps).toMatchObject({ value: 2 * Math.ceil(Math.ceil(207_865 / 32) / 4), bound: 'upper' });
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../schemas/report.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
  });
});

describe('subsets, subfolders and working directories', () => {
  test('linting one config still reads the repository\'s scripts; linting a script lints the configs it names', async () => {
    const dir = tempRepo({ 'scripts/train.sh': TRAIN_SH, 'configs/sft.yaml': SFT, 'configs/ds.json': DS, 'other/unrelated.sh': 'echo nothing to see\n' });
    const one = await runCliCapture(['configs/sft.yaml'], dir);
    expect(one.stdout).toMatch(/cross-file-mismatch/);
    const viaScript = await runCliCapture(['scripts/train.sh', '--format', 'json'], dir);
    const report = JSON.parse(viaScript.stdout) as Report;
    expect(report.files.map((f) => f.path).sort()).toEqual(['configs/sft.yaml', 'scripts/train.sh']);
    expect(report.findings.some((f) => f.ruleId === 'cross-file-mismatch' && f.path === 'configs/sft.yaml')).toBe(true);
  });

  test('the action re-checks a config when only the script that launches it changed', async () => {
    const dir = tempRepo({ 'scripts/train.sh': TRAIN_SH, 'configs/sft.yaml': SFT, 'configs/ds.json': DS, 'configs/other.yaml': SFT.replace('deepspeed: configs/ds.json\n', '') });
    const { results } = await lintRepo(dir);
    expect(selectTouched(results, new Set(['scripts/train.sh'])).map((r) => r.file.path).sort()).toEqual(['configs/sft.yaml', 'scripts/train.sh']);
    expect(selectTouched(results, new Set(['configs/other.yaml'])).map((r) => r.file.path)).toEqual(['configs/other.yaml']);
  });

  test('a run in a subfolder resolves paths from the repository root (found from .git)', async () => {
    const dir = tempRepo({ 'scripts/train.sh': TRAIN_SH, 'configs/sft.yaml': SFT, 'configs/ds.json': DS });
    const r = await runCliCapture(['.'], path.join(dir, 'configs'));
    expect(r.stdout).toMatch(/sft\.yaml[\s\S]*global batch: ds\.json:2 train_batch_size is 64 but this file gives 128[\s\S]*as launched by \.\.\/scripts\/train\.sh:2/);
    const plan = await runCliCapture(['plan', 'sft.yaml'], path.join(dir, 'configs'));
    expect(plan.stdout).toContain('launched by: ../scripts/train.sh:2 (torchrun; configs/sft.yaml from the repository root; runs in the repository root)');
    expect(plan.stdout).toContain('linked: ds.json (deepspeed: configs/ds.json, found from the repository root)');
  });

  test('a script that cd\'s to its folder: its paths resolve from there, and the config\'s own paths from there too', async () => {
    const dir = tempRepo({
      'launch/run.sh': '#!/bin/bash\ncd "$(dirname "$0")"\ntorchrun --nproc_per_node 8 ../train.py --config ../configs/sft.yaml\n',
      'configs/sft.yaml': SFT.replace('deepspeed: configs/ds.json', 'deepspeed: ../configs/ds.json'),
      'configs/ds.json': DS,
    });
    const plan = await runCliCapture(['plan', 'configs/sft.yaml'], dir);
    expect(plan.stdout).toContain("launched by: launch/run.sh:3 (torchrun; ../configs/sft.yaml from the launch script's folder (cd at launch/run.sh:2); runs in the launch script's folder (cd at launch/run.sh:2))");
    expect(plan.stdout).toContain("linked: configs/ds.json (deepspeed: ../configs/ds.json, found from the launch script's folder (cd at launch/run.sh:2))");
  });

  test('trainlint plan on a script lists what it starts, and what was tried for a config that does not exist', async () => {
    const dir = tempRepo({
      'scripts/train.sh': '#!/bin/bash\n#SBATCH --nodes=1\nsrun --ntasks 8 python train.py --config configs/missing.yaml\ntorchrun --nproc_per_node 2 train.py --config configs/sft.yaml\n',
      'configs/sft.yaml': SFT,
      'configs/ds.json': DS,
    });
    const plan = await runCliCapture(['plan', 'scripts/train.sh'], dir);
    expect(plan.stdout).toContain(
      "  starts: line 3: --config configs/missing.yaml not found inside the repository (tried configs/missing.yaml from the repository root (does not exist), scripts/configs/missing.yaml from the launch script's folder (does not exist))",
    );
    expect(plan.stdout).toContain('  starts: line 4: configs/sft.yaml (torchrun, world size 2; found from the repository root)');
  });
});

describe('a script that runs another script', () => {
  // torchtitan's run_train.sh and a committed wrapper that runs it for one model on one machine.
  const RUN_TRAIN = [
    '#!/usr/bin/bash',
    'set -ex',
    'NGPU=${NGPU:-"8"}',
    'CONFIG_FILE=${CONFIG_FILE:-"./train_configs/debug_model.toml"}',
    'torchrun --nproc_per_node=${NGPU} --rdzv_backend c10d -m torchtitan.train --job.config_file ${CONFIG_FILE} "$@"',
    '',
  ].join('\n');
  const titan = (globalBatch: number) =>
    `[model]\nname = "llama3"\nflavor = "8B"\n[optimizer]\nname = "AdamW"\nlr = 3e-4\n[lr_scheduler]\nwarmup_steps = 200\n[training]\nlocal_batch_size = 1\nglobal_batch_size = ${globalBatch}\nseq_len = 8192\nsteps = 1000\n[parallelism]\ndata_parallel_shard_degree = -1\n`;
  const repo = (wrapper: string) =>
    tempRepo({ 'run_train.sh': RUN_TRAIN, 'scripts/llama3_8b_6gpu.sh': wrapper, 'train_configs/debug_model.toml': titan(64), 'train_configs/llama3_8b.toml': titan(64) });

  test("the called script's commands, read with the calling command's environment, link the config it names, at the calling command", async () => {
    const dir = repo('#!/usr/bin/bash\n# the 8B model on the 6-GPU box\nNGPU=6 CONFIG_FILE=./train_configs/llama3_8b.toml ./run_train.sh --training.steps 2000\n');
    const report = JSON.parse((await runCliCapture(['.', '--format', 'json'], dir)).stdout) as Report;
    const plan = report.files.find((f) => f.path === 'train_configs/llama3_8b.toml' && f.launcher?.path === 'scripts/llama3_8b_6gpu.sh')!;
    expect(plan.launcher).toEqual({ path: 'scripts/llama3_8b_6gpu.sh', line: 3, column: 1 });
    expect(plan.plan.worldSize).toMatchObject({ value: 6, origin: 'launcher', file: 'scripts/llama3_8b_6gpu.sh', line: 3 });
    // Its arguments reach the program through "$@": 2000 steps, written over the config.
    expect(plan.plan.totalSteps).toMatchObject({ value: 2000, origin: 'launcher' });
    // 64 is not a multiple of 1 × 6: torchtitan refuses to start; the finding names the wrapper's command.
    const finding = report.findings.find((f) => f.ruleId === 'batch-size-mismatch')!;
    expect(finding).toMatchObject({ path: 'train_configs/llama3_8b.toml' });
    expect(finding.message).toContain('(as launched by scripts/llama3_8b_6gpu.sh:3)');
    // run_train.sh alone still launches its default config on 8 GPUs (64 / 8: whole).
    expect(report.files.find((f) => f.path === 'train_configs/debug_model.toml')!.plan.worldSize).toMatchObject({ value: 8, file: 'run_train.sh' });
    // The wrapper has no plan of its own: the commands it runs are not its.
    expect(report.files.find((f) => f.path === 'scripts/llama3_8b_6gpu.sh')!.dialect).toBeNull();
    // Linting the one config from the root finds the wrapper too (it names the config).
    const one = await runCliCapture(['train_configs/llama3_8b.toml'], dir);
    expect(one.stdout).toContain('as launched by scripts/llama3_8b_6gpu.sh:3');
    const plain = await runCliCapture(['plan', 'train_configs/llama3_8b.toml'], dir);
    expect(plain.stdout).toContain('launched by: scripts/llama3_8b_6gpu.sh:3 (torchrun in ./run_train.sh:5;');
  });

  test('the action re-checks the configs launched through a called script when only that script changed', async () => {
    const dir = repo('NGPU=6 CONFIG_FILE=./train_configs/llama3_8b.toml ./run_train.sh\n');
    const { results } = await lintRepo(dir);
    const launchedBy = (touched: string) =>
      selectTouched(results, new Set([touched]))
        .map((r) => `${r.file.path}${r.launch ? ` < ${r.launch.script}` : ''}`)
        .sort();
    expect(launchedBy('run_train.sh')).toEqual(['run_train.sh', 'train_configs/debug_model.toml < run_train.sh', 'train_configs/llama3_8b.toml < scripts/llama3_8b_6gpu.sh']);
    expect(launchedBy('scripts/llama3_8b_6gpu.sh')).toEqual(['scripts/llama3_8b_6gpu.sh', 'train_configs/llama3_8b.toml < scripts/llama3_8b_6gpu.sh']);
  });

  test('what the called script gets: exported variables and the command\'s own, not the script\'s unexported ones', async () => {
    const world = async (wrapper: string) => {
      const report = JSON.parse((await runCliCapture(['.', '--format', 'json'], repo(wrapper))).stdout) as Report;
      return report.files.find((f) => f.path === 'train_configs/llama3_8b.toml' && f.launcher?.path === 'scripts/llama3_8b_6gpu.sh')?.plan.worldSize?.value;
    };
    expect(await world('NGPU=6\nCONFIG_FILE=./train_configs/llama3_8b.toml ./run_train.sh\n')).toBe(8);
    expect(await world('export NGPU=6\nCONFIG_FILE=./train_configs/llama3_8b.toml bash run_train.sh\n')).toBe(6);
    expect(await world('export NGPU=$GPUS\nexport CONFIG_FILE=./train_configs/llama3_8b.toml\nsh ./run_train.sh\n')).toBeUndefined();
    // A script that is not in the repository, or whose path is not known: nothing followed, nothing reported.
    const none = JSON.parse((await runCliCapture(['.', '--format', 'json'], repo('NGPU=6 ./missing.sh\n$RUNNER.sh\n'))).stdout) as Report;
    expect(none.files.filter((f) => f.launcher?.path === 'scripts/llama3_8b_6gpu.sh')).toEqual([]);
  });

  test("the called commands carry no literal value ranges of the calling script: --fix never edits the call", () => {
    const reader = (written: string) => (written === './run_train.sh' ? { text: RUN_TRAIN } : { why: 'not here' });
    const { script } = parseLaunchScript('NGPU=6 CONFIG_FILE=./train_configs/llama3_8b.toml ./run_train.sh --training.steps 2000\n', reader);
    expect(script.commands).toEqual([]);
    expect(script.called).toHaveLength(1);
    const called = script.called![0];
    expect(called.through).toBe('./run_train.sh:5');
    expect(JSON.stringify(called)).not.toContain('valueRange');
    const at = { line: 1, column: 1, endLine: 1, endColumn: 87 };
    expect(called.range).toEqual(at);
    expect([...called.launcherArgs, ...called.args].every((a) => JSON.stringify(a.flagRange) === JSON.stringify(at))).toBe(true);
    expect(launcherWorldSize(called)?.value).toBe(6);
  });
});

describe('a launch script whose config is not in the repository', () => {
  test('a MaxText dotlist command says which config it did not find, and does not call it Hydra', async () => {
    const dir = tempRepo({ 'scripts/run.sh': '#!/bin/bash\npython3 -m MaxText.train MaxText/configs/v5e/llama2_7b.yml run_name=r1 steps=2000\n' });
    try {
      const { results } = await lint({ root: dir, paths: ['scripts/run.sh'], config: {} });
      const starts = results.find((r) => r.file.path === 'scripts/run.sh')?.starts ?? [];
      expect(starts).toEqual([expect.stringMatching(/^line 2: config MaxText\/configs\/v5e\/llama2_7b\.yml not found inside the repository \(tried .*\); the values it sets are unknown$/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a config whose framework only its launch command names', () => {
  // timm's `--config` YAML may hold only keys many frameworks use: its own keys name no framework.
  const ARGS = 'model: resnet50\nbatch_size: 128\nepochs: 100\nwarmup_epochs: 5\nsched: cosine\nopt: sgd\nlr: 0.5\nweight_decay: 0.0001\n';
  const RUN = '#!/bin/bash\n./distributed_train.sh 8 /data/imagenet --config configs/args.yaml --lr 0.8\n';
  const resultOf = async (dir: string, paths: string[], p: string) => {
    const { results } = await lint({ root: dir, paths, config: readConfig(dir).config });
    return results.filter((r) => r.file.path === p);
  };

  test('is read by the dialect of the scripts that launch it, with their values over it', async () => {
    const dir = tempRepo({ 'configs/args.yaml': ARGS, 'scripts/run.sh': RUN });
    // Alone, the file is nobody's.
    const alone = await lint({ root: dir, paths: ['configs/args.yaml'], config: readConfig(dir).config, repoScripts: false });
    expect(alone.results[0].dialect).toBeUndefined();
    // Linted alone, from the repository's scripts; and linted with its script.
    for (const paths of [['configs/args.yaml'], ['scripts/run.sh', 'configs/args.yaml']]) {
      const [r] = await resultOf(dir, paths, 'configs/args.yaml');
      expect(r.dialect?.meta.id).toBe('timm');
      expect(r.reason).toBeUndefined();
      expect(r.extraction?.notes).toContain('read as timm train.py: no key of its own names the framework; scripts/run.sh:2 (distributed_train.sh) launches it');
      expect(r.extraction?.plan.worldSize).toMatchObject({ value: 8, origin: 'launcher', file: 'scripts/run.sh' });
      // train.py's flags after --config win over the file (argparse over set_defaults).
      expect(r.extraction?.plan.peakLr).toMatchObject({ value: 0.8, origin: 'launcher', file: 'scripts/run.sh', key: '--lr' });
      expect(r.extraction?.plan.microBatchSize).toMatchObject({ value: 128, origin: 'explicit', file: 'configs/args.yaml' });
    }
  });

  test('stays unclaimed when the dialect finds nothing of its own in it, or its launches disagree', async () => {
    const stray = tempRepo({ 'configs/args.yaml': 'paths:\n  root: /data\nnames: [a, b]\n', 'scripts/run.sh': RUN });
    const [r] = await resultOf(stray, [], 'configs/args.yaml');
    expect(r.dialect).toBeUndefined();
    const mixed = tempRepo({
      'configs/args.yaml': ARGS,
      'scripts/run.sh': RUN,
      'scripts/other.sh': '#!/bin/bash\naccelerate launch --num_processes 4 train.py --config configs/args.yaml\n',
    });
    const [m] = await resultOf(mixed, [], 'configs/args.yaml');
    expect(m.dialect).toBeUndefined();
  });

  test('each command speaks for the configs it names: a data step next to a timm command is not timm', async () => {
    const dir = tempRepo({
      'configs/args.yaml': ARGS,
      'configs/prep.yaml': 'batch_size: 512\nepochs: 1\nworkers: 16\n',
      'scripts/run.sh': '#!/bin/bash\npython tools/prepare.py --config configs/prep.yaml\n' + RUN.split('\n').slice(1).join('\n'),
    });
    const [args] = await resultOf(dir, [], 'configs/args.yaml');
    expect(args.dialect?.meta.id).toBe('timm');
    expect(args.extraction?.notes.some((n) => n.includes('scripts/run.sh:3 (distributed_train.sh) launches it'))).toBe(true);
    const [prep] = await resultOf(dir, [], 'configs/prep.yaml');
    expect(prep.dialect).toBeUndefined();
  });
});

describe('dataset sizes', () => {
  test('a Parquet train_file, the user\'s assume winning, and a pretraining stage that is not counted', async () => {
    const header = Buffer.from('PAR1');
    // FileMetaData { 1: version 1, 3: num_rows 5000 } in the compact protocol, then its length and the magic.
    const footer = Buffer.from([0x15, 0x02, 0x26, 0x90, 0x4e, 0x00]);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(footer.length);
    const dir = tempRepo({
      'configs/a.yaml': 'per_device_train_batch_size: 8\nnum_train_epochs: 1\nwarmup_steps: 10\ntrain_file: data/train.parquet\n',
      'configs/b.yaml': 'per_device_train_batch_size: 8\nnum_train_epochs: 1\ntrain_file: data/train.parquet\n',
      '.trainlint.yml': "assume:\n  worldSize: 1\noverrides:\n  - files: 'configs/b.yaml'\n    assume: { datasetSamples: 800 }\n",
      'lf.yaml': 'stage: pt\ndataset: c4_demo\nfinetuning_type: full\ntemplate: default\nper_device_train_batch_size: 2\nnum_train_epochs: 1\n',
    });
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data/train.parquet'), Buffer.concat([header, Buffer.alloc(16), footer, len, header]));
    const { results } = await lintRepo(dir);
    const plan = (p: string) => results.find((r) => r.file.path === p)!.extraction!;
    expect(plan('configs/a.yaml').plan.datasetSamples).toMatchObject({ value: 5000, origin: 'dataset', how: '5000 rows in data/train.parquet' });
    expect(plan('configs/a.yaml').plan.stepsPerEpoch).toMatchObject({ value: 625, bound: 'upper', estimatedFrom: 'data/train.parquet' });
    expect(plan('configs/b.yaml').plan.datasetSamples).toMatchObject({ value: 800, origin: 'assumed' });
    expect(plan('lf.yaml').notes).toContain('dataset size unknown: stage pt concatenates the texts into cutoff_len blocks: rows are not samples');
  });
});

describe('the run of a trainer config and its DeepSpeed or accelerate file', () => {
  const HF = 'output_dir: out\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 2\nlearning_rate: 3.0e-5\nmax_steps: 500\nsave_steps: 100\nbf16: true\n';
  const dsWith = (scheduler: string) =>
    `{\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto",\n  "optimizer": {"type": "AdamW", "params": {"lr": "auto"}},\n  "scheduler": ${scheduler},\n  "bf16": {"enabled": "auto"}\n}\n`;
  const rules = (dir: string, file = 'sft.yaml') => lintRepo(dir).then(({ results }) => results.find((r) => r.file.path === file)!);

  test('a hard-coded warmup_num_steps the Trainer refuses: one cross-file-mismatch, no warmup finding; the DeepSpeed optimizer replaces optim', async () => {
    const dir = tempRepo({
      'sft.yaml': `${HF}warmup_steps: 50\nlr_scheduler_type: linear\ndeepspeed: ds.json\n`,
      'ds.json': dsWith('{"type": "WarmupDecayLR", "params": {"warmup_max_lr": "auto", "warmup_num_steps": 1000, "total_num_steps": "auto"}}'),
    });
    const sft = await rules(dir);
    expect(sft.findings.map((f) => f.ruleId)).toEqual(['cross-file-mismatch']);
    const plan = buildReport([sft]).files[0].plan;
    expect(plan.warmupSteps).toMatchObject({ value: 50, file: 'sft.yaml', key: 'warmup_steps' });
    expect(plan.warmupSteps?.note).toBe('ds.json hard-codes 1000: the Trainer refuses to start until it is "auto"');
    expect(plan.optimizer).toMatchObject({ value: 'AdamW', file: 'ds.json', key: 'optimizer.type' });
    expect(plan.scheduler).toMatchObject({ value: 'WarmupDecayLR', file: 'ds.json' });
  });

  test('the Trainer compares its defaults too: a hard-coded warmup_num_steps next to no warmup stops the run (one finding, at deepspeed:)', async () => {
    const dir = tempRepo({
      'sft.yaml': `${HF}deepspeed: ds.json\n`,
      'ds.json': dsWith('{"type": "WarmupDecayLR", "params": {"warmup_max_lr": "auto", "warmup_num_steps": 1000, "total_num_steps": "auto"}}'),
    });
    const sft = await rules(dir);
    expect(sft.findings.map((f) => [f.ruleId, f.range.line])).toEqual([['cross-file-mismatch', 8]]);
    expect(sft.findings[0].message).toMatch(/^warmup steps: ds\.json:5 scheduler\.params\.warmup_num_steps is 1000 but this file gives 0 \(warmup_steps, default\): the Trainer refuses to start/);
  });

  test('lr_scheduler_type constant: the warmup is ignored, unless a DeepSpeed scheduler block replaces the Trainer scheduler and reads it', async () => {
    const sftText = `${HF}lr_scheduler_type: constant\nwarmup_steps: 60\n`;
    const alone = await rules(tempRepo({ 'sft.yaml': sftText }));
    expect(alone.findings.map((f) => [f.ruleId, f.range.line])).toEqual([['ignored-setting', 9]]);
    const dir = tempRepo({ 'sft.yaml': `${sftText}deepspeed: ds.json\n`, 'ds.json': dsWith('{"type": "WarmupLR", "params": {"warmup_max_lr": "auto", "warmup_num_steps": "auto"}}') });
    const withDs = await rules(dir);
    expect(withDs.findings).toEqual([]);
    // The Trainer fills "auto" from the written warmup, which the plan does not hold: unknown, not 0.
    const plan = buildReport([withDs]).files[0].plan;
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.scheduler).toMatchObject({ value: 'WarmupLR', file: 'ds.json' });
  });

  test('accelerate mixed_precision: the Trainer\'s own bf16 overrides it (no finding); a config without one runs with it', async () => {
    const acc = 'distributed_type: DEEPSPEED\ndeepspeed_config:\n  zero_stage: 3\nmixed_precision: fp16\nnum_machines: 1\nnum_processes: 8\n';
    const launch = '#!/bin/bash\naccelerate launch --config_file acc.yaml train.py --config sft.yaml\n';
    const dir = tempRepo({ 'sft.yaml': `${HF}warmup_steps: 25\n`, 'acc.yaml': acc, 'run.sh': launch });
    const sft = await rules(dir);
    expect(sft.findings).toEqual([]);
    expect(buildReport([sft]).files[0].plan.precision).toMatchObject({ value: 'bf16', file: 'sft.yaml' });
    const plain = tempRepo({ 'sft.yaml': `${HF.replace('bf16: true\n', '')}warmup_steps: 25\n`, 'acc.yaml': acc, 'run.sh': launch });
    const run = await rules(plain);
    expect(run.findings).toEqual([]);
    expect(buildReport([run]).files[0].plan.precision).toMatchObject({ value: 'fp16', file: 'acc.yaml', key: 'mixed_precision' });
  });
});

describe('a DeepSpeed value the Trainer refuses is not the run\'s in any field', () => {
  test('a hard-coded total_num_steps 1000 against max_steps 3000: one cross-file-mismatch, no decay-horizon finding from it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-ds-refused-'));
    try {
      fs.mkdirSync(path.join(dir, 'configs'));
      fs.writeFileSync(path.join(dir, 'configs', 'sft.yaml'), 'output_dir: out\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 2\nlearning_rate: 1.0e-5\nmax_steps: 3000\nbf16: true\ndeepspeed: configs/ds_z2.json\n');
      fs.writeFileSync(
        path.join(dir, 'configs', 'ds_z2.json'),
        '{\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto",\n  "bf16": {"enabled": "auto"},\n  "zero_optimization": {"stage": 2},\n  "scheduler": {"type": "WarmupDecayLR", "params": {"warmup_min_lr": 0, "warmup_max_lr": "auto", "warmup_num_steps": "auto", "total_num_steps": 1000}}\n}\n',
      );
      const { results } = await lint({ root: dir, paths: ['configs/sft.yaml'], config: { assume: { worldSize: 8 } } });
      const sft = results.find((r) => r.file.path === 'configs/sft.yaml')!;
      expect(sft.findings.map((f) => f.ruleId)).toEqual(['cross-file-mismatch']);
      expect(sft.findings[0].message).toContain('total_num_steps is 1000 but this file gives 3000');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dataset sizes per launch', () => {
  test('two launch commands of one config naming different data: each launch is counted for its own data', async () => {
    const rows = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ instruction: 'a', output: 'b' })));
    const dir = tempRepo({
      'configs/sft.yaml':
        'model_name_or_path: org/model-7b\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: small\ndataset_dir: data\ntemplate: llama3\n' +
        'cutoff_len: 1024\nper_device_train_batch_size: 2\ngradient_accumulation_steps: 1\nnum_train_epochs: 1.0\nlearning_rate: 1.0e-4\nwarmup_steps: 50\noutput_dir: saves/x\n',
      'data/dataset_info.json': '{"small": {"file_name": "small.json"}, "big": {"file_name": "big.json"}}\n',
      'data/small.json': rows(100),
      'data/big.json': rows(10_000),
      // The config as written (small), then the same config with the data a launch names (big): the
      // count of the first must not stand for the second.
      'scripts/a_plain.sh': '#!/bin/bash\nFORCE_TORCHRUN=1 NPROC_PER_NODE=1 llamafactory-cli train configs/sft.yaml\n',
      'scripts/b_big.sh': '#!/bin/bash\nFORCE_TORCHRUN=1 NPROC_PER_NODE=1 llamafactory-cli train configs/sft.yaml dataset=big\n',
    });
    const { results } = await lintRepo(dir);
    const sft = results.filter((r) => r.file.path === 'configs/sft.yaml');
    expect(sft.map((r) => [r.launch?.script, r.extraction?.plan.datasetSamples?.value, r.extraction?.plan.totalSteps?.value])).toEqual([
      ['scripts/a_plain.sh', 100, 50],
      ['scripts/b_big.sh', 10_000, 5_000],
    ]);
  });
});
