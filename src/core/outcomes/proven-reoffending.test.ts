import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../dates.js';
import {
  DEFAULT_RULES,
  DisposalClass,
  OutcomeAccumulator,
  deriveOutcomes,
  type OffenceArrays,
} from './proven-reoffending.js';

const P = DisposalClass.Proving;
const B = DisposalClass.Breach;
const O = DisposalClass.OtherNonProving;

/** Builds offence arrays from [person, offenceDay, disposalDay, class, severity?] rows. */
function offences(rows: Array<[number, number, number, DisposalClass, number?]>, withSeverity = false): OffenceArrays {
  return {
    person: Int32Array.from(rows.map((r) => r[0])),
    offenceDay: Int32Array.from(rows.map((r) => r[1])),
    disposalDay: Int32Array.from(rows.map((r) => r[2])),
    disposal: Uint8Array.from(rows.map((r) => r[3])),
    severity: withSeverity ? Float64Array.from(rows.map((r) => r[4] ?? NaN)) : null,
  };
}

function reconciles(e: ReturnType<typeof deriveOutcomes>['exclusions']): boolean {
  return (
    e.offences_total ===
    e.counted +
      e.on_or_before_start +
      e.after_follow_up +
      e.breach +
      e.other_disposal +
      e.disposed_after_waiting +
      e.pending_person
  );
}

describe('deriveOutcomes: the MoJ window boundaries (365-day follow-up, 183-day waiting)', () => {
  const s = daysFromCivil(2023, 1, 1);
  const asOf = s + 365 + 183; // everyone measurable

  it('an offence on the start date is not counted; the day after is', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s, s) },
      offences([
        [0, s, s + 10, P],
        [1, s + 1, s + 10, P],
      ]),
      { asOfDay: asOf },
    );
    expect([...o.reoffences]).toEqual([0, 1]);
    expect([...o.daysToReoffence]).toEqual([0, 1]);
    expect(o.exclusions.on_or_before_start).toBe(1);
  });

  it('day 365 is inside the follow-up, day 366 is not', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s, s) },
      offences([
        [0, s + 365, s + 400, P],
        [1, s + 366, s + 400, P],
      ]),
      { asOfDay: asOf },
    );
    expect([...o.reoffended]).toEqual([1, 0]);
    expect([...o.daysToReoffence]).toEqual([365, 0]);
    expect([...o.followUpDays]).toEqual([365, 365]);
    expect(o.exclusions.after_follow_up).toBe(1);
  });

  it('a disposal on day 548 (365 + 183) proves the offence, day 549 does not', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s, s) },
      offences([
        [0, s + 300, s + 548, P],
        [1, s + 300, s + 549, P],
      ]),
      { asOfDay: asOf + 1 },
    );
    expect([...o.reoffended]).toEqual([1, 0]);
    expect(o.exclusions.disposed_after_waiting).toBe(1);
  });

  it('counts offences, not appearances: three offences on one day are three re-offences', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s) },
      offences([
        [0, s + 40, s + 90, P],
        [0, s + 40, s + 90, P],
        [0, s + 40, s + 90, P],
      ]),
      { asOfDay: asOf },
    );
    expect(o.reoffences[0]).toBe(3);
    expect(o.daysToReoffence[0]).toBe(40);
  });

  it('breaches and other disposals are not re-offences', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s) },
      offences([
        [0, s + 10, s + 20, B],
        [0, s + 11, s + 20, O],
      ]),
      { asOfDay: asOf },
    );
    expect(o.reoffended[0]).toBe(0);
    expect(o.exclusions.breach).toBe(1);
    expect(o.exclusions.other_disposal).toBe(1);
  });

  it('no offences: not a re-offender, followed up for the whole 365 days', () => {
    const o = deriveOutcomes({ startDay: Int32Array.of(s) }, offences([]), { asOfDay: asOf });
    expect([o.measurable[0], o.reoffended[0], o.reoffences[0], o.daysToReoffence[0], o.followUpDays[0]]).toEqual([
      1, 0, 0, 0, 365,
    ]);
  });

  it('measurable only when as_of >= start + 548; pending people have no outcome and their re-offences are counted apart', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s, s + 1) },
      offences([
        [0, s + 5, s + 6, P],
        [1, s + 5, s + 6, P],
      ]),
      { asOfDay: s + 548 },
    );
    expect([...o.measurable]).toEqual([1, 0]);
    expect([...o.reoffences]).toEqual([1, 0]);
    expect([...o.followUpDays]).toEqual([5, 0]);
    expect(o.exclusions.counted).toBe(1);
    expect(o.exclusions.pending_person).toBe(1);
    expect(reconciles(o.exclusions)).toBe(true);
  });

  it('counts a leap day as a day: start 2024-02-28, day 365 is 2025-02-27', () => {
    const start = daysFromCivil(2024, 2, 28);
    const o = deriveOutcomes(
      { startDay: Int32Array.of(start, start) },
      offences([
        [0, daysFromCivil(2025, 2, 27), daysFromCivil(2025, 3, 1), P],
        [1, daysFromCivil(2025, 2, 28), daysFromCivil(2025, 3, 1), P],
      ]),
      { asOfDay: daysFromCivil(2026, 1, 1) },
    );
    expect([...o.reoffended]).toEqual([1, 0]);
    expect(o.daysToReoffence[0]).toBe(365);
    // Waiting period ends 2025-02-27 + 183 days = 2025-08-29.
    expect(start + 548).toBe(daysFromCivil(2025, 8, 29));
  });

  it('days to first re-offence use the earliest proven offence, whatever the file order', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s) },
      offences([
        [0, s + 200, s + 210, P],
        [0, s + 30, s + 600, P], // proven too late: not the first
        [0, s + 90, s + 95, P],
      ]),
      { asOfDay: asOf },
    );
    expect(o.reoffences[0]).toBe(2);
    expect(o.daysToReoffence[0]).toBe(90);
    expect(o.followUpDays[0]).toBe(90);
  });

  it('sums severity over proven re-offences only; an empty severity makes the sum unknown (NaN)', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s, s) },
      offences(
        [
          [0, s + 10, s + 20, P, 2.5],
          [0, s + 11, s + 20, P, 4],
          [0, s + 12, s + 20, B, 100], // breach: not added
          [1, s + 10, s + 20, P, NaN],
        ],
        true,
      ),
      { asOfDay: asOf },
    );
    expect(o.severity![0]).toBe(6.5);
    expect(Number.isNaN(o.severity![1]!)).toBe(true);
  });

  it('as_of defaults to the latest disposal day', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s) },
      offences([
        [0, s + 10, s + 20, P],
        [0, s + 10, s + 700, O],
      ]),
    );
    expect(o.asOfDay).toBe(s + 700);
    expect(o.measurable[0]).toBe(1);
  });

  it('rejects degenerate input with a clear error', () => {
    expect(() => deriveOutcomes({ startDay: Int32Array.of(s) }, offences([]))).toThrow(/no offences; give asOfDay/);
    expect(() => deriveOutcomes({ startDay: Int32Array.of(s) }, offences([[3, s, s, P]]), { asOfDay: asOf })).toThrow(
      /person index 3 is out of range/,
    );
    expect(() =>
      deriveOutcomes({ startDay: Int32Array.of(s) }, offences([]), { asOfDay: asOf, followUpDays: 0 }),
    ).toThrow(/followUpDays must be a whole number >= 1/);
  });

  it('honours other follow-up and waiting lengths', () => {
    const o = deriveOutcomes(
      { startDay: Int32Array.of(s, s) },
      offences([
        [0, s + 180, s + 270, P],
        [1, s + 181, s + 200, P],
      ]),
      { asOfDay: s + 270, followUpDays: 180, waitingDays: 90 },
    );
    expect([...o.reoffended]).toEqual([1, 0]);
    expect([...o.followUpDays]).toEqual([180, 180]);
  });
});

describe('OutcomeAccumulator', () => {
  it('classifies each offence once so the totals reconcile (random offences, 200 people)', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const start = Int32Array.from({ length: 200 }, () => 19000 + rnd(800));
    const acc = new OutcomeAccumulator(start, DEFAULT_RULES, false);
    for (let j = 0; j < 2000; j++) {
      const p = rnd(200);
      const off = start[p]! - 50 + rnd(500);
      acc.add(p, off, off + rnd(300), rnd(3) as DisposalClass, NaN);
    }
    const o = acc.finish(19000 + 1100);
    expect(o.exclusions.offences_total).toBe(2000);
    expect(reconciles(o.exclusions)).toBe(true);
    expect(o.reoffences.reduce((a, b) => a + b, 0)).toBe(o.exclusions.counted);
    expect(() => acc.finish(0)).toThrow(/twice/);
  });
});
