/**
 * Negative binomial (theta by ML) and Poisson-with-offset fits against R. Reference values:
 * test/data/make-counts-references.R -> test/data/counts-references.json (R 4.2, MASS 7.3,
 * sandwich 3.0). Data: MASS::quine (test/data/quine.csv) and MASS::epil with a made-up time at
 * risk written by that script (test/data/epil-exposure.csv).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { digamma, fitNegBin, fitPoissonOffset, trigamma } from './count-regression.js';
import { vcovCL, vcovHC0 } from './sandwich.js';

const refs = JSON.parse(readFileSync('test/data/counts-references.json', 'utf8'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function design(n: number, cols: ArrayLike<number>[]): Float64Array {
  const X = new Float64Array(n * (cols.length + 1));
  X.fill(1, 0, n);
  cols.forEach((c, j) => {
    for (let i = 0; i < n; i++) X[(j + 1) * n + i] = c[i]!;
  });
  return X;
}

function expectFit(coef: ArrayLike<number>, se: ArrayLike<number>, ref: { coef: number[]; se: number[] }, tol: number) {
  ref.coef.forEach((b, j) => expect(rel(coef[j]!, b)).toBeLessThan(tol));
  ref.se.forEach((s, j) => expect(rel(se[j]!, s)).toBeLessThan(tol));
}

const seOf = (V: Float64Array, p: number) => Array.from({ length: p }, (_, j) => Math.sqrt(V[j * p + j]!));

describe('digamma and trigamma', () => {
  it('match R digamma(2.5) and trigamma(0.3)', () => {
    // R: digamma(2.5) = 0.703156640645243; trigamma(0.3) = 12.245364546107732; digamma(1) = -0.577215664901532
    expect(digamma(2.5)).toBeCloseTo(0.703156640645243, 13);
    expect(trigamma(0.3)).toBeCloseTo(12.245364546107732, 11);
    expect(digamma(1)).toBeCloseTo(-0.577215664901532, 13);
  });
});

describe('negative binomial: MASS::quine', async () => {
  const t = await readTable('test/data/quine.csv');
  const n = t.n;
  const num = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  const arm = Float64Array.from(t.cells.get('arm')!, (a) => (a === 'N' ? 1 : 0));
  const days = num('reoffences');
  it('glm.nb(Days ~ arm, data = quine): coefficients, model SEs and theta', () => {
    const f = fitNegBin(design(n, [arm]), n, 2, days);
    expectFit(f.coef, seOf(f.covUnscaled, 2), refs.quine_nb, 1e-8);
    expect(rel(f.theta, refs.quine_nb.theta)).toBeLessThan(1e-8);
    // Two groups: the fitted means are the group means, so exp(b) is the ratio of mean days.
    let sT = 0,
      nT = 0,
      sC = 0;
    for (let i = 0; i < n; i++)
      if (arm[i]) {
        sT += days[i]!;
        nT++;
      } else sC += days[i]!;
    expect(Math.exp(f.coef[1]!)).toBeCloseTo(sT / nT / (sC / (n - nT)), 10);
  });
  it('glm.nb(Days ~ arm + female, data = quine, weights = (seq_len(146) %% 3) + 1): prior weights', () => {
    const w = Float64Array.from({ length: n }, (_, i) => ((i + 1) % 3) + 1);
    const f = fitNegBin(design(n, [arm, num('female')]), n, 3, days, { weights: w });
    expectFit(f.coef, seOf(f.covUnscaled, 3), refs.quine_nb_weighted, 1e-8);
    expect(rel(f.theta, refs.quine_nb_weighted.theta)).toBeLessThan(1e-8);
  });
  it('glm.nb(Days ~ arm + female + slow, data = quine)', () => {
    const f = fitNegBin(design(n, [arm, num('female'), num('slow')]), n, 4, days);
    expectFit(f.coef, seOf(f.covUnscaled, 4), refs.quine_nb_cov, 1e-8);
    expect(rel(f.theta, refs.quine_nb_cov.theta)).toBeLessThan(1e-8);
  });
});

describe('offset log(time at risk): MASS::epil with made-up days', async () => {
  const t = await readTable('test/data/epil-exposure.csv');
  const n = t.n;
  const num = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  const arm = Float64Array.from(t.cells.get('arm')!, (a) => (a === 'progabide' ? 1 : 0));
  const y = num('reoffences');
  const offset = Float64Array.from(num('days'), Math.log);
  const ids = new Map<string, number>();
  const cluster = Int32Array.from(t.cells.get('id')!, (s) =>
    ids.has(s) ? ids.get(s)! : (ids.set(s, ids.size), ids.size - 1),
  );
  it('glm(y ~ arm + offset(log(days)), poisson) with vcovHC(type = "HC0")', () => {
    const X = design(n, [arm]);
    const f = fitPoissonOffset(X, n, 2, y, { offset });
    expectFit(f.coef, seOf(vcovHC0(f, X, y), 2), refs.epil_poisson_offset, 1e-8);
  });
  it('glm(y ~ arm + lbase + lage + offset(log(days)), poisson) with vcovCL(cluster = ~subject)', () => {
    const X = design(n, [arm, num('lbase'), num('lage')]);
    const f = fitPoissonOffset(X, n, 4, y, { offset });
    expectFit(f.coef, seOf(vcovCL(f, X, y, cluster, ids.size), 4), refs.epil_poisson_offset_cl, 1e-8);
  });
  it('glm.nb(y ~ arm + offset(log(days))) and with lbase + lage', () => {
    const f = fitNegBin(design(n, [arm]), n, 2, y, { offset });
    expectFit(f.coef, seOf(f.covUnscaled, 2), refs.epil_nb_offset, 1e-8);
    expect(rel(f.theta, refs.epil_nb_offset.theta)).toBeLessThan(1e-8);
    const g = fitNegBin(design(n, [arm, num('lbase'), num('lage')]), n, 4, y, { offset });
    expectFit(g.coef, seOf(g.covUnscaled, 4), refs.epil_nb_offset_cov, 1e-8);
    expect(rel(g.theta, refs.epil_nb_offset_cov.theta)).toBeLessThan(1e-8);
  });
  it('a Poisson sample has no over-dispersion: theta runs away and is refused', () => {
    const yy = new Float64Array(200).map((_, i) => (i % 3) + (i % 2));
    const mean = yy.reduce((a, b) => a + b, 0) / 200;
    // Under-dispersed counts (variance < mean): no finite ML theta.
    expect(yy.reduce((a, b) => a + (b - mean) ** 2, 0) / 199).toBeLessThan(mean);
    expect(() => fitNegBin(design(200, []), 200, 1, yy)).toThrow(/no over-dispersion/);
  });
});
