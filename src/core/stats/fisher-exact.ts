/**
 * Fisher's exact test for a 2 x 2 table, two-sided as R `fisher.test`: the p-value is the total
 * probability (hypergeometric, fixed margins) of all tables no more likely than the observed one,
 * with R's relative tolerance 1 + 1e-7 for ties.
 */
import { lchoose } from './distributions.js';

/**
 * @param a,b first row (e.g. treated: re-offenders, non-re-offenders)
 * @param c,d second row (control)
 * @throws RangeError for negative or non-integer counts.
 * @example fisherExactTwoSided(3, 1, 1, 3) // => 0.4857142857 // fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value
 */
export function fisherExactTwoSided(a: number, b: number, c: number, d: number): number {
  for (const v of [a, b, c, d]) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`fisher exact: counts must be whole numbers >= 0, got ${v}`);
  }
  // R: m = column 1 total, n = column 2 total, k = row 1 total, x = a.
  const m = a + c;
  const n = b + d;
  const k = a + b;
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  if (hi === lo) return 1;
  const len = hi - lo + 1;
  const logd = new Float64Array(len);
  let max = -Infinity;
  for (let i = 0; i < len; i++) {
    const x = lo + i;
    const v = lchoose(m, x) + lchoose(n, k - x);
    logd[i] = v;
    if (v > max) max = v;
  }
  let total = 0;
  for (let i = 0; i < len; i++) {
    const e = Math.exp(logd[i]! - max);
    logd[i] = e;
    total += e;
  }
  const observed = logd[a - lo]! * (1 + 1e-7);
  let p = 0;
  for (let i = 0; i < len; i++) if (logd[i]! <= observed) p += logd[i]!;
  return Math.min(1, p / total);
}
