import type { LaunchCommand } from '../src/engine/launch.js';
import { launcherWorldSize, parseLaunchScript } from '../src/engine/load/shell.js';
import { expectLinear } from './helpers/scaling';

/** The launch commands of a script, which must read without problems. */
function commands(text: string): LaunchCommand[] {
  const { script, problems } = parseLaunchScript(text);
  expect(problems).toEqual([]);
  return script.commands;
}

const world = (cmd: LaunchCommand): number | undefined => launcherWorldSize(cmd)?.value;
const dirs = (text: string): string[] => (parseLaunchScript(text).script.directoryChanges ?? []).map((d) => d.dir);

describe('variables assigned on branches', () => {
  test('if/else under #SBATCH: NNODES differs between the branches, so it is unknown after fi', () => {
    const text = [
      '#!/bin/bash',
      '#SBATCH --nodes=2',
      '#SBATCH --gpus-per-node=8',
      'if [ -n "$SLURM_JOB_ID" ]; then',
      '  NNODES=$SLURM_NNODES',
      'else',
      '  NNODES=1',
      'fi',
      'srun torchrun --nnodes $NNODES --nproc_per_node 8 train.py configs/sft.yaml',
      '',
    ].join('\n');
    const [cmd] = commands(text);
    expect(cmd.launcherArgs.find((a) => a.flag === '--nnodes')?.value).toBe('$NNODES');
    expect(world(cmd)).toBeUndefined();
  });

  test('case arms: NGPU is 8 or 64 depending on the size argument', () => {
    const text = ['SIZE=${1:-7b}', 'case "$SIZE" in', '  7b)  NGPU=8 ;;', '  70b) NGPU=64 ;;', 'esac', 'torchrun --nproc_per_node $NGPU train.py configs/j.yaml', ''].join('\n');
    expect(world(commands(text)[0])).toBeUndefined();
  });

  test('the same value on every branch (an else, a `*)` arm) is kept', () => {
    const ifElse = 'if [ -f /etc/a ]; then N=4; else N=4; fi\ntorchrun --nproc_per_node $N train.py\n';
    expect(world(commands(ifElse)[0])).toBe(4);
    const arms = 'case $X in\n  a|b) N=2 ;;\n  *) N=2 ;;\nesac\ntorchrun --nproc_per_node $N train.py\n';
    expect(world(commands(arms)[0])).toBe(2);
  });

  test('an if without else may leave the earlier value; elif branches count too', () => {
    expect(world(commands('N=8\nif [ "$BIG" = 1 ]; then N=16; fi\ntorchrun --nproc_per_node $N train.py\n')[0])).toBeUndefined();
    expect(world(commands('if [ -f a ]; then N=8\nelif [ -f b ]; then N=16\nelse N=8\nfi\ntorchrun --nproc_per_node $N train.py\n')[0])).toBeUndefined();
  });

  test('inside a branch, the branch value is used', () => {
    const cmds = commands('if [ -n "$X" ]; then\n  N=2\n  torchrun --nproc_per_node $N a.py\nelse\n  N=4\n  torchrun --nproc_per_node $N b.py\nfi\n');
    expect(cmds.map(world)).toEqual([2, 4]);
  });

  test('&& / || chains, loops and function bodies may or may not assign', () => {
    expect(world(commands('N=8\n[ -n "$BIG" ] && N=16\ntorchrun --nproc_per_node $N train.py\n')[0])).toBeUndefined();
    expect(world(commands('N=8\ntest -z "$SMALL" || { N=2; }\ntorchrun --nproc_per_node $N train.py\n')[0])).toBeUndefined();
    expect(world(commands('N=8\nwhile read -r line; do N=$line; done < hosts\ntorchrun --nproc_per_node $N train.py\n')[0])).toBeUndefined();
    expect(world(commands('N=8\nsetup() {\n  N=16\n}\ntorchrun --nproc_per_node $N train.py\n')[0])).toBeUndefined();
    // ${N:-1} of an unknown N is not the default.
    expect(world(commands('if [ -f a ]; then N=2; else N=4; fi\ntorchrun --nproc_per_node ${N:-1} train.py\n')[0])).toBeUndefined();
  });

  test('a loop variable is unknown in the body, whatever it held before', () => {
    const cmds = commands('CFG=configs/i.yaml\nfor CFG in configs/*.yaml; do\n  torchrun --nproc_per_node 2 train.py $CFG\ndone\n');
    expect(cmds[0].args[0].value).toBe('$CFG');
  });
});

describe('exit ends the script', () => {
  test('commands after a top-level exit are not read', () => {
    const text = '#!/bin/bash\ntorchrun --nproc_per_node 8 train.py configs/sft.yaml\nexit 0\n\n# old 16-GPU run\ntorchrun --nnodes 2 --nproc_per_node 8 train.py configs/sft.yaml\n';
    expect(commands(text).map(world)).toEqual([8]);
  });

  test('a conditional exit does not', () => {
    const text = 'cd data || exit 1\nif [ -z "$X" ]; then\n  exit 1\nfi\ncheck() { exit 2; }\ntorchrun --nproc_per_node 8 train.py\n';
    expect(commands(text).map(world)).toEqual([8]);
  });
});

describe('working directory', () => {
  test('a subshell cd does not reach later commands', () => {
    const text = '#!/bin/bash\nset -e\n(cd data && python prepare.py --out train.jsonl)\ntorchrun --nproc_per_node 8 train.py configs/sft.yaml\n';
    const { script } = parseLaunchScript(text);
    // Back at the repository root after the `)`, before torchrun.
    expect(dirs(text)).toEqual(['data', '$(git rev-parse --show-toplevel)']);
    expect(script.directoryChanges![1].range.line).toBeLessThan(script.commands[1].range.line);
  });

  test('popd returns to the directory pushd left, replayed from the root', () => {
    expect(dirs('cd training\npushd data\npython prepare.py\npopd\ntorchrun --nproc_per_node 4 train.py c.yaml\n')).toEqual([
      'training',
      'data',
      '$(git rev-parse --show-toplevel)',
      'training',
    ]);
  });

  test('a folder under $(git rev-parse --show-toplevel) is the root, then the folder', () => {
    expect(dirs('cd "$(git rev-parse --show-toplevel)/training"\ntorchrun --nproc_per_node 16 train.py configs/sft.yaml\n')).toEqual([
      '$(git rev-parse --show-toplevel)',
      'training',
    ]);
    expect(dirs('cd $(git rev-parse --show-toplevel)\n')).toEqual(['$(git rev-parse --show-toplevel)']);
  });

  test('repeated subshells do not grow the directory list', () => {
    const text = Array.from({ length: 50 }, () => '(cd data && python prep.py)').join('\n');
    expect(dirs(text).length).toBe(100);
  });
});

describe('unknown launcher-option words', () => {
  test('torchrun $DIST_ARGS may carry --nnodes', () => {
    const [cmd] = commands('torchrun --nproc_per_node 8 $DIST_ARGS train.py configs/sft.yaml\n');
    expect(cmd.script).toBe('train.py');
    expect(world(cmd)).toBeUndefined();
    // Written after the opaque word, the flags decide.
    expect(world(commands('torchrun $DIST_ARGS --nnodes 2 --nproc_per_node 8 train.py\n')[0])).toBe(16);
  });

  test('deepspeed $LAUNCHER_ARGS, accelerate $ACCEL_ARGS', () => {
    expect(world(commands('deepspeed $LAUNCHER_ARGS --num_gpus 8 train.py --deepspeed configs/ds_z3.json\n')[0])).toBeUndefined();
    expect(world(commands('accelerate launch --num_processes 8 $ACCEL_ARGS train.py\n')[0])).toBeUndefined();
  });
});

describe('accelerate spellings', () => {
  test('python -m accelerate.commands.launch is accelerate launch', () => {
    const [cmd] = commands('python -m accelerate.commands.launch --num_processes 8 --multi_gpu train.py configs/sft.yaml\n');
    expect(cmd.launcher).toBe('accelerate');
    expect(cmd.script).toBe('train.py');
    expect(world(cmd)).toBe(8);
  });

  test('accelerate launch -m is a switch: the module is the program word after the options', () => {
    const text = 'accelerate launch -m \\\n  --config_file accelerate_config.yaml \\\n  --machine_rank 0 \\\n  --num_machines 1 \\\n  --num_processes 2 \\\n  mypkg.train configs/sft.yaml\n';
    const [cmd] = commands(text);
    expect(cmd.module).toBe('mypkg.train');
    expect(cmd.args.map((a) => a.value)).toEqual(['configs/sft.yaml']);
    expect(world(cmd)).toBe(2);
  });

  test('torchrun/deepspeed --module too', () => {
    expect(commands('deepspeed --module --num_gpus 4 openrlhf.cli.train_sft --max_len 2048\n')[0]).toMatchObject({ module: 'openrlhf.cli.train_sft', launcher: 'deepspeed' });
    expect(commands('torchrun --nproc_per_node 2 -m pkg.train\n')[0].module).toBe('pkg.train');
  });
});

describe('exported environment', () => {
  test('export NPROC_PER_NODE reaches swift sft', () => {
    const [cmd] = commands('#!/bin/bash\nexport CUDA_VISIBLE_DEVICES=0,1,2,3\nexport NPROC_PER_NODE=4\nswift sft swift/sft.yaml\n');
    expect(cmd.env).toMatchObject({ NPROC_PER_NODE: '4' });
    expect(world(cmd)).toBe(4);
  });

  test('env NAME=v cmd', () => {
    expect(world(commands('env CUDA_VISIBLE_DEVICES=0,1,2,3 NPROC_PER_NODE=4 swift sft swift2/sft.yaml\n')[0])).toBe(4);
  });

  test('an exported NNODES with NPROC_PER_NODE on the command', () => {
    const text = '#!/bin/bash\nexport NNODES=2\nexport MASTER_ADDR=10.0.0.1\nNPROC_PER_NODE=8 llamafactory-cli train examples/train_full/llama3_full_sft.yaml\n';
    expect(world(commands(text)[0])).toBe(16);
  });

  test('a variable set without export is not in the environment', () => {
    expect(world(commands('NPROC_PER_NODE=4\nswift sft swift/sft.yaml\n')[0])).toBe(1);
  });

  test('after `source`, the launcher environment is unknown rather than unset', () => {
    const [cmd] = commands('#!/bin/bash\nsource "$(dirname "$0")/env_common.sh"\nswift sft swift/sft.yaml\n');
    expect(world(cmd)).toBeUndefined();
    // A virtualenv's activate script sets no launcher variables.
    expect(world(commands('source .venv/bin/activate\nswift sft swift/sft.yaml\n')[0])).toBe(1);
  });
});

describe('cost of conditional commands', () => {
  test('`cond && cmd` lines that assign nothing do not copy the variables: linear in the number of lines, with many variables', () => {
    const script = (n: number) => {
      const lines = ['#!/bin/bash'];
      for (let i = 0; i < n; i++) lines.push(`V${i}=value${i}`);
      for (let i = 0; i < n; i++) lines.push(`[ -f x${i} ] && echo ${i} || true`);
      lines.push('torchrun --nproc_per_node 8 train.py --config a.yaml');
      return `${lines.join('\n')}\n`;
    };
    expectLinear(script, parseLaunchScript, 400);
    const { script: parsed } = parseLaunchScript(script(400));
    expect(launcherWorldSize(parsed.commands[parsed.commands.length - 1])?.value).toBe(8);
  });

  test('a conditional assignment still makes its variable unknown', () => {
    const { script: parsed } = parseLaunchScript('N=8\n[ -n "$SLURM_JOB_ID" ] && N=16\ntorchrun --nproc_per_node $N train.py --config a.yaml\n');
    expect(launcherWorldSize(parsed.commands[0])).toBeUndefined();
  });
});

describe('conditions decided from known values', () => {
  const flags = (cmd: LaunchCommand): string[] => cmd.args.map((a) => a.flag).filter(Boolean);

  test('a test of a variable set earlier picks its branch: the flag added there is kept, the other branch is not read', () => {
    const text = [
      '#!/bin/bash',
      'FP8=1',
      'NNODES=2',
      'ARGS="--micro-batch-size 2"',
      'if [ "$FP8" = "1" ]; then',
      '  ARGS="$ARGS --fp8-format hybrid"',
      'fi',
      'if [[ $NNODES -gt 1 ]]; then',
      '  GPUS=16',
      'else',
      '  GPUS=8',
      '  torchrun --nproc_per_node 1 pretrain_gpt.py $ARGS',
      'fi',
      'torchrun --nproc_per_node 8 --nnodes $NNODES pretrain_gpt.py $ARGS --world $GPUS',
      '',
    ].join('\n');
    const cmds = commands(text);
    expect(cmds).toHaveLength(1);
    expect(flags(cmds[0])).toEqual(['--micro-batch-size', '--fp8-format', '--world']);
    expect(cmds[0].args.find((a) => a.flag === '--world')?.value).toBe('16');
    expect(world(cmds[0])).toBe(16);
  });

  test('a false test skips its branch; elif and else after a taken branch never run', () => {
    const text = 'MODE=prod\nif [ "$MODE" == debug ]; then N=1\nelif [ "$MODE" != prod ]; then N=2\nelif test "$MODE" = prod; then N=8\nelse N=4\nfi\ntorchrun --nproc_per_node $N train.py\n';
    expect(world(commands(text)[0])).toBe(8);
    // Integer tests, negation, -z/-n, true/false.
    expect(world(commands('G=4\nif ! [ $G -lt 8 ]; then N=8; else N=$G; fi\ntorchrun --nproc_per_node $N t.py\n')[0])).toBe(4);
    expect(world(commands('X=\nif [ -z "$X" ]; then N=2; fi\ntorchrun --nproc_per_node ${N:-1} t.py\n')[0])).toBe(2);
    expect(world(commands('if false; then N=2; fi\ntorchrun --nproc_per_node ${N:-3} t.py\n')[0])).toBe(3);
  });

  test('what cannot be decided keeps both ways: unknown variables, file tests, compound conditions, `[[ == pattern ]]` with brackets, `<` in [[ ]]', () => {
    const undecided = [
      'if [ "$UNSET" = 1 ]; then N=2; fi',
      'if [ -f big.flag ]; then N=2; fi',
      'A=1\nif [ "$A" = 1 ] && [ -f x ]; then N=2; fi',
      'A=1\nif [ -f x ]; [ "$A" = 1 ]; then N=2; fi',
      'A=1\nif [[ $A == [12] ]]; then N=2; fi',
      'A=b\nif [[ $A < c ]]; then N=2; fi',
      'A="1 2"\nif [ $A = 1 ]; then N=2; fi',
      'A=$(hostname)\nif [ "$A" = node1 ]; then N=2; fi',
    ];
    for (const head of undecided) expect(world(commands(`${head}\ntorchrun --nproc_per_node \${N:-1} t.py\n`)[0])).toBeUndefined();
  });

  test('`[[ == ]]` matches an unquoted pattern; `[ = ]` compares strings', () => {
    expect(world(commands('H=gpu-node-7\nif [[ $H == gpu-* ]]; then N=8; else N=1; fi\ntorchrun --nproc_per_node $N t.py\n')[0])).toBe(8);
    expect(world(commands('H=gpu-node-7\nif [ "$H" = "gpu-*" ]; then N=8; else N=1; fi\ntorchrun --nproc_per_node $N t.py\n')[0])).toBe(1);
  });

  test('a case on a known word runs the arm that matches, `*` when none does; nothing after a taken arm', () => {
    const script = (size: string) =>
      [`SIZE=${size}`, 'case "$SIZE" in', '  7b|7B) NGPU=8 ;;', '  70b) NGPU=64', '       torchrun --nproc_per_node 1 warmup.py ;;', '  *) NGPU=2 ;;', 'esac', 'torchrun --nproc_per_node $NGPU train.py', ''].join('\n');
    expect(commands(script('7B')).map(world)).toEqual([8]);
    expect(commands(script('70b')).map(world)).toEqual([1, 64]);
    expect(commands(script('13b')).map(world)).toEqual([2]);
    // An unknown word keeps every arm.
    expect(world(commands(script('$1')).at(-1) as LaunchCommand)).toBeUndefined();
    // A fall-through arm (`;&`) leaves the arms undecided.
    expect(world(commands('S=a\ncase $S in\n  a) N=2 ;&\n  b) N=4 ;;\nesac\ntorchrun --nproc_per_node ${N:-1} t.py\n')[0])).toBeUndefined();
  });

  test('a decided branch inside an undecided one is still only a maybe', () => {
    const text = 'A=1\nif [ -f x ]; then\n  if [ "$A" = 1 ]; then N=2; fi\nfi\ntorchrun --nproc_per_node ${N:-1} t.py\n';
    expect(world(commands(text)[0])).toBeUndefined();
    const both = 'A=1\nif [ -f x ]; then\n  if [ "$A" = 1 ]; then N=2; fi\nelse\n  N=2\nfi\ntorchrun --nproc_per_node ${N:-1} t.py\n';
    expect(world(commands(both)[0])).toBe(2);
  });
});
