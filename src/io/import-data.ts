/**
 * `import`: validates and normalises cases and offences. Streams both files, keeps one normalised
 * CSV line per accepted row, sorts by id and writes canonical files. Every rejected row is listed
 * in rejects.csv with file, physical line, column, value and reason; read = accepted + rejected.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, type DataProblem } from '../core/errors.js';
import { daysFromCivil } from '../core/dates.js';
import { IdIndex } from '../core/outcomes/id-index.js';
import { readCsv } from './csv-reader.js';
import { tableDisplayName } from './xlsx-reader.js';
import { canonicalHeader, mapFor, type ColumnMaps } from './column-map.js';
import { checkLabelCase, missingColumnsError } from './table.js';
import {
  CASE_REQUIRED,
  CASE_RULES,
  OFFENCE_REQUIRED,
  OFFENCE_RULES,
  caseRowConsistency,
  validateRow,
  type ColumnRule,
  type RowProblem,
} from '../core/case-schema.js';
import { formatCsvLine, toCsv } from './csv-writer.js';
import {
  AtomicWriter,
  IMPORT_JOURNAL,
  commitWritersJournalled,
  recoverFileSet,
  removeStrayTemps,
  type WriteStep,
} from './atomic.js';
import { acquireLocks } from './lock.js';
import { normaliserFor, readOptions, type ReadOptions } from './read-options.js';
import { MONTH_FIRST_HINT } from '../core/dates.js';

export interface ImportOptions {
  casesPath: string;
  offencesPath?: string;
  outDir: string;
  /** Field delimiter; default `read.delimiter`, else ','. */
  delimiter?: string;
  /** How cells are read (`--na`, `--date-format`, `--decimal-comma`); see ReadOptions. */
  read?: Partial<ReadOptions>;
  maps?: ColumnMaps | null;
  ogrsPercent?: boolean;
  allowRejects?: boolean;
  /** Replaces every id by this function's result (keyed pseudonymisation); applied after validation. */
  pseudonymise?: (id: string) => string;
  /** Progress callback (rows read so far). */
  onProgress?: (what: string, rows: number) => void;
  /** How long to wait for another import writing the same folder (ms; default 10 s). */
  lockWaitMs?: number;
  /** Called once the output folder's lock is held (tests use it to kill the process there). */
  lockedHook?: () => void | Promise<void>;
  /** Called after each step of the output write (`staged:<i>`, `journal`, `renamed:<i>`). */
  writeHook?: (step: WriteStep) => void;
}

/** The files `import` writes into its output folder, in write order, and its write-ahead record. */
export function importOutputPaths(outDir: string): {
  cases: string;
  offences: string;
  rejects: string;
  json: string;
  journal: string;
} {
  const json = join(outDir, 'import.json');
  return {
    cases: join(outDir, 'cases.csv'),
    offences: join(outDir, 'offences.csv'),
    rejects: join(outDir, 'rejects.csv'),
    json,
    journal: join(outDir, IMPORT_JOURNAL),
  };
}

/**
 * Finishes an import whose process died during its write (`import --recover --out-dir <dir>`):
 * with the write-ahead record there, the new set is completed; without it, staged copies are
 * removed and the old set stays. Idempotent.
 */
export async function recoverImport(
  outDir: string,
  lockWaitMs?: number,
): Promise<{ recovered: string[]; removed: string[] }> {
  const paths = importOutputPaths(outDir);
  const locks = await acquireLocks([paths.json], { waitMs: lockWaitMs, what: `import output folder ${outDir}` });
  try {
    return finishInterrupted(paths);
  } finally {
    for (const l of locks) l.release();
  }
}

function finishInterrupted(paths: ReturnType<typeof importOutputPaths>): { recovered: string[]; removed: string[] } {
  const recovered = recoverFileSet(paths.journal) ?? [];
  const removed = [paths.cases, paths.offences, paths.rejects, paths.json].flatMap((t) => removeStrayTemps(t));
  return { recovered, removed };
}

export interface Reject {
  file: string;
  line: number;
  column: string;
  value: string;
  reason: string;
}

export interface ImportCounts {
  read: number;
  accepted: number;
  rejected: number;
}

export interface ImportResult {
  cases: ImportCounts;
  offences: ImportCounts;
  inputs: Array<{ path: string; sha256: string }>;
  rejects: Reject[];
  rejects_total: number;
  outputs: string[];
  pseudonymised: boolean;
}

/** At most this many rejects are copied into import.json (rejects.csv always has all of them). */
export const MAX_JSON_REJECTS = 1000;

/**
 * Case rows as read, in parallel arrays (one entry per data row): at a million rows, one object
 * per row cost seconds of garbage collection.
 */
interface StagedCases {
  /** The id as read (links offences to cases, finds duplicates). */
  ids: string[];
  /** The id as written (the pseudonym when pseudonymising): the sort key. */
  outIds: string[];
  lines: number[];
  /** The normalised CSV line; '' for a rejected row. */
  texts: string[];
  rejected: number[];
}

/** Accepted offence rows in parallel arrays. */
interface StagedOffences {
  /** Index of the offence's case in StagedCases. */
  caseIndex: number[];
  offenceDay: number[];
  lines: number[];
  texts: string[];
}

/**
 * Output columns: the schema's known ones first, in schema order, then the others as read. Linear
 * in the number of columns (a header of 100,000 columns took minutes with a search per column).
 */
function outputColumns(
  columns: string[],
  rules: ReadonlyArray<[string, ColumnRule]>,
): { order: number[]; names: string[] } {
  const at = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!at.has(c)) at.set(c, i);
  });
  const ruled = new Set(rules.map(([n]) => n));
  const known = rules.map(([name]) => name).filter((n) => at.has(n));
  const others = columns.filter((c) => c !== '' && !ruled.has(c));
  const names = [...known, ...others];
  return { names, order: names.map((n) => at.get(n)!) };
}

/** Accepted case indices in output order (by written id), checking first whether they already are. */
function caseOrder(c: StagedCases): Int32Array {
  const acc: number[] = [];
  for (let i = 0; i < c.ids.length; i++) if (!c.rejected[i]) acc.push(i);
  let sorted = true;
  for (let k = 1; k < acc.length && sorted; k++) if (c.outIds[acc[k - 1]!]! > c.outIds[acc[k]!]!) sorted = false;
  if (!sorted)
    acc.sort((a, b) =>
      c.outIds[a]! < c.outIds[b]! ? -1 : c.outIds[a]! > c.outIds[b]! ? 1 : c.lines[a]! - c.lines[b]!,
    );
  return Int32Array.from(acc);
}

/**
 * Offence rows in output order: by their case's position in the cases output, then offence date,
 * then line. A counting sort on the case position (linear), then a stable insertion sort by date
 * within each person's few offences.
 */
function offenceOrder(o: StagedOffences, casePosition: Int32Array, nCases: number): Int32Array {
  const n = o.caseIndex.length;
  const start = new Int32Array(nCases + 1);
  for (let k = 0; k < n; k++) start[casePosition[o.caseIndex[k]!]! + 1]!++;
  for (let p = 0; p < nCases; p++) start[p + 1]! += start[p]!;
  const next = start.slice(0, nCases);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[next[casePosition[o.caseIndex[k]!]!]!++] = k; // rows arrive in line order
  for (let p = 0; p < nCases; p++) {
    for (let i = start[p]! + 1; i < start[p + 1]!; i++) {
      const v = order[i]!;
      const day = o.offenceDay[v]!;
      let j = i - 1;
      while (j >= start[p]! && o.offenceDay[order[j]!]! > day) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = v;
    }
  }
  return order;
}

/**
 * A line built by concatenation is a tree of string pieces in V8; reading a character flattens it
 * into one block, so a staged line costs its length instead of dozens of small objects. At a
 * million rows this is the difference between ~1 GB and a few hundred MB of staged text.
 */
function flat(line: string): string {
  line.charCodeAt(0);
  return line;
}

function isoToDay(iso: string): number {
  return daysFromCivil(+iso.slice(0, 4), +iso.slice(5, 7), +iso.slice(8, 10));
}

/**
 * Runs the import. Writes rejects.csv and import.json always; writes cases.csv (and offences.csv)
 * only when nothing was rejected or `allowRejects` is set. Throws a DataError (exit 3) listing the
 * first 20 rejects when rows were rejected without `allowRejects`.
 */
export async function importData(opts: ImportOptions): Promise<ImportResult> {
  const paths = importOutputPaths(opts.outDir);
  const read = readOptions(opts.read);
  const delimiter = opts.delimiter ?? read.delimiter;
  const ctx = { ogrsPercent: Boolean(opts.ogrsPercent), dateFormat: read.dateFormat, normalise: normaliserFor(read) };
  // Date columns holding a value only valid month-first: column -> its first such value.
  const monthFirst = new Map<string, { file: string; line: number; value: string }>();
  const noteMonthFirst = (file: string, line: number, problems: RowProblem[]) => {
    for (const p of problems) {
      const key = `${file}\u0000${p.column}`;
      if (p.monthFirst && !monthFirst.has(key)) monthFirst.set(key, { file, line, value: p.value ?? '' });
    }
  };
  const pseud = opts.pseudonymise;
  // The output folder of a pseudonymised import is meant to be shared: a reject names the line
  // and, for the id column, the pseudonym of the id read there, never the raw id.
  const shown = (column: string | null, value: string | null): string =>
    pseud && column === 'id' && value ? pseud(value) : (value ?? '');
  const rejects: Reject[] = [];
  const inputs: Array<{ path: string; sha256: string }> = [];
  const casesFile = tableDisplayName(opts.casesPath, opts.casesPath === '-' ? '<stdin>' : opts.casesPath, read.sheet);

  // ---- cases ----
  const caseRules = new Map(CASE_RULES);
  let caseColumns: string[] = [];
  let caseOut = { order: [] as number[], names: [] as string[] };
  const staged: StagedCases = { ids: [], outIds: [], lines: [], texts: [], rejected: [] };
  const duplicated = new Set<string>();
  const caseCounts: ImportCounts = { read: 0, accepted: 0, rejected: 0 };
  // Labels of the arm columns: column -> label -> first line (checked for case variants below).
  const labels = new Map<string, Map<string, number>>();
  const cr = await readCsv(
    opts.casesPath,
    { delimiter, displayName: casesFile, hash: true, sheet: read.sheet },
    (header) => {
      caseColumns = canonicalHeader(header, mapFor(opts.maps ?? null, 'cases'), casesFile);
      const missing = CASE_REQUIRED.filter((c) => !caseColumns.includes(c));
      if (missing.length) throw missingColumnsError(casesFile, header, missing, delimiter);
      caseOut = outputColumns(caseColumns, CASE_RULES);
      for (const c of ['arm', 'sub_arm']) if (caseColumns.includes(c)) labels.set(c, new Map());
    },
    (batch) => {
      for (let r = 0; r < batch.fields.length; r++) {
        const cells = batch.fields[r]!;
        const line = batch.lines[r]!;
        caseCounts.read++;
        let problems: RowProblem[];
        let values: string[] = [];
        if (cells.length !== caseColumns.length) {
          problems = [
            {
              column: null,
              value: null,
              reason: `has ${cells.length} field(s) but the header has ${caseColumns.length}`,
            },
          ];
        } else {
          const v = validateRow(cells, caseColumns, caseRules, ctx);
          values = v.values;
          problems = v.problems;
          if (problems.length === 0) {
            problems = caseRowConsistency((c) => {
              const i = caseColumns.indexOf(c);
              return i >= 0 ? values[i] : undefined;
            });
          }
        }
        const idIdx = caseColumns.indexOf('id');
        const id = values[idIdx] ?? cells[idIdx]?.trim() ?? '';
        for (const p of problems)
          rejects.push({
            file: casesFile,
            line,
            column: p.column ?? '',
            value: shown(p.column, p.value),
            reason: p.reason,
          });
        if (problems.length) noteMonthFirst(casesFile, line, problems);
        else {
          for (const [column, seen] of labels) {
            const v = values[caseColumns.indexOf(column)]!;
            if (!seen.has(v)) seen.set(v, line);
          }
        }
        const outId = pseud && !problems.length ? pseud(id) : id;
        if (pseud && !problems.length) values[idIdx] = outId;
        staged.ids.push(id);
        staged.outIds.push(outId);
        staged.lines.push(line);
        staged.texts.push(problems.length ? '' : flat(formatCsvLine(caseOut.order.map((i) => values[i]!))));
        staged.rejected.push(problems.length ? 1 : 0);
      }
      opts.onProgress?.('cases', caseCounts.read);
    },
  );
  if (caseCounts.read === 0) {
    throw new DataError({
      file: casesFile,
      line: 1,
      column: null,
      value: null,
      reason: 'has a header but no data rows: there are no cases to import',
    });
  }
  inputs.push({ path: casesFile, sha256: cr.sha256! });
  // `Yes` and `yes` would be two arms downstream: refused for the file, not row by row.
  for (const [column, seen] of labels) checkLabelCase(casesFile, column, [...seen.keys()], [...seen.values()]);
  // id -> index of its first row (a typed-array index: a 1M-entry Map cost seconds here).
  const firstRow = IdIndex.of(staged.ids);
  for (let i = 0; i < staged.ids.length; i++) {
    if (staged.ids[i] !== '' && firstRow.addRow(i) !== undefined) duplicated.add(staged.ids[i]!);
  }
  // Duplicate ids: every occurrence is rejected, since none can be trusted to be the right one.
  if (duplicated.size > 0) {
    const linesOf = new Map<string, number[]>();
    staged.ids.forEach((id, i) => {
      if (duplicated.has(id)) linesOf.set(id, [...(linesOf.get(id) ?? []), staged.lines[i]!]);
    });
    staged.ids.forEach((id, i) => {
      if (!duplicated.has(id) || staged.rejected[i]) return;
      staged.rejected[i] = 1;
      const others = linesOf.get(id)!.filter((l) => l !== staged.lines[i]);
      rejects.push({
        file: casesFile,
        line: staged.lines[i]!,
        column: 'id',
        value: shown('id', id),
        reason: `duplicate id: also on line(s) ${others.slice(0, 5).join(', ')}`,
      });
    });
  }
  for (let i = 0; i < staged.ids.length; i++) {
    if (staged.rejected[i]) caseCounts.rejected++;
    else caseCounts.accepted++;
  }

  // ---- offences ----
  const offCounts: ImportCounts = { read: 0, accepted: 0, rejected: 0 };
  const offStaged: StagedOffences = { caseIndex: [], offenceDay: [], lines: [], texts: [] };
  let offNames: string[] = [];
  if (opts.offencesPath !== undefined) {
    const offFile = tableDisplayName(
      opts.offencesPath,
      opts.offencesPath === '-' ? '<stdin>' : opts.offencesPath,
      read.sheet,
    );
    const offRules = new Map(OFFENCE_RULES);
    let cols: string[] = [];
    let out = { order: [] as number[], names: [] as string[] };
    const or = await readCsv(
      opts.offencesPath,
      { delimiter, displayName: offFile, hash: true, sheet: read.sheet },
      (header) => {
        cols = canonicalHeader(header, mapFor(opts.maps ?? null, 'offences'), offFile);
        const missing = OFFENCE_REQUIRED.filter((c) => !cols.includes(c));
        if (missing.length) throw missingColumnsError(offFile, header, missing, delimiter);
        out = outputColumns(cols, OFFENCE_RULES);
        offNames = out.names;
      },
      (batch) => {
        const iId = cols.indexOf('id');
        const iOff = cols.indexOf('offence_date');
        const iDisp = cols.indexOf('disposal_date');
        for (let r = 0; r < batch.fields.length; r++) {
          const cells = batch.fields[r]!;
          const line = batch.lines[r]!;
          offCounts.read++;
          let problems: RowProblem[];
          let values: string[] = [];
          if (cells.length !== cols.length) {
            problems = [
              { column: null, value: null, reason: `has ${cells.length} field(s) but the header has ${cols.length}` },
            ];
          } else {
            const v = validateRow(cells, cols, offRules, ctx);
            values = v.values;
            problems = v.problems;
            if (problems.length === 0) {
              const id = values[iId]!;
              const ci = firstRow.get(id);
              if (ci === undefined || staged.rejected[ci]) {
                problems.push({
                  column: 'id',
                  value: id,
                  reason:
                    ci !== undefined
                      ? `the case with this id was rejected (cases line ${staged.lines[ci]})`
                      : 'no case with this id in the cases file',
                });
              }
              if (values[iDisp]! < values[iOff]!) {
                problems.push({
                  column: 'disposal_date',
                  value: cells[iDisp]!,
                  reason: `precedes offence_date ${values[iOff]}`,
                });
              }
            }
          }
          if (problems.length) {
            for (const p of problems)
              rejects.push({
                file: offFile,
                line,
                column: p.column ?? '',
                value: shown(p.column, p.value),
                reason: p.reason,
              });
            noteMonthFirst(offFile, line, problems);
            offCounts.rejected++;
          } else {
            offCounts.accepted++;
            const ci = firstRow.get(values[iId]!)!;
            values[iId] = staged.outIds[ci]!;
            offStaged.caseIndex.push(ci);
            offStaged.offenceDay.push(isoToDay(values[iOff]!));
            offStaged.lines.push(line);
            offStaged.texts.push(flat(formatCsvLine(out.order.map((i) => values[i]!))));
          }
        }
        opts.onProgress?.('offences', offCounts.read);
      },
    );
    inputs.push({ path: offFile, sha256: or.sha256! });
  }

  // A date column with month-first values is refused as a whole, even with --allow-rejects: its
  // other dates (10/08/2019) were read day-first and may be wrong, so no row of it can be trusted.
  if (monthFirst.size > 0) {
    rejects.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === casesFile ? -1 : 1));
    const columnLevel: DataProblem[] = [...monthFirst].map(([key, w]) => {
      const column = key.slice(key.indexOf('\u0000') + 1);
      return {
        file: w.file,
        line: w.line,
        column,
        value: w.value,
        reason: `the whole ${column} column is refused (nothing was written): ${MONTH_FIRST_HINT}`,
      };
    });
    const rows: DataProblem[] = rejects.map((r) => ({
      file: r.file,
      line: r.line,
      column: r.column || null,
      value: r.value || null,
      reason: r.reason,
    }));
    throw new DataError([...columnLevel, ...rows], columnLevel.length + rows.length);
  }

  // ---- outputs ----
  rejects.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === casesFile ? -1 : 1));
  const rejectsPath = paths.rejects;
  const jsonPath = paths.json;
  const casesOutPath = paths.cases;
  const offencesOutPath = paths.offences;
  const anyRejected = caseCounts.rejected + offCounts.rejected > 0;
  const writeData = !anyRejected || Boolean(opts.allowRejects);
  const result: ImportResult = {
    cases: caseCounts,
    offences: offCounts,
    inputs,
    rejects: rejects.slice(0, MAX_JSON_REJECTS),
    rejects_total: rejects.length,
    outputs: writeData
      ? [casesOutPath, ...(opts.offencesPath !== undefined ? [offencesOutPath] : []), rejectsPath, jsonPath]
      : [rejectsPath, jsonPath],
    pseudonymised: Boolean(pseud),
  };

  // One writer per output folder at a time (taken for the write only: reading needs no lock); an
  // earlier run killed mid-write is finished first. The files are one set: all are staged, then a
  // write-ahead record commits them, so a kill at any point leaves the old set or (finished by the
  // next run or --recover) the new one.
  const locks = await acquireLocks([paths.json], {
    waitMs: opts.lockWaitMs,
    what: `import output folder ${opts.outDir}`,
  });
  try {
    await opts.lockedHook?.();
    finishInterrupted(paths);
    const writers: AtomicWriter[] = [];
    try {
      if (writeData) {
        const order = caseOrder(staged);
        writers.push(writeLines(casesOutPath, caseOut.names, staged.texts, order));
        if (opts.offencesPath !== undefined) {
          const position = new Int32Array(staged.ids.length);
          order.forEach((ci, p) => (position[ci] = p));
          writers.push(
            writeLines(offencesOutPath, offNames, offStaged.texts, offenceOrder(offStaged, position, order.length)),
          );
        }
      }
      writers.push(
        writeText(
          rejectsPath,
          toCsv(
            ['file', 'line', 'column', 'value', 'reason'],
            rejects.map((r) => [r.file, r.line, r.column, r.value, r.reason]),
          ),
        ),
      );
      writers.push(writeText(jsonPath, `${JSON.stringify({ schema_version: 1, ...result }, null, 2)}\n`));
    } catch (err) {
      for (const w of writers) w.abort();
      throw err;
    }
    // New cases without offences this time: an earlier import's offences.csv is removed with the
    // commit, so the folder never holds this run's cases beside another run's offences. (A run
    // that writes no data because of rejects leaves the earlier data files as they were.)
    const stale = writeData && opts.offencesPath === undefined && existsSync(offencesOutPath) ? [offencesOutPath] : [];
    commitWritersJournalled(writers, paths.journal, opts.writeHook, stale);
  } finally {
    for (const l of locks) l.release();
  }
  if (anyRejected && !opts.allowRejects) {
    const problems: DataProblem[] = rejects
      .slice(0, 20)
      .map((r) => ({ file: r.file, line: r.line, column: r.column || null, value: r.value || null, reason: r.reason }));
    const err = new DataError(problems, rejects.length);
    err.message += `\n${caseCounts.rejected} case row(s) and ${offCounts.rejected} offence row(s) rejected; all are listed in ${rejectsPath}. Fix them, or pass --allow-rejects to import the rest.`;
    throw err;
  }
  return result;
}

function writeText(path: string, text: string): AtomicWriter {
  const w = new AtomicWriter(path);
  try {
    w.write(text);
  } catch (err) {
    w.abort();
    throw err;
  }
  return w;
}

/** Writes the header and the staged lines in `order` to a staged (not yet committed) file. */
function writeLines(path: string, header: string[], texts: string[], order: Int32Array): AtomicWriter {
  const w = new AtomicWriter(path);
  try {
    w.write(`${formatCsvLine(header)}\n`);
    let buf = '';
    for (let k = 0; k < order.length; k++) {
      buf += `${texts[order[k]!]!}\n`;
      if (buf.length > 1 << 20) {
        w.write(buf);
        buf = '';
      }
    }
    w.write(buf);
  } catch (err) {
    w.abort();
    throw err;
  }
  return w;
}
