/**
 * The proven re-offending use case: derives per-person outcomes from a cases and an offences file
 * by the MoJ rules, summarises them by group, and writes the per-person file when asked. `reoffending`
 * and `demo` call it.
 */
import { DataError, UsageError, type DataProblem } from '../core/errors.js';
import { parseYesNoCell } from '../core/cells.js';
import { formatDate, parseDate } from '../core/dates.js';
import { DEFAULT_RULES, type OffenceExclusions, type PersonOutcomes } from '../core/outcomes/proven-reoffending.js';
import { groupRows, summariseOutcomes, type GroupSummary } from '../core/outcomes/summarise-outcomes.js';
import { AtomicWriter } from '../io/atomic.js';
import { checkDistinctFiles } from '../io/distinct-files.js';
import { canonicalHeader, loadColumnMap, mapFor, normaliseName } from '../io/column-map.js';
import { toCsv, toCsvRows, type Cell } from '../io/csv-writer.js';
import {
  assertReadableFile,
  loadCasesForOutcomes,
  openOffences,
  streamOffences,
  type OutcomeCases,
} from '../io/outcomes-input.js';
import { readOptions, type Engine, type ReadOptions } from '../io/read-options.js';
import { deriveOutcomesDuckDb, type DuckDbCases } from '../io/duckdb/outcomes.js';
import { DuckDbUnavailable } from '../io/duckdb/load.js';
import { statSync } from 'node:fs';
import { emitReoffendingSql } from '../core/outcomes/sql/emit-sql.js';
import type { SqlDialect } from '../core/outcomes/sql/dialect.js';
import { readCsv } from '../io/csv-reader.js';
import { VERSION } from '../version.js';

export interface DeriveReoffendingOptions {
  cases: string;
  offences: string;
  /** Case columns to group by; empty = the whole cohort. */
  by?: string[];
  /** YYYY-MM-DD or DD/MM/YYYY; default: the latest disposal date in the offences file. */
  asOf?: string;
  followUpDays?: number;
  waitingDays?: number;
  /** Per-person outcomes CSV. */
  out?: string;
  map?: string;
  /** How cells are read (delimiter, missing tokens, date order, decimal comma). */
  read?: Partial<ReadOptions>;
  /** Called with a stage name while working (the CLI shows a spinner). */
  onProgress?: (stage: string) => void;
  /** js (default), duckdb, or auto (duckdb for Parquet inputs of AUTO_DUCKDB_MIN_PARQUET_BYTES or more, else js). */
  engine?: Engine;
  /** Called with a message for stderr (e.g. the DuckDB engine handing an input to the JS readers). */
  onNotice?: (message: string) => void;
}

/**
 * `--engine auto` uses DuckDB when the Parquet inputs together are at least this many bytes (1 MiB,
 * about 40k people with 1.5 offences each), and the JavaScript engine for CSV. Measured on bench
 * data in paired runs (docs/engines.md, bench/peers/results.json): on CSV the JavaScript engine took
 * less CPU than the DuckDB engine at every size measured (1.25x at 100k people, 1.37x at 1M, 1.87x
 * at 5M) and less memory up to 1M; on Parquet, which the JavaScript engine reads slowly (every value
 * turned into the text a CSV would hold), the DuckDB engine took less CPU from 100k people (0.78x at
 * 100k, 0.64x at 1M, 0.87x at 5M) and about half the memory at 5M (642 MB against 1,183 MB). Below
 * about 1 MiB of Parquet its start-up (about 0.35 s) outweighs that.
 * PILOT_EVAL_DUCKDB_MIN_BYTES overrides the rule: DuckDB from that many bytes of input, CSV or
 * Parquet (a Parquet byte counting PARQUET_WEIGHT).
 */
export const AUTO_DUCKDB_MIN_PARQUET_BYTES = 1024 ** 2;

/** How many CSV bytes a Parquet byte stands for (bench data: 136 MB of CSV, 26 MB of Parquet). */
const PARQUET_WEIGHT = 5;

const isParquet = (p: string) => /\.parquet$/i.test(p);

/** Whether `--engine auto` picks DuckDB for these inputs (see AUTO_DUCKDB_MIN_PARQUET_BYTES). */
function autoPicksDuckDb(paths: string[]): boolean {
  const env = process.env.PILOT_EVAL_DUCKDB_MIN_BYTES;
  let weighted = 0;
  let parquet = 0;
  for (const p of paths) {
    if (p === '-') return false;
    let size: number;
    try {
      size = statSync(p).size;
    } catch {
      return false;
    }
    weighted += size * (isParquet(p) ? PARQUET_WEIGHT : 1);
    if (isParquet(p)) parquet += size;
  }
  if (env !== undefined && /^[0-9]+$/.test(env)) return weighted >= Number(env);
  return parquet > 0 && parquet >= AUTO_DUCKDB_MIN_PARQUET_BYTES;
}

export interface ReoffendingResult {
  groups: GroupSummary[];
  /** The whole cohort (equals the single group when there is no --by). */
  overall: GroupSummary;
  exclusions: OffenceExclusions;
  as_of: string;
  /** `option` (--as-of) or `latest_disposal` (the default). */
  as_of_source: 'option' | 'latest_disposal';
  follow_up_days: number;
  waiting_days: number;
  inputs: Array<{ path: string; sha256: string | null }>;
  /** The per-person file written, or null. */
  out: string | null;
  notes: string[];
}

/** The per-person outcome columns, in the order `--out` writes them. */
export const OUTCOME_COLUMNS = [
  'id',
  'measurable',
  'reoffended',
  'reoffences',
  'days_to_reoffence',
  'follow_up_days',
  'severity',
] as const;

const OUT_BATCH = 20_000;

/** Handler: derives outcomes, summarises them by group, writes the per-person file when asked. */
export async function deriveReoffending(options: DeriveReoffendingOptions): Promise<ReoffendingResult> {
  const followUpDays = options.followUpDays ?? DEFAULT_RULES.followUpDays;
  const waitingDays = options.waitingDays ?? DEFAULT_RULES.waitingDays;
  if (!Number.isInteger(followUpDays) || followUpDays < 1)
    throw new UsageError(`--follow-up-days must be a whole number >= 1, got ${followUpDays}`);
  if (!Number.isInteger(waitingDays) || waitingDays < 0)
    throw new UsageError(`--waiting-days must be a whole number >= 0, got ${waitingDays}`);
  const read = readOptions(options.read);
  let asOfDay: number | undefined;
  if (options.asOf !== undefined) {
    const d = parseDate(options.asOf, read.dateFormat);
    if (!d.ok) {
      throw new UsageError(
        `--as-of ${JSON.stringify(options.asOf)}: ${d.monthFirst ? 'is only a valid date month-first (US); dates are read day-first (DD/MM/YYYY): write it as YYYY-MM-DD, or pass --date-format mdy' : d.reason}`,
      );
    }
    asOfDay = d.day;
  }
  const by = (options.by ?? []).map(normaliseName);
  const dupBy = by.find((c, i) => by.indexOf(c) !== i);
  if (dupBy !== undefined) throw new UsageError(`--by names column "${dupBy}" twice`);
  const maps = options.map !== undefined ? loadColumnMap(options.map) : null;

  assertReadableFile(options.cases, '--cases');
  assertReadableFile(options.offences, '--offences');
  checkDistinctFiles(
    [
      { option: '--cases', path: options.cases },
      { option: '--offences', path: options.offences },
      { option: '--map', path: options.map },
    ],
    [{ option: '--out', path: options.out }],
  );
  options.onProgress?.('deriving proven re-offending');
  if (options.cases === '-' && options.offences === '-')
    throw new UsageError('only one input can be read from stdin (-): give a file path for --cases or --offences');
  const engine = options.engine ?? 'js';
  const engineNotes: string[] = [];
  if (engine !== 'js') {
    // DuckDB reads CSV and Parquet; a workbook (.xlsx) or stdin is read by the JavaScript engine.
    const duckDbReadable = [options.cases, options.offences].every((p) => p !== '-' && !/\.xlsx$/i.test(p));
    const useDuckDb = (engine === 'duckdb' || autoPicksDuckDb([options.cases, options.offences])) && duckDbReadable;
    if (engine === 'duckdb' && !duckDbReadable) {
      options.onNotice?.(
        '--engine duckdb: DuckDB reads CSV and Parquet files; this .xlsx or stdin input is read by the JavaScript engine (the same results)',
      );
    }
    if (useDuckDb) {
      try {
        const r = await deriveOutcomesDuckDb({
          casesPath: options.cases,
          offencesPath: options.offences,
          read,
          maps,
          by,
          allCaseColumns: options.out !== undefined,
          rules: { followUpDays, waitingDays },
          asOfDay,
          hash: true,
        });
        if (r.kind === 'done') {
          return finishReoffending(options, r.cases, r.outcomes, withdrawnMask(r.cases), {
            asOfDay: r.asOfDay,
            asOfDefaulted: r.asOfDefaulted,
            casesHash: r.sha256.cases,
            offencesHash: r.sha256.offences,
            by,
            followUpDays,
            waitingDays,
            extraNotes: [],
          });
        }
        options.onNotice?.(`--engine ${engine}: the JavaScript engine answers for this input (${r.reason})`);
      } catch (err) {
        if (!(err instanceof DuckDbUnavailable)) throw err;
        if (engine === 'duckdb') throw new UsageError(`--engine duckdb: ${err.message}; --engine js works without it`);
        engineNotes.push(
          `--engine auto: ${err.message}, so the JavaScript engine was used (it gives the same results).`,
        );
      }
    }
  }
  // A large offences file is read on a worker thread while this one reads the cases.
  // Both inputs are hashed while they are read (no second pass over the files).
  const reader = openOffences(options.offences, options.cases === '-' ? '<stdin>' : options.cases, {
    read,
    maps,
    hash: true,
  });
  let cases: OutcomeCases;
  let withdrawn: ReturnType<typeof withdrawnMask>;
  try {
    // Without --out only the --by columns are needed besides id and start_date.
    cases = await loadCasesForOutcomes(options.cases, {
      read,
      maps,
      caseColumns: options.out === undefined ? [...by, 'withdrawn'] : undefined,
      hash: true,
    });
    withdrawn = withdrawnMask(cases);
    // Check --by before waiting for the (long) offences pass.
    const missing = by.filter((c) => !cases.table.cells.has(c));
    if (missing.length) {
      throw new UsageError(
        `--by: column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} not in ${cases.table.file} (its columns: ${cases.table.columns.filter((c) => c !== '').join(', ')})`,
      );
    }
  } catch (err) {
    reader.cancel();
    throw err;
  }
  const loaded = await streamOffences(options.offences, cases, {
    read,
    maps,
    rules: { followUpDays, waitingDays },
    asOfDay,
    reader,
  });
  return finishReoffending(options, cases, loaded.outcomes, withdrawn, {
    asOfDay: loaded.asOfDay,
    asOfDefaulted: loaded.asOfDefaulted,
    casesHash: cases.table.sha256 ?? null,
    offencesHash: loaded.sha256,
    by,
    followUpDays,
    waitingDays,
    extraNotes: engineNotes,
  });
}

/** Summarises per-person outcomes (from either engine) and writes the per-person file when asked. */
function finishReoffending(
  options: DeriveReoffendingOptions,
  cases: DuckDbCases,
  outcomes: PersonOutcomes,
  withdrawn: Uint8Array | null,
  x: {
    asOfDay: number;
    asOfDefaulted: boolean;
    casesHash: string | null;
    offencesHash: string | null;
    by: string[];
    followUpDays: number;
    waitingDays: number;
    extraNotes: string[];
  },
): ReoffendingResult {
  const { by, followUpDays, waitingDays } = x;
  const loaded = { asOfDay: x.asOfDay, asOfDefaulted: x.asOfDefaulted };
  options.onProgress?.('summarising');
  const groups = summariseOutcomes(
    outcomes,
    groupRows(
      by,
      by.map((c) => cases.table.cells.get(c)!),
      outcomes.n,
    ),
    withdrawn,
  );
  const overall =
    by.length === 0 ? groups[0]! : summariseOutcomes(outcomes, groupRows([], [], outcomes.n), withdrawn)[0]!;

  if (options.out !== undefined) {
    options.onProgress?.(`writing ${options.out}`);
    writeOutcomesCsv(options.out, cases, outcomes, withdrawn);
  }
  const casesHash = x.casesHash;
  const offencesHash = x.offencesHash;
  const notes = [
    ...x.extraNotes,
    `km_reoffending_365 is the Kaplan-Meier proportion re-offending by day 365 among measurable people; with the fixed MoJ window nobody is censored early, so it equals the proportion re-offending by day 365${followUpDays === 365 ? ' (the binary rate)' : ''}.`,
  ];
  if (overall.n_withdrawn > 0) {
    notes.push(
      `${overall.n_withdrawn} of ${overall.n_cohort} people are withdrawn (withdrawn = yes: lost to follow-up, so no record of re-offending can be taken as none) and are left out of the rates.`,
    );
  }
  if (overall.n_pending > 0) {
    notes.push(
      `${overall.n_pending} of ${overall.n_cohort} people are pending (start date + ${followUpDays} + ${waitingDays} days is after ${formatDate(loaded.asOfDay)}) and are left out of the rates.`,
    );
  }
  return {
    groups,
    overall,
    exclusions: outcomes.exclusions,
    as_of: formatDate(loaded.asOfDay),
    as_of_source: loaded.asOfDefaulted ? 'latest_disposal' : 'option',
    follow_up_days: followUpDays,
    waiting_days: waitingDays,
    inputs: [
      { path: options.cases, sha256: casesHash },
      { path: options.offences, sha256: offencesHash },
    ],
    out: options.out ?? null,
    notes,
  };
}

/**
 * Writes per-person outcomes, streamed: the outcome columns, then the cases' own columns (so
 * `analyse` reads it directly). Pending people have measurable = no and empty outcomes.
 */
export function writeOutcomesCsv(
  path: string,
  cases: Pick<OutcomeCases, 'table' | 'id'>,
  o: PersonOutcomes,
  withdrawn: Uint8Array | null = null,
): void {
  const own = new Set<string>(OUTCOME_COLUMNS);
  const extra = cases.table.columns.filter((c) => c !== '' && !own.has(c));
  const extraCells = extra.map((c) => cases.table.cells.get(c)!);
  const writer = new AtomicWriter(path);
  try {
    writer.write(toCsv([...OUTCOME_COLUMNS, ...extra], []));
    let rows: Cell[][] = [];
    for (let i = 0; i < o.n; i++) {
      const m = o.measurable[i] === 1;
      const row: Cell[] = [cases.id(i), m ? 'yes' : 'no'];
      if (m && !withdrawn?.[i]) {
        const sev = o.severity === null ? null : o.severity[i]!;
        row.push(
          o.reoffended[i]!,
          o.reoffences[i]!,
          o.reoffended[i] ? o.daysToReoffence[i]! : null,
          o.followUpDays[i]!,
          sev !== null && !Number.isNaN(sev) ? sev : null,
        );
      } else {
        row.push(null, null, null, null, null);
      }
      for (const c of extraCells) row.push(c[i]!);
      rows.push(row);
      if (rows.length === OUT_BATCH) {
        writer.write(toCsvRows(rows));
        rows = [];
      }
    }
    writer.write(toCsvRows(rows));
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/**
 * 1 for people marked `withdrawn = yes` (left the study / lost to follow-up): their outcomes are
 * unknown, not zero. Null when the cases have no withdrawn column.
 */
export function withdrawnMask(cases: Pick<OutcomeCases, 'table'>): Uint8Array | null {
  const col = cases.table.cells.get('withdrawn');
  if (!col) return null;
  const mask = new Uint8Array(cases.table.n);
  const problems: DataProblem[] = [];
  let bad = 0;
  for (let i = 0; i < col.length; i++) {
    const t = col[i]!;
    if (t === '') continue;
    const p = parseYesNoCell(t);
    if (p.ok) mask[i] = p.value ? 1 : 0;
    else if (bad++ < 20)
      problems.push({
        file: cases.table.file,
        line: cases.table.lines[i]!,
        column: 'withdrawn',
        value: t,
        reason: p.reason,
      });
  }
  if (bad) throw new DataError(problems, bad);
  return mask;
}

export interface EmitReoffendingSqlOptions {
  dialect: SqlDialect;
  /** Files whose headers say which columns exist (their data are not read); without them the canonical names are assumed, with no severity or withdrawn column. */
  cases?: string;
  offences?: string;
  by?: string[];
  asOf?: string;
  followUpDays?: number;
  waitingDays?: number;
  map?: string;
  read?: Partial<ReadOptions>;
}

class HeaderRead extends Error {
  constructor(readonly header: string[]) {
    super('header read');
  }
}

/** The header of a CSV file (the data are not read). */
async function readHeader(path: string, delimiter: string): Promise<string[]> {
  try {
    await readCsv(
      path,
      { delimiter },
      (h) => {
        throw new HeaderRead(h);
      },
      () => undefined,
    );
  } catch (err) {
    if (err instanceof HeaderRead) return err.header;
    throw err;
  }
  return [];
}

/**
 * `reoffending --emit-sql`: the MoJ derivation as one SQL script over tables `cases` and
 * `offences` (see src/core/outcomes/sql/emit-sql.ts), for an engine where the data live.
 */
export async function emitReoffendingScript(options: EmitReoffendingSqlOptions): Promise<string> {
  const followUpDays = options.followUpDays ?? DEFAULT_RULES.followUpDays;
  const waitingDays = options.waitingDays ?? DEFAULT_RULES.waitingDays;
  const read = readOptions(options.read);
  let asOfDay: number | null = null;
  if (options.asOf !== undefined) {
    const d = parseDate(options.asOf, read.dateFormat);
    if (!d.ok) throw new UsageError(`--as-of ${JSON.stringify(options.asOf)}: ${d.reason}`);
    asOfDay = d.day;
  }
  const by = (options.by ?? []).map(normaliseName);
  const dupBy = by.find((c, i) => by.indexOf(c) !== i);
  if (dupBy !== undefined) throw new UsageError(`--by names column "${dupBy}" twice`);
  const maps = options.map !== undefined ? loadColumnMap(options.map) : null;
  const source = async (path: string | undefined, option: string, kind: 'cases' | 'offences') => {
    if (path === undefined || path === '-' || /\.parquet$/i.test(path)) return null;
    assertReadableFile(path, option);
    const header = await readHeader(path, read.delimiter);
    const names = canonicalHeader(header, mapFor(maps, kind), path);
    const bySource = new Map<string, string>();
    names.forEach((n, i) => {
      if (n !== '' && !bySource.has(n)) bySource.set(n, header[i]!);
    });
    return bySource;
  };
  const cs = await source(options.cases, '--cases', 'cases');
  const os = await source(options.offences, '--offences', 'offences');
  if (cs !== null) {
    const missing = by.filter((c) => !cs.has(c));
    if (missing.length)
      throw new UsageError(
        `--by: column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} not in ${options.cases}`,
      );
  }
  const name = (m: Map<string, string> | null, c: string) => m?.get(c) ?? c;
  const opts = [
    `--emit-sql ${options.dialect}`,
    ...(by.length ? [`--by ${by.join(',')}`] : []),
    `--follow-up-days ${followUpDays}`,
    `--waiting-days ${waitingDays}`,
    asOfDay !== null ? `--as-of ${formatDate(asOfDay)}` : '(as of: the latest disposal date)',
    `--date-format ${read.dateFormat}`,
    `--na ${read.na.join(',')}`,
  ];
  return emitReoffendingSql({
    dialect: options.dialect,
    by,
    bySource: by.map((c) => name(cs, c)),
    followUpDays,
    waitingDays,
    asOfDay,
    dateFormat: read.dateFormat,
    na: read.na,
    hasSeverity: os?.has('severity') ?? false,
    hasWithdrawn: cs?.has('withdrawn') ?? false,
    columns: {
      cases: { id: name(cs, 'id'), start_date: name(cs, 'start_date'), withdrawn: name(cs, 'withdrawn') },
      offences: {
        id: name(os, 'id'),
        offence_date: name(os, 'offence_date'),
        disposal_date: name(os, 'disposal_date'),
        disposal_type: name(os, 'disposal_type'),
        severity: name(os, 'severity'),
      },
    },
    header: [
      `Made by pilot-eval ${VERSION}: reoffending ${opts.join(' ')}`,
      cs === null
        ? 'Cases columns: the canonical names (id, start_date), no withdrawn column.'
        : `Cases columns read from the header of ${options.cases}.`,
      os === null
        ? 'Offences columns: the canonical names (id, offence_date, disposal_date, disposal_type), no severity column.'
        : `Offences columns read from the header of ${options.offences}.`,
    ],
  }).script;
}

/** The `--emit-sql` dialects and the `--engine` choices, for the commands' options. */
export { SQL_DIALECTS, type SqlDialect } from '../core/outcomes/sql/dialect.js';
export { ENGINES, type Engine } from '../io/read-options.js';

/** The default follow-up and waiting windows (days) shown in `reoffending --help`. */
export { DEFAULT_RULES };
