/**
 * Loads the optional DuckDB package (@duckdb/node-api) on first use. An install where its prebuilt
 * binary is missing still runs on the JavaScript engine; `PILOT_EVAL_NO_DUCKDB=1` makes the load
 * fail on purpose, to check that path.
 */

export type DuckDbModule = typeof import('@duckdb/node-api');

/** The DuckDB package cannot be used here: `reason` says why. */
export class DuckDbUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`the DuckDB engine is unavailable: ${reason}`);
    this.name = 'DuckDbUnavailable';
  }
}

let loading: Promise<DuckDbModule> | null = null;

/** The DuckDB module, or a DuckDbUnavailable error saying why it cannot be loaded. */
export async function loadDuckDb(): Promise<DuckDbModule> {
  if (process.env.PILOT_EVAL_NO_DUCKDB === '1') throw new DuckDbUnavailable('PILOT_EVAL_NO_DUCKDB=1 is set');
  loading ??= import('@duckdb/node-api');
  try {
    return await loading;
  } catch (err) {
    loading = null;
    throw new DuckDbUnavailable(
      `the optional package @duckdb/node-api could not be loaded (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** True when the DuckDB package loads. */
export async function duckDbAvailable(): Promise<boolean> {
  try {
    await loadDuckDb();
    return true;
  } catch {
    return false;
  }
}
