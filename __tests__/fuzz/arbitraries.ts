/**
 * Hostile-input generators for the fuzz suite (fast-check arbitraries), one per defect class.
 * Each generates a small repository: files by path (text or bytes), never including `good.yaml`,
 * which the runner adds (a good config with one known finding that must survive next to them).
 * Shared by the property tests (__tests__/fuzz/*.test.ts) and the fuzz runner (bench/fuzz.mjs,
 * through __tests__/fuzz/worker.ts).
 */
import fc from 'fast-check';
import { MM_SCHEDULE, READER_CLASSES } from './reader-arbitraries';

export type Files = Record<string, string | Uint8Array>;

export interface FuzzInput {
  /** The defect class the input belongs to. */
  kind: string;
  files: Files;
  /** Config-level inputs may end in a usage error (exit 2, one line); file-level ones never do. */
  configLevel?: boolean;
}

/** Written into every injection attempt; its existence proves that something ran. */
export const MARKER = '__TRAINLINT_MARKER__';

const EXTENSIONS = ['yaml', 'yml', 'json', 'toml', 'sh'] as const;

/** A config body of one dialect with `value` in a key that is read as a number or a time. */
function withValue(dialect: number, value: string): [string, string] {
  switch (dialect) {
    case 0:
      return ['hf.yaml', `per_device_train_batch_size: 8\nlearning_rate: ${value}\nwarmup_ratio: "${value}"\nmax_steps: 100\nlr_scheduler_type: cosine\n`];
    case 1:
      return ['composer.yaml', `global_train_batch_size: 256\ndevice_train_microbatch_size: 8\nmax_duration: ${value}\nscheduler:\n  name: cosine_with_warmup\n  t_warmup: ${value}\noptimizer:\n  name: decoupled_adamw\n  lr: 6.0e-4\nmodel:\n  name: mpt_causal_lm\n`];
    case 2:
      return ['olmo.yaml', `model:\n  d_model: 256\noptimizer:\n  learning_rate: ${value}\nscheduler:\n  name: cosine_with_warmup\n  t_warmup: 100\nmax_duration: ${value}T\nglobal_train_batch_size: 512\ndevice_train_microbatch_size: 8\ndata:\n  paths: []\n`];
    case 3:
      return ['train.sh', `#!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 2 --global-batch-size 512 --lr ${value} --min-lr ${value} --train-iters ${value} --lr-warmup-iters 100 --lr-decay-style cosine\n`];
    case 4:
      return ['titan.toml', `[job]\ndump_folder = "./out"\n[optimizer]\nname = "AdamW"\nlr = "${value}"\n[training]\nlocal_batch_size = 8\nsteps = ${/^\d+$/.test(value) ? value : `"${value}"`}\n[lr_scheduler]\nwarmup_steps = 10\n`];
    case 5:
      return ['ds.json', JSON.stringify({ train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: value, optimizer: { type: 'AdamW', params: { lr: value } } })];
    // Issue #11 part 2: ms-swift, OpenRLHF (a `read -d ''` heredoc), MaxText dotlist, Levanter, fairseq, TRL GRPO.
    case 6:
      return ['swift.sh', `NPROC_PER_NODE=8 swift rlhf --rlhf_type grpo --model m --per_device_train_batch_size ${value} --num_generations ${value} --learning_rate ${value}\n`];
    case 7:
      return ['openrlhf.sh', `read -r -d '' cmd <<EOF\nopenrlhf.cli.train_sft --train_batch_size ${value} --micro_train_batch_size 2 --learning_rate ${value}\nEOF\ndeepspeed --num_gpus 8 --module $cmd\n`];
    case 8:
      return ['maxtext.sh', `python3 -m MaxText.train MaxText/configs/base.yml steps=${value} per_device_batch_size=${value} learning_rate_schedule_steps=${value}\n`];
    case 9:
      return ['levanter.yaml', `trainer:\n  mp: p=f32\n  train_batch_size: ${value}\n  num_train_steps: ${value}\noptimizer:\n  learning_rate: ${value}\n  warmup: ${value}\n`];
    case 10:
      return ['fairseq.sh', `CUDA_VISIBLE_DEVICES=0,1 fairseq-train data --arch transformer --max-tokens ${value} --update-freq ${value} --lr ${value} --lr-scheduler inverse_sqrt --max-update ${value}\n`];
    default:
      return ['grpo.yaml', `model_name_or_path: m\nuse_vllm: true\nnum_generations: ${value}\nper_device_train_batch_size: ${value}\ngeneration_batch_size: ${value}\n`];
  }
}

/** Long runs of digits with a character that breaks the number: `111…1x`, `1_1_…_1.`, `1.1.1…`. */
export const numericRuns: fc.Arbitrary<FuzzInput> = fc
  .record({
    unit: fc.constantFrom('1', '0', '1_', '1.', '9e', '1:', '10'),
    count: fc.integer({ min: 1, max: 200_000 }),
    prefix: fc.constantFrom('', '-', '+', '.', '0x'),
    suffix: fc.constantFrom('x', '.', '!', 'e', 'e-', '_', 'ba', 'T', 'ep', ''),
    dialect: fc.integer({ min: 0, max: 11 }),
  })
  .map(({ unit, count, prefix, suffix, dialect }) => {
    const value = prefix + unit.repeat(Math.ceil(count / unit.length)) + suffix;
    const [name, text] = withValue(dialect, value);
    return { kind: 'numeric runs', files: { [name]: text } };
  });

/** Anchors and aliases: fan-out (one big anchor aliased many times), chains, cycles, merges. */
export const aliases: fc.Arbitrary<FuzzInput> = fc
  .record({
    shape: fc.constantFrom('fan-out', 'chain', 'laughs', 'cycle', 'merge'),
    width: fc.integer({ min: 1, max: 3000 }),
    count: fc.integer({ min: 1, max: 3000 }),
  })
  .map(({ shape, width, count }) => {
    let text: string;
    if (shape === 'fan-out') {
      text = `big: &big [${Array.from({ length: width }, (_, i) => i % 10).join(', ')}]\nuses:\n${'  - *big\n'.repeat(count)}`;
    } else if (shape === 'chain') {
      const lines = ['a0: &a0 {x: 1}'];
      for (let i = 1; i <= Math.min(count, 2000); i++) lines.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
      text = lines.join('\n') + '\n';
    } else if (shape === 'laughs') {
      const fan = 2 + (width % 9);
      const levels = 2 + (count % 9);
      const lines = [`l0: &l0 [${Array(fan).fill('lol').join(', ')}]`];
      for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(fan).fill(`*l${i - 1}`).join(', ')}]`);
      text = lines.join('\n') + '\n';
    } else if (shape === 'cycle') {
      text = `a: &a [1, *a]\nb: &b {k: *b}\n`;
    } else {
      const lines = ['base: &base {learning_rate: 1.0e-4, per_device_train_batch_size: 8}'];
      for (let i = 1; i <= Math.min(count, 2000); i++) lines.push(`m${i}: &m${i} {<<: [*base, *${i > 1 ? `m${i - 1}` : 'base'}], k${i}: ${i}}`);
      text = lines.join('\n') + '\n';
    }
    return { kind: 'aliases', files: { 'aliases.yaml': `per_device_train_batch_size: 8\n${text}` } };
  });

/** Deep nesting in every format, closed or not. */
export const nesting: fc.Arbitrary<FuzzInput> = fc
  .record({ format: fc.constantFrom('yaml-flow', 'yaml-block', 'json-array', 'json-object', 'toml', 'python'), depth: fc.integer({ min: 1, max: 20_000 }), closed: fc.boolean() })
  .map(({ format, depth, closed }) => {
    const close = (open: string, shut: string, inner = '1') => open.repeat(depth) + (closed ? inner + shut.repeat(depth) : '');
    const d = Math.min(depth, 3000);
    const files: Files =
      format === 'yaml-flow'
        ? { 'deep.yaml': `x: ${close('[', ']')}\n` }
        : format === 'yaml-block'
          ? { 'deep.yaml': Array.from({ length: d }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n' }
          : format === 'json-array'
            ? { 'deep.json': close('[', ']') }
            : format === 'json-object'
              ? { 'deep.json': close('{"a":', '}') }
              : format === 'toml'
                ? { 'deep.toml': `a = ${close('[', ']')}\n` }
                : { 'config/deep.py': `batch_size = ${close('[', ']')}\n` };
    return { kind: 'nesting', files };
  });

/** One key written many times, in every structured format. */
export const duplicateFloods: fc.Arbitrary<FuzzInput> = fc
  .record({ format: fc.constantFrom('yaml', 'json', 'toml', 'python'), count: fc.integer({ min: 2, max: 30_000 }), key: fc.constantFrom('a', 'learning_rate', '__proto__', 'constructor') })
  .map(({ format, count, key }) => {
    const files: Files =
      format === 'yaml'
        ? { 'dup.yaml': `per_device_train_batch_size: 8\n${`${key}: 1\n`.repeat(count)}` }
        : format === 'json'
          ? { 'dup.json': `{"per_device_train_batch_size": 8, ${Array(count).fill(`"${key}": 1`).join(', ')}}` }
          : format === 'toml'
            ? { 'dup.toml': `${key.replace(/_/g, '') || 'a'} = 1\n`.repeat(count) }
            : { 'config/dup.py': `${key === '__proto__' ? 'a' : key} = 1\n`.repeat(count) };
    return { kind: 'duplicate floods', files };
  });

const NAME_PIECES = ['a', 'b', '\n', '\r', '\x1b[31m', '\x1b]8;;http://x\x07', '::error::', '%0A', ',', ':', ' ', '日本', '\u202e', '#', '$(x)', '`x`', '..', '-', '.', '\t', '"', "'"];

/** Long and odd file names (line breaks, controls, workflow-command syntax), each with a good config. */
export const longNames: fc.Arbitrary<FuzzInput> = fc
  .record({
    pieces: fc.array(fc.constantFrom(...NAME_PIECES), { minLength: 1, maxLength: 12 }),
    pad: fc.integer({ min: 0, max: 230 }),
    ext: fc.constantFrom(...EXTENSIONS),
    deep: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ pieces, pad, ext, deep }) => {
    const base = (pieces.join('') + 'x'.repeat(pad)).replace(/\//g, '_').slice(0, 240) || 'x';
    const safe = base === '.' || base === '..' ? `${base}x` : base;
    const dir = Array.from({ length: deep }, (_, i) => `d${i}`).join('/');
    const name = `${dir ? `${dir}/` : ''}${safe}.${ext}`;
    const body = ext === 'json' ? JSON.stringify({ train_micro_batch_size_per_gpu: 4 }) : ext === 'toml' ? '[job]\nname = "x"\n' : ext === 'sh' ? '#!/bin/bash\necho hi\n' : 'per_device_train_batch_size: 8\n';
    return { kind: 'long names', files: { [name]: body } };
  });

/** Bytes that are not text: NUL, invalid UTF-8, a lone BOM, CR-only line ends, random bytes. */
export const oddBytes: fc.Arbitrary<FuzzInput> = fc
  .record({
    bytes: fc.uint8Array({ minLength: 0, maxLength: 4096 }),
    prefix: fc.constantFrom('', '\ufeff', 'per_device_train_batch_size: 8\r', '{"a": "', 'a = "'),
    ext: fc.constantFrom(...EXTENSIONS),
  })
  .map(({ bytes, prefix, ext }) => {
    const head = new TextEncoder().encode(prefix);
    const all = new Uint8Array(head.length + bytes.length);
    all.set(head);
    all.set(bytes, head.length);
    return { kind: 'odd bytes', files: { [`odd.${ext}`]: all } };
  });

/** Code-injection attempts in every format; none may create the marker file. */
export function injection(markerPath: string): fc.Arbitrary<FuzzInput> {
  const touch = `touch ${markerPath}`;
  const attempts: Files[] = [
    { 'run.sh': `#!/bin/bash\nX=$(${touch})\nY=\`${touch}\`\neval "${touch}"\ntorchrun --nproc_per_node $(${touch}; echo 4) -m open_clip_train.main --batch-size \`${touch}\` --lr \${LR:-$(${touch})}\n` },
    { 'evil.yaml': `a: !!python/object/apply:os.system ["${touch}"]\nb: !!python/object/new:subprocess.Popen [["touch", "${markerPath}"]]\nlearning_rate: !!python/name:os.system\n` },
    { 'config/evil.py': `import os\nos.system("${touch}")\n__import__("os").system("${touch}")\nbatch_size = eval("__import__('os').system('${touch}')")\nexec("${touch}")\n` },
    { 'evil.toml': `[job]\nname = "$(${touch})"\ncmd = """\n\`${touch}\`\n"""\n` },
    { 'evil.json': JSON.stringify({ deepspeed: `$(${touch})`, lr: `\`${touch}\``, train_batch_size: `{{${touch}}}` }) },
    { 'omega.yaml': `lr: \${oc.env:HOME}\nx: \${eval:'__import__("os").system("${touch}")'}\ny: \${oc.create:{a: 1}}\nper_device_train_batch_size: 8\n` },
    { '.trainlint.yml': `files: ['*$(${touch})*', '**']\nschemas:\n  - files: '*.yaml'\n    schema: "$(${touch}).json"\n` },
    // Static Python configs (MMEngine, detectron2 LazyConfig): calls, imports, f-strings, placeholders.
    {
      'configs/evil.py': `${MM_SCHEDULE}import os, subprocess\nfrom os import system\nsystem("${touch}")\nmodel = dict(type=__import__("os").system("${touch}"), name=f"{os.system('${touch}')}")\nlr = (lambda: os.system("${touch}"))()\n_base_ = [f"{os.system('${touch}')}.py"]\nbatch = {{_base_.__class__.__init__.__globals__}}\nsubprocess.run(["touch", "${markerPath}"])\nexec(compile("import os; os.system('${touch}')", "x", "exec"))\n`,
    },
    { 'configs/lazy.py': `from detectron2.config import LazyCall as L\nimport os\ncmd = L(os.system)(command="${touch}")\ntrain = dict(max_iter=__import__("os").system("${touch}"))\n` },
    // Hydra: resolvers that would run code, `_target_` instantiation, overrides with shell syntax.
    {
      'conf/main.yaml': `trainer:\n  total_epochs: \${oc.env:HOME}\n  nnodes: \${eval:'__import__("os").system("${touch}")'}\n  n_gpus_per_node: \${python:os.system('${touch}')}\nrun:\n  _target_: os.system\n  _args_: ["${touch}"]\ndata:\n  train_batch_size: \${oc.decode:'\${oc.env:X}'}\n`,
      'run.sh': `#!/bin/bash\npython3 -m verl.trainer.main_ppo --config-path=$(pwd)/conf --config-name=main "+cmd=$(${touch})" hydra.run.dir='$(${touch})' '+x=\${oc.env:HOME}' trainer.nnodes=\`${touch}\` +y=\${eval:'os.system("${touch}")'}\n`,
    },
    // Ultralytics: model.train(…) arguments and yolo commands.
    { 'config/train.py': `from ultralytics import YOLO\nimport os\nmodel = YOLO("yolo11n.pt")\nmodel.train(data=__import__("os").system("${touch}"), epochs=os.system("${touch}"), batch=16)\n` },
    { 'yolo.sh': `#!/bin/bash\nyolo train model=yolo11n.pt data=$(${touch}) epochs=\`${touch}\` batch=$(($(${touch})))\n` },
    // Issue #11 part 2: a heredoc read into a variable, MaxText dotlist values, a package pin, draccus tags.
    { 'rl.sh': `read -r -d '' cmd <<EOF\nopenrlhf.cli.train_sft --train_batch_size $(${touch}) --learning_rate \`${touch}\`\nEOF\ndeepspeed --module $cmd\npython3 -m MaxText.train MaxText/configs/base.yml run_name=$(${touch}) steps=\`${touch}\`\nNPROC_PER_NODE=$(${touch}) swift sft --model m\n` },
    { 'requirements.txt': `trl==$(${touch})\n`, 'setup.py': `import os\nos.system("${touch}")\nsetup(install_requires=["trl==0.16.1"])\n`, 'grpo.yaml': `num_generations: 7\nuse_vllm: true\nper_device_train_batch_size: 8\n` },
    { 'levanter.yaml': `trainer:\n  mp: p=f32\n  num_train_steps: !!python/object/apply:os.system ["${touch}"]\noptimizer:\n  learning_rate: 1E-3\ndata: !include $(${touch}).yaml\n` },
  ];
  return fc.constantFrom(...attempts).map((files) => ({ kind: 'injection', files, configLevel: '.trainlint.yml' in files }));
}

const GLOB_PIECES = ['*', '**', '?', '[a-z]', '[!a]', '{a,b}', '{1..9}', '@(a|b)', '+(a)', 'a', '/', '\\*', '.', '!', '(', ')', '[', '{'];

/** Wildcard-heavy globs in `.trainlint.yml` against long names. */
export const globs: fc.Arbitrary<FuzzInput> = fc
  .record({
    patterns: fc.array(fc.array(fc.constantFrom(...GLOB_PIECES), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 5 }),
    name: fc.integer({ min: 1, max: 200 }),
    where: fc.constantFrom('files', 'ignore'),
  })
  .map(({ patterns, name, where }) => {
    const list = patterns.map((p) => JSON.stringify(p.join(''))).join(', ');
    return {
      kind: 'globs',
      configLevel: true,
      files: { '.trainlint.yml': `${where}: [${list}]\n`, [`${'a'.repeat(name)}.yaml`]: 'per_device_train_batch_size: 8\n' },
    };
  });

/** Every class, for the runner (which adds the injection marker path). */
export function allClasses(markerPath: string): Record<string, fc.Arbitrary<FuzzInput>> {
  return {
    aliases,
    'numeric runs': numericRuns,
    nesting,
    'duplicate floods': duplicateFloods,
    'long names': longNames,
    'odd bytes': oddBytes,
    injection: injection(markerPath),
    globs,
    ...READER_CLASSES,
  };
}
