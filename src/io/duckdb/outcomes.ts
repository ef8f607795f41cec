/**
 * The DuckDB engine for proven re-offending: loads the cases and offences files into an in-process
 * DuckDB (CSV read with every column as text and the delimiter and header given, or Parquet), runs
 * the script that `reoffending --emit-sql duckdb` prints, and returns the per-person outcomes in the
 * same typed arrays as the JavaScript engine, so the summaries and files written from them are the
 * same bytes.
 *
 * The SQL finds every problem row (pe_problems) and a few cell forms that the two engines could
 * read differently (edge whitespace other than spaces, severities other than plain decimals, labels
 * differing only in case, a CSV DuckDB cannot read as the JS reader does). When there is any, the
 * engine does not answer: it hands the input to the JavaScript readers, which then report the
 * located problems (file, line, column, value; the first 20 and the total) or read the unusual forms.
 * The answer is therefore never a second opinion that could differ from the JS engine's.
 */
import { extname } from 'node:path';
import {
  DEFAULT_RULES,
  type OffenceExclusions,
  type OutcomeRules,
  type PersonOutcomes,
} from '../../core/outcomes/proven-reoffending.js';
import { emitReoffendingSql } from '../../core/outcomes/sql/emit-sql.js';
import { canonicalHeader, mapFor, type ColumnMaps } from '../column-map.js';
import { sha256File } from '../hash.js';
import { REQUIRED_OFFENCE_COLUMNS } from '../offence-rows.js';
import type { ReadOptions } from '../read-options.js';
import type { TextTable } from '../table.js';
import { loadDuckDb, type DuckDbModule } from './load.js';

export interface DuckDbOutcomeOptions {
  casesPath: string;
  offencesPath: string;
  read: ReadOptions;
  maps: ColumnMaps | null;
  /** Canonical --by columns. */
  by: readonly string[];
  /** Keep every case column (for --out); otherwise only id, start_date, withdrawn and the --by columns. */
  allCaseColumns: boolean;
  rules?: OutcomeRules;
  asOfDay?: number;
  /** Compute the inputs' sha256. */
  hash: boolean;
}

/** The cases as the JavaScript loader gives them, for summarising and writing. */
export interface DuckDbCases {
  table: TextTable;
  id: (row: number) => string;
}

export type DuckDbOutcomeResult =
  | {
      kind: 'done';
      cases: DuckDbCases;
      outcomes: PersonOutcomes;
      asOfDay: number;
      asOfDefaulted: boolean;
      sha256: { cases: string | null; offences: string | null };
    }
  /** The JavaScript engine must answer (it reports the problems, or reads forms this engine leaves to it). */
  | { kind: 'handover'; reason: string };

type Connection = Awaited<ReturnType<Awaited<ReturnType<DuckDbModule['DuckDBInstance']['create']>>['connect']>>;

const LABEL_COLUMNS = ['arm', 'sub_arm'];

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const isParquet = (path: string) => extname(path).toLowerCase() === '.parquet';

/** Raw table `name` from the file, and its header (CSV: row 0 is the header row). */
async function loadRaw(
  con: Connection,
  name: string,
  path: string,
  delimiter: string,
): Promise<{ header: string[]; columns: string[]; firstRow: number }> {
  if (isParquet(path)) {
    await con.run(`CREATE TEMP TABLE ${name} AS SELECT * FROM read_parquet(${sqlString(path)})`);
    const r = await con.runAndReadAll(`SELECT * FROM ${name} LIMIT 0`);
    const columns = r.columnNames();
    return { header: columns, columns, firstRow: 0 };
  }
  await con.run(
    `CREATE TEMP TABLE ${name} AS SELECT * FROM read_csv(${sqlString(path)}, header = false, all_varchar = true, delim = ${sqlString(delimiter)}, quote = '"', escape = '"', strict_mode = true, null_padding = false, skip = 0)`,
  );
  const r = await con.runAndReadAll(`SELECT * FROM ${name} WHERE rowid = 0`);
  const columns = r.columnNames();
  const row = r.getRowsJS()[0];
  if (!row) throw new Error('no header row');
  return { header: row.map((v) => (v === null ? '' : String(v))), columns, firstRow: 1 };
}

/**
 * Derives per-person outcomes in DuckDB, or says why the JavaScript engine must answer instead.
 * Throws DuckDbUnavailable when the package cannot be loaded.
 */
export async function deriveOutcomesDuckDb(o: DuckDbOutcomeOptions): Promise<DuckDbOutcomeResult> {
  const handover = (reason: string): DuckDbOutcomeResult => ({ kind: 'handover', reason });
  if (o.casesPath === '-' || o.offencesPath === '-') return handover('an input is read from stdin');
  if (o.read.decimalComma) return handover('--decimal-comma is read by the JavaScript readers');
  const duckdb = await loadDuckDb();
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return await derive(con, o);
  } catch (err) {
    // E.g. a case column named like one of the script's own (pe_*): the JS readers answer.
    return handover(`DuckDB stopped (${(err as Error).message.split('\n')[0]})`);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

async function derive(con: Connection, o: DuckDbOutcomeOptions): Promise<DuckDbOutcomeResult> {
  const handover = (reason: string): DuckDbOutcomeResult => ({ kind: 'handover', reason });
  const rules = o.rules ?? DEFAULT_RULES;
  let casesRaw: Awaited<ReturnType<typeof loadRaw>>;
  let offRaw: Awaited<ReturnType<typeof loadRaw>>;
  try {
    casesRaw = await loadRaw(con, 'pe_raw_cases', o.casesPath, o.read.delimiter);
    offRaw = await loadRaw(con, 'pe_raw_offences', o.offencesPath, o.read.delimiter);
  } catch (err) {
    return handover(
      `DuckDB could not read the inputs as the JavaScript reader does (${(err as Error).message.split('\n')[0]})`,
    );
  }
  let caseNames: string[];
  let offNames: string[];
  try {
    caseNames = canonicalHeader(casesRaw.header, mapFor(o.maps, 'cases'), o.casesPath);
    offNames = canonicalHeader(offRaw.header, mapFor(o.maps, 'offences'), o.offencesPath);
  } catch {
    return handover('the header does not fit the column map');
  }
  const distinct = (names: string[]) =>
    names.filter((n) => n !== '').length === new Set(names.filter((n) => n !== '')).size;
  if (!distinct(caseNames) || !distinct(offNames)) return handover('a column name repeats');
  if (!caseNames.includes('id') || !caseNames.includes('start_date'))
    return handover('the cases lack a required column');
  if (REQUIRED_OFFENCE_COLUMNS.some((c) => !offNames.includes(c)))
    return handover('the offences lack a required column');
  if (o.by.some((c) => !caseNames.includes(c))) return handover('a --by column is not in the cases');

  const keep = caseNames.flatMap((n, i) =>
    n !== '' && (o.allCaseColumns || ['id', 'start_date', 'withdrawn', ...o.by].includes(n)) ? [i] : [],
  );
  const offKeep = offNames.flatMap((n, i) => ([...REQUIRED_OFFENCE_COLUMNS, 'severity'].includes(n) ? [i] : []));
  const view = (name: string, raw: typeof casesRaw, names: string[], cols: number[]) =>
    `CREATE TEMP VIEW ${name} AS SELECT rowid AS pe_row, ${cols.map((i) => `${ident(raw.columns[i]!)} AS ${ident(names[i]!)}`).join(', ')} FROM pe_raw_${name} WHERE rowid >= ${raw.firstRow}`;
  await con.run(view('cases', casesRaw, caseNames, keep));
  await con.run(view('offences', offRaw, offNames, offKeep));

  const hasSeverity = offNames.includes('severity');
  const hasWithdrawn = caseNames.includes('withdrawn');
  // Forms the two engines could read differently: the JavaScript readers take these.
  const edge = (col: string) => {
    const t = `coalesce(CAST(${col} AS VARCHAR), '')`;
    return `(${t} <> '' AND (ord(left(${t}, 1)) < 32 OR ord(left(${t}, 1)) >= 160 OR ord(right(${t}, 1)) < 32 OR ord(right(${t}, 1)) >= 160))`;
  };
  const caseCols = keep.map((i) => ident(caseNames[i]!));
  const offCols = offKeep.map((i) => ident(offNames[i]!));
  const edges = await con.runAndReadAll(
    `SELECT (SELECT count(*) FROM cases WHERE ${caseCols.map(edge).join(' OR ')}) AS case_edges, (SELECT count(*) FROM offences WHERE ${offCols.map(edge).join(' OR ')}) AS offence_edges`,
  );
  const e0 = edges.getRowObjectsJS()[0]!;
  if (Number(e0.case_edges) + Number(e0.offence_edges) > 0)
    return handover('cells with edge whitespace other than spaces');

  // Floating-point sums depend on their order only when they are inexact: when every severity is
  // a multiple of 2^-10 below 2^20, each person's sum is exact in any order (far fewer than 2^23
  // terms), and DuckDB need not sort each person's offences into file order.
  let orderedSeveritySum = false;
  if (hasSeverity) {
    const v = `TRY_CAST(trim(CAST("severity" AS VARCHAR)) AS DOUBLE)`;
    const inexact = await con.runAndReadAll(
      `SELECT count(*) AS n FROM offences WHERE ${v} IS NOT NULL AND (${v} * 1024 <> floor(${v} * 1024) OR abs(${v}) >= 1048576)`,
    );
    orderedSeveritySum = Number(inexact.getRowObjectsJS()[0]!.n) > 0;
  }
  const sql = emitReoffendingSql({
    dialect: 'duckdb',
    by: o.by,
    followUpDays: rules.followUpDays,
    waitingDays: rules.waitingDays,
    asOfDay: o.asOfDay ?? null,
    dateFormat: o.read.dateFormat,
    na: o.read.na,
    hasSeverity,
    hasWithdrawn,
    offenceOrderColumn: 'pe_row',
    caseKeyColumn: 'pe_row',
    orderedSeveritySum,
    materialise: [
      'pe_cases_text',
      'pe_cases_iso',
      'pe_cases',
      'pe_offences_text',
      'pe_offences_iso',
      'pe_offences',
      'pe_classified',
      'pe_person',
    ],
  });
  // Each step's input is dropped once the next step is a table: the peak holds about two copies.
  const dropAfter: Record<string, string> = {
    pe_cases_text: 'pe_raw_cases',
    pe_cases_iso: 'pe_cases_text',
    pe_cases: 'pe_cases_iso',
    pe_offences_text: 'pe_raw_offences',
    pe_offences_iso: 'pe_offences_text',
    pe_offences: 'pe_offences_iso',
  };
  for (let k = 0; k < sql.statements.length - 1; k++) {
    await con.run(sql.statements[k]!);
    const drop = dropAfter[sql.relations[k]!];
    if (drop !== undefined) await con.run(`DROP TABLE ${drop}`);
  }

  const checks = await con.runAndReadAll(
    [
      'SELECT',
      '  (SELECT count(*) FROM pe_problems) AS problems,',
      '  (SELECT count(*) FROM pe_cases) AS n_cases,',
      '  (SELECT count(*) FROM pe_offences) AS n_offences,',
      hasSeverity
        ? `  (SELECT count(*) FROM pe_offences WHERE pe_severity_text <> '' AND NOT regexp_full_match(pe_severity_text, '[0-9]{1,15}([.][0-9]{1,15})?')) AS odd_severity`
        : '  0 AS odd_severity',
    ].join('\n'),
  );
  const c = checks.getRowObjectsJS()[0]!;
  if (Number(c.problems) > 0) return handover(`${c.problems} problem row(s): the JavaScript readers locate them`);
  if (Number(c.n_cases) === 0) return handover('the cases file has no rows');
  if (Number(c.n_offences) === 0 && o.asOfDay === undefined) return handover('the offences file has no rows');
  if (Number(c.odd_severity) > 0) return handover('severities written other than as plain decimals');

  // Per person, in file order: the kept case columns as the JS reader holds them, and the outcomes
  // (integers, read chunk by chunk into typed arrays).
  const na = [...new Set(o.read.na.filter((t) => t !== ''))];
  const norm = (col: string) => {
    const t = `trim(coalesce(CAST(${col} AS VARCHAR), ''))`;
    return na.length ? `CASE WHEN ${t} IN (${na.map(sqlString).join(', ')}) THEN '' ELSE ${t} END` : t;
  };
  // Without --out only the --by columns and withdrawn are needed as text (id and start_date are used inside DuckDB).
  const textCols = keep.filter((i) => o.allCaseColumns || (caseNames[i] !== 'id' && caseNames[i] !== 'start_date'));
  const result = await con.run(
    [
      'SELECT CAST(pe_measurable AS INTEGER), CAST(coalesce(pe_reoffences, 0) AS INTEGER), CAST(coalesce(pe_days_to_reoffence, 0) AS INTEGER),',
      '  CAST(coalesce(pe_follow_up_days, 0) AS INTEGER), CAST(pe_severity_missing AS INTEGER), CAST(coalesce(pe_severity, 0) AS DOUBLE)',
      ...textCols.map((i) => `, ${norm(ident(caseNames[i]!))}`),
      'FROM pe_person ORDER BY pe_row',
    ].join('\n'),
  );
  const n = Number(c.n_cases);
  const measurable = new Uint8Array(n);
  const reoffended = new Uint8Array(n);
  const reoffences = new Int32Array(n);
  const daysToReoffence = new Int32Array(n);
  const followUpDays = new Int32Array(n);
  const severity = hasSeverity ? new Float64Array(n) : null;
  const text: string[][] = textCols.map(() => new Array<string>(n));
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    const v = Array.from({ length: chunk.columnCount }, (_, j) => chunk.getColumnVector(j));
    const [vm, vk, vd, vf, vs, vsev] = v as [
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
    ];
    for (let r = 0; r < rows; r++, at++) {
      if (vm.getItem(r) !== 1) continue;
      measurable[at] = 1;
      const k = vk.getItem(r) as number;
      reoffences[at] = k;
      if (k > 0) {
        reoffended[at] = 1;
        daysToReoffence[at] = vd.getItem(r) as number;
      }
      followUpDays[at] = vf.getItem(r) as number;
      if (severity !== null) severity[at] = (vs.getItem(r) as number) > 0 ? NaN : (vsev.getItem(r) as number);
    }
    for (let j = 0; j < textCols.length; j++) {
      const vec = v[6 + j]!;
      const out = text[j]!;
      for (let r = 0, i = at - rows; r < rows; r++, i++) out[i] = vec.getItem(r) as string;
    }
  }
  if (at !== n) throw new Error(`DuckDB returned ${at} people for ${n} cases`);
  const cells = new Map<string, string[]>();
  textCols.forEach((i, j) => cells.set(caseNames[i]!, text[j]!));
  for (const label of LABEL_COLUMNS) {
    const col = cells.get(label);
    if (!col) continue;
    const seen = new Map<string, string>();
    for (const value of new Set(col)) {
      if (value === '') continue;
      const f = value.toLowerCase();
      if (seen.has(f)) return handover(`${label} labels differ only in letter case`);
      seen.set(f, value);
    }
  }
  const ex = (await con.runAndReadAll('SELECT * FROM pe_exclusions')).getRowObjectsJS()[0]!;
  const exclusions: OffenceExclusions = {
    offences_total: Number(ex.offences_total),
    counted: Number(ex.counted),
    on_or_before_start: Number(ex.on_or_before_start),
    after_follow_up: Number(ex.after_follow_up),
    breach: Number(ex.breach),
    other_disposal: Number(ex.other_disposal),
    disposed_after_waiting: Number(ex.disposed_after_waiting),
    pending_person: Number(ex.pending_person),
  };
  const asOfDay = Number((await con.runAndReadAll('SELECT as_of_day FROM pe_as_of')).getRowObjectsJS()[0]!.as_of_day);
  const ids = cells.get('id');
  const table: TextTable = {
    file: o.casesPath,
    columns: caseNames,
    cells,
    // Line numbers only name problems, and an input with problems is handed to the JS readers.
    lines: Array.from({ length: n }, (_, i) => i + 2),
    n,
  };
  const [casesHash, offencesHash] = o.hash
    ? await Promise.all([sha256File(o.casesPath), sha256File(o.offencesPath)])
    : [null, null];
  return {
    kind: 'done',
    cases: { table, id: (row) => (ids ? ids[row]! : '') },
    outcomes: {
      n,
      measurable,
      reoffended,
      reoffences,
      daysToReoffence,
      followUpDays,
      severity,
      exclusions,
      rules: { ...rules },
      asOfDay,
    },
    asOfDay,
    asOfDefaulted: o.asOfDay === undefined,
    sha256: { cases: casesHash, offences: offencesHash },
  };
}
