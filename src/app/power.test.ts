import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../core/errors.js';
import {
  runPower,
  type BinaryPowerResult,
  type CountPowerResult,
  type PowerOptions,
  type StandardisedPowerResult,
  type SurvivalPowerResult,
} from './power.js';

// Reference values: bench/power-plan-reference.R (output bench/power-plan-reference.out), which
// sources clusterPower's cpa.binary, MKpower's power.nb.test and PowerUpR 1.1.0 from their
// repositories, and writes Schoenfeld's and Hayes & Bennett's formulas in R.
function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}
const run = (o: PowerOptions) => runPower(o);
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'data');

describe('binary cluster designs: t on 2(J - 1) df', () => {
  it('p1 .40, p2 .25, 50 per cluster, ICC .05: 12 clusters per arm (the normal approximation said 11)', async () => {
    const r = (await run({ outcome: 'binary', p1: 0.4, p2: 0.25, icc: 0.05, clusterSize: 50 })) as BinaryPowerResult;
    // R: cpa.binary(power = .8, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05) = 11.3355 -> 12
    expect(r.cluster_test).toBe('t');
    expect(r.clusters_per_arm).toEqual([12, 12]);
    expect(r.clusters_per_arm_exact!).toBeCloseTo(11.33554483852493, 6);
    expect(r.n_per_arm).toEqual([600, 600]);
    expect(r.df).toBe(22);
    // R: cpa.binary(nclusters = 12, ...) = 0.82411123085037274
    expect(rel(r.power!, 0.82411123085037274)).toBeLessThan(1e-9);
    const z = (await run({
      outcome: 'binary',
      p1: 0.4,
      p2: 0.25,
      icc: 0.05,
      clusterSize: 50,
      clusterTest: 'z',
    })) as BinaryPowerResult;
    expect(z.clusters_per_arm).toEqual([11, 11]);
  });
  it('8 clusters of 50 per arm: power 0.633', async () => {
    const r = (await run({
      outcome: 'binary',
      p1: 0.4,
      p2: 0.25,
      icc: 0.05,
      clusterSize: 50,
      n: 400,
    })) as BinaryPowerResult;
    // R: cpa.binary(nclusters = 8, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05) = 0.63259751901263672
    expect(r.solve).toBe('power');
    expect(rel(r.power!, 0.63259751901263672)).toBeLessThan(1e-9);
    const j = (await run({
      outcome: 'binary',
      p1: 0.4,
      p2: 0.25,
      icc: 0.05,
      clusterSize: 50,
      J: 8,
    })) as BinaryPowerResult;
    expect(j.power).toBe(r.power);
  });
  it('--J 20 fixed: the cluster size (26) for .35 vs .25 at ICC .02', async () => {
    const r = (await run({ outcome: 'binary', p1: 0.35, p2: 0.25, icc: 0.02, J: 20 })) as BinaryPowerResult;
    // R: cpa.binary(power = .8, nclusters = 20, p1 = .35, p2 = .25, ICC = .02, tol = 1e-12) = 25.58197557088943
    expect(r.feasible).toBe(true);
    expect(r.cluster_size).toBe(26);
    expect(r.cluster_size_exact!).toBeCloseTo(25.58197557088943, 6);
    expect(r.n_per_arm).toEqual([520, 520]);
    expect(r.clusters_per_arm).toEqual([20, 20]);
  });
  it('--J 20 fixed, .35 vs .30 at ICC .02: feasible false, max_power 0.644', async () => {
    const r = (await run({ outcome: 'binary', p1: 0.35, p2: 0.3, icc: 0.02, J: 20 })) as BinaryPowerResult;
    // R: pt(qt(.975, 38), 38, .05 / sqrt(.02 * (.35 * .65 + .3 * .7) / 20), lower.tail = FALSE) = 0.64421929422191826
    //    (the normal approximation's ceiling, cpa.binary(..., tdist = FALSE) at nsubjects = 1e7, is 0.6666)
    expect(r.feasible).toBe(false);
    expect(rel(r.max_power!, 0.64421929422191826)).toBeLessThan(1e-9);
    expect(r.cluster_size).toBeNull();
    expect(r.n_per_arm).toBeNull();
    expect(r.power).toBeNull();
  });
  it('attrition: the cluster size is inflated so the analysed size reaches the power', async () => {
    const r = (await run({
      outcome: 'binary',
      p1: 0.35,
      p2: 0.25,
      icc: 0.02,
      J: 20,
      attrition: 0.2,
    })) as BinaryPowerResult;
    expect(r.cluster_size_exact!).toBeCloseTo(25.58197557088943 / 0.8, 5);
    expect(r.cluster_size).toBe(32);
    expect(r.power!).toBeGreaterThanOrEqual(0.8);
  });
  it('--cv-between k: Hayes & Bennett clusters per arm', async () => {
    const r = (await run({
      outcome: 'binary',
      p1: 0.35,
      p2: 0.25,
      cvBetween: 0.25,
      clusterSize: 30,
    })) as BinaryPowerResult;
    // R: 1 + (qnorm(.975) + qnorm(.8))^2 * (.35*.65/30 + .25*.75/30 + .25^2*(.35^2 + .25^2)) / .1^2 = 20.932884158690708
    expect(r.cluster_test).toBe('hayes-bennett');
    expect(r.clusters_per_arm).toEqual([21, 21]);
    expect(rel(r.clusters_per_arm_exact!, 20.932884158690708)).toBeLessThan(1e-12);
    expect(r.n_per_arm).toEqual([630, 630]);
  });
  it('--compliance dilutes p2 towards p1', async () => {
    const r = (await run({
      outcome: 'binary',
      p1: 0.4,
      p2: 0.2,
      compliance: 0.75,
      icc: 0.05,
      clusterSize: 50,
    })) as BinaryPowerResult;
    expect(r.p2).toBeCloseTo(0.25, 12);
    expect(r.clusters_per_arm).toEqual([12, 12]);
  });
});

describe('time to event and counts', () => {
  it('HR 0.7, event probability 0.5: 247 events, 247 people per arm', async () => {
    const r = (await run({ outcome: 'survival', hr: 0.7, eventProb: 0.5 })) as SurvivalPowerResult;
    // R: (qnorm(.975) + qnorm(.8))^2 / (.25 * log(.7)^2) = 246.78710454735841
    expect(r.events).toBe(247);
    expect(rel(r.events_exact, 246.78710454735841)).toBeLessThan(1e-12);
    expect(r.n_per_arm).toEqual([247, 247]);
    expect(r.n_total).toBe(494);
  });
  it('exponential, 12 months accrual and 12 of follow-up, teams of 25 at ICC .02', async () => {
    const r = (await run({
      outcome: 'survival',
      hr: 0.7,
      median0: 24,
      accrual: 12,
      followUp: 12,
      icc: 0.02,
      clusterSize: 25,
    })) as SurvivalPowerResult;
    // R event probabilities (integrate): 0.40241614769538436 and 0.30333537908413755
    const P = (0.40241614769538436 + 0.30333537908413755) / 2;
    const de = 1 + 24 * 0.02;
    expect(r.event_prob).toBeCloseTo(P, 10);
    expect(r.design_effect).toBeCloseTo(de, 12);
    expect(r.n_per_arm_exact[0]).toBeCloseTo(((247 / P) * de) / 2, 6);
    expect(r.n_per_arm[0]).toBe(Math.ceil(((247 / P) * de) / 2));
    expect(r.clusters_per_arm![0]).toBe(Math.ceil(r.n_per_arm[0] / 25));
  });
  it('power with 200 people per arm and every person an event: 400 events', async () => {
    const r = (await run({ outcome: 'survival', hr: 0.7, eventProb: 1, n: 200 })) as SurvivalPowerResult;
    // R: pnorm(abs(log(.7)) * sqrt(400 * .25) - qnorm(.975)) = 0.94594927998364431
    expect(r.solve).toBe('power');
    expect(r.events).toBe(400);
    expect(rel(r.power, 0.94594927998364431)).toBeLessThan(1e-12);
  });
  it('negative binomial rate ratio: Zhu & Lakkis Table I (MKpower approach 3)', async () => {
    const r = (await run({
      outcome: 'count',
      rate0: 0.8,
      rr: 0.85,
      dispersion: 0.4,
      exposure: 0.75,
    })) as CountPowerResult;
    // R: power.nb.test(mu0 = .8, RR = .85, theta = 1/.4, duration = .75, power = .8, approach = 3)$n = 1310.7301064832084
    expect(r.n_per_arm).toEqual([1311, 1311]);
    expect(rel(r.n_per_arm_exact[0], 1310.7301064832084)).toBeLessThan(1e-10);
    expect(r.power).toBeGreaterThanOrEqual(0.8);
  });
  it('Poisson with attrition and a design effect', async () => {
    const r = (await run({
      outcome: 'count',
      rate0: 0.8,
      rr: 0.7,
      attrition: 0.1,
      icc: 0.01,
      clusterSize: 21,
    })) as CountPowerResult;
    // R: power.nb.test(mu0 = .8, RR = .7, theta = 1e12, duration = 1, power = .8, approach = 3)$n = 183.20359989446331
    expect(r.n_per_arm_exact[0]).toBeCloseTo((183.20359989446331 * 1.2) / 0.9, 5);
  });
});

describe('standardised designs through the use case', () => {
  it('cra4 solves L and says how sizes are rounded', async () => {
    const r = (await run({
      outcome: 'standardised',
      design: 'bira4',
      es: 0.142,
      rho4: 0.05,
      rho3: 0.15,
      rho2: 0.15,
      omega4: 0.5,
      omega3: 0.5,
      omega2: 0.5,
      n: 10,
      J: 4,
      K: 4,
    })) as StandardisedPowerResult;
    // R: uniroot on PowerUpR power.bira4(es = .142, ..., L = L) = .8: 27.16298459763842; mrss.bira4 prints L = 27
    expect(r.solved_size).toBe('L');
    expect(r.L).toBe(28);
    expect(r.L_exact!).toBeCloseTo(27.16298459763842, 6);
    expect(r.rounding).toContain('smallest whole number');
  });
  it('a parameter the design does not read is refused', async () => {
    await expect(run({ outcome: 'standardised', design: 'ira', n: 100, rho2: 0.1 })).rejects.toThrow(
      '--rho2 does not apply to design ira',
    );
  });
});

describe('when the answer exists', () => {
  it('analysable_on: months to recruit, then follow-up, waiting and extract lag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'power-cal-'));
    const plot = join(dir, 'when.svg');
    const r = (await run({
      outcome: 'binary',
      p1: 0.4,
      p2: 0.25,
      icc: 0.05,
      clusterSize: 50,
      recruitPerMonth: 25,
      teams: 4,
      start: '2026-04-01',
      extractLagDays: 60,
      calendarPlot: plot,
    })) as BinaryPowerResult;
    // 1200 people at 100 a month: 12 months; closes 2027-04-01; last randomised 2027-03-31
    const c = r.calendar!;
    expect(c.people_needed).toBe(1200);
    expect(c.months).toBe(12);
    expect(c.recruitment_closes_on).toBe('2027-04-01');
    const expected = new Date(Date.UTC(2027, 2, 31) + (365 + 183 + 60) * 86400000).toISOString().slice(0, 10);
    expect(r.analysable_on).toBe(expected);
    expect(c.curve_measure).toBe('power');
    const at12 = c.curve.find((p) => p.months === 12)!;
    // 1200 people = 12 clusters of 50 per arm: the cpa.binary power 0.82411123085037274
    expect(rel(at12.power!, 0.82411123085037274)).toBeLessThan(1e-9);
    expect(c.curve.every((p, i, a) => i === 0 || p.power! >= a[i - 1]!.power!)).toBe(true);
    expect(readFileSync(plot, 'utf8')).toContain('<polyline');
  });
  it('teams are the clusters when no cluster size is given: the cluster size is solved', async () => {
    const r = (await run({
      outcome: 'binary',
      p1: 0.35,
      p2: 0.25,
      icc: 0.02,
      recruitPerMonth: 2,
      teams: 40,
      start: '2026-01-01',
    })) as BinaryPowerResult;
    // 20 clusters per arm -> 26 per cluster (cpa.binary nsubjects 25.58); 1040 people at 80 a month = 13 months
    expect(r.clusters_per_arm).toEqual([20, 20]);
    expect(r.cluster_size).toBe(26);
    expect(r.calendar!.months).toBe(13);
    expect(r.calendar!.recruitment_closes_on).toBe('2027-02-01');
  });
  it('a bad start date is a usage error', async () => {
    await expect(
      run({ outcome: 'binary', p1: 0.4, p2: 0.25, recruitPerMonth: 10, start: '2026-02-30' }),
    ).rejects.toThrow(UsageError);
  });
});

describe('--from a finished report', () => {
  it("the efficacy trial's control rate, ICC, cluster size, attrition and compliance", async () => {
    const file = join(FIXTURES, 'report-pcp-efficacy.json');
    const r = (await run({ outcome: 'binary', p2: 0.25, from: file })) as BinaryPowerResult;
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const control = doc.arms.find((a: { arm: string }) => a.arm === 'control');
    const icc = doc.effects.find((e: { measure: string }) => e.measure === 'icc');
    const treated = doc.consort.arms.find((a: { arm: string }) => a.arm === 'treatment');
    const taken = Object.fromEntries(r.from!.taken.map((t) => [t.parameter, t.value]));
    expect(taken.p1).toBe(control.binary_rate);
    // No interval in the report: the point estimate, and a note saying so.
    expect(icc.conf_high).toBeNull();
    expect(taken.icc).toBe(icc.estimate);
    expect(r.from!.notes.join(' ')).toContain('point estimate');
    expect(taken.attrition).toBe(doc.attrition.overall);
    expect(taken.compliance).toBe(treated.received / treated.allocated);
    expect(taken.cluster_size).toBe((339 + 461) / (15 + 17));
    // The same plan as giving those values by hand.
    const direct = (await run({
      outcome: 'binary',
      p1: control.binary_rate,
      p2: 0.25,
      icc: icc.estimate,
      clusterSize: 25,
      attrition: doc.attrition.overall,
      compliance: treated.received / treated.allocated,
    })) as BinaryPowerResult;
    expect(r.clusters_per_arm).toEqual(direct.clusters_per_arm);
    expect(r.power).toBe(direct.power);
    expect(r.p2).toBeCloseTo(
      control.binary_rate + (treated.received / treated.allocated) * (0.25 - control.binary_rate),
      12,
    );
  });
  it('a pilot without a published rate needs --p1; the progression criteria are carried', async () => {
    const file = join(FIXTURES, 'report-community-navigation-pilot.json');
    await expect(run({ outcome: 'binary', p2: 0.25, from: file })).rejects.toThrow('--p1 (control rate) is required');
    const r = (await run({
      outcome: 'binary',
      p1: 0.35,
      p2: 0.25,
      from: file,
      recruitPerMonth: 20,
      start: '2027-01-01',
      extractLagDays: 30,
    })) as BinaryPowerResult;
    expect(r.from!.taken.map((t) => t.parameter)).not.toContain('p1');
    // The efficacy trial it plans: people needed at 20 a month from 2027-01-01, then 365 + 183 + 30 days.
    const months = Math.ceil(r.n_total! / 20);
    expect(r.calendar!.months).toBe(months);
    const close = Date.UTC(2027, months, 1);
    expect(r.analysable_on).toBe(new Date(close - 86400000 + (365 + 183 + 30) * 86400000).toISOString().slice(0, 10));
    expect(r.p1).toBe(0.35);
    expect(r.from!.progression.map((p) => p.name)).toContain('retention');
    expect(r.compliance).toBe(JSON.parse(readFileSync(file, 'utf8')).feasibility.measures.compliance);
    expect(r.cluster_test).toBe('t');
  });
  it('the conservative end of the ICC interval is used when the report has one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'power-from-'));
    const doc = JSON.parse(readFileSync(join(FIXTURES, 'report-pcp-efficacy.json'), 'utf8'));
    doc.effects.find((e: { measure: string }) => e.measure === 'icc').conf_high = 0.09;
    const file = join(dir, 'report.json');
    (await import('node:fs')).writeFileSync(file, JSON.stringify(doc));
    const r = (await run({ outcome: 'binary', p2: 0.25, from: file })) as BinaryPowerResult;
    expect(r.icc).toBe(0.09);
    expect(r.from!.taken.find((t) => t.parameter === 'icc')!.source).toContain('conservative end');
  });
  it('a file that is not a report is a data error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'power-bad-'));
    const file = join(dir, 'x.json');
    (await import('node:fs')).writeFileSync(file, '{"hello": 1}');
    await expect(run({ outcome: 'binary', p2: 0.25, from: file })).rejects.toThrow(DataError);
  });
});
