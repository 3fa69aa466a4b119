/**
 * Hydra command-line overrides, read statically: `a.b=v` (override), `+a.b=v` (append), `++a.b=v`
 * (append or override), `~a.b` / `~a.b=v` (delete), config-group choices (`model=llama`,
 * `actor@actor_rollout_ref.actor=dp_actor`). Values are typed by Hydra's override grammar
 * (`hydra/grammar/OverrideLexer.g4`): `1e-6` and `.5` are floats, `10` is an int, `true`/`False`
 * booleans, `null` null, quoted text a string; `[a,b]` a list, `{a:1}` a dict; `a,b` or
 * `choice(…)`/`range(…)` a sweep, which a run without `--multirun` rejects. Pure: text in, result out.
 */

export type OverrideOp = 'set' | 'add' | 'force-add' | 'delete';

export type OverrideValue =
  | { kind: 'scalar'; value: string | number | boolean | null; quoted: boolean; text: string }
  | { kind: 'list'; items: OverrideValue[]; text: string }
  | { kind: 'dict'; entries: [string, OverrideValue][]; text: string }
  /** `${…}`: an interpolation, resolved by OmegaConf against the composed config. */
  | { kind: 'interpolation'; text: string };

export interface HydraOverride {
  op: OverrideOp;
  /** The key as written, without the prefix and the `@package` (`trainer.nnodes`, `db`). */
  key: string;
  /** `key` split at the dots. */
  path: string[];
  /** `@pkg` of a config-group override (`actor@actor_rollout_ref.actor=…`). */
  package?: string;
  /** Absent for `~key`. */
  value?: OverrideValue;
  /** The whole override as written. */
  text: string;
}

export type ParsedOverride = { ok: true; override: HydraOverride } | { ok: false; error: string };

/** Overrides longer than this are not parsed (a value is a path or a number, not a document). */
export const MAX_OVERRIDE_CHARS = 4096;
const MAX_NESTING = 16;

const KEY = /^[A-Za-z_$][\w$-]*(?:[./][\w$-]+)*$/;
const INT = /^[-+]?(?:0|[1-9](?:_?\d)*)$/;
const DIGITS = '\\d(?:_?\\d)*';
const POINT_FLOAT = `(?:(?:0|[1-9](?:_?\\d)*)?\\.${DIGITS}|(?:0|[1-9](?:_?\\d)*)\\.)`;
const FLOAT = new RegExp(`^[-+]?(?:${POINT_FLOAT}|(?:(?:0|[1-9](?:_?\\d)*)|${POINT_FLOAT})[eE][-+]?${DIGITS}|inf|nan)$`, 'i');
const SWEEP_FUNCTION = /^(?:choice|range|interval|glob|shuffle|sort|tag|extend_list)\s*\(/;

/**
 * A plain YAML scalar that PyYAML leaves a string and OmegaConf's loader reads as a float (the float
 * resolver `omegaconf/_yaml.py:get_yaml_loader` adds, research §1.1): `2e4`, `1e-4`, `1.0e4`, `1.5E3`.
 */
export const OMEGACONF_FLOAT = /^(?:[-+]?\d+(?:_\d+)*\.\d*(?:[eE][-+]?\d+)?|[-+]?\d+(?:_\d+)*[eE][-+]?\d+|\.\d+(?:_\d+)*(?:[eE][-+]\d+)?)$/;

/** How Python prints a float (`repr`): `3e-05`, `20000.0`, `0.5`, `1e+16`, `inf`. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = value.toExponential().split('e');
  const e = Number(exp);
  if (e >= -4 && e < 16) {
    const text = String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** How Python prints a value Hydra or OmegaConf typed: `None`, `True`, `3e-05`, `10`, text as is. */
export function pythonText(value: string | number | boolean | null, float: boolean): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return float ? pythonFloat(value) : String(value);
  return value;
}

/** Hydra's typing of an unquoted primitive. */
export function typePrimitive(text: string): string | number | boolean | null {
  const t = text.trim();
  if (INT.test(t)) return Number(t.replace(/_/g, ''));
  if (FLOAT.test(t)) {
    const lower = t.toLowerCase().replace(/_/g, '');
    if (/inf$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
    if (/nan$/.test(lower)) return NaN;
    return Number(lower);
  }
  if (/^true$/i.test(t)) return true;
  if (/^false$/i.test(t)) return false;
  if (/^null$/i.test(t)) return null;
  return t;
}

/** Parse one override as Hydra's OverrideParser would; `error` is Hydra's own complaint. */
export function parseOverride(text: string): ParsedOverride {
  if (text.length > MAX_OVERRIDE_CHARS) return { ok: false, error: `override longer than ${MAX_OVERRIDE_CHARS} characters; not read` };
  let rest = text;
  let op: OverrideOp = 'set';
  if (rest.startsWith('++')) [op, rest] = ['force-add', rest.slice(2)];
  else if (rest.startsWith('+')) [op, rest] = ['add', rest.slice(1)];
  else if (rest.startsWith('~')) [op, rest] = ['delete', rest.slice(1)];
  const eq = rest.indexOf('=');
  const lhs = eq < 0 ? rest : rest.slice(0, eq);
  const at = lhs.indexOf('@');
  const key = at < 0 ? lhs : lhs.slice(0, at);
  const pkg = at < 0 ? undefined : lhs.slice(at + 1);
  if (!KEY.test(key) || (pkg !== undefined && !/^[\w.$-]*$/.test(pkg))) {
    return { ok: false, error: `Error parsing override '${text}': \`${lhs || text}\` is not a valid key` };
  }
  const base = { op, key, path: key.split('.'), text, ...(pkg !== undefined ? { package: pkg } : {}) };
  if (eq < 0) {
    if (op === 'delete') return { ok: true, override: base };
    return { ok: false, error: `Error parsing override '${text}': missing EQUAL at '<EOF>' (write ${key}=VALUE)` };
  }
  const parsed = parseValue(rest.slice(eq + 1));
  if ('error' in parsed) return { ok: false, error: `Error parsing override '${text}': ${parsed.error}` };
  return { ok: true, override: { ...base, value: parsed.value } };
}

/** The reason a value is a sweep (a run without --multirun rejects it), if it is one. */
export function sweepReason(text: string): string | undefined {
  const t = text.trim();
  if (SWEEP_FUNCTION.test(t)) return `\`${t}\` is a sweep`;
  return splitTopLevel(t, ',').length > 1 ? `\`${t}\` is a comma-separated sweep` : undefined;
}

function parseValue(raw: string, depth = 0): { value: OverrideValue } | { error: string } {
  if (depth > MAX_NESTING) return { error: 'values nested too deeply' };
  const text = raw.trim();
  if (text === '') return { value: { kind: 'scalar', value: '', quoted: false, text } };
  const q = text[0];
  if ((q === "'" || q === '"') && text.length >= 2 && text.endsWith(q) && !text.slice(1, -1).includes(q)) {
    return { value: { kind: 'scalar', value: text.slice(1, -1), quoted: true, text } };
  }
  if (/^\$\{[^]*\}$/.test(text) && balanced(text)) return { value: { kind: 'interpolation', text } };
  if (text.startsWith('[') || text.startsWith('{')) {
    const close = text[0] === '[' ? ']' : '}';
    if (!text.endsWith(close) || !balanced(text)) return { error: `unbalanced \`${text[0]}\` in \`${text}\`` };
    const inner = text.slice(1, -1).trim();
    const parts = inner === '' ? [] : splitTopLevel(inner, ',');
    if (close === ']') {
      const items: OverrideValue[] = [];
      for (const p of parts) {
        const v = parseValue(p, depth + 1);
        if ('error' in v) return v;
        items.push(v.value);
      }
      return { value: { kind: 'list', items, text } };
    }
    const entries: [string, OverrideValue][] = [];
    for (const p of parts) {
      const colon = p.indexOf(':');
      if (colon <= 0) return { error: `\`${p.trim()}\` in \`${text}\` is not a key:value pair` };
      const v = parseValue(p.slice(colon + 1), depth + 1);
      if ('error' in v) return v;
      entries.push([p.slice(0, colon).trim(), v.value]);
    }
    return { value: { kind: 'dict', entries, text } };
  }
  const sweep = sweepReason(text);
  if (sweep) {
    return {
      error:
        `Ambiguous value for argument '${text}': ${sweep}. To use it as a list, use key=[value1,value2]; ` +
        `to use it as a string, quote the value: key='value1,value2'; to sweep over it, add --multirun`,
    };
  }
  return { value: { kind: 'scalar', value: typePrimitive(text), quoted: false, text } };
}

/** Whether brackets, braces and `${` … `}` balance outside quotes. */
function balanced(text: string): boolean {
  const stack: string[] = [];
  let quote = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[' || ch === '{' || ch === '(') stack.push(ch);
    else if (ch === ']' || ch === '}' || ch === ')') {
      const open = stack.pop();
      if (open !== { ']': '[', '}': '{', ')': '(' }[ch]) return false;
    }
  }
  return stack.length === 0 && !quote;
}

/** Split at `sep` outside quotes, brackets, braces and parentheses. */
export function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[' || ch === '{' || ch === '(') depth++;
    else if (ch === ']' || ch === '}' || ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
