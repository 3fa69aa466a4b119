/**
 * The schema rule checks the configs of OmegaConf frameworks as OmegaConf types them
 * (engine/omegaconf-typing.ts): a plain `2e4` is a float there (a string to PyYAML, which read the
 * tree), a quoted one stays a string. And its message says what OmegaConf does with an exponent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { omegaConfScalar } from '../src/engine/omegaconf-typing';
import { parseSource } from '../src/engine/load-file';
import { getIn, type ScalarNode } from '../src/engine/tree';
import { lint } from '../src/engine/lint';

const scalar = (yaml: string): ScalarNode => getIn(parseSource('c.yaml', yaml).tree, ['k'])!.node as ScalarNode;

describe('omegaConfScalar', () => {
  test('plain exponent and dotted spellings are floats; quoted ones, words and PyYAML numbers stay as read', () => {
    expect(omegaConfScalar(scalar('k: 2e4\n'))).toBe(20000);
    expect(omegaConfScalar(scalar('k: 1.5e-4\n'))).toBe(1.5e-4);
    expect(omegaConfScalar(scalar('k: 1_000.5\n'))).toBe(1000.5);
    expect(omegaConfScalar(scalar('k: "2e4"\n'))).toBe('2e4');
    expect(omegaConfScalar(scalar('k: 20000\n'))).toBe(20000);
    expect(omegaConfScalar(scalar('k: e4\n'))).toBe('e4');
  });
});

describe('the schema rule on OmegaConf configs', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  async function schemaMessages(files: Record<string, string>): Promise<string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-omega-'));
    dirs.push(dir);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const { results } = await lint({ root: dir, paths: [], config: {} });
    return results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'schema').map((f) => `${r.file.path}:${f.range.line} ${f.message}`));
  }
  const nemo = (maxSteps: string) =>
    `name: megatron_gpt\ntrainer:\n  devices: 8\n  num_nodes: 1\n  precision: bf16\n  max_steps: ${maxSteps}\n  val_check_interval: 100\nmodel:\n  micro_batch_size: 4\n  global_batch_size: 32\n  optim:\n    name: fused_adam\n    lr: 2e-4\n    sched:\n      name: CosineAnnealing\n      warmup_steps: 500\n      min_lr: 2e-5\n`;

  test('NeMo: a plain 2e4 is the float OmegaConf reads (accepted); a quoted "2e4" is a string (refused, and said so)', async () => {
    const messages = await schemaMessages({ 'plain.yaml': nemo('2e4'), 'quoted.yaml': nemo('"2e4"') });
    expect(messages.filter((m) => m.startsWith('plain.yaml'))).toEqual([]);
    expect(messages.filter((m) => m.startsWith('quoted.yaml')).join('\n')).toContain('(it is the quoted string "2e4")');
  });
});

describe('the schema rule on a structured (typed) OmegaConf config', () => {
  test('fairseq-hydra: `max_update: 1e4` is the float 10000.0, which its int field refuses; the message says so, not "PyYAML string"', async () => {
    const fixture = path.join(__dirname, 'fixtures', 'dialects', 'fairseq', 'hydra', 'examples', 'roberta', 'config', 'pretraining', 'base.yaml');
    const text = fs.readFileSync(fixture, 'utf8').replace(/max_update: [\d_]+/, 'max_update: 1e4');
    expect(text).toContain('max_update: 1e4');
    const file = parseSource('examples/roberta/config/pretraining/base.yaml', text);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-omega-fs-'));
    try {
      fs.mkdirSync(path.join(dir, 'examples/roberta/config/pretraining'), { recursive: true });
      fs.writeFileSync(path.join(dir, file.path), text);
      const { results } = await lint({ root: dir, paths: [], config: {} });
      const messages = results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'schema').map((f) => f.message)).join('\n');
      expect(messages).toContain('OmegaConf reads `1e4` as the float 10000.0, which an int field refuses; write `10000`');
      expect(messages).not.toContain('PyYAML');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
