/**
 * Ordinary least squares y ~ 1 + x1 + ... as R `lm`, by the normal equations on centred columns
 * (Cholesky of X'X), with the classical variance s^2 (X'X)^-1 and t inference on n - p df.
 */
import { DataError } from '../errors.js';
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.js';
import { pt } from './distributions.js';

export interface OlsCovariate {
  name: string;
  values: ArrayLike<number>;
}

export interface OlsCoefficient {
  name: string;
  estimate: number;
  stdError: number;
  /** t value */
  statistic: number;
  /** two-sided p from t on dfResidual */
  pValue: number;
}

export interface OlsFit {
  n: number;
  /** '(Intercept)' first, then the covariates in order, as `coef(summary(lm(...)))`. */
  coefficients: OlsCoefficient[];
  /** `vcov(fit)` */
  variance: number[][];
  /** Residual variance `sigma(fit)^2`. */
  sigma2: number;
  dfResidual: number;
}

/**
 * Fits OLS with an intercept.
 * @param source file name for error messages (default "data")
 * @throws DataError when n <= p, a covariate is constant or collinear, or the residual variance is
 *   0 (perfect fit); RangeError on non-finite values or length mismatch (a caller bug)
 * @example fitOls([1, 3, 2, 5], [{ name: 'x', values: [0, 1, 0, 1] }]).coefficients[1].estimate // => 2.5
 */
export function fitOls(y: ArrayLike<number>, covariates: readonly OlsCovariate[], source = 'data'): OlsFit {
  const n = y.length;
  const p = covariates.length + 1;
  const fail = (reason: string, column: string | null = null): never => {
    throw new DataError({ file: source, line: null, column, value: null, reason });
  };
  for (const c of covariates) {
    if (c.values.length !== n)
      throw new RangeError(`fitOls: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  }
  if (n <= p) fail(`${n} rows are too few for ${p} regression coefficients`);
  const cols: ArrayLike<number>[] = [...covariates.map((c) => c.values), y];
  const means = cols.map((col, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (!Number.isFinite(v))
        throw new RangeError(`fitOls: ${k < p - 1 ? covariates[k]!.name : 'y'}[${i}] = ${v} is not finite`);
      s += v;
    }
    return s / n;
  });
  // Centred cross-products of [x..., y]: the intercept drops out of the slopes.
  const m = cols.length;
  const cross: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const dev = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) dev[k] = cols[k]![i]! - means[k]!;
    for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) cross[a]![b]! += dev[a]! * dev[b]!;
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) cross[b]![a] = cross[a]![b]!;
  const q = p - 1;
  let slopes: number[] = [];
  let inv: number[][] = [];
  if (q > 0) {
    const a = cross.slice(0, q).map((row) => row.slice(0, q));
    const chol = cholesky(a);
    if (!chol.ok) {
      for (let k = 1; k <= q; k++) {
        const sub = a.slice(0, k).map((row) => row.slice(0, k));
        if (!cholesky(sub).ok)
          fail(
            `covariate ${covariates[k - 1]!.name} is constant or collinear with the others`,
            covariates[k - 1]!.name,
          );
      }
    }
    slopes = choleskySolve(
      chol.lower,
      cross.slice(0, q).map((row) => row[q]!),
    );
    inv = choleskyInverse(chol.lower);
  }
  const intercept = means[q]! - slopes.reduce((s, b, k) => s + b * means[k]!, 0);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let fitted = intercept;
    for (let k = 0; k < q; k++) fitted += slopes[k]! * cols[k]![i]!;
    const r = y[i]! - fitted;
    rss += r * r;
  }
  const df = n - p;
  const sigma2 = rss / df;
  if (!(sigma2 > 0)) fail('the outcome fits the regression exactly: zero residual variance');
  // Var(slopes) = s2 (Xc'Xc)^-1; Var(intercept) = s2/n + xbar' V xbar; Cov(intercept, slopes) = -V xbar.
  const variance: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) variance[a + 1]![b + 1] = sigma2 * inv[a]![b]!;
  let v00 = sigma2 / n;
  for (let a = 0; a < q; a++) {
    let cov = 0;
    for (let b = 0; b < q; b++) cov -= variance[a + 1]![b + 1]! * means[b]!;
    variance[0]![a + 1] = cov;
    variance[a + 1]![0] = cov;
    v00 -= cov * means[a]!;
  }
  variance[0]![0] = v00;
  const estimates = [intercept, ...slopes];
  const names = ['(Intercept)', ...covariates.map((c) => c.name)];
  return {
    n,
    coefficients: names.map((name, k) => {
      const se = Math.sqrt(variance[k]![k]!);
      const t = estimates[k]! / se;
      return { name, estimate: estimates[k]!, stdError: se, statistic: t, pValue: 2 * pt(-Math.abs(t), df) };
    }),
    variance,
    sigma2,
    dfResidual: df,
  };
}
