/** The one place where errors become exit codes and messages. */
import { DataError, IntegrityError, UsageError } from '../core/errors.js';
import { jsonReplacer } from './output.js';

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
      json: { schema_version: 1, error: 'data', message: err.message, total_problems: err.total, problems: err.problems },
    };
  }
  if (err instanceof UsageError) {
    return { code: 2, message: `usage error: ${err.message}`, json: { schema_version: 1, error: 'usage', message: err.message } };
  }
  if (err instanceof IntegrityError) {
    return { code: 4, message: `integrity error: ${err.message}`, json: { schema_version: 1, error: 'integrity', message: err.message } };
  }
  const e = err as Error;
  return {
    code: 1,
    message: `internal error (this is a bug in pilot-eval; please report it with the command you ran):\n${e && e.stack ? e.stack : String(err)}`,
  };
}

export function reportError(err: unknown, json: boolean): number {
  const out = classifyError(err);
  process.stderr.write(`pilot-eval: ${out.message}\n`);
  if (json && out.json) process.stdout.write(`${JSON.stringify(out.json, jsonReplacer, 2)}\n`);
  return out.code;
}
