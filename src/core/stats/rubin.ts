/**
 * Rubin's rules for pooling one scalar estimate over m multiply imputed data sets, with the
 * Barnard & Rubin (1999) small-sample degrees of freedom, as R `mice::pool.scalar(Q, U, n, k)`
 * (rule "rubin1987") and `mice::pool()` for a model coefficient.
 *
 * qbar = mean(Q); ubar = mean(U); b = var(Q) (denominator m - 1); t = ubar + (1 + 1/m) b;
 * lambda = (1 + 1/m) b / t (floored at 1e-4, as mice); dfold = (m - 1)/lambda^2;
 * dfobs = (dfcom + 1)/(dfcom + 3) dfcom (1 - lambda); df = dfold dfobs/(dfold + dfobs)
 * (dfold alone when dfcom is infinite). The interval is qbar +/- qt(1 - alpha/2, df) sqrt(t).
 */
import { pt, qt } from './distributions.js';

export interface PooledEstimate {
  m: number;
  /** Pooled estimate (mean of the m estimates). */
  qbar: number;
  /** Mean within-imputation variance. */
  ubar: number;
  /** Between-imputation variance. */
  b: number;
  /** Total variance. */
  t: number;
  /** Barnard-Rubin degrees of freedom. */
  df: number;
  /** Relative increase in variance due to nonresponse, (1 + 1/m) b / ubar. */
  riv: number;
  /** Fraction of missing information, (riv + 2/(df + 3))/(riv + 1). */
  fmi: number;
  std_error: number;
  conf_low: number;
  conf_high: number;
  /** t = qbar / sqrt(t) against the null value 0 (pass log estimates for ratios). */
  statistic: number;
  p_value: number;
}

/** Barnard-Rubin degrees of freedom (R `mice:::barnard.rubin`). */
export function barnardRubinDf(m: number, b: number, t: number, dfcom: number): number {
  let lambda = ((1 + 1 / m) * b) / t;
  if (!(lambda >= 1e-4)) lambda = 1e-4;
  const dfold = (m - 1) / (lambda * lambda);
  if (!Number.isFinite(dfcom)) return dfold;
  const dfobs = ((dfcom + 1) / (dfcom + 3)) * dfcom * (1 - lambda);
  return (dfold * dfobs) / (dfold + dfobs);
}

/**
 * Pools estimates `q` with within-imputation variances `u` (squared standard errors).
 * @param dfcom complete-data degrees of freedom (n - k; Infinity for large-sample z inference).
 * @throws RangeError with fewer than 2 imputations or mismatched lengths.
 * @example poolScalar([0.1, 0.12], [0.001, 0.0011], 198).qbar // => 0.11 // mice::pool.scalar(c(.1, .12), c(.001, .0011), n = 200, k = 2)$qbar
 */
export function poolScalar(q: readonly number[], u: readonly number[], dfcom: number, alpha = 0.05): PooledEstimate {
  const m = q.length;
  if (m < 2) throw new RangeError(`Rubin's rules need at least 2 imputations, got ${m}`);
  if (u.length !== m) throw new RangeError('estimates and variances differ in length');
  let qbar = 0;
  let ubar = 0;
  for (let i = 0; i < m; i++) {
    qbar += q[i]!;
    ubar += u[i]!;
  }
  qbar /= m;
  ubar /= m;
  let b = 0;
  for (let i = 0; i < m; i++) b += (q[i]! - qbar) ** 2;
  b /= m - 1;
  const t = ubar + (1 + 1 / m) * b;
  const df = barnardRubinDf(m, b, t, dfcom);
  const riv = ((1 + 1 / m) * b) / ubar;
  const fmi = (riv + 2 / (df + 3)) / (riv + 1);
  const se = Math.sqrt(t);
  const crit = qt(1 - alpha / 2, df);
  const stat = qbar / se;
  return {
    m,
    qbar,
    ubar,
    b,
    t,
    df,
    riv,
    fmi,
    std_error: se,
    conf_low: qbar - crit * se,
    conf_high: qbar + crit * se,
    statistic: stat,
    p_value: 2 * pt(-Math.abs(stat), df),
  };
}
