/**
 * Streaming CSV reader: the one reader for all input. Built on papaparse 5 (measured: 2.0 s for
 * 2.46M rows where csv-parse 6 took 10.2 s on the same machine), with exact physical line numbers
 * (the line where each record starts, header = line 1) even when quoted fields hold line breaks.
 *
 * Accepts UTF-8 with or without BOM, CRLF or LF, RFC 4180 quoting, any one-character delimiter.
 * Blank lines are skipped (they are not records). Problems are DataErrors naming file and line.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createHash, type Hash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import Papa from 'papaparse';
import { DataError, UsageError } from '../core/errors.js';
import { isParquetPath, readParquet } from './parquet-reader.js';
import { checkNotInterruptedImport } from './atomic.js';

/**
 * Longest record read, in characters (1 MiB): a physical line, or a quoted field's lines together.
 * A longer one (a file with no line break, such as /dev/zero, or a quote never closed) is a data
 * error as soon as the reader has seen that much, so memory stays bounded.
 */
export const MAX_RECORD_CHARS = 1 << 20;
/** A batch is handed on once it holds this many fields, however few rows (very wide files). */
export const MAX_BATCH_FIELDS = 1_000_000;
/**
 * Share of the old generation's limit beyond which a read stops with a hint instead of crashing.
 * The heap limit V8 reports includes the young generation (3 semi-spaces, 48 MB on 64-bit by
 * default), which is not where read data ends up: measured under --max-old-space-size=128 the
 * limit read 176 MB and the process died with 126 MB in use, after ~25 s of garbage collection.
 */
const HEAP_SHARE = 0.8;
const YOUNG_GENERATION = 48 << 20;
export interface CsvReadOptions {
  /** Field delimiter; default ','. Never guessed. */
  delimiter?: string;
  /** Name to use for the file in messages (defaults to the path, or `<stdin>`). */
  displayName?: string;
  /** Rows per batch handed to onBatch (default 10,000). */
  batchSize?: number;
  /** Compute the sha256 of the input while reading it (returned as `sha256`). */
  hash?: boolean;
  /** Longest record in characters (default MAX_RECORD_CHARS; for tests). */
  maxRecordChars?: number;
  /** For an .xlsx file: the sheet to read (name or 1-based number; default the first). */
  sheet?: string;
  /** Read every file through papaparse, even a plain one (for tests comparing the two paths). */
  general?: boolean;
}

/**
 * Called once with the header. It may return `{ readColumns }`, the indices of the only columns the
 * caller will read: the reader may then leave every other field of a record as '' (the record keeps
 * its length), which spares cutting out cells nobody reads.
 */
export type HeaderHandler = (header: string[]) => unknown;
export interface ReadColumns {
  readColumns: readonly number[];
}

/** A batch of records: `fields[i]` is the record that starts on physical line `lines[i]`. */
export interface CsvBatch {
  fields: string[][];
  lines: number[];
}

export interface CsvReadResult {
  /** The header as written (BOM removed, not yet normalised). */
  header: string[];
  /** Number of data records (blank lines excluded). */
  records: number;
  /** Number of physical lines seen. */
  physicalLines: number;
  /** sha256 of the input bytes (hex), when asked for. */
  sha256: string | null;
}

/** Parses a `--delimiter` option: ',', ';', '|', 'tab' or '\t' (UsageError otherwise: the one check every command uses). */
export function parseDelimiter(text: string | undefined): string {
  if (text === undefined || text === '') return ',';
  if (text === 'tab' || text === '\\t' || text === '\t') return '\t';
  if (text.length !== 1 || /[\r\n"]/.test(text)) {
    throw new UsageError(`--delimiter must be one character (',', ';', '|') or 'tab', got ${JSON.stringify(text)}`);
  }
  return text;
}

/** Why a field with NUL characters is refused: UTF-16 without a byte-order mark is named as such. */
function nulReason(v: string): string {
  let nuls = 0;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) === 0) nuls++;
  return nuls * 3 >= v.length
    ? 'contains NUL bytes between the characters: this looks like UTF-16 text without a byte-order mark; save it as UTF-8 (CSV UTF-8 in Excel)'
    : 'contains NUL bytes: this is a binary file, not CSV text';
}

function countLineBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/**
 * What one raw chunk of input obliges the reader to look for field by field. Scanning each chunk
 * once (a few native indexOf passes over ~1 MB) lets the common case (no quotes, no stray line
 * breaks, clean UTF-8) skip every per-field check: the measured cost of those checks was ~2.8 s of
 * CPU for 2.5M rows.
 */
export interface ChunkFlags {
  /** A NUL character: binary input. */
  nul: boolean;
  /** U+FFFD: the UTF-8 decoder met invalid bytes. */
  badUtf8: boolean;
  /** A field may span physical lines: a quote, or a line break that is not the file's own
   *  line ending (a lone CR, or a lone LF in a CRLF file). */
  multiline: boolean;
}

/**
 * Scans `chunk` for the characters that need per-field work. `prevLast` is the char code of the
 * previous chunk's last character (-1 at the start), so a CRLF split across chunks is not taken
 * for a lone CR.
 */
export function scanChunk(chunk: string, prevLast: number): ChunkFlags {
  const nul = chunk.indexOf('\u0000') !== -1;
  const badUtf8 = chunk.indexOf('\uFFFD') !== -1;
  let multiline = chunk.indexOf('"') !== -1;
  if (!multiline) {
    let cr = chunk.indexOf('\r');
    if (cr !== -1 || prevLast === 13) {
      // CR present: every CR must be followed by LF and every LF preceded by CR (pure CRLF).
      if (prevLast === 13 && chunk.charCodeAt(0) !== 10) multiline = true;
      let lf = chunk.indexOf('\n');
      if (lf === 0 && prevLast !== 13) multiline = true;
      while (!multiline && lf !== -1) {
        if (lf > 0 && chunk.charCodeAt(lf - 1) !== 13) multiline = true;
        lf = chunk.indexOf('\n', lf + 1);
      }
      while (!multiline && cr !== -1) {
        if (cr + 1 < chunk.length && chunk.charCodeAt(cr + 1) !== 10) multiline = true;
        cr = chunk.indexOf('\r', cr + 1);
      }
    }
  }
  return { nul, badUtf8, multiline };
}

/** The text encoding of a file, from its byte-order mark. */
type Encoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * Checks that `path` names a readable regular file, as a usage error (exit 2) naming the path when
 * it does not: missing, a directory, a FIFO, socket or device (which could block or never end), or
 * unreadable. Every command reads its inputs through readCsv, so all of them get this check.
 */
export function checkInputPath(path: string, file: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${file}: ${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : (code ?? (err as Error).message)}`,
    );
  }
  if (st.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory, not a file`);
  if (!st.isFile())
    throw new UsageError(
      `cannot read ${file}: it is not a regular file (a FIFO, socket or device); give a file, or - for stdin`,
    );
}

/** The encoding a file's first bytes announce (UTF-16 with a BOM, as Excel's "Unicode text"), else UTF-8. */
function sniffEncoding(path: string, file: string): Encoding {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    if (n === 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf16le';
    if (n === 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf16be';
    return 'utf8';
  } finally {
    closeSync(fd);
  }
}

/** Decodes UTF-16 (LE or BE) bytes to text, whatever the chunk boundaries. */
function utf16Decoder(be: boolean): Transform {
  const decoder = new StringDecoder('utf16le');
  let carry: Buffer | null = null;
  return new Transform({
    decodeStrings: true,
    transform(chunk: Buffer, _enc, done) {
      let b = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
      if (be) {
        if (b.length % 2 === 1) {
          carry = b.subarray(b.length - 1);
          b = b.subarray(0, b.length - 1);
        }
        b = Buffer.from(b).swap16();
      }
      done(null, decoder.write(b));
    },
    flush(done) {
      done(null, decoder.end() + (carry ? '\uFFFD' : ''));
    },
  });
}

function openInput(path: string, encoding: Encoding, hasher: Hash | null): Readable {
  if (path === '-') {
    process.stdin.setEncoding('utf8');
    if (hasher) process.stdin.on('data', (c: string) => hasher.update(c));
    return process.stdin;
  }
  // 256 KiB chunks: papaparse turns a whole chunk into row arrays at once, and those rows are live
  // while the batch callbacks run. With 1 MiB chunks they outlived the young generation and the
  // garbage collector copied them (measured at 1M cases + 1.5M offences: 10.9 s CPU and 740 MB
  // peak with 1 MiB, 8.3 s / 310 MB with 64 KiB, 7.3-7.7 s / 350 MB with 256 KiB).
  if (encoding === 'utf8') {
    const s = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 18 });
    if (hasher) s.on('data', (c: string | Buffer) => hasher.update(c));
    return s;
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 18 });
  if (hasher) raw.on('data', (c: string | Buffer) => hasher.update(c));
  const text = raw.pipe(utf16Decoder(encoding === 'utf16be'));
  raw.on('error', (err) => text.destroy(err));
  text.setEncoding('utf8');
  return text;
}

/** A data error for a file too large to hold in memory, with what to do about it. */
function tooLargeError(file: string, line: number): DataError {
  const limitMb = Math.round(getHeapStatistics().heap_size_limit / (1 << 20));
  return new DataError({
    file,
    line,
    column: null,
    value: null,
    reason: `is too large to hold in memory (the JavaScript heap limit is ${limitMb} MB, nearly used up by line ${line}): run with a larger heap, e.g. NODE_OPTIONS=--max-old-space-size=${Math.max(4096, limitMb * 2)}, or split the file`,
  });
}

const QUOTE = 0x22;
const CR = 0x0d;
const NUL = 0x00;

/**
 * Whether the file at `path` is plain: ASCII (so no byte-order mark and nothing to decode), with no
 * quote, CR or NUL, and not empty. In a plain file a record is a line and its fields are what lies
 * between delimiters, so it can be split without a CSV parser (readPlainCsv, offence-scan.ts). One
 * pass of native Buffer scans (~0.1 s per GB), which also gives the sha256 when asked for, so the
 * file is hashed once either way.
 */
export async function surveyPlain(path: string, hash: boolean): Promise<{ plain: boolean; sha256: string | null }> {
  const hasher = hash ? createHash('sha256') : null;
  let plain = true;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    bytes += b.length;
    if (plain && (!isAscii(b) || b.indexOf(QUOTE) !== -1 || b.indexOf(CR) !== -1 || b.indexOf(NUL) !== -1)) {
      plain = false;
      if (!hasher) break;
    }
    hasher?.update(b);
  }
  return { plain: plain && bytes > 0, sha256: hasher ? hasher.digest('hex') : null };
}

/**
 * Reads a plain file (see surveyPlain) a megabyte at a time and hands on its complete lines: `bytes`
 * and `text()` hold the same characters (one byte each), from the start of a line to just before a
 * line break or the end of the file, so an index into one is an index into the other (the bytes
 * are scanned, which is about twice as fast as a string's characters; cells are cut from the
 * text, decoded only when asked for). `line()` is the caller's current line, for the error when a record is longer than
 * `maxRecord` characters (checked here for the unfinished line; the caller checks whole lines).
 * Stops with a hint before the heap runs out, as the general reader does.
 */
export async function readPlainChunks(
  path: string,
  file: string,
  maxRecord: number,
  line: () => number,
  take: (bytes: Buffer, text: () => string) => void,
): Promise<void> {
  const heapLimit = Math.max(0, getHeapStatistics().heap_size_limit - YOUNG_GENERATION) * HEAP_SHARE;
  let carry: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const last = bytes.lastIndexOf(10);
    if (last === -1) carry = bytes;
    else {
      carry = bytes.subarray(last + 1);
      const lines = bytes.subarray(0, last);
      take(lines, () => lines.toString('latin1'));
      if (getHeapStatistics().used_heap_size > heapLimit) throw tooLargeError(file, line());
    }
    if (carry.length > maxRecord) throw recordTooLong(file, line(), maxRecord);
  }
  // The empty text after a final line break is not a line (as papaparse counts them).
  if (carry !== null && carry.length > 0) {
    const last = carry;
    take(last, () => last.toString('latin1'));
  }
}

/** The error for a record longer than `maxRecord` characters, starting on `line` or later. */
export function recordTooLong(file: string, line: number, maxRecord: number): DataError {
  return new DataError({
    file,
    line,
    column: null,
    value: null,
    reason: `has a record longer than ${maxRecord.toLocaleString('en-GB')} characters, starting on this line or a later one (no line break, or a quote never closed): this is not a CSV file that can be read`,
  });
}

/** The error for a file with no header row (nothing but blank lines, or nothing). */
export function emptyFileError(file: string): DataError {
  return new DataError({
    file,
    line: 1,
    column: null,
    value: null,
    reason: 'the file is empty: a header row is required',
  });
}

/**
 * Every non-blank line of a plain file, in order: `onLine(bytes, text, start, end, line)` with the
 * line at [start, end) of the chunk's `bytes` and `text` (see readPlainChunks) and its physical line
 * number (the first line is 1). A line longer than `maxRecord` is a DataError. Returns the number of
 * physical lines, counted as papaparse counts them.
 */
export async function readPlainLines(
  path: string,
  file: string,
  maxRecord: number,
  onLine: (bytes: Buffer, text: string, start: number, end: number, line: number) => void,
): Promise<number> {
  let line = 1;
  await readPlainChunks(
    path,
    file,
    maxRecord,
    () => line,
    (bytes, textOf) => {
      const text = textOf();
      const end = bytes.length;
      for (let pos = 0; pos <= end; line++) {
        let eol = bytes.indexOf(10, pos);
        if (eol === -1) eol = end;
        const start = pos;
        pos = eol + 1;
        if (eol === start) continue; // blank line
        if (eol - start > maxRecord) throw recordTooLong(file, line, maxRecord);
        onLine(bytes, text, start, eol, line);
      }
    },
  );
  return line - 1;
}

/**
 * readCsv for a plain file (see surveyPlain): lines split at LF, fields at the delimiter, instead
 * of papaparse's character loop. It gives exactly the records, lines and errors papaparse gives on
 * such a file (test/io/csv-plain-path.test.ts compares the two on many shapes). When the header
 * handler returns `{ readColumns }`, only those fields are cut out; the others are ''.
 */
async function readPlainCsv(
  path: string,
  file: string,
  delimiter: string,
  batchSize: number,
  maxRecord: number,
  sha256: string | null,
  onHeader: HeaderHandler,
  onBatch: (batch: CsvBatch) => void,
): Promise<CsvReadResult> {
  let header: string[] | null = null;
  let records = 0;
  let pending: CsvBatch = { fields: [], lines: [] };
  let pendingFields = 0;
  let keep: Uint8Array | null = null;
  const delimCode = delimiter.charCodeAt(0);
  const flush = () => {
    if (pending.fields.length === 0) return;
    const b = pending;
    pending = { fields: [], lines: [] };
    pendingFields = 0;
    onBatch(b);
  };
  const lines = await readPlainLines(path, file, maxRecord, (bytes, text, start, eol, line) => {
    let row: string[];
    if (keep === null) row = text.slice(start, eol).split(delimiter);
    else {
      // Only the kept fields are cut out; the others are '' (the caller never reads them).
      row = [];
      let a = start;
      for (let i = start; ; i++) {
        if (i === eol || bytes[i] === delimCode) {
          row.push(keep[row.length] === 1 ? text.slice(a, i) : '');
          a = i + 1;
          if (i === eol) break;
        }
      }
    }
    if (header === null) {
      header = row;
      const wanted: unknown = onHeader(row);
      if (typeof wanted === 'object' && wanted !== null && 'readColumns' in wanted) {
        keep = new Uint8Array(row.length);
        for (const c of (wanted as ReadColumns).readColumns) keep[c] = 1;
      }
      return;
    }
    pending.fields.push(row);
    pending.lines.push(line);
    pendingFields += row.length;
    records++;
    if (pending.fields.length >= batchSize || pendingFields >= MAX_BATCH_FIELDS) flush();
  });
  flush();
  if (header === null) {
    throw emptyFileError(file);
  }
  return { header, records, physicalLines: lines, sha256 };
}

/**
 * Streams a CSV file. Calls `onHeader` once with the header, then `onBatch` with data records.
 * Rejects with a DataError for an empty file, an unclosed quote, NUL bytes, invalid UTF-8, a record
 * longer than MAX_RECORD_CHARS or a file too large for the heap, and with a UsageError naming the
 * path when it is missing, a directory, a FIFO or a device. UTF-16 with a byte-order mark (Excel's
 * "Unicode text") is transcoded.
 */
export function readCsv(
  path: string,
  options: CsvReadOptions,
  onHeader: HeaderHandler,
  onBatch: (batch: CsvBatch) => void,
): Promise<CsvReadResult> {
  // A .parquet path is read as Parquet, into the same batches (src/io/parquet-reader.ts).
  if (isParquetPath(path)) return readParquet(path, options, onHeader, onBatch);
  const file = options.displayName ?? (path === '-' ? '<stdin>' : path);
  const delimiter = options.delimiter ?? ',';
  const batchSize = options.batchSize ?? 10_000;
  const maxRecord = options.maxRecordChars ?? MAX_RECORD_CHARS;
  // ---- Excel workbooks (.xlsx): the same header and batches, read from one sheet.
  if (path !== '-' && /\.xlsx$/i.test(path)) {
    return import('./xlsx-reader.js').then((x) =>
      x.readXlsx(path, { displayName: file, sheet: options.sheet, batchSize, hash: options.hash }, onHeader, onBatch),
    );
  }
  let encoding: Encoding = 'utf8';
  if (path !== '-') {
    try {
      checkInputPath(path, file);
      checkNotInterruptedImport(path);
      encoding = sniffEncoding(path, file);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const heapLimit = Math.max(0, getHeapStatistics().heap_size_limit - YOUNG_GENERATION) * HEAP_SHARE;
  if (path !== '-' && encoding === 'utf8' && !options.general && delimiter.length === 1 && delimiter < '\u0080') {
    return surveyPlain(path, options.hash ?? false).then(({ plain, sha256 }) =>
      plain
        ? readPlainCsv(path, file, delimiter, batchSize, maxRecord, sha256, onHeader, onBatch)
        : readGeneralCsv(path, file, encoding, delimiter, batchSize, maxRecord, heapLimit, options, onHeader, onBatch),
    );
  }
  return readGeneralCsv(path, file, encoding, delimiter, batchSize, maxRecord, heapLimit, options, onHeader, onBatch);
}

/** readCsv through papaparse: any file (quotes, CRLF, UTF-8 or UTF-16, stdin). */
function readGeneralCsv(
  path: string,
  file: string,
  encoding: Encoding,
  delimiter: string,
  batchSize: number,
  maxRecord: number,
  heapLimit: number,
  options: CsvReadOptions,
  onHeader: (header: string[]) => void,
  onBatch: (batch: CsvBatch) => void,
): Promise<CsvReadResult> {
  return new Promise((resolve, reject) => {
    let line = 1; // physical line where the next record starts
    let header: string[] | null = null;
    let records = 0;
    let failed = false;
    let pending: CsvBatch = { fields: [], lines: [] };
    let pendingFields = 0;
    const hasher = options.hash ? createHash('sha256') : null;
    const input = openInput(path, encoding, hasher);

    const fail = (err: unknown, parser?: Papa.Parser) => {
      if (failed) return;
      failed = true;
      try {
        parser?.abort();
      } catch {
        /* already stopped */
      }
      if (path !== '-') input.destroy();
      reject(err);
    };

    const flush = () => {
      if (pending.fields.length > 0) {
        const b = pending;
        pending = { fields: [], lines: [] };
        pendingFields = 0;
        onBatch(b);
        // The callers keep what they read: stop with a hint before the heap runs out (a crash
        // there is a V8 stack trace and exit 134, with nothing said about the file).
        if (getHeapStatistics().used_heap_size > heapLimit) throw tooLargeError(file, line);
      }
    };

    input.on('error', (err) => fail(err));
    // Sticky flags, set when a chunk arrives (before papaparse can parse any of its rows): once a
    // chunk holds a quote, NUL, U+FFFD or a stray line break, every later row gets that check.
    let checkBreaks = false;
    let checkNul = false;
    let checkUtf8 = false;
    let prevLast = -1;
    // Characters received since papaparse last gave a record: the unfinished record's length, to
    // within one chunk. (papaparse parses each chunk when it arrives, after this listener.)
    let unparsed = 0;
    input.on('data', (chunk: string | Buffer) => {
      if (failed) return;
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (text.length === 0) return;
      unparsed += text.length;
      if (unparsed > maxRecord) {
        const nul = checkNul || text.indexOf('\u0000') !== -1;
        fail(
          new DataError({
            file,
            line,
            column: null,
            value: null,
            reason: nul
              ? 'contains NUL bytes: this is a binary file, not CSV text'
              : `has a record longer than ${maxRecord.toLocaleString('en-GB')} characters, starting on this line or a later one (no line break, or a quote never closed): this is not a CSV file that can be read`,
          }),
        );
        return;
      }
      const f = scanChunk(text, prevLast);
      prevLast = text.charCodeAt(text.length - 1);
      if (f.multiline) checkBreaks = true;
      if (f.nul) checkNul = true;
      if (f.badUtf8) checkUtf8 = true;
    });

    const parse = Papa.parse as unknown as (input: unknown, config: object) => void;
    parse(input, {
      delimiter,
      quoteChar: '"',
      escapeChar: '"',
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      chunk: (results: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
        if (failed) return;
        try {
          const rows = results.data;
          if (rows.length > 0) unparsed = 0;
          const errorRows = new Map<number, Papa.ParseError>();
          for (const e of results.errors) {
            if (e.row !== undefined && !errorRows.has(e.row)) errorRows.set(e.row, e);
          }
          for (let r = 0; r < rows.length; r++) {
            const row = rows[r]!;
            const start = line;
            let breaks = 1;
            // A file with mixed endings leaves the CR of a CRLF on the last field when LF was detected.
            const last = row.length - 1;
            if (last >= 0 && row[last]!.endsWith('\r')) row[last] = row[last]!.slice(0, -1);
            if (checkBreaks || checkNul || checkUtf8) {
              for (let f = 0; f < row.length; f++) {
                const v = row[f]!;
                if (checkBreaks && (v.indexOf('\n') !== -1 || v.indexOf('\r') !== -1)) breaks += countLineBreaks(v);
                if (checkNul && v.indexOf('\u0000') !== -1) {
                  throw new DataError({ file, line: start, column: null, value: null, reason: nulReason(v) });
                }
                if (checkUtf8 && v.indexOf('\uFFFD') !== -1) {
                  throw new DataError({
                    file,
                    line: start,
                    column: null,
                    value: v,
                    reason: 'is not valid UTF-8 text (save the file as UTF-8)',
                  });
                }
              }
            }
            line += breaks;
            const err = errorRows.get(r);
            if (err && err.type === 'Quotes') {
              throw new DataError({
                file,
                line: start,
                column: null,
                value: null,
                reason:
                  err.code === 'MissingQuotes'
                    ? 'a quoted field is never closed (unmatched ")'
                    : 'malformed quoting: a quote inside a field must be doubled ("")',
              });
            }
            if (row.length === 1 && row[0] === '') continue; // blank line
            if (header === null) {
              if (row.length > 0 && row[0]!.charCodeAt(0) === 0xfeff) row[0] = row[0]!.slice(1);
              header = row;
              onHeader(row);
              continue;
            }
            pending.fields.push(row);
            pending.lines.push(start);
            pendingFields += row.length;
            records++;
            if (pending.fields.length >= batchSize || pendingFields >= MAX_BATCH_FIELDS) flush();
          }
        } catch (err) {
          fail(err, parser);
        }
      },
      complete: () => {
        if (failed) return;
        try {
          flush();
          if (header === null) {
            throw emptyFileError(file);
          }
          resolve({ header, records, physicalLines: line - 1, sha256: hasher ? hasher.digest('hex') : null });
        } catch (err) {
          fail(err);
        }
      },
      error: (err: Error) => fail(err),
    });
  });
}
