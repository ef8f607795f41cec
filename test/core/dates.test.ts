import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, formatDate, parseDate } from '../../src/core/dates.js';

describe('dates as whole day numbers', () => {
  it('matches R as.integer(as.Date(...))', () => {
    // R: as.integer(as.Date(c("1970-01-01","2000-02-29","2024-02-29","1900-01-01","2199-12-31")))
    //    0 11016 19782 -25567 84005
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 2, 29)).toBe(11016);
    expect(daysFromCivil(2024, 2, 29)).toBe(19782);
    expect(daysFromCivil(1900, 1, 1)).toBe(-25567);
    expect(daysFromCivil(2199, 12, 31)).toBe(84005);
  });
  it('round-trips every day from 1900 to 2200', () => {
    for (let d = daysFromCivil(1900, 1, 1); d <= daysFromCivil(2200, 12, 31); d += 1) {
      const { y, m, d: dd } = civilFromDays(d);
      expect(daysFromCivil(y, m, dd)).toBe(d);
    }
  });
  it('parses ISO and UK dates, never US month-first', () => {
    expect(parseDate('2024-02-29')).toEqual({ ok: true, day: 19782 });
    expect(parseDate('29/02/2024')).toEqual({ ok: true, day: 19782 });
    expect(parseDate('1/3/2024')).toEqual({ ok: true, day: daysFromCivil(2024, 3, 1) });
    // A value that is only a date month-first is refused and flagged, so the column is not half-read (issue 17).
    expect(parseDate('02/13/2024')).toMatchObject({
      ok: false,
      monthFirst: true,
      reason: expect.stringMatching(
        /^dates are read day-first \(DD\/MM\/YYYY\), and this value is only a valid date month-first .* --date-format mdy/,
      ),
    });
    expect(parseDate('2023-02-29')).toEqual({ ok: false, reason: 'day 29 does not exist in 2023-02' });
    expect(parseDate('2024/02/01').ok).toBe(false);
    expect(parseDate('').ok).toBe(false);
    expect(parseDate('1800-01-01')).toEqual({ ok: false, reason: 'year 1800 is out of range (1900-2200)' });
  });
  it('a year after a date spanning a leap day is 366 days later by count, 365 by window', () => {
    // The MoJ window is start + 365 days, so a leap day counts as a day.
    expect(formatDate(daysFromCivil(2023, 3, 1) + 365)).toBe('2024-02-29');
  });
});
