/**
 * The count models beyond the plain Poisson rate ratio: the Poisson rate ratio with a time-at-risk
 * offset (R `glm(y ~ arm + offset(log(t)), poisson)` with the same sandwich SEs as without), and
 * the negative binomial rate ratio for over-dispersed re-offence counts (R `MASS::glm.nb`, model
 * SE, Wald CI on the log scale).
 */
import { fitNegBin, fitPoissonOffset } from '../stats/count-regression.js';
import { armDesign, type ArmEffectOptions } from '../stats/logistic-regression.js';
import type { RateRatioEffect } from '../stats/poisson-regression.js';
import { vcovCL, vcovHC0 } from '../stats/sandwich.js';
import { nullRow, ratioRow, type EffectRow } from './effect-row.js';

/** log(t) per row; t must be > 0. */
export function logExposure(t: ArrayLike<number>): Float64Array {
  const out = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) {
    if (!(t[i]! > 0)) throw new RangeError(`time at risk must be > 0, got ${t[i]} at row ${i}`);
    out[i] = Math.log(t[i]!);
  }
  return out;
}

/**
 * ln rate ratio of `glm(y ~ arm + covariates + offset(log(t)), poisson)` with the HC0 sandwich SE
 * (cluster-robust `vcovCL` given clusters), as `poissonArmEffect` without an offset.
 */
export function offsetPoissonArmEffect(
  y: ArrayLike<number>,
  arm: ArrayLike<number>,
  offset: Float64Array,
  options: ArmEffectOptions = {},
): RateRatioEffect {
  const n = arm.length;
  const { X, p } = armDesign(arm, options.covariates, options.q ?? 0);
  const fit = fitPoissonOffset(X, n, p, y, { offset, weights: options.weights });
  const cluster = options.cluster;
  let V: Float64Array;
  if (cluster) {
    let g = 0;
    for (let i = 0; i < n; i++) g = Math.max(g, cluster[i]! + 1);
    V = vcovCL(fit, X, y, cluster, options.nClusters ?? g, options.weights);
  } else V = vcovHC0(fit, X, y, options.weights);
  return {
    estimate: fit.coef[1]!,
    std_error_model: Math.sqrt(fit.covUnscaled[p + 1]!),
    std_error_robust: Math.sqrt(V[p + 1]!),
    robust_type: cluster ? 'cluster' : 'HC0',
    converged: fit.converged,
    boundary: fit.boundary || !fit.converged,
  };
}

export interface NegBinInput {
  outcome: string;
  y: Float64Array;
  arm: Uint8Array;
  alpha: number;
  covariates?: { X: Float64Array; q: number; terms: string[] };
  weights?: Float64Array;
  /** log time at risk, per row. */
  offset?: Float64Array;
  /** Name of the exposure column, for the method text. */
  exposureName?: string;
  clustered?: boolean;
}

/** The `nb_rate_ratio` row: exp(arm coefficient) of glm.nb, model-based SE, log-scale Wald CI. */
export function negBinRow(input: NegBinInput, warnings: string[]): EffectRow {
  const { outcome, y, arm, alpha } = input;
  const cov = input.covariates;
  const { X, p } = armDesign(arm, cov?.X, cov?.q ?? 0);
  const terms = `${cov && cov.q > 0 ? ` + ${cov.terms.join(' + ')}` : ''}${input.offset ? ` + offset(log(${input.exposureName ?? 'exposure'}))` : ''}`;
  try {
    const fit = fitNegBin(X, arm.length, p, y, { offset: input.offset, weights: input.weights });
    if (fit.boundary || !fit.converged) {
      warnings.push(`${outcome}: the negative binomial model did not converge to finite estimates`);
      return nullRow(outcome, 'nb_rate_ratio', 'not estimable: the negative binomial model did not converge');
    }
    const se = Math.sqrt(fit.covUnscaled[p + 1]!);
    const method = `negative binomial log-link regression on arm${terms} (R MASS::glm.nb), theta ${fit.theta.toPrecision(4)} by maximum likelihood (variance mu + mu^2/theta); model-based SE, Wald CI on the log scale${input.clustered ? '; does not account for clustering: see rate_ratio for the cluster-robust analysis' : ''}`;
    return ratioRow(outcome, 'nb_rate_ratio', fit.coef[1]!, se, alpha, method);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    warnings.push(`${outcome}: negative binomial rate ratio not estimable: ${err.message}`);
    return nullRow(outcome, 'nb_rate_ratio', `not estimable: ${err.message}`);
  }
}
