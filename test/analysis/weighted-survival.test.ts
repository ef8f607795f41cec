/**
 * `analyse --weights` for time to first re-offence: the Cox hazard ratio weighted with a robust SE,
 * against R 4.2.2 survival (test/data/weighted/weighted-cox-reference.R -> weighted-cox-reference.out)
 * on Rossi as a trial file (fin = treatment, weeks as days, weight w = 1 + 0.5 (row mod 3), subclass
 * = sets of 4 consecutive rows):
 *   coxph(Surv(week, arrest) ~ fin, data = r, weights = w, cluster = set)         (with subclass)
 *   coxph(Surv(week, arrest) ~ fin, data = r, weights = w, robust = TRUE)         (without)
 *   coxph(Surv(week, arrest) ~ fin + age, data = r, weights = w, robust = TRUE)   (--covariates age)
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { analyseTrial, type AnalyseResult } from '../../src/core/analysis/analyse-trial.js';

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
    expect(r.warnings.join('\n')).toMatch(/Cox hazard ratios are weighted \(robust SE\); the Kaplan-Meier, log-rank and RMST rows are unweighted/);
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
});
