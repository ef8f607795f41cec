/**
 * Two-stage least squares against R. Reference values: test/data/cace-references.json, written by
 * test/data/make-cace-references.R (R 4.2.2, estimatr 1.0.0, AER 1.2-10, sandwich 3.0-2) from
 * test/data/cace-sim.csv (a simulated trial with one-sided non-compliance) and test/data/cace-pcp.csv
 * (the pcp fixture, cluster-randomised by team). Each case's `call` is the R call, e.g.
 *   iv_robust(reoffended ~ d | z, sim, se_type = "HC2")
 *   iv_robust(reoffended ~ d + ogrs3 | z + ogrs3, pcp, clusters = team, se_type = "CR2")
 * and the first-stage F is `iv_robust(..., diagnostics = TRUE)$diagnostic_first_stage_fstatistic`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { fitIv, WeakInstrumentError, type IvFit } from './iv-regression.js';

interface Ref {
  call: string;
  n: number;
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
  n_clusters?: number;
  first_stage?: number;
  first_stage_f?: number;
  wald?: number;
  sandwich_std_error?: number;
}
const refs = JSON.parse(readFileSync('test/data/cace-references.json', 'utf8')) as Record<string, Ref>;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

async function load(name: string) {
  const t = await readTable(`test/data/${name}`);
  const num = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  const is = (c: string, v: string) => Float64Array.from(t.cells.get(c)!, (s) => (s === v ? 1 : 0));
  const ids = new Map<string, number>();
  const team = t.cells.has('team')
    ? Int32Array.from(t.cells.get('team')!, (s) => {
        if (!ids.has(s)) ids.set(s, ids.size);
        return ids.get(s)!;
      })
    : null;
  return { n: t.n, num, is, cluster: team ? { index: team, levels: ids.size } : null };
}

function expectFit(f: IvFit, ref: Ref) {
  expect(f.n).toBe(ref.n);
  expect(rel(f.estimate, ref.estimate)).toBeLessThan(1e-9);
  expect(rel(f.std_error, ref.std_error)).toBeLessThan(1e-8);
  expect(rel(f.statistic, ref.statistic)).toBeLessThan(1e-8);
  expect(Math.abs(f.df - ref.df)).toBeLessThan(1e-6);
  expect(rel(f.p_value, ref.p_value)).toBeLessThan(1e-6);
  expect(rel(f.conf_low, ref.conf_low)).toBeLessThan(1e-8);
  expect(rel(f.conf_high, ref.conf_high)).toBeLessThan(1e-8);
  if (ref.n_clusters !== undefined) expect(f.n_clusters).toBe(ref.n_clusters);
  if (ref.first_stage !== undefined) expect(rel(f.first_stage, ref.first_stage)).toBeLessThan(1e-9);
  if (ref.first_stage_f !== undefined) expect(rel(f.first_stage_f, ref.first_stage_f)).toBeLessThan(1e-8);
}

describe('fitIv: individual design, HC2 (estimatr::iv_robust)', async () => {
  const sim = await load('cace-sim.csv');
  const z = sim.is('arm', 'treatment');
  const d = sim.is('received_intervention', 'yes');
  for (const y of ['reoffended', 'reoffences', 'wellbeing']) {
    it(`${y} ~ d | z, and the Wald ratio`, () => {
      const ref = refs[`sim_${y}`]!;
      const f = fitIv({ y: sim.num(y), d, z, seType: 'HC2' });
      expectFit(f, ref);
      expect(rel(f.estimate, ref.wald!)).toBeLessThan(1e-9);
      // One-sided non-compliance: nobody in control received it.
      expect(f.mean_d.control).toBe(0);
      expect(f.mean_d.treated).toBeCloseTo(ref.first_stage!, 12);
    });
  }
  it('covariates in both stages (age, ogrs3, sex)', () => {
    const f = fitIv({
      y: sim.num('reoffended'),
      d,
      z,
      covariates: [
        { name: 'age', values: sim.num('age') },
        { name: 'ogrs3', values: sim.num('ogrs3') },
        { name: 'sexmale', values: sim.is('sex', 'male') },
      ],
      seType: 'HC2',
    });
    expectFit(f, refs.sim_reoffended_adjusted!);
  });
  it('HC0 equals sandwich::vcovHC(ivreg(...), type = "HC0")', () => {
    const ref = refs.sim_reoffended_hc0!;
    const f = fitIv({ y: sim.num('reoffended'), d, z, seType: 'HC0' });
    expect(rel(f.estimate, ref.estimate)).toBeLessThan(1e-9);
    expect(rel(f.std_error, ref.std_error)).toBeLessThan(1e-8);
    expect(rel(f.std_error, ref.sandwich_std_error!)).toBeLessThan(1e-8);
    expect(f.df).toBe(ref.df);
  });
  it('dose: sessions attended instrumented by allocation', () => {
    const s = sim.num('sessions_attended');
    expectFit(fitIv({ y: sim.num('reoffended'), d: s, z, seType: 'HC2' }), refs.sim_dose_reoffended!);
    expectFit(fitIv({ y: sim.num('wellbeing'), d: s, z, seType: 'HC2' }), refs.sim_dose_wellbeing!);
    const adj = [
      { name: 'age', values: sim.num('age') },
      { name: 'ogrs3', values: sim.num('ogrs3') },
    ];
    expectFit(
      fitIv({ y: sim.num('wellbeing'), d: s, z, covariates: adj, seType: 'HC2' }),
      refs.sim_dose_wellbeing_adjusted!,
    );
  });
});

describe('fitIv: cluster design, CR2 + Satterthwaite df (estimatr::iv_robust(clusters = team))', async () => {
  const pcp = await load('cace-pcp.csv');
  const z = pcp.is('arm', 'treatment');
  const d = pcp.is('received_intervention', 'yes');
  it('reoffended and reoffences ~ d | z', () => {
    expectFit(fitIv({ y: pcp.num('reoffended'), d, z, cluster: pcp.cluster, seType: 'CR2' }), refs.pcp_reoffended!);
    expectFit(fitIv({ y: pcp.num('reoffences'), d, z, cluster: pcp.cluster, seType: 'CR2' }), refs.pcp_reoffences!);
  });
  it('adjusted for ogrs3 in both stages', () => {
    const cov = [{ name: 'ogrs3', values: pcp.num('ogrs3') }];
    expectFit(
      fitIv({ y: pcp.num('reoffended'), d, z, covariates: cov, cluster: pcp.cluster, seType: 'CR2' }),
      refs.pcp_reoffended_adjusted!,
    );
    expectFit(
      fitIv({
        y: pcp.num('reoffended'),
        d: pcp.num('sessions_attended'),
        z,
        covariates: cov,
        cluster: pcp.cluster,
        seType: 'CR2',
      }),
      refs.pcp_dose_reoffended_adjusted!,
    );
  });
});

describe('fitIv: edge cases', () => {
  it('full compliance: the CACE is the ITT difference in means', () => {
    const y = [1, 0, 1, 1, 0, 0, 1, 0];
    const z = [1, 1, 1, 1, 0, 0, 0, 0];
    const f = fitIv({ y, d: z, z, seType: 'HC2' });
    expect(f.estimate).toBeCloseTo(0.75 - 0.25, 14);
    expect(f.first_stage).toBeCloseTo(1, 14);
  });
  it('allocation that does not change the exposure is a weak-instrument error', () => {
    const y = [1, 0, 1, 1, 0, 0, 1, 0];
    const z = [1, 1, 1, 1, 0, 0, 0, 0];
    const d = [1, 0, 1, 0, 1, 0, 1, 0];
    expect(() => fitIv({ y, d, z, seType: 'HC2' })).toThrow(WeakInstrumentError);
  });
});
