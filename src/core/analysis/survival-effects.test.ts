/**
 * Time-to-event effect rows against R 4, survival 3.5.3, on survival::veteran (randomised VA lung
 * cancer trial; arm = trt == 2), test/data/veteran.csv written by test/data/survival-reml-data.R.
 * R: v <- read.csv("test/data/veteran.csv"); v$arm <- as.integer(v$trt == 2); options(digits = 15).
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { survivalEffects } from './survival-effects.js';

const rel = (a: number | null | undefined, b: number): number => Math.abs((a as number) - b) / Math.abs(b);
const VOCAB = [
  'outcome',
  'measure',
  'estimate',
  'std_error',
  'conf_low',
  'conf_high',
  'statistic',
  'p_value',
  'method',
  'arm',
  'df',
];

async function veteran() {
  const t = await readTable('test/data/veteran.csv');
  const num = (c: string): number[] => t.cells.get(c)!.map(Number);
  return {
    time: num('time'),
    status: num('status'),
    treated: num('trt').map((x) => (x === 2 ? 1 : 0)),
    karno: num('karno'),
    age: num('age'),
  };
}

describe('survivalEffects', () => {
  it('gives KM rows per arm, the Cox hazard ratio and the log-rank test in the contract vocabulary', async () => {
    const v = await veteran();
    const rows = survivalEffects({
      outcome: 'days_to_reoffence',
      ...v,
      armLabels: { treatment: 'test', control: 'standard' },
    });
    expect(rows.map((r) => `${r.measure}${r.arm ? `/${r.arm}` : ''}`)).toEqual([
      'km_survival_90/standard',
      'km_survival_90/test',
      'km_survival_182/standard',
      'km_survival_182/test',
      'km_survival_365/standard',
      'km_survival_365/test',
      'km_survival_end/standard',
      'km_survival_end/test',
      'hazard_ratio',
      'logrank',
    ]);
    for (const r of rows) for (const k of Object.keys(r)) expect(VOCAB).toContain(k);
    // summary(survfit(Surv(time, status) ~ 1, v[v$arm == 1, ]), times = 182): surv, std.err, lower, upper
    const km = rows[3]!;
    expect(rel(km.estimate, 0.23285294117647)).toBeLessThan(1e-12);
    expect(rel(km.std_error, 0.0528795382385205)).toBeLessThan(1e-10);
    expect(rel(km.conf_low, 0.1492034434023367)).toBeLessThan(1e-10);
    expect(rel(km.conf_high, 0.363399737821893)).toBeLessThan(1e-10);
    expect(km.statistic).toBeNull();
    // summary(coxph(Surv(time, status) ~ arm, v)): exp(coef), se(coef), z, Pr(>|z|), lower/upper .95
    const hr = rows.find((r) => r.measure === 'hazard_ratio')!;
    expect(rel(hr.estimate, 1.01790090393894)).toBeLessThan(1e-6);
    expect(rel(hr.std_error, 0.18066101228769)).toBeLessThan(1e-6);
    expect(rel(hr.statistic, 0.0982091780294176)).toBeLessThan(1e-6);
    expect(rel(hr.p_value, 0.921766194684511)).toBeLessThan(1e-6);
    expect(rel(hr.conf_low, 0.714375526106933)).toBeLessThan(1e-6);
    expect(rel(hr.conf_high, 1.45038878345424)).toBeLessThan(1e-6);
    // survdiff(Surv(time, status) ~ arm, v)$chisq; pchisq(., 1, lower.tail = FALSE)
    const lr = rows.find((r) => r.measure === 'logrank')!;
    expect(lr.estimate).toBeNull();
    expect(rel(lr.statistic, 0.00822734320235077)).toBeLessThan(1e-9);
    expect(rel(lr.p_value, 0.927727233340074)).toBeLessThan(1e-9);
    expect(lr.df).toBe(1);
  });

  it('adjusts the hazard ratio for covariates: coxph(Surv(time, status) ~ arm + karno + age, v)', async () => {
    const v = await veteran();
    const rows = survivalEffects({
      outcome: 'days_to_reoffence',
      ...v,
      armLabels: { treatment: 'test', control: 'standard' },
      covariates: [
        { name: 'karno', values: v.karno },
        { name: 'age', values: v.age },
      ],
      days: [],
    });
    const hr = rows.find((r) => r.measure === 'hazard_ratio')!;
    expect(rel(hr.estimate, 1.208701257097127)).toBeLessThan(1e-6);
    expect(rel(hr.conf_low, 0.840223812191274)).toBeLessThan(1e-6);
    expect(rel(hr.conf_high, 1.738773297912192)).toBeLessThan(1e-6);
    expect(hr.method).toContain('adjusted for karno, age');
  });

  it('carries the estimate forward after the end of follow-up, saying so, as summary(fit, times, extend = TRUE)', async () => {
    const v = await veteran();
    // Largest times: 553 (arm 0, an event: S = 0 there), 999 (arm 1, an event: S = 0).
    const rows = survivalEffects({
      outcome: 't',
      ...v,
      armLabels: { treatment: 'test', control: 'standard' },
      days: [1000],
    });
    expect(rows[0]!.estimate).toBe(0);
    expect(rows[0]!.std_error).toBeNull();
    const censoredEnd = survivalEffects({
      outcome: 't',
      time: [10, 20, 30, 15, 25, 35],
      status: [1, 0, 0, 1, 1, 0],
      treated: [0, 0, 0, 1, 1, 1],
      armLabels: { treatment: 'T', control: 'C' },
      days: [40],
    });
    // summary(survfit(Surv(c(10, 20, 30), c(1, 0, 0)) ~ 1), times = 40, extend = TRUE): surv 2/3, std.err 0.272165526975909
    expect(censoredEnd[0]!.arm).toBe('C');
    expect(rel(censoredEnd[0]!.estimate, 2 / 3)).toBeLessThan(1e-15);
    expect(rel(censoredEnd[0]!.std_error, 0.272165526975909)).toBeLessThan(1e-12);
    expect(censoredEnd[0]!.method).toContain('follow-up in this arm ended earlier, at day 30');
    // km_survival_end: each arm at its own last time (30 and 35).
    const end = censoredEnd.filter((r) => r.measure === 'km_survival_end');
    expect(end.map((r) => r.arm)).toEqual(['C', 'T']);
    expect(rel(end[0]!.estimate, 2 / 3)).toBeLessThan(1e-15);
    expect(rel(end[1]!.estimate, 1 / 3)).toBeLessThan(1e-15);
    expect(end[1]!.method).toContain("at the end of this arm's follow-up, day 35");
  });

  it('gives a flagged null hazard ratio, never NaN, with no events in an arm; log-rank still works', () => {
    const rows = survivalEffects({
      outcome: 'days_to_reoffence',
      time: [3, 5, 7, 9, 4, 6, 8, 10],
      status: [1, 1, 0, 1, 0, 0, 0, 0],
      treated: [0, 0, 0, 0, 1, 1, 1, 1],
      armLabels: { treatment: 'T', control: 'C' },
      days: [5],
    });
    const hr = rows.find((r) => r.measure === 'hazard_ratio')!;
    expect(hr).toMatchObject({ estimate: null, std_error: null, conf_low: null, p_value: null });
    expect(hr.method).toBe('not estimable: no events in the treatment arm (the hazard ratio is 0)');
    // survdiff(Surv(c(3,5,7,9,4,6,8,10), c(1,1,0,1,0,0,0,0)) ~ rep(0:1, each = 4))$chisq = 3
    expect(rel(rows.find((r) => r.measure === 'logrank')!.statistic, 3)).toBeLessThan(1e-12);
    expect(JSON.stringify(rows)).not.toContain('NaN');
    const none = survivalEffects({
      outcome: 'd',
      time: [1, 2, 3, 4],
      status: [0, 0, 0, 0],
      treated: [0, 1, 0, 1],
      armLabels: { treatment: 'T', control: 'C' },
    });
    expect(none.find((r) => r.measure === 'logrank')!.method).toBe('not estimable: no events in either arm');
    expect(none.find((r) => r.measure === 'hazard_ratio')!.estimate).toBeNull();
  });

  it('in a cluster design: robust hazard ratio, robust score test, stratified model, labelled log-rank (survival::rats)', async () => {
    // R: rats <- read.csv("test/data/rats.csv"); values from test/data/survival-cluster-rmst.out
    const t = await readTable('test/data/rats.csv');
    const num = (c: string): number[] => t.cells.get(c)!.map(Number);
    const sex = t.cells.get('sex')!.map((x) => (x === 'm' ? 1 : 0));
    const rows = survivalEffects({
      outcome: 'days_to_tumour',
      time: num('time'),
      status: num('status'),
      treated: num('rx'),
      armLabels: { treatment: 'drug', control: 'placebo' },
      cluster: { name: 'litter', index: num('litter').map((l) => l - 1) },
      strata: { name: 'sex', index: sex },
      days: [],
    });
    expect(rows.map((r) => r.measure)).toEqual([
      'km_survival_end',
      'km_survival_end',
      'hazard_ratio',
      'cox_robust_score',
      'stratified_hazard_ratio',
      'logrank',
    ]);
    const find = (m: string) => rows.find((r) => r.measure === m)!;
    // coxph(Surv(time, status) ~ rx, rats, cluster = litter): coef 0.713736804292536, robust se 0.271033228681653; robscore 5.88026004960204
    expect(rel(Math.log(find('hazard_ratio').estimate!), 0.713736804292536)).toBeLessThan(1e-7);
    expect(rel(find('hazard_ratio').std_error, 0.271033228681653)).toBeLessThan(1e-7);
    expect(find('hazard_ratio').method).toContain('clustered by litter (100 clusters');
    expect(rel(find('cox_robust_score').statistic, 5.88026004960204)).toBeLessThan(1e-10);
    expect(rel(find('cox_robust_score').p_value, 0.0153115600978709)).toBeLessThan(1e-10);
    // coxph(Surv(time, status) ~ rx + strata(sex), rats, cluster = litter): coef 0.801005636071172, robust se 0.292799803524076
    expect(rel(Math.log(find('stratified_hazard_ratio').estimate!), 0.801005636071172)).toBeLessThan(1e-7);
    expect(rel(find('stratified_hazard_ratio').std_error, 0.292799803524076)).toBeLessThan(1e-7);
    expect(find('stratified_hazard_ratio').method).toContain('stratified by sex (2 strata');
    expect(find('logrank').method).toContain('ignores the clustering by litter');
    // With a covariate the hazard ratio is adjusted but the robust score row stays the arm-only model's.
    const adj = survivalEffects({
      outcome: 'days_to_tumour',
      time: num('time'),
      status: num('status'),
      treated: num('rx'),
      armLabels: { treatment: 'drug', control: 'placebo' },
      cluster: { name: 'litter', index: num('litter').map((l) => l - 1) },
      covariates: [{ name: 'sexm', values: sex }],
      days: [],
    });
    // coxph(Surv(time, status) ~ rx + sex, rats, cluster = litter): coef 0.790996147108952, robust se 0.292711302443121
    expect(rel(Math.log(adj.find((r) => r.measure === 'hazard_ratio')!.estimate!), 0.790996147108952)).toBeLessThan(
      1e-7,
    );
    expect(rel(adj.find((r) => r.measure === 'hazard_ratio')!.std_error, 0.292711302443121)).toBeLessThan(1e-7);
    expect(rel(adj.find((r) => r.measure === 'cox_robust_score')!.statistic, 5.88026004960204)).toBeLessThan(1e-10);
  });

  it('gives flagged null cluster rows, never NaN, when there are no events', () => {
    const rows = survivalEffects({
      outcome: 'd',
      time: [1, 2, 3, 4],
      status: [0, 0, 0, 0],
      treated: [0, 1, 0, 1],
      armLabels: { treatment: 'T', control: 'C' },
      cluster: { name: 'team', index: [0, 1, 2, 3] },
      strata: { name: 'site', index: [0, 0, 1, 1] },
      rmstDay: 3,
    });
    for (const m of ['hazard_ratio', 'cox_robust_score', 'stratified_hazard_ratio']) {
      expect(rows.find((r) => r.measure === m)).toMatchObject({
        estimate: null,
        statistic: null,
        method: 'not estimable: no events in either arm',
      });
    }
    // No events: both curves stay at 1, so the RMST difference up to day 3 is exactly 0 with SE 0.
    expect(rows.find((r) => r.measure === 'rmst_difference')).toMatchObject({
      estimate: 0,
      std_error: 0,
      p_value: null,
    });
    expect(JSON.stringify(rows)).not.toContain('NaN');
  });
});
