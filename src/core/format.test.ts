import { describe, expect, it } from 'vitest';
import { fixed, percent } from './format.js';

describe('percent: the one percentage formatter', () => {
  it('one decimal by default, the digits asked for otherwise', () => {
    expect(percent(0.3056)).toBe('30.6%');
    expect(percent(0.3056, 0)).toBe('31%');
    expect(percent(0.123456, 2)).toBe('12.35%');
  });
  it('missing values print the text the caller chose for them', () => {
    expect(percent(null)).toBe('n/a');
    expect(percent(undefined, 1, '-')).toBe('-');
    expect(percent(Number.NaN, 1, 'not available')).toBe('not available');
    expect(percent(Infinity, 1, '-')).toBe('-');
  });
  it('no unit when the header already says points; never a negative zero', () => {
    expect(percent(-0.032, 1, '-', '')).toBe('-3.2');
    expect(percent(-0.0001, 1)).toBe('0.0%');
    expect(fixed(-0.0001, 2)).toBe('0.00');
  });
});
