import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { runPbr } from './pbr.js';

// Reference values: bench/pbr-reference.R (R calls quoted beside each value).
describe('pbr command handler', () => {
  it('returns the contract fields, simulates in agreement and writes the curve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-pbr-'));
    const plot = join(dir, 'pbr.svg');
    const r = await runPbr({
      cohort: '100',
      baselineRate: '0.35',
      trueRate: '0.30',
      pricePerPoint: '2000',
      simulate: '5000',
      seed: '3',
      plot,
    });
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining([
        'cohort',
        'baseline_rate',
        'true_rate',
        'alpha',
        'test',
        'critical_reoffenders',
        'probability_paid',
        'expected_payment_gbp',
        'cohort_for_target',
        'cohort_for_target_stable',
      ]),
    );
    expect(r).toMatchObject({
      cohort: 100,
      baseline_rate: 0.35,
      true_rate: 0.3,
      alpha: 0.05,
      test: 'exact',
      critical_reoffenders: 26,
      cohort_for_target: 545,
      cohort_for_target_stable: 569,
    });
    expect(r.probability_paid).toBeCloseTo(0.224399239749254, 12); // pbinom(26, 100, .3)
    expect(r.simulation!.agrees).toBe(true);
    expect(r.simulation!.checks.map((c) => c.quantity)).toEqual(['probability_paid', 'expected_payment_gbp']);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it('normal test, alpha and target probability are honoured', async () => {
    const r = await runPbr({ cohort: '100', baselineRate: '0.35', trueRate: '0.30', test: 'normal' });
    expect(r.critical_reoffenders).toBe(27);
    expect(r.probability_paid).toBeCloseTo(0.296366160557743, 12); // pbinom(27, 100, .3)
    expect(r.expected_payment_gbp).toBeNull();
  });

  it('usage errors name the option', async () => {
    const ok = { cohort: '100', baselineRate: '0.35', trueRate: '0.30' };
    await expect(runPbr({ ...ok, baselineRate: '1.5' })).rejects.toThrow(
      '--baseline-rate must be a proportion strictly between 0 and 1 (e.g. 0.35 for 35%), got 1.5',
    );
    await expect(runPbr({ ...ok, trueRate: '0' })).rejects.toThrow(
      /--true-rate must be a proportion strictly between 0 and 1/,
    );
    await expect(runPbr({ ...ok, cohort: '0' })).rejects.toThrow('--cohort must be between 1 and 10000000, got 0');
    await expect(runPbr({ ...ok, cohort: undefined })).rejects.toThrow('--cohort is required');
    await expect(runPbr({ ...ok, test: 'wald' })).rejects.toThrow('--test must be one of exact, normal; got "wald"');
    await expect(runPbr({ ...ok, simulate: '1000' })).rejects.toThrow(/--seed <int> is required/);
    await expect(runPbr({ ...ok, seed: '1' })).rejects.toThrow('--seed is only used with --simulate <reps>');
    await expect(runPbr({ ...ok, frequencyBaseline: '3.2' })).rejects.toThrow(UsageError);
  });
});
