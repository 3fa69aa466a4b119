/** SARIF 2.1.0 output, validated against the official OASIS schema (from Microsoft's SARIF SDK package). */
import { RULES } from '../../src/rules/index';
import { buildSarif, fingerprintText, formatSarif, pathToUri } from '../../src/report/sarif';
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

  test('partialFingerprints are stable across line moves and number changes, distinct per rule/path', () => {
    const fp = (f: Json) => buildSarif(report([f])).runs as Json;
    const base = fp(finding())[0].results[0].partialFingerprints;
    const moved = fp(finding({ line: 40, endLine: 40, message: 'global batch changed 800 → 2200 (×2.75) but the LR stayed 5e-4' }))[0].results[0].partialFingerprints;
    const other = fp(finding({ path: 'other.sh' }))[0].results[0].partialFingerprints;
    expect(moved).toEqual(base);
    expect(other).not.toEqual(base);
    expect(fingerprintText(finding())).not.toMatch(/\d/);
    // Two identical findings in one file get distinct fingerprints.
    const twice: Json = buildSarif(report([finding(), finding({ line: 20, endLine: 20 })]));
    const [x, y] = twice.runs[0].results.map((res: Json) => Object.values(res.partialFingerprints)[0]);
    expect(x).not.toBe(y);
  });
});
