/**
 * Effect sizes for a binary outcome (proven re-offending yes/no) from the 2 x 2 table, treated
 * versus control, as docs/methods.md#binary-outcome-effects.
 */
import { pchisq } from '../stats/distributions.js';
import { fisherExactTwoSided } from '../stats/fisher-exact.js';
import { clean, fin, nullRow, per100Row, ratioRow, waldRow, zCrit, type EffectRow } from './effect-row.js';

export interface TwoByTwo {
  /** Treated with the event, treated total. */
  eventsT: number;
  nT: number;
  /** Control with the event, control total. */
  eventsC: number;
  nC: number;
}

const LOGIT_D = Math.sqrt(3) / Math.PI;

/**
 * The unadjusted binary measures, in contract order: risk_difference, risk_ratio, odds_ratio,
 * per_100, nnt, cohens_h, logit_d, fisher_exact. Warnings (zero cells) are pushed to `warnings`.
 * @throws RangeError when an arm is empty (the caller checks first and raises a UsageError).
 */
export function binaryEffects(outcome: string, t: TwoByTwo, alpha: number, warnings: string[]): EffectRow[] {
  const { eventsT: a, nT, eventsC: c, nC } = t;
  if (nT < 1 || nC < 1) throw new RangeError('binaryEffects: an arm has no one analysed');
  const b = nT - a;
  const d = nC - c;
  const pT = a / nT;
  const pC = c / nC;
  const rows: EffectRow[] = [];
  const z = zCrit(alpha);

  // Risk difference: Wald SE and CI; Pearson chi-square without continuity correction for the p-value.
  const rd = pT - pC;
  const seRd = Math.sqrt((pT * (1 - pT)) / nT + (pC * (1 - pC)) / nC);
  const pBar = (a + c) / (nT + nC);
  const chi = pBar > 0 && pBar < 1 ? (rd * rd) / (pBar * (1 - pBar) * (1 / nT + 1 / nC)) : NaN;
  const pChi = Number.isFinite(chi) ? pchisq(chi, 1, false) : NaN;
  if (!Number.isFinite(chi)) {
    warnings.push(
      `${outcome}: every analysed person has the same outcome (${a + c === 0 ? 'none' : 'all'} re-offended): no test is possible`,
    );
  }
  const rdMethod = 'Wald CI; Pearson chi-square without continuity correction (R prop.test(correct = FALSE))';
  rows.push(
    clean({
      outcome,
      measure: 'risk_difference',
      estimate: rd,
      std_error: seRd,
      conf_low: rd - z * seRd,
      conf_high: rd + z * seRd,
      statistic: chi,
      p_value: pChi,
      method: rdMethod,
    }),
  );

  // Ratios: with a zero cell the log is infinite; add 0.5 to every cell (Haldane-Anscombe) and say so.
  const zeroRR = a === 0 || c === 0;
  const zeroOR = zeroRR || b === 0 || d === 0;
  if (zeroOR) {
    warnings.push(
      `${outcome}: a zero cell in the 2x2 table (treated ${a}/${nT}, control ${c}/${nC}): 0.5 added to every cell for the ${zeroRR ? 'risk and odds ratios' : 'odds ratio'}`,
    );
  }
  {
    const k = zeroRR ? 0.5 : 0;
    const aa = a + k;
    const cc = c + k;
    const nt = nT + 2 * k;
    const nc = nC + 2 * k;
    const logRr = Math.log(aa / nt / (cc / nc));
    const se = Math.sqrt(1 / aa - 1 / nt + 1 / cc - 1 / nc);
    rows.push(
      ratioRow(
        outcome,
        'risk_ratio',
        logRr,
        se,
        alpha,
        `log-scale Wald CI${zeroRR ? '; 0.5 added to every cell (zero cell)' : ''}`,
      ),
    );
  }
  const k = zeroOR ? 0.5 : 0;
  const logOr = Math.log(((a + k) * (d + k)) / ((b + k) * (c + k)));
  const seOr = Math.sqrt(1 / (a + k) + 1 / (b + k) + 1 / (c + k) + 1 / (d + k));
  rows.push(
    ratioRow(
      outcome,
      'odds_ratio',
      logOr,
      seOr,
      alpha,
      `Woolf log-scale CI${zeroOR ? '; 0.5 added to every cell (zero cell)' : ''}`,
    ),
  );

  rows.push(
    per100Row(
      outcome,
      rd,
      seRd,
      z,
      chi,
      pChi,
      'for every 100 people treated: 100 x risk difference (negative = fewer re-offenders), Wald CI',
    ),
  );

  rows.push(nntRow(outcome, rd, rd - z * seRd, rd + z * seRd, pChi));

  const h = 2 * Math.asin(Math.sqrt(pT)) - 2 * Math.asin(Math.sqrt(pC));
  rows.push(
    waldRow(
      outcome,
      'cohens_h',
      h,
      Math.sqrt(1 / nT + 1 / nC),
      alpha,
      "Cohen's h = 2 asin sqrt(p_t) - 2 asin sqrt(p_c), SE sqrt(1/n_t + 1/n_c)",
    ),
  );

  rows.push(
    waldRow(
      outcome,
      'logit_d',
      logOr * LOGIT_D,
      seOr * LOGIT_D,
      alpha,
      `ln(OR) x sqrt(3)/pi (Hasselblad & Hedges 1995), Woolf CI transformed${zeroOR ? '; 0.5 added to every cell (zero cell)' : ''}`,
    ),
  );

  rows.push({
    ...nullRow(outcome, 'fisher_exact', "Fisher's exact test, two-sided (R fisher.test)"),
    p_value: fin(fisherExactTwoSided(a, b, c, d)),
  });
  return rows;
}

/**
 * Number needed to treat, 1/|RD|: `direction` benefit when the treated re-offend less. The CI is
 * the reciprocal of the RD CI when that excludes 0; otherwise it spans infinity (Altman 1998) and
 * conf_low/conf_high are null.
 */
export function nntRow(outcome: string, rd: number, lo: number, hi: number, p: number): EffectRow {
  if (!(rd !== 0) || !Number.isFinite(rd)) {
    return { ...nullRow(outcome, 'nnt', 'number needed to treat: undefined (risk difference is 0)'), direction: null };
  }
  const direction = rd < 0 ? 'benefit' : 'harm';
  const excludesZero = lo > 0 || hi < 0;
  const ci = excludesZero ? [1 / Math.abs(hi), 1 / Math.abs(lo)].sort((x, y) => x - y) : [NaN, NaN];
  const what = direction === 'benefit' ? 'one fewer re-offender' : 'one more re-offender';
  return clean({
    outcome,
    measure: 'nnt',
    estimate: 1 / Math.abs(rd),
    std_error: null,
    conf_low: ci[0]!,
    conf_high: ci[1]!,
    statistic: null,
    p_value: p,
    method: `number needed to treat for ${what} (${direction}) = 1/|risk difference|${excludesZero ? '' : '; CI of the risk difference includes 0, so the NNT interval runs through infinity (Altman 1998)'}`,
    direction,
  });
}

/** Rows from an adjusted logistic model: adjusted_odds_ratio and adjusted_logit_d (Wald, as R glm). */
export function adjustedBinaryRows(
  outcome: string,
  logOr: number,
  se: number,
  alpha: number,
  covariates: string[],
): EffectRow[] {
  const what = `logistic regression on arm + ${covariates.join(' + ')} (Wald, as R glm)`;
  return [
    ratioRow(outcome, 'adjusted_odds_ratio', logOr, se, alpha, what),
    waldRow(outcome, 'adjusted_logit_d', logOr * LOGIT_D, se * LOGIT_D, alpha, `ln(adjusted OR) x sqrt(3)/pi; ${what}`),
  ];
}
