/** Fisher's exact test and t-tests against R (values from test/data/make-analyse-references.R and the R calls quoted). */
import { describe, expect, it } from 'vitest';
import { fisherExactTwoSided } from './fisher-exact.js';
import { studentTTest, welchTTest } from './welch-t-test.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('fisherExactTwoSided (R fisher.test)', () => {
  it('matches fisher.test on small and real tables', () => {
    // fisher.test(matrix(c(3,1,1,3), 2))$p.value = 0.485714285714286
    expect(rel(fisherExactTwoSided(3, 1, 1, 3), 0.485714285714286)).toBeLessThan(1e-9);
    // sim trial: fisher.test(table(treatment 61/105, control 54/112))$p.value
    expect(rel(fisherExactTwoSided(61, 105, 54, 112), 0.488986033932366)).toBeLessThan(1e-7);
    // survival::colon recurrence, Lev+5FU 114/181 vs Obs 175/137: fisher.test p = 2.25897519089702e-05
    expect(rel(fisherExactTwoSided(114, 181, 175, 137), 2.25897519089702e-5)).toBeLessThan(1e-7);
    // fisher.test(matrix(c(0,10,5,5), 2))$p.value = 0.0325077399380805
    expect(rel(fisherExactTwoSided(0, 5, 10, 5), 0.0325077399380805)).toBeLessThan(1e-9);
  });
  it('is 1 when a margin is zero and rejects bad counts', () => {
    expect(fisherExactTwoSided(0, 5, 0, 7)).toBe(1);
    expect(() => fisherExactTwoSided(-1, 2, 3, 4)).toThrow('whole numbers >= 0');
  });
});

describe('t-tests (R t.test)', () => {
  it('Welch matches t.test(x, y)', () => {
    // t.test(c(1,2,3,4), c(2,4,6,8,10)): t = -2.251436323159369, df = 5.5207877461706785,
    // p = 0.0691335931923924, conf.int -7.3853680805140423 0.3853680805140432
    const r = welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    expect(rel(r.statistic, -2.251436323159369)).toBeLessThan(1e-9);
    expect(rel(r.df, 5.5207877461706785)).toBeLessThan(1e-9);
    expect(rel(r.p_value, 0.0691335931923924)).toBeLessThan(1e-7);
    expect(rel(r.conf_low, -7.3853680805140423)).toBeLessThan(1e-7);
    expect(rel(r.conf_high, 0.3853680805140432)).toBeLessThan(1e-7);
  });
  it('Student matches t.test(var.equal = TRUE)', () => {
    // t.test(c(1,2,3,4), c(2,4,6,8,10), var.equal = TRUE): t = -2.0578065752724592, df 7, p = 0.0786192350586937
    const r = studentTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    expect(rel(r.statistic, -2.0578065752724592)).toBeLessThan(1e-9);
    expect(r.df).toBe(7);
    expect(rel(r.p_value, 0.0786192350586937)).toBeLessThan(1e-7);
  });
  it('refuses constant data', () => {
    expect(() => welchTTest([1, 1, 1], [1, 1])).toThrow('essentially constant');
  });
});
