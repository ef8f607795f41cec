/**
 * Loads what proven re-offending outcomes are derived from: the cases file (id, start_date and every
 * other column, kept as text for grouping and for the per-person output) and the offences file,
 * which is streamed and validated in batches straight into an OutcomeAccumulator (the raw offence
 * text is never held; a large file is read on a worker thread, see offence-reader.ts). Every
 * problem is a located DataProblem; up to 20 are listed with the total.
 */
import { sha256File } from './hash.js';
import { DataError, ProblemList, UsageError, type DataProblem } from '../core/errors.js';
import { DEFAULT_RULES, type OutcomeRules, type PersonOutcomes } from '../core/outcomes/proven-reoffending.js';
import { IdIndex } from '../core/outcomes/id-index.js';
import { cellStart, packColumn, packedCell, pieceOf } from '../core/packed-column.js';
import { mapFor, type ColumnMaps } from './column-map.js';
import { checkInputPath } from './csv-reader.js';
import { readTable, type TextTable } from './table.js';
import { DateCache } from './offence-rows.js';
import { startOffenceReader, type OffenceReader } from './offence-reader.js';
import { readOptions, type ReadOptions } from './read-options.js';

export interface OutcomeInputOptions {
  /** Field delimiter; default `read.delimiter`, else ','. */
  delimiter?: string;
  /** How cells are read (`--na`, `--date-format`, `--decimal-comma`, `--delimiter`); see ReadOptions. */
  read?: Partial<ReadOptions>;
  /** `--map` column maps (cases and offences sections apply). */
  maps?: ColumnMaps | null;
  /** Case columns to keep as text besides start_date (default: all of them); without `id` here the ids are only matched, and held packed. */
  caseColumns?: readonly string[];
  /** Compute the sha256 of each input while reading it (cases: `table.sha256`; offences: `sha256`). */
  hash?: boolean;
}

/** Cases ready for outcome derivation: start days as day numbers, every column as text. */
export interface OutcomeCases {
  table: TextTable;
  /** The id of case `row` (the table holds the ids packed when `caseColumns` leaves `id` out). */
  id: (row: number) => string;
  startDay: Int32Array;
  /** id -> row index. */
  indexOf: IdIndex;
}

/**
 * Reads the cases file: `id` (unique, non-empty) and `start_date` (a valid date) are required for
 * every row.
 */
export async function loadCasesForOutcomes(path: string, options: OutcomeInputOptions = {}): Promise<OutcomeCases> {
  const read = readOptions(options.read);
  const table = await readTable(path, {
    delimiter: options.delimiter ?? read.delimiter,
    read,
    map: mapFor(options.maps ?? null, 'cases'),
    required: ['id', 'start_date'],
    columns: options.caseColumns,
    hash: options.hash,
    packed: options.caseColumns && !options.caseColumns.includes('id') ? ['id'] : undefined,
  });
  const file = table.file;
  if (table.n === 0) {
    throw new DataError({
      file,
      line: 1,
      column: null,
      value: null,
      reason: 'has a header but no cases: there is no one to derive re-offending outcomes for',
    });
  }
  const packedIds = table.packed?.get('id') ?? packColumn(table.cells.get('id')!);
  const id = (row: number) => packedCell(packedIds, row);
  const starts = table.cells.get('start_date')!;
  // Shared memory, so the offences worker reads it without a copy.
  const startDay = new Int32Array(new SharedArrayBuffer(table.n * 4));
  const indexOf = new IdIndex(packedIds);
  const dates = new DateCache(read.dateFormat);
  const problems = new ProblemList();
  // Duplicates by row (ascending), so that the problems below are listed in file order, a row's
  // id problem before its start_date problem.
  const duplicates: Array<[number, DataProblem]> = [];
  indexOf.addAll((row, earlier) =>
    duplicates.push([
      row,
      {
        file,
        line: table.lines[row]!,
        column: 'id',
        value: id(row),
        reason: `duplicate id (first on line ${table.lines[earlier]})`,
      },
    ]),
  );
  let dup = 0;
  for (let i = 0; i < table.n; i++) {
    const line = table.lines[i]!;
    if (packedIds.ends[i] === cellStart(packedIds, i, pieceOf(packedIds, i))) {
      problems.add({ file, line, column: 'id', value: '', reason: 'id is empty: every case needs an identifier' });
    } else if (dup < duplicates.length && duplicates[dup]![0] === i) problems.add(duplicates[dup++]![1]);
    const s = starts[i]!;
    if (s === '') {
      problems.add({
        file,
        line,
        column: 'start_date',
        value: '',
        reason:
          "start_date is empty: proven re-offending needs each case's start date (release, order start or caution)",
      });
      continue;
    }
    const d = dates.parse(s);
    if (typeof d === 'number') startDay[i] = d;
    else problems.add({ file, line, column: 'start_date', value: s, reason: d });
  }
  problems.throwIfAny();
  return { table, id, startDay, indexOf };
}

export interface OffenceStreamResult {
  outcomes: PersonOutcomes;
  asOfDay: number;
  /** The as-of date came from the offences file (the latest disposal date). */
  asOfDefaulted: boolean;
  hasSeverity: boolean;
  offenceRows: number;
  /** sha256 of the offences file when `hash` was asked for (computed while reading). */
  sha256: string | null;
}

/**
 * Streams and validates the offences file into per-person outcomes. Problems: unknown ids, empty or
 * invalid dates, disposal before offence, unknown disposal types, negative or non-numeric severity,
 * wrong number of fields. `reader` is an offences reader already started (see
 * loadOutcomesFromFiles); without one the file is read now.
 */
export async function streamOffences(
  path: string,
  cases: OutcomeCases,
  options: OutcomeInputOptions & {
    rules?: OutcomeRules;
    asOfDay?: number;
    casesFile?: string;
    reader?: OffenceReader;
  } = {},
): Promise<OffenceStreamResult> {
  const file = path === '-' ? '<stdin>' : path;
  const reader = options.reader ?? openOffences(path, options.casesFile ?? cases.table.file, options);
  const linked = await reader.link(
    { file: cases.table.file, startDay: cases.startDay, indexOf: cases.indexOf },
    options.rules ?? DEFAULT_RULES,
  );
  let asOfDay = options.asOfDay;
  const asOfDefaulted = asOfDay === undefined;
  if (asOfDay === undefined) {
    if (linked.maxDisposal === -Infinity) {
      throw new UsageError(
        `${file} has no offences, so --as-of cannot default to its latest disposal date: give --as-of YYYY-MM-DD`,
      );
    }
    asOfDay = linked.maxDisposal;
  }
  const outcomes = linked.acc.finish(asOfDay);
  return {
    outcomes,
    asOfDay,
    asOfDefaulted,
    hasSeverity: linked.hasSeverity,
    offenceRows: linked.records,
    sha256: linked.sha256,
  };
}

/**
 * Starts reading an offences file: a large one on a worker thread at once, so that it is read while
 * the cases file is (pass the result to streamOffences as `reader`; `cancel()` it if the cases fail).
 */
export function openOffences(path: string, casesFile: string, options: OutcomeInputOptions = {}): OffenceReader {
  const read = readOptions(options.read);
  return startOffenceReader(path, {
    file: path === '-' ? '<stdin>' : path,
    delimiter: options.delimiter ?? read.delimiter,
    read,
    map: mapFor(options.maps ?? null, 'offences'),
    casesFile,
    hash: options.hash ?? false,
  });
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
export async function loadOutcomesFromFiles(
  casesPath: string,
  offencesPath: string,
  options: LoadOutcomesOptions = {},
): Promise<LoadedOutcomes> {
  if (casesPath === '-' && offencesPath === '-')
    throw new UsageError('only one input can be read from stdin (-): give a file path for --cases or --offences');
  const rules: OutcomeRules = {
    followUpDays: options.followUpDays ?? DEFAULT_RULES.followUpDays,
    waitingDays: options.waitingDays ?? DEFAULT_RULES.waitingDays,
  };
  assertReadableFile(casesPath, 'cases');
  assertReadableFile(offencesPath, 'offences');
  // The offences (the larger file) are read on a worker while this thread reads the cases.
  const reader = openOffences(offencesPath, casesPath === '-' ? '<stdin>' : casesPath, options);
  let cases: OutcomeCases;
  try {
    cases = await loadCasesForOutcomes(casesPath, options);
  } catch (err) {
    reader.cancel();
    throw err;
  }
  const streamed = await streamOffences(offencesPath, cases, { ...options, rules, reader });
  return { cases, ...streamed };
}

/** Throws a UsageError naming the option when `path` is not a readable file (`-` = stdin is fine). */
export function assertReadableFile(path: string, option: string): void {
  if (path === '-') return;
  try {
    checkInputPath(path, path);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${option}: ${err.message}`);
    throw err;
  }
}

/** SHA-256 (hex) of an input file's bytes; null for stdin (`-`), which cannot be read twice. */
export async function sha256Input(path: string): Promise<string | null> {
  return path === '-' ? null : sha256File(path);
}
