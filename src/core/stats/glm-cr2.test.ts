/**
 * CR2 + Satterthwaite inference for cluster-robust GLMs against clubSandwich 0.5.8 (R 4.2.2).
 * Data and values: test/data/cr2-glm/cr2-glm-reference.R (output cr2-glm-reference.out), on
 * lme4::cbpp expanded to one row per animal (842 animals in 15 herds), and on cbpp's herd-periods.
 * synthetic-large-clusters.csv (12 clusters of 60 with a continuous covariate) checks the
 * quadrature route for clusters with many covariate patterns. Each case is
 *   ct <- clubSandwich::coef_test(fit, vcov = "CR2", cluster = herd, test = "Satterthwaite")
 * with fit as named in the case; ctl <- glm.control(epsilon = 1e-14, maxit = 100), the MLE to rounding.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitLogistic } from './logistic-regression.js';
import { fitPoisson } from './poisson-regression.js';
import { fitPoissonOffset } from './count-regression.js';
import { glmCr2 } from './robust-lm.js';
import { pt } from './distributions.js';
import { vcovCL } from './sandwich.js';
import type { GlmFit } from './irls.js';

function csv(name: string): Record<string, number[]> {
  const [head, ...lines] = readFileSync(`test/data/cr2-glm/${name}`, 'utf8').trim().split('\n');
  const cols = head!.split(',').map((c) => c.replace(/"/g, ''));
  const out: Record<string, number[]> = Object.fromEntries(cols.map((c) => [c, []]));
  for (const l of lines) l.split(',').forEach((v, j) => out[cols[j]!]!.push(Number(v)));
  return out;
}

function design(n: number, cols: number[][]): Float64Array {
  const X = new Float64Array(n * (cols.length + 1));
  X.fill(1, 0, n);
  cols.forEach((c, j) => X.set(c, (j + 1) * n));
  return X;
}

const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(tol);

function check(
  fit: GlmFit,
  X: Float64Array,
  y: number[],
  herd: number[],
  family: 'binomial' | 'poisson',
  ref: { est: number; se: number; df: number; p: number; cl: number },
  weights?: Float64Array,
) {
  const cluster = herd.map((h) => h - 1);
  const r = glmCr2({
    X,
    n: fit.n,
    p: fit.p,
    y,
    mu: fit.mu,
    family,
    weights,
    cluster,
    nClusters: 15,
    bread: fit.covUnscaled,
    dfFor: [1],
  });
  const se = Math.sqrt(r.vcov[fit.p + 1]!);
  close(fit.coef[1]!, ref.est, 1e-7);
  close(se, ref.se, 1e-7);
  close(r.df[1]!, ref.df, 1e-7);
  close(2 * pt(-Math.abs(fit.coef[1]! / se), r.df[1]!), ref.p, 1e-6);
  // and vcovCL (sandwich) on the same fit, so the CR2 difference is not an artefact of the fit
  close(Math.sqrt(vcovCL(fit, X, y, cluster, 15, weights)[fit.p + 1]!), ref.cl, 1e-7);
  expect(r.nClusters).toBe(15);
}

describe('glmCr2 (clubSandwich CR2 for glm)', () => {
  const an = csv('cbpp-animals.csv');
  const n = an.y!.length;
  it('logistic y ~ arm, arm constant within herd (one profile per herd)', () => {
    // f1 <- glm(y ~ arm, family = binomial, data = an, control = ctl)
    const X = design(n, [an.arm!]);
    const fit = fitLogistic(X, n, 2, an.y!);
    check(fit, X, an.y!, an.herd!, 'binomial', {
      est: -0.136829220619233,
      se: 0.487596047919005,
      df: 10.3340018549402,
      p: 0.784539878128782,
      cl: 0.467941621269327,
    });
  });
  it('logistic y ~ arm + late (fitted probabilities vary within herd)', () => {
    // f2 <- glm(y ~ arm + late, family = binomial, data = an, control = ctl)
    const X = design(n, [an.arm!, an.late!]);
    const fit = fitLogistic(X, n, 3, an.y!);
    check(fit, X, an.y!, an.herd!, 'binomial', {
      est: -0.0797348367829525,
      se: 0.448044417388914,
      df: 10.7354642544215,
      p: 0.862066393428699,
      cl: 0.428432099168398,
    });
  });
  it('weighted logistic (prior weights 1 + row mod 3)', () => {
    // an$w <- 1 + (seq_len(nrow(an)) %% 3); f3 <- glm(y ~ arm + late, family = binomial, data = an, weights = w, control = ctl)
    const w = Float64Array.from({ length: n }, (_, i) => 1 + ((i + 1) % 3));
    const X = design(n, [an.arm!, an.late!]);
    const fit = fitLogistic(X, n, 3, an.y!, { weights: w });
    check(
      fit,
      X,
      an.y!,
      an.herd!,
      'binomial',
      {
        est: -0.115166334189848,
        se: 0.455694790342845,
        df: 10.832960885739,
        p: 0.805210546413473,
        cl: 0.435797250191446,
      },
      w,
    );
  });
  const hp = csv('cbpp-herd-periods.csv');
  const m = hp.herd!.length;
  it('Poisson incidence ~ arm + offset(log(size))', () => {
    // f4 <- glm(incidence ~ arm + offset(log(size)), family = poisson, data = cb, control = ctl)
    const X = design(m, [hp.arm!]);
    const fit = fitPoissonOffset(X, m, 2, hp.incidence!, { offset: Float64Array.from(hp.size!, Math.log) });
    check(fit, X, hp.incidence!, hp.herd!, 'poisson', {
      est: -0.120572048759761,
      se: 0.429608253429436,
      df: 10.3727877282986,
      p: 0.784492807569564,
      cl: 0.411091674479429,
    });
  });
  it('Poisson incidence ~ arm + period (numeric)', () => {
    // f5 <- glm(incidence ~ arm + per, family = poisson, data = cb, control = ctl)
    const X = design(m, [hp.arm!, hp.period!]);
    const fit = fitPoisson(X, m, 3, hp.incidence!);
    check(fit, X, hp.incidence!, hp.herd!, 'poisson', {
      est: 0.0544370402535927,
      se: 0.338814828503974,
      df: 12.1532534429911,
      p: 0.874993893510127,
      cl: 0.326974483285356,
    });
  });
  const sy = csv('synthetic-large-clusters.csv');
  const N = sy.y!.length;
  it.each([
    // f7 <- glm(y ~ arm + x, binomial, sy, weights = w); f8 <- glm(y ~ arm + x, binomial, sy) (12 clusters of 60, continuous x)
    [
      'weighted',
      true,
      {
        est: 0.47007550736404,
        se: 0.267942144850048,
        df: 9.99022856731486,
        p: 0.109926789674288,
        cl: 0.255695374266223,
      },
    ],
    [
      'unweighted',
      false,
      {
        est: 0.485634478808754,
        se: 0.270135124768579,
        df: 10.005538711763,
        p: 0.102410821955898,
        cl: 0.257297713939476,
      },
    ],
  ] as const)(
    '60 covariate patterns per cluster (%s): the quadrature route matches R and the dense route',
    (_, weighted, ref) => {
      const X = design(N, [sy.arm!, sy.x!]);
      const w = weighted ? Float64Array.from(sy.w!) : undefined;
      const fit = fitLogistic(X, N, 3, sy.y!, { weights: w });
      const cluster = sy.cl!.map((c) => c - 1);
      const base = {
        X,
        n: N,
        p: 3,
        y: sy.y!,
        mu: fit.mu,
        family: 'binomial' as const,
        weights: w,
        cluster,
        nClusters: 12,
        bread: fit.covUnscaled,
        dfFor: [1],
      };
      const q = glmCr2(base);
      const d = glmCr2({ ...base, method: 'dense' });
      close(fit.coef[1]!, ref.est, 1e-7);
      close(Math.sqrt(q.vcov[4]!), ref.se, 1e-7);
      close(q.df[1]!, ref.df, 1e-7);
      close(Math.sqrt(q.vcov[4]!), Math.sqrt(d.vcov[4]!), 1e-10);
      close(q.df[1]!, d.df[1]!, 1e-10);
    },
  );
  it('refuses a single cluster and a non-positive weight', () => {
    const X = design(4, [[0, 1, 0, 1]]);
    const fit = fitLogistic(X, 4, 2, [0, 1, 1, 0]);
    expect(() =>
      glmCr2({
        X,
        n: 4,
        p: 2,
        y: [0, 1, 1, 0],
        mu: fit.mu,
        family: 'binomial',
        cluster: [0, 0, 0, 0],
        nClusters: 1,
        bread: fit.covUnscaled,
        dfFor: [1],
      }),
    ).toThrow(RangeError);
    expect(() =>
      glmCr2({
        X,
        n: 4,
        p: 2,
        y: [0, 1, 1, 0],
        mu: fit.mu,
        family: 'binomial',
        weights: [1, 0, 1, 1],
        cluster: [0, 0, 1, 1],
        nClusters: 2,
        bread: fit.covUnscaled,
        dfFor: [1],
      }),
    ).toThrow(RangeError);
  });
});
