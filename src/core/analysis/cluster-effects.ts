/**
 * Cluster-design effects for a binary outcome: ICC (linear random-intercept model by REML, as R
 * `lmer(y ~ arm + (1 | team))`), design effect 1 + (mbar - 1) ICC, the cluster-robust odds ratio
 * (logistic regression + R `sandwich::vcovCL(fit, cluster = ~team)`), and the cluster-level risk
 * difference (t-test on cluster proportions, clusters weighted equally).
 */
import { DataError } from '../errors.js';
import { armDesign, logisticArmEffect, type ArmEffect } from '../stats/logistic-regression.js';
import { fitRandomIntercept } from '../stats/reml.js';
import { studentTTest } from '../stats/welch-t-test.js';
import { nullRow, pointRow, ratioRow, tTestRow, type EffectRow } from './effect-row.js';
import { cr2ArmInference, cr2Text, ratioRowT } from './small-sample.js';

export interface ClusterEffectsInput {
  outcome: string;
  /** 0/1 outcome. */
  y: Float64Array;
  arm: Uint8Array;
  /** 0-based cluster index per row (compact: every index in [0, nClusters) occurs). */
  cluster: Int32Array;
  nClusters: number;
  clusterName: string;
  alpha: number;
  covariates?: { X: Float64Array; q: number; terms: string[] };
  weights?: Float64Array;
  source: string;
  /** The logistic fit with cluster-robust SE already computed by the caller (null: separation). */
  fitted?: ArmEffect | null;
  /** Few clusters: CR2 + Satterthwaite inference for the cluster-robust odds ratio instead of vcovCL. */
  cr2?: boolean;
}

export interface IccResult {
  icc: number | null;
  designEffect: number | null;
  meanClusterSize: number;
}

/** ICC and design effect for any numeric outcome (the REML engine of src/core/stats/reml.ts). */
export function iccRows(
  outcome: string,
  y: Float64Array,
  arm: Uint8Array,
  cluster: Int32Array,
  nClusters: number,
  clusterName: string,
  source: string,
  warnings: string[],
): EffectRow[] {
  const mbar = y.length / nClusters;
  try {
    const fit = fitRandomIntercept({ y, cluster, covariates: [{ name: 'arm', values: arm }], source });
    const de = 1 + (mbar - 1) * fit.icc;
    const singular = fit.singular ? ' (singular fit: between-cluster variance estimated as 0)' : '';
    return [
      pointRow(
        outcome,
        'icc',
        fit.icc,
        `REML linear random-intercept model, as R lmer(${outcome} ~ arm + (1 | ${clusterName}))${singular}`,
      ),
      pointRow(outcome, 'design_effect', de, `1 + (mbar - 1) x ICC with mean cluster size mbar = ${round(mbar, 2)}`),
    ];
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    const why = err.problems[0]?.reason ?? err.message;
    warnings.push(`${outcome}: ICC not estimable: ${why}`);
    return [
      nullRow(outcome, 'icc', `not estimable: ${why}`),
      nullRow(outcome, 'design_effect', `not estimable: ${why}`),
    ];
  }
}

export function clusterBinaryEffects(input: ClusterEffectsInput, warnings: string[]): EffectRow[] {
  const { outcome, y, arm, cluster, nClusters, alpha } = input;
  const rows = iccRows(outcome, y, arm, cluster, nClusters, input.clusterName, input.source, warnings);

  // Cluster-robust odds ratio.
  const cov = input.covariates;
  const events = [0, 0];
  for (let i = 0; i < y.length; i++) events[arm[i]!]! += y[i]!;
  const terms = cov && cov.q > 0 ? ` + ${cov.terms.join(' + ')}` : '';
  const method = `logistic regression on arm${terms} with cluster-robust SE (R sandwich::vcovCL(fit, cluster = ~${input.clusterName}): HC0, G/(G-1))`;
  if (
    input.fitted === null ||
    events[0] === 0 ||
    events[1] === 0 ||
    events[0] === count(arm, 0) ||
    events[1] === count(arm, 1)
  ) {
    rows.push(
      nullRow(outcome, 'cluster_robust_odds_ratio', 'not estimable: an arm has no events or only events (separation)'),
    );
    warnings.push(
      `${outcome}: cluster-robust odds ratio not estimable (separation: an arm with no events or only events)`,
    );
  } else {
    const e =
      input.fitted ??
      logisticArmEffect(y, arm, { covariates: cov?.X, q: cov?.q ?? 0, cluster, nClusters, weights: input.weights });
    if (e.separation) {
      rows.push(
        nullRow(
          outcome,
          'cluster_robust_odds_ratio',
          'not estimable: (quasi-)separation, fitted probabilities numerically 0 or 1',
        ),
      );
      warnings.push(
        `${outcome}: separation in the cluster-robust logistic model: fitted probabilities numerically 0 or 1; estimate withheld`,
      );
    } else if (input.cr2) {
      try {
        const r = cr2ArmInference({
          fit: e.fit,
          X: armDesign(arm, cov?.X, cov?.q ?? 0).X,
          y,
          family: 'binomial',
          weights: input.weights,
          cluster,
          nClusters,
        });
        rows.push(
          ratioRowT(
            outcome,
            'cluster_robust_odds_ratio',
            r.estimate,
            r.std_error,
            r.df,
            alpha,
            `logistic regression on arm${terms}; ${cr2Text(input.clusterName, r.df, r.n_clusters)}`,
          ),
        );
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        warnings.push(
          `${outcome}: CR2 not computed for the cluster-robust odds ratio (${err.message}): vcovCL used instead`,
        );
        rows.push(ratioRow(outcome, 'cluster_robust_odds_ratio', e.estimate, e.std_error_robust!, alpha, method));
      }
    } else rows.push(ratioRow(outcome, 'cluster_robust_odds_ratio', e.estimate, e.std_error_robust!, alpha, method));
  }

  // Cluster-level analysis: one proportion per cluster, equal weights.
  const sum = new Float64Array(nClusters);
  const size = new Float64Array(nClusters);
  const clusterArm = new Uint8Array(nClusters);
  for (let i = 0; i < y.length; i++) {
    const g = cluster[i]!;
    sum[g] += y[i]!;
    size[g]++;
    clusterArm[g] = arm[i]!;
  }
  const pt: number[] = [];
  const pc: number[] = [];
  for (let g = 0; g < nClusters; g++) if (size[g]! > 0) (clusterArm[g] ? pt : pc).push(sum[g]! / size[g]!);
  try {
    const t = studentTTest(pt, pc, 1 - alpha);
    rows.push(
      tTestRow(
        outcome,
        'cluster_level_risk_difference',
        t,
        `t-test on cluster proportions (clusters weighted equally, equal variances, df ${t.df}; R t.test(var.equal = TRUE)): ${pt.length} treatment vs ${pc.length} control clusters`,
      ),
    );
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    rows.push(nullRow(outcome, 'cluster_level_risk_difference', `not estimable: ${err.message}`));
    warnings.push(`${outcome}: cluster-level risk difference not estimable: ${err.message}`);
  }
  return rows;
}

function count(arm: Uint8Array, v: number): number {
  let c = 0;
  for (let i = 0; i < arm.length; i++) if (arm[i] === v) c++;
  return c;
}

function round(x: number, d: number): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}
