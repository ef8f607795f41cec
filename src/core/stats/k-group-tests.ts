/**
 * Global tests of "no difference between k groups" (k >= 2), the omnibus tests of a trial with more
 * than two arms. Groups are integer codes 0..k-1; a code with no rows is dropped (R drops empty
 * factor levels from the table and the model in the same way).
 */
import { cholesky, choleskyInverse } from './cholesky.js';
import { pchisq, pf } from './distributions.js';
import { fitGlm, SingularDesignError, type GlmFamily } from './irls.js';
import { vcovCL } from './sandwich.js';

export interface GlobalTestResult {
  /** Chi-square (or F) statistic; null when it is not defined (e.g. no events at all). */
  statistic: number | null;
  /** Numerator degrees of freedom: the number of non-empty groups minus 1. */
  df: number;
  /** Denominator degrees of freedom of an F test. */
  df_residual?: number;
  p_value: number | null;
  /** Non-empty groups compared. */
  groups: number;
}

function groupCount(group: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < group.length; i++) {
    const g = group[i]!;
    if (!Number.isInteger(g) || g < 0) throw new RangeError(`group[${i}] = ${g} is not a code 0..k-1`);
    k = Math.max(k, g + 1);
  }
  return k;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Pearson chi-square test of independence on the k x 2 table of group by a 0/1 outcome, without
 * continuity correction: R `chisq.test(table(group, y), correct = FALSE)`. The statistic is
 * sum (O - E)^2 / E over the 2k cells, df = k - 1. With no events (or no non-events) at all, a
 * column of the table is empty and R's statistic is NaN: null here.
 */
export function pearsonChiSquare(y: ArrayLike<number>, group: ArrayLike<number>): GlobalTestResult {
  if (y.length !== group.length) throw new RangeError('pearsonChiSquare: y and group differ in length');
  const k = groupCount(group);
  const n1 = new Array<number>(k).fill(0);
  const n = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) throw new RangeError(`pearsonChiSquare: y[${i}] = ${v} is not 0 or 1`);
    n[group[i]!]!++;
    n1[group[i]!]! += v;
  }
  const N = y.length;
  const events = n1.reduce((s, v) => s + v, 0);
  const used = n.filter((v) => v > 0).length;
  const df = used - 1;
  let x2 = 0;
  for (let g = 0; g < k; g++) {
    if (n[g] === 0) continue;
    const e1 = (n[g]! * events) / N;
    const e0 = n[g]! - e1;
    x2 += (n1[g]! - e1) ** 2 / e1 + (n[g]! - n1[g]! - (n[g]! - e1)) ** 2 / e0;
  }
  const statistic = df > 0 ? finite(x2) : null;
  return { statistic, df, p_value: statistic === null ? null : pchisq(statistic, df, false), groups: used };
}

/**
 * Likelihood-ratio test of the group factor in a Poisson log-linear model of counts:
 * R `anova(glm(y ~ group, poisson), test = "LRT")`. With one rate per group the fitted means are
 * the group means, so the deviance drop is 2 sum_g S_g log(mean_g / mean), S_g the group's total
 * (the sum of y - mu is zero in both models); chi-square on k - 1 df.
 */
export function poissonLikelihoodRatio(y: ArrayLike<number>, group: ArrayLike<number>): GlobalTestResult {
  if (y.length !== group.length) throw new RangeError('poissonLikelihoodRatio: y and group differ in length');
  const k = groupCount(group);
  const s = new Array<number>(k).fill(0);
  const n = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`poissonLikelihoodRatio: y[${i}] = ${v} is not a count`);
    n[group[i]!]!++;
    s[group[i]!]! += v;
  }
  const total = s.reduce((a, b) => a + b, 0);
  const mean = total / y.length;
  const used = n.filter((v) => v > 0).length;
  const df = used - 1;
  let lr = 0;
  for (let g = 0; g < k; g++) if (s[g]! > 0) lr += 2 * s[g]! * Math.log(s[g]! / n[g]! / mean);
  const statistic = df > 0 && total > 0 ? finite(Math.max(lr, 0)) : null;
  return { statistic, df, p_value: statistic === null ? null : pchisq(statistic, df, false), groups: used };
}

/**
 * One-way analysis of variance: R `anova(lm(y ~ group))`. F = (SS between / (k - 1)) /
 * (SS within / (N - k)) on (k - 1, N - k) df.
 */
export function oneWayAnova(y: ArrayLike<number>, group: ArrayLike<number>): GlobalTestResult {
  if (y.length !== group.length) throw new RangeError('oneWayAnova: y and group differ in length');
  const k = groupCount(group);
  const s = new Array<number>(k).fill(0);
  const n = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) {
    n[group[i]!]!++;
    s[group[i]!]! += y[i]!;
  }
  const N = y.length;
  const grand = s.reduce((a, b) => a + b, 0) / N;
  let within = 0;
  for (let i = 0; i < N; i++) within += (y[i]! - s[group[i]!]! / n[group[i]!]!) ** 2;
  let between = 0;
  for (let g = 0; g < k; g++) if (n[g]! > 0) between += n[g]! * (s[g]! / n[g]! - grand) ** 2;
  const used = n.filter((v) => v > 0).length;
  const df = used - 1;
  const dfRes = N - used;
  const F = between / df / (within / dfRes);
  const statistic = df > 0 && dfRes > 0 ? finite(F) : null;
  return {
    statistic,
    df,
    df_residual: dfRes,
    p_value: statistic === null ? null : pf(statistic, df, dfRes, false),
    groups: used,
  };
}

/**
 * Cluster-robust Wald test that every group coefficient of the logistic model y ~ group is zero
 * (see clusterWaldGlm).
 */
export function clusterWaldLogistic(
  y: ArrayLike<number>,
  group: ArrayLike<number>,
  cluster: ArrayLike<number>,
  nClusters: number,
): GlobalTestResult & { separation: boolean } {
  return clusterWaldGlm('binomial', y, group, cluster, nClusters);
}

/**
 * Cluster-robust Wald test that every group coefficient of the GLM y ~ group (logistic for 0/1,
 * Poisson log-linear for counts) is zero:
 * R `lmtest::waldtest(glm(y ~ 1, binomial), fit <- glm(y ~ group, binomial),
 * vcov = sandwich::vcovCL(fit, cluster = ~cl), test = "Chisq")` (and the same with `poisson`).
 * W = b' V^-1 b over the k - 1
 * group coefficients (treatment coding, the first non-empty group as reference), V their block of
 * the clustered sandwich; chi-square on k - 1 df. Null when the model separates (a group with no
 * events, or, for 0/1 outcomes, all events) or the robust covariance is singular.
 * @param cluster 0-based cluster index per row in [0, nClusters)
 */
export function clusterWaldGlm(
  family: GlmFamily,
  y: ArrayLike<number>,
  group: ArrayLike<number>,
  cluster: ArrayLike<number>,
  nClusters: number,
): GlobalTestResult & { separation: boolean } {
  const n = y.length;
  if (group.length !== n || cluster.length !== n) throw new RangeError('clusterWaldGlm: lengths differ');
  const k = groupCount(group);
  const size = new Array<number>(k).fill(0);
  const events = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    size[group[i]!]!++;
    events[group[i]!]! += y[i]!;
  }
  const levels = size.map((v, g) => (v > 0 ? g : -1)).filter((g) => g >= 0);
  const df = levels.length - 1;
  const none = (separation: boolean) => ({ statistic: null, df, p_value: null, groups: levels.length, separation });
  if (df < 1) return none(false);
  // An arm with no events or only events: its coefficient is infinite (separation).
  if (levels.some((g) => events[g] === 0 || (family === 'binomial' && events[g] === size[g]))) return none(true);
  const p = levels.length;
  const X = new Float64Array(n * p);
  X.fill(1, 0, n);
  for (let i = 0; i < n; i++) {
    const j = levels.indexOf(group[i]!);
    if (j > 0) X[j * n + i] = 1;
  }
  let fit;
  try {
    fit = fitGlm(family, X, n, p, y);
  } catch (err) {
    if (err instanceof SingularDesignError) return none(false);
    throw err;
  }
  if (fit.boundary || !fit.converged) return none(true);
  const V = vcovCL(fit, X, y, cluster, nClusters);
  const sub = Array.from({ length: df }, (_, a) => Array.from({ length: df }, (_, b) => V[(a + 1) * p + (b + 1)]!));
  const ch = cholesky(sub);
  if (!ch.ok) return none(false);
  const inv = choleskyInverse(ch.lower);
  let w = 0;
  for (let a = 0; a < df; a++) for (let b = 0; b < df; b++) w += fit.coef[a + 1]! * inv[a]![b]! * fit.coef[b + 1]!;
  const statistic = finite(w);
  return {
    statistic,
    df,
    p_value: statistic === null ? null : pchisq(statistic, df, false),
    groups: p,
    separation: false,
  };
}

/**
 * Cluster-robust Wald test that every group coefficient of the linear model y ~ group is zero:
 * R `lmtest::waldtest(lm(y ~ 1), fit <- lm(y ~ group), vcov = sandwich::vcovCL(fit, cluster = ~cl),
 * test = "Chisq")`. The fitted values are the group means; V = c M (sum_g U_g U_g') M with
 * M = (X'X)^-1, U_g = X_g' e_g the cluster's score sum and c = G/(G-1) x (n-1)/(n-p) (vcovCL's
 * defaults for lm: type "HC1" with the cluster adjustment); W = b' V^-1 b over the k - 1 group
 * coefficients, chi-square on k - 1 df.
 */
export function clusterWaldLinear(
  y: ArrayLike<number>,
  group: ArrayLike<number>,
  cluster: ArrayLike<number>,
  nClusters: number,
): GlobalTestResult {
  const n = y.length;
  if (group.length !== n || cluster.length !== n) throw new RangeError('clusterWaldLinear: lengths differ');
  if (nClusters < 2) throw new RangeError(`clusterWaldLinear needs at least 2 clusters, got ${nClusters}`);
  const k = groupCount(group);
  const size = new Array<number>(k).fill(0);
  const sum = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    size[group[i]!]!++;
    sum[group[i]!]! += y[i]!;
  }
  const levels = size.map((v, g) => (v > 0 ? g : -1)).filter((g) => g >= 0);
  const p = levels.length;
  const df = p - 1;
  const none = { statistic: null, df, p_value: null, groups: p };
  if (df < 1 || n <= p) return none;
  const col = new Array<number>(k).fill(-1);
  levels.forEach((g, j) => (col[g] = j));
  const mean = sum.map((s, g) => (size[g]! > 0 ? s / size[g]! : 0));
  const b = levels.map((g, j) => (j === 0 ? mean[g]! : mean[g]! - mean[levels[0]!]!));
  // X'X of [1, D_1..D_{p-1}]: XtX[0][0] = n, XtX[0][j] = XtX[j][j] = n_j, 0 elsewhere.
  const XtX = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  XtX[0]![0] = n;
  for (let j = 1; j < p; j++) {
    const nj = size[levels[j]!]!;
    XtX[0]![j] = nj;
    XtX[j]![0] = nj;
    XtX[j]![j] = nj;
  }
  const ch = cholesky(XtX);
  if (!ch.ok) return none;
  const M = choleskyInverse(ch.lower);
  const U = Array.from({ length: nClusters }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < n; i++) {
    const e = y[i]! - mean[group[i]!]!;
    const u = U[cluster[i]!]!;
    u[0]! += e;
    const j = col[group[i]!]!;
    if (j > 0) u[j]! += e;
  }
  const meat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const u of U) for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) meat[a]![c]! += u[a]! * u[c]!;
  const adj = (nClusters / (nClusters - 1)) * ((n - 1) / (n - p));
  const mul = (A: number[][], B: number[][]) =>
    A.map((row) => B[0]!.map((_, c) => row.reduce((s, v, t) => s + v * B[t]![c]!, 0)));
  const V = mul(mul(M, meat), M).map((row) => row.map((v) => v * adj));
  const sub = Array.from({ length: df }, (_, a) => Array.from({ length: df }, (_, c) => V[a + 1]![c + 1]!));
  const cs = cholesky(sub);
  if (!cs.ok) return none;
  const inv = choleskyInverse(cs.lower);
  let w = 0;
  for (let a = 0; a < df; a++) for (let c = 0; c < df; c++) w += b[a + 1]! * inv[a]![c]! * b[c + 1]!;
  const statistic = finite(w);
  return { statistic, df, p_value: statistic === null ? null : pchisq(statistic, df, false), groups: p };
}
