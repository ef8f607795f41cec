/**
 * Cox regression with clusters (robust variance, robust score test), strata and Breslow ties,
 * against R 4.2.2, survival 3.5.3, on survival::rats (Mantel et al. 1977: litters of 3 rats, one
 * given the drug; time to tumour), test/data/rats.csv written by test/data/survival-cluster-rmst.R,
 * whose output (test/data/survival-cluster-rmst.out) holds every value below at 15 digits.
 * In the R calls: rats <- read.csv("test/data/rats.csv"); options(digits = 15).
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { coxRegression } from './cox-regression.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

async function rats() {
  const t = await readTable('test/data/rats.csv');
  const num = (c: string): number[] => t.cells.get(c)!.map(Number);
  const sexm = t.cells.get('sex')!.map((s) => (s === 'm' ? 1 : 0));
  return { litter: num('litter'), rx: num('rx'), time: num('time'), status: num('status'), sexm };
}

describe('Cox regression with cluster-robust variance (R coxph(..., cluster = litter))', () => {
  it('matches coxph(Surv(time, status) ~ rx, rats, cluster = litter): coef, se, robust se, z, p, CI, robscore', async () => {
    const r = await rats();
    const fit = coxRegression(r.time, r.status, [{ name: 'rx', values: r.rx }], { cluster: r.litter });
    const b = fit.coefficients[0]!;
    // summary(fit)$coefficients: coef, se(coef), robust se, z, Pr(>|z|); $conf.int lower/upper .95
    expect(rel(b.estimate, 0.713736804292536)).toBeLessThan(1e-7);
    expect(rel(b.modelStdError, 0.308777847176269)).toBeLessThan(1e-7);
    expect(rel(b.stdError, 0.271033228681653)).toBeLessThan(1e-7);
    expect(rel(b.statistic, 2.63339225143818)).toBeLessThan(1e-7);
    expect(rel(b.pValue, 0.00845366537652275)).toBeLessThan(1e-6);
    expect(rel(b.confLow, 1.20023988077569)).toBeLessThan(1e-7);
    expect(rel(b.confHigh, 3.47276869673493)).toBeLessThan(1e-7);
    // summary(fit)$robscore: test, df, pvalue (computed at beta = 0: exact, no iteration)
    expect(fit.robust!.clusters).toBe(100);
    expect(rel(fit.robust!.score!.statistic, 5.88026004960204)).toBeLessThan(1e-11);
    expect(fit.robust!.score!.df).toBe(1);
    expect(rel(fit.robust!.score!.pValue, 0.0153115600978709)).toBeLessThan(1e-10);
    // vcov(fit) is the robust variance; the naive one is kept
    expect(rel(fit.variance[0]![0]!, 0.271033228681653 ** 2)).toBeLessThan(1e-7);
    expect(rel(fit.modelVariance[0]![0]!, 0.308777847176269 ** 2)).toBeLessThan(1e-7);
  });

  it('with a covariate: coxph(Surv(time, status) ~ rx + sex, rats, cluster = litter)', async () => {
    const r = await rats();
    const fit = coxRegression(
      r.time,
      r.status,
      [
        { name: 'rx', values: r.rx },
        { name: 'sexm', values: r.sexm },
      ],
      { cluster: r.litter },
    );
    const ref = [
      // coef, se(coef), robust se, z, Pr(>|z|)
      [0.790996147108952, 0.309359879825657, 0.292711302443121, 2.702308180473, 6.88599044405956e-3],
      [-3.067693577159768, 0.724796785606319, 0.7206625114829, -4.25676863757961, 2.07402789712376e-5],
    ];
    fit.coefficients.forEach((c, j) => {
      const [b, se, rse, z, p] = ref[j]!;
      expect(rel(c.estimate, b!)).toBeLessThan(1e-7);
      expect(rel(c.modelStdError, se!)).toBeLessThan(1e-7);
      expect(rel(c.stdError, rse!)).toBeLessThan(1e-7);
      expect(rel(c.statistic, z!)).toBeLessThan(1e-7);
      expect(rel(c.pValue, p!)).toBeLessThan(1e-6);
    });
    // robscore: 25.7365953685633 on 2 df, p 2.57851299354227e-06
    expect(rel(fit.robust!.score!.statistic, 25.7365953685633)).toBeLessThan(1e-11);
    expect(fit.robust!.score!.df).toBe(2);
    expect(rel(fit.robust!.score!.pValue, 2.57851299354227e-6)).toBeLessThan(1e-9);
  });

  it('Breslow ties with clusters: coxph(Surv(time, status) ~ rx, rats, cluster = litter, ties = "breslow")', async () => {
    const r = await rats();
    const fit = coxRegression(r.time, r.status, [{ name: 'rx', values: r.rx }], { cluster: r.litter, ties: 'breslow' });
    const b = fit.coefficients[0]!;
    expect(fit.ties).toBe('breslow');
    expect(rel(b.estimate, 0.711235788207967)).toBeLessThan(1e-7);
    expect(rel(b.modelStdError, 0.30879128408176)).toBeLessThan(1e-7);
    expect(rel(b.stdError, 0.270280134476104)).toBeLessThan(1e-7);
    expect(rel(fit.robust!.score!.statistic, 5.87773093042383)).toBeLessThan(1e-11);
  });

  it('Breslow ties without clusters: coxph(Surv(time, status) ~ rx + sex, rats, ties = "breslow")', async () => {
    const r = await rats();
    const fit = coxRegression(
      r.time,
      r.status,
      [
        { name: 'rx', values: r.rx },
        { name: 'sexm', values: r.sexm },
      ],
      { ties: 'breslow' },
    );
    expect(rel(fit.coefficients[0]!.estimate, 0.785215121279277)).toBeLessThan(1e-7);
    expect(rel(fit.coefficients[0]!.stdError, 0.309267602073005)).toBeLessThan(1e-7);
    expect(rel(fit.coefficients[1]!.estimate, -3.063466728661499)).toBeLessThan(1e-7);
    expect(rel(fit.coefficients[1]!.stdError, 0.724788843737774)).toBeLessThan(1e-7);
    expect(fit.robust).toBeNull();
  });

  it('strata: coxph(Surv(time, status) ~ rx + strata(sex), rats) and with cluster = litter', async () => {
    const r = await rats();
    const plain = coxRegression(r.time, r.status, [{ name: 'rx', values: r.rx }], { strata: r.sexm });
    expect(plain.strata).toBe(2);
    // coef 0.801005636071172, se(coef) 0.309432242642661, z 2.58863016093702
    expect(rel(plain.coefficients[0]!.estimate, 0.801005636071172)).toBeLessThan(1e-7);
    expect(rel(plain.coefficients[0]!.stdError, 0.309432242642661)).toBeLessThan(1e-7);
    expect(rel(plain.coefficients[0]!.statistic, 2.58863016093702)).toBeLessThan(1e-7);
    const robust = coxRegression(r.time, r.status, [{ name: 'rx', values: r.rx }], {
      strata: r.sexm,
      cluster: r.litter,
    });
    // robust se 0.292799803524076, z 2.73567682228758, robscore 6.39776070095106
    expect(rel(robust.coefficients[0]!.stdError, 0.292799803524076)).toBeLessThan(1e-7);
    expect(rel(robust.coefficients[0]!.statistic, 2.73567682228758)).toBeLessThan(1e-7);
    expect(rel(robust.robust!.score!.statistic, 6.39776070095106)).toBeLessThan(1e-11);
    // Stratum codes need not be contiguous or sorted: the same fit with codes 7 and 3.
    const recoded = coxRegression(r.time, r.status, [{ name: 'rx', values: r.rx }], {
      strata: r.sexm.map((s) => (s ? 3 : 7)),
    });
    expect(rel(recoded.coefficients[0]!.estimate, 0.801005636071172)).toBeLessThan(1e-7);
  });

  it('rejects bad codes and ties (caller bugs)', () => {
    expect(() => coxRegression([1, 2], [1, 1], [{ name: 'a', values: [0, 1] }], { cluster: [0, -1] })).toThrow(
      'cluster[1] = -1 is not a code >= 0',
    );
    expect(() => coxRegression([1, 2], [1, 1], [{ name: 'a', values: [0, 1] }], { strata: [0] })).toThrow(
      'strata has 1 values, expected 2',
    );
    expect(() => coxRegression([1, 2], [1, 1], [{ name: 'a', values: [0, 1] }], { ties: 'exact' as 'efron' })).toThrow(
      'ties must be efron or breslow',
    );
  });

  it('fits a million clustered rows with strata in a few seconds', () => {
    const n = 1_000_000;
    const time = new Float64Array(n);
    const status = new Float64Array(n);
    const arm = new Float64Array(n);
    const cluster = new Int32Array(n);
    const strata = new Int32Array(n);
    let seed = 99;
    const unif = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed + 0.5) / 4294967296;
    };
    for (let i = 0; i < n; i++) {
      cluster[i] = i % 2000;
      arm[i] = cluster[i]! % 2;
      strata[i] = cluster[i]! % 5;
      const t = Math.ceil(-Math.log(unif()) / (0.002 * Math.exp(-0.3 * arm[i]!)));
      time[i] = Math.min(t, 365);
      status[i] = t <= 365 ? 1 : 0;
    }
    const start = performance.now();
    const fit = coxRegression(time, status, [{ name: 'arm', values: arm }], { cluster, strata });
    const seconds = (performance.now() - start) / 1000;
    expect(Math.abs(fit.coefficients[0]!.estimate + 0.3)).toBeLessThan(0.02);
    expect(fit.robust!.clusters).toBe(2000);
    expect(seconds).toBeLessThan(10);
  });
});
