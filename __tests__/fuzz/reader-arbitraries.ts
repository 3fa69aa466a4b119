/**
 * Hostile-input generators for the readers added after issue #14 (issues #10 and #11: "each new
 * reader is added to the reliability issue's fuzz suite"): static Python configs, `_base_`/`_BASE_`
 * inheritance, Hydra composition, overrides and interpolations, bash arithmetic, SLURM headers,
 * `yolo` commands and `model.train(…)` calls, flat argument files (sd-scripts, timm), and the
 * dataset files whose rows are counted. Each generates a small repository, as in arbitraries.ts
 * (the runner adds `good.yaml`); injection attempts for these readers are in arbitraries.ts.
 */
import fc from 'fast-check';
import type { Files, FuzzInput } from './arbitraries';

/** An MMEngine schedule the mmengine dialect claims; hostile lines are appended to it. */
export const MM_SCHEDULE = [
  "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
  "param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500)]",
  "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9))",
  'train_dataloader = dict(batch_size=2)',
  '',
].join('\n');

/** A detectron2 LazyConfig header (relative imports of other config files). */
const LAZY_HEADER = "from ..common.optim import SGD as optimizer\nfrom ..common.train import train\ntrain.max_iter = 90000\noptimizer.lr = 0.02\n";

const range = (n: number, f: (i: number) => string, sep = '\n') => Array.from({ length: n }, (_, i) => f(i)).join(sep);

/** Python configs built to blow up a static reader: doubling, floods, nesting, big arithmetic. */
export const pythonConfigs: fc.Arbitrary<FuzzInput> = fc
  .record({
    shape: fc.constantFrom('doubling-list', 'doubling-string', 'doubling-mutation', 'mutation-flood', 'deep-dict', 'arith', 'keyword-flood', 'key-flood', 'lazy'),
    count: fc.integer({ min: 1, max: 30_000 }),
    variant: fc.integer({ min: 0, max: 7 }),
    closed: fc.boolean(),
    header: fc.constantFrom('mmengine', 'lazy', 'none'),
  })
  .map(({ shape, count, variant, closed, header }) => {
    const doublings = Math.min(count, 80);
    let body: string;
    switch (shape) {
      case 'doubling-list':
        body = `x0 = [1, 2, 3]\n${range(doublings, (i) => `x${i + 1} = [x${i}, x${i}]`)}\nmodel = dict(layers=x${doublings})\n`;
        break;
      case 'doubling-string':
        body = `s = 'ab'\n${'s = s + s\n'.repeat(doublings)}model = dict(name=s)\n`;
        break;
      case 'doubling-mutation': {
        const line = [() => 'x.append(x)', (i: number) => `x['k${i}'] = x`, (i: number) => `x.k${i} = x`, (i: number) => `x.update(k${i}=x)`][variant % 4];
        body = `x = ${variant % 4 === 0 ? '[1, 2]' : 'dict(a=1)'}\n${range(doublings, line)}\nmodel = dict(m=x)\n`;
        break;
      }
      case 'mutation-flood':
        body = variant % 2 === 0 ? `x = dict()\n${range(count, (i) => `x.a${i} = ${i}`)}\n` : `x = [0]\n${range(count, (i) => `x.append(${i})`)}\n`;
        break;
      case 'deep-dict': {
        const depth = Math.min(count, 5_000);
        body = `model = ${'dict(a='.repeat(depth)}1${closed ? ')'.repeat(depth) : ''}\n`;
        break;
      }
      case 'arith': {
        const n = Math.min(count, 20_000);
        const exprs = [`10**10**10`, `${'2**'.repeat(Math.min(n, 3000))}2`, `${'1+'.repeat(n)}1`, `1e308 * 10`, `1 / 0`, `(-1) ** 0.5`, '9'.repeat(Math.min(n, 5000)), `${'-'.repeat(Math.min(n, 5000))}1`];
        body = `lr = ${exprs[variant]}\nbatch_size = ${exprs[(variant + 3) % 8]}\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=lr))\n`;
        break;
      }
      case 'keyword-flood':
        body = `model = dict(${range(count, (i) => `a${variant === 0 ? 0 : i}=${i}`, ', ')})\n`;
        break;
      case 'key-flood':
        body = `model = {${range(count, (i) => `'a${variant === 0 ? 0 : i}': ${i}`, ', ')}}\n`;
        break;
      default:
        body = `model = L(Model)(${range(Math.min(count, 2000), (i) => `p${i}=L(Layer)(n=${i})`, ', ')})\n${range(Math.min(count, 2000), (i) => `model.p${i}.n = ${i + 1}`)}\n`;
    }
    const head = header === 'mmengine' ? MM_SCHEDULE : header === 'lazy' ? LAZY_HEADER : '';
    return { kind: 'python configs', files: { 'configs/hostile.py': head + body } };
  });

/** `_base_`/`_BASE_` chains: cycles, fan-out past the file limit, deep chains, duplicates, odd paths. */
export const inheritance: fc.Arbitrary<FuzzInput> = fc
  .record({
    shape: fc.constantFrom('cycle', 'fan-out', 'deep', 'duplicates', 'odd-paths', 'lazy-cycle', 'yacs-cycle', 'yacs-deep', 'batch-name'),
    count: fc.integer({ min: 1, max: 90 }),
    keys: fc.integer({ min: 1, max: 5_000 }),
    same: fc.boolean(),
  })
  .map(({ shape, count, keys, same }) => {
    const files: Files = {};
    const base = (i: number) => `configs/_base_/b${i}.py`;
    switch (shape) {
      case 'cycle':
        for (let i = 0; i < count; i++) files[base(i)] = `_base_ = ['./b${(i + 1) % count}.py']\nv${i} = ${i}\n`;
        files['configs/child.py'] = `_base_ = ['./_base_/b0.py']\n${MM_SCHEDULE}`;
        break;
      case 'fan-out':
        for (let i = 0; i < (same ? 1 : count); i++) files[base(i)] = `${range(Math.min(keys, 200), (k) => `k${i}_${k} = dict(a=${k})`)}\nx0 = [1]\n${range(14, (j) => `x${j + 1} = [x${j}, x${j}]`)}\n`.replace(/x(\d+)/g, `x${i}_$1`);
        files['configs/child.py'] = `_base_ = [${range(count, (i) => `'./_base_/b${same ? 0 : i}.py'`, ', ')}]\n${MM_SCHEDULE}`;
        break;
      case 'deep':
        for (let i = 0; i < count; i++) files[base(i)] = `${i + 1 < count ? `_base_ = './b${i + 1}.py'\n` : ''}d${i} = dict(v=${i})\n`;
        files['configs/child.py'] = `_base_ = './_base_/b0.py'\n${MM_SCHEDULE}`;
        break;
      case 'duplicates':
        files[base(0)] = range(keys, (k) => `k${k} = dict(a=1)`);
        files[base(1)] = range(keys, (k) => `k${k} = 2`);
        files['configs/child.py'] = `_base_ = ['./_base_/b0.py', './_base_/b1.py']\n${range(Math.min(keys, 2000), (k) => `k${k} = dict(b=3)`)}\n${MM_SCHEDULE}`;
        break;
      case 'odd-paths': {
        const refs = ['/etc/passwd', '../../../../etc/passwd', '~/x.py', 'https://example.com/x.py', 'mmdet::_base_/x.py', '', '.', '..', './', 'configs', '\u0000.py', `${'a/'.repeat(count * 10)}x.py`, '$(touch x).py'];
        files['configs/child.py'] = `_base_ = [${refs.map((r) => JSON.stringify(r)).join(', ')}]\n${MM_SCHEDULE}`;
        break;
      }
      case 'lazy-cycle':
        files['configs/common/a.py'] = 'from .b import x\ny = 1\n';
        files['configs/common/b.py'] = 'from .a import y\nx = 1\n';
        files['configs/lazy/child.py'] = `from ..common.a import y\nfrom ..common.b import x\n${LAZY_HEADER}`;
        break;
      case 'yacs-cycle':
        for (let i = 0; i < count; i++) files[`configs/y${i}.yaml`] = `_BASE_: "y${(i + 1) % count}.yaml"\nSOLVER:\n  BASE_LR: 0.02\n  IMS_PER_BATCH: 16\n  MAX_ITER: ${1000 + i}\n`;
        break;
      case 'yacs-deep':
        for (let i = 0; i < count; i++) files[`configs/y${i}.yaml`] = `${i + 1 < count ? `_BASE_: "y${i + 1}.yaml"\n` : ''}SOLVER:\n  BASE_LR: 0.02\n  IMS_PER_BATCH: ${16 + i}\n  STEPS: [${range(Math.min(keys, 500), (k) => String(k), ', ')}]\nMODEL:\n  K${i}: {A: 1}\n`;
        break;
      default: {
        // fileNameBatch: `8xb2` in the file name is the batch layout MMEngine configs are named after.
        // File-name components stay under 255 bytes.
        const digits = '9'.repeat(Math.min(keys, 100));
        files[`configs/faster-rcnn_r50_${same ? digits : count}xb${digits}-${count}e_coco.py`] = MM_SCHEDULE;
        files[`configs/x_${'8xb2-'.repeat(Math.min(count, 40))}1x.py`] = MM_SCHEDULE;
      }
    }
    return { kind: 'inheritance', files };
  });

/** A verl command composing `conf/main.yaml`, with `extra` overrides. */
const hydraScript = (extra: string) => `#!/bin/bash\npython3 -m verl.trainer.main_ppo --config-path=$(pwd)/conf --config-name=main ${extra}\n`;

/** Hydra: defaults cycles and fan-out, override floods, interpolation fan-out, nesting and cycles. */
export const hydra: fc.Arbitrary<FuzzInput> = fc
  .record({
    shape: fc.constantFrom('defaults-cycle', 'defaults-fan-out', 'override-flood', 'interpolations', 'package-headers', 'config-paths', 'nemo'),
    count: fc.integer({ min: 1, max: 20_000 }),
    variant: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ shape, count, variant }) => {
    const files: Files = {};
    const main = 'trainer:\n  total_epochs: 1\n  n_gpus_per_node: 8\n  nnodes: 1\ndata:\n  train_batch_size: 256\n';
    switch (shape) {
      case 'defaults-cycle': {
        const n = Math.min(count, 40);
        for (let i = 0; i < n; i++) files[`conf/g/o${i}.yaml`] = `defaults:\n  - /g@p${i}: o${(i + 1) % n}\n  - _self_\nv${i}: \${..v${(i + 1) % n}}\n`;
        files['conf/main.yaml'] = `defaults:\n  - g: o0\n  - _self_\n${main}`;
        files['run.sh'] = hydraScript('');
        break;
      }
      case 'defaults-fan-out': {
        const n = Math.min(count, 80);
        for (let i = 0; i < n; i++) files[`conf/g/f${i}.yaml`] = `defaults:\n${range(n, (j) => `  - /g@q${i}_${j}: f${j}`)}\nv${i}: ${i}\n`;
        files['conf/main.yaml'] = `defaults:\n${range(n, (j) => `  - g@r${j}: f${j}`)}\n  - _self_\n${main}`;
        files['run.sh'] = hydraScript('');
        break;
      }
      case 'override-flood': {
        const ops = [
          (i: number) => `+trainer.k${i}=${i}`,
          (i: number) => `trainer.total_epochs=${i}`,
          (i: number) => `~trainer.k${i}`,
          (i: number) => `++a${i}.b.c=[${i},${i}]`,
          (i: number) => `+trainer.k${i}=${i} ~trainer.k${i}`,
          (i: number) => `trainer.n_gpus_per_node=\${trainer.nnodes} +x${i}={a:${i}}`,
        ];
        files['conf/main.yaml'] = main;
        files['run.sh'] = hydraScript(range(count, ops[variant], ' '));
        break;
      }
      case 'interpolations': {
        const k = Math.min(count, 200);
        const levels = 1 + (variant % 5);
        const lines = ['l0: 2'];
        for (let i = 1; i <= levels; i++) lines.push(`l${i}: \${oc.select:l${i - 1},${range(Math.min(k, 50), () => `\${l${i - 1}}`, ',')}}`);
        const deep = Math.min(count, 5_000);
        files['conf/main.yaml'] = `${main}${lines.join('\n')}\ncyc_a: \${cyc_b}\ncyc_b: \${cyc_a}\nnest: "${'${oc.select:x,'.repeat(deep)}1${'}'.repeat(deep)}"\nrel: \${${'.'.repeat(Math.min(count, 300))}trainer.nnodes}\nactor_rollout_ref:\n  rollout:\n    n: \${l${levels}}\n  actor:\n    ppo_mini_batch_size: \${nest}\n`;
        files['run.sh'] = hydraScript(`trainer.nnodes=\${cyc_a} data.train_batch_size=\${l${levels}}`);
        break;
      }
      case 'package-headers': {
        const headers = ['# @package _global_', '# @package _group_', `# @package ${'a.'.repeat(Math.min(count, 2000))}b`, '# @package', `#${' '.repeat(Math.min(count, 10_000))}@package x`, '# @package ${oc.env:HOME}'];
        files['conf/g/h.yaml'] = `${headers[variant]}\ntotal_epochs: 3\n`;
        files['conf/main.yaml'] = `defaults:\n  - g: h\n  - _self_\n${main}`;
        files['run.sh'] = hydraScript('g=h');
        break;
      }
      case 'config-paths': {
        const paths = ['/', '../../../../..', '$(touch x)', '`id`', `${'a/'.repeat(Math.min(count, 2000))}conf`, '~', '""', "'conf'"];
        const names = ['main', '../main', '/etc/passwd', `${'x'.repeat(Math.min(count, 5000))}`, '$NAME', 'main.yaml.yaml'];
        files['conf/main.yaml'] = main;
        files['run.sh'] = `#!/bin/bash\npython3 -m verl.trainer.main_ppo --config-path=${paths[variant]} --config-name=${names[variant % names.length]} trainer.nnodes=2\n`;
        files['config/app.py'] = `import hydra\n@hydra.main(config_path=${JSON.stringify(paths[(variant + 1) % paths.length])}, config_name=${JSON.stringify(names[variant])})\ndef main(cfg):\n    pass\n`;
        break;
      }
      default: {
        const n = Math.min(count, 5_000);
        files['conf/megatron_gpt_config.yaml'] = `trainer:\n  devices: 8\n  num_nodes: 1\n  max_steps: 1000\nmodel:\n  micro_batch_size: 4\n  global_batch_size: \${multiply:\${model.micro_batch_size},${range(Math.min(n, 300), () => '${trainer.devices}', ',')}}\n  optim:\n    lr: 1e-4\n    sched:\n      warmup_steps: \${int_div:\${trainer.max_steps},${'${int_div:'.repeat(Math.min(n, 500))}10${'}'.repeat(Math.min(n, 500))}}\n`;
        files['run.sh'] = `#!/bin/bash\npython megatron_gpt_pretraining.py --config-path=$(pwd)/conf --config-name=megatron_gpt_config ${range(n, (i) => `+model.x${i}=${i}`, ' ')}\n`;
      }
    }
    return { kind: 'hydra', files };
  });

/** Bash arithmetic in launch scripts: overflow, nesting, long operands, chains of variables. */
export const shellArithmetic: fc.Arbitrary<FuzzInput> = fc
  .record({
    expr: fc.constantFrom('2**63', '9223372036854775807 + 1', '-9223372036854775807 - 2', '(-9223372036854775807 - 1) / -1', '2**64**64', '1 / 0', '0x' + 'f'.repeat(40), '08', '1 + ', '((((1))))', '$A * $A', 'A ** B', '-(-(-(1)))'),
    depth: fc.integer({ min: 0, max: 600 }),
    chain: fc.integer({ min: 0, max: 3_000 }),
    length: fc.integer({ min: 0, max: 70_000 }),
  })
  .map(({ expr, depth, chain, length }) => {
    const nested = `${'$(( '.repeat(depth)}${expr}${' ))'.repeat(depth)}`;
    const vars = [`A=${'9'.repeat(Math.min(length, 65_000)) || '3'}`, 'B=64', ...range(chain, (i) => `V${i + 1}=$(( \${V${i}:-1} * 2 ))`).split('\n').filter(Boolean)];
    const script = [
      '#!/bin/bash',
      ...vars,
      `NPROC=$(( ${expr} ))`,
      `NODES=${nested || '1'}`,
      `torchrun --nnodes $NODES --nproc_per_node $NPROC -m open_clip_train.main --batch-size $(( ${'('.repeat(Math.min(depth, 300))}8${')'.repeat(Math.min(depth, 300))} )) --lr 1e-3 --epochs $(( V${chain} % 7 )) --warmup $(( ${'1+'.repeat(Math.min(length, 300))}1 )) --train-num-samples 1000`,
      '',
    ].join('\n');
    return { kind: 'shell arithmetic', files: { 'train.sh': script } };
  });

/** `#SBATCH` headers: floods, huge counts, odd option spellings, ranges and GPU types. */
export const slurm: fc.Arbitrary<FuzzInput> = fc
  .record({
    lines: fc.array(
      fc.constantFrom(
        '#SBATCH --nodes=4',
        '#SBATCH -N 99999999999999999999',
        '#SBATCH --nodes=2-4',
        '#SBATCH --ntasks-per-node=8',
        '#SBATCH --ntasks-per-node=9007199254740993',
        '#SBATCH --gres=gpu:a100:8,shard:2',
        '#SBATCH --gres=gpu:' + '9'.repeat(30),
        '#SBATCH --gpus-per-node=' + 'a:'.repeat(50) + '8',
        '#SBATCH -n',
        '#SBATCH --nodes=4 # a comment --nodes=8',
        '#SBATCH ' + '-'.repeat(200),
        '#SBATCH\t--gpus=16',
        '#SBATCH --nodes=$(touch x)',
        '',
        '# a comment',
      ),
      { maxLength: 40 },
    ),
    flood: fc.integer({ min: 0, max: 60_000 }),
    launcher: fc.constantFrom('srun', 'torchrun'),
  })
  .map(({ lines, flood, launcher }) => {
    const cmd =
      launcher === 'srun'
        ? 'srun python -m open_clip_train.main --batch-size 32 --lr 1e-3 --epochs 3 --warmup 100 --train-num-samples 10000'
        : 'torchrun --nnodes $SLURM_NNODES --nproc_per_node $SLURM_GPUS_ON_NODE -m open_clip_train.main --batch-size 32 --lr 1e-3 --epochs 3 --warmup 100 --train-num-samples 10000';
    const script = ['#!/bin/bash', ...lines, ...Array(flood).fill('#SBATCH --nodes=2'), cmd, ''].join('\n');
    return { kind: 'slurm', files: { 'job.sbatch': script, 'job.sh': script } };
  });

/** `yolo train k=v …` floods and odd values; `model.train(…)` calls; pinned versions. */
export const yolo: fc.Arbitrary<FuzzInput> = fc
  .record({
    values: fc.array(fc.constantFrom('100', '1_000', '0x10', 'inf', 'nan', '1e999', '-0', '', '=', '"8"', '[1,2,3]', 'None', 'True', '$EPOCHS', '$(touch x)', '9'.repeat(400), '1.5.5'), { minLength: 1, maxLength: 30 }),
    keys: fc.array(fc.constantFrom('epochs', 'batch', 'lr0', 'lrf', 'warmup_epochs', 'imgsz', 'device', 'cfg', 'data', 'nbs', 'epoch', 'batch_size', 'x'), { minLength: 1, maxLength: 30 }),
    flood: fc.integer({ min: 0, max: 20_000 }),
    form: fc.constantFrom('cli', 'python', 'version'),
  })
  .map(({ values, keys, flood, form }) => {
    const pairs = keys.map((k, i) => [k, values[i % values.length]] as const);
    const files: Files = {};
    if (form === 'cli') {
      files['train.sh'] = `#!/bin/bash\nEPOCHS=3\nyolo detect train model=yolo11n.pt data=coco128.yaml ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')} ${range(flood, (i) => `k${i % 50}=${i}`, ' ')}\n`;
    } else if (form === 'python') {
      const py = (v: string) => (/^[\w.+-]+$/.test(v) && !/^\d+\.\d+\.\d+$/.test(v) ? v.replace(/^nan$|^inf$/, '1') : JSON.stringify(v));
      files['config/train.py'] = `from ultralytics import YOLO\nEPOCHS = 60\nmodel = YOLO("yolo11n.pt")\nmodel.train(data="coco128.yaml", ${pairs.map(([k, v]) => `${k}=${py(v)}`).join(', ')}, ${range(Math.min(flood, 5_000), (i) => `k${i}=${i}`, ', ')})\n${'model.train(epochs=1)\n'.repeat(Math.min(flood, 2_000))}`;
    } else {
      files['train.sh'] = `#!/bin/bash\npip install ultralytics==${values.join('.')}\npip install ${'ultralytics=='.repeat(Math.min(flood, 5_000))}8.3.40\nyolo train model=yolo11n.pt data=coco128.yaml epochs=10 batch=16\n`;
    }
    return { kind: 'yolo', files };
  });

/** Flat argument files (sd-scripts TOML/JSON, timm args.yaml) and flag floods in launch commands. */
export const flatArgs: fc.Arbitrary<FuzzInput> = fc
  .record({
    format: fc.constantFrom('kohya-toml', 'kohya-json', 'timm-yaml', 'kohya-flags', 'timm-flags'),
    numbers: fc.array(fc.constantFrom('1e-4', '0x10', '1_000', '1__0', '.5', '5.', 'inf', '-inf', 'nan', '1e999', '0b101', '0o17', '1j', '9'.repeat(400), '', ' 3 ', '१२'), { minLength: 1, maxLength: 12 }),
    typos: fc.integer({ min: 0, max: 20_000 }),
    width: fc.integer({ min: 1, max: 60 }),
  })
  .map(({ format, numbers, typos, width }) => {
    const n = (i: number) => numbers[i % numbers.length];
    // Keys one or two edits from real flag names, and long ones (the typo search is bounded).
    const typo = (i: number) => (i % 3 === 0 ? `learning_rat${String.fromCharCode(97 + (i % 26))}${i}` : i % 3 === 1 ? `max_train_step${'s'.repeat(1 + (i % 3))}_${i}` : `${'x'.repeat(width)}${i}`);
    const files: Files = {};
    if (format === 'kohya-toml') {
      files['sdxl.toml'] = `pretrained_model_name_or_path = "sd"\nnetwork_module = "networks.lora"\ntrain_batch_size = 4\nlearning_rate = "${n(0)}"\nmax_train_steps = "${n(1)}"\nlr_warmup_steps = "${n(2)}"\n${range(typos, (i) => `${typo(i)} = ${i}`)}\n[nested]\n${'a = 1\n'.repeat(1)}`;
    } else if (format === 'kohya-json') {
      files['gui.json'] = JSON.stringify({ pretrained_model_name_or_path: 'sd', network_module: 'networks.lora', train_batch_size: n(0), learning_rate: n(1), epoch: n(2), max_train_epochs: n(3), ...Object.fromEntries(range(typos, (i) => typo(i)).split('\n').filter(Boolean).map((k, i) => [k, i])) });
    } else if (format === 'timm-yaml') {
      files['args.yaml'] = `model: resnet50\nbatch_size: ${n(0) || '1'}\nlr: ${JSON.stringify(n(1))}\nepochs: ${JSON.stringify(n(2))}\nwarmup_epochs: ${JSON.stringify(n(3))}\nsched: cosine\nopt: adamw\n${range(typos, (i) => `${typo(i)}: ${i}`)}\n`;
    } else if (format === 'kohya-flags') {
      files['train.sh'] = `#!/bin/bash\naccelerate launch --num_processes 2 train_network.py --pretrained_model_name_or_path=sd --network_module=networks.lora --train_batch_size=${n(0)} --learning_rate=${n(1)} --max_train_epochs=${n(2)} ${range(typos, (i) => `--${typo(i)}=${n(i)}`, ' ')}\n`;
    } else {
      files['train.sh'] = `#!/bin/bash\ntorchrun --nproc_per_node 8 train.py --model resnet50 --batch-size ${n(0)} --lr ${n(1)} --epochs ${n(2)} --warmup-epochs ${n(3)} --sched cosine ${range(typos, (i) => `--${typo(i).replace(/_/g, '-')} ${n(i)}`, ' ')}\n`;
    }
    return { kind: 'flat args', files };
  });

/** Thrift compact bytes of a Parquet footer that lies: counts, lengths, nesting, types. */
function parquetFooter(kind: number, size: number): number[] {
  const varint = (v: number) => {
    const out: number[] = [];
    let x = v;
    do {
      let b = x % 128;
      x = Math.floor(x / 128);
      if (x > 0) b |= 0x80;
      out.push(b);
    } while (x > 0);
    return out;
  };
  switch (kind) {
    case 0: // a map of booleans claiming `size` pairs
      return [0x15, 0x02, 0x1b, ...varint(size), 0x11, 0x00];
    case 1: // a list of booleans claiming `size` elements (long form)
      return [0x15, 0x02, 0x19, 0xf1, ...varint(size), 0x00];
    case 2: // a binary field claiming `size` bytes
      return [0x15, 0x02, 0x18, ...varint(size), 0x00];
    case 3: // structs nested `size` deep
      return [0x15, 0x02, ...Array(Math.min(size, 100_000)).fill(0x1c), 0x00];
    case 4: // num_rows far beyond 2^53, then a valid end
      return [0x15, 0x02, 0x19, 0x00, 0x16, ...varint(size), 0xff, 0xff, 0xff, 0xff, 0x01, 0x00];
    case 5: // a varint that never ends
      return [0x15, ...Array(Math.min(size, 100_000)).fill(0xff)];
    default: // unknown compact types
      return [0x1d, 0x1e, 0x1f, 0x00];
  }
}

/** Dataset files a config names, with hostile contents: absurd Parquet footers, broken JSON/CSV, floods of references. */
export const datasetRows: fc.Arbitrary<FuzzInput> = fc
  .record({
    format: fc.constantFrom('parquet', 'jsonl', 'json', 'csv', 'catalog'),
    kind: fc.integer({ min: 0, max: 6 }),
    size: fc.integer({ min: 0, max: 2 ** 31 }),
    claimedLength: fc.constantFrom('actual', 'huge', 'zero', 'over'),
    count: fc.integer({ min: 1, max: 200_000 }),
  })
  .map(({ format, kind, size, claimedLength, count }) => {
    const files: Files = {};
    const config = (trainFile: string) => `per_device_train_batch_size: 8\nlearning_rate: 2.0e-5\nnum_train_epochs: 3\nlr_scheduler_type: cosine\nwarmup_ratio: 0.1\ntrain_file: ${trainFile}\n`;
    if (format === 'parquet') {
      const footer = Buffer.from(parquetFooter(kind, size));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(claimedLength === 'actual' ? footer.length : claimedLength === 'huge' ? 0xffffffff : claimedLength === 'zero' ? 0 : footer.length + 9);
      files['data/train.parquet'] = new Uint8Array(Buffer.concat([Buffer.from('PAR1'), footer, len, Buffer.from('PAR1')]));
      files['hf.yaml'] = config('data/train.parquet');
    } else if (format === 'jsonl') {
      files['data/train.jsonl'] = ['{"a": 1}\n', '\n', '   \n', '{"a": "\\n"}\r\n', '{'][kind % 5].repeat(count);
      files['hf.yaml'] = config('data/train.jsonl');
    } else if (format === 'json') {
      const bodies = [`[${'{"a": 1},'.repeat(count)}{}]`, '['.repeat(count), `"${'\\'.repeat(count)}`, `${'{"a": 1}\n'.repeat(count)}`, `[${'"a\\"",'.repeat(count)}1]`, '{}', ']'.repeat(count)];
      files['data/train.data.json'] = bodies[kind % bodies.length].slice(0, 600_000);
      files['hf.yaml'] = config('data/train.data.json');
    } else if (format === 'csv') {
      files['data/train.csv'] = ['a,b\n1,2\n', '"unclosed\n', 'a,"b\nc",d\n', '\r\n', '""""\n'][kind % 5].repeat(Math.min(count, 100_000));
      files['hf.yaml'] = config('data/train.csv');
    } else {
      const names = range(Math.min(count, 20_000), (i) => `d${i % 3}`, ',');
      files['data/dataset_info.json'] = JSON.stringify({ d0: { file_name: 'rows.jsonl' }, d1: { file_name: '../../../etc/passwd' }, d2: { hf_hub_url: 'tatsu-lab/alpaca' }, __proto__x: { file_name: 'x' } });
      files['data/rows.jsonl'] = '{"a": 1}\n'.repeat(1000);
      files['lf.yaml'] = `model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\nfinetuning_type: full\ndataset: ${names}\ntemplate: qwen3\nper_device_train_batch_size: 1\ngradient_accumulation_steps: 2\nlearning_rate: 1.0e-5\nnum_train_epochs: 3.0\nlr_scheduler_type: cosine\nwarmup_ratio: 0.1\n`;
    }
    return { kind: 'dataset rows', files };
  });

/** The reader classes, by name. */
export const READER_CLASSES: Record<string, fc.Arbitrary<FuzzInput>> = {
  'python configs': pythonConfigs,
  inheritance,
  hydra,
  'shell arithmetic': shellArithmetic,
  slurm,
  yolo,
  'flat args': flatArgs,
  'dataset rows': datasetRows,
};
