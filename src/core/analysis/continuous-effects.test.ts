/**
 * Hedges' g and mean differences for a continuous outcome against R 4 (stats::lm, lme4 1.1.31).
 * Individual design: test/data/hedges-individual.csv; cluster design: test/data/reml-cluster.csv;
 * both written by test/data/survival-reml-data.R. options(digits = 15).
 * Individual reference (h <- read.csv("test/data/hedges-individual.csv"); f <- lm(post ~ arm + pre, h)):
 *   nt <- sum(h$arm == 1); nc <- sum(h$arm == 0)
 *   sp <- sqrt(((nt-1)*var(h$post[h$arm==1]) + (nc-1)*var(h$post[h$arm==0]))/(nt+nc-2))
 *   J <- 1 - 3/(4*(nt+nc-2)-1); d <- coef(f)["arm"]/sp; g <- J*d
 *   se <- J*sqrt((nt+nc)/(nt*nc) + d^2/(2*(nt+nc))); g -/+ qnorm(.975)*se
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { continuousEffects } from './continuous-effects.js';

const rel = (a: number | null | undefined, b: number): number => Math.abs((a as number) - b) / Math.abs(b);

async function load(path: string, cols: string[]): Promise<Record<string, number[]>> {
  const t = await readTable(path);
  return Object.fromEntries(cols.map((c) => [c, t.cells.get(c)!.map(Number)]));
}

describe('continuousEffects, individual design (OLS)', () => {
  it('adjusted for a baseline score: lm(post ~ arm + pre, h)', async () => {
    const h = await load('test/data/hedges-individual.csv', ['arm', 'pre', 'post']);
    const res = continuousEffects({
      outcome: 'score',
      y: h.post!,
      treated: h.arm!,
      covariates: [{ name: 'pre', values: h.pre! }],
    });
    expect(rel(res.sdDenominator, 12.1511269020718)).toBeLessThan(1e-12);
    const [g, md] = res.rows;
    expect(g!.measure).toBe('hedges_g');
    expect(rel(g!.estimate, 0.439186002932506)).toBeLessThan(1e-9);
    expect(rel(g!.std_error, 0.220912919154226)).toBeLessThan(1e-9);
    expect(rel(g!.conf_low, 0.00620463767061352)).toBeLessThan(1e-7);
    expect(rel(g!.conf_high, 0.872167368194398)).toBeLessThan(1e-9);
    // coef(summary(f))["arm", c("t value", "Pr(>|t|)")]
    expect(rel(g!.statistic, 2.6645126308701)).toBeLessThan(1e-9);
    expect(rel(g!.p_value, 0.0093223775530923)).toBeLessThan(1e-8);
    expect(g!.method).toContain('adjusted for pre');
    // coef(summary(f))["arm", ]; confint(f)["arm", ]; df.residual(f) = 80
    expect(md!.measure).toBe('mean_difference');
    expect(rel(md!.estimate, 5.386635525764499)).toBeLessThan(1e-10);
    expect(rel(md!.std_error, 2.0216213139156638)).toBeLessThan(1e-10);
    expect(rel(md!.conf_low, 1.36348089731258)).toBeLessThan(1e-9);
    expect(rel(md!.conf_high, 9.409790154216413)).toBeLessThan(1e-9);
    expect(md!.df).toBe(80);
  });

  it('unadjusted: lm(post ~ arm, h)', async () => {
    const h = await load('test/data/hedges-individual.csv', ['arm', 'pre', 'post']);
    const [g, md] = continuousEffects({ outcome: 'score', y: h.post!, treated: h.arm! }).rows;
    expect(rel(g!.estimate, 0.378611305247424)).toBeLessThan(1e-9);
    expect(rel(g!.std_error, 0.220236457514315)).toBeLessThan(1e-9);
    expect(rel(g!.conf_low, -0.0530442195633185)).toBeLessThan(1e-8);
    expect(rel(md!.estimate, 4.64368421052632)).toBeLessThan(1e-10);
    expect(rel(md!.std_error, 2.67705656357055)).toBeLessThan(1e-10);
    expect(rel(md!.p_value, 0.0866114475976488)).toBeLessThan(1e-8);
    expect(rel(md!.conf_low, -0.682818621130541)).toBeLessThan(1e-8);
  });

  it('needs two rows per arm', () => {
    expect(() => continuousEffects({ outcome: 'y', y: [1, 2, 3], treated: [0, 0, 1], source: 'cases.csv' })).toThrow(
      'cases.csv: the treatment arm has 1 row(s) with the outcome; at least 2 are needed',
    );
  });
});

describe('continuousEffects, cluster design (REML, EEF)', () => {
  it('g = b(lmer(y ~ arm + x + (1|team))) / sqrt(between + within of lmer(y ~ arm + (1|team)))', async () => {
    const d = await load('test/data/reml-cluster.csv', ['team', 'arm', 'x', 'y']);
    const res = continuousEffects({
      outcome: 'y',
      y: d.y!,
      treated: d.arm!,
      cluster: d.team!,
      covariates: [{ name: 'x', values: d.x! }],
    });
    expect(res.rows.map((r) => r.measure)).toEqual(['hedges_g', 'mean_difference', 'icc']);
    const [g, md, icc] = res.rows;
    // m1 <- lmer(y ~ arm + x + (1 | team), d); m0 <- lmer(y ~ arm + (1 | team), d)
    // s <- sqrt(sum(as.data.frame(VarCorr(m0))$vcov)); b <- fixef(m1)["arm"]; se <- sqrt(vcov(m1)["arm", "arm"])
    // c(b/s, se/s, (b - qnorm(.975)*se)/s, (b + qnorm(.975)*se)/s, b/se, 2*pnorm(-abs(b/se)))
    expect(rel(g!.estimate, 0.121382628595028)).toBeLessThan(1e-4);
    expect(rel(g!.std_error, 0.15617615030648)).toBeLessThan(1e-4);
    expect(rel(g!.conf_low, -0.184717001249787)).toBeLessThan(1e-4);
    expect(rel(g!.conf_high, 0.427482258439843)).toBeLessThan(1e-4);
    expect(rel(g!.statistic, 0.777216164931884)).toBeLessThan(1e-4);
    expect(rel(g!.p_value, 0.437031246678903)).toBeLessThan(1e-4);
    // fixef(m1)["arm"]; confint(m1, parm = "arm", method = "Wald")
    expect(rel(md!.estimate, 0.732466678598803)).toBeLessThan(1e-4);
    expect(rel(md!.conf_low, -1.11464918787979)).toBeLessThan(1e-4);
    expect(rel(md!.conf_high, 2.5795825450774)).toBeLessThan(1e-4);
    // as.data.frame(VarCorr(m0))$vcov: 3.81224136770272, 32.60127911837795
    expect(rel(icc!.estimate, 3.81224136770272 / (3.81224136770272 + 32.60127911837795))).toBeLessThan(1e-4);
    expect(icc!.std_error).toBeNull();
    expect(rel(res.sdDenominator, Math.sqrt(3.81224136770272 + 32.60127911837795))).toBeLessThan(1e-4);
  });

  it('without covariates one model gives both: confint(lmer(y ~ arm + (1 | team), d), parm = "arm", method = "Wald")', async () => {
    const d = await load('test/data/reml-cluster.csv', ['team', 'arm', 'y']);
    const res = continuousEffects({ outcome: 'y', y: d.y!, treated: d.arm!, cluster: d.team! });
    const md = res.rows[1]!;
    expect(rel(md.conf_low, -1.26776625884103)).toBeLessThan(1e-4);
    expect(rel(md.conf_high, 2.51289378030402)).toBeLessThan(1e-4);
    expect(rel(md.p_value, 0.518605095820441)).toBeLessThan(1e-4);
    expect(res.models!.adjusted).toBe(res.models!.unadjusted);
  });

  it('says so when the between-cluster variance is 0 (singular fit)', async () => {
    const d = await load('test/data/reml-singular.csv', ['team', 'arm', 'y']);
    const res = continuousEffects({ outcome: 'y', y: d.y!, treated: d.arm!, cluster: d.team! });
    expect(res.rows[2]).toMatchObject({ measure: 'icc', estimate: 0 });
    expect(res.rows[2]!.method).toContain('singular fit: between-cluster variance 0');
  });
});
