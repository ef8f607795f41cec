import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { binaryDetectable, binaryPower, binarySampleSize, cohensH, designEffect } from './binary-power.js';

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

// Reference values: R 4 stats::power.prop.test (tol = 1e-12 so uniroot does not limit the digits),
// pwr 1.3 (pwr.2p.test, pwr.2p2n.test, ES.h; roots re-solved with uniroot(tol = 1e-13)), and the
// Fleiss formulas of docs/methods.md written in R (fl, flcc): see bench/power-reference.R.
describe('normal approximation (power.prop.test / Fleiss)', () => {
  it('p1 .5, p2 .75, power .9 -> 76.71 per arm', () => {
    // R: power.prop.test(p1 = .5, p2 = .75, power = .9, tol = 1e-12)$n
    expect(rel(binarySampleSize(0.5, 0.75, 0.9), 76.706928451777443)).toBeLessThan(1e-9);
  });
  it('re-offending rates .35 vs .288', () => {
    // R: power.prop.test(p1 = .35, p2 = .288, power = .8, tol = 1e-12)$n
    expect(rel(binarySampleSize(0.35, 0.288, 0.8), 885.95999534690304)).toBeLessThan(1e-9);
  });
  it('power for n = 300', () => {
    // R: power.prop.test(n = 300, p1 = .35, p2 = .25)$power
    expect(rel(binaryPower(0.35, 0.25, 300), 0.76329093662416603)).toBeLessThan(1e-9);
  });
  it('one-sided', () => {
    // R: power.prop.test(p1 = .35, p2 = .25, power = .8, alternative = "one.sided", tol = 1e-12)$n
    expect(rel(binarySampleSize(0.35, 0.25, 0.8, { twoTailed: false }), 258.61899633570573)).toBeLessThan(1e-9);
  });
  it('allocation ratio 2', () => {
    // R: fl(.35, .25, 2)  (Fleiss, pbar = (p1 + r p2)/(1 + r))
    expect(rel(binarySampleSize(0.35, 0.25, 0.8, { ratio: 2 }), 242.95697029797967)).toBeLessThan(1e-9);
  });
});

describe('Fleiss continuity correction', () => {
  it.each([
    // R: flcc(.5, .75, 1, pw = .9)
    [0.5, 0.75, 0.9, 1, 84.517618811669692],
    // R: flcc(.35, .25, 2)
    [0.35, 0.25, 0.8, 2, 257.73872602841737],
  ])('p1 %f p2 %f', (p1, p2, power, ratio, ref) => {
    const n = binarySampleSize(p1, p2, power, { method: 'continuity', ratio });
    expect(rel(n, ref)).toBeLessThan(1e-9);
    // The power function inverts the correction.
    expect(binaryPower(p1, p2, n, { method: 'continuity', ratio })).toBeCloseTo(power, 12);
  });
});

describe('arcsine (Cohen h, pwr)', () => {
  it('ES.h(.65, .45) = 0.4049, power .8 -> 95.77 per arm', () => {
    // R: ES.h(.65, .45); uniroot(function(n) pwr.2p.test(h = ES.h(.65, .45), n = n)$power - .8, c(2, 1000), tol = 1e-13)$root
    expect(rel(cohensH(0.65, 0.45), 0.40486007517695755)).toBeLessThan(1e-12);
    expect(rel(binarySampleSize(0.65, 0.45, 0.8, { method: 'arcsine' }), 95.769386131734493)).toBeLessThan(1e-8);
  });
  it('unequal arms, both tails and one tail', () => {
    // R: pwr.2p2n.test(h = ES.h(.35, .25), n1 = 200, n2 = 300)$power
    expect(rel(binaryPower(0.35, 0.25, 200, { method: 'arcsine', ratio: 1.5 }), 0.66932517684793968)).toBeLessThan(
      1e-9,
    );
    // R: pwr.2p2n.test(h = ES.h(.35, .25), n1 = 200, n2 = 300, alternative = "greater")$power
    expect(
      rel(binaryPower(0.35, 0.25, 200, { method: 'arcsine', ratio: 1.5, twoTailed: false }), 0.77431794277959665),
    ).toBeLessThan(1e-9);
    // R: uniroot(function(n) pwr.2p2n.test(h = ES.h(.35, .25), n1 = n, n2 = 1.5 * n)$power - .8, c(2, 5000), tol = 1e-13)$root
    expect(rel(binarySampleSize(0.35, 0.25, 0.8, { method: 'arcsine', ratio: 1.5 }), 272.98547980943937)).toBeLessThan(
      1e-8,
    );
  });
});

describe('clusters and the detectable difference', () => {
  it('design effect, with Eldridge cv', () => {
    expect(rel(designEffect(25, 0.027), 1.648)).toBeLessThan(1e-12);
    // 1 + ((cv^2 + 1) m - 1) icc = 1 + ((0.16 + 1) 25 - 1) 0.027
    expect(rel(designEffect(25, 0.027, 0.4), 1.756)).toBeLessThan(1e-12);
  });
  it('40 teams of 25: power and detectable rate', () => {
    // R: power.prop.test(n = 500/1.648, p1 = .35, p2 = .288)$power
    expect(rel(binaryPower(0.35, 0.288, 500 / 1.648), 0.37361296970246616)).toBeLessThan(1e-9);
    // R: uniroot(function(p2) power.prop.test(n = 500/1.648, p1 = .35, p2 = p2)$power - .8, c(.01, .3499), tol = 1e-14)$root
    const d = binaryDetectable({ p1: 0.35, n1: 500, designEffect: 1.648 });
    expect(rel(d.detectable_p2!, 0.24615682872411618)).toBeLessThan(1e-9);
    // R: abs(qlogis(p2) - qlogis(.35)) * sqrt(3)/pi; ES.h(.35, p2)
    expect(rel(d.logit_d!, 0.27576164388991647)).toBeLessThan(1e-8);
    expect(rel(d.cohens_h!, 0.22780452047673672)).toBeLessThan(1e-8);
    expect(d.log_odds_ratio!).toBeLessThan(0);
  });
  it('arcsine, detectable increase', () => {
    // R: uniroot(function(p2) pwr.2p2n.test(h = ES.h(.35, p2), n1 = 400, n2 = 400)$power - .8, c(.3501, .99), tol = 1e-14)$root
    const d = binaryDetectable({ p1: 0.35, n1: 400, method: 'arcsine', direction: 'higher' });
    expect(rel(d.detectable_p2!, 0.4468054101177355)).toBeLessThan(1e-9);
  });
  it('nothing is detectable with a tiny sample', () => {
    expect(binaryDetectable({ p1: 0.02, n1: 3 }).detectable_p2).toBeNull();
  });
});

describe('bad input', () => {
  it.each([
    [() => binarySampleSize(0.3, 0.3, 0.8), '--p1 and --p2 must differ to solve for n (both are 0.3)'],
    [() => binarySampleSize(1.2, 0.3, 0.8), '--p1 must be a proportion strictly between 0 and 1, got 1.2'],
    [() => binaryPower(0.3, 0, 100), '--p2 must be a proportion strictly between 0 and 1, got 0'],
    [
      () => binarySampleSize(0.3, 0.2, 0.8, { ratio: 0 }),
      '--allocation-ratio must be a positive number (n2/n1), got 0',
    ],
    [() => designEffect(25, 1), '--icc must be in [0, 1), got 1'],
    [() => designEffect(0.5, 0.1), '--cluster-size must be at least 1, got 0.5'],
  ])('%#', (f, message) => {
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });
});
