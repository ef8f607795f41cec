import { describe, expect, it } from 'vitest';
import { attritionPadlocks, mdesPadlocks, securityRating } from './security-rating.js';

describe('security rating (docs/reference/reports.md#security-rating)', () => {
  it('bands the MDES: <=0.2: 5, <=0.3: 4, <=0.4: 3, <=0.5: 2, <=0.6: 1, else 0', () => {
    expect([0, 0.2, 0.2001, 0.3, 0.35, 0.4, 0.5, 0.6, 0.61, 2].map(mdesPadlocks)).toEqual([
      5, 5, 4, 4, 3, 3, 2, 1, 0, 0,
    ]);
  });
  it('bands attrition: <=10%: 5 ... <=50%: 1, else 0', () => {
    expect([0, 0.1, 0.15, 0.2, 0.3, 0.31, 0.4, 0.5, 0.51].map(attritionPadlocks)).toEqual([5, 5, 4, 4, 3, 2, 2, 1, 0]);
  });
  it('takes the lowest of design, MDES and attrition, and says which set it', () => {
    const r = securityRating({ design: 'randomised', mdes: 0.25, attrition: 0.12, threats: [] });
    expect(r.padlocks).toBe(4);
    expect(r.design).toBe('randomised');
    expect(r.reasons).toContain('Initial rating: 4 (the lowest of the three, set by MDES and attrition).');
    expect(r.reasons.at(-1)).toBe('Final rating: 4 padlocks.');
  });
  it('a matched design caps the rating at 3', () => {
    expect(securityRating({ design: 'matched_all_observables', mdes: 0.1, attrition: 0, threats: [] }).padlocks).toBe(
      3,
    );
  });
  it('threats drop at most two padlocks in total, each with its reason', () => {
    const r = securityRating({
      design: 'randomised',
      mdes: 0.15,
      attrition: 0.05,
      threats: [
        { threat: 'contamination', drop: 1, reason: 'shared officers' },
        { threat: 'missing_data', drop: 2, reason: 'outcomes missing for one site' },
        { threat: 'outcome_measurement', drop: 1, reason: 'unblinded' },
      ],
    });
    expect(r.initial).toBe(5);
    expect(r.padlocks).toBe(3);
    expect(r.drops).toEqual([
      { threat: 'contamination', drop: 1, reason: 'shared officers' },
      { threat: 'missing_data', drop: 1, reason: 'outcomes missing for one site' },
    ]);
    expect(r.reasons).toContain('Threat (contamination): shared officers -> drop 1 padlock.');
    expect(r.reasons).toContain(
      'Threat (outcome measurement): unblinded - no further drop (at most two padlocks are dropped for threats).',
    );
  });
  it('never goes below 0 and treats a missing MDES as the weakest band', () => {
    const r = securityRating({
      design: 'randomised',
      mdes: null,
      attrition: 0.6,
      threats: [{ threat: 'confounding', drop: 2, reason: 'x' }],
    });
    expect(r.padlocks).toBe(0);
    expect(r.mdes_padlocks).toBe(0);
    expect(r.reasons[1]).toMatch(/^MDES: not available/);
  });
  it('rejects impossible inputs rather than returning NaN', () => {
    expect(() => attritionPadlocks(1.2)).toThrow('attrition must be in [0, 1]');
    expect(() => mdesPadlocks(Number.NaN)).toThrow('MDES must be >= 0');
  });
});

describe('band values cannot seem to sit in another band', () => {
  it('prints the digits that separate a value from the limit it is just above', async () => {
    const { bandValue } = await import('./security-rating.js');
    expect(bandValue(0.6003, [0.2, 0.3, 0.4, 0.5, 0.6])).toBe('0.6003');
    expect(bandValue(0.6, [0.2, 0.3, 0.4, 0.5, 0.6])).toBe('0.60');
    expect(bandValue(0.351156, [0.2, 0.3, 0.4, 0.5, 0.6])).toBe('0.35');
    expect(bandValue(10.04, [10, 20, 30, 40, 50], 1)).toBe('10.04');
  });
});
