/**
 * Effects for a continuous outcome (docs/reference/json.md#analyse,
 * docs/methods.md#continuous-outcomes): Hedges' g for individually randomised designs (OLS, small-sample factor J) and for
 * cluster designs (REML random-intercept model, total SD from the model without covariates, no J),
 * plus the mean difference and, for clusters, the ICC.
 */
import { DataError } from '../errors.js';
import { pt, qt } from '../stats/distributions.js';
import { fitOls } from '../stats/ols.js';
import { fitRandomIntercept, type FixedCovariate, type RandomInterceptFit } from '../stats/reml.js';
import { clean, pointRow, waldRow, zCrit, type EffectRow } from './effect-row.js';

export interface ContinuousEffectsInput {
  /** Outcome name for the rows' `outcome` field. */
  outcome: string;
  y: ArrayLike<number>;
  /** 1 = treatment, 0 = control. */
  treated: ArrayLike<number>;
  /** Baseline covariates (adjusted analysis when non-empty). */
  covariates?: readonly FixedCovariate[];
  /** Cluster (team) of each row: a cluster design when given. */
  cluster?: ArrayLike<string | number>;
  /** Two-sided alpha (default 0.05). */
  alpha?: number;
  /** File name for data error messages. */
  source?: string;
}

export interface ContinuousEffects {
  rows: EffectRow[];
  /** Individual designs: the pooled within-arm SD; cluster designs: sqrt(between + within) of the unadjusted model. */
  sdDenominator: number;
  /** Cluster designs: the fits (unadjusted `y ~ arm`, adjusted `y ~ arm + covariates`; the same object without covariates). */
  models?: { unadjusted: RandomInterceptFit; adjusted: RandomInterceptFit };
}

/**
 * Computes the continuous-outcome rows, treated versus control.
 *
 * Individual design (no `cluster`): b = OLS coefficient of arm in `lm(y ~ arm + covariates)`,
 * s = pooled within-arm SD of y, d = b / s, J = 1 - 3 / (4 (n_t + n_c - 2) - 1), g = J d,
 * Var(d) = (n_t + n_c) / (n_t n_c) + d^2 / (2 (n_t + n_c)), std_error = J sqrt(Var d),
 * CI g -/+ qnorm(1 - alpha/2) std_error; statistic and p_value are the OLS t test of b (n - p df).
 * Rows: `hedges_g`, `mean_difference` (b, OLS SE, t CI and p as `confint(lm)`, with `df`).
 *
 * Cluster design: b and SE(b) from REML `lmer(y ~ arm + covariates + (1 | cluster))`,
 * s = sqrt(s2_between + s2_within) from `lmer(y ~ arm + (1 | cluster))`, g = b / s (no J),
 * std_error = SE(b) / s (s treated as known), normal CI. Rows: `hedges_g`, `mean_difference`
 * (b, SE, Wald z and normal CI as `confint(fit, method = "Wald")`), `icc` (unadjusted model, no SE).
 * @throws DataError when the models cannot be fitted (too few rows or clusters, collinear covariates)
 *   or an arm has fewer than 2 rows
 */
export function continuousEffects(input: ContinuousEffectsInput): ContinuousEffects {
  const alpha = input.alpha ?? 0.05;
  const covariates = input.covariates ?? [];
  const n = input.y.length;
  if (input.treated.length !== n)
    throw new RangeError(`continuousEffects: ${n} outcomes but ${input.treated.length} arm values`);
  const arm: FixedCovariate = { name: 'arm', values: input.treated };
  const adjustedFor = covariates.length > 0 ? `, adjusted for ${covariates.map((c) => c.name).join(', ')}` : '';

  if (input.cluster === undefined) {
    const stats = armMoments(input.y, input.treated, input.source ?? 'data');
    const nt = stats.treated.n;
    const nc = stats.control.n;
    const sPooled = Math.sqrt(((nt - 1) * stats.treated.variance + (nc - 1) * stats.control.variance) / (nt + nc - 2));
    const fit = fitOls(input.y, [arm, ...covariates], input.source);
    const b = fit.coefficients[1]!;
    const d = b.estimate / sPooled;
    const j = 1 - 3 / (4 * (nt + nc - 2) - 1);
    const g = j * d;
    const se = j * Math.sqrt((nt + nc) / (nt * nc) + (d * d) / (2 * (nt + nc)));
    const z = zCrit(alpha);
    const tq = qt(1 - alpha / 2, fit.dfResidual);
    const rows: EffectRow[] = [
      clean({
        outcome: input.outcome,
        measure: 'hedges_g',
        estimate: g,
        std_error: se,
        conf_low: g - z * se,
        conf_high: g + z * se,
        statistic: b.statistic,
        p_value: b.pValue,
        method:
          `Hedges' g = J b / pooled within-arm SD (EEF), b from OLS${adjustedFor}; ` +
          `SE J sqrt(Var d), normal CI; statistic and p: OLS t test of b on ${fit.dfResidual} df`,
        df: fit.dfResidual,
      }),
      clean({
        outcome: input.outcome,
        measure: 'mean_difference',
        estimate: b.estimate,
        std_error: b.stdError,
        conf_low: b.estimate - tq * b.stdError,
        conf_high: b.estimate + tq * b.stdError,
        statistic: b.statistic,
        p_value: 2 * pt(-Math.abs(b.statistic), fit.dfResidual),
        method: `OLS treatment coefficient${adjustedFor} (R lm), t CI on ${fit.dfResidual} df`,
        df: fit.dfResidual,
      }),
    ];
    return { rows, sdDenominator: sPooled };
  }

  if (input.cluster.length !== n)
    throw new RangeError(`continuousEffects: ${n} outcomes but ${input.cluster.length} cluster values`);
  armMoments(input.y, input.treated, input.source ?? 'data');
  const base = { y: input.y, cluster: input.cluster, source: input.source };
  const unadjusted = fitRandomIntercept({ ...base, covariates: [arm] });
  const adjusted =
    covariates.length > 0 ? fitRandomIntercept({ ...base, covariates: [arm, ...covariates] }) : unadjusted;
  const b = adjusted.fixed[1]!;
  const s = Math.sqrt(unadjusted.sigma2Between + unadjusted.sigma2Within);
  const g = b.estimate / s;
  const se = b.stdError / s;
  const singular = (f: RandomInterceptFit): string => (f.singular ? '; singular fit: between-cluster variance 0' : '');
  // g / SE(g) = b / SE(b): the Wald z of g is the model's z for b.
  const rows: EffectRow[] = [
    waldRow(
      input.outcome,
      'hedges_g',
      g,
      se,
      alpha,
      `Hedges' g = b / sqrt(between + within variance) (EEF cluster guidance, no small-sample factor); ` +
        `b from REML random-intercept model${adjustedFor} (R lme4::lmer), SD from the model without covariates; ` +
        `SE = SE(b) / SD, normal CI and Wald z${singular(adjusted)}`,
    ),
    waldRow(
      input.outcome,
      'mean_difference',
      b.estimate,
      b.stdError,
      alpha,
      `REML random-intercept model${adjustedFor} (R lme4::lmer); Wald z and normal CI as confint(fit, method = "Wald")${singular(adjusted)}`,
    ),
    pointRow(
      input.outcome,
      'icc',
      unadjusted.icc,
      `between / (between + within) variance, REML random-intercept model y ~ arm + (1 | cluster) (R lme4::lmer)${singular(unadjusted)}`,
    ),
  ];
  return { rows, sdDenominator: s, models: { unadjusted, adjusted } };
}

interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** Per-arm n, mean and sample variance; every arm value must be 0 or 1 and each arm needs 2+ rows. */
function armMoments(
  y: ArrayLike<number>,
  treated: ArrayLike<number>,
  source: string,
): { treated: Moments; control: Moments } {
  const sum = [0, 0];
  const count = [0, 0];
  for (let i = 0; i < y.length; i++) {
    const a = treated[i];
    if (a !== 0 && a !== 1) throw new RangeError(`continuousEffects: treated[${i}] = ${a} is not 0 or 1`);
    if (!Number.isFinite(y[i]!)) throw new RangeError(`continuousEffects: y[${i}] = ${y[i]} is not finite`);
    sum[a]! += y[i]!;
    count[a]!++;
  }
  for (const a of [0, 1]) {
    if (count[a]! < 2) {
      const reason = `the ${a === 1 ? 'treatment' : 'control'} arm has ${count[a]} row(s) with the outcome; at least 2 are needed`;
      throw new DataError({ file: source, line: null, column: null, value: null, reason });
    }
  }
  const mean = [sum[0]! / count[0]!, sum[1]! / count[1]!];
  const ss = [0, 0];
  for (let i = 0; i < y.length; i++) {
    const a = treated[i]!;
    ss[a]! += (y[i]! - mean[a]!) ** 2;
  }
  const moments = (a: number): Moments => ({ n: count[a]!, mean: mean[a]!, variance: ss[a]! / (count[a]! - 1) });
  return { treated: moments(1), control: moments(0) };
}
