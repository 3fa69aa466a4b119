/**
 * Which dialects each rule's golden cases cover. A rule page may carry a `## Dialects` section:
 *
 *   Applies to: axolotl, composer, …
 *   Silent by design in: lightning (no minimum-LR key), …
 *
 * Every dialect must be in exactly one of the two lists. For each dialect the rule applies to,
 * the golden folder must hold a `bad*` case in which a file detected as that dialect gets the
 * rule's finding, and a `good*` case in which a file of that dialect is linted without it.
 * For the rules whose silence is itself the behaviour (a loader that reads the scalar as
 * intended), each "silent by design" dialect needs a good case too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from '../src/config/load-config';
import { DIALECTS } from '../src/dialects/index';
import { lint } from '../src/engine/lint';

const ROOT = path.join(__dirname, '..');
const GOLDEN = path.join(__dirname, 'golden');
const DOCS = path.join(ROOT, 'docs', 'rules');

/**
 * Every rule that reads a run's plan or a config's text, each with a Dialects section. Left out:
 * parse-error, duplicate-key and schema, which concern file formats and schemas, not dialects.
 */
const CATALOGUE = [
  'warmup-exceeds-training',
  'warmup-fraction',
  'lr-not-rescaled',
  'warmup-not-rescaled',
  'batch-size-mismatch',
  'decay-horizon-mismatch',
  'min-lr-exceeds-lr',
  'interval-exceeds-training',
  'conflicting-settings',
  'yaml11-ambiguous-scalar',
  'cross-file-mismatch',
  'unused-suppression',
];
/** Rules whose silence in some dialects is tested behaviour, not a missing input. */
const SILENCE_IS_BEHAVIOUR = new Set(['yaml11-ambiguous-scalar']);

const DIALECT_IDS = DIALECTS.map((d) => d.meta.id);

interface DialectsSection {
  appliesTo: string[];
  silent: string[];
}

/** The `## Dialects` section of a rule page, or undefined when the page has none. */
function dialectsSection(rule: string): DialectsSection | undefined {
  const text = readFileSync(path.join(DOCS, `${rule}.md`), 'utf8');
  const section = /^## Dialects\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1];
  if (section === undefined) return undefined;
  const list = (label: string): string[] => {
    const line = new RegExp(`^${label}:([^\\n]*(?:\\n(?!\\n)[^\\n]*)*)`, 'm').exec(section)?.[1] ?? '';
    // Entries are "id" or "id (why)"; parentheses may contain commas.
    return line
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((s) => s.replace(/[`.]/g, '').trim())
      .filter(Boolean);
  };
  return { appliesTo: list('Applies to'), silent: list('Silent by design in') };
}

interface CaseOutcome {
  name: string;
  /** Per linted file: its dialect and the rule ids of its findings. */
  files: { path: string; dialect?: string; rules: Set<string> }[];
}

async function outcomes(rule: string): Promise<CaseOutcome[]> {
  const ruleDir = path.join(GOLDEN, rule);
  const names = readdirSync(ruleDir).filter((n) => statSync(path.join(ruleDir, n)).isDirectory()).sort();
  const out: CaseOutcome[] = [];
  for (const name of names) {
    const dir = path.join(ruleDir, name);
    const { config } = readConfig(dir);
    const { results } = await lint({ root: dir, paths: [], config });
    out.push({
      name,
      // A finding merged into a grouped one ("one cause, one finding") is still reported.
      files: results.map((r) => ({
        path: r.file.path,
        dialect: r.dialect?.meta.id,
        rules: new Set(r.findings.flatMap((f) => [f.ruleId, ...(f.merged ?? []).map((m) => m.ruleId)])),
      })),
    });
  }
  return out;
}

function covered(cases: CaseOutcome[], rule: string, kind: 'bad' | 'good'): Map<string, string[]> {
  const byDialect = new Map<string, string[]>();
  for (const c of cases.filter((x) => x.name.startsWith(kind))) {
    for (const f of c.files) {
      if (!f.dialect) continue;
      if ((kind === 'bad') !== f.rules.has(rule)) continue;
      byDialect.set(f.dialect, [...(byDialect.get(f.dialect) ?? []), `${c.name}/${f.path}`]);
    }
  }
  return byDialect;
}

describe('golden cases cover every dialect a rule applies to', () => {
  test.each(CATALOGUE)('%s', async (rule) => {
    const section = dialectsSection(rule);
    expect(section).toBeDefined();
    const { appliesTo, silent } = section!;
    // Every dialect is accounted for exactly once, and no unknown ids are listed.
    expect([...appliesTo, ...silent].filter((id) => !DIALECT_IDS.includes(id))).toEqual([]);
    expect(DIALECT_IDS.filter((id) => appliesTo.includes(id) === silent.includes(id))).toEqual([]);

    const cases = await outcomes(rule);
    const bad = covered(cases, rule, 'bad');
    const good = covered(cases, rule, 'good');
    const missingBad = appliesTo.filter((d) => !bad.has(d));
    const needGood = SILENCE_IS_BEHAVIOUR.has(rule) ? [...appliesTo, ...silent] : appliesTo;
    const missingGood = needGood.filter((d) => !good.has(d));
    expect({ missingBad, missingGood }).toEqual({ missingBad: [], missingGood: [] });
    // A dialect the page calls silent must not get the finding in a bad case either.
    expect(silent.filter((d) => bad.has(d)).map((d) => `${d}: ${bad.get(d)!.join(', ')}`)).toEqual([]);
  });
});
