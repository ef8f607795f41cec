/**
 * REML random-intercept model against R 4, lme4 1.1.31 (`lmer(..., REML = TRUE)`, default optimiser
 * unless said). Data written by test/data/survival-reml-data.R: reml-cluster.csv (24 teams, continuous
 * y, pupil covariate x), reml-singular.csv (between-team variance estimated at 0), reml-binary.csv
 * (0/1 outcome, the ICC of docs/methods.md#the-icc-and-the-random-intercept-model). R calls: d <- read.csv(<file>); m <- lmer(<formula>, d);
 * fixef(m); sqrt(diag(as.matrix(vcov(m)))); as.data.frame(VarCorr(m))$vcov; getME(m, "theta");
 * REMLcrit(m); isSingular(m); options(digits = 15). Tolerance 1e-4 relative (iterative fit).
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors.js';
import { readTable } from '../../io/table.js';
import { fitRandomIntercept, type RandomInterceptFit } from './reml.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

async function load(path: string, cols: string[]): Promise<Record<string, number[]>> {
  const t = await readTable(path);
  return Object.fromEntries(cols.map((c) => [c, t.cells.get(c)!.map(Number)]));
}

interface Reference {
  fixef: number[];
  se: number[];
  /** between, within */
  vcov: [number, number];
  theta: number;
  remlCrit: number;
}

function expectMatches(fit: RandomInterceptFit, ref: Reference, tol = 1e-4): void {
  fit.fixed.forEach((f, k) => {
    expect(rel(f.estimate, ref.fixef[k]!)).toBeLessThan(tol);
    expect(rel(f.stdError, ref.se[k]!)).toBeLessThan(tol);
  });
  if (ref.vcov[0] === 0) expect(fit.sigma2Between).toBe(0);
  else expect(rel(fit.sigma2Between, ref.vcov[0])).toBeLessThan(tol);
  expect(rel(fit.sigma2Within, ref.vcov[1])).toBeLessThan(tol);
  if (ref.theta === 0) expect(fit.theta).toBe(0);
  else expect(rel(fit.theta, ref.theta)).toBeLessThan(tol);
  // The criterion is flat at its minimum: it agrees far more closely than the parameters.
  expect(rel(fit.remlCriterion, ref.remlCrit)).toBeLessThan(1e-9);
  expect(fit.icc).toBeCloseTo(fit.sigma2Between / (fit.sigma2Between + fit.sigma2Within), 15);
}

describe('REML random-intercept model (lme4::lmer)', () => {
  it('y ~ arm + (1 | team) on reml-cluster.csv', async () => {
    const d = await load('test/data/reml-cluster.csv', ['team', 'arm', 'x', 'y']);
    const fit = fitRandomIntercept({ y: d.y!, cluster: d.team!, covariates: [{ name: 'arm', values: d.arm! }] });
    expect(fit.fixed.map((f) => f.name)).toEqual(['(Intercept)', 'arm']);
    expect(fit.nClusters).toBe(24);
    expectMatches(fit, {
      fixef: [25.196543868920919, 0.622563760731497],
      se: [0.68393488167608, 0.964471814014546],
      vcov: [3.81224136770272, 32.60127911837795],
      theta: 0.341958083821915,
      remlCrit: 3280.74309498953,
    });
    expect(fit.singular).toBe(false);
  });

  it('y ~ arm + x + (1 | team): covariates, back-transformed intercept and its SE', async () => {
    const d = await load('test/data/reml-cluster.csv', ['team', 'arm', 'x', 'y']);
    const fit = fitRandomIntercept({
      y: d.y!,
      cluster: d.team!.map((t) => `team-${t}`),
      covariates: [
        { name: 'arm', values: d.arm! },
        { name: 'x', values: d.x! },
      ],
    });
    // lmer(y ~ arm + x + (1 | team), d, control = lmerControl(optimizer = "bobyqa",
    //   optCtrl = list(rhobeg = 0.2, rhoend = 1e-12))): the default optimiser agrees to 3e-7.
    expectMatches(
      fit,
      {
        fixef: [9.351458980423239, 0.732466691443836, 0.313623402521561],
        se: [1.2741645390128908, 0.9424233013715944, 0.0214790119351746],
        vcov: [4.06106855211436, 22.80732223541732],
        theta: 0.421971394428215,
        remlCrit: 3108.98902780019,
      },
      1e-6,
    );
  });

  it('boundary: between variance 0 when lmer reports a singular fit (reml-singular.csv)', async () => {
    const d = await load('test/data/reml-singular.csv', ['team', 'arm', 'y']);
    const fit = fitRandomIntercept({ y: d.y!, cluster: d.team!, covariates: [{ name: 'arm', values: d.arm! }] });
    expectMatches(fit, {
      fixef: [4.816888888888891, 0.864718253968252],
      se: [0.531243320639669, 0.71344443719674],
      vcov: [0, 12.6998759575918],
      theta: 0,
      remlCrit: 540.399474158542,
    });
    expect(fit.singular).toBe(true);
    expect(fit.icc).toBe(0);
  });

  it('0/1 outcome: reoffended ~ arm (+ age) + (1 | team) on reml-binary.csv (the ICC)', async () => {
    const d = await load('test/data/reml-binary.csv', ['team', 'arm', 'age', 'reoffended']);
    const fit = fitRandomIntercept({
      y: d.reoffended!,
      cluster: d.team!,
      covariates: [{ name: 'arm', values: d.arm! }],
    });
    expectMatches(fit, {
      fixef: [0.4187100065435796, -0.0852294579287784],
      se: [0.0449618034526206, 0.066082030208216],
      vcov: [0.0143783309171119, 0.2233947186015135],
      theta: 0.253698434068029,
      remlCrit: 996.312789448192,
    });
    // ICC = 0.0143783309171119 / (0.0143783309171119 + 0.2233947186015135)
    expect(rel(fit.icc, 0.0143783309171119 / (0.0143783309171119 + 0.2233947186015135))).toBeLessThan(1e-4);
    const adj = fitRandomIntercept({
      y: d.reoffended!,
      cluster: d.team!,
      covariates: [
        { name: 'arm', values: d.arm! },
        { name: 'age', values: d.age! },
      ],
    });
    expectMatches(adj, {
      fixef: [0.53379714211716622, -0.07919902388175272, -0.00308595060802529],
      se: [0.06948262643330309, 0.066197668259276, 0.00141877122224356],
      vcov: [0.0144519390666656, 0.2222048395091122],
      theta: 0.255027083423781,
      remlCrit: 1002.86992733954,
    });
  });

  it('refuses unidentifiable models with a data error naming the problem', () => {
    const one = (): RandomInterceptFit =>
      fitRandomIntercept({ y: [1, 2, 3], cluster: ['a', 'a', 'a'], covariates: [], source: 'cases.csv' });
    expect(one).toThrow(DataError);
    expect(one).toThrow('cases.csv: a random-intercept model needs at least 2 clusters, found 1');
    expect(() => fitRandomIntercept({ y: [1, 2, 3], cluster: [1, 2, 3], covariates: [] })).toThrow(
      'every cluster has a single row (3 rows, 3 clusters)',
    );
    expect(() =>
      fitRandomIntercept({
        y: [1, 2, 3, 4, 5, 7],
        cluster: [1, 1, 2, 2, 3, 3],
        covariates: [{ name: 'site', values: [1, 1, 1, 1, 1, 1] }],
      }),
    ).toThrow('column site: covariate site is constant or collinear with the others');
    expect(() =>
      fitRandomIntercept({
        y: [1, 2, 3, 4, 5, 7],
        cluster: [1, 1, 2, 2, 3, 3],
        covariates: [
          { name: 'arm', values: [0, 1, 0, 1, 0, 1] },
          { name: 'arm2', values: [0, 2, 0, 2, 0, 2] },
        ],
      }),
    ).toThrow('covariate arm2 is constant or collinear');
    expect(() => fitRandomIntercept({ y: [1, 1, 2, 2], cluster: [1, 1, 2, 2], covariates: [] })).toThrow(
      'the outcome does not vary within clusters (beyond the covariates): the within-cluster variance is 0',
    );
    expect(() =>
      fitRandomIntercept({ y: [1, 2, 3, 4], cluster: [1, 1, 2, 2], covariates: [{ name: 'x', values: [1, 2, 3, 4] }] }),
    ).toThrow('zero residual variance');
  });

  it('is O(n): a million rows in 3,000 clusters in well under the test budget', () => {
    const n = 1_000_000;
    const y = new Float64Array(n);
    const arm = new Float64Array(n);
    const cluster = new Int32Array(n);
    let seed = 99;
    const unif = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed + 0.5) / 4294967296;
    };
    const gauss = (): number => Math.sqrt(-2 * Math.log(unif())) * Math.cos(2 * Math.PI * unif());
    const u = Array.from({ length: 3000 }, () => gauss());
    for (let i = 0; i < n; i++) {
      const c = i % 3000;
      cluster[i] = c;
      arm[i] = c % 2;
      y[i] = 1 + 0.5 * arm[i]! + u[c]! + 2 * gauss();
    }
    const start = performance.now();
    const fit = fitRandomIntercept({ y, cluster, covariates: [{ name: 'arm', values: arm }] });
    const seconds = (performance.now() - start) / 1000;
    expect(Math.abs(fit.sigma2Within - 4)).toBeLessThan(0.05);
    expect(Math.abs(fit.sigma2Between - 1)).toBeLessThan(0.15);
    expect(seconds).toBeLessThan(5);
  });
});
