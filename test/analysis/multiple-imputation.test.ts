/**
 * Multiple imputation (analyse --impute) and the tipping-point table.
 * - Rubin's rules with the Barnard-Rubin df against R mice 3.15 on the SAME completed data sets
 *   (test/data/make-mi-references.R writes mice's 5 completed sets and its pooled results):
 *     pool.scalar(Q, U, n = 300, k = 2)   for the risk difference with Wald variance per set
 *     summary(pool(with(imp, glm(reoffended ~ treat + age + female, family = binomial))), conf.int = TRUE)
 * - the whole procedure against mice's own imputations (m = 100; different random numbers, so a
 *   loose agreement), and its coverage by simulation.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyse } from '../../src/cli/commands/analyse.js';
import { UsageError } from '../../src/core/errors.js';
import {
  adjustedLogOr,
  multipleImputation,
  nearestTip,
  riskDifference,
} from '../../src/core/analysis/multiple-imputation.js';
import { barnardRubinDf, poolScalar } from '../../src/core/stats/rubin.js';
import { createRng } from '../../src/core/random.js';
import { parseTrialFile } from '../../src/io/trial-file.js';

const REF = JSON.parse(readFileSync('test/data/mi-references.json', 'utf8'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

function completedSets() {
  const lines = readFileSync('test/data/mi-completed.csv', 'utf8').trim().split('\n').slice(1);
  const sets = new Map<number, { treat: number[]; age: number[]; female: number[]; y: number[] }>();
  for (const l of lines) {
    const [imp, , treat, age, female, y] = l.split(',').map(Number) as number[];
    if (!sets.has(imp!)) sets.set(imp!, { treat: [], age: [], female: [], y: [] });
    const s = sets.get(imp!)!;
    s.treat.push(treat!);
    s.age.push(age!);
    s.female.push(female!);
    s.y.push(y!);
  }
  return [...sets.values()];
}

describe("Rubin's rules against mice::pool on mice's completed data sets", () => {
  const sets = completedSets();
  it('has the 5 completed sets of 300 people', () => {
    expect(sets.length).toBe(5);
    expect(sets.every((s) => s.y.length === 300 && s.y.every((v) => v === 0 || v === 1))).toBe(true);
  });

  it('risk difference: pool.scalar(Q, U, n = 300, k = 2)', () => {
    const q: number[] = [];
    const u: number[] = [];
    for (const s of sets) {
      const e = riskDifference(s.y, s.treat);
      q.push(e.estimate);
      u.push(e.variance);
    }
    const p = poolScalar(q, u, 300 - 2);
    const r = REF.rd;
    for (const k of ['qbar', 'ubar', 'b', 't', 'df', 'fmi', 'riv', 'conf_low', 'conf_high'] as const) {
      expect(Math.abs(p[k] - r[k]), k).toBeLessThan(1e-8 * Math.max(1, Math.abs(r[k])));
    }
  });

  it('adjusted log odds ratio: pool(with(imp, glm(...))) estimate, SE, df, CI, p', () => {
    const q: number[] = [];
    const u: number[] = [];
    for (const s of sets) {
      const e = adjustedLogOr(Float64Array.from(s.y), s.treat, [Float64Array.from(s.age), Float64Array.from(s.female)]);
      q.push(e.estimate);
      u.push(e.variance);
    }
    const p = poolScalar(q, u, REF.or.dfcom);
    const r = REF.or;
    expect(REF.or.dfcom).toBe(296);
    expect(Math.abs(p.qbar - r.estimate)).toBeLessThan(1e-8);
    expect(Math.abs(p.std_error - r.std_error)).toBeLessThan(1e-8);
    expect(Math.abs(p.b - r.b)).toBeLessThan(1e-8);
    expect(Math.abs(p.ubar - r.ubar)).toBeLessThan(1e-8);
    expect(rel(p.df, r.df)).toBeLessThan(1e-7);
    expect(Math.abs(p.conf_low - r.conf_low)).toBeLessThan(1e-8);
    expect(Math.abs(p.conf_high - r.conf_high)).toBeLessThan(1e-8);
    expect(Math.abs(p.statistic - r.statistic)).toBeLessThan(1e-7);
    expect(Math.abs(p.p_value - r.p_value)).toBeLessThan(1e-8);
    expect(Math.abs(p.fmi - r.fmi)).toBeLessThan(1e-8);
  });

  it('Barnard-Rubin df: infinite complete-data df gives (m - 1)/lambda^2; lambda is floored at 1e-4', () => {
    // lambda = (1 + 1/4) * 0.5 / 2.5 = 0.25 -> (4 - 1)/0.0625 = 48
    expect(barnardRubinDf(4, 0.5, 2.5, Infinity)).toBe(48);
    expect(barnardRubinDf(5, 0, 1, Infinity)).toBeCloseTo(4 / 1e-8, 0);
    expect(() => poolScalar([1], [1], 10)).toThrow(RangeError);
  });
});

describe('analyse --impute on the incomplete trial (test/data/mi-trial.csv)', () => {
  it('mi rows, missingness per arm, and the tipping-point grid', async () => {
    const a = await runAnalyse({
      data: 'test/data/mi-trial.csv',
      outcome: 'reoffended',
      covariates: 'age,female',
      impute: '40',
      seed: '7',
    });
    const mi = a.effects.find((e) => e.measure === 'mi_risk_difference')!;
    const miOr = a.effects.find((e) => e.measure === 'mi_adjusted_odds_ratio')!;
    expect(mi.replicates).toBe(40);
    expect(mi.df).toBeGreaterThan(20);
    // Complete cases stay primary: the verdict is read from risk_difference, unchanged by --impute.
    const cc = await runAnalyse({ data: 'test/data/mi-trial.csv', outcome: 'reoffended', covariates: 'age,female' });
    expect(a.effects.find((e) => e.measure === 'risk_difference')).toEqual(
      cc.effects.find((e) => e.measure === 'risk_difference'),
    );
    expect(cc.tipping_point).toBeUndefined();
    // mice (logreg for the outcome, pmm for age, m = 100, seed 2) on the same data: pooled RD
    // 0.00329598506069095, SE 0.058843817516235 (test/data/mi-references-m100.out); Monte Carlo
    // error of either pooled estimate is about sqrt(b/m) ~ 0.005.
    expect(Math.abs(mi.estimate! - 0.00329598506069095)).toBeLessThan(0.015);
    expect(rel(mi.std_error!, 0.058843817516235)).toBeLessThan(0.1);
    expect(miOr.estimate).toBeGreaterThan(0);
    const md = a.missing_data!;
    // 18 of 153 control and 31 of 147 treated outcomes are missing (R: table(d$arm, is.na(d$reoffended))).
    expect(md.by_arm).toEqual([
      { arm: 'control', n: 153, outcome_missing: 18, covariate_missing: 11 },
      { arm: 'treatment', n: 147, outcome_missing: 31, covariate_missing: 20 },
    ]);
    const tp = a.tipping_point!;
    expect(tp.length).toBe(13 * 13);
    const at = (dc: number, dt: number) =>
      tp.find((r) => Math.abs(r.delta_control - dc) < 1e-9 && Math.abs(r.delta_treatment - dt) < 1e-9)!;
    // No shift reproduces the MI estimate exactly (the same draws).
    expect(at(0, 0).estimate).toBeCloseTo(mi.estimate!, 12);
    expect(at(0, 0).conf_low).toBeCloseTo(mi.conf_low!, 12);
    // Worse outcomes among the treated who were lost raise the risk difference; among lost controls, lower it.
    for (let k = 1; k < 13; k++) {
      const d0 = -0.3 + 0.05 * (k - 1);
      const d1 = -0.3 + 0.05 * k;
      expect(at(0, d1).estimate!).toBeGreaterThanOrEqual(at(0, d0).estimate!);
      expect(at(d1, 0).estimate!).toBeLessThanOrEqual(at(d0, 0).estimate!);
    }
    // Shifting the 31 lost treated by +0.3 and the 18 lost controls by -0.3 moves the risk difference by
    // about 0.3 * 31/147 + 0.3 * 18/153 = 0.0985 (less where probabilities are clipped at 0 or 1).
    expect(Math.abs(at(-0.3, 0.3).estimate! - at(0, 0).estimate! - 0.0985)).toBeLessThan(0.02);
    expect(at(0, 0).verdict).toBe('inconclusive');
    for (const r of tp) {
      const v = r.conf_low! > 0 ? 'significant_increase' : r.conf_high! < 0 ? 'significant_reduction' : 'inconclusive';
      expect(r.verdict).toBe(v);
    }
  });

  it('is reproducible from the seed and changes with it', async () => {
    const run = (seed: string) =>
      runAnalyse({ data: 'test/data/mi-trial.csv', outcome: 'reoffended', covariates: 'age', impute: '5', seed });
    const a = (await run('3')).effects.find((e) => e.measure === 'mi_risk_difference')!;
    const b = (await run('3')).effects.find((e) => e.measure === 'mi_risk_difference')!;
    const c = (await run('4')).effects.find((e) => e.measure === 'mi_risk_difference')!;
    expect(b).toEqual(a);
    expect(c.estimate).not.toBe(a.estimate);
  });

  it('needs a seed and a binary primary outcome', async () => {
    await expect(runAnalyse({ data: 'test/data/mi-trial.csv', outcome: 'reoffended', impute: '5' })).rejects.toThrow(
      /--seed <int> is required/,
    );
    await expect(
      runAnalyse({ data: 'test/data/mi-trial.csv', outcome: 'reoffended', impute: '1', seed: '1' }),
    ).rejects.toThrow(/--impute must be/);
    await expect(
      runAnalyse({ data: 'test/data/mi-trial.csv', outcome: 'age', impute: '5', seed: '1' }),
    ).rejects.toThrow(UsageError);
  });
});

describe('coverage of the whole procedure by simulation (outcome missing at random given a covariate)', () => {
  it('95% intervals of mi_risk_difference cover the true risk difference about 95% of the time; complete cases are biased', () => {
    // y ~ Bernoulli(expit(-0.5 - 0.6 arm + 1.5 x)), x ~ Bernoulli(0.5); y missing with probability
    // 0.6 when x = 1 and 0.1 when x = 0 in the treated arm only (MAR given x and arm).
    const expit = (v: number) => 1 / (1 + Math.exp(-v));
    const truth = 0.5 * (expit(-1.1) + expit(0.4)) - 0.5 * (expit(-0.5) + expit(1));
    const rng = createRng(2026);
    const reps = 200;
    const n = 300;
    let cover = 0;
    let ccBias = 0;
    let miBias = 0;
    for (let r = 0; r < reps; r++) {
      const y = new Float64Array(n);
      const arm = new Uint8Array(n);
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        arm[i] = i % 2;
        x[i] = rng.next() < 0.5 ? 1 : 0;
        y[i] = rng.next() < expit(-0.5 - 0.6 * arm[i]! + 1.5 * x[i]!) ? 1 : 0;
        if (arm[i] && rng.next() < (x[i] ? 0.6 : 0.1)) y[i] = NaN;
      }
      const res = multipleImputation({
        outcome: 'y',
        y,
        arm,
        armLabels: { treatment: 't', control: 'c' },
        covariates: [{ name: 'x', values: x }],
        imputations: 5,
        seed: r,
        alpha: 0.05,
        deltas: [0],
      });
      const row = res.rows[0]!;
      if (row.conf_low! <= truth && truth <= row.conf_high!) cover++;
      miBias += (row.estimate! - truth) / reps;
      const obs = Array.from(y.keys()).filter((i) => !Number.isNaN(y[i]!));
      ccBias +=
        (riskDifference(
          obs.map((i) => y[i]!),
          obs.map((i) => arm[i]!),
        ).estimate -
          truth) /
        reps;
    }
    // Observed (seed 2026, 200 replicates, m = 5): coverage 0.94 (binomial SE 0.017); mean error of
    // the MI estimate +0.0023; complete-case mean error -0.063 (truth -0.1301).
    expect(cover / reps).toBeGreaterThan(0.9);
    expect(cover / reps).toBeLessThanOrEqual(0.99);
    expect(Math.abs(miBias)).toBeLessThan(0.015);
    expect(ccBias).toBeLessThan(-0.04);
  });
});

describe('plan keys', () => {
  it('analysis.missing_data: multiple_imputation with imputations', () => {
    const cfg = parseTrialFile('analysis:\n  missing_data: multiple_imputation\n  imputations: 30\n', 'trial.yaml');
    expect(cfg.analysis.missing_data).toBe('multiple_imputation');
    expect(cfg.analysis.imputations).toBe(30);
    expect(() => parseTrialFile('analysis:\n  missing_data: last_observation\n', 'trial.yaml')).toThrow(
      /expected complete_cases/,
    );
    expect(() => parseTrialFile('analysis:\n  imputations: 1\n', 'trial.yaml')).toThrow();
  });

  it('the plan runs the imputation (seeded by randomisation.seed) beside the complete-case primary analysis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-mi-plan-'));
    const plan = join(dir, 'trial.yaml');
    writeFileSync(
      plan,
      'randomisation:\n  seed: 11\nanalysis:\n  missing_data: multiple_imputation\n  imputations: 5\n  covariates: [age]\n',
    );
    const a = await runAnalyse({ data: 'test/data/mi-trial.csv', plan });
    expect(a.missing_data).toMatchObject({ imputations: 5, seed: 11 });
    expect(a.effects.find((e) => e.measure === 'mi_adjusted_odds_ratio')!.replicates).toBe(5);
    // Same as asking for it explicitly with that seed.
    const b = await runAnalyse({ data: 'test/data/mi-trial.csv', plan, impute: '5', seed: '11' });
    expect(b.effects.find((e) => e.measure === 'mi_risk_difference')).toEqual(
      a.effects.find((e) => e.measure === 'mi_risk_difference'),
    );
    const noSeed = join(dir, 'no-seed.yaml');
    writeFileSync(noSeed, 'analysis:\n  missing_data: multiple_imputation\n');
    await expect(runAnalyse({ data: 'test/data/mi-trial.csv', plan: noSeed })).rejects.toThrow(
      /needs --seed <int> \(or randomisation.seed/,
    );
  });
});

describe('nearestTip', () => {
  it('finds the smallest shift that changes the verdict, preferring a smaller shift of the treated', () => {
    const row = (dc: number, dt: number, v: 'inconclusive' | 'significant_increase' | 'significant_reduction') => ({
      delta_control: dc,
      delta_treatment: dt,
      estimate: 0,
      conf_low: 0,
      conf_high: 0,
      verdict: v,
    });
    const rows = [
      row(0, 0, 'significant_reduction'),
      row(0, 0.1, 'significant_reduction'),
      row(-0.1, 0.1, 'inconclusive'),
      row(0, 0.2, 'inconclusive'),
      row(-0.2, 0, 'inconclusive'),
      row(-0.3, 0.3, 'significant_increase'),
    ];
    expect(nearestTip(rows)!.tip).toEqual(row(-0.2, 0, 'inconclusive'));
    expect(nearestTip(rows.slice(0, 2))!.tip).toBeNull();
    expect(nearestTip(rows.slice(1))).toBeNull();
  });
});
