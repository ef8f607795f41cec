import { describe, expect, it } from 'vitest';
import { wilson } from './wilson.js';

describe('Wilson interval', () => {
  it('matches R prop.test(correct = FALSE)', () => {
    // R: prop.test(108, 335, correct = FALSE)$conf.int -> 0.274595267523430 0.374208038854224
    const [lo, hi] = wilson(108, 335);
    expect(lo).toBeCloseTo(0.27459526752343, 12);
    expect(hi).toBeCloseTo(0.374208038854224, 12);
    // R: prop.test(3, 10, correct = FALSE)$conf.int -> 0.107791267406301 0.603221852538855
    const [lo2, hi2] = wilson(3, 10);
    expect(lo2).toBeCloseTo(0.107791267406301, 12);
    expect(hi2).toBeCloseTo(0.603221852538855, 12);
  });
  it('refuses n = 0', () => {
    expect(() => wilson(0, 0)).toThrow('n must be > 0');
  });
});
