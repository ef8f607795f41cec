/**
 * Compliance: the complier average causal effect (`cace`) of receiving the intervention, and an
 * exploratory dose-response per session attended (`cace_dose`), each estimated by two-stage least
 * squares with random allocation as the instrument (Angrist, Imbens & Rubin 1996), with the robust
 * inference of R's `estimatr::iv_robust`: HC2 and t on n - p df for individual designs, CR2 with
 * Satterthwaite df for cluster designs (its defaults). Covariates enter both stages. Outcomes are
 * on their own scale: a 0/1 outcome gives a difference in proportions among compliers, a count a
 * difference in mean counts, a score a difference in means.
 */
import { fitIv, WeakInstrumentError, type IvFit } from '../stats/iv-regression.js';
import { clean, nullRow, type EffectRow } from './effect-row.js';
import type { OutcomeKind } from './trial-data.js';
import { percent } from '../format.js';

/** Below this first-stage F the instrument is weak (Staiger & Stock 1997's rule of thumb). */
export const WEAK_FIRST_STAGE_F = 10;

export interface CaceInput {
  outcome: string;
  kind: Exclude<OutcomeKind, 'time'>;
  y: ArrayLike<number>;
  /** 1 = allocated to treatment, 0 = control. */
  arm: ArrayLike<number>;
  /** Received the intervention (1 / 0, NaN = unknown). */
  received: ArrayLike<number>;
  /** Name of the received column (for the method text). */
  receivedColumn: string;
  /** Sessions attended (NaN = unknown); null leaves out `cace_dose`. */
  sessions: ArrayLike<number> | null;
  /** Name of the sessions column. */
  sessionsColumn?: string;
  /** Complete covariate columns (model terms, R names). */
  covariates?: ReadonlyArray<{ name: string; values: ArrayLike<number> }>;
  /** 0-based cluster per row: a cluster design (CR2). */
  cluster?: { index: ArrayLike<number>; nClusters: number; name: string } | null;
  armLabels: { treatment: string; control: string };
  alpha: number;
}

/**
 * The `cace` row (and `cace_dose` when sessions are given). Rows whose exposure is unknown are left
 * out (complete cases) with a warning; a first stage with no variation gives a null row.
 */
export function caceEffects(input: CaceInput, warnings: string[]): EffectRow[] {
  const rows: EffectRow[] = [row(input, 'cace', input.received, input.receivedColumn, warnings)];
  if (input.sessions)
    rows.push(row(input, 'cace_dose', input.sessions, input.sessionsColumn ?? 'sessions_attended', warnings));
  return rows;
}

function row(
  input: CaceInput,
  measure: 'cace' | 'cace_dose',
  exposure: ArrayLike<number>,
  column: string,
  warnings: string[],
): EffectRow {
  const { outcome, alpha } = input;
  const n = input.y.length;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(exposure[i]!)) keep.push(i);
  if (keep.length < n)
    warnings.push(
      `${outcome}: ${n - keep.length} analysed row(s) with no ${column} left out of ${measure} (complete cases)`,
    );
  const take = (v: ArrayLike<number>) => Float64Array.from(keep, (i) => v[i]!);
  let cluster: { index: Int32Array; levels: number } | null = null;
  if (input.cluster) {
    const map = new Int32Array(input.cluster.nClusters).fill(-1);
    let k = 0;
    const index = Int32Array.from(keep, (i) => {
      const c = input.cluster!.index[i]!;
      if (map[c] === -1) map[c] = k++;
      return map[c]!;
    });
    cluster = { index, levels: k };
  }
  const covs = input.covariates ?? [];
  const seType = cluster ? 'CR2' : 'HC2';
  const dose = measure === 'cace_dose';
  const label = dose
    ? 'exploratory: not randomised; dose-response per session attended'
    : 'complier average causal effect';
  let fit: IvFit;
  try {
    fit = fitIv({
      y: take(input.y),
      d: take(exposure),
      z: take(input.arm),
      covariates: covs.map((c) => ({ name: c.name, values: take(c.values) })),
      cluster,
      seType,
      alpha,
    });
  } catch (err) {
    if (!(err instanceof WeakInstrumentError || err instanceof RangeError)) throw err;
    warnings.push(`${outcome}: ${measure} not estimable: ${err.message}`);
    return nullRow(outcome, measure, `${label}: not estimable: ${err.message}`);
  }
  const covText = covs.length ? ` + ${covs.map((c) => c.name).join(' + ')}` : '';
  const call = `estimatr::iv_robust(${outcome} ~ ${column}${covText} | arm${covText}${cluster ? `, clusters = ${input.cluster!.name}` : ''}, se_type = "${seType}")`;
  const inference = cluster
    ? `CR2 cluster-robust SE (${fit.n_clusters} clusters) with Satterthwaite df`
    : 'HC2 robust SE, t on n - p df';
  const scale =
    input.kind === 'binary'
      ? 'difference in the proportion re-offending (a fraction)'
      : input.kind === 'count'
        ? 'difference in the mean count'
        : 'difference in means';
  const { treatment, control } = input.armLabels;
  const adjusted = covs.length ? ' (adjusted for the covariates)' : '';
  const firstStage = dose
    ? `first stage: mean ${column} ${fmt(fit.mean_d.treated, 2)} in ${treatment} vs ${fmt(fit.mean_d.control, 2)} in ${control}; difference ${fmt(fit.first_stage, 3)}${adjusted}, F = ${fmt(fit.first_stage_f, 1)}`
    : `first stage: ${pct(fit.mean_d.treated)} received it in ${treatment} vs ${pct(fit.mean_d.control)} in ${control}; compliance difference ${fmt(fit.first_stage, 3)}${adjusted}, F = ${fmt(fit.first_stage_f, 1)}`;
  const meaning = dose
    ? `the effect of one more session, assuming every session has the same effect and allocation acts only through the sessions attended; people chose how many sessions to attend, so this is not a randomised comparison`
    : `the effect of receiving the intervention among the people who take it up when offered it (compliers), assuming allocation acts only through receipt and makes nobody less likely to receive it`;
  const method = `${label}: two-stage least squares, random allocation instrumenting ${column}${covs.length ? ', covariates in both stages' : ''} (as ${call}); ${inference}; ${scale}; ${meaning}; ${firstStage}`;
  if (fit.first_stage_f < WEAK_FIRST_STAGE_F) {
    warnings.push(
      `${outcome}: ${measure}: weak first stage (F = ${fmt(fit.first_stage_f, 1)}, below ${WEAK_FIRST_STAGE_F}): allocation barely changes ${column}, so the estimate is imprecise and its interval unreliable`,
    );
  }
  return clean({
    outcome,
    measure,
    estimate: fit.estimate,
    std_error: fit.std_error,
    conf_low: fit.conf_low,
    conf_high: fit.conf_high,
    statistic: fit.statistic,
    p_value: fit.p_value,
    method,
    df: fit.df,
  });
}

const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : 'not available');
const pct = (x: number) => percent(x, 1, 'not available');
