/**
 * `analyse --weights` for time to first re-offence: the Cox hazard ratio weighted with a robust SE,
 * against R 4.2.2 survival (test/data/weighted/weighted-cox-reference.R -> weighted-cox-reference.out)
 * on Rossi as a trial file (fin = treatment, weeks as days, weight w = 1 + 0.5 (row mod 3), subclass
 * = sets of 4 consecutive rows):
 *   coxph(Surv(week, arrest) ~ fin, data = r, weights = w, cluster = set)         (with subclass)
 *   coxph(Surv(week, arrest) ~ fin, data = r, weights = w, robust = TRUE)         (without)
 *   coxph(Surv(week, arrest) ~ fin + age, data = r, weights = w, robust = TRUE)   (--covariates age)
 * and the weighted Kaplan-Meier rows (robust infinitesimal-jackknife SE, R's default for non-integer weights):
 *   summary(survfit(Surv(week, arrest) ~ 1, data = r, weights = w), times = c(10, 52), extend = TRUE)         (km_all)
 *   summary(survfit(..., data = r[r$fin == 1, ], weights = w, cluster = set), times = c(30, 52), extend = TRUE) (km_fin1_cluster)
 *   summary(survfit(..., data = r[r$fin == 0, ], weights = w), times = c(30, 52), extend = TRUE)              (km_fin0)
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { analyseTrial, type AnalyseResult } from '../../src/core/analysis/analyse-trial.js';
import { weightedSurvivalAt } from '../../src/core/stats/weighted-km.js';

const rel = (a: number | null | undefined, b: number) => Math.abs(a! - b) / Math.abs(b);
const row = (r: AnalyseResult, measure: string) => r.effects.find((e) => e.measure === measure && e.arm === undefined)!;

describe('weighted Cox hazard ratio (Rossi)', async () => {
  const sets = await readTable('test/data/weighted/rossi-weighted-trial.csv');
  const nosets = await readTable('test/data/weighted/rossi-weighted-nosets-trial.csv');
  it('clustered by matched set (subclass)', () => {
    const r = analyseTrial(sets, { weights: 'weight', outcomes: ['days_to_reoffence'] });
    const hr = row(r, 'hazard_ratio');
    expect(rel(hr.estimate, Math.exp(-0.426951297971298))).toBeLessThan(1e-8);
    expect(rel(hr.std_error, 0.206842385235595)).toBeLessThan(1e-8);
    expect(hr.method).toMatch(/weighted by --weights; robust \(sandwich\) SE clustered by subclass \(108 clusters/);
    expect(r.warnings.join('\n')).toMatch(
      /Cox hazard ratios and Kaplan-Meier rows are weighted \(robust SE\); the log-rank and RMST rows are unweighted/,
    );
  });
  it('robust per row without matched sets', () => {
    const r = analyseTrial(nosets, { weights: 'weight', outcomes: ['days_to_reoffence'] });
    const hr = row(r, 'hazard_ratio');
    expect(rel(hr.estimate, Math.exp(-0.426951297971298))).toBeLessThan(1e-8);
    expect(rel(hr.std_error, 0.196249181860432)).toBeLessThan(1e-8);
    expect(hr.method).toMatch(/robust = TRUE/);
  });
  it('adjusted for age', () => {
    const r = analyseTrial(nosets, { weights: 'weight', outcomes: ['days_to_reoffence'], covariates: ['age'] });
    const hr = row(r, 'hazard_ratio');
    expect(rel(hr.estimate, Math.exp(-0.39170103375216))).toBeLessThan(1e-8);
    expect(rel(hr.std_error, 0.194745281465074)).toBeLessThan(1e-8);
  });
  it('weighted Kaplan-Meier rows: treatment clustered by subclass, control per row', () => {
    const rs = analyseTrial(sets, { weights: 'weight', outcomes: ['days_to_reoffence'], kmDays: [30, 52] });
    const rn = analyseTrial(nosets, { weights: 'weight', outcomes: ['days_to_reoffence'], kmDays: [30, 52] });
    const km = (r: AnalyseResult, day: number, arm: string) =>
      r.effects.find((e) => e.measure === `km_survival_${day}` && e.arm === arm)!;
    const t = {
      surv: [0.897832817337461, 0.78328173374613],
      se: [0.020359924163026, 0.0312985393417873],
      lo: [0.858801900470227, 0.724278352772875],
      hi: [0.938637615318213, 0.847091828813416],
    };
    const c = {
      surv: [0.824615384615385, 0.687692307692308],
      se: [0.0270335225477478, 0.0328580658889153],
      lo: [0.773297010832123, 0.626215191456109],
      hi: [0.879339403902079, 0.755204786647719],
    };
    [30, 52].forEach((day, k) => {
      const a = km(rs, day, 'treatment');
      expect(rel(a.estimate, t.surv[k]!)).toBeLessThan(1e-12);
      expect(rel(a.std_error, t.se[k]!)).toBeLessThan(1e-10);
      expect(rel(a.conf_low, t.lo[k]!)).toBeLessThan(1e-10);
      expect(rel(a.conf_high, t.hi[k]!)).toBeLessThan(1e-10);
      expect(a.method).toMatch(/weighted Kaplan-Meier.*clustered by subclass/);
      const b = km(rn, day, 'control');
      expect(rel(b.estimate, c.surv[k]!)).toBeLessThan(1e-12);
      expect(rel(b.std_error, c.se[k]!)).toBeLessThan(1e-10);
      expect(rel(b.conf_low, c.lo[k]!)).toBeLessThan(1e-10);
      expect(rel(b.conf_high, c.hi[k]!)).toBeLessThan(1e-10);
    });
  });
  it('weightedSurvivalAt on all of Rossi', () => {
    const time = nosets.cells
      .get('days_to_reoffence')!
      .map((v, i) => (v === '' ? Number(nosets.cells.get('follow_up_days')![i]) : Number(v)));
    const status = nosets.cells.get('reoffended')!.map(Number);
    const w = nosets.cells.get('weight')!.map(Number);
    const p10 = weightedSurvivalAt(time, status, w, 10);
    const p52 = weightedSurvivalAt(time, status, w, 52);
    expect(rel(p10.estimate, 0.960648148148148)).toBeLessThan(1e-12);
    expect(rel(p10.stdErr!, 0.0101553719406141)).toBeLessThan(1e-10);
    expect(rel(p52.estimate, 0.73533950617284)).toBeLessThan(1e-12);
    expect(rel(p52.stdErr!, 0.0220210653464004)).toBeLessThan(1e-10);
    expect(rel(p52.confLow!, 0.693421233915818)).toBeLessThan(1e-10);
    expect(() => weightedSurvivalAt([1, 2], [1, 0], [1, 0], 2)).toThrow(RangeError);
  });
});
