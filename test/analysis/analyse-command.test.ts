/** The `analyse` handler: options parsing, contract shape (no unknown keys), human rendering. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { renderHuman, runAnalyse } from '../../src/cli/commands/analyse.js';
import { runReoffending } from '../../src/cli/commands/reoffending.js';
import { UsageError } from '../../src/core/errors.js';

const EFFECT_KEYS = new Set([
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
  'direction',
  'df',
  'replicates',
  'seed',
]);

describe('runAnalyse', () => {
  it('returns the contract shape for a real trial file', async () => {
    const r = await runAnalyse({
      data: 'test/data/colon-recurrence.csv',
      covariates: 'age,nodes',
      permutations: '99',
      seed: '1',
    });
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining(['design', 'arms', 'effects', 'balance', 'attrition', 'verdict', 'warnings']),
    );
    for (const e of r.effects)
      for (const k of Object.keys(e)) expect(EFFECT_KEYS.has(k), `unknown effect field ${k}`).toBe(true);
    expect(Object.keys(r.attrition)).toEqual(
      expect.arrayContaining(['randomised', 'analysed', 'overall', 'differential']),
    );
    expect(Object.keys(r.arms[0]!)).toEqual([
      'arm',
      'n',
      'n_analysed',
      'reoffenders',
      'binary_rate',
      'reoffences',
      'frequency_per_offender',
      'mean',
      'sd',
    ]);
    const text = renderHuman(r);
    expect(text).toContain('significant_reduction');
    expect(text).toContain('for every 100 people, between 25.3 fewer and 9.6 fewer re-offenders');
    expect(text).not.toContain('NaN');
  });
  it('rejects bad options naming them', async () => {
    await expect(runAnalyse({ data: 'test/data/colon-recurrence.csv', alpha: '1.5' })).rejects.toThrow(
      new UsageError('--alpha must be strictly between 0 and 1, got 1.5'),
    );
    await expect(runAnalyse({ data: 'test/data/colon-recurrence.csv', bootstrap: '100' })).rejects.toThrow(
      '--seed <int> is required',
    );
  });
});

describe('time to event with --covariates: the Cox hazard ratio is adjusted', () => {
  // R 4.2.2, survival 3.4: d <- read.csv(<pcp outcomes from `reoffending --out`>);
  //   d <- d[d$measurable == "yes" & d$withdrawn != "yes", ]   (742 people, 238 re-offenders)
  //   d$time <- ifelse(d$reoffended == 1, d$days_to_reoffence, d$follow_up_days)
  //   coxph(Surv(time, reoffended) ~ treat, d):               coef -0.0784514551504411, se 0.1308305633620617
  //   coxph(Surv(time, reoffended) ~ treat + age + ogrs3, d): coef -0.0542623059838805, se 0.1310017551984275
  //   with age NA where the id ends in 7 (na.omit: n = 670):  coef -0.129247529019923,  se 0.138088850463470
  const hr = (r: Awaited<ReturnType<typeof runAnalyse>>) => r.effects.find((e) => e.measure === 'hazard_ratio')!;
  const base = { data: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv', outcome: 'days_to_reoffence' };

  it('unadjusted without covariates, adjusted with them (as R coxph)', async () => {
    const plain = hr(await runAnalyse(base));
    expect(Math.log(plain.estimate!)).toBeCloseTo(-0.0784514551504411, 9);
    expect(plain.std_error).toBeCloseTo(0.1308305633620617, 9);
    const adj = hr(await runAnalyse({ ...base, covariates: 'age,ogrs3' }));
    expect(Math.log(adj.estimate!)).toBeCloseTo(-0.0542623059838805, 9);
    expect(adj.std_error).toBeCloseTo(0.1310017551984275, 9);
    expect(adj.method).toContain('adjusted for age, ogrs3');
  });

  it('complete cases for the Cox model when a covariate is missing; Kaplan-Meier and log-rank keep everyone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-cox-'));
    const out = join(dir, 'outcomes.csv');
    await runReoffending({ cases: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv', by: [], out });
    // Blank the age of every id ending in 7 (parsed and written back as CSV: site names hold commas).
    const parsed = Papa.parse<Record<string, string>>(readFileSync(out, 'utf8'), {
      header: true,
      skipEmptyLines: true,
    });
    for (const row of parsed.data) if (row.id!.endsWith('7')) row.age = '';
    writeFileSync(out, Papa.unparse(parsed.data) + '\n');
    const full = await runAnalyse({ data: out, outcome: 'days_to_reoffence' });
    const r = await runAnalyse({ data: out, outcome: 'days_to_reoffence', covariates: 'age,ogrs3' });
    expect(Math.log(hr(r).estimate!)).toBeCloseTo(-0.129247529019923, 9);
    expect(hr(r).std_error).toBeCloseTo(0.13808885046347, 9);
    expect(r.warnings.join('\n')).toMatch(/row\(s\) with a missing covariate left out of the adjusted models/);
    const lr = (x: typeof r) => x.effects.find((e) => e.measure === 'logrank')!.statistic;
    expect(lr(r)).toBe(lr(full));
  });
});

describe('analyse --offences (derived outcomes held as numbers)', () => {
  /** `analyse --offences` and `analyse` of the per-person file `reoffending --out` writes, with the same options. */
  async function bothWays(options: { outcome?: string; covariates?: string; cluster?: string }) {
    const out = join(mkdtempSync(join(tmpdir(), 'pe-derived-')), 'outcomes.csv');
    await runReoffending({ cases: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv', by: [], out });
    const derived = await runAnalyse({
      data: 'fixtures/pcp/cases.csv',
      offences: 'fixtures/pcp/offences.csv',
      ...options,
    });
    return { out, derived, fromFile: await runAnalyse({ data: out, ...options }) };
  }
  it('gives the same result as analysing the outcomes file `reoffending --out` writes', async () => {
    const { out, derived, fromFile } = await bothWays({ covariates: 'age,ogrs3', cluster: 'team' });
    // Only the file names may differ.
    expect(JSON.stringify(derived).replaceAll('fixtures/pcp/cases.csv', 'F')).toBe(
      JSON.stringify(fromFile).replaceAll(out, 'F'),
    );
    expect(derived.effects.some((e) => e.outcome === 'days_to_reoffence')).toBe(true);
  });
  it('reads a derived column named as a covariate or outcome as the file would hold it', async () => {
    const { derived, fromFile } = await bothWays({
      outcome: 'reoffended,follow_up_days',
      covariates: 'age,reoffences',
    });
    expect(derived.effects).toEqual(fromFile.effects);
    expect(derived.balance).toEqual(fromFile.balance);
    expect(derived.effects.find((e) => e.outcome === 'follow_up_days' && e.measure === 'hedges_g')).toBeDefined();
  });
});
