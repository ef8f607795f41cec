/**
 * A propensity-score matched comparison group (Justice Data Lab style), end to end on in-memory
 * columns: propensity model, common-support trimming, nearest-neighbour matching on the logit with
 * a caliper in SDs of the logit (R `matchit(..., distance = "glm", link = "linear.logit",
 * caliper = 0.2)`: the SD is taken over the units not discarded), and the balance table.
 *
 * Balance: SMD = (mean_t - mean_c) / sqrt((var_t + var_c) / 2), sample variances (n - 1) from the
 * samples before matching; after matching the means are the matching-weighted means and the
 * denominator is kept (as MatchIt and cobalt do), so a change in SMD is a change in means only.
 */
import type { Rng } from '../random.js';
import { fitPropensity, modelTerms, type CovariateColumn, type PropensityFit } from './propensity-model.js';
import { nearestNeighbourMatch, type MatchOrder, type MatchResult } from './nearest-neighbour.js';

export type Discard = 'none' | 'treated' | 'control' | 'both';

export interface MatchOptions {
  caliper: number | null;
  ratio: number;
  replace: boolean;
  order: MatchOrder;
  discard: Discard;
  rng?: Rng;
  /** SMD above which a row is flagged (0.1). */
  imbalanceThreshold?: number;
}

export interface BalanceRow {
  covariate: string;
  mean_treated_before: number;
  mean_control_before: number;
  smd_before: number | null;
  mean_treated_after: number | null;
  mean_control_after: number | null;
  smd_after: number | null;
  /** |smd_after| > 0.1. */
  imbalanced: boolean;
}

export interface CommonSupport {
  discard: Discard;
  treated_logit_range: [number, number];
  pool_logit_range: [number, number];
  /** Treated people outside the pool's range (dropped when discard is treated or both). */
  treated_outside: number;
  pool_outside: number;
  treated_discarded: number;
  pool_discarded: number;
}

export interface MatchedComparison {
  fit: PropensityFit;
  match: MatchResult;
  discarded: Uint8Array;
  common_support: CommonSupport;
  /** Absolute caliper on the logit scale (caliper x SD of the logit), or null. */
  caliper_logit: number | null;
  sd_logit: number;
  balance: BalanceRow[];
}

/** There is no overlap between the treated and pool propensity scores, or nobody could be matched. */
export class NoCommonSupportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoCommonSupportError';
  }
}

function range(v: Float64Array, keep: (i: number) => boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (!keep(i)) continue;
    if (v[i]! < lo) lo = v[i]!;
    if (v[i]! > hi) hi = v[i]!;
  }
  return [lo, hi];
}

function sampleSd(v: Float64Array, keep: (i: number) => boolean): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < v.length; i++) {
    if (!keep(i)) continue;
    n++;
    const delta = v[i]! - mean;
    mean += delta / n;
    m2 += delta * (v[i]! - mean);
  }
  return n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
}

/** Weighted mean and unweighted sample variance of the rows where `w(i)` > 0. */
function moments(v: Float64Array, w: (i: number) => number): { mean: number; variance: number; n: number } {
  let sw = 0;
  let s = 0;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const wi = w(i);
    if (wi <= 0) continue;
    sw += wi;
    s += wi * v[i]!;
    n++;
  }
  const mean = s / sw;
  let ss = 0;
  for (let i = 0; i < v.length; i++) if (w(i) > 0) ss += (v[i]! - mean) ** 2;
  return { mean, variance: n > 1 ? ss / (n - 1) : 0, n };
}

/** Balance rows for the model terms (factor indicators as R names them) and the logit itself. */
export function balanceTable(
  columns: Array<{ name: string; values: Float64Array }>,
  treat: Uint8Array,
  weights: Float64Array,
  threshold = 0.1,
): BalanceRow[] {
  return columns.map(({ name, values }) => {
    const t0 = moments(values, (i) => (treat[i] ? 1 : 0));
    const c0 = moments(values, (i) => (treat[i] ? 0 : 1));
    const sd = Math.sqrt((t0.variance + c0.variance) / 2);
    const t1 = moments(values, (i) => (treat[i] ? weights[i]! : 0));
    const c1 = moments(values, (i) => (treat[i] ? 0 : weights[i]!));
    const matched = t1.n > 0 && c1.n > 0;
    const smd = (dm: number) => (sd > 0 ? dm / sd : dm === 0 ? 0 : null);
    const smdAfter = matched ? smd(t1.mean - c1.mean) : null;
    return {
      covariate: name,
      mean_treated_before: t0.mean,
      mean_control_before: c0.mean,
      smd_before: smd(t0.mean - c0.mean),
      mean_treated_after: matched ? t1.mean : null,
      mean_control_after: matched ? c1.mean : null,
      smd_after: smdAfter,
      imbalanced: smdAfter !== null && Math.abs(smdAfter) > threshold,
    };
  });
}

/**
 * @throws ConstantCovariateError (propensity-model.ts) for a constant or collinear covariate
 * @throws NoCommonSupportError when the groups do not overlap or nobody is matched
 */
export function matchComparison(treat: Uint8Array, covariates: CovariateColumn[], o: MatchOptions): MatchedComparison {
  const terms = modelTerms(covariates);
  const fit = fitPropensity(treat, terms);
  const d = fit.logit;
  const isT = (i: number) => treat[i] === 1;
  const tr = range(d, isT);
  const pr = range(d, (i) => !isT(i));
  const discarded = new Uint8Array(treat.length);
  let treatedOutside = 0;
  let poolOutside = 0;
  for (let i = 0; i < treat.length; i++) {
    if (isT(i) && (d[i]! < pr[0] || d[i]! > pr[1])) {
      treatedOutside++;
      if (o.discard === 'treated' || o.discard === 'both') discarded[i] = 1;
    }
    if (!isT(i) && (d[i]! < tr[0] || d[i]! > tr[1])) {
      poolOutside++;
      if (o.discard === 'control' || o.discard === 'both') discarded[i] = 1;
    }
  }
  let keptT = 0;
  let keptC = 0;
  for (let i = 0; i < treat.length; i++) if (!discarded[i]) isT(i) ? keptT++ : keptC++;
  const support: CommonSupport = {
    discard: o.discard,
    treated_logit_range: tr,
    pool_logit_range: pr,
    treated_outside: treatedOutside,
    pool_outside: poolOutside,
    treated_discarded: o.discard === 'treated' || o.discard === 'both' ? treatedOutside : 0,
    pool_discarded: o.discard === 'control' || o.discard === 'both' ? poolOutside : 0,
  };
  if (tr[0] > pr[1] || tr[1] < pr[0] || keptT === 0 || keptC === 0) {
    throw new NoCommonSupportError(
      `no common support: treated propensity logits run from ${tr[0].toFixed(2)} to ${tr[1].toFixed(2)} and the pool's from ${pr[0].toFixed(2)} to ${pr[1].toFixed(2)}, ` +
        `so ${keptT === 0 ? 'every treated person' : 'every pool person'} is outside the other group's range`,
    );
  }
  const sdLogit = sampleSd(d, (i) => !discarded[i]);
  const caliperLogit = o.caliper === null ? null : o.caliper * sdLogit;
  const match = nearestNeighbourMatch({
    distance: d,
    treat,
    discarded,
    ratio: o.ratio,
    replace: o.replace,
    caliper: caliperLogit,
    order: o.order,
    rng: o.rng,
  });
  if (match.matchedTreated === 0) {
    throw new NoCommonSupportError(
      `no treated person has a pool person within the caliper (${caliperLogit?.toPrecision(3)} on the logit scale): widen --caliper or check the covariates`,
    );
  }
  const balanceColumns = [
    ...terms.map((t) => ({ name: t.term, values: t.values })),
    { name: 'logit_propensity', values: d },
  ];
  return {
    fit,
    match,
    discarded,
    common_support: support,
    caliper_logit: caliperLogit,
    sd_logit: sdLogit,
    balance: balanceTable(balanceColumns, treat, match.weights, o.imbalanceThreshold ?? 0.1),
  };
}
