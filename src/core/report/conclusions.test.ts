import { describe, expect, it } from 'vitest';
import { headlineSentence, keyConclusions, per100Interval, type HeadlineNumbers } from './conclusions.js';

const base: HeadlineNumbers = {
  estimate: -0.045,
  conf_low: -0.112,
  conf_high: 0.023,
  per_100: -4.5,
  per_100_conf_low: -11.2,
  per_100_conf_high: 2.3,
  verdict: 'inconclusive',
  computed_verdict: 'inconclusive',
  rate_control: 0.35,
  rate_treatment: 0.305,
};

describe('key conclusions from the numbers', () => {
  it('words an inconclusive result honestly: never "no effect", and more people would be needed', () => {
    const s = headlineSentence(base, 'efficacy', 373, 377)!;
    expect(s).toContain('inconclusive');
    expect(s).toContain('More people would be needed');
    expect(s).toContain('between 11.2 fewer and 2.3 more re-offenders per 100 people');
    expect(s.toLowerCase()).not.toContain('no effect');
  });
  it('states a significant reduction per 100 people', () => {
    const s = headlineSentence(
      { ...base, per_100: -8.1, per_100_conf_low: -14, per_100_conf_high: -2.2, verdict: 'significant_reduction' },
      'effectiveness',
      900,
      900,
    )!;
    expect(s).toMatch(/^For every 100 people supported, there were 8\.1 fewer re-offenders/);
    expect(s).toContain('points to a reduction');
  });
  it('a pilot is indicative only and gives no verdict', () => {
    const s = headlineSentence({ ...base, verdict: null }, 'pilot', 40, 38)!;
    expect(s).toMatch(/^Indicative only/);
    expect(s).toContain('no verdict is given');
  });
  it('gives 3 to 5 sentences and says when there are no outcomes', () => {
    const none = { ...base, per_100: null, per_100_conf_low: null, per_100_conf_high: null };
    const c = keyConclusions({
      stage: 'efficacy',
      headline: none,
      n_treatment: null,
      n_control: null,
      padlocks: null,
      padlock_limit: null,
      cost_per_participant: 320,
      cost_rating_words: 'moderate',
      progression: null,
      decision: null,
      fidelity: null,
      engagement: null,
      subgroup: null,
      top_theme: null,
    });
    expect(c[0]).toMatch(/No re-offending outcomes were supplied/);
    expect(c).toContain('Cost: about £320 per participant, a moderate cost.');
  });
  it('words an interval that touches zero', () => {
    expect(per100Interval(-3.04, 0.02)).toBe('between 3.0 fewer and 0.0 re-offenders');
  });
});
