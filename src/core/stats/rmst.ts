/**
 * Restricted mean survival time (RMST): the area under the Kaplan-Meier curve from 0 to tau, and
 * the difference between two arms, as R `survRM2::rmst2(time, status, arm, tau)` (Uno et al. 2014,
 * J Clin Oncol 32:2380; unadjusted analysis). The variance is the Greenwood-type plug-in of Klein &
 * Moeschberger / Miller (1981): sum over the curve's times t_j <= tau of A_j^2 d_j / (n_j (n_j - d_j)),
 * A_j the area under the curve from t_j to tau (a term is 0 where n_j = d_j, as survRM2 does). The
 * difference's SE is sqrt(var_1 + var_0), with a normal (Wald) interval and two-sided p.
 */
import { pnorm, qnorm } from './distributions.js';
import type { KaplanMeier } from './kaplan-meier.js';

export interface RestrictedMean {
  tau: number;
  estimate: number;
  variance: number;
  stdErr: number;
}

export interface RmstDifference {
  tau: number;
  treated: RestrictedMean;
  control: RestrictedMean;
  /** RMST(treated) - RMST(control) */
  estimate: number;
  stdErr: number;
  confLow: number;
  confHigh: number;
  /** estimate / stdErr (NaN when stdErr is 0) */
  statistic: number;
  /** Two-sided normal p (NaN when stdErr is 0) */
  pValue: number;
}

/**
 * RMST up to tau from a fitted Kaplan-Meier curve.
 * @throws RangeError when tau is not a positive finite number
 * @example restrictedMean(kaplanMeier([2, 4, 6], [1, 1, 0]), 5).estimate // => 3.6666667 // 2 + 2 x 2/3 + 1 x 1/3 = 11/3
 */
export function restrictedMean(km: KaplanMeier, tau: number): RestrictedMean {
  if (!(Number.isFinite(tau) && tau > 0))
    throw new RangeError(`restrictedMean: tau must be a positive number, got ${tau}`);
  let k = 0;
  while (k < km.steps.length && km.steps[k]!.time <= tau) k++;
  // Walk back from tau: A = area under the curve from step j's time to tau.
  let area = 0;
  let variance = 0;
  let next = tau;
  for (let j = k - 1; j >= 0; j--) {
    const s = km.steps[j]!;
    area += (next - s.time) * s.survival;
    next = s.time;
    if (s.nEvent > 0 && s.nRisk > s.nEvent) variance += area * area * (s.nEvent / (s.nRisk * (s.nRisk - s.nEvent)));
  }
  // Before the first time the curve is 1.
  const estimate = next + area;
  return { tau, estimate, variance, stdErr: Math.sqrt(variance) };
}

/**
 * The largest tau survRM2 accepts: the longer of the two follow-ups when the arm whose follow-up
 * ends first ends with an event (every row at its last time is an event), else the shorter one.
 */
export function rmstMaxTau(control: KaplanMeier, treated: KaplanMeier): number {
  const last = (km: KaplanMeier) => km.steps[km.steps.length - 1]!;
  const shorter = control.maxTime < treated.maxTime ? control : treated;
  const endsWithEvent = last(shorter).nCensor === 0;
  const longest = Math.max(control.maxTime, treated.maxTime);
  const shortest = Math.min(control.maxTime, treated.maxTime);
  return endsWithEvent ? longest : shortest;
}

/**
 * The RMST difference treated minus control up to tau.
 * @param alpha two-sided alpha for the interval (default 0.05)
 * @throws RangeError when tau is not positive or is after `rmstMaxTau` (survRM2 stops there too)
 */
export function rmstDifference(control: KaplanMeier, treated: KaplanMeier, tau: number, alpha = 0.05): RmstDifference {
  const max = rmstMaxTau(control, treated);
  if (tau > max)
    throw new RangeError(`rmstDifference: tau = ${tau} is after ${max}, the last day both arms' curves are known`);
  const t = restrictedMean(treated, tau);
  const c = restrictedMean(control, tau);
  const estimate = t.estimate - c.estimate;
  const stdErr = Math.sqrt(t.variance + c.variance);
  const z = qnorm(1 - alpha / 2);
  // A zero SE (no events before tau in either arm) leaves no test: NaN, as R's 0/0.
  const statistic = stdErr > 0 ? estimate / stdErr : NaN;
  return {
    tau,
    treated: t,
    control: c,
    estimate,
    stdErr,
    confLow: estimate - z * stdErr,
    confHigh: estimate + z * stdErr,
    statistic,
    pValue: stdErr > 0 ? 2 * pnorm(-Math.abs(statistic)) : NaN,
  };
}
