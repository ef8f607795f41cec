/**
 * More than two arms: the global tests and the pairwise (arm vs control) rows against R. Reference
 * values: test/data/multi-arm-references.json, written by test/data/make-multi-arm-references.R
 * (R 4.2.2, MASS 7.3.58.2, survival 3.5.3, sandwich 3.0.2, lmtest 0.9.40) from R's own data sets recoded as trial files:
 *   MASS::bacteria (test/data/multiarm-bacteria.csv; trt placebo / drug / drug+, clustered by ID):
 *     chisq.test(table(arm, reoffended), correct = FALSE)
 *     lmtest::waldtest(glm(reoffended ~ 1, binomial), fit <- glm(reoffended ~ arm, binomial),
 *                      vcov = sandwich::vcovCL(fit, cluster = ~team), test = "Chisq")
 *   survival::veteran (test/data/multiarm-veteran.csv; celltype, squamous as control):
 *     survdiff(Surv(follow_up_days, reoffended) ~ arm)
 *     coxph(Surv(follow_up_days, reoffended) ~ arm, subset = arm %in% c("squamous", "adeno"))
 *   PlantGrowth (test/data/multiarm-plantgrowth.csv): anova(lm(weight ~ arm)); t.test(weight ~ arm, var.equal = TRUE) on ctrl, trt2
 *   InsectSprays (test/data/multiarm-insectsprays.csv): anova(glm(reoffences ~ arm, poisson), test = "LRT");
 *     glm(reoffences ~ arm, poisson) on sprays A and C
 *   the pcp fixture with its treatment teams split into two arms (test/data/multiarm-pcp.csv, 32 teams):
 *     lmtest::waldtest(glm(reoffences ~ 1, poisson), fit <- glm(reoffences ~ arm, poisson),
 *                      vcov = sandwich::vcovCL(fit, cluster = ~team), test = "Chisq")   (and binomial for reoffended)
 *     anova(glm(reoffences ~ arm, poisson), test = "LRT")
 *     summary(coxph(Surv(time, reoffended) ~ arm, cluster = team))$robscore; survdiff(Surv(time, reoffended) ~ arm)
 *     (time = days_to_reoffence for re-offenders, else follow_up_days)
 *     lmtest::waldtest(lm(ogrs3 ~ 1), fit <- lm(ogrs3 ~ arm), vcov = sandwich::vcovCL(fit, cluster = ~team), test = "Chisq")
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { UsageError } from '../errors.js';
import { analyseTrial, type AnalyseOptions } from './analyse-trial.js';
import { analyseArms, armLabels, resolveArms, withSubArms } from './multi-arm.js';
import { clusterWaldLogistic, oneWayAnova, pearsonChiSquare, poissonLikelihoodRatio } from '../stats/k-group-tests.js';

interface Ref {
  call: string;
  statistic: number;
  df: number;
  p_value: number;
  [k: string]: unknown;
}
const refs = JSON.parse(readFileSync('test/data/multi-arm-references.json', 'utf8')) as Record<string, Ref>;
const rel = (a: number | null | undefined, b: number) => Math.abs(a! - b) / Math.abs(b);

async function run(file: string, options: AnalyseOptions, selection: 'all' | string[] = 'all') {
  const table = await readTable(`test/data/${file}`);
  return analyseArms(table, { ...options, alpha: options.alpha ?? 0.05 }, selection);
}

function expectGlobal(
  rows: {
    outcome: string;
    measure: string;
    statistic: number | null;
    p_value: number | null;
    df?: number;
    arm?: string;
  }[],
  outcome: string,
  ref: Ref,
) {
  const r = rows.find((x) => x.outcome === outcome && x.measure === 'global_test');
  expect(r, `${outcome} global_test`).toBeDefined();
  expect(r!.arm).toBeUndefined();
  expect(rel(r!.statistic, ref.statistic)).toBeLessThan(1e-9);
  expect(r!.df).toBe(ref.df);
  expect(rel(r!.p_value, ref.p_value)).toBeLessThan(1e-7);
}

describe('global tests across k arms (R references)', () => {
  it('binary: Pearson chi-square on MASS::bacteria (3 arms), individual design', async () => {
    const { result } = await run('multiarm-bacteria.csv', { control: 'placebo', outcomes: ['reoffended'] });
    expectGlobal(result.effects, 'reoffended', refs.bacteria_chisq!);
    expect(result.treatments).toEqual(['drug', 'drug+']);
    expect(result.arms.map((a) => a.arm)).toEqual(['placebo', 'drug', 'drug+']);
  });

  it('binary with --cluster: cluster-robust Wald test on MASS::bacteria clustered by child', async () => {
    const { result } = await run('multiarm-bacteria.csv', {
      control: 'placebo',
      outcomes: ['reoffended'],
      cluster: 'team',
    });
    expectGlobal(result.effects, 'reoffended', refs.bacteria_wald_cl!);
    expect(Object.keys(result.design.n_clusters)).toEqual(['placebo', 'drug', 'drug+']);
  });

  it('time: k-sample log-rank on survival::veteran (4 cell types) and chi-square of the status', async () => {
    const { result } = await run('multiarm-veteran.csv', { control: 'squamous' });
    expectGlobal(result.effects, 'days_to_reoffence', refs.veteran_logrank!);
    expectGlobal(result.effects, 'reoffended', refs.veteran_chisq!);
  });

  it('continuous: one-way ANOVA on PlantGrowth (3 groups)', async () => {
    const { result } = await run('multiarm-plantgrowth.csv', { control: 'ctrl', outcomes: ['weight'] });
    expectGlobal(result.effects, 'weight', refs.plantgrowth_anova!);
    expect(result.effects.find((r) => r.measure === 'global_test')!.method).toContain(
      `(2, ${refs.plantgrowth_anova!.df_residual}) df`,
    );
  });

  it('clustered count and binary: cluster-robust Wald tests on the pcp fixture split into 3 arms by team', async () => {
    const { result } = await run('multiarm-pcp.csv', { cluster: 'team' });
    expectGlobal(result.effects, 'reoffences', refs.pcp_count_wald_cl!);
    expectGlobal(result.effects, 'reoffended', refs.pcp_binary_wald_cl!);
    expect(result.design.n_clusters).toEqual({ control: 15, treatment_a: 9, treatment_b: 8 });
    expectGlobal(result.effects, 'days_to_reoffence', refs.pcp_time_robscore!);
    expect(
      result.effects.find((r) => r.measure === 'global_test' && r.outcome === 'days_to_reoffence')!.method,
    ).toContain('robust score');
    const cont = await run('multiarm-pcp.csv', { cluster: 'team', outcomes: ['ogrs3'] });
    expectGlobal(cont.result.effects, 'ogrs3', refs.pcp_ogrs3_wald_cl!);
    const plain = await run('multiarm-pcp.csv', {});
    expectGlobal(plain.result.effects, 'reoffences', refs.pcp_count_lrt!);
    expectGlobal(plain.result.effects, 'days_to_reoffence', refs.pcp_time_logrank!);
  });

  it('count: Poisson likelihood-ratio test on InsectSprays (6 sprays)', async () => {
    const { result } = await run('multiarm-insectsprays.csv', { control: 'A', outcomes: ['reoffences'] });
    expectGlobal(result.effects, 'reoffences', refs.insectsprays_lrt!);
  });
});

describe('pairwise rows: the two-arm analysis of each arm with control', () => {
  it('bacteria drug vs placebo: risk difference and odds ratio as R on the pair; rows carry arm and comparison', async () => {
    const { result } = await run('multiarm-bacteria.csv', { control: 'placebo', outcomes: ['reoffended'] });
    const ref = refs.bacteria_drug_vs_placebo!;
    const rd = result.effects.find((r) => r.measure === 'risk_difference' && r.arm === 'drug')!;
    expect(rel(rd.estimate, ref.risk_difference as number)).toBeLessThan(1e-12);
    expect(rd.comparison).toBe('drug');
    const or = result.effects.find((r) => r.measure === 'odds_ratio' && r.comparison === 'drug')!;
    expect(rel(or.estimate, ref.odds_ratio as number)).toBeLessThan(1e-9);
    // Every measure exists once per comparison, and equals the two-arm analysis of that pair.
    const table = await readTable('test/data/multiarm-bacteria.csv');
    const two = analyseTrial(table, { treatment: 'drug+', control: 'placebo', outcomes: ['reoffended'] });
    const mine = result.effects.filter((r) => r.comparison === 'drug+');
    expect(mine.map(({ arm, comparison, ...r }) => (void arm, void comparison, r))).toEqual(two.effects);
    expect(result.verdict.map((v) => v.arm)).toEqual(['drug', 'drug+']);
  });

  it('veteran adeno vs squamous: hazard ratio as R coxph on the pair; Kaplan-Meier rows keep their own arm', async () => {
    const { result } = await run('multiarm-veteran.csv', { control: 'squamous', outcomes: ['days_to_reoffence'] }, [
      'adeno',
      'large',
    ]);
    const ref = refs.veteran_adeno_vs_squamous!;
    const hr = result.effects.find((r) => r.measure === 'hazard_ratio' && r.comparison === 'adeno')!;
    expect(hr.arm).toBe('adeno');
    expect(rel(hr.estimate, ref.hazard_ratio as number)).toBeLessThan(1e-7);
    expect(rel(hr.std_error, ref.std_error as number)).toBeLessThan(1e-6);
    const km = result.effects.filter((r) => r.measure.startsWith('km_survival_') && r.comparison === 'adeno');
    expect(new Set(km.map((r) => r.arm))).toEqual(new Set(['squamous', 'adeno']));
    // smallcell is neither control nor chosen: left out, with a warning, and out of the global test.
    expect(result.excluded.other_arm_labels).toEqual(['smallcell']);
    expect(result.excluded.other_arms).toBe(48);
    expect(result.warnings.some((w) => w.startsWith('48 row(s) in other arms (smallcell)'))).toBe(true);
    expect(result.effects.find((r) => r.measure === 'global_test')!.method).toContain(
      '3 arms (squamous, adeno, large)',
    );
    expect(result.attrition.randomised).toBe(137 - 48);
  });

  it('PlantGrowth trt2 vs ctrl: OLS mean difference as R t.test(var.equal = TRUE)', async () => {
    const { result } = await run('multiarm-plantgrowth.csv', { control: 'ctrl', outcomes: ['weight'] });
    const ref = refs.plantgrowth_trt2_vs_ctrl!;
    const md = result.effects.find((r) => r.measure === 'mean_difference' && r.arm === 'trt2')!;
    expect(rel(md.estimate, ref.mean_difference as number)).toBeLessThan(1e-12);
    expect(rel(md.p_value, ref.p_value as number)).toBeLessThan(1e-7);
  });

  it('InsectSprays C vs A: rate ratio as R glm poisson on the pair', async () => {
    const { result } = await run('multiarm-insectsprays.csv', { control: 'A', outcomes: ['reoffences'] });
    const rr = result.effects.find((r) => r.measure === 'rate_ratio' && r.arm === 'C')!;
    expect(rel(rr.estimate, refs.insectsprays_C_vs_A!.rate_ratio as number)).toBeLessThan(1e-9);
    expect(result.comparisons!.map((c) => c.arm)).toEqual(['B', 'C', 'D', 'E', 'F']);
  });
});

describe('arm selection', () => {
  it('needs a control: the arm named control, or --control', () => {
    expect(resolveArms(['a', 'b', 'Control'], 'all', undefined)).toEqual({
      control: 'Control',
      treatments: ['a', 'b'],
    });
    expect(() => resolveArms(['a', 'b', 'c'], 'all', undefined)).toThrow(UsageError);
    expect(() => resolveArms(['a', 'b', 'c'], ['d'], 'a')).toThrow(/not found/);
    expect(() => resolveArms(['a', 'b', 'c'], ['a'], 'a')).toThrow(/control arm/);
  });
});

describe('--sub-arm', () => {
  const table = (arm: string[], sub: string[]) => ({
    file: 'x.csv',
    columns: ['arm', 'sub_arm'],
    cells: new Map([
      ['arm', arm],
      ['sub_arm', sub],
    ]),
    lines: arm.map((_, i) => i + 2),
    n: arm.length,
  });
  it('labels people by their sub-arm where it is filled, else by their arm', () => {
    const t = withSubArms(table(['control', 'fund', 'fund'], ['', 'told', 'not_told']), 'arm', 'sub_arm');
    expect(t.cells.get('arm')).toEqual(['control', 'told', 'not_told']);
    expect(armLabels(t)).toEqual(['control', 'not_told', 'told']);
  });
  it('refuses a sub-arm label that is another arm (the arms would merge), and a missing column', () => {
    expect(() => withSubArms(table(['control', 'fund'], ['', 'control']), 'arm', 'sub_arm')).toThrow(/would merge/);
    expect(() => withSubArms(table(['control', 'fund'], ['', 'told']), 'arm', 'subarm')).toThrow(UsageError);
  });
});

describe('k-group tests: edge cases', () => {
  it('no events at all: chi-square not defined (R gives NaN)', () => {
    expect(pearsonChiSquare([0, 0, 0, 0], [0, 1, 2, 2]).statistic).toBeNull();
    expect(poissonLikelihoodRatio([0, 0, 0], [0, 1, 2]).statistic).toBeNull();
  });
  it('empty codes are dropped from the df', () => {
    expect(oneWayAnova([1, 2, 3, 4, 5, 7], [0, 0, 2, 2, 3, 3]).df).toBe(2);
  });
  it('separation in the clustered logistic model gives no statistic', () => {
    const r = clusterWaldLogistic([0, 0, 1, 0, 1, 1], [0, 0, 1, 1, 2, 2], [0, 1, 2, 3, 4, 5], 6);
    expect(r.separation).toBe(true);
    expect(r.statistic).toBeNull();
  });
});
