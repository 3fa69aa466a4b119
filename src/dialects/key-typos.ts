/** The known key a written key most likely misspells (edit distance, bounded), for "did you mean" hints. */

/**
 * Levenshtein distance, or `max + 1` when it exceeds `max`. Only the band of cells within `max` of
 * the diagonal is computed (the others are over `max` anyway): O(len × (2·max + 1)).
 */
export function editDistance(a: string, b: string, max: number): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  let prev = new Array<number>(b.length + 2).fill(over);
  let cur = new Array<number>(b.length + 2).fill(over);
  for (let j = 0; j <= Math.min(b.length, max); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    cur[lo - 1] = lo === 1 && i <= max ? i : over;
    let best = cur[lo - 1];
    for (let j = lo; j <= hi; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), over);
      cur[j] = v;
      if (v < best) best = v;
    }
    cur[hi + 1] = over;
    if (best > max) return over;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[b.length], over);
}

/**
 * The known key closest to `key` when it is a likely typo: at most 1 edit for keys shorter than 8
 * characters, 2 otherwise; a key that only adds or drops a trailing `s` counts as 1. Undefined when
 * no known key is that close, or when `key` is very long (not a typo of a flag name).
 */
export function likelyTypo(key: string, known: Iterable<string>): string | undefined {
  if (key.length > 64) return undefined;
  const max = key.length < 8 ? 1 : 2;
  let best: string | undefined;
  let bestD = max + 1;
  for (const k of known) {
    if (k === key) return undefined;
    const d = editDistance(key, k, max);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}
