/**
 * Reads a Parquet file as the rows the CSV reader would hand on, so the same schema checks apply to
 * either: every value becomes the cell text a CSV of the same data would hold, and the callers
 * cannot tell the two apart except by the row numbers in their messages (for a Parquet file the
 * `line` of a row is its 1-based data row number; see formatProblem).
 *
 * Through hyparquet (pure JavaScript), one row group at a time, so memory is bounded by the largest
 * row group rather than the file. Values:
 *   null (or a NaN double) -> '' (a missing cell);
 *   strings as they are;
 *   DATE -> YYYY-MM-DD; TIMESTAMP -> YYYY-MM-DD when its time of day is zero (a date written as a
 *   timestamp, as many tools do), else YYYY-MM-DDTHH:MM:SS[.ffffff] (which a date column refuses);
 *   integers (32 or 64 bit) -> their decimal digits; doubles -> the shortest decimal text that reads
 *   back as the same double (JavaScript's Number to String); floats (32 bit) -> the shortest text
 *   that reads back as the same float; DECIMAL -> its value as a double's text; booleans -> true/false.
 * A nested value (list, map, struct) is refused, located by row and column. A file that is not
 * Parquet, or that hyparquet cannot decode, is a DataError naming the file.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData } from 'hyparquet';
import { DataError, UsageError } from '../core/errors.js';
import { formatDate } from '../core/dates.js';
import {
  checkInputPath,
  type CsvBatch,
  type CsvReadOptions,
  type CsvReadResult,
  type HeaderHandler,
  type ReadColumns,
} from './csv-reader.js';

/** Whether a path is read as Parquet (by its extension, as every reader dispatches). */
export function isParquetPath(path: string): boolean {
  return /\.parquet$/i.test(path);
}

const MS_PER_DAY = 86_400_000;
const US_PER_DAY = 86_400_000_000n;

/** Day number -> YYYY-MM-DD, cached (a date column repeats a few thousand days). */
const dayText = new Map<number, string>();
function dateText(day: number): string {
  let t = dayText.get(day);
  if (t === undefined) {
    t = formatDate(day);
    if (dayText.size < 100_000) dayText.set(day, t);
  }
  return t;
}

/** A timestamp in microseconds since 1970-01-01 UTC as cell text. */
function timestampText(us: bigint): string {
  const day = us >= 0n ? us / US_PER_DAY : -((-us + US_PER_DAY - 1n) / US_PER_DAY);
  const rest = us - day * US_PER_DAY;
  if (rest === 0n) return dateText(Number(day));
  const ms = Number(rest / 1000n);
  const micro = Number(rest % 1000n);
  const iso = new Date(Number(day) * MS_PER_DAY + ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const frac = `${iso.slice(20, 23)}${String(micro).padStart(3, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}`;
}

/** The shortest decimal text that reads back as the same 32-bit float. */
function floatText(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(v);
}

// The parsers turn dates and timestamps into cell text as they are decoded.
const PARSERS = {
  dateFromDays: (days: number) => dateText(days),
  timestampFromMilliseconds: (ms: bigint) => timestampText(ms * 1000n),
  timestampFromMicroseconds: (us: bigint) => timestampText(us),
  timestampFromNanoseconds: (ns: bigint) => timestampText(ns / 1000n),
};

/** Where a value cannot be made cell text (a nested value). */
class NestedValue extends Error {}

function cellText(v: unknown, isFloat: boolean): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (Number.isNaN(v)) return '';
      return isFloat ? floatText(v) : String(v);
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return '';
    default:
      if (v === null) return '';
      if (v instanceof Date) return timestampText(BigInt(v.getTime()) * 1000n);
      throw new NestedValue();
  }
}

function notParquet(file: string, err: unknown): DataError {
  const why = err instanceof Error ? err.message : String(err);
  return new DataError({
    file,
    line: null,
    column: null,
    value: null,
    reason: `is not a readable Parquet file (${why})`,
  });
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Streams a Parquet file like readCsv: `onHeader` with the top-level column names, then `onBatch`
 * with rows of cell text, `lines[i]` being the row's 1-based data row number. `records` counts the
 * rows; `physicalLines` is records + 1 (as if the header were a line). stdin cannot be Parquet.
 */
export async function readParquet(
  path: string,
  options: CsvReadOptions,
  onHeader: HeaderHandler,
  onBatch: (batch: CsvBatch) => void,
): Promise<CsvReadResult> {
  const file = options.displayName ?? path;
  if (path === '-') throw new UsageError('a Parquet file cannot be read from stdin: give its path');
  checkInputPath(path, file);
  const batchSize = options.batchSize ?? 10_000;
  const buffer = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  let header: string[];
  let nested: boolean[];
  let isFloat: boolean[];
  try {
    metadata = await parquetMetadataAsync(buffer, { parsers: PARSERS });
    const top = parquetSchema(metadata).children;
    header = top.map((c) => c.element.name);
    nested = top.map((c) => c.children.length > 0);
    isFloat = top.map((c) => c.element.type === 'FLOAT');
  } catch (err) {
    throw notParquet(file, err);
  }
  if (header.length === 0)
    throw new DataError({ file, line: null, column: null, value: null, reason: 'is a Parquet file with no columns' });
  // Only the columns the caller reads are decoded (the others are left '', as the CSV reader may).
  const wanted: unknown = onHeader(header);
  const read =
    typeof wanted === 'object' && wanted !== null && 'readColumns' in wanted
      ? new Set((wanted as ReadColumns).readColumns)
      : null;
  const width = header.length;
  let records = 0;
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const n = Number(group.num_rows);
    const columns: unknown[][] = header.map(() => new Array<unknown>(n));
    try {
      await parquetRead({
        file: buffer,
        metadata,
        rowStart: groupStart,
        rowEnd: groupStart + n,
        parsers: PARSERS,
        ...(read ? { columns: header.filter((_, c) => read.has(c)) } : {}),
        onChunk: (chunk) => {
          const c = header.indexOf(chunk.columnName);
          if (c < 0) return;
          const col = columns[c]!;
          const data = chunk.columnData;
          for (let i = 0, r = chunk.rowStart - groupStart; i < data.length; i++, r++)
            if (r >= 0 && r < n) col[r] = data[i];
        },
      });
    } catch (err) {
      throw notParquet(file, err);
    }
    for (let from = 0; from < n; from += batchSize) {
      const to = Math.min(n, from + batchSize);
      const fields: string[][] = new Array<string[]>(to - from);
      const lines: number[] = new Array<number>(to - from);
      for (let r = from; r < to; r++) {
        const row = new Array<string>(width);
        for (let c = 0; c < width; c++) {
          if (read !== null && !read.has(c)) {
            row[c] = '';
            continue;
          }
          const v = columns[c]![r];
          try {
            row[c] = nested[c] ? cellText(v === null || v === undefined ? v : {}, false) : cellText(v, isFloat[c]!);
          } catch (err) {
            if (!(err instanceof NestedValue)) throw err;
            throw new DataError({
              file,
              line: groupStart + r + 1,
              column: header[c]!,
              value: null,
              reason:
                'holds a nested value (a list, map or struct): every column must hold plain values (text, numbers, dates)',
            });
          }
        }
        fields[r - from] = row;
        lines[r - from] = groupStart + r + 1;
      }
      records += to - from;
      onBatch({ fields, lines });
    }
    groupStart += n;
  }
  const sha256 = options.hash ? await sha256Of(path) : null;
  return { header, records, physicalLines: records + 1, sha256 };
}
