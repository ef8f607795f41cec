/**
 * The data schema (docs/reference/data.md) for cases and offences: which columns are known, how each cell is
 * validated and normalised. One rule table, used by `import` and by every loader that validates.
 */
import { formatDate, isoDay } from './dates.js';
import {
  DISPOSAL_TYPES,
  SEXES,
  parseBinaryCell,
  parseDateCell,
  parseEnumCell,
  parseIntegerCell,
  parseNumberCell,
  parseYesNoCell,
  percentToFraction,
  type Parsed,
} from './cells.js';
import type { DateFormat } from './dates.js';

/** Normalises one non-empty, trimmed cell to its canonical text, or says why it is invalid. */
export type CellRule = (text: string, ctx: RuleContext) => Parsed<string>;

export interface RuleContext {
  /** `--ogrs-percent`: OGRS3 given as percentages (0-100). */
  ogrsPercent: boolean;
  /** `--date-format` (default `auto`: ISO or UK day-first, never US). */
  dateFormat?: DateFormat;
  /** Turns a trimmed cell into what the rules see ('' for a missing-value token); default: as is. */
  normalise?: (text: string) => string;
}

const num =
  (min: number, max: number): CellRule =>
  (t) => {
    const r = parseNumberCell(t, min, max);
    return r.ok ? { ok: true, value: String(r.value) } : r;
  };
const int =
  (min: number, max = Infinity): CellRule =>
  (t) => {
    const r = parseIntegerCell(t, min, max);
    return r.ok ? { ok: true, value: String(r.value) } : r;
  };
const yesNo: CellRule = (t) => {
  const r = parseYesNoCell(t);
  return r.ok ? { ok: true, value: r.value ? 'yes' : 'no' } : r;
};
const date: CellRule = (t, ctx) => {
  if (isoDay(t) !== null) return { ok: true, value: t }; // a valid YYYY-MM-DD is already canonical
  const r = parseDateCell(t, ctx.dateFormat);
  return r.ok ? { ok: true, value: formatDate(r.value) } : r;
};
const text: CellRule = (t) => ({ ok: true, value: t });
const sex: CellRule = (t) => {
  const r = parseEnumCell(t.toLowerCase() === 'f' ? 'female' : t.toLowerCase() === 'm' ? 'male' : t, SEXES);
  return r.ok ? { ok: true, value: r.value } : r;
};
const binary: CellRule = (t) => {
  const r = parseBinaryCell(t);
  return r.ok ? { ok: true, value: String(r.value) } : r;
};
const ogrs3: CellRule = (t, ctx) => {
  if (ctx.ogrsPercent) {
    const r = parseNumberCell(t, 0, 100);
    if (!r.ok) return { ok: false, reason: 'expected an OGRS3 percentage in [0, 100]' };
    // A score of 1% or less is implausible as a percentage and is what a probability looks like:
    // dividing it again would turn 0.207 into 0.00207 without a word.
    if (r.value <= 1)
      return {
        ok: false,
        reason:
          'expected an OGRS3 percentage in (1, 100]: this looks like a probability already (0-1), so --ogrs-percent would divide it by 100 again: drop --ogrs-percent',
      };
    return { ok: true, value: String(percentToFraction(t)) };
  }
  const r = parseNumberCell(t, 0, 1);
  if (r.ok) return { ok: true, value: String(r.value) };
  if (r.reason.includes('--decimal-comma')) return r;
  const asPct = parseNumberCell(t, 1, 100);
  if (asPct.ok)
    return { ok: false, reason: 'expected a probability in [0, 1]; this looks like a percentage: use --ogrs-percent' };
  return { ok: false, reason: 'expected a probability in [0, 1]' };
};

export interface ColumnRule {
  rule: CellRule;
  /** Empty cells are allowed (the value is unknown / not applicable). */
  optional: boolean;
}

/** Known case columns in canonical output order. Other columns pass through as text. */
export const CASE_RULES: ReadonlyArray<[string, ColumnRule]> = [
  ['id', { rule: text, optional: false }],
  ['arm', { rule: text, optional: true }],
  ['sub_arm', { rule: text, optional: true }],
  ['start_date', { rule: date, optional: true }],
  ['site', { rule: text, optional: true }],
  ['team', { rule: text, optional: true }],
  ['stratum', { rule: text, optional: true }],
  ['sex', { rule: sex, optional: true }],
  ['age', { rule: num(10, 110), optional: true }],
  ['ogrs3', { rule: ogrs3, optional: true }],
  ['prior_convictions', { rule: int(0, 1000), optional: true }],
  ['consented', { rule: yesNo, optional: true }],
  ['received_intervention', { rule: yesNo, optional: true }],
  ['withdrawn', { rule: yesNo, optional: true }],
  ['sessions_offered', { rule: int(0, 10000), optional: true }],
  ['sessions_attended', { rule: int(0, 10000), optional: true }],
  ['budget_told', { rule: yesNo, optional: true }],
  ['enabling_fund_gbp', { rule: num(0, 1e9), optional: true }],
  ['reoffended', { rule: binary, optional: true }],
  ['reoffences', { rule: int(0, 100000), optional: true }],
  ['days_to_reoffence', { rule: int(1, 100000), optional: true }],
  ['follow_up_days', { rule: int(1, 100000), optional: true }],
  ['measurable', { rule: yesNo, optional: true }],
  ['severity', { rule: num(0, 1e12), optional: true }],
];

export const OFFENCE_RULES: ReadonlyArray<[string, ColumnRule]> = [
  ['id', { rule: text, optional: false }],
  ['offence_date', { rule: date, optional: false }],
  ['disposal_date', { rule: date, optional: false }],
  [
    'disposal_type',
    {
      rule: (t) => {
        const r = parseEnumCell(t.replace(/[\s-]+/g, '_'), DISPOSAL_TYPES);
        return r.ok ? { ok: true, value: r.value } : r;
      },
      optional: false,
    },
  ],
  ['offence_category', { rule: text, optional: true }],
  ['severity', { rule: num(0, 1e9), optional: true }],
];

export const CASE_REQUIRED = ['id'];
export const OFFENCE_REQUIRED = ['id', 'offence_date', 'disposal_date', 'disposal_type'];

export interface RowProblem {
  column: string | null;
  value: string | null;
  reason: string;
  /** A date only valid month-first: its column cannot be read safely (see parseDate). */
  monthFirst?: boolean;
}

/**
 * Validates and normalises one row given as cells in `columns` order. Returns the normalised cells
 * (same order) and the problems found; `rules` maps column name -> rule for known columns.
 */
export function validateRow(
  cells: string[],
  columns: string[],
  rules: ReadonlyMap<string, ColumnRule>,
  ctx: RuleContext,
): { values: string[]; problems: RowProblem[] } {
  const values = new Array<string>(cells.length);
  const problems: RowProblem[] = [];
  const normalise = ctx.normalise;
  for (let c = 0; c < cells.length; c++) {
    const name = columns[c]!;
    const raw = cells[c]!;
    const t = normalise ? normalise(raw.trim()) : raw.trim();
    const rule = rules.get(name);
    if (!rule) {
      values[c] = t;
      continue;
    }
    if (t === '') {
      if (!rule.optional)
        problems.push({
          column: name,
          value: raw,
          reason:
            raw.trim() === '' ? 'is required and empty' : 'is required and missing (a missing-value token such as NA)',
        });
      values[c] = '';
      continue;
    }
    const r = rule.rule(t, ctx);
    if (r.ok) values[c] = r.value;
    else {
      problems.push(
        r.monthFirst
          ? { column: name, value: raw, reason: r.reason, monthFirst: true }
          : { column: name, value: raw, reason: r.reason },
      );
      values[c] = t;
    }
  }
  return { values, problems };
}

/** Cross-field checks of a normalised case row. */
export function caseRowConsistency(get: (column: string) => string | undefined): RowProblem[] {
  const problems: RowProblem[] = [];
  const offered = get('sessions_offered');
  const attended = get('sessions_attended');
  if (offered && attended && Number(attended) > Number(offered)) {
    problems.push({
      column: 'sessions_attended',
      value: attended,
      reason: `cannot exceed sessions_offered (${offered})`,
    });
  }
  const reoffended = get('reoffended');
  const reoffences = get('reoffences');
  if (reoffended !== undefined && reoffended !== '' && reoffences !== undefined && reoffences !== '') {
    if ((reoffended === '1') !== Number(reoffences) > 0) {
      problems.push({ column: 'reoffences', value: reoffences, reason: `disagrees with reoffended = ${reoffended}` });
    }
  }
  const days = get('days_to_reoffence');
  if (reoffended === '0' && days) {
    problems.push({ column: 'days_to_reoffence', value: days, reason: 'must be empty when reoffended = 0' });
  }
  const fu = get('follow_up_days');
  if (days && fu && Number(days) > Number(fu)) {
    problems.push({ column: 'days_to_reoffence', value: days, reason: `cannot exceed follow_up_days (${fu})` });
  }
  return problems;
}
