/** `--fix` / `--fix-dry-run` as a CLI contract: patches git applies, exit codes, baselines, several launches. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture as cli } from './helpers/run-cli';
import { unifiedDiff } from '../src/engine/fix';

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fixcli-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const REF = `output_dir: ./out
per_device_train_batch_size: 8
gradient_accumulation_steps: 1
learning_rate: 2.0e-5
optim: adamw_torch
max_steps: 5000
warmup_steps: 400
`;
// The batch went ×4 against ref.yaml; the LR and warmup are the last lines.
const HEAD = `# trainlint: reference=ref.yaml
output_dir: ./out
per_device_train_batch_size: 32
gradient_accumulation_steps: 1
optim: adamw_torch
max_steps: 5000
warmup_steps: 400
learning_rate: 2.0e-5
`;

const ASSUME = 'assume: { worldSize: 1 }\n';

function gitApplies(dir: string, patch: string): void {
  execFileSync('git', ['init', '-q'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'x.patch'), patch);
  execFileSync('git', ['apply', '--check', 'x.patch'], { cwd: dir });
}

describe('--fix-dry-run', () => {
  test.each([
    ['with a final newline', HEAD],
    ['without a final newline', HEAD.slice(0, -1)],
  ])('a change on the last line gives a patch git applies (%s)', async (_, head) => {
    const dir = tempRepo({ 'ref.yaml': REF, 'head.yaml': head, '.trainlint.yml': ASSUME });
    const r = await cli(['head.yaml', '--fix-dry-run', '--no-baseline'], dir);
    expect(r.stdout).toContain('+learning_rate: 4.0e-5');
    gitApplies(dir, r.stdout);
  });

  test('unifiedDiff counts only the lines that exist and marks a missing final newline', () => {
    expect(unifiedDiff('f', 'a\nb\n', 'a\nc\n')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
    expect(unifiedDiff('f', 'a\nb', 'a\nc')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n');
  });

  test('the exit code follows --fail-on; -o writes the diff; --format is refused', async () => {
    const dir = tempRepo({ 'ref.yaml': REF, 'head.yaml': HEAD, '.trainlint.yml': ASSUME });
    const r = await cli(['.', '--fix-dry-run', '--no-baseline'], dir);
    expect(r.code).toBe(1);
    expect((await cli(['.', '--fix-dry-run', '--no-baseline', '--fail-on', 'never'], dir)).code).toBe(0);
    const o = await cli(['.', '--fix-dry-run', '--no-baseline', '-o', 'fixes.patch'], dir);
    expect(o.stdout).toBe('');
    expect(fs.readFileSync(path.join(dir, 'fixes.patch'), 'utf8')).toBe(r.stdout);
    const sarif = await cli(['.', '--fix-dry-run', '--format', 'sarif'], dir);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toContain('--format sarif does not apply');
  });

  test('findings hidden by the baseline are not fixed', async () => {
    const dir = tempRepo({ 'ref.yaml': REF, 'head.yaml': HEAD, '.trainlint.yml': ASSUME });
    await cli(['.', '--update-baseline'], dir);
    const dry = await cli(['.', '--fix-dry-run'], dir);
    expect(dry.stdout).toBe('');
    expect(dry.code).toBe(0);
    await cli(['.', '--fix'], dir);
    expect(fs.readFileSync(path.join(dir, 'head.yaml'), 'utf8')).toBe(HEAD);
  });
});

describe('--fix on a config several launch scripts start', () => {
  test('values the launches want differently are left, with the reason', async () => {
    const sft = `# trainlint: reference=ref.yaml
output_dir: ./out
per_device_train_batch_size: 8
gradient_accumulation_steps: 1
learning_rate: 2.0e-5
optim: adamw_torch
max_steps: 5000
warmup_steps: 400
`;
    const dir = tempRepo({
      'ref.yaml': REF,
      'sft.yaml': sft,
      'launch4.sh': '#!/bin/bash\ntorchrun --nproc_per_node 4 train.py sft.yaml\n',
      'launch16.sh': '#!/bin/bash\ntorchrun --nproc_per_node 16 train.py sft.yaml\n',
      'launchref.sh': '#!/bin/bash\ntorchrun --nproc_per_node 1 train.py ref.yaml\n',
    });
    const r = await cli(['.', '--fix', '--no-baseline'], dir);
    expect(fs.readFileSync(path.join(dir, 'sft.yaml'), 'utf8')).toBe(sft);
    expect(r.stderr).toMatch(/sft\.yaml:5:\d+: not fixed: the launches of this file want different values \(.*launch16\.sh.*launch4\.sh|sft\.yaml:5:\d+: not fixed: the launches of this file want different values \(.*launch4\.sh.*launch16\.sh/);
  });
});
