/**
 * Reads a whole CSV into columns of text, keyed by canonical column name, with the physical line
 * of every record. For files that fit in memory (cases, allocations); large offence files are
 * streamed with readCsv instead.
 */
import { DataError, ProblemList } from '../core/errors.js';
import { readCsv, type ReadColumns } from './csv-reader.js';
import { StringPool } from '../core/string-pool.js';
import { PackedColumnBuilder, type PackedColumn } from '../core/packed-column.js';
import { canonicalHeader, type ColumnMap } from './column-map.js';
import { normaliserFor, readOptions, type ReadOptions } from './read-options.js';
import { tableDisplayName } from './xlsx-reader.js';

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
  const problems = new ProblemList();
  const result = await readCsv(
    path,
    { delimiter, displayName: file, hash: options.hash, sheet: read.sheet },
    (header) => {
      columns = canonicalHeader(header, options.map ?? new Map(), file);
      const wanted = options.columns ? new Set([...options.columns, ...(options.required ?? [])]) : null;
      kept = columns.flatMap((c, i) => (c !== '' && (wanted === null || wanted.has(c)) ? [i] : []));
      chunks = kept.map(() => []);
      // A pool's table is fixed-size: with many columns each gets a smaller one, made at its first
      // cell, so memory stays in proportion to the cells (100,000 columns once took 4.7 GB).
      pools = kept.map(() => undefined);
      poolLimit = Math.max(16, Math.min(4096, Math.floor(4_194_304 / Math.max(1, kept.length))));
      packers = kept.map((i) => (options.packed?.includes(columns[i]!) ? new PackedColumnBuilder() : null));
      const missing = (options.required ?? []).filter((c) => !columns.includes(c));
      if (missing.length) throw missingColumnsError(file, header, missing, delimiter);
      return { readColumns: kept } satisfies ReadColumns;
    },
    (batch) => {
      const out = kept.map((): string[] => []);
      const lines: number[] = [];
      for (let r = 0; r < batch.fields.length; r++) {
        const row = batch.fields[r]!;
        if (row.length !== columns.length) {
          problems.add({
            file,
            line: batch.lines[r]!,
            column: null,
            value: null,
            reason: `has ${row.length} field(s) but the header has ${columns.length}`,
          });
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
    ...(result.sha256 !== null ? { sha256: result.sha256 } : {}),
  };
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
