/** `--fix` edits literal text only, in the type it is written, and writes final spellings at once. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture as cli } from './helpers/run-cli';
import { applyEdits } from '../src/engine/fix';
import { numberSpelling } from '../src/rules/yaml11-ambiguous-scalar';

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fixlit-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const at = (line: number, column: number, endColumn: number) => ({ line, column, endLine: line, endColumn });

describe('applyEdits', () => {
  test('a quoted number stays a quoted string', () => {
    expect(applyEdits('{"unet_lr": "1e-4"}\n', [{ range: at(1, 13, 19), text: '2e-4' }]).text).toBe('{"unet_lr": "2e-4"}\n');
  });

  test('a number is never written over an expression or an expansion', () => {
    expect(applyEdits('lr = base_lr * 2\n', [{ range: at(1, 6, 17), text: '8e-2' }])).toEqual({ text: 'lr = base_lr * 2\n', applied: 0 });
    expect(applyEdits('--warmup $((5000*2))\n', [{ range: at(1, 10, 21), text: '3636' }]).applied).toBe(0);
    // A replacement that is not a number (yaml11's `true`) is not concerned.
    expect(applyEdits('x: yes\n', [{ range: at(1, 4, 7), text: 'true' }]).text).toBe('x: true\n');
  });
});

describe('yaml11-ambiguous-scalar spelling', () => {
  test.each([
    ['1_0e-4', '10.0e-4'],
    ['1_000e3', '1000.0e+3'],
    ['1e-4', '1.0e-4'],
    ['1_000.5', '1000.5'],
  ])('%s is written %s at once', (written, spelled) => {
    expect(numberSpelling(written)).toBe(spelled);
    expect(numberSpelling(spelled)).toBe(spelled);
  });

  test('--fix twice: the second changes nothing', async () => {
    const dir = tempRepo({ 'infra.yaml': 'a: 1_0e-4\nb: 1_000e3\n', '.trainlint.yml': 'schemas:\n  - files: "*.yaml"\n    schema: schema.json\n', 'schema.json': '{"type": "object"}\n' });
    await cli(['--fix', '--no-baseline'], dir);
    const once = fs.readFileSync(path.join(dir, 'infra.yaml'), 'utf8');
    expect(once).toBe('a: 10.0e-4\nb: 1000.0e+3\n');
    expect((await cli(['--fix', '--no-baseline'], dir)).stderr).toContain('applied 0 fix(es)');
  });
});

describe('--fix leaves computed values', () => {
  test('nanoGPT: `learning_rate = learning_rate * 2` and `warmup_iters = warmup_iters + 1000` are not replaced', async () => {
    const ref = 'batch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 40\nmax_iters = 600000\nlr_decay_iters = 600000\nlearning_rate = 6e-4\nmin_lr = 6e-5\nwarmup_iters = 2000\n';
    const aug =
      '# trainlint: reference=train_ref.py\nbatch_size = 24\nblock_size = 1024\ngradient_accumulation_steps = 40\nmax_iters = 600000\nlr_decay_iters = 600000\n' +
      'learning_rate = 3e-4\nlearning_rate = learning_rate * 2\nmin_lr = 6e-5\nwarmup_iters = 1000\nwarmup_iters = warmup_iters + 1000\n';
    const dir = tempRepo({ 'config/train_ref.py': ref, 'config/train_aug.py': aug, 'train.py': '# nanoGPT\nexec(open("configurator.py").read())\n' });
    const report = await cli(['config/train_aug.py', '--no-baseline'], dir);
    expect(report.stdout).toContain('lr-not-rescaled');
    const dry = await cli(['config/train_aug.py', '--fix-dry-run', '--no-baseline'], dir);
    expect(dry.stdout).toBe('');
  });

  test('shell: `--warmup $((5000*2))` is not replaced', async () => {
    const a100 = '#!/bin/bash\ntorchrun --nproc_per_node 4 -m open_clip_train.main \\\n    --train-num-samples 10000000 --dataset-type webdataset \\\n    --batch-size 800 --lr 5e-4 --warmup 10000 --epochs 30\n';
    const h100 = '#!/bin/bash\n# trainlint: reference=a100.sh\ntorchrun --nproc_per_node 4 -m open_clip_train.main \\\n    --train-num-samples 10000000 --dataset-type webdataset \\\n    --batch-size 2200 --lr 5e-4 --warmup $((5000*2)) --epochs 30\n';
    const dir = tempRepo({ 'a100.sh': a100, 'h100.sh': h100 });
    const dry = await cli(['h100.sh', '--fix-dry-run', '--no-baseline'], dir);
    expect(dry.stdout).toContain('+    --batch-size 2200 --lr 8.292e-4 --warmup $((5000*2)) --epochs 30');
  });

  test('YAML: an anchored value its aliases read too is not edited', async () => {
    const ref = 'output_dir: ./out\nper_device_train_batch_size: 8\nlearning_rate: 2.0e-5\noptim: adamw_torch\nmax_steps: 5000\nwarmup_steps: 400\n';
    const head = '# trainlint: reference=ref.yaml\noutput_dir: ./out\nper_device_train_batch_size: 32\nlearning_rate: 2.0e-5\noptim: adamw_torch\nmax_steps: 5000\nwarmup_steps: &w 400\neval_steps: *w\n';
    const dir = tempRepo({ 'ref.yaml': ref, 'head.yaml': head, '.trainlint.yml': 'assume: { worldSize: 1 }\n' });
    const dry = await cli(['head.yaml', '--fix-dry-run', '--no-baseline'], dir);
    expect(dry.stdout).toContain('+learning_rate: 4.0e-5');
    expect(dry.stdout).not.toContain('+warmup_steps');
  });
});
