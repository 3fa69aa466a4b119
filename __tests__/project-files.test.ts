/**
 * What makes the project dependable from the outside, checked statically where only GitHub can run
 * it: the repository's workflows (GitHub's own parser; CI under Node 20 and 24 with the README's
 * test command, dist/ freshness, a dogfood job whose expected findings are the CLI's, a release
 * that publishes to npm and moves the major tag), the pre-commit hook definition, the schema
 * catalogue (SchemaStore format) and the changelog.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import picomatch from 'picomatch';
import YAML from 'yaml';
import type { Report } from '../src/engine/report-types';
import { DIALECTS } from '../src/dialects/index';
import { runCliCapture } from './helpers/run-cli';

const REPO = path.resolve(__dirname, '..');
const read = (rel: string) => fs.readFileSync(path.join(REPO, rel), 'utf8');
const workflow = (name: string) => YAML.parse(read(`.github/workflows/${name}`));

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string; id?: string; 'continue-on-error'?: boolean };

describe('GitHub workflows', () => {
  test("GitHub's parser accepts every workflow and action.yml (scripts/check-workflows.mjs, also a .ci/run step)", () => {
    const out = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'check-workflows.mjs')], { cwd: REPO, encoding: 'utf8' });
    expect(out.split('\n').filter(Boolean)).toEqual(['ok   action.yml', 'ok   .github/workflows/ci.yml', 'ok   .github/workflows/release.yml']);
  });

  test('every workflow starts from least privilege and never expands event text inside a script', () => {
    for (const name of ['ci.yml', 'release.yml']) {
      expect(workflow(name).permissions).toEqual({ contents: 'read' });
      for (const job of Object.values(workflow(name).jobs) as Array<{ steps: Step[] }>) {
        for (const step of job.steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{\s*github\.event/);
      }
    }
  });

  test("ci: the README's test command on ubuntu-latest under Node 20 and 24, with the rendering and hook tests required", () => {
    const test = workflow('ci.yml').jobs.test;
    expect(test['runs-on']).toBe('ubuntu-latest');
    expect(test.strategy.matrix.node).toEqual([20, 24]);
    const runs = (test.steps as Step[]).map((s) => s.run ?? s.uses);
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm test -- --ci', 'npm run typecheck', 'npm run lint']));
    expect((test.steps as Step[]).find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe('${{ matrix.node }}');
    expect(test.env).toMatchObject({ TRAINLINT_REQUIRE_CHROMIUM: '1', TRAINLINT_REQUIRE_PRECOMMIT: '1' });
    expect(read('README.md')).toContain('npm ci && npm test');
  });

  test('ci: dist/ must equal a fresh bundle', () => {
    const steps = workflow('ci.yml').jobs['check-dist'].steps as Step[];
    const script = steps.map((s) => s.run ?? '').join('\n');
    expect(script).toContain('npm run bundle');
    // Untracked files count: a new dist file that was never committed fails the job.
    expect(script).toMatch(/git status --porcelain -- dist\//);
  });

  test('ci: the dogfood job runs this action (uses: ./) on examples/ and expects exactly the findings the CLI gives', async () => {
    const steps = workflow('ci.yml').jobs.dogfood.steps as Step[];
    const action = steps.find((s) => s.uses === './')!;
    expect(action).toMatchObject({ id: 'lint', 'continue-on-error': true, with: { files: 'examples/', 'only-changed': false, 'fail-on': 'error' } });
    const check = steps[steps.indexOf(action) + 1];
    expect(check.env?.OUTCOME).toBe('${{ steps.lint.outcome }}');
    expect(check.run).toContain('test "$OUTCOME" = failure');
    const expected = check.env!.EXPECTED.trim().split('\n').sort();
    const r = await runCliCapture(['examples/', '--format', 'json'], REPO);
    expect(r.code).toBe(1);
    const got = (JSON.parse(r.stdout) as Report).findings.map((f) => `${f.severity} ${f.ruleId} ${f.path}:${f.line}`).sort();
    expect(expected).toEqual(got);
  });

  test('release: on a published release, checks the tag and dist/, tests, publishes to npm and moves the major tag', () => {
    const wf = workflow('release.yml');
    expect(wf.on).toEqual({ release: { types: ['published'] } });
    const job = wf.jobs.publish;
    expect(job.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
    const steps = job.steps as Step[];
    const script = steps.map((s) => s.run ?? '').join('\n');
    expect(script).toContain('require("./package.json").version');
    expect(script).toContain('npm test -- --ci');
    expect(script).toMatch(/npm run bundle && .*test -z "\$\(git status --porcelain -- dist\/\)"/);
    expect(script).toContain('npm publish --provenance --access public');
    const move = steps.find((s) => s.run?.includes('git push -f origin "refs/tags/$major"'))!;
    expect(move.if).toBe('${{ !github.event.release.prerelease }}');
    expect(move.run).toContain('major="${TAG%%.*}"');
    expect(steps.find((s) => s.run?.includes('npm publish'))?.env?.NODE_AUTH_TOKEN).toBe('${{ secrets.NPM_TOKEN }}');
  });
});

describe('pre-commit hook definition', () => {
  test('one trainlint hook: the committed bundle as a script (no install), configs and launch scripts, one process', () => {
    const hooks = YAML.parse(read('.pre-commit-hooks.yaml'));
    expect(hooks).toHaveLength(1);
    const hook = hooks[0];
    expect(hook).toMatchObject({ id: 'trainlint', entry: 'dist/cli.js', language: 'script', require_serial: true });
    const files = new RegExp(hook.files);
    const exclude = new RegExp(hook.exclude);
    const picked = (p: string) => files.test(p) && !exclude.test(p);
    expect(['configs/sft.yaml', 'ds.json', 'train.toml', 'scripts/train.sh', 'job.sbatch', 'a.yml'].every(picked)).toBe(true);
    expect(['train.py', 'README.md', '.pre-commit-config.yaml', '.github/workflows/ci.yml'].some(picked)).toBe(false);
    // The entry is executable with a node shebang (pre-commit runs it directly).
    expect(read('dist/cli.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const mode = execFileSync('git', ['ls-files', '-s', 'dist/cli.js'], { cwd: REPO, encoding: 'utf8' });
    expect(mode.startsWith('100755')).toBe(true);
  });
});

describe('schemas/catalog.json', () => {
  const catalog = JSON.parse(read('schemas/catalog.json'));
  const BASE = 'https://raw.githubusercontent.com/trainlint/trainlint/main/schemas/';

  test('SchemaStore catalogue format: name, description, fileMatch, url', () => {
    const shape = {
      type: 'object',
      required: ['version', 'schemas'],
      properties: {
        version: { const: 1 },
        schemas: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'description', 'url'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              description: { type: 'string', minLength: 1 },
              fileMatch: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
              url: { type: 'string', pattern: '^https://' },
            },
          },
        },
      },
    };
    const validate = new Ajv({ allErrors: true }).compile(shape);
    expect(validate(catalog) ? [] : validate.errors).toEqual([]);
  });

  test('every URL names a schema shipped in schemas/ that compiles; every YAML/JSON/TOML dialect schema is listed', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const entry of catalog.schemas) {
      expect(entry.url.startsWith(BASE)).toBe(true);
      const rel = entry.url.slice(BASE.length);
      const schema = JSON.parse(read(`schemas/${rel}`));
      expect(() => ajv.compile({ ...schema, $id: undefined })).not.toThrow();
    }
    const listed = new Set(catalog.schemas.map((e: { url: string }) => e.url.slice(BASE.length)));
    const expected = DIALECTS.filter((d) => d.meta.schema && d.meta.id !== 'nanogpt').map((d) => `dialects/${d.meta.schema}`);
    expect(expected.filter((s) => !listed.has(s))).toEqual([]);
    expect(listed.has('trainlint.schema.json')).toBe(true);
    // The package ships schemas/, so the catalogue and the files it names are published with it.
    expect(JSON.parse(read('package.json')).files).toContain('schemas');
  });

  test('fileMatch patterns claim their framework’s conventional names and nothing generic', () => {
    const byName = (s: string) => catalog.schemas.find((e: { url: string }) => e.url.endsWith(s));
    const matches = (entry: { fileMatch?: string[] }, p: string) => (entry.fileMatch ?? []).some((g) => picomatch(g, { dot: true })(p));
    expect(matches(byName('trainlint.schema.json'), '.trainlint.yml')).toBe(true);
    expect(matches(byName('deepspeed.schema.json'), 'configs/ds_config_zero3.json')).toBe(true);
    expect(matches(byName('deepspeed.schema.json'), 'deepspeed_configs/zero2.json')).toBe(true);
    expect(matches(byName('torchtitan.schema.json'), 'torchtitan/models/llama3/train_configs/llama3_8b.toml')).toBe(true);
    for (const entry of catalog.schemas) {
      for (const generic of ['config.yaml', 'configs/train.yaml', 'package.json', 'tsconfig.json', '.github/workflows/ci.yml']) {
        expect([entry.name, generic, matches(entry, generic)]).toEqual([entry.name, generic, false]);
      }
    }
  });

  test('the README documents the yaml-language-server modeline and the catalogue, and the modeline is a plain comment to trainlint', async () => {
    const readme = read('README.md');
    expect(readme).toContain(`# yaml-language-server: $schema=${BASE}dialects/hf-trainer.schema.json`);
    expect(readme).toContain('schemas/catalog.json');
    const text = `# yaml-language-server: $schema=${BASE}dialects/hf-trainer.schema.json\n${read('examples/hf-trainer/sft.yaml')}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-modeline-'));
    try {
      fs.writeFileSync(path.join(dir, 'sft.yaml'), text);
      const withLine = JSON.parse((await runCliCapture(['sft.yaml', '--format', 'json'], dir)).stdout) as Report;
      const without = JSON.parse((await runCliCapture(['examples/hf-trainer/sft.yaml', '--format', 'json'], REPO)).stdout) as Report;
      expect(withLine.files[0].dialect).toBe('hf-trainer');
      expect(withLine.findings.map((f) => [f.ruleId, f.line - 1])).toEqual(without.findings.map((f) => [f.ruleId, f.line]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CHANGELOG.md and the public contract', () => {
  const changelog = read('CHANGELOG.md');

  test('Keep a Changelog with semantic versioning: an Unreleased section with the standard headings', () => {
    expect(changelog).toMatch(/^# Changelog\n/);
    expect(changelog).toContain('https://keepachangelog.com/en/1.1.0/');
    expect(changelog).toContain('https://semver.org/spec/v2.0.0.html');
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    const headings = [...changelog.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    expect(headings.length).toBeGreaterThan(0);
    for (const h of headings) expect(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security']).toContain(h);
    for (const item of ['--format', 'rescale', 'init', '--stdin', 'pre-commit', 'catalog']) expect(changelog).toContain(item);
  });

  test('the public-contract policy names CLI flags, exit codes, report v1 and rule ids, and what is breaking', () => {
    const policy = read('docs/public-contract.md');
    for (const part of ['CLI', 'exit code', 'report', 'rule id', 'breaking', 'major']) expect(policy.toLowerCase()).toContain(part.toLowerCase());
    expect(changelog).toContain('docs/public-contract.md');
    expect(read('README.md')).toContain('docs/public-contract.md');
  });
});
