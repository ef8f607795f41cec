/**
 * Rounding for report text (docs/reference/reports.md#rounding): rates to 1 dp of a percent, effects to 2 dp, money to
 * whole pounds. JSON keeps full precision; only human text is rounded. Never prints NaN.
 */

import { fixed, percent } from '../format.js';

export { fixed };

/** A proportion as a percent with 1 dp: 0.3056 -> "30.6%". */
export function pct(p: number | null): string {
  return percent(p, 1, 'n/a');
}

/** An effect with 2 dp: -0.0712 -> "-0.07". */
export function eff(x: number | null): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : fixed(x, 2);
}

/** Pounds with thousands separators, no pence: 1234.5 -> "GBP 1,235". */
export function gbp(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  const r = Math.round(x);
  return `£${r.toLocaleString('en-GB')}`;
}

/** A count with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}

/** One decimal place for numbers of a scale (mean scores, hours). */
export function num1(x: number | null): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : fixed(x, 1);
}

/**
 * Decimal places for an interval (and its estimate) so that the printed numbers cannot contradict
 * the verdict: when the interval excludes `nul` (0 for differences, 1 for ratios), neither limit may
 * print as `nul`. Starts at `dp` and adds digits as needed (at most 4 more).
 * @example digitsFor(-0.1712, -0.0004, 2) // => 4 // "-0.1712 to -0.0004", not "-0.17 to 0.00"
 */
export function digitsFor(lo: number, hi: number, dp: number, nul = 0): number {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo > nul || hi < nul)) return dp;
  let d = dp;
  while (d < dp + 4 && (Number(fixed(lo, d)) === nul || Number(fixed(hi, d)) === nul)) d++;
  return d;
}

/** "est (lo to hi)" with the digits the interval needs (see digitsFor). */
export function estimateInterval(est: number, lo: number, hi: number, dp: number, nul = 0): string {
  const d = digitsFor(lo, hi, dp, nul);
  return `${fixed(est, d)} (${fixed(lo, d)} to ${fixed(hi, d)})`;
}
