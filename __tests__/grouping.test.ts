/** One cause, one finding (engine/group-findings.ts), short runs (engine/short-run.ts) and suppressions of grouped findings. */
import path from 'node:path';
import { lint } from '../src/engine/lint';
import { parseConfig, settingsFor } from '../src/config/load-config';
import { SHORT_RUN_DEFAULTS } from '../src/config/types';
import { groupRunLength, shapeRunFindings, type RunFindingsContext } from '../src/engine/group-findings';
import { shortRunOf } from '../src/engine/short-run';
import { applySuppressions } from '../src/engine/suppressions';
import type { SourceFile } from '../src/engine/source';
import type { Finding, Range, TrainingPlan } from '../src/engine/types';

const at = (line: number): Range => ({ line, column: 3, endLine: line, endColumn: 10 });

const PLAN: TrainingPlan = {
  totalSteps: { value: 50, origin: 'explicit', key: '--train-iters', file: 'model_config.yaml', range: at(2) },
  decaySteps: { value: 990000, origin: 'explicit', key: '--lr-decay-iters', file: 'model_config.yaml', range: at(3) },
  warmupSteps: { value: 9900, origin: 'derived', key: '--lr-warmup-fraction', file: 'model_config.yaml', range: at(4) },
  saveEverySteps: { value: 10000, origin: 'explicit', key: '--save-interval', file: 'model_config.yaml', range: at(5) },
};

function finding(ruleId: string, line: number, severity: Finding['severity'], consequence: string, advice: string, sized?: number): Finding {
  return {
    ruleId,
    severity,
    message: `${ruleId} message`,
    path: 'model_config.yaml',
    range: at(line),
    data: { totalSteps: 50 },
    runLength: { consequence, advice, written: true, ...(sized ? { sizedFor: { steps: sized, key: `key-${line}` } } : {}) },
  };
}

const warmup = () => finding('warmup-exceeds-training', 4, 'error', 'warmup (9900 steps) never ends', '--lr-warmup-fraction 0.00000303', 9900);
const decay = () => finding('decay-horizon-mismatch', 3, 'warning', 'the decay never starts', '--lr-decay-iters 50', 990000);
const save = () => finding('interval-exceeds-training', 5, 'warning', 'no checkpoint before the end', '--save-interval 50 or less', 10000);
const other: Finding = { ruleId: 'batch-size-mismatch', severity: 'error', message: 'batch', path: 'model_config.yaml', range: at(9) };

const ctx = (extra: Partial<RunFindingsContext> = {}): RunFindingsContext => ({ plan: PLAN, shortRunSeverity: 'warning', launchChecks: {}, ...extra });

describe('one cause, one finding', () => {
  test('run-length findings of one run become one finding at the decay horizon, with the highest severity and related locations', () => {
    const out = groupRunLength([warmup(), other, decay(), save()], ctx());
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(other);
    const g = out[1];
    expect(g).toMatchObject({ ruleId: 'decay-horizon-mismatch', severity: 'error', range: at(3) });
    expect(g.message.startsWith('the run is 50 optimizer steps (--train-iters) but its schedule is sized for 990000 (key-3): ')).toBe(true);
    // Consequences in the order they happen, then one fix.
    expect(g.message).toContain('warmup (9900 steps) never ends; the decay never starts; no checkpoint before the end; to size it for 50 steps: --lr-decay-iters 50, --lr-warmup-fraction 0.00000303, --save-interval 50 or less');
    expect(g.related?.map((r) => r.range.line)).toEqual([4, 5, 2]);
    expect(g.related?.[0].message).toBe('warmup-exceeds-training message');
    expect(g.merged?.map((m) => m.ruleId).sort()).toEqual(['decay-horizon-mismatch', 'interval-exceeds-training', 'warmup-exceeds-training']);
    expect((g.data?.grouped as unknown[]).length).toBe(3);
  });

  test('a lone run-length finding stays as it is; a warmup that follows the horizon says what it becomes', () => {
    expect(groupRunLength([save(), other], ctx())).toEqual([other, save()]);
    const w = warmup();
    w.runLength!.afterDecayFix = '--lr-warmup-fraction 0.01 then gives 1 step';
    expect(groupRunLength([w, decay()], ctx())[0].message).toContain('to size it for 50 steps: --lr-decay-iters 50, --lr-warmup-fraction 0.01 then gives 1 step');
  });

  test('a warmup written as a ratio of the run is its own cause: not merged with an interval the short run is below', async () => {
    const dir = path.join(__dirname, 'golden', 'warmup-fraction', 'bad-hf-trainer-ratio');
    const { results } = await lint({ root: dir, paths: [], config: {} });
    const findings = results.flatMap((r) => r.findings);
    expect(findings.map((f) => [f.ruleId, f.range.line, f.merged === undefined])).toEqual([
      ['interval-exceeds-training', 5, true],
      ['warmup-fraction', 6, true],
    ]);
    expect(findings[1].message).toMatch(/^warmup_ratio 0\.3 \(90 steps\) is 30% of the run's 300 optimizer steps \(max_steps\)/);
    expect(findings[1].runLength).toBeUndefined();
  });

  test('without the horizon written in the file, the warmup key carries the group', () => {
    const d = decay();
    d.runLength!.written = false;
    expect(groupRunLength([d, warmup(), save()], ctx())[0]).toMatchObject({ ruleId: 'warmup-exceeds-training', range: at(4) });
    expect(groupRunLength([save(), { ...save(), range: at(6), data: { kind: 'evaluation' } }], ctx())[0].message).toMatch(/but its intervals are sized for 10000/);
  });

  test('a consequence whose key a launch script writes is related at that flag, in the script', () => {
    const flag: Range = { line: 4, column: 3, endLine: 4, endColumn: 26 };
    const plan: TrainingPlan = { ...PLAN, warmupSteps: { value: 9900, origin: 'launcher', key: '--train.lr_warmup_steps', file: 'finetune.sh', range: flag } };
    // The warmup finding points at the run's length in this file (its own key is not written here).
    const w = { ...warmup(), range: at(2), runLength: { ...warmup().runLength!, written: false, sizedFor: { steps: 9900, key: '--train.lr_warmup_steps' } } };
    const g = groupRunLength([w, decay()], ctx({ plan }))[0];
    expect(g.related?.[0]).toMatchObject({ path: 'finetune.sh', range: flag, message: 'warmup-exceeds-training message' });
  });

  test('a short run: run-length findings get the shortRun severity and say so; what the framework refuses to start on stays an error', () => {
    const shortRun = shortRunOf('model_config.yaml', PLAN, SHORT_RUN_DEFAULTS)!;
    const out = shapeRunFindings([warmup(), decay(), save(), other], ctx({ shortRun }));
    expect(out.find((f) => f.ruleId === 'batch-size-mismatch')).toBe(other);
    const g = out.find((f) => f.merged)!;
    expect(g.severity).toBe('warning');
    expect(g.message).toMatch(/; a deliberate short run \(50 steps against --lr-decay-iters 990000, 19800× longer\), so a warning \(shortRun in \.trainlint\.yml\)$/);
    expect(g.data?.shortRun).toEqual({ steps: 50, sizedFor: 990000 });
    const refused = shapeRunFindings([warmup(), decay()], ctx({ shortRun, launchChecks: { 'warmup-exceeds-training': 'Megatron refuses to start' } }))[0];
    expect(refused.severity).toBe('error');
    expect(refused.message).toMatch(/but the framework refuses to start on it$/);
    expect(refused.data?.launchRejects).toBe(true);
    // A severity of error keeps them errors.
    expect(shapeRunFindings([warmup(), decay()], ctx({ shortRun, shortRunSeverity: 'error' }))[0].severity).toBe('error');
  });
});

describe('short runs', () => {
  const plan = (total: number, decaySteps?: number): TrainingPlan => ({
    totalSteps: { value: total, origin: 'explicit', key: '--train-iters' },
    ...(decaySteps ? { decaySteps: { value: decaySteps, origin: 'explicit', key: '--lr-decay-iters' } } : {}),
  });

  test('at most maxSteps, and a schedule sized for ratio× longer or a path that names a test', () => {
    expect(shortRunOf('a.yaml', plan(50, 990000), SHORT_RUN_DEFAULTS)).toMatchObject({ steps: 50, ratio: 19800, sizedFor: { steps: 990000, key: '--lr-decay-iters' } });
    expect(shortRunOf('a.yaml', plan(50, 4000), SHORT_RUN_DEFAULTS)).toBeUndefined();
    expect(shortRunOf('tests/functional/a.yaml', plan(50, 4000), SHORT_RUN_DEFAULTS)).toMatchObject({ pathWord: 'tests' });
    expect(shortRunOf('configs/debug_model.toml', plan(50, 60), SHORT_RUN_DEFAULTS)).toMatchObject({ pathWord: 'debug' });
    expect(shortRunOf('configs/latest.yaml', plan(50, 60), SHORT_RUN_DEFAULTS)).toBeUndefined();
    // Longer than maxSteps: never a short run, whatever the path.
    expect(shortRunOf('tests/a.yaml', plan(5000, 990000), SHORT_RUN_DEFAULTS)).toBeUndefined();
    expect(shortRunOf('tests/a.yaml', plan(5000, 990000), { ...SHORT_RUN_DEFAULTS, maxSteps: 10000 })).toBeDefined();
    expect(shortRunOf('a.yaml', {}, SHORT_RUN_DEFAULTS)).toBeUndefined();
  });

  test('the launch script that starts the plan can name the test: scripts/smoke.sh, tests/run.sh', () => {
    expect(shortRunOf('configs/sft.yaml', plan(50, 60), SHORT_RUN_DEFAULTS, 'scripts/smoke.sh')).toMatchObject({
      pathWord: 'smoke',
      script: 'scripts/smoke.sh',
      why: '50 steps, launched by scripts/smoke.sh, whose path names a test ("smoke")',
    });
    expect(shortRunOf('configs/sft.yaml', plan(50, 60), SHORT_RUN_DEFAULTS, 'tests/functional/run_sft.sh')).toMatchObject({ pathWord: 'tests' });
    expect(shortRunOf('configs/sft.yaml', plan(50, 60), SHORT_RUN_DEFAULTS, 'scripts/train.sh')).toBeUndefined();
    // The config's own path comes first; the script is not named then.
    expect(shortRunOf('tests/sft.yaml', plan(50, 60), SHORT_RUN_DEFAULTS, 'scripts/smoke.sh')).not.toHaveProperty('script');
    // A long run stays long, whoever launches it.
    expect(shortRunOf('configs/sft.yaml', plan(5000, 6000), SHORT_RUN_DEFAULTS, 'scripts/smoke.sh')).toBeUndefined();
  });
});

describe('suppressions and grouped findings', () => {
  const file = (suppressions: { scope: 'file' | number; ruleIds: string[] }[]): SourceFile => ({
    path: 'model_config.yaml',
    text: '',
    format: 'yaml',
    problems: [],
    directives: { suppressions: suppressions.map((s) => ({ ...s, range: at(1), reason: 'smoke test' })) },
  });
  const group = () => groupRunLength([warmup(), decay(), save()], ctx())[0];

  test('a suppression where the grouped finding is reported removes it, and counts the ones written for what it merges as used', () => {
    const { kept, problems } = applySuppressions([group()], file([{ scope: 3, ruleIds: ['decay-horizon-mismatch'] }, { scope: 'file', ruleIds: ['warmup-exceeds-training'] }]));
    expect(kept).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('a suppression written for one merged finding removes that consequence; the rest is grouped again', () => {
    const regroup = (members: Finding[]) => groupRunLength(members, ctx());
    const { kept, problems } = applySuppressions([group()], file([{ scope: 5, ruleIds: ['interval-exceeds-training'] }]), regroup);
    expect(problems).toEqual([]);
    expect(kept).toHaveLength(1);
    expect(kept[0].merged?.map((m) => m.ruleId).sort()).toEqual(['decay-horizon-mismatch', 'warmup-exceeds-training']);
    expect(kept[0].message).not.toContain('checkpoint');
    // Two of three suppressed: what is left is a plain finding again.
    const one = applySuppressions([group()], file([{ scope: 5, ruleIds: [] }, { scope: 4, ruleIds: ['warmup-exceeds-training'] }]), regroup).kept;
    expect(one.map((f) => [f.ruleId, f.merged])).toEqual([['decay-horizon-mismatch', undefined]]);
  });
});

describe('shortRun in .trainlint.yml', () => {
  test('defaults, top level, then overrides per glob', () => {
    expect(settingsFor({}, 'a.yaml').shortRun).toEqual({ maxSteps: 500, ratio: 100, severity: 'warning' });
    const config = parseConfig('shortRun: { maxSteps: 1000 }\noverrides:\n  - files: "ci/**"\n    shortRun: { severity: info }\n', '.trainlint.yml');
    expect(settingsFor(config, 'a.yaml').shortRun).toEqual({ maxSteps: 1000, ratio: 100, severity: 'warning' });
    expect(settingsFor(config, 'ci/smoke.yaml').shortRun).toEqual({ maxSteps: 1000, ratio: 100, severity: 'info' });
  });

  test('invalid values are configuration errors with their location', () => {
    expect(() => parseConfig('shortRun:\n  ratio: 0.5\n', '.trainlint.yml')).toThrow(/\.trainlint\.yml:2:3: shortRun\.ratio must be >= 1/);
    expect(() => parseConfig('shortRun: { severity: off }\n', '.trainlint.yml')).toThrow(/shortRun\.severity must be one of "info", "warning", "error"/);
    expect(() => parseConfig('shortRun: { steps: 10 }\n', '.trainlint.yml')).toThrow(/unknown key "steps" in shortRun/);
  });
});

describe('one warmup key, one finding (pairWarmupFindings, in groupRunLength)', () => {
  const pairAndGroup = (findings: Finding[]) => groupRunLength(findings, ctx());
  const fraction = (): Finding => ({
    ruleId: 'warmup-fraction',
    severity: 'error',
    message: 'warmup 50 steps (warmup_steps) is 25.5% of the run\'s 196 optimizer steps, above the 20% limit: the LR stays below its peak for 25.5% of the run and the decay gets the rest; set warmup_steps: 39 or less',
    path: 'sft.yaml',
    range: at(10),
    data: { warmupSteps: 50, totalSteps: 196, fraction: 50 / 196, max: 0.2, suggestedWarmupSteps: 39 },
    fix: 'warmup_steps: 39',
    runLength: { consequence: 'warmup takes 25.5% of the run', advice: 'warmup_steps: 39 or less', written: true },
  });
  const rescale = (suggested: number, within: boolean): Finding => ({
    ruleId: 'warmup-not-rescaled',
    severity: 'warning',
    message:
      'warmup still 50 steps (warmup_steps) while the global batch went ×2 (256 → 512): since base HEAD it spans 2× the samples (25600 vs 12800); ' +
      (within ? `set warmup_steps: ${suggested} to keep the same warmup in samples` : `keeping the same warmup in samples would take warmup_steps: ${suggested}: lengthen the run`),
    path: 'sft.yaml',
    range: at(10),
    data: { batchRatio: 2, suggestedWarmupSteps: suggested },
    ...(within ? { fix: `warmup_steps: ${suggested}` } : {}),
  });
  const file = (suppressed: string): SourceFile =>
    ({ path: 'sft.yaml', text: '', format: 'yaml', problems: [], directives: { suppressions: [{ ruleIds: [suppressed], scope: 10, range: at(10), reason: 'intended' }] } }) as unknown as SourceFile;

  test('the samples-keeping warmup is the one value when it fits the limit', () => {
    const out = pairAndGroup([fraction(), rescale(25, true), other]);
    expect(out).toHaveLength(2);
    const pair = out.find((f) => f.range.line === 10)!;
    expect(pair).toMatchObject({ ruleId: 'warmup-not-rescaled', severity: 'error', fix: 'warmup_steps: 25' });
    expect(pair.message).toContain('25.5% of the run\'s 196 optimizer steps, above warmup-fraction\'s 20% limit; set warmup_steps: 25 to keep the same warmup in samples, which also brings it within the limit');
    expect(pair.data).toMatchObject({ suggestedWarmupSteps: 25, pairedWith: { ruleId: 'warmup-fraction', suggestedWarmupSteps: 39 } });
    expect(pair.message).not.toContain('39');
    expect(pair.merged?.map((m) => m.ruleId)).toEqual(['warmup-fraction', 'warmup-not-rescaled']);
  });

  test("past the limit, warmup-fraction's bound is the advice and the rescale says why the samples cannot be kept", () => {
    const [pair] = pairAndGroup([fraction(), rescale(200, false)]);
    expect(pair).toMatchObject({ ruleId: 'warmup-fraction', severity: 'error', fix: 'warmup_steps: 39' });
    expect(pair.message).toContain('set warmup_steps: 39 or less; warmup still 50 steps');
  });

  test('a samples-keeping warmup above a lower limit of warmup-fraction is not advised: the bound is', () => {
    const low = fraction();
    low.data = { ...low.data, max: 0.1, suggestedWarmupSteps: 19 };
    const [pair] = pairAndGroup([low, rescale(25, true)]);
    expect(pair).toMatchObject({ ruleId: 'warmup-fraction', fix: 'warmup_steps: 39' });
    expect(pair.message).toContain('(25600 vs 12800): keeping the same warmup in samples (25) would still be past the limit');
  });

  test('suppressing one rule of the pair leaves the other as it was', () => {
    const shaped = pairAndGroup([fraction(), rescale(25, true)]);
    const { kept } = applySuppressions(shaped, file('warmup-fraction'), (members) => pairAndGroup(members));
    expect(kept.map((f) => f.ruleId)).toEqual(['warmup-not-rescaled']);
    expect(kept[0].message).toBe(rescale(25, true).message);
  });
});
