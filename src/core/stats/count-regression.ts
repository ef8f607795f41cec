/**
 * Log-link regression for counts with an optional offset (log time at risk): Poisson (R
 * `glm(y ~ ... + offset(log(t)), family = poisson)`) and negative binomial with the shape theta
 * estimated by maximum likelihood (R `MASS::glm.nb`).
 *
 * Negative binomial (NB2): Var(y) = mu + mu^2 / theta. For fixed theta the coefficients come from
 * IRLS with working weights mu / (1 + mu / theta) (log link; the expected information); theta then
 * maximises the likelihood given the fitted means by Newton's method on its score (as
 * `MASS::theta.ml`), and the two steps alternate until neither moves (as `glm.nb`). The model-based
 * covariance is (X'WX)^-1 at the final theta, which is what `vcov(glm.nb(...))` reports (theta is
 * treated as known there, as in R).
 */
import { cholesky, choleskyInverse, choleskySolve, crossprod, type GlmFit } from './irls.js';
import { lgamma } from './distributions.js';

export interface CountFitOptions {
  /** Added to the linear predictor with coefficient 1 (R `offset(log(t))`), length n. */
  offset?: ArrayLike<number>;
  /** Prior weights, length n, >= 0. */
  weights?: ArrayLike<number>;
  maxIter?: number;
}

export interface NegBinFit extends GlmFit {
  /** The ML shape theta (R `glm.nb(...)$theta`). */
  theta: number;
  /** Model-based SE of theta from the observed information (R `$SE.theta`). */
  thetaSe: number;
  /** Log-likelihood at the estimates (R `logLik(glm.nb(...))`). */
  logLik: number;
}

const DBL_EPS = 2.220446049250313e-16;

/**
 * Fits a log-link GLM with variance mu + mu^2/theta (theta = Infinity: Poisson) by IRLS.
 * X is column-major (`X[j * n + i]`). The returned fit's `covUnscaled` is (X'WX)^-1.
 * @throws SingularDesignError for collinear columns; RangeError for a negative or non-finite y.
 */
export function fitLogLinear(
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  theta: number,
  options: CountFitOptions = {},
  start?: Float64Array,
): GlmFit {
  if (X.length !== n * p) throw new RangeError(`X has ${X.length} cells, expected n*p = ${n * p}`);
  if (y.length !== n) throw new RangeError(`y has length ${y.length}, expected ${n}`);
  const off = options.offset;
  const pw = options.weights;
  const maxIter = options.maxIter ?? 100;
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const coef = new Float64Array(p);
  const xtwx = new Float64Array(p * p);
  const xtwz = new Float64Array(p);
  const L = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    if (!(yi >= 0) || !Number.isFinite(yi))
      throw new RangeError(`count response must be finite and >= 0, got ${yi} at row ${i}`);
    if (off && !Number.isFinite(off[i]!)) throw new RangeError(`offset must be finite, got ${off[i]} at row ${i}`);
  }
  if (start) {
    coef.set(start);
    predictor(X, n, p, coef, off, eta);
    for (let i = 0; i < n; i++) mu[i] = Math.max(Math.exp(eta[i]!), DBL_EPS);
  } else {
    // R's poisson()$initialize: mu = y + 0.1 (the offset enters from the first step on).
    for (let i = 0; i < n; i++) {
      mu[i] = y[i]! + 0.1;
      eta[i] = Math.log(mu[i]!);
    }
  }
  let devOld = nbDeviance(y, mu, theta, pw);
  let dev = devOld;
  let converged = false;
  let iter: number;
  for (iter = 1; iter <= maxIter; iter++) {
    for (let i = 0; i < n; i++) {
      const m = mu[i]!;
      w[i] = (pw ? pw[i]! : 1) * (m / (1 + m / theta));
      z[i] = eta[i]! - (off ? off[i]! : 0) + (y[i]! - m) / m;
    }
    crossprod(X, n, p, w, z, xtwx, xtwz);
    cholesky(xtwx, p, L);
    choleskySolve(L, p, xtwz, coef);
    predictor(X, n, p, coef, off, eta);
    for (let i = 0; i < n; i++) mu[i] = Math.max(Math.exp(eta[i]!), DBL_EPS);
    dev = nbDeviance(y, mu, theta, pw);
    if (!Number.isFinite(dev)) throw new RangeError('IRLS diverged: non-finite deviance');
    if (Math.abs(dev - devOld) / (Math.abs(dev) + 0.1) < 1e-12) {
      converged = true;
      break;
    }
    devOld = dev;
  }
  for (let i = 0; i < n; i++) {
    const m = mu[i]!;
    w[i] = (pw ? pw[i]! : 1) * (m / (1 + m / theta));
    z[i] = 0;
  }
  crossprod(X, n, p, w, z, xtwx, xtwz);
  cholesky(xtwx, p, L);
  const covUnscaled = choleskyInverse(L, p);
  let boundary = false;
  for (let i = 0; i < n; i++) if (!(pw && pw[i] === 0) && mu[i]! < 1e-10) boundary = true;
  return {
    family: 'poisson',
    n,
    p,
    coef,
    covUnscaled,
    mu,
    deviance: dev,
    iterations: Math.min(iter, maxIter),
    converged,
    boundary,
  };
}

/** Poisson log-linear regression with an optional offset (theta = Infinity). */
export function fitPoissonOffset(
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  options: CountFitOptions = {},
): GlmFit {
  return fitLogLinear(X, n, p, y, Infinity, options);
}

/**
 * Negative binomial regression, theta by maximum likelihood, as R `MASS::glm.nb`.
 * @throws RangeError when theta cannot be estimated (no over-dispersion: theta runs to infinity),
 *   SingularDesignError for collinear columns.
 * @example
 * const X = Float64Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1); // column-major: intercept, arm
 * fitNegBin(X, 10, 2, [0, 1, 3, 5, 2, 8, 0, 4, 10, 1]).theta // => 1.602052 // MASS::glm.nb(y ~ arm)$theta
 */
export function fitNegBin(
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  options: CountFitOptions = {},
): NegBinFit {
  const pw = options.weights;
  let fit = fitLogLinear(X, n, p, y, Infinity, options);
  let theta = thetaMl(y, fit.mu, pw);
  let converged = false;
  for (let outer = 0; outer < 200; outer++) {
    const prev = fit.coef;
    fit = fitLogLinear(X, n, p, y, theta, options, fit.coef);
    const next = thetaMl(y, fit.mu, pw, theta);
    let move = Math.abs(next - theta) / theta;
    for (let j = 0; j < p; j++) move = Math.max(move, Math.abs(fit.coef[j]! - prev[j]!) / (Math.abs(prev[j]!) + 1e-3));
    theta = next;
    if (move < 1e-11) {
      converged = true;
      break;
    }
  }
  fit = fitLogLinear(X, n, p, y, theta, options, fit.coef);
  const info = thetaInfo(y, fit.mu, theta, pw);
  return {
    ...fit,
    converged: converged && fit.converged,
    theta,
    thetaSe: Math.sqrt(1 / info),
    logLik: nbLogLik(y, fit.mu, theta, pw),
  };
}

/**
 * The ML theta given fitted means, by Newton's method on the score from the moment start
 * n / sum((y/mu - 1)^2), as R `MASS::theta.ml` (but iterated to full precision).
 */
export function thetaMl(
  y: ArrayLike<number>,
  mu: ArrayLike<number>,
  weights?: ArrayLike<number>,
  start?: number,
): number {
  const n = y.length;
  let t = start;
  if (t === undefined) {
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i]! : 1;
      const r = y[i]! / mu[i]! - 1;
      s += w * r * r;
      m += w;
    }
    t = m / s;
  }
  for (let it = 0; it < 200; it++) {
    t = Math.abs(t);
    const sc = thetaScore(y, mu, t, weights);
    const inf = thetaInfo(y, mu, t, weights);
    let del = sc / inf;
    // A zero or non-finite information (e.g. all counts zero) gives no usable step: halving an
    // infinite step below would never end.
    if (!Number.isFinite(del)) {
      throw new RangeError(
        sc > 0
          ? 'theta of the negative binomial runs to infinity: no over-dispersion (use the Poisson rate ratio)'
          : 'theta of the negative binomial cannot be estimated from these counts (no usable information about over-dispersion)',
      );
    }
    // Keep theta positive: halve a step that would cross zero.
    while (t + del <= 0) del /= 2;
    t += del;
    if (!Number.isFinite(t) || t > 1e10)
      throw new RangeError(
        'theta of the negative binomial runs to infinity: no over-dispersion (use the Poisson rate ratio)',
      );
    if (Math.abs(del) <= 1e-13 * Math.max(1, t)) return t;
  }
  if (!Number.isFinite(t)) throw new RangeError('theta of the negative binomial did not converge');
  return t;
}

function thetaScore(y: ArrayLike<number>, mu: ArrayLike<number>, th: number, weights?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i]! : 1;
    const yi = y[i]!;
    const m = mu[i]!;
    s += w * (digammaDiff(th, yi) + Math.log(th) + 1 - Math.log(th + m) - (yi + th) / (m + th));
  }
  return s;
}

function thetaInfo(y: ArrayLike<number>, mu: ArrayLike<number>, th: number, weights?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i]! : 1;
    const yi = y[i]!;
    const m = mu[i]!;
    s += w * (trigammaDiff(th, yi) - 1 / th + 2 / (m + th) - (yi + th) / ((m + th) * (m + th)));
  }
  return s;
}

/** digamma(th + y) - digamma(th); for integer y a finite sum (exact), else the series. */
function digammaDiff(th: number, y: number): number {
  if (Number.isInteger(y) && y < 50) {
    let s = 0;
    for (let k = 0; k < y; k++) s += 1 / (th + k);
    return s;
  }
  return digamma(th + y) - digamma(th);
}

/** trigamma(th) - trigamma(th + y). */
function trigammaDiff(th: number, y: number): number {
  if (Number.isInteger(y) && y < 50) {
    let s = 0;
    for (let k = 0; k < y; k++) s += 1 / ((th + k) * (th + k));
    return s;
  }
  return trigamma(th) - trigamma(th + y);
}

/** The digamma function (recurrence up to x >= 10, then the asymptotic series). */
export function digamma(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return (
    r +
    Math.log(x) -
    0.5 / x -
    f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - (f * 691) / 32760)))))
  );
}

/** The trigamma function (recurrence up to x >= 10, then the asymptotic series). */
export function trigamma(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  let r = 0;
  while (x < 10) {
    r += 1 / (x * x);
    x += 1;
  }
  const f = 1 / (x * x);
  return r + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f * (1 / 30 - (f * 5) / 66))));
}

/** Negative binomial (theta = Infinity: Poisson) residual deviance. */
function nbDeviance(y: ArrayLike<number>, mu: ArrayLike<number>, theta: number, pw?: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) {
    const w = pw ? pw[i]! : 1;
    if (w === 0) continue;
    const yi = y[i]!;
    const m = mu[i]!;
    const a = yi > 0 ? yi * Math.log(yi / m) : 0;
    d += Number.isFinite(theta) ? w * (a - (yi + theta) * Math.log((yi + theta) / (m + theta))) : w * (a - (yi - m));
  }
  return 2 * d;
}

/** NB2 log-likelihood (R `MASS:::logLik.negbin`, i.e. the sum of log dnbinom(y, theta, mu = mu)). */
function nbLogLik(y: ArrayLike<number>, mu: ArrayLike<number>, th: number, pw?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const w = pw ? pw[i]! : 1;
    const yi = y[i]!;
    const m = mu[i]!;
    s +=
      w *
      (lgamma(th + yi) -
        lgamma(th) -
        lgamma(yi + 1) +
        th * Math.log(th / (th + m)) +
        (yi > 0 ? yi * Math.log(m / (th + m)) : 0));
  }
  return s;
}

function predictor(
  X: Float64Array,
  n: number,
  p: number,
  b: ArrayLike<number>,
  off: ArrayLike<number> | undefined,
  eta: Float64Array,
): void {
  for (let i = 0; i < n; i++) eta[i] = off ? off[i]! : 0;
  for (let j = 0; j < p; j++) {
    const bj = b[j]!;
    const o = j * n;
    for (let i = 0; i < n; i++) eta[i] += bj * X[o + i]!;
  }
}
