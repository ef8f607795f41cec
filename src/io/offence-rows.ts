/**
 * The offences file in two steps, so that the long one can run on another thread:
 *
 * 1. `OffenceRowParser` (needs nothing but the file): checks each row's field count, dates,
 *    disposal type and severity and packs the row into typed columns, with the id as text.
 * 2. `OffenceLinker` (needs the cases): finds each id's case row, records every problem in file
 *    order (the unknown id first, then the row's other problems, as one pass would) and feeds the
 *    clean rows to the OutcomeAccumulator.
 *
 * `streamOffences` runs both on the main thread; for a large file, `startOffenceReader` runs both on
 * a worker, step 1 while the main thread reads the cases file. Both paths run this same code, so
 * they give the same outcomes and the same problems (test/e2e/offence-worker.test.ts).
 */
import { MAX_REPORTED_PROBLEMS, type DataProblem, type ProblemList } from '../core/errors.js';
import { formatDate, isoDay, type DateFormat } from '../core/dates.js';
import { unsignedDecimalAt } from '../core/cells.js';
import { DisposalClass, type OutcomeAccumulator } from '../core/outcomes/proven-reoffending.js';
import type { IdIndex } from '../core/outcomes/id-index.js';
import type { CsvBatch } from './csv-reader.js';
import { canonicalHeader, type ColumnMap } from './column-map.js';
import { normaliserFor, readOptions, type ReadOptions } from './read-options.js';
import { missingColumnsError, trimCell } from './table.js';
import { DISPOSAL_TYPES, NON_PROVING_DISPOSALS, parseDateCell, parseNumberCell, type DisposalType } from './fields.js';

/** Date text -> day number or reason; dates repeat a great deal in offence files. */
export class DateCache {
  private readonly cache = new Map<string, number | string>();
  constructor(private readonly format: DateFormat = 'auto') {}
  parse(text: string): number | string {
    const iso = isoDay(text);
    if (iso !== null) return iso;
    let v = this.cache.get(text);
    if (v === undefined) {
      const d = parseDateCell(text, this.format);
      v = d.ok ? d.value : d.reason;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(text, v);
    }
    return v;
  }
}

const DISPOSAL_CLASS = new Map<string, DisposalClass>(
  DISPOSAL_TYPES.map((t: DisposalType) => [
    t,
    !NON_PROVING_DISPOSALS.has(t)
      ? DisposalClass.Proving
      : t === 'breach'
        ? DisposalClass.Breach
        : DisposalClass.OtherNonProving,
  ]),
);

export const REQUIRED_OFFENCE_COLUMNS = ['id', 'offence_date', 'disposal_date', 'disposal_type'];

const NO_DAY = -2147483648;
const BAD_DAY = -2147483647;

/** A row whose field count differs from the header's: only that problem is recorded. */
export const RAGGED = 255;

/** A batch of parsed offence rows as plain typed arrays and strings. */
export interface OffenceColumns {
  n: number;
  lines: Int32Array;
  offence: Int32Array;
  disposal: Int32Array;
  cls: Uint8Array;
  /** NaN = no severity column or an empty cell. */
  severity: Float64Array;
  /** Problems the parser found in the row (RAGGED: a wrong field count, the only one). */
  problemCount: Uint8Array;
  /** The trimmed ids joined; id r is idText.slice(idEnd[r - 1] ?? 0, idEnd[r]). */
  idText: string;
  idEnd: Int32Array;
  /** Details of the parser's problems while fewer than 20 have been detailed in this file. */
  problems: DataProblem[];
}

/** Step 1: validates offence rows without the cases. One per file. */
export class OffenceRowParser {
  readonly hasSeverity: boolean;
  private readonly width: number;
  private readonly col: { id: number; offence: number; disposal: number; type: number; severity: number };
  private readonly dates: DateCache;
  private readonly norm: (t: string) => string;
  /** Problems detailed so far in this file: the linker can show at most 20 in all. */
  private detailed = 0;
  /** The batch being filled, and the number of problems found in the current row. */
  private out: OffenceColumns = emptyColumns(0);
  private found = 0;
  /** Disposal types written exactly as listed, for the byte fast path (others take the general path). */
  private readonly types: Array<[string, DisposalClass]> = [...DISPOSAL_CLASS];
  /** The same names as bytes (for parseBytes). */
  private readonly typeBytes: Uint8Array[] = this.types.map(([name]) => Buffer.from(name, 'latin1'));
  /** The delimiter's character code (byte fast path). */
  private readonly delimCode: number;

  /**
   * Throws the missing-columns DataError when a required column is absent. `read` says how dates,
   * missing-value tokens and decimal commas are read (default: DEFAULT_READ_OPTIONS).
   */
  constructor(
    private readonly file: string,
    header: string[],
    map: ColumnMap,
    private readonly delimiter: string,
    read?: Partial<ReadOptions>,
  ) {
    const r = readOptions(read);
    this.dates = new DateCache(r.dateFormat);
    this.norm = normaliserFor(r);
    const names = canonicalHeader(header, map, file);
    const missing = REQUIRED_OFFENCE_COLUMNS.filter((c) => !names.includes(c));
    if (missing.length) throw missingColumnsError(file, header, missing, delimiter);
    this.width = names.length;
    this.col = {
      id: names.indexOf('id'),
      offence: names.indexOf('offence_date'),
      disposal: names.indexOf('disposal_date'),
      type: names.indexOf('disposal_type'),
      severity: names.indexOf('severity'),
    };
    this.hasSeverity = this.col.severity >= 0;
    this.delimCode = delimiter.charCodeAt(0);
  }

  /** The columns this parser reads (for readCsv's header handler: the others need not be decoded). */
  readColumns(): number[] {
    return Object.values(this.col).filter((c) => c >= 0);
  }

  private problem(p: DataProblem): void {
    this.found++;
    if (this.detailed < MAX_REPORTED_PROBLEMS) {
      this.detailed++;
      this.out.problems.push(p);
    }
  }

  private dateCell(raw: string, column: string, line: number): number | null {
    const text = trimCell(raw);
    // A valid date first (the usual cell): the missing-value check only runs for the rest.
    const v = text === '' ? '' : this.dates.parse(text);
    if (typeof v === 'number') return v;
    if (text === '' || this.norm(text) === '') {
      this.problem({
        file: this.file,
        line,
        column,
        value: text,
        reason: `${column} is ${text === '' ? 'empty' : 'missing'}: a date (YYYY-MM-DD or DD/MM/YYYY) is required`,
      });
      return null;
    }
    this.problem({ file: this.file, line, column, value: text, reason: v });
    return null;
  }

  /** Parses one record (its fields as text) into row `r` of the current batch; returns its id. */
  private parseRow(row: string[], line: number, r: number): string {
    const { file, col, width, out } = this;
    out.lines[r] = line;
    if (row.length !== width) {
      out.problemCount[r] = RAGGED;
      this.problem({
        file,
        line,
        column: null,
        value: null,
        reason: `has ${row.length} field(s) but the header has ${width}`,
      });
      return '';
    }
    this.found = 0;
    const id = trimCell(row[col.id]!);
    const offence = this.dateCell(row[col.offence]!, 'offence_date', line);
    const disposal = this.dateCell(row[col.disposal]!, 'disposal_date', line);
    if (offence !== null && disposal !== null && disposal < offence) {
      this.problem({
        file,
        line,
        column: 'disposal_date',
        value: row[col.disposal]!.trim(),
        reason: `disposal_date ${formatDate(disposal)} is before offence_date ${formatDate(offence)}: a conviction or caution cannot precede the offence`,
      });
    }
    const typeText = trimCell(row[col.type]!);
    const cls = DISPOSAL_CLASS.get(typeText) ?? DISPOSAL_CLASS.get(typeText.toLowerCase());
    if (cls === undefined) {
      this.problem({
        file,
        line,
        column: 'disposal_type',
        value: typeText,
        reason:
          typeText === ''
            ? `disposal_type is empty: expected one of ${DISPOSAL_TYPES.join(', ')}`
            : `expected one of ${DISPOSAL_TYPES.join(', ')}`,
      });
    }
    if (col.severity >= 0) {
      const s = trimCell(row[col.severity]!);
      if (s !== '') {
        const v = parseNumberCell(s, 0);
        if (v.ok) out.severity[r] = v.value;
        else {
          // A missing-value token is an empty cell; a decimal comma is read when asked for.
          const n = this.norm(s);
          const again = n === '' || n === s ? null : parseNumberCell(n, 0);
          if (again?.ok) out.severity[r] = again.value;
          else if (n !== '') this.problem({ file, line, column: 'severity', value: s, reason: (again ?? v).reason });
        }
      }
    }
    out.problemCount[r] = this.found;
    if (this.found === 0) {
      out.offence[r] = offence!;
      out.disposal[r] = disposal!;
      out.cls[r] = cls!;
    }
    return id;
  }

  /**
   * Day numbers of YYYY-MM-DD texts already read, by (year - 1900) * 416 + month * 32 + day (an
   * offence file repeats a few thousand dates): NO_DAY = not yet read, BAD_DAY = not a valid date.
   */
  private readonly isoCache = new Int32Array(301 * 416).fill(NO_DAY);

  /** Parses a batch of records read by the CSV (or Parquet) reader. */
  parse(batch: CsvBatch): OffenceColumns {
    const n = batch.fields.length;
    const out = (this.out = emptyColumns(n));
    const ids = new Array<string>(n);
    for (let r = 0; r < n; r++) ids[r] = this.parseRow(batch.fields[r]!, batch.lines[r]!, r);
    return packIds(out, ids);
  }

  /** isoDay of bytes[at, at + 10), from the cache when that date was read before. */
  private isoAtBytes(bytes: Uint8Array, at: number): number | null {
    const c0 = bytes[at]! - 48;
    const c1 = bytes[at + 1]! - 48;
    const c2 = bytes[at + 2]! - 48;
    const c3 = bytes[at + 3]! - 48;
    const c5 = bytes[at + 5]! - 48;
    const c6 = bytes[at + 6]! - 48;
    const c8 = bytes[at + 8]! - 48;
    const c9 = bytes[at + 9]! - 48;
    // Digits only (a non-digit is negative or > 9 here), dashes in place, in range for the key;
    // anything else is isoDay's to decide.
    if (
      (c0 | c1 | c2 | c3 | c5 | c6 | c8 | c9) < 0 ||
      c0 > 9 ||
      c1 > 9 ||
      c2 > 9 ||
      c3 > 9 ||
      c5 > 9 ||
      c6 > 9 ||
      c8 > 9 ||
      c9 > 9 ||
      bytes[at + 4] !== 45 ||
      bytes[at + 7] !== 45
    )
      return isoDay(latin1(bytes, at, at + 10));
    const y = c0 * 1000 + c1 * 100 + c2 * 10 + c3;
    const m = c5 * 10 + c6;
    const day = c8 * 10 + c9;
    if (y < 1900 || y > 2200 || m > 12 || day > 31) return isoDay(latin1(bytes, at, at + 10));
    const key = (y - 1900) * 416 + m * 32 + day;
    let v = this.isoCache[key]!;
    if (v === NO_DAY) {
      v = isoDay(latin1(bytes, at, at + 10)) ?? BAD_DAY;
      this.isoCache[key] = v;
    }
    return v === BAD_DAY ? null : v;
  }

  /**
   * Parses whole lines of a plain file: `bytes` holds complete lines separated by LF, with no
   * quote, CR, NUL or non-ASCII byte (offence-scan.ts checks the file first), so a line is a record
   * and its fields are split at the delimiter, exactly as the CSV reader would split them. The
   * first line is physical line `firstLine`; blank lines are skipped. A row whose cells are all in
   * the usual form (ISO dates, a listed disposal type, a plain severity, no edge spaces) is read
   * straight from the bytes, its id copied into the batch's id bytes; any other row takes the
   * general path (parseRow), so the problems and their wording are the CSV reader's. Working on
   * bytes, not a decoded string, measured at 1.5M offences: 1.6 s to ~0.6 s of CPU (a byte array
   * is read about twice as fast as a string's characters, and no string is made per row).
   */
  parseBytes(bytes: Uint8Array, firstLine: number): { batch: OffenceColumns; records: number; lines: number } {
    const len = bytes.length;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, len);
    let max = 1;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) max++;
    const out = (this.out = emptyColumns(max));
    // The ids of the batch, one after another (never longer than the lines they come from).
    const idBytes = Buffer.allocUnsafe(len);
    let idLen = 0;
    const { width, col, delimCode, typeBytes } = this;
    const starts = new Int32Array(width + 1);
    let r = 0;
    let line = firstLine;
    for (let pos = 0; pos <= len; line++) {
      let eol = buf.indexOf(10, pos);
      if (eol === -1) eol = len;
      const start = pos;
      pos = eol + 1;
      if (eol === start) continue; // blank line
      // Field k is bytes[starts[k], starts[k + 1] - 1).
      let k = 0;
      starts[0] = start;
      for (let i = start; i < eol; i++) {
        if (bytes[i] === delimCode) {
          if (++k >= width) break;
          starts[k] = i + 1;
        }
      }
      let fast = k === width - 1;
      if (fast) {
        starts[width] = eol + 1;
        const idA = starts[col.id]!;
        const idB = starts[col.id + 1]! - 1;
        const oA = starts[col.offence]!;
        const dA = starts[col.disposal]!;
        const tA = starts[col.type]!;
        const tLen = starts[col.type + 1]! - 1 - tA;
        let offence: number | null = null;
        let disposal: number | null = null;
        let cls = -1;
        if (
          idB > idA &&
          bytes[idA]! > 32 &&
          bytes[idB - 1]! > 32 &&
          starts[col.offence + 1]! - 1 - oA === 10 &&
          starts[col.disposal + 1]! - 1 - dA === 10
        ) {
          offence = this.isoAtBytes(bytes, oA);
          disposal = offence === null ? null : this.isoAtBytes(bytes, dA);
          for (let t = 0; t < typeBytes.length && cls < 0; t++) {
            const name = typeBytes[t]!;
            if (name.length !== tLen) continue;
            let j = 0;
            while (j < tLen && bytes[tA + j] === name[j]) j++;
            if (j === tLen) cls = this.types[t]![1];
          }
        }
        let severity = NaN;
        if (disposal === null || disposal < offence! || cls < 0) fast = false;
        else if (col.severity >= 0) {
          const sA = starts[col.severity]!;
          const sB = starts[col.severity + 1]! - 1;
          if (sB > sA) {
            // A plain decimal >= 0 read in place; any other form takes the general path.
            severity = unsignedDecimalAt(bytes, sA, sB);
            if (severity !== severity) fast = false;
          }
        }
        if (fast) {
          out.lines[r] = line;
          out.offence[r] = offence!;
          out.disposal[r] = disposal!;
          out.cls[r] = cls;
          out.severity[r] = severity;
          for (let i = idA; i < idB; i++) idBytes[idLen++] = bytes[i]!;
          out.idEnd[r++] = idLen;
          continue;
        }
      }
      const id = this.parseRow(latin1(bytes, start, eol).split(this.delimiter), line, r);
      // The id is ASCII (a plain file's), so one character is one byte.
      for (let i = 0; i < id.length; i++) idBytes[idLen++] = id.charCodeAt(i);
      out.idEnd[r++] = idLen;
    }
    out.n = r;
    out.idText = idBytes.toString('latin1', 0, idLen);
    return { batch: out, records: r, lines: line - firstLine };
  }
}

/** bytes[a, b) as a string, one character per byte. */
function latin1(bytes: Uint8Array, a: number, b: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1', a, b);
}

/** A batch of `n` rows, filled in by the parser. */
function emptyColumns(n: number): OffenceColumns {
  return {
    n,
    lines: new Int32Array(n),
    offence: new Int32Array(n),
    disposal: new Int32Array(n),
    cls: new Uint8Array(n),
    severity: new Float64Array(n).fill(NaN),
    problemCount: new Uint8Array(n),
    idText: '',
    idEnd: new Int32Array(n),
    problems: [],
  };
}

/** Joins the rows' ids into `out.idText` (a ragged row's id is ''). */
function packIds(out: OffenceColumns, ids: string[]): OffenceColumns {
  let end = 0;
  for (let r = 0; r < out.n; r++) out.idEnd[r] = end += ids[r]!.length;
  out.idText = ids.join('');
  return out;
}

/** Step 2: links parsed rows to the cases and accumulates outcomes, in file order. */
export class OffenceLinker {
  maxDisposal = -Infinity;
  /** Problems beyond the parser's detailed ones are counted only (the list is full by then). */
  constructor(
    private readonly file: string,
    private readonly casesFile: string,
    private readonly indexOf: IdIndex,
    private readonly acc: OutcomeAccumulator,
    readonly problems: ProblemList,
  ) {}

  /** Scratch: the case row of each row of a batch. */
  private rows = new Int32Array(0);

  consume(b: OffenceColumns): void {
    const { file, problems, indexOf, acc } = this;
    const { idText, idEnd, problemCount } = b;
    if (this.rows.length < b.n) this.rows = new Int32Array(b.n);
    const rows = this.rows;
    indexOf.rowsOf(idText, idEnd, b.n, rows);
    let detail = 0;
    const parserProblem = () => {
      if (detail < b.problems.length) problems.add(b.problems[detail++]!);
      else problems.total++;
    };
    for (let r = 0; r < b.n; r++) {
      const count = problemCount[r]!;
      if (count === RAGGED) {
        parserProblem();
        continue;
      }
      const person = rows[r]!;
      if (person < 0) {
        const id = idText.slice(r === 0 ? 0 : idEnd[r - 1]!, idEnd[r]!);
        problems.add({
          file,
          line: b.lines[r]!,
          column: 'id',
          value: id,
          reason: id === '' ? 'id is empty' : `id is not in the cases file ${this.casesFile}`,
        });
      }
      for (let k = 0; k < count; k++) parserProblem();
      if (count > 0 || person < 0) continue;
      const dDay = b.disposal[r]!;
      if (dDay > this.maxDisposal) this.maxDisposal = dDay;
      acc.add(person, b.offence[r]!, dDay, b.cls[r]! as DisposalClass, b.severity[r]!);
    }
  }
}
