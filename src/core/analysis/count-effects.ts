/**
 * Effects for a count outcome (re-offences per person): Welch mean difference and the Poisson
 * log-link rate ratio with a sandwich SE (HC0, R `sandwich::vcovHC(type = "HC0")`; cluster-robust
 * `vcovCL` in cluster designs).
 */
import { fitPoisson, poissonArmEffect } from '../stats/poisson-regression.js';
import { fitPoissonOffset } from '../stats/count-regression.js';
import { armDesign } from '../stats/logistic-regression.js';
import { cr2ArmInference, cr2Text, ratioRowT } from './small-sample.js';
import { welchTTest } from '../stats/welch-t-test.js';
import { nullRow, ratioRow, tTestRow, type EffectRow } from './effect-row.js';
import { logExposure, negBinRow, offsetPoissonArmEffect } from './count-models.js';

export interface CountEffectsInput {
  outcome: string;
  y: Float64Array;
  /** 1 = treatment, 0 = control. */
  arm: Uint8Array;
  alpha: number;
  covariates?: { X: Float64Array; q: number; terms: string[] };
  cluster?: { index: Int32Array; nClusters: number };
  weights?: Float64Array;
  /** Time at risk per row (> 0): a log offset in the Poisson and negative binomial models. */
  exposure?: { values: Float64Array; name: string };
  /** Few clusters: CR2 + Satterthwaite inference for the cluster-robust rate ratio (with `cluster`). */
  cr2?: { clusterName: string } | null;
}

/** Rows `mean_difference`, `rate_ratio` and `nb_rate_ratio`. Degenerate cases give null rows and a warning. */
export function countEffects(input: CountEffectsInput, warnings: string[]): EffectRow[] {
  const { outcome, y, arm, alpha } = input;
  let nT = 0;
  for (let i = 0; i < y.length; i++) nT += arm[i]!;
  const xs = new Float64Array(nT);
  const ys = new Float64Array(y.length - nT);
  for (let i = 0, a = 0, b = 0; i < y.length; i++) {
    if (arm[i]) xs[a++] = y[i]!;
    else ys[b++] = y[i]!;
  }
  const rows: EffectRow[] = [];
  try {
    const t = welchTTest(xs, ys, 1 - alpha);
    rows.push(
      tTestRow(
        outcome,
        'mean_difference',
        t,
        `Welch two-sample t-test (R t.test), df ${t.df.toFixed(1)}${input.cluster ? '; ignores clustering: see rate_ratio for the cluster-robust analysis' : ''}`,
      ),
    );
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    warnings.push(`${outcome}: mean difference not estimable: ${err.message}`);
    rows.push(nullRow(outcome, 'mean_difference', `not estimable: ${err.message}`));
  }
  let sumT = 0;
  let sumC = 0;
  for (const v of xs) sumT += v;
  for (const v of ys) sumC += v;
  if (sumT === 0 || sumC === 0) {
    const which = sumT === 0 && sumC === 0 ? 'either arm' : sumT === 0 ? 'the treatment arm' : 'the control arm';
    warnings.push(`${outcome}: no re-offences in ${which}: the rate ratio is not estimable`);
    rows.push(
      nullRow(outcome, 'rate_ratio', `not estimable: no events in ${which}`),
      nullRow(outcome, 'nb_rate_ratio', `not estimable: no events in ${which}`),
    );
    return rows;
  }
  const cov = input.covariates;
  const armOptions = {
    covariates: cov?.X,
    q: cov?.q ?? 0,
    cluster: input.cluster?.index,
    nClusters: input.cluster?.nClusters,
    weights: input.weights,
  };
  const offset = input.exposure ? logExposure(input.exposure.values) : undefined;
  const e = offset ? offsetPoissonArmEffect(y, arm, offset, armOptions) : poissonArmEffect(y, arm, armOptions);
  const terms = `${cov && cov.q > 0 ? ` + ${cov.terms.join(' + ')}` : ''}${input.exposure ? ` + offset(log(${input.exposure.name}))` : ''}`;
  const nb = () =>
    negBinRow(
      {
        outcome,
        y,
        arm,
        alpha,
        covariates: cov,
        weights: input.weights,
        offset,
        exposureName: input.exposure?.name,
        clustered: Boolean(input.cluster),
      },
      warnings,
    );
  const vc =
    e.robust_type === 'cluster'
      ? 'cluster-robust SE (R sandwich::vcovCL, HC0 with G/(G-1))'
      : 'sandwich SE (R sandwich::vcovHC(type = "HC0"))';
  if (e.boundary) {
    warnings.push(`${outcome}: the Poisson model did not converge to a finite estimate (fitted means numerically 0)`);
    rows.push(nullRow(outcome, 'rate_ratio', 'not estimable: fitted means numerically 0'), nb());
    return rows;
  }
  const cr2 = input.cluster && input.cr2 ? cr2RateRatio(input, offset) : null;
  if (cr2 && 'error' in cr2)
    warnings.push(`${outcome}: CR2 not computed for the rate ratio (${cr2.error}): vcovCL used instead`);
  if (cr2 && !('error' in cr2))
    rows.push(
      ratioRowT(
        outcome,
        'rate_ratio',
        cr2.estimate,
        cr2.std_error,
        cr2.df,
        alpha,
        `Poisson log-link regression on arm${terms}; ${cr2Text(input.cr2!.clusterName, cr2.df, cr2.n_clusters)}`,
      ),
    );
  else
    rows.push(
      ratioRow(
        outcome,
        'rate_ratio',
        e.estimate,
        e.std_error_robust,
        alpha,
        `Poisson log-link regression on arm${terms}, ${vc}`,
      ),
    );
  rows.push(nb());
  return rows;
}

/** The Poisson fit again (with its offset and weights) and CR2 inference on its arm coefficient. */
function cr2RateRatio(
  input: CountEffectsInput,
  offset: Float64Array | undefined,
): ReturnType<typeof cr2ArmInference> | { error: string } {
  const cov = input.covariates;
  const n = input.arm.length;
  const { X, p } = armDesign(input.arm, cov?.X, cov?.q ?? 0);
  const fit = offset
    ? fitPoissonOffset(X, n, p, input.y, { offset, weights: input.weights })
    : fitPoisson(X, n, p, input.y, { weights: input.weights });
  try {
    return cr2ArmInference({
      fit,
      X,
      y: input.y,
      family: 'poisson',
      weights: input.weights,
      cluster: input.cluster!.index,
      nClusters: input.cluster!.nClusters,
    });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { error: err.message };
  }
}
