/**
 * Two-sample t-tests on a difference in means (x minus y), as R `t.test(x, y)`: Welch
 * (var.equal = FALSE, Satterthwaite df) or Student (var.equal = TRUE, pooled variance).
 */
import { pt, qt } from './distributions.js';

export interface TTestResult {
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
  mean_x: number;
  mean_y: number;
}

/** Mean and sample variance (n - 1) in one pass (Welford). */
export function meanVar(x: ArrayLike<number>): { n: number; mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean;
    mean += d / (i + 1);
    m2 += d * (x[i]! - mean);
  }
  return { n: x.length, mean, variance: x.length > 1 ? m2 / (x.length - 1) : NaN };
}

/**
 * @param level confidence level (0.95)
 * @throws RangeError when a group has fewer than 2 values or both variances are zero (R: "data
 *   are essentially constant").
 * @example welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]).p_value // => 0.06913359319 // t.test(c(1, 2, 3, 4), c(2, 4, 6, 8, 10))$p.value
 */
export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): TTestResult {
  const a = meanVar(x);
  const b = meanVar(y);
  if (a.n < 2 || b.n < 2) throw new RangeError('t-test needs at least 2 values in each group');
  const vx = a.variance / a.n;
  const vy = b.variance / b.n;
  const se = Math.sqrt(vx + vy);
  if (!(se > 0)) throw new RangeError('t-test: the data are essentially constant (both variances are zero)');
  const df = (vx + vy) ** 2 / (vx ** 2 / (a.n - 1) + vy ** 2 / (b.n - 1));
  return finish(a.mean, b.mean, se, df, level);
}

/** Student's two-sample t-test with pooled variance (R `t.test(x, y, var.equal = TRUE)`). */
export function studentTTest(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): TTestResult {
  const a = meanVar(x);
  const b = meanVar(y);
  if (a.n < 1 || b.n < 1 || a.n + b.n < 3) throw new RangeError('t-test needs at least 3 values in all');
  const df = a.n + b.n - 2;
  const ssx = a.n > 1 ? a.variance * (a.n - 1) : 0;
  const ssy = b.n > 1 ? b.variance * (b.n - 1) : 0;
  const pooled = (ssx + ssy) / df;
  const se = Math.sqrt(pooled * (1 / a.n + 1 / b.n));
  if (!(se > 0)) throw new RangeError('t-test: the data are essentially constant (pooled variance is zero)');
  return finish(a.mean, b.mean, se, df, level);
}

function finish(mx: number, my: number, se: number, df: number, level: number): TTestResult {
  const estimate = mx - my;
  const t = estimate / se;
  const q = qt(1 - (1 - level) / 2, df);
  return {
    estimate,
    std_error: se,
    statistic: t,
    df,
    p_value: 2 * pt(-Math.abs(t), df),
    conf_low: estimate - q * se,
    conf_high: estimate + q * se,
    mean_x: mx,
    mean_y: my,
  };
}
