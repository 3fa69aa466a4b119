/**
 * After an internal error in one file its rules did not all run, so "suppresses nothing" would be a
 * guess and is not said; what holds whatever the rules find is still reported: a suppression without
 * a reason, and a `# trainlint-…` comment that is no directive (it suppresses nothing in any case).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture } from './helpers/run-cli';
import { hfTrainer } from '../src/dialects/hf-trainer';
import type { Report } from '../src/engine/report-types';

const CONFIG = [
  'per_device_train_batch_size: 8',
  'gradient_accumulation_steps: 4',
  'learning_rate: 3.0e-5',
  'lr_scheduler_type: cosine',
  'max_steps: 1000',
  'warmup_steps: 400',
  '',
].join('\n');

const dirs: string[] = [];
function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-crash-supp-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  jest.restoreAllMocks();
});

async function findingsAfterCrash(text: string): Promise<Report['findings']> {
  const extract = hfTrainer.extract.bind(hfTrainer);
  jest.spyOn(hfTrainer, 'extract').mockImplementation((file, env) => {
    if (file.path === 'bad.yaml') throw new Error('boom');
    return extract(file, env);
  });
  const r = await runCliCapture(['--format', 'json'], tempDir({ 'bad.yaml': text }));
  return (JSON.parse(r.stdout) as Report).findings.filter((f) => f.path === 'bad.yaml');
}

describe('suppression findings after an internal error', () => {
  test('an unknown directive is still reported: it suppresses nothing whatever the rules found', async () => {
    const findings = await findingsAfterCrash(`# trainlint-disable-line warmup-fraction -- short smoke run\n${CONFIG}`);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['internal-error', 'unused-suppression']);
    const unknown = findings.find((f) => f.ruleId === 'unused-suppression')!;
    expect(unknown.message).toMatch(/^`trainlint-disable-line` is not a trainlint directive/);
    expect(unknown.line).toBe(1);
  });

  test('a used suppression without a reason is still reported; an unused one is not said to suppress nothing', async () => {
    // The loader's duplicate-key finding is there before the rules: the first comment covers it.
    const text = `# trainlint-disable-next-line warmup-fraction -- smoke run\n${CONFIG}# trainlint-disable-next-line duplicate-key\nlearning_rate: 3.0e-5\n`;
    const findings = await findingsAfterCrash(text);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['internal-error', 'unused-suppression']);
    const reasonless = findings.find((f) => f.ruleId === 'unused-suppression')!;
    expect(reasonless.message).toContain('gives no reason');
    expect(reasonless.line).toBe(8);
  });
});
