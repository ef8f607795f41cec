/**
 * CSV output with canonical columns and spreadsheet formula-injection protection: a cell that
 * begins with `=`, `+`, `-`, `@`, tab or CR and is not a number is prefixed with `'`.
 */

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Neutralises a cell a spreadsheet would run as a formula. */
export function neutraliseCell(text: string): string {
  if (text.length === 0) return text;
  const c = text.charCodeAt(0);
  let out = text;
  // = + - @ TAB CR
  if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) {
    if (!NUMBER.test(text)) out = `'${text}`;
  }
  return out.indexOf(';') === -1 ? out : neutraliseAfterSemicolons(out);
}

/**
 * Excel set to read `;`-separated files (most European locales) splits a comma-separated file at
 * every `;`, quotes or not, so the part after a `;` is a cell of its own: `a;=HYPERLINK(...)`
 * would run as a formula. Each such part that starts (after any quotes) like a formula and is not
 * a number gets the same `'` prefix, right after the `;`.
 */
function neutraliseAfterSemicolons(text: string): string {
  return text.replace(/;("*)([=+\-@\t\r][^;]*)/g, (all, quotes: string, part: string) =>
    NUMBER.test(part) ? all : `;'${quotes}${part}`,
  );
}

export type Cell = string | number | boolean | null | undefined;

function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return neutraliseCell(v);
}

const EDGE_SPACE = /^\s|\s$/;

/**
 * Quotes one already-neutralised cell per RFC 4180 when it holds a comma, quote, line break or edge
 * space. A character scan rather than a regular expression: this runs for every cell written.
 */
export function quoteCell(text: string): string {
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) {
      quote = true;
      break;
    }
  }
  if (!quote && text.length > 0) {
    const a = text.charCodeAt(0);
    const b = text.charCodeAt(text.length - 1);
    // Only a cell that starts or ends with a space-like character needs the full \s test.
    if ((a <= 32 || a >= 0x85 || b <= 32 || b >= 0x85) && EDGE_SPACE.test(text)) quote = true;
  }
  return quote ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One CSV record (no line ending) from cell values: formula-neutralised and RFC 4180 quoted.
 * Written by hand rather than with csv-stringify: it is the hot loop of every large output and
 * quoting is the whole of the job.
 */
export function formatCsvLine(cells: ReadonlyArray<Cell>): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ',';
    out += quoteCell(cellText(cells[i]));
  }
  return out;
}

/** Renders rows (with header) as RFC 4180 CSV text with LF line endings. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  let out = `${formatCsvLine(header)}\n`;
  for (const r of rows) out += `${formatCsvLine(r)}\n`;
  return out;
}

/** Renders rows without a header (for appending batches). */
export function toCsvRows(rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  let out = '';
  for (const r of rows) out += `${formatCsvLine(r)}\n`;
  return out;
}
