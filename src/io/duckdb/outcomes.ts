/**
 * The DuckDB engine for proven re-offending: runs the script that `reoffending --emit-sql duckdb`
 * prints over the cases and offences files (a CSV read with every column as text and the delimiter
 * and header given, or Parquet), and returns the per-person outcomes in the same typed arrays as the
 * JavaScript engine, so the summaries and files written from them are the same bytes.
 *
 * How it keeps CPU and memory down: the script's `cases` and `offences` are views over the files
 * (no raw copy is loaded); only two of its relations are tables, each holding just the typed columns
 * that later relations read (pe_cases, and pe_offences_linked: every offence joined once to its case);
 * every other relation is a view computed when read. The per-person result is streamed chunk by chunk
 * into the typed arrays. DuckDB runs on one thread with a memory limit, writing to a temporary
 * directory (removed afterwards) what does not fit.
 *
 * The SQL says whether there is any problem row (pe_problem_count, the cheap count behind
 * pe_problems), and a few checks find the cell forms that the two engines could read differently
 * (edge whitespace other than spaces, ids with control or non-ASCII characters, severities other
 * than plain decimals, labels differing only in case, a CSV DuckDB cannot read as the JS reader
 * does). When there is any, the engine does not answer: it hands the input to the JavaScript
 * readers, which then report the located problems (file, line, column, value; the first 20 and the
 * total) or read the unusual forms. The answer is therefore never a second opinion that could
 * differ from the JS engine's.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
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

/**
 * DuckDB's memory budget (PILOT_EVAL_DUCKDB_MEMORY overrides it). Above it, DuckDB writes its
 * temporary tables, hash tables and sorts to a temporary directory (made under the system's
 * temporary directory and removed afterwards). 256 MB up to 1 GiB of input (CSV bytes, a Parquet
 * byte counting 5): the process stays well under 1 GB at 5M people (680 MB of CSV), and at 1M
 * nothing is written. Beyond, three quarters of the input's size: at 20M people (2.7 GB of CSV) a
 * 256 MB budget made the per-person query stop part-way (DuckDB returned 10M of 20M people; the
 * JavaScript engine then answered), while 2 GB ran through (93 s of CPU, peak 2.8 GB).
 */
export function memoryLimit(paths: string[]): string {
  const env = process.env.PILOT_EVAL_DUCKDB_MEMORY;
  if (env !== undefined && env !== '') return env;
  let bytes = 0;
  for (const p of paths) {
    try {
      bytes += statSync(p).size * (/\.parquet$/i.test(p) ? 5 : 1);
    } catch {
      /* unreadable: the reader will say so */
    }
  }
  return bytes < 1024 ** 3 ? '256MB' : `${Math.ceil((bytes * 0.75) / 1024 ** 2)}MB`;
}

/**
 * One DuckDB thread: the steps that number rows in file order run on one thread anyway, and a
 * second thread cost more CPU in total than it saved in wall time (measured, docs/engines.md).
 */
const THREADS = process.env.PILOT_EVAL_DUCKDB_THREADS ?? '1';

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const isParquet = (path: string) => extname(path).toLowerCase() === '.parquet';

/** A cell that the JavaScript reader could trim differently (control or non-ASCII character at an edge). */
function edgy(t: string): boolean {
  if (t === '') return false;
  const a = t.charCodeAt(0);
  const b = t.charCodeAt(t.length - 1);
  return a < 32 || a >= 160 || b < 32 || b >= 160;
}

interface Source {
  /** The table function reading the file (every column as text for a CSV). */
  from: string;
  /** The file's header as written. */
  header: string[];
  /** DuckDB's name for each column. */
  columns: string[];
}

/** How DuckDB reads `path` (no rows are read yet), and its header. */
async function openSource(con: Connection, path: string, delimiter: string): Promise<Source> {
  if (isParquet(path)) {
    const from = `read_parquet(${sqlString(path)})`;
    const columns = (await con.runAndReadAll(`SELECT * FROM ${from} LIMIT 0`)).columnNames();
    return { from, header: columns, columns };
  }
  const csv = (header: boolean) =>
    `read_csv(${sqlString(path)}, header = ${header}, all_varchar = true, delim = ${sqlString(delimiter)}, quote = '"', escape = '"', strict_mode = true, null_padding = false)`;
  const first = (await con.runAndReadAll(`SELECT * FROM ${csv(false)} LIMIT 1`)).getRowsJS()[0];
  if (!first) throw new Error('no header row');
  const from = csv(true);
  const columns = (await con.runAndReadAll(`SELECT * FROM ${from} LIMIT 0`)).columnNames();
  if (columns.length !== first.length) throw new Error('the header and the rows differ in width');
  return { from, header: first.map((v) => (v === null ? '' : String(v))), columns };
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
  const spill = mkdtempSync(join(tmpdir(), 'pilot-eval-duckdb-'));
  try {
    let instance: Awaited<ReturnType<DuckDbModule['DuckDBInstance']['create']>>;
    try {
      instance = await duckdb.DuckDBInstance.create(':memory:', {
        threads: THREADS,
        memory_limit: memoryLimit([o.casesPath, o.offencesPath]),
        temp_directory: spill,
        // Hand freed memory back to the system after each step rather than keeping it cached.
        allocator_flush_threshold: '16MB',
        preserve_insertion_order: 'true',
      });
    } catch (err) {
      // E.g. PILOT_EVAL_DUCKDB_MEMORY or PILOT_EVAL_DUCKDB_THREADS not understood by DuckDB.
      return handover(`DuckDB could not start (${(err as Error).message.split('\n')[0]})`);
    }
    const con = await instance.connect();
    try {
      return await derive(con, o);
    } catch (err) {
      // E.g. a case column named like one of the script's own (pe_*), or a CSV DuckDB reads
      // otherwise than the JavaScript reader: the JS readers answer.
      return handover(`DuckDB stopped (${(err as Error).message.split('\n')[0]})`);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(spill, { recursive: true, force: true });
  }
}

async function derive(con: Connection, o: DuckDbOutcomeOptions): Promise<DuckDbOutcomeResult> {
  const handover = (reason: string): DuckDbOutcomeResult => ({ kind: 'handover', reason });
  const rules = o.rules ?? DEFAULT_RULES;
  let casesSrc: Source;
  let offSrc: Source;
  try {
    casesSrc = await openSource(con, o.casesPath, o.read.delimiter);
    offSrc = await openSource(con, o.offencesPath, o.read.delimiter);
  } catch (err) {
    return handover(
      `DuckDB could not read the inputs as the JavaScript reader does (${(err as Error).message.split('\n')[0]})`,
    );
  }
  let caseNames: string[];
  let offNames: string[];
  try {
    caseNames = canonicalHeader(casesSrc.header, mapFor(o.maps, 'cases'), o.casesPath);
    offNames = canonicalHeader(offSrc.header, mapFor(o.maps, 'offences'), o.offencesPath);
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
  // The tables the script reads: the files themselves (nothing is loaded until a relation is
  // materialised), with pe_row numbering the rows in file order.
  const view = (name: string, src: Source, names: string[], cols: number[]) =>
    `CREATE TEMP VIEW ${name} AS SELECT CAST(row_number() OVER () AS INTEGER) AS pe_row, ${cols.map((i) => `${ident(src.columns[i]!)} AS ${ident(names[i]!)}`).join(', ')} FROM ${src.from}`;
  await con.run(view('cases', casesSrc, caseNames, keep));
  await con.run(view('offences', offSrc, offNames, offKeep));

  const hasSeverity = offNames.includes('severity');
  const hasWithdrawn = caseNames.includes('withdrawn');
  const na = [...new Set(o.read.na.filter((t) => t !== ''))];
  const norm = (col: string) => {
    const t = `trim(coalesce(CAST(${col} AS VARCHAR), ''))`;
    return na.length ? `CASE WHEN ${t} IN (${na.map(sqlString).join(', ')}) THEN '' ELSE ${t} END` : t;
  };
  // The case columns read back as text (as the JS reader holds them: trimmed, missing-value tokens
  // empty): the --by columns and withdrawn, or every kept column for --out. The script already
  // holds id and the --by columns so; the others are kept raw in pe_cases and normalised on reading.
  const textCols = keep.filter(
    (i) => o.allCaseColumns || o.by.includes(caseNames[i]!) || (caseNames[i] !== 'id' && caseNames[i] !== 'start_date'),
  );
  const textExpr = (i: number) => {
    const name = caseNames[i]!;
    if (name === 'id') return { keep: null, read: 'pe_id' };
    const b = o.by.indexOf(name);
    if (b >= 0) return { keep: null, read: `pe_by_${b}` };
    return { keep: ident(name), read: norm(ident(name)) };
  };
  const texts = textCols.map(textExpr);
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
    // The tables DuckDB holds: the cases and the offences linked to them, typed and narrow, and the
    // per-person counts that two later relations read (every other relation is a view, computed
    // when read).
    materialise: ['pe_cases', 'pe_offences_linked', 'pe_proven'],
    materialiseColumns: {
      pe_cases: [
        'pe_row',
        'pe_id',
        'pe_start',
        'pe_withdrawn',
        ...o.by.map((_, i) => `pe_by_${i}`),
        ...texts.flatMap((t) => (t.keep === null ? [] : [t.keep])),
      ],
      pe_offences_linked: [
        'pe_order',
        'pe_key',
        'pe_start',
        'pe_offence',
        'pe_disposal',
        'pe_type',
        'pe_severity',
        'pe_ok',
        // Severities other than plain decimals (1e1, inf, ...) are read by the JS readers.
        `(pe_severity_text <> '' AND NOT regexp_full_match(pe_severity_text, '[0-9]{1,15}([.][0-9]{1,15})?')) AS pe_odd_severity`,
      ],
    },
  });
  // Every relation but pe_problems (the problem rows, which the JS readers list instead: here
  // pe_problem_count says whether there are any) and the per-group result (summarised in JS).
  for (let k = 0; k < sql.statements.length - 1; k++)
    if (sql.relations[k] !== 'pe_problems') await con.run(sql.statements[k]!);

  const checks = await con.runAndReadAll(
    [
      'SELECT',
      '  (SELECT n_flagged FROM pe_problem_count) AS problems,',
      '  (SELECT count(*) FROM pe_cases) AS n_cases,',
      '  (SELECT count(*) FROM pe_offences_linked) AS n_offences,',
      '  (SELECT count(*) FROM pe_offences_linked WHERE pe_odd_severity) AS odd_severity,',
      // An id the JS reader could trim otherwise (a control or non-ASCII character) goes to it.
      "  (SELECT count(*) FROM pe_cases WHERE regexp_matches(pe_id, '[^ -~]')) AS odd_ids",
    ].join('\n'),
  );
  const c = checks.getRowObjectsJS()[0]!;
  if (Number(c.problems) > 0) return handover(`${c.problems} problem row(s): the JavaScript readers locate them`);
  if (Number(c.n_cases) === 0) return handover('the cases file has no rows');
  if (Number(c.n_offences) === 0 && o.asOfDay === undefined) return handover('the offences file has no rows');
  if (Number(c.odd_severity) > 0) return handover('severities written other than as plain decimals');
  if (Number(c.odd_ids) > 0) return handover('ids with control or non-ASCII characters');

  const totals = (
    await con.runAndReadAll('SELECT x.*, a.as_of_day FROM pe_offence_classes x CROSS JOIN pe_as_of a')
  ).getRowObjectsJS()[0]!;

  // Per person (in any order: pe_row says where each goes): the outcomes, read chunk by chunk into
  // typed arrays, and the case columns as text.
  const n = Number(c.n_cases);
  // Streamed: DuckDB computes each chunk as it is fetched, so the result is never held whole.
  const result = await con.stream(
    [
      'SELECT pe_row, CAST(pe_measurable AS INTEGER), CAST(coalesce(pe_reoffences, 0) AS INTEGER), CAST(coalesce(pe_days_to_reoffence, 0) AS INTEGER),',
      '  CAST(coalesce(pe_follow_up_days, 0) AS INTEGER), CAST(pe_severity_missing AS INTEGER), CAST(coalesce(pe_severity, 0) AS DOUBLE), CAST(pe_pending_proven AS INTEGER)',
      ...texts.map((t) => `, ${t.read}`),
      'FROM pe_person',
    ].join('\n'),
  );
  const measurable = new Uint8Array(n);
  const reoffended = new Uint8Array(n);
  const reoffences = new Int32Array(n);
  const daysToReoffence = new Int32Array(n);
  const followUpDays = new Int32Array(n);
  const severity = hasSeverity ? new Float64Array(n) : null;
  const text: string[][] = textCols.map(() => new Array<string>(n).fill(''));
  // Repeated labels share one string (a column with many distinct values stops being pooled).
  const pools = textCols.map(() => new Map<string, string>());
  let seen = 0;
  let pendingPerson = 0;
  let odd = false;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    seen += rows;
    const v = Array.from({ length: chunk.columnCount }, (_, j) => chunk.getColumnVector(j));
    const [vr, vm, vk, vd, vf, vs, vsev, vp] = v as [
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
      (typeof v)[0],
    ];
    const at = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = (vr.getItem(r) as number) - 1;
      at[r] = i;
      pendingPerson += vp.getItem(r) as number;
      if (vm.getItem(r) !== 1) continue;
      measurable[i] = 1;
      const k = vk.getItem(r) as number;
      reoffences[i] = k;
      if (k > 0) {
        reoffended[i] = 1;
        daysToReoffence[i] = vd.getItem(r) as number;
      }
      followUpDays[i] = vf.getItem(r) as number;
      if (severity !== null) severity[i] = (vs.getItem(r) as number) > 0 ? NaN : (vsev.getItem(r) as number);
    }
    for (let j = 0; j < textCols.length; j++) {
      const vec = v[8 + j]!;
      const out = text[j]!;
      const pool = pools[j]!;
      for (let r = 0; r < rows; r++) {
        let t = vec.getItem(r) as string;
        if (pool.size < 4096) {
          const p = pool.get(t);
          if (p === undefined) {
            pool.set(t, t);
            odd ||= edgy(t);
          } else t = p;
        } else odd ||= edgy(t);
        out[at[r]!] = t;
      }
    }
  }
  if (seen !== n)
    throw new Error(
      `DuckDB returned ${seen} people for ${n} cases: its query stopped part-way, most likely out of memory; PILOT_EVAL_DUCKDB_MEMORY (e.g. 4GB) sets its budget`,
    );
  if (odd) return handover('cells with edge whitespace other than spaces');
  const cells = new Map<string, string[]>();
  textCols.forEach((i, j) => cells.set(caseNames[i]!, text[j]!));
  for (const label of LABEL_COLUMNS) {
    const col = cells.get(label);
    if (!col) continue;
    const seenLabels = new Map<string, string>();
    for (const value of new Set(col)) {
      if (value === '') continue;
      const f = value.toLowerCase();
      if (seenLabels.has(f)) return handover(`${label} labels differ only in letter case`);
      seenLabels.set(f, value);
    }
  }
  const exclusions: OffenceExclusions = {
    offences_total: Number(totals.offences_total),
    counted: Number(totals.proven) - pendingPerson,
    on_or_before_start: Number(totals.on_or_before_start),
    after_follow_up: Number(totals.after_follow_up),
    breach: Number(totals.breach),
    other_disposal: Number(totals.other_disposal),
    disposed_after_waiting: Number(totals.disposed_after_waiting),
    pending_person: pendingPerson,
  };
  const asOfDay = Number(totals.as_of_day);
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
