import { describe, expect, it } from 'vitest';
import { daysFromCivil, formatDate } from '../dates.js';
import { UsageError } from '../errors.js';
import { addMonths, calendarAt, calendarFor } from './calendar.js';

// Checked against the JavaScript calendar (Date.UTC), not against the module's own arithmetic.
function jsDay(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / 86400000;
}
function jsIso(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}

describe('addMonths', () => {
  it.each([
    [2026, 1, 15, 1, '2026-02-15'],
    [2026, 1, 31, 1, '2026-02-28'],
    [2024, 1, 31, 1, '2024-02-29'],
    [2026, 11, 30, 3, '2027-02-28'],
    [2026, 5, 1, 24, '2028-05-01'],
  ])('%i-%i-%i + %i months', (y, m, d, k, want) => {
    expect(formatDate(addMonths(daysFromCivil(y, m, d), k))).toBe(want);
    expect(daysFromCivil(y, m, d)).toBe(jsDay(y, m, d));
  });
});

describe('when the answer exists', () => {
  const plan = { perMonth: 10, teams: 8, startDay: jsDay(2026, 1, 1), extractLagDays: 90 };
  it('1000 people at 80 a month: 13 months; closes 2027-02-01; analysable 365 + 183 + 90 days after the last randomisation', () => {
    const c = calendarFor(plan, 1000);
    expect(c.months).toBe(13);
    expect(c.people).toBe(1040);
    expect(jsIso(c.closesDay)).toBe('2027-02-01');
    // last randomised 2027-01-31; + 638 days
    expect(jsIso(c.analysableDay)).toBe(jsIso(jsDay(2027, 1, 31) + 365 + 183 + 90));
    expect(jsIso(c.analysableDay)).toBe('2028-10-30'); // 2028 is a leap year
  });
  it('exactly a whole number of months does not add one', () => {
    expect(calendarFor(plan, 960).months).toBe(12);
    expect(calendarFor(plan, 961).months).toBe(13);
  });
  it('follow-up and waiting periods can be changed', () => {
    const c = calendarAt({ perMonth: 30, startDay: jsDay(2026, 3, 1), followUpDays: 182, waitingDays: 0 }, 2);
    expect(jsIso(c.closesDay)).toBe('2026-05-01');
    expect(jsIso(c.analysableDay)).toBe(jsIso(jsDay(2026, 4, 30) + 182));
  });
  it('rejects a non-positive rate', () => {
    expect(() => calendarFor({ ...plan, perMonth: 0 }, 100)).toThrow(UsageError);
    expect(() => calendarFor({ ...plan, teams: 0 }, 100)).toThrow('--teams must be a whole number >= 1');
  });
});
