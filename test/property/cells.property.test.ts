/**
 * Property-based tests (fast-check) for the cell parsers, dates and the CSV writer: whatever text
 * arrives, the parsers never throw, never return a non-finite number, and accept exactly the
 * documented forms; written CSV reads back to the same (formula-neutralised) cells.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Papa from 'papaparse';
import {
  parseBinaryCell,
  parseDateCell,
  parseIntegerCell,
  parseNumberCell,
  parseYesNoCell,
} from '../../src/io/fields.js';
import { civilFromDays, daysFromCivil, daysInMonth, formatDate, parseDate } from '../../src/core/dates.js';
import { formatCsvLine, neutraliseCell } from '../../src/io/csv-writer.js';
import { plainDecimal, unsignedDecimalAt } from '../../src/core/cells.js';

const RUNS = { numRuns: 500 };
const DAY_1900 = daysFromCivil(1900, 1, 1);
const DAY_2200 = daysFromCivil(2200, 12, 31);
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

describe('number cells', () => {
  it('any text: never throws; ok only for a finite decimal inside the range', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.double({ noNaN: true }), fc.double({ noNaN: true }), (t, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const r = parseNumberCell(t, min, max);
        if (r.ok) {
          expect(Number.isFinite(r.value)).toBe(true);
          expect(r.value >= min && r.value <= max).toBe(true);
          expect(NUMBER.test(t)).toBe(true);
        } else expect(r.reason.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
  it('the plain-decimal fast path is exactly Number(text), sign of zero included', () => {
    const digits = fc.string({
      unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
      maxLength: 18,
    });
    fc.assert(
      fc.property(fc.constantFrom('', '-', '+'), digits, fc.boolean(), digits, (sign, a, point, b) => {
        const t = `${sign}${a}${point ? '.' : ''}${point ? b : ''}`;
        const v = plainDecimal(t);
        if (!Number.isNaN(v)) expect(Object.is(v, Number(t))).toBe(true);
        else expect(a.length + (point ? b.length : 0) === 0 || a.length + (point ? b.length : 0) > 15).toBe(true);
        // The byte version, read in place from the middle of a buffer: the same, without a sign.
        const bytes = Buffer.from(`x,${t},y`, 'latin1');
        const u = unsignedDecimalAt(bytes, 2, 2 + t.length);
        expect(Object.is(u, sign === '' ? v : NaN)).toBe(true);
        const r = parseNumberCell(t);
        if (NUMBER.test(t)) expect(r.ok && Object.is(r.value, Number(t))).toBe(true);
        else expect(r.ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
    for (const t of [
      '0.1',
      '0.878',
      '5.7',
      '-0',
      '-0.0',
      '.5',
      '5.',
      '007',
      '999999999999999',
      '0.00000000000001',
      '123456789.123456',
    ])
      expect(Object.is(plainDecimal(t), Number(t))).toBe(true);
    for (const t of ['', '.', '-', '1e3', '1,5', '1.2.3', ' 1', '1 ', '0x10', 'Infinity', '1234567890123456'])
      expect(plainDecimal(t)).toBeNaN();
  });
  it('every finite double written by String() reads back exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const r = parseNumberCell(String(d));
        expect(r.ok && Object.is(r.value, d === 0 ? r.value : d)).toBe(true);
      }),
      RUNS,
    );
  });
  it('NaN, Infinity, hex, thousands separators and internal spaces are refused', () => {
    for (const t of [
      'NaN',
      'nan',
      'Infinity',
      '-Infinity',
      'inf',
      '0x1F',
      '1,000',
      '1 000',
      '1e400',
      '-1e400',
      '',
      '.',
      'e5',
      '1e',
      '--1',
      '1..2',
    ]) {
      expect(parseNumberCell(t).ok, t).toBe(false);
    }
  });
  it('integers: safe integers round-trip, decimals and exponents are refused', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const r = parseIntegerCell(String(n));
        expect(r.ok && r.value === n).toBe(true);
        expect(parseIntegerCell(`${n}.5`).ok).toBe(false);
        expect(parseIntegerCell(`${n}e1`).ok).toBe(false);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 25 }), (t) => {
        const r = parseIntegerCell(t);
        if (r.ok) expect(Number.isSafeInteger(r.value)).toBe(true);
      }),
      RUNS,
    );
  });
  it('yes/no and 0/1 cells: total functions of the text, case-insensitive', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 6, unit: 'grapheme-ascii' }),
          fc.constantFrom('yes', 'No', 'TRUE', 'y', '1', '0'),
        ),
        (t) => {
          const yn = parseYesNoCell(t);
          const b = parseBinaryCell(t);
          expect(parseYesNoCell(t.toUpperCase())).toEqual(parseYesNoCell(t.toLowerCase()));
          if (yn.ok) expect(b.ok && b.value === (yn.value ? 1 : 0)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

describe('dates', () => {
  it('day numbers and civil dates are inverse over 1900-2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: DAY_1900, max: DAY_2200 }), (day) => {
        const { y, m, d } = civilFromDays(day);
        expect(daysFromCivil(y, m, d)).toBe(day);
        expect(d >= 1 && d <= daysInMonth(y, m)).toBe(true);
      }),
      RUNS,
    );
  });
  it('ISO and UK forms of the same day parse to it; the ISO text is canonical', () => {
    fc.assert(
      fc.property(fc.integer({ min: DAY_1900, max: DAY_2200 }), (day) => {
        const iso = formatDate(day);
        const { y, m, d } = civilFromDays(day);
        const uk = `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`;
        expect(parseDate(iso)).toEqual({ ok: true, day });
        expect(parseDate(uk)).toEqual({ ok: true, day });
        const cell = parseDateCell(` ${iso} `);
        expect(cell.ok && cell.value === day).toBe(true);
      }),
      RUNS,
    );
  });
  it('impossible calendar dates are refused, whatever the numbers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2200 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (y, m, d) => {
          const valid = m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
          const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(parseDate(iso).ok).toBe(valid);
          const uk = `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`;
          expect(parseDate(uk).ok).toBe(valid);
        },
      ),
      RUNS,
    );
  });
  it('any text: never throws; an accepted date formats back to a valid ISO date in range', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 14 }), (t) => {
        const r = parseDate(t);
        if (r.ok) {
          expect(r.day >= DAY_1900 && r.day <= DAY_2200).toBe(true);
          expect(parseDate(formatDate(r.day))).toEqual(r);
        }
      }),
      RUNS,
    );
  });
});

describe('CSV output', () => {
  it('a neutralised cell never starts a formula unless it is a plain number, and only a quote is added', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('a;=HYPERLINK("x")', 'x;"+1";-2', ';@SUM(A1)')),
        (t) => {
          const n = neutraliseCell(t);
          // Each ;-separated part (a cell of its own for Excel in a ;-locale) is as written or gets a
          // leading quote, and none starts a formula unless it is a plain number.
          const parts = n.split(';');
          const orig = t.split(';');
          expect(parts.length).toBe(orig.length);
          parts.forEach((p, i) => {
            expect(p === orig[i] || p === `'${orig[i]}`).toBe(true);
            const body = i === 0 ? p : p.replace(/^"*/, '');
            if (FORMULA_START.test(body)) expect(NUMBER.test(body)).toBe(true);
          });
        },
      ),
      RUNS,
    );
  });
  it('a written record reads back (RFC 4180) to the neutralised cells', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('=1+1', '+44', '-3', '@SUM(A1)', '\tx', '\rx', 'a,b', 'say "hi"', 'line\nbreak', ' edge '),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 6 }), (cells) => {
        const line = formatCsvLine(cells);
        const parsed = Papa.parse<string[]>(`${line}\n`, {
          header: false,
          skipEmptyLines: false,
          newline: '\n',
          delimiter: ',',
        });
        expect(parsed.data[0]).toEqual(cells.map(neutraliseCell));
      }),
      RUNS,
    );
  });
});
