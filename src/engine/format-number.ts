/** Number formatting for messages and derivation notes. */

/** A learning-rate-like value in short scientific form: 0.001375 → "1.375e-3". */
export function formatSci(value: number, significant = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const [mantissa, exponent] = value.toExponential(significant - 1).split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/(?<!0)0+$/, '').replace(/\.$/, '') : mantissa;
  return `${trimmed}e${Number(exponent)}`;
}

/** An integer-ish count: integers as is, others with up to 4 decimals. */
export function formatCount(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(4)));
}

/** A ratio such as a batch scale factor: 2.75 → "2.75", 2.0 → "2". */
export function formatRatio(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** A fraction as a percentage: 0.4237 → "42.4%". */
export function formatPercent(value: number, decimals = 1): string {
  return `${percentShown(value, decimals)}%`;
}

/** The number `formatPercent` prints (without the sign): for comparisons at the precision a message shows. */
export function percentShown(value: number, decimals = 1): number {
  return Number((value * 100).toFixed(decimals));
}

/** A fraction rounded down to 3 significant digits, so that it never exceeds a limit: 0.006993 → "0.00699". */
export function formatFractionDown(value: number): string {
  if (!(value > 0) || !Number.isFinite(value)) return String(value);
  const scale = 10 ** (Math.floor(Math.log10(value)) - 2);
  return String(Number((Math.floor(value / scale + 1e-9) * scale).toPrecision(3)));
}

/** Any plan value, choosing the form by magnitude. */
export function formatValue(value: number | string | boolean): string {
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) < 0.01) return formatSci(value);
  return formatCount(value);
}
