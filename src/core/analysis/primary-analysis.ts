/**
 * The headline: the analysis plan's pre-specified primary analysis, estimated by the model that
 * mirrors the randomisation (see docs/methods.md, "The headline"). For a binary or numeric outcome
 * it is the treatment coefficient of a linear model of the outcome on arm, the plan's covariates and
 * (in a blocked design) block fixed effects, with HC2 robust inference, or CR2 cluster-robust
 * inference with Satterthwaite degrees of freedom in a cluster design (primaryRiskDifference). For
 * time to first re-offence it is the Cox hazard ratio (robust to clustering in a cluster design).
 * The verdict is read from this analysis alone; every other estimate of the primary outcome is a
 * sensitivity analysis, and where one disagrees in direction or significance the headline says so.
 */
import { UsageError } from '../errors.js';
import type { PrimaryMeasure, ResolvedPlan } from '../plan/analysis-plan.js';
import { SingularDesignError } from '../stats/logistic-regression.js';
import type { EffectRow } from './effect-row.js';
import { primaryRiskDifference } from './primary-effect.js';
import type { TrialData } from './trial-data.js';
import type { Measure } from './measures.js';
import { verdictFor, type Verdict } from './verdict.js';

export interface SensitivityRow {
  outcome: string;
  measure: Measure;
  estimate: number | null;
  conf_low: number | null;
  conf_high: number | null;
  p_value: number | null;
  verdict: Verdict;
  /** Whether it tells the same story as the primary analysis (same verdict). */
  agrees: boolean;
  method: string;
}

/** The headline object of `report` JSON and of `analyse --plan --json` (one shape for both). */
export interface Headline {
  outcome: string;
  measure: PrimaryMeasure;
  estimate: number | null;
  std_error: number | null;
  conf_low: number | null;
  conf_high: number | null;
  statistic: number | null;
  p_value: number | null;
  df: number | null;
  /** Risk difference x 100: "for every 100 people" (null for other measures). */
  per_100: number | null;
  per_100_conf_low: number | null;
  per_100_conf_high: number | null;
  /** Null at pilot stage: outcomes are indicative only. */
  verdict: Verdict | null;
  /** The verdict the interval gives (also at pilot stage, for the wording). */
  computed_verdict: Verdict;
  /** One sentence: the model, the inference and the R call it matches. */
  method: string;
  covariates: string[];
  clustered_by: string | null;
  blocks: string | null;
  n_treatment: number | null;
  n_control: number | null;
  n_clusters: number | null;
  rate_treatment: number | null;
  rate_control: number | null;
  indicative_only: boolean;
  /** Other estimates of the primary outcome, and whether each agrees with the primary analysis. */
  sensitivity: SensitivityRow[];
}

/** Measures of the primary outcome read as sensitivity analyses (when present in the effects). */
const SENSITIVITY: Record<string, string[]> = {
  binary: [
    'risk_difference',
    'adjusted_odds_ratio',
    'cluster_robust_odds_ratio',
    'cluster_level_risk_difference',
    'odds_ratio',
    'glmm_odds_ratio',
  ],
  time: ['hazard_ratio', 'stratified_hazard_ratio'],
  count: ['rate_ratio', 'mean_difference', 'nb_rate_ratio'],
  continuous: ['hedges_g', 'mean_difference'],
};

/**
 * The primary analysis of `data` under the plan. `effects` are the rows `analyseData` produced for
 * the same data (the sensitivity analyses are read from them, and a hazard-ratio primary is one of them).
 * @param stage 'pilot' gives a null verdict (indicative only).
 */
export function primaryAnalysis(
  data: TrialData,
  plan: ResolvedPlan,
  effects: readonly EffectRow[],
  pilot: boolean,
): Headline {
  const outcome = data.outcomes.find((o) => o.name === plan.primary.outcome);
  if (!outcome)
    throw new UsageError(
      `the analysis plan's primary outcome "${plan.primary.outcome}" is not among the outcomes analysed (${data.outcomes.map((o) => o.name).join(', ')})`,
    );
  const measure = plan.primary.measure;
  const alpha = plan.alpha;
  const covariates = data.covariates?.columns ?? [];
  let row: EffectRow;
  let per100: EffectRow | null = null;
  let df: number | null = null;
  let nT = 0;
  let nC = 0;
  let nClusters: number | null = null;
  let sumT = 0;
  let sumC = 0;
  if (measure === 'hazard_ratio') {
    if (outcome.kind !== 'time')
      throw new UsageError(
        `the plan's primary measure hazard_ratio needs a time-to-event outcome; ${outcome.name} is ${outcome.kind}`,
      );
    const want = data.stratum ? 'stratified_hazard_ratio' : 'hazard_ratio';
    row =
      effects.find((e) => e.outcome === outcome.name && e.measure === want && e.arm === undefined) ??
      effects.find((e) => e.outcome === outcome.name && e.measure === 'hazard_ratio' && e.arm === undefined)!;
    for (let i = 0; i < data.n; i++) {
      if (!data.measurable[i] || Number.isNaN(outcome.y[i]!)) continue;
      if (data.arm[i]) nT++;
      else nC++;
    }
  } else {
    if (outcome.kind === 'time')
      throw new UsageError(
        `the primary outcome ${outcome.name} is a time to event: its measure is hazard_ratio, not ${measure}`,
      );
    if (measure === 'risk_difference' && outcome.kind !== 'binary')
      throw new UsageError(
        `the plan's primary measure risk_difference needs a 0/1 outcome; ${outcome.name} is ${outcome.kind} (use mean_difference)`,
      );
    // Complete cases: measurable, outcome known, covariates and blocks known, positive weight.
    const cov = data.covariates;
    const keep: number[] = [];
    for (let i = 0; i < data.n; i++) {
      if (!data.measurable[i] || Number.isNaN(outcome.y[i]!)) continue;
      if (data.weights && !(data.weights[i]! > 0)) continue;
      let ok = true;
      if (cov) for (let j = 0; j < cov.q && ok; j++) if (Number.isNaN(cov.X[j * data.n + i]!)) ok = false;
      if (ok && data.stratum && data.stratum.index[i]! < 0) ok = false;
      if (ok) keep.push(i);
    }
    const n = keep.length;
    const y = new Float64Array(n);
    const treated = new Float64Array(n);
    keep.forEach((i, r) => {
      y[r] = outcome.y[i]!;
      treated[r] = data.arm[i]!;
      if (data.arm[i]) {
        nT++;
        sumT += y[r]!;
      } else {
        nC++;
        sumC += y[r]!;
      }
    });
    const covs = cov
      ? cov.terms.map((name, j) => ({ name, values: Float64Array.from(keep, (i) => cov.X[j * data.n + i]!) }))
      : [];
    const factor = (f: TrialData['cluster']) => {
      if (!f) return null;
      const map = new Int32Array(f.levels.length).fill(-1);
      const index = new Int32Array(n);
      let k = 0;
      keep.forEach((i, r) => {
        const c = f.index[i]!;
        if (map[c] === -1) map[c] = k++;
        index[r] = map[c]!;
      });
      return { name: f.column, index, levels: k };
    };
    const cluster = factor(data.cluster);
    nClusters = cluster ? cluster.levels : null;
    try {
      const fit = primaryRiskDifference({
        outcome: outcome.name,
        y,
        treated,
        covariates: covs,
        blocks: factor(data.stratum),
        cluster,
        alpha,
      });
      row = measure === 'risk_difference' ? fit.row : { ...fit.row, measure: 'mean_difference' };
      per100 = measure === 'risk_difference' ? fit.per100 : null;
      df = fit.df;
    } catch (err) {
      if (err instanceof RangeError || err instanceof SingularDesignError)
        throw new UsageError(`the primary analysis of ${outcome.name} cannot be fitted: ${err.message}`);
      throw err;
    }
  }
  const computed = verdictFor(row);
  const sensitivity: SensitivityRow[] = [];
  const kinds = SENSITIVITY[outcome.kind] ?? [];
  for (const e of effects) {
    // Subgroup rows estimate the effect in part of the trial: not sensitivity analyses of the whole.
    if (
      e.arm !== undefined ||
      e.subgroup !== undefined ||
      e.p_value === null ||
      e.conf_low === null ||
      e.conf_high === null
    )
      continue;
    const same = e.outcome === outcome.name && kinds.includes(e.measure);
    // The time to first re-offence is the binary outcome's companion: its hazard ratio is a sensitivity analysis too.
    const companion =
      outcome.name === 'reoffended' && e.outcome === 'days_to_reoffence' && e.measure === 'hazard_ratio';
    if (!(same || companion) || e === row) continue;
    const v = verdictFor(e);
    sensitivity.push({
      outcome: e.outcome,
      measure: e.measure,
      estimate: e.estimate,
      conf_low: e.conf_low,
      conf_high: e.conf_high,
      p_value: e.p_value,
      verdict: v,
      agrees: v === computed,
      method: e.method,
    });
  }
  return {
    outcome: outcome.name,
    measure,
    estimate: row.estimate,
    std_error: row.std_error,
    conf_low: row.conf_low,
    conf_high: row.conf_high,
    statistic: row.statistic,
    p_value: row.p_value,
    df,
    per_100: per100?.estimate ?? null,
    per_100_conf_low: per100?.conf_low ?? null,
    per_100_conf_high: per100?.conf_high ?? null,
    verdict: pilot ? null : computed,
    computed_verdict: computed,
    method: row.method,
    covariates,
    clustered_by: data.cluster?.column ?? null,
    blocks: data.stratum?.column ?? null,
    n_treatment: nT,
    n_control: nC,
    n_clusters: nClusters,
    rate_treatment: measure === 'risk_difference' && nT > 0 ? sumT / nT : null,
    rate_control: measure === 'risk_difference' && nC > 0 ? sumC / nC : null,
    indicative_only: pilot,
    sensitivity,
  };
}
