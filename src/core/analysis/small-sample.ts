/**
 * Small-sample (few clusters) inference for the cluster-robust GLM rows: CR2 standard errors with
 * Satterthwaite degrees of freedom (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), as R
 * `clubSandwich::coef_test(glm_fit, vcov = "CR2", cluster = team, test = "Satterthwaite")`, in
 * place of `sandwich::vcovCL` and a normal reference. The interval is estimate +/- qt(1 - alpha/2,
 * df) SE on the log scale, exponentiated (clubSandwich::conf_int).
 */
import { glmCr2 } from '../stats/robust-lm.js';
import { pt, qt } from '../stats/distributions.js';
import type { GlmFit } from '../stats/irls.js';
import { clean, type EffectRow } from './effect-row.js';
import type { Measure } from './measures.js';

/** `small_sample` of the plan / `--small-sample`: `cr2` always, `none` never, `auto` below FEW_CLUSTERS clusters. */
export type SmallSample = 'cr2' | 'none' | 'auto';
export const SMALL_SAMPLE_CHOICES: readonly SmallSample[] = ['cr2', 'none', 'auto'];

/**
 * Fewer randomised clusters than this (in all arms together) make `auto` use CR2 + Satterthwaite:
 * below about 50 clusters the CR0/CR1 sandwich understates the variance and normal or G - 1
 * reference distributions over-reject (Cameron & Miller 2015; Pustejovsky & Tipton 2018).
 */
export const FEW_CLUSTERS = 50;

/** Whether the cluster-robust rows use CR2 for this number of clusters. */
export function useCr2(choice: SmallSample | undefined, nClusters: number): boolean {
  return choice === 'cr2' || (choice === 'auto' && nClusters < FEW_CLUSTERS);
}

export interface Cr2ArmInput {
  fit: GlmFit;
  X: Float64Array;
  y: ArrayLike<number>;
  family: 'binomial' | 'poisson';
  weights?: ArrayLike<number>;
  cluster: ArrayLike<number>;
  nClusters: number;
  /** Coefficient of the arm (1 after the intercept). */
  coef?: number;
}

/** CR2 SE and Satterthwaite df of the arm coefficient. */
export function cr2ArmInference(input: Cr2ArmInput): {
  estimate: number;
  std_error: number;
  df: number;
  n_clusters: number;
} {
  const c = input.coef ?? 1;
  const { fit } = input;
  const r = glmCr2({
    X: input.X,
    n: fit.n,
    p: fit.p,
    y: input.y,
    mu: fit.mu,
    family: input.family,
    weights: input.weights,
    cluster: input.cluster,
    nClusters: input.nClusters,
    bread: fit.covUnscaled,
    dfFor: [c],
  });
  return {
    estimate: fit.coef[c]!,
    std_error: Math.sqrt(r.vcov[c * fit.p + c]!),
    df: r.df[c]!,
    n_clusters: r.nClusters,
  };
}

/** A ratio row with a t reference on `df`: exp(estimate), exp(estimate +/- qt SE), t statistic and p; std_error on the log scale. */
export function ratioRowT(
  outcome: string,
  measure: Measure,
  logEstimate: number,
  logSe: number,
  df: number,
  alpha: number,
  method: string,
): EffectRow {
  const t = df > 0 ? qt(1 - alpha / 2, df) : NaN;
  const stat = logEstimate / logSe;
  return clean({
    outcome,
    measure,
    estimate: Math.exp(logEstimate),
    std_error: logSe,
    conf_low: Math.exp(logEstimate - t * logSe),
    conf_high: Math.exp(logEstimate + t * logSe),
    statistic: stat,
    p_value: df > 0 && Number.isFinite(stat) ? 2 * pt(-Math.abs(stat), df) : NaN,
    method,
    df,
  });
}

/** Method text of a CR2 row. */
export function cr2Text(cluster: string, df: number, nClusters: number): string {
  return `CR2 cluster-robust SE by ${cluster} with Satterthwaite df ${df.toFixed(1)} (${nClusters} clusters; R clubSandwich::coef_test(fit, vcov = "CR2", cluster = ${cluster}, test = "Satterthwaite")), t-based CI`;
}
