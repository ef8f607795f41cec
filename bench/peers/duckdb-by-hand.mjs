#!/usr/bin/env node
// Runs the script that `pilot-eval reoffending --emit-sql duckdb` prints "by hand", as an analyst
// would: both files loaded as tables named `cases` and `offences` (a CSV with every column as text,
// a .parquet file as typed), then each statement of the script in turn, through DuckDB's Node package
// (@duckdb/node-api, default settings unless --threads is given). Prints the per-group rows as CSV.
// Usage: node bench/peers/duckdb-by-hand.mjs SCRIPT.sql CASES OFFENCES [--threads N]
import { readFileSync } from 'node:fs';

const [scriptPath, cases, offences, flag, threads] = process.argv.slice(2);
let DuckDBInstance;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
} catch (err) {
  process.stderr.write(`duckdb-by-hand: @duckdb/node-api cannot be loaded (${err.message})\n`);
  process.exit(3);
}
const table = (p) =>
  /\.parquet$/i.test(p)
    ? `read_parquet('${p.replace(/'/g, "''")}')`
    : `read_csv('${p.replace(/'/g, "''")}', header = true, all_varchar = true)`;
// The script's statements end with `;` at a line end (its generator never puts one inside a literal).
const statements = readFileSync(scriptPath, 'utf8')
  .split(/;\n/)
  .map((s) => s.replace(/^(--[^\n]*\n|\s)*/g, '').trim())
  .filter((s) => s !== '');
const db = await DuckDBInstance.create(':memory:', flag === '--threads' ? { threads: String(threads) } : {});
const con = await db.connect();
await con.run(`CREATE TABLE cases AS SELECT * FROM ${table(cases)}`);
await con.run(`CREATE TABLE offences AS SELECT * FROM ${table(offences)}`);
for (const s of statements.slice(0, -1)) await con.run(s);
const reader = await con.runAndReadAll(statements.at(-1));
process.stdout.write(reader.columnNames().join(',') + '\n');
for (const row of reader.getRows()) process.stdout.write(row.map((v) => String(v)).join(',') + '\n');
