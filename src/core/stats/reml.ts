/**
 * Linear random-intercept model fitted by REML, as R
 * `lme4::lmer(y ~ x1 + ... + (1 | cluster), REML = TRUE)`:
 *   y_ij = x_ij' beta + u_j + e_ij,  u_j ~ N(0, s2_between),  e_ij ~ N(0, s2_within).
 *
 * With theta = sqrt(s2_between / s2_within) (lme4's theta), V_j = s2_within (I + theta^2 11') has
 * the closed-form inverse I - w_j 11', w_j = theta^2 / (1 + n_j theta^2), so every quantity reduces
 * to per-cluster sums. Writing W for the pooled within-cluster cross-products of [X | y] and M_j for
 * the cluster means, [X|y]' V^-1 [X|y] = W + sum_j n_j / (1 + n_j theta^2) M_j M_j' (times
 * 1/s2_within). Two passes over the data (means, then within cross-products) and each evaluation
 * of the profiled REML criterion costs O(J p^2): O(n) in all, a million rows in well under a second.
 *
 * The profiled criterion is lme4's REMLcrit:
 *   sum_j log(1 + n_j theta^2) + log det(X'H^-1 X) + (n - p) (1 + log(2 pi r2 / (n - p))),
 * r2 = y'H^-1 y - b' X'H^-1 y (H = I + theta^2 ZZ'), minimised over theta >= 0 by a grid on the
 * log scale then Brent's method; theta = 0 (between variance 0, lmer's "singular fit") is allowed.
 */
import { DataError } from '../errors.js';
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.js';

export interface FixedCovariate {
  name: string;
  values: ArrayLike<number>;
}

export interface RandomInterceptInput {
  /** Outcome (a 0/1 outcome is fine: the linear model docs/methods.md uses for the ICC). */
  y: ArrayLike<number>;
  /** Cluster of each row: labels or numeric codes (any values; equal values = same cluster). */
  cluster: ArrayLike<string | number>;
  /** Fixed effects besides the intercept, e.g. [{ name: 'arm', values: [0, 1, ...] }]. */
  covariates: readonly FixedCovariate[];
  /** File name for error messages (default "data"). */
  source?: string;
}

export interface FixedEffect {
  name: string;
  estimate: number;
  /** As `sqrt(diag(vcov(fit)))`. */
  stdError: number;
  /** t value as lmer prints it (estimate / stdError); lmer gives no df. */
  statistic: number;
}

export interface RandomInterceptFit {
  n: number;
  nClusters: number;
  /** '(Intercept)' first, then the covariates in order. */
  fixed: FixedEffect[];
  /** `as.matrix(vcov(fit))`. */
  variance: number[][];
  /** Between-cluster (intercept) variance, `VarCorr(fit)$cluster[1]`; 0 at a singular fit. */
  sigma2Between: number;
  /** Residual variance, `sigma(fit)^2`. */
  sigma2Within: number;
  /** sigma2Between / (sigma2Between + sigma2Within). */
  icc: number;
  /** sqrt(sigma2Between / sigma2Within), `getME(fit, "theta")`. */
  theta: number;
  /** `REMLcrit(fit)` (-2 x restricted log-likelihood). */
  remlCriterion: number;
  /** theta < 1e-4, as `isSingular(fit)`. */
  singular: boolean;
}

interface ClusterSummary {
  /** Number of columns of [1, x..., y]. */
  q: number;
  counts: Float64Array;
  /** Cluster means of [1, x..., y] centred at the grand means, J x q row-major. */
  means: Float64Array;
  /** Pooled within-cluster cross-products, q x q row-major. */
  within: Float64Array;
  grandMeans: Float64Array;
}

/**
 * Fits the random-intercept model by REML.
 * @throws DataError (file = input.source) when the model is not identifiable: fewer than 2
 *   clusters, no cluster with 2+ rows, n <= p, a constant or collinear covariate, an outcome
 *   that does not vary within clusters (or fits exactly); RangeError on malformed input (non-finite values, length mismatch: a caller bug)
 * @example
 * const team = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'd', 'd', 'd'];
 * const arm = [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1];
 * fitRandomIntercept({ y: [3, 4, 5, 6, 7, 8, 2, 3, 3, 7, 9, 8], cluster: team, covariates: [{ name: 'arm', values: arm }] }).icc // => 0.333333 // lmer(y ~ arm + (1 | team)): 0.3333334
 */
export function fitRandomIntercept(input: RandomInterceptInput): RandomInterceptFit {
  const source = input.source ?? 'data';
  const fail = (reason: string, column: string | null = null): never => {
    throw new DataError({ file: source, line: null, column, value: null, reason });
  };
  const n = input.y.length;
  const p = input.covariates.length + 1;
  if (input.cluster.length !== n)
    throw new RangeError(`fitRandomIntercept: ${n} outcomes but ${input.cluster.length} cluster values`);
  for (const c of input.covariates) {
    if (c.values.length !== n)
      throw new RangeError(`fitRandomIntercept: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  }
  const summary = summariseClusters(input);
  const nClusters = summary.counts.length;
  if (nClusters < 2) fail(`a random-intercept model needs at least 2 clusters, found ${nClusters}`);
  if (nClusters >= n)
    fail(
      `every cluster has a single row (${n} rows, ${nClusters} clusters): the between and within variances cannot be separated`,
    );
  if (n - p < 1) fail(`${n} rows are too few for ${p} fixed effects`);

  const names = ['(Intercept)', ...input.covariates.map((c) => c.name)];
  const atZero = profile(summary, 0, n, p);
  if (atZero === null) {
    // Identify the offending column for the message: the first whose inclusion breaks the factorisation.
    const cross = crossProducts(summary, 0);
    for (let k = 1; k <= p; k++) {
      const sub = cross.slice(0, k).map((row) => row.slice(0, k));
      if (!cholesky(sub).ok) fail(`covariate ${names[k - 1]} is constant or collinear with the others`, names[k - 1]!);
    }
    fail('the outcome fits the fixed effects exactly: zero residual variance');
  }

  const theta = minimiseTheta((th) => profile(summary, th, n, p)?.criterion ?? Number.POSITIVE_INFINITY);
  if (theta >= THETA_MAX)
    fail('the outcome does not vary within clusters (beyond the covariates): the within-cluster variance is 0');
  const best = profile(summary, theta, n, p);
  if (best === null) return fail('the REML fit failed: the model matrix became singular');
  const sigma2Within = best.rss / (n - p);
  if (!(sigma2Within > 0)) fail('the outcome fits the fixed effects exactly: zero residual variance');
  const sigma2Between = theta * theta * sigma2Within;

  // Back from centred covariates to the raw scale: intercept = b0' + ybar - xbar' b.
  const g = summary.grandMeans;
  const beta = best.beta.slice();
  for (let k = 1; k < p; k++) beta[0]! -= g[k]! * best.beta[k]!;
  beta[0]! += g[p]!;
  const vc = best.inverse.map((row) => row.map((v) => v * sigma2Within));
  // V_raw = T V T', T = [[1, -xbar'], [0, I]].
  const tMat: number[][] = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => (i === j ? 1 : i === 0 ? -g[j]! : 0)),
  );
  const variance = multiply(multiply(tMat, vc), transpose(tMat));
  const fixed = names.map((name, k): FixedEffect => {
    const se = Math.sqrt(variance[k]![k]!);
    return { name, estimate: beta[k]!, stdError: se, statistic: beta[k]! / se };
  });
  return {
    n,
    nClusters,
    fixed,
    variance,
    sigma2Between,
    sigma2Within,
    icc: sigma2Between / (sigma2Between + sigma2Within),
    theta,
    remlCriterion: best.criterion,
    singular: theta < 1e-4,
  };
}

/** Pass 1: cluster codes, counts and means; pass 2: within-cluster cross-products. */
function summariseClusters(input: RandomInterceptInput): ClusterSummary {
  const n = input.y.length;
  const q = input.covariates.length + 2;
  const codes = new Int32Array(n);
  const index = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = input.cluster[i]!;
    let c = index.get(key);
    if (c === undefined) {
      c = index.size;
      index.set(key, c);
    }
    codes[i] = c;
  }
  const J = index.size;
  const column = (k: number): ArrayLike<number> => (k === q - 1 ? input.y : input.covariates[k - 1]!.values);
  const counts = new Float64Array(J);
  const means = new Float64Array(J * q);
  const grandMeans = new Float64Array(q);
  for (let i = 0; i < n; i++) counts[codes[i]!]!++;
  for (let k = 1; k < q; k++) {
    const v = column(k);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (!Number.isFinite(x))
        throw new RangeError(
          `fitRandomIntercept: ${k === q - 1 ? 'y' : input.covariates[k - 1]!.name}[${i}] = ${x} is not finite`,
        );
      means[codes[i]! * q + k]! += x;
      total += x;
    }
    grandMeans[k] = total / n;
  }
  grandMeans[0] = 1;
  for (let j = 0; j < J; j++) {
    means[j * q] = 1;
    for (let k = 1; k < q; k++) means[j * q + k] = means[j * q + k]! / counts[j]! - grandMeans[k]!;
  }
  // Within-cluster deviations do not involve the intercept column (its deviation is 0).
  const within = new Float64Array(q * q);
  const dev = new Float64Array(q);
  const cols = Array.from({ length: q }, (_, k) => (k === 0 ? null : column(k)));
  for (let i = 0; i < n; i++) {
    const j = codes[i]!;
    for (let k = 1; k < q; k++) dev[k] = cols[k]![i]! - grandMeans[k]! - means[j * q + k]!;
    for (let a = 1; a < q; a++) for (let b = 1; b <= a; b++) within[a * q + b]! += dev[a]! * dev[b]!;
  }
  for (let a = 1; a < q; a++) for (let b = 1; b < a; b++) within[b * q + a] = within[a * q + b]!;
  return { q, counts, means, within, grandMeans };
}

/** [X|y]' H^-1 [X|y] at theta (q x q), from the cluster summary. */
function crossProducts(s: ClusterSummary, theta: number): number[][] {
  const { q, counts, means, within } = s;
  const t2 = theta * theta;
  const out: number[][] = Array.from({ length: q }, (_, a) => Array.from({ length: q }, (_, b) => within[a * q + b]!));
  for (let j = 0; j < counts.length; j++) {
    const nj = counts[j]!;
    const w = nj / (1 + nj * t2);
    const off = j * q;
    for (let a = 0; a < q; a++) {
      const wa = w * means[off + a]!;
      for (let b = 0; b <= a; b++) out[a]![b]! += wa * means[off + b]!;
    }
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) out[b]![a] = out[a]![b]!;
  return out;
}

interface Profile {
  criterion: number;
  beta: number[];
  rss: number;
  /** (X'H^-1 X)^-1 on the centred scale. */
  inverse: number[][];
}

/** Profiled REML criterion and GLS solution at theta; null when X'H^-1X is singular or rss <= 0. */
function profile(s: ClusterSummary, theta: number, n: number, p: number): Profile | null {
  const cross = crossProducts(s, theta);
  const a = cross.slice(0, p).map((row) => row.slice(0, p));
  const c = cross.slice(0, p).map((row) => row[p]!);
  const chol = cholesky(a);
  if (!chol.ok) return null;
  const beta = choleskySolve(chol.lower, c);
  const rss = cross[p]![p]! - beta.reduce((acc, b, k) => acc + b * c[k]!, 0);
  if (!(rss > 0)) return null;
  let logDetH = 0;
  const t2 = theta * theta;
  for (let j = 0; j < s.counts.length; j++) logDetH += Math.log1p(s.counts[j]! * t2);
  const df = n - p;
  const criterion = logDetH + chol.logDet + df * (1 + Math.log((2 * Math.PI * rss) / df));
  return { criterion, beta, rss, inverse: choleskyInverse(chol.lower) };
}

/**
 * Global minimiser of f over theta >= 0: evaluate 0 and a log-spaced grid (1e-4 .. 1e4), refine the
 * best bracket by Brent's method, and keep theta = 0 when it is at least as good (boundary fit).
 */
const THETA_MAX = 1e4;

function minimiseTheta(f: (theta: number) => number): number {
  const grid = [0];
  for (let e = -4; e <= 4 + 1e-9; e += 0.125) grid.push(10 ** e);
  grid[grid.length - 1] = THETA_MAX;
  const values = grid.map(f);
  let best = 0;
  for (let i = 1; i < grid.length; i++) if (values[i]! < values[best]!) best = i;
  const lo = grid[Math.max(best - 1, 0)]!;
  const hi = grid[Math.min(best + 1, grid.length - 1)]!;
  if (best === grid.length - 1) return THETA_MAX; // still falling: within variance 0
  const refined = brentMinimise(f, lo, hi, 1e-12);
  const interior: [number, number] =
    refined.fx <= values[best]! ? [refined.x, refined.fx] : [grid[best]!, values[best]!];
  // Near theta = 0 the criterion is flat (it depends on theta^2): prefer the boundary unless the
  // interior point is better by more than rounding, as lme4's bounded optimiser lands on 0 exactly.
  return values[0]! <= interior[1] + 1e-10 * Math.max(1, Math.abs(values[0]!)) ? 0 : interior[0];
}

/**
 * Brent's method (golden section with parabolic steps) for a minimum of f on [a, b].
 * Tolerance is relative to |x| plus a small absolute floor.
 */
function brentMinimise(f: (x: number) => number, a: number, b: number, relTol: number): { x: number; fx: number } {
  const golden = 0.381966011250105; // (3 - sqrt(5)) / 2
  let x = a + golden * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let iter = 0; iter < 200; iter++) {
    const mid = (a + b) / 2;
    const tol1 = relTol * Math.abs(x) + 1e-15;
    const tol2 = 2 * tol1;
    if (Math.abs(x - mid) <= tol2 - (b - a) / 2) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      // Parabola through (v, fv), (w, fw), (x, fx).
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let pp = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) pp = -pp;
      else q = -q;
      if (Math.abs(pp) < Math.abs(0.5 * q * e) && pp > q * (a - x) && pp < q * (b - x)) {
        e = d;
        d = pp / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < mid ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = (x < mid ? b : a) - x;
      d = golden * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, fx };
}

function multiply(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

function transpose(a: number[][]): number[][] {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}
