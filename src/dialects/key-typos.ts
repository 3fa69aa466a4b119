/** The known key a written key most likely misspells (edit distance, bounded), for "did you mean" hints. */

/** Levenshtein distance, or `max + 1` as soon as it exceeds `max` (O(len × (2·max + 1))). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
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
