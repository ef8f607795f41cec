/**
 * Payment by results on the binary measure: a provider's cohort of n people is paid only when its
 * proportion of re-offenders is a statistically significant reduction on a fixed baseline p0
 * (as the 2011 baseline was under Transforming Rehabilitation). One-sided test, so only
 * reductions are paid.
 *
 * The payment probability is exact: with X ~ Bin(n, p1) re-offenders under the true rate p1,
 * P(paid) = P(X <= k_crit), k_crit the largest count the test calls significant. Exact power is a
 * sawtooth in n (k_crit moves in whole people), so "the cohort needed" has two answers: the first
 * size that reaches the target, and the size from which it stays reached (docs/reference/json.md#pbr).
 */
import { dbinom, pbinom, pnorm, qnorm } from '../stats/distributions.js';

export type PbrTest = 'exact' | 'normal';

/**
 * One-sided p-value of observing k re-offenders out of n against baseline p0.
 * exact: P(X <= k | p0) (R `binom.test(k, n, p0, alternative = "less")$p.value`);
 * normal: pnorm((k/n - p0) / sqrt(p0 (1 - p0) / n)), the z-test with the null SE.
 */
export function binaryPValue(k: number, n: number, p0: number, test: PbrTest): number {
  if (test === 'exact') return pbinom(k, n, p0);
  return pnorm((k - n * p0) / Math.sqrt(n * p0 * (1 - p0)));
}

/**
 * The largest number of re-offenders that is still a significant reduction at level alpha, or
 * null when even 0 re-offenders would not be (a very small cohort).
 * @example criticalReoffenders(100, 0.35, 0.05, 'exact') // => 26 // pbinom(26, 100, .35) = 0.0351 <= .05 < pbinom(27, 100, .35) = 0.0558
 */
export function criticalReoffenders(n: number, p0: number, alpha: number, test: PbrTest): number | null {
  if (binaryPValue(0, n, p0, test) > alpha) return null;
  // The p-value rises with k: binary search for the last k with p <= alpha.
  let lo = 0; // significant
  let hi = n; // P(X <= n) = 1 > alpha, never significant
  if (binaryPValue(hi, n, p0, test) <= alpha) return n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (binaryPValue(mid, n, p0, test) <= alpha) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** P(paid) = P(X <= k_crit | p1), X ~ Bin(n, p1); 0 when no count is significant. */
export function binaryProbabilityPaid(
  n: number,
  p0: number,
  p1: number,
  alpha: number,
  test: PbrTest,
): { critical: number | null; probability: number } {
  const critical = criticalReoffenders(n, p0, alpha, test);
  return { critical, probability: critical === null ? 0 : pbinom(critical, n, p1) };
}

/** A discrete payment distribution: the values paid and their probabilities, ascending. */
export interface PaymentDistribution {
  probability_zero: number;
  mean_gbp: number;
  sd_gbp: number;
  /** Payment at the 10th, 50th and 90th percentiles (the smallest v with P(payment <= v) >= q). */
  p10_gbp: number;
  median_gbp: number;
  p90_gbp: number;
  /** The most the provider can be paid (no re-offenders at all). */
  maximum_gbp: number;
}

/** Summarises payments given as (value, probability) atoms. */
export function summarisePayments(atoms: Array<{ value: number; prob: number }>): PaymentDistribution {
  const sorted = [...atoms].sort((a, b) => a.value - b.value);
  let total = 0;
  let mean = 0;
  let zero = 0;
  for (const a of sorted) {
    total += a.prob;
    mean += a.prob * a.value;
    if (a.value === 0) zero += a.prob;
  }
  mean /= total;
  let v = 0;
  for (const a of sorted) v += a.prob * (a.value - mean) ** 2;
  const quantile = (q: number): number => {
    let cum = 0;
    for (const a of sorted) {
      cum += a.prob / total;
      if (cum >= q - 1e-12) return a.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
  return {
    probability_zero: zero / total,
    mean_gbp: mean,
    sd_gbp: Math.sqrt(v / total),
    p10_gbp: quantile(0.1),
    median_gbp: quantile(0.5),
    p90_gbp: quantile(0.9),
    maximum_gbp: sorted.length ? sorted[sorted.length - 1]!.value : 0,
  };
}

/**
 * Payment on the binary measure for k re-offenders: price x percentage points below the baseline,
 * 100 x (p0 - k/n), paid only when k <= k_crit (never negative).
 */
export function binaryPayment(
  k: number,
  n: number,
  p0: number,
  pricePerPoint: number,
  critical: number | null,
): number {
  if (critical === null || k > critical) return 0;
  return Math.max(0, pricePerPoint * 100 * (p0 - k / n));
}

/**
 * Expected payment, sum over k <= k_crit of P(k | p1) x price x 100 x (p0 - k/n), in closed form
 * (sum of k P(k) over k <= c is n p1 P(Bin(n - 1, p1) <= c - 1)).
 */
export function binaryExpectedPayment(
  n: number,
  p0: number,
  p1: number,
  pricePerPoint: number,
  critical: number | null,
): number {
  if (critical === null) return 0;
  if (critical > n * p0) {
    // Counts above the baseline would be paid negatively: sum the clamped terms directly.
    let s = 0;
    for (let k = 0; k <= critical; k++) s += dbinom(k, n, p1) * binaryPayment(k, n, p0, pricePerPoint, critical);
    return s;
  }
  const pc = pbinom(critical, n, p1);
  const sumK = critical >= 1 ? n * p1 * pbinom(critical - 1, n - 1, p1) : 0;
  return pricePerPoint * 100 * (p0 * pc - sumK / n);
}

/** The whole payment distribution on the binary measure (O(k_crit) terms). */
export function binaryPaymentDistribution(
  n: number,
  p0: number,
  p1: number,
  pricePerPoint: number,
  critical: number | null,
): PaymentDistribution {
  const atoms: Array<{ value: number; prob: number }> = [];
  let paidMass = 0;
  if (critical !== null) {
    for (let k = 0; k <= critical; k++) {
      const prob = dbinom(k, n, p1);
      paidMass += prob;
      atoms.push({ value: binaryPayment(k, n, p0, pricePerPoint, critical), prob });
    }
  }
  atoms.push({ value: 0, prob: Math.max(0, 1 - paidMass) });
  return summarisePayments(atoms);
}

/**
 * Normal-approximation cohort for the target (one-sided): the scan's starting guide and bound.
 * n = ((z_(1-alpha) sqrt(p0 q0) + z_target sqrt(p1 q1)) / (p0 - p1))^2.
 */
export function approximateCohort(p0: number, p1: number, alpha: number, target: number): number {
  const za = qnorm(1 - alpha);
  const zb = qnorm(target);
  return ((za * Math.sqrt(p0 * (1 - p0)) + zb * Math.sqrt(p1 * (1 - p1))) / (p0 - p1)) ** 2;
}

export interface CohortSearch {
  /** The first cohort size whose probability of payment reaches the target. */
  first: number | null;
  /** The smallest n0 such that every size in [n0, 2 n0] reaches the target. */
  stable: number | null;
  /** Sizes searched up to (a size beyond it is reported as null). */
  searched_to: number;
}

/**
 * Scans cohort sizes 1, 2, ... with a memoised probability function `prob(n)` (a sawtooth).
 * @param limit the largest size looked at; answers beyond it are null.
 */
export function searchCohort(prob: (n: number) => number, target: number, limit: number): CohortSearch {
  const memo = new Map<number, number>();
  const ok = (n: number): boolean => {
    let v = memo.get(n);
    if (v === undefined) {
      v = prob(n);
      memo.set(n, v);
    }
    return v >= target - 1e-12;
  };
  let first: number | null = null;
  for (let n = 1; n <= limit; n++) {
    if (ok(n)) {
      first = n;
      break;
    }
  }
  if (first === null) return { first: null, stable: null, searched_to: limit };
  let n0 = first;
  let m = n0;
  // Invariant: every size in [n0, m) reaches the target.
  while (2 * n0 <= limit) {
    if (m > 2 * n0) return { first, stable: n0, searched_to: limit };
    if (ok(m)) {
      m++;
    } else {
      n0 = m + 1;
      m = n0;
    }
  }
  return { first, stable: null, searched_to: limit };
}
