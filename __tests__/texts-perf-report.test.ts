/**
 * The report's faster paths give what the plain ones gave: fingerprints' numbers without the
 * string round trip and the default sort (engine/baseline.ts), plans and settings read by one
 * for…in walk (engine/build-report.ts), the fingerprint of printed JSON as a plain field, code
 * frames from the lines asked for (report/stylish.ts), and controls stripped after one search
 * (report/escape.ts).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { fingerprint } from '../src/engine/baseline';
import { reportFinding, reportPlan } from '../src/engine/build-report';
import { stripTerminalControls } from '../src/report/escape';
import { formatStylish } from '../src/report/stylish';
import type { Report } from '../src/engine/report-types';
import { PLAN_FIELDS, type Finding, type Setting, type TrainingPlan } from '../src/engine/types';

/** The fingerprint as engine/baseline.ts computed it before (Object.keys, toPrecision, sort()). */
function referenceFingerprint(f: Finding, text: string): string {
  const snippet = (x: Finding) => {
    const line = text.split('\n')[x.range.line - 1] ?? '';
    const end = x.range.endLine === x.range.line ? x.range.endColumn - 1 : line.length;
    return line.slice(x.range.column - 1, end).trim();
  };
  const numbers = (x: Finding) => {
    const parts: string[] = [];
    for (const k of Object.keys(x.data ?? {})) {
      const v = x.data![k];
      if (['grouped', 'shortRun', 'launchRejects'].includes(k) || k === 'line' || k.endsWith('Line') || (k === 'scope' && typeof v === 'number')) continue;
      if (typeof v === 'number') parts.push(`${k}=${Number(v.toPrecision(6))}`);
      else if (typeof v === 'string') parts.push(`${k}=${v.includes(':') ? v.replace(/\(([^()\s:]+):\d+\)/g, '($1)') : v}`);
      else if (typeof v === 'boolean') parts.push(`${k}=${String(v)}`);
    }
    return parts.sort().join(',');
  };
  const merged = (f.merged ?? []).map((m) => `${m.ruleId}@${snippet(m)}#${numbers(m)}`).sort();
  const joined = ['v2', f.ruleId, f.path, snippet(f), numbers(f), ...merged].join('\0');
  return createHash('sha256').update(joined).digest('hex').slice(0, 24);
}

const number = fc.oneof(fc.integer({ min: -2_000_000, max: 2_000_000 }), fc.double({ noNaN: false }), fc.constantFrom(0, -0, 999_999, 1_000_000, -999_999, 1e-7, 0.1, 3.2e-5, 1e21));
const key = fc.oneof(fc.constantFrom('a', 'a0', 'a_b', 'A', 'b', 'Z', 'line', 'firstLine', 'scope', 'grouped', 'x=1', 'é'), fc.string({ maxLength: 4 }));
const data = fc.dictionary(key, fc.oneof(number, fc.string({ maxLength: 6 }), fc.boolean(), fc.constant('(req.txt:3) x')), { maxKeys: 8 });

describe('fingerprints', () => {
  const text = 'a: 1\nlr: 0.0003\r\n  warmup: 100\n';
  const at = (line: number) => ({ line, column: 1, endLine: line, endColumn: 8 });
  it('equal the previous computation for any data', () => {
    fc.assert(
      fc.property(data, fc.array(data, { maxLength: 3 }), (d, merged) => {
        const f = { ruleId: 'r', path: 'c.yaml', range: at(2), data: d, merged: merged.map((m, i) => ({ ruleId: `m${i}`, path: 'c.yaml', range: at(i + 1), data: m })) } as unknown as Finding;
        expect(fingerprint(f, new Map([['c.yaml', text]]))).toBe(referenceFingerprint(f, text));
      }),
      { numRuns: 400 },
    );
  });

  it('printed JSON holds the same fingerprint, in the same place, as the lazy field', () => {
    const f = { ruleId: 'r', severity: 'warning', message: 'm', path: 'c.yaml', range: at(2), data: { total: 5 } } as unknown as Finding;
    const texts = new Map([['c.yaml', text]]);
    const printed = reportFinding(f, texts, true);
    expect(Object.getOwnPropertyDescriptor(printed, 'fingerprint')?.get).toBeUndefined();
    expect(JSON.stringify(printed)).toBe(JSON.stringify(reportFinding(f, texts)));
  });
});

describe('reportPlan', () => {
  /** As build-report.ts printed a plan before: every PLAN_FIELDS field read by name. */
  const reference = (plan: TrainingPlan) => {
    const out: Record<string, unknown> = {};
    for (const field of PLAN_FIELDS) {
      const s = plan[field] as Setting | undefined;
      if (!s || (typeof s.value === 'number' && !Number.isFinite(s.value))) continue;
      const o: Record<string, unknown> = { value: s.value, origin: s.origin };
      if (s.unit) o.unit = s.unit;
      if (s.file) o.file = s.file;
      if (s.key) o.key = s.key;
      if (s.range) Object.assign(o, { line: s.range.line, column: s.range.column });
      if (s.how) o.how = s.how;
      if (s.note) o.note = s.note;
      if (s.bound) o.bound = s.bound;
      out[field] = o;
    }
    return out;
  };
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const setting = fc.record(
    {
      note: optional(fc.constantFrom('', 'n')),
      bound: optional(fc.constantFrom('min', 'max')),
      value: fc.oneof(number, fc.string({ maxLength: 3 }), fc.constant(null)),
      unit: optional(fc.constantFrom('', 'steps', 'samples')),
      origin: fc.constantFrom('explicit', 'default', 'derived'),
      key: optional(fc.constantFrom('', 'lr', 'a.b')),
      range: optional(fc.record({ line: fc.nat(), column: fc.nat() })),
      file: optional(fc.constantFrom('', 'x.json')),
      how: optional(fc.constantFrom('', 'h')),
    },
    { requiredKeys: [] },
  );
  it('prints every plan as before, whatever the order and shape of its fields', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...PLAN_FIELDS, 'other']), fc.array(fc.option(setting, { nil: undefined }), { minLength: 28, maxLength: 28 }), (fields, settings) => {
        const plan: Record<string, unknown> = {};
        fields.forEach((field, i) => (plan[field] = settings[i]));
        expect(JSON.stringify(reportPlan(plan as TrainingPlan))).toBe(JSON.stringify(reference(plan as TrainingPlan)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('stylish code frames', () => {
  it('show the lines split() gave, without a trailing CR, and none past the end', () => {
    const text = 'a: 1\r\nb: 2\n\n\tc: 3\r\r\nlast';
    const findings = [1, 2, 3, 4, 5, 6, 0, -1, 1.5].map((line) => ({
      ruleId: 'r',
      severity: 'warning',
      message: 'm',
      path: 'c.yaml',
      line,
      column: 2,
      endLine: line,
      endColumn: 4,
      data: {},
    }));
    const report = { version: 1, tool: { name: 'trainlint', version: '0' }, files: [{ path: 'c.yaml', dialect: null, plan: {} }], findings, summary: { files: 1, errors: 0, warnings: findings.length, infos: 0 } } as unknown as Report;
    const out = formatStylish(report, { color: false, sources: new Map([['c.yaml', text]]) });
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    for (const l of ['a: 1', 'b: 2', '\tc: 3\r', 'last']) expect(lines).toContain(l);
    expect(out).toContain('1 | a: 1\n');
    expect(out).toContain('4 | \tc: 3 \n');
    expect(out).toContain('5 | last\n');
    expect(out).not.toMatch(/\n\s+6 \|/);
  });
});

describe('stripTerminalControls', () => {
  const full = (s: string) =>
    s
      .replace(/(?:\x1b\]|\u009d)[^\x07\x1b\u009c]*(?:\x07|\x1b\\|\u009c)|(?:\x1b[PX^_]|[\u0090\u0098\u009e\u009f])[^\x07\x1b\u009c]*(?:\x07|\x1b\\|\u009c)|(?:\x1b\[|\u009b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\x1b[\x20-\x2f]*[\x30-\x7e]/g, '')
      .replace(/\r\n|\r|\n/g, ' ')
      .replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, '');
  it('gives what the three replacements gave', () => {
    const char = fc.constantFrom('a', ' ', '\t', '\x1b', '[', ']', '\x07', '\\', '\r', '\n', '\u009b', '\u009d', '\u009c', '\x7f', '\u00a0', '1', 'm', 'P', '\u00e9');
    fc.assert(fc.property(fc.array(char, { maxLength: 12 }), (chars) => expect(stripTerminalControls(chars.join(''))).toBe(full(chars.join('')))), { numRuns: 2000 });
  });
});
