/** Small helpers shared by command adapters. */
import type { Command } from 'commander';
import { NotImplementedError, UsageError } from '../core/errors.js';
import { DATE_FORMATS, dateFormatOf, type DateFormat } from '../core/dates.js';
import { DEFAULT_NA_TOKENS, parseDelimiter, type ReadOptions } from '../app/read-options.js';

/** Adds the options every command has. */
export function withCommon(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable JSON on stdout (no colour; progress and warnings on stderr)');
}

/**
 * Registers a command that is not built yet: it accepts any arguments and exits 2 saying which
 * capability is missing, so scripts fail loudly rather than silently.
 */
export function registerNotBuilt(program: Command, name: string, summary: string, capability: string): void {
  withCommon(program.command(name))
    .description(`${summary} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new NotImplementedError(name, capability);
    });
}

/** The read options as commander gives them (`--delimiter`, `--na`, `--date-format`, `--decimal-comma`). */
export interface ReadCliOptions {
  delimiter?: string;
  na?: string;
  dateFormat?: string;
  decimalComma?: boolean;
  sheet?: string;
}

/**
 * Adds the options that say how input cells are read: `--na`, `--date-format`, `--decimal-comma`
 * (each command keeps its own `--delimiter`). Parse them with `parseReadOptions`.
 */
export function withReadOptions(cmd: Command): Command {
  return cmd
    .option(
      '--na <tokens>',
      `cell texts read as missing, comma-separated; an empty cell is always missing (default: ${DEFAULT_NA_TOKENS.join(',')}; --na '' for none)`,
    )
    .option(
      '--date-format <order>',
      'order of slash dates: auto (YYYY-MM-DD or DD/MM/YYYY; a column with US month-first dates is refused), dmy, mdy or ymd (auto)',
    )
    .option('--decimal-comma', 'numbers are written with a decimal comma (0,207), as in ;-separated European files')
    .option(
      '--sheet <name|number>',
      'the sheet read from .xlsx inputs: its name, or its number from 1 (default: the first sheet)',
    );
}

/** The typed read options from the command's options; a UsageError names a bad one. */
export function parseReadOptions(opts: ReadCliOptions): ReadOptions {
  const delimiter = parseDelimiter(opts.delimiter);
  let dateFormat: DateFormat = 'auto';
  if (opts.dateFormat !== undefined) {
    const f = dateFormatOf(String(opts.dateFormat).trim().toLowerCase());
    if (f === null)
      throw new UsageError(
        `--date-format must be one of ${DATE_FORMATS.join(', ')}, got ${JSON.stringify(opts.dateFormat)}`,
      );
    dateFormat = f;
  }
  let na: readonly string[] = DEFAULT_NA_TOKENS;
  if (opts.na !== undefined) {
    na = String(opts.na)
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const long = na.find((t) => t.length > 64);
    if (long !== undefined)
      throw new UsageError(
        `--na: a missing-value token is at most 64 characters, got ${JSON.stringify(long.slice(0, 70))}...`,
      );
  }
  const decimalComma = opts.decimalComma === true;
  if (decimalComma && delimiter === ',') {
    throw new UsageError(
      "--decimal-comma needs another field delimiter (e.g. --delimiter ';'): with ',' a decimal comma cannot be told from the next field",
    );
  }
  let sheet: string | undefined;
  if (opts.sheet !== undefined) {
    sheet = String(opts.sheet);
    if (sheet.trim() === '' || sheet.length > 100)
      throw new UsageError(
        `--sheet takes a sheet's name or its number from 1, got ${JSON.stringify(sheet.slice(0, 110))}`,
      );
    if (/^\d+$/.test(sheet) && Number(sheet) < 1) throw new UsageError('--sheet numbers sheets from 1');
  }
  return { delimiter, na, dateFormat, decimalComma, ...(sheet !== undefined ? { sheet } : {}) };
}
