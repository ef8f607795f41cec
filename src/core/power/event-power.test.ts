import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  countPower,
  countSampleSize,
  eventProbability,
  schoenfeldEvents,
  schoenfeldPower,
  survivalSize,
} from './event-power.js';

// References: bench/power-plan-reference.R (output bench/power-plan-reference.out): Schoenfeld's
// formula and integrate() for the event probabilities written in R; MKpower's own
// R/powerNbinomTest.R (commit 078cc788) for the negative binomial sizes (its help-page examples
// are Zhu & Lakkis 2014, Tables I and II).
function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('Schoenfeld events for a hazard ratio', () => {
  it('HR 0.7, 80%, two-sided 5%: 247 events', () => {
    // R: (qnorm(.975) + qnorm(.8))^2 / (.25 * log(.7)^2) = 246.78710454735841
    expect(rel(schoenfeldEvents(0.7, 0.8), 246.78710454735841)).toBeLessThan(1e-12);
    expect(survivalSize({ hr: 0.7, power: 0.8, eventProb: 0.5 }).events).toBe(247);
  });
  it('2:1 allocation, 90%', () => {
    // R: schoenfeld(.7, power = .9, pi = 2/3) = 371.67515320928572
    expect(rel(schoenfeldEvents(0.7, 0.9, { allocation: 2 / 3 }), 371.67515320928572)).toBeLessThan(1e-12);
  });
  it('power with 200 events', () => {
    // R: pnorm(abs(log(.7)) * sqrt(200 * .25) - qnorm(.975)) = 0.71297902992696416
    expect(rel(schoenfeldPower(0.7, 200), 0.71297902992696416)).toBeLessThan(1e-12);
  });
  it('event probability: exponential, uniform accrual 12 months, 12 more months of follow-up', () => {
    // R: 1 - integrate(function(u) exp(-h * (F + A - u)), 0, A)$value / A with h = log(2)/24, A = F = 12
    //    control 0.40241614769538436, treated (h x 0.7) 0.30333537908413755
    const h0 = Math.LN2 / 24;
    expect(rel(eventProbability(h0, 12, 12), 0.40241614769538436)).toBeLessThan(1e-10);
    expect(rel(eventProbability(h0 * 0.7, 12, 12), 0.30333537908413755)).toBeLessThan(1e-10);
    const s = survivalSize({ hr: 0.7, power: 0.8, median0: 24, accrual: 12, followUp: 12 });
    expect(s.event_prob).toBeCloseTo((0.40241614769538436 + 0.30333537908413755) / 2, 10);
    expect(s.n_exact).toBeCloseTo(247 / s.event_prob, 8);
  });
  it('needs an event probability', () => {
    expect(() => survivalSize({ hr: 0.7, power: 0.8 })).toThrow(UsageError);
    expect(() => schoenfeldEvents(1, 0.8)).toThrow('--hr must be a positive number other than 1');
  });
});

describe('Zhu & Lakkis negative binomial rate ratio (MKpower::power.nb.test)', () => {
  it.each([
    // R: power.nb.test(mu0 = .8, RR = .85, theta = 1/.4, duration = .75, power = .8, approach = a)$n
    [0.8, 0.85, 0.4, 0.75, 1, 1, 1254.228648489275],
    [0.8, 0.85, 0.4, 0.75, 1, 2, 1315.6898675556592],
    [0.8, 0.85, 0.4, 0.75, 1, 3, 1310.7301064832084],
    // R: power.nb.test(mu0 = 1.4, RR = 1.15, theta = 1/1.5, duration = .75, power = .8, approach = a)$n
    [1.4, 1.15, 1.5, 0.75, 1, 1, 1955.7612885898625],
    [1.4, 1.15, 1.5, 0.75, 1, 2, 1920.9082478985495],
    [1.4, 1.15, 1.5, 0.75, 1, 3, 1918.4716146132257],
    // R: power.nb.test(mu0 = 10, RR = 1.5, theta = 5, duration = 1, ssize.ratio = 3/2, power = .8, approach = 3)$n
    [10, 1.5, 0.2, 1, 1.5, 3, 22.266271606189651],
  ] as const)('rate0 %s, RR %s, k %s, t %s, ratio %s, approach %s', (rate0, rr, k, t, ratio, approach, ref) => {
    const n = countSampleSize({ rate0, rr, dispersion: k, exposure: t, ratio, approach }, 0.8);
    expect(rel(n, ref)).toBeLessThan(1e-10);
  });
  it('power with 100 per arm', () => {
    // R: power.nb.test(n = 100, mu0 = .8, RR = .7, theta = 1/.4, duration = 1, approach = 3)$power = 0.45442302827689474
    expect(rel(countPower({ rate0: 0.8, rr: 0.7, dispersion: 0.4 }, 100), 0.45442302827689474)).toBeLessThan(1e-10);
  });
  it('dispersion 0 is Poisson', () => {
    // R: power.nb.test(mu0 = .8, RR = .7, theta = 1e12, duration = 1, power = .8, approach = 3)$n = 183.20359989446331
    expect(rel(countSampleSize({ rate0: 0.8, rr: 0.7 }, 0.8), 183.20359989446331)).toBeLessThan(1e-9);
  });
});
