/**
 * Issue #14: inputs built by hand to attack specific mechanisms. One block per defect class;
 * each test reproduces the defect (it failed before its fix: see bench/reliability-notes.md for
 * the failing runs) and states the contract after it. Time and memory are asserted on child
 * processes with a hard timeout and a heap cap, with generous ceilings: the defects took tens of
 * seconds to hours, or exhausted memory, where the fixed code needs well under a second.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCliChild, ended, type ChildRun } from './helpers/child';
import { runCliCapture } from './helpers/run-cli';
import { canMkfifo, cleanTempDirs, expectGoodLinted, findingsOf, GOOD, idsOf, isRoot, mkfifo, tempRepo } from './helpers/hostile';
import type { Report } from '../src/engine/report-types';

afterAll(cleanTempDirs);
afterEach(() => jest.restoreAllMocks());

const FIXTURES = path.join(__dirname, 'fixtures', 'dialects');
const fixture = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');

/** A child run that must end on its own (no timeout, no crash) with a JSON report on stdout. */
function reportOf(r: ChildRun): Report {
  if (r.timedOut || (r.code !== 0 && r.code !== 1)) throw new Error(`the child did not end with a report: ${ended(r)}`);
  return JSON.parse(r.stdout) as Report;
}

const maybeFifo = canMkfifo ? test : test.skip;

describe('1. alias fan-out', () => {
  /** One 10,000-item list aliased 9,000 times: about 109 KB that expands to 90 million nodes. */
  function fanOut(): string {
    const items = Array.from({ length: 10_000 }, (_, i) => String(i % 10)).join(', ');
    return `big: &big [${items}]\nuses:\n${'  - *big\n'.repeat(9_000)}per_device_train_batch_size: 8\n`;
  }

  test('a parse-error at the anchor, within the time and memory caps; the other file is linted', async () => {
    const dir = tempRepo({ 'fan.yaml': fanOut(), 'good.yaml': GOOD });
    expect(fs.statSync(path.join(dir, 'fan.yaml')).size).toBeLessThan(120_000);
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 30_000, maxOldSpaceMb: 512 });
    const report = reportOf(r);
    const problems = findingsOf(report, 'fan.yaml');
    expect(problems.map((p) => p.ruleId)).toEqual(['parse-error']);
    // At the anchor `&big` (line 1, column 6), naming the bound.
    expect(problems[0]).toMatchObject({ line: 1, column: 6 });
    expect(problems[0].message).toMatch(/alias.*\*big.*expand/i);
    expect(problems[0].message).toMatch(/limit/);
    expectGoodLinted(report);
  }, 40_000);

  test('in .trainlint.yml: a config error with the anchor location, quickly', async () => {
    const dir = tempRepo({ '.trainlint.yml': fanOut().replace('per_device_train_batch_size: 8\n', ''), 'good.yaml': GOOD });
    const r = await runCliChild([], { cwd: dir, timeoutMs: 30_000, maxOldSpaceMb: 512 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trainlint: \.trainlint\.yml:1:6: .*alias/);
  }, 40_000);
});

describe('2. numeric-looking text is recognised in linear time', () => {
  /** N digits followed by a letter: O(N²) for `\d+\.?\d*`-style patterns. */
  const DIGITS = '1'.repeat(1 << 20);
  const cases: Array<[string, Record<string, string>]> = [
    // plan.ts (scalarNumber), rules/schema.ts (string-number hint) and yaml11-ambiguous-scalar.
    ['hf-trainer', { 'c.yaml': `per_device_train_batch_size: 8\nlearning_rate: "${DIGITS}x"\nwarmup_ratio: ${DIGITS}_x\nmax_steps: 100\nlr_scheduler_type: cosine\nweight_decay: ${DIGITS}e\n` }],
    ['composer', { 'c.yaml': fixture('composer/mpt-125m.yaml').replace(/^max_duration: .*$/m, `max_duration: ${DIGITS}x`) }],
    ['olmo', { 'c.yaml': fixture('olmo/OLMo-20M.yaml').replace(/^max_duration: .*$/m, `max_duration: ${DIGITS}xT`) }],
    ['megatron', { 'c.sh': fixture('megatron/train_gpt3_175b_distributed.sh').replace('--lr 6.0e-5', `--lr ${DIGITS}x`) }],
  ];

  test.each(cases)('%s: a 1 MB adversarial value is linted within the time cap', async (_name, files) => {
    const dir = tempRepo({ ...files, '.trainlint.yml': 'maxFileBytes: 4194304\n' });
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 20_000, maxOldSpaceMb: 1024 });
    const report = reportOf(r);
    expect(report.files).toHaveLength(1);
    expect(report.findings.map((f) => f.ruleId)).not.toContain('internal-error');
  }, 30_000);
});

test('2. no regex literal in src/ is super-linear on pumped adversarial strings (bench/regex-audit.mjs)', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bench', 'regex-audit.mjs')], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout).toMatch(/^regex audit: \d+ patterns in src\/, 0 super-linear$/m);
  expect(r.status).toBe(0);
}, 70_000);

describe('4. user JSON Schema patterns', () => {
  const config = (schema: string) => `schemas:\n  - files: '*.yaml'\n    schema: ${schema}\n`;

  test('a backtracking pattern against a linted value: linear time, a schema finding', async () => {
    const dir = tempRepo({
      '.trainlint.yml': config('run.schema.json'),
      'run.schema.json': JSON.stringify({ type: 'object', properties: { run_name: { type: 'string', pattern: '^(a+)+$' } } }),
      'c.yaml': `${GOOD}run_name: ${'a'.repeat(34)}!\n`,
    });
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 20_000 });
    const report = reportOf(r);
    const schema = findingsOf(report, 'c.yaml').filter((f) => f.ruleId === 'schema');
    expect(schema).toHaveLength(1);
    expect(schema[0].message).toContain('run_name');
  }, 30_000);

  test.each([
    ['lookahead', '^(?=a)a+$'],
    ['backreference', '^(a)\\1$'],
  ])('a pattern the linear engine cannot run (%s) is a config error naming it', async (_kind, pattern) => {
    const dir = tempRepo({
      '.trainlint.yml': config('run.schema.json'),
      'run.schema.json': JSON.stringify({ type: 'object', properties: { run_name: { type: 'string', pattern } } }),
      'c.yaml': GOOD,
    });
    const r = await runCliCapture([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run.schema.json');
    expect(r.stderr).toContain(JSON.stringify(pattern));
    expect(r.stderr).not.toMatch(/internal error/);
  });

  test('a schema too large to compile in bounded time is a config error', async () => {
    const properties: Record<string, object> = {};
    for (let i = 0; i < 60_000; i++) properties[`k${i}`] = { type: 'integer', minimum: 0 };
    const dir = tempRepo({ '.trainlint.yml': config('big.schema.json'), 'big.schema.json': JSON.stringify({ type: 'object', properties }), 'c.yaml': GOOD });
    const r = await runCliChild([], { cwd: dir, timeoutMs: 20_000 });
    expect(ended(r)).not.toMatch(/timeout/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trainlint: big\.schema\.json: .*(too large|limit)/);
  }, 30_000);
});

describe('5. glob matching', () => {
  test('many wildcards against a long file name from the pull request: linear time', async () => {
    const glob = `${'*a'.repeat(14)}*b`;
    const name = `${'a'.repeat(200)}.yaml`;
    const dir = tempRepo({ '.trainlint.yml': `ignore: ['${glob}', 'x/${glob}/**']\n`, [name]: GOOD, 'good.yaml': GOOD });
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 20_000 });
    const report = reportOf(r);
    expect(report.files.map((f) => f.path).sort()).toEqual([name, 'good.yaml'].sort());
  }, 30_000);

  test('a 70,000-character glob is a config error at its line and column, not an internal error', async () => {
    const dir = tempRepo({ '.trainlint.yml': `files:\n  - configs/**\n  - '${'*a'.repeat(35_000)}'\n`, 'good.yaml': GOOD });
    const r = await runCliChild([], { cwd: dir, timeoutMs: 20_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trainlint: \.trainlint\.yml:3:5: glob .*70000 characters.*limit/);
    expect(r.stderr).not.toMatch(/internal error/);
  }, 30_000);
});

describe('6. FIFOs and devices are never read', () => {
  maybeFifo('.trainlint.yml as a FIFO: a config error, no hang', async () => {
    const dir = tempRepo({ 'good.yaml': GOOD });
    mkfifo(path.join(dir, '.trainlint.yml'));
    const r = await runCliChild([], { cwd: dir, timeoutMs: 15_000 });
    expect(ended(r)).not.toMatch(/timeout/);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trainlint: .trainlint.yml: not a regular file (a FIFO, socket or device); not read\n');
  }, 25_000);

  maybeFifo('a FIFO baseline, and a FIFO named as a config: refused, no hang', async () => {
    const dir = tempRepo({ 'good.yaml': GOOD });
    mkfifo(path.join(dir, '.trainlint-baseline.json'));
    mkfifo(path.join(dir, 'pipe.yaml'));
    const baseline = await runCliChild(['good.yaml'], { cwd: dir, timeoutMs: 15_000 });
    expect(ended(baseline)).not.toMatch(/timeout/);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toBe('trainlint: .trainlint-baseline.json: not a regular file (a FIFO, socket or device); not read\n');
    const update = await runCliChild(['good.yaml', '--update-baseline'], { cwd: dir, timeoutMs: 15_000 });
    expect(ended(update)).not.toMatch(/timeout/);
    expect(update.code).toBe(2);
    const named = await runCliChild(['pipe.yaml', 'good.yaml', '--no-baseline', '--format', 'json'], { cwd: dir, timeoutMs: 15_000 });
    const report = reportOf(named);
    expect(findingsOf(report, 'pipe.yaml').map((f) => f.message)).toEqual(['not a regular file (a FIFO, socket or device); not read']);
    expectGoodLinted(report);
  }, 60_000);

  test('a character device as the config (a link to /dev/zero, or --config /dev/zero): a config error, no read', async () => {
    if (!fs.existsSync('/dev/zero')) return;
    const dir = tempRepo({ 'good.yaml': GOOD });
    fs.symlinkSync('/dev/zero', path.join(dir, '.trainlint.yml'));
    const linked = await runCliChild([], { cwd: dir, timeoutMs: 15_000, maxOldSpaceMb: 256 });
    expect(ended(linked)).not.toMatch(/timeout/);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/^trainlint: \.trainlint\.yml: .*(outside the repository|leaves the repository|not a regular file)/);
    const named = await runCliChild(['--config', '/dev/zero'], { cwd: dir, timeoutMs: 15_000, maxOldSpaceMb: 256 });
    expect(ended(named)).not.toMatch(/timeout/);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^trainlint: \/dev\/zero: .*(outside the repository|leaves the repository|not a regular file)/);
  }, 40_000);
});

describe('7. nothing outside the repository is read', () => {
  const SECRET = 'SECRET_FIRST_KEY_d41d8cd9';
  function outside(): string {
    return tempRepo({ 'secret.json': `{"${SECRET}": 1}`, 'secret.yaml': `${SECRET}: [unclosed\n` }, 'trainlint-outside-');
  }

  test.each([
    ['an absolute path', (o: string) => path.join(o, 'secret.json')],
    ['a ../ path', (o: string) => path.join('..', path.basename(o), 'secret.yaml')],
  ])('schemas: %s is a config error naming the path, never its content', async (_kind, schemaPath) => {
    const o = outside();
    const written = schemaPath(o);
    const dir = tempRepo({ '.trainlint.yml': `schemas:\n  - files: '*.yaml'\n    schema: ${written}\n`, 'good.yaml': GOOD });
    const r = await runCliCapture([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(written);
    expect(r.stderr).toMatch(/outside the repository/);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  test('schemas: a symbolic link that leaves the repository is a config error', async () => {
    const o = outside();
    const dir = tempRepo({ '.trainlint.yml': `schemas:\n  - files: '*.yaml'\n    schema: schemas/run.yaml\n`, 'good.yaml': GOOD });
    fs.mkdirSync(path.join(dir, 'schemas'));
    fs.symlinkSync(path.join(o, 'secret.yaml'), path.join(dir, 'schemas', 'run.yaml'));
    const r = await runCliCapture([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schemas\/run\.yaml.*leaves the repository/);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  test('a symlinked .trainlint.yml (or --config) that leaves the repository is a config error', async () => {
    const o = outside();
    const dir = tempRepo({ 'good.yaml': GOOD });
    fs.symlinkSync(path.join(o, 'secret.yaml'), path.join(dir, '.trainlint.yml'));
    const r = await runCliCapture([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trainlint: \.trainlint\.yml: .*leaves the repository; not read\n$/);
    expect(r.stderr).not.toContain(SECRET);
    const named = await runCliCapture(['--config', path.join(o, 'secret.yaml')], dir);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/outside the repository; not read/);
    expect(named.stderr).not.toContain(SECRET);
  });

  test('a path named on the command line outside the root is not read', async () => {
    const o = outside();
    const dir = tempRepo({ 'good.yaml': GOOD });
    const r = await runCliCapture([path.join('..', path.basename(o), 'secret.yaml')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/outside the repository; not read/);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });
});

describe('8. --fix when a file cannot be written', () => {
  const AMBIGUOUS = (lr: string) => `per_device_train_batch_size: 8\nlearning_rate: ${lr}\nmax_steps: 1000\nwarmup_steps: 10\nlr_scheduler_type: cosine\n`;

  test('a per-file error, the other files fixed, the report printed', async () => {
    const dir = tempRepo({ 'a.yaml': AMBIGUOUS('1e-4'), 'b.yaml': AMBIGUOUS('2e-4'), 'c.yaml': AMBIGUOUS('3e-4') });
    const real = fs.writeFileSync;
    jest.spyOn(fs, 'writeFileSync').mockImplementation((file, data, options) => {
      if (typeof file === 'string' && file.endsWith('b.yaml')) throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
      return real(file, data, options);
    });
    const r = await runCliCapture(['--fix', '--format', 'json'], dir);
    expect(r.stderr).toContain('trainlint: cannot write b.yaml (EACCES); its 1 fix(es) were not applied');
    expect(r.stderr).not.toMatch(/internal error/);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toContain('1.0e-4');
    expect(fs.readFileSync(path.join(dir, 'b.yaml'), 'utf8')).toContain('2e-4');
    expect(fs.readFileSync(path.join(dir, 'c.yaml'), 'utf8')).toContain('3.0e-4');
    const report = JSON.parse(r.stdout) as Report;
    // The string `2e-4` is still reported in b.yaml (the schema error, which stands for the yaml11 finding).
    expect(idsOf(report, 'b.yaml')).toContain('schema');
    expect(idsOf(report, 'a.yaml')).not.toContain('schema');
    expect(r.code).toBe(1);
  });

  (isRoot ? test.skip : test)('a read-only file (real permissions)', async () => {
    const dir = tempRepo({ 'a.yaml': AMBIGUOUS('1e-4'), 'b.yaml': AMBIGUOUS('2e-4') });
    fs.chmodSync(path.join(dir, 'b.yaml'), 0o444);
    const r = await runCliCapture(['--fix'], dir);
    expect(r.stderr).toMatch(/cannot write b\.yaml \(EACCES|EPERM\)/);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toContain('1.0e-4');
    expect(r.code).toBe(1);
  });

  test('the UTF-8 BOM and CRLF line endings are kept', async () => {
    const text = '\ufeff' + AMBIGUOUS('1e-4').replace(/\n/g, '\r\n');
    const dir = tempRepo({ 'a.yaml': text });
    const r = await runCliCapture(['--fix'], dir);
    expect(r.stderr).toContain('applied 1 fix(es) in 1 file(s)');
    const after = fs.readFileSync(path.join(dir, 'a.yaml'));
    expect([...after.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(after.toString('utf8')).toBe(text.replace('1e-4', '1.0e-4'));
  });
});

describe('9. floods', () => {
  const dups = (n: number) => `per_device_train_batch_size: 8\n${'a: 1\n'.repeat(n)}`;

  test('5,000 duplicate keys: capped per rule per file, with a count of the rest', async () => {
    const dir = tempRepo({ 'dup.yaml': dups(5_000), 'good.yaml': GOOD });
    const r = await runCliCapture(['--format', 'json'], dir);
    const report = JSON.parse(r.stdout) as Report;
    const dup = findingsOf(report, 'dup.yaml').filter((f) => f.ruleId === 'duplicate-key');
    expect(dup.length).toBeLessThanOrEqual(50);
    expect(dup[dup.length - 1].message).toMatch(/and 4949 more duplicate-key findings in this file/);
    expectGoodLinted(report);
  });

  test('125,000 duplicate keys: no stack overflow, the same cap', async () => {
    const dir = tempRepo({ 'dup.yaml': dups(125_000), 'good.yaml': GOOD });
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 30_000, maxOldSpaceMb: 1024 });
    const report = reportOf(r);
    expect(idsOf(report, 'dup.yaml')).not.toContain('internal-error');
    expect(JSON.stringify(report)).not.toContain('Maximum call stack');
    const dup = findingsOf(report, 'dup.yaml').filter((f) => f.ruleId === 'duplicate-key');
    expect(dup.length).toBeLessThanOrEqual(50);
    expect(dup[dup.length - 1].message).toMatch(/and 124949 more duplicate-key findings/);
    expectGoodLinted(report);
  }, 40_000);
});

describe('10. file names with line breaks', () => {
  test.each([['\n'], ['\r']])('a config named with %j under configs/** is linted', async (brk) => {
    const name = `configs/a${brk}b.yaml`;
    const dir = tempRepo({ '.trainlint.yml': "files: ['configs/**']\n", [name]: GOOD, 'configs/good.yaml': GOOD });
    const r = await runCliCapture(['--format', 'json'], dir);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.files.map((f) => f.path).sort()).toEqual([name, 'configs/good.yaml'].sort());
    expect(idsOf(report, name)).toEqual(['warmup-fraction']);
  });
});

describe('11. sizes', () => {
  test('a .trainlint.yml with 200,000 globs is a config error, not an abort', async () => {
    const dir = tempRepo({ '.trainlint.yml': `files:\n${'  - x*y\n'.repeat(200_000)}`, 'good.yaml': GOOD });
    const r = await runCliChild([], { cwd: dir, timeoutMs: 20_000, maxOldSpaceMb: 512 });
    expect(ended(r)).not.toMatch(/timeout/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trainlint: \.trainlint\.yml: .*limit/);
  }, 30_000);

  test('a raised maxFileBytes and a 50 MB file: a finding, not an internal failure', async () => {
    const items = '0,'.repeat(25 * 1024 * 1024);
    const dir = tempRepo({ '.trainlint.yml': 'maxFileBytes: 67108864\n', 'big.yaml': `learning_rate: 1.0e-4\nx: [${items}0]\n`, 'good.yaml': GOOD });
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 30_000, maxOldSpaceMb: 1536 });
    const report = reportOf(r);
    const big = findingsOf(report, 'big.yaml');
    expect(big.map((f) => f.ruleId)).toEqual(['parse-error']);
    expect(big[0].message).toMatch(/limit/);
    expectGoodLinted(report);
  }, 40_000);

  test('maxFileBytes above its ceiling is a config error', async () => {
    const dir = tempRepo({ '.trainlint.yml': 'maxFileBytes: 1000000000000\n', 'good.yaml': GOOD });
    const r = await runCliCapture([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.trainlint\.yml:1:\d+: .*maxFileBytes/);
  });
});

describe('12. wording and small contract breaks', () => {
  test('no message shows "Maximum call stack size exceeded": nested too deeply (limit N)', async () => {
    // A merge-key chain: each level merges the previous one (an alias bound, not a stack overflow).
    const lines = ['a0: &a0 {x: 1}'];
    for (let i = 1; i <= 3000; i++) lines.push(`a${i}: &a${i} {<<: *a${i - 1}}`);
    const dir = tempRepo({
      'chain.yaml': lines.join('\n') + '\n',
      'deep.yaml': '['.repeat(5_000) + ']'.repeat(5_000) + '\n',
      'deep.json': '['.repeat(200_000) + ']'.repeat(200_000),
      'good.yaml': GOOD,
    });
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 20_000 });
    const report = reportOf(r);
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/Maximum call stack|RangeError|Invalid string length/);
    for (const name of ['deep.yaml', 'deep.json']) {
      expect(idsOf(report, name)).not.toContain('internal-error');
      expect(findingsOf(report, name).some((f) => /nested too deeply \(limit \d+\)|nesting deeper than \d+/.test(f.message))).toBe(true);
    }
    expect(findingsOf(report, 'chain.yaml').map((f) => f.ruleId)).toEqual(['parse-error']);
    expect(findingsOf(report, 'chain.yaml')[0].message).toMatch(/alias/);
    expectGoodLinted(report);
  }, 30_000);

  test('control characters in file names are stripped from workflow-command properties', async () => {
    const name = 'x\x1b]8;;http://evil\x07y\x1b[31m.yaml';
    const dir = tempRepo({ [name]: GOOD });
    const r = await runCliCapture(['--format', 'github'], dir);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(r.stdout).toMatch(/^::error file=/);
  });

  test('invalid UTF-8 in .trainlint.yml is a config error', async () => {
    const dir = tempRepo({ '.trainlint.yml': Buffer.from([0x66, 0x69, 0x6c, 0x65, 0x73, 0x3a, 0x20, 0xff, 0xfe, 0x0a]), 'good.yaml': GOOD });
    const r = await runCliCapture([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trainlint: .trainlint.yml: not valid UTF-8; not read\n');
  });

  test('plan DIR is a usage error', async () => {
    const dir = tempRepo({ 'configs/good.yaml': GOOD });
    const r = await runCliCapture(['plan', 'configs'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trainlint: plan: configs is a folder; name one config file\n');
    expect(r.stdout).toBe('');
  });
});

describe('internal strings never reach the user', () => {
  test('an internal RangeError is worded, not echoed', async () => {
    const lintModule = await import('../src/dialects/hf-trainer');
    jest.spyOn(lintModule.hfTrainer, 'extract').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    const dir = tempRepo({ 'good.yaml': GOOD });
    const r = await runCliCapture(['--format', 'json'], dir);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings[0].ruleId).toBe('internal-error');
    expect(report.findings[0].message).toMatch(/nested too deeply \(limit \d+\)/);
    expect(report.findings[0].message).not.toMatch(/Maximum call stack/);
  });
});
