/**
 * analyseTrial end to end for the count models (nb_rate_ratio, --exposure), the multilevel binary
 * model (glmm_odds_ratio) and the subgroup rows, against R. Reference values:
 * test/data/make-counts-references.R -> test/data/counts-references.json (R 4.2, MASS, lme4,
 * sandwich, lmtest); the R call is quoted beside each check.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { analyseTrial, type AnalyseResult } from '../../src/core/analysis/analyse-trial.js';
import { DataError, UsageError } from '../../src/core/errors.js';
import { subgroupEffects } from '../../src/core/analysis/subgroup-effects.js';

const refs = JSON.parse(readFileSync('test/data/counts-references.json', 'utf8'));
const rel = (a: number | null, b: number) => Math.abs(a! - b) / Math.abs(b);
const row = (r: AnalyseResult, outcome: string, measure: string, subgroup?: string) => {
  const x = r.effects.find((e) => e.outcome === outcome && e.measure === measure && e.subgroup === subgroup);
  if (!x) throw new Error(`no row ${outcome}/${measure}/${subgroup}`);
  return x;
};

describe('count outcome: nb_rate_ratio beside rate_ratio (MASS::quine)', async () => {
  const t = await readTable('test/data/quine.csv');
  it('glm.nb(Days ~ arm, quine): estimate exp(b), log-scale SE and Wald CI', () => {
    const r = analyseTrial(t, { treatment: 'N', control: 'control', outcomes: ['reoffences'] });
    const nb = row(r, 'reoffences', 'nb_rate_ratio');
    const [, b] = refs.quine_nb.coef;
    const [, se] = refs.quine_nb.se;
    expect(rel(nb.estimate, Math.exp(b))).toBeLessThan(1e-8);
    expect(rel(nb.std_error, se)).toBeLessThan(1e-8);
    // confint.default(glm.nb(...)): b -/+ qnorm(0.975) se, exponentiated
    expect(rel(nb.conf_low, Math.exp(b - 1.959963984540054 * se))).toBeLessThan(1e-8);
    expect(rel(nb.conf_high, Math.exp(b + 1.959963984540054 * se))).toBeLessThan(1e-8);
    expect(nb.method).toMatch(/glm\.nb.*theta 1\.157/);
    expect(row(r, 'reoffences', 'rate_ratio').estimate).toBeCloseTo(Math.exp(b), 8); // two groups: both are the ratio of means
  });
  it('glm.nb(Days ~ arm + female + slow, quine) with --covariates', () => {
    const r = analyseTrial(t, {
      treatment: 'N',
      control: 'control',
      outcomes: ['reoffences'],
      covariates: ['female', 'slow'],
    });
    const nb = row(r, 'reoffences', 'nb_rate_ratio');
    expect(rel(nb.estimate, Math.exp(refs.quine_nb_cov.coef[1]))).toBeLessThan(1e-8);
    expect(rel(nb.std_error, refs.quine_nb_cov.se[1])).toBeLessThan(1e-8);
  });
});

describe('--exposure: log time at risk offset (MASS::epil with made-up days)', async () => {
  const t = await readTable('test/data/epil-exposure.csv');
  it('rate_ratio as glm(y ~ arm + offset(log(days)), poisson) + vcovHC(type = "HC0"); nb_rate_ratio as glm.nb(y ~ arm + offset(log(days)))', () => {
    const r = analyseTrial(t, {
      treatment: 'progabide',
      control: 'control',
      outcomes: ['reoffences'],
      exposure: 'days',
    });
    const rr = row(r, 'reoffences', 'rate_ratio');
    expect(rel(rr.estimate, Math.exp(refs.epil_poisson_offset.coef[1]))).toBeLessThan(1e-8);
    expect(rel(rr.std_error, refs.epil_poisson_offset.se[1])).toBeLessThan(1e-8);
    expect(rr.method).toContain('offset(log(days))');
    const nb = row(r, 'reoffences', 'nb_rate_ratio');
    expect(rel(nb.estimate, Math.exp(refs.epil_nb_offset.coef[1]))).toBeLessThan(1e-8);
    expect(rel(nb.std_error, refs.epil_nb_offset.se[1])).toBeLessThan(1e-8);
  });
  it('with covariates and clusters: vcovCL(glm(y ~ arm + lbase + lage + offset(log(days)), poisson), cluster = ~subject); glm.nb with the same terms', () => {
    const r = analyseTrial(t, {
      treatment: 'progabide',
      control: 'control',
      outcomes: ['reoffences'],
      exposure: 'days',
      covariates: ['lbase', 'lage'],
      cluster: 'id',
    });
    const rr = row(r, 'reoffences', 'rate_ratio');
    expect(rel(rr.estimate, Math.exp(refs.epil_poisson_offset_cl.coef[1]))).toBeLessThan(1e-8);
    expect(rel(rr.std_error, refs.epil_poisson_offset_cl.se[1])).toBeLessThan(1e-8);
    const nb = row(r, 'reoffences', 'nb_rate_ratio');
    expect(rel(nb.estimate, Math.exp(refs.epil_nb_offset_cov.coef[1]))).toBeLessThan(1e-8);
    expect(rel(nb.std_error, refs.epil_nb_offset_cov.se[1])).toBeLessThan(1e-8);
    expect(nb.method).toContain('does not account for clustering');
  });
  it('an empty or zero time at risk is a data error naming the cell', () => {
    const bad = { ...t, cells: new Map(t.cells) };
    const days = [...t.cells.get('days')!];
    days[3] = '0';
    days[5] = '';
    bad.cells.set('days', days);
    let err: unknown;
    try {
      analyseTrial(bad, { treatment: 'progabide', control: 'control', outcomes: ['reoffences'], exposure: 'days' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect(String((err as Error).message)).toMatch(/days/);
    expect((err as DataError).problems.map((p) => p.line)).toEqual([t.lines[3], t.lines[5]]);
    // No time at risk is needed where the count itself is missing: that row is simply not analysed.
    const ok = { ...t, cells: new Map(t.cells) };
    const d2 = [...t.cells.get('days')!];
    const y2 = [...t.cells.get('reoffences')!];
    d2[5] = '';
    y2[5] = '';
    ok.cells.set('days', d2);
    ok.cells.set('reoffences', y2);
    const r = analyseTrial(ok, {
      treatment: 'progabide',
      control: 'control',
      outcomes: ['reoffences'],
      exposure: 'days',
    });
    expect(r.arms.reduce((a, x) => a + x.n_analysed, 0)).toBe(t.n - 1);
    expect(row(r, 'reoffences', 'rate_ratio').estimate).not.toBeNull();
  });
});

describe('binary outcome with --cluster: glmm_odds_ratio (pcp fixture)', async () => {
  const t = await readTable('test/data/headline-pcp.csv');
  it('glmer(reoffended ~ trt + (1 | team), binomial): OR, log SE, Wald CI, variance in the method', () => {
    const r = analyseTrial(t, { cluster: 'team', outcomes: ['reoffended'] });
    const g = row(r, 'reoffended', 'glmm_odds_ratio');
    const ref = refs.pcp_glmer;
    expect(Math.abs(Math.log(g.estimate!) - ref.coef[1])).toBeLessThan(1e-4);
    expect(rel(g.std_error, ref.se[1])).toBeLessThan(1e-4);
    expect(Math.abs(Math.log(g.conf_low!) - (ref.coef[1] - 1.959963984540054 * ref.se[1]))).toBeLessThan(1e-4);
    expect(g.method).toContain(`variance ${(ref.theta * ref.theta).toPrecision(4)}`);
  });
  it('with covariates: glmer(reoffended ~ trt + ogrs3 + age + (1 | team), binomial)', () => {
    const r = analyseTrial(t, { cluster: 'team', outcomes: ['reoffended'], covariates: ['ogrs3', 'age'] });
    const g = row(r, 'reoffended', 'glmm_odds_ratio');
    expect(Math.abs(Math.log(g.estimate!) - refs.pcp_glmer_cov.coef[1])).toBeLessThan(1e-4);
    expect(rel(g.std_error, refs.pcp_glmer_cov.se[1])).toBeLessThan(1e-4);
  });
});

describe('subgroups', async () => {
  const bw = await readTable('test/data/birthwt-subgroup.csv');
  it('MASS::birthwt, smoking within race: prop.test per level and the LR interaction test', () => {
    const r = analyseTrial(bw, { treatment: 'smoker', control: 'control', subgroups: ['race'] });
    const ref = refs.birthwt_interaction;
    for (const lv of ref.rd) {
      const x = row(r, 'reoffended', 'risk_difference', `race=${lv.level}`);
      expect(rel(x.estimate, lv.estimate)).toBeLessThan(1e-12);
      expect(rel(x.statistic, lv.statistic)).toBeLessThan(1e-10);
      expect(rel(x.p_value, lv.p)).toBeLessThan(1e-8);
      expect(x.exploratory).toBe(true);
      expect(x.method).toMatch(/^exploratory/);
      const c = x.counts!;
      expect(c.events_treatment / c.n_treatment - c.events_control / c.n_control).toBeCloseTo(lv.estimate, 12);
    }
    const i = row(r, 'reoffended', 'interaction', 'race');
    // anova(glm(low ~ smoke + race), glm(low ~ smoke * race), test = "LRT")
    expect(rel(i.statistic, ref.lr)).toBeLessThan(1e-8);
    expect(i.df).toBe(ref.df);
    expect(rel(i.p_value, ref.p)).toBeLessThan(1e-8);
    expect(i.method).toContain('likelihood-ratio');
    // The overall rows are unchanged and come first.
    expect(r.effects.find((e) => e.measure === 'risk_difference')!.subgroup).toBeUndefined();
  });
  it('pre-specified subgroups are labelled so; the counts sum to the arms', () => {
    const r = analyseTrial(bw, {
      treatment: 'smoker',
      control: 'control',
      subgroups: ['race'],
      prespecifiedSubgroups: ['race'],
    });
    const rows = r.effects.filter((e) => e.subgroup?.startsWith('race='));
    expect(rows).toHaveLength(3);
    for (const x of rows) expect(x.exploratory).toBe(false);
    expect(rows.reduce((s, x) => s + x.counts!.n_treatment, 0)).toBe(
      r.arms.find((a) => a.arm === 'smoker')!.n_analysed,
    );
    expect(rows.reduce((s, x) => s + x.counts!.events_control, 0)).toBe(
      r.arms.find((a) => a.arm === 'control')!.reoffenders,
    );
    expect(row(r, 'reoffended', 'interaction', 'race').method).toMatch(/^pre-specified/);
  });
  it('cluster design (pcp, subgroup stratum): cluster-robust Wald test as lmtest::waldtest(vcov = vcovCL(cluster = ~team))', async () => {
    const t = await readTable('test/data/headline-pcp.csv');
    const r = analyseTrial(t, { cluster: 'team', outcomes: ['reoffended'], subgroups: ['stratum'] });
    const i = row(r, 'reoffended', 'interaction', 'stratum');
    expect(rel(i.statistic, refs.pcp_interaction_cl.wald)).toBeLessThan(1e-7);
    expect(i.df).toBe(2);
    expect(rel(i.p_value, refs.pcp_interaction_cl.p)).toBeLessThan(1e-7);
    expect(i.method).toContain('vcovCL');
    expect(row(r, 'reoffended', 'risk_difference', 'stratum=HLNY').method).toContain('ignores clustering by team');
  });
  it('a level with one arm only: a null risk difference and no interaction column for it; missing levels are left out', () => {
    const y = Float64Array.from([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1]);
    const arm = Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0]);
    const index = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, -1, -1]);
    const warnings: string[] = [];
    const rows = subgroupEffects(
      {
        outcome: 'reoffended',
        y,
        arm,
        column: 'site',
        index,
        levels: ['a', 'b', 'c'],
        prespecified: false,
        alpha: 0.05,
      },
      warnings,
    );
    expect(rows.find((x) => x.subgroup === 'site=c')!.estimate).toBeNull();
    expect(rows.find((x) => x.subgroup === 'site=c')!.method).toContain('no one in the control arm');
    const inter = rows.find((x) => x.measure === 'interaction')!;
    expect(inter.df).toBe(1);
    expect(warnings.join(' ')).toContain('2 analysed row(s) with no site');
  });
  it('a column with more than 20 distinct values is refused as a subgroup (a usage error)', () => {
    const n = 42;
    const index = Int32Array.from({ length: n }, (_, i) => i % 21);
    const input = {
      outcome: 'reoffended',
      y: new Float64Array(n).map((_, i) => i % 2),
      arm: Uint8Array.from({ length: n }, (_, i) => (i >> 1) % 2),
      column: 'age',
      index,
      levels: Array.from({ length: 21 }, (_, i) => String(20 + i)),
      prespecified: false,
      alpha: 0.05,
    };
    expect(() => subgroupEffects(input, [])).toThrow(
      new UsageError(
        'subgroup column "age" has 21 distinct values: a subgroup analysis needs a categorical column with at most 20 levels (band a continuous measure such as OGRS first)',
      ),
    );
    expect(
      subgroupEffects({ ...input, index: index.map((k) => Math.min(k, 19)) }, []).filter(
        (r) => r.measure === 'risk_difference',
      ),
    ).toHaveLength(20);
  });
});

describe('the options through the analyse command and the plan', () => {
  it('--subgroup adds exploratory rows; the plan analysis.subgroups are pre-specified; a planned column not in the data is warned about', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runAnalyse } = await import('../../src/cli/commands/analyse.js');
    const dir = mkdtempSync(join(tmpdir(), 'pe-subgroups-'));
    const plan = join(dir, 'trial.yaml');
    writeFileSync(
      plan,
      'analysis:\n  primary: reoffended\n  subgroups: [wexp, site]\narms: {control: "no", treatment: "yes"}\n',
    );
    const r = await runAnalyse({ data: 'fixtures/rossi/cases.csv', plan, subgroup: 'race' });
    const wexp = r.effects.filter((e) => e.subgroup?.startsWith('wexp='));
    const race = r.effects.filter((e) => e.subgroup?.startsWith('race='));
    expect(wexp.map((e) => e.subgroup)).toEqual(['wexp=no', 'wexp=yes']);
    expect(wexp.every((e) => e.exploratory === false)).toBe(true);
    expect(race.map((e) => e.subgroup)).toEqual(['race=black', 'race=other']);
    expect(race.every((e) => e.exploratory === true)).toBe(true);
    expect(r.effects.filter((e) => e.measure === 'interaction').map((e) => [e.subgroup, e.exploratory])).toEqual([
      ['wexp', false],
      ['race', true],
    ]);
    expect(r.warnings.join('\n')).toContain('subgroup column "site" is not in');
    // Subgroup rows never count as sensitivity analyses of the headline.
    expect(r.headline!.sensitivity.filter((s) => s.measure === 'risk_difference')).toHaveLength(1);
    expect(r.headline!.sensitivity.some((s) => /subgroup/.test(s.method))).toBe(false);
  });
  it('--exposure through the analyse command', async () => {
    const { runAnalyse } = await import('../../src/cli/commands/analyse.js');
    const r = await runAnalyse({
      data: 'test/data/epil-exposure.csv',
      treatment: 'progabide',
      control: 'control',
      outcome: 'reoffences',
      exposure: 'days',
    });
    const rr = r.effects.find((e) => e.measure === 'rate_ratio')!;
    expect(rel(rr.estimate, Math.exp(refs.epil_poisson_offset.coef[1]))).toBeLessThan(1e-8);
  });
});

describe('negative binomial on a tiny file with no usable over-dispersion information', () => {
  it('ends with a null nb_rate_ratio and a warning (it once looped for ever: the hostile corpus found it)', async () => {
    const { runAnalyse } = await import('../../src/cli/commands/analyse.js');
    const r = await runAnalyse({
      data: 'fixtures/bad/hostile/cases-crlf-bom.csv',
      offences: 'fixtures/bad/hostile/good-offences.csv',
      covariates: 'age,ogrs3',
      outcome: 'reoffences',
    });
    expect(r.effects.find((e) => e.measure === 'nb_rate_ratio')).toMatchObject({ estimate: null });
    expect(r.warnings.join('\n')).toMatch(
      /negative binomial rate ratio not estimable: theta of the negative binomial cannot be estimated/,
    );
  }, 20_000);
});
