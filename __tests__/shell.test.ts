import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LaunchCommand, ShellArg } from '../src/engine/launch.js';
import type { Range } from '../src/engine/types.js';
import { argValue, launcherWorldSize, parseLaunchScript } from '../src/engine/load/shell.js';
import { expectLinear } from './helpers/scaling';

const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', 'shell', name), 'utf8');

/** The range of the `nth` occurrence of `needle` in `text` (1-based, endColumn exclusive). */
function rangeOfText(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" #${nth} not in text`);
  }
  const before = text.slice(0, at).split('\n');
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  const inner = needle.split('\n');
  const endLine = line + inner.length - 1;
  const endColumn = inner.length === 1 ? column + needle.length : inner[inner.length - 1].length + 1;
  return { line, column, endLine, endColumn };
}

function only(text: string): LaunchCommand {
  const { script, problems } = parseLaunchScript(text);
  expect(problems).toEqual([]);
  expect(script.commands).toHaveLength(1);
  return script.commands[0];
}

const pairs = (args: ShellArg[]): Array<[string, string | undefined]> => args.map((a) => [a.flag, a.value]);

describe('OpenCLIP launch script', () => {
  const text = fixture('openclip-h100.sh');
  const cmd = only(text);

  test('launcher, module and arguments in order', () => {
    expect(cmd.launcher).toBe('torchrun');
    expect(cmd.module).toBe('open_clip_train.main');
    expect(cmd.script).toBeUndefined();
    expect(pairs(cmd.launcherArgs)).toEqual([['--nproc_per_node', '4']]);
    expect(pairs(cmd.args)).toEqual([
      ['--train-data', '/data/cc12m/{0000..2175}.tar'],
      ['--train-num-samples', '10968539'],
      ['--dataset-type', 'webdataset'],
      ['--batch-size', '2200'],
      ['--lr', '5e-4'],
      ['--warmup', '10000'],
      ['--epochs', '30'],
      ['--local-loss', undefined],
      ['--gather-with-grad', undefined],
    ]);
  });

  test('exact ranges across `\\` continuations', () => {
    const bs = argValue(cmd, '--batch-size')!;
    expect(bs.flagRange).toEqual({ line: 7, column: 5, endLine: 7, endColumn: 17 });
    expect(bs.valueRange).toEqual({ line: 7, column: 18, endLine: 7, endColumn: 22 });
    // A quoted value's range covers the quotes as written.
    expect(argValue(cmd, '--train-data')!.valueRange).toEqual(rangeOfText(text, "'/data/cc12m/{0000..2175}.tar'"));
    expect(argValue(cmd, '--gather-with-grad')!.flagRange).toEqual({ line: 12, column: 5, endLine: 12, endColumn: 23 });
    expect(cmd.range).toEqual({ line: 3, column: 1, endLine: 12, endColumn: 23 });
  });

  test('world size', () => {
    expect(launcherWorldSize(cmd)).toEqual({
      value: 4,
      how: '--nproc_per_node 4 (--nnodes not set: 1 node)',
      range: { line: 3, column: 10, endLine: 3, endColumn: 26 },
      key: '--nproc_per_node',
    });
  });
});

describe('arguments', () => {
  test('--flag=value splits its range at the `=`', () => {
    const text = 'python train.py --lr=3e-4 --name="my run"\n';
    const cmd = only(text);
    const lr = argValue(cmd, '--lr')!;
    expect(lr.value).toBe('3e-4');
    expect(lr.flagRange).toEqual(rangeOfText(text, '--lr'));
    expect(lr.valueRange).toEqual(rangeOfText(text, '3e-4'));
    expect(argValue(cmd, '--name')).toMatchObject({ value: 'my run', valueRange: rangeOfText(text, '"my run"') });
  });

  test('switches, negative numbers and positional arguments', () => {
    const cmd = only('python train.py data.csv --lr -1e-3 --shift -5 --verbose --fp16 --scale -.5 --flag - out/ -- --not-a-flag\n');
    expect(cmd.script).toBe('train.py');
    expect(pairs(cmd.args)).toEqual([
      ['', 'data.csv'],
      ['--lr', '-1e-3'],
      ['--shift', '-5'],
      ['--verbose', undefined],
      ['--fp16', undefined],
      ['--scale', '-.5'],
      ['--flag', '-'],
      ['', 'out/'],
      ['', '--not-a-flag'],
    ]);
  });

  test('argValue returns the last occurrence among the given spellings', () => {
    const cmd = only('python train.py --lr 1 --learning-rate 2 --lr 3 --epochs 4\n');
    expect(argValue(cmd, '--lr', '--learning-rate')?.value).toBe('3');
    expect(argValue(cmd, '--learning-rate')?.value).toBe('2');
    expect(argValue(cmd, '--warmup')).toBeUndefined();
  });

  test('launcher options stop at the program; python options go to launcherArgs', () => {
    const cmd = only('python3 -u -W ignore -m pkg.train --epochs 3\n');
    expect(cmd).toMatchObject({ launcher: 'python', module: 'pkg.train' });
    expect(pairs(cmd.launcherArgs)).toEqual([
      ['-u', undefined],
      ['-W', 'ignore'],
    ]);
    expect(pairs(cmd.args)).toEqual([['--epochs', '3']]);
  });
});

describe('variables', () => {
  test('$VAR, ${VAR}, ${VAR:-default} and unknown references', () => {
    const text = [
      'LR=3e-4',
      'export EPOCHS=10',
      'BS=$((4 * 8))',
      'OUT="${ROOT:-/ckpt}/run1"',
      'python train.py --lr $LR --epochs ${EPOCHS} --warmup ${WARMUP:-500} --bs $BS --out $OUT --data $1 --nodes "${NNODES}"',
      '',
    ].join('\n');
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    expect(script.variables.map((v) => [v.name, v.value])).toEqual([
      ['LR', '3e-4'],
      ['EPOCHS', '10'],
      // Arithmetic expansion with known operands is computed (shell-arith.ts).
      ['BS', '32'],
      ['OUT', '/ckpt/run1'],
    ]);
    expect(script.variables[1].range).toEqual(rangeOfText(text, 'EPOCHS=10'));
    const cmd = script.commands[0];
    expect(pairs(cmd.args)).toEqual([
      ['--lr', '3e-4'],
      ['--epochs', '10'],
      ['--warmup', '500'],
      ['--bs', '32'],
      ['--out', '/ckpt/run1'],
      ['--data', '$1'],
      ['--nodes', '$NNODES'],
    ]);
    const lr = argValue(cmd, '--lr')!;
    expect(lr.viaVariable).toBe('LR');
    expect(lr.flagRange).toEqual(rangeOfText(text, '--lr'));
    // The value points at the assignment, where it would be changed.
    expect(lr.valueRange).toEqual(rangeOfText(text, '3e-4'));
    // A default is literal text in the command: it points at the reference.
    expect(argValue(cmd, '--warmup')!.valueRange).toEqual(rangeOfText(text, '${WARMUP:-500}'));
    expect(argValue(cmd, '--data')!.valueRange).toEqual(rangeOfText(text, '$1'));
  });

  test('a multi-line quoted ARGS string expands into flags located in the assignment', () => {
    const text = [
      '#!/bin/bash',
      'ARGS="',
      '  --lr 1e-3',
      '  --batch-size 4',
      '"',
      'torchrun --nproc_per_node 2 train.py $ARGS --epochs 3',
      'python eval.py "$ARGS"',
      '',
    ].join('\n');
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    expect(script.variables).toEqual([
      { name: 'ARGS', value: '\n  --lr 1e-3\n  --batch-size 4\n', range: { line: 2, column: 1, endLine: 5, endColumn: 2 } },
    ]);
    const [train, evalCmd] = script.commands;
    expect(pairs(train.args)).toEqual([
      ['--lr', '1e-3'],
      ['--batch-size', '4'],
      ['--epochs', '3'],
    ]);
    const bs = argValue(train, '--batch-size')!;
    expect(bs.viaVariable).toBe('ARGS');
    expect(bs.flagRange).toEqual({ line: 4, column: 3, endLine: 4, endColumn: 15 });
    expect(bs.valueRange).toEqual({ line: 4, column: 16, endLine: 4, endColumn: 17 });
    expect(argValue(train, '--epochs')!.viaVariable).toBeUndefined();
    // Quoted, the variable is one word: bash passes it as a single positional argument.
    expect(pairs(evalCmd.args)).toEqual([['', '\n  --lr 1e-3\n  --batch-size 4\n']]);
  });

  test('flags a variable gives another point where they are written, in the first one', () => {
    const text = 'BASE="--lr 1"\nARGS="$BASE --epochs 2"\npython t.py $ARGS\n';
    const cmd = parseLaunchScript(text).script.commands[0];
    expect(pairs(cmd.args)).toEqual([
      ['--lr', '1'],
      ['--epochs', '2'],
    ]);
    expect(argValue(cmd, '--lr')!.flagRange).toEqual(rangeOfText(text, '--lr'));
    expect(argValue(cmd, '--epochs')!.flagRange).toEqual(rangeOfText(text, '--epochs'));
  });

  test('variables are expanded in script order', () => {
    const { script } = parseLaunchScript('N=1\npython a.py --n $N\nN=2; python b.py --n $N\nA=1 B=$A\n');
    expect(script.commands.map((c) => argValue(c, '--n')?.value)).toEqual(['1', '2']);
    expect(script.variables.map((v) => `${v.name}=${v.value}`)).toEqual(['N=1', 'N=2', 'A=1', 'B=1']);
  });

  test("the environment a script starts with: its defaults give way, its own assignments win, its commands see it", () => {
    const text = ['NGPU=${NGPU:-"8"}', 'torchrun --nproc_per_node=${NGPU} train.py --lr ${LR:-1e-4} --out "$OUT"', 'NGPU=2', 'torchrun --nproc_per_node=$NGPU train.py', ''].join('\n');
    const env: [string, string][] = [
      ['NGPU', '4'],
      ['LR', '3e-4'],
      ['OUT', '/ckpt/a b'],
    ];
    const { script, problems } = parseLaunchScript(text, undefined, env);
    expect(problems).toEqual([]);
    expect(script.commands.map((c) => launcherWorldSize(c)?.value)).toEqual([4, 2]);
    expect(argValue(script.commands[0], '--lr')?.value).toBe('3e-4');
    expect(argValue(script.commands[0], '--out')?.value).toBe('/ckpt/a b');
    // Without it, the defaults.
    const alone = parseLaunchScript(text).script;
    expect(alone.commands.map((c) => launcherWorldSize(c)?.value)).toEqual([8, 2]);
    expect(argValue(alone.commands[0], '--lr')?.value).toBe('1e-4');
    // Names that are not variable names are ignored.
    expect(parseLaunchScript(text, undefined, [['1NGPU', '4'], ['N-GPU', '4']]).script.commands.map((c) => launcherWorldSize(c)?.value)).toEqual([8, 2]);
  });

  test("a script's arguments, when given: $1, ${2:-default}, shift; without them they stay as written", () => {
    const text = ['CONFIG=$1', 'NGPU=${2:-8}', 'shift', 'torchrun --nproc_per_node $NGPU train.py --config $CONFIG --next $1 --gone "${2}"', 'shift $N', 'python b.py --x $1', ''].join('\n');
    const bound = parseLaunchScript(text, undefined, [], ['configs/a.yaml', '4']).script;
    expect(launcherWorldSize(bound.commands[0])?.value).toBe(4);
    expect(argValue(bound.commands[0], '--config')?.value).toBe('configs/a.yaml');
    expect(argValue(bound.commands[0], '--next')?.value).toBe('4');
    // Past the last argument: as written (unknown), not empty.
    expect(argValue(bound.commands[0], '--gone')?.value).toBe('$2');
    // A shift by an unknown count: every argument unknown.
    expect(argValue(bound.commands[1], '--x')?.value).toBe('$1');
    const defaults = parseLaunchScript(text, undefined, [], ['configs/a.yaml']).script;
    expect(launcherWorldSize(defaults.commands[0])?.value).toBe(8);
    // In a function body `$1` and `shift` are the function's own.
    const fn = ['run() {', '  shift', '  torchrun --nproc_per_node 2 train.py --config $1', '}', 'run x configs/b.yaml', 'python c.py --config $1', ''].join('\n');
    const inFunction = parseLaunchScript(fn, undefined, [], ['configs/a.yaml']).script;
    expect(inFunction.commands.map((c) => argValue(c, '--config')?.value)).toEqual(['$1', 'configs/a.yaml']);
    const unbound = parseLaunchScript(text).script;
    expect(argValue(unbound.commands[0], '--config')?.value).toBe('$1');
    expect(launcherWorldSize(unbound.commands[0])?.value).toBeUndefined();
  });

  test('"$@" with the arguments given: each argument a word of the command, written where "$@" is; not handed on any more', () => {
    const text = ['CONFIG=$1', 'shift', 'torchrun --nproc_per_node 4 train.py --config "$CONFIG" "$@"', 'shift $N', 'python eval.py "$@"', ''].join('\n');
    const bound = parseLaunchScript(text, undefined, [], ['configs/a.yaml', '--learning_rate', '3e-4', 'run name']).script;
    const train = bound.commands[0];
    expect(argValue(train, '--learning_rate')?.value).toBe('3e-4');
    // An argument with a space stays one word, as "$@" gives it.
    expect(train.args.filter((a) => a.flag === '').map((a) => a.value)).toEqual(['run name']);
    expect(argValue(train, '--learning_rate')?.flagRange).toEqual({ line: 3, column: 57, endLine: 3, endColumn: 61 });
    expect(train.forwardsArgs).toBeUndefined();
    // After a shift by an unknown count the arguments are not known: "$@" is handed on, as without them.
    expect(bound.commands[1].forwardsArgs).toBeDefined();
    // No arguments: "$@" is no word at all.
    const none = parseLaunchScript(text, undefined, [], ['configs/a.yaml']).script.commands[0];
    expect(none.args.map((a) => a.flag || a.value)).toEqual(['--config']);
    expect(none.forwardsArgs).toBeUndefined();
    // Not given: handed on (the plan stays overridable).
    expect(parseLaunchScript(text).script.commands[0].forwardsArgs).toBeDefined();
    // In a function body "$@" is the function's own.
    const fn = parseLaunchScript('run() {\n  torchrun --nproc_per_node 2 train.py "$@"\n}\nrun --config configs/b.yaml\n', undefined, [], ['--x', '1']).script;
    expect(fn.commands.every((c) => argValue(c, '--x') === undefined)).toBe(true);
  });

  test('env prefixes belong to the command, not to the script', () => {
    const text = 'CUDA_VISIBLE_DEVICES=0,1 OMP_NUM_THREADS=4 torchrun --nproc-per-node=2 train.py --lr 1\n';
    const { script } = parseLaunchScript(text);
    expect(script.variables).toEqual([]);
    const cmd = script.commands[0];
    expect(cmd).toMatchObject({ launcher: 'torchrun', script: 'train.py' });
    expect(cmd.range.column).toBe(1);
    expect(launcherWorldSize(cmd)).toMatchObject({ value: 2, key: '--nproc-per-node' });
    expect(launcherWorldSize(cmd)!.range).toEqual(rangeOfText(text, '--nproc-per-node'));
  });

  test('bash arrays (Megatron-LM style)', () => {
    const text = fixture('megatron-gpt.sh');
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    expect(script.commands).toHaveLength(1);
    const cmd = script.commands[0];
    expect(cmd).toMatchObject({ launcher: 'torchrun', script: 'pretrain_gpt.py' });
    expect(pairs(cmd.launcherArgs)).toEqual([
      ['--nproc_per_node', '8'],
      ['--nnodes', '2'],
      ['--master_addr', 'localhost'],
      ['--master_port', '6000'],
    ]);
    expect(argValue(cmd, '--global-batch-size')).toMatchObject({
      value: '512',
      viaVariable: 'TRAINING_ARGS',
      flagRange: rangeOfText(text, '--global-batch-size'),
      valueRange: rangeOfText(text, '512'),
    });
    expect(argValue(cmd, '--save')!.value).toBe('$1');
    expect(argValue(cmd, '--bf16')!.value).toBeUndefined();
    expect(launcherWorldSize(cmd)).toMatchObject({ value: 16, how: '--nproc_per_node 8 × --nnodes 2' });
    expect(launcherWorldSize(cmd)!.range).toEqual(rangeOfText(text, '--nproc_per_node'));
  });
});

describe('world size by launcher', () => {
  const world = (line: string) => {
    const { script } = parseLaunchScript(line + '\n');
    expect(script.commands).toHaveLength(1);
    return launcherWorldSize(script.commands[0]);
  };

  test('torchrun', () => {
    expect(world('torchrun --nnodes 2 --nproc_per_node 8 train.py')).toMatchObject({ value: 16, how: '--nproc_per_node 8 × --nnodes 2' });
    expect(world('torchrun --nnodes=2:2 --nproc_per_node=8 train.py')?.value).toBe(16);
    expect(world('torchrun --nnodes 1:4 --nproc_per_node 8 train.py')).toBeUndefined();
    expect(world('torchrun --nproc_per_node gpu train.py')).toBeUndefined();
    expect(world('torchrun --nproc_per_node auto train.py')).toBeUndefined();
    expect(world('torchrun --nproc_per_node 8 --nnodes $NNODES train.py')).toBeUndefined();
    expect(world('torchrun --standalone train.py')).toMatchObject({ value: 1, key: '--nproc_per_node' });
    expect(world('python -m torch.distributed.run --nproc_per_node 4 --nnodes 2 -m pkg.main')).toMatchObject({ value: 8 });
  });

  test('python -m torch.distributed.launch is torchrun', () => {
    const { script } = parseLaunchScript('python -m torch.distributed.launch --nproc_per_node=8 --use_env train.py --cfg a.yaml\n');
    const cmd = script.commands[0];
    expect(cmd).toMatchObject({ launcher: 'torchrun', script: 'train.py' });
    expect(pairs(cmd.args)).toEqual([['--cfg', 'a.yaml']]);
    expect(launcherWorldSize(cmd)?.value).toBe(8);
  });

  test('accelerate launch', () => {
    const { script } = parseLaunchScript('accelerate launch --multi_gpu --num_processes 16 --num_machines 2 train.py --bs 4\n');
    const cmd = script.commands[0];
    expect(cmd).toMatchObject({ launcher: 'accelerate', script: 'train.py' });
    expect(pairs(cmd.launcherArgs)).toEqual([
      ['--multi_gpu', undefined],
      ['--num_processes', '16'],
      ['--num_machines', '2'],
    ]);
    expect(launcherWorldSize(cmd)).toMatchObject({ value: 16, key: '--num_processes' });
    expect(world('accelerate launch --config_file cfg.yaml -m pkg.train')).toBeUndefined();
  });

  test('deepspeed', () => {
    expect(world('deepspeed --num_gpus 8 --num_nodes 2 train.py --deepspeed ds.json')).toMatchObject({ value: 16, how: '--num_gpus 8 × --num_nodes 2' });
    expect(world('deepspeed --num_gpus=4 train.py')?.value).toBe(4);
    expect(world('deepspeed --include localhost:0,1,2 train.py')?.value).toBe(3);
    expect(world('deepspeed --hostfile hosts --num_gpus 8 train.py')).toBeUndefined();
    expect(world('deepspeed train.py')).toBeUndefined();
  });

  test('plain python is one process', () => {
    expect(world('python train.py --bs 8')).toMatchObject({ value: 1, key: 'python' });
  });

  test('srun', () => {
    expect(world('srun --ntasks=16 python train.py')).toMatchObject({ value: 16, key: '--ntasks' });
    expect(world('srun -n8 python train.py')).toMatchObject({ value: 8, key: '-n' });
    expect(world('srun --nodes 2 --ntasks-per-node 4 python train.py')).toMatchObject({ value: 8, how: '--nodes 2 × --ntasks-per-node 4' });
    expect(world('srun --nodes 2 python train.py')).toBeUndefined();
    // The inner torchrun decides.
    expect(world('srun --nodes=2 --ntasks=2 torchrun --nnodes 2 --nproc_per_node 8 train.py')).toMatchObject({ value: 16 });
  });
});

describe('srun nesting', () => {
  test('srun options stay in launcherArgs; the inner launcher decides', () => {
    const text = fixture('slurm-srun.sh');
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    expect(script.variables.map((v) => v.name)).toEqual(['MASTER_PORT', 'OMP_NUM_THREADS', 'NCCL_DEBUG']);
    expect(script.commands).toHaveLength(1);
    const cmd = script.commands[0];
    expect(cmd).toMatchObject({ launcher: 'srun', module: 'open_clip_train.main' });
    expect(pairs(cmd.launcherArgs)).toEqual([
      ['--nodes', '4'],
      ['--ntasks-per-node', '8'],
      ['--cpu_bind', 'v'],
      ['--accel-bind', 'gn'],
      ['-u', undefined],
    ]);
    expect(argValue(cmd, '--batch-size')).toMatchObject({ value: '256', valueRange: rangeOfText(text, '256') });
    expect(argValue(cmd, '--train-data')!.value).toBe('/data/laion400m/{00000..41455}.tar');
    expect(argValue(cmd, '--name')!.value).toBe('ViT-B-32-Vanilla');
    // `2>&1 | tee` is not part of the command.
    expect(cmd.args[cmd.args.length - 1].flag).toBe('--gather-with-grad');
    expect(cmd.range.endLine).toBe(text.split('\n').length - 1);
    expect(launcherWorldSize(cmd)).toMatchObject({ value: 32 });
  });

  test('srun with torchrun inside', () => {
    const cmd = only('srun --nodes=2 --gres=gpu:8 torchrun --nnodes 2 --nproc_per_node 8 -m pkg.main --lr 1\n');
    expect(cmd).toMatchObject({ launcher: 'torchrun', module: 'pkg.main' });
    expect(pairs(cmd.launcherArgs)).toEqual([
      ['--nodes', '2'],
      ['--gres', 'gpu:8'],
      ['--nnodes', '2'],
      ['--nproc_per_node', '8'],
    ]);
    expect(pairs(cmd.args)).toEqual([['--lr', '1']]);
  });

  test('srun of something that is not a launcher is ignored', () => {
    expect(parseLaunchScript('srun --ntasks 4 hostname\nsrun bash -c "echo hi"\n').script.commands).toEqual([]);
  });
});

describe('statements and operators', () => {
  test('&& chains, ; lists, pipes and background jobs', () => {
    const text = 'cd /work && mkdir -p out && python a.py --x 1 || echo failed; python b.py --y 2 | tee log & wait\n';
    const { script } = parseLaunchScript(text);
    expect(script.commands.map((c) => [c.script, pairs(c.args)])).toEqual([
      ['a.py', [['--x', '1']]],
      ['b.py', [['--y', '2']]],
    ]);
    expect(script.commands[0].range).toEqual(rangeOfText(text, 'python a.py --x 1'));
  });

  test('non-launcher commands are skipped; wrappers are looked through', () => {
    const { script } = parseLaunchScript('echo start\nexport A\nnohup python train.py > out.log 2>&1 &\nif true; then torchrun -m m; fi\n');
    expect(script.commands.map((c) => [c.launcher, c.script ?? c.module, c.args.length])).toEqual([
      ['python', 'train.py', 0],
      ['torchrun', 'm', 0],
    ]);
  });

  test('comments, #SBATCH lines and a `\\` inside a comment', () => {
    const text = '#SBATCH --nodes=2 \\\n# --lr 5 \\\npython train.py --lr 1 # --lr 2 \\\n# tail\n';
    const cmd = only(text);
    expect(pairs(cmd.args)).toEqual([['--lr', '1']]);
  });

  test('a comment inside a continued command ends it, as in bash', () => {
    const text = 'torchrun --nproc_per_node 2 train.py \\\n  --lr 1 \\\n  # --warmup 10 \\\n  --epochs 3\n';
    const { script, problems } = parseLaunchScript(text);
    expect(pairs(script.commands[0].args)).toEqual([['--lr', '1']]);
    expect(problems).toHaveLength(1);
    expect(problems[0].range).toEqual(rangeOfText(text, '# --warmup 10 \\'));
  });

  test('a mid-word # is not a comment', () => {
    expect(pairs(only('python t.py --name run#1 --tag a#b\n').args)).toEqual([
      ['--name', 'run#1'],
      ['--tag', 'a#b'],
    ]);
  });

  test('command substitutions are kept as written', () => {
    const text = 'NGPU=$(nvidia-smi -L | wc -l)\ntorchrun --nproc_per_node=$NGPU --master_port `shuf -i 20000-30000 -n 1` train.py --seed "$(date +%s)"\n';
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    expect(script.variables[0].value).toBe('$(nvidia-smi -L | wc -l)');
    const cmd = script.commands[0];
    expect(pairs(cmd.launcherArgs)).toEqual([
      ['--nproc_per_node', '$(nvidia-smi -L | wc -l)'],
      ['--master_port', '`shuf -i 20000-30000 -n 1`'],
    ]);
    expect(argValue(cmd, '--seed')!.value).toBe('$(date +%s)');
    expect(launcherWorldSize(cmd)).toBeUndefined();
  });

  test('heredoc bodies are not read as commands', () => {
    const text = "cat > cfg.yaml <<'EOF'\nname: don't\npython not_a_command.py\nEOF\npython train.py --cfg cfg.yaml\n";
    const cmd = only(text);
    expect(cmd.script).toBe('train.py');
    expect(cmd.range.line).toBe(5);
  });

  test('CRLF line endings', () => {
    const cmd = only('python train.py \\\r\n  --lr 1\r\n');
    expect(pairs(cmd.args)).toEqual([['--lr', '1']]);
  });
});

describe('problems and robustness', () => {
  test('an unterminated quote is reported where it opens; later lines still parse', () => {
    const text = 'echo "oops\npython train.py --lr 1\n';
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([{ message: expect.stringContaining('unterminated double quote'), range: rangeOfText(text, '"') }]);
    expect(script.commands.map((c) => c.script)).toEqual(['train.py']);
  });

  test('bad input yields problems, never exceptions', () => {
    for (const text of ['', '\\', '"', "'", '$(', '`', '${}', 'python t.py ${}', 'A=(', 'python -m', 'torchrun', 'srun', 'accelerate launch', '<<', 'x <<EOF']) {
      expect(() => parseLaunchScript(text)).not.toThrow();
    }
    expect(parseLaunchScript('python t.py --x ${}\n').problems).toHaveLength(1);
    expect(parseLaunchScript('torchrun $(nproc\n').problems[0].message).toMatch(/command substitution/);
  });

  test('random strings do not throw', () => {
    const alphabet = ' \t\n\\\'"$`#(){}[]|&;<>=-_:.,/*?!@0123456789abcmnptxyzEOF';
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const words = ['torchrun ', 'python ', 'srun ', '--lr ', '-m ', 'x.py ', '$A ', '${A:-', 'A=', '<<EOF\n', '\\\n', '"', "'"];
    for (let i = 0; i < 400; i++) {
      let s = '';
      const len = rand(120);
      for (let j = 0; j < len; j++) s += rand(4) === 0 ? words[rand(words.length)] : alphabet[rand(alphabet.length)];
      const result = parseLaunchScript(s);
      for (const cmd of result.script.commands) expect(() => launcherWorldSize(cmd)).not.toThrow();
    }
  });

  test('a 2,000-line script parses in time linear in its length', () => {
    const script = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        lines.push(`# step ${i}`, `LR_${i}=1e-${i % 5}`, `ARGS_${i}="--lr $LR_${i} --seed ${i}"`, `torchrun --nproc_per_node 8 train.py $ARGS_${i} \\`, `    --epochs ${i}`);
      }
      return lines.join('\n');
    };
    // A ratio within one run, not a wall-time limit (helpers/scaling.ts).
    expectLinear(script, parseLaunchScript, 400);
    const { script: parsed, problems } = parseLaunchScript(script(400));
    expect(problems).toEqual([]);
    expect(parsed.commands).toHaveLength(400);
    expect(argValue(parsed.commands[399], '--seed')?.value).toBe('399');
  });
});

describe('arithmetic expansion and forwarded arguments (verl script shapes)', () => {
  const text = [
    '#!/bin/bash',
    'NNODES=${NNODES:-8}',
    'train_prompt_bsz=512',
    'n_resp_per_prompt=16',
    'train_prompt_mini_bsz=32',
    'max_prompt_length=$((1024 * 2))',
    'max_response_length=$((1024 * 20))',
    'actor_ppo_max_token_len=$(( (max_prompt_length + max_response_length) * 2 ))',
    'gen_bsz=$((train_prompt_bsz * 3))',
    'python3 -m verl.trainer.main_ppo \\',
    '    data.train_batch_size=${train_prompt_bsz} \\',
    '    data.gen_batch_size=${gen_bsz} \\',
    '    data.max_prompt_length=${max_prompt_length} \\',
    '    actor_rollout_ref.actor.ppo_max_token_len_per_gpu=${actor_ppo_max_token_len} \\',
    '    actor_rollout_ref.rollout.n=$n_resp_per_prompt \\',
    '    trainer.nnodes="${NNODES}" \\',
    '    trainer.n_gpus_per_node=$((4 * 2)) "$@"',
    '',
  ].join('\n');

  test('$((…)) with literals and script variables is computed; ${X:-default} gives the default', () => {
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    const vars = Object.fromEntries(script.variables.map((v) => [v.name, v.value]));
    expect(vars).toMatchObject({ NNODES: '8', max_prompt_length: '2048', max_response_length: '20480', actor_ppo_max_token_len: '45056', gen_bsz: '1536' });
    const cmd = script.commands[0];
    expect(cmd.module).toBe('verl.trainer.main_ppo');
    expect(cmd.args.map((a) => a.value)).toEqual([
      'data.train_batch_size=512',
      'data.gen_batch_size=1536',
      'data.max_prompt_length=2048',
      'actor_rollout_ref.actor.ppo_max_token_len_per_gpu=45056',
      'actor_rollout_ref.rollout.n=16',
      'trainer.nnodes=8',
      'trainer.n_gpus_per_node=8',
      '$@',
    ]);
  });

  test('a key=value word knows where its key and value are written', () => {
    const cmd = only(text);
    const bsz = cmd.args[0];
    expect(bsz.assignment?.keyRange).toEqual(rangeOfText(text, 'data.train_batch_size'));
    // The value came from $train_prompt_bsz: it points at the assignment, where it is changed.
    expect(bsz.assignment?.valueRange).toEqual(rangeOfText(text, '512'));
    const gpus = cmd.args[6];
    expect(gpus.assignment?.valueRange).toEqual(rangeOfText(text, '$((4 * 2))'));
  });

  test('"$@" at the end marks the command as forwarding the script\'s arguments', () => {
    const cmd = only(text);
    expect(cmd.forwardsArgs).toEqual(rangeOfText(text, '"$@"'));
    expect(only('python3 -m verl.trainer.main_ppo a=1 $*\n').forwardsArgs).toBeDefined();
    expect(only('python3 -m verl.trainer.main_ppo a=1 ${@:2}\n').forwardsArgs).toBeDefined();
    expect(only('python3 -m verl.trainer.main_ppo a=1\n').forwardsArgs).toBeUndefined();
  });

  test('unknown operands, assignments and division by zero stay as written', () => {
    const cmd = only('A=$((UNSET * 2))\nB=$((x += 1))\nC=$((1 / 0))\nD=$(echo $((2*3)))\npython3 train.py --a $A --b $B --c $C --d "$D"\n');
    expect(pairs(cmd.args)).toEqual([
      ['--a', '$((UNSET * 2))'],
      ['--b', '$((x += 1))'],
      ['--c', '$((1 / 0))'],
      ['--d', '$(echo $((2*3)))'],
    ]);
  });
});

describe('launch wrappers: OpenMMLab tools/dist_train.sh and tools/slurm_train.sh', () => {
  const world = (text: string) => {
    const { script, problems } = parseLaunchScript(text);
    expect(problems).toEqual([]);
    expect(script.commands).toHaveLength(1);
    return { cmd: script.commands[0], world: launcherWorldSize(script.commands[0]) };
  };

  test('dist_train.sh CONFIG GPUS args: torchrun on GPUS processes running tools/train.py CONFIG args', () => {
    for (const line of ['bash tools/dist_train.sh configs/resnet/swin-tiny_16xb64_in1k.py 4 --amp', './tools/dist_train.sh configs/resnet/swin-tiny_16xb64_in1k.py 4 --amp', 'sh ./tools/dist_train.sh configs/resnet/swin-tiny_16xb64_in1k.py 4 --amp']) {
      const { cmd, world: w } = world(line + '\n');
      expect(cmd).toMatchObject({ launcher: 'torchrun', cli: 'dist_train.sh' });
      expect(cmd.script).toMatch(/^(?:\.\/)?tools\/train\.py$/);
      expect(pairs(cmd.args)).toEqual([['', 'configs/resnet/swin-tiny_16xb64_in1k.py'], ['--amp', undefined]]);
      expect(w).toMatchObject({ value: 4, key: 'dist_train.sh', how: 'dist_train.sh GPUS 4 (NNODES not set: 1 node)' });
    }
  });

  test('the config and GPU count through script variables, as OpenMMLab READMEs write them', () => {
    const text = '#!/usr/bin/env bash\nCONFIG=configs/resnet/swin-tiny_16xb64_in1k.py\nGPUS=4\nbash tools/dist_train.sh ${CONFIG} ${GPUS} --auto-scale-lr\n';
    const { cmd, world: w } = world(text);
    expect(pairs(cmd.args)).toEqual([['', 'configs/resnet/swin-tiny_16xb64_in1k.py'], ['--auto-scale-lr', undefined]]);
    // The GPU count points at `GPUS=4`, where it is changed.
    expect(w).toMatchObject({ value: 4, range: { ...rangeOfText(text, 'GPUS=4'), column: 6 } });
  });

  test('NNODES: the command\'s own, an exported variable, `set -a`; a variable the script does not export is unknown', () => {
    const cfg = 'configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py';
    expect(world(`NNODES=2 NODE_RANK=0 bash tools/dist_train.sh ${cfg} 8\n`).world).toMatchObject({ value: 16, how: 'dist_train.sh GPUS 8 × NNODES=2' });
    expect(world(`env NNODES=2 bash tools/dist_train.sh ${cfg} 8\n`).world?.value).toBe(16);
    expect(world(`export NNODES=3\nbash tools/dist_train.sh ${cfg} 8\n`).world?.value).toBe(24);
    expect(world(`NNODES=3\nexport NNODES\nbash tools/dist_train.sh ${cfg} 8\n`).world?.value).toBe(24);
    expect(world(`set -a\nNNODES=2\nset +a\nbash tools/dist_train.sh ${cfg} 8\n`).world?.value).toBe(16);
    // Not exported: the wrapper sees NNODES only if the caller's environment had it.
    expect(world(`NNODES=2\nbash tools/dist_train.sh ${cfg} 8\n`).world).toBeUndefined();
    expect(world(`bash tools/dist_train.sh ${cfg} $GPUS\n`).world).toBeUndefined();
  });

  test('other argument orders are not the OpenMMLab wrapper', () => {
    const { script } = parseLaunchScript('bash tools/dist_train.sh 8 2 configs/x.py\nbash tools/dist_train.sh --help\n');
    expect(script.commands).toEqual([]);
  });

  test('slurm_train.sh PARTITION JOB CONFIG WORK_DIR args: srun --ntasks=$GPUS (default 8) of tools/train.py CONFIG args', () => {
    const line = './tools/slurm_train.sh dev swin configs/resnet/swin-tiny_16xb64_in1k.py work_dirs/swin --cfg-options randomness.seed=0\n';
    const { cmd, world: w } = world(line);
    expect(cmd).toMatchObject({ launcher: 'srun', cli: 'slurm_train.sh', script: 'tools/train.py' });
    expect(pairs(cmd.args)).toEqual([['', 'configs/resnet/swin-tiny_16xb64_in1k.py'], ['--cfg-options', 'randomness.seed=0']]);
    expect(w).toMatchObject({ value: 8, how: 'GPUS not set: slurm_train.sh runs srun --ntasks=8' });
    expect(world(`GPUS=16 GPUS_PER_NODE=8 ${line}`).world).toMatchObject({ value: 16, key: 'GPUS', how: 'GPUS=16 (slurm_train.sh runs srun --ntasks=$GPUS)' });
    expect(world(`GPUS=4 SRUN_ARGS="--quotatype=auto" ${line}`).world?.value).toBe(4);
    expect(world(`GPUS=4 SRUN_ARGS="--ntasks=2" ${line}`).world).toBeUndefined();
    expect(world(`GPUS=$N ${line}`).world).toBeUndefined();
  });
});

describe('GPT-NeoX deepy.py', () => {
  test('deepy.py USER_SCRIPT [-d DIR] CONFIG…: the process count is not on the command (launcher none)', () => {
    for (const line of ['python ./deepy.py train.py -d configs 125M.yml local_setup.yml', './deepy.py train.py -d configs 125M.yml local_setup.yml', 'python3 deepy.py train.py --conf_dir=configs 125M.yml local_setup.yml']) {
      const cmd = only(line + '\n');
      expect(cmd).toMatchObject({ launcher: 'none', cli: 'deepy.py', script: 'train.py', launcherArgs: [] });
      expect(cmd.args.filter((a) => a.flag === '').map((a) => a.value)).toEqual(['125M.yml', 'local_setup.yml']);
      expect(launcherWorldSize(cmd)).toBeUndefined();
    }
  });
});

describe('substitutions that print nothing', () => {
  test('a comment in backticks inside a continued command adds no argument (bash runs nothing there)', () => {
    const cmd = only(
      ['python3 -m verl.trainer.main_ppo \\', '    data.train_batch_size=256 \\', '    `# the rollout settings` \\', '    actor_rollout_ref.rollout.n=5 \\', '    `` $( ) \\', '    trainer.n_gpus_per_node=8', ''].join('\n'),
    );
    expect(cmd.args.map((a) => a.value)).toEqual(['data.train_batch_size=256', 'actor_rollout_ref.rollout.n=5', 'trainer.n_gpus_per_node=8']);
  });

  test('a substitution that runs something stays (its value unknown); `$( # … )` is not taken for silent', () => {
    const cmd = only('torchrun --nproc_per_node `nproc` train.py --lr $(cat lr.txt) --tag "$(date)"\n');
    expect(cmd.args.map((a) => a.flag)).toEqual(['--lr', '--tag']);
    expect(cmd.launcherArgs[0].value).toContain('nproc');
    const commented = only('python train.py --tag $( # a note\n) --lr 1\n');
    expect(commented.args.some((a) => a.flag === '--tag')).toBe(true);
  });
});
