/**
 * `analyse` time-to-event options end to end: cluster-robust Cox and the robust score test in a
 * cluster design, --strata, --ties, --km-days and --rmst-day. References: R 4.2.2, survival 3.5.3,
 * from test/data/survival-cluster-rmst.R (output in test/data/survival-cluster-rmst.out):
 *   pcp: d <- read.csv(<pcp outcomes from `reoffending --out`>);
 *        d <- d[d$measurable == "yes" & d$withdrawn != "yes", ]   (742 people, 32 teams)
 *        d$time <- ifelse(d$reoffended == 1, d$days_to_reoffence, d$follow_up_days)
 *        d$treat <- as.integer(d$arm == "treatment")
 *   Rossi: carData::Rossi (test/data/rossi.csv), time week * 7, event arrest, treatment fin == "yes".
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalyse } from '../../src/cli/commands/analyse.js';
import { UsageError } from '../../src/core/errors.js';
import { readTable } from '../../src/io/table.js';

const rel = (a: number | null | undefined, b: number): number => Math.abs((a as number) - b) / Math.abs(b);
type Result = Awaited<ReturnType<typeof runAnalyse>>;
const row = (r: Result, measure: string, arm?: string) =>
  r.effects.find((e) => e.measure === measure && e.arm === arm)!;
const pcp = { data: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv', outcome: 'days_to_reoffence' };

describe('analyse: Cox in a cluster-randomised design (pcp fixture, 32 teams)', () => {
  it('uses the robust SE of coxph(Surv(time, reoffended) ~ treat, d, cluster = team) and adds the robust score test', async () => {
    const r = await runAnalyse({ ...pcp, cluster: 'team' });
    const hr = row(r, 'hazard_ratio');
    // coef -0.0784514551504411, se(coef) 0.130830563362062, robust se 0.157060514604687, z -0.499498268854521,
    // Pr(>|z|) 0.617428406033648, lower .95 0.679577221559416, upper .95 1.25782180256814
    expect(rel(Math.log(hr.estimate!), -0.0784514551504411)).toBeLessThan(1e-7);
    expect(rel(hr.std_error, 0.157060514604687)).toBeLessThan(1e-7);
    expect(rel(hr.statistic, -0.499498268854521)).toBeLessThan(1e-7);
    expect(rel(hr.p_value, 0.617428406033648)).toBeLessThan(1e-7);
    expect(rel(hr.conf_low, 0.679577221559416)).toBeLessThan(1e-7);
    expect(rel(hr.conf_high, 1.25782180256814)).toBeLessThan(1e-7);
    expect(hr.method).toContain('robust (sandwich) SE clustered by team (32 clusters');
    // summary(fit)$robscore: 0.239019633491544 on 1 df, p 0.624915085397601
    const rs = row(r, 'cox_robust_score');
    expect(rel(rs.statistic, 0.239019633491544)).toBeLessThan(1e-10);
    expect(rel(rs.p_value, 0.624915085397601)).toBeLessThan(1e-10);
    expect(rs.df).toBe(1);
    expect(row(r, 'logrank').method).toContain('ignores the clustering by team');
    // Without the cluster: the model SE 0.130830563362062, no robust score row, a plain log-rank.
    const plain = await runAnalyse(pcp);
    expect(rel(row(plain, 'hazard_ratio').std_error, 0.130830563362062)).toBeLessThan(1e-7);
    expect(plain.effects.some((e) => e.measure === 'cox_robust_score')).toBe(false);
    expect(row(plain, 'logrank').method).not.toContain('clustering');
  });

  it('adjusted: coxph(Surv(time, reoffended) ~ treat + age + ogrs3, d, cluster = team)', async () => {
    const r = await runAnalyse({ ...pcp, cluster: 'team', covariates: 'age,ogrs3' });
    const hr = row(r, 'hazard_ratio');
    // coef -0.05426230598388045, robust se 0.16315578434435368
    expect(rel(Math.log(hr.estimate!), -0.05426230598388045)).toBeLessThan(1e-7);
    expect(rel(hr.std_error, 0.16315578434435368)).toBeLessThan(1e-7);
    expect(hr.method).toContain('adjusted for age, ogrs3');
    // The robust score row is the unadjusted model's (the cluster-robust log-rank): as above.
    expect(rel(row(r, 'cox_robust_score').statistic, 0.239019633491544)).toBeLessThan(1e-10);
  });

  it('--strata stratum: coxph(Surv(time, reoffended) ~ treat + strata(stratum), d), robust with cluster = team', async () => {
    const s = row(await runAnalyse({ ...pcp, strata: 'stratum' }), 'stratified_hazard_ratio');
    // coef -0.0694160851335315, se(coef) 0.131081276146563, p 0.596413412347929
    expect(rel(Math.log(s.estimate!), -0.0694160851335315)).toBeLessThan(1e-7);
    expect(rel(s.std_error, 0.131081276146563)).toBeLessThan(1e-7);
    expect(rel(s.p_value, 0.596413412347929)).toBeLessThan(1e-7);
    expect(s.method).toContain('stratified by stratum');
    const c = row(await runAnalyse({ ...pcp, strata: 'stratum', cluster: 'team' }), 'stratified_hazard_ratio');
    // robust se 0.15435596413635, lower .95 0.689389941216978, upper .95 1.26252798135676
    expect(rel(c.std_error, 0.15435596413635)).toBeLessThan(1e-7);
    expect(rel(c.conf_low, 0.689389941216978)).toBeLessThan(1e-7);
    expect(rel(c.conf_high, 1.26252798135676)).toBeLessThan(1e-7);
  });

  it('--ties breslow: coxph(Surv(time, reoffended) ~ treat, d, ties = "breslow")', async () => {
    const hr = row(await runAnalyse({ ...pcp, ties: 'breslow' }), 'hazard_ratio');
    // coef -0.0784379618881142, se(coef) 0.130830603088989
    expect(rel(Math.log(hr.estimate!), -0.0784379618881142)).toBeLessThan(1e-7);
    expect(rel(hr.std_error, 0.130830603088989)).toBeLessThan(1e-7);
    expect(hr.method).toContain('Breslow ties');
  });

  it('rejects bad survival options naming them', async () => {
    await expect(runAnalyse({ ...pcp, ties: 'exact' })).rejects.toThrow(
      new UsageError('--ties must be efron or breslow, got exact'),
    );
    await expect(runAnalyse({ ...pcp, kmDays: '90,abc' })).rejects.toThrow(
      '--km-days must be a whole number, got "abc"',
    );
    await expect(runAnalyse({ ...pcp, rmstDay: '0' })).rejects.toThrow(
      '--rmst-day must be strictly between 0 and Infinity, got 0',
    );
  });
});

describe('analyse: Kaplan-Meier at any day and the RMST difference (carData::Rossi)', () => {
  /** Rossi in the analyse layout: 52 weeks of follow-up = 364 days for everyone. */
  async function rossiFile(): Promise<string> {
    const t = await readTable('test/data/rossi.csv');
    const lines = ['id,arm,reoffended,days_to_reoffence,follow_up_days'];
    for (let i = 0; i < t.n; i++) {
      const arrest = t.cells.get('arrest')![i]!;
      const days = Number(t.cells.get('week')![i]!) * 7;
      lines.push(`R${i + 1},${t.cells.get('fin')![i]!},${arrest},${arrest === '1' ? days : ''},364`);
    }
    const path = join(mkdtempSync(join(tmpdir(), 'pe-rossi-')), 'rossi.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  it('gives the one-year estimate after 52 weeks of follow-up, as summary(survfit(...), times = 365, extend = TRUE)', async () => {
    const r = await runAnalyse({
      data: await rossiFile(),
      treatment: 'yes',
      control: 'no',
      kmDays: '90,182,364,365',
      rmstDay: '364',
    });
    // summary(survfit(Surv(week * 7, arrest) ~ fin, Rossi), times = c(90, 182, 364, 365), extend = TRUE):
    //   fin=no  365: surv 0.694444444444444, std.err 0.0313427407586264, lower 0.635652505728589, upper 0.758674090125691
    //   fin=yes 365: surv 0.777777777777778, std.err 0.0282875042898509;  fin=no 90: surv 0.953703703703704
    const no365 = row(r, 'km_survival_365', 'no');
    expect(rel(no365.estimate, 0.694444444444444)).toBeLessThan(1e-12);
    expect(rel(no365.std_error, 0.0313427407586264)).toBeLessThan(1e-10);
    expect(rel(no365.conf_low, 0.635652505728589)).toBeLessThan(1e-10);
    expect(rel(no365.conf_high, 0.758674090125691)).toBeLessThan(1e-10);
    expect(no365.method).toContain('follow-up in this arm ended earlier, at day 364');
    expect(rel(row(r, 'km_survival_365', 'yes').estimate, 0.777777777777778)).toBeLessThan(1e-12);
    expect(rel(row(r, 'km_survival_365', 'yes').std_error, 0.0282875042898509)).toBeLessThan(1e-10);
    expect(rel(row(r, 'km_survival_90', 'no').estimate, 0.953703703703704)).toBeLessThan(1e-12);
    expect(row(r, 'km_survival_364', 'no').method).not.toContain('ended earlier');
    expect(rel(row(r, 'km_survival_end', 'no').estimate, 0.694444444444444)).toBeLessThan(1e-12);
    // rmst2(week * 7, arrest, fin == "yes", tau = 364) by hand: diff 14.2916666666666, se 8.49133598952501,
    // lower -2.35104605343117, upper 30.9343793867644, p 0.0923580353046179
    const d = row(r, 'rmst_difference');
    expect(rel(d.estimate, 14.2916666666666288)).toBeLessThan(1e-10);
    expect(rel(d.std_error, 8.4913359895250125)).toBeLessThan(1e-12);
    expect(rel(d.conf_low, -2.3510460534311726)).toBeLessThan(1e-10);
    expect(rel(d.conf_high, 30.9343793867644301)).toBeLessThan(1e-12);
    expect(rel(d.p_value, 0.0923580353046179)).toBeLessThan(1e-10);
    // Day 365 is after both arms' last (censored) time: refused, as survRM2 does.
    const late = row(
      await runAnalyse({ data: await rossiFile(), treatment: 'yes', control: 'no', rmstDay: '365' }),
      'rmst_difference',
    );
    expect(late.estimate).toBeNull();
    expect(late.method).toContain('not estimable: day 365 is after day 364');
  });
});
