/**
 * Effects for a time-to-event outcome (CONTRACT.md "analyse": `days_to_reoffence` with
 * `follow_up_days`): Kaplan-Meier survival per arm at fixed days, the Cox hazard ratio (Efron ties,
 * Wald CI) and the log-rank test, treated versus control.
 */
import { coxRegression, CoxDesignError, type CoxCovariate } from '../stats/cox-regression.js';
import { kaplanMeier, survivalAt } from '../stats/kaplan-meier.js';
import { logRank } from '../stats/logrank.js';
import { clean, nullRow, ratioRow, type EffectRow } from './effect-row.js';

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
  /** Days for `km_survival_<day>` (default 90, 182, 365). */
  days?: readonly number[];
  /** Two-sided alpha (default 0.05). */
  alpha?: number;
}

export const DEFAULT_KM_DAYS: readonly number[] = [90, 182, 365];

/**
 * Rows: `km_survival_<day>` for each day, control then treatment (with `arm`), then `hazard_ratio`,
 * then `logrank`. Degenerate cases give rows with null numbers and the reason in `method`:
 * no events in an arm (hazard ratio 0 or infinite), no events at all, a day after the end of an
 * arm's follow-up (unless its curve has already reached 0). Never NaN.
 */
export function survivalEffects(input: SurvivalEffectsInput): EffectRow[] {
  const alpha = input.alpha ?? 0.05;
  const days = input.days ?? DEFAULT_KM_DAYS;
  const n = input.time.length;
  if (input.status.length !== n || input.treated.length !== n) {
    throw new RangeError(`survivalEffects: ${n} times, ${input.status.length} status values, ${input.treated.length} arm values`);
  }
  const arms: Array<{ code: 0 | 1; label: string }> = [
    { code: 0, label: input.armLabels.control },
    { code: 1, label: input.armLabels.treatment },
  ];
  const events = [0, 0];
  const sizes = [0, 0];
  const byArm: Array<{ time: number[]; status: number[] }> = [
    { time: [], status: [] },
    { time: [], status: [] },
  ];
  for (let i = 0; i < n; i++) {
    const a = input.treated[i];
    if (a !== 0 && a !== 1) throw new RangeError(`survivalEffects: treated[${i}] = ${a} is not 0 or 1`);
    sizes[a]!++;
    events[a]! += input.status[i]!;
    byArm[a]!.time.push(input.time[i]!);
    byArm[a]!.status.push(input.status[i]!);
  }

  const rows: EffectRow[] = [];
  for (const day of days) {
    for (const { code, label } of arms) {
      const measure = `km_survival_${day}`;
      if (sizes[code] === 0) {
        rows.push({ ...nullRow(input.outcome, measure, 'not estimable: no one in this arm'), arm: label });
        continue;
      }
      const km = kaplanMeier(byArm[code]!.time, byArm[code]!.status);
      const point = survivalAt(km, day, 1 - alpha);
      if (point.beyondFollowUp && point.estimate > 0) {
        rows.push({
          ...nullRow(input.outcome, measure, `not estimable: follow-up in this arm ends at day ${km.maxTime}`),
          arm: label,
        });
        continue;
      }
      rows.push({
        ...clean({
          outcome: input.outcome,
          measure,
          estimate: point.estimate,
          std_error: point.stdErr,
          conf_low: point.confLow,
          conf_high: point.confHigh,
          statistic: null,
          p_value: null,
          method: 'Kaplan-Meier (R survfit): estimate at the last event time on or before the day, Greenwood SE, log-scale CI',
        }),
        arm: label,
      });
    }
  }

  rows.push(hazardRatioRow(input, events, alpha));

  const lr = logRank(input.time, input.status, input.treated);
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
          method: `log-rank test (R survdiff, rho = 0), chi-square on ${lr.df} df`,
          df: lr.df,
        }),
  );
  return rows;
}

function hazardRatioRow(input: SurvivalEffectsInput, allEvents: number[], alpha: number): EffectRow {
  const covariates = input.covariates ?? [];
  let { time, status, treated } = input;
  let events = allEvents;
  const keep = input.coxRows;
  if (keep) {
    const t: number[] = [];
    const st: number[] = [];
    const tr: number[] = [];
    events = [0, 0];
    for (let i = 0; i < keep.length; i++) {
      if (!keep[i]) continue;
      t.push(time[i]!);
      st.push(status[i]!);
      tr.push(treated[i]!);
      events[treated[i]!]! += status[i]!;
    }
    [time, status, treated] = [t, st, tr];
  }
  const adjustedFor = covariates.length > 0 ? `, adjusted for ${covariates.map((c) => c.name).join(', ')}` : '';
  const method = `Cox proportional hazards, Efron ties${adjustedFor} (R coxph); log-scale SE, Wald z and CI`;
  if (events[0] === 0 && events[1] === 0) return nullRow(input.outcome, 'hazard_ratio', 'not estimable: no events in either arm');
  if (events[0] === 0 || events[1] === 0) {
    const which = events[0] === 0 ? 'control' : 'treatment';
    return nullRow(input.outcome, 'hazard_ratio', `not estimable: no events in the ${which} arm (the hazard ratio is ${which === 'control' ? 'infinite' : '0'})`);
  }
  try {
    const fit = coxRegression(time, status, [{ name: 'arm', values: treated }, ...covariates], { alpha });
    const arm = fit.coefficients[0]!;
    const infinite = fit.coefficients.filter((c) => c.possiblyInfinite).map((c) => c.name);
    if (infinite.length > 0) {
      return nullRow(input.outcome, 'hazard_ratio', `not estimable: the Cox coefficient(s) of ${infinite.join(', ')} may be infinite (monotone likelihood)`);
    }
    return ratioRow(input.outcome, 'hazard_ratio', arm.estimate, arm.stdError, alpha, method);
  } catch (err) {
    if (err instanceof CoxDesignError) return nullRow(input.outcome, 'hazard_ratio', `not estimable: ${err.message}`);
    throw err;
  }
}
