/**
 * The closed list of effect measures `analyse` emits, with one table saying, for each, how it is
 * labelled, on which scale it lives, which value means "no difference" and how it is displayed.
 * Every place that needs to know whether a measure is a ratio, what its null value is, or how to
 * name it in a report reads this table (the verdict, the report blocks, the text forest chart);
 * docs/measures.md lists exactly these names (checked by a test).
 */

/** What the number of a measure is. */
export type MeasureScale =
  /** A difference on the outcome's own scale (proportion, mean count, mean score, days): no difference is 0. */
  | 'difference'
  /** A ratio (risk, odds, rate, hazard): estimated on the log scale, no difference is 1. */
  | 'ratio'
  /** A standardised difference (Cohen's h, Hedges' g, logit d): no difference is 0. */
  | 'standardised'
  /** A per-arm probability (Kaplan-Meier survival): not a comparison. */
  | 'probability'
  /** A test: the row's p-value is the result (its estimate, if any, is the observed statistic). */
  | 'test'
  /** A description of the design (ICC, design effect) or a derived count (NNT): no null value. */
  | 'descriptive';

export interface MeasureInfo {
  /** Words for a report table or chart. */
  label: string;
  scale: MeasureScale;
  /** The value meaning "no difference between the arms": 0 for differences, 1 for ratios, null where none applies. */
  nullValue: 0 | 1 | null;
  /** Decimal places the report prints (before adding digits an interval needs to keep its verdict). */
  digits: number;
  /** Already multiplied by 100 ("for every 100 people"): printed with one decimal. */
  per100: boolean;
  /** Printed as a percentage (a proportion between 0 and 1). */
  percent: boolean;
  /**
   * Drawn in the forest charts: `report` in the report's chart, `text` in the text chart of
   * `analyse` (ratios on a log axis around 1, the rest on a linear axis around 0).
   */
  charts: { readonly report: boolean; readonly text: boolean };
}

/** Which forest charts draw a measure: the report's (SVG) and the text chart of `analyse`. */
const CHARTS = {
  none: { report: false, text: false },
  text: { report: false, text: true },
  both: { report: true, text: true },
} as const;
type Charts = (typeof CHARTS)[keyof typeof CHARTS];

const diff = (label: string, charts: Charts = CHARTS.none): MeasureInfo => ({
  label,
  scale: 'difference',
  nullValue: 0,
  digits: 2,
  per100: false,
  percent: false,
  charts,
});
const per100 = (label: string): MeasureInfo => ({
  label,
  scale: 'difference',
  nullValue: 0,
  digits: 1,
  per100: true,
  percent: false,
  charts: CHARTS.none,
});
// Every ratio is drawn on the log axis of the text chart; the report's chart draws the main ones.
const ratio = (label: string, charts: Charts = CHARTS.both): MeasureInfo => ({
  label,
  scale: 'ratio',
  nullValue: 1,
  digits: 2,
  per100: false,
  percent: false,
  charts,
});
const std = (label: string, charts: Charts = CHARTS.none): MeasureInfo => ({
  label,
  scale: 'standardised',
  nullValue: 0,
  digits: 2,
  per100: false,
  percent: false,
  charts,
});
const test = (label: string): MeasureInfo => ({
  label,
  scale: 'test',
  nullValue: null,
  digits: 2,
  per100: false,
  percent: false,
  charts: CHARTS.none,
});
const desc = (label: string, digits: number): MeasureInfo => ({
  label,
  scale: 'descriptive',
  nullValue: null,
  digits,
  per100: false,
  percent: false,
  charts: CHARTS.none,
});
const survival = (label: string): MeasureInfo => ({
  label,
  scale: 'probability',
  nullValue: null,
  digits: 2,
  per100: false,
  percent: true,
  charts: CHARTS.none,
});

/**
 * Every measure with a fixed name. The order is the order the report's forest chart draws them in
 * (ratios, then differences), and the order docs/measures.md lists them in.
 */
export const MEASURES = {
  primary_risk_difference: diff('Risk difference (primary analysis)', CHARTS.both),
  primary_per_100: per100('Per 100 people (primary analysis)'),
  primary_mean_difference: diff('Mean difference (primary analysis)', CHARTS.text),
  primary_hazard_ratio: ratio('Hazard ratio (primary analysis)', CHARTS.text),
  risk_difference: diff('Risk difference', CHARTS.both),
  per_100: per100('Per 100 people'),
  nnt: desc('Number needed to treat', 1),
  risk_ratio: ratio('Risk ratio'),
  odds_ratio: ratio('Odds ratio'),
  cluster_level_risk_difference: diff('Risk difference (cluster level)', CHARTS.both),
  cluster_robust_odds_ratio: ratio('Odds ratio (cluster-robust)'),
  adjusted_odds_ratio: ratio('Adjusted odds ratio'),
  glmm_odds_ratio: ratio('Odds ratio (mixed-effects logistic)'),
  logit_d: std('Logit d', CHARTS.both),
  cohens_h: std("Cohen's h", CHARTS.both),
  adjusted_logit_d: std('Adjusted logit d', CHARTS.text),
  fisher_exact: test("Fisher's exact test"),
  icc: desc('Intra-cluster correlation', 3),
  design_effect: desc('Design effect', 2),
  mean_difference: diff('Mean difference'),
  hedges_g: std("Hedges' g", CHARTS.both),
  rate_ratio: ratio('Rate ratio'),
  nb_rate_ratio: ratio('Rate ratio (negative binomial)'),
  hazard_ratio: ratio('Hazard ratio'),
  stratified_hazard_ratio: ratio('Hazard ratio (stratified)', CHARTS.text),
  logrank: test('Log-rank test'),
  cox_robust_score: test('Robust score test (Cox)'),
  rmst_difference: diff('Restricted mean time without re-offending, difference (days)'),
  km_survival_end: survival('Not re-offended by the end of follow-up (Kaplan-Meier)'),
  permutation_p: test('Permutation test'),
  bootstrap_risk_difference: diff('Risk difference (bootstrap interval)'),
  bootstrap_rate_ratio: ratio('Rate ratio (bootstrap interval)', CHARTS.text),
  bootstrap_mean_difference: diff('Mean difference (bootstrap interval)'),
  mi_risk_difference: diff('Risk difference (multiple imputation)'),
  mi_adjusted_odds_ratio: ratio('Adjusted odds ratio (multiple imputation)', CHARTS.text),
  interaction: test('Interaction test (arm x subgroup)'),
  global_test: test('Test of no difference between any of the arms'),
  cace: diff('Complier average causal effect (received the intervention)'),
  cace_dose: diff('Effect per session attended (exploratory: not randomised)'),
} as const satisfies Record<string, MeasureInfo>;

/** A measure with a fixed name. */
export type FixedMeasure = keyof typeof MEASURES;
/** Kaplan-Meier survival at a given day (`--km-days`): one name per day asked for. */
export type KmDayMeasure = `km_survival_${number}`;
/** Every measure name an `analyse --json` effect row can carry. */
export type Measure = FixedMeasure | KmDayMeasure;

/** The fixed names, in table order. */
export const MEASURE_NAMES = Object.keys(MEASURES) as FixedMeasure[];

/** The pattern of the per-day Kaplan-Meier measures. */
export const KM_DAY_MEASURE = /^km_survival_(\d+)$/;

/** True for a name in the closed list (a fixed name or a per-day Kaplan-Meier name). */
export function isMeasure(name: string): name is Measure {
  return Object.hasOwn(MEASURES, name) || KM_DAY_MEASURE.test(name);
}

/** The table entry of a measure; undefined for a name outside the list. */
export function measureInfo(name: string): MeasureInfo | undefined {
  if (Object.hasOwn(MEASURES, name)) return MEASURES[name as FixedMeasure];
  const km = KM_DAY_MEASURE.exec(name);
  if (km) return survival(`Not re-offended by day ${km[1]} (Kaplan-Meier)`);
  return undefined;
}

/** True for a ratio measure (estimated on the log scale; no difference = 1). */
export function isRatioMeasure(name: string): boolean {
  return measureInfo(name)?.scale === 'ratio';
}

/** The measures of a scale, in table order (e.g. the ratios a forest plot draws on a log axis). */
export function measuresOfScale(scale: MeasureScale): FixedMeasure[] {
  return MEASURE_NAMES.filter((m) => MEASURES[m].scale === scale);
}
