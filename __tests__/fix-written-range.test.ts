/**
 * fix.ts helpers for fixes a finding advertises: where an explicit setting's literal value is when its dialect
 * records only the key (an MMEngine `end=500` in a dict call) or only the flag (a launch script's
 * `--learning_rate 2e-5`), a finding's extra edits (an LR written twice), and the reason given for an advertised
 * fix that has no edit.
 */
import { applyEdits, agreedEdits, editsOf, unappliedFixes, writtenValueRange } from '../src/engine/fix';
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';
import { parseSource } from '../src/engine/load-file';
import type { Finding, Range, Setting } from '../src/engine/types';

const at = (line: number, column: number, endColumn = column + 1): Range => ({ line, column, endLine: line, endColumn });
const textAt = (text: string, r: Range) => text.split('\n')[r.line - 1].slice(r.column - 1, r.endColumn - 1);

describe('writtenValueRange', () => {
  const py = [
    "_base_ = './retinanet_r50_fpn_8xb2-1x_coco.py'",
    'param_scheduler = [',
    "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),",
    "    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)",
    ']',
    '',
  ].join('\n');
  const file = parseSource('configs/retina.py', py);
  const end = (value: number): Setting<number> => ({ value, origin: 'explicit', file: 'configs/retina.py', key: 'param_scheduler[0].end', range: at(3, 72, 75) });

  test('an MMEngine scheduler end written after its key (the dialect records the key only)', () => {
    const r = writtenValueRange(end(500), file)!;
    expect(textAt(py, r)).toBe('500');
    expect(applyEdits(py, [{ range: r, text: '125' }]).text).toContain('begin=0, end=125),');
  });

  test('nothing when the text there is not the value, the setting is not explicit, or it is in another file', () => {
    expect(writtenValueRange(end(400), file)).toBeUndefined();
    expect(writtenValueRange({ ...end(500), origin: 'default' }, file)).toBeUndefined();
    expect(writtenValueRange({ ...end(500), file: 'configs/other.py' }, file)).toBeUndefined();
  });

  test("a launch script's literal flag value, not one set through a variable", () => {
    const sh = ['#!/bin/bash', 'LR=2e-5', 'torchrun --nproc_per_node 8 train.py \\', '  --learning_rate 2e-5 \\', '  --weight_decay $LR', ''].join('\n');
    const script = parseSource('train.sh', sh);
    const flag = (key: string, line: number, value: number): Setting<number> => ({ value, origin: 'explicit', file: 'train.sh', key, range: at(line, 3, 3 + key.length) });
    expect(textAt(sh, writtenValueRange(flag('--learning_rate', 4, 2e-5), script)!)).toBe('2e-5');
    expect(writtenValueRange(flag('--weight_decay', 5, 2e-5), script)).toBeUndefined();
  });
});

describe('findings with several edits, and advertised fixes without one', () => {
  const finding = (over: Partial<Finding>): Finding => ({ ruleId: 'lr-not-rescaled', severity: 'error', message: 'm', path: 'ds.json', range: at(1, 1), ...over });

  test('alsoEdits are applied with the edit (an LR kept equal in two places)', () => {
    const json = '{"optimizer": {"params": {"lr": 3e-4}}, "scheduler": {"params": {"warmup_max_lr": 3e-4}}}\n';
    const f = finding({ edit: { range: at(1, 83, 87), text: '6e-4' }, alsoEdits: [{ range: at(1, 33, 37), text: '6e-4' }] });
    expect(applyEdits(json, editsOf([f])).text).toBe('{"optimizer": {"params": {"lr": 6e-4}}, "scheduler": {"params": {"warmup_max_lr": 6e-4}}}\n');
    expect(agreedEdits([f], ['a.sh:2', 'b.sh:2']).edits).toHaveLength(2);
  });

  test('a fix text without an edit is listed with the reason (the rule gives it, or the generic one)', () => {
    const own: Finding = finding({ fix: '--learning_rate 2.828e-5 (sqrt rule)', data: { notFixed: '--learning_rate is written in scripts/train.sh, not in this file' } });
    const generic: Finding = finding({ ruleId: 'warmup-not-rescaled', fix: 'param_scheduler[0].end = 125' });
    const applied: Finding = finding({ fix: 'x', edit: { range: at(1, 1, 2), text: '1' } });
    const out = unappliedFixes([own, generic, applied]);
    expect(out.map((u) => [u.ruleId, u.fix])).toEqual([
      ['lr-not-rescaled', '--learning_rate 2.828e-5 (sqrt rule)'],
      ['warmup-not-rescaled', 'param_scheduler[0].end = 125'],
    ]);
    expect(out[0].why).toBe('--learning_rate is written in scripts/train.sh, not in this file');
    expect(out[1].why).toMatch(/not literal text of this file/);
  });
});

describe('--fix says which advertised fixes it leaves, and why', () => {
  const { repo } = tempRepos('trainlint-unapplied-fix');

  test('a warmup set through a launch script variable: the fix is named with its reason, nothing is written', async () => {
    const dir = repo({
      'sft.yaml': 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nlearning_rate: 2.0e-5\nper_device_train_batch_size: 4\nmax_steps: 100\nwarmup_steps: 150\n',
      'run.sh': '#!/bin/bash\nWARM=150\ntorchrun --nproc_per_node 2 train.py sft.yaml --warmup_steps $WARM\n',
    });
    const r = await runCliCapture(['--fix-dry-run', 'sft.yaml'], dir);
    expect(r.stderr).toMatch(/sft\.yaml:\d+:\d+: not fixed: --warmup_steps 5.*\[warmup-exceeds-training\] \(the value is not literal text of this file/);
    expect(r.stderr).toContain('0 fix(es) in 0 file(s) would be applied');
  });
});
