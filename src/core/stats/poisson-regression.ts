/**
 * Poisson log-link regression (R `glm(y ~ ..., family = poisson)`) by IRLS, with the rate ratio of
 * arm and its sandwich SE: HC0 (R `sandwich::vcovHC(fit, type = "HC0")`), or cluster-robust
 * (`vcovCL`) when clusters are given.
 */
import { fitGlm, type GlmFit, type GlmOptions } from './irls.js';
import { armDesign, type ArmEffectOptions } from './logistic-regression.js';
import { vcovCL, vcovHC0 } from './sandwich.js';

/** Fits a Poisson log-link GLM; X column-major. */
export function fitPoisson(
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  options: GlmOptions = {},
): GlmFit {
  return fitGlm('poisson', X, n, p, y, options);
}

export interface RateRatioEffect {
  /** ln(rate ratio), treated vs control. */
  estimate: number;
  std_error_model: number;
  /** HC0 sandwich SE, or the cluster-robust SE when clusters were given. */
  std_error_robust: number;
  robust_type: 'HC0' | 'cluster';
  converged: boolean;
  /** A fitted mean numerically 0 (an arm with no events): the log rate ratio is not finite. */
  boundary: boolean;
}

/**
 * ln rate ratio of `glm(y ~ arm + covariates, poisson)` with a sandwich SE.
 * @example poissonArmEffect([0, 1, 3, 5, 2, 8, 0, 4, 10, 1], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]).std_error_robust // => 0.5142656 // sqrt(sandwich::vcovHC(glm(y ~ arm, poisson), type = "HC0")[2, 2]); the estimate is log(4.6 / 2.2)
 */
export function poissonArmEffect(
  y: ArrayLike<number>,
  arm: ArrayLike<number>,
  options: ArmEffectOptions = {},
): RateRatioEffect {
  const n = arm.length;
  const { X, p } = armDesign(arm, options.covariates, options.q ?? 0);
  const fit = fitPoisson(X, n, p, y, { weights: options.weights });
  let V: Float64Array;
  let type: 'HC0' | 'cluster';
  if (options.cluster) {
    let g = 0;
    for (let i = 0; i < n; i++) g = Math.max(g, options.cluster[i]! + 1);
    V = vcovCL(fit, X, y, options.cluster, options.nClusters ?? g, options.weights);
    type = 'cluster';
  } else {
    V = vcovHC0(fit, X, y, options.weights);
    type = 'HC0';
  }
  return {
    estimate: fit.coef[1]!,
    std_error_model: Math.sqrt(fit.covUnscaled[p + 1]!),
    std_error_robust: Math.sqrt(V[p + 1]!),
    robust_type: type,
    converged: fit.converged,
    boundary: fit.boundary || !fit.converged,
  };
}
