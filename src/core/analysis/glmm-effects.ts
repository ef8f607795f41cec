/**
 * The multilevel binary model of a cluster design: `glmm_odds_ratio`, the arm odds ratio of a
 * random-intercept logistic regression (R `lme4::glmer(y ~ arm + covariates + (1 | cluster),
 * family = binomial)`, Laplace approximation), with its Wald CI on the log scale. The odds ratio is
 * conditional on the cluster (cluster-specific), unlike the population-averaged cluster-robust one.
 */
import { fitGlmmLogistic } from '../stats/glmm-logistic.js';
import { armDesign } from '../stats/logistic-regression.js';
import { nullRow, ratioRow, type EffectRow } from './effect-row.js';

export interface GlmmInput {
  outcome: string;
  y: Float64Array;
  arm: Uint8Array;
  cluster: Int32Array;
  nClusters: number;
  clusterName: string;
  alpha: number;
  covariates?: { X: Float64Array; q: number; terms: string[] };
  weights?: Float64Array;
  /** Coefficients of the same model without the random intercept, if already fitted (the start). */
  start?: ArrayLike<number>;
}

/** The `glmm_odds_ratio` row (a null row with the reason when it cannot be estimated). */
export function glmmOddsRatioRow(input: GlmmInput, warnings: string[]): EffectRow {
  const { outcome, y, arm, alpha } = input;
  if (input.weights) {
    warnings.push(`${outcome}: the mixed-effects logistic model is not fitted with --weights`);
    return nullRow(outcome, 'glmm_odds_ratio', 'not estimated: weighted mixed-effects models are not supported');
  }
  const cov = input.covariates;
  const { X, p } = armDesign(arm, cov?.X, cov?.q ?? 0);
  const terms = cov && cov.q > 0 ? ` + ${cov.terms.join(' + ')}` : '';
  try {
    const fit = fitGlmmLogistic(y, X, arm.length, p, input.cluster, input.nClusters, { start: input.start });
    const se = Math.sqrt(fit.vcov[p + 1]!);
    if (!fit.converged) warnings.push(`${outcome}: the mixed-effects logistic model did not fully converge`);
    if (fit.singular)
      warnings.push(
        `${outcome}: the random-intercept variance of the mixed-effects logistic model is estimated as 0 (singular fit): glmm_odds_ratio equals the ordinary logistic odds ratio`,
      );
    if (!Number.isFinite(se) || Math.abs(fit.coef[1]!) > 15) {
      warnings.push(`${outcome}: mixed-effects logistic odds ratio not estimable (separation)`);
      return nullRow(outcome, 'glmm_odds_ratio', 'not estimable: separation');
    }
    const v = fit.sigma * fit.sigma;
    const method = `mixed-effects logistic regression on arm${terms} with a random intercept per ${input.clusterName} (R lme4::glmer(y ~ arm${terms} + (1 | ${input.clusterName}), family = binomial), Laplace approximation); cluster-specific odds ratio; random-intercept variance ${v.toPrecision(4)} (SD ${fit.sigma.toPrecision(4)}) on the log-odds scale over ${input.nClusters} clusters; SE from the inverse Hessian of the log-likelihood, Wald CI on the log scale`;
    return ratioRow(outcome, 'glmm_odds_ratio', fit.coef[1]!, se, alpha, method);
  } catch (err) {
    if (!(err instanceof RangeError || (err instanceof Error && err.name === 'SingularDesignError'))) throw err;
    warnings.push(`${outcome}: mixed-effects logistic odds ratio not estimable: ${err.message}`);
    return nullRow(outcome, 'glmm_odds_ratio', `not estimable: ${err.message}`);
  }
}
