#!/usr/bin/env node
// Runs bench/peers/duckdb-reoffending.sql through DuckDB's Node package (@duckdb/node-api), in
// process, on the given files; prints the per-arm counts as CSV.
// Usage: node bench/peers/duckdb-run.mjs CASES OFFENCES [--threads N]   (.csv or .parquet)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [cases, offences, flag, threads] = process.argv.slice(2);
let DuckDBInstance;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
} catch (err) {
  process.stderr.write(`duckdb-run: @duckdb/node-api cannot be loaded (${err.message})\n`);
  process.exit(3);
}
const table = (p) =>
  /\.parquet$/i.test(p)
    ? `read_parquet('${p.replace(/'/g, "''")}')`
    : `read_csv('${p.replace(/'/g, "''")}', header = true)`;
const sql = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'duckdb-reoffending.sql'), 'utf8')
  .replaceAll('{{cases}}', table(cases))
  .replaceAll('{{offences}}', table(offences));
const db = await DuckDBInstance.create(':memory:', { threads: flag === '--threads' ? String(threads) : '1' });
const con = await db.connect();
const reader = await con.runAndReadAll(sql);
const cols = reader.columnNames();
process.stdout.write(cols.join(',') + '\n');
for (const row of reader.getRows()) process.stdout.write(row.map((v) => String(v)).join(',') + '\n');
