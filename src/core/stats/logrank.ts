/**
 * Log-rank test of equal survival in k groups, as R `survival::survdiff(Surv(time, status) ~ group)`
 * with rho = 0.
 */
import { cholesky, choleskySolve } from './cholesky.js';
import { pchisq } from './distributions.js';
import { checkSurvivalData, sortedOrder } from './kaplan-meier.js';

export interface LogRankGroup {
  n: number;
  observed: number;
  expected: number;
}

export interface LogRankResult {
  groups: LogRankGroup[];
  /** k x k variance matrix of (O - E), as `survdiff()$var`. */
  variance: number[][];
  /** Chi-square statistic; null when fewer than two groups have expected > 0 (nothing to compare). */
  statistic: number | null;
  /** Number of groups with expected > 0, minus 1 (R's df). */
  df: number;
  pValue: number | null;
}

/**
 * Log-rank test. At each distinct event time with n at risk and d events (n_g, d_g in group g):
 * E_g += d n_g / n, V_gh += d (n - d) / (n - 1) x n_g / n x (1[g = h] - n_h / n).
 * The statistic is (O - E)' V^-1 (O - E) over the groups with E > 0, dropping the first of them
 * (R's choice; the value does not depend on which is dropped).
 * @param group integer codes 0..k-1 (k = largest code + 1; a code may be unused)
 * @throws RangeError on bad input (lengths, non-finite times, status not 0/1, non-integer codes)
 * @example logRank([1, 2, 3, 4], [1, 1, 1, 1], [0, 1, 0, 1]).statistic // => 0.6153846153846154 // survdiff(Surv(time, status) ~ group)$chisq
 */
export function logRank(time: ArrayLike<number>, status: ArrayLike<number>, group: ArrayLike<number>): LogRankResult {
  const n = checkSurvivalData(time, status);
  if (group.length !== n) throw new RangeError(`logRank: ${n} times but ${group.length} group codes`);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const g = group[i]!;
    if (!Number.isInteger(g) || g < 0) throw new RangeError(`logRank: group[${i}] = ${g} is not a code 0..k-1`);
    k = Math.max(k, g + 1);
  }
  const atRisk = new Array<number>(k).fill(0);
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const variance: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) atRisk[group[i]!]!++;
  const sizes = atRisk.slice();
  const order = sortedOrder(time);
  const deaths = new Array<number>(k).fill(0);
  const leaving = new Array<number>(k).fill(0);
  let nTotal = n;
  for (let a = 0; a < n;) {
    const t = time[order[a]!]!;
    deaths.fill(0);
    leaving.fill(0);
    let d = 0;
    let b = a;
    for (; b < n && time[order[b]!] === t; b++) {
      const i = order[b]!;
      const g = group[i]!;
      leaving[g]!++;
      if (status[i] === 1) {
        deaths[g]!++;
        d++;
      }
    }
    if (d > 0) {
      const vFactor = nTotal > 1 ? (d * (nTotal - d)) / (nTotal - 1) : 0;
      for (let g = 0; g < k; g++) {
        observed[g]! += deaths[g]!;
        const share = atRisk[g]! / nTotal;
        expected[g]! += d * share;
        for (let h = 0; h < k; h++) {
          variance[g]![h]! += vFactor * share * ((g === h ? 1 : 0) - atRisk[h]! / nTotal);
        }
      }
    }
    for (let g = 0; g < k; g++) atRisk[g]! -= leaving[g]!;
    nTotal -= b - a;
    a = b;
  }
  const used: number[] = [];
  for (let g = 0; g < k; g++) if (expected[g]! > 0) used.push(g);
  const df = Math.max(used.length - 1, 0);
  let statistic: number | null = null;
  let pValue: number | null = null;
  if (used.length >= 2) {
    const keep = used.slice(1);
    const diff = keep.map((g) => observed[g]! - expected[g]!);
    const sub = keep.map((g) => keep.map((h) => variance[g]![h]!));
    const chol = cholesky(sub);
    if (chol.ok) {
      const sol = choleskySolve(chol.lower, diff);
      statistic = sol.reduce((s, v, j) => s + v * diff[j]!, 0);
      pValue = pchisq(statistic, df, false);
    }
  }
  return {
    groups: sizes.map((size, g) => ({ n: size, observed: observed[g]!, expected: expected[g]! })),
    variance,
    statistic,
    df,
    pValue,
  };
}
