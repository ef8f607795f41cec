import { describe, expect, it } from 'vitest';
import { feasibilityMeasures, progressionItems } from './feasibility.js';
import { DEFAULT_PROGRESSION, progressionDecision, trafficLight } from './progression.js';
import type { ProcessRow, ReportCase } from './types.js';

function person(i: number, arm: string, extra: Partial<ReportCase> = {}): ReportCase {
  return {
    id: `p${i}`,
    arm,
    sub_arm: null,
    site: null,
    team: null,
    sex: null,
    consented: true,
    received_intervention: arm === 'treatment',
    withdrawn: false,
    sessions_offered: 10,
    sessions_attended: 6,
    budget_told: null,
    enabling_fund_gbp: null,
    pending: false,
    ...extra,
  };
}

describe('progression criteria traffic lights', () => {
  it('has the documented default thresholds', () => {
    expect(DEFAULT_PROGRESSION).toEqual({
      recruitment: { green: 0.8, amber: 0.5 },
      retention: { green: 0.8, amber: 0.65 },
      engagement: { green: 0.7, amber: 0.5 },
      fidelity: { green: 0.75, amber: 0.5 },
    });
  });
  it('green at or above green, amber at or above amber, else red; null is not measured', () => {
    const t = { green: 0.8, amber: 0.5 };
    expect([0.8, 0.79, 0.5, 0.49, null].map((v) => trafficLight(v, t))).toEqual([
      'green',
      'amber',
      'amber',
      'red',
      'not_measured',
    ]);
  });
  it('computes feasibility from cases and process data', () => {
    const cases = [
      ...Array.from({ length: 6 }, (_, i) => person(i, 'treatment')),
      ...Array.from({ length: 4 }, (_, i) => person(10 + i, 'control', { withdrawn: i === 0 })),
    ];
    cases[0]!.sessions_attended = 10;
    const process: ProcessRow[] = [
      { level: 'team', unit: 'A', arm: 'treatment', measure: 'fidelity_pct', value: '80' },
      { level: 'team', unit: 'B', arm: 'treatment', measure: 'fidelity_pct', value: '60' },
      { level: 'team', unit: 'C', arm: 'control', measure: 'fidelity_pct', value: '0' },
    ];
    const m = feasibilityMeasures(cases, process, 'treatment', 16);
    expect(m.recruitment).toBe(10 / 16);
    expect(m.retention).toBe(0.9);
    expect(m.engagement).toBeCloseTo(40 / 60, 14);
    expect(m.fidelity).toBe(0.7);
    const items = progressionItems(m, { retention: { green: 0.95, amber: 0.85 } });
    expect(items.map((i) => [i.name, i.status])).toEqual([
      ['recruitment', 'amber'],
      ['retention', 'amber'],
      ['engagement', 'amber'],
      ['fidelity', 'amber'],
    ]);
    expect(progressionDecision(items).status).toBe('proceed_with_changes');
  });
  it('any red means stop; all green means proceed', () => {
    const mk = (status: 'green' | 'red') => ({
      name: 'x',
      label: 'X',
      value: 1,
      green: 0.8,
      amber: 0.5,
      status,
      basis: '',
    });
    expect(progressionDecision([mk('green'), mk('red')]).status).toBe('stop');
    expect(progressionDecision([mk('green')]).text).toBe(
      'Proceed to a larger trial: every measured criterion is green (1 green, 0 amber, 0 red).',
    );
  });
});
