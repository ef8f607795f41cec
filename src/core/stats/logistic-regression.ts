/**
 * Logistic regression (R `glm(y ~ ..., family = binomial)`) by IRLS with Wald inference, and the
 * lean arm-effect entry point shared by `analyse` and the `power` simulations.
 */
import { fitGlm, type GlmFit, type GlmOptions } from './irls.js';
import { vcovCL } from './sandwich.js';
import { fitLogisticTwoGroup } from './logistic-two-group.js';

export type { GlmFit } from './irls.js';
export { SingularDesignError } from './irls.js';

/**
 * Fits a logistic regression. X is column-major (`X[j * n + i]`) and includes the intercept
 * column if wanted. Detects separation through `boundary` (fitted probabilities numerically 0/1).
 * @throws SingularDesignError for collinear columns.
 */
export function fitLogistic(
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  options: GlmOptions = {},
): GlmFit {
  return fitGlm('binomial', X, n, p, y, options);
}

/** Model-based Wald standard errors: sqrt of the diagonal of (X'WX)^-1. */
export function modelStdErrors(fit: GlmFit): Float64Array {
  const se = new Float64Array(fit.p);
  for (let j = 0; j < fit.p; j++) se[j] = Math.sqrt(fit.covUnscaled[j * fit.p + j]!);
  return se;
}

/**
 * Builds the column-major design [1, arm, covariate columns...].
 * @param covariates column-major block of `q` columns (length n*q), or undefined.
 */
export function armDesign(arm: ArrayLike<number>, covariates?: Float64Array, q = 0): { X: Float64Array; p: number } {
  const n = arm.length;
  const p = 2 + q;
  const X = new Float64Array(n * p);
  X.fill(1, 0, n);
  for (let i = 0; i < n; i++) X[n + i] = arm[i]!;
  if (covariates && q > 0) {
    if (covariates.length !== n * q)
      throw new RangeError(`covariates have ${covariates.length} cells, expected ${n * q}`);
    X.set(covariates, 2 * n);
  }
  return { X, p };
}

export interface ArmEffect {
  /** ln(OR) of arm (treated = 1 vs control = 0). */
  estimate: number;
  /** Model-based (Wald) SE of ln(OR). */
  std_error_model: number;
  /** Cluster-robust SE (vcovCL) when clusters were given, else null. */
  std_error_robust: number | null;
  converged: boolean;
  /** Fitted probabilities numerically 0 or 1: (quasi-)separation; do not trust the estimate. */
  separation: boolean;
  fit: GlmFit;
}

export interface ArmEffectOptions {
  /** 0-based cluster index per row (for the cluster-robust SE). */
  cluster?: ArrayLike<number>;
  nClusters?: number;
  /** Column-major covariate block (n * q) and q. */
  covariates?: Float64Array;
  q?: number;
  weights?: Float64Array;
}

/**
 * The treatment log odds ratio from `glm(y ~ arm + covariates, binomial)`, with the model SE and,
 * given clusters, the `sandwich::vcovCL(fit, cluster = ~cluster)` SE.
 * @example logisticArmEffect([1, 1, 0, 1, 0, 0, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1]).estimate // => -2.1972246 // coef(glm(y ~ arm, binomial))[2] = log(1/9)
 */
export function logisticArmEffect(
  y: ArrayLike<number>,
  arm: ArrayLike<number>,
  options: ArmEffectOptions = {},
): ArmEffect {
  const n = arm.length;
  const q = options.q ?? 0;
  const { X, p } = armDesign(arm, options.covariates, q);
  // Intercept + 0/1 arm only: closed-form MLE, the same fit without IRLS (logistic-two-group.ts).
  const closed = q === 0 && !options.weights ? fitLogisticTwoGroup(y, arm) : null;
  const fit = closed ?? fitLogistic(X, n, p, y, { weights: options.weights });
  let robust: number | null = null;
  if (options.cluster) {
    const nClusters = options.nClusters ?? countClusters(options.cluster);
    const V = vcovCL(fit, X, y, options.cluster, nClusters, options.weights);
    robust = Math.sqrt(V[1 * p + 1]!);
  }
  return {
    estimate: fit.coef[1]!,
    std_error_model: Math.sqrt(fit.covUnscaled[1 * p + 1]!),
    std_error_robust: robust,
    converged: fit.converged,
    separation: fit.boundary || !fit.converged,
    fit,
  };
}

function countClusters(cluster: ArrayLike<number>): number {
  let m = -1;
  for (let i = 0; i < cluster.length; i++) if (cluster[i]! > m) m = cluster[i]!;
  return m + 1;
}
