/**
 * Reads a whole CSV into columns of text, keyed by canonical column name, with the physical line
 * of every record. For files that fit in memory (cases, allocations); large offence files are
 * streamed with readCsv instead.
 */
import { DataError, ProblemList } from '../core/errors.js';
import {
  MAX_RECORD_CHARS,
  checkInputPath,
  readCsv,
  emptyFileError,
  readPlainLines,
  surveyPlain,
  type ReadColumns,
} from './csv-reader.js';
import { checkNotInterruptedImport } from './atomic.js';
import { isParquetPath } from './parquet-reader.js';
import { StringPool } from '../core/string-pool.js';
import { PackedColumnBuilder, type PackedColumn } from '../core/packed-column.js';
import { canonicalHeader, type ColumnMap } from './column-map.js';
import { normaliserFor, readOptions, type ReadOptions } from './read-options.js';
import { isXlsxPath, tableDisplayName } from './xlsx-reader.js';

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
  /** sha256 of the bytes read, when asked for with `hash` (computed while reading, not by a second pass). */
  sha256?: string;
  /** The columns asked for with `packed` (not in `cells`). */
  packed?: Map<string, PackedColumn>;
}

export interface ReadTableOptions {
  /** Field delimiter; default `read.delimiter`, else ','. */
  delimiter?: string;
  /**
   * How cells are read (`--na`, `--decimal-comma`, `--date-format`, `--delimiter`): missing-value
   * tokens become '' and decimal commas points in every kept cell, so every parser downstream
   * sees one spelling. Default: DEFAULT_READ_OPTIONS (`NA`, `NULL` and `.` are missing).
   */
  read?: Partial<ReadOptions>;
  map?: ColumnMap;
  displayName?: string;
  /** Columns that must be present. */
  required?: string[];
  /**
   * Keep only these canonical columns (plus `required`); the others are checked for the field
   * count but never stored. Default: every column. At 1M rows each text column held costs ~50 MB
   * and garbage-collector time, so callers that know what they read should say so.
   */
  columns?: readonly string[];
  /** Also compute the sha256 of the input while reading it (for manifests and provenance). */
  hash?: boolean;
  /**
   * Hold these columns (when present and kept) packed, in `packed` instead of `cells`: for a column
   * of distinct values (ids) that is matched, not shown. Measured at 1M cases: ~0.2 s less.
   */
  packed?: readonly string[];
  /** Read through readCsv's papaparse route whatever the file (for tests comparing the routes). */
  general?: boolean;
}

/** `s` without edge whitespace; allocates only when there is some (the usual cell has none). */
export function trimCell(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  // String.prototype.trim removes Unicode White_Space and line terminators; every such code unit
  // is either <= 0x20 or >= 0xA0, so only those need the real trim.
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(n - 1);
  return a <= 32 || b <= 32 || a >= 0xa0 || b >= 0xa0 ? s.trim() : s;
}

/** Reads `path` (or `-` for stdin). Ragged rows (wrong number of fields) are data errors. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<TextTable> {
  const read = readOptions(options.read);
  const file = tableDisplayName(path, options.displayName ?? (path === '-' ? '<stdin>' : path), read.sheet);
  const delimiter = options.delimiter ?? read.delimiter;
  const norm = normaliserFor(read);
  const na = new Set(read.na.filter((t) => t !== ''));
  const naLongest = Math.max(0, ...[...na].map((t) => t.length));
  const decimalComma = read.decimalComma;
  let columns: string[] = [];
  // Cells go into one array per kept column and batch, joined at the end: growing a 1M-element
  // array cell by cell cost ~50 ns a cell (measured), most of the reading loop.
  let chunks: string[][][] = [];
  let kept: number[] = [];
  let pools: Array<StringPool | undefined> = [];
  let poolLimit = 4096;
  let packers: Array<PackedColumnBuilder | null> = [];
  const lineChunks: number[][] = [];
  // The plain route's cells and lines of the chunk being read.
  let plainOut: string[][] = [];
  let plainLines: number[] = [];
  const naTokens = [...na];
  const problems = new ProblemList();
  /** Sets up the kept columns from the header (throws the missing-columns error). */
  const begin = (header: string[]): number[] => {
    columns = canonicalHeader(header, options.map ?? new Map(), file);
    const wanted = options.columns ? new Set([...options.columns, ...(options.required ?? [])]) : null;
    kept = columns.flatMap((c, i) => (c !== '' && (wanted === null || wanted.has(c)) ? [i] : []));
    chunks = kept.map(() => []);
    // A pool's table is fixed-size: with many columns each gets a smaller one, made at its first
    // cell, so memory stays in proportion to the cells (100,000 columns once took 4.7 GB).
    pools = kept.map(() => undefined);
    poolLimit = Math.max(16, Math.min(4096, Math.floor(4_194_304 / Math.max(1, kept.length))));
    packers = kept.map((i) => (options.packed?.includes(columns[i]!) ? new PackedColumnBuilder() : null));
    plainOut = kept.map((): string[] => []);
    const missing = (options.required ?? []).filter((c) => !columns.includes(c));
    if (missing.length) throw missingColumnsError(file, header, missing, delimiter);
    return kept;
  };
  const ragged = (line: number, fields: number) =>
    problems.add({
      file,
      line,
      column: null,
      value: null,
      reason: `has ${fields} field(s) but the header has ${columns.length}`,
    });
  let sha256: string | null;
  const candidate = !options.general && plainCandidate(path, delimiter, decimalComma);
  if (candidate) {
    checkInputPath(path, file);
    checkNotInterruptedImport(path);
  }
  const survey = candidate ? await surveyPlain(path, options.hash ?? false) : null;
  if (survey?.plain) {
    sha256 = survey.sha256;
    await readPlainRows(path, file, delimiter, {
      begin,
      ragged,
      row: (bytes, text, starts, line) => {
        for (let k = 0; k < kept.length; k++) {
          const c = kept[k]!;
          let a = starts[c]!;
          let b = starts[c + 1]! - 1;
          // As trimCell: String.prototype.trim's white space among the characters a plain line
          // can hold (no CR or LF): tab, vertical tab, form feed, space.
          while (a < b && isBlank(bytes[a]!)) a++;
          while (b > a && isBlank(bytes[b - 1]!)) b--;
          const missing = b - a <= naLongest && b > a && isToken(bytes, a, b, naTokens);
          const packer = packers[k];
          if (packer) packer.push(missing ? '' : text.slice(a, b));
          else {
            const pool = (pools[k] ??= new StringPool(poolLimit));
            plainOut[k]!.push(missing ? pool.intern('') : pool.internRange(bytes, text, a, b));
          }
        }
        plainLines.push(line);
      },
      chunkDone: () => {
        for (let k = 0; k < kept.length; k++) if (!packers[k]) chunks[k]!.push(plainOut[k]!);
        lineChunks.push(plainLines);
        plainOut = kept.map((): string[] => []);
        plainLines = [];
      },
    });
  } else {
    const result = await readCsv(
      path,
      {
        delimiter,
        displayName: file,
        hash: options.hash,
        sheet: read.sheet,
        general: survey !== null || options.general,
      },
      (header) => ({ readColumns: begin(header) }) satisfies ReadColumns,
      (batch) => {
        const out = kept.map((): string[] => []);
        const lines: number[] = [];
        for (let r = 0; r < batch.fields.length; r++) {
          const row = batch.fields[r]!;
          if (row.length !== columns.length) {
            ragged(batch.lines[r]!, row.length);
            continue;
          }
          for (let k = 0; k < kept.length; k++) {
            const c = kept[k]!;
            const packer = packers[k];
            let v = trimCell(row[c]!);
            // The missing-value check inline (a length test settles most cells); the rest in norm.
            if (v.length <= naLongest && na.has(v)) v = '';
            else if (decimalComma) v = norm(v);
            if (packer) packer.push(v);
            else out[k]!.push((pools[k] ??= new StringPool(poolLimit)).intern(v));
          }
          lines.push(batch.lines[r]!);
        }
        for (let k = 0; k < kept.length; k++) if (!packers[k]) chunks[k]!.push(out[k]!);
        lineChunks.push(lines);
      },
    );
    sha256 = result.sha256;
  }
  problems.throwIfAny();
  const cells = new Map<string, string[]>();
  const packed = new Map<string, PackedColumn>();
  kept.forEach((i, k) => {
    const packer = packers[k];
    if (packer) packed.set(columns[i]!, packer.finish());
    else cells.set(columns[i]!, joinChunks(chunks[k]!));
  });
  const lines = joinChunks(lineChunks);
  for (const c of LABEL_COLUMNS) {
    const col = cells.get(c);
    if (col) checkLabelCase(file, c, col, lines);
  }
  return {
    file,
    columns,
    cells,
    lines,
    n: lines.length,
    ...(packed.size ? { packed } : {}),
    ...(sha256 !== null ? { sha256 } : {}),
  };
}

/** Whether a path could be read by the plain route (a file, CSV, a one-byte delimiter, no decimal commas). */
function plainCandidate(path: string, delimiter: string, decimalComma: boolean): boolean {
  return (
    path !== '-' &&
    !isParquetPath(path) &&
    !isXlsxPath(path) &&
    !decimalComma &&
    delimiter.length === 1 &&
    delimiter.charCodeAt(0) < 0x80
  );
}

/** Tab, vertical tab, form feed, space. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/** Whether bytes[a, b) is one of `tokens`. */
function isToken(bytes: Uint8Array, a: number, b: number, tokens: readonly string[]): boolean {
  for (const t of tokens) {
    if (t.length !== b - a) continue;
    let j = 0;
    while (j < t.length && t.charCodeAt(j) === bytes[a + j]) j++;
    if (j === t.length) return true;
  }
  return false;
}

/**
 * readTable's route for a plain file (csv-reader.ts, surveyPlain): lines and fields found in the
 * bytes, and only the kept cells made into strings; a cell of a pooled column is looked up from
 * its bytes, so a value already seen makes no string at all. It gives what the general route
 * gives (test/io/csv-plain-path.test.ts compares the two tables). Measured on the 1M-row cases
 * file, reading id (packed), arm and start_date: 1.9 s of CPU through readCsv to about 1 s.
 */
async function readPlainRows(
  path: string,
  file: string,
  delimiter: string,
  sink: {
    begin: (header: string[]) => number[];
    ragged: (line: number, fields: number) => void;
    /** Field f of the row is bytes[starts[f], starts[f + 1] - 1). */
    row: (bytes: Buffer, text: string, starts: Int32Array, line: number) => void;
    chunkDone: () => void;
  },
): Promise<void> {
  const dc = delimiter.charCodeAt(0);
  let width = -1;
  let starts = new Int32Array(1);
  let chunk: Buffer | null = null;
  await readPlainLines(path, file, MAX_RECORD_CHARS, (bytes, text, start, eol, line) => {
    if (bytes !== chunk) {
      if (chunk !== null) sink.chunkDone();
      chunk = bytes;
    }
    if (width < 0) {
      const header = text.slice(start, eol).split(delimiter);
      sink.begin(header);
      width = header.length;
      starts = new Int32Array(width + 1);
      return;
    }
    let f = 0;
    starts[0] = start;
    for (let i = start; i < eol; i++) {
      if (bytes[i] === dc) {
        f++;
        if (f < width) starts[f] = i + 1;
      }
    }
    if (f + 1 !== width) return sink.ragged(line, f + 1);
    starts[width] = eol + 1;
    sink.row(bytes, text, starts, line);
  });
  if (chunk !== null) sink.chunkDone();
  if (width < 0) throw emptyFileError(file);
}

/** Columns whose labels name groups (arms): labels differing only in case are refused. */
const LABEL_COLUMNS = ['arm', 'sub_arm'];

/**
 * Refuses a label column where two labels differ only in letter case (`Yes` and `yes`): labels are
 * matched exactly, so they would silently become two arms, and folding case would guess. (Edge
 * spaces are already trimmed from every cell, so ` yes` and `yes` are one label.)
 */
export function checkLabelCase(file: string, column: string, cells: readonly string[], lines: readonly number[]): void {
  const first = new Map<string, number>();
  for (let i = 0; i < cells.length; i++) if (!first.has(cells[i]!)) first.set(cells[i]!, i);
  if (first.size < 2) return;
  const byFolded = new Map<string, string>();
  const problems = new ProblemList();
  for (const [label, i] of first) {
    if (label === '') continue;
    const folded = label.toLowerCase();
    const other = byFolded.get(folded);
    if (other === undefined) byFolded.set(folded, label);
    else {
      problems.add({
        file,
        line: lines[i]!,
        column,
        value: label,
        reason: `${column} labels ${JSON.stringify(other)} (line ${lines[first.get(other)!]}) and ${JSON.stringify(label)} differ only in letter case: labels are matched exactly, so these would be two different ${column === 'arm' ? 'arms' : 'groups'}; write every label the same way`,
      });
    }
  }
  problems.throwIfAny();
}

function joinChunks<T>(parts: T[][]): T[] {
  return parts.length === 1 ? parts[0]! : ([] as T[]).concat(...parts);
}

/** A missing-column error that suggests the likely cause (a different delimiter). */
export function missingColumnsError(file: string, header: string[], missing: string[], delimiter: string): DataError {
  let hint = '';
  if (header.length === 1) {
    const h = header[0]!;
    const guess = [';', '\t', '|', ','].find((d) => d !== delimiter && h.includes(d));
    if (guess)
      hint = ` The header has one column containing ${JSON.stringify(guess)}: try --delimiter ${guess === '\t' ? 'tab' : `'${guess}'`}.`;
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
