/**
 * Calendar dates as whole day numbers (days since 1970-01-01), so date arithmetic is exact:
 * no time zones, no DST drift, a leap day counts as a day.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian; Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number. */
export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Why a date text is not accepted, or null when it is a valid date. */
export type DateParse = { ok: true; day: number } | { ok: false; reason: string; monthFirst?: boolean };

const D0 = 48; // '0'

/**
 * The day number of a valid `YYYY-MM-DD` text read straight from its character codes, or null when
 * the text is anything else (then parseDate's general path decides, with its reason). Same rules:
 * years 1900-2200, real months and days. Measured at 1M cases + 1.5M offences: `import` spent
 * ~1.5 s in the regular-expression path, which this skips for the usual cell.
 */
export function isoDay(t: string): number | null {
  if (t.length !== 10 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return null;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    const c = t.charCodeAt(i) - D0;
    if (c < 0 || c > 9) return null;
    y = y * 10 + c;
  }
  const m1 = t.charCodeAt(5) - D0;
  const m2 = t.charCodeAt(6) - D0;
  const d1 = t.charCodeAt(8) - D0;
  const d2 = t.charCodeAt(9) - D0;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null;
  const m = m1 * 10 + m2;
  const d = d1 * 10 + d2;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return daysFromCivil(y, m, d);
}

/**
 * How slash dates are read. `auto` (the default) reads ISO `YYYY-MM-DD` and UK `DD/MM/YYYY`, and
 * refuses a slash date that is only valid month-first (10/25/2019): such a value means the column
 * is written the US way, and its other dates (10/08/2019) would be misread day-first. `dmy`, `mdy`
 * and `ymd` say the order explicitly (ISO dates are unambiguous and read in every mode).
 */
export type DateFormat = 'auto' | 'dmy' | 'mdy' | 'ymd';
export const DATE_FORMATS: readonly DateFormat[] = ['auto', 'dmy', 'mdy', 'ymd'];

/** The hint given when a value can only be a month-first date (the column is then not read). */
export const MONTH_FIRST_HINT =
  'dates are read day-first (DD/MM/YYYY), and this value is only a valid date month-first (US MM/DD/YYYY), so the whole column may be month-first and its other dates would be misread: pass --date-format mdy if the file writes dates month-first (or --date-format dmy to read it day-first and list this value as an error)';

const SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const YMD_SLASH = /^(\d{4})\/(\d{2})\/(\d{2})$/;
/** A date followed by a time of day, as spreadsheets export date columns (`2019-10-08 00:00:00`). */
const DATE_TIME = /^(\S+)(?:[ T]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]00:?00)?$/;

const FORMAT_NAMES: Record<DateFormat, string> = {
  auto: 'YYYY-MM-DD or DD/MM/YYYY',
  dmy: 'YYYY-MM-DD or DD/MM/YYYY',
  mdy: 'YYYY-MM-DD or MM/DD/YYYY with --date-format mdy',
  ymd: 'YYYY-MM-DD or YYYY/MM/DD with --date-format ymd',
};

function formatHint(format: DateFormat): string {
  switch (format) {
    case 'dmy':
      return 'expected a date as YYYY-MM-DD or DD/MM/YYYY (--date-format dmy)';
    case 'mdy':
      return 'expected a date as YYYY-MM-DD or MM/DD/YYYY (--date-format mdy)';
    case 'ymd':
      return 'expected a date as YYYY-MM-DD or YYYY/MM/DD (--date-format ymd)';
    default:
      return 'expected a date as YYYY-MM-DD or DD/MM/YYYY (for US month-first dates pass --date-format mdy)';
  }
}

/**
 * Parses a date to a day number: ISO `YYYY-MM-DD` always, and slash dates in the order `format`
 * gives (default `auto`: UK day-first, never US; see DateFormat). A time of day of exactly zero
 * (`2019-10-08 00:00:00`, `08/10/2019 00:00`, as spreadsheets export dates) is accepted; any other
 * time is refused, since a date column holds dates. A value that can only be month-first has
 * `monthFirst: true`, so callers can refuse the whole column rather than half-read it.
 * @example parseDate('29/02/2024') // => { ok: true, day: 19782 } // days since 1970-01-01
 */
export function parseDate(text: string, format: DateFormat = 'auto'): DateParse {
  // The usual cell, a valid ISO date, is read from its characters (no trim, no regular expression).
  const fast = isoDay(text);
  if (fast !== null) return { ok: true, day: fast };
  let s = text.trim();
  const dt = DATE_TIME.exec(s);
  if (dt) {
    const h = +dt[2]!;
    const min = +dt[3]!;
    const sec = dt[4] === undefined ? 0 : +dt[4];
    const frac = dt[5] === undefined ? 0 : +dt[5];
    if (h !== 0 || min !== 0 || sec !== 0 || frac !== 0) {
      return {
        ok: false,
        reason: `has a time of day (${s.slice(dt[1]!.length).trim()}): a date column holds dates only; export the column as dates (in Excel, format it as a date) or remove the time`,
      };
    }
    s = dt[1]!;
    const again = isoDay(s);
    if (again !== null) return { ok: true, day: again };
  }
  let y: number;
  let m: number;
  let d: number;
  let match = ISO.exec(s);
  if (match) {
    y = +match[1]!;
    m = +match[2]!;
    d = +match[3]!;
  } else if (format === 'ymd' && (match = YMD_SLASH.exec(s))) {
    y = +match[1]!;
    m = +match[2]!;
    d = +match[3]!;
  } else if (format !== 'ymd' && (match = SLASH.exec(s))) {
    const a = +match[1]!;
    const b = +match[2]!;
    y = +match[3]!;
    if (format === 'mdy') {
      m = a;
      d = b;
    } else {
      d = a;
      m = b;
      if (format === 'auto' && m > 12 && d >= 1 && d <= 12 && y >= 1900 && y <= 2200 && m <= daysInMonth(y, d)) {
        return { ok: false, reason: MONTH_FIRST_HINT, monthFirst: true };
      }
    }
  } else {
    return { ok: false, reason: formatHint(format) };
  }
  if (y < 1900 || y > 2200) return { ok: false, reason: `year ${y} is out of range (1900-2200)` };
  if (m < 1 || m > 12) return { ok: false, reason: `month ${m} does not exist (dates are ${FORMAT_NAMES[format]})` };
  if (d < 1 || d > daysInMonth(y, m)) return { ok: false, reason: `day ${d} does not exist in ${y}-${pad2(m)}` };
  return { ok: true, day: daysFromCivil(y, m, d) };
}

/** Reads a `--date-format` option value; null when it is not one of DATE_FORMATS. */
export function dateFormatOf(text: string): DateFormat | null {
  return (DATE_FORMATS as readonly string[]).includes(text) ? (text as DateFormat) : null;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** ISO text of a day number. */
export function formatDate(day: number): string {
  const { y, m, d } = civilFromDays(day);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}
