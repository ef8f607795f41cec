import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { assessPbrRisk, type PbrRequest } from './pbr.js';

const base: PbrRequest = {
  cohort: 100,
  baselineRate: 0.35,
  trueRate: 0.3,
  alpha: 0.05,
  targetProbability: 0.8,
  test: 'exact',
  pricePerPoint: null,
  pricePerReoffence: null,
  frequencyBaseline: null,
  frequencyTrue: null,
  reps: undefined,
  seed: undefined,
  seedGiven: false,
  plot: undefined,
};

// Reference values: bench/pbr-reference.R.
describe('pbr use case', () => {
  it('exact payment probability, no simulation and no plot unless asked', () => {
    const progress: string[] = [];
    const r = assessPbrRisk({ ...base, onProgress: (t) => progress.push(t) });
    expect(r.critical_reoffenders).toBe(26); // kcrit(100, .35): max k with pbinom(k, 100, .35) <= .05
    expect(r.probability_paid).toBeCloseTo(0.224399239749254, 12); // pbinom(26, 100, .3)
    expect(r.simulation).toBeNull();
    expect(r.plot).toBeNull();
    expect(progress).toEqual(['computing exact payment probabilities']);
  });

  it('the simulation check agrees with the exact answer and reports its progress', () => {
    const progress: string[] = [];
    const r = assessPbrRisk({ ...base, reps: 2000, seed: 11, seedGiven: true, onProgress: (t) => progress.push(t) });
    expect(r.simulation!.reps).toBe(2000);
    expect(r.simulation!.seed).toBe(11);
    expect(r.simulation!.agrees).toBe(true);
    expect(r.simulation!.checks.map((c) => c.quantity)).toEqual(['probability_paid']);
    expect(progress.some((t) => t.startsWith('simulating: '))).toBe(true);
  });

  it('refuses a seed without a simulation, and too much simulation work', () => {
    expect(() => assessPbrRisk({ ...base, seedGiven: true })).toThrow(
      new UsageError('--seed is only used with --simulate <reps>'),
    );
    expect(() => assessPbrRisk({ ...base, cohort: 1_000_000, reps: 10_000, seed: 1, seedGiven: true })).toThrow(
      '--simulate 10000 with --cohort 1000000 is too much work (cohort x reps must be at most 5e9)',
    );
  });
});
