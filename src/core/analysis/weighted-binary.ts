/**
 * Binary-outcome measures under prior weights (the matching weights that `match` writes), with
 * sandwich standard errors, as recommended for matching weights (Austin 2014; MatchIt's vignette
 * "Estimating effects after matching"):
 * - risk difference: weighted least squares `lm(y ~ arm, weights = w)`; its arm coefficient is the
 *   weighted treated rate minus the weighted control rate;
 * - risk ratio: `glm(y ~ arm, family = quasipoisson, weights = w)` (log link; the quasi-Poisson
 *   dispersion cancels in the sandwich, so this is the Poisson sandwich);
 * - odds ratio: `glm(y ~ arm, family = binomial, weights = w)`;
 * each with `sandwich::vcovHC(fit, type = "HC0")`, or, when the file names each row's matched set
 * (`subclass`) or the design is clustered, `sandwich::vcovCL(fit, cluster = ~subclass, type = "HC0")`
 * (with the G/(G-1) adjustment). Wald z intervals and tests (as `lmtest::coeftest(fit, vcov = V, df = Inf)`).
 */
import { fitGlm, type GlmFit } from '../stats/irls.js';
import { armDesign, type ArmEffect } from '../stats/logistic-regression.js';
import { vcovCL, vcovHC0 } from '../stats/sandwich.js';
import { nntRow } from './binary-effects.js';
import { nullRow, per100Row, pFromZ, ratioRow, waldRow, zCrit, type EffectRow } from './effect-row.js';
import { firstAppearanceIndex } from './first-appearance.js';

const LOGIT_D = Math.sqrt(3) / Math.PI;

export interface MatchedSets {
  /** Column name (subclass). */
  name: string;
  /** Set code per row (any non-negative integers). */
  index: ArrayLike<number>;
}

/** Sandwich covariance of a fit: HC0, or clustered by matched set. */
function robustV(
  fit: GlmFit,
  X: Float64Array,
  y: ArrayLike<number>,
  w: Float64Array,
  sets: { index: Int32Array; nClusters: number } | null,
): Float64Array {
  return sets ? vcovCL(fit, X, y, sets.index, sets.nClusters, w) : vcovHC0(fit, X, y, w);
}

/**
 * Weighted least squares y ~ X as a GlmFit-shaped object (bread (X'WX)^-1, fitted values), so the
 * GLM sandwich (scores w (y - mu) x) applies unchanged: it is the lm sandwich.
 */
export function weightedLeastSquares(
  X: Float64Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  w: Float64Array,
): GlmFit {
  const xtwx = new Float64Array(p * p);
  const xtwy = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * X[a * n + i]! * y[i]!;
    xtwy[a] = s;
    for (let b = 0; b <= a; b++) {
      let t = 0;
      for (let i = 0; i < n; i++) t += w[i]! * X[a * n + i]! * X[b * n + i]!;
      xtwx[a * p + b] = t;
      xtwx[b * p + a] = t;
    }
  }
  const inv = invertSpd(xtwx, p);
  const coef = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let b = 0; b < p; b++) s += inv[a * p + b]! * xtwy[b]!;
    coef[a] = s;
  }
  const mu = new Float64Array(n);
  for (let a = 0; a < p; a++) for (let i = 0; i < n; i++) mu[i] += coef[a]! * X[a * n + i]!;
  // `family` is not read by the sandwich functions; the scores w (y - mu) x are those of lm.
  return {
    family: 'binomial',
    n,
    p,
    coef,
    covUnscaled: inv,
    mu,
    deviance: NaN,
    iterations: 1,
    converged: true,
    boundary: false,
  };
}

function invertSpd(A: Float64Array, p: number): Float64Array {
  // Gauss-Jordan on a small SPD matrix (p is 2 here).
  const M = Float64Array.from(A);
  const inv = new Float64Array(p * p);
  for (let i = 0; i < p; i++) inv[i * p + i] = 1;
  for (let c = 0; c < p; c++) {
    const piv = M[c * p + c]!;
    if (!(Math.abs(piv) > 1e-300)) throw new RangeError('weighted least squares: singular design');
    for (let k = 0; k < p; k++) {
      M[c * p + k] /= piv;
      inv[c * p + k] /= piv;
    }
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r * p + c]!;
      for (let k = 0; k < p; k++) {
        M[r * p + k] -= f * M[c * p + k]!;
        inv[r * p + k] -= f * inv[c * p + k]!;
      }
    }
  }
  return inv;
}

/**
 * The weighted binary measures (risk_difference, risk_ratio, odds_ratio, per_100, nnt, cohens_h,
 * logit_d; fisher_exact is withheld), replacing the unweighted 2x2 rows.
 * @param y 0/1 outcome, arm 0/1, w weights (> 0) per analysed row.
 */
export function weightedBinaryRows(
  outcome: string,
  y: Float64Array,
  arm: Uint8Array,
  w: Float64Array,
  matchedSets: MatchedSets | null,
  alpha: number,
  warnings: string[],
): EffectRow[] {
  const n = y.length;
  const sets = matchedSets ? firstAppearanceIndex(matchedSets.index) : null;
  const how = sets
    ? `sandwich SE clustered by ${matchedSets!.name} (R sandwich::vcovCL(fit, cluster = ~${matchedSets!.name}, type = "HC0"))`
    : 'HC0 sandwich SE (R sandwich::vcovHC(type = "HC0"))';
  const { X, p } = armDesign(arm);
  let sT = 0;
  let sC = 0;
  let eT = 0;
  let eC = 0;
  for (let i = 0; i < n; i++) {
    if (arm[i]) {
      sT += w[i]!;
      eT += w[i]! * y[i]!;
    } else {
      sC += w[i]!;
      eC += w[i]! * y[i]!;
    }
  }
  const pT = eT / sT;
  const pC = eC / sC;
  const rows: EffectRow[] = [];
  const z = zCrit(alpha);

  // Risk difference: weighted least squares with the sandwich.
  const lsFit = weightedLeastSquares(X, n, p, y, w);
  const Vls = robustV(lsFit, X, y, w, sets);
  const rd = lsFit.coef[1]!;
  const seRd = Math.sqrt(Vls[3]!);
  rows.push(
    waldRow(
      outcome,
      'risk_difference',
      rd,
      seRd,
      alpha,
      `weighted risk difference (weighted least squares, R lm(y ~ arm, weights = w)), ${how}, Wald z`,
    ),
  );

  const bothExtreme = !(pT > 0 && pT < 1 && pC > 0 && pC < 1);
  if (pT === 0 || pC === 0) {
    warnings.push(`${outcome}: no re-offender in an arm: the weighted risk and odds ratios are not estimable`);
    rows.push(
      nullRow(outcome, 'risk_ratio', 'not estimable: no event in an arm'),
      nullRow(outcome, 'odds_ratio', 'not estimable: no event in an arm'),
    );
  } else {
    const rrFit = fitGlm('poisson', X, n, p, y, { weights: w });
    const Vrr = robustV(rrFit, X, y, w, sets);
    rows.push(
      ratioRow(
        outcome,
        'risk_ratio',
        rrFit.coef[1]!,
        Math.sqrt(Vrr[3]!),
        alpha,
        `weighted risk ratio, log-link R glm(y ~ arm, family = quasipoisson, weights = w), ${how}`,
      ),
    );
    if (bothExtreme) rows.push(nullRow(outcome, 'odds_ratio', 'not estimable: everyone re-offended in an arm'));
    else {
      const orFit = fitGlm('binomial', X, n, p, y, { weights: w });
      const Vor = robustV(orFit, X, y, w, sets);
      const lo = orFit.coef[1]!;
      const se = Math.sqrt(Vor[3]!);
      rows.push(
        ratioRow(
          outcome,
          'odds_ratio',
          lo,
          se,
          alpha,
          `weighted odds ratio, R glm(y ~ arm, family = binomial, weights = w), ${how}`,
        ),
      );
      rows.push(
        waldRow(
          outcome,
          'logit_d',
          lo * LOGIT_D,
          se * LOGIT_D,
          alpha,
          `ln(weighted OR) x sqrt(3)/pi (Hasselblad & Hedges 1995), ${how}`,
        ),
      );
    }
  }
  const stat = rd / seRd;
  const pz = pFromZ(stat);
  rows.push(
    per100Row(outcome, rd, seRd, z, stat, pz, `for every 100 people treated: 100 x weighted risk difference, ${how}`),
  );
  rows.push(nntRow(outcome, rd, rd - z * seRd, rd + z * seRd, pz));
  // Cohen's h on the weighted rates; delta method with the sandwich variances of the two rates
  // (control rate = intercept, treated rate = intercept + arm).
  const varC = Vls[0]!;
  const varT = Vls[0]! + 2 * Vls[1]! + Vls[3]!;
  const covTC = Vls[0]! + Vls[1]!;
  const gT = 1 / Math.sqrt(pT * (1 - pT));
  const gC = 1 / Math.sqrt(pC * (1 - pC));
  const h = 2 * Math.asin(Math.sqrt(pT)) - 2 * Math.asin(Math.sqrt(pC));
  const seH = Math.sqrt(gT * gT * varT + gC * gC * varC - 2 * gT * gC * covTC);
  rows.push(
    waldRow(
      outcome,
      'cohens_h',
      h,
      seH,
      alpha,
      `Cohen's h on the weighted rates; delta-method SE from the ${how} of the weighted least squares fit`,
    ),
  );
  rows.push(
    nullRow(
      outcome,
      'fisher_exact',
      "Fisher's exact test: not available with weights (it conditions on unweighted counts)",
    ),
  );
  return rows;
}

/**
 * The sandwich SE of the arm coefficient of an already fitted weighted logistic model (the adjusted
 * odds ratio): HC0, or clustered by matched set.
 */
export function weightedAdjustedSe(
  fitted: ArmEffect,
  y: Float64Array,
  arm: Uint8Array,
  block: { X: Float64Array; q: number } | undefined,
  w: Float64Array,
  matchedSet: ArrayLike<number> | null,
  setName = 'subclass',
): { std_error: number; what: string } {
  const { X, p } = armDesign(arm, block?.X, block?.q ?? 0);
  const sets = matchedSet ? firstAppearanceIndex(matchedSet) : null;
  const V = robustV(fitted.fit, X, y, w, sets);
  return {
    std_error: Math.sqrt(V[1 * p + 1]!),
    what: sets
      ? `sandwich SE clustered by ${setName} (R sandwich::vcovCL(fit, cluster = ~${setName}, type = "HC0"))`
      : 'HC0 sandwich SE (R sandwich::vcovHC(type = "HC0"))',
  };
}
