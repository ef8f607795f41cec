/**
 * CSV output with canonical columns and spreadsheet formula-injection protection: a cell that
 * begins with `=`, `+`, `-`, `@`, tab or CR and is not a number is prefixed with `'`.
 */
import { stringify } from 'csv-stringify/sync';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Neutralises a cell a spreadsheet would run as a formula. */
export function neutraliseCell(text: string): string {
  if (text.length === 0) return text;
  const c = text.charCodeAt(0);
  // = + - @ TAB CR
  if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) {
    if (NUMBER.test(text)) return text;
    return `'${text}`;
  }
  return text;
}

export type Cell = string | number | boolean | null | undefined;

function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return neutraliseCell(v);
}

/** Renders rows (with header) as RFC 4180 CSV text with LF line endings. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  const data: string[][] = [header.map((h) => neutraliseCell(h))];
  for (const r of rows) data.push(r.map(cellText));
  return stringify(data, { record_delimiter: '\n', quoted_match: /^\s|\s$/ });
}

/** Renders rows without a header (for appending batches). */
export function toCsvRows(rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  if (rows.length === 0) return '';
  return stringify(rows.map((r) => r.map(cellText)), { record_delimiter: '\n' });
}
