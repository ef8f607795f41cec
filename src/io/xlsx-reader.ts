/**
 * Reads one sheet of an Excel workbook (.xlsx) as the rows of a table, in the same shape the CSV
 * reader gives (a header, then batches of text records with their row numbers), so every table
 * goes through the same checks whichever format it came in. Streamed with exceljs's WorkbookReader:
 * rows are handed on in batches as the sheet is parsed, never held as a whole workbook.
 *
 * Cells become text: numbers in JavaScript's shortest round-trip form (0.207, not 0.20699999...),
 * strings as written (rich text joined), date cells as ISO dates (`2019-10-08`; a date-time with
 * a time of day as `2019-10-08 13:45:00`, which date columns refuse as they do in a CSV), blank
 * cells as missing, booleans as TRUE/FALSE. A formula cell gives its cached result. An error cell
 * (#N/A, #DIV/0!) is refused, located, rather than read as text or as missing.
 *
 * Problems are located as `file.xlsx, sheet 'Cases', row 12, column C (release_date)`. A file that
 * is not a readable workbook (corrupt, not a zip, or password-protected, which Excel stores as an
 * encrypted compound file rather than a zip) is a DataError naming the file.
 */
import { createReadStream, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { getHeapStatistics } from 'node:v8';
import { DataError, IntegrityError, UsageError, noteSheetColumns } from '../core/errors.js';
import type { CsvBatch, CsvReadResult } from './csv-reader.js';
import { checkInputPath } from './csv-reader.js';
import { normaliseName } from './column-map.js';

/** True when `path` names an Excel workbook by its extension (.xlsx, any letter case). */
export function isXlsxPath(path: string): boolean {
  return /\.xlsx$/i.test(path);
}

export interface XlsxReadOptions {
  /** Name of the file in messages (defaults to the path). */
  displayName?: string;
  /** Sheet to read: its name, or its 1-based position in the workbook; default the first sheet. */
  sheet?: string;
  /** Rows per batch (default 10,000). */
  batchSize?: number;
  /** Compute the sha256 of the file's bytes. */
  hash?: boolean;
}

/** Longest text kept from one cell (characters), as the CSV reader bounds a record. */
const MAX_CELL_CHARS = 1 << 20;
/** Widest sheet read: Excel's own limit (column XFD). */
const MAX_COLUMNS = 16_384;

/** The column letters of 1-based column `n` (1 -> A, 27 -> AA). */
export function columnLetters(n: number): string {
  let s = '';
  let x = n;
  while (x > 0) {
    const r = (x - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    x = Math.floor((x - 1) / 26);
  }
  return s;
}

/** The name a sheet has in messages: `file.xlsx, sheet 'Cases'`. */
export function sheetDisplayName(file: string, sheet: string): string {
  return `${file}, sheet '${sheet}'`;
}

/** Two digits. */
const p2 = (n: number) => String(n).padStart(2, '0');

/** A date cell as ISO text: the date alone when the time of day is zero. */
export function excelDateText(d: Date): string | null {
  const t = d.getTime();
  if (!Number.isFinite(t)) return null;
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) return null;
  const date = `${String(y).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  return h === 0 && m === 0 && s === 0 && d.getUTCMilliseconds() === 0 ? date : `${date} ${p2(h)}:${p2(m)}:${p2(s)}`;
}

/** Whether a number format shows a date or time (d, m, y, h, s outside quotes and [..] blocks). */
export function isDateFormat(fmt: unknown): boolean {
  if (typeof fmt !== 'string' || fmt === '' || fmt === 'General') return false;
  const bare = fmt
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '');
  return /[dmyhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare);
}

/** Serial day number (1900 date system) to a UTC Date, as Excel counts (day 25569 = 1970-01-01). */
function serialToDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

type CellText = { text: string } | { problem: string };

interface CellLike {
  value: unknown;
  numFmt?: unknown;
}

/** One cell as text, or why it cannot be read. */
export function cellText(cell: CellLike, date1904: boolean): CellText {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { problem: 'is not a number Excel can hold' };
    if (isDateFormat(cell.numFmt)) return dateCell(serialToDate(v, date1904));
    return { text: Object.is(v, -0) ? '0' : String(v) };
  }
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (v instanceof Date) return dateCell(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText))
      return {
        text: (o.richText as Array<{ text?: unknown }>)
          .map((r) => (typeof r?.text === 'string' ? r.text : ''))
          .join(''),
      };
    if ('error' in o) return { problem: `is an Excel error cell (${String(o.error)}); correct or clear it` };
    if ('sharedString' in o)
      return { problem: 'refers to a shared string the workbook does not have (the file is damaged)' };
    if ('formula' in o || 'sharedFormula' in o) {
      if (!('result' in o) || o.result === undefined)
        return {
          problem: 'is a formula with no saved result; open the file in Excel and save it, or paste the values',
        };
      return cellText({ value: o.result, numFmt: cell.numFmt }, date1904);
    }
    if ('text' in o && typeof o.text === 'string') return { text: o.text };
  }
  return { problem: 'is a cell of a kind that cannot be read as a value' };
}

function dateCell(d: Date): CellText {
  const t = excelDateText(d);
  return t === null ? { problem: 'is a date outside the years 1 to 9999' } : { text: t };
}

/** A DataError for a workbook that cannot be read at all. */
function unreadable(file: string, why: string): DataError {
  return new DataError({
    file,
    line: null,
    column: null,
    value: null,
    reason: `cannot be read as an Excel workbook (.xlsx): ${why}`,
  });
}

/** What the first bytes say the file is, when it is not a zip (an .xlsx is a zip). */
function notZipReason(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, 0);
    if (n >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return null;
    if (n === 0) return 'the file is empty';
    if (n === 8 && b.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
      return 'it is a compound (OLE) file: a password-protected workbook or an old .xls; remove the password, or save it as .xlsx or CSV UTF-8';
    }
    return 'it is not a zip archive, as every .xlsx file is (a CSV file renamed to .xlsx?)';
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` bytes at `position` of an open file. */
function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, b, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

/** Decodes the five XML entities and numeric character references. */
function xmlText(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-f]+|#\d+);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/**
 * The sheet names of a workbook in workbook order, read from the zip's central directory and
 * xl/workbook.xml without reading the sheets; null when the archive cannot be read that way (the
 * streaming read then says what is wrong with it).
 */
export function workbookSheetNames(path: string): string[] | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLen = Math.min(size, 65_557);
    const tail = readAt(fd, size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) return null;
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset + cdSize > size || cdSize > 64 << 20) return null;
    const cd = readAt(fd, cdOffset, cdSize);
    for (let i = 0; i + 46 <= cd.length && cd.readUInt32LE(i) === 0x02014b50;) {
      const method = cd.readUInt16LE(i + 10);
      const compSize = cd.readUInt32LE(i + 20);
      const nameLen = cd.readUInt16LE(i + 28);
      const extraLen = cd.readUInt16LE(i + 30);
      const commentLen = cd.readUInt16LE(i + 32);
      const local = cd.readUInt32LE(i + 42);
      const name = cd.subarray(i + 46, i + 46 + nameLen).toString('utf8');
      i += 46 + nameLen + extraLen + commentLen;
      if (name !== 'xl/workbook.xml') continue;
      if (compSize > 16 << 20) return null;
      const lh = readAt(fd, local, 30);
      if (lh.length < 30 || lh.readUInt32LE(0) !== 0x04034b50) return null;
      const data = readAt(fd, local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28), compSize);
      let xml: string;
      if (method === 0) xml = data.toString('utf8');
      else if (method === 8) xml = inflateRawSync(data, { maxOutputLength: 32 << 20 }).toString('utf8');
      else return null;
      const names: string[] = [];
      for (const m of xml.matchAll(/<(?:\w+:)?sheet\b[^>]*?\bname\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
        names.push(xmlText(m[1] ?? m[2] ?? ''));
      return names.length ? names : null;
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The sheet `sheet` (a name, or a 1-based number; default the first) of workbook `path` and its
 * name in messages (`file.xlsx, sheet 'Cases'`). Refuses a file that is not a zip, and a sheet the
 * workbook does not have, listing the ones it has (DataError, naming the file).
 */
export function resolveSheet(
  path: string,
  file: string,
  sheet: string | undefined,
): { name: string | null; shown: string; resolved: boolean } {
  checkInputPath(path, file);
  const bad = notZipReason(path);
  if (bad) throw unreadable(file, bad);
  const names = workbookSheetNames(path);
  if (names === null)
    return {
      name: sheet ?? null,
      shown: sheet !== undefined && !/^\d+$/.test(sheet) ? sheetDisplayName(file, sheet) : file,
      resolved: false,
    };
  let name: string | undefined;
  if (sheet === undefined) name = names[0];
  else if (names.includes(sheet)) name = sheet;
  else if (/^\d+$/.test(sheet)) name = names[Number(sheet) - 1];
  if (name === undefined) {
    throw new DataError({
      file,
      line: null,
      column: null,
      value: sheet ?? null,
      reason: `has no sheet ${JSON.stringify(sheet)} (its sheets: ${names.map((s) => `'${s}'`).join(', ')}); give --sheet a sheet's name, or its number from 1`,
    });
  }
  return { name, shown: sheetDisplayName(file, name), resolved: true };
}

/**
 * The name a table has in messages: for an .xlsx file `file.xlsx, sheet 'Cases'` (the sheet
 * `sheet` names, default the first), else `file` unchanged.
 */
export function tableDisplayName(path: string, file: string, sheet: string | undefined): string {
  return path !== '-' && isXlsxPath(path) ? resolveSheet(path, file, sheet).shown : file;
}

/** Resources that never finish a read: timers, terminals, pipes and sockets (stdio, IPC). */
const IDLE_RESOURCES = new Set([
  'Timeout',
  'Immediate',
  'TTYWrap',
  'PipeWrap',
  'TCPWrap',
  'SignalWrap',
  'ProcessWrap',
  'StatWatcher',
  'FSEventWrap',
  'MessagePort',
  'Worker',
]);

/**
 * Watches a streaming read for a stall: exceljs's unzip can wait forever on a damaged archive
 * (data inserted between or inside entries), with nothing left to do: no file read pending, no
 * progress. Such a state, seen on `idleTicks` ticks in a row (a second), rejects `promise` (a
 * damaged-archive error); without the watch the process would hang (or, with nothing else alive,
 * end as if it had finished). Ticks, not wall time, are counted: on a busy machine a long stretch
 * of parsing delays the ticks, but is one tick, so it is never taken for a stall.
 */
export function stallWatch(
  progress: () => number,
  idleTicks = 10,
  tickMs = 100,
): { promise: Promise<never>; stop: () => void } {
  let timer: NodeJS.Timeout | null = null;
  const promise = new Promise<never>((_resolve, reject) => {
    let last = progress();
    let idle = 0;
    timer = setInterval(() => {
      const now = progress();
      const busy = process.getActiveResourcesInfo().some((r) => !IDLE_RESOURCES.has(r));
      if (now !== last || busy) {
        last = now;
        idle = 0;
      } else if (++idle >= idleTicks) {
        reject(new Error('the reader stalled with nothing left to read: entries are cut short or overlap'));
      }
    }, tickMs);
  });
  promise.catch(() => undefined);
  return {
    promise,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}

/** The exceljs streaming interfaces used here (typed loosely: exceljs's own types omit them). */
interface SheetReader extends AsyncIterable<{
  number: number;
  values: unknown;
  eachCell: (o: { includeEmpty: boolean }, f: (cell: CellLike & { col: number }, col: number) => void) => void;
}> {
  name: string;
  id: number | string;
}
interface BookReader extends AsyncIterable<SheetReader> {
  properties?: { date1904?: boolean };
}

/**
 * Streams sheet `options.sheet` (default the first) of workbook `path`: `onHeader` gets the first
 * row that has a value, `onBatch` the rows after it (row numbers as `lines`). Trailing empty
 * header cells are dropped; a data row with a value to the right of the header keeps its width so
 * the caller reports it as a ragged row, as in a CSV.
 */
export async function readXlsx(
  path: string,
  options: XlsxReadOptions,
  onHeader: (header: string[]) => void,
  onBatch: (batch: CsvBatch) => void,
): Promise<CsvReadResult> {
  const given = options.displayName ?? path;
  // The caller may already name the sheet (to locate its own problems): read the file's name.
  const file = given.replace(/, sheet '[^']*'$/, '');
  const batchSize = options.batchSize ?? 10_000;
  const { name: target, resolved } = resolveSheet(path, file, options.sheet);
  // exceljs's streaming reader alone (its package entry loads the whole library: ~0.6 s more).
  const readerModule: string = 'exceljs/lib/stream/xlsx/workbook-reader.js';
  const Reader = ((await import(readerModule)) as { default: new (s: unknown, o: object) => BookReader }).default;
  const hasher = options.hash ? createHash('sha256') : null;
  const stream = createReadStream(path, { highWaterMark: 1 << 18 });
  if (hasher) stream.on('data', (c: string | Buffer) => hasher.update(c));
  const book = new Reader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  const wanted = options.sheet ?? null;
  const heapLimit = Math.max(0, getHeapStatistics().heap_size_limit - (48 << 20)) * 0.8;

  let header: string[] | null = null;
  let records = 0;
  let lastRow = 0;
  let found: string | null = null;
  const seen: string[] = [];
  let position = 0;
  let progress = 0;
  stream.on('data', () => progress++);
  const stalled = stallWatch(() => progress);
  const parse = async () => {
    for await (const sheet of book) {
      position++;
      seen.push(sheet.name);
      // By name when the workbook's sheet list was read; otherwise by name or position as given.
      const isWanted =
        found === null &&
        (target === null
          ? position === 1
          : sheet.name === target || (!resolved && /^\d+$/.test(target) && Number(target) === position));
      if (!isWanted) continue;
      found = sheet.name;
      const shown = sheetDisplayName(file, sheet.name);
      const date1904 = Boolean(book.properties?.date1904);
      let pending: CsvBatch = { fields: [], lines: [] };
      const flush = () => {
        if (!pending.fields.length) return;
        const b = pending;
        pending = { fields: [], lines: [] };
        onBatch(b);
        if (getHeapStatistics().used_heap_size > heapLimit) {
          throw new DataError({
            file: shown,
            line: lastRow,
            column: null,
            value: null,
            reason:
              'is too large to hold in memory: run with a larger heap (NODE_OPTIONS=--max-old-space-size=4096) or save the sheet as CSV',
          });
        }
      };
      for await (const row of sheet) {
        const n = row.number;
        if (!Number.isInteger(n) || n < 1 || n <= lastRow) {
          throw new DataError({
            file: shown,
            line: null,
            column: null,
            value: String(n),
            reason: 'has rows out of order or without row numbers (the file is damaged)',
          });
        }
        lastRow = n;
        const cells: string[] = [];
        let problem: DataError | null = null;
        row.eachCell({ includeEmpty: false }, (cell, col) => {
          if (problem) return;
          if (col > MAX_COLUMNS) {
            problem = new DataError({
              file: shown,
              line: n,
              column: columnLetters(col),
              value: null,
              reason: `has a cell beyond Excel's last column (XFD)`,
            });
            return;
          }
          const t = cellText(cell, date1904);
          const letter = columnLetters(col);
          const name = header && col <= header.length ? header[col - 1]! : '';
          if ('problem' in t) {
            problem = new DataError({
              file: shown,
              line: n,
              column: name ? `${letter} (${name})` : letter,
              value: null,
              reason: t.problem,
            });
            return;
          }
          if (t.text.length > MAX_CELL_CHARS) {
            problem = new DataError({
              file: shown,
              line: n,
              column: name ? `${letter} (${name})` : letter,
              value: null,
              reason: `has a cell longer than ${MAX_CELL_CHARS.toLocaleString('en-GB')} characters`,
            });
            return;
          }
          while (cells.length < col - 1) cells.push('');
          cells[col - 1] = t.text;
        });
        if (problem) throw problem;
        if (cells.every((c) => c.trim() === '')) continue; // an empty row is not a record
        if (header === null) {
          while (cells.length && cells[cells.length - 1]!.trim() === '') cells.pop();
          header = cells;
          const letters = new Map<string, string>();
          cells.forEach((h, i) => {
            letters.set(h, columnLetters(i + 1));
            letters.set(normaliseName(h), columnLetters(i + 1));
          });
          noteSheetColumns(shown, letters);
          onHeader(cells);
          continue;
        }
        while (cells.length < header.length) cells.push('');
        if (cells.length > header.length) {
          // Values to the right of the header make a ragged row; blanks there do not.
          let last = cells.length;
          while (last > header.length && cells[last - 1]!.trim() === '') last--;
          cells.length = last;
        }
        pending.fields.push(cells);
        pending.lines.push(n);
        records++;
        progress++;
        if (pending.fields.length >= batchSize) flush();
      }
      flush();
    }
  };
  try {
    await Promise.race([parse(), stalled.promise]);
  } catch (err) {
    stream.destroy();
    if (err instanceof DataError || err instanceof UsageError || err instanceof IntegrityError) throw err;
    throw unreadable(
      file,
      `the archive is damaged (${err instanceof Error ? err.message : String(err)})`.slice(0, 300),
    );
  } finally {
    stalled.stop();
  }
  if (found === null) {
    if (seen.length === 0) throw unreadable(file, 'it has no worksheet');
    throw new DataError({
      file,
      line: null,
      column: null,
      value: wanted,
      reason: `has no sheet ${JSON.stringify(wanted)} (its sheets: ${seen.map((s) => `'${s}'`).join(', ')}); give --sheet a name or a number from 1`,
    });
  }
  if (header === null)
    throw new DataError({
      file: sheetDisplayName(file, found),
      line: 1,
      column: null,
      value: null,
      reason: 'the sheet is empty: a header row is required',
    });
  return { header, records, physicalLines: lastRow, sha256: hasher ? hasher.digest('hex') : null };
}
