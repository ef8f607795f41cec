/**
 * Binary outcomes in cluster-randomised trials with a small-number-of-clusters correction, as R
 * `clusterPower::cpa.binary` (Donner & Klar 2000):
 *
 *   DEFF = 1 + ((cv^2 + 1) m - 1) icc,
 *   SE(p1 - p2) = sqrt(DEFF (p1 q1 / (J1 m) + p2 q2 / (J2 m))),
 *   power = P(T' > t(1 - alpha/2, J1 + J2 - 2)) for T' noncentral t with ncp |p1 - p2| / SE
 *
 * (one-tailed: t(1 - alpha)). With J1 = J2 = J this is cpa.binary's unpooled formula on 2(J - 1)
 * df; an allocation ratio J2 = r J1 generalises it the obvious way.
 *
 * Also Hayes & Bennett (1999, Int J Epidemiol 28:319-326), clusters per arm from the between-cluster
 * coefficient of variation k of the true proportions:
 *   c = 1 + (z(1 - alpha/2) + z(power))^2 [p1 q1 / m + p2 q2 / m + k^2 (p1^2 + p2^2)] / (p1 - p2)^2.
 */
import { UsageError } from '../errors.js';
import { pnt, qnorm, qt } from '../stats/distributions.js';
import { checkRate, designEffect } from './binary-power.js';

export interface ClusterBinaryDesign {
  p1: number;
  p2: number;
  /** People analysed per cluster (mean). */
  m: number;
  icc: number;
  /** Coefficient of variation of cluster sizes (0). */
  cv?: number;
  /** Clusters in the treated arm per control cluster (1). */
  ratio?: number;
  alpha?: number;
  twoTailed?: boolean;
}

function critical(alpha: number, twoTailed: boolean, df: number): number {
  return qt(twoTailed ? alpha / 2 : alpha, df, false);
}

/**
 * Power with J control clusters (r J treated), t on J (1 + r) - 2 df.
 * @example clusterBinaryPower({ p1: 0.4, p2: 0.25, m: 50, icc: 0.05 }, 8) // => 0.6325975 // clusterPower::cpa.binary(nclusters = 8, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05)
 */
export function clusterBinaryPower(d: ClusterBinaryDesign, J: number): number {
  checkRate('--p1', d.p1);
  checkRate('--p2', d.p2);
  const r = d.ratio ?? 1;
  const df = J * (1 + r) - 2;
  if (!(df > 0))
    throw new UsageError(`too few clusters: ${J} per arm leaves no degrees of freedom for the t correction`);
  const deff = designEffect(d.m, d.icc, d.cv ?? 0);
  const se = Math.sqrt(deff * ((d.p1 * (1 - d.p1)) / (J * d.m) + (d.p2 * (1 - d.p2)) / (r * J * d.m)));
  return pnt(critical(d.alpha ?? 0.05, d.twoTailed ?? true, df), df, Math.abs(d.p1 - d.p2) / se, false);
}

/**
 * The largest power any cluster size can give with J control clusters: as m grows the
 * within-cluster term vanishes and SE^2 -> icc (1 + cv^2) (p1 q1 / J1 + p2 q2 / J2).
 */
export function clusterBinaryMaxPower(d: Omit<ClusterBinaryDesign, 'm'>, J: number): number {
  const r = d.ratio ?? 1;
  const df = J * (1 + r) - 2;
  if (!(df > 0))
    throw new UsageError(`too few clusters: ${J} per arm leaves no degrees of freedom for the t correction`);
  const cv = d.cv ?? 0;
  const v = d.icc * (1 + cv * cv) * ((d.p1 * (1 - d.p1)) / J + (d.p2 * (1 - d.p2)) / (r * J));
  if (v === 0) return 1;
  return pnt(critical(d.alpha ?? 0.05, d.twoTailed ?? true, df), df, Math.abs(d.p1 - d.p2) / Math.sqrt(v), false);
}

/** Bisection for an increasing f on [lo, hi] to full precision: the smallest x with f(x) >= target. */
function bisect(f: (x: number) => number, target: number, lo: number, hi: number): number {
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface ClusterCountResult {
  /** Smallest whole number of control clusters reaching the power. */
  clusters: number;
  /** Real root of power(J) = target (cpa.binary's `nclusters`). */
  exact: number;
  power: number;
}

/**
 * Clusters per arm for the target power (the smallest integer reaching it; cpa.binary returns the
 * real root, which we also give).
 * @example clusterBinaryClusters({ p1: 0.4, p2: 0.25, m: 50, icc: 0.05 }, 0.8).clusters // => 12 // cpa.binary root 11.34, rounded up
 */
export function clusterBinaryClusters(d: ClusterBinaryDesign, power: number): ClusterCountResult {
  const r = d.ratio ?? 1;
  const lo0 = 2 / (1 + r) + 1e-9;
  const f = (J: number): number => clusterBinaryPower(d, J);
  let hi = Math.max(4, 2 * lo0);
  let guard = 0;
  while (f(hi) < power) {
    hi *= 2;
    if (++guard > 60) throw new UsageError(`--power ${power} cannot be reached with clusters of ${d.m}`);
  }
  const exact = bisect(f, power, lo0, hi);
  let clusters = Math.max(1, Math.ceil(exact - 1e-9));
  while (clusters * (1 + r) - 2 <= 0 || f(clusters) < power) clusters += 1;
  return { clusters, exact, power: f(clusters) };
}

export interface ClusterSizeResult {
  feasible: boolean;
  /** Smallest whole cluster size reaching the power; null when no size does. */
  cluster_size: number | null;
  cluster_size_exact: number | null;
  power: number | null;
  /** The power as the cluster size grows without limit. */
  max_power: number;
}

/**
 * With J control clusters fixed, the cluster size that reaches the power, or `feasible: false`
 * with the ceiling when none does (cpa.binary with `nsubjects = NA`).
 */
export function clusterBinaryClusterSize(
  d: Omit<ClusterBinaryDesign, 'm'>,
  J: number,
  power: number,
): ClusterSizeResult {
  const max_power = clusterBinaryMaxPower(d, J);
  if (!(max_power > power))
    return { feasible: false, cluster_size: null, cluster_size_exact: null, power: null, max_power };
  const f = (m: number): number => clusterBinaryPower({ ...d, m }, J);
  if (f(1) >= power) return { feasible: true, cluster_size: 1, cluster_size_exact: 1, power: f(1), max_power };
  let hi = 2;
  let guard = 0;
  while (f(hi) < power) {
    hi *= 2;
    if (++guard > 60) return { feasible: false, cluster_size: null, cluster_size_exact: null, power: null, max_power };
  }
  const exact = bisect(f, power, 1, hi);
  let m = Math.ceil(exact - 1e-9);
  while (f(m) < power) m += 1;
  return { feasible: true, cluster_size: m, cluster_size_exact: exact, power: f(m), max_power };
}

/**
 * Smallest treated rate (below p1 for 'lower', above for 'higher') detectable with the power, J
 * control clusters of m (cpa.binary with `p2 = NA`); null if none is.
 */
export function clusterBinaryDetectable(
  d: Omit<ClusterBinaryDesign, 'p2'>,
  J: number,
  power: number,
  direction: 'lower' | 'higher' = 'lower',
): number | null {
  const edge = direction === 'lower' ? 1e-12 : 1 - 1e-12;
  const f = (p2: number): number => clusterBinaryPower({ ...d, p2 }, J);
  if (f(edge) < power) return null;
  let near = d.p1;
  let far = edge;
  for (let i = 0; i < 200 && Math.abs(far - near) > 1e-15; i++) {
    const mid = (near + far) / 2;
    if (mid === near || mid === far) break;
    if (f(mid) >= power) far = mid;
    else near = mid;
  }
  return far;
}

/**
 * Hayes & Bennett (1999) clusters per arm from the coefficient of variation k of the true
 * cluster proportions, m people per cluster (their equation for unmatched trials, proportions).
 * @returns the real value; round up for a design
 */
export function hayesBennettClusters(
  p1: number,
  p2: number,
  m: number,
  k: number,
  options: { power?: number; alpha?: number; twoTailed?: boolean } = {},
): number {
  checkRate('--p1', p1);
  checkRate('--p2', p2);
  if (p1 === p2) throw new UsageError(`--p1 and --p2 must differ (both are ${p1})`);
  if (!(k >= 0) || !Number.isFinite(k)) throw new UsageError(`--cv-between must be >= 0, got ${k}`);
  if (!(m >= 1)) throw new UsageError(`--cluster-size must be at least 1, got ${m}`);
  const alpha = options.alpha ?? 0.05;
  const za = qnorm((options.twoTailed ?? true) ? alpha / 2 : alpha, false);
  const zb = qnorm(options.power ?? 0.8);
  const num = (p1 * (1 - p1)) / m + (p2 * (1 - p2)) / m + k * k * (p1 * p1 + p2 * p2);
  return 1 + ((za + zb) ** 2 * num) / (p1 - p2) ** 2;
}
