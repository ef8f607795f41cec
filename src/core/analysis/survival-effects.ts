/**
 * Effects for a time-to-event outcome (`days_to_reoffence` with `follow_up_days`): Kaplan-Meier
 * survival per arm at chosen days and at the end of each arm's follow-up, the Cox hazard ratio
 * (Efron or Breslow ties; cluster-robust in a cluster design, with the robust score test), the
 * stratified hazard ratio, the log-rank test and the restricted mean survival time difference,
 * treated versus control.
 */
import {
  coxRegression,
  CoxDesignError,
  type CoxCovariate,
  type CoxFit,
  type CoxTies,
} from '../stats/cox-regression.js';
import { kaplanMeier, survivalAt, type KaplanMeier, type SurvivalPoint } from '../stats/kaplan-meier.js';
import { logRank } from '../stats/logrank.js';
import { rmstDifference, rmstMaxTau } from '../stats/rmst.js';
import { weightedSurvivalAt } from '../stats/weighted-km.js';
import { UsageError } from '../errors.js';
import { clean, nullRow, ratioRow, type EffectRow } from './effect-row.js';
import type { Measure } from './measures.js';

/** A grouping column as integer codes (>= 0) aligned to the rows. */
export interface SurvivalGrouping {
  /** Column name, for the method text (e.g. "team"). */
  name: string;
  index: ArrayLike<number>;
}

export interface SurvivalEffectsInput {
  /** Outcome name for the rows (e.g. "days_to_reoffence"). */
  outcome: string;
  /** Days to the event, or to the end of follow-up when censored. */
  time: ArrayLike<number>;
  /** 1 = event (re-offence), 0 = censored. */
  status: ArrayLike<number>;
  /** 1 = treatment, 0 = control. */
  treated: ArrayLike<number>;
  /** Arm labels for the per-arm Kaplan-Meier rows. */
  armLabels: { treatment: string; control: string };
  /**
   * Covariates for an adjusted Cox model (arm first, then these): the hazard ratio is then
   * adjusted, as `coxph(Surv(time, status) ~ arm + covariates)`. Kaplan-Meier and log-rank stay
   * unadjusted. Values are aligned to the rows kept by `coxRows` (all rows when absent).
   */
  covariates?: readonly CoxCovariate[];
  /** 1 = the row enters the Cox model (complete cases for the covariates); default all rows. */
  coxRows?: Uint8Array | null;
  /**
   * Clusters of a cluster-randomised design (aligned to all rows): the Cox rows use the robust
   * variance, as `coxph(..., cluster = team)`, a `cox_robust_score` row is added, and the log-rank
   * row says it ignores the clustering.
   */
  cluster?: SurvivalGrouping | null;
  /** Strata (aligned to all rows): adds `stratified_hazard_ratio`, as `coxph(... + strata(site))`. */
  strata?: SurvivalGrouping | null;
  /** Cox tie handling (default 'efron', as R). */
  ties?: CoxTies;
  /** Days for `km_survival_<day>` (default 90, 182, 365). */
  days?: readonly number[];
  /** Adds `rmst_difference` up to this day (survRM2::rmst2). */
  rmstDay?: number | null;
  /** Two-sided alpha (default 0.05). */
  alpha?: number;
  /**
   * Case weights aligned to all rows (the matching weights of `match`): the Cox rows are weighted,
   * as `coxph(..., weights = w, robust = TRUE)`, or with `cluster = <sets>` when `sets` (the matched
   * sets, else the design's clusters) is given. Kaplan-Meier, log-rank and RMST stay unweighted.
   */
  weights?: { values: ArrayLike<number>; sets: SurvivalGrouping | null } | null;
}

export const DEFAULT_KM_DAYS: readonly number[] = [90, 182, 365];

/**
 * Checks the user-facing time-to-event options (ties, Kaplan-Meier days, RMST day).
 * @throws UsageError naming the option
 */
export function checkSurvivalOptions(o: { ties?: string; kmDays?: readonly number[]; rmstDay?: number }): void {
  if (o.ties !== undefined && o.ties !== 'efron' && o.ties !== 'breslow')
    throw new UsageError(`--ties must be efron or breslow, got ${o.ties}`);
  for (const d of o.kmDays ?? []) {
    if (!(Number.isFinite(d) && d > 0)) throw new UsageError(`--km-days: each day must be a positive number, got ${d}`);
  }
  if (o.rmstDay !== undefined && !(Number.isFinite(o.rmstDay) && o.rmstDay > 0))
    throw new UsageError(`--rmst-day must be a positive number of days, got ${o.rmstDay}`);
}

const KM_METHOD =
  'Kaplan-Meier (R survfit): estimate at the last event time on or before the day, Greenwood SE, log-scale CI';

/**
 * Rows: `km_survival_<day>` for each day, control then treatment (with `arm`), `km_survival_end`
 * per arm, `hazard_ratio`, `cox_robust_score` (clustered only), `stratified_hazard_ratio` (with
 * strata), `logrank`, `rmst_difference` (with rmstDay). Degenerate cases give rows with null
 * numbers and the reason in `method`: no events in an arm (hazard ratio 0 or infinite), no events at
 * all, an RMST day after the curves end. Never NaN.
 */
export function survivalEffects(input: SurvivalEffectsInput): EffectRow[] {
  const alpha = input.alpha ?? 0.05;
  const days = input.days ?? DEFAULT_KM_DAYS;
  const n = input.time.length;
  if (input.status.length !== n || input.treated.length !== n) {
    throw new RangeError(
      `survivalEffects: ${n} times, ${input.status.length} status values, ${input.treated.length} arm values`,
    );
  }
  for (const g of [input.cluster, input.strata]) {
    if (g && g.index.length !== n)
      throw new RangeError(`survivalEffects: ${g.name} has ${g.index.length} codes, expected ${n}`);
  }
  const arms: Array<{ code: 0 | 1; label: string }> = [
    { code: 0, label: input.armLabels.control },
    { code: 1, label: input.armLabels.treatment },
  ];
  const events = [0, 0];
  const byArm: Array<{ time: number[]; status: number[] }> = [
    { time: [], status: [] },
    { time: [], status: [] },
  ];
  for (let i = 0; i < n; i++) {
    const a = input.treated[i];
    if (a !== 0 && a !== 1) throw new RangeError(`survivalEffects: treated[${i}] = ${a} is not 0 or 1`);
    events[a]! += input.status[i]!;
    byArm[a]!.time.push(input.time[i]!);
    byArm[a]!.status.push(input.status[i]!);
  }
  const curves: Array<KaplanMeier | null> = byArm.map((b) =>
    b.time.length > 0 ? kaplanMeier(b.time, b.status) : null,
  );

  const rows: EffectRow[] = [];
  // With --weights: each arm's rows, weights and matched sets (or clusters) for the weighted curve.
  const wsets = input.weights ? (input.weights.sets ?? input.cluster ?? null) : null;
  const weightedArm = [0, 1].map((code) => {
    if (!input.weights) return null;
    const t: number[] = [];
    const st: number[] = [];
    const ww: number[] = [];
    const cl: number[] = [];
    for (let i = 0; i < n; i++) {
      if (input.treated[i] !== code) continue;
      t.push(input.time[i]!);
      st.push(input.status[i]!);
      ww.push(input.weights.values[i]!);
      if (wsets) cl.push(wsets.index[i]!);
    }
    return { t, st, ww, cl: wsets ? cl : null };
  });
  const kmRow = (
    measure: Measure,
    code: 0 | 1,
    label: string,
    day: (km: KaplanMeier) => number,
    method: (km: KaplanMeier, p: SurvivalPoint) => string,
  ) => {
    const km = curves[code];
    if (!km) return { ...nullRow(input.outcome, measure, 'not estimable: no one in this arm'), arm: label };
    const wa = weightedArm[code];
    if (wa) {
      const d = day(km);
      const p = weightedSurvivalAt(wa.t, wa.st, wa.ww, d, 1 - alpha, wa.cl);
      const how = wsets
        ? `robust SE clustered by ${wsets.name} (R survfit(..., weights = w, cluster = ${wsets.name}))`
        : 'robust (infinitesimal jackknife) SE (R survfit(..., weights = w))';
      return {
        ...clean({
          outcome: input.outcome,
          measure,
          estimate: p.estimate,
          std_error: p.stdErr,
          conf_low: p.confLow,
          conf_high: p.confHigh,
          statistic: null,
          p_value: null,
          method: `weighted Kaplan-Meier by --weights: estimate at the last event time on or before day ${d}, ${how}, log-scale CI${d > km.maxTime ? `; follow-up in this arm ended at day ${km.maxTime}, carried forward` : ''}`,
        }),
        arm: label,
      };
    }
    const point = survivalAt(km, day(km), 1 - alpha);
    return {
      ...clean({
        outcome: input.outcome,
        measure,
        estimate: point.estimate,
        std_error: point.stdErr,
        conf_low: point.confLow,
        conf_high: point.confHigh,
        statistic: null,
        p_value: null,
        method: method(km, point),
      }),
      arm: label,
    };
  };
  for (const d of days) {
    for (const { code, label } of arms) {
      rows.push(
        kmRow(
          `km_survival_${d}`,
          code,
          label,
          () => d,
          (km, p) =>
            p.beyondFollowUp
              ? `${KM_METHOD}; follow-up in this arm ended earlier, at day ${km.maxTime}: the estimate there, carried forward (R summary(fit, times = ${d}, extend = TRUE))`
              : KM_METHOD,
        ),
      );
    }
  }
  for (const { code, label } of arms) {
    rows.push(
      kmRow(
        'km_survival_end',
        code,
        label,
        (km) => km.maxTime,
        (km) => `${KM_METHOD}; at the end of this arm's follow-up, day ${km.maxTime}`,
      ),
    );
  }

  const cox = coxRows(input);
  const ties = input.ties ?? 'efron';
  const covariates = input.covariates ?? [];
  const main = fitCox(cox, covariates, { alpha, ties, cluster: cox.cluster, weights: cox.weights });
  rows.push(hazardRatioRow(input, main, 'hazard_ratio', null, alpha));
  if (input.cluster) {
    // The unadjusted model on everyone: the main fit already when there are no covariates.
    const unadjusted =
      covariates.length === 0 && !input.coxRows
        ? main
        : fitCox({ time: input.time, status: input.status, treated: input.treated, events }, [], {
            alpha,
            ties,
            cluster: input.cluster.index,
            weights: input.weights?.values,
          });
    rows.push(robustScoreRow(input, unadjusted));
  }
  if (input.strata) {
    const stratified = fitCox(cox, covariates, {
      alpha,
      ties,
      cluster: cox.cluster,
      strata: cox.strata,
      weights: cox.weights,
    });
    rows.push(hazardRatioRow(input, stratified, 'stratified_hazard_ratio', input.strata, alpha));
  }

  const lr = logRank(input.time, input.status, input.treated);
  const ignores = input.cluster
    ? `; ignores the clustering by ${input.cluster.name} (people in a cluster are treated as independent): cox_robust_score is the cluster-robust test`
    : '';
  rows.push(
    lr.statistic === null
      ? nullRow(input.outcome, 'logrank', 'not estimable: no events in either arm')
      : clean({
          outcome: input.outcome,
          measure: 'logrank',
          estimate: null,
          std_error: null,
          conf_low: null,
          conf_high: null,
          statistic: lr.statistic,
          p_value: lr.pValue,
          method: `log-rank test (R survdiff, rho = 0), chi-square on ${lr.df} df${ignores}`,
          df: lr.df,
        }),
  );

  if (input.rmstDay !== undefined && input.rmstDay !== null) rows.push(rmstRow(input, curves, input.rmstDay, alpha));
  return rows;
}

interface CoxData {
  time: ArrayLike<number>;
  status: ArrayLike<number>;
  treated: ArrayLike<number>;
  cluster: ArrayLike<number> | undefined;
  strata: ArrayLike<number> | undefined;
  weights: ArrayLike<number> | undefined;
  events: number[];
}

/** The rows entering the Cox models (complete cases for the covariates). */
function coxRows(input: SurvivalEffectsInput): CoxData {
  const keep = input.coxRows;
  const n = input.time.length;
  const events = [0, 0];
  // Weighted: the robust SE clusters by matched set (else by the design's clusters, else per row).
  const clusterIndex = input.weights ? (input.weights.sets?.index ?? input.cluster?.index) : input.cluster?.index;
  if (!keep) {
    for (let i = 0; i < n; i++) events[input.treated[i]!]! += input.status[i]!;
    return {
      time: input.time,
      status: input.status,
      treated: input.treated,
      cluster: clusterIndex,
      strata: input.strata?.index,
      weights: input.weights?.values,
      events,
    };
  }
  const t: number[] = [];
  const st: number[] = [];
  const tr: number[] = [];
  const cl: number[] = [];
  const sg: number[] = [];
  const wt: number[] = [];
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    t.push(input.time[i]!);
    st.push(input.status[i]!);
    tr.push(input.treated[i]!);
    if (clusterIndex) cl.push(clusterIndex[i]!);
    if (input.weights) wt.push(input.weights.values[i]!);
    if (input.strata) sg.push(input.strata.index[i]!);
    events[input.treated[i]!]! += input.status[i]!;
  }
  return {
    time: t,
    status: st,
    treated: tr,
    cluster: clusterIndex ? cl : undefined,
    strata: input.strata ? sg : undefined,
    weights: input.weights ? wt : undefined,
    events,
  };
}

/** Fits the Cox model or returns why it cannot be: a flagged reason string. */
function fitCox(
  d: Pick<CoxData, 'time' | 'status' | 'treated' | 'events'>,
  covariates: readonly CoxCovariate[],
  options: {
    alpha: number;
    ties: CoxTies;
    cluster?: ArrayLike<number>;
    strata?: ArrayLike<number>;
    weights?: ArrayLike<number>;
  },
): CoxFit | string {
  if (d.events[0] === 0 && d.events[1] === 0) return 'not estimable: no events in either arm';
  if (d.events[0] === 0 || d.events[1] === 0) {
    const which = d.events[0] === 0 ? 'control' : 'treatment';
    return `not estimable: no events in the ${which} arm (the hazard ratio is ${which === 'control' ? 'infinite' : '0'})`;
  }
  try {
    const fit = coxRegression(d.time, d.status, [{ name: 'arm', values: d.treated }, ...covariates], options);
    const infinite = fit.coefficients.filter((c) => c.possiblyInfinite).map((c) => c.name);
    if (infinite.length > 0)
      return `not estimable: the Cox coefficient(s) of ${infinite.join(', ')} may be infinite (monotone likelihood)`;
    return fit;
  } catch (err) {
    if (err instanceof CoxDesignError) return `not estimable: ${err.message}`;
    throw err;
  }
}

function tiesText(ties: CoxTies): string {
  return ties === 'breslow' ? 'Breslow ties' : 'Efron ties';
}

function hazardRatioRow(
  input: SurvivalEffectsInput,
  fit: CoxFit | string,
  measure: Measure,
  strata: SurvivalGrouping | null,
  alpha: number,
): EffectRow {
  if (typeof fit === 'string') return nullRow(input.outcome, measure, fit);
  const covariates = input.covariates ?? [];
  const ties = fit.ties;
  const arm = fit.coefficients[0]!;
  const adjustedFor = covariates.length > 0 ? `, adjusted for ${covariates.map((c) => c.name).join(', ')}` : '';
  const stratified = strata
    ? `, stratified by ${strata.name} (${fit.strata} strata: a baseline hazard each; R coxph(... + strata(${strata.name})))`
    : '';
  const w = input.weights;
  const wsets = w ? (w.sets ?? input.cluster ?? null) : null;
  const inference = w
    ? `weighted by --weights; robust (sandwich) SE ${wsets ? `clustered by ${wsets.name} (${fit.robust!.clusters} clusters; R coxph(..., weights = w, cluster = ${wsets.name}))` : '(R coxph(..., weights = w, robust = TRUE))'}, model SE ${arm.modelStdError.toPrecision(4)}; log-scale SE, Wald z and CI`
    : input.cluster
      ? `robust (sandwich) SE clustered by ${input.cluster.name} (${fit.robust!.clusters} clusters; R coxph(..., cluster = ${input.cluster.name}), no small-sample factor), model SE ${arm.modelStdError.toPrecision(4)}; log-scale SE, Wald z and CI`
      : 'log-scale SE, Wald z and CI';
  const method = `Cox proportional hazards, ${tiesText(ties)}${adjustedFor}${stratified} (R coxph); ${inference}`;
  return ratioRow(input.outcome, measure, arm.estimate, arm.stdError, alpha, method);
}

/**
 * The robust score test of the arm-only Cox model with clusters (R `summary(coxph(Surv(time,
 * status) ~ arm, cluster = team))$robscore`), on everyone with a time (as the log-rank test): the
 * cluster-robust counterpart of the log-rank test.
 */
function robustScoreRow(input: SurvivalEffectsInput, fit: CoxFit | string): EffectRow {
  const cluster = input.cluster!;
  const measure = 'cox_robust_score';
  if (typeof fit === 'string') return nullRow(input.outcome, measure, fit);
  const ties = fit.ties;
  const test = fit.robust!.score;
  if (!test) return nullRow(input.outcome, measure, 'not estimable: the robust score variance is singular');
  return clean({
    outcome: input.outcome,
    measure,
    estimate: null,
    std_error: null,
    conf_low: null,
    conf_high: null,
    statistic: test.statistic,
    p_value: test.pValue,
    method: `robust score test of the unadjusted Cox model (${tiesText(ties)}) clustered by ${cluster.name} (${fit.robust!.clusters} clusters; R summary(coxph(Surv(time, status) ~ arm, cluster = ${cluster.name}))$robscore), chi-square on ${test.df} df: the log-rank test allowing for clustering`,
    df: test.df,
  });
}

function rmstRow(
  input: SurvivalEffectsInput,
  curves: Array<KaplanMeier | null>,
  tau: number,
  alpha: number,
): EffectRow {
  const measure = 'rmst_difference';
  const [control, treated] = curves;
  if (!control || !treated) return nullRow(input.outcome, measure, 'not estimable: an arm has no one');
  if (!(Number.isFinite(tau) && tau > 0))
    return nullRow(input.outcome, measure, `not estimable: the RMST day must be positive, got ${tau}`);
  const max = rmstMaxTau(control, treated);
  if (tau > max) {
    return nullRow(
      input.outcome,
      measure,
      `not estimable: day ${tau} is after day ${max}, the last day both arms' Kaplan-Meier curves are known (follow-up ends at day ${control.maxTime} in ${input.armLabels.control}, ${treated.maxTime} in ${input.armLabels.treatment}; survRM2::rmst2 refuses it too)`,
    );
  }
  const r = rmstDifference(control, treated, tau, alpha);
  const sd = clean({
    outcome: input.outcome,
    measure,
    estimate: r.estimate,
    std_error: r.stdErr,
    conf_low: r.confLow,
    conf_high: r.confHigh,
    statistic: r.statistic,
    p_value: r.pValue,
    method: `restricted mean survival time up to day ${tau}, ${input.armLabels.treatment} minus ${input.armLabels.control} (${r.treated.estimate.toFixed(1)} vs ${r.control.estimate.toFixed(1)} days; R survRM2::rmst2, unadjusted): area under each Kaplan-Meier curve, Greenwood-type SE, Wald z and CI`,
  });
  return sd;
}
