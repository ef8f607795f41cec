/**
 * Reads an offences file into parsed batches (OffenceColumns), by the quickest route that gives the
 * CSV reader's results. Most offence extracts are plain: ASCII, LF line ends, no quotes. For such a
 * file a record is a line and its fields are what lies between delimiters, so OffenceRowParser can
 * read the rows straight from the bytes (parseBytes) without building an array of field strings per
 * row, which the general reader (papaparse) must: measured at 1M cases + 1.5M offences that cut the
 * offences' share of the CPU profile from ~40% (papaparse, its garbage and the row parser) to ~10%.
 * The plain file is read as bytes, not decoded text (OffenceRowParser.parseBytes).
 *
 * A first pass over the bytes (surveyPlain in csv-reader.ts) decides: any quote, CR, NUL or
 * non-ASCII byte (a UTF-8 byte-order mark included), stdin, a Parquet file or an empty file, and the
 * file goes to readCsv, which handles every case. The pass also computes the sha256 when asked, so
 * the file is hashed once either way.
 */
import {
  MAX_RECORD_CHARS,
  checkInputPath,
  emptyFileError,
  readCsv,
  readPlainChunks,
  surveyPlain,
  type ReadColumns,
} from './csv-reader.js';
import { isParquetPath } from './parquet-reader.js';
import { isXlsxPath } from './xlsx-reader.js';
import type { ColumnMap } from './column-map.js';
import type { ReadOptions } from './read-options.js';
import { OffenceRowParser, type OffenceColumns } from './offence-rows.js';

export interface OffenceScanOptions {
  file: string;
  delimiter: string;
  map: ColumnMap;
  hash: boolean;
  read?: Partial<ReadOptions>;
  /** Use the general reader whatever the file (for tests). */
  general?: boolean;
}

export interface OffenceScanResult {
  records: number;
  sha256: string | null;
}

/**
 * Streams the offences file at `path` through an OffenceRowParser: `onParser` once the header is
 * read (the parser checks the columns), then `onBatch` with each parsed batch in file order.
 */
export async function scanOffences(
  path: string,
  options: OffenceScanOptions,
  onParser: (parser: OffenceRowParser) => void,
  onBatch: (batch: OffenceColumns) => void,
): Promise<OffenceScanResult> {
  const { file, delimiter, map, read } = options;
  let parser: OffenceRowParser | null = null;
  const general = async (): Promise<OffenceScanResult> => {
    const r = await readCsv(
      path,
      { delimiter, displayName: file, hash: options.hash, sheet: read?.sheet, general: true },
      (header) => {
        parser = new OffenceRowParser(file, header, map, delimiter, read);
        onParser(parser);
        return { readColumns: parser.readColumns() } satisfies ReadColumns;
      },
      (batch) => onBatch(parser!.parse(batch)),
    );
    return { records: r.records, sha256: r.sha256 };
  };
  if (
    options.general ||
    path === '-' ||
    isParquetPath(path) ||
    isXlsxPath(path) ||
    delimiter.length !== 1 ||
    delimiter.charCodeAt(0) > 0x7f
  )
    return general();
  checkInputPath(path, file);
  const { plain, sha256 } = await surveyPlain(path, options.hash);
  if (!plain) return general();

  let line = 1;
  let records = 0;
  // Lines before the header are blank (skipped); the header is the first line with any text.
  const take = (bytes: Buffer) => {
    while (parser === null) {
      let eol = bytes.indexOf(10);
      const lastLine = eol === -1;
      if (lastLine) eol = bytes.length;
      line++;
      if (eol > 0) {
        parser = new OffenceRowParser(file, bytes.toString('latin1', 0, eol).split(delimiter), map, delimiter, read);
        onParser(parser);
      }
      if (lastLine) return;
      bytes = bytes.subarray(eol + 1);
    }
    const { batch, records: n, lines } = parser.parseBytes(bytes, line);
    line += lines;
    records += n;
    if (batch.n > 0) onBatch(batch);
  };
  await readPlainChunks(path, file, MAX_RECORD_CHARS, () => line, take);
  if (parser === null) throw emptyFileError(file);
  return { records, sha256 };
}
