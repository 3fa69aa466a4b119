/**
 * Caps on findings per rule per file. A hostile file can make one rule fire once per line
 * (125,000 duplicate keys in 625 KB), which floods the report, the annotations (one Checks API
 * request per 50) and, through argument spreads, the call stack. Past the cap the last kept
 * finding says how many more there are; every count is still exact.
 */

/** Parse errors kept per file: past the first few they are cascades that tell the user nothing more. */
export const MAX_PARSE_ERRORS_PER_FILE = 10;
/** Findings kept per rule per file, for every other rule (duplicate-key included). */
export const MAX_FINDINGS_PER_RULE = 50;

export function capFor(kind: string): number {
  return kind === 'parse-error' ? MAX_PARSE_ERRORS_PER_FILE : MAX_FINDINGS_PER_RULE;
}

/** "(and 4950 more duplicate-key findings in this file, not shown)" */
export function moreNote(kind: string, more: number): string {
  return kind === 'parse-error' ? `(and ${more} more parse errors in this file, not shown)` : `(and ${more} more ${kind} findings in this file, not shown)`;
}

/** The " (and N more … not shown)" note a capped message ends with, or '' (so a rewritten message keeps it). */
export function moreNoteOf(message: string): string {
  const at = message.lastIndexOf(' (and ');
  return at >= 0 && message.endsWith(' in this file, not shown)') ? message.slice(at) : '';
}

/**
 * Keep at most `capFor(kind)` items of each kind, in order; the last kept item of a capped kind
 * gets the count of the rest appended to its message. One pass, no recursion, no spreads.
 */
export function capPerKind<T extends { message: string }>(items: readonly T[], kindOf: (item: T) => string): T[] {
  // No kind can pass its cap in a list no longer than the smallest cap (most files: none or a few findings).
  if (items.length <= MAX_PARSE_ERRORS_PER_FILE) return items.slice();
  const counts = new Map<string, number>();
  for (const item of items) {
    const kind = kindOf(item);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  let capped = false;
  for (const [kind, n] of counts) if (n > capFor(kind)) capped = true;
  if (!capped) return items.slice();
  const seen = new Map<string, number>();
  const out: T[] = [];
  for (const item of items) {
    const kind = kindOf(item);
    const index = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, index);
    const cap = capFor(kind);
    const total = counts.get(kind) ?? 0;
    if (index > cap) continue;
    out.push(index === cap && total > cap ? { ...item, message: `${item.message} ${moreNote(kind, total - cap)}` } : item);
  }
  return out;
}

/** Append `items` to `target` without an argument spread (safe for any length). */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
