/**
 * Weighted binary measures after matching (analyse --weights), checked against R on MatchIt::lalonde
 * (re78 == 0 standing in for the binary outcome) matched by `pilot-eval match` (1:1 with the
 * default caliper; 1:2 with replacement) and by MatchIt itself (with its `subclass` column).
 * References: test/data/make-weighted-references.R (values in test/data/weighted-references.json):
 *   lm(reoffended ~ treat, weights = w) + sandwich::vcovHC(fit, type = "HC0")        -> risk_difference
 *   glm(reoffended ~ treat, quasipoisson, weights = w) + vcovHC(type = "HC0")         -> risk_ratio
 *   glm(reoffended ~ treat, binomial, weights = w) + vcovHC(type = "HC0")             -> odds_ratio
 *   glm(reoffended ~ treat + age + educ + married + re74, binomial, weights = w) + HC0 -> adjusted_odds_ratio
 *   and with MatchIt's subclass: vcovCL(fit, cluster = ~subclass, type = "HC0").
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyse } from '../../src/cli/commands/analyse.js';
import { runMatch } from '../../src/cli/commands/match.js';
import { DataError } from '../../src/core/errors.js';

const REF = JSON.parse(readFileSync('test/data/weighted-references.json', 'utf8')) as Record<
  string,
  Record<string, number[]>
>;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
const COVS = 'age,educ,race,married,nodegree,re74,re75';

async function effects(file: string, weights: string) {
  const a = await runAnalyse({ data: file, weights, outcome: 'reoffended', covariates: 'age,educ,married,re74' });
  const get = (m: string) => a.effects.find((e) => e.measure === m)!;
  return { a, get };
}

describe.each([
  ['1to1', 'test/data/lalonde-matched-1to1.csv', 'weight', 'HC0'],
  ['1to2r', 'test/data/lalonde-matched-1to2r.csv', 'weight', 'HC0'],
  ['matchit_subclass', 'test/data/lalonde-matchit-subclass.csv', 'weights', 'subclass'],
])('weighted measures on lalonde %s', (key, file, weights, se) => {
  const ref = REF[key]!;
  it('risk difference, risk ratio, odds ratio, Cohen h and the adjusted OR agree with R glm + sandwich', async () => {
    const { a, get } = await effects(file, weights);
    const rd = get('risk_difference');
    expect(rel(rd.estimate!, ref.risk_difference![0]!)).toBeLessThan(1e-10);
    expect(rel(rd.std_error!, ref.risk_difference![1]!)).toBeLessThan(1e-10);
    expect(rd.method).toContain(
      se === 'HC0'
        ? 'vcovHC(type = "HC0")'
        : 'clustered by subclass (R sandwich::vcovCL(fit, cluster = ~subclass, type = "HC0"))',
    );
    // The R glm references were run with glm.control(epsilon = 1e-14).
    expect(rel(Math.log(get('risk_ratio').estimate!), ref.log_risk_ratio![0]!)).toBeLessThan(1e-8);
    expect(rel(get('risk_ratio').std_error!, ref.log_risk_ratio![1]!)).toBeLessThan(1e-8);
    expect(rel(Math.log(get('odds_ratio').estimate!), ref.log_odds_ratio![0]!)).toBeLessThan(1e-8);
    expect(rel(get('odds_ratio').std_error!, ref.log_odds_ratio![1]!)).toBeLessThan(1e-8);
    expect(rel(get('cohens_h').estimate!, ref.cohens_h![0]!)).toBeLessThan(1e-10);
    expect(rel(get('cohens_h').std_error!, ref.cohens_h![1]!)).toBeLessThan(1e-9);
    const adj = get('adjusted_odds_ratio');
    expect(rel(Math.log(adj.estimate!), ref.adjusted_log_odds_ratio![0]!)).toBeLessThan(1e-8);
    // The sandwich SE, not the model-based one (third reference value).
    expect(rel(adj.std_error!, ref.adjusted_log_odds_ratio![1]!)).toBeLessThan(1e-8);
    expect(rel(adj.std_error!, ref.adjusted_log_odds_ratio![2]!)).toBeGreaterThan(1e-3);
    // per_100 and nnt follow the weighted risk difference; Fisher's exact test is withheld.
    expect(get('per_100').estimate).toBeCloseTo(100 * ref.risk_difference![0]!, 10);
    expect(get('nnt').estimate).toBeCloseTo(1 / Math.abs(ref.risk_difference![0]!), 8);
    expect(get('fisher_exact').p_value).toBeNull();
    // The verdict is read from the weighted risk difference; the weights warning is gone.
    expect(a.warnings.join(' ')).not.toMatch(/unweighted/);
    const z = 1.959963984540054;
    expect(rd.conf_low).toBeCloseTo(ref.risk_difference![0]! - z * ref.risk_difference![1]!, 9);
  });
});

describe('weighted analysis of a file that `match` writes', () => {
  it('match on lalonde reproduces the committed matched files that the R references read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-weighted-'));
    for (const [name, extra] of [
      ['1to1', {}],
      ['1to2r', { ratio: '2', replace: true }],
    ] as const) {
      const out = join(dir, `${name}.csv`);
      await runMatch({
        treated: 'test/data/lalonde-treated.csv',
        pool: 'test/data/lalonde-pool.csv',
        covariates: COVS,
        out,
        ...extra,
      });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(`test/data/lalonde-matched-${name}.csv`, 'utf8'));
    }
  });

  it('unweighted and weighted risk differences differ on the 1:2 with-replacement match (weights matter)', async () => {
    const w = (await effects('test/data/lalonde-matched-1to2r.csv', 'weight')).get('risk_difference').estimate!;
    const u = (await runAnalyse({ data: 'test/data/lalonde-matched-1to2r.csv', outcome: 'reoffended' })).effects.find(
      (e) => e.measure === 'risk_difference',
    )!.estimate!;
    expect(Math.abs(w - u)).toBeGreaterThan(0.005);
  });
});

describe('matched sets (subclass)', () => {
  it('an unmatched row (weight 0) may have no subclass; a weighted row must have one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-subclass-'));
    const src = readFileSync('test/data/lalonde-matchit-subclass.csv', 'utf8').trim().split('\n');
    // Append an unmatched control with weight 0 and NA subclass: the result is unchanged.
    const ok = join(dir, 'ok.csv');
    writeFileSync(ok, [...src, 'X1,control,30,12,0,0,0,NA,1'].join('\n') + '\n');
    const a = await runAnalyse({ data: ok, weights: 'weights', outcome: 'reoffended' });
    const rd = a.effects.find((e) => e.measure === 'risk_difference')!;
    expect(rel(rd.std_error!, REF.matchit_subclass!.risk_difference![1]!)).toBeLessThan(1e-10);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, [...src, 'X1,control,30,12,0,0,1,,1'].join('\n') + '\n');
    const err = await runAnalyse({ data: bad, weights: 'weights', outcome: 'reoffended' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String((err as Error).message)).toMatch(
      /subclass.*matched set \(subclass\) missing for a row with a positive weight/,
    );
  });
});
