/**
 * `--engine js|duckdb|auto`, on every command that reads cases or offences. For `reoffending`
 * DuckDB derives the outcomes; the other commands that read cases or offences (analyse, report,
 * import, match, randomise) accept the flag, use the JavaScript readers, and say so.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { ENGINES, type Engine } from '../app/reoffending.js';

/** Adds `--engine`. `usesDuckDb`: whether this command can use DuckDB at all. */
export function withEngineOption(cmd: Command, usesDuckDb: boolean): Command {
  return cmd.option(
    '--engine <engine>',
    usesDuckDb
      ? 'js, duckdb (the optional @duckdb/node-api package, in-process) or auto (duckdb for Parquet inputs of 1 MiB or more, else js: the measured quicker of the two); both give the same results (default: auto)'
      : 'js, duckdb or auto: accepted so that scripts can pass it to every command; this command reads its inputs with the JavaScript engine (DuckDB serves reoffending)',
  );
}

/** The engine named by `--engine` (default js); a UsageError for any other value. */
export function parseEngine(value: string | undefined): Engine {
  if (value === undefined) return 'js';
  const v = value.trim().toLowerCase();
  if (!(ENGINES as readonly string[]).includes(v))
    throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}, got ${JSON.stringify(value)}`);
  return v as Engine;
}

/** The note for a command where DuckDB brings nothing, or null for --engine js (or no flag). */
export function jsOnlyEngineNote(command: string, value: string | undefined): string | null {
  const engine = parseEngine(value);
  return engine === 'js'
    ? null
    : `--engine ${engine}: ${command} reads its inputs with the JavaScript engine (the DuckDB engine serves reoffending).`;
}
