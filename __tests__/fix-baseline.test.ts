/** `--fix` / `--fix-dry-run` round trips and baselines, through the CLI on temp folders. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import type { Report } from '../src/engine/report-types';
import { fingerprint, legacyFingerprint } from '../src/engine/baseline';
import { lint } from '../src/engine/lint';
import type { Finding } from '../src/engine/types';

const EXAMPLES = path.join(__dirname, '..', 'examples', 'openclip-a100-to-h100');

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fix-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const cli = runCliCapture;

async function ruleIds(cwd: string): Promise<string[]> {
  const r = await cli(['--format', 'json', '--no-baseline'], cwd);
  return (JSON.parse(r.stdout) as Report).findings.map((f) => `${f.path} ${f.ruleId}`);
}

const YAML_WITH_COMMENTS = `# SFT run, tuned on 2026-10-01
output_dir: ./out   # where checkpoints go
per_device_train_batch_size: 8
learning_rate: 1e-4  # tuned; do not touch
max_steps: 5000
warmup_steps: 100
lr_scheduler_type: cosine
`;

describe('--fix', () => {
  test('yaml11-ambiguous-scalar: only the value changes, byte for byte; a second fix changes nothing', async () => {
    const dir = tempRepo({ 'sft.yaml': YAML_WITH_COMMENTS });
    // One cause: the schema error on the string `1e-4` stands for the yaml11 finding on it (a related location).
    const report = JSON.parse((await cli(['--format', 'json', '--no-baseline'], dir)).stdout) as Report;
    expect(report.findings.map((f) => `${f.path} ${f.ruleId} ${(f.related ?? []).length}`)).toEqual(['sft.yaml schema 1']);
    expect(report.findings[0].related![0].message).toContain('PyYAML (YAML 1.1) loads `1e-4` as the string');
    const first = await cli(['--fix'], dir);
    expect(first.stderr).toContain('applied 1 fix(es) in 1 file(s)');
    const after = fs.readFileSync(path.join(dir, 'sft.yaml'), 'utf8');
    expect(after).toBe(YAML_WITH_COMMENTS.replace('1e-4', '1.0e-4'));
    expect(await ruleIds(dir)).toEqual([]);
    const second = await cli(['--fix'], dir);
    expect(second.stderr).toContain('applied 0 fix(es)');
    expect(fs.readFileSync(path.join(dir, 'sft.yaml'), 'utf8')).toBe(after);
  });

  test('yaml11-ambiguous-scalar: an anchored scalar and its aliases are one finding, at the anchor', async () => {
    const text = [
      'base_model: meta-llama/Llama-3.1-8B',
      'datasets:',
      '  - path: data/train.jsonl',
      '    type: alpaca',
      'micro_batch_size: 2',
      'num_epochs: 1',
      'learning_rate: 0.0002',
      'comment_a: &flag yes',
      'comment_b: *flag',
      'comment_c: [*flag, *flag]',
      '',
    ].join('\n');
    const dir = tempRepo({ 'train.yaml': text });
    const report = JSON.parse((await cli(['--format', 'json', '--no-baseline'], dir)).stdout) as Report;
    const yaml11 = report.findings.filter((f) => f.ruleId === 'yaml11-ambiguous-scalar');
    expect(yaml11.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([
      '8:18 PyYAML (axolotl\'s yaml.safe_load, before pydantic) loads `yes` as the boolean true, YAML 1.2 loaders as the string "yes": write `true` if a boolean is meant, or `"yes"` if the setting takes a string',
    ]);
  });

  test('the OpenCLIP story: --fix rescales lr (sqrt for AdamW) and warmup, then the run is clean', async () => {
    const a100 = fs.readFileSync(path.join(EXAMPLES, 'a100.sh'), 'utf8');
    const h100 = fs.readFileSync(path.join(EXAMPLES, 'h100.sh'), 'utf8');
    const dir = tempRepo({ 'a100.sh': a100, 'h100.sh': h100 });
    const before = await ruleIds(dir);
    // The warmup's share and its lost scaling are one finding (group-findings.ts pairWarmupFindings) with one value.
    expect(before).toEqual(expect.arrayContaining(['h100.sh lr-not-rescaled', 'h100.sh warmup-not-rescaled']));
    expect(before).not.toContain('h100.sh warmup-fraction');
    const fixed = await cli(['--fix'], dir);
    expect(fixed.stderr).toContain('applied 2 fix(es) in 1 file(s)');
    const after = fs.readFileSync(path.join(dir, 'h100.sh'), 'utf8');
    expect(after).toBe(h100.replace('--lr 5e-4', '--lr 8.292e-4').replace('--warmup 10000', '--warmup 3636'));
    expect(fs.readFileSync(path.join(dir, 'a100.sh'), 'utf8')).toBe(a100);
    expect(await ruleIds(dir)).toEqual([]);
    expect((await cli(['--fix'], dir)).stderr).toContain('applied 0 fix(es)');
  });

  test('scaling: linear makes --fix use the linear rule', async () => {
    const dir = tempRepo({
      'a100.sh': fs.readFileSync(path.join(EXAMPLES, 'a100.sh'), 'utf8'),
      'h100.sh': fs.readFileSync(path.join(EXAMPLES, 'h100.sh'), 'utf8'),
      '.trainlint.yml': 'rules:\n  lr-not-rescaled: [error, { scaling: linear }]\n',
    });
    await cli(['--fix'], dir);
    expect(fs.readFileSync(path.join(dir, 'h100.sh'), 'utf8')).toContain('--lr 1.375e-3 \\');
  });

  // OmegaConf and jsonargparse configs: the LR literal under the key is rewritten, nothing else.
  test.each([
    ['torchtune', '8B_full_gas4.yaml', 'lr: 2e-5', 'lr: 4e-5'],
    ['composer', 'mpt-125m-gbs512.yaml', 'lr: 6.0e-4', 'lr: 8.485e-4'],
    ['lightning', 'gpt-pretrain-8nodes.yaml', 'lr: 6e-4', 'lr: 8.485e-4'],
    ['olmo', 'OLMo-20M-gbs2048.yaml', 'learning_rate: 6.0e-4', 'learning_rate: 8.485e-4'],
  ])('lr-not-rescaled --fix in %s rewrites the LR literal in place', async (dialect, target, before, after) => {
    const src = path.join(__dirname, 'golden', 'lr-not-rescaled', `bad-${dialect}`);
    const files = Object.fromEntries(
      fs.readdirSync(src).filter((f) => f !== 'expected.txt').map((f) => [f, fs.readFileSync(path.join(src, f), 'utf8')]),
    );
    expect(files[target]).toContain(before);
    const dir = tempRepo(files);
    expect(await ruleIds(dir)).toContain(`${target} lr-not-rescaled`);
    await cli(['--fix'], dir);
    const text = fs.readFileSync(path.join(dir, target), 'utf8');
    expect(text).toContain(after);
    expect(text.split('\n').length).toBe(files[target].split('\n').length);
    expect(await ruleIds(dir)).not.toContain(`${target} lr-not-rescaled`);
  });

  test('values that come from a variable are not rewritten', async () => {
    const a100 = fs.readFileSync(path.join(EXAMPLES, 'a100.sh'), 'utf8');
    const h100 = fs.readFileSync(path.join(EXAMPLES, 'h100.sh'), 'utf8').replace('#!/bin/bash\n', '#!/bin/bash\nLR=5e-4\n').replace('--lr 5e-4', '--lr $LR');
    const dir = tempRepo({ 'a100.sh': a100, 'h100.sh': h100 });
    await cli(['--fix'], dir);
    const after = fs.readFileSync(path.join(dir, 'h100.sh'), 'utf8');
    expect(after).toContain('LR=5e-4\n');
    expect(after).toContain('--lr $LR');
    expect(after).toContain('--warmup 3636');
    expect(await ruleIds(dir)).toContain('h100.sh lr-not-rescaled');
  });

  test('--fix-dry-run prints a unified diff and writes nothing', async () => {
    const dir = tempRepo({ 'sft.yaml': YAML_WITH_COMMENTS });
    const r = await cli(['--fix-dry-run'], dir);
    // The exit code is the lint's (the schema error on `1e-4` is still there): 0 means clean.
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      '--- a/sft.yaml\n+++ b/sft.yaml\n@@ -2,5 +2,5 @@\n output_dir: ./out   # where checkpoints go\n per_device_train_batch_size: 8\n' +
        '-learning_rate: 1e-4  # tuned; do not touch\n+learning_rate: 1.0e-4  # tuned; do not touch\n max_steps: 5000\n warmup_steps: 100\n',
    );
    expect(fs.readFileSync(path.join(dir, 'sft.yaml'), 'utf8')).toBe(YAML_WITH_COMMENTS);
  });
});

describe('baseline', () => {
  test('recorded findings are hidden, independent of line numbers; fixed ones are counted; new ones reported', async () => {
    const text = YAML_WITH_COMMENTS.replace('max_steps: 5000', 'max_steps: 80');
    const dir = tempRepo({ 'sft.yaml': text });
    const first = await cli(['--format', 'json'], dir);
    expect(first.code).toBe(1);
    const update = await cli(['--update-baseline'], dir);
    expect(update.code).toBe(0);
    // The warmup and the default save interval (500) both exceed the 80-step run: one grouped finding; the
    // schema error on the string `1e-4` stands for the yaml11 finding on it: one finding.
    expect(update.stderr).toMatch(/recorded 2 finding\(s\) in \.trainlint-baseline\.json/);
    const baseline = JSON.parse(fs.readFileSync(path.join(dir, '.trainlint-baseline.json'), 'utf8'));
    expect(baseline.fingerprints).toBe(2);
    expect(baseline.findings.map((e: { ruleId: string }) => e.ruleId).sort()).toEqual(['schema', 'warmup-exceeds-training']);

    const hidden = await cli([], dir);
    expect(hidden.code).toBe(0);
    expect(hidden.stderr).toContain('2 finding(s) hidden by .trainlint-baseline.json');

    // Lines move: still hidden.
    fs.writeFileSync(path.join(dir, 'sft.yaml'), '# moved down\n\n' + text);
    expect((await cli([], dir)).code).toBe(0);

    // One problem fixed, a new one added.
    fs.writeFileSync(path.join(dir, 'sft.yaml'), '# moved down\n\n' + text.replace('1e-4', '1.0e-4').replace('lr_scheduler_type: cosine', 'lr_scheduler_type: cosine\nbf16: on'));
    const later = await cli(['--format', 'json'], dir);
    const report = JSON.parse(later.stdout) as Report;
    expect(report.findings.map((f) => f.ruleId)).toEqual(['yaml11-ambiguous-scalar']);
    expect(report.findings[0].message).toContain('`on`');
    // Hidden: the grouped warmup-exceeds-training; fixed: the schema error (with its yaml11 part) on `1e-4`.
    expect(later.stderr).toContain('1 finding(s) hidden');
    expect(later.stderr).toContain('1 baselined finding(s) no longer occur');

    expect((await cli(['--no-baseline', '--format', 'json'], dir)).stdout).toContain('warmup-exceeds-training');
  });

  test("fingerprints do not depend on the message's wording, but on the numbers behind it", () => {
    const text = 'max_steps: 80\nwarmup_steps: 100\n';
    const texts = new Map([['sft.yaml', text]]);
    const f: Finding = { ruleId: 'warmup-exceeds-training', severity: 'error', message: 'old wording', path: 'sft.yaml', range: { line: 2, column: 1, endLine: 2, endColumn: 13 }, data: { warmupSteps: 100, totalSteps: 80 } };
    expect(fingerprint({ ...f, message: 'new wording, same problem' }, texts)).toBe(fingerprint(f, texts));
    expect(fingerprint({ ...f, data: { warmupSteps: 100, totalSteps: 90 } }, texts)).not.toBe(fingerprint(f, texts));
    // The line does not count, the key does.
    expect(fingerprint(f, new Map([['sft.yaml', `# moved\n${text}`]]))).not.toBe(fingerprint(f, texts));
    expect(fingerprint({ ...f, range: { ...f.range, line: 3, endLine: 3 } }, new Map([['sft.yaml', `# moved\n${text}`]]))).toBe(fingerprint(f, texts));
  });

  test('a baseline written by the previous version (message-based fingerprints) is still accepted, grouped findings included', async () => {
    const text = YAML_WITH_COMMENTS.replace('max_steps: 5000', 'max_steps: 80');
    const dir = tempRepo({ 'sft.yaml': text });
    const { results } = await lint({ root: dir, paths: [], config: {} });
    const texts = new Map(results.map((r) => [r.file.path, r.file.text]));
    const findings = results.flatMap((r) => r.findings);
    const grouped = findings.find((f) => f.merged && f.ruleId !== 'schema');
    expect(grouped?.merged?.map((m) => m.ruleId).sort()).toEqual(['interval-exceeds-training', 'warmup-exceeds-training']);
    // The schema error on `1e-4` stands for itself and the yaml11 finding on the same scalar.
    expect(findings.find((f) => f.ruleId === 'schema')?.merged?.map((m) => m.ruleId)).toEqual(['schema', 'yaml11-ambiguous-scalar']);
    // What the previous version wrote: one entry per finding, hashed with its message (then worded
    // differently, so only the schema and yaml11 hashes still match; the other two match by rule).
    const old = {
      version: 1,
      findings: [
        ...findings
          .flatMap((f) => (f.ruleId === 'schema' ? (f.merged ?? [f]) : f.merged ? [] : [f]))
          .map((f) => ({ path: f.path, ruleId: f.ruleId, fingerprint: legacyFingerprint(f, texts), count: 1 })),
        { path: 'sft.yaml', ruleId: 'warmup-exceeds-training', fingerprint: 'a'.repeat(24), count: 1 },
        { path: 'sft.yaml', ruleId: 'interval-exceeds-training', fingerprint: 'b'.repeat(24), count: 1 },
      ],
    };
    fs.writeFileSync(path.join(dir, '.trainlint-baseline.json'), JSON.stringify(old));
    const r = await cli(['--format', 'json'], dir);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).findings).toEqual([]);
    expect(r.stderr).toContain('2 finding(s) hidden');
    expect(r.stderr).not.toContain('no longer occur');
    // An old baseline that knew only one of the merged findings does not hide the group.
    fs.writeFileSync(path.join(dir, '.trainlint-baseline.json'), JSON.stringify({ ...old, findings: old.findings.filter((e) => e.ruleId !== 'interval-exceeds-training') }));
    const partial = await cli(['--format', 'json'], dir);
    expect((JSON.parse(partial.stdout) as Report).findings.map((f) => f.ruleId)).toEqual(['warmup-exceeds-training']);
    expect(partial.stderr).toContain('1 baselined finding(s) no longer occur');
  });

  test('a broken baseline file is a usage error', async () => {
    const dir = tempRepo({ 'sft.yaml': YAML_WITH_COMMENTS, '.trainlint-baseline.json': '{"nope": 1}' });
    const r = await cli([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a trainlint baseline/);
  });
});
