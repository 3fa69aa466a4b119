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
  'ignored-setting',
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
    return dialectIds(line);
  };
  return { appliesTo: list('Applies to'), silent: list('Silent by design in') };
}

/**
 * The dialect ids of a `## Dialects` list: entries are "id" or "id (why)", separated by commas; the why may
 * hold commas, nested parentheses and code spans (`warmup (a ratio)`, `` `f(x), g` ``), which do not end an
 * entry. Parentheses inside code spans do not count. An entry that leaves a parenthesis or a code span open
 * is an error naming it.
 */
function dialectIds(text: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let code = false;
  let current = '';
  const close = (): void => {
    const id = (/^[^(]*/.exec(current)?.[0] ?? '').replace(/[`.]/g, '').trim();
    if (id) entries.push(id);
    current = '';
  };
  for (const c of text) {
    if (c === '`') code = !code;
    else if (!code && c === '(') depth++;
    else if (!code && c === ')') {
      if (depth === 0) throw new Error(`unbalanced ")" in the Dialects list after "${current.trim()}"`);
      depth--;
    } else if (!code && depth === 0 && c === ',') {
      close();
      continue;
    }
    // Only what is outside every parenthesis names the dialect.
    if (depth === 0 && c !== ')') current += c;
    else if (depth === 1 && c === '(' && !code) current += c;
  }
  if (code || depth > 0) throw new Error(`the Dialects entry "${current.trim()}" leaves ${code ? 'a code span' : 'a parenthesis'} open`);
  close();
  return entries;
}

describe('Dialects list parser', () => {
  test('an entry is its id; the why in parentheses is dropped', () => {
    expect(dialectIds(' axolotl (`warmup_steps`), composer, deepspeed (no key).')).toEqual(['axolotl', 'composer', 'deepspeed']);
  });
  test('commas and nested parentheses inside the why do not split entries', () => {
    expect(dialectIds(' timm (a cycle schedule (cosine, tanh, poly) decays, then min_lr), nemo (`a`, b (c, d (e)))')).toEqual(['timm', 'nemo']);
  });
  test('parentheses and commas inside code spans do not count', () => {
    expect(dialectIds(' kohya (`f(x, y` is a span), verl (`)`), mmengine')).toEqual(['kohya', 'verl', 'mmengine']);
  });
  test('entries across wrapped lines', () => {
    expect(dialectIds(' megatron (`--lr-decay-iters`\n vs `--train-iters`),\n gpt-neox.')).toEqual(['megatron', 'gpt-neox']);
  });
  test('an unbalanced entry is an error that names it', () => {
    expect(() => dialectIds(' timm (a (b), nemo')).toThrow(/timm .*parenthesis open/);
    expect(() => dialectIds(' timm (`a), nemo')).toThrow(/code span open/);
    expect(() => dialectIds(' timm a), nemo')).toThrow(/unbalanced/);
  });
});

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
