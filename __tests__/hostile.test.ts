/**
 * Hostile and broken input: configs in a pull request are untrusted. Every case must end in
 * a finding (or a usage error for `.trainlint.yml`), never in a crash, a hang, a followed
 * symlink out of the repository, an executed command or a polluted prototype — and the
 * other files of the run are still linted.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ended, runCliChild } from './helpers/child';
import { runCliCapture } from './helpers/run-cli';
import { hfTrainer } from '../src/dialects/hf-trainer';
import { openclip } from '../src/dialects/openclip';
import * as yamlLoader from '../src/engine/load/yaml';
import { MAX_PARSE_ERRORS_PER_FILE } from '../src/engine/load-file';
import type { Report } from '../src/engine/report-types';
import { warmupFraction } from '../src/rules/warmup-fraction';

const REPO = path.resolve(__dirname, '..');
const readExample = (name: string) => fs.readFileSync(path.join(REPO, 'examples/openclip-a100-to-h100', name), 'utf8');

const run = (argv: string[], cwd: string) => runCliCapture(argv, cwd);

async function runJson(argv: string[], cwd: string): Promise<{ code: number; report: Report }> {
  const r = await run([...argv, '--format', 'json'], cwd);
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const dirs: string[] = [];
function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-hostile-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** A good HF config with one known finding (warmup-fraction: 40% of 1000 steps). */
const GOOD = [
  'per_device_train_batch_size: 8',
  'gradient_accumulation_steps: 4',
  'learning_rate: 2.0e-5',
  'lr_scheduler_type: cosine',
  'max_steps: 1000',
  'warmup_steps: 400',
  '',
].join('\n');

const findingsOf = (report: Report, file: string) => report.findings.filter((f) => f.path === file);
const idsOf = (report: Report, file: string) => findingsOf(report, file).map((f) => f.ruleId);

/** The good file was linted normally next to the hostile one. */
function expectGoodLinted(report: Report, file = 'good.yaml'): void {
  expect(idsOf(report, file)).toEqual(['warmup-fraction']);
  expect(report.files.find((f) => f.path === file)?.dialect).toBe('hf-trainer');
}

describe('resource limits', () => {
  test('a file over maxFileBytes is a parse-error naming the limit; the other file is linted', async () => {
    const big = GOOD + '# padding\n'.repeat(200);
    const dir = tempDir({ '.trainlint.yml': 'maxFileBytes: 1000\n', 'big.yaml': big, 'good.yaml': GOOD });
    const { code, report } = await runJson([], dir);
    expect(code).toBe(1);
    const [problem, ...rest] = findingsOf(report, 'big.yaml');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ ruleId: 'parse-error', severity: 'error', line: 1, column: 1 });
    expect(problem.message).toContain(String(Buffer.byteLength(big)));
    expect(problem.message).toContain('1000-byte limit');
    expect(problem.message).toContain('maxFileBytes');
    expect(report.files.find((f) => f.path === 'big.yaml')?.reason).toMatch(/^parse-error at 1:1: file is \d+ bytes, over the 1000-byte limit/);
    expectGoodLinted(report);
  });

  test('a declared reference over maxFileBytes: parse-error at the directive, the file still linted', async () => {
    const dir = tempDir({
      '.trainlint.yml': 'maxFileBytes: 1500\n',
      'a100.sh': readExample('a100.sh') + '#'.repeat(2000) + '\n',
      'h100.sh': readExample('h100.sh'),
    });
    const { report } = await runJson(['h100.sh'], dir);
    const problems = findingsOf(report, 'h100.sh').filter((f) => f.ruleId === 'parse-error');
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(4); // the `# trainlint: reference=a100.sh` line
    expect(problems[0].message).toMatch(/^reference a100\.sh cannot be read: .*maxFileBytes/);
    expect(idsOf(report, 'h100.sh')).toContain('warmup-fraction');
  });

  test('YAML alias bomb (9 levels × 9 aliases): parse-error, in a child with a hard timeout and a heap cap', async () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('per_device_train_batch_size: 8', 'num_train_epochs: 3', 'lr_scheduler_type: cosine', '');
    const dir = tempDir({ 'bomb.yaml': lines.join('\n'), 'good.yaml': GOOD });
    // A bomb that expanded would take minutes and gigabytes: the child is killed after 30 s.
    const r = await runCliChild(['--format', 'json'], { cwd: dir, timeoutMs: 30_000, maxOldSpaceMb: 512 });
    expect(ended(r)).toMatch(/^exit 1 /);
    const report = JSON.parse(r.stdout) as Report;
    expect(idsOf(report, 'bomb.yaml')).toEqual(['parse-error']);
    expect(findingsOf(report, 'bomb.yaml')[0].message).toMatch(/alias/);
    expectGoodLinted(report);
  }, 40_000);

  test('an alias bomb in .trainlint.yml is a usage error, in a child with a hard timeout and a heap cap', async () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const dir = tempDir({ '.trainlint.yml': lines.join('\n') + '\n', 'good.yaml': GOOD });
    const r = await runCliChild([], { cwd: dir, timeoutMs: 30_000, maxOldSpaceMb: 512 });
    expect(ended(r)).toMatch(/^exit 2 /);
    expect(r.stderr).toMatch(/^trainlint: \.trainlint\.yml:\d+:\d+: .*alias/);
  }, 40_000);

  test.each([
    ['deep.yaml', '['.repeat(10_000)],
    ['deep-closed.yaml', '['.repeat(10_000) + ']'.repeat(10_000) + '\n'],
    ['deep-map.yaml', Array.from({ length: 10_000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1\n'],
    ['deep.json', '['.repeat(10_000)],
    ['deep-closed.json', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['deep-object.json', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
    ['deep.toml', 'a = ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n'],
  ])('nesting 10,000 levels deep (%s): parse-error, no crash', async (name, text) => {
    const dir = tempDir({ [name]: text, 'good.yaml': GOOD });
    const { report } = await runJson([], dir);
    const problems = findingsOf(report, name);
    // At least one parse-error, and no flood: 10,000 unclosed `[` are 10,000 YAML errors, of which
    // at most MAX_PARSE_ERRORS_PER_FILE are reported, the last one saying how many were dropped.
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.length).toBeLessThanOrEqual(MAX_PARSE_ERRORS_PER_FILE);
    for (const p of problems) expect(p.ruleId).toBe('parse-error');
    if (problems.length === MAX_PARSE_ERRORS_PER_FILE) expect(problems[problems.length - 1].message).toMatch(/and \d+ more parse errors/);
    expect(problems[0].line).toBeGreaterThanOrEqual(1);
    expectGoodLinted(report);
  });
});

describe('bytes that are not text', () => {
  test.each([
    ['binary.yaml', Buffer.from([0x00, 0x01, 0x02, 0x41, 0x00, 0xff])],
    ['latin1.yaml', Buffer.from([0xff, 0xfe, 0x41])],
    ['latin1.json', Buffer.from('{"learning_rate": "caf\xe9"}', 'latin1')],
    ['binary.sh', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00])],
  ])('%s: parse-error, the other file is linted', async (name, bytes) => {
    const dir = tempDir({ [name]: bytes, 'good.yaml': GOOD });
    const { report } = await runJson([], dir);
    const problems = findingsOf(report, name);
    expect(problems.map((f) => f.ruleId)).toEqual(['parse-error']);
    expect(problems[0].message).toMatch(/binary|UTF-8/);
    expectGoodLinted(report);
  });
});

describe('prototype keys are plain data', () => {
  const hostileYaml = [
    '__proto__:',
    '  polluted: true',
    'constructor:',
    '  prototype:',
    '    polluted: true',
    'per_device_train_batch_size: 8',
    'num_train_epochs: 3',
    'lr_scheduler_type: cosine',
    'learning_rate: 2.0e-5',
    '',
  ].join('\n');
  const hostileJson = JSON.stringify({
    per_device_train_batch_size: 8,
    num_train_epochs: 3,
    lr_scheduler_type: 'cosine',
    constructor: { prototype: { polluted: true } },
  }).replace(/^\{/, '{"__proto__": {"polluted": true}, ');

  test('__proto__ and constructor keys in YAML and JSON do not pollute Object.prototype', async () => {
    const dir = tempDir({ 'proto.yaml': hostileYaml, 'proto.json': hostileJson, 'good.yaml': GOOD });
    const { report } = await runJson([], dir);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    // The files were read as HF configs; the odd keys are reported as unknown keys by the schema
    // rule or ignored, but never crash the run.
    for (const name of ['proto.yaml', 'proto.json']) {
      expect(report.files.find((f) => f.path === name)?.dialect).toBe('hf-trainer');
      expect(idsOf(report, name)).not.toContain('internal-error');
      expect(idsOf(report, name)).not.toContain('parse-error');
    }
    expectGoodLinted(report);
  });

  test('__proto__ in .trainlint.yml is an unknown key (usage error), not a prototype', async () => {
    const dir = tempDir({ '.trainlint.yml': '__proto__:\n  polluted: true\n', 'good.yaml': GOOD });
    const r = await run([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.trainlint.yml:1:1');
    expect(r.stderr).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const rules = tempDir({ '.trainlint.yml': 'rules:\n  __proto__: off\n  constructor: off\n', 'good.yaml': GOOD });
    const r2 = await run([], rules);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/\.trainlint\.yml:2:3: unknown rule "__proto__"/);
  });

  test('a file named like an Object.prototype member is not confused with config lookups', async () => {
    // `references:` is a plain object: a lookup by a file named `constructor` must not find
    // Object.prototype.constructor.
    const dir = tempDir({ '.trainlint.yml': 'references:\n  h100.sh: a100.sh\n', constructor: GOOD, 'good.yaml': GOOD });
    const { code, report } = await runJson(['constructor', 'good.yaml'], dir);
    expect(code).toBe(1);
    expect(idsOf(report, 'constructor')).toEqual(['warmup-fraction']);
    expect(report.files.find((f) => f.path === 'constructor')?.reference).toBeUndefined();
  });
});

describe('symbolic links', () => {
  const canSymlink = (() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-link-probe-'));
    try {
      fs.symlinkSync(dir, path.join(dir, 'l'));
      return true;
    } catch {
      return false;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  })();
  const maybe = canSymlink ? test : test.skip;

  maybe('a link inside the linted folder to a file or folder outside the root is not followed', async () => {
    const outside = tempDir({ 'secret.yaml': GOOD.replace('warmup_steps: 400', 'warmup_steps: 5000'), 'dir/x.yaml': GOOD });
    const root = tempDir({ 'configs/good.yaml': GOOD });
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'configs/secret.yaml'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(root, 'configs/outdir'));
    fs.symlinkSync(path.join(root, 'configs/good.yaml'), path.join(root, 'configs/inside.yaml'));
    const { report } = await runJson(['configs'], root);
    const paths = report.files.map((f) => f.path).sort();
    expect(paths).toEqual(['configs/good.yaml', 'configs/inside.yaml']);
    expect(report.findings.some((f) => /secret|outdir/.test(f.path))).toBe(false);
    expect(report.findings.some((f) => f.ruleId === 'warmup-exceeds-training')).toBe(false);

    // Through a glob as well.
    const globbed = await runJson(['configs/**/*.yaml'], root);
    expect(globbed.report.files.map((f) => f.path).sort()).toEqual(['configs/good.yaml', 'configs/inside.yaml']);

    // Named explicitly: a usage error, not a read.
    const named = await run(['configs/secret.yaml'], root);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^trainlint: configs\/secret\.yaml: symbolic link leaves the repository; not followed\n$/);
  });

  test('a reference outside the root is not read (inline or in .trainlint.yml)', async () => {
    const outside = tempDir({ 'a100.sh': readExample('a100.sh') });
    const h100 = readExample('h100.sh').replace('# trainlint: reference=a100.sh', `# trainlint: reference=${path.relative('/', path.join(outside, 'a100.sh')).replace(/^/, '../'.repeat(20))}`);
    const root = tempDir({ 'h100.sh': h100, 'b.sh': readExample('h100.sh').replace('# trainlint: reference=a100.sh', ''), '.trainlint.yml': `references:\n  b.sh: ../${path.basename(outside)}/a100.sh\n` });
    const { report } = await runJson([], root);
    for (const file of ['h100.sh', 'b.sh']) {
      const ids = idsOf(report, file);
      expect(ids).not.toContain('lr-not-rescaled');
      const refused = findingsOf(report, file).find((f) => f.ruleId === 'parse-error');
      expect(refused?.message).toMatch(/: outside the repository; not read$/);
    }
  });

  test('an absolute reference path is refused as outside the repository, not joined to the file\'s folder', async () => {
    const root = tempDir({ 'configs/a.sh': readExample('h100.sh').replace('# trainlint: reference=a100.sh', '# trainlint: reference=/etc/passwd') });
    const { report } = await runJson([], root);
    const refused = findingsOf(report, 'configs/a.sh').find((f) => f.ruleId === 'parse-error');
    expect(refused?.message).toBe('reference /etc/passwd: outside the repository; not read');
  });

  maybe('a dangling link is skipped', async () => {
    const root = tempDir({ 'good.yaml': GOOD });
    fs.symlinkSync(path.join(root, 'missing.yaml'), path.join(root, 'dangling.yaml'));
    const { report } = await runJson([], root);
    expect(report.files.map((f) => f.path)).toEqual(['good.yaml']);
  });
});

describe('launch scripts are read, never run', () => {
  test('command substitutions and backticks are not executed', async () => {
    const markers = tempDir();
    const m = (n: number) => path.join(markers, `should-not-exist-${n}`);
    const script = [
      '#!/bin/bash',
      `rm_marker=$(touch ${m(1)})`,
      `BS=\`touch ${m(2)}\``,
      `LR="$(touch ${m(3)})"`,
      `touch ${m(4)}`,
      `eval "touch ${m(5)}"`,
      `torchrun --nproc_per_node $(touch ${m(6)}; echo 4) -m open_clip_train.main \\`,
      `    --train-num-samples 10000000 --batch-size \`touch ${m(7)}\` \\`,
      `    --lr \${LR:-$(touch ${m(8)})} --warmup 10000 --epochs 30 --local-loss --gather-with-grad \\`,
      `    --name "$(rm -rf ${m(9)})" > >(touch ${m(10)}) <(touch ${m(11)})`,
      '',
    ].join('\n');
    const dir = tempDir({ 'run.sh': script, 'good.yaml': GOOD });
    const r = await run(['--format', 'json'], dir);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    for (let n = 1; n <= 11; n++) expect(fs.existsSync(m(n))).toBe(false);
    expect(fs.readdirSync(markers)).toEqual([]);
    expect(idsOf(report, 'run.sh')).not.toContain('internal-error');
    expectGoodLinted(report);
  });

  test('an unterminated quote: parse-error with a location; the other files are linted', async () => {
    const script = ['#!/bin/bash', 'torchrun --nproc_per_node 4 -m open_clip_train.main \\', '    --batch-size 800 \\', '    --name "oops \\', '    --lr 5e-4', ''].join('\n');
    const dir = tempDir({ 'broken.sh': script, 'good.yaml': GOOD, 'a100.sh': readExample('a100.sh') });
    const { report } = await runJson([], dir);
    const problems = findingsOf(report, 'broken.sh').filter((f) => f.ruleId === 'parse-error');
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(4);
    expect(problems[0].message).toMatch(/quote/i);
    expect(idsOf(report, 'broken.sh')).not.toContain('internal-error');
    expectGoodLinted(report);
    expect(idsOf(report, 'a100.sh')).toEqual([]);
    expect(report.files.find((f) => f.path === 'a100.sh')?.dialect).toBe('openclip');
  });
});

describe('an internal error in one file does not stop the others', () => {
  const BAD = GOOD.replace('learning_rate: 2.0e-5', 'learning_rate: 3.0e-5'); // recognisable content

  function expectInternalError(report: Report, file: string): void {
    const errors = findingsOf(report, file).filter((f) => f.ruleId === 'internal-error');
    expect(errors).toHaveLength(1);
    expect(errors[0].severity).toBe('error');
    expect(errors[0].message).toContain('boom');
    expect(errors[0].message).toContain('the other files were linted');
  }

  test('a dialect that throws while extracting one file', async () => {
    const extract = hfTrainer.extract.bind(hfTrainer);
    jest.spyOn(hfTrainer, 'extract').mockImplementation((file, env) => {
      if (file.path === 'bad.yaml') throw new Error('boom\nsecond line');
      return extract(file, env);
    });
    // bad.yaml's suppressions cannot be judged when its rules never ran: no "suppresses nothing".
    const suppressed = `# trainlint-disable-next-line warmup-fraction -- short smoke run\n${BAD}`;
    const dir = tempDir({ 'bad.yaml': suppressed, 'good.yaml': GOOD });
    const { code, report } = await runJson([], dir);
    expect(code).toBe(1);
    expectInternalError(report, 'bad.yaml');
    expect(findingsOf(report, 'bad.yaml')[0].message).not.toContain('second line');
    expect(idsOf(report, 'bad.yaml')).toEqual(['internal-error']);
    expectGoodLinted(report);
  });

  test('a rule that throws on one file', async () => {
    const check = warmupFraction.check.bind(warmupFraction);
    jest.spyOn(warmupFraction, 'check').mockImplementation((ctx) => {
      if (ctx.file.path === 'bad.yaml') throw new TypeError('boom');
      check(ctx);
    });
    const dir = tempDir({ 'bad.yaml': BAD, 'good.yaml': GOOD });
    const { code, report } = await runJson([], dir);
    expect(code).toBe(1);
    expectInternalError(report, 'bad.yaml');
    expectGoodLinted(report);
  });

  test('a loader that throws on one file', async () => {
    const load = yamlLoader.loadYaml;
    jest.spyOn(yamlLoader, 'loadYaml').mockImplementation((text, options) => {
      if (text.includes('3.0e-5')) throw new RangeError('boom');
      return load(text, options);
    });
    const dir = tempDir({ 'bad.yaml': BAD, 'good.yaml': GOOD });
    const { code, report } = await runJson([], dir);
    expect(code).toBe(1);
    expectInternalError(report, 'bad.yaml');
    expectGoodLinted(report);
  });

  test('a dialect that throws on a declared reference', async () => {
    const extract = openclip.extract.bind(openclip);
    jest.spyOn(openclip, 'extract').mockImplementation((file, env) => {
      if (file.path === 'a100.sh') throw new Error('boom');
      return extract(file, env);
    });
    const dir = tempDir({ 'a100.sh': readExample('a100.sh'), 'h100.sh': readExample('h100.sh'), 'good.yaml': GOOD });
    const { code, report } = await runJson([], dir);
    expect(code).toBe(1);
    expectInternalError(report, 'a100.sh');
    // h100.sh is linted without its reference: the absolute rule still runs, and the failure
    // to read the reference is reported on the file.
    expect(idsOf(report, 'h100.sh')).toContain('warmup-fraction');
    expect(idsOf(report, 'h100.sh')).not.toContain('lr-not-rescaled');
    expectInternalError(report, 'h100.sh');
    expectGoodLinted(report);
  });

  test('a dialect that throws on the --base version of a file', async () => {
    const dir = tempDir();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Test');
    git('config', 'user.email', 'test@example.com');
    git('config', 'commit.gpgsign', 'false');
    fs.writeFileSync(path.join(dir, 'good.yaml'), GOOD);
    fs.writeFileSync(path.join(dir, 'other.yaml'), GOOD);
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    fs.writeFileSync(path.join(dir, 'good.yaml'), GOOD.replace('learning_rate: 2.0e-5', 'learning_rate: 3.0e-5'));

    const extract = hfTrainer.extract.bind(hfTrainer);
    jest.spyOn(hfTrainer, 'extract').mockImplementation((file, env) => {
      // Only the base version of good.yaml (head has 3.0e-5; other.yaml is a different path).
      if (file.path === 'good.yaml' && file.text.includes('2.0e-5')) throw new Error('boom');
      return extract(file, env);
    });
    const { code, report } = await runJson(['--base', 'HEAD'], dir);
    expect(code).toBe(1);
    expectInternalError(report, 'good.yaml');
    expect(findingsOf(report, 'good.yaml').find((f) => f.ruleId === 'internal-error')?.message).toContain('its version at HEAD');
    expect(idsOf(report, 'good.yaml')).toContain('warmup-fraction');
    expect(idsOf(report, 'other.yaml')).toEqual(['warmup-fraction']);
  });
});
