/** The `analyse` handler: options parsing, contract shape (no unknown keys), human rendering. */
import { describe, expect, it } from 'vitest';
import { renderHuman, runAnalyse } from '../../src/cli/commands/analyse.js';
import { UsageError } from '../../src/core/errors.js';

const EFFECT_KEYS = new Set(['outcome', 'measure', 'estimate', 'std_error', 'conf_low', 'conf_high', 'statistic', 'p_value', 'method', 'arm', 'direction', 'df', 'replicates', 'seed']);

describe('runAnalyse', () => {
  it('returns the contract shape for a real trial file', async () => {
    const r = await runAnalyse({ data: 'test/data/colon-recurrence.csv', covariates: 'age,nodes', permutations: '99', seed: '1' });
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['design', 'arms', 'effects', 'balance', 'attrition', 'verdict', 'warnings']));
    for (const e of r.effects) for (const k of Object.keys(e)) expect(EFFECT_KEYS.has(k), `unknown effect field ${k}`).toBe(true);
    expect(Object.keys(r.attrition)).toEqual(expect.arrayContaining(['randomised', 'analysed', 'overall', 'differential']));
    expect(Object.keys(r.arms[0]!)).toEqual(['arm', 'n', 'n_analysed', 'reoffenders', 'binary_rate', 'reoffences', 'frequency_per_offender', 'mean', 'sd']);
    const text = renderHuman(r);
    expect(text).toContain('significant_reduction');
    expect(text).toContain('for every 100 people, between 25.3 fewer and 9.6 fewer re-offenders');
    expect(text).not.toContain('NaN');
  });
  it('rejects bad options naming them', async () => {
    await expect(runAnalyse({ data: 'test/data/colon-recurrence.csv', alpha: '1.5' })).rejects.toThrow(new UsageError('--alpha must be strictly between 0 and 1, got 1.5'));
    await expect(runAnalyse({ data: 'test/data/colon-recurrence.csv', bootstrap: '100' })).rejects.toThrow('--seed <int> is required');
  });
});
