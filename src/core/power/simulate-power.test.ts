import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { createRng } from '../random.js';
import { binaryPower } from './binary-power.js';
import { clusterBinaryPower } from './cluster-binary.js';
import { gaussHermite, latentToMarginal, marginalDesign, simulateBinaryPower } from './simulate-power.js';

describe('simulated power for a binary outcome', () => {
  it('is reproducible from the seed', () => {
    const spec = { p1: 0.35, p2: 0.25, n: 200, clusterSize: 20, icc: 0.03, reps: 60 };
    expect(simulateBinaryPower(spec, createRng(5))).toEqual(simulateBinaryPower(spec, createRng(5)));
    expect(simulateBinaryPower(spec, createRng(6)).power).not.toBeNaN();
  });
  it('the primary analysis is the default; the same seed gives the same trials to either analysis', () => {
    const spec = { p1: 0.35, p2: 0.25, n: 100, clusterSize: 20, icc: 0.03, reps: 40 };
    const lpm = simulateBinaryPower(spec, createRng(4));
    expect(lpm.sim_analysis).toBe('primary');
    expect(lpm.estimand).toBe('risk_difference');
    expect(lpm.analysis).toBe(
      'Risk difference as the arm coefficient of a linear probability model (OLS, unadjusted), CR2 cluster-robust standard error by team with Satterthwaite degrees of freedom, as R estimatr::lm_robust(y ~ arm, clusters = team, se_type = "CR2"); power = share of replicates with two-sided t-test p <= alpha.',
    );
    // 5 clusters per arm of 20: CR2 Satterthwaite df for the arm coefficient is 2(J - 1) = 8 with equal clusters.
    expect(lpm.mean_df).toBeCloseTo(8, 10);
    const logistic = simulateBinaryPower({ ...spec, analysis: 'logistic' }, createRng(4));
    expect(logistic.estimand).toBe('log_odds_ratio');
    expect(logistic.mean_df).toBeNull();
    expect(logistic.analysis).toBe(
      'Log odds ratio from glm(y ~ arm, binomial) with sandwich::vcovCL(cluster = ~team) standard error, Wald z test.',
    );
    // Same data: the LPM risk difference and the log OR have the same sign replicate by replicate, so the means agree in sign.
    expect(Math.sign(lpm.mean_estimate!)).toBe(Math.sign(logistic.mean_estimate!));
    expect(logistic.formula_power).toBe(lpm.formula_power);
  });
  it('individual design, primary analysis: agrees with power.prop.test within 4 MCSE; unbiased for p2 - p1', () => {
    // R: power.prop.test(n = 150, p1 = .3, p2 = .5)$power = 0.9462418
    const analytic = binaryPower(0.3, 0.5, 150);
    expect(analytic).toBeCloseTo(0.9462418, 6);
    const r = simulateBinaryPower({ p1: 0.3, p2: 0.5, n: 150, reps: 400 }, createRng(3));
    expect(r.design).toBe('individual');
    expect(r.truth).toBe(0.5 - 0.3);
    expect(r.formula_power).toBe(analytic);
    expect(Math.abs(r.power - analytic)).toBeLessThan(4 * r.power_mcse);
    // HC2 with t on n - 2 = 298 df.
    expect(r.mean_df).toBe(298);
    // The difference in proportions is exactly unbiased: |bias| < 4 x its MCSE (rmse / sqrt(reps)).
    expect(Math.abs(r.bias!)).toBeLessThan((4 * r.rmse!) / Math.sqrt(r.reps));
    expect(Math.abs(r.coverage! - 0.95)).toBeLessThan(4 * Math.sqrt((0.95 * 0.05) / r.reps));
    expect(r.marginal).toBeNull();
  });
  it('individual design, power below 1: agrees with power.prop.test within 4 MCSE', () => {
    // R: power.prop.test(n = 200, p1 = .35, p2 = .25)$power = 0.5884460899
    const analytic = binaryPower(0.35, 0.25, 200);
    expect(analytic).toBeCloseTo(0.5884460899, 8);
    const r = simulateBinaryPower({ p1: 0.35, p2: 0.25, n: 200, reps: 400 }, createRng(11));
    expect(Math.abs(r.power - analytic)).toBeLessThan(4 * r.power_mcse);
  });
  it('cluster design, primary analysis: agrees with the t-corrected cpa.binary formula at the marginal rates and ICC within 4 MCSE', () => {
    // 8 clusters of 50 per arm, latent ICC 0.05, p1 .4, p2 .25 (typical-cluster rates). Marginal:
    // rates 0.403851 and 0.257701, proportion-scale ICCs 0.038664 and 0.031624 (R integrate, see
    // test/data/simulate-power-marginal.R), pooled ICC = (V1 + V2) / (p1 q1 + p2 q2).
    // R (same script): cpa.binary(nclusters = 8, nsubjects = 50, p1 = a[["mean"]], p2 = b[["mean"]], ICC = icc)
    //   = 0.704810972394843, icc (pooled) = 0.0355469455757487.
    const r = simulateBinaryPower({ p1: 0.4, p2: 0.25, n: 400, clusterSize: 50, icc: 0.05, reps: 400 }, createRng(3));
    const m = r.marginal!;
    expect(m.p1).toBeCloseTo(0.403850898025642, 12);
    expect(m.p2).toBeCloseTo(0.257701031040827, 12);
    expect(m.icc).toBeCloseTo(
      (0.00930846062879196 + 0.00604947491970456) /
        (0.403850898025642 * 0.596149101974358 + 0.257701031040827 * 0.742298968959173),
      12,
    );
    expect(m.icc).toBeCloseTo(0.0355469455757487, 12);
    expect(r.formula_power).toBeCloseTo(0.704810972394843, 10);
    expect(r.clusters).toBe(16);
    expect(r.mean_df).toBeCloseTo(14, 8);
    expect(Math.abs(r.power - r.formula_power)).toBeLessThan(4 * r.power_mcse);
    // The truth is the population-averaged difference, not p2 - p1 of a typical cluster.
    expect(r.truth).toBeCloseTo(0.257701031040827 - 0.403850898025642, 12);
    expect(Math.abs(r.bias!)).toBeLessThan((4 * r.rmse!) / Math.sqrt(r.reps));
    expect(Math.abs(r.coverage! - 0.95)).toBeLessThan(4 * Math.sqrt((0.95 * 0.05) / r.reps));
  });
  it('cluster design with unequal cluster sizes: the formula uses their mean and coefficient of variation', () => {
    // 210 per arm in clusters of 25: 2 x 9 = 18 clusters of 23 or 24 people.
    const r = simulateBinaryPower({ p1: 0.35, p2: 0.25, n: 210, clusterSize: 25, icc: 0.03, reps: 20 }, createRng(1));
    const sizes = [...Array(18).keys()].map((c) => Math.floor(((c + 1) * 420) / 18) - Math.floor((c * 420) / 18));
    const mean = 420 / 18;
    const cv = Math.sqrt(sizes.reduce((s, x) => s + (x - mean) ** 2, 0) / 17) / mean;
    expect(r.formula_power).toBeCloseTo(
      clusterBinaryPower({ p1: r.marginal!.p1, p2: r.marginal!.p2, m: mean, icc: r.marginal!.icc, cv }, 9),
      12,
    );
  });
  it('cluster design under the null rejects at about alpha with either analysis', () => {
    for (const analysis of ['primary', 'logistic'] as const) {
      const r = simulateBinaryPower(
        { p1: 0.3, p2: 0.3, n: 500, clusterSize: 25, icc: 0.05, reps: 600, analysis },
        createRng(8),
      );
      expect(r.clusters).toBe(40);
      expect(r.truth).toBe(0);
      expect(Math.abs(r.power - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / 600));
      expect(r.coverage!).toBeGreaterThan(0.92);
    }
  });
  it('clustering costs power: icc 0.1 has less power than icc 0', () => {
    const base = { p1: 0.35, p2: 0.25, n: 400, clusterSize: 20, reps: 400 };
    const r0 = simulateBinaryPower({ ...base, icc: 0 }, createRng(2));
    const r1 = simulateBinaryPower({ ...base, icc: 0.1 }, createRng(2));
    expect(r0.truth).toBeCloseTo(-0.1, 15);
    expect(r0.power - r1.power).toBeGreaterThan(4 * Math.hypot(r0.power_mcse, r1.power_mcse));
  });
  it('one-tailed: tests in the direction of the effect', () => {
    const two = simulateBinaryPower({ p1: 0.35, p2: 0.25, n: 200, reps: 300 }, createRng(9));
    const one = simulateBinaryPower({ p1: 0.35, p2: 0.25, n: 200, reps: 300, twoTailed: false }, createRng(9));
    // Same trials; a one-sided test at alpha rejects whenever the two-sided one does in that direction.
    expect(one.power).toBeGreaterThan(two.power);
    // R: power.prop.test(n = 200, p1 = .35, p2 = .25, alternative = "one.sided")$power = 0.7055919615
    expect(one.formula_power).toBeCloseTo(0.7055919615, 8);
  });
  it('logistic analysis (--sim-analysis logistic): individual design agrees with the normal approximation within 4 MCSE', () => {
    // Analytic: power.prop.test(n = 150, p1 = .3, p2 = .5)$power
    const analytic = binaryPower(0.3, 0.5, 150);
    const r = simulateBinaryPower({ p1: 0.3, p2: 0.5, n: 150, reps: 800, analysis: 'logistic' }, createRng(3));
    expect(Math.abs(r.power - analytic)).toBeLessThan(4 * r.power_mcse);
    expect(r.design).toBe('individual');
    // The glm log OR is close to unbiased at this size; Wald coverage close to 95%.
    expect(Math.abs(r.bias!)).toBeLessThan(0.05);
    expect(r.coverage!).toBeGreaterThan(0.92);
    expect(r.truth).toBeCloseTo(Math.log(0.5 / 0.5 / (0.3 / 0.7)), 14);
  });
  it.each([
    [{ p1: 0.3, p2: 1, n: 100, reps: 10 }, '--p2 must be a proportion strictly between 0 and 1, got 1'],
    [
      { p1: 0.3, p2: 0.2, n: 20, clusterSize: 25, icc: 0.05, reps: 10 },
      '--n 20 with --cluster-size 25 gives 1 cluster per arm; cluster-robust analysis needs at least 2 per arm',
    ],
    [{ p1: 0.3, p2: 0.2, n: 100, reps: 0 }, '--simulate must be a whole number of replicates >= 1, got 0'],
    [
      { p1: 0.3, p2: 0.2, n: 100, reps: 10, analysis: 'probit' as 'primary' },
      '--sim-analysis must be one of primary, logistic, got "probit"',
    ],
  ])('usage error %#', (spec, message) => {
    const f = (): unknown => simulateBinaryPower(spec, createRng(1));
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });
});

describe('latent (logit-normal) to marginal rates and ICC', () => {
  it('Gauss-Hermite rule: weights sum to 1 and integrate the normal moments exactly', () => {
    const { nodes, weights } = gaussHermite();
    const moment = (k: number): number => nodes.reduce((s, x, i) => s + weights[i]! * x ** k, 0);
    expect(moment(0)).toBeCloseTo(1, 14);
    expect(moment(1)).toBeCloseTo(0, 13);
    expect(moment(2)).toBeCloseTo(1, 12);
    expect(moment(4)).toBeCloseTo(3, 11);
    expect(moment(6)).toBeCloseTo(15, 9);
  });
  // R (test/data/simulate-power-marginal.R, output in simulate-power-marginal.out):
  //   s <- sqrt(icc / (1 - icc) * pi^2 / 3)
  //   m1 <- integrate(function(u) plogis(qlogis(p) + u) * dnorm(u, 0, s), -Inf, Inf, rel.tol = 1e-13)$value
  //   v <- integrate(function(u) (plogis(qlogis(p) + u) - m1)^2 * dnorm(u, 0, s), -Inf, Inf, rel.tol = 1e-13)$value
  it.each([
    [0.35, 0.027, 0.3529984043584, 0.00458997459050949, 0.0200970441850095, 12],
    [0.288, 0.027, 0.291841392156969, 0.00378572475996448, 0.0183177281183607, 12],
    [0.4, 0.05, 0.403850898025642, 0.00930846062879196, 0.0386635670670008, 12],
    [0.25, 0.05, 0.257701031040827, 0.00604947491970456, 0.0316244271289181, 12],
    [0.1, 0.2, 0.1282687990252, 0.00997336036158333, 0.0891944624429494, 10],
    [0.6, 0.5, 0.564672354868895, 0.0877913830284297, 0.357140512145048, 8],
  ])('p %s, latent icc %s', (p, icc, mean, variance, marginalIcc, digits) => {
    const r = latentToMarginal(p, icc);
    expect(r.mean).toBeCloseTo(mean, digits);
    expect(r.variance).toBeCloseTo(variance, digits);
    expect(r.icc).toBeCloseTo(marginalIcc, digits);
  });
  it('no cluster effect: the rates themselves and ICC 0; the pooled ICC lies between the arm ICCs', () => {
    expect(latentToMarginal(0.3, 0)).toEqual({ mean: 0.3, variance: 0, icc: 0 });
    const m = marginalDesign(0.35, 0.288, 0.027);
    expect(m.icc).toBeGreaterThan(Math.min(...m.icc_arms));
    expect(m.icc).toBeLessThan(Math.max(...m.icc_arms));
  });
});
