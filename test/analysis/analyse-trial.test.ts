/**
 * analyseTrial end to end against R. Reference values: test/data/make-analyse-references.R and the
 * R calls quoted beside each number (R 4, sandwich 3.0.2, lme4). Real randomised trials:
 * survival::colon (Moertel et al. 1990: levamisole + 5-FU vs observation, recurrence; `reoffended`
 * stands for recurrence) and MASS::epil (Thall & Vail 1990: progabide vs placebo, seizure counts).
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { analyseTrial, type AnalyseResult } from '../../src/core/analysis/analyse-trial.js';
import { DataError, UsageError } from '../../src/core/errors.js';
import type { TextTableLike } from '../../src/core/analysis/trial-data.js';

const rel = (a: number | null, b: number) => Math.abs(a! - b) / Math.abs(b);
const row = (r: AnalyseResult, outcome: string, measure: string) => {
  const x = r.effects.find((e) => e.outcome === outcome && e.measure === measure && !e.arm);
  if (!x) throw new Error(`no row ${outcome}/${measure}`);
  return x;
};

/** A small in-memory table. */
function tableOf(header: string[], rows: Array<Array<string | number>>): TextTableLike {
  const cells = new Map<string, string[]>(header.map((h) => [h, []]));
  rows.forEach((r) => r.forEach((v, j) => cells.get(header[j]!)!.push(String(v))));
  return { file: 'mem.csv', columns: header, cells, lines: rows.map((_, i) => i + 2), n: rows.length };
}

describe('binary outcome: survival::colon (real RCT)', async () => {
  const t = await readTable('test/data/colon-recurrence.csv');
  const r = analyseTrial(t, { covariates: ['age', 'nodes', 'sex'] });
  it('risk difference, chi-square and p as prop.test(correct = FALSE)', () => {
    const rd = row(r, 'reoffended', 'risk_difference');
    // Lev+5FU 114/295 vs Obs 175/312: p_t - p_c; Wald SE sqrt(pt qt/nT + pc qc/nC); qnorm(0.975)
    expect(rel(rd.estimate, -0.174456757931334)).toBeLessThan(1e-9);
    expect(rel(rd.std_error, 0.0399141474170254)).toBeLessThan(1e-9);
    expect(rel(rd.conf_low, -0.252687049342326)).toBeLessThan(1e-9);
    expect(rel(rd.conf_high, -0.0962264665203419)).toBeLessThan(1e-9);
    // prop.test(tab, correct = FALSE): X-squared 18.5018831189396, p 1.69736510855197e-05
    expect(rel(rd.statistic, 18.5018831189396)).toBeLessThan(1e-9);
    expect(rel(rd.p_value, 1.69736510855197e-5)).toBeLessThan(1e-7);
    expect(row(r, 'reoffended', 'per_100').conf_low).toBeCloseTo(-25.2687049342326, 9);
  });
  it('ratios, h, logit d, NNT, Fisher', () => {
    const rr = row(r, 'reoffended', 'risk_ratio');
    // exp(log(pt/pc)), SE sqrt(1/a - 1/nT + 1/c - 1/nC), CI exp(log RR -/+ qnorm(.975) SE), p 2*pnorm(-|z|)
    expect(rel(rr.estimate, 0.688968523002421)).toBeLessThan(1e-9);
    expect(rel(rr.std_error, 0.0888327463565342)).toBeLessThan(1e-9);
    expect(rel(rr.conf_low, 0.578875021195668)).toBeLessThan(1e-9);
    expect(rel(rr.conf_high, 0.820000187100299)).toBeLessThan(1e-9);
    expect(rel(rr.p_value, 2.74143912168951e-5)).toBeLessThan(1e-7);
    const or = row(r, 'reoffended', 'odds_ratio');
    // Woolf: exp(log(a d / (b c))), SE sqrt(1/a + 1/b + 1/c + 1/d)
    expect(rel(or.estimate, 0.493070244672455)).toBeLessThan(1e-9);
    expect(rel(or.conf_low, 0.35664863597352)).toBeLessThan(1e-9);
    expect(rel(or.conf_high, 0.681674459563627)).toBeLessThan(1e-9);
    // 2*asin(sqrt(pt)) - 2*asin(sqrt(pc)); SE sqrt(1/nT + 1/nC)
    expect(rel(row(r, 'reoffended', 'cohens_h').estimate, -0.351215999502284)).toBeLessThan(1e-9);
    expect(rel(row(r, 'reoffended', 'cohens_h').std_error, 0.0812093511462983)).toBeLessThan(1e-9);
    // log(OR) * sqrt(3) / pi and its SE
    expect(rel(row(r, 'reoffended', 'logit_d').estimate, -0.38984666380962)).toBeLessThan(1e-9);
    expect(rel(row(r, 'reoffended', 'logit_d').std_error, 0.0911117456763949)).toBeLessThan(1e-9);
    const nnt = row(r, 'reoffended', 'nnt');
    expect(rel(nnt.estimate, 1 / 0.174456757931334)).toBeLessThan(1e-9);
    expect(nnt.direction).toBe('benefit');
    expect(rel(nnt.conf_low, 1 / 0.252687049342326)).toBeLessThan(1e-9);
    // fisher.test(tab)$p.value
    expect(rel(row(r, 'reoffended', 'fisher_exact').p_value, 2.25897519089702e-5)).toBeLessThan(1e-7);
  });
  it('adjusted odds ratio as glm(reoffended ~ arm + age + nodes + sex, binomial)', () => {
    const a = row(r, 'reoffended', 'adjusted_odds_ratio');
    // exp(coef(cg))[2] = 0.48568739126232; sqrt(diag(vcov(cg)))[2] = 0.17257571675207
    expect(rel(a.estimate, 0.48568739126232)).toBeLessThan(1e-6);
    expect(rel(a.std_error, 0.17257571675207)).toBeLessThan(1e-6);
    expect(a.method).toContain('sexmale');
  });
  it('verdict, arms, attrition, balance', () => {
    expect(r.verdict).toEqual([
      { outcome: 'reoffended', measure: 'risk_difference', verdict: 'significant_reduction' },
    ]);
    expect(r.arms.map((a) => [a.arm, a.n, a.reoffenders])).toEqual([
      ['control', 312, 175],
      ['treatment', 295, 114],
    ]);
    expect(r.attrition).toMatchObject({ randomised: 607, analysed: 607, overall: 0, differential: 0 });
    expect(r.balance.map((b) => b.covariate)).toEqual(['age', 'nodes', 'sexmale']);
    expect(r.design).toEqual({ unit: 'individual', cluster: null, n_clusters: { control: 0, treatment: 0 } });
    expect(JSON.stringify(r)).not.toContain('NaN');
  });
});

describe('cluster design: simulated trial (24 teams)', async () => {
  const t = await readTable('test/data/sim-cluster-trial.csv');
  const r = analyseTrial(t, { cluster: 'team', covariates: ['age'] });
  it('cluster-robust OR as sandwich::vcovCL and the cluster-level t-test', () => {
    const c = row(r, 'reoffended', 'cluster_robust_odds_ratio');
    // glm(reoffended ~ trt + age, binomial): coef 0.185669348566075, sqrt(vcovCL(f, cluster = ~team)[2,2]) 0.214465347957818
    expect(rel(Math.log(c.estimate!), 0.185669348566075)).toBeLessThan(1e-6);
    expect(rel(c.std_error, 0.214465347957818)).toBeLessThan(1e-6);
    const cl = row(r, 'reoffended', 'cluster_level_risk_difference');
    // t.test(cluster proportions, var.equal = TRUE): 0.0521224937343359, t 0.961007570191026, df 22, p 0.346992469467428
    expect(rel(cl.estimate, 0.0521224937343359)).toBeLessThan(1e-9);
    expect(rel(cl.statistic, 0.961007570191026)).toBeLessThan(1e-9);
    expect(rel(cl.p_value, 0.346992469467428)).toBeLessThan(1e-7);
    expect(rel(cl.conf_low, -0.0603588636873842)).toBeLessThan(1e-7);
    // lmer(reoffended ~ trt + (1 | team)) is singular here: ICC 0, design effect 1
    expect(row(r, 'reoffended', 'icc').estimate).toBe(0);
    expect(row(r, 'reoffended', 'design_effect').estimate).toBe(1);
    expect(r.design).toEqual({ unit: 'cluster', cluster: 'team', n_clusters: { control: 12, treatment: 12 } });
  });
  it('rate ratio with cluster-robust SE and Welch mean difference', () => {
    const rr = row(r, 'reoffences', 'rate_ratio');
    // glm(reoffences ~ trt + age, poisson): coef -0.0251751040775282; vcovCL se 0.155995245310521
    expect(rel(Math.log(rr.estimate!), -0.0251751040775282)).toBeLessThan(1e-6);
    expect(rel(rr.std_error, 0.155995245310521)).toBeLessThan(1e-6);
    const md = row(r, 'reoffences', 'mean_difference');
    // t.test(reoffences ~ arm): t -0.121733886583545, df 327.714892608591, p 0.903184385378172, CI -0.41349586774869 0.365303096664352
    expect(rel(md.statistic, -0.121733886583545)).toBeLessThan(1e-9);
    expect(rel(md.p_value, 0.903184385378172)).toBeLessThan(1e-7);
    expect(rel(md.conf_low, -0.41349586774869)).toBeLessThan(1e-7);
  });
  it('permutations re-randomise whole clusters; same seed, same answer', () => {
    const a = analyseTrial(t, {
      cluster: 'team',
      outcomes: ['reoffended'],
      permutations: 199,
      bootstrap: 199,
      seed: 7,
    });
    const b = analyseTrial(t, {
      cluster: 'team',
      outcomes: ['reoffended'],
      permutations: 199,
      bootstrap: 199,
      seed: 7,
    });
    const p = row(a, 'reoffended', 'permutation_p');
    expect(p).toEqual(row(b, 'reoffended', 'permutation_p'));
    expect(p.method).toContain('whole clusters');
    expect(p.p_value!).toBeGreaterThan(0.2); // observed RD is small (p 0.35 by the cluster-level t-test)
    const bs = row(a, 'reoffended', 'bootstrap_risk_difference');
    expect(bs.conf_low!).toBeLessThan(bs.estimate!);
    expect(bs.conf_high!).toBeGreaterThan(bs.estimate!);
    expect(() => analyseTrial(t, { permutations: 10 })).toThrow('--seed');
  });
});

describe('ICC from the REML engine', () => {
  it('matches lmer(reoffended ~ arm + (1 | team)) on reml-binary.csv', async () => {
    const t = await readTable('test/data/reml-binary.csv');
    const r = analyseTrial(t, { cluster: 'team', treatment: '1', control: '0', outcomes: ['reoffended'] });
    // as.data.frame(VarCorr(m))$vcov: ICC 0.0604708184809887; mbar = nrow(rb) / 20 teams = 36.1
    expect(rel(row(r, 'reoffended', 'icc').estimate, 0.0604708184809887)).toBeLessThan(1e-4);
    expect(rel(row(r, 'reoffended', 'design_effect').estimate, 1 + 35.1 * 0.0604708184809887)).toBeLessThan(1e-4);
    expect(r.design.n_clusters).toEqual({ '0': 10, '1': 10 });
    expect(r.warnings.some((w) => w.includes('few clusters'))).toBe(false);
  });
});

describe('count outcome: MASS::epil (real RCT)', () => {
  it('rate ratio with HC0 SE and Welch mean difference', async () => {
    const t = await readTable('test/data/epil-seizures.csv');
    const r = analyseTrial(t, {});
    const rr = row(r, 'reoffences', 'rate_ratio');
    // glm(reoffences ~ trt, poisson): coef -0.0750870638467509, sqrt(diag(vcovHC(pe, type = "HC0")))[2] 0.353883940629571
    expect(rel(rr.estimate, Math.exp(-0.0750870638467509))).toBeLessThan(1e-6);
    expect(rel(rr.std_error, 0.353883940629571)).toBeLessThan(1e-6);
    // t.test(treated, placebo): t -0.211789247323371, df 51.9787415012572, p 0.833099723276432
    const md = row(r, 'reoffences', 'mean_difference');
    expect(rel(md.statistic, -0.211789247323371)).toBeLessThan(1e-9);
    expect(rel(md.df!, 51.9787415012572)).toBeLessThan(1e-9);
    expect(rel(md.p_value, 0.833099723276432)).toBeLessThan(1e-7);
    expect(r.verdict[0]!.verdict).toBe('inconclusive');
    expect(r.warnings.some((w) => w.includes('Justice Data Lab requires at least 60'))).toBe(true);
  });
});

describe('bad input gives clear errors or flagged estimates', () => {
  const header = ['id', 'arm', 'team', 'age', 'reoffended', 'measurable'];
  const rows = (f: (i: number) => Array<string | number>) => Array.from({ length: 80 }, (_, i) => f(i));
  const base = tableOf(
    header,
    rows((i) => [`p${i}`, i % 2 ? 'treatment' : 'control', `t${i % 7}`, 20 + (i % 13), i % 3 === 0 ? 1 : 0, 'yes']),
  );
  it('unknown arm label, wrong column, one arm only', () => {
    expect(() => analyseTrial(base, { treatment: 'pcp' })).toThrow(
      new UsageError('--treatment: arm label "pcp" not found (arms in the file: "control", "treatment")'),
    );
    expect(() => analyseTrial(base, { outcomes: ['wellbeing'] })).toThrow(UsageError);
    const one = tableOf(
      header,
      rows((i) => [`p${i}`, 'control', 't1', 30, i % 2, 'yes']),
    );
    expect(() => analyseTrial(one, {})).toThrow('only one arm');
  });
  it('an arm with no measurable outcome is a usage error', () => {
    const t = tableOf(
      header,
      rows((i) => [`p${i}`, i % 2 ? 'treatment' : 'control', 't1', 30, i % 2 ? '' : 1, i % 2 ? 'no' : 'yes']),
    );
    expect(() => analyseTrial(t, {})).toThrow('no one in the treatment arm has a measurable reoffended');
  });
  it('a covariate without variance', () => {
    const t = tableOf(
      header,
      rows((i) => [`p${i}`, i % 2 ? 'treatment' : 'control', 't1', 30, i % 3 === 0 ? 1 : 0, 'yes']),
    );
    expect(() => analyseTrial(t, { covariates: ['age'] })).toThrow(
      '--covariates: "age" has no variance in the analysed rows (every value is 30); drop it',
    );
  });
  it('the stratum column is read (and an empty cell is an error) only for permutations or the bootstrap', () => {
    const t = tableOf(
      [...header, 'stratum'],
      rows((i) => [
        `p${i}`,
        i % 2 ? 'treatment' : 'control',
        `t${i % 7}`,
        20 + (i % 13),
        i % 3 === 0 ? 1 : 0,
        'yes',
        i === 5 ? '' : i % 4 < 2 ? 'low' : 'high',
      ]),
    );
    expect(row(analyseTrial(t, {}), 'reoffended', 'risk_difference').estimate).toBeCloseTo(
      row(analyseTrial(base, {}), 'reoffended', 'risk_difference').estimate!,
      12,
    );
    for (const options of [{ permutations: 19, seed: 1 }, { bootstrap: 19, seed: 1 }, { stratum: 'stratum' }]) {
      try {
        analyseTrial(t, options);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(DataError);
        expect((err as DataError).problems[0]).toMatchObject({ line: 7, column: 'stratum', value: '' });
      }
    }
  });
  it('a cluster in both arms (individual allocation passed off as cluster)', () => {
    try {
      analyseTrial(base, { cluster: 'team' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).message).toContain('cluster is in both arms');
    }
  });
  it('separation and zero cells: 0.5 correction said, adjusted OR withheld, never NaN', () => {
    const t = tableOf(
      header,
      rows((i) => [
        `p${i}`,
        i % 2 ? 'treatment' : 'control',
        't1',
        20 + (i % 7),
        i % 2 ? 0 : i % 4 === 0 ? 1 : 0,
        i < 4 ? 'no' : 'yes',
      ]),
    );
    const r = analyseTrial(t, { covariates: ['age'] });
    expect(r.warnings.some((w) => w.includes('0.5 added to every cell'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('separation'))).toBe(true);
    expect(row(r, 'reoffended', 'adjusted_odds_ratio').estimate).toBeNull();
    expect(row(r, 'reoffended', 'odds_ratio').method).toContain('0.5 added');
    expect(r.excluded.not_measurable).toBe(4);
    expect(r.attrition.not_measurable).toBe(4);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });
});
