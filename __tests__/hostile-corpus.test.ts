/**
 * The hostile-input corpus as golden tests (issue #14): each case is a small repository built by
 * hand to attack one mechanism, and its expected outcome (exit code, stderr, every finding) is in
 * __tests__/fixtures/hostile/<case>.txt. `UPDATE_GOLDEN=1 npx jest __tests__/hostile-corpus.test.ts`
 * rewrites them; read every diff. Cases that need links or FIFOs build them at run time (git
 * keeps neither well); big inputs are generated. Every injection attempt points at a marker file
 * that must not exist afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import { canMkfifo, cleanTempDirs, GOOD, mkfifo, systemTmpdir, tempRepo } from './helpers/hostile';
import type { Report } from '../src/engine/report-types';
import { MM_SCHEDULE } from './fuzz/reader-arbitraries';

const GOLDEN = path.join(__dirname, 'fixtures', 'hostile');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
afterAll(cleanTempDirs);

interface Case {
  name: string;
  files?: Record<string, string | Buffer>;
  /** Extra setup in the repository (links, FIFOs); `outside` is a folder outside it. */
  setup?: (repo: string, outside: string, marker: string) => void;
  argv?: string[];
  /** Further runs in the same repository (argv each), appended to the golden outcome. */
  more?: string[][];
  /** Report format: json findings (default), or the raw output of another format. */
  format?: 'json' | 'github';
  skip?: boolean;
}

const digits = (n: number) => '1'.repeat(n);
const lolBomb = () => {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
};
const lines = (n: number, f: (i: number) => string, sep = '\n') => Array.from({ length: n }, (_, i) => f(i)).join(sep);
/** A Parquet file: PAR1, the footer, its length (or `length`), PAR1. */
const parquet = (footer: number[], length = footer.length) => {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(length);
  return Buffer.concat([Buffer.from('PAR1'), Buffer.from(footer), len, Buffer.from('PAR1')]);
};
const fanOut = () => `big: &big [${Array.from({ length: 10_000 }, (_, i) => i % 10).join(', ')}]\nuses:\n${'  - *big\n'.repeat(9_000)}`;

const CASES: Case[] = [
  // 1. aliases
  { name: 'alias-fan-out', files: { 'fan.yaml': fanOut(), 'good.yaml': GOOD } },
  { name: 'alias-billion-laughs', files: { 'lol.yaml': lolBomb(), 'good.yaml': GOOD } },
  { name: 'alias-cycle', files: { 'cycle.yaml': 'a: &a [1, *a]\nper_device_train_batch_size: 8\n', 'good.yaml': GOOD } },
  { name: 'alias-bomb-in-config', files: { '.trainlint.yml': lolBomb(), 'good.yaml': GOOD } },
  // 2. numeric runs
  { name: 'numeric-run-hf', files: { 'hf.yaml': `per_device_train_batch_size: 8\nlearning_rate: "${digits(200_000)}x"\nmax_steps: 100\nwarmup_steps: 10\n`, 'good.yaml': GOOD } },
  { name: 'numeric-run-composer', files: { 'c.yaml': `global_train_batch_size: 256\ndevice_train_microbatch_size: 8\nmax_duration: ${digits(200_000)}x\nmodel:\n  name: mpt_causal_lm\noptimizer:\n  name: decoupled_adamw\n  lr: 6.0e-4\n`, 'good.yaml': GOOD } },
  // nesting
  { name: 'nesting-yaml', files: { 'deep.yaml': `x: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, 'good.yaml': GOOD } },
  { name: 'nesting-json', files: { 'deep.json': '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000), 'good.yaml': GOOD } },
  { name: 'nesting-toml', files: { 'deep.toml': `a = ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, 'good.yaml': GOOD } },
  { name: 'nesting-python', files: { 'config/deep.py': `batch_size = ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, 'good.yaml': GOOD } },
  // 9. floods
  { name: 'duplicate-flood-yaml', files: { 'dup.yaml': `per_device_train_batch_size: 8\n${'a: 1\n'.repeat(5_000)}`, 'good.yaml': GOOD } },
  { name: 'duplicate-flood-json', files: { 'dup.json': `{"train_micro_batch_size_per_gpu": 4, ${Array(5_000).fill('"a": 1').join(', ')}}`, 'good.yaml': GOOD } },
  { name: 'duplicate-flood-toml', files: { 'dup.toml': 'a = 1\n'.repeat(200), 'good.yaml': GOOD } },
  // bytes
  { name: 'binary-file', files: { 'bin.yaml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]), 'good.yaml': GOOD } },
  { name: 'invalid-utf8', files: { 'latin1.yaml': Buffer.from('learning_rate: caf\xe9\n', 'latin1'), 'good.yaml': GOOD } },
  { name: 'invalid-utf8-config', files: { '.trainlint.yml': Buffer.from([0x66, 0x69, 0x6c, 0x65, 0x73, 0x3a, 0x20, 0xff, 0x0a]), 'good.yaml': GOOD } },
  { name: 'bom-and-crlf', files: { 'crlf.yaml': '\ufeff' + GOOD.replace(/\n/g, '\r\n') } },
  // 6, 7. what is read
  {
    name: 'symlink-escape-walk',
    files: { 'configs/good.yaml': GOOD },
    setup: (repo, outside) => fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo, 'configs', 'secret.yaml')),
  },
  { name: 'symlink-escape-named', files: { 'good.yaml': GOOD }, setup: (repo, outside) => fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo, 'link.yaml')), argv: ['link.yaml'] },
  {
    name: 'symlink-loop',
    files: { 'good.yaml': GOOD },
    setup: (repo) => {
      fs.symlinkSync(path.join(repo, 'loop-b.yaml'), path.join(repo, 'loop-a.yaml'));
      fs.symlinkSync(path.join(repo, 'loop-a.yaml'), path.join(repo, 'loop-b.yaml'));
      fs.symlinkSync(repo, path.join(repo, 'self'));
    },
  },
  { name: 'symlink-config-escape', files: { 'good.yaml': GOOD }, setup: (repo, outside) => fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo, '.trainlint.yml')) },
  { name: 'schema-outside', files: { '.trainlint.yml': "schemas:\n  - files: '*.yaml'\n    schema: ../outside/secret.json\n", 'good.yaml': GOOD } },
  { name: 'named-outside', files: { 'good.yaml': GOOD }, argv: ['../outside/secret.yaml'] },
  { name: 'fifo-config', skip: !canMkfifo, files: { 'good.yaml': GOOD }, setup: (repo) => mkfifo(path.join(repo, '.trainlint.yml')) },
  { name: 'fifo-named', skip: !canMkfifo, files: { 'good.yaml': GOOD }, setup: (repo) => mkfifo(path.join(repo, 'pipe.yaml')), argv: ['pipe.yaml', 'good.yaml'] },
  { name: 'device-config', skip: !fs.existsSync('/dev/zero'), files: { 'good.yaml': GOOD }, argv: ['--config', '/dev/zero'] },
  // names
  {
    name: 'names-control-and-commands',
    files: { 'x\x1b[31mred\x1b[0m.yaml': GOOD, 'a::error::pwned.yaml': GOOD, 'x%0Ay.yaml': GOOD, 'a\nb.yaml': GOOD, 'c\rd.yaml': GOOD },
    format: 'github',
  },
  { name: 'long-name', files: { [`${'n'.repeat(240)}.yaml`]: GOOD } },
  // prototype keys
  { name: 'proto-keys', files: { 'p.yaml': `__proto__:\n  polluted: true\nconstructor:\n  prototype:\n    polluted: true\n${GOOD}`, 'p.json': '{"__proto__": {"polluted": true}, "per_device_train_batch_size": 8}' } },
  { name: 'proto-keys-config', files: { '.trainlint.yml': 'rules:\n  __proto__: off\n', 'good.yaml': GOOD } },
  { name: 'shell-variable-doubling', files: { 'run.sh': `A=1\n${Array.from({ length: 2000 }, (_, i) => `A${i + 1}=$A${i}$A${i}`).join('\n')}\ntorchrun --nproc_per_node 4 -m open_clip_train.main --lr $A2000 --batch-size 8 --train-num-samples 1000 --epochs 1\n` } },
  // code injection, every format
  { name: 'injection-shell', files: { 'run.sh': '#!/bin/bash\nX=$(touch MARKER)\nY=`touch MARKER`\neval "touch MARKER"\ntorchrun --nproc_per_node $(touch MARKER; echo 4) -m open_clip_train.main --batch-size `touch MARKER` --lr ${LR:-$(touch MARKER)} --warmup 10000 --epochs 3 --train-num-samples 1000\n' } },
  { name: 'injection-yaml', files: { 'evil.yaml': 'a: !!python/object/apply:os.system ["touch MARKER"]\nb: !!python/object/new:subprocess.Popen [["touch", "MARKER"]]\nper_device_train_batch_size: 8\n' } },
  { name: 'injection-python', files: { 'config/evil.py': 'import os\nos.system("touch MARKER")\nbatch_size = eval("__import__(\'os\').system(\'touch MARKER\')")\nlearning_rate = 6e-4\n' } },
  { name: 'injection-toml', files: { 'evil.toml': '[job]\nname = "$(touch MARKER)"\n[training]\nsteps = "`touch MARKER`"\n' } },
  { name: 'injection-json', files: { 'evil.json': '{"train_micro_batch_size_per_gpu": "$(touch MARKER)", "optimizer": {"type": "AdamW", "params": {"lr": "`touch MARKER`"}}}' } },
  { name: 'injection-omegaconf', files: { 'tt.yaml': 'batch_size: ${oc.env:HOME}\nlr: ${eval:\'__import__("os").system("touch MARKER")\'}\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 2.0e-5\n' } },
  // 5, 11. globs and sizes
  { name: 'glob-wildcards', files: { '.trainlint.yml': `ignore: ['${'*a'.repeat(14)}*b']\n`, [`${'a'.repeat(200)}.yaml`]: GOOD } },
  { name: 'glob-too-long', files: { '.trainlint.yml': `files:\n  - '${'*a'.repeat(35_000)}'\n`, 'good.yaml': GOOD } },
  { name: 'glob-extglob-negation', files: { '.trainlint.yml': "files: ['!(legacy)/*.yaml']\n", 'good.yaml': GOOD } },
  { name: 'globs-too-many', files: { '.trainlint.yml': `files:\n${'  - x*y\n'.repeat(2_000)}`, 'good.yaml': GOOD } },
  { name: 'config-too-large', files: { '.trainlint.yml': `# ${'x'.repeat(300_000)}\n`, 'good.yaml': GOOD } },
  { name: 'max-file-bytes-ceiling', files: { '.trainlint.yml': 'maxFileBytes: 1000000000\n', 'good.yaml': GOOD } },
  { name: 'values-over-limit', files: { '.trainlint.yml': 'maxFileBytes: 8388608\n', 'flat.yaml': `x: [${'0,'.repeat(600_000)}0]\n`, 'good.yaml': GOOD } },
  // 4. schemas
  {
    name: 'schema-backtracking',
    files: { '.trainlint.yml': "schemas:\n  - files: 'c.yaml'\n    schema: s.json\n", 's.json': '{"properties": {"run_name": {"type": "string", "pattern": "^(a+)+$"}}}', 'c.yaml': `${GOOD}run_name: ${'a'.repeat(40)}!\n` },
  },
  { name: 'schema-lookahead', files: { '.trainlint.yml': "schemas:\n  - files: 'c.yaml'\n    schema: s.json\n", 's.json': '{"properties": {"run_name": {"type": "string", "pattern": "^(?=a)a+$"}}}', 'c.yaml': GOOD } },
  // 12.
  { name: 'plan-folder', files: { 'configs/good.yaml': GOOD }, argv: ['plan', 'configs'] },

  // The readers added after issue #14: static Python configs, inheritance, Hydra, bash arithmetic, dataset rows.
  { name: 'python-doubling-list', files: { 'configs/bomb.py': `${MM_SCHEDULE}x0 = [1, 2, 3, 4]\n${lines(60, (i) => `x${i + 1} = [x${i}, x${i}]`)}\nmodel = dict(type='X', layers=x60)\n`, 'good.yaml': GOOD }, argv: ['plan', 'configs/bomb.py'] },
  {
    name: 'python-doubling-mutations',
    files: {
      'configs/append.py': `${MM_SCHEDULE}x = [1, 2]\n${'x.append(x)\n'.repeat(40)}s = 'ab'\n${'s = s + s\n'.repeat(40)}model = dict(type='X', layers=x, name=s)\n`,
      'configs/setitem.py': `${MM_SCHEDULE}x = dict(a=1)\n${lines(40, (i) => `x['k${i}'] = x`)}\n${lines(40, (i) => `x.update(u${i}=x)`)}\nmodel = dict(type='X', m=x)\n`,
      'configs/flood.py': `${MM_SCHEDULE}x = dict()\n${lines(30_000, (i) => `x.a${i} = ${i}`)}\nmodel = dict(type='X', m=x)\n`,
      'good.yaml': GOOD,
    },
  },
  { name: 'python-deep-dict', files: { 'configs/deep.py': `${MM_SCHEDULE}model = ${'dict(a='.repeat(5_000)}1${')'.repeat(5_000)}\n`, 'good.yaml': GOOD }, argv: ['plan', 'configs/deep.py'] },
  {
    name: 'python-huge-arithmetic',
    files: {
      'configs/huge.py': [
        MM_SCHEDULE,
        'train_cfg.max_epochs = 10**10**10',
        'optim_wrapper.optimizer.lr = 1e308 * 10',
        `optim_wrapper.optimizer.momentum = ${'-'.repeat(5_001)}0.9`,
        `train_dataloader.batch_size = ${'9'.repeat(5_000)}`,
        `param_scheduler[0].end = ${'1+'.repeat(50_000)}1`,
        'auto_scale_lr = dict(enable=True, base_batch_size=16 // 0)',
        '',
      ].join('\n'),
      'good.yaml': GOOD,
    },
    argv: ['plan', 'configs/huge.py'],
  },
  {
    name: 'base-cycle',
    files: { 'configs/_base_/a.py': "_base_ = ['./b.py']\nx = 1\n", 'configs/_base_/b.py': "_base_ = ['./a.py']\ny = 2\n", 'configs/child.py': `_base_ = ['./_base_/a.py']\n${MM_SCHEDULE}`, 'configs/self.py': `_base_ = './self.py'\n${MM_SCHEDULE}`, 'good.yaml': GOOD },
    argv: ['configs/child.py', 'configs/self.py', 'good.yaml'],
  },
  {
    name: 'base-fan-out',
    files: {
      ...Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`configs/_base_/b${i}.py`, `v${i} = dict(x0=[1, 2])\n${lines(14, (j) => `x${j + 1} = [x${j}, x${j}]`)}\n`.replace(/\bx(\d+)/g, `x${i}_$1`)])),
      'configs/child.py': `_base_ = [${Array.from({ length: 70 }, (_, i) => `'./_base_/b${i}.py'`).join(', ')}]\n${MM_SCHEDULE}`,
      'good.yaml': GOOD,
    },
    argv: ['plan', 'configs/child.py'],
  },
  {
    name: 'base-deep-chain',
    files: { ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`configs/_base_/d${i}.py`, `${i < 19 ? `_base_ = './d${i + 1}.py'\n` : ''}v${i} = ${i}\n`])), 'configs/child.py': `_base_ = './_base_/d0.py'\n${MM_SCHEDULE}`, 'good.yaml': GOOD },
    argv: ['plan', 'configs/child.py'],
  },
  {
    name: 'hydra-defaults-cycle',
    files: {
      'conf/main.yaml': 'defaults:\n  - g: a\n  - _self_\ntrainer:\n  total_epochs: 1\n  n_gpus_per_node: 8\n  nnodes: 1\n',
      'conf/g/a.yaml': 'defaults:\n  - /g@inner: b\n  - _self_\nx: 1\n',
      'conf/g/b.yaml': 'defaults:\n  - /g@inner: a\n  - _self_\ny: 2\n',
      'run.sh': '#!/bin/bash\npython3 -m verl.trainer.main_ppo --config-path=$(pwd)/conf --config-name=main\n',
      'good.yaml': GOOD,
    },
    argv: ['plan', 'run.sh'],
  },
  {
    name: 'hydra-override-flood',
    files: {
      'conf/main.yaml': 'trainer:\n  total_epochs: 1\n  n_gpus_per_node: 8\n  nnodes: 1\n',
      'run.sh': `#!/bin/bash\npython3 -m verl.trainer.main_ppo --config-path=$(pwd)/conf --config-name=main ${lines(5_000, (i) => `+trainer.k${i}=${i}`, ' ')} ${lines(5_000, (i) => `~trainer.k${i}`, ' ')} ${lines(2_000, (i) => `trainer.total_epochs=${i + 1}`, ' ')} +${'deep.'.repeat(500)}key=1 trainer.nnodes=\${trainer.nnodes}\n`,
      'good.yaml': GOOD,
    },
    argv: ['plan', 'run.sh'],
  },
  {
    name: 'shell-arith-overflow',
    files: {
      'train.sh': [
        '#!/bin/bash',
        'BIG=9223372036854775807',
        `LONG=${'9'.repeat(60_000)}`,
        'NODES=$(( BIG + 1 ))',
        'GPUS=$(( 2**63 ))',
        'BS=$(( -9223372036854775807 - 1 ))',
        'EPOCHS=$(( (-9223372036854775807 - 1) / -1 ))',
        `WARMUP=$(( ${'LONG+'.repeat(200)}LONG ))`,
        'LR=$(( 2**64**64 ))',
        'torchrun --nnodes $NODES --nproc_per_node $GPUS -m open_clip_train.main --batch-size $BS --epochs $EPOCHS --warmup $WARMUP --lr $LR --train-num-samples $(( 1 / 0 ))',
        '',
      ].join('\n'),
    },
    argv: ['plan', 'train.sh'],
    more: [['--format', 'json', '--no-baseline', 'train.sh']],
  },
  {
    name: 'shell-arith-nesting',
    files: {
      'train.sh': `#!/bin/bash\nN=${'$(( '.repeat(300)}4${' ))'.repeat(300)}\nB=$(( ${'('.repeat(300)}8${')'.repeat(300)} ))\nW=$(( ${'- '.repeat(200)}100 ))\ntorchrun --nproc_per_node $N -m open_clip_train.main --batch-size $B --warmup $W --lr 1e-3 --epochs 3 --train-num-samples 100000\n`,
    },
    argv: ['plan', 'train.sh'],
  },
  {
    name: 'parquet-absurd-footers',
    files: {
      'data/length.parquet': parquet([0x15, 0x02, 0x00], 0xffffffff),
      'data/map.parquet': parquet([0x15, 0x02, 0x1b, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x11, 0x00]),
      'data/list.parquet': parquet([0x15, 0x02, 0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00]),
      'data/rows.parquet': parquet([0x15, 0x02, 0x26, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00]),
      'data/deep.parquet': parquet([0x15, 0x02, ...Array(1_000).fill(0x1c), 0x00]),
      ...Object.fromEntries(['length', 'map', 'list', 'rows', 'deep'].map((n) => [`${n}.yaml`, `per_device_train_batch_size: 8\nlearning_rate: 2.0e-5\nnum_train_epochs: 3\nlr_scheduler_type: cosine\nwarmup_ratio: 0.1\ntrain_file: data/${n}.parquet\n`])),
    },
    argv: ['plan', 'length.yaml'],
    more: [
      ['plan', 'map.yaml'],
      ['plan', 'list.yaml'],
      ['plan', 'rows.yaml'],
      ['plan', 'deep.yaml'],
    ],
  },
  {
    name: 'injection-python-config',
    files: {
      'configs/evil.py': `${MM_SCHEDULE}import os, subprocess\nfrom os import system\nsystem("touch MARKER")\nmodel = dict(type=__import__("os").system("touch MARKER"), name=f"{os.system('touch MARKER')}")\nlr = (lambda: os.system("touch MARKER"))()\nsubprocess.run(["touch", "MARKER"])\nexec(compile("import os; os.system('touch MARKER')", "x", "exec"))\n`,
      'configs/lazy.py': 'from detectron2.config import LazyCall as L\nimport os\ncmd = L(os.system)(command="touch MARKER")\ntrain = dict(max_iter=__import__("os").system("touch MARKER"))\n',
      'configs/base.py': `_base_ = [__import__("os").system("touch MARKER")]\n${MM_SCHEDULE}`,
    },
  },
  {
    name: 'injection-hydra',
    files: {
      'conf/main.yaml': 'trainer:\n  total_epochs: ${oc.env:HOME}\n  nnodes: ${eval:\'__import__("os").system("touch MARKER")\'}\n  n_gpus_per_node: ${python:os.system(\'touch MARKER\')}\nrun:\n  _target_: os.system\n  _args_: ["touch MARKER"]\ndata:\n  train_batch_size: ${oc.decode:\'${oc.env:X}\'}\n',
      'run.sh': '#!/bin/bash\npython3 -m verl.trainer.main_ppo --config-path=$(pwd)/conf --config-name=main "+cmd=$(touch MARKER)" hydra.run.dir=\'$(touch MARKER)\' trainer.nnodes=`touch MARKER` +y=${eval:\'os.system("touch MARKER")\'}\n',
    },
    argv: ['plan', 'run.sh'],
  },
];

/** Exit code, stderr and every finding, with the temp paths replaced. */
function render(c: Case, r: { code: number; stdout: string; stderr: string }, repo: string, outside: string, marker: string): string {
  const clean = (s: string) => s.split(marker).join('MARKER').split(repo).join('<repo>').split(outside).join('<outside>');
  const lines = [`$ trainlint ${(c.argv ?? []).map((a) => JSON.stringify(a)).join(' ')}`.trimEnd(), `exit ${r.code}`];
  if (r.stderr) lines.push(...clean(r.stderr).trimEnd().split('\n').map((l) => `stderr: ${l}`));
  if (r.code === 2 || !r.stdout) return lines.join('\n') + '\n';
  if (c.format === 'github') return [...lines, ...clean(r.stdout).trimEnd().split('\n')].join('\n') + '\n';
  if (c.argv?.[0] === 'plan') return [...lines, clean(r.stdout)].join('\n') + '\n';
  const report = JSON.parse(r.stdout) as Report;
  for (const f of report.files) lines.push(`file ${JSON.stringify(f.path)}: ${f.dialect ?? 'no dialect'}${f.reason ? ` (${clean(f.reason).slice(0, 400)})` : ''}`);
  for (const f of report.findings) {
    const message = clean(f.message).slice(0, 400);
    lines.push(`${JSON.stringify(f.path)}:${f.line}:${f.column} ${f.severity} ${f.ruleId}: ${message}`);
  }
  return lines.join('\n') + '\n';
}

describe.each(CASES.filter((c) => !c.skip).map((c) => [c.name, c] as const))('%s', (name, c) => {
  test('matches its golden outcome; nothing ran; nothing outside was shown', async () => {
    const outside = tempRepo({ 'secret.yaml': 'SECRET_CONTENT_7f3a: [unclosed\n', 'secret.json': '{"SECRET_CONTENT_7f3a": 1}' }, 'trainlint-outside-');
    const parent = fs.mkdtempSync(path.join(systemTmpdir(), 'trainlint-corpus-'));
    const repo = fs.realpathSync(path.join(parent));
    fs.mkdirSync(path.join(repo, 'repo'));
    const root = path.join(repo, 'repo');
    // `../outside` from the repository is the outside folder.
    fs.symlinkSync(outside, path.join(repo, 'outside'));
    const marker = path.join(outside, 'marker-should-not-exist');
    for (const [rel, content] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), typeof content === 'string' ? content.split('MARKER').join(marker) : content);
    }
    c.setup?.(root, outside, marker);
    const r = await runCliCapture([...(c.argv ?? []), ...(c.argv?.[0] === 'plan' ? [] : ['--format', c.format ?? 'json', '--no-baseline'])], root);
    let actual = render(c, r, root, outside, marker);
    for (const argv of c.more ?? []) actual += render({ ...c, argv }, await runCliCapture(argv, root), root, outside, marker);
    fs.rmSync(parent, { recursive: true, force: true });
    expect(fs.existsSync(marker)).toBe(false);
    expect(actual).not.toContain('SECRET_CONTENT_7f3a');
    expect(actual).not.toMatch(/internal error|Maximum call stack|\n\s+at \S+:\d+/);
    const file = path.join(GOLDEN, `${name}.txt`);
    if (UPDATE) {
      fs.mkdirSync(GOLDEN, { recursive: true });
      fs.writeFileSync(file, actual);
    }
    expect(actual).toBe(fs.readFileSync(file, 'utf8'));
  }, 30_000);
});
