/**
 * `analyse --impute m`: the missing-data sensitivity analysis of the primary binary outcome
 * (multiple imputation under MAR + the tipping-point table), taken from the parsed trial data.
 * The primary analysis stays complete cases.
 */
import { UsageError } from '../errors.js';
import { SingularDesignError } from '../stats/irls.js';
import type { EffectRow } from './effect-row.js';
import { multipleImputation, type MissingByArm, type TippingPointRow } from './multiple-imputation.js';
import type { OutcomeData, TrialData } from './trial-data.js';

export type { TippingPointRow } from './multiple-imputation.js';

export interface MissingDataSummary {
  method: 'multiple_imputation';
  outcome: string;
  imputations: number;
  seed: number;
  /** Probability shifts of the tipping-point grid. */
  deltas: number[];
  by_arm: MissingByArm[];
}

/**
 * The people analysed are those measurable (and with a positive weight, if any); among them a
 * missing outcome (withdrawn, or empty) or covariate is imputed.
 */
export function missingDataAnalysis(
  data: TrialData,
  outcome: OutcomeData,
  options: { alpha: number; impute: number; seed?: number },
  warnings: string[],
): { rows: EffectRow[]; missing_data: MissingDataSummary; tipping_point: TippingPointRow[] } {
  if (outcome.kind !== 'binary')
    throw new UsageError(
      `--impute: multiple imputation is implemented for a binary primary outcome (reoffended); ${outcome.name} is ${outcome.kind}`,
    );
  if (!(Number.isInteger(options.impute) && options.impute >= 2))
    throw new UsageError(`--impute needs at least 2 imputations, got ${options.impute}`);
  const seed = options.seed!;
  const keep: number[] = [];
  for (let i = 0; i < data.n; i++) if (data.measurable[i] && (!data.weights || data.weights[i]! > 0)) keep.push(i);
  const y = Float64Array.from(keep, (i) => outcome.y[i]!);
  const arm = Uint8Array.from(keep, (i) => data.arm[i]!);
  const cov = data.covariates;
  const covariates = cov
    ? cov.terms.map((t, j) => ({ name: t, values: Float64Array.from(keep, (i) => cov.X[j * data.n + i]!) }))
    : undefined;
  if (data.cluster)
    warnings.push(
      `${outcome.name}: multiple imputation uses a single-level imputation model and pools individual-level risk differences: the clustering by ${data.cluster.column} is ignored in the mi_ rows and the tipping-point table`,
    );
  if (data.weights)
    warnings.push(
      `${outcome.name}: multiple imputation ignores --weights (the imputations and pooled estimates are unweighted)`,
    );
  let res;
  try {
    res = multipleImputation({
      outcome: outcome.name,
      y,
      arm,
      armLabels: { treatment: data.treatment, control: data.control },
      covariates,
      imputations: options.impute,
      seed,
      alpha: options.alpha,
    });
  } catch (err) {
    if (err instanceof SingularDesignError || err instanceof RangeError)
      throw new UsageError(`--impute: the imputation model cannot be fitted: ${err.message}`);
    throw err;
  }
  const totalMissing = res.missing.reduce((s, m) => s + m.outcome_missing, 0);
  if (totalMissing === 0)
    warnings.push(
      `${outcome.name}: no outcome is missing among the measurable people, so the imputed analysis repeats the complete-case one`,
    );
  return {
    rows: res.rows,
    missing_data: {
      method: 'multiple_imputation',
      outcome: outcome.name,
      imputations: options.impute,
      seed,
      deltas: [...new Set(res.tipping_point.map((r) => r.delta_control))],
      by_arm: res.missing,
    },
    tipping_point: res.tipping_point,
  };
}
