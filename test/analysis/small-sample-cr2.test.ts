/**
 * `analyse --small-sample cr2` (and the plan's `auto` below 50 clusters): CR2 + Satterthwaite
 * inference on the cluster-robust odds ratio and the clustered rate ratio, against clubSandwich
 * 0.5.8 (R 4.2.2) on lme4::cbpp (15 herds as clusters, odd herds "treated"). Data and values:
 * test/data/cr2-glm/cr2-glm-reference.R -> cr2-glm-reference.out. The R calls:
 *   coef_test(glm(y ~ arm [+ late], binomial, an), vcov = "CR2", cluster = an$herd, test = "Satterthwaite")
 *   conf_int(same fit, vcov = "CR2", cluster = an$herd, level = 0.95, coefs = "arm")   (exponentiated)
 *   coef_test(glm(incidence ~ arm + offset(log(size)), poisson, cb), vcov = "CR2", cluster = cb$herd_i, ...)
 *   the arm x late interaction: coef_test / Wald_test(test = "HTZ") on glm(y ~ arm * late, binomial)
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { analyseTrial, type AnalyseResult } from '../../src/core/analysis/analyse-trial.js';
import { UsageError } from '../../src/core/errors.js';
import { FEW_CLUSTERS, useCr2 } from '../../src/core/analysis/small-sample.js';

const rel = (a: number | null | undefined, b: number) => Math.abs(a! - b) / Math.abs(b);
const row = (r: AnalyseResult, outcome: string, measure: string) => {
  const x = r.effects.find((e) => e.outcome === outcome && e.measure === measure && e.arm === undefined);
  if (!x) throw new Error(`no row ${outcome}/${measure}`);
  return x;
};

describe('CR2 + Satterthwaite on the cluster-robust GLM rows (lme4::cbpp)', async () => {
  const animals = await readTable('test/data/cr2-glm/cbpp-trial.csv');
  const counts = await readTable('test/data/cr2-glm/cbpp-counts-trial.csv');
  it('cluster_robust_odds_ratio, arm only', () => {
    const r = analyseTrial(animals, { cluster: 'team', outcomes: ['reoffended'], smallSample: 'cr2' });
    const x = row(r, 'reoffended', 'cluster_robust_odds_ratio');
    expect(rel(x.estimate, Math.exp(-0.136829220619233))).toBeLessThan(1e-8);
    expect(rel(x.std_error, 0.487596047919005)).toBeLessThan(1e-7);
    expect(rel(x.df, 10.3340018549402)).toBeLessThan(1e-7);
    expect(rel(x.p_value, 0.784539878128782)).toBeLessThan(1e-6);
    expect(rel(x.conf_low, 0.295667431495052)).toBeLessThan(1e-6);
    expect(rel(x.conf_high, 2.57245721604518)).toBeLessThan(1e-6);
    expect(x.method).toMatch(/CR2 cluster-robust SE by team with Satterthwaite df 10\.3 \(15 clusters/);
  });
  it('cluster_robust_odds_ratio adjusted for a covariate that varies within clusters', () => {
    const r = analyseTrial(animals, {
      cluster: 'team',
      outcomes: ['reoffended'],
      covariates: ['late'],
      smallSample: 'auto',
    });
    const x = row(r, 'reoffended', 'cluster_robust_odds_ratio');
    expect(rel(x.std_error, 0.448044417388914)).toBeLessThan(1e-7);
    expect(rel(x.df, 10.7354642544215)).toBeLessThan(1e-7);
    expect(rel(x.conf_low, 0.343404306521448)).toBeLessThan(1e-6);
    expect(rel(x.conf_high, 2.48277557096435)).toBeLessThan(1e-6);
  });
  it('without --small-sample the row stays vcovCL with a normal interval', () => {
    const r = analyseTrial(animals, { cluster: 'team', outcomes: ['reoffended'] });
    const x = row(r, 'reoffended', 'cluster_robust_odds_ratio');
    expect(rel(x.std_error, 0.467941621269327)).toBeLessThan(1e-7); // sqrt(vcovCL(f1, cluster = an$herd)["arm", "arm"])
    expect(x.df).toBeUndefined();
    expect(x.method).toMatch(/vcovCL/);
  });
  it('clustered Poisson rate_ratio with a time-at-risk offset', () => {
    const r = analyseTrial(counts, { cluster: 'team', outcomes: ['reoffences'], exposure: 'size', smallSample: 'cr2' });
    const x = row(r, 'reoffences', 'rate_ratio');
    expect(rel(x.estimate, Math.exp(-0.120572048759761))).toBeLessThan(1e-8);
    expect(rel(x.std_error, 0.429608253429436)).toBeLessThan(1e-7);
    expect(rel(x.df, 10.3727877282986)).toBeLessThan(1e-7);
    expect(rel(x.p_value, 0.784492807569564)).toBeLessThan(1e-6);
    expect(rel(x.conf_low, 0.341927618697445)).toBeLessThan(1e-6);
    expect(rel(x.conf_high, 2.29793779078359)).toBeLessThan(1e-6);
    expect(x.method).toMatch(/offset\(log\(size\)\); CR2/);
  });
  it('a 1-df subgroup interaction: F = t^2 with CR2 and Satterthwaite df', () => {
    // f6 <- glm(y ~ arm * late, binomial, an); coef_test(f6, vcov = "CR2", cluster = an$herd)["arm:late", ]
    // (t 0.956555599459394, df 7.27012142288253, p 0.369511720873247) and
    // Wald_test(f6, constraints = constrain_zero("arm:late"), vcov = "CR2", cluster = an$herd, test = "HTZ") (F 0.91499861485712, same p)
    const r = analyseTrial(animals, {
      cluster: 'team',
      outcomes: ['reoffended'],
      subgroups: ['late'],
      smallSample: 'cr2',
    });
    const x = r.effects.find((e) => e.measure === 'interaction')!;
    expect(rel(x.statistic, 0.91499861485712)).toBeLessThan(1e-6);
    expect(rel(x.p_value, 0.369511720873247)).toBeLessThan(1e-6);
    expect(x.method).toMatch(/F = t\^2 on \(1, 7\.3\) df .* CR2 cluster-robust SE by team/);
  });
  it('the cluster fixture test/data/sim-cluster-trial.csv (24 teams): auto applies CR2', async () => {
    // f9 <- glm(reoffended ~ a + ogrs3, binomial, sim); f10 <- glm(reoffences ~ a, poisson, sim);
    // coef_test(f, vcov = "CR2", cluster = sim$team, test = "Satterthwaite")["a", ]
    const sim = await readTable('test/data/sim-cluster-trial.csv');
    const r = analyseTrial(sim, {
      cluster: 'team',
      outcomes: ['reoffended', 'reoffences'],
      covariates: ['ogrs3'],
      smallSample: 'auto',
    });
    const or = row(r, 'reoffended', 'cluster_robust_odds_ratio');
    expect(rel(or.estimate, Math.exp(0.184187116501583))).toBeLessThan(1e-8);
    expect(rel(or.std_error, 0.219525857274323)).toBeLessThan(1e-7);
    expect(rel(or.df, 20.4320446761931)).toBeLessThan(1e-7);
    expect(rel(or.p_value, 0.411166101804202)).toBeLessThan(1e-6);
    const u = analyseTrial(sim, { cluster: 'team', outcomes: ['reoffences'], smallSample: 'auto' });
    const rr = row(u, 'reoffences', 'rate_ratio');
    expect(rel(rr.estimate, Math.exp(-0.0229895182246991))).toBeLessThan(1e-8);
    expect(rel(rr.std_error, 0.161938843785951)).toBeLessThan(1e-7);
    expect(rel(rr.df, 20.4798811592181)).toBeLessThan(1e-7);
    expect(rel(rr.p_value, 0.888495572514796)).toBeLessThan(1e-6);
  });
  it('auto switches at FEW_CLUSTERS; cr2 without clusters only warns; a bad choice is a usage error', () => {
    expect(FEW_CLUSTERS).toBe(50);
    expect(useCr2('auto', 49)).toBe(true);
    expect(useCr2('auto', 50)).toBe(false);
    expect(useCr2('none', 3)).toBe(false);
    expect(useCr2(undefined, 3)).toBe(false);
    const r = analyseTrial(animals, { outcomes: ['reoffended'], smallSample: 'cr2' });
    expect(r.warnings.join('\n')).toMatch(/--small-sample cr2 applies to cluster designs only/);
    expect(() => analyseTrial(animals, { outcomes: ['reoffended'], smallSample: 'cr3' as never })).toThrow(UsageError);
  });
});

describe('analyse --small-sample (command handler)', () => {
  it('parses cr2 / none / auto and refuses anything else', async () => {
    const { runAnalyse } = await import('../../src/cli/commands/analyse.js');
    const base = { data: 'test/data/cr2-glm/cbpp-trial.csv', cluster: 'team', outcome: 'reoffended' };
    const cr2 = await runAnalyse({ ...base, smallSample: 'CR2' });
    const x = cr2.effects.find((e) => e.measure === 'cluster_robust_odds_ratio')!;
    expect(rel(x.std_error, 0.487596047919005)).toBeLessThan(1e-7); // clubSandwich, as above
    const none = await runAnalyse({ ...base, smallSample: 'none' });
    expect(
      rel(none.effects.find((e) => e.measure === 'cluster_robust_odds_ratio')!.std_error, 0.467941621269327),
    ).toBeLessThan(1e-7);
    await expect(runAnalyse({ ...base, smallSample: 'hc3' })).rejects.toThrow(UsageError);
  });
});
