/**
 * Loads what proven re-offending outcomes are derived from: the cases file (id, start_date and every
 * other column, kept as text for grouping and for the per-person output) and the offences file,
 * which is streamed and validated row by row straight into an OutcomeAccumulator (the raw offence
 * text is never held). Every problem is a located DataProblem; up to 20 are listed with the total.
 */
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { DataError, UsageError, MAX_REPORTED_PROBLEMS, type DataProblem } from '../core/errors.js';
import { daysFromCivil, daysInMonth, formatDate } from '../core/dates.js';
import {
  DEFAULT_RULES,
  DisposalClass,
  OutcomeAccumulator,
  type OutcomeRules,
  type PersonOutcomes,
} from '../core/outcomes/proven-reoffending.js';
import { IdIndex } from '../core/outcomes/id-index.js';
import { readCsv } from './csv-reader.js';
import { canonicalHeader, mapFor, type ColumnMaps } from './column-map.js';
import { missingColumnsError, readTable, trimCell, type TextTable } from './table.js';
import { DISPOSAL_TYPES, NON_PROVING_DISPOSALS, parseDateCell, parseNumberCell, type DisposalType } from './fields.js';

export interface OutcomeInputOptions {
  delimiter?: string;
  /** `--map` column maps (cases and offences sections apply). */
  maps?: ColumnMaps | null;
  /** Case columns to keep as text besides id and start_date (default: all of them). */
  caseColumns?: readonly string[];
}

/** Cases ready for outcome derivation: start days as day numbers, every column as text. */
export interface OutcomeCases {
  table: TextTable;
  ids: string[];
  startDay: Int32Array;
  /** id -> row index. */
  indexOf: IdIndex;
}

/** Collects located problems: the first 20 in full, then only the count. */
class ProblemList {
  readonly shown: DataProblem[] = [];
  total = 0;
  add(p: DataProblem): void {
    this.total++;
    if (this.shown.length < MAX_REPORTED_PROBLEMS) this.shown.push(p);
  }
  throwIfAny(): void {
    if (this.total > 0) throw new DataError(this.shown, this.total);
  }
}

/**
 * Reads the cases file: `id` (unique, non-empty) and `start_date` (a valid date) are required for
 * every row.
 */
export async function loadCasesForOutcomes(path: string, options: OutcomeInputOptions = {}): Promise<OutcomeCases> {
  const table = await readTable(path, {
    delimiter: options.delimiter,
    map: mapFor(options.maps ?? null, 'cases'),
    required: ['id', 'start_date'],
    columns: options.caseColumns,
  });
  const file = table.file;
  if (table.n === 0) {
    throw new DataError({ file, line: 1, column: null, value: null, reason: 'has a header but no cases: there is no one to derive re-offending outcomes for' });
  }
  const ids = table.cells.get('id')!;
  const starts = table.cells.get('start_date')!;
  const startDay = new Int32Array(table.n);
  const indexOf = new IdIndex(ids);
  const dates = new DateCache();
  const problems = new ProblemList();
  for (let i = 0; i < table.n; i++) {
    const line = table.lines[i]!;
    const id = ids[i]!;
    if (id === '') {
      problems.add({ file, line, column: 'id', value: '', reason: 'id is empty: every case needs an identifier' });
    } else {
      const prev = indexOf.addRow(i);
      if (prev !== undefined) {
        problems.add({ file, line, column: 'id', value: id, reason: `duplicate id (first on line ${table.lines[prev]})` });
      }
    }
    const s = starts[i]!;
    if (s === '') {
      problems.add({ file, line, column: 'start_date', value: '', reason: 'start_date is empty: proven re-offending needs each case\'s start date (release, order start or caution)' });
      continue;
    }
    const d = dates.parse(s);
    if (typeof d === 'number') startDay[i] = d;
    else problems.add({ file, line, column: 'start_date', value: s, reason: d });
  }
  problems.throwIfAny();
  return { table, ids, startDay, indexOf };
}

export interface OffenceStreamResult {
  outcomes: PersonOutcomes;
  asOfDay: number;
  /** The as-of date came from the offences file (the latest disposal date). */
  asOfDefaulted: boolean;
  hasSeverity: boolean;
  offenceRows: number;
}

const REQUIRED_OFFENCE_COLUMNS = ['id', 'offence_date', 'disposal_date', 'disposal_type'];

const D0 = 48; // '0'

/**
 * The day number of a valid `YYYY-MM-DD` text read straight from its character codes, or null when
 * the text is anything else (then `parseDateCell` decides, with its reason). Same rules as
 * parseDate: years 1900-2200, real months and days. Saves a hash lookup per date cell.
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

/** Date text -> day number or reason; dates repeat a great deal in offence files. */
class DateCache {
  private readonly cache = new Map<string, number | string>();
  parse(text: string): number | string {
    const iso = isoDay(text);
    if (iso !== null) return iso;
    let v = this.cache.get(text);
    if (v === undefined) {
      const d = parseDateCell(text);
      v = d.ok ? d.value : d.reason;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(text, v);
    }
    return v;
  }
}

const DISPOSAL_CLASS = new Map<string, DisposalClass>(
  DISPOSAL_TYPES.map((t: DisposalType) => [
    t,
    !NON_PROVING_DISPOSALS.has(t) ? DisposalClass.Proving : t === 'breach' ? DisposalClass.Breach : DisposalClass.OtherNonProving,
  ]),
);

/**
 * Streams and validates the offences file into per-person outcomes. Problems: unknown ids, empty or
 * invalid dates, disposal before offence, unknown disposal types, negative or non-numeric severity,
 * wrong number of fields.
 */
export async function streamOffences(
  path: string,
  cases: OutcomeCases,
  options: OutcomeInputOptions & { rules?: OutcomeRules; asOfDay?: number; casesFile?: string } = {},
): Promise<OffenceStreamResult> {
  const file = path === '-' ? '<stdin>' : path;
  const casesFile = options.casesFile ?? cases.table.file;
  const rules = options.rules ?? DEFAULT_RULES;
  const problems = new ProblemList();
  const dates = new DateCache();
  const state: { acc: OutcomeAccumulator | null } = { acc: null };
  let width = 0;
  let col = { id: -1, offence: -1, disposal: -1, type: -1, severity: -1 };
  let maxDisposal = -Infinity;
  const indexOf = cases.indexOf;

  const result = await readCsv(
    path,
    { delimiter: options.delimiter, displayName: file },
    (header) => {
      const names = canonicalHeader(header, mapFor(options.maps ?? null, 'offences'), file);
      const missing = REQUIRED_OFFENCE_COLUMNS.filter((c) => !names.includes(c));
      if (missing.length) throw missingColumnsError(file, header, missing, options.delimiter ?? ',');
      width = names.length;
      col = {
        id: names.indexOf('id'),
        offence: names.indexOf('offence_date'),
        disposal: names.indexOf('disposal_date'),
        type: names.indexOf('disposal_type'),
        severity: names.indexOf('severity'),
      };
      state.acc = new OutcomeAccumulator(cases.startDay, rules, col.severity >= 0);
    },
    (batch) => {
      const a = state.acc!;
      for (let r = 0; r < batch.fields.length; r++) {
        const row = batch.fields[r]!;
        const line = batch.lines[r]!;
        if (row.length !== width) {
          problems.add({ file, line, column: null, value: null, reason: `has ${row.length} field(s) but the header has ${width}` });
          continue;
        }
        const before = problems.total;
        const id = trimCell(row[col.id]!);
        const person = indexOf.get(id);
        if (person === undefined) {
          problems.add({ file, line, column: 'id', value: id, reason: id === '' ? 'id is empty' : `id is not in the cases file ${casesFile}` });
        }
        const offence = dateCell(row[col.offence]!, 'offence_date', line);
        const disposal = dateCell(row[col.disposal]!, 'disposal_date', line);
        if (typeof offence === 'number' && typeof disposal === 'number' && disposal < offence) {
          problems.add({
            file,
            line,
            column: 'disposal_date',
            value: row[col.disposal]!.trim(),
            reason: `disposal_date ${formatDate(disposal)} is before offence_date ${formatDate(offence)}: a conviction or caution cannot precede the offence`,
          });
        }
        const typeText = trimCell(row[col.type]!);
        const cls = DISPOSAL_CLASS.get(typeText) ?? DISPOSAL_CLASS.get(typeText.toLowerCase());
        if (cls === undefined) {
          problems.add({
            file,
            line,
            column: 'disposal_type',
            value: typeText,
            reason: typeText === '' ? `disposal_type is empty: expected one of ${DISPOSAL_TYPES.join(', ')}` : `expected one of ${DISPOSAL_TYPES.join(', ')}`,
          });
        }
        let severity = NaN;
        if (col.severity >= 0) {
          const s = trimCell(row[col.severity]!);
          if (s !== '') {
            const v = parseNumberCell(s, 0);
            if (v.ok) severity = v.value;
            else problems.add({ file, line, column: 'severity', value: s, reason: v.reason });
          }
        }
        if (problems.total !== before) continue;
        const dDay = disposal!;
        if (dDay > maxDisposal) maxDisposal = dDay;
        a.add(person!, offence!, dDay, cls!, severity);
      }
    },
  );

  function dateCell(raw: string, column: string, line: number): number | null {
    const text = trimCell(raw);
    if (text === '') {
      problems.add({ file, line, column, value: '', reason: `${column} is empty: a date (YYYY-MM-DD or DD/MM/YYYY) is required` });
      return null;
    }
    const v = dates.parse(text);
    if (typeof v === 'string') {
      problems.add({ file, line, column, value: text, reason: v });
      return null;
    }
    return v;
  }

  problems.throwIfAny();
  let asOfDay = options.asOfDay;
  const asOfDefaulted = asOfDay === undefined;
  if (asOfDay === undefined) {
    if (maxDisposal === -Infinity) {
      throw new UsageError(`${file} has no offences, so --as-of cannot default to its latest disposal date: give --as-of YYYY-MM-DD`);
    }
    asOfDay = maxDisposal;
  }
  const outcomes = state.acc!.finish(asOfDay);
  return { outcomes, asOfDay, asOfDefaulted, hasSeverity: col.severity >= 0, offenceRows: result.records };
}

export interface LoadOutcomesOptions extends OutcomeInputOptions, Partial<OutcomeRules> {
  /** Day number; default: the latest disposal date in the offences file. */
  asOfDay?: number;
}

export interface LoadedOutcomes extends OffenceStreamResult {
  cases: OutcomeCases;
}

/**
 * Derives per-person proven re-offending outcomes from a cases file and an offences file (for
 * `reoffending`, and for `analyse`/`report` with `--offences`).
 */
export async function loadOutcomesFromFiles(casesPath: string, offencesPath: string, options: LoadOutcomesOptions = {}): Promise<LoadedOutcomes> {
  if (casesPath === '-' && offencesPath === '-') throw new UsageError('only one input can be read from stdin (-): give a file path for --cases or --offences');
  const rules: OutcomeRules = {
    followUpDays: options.followUpDays ?? DEFAULT_RULES.followUpDays,
    waitingDays: options.waitingDays ?? DEFAULT_RULES.waitingDays,
  };
  assertReadableFile(casesPath, 'cases');
  assertReadableFile(offencesPath, 'offences');
  const cases = await loadCasesForOutcomes(casesPath, options);
  const streamed = await streamOffences(offencesPath, cases, { ...options, rules });
  return { cases, ...streamed };
}

/** Throws a UsageError naming the option when `path` is not a readable file (`-` = stdin is fine). */
export function assertReadableFile(path: string, option: string): void {
  if (path === '-') return;
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a file' });
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** SHA-256 (hex) of a file's bytes, streamed; null for stdin. */
export async function sha256File(path: string): Promise<string | null> {
  if (path === '-') return null;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
