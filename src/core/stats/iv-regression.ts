/**
 * Two-stage least squares with one endogenous regressor and one instrument, and the robust
 * (sandwich) inference of R's `estimatr::iv_robust(y ~ d + x1 + ... | z + x1 + ..., se_type = ...)`:
 *
 *   first stage   d = g0 + g_z z + g_1 x1 + ... + v          (OLS; d_hat its fitted values)
 *   second stage  y = b0 + b_d d_hat + b_1 x1 + ... + e      (OLS; b_d the 2SLS estimate)
 *
 * With a single binary instrument and no covariates b_d is the Wald estimator
 * (mean y_1 - mean y_0) / (mean d_1 - mean d_0) (Angrist, Imbens & Rubin 1996).
 *
 * The covariance is the sandwich of the second-stage design X_hat = [1, d_hat, x] with the
 * structural residuals e_iv = y - [1, d, x] b (not the second-stage OLS residuals), as estimatr:
 * bread (X_hat' X_hat)^-1, HC2 leverages and CR2 adjustment matrices from X_hat, and, for CR2, the
 * Satterthwaite degrees of freedom of the working model on X_hat. Because X_hat' e_iv = 0 (X_hat is
 * the projection of [1, d, x] on the instruments), the OLS fit of y* = X_hat b + e_iv on X_hat
 * returns b and the residuals e_iv exactly; so the robust fit of y* = y - b_d (d - d_hat) on X_hat
 * (src/core/stats/robust-lm.ts) gives iv_robust's standard error, t, df and p.
 */
import { cholesky, choleskySolve } from './cholesky.js';
import { qt } from './distributions.js';
import { fitRobustLm, type RobustSeType } from './robust-lm.js';

export interface IvInput {
  y: ArrayLike<number>;
  /** The endogenous regressor (e.g. received the intervention 0/1, or sessions attended). */
  d: ArrayLike<number>;
  /** The instrument (random allocation, 1 = treatment). */
  z: ArrayLike<number>;
  /** Exogenous covariates, entering both stages. */
  covariates?: ReadonlyArray<{ name: string; values: ArrayLike<number> }>;
  /** 0-based cluster per row (for CR0 / CR2). */
  cluster?: { index: ArrayLike<number>; levels: number } | null;
  seType: RobustSeType;
  /** Two-sided alpha for the t interval (default 0.05). */
  alpha?: number;
}

export interface IvFit {
  n: number;
  n_clusters: number | null;
  /** 2SLS coefficient of d. */
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
  /** First-stage coefficient of z (the covariate-adjusted difference in d between the arms). */
  first_stage: number;
  /** Robust first-stage F of the instrument (the squared robust t of z, same se_type), as estimatr's diagnostic. */
  first_stage_f: number;
  /** Unadjusted mean of d in each arm (z = 1, z = 0). */
  mean_d: { treated: number; control: number };
}

/** Thrown when allocation does not move d (the first stage has no variation to instrument with). */
export class WeakInstrumentError extends Error {}

/**
 * Fits 2SLS with robust inference.
 * @throws WeakInstrumentError when d_hat is (numerically) collinear with the covariates: allocation
 *   does not change d; RangeError for bad input (mismatched lengths, non-finite values, collinear
 *   covariates, too few rows or clusters)
 * @example
 * const fit = fitIv({ y: [1, 0, 1, 1, 0, 0, 1, 0, 0, 0], d: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], z: [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], seType: 'HC2' });
 * [fit.estimate, fit.std_error] // => [0.6666667, 0.5610836] // estimatr::iv_robust(y ~ d | z, se_type = "HC2"); (0.6 - 0.2) / (0.6 - 0)
 */
export function fitIv(input: IvInput): IvFit {
  const { y, d, z, seType } = input;
  const n = y.length;
  const covs = input.covariates ?? [];
  if (d.length !== n || z.length !== n)
    throw new RangeError(`fitIv: y, d and z need the same length (${n}, ${d.length}, ${z.length})`);
  for (const c of covs)
    if (c.values.length !== n)
      throw new RangeError(`fitIv: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  let sd1 = 0;
  let sd0 = 0;
  let n1 = 0;
  for (let i = 0; i < n; i++) {
    if (z[i] === 1) {
      sd1 += d[i]!;
      n1++;
    } else sd0 += d[i]!;
  }
  const mean_d = { treated: sd1 / n1, control: sd0 / (n - n1) };

  const first = olsFitted(d, [z, ...covs.map((c) => c.values)]);
  if (!first) throw new RangeError('fitIv: the instrument is constant or collinear with the covariates');
  // Allocation must move d: a first-stage coefficient that is zero to rounding (relative to the
  // spreads of d and z), or a constant d, leaves nothing to instrument with.
  const spread = (v: ArrayLike<number>) => {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      s += v[i]!;
      s2 += v[i]! * v[i]!;
    }
    return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  };
  const sdD = spread(d);
  if (!(sdD > 0) || !(Math.abs(first.coefficients[0]!) * spread(z) > 1e-10 * sdD)) {
    throw new WeakInstrumentError('allocation does not change the exposure: the first-stage coefficient is zero');
  }
  const dHat = first.fitted;
  // d_hat collinear with the covariates: allocation does not move d at all.
  const second = olsFitted(y, [dHat, ...covs.map((c) => c.values)]);
  if (!second)
    throw new WeakInstrumentError('allocation does not change the exposure: the first-stage coefficient is zero');
  const b = second.coefficients[0]!;
  const yStar = new Float64Array(n);
  for (let i = 0; i < n; i++) yStar[i] = y[i]! - b * (d[i]! - dHat[i]!);
  const fit = fitRobustLm({
    y: yStar,
    covariates: [{ name: 'd', values: dHat }, ...covs],
    cluster: input.cluster ?? null,
    seType,
    dfFor: [0],
  });
  const c = fit.coefficients[0]!;
  const fs = fitRobustLm({
    y: d,
    covariates: [{ name: 'z', values: z }, ...covs],
    cluster: input.cluster ?? null,
    seType,
    dfFor: [],
  }).coefficients[0]!;
  const tq = qt(1 - (input.alpha ?? 0.05) / 2, c.df);
  return {
    n,
    n_clusters: fit.n_clusters,
    estimate: c.estimate,
    std_error: c.std_error,
    statistic: c.statistic,
    df: c.df,
    p_value: c.p_value,
    conf_low: c.estimate - tq * c.std_error,
    conf_high: c.estimate + tq * c.std_error,
    first_stage: first.coefficients[0]!,
    first_stage_f: fs.statistic * fs.statistic,
    mean_d,
  };
}

/**
 * OLS with an intercept by the normal equations on centred columns: the slope coefficients and the
 * fitted values, or null when a column is constant or collinear with the others.
 */
function olsFitted(
  y: ArrayLike<number>,
  cols: ReadonlyArray<ArrayLike<number>>,
): { coefficients: number[]; fitted: Float64Array } | null {
  const n = y.length;
  const q = cols.length;
  const centred = cols.map((col) => centre(col, n));
  const yc = centre(y, n);
  const xtx: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  const xty = new Array<number>(q).fill(0);
  for (let j = 0; j < q; j++) {
    const a = centred[j]!.values;
    for (let k = 0; k <= j; k++) {
      const bcol = centred[k]!.values;
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i]! * bcol[i]!;
      xtx[j]![k] = xtx[k]![j] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * yc.values[i]!;
    xty[j] = s;
  }
  // Scale to unit diagonal so the collinearity tolerance is relative.
  const scale = xtx.map((row, j) => Math.sqrt(row[j]!));
  if (scale.some((s) => !(s > 0))) return null;
  const scaled = xtx.map((row, j) => row.map((v, k) => v / (scale[j]! * scale[k]!)));
  const ch = cholesky(scaled, 1e-10);
  if (!ch.ok) return null;
  const beta = choleskySolve(
    ch.lower,
    xty.map((v, j) => v / scale[j]!),
  ).map((v, j) => v / scale[j]!);
  const fitted = new Float64Array(n).fill(yc.mean);
  for (let j = 0; j < q; j++) {
    const a = centred[j]!.values;
    const bj = beta[j]!;
    for (let i = 0; i < n; i++) fitted[i] += bj * a[i]!;
  }
  return { coefficients: beta, fitted };
}

function centre(col: ArrayLike<number>, n: number): { values: Float64Array; mean: number } {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`fitIv: non-finite value ${v} at row ${i}`);
    s += v;
  }
  const mean = s / n;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = col[i]! - mean;
  return { values, mean };
}
