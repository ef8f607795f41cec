/**
 * Reads a whole CSV into columns of text, keyed by canonical column name, with the physical line
 * of every record. For files that fit in memory (cases, allocations); large offence files are
 * streamed with readCsv instead.
 */
import { DataError, type DataProblem } from '../core/errors.js';
import { readCsv } from './csv-reader.js';
import { canonicalHeader, type ColumnMap } from './column-map.js';

export interface TextTable {
  /** File name as shown in messages. */
  file: string;
  /** Canonical column names in file order. */
  columns: string[];
  /** Column name -> cells (index = record). */
  cells: Map<string, string[]>;
  /** Physical start line of each record. */
  lines: number[];
  n: number;
}

export interface ReadTableOptions {
  delimiter?: string;
  map?: ColumnMap;
  displayName?: string;
  /** Columns that must be present. */
  required?: string[];
}

/** Reads `path` (or `-` for stdin). Ragged rows (wrong number of fields) are data errors. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<TextTable> {
  const file = options.displayName ?? (path === '-' ? '<stdin>' : path);
  let columns: string[] = [];
  let data: string[][] = [];
  const lines: number[] = [];
  const problems: DataProblem[] = [];
  let problemCount = 0;
  await readCsv(
    path,
    { delimiter: options.delimiter, displayName: file },
    (header) => {
      columns = canonicalHeader(header, options.map ?? new Map(), file);
      data = columns.map(() => []);
      const missing = (options.required ?? []).filter((c) => !columns.includes(c));
      if (missing.length) throw missingColumnsError(file, header, missing, options.delimiter ?? ',');
    },
    (batch) => {
      for (let r = 0; r < batch.fields.length; r++) {
        const row = batch.fields[r]!;
        if (row.length !== columns.length) {
          problemCount++;
          if (problems.length < 20) {
            problems.push({
              file,
              line: batch.lines[r]!,
              column: null,
              value: null,
              reason: `has ${row.length} field(s) but the header has ${columns.length}`,
            });
          }
          continue;
        }
        for (let c = 0; c < row.length; c++) data[c]!.push(row[c]!.trim());
        lines.push(batch.lines[r]!);
      }
    },
  );
  if (problemCount > 0) throw new DataError(problems, problemCount);
  const cells = new Map<string, string[]>();
  columns.forEach((c, i) => {
    if (c !== '') cells.set(c, data[i]!);
  });
  return { file, columns, cells, lines, n: lines.length };
}

/** A missing-column error that suggests the likely cause (a different delimiter). */
export function missingColumnsError(file: string, header: string[], missing: string[], delimiter: string): DataError {
  let hint = '';
  if (header.length === 1) {
    const h = header[0]!;
    const guess = [';', '\t', '|', ','].find((d) => d !== delimiter && h.includes(d));
    if (guess) hint = ` The header has one column containing ${JSON.stringify(guess)}: try --delimiter ${guess === '\t' ? 'tab' : `'${guess}'`}.`;
  }
  return new DataError(
    missing.map((m) => ({
      file,
      line: 1,
      column: m,
      value: null,
      reason: `required column "${m}" is missing (header: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''}).${hint}`,
    })),
  );
}
