/**
 * A baseline and a run that lints some files only (pre-commit lints the staged ones): the entries
 * of the other files are neither "no longer occurring" nor dropped; those of a deleted file are.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import type { Baseline } from '../src/engine/baseline';
import { baselineOf, hideBaselined } from '../src/engine/baseline-results';
import { lint } from '../src/engine/lint';

// A duplicate key whose second value wins (an error), in the shape of an HF Trainer recipe.
const DUPLICATE_LR = 'model_name_or_path: meta-llama/Llama-3.2-1B\noutput_dir: out\nlearning_rate: 2.0e-5\nlearning_rate: 3.0e-5\n';

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-baseline-scope-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function baselineOfWholeRepo(dir: string): Promise<Baseline> {
  const { results } = await lint({ root: dir, paths: [], config: {} });
  return baselineOf(results).baseline;
}

describe('baseline and a subset of files', () => {
  test('linting a.yaml alone does not call the entries of b.yaml "no longer occurring"', async () => {
    const dir = tempRepo({ 'a.yaml': DUPLICATE_LR, 'b.yaml': DUPLICATE_LR });
    expect((await runCliCapture(['--update-baseline'], dir)).stderr).toContain('recorded 2 finding(s)');
    const one = await runCliCapture(['a.yaml'], dir);
    expect(one.code).toBe(0);
    expect(one.stderr).toContain('1 finding(s) hidden');
    expect(one.stderr).not.toContain('no longer occur');
    // A fixed finding of the linted file is still counted.
    fs.writeFileSync(path.join(dir, 'a.yaml'), DUPLICATE_LR.replace('learning_rate: 3.0e-5\n', ''));
    expect((await runCliCapture(['a.yaml'], dir)).stderr).toContain('1 baselined finding(s) no longer occur');
  });

  test('with the lint root, the entries of a deleted file count as no longer occurring', async () => {
    const dir = tempRepo({ 'a.yaml': DUPLICATE_LR, 'b.yaml': DUPLICATE_LR, 'c.yaml': DUPLICATE_LR });
    const baseline = await baselineOfWholeRepo(dir);
    fs.rmSync(path.join(dir, 'c.yaml'));
    const { results } = await lint({ root: dir, paths: ['a.yaml'], config: {} });
    expect(hideBaselined(results, baseline, { root: dir })).toEqual({ hidden: 1, fixed: 1 });
  });

  test('updating from a.yaml keeps the entries of b.yaml, drops the fixed one of a.yaml and those of a deleted file', async () => {
    const dir = tempRepo({ 'a.yaml': DUPLICATE_LR, 'b.yaml': DUPLICATE_LR, 'c.yaml': DUPLICATE_LR });
    const previous = await baselineOfWholeRepo(dir);
    expect(previous.findings.map((e) => e.path)).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    fs.rmSync(path.join(dir, 'c.yaml'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), DUPLICATE_LR.replace('learning_rate: 3.0e-5\n', ''));
    const { results } = await lint({ root: dir, paths: ['a.yaml'], config: {} });
    const { baseline, count, kept } = baselineOf(results, previous, { root: dir });
    expect({ count, kept }).toEqual({ count: 0, kept: 1 });
    expect(baseline.findings).toEqual(previous.findings.filter((e) => e.path === 'b.yaml'));
    // Without the previous baseline (or without its file's entries): this run's findings only.
    expect(baselineOf(results).baseline.findings).toEqual([]);
  });
});

describe('the CLI with a baseline and a subset of files', () => {
  test('--update-baseline on a.yaml alone keeps the entries of b.yaml; a deleted file is told as no longer occurring', async () => {
    const dir = tempRepo({ 'a.yaml': DUPLICATE_LR, 'b.yaml': DUPLICATE_LR, 'c.yaml': DUPLICATE_LR });
    expect((await runCliCapture(['--update-baseline'], dir)).stderr).toContain('recorded 3 finding(s)');
    const update = await runCliCapture(['a.yaml', '--update-baseline'], dir);
    expect(update.stderr).toContain('recorded 1 finding(s)');
    expect(update.stderr).toContain('kept 2 entries of files not linted in this run');
    // The whole repository is still clean against the baseline: b.yaml's entry was kept.
    const all = await runCliCapture([], dir);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('3 finding(s) hidden');
    fs.rmSync(path.join(dir, 'c.yaml'));
    expect((await runCliCapture(['a.yaml'], dir)).stderr).toContain('1 baselined finding(s) no longer occur');
  });
});
