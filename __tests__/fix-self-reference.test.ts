/** `--fix` never edits a value whose reference is read from the same file (the fix would move the reference). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCapture as cli } from './helpers/run-cli';
import type { Report } from '../src/engine/report-types';

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-fixself-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function findings(dir: string): Promise<Report['findings']> {
  return (JSON.parse((await cli(['--format', 'json', '--no-baseline'], dir)).stdout) as Report).findings;
}

// A fairseq command documented for 8 GPUs in its own comment, run on 2.
const FAIRSEQ = `# The recipe below was tuned on 8 GPUs
CUDA_VISIBLE_DEVICES=0,1 fairseq-train data-bin/wmt16_en_de \\
    --arch transformer_wmt_en_de --optimizer adam \\
    --lr 0.0005 --lr-scheduler inverse_sqrt --warmup-updates 4000 \\
    --max-tokens 3584 --max-update 100000
`;

// An MMEngine config whose name says 8 GPUs × 8 and which writes its own LR, launched on 4 GPUs.
const YOLOX = `train_dataloader = dict(batch_size=8, num_workers=4)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300, val_interval=10)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
`;

describe('--fix with a reference read from the file itself', () => {
  test('fairseq: a comment documenting the GPU count gives advice, no edit; --fix changes nothing', async () => {
    const dir = tempRepo({ 'train.sh': FAIRSEQ });
    const before = await findings(dir);
    const lr = before.find((f) => f.ruleId === 'lr-not-rescaled');
    expect(lr?.message).toContain('not applied by --fix');
    const warmup = before.find((f) => f.ruleId === 'warmup-not-rescaled');
    // fairseq batches count tokens.
    expect(warmup?.message).toContain('× the tokens (');
    expect((await cli(['--fix'], dir)).stderr).toContain('applied 0 fix(es)');
    expect(fs.readFileSync(path.join(dir, 'train.sh'), 'utf8')).toBe(FAIRSEQ);
  });

  test('fairseq: a same-samples warmup past the run is not advised against warmup-fraction', async () => {
    const dir = tempRepo({ 'train.sh': FAIRSEQ.replace('--max-update 100000', '--max-update 10000') });
    // Paired with warmup-fraction (one finding): the same-tokens warmup (16000) is past the run, so the bound is advised.
    const all = await findings(dir);
    const warmup = all.find((f) => f.ruleId === 'warmup-fraction');
    expect(all.some((f) => f.ruleId === 'warmup-not-rescaled')).toBe(false);
    expect(warmup?.message).toContain('lengthen the run');
    expect(warmup?.message).toContain('set --warmup-updates 2000 or less');
    expect(warmup?.message).not.toContain('set --warmup-updates 16000');
  });

  test('mmengine: a file that writes its own LR is its own recipe; --fix does not halve it', async () => {
    const dir = tempRepo({
      'configs/yolox/yolox_s_8xb8-300e_coco.py': YOLOX,
      'tools/train4.sh': 'bash tools/dist_train.sh configs/yolox/yolox_s_8xb8-300e_coco.py 4\n',
    });
    expect((await findings(dir)).map((f) => f.ruleId)).toContain('lr-not-rescaled');
    await cli(['--fix'], dir);
    await cli(['--fix'], dir);
    expect(fs.readFileSync(path.join(dir, 'configs/yolox/yolox_s_8xb8-300e_coco.py'), 'utf8')).toBe(YOLOX);
  });
});

describe("warmup-not-rescaled advises within warmup-fraction's limit as configured", () => {
  // 8 → 2 GPUs: the same tokens take --warmup-updates 16000, 32% of a 50000-update run.
  const script = FAIRSEQ.replace('--max-update 100000', '--max-update 50000');
  const warmupAdvice = async (policy?: string) => {
    const dir = tempRepo({ 'train.sh': script, ...(policy ? { '.trainlint.yml': policy } : {}) });
    const all = await findings(dir);
    // 4000 of 50000 is within any of these limits: warmup-fraction itself has nothing to say.
    expect(all.some((f) => f.ruleId === 'warmup-fraction')).toBe(false);
    return all.find((f) => f.ruleId === 'warmup-not-rescaled')?.message ?? '';
  };

  test('past the default 20%: the run is to be lengthened', async () => {
    expect(await warmupAdvice()).toContain("lengthen the run or keep the warmup within warmup-fraction's limit");
  });

  test('within a limit of 40%, or with warmup-fraction off: the same warmup in tokens is advised', async () => {
    for (const policy of ['rules:\n  warmup-fraction: [error, { max: 0.4 }]\n', 'rules:\n  warmup-fraction: off\n']) {
      const advice = await warmupAdvice(policy);
      expect(advice).toContain('set --warmup-updates 16000 to keep the same warmup in tokens');
      expect(advice).not.toContain('lengthen the run');
    }
  });
});
