/**
 * The one error vocabulary of pilot-eval. Each class maps to an exit code in one place
 * (src/cli/exit.ts). Anything else thrown is a bug (exit 1).
 */

/** Bad or conflicting options (exit 2). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One problem found in input data: where it is and what was expected. */
export interface DataProblem {
  file: string;
  /** Physical 1-based line where the record starts (header = line 1); null when not tied to a line. */
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

/**
 * Column letters of the spreadsheet sheets read in this run, by the sheet's name in messages
 * (`file.xlsx, sheet 'Cases'`): column name -> letter, so a problem found by column name is also
 * located as a spreadsheet user sees it (`column C (release_date)`).
 */
const sheetColumns = new Map<string, ReadonlyMap<string, string>>();

/** Records the column letters of a sheet (called by the .xlsx reader when it reads the header). */
export function noteSheetColumns(file: string, letters: ReadonlyMap<string, string>): void {
  sheetColumns.set(file, letters);
}

/** A sheet's name in messages: `file.xlsx, sheet 'Cases'` (rows, not lines, are counted there). */
const SHEET_NAME = /, sheet '[^']*'$/;

/**
 * Formats a problem as `file:line: column "value": reason`, or for a spreadsheet sheet as
 * `file.xlsx, sheet 'Cases', row 12, column C (release_date): value "x": reason`.
 */
export function formatProblem(p: DataProblem): string {
  if (SHEET_NAME.test(p.file)) {
    const letter = p.column !== null ? sheetColumns.get(p.file)?.get(p.column) : undefined;
    const parts = [
      p.file,
      p.line !== null ? `row ${p.line}` : null,
      p.column !== null ? `column ${letter ? `${letter} (${truncate(p.column, 60)})` : truncate(p.column, 60)}` : null,
    ];
    const value = p.value !== null ? `value ${JSON.stringify(truncate(p.value, 60))}: ` : '';
    return `${parts.filter((x) => x !== null).join(', ')}: ${value}${truncate(p.reason, MAX_REASON_CHARS)}`;
  }
  const col = p.column !== null ? truncate(p.column, 60) : null;
  const val = p.value !== null ? `value ${JSON.stringify(truncate(p.value, 60))}` : null;
  // Reasons can quote data (a header, a list of labels): a 5 MB header cell must not flood the terminal.
  const reason = truncate(p.reason, MAX_REASON_CHARS);
  if (p.line !== null && /\.parquet$/i.test(p.file)) {
    return `${p.file}, row ${p.line}${col !== null ? `, column ${col}` : ''}: ${val !== null ? `${val}: ` : ''}${reason}`;
  }
  const where = [p.file, p.line !== null ? String(p.line) : null].filter((x) => x !== null).join(':');
  const colText = col !== null ? ` column ${col}` : '';
  const valText = val !== null ? ` ${val}` : '';
  return colText || valText ? `${where}:${colText}${valText}: ${reason}` : `${where}: ${reason}`;
}

/** Longest reason printed for one problem (longer ones are cut with "..."). */
export const MAX_REASON_CHARS = 500;

/** `s` cut to `n` characters with "..." when longer. */
export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

/** Maximum number of data problems listed in one run. */
export const MAX_REPORTED_PROBLEMS = 20;

/** Bad input data (exit 3). Carries up to 20 located problems and the total count. */
export class DataError extends Error {
  readonly exitCode = 3;
  readonly problems: DataProblem[];
  readonly total: number;
  constructor(problems: DataProblem[] | DataProblem, total?: number) {
    const list = Array.isArray(problems) ? problems : [problems];
    const shown = list.slice(0, MAX_REPORTED_PROBLEMS);
    const count = total ?? list.length;
    const more = count > shown.length ? `\n... and ${count - shown.length} more problem(s)` : '';
    super(
      (count === 1 ? 'data error:\n' : `${count} data problems:\n`) +
        shown.map((p) => `  ${formatProblem(p)}`).join('\n') +
        more,
    );
    this.name = 'DataError';
    this.problems = shown;
    this.total = count;
  }
}

/**
 * Collects located problems while a file is checked: the first 20 in full, then only the count,
 * so one run reports up to 20 problems and the total (docs/reference/exit-codes.md).
 */
export class ProblemList {
  readonly shown: DataProblem[] = [];
  total = 0;
  add(p: DataProblem): void {
    this.total++;
    if (this.shown.length < MAX_REPORTED_PROBLEMS) this.shown.push(p);
  }
  /** Throws the DataError listing them, when there are any. */
  throwIfAny(): void {
    if (this.total > 0) throw new DataError(this.shown, this.total);
  }
}

/** An allocation, manifest or ledger that does not verify (exit 4). */
export class IntegrityError extends Error {
  readonly exitCode = 4;
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

/** A command that is registered but not built yet (exit 2, names the capability). */
export class NotImplementedError extends UsageError {
  constructor(command: string, capability: string) {
    super(`'${command}' is not available yet in this version: ${capability}`);
    this.name = 'NotImplementedError';
  }
}
