/**
 * How input cells are read, the same for every command and every reader (`--delimiter`, `--na`,
 * `--date-format`, `--decimal-comma`): a typed value the command adapters build once
 * (src/cli/command-kit.ts) and pass to readTable, loadOutcomesFromFiles and importData.
 */
import { cellNormaliser, DEFAULT_NA_TOKENS } from '../core/cells.js';
import type { DateFormat } from '../core/dates.js';

export interface ReadOptions {
  /** Field delimiter (one character). */
  delimiter: string;
  /** Cell texts read as missing besides the empty cell (exact match after trimming). */
  na: readonly string[];
  /** How slash dates are read (see DateFormat). */
  dateFormat: DateFormat;
  /** Numbers are written with a decimal comma (`0,207`), as in `;`-separated European files. */
  decimalComma: boolean;
  /** The sheet read from an .xlsx input (`--sheet`: a name, or a number from 1); default the first. */
  sheet?: string;
}

export const DEFAULT_READ_OPTIONS: ReadOptions = Object.freeze({
  delimiter: ',',
  na: DEFAULT_NA_TOKENS,
  dateFormat: 'auto',
  decimalComma: false,
});

/** The full read options from a partial set (missing parts take the defaults). */
export function readOptions(partial: Partial<ReadOptions> | undefined): ReadOptions {
  return { ...DEFAULT_READ_OPTIONS, ...(partial ?? {}) };
}

/** The cell normaliser (missing tokens, decimal comma) for these options. */
export function normaliserFor(read: ReadOptions): (t: string) => string {
  return cellNormaliser(read.na, read.decimalComma);
}

/** Which engine derives outcomes (`--engine`): the JavaScript readers, DuckDB, or chosen by the inputs (auto). */
export type Engine = 'js' | 'duckdb' | 'auto';
export const ENGINES: readonly Engine[] = ['js', 'duckdb', 'auto'];
