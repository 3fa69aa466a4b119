/**
 * Inline directives in `#` comments (YAML, TOML, launch scripts):
 *   # trainlint-disable-next-line ID[, ID] -- reason
 *   # trainlint-disable ID[, ID] -- reason        (whole file)
 *   # trainlint: reference=PATH
 * JSON has no comments; use `.trainlint.yml` overrides and `references` instead.
 *
 * A comment that starts like a suppression (`# trainlint-…`) but is neither form, such as
 * `trainlint-disable-line` or `trainlint-disable-nextline`, is kept as an unknown directive (it
 * suppresses nothing and is reported by `unused-suppression`), never read as another form.
 */
import type { Range } from './types.js';

export interface Suppression {
  /** Rule ids; empty means every rule. */
  ruleIds: string[];
  reason?: string;
  /** The line the suppression applies to, or 'file'. */
  scope: number | 'file';
  range: Range;
}

/** A `# trainlint-…` comment that is not a directive trainlint knows (a misspelled suppression). */
export interface UnknownDirective {
  /** The directive as written, `trainlint-disable-line`. */
  directive: string;
  /** The rule ids written after it. */
  ruleIds: string[];
  range: Range;
}

export interface Directives {
  suppressions: Suppression[];
  reference?: { path: string; range: Range };
  /** Absent when there is none. */
  unknown?: UnknownDirective[];
}

/** The suppression forms, by the word after `trainlint-`. */
const SUPPRESSION_SCOPES: ReadonlyMap<string, 'file' | 'next-line'> = new Map([
  ['disable', 'file'],
  ['disable-next-line', 'next-line'],
]);

// `# trainlint-WORD rest` (WORD ends at the first blank: `disable-line` is one word, never `disable`
// followed by `-line`), or `# trainlint: reference=PATH`.
const DIRECTIVE = /#\s*trainlint(?:-(\S*)([^\n]*)|:\s*reference\s*=\s*(\S+))/;

function parseIds(text: string): { ruleIds: string[]; reason?: string } {
  const [idsPart, ...reasonParts] = text.split(/\s--\s?/);
  const reason = reasonParts.join(' -- ').trim();
  const ruleIds = idsPart
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return { ruleIds, reason: reason || undefined };
}

/** Scan `#` comments for directives. Only text after a `#` that starts a comment is read. */
export function scanDirectives(text: string, hasHashComments: boolean): Directives {
  const out: Directives = { suppressions: [] };
  // Every directive names trainlint: most files are passed over without splitting them into lines.
  if (!hasHashComments || !text.includes('trainlint')) return out;
  const lines = text.split('\n');
  lines.forEach((lineText, i) => {
    const hash = lineText.indexOf('#');
    if (hash < 0 || !lineText.includes('trainlint')) return;
    const m = DIRECTIVE.exec(lineText.slice(hash));
    if (!m) return;
    const line = i + 1;
    const range: Range = { line, column: hash + 1, endLine: line, endColumn: lineText.length + 1 };
    if (m[3]) {
      out.reference = { path: m[3], range };
      return;
    }
    const { ruleIds, reason } = parseIds(m[2] ?? '');
    const scope = SUPPRESSION_SCOPES.get(m[1] ?? '');
    if (!scope) {
      // Echoed in a message: a hostile line is not repeated whole.
      const word = m[1] ?? '';
      (out.unknown ??= []).push({ directive: `trainlint-${word.length > 40 ? `${word.slice(0, 39)}…` : word}`, ruleIds, range });
      return;
    }
    out.suppressions.push({ ruleIds, reason, scope: scope === 'file' ? 'file' : line + 1, range });
  });
  return out;
}
