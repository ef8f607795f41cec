/**
 * The trial dataset, loaded once for every use case that analyses a trial (`analyse`, `report`,
 * `demo`): the cases file with its outcomes, from an offences file (derived by the MoJ rules as of
 * the extract date) or from the outcome columns the cases file already holds. Pending people (whose
 * outcome window had not closed by the extract date) are marked not measurable, never lost.
 */
import { UsageError } from '../core/errors.js';
import { formatDate, parseDate } from '../core/dates.js';
import { hasColumn, withDerivedOutcomes, type TextTableLike } from '../core/analysis/trial-data.js';
import { loadColumnMap, mapFor, type ColumnMaps } from '../io/column-map.js';
import { parseDelimiter } from '../io/csv-reader.js';
import { assertReadableFile, loadOutcomesFromFiles } from '../io/outcomes-input.js';
import { readTable } from '../io/table.js';
import type { ReadOptions } from '../io/read-options.js';

export interface DatasetOptions {
  cases: string;
  /** How the cases file is named in messages (default `--cases`; `analyse` says `<data.csv>`). */
  casesOption?: string;
  offences?: string | null;
  /** How cells are read (`--na`, `--date-format`, `--decimal-comma`); `delimiter` wins over `read.delimiter`. */
  read?: Partial<ReadOptions>;
  /** `--map` file, or maps already loaded. */
  map?: string | ColumnMaps | null;
  delimiter?: string;
  /** The data extract date (YYYY-MM-DD or DD/MM/YYYY); default: the latest disposal date. */
  asOf?: string | null;
  followUpDays: number;
  waitingDays: number;
  /** Case columns to keep as text (default: all). */
  columns?: readonly string[];
  /** Hash the cases and offences while reading them (for provenance). */
  hash?: boolean;
  onProgress?: (text: string) => void;
}

export interface TrialDataset {
  /** One row per person: the cases file's columns, plus derived outcomes as numbers. */
  table: TextTableLike;
  /** Where the outcomes came from. */
  outcomes_from: 'offences' | 'cases' | 'none';
  /** The extract date the outcome windows were judged against (null when unknown). */
  as_of: string | null;
  as_of_source: 'option' | 'latest_disposal' | null;
  /** People whose outcome window had not closed by `as_of`. */
  pending: number;
  /** The date by which every pending person's outcome will be complete (null when none pending). */
  complete_by: string | null;
  sha256: { cases: string | null; offences: string | null };
}

function asOfDay(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const d = parseDate(text);
  if (!d.ok) throw new UsageError(`--as-of ${JSON.stringify(text)}: ${d.reason}`);
  return d.day;
}

/** Loads the trial's people and outcomes (see the module comment). */
export async function loadTrialDataset(o: DatasetOptions): Promise<TrialDataset> {
  const delimiter = parseDelimiter(o.delimiter ?? o.read?.delimiter);
  const read = { ...(o.read ?? {}), delimiter };
  const maps = typeof o.map === 'string' ? loadColumnMap(o.map) : (o.map ?? null);
  const asOf = asOfDay(o.asOf);
  const windowDays = o.followUpDays + o.waitingDays;
  if (o.offences) {
    o.onProgress?.('deriving proven re-offending');
    const loaded = await loadOutcomesFromFiles(o.cases, o.offences, {
      delimiter,
      read,
      maps,
      caseColumns: o.columns,
      hash: o.hash,
      followUpDays: o.followUpDays,
      waitingDays: o.waitingDays,
      asOfDay: asOf,
    });
    let pending = 0;
    let last = -Infinity;
    for (let i = 0; i < loaded.outcomes.n; i++) {
      if (loaded.outcomes.measurable[i]) continue;
      pending++;
      last = Math.max(last, loaded.cases.startDay[i]! + windowDays);
    }
    return {
      table: withDerivedOutcomes(loaded.cases.table, loaded.outcomes),
      outcomes_from: 'offences',
      as_of: formatDate(loaded.asOfDay),
      as_of_source: loaded.asOfDefaulted ? 'latest_disposal' : 'option',
      pending,
      complete_by: pending ? formatDate(last) : null,
      sha256: { cases: loaded.cases.table.sha256 ?? null, offences: loaded.sha256 },
    };
  }
  assertReadableFile(o.cases, o.casesOption ?? '--cases');
  o.onProgress?.('reading cases');
  const columns = o.columns ? [...new Set([...o.columns, 'start_date'])] : undefined;
  const table = await readTable(o.cases, {
    delimiter,
    read,
    map: mapFor(maps, 'cases'),
    required: ['id'],
    columns,
    hash: o.hash,
  });
  const has = (c: string) => hasColumn(table, c);
  const outcomes = has('reoffended') || has('reoffences') || (has('days_to_reoffence') && has('follow_up_days'));
  let pending = 0;
  let last = -Infinity;
  let out: TextTableLike = table;
  if (outcomes && asOf !== undefined && has('start_date')) {
    // Outcomes supplied per person: with an extract date, people whose window had not closed by
    // then are pending, whatever their outcome columns say.
    const starts = table.cells.get('start_date')!;
    const given = table.cells.get('measurable');
    const measurable = new Array<string>(table.n);
    const problems: string[] = [];
    for (let i = 0; i < table.n; i++) {
      const d = parseDate(starts[i]!);
      if (!d.ok) {
        if (problems.length < 20)
          problems.push(`line ${table.lines[i]}: start_date ${JSON.stringify(starts[i])}: ${d.reason}`);
        measurable[i] = given?.[i] ?? '';
        continue;
      }
      const closed = d.day + windowDays <= asOf;
      if (!closed) {
        pending++;
        last = Math.max(last, d.day + windowDays);
      }
      measurable[i] = closed ? (given?.[i] ?? 'yes') : 'no';
    }
    if (problems.length)
      throw new UsageError(`--as-of needs every start_date in ${table.file}: ${problems.join('; ')}`);
    const cells = new Map(table.cells);
    cells.set('measurable', measurable);
    out = {
      ...table,
      cells,
      columns: table.columns.includes('measurable') ? table.columns : [...table.columns, 'measurable'],
    };
  } else if (outcomes && has('measurable')) {
    for (const v of table.cells.get('measurable') ?? []) if (/^(no|n|false|0)$/i.test(v.trim())) pending++;
  }
  return {
    table: out,
    outcomes_from: outcomes ? 'cases' : 'none',
    as_of: asOf !== undefined ? formatDate(asOf) : null,
    as_of_source: asOf !== undefined ? 'option' : null,
    pending,
    complete_by: pending && Number.isFinite(last) ? formatDate(last) : null,
    sha256: { cases: table.sha256 ?? null, offences: null },
  };
}
