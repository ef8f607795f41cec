/**
 * Closed-form maximum likelihood for `glm(y ~ arm, binomial)` with a 0/1 arm and no weights or
 * covariates: the intercept is the control arm's log odds and the arm coefficient the log odds
 * ratio, so no IRLS is needed. Returns the same `GlmFit` as `fitGlm` (fitted means, (X'WX)^-1,
 * deviance), which is what IRLS converges to; `logisticArmEffect` uses it for this model, so the
 * power simulations (thousands of fits) and `analyse` share one code path.
 */
import type { GlmFit } from './irls.js';

/**
 * @returns the fit, or null when the closed form does not apply (arm not 0/1, an empty arm, or an
 * arm whose outcomes are all 0 or all 1: separation, left to IRLS and its boundary flag).
 * @example fitLogisticTwoGroup([0, 1, 1, 0], [0, 0, 1, 1]).coef[1] // => 0 // log((1/1)/(1/1))
 */
export function fitLogisticTwoGroup(y: ArrayLike<number>, arm: ArrayLike<number>): GlmFit | null {
  const n = arm.length;
  if (y.length !== n) throw new RangeError(`y has length ${y.length}, expected ${n}`);
  let n0 = 0;
  let n1 = 0;
  let s0 = 0;
  let s1 = 0;
  let allBinary = true;
  for (let i = 0; i < n; i++) {
    const a = arm[i]!;
    const yi = y[i]!;
    if (!(yi >= 0 && yi <= 1)) throw new RangeError(`binomial response must be in [0, 1], got ${yi} at row ${i}`);
    if (yi !== 0 && yi !== 1) allBinary = false;
    if (a === 0) {
      n0++;
      s0 += yi;
    } else if (a === 1) {
      n1++;
      s1 += yi;
    } else {
      return null;
    }
  }
  if (n0 === 0 || n1 === 0 || s0 <= 0 || s0 >= n0 || s1 <= 0 || s1 >= n1) return null;
  const p0 = s0 / n0;
  const p1 = s1 / n1;
  const b0 = Math.log(p0 / (1 - p0));
  const coef = new Float64Array([b0, Math.log(p1 / (1 - p1)) - b0]);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) mu[i] = arm[i] === 1 ? p1 : p0;
  // X'WX = [[W0 + W1, W1], [W1, W1]] with W_g = n_g p_g (1 - p_g); its inverse in closed form.
  const v0 = 1 / (n0 * p0 * (1 - p0));
  const v1 = 1 / (n1 * p1 * (1 - p1));
  const covUnscaled = new Float64Array([v0, -v0, -v0, v0 + v1]);
  // Deviance: -2 log-likelihood; from the group counts when y is 0/1, else row by row (fractional
  // y, as glm's dev.resids).
  let deviance = 0;
  if (allBinary) {
    deviance = -(s0 * Math.log(p0) + (n0 - s0) * Math.log(1 - p0) + s1 * Math.log(p1) + (n1 - s1) * Math.log(1 - p1));
  }
  for (let i = 0; i < n && !allBinary; i++) {
    const yi = y[i]!;
    const m = mu[i]!;
    if (yi > 0) deviance += yi * Math.log(yi / m);
    if (yi < 1) deviance += (1 - yi) * Math.log((1 - yi) / (1 - m));
  }
  return {
    family: 'binomial',
    n,
    p: 2,
    coef,
    covUnscaled,
    mu,
    deviance: 2 * deviance,
    iterations: 0,
    converged: true,
    boundary: false,
  };
}
