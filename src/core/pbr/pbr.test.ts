import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import { dbinom } from '../stats/distributions.js';
import { assessPbr, type PbrInput } from './assess-pbr.js';
import { binaryExpectedPayment, binaryPaymentDistribution, criticalReoffenders, searchCohort } from './binary-pbr.js';
import { pbrCurveSvg } from '../../report/svg/pbr-curve-svg.js';
import { criticalReoffences, FrequencyPbr } from './frequency-pbr.js';
import { simulatePbr } from './simulate-pbr.js';

// Reference values: bench/pbr-reference.R (R 4, stats only); each R call is quoted beside its value.
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

const base: PbrInput = {
  cohort: 100,
  baselineRate: 0.35,
  trueRate: 0.3,
  alpha: 0.05,
  test: 'exact',
  pricePerPoint: 2000,
  targetProbability: 0.8,
  frequencyBaseline: null,
  frequencyTrue: null,
  pricePerReoffence: null,
};

describe('binary measure', () => {
  it('critical count is the largest k with P(X <= k | p0) <= alpha', () => {
    // pbinom(26, 100, .35) = 0.0351436764829069 <= .05 < pbinom(27, 100, .35) = 0.0558076746758317
    expect(criticalReoffenders(100, 0.35, 0.05, 'exact')).toBe(26);
    // kcrit(300, .35) in bench/pbr-reference.R: 91
    expect(criticalReoffenders(300, 0.35, 0.05, 'exact')).toBe(91);
    // pbinom(0, 10, .35) = 0.0134627433446289: even k = 0 only just qualifies
    expect(criticalReoffenders(10, 0.35, 0.05, 'exact')).toBe(0);
    // pbinom(0, 5, .35) = 0.116029 > .05: no count is significant
    expect(criticalReoffenders(5, 0.35, 0.05, 'exact')).toBeNull();
    // normal test with null SE: max k with pnorm((k - 35)/sqrt(100*.35*.65)) <= .05 is 27
    expect(criticalReoffenders(100, 0.35, 0.05, 'normal')).toBe(27);
  });

  it('probability paid and expected payment match R', () => {
    const r = assessPbr(base);
    expect(r.critical_reoffenders).toBe(26);
    // pbinom(26, 100, .3)
    expect(rel(r.probability_paid, 0.224399239749254)).toBeLessThan(1e-9);
    // sum(dbinom(0:26, 100, .3) * 2000 * 100 * (.35 - (0:26)/100))
    expect(rel(r.expected_payment_gbp!, 4964.34200405342)).toBeLessThan(1e-9);
    const d = r.payment_distribution!;
    expect(rel(d.mean_gbp, 4964.34200405342)).toBeLessThan(1e-9);
    expect(rel(d.probability_zero, 1 - 0.224399239749254)).toBeLessThan(1e-9);
    expect(d.median_gbp).toBe(0);
    expect(d.maximum_gbp).toBe(70000); // k = 0: 2000 x 35 points
    // normal test: pbinom(27, 100, .3) = 0.296366160557743
    const n = assessPbr({ ...base, test: 'normal' });
    expect(n.critical_reoffenders).toBe(27);
    expect(rel(n.probability_paid, 0.296366160557743)).toBeLessThan(1e-9);
  });

  it('closed-form expected payment equals the direct sum (also when k_crit passes the baseline)', () => {
    for (const [n, p0, p1, c] of [
      [40, 0.4, 0.3, 10],
      [20, 0.3, 0.25, 9],
    ] as const) {
      let direct = 0;
      for (let k = 0; k <= c; k++) direct += dbinom(k, n, p1) * Math.max(0, 100 * 100 * (p0 - k / n));
      expect(rel(binaryExpectedPayment(n, p0, p1, 100, c), direct)).toBeLessThan(1e-10);
      expect(rel(binaryPaymentDistribution(n, p0, p1, 100, c).mean_gbp, direct)).toBeLessThan(1e-10);
    }
  });

  it('cohort for the target: first and stable (sawtooth), as the R scan', () => {
    const r = assessPbr(base);
    // which(sapply(1:1500, paid) >= .8)[1] = 545 (pp 0.800408579908751); pp[546] = 0.792343638024328
    expect(r.cohort_for_target).toBe(545);
    // smallest n0 with all(pp[n0:(2 n0)] >= .8) = 569
    expect(r.cohort_for_target_stable).toBe(569);
    const at = (n: number) => r.curve.find((c) => c.cohort === n);
    expect(r.curve.length).toBeGreaterThan(50);
    expect(at(100)!.probability_paid).toBeCloseTo(0.224399239749254, 12);
  });

  it('searchCohort handles a target never reached and a dip after the first hit', () => {
    expect(searchCohort(() => 0.5, 0.8, 100)).toEqual({ first: null, stable: null, searched_to: 100 });
    // reaches at 3, dips at 5, stable from 6 (6..12 all reach)
    const prob = (n: number) => (n >= 3 && n !== 5 ? 0.9 : 0.1);
    expect(searchCohort(prob, 0.8, 100)).toEqual({ first: 3, stable: 6, searched_to: 100 });
  });

  it('a true rate at or above the baseline never reaches the target', () => {
    const r = assessPbr({ ...base, trueRate: 0.36 });
    expect(r.cohort_for_target).toBeNull();
    expect(r.cohort_for_target_stable).toBeNull();
    expect(r.explanation).toMatch(/only by luck/);
  });
});

describe('frequency measure', () => {
  it('critical total re-offences and payment probability match R', () => {
    // tcrit(30, 3.2) = 79; poisson.test(79, 30, 3.2, alternative = "less")$p.value = 0.0428505699164543
    expect(criticalReoffences(30, 3.2, 0.05, 'exact')).toBe(79);
    expect(criticalReoffences(0, 3.2, 0.05, 'exact')).toBeNull();
    const f = new FrequencyPbr(3.2, 2.9, 0.05, 'exact');
    // fpaid(100, .3, 3.2, 2.9) in bench/pbr-reference.R
    expect(rel(f.probabilityPaid(100, 0.3), 0.215989620090618)).toBeLessThan(1e-9);
    // fpay(100, .3, 3.2, 2.9, 150)
    expect(rel(f.expectedPayment(100, 0.3, 150), 700.232447465872)).toBeLessThan(1e-9);
    expect(rel(f.paymentDistribution(100, 0.3, 150).mean_gbp, 700.232447465872)).toBeLessThan(1e-4); // atoms rounded to the penny
  });

  it('cohort for the target on the frequency measure', () => {
    const r = assessPbr({ ...base, frequencyBaseline: 3.2, frequencyTrue: 2.9, pricePerReoffence: 150 });
    // which(fp >= .8)[1] = 715; stable = 715
    expect(r.frequency!.cohort_for_target).toBe(715);
    expect(r.frequency!.cohort_for_target_stable).toBe(715);
  });
});

describe('simulation agrees with the exact answer', () => {
  it('within 3 Monte Carlo SEs (binary and frequency, payments too)', () => {
    const input = { ...base, frequencyBaseline: 3.2, frequencyTrue: 2.9, pricePerReoffence: 150 };
    const exact = assessPbr(input);
    const f = new FrequencyPbr(3.2, 2.9, 0.05, 'exact');
    const sim = simulatePbr(
      {
        n: 100,
        p0: 0.35,
        p1: 0.3,
        alpha: 0.05,
        test: 'exact',
        pricePerPoint: 2000,
        frequency: f,
        pricePerReoffence: 150,
        reps: 20000,
        seed: 11,
      },
      createRng(11),
    );
    const z = (s: number, e: number, se: number) => Math.abs(s - e) / se;
    expect(z(sim.binary.probability_paid, exact.probability_paid, sim.binary.probability_paid_mcse)).toBeLessThan(3);
    expect(
      z(sim.binary.expected_payment_gbp!, exact.expected_payment_gbp!, sim.binary.expected_payment_mcse!),
    ).toBeLessThan(3);
    expect(
      z(sim.frequency!.probability_paid, exact.frequency!.probability_paid, sim.frequency!.probability_paid_mcse),
    ).toBeLessThan(3);
    expect(
      z(
        sim.frequency!.expected_payment_gbp!,
        exact.frequency!.expected_payment_gbp!,
        sim.frequency!.expected_payment_mcse!,
      ),
    ).toBeLessThan(3);
    // A wrong "exact" answer would be caught: 0.25 is ~9 MCSEs from the simulation.
    expect(z(sim.binary.probability_paid, 0.25, sim.binary.probability_paid_mcse)).toBeGreaterThan(3);
  });
});

describe('inputs and outputs', () => {
  it('rejects bad inputs with messages naming the option', () => {
    expect(() => assessPbr({ ...base, cohort: 0 })).toThrow(
      /--cohort must be a whole number of people, at least 1, got 0/,
    );
    expect(() => assessPbr({ ...base, baselineRate: 1.2 })).toThrow(
      /--baseline-rate must be a proportion strictly between 0 and 1/,
    );
    expect(() => assessPbr({ ...base, trueRate: 0 })).toThrow(/--true-rate must be a proportion/);
    expect(() => assessPbr({ ...base, frequencyBaseline: 3 })).toThrow(
      /--frequency-baseline and --frequency-true go together/,
    );
    expect(() => assessPbr({ ...base, pricePerReoffence: 10 })).toThrow(
      /--price-per-reoffence needs the frequency measure/,
    );
  });

  it('explains the result in plain words and draws the curve', () => {
    const r = assessPbr(base);
    expect(r.explanation).toMatch(/paid only if 26 or fewer of them re-offend/);
    expect(r.explanation).toMatch(/about 22 times in 100/);
    expect(r.explanation).toMatch(/about 545 people \(and 569 to be safe/);
    const svg = pbrCurveSvg(r);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+L/);
    expect(svg).toContain('your cohort: 100 (22%)');
    expect(svg).not.toMatch(/NaN/);
  });

  it('a cohort too small to ever be paid says so', () => {
    const r = assessPbr({ ...base, cohort: 5 });
    expect(r.critical_reoffenders).toBeNull();
    expect(r.probability_paid).toBe(0);
    expect(r.expected_payment_gbp).toBe(0);
    expect(r.explanation).toMatch(/even a cohort where nobody re-offends would not count/);
  });
});
