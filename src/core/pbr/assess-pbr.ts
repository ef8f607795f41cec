/**
 * The `pbr` result: payment probability, expected payment and the cohort needed, on the binary
 * measure and (optionally) the frequency measure, in the field names of docs/reference/json.md#pbr, plus a curve of
 * payment probability against cohort size and a plain-English explanation for trustees.
 */
import { UsageError } from '../errors.js';
import { qnorm } from '../stats/distributions.js';
import {
  approximateCohort,
  binaryExpectedPayment,
  binaryPaymentDistribution,
  binaryProbabilityPaid,
  searchCohort,
  type PaymentDistribution,
  type PbrTest,
} from './binary-pbr.js';
import { FrequencyPbr } from './frequency-pbr.js';
import { percent } from '../format.js';

export interface PbrInput {
  cohort: number;
  baselineRate: number;
  trueRate: number;
  alpha: number;
  test: PbrTest;
  pricePerPoint: number | null;
  targetProbability: number;
  frequencyBaseline: number | null;
  frequencyTrue: number | null;
  pricePerReoffence: number | null;
  /** Largest cohort size searched for the target (default 200 000). */
  searchLimit?: number;
}

export interface FrequencyResult {
  baseline_frequency: number;
  true_frequency: number;
  /** The expected number of re-offenders, n x true rate, and its critical total re-offences. */
  expected_reoffenders: number;
  critical_reoffences_at_expected: number | null;
  probability_paid: number;
  price_per_reoffence_gbp: number | null;
  expected_payment_gbp: number | null;
  payment_distribution: PaymentDistribution | null;
  cohort_for_target: number | null;
  cohort_for_target_stable: number | null;
  /** Sizes searched for the target on this measure (at most 50 000). */
  searched_to: number;
}

export interface CurvePoint {
  cohort: number;
  probability_paid: number;
  probability_paid_frequency: number | null;
}

export interface PbrResult {
  cohort: number;
  baseline_rate: number;
  true_rate: number;
  alpha: number;
  test: PbrTest;
  critical_reoffenders: number | null;
  /** k_crit / n: the highest re-offending rate that is still paid. */
  critical_rate: number | null;
  probability_paid: number;
  price_per_point_gbp: number | null;
  expected_payment_gbp: number | null;
  payment_distribution: PaymentDistribution | null;
  target_probability: number;
  cohort_for_target: number | null;
  cohort_for_target_stable: number | null;
  /** Sizes searched for the target; a null answer means "not within this many". */
  searched_to: number;
  frequency: FrequencyResult | null;
  curve: CurvePoint[];
  explanation: string;
}

/** Validates the inputs, throwing UsageErrors that name the option. */
export function checkPbrInput(i: PbrInput): void {
  if (!Number.isInteger(i.cohort) || i.cohort < 1)
    throw new UsageError(`--cohort must be a whole number of people, at least 1, got ${i.cohort}`);
  const inUnit = (name: string, v: number) => {
    if (!(v > 0 && v < 1))
      throw new UsageError(`${name} must be a proportion strictly between 0 and 1 (e.g. 0.35 for 35%), got ${v}`);
  };
  inUnit('--baseline-rate', i.baselineRate);
  inUnit('--true-rate', i.trueRate);
  inUnit('--alpha', i.alpha);
  inUnit('--target-probability', i.targetProbability);
  if ((i.frequencyBaseline === null) !== (i.frequencyTrue === null)) {
    throw new UsageError(
      '--frequency-baseline and --frequency-true go together: give both (re-offences per re-offender, e.g. 3.2 and 2.9) or neither',
    );
  }
  for (const [name, v] of [
    ['--frequency-baseline', i.frequencyBaseline],
    ['--frequency-true', i.frequencyTrue],
  ] as const) {
    if (v !== null && !(v > 0 && Number.isFinite(v)))
      throw new UsageError(`${name} must be a positive number of re-offences per re-offender, got ${v}`);
  }
  if (i.pricePerReoffence !== null && i.frequencyBaseline === null) {
    throw new UsageError(
      '--price-per-reoffence needs the frequency measure: add --frequency-baseline and --frequency-true',
    );
  }
}

/** The largest cohort to scan: well past the normal-approximation answer, within the limit. */
function scanLimit(approx: number, hardLimit: number): number {
  if (!Number.isFinite(approx)) return hardLimit;
  return Math.min(hardLimit, Math.max(200, Math.ceil(4 * approx) + 200));
}

/** Cohort sizes for the curve: every size up to 400, then about 400 evenly spaced points. */
function curveSizes(maxN: number, cohort: number): number[] {
  const sizes = new Set<number>();
  const step = Math.max(1, Math.floor(maxN / 400));
  for (let n = 1; n <= maxN; n += step) sizes.add(n);
  sizes.add(maxN);
  sizes.add(cohort);
  return [...sizes].sort((a, b) => a - b);
}

export function assessPbr(input: PbrInput): PbrResult {
  checkPbrInput(input);
  const { cohort: n, baselineRate: p0, trueRate: p1, alpha, test, targetProbability: target } = input;
  const hardLimit = input.searchLimit ?? 200_000;
  const bin = binaryProbabilityPaid(n, p0, p1, alpha, test);
  const binaryProb = (m: number) => binaryProbabilityPaid(m, p0, p1, alpha, test).probability;
  const reachable = p1 < p0 || target <= alpha;
  const limit = reachable ? scanLimit(approximateCohort(p0, p1, alpha, target), hardLimit) : 0;
  const search = reachable ? searchCohort(binaryProb, target, limit) : { first: null, stable: null, searched_to: 0 };

  let frequency: FrequencyResult | null = null;
  let freqCalc: FrequencyPbr | null = null;
  if (input.frequencyBaseline !== null && input.frequencyTrue !== null) {
    const f0 = input.frequencyBaseline;
    const f1 = input.frequencyTrue;
    freqCalc = new FrequencyPbr(f0, f1, alpha, test);
    const fc = freqCalc;
    const fProb = (m: number) => fc.probabilityPaid(m, p1);
    // Frequency approximation: about n p1 re-offenders, z-test on a Poisson total.
    const fApprox = f1 < f0 ? approximateFrequencyCohort(f0, f1, p1, alpha, target) : Infinity;
    const fLimit = f1 < f0 ? scanLimit(fApprox, Math.min(hardLimit, 50_000)) : 0;
    const fSearch = f1 < f0 ? searchCohort(fProb, target, fLimit) : { first: null, stable: null, searched_to: 0 };
    const price = input.pricePerReoffence;
    const expectedR = Math.round(n * p1);
    frequency = {
      baseline_frequency: f0,
      true_frequency: f1,
      expected_reoffenders: n * p1,
      critical_reoffences_at_expected: expectedR > 0 ? fc.critical(expectedR) : null,
      probability_paid: fProb(n),
      price_per_reoffence_gbp: price,
      expected_payment_gbp: price !== null ? fc.expectedPayment(n, p1, price) : null,
      payment_distribution: price !== null ? fc.paymentDistribution(n, p1, price) : null,
      cohort_for_target: fSearch.first,
      cohort_for_target_stable: fSearch.stable,
      searched_to: fSearch.searched_to,
    };
  }

  const maxN = Math.max(Math.ceil(n * 1.5), Math.ceil((search.stable ?? search.first ?? 0) * 1.3), 60);
  const curveMax = Math.min(maxN, 20_000);
  const curve = curveSizes(curveMax, n).map((m) => ({
    cohort: m,
    probability_paid: binaryProb(m),
    probability_paid_frequency: freqCalc ? freqCalc.probabilityPaid(m, p1) : null,
  }));

  const price = input.pricePerPoint;
  const result: PbrResult = {
    cohort: n,
    baseline_rate: p0,
    true_rate: p1,
    alpha,
    test,
    critical_reoffenders: bin.critical,
    critical_rate: bin.critical === null ? null : bin.critical / n,
    probability_paid: bin.probability,
    price_per_point_gbp: price,
    expected_payment_gbp: price !== null ? binaryExpectedPayment(n, p0, p1, price, bin.critical) : null,
    payment_distribution: price !== null ? binaryPaymentDistribution(n, p0, p1, price, bin.critical) : null,
    target_probability: target,
    cohort_for_target: search.first,
    cohort_for_target_stable: search.stable,
    searched_to: search.searched_to,
    frequency,
    curve,
    explanation: '',
  };
  result.explanation = explainPbr(result);
  return result;
}

/** Normal approximation for the frequency measure with about n p1 re-offenders. */
function approximateFrequencyCohort(f0: number, f1: number, p1: number, alpha: number, target: number): number {
  // Re-offenders needed: R = ((z_a sqrt(f0) + z_b sqrt(f1)) / (f0 - f1))^2; cohort = R / p1.
  const za = qnorm(1 - alpha);
  const zb = qnorm(target);
  const reoffenders = ((za * Math.sqrt(f0) + zb * Math.sqrt(f1)) / (f0 - f1)) ** 2;
  return reoffenders / p1;
}

const pct = (x: number, digits = 0) => percent(x, digits);
const gbp = (x: number) => `£${Math.round(x).toLocaleString('en-GB')}`;
/** 'an 80%', 'an 8%', 'an 11%', 'an 18%', else 'a'. */
const article = (x: number) => (/^(8|11|18)/.test(String(Math.round(x * 100))) ? 'an' : 'a');
const people = (x: number) => x.toLocaleString('en-GB');

/** A paragraph a small charity's trustee can act on. */
export function explainPbr(r: PbrResult): string {
  const parts: string[] = [];
  const inN = Math.round(r.probability_paid * 100);
  parts.push(
    `Suppose your service really does cut re-offending from ${pct(r.baseline_rate, 1)} to ${pct(r.true_rate, 1)}. ` +
      (r.critical_reoffenders === null
        ? `With only ${people(r.cohort)} people, even a cohort where nobody re-offends would not count as a statistically significant reduction, so you could not be paid at all.`
        : `With ${people(r.cohort)} people you are paid only if ${people(r.critical_reoffenders)} or fewer of them re-offend (${pct(r.critical_rate!, 1)} or less). ` +
          `That happens about ${inN} times in 100, so there is a ${100 - inN} in 100 chance that the service works and you are still paid nothing on this measure.`),
  );
  if (r.expected_payment_gbp !== null && r.payment_distribution) {
    parts.push(
      `On average you would receive ${gbp(r.expected_payment_gbp)}, but averages hide the risk: ` +
        (r.payment_distribution.median_gbp === 0
          ? 'the most likely single outcome is £0'
          : `half the time you would receive less than ${gbp(r.payment_distribution.median_gbp)}`) +
        `, so costs must be covered from reserves until payment arrives, if it does.`,
    );
  }
  if (r.cohort_for_target !== null) {
    parts.push(
      `To have ${article(r.target_probability)} ${pct(r.target_probability)} chance of being paid you need a cohort of about ${people(r.cohort_for_target)} people` +
        (r.cohort_for_target_stable !== null && r.cohort_for_target_stable !== r.cohort_for_target
          ? ` (and ${people(r.cohort_for_target_stable)} to be safe: because people come in whole numbers, adding a few can briefly lower the chance).`
          : '.'),
    );
  } else if (r.true_rate >= r.baseline_rate) {
    parts.push(
      'If the true rate is not below the baseline, no cohort size gives a good chance of payment: payment then happens only by luck.',
    );
  } else {
    parts.push(
      `Even ${people(r.searched_to)} people would not give ${article(r.target_probability)} ${pct(r.target_probability)} chance of payment: the expected reduction is too small to show reliably.`,
    );
  }
  if (r.frequency) {
    const f = r.frequency;
    parts.push(
      `On the frequency measure (re-offences per re-offender falling from ${f.baseline_frequency} to ${f.true_frequency}) the chance of payment is about ${Math.round(f.probability_paid * 100)} in 100` +
        (f.cohort_for_target !== null
          ? `, and about ${people(f.cohort_for_target)} people give ${article(r.target_probability)} ${pct(r.target_probability)} chance.`
          : '.'),
    );
  }
  parts.push(
    'Small providers should not carry this risk alone: ask for payment on larger pooled cohorts, part-payment up front, or a comparison group rather than a fixed baseline.',
  );
  return parts.join(' ');
}
