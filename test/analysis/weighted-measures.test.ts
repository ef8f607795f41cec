/**
 * `analyse --weights` for count and continuous outcomes after matching, against R 4.2.2 (MatchIt,
 * sandwich) on MatchIt::lalonde: test/data/weighted/weighted-reference.R -> weighted-reference.out.
 * "pairs": matchit(f, lalonde, method = "nearest") (1:1, no replacement, subclass = matched pair);
 * "replace": matchit(f, lalonde, method = "nearest", ratio = 2, replace = TRUE) (weights, no sets);
 * f = treat ~ age + educ + race + married + nodegree + re74 + re75; md = match.data(m);
 * re78 is the continuous outcome, reoffences = floor(re78 / 5000) the count. The R calls:
 *   fit <- lm(y ~ treat [+ age], data = md, weights = weights)
 *   sqrt(vcovCL(fit, cluster = ~subclass, type = "HC0")[2, 2])   (pairs)
 *   sqrt(vcovHC(fit, type = "HC0")[2, 2])                          (replace)
 *   weighted pooled SD: sqrt((n_t v_t + n_c v_c) / (n_t + n_c - 2)), v_a = cov.wt(y_a, w_a, method = "ML")$cov
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/io/table.js';
import { analyseTrial, type AnalyseResult } from '../../src/core/analysis/analyse-trial.js';
import { qnorm } from '../../src/core/stats/distributions.js';

const rel = (a: number | null | undefined, b: number) => Math.abs(a! - b) / Math.abs(b);
const row = (r: AnalyseResult, outcome: string, measure: string) => {
  const x = r.effects.find((e) => e.outcome === outcome && e.measure === measure);
  if (!x) throw new Error(`no row ${outcome}/${measure}`);
  return x;
};
const z = qnorm(0.975);

const refs = {
  pairs: {
    re78: [770.390167837841, 700.623773543044],
    reoffences: [0.124324324324325, 0.130323260355904],
    adj: [771.23562047129, 699.726316572714],
    sd: 7046.06603200742,
    nt: 185,
    nc: 185,
  },
  replace: {
    re78: [1379.2773732973, 1026.70837489006],
    reoffences: [0.216216216216216, 0.174792866347494],
    adj: [1161.49997440647, 1000.4410995887],
    sd: 7302.97464193465,
    nt: 185,
    nc: 73,
  },
};

describe.each(['pairs', 'replace'] as const)('weighted count and continuous measures (lalonde, %s)', async (label) => {
  const t = await readTable(`test/data/weighted/lalonde-${label}.csv`);
  const ref = refs[label];
  const how = label === 'pairs' ? /clustered by subclass/ : /HC0 sandwich/;
  it('continuous mean_difference: WLS coefficient and sandwich SE, Wald interval', () => {
    const r = analyseTrial(t, { weights: 'weight', outcomes: ['re78'] });
    const md = row(r, 're78', 'mean_difference');
    expect(rel(md.estimate, ref.re78[0]!)).toBeLessThan(1e-9);
    expect(rel(md.std_error, ref.re78[1]!)).toBeLessThan(1e-9);
    expect(rel(md.conf_low, ref.re78[0]! - z * ref.re78[1]!)).toBeLessThan(1e-9);
    expect(md.method).toMatch(how);
    expect(r.warnings.join('\n')).not.toMatch(/unweighted/);
  });
  it('hedges_g = J b / weighted pooled SD', () => {
    const r = analyseTrial(t, { weights: 'weight', outcomes: ['re78'] });
    const g = row(r, 're78', 'hedges_g');
    const j = 1 - 3 / (4 * (ref.nt + ref.nc - 2) - 1);
    expect(rel(g.estimate, (j * ref.re78[0]!) / ref.sd)).toBeLessThan(1e-9);
    expect(rel(g.std_error, (j * ref.re78[1]!) / ref.sd)).toBeLessThan(1e-9);
    expect(rel(g.statistic, ref.re78[0]! / ref.re78[1]!)).toBeLessThan(1e-9);
  });
  it('adjusted for age: lm(re78 ~ treat + age, weights = weights)', () => {
    const r = analyseTrial(t, { weights: 'weight', outcomes: ['re78'], covariates: ['age'] });
    const md = row(r, 're78', 'mean_difference');
    expect(rel(md.estimate, ref.adj[0]!)).toBeLessThan(1e-9);
    expect(rel(md.std_error, ref.adj[1]!)).toBeLessThan(1e-9);
  });
  it('count mean_difference is weighted too (no "unweighted" warning)', () => {
    const r = analyseTrial(t, { weights: 'weight', outcomes: ['reoffences'] });
    const md = row(r, 'reoffences', 'mean_difference');
    expect(rel(md.estimate, ref.reoffences[0]!)).toBeLessThan(1e-9);
    expect(rel(md.std_error, ref.reoffences[1]!)).toBeLessThan(1e-9);
    expect(md.method).toMatch(how);
    expect(r.warnings.join('\n')).not.toMatch(/unweighted/);
  });
});
