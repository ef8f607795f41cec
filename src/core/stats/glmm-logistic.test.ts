/**
 * Random-intercept logistic regression (Laplace) against R lme4::glmer. Reference values:
 * test/data/make-counts-references.R -> test/data/counts-references.json (R 4.2, lme4 1.1;
 * default glmerControl: bobyqa then Nelder-Mead, finite-difference Hessian for vcov). Data:
 * lme4::cbpp expanded to one 0/1 row per animal (test/data/cbpp-binary.csv), MASS::bacteria
 * (test/data/headline-bacteria.csv) and the pcp fixture (test/data/headline-pcp.csv).
 *
 * Each model is checked twice: at 1e-4 against glmer with `control = glmerControl(tolPwrss = 1e-13)`,
 * whose deviance is the exact Laplace approximation, and more loosely against glmer's defaults,
 * whose conditional modes stop at tolPwrss = 1e-7 (that moves the finite-difference Hessian, so
 * the SEs, by up to 1.2% on cbpp; the estimates by < 1e-3).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { fitGlmmLogistic } from './glmm-logistic.js';
import { fitLogistic } from './logistic-regression.js';

const refs = JSON.parse(readFileSync('test/data/counts-references.json', 'utf8'));

interface Ref {
  coef: number[];
  se: number[];
  theta: number;
  loglik: number;
}

function design(n: number, cols: ArrayLike<number>[]): Float64Array {
  const X = new Float64Array(n * (cols.length + 1));
  X.fill(1, 0, n);
  cols.forEach((c, j) => {
    for (let i = 0; i < n; i++) X[(j + 1) * n + i] = c[i]!;
  });
  return X;
}

function factorIndex(values: string[]): { index: Int32Array; G: number } {
  const ids = new Map<string, number>();
  const index = Int32Array.from(values, (v) => (ids.has(v) ? ids.get(v)! : (ids.set(v, ids.size), ids.size - 1)));
  return { index, G: ids.size };
}

function expectGlmer(fit: ReturnType<typeof fitGlmmLogistic>, name: string) {
  const ref = refs[name] as Ref;
  const def = refs[`${name}_default`] as Ref;
  const p = ref.coef.length;
  const se = (j: number) => Math.sqrt(fit.vcov[j * p + j]!);
  ref.coef.forEach((b, j) => expect(Math.abs(fit.coef[j]! - b)).toBeLessThan(1e-4 * Math.max(1, Math.abs(b))));
  ref.se.forEach((s, j) => expect(Math.abs(se(j) - s) / s).toBeLessThan(1e-4));
  expect(Math.abs(fit.sigma - ref.theta) / ref.theta).toBeLessThan(1e-4);
  // The exact Laplace log-likelihood: R's optimiser stops within ~1e-7 of the optimum.
  expect(Math.abs(fit.logLik - ref.loglik)).toBeLessThan(1e-6);
  def.coef.forEach((b, j) => expect(Math.abs(fit.coef[j]! - b)).toBeLessThan(1e-3 * Math.max(1, Math.abs(b))));
  def.se.forEach((s, j) => expect(Math.abs(se(j) - s) / s).toBeLessThan(2e-2));
}

describe('glmer Laplace: lme4::cbpp as 0/1 rows', async () => {
  const t = await readTable('test/data/cbpp-binary.csv');
  const n = t.n;
  const period = t.cells.get('period')!;
  const ind = (l: string) => Float64Array.from(period, (v) => (v === l ? 1 : 0));
  const herd = factorIndex(t.cells.get('herd')!);
  const y = Float64Array.from(t.cells.get('y')!, Number);
  it('glmer(y ~ period + (1 | herd), family = binomial, control = glmerControl(tolPwrss = 1e-13)) and defaults: fixef, SEs (vcov), theta, logLik', () => {
    const fit = fitGlmmLogistic(y, design(n, [ind('2'), ind('3'), ind('4')]), n, 4, herd.index, herd.G);
    expectGlmer(fit, 'cbpp_glmer');
    expect(fit.converged).toBe(true);
  });
});

describe('glmer Laplace: MASS::bacteria (repeated measures within ID)', async () => {
  const t = await readTable('test/data/headline-bacteria.csv');
  const n = t.n;
  const trt = Float64Array.from(t.cells.get('ap')!, (v) => (v === 'a' ? 1 : 0));
  const week = Float64Array.from(t.cells.get('week')!, Number);
  const id = factorIndex((t.cells.get('id') ?? t.cells.get('ID'))!);
  const y = Float64Array.from(t.cells.get('y')!, Number);
  it('glmer(y ~ trt + week + (1 | ID), family = binomial)', () => {
    expectGlmer(fitGlmmLogistic(y, design(n, [trt, week]), n, 3, id.index, id.G), 'bacteria_glmer');
  });
});

describe('glmer Laplace: the pcp fixture (32 teams)', async () => {
  const t = await readTable('test/data/headline-pcp.csv');
  const n = t.n;
  const trt = Float64Array.from(t.cells.get('arm')!, (v) => (v === 'treatment' ? 1 : 0));
  const team = factorIndex(t.cells.get('team')!);
  const y = Float64Array.from(t.cells.get('reoffended')!, Number);
  const num = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  it('glmer(reoffended ~ trt + (1 | team), family = binomial) (aggregated to team x arm cells)', () => {
    const fit = fitGlmmLogistic(y, design(n, [trt]), n, 2, team.index, team.G);
    expect(fit.units).toBeLessThanOrEqual(2 * team.G);
    expectGlmer(fit, 'pcp_glmer');
  });
  it('glmer(reoffended ~ trt + ogrs3 + age + (1 | team), family = binomial), from its own start and from the glm coefficients', () => {
    const X = design(n, [trt, num('ogrs3'), num('age')]);
    expectGlmer(fitGlmmLogistic(y, X, n, 4, team.index, team.G), 'pcp_glmer_cov');
    // glm(reoffended ~ trt + ogrs3 + age, binomial, pcp) coefficients as the start.
    const start = fitLogistic(X, n, 4, y).coef;
    expectGlmer(fitGlmmLogistic(y, X, n, 4, team.index, team.G, { start }), 'pcp_glmer_cov');
  });
});

describe('glmer Laplace: boundary and performance', () => {
  it('no between-cluster variation: sigma 0 (singular) and the ordinary logistic estimates', () => {
    // Every cluster has the same 2 x 2 table, so the clusters carry no extra variation.
    const G = 20;
    const rows: Array<[number, number, number]> = [];
    for (let g = 0; g < G; g++)
      for (const [a, yy] of [
        [0, 0],
        [0, 1],
        [0, 0],
        [1, 1],
        [1, 1],
        [1, 0],
      ] as const)
        rows.push([g, a, yy]);
    const n = rows.length;
    const fit = fitGlmmLogistic(
      rows.map((r) => r[2]),
      design(n, [rows.map((r) => r[1])]),
      n,
      2,
      rows.map((r) => r[0]),
      G,
    );
    expect(fit.singular).toBe(true);
    // glm: log odds control 1/3 vs 2/3 -> intercept log(1/2), arm log(4).
    expect(fit.coef[0]).toBeCloseTo(Math.log(0.5), 8);
    expect(fit.coef[1]).toBeCloseTo(Math.log(4), 8);
  });
  it('1,000,000 rows in 1,000 clusters fit in a few seconds', () => {
    const n = 1_000_000;
    const G = 1000;
    const cluster = new Int32Array(n);
    const arm = new Float64Array(n);
    const y = new Float64Array(n);
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const re = Float64Array.from({ length: G }, () => 0.5 * (rand() + rand() + rand() - 1.5) * 2);
    for (let i = 0; i < n; i++) {
      const g = i % G;
      cluster[i] = g;
      arm[i] = g % 2;
      const eta = -0.8 - 0.2 * arm[i]! + re[g]!;
      y[i] = rand() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    const t0 = Date.now();
    const fit = fitGlmmLogistic(y, design(n, [arm]), n, 2, cluster, G);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.coef[1]! + 0.2)).toBeLessThan(0.15);
  });
});
