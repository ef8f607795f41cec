import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../core/dates.js';
import { calendarCurveSvg, monthTicks } from './power-curve-svg.js';

describe('calendar curve SVG', () => {
  it('ticks fall on the first of a month', () => {
    expect(
      monthTicks(daysFromCivil(2027, 2, 1), daysFromCivil(2027, 7, 1)).map((d) =>
        new Date(d * 86400000).toISOString().slice(0, 10),
      ),
    ).toEqual(['2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01', '2027-07-01']);
    expect(
      monthTicks(daysFromCivil(2027, 2, 1), daysFromCivil(2031, 1, 1)).map((d) =>
        new Date(d * 86400000).toISOString().slice(0, 10),
      ),
    ).toEqual(['2028-01-01', '2029-01-01', '2030-01-01', '2031-01-01']);
  });
  it('draws the MDES against dates with its own vertical scale', () => {
    const pts = [0, 1, 2, 3].map((i) => ({ day: daysFromCivil(2027, 1 + i, 1), value: 0.5 - 0.1 * i }));
    const svg = calendarCurveSvg(pts, { title: 'MDES by closing date', yLabel: 'mdes', yMax: 0.5 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>2027-02-01<');
    expect(svg).toContain('>mdes<');
    // The top grid line is labelled with yMax, not 1.0.
    expect(svg).toContain('>0.5<');
    expect(svg).not.toContain('>1.0<');
    expect(svg).toContain('<polyline');
  });
});
