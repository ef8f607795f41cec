/**
 * Per-group proven re-offending measures (docs/reference/json.md#reoffending,
 * docs/methods.md#proven-re-offending): binary rate, frequency per offender and per re-offender, median days to first
 * re-offence, severity per offender, and the Kaplan-Meier cumulative proportion re-offending by day 365.
 * Rates are over measurable people only; pending people are counted in `n_pending`.
 */
import { kaplanMeier, survivalAt } from '../stats/kaplan-meier.js';
import type { PersonOutcomes } from './proven-reoffending.js';

export interface GroupSummary {
  /** The grouping columns and this group's values (empty object for the whole cohort). */
  group: Record<string, string>;
  n_cohort: number;
  n_measurable: number;
  n_pending: number;
  /** People marked withdrawn (lost to follow-up): counted, not in the rates. */
  n_withdrawn: number;
  reoffenders: number;
  /** reoffenders / n_measurable; null when nobody is measurable. */
  binary_rate: number | null;
  /** Proven re-offences of measurable people. */
  reoffences: number;
  /** reoffences / n_measurable. */
  frequency_per_offender: number | null;
  /** reoffences / reoffenders (the payment-by-results measure). */
  frequency_per_reoffender: number | null;
  /** Median days to first proven re-offence among re-offenders (even count: mean of the middle two, as R). */
  median_days_to_first: number | null;
  /** Sum of severity / measurable people with a known severity; null without a severity column. */
  severity_per_offender: number | null;
  /** Measurable people whose severity is unknown (a proven re-offence had an empty severity cell); null without a severity column. */
  n_severity_missing: number | null;
  /**
   * Kaplan-Meier cumulative proportion re-offending by day 365 among measurable people (as R
   * `1 - summary(survfit(Surv(follow_up_days, reoffended) ~ 1), times = 365)$surv`). With the fixed
   * MoJ window nobody is censored before the window ends, so this equals the proportion re-offending
   * by day 365: the binary rate when the follow-up is 365 days.
   */
  km_reoffending_365: number | null;
}

/** Rows grouped by the values of some columns: `index[i]` is row i's group, `keys[g]` its values. */
export interface Grouping {
  columns: string[];
  index: Int32Array;
  keys: string[][];
}

/**
 * Groups rows by the values in `columns` (parallel text arrays). Groups are sorted by their values
 * (code-unit order, column by column, like R data.table `keyby` in the C locale).
 * No columns: one group holding every row.
 */
export function groupRows(names: string[], columns: ReadonlyArray<ReadonlyArray<string>>, n: number): Grouping {
  if (names.length !== columns.length) throw new RangeError('groupRows: one name per column');
  const index = new Int32Array(n);
  if (columns.length === 0) return { columns: [], index, keys: [[]] };
  const seen = new Map<string, number>();
  const keys: string[][] = [];
  for (let i = 0; i < n; i++) {
    const values = columns.map((c) => c[i]!);
    const k = columns.length === 1 ? values[0]! : values.join('\u0000');
    let g = seen.get(k);
    if (g === undefined) {
      g = keys.length;
      seen.set(k, g);
      keys.push(values);
    }
    index[i] = g;
  }
  const order = keys.map((_, g) => g).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  const rank = new Int32Array(keys.length);
  order.forEach((g, r) => (rank[g] = r));
  for (let i = 0; i < n; i++) index[i] = rank[index[i]!]!;
  return { columns: [...names], index, keys: order.map((g) => keys[g]!) };
}

function compareKeys(a: string[], b: string[]): number {
  for (let j = 0; j < a.length; j++) {
    if (a[j]! < b[j]!) return -1;
    if (a[j]! > b[j]!) return 1;
  }
  return 0;
}

/**
 * Median of a numeric sample; an even count gives the mean of the middle two (R `median`).
 * Sorts `values` in place. Returns null for an empty sample.
 * @example median(Int32Array.of(30, 10, 20, 40)) // => 25
 */
export function median(values: Int32Array | Float64Array): number | null {
  const n = values.length;
  if (n === 0) return null;
  values.sort();
  const h = n >> 1;
  return n % 2 === 1 ? values[h]! : (values[h - 1]! + values[h]!) / 2;
}

/**
 * Kaplan-Meier cumulative incidence 1 - S(day): S is the product over event times t <= day of
 * (1 - d_t / n_t), with everyone whose time is >= t at risk at t (R `survfit`: censored at t are at
 * risk at t). Returns null for an empty sample.
 * @example kmCumulativeIncidence([2, 3, 3, 5], [1, 0, 1, 1], 4) // => 0.5 // 1 - (3/4)(2/3)
 */
export function kmCumulativeIncidence(times: ArrayLike<number>, events: ArrayLike<number>, day: number): number | null {
  if (events.length !== times.length) throw new RangeError('kmCumulativeIncidence: times and events differ in length');
  if (times.length === 0) return null;
  return 1 - survivalAt(kaplanMeier(times, events), day).estimate;
}

const KM_DAY = 365;

/** Summarises per-person outcomes by group (see GroupSummary for each field). */
export function summariseOutcomes(
  outcomes: PersonOutcomes,
  grouping: Grouping,
  withdrawn: Uint8Array | null = null,
): GroupSummary[] {
  const n = outcomes.n;
  if (grouping.index.length !== n) throw new RangeError('summariseOutcomes: grouping and outcomes differ in length');
  const G = grouping.keys.length;
  const cohort = new Float64Array(G);
  const lost = new Float64Array(G);
  const measurable = new Float64Array(G);
  const reoffenders = new Float64Array(G);
  const reoffences = new Float64Array(G);
  const sevSum = new Float64Array(G);
  const sevMissing = new Float64Array(G);
  const { measurable: mArr, reoffended, reoffences: counts, severity } = outcomes;
  for (let i = 0; i < n; i++) {
    const g = grouping.index[i]!;
    cohort[g]!++;
    if (withdrawn?.[i]) {
      lost[g]!++;
      continue;
    }
    if (mArr[i] === 0) continue;
    measurable[g]!++;
    reoffenders[g]! += reoffended[i]!;
    reoffences[g]! += counts[i]!;
    if (severity !== null) {
      const s = severity[i]!;
      if (Number.isNaN(s)) sevMissing[g]!++;
      else sevSum[g]! += s;
    }
  }
  // Per-group samples for the median and the Kaplan-Meier estimate.
  const firstDays = Array.from({ length: G }, (_, g) => new Int32Array(reoffenders[g]!));
  const times = Array.from({ length: G }, (_, g) => new Int32Array(measurable[g]!));
  const events = Array.from({ length: G }, (_, g) => new Uint8Array(measurable[g]!));
  const fillD = new Int32Array(G);
  const fillT = new Int32Array(G);
  for (let i = 0; i < n; i++) {
    if (mArr[i] === 0 || withdrawn?.[i]) continue;
    const g = grouping.index[i]!;
    const k = fillT[g]!++;
    times[g]![k] = outcomes.followUpDays[i]!;
    events[g]![k] = reoffended[i]!;
    if (reoffended[i]) firstDays[g]![fillD[g]!++] = outcomes.daysToReoffence[i]!;
  }
  const out: GroupSummary[] = [];
  for (let g = 0; g < G; g++) {
    const group: Record<string, string> = {};
    grouping.columns.forEach((c, j) => (group[c] = grouping.keys[g]![j]!));
    const m = measurable[g]!;
    const r = reoffenders[g]!;
    const known = m - sevMissing[g]!;
    out.push({
      group,
      n_cohort: cohort[g]!,
      n_measurable: m,
      n_pending: cohort[g]! - m - lost[g]!,
      n_withdrawn: lost[g]!,
      reoffenders: r,
      binary_rate: m > 0 ? r / m : null,
      reoffences: reoffences[g]!,
      frequency_per_offender: m > 0 ? reoffences[g]! / m : null,
      frequency_per_reoffender: r > 0 ? reoffences[g]! / r : null,
      median_days_to_first: median(firstDays[g]!),
      severity_per_offender: severity !== null && known > 0 ? sevSum[g]! / known : null,
      n_severity_missing: severity !== null ? sevMissing[g]! : null,
      km_reoffending_365: kmCumulativeIncidence(times[g]!, events[g]!, KM_DAY),
    });
  }
  return out;
}
