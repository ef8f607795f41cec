/**
 * The `cace` and `cace_dose` rows of `analyse` against R. Reference values:
 * test/data/cace-references.json, written by test/data/make-cace-references.R (R 4.2.2, estimatr
 * 1.0.0, AER 1.2-10) from test/data/cace-sim.csv (simulated one-sided non-compliance, individual
 * randomisation) and test/data/cace-pcp.csv (the pcp fixture, cluster-randomised by team). The R
 * calls are each case's `call`, e.g.
 *   iv_robust(reoffended ~ d + age + ogrs3 + sex | z + age + ogrs3 + sex, sim, se_type = "HC2")
 *   iv_robust(reoffended ~ sessions_attended + ogrs3 | z + ogrs3, pcp, clusters = team, se_type = "CR2")
 * with d = received_intervention == "yes" and z = arm == "treatment".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { analyseTrial } from './analyse-trial.js';
import type { EffectRow } from './effect-row.js';
import { DataError, UsageError } from '../errors.js';

interface Ref {
  call: string;
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
  first_stage?: number;
  first_stage_f?: number;
}
const refs = JSON.parse(readFileSync('test/data/cace-references.json', 'utf8')) as Record<string, Ref>;
const rel = (a: number | null, b: number) => Math.abs(a! - b) / Math.abs(b);

function expectRow(rows: EffectRow[], outcome: string, measure: string, ref: Ref) {
  const r = rows.find((x) => x.outcome === outcome && x.measure === measure);
  expect(r, `${outcome} ${measure}`).toBeDefined();
  expect(rel(r!.estimate, ref.estimate)).toBeLessThan(1e-9);
  expect(rel(r!.std_error, ref.std_error)).toBeLessThan(1e-8);
  expect(rel(r!.statistic, ref.statistic)).toBeLessThan(1e-8);
  expect(Math.abs(r!.df! - ref.df)).toBeLessThan(1e-6);
  expect(rel(r!.p_value, ref.p_value)).toBeLessThan(1e-6);
  expect(rel(r!.conf_low, ref.conf_low)).toBeLessThan(1e-8);
  expect(rel(r!.conf_high, ref.conf_high)).toBeLessThan(1e-8);
  if (ref.first_stage !== undefined) expect(r!.method).toContain(`compliance difference ${ref.first_stage.toFixed(3)}`);
  if (ref.first_stage_f !== undefined) expect(r!.method).toContain(`F = ${ref.first_stage_f.toFixed(1)}`);
  return r!;
}

describe('cace: individually randomised trial with one-sided non-compliance (HC2)', async () => {
  const sim = await readTable('test/data/cace-sim.csv');
  it('unadjusted: binary, count and score outcomes, and the dose-response', () => {
    const res = analyseTrial(sim, {
      outcomes: ['reoffended', 'reoffences', 'wellbeing'],
      cace: 'received_intervention',
    });
    for (const y of ['reoffended', 'reoffences', 'wellbeing']) {
      const r = expectRow(res.effects, y, 'cace', refs[`sim_${y}`]!);
      expect(r.method).toMatch(
        /^complier average causal effect: two-stage least squares, random allocation instrumenting received_intervention/,
      );
      expect(r.method).toContain('HC2 robust SE');
      expect(r.method).toContain('69.0% received it in treatment vs 0.0% in control');
    }
    const dose = expectRow(res.effects, 'reoffended', 'cace_dose', refs.sim_dose_reoffended!);
    expect(dose.method).toMatch(/^exploratory: not randomised; dose-response per session attended/);
    expect(dose.method).toContain('iv_robust(reoffended ~ sessions_attended | arm, se_type = "HC2")');
    expectRow(res.effects, 'wellbeing', 'cace_dose', refs.sim_dose_wellbeing!);
    // The ITT rows are still there, unchanged in number.
    expect(res.effects.filter((e) => e.measure === 'risk_difference')).toHaveLength(1);
  });
  it('covariates enter both stages (sex as the indicator sexmale)', () => {
    const res = analyseTrial(sim, {
      outcomes: ['reoffended', 'wellbeing'],
      cace: 'received_intervention',
      covariates: ['age', 'ogrs3', 'sex'],
    });
    const r = expectRow(res.effects, 'reoffended', 'cace', refs.sim_reoffended_adjusted!);
    expect(r.method).toContain('covariates in both stages');
    expect(r.method).toContain(
      'reoffended ~ received_intervention + age + ogrs3 + sexmale | arm + age + ogrs3 + sexmale',
    );
    const res2 = analyseTrial(sim, {
      outcomes: ['wellbeing'],
      cace: 'received_intervention',
      covariates: ['age', 'ogrs3'],
    });
    expectRow(res2.effects, 'wellbeing', 'cace_dose', refs.sim_dose_wellbeing_adjusted!);
  });
  it('without --cace there are no cace rows; an unknown column is a data error', () => {
    const res = analyseTrial(sim, { outcomes: ['reoffended'] });
    expect(res.effects.some((e) => e.measure.startsWith('cace'))).toBe(false);
    expect(() => analyseTrial(sim, { outcomes: ['reoffended'], cace: 'took_part' })).toThrow(DataError);
    expect(() => analyseTrial(sim, { outcomes: ['reoffended'], cace: 'arm' })).toThrow(UsageError);
  });
});

describe('cace: cluster-randomised pcp fixture (CR2 + Satterthwaite df)', async () => {
  const pcp = await readTable('test/data/cace-pcp.csv');
  it('unadjusted and adjusted for ogrs3', () => {
    const res = analyseTrial(pcp, {
      outcomes: ['reoffended', 'reoffences'],
      cluster: 'team',
      cace: 'received_intervention',
    });
    const r = expectRow(res.effects, 'reoffended', 'cace', refs.pcp_reoffended!);
    expect(r.method).toMatch(/CR2 cluster-robust SE \(\d+ clusters\) with Satterthwaite df/);
    expectRow(res.effects, 'reoffences', 'cace', refs.pcp_reoffences!);
    const adj = analyseTrial(pcp, {
      outcomes: ['reoffended'],
      cluster: 'team',
      cace: 'received_intervention',
      covariates: ['ogrs3'],
    });
    expectRow(adj.effects, 'reoffended', 'cace', refs.pcp_reoffended_adjusted!);
    expectRow(adj.effects, 'reoffended', 'cace_dose', refs.pcp_dose_reoffended_adjusted!);
  });
});

describe('cace: data handling', () => {
  const table = (rows: string[][]) => {
    const columns = ['arm', 'received_intervention', 'reoffended'];
    const cells = new Map(columns.map((c, j) => [c, rows.map((r) => r[j]!)]));
    return { file: 'x.csv', columns, cells, lines: rows.map((_, i) => i + 2), n: rows.length };
  };
  const base = [
    ['treatment', 'yes', '0'],
    ['treatment', 'yes', '1'],
    ['treatment', 'no', '1'],
    ['treatment', '1', '0'],
    ['control', 'no', '1'],
    ['control', '0', '1'],
    ['control', 'no', '0'],
    ['control', 'no', '1'],
  ];
  it('an unknown exposure leaves the row out with a warning; no sessions column means no cace_dose', () => {
    const res = analyseTrial(table([...base, ['control', '', '0']]), { cace: 'received_intervention' });
    expect(res.warnings.join('\n')).toContain('1 analysed row(s) with no received_intervention left out of cace');
    expect(res.warnings.join('\n')).toContain(
      'no sessions_attended column, so the exploratory cace_dose is not estimated',
    );
    const r = res.effects.find((e) => e.measure === 'cace')!;
    // Wald: (2/4 - 3/4) / (3/4 - 0) on the 8 rows with a known exposure.
    expect(r.estimate).toBeCloseTo((2 / 4 - 3 / 4) / (3 / 4), 12);
    expect(res.effects.some((e) => e.measure === 'cace_dose')).toBe(false);
  });
  it('a bad exposure cell is a data error naming the line and column', () => {
    expect(() => analyseTrial(table([...base, ['control', 'maybe', '0']]), { cace: 'received_intervention' })).toThrow(
      /x\.csv.*line 10.*received_intervention|received_intervention.*maybe/s,
    );
  });
  it('a weak first stage is warned about (F below 10)', () => {
    // 20 per arm; 10 received it in treatment and 9 in control: allocation barely moves receipt.
    const rows: string[][] = [];
    for (let i = 0; i < 20; i++) rows.push(['treatment', i < 10 ? 'yes' : 'no', String(i % 3 === 0 ? 1 : 0)]);
    for (let i = 0; i < 20; i++) rows.push(['control', i < 9 ? 'yes' : 'no', String(i % 2)]);
    const res = analyseTrial(table(rows), { cace: 'received_intervention' });
    expect(res.warnings.join('\n')).toMatch(/reoffended: cace: weak first stage \(F = 0\.\d, below 10\)/);
    expect(res.effects.find((e) => e.measure === 'cace')!.method).toContain(
      '50.0% received it in treatment vs 45.0% in control',
    );
  });
  it('a time-to-event outcome gets no cace row, with a warning', async () => {
    const sim = await readTable('test/data/cace-sim.csv');
    const withTime = {
      ...sim,
      columns: [...sim.columns, 'days_to_reoffence', 'follow_up_days'],
      cells: new Map(sim.cells),
    };
    withTime.cells.set(
      'days_to_reoffence',
      sim.cells.get('reoffended')!.map((r) => (r === '1' ? '100' : '')),
    );
    withTime.cells.set(
      'follow_up_days',
      sim.cells.get('reoffended')!.map(() => '365'),
    );
    const res = analyseTrial(withTime, { outcomes: ['days_to_reoffence'], cace: 'received_intervention' });
    expect(res.effects.some((e) => e.measure.startsWith('cace'))).toBe(false);
    expect(res.warnings).toContain(
      'days_to_reoffence: cace is not estimated for a time-to-event outcome (the binary and count outcomes carry it)',
    );
  });
  it('nobody received it: not estimable, with the reason', () => {
    const none = base.map((r) => [r[0]!, 'no', r[2]!]);
    const res = analyseTrial(table(none), { cace: 'received_intervention' });
    const r = res.effects.find((e) => e.measure === 'cace')!;
    expect(r.estimate).toBeNull();
    expect(r.method).toMatch(/not estimable: allocation does not change the exposure/);
  });
});
