/**
 * Restricted mean survival time against survRM2::rmst2 (unadjusted). survRM2 is not packaged for
 * Debian, so the reference is its published vignette example (Uno, "Vignette for survRM2 package",
 * 2017: pbc randomised patients, tau = 10 years: difference -0.137, 95% CI -0.939 to 0.665,
 * p = 0.738) and, at 15 digits, the same computation written out in R from survfit in
 * test/data/survival-cluster-rmst.R (function rmst2 there; output in survival-cluster-rmst.out).
 * Data: test/data/pbc-rmst.csv (survRM2::rmst2.sample.data()), test/data/rossi.csv (carData::Rossi),
 * test/data/veteran.csv (survival::veteran).
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { kaplanMeier } from './kaplan-meier.js';
import { restrictedMean, rmstDifference, rmstMaxTau } from './rmst.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

async function arms(
  path: string,
  time: string,
  status: string,
  treated: (row: (c: string) => string) => boolean,
  scale = 1,
) {
  const t = await readTable(path);
  const out = [
    { time: [] as number[], status: [] as number[] },
    { time: [] as number[], status: [] as number[] },
  ];
  for (let i = 0; i < t.n; i++) {
    const cell = (c: string) => t.cells.get(c)![i]!;
    const a = treated(cell) ? 1 : 0;
    out[a]!.time.push(Number(cell(time)) * scale);
    out[a]!.status.push(Number(cell(status)));
  }
  return { control: kaplanMeier(out[0]!.time, out[0]!.status), treated: kaplanMeier(out[1]!.time, out[1]!.status) };
}

describe('RMST (survRM2::rmst2)', () => {
  it('reproduces the survRM2 vignette: pbc, rmst2(time, status, arm, tau = 10)', async () => {
    const { control, treated } = await arms('test/data/pbc-rmst.csv', 'time', 'status', (c) => c('arm') === '1');
    const r = rmstDifference(control, treated, 10);
    // Published (3 decimals): -0.137 (-0.939, 0.665), p = 0.738; RMST arm 1 7.146, arm 0 7.283.
    expect(r.estimate).toBeCloseTo(-0.137, 3);
    expect(r.confLow).toBeCloseTo(-0.939, 3);
    expect(r.confHigh).toBeCloseTo(0.665, 3);
    expect(r.pValue).toBeCloseTo(0.738, 3);
    // By hand in R (survival-cluster-rmst.R): rmst1 7.146492996298778, rmst0 7.283415761168256,
    // diff -0.136922764869478, se 0.408985230218317, lower -0.938519086306202, upper 0.664673556567245, p 0.737786087538583
    expect(rel(r.treated.estimate, 7.146492996298778)).toBeLessThan(1e-12);
    expect(rel(r.control.estimate, 7.283415761168256)).toBeLessThan(1e-12);
    expect(rel(r.estimate, -0.136922764869478)).toBeLessThan(1e-10);
    expect(rel(r.stdErr, 0.408985230218317)).toBeLessThan(1e-12);
    expect(rel(r.confLow, -0.938519086306202)).toBeLessThan(1e-12);
    expect(rel(r.confHigh, 0.664673556567245)).toBeLessThan(1e-12);
    expect(rel(r.pValue, 0.737786087538583)).toBeLessThan(1e-10);
    // summary(survfit(Surv(time, status) ~ arm, pbc312), rmean = 10)$table[, "rmean"]: the same areas
    expect(rel(restrictedMean(control, 10).estimate, 7.28341576116826)).toBeLessThan(1e-12);
  });

  it('matches rmst2(week * 7, arrest, fin == "yes", tau = 364 and 300) on Rossi', async () => {
    const { control, treated } = await arms('test/data/rossi.csv', 'week', 'arrest', (c) => c('fin') === 'yes', 7);
    const a = rmstDifference(control, treated, 364);
    // rmst1 328.125, rmst0 313.833333333333, diff 14.2916666666666, se 8.49133598952501, p 0.0923580353046179
    expect(rel(a.treated.estimate, 328.125)).toBeLessThan(1e-12);
    expect(rel(a.control.estimate, 313.8333333333333)).toBeLessThan(1e-12);
    expect(rel(a.stdErr, 8.4913359895250125)).toBeLessThan(1e-12);
    expect(rel(a.pValue, 0.0923580353046179)).toBeLessThan(1e-10);
    const b = rmstDifference(control, treated, 300);
    // diff 9.736111111111029, se 6.352406871692463, lower -2.714377572550948, upper 22.186599794773006
    expect(rel(b.estimate, 9.736111111111029)).toBeLessThan(1e-12);
    expect(rel(b.stdErr, 6.352406871692463)).toBeLessThan(1e-12);
    expect(rel(b.confLow, -2.714377572550948)).toBeLessThan(1e-12);
    expect(rel(b.confHigh, 22.186599794773006)).toBeLessThan(1e-12);
    // Both arms censored at day 364: survRM2 refuses a later tau ("needs to be shorter than or equal to the minimum of the largest observed time").
    expect(rmstMaxTau(control, treated)).toBe(364);
    expect(() => rmstDifference(control, treated, 365)).toThrow('tau = 365 is after 364');
  });

  it('allows tau up to the longer follow-up when the shorter arm ends in an event (veteran, tau = 999 and 182)', async () => {
    const { control, treated } = await arms('test/data/veteran.csv', 'time', 'status', (c) => c('trt') === '2');
    // Arm 0 ends with a death at 553, arm 1 with a death at 999: survRM2 case 1, tau <= 999.
    expect(rmstMaxTau(control, treated)).toBe(999);
    const a = rmstDifference(control, treated, 999);
    // rmst1 142.06128172268899, rmst0 123.92816666152997, se 30.64545939373209, p 0.55404719688028
    expect(rel(a.treated.estimate, 142.06128172268899)).toBeLessThan(1e-12);
    expect(rel(a.control.estimate, 123.92816666152997)).toBeLessThan(1e-12);
    expect(rel(a.stdErr, 30.64545939373209)).toBeLessThan(1e-12);
    expect(rel(a.pValue, 0.55404719688028)).toBeLessThan(1e-10);
    const b = rmstDifference(control, treated, 182);
    // diff -13.71929200919503, se 11.327812415524704, p 0.225851046601967
    expect(rel(b.estimate, -13.71929200919503)).toBeLessThan(1e-12);
    expect(rel(b.stdErr, 11.327812415524704)).toBeLessThan(1e-12);
    expect(rel(b.pValue, 0.225851046601967)).toBeLessThan(1e-10);
  });

  it('small cases by hand: the area under the steps, and tau before the first time', () => {
    const km = kaplanMeier([2, 4, 6], [1, 1, 0]);
    // 2 x 1 + 2 x 2/3 + 1 x 1/3
    expect(restrictedMean(km, 5).estimate).toBeCloseTo(11 / 3, 14);
    // Var: A(4) = 1/3, A(2) = 2 x 2/3 + 1/3 = 5/3; terms (5/3)^2 x 1/(3 x 2) + (1/3)^2 x 1/(2 x 1)
    expect(restrictedMean(km, 5).variance).toBeCloseTo(25 / 54 + 1 / 18, 14);
    expect(restrictedMean(km, 1)).toMatchObject({ estimate: 1, variance: 0, stdErr: 0 });
    // tau at a step: the piece after it has width 0.
    expect(restrictedMean(km, 4).estimate).toBeCloseTo(2 + 4 / 3, 14);
    expect(() => restrictedMean(km, 0)).toThrow('tau must be a positive number');
  });
});
