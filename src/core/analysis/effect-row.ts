/**
 * The tidy effect row of `analyse` (docs/reference/json.md#effect-rows): one estimate per outcome and measure, with the
 * broom-style vocabulary. Non-finite numbers never leave this module: they become null.
 */
import { pnorm, qnorm } from '../stats/distributions.js';
import type { TTestResult } from '../stats/welch-t-test.js';
import type { Measure } from './measures.js';

export interface EffectRow {
  outcome: string;
  /** One of the closed list of measures (measures.ts). */
  measure: Measure;
  estimate: number | null;
  std_error: number | null;
  conf_low: number | null;
  conf_high: number | null;
  statistic: number | null;
  p_value: number | null;
  method: string;
  /** Per-arm measures (Kaplan-Meier) name their arm. */
  arm?: string;
  /** More than two arms: the treatment arm of the comparison (with control) the row belongs to. */
  comparison?: string;
  /** NNT: whether the treatment prevents (benefit) or causes (harm) re-offences. */
  direction?: 'benefit' | 'harm' | null;
  /** Degrees of freedom of a t-based row. */
  df?: number;
  /** Permutation / bootstrap replicate count and seed. */
  replicates?: number;
  seed?: number;
  /** Subgroup rows: `"<column>=<level>"` for a per-level effect, the column for its `interaction` row. */
  subgroup?: string;
  /** Subgroup rows: true unless the subgroup is pre-specified in the analysis plan. */
  exploratory?: boolean;
  /** Subgroup rows: the arm counts behind the estimate (outcome counts, for disclosure control). */
  counts?: { n_treatment: number; events_treatment: number; n_control: number; events_control: number };
}

/** Keeps finite numbers; NaN and infinities become null. */
export function fin(x: number | null | undefined): number | null {
  return x !== null && x !== undefined && Number.isFinite(x) ? x : null;
}

/** The two-sided normal quantile for confidence level 1 - alpha: qnorm(1 - alpha/2) exactly. */
export function zCrit(alpha: number): number {
  return qnorm(1 - alpha / 2);
}

/** Two-sided normal p-value of a z statistic. */
export function pFromZ(z: number): number {
  // A zero standard error (e.g. everyone in both arms re-offended) gives 0/0: no test, a null p.
  if (Number.isNaN(z)) return NaN;
  return 2 * pnorm(-Math.abs(z));
}

/** A row on a linear scale: estimate +/- z se, Wald z and p. */
export function waldRow(
  outcome: string,
  measure: Measure,
  estimate: number,
  se: number,
  alpha: number,
  method: string,
): EffectRow {
  const z = zCrit(alpha);
  const stat = estimate / se;
  return clean({
    outcome,
    measure,
    estimate,
    std_error: se,
    conf_low: estimate - z * se,
    conf_high: estimate + z * se,
    statistic: stat,
    p_value: pFromZ(stat),
    method,
  });
}

/** A ratio row: log estimate and its SE; the estimate and CI are exponentiated, std_error stays on the log scale. */
export function ratioRow(
  outcome: string,
  measure: Measure,
  logEstimate: number,
  logSe: number,
  alpha: number,
  method: string,
): EffectRow {
  const z = zCrit(alpha);
  const stat = logEstimate / logSe;
  return clean({
    outcome,
    measure,
    estimate: Math.exp(logEstimate),
    std_error: logSe,
    conf_low: Math.exp(logEstimate - z * logSe),
    conf_high: Math.exp(logEstimate + z * logSe),
    statistic: stat,
    p_value: pFromZ(stat),
    method,
  });
}

/** A row from a two-sample t-test (R t.test): its estimate, SE, t CI, statistic, p and df. */
export function tTestRow(outcome: string, measure: Measure, t: TTestResult, method: string): EffectRow {
  return clean({
    outcome,
    measure,
    estimate: t.estimate,
    std_error: t.std_error,
    conf_low: t.conf_low,
    conf_high: t.conf_high,
    statistic: t.statistic,
    p_value: t.p_value,
    method,
    df: t.df,
  });
}

/** A row with only an estimate (an ICC, a design effect): no SE, interval or test. */
export function pointRow(outcome: string, measure: Measure, estimate: number, method: string): EffectRow {
  return clean({ ...nullRow(outcome, measure, method), estimate });
}

/** A row whose numbers are all unavailable, with the reason in `method`. */
export function nullRow(outcome: string, measure: Measure, method: string): EffectRow {
  return {
    outcome,
    measure,
    estimate: null,
    std_error: null,
    conf_low: null,
    conf_high: null,
    statistic: null,
    p_value: null,
    method,
  };
}

/** Replaces any non-finite number by null. */
export function clean(row: EffectRow): EffectRow {
  return {
    ...row,
    estimate: fin(row.estimate),
    std_error: fin(row.std_error),
    conf_low: fin(row.conf_low),
    conf_high: fin(row.conf_high),
    statistic: fin(row.statistic),
    p_value: fin(row.p_value),
  };
}

/**
 * The `per_100` row of a risk difference: "for every 100 people", the difference, its SE and its
 * interval (crit x SE either side) times 100; the test statistic and p are the difference's own.
 */
export function per100Row(
  outcome: string,
  rd: number,
  se: number,
  crit: number,
  statistic: number | null,
  pValue: number | null,
  method: string,
): EffectRow {
  return clean({
    outcome,
    measure: 'per_100',
    estimate: 100 * rd,
    std_error: 100 * se,
    conf_low: 100 * (rd - crit * se),
    conf_high: 100 * (rd + crit * se),
    statistic,
    p_value: pValue,
    method,
  });
}
