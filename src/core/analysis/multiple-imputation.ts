/**
 * Missing-data sensitivity analysis for a binary outcome (complete cases stay the primary
 * analysis): multiple imputation under missing at random by chained equations (outcome and
 * covariates, with the arm as a predictor), the risk difference (and, with covariates, the adjusted
 * odds ratio) estimated in each completed data set and pooled by Rubin's rules with the
 * Barnard-Rubin degrees of freedom (as R `mice::pool.scalar` / `mice::pool`), and a tipping-point
 * table (delta adjustment): the imputed probability of re-offending of the people whose outcome is
 * missing is shifted by delta_control / delta_treatment (probability scale, clipped to [0, 1]) and
 * the pooled risk difference and its verdict are recomputed for every pair on a grid.
 */
import { createRng } from '../random.js';
import { imputeChained, type CompletedSet, type ImputeVariable } from '../stats/chained-equations.js';
import { armDesign } from '../stats/logistic-regression.js';
import { fitGlm } from '../stats/irls.js';
import { poolScalar, type PooledEstimate } from '../stats/rubin.js';
import { clean, type EffectRow } from './effect-row.js';
import type { Measure } from './measures.js';
import { verdictFor, type Verdict } from './verdict.js';

export interface TippingPointRow {
  delta_control: number;
  delta_treatment: number;
  estimate: number | null;
  conf_low: number | null;
  conf_high: number | null;
  verdict: Verdict;
}

export interface MissingByArm {
  arm: string;
  n: number;
  outcome_missing: number;
  covariate_missing: number;
}

export interface MiInput {
  outcome: string;
  /** Outcome per person (0/1; NaN = missing). Only people who belong in the analysis. */
  y: Float64Array;
  /** 1 = treatment, 0 = control. */
  arm: Uint8Array;
  armLabels: { treatment: string; control: string };
  /** Covariate columns (NaN = missing), imputed too and adjusted for in mi_adjusted_odds_ratio. */
  covariates?: Array<{ name: string; values: Float64Array }>;
  imputations: number;
  seed: number;
  alpha: number;
  /** Grid of probability shifts for the tipping-point table (default -0.3 to 0.3 by 0.05). */
  deltas?: readonly number[];
  /** Chained-equation sweeps (default 5, as mice). */
  maxit?: number;
}

export interface MiResult {
  rows: EffectRow[];
  tipping_point: TippingPointRow[];
  missing: MissingByArm[];
}

export const DEFAULT_DELTAS: readonly number[] = Array.from(
  { length: 13 },
  (_, k) => Math.round((-0.3 + 0.05 * k) * 100) / 100,
);

/** Risk difference and its Wald variance in one completed data set. */
export function riskDifference(y: ArrayLike<number>, arm: ArrayLike<number>): { estimate: number; variance: number } {
  let a = 0;
  let nT = 0;
  let c = 0;
  let nC = 0;
  for (let i = 0; i < arm.length; i++) {
    if (arm[i]) {
      nT++;
      a += y[i]!;
    } else {
      nC++;
      c += y[i]!;
    }
  }
  const pT = a / nT;
  const pC = c / nC;
  return { estimate: pT - pC, variance: (pT * (1 - pT)) / nT + (pC * (1 - pC)) / nC };
}

/** ln OR of arm and its model variance from glm(y ~ arm + covariates, binomial) in one completed set. */
export function adjustedLogOr(
  y: Float64Array,
  arm: ArrayLike<number>,
  covariates: Float64Array[],
): { estimate: number; variance: number } {
  const n = y.length;
  const q = covariates.length;
  const block = new Float64Array(n * q);
  covariates.forEach((c, j) => block.set(c, j * n));
  const { X, p } = armDesign(arm, block, q);
  const fit = fitGlm('binomial', X, n, p, y);
  return { estimate: fit.coef[1]!, variance: fit.covUnscaled[1 * p + 1]! };
}

/**
 * Runs the imputations, pools, and builds the tipping-point table.
 * @throws RangeError / SingularDesignError from the imputation models (the caller words them).
 */
export function multipleImputation(input: MiInput): MiResult {
  const { y, arm, alpha, imputations: m, seed } = input;
  const n = y.length;
  const covs = input.covariates ?? [];
  const missing: MissingByArm[] = [0, 1].map((code) => {
    let k = 0;
    let om = 0;
    let cm = 0;
    for (let i = 0; i < n; i++) {
      if (arm[i] !== code) continue;
      k++;
      if (Number.isNaN(y[i]!)) om++;
      if (covs.some((c) => Number.isNaN(c.values[i]!))) cm++;
    }
    return {
      arm: code ? input.armLabels.treatment : input.armLabels.control,
      n: k,
      outcome_missing: om,
      covariate_missing: cm,
    };
  });
  const variables: ImputeVariable[] = [
    { name: input.outcome, values: y, kind: 'binary' },
    ...covs.map((c) => ({
      name: c.name,
      values: c.values,
      kind: isBinary(c.values) ? ('binary' as const) : ('numeric' as const),
    })),
  ];
  const armF = Float64Array.from(arm);
  const sets = imputeChained(variables, [armF], m, createRng(seed), { maxit: input.maxit });
  const what = `multiple imputation by chained equations (outcome${covs.length ? ` and ${covs.map((c) => c.name).join(', ')}` : ''} given arm; logistic for 0/1, predictive mean matching for numbers; ${input.maxit ?? 5} sweeps), m = ${m}, seed ${seed}; pooled by Rubin's rules with Barnard-Rubin df (as R mice::pool)`;
  const rows: EffectRow[] = [];

  const rd = poolRd(sets, arm, n, alpha);
  rows.push(
    miRow(
      input.outcome,
      'mi_risk_difference',
      rd,
      false,
      `${what}; Wald risk difference per completed set, complete-data df n - 2`,
      m,
      seed,
    ),
  );
  if (covs.length > 0) {
    const q: number[] = [];
    const u: number[] = [];
    for (const s of sets) {
      const e = adjustedLogOr(s.values[0]!, arm, s.values.slice(1));
      q.push(e.estimate);
      u.push(e.variance);
    }
    const pooled = poolScalar(q, u, n - 2 - covs.length, alpha);
    rows.push(
      miRow(
        input.outcome,
        'mi_adjusted_odds_ratio',
        pooled,
        true,
        `${what}; logistic regression on arm + ${covs.map((c) => c.name).join(' + ')} per completed set, pooled on the log scale (std_error too), complete-data df n - p`,
        m,
        seed,
      ),
    );
  }

  const deltas = input.deltas ?? DEFAULT_DELTAS;
  const tipping: TippingPointRow[] = [];
  for (const dc of deltas) {
    for (const dt of deltas) {
      const shifted = sets.map((s) => shiftOutcome(s, arm, dc, dt));
      const pooled = poolRd(shifted, arm, n, alpha);
      const row = miRow(input.outcome, 'risk_difference', pooled, false, '', m, seed);
      tipping.push({
        delta_control: dc,
        delta_treatment: dt,
        estimate: row.estimate,
        conf_low: row.conf_low,
        conf_high: row.conf_high,
        verdict: verdictFor(row),
      });
    }
  }
  return { rows, tipping_point: tipping, missing };
}

function isBinary(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isNaN(x) && x !== 0 && x !== 1) return false;
  }
  return true;
}

function poolRd(sets: Array<{ values: Float64Array[] }>, arm: Uint8Array, n: number, alpha: number): PooledEstimate {
  const q: number[] = [];
  const u: number[] = [];
  for (const s of sets) {
    const e = riskDifference(s.values[0]!, arm);
    q.push(e.estimate);
    u.push(e.variance);
  }
  return poolScalar(q, u, n - 2, alpha);
}

/** The completed outcome re-drawn with each imputed probability shifted by its arm's delta (same uniforms). */
export function shiftOutcome(
  set: CompletedSet,
  arm: ArrayLike<number>,
  deltaControl: number,
  deltaTreatment: number,
): { values: Float64Array[] } {
  const d = set.draws[0];
  const y = Float64Array.from(set.values[0]!);
  if (d) {
    for (let r = 0; r < d.rows.length; r++) {
      const i = d.rows[r]!;
      const p = Math.min(1, Math.max(0, d.prob[r]! + (arm[i] ? deltaTreatment : deltaControl)));
      y[i] = d.uniform[r]! < p ? 1 : 0;
    }
  }
  return { values: [y] };
}

function miRow(
  outcome: string,
  measure: Measure,
  p: PooledEstimate,
  ratio: boolean,
  method: string,
  m: number,
  seed: number,
): EffectRow {
  const tr = ratio ? Math.exp : (x: number) => x;
  // A pooled variance of 0 (no missing outcome and a constant estimate) leaves no t test.
  return {
    ...clean({
      outcome,
      measure,
      estimate: tr(p.qbar),
      std_error: p.std_error,
      conf_low: tr(p.conf_low),
      conf_high: tr(p.conf_high),
      statistic: p.statistic,
      p_value: p.p_value,
      method: `${method}; fraction of missing information ${Number.isFinite(p.fmi) ? p.fmi.toFixed(3) : 'n/a'}`,
    }),
    df: Number.isFinite(p.df) ? p.df : undefined,
    replicates: m,
    seed,
  } as EffectRow;
}

/**
 * The grid point nearest to no shift (smallest |delta_control| + |delta_treatment|; ties: the
 * smaller shift of the treated, then of the controls) whose verdict differs from the verdict with
 * no shift, or null when no shift on the grid changes it.
 */
export function nearestTip(
  rows: readonly TippingPointRow[],
): { base: TippingPointRow; tip: TippingPointRow | null } | null {
  const base = rows.find((r) => r.delta_control === 0 && r.delta_treatment === 0);
  if (!base) return null;
  let tip: TippingPointRow | null = null;
  const size = (r: TippingPointRow) => Math.abs(r.delta_control) + Math.abs(r.delta_treatment);
  for (const r of rows) {
    if (r.verdict === base.verdict) continue;
    if (
      !tip ||
      size(r) < size(tip) - 1e-12 ||
      (Math.abs(size(r) - size(tip)) <= 1e-12 &&
        (Math.abs(r.delta_treatment) < Math.abs(tip.delta_treatment) ||
          (Math.abs(r.delta_treatment) === Math.abs(tip.delta_treatment) &&
            Math.abs(r.delta_control) < Math.abs(tip.delta_control))))
    )
      tip = r;
  }
  return { base, tip };
}
