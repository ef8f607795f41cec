/** The one place where errors become exit codes and messages. */
import { DataError, IntegrityError, MAX_REASON_CHARS, UsageError, truncate, type DataProblem } from '../core/errors.js';

/** Longest usage or integrity message printed (they can quote data, e.g. arm labels). */
const MAX_MESSAGE_CHARS = 4000;

/** A problem as printed under --json: values and reasons cut to a readable length. */
function shortProblem(p: DataProblem): DataProblem {
  return {
    ...p,
    column: p.column === null ? null : truncate(p.column, 200),
    value: p.value === null ? null : truncate(p.value, 200),
    reason: truncate(p.reason, MAX_REASON_CHARS),
  };
}
import { jsonReplacer, jsonTerminalSafe, terminalSafe } from './output.js';

export interface ExitOutcome {
  code: number;
  message: string;
  /** Machine-readable form, printed to stdout under --json. */
  json?: object;
}

export function classifyError(err: unknown): ExitOutcome {
  if (err instanceof DataError) {
    return {
      code: 3,
      message: err.message,
      json: {
        schema_version: 1,
        error: 'data',
        message: err.message,
        total_problems: err.total,
        problems: err.problems.map(shortProblem),
      },
    };
  }
  if (err instanceof UsageError) {
    const m = truncate(err.message, MAX_MESSAGE_CHARS);
    return { code: 2, message: `usage error: ${m}`, json: { schema_version: 1, error: 'usage', message: m } };
  }
  if (err instanceof IntegrityError) {
    const m = truncate(err.message, MAX_MESSAGE_CHARS);
    return { code: 4, message: `integrity error: ${m}`, json: { schema_version: 1, error: 'integrity', message: m } };
  }
  const e = err as Error;
  return {
    code: 1,
    message: `internal error (this is a bug in pilot-eval; please report it with the command you ran):\n${e && e.stack ? e.stack : String(err)}`,
  };
}

/**
 * A commander complaint (unknown option, missing or invalid value, conflicting options) is a usage
 * error (exit 2). commander has printed it on stderr; under --json it is also printed on stdout in
 * the same form as every other usage error.
 */
export function reportCommanderError(err: { message: string }, json: boolean): number {
  if (json) {
    const m = truncate(err.message.replace(/^error: /, ''), MAX_MESSAGE_CHARS);
    process.stdout.write(
      `${jsonTerminalSafe(JSON.stringify({ schema_version: 1, error: 'usage', message: m }, jsonReplacer, 2))}\n`,
    );
  }
  return 2;
}

export function reportError(err: unknown, json: boolean): number {
  const out = classifyError(err);
  // Messages quote data (values, header names): control characters are shown, not obeyed.
  process.stderr.write(`pilot-eval: ${terminalSafe(out.message)}\n`);
  if (json && out.json) process.stdout.write(`${jsonTerminalSafe(JSON.stringify(out.json, jsonReplacer, 2))}\n`);
  return out.code;
}
