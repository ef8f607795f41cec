/**
 * `import`: validates and normalises cases and offences. Streams both files, keeps one normalised
 * CSV line per accepted row, sorts by id and writes canonical files. Every rejected row is listed
 * in rejects.csv with file, physical line, column, value and reason; read = accepted + rejected.
 */
import { join } from 'node:path';
import { DataError, type DataProblem } from '../core/errors.js';
import { readCsv } from './csv-reader.js';
import { canonicalHeader, mapFor, type ColumnMaps } from './column-map.js';
import { missingColumnsError } from './table.js';
import {
  CASE_REQUIRED,
  CASE_RULES,
  OFFENCE_REQUIRED,
  OFFENCE_RULES,
  caseRowConsistency,
  validateRow,
  type ColumnRule,
  type RowProblem,
} from './case-schema.js';
import { formatCsvLine, toCsv } from './csv-writer.js';
import { AtomicWriter, writeFilesAtomic } from './atomic.js';

export interface ImportOptions {
  casesPath: string;
  offencesPath?: string;
  outDir: string;
  delimiter?: string;
  maps?: ColumnMaps | null;
  ogrsPercent?: boolean;
  allowRejects?: boolean;
  /** Replaces every id by this function's result (keyed pseudonymisation); applied after validation. */
  pseudonymise?: (id: string) => string;
  /** Progress callback (rows read so far). */
  onProgress?: (what: string, rows: number) => void;
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

interface StagedRow {
  /** The id as read (used to link offences to cases and to find duplicates). */
  id: string;
  /** The id as written (the pseudonym when pseudonymising): the sort key. */
  outId: string;
  line: number;
  text: string;
  sortKey2: string;
}

function outputColumns(columns: string[], rules: ReadonlyArray<[string, ColumnRule]>): { order: number[]; names: string[] } {
  const known = rules.map(([name]) => name).filter((n) => columns.includes(n));
  const others = columns.filter((c) => c !== '' && !rules.some(([n]) => n === c));
  const names = [...known, ...others];
  return { names, order: names.map((n) => columns.indexOf(n)) };
}

function byIdThen(a: StagedRow, b: StagedRow): number {
  if (a.outId !== b.outId) return a.outId < b.outId ? -1 : 1;
  if (a.sortKey2 !== b.sortKey2) return a.sortKey2 < b.sortKey2 ? -1 : 1;
  return a.line - b.line;
}

/**
 * Runs the import. Writes rejects.csv and import.json always; writes cases.csv (and offences.csv)
 * only when nothing was rejected or `allowRejects` is set. Throws a DataError (exit 3) listing the
 * first 20 rejects when rows were rejected without `allowRejects`.
 */
export async function importData(opts: ImportOptions): Promise<ImportResult> {
  const ctx = { ogrsPercent: Boolean(opts.ogrsPercent) };
  const pseud = opts.pseudonymise;
  const rejects: Reject[] = [];
  const inputs: Array<{ path: string; sha256: string }> = [];
  const casesFile = opts.casesPath === '-' ? '<stdin>' : opts.casesPath;

  // ---- cases ----
  const caseRules = new Map(CASE_RULES);
  let caseColumns: string[] = [];
  let caseOut = { order: [] as number[], names: [] as string[] };
  const staged: StagedRow[] = [];
  const rowRejected: boolean[] = [];
  const linesById = new Map<string, number[]>();
  const caseCounts: ImportCounts = { read: 0, accepted: 0, rejected: 0 };
  const cr = await readCsv(
    opts.casesPath,
    { delimiter: opts.delimiter, displayName: casesFile, hash: true },
    (header) => {
      caseColumns = canonicalHeader(header, mapFor(opts.maps ?? null, 'cases'), casesFile);
      const missing = CASE_REQUIRED.filter((c) => !caseColumns.includes(c));
      if (missing.length) throw missingColumnsError(casesFile, header, missing, opts.delimiter ?? ',');
      caseOut = outputColumns(caseColumns, CASE_RULES);
    },
    (batch) => {
      for (let r = 0; r < batch.fields.length; r++) {
        const cells = batch.fields[r]!;
        const line = batch.lines[r]!;
        caseCounts.read++;
        let problems: RowProblem[];
        let values: string[] = [];
        if (cells.length !== caseColumns.length) {
          problems = [{ column: null, value: null, reason: `has ${cells.length} field(s) but the header has ${caseColumns.length}` }];
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
        if (problems.length) {
          for (const p of problems) rejects.push({ file: casesFile, line, column: p.column ?? '', value: p.value ?? '', reason: p.reason });
          rowRejected.push(true);
        } else rowRejected.push(false);
        const outId = pseud && !problems.length ? pseud(id) : id;
        if (pseud && !problems.length) values[idIdx] = outId;
        staged.push({ id, outId, line, text: problems.length ? '' : formatCsvLine(caseOut.order.map((i) => values[i]!)), sortKey2: '' });
        if (id !== '') {
          const l = linesById.get(id);
          if (l) l.push(line);
          else linesById.set(id, [line]);
        }
      }
      opts.onProgress?.('cases', caseCounts.read);
    },
  );
  if (caseCounts.read === 0) {
    throw new DataError({ file: casesFile, line: 1, column: null, value: null, reason: 'has a header but no data rows: there are no cases to import' });
  }
  inputs.push({ path: casesFile, sha256: cr.sha256! });
  // Duplicate ids: every occurrence is rejected, since none can be trusted to be the right one.
  const caseLineOfId = new Map<string, number>();
  const rejectedCaseLine = new Map<string, number>();
  for (let i = 0; i < staged.length; i++) {
    const s = staged[i]!;
    const lines = linesById.get(s.id);
    if (lines && lines.length > 1) {
      if (!rowRejected[i]) {
        rowRejected[i] = true;
        rejects.push({ file: casesFile, line: s.line, column: 'id', value: s.id, reason: `duplicate id: also on line(s) ${lines.filter((l) => l !== s.line).slice(0, 5).join(', ')}` });
      }
    }
    if (rowRejected[i]) {
      caseCounts.rejected++;
      if (s.id !== '') rejectedCaseLine.set(s.id, s.line);
    } else {
      caseCounts.accepted++;
      caseLineOfId.set(s.id, s.line);
    }
  }

  // ---- offences ----
  const offCounts: ImportCounts = { read: 0, accepted: 0, rejected: 0 };
  const offStaged: StagedRow[] = [];
  let offNames: string[] = [];
  if (opts.offencesPath !== undefined) {
    const offFile = opts.offencesPath === '-' ? '<stdin>' : opts.offencesPath;
    const offRules = new Map(OFFENCE_RULES);
    let cols: string[] = [];
    let out = { order: [] as number[], names: [] as string[] };
    const or = await readCsv(
      opts.offencesPath,
      { delimiter: opts.delimiter, displayName: offFile, hash: true },
      (header) => {
        cols = canonicalHeader(header, mapFor(opts.maps ?? null, 'offences'), offFile);
        const missing = OFFENCE_REQUIRED.filter((c) => !cols.includes(c));
        if (missing.length) throw missingColumnsError(offFile, header, missing, opts.delimiter ?? ',');
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
            problems = [{ column: null, value: null, reason: `has ${cells.length} field(s) but the header has ${cols.length}` }];
          } else {
            const v = validateRow(cells, cols, offRules, ctx);
            values = v.values;
            problems = v.problems;
            if (problems.length === 0) {
              const id = values[iId]!;
              if (!caseLineOfId.has(id)) {
                const rl = rejectedCaseLine.get(id);
                problems.push({
                  column: 'id',
                  value: id,
                  reason: rl !== undefined ? `the case with this id was rejected (cases line ${rl})` : 'no case with this id in the cases file',
                });
              }
              if (values[iDisp]! < values[iOff]!) {
                problems.push({ column: 'disposal_date', value: cells[iDisp]!, reason: `precedes offence_date ${values[iOff]}` });
              }
            }
          }
          if (problems.length) {
            for (const p of problems) rejects.push({ file: offFile, line, column: p.column ?? '', value: p.value ?? '', reason: p.reason });
            offCounts.rejected++;
          } else {
            offCounts.accepted++;
            const id = values[iId]!;
            const outId = pseud ? pseud(id) : id;
            values[iId] = outId;
            offStaged.push({ id, outId, line, text: formatCsvLine(out.order.map((i) => values[i]!)), sortKey2: values[iOff]! });
          }
        }
        opts.onProgress?.('offences', offCounts.read);
      },
    );
    inputs.push({ path: offFile, sha256: or.sha256! });
  }

  // ---- outputs ----
  rejects.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === casesFile ? -1 : 1));
  const rejectsPath = join(opts.outDir, 'rejects.csv');
  const jsonPath = join(opts.outDir, 'import.json');
  const casesOutPath = join(opts.outDir, 'cases.csv');
  const offencesOutPath = join(opts.outDir, 'offences.csv');
  const anyRejected = caseCounts.rejected + offCounts.rejected > 0;
  const writeData = !anyRejected || Boolean(opts.allowRejects);
  const result: ImportResult = {
    cases: caseCounts,
    offences: offCounts,
    inputs,
    rejects: rejects.slice(0, MAX_JSON_REJECTS),
    rejects_total: rejects.length,
    outputs: writeData ? [casesOutPath, ...(opts.offencesPath !== undefined ? [offencesOutPath] : []), rejectsPath, jsonPath] : [rejectsPath, jsonPath],
    pseudonymised: Boolean(pseud),
  };

  if (writeData) {
    const accepted = staged.filter((_, i) => !rowRejected[i]);
    accepted.sort(byIdThen);
    writeLines(casesOutPath, caseOut.names, accepted);
    if (opts.offencesPath !== undefined) {
      offStaged.sort(byIdThen);
      writeLines(offencesOutPath, offNames, offStaged);
    }
  }
  writeFilesAtomic([
    { path: rejectsPath, content: toCsv(['file', 'line', 'column', 'value', 'reason'], rejects.map((r) => [r.file, r.line, r.column, r.value, r.reason])) },
    { path: jsonPath, content: `${JSON.stringify({ schema_version: 1, ...result }, null, 2)}\n` },
  ]);
  if (anyRejected && !opts.allowRejects) {
    const problems: DataProblem[] = rejects.slice(0, 20).map((r) => ({ file: r.file, line: r.line, column: r.column || null, value: r.value || null, reason: r.reason }));
    const err = new DataError(problems, rejects.length);
    err.message += `\n${caseCounts.rejected} case row(s) and ${offCounts.rejected} offence row(s) rejected; all are listed in ${rejectsPath}. Fix them, or pass --allow-rejects to import the rest.`;
    throw err;
  }
  return result;
}

function writeLines(path: string, header: string[], rows: StagedRow[]): void {
  const w = new AtomicWriter(path);
  try {
    w.write(`${formatCsvLine(header)}\n`);
    let buf = '';
    for (const r of rows) {
      buf += `${r.text}\n`;
      if (buf.length > 1 << 20) {
        w.write(buf);
        buf = '';
      }
    }
    w.write(buf);
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}
