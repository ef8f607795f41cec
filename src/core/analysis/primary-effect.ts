/**
 * The headline: the pre-specified primary analysis of a binary outcome, as a risk difference.
 *
 * Estimator: the treatment coefficient of a linear probability model, i.e. OLS of the 0/1 outcome
 * on the arm indicator, the pre-specified covariates and, in a blocked design, block fixed effects.
 * - Individual designs: HC2 robust standard error, t on n - p df, as R
 *   `estimatr::lm_robust(y ~ arm + covs, data, se_type = "HC2")`.
 * - Cluster designs: CR2 cluster-robust standard error (Bell & McCaffrey 2002) with Satterthwaite
 *   degrees of freedom, as R `estimatr::lm_robust(y ~ arm + covs, data, clusters = team,
 *   se_type = "CR2")` and `clubSandwich::coef_test(lm(y ~ arm + covs, data), vcov = "CR2",
 *   cluster = data$team, test = "Satterthwaite")`, which agree.
 *
 * Why this estimator:
 * - the coefficient is the risk difference itself (no transformation from odds or marginal
 *   standardisation), in the units the Justice Data Lab reports (per 100 people);
 * - robust standard errors make the inference valid under randomisation even when the linear model
 *   is misspecified, as it always is for a binary outcome (Freedman 2008, "On regression adjustments
 *   to experimental data"; Lin 2013, "Agnostic notes on regression adjustments to experimental
 *   data"), and covariate adjustment cannot bias the estimate asymptotically;
 * - CR2 with Satterthwaite df is the small-sample correction recommended when clusters are few
 *   (Bell & McCaffrey 2002; Imbens & Kolesar 2016; Pustejovsky & Tipton 2018), and it is harmless
 *   when clusters are many (it tends to the usual cluster-robust inference), so it is always used
 *   in a cluster design rather than switched on by a threshold.
 */
import { qt } from '../stats/distributions.js';
import { fitRobustLm } from '../stats/robust-lm.js';
import { clean, type EffectRow } from './effect-row.js';

export interface PrimaryEffectInput {
  /** Outcome name for the rows, e.g. 'reoffended'. */
  outcome: string;
  /** 0/1 outcome (any numeric outcome works: the coefficient is then a mean difference). */
  y: ArrayLike<number>;
  /** 0/1 arm indicator (1 = treatment). */
  treated: ArrayLike<number>;
  /** Pre-specified numeric covariates, already coded. */
  covariates: ReadonlyArray<{ name: string; values: ArrayLike<number> }>;
  /** Randomisation blocks as fixed effects (0-based level per row). */
  blocks?: { name: string; index: ArrayLike<number>; levels: number } | null;
  /** Randomised clusters (0-based per row): CR2 + Satterthwaite inference. */
  cluster?: { name: string; index: ArrayLike<number>; levels: number } | null;
  alpha: number;
}

export interface PrimaryEffect {
  /** measure 'risk_difference': t-based CI on `df`, statistic = t. */
  row: EffectRow;
  /** measure 'per_100': the same per 100 people (estimate, SE and limits times 100). */
  per100: EffectRow;
  df: number;
  n: number;
  n_clusters: number | null;
  se_type: 'HC2' | 'CR2';
  /** The adjustment covariates, in model order (blocks not included). */
  covariates: string[];
  /** Cluster column, or null. */
  clustered_by: string | null;
  /** Block column, or null. */
  blocked_by: string | null;
}

/**
 * The risk difference of the primary analysis (see the module header).
 * @throws RangeError on mismatched lengths, a non-0/1 arm, only one arm, alpha outside (0, 1), a
 *   covariate that is constant or collinear (rank deficiency), too few rows or fewer than 2 clusters
 * @example
 * const r = primaryRiskDifference({ outcome: 'reoffended', y: [1, 1, 0, 1, 0, 0, 1, 0], treated: [0, 0, 0, 0, 1, 1, 1, 1], covariates: [], alpha: 0.05 });
 * [r.row.estimate, r.row.std_error, r.df] // => [-0.5, 0.35355339, 6] // estimatr::lm_robust(y ~ arm, se_type = "HC2")
 */
export function primaryRiskDifference(input: PrimaryEffectInput): PrimaryEffect {
  const { outcome, y, treated, covariates, alpha } = input;
  const blocks = input.blocks ?? null;
  const cluster = input.cluster ?? null;
  const n = y.length;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`primaryRiskDifference: alpha must be in (0, 1), got ${alpha}`);
  if (treated.length !== n)
    throw new RangeError(`primaryRiskDifference: treated has ${treated.length} values, expected ${n}`);
  for (const c of covariates) {
    if (c.values.length !== n)
      throw new RangeError(`primaryRiskDifference: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  }
  if (blocks && blocks.index.length !== n)
    throw new RangeError(
      `primaryRiskDifference: blocks ${blocks.name} has ${blocks.index.length} values, expected ${n}`,
    );
  if (cluster && cluster.index.length !== n)
    throw new RangeError(
      `primaryRiskDifference: cluster ${cluster.name} has ${cluster.index.length} values, expected ${n}`,
    );
  let nTreated = 0;
  for (let i = 0; i < n; i++) {
    const t = treated[i]!;
    if (t !== 0 && t !== 1) throw new RangeError(`primaryRiskDifference: treated[${i}] = ${t} is not 0 or 1`);
    nTreated += t;
  }
  if (nTreated === 0 || nTreated === n)
    throw new RangeError(`primaryRiskDifference: all ${n} people are in one arm; a risk difference needs both arms`);

  const seType = cluster ? 'CR2' : 'HC2';
  const fit = fitRobustLm({
    y,
    covariates: [{ name: 'arm', values: treated }, ...covariates],
    factor: blocks,
    cluster: cluster ? { index: cluster.index, levels: cluster.levels } : null,
    seType,
    dfFor: [0],
  });
  const arm = fit.coefficients[0]!;
  const df = arm.df;
  const crit = qt(1 - alpha / 2, df);
  const method = methodSentence(
    outcome,
    covariates.map((c) => c.name),
    blocks?.name ?? null,
    cluster?.name ?? null,
  );
  const row = clean({
    outcome,
    measure: 'risk_difference',
    estimate: arm.estimate,
    std_error: arm.std_error,
    conf_low: arm.estimate - crit * arm.std_error,
    conf_high: arm.estimate + crit * arm.std_error,
    statistic: arm.statistic,
    p_value: arm.p_value,
    method,
    df,
  });
  const per100 = clean({
    ...row,
    measure: 'per_100',
    estimate: 100 * arm.estimate,
    std_error: 100 * arm.std_error,
    conf_low: 100 * (arm.estimate - crit * arm.std_error),
    conf_high: 100 * (arm.estimate + crit * arm.std_error),
    method: `${method.replace(/\.$/, '')}, per 100 people.`,
  });
  return {
    row,
    per100,
    df,
    n: fit.n,
    n_clusters: fit.n_clusters,
    se_type: seType,
    covariates: covariates.map((c) => c.name),
    clustered_by: cluster?.name ?? null,
    blocked_by: blocks?.name ?? null,
  };
}

/** One sentence naming the model and the R call that reproduces it. */
function methodSentence(outcome: string, covs: string[], block: string | null, cluster: string | null): string {
  const terms = ['arm', ...covs, ...(block ? [`factor(${block})`] : [])].join(' + ');
  const adjusted = covs.length ? `adjusted for ${covs.join(', ')}` : 'unadjusted';
  const blocks = block ? ` with ${block} fixed effects` : '';
  const inference = cluster
    ? `CR2 cluster-robust standard error by ${cluster} with Satterthwaite degrees of freedom`
    : 'HC2 robust standard error with t on n - p degrees of freedom';
  const call = cluster
    ? `estimatr::lm_robust(${outcome} ~ ${terms}, clusters = ${cluster}, se_type = "CR2")`
    : `estimatr::lm_robust(${outcome} ~ ${terms}, se_type = "HC2")`;
  return `Risk difference as the arm coefficient of a linear probability model (OLS, ${adjusted}${blocks}), ${inference}, as R ${call}.`;
}
