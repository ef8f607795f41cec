/**
 * The headline risk difference against R. Reference values: test/data/headline-references.json,
 * written by test/data/make-headline-references.R (R 4.2.2, estimatr 1.0.0, clubSandwich 0.5.8)
 * from test/data/headline-*.csv. For the clustered cases the script checks that estimatr::lm_robust
 * (se_type = "CR2") and clubSandwich::coef_test(..., vcov = "CR2", test = "Satterthwaite") agree.
 * The confidence limits are lm_robust's `CI Lower` / `CI Upper` (alpha = 0.05).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { primaryRiskDifference, type PrimaryEffect, type PrimaryEffectInput } from './primary-effect.js';

interface Ref {
  call: string;
  n: number;
  estimate: number;
  std_error: number;
  statistic?: number;
  df: number;
  p_value: number;
  conf_low?: number;
  conf_high?: number;
}
const refs = JSON.parse(readFileSync('test/data/headline-references.json', 'utf8')) as Record<string, Ref>;
const rel = (a: number | null, b: number) => Math.abs(a! - b) / Math.abs(b);

async function load(name: string) {
  const t = await readTable(`test/data/${name}`);
  const num = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  const factor = (c: string) => {
    const ids = new Map<string, number>();
    const index = Int32Array.from(t.cells.get(c)!, (s) => {
      if (!ids.has(s)) ids.set(s, ids.size);
      return ids.get(s)!;
    });
    return { name: c, index, levels: ids.size };
  };
  const is = (c: string, v: string) => Float64Array.from(t.cells.get(c)!, (s) => (s === v ? 1 : 0));
  return { n: t.n, num, factor, is };
}

function expectRow(r: PrimaryEffect, ref: Ref) {
  expect(r.n).toBe(ref.n);
  expect(r.row.measure).toBe('risk_difference');
  expect(rel(r.row.estimate, ref.estimate)).toBeLessThan(1e-8);
  expect(rel(r.row.std_error, ref.std_error)).toBeLessThan(1e-8);
  expect(Math.abs(r.df - ref.df)).toBeLessThan(1e-6);
  expect(r.row.df).toBe(r.df);
  expect(rel(r.row.p_value, ref.p_value)).toBeLessThan(1e-6);
  if (ref.statistic !== undefined) expect(rel(r.row.statistic, ref.statistic)).toBeLessThan(1e-8);
  if (ref.conf_low !== undefined) {
    expect(rel(r.row.conf_low, ref.conf_low)).toBeLessThan(1e-8);
    expect(rel(r.row.conf_high, ref.conf_high!)).toBeLessThan(1e-8);
  }
  // per 100 people: the same row scaled
  expect(r.per100.measure).toBe('per_100');
  expect(rel(r.per100.estimate, 100 * ref.estimate)).toBeLessThan(1e-8);
  expect(rel(r.per100.std_error, 100 * ref.std_error)).toBeLessThan(1e-8);
  expect(rel(r.per100.conf_low, 100 * r.row.conf_low!)).toBeLessThan(1e-12);
  expect(rel(r.per100.conf_high, 100 * r.row.conf_high!)).toBeLessThan(1e-12);
  expect(r.per100.p_value).toBe(r.row.p_value);
  expect(r.per100.statistic).toBe(r.row.statistic);
}

async function rossi() {
  const d = await load('headline-rossi.csv');
  return { d, base: { outcome: 'arrest', y: d.num('arrest'), treated: d.is('fin', 'yes'), alpha: 0.05 } };
}

describe('primaryRiskDifference: individual designs (HC2) on carData::Rossi', () => {
  it('unadjusted: lm_robust(arrest ~ trt, rossi, se_type = "HC2")', async () => {
    const { base } = await rossi();
    const r = primaryRiskDifference({ ...base, covariates: [] });
    expectRow(r, refs.rossi_unadjusted!);
    expect(r.se_type).toBe('HC2');
    expect(r.n_clusters).toBeNull();
    expect(r.clustered_by).toBeNull();
    expect(r.row.method).toBe(
      'Risk difference as the arm coefficient of a linear probability model (OLS, unadjusted), HC2 robust standard error with t on n - p degrees of freedom, as R estimatr::lm_robust(arrest ~ arm, se_type = "HC2").',
    );
  });
  it('adjusted for age and prio: lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC2")', async () => {
    const { d, base } = await rossi();
    const r = primaryRiskDifference({
      ...base,
      covariates: [
        { name: 'age', values: d.num('age') },
        { name: 'prio', values: d.num('prio') },
      ],
    });
    expectRow(r, refs.rossi_adjusted!);
    expect(r.covariates).toEqual(['age', 'prio']);
    // the adjusted interval includes zero (p = 0.075), where the unadjusted one excludes it
    expect(r.row.conf_high!).toBeGreaterThan(0);
  });
  it('blocked by race: lm_robust(arrest ~ trt + age + prio + factor(race), rossi, se_type = "HC2")', async () => {
    const { d, base } = await rossi();
    const r = primaryRiskDifference({
      ...base,
      covariates: [
        { name: 'age', values: d.num('age') },
        { name: 'prio', values: d.num('prio') },
      ],
      blocks: d.factor('race'),
    });
    expectRow(r, refs.rossi_blocked!);
    expect(r.blocked_by).toBe('race');
    expect(r.row.method).toContain('estimatr::lm_robust(arrest ~ arm + age + prio + factor(race), se_type = "HC2")');
  });
});

describe('primaryRiskDifference: cluster designs (CR2 + Satterthwaite)', () => {
  it('MASS::bacteria by child: lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR2")', async () => {
    const d = await load('headline-bacteria.csv');
    const r = primaryRiskDifference({
      outcome: 'y',
      y: d.num('y'),
      treated: d.is('ap', 'a'),
      covariates: [{ name: 'week', values: d.num('week') }],
      cluster: d.factor('id'),
      alpha: 0.05,
    });
    expectRow(r, refs.bacteria_week!);
    expect(r.se_type).toBe('CR2');
    expect(r.n_clusters).toBe(50);
  });

  async function pcp() {
    const d = await load('headline-pcp.csv');
    return {
      d,
      base: {
        outcome: 'reoffended',
        y: d.num('reoffended'),
        treated: d.is('arm', 'treatment'),
        cluster: d.factor('team'),
        alpha: 0.05,
      },
    };
  }
  it('pcp fixture, 32 teams: lm_robust(reoffended ~ trt, pcp, clusters = team, se_type = "CR2")', async () => {
    const { base } = await pcp();
    const r = primaryRiskDifference({ ...base, covariates: [] });
    expectRow(r, refs.pcp_unadjusted!);
    expect(r.n_clusters).toBe(32);
    expect(r.clustered_by).toBe('team');
  });
  it('pcp adjusted: lm_robust(reoffended ~ trt + ogrs3 + age, pcp, clusters = team, se_type = "CR2")', async () => {
    const { d, base } = await pcp();
    const r = primaryRiskDifference({
      ...base,
      covariates: [
        { name: 'ogrs3', values: d.num('ogrs3') },
        { name: 'age', values: d.num('age') },
      ],
    });
    expectRow(r, refs.pcp_adjusted!);
  });
  it('pcp with strata: lm_robust(reoffended ~ trt + ogrs3 + factor(stratum), pcp, clusters = team, se_type = "CR2")', async () => {
    const { d, base } = await pcp();
    const r = primaryRiskDifference({
      ...base,
      covariates: [{ name: 'ogrs3', values: d.num('ogrs3') }],
      blocks: d.factor('stratum'),
    });
    expectRow(r, refs.pcp_blocked!);
    expect(r.row.method).toBe(
      'Risk difference as the arm coefficient of a linear probability model (OLS, adjusted for ogrs3 with stratum fixed effects), CR2 cluster-robust standard error by team with Satterthwaite degrees of freedom, as R estimatr::lm_robust(reoffended ~ arm + ogrs3 + factor(stratum), clusters = team, se_type = "CR2").',
    );
  });
  it('six clusters, small df: lm_robust(y ~ arm + x, few, clusters = team, se_type = "CR2")', async () => {
    const d = await load('headline-few-clusters.csv');
    const r = primaryRiskDifference({
      outcome: 'y',
      y: d.num('y'),
      treated: d.num('arm'),
      covariates: [{ name: 'x', values: d.num('x') }],
      cluster: d.factor('team'),
      alpha: 0.05,
    });
    expectRow(r, refs.few_adjusted!);
    expect(r.df).toBeLessThan(4);
  });
});

describe('primaryRiskDifference: an outcome with no variation', () => {
  it('gives a zero estimate and standard error and no test (null statistic and p), not an error', () => {
    const r = primaryRiskDifference({
      outcome: 'y',
      y: [0, 0, 0, 0, 0, 0],
      treated: [0, 1, 0, 1, 0, 1],
      covariates: [],
      alpha: 0.05,
    });
    expect(r.row.estimate).toBe(0);
    expect(r.row.std_error).toBe(0);
    expect(r.row.statistic).toBeNull();
    expect(r.row.p_value).toBeNull();
    expect(r.df).toBe(4);
  });
});

describe('primaryRiskDifference: refusals', () => {
  const base: PrimaryEffectInput = {
    outcome: 'y',
    y: [0, 1, 0, 1, 1, 0],
    treated: [0, 1, 0, 1, 0, 1],
    covariates: [],
    alpha: 0.05,
  };
  it('refuses one arm, a non-0/1 arm, bad alpha, mismatched lengths, one cluster, rank deficiency', () => {
    expect(() => primaryRiskDifference({ ...base, treated: [1, 1, 1, 1, 1, 1] })).toThrow(/one arm/);
    expect(() => primaryRiskDifference({ ...base, treated: [0, 2, 0, 1, 0, 1] })).toThrow(
      /treated\[1\] = 2 is not 0 or 1/,
    );
    expect(() => primaryRiskDifference({ ...base, alpha: 1 })).toThrow(/alpha/);
    expect(() => primaryRiskDifference({ ...base, treated: [0, 1, 0] })).toThrow(/3 values, expected 6/);
    expect(() =>
      primaryRiskDifference({ ...base, cluster: { name: 'team', index: [0, 0, 0, 0, 0, 0], levels: 1 } }),
    ).toThrow(/at least 2/);
    expect(() =>
      primaryRiskDifference({ ...base, covariates: [{ name: 'same', values: [0, 1, 0, 1, 0, 1] }] }),
    ).toThrow(/same is collinear/);
    // arm constant within blocks
    expect(() =>
      primaryRiskDifference({
        ...base,
        treated: [0, 0, 0, 1, 1, 1],
        blocks: { name: 'block', index: [0, 0, 0, 1, 1, 1], levels: 2 },
      }),
    ).toThrow(/arm is constant within/);
  });
});
