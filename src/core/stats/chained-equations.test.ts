import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import { imputeChained } from './chained-equations.js';

describe('imputeChained', () => {
  const n = 400;
  const rng = createRng(5);
  const arm = Float64Array.from({ length: n }, (_, i) => i % 2);
  const age = Float64Array.from({ length: n }, () => 18 + Math.floor(rng.next() * 40));
  const y = Float64Array.from({ length: n }, (_, i) =>
    rng.next() < 1 / (1 + Math.exp(-(-1 + 0.05 * (age[i]! - 30) + 0.8 * arm[i]!))) ? 1 : 0,
  );
  const yMiss = Float64Array.from(y, (v, i) => (i % 7 === 0 ? NaN : v));
  const ageMiss = Float64Array.from(age, (v, i) => (i % 5 === 1 ? NaN : v));
  const vars = [
    { name: 'y', values: yMiss, kind: 'binary' as const },
    { name: 'age', values: ageMiss, kind: 'numeric' as const },
  ];

  it('fills every gap, keeps observed values, draws 0/1 for binary and observed donors for PMM', () => {
    const sets = imputeChained(vars, [arm], 3, createRng(1));
    expect(sets.length).toBe(3);
    const observedAges = new Set(Array.from(ageMiss).filter((v) => !Number.isNaN(v)));
    for (const s of sets) {
      const [yc, ac] = s.values as [Float64Array, Float64Array];
      for (let i = 0; i < n; i++) {
        expect(Number.isNaN(yc[i]!) || Number.isNaN(ac[i]!)).toBe(false);
        if (!Number.isNaN(yMiss[i]!)) expect(yc[i]).toBe(yMiss[i]);
        else expect(yc[i] === 0 || yc[i] === 1).toBe(true);
        if (!Number.isNaN(ageMiss[i]!)) expect(ac[i]).toBe(ageMiss[i]);
        else expect(observedAges.has(ac[i]!)).toBe(true);
      }
      // The outcome's last draws are kept for the delta adjustment: value = uniform < probability.
      const d = s.draws[0]!;
      expect(d.rows.length).toBe(Array.from(yMiss).filter(Number.isNaN).length);
      for (let r = 0; r < d.rows.length; r++) expect(yc[d.rows[r]!]).toBe(d.uniform[r]! < d.prob[r]! ? 1 : 0);
      expect(s.draws[1]).toBeNull();
    }
    // Imputations differ from one another (between-imputation variability).
    expect(Array.from(sets[0]!.values[1]!)).not.toEqual(Array.from(sets[1]!.values[1]!));
  });

  it('imputed ages track the observed relation with the outcome (PMM given y and arm)', () => {
    // Older people re-offend more here (and age is discrete, so many observed rows share a PMM
    // prediction: ties must be broken at random, or the same few donors are always used).
    const sets = imputeChained(vars, [arm], 20, createRng(2));
    let s1 = 0,
      k1 = 0,
      s0 = 0,
      k0 = 0;
    for (const s of sets) {
      const [yc, ac] = s.values as [Float64Array, Float64Array];
      for (let i = 0; i < n; i++) {
        if (!Number.isNaN(ageMiss[i]!)) continue;
        if (yc[i]) {
          s1 += ac[i]!;
          k1++;
        } else {
          s0 += ac[i]!;
          k0++;
        }
      }
    }
    let o1 = 0,
      j1 = 0,
      o0 = 0,
      j0 = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(ageMiss[i]!) || Number.isNaN(yMiss[i]!)) continue;
      if (yMiss[i]) {
        o1 += age[i]!;
        j1++;
      } else {
        o0 += age[i]!;
        j0++;
      }
    }
    const imputedGap = s1 / k1 - s0 / k0;
    const observedGap = o1 / j1 - o0 / j0;
    expect(Math.sign(imputedGap)).toBe(Math.sign(observedGap));
    expect(Math.abs(imputedGap - observedGap)).toBeLessThan(Math.abs(observedGap));
  });

  it('refuses a variable with no observed value and m < 1', () => {
    expect(() =>
      imputeChained([{ name: 'z', values: new Float64Array(3).fill(NaN), kind: 'numeric' }], [], 2, createRng(1)),
    ).toThrow(/every value is missing/);
    expect(() => imputeChained(vars, [arm], 0, createRng(1))).toThrow(RangeError);
  });
});
