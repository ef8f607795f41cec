/**
 * Property-based tests (fast-check) of statistical invariants, through the pure functions:
 * intervals contain their estimate, rates stay in [0, 1], swapping the arms mirrors the effect,
 * identical arms show no effect, permuting the labels of identical arms gives p = 1, and power
 * rises with the sample size.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binaryEffects } from '../../src/core/analysis/binary-effects.js';
import { buildUnits, permutationTest, bootstrapCi } from '../../src/core/analysis/resampling.js';
import { binaryPower, binarySampleSize, cohensH } from '../../src/core/power/binary-power.js';
import { createRng } from '../../src/core/random.js';

const RUNS = { numRuns: 200 };
/** A 2 x 2 table with at least one person per arm. */
const table = fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 400 })).chain(([nT, nC]) =>
  fc.record({
    nT: fc.constant(nT),
    nC: fc.constant(nC),
    eventsT: fc.integer({ min: 0, max: nT }),
    eventsC: fc.integer({ min: 0, max: nC }),
  }),
);

const row = (rows: ReturnType<typeof binaryEffects>, measure: string) => rows.find((r) => r.measure === measure)!;

describe('binary effects from any 2 x 2 table', () => {
  it('never yields NaN or Infinity; every interval contains its estimate; p-values lie in [0, 1]', () => {
    fc.assert(
      fc.property(table, fc.constantFrom(0.01, 0.05, 0.1), (t, alpha) => {
        const rows = binaryEffects('reoffended', t, alpha, []);
        for (const r of rows) {
          for (const v of [r.estimate, r.std_error, r.conf_low, r.conf_high, r.statistic, r.p_value]) {
            if (v !== null) expect(Number.isFinite(v), `${r.measure} ${JSON.stringify(t)}`).toBe(true);
          }
          if (r.p_value !== null) expect(r.p_value >= 0 && r.p_value <= 1 + 1e-12).toBe(true);
          if (r.estimate !== null && r.conf_low !== null && r.conf_high !== null && r.measure !== 'nnt') {
            expect(
              r.conf_low <= r.estimate + 1e-12 && r.estimate <= r.conf_high + 1e-12,
              `${r.measure} ${JSON.stringify(t)}`,
            ).toBe(true);
          }
        }
        const rd = row(rows, 'risk_difference').estimate!;
        expect(rd).toBeCloseTo(t.eventsT / t.nT - t.eventsC / t.nC, 12);
        expect(rd >= -1 && rd <= 1).toBe(true);
      }),
      RUNS,
    );
  });
  it('swapping the arms negates the risk difference and inverts the odds ratio', () => {
    fc.assert(
      fc.property(table, (t) => {
        const a = binaryEffects('r', t, 0.05, []);
        const b = binaryEffects('r', { eventsT: t.eventsC, nT: t.nC, eventsC: t.eventsT, nC: t.nT }, 0.05, []);
        expect(row(b, 'risk_difference').estimate! + row(a, 'risk_difference').estimate!).toBeCloseTo(0, 12);
        expect(row(b, 'risk_difference').p_value ?? -1).toBeCloseTo(row(a, 'risk_difference').p_value ?? -1, 10);
        const orA = row(a, 'odds_ratio').estimate;
        const orB = row(b, 'odds_ratio').estimate;
        if (orA !== null && orB !== null) expect(orA * orB).toBeCloseTo(1, 9);
      }),
      RUNS,
    );
  });
  it('identical arms: no effect (difference 0, ratios 1, p = 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n - 1 }))),
        ([n, e]) => {
          const rows = binaryEffects('r', { eventsT: e, nT: n, eventsC: e, nC: n }, 0.05, []);
          expect(row(rows, 'risk_difference').estimate).toBe(0);
          expect(row(rows, 'risk_ratio').estimate).toBeCloseTo(1, 12);
          expect(row(rows, 'odds_ratio').estimate).toBeCloseTo(1, 12);
          expect(row(rows, 'risk_difference').p_value).toBeCloseTo(1, 12);
          expect(row(rows, 'fisher_exact').p_value).toBeCloseTo(1, 9);
        },
      ),
      RUNS,
    );
  });
});

describe('resampling', () => {
  it('permuting the arm labels of identical arms gives no effect: observed 0, p = 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 1000 }),
        (half, seed) => {
          // Each person in treatment has a twin in control with the same outcome.
          const y = [...half, ...half];
          const arm = [...half.map(() => 1), ...half.map(() => 0)];
          const unit = y.map((_, i) => i);
          const units = buildUnits(y, arm, unit, y.length, null);
          const p = permutationTest('difference', units, 99, createRng(seed));
          expect(p.observed).toBe(0);
          expect(p.p_value).toBe(1);
        },
      ),
      { numRuns: 60 },
    );
  });
  it('bootstrap interval of a binary difference stays in [-1, 1] and is ordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 4,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 1000 }),
        (people, seed) => {
          const y = people.map(([v]) => v);
          const arm = people.map(([, a], i) => (i < 2 ? i : a)); // both arms present
          const units = buildUnits(
            y,
            arm,
            y.map((_, i) => i),
            y.length,
            null,
          );
          const b = bootstrapCi('difference', units, 99, 0.05, createRng(seed));
          expect(b.conf_low <= b.conf_high).toBe(true);
          expect(b.conf_low >= -1 && b.conf_high <= 1).toBe(true);
          expect(b.observed >= -1 && b.observed <= 1).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('binary power', () => {
  const rates = fc
    .tuple(fc.double({ min: 0.02, max: 0.98, noNaN: true }), fc.double({ min: 0.02, max: 0.98, noNaN: true }))
    .filter(([a, b]) => Math.abs(a - b) > 0.01);
  it('power lies in [alpha/2, 1] and rises with n; the sample size for a power reaches it', () => {
    fc.assert(
      fc.property(rates, fc.integer({ min: 5, max: 5000 }), ([p1, p2], n) => {
        const a = binaryPower(p1, p2, n);
        const b = binaryPower(p1, p2, n * 2);
        expect(a >= 0.025 - 1e-9 && a <= 1).toBe(true);
        expect(b >= a - 1e-12).toBe(true);
        const need = binarySampleSize(p1, p2, 0.8);
        expect(binaryPower(p1, p2, need)).toBeCloseTo(0.8, 6);
        expect(cohensH(p1, p2) + cohensH(p2, p1)).toBeCloseTo(0, 12);
      }),
      RUNS,
    );
  });
});
