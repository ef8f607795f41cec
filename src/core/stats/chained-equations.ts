/**
 * Multiple imputation by chained equations (fully conditional specification; van Buuren &
 * Groothuis-Oudshoorn 2011, the method of R `mice`): each incomplete variable is imputed in turn
 * from a model on all the other variables (and fully observed predictors such as the arm), for
 * `maxit` sweeps, independently m times.
 *
 * - A 0/1 variable: Bayesian logistic imputation as `mice.impute.logreg`: fit the logistic
 *   regression on the observed rows, draw beta* ~ N(beta_hat, V_hat), and draw each missing value
 *   as Bernoulli(expit(x beta*)).
 * - A numeric variable: predictive mean matching as `mice.impute.pmm` (type-1 matching): draw
 *   sigma*^2 = RSS / chisq(n_obs - p) and beta* = beta_hat + sigma* chol((X'X)^-1)' z, predict the
 *   observed rows with beta_hat and the missing rows with beta*, and take the observed value of one
 *   of the `donors` (5) nearest observed predictions, chosen at random.
 * Ties among the observed predictions are broken at random. Starting values are random draws from
 * each variable's observed values, as mice.
 *
 * Pure: all randomness comes from the Rng passed in (one fork per imputation).
 */
import { normal, gamma, type Rng } from '../random.js';
import { cholesky, choleskyInverse, choleskySolve, fitGlm, linearPredictor } from './irls.js';

export type ImputeKind = 'binary' | 'numeric';

export interface ImputeVariable {
  name: string;
  /** Values per row; NaN = missing (imputed). */
  values: Float64Array;
  kind: ImputeKind;
}

export interface ChainedOptions {
  /** Sweeps of the chain (mice default 5). */
  maxit?: number;
  /** PMM donor pool size (mice default 5). */
  donors?: number;
}

export interface CompletedSet {
  /** Completed copy of each variable, in input order. */
  values: Float64Array[];
  /**
   * For each binary variable with missing values: the rows imputed, the probabilities of the last
   * sweep's draw and the uniforms used (value = u < p), so that a delta adjustment of the
   * probability can be re-drawn with the same random numbers. Null for other variables.
   */
  draws: Array<{ rows: Int32Array; prob: Float64Array; uniform: Float64Array } | null>;
}

/**
 * Imputes every missing value m times.
 * @param fixed fully observed predictors (each length n), e.g. the 0/1 arm.
 * @throws RangeError when a variable has no observed value, or too few to fit its model.
 * @throws SingularDesignError when an imputation model is collinear.
 */
export function imputeChained(
  variables: readonly ImputeVariable[],
  fixed: readonly ArrayLike<number>[],
  m: number,
  rng: Rng,
  options: ChainedOptions = {},
): CompletedSet[] {
  const maxit = options.maxit ?? 5;
  const donors = options.donors ?? 5;
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`imputations must be a positive integer, got ${m}`);
  const n = variables[0]?.values.length ?? 0;
  const nv = variables.length;
  const missing = variables.map((v) => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (Number.isNaN(v.values[i]!)) rows.push(i);
    if (rows.length === n) throw new RangeError(`${v.name}: every value is missing, so it cannot be imputed`);
    return Int32Array.from(rows);
  });
  const incomplete = variables.map((_, j) => j).filter((j) => missing[j]!.length > 0);
  const p = 1 + fixed.length + nv - 1;
  const sets: CompletedSet[] = [];
  for (let s = 0; s < m; s++) {
    const r = rng.fork();
    const cur = variables.map((v) => Float64Array.from(v.values));
    const draws: CompletedSet['draws'] = variables.map(() => null);
    // Starting values: random observed values.
    for (const j of incomplete) {
      const obs = observedRows(missing[j]!, n);
      for (const i of missing[j]!) cur[j]![i] = variables[j]!.values[obs[r.int(obs.length)]!]!;
    }
    if (incomplete.length > 0) {
      for (let it = 0; it < maxit; it++) {
        for (const j of incomplete) {
          const X = design(n, p, fixed, cur, j);
          const mis = missing[j]!;
          const obs = observedRows(mis, n);
          if (obs.length <= p)
            throw new RangeError(
              `${variables[j]!.name}: ${obs.length} observed value(s) are too few to impute from ${p} predictors`,
            );
          if (variables[j]!.kind === 'binary') draws[j] = imputeLogistic(X, n, p, cur[j]!, obs, mis, r);
          else imputePmm(X, n, p, cur[j]!, obs, mis, donors, r);
        }
      }
    }
    sets.push({ values: cur, draws });
  }
  return sets;
}

function observedRows(mis: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n - mis.length);
  for (let i = 0, k = 0, t = 0; i < n; i++) {
    if (t < mis.length && mis[t] === i) t++;
    else out[k++] = i;
  }
  return out;
}

/** Column-major [1, fixed..., every variable but j]. */
function design(
  n: number,
  p: number,
  fixed: readonly ArrayLike<number>[],
  cur: Float64Array[],
  j: number,
): Float64Array {
  const X = new Float64Array(n * p);
  X.fill(1, 0, n);
  let c = 1;
  for (const f of fixed) {
    for (let i = 0; i < n; i++) X[c * n + i] = f[i]!;
    c++;
  }
  for (let k = 0; k < cur.length; k++) {
    if (k === j) continue;
    X.set(cur[k]!, c * n);
    c++;
  }
  return X;
}

function rowsOf(X: Float64Array, n: number, p: number, rows: Int32Array): Float64Array {
  const k = rows.length;
  const out = new Float64Array(k * p);
  for (let c = 0; c < p; c++) for (let r = 0; r < k; r++) out[c * k + r] = X[c * n + rows[r]!]!;
  return out;
}

/** beta + chol(V)' z: a draw from N(beta, V) (V p x p row-major). */
function drawNormal(beta: ArrayLike<number>, V: Float64Array, p: number, scale: number, rng: Rng): Float64Array {
  const L = new Float64Array(p * p);
  cholesky(V, p, L);
  const z = new Float64Array(p);
  for (let k = 0; k < p; k++) z[k] = normal(rng);
  const out = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let k = 0; k <= a; k++) s += L[a * p + k]! * z[k]!;
    out[a] = beta[a]! + scale * s;
  }
  return out;
}

function imputeLogistic(
  X: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  obs: Int32Array,
  mis: Int32Array,
  rng: Rng,
) {
  const Xo = rowsOf(X, n, p, obs);
  const yo = new Float64Array(obs.length);
  for (let r = 0; r < obs.length; r++) yo[r] = y[obs[r]!]!;
  const fit = fitGlm('binomial', Xo, obs.length, p, yo);
  const beta = drawNormal(fit.coef, fit.covUnscaled, p, 1, rng);
  const Xm = rowsOf(X, n, p, mis);
  const eta = new Float64Array(mis.length);
  linearPredictor(Xm, mis.length, p, beta, eta);
  const prob = new Float64Array(mis.length);
  const uniform = new Float64Array(mis.length);
  for (let r = 0; r < mis.length; r++) {
    prob[r] = 1 / (1 + Math.exp(-eta[r]!));
    uniform[r] = rng.next();
    y[mis[r]!] = uniform[r]! < prob[r]! ? 1 : 0;
  }
  return { rows: mis, prob, uniform };
}

function imputePmm(
  X: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  obs: Int32Array,
  mis: Int32Array,
  donors: number,
  rng: Rng,
): void {
  const no = obs.length;
  const Xo = rowsOf(X, n, p, obs);
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let r = 0; r < no; r++) s += Xo[a * no + r]! * y[obs[r]!]!;
    xty[a] = s;
    for (let b = 0; b <= a; b++) {
      let t = 0;
      for (let r = 0; r < no; r++) t += Xo[a * no + r]! * Xo[b * no + r]!;
      xtx[a * p + b] = t;
      xtx[b * p + a] = t;
    }
  }
  const L = new Float64Array(p * p);
  cholesky(xtx, p, L);
  const beta = new Float64Array(p);
  choleskySolve(L, p, xty, beta);
  const fitted = new Float64Array(no);
  linearPredictor(Xo, no, p, beta, fitted);
  let rss = 0;
  for (let r = 0; r < no; r++) rss += (y[obs[r]!]! - fitted[r]!) ** 2;
  const chisq = 2 * gamma(rng, (no - p) / 2);
  const sigma = Math.sqrt(rss / chisq);
  const betaStar = drawNormal(beta, choleskyInverse(L, p), p, sigma, rng);
  const Xm = rowsOf(X, n, p, mis);
  const pred = new Float64Array(mis.length);
  linearPredictor(Xm, mis.length, p, betaStar, pred);
  // Observed rows sorted by their prediction, ties in random order (as mice's matcher breaks ties
  // at random: with discrete predictors many observed rows share a prediction, and a fixed order
  // would always hand the same few donors); the donors are the nearest `donors` by |difference|.
  const tie = new Float64Array(no);
  for (let r = 0; r < no; r++) tie[r] = rng.next();
  const order = Array.from({ length: no }, (_, r) => r).sort((a, b) => fitted[a]! - fitted[b]! || tie[a]! - tie[b]!);
  const sorted = Float64Array.from(order, (r) => fitted[r]!);
  const d = Math.min(donors, no);
  for (let r = 0; r < mis.length; r++) {
    const target = pred[r]!;
    let lo = lowerBound(sorted, target);
    let hi = lo; // candidates are [lo - 1 downwards] and [hi upwards]
    lo -= 1;
    const pool: number[] = [];
    while (pool.length < d) {
      const dl = lo >= 0 ? target - sorted[lo]! : Infinity;
      const dh = hi < no ? sorted[hi]! - target : Infinity;
      if (dl <= dh) pool.push(order[lo--]!);
      else pool.push(order[hi++]!);
    }
    y[mis[r]!] = y[obs[pool[rng.int(d)]!]!]!;
  }
}

function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
