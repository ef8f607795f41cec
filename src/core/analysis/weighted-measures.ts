/**
 * Count and continuous measures under prior weights (the matching weights that `match` writes),
 * with sandwich standard errors as the weighted binary rows (weighted-binary.ts):
 * - mean_difference: the arm coefficient of weighted least squares `lm(y ~ arm [+ covariates],
 *   weights = w)` (without covariates: the weighted treated mean minus the weighted control mean),
 *   SE from `sandwich::vcovHC(fit, type = "HC0")`, or `sandwich::vcovCL(fit, cluster = ~subclass,
 *   type = "HC0")` when the file names each row's matched set (or the design is clustered); Wald z
 *   interval and test (as `lmtest::coeftest(fit, vcov = V, df = Inf)`).
 * - hedges_g (continuous outcomes): J b / s_w with the weighted pooled SD
 *       s_w^2 = (n_t v_t + n_c v_c) / (n_t + n_c - 2),   v_a = sum_a w (y - m_a)^2 / sum_a w
 *   (m_a the weighted arm mean; v_a is R `cov.wt(..., method = "ML")`), which is the ordinary pooled
 *   SD when every weight is 1, and J = 1 - 3 / (4 (n_t + n_c - 2) - 1) as the unweighted g. SE = J
 *   SE(b) / s_w (the SD treated as known), normal interval; statistic and p are those of b.
 */
import { armDesign } from '../stats/logistic-regression.js';
import { vcovCL, vcovHC0 } from '../stats/sandwich.js';
import { clean, waldRow, zCrit, pFromZ, type EffectRow } from './effect-row.js';
import { weightedLeastSquares, type MatchedSets } from './weighted-binary.js';
import { firstAppearanceIndex } from './first-appearance.js';

export interface WeightedMeasuresInput {
  outcome: string;
  y: Float64Array;
  arm: Uint8Array;
  /** Prior weights, > 0. */
  w: Float64Array;
  /** Matched sets (or the design's clusters) for the clustered sandwich; null: HC0. */
  sets: MatchedSets | null;
  covariates?: { X: Float64Array; q: number; terms: string[] };
  alpha: number;
  /** Add the weighted hedges_g (continuous outcomes). */
  hedges?: boolean;
}

/** The weighted mean difference (and hedges_g) rows. @throws RangeError when the weighted design is singular. */
export function weightedMeanRows(input: WeightedMeasuresInput): EffectRow[] {
  const { outcome, y, arm, w, alpha } = input;
  const n = y.length;
  const cov = input.covariates;
  const { X, p } = armDesign(arm, cov?.X, cov?.q ?? 0);
  const fit = weightedLeastSquares(X, n, p, y, w);
  const sets = input.sets ? firstAppearanceIndex(input.sets.index) : null;
  const V = sets ? vcovCL(fit, X, y, sets.index, sets.nClusters, w) : vcovHC0(fit, X, y, w);
  const b = fit.coef[1]!;
  const se = Math.sqrt(V[p + 1]!);
  const how = sets
    ? `sandwich SE clustered by ${input.sets!.name} (R sandwich::vcovCL(fit, cluster = ~${input.sets!.name}, type = "HC0"))`
    : 'HC0 sandwich SE (R sandwich::vcovHC(fit, type = "HC0"))';
  const terms = cov && cov.q > 0 ? ` + ${cov.terms.join(' + ')}` : '';
  const rows: EffectRow[] = [];
  if (input.hedges) {
    const sum = [0, 0];
    const wy = [0, 0];
    const count = [0, 0];
    for (let i = 0; i < n; i++) {
      const a = arm[i]!;
      sum[a]! += w[i]!;
      wy[a]! += w[i]! * y[i]!;
      count[a]!++;
    }
    const m = [wy[0]! / sum[0]!, wy[1]! / sum[1]!];
    const ss = [0, 0];
    for (let i = 0; i < n; i++) ss[arm[i]!]! += w[i]! * (y[i]! - m[arm[i]!]!) ** 2;
    const v = [ss[0]! / sum[0]!, ss[1]! / sum[1]!];
    const nt = count[1]!;
    const nc = count[0]!;
    const s = Math.sqrt((nt * v[1]! + nc * v[0]!) / (nt + nc - 2));
    const j = 1 - 3 / (4 * (nt + nc - 2) - 1);
    const g = (j * b) / s;
    const seg = (j * se) / s;
    const z = zCrit(alpha);
    rows.push(
      clean({
        outcome,
        measure: 'hedges_g',
        estimate: g,
        std_error: seg,
        conf_low: g - z * seg,
        conf_high: g + z * seg,
        statistic: b / se,
        p_value: pFromZ(b / se),
        method: `weighted Hedges' g = J b / s_w: b from weighted least squares lm(y ~ arm${terms}, weights = w); s_w the weighted pooled SD sqrt((n_t v_t + n_c v_c) / (n - 2)), v the within-arm weighted variance (R cov.wt, method = "ML"); SE J SE(b) / s_w with the ${how}; normal CI`,
      }),
    );
  }
  rows.push(
    waldRow(
      outcome,
      'mean_difference',
      b,
      se,
      alpha,
      `weighted least squares lm(y ~ arm${terms}, weights = w): difference in weighted means${terms ? ', adjusted' : ''}; ${how}; Wald z CI`,
    ),
  );
  return rows;
}
