/**
 * Iteratively reweighted least squares for the two canonical-link GLMs pilot-eval needs
 * (binomial/logit and Poisson/log), as R `glm.fit`: same starting values, deviance-based
 * convergence test, Wald covariance (X'WX)^-1 (dispersion 1).
 *
 * Allocation-light by design (it runs thousands of times in power simulations): the design matrix
 * is one column-major Float64Array (`X[j * n + i]` is row i, column j), and a fit allocates a fixed
 * handful of length-n typed arrays, never per iteration.
 */

export type GlmFamily = 'binomial' | 'poisson';

export interface GlmOptions {
  /** Prior weights (R `glm(weights = )`), length n, >= 0. */
  weights?: Float64Array;
  /** Maximum IRLS iterations (R default 25; we allow more and converge tighter). */
  maxIter?: number;
  /** Relative deviance change that stops the iterations (R 1e-8; default 1e-10). */
  epsilon?: number;
}

export interface GlmFit {
  family: GlmFamily;
  n: number;
  p: number;
  coef: Float64Array;
  /** (X'WX)^-1 at the solution, p x p (symmetric; index j * p + k): the model-based vcov. */
  covUnscaled: Float64Array;
  /** Fitted means. */
  mu: Float64Array;
  deviance: number;
  iterations: number;
  converged: boolean;
  /**
   * Fitted values numerically on the boundary (binomial: a probability within 1e-10 of 0 or 1;
   * Poisson: a mean below 1e-10), the sign of (quasi-)separation: estimates are then not finite
   * in truth and their Wald SEs meaningless.
   */
  boundary: boolean;
}

/** The design matrix is rank-deficient (a constant or collinear column). `column` is 0-based. */
export class SingularDesignError extends Error {
  readonly column: number;
  constructor(column: number) {
    super(`design matrix is singular at column ${column}`);
    this.name = 'SingularDesignError';
    this.column = column;
  }
}

const DBL_EPS = 2.220446049250313e-16;
const BOUNDARY = 1e-10;

/**
 * Fits a GLM by IRLS.
 * @throws SingularDesignError when X'WX is not positive definite (collinear columns).
 * @throws RangeError on invalid responses (binomial y outside [0, 1], Poisson y < 0).
 */
export function fitGlm(
  family: GlmFamily,
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  options: GlmOptions = {},
): GlmFit {
  if (X.length !== n * p) throw new RangeError(`X has ${X.length} cells, expected n*p = ${n * p}`);
  if (y.length !== n) throw new RangeError(`y has length ${y.length}, expected ${n}`);
  const pw = options.weights;
  const maxIter = options.maxIter ?? 50;
  const epsilon = options.epsilon ?? 1e-10;
  const binomial = family === 'binomial';

  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const coef = new Float64Array(p);
  const xtwx = new Float64Array(p * p);
  const xtwz = new Float64Array(p);
  const chol = new Float64Array(p * p);

  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    const wi = pw ? pw[i]! : 1;
    if (binomial) {
      if (!(yi >= 0 && yi <= 1)) throw new RangeError(`binomial response must be in [0, 1], got ${yi} at row ${i}`);
      const m = (wi * yi + 0.5) / (wi + 1);
      mu[i] = m;
      eta[i] = Math.log(m / (1 - m));
    } else {
      if (!(yi >= 0)) throw new RangeError(`Poisson response must be >= 0, got ${yi} at row ${i}`);
      mu[i] = yi + 0.1;
      eta[i] = Math.log(yi + 0.1);
    }
  }
  let devOld = deviance(family, y, mu, pw);
  let dev = devOld;
  let converged = false;
  let iter: number;
  for (iter = 1; iter <= maxIter; iter++) {
    // Working weights and responses. Both links are canonical: w = V(mu), z = eta + (y - mu)/V(mu).
    for (let i = 0; i < n; i++) {
      const m = mu[i]!;
      const v = binomial ? m * (1 - m) : m;
      const wi = pw ? pw[i]! : 1;
      w[i] = wi * v;
      z[i] = eta[i]! + (y[i]! - m) / v;
    }
    crossprod(X, n, p, w, z, xtwx, xtwz);
    cholesky(xtwx, p, chol);
    choleskySolve(chol, p, xtwz, coef);
    linearPredictor(X, n, p, coef, eta);
    for (let i = 0; i < n; i++) mu[i] = linkinv(family, eta[i]!);
    dev = deviance(family, y, mu, pw);
    if (!Number.isFinite(dev)) throw new RangeError('IRLS diverged: non-finite deviance');
    if (Math.abs(dev - devOld) / (Math.abs(dev) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devOld = dev;
  }
  // Covariance at the final estimates (R uses the weights of the last iteration; at convergence
  // the difference is below the convergence tolerance).
  for (let i = 0; i < n; i++) {
    const m = mu[i]!;
    w[i] = (pw ? pw[i]! : 1) * (binomial ? m * (1 - m) : m);
    z[i] = 0;
  }
  crossprod(X, n, p, w, z, xtwx, xtwz);
  cholesky(xtwx, p, chol);
  const covUnscaled = choleskyInverse(chol, p);
  let boundary = false;
  for (let i = 0; i < n; i++) {
    if (pw && pw[i] === 0) continue;
    const m = mu[i]!;
    if (binomial ? m < BOUNDARY || m > 1 - BOUNDARY : m < BOUNDARY) {
      boundary = true;
      break;
    }
  }
  return {
    family,
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

function linkinv(family: GlmFamily, e: number): number {
  if (family === 'binomial') {
    // As R's C_logit_linkinv: clamp so that mu stays strictly inside (0, 1).
    const t = e < -30 ? DBL_EPS : e > 30 ? 1 / DBL_EPS : Math.exp(e);
    return t / (1 + t);
  }
  return Math.max(Math.exp(e), DBL_EPS);
}

/** Residual deviance (R `binomial()$dev.resids` / `poisson()$dev.resids`, summed). */
export function deviance(
  family: GlmFamily,
  y: ArrayLike<number>,
  mu: ArrayLike<number>,
  pw?: ArrayLike<number>,
): number {
  let d = 0;
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    const m = mu[i]!;
    const wi = pw ? pw[i]! : 1;
    if (wi === 0) continue;
    if (family === 'binomial') d += wi * (ylogy(yi, m) + ylogy(1 - yi, 1 - m));
    else d += wi * (ylogy(yi, m) - (yi - m));
  }
  return 2 * d;
}

function ylogy(y: number, m: number): number {
  return y > 0 ? y * Math.log(y / m) : 0;
}

/** eta = X b. */
export function linearPredictor(X: Float64Array, n: number, p: number, b: ArrayLike<number>, eta: Float64Array): void {
  eta.fill(0);
  for (let j = 0; j < p; j++) {
    const bj = b[j]!;
    if (bj === 0) continue;
    const off = j * n;
    for (let i = 0; i < n; i++) eta[i] += bj * X[off + i]!;
  }
}

/** X'WX (full symmetric) and X'Wz, looping over contiguous columns. */
export function crossprod(
  X: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  z: Float64Array,
  xtwx: Float64Array,
  xtwz: Float64Array,
): void {
  for (let j = 0; j < p; j++) {
    const oj = j * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * X[oj + i]! * z[i]!;
    xtwz[j] = s;
    for (let k = 0; k <= j; k++) {
      const ok = k * n;
      let t = 0;
      for (let i = 0; i < n; i++) t += w[i]! * X[oj + i]! * X[ok + i]!;
      xtwx[j * p + k] = t;
      xtwx[k * p + j] = t;
    }
  }
}

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive definite A.
 * A pivot below 1e-10 of its diagonal means the column is (numerically) a combination of earlier
 * ones: R's glm would alias it (NA coefficient); we refuse instead.
 */
export function cholesky(A: Float64Array, p: number, L: Float64Array): void {
  L.fill(0);
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= L[j * p + k]! * L[j * p + k]!;
    if (!(d > 1e-10 * Math.abs(A[j * p + j]!)) || !(d > 0)) throw new SingularDesignError(j);
    const ljj = Math.sqrt(d);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      L[i * p + j] = s / ljj;
    }
  }
}

/** Solves L L' x = b. */
export function choleskySolve(L: Float64Array, p: number, b: ArrayLike<number>, x: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * p + k]! * x[k]!;
    x[i] = s / L[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * x[k]!;
    x[i] = s / L[i * p + i]!;
  }
}

/** (L L')^-1 as a full symmetric p x p matrix. */
export function choleskyInverse(L: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  const col = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    choleskySolve(L, p, e, col);
    for (let i = 0; i < p; i++) inv[i * p + j] = col[i]!;
  }
  return inv;
}

/** B M B for symmetric p x p B and M (the sandwich). */
export function sandwichProduct(B: Float64Array, M: Float64Array, p: number): Float64Array {
  const BM = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += B[i * p + j]! * M[j * p + k]!;
      BM[i * p + k] = s;
    }
  }
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += BM[i * p + j]! * B[j * p + k]!;
      V[i * p + k] = s;
    }
  }
  return V;
}
