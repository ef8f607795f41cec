/**
 * Cox proportional hazards regression with Efron's tie correction, as R
 * `survival::coxph(Surv(time, status) ~ x1 + ..., ties = "efron")` (the default): Newton-Raphson on
 * the Efron partial likelihood from beta = 0, step halving when the log-likelihood falls, Wald
 * inference from the inverse information. Sorts once and walks the risk sets with running sums, so
 * each iteration is O(n p^2): a million rows fit in a few seconds.
 */
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.js';
import { pchisq, pnorm, qnorm } from './distributions.js';
import { checkSurvivalData, sortedOrder } from './kaplan-meier.js';

export interface CoxCovariate {
  name: string;
  values: ArrayLike<number>;
}

export interface CoxCoefficient {
  name: string;
  /** log hazard ratio */
  estimate: number;
  stdError: number;
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

export interface CoxFit {
  n: number;
  events: number;
  coefficients: CoxCoefficient[];
  /** Inverse information at the estimate (`vcov(fit)`). */
  variance: number[][];
  /** Partial log-likelihood at beta = 0 and at the estimate (`fit$loglik`). */
  logLikNull: number;
  logLik: number;
  /** Likelihood-ratio test 2 (logLik - logLikNull) on p df (`summary(fit)$logtest`). */
  likelihoodRatio: { statistic: number; df: number; pValue: number };
  /** Score (log-rank for one binary covariate) test at beta = 0 (`summary(fit)$sctest`); null if information singular. */
  score: { statistic: number; df: number; pValue: number } | null;
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

/**
 * Fits the Cox model.
 * @param time follow-up times
 * @param status 1 = event, 0 = censored
 * @param covariates one or more numeric columns (the first is usually the 0/1 arm)
 * @throws RangeError on malformed input (a bug in the caller); CoxDesignError when there are no
 *   events, or the information matrix is singular (constant or collinear covariates)
 * @example coxRegression([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], [{ name: 'arm', values: [0, 1, 0, 1, 0, 1] }])
 *   .coefficients[0].hazardRatio // 0.760371752457079 (R coxph)
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
  for (const c of covariates) {
    if (c.values.length !== n) throw new RangeError(`coxRegression: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  }

  // Sort by time descending (stable on the ascending order reversed) and centre covariates
  // (as R does; estimates are invariant, exp() stays in range).
  const asc = sortedOrder(time);
  const t = new Float64Array(n);
  const ev = new Uint8Array(n);
  const x: Float64Array[] = covariates.map(() => new Float64Array(n));
  let events = 0;
  for (let r = 0; r < n; r++) {
    const i = asc[n - 1 - r]!;
    t[r] = time[i]!;
    ev[r] = status[i]!;
    events += status[i]!;
  }
  if (events === 0) throw new CoxDesignError('no events: the Cox model cannot be fitted');
  covariates.forEach((c, j) => {
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const v = c.values[i]!;
      if (!Number.isFinite(v)) throw new RangeError(`coxRegression: covariate ${c.name}[${i}] = ${v} is not finite`);
      mean += v;
    }
    mean /= n;
    const col = x[j]!;
    for (let r = 0; r < n; r++) col[r] = c.values[asc[n - 1 - r]!]! - mean;
  });

  const evaluate = (beta: readonly number[]): Evaluation => efronEvaluate(t, ev, x, beta);
  let beta = new Array<number>(p).fill(0);
  let current = evaluate(beta);
  const nullEval = current;
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations; ) {
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
    throw new CoxDesignError('the information matrix became singular during fitting: a coefficient is infinite (monotone likelihood)');
  }
  const variance = choleskyInverse(finalChol.lower);
  // R's infinite-coefficient check: the Newton step still left at convergence is not negligible.
  const remaining = choleskySolve(finalChol.lower, current.score);
  const z = qnorm(1 - alpha / 2);
  const coefficients = covariates.map((c, j): CoxCoefficient => {
    const est = beta[j]!;
    const se = Math.sqrt(variance[j]![j]!);
    const stat = est / se;
    const infinite =
      !converged ||
      (Math.abs(remaining[j]!) > 1e-9 && Math.abs(remaining[j]!) > Math.sqrt(1e-9) * Math.abs(est));
    return {
      name: c.name,
      estimate: est,
      stdError: se,
      statistic: stat,
      pValue: 2 * pnorm(-Math.abs(stat)),
      hazardRatio: Math.exp(est),
      confLow: Math.exp(est - z * se),
      confHigh: Math.exp(est + z * se),
      possiblyInfinite: infinite,
    };
  });
  const lr = Math.max(0, 2 * (current.logLik - nullEval.logLik));
  const nullChol = cholesky(nullEval.information);
  let score: CoxFit['score'] = null;
  if (nullChol.ok) {
    const u = choleskySolve(nullChol.lower, nullEval.score);
    const s = u.reduce((acc, v, j) => acc + v * nullEval.score[j]!, 0);
    score = { statistic: s, df: p, pValue: pchisq(s, p, false) };
  }
  return {
    n,
    events,
    coefficients,
    variance,
    logLikNull: nullEval.logLik,
    logLik: current.logLik,
    likelihoodRatio: { statistic: lr, df: p, pValue: pchisq(lr, p, false) },
    score,
    iterations,
    converged,
  };
}

/**
 * Efron partial log-likelihood, score and information at beta. Rows are sorted by time descending,
 * so the risk set at a time is everything seen so far plus all rows tied at that time. With d
 * deaths at a time (sums over them marked D), for l = 0..d-1 and f = l/d:
 * logLik -= log(S0 - f D0), score -= (S1 - f D1)/den, information += (S2 - f D2)/den - m m'.
 */
function efronEvaluate(t: Float64Array, ev: Uint8Array, x: Float64Array[], beta: readonly number[]): Evaluation {
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
  let dirty = false;
  for (let a = 0; a < n; ) {
    const tt = t[a]!;
    let d = 0;
    let d0 = 0;
    if (dirty) {
      d1.fill(0);
      d2.fill(0);
      dirty = false;
    }
    let b = a;
    for (; b < n && t[b] === tt; b++) {
      let eta = 0;
      for (let j = 0; j < p; j++) {
        xi[j] = x[j]![b]!;
        eta += beta[j]! * xi[j]!;
      }
      const r = Math.exp(eta);
      s0 += r;
      for (let j = 0; j < p; j++) {
        s1[j]! += r * xi[j]!;
        for (let k = 0; k <= j; k++) s2[j * p + k]! += r * xi[j]! * xi[k]!;
      }
      if (ev[b] === 1) {
        dirty = true;
        d++;
        d0 += r;
        logLik += eta;
        for (let j = 0; j < p; j++) {
          score[j]! += xi[j]!;
          d1[j]! += r * xi[j]!;
          for (let k = 0; k <= j; k++) d2[j * p + k]! += r * xi[j]! * xi[k]!;
        }
      }
    }
    for (let l = 0; l < d; l++) {
      const f = l / d;
      const den = s0 - f * d0;
      logLik -= Math.log(den);
      for (let j = 0; j < p; j++) {
        m[j] = (s1[j]! - f * d1[j]!) / den;
        score[j]! -= m[j]!;
      }
      for (let j = 0; j < p; j++) {
        for (let k = 0; k <= j; k++) {
          info[j]![k]! += (s2[j * p + k]! - f * d2[j * p + k]!) / den - m[j]! * m[k]!;
        }
      }
    }
    a = b;
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) info[k]![j] = info[j]![k]!;
  return { logLik, score, information: info };
}
