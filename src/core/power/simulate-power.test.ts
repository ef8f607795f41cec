import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { createRng } from '../random.js';
import { binaryPower } from './binary-power.js';
import { simulateBinaryPower } from './simulate-power.js';

describe('simulated power for a binary outcome', () => {
  it('is reproducible from the seed', () => {
    const spec = { p1: 0.35, p2: 0.25, n: 200, clusterSize: 20, icc: 0.03, reps: 60 };
    expect(simulateBinaryPower(spec, createRng(5))).toEqual(simulateBinaryPower(spec, createRng(5)));
    expect(simulateBinaryPower(spec, createRng(6)).power).not.toBeNaN();
  });
  it('individual design agrees with the normal approximation within 4 MCSE', () => {
    // Analytic: power.prop.test(n = 150, p1 = .3, p2 = .5)$power
    const analytic = binaryPower(0.3, 0.5, 150);
    const r = simulateBinaryPower({ p1: 0.3, p2: 0.5, n: 150, reps: 800 }, createRng(3));
    expect(Math.abs(r.power - analytic)).toBeLessThan(4 * r.power_mcse);
    expect(r.design).toBe('individual');
    // The glm log OR is close to unbiased at this size; Wald coverage close to 95%.
    expect(Math.abs(r.bias!)).toBeLessThan(0.05);
    expect(r.coverage!).toBeGreaterThan(0.92);
    expect(r.truth).toBeCloseTo(Math.log((0.5 / 0.5) / (0.3 / 0.7)), 14);
  });
  it('cluster design under the null rejects at about alpha', () => {
    const r = simulateBinaryPower({ p1: 0.3, p2: 0.3, n: 500, clusterSize: 25, icc: 0.05, reps: 600 }, createRng(8));
    expect(r.clusters).toBe(40);
    expect(r.power).toBeGreaterThan(0.02);
    expect(r.power).toBeLessThan(0.1);
    expect(r.coverage!).toBeGreaterThan(0.9);
  });
  it('clustering costs power: icc 0.1 has less power than icc 0', () => {
    const base = { p1: 0.35, p2: 0.25, n: 400, clusterSize: 20, reps: 400 };
    const r0 = simulateBinaryPower({ ...base, icc: 0 }, createRng(2));
    const r1 = simulateBinaryPower({ ...base, icc: 0.1 }, createRng(2));
    expect(r0.power - r1.power).toBeGreaterThan(4 * Math.hypot(r0.power_mcse, r1.power_mcse));
  });
  it.each([
    [{ p1: 0.3, p2: 1, n: 100, reps: 10 }, '--p2 must be a proportion strictly between 0 and 1, got 1'],
    [{ p1: 0.3, p2: 0.2, n: 20, clusterSize: 25, icc: 0.05, reps: 10 }, '--n 20 with --cluster-size 25 gives 1 cluster per arm; cluster-robust analysis needs at least 2 per arm'],
    [{ p1: 0.3, p2: 0.2, n: 100, reps: 0 }, '--simulate must be a whole number of replicates >= 1, got 0'],
  ])('usage error %#', (spec, message) => {
    const f = (): unknown => simulateBinaryPower(spec, createRng(1));
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });
});
