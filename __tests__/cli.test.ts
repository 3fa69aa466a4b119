/**
 * The CLI end to end, in-process: `runCli(argv, io)` with a fake io that collects stdout and
 * stderr. The examples are linted from the repository root; everything that needs its own
 * `.trainlint.yml` runs in a temp dir. One test spawns the real bundle (dist/cli.js).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import reportSchema from '../schemas/report.schema.json';
import { runCliCapture, type CliRun } from './helpers/run-cli';
import type { Report } from '../src/engine/report-types';
import { RULES } from '../src/rules/index';

const REPO = path.resolve(__dirname, '..');
const EXAMPLE = 'examples/openclip-a100-to-h100';
const H100 = `${EXAMPLE}/h100.sh`;
const A100 = `${EXAMPLE}/a100.sh`;

const run = (argv: string[], cwd = REPO) => runCliCapture(argv, cwd);

async function runJson(argv: string[], cwd = REPO): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await run([...argv, '--format', 'json'], cwd);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const dirs: string[] = [];
function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-cli-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const readExample = (name: string) => fs.readFileSync(path.join(REPO, EXAMPLE, name), 'utf8');

/** A usage error: exit 2, exactly one line on stderr, nothing on stdout, no stack trace. */
function expectOneLineUsageError(r: CliRun): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^trainlint: [^\n]+\n$/);
  expect(r.stderr).not.toContain('    at ');
}

const ruleIdsOf = (report: Report, file: string) => report.findings.filter((f) => f.path === file).map((f) => f.ruleId).sort();

// An HF Trainer config whose warmup is 40% of training (warmup-fraction, default max 20%).
const HF_WARMUP_40 = [
  '# A fine-tune.', // 1
  'per_device_train_batch_size: 8', // 2
  'gradient_accumulation_steps: 4', // 3
  'learning_rate: 2.0e-5', // 4
  'lr_scheduler_type: cosine', // 5
  'max_steps: 1000', // 6
  'warmup_steps: 400', // 7
  '',
].join('\n');

describe('lint the examples', () => {
  test('h100.sh: lr-not-rescaled, and one warmup finding for warmup-not-rescaled and warmup-fraction; a100.sh: nothing; exit 1', async () => {
    const r = await run(['examples/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const section = r.stdout.split(/\n(?=\S)/).find((s) => s.startsWith(H100)) ?? '';
    expect(section).toMatch(/lr-not-rescaled/);
    expect(section).toMatch(/warmup-not-rescaled/);
    expect(r.stdout).not.toMatch(new RegExp(`^${A100}`, 'm'));

    const { report } = await runJson(['examples/']);
    expect(ruleIdsOf(report, A100)).toEqual([]);
    expect(ruleIdsOf(report, H100)).toEqual(['lr-not-rescaled', 'warmup-not-rescaled']);
    const byRule = new Map(report.findings.filter((f) => f.path === H100).map((f) => [f.ruleId, f]));
    const lr = byRule.get('lr-not-rescaled')!;
    expect(lr.message).toContain('×2.75');
    expect(lr.message).toContain('1.375e-3');
    expect(lr.message).toContain('8.292e-4');
    expect(lr.severity).toBe('error');
    expect(lr.line).toBe(11);
    // The warmup key's two findings are one, with one value: the warmup that keeps the samples (3636),
    // which also brings it within warmup-fraction's limit. 10000 / (1144 steps/epoch × 30): OpenCLIP's
    // webdataset pipeline rounds the 1137 batches per epoch up to a multiple of --workers 8, so the
    // fraction is 29.1% (29.3% without the rounding).
    const warmup = byRule.get('warmup-not-rescaled')!;
    expect(warmup).toMatchObject({ severity: 'error', line: 13, fix: '--warmup 3636' });
    expect(warmup.message).toContain('it spans 2.75× the samples (88000000 vs 32000000), and it is 29.1% of the run\'s 34320 optimizer steps');
    expect(warmup.message).toContain('set --warmup 3636 to keep the same warmup in samples, which also brings it within the limit');
    expect(warmup.message).not.toContain('6864');
  });

  test('suppressing warmup-fraction on the warmup key leaves warmup-not-rescaled as that rule alone says it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-pair-'));
    try {
      fs.copyFileSync(path.join(REPO, EXAMPLE, 'a100.sh'), path.join(dir, 'a100.sh'));
      fs.writeFileSync(path.join(dir, 'h100.sh'), readExample('h100.sh').replace('#!/bin/bash\n', '#!/bin/bash\n# trainlint-disable warmup-fraction -- a long warmup is wanted\n'));
      const { report } = await runJson(['h100.sh'], dir);
      const warmup = report.findings.filter((f) => f.line === 14);
      expect(warmup.map((f) => [f.ruleId, f.severity])).toEqual([['warmup-not-rescaled', 'warning']]);
      expect(warmup[0].message).not.toContain('29.1%');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('suppressing warmup-not-rescaled (the rule the pair is shown as) leaves the warmup-fraction error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-pair-'));
    try {
      fs.copyFileSync(path.join(REPO, EXAMPLE, 'a100.sh'), path.join(dir, 'a100.sh'));
      fs.writeFileSync(path.join(dir, 'h100.sh'), readExample('h100.sh').replace('#!/bin/bash\n', '#!/bin/bash\n# trainlint-disable warmup-not-rescaled -- the warmup stays in steps on purpose\n'));
      const { report } = await runJson(['h100.sh'], dir);
      const warmup = report.findings.filter((f) => f.line === 14);
      expect(warmup.map((f) => [f.ruleId, f.severity])).toEqual([['warmup-fraction', 'error']]);
      expect(warmup[0].message).toContain('29.1%');
      expect(report.findings.some((f) => f.ruleId === 'unused-suppression')).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a100.sh alone is clean: exit 0', async () => {
    const r = await run([A100]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/error|warning/);
  });

  test('--format json validates against schemas/report.schema.json and carries the numbers', async () => {
    const { code, report } = await runJson(['examples/']);
    expect(code).toBe(1);
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(reportSchema);
    expect(validate.errors ?? []).toEqual([]);
    expect(validate(report)).toBe(true);
    expect(validate.errors ?? null).toBeNull();

    const f = (id: string) => report.findings.find((x) => x.path === H100 && x.ruleId === id)!;
    expect(f('lr-not-rescaled').data.batchRatio).toBe(2.75);
    const expectedLr = f('lr-not-rescaled').data.expectedLr as { linear: number; sqrt: number };
    expect(expectedLr.linear).toBeCloseTo(1.375e-3, 12);
    expect(expectedLr.sqrt).toBeCloseTo(5e-4 * Math.sqrt(2.75), 12);
    expect(f('warmup-not-rescaled').data.suggestedWarmupSteps).toBe(3636);
    expect(f('warmup-not-rescaled').data.batchRatio).toBe(2.75);
    // warmup-fraction's numbers, on the same finding.
    const fraction = f('warmup-not-rescaled').data.pairedWith as { ruleId: string; fraction: number; totalSteps: number };
    expect(fraction.ruleId).toBe('warmup-fraction');
    expect(fraction.fraction).toBeCloseTo(10000 / 34320, 12);
    expect(fraction.totalSteps).toBe(34320);

    const h100 = report.files.find((x) => x.path === H100)!;
    expect(h100.dialect).toBe('openclip');
    expect(h100.reference).toEqual({ label: `reference ${A100}`, path: A100 });
    expect(h100.plan.globalBatchSize?.value).toBe(8800);
    expect(report.summary.files).toBe(report.files.length);
  });

  test('--format github: one workflow command per finding, each starting with ::error file=/::warning file=', async () => {
    const r = await run(['examples/', '--format', 'github']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) file=/);
    expect(lines.filter((l) => l.startsWith(`::error file=${H100},`)).map((l) => /title=trainlint \(([^)]+)\)/.exec(l)?.[1])).toEqual([
      'lr-not-rescaled',
      'warmup-not-rescaled',
    ]);
  });
});

describe('exit codes and rule overrides', () => {
  test('--fail-on never exits 0 with the same findings', async () => {
    const r = await run(['examples/', '--fail-on', 'never']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lr-not-rescaled');
  });

  test('--fail-on warning fails on a warning alone; the default does not', async () => {
    const onlyWarning = [H100, '--rule', 'lr-not-rescaled=off', '--rule', 'warmup-fraction=off'];
    const def = await runJson(onlyWarning);
    expect(def.report.findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['warning warmup-not-rescaled']);
    expect(def.code).toBe(0);
    expect((await run([...onlyWarning, '--fail-on', 'warning'])).code).toBe(1);
    expect((await run([...onlyWarning, '--fail-on', 'error'])).code).toBe(0);
  });

  test('--rule ID=off removes the rule; --rule ID=warning changes its severity', async () => {
    const off = await runJson([H100, '--rule', 'lr-not-rescaled=off']);
    // warmup-fraction is part of the warmup-not-rescaled finding (one warmup key, one finding).
    expect(ruleIdsOf(off.report, H100)).toEqual(['warmup-not-rescaled']);
    expect(off.report.findings.find((f) => f.ruleId === 'warmup-not-rescaled')?.message).toContain('29.1%');
    const warn = await runJson([H100, '--rule', 'lr-not-rescaled=warning']);
    expect(warn.report.findings.find((f) => f.ruleId === 'lr-not-rescaled')?.severity).toBe('warning');
  });

  test('--rule with an unknown id, a bad severity or a bad shape: exit 2, one line', async () => {
    const bogus = await run([H100, '--rule', 'bogus=off']);
    expectOneLineUsageError(bogus);
    expect(bogus.stderr).toContain('"bogus"');
    expectOneLineUsageError(await run([H100, '--rule', 'lr-not-rescaled=fatal']));
    expectOneLineUsageError(await run([H100, '--rule', 'lr-not-rescaled']));
  });

  test('unknown flag, bad --format / --fail-on: exit 2, one line, no stack trace', async () => {
    const r = await run(['--frobnicate', 'examples/']);
    expectOneLineUsageError(r);
    expect(r.stderr).toContain('--frobnicate');
    expectOneLineUsageError(await run(['examples/', '--format', 'xml']));
    expectOneLineUsageError(await run(['examples/', '--fail-on', 'sometimes']));
    expectOneLineUsageError(await run(['examples/', '--base', '--oops']));
    expectOneLineUsageError(await run(['plan']));
  });

  test('a path that does not exist: exit 2 naming it', async () => {
    const r = await run(['examples/', 'configs/nope-does-not-exist.yaml']);
    expectOneLineUsageError(r);
    expect(r.stderr).toContain('configs/nope-does-not-exist.yaml');
  });

  test('--output FILE writes the report there and nothing to stdout', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'report.json');
    const r = await run(['examples/', '--format', 'json', '--output', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
    expect(ruleIdsOf(report, H100)).toEqual(['lr-not-rescaled', 'warmup-not-rescaled']);

    // A relative --output is relative to the working directory given to the CLI.
    const cwd = tempDir({ 'a100.sh': readExample('a100.sh') });
    expect((await run(['a100.sh', '-o', 'out.txt'], cwd)).code).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'out.txt'))).toBe(true);
  });
});

describe('.trainlint.yml errors: exit 2 with file:line:col', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown top-level key', 'rules:\n  warmup-fraction: warning\nbogus: 1\n', /\.trainlint\.yml:3:1: .*bogus/],
    ['bad severity', 'rules:\n  warmup-fraction: warning\n  lr-not-rescaled: fatal\n', /\.trainlint\.yml:3:3: .*lr-not-rescaled/],
    ['bad rule options', 'rules:\n  lr-not-rescaled: error\n  warmup-fraction: [error, {max: 5}]\n', /\.trainlint\.yml:3:3: invalid options for "warmup-fraction"/],
    ['unknown option', '# comment\nrules:\n  warmup-fraction: [error, {maxx: 0.1}]\n', /\.trainlint\.yml:3:3: invalid options for "warmup-fraction".*maxx/],
    ['unknown rule', 'rules:\n  nope-rule: error\n', /\.trainlint\.yml:2:3: unknown rule "nope-rule"/],
    ['unknown rule in an override', 'overrides:\n  - files: "*.yaml"\n    rules:\n      nope-rule: error\n', /\.trainlint\.yml:4:7: unknown rule "nope-rule"/],
    ['bad assume value', 'assume:\n  worldSize: 0\n', /\.trainlint\.yml:2:3: assume\.worldSize/],
    ['YAML syntax error', 'rules:\n  warmup-fraction: warning\n  lr-not-rescaled: error: warning\n', /\.trainlint\.yml:3:20: Nested mappings/],
    ['YAML tab indentation', 'rules:\n  warmup-fraction: warning\n\tlr-not-rescaled: error\n', /\.trainlint\.yml:3:1: Tabs/],
  ];
  test.each(cases)('%s', async (_name, config, expected) => {
    const dir = tempDir({ '.trainlint.yml': config, 'sft.yaml': HF_WARMUP_40 });
    const r = await run([], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(expected);
    // The path is shown relative to the CLI's working directory (the temp dir).
    expect(r.stderr).toMatch(/(^|\n)(trainlint: )?\.trainlint\.yml:\d+:\d+: /);
    expect(r.stderr).not.toContain('    at ');
  });

  test('--config FILE is read relative to the working directory given to the CLI', async () => {
    const dir = tempDir({ 'conf/lint.yml': 'rules:\n  warmup-fraction: off\n', 'sft.yaml': HF_WARMUP_40 });
    const withConfig = await runJson(['sft.yaml', '--config', 'conf/lint.yml'], dir);
    expect(withConfig.stderr).toBe('');
    expect(withConfig.code).toBe(0);
    expect(withConfig.report.findings).toEqual([]);
    const missing = await run(['sft.yaml', '--config', 'conf/missing.yml'], dir);
    expectOneLineUsageError(missing);
    expect(missing.stderr).toContain('conf/missing.yml');
  });
});

describe('trainlint plan', () => {
  test('plan h100.sh: values with their origins and the reference', async () => {
    const r = await run(['plan', H100]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const line = (field: string) => r.stdout.split('\n').find((l) => l.trimStart().startsWith(field + ' ')) ?? '';
    expect(line('worldSize')).toMatch(/\b4\b.*\blauncher\b.*--nproc_per_node/);
    expect(line('microBatchSize')).toMatch(/\b2200\b.*\bexplicit\b.*h100\.sh:10:5.*--batch-size/);
    expect(line('globalBatchSize')).toMatch(/\b8800 samples\b.*\bderived\b/);
    expect(line('totalSteps')).toMatch(/\b34320 steps\b.*\bderived\b/);
    // Derivation: 1144 steps/epoch × 30 epochs, where 1144 is ceil(10000000 / 8800) rounded up
    // to a multiple of the webdataset workers.
    expect(line('totalSteps')).toContain('× 30');
    expect(line('stepsPerEpoch')).toContain('ceil(10000000 / 8800)');
    expect(r.stdout).toContain(`compared with: reference ${A100}`);
  });

  test('plan on an HF YAML without world size lists worldSize under "to resolve more" with the hint', async () => {
    const r = await run(['plan', 'examples/hf-trainer/sft.yaml']);
    expect(r.code).toBe(0);
    const after = r.stdout.split('to resolve more:')[1] ?? '';
    expect(after).toMatch(/^\s+worldSize: set assume\.worldSize in \.trainlint\.yml/m);
    expect(r.stdout).toMatch(/unknown:.*\bworldSize\b/);
  });

  test('plan --format json: the report file entry with the plan and reference', async () => {
    const r = await run(['plan', H100, '--format', 'json']);
    expect(r.code).toBe(0);
    const file = JSON.parse(r.stdout);
    expect(file.path).toBe(H100);
    expect(file.dialect).toBe('openclip');
    expect(file.plan.worldSize).toMatchObject({ value: 4, origin: 'launcher', key: '--nproc_per_node' });
    expect(file.plan.microBatchSize).toMatchObject({ value: 2200, origin: 'explicit', line: 10, column: 5 });
    expect(file.plan.totalSteps).toMatchObject({ value: 34320, origin: 'derived' });
    expect(file.reference).toEqual({ label: `reference ${A100}`, path: A100 });
    // It is the same shape as one entry of report.files.
    const ajv = new Ajv2020({ strict: true });
    ajv.addSchema(reportSchema);
    expect(ajv.validate('report.schema.json#/$defs/file', file)).toBe(true);
  });

  test('plan with a missing file: exit 2', async () => {
    const r = await run(['plan', 'nope.yaml']);
    expectOneLineUsageError(r);
    expect(r.stderr).toContain('nope.yaml');
  });
});

describe('rules, help, version', () => {
  test('rules lists every rule id', async () => {
    const r = await run(['rules']);
    expect(r.code).toBe(0);
    for (const rule of RULES) expect(r.stdout).toMatch(new RegExp(`^${rule.meta.id}\\s`, 'm'));
    expect(RULES.length).toBeGreaterThanOrEqual(8);
  });

  test('--help and -h print usage, exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage:');
      expect(r.stdout).toContain('--fail-on');
    }
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`trainlint ${pkg.version}\n`);
  });
});

describe('inline suppressions', () => {
  test('without a directive the HF config has a warmup-fraction finding at line 7', async () => {
    const dir = tempDir({ 'sft.yaml': HF_WARMUP_40 });
    const { code, report } = await runJson([], dir);
    expect(code).toBe(1);
    expect(report.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(['7 warmup-fraction']);
  });

  test('# trainlint-disable-next-line ID -- reason on the line before removes it', async () => {
    const text = HF_WARMUP_40.replace('warmup_steps: 400', '# trainlint-disable-next-line warmup-fraction -- long warmup on purpose\nwarmup_steps: 400');
    const dir = tempDir({ 'sft.yaml': text });
    const { code, report } = await runJson([], dir);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });

  test('disable-next-line for another rule, or two lines above, does not suppress', async () => {
    const other = HF_WARMUP_40.replace('warmup_steps: 400', '# trainlint-disable-next-line lr-not-rescaled -- unrelated\nwarmup_steps: 400');
    const far = HF_WARMUP_40.replace('max_steps: 1000', '# trainlint-disable-next-line warmup-fraction -- too far\nmax_steps: 1000');
    const dir = tempDir({ 'other.yaml': other, 'far.yaml': far });
    const { report } = await runJson([], dir);
    expect(report.findings.map((f) => `${f.path} ${f.ruleId}`)).toEqual([
      'far.yaml unused-suppression',
      'far.yaml warmup-fraction',
      'other.yaml unused-suppression',
      'other.yaml warmup-fraction',
    ]);
    // The suppressions that matched nothing are reported on their own lines.
    expect(report.findings.filter((f) => f.ruleId === 'unused-suppression').every((f) => /suppresses nothing/.test(f.message))).toBe(true);
  });

  test('# trainlint-disable ID -- reason anywhere removes it for the whole file', async () => {
    const dir = tempDir({
      'end.yaml': HF_WARMUP_40 + '# trainlint-disable warmup-fraction -- agreed with the team\n',
      'start.yaml': '# trainlint-disable warmup-fraction -- agreed\n' + HF_WARMUP_40,
    });
    const { code, report } = await runJson([], dir);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });

  test('# trainlint-disable in a launch script removes the findings of that file only', async () => {
    const dir = tempDir({
      'a100.sh': readExample('a100.sh'),
      'h100.sh': readExample('h100.sh') + '# trainlint-disable warmup-fraction, warmup-not-rescaled -- short run\n',
    });
    const { report } = await runJson([], dir);
    expect(ruleIdsOf(report, 'h100.sh')).toEqual(['lr-not-rescaled']);
  });
});

describe('.trainlint.yml overrides and assume', () => {
  const hf = (gas: number) =>
    ['per_device_train_batch_size: 8', `gradient_accumulation_steps: ${gas}`, 'learning_rate: 1.0e-4', 'num_train_epochs: 1', 'warmup_steps: 100', 'save_steps: 100', ''].join('\n');

  test('assume.worldSize fills the missing world size, so global-batch rules run', async () => {
    const files = { 'old.yaml': hf(4), 'new.yaml': hf(16) };
    const references = 'references:\n  new.yaml: old.yaml\n';

    const without = tempDir({ ...files, '.trainlint.yml': references });
    const a = await runJson([], without);
    expect(a.report.findings.filter((f) => f.ruleId === 'lr-not-rescaled')).toEqual([]);
    expect(a.report.files.find((f) => f.path === 'new.yaml')?.plan.globalBatchSize).toBeUndefined();

    const withAssume = tempDir({ ...files, '.trainlint.yml': references + 'assume:\n  worldSize: 8\n' });
    const b = await runJson([], withAssume);
    const newPlan = b.report.files.find((f) => f.path === 'new.yaml')!.plan;
    expect(newPlan.worldSize).toMatchObject({ value: 8, origin: 'assumed' });
    expect(newPlan.globalBatchSize?.value).toBe(8 * 16 * 8);
    const lr = b.report.findings.find((f) => f.ruleId === 'lr-not-rescaled');
    expect(lr).toMatchObject({ path: 'new.yaml', data: { batchRatio: 4, baseGlobalBatchSize: 256, globalBatchSize: 1024 } });
    expect(b.code).toBe(1);
  });

  test('overrides apply rules, assume and dialect per glob', async () => {
    const inHouse = ['optim:', '  lr: 3.0e-4', 'sched:', '  warmup: 900', '  total: 1000', ''].join('\n');
    const dir = tempDir({
      'a/sft.yaml': HF_WARMUP_40,
      'b/sft.yaml': HF_WARMUP_40,
      'custom/run.yaml': inHouse,
      '.trainlint.yml': [
        'mappings:',
        '  peakLr: optim.lr',
        '  warmupSteps: sched.warmup',
        '  totalSteps: sched.total',
        'overrides:',
        '  - files: "b/**"',
        '    rules:',
        '      warmup-fraction: [warning, {max: 0.5}]',
        '      warmup-exceeds-training: off',
        '  - files: "a/**"',
        '    rules:',
        '      warmup-fraction: info',
        '    assume:',
        '      worldSize: 2',
        '  - files: "custom/**"',
        '    dialect: generic',
        '',
      ].join('\n'),
    });
    const { report } = await runJson([], dir);
    const summary = report.findings.map((f) => `${f.path} ${f.severity} ${f.ruleId}`);
    // a/: warmup-fraction demoted to info; b/: max raised to 50%, so 40% passes.
    expect(summary).toContain('a/sft.yaml info warmup-fraction');
    expect(summary.filter((s) => s.startsWith('b/'))).toEqual([]);
    // custom/: read through the mappings by the forced generic dialect (90% warmup).
    expect(summary).toContain('custom/run.yaml error warmup-fraction');
    const files = new Map(report.files.map((f) => [f.path, f]));
    expect(files.get('custom/run.yaml')?.dialect).toBe('generic');
    expect(files.get('a/sft.yaml')?.plan.worldSize).toMatchObject({ value: 2, origin: 'assumed' });
    expect(files.get('b/sft.yaml')?.plan.worldSize).toBeUndefined();
  });
});

describe('the bundle', () => {
  test('node dist/cli.js examples/ runs with only Node: exit 1 and its rule ids', () => {
    const bundle = path.join(REPO, 'dist', 'cli.js');
    expect(fs.existsSync(bundle)).toBe(true);
    const direct = spawnSync(process.execPath, ['dist/cli.js', 'examples/'], { cwd: REPO, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 20000 });
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(1);
    for (const id of ['lr-not-rescaled', 'warmup-not-rescaled']) expect(direct.stdout).toContain(id);
    // NODE_PATH cleared and the bundle (dist/cli.js, the entry that turns on the compile cache,
    // and dist/cli-main.js, the command) copied outside the repository, so no node_modules can
    // be resolved: it must be self-contained.
    const isolated = tempDir();
    fs.copyFileSync(bundle, path.join(isolated, 'cli.js'));
    // (A dist/ built before the split has cli.js alone; the run above fails if cli.js needs a file that is missing.)
    const main = path.join(REPO, 'dist', 'cli-main.js');
    if (fs.existsSync(main)) fs.copyFileSync(main, path.join(isolated, 'cli-main.js'));
    // The files the command loads on first use: the precompiled validators, one per schema
    // (scripts/validators.mjs), and the vendor files (scripts/imports.mjs).
    for (const dir of ['validators', 'vendor']) {
      const from = path.join(REPO, 'dist', dir);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(isolated, dir), { recursive: true });
    }
    // dist/package.json gives the bundles' module format (a dist/ without one is ESM, as the repository).
    const format = path.join(REPO, 'dist', 'package.json');
    if (fs.existsSync(format)) fs.copyFileSync(format, path.join(isolated, 'package.json'));
    else fs.writeFileSync(path.join(isolated, 'package.json'), '{"type":"module"}\n');
    const r = spawnSync(process.execPath, [path.join(isolated, 'cli.js'), 'examples/'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      timeout: 20000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    for (const id of ['lr-not-rescaled', 'warmup-not-rescaled', 'warmup-fraction']) expect(r.stdout).toContain(id);
    // A user schema with patterns, and globs: ajv and re2js, which the bundle loads from its vendor files.
    const userSchema = spawnSync(process.execPath, [path.join(isolated, 'cli.js'), '.'], {
      cwd: path.join(REPO, '__tests__', 'golden', 'schema', 'bad-user-schema-pattern'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      timeout: 20000,
    });
    expect(userSchema.stderr).toBe('');
    expect(userSchema.status).toBe(1);
    expect(userSchema.stdout).toContain('tag must match the pattern');
    expect(userSchema.stdout).toContain('4 problems (4 errors');
  });
});
