/** Shortcuts of the rules step (caps, grouping, warmup-fraction, yaml11-ambiguous-scalar) give what the long way gives. */
import { capPerKind, MAX_PARSE_ERRORS_PER_FILE } from '../src/engine/caps';
import { groupRunLength, type RunFindingsContext } from '../src/engine/group-findings';
import { loadYaml } from '../src/engine/load/yaml';
import { warmupFraction } from '../src/rules/warmup-fraction';
import { yaml11AmbiguousScalar } from '../src/rules/yaml11-ambiguous-scalar';
import type { Finding, Range, TrainingPlan } from '../src/engine/types';

const at = (line: number): Range => ({ line, column: 3, endLine: line, endColumn: 10 });

describe('capPerKind', () => {
  it('copies a list no longer than the smallest cap, and still caps past it', () => {
    const items = Array.from({ length: MAX_PARSE_ERRORS_PER_FILE }, (_, i) => ({ kind: 'parse-error', message: `e${i}` }));
    const kept = capPerKind(items, (p) => p.kind);
    expect(kept).toEqual(items);
    expect(kept).not.toBe(items);
    const more = capPerKind([...items, { kind: 'parse-error', message: 'last' }], (p) => p.kind);
    expect(more).toHaveLength(MAX_PARSE_ERRORS_PER_FILE);
    expect(more.at(-1)!.message).toBe('e9 (and 1 more parse errors in this file, not shown)');
  });
});

describe('groupRunLength', () => {
  const plan: TrainingPlan = { totalSteps: { value: 50, origin: 'explicit', key: 'max_steps', file: 'a.yaml', range: at(1) } };
  const member = (ruleId: string, line: number, written: boolean, data: Record<string, unknown> = {}): Finding => ({
    ruleId,
    severity: 'error',
    message: `${ruleId} at ${line}`,
    path: 'a.yaml',
    range: at(line),
    data,
    runLength: { consequence: `${ruleId} consequence`, advice: `fix ${line}`, written, sizedFor: { steps: 1000, key: `k${line}` } },
  });
  const shortRun = { steps: 50, why: 'a smoke test', sizedFor: { steps: 1000 } } as unknown as RunFindingsContext['shortRun'];

  it('reports at the first written member in the primary order, with the short-run remark and data last', () => {
    const members = [member('interval-exceeds-training', 6, true), member('warmup-exceeds-training', 4, false), member('warmup-exceeds-training', 3, true, { launchRejects: true })];
    const [f] = groupRunLength(members, { plan, shortRun, shortRunSeverity: 'warning', launchChecks: {} });
    expect(f.ruleId).toBe('warmup-exceeds-training');
    expect(f.range.line).toBe(3);
    expect(f.message).toMatch(/; a deliberate short run \(a smoke test\), but the framework refuses to start on it$/);
    expect(Object.keys(f.data!)).toEqual(['launchRejects', 'grouped', 'shortRun']);
    expect(f.data!.shortRun).toEqual({ steps: 50, sizedFor: 1000 });
    expect(f.fix).toBe('fix 3, fix 4, fix 6');
    expect(f.merged).toHaveLength(3);
  });

  it('says a fix shared by two consequences once, and no remark without a short run', () => {
    const a = member('interval-exceeds-training', 6, true);
    const b = { ...member('interval-exceeds-training', 7, true), runLength: { ...a.runLength!, consequence: 'other' } };
    const [f] = groupRunLength([a, b], { plan, shortRunSeverity: 'warning', launchChecks: {} });
    expect(f.fix).toBe('fix 6');
    expect(f.message).not.toContain('deliberate short run');
    expect(Object.keys(f.data!)).toEqual(['grouped']);
  });
});

describe('warmup-fraction', () => {
  const run = (warmup: number, total: number, max?: number): Finding[] => {
    const out: Finding[] = [];
    const ctx = {
      plan: { warmupSteps: { value: warmup, origin: 'explicit', key: 'warmup_steps', range: at(2) }, totalSteps: { value: total, origin: 'explicit', key: 'max_steps', range: at(1) } },
      options: max === undefined ? {} : { max },
      file: { path: 'a.yaml' },
      anchor: at(1),
      report: (f: Finding) => out.push(f),
    };
    warmupFraction.check(ctx as never);
    return out;
  };
  it('compares the share at the precision it is printed, whatever the limit', () => {
    expect(run(20002, 100000)).toHaveLength(0); // 20.002% prints as 20%
    expect(run(20060, 100000)).toHaveLength(1); // 20.1%
    expect(run(10040, 100000, 0.1)).toHaveLength(0);
    expect(run(10060, 100000, 0.1)).toHaveLength(1);
    expect(run(20060, 100000)).toHaveLength(1);
  });
});

describe('yaml11-ambiguous-scalar', () => {
  const words = ['1e-4', '-.5', '0089', '0755', '-0755', '+017', '1_000', '1:30', '-1:30.5', 'yes', 'No', 'off', 'y', 'true', '0', '00', '0.0', '10', '100', '0_7', '1.5e3', '"1e-4"', 'abc', '2024-01-01', '08', '0:0'];
  const text = words.map((w, i) => `k${i}: ${w}\nl${i}:\n  - ${w}`).join('\n') + '\n';
  const found = (yamlLoader: string) => {
    const out: Finding[] = [];
    const ctx = { file: { format: 'yaml', path: 'a.yaml', tree: loadYaml(text).tree }, dialectId: 'd', yamlLoader, schemas: [], report: (f: Finding) => out.push(f) };
    yaml11AmbiguousScalar.check(ctx as never);
    return out.map((f) => `${f.range.line}: ${f.message}`);
  };
  it('reports per loader what each reads differently', () => {
    const pyyaml = found('pyyaml');
    expect(pyyaml.some((m) => m.includes('`1e-4` as the string "1e-4", not a number'))).toBe(true);
    expect(pyyaml.some((m) => m.includes('`0755` as the octal number 493'))).toBe(true);
    expect(pyyaml.some((m) => m.includes('`-0755` as the octal number -493'))).toBe(true);
    expect(pyyaml.some((m) => m.includes('`1:30` as the base-60 number 90'))).toBe(true);
    expect(pyyaml.some((m) => m.includes('`1_000` as 1000'))).toBe(true);
    const omegaconf = found('omegaconf');
    expect(omegaconf.some((m) => m.includes('not a number'))).toBe(false);
    expect(omegaconf.some((m) => m.includes('`1_000` as 1000'))).toBe(false);
    expect(omegaconf.some((m) => m.includes('OmegaConf loads `yes` as the boolean true'))).toBe(true);
    expect(found('text')).toEqual([]);
  });
});
