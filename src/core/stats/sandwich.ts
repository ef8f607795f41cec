/**
 * Sandwich (heteroskedasticity- and cluster-robust) covariance for a canonical-link GLM fit.
 *
 * Scores psi_i = w_i (y_i - mu_i) x_i (prior weight w_i; canonical link), bread B = (X'WX)^-1.
 * - `vcovHC0`: B (sum_i psi_i psi_i') B, as R `sandwich::vcovHC(fit, type = "HC0")`.
 * - `vcovCL`:  B (G/(G-1) sum_g U_g U_g') B with U_g = sum_{i in g} psi_i, as R
 *   `sandwich::vcovCL(fit, cluster = ~g)` with its defaults for a glm (type "HC0", cadjust = TRUE);
 *   HC1's extra (n-1)/(n-k) is what R applies only to lm fits.
 */
import { sandwichProduct, type GlmFit } from './irls.js';

/** Per-cluster score sums U (G x p, row-major) plus the G/(G-1) meat. */
function clusterMeat(
  fit: GlmFit,
  X: Float64Array,
  y: ArrayLike<number>,
  cluster: ArrayLike<number>,
  nClusters: number,
  weights?: ArrayLike<number>,
): Float64Array {
  const { n, p, mu } = fit;
  const U = new Float64Array(nClusters * p);
  for (let j = 0; j < p; j++) {
    const off = j * n;
    for (let i = 0; i < n; i++) {
      const r = (weights ? weights[i]! : 1) * (y[i]! - mu[i]!);
      U[cluster[i]! * p + j] += r * X[off + i]!;
    }
  }
  const M = new Float64Array(p * p);
  for (let g = 0; g < nClusters; g++) {
    const o = g * p;
    for (let j = 0; j < p; j++) {
      const uj = U[o + j]!;
      for (let k = 0; k <= j; k++) M[j * p + k] += uj * U[o + k]!;
    }
  }
  const adj = nClusters / (nClusters - 1);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k <= j; k++) {
      M[j * p + k] *= adj;
      M[k * p + j] = M[j * p + k]!;
    }
  }
  return M;
}

/**
 * Cluster-robust covariance, R `sandwich::vcovCL(fit, cluster = ~g)` defaults for a glm.
 * @param cluster 0-based cluster index per row, each in [0, nClusters).
 * @throws RangeError with fewer than 2 clusters.
 * @example
 * const y = [1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0], arm = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
 * const X = Float64Array.from([...arm.map(() => 1), ...arm]); // column-major: intercept, arm
 * const fit = fitGlm('binomial', X, 12, 2, y);
 * vcovCL(fit, X, y, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], 6)[1 * fit.p + 1] // => 1.5166667 // sandwich::vcovCL(glm(y ~ arm, binomial), cluster = ~team)[2, 2]
 */
export function vcovCL(
  fit: GlmFit,
  X: Float64Array,
  y: ArrayLike<number>,
  cluster: ArrayLike<number>,
  nClusters: number,
  weights?: ArrayLike<number>,
): Float64Array {
  if (nClusters < 2) throw new RangeError(`vcovCL needs at least 2 clusters, got ${nClusters}`);
  if (cluster.length !== fit.n) throw new RangeError('cluster index length differs from the fit');
  return sandwichProduct(fit.covUnscaled, clusterMeat(fit, X, y, cluster, nClusters, weights), fit.p);
}

/**
 * HC0 sandwich covariance, R `sandwich::vcovHC(fit, type = "HC0")` (each row its own cluster,
 * no small-sample adjustment).
 */
export function vcovHC0(fit: GlmFit, X: Float64Array, y: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const { n, p, mu } = fit;
  const M = new Float64Array(p * p);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = (weights ? weights[i]! : 1) * (y[i]! - mu[i]!);
  for (let j = 0; j < p; j++) {
    const oj = j * n;
    for (let k = 0; k <= j; k++) {
      const ok = k * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += r[i]! * r[i]! * X[oj + i]! * X[ok + i]!;
      M[j * p + k] = s;
      M[k * p + j] = s;
    }
  }
  return sandwichProduct(fit.covUnscaled, M, p);
}
