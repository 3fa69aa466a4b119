/**
 * `.trainlint.yml` as a policy that outlives the files it names: a `files` entry that matches no
 * file (a config a pull request deleted) is said with its line and never stops the lint; `!`
 * entries in glob lists are read in order, as `.gitignore` is; `references` written `./x` are the
 * files the lint names `x`; every dialect id can be forced; unknown mapping names are placed at
 * their key; and the CLI's small usage errors (`-o` into a missing folder, a comments-only config,
 * `-c ../.trainlint.yml` from a subfolder).
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import configSchema from '../schemas/trainlint.schema.json';
import { UsageError } from '../src/config/errors';
import { compileGlob, compileGlobs, compileIgnore, underPrefix } from '../src/config/glob';
import { parseConfig, settingsFor } from '../src/config/load-config';
import { policyNotes } from '../src/config/policy-notes';
import { DIALECTS } from '../src/dialects/index';
import { discover } from '../src/engine/discover';
import type { Report } from '../src/engine/report-types';
import { runCliCapture } from './helpers/run-cli';
import { tempRepos } from './helpers/temp-repo';

const { repo } = tempRepos('trainlint-policy');

// An HF Trainer config whose warmup is 40% of training (warmup-fraction, default max 20%).
const WARMUP_40 = 'per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\nlearning_rate: 2.0e-5\nlr_scheduler_type: cosine\nmax_steps: 1000\nwarmup_steps: 400\n';
const GOOD = 'per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\nlearning_rate: 2.0e-5\nlr_scheduler_type: cosine\nmax_steps: 1000\nwarmup_steps: 50\n';

async function lintJson(argv: string[], cwd: string): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await runCliCapture([...argv, '--format', 'json', '--no-baseline'], cwd);
  return { code: r.code, report: JSON.parse(r.stdout || '{"files":[],"findings":[]}') as Report, stderr: r.stderr };
}

const pathsOf = (report: Report) => report.files.map((f) => f.path).sort();

describe('1. a files entry that matches no file is said, with its line, and never fatal', () => {
  test('a config the policy names was deleted: the others are linted, one line names the entry at its line:column', async () => {
    const dir = repo({ '.trainlint.yml': "# written by trainlint init\nfiles:\n  - 'sft.yaml'\n  - 'dpo.yaml'\n", 'dpo.yaml': WARMUP_40 });
    const r = await lintJson([], dir);
    expect(r.code).toBe(1);
    expect(pathsOf(r.report)).toEqual(['dpo.yaml']);
    expect(r.report.findings.map((f) => f.ruleId)).toEqual(['warmup-fraction']);
    expect(r.stderr).toBe('trainlint: .trainlint.yml:3:5: files entry "sft.yaml" matches no file to lint (no such file or directory)\n');
  });

  test('a glob that matches nothing, and a policy whose every entry is gone: exit 0, one line per entry', async () => {
    const dir = repo({ '.trainlint.yml': "files: ['configs/**/*.yaml', 'old.yaml']\n", 'other.yaml': GOOD });
    const r = await lintJson([], dir);
    expect(r.code).toBe(0);
    expect(r.report.files).toEqual([]);
    expect(r.stderr).toBe(
      'trainlint: .trainlint.yml:1:9: files entry "configs/**/*.yaml" matches no file to lint\n' +
        'trainlint: .trainlint.yml:1:30: files entry "old.yaml" matches no file to lint (no such file or directory)\n',
    );
  });

  test('discover itself: the entry adds nothing and throws nothing; a path on the command line still does', () => {
    const dir = repo({ 'dpo.yaml': GOOD });
    expect(discover(dir, [], { files: ['gone.yaml', 'dpo.yaml'] }).map((f) => f.rel)).toEqual(['dpo.yaml']);
    expect(() => discover(dir, ['gone.yaml'], {})).toThrow(new UsageError('gone.yaml: no such file or directory'));
  });

  test('a path named on the command line that does not exist stays a usage error (exit 2)', async () => {
    const dir = repo({ '.trainlint.yml': "files: ['dpo.yaml']\n", 'dpo.yaml': GOOD });
    const r = await runCliCapture(['gone.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trainlint: gone.yaml: no such file or directory\n');
  });

  test('with paths on the command line the policy lists are not read, so they are not checked', async () => {
    const dir = repo({ '.trainlint.yml': "files: ['gone.yaml']\nreferences: {gone.yaml: dpo.yaml}\n", 'dpo.yaml': GOOD });
    const r = await lintJson(['dpo.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  test('an entry whose files a later ! entry takes away, and a folder with no config, are said too', () => {
    const dir = repo({ 'a.yaml': GOOD, 'docs/readme.md': '# docs\n' });
    const config = parseConfig("files:\n  - a.yaml\n  - docs\n  - '!a.yaml'\n", '.trainlint.yml');
    const linted = discover(dir, [], config).map((f) => f.rel);
    expect(linted).toEqual([]);
    expect(policyNotes(dir, config, linted)).toEqual([
      '.trainlint.yml:2:5: files entry "a.yaml" matches no file to lint (a later `!` entry takes it away)',
      '.trainlint.yml:3:5: files entry "docs" matches no file to lint (no config file in the folder is linted)',
    ]);
  });
});

describe('1. the action: a pull request that deletes a config the base policy names', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();

  test('the other configs are linted and the entry is a policy notice, not "::error::… no such file or directory"', async () => {
    const dir = repo({ '.trainlint.yml': "files:\n  - 'sft.yaml'\n  - 'dpo.yaml'\n", 'sft.yaml': GOOD, 'dpo.yaml': GOOD });
    fs.rmSync(path.join(dir, '.git'), { recursive: true });
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const base = git(dir, 'rev-parse', 'HEAD');
    fs.rmSync(path.join(dir, 'sft.yaml'));
    fs.writeFileSync(path.join(dir, 'dpo.yaml'), WARMUP_40);
    git(dir, 'commit', '-qam', 'delete sft.yaml, change dpo.yaml');
    const head = git(dir, 'rev-parse', 'HEAD');
    const event = path.join(dir, '.git', 'event.json');
    fs.writeFileSync(event, JSON.stringify({ number: 1, pull_request: { number: 1, base: { sha: base, repo: { full_name: 'o/r' } }, head: { sha: head, repo: { full_name: 'o/r' } } }, repository: { full_name: 'o/r' } }));

    const env = { GITHUB_WORKSPACE: dir, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_REPOSITORY: 'o/r', RUNNER_TEMP: path.join(dir, '.git'), INPUT_ANNOTATIONS: 'commands', INPUT_SUMMARY: 'false', GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    const savedExit = process.exitCode;
    let out = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      Object.assign(process.env, env);
      const { run } = await import('../src/action/main');
      await run();
    } finally {
      write.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      process.exitCode = savedExit;
    }
    expect(out).not.toContain('no such file or directory;');
    expect(out).not.toMatch(/::error::trainlint: sft\.yaml/);
    expect(out).toContain(`::notice title=trainlint policy::.trainlint.yml (base ${base.slice(0, 7)}):2:5: files entry "sft.yaml" matches no file to lint (no such file or directory)`);
    expect(out).toMatch(/::error file=dpo\.yaml,line=6,/);
    expect(out).toMatch(/::error::trainlint: 1 error\(s\)/);
  }, 60_000);
});

describe('2. ! entries in a list of globs are read in order, as .gitignore is', () => {
  test('a later ! entry takes away what earlier entries matched; a list that starts with one starts from everything', () => {
    const files = compileGlobs(['configs/**', '!configs/legacy/**']);
    expect(['configs/new/x.yaml', 'configs/legacy/x.yaml', 'other/y.yaml', '.trainlint.yml'].map(files)).toEqual([true, false, false, false]);
    const again = compileGlobs(['configs/**', '!configs/legacy/**', 'configs/legacy/keep.yaml']);
    expect(['configs/legacy/keep.yaml', 'configs/legacy/x.yaml'].map(again)).toEqual([true, false]);
    const allBut = compileGlobs(['!legacy/**', '!old/**']);
    expect(['a.yaml', 'legacy/a.yaml', 'old/b.yaml'].map(allBut)).toEqual([true, false, false]);
  });

  test('ignore: a ! entry takes a path back; a folder entry ignores what is in it; a walk skips only folders nothing can take back', () => {
    const ignore = compileIgnore(['configs/**', '!configs/new/**']);
    expect(['configs/old/x.yaml', 'configs/new/x.yaml', 'other/y.yaml'].map(ignore.ignores)).toEqual([true, false, false]);
    expect(['configs', 'configs/old', 'configs/new'].map(ignore.skipsFolder)).toEqual([false, true, false]);
    expect(compileIgnore(['configs/**', '!configs/new']).skipsFolder('configs/old')).toBe(true);
    const folder = compileIgnore(['legacy', '!legacy/keep.yaml']);
    expect(['legacy/a.yaml', 'legacy/keep.yaml'].map(folder.ignores)).toEqual([true, false]);
    const everywhere = compileIgnore(['build', '!**/keep.yaml']);
    expect(everywhere.skipsFolder('build')).toBe(false);
    expect(['build/a.yaml', 'build/x/keep.yaml'].map(everywhere.ignores)).toEqual([true, false]);
  });

  test('a glob matches only paths under its literal segments (what the walk and the ! entries rely on to skip work)', () => {
    const segment = fc.array(fc.constantFrom('a', 'b', '.', '*', '?', '[ab]', '{a,b}', '\\b'), { minLength: 1, maxLength: 3 }).map((p) => p.join(''));
    const glob = fc.array(fc.oneof(segment, fc.constant('**')), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    const name = fc.array(fc.array(fc.constantFrom('a', 'b', '.', 'c'), { minLength: 1, maxLength: 3 }).map((p) => p.join('')), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(glob, name, (g, n) => {
        const compiled = compileGlob(g);
        if (compiled.matches(n)) expect(underPrefix(compiled, n)).toBe(true);
      }),
      { seed: 7, numRuns: 3000 },
    );
  });

  const tree = { 'configs/new/x.yaml': GOOD, 'configs/legacy/x.yaml': GOOD, 'other/y.yaml': GOOD };

  test.each([
    ["files: ['configs/**', '!configs/legacy/**']\n", ['configs/new/x.yaml']],
    ["files: ['!configs/legacy/**']\n", ['configs/new/x.yaml', 'other/y.yaml']],
    ["ignore: ['configs/**', '!configs/new/**']\n", ['configs/new/x.yaml', 'other/y.yaml']],
    ["ignore: ['configs', '!configs/new/x.yaml']\n", ['configs/new/x.yaml', 'other/y.yaml']],
    ["files: ['configs/**']\nignore: ['**/legacy/**']\n", ['configs/new/x.yaml']],
  ])('%s lints %j', async (policy, expected) => {
    const dir = repo({ '.trainlint.yml': policy, ...tree });
    const r = await lintJson([], dir);
    expect(r.stderr).toBe('');
    expect(pathsOf(r.report)).toEqual(expected);
  });

  test('overrides and schemas read their lists the same way', () => {
    const config = parseConfig("overrides:\n  - files: ['configs/**', '!configs/legacy/**']\n    rules: { warmup-fraction: off }\n", '.trainlint.yml');
    expect(settingsFor(config, 'configs/new/x.yaml').rules.get('warmup-fraction')?.severity).toBe('off');
    expect(settingsFor(config, 'configs/legacy/x.yaml').rules.get('warmup-fraction')?.severity).toBe('error');
  });

  test('--stdin-filename under a folder that ignore takes back is linted', async () => {
    const { stdinIgnored } = await import('../src/cli/stdin');
    const config = parseConfig("ignore: ['configs/**', '!configs/new/**']\n", '.trainlint.yml');
    expect(stdinIgnored(config, 'configs/new/x.yaml')).toBe(false);
    expect(stdinIgnored(config, 'configs/old/x.yaml')).toBe(true);
  });
});

describe('3. references', () => {
  const A100 = 'per_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nlearning_rate: 2.0e-5\nnum_train_epochs: 3\nwarmup_ratio: 0.1\n';
  const H100 = A100.replace('per_device_train_batch_size: 4', 'per_device_train_batch_size: 16');

  test('keys and values written ./x are the files the lint names x', async () => {
    expect(parseConfig('references:\n  ./h100.yaml: ./a100.yaml\n  sub/./b.yaml: sub/../a100.yaml\n', '.trainlint.yml').references).toEqual({ 'h100.yaml': 'a100.yaml', 'sub/b.yaml': 'a100.yaml' });
    const dir = repo({ '.trainlint.yml': 'assume: {worldSize: 8}\nreferences:\n  ./h100.yaml: ./a100.yaml\n', 'a100.yaml': A100, 'h100.yaml': H100 });
    const r = await lintJson([], dir);
    expect(r.stderr).toBe('');
    expect(r.report.findings.map((f) => [f.path, f.ruleId])).toContainEqual(['h100.yaml', 'lr-not-rescaled']);
  });

  test('two keys naming the same file: a config error at the second', () => {
    expect(() => parseConfig('references:\n  h100.yaml: a.yaml\n  ./h100.yaml: b.yaml\n', '.trainlint.yml')).toThrow('.trainlint.yml:3:3: references: "./h100.yaml" names h100.yaml again');
  });

  test('a key naming a file that does not exist is said with its line; the lint goes on', async () => {
    const dir = repo({ '.trainlint.yml': 'assume: {worldSize: 8}\nreferences:\n  sft-typo.yaml: sft.yaml\n', 'sft.yaml': GOOD });
    const r = await lintJson([], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('trainlint: .trainlint.yml:3:3: references: "sft-typo.yaml": no such file; this reference is not used\n');
  });
});

describe('4. a forced dialect: every id of the registry', () => {
  const ids = DIALECTS.map((d) => d.meta.id).sort();

  test('the schema accepts exactly the registry ids, which are the README dialect table', () => {
    expect([...configSchema.definitions.dialect.enum].sort()).toEqual(ids);
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Dialects'), readme.indexOf('\n## ', readme.indexOf('## Dialects') + 1));
    expect([...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]).sort()).toEqual(ids);
  });

  test.each(ids)('overrides: dialect: %s is accepted', (id) => {
    expect(parseConfig(`overrides:\n  - files: 'cfg/*.yaml'\n    dialect: ${id}\n`, '.trainlint.yml').overrides?.[0].dialect).toBe(id);
  });

  test('an unknown id is refused at its line', () => {
    expect(() => parseConfig("overrides:\n  - files: 'cfg/*.yaml'\n    dialect: timmm\n", '.trainlint.yml')).toThrow(/\.trainlint\.yml:3:5: overrides\.0\.dialect must be one of /);
  });
});

describe('5. a mapping name that is not a plan field', () => {
  test('is placed at its key, with the field it resembles', () => {
    const config = 'assume: {worldSize: 8}\nmappings:\n  peakLR: optim.lr\n  microBatchSize: data.bs\noverrides:\n  - files: x.yaml\n    mappings: {warmupsteps: sched.warmup}\n';
    expect(() => parseConfig(config, '.trainlint.yml')).toThrow(
      'invalid configuration:\n' +
        '.trainlint.yml:3:3: unknown key "peakLR" in mappings (did you mean "peakLr"?)\n' +
        '.trainlint.yml:7:16: unknown key "warmupsteps" in overrides.0.mappings (did you mean "warmupSteps"?)',
    );
  });

  test('a mapping path that is not a string is still refused', () => {
    expect(() => parseConfig('mappings:\n  peakLr: 3\n', '.trainlint.yml')).toThrow(/\.trainlint\.yml:2:3: mappings\.peakLr must be string/);
  });
});

describe('6. small usage errors of the CLI', () => {
  test('-o into a folder that does not exist: a usage error naming it, before any lint', async () => {
    const dir = repo({ 'sft.yaml': GOOD });
    const r = await runCliCapture(['sft.yaml', '-o', 'nodir/x.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('trainlint: -o nodir/x.json: cannot write the file (the folder nodir does not exist)\n');
    fs.mkdirSync(path.join(dir, 'out.json'));
    const folder = await runCliCapture(['sft.yaml', '-o', 'out.json'], dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe('trainlint: -o out.json: cannot write the file (it is a folder)\n');
  });

  test.each([
    ['only comments', '# trainlint configuration\n# files: []\n'],
    ['empty', ''],
    ['a document marker and comments', '---\n# nothing yet\n'],
  ])('a .trainlint.yml of %s is an empty policy', async (_label, text) => {
    const dir = repo({ '.trainlint.yml': text, 'sft.yaml': WARMUP_40 });
    const r = await lintJson([], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(pathsOf(r.report)).toEqual(['sft.yaml']);
  });

  test('-c ../.trainlint.yml from a subfolder of the repository is read', async () => {
    const dir = repo({ '.trainlint.yml': 'rules:\n  warmup-fraction: off\n', 'configs/sft.yaml': WARMUP_40 });
    const r = await lintJson(['-c', '../.trainlint.yml'], path.join(dir, 'configs'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(pathsOf(r.report)).toEqual(['sft.yaml']);
    // Outside the repository it is still refused.
    const outside = await runCliCapture(['-c', '../../.trainlint.yml'], path.join(dir, 'configs'));
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^trainlint: \.\.\/\.\.\/\.trainlint\.yml: outside the repository; not read\n$/);
  });
});
