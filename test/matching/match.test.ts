/**
 * `pilot-eval match` against R. Data: test/data/match-{treated,pool,offences}.csv from
 * bench/match-data.R. Reference values: bench/match-hand-reference.R (glm + a greedy nearest-
 * neighbour loop following MatchIt's documented algorithm; output in bench/match-hand-reference.out).
 * MatchIt 4.5.1 itself (bench/match-reference.R) matches pairs farther apart than the caliper; the
 * hand loop with an emulated integer abs() reproduces its pairs exactly (scenario "A-intabs").
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../src/core/errors.js';
import { balanceTable, matchComparison, type MatchOptions } from '../../src/core/matching/match-comparison.js';
import { nearestNeighbourMatch } from '../../src/core/matching/nearest-neighbour.js';
import { renderMatch, runMatch } from '../../src/cli/commands/match.js';
import { runAnalyse } from '../../src/cli/commands/analyse.js';
import { runReport } from '../../src/cli/commands/report.js';
import { readMatchingInput, type MatchingInput } from '../../src/io/matching-input.js';
import { parseTrialFile } from '../../src/io/trial-file.js';

const T = 'test/data/match-treated.csv';
const P = 'test/data/match-pool.csv';
const O = 'test/data/match-offences.csv';
const COVS = ['age', 'sex', 'ogrs3', 'prior_convictions'];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

let dir: string;
let input: MatchingInput;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pe-match-'));
  input = await readMatchingInput(T, P, COVS, ',');
});

/** The fingerprints printed by bench/match-hand-reference.R for the matched controls and pairs. */
function fingerprint(opts: MatchOptions) {
  const m = matchComparison(input.treat, input.covariates, opts);
  const ids = [...input.treated.cells.get('id')!, ...input.pool.cells.get('id')!];
  const num = (i: number) => Number(ids[i]!.slice(1));
  let sum = 0,
    sum2 = 0,
    wsum = 0,
    pairs = 0,
    nc = 0;
  m.match.weights.forEach((w, i) => {
    if (input.treat[i] || w <= 0) return;
    nc++;
    sum += num(i);
    sum2 += num(i) ** 2;
    wsum += w * num(i);
  });
  for (const [t, cs] of m.match.matches) for (const c of cs) pairs += num(t) * num(c);
  return { m, nc, sum, sum2, wsum, pairs };
}

const base: MatchOptions = { caliper: 0.2, ratio: 1, replace: false, order: 'largest', discard: 'both' };

describe('propensity model and matching (R hand reference)', () => {
  it('A: 1:1 without replacement, caliper 0.2 SD, discard both', () => {
    const { m, nc, sum, sum2, wsum, pairs } = fingerprint(base);
    // glm(treat ~ age + sex + ogrs3 + prior_convictions, binomial): coef and sqrt(diag(vcov))
    const coef = [-3.04162288846884, -0.0506146970490706, -0.817648669879659, 2.97276803689592, 0.357529356743386];
    const se = [0.506081047963716, 0.0112575432890466, 0.203192862977133, 0.506125455826207, 0.0416458740904509];
    expect(m.fit.terms.map((t) => t.term)).toEqual(['(Intercept)', 'age', 'sexmale', 'ogrs3', 'prior_convictions']);
    m.fit.terms.forEach((t, j) => {
      expect(rel(t.estimate, coef[j]!)).toBeLessThan(1e-6);
      expect(rel(t.std_error, se[j]!)).toBeLessThan(1e-6);
    });
    // caliper = 0.2 * sd(lp[!disc]) = 0.212103773888161; discarded treated/pool: 3 123
    expect(rel(m.caliper_logit!, 0.212103773888161)).toBeLessThan(1e-8);
    expect(m.common_support).toMatchObject({ treated_discarded: 3, pool_discarded: 123 });
    expect([m.match.matchedTreated, nc, m.match.unmatchedTreated]).toEqual([147, 147, 0]);
    expect({ sum, sum2, wsum, pairs }).toEqual({ sum: 87590, sum2: 70075072, wsum: 87590, pairs: 6703073 });
    // means after (weighted) and pooled-SD SMDs, columns age sexmale ogrs3 prior_convictions logit
    const mt = [29.4965986394558, 0.646258503401361, 0.521829931972789, 5.81632653061224, -1.4322098727239];
    const mc = [29.5918367346939, 0.63265306122449, 0.519591836734694, 5.79591836734694, -1.43985570383476];
    const before = [-0.557878987205087, -0.357753017242804, 0.578811660190418, 0.8569569907046, 1.20201629885251];
    const after = [
      -0.0117525527258477, 0.0309040507282414, 0.0116955275851773, 0.00906944762885639, 0.00667757648646128,
    ];
    m.balance.forEach((b, j) => {
      expect(rel(b.mean_treated_after!, mt[j]!)).toBeLessThan(1e-6);
      expect(rel(b.mean_control_after!, mc[j]!)).toBeLessThan(1e-6);
      expect(rel(b.smd_before!, before[j]!)).toBeLessThan(1e-6);
      expect(rel(b.smd_after!, after[j]!)).toBeLessThan(1e-5);
      expect(b.imbalanced).toBe(false);
    });
  });

  it('B: 1:2 without replacement (rounds); C: 1:2 with replacement; D: discard none; E: no caliper', () => {
    const b = fingerprint({ ...base, ratio: 2 });
    expect([b.m.match.matchedTreated, b.nc, b.sum, b.sum2, b.pairs]).toEqual([147, 268, 163071, 133609917, 12108110]);
    expect(rel(b.wsum, 160579.401360544)).toBeLessThan(1e-9);
    const c = fingerprint({ ...base, ratio: 2, replace: true });
    expect([c.m.match.matchedTreated, c.nc, c.sum, c.sum2, c.pairs]).toEqual([147, 210, 131380, 109229990, 13480550]);
    expect(rel(c.wsum, 130156.428571429)).toBeLessThan(1e-9);
    // ATT weights: control weights sum to the number of distinct matched controls
    const cw = [...c.m.match.weights].filter((w, i) => !input.treat[i] && w > 0);
    expect(cw.reduce((s, w) => s + w, 0)).toBeCloseTo(210, 9);
    const d = fingerprint({ ...base, discard: 'none' });
    expect(rel(d.m.caliper_logit!, 0.243260234920718)).toBeLessThan(1e-8);
    expect([d.m.match.matchedTreated, d.m.match.unmatchedTreated, d.sum, d.sum2, d.pairs]).toEqual([
      147, 3, 87411, 69858661, 6632706,
    ]);
    const e = fingerprint({ ...base, discard: 'none', caliper: null });
    expect([e.m.match.matchedTreated, e.sum, e.sum2, e.pairs]).toEqual([150, 89008, 71341826, 6687826]);
  });

  it("with replacement takes each treated person's k nearest; ties go to the earlier pool row", () => {
    const distance = Float64Array.from([0, 1, -1, 0.5, 0.5, 3]);
    const treat = Uint8Array.from([1, 0, 0, 0, 0, 1]);
    const r = nearestNeighbourMatch({
      distance,
      treat,
      discarded: new Uint8Array(6),
      ratio: 2,
      replace: true,
      caliper: null,
      order: 'data',
    });
    expect(r.matches.get(0)).toEqual([3, 4]);
    expect(r.matches.get(5)).toEqual([1, 3]);
    const caliper = nearestNeighbourMatch({
      distance,
      treat,
      discarded: new Uint8Array(6),
      ratio: 1,
      replace: false,
      caliper: 0.6,
      order: 'largest',
    });
    expect(caliper.matches.get(5)).toEqual([]);
    expect(caliper.matches.get(0)).toEqual([3]);
    expect(caliper.unmatchedTreated).toBe(1);
    // Without replacement, a tie on the left side also goes to the earlier pool row (3, not 4).
    const left = nearestNeighbourMatch({
      distance: Float64Array.from([0, 1, -1, 0.5, 0.5, 0.7]),
      treat,
      discarded: new Uint8Array(6),
      ratio: 1,
      replace: false,
      caliper: null,
      order: 'largest',
    });
    expect(left.matches.get(5)).toEqual([3]);
    expect(left.matches.get(0)).toEqual([4]);
  });

  it('flags an SMD over 0.1 after matching', () => {
    const v = Float64Array.from([1, 2, 3, 1, 2, 2.6]);
    const treat = Uint8Array.from([1, 1, 1, 0, 0, 0]);
    const [row] = balanceTable([{ name: 'x', values: v }], treat, Float64Array.from([1, 1, 1, 1, 1, 1]));
    // means 2 vs 1.8667, pooled sd sqrt((1 + 0.6533)/2) = 0.90921: smd 0.14665
    expect(row!.smd_after).toBeCloseTo(0.2 / 1.5 / 0.9092121131323903, 10);
    expect(row!.imbalanced).toBe(true);
  });
});

describe('match command: files that analyse and report accept', () => {
  it('writes the matched file, trial file and offences; analyse --weights reproduces R glm', async () => {
    const out = join(dir, 'a.csv');
    const r = await runMatch({
      treated: T,
      pool: P,
      covariates: COVS.join(','),
      out,
      offences: O,
      outcome: 'reoffended',
    });
    expect(r).toMatchObject({
      treated: 150,
      pool: 1200,
      matched_treated: 147,
      matched_controls: 147,
      unmatched_treated: 0,
      discarded_treated: 3,
      caliper: 0.2,
      design: 'matched_some_observables',
    });
    // Every treated person is accounted for at the top level: matched, unmatched or trimmed for common support.
    expect(r.matched_treated + r.unmatched_treated + r.discarded_treated).toBe(r.treated);
    expect(r.discarded_treated).toBe(r.common_support.treated_discarded);
    expect(renderMatch(r)).toContain(
      'Treated people: 150 = 147 matched + 0 with no comparison person within the caliper + 3 discarded outside the common support.',
    );
    expect(r.balance.map((b) => b.covariate)).toEqual([
      'age',
      'sexmale',
      'ogrs3',
      'prior_convictions',
      'logit_propensity',
    ]);
    // weighted rates 0.374149659863946 0.387755102040816; glm(reoffended ~ treat, binomial, weights) -0.0576969893208491
    expect(rel(r.estimate!.treated_rate, 0.374149659863946)).toBeLessThan(1e-9);
    expect(rel(r.estimate!.control_rate, 0.387755102040816)).toBeLessThan(1e-9);
    expect(rel(r.estimate!.log_odds_ratio!, -0.0576969893208491)).toBeLessThan(1e-6);
    const csv = readFileSync(out, 'utf8').split('\n');
    expect(csv[0]).toBe(
      'id,start_date,sex,age,ogrs3,prior_convictions,reoffended,arm,weight,propensity_score,logit_propensity',
    );
    expect(csv.filter((l) => l.includes(',treatment,')).length).toBe(147);
    const trial = parseTrialFile(readFileSync(r.trial_file, 'utf8'), r.trial_file);
    expect(trial.design).toBe('matched_some_observables');
    const a = await runAnalyse({ data: out, weights: 'weight', outcome: 'reoffended' });
    const or = a.effects.find((e) => e.measure === 'odds_ratio')!;
    expect(rel(Math.log(or.estimate!), -0.0576969893208491)).toBeLessThan(1e-6); // 1:1: weights all 1
    const rep = join(dir, 'a-report.json');
    const res = await runReport({
      concept: 'pcp-fund',
      stage: 'efficacy',
      cases: out,
      offences: r.offences_file!,
      trial: r.trial_file,
      format: 'json',
      out: rep,
      commandLine: 'test',
    });
    expect(res.model.security.design).toBe('matched_some_observables');
    expect(res.model.security.design_padlocks).toBe(2);
    expect(res.model.security.padlocks).toBeLessThanOrEqual(2);
  });

  it('1:2 with replacement: weights enter analyse (adjusted OR as R weighted glm)', async () => {
    const out = join(dir, 'c.csv');
    const r = await runMatch({
      treated: T,
      pool: P,
      covariates: COVS.join(','),
      out,
      ratio: '2',
      replace: true,
      design: 'matched_all_observables',
    });
    expect(r.warnings.join(' ')).toMatch(/weights are not all 1/);
    expect(parseTrialFile(readFileSync(r.trial_file, 'utf8'), 'x').design).toBe('matched_all_observables');
    const a = await runAnalyse({ data: out, weights: 'weight', outcome: 'reoffended', covariates: 'ogrs3' });
    const adj = a.effects.find((e) => e.measure === 'adjusted_odds_ratio')!;
    // d <- read.csv(out); f <- glm(reoffended ~ I(arm == "treatment") + ogrs3, binomial, d, weights = weight,
    //   control = glm.control(epsilon = 1e-14)): coef -0.198822350833319; the SE is the matching-weights
    // sandwich sqrt(sandwich::vcovHC(f, type = "HC0")[2, 2]) = 0.248100537248318 (model SE 0.226298667503072)
    expect(rel(Math.log(adj.estimate!), -0.198822350833319)).toBeLessThan(1e-8);
    expect(rel(adj.std_error!, 0.248100537248318)).toBeLessThan(1e-8);
  });
});

describe('bad input', () => {
  it('a covariate missing from the pool is a data error naming the file and column', async () => {
    const pool = join(dir, 'pool-noage.csv');
    writeFileSync(pool, 'id,sex,ogrs3\nP1,male,0.3\nP2,female,0.5\n');
    const err = await runMatch({ treated: T, pool, covariates: 'age,ogrs3', out: join(dir, 'x.csv') }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(`${pool}:1: column age: required column "age" is missing`);
  });

  it('no common support is a data error', async () => {
    const t = join(dir, 't-far.csv');
    const p = join(dir, 'p-far.csv');
    writeFileSync(t, 'id,x\nT1,10\nT2,11\nT3,12\nT4,12.5\n');
    writeFileSync(p, 'id,x\nP1,1\nP2,2\nP3,3\nP4,10.5\nP5,2.5\n');
    const err = await runMatch({ treated: t, pool: p, covariates: 'x', out: join(dir, 'far.csv') }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/no (common support|treated person has a pool person within the caliper)/);
  });

  it('options and cells are checked, naming the option or the cell', async () => {
    const o = { treated: T, pool: P, covariates: 'age', out: join(dir, 'y.csv') };
    await expect(runMatch({ ...o, caliper: '-1' })).rejects.toThrow(
      /--caliper must be strictly between 0 and Infinity/,
    );
    await expect(runMatch({ ...o, controlsPerTreated: '0' })).rejects.toThrow(
      /--controls-per-treated must be between 1 and 20, got 0/,
    );
    await expect(runMatch({ ...o, ratio: '0' })).rejects.toThrow(
      /--controls-per-treated must be between 1 and 20, got 0/,
    ); // the older name
    await expect(runMatch({ ...o, ratio: '2', controlsPerTreated: '3' })).rejects.toThrow(
      '--ratio is the older name of --controls-per-treated: give one of them',
    );
    await expect(runMatch({ ...o, order: 'biggest' })).rejects.toThrow(
      /--order must be one of largest, smallest, data, random/,
    );
    await expect(runMatch({ ...o, order: 'random' })).rejects.toThrow(/--seed <int> is required/);
    await expect(runMatch({ ...o, covariates: undefined })).rejects.toThrow(UsageError);
    const t = join(dir, 't-const.csv');
    writeFileSync(t, 'id,age,sex\nT1,20,male\nT2,30,male\nT3,40,male\n');
    const p = join(dir, 'p-const.csv');
    writeFileSync(p, 'id,age,sex\nP1,25,male\nP2,NA,male\nP3,45,male\n');
    await expect(runMatch({ treated: t, pool: p, covariates: 'age', out: join(dir, 'z.csv') })).rejects.toThrow(
      `${p}:3: column age value "": missing value`,
    ); // NA is read as missing (an empty cell)
    writeFileSync(p, 'id,age,sex\nP1,25,male\nT2,35,male\nP3,45,male\n');
    await expect(runMatch({ treated: t, pool: p, covariates: 'age', out: join(dir, 'z.csv') })).rejects.toThrow(
      /column id value "T2": this person is also in the treated file/,
    );
    writeFileSync(p, 'id,age,sex\nP1,25,male\nP2,35,male\nP3,45,male\n');
    await expect(runMatch({ treated: t, pool: p, covariates: 'age,sex', out: join(dir, 'z.csv') })).rejects.toThrow(
      /--covariates: sex takes the same value for everyone/,
    );
  });

  it('a bad --outcome column reports the first 20 cells and the true total', async () => {
    // Every treated person's outcome is "maybe": all matched treated rows are bad, far more than 20.
    const lines = readFileSync(T, 'utf8').trimEnd().split('\n');
    const t = join(dir, 't-bad-outcome.csv');
    writeFileSync(t, [lines[0], ...lines.slice(1).map((l) => l.replace(/,[01]$/, ',maybe'))].join('\n') + '\n');
    const err = await runMatch({
      treated: t,
      pool: P,
      covariates: COVS.join(','),
      outcome: 'reoffended',
      out: join(dir, 'bad-outcome.csv'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const d = err as DataError;
    expect(d.problems).toHaveLength(20);
    expect(d.total).toBe(147); // the 147 matched treated people of scenario A (1:1, caliper 0.2)
    expect(d.message).toContain('... and 127 more problem(s)');
  });
});
