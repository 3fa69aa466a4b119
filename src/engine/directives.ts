/**
 * Inline directives in `#` comments (YAML, TOML, launch scripts):
 *   # trainlint-disable-next-line ID[, ID] -- reason
 *   # trainlint-disable ID[, ID] -- reason        (whole file)
 *   # trainlint: reference=PATH
 * JSON has no comments; use `.trainlint.yml` overrides and `references` instead.
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

export interface Directives {
  suppressions: Suppression[];
  reference?: { path: string; range: Range };
}

const DIRECTIVE = /#\s*trainlint(?:-(disable-next-line|disable)\b([^\n]*)|:\s*reference\s*=\s*(\S+))/;

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
    out.suppressions.push({ ruleIds, reason, scope: m[1] === 'disable' ? 'file' : line + 1, range });
  });
  return out;
}
