/**
 * The CLI's formats for other CI systems and bots, each checked against its published schema or
 * its consumer's documented shape:
 * - sarif: SARIF 2.1.0 (OASIS schema from Microsoft's SARIF SDK), the same log the action writes;
 * - markdown: the action's job summary (findings table, plans base → head, the LR chart);
 * - junit: well-formed XML (fast-xml-parser's validator) in the testsuites/testsuite/testcase/
 *   failure shape Jenkins, GitLab, Buildkite and CircleCI document;
 * - gitlab: GitLab Code Quality's documented fields (description, check_name, fingerprint,
 *   severity, location.path, location.lines.begin).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Report } from '../src/engine/report-types';
import { formatSarif } from '../src/report/sarif';
import { formatJunit } from '../src/report/junit';
import { buildGitlab } from '../src/report/gitlab';
import { sarifValidator } from './helpers/external-schemas';
import { runCliCapture } from './helpers/run-cli';
import { finding, report } from './action/helpers';

const REPO = path.resolve(__dirname, '..');
const run = (argv: string[], cwd = REPO) => runCliCapture(argv, cwd);

async function jsonReport(argv: string[], cwd = REPO): Promise<Report> {
  return JSON.parse((await run([...argv, '--format', 'json'], cwd)).stdout) as Report;
}

const dirs: string[] = [];
function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-formats-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('--format sarif', () => {
  test('SARIF 2.1.0 valid against the OASIS schema, the same log the action writes', async () => {
    const r = await run(['examples/', '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const validate = sarifValidator();
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(r.stdout).toBe(formatSarif(await jsonReport(['examples/'])));
    const results = log.runs[0].results as Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }>;
    expect(results.map((x) => `${x.ruleId} ${x.locations[0].physicalLocation.artifactLocation.uri}:${x.locations[0].physicalLocation.region.startLine}`)).toEqual(
      expect.arrayContaining(['lr-not-rescaled examples/openclip-a100-to-h100/h100.sh:11', 'warmup-exceeds-training examples/hf-trainer/sft.yaml:8']),
    );
  });
});

describe('--format markdown', () => {
  test('the job summary: totals, findings table, and the plan base → head with the LR chart', async () => {
    const r = await run(['examples/', '--format', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('3 errors, 0 warnings, 0 notices in 3 files');
    expect(r.stdout).toMatch(/\| ❌ error \| examples\/openclip\\-a100\\-to\\-h100\/h100\\\.sh:11 \| \[lr\\-not\\-rescaled\]/);
    expect(r.stdout).toContain('### Training plan changes (1 config)');
    expect(r.stdout).toContain('| global batch | 3200 | 8800 | ×2\\.75 |');
    expect(r.stdout).toContain('```mermaid');
    expect(r.stdout).toContain('xychart-beta');
    // Without a reference there is no plan section.
    const alone = await run(['examples/hf-trainer/sft.yaml', '--format', 'markdown']);
    expect(alone.stdout).not.toContain('Training plan changes');
  });
});

/** The documented JUnit shape, as a check over the parsed XML (attributes prefixed with @). */
interface XmlNode {
  [k: string]: unknown;
}
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function junitShapeErrors(xml: string): string[] {
  const errors: string[] = [];
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return [`not well-formed: ${JSON.stringify(valid.err)}`];
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, trimValues: false }).parse(xml) as XmlNode;
  const root = doc.testsuites as XmlNode | undefined;
  if (!root) return ['root element is not <testsuites>'];
  const int = (node: XmlNode, attr: string, where: string) => {
    const v = node[`@${attr}`];
    if (typeof v !== 'string' || !/^\d+$/.test(v)) errors.push(`${where}: @${attr} is not a count (${String(v)})`);
    return Number(v);
  };
  let tests = 0;
  let failures = 0;
  for (const suite of asList(root.testsuite as XmlNode | XmlNode[])) {
    if (typeof suite['@name'] !== 'string') errors.push('testsuite without @name');
    const cases = asList(suite.testcase as XmlNode | XmlNode[]);
    const failed = cases.filter((c) => c.failure !== undefined).length;
    if (int(suite, 'tests', 'testsuite') !== cases.length) errors.push(`testsuite ${String(suite['@name'])}: @tests ≠ ${cases.length}`);
    if (int(suite, 'failures', 'testsuite') !== failed) errors.push(`testsuite ${String(suite['@name'])}: @failures ≠ ${failed}`);
    for (const c of cases) {
      if (typeof c['@name'] !== 'string' || typeof c['@classname'] !== 'string') errors.push('testcase without @name and @classname');
      for (const f of asList(c.failure as XmlNode | XmlNode[])) {
        if (typeof f['@message'] !== 'string' || typeof f['@type'] !== 'string') errors.push('failure without @message and @type');
      }
    }
    tests += cases.length;
    failures += failed;
  }
  if (int(root, 'tests', 'testsuites') !== tests) errors.push(`testsuites @tests ≠ ${tests}`);
  if (int(root, 'failures', 'testsuites') !== failures) errors.push(`testsuites @failures ≠ ${failures}`);
  return errors;
}

describe('--format junit', () => {
  test('testsuites → one testsuite per file → a testcase per finding; failures are the findings at --fail-on', async () => {
    const r = await run(['examples/', '--format', 'junit']);
    expect(r.code).toBe(1);
    expect(junitShapeErrors(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/<testsuites name="trainlint" tests="4" failures="3"/);
    // A clean file passes as one case; the warmup's share and lost scaling are one failing case.
    expect(r.stdout).toContain('<testcase classname="examples/openclip-a100-to-h100/a100.sh" name="trainlint"');
    expect(r.stdout).toMatch(/name="warmup-not-rescaled at 13:5"[^>]*>\n\s*<failure/);
    // A warning is a passing case below --fail-on error and a failure with --fail-on warning, like the exit code.
    const warned = await run(['examples/', '--format', 'junit', '--rule', 'warmup-not-rescaled=warning', '--rule', 'warmup-fraction=warning']);
    expect(warned.stdout).toMatch(/name="warmup-not-rescaled at 13:5"[^>]*>\n\s*<system-out>/);
    const strict = await run(['examples/', '--format', 'junit', '--rule', 'warmup-not-rescaled=warning', '--rule', 'warmup-fraction=warning', '--fail-on', 'warning']);
    expect(junitShapeErrors(strict.stdout)).toEqual([]);
    expect(strict.stdout).toMatch(/<testsuites name="trainlint" tests="4" failures="3"/);
    const never = await run(['examples/', '--format', 'junit', '--fail-on', 'never']);
    expect(never.code).toBe(0);
    expect(never.stdout).toMatch(/failures="0"/);
  });

  test('untrusted text stays well-formed XML and comes back as written', () => {
    const evil = 'a]]><!-- x --><failure message="forged"/>&amp; "q" \'s\' \u0001\u0008\u001b[31m\ud800 ok';
    const xml = formatJunit(report([finding({ path: 'x<&>"y.yaml', message: evil })], 1));
    expect(junitShapeErrors(xml)).toEqual([]);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, htmlEntities: false }).parse(xml);
    const tc = doc.testsuites.testsuite.testcase;
    expect(tc['@classname']).toBe('x<&>"y.yaml');
    expect(tc.failure['@message']).toBe('a]]><!-- x --><failure message="forged"/>&amp; "q" \'s\' [31m ok');
  });
});

/** GitLab Code Quality's documented fields, as a JSON Schema written from GitLab's documentation. */
const GITLAB_CODE_QUALITY = {
  type: 'array',
  items: {
    type: 'object',
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string', minLength: 1 },
      check_name: { type: 'string', minLength: 1 },
      fingerprint: { type: 'string', minLength: 1 },
      severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: {
        type: 'object',
        required: ['path', 'lines'],
        properties: {
          path: { type: 'string', pattern: '^(?!/)(?!\\./)' },
          lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 }, end: { type: 'integer', minimum: 1 } } },
        },
      },
    },
  },
};

describe('--format gitlab', () => {
  const validate = new Ajv({ allErrors: true }).compile(GITLAB_CODE_QUALITY);

  test('the documented Code Quality fields, one issue per finding at its line', async () => {
    const r = await run(['examples/', '--format', 'gitlab']);
    expect(r.code).toBe(1);
    const issues = JSON.parse(r.stdout);
    expect(validate(issues) ? [] : validate.errors).toEqual([]);
    const json = await jsonReport(['examples/']);
    expect(issues.map((i: { check_name: string; location: { path: string; lines: { begin: number } }; severity: string }) => [i.check_name, i.location.path, i.location.lines.begin, i.severity])).toEqual(
      json.findings.map((f) => [f.ruleId, f.path, f.line, f.severity === 'error' ? 'major' : f.severity === 'warning' ? 'minor' : 'info']),
    );
    expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(issues.length);
  });

  test('fingerprints stay the same when lines move, and differ for two equal findings', async () => {
    const config = ['per_device_train_batch_size: 4', 'learning_rate: 2.0e-5', 'max_steps: 100', 'warmup_steps: 200', ''].join('\n');
    const dir = tempDir({ 'sft.yaml': config });
    const before = JSON.parse((await run(['sft.yaml', '--format', 'gitlab'], dir)).stdout);
    fs.writeFileSync(path.join(dir, 'sft.yaml'), `# moved down\n\n${config}`);
    const after = JSON.parse((await run(['sft.yaml', '--format', 'gitlab'], dir)).stdout);
    expect(after.map((i: { fingerprint: string }) => i.fingerprint)).toEqual(before.map((i: { fingerprint: string }) => i.fingerprint));
    expect(after[0].location.lines.begin).toBe(before[0].location.lines.begin + 2);
    const twins = buildGitlab(report([finding(), finding({ line: 20, endLine: 20 })]));
    expect(twins[0].fingerprint).not.toBe(twins[1].fingerprint);
  });

  test('fingerprints come from the baseline fingerprint: a reworded message keeps them', () => {
    const fp = 'b'.repeat(24);
    const [a] = buildGitlab(report([finding({ fingerprint: fp })]));
    const [b] = buildGitlab(report([finding({ fingerprint: fp, message: 'the same finding, said otherwise', line: 3, endLine: 3 })]));
    const [c] = buildGitlab(report([finding({ fingerprint: 'c'.repeat(24) })]));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});
