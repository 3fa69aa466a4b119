/** SARIF 2.1.0 output, validated against the official OASIS schema (from Microsoft's SARIF SDK package). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBaseline } from '../../src/engine/baseline';
import { buildReport } from '../../src/engine/build-report';
import { lint } from '../../src/engine/lint';
import { RULES } from '../../src/rules/index';
import { buildSarif, FINGERPRINT_KEY, fingerprintText, formatSarif, LEGACY_FINGERPRINT_KEY, pathToUri } from '../../src/report/sarif';
import { sarifValidator } from '../helpers/external-schemas';
import { finding, report } from './helpers';

const validate = sarifValidator();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('sarif', () => {
  const r = report([
    finding(),
    finding({ severity: 'warning', ruleId: 'warmup-fraction', path: 'dir with space/a,b:c.yaml', line: 3, endLine: 4, column: 1, endColumn: 2, message: 'warmup is 42.4% of training', data: { share: 0.424 } }),
    finding({ severity: 'info', ruleId: 'internal-error', message: 'boom', docsUrl: undefined }),
    finding({ ruleId: 'made-up', message: 'x' }),
  ]);
  const log: Json = buildSarif(r, { category: 'trainlint' });

  test('validates against the SARIF 2.1.0 schema', () => {
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(validate(buildSarif(report([])))).toBe(true);
    expect(JSON.parse(formatSarif(r))).toEqual(buildSarif(r));
  });

  test('a broken log is rejected (the check can fail)', () => {
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    const bad: Json = JSON.parse(JSON.stringify(log));
    bad.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(bad)).toBe(false);
  });

  test('rule metadata: id, descriptions, helpUri to docs, default level', () => {
    const rules: Json[] = log.runs[0].tool.driver.rules;
    for (const rule of RULES) {
      const d = rules.find((x) => x.id === rule.meta.id);
      expect(d.shortDescription.text).toBe(rule.meta.description);
      expect(d.fullDescription.text).toBe(rule.meta.description);
      expect(d.helpUri).toMatch(new RegExp(`^https://.+/docs/rules/${rule.meta.id}\\.md$`));
      expect(d.help.markdown).toContain(d.helpUri);
      expect(d.defaultConfiguration.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[rule.meta.defaultSeverity]);
    }
    expect(rules.find((x) => x.id === 'made-up')).toBeDefined();
    for (const res of log.runs[0].results) expect(rules[res.ruleIndex].id).toBe(res.ruleId);
  });

  test('repo-relative URIs, regions and levels', () => {
    const [a, b, c] = log.runs[0].results;
    expect(a.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'configs/train.sh', uriBaseId: '%SRCROOT%' },
      region: { startLine: 10, startColumn: 5, endLine: 10, endColumn: 17 },
    });
    expect(b.locations[0].physicalLocation.artifactLocation.uri).toBe('dir%20with%20space/a%2Cb%3Ac.yaml');
    expect(b.level).toBe('warning');
    expect(c.level).toBe('note');
    expect(pathToUri('./a/b c.yml')).toBe('a/b%20c.yml');
    expect(log.runs[0].automationDetails).toEqual({ id: 'trainlint/' });
  });

  test('partialFingerprints are the baseline fingerprints: rewording and line moves never re-key an alert', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-sarif-'));
    const config = 'per_device_train_batch_size: 8\nlearning_rate: 1.0e-4\nmax_steps: 1000\nwarmup_steps: 400\n';
    const keys = async (edit: (message: string) => string) => {
      const { results } = await lint({ root: dir, paths: [], config: {} });
      for (const r of results) for (const f of r.findings) f.message = edit(f.message);
      const all = results.flatMap((r) => r.findings);
      const baseline = buildBaseline(all, new Map(results.map((r) => [r.file.path, r.file.text])));
      const sarif: Json = buildSarif(buildReport(results));
      return { baseline: baseline.findings.map((e) => e.fingerprint), results: sarif.runs[0].results.map((res: Json) => res.partialFingerprints) };
    };
    try {
      fs.writeFileSync(path.join(dir, 'sft.yaml'), config);
      const before = await keys((m) => m);
      expect(before.results.length).toBeGreaterThan(0);
      expect(before.results.map((p: Json) => Object.keys(p))).toEqual(before.results.map(() => [FINGERPRINT_KEY]));
      expect(before.results.map((p: Json) => p[FINGERPRINT_KEY].replace(/:\d+$/, '')).sort()).toEqual(before.baseline.sort());
      // Reworded messages (another wording, other numbers in the text) and the keys two lines lower.
      const reworded = await keys((m) => `In other words: ${m.replace(/\d+/g, '7')}`);
      expect(reworded.results).toEqual(before.results);
      fs.writeFileSync(path.join(dir, 'sft.yaml'), `# moved\n\n${config}`);
      expect((await keys((m) => m)).results).toEqual(before.results);
      // Another value of the key is another finding, as in baselines.
      fs.writeFileSync(path.join(dir, 'sft.yaml'), config.replace('400', '500'));
      expect((await keys((m) => m)).results).not.toEqual(before.results);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a report without fingerprints (an earlier version): message hashes stable across line moves and number changes, distinct per rule/path', () => {
    const fp = (f: Json) => buildSarif(report([f])).runs as Json;
    const base = fp(finding())[0].results[0].partialFingerprints;
    const moved = fp(finding({ line: 40, endLine: 40, message: 'global batch changed 800 → 2200 (×2.75) but the LR stayed 5e-4' }))[0].results[0].partialFingerprints;
    const other = fp(finding({ path: 'other.sh' }))[0].results[0].partialFingerprints;
    expect(moved).toEqual(base);
    expect(other).not.toEqual(base);
    expect(fingerprintText(finding())).not.toMatch(/\d/);
    // With a fingerprint, it is the key: one per fingerprint, counted per identical finding.
    const fpd: Json = buildSarif(report([finding({ fingerprint: 'a'.repeat(24) }), finding({ fingerprint: 'a'.repeat(24), message: 'other words' })]));
    expect(fpd.runs[0].results.map((res: Json) => res.partialFingerprints)).toEqual([{ [FINGERPRINT_KEY]: `${'a'.repeat(24)}:1` }, { [FINGERPRINT_KEY]: `${'a'.repeat(24)}:2` }]);
    // Two identical findings in one file get distinct fingerprints.
    const twice: Json = buildSarif(report([finding(), finding({ line: 20, endLine: 20 })]));
    const [x, y] = twice.runs[0].results.map((res: Json) => Object.values(res.partialFingerprints)[0]);
    expect(x).not.toBe(y);
    expect(Object.keys(base)).toEqual([LEGACY_FINGERPRINT_KEY]);
  });
});
