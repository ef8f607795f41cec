import { describe, expect, it } from 'vitest';
import { DisposalClass, deriveOutcomes } from './proven-reoffending.js';
import { groupRows, kmCumulativeIncidence, median, summariseOutcomes } from './summarise-outcomes.js';

const P = DisposalClass.Proving;

/**
 * Worked example (day numbers relative to a common start s; 365-day follow-up, 183-day waiting,
 * as_of = s + 553):
 *   A control    offences day 10, 10 (same day), 200 (caution)  -> 3 re-offences, first on day 10; severity 1+1+2 = 4
 *   B control    day 0 (the start date: not counted), day 50 breach -> 0
 *   C control    day 100 proven on day 600 (too late), day 366 (after follow-up) -> 0
 *   D treatment  day 30 -> 1, first day 30; severity 5
 *   E treatment  day 365 proven on day 548 (both limits) -> 1, first day 365; severity 0.5
 *   F treatment  starts s+10, so measurable only from s+558 > as_of: pending; its day-20 offence is counted apart
 *   G treatment  no offences -> 0
 * control:   3 measurable, 1 re-offender (1/3), 3 re-offences (1 per offender, 3 per re-offender),
 *            median days 10, severity 4/3
 * treatment: 4 people, 3 measurable, 1 pending, 2 re-offenders (2/3), 2 re-offences (2/3 per
 *            offender, 1 per re-offender), median (30 + 365) / 2 = 197.5, severity (5 + 0.5 + 0) / 3
 */
function workedExample() {
  const s = 19358; // 2023-01-01
  const startDay = Int32Array.of(s, s, s, s, s, s + 10, s);
  const rows: Array<[number, number, number, DisposalClass, number]> = [
    [0, 10, 40, P, 1],
    [0, 10, 40, P, 1],
    [0, 200, 210, P, 2],
    [1, 0, 5, P, 9],
    [1, 50, 60, DisposalClass.Breach, 9],
    [2, 100, 600, P, 9],
    [2, 366, 370, P, 9],
    [3, 30, 31, P, 5],
    [4, 365, 548, P, 0.5],
    [5, 30, 40, P, 9],
  ];
  const outcomes = deriveOutcomes(
    { startDay },
    {
      person: Int32Array.from(rows.map((r) => r[0])),
      offenceDay: Int32Array.from(rows.map((r) => s + r[1])),
      disposalDay: Int32Array.from(rows.map((r) => s + r[2])),
      disposal: Uint8Array.from(rows.map((r) => r[3])),
      severity: Float64Array.from(rows.map((r) => r[4])),
    },
    { asOfDay: s + 553 },
  );
  const arm = ['control', 'control', 'control', 'treatment', 'treatment', 'treatment', 'treatment'];
  return { outcomes, arm };
}

describe('summariseOutcomes: worked example', () => {
  const { outcomes, arm } = workedExample();
  const [control, treatment] = summariseOutcomes(outcomes, groupRows(['arm'], [arm], 7));

  it('leaves withdrawn people (lost to follow-up) out of the rates and counts them', () => {
    // Withdraw the first control person: control then has 2 measurable people.
    const withdrawn = new Uint8Array(7);
    const firstControl = arm.indexOf('control');
    withdrawn[firstControl] = 1;
    const [c] = summariseOutcomes(outcomes, groupRows(['arm'], [arm], 7), withdrawn);
    expect(c!.n_cohort).toBe(3);
    expect(c!.n_withdrawn).toBe(1);
    expect(c!.n_measurable).toBe(2);
    expect(c!.n_pending).toBe(0);
    expect(c!.reoffenders).toBe(control!.reoffenders - outcomes.reoffended[firstControl]!);
    expect(c!.binary_rate).toBe(c!.reoffenders / 2);
  });

  it('control arm', () => {
    expect(control).toEqual({
      group: { arm: 'control' },
      n_cohort: 3,
      n_measurable: 3,
      n_pending: 0,
      n_withdrawn: 0,
      reoffenders: 1,
      binary_rate: 1 / 3,
      reoffences: 3,
      frequency_per_offender: 1,
      frequency_per_reoffender: 3,
      median_days_to_first: 10,
      severity_per_offender: 4 / 3,
      n_severity_missing: 0,
      km_reoffending_365: expect.closeTo(1 / 3, 12),
    });
  });

  it('treatment arm (one pending person left out of the rates)', () => {
    expect(treatment).toEqual({
      group: { arm: 'treatment' },
      n_cohort: 4,
      n_measurable: 3,
      n_pending: 1,
      n_withdrawn: 0,
      reoffenders: 2,
      binary_rate: 2 / 3,
      reoffences: 2,
      frequency_per_offender: 2 / 3,
      frequency_per_reoffender: 1,
      median_days_to_first: 197.5,
      severity_per_offender: 5.5 / 3,
      n_severity_missing: 0,
      km_reoffending_365: expect.closeTo(2 / 3, 12),
    });
  });

  it('offence totals reconcile with the group totals', () => {
    expect(outcomes.exclusions).toEqual({
      offences_total: 10,
      counted: 5,
      on_or_before_start: 1,
      after_follow_up: 1,
      breach: 1,
      other_disposal: 0,
      disposed_after_waiting: 1,
      pending_person: 1,
    });
    expect(control!.reoffences + treatment!.reoffences).toBe(outcomes.exclusions.counted);
  });

  it('whole cohort when there are no grouping columns', () => {
    const [all] = summariseOutcomes(outcomes, groupRows([], [], 7));
    expect(all!.group).toEqual({});
    expect([all!.n_cohort, all!.n_measurable, all!.n_pending, all!.reoffenders, all!.reoffences]).toEqual([
      7, 6, 1, 3, 5,
    ]);
    expect(all!.binary_rate).toBe(0.5);
    expect(all!.median_days_to_first).toBe(30);
  });

  it('null (never NaN) where a measure is undefined', () => {
    const nobody = summariseOutcomes(
      deriveOutcomes(
        { startDay: Int32Array.of(19358) },
        {
          person: new Int32Array(0),
          offenceDay: new Int32Array(0),
          disposalDay: new Int32Array(0),
          disposal: new Uint8Array(0),
          severity: null,
        },
        { asOfDay: 19358 },
      ),
      groupRows([], [], 1),
    )[0]!;
    expect(nobody.n_pending).toBe(1);
    expect([
      nobody.binary_rate,
      nobody.frequency_per_offender,
      nobody.frequency_per_reoffender,
      nobody.median_days_to_first,
      nobody.severity_per_offender,
      nobody.n_severity_missing,
      nobody.km_reoffending_365,
    ]).toEqual([null, null, null, null, null, null, null]);
  });
});

describe('groupRows', () => {
  it('sorts groups by their values, column by column', () => {
    const g = groupRows(
      ['arm', 'site'],
      [
        ['t', 'c', 't', 'c'],
        ['b', 'b', 'a', 'b'],
      ],
      4,
    );
    expect(g.keys).toEqual([
      ['c', 'b'],
      ['t', 'a'],
      ['t', 'b'],
    ]);
    expect([...g.index]).toEqual([2, 0, 1, 0]);
  });
});

describe('median', () => {
  it('is the mean of the middle two for an even count, as R', () => {
    // R: median(c(30L, 10L, 20L, 40L)) -> 25
    expect(median(Int32Array.of(30, 10, 20, 40))).toBe(25);
    expect(median(Int32Array.of(7, 1, 3))).toBe(3);
    expect(median(new Int32Array(0))).toBeNull();
  });
});

describe('kmCumulativeIncidence', () => {
  it('matches R survfit with censoring and ties', () => {
    // R: library(survival); t <- c(2,3,3,5,5,5,8,9,12,12); e <- c(1,0,1,1,1,0,0,1,1,0)
    //    1 - summary(survfit(Surv(t, e) ~ 1), times = c(4, 6, 10, 12, 400), extend = TRUE)$surv
    //    -> 0.200000000000000 0.428571428571429 0.619047619047619 0.809523809523810 0.809523809523810
    const t = [2, 3, 3, 5, 5, 5, 8, 9, 12, 12];
    const e = [1, 0, 1, 1, 1, 0, 0, 1, 1, 0];
    const expected = [0.2, 0.428571428571429, 0.619047619047619, 0.80952380952381, 0.80952380952381];
    [4, 6, 10, 12, 400].forEach((day, k) => expect(kmCumulativeIncidence(t, e, day)).toBeCloseTo(expected[k]!, 12));
    expect(kmCumulativeIncidence(t, e, 1)).toBe(0);
    expect(kmCumulativeIncidence([], [], 365)).toBeNull();
  });
});
