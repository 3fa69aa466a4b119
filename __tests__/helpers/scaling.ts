/**
 * Linear-time claims asserted as a ratio within one run instead of a wall-time limit: the same work
 * at two sizes, each timed as the fastest of a few interleaved runs (load from other processes only
 * ever adds time), so a loaded machine changes both figures alike. Input `factor` times larger
 * takes about `factor` times longer when the work is linear and `factor²` times when it is
 * quadratic; `expectLinear` fails between the two (at 2.5 × factor by default).
 */
export interface Growth {
  smallMs: number;
  largeMs: number;
  ratio: number;
}

/** Times `work(n)` and `work(n × factor)`; `prepare` builds each input outside the timing. */
export function growth<T>(prepare: (n: number) => T, work: (input: T) => unknown, n: number, factor = 4, runs = 3): Growth {
  const small = prepare(n);
  const large = prepare(n * factor);
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let i = 0; i < runs; i++) {
    smallMs = Math.min(smallMs, timed(() => work(small)));
    largeMs = Math.min(largeMs, timed(() => work(large)));
  }
  // Below a millisecond the timer's resolution decides the ratio: count both as at least 1 ms.
  return { smallMs, largeMs, ratio: Math.max(largeMs, 1) / Math.max(smallMs, 1) };
}

function timed(f: () => unknown): number {
  const start = performance.now();
  f();
  return performance.now() - start;
}

/**
 * The work grows about linearly with its input (a quadratic one grows `factor` times faster). A
 * ratio over the bound is measured again, up to three times: load from other processes can
 * disturb one measurement, but a quadratic algorithm is over the bound every time.
 */
export function expectLinear<T>(prepare: (n: number) => T, work: (input: T) => unknown, n: number, factor = 4, runs = 3): Growth {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const g = growth(prepare, work, n, factor, runs);
    if (g.ratio < factor * 2.5) return g;
    seen.push(`×${g.ratio.toFixed(1)} (${g.smallMs.toFixed(1)} ms → ${g.largeMs.toFixed(1)} ms)`);
  }
  throw new Error(`input ×${factor} took ${seen.join(', then ')} the time: not linear`);
}
