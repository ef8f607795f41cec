/**
 * Cox proportional hazards regression, as R `survival::coxph(Surv(time, status) ~ x1 + ...)`:
 * Newton-Raphson on the partial likelihood from beta = 0, step halving when the log-likelihood
 * falls, Wald inference from the inverse information.
 *
 * - Ties: Efron's approximation (R's default, `ties = "efron"`) or Breslow's (`ties = "breslow"`).
 * - Strata: `coxph(... + strata(s))`: a separate baseline hazard per stratum, so risk sets never
 *   cross strata; one set of coefficients.
 * - Clusters: `coxph(..., cluster = g)`: the robust ("sandwich") variance of Lin & Wei (1989),
 *   V B V with V the inverse information and B the sum over clusters of the outer products of the
 *   cluster totals of the score residuals (R's grouped dfbeta: t(D) %*% D with D the cluster sums of
 *   `residuals(fit, "dfbeta")`; no G/(G - 1) factor), and the robust score test at beta = 0
 *   (`summary(fit)$robscore`): u' B0^-1 u with u the score and B0 built the same way at beta = 0.
 *
 * - Case weights: `coxph(..., weights = w)`: each row's risk exp(eta) and its death count enter the
 *   sums weighted; with tied deaths Efron's steps use the mean weight of the deaths (as R's
 *   coxfit). The variance is then the robust one (score residuals times the weights, R's weighted
 *   dfbeta), per row as `coxph(..., weights = w, robust = TRUE)` or summed by cluster with `cluster`.
 *
 * Sorts once (by stratum, then time) and walks the risk sets with running sums, so each iteration is
 * O(n p^2), and the score residuals O(n p): a million rows fit in a few seconds.
 */
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.js';
import { pchisq, pnorm, qnorm } from './distributions.js';
import { checkSurvivalData, sortedOrder } from './kaplan-meier.js';

export interface CoxCovariate {
  name: string;
  values: ArrayLike<number>;
}

export type CoxTies = 'efron' | 'breslow';

export interface CoxCoefficient {
  name: string;
  /** log hazard ratio */
  estimate: number;
  /** The SE used for inference: the robust SE when clustered (R "robust se"), else the model SE. */
  stdError: number;
  /** Model-based SE from the inverse information (R "se(coef)"). */
  modelStdError: number;
  /** Wald z = estimate / stdError */
  statistic: number;
  pValue: number;
  hazardRatio: number;
  /** exp(estimate -/+ qnorm(1 - alpha/2) stdError) */
  confLow: number;
  confHigh: number;
  /**
   * True when the likelihood still rises as the coefficient runs off to +/- infinity (monotone
   * likelihood: e.g. no events in one arm); R warns "coefficient may be infinite". The numbers are
   * then meaningless and must not be reported.
   */
  possiblyInfinite: boolean;
}

export interface CoxTest {
  statistic: number;
  df: number;
  pValue: number;
}

export interface CoxFit {
  n: number;
  events: number;
  ties: CoxTies;
  /** Number of strata (1 without strata). */
  strata: number;
  coefficients: CoxCoefficient[];
  /** `vcov(fit)`: the robust variance when clustered, else the inverse information. */
  variance: number[][];
  /** Inverse information at the estimate (`fit$naive.var` when clustered). */
  modelVariance: number[][];
  /** Partial log-likelihood at beta = 0 and at the estimate (`fit$loglik`). */
  logLikNull: number;
  logLik: number;
  /** Likelihood-ratio test 2 (logLik - logLikNull) on p df (`summary(fit)$logtest`). */
  likelihoodRatio: CoxTest;
  /** Score (log-rank for one binary covariate) test at beta = 0 (`summary(fit)$sctest`); null if information singular. */
  score: CoxTest | null;
  /**
   * With `cluster`: the number of clusters and the robust score test (`summary(fit)$robscore`;
   * null when its middle matrix is singular). null without clusters.
   */
  robust: { clusters: number; score: CoxTest | null } | null;
  iterations: number;
  converged: boolean;
}

export interface CoxOptions {
  /** Two-sided alpha for the Wald intervals (default 0.05). */
  alpha?: number;
  /** Maximum Newton iterations (default 30; R's iter.max is 20). */
  maxIterations?: number;
  /** Stop when |1 - logLik_old / logLik_new| <= tol (default 1e-12, tighter than R's 1e-9). */
  tolerance?: number;
  /** Tie handling (default 'efron', as R). */
  ties?: CoxTies;
  /** Stratum code per row (integers >= 0): risk sets are formed within strata. */
  strata?: ArrayLike<number>;
  /** Cluster code per row (integers >= 0): robust variance and robust score test. */
  cluster?: ArrayLike<number>;
  /** Case weights (> 0), as coxph(weights = ): the variance is robust (each row its own cluster unless `cluster`). */
  weights?: ArrayLike<number>;
}

/**
 * The model cannot be fitted to these data (no events, constant or collinear covariates, a
 * coefficient that runs off to infinity). Callers turn it into a flagged null result.
 */
export class CoxDesignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoxDesignError';
  }
}

interface Evaluation {
  logLik: number;
  score: number[];
  information: number[][];
}

/** Rows in fitting order: strata one after another, time descending within each. */
interface Layout {
  t: Float64Array;
  ev: Uint8Array;
  x: Float64Array[];
  /** 1 where a stratum begins. */
  newStratum: Uint8Array;
  /** Original row index of each position. */
  row: Uint32Array;
  nStrata: number;
  /** Case weight of each position (all 1 without weights). */
  wt: Float64Array;
}

/**
 * Fits the Cox model.
 * @param time follow-up times
 * @param status 1 = event, 0 = censored
 * @param covariates one or more numeric columns (the first is usually the 0/1 arm)
 * @throws RangeError on malformed input (a bug in the caller); CoxDesignError when there are no
 *   events, or the information matrix is singular (constant or collinear covariates)
 * @example
 * const fit = coxRegression([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], [{ name: 'arm', values: [0, 1, 0, 1, 0, 1] }]);
 * fit.coefficients[0].hazardRatio // => 0.760371752457079 // exp(coef(coxph(Surv(time, status) ~ arm)))
 */
export function coxRegression(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  covariates: readonly CoxCovariate[],
  options: CoxOptions = {},
): CoxFit {
  const n = checkSurvivalData(time, status);
  const p = covariates.length;
  if (p === 0) throw new RangeError('coxRegression: at least one covariate is needed');
  const alpha = options.alpha ?? 0.05;
  const maxIterations = options.maxIterations ?? 30;
  const tolerance = options.tolerance ?? 1e-12;
  const ties = options.ties ?? 'efron';
  if (ties !== 'efron' && ties !== 'breslow')
    throw new RangeError(`coxRegression: ties must be efron or breslow, got ${String(ties)}`);
  for (const c of covariates) {
    if (c.values.length !== n)
      throw new RangeError(`coxRegression: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  }
  const strataCodes = options.strata ? checkCodes(options.strata, n, 'strata') : null;
  if (options.weights) {
    if (options.weights.length !== n)
      throw new RangeError(`coxRegression: weights has ${options.weights.length} values, expected ${n}`);
    for (let i = 0; i < n; i++)
      if (!(options.weights[i]! > 0 && Number.isFinite(options.weights[i]!)))
        throw new RangeError(`coxRegression: weights[${i}] = ${options.weights[i]} is not a positive number`);
  }
  // Weighted fits use the robust variance: per row unless clustered (R robust = TRUE).
  const clusterCodes = options.cluster
    ? checkCodes(options.cluster, n, 'cluster')
    : options.weights
      ? Array.from({ length: n }, (_, i) => i)
      : null;

  const lay = layout(time, status, covariates, strataCodes, options.weights ?? null);
  let events = 0;
  for (let r = 0; r < n; r++) events += lay.ev[r]!;
  if (events === 0) throw new CoxDesignError('no events: the Cox model cannot be fitted');

  const evaluate = (beta: readonly number[]): Evaluation => evaluatePartial(lay, beta, ties);
  let beta = new Array<number>(p).fill(0);
  let current = evaluate(beta);
  const nullEval = current;
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations;) {
    const chol = cholesky(current.information);
    if (!chol.ok && iterations > 0) break; // information vanishing on the way to an infinite coefficient
    if (!chol.ok) {
      throw new CoxDesignError(
        `the information matrix is singular: covariate(s) ${covariates.map((c) => c.name).join(', ')} are constant among those at risk or collinear`,
      );
    }
    const step = choleskySolve(chol.lower, current.score);
    iterations++;
    let candidate = beta.map((b, j) => b + step[j]!);
    let next = evaluate(candidate);
    // Step halving while the log-likelihood falls (or overflows), as coxph does.
    for (let h = 0; h < 30 && !(next.logLik >= current.logLik - 1e-12 * Math.abs(current.logLik)); h++) {
      candidate = candidate.map((c, j) => (c + beta[j]!) / 2);
      next = evaluate(candidate);
    }
    const done = Math.abs(1 - current.logLik / next.logLik) <= tolerance;
    beta = candidate;
    current = next;
    if (done) {
      converged = true;
      break;
    }
  }

  let finalChol = cholesky(current.information);
  if (finalChol.ok && converged) {
    // One polishing Newton step, so that the step still left is ~0 for a finite estimate.
    const step = choleskySolve(finalChol.lower, current.score);
    const candidate = beta.map((b, j) => b + step[j]!);
    const next = evaluate(candidate);
    const nextChol = cholesky(next.information);
    if (nextChol.ok && next.logLik >= current.logLik) {
      beta = candidate;
      current = next;
      finalChol = nextChol;
    }
  }
  if (!finalChol.ok) {
    // Monotone likelihood drives the information to 0: every coefficient is flagged infinite.
    throw new CoxDesignError(
      'the information matrix became singular during fitting: a coefficient is infinite (monotone likelihood)',
    );
  }
  const modelVariance = choleskyInverse(finalChol.lower);
  let variance = modelVariance;
  let robust: CoxFit['robust'] = null;
  if (clusterCodes) {
    const { B, clusters } = clusterMeat(lay, beta, ties, clusterCodes);
    variance = sandwich(modelVariance, B);
    const { B: B0 } = clusterMeat(lay, new Array<number>(p).fill(0), ties, clusterCodes);
    robust = { clusters, score: quadraticTest(nullEval.score, B0) };
  }
  // R's infinite-coefficient check: the Newton step still left at convergence is not negligible.
  const remaining = choleskySolve(finalChol.lower, current.score);
  const z = qnorm(1 - alpha / 2);
  const coefficients = covariates.map((c, j): CoxCoefficient => {
    const est = beta[j]!;
    const se = Math.sqrt(variance[j]![j]!);
    const stat = est / se;
    const infinite =
      !converged || (Math.abs(remaining[j]!) > 1e-9 && Math.abs(remaining[j]!) > Math.sqrt(1e-9) * Math.abs(est));
    return {
      name: c.name,
      estimate: est,
      stdError: se,
      modelStdError: Math.sqrt(modelVariance[j]![j]!),
      statistic: stat,
      pValue: 2 * pnorm(-Math.abs(stat)),
      hazardRatio: Math.exp(est),
      confLow: Math.exp(est - z * se),
      confHigh: Math.exp(est + z * se),
      possiblyInfinite: infinite,
    };
  });
  const lr = Math.max(0, 2 * (current.logLik - nullEval.logLik));
  return {
    n,
    events,
    ties,
    strata: lay.nStrata,
    coefficients,
    variance,
    modelVariance,
    logLikNull: nullEval.logLik,
    logLik: current.logLik,
    likelihoodRatio: { statistic: lr, df: p, pValue: pchisq(lr, p, false) },
    score: quadraticTest(nullEval.score, nullEval.information),
    robust,
    iterations,
    converged,
  };
}

/** u' M^-1 u on p df (R coxph.wtest); null when M is not positive definite. */
function quadraticTest(u: readonly number[], m: number[][]): CoxTest | null {
  const chol = cholesky(m);
  if (!chol.ok) return null;
  const sol = choleskySolve(chol.lower, u);
  const s = sol.reduce((acc, v, j) => acc + v * u[j]!, 0);
  return { statistic: s, df: u.length, pValue: pchisq(s, u.length, false) };
}

/** V B V. */
function sandwich(v: number[][], b: number[][]): number[][] {
  const p = v.length;
  const vb = v.map((row) => Array.from({ length: p }, (_, k) => row.reduce((s, x, l) => s + x * b[l]![k]!, 0)));
  return vb.map((row) => Array.from({ length: p }, (_, k) => row.reduce((s, x, l) => s + x * v[l]![k]!, 0)));
}

/** Validates integer codes >= 0 (one per row). */
function checkCodes(codes: ArrayLike<number>, n: number, what: string): ArrayLike<number> {
  if (codes.length !== n) throw new RangeError(`coxRegression: ${what} has ${codes.length} values, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`coxRegression: ${what}[${i}] = ${c} is not a code >= 0`);
  }
  return codes;
}

/**
 * Puts rows in fitting order (strata in code order, time descending within each; ties keep a
 * fixed order) and centres the covariates (as R does: estimates are invariant, exp() stays in range).
 */
function layout(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  covariates: readonly CoxCovariate[],
  strata: ArrayLike<number> | null,
  weights: ArrayLike<number> | null,
): Layout {
  const n = time.length;
  const asc = sortedOrder(time);
  const row = new Uint32Array(n);
  const newStratum = new Uint8Array(n);
  let nStrata = 1;
  if (!strata) {
    for (let r = 0; r < n; r++) row[r] = asc[n - 1 - r]!;
    newStratum[0] = 1;
  } else {
    // Stable counting sort of the time order by stratum code, then each block reversed.
    let k = 0;
    for (let i = 0; i < n; i++) k = Math.max(k, strata[i]! + 1);
    const start = new Uint32Array(k + 1);
    for (let i = 0; i < n; i++) start[strata[i]! + 1]!++;
    for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
    const bounds = start.slice();
    const byStratum = new Uint32Array(n);
    for (let r = 0; r < n; r++) {
      const i = asc[r]!;
      byStratum[start[strata[i]!]!++] = i;
    }
    nStrata = 0;
    for (let c = 0; c < k; c++) {
      const lo = bounds[c]!;
      const hi = bounds[c + 1]!;
      if (hi === lo) continue;
      nStrata++;
      newStratum[lo] = 1;
      for (let r = lo; r < hi; r++) row[r] = byStratum[hi - 1 - (r - lo)]!;
    }
  }
  const t = new Float64Array(n);
  const ev = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    t[r] = time[row[r]!]!;
    ev[r] = status[row[r]!]!;
  }
  const x = covariates.map((c) => {
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const v = c.values[i]!;
      if (!Number.isFinite(v)) throw new RangeError(`coxRegression: covariate ${c.name}[${i}] = ${v} is not finite`);
      mean += v;
    }
    mean /= n;
    const col = new Float64Array(n);
    for (let r = 0; r < n; r++) col[r] = c.values[row[r]!]! - mean;
    return col;
  });
  const wt = new Float64Array(n).fill(1);
  if (weights) for (let r = 0; r < n; r++) wt[r] = weights[row[r]!]!;
  return { t, ev, x, newStratum, row, nStrata, wt };
}

/** End (exclusive) of the tie group starting at a: same time, same stratum. */
function groupEnd(lay: Layout, a: number): number {
  const n = lay.t.length;
  const tt = lay.t[a]!;
  let b = a + 1;
  while (b < n && lay.t[b] === tt && !lay.newStratum[b]) b++;
  return b;
}

/**
 * Partial log-likelihood, score and information at beta. Rows are in fitting order, so the risk
 * set at a time is everything seen so far in the stratum plus all rows tied at that time. With d
 * deaths at a time (sums over them marked D), for l = 0..d-1 and f = l/d (Efron) or f = 0 (Breslow):
 * logLik -= log(S0 - f D0), score -= (S1 - f D1)/den, information += (S2 - f D2)/den - m m'.
 */
function evaluatePartial(lay: Layout, beta: readonly number[], ties: CoxTies): Evaluation {
  const { t, ev, x, newStratum, wt } = lay;
  const n = t.length;
  const p = x.length;
  let logLik = 0;
  const score = new Array<number>(p).fill(0);
  const info: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let s0 = 0;
  const s1 = new Float64Array(p);
  const s2 = new Float64Array(p * p);
  const d1 = new Float64Array(p);
  const d2 = new Float64Array(p * p);
  const xi = new Float64Array(p);
  const m = new Float64Array(p);
  const efron = ties === 'efron';
  for (let a = 0; a < n;) {
    if (newStratum[a]) {
      s0 = 0;
      s1.fill(0);
      s2.fill(0);
    }
    const b = groupEnd(lay, a);
    let d = 0;
    let dw = 0;
    let d0 = 0;
    d1.fill(0);
    d2.fill(0);
    for (let r = a; r < b; r++) {
      let eta = 0;
      for (let j = 0; j < p; j++) {
        xi[j] = x[j]![r]!;
        eta += beta[j]! * xi[j]!;
      }
      const cw = wt[r]!;
      const w = cw * Math.exp(eta);
      s0 += w;
      for (let j = 0; j < p; j++) {
        s1[j]! += w * xi[j]!;
        for (let k = 0; k <= j; k++) s2[j * p + k]! += w * xi[j]! * xi[k]!;
      }
      if (ev[r] === 1) {
        d++;
        dw += cw;
        d0 += w;
        logLik += cw * eta;
        for (let j = 0; j < p; j++) {
          score[j]! += cw * xi[j]!;
          d1[j]! += w * xi[j]!;
          for (let k = 0; k <= j; k++) d2[j * p + k]! += w * xi[j]! * xi[k]!;
        }
      }
    }
    // Each of the d steps carries the deaths' mean weight (1 without weights).
    const meanwt = d > 0 ? dw / d : 0;
    for (let l = 0; l < d; l++) {
      const f = efron ? l / d : 0;
      const den = s0 - f * d0;
      logLik -= meanwt * Math.log(den);
      for (let j = 0; j < p; j++) {
        m[j] = (s1[j]! - f * d1[j]!) / den;
        score[j]! -= meanwt * m[j]!;
      }
      for (let j = 0; j < p; j++) {
        for (let k = 0; k <= j; k++) {
          info[j]![k]! += meanwt * ((s2[j * p + k]! - f * d2[j * p + k]!) / den - m[j]! * m[k]!);
        }
      }
    }
    a = b;
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) info[k]![j] = info[j]![k]!;
  return { logLik, score, information: info };
}

/**
 * Score residuals at beta (R `residuals(fit, type = "score")`), n x p row-major in fitting order.
 * For row i with risk w_i, at each event time s <= t_i of its stratum the row is charged
 * w_i dH_l (x_i - m_l) over the d steps l of s (dH_l = 1/den_l, m_l the step's weighted mean; with
 * Efron a death at s is charged only (1 - l/d) of step l), and a death gains x_i - mean_l(m_l).
 * Two passes: per-time sums in fitting order, then cumulative sums from the earliest time.
 */
function scoreResiduals(lay: Layout, beta: readonly number[], ties: CoxTies): Float64Array {
  const { t, ev, x, newStratum, wt } = lay;
  const n = t.length;
  const p = x.length;
  const efron = ties === 'efron';
  const risk = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let eta = 0;
    for (let j = 0; j < p; j++) eta += beta[j]! * x[j]![r]!;
    risk[r] = Math.exp(eta);
  }
  // Pass 1: tie groups with their hazard sums.
  const gStart: number[] = [];
  const gStratum: number[] = [];
  const hz: number[] = [];
  const hzD: number[] = [];
  const hx: number[] = [];
  const hxD: number[] = [];
  const mbar: number[] = [];
  let s0 = 0;
  const s1 = new Float64Array(p);
  const d1 = new Float64Array(p);
  let stratumId = -1;
  for (let a = 0; a < n;) {
    if (newStratum[a]) {
      s0 = 0;
      s1.fill(0);
      stratumId++;
    }
    const b = groupEnd(lay, a);
    let d = 0;
    let dw = 0;
    let d0 = 0;
    d1.fill(0);
    for (let r = a; r < b; r++) {
      const w = wt[r]! * risk[r]!;
      s0 += w;
      for (let j = 0; j < p; j++) s1[j]! += w * x[j]![r]!;
      if (ev[r] === 1) {
        d++;
        dw += wt[r]!;
        d0 += w;
        for (let j = 0; j < p; j++) d1[j]! += w * x[j]![r]!;
      }
    }
    let h = 0;
    let hD = 0;
    const g = gStart.length;
    gStart.push(a);
    gStratum.push(stratumId);
    for (let j = 0; j < p; j++) {
      hx.push(0);
      hxD.push(0);
      mbar.push(0);
    }
    const meanwt = d > 0 ? dw / d : 0;
    for (let l = 0; l < d; l++) {
      const f = efron ? l / d : 0;
      const den = s0 - f * d0;
      const dh = meanwt / den;
      h += dh;
      hD += (1 - f) * dh;
      for (let j = 0; j < p; j++) {
        const mean = (s1[j]! - f * d1[j]!) / den;
        hx[g * p + j]! += dh * mean;
        hxD[g * p + j]! += (1 - f) * dh * mean;
        mbar[g * p + j]! += mean / d;
      }
    }
    hz.push(h);
    hzD.push(hD);
    a = b;
  }
  // Pass 2: from the earliest time of each stratum, with the hazard accumulated before each group.
  const resid = new Float64Array(n * p);
  const cumX = new Float64Array(p);
  let cumH = 0;
  const nGroups = gStart.length;
  for (let g = nGroups - 1; g >= 0; g--) {
    if (g === nGroups - 1 || gStratum[g] !== gStratum[g + 1]) {
      cumH = 0;
      cumX.fill(0);
    }
    const a = gStart[g]!;
    const b = g + 1 < nGroups ? gStart[g + 1]! : n;
    for (let r = a; r < b; r++) {
      const w = risk[r]!;
      const dead = ev[r] === 1;
      const H = cumH + (dead ? hzD[g]! : hz[g]!);
      for (let j = 0; j < p; j++) {
        const xj = x[j]![r]!;
        const HX = cumX[j]! + (dead ? hxD[g * p + j]! : hx[g * p + j]!);
        let u = -w * (xj * H - HX);
        if (dead) u += xj - mbar[g * p + j]!;
        // Weighted score residuals (R dfbeta with weighted = TRUE): times the row's weight.
        resid[r * p + j] = wt[r]! * u;
      }
    }
    cumH += hz[g]!;
    for (let j = 0; j < p; j++) cumX[j]! += hx[g * p + j]!;
  }
  return resid;
}

/** B = sum over clusters of (cluster total of the score residuals)(same)'. */
function clusterMeat(
  lay: Layout,
  beta: readonly number[],
  ties: CoxTies,
  cluster: ArrayLike<number>,
): { B: number[][]; clusters: number } {
  const resid = scoreResiduals(lay, beta, ties);
  const n = lay.t.length;
  const p = lay.x.length;
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, cluster[i]! + 1);
  const totals = new Float64Array(k * p);
  const seen = new Uint8Array(k);
  for (let r = 0; r < n; r++) {
    const c = cluster[lay.row[r]!]!;
    seen[c] = 1;
    for (let j = 0; j < p; j++) totals[c * p + j]! += resid[r * p + j]!;
  }
  const B: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let clusters = 0;
  for (let c = 0; c < k; c++) {
    if (!seen[c]) continue;
    clusters++;
    for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) B[j]![l]! += totals[c * p + j]! * totals[c * p + l]!;
  }
  return { B, clusters };
}
