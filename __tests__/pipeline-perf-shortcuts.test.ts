/**
 * The per-file pipeline's shortcuts (engine/group-findings.ts, engine/suppressions.ts) give what the
 * general steps give: a file without run-length findings, warmup pairs or suppressions keeps its
 * findings in order, and the largest `sizedFor` of a group is the first of the largest, as a stable
 * sort put it.
 */
import { groupRunLength, shapeRunFindings, type RunFindingsContext } from '../src/engine/group-findings';
import { applySuppressions } from '../src/engine/suppressions';
import type { SourceFile } from '../src/engine/source';
import type { Finding, Range, TrainingPlan } from '../src/engine/types';

const at = (line: number): Range => ({ line, column: 3, endLine: line, endColumn: 10 });

const PLAN: TrainingPlan = {
  totalSteps: { value: 50, origin: 'explicit', key: 'max_steps', file: 'c.yaml', range: at(2) },
};

const ctx: RunFindingsContext = { plan: PLAN, shortRunSeverity: 'warning', launchChecks: {} };

const plain = (ruleId: string, line: number): Finding => ({ ruleId, severity: 'warning', message: `${ruleId} at ${line}`, path: 'c.yaml', range: at(line) });

function sized(ruleId: string, line: number, steps: number, key: string): Finding {
  return {
    ...plain(ruleId, line),
    data: { totalSteps: 50 },
    runLength: { consequence: `${ruleId} consequence`, advice: `${key} 50`, written: true, sizedFor: { steps, key } },
  };
}

const file = (suppressions: SourceFile['directives']['suppressions'], unknown?: SourceFile['directives']['unknown']): SourceFile => ({
  path: 'c.yaml',
  text: '',
  format: 'yaml',
  problems: [],
  directives: { suppressions, ...(unknown ? { unknown } : {}) },
});

describe('pipeline shortcuts', () => {
  test('findings without run lengths, pairs or scalar typing pass in order, in a new array', () => {
    const findings = [plain('schema', 9), plain('batch-size-mismatch', 3), plain('ignored-setting', 5)];
    const shaped = shapeRunFindings(findings, ctx);
    expect(shaped).toEqual(findings);
    expect(shaped).not.toBe(findings);
    shaped.forEach((f, i) => expect(f).toBe(findings[i]));
    expect(groupRunLength(findings, ctx)).toEqual(findings);
  });

  test('run-length findings still go after the others, grouped', () => {
    const other = plain('batch-size-mismatch', 9);
    const out = shapeRunFindings([sized('interval-exceeds-training', 5, 1000, 'save_steps'), other, sized('decay-horizon-mismatch', 3, 1000, 'decay')], ctx);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(other);
    expect(out[1].merged).toHaveLength(2);
  });

  test('on a tie of sizes, the first member in order names the size (as a stable sort did)', () => {
    const a = sized('interval-exceeds-training', 5, 1000, 'save_steps');
    const b = sized('interval-exceeds-training', 6, 1000, 'eval_steps');
    expect(groupRunLength([a, b], ctx)[0].message).toContain('sized for 1000 (save_steps)');
    expect(groupRunLength([b, a], ctx)[0].message).toContain('sized for 1000 (eval_steps)');
    const c = sized('interval-exceeds-training', 7, 4000, 'logging_steps');
    expect(groupRunLength([a, c, b], ctx)[0].message).toContain('sized for 4000 (logging_steps)');
  });

  test('a file without suppressions keeps every finding and reports its misspelled directives only', () => {
    const findings = [plain('schema', 2), plain('ignored-setting', 4)];
    const unknown = [{ directive: 'trainlint-disable-line', ruleIds: ['schema'], range: at(1) }];
    const { kept, problems } = applySuppressions(findings, file([], unknown));
    expect(kept).toEqual(findings);
    expect(kept).not.toBe(findings);
    expect(problems.map((p) => [p.ruleId, p.data?.unknownDirective])).toEqual([['unused-suppression', 'trainlint-disable-line']]);
    expect(applySuppressions(findings, file([])).problems).toEqual([]);
  });

  test('file-wide and line suppressions are both used for one finding', () => {
    const findings = [plain('schema', 4)];
    const wide = { ruleIds: ['schema'], reason: 'why', scope: 'file' as const, range: at(1) };
    const line = { ruleIds: ['schema'], reason: 'why', scope: 4, range: at(3) };
    const { kept, problems } = applySuppressions(findings, file([wide, line]));
    expect(kept).toEqual([]);
    expect(problems).toEqual([]);
  });
});
