#!/usr/bin/env node
// The same per-arm counts as bench/peers/duckdb-reoffending.sql with polars (lazy API), through the
// npm package nodejs-polars (the same Rust engine as Python polars), installed on demand into
// bench/.peers (never into package.json): `npm install --prefix bench/.peers nodejs-polars@0.26.1`.
// Usage: node bench/peers/polars-run.mjs CASES OFFENCES   (.csv or .parquet). Exit 3: not installed.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [casesPath, offencesPath] = process.argv.slice(2);
let pl;
try {
  pl = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '.peers', 'node_modules', 'x.js'))(
    'nodejs-polars',
  );
} catch (err) {
  process.stderr.write(`polars-run: nodejs-polars is not installed in bench/.peers (${err.message.split('\n')[0]})\n`);
  process.exit(3);
}
const FU = 365;
const WAIT = 183;
const scan = (p) => (/\.parquet$/i.test(p) ? pl.scanParquet(p) : pl.scanCSV(p));
const day = (c) => pl.col(c).cast(pl.Utf8).str.strptime(pl.Date, '%Y-%m-%d').cast(pl.Int32);
const cases = scan(casesPath).select(
  pl.col('id').cast(pl.Utf8),
  pl.col('arm').cast(pl.Utf8),
  day('start_date').alias('s'),
);
const offences = scan(offencesPath).select(
  pl.col('id').cast(pl.Utf8),
  day('offence_date').alias('od'),
  day('disposal_date').alias('dd'),
  pl.col('disposal_type').cast(pl.Utf8).str.toLowerCase().alias('t'),
);
const asOf = offences.select(pl.col('dd').max().alias('as_of')).collectSync().getColumn('as_of').get(0);
const per = offences
  .join(cases, { on: 'id' })
  .filter(
    pl
      .col('od')
      .gt(pl.col('s'))
      .and(pl.col('od').ltEq(pl.col('s').add(FU)))
      .and(pl.col('t').isIn(['breach', 'other']).not())
      .and(pl.col('dd').ltEq(pl.col('s').add(FU + WAIT))),
  )
  .groupBy('id')
  .agg(pl.len().alias('k'));
const out = cases
  .join(per, { on: 'id', how: 'left' })
  .withColumns(
    pl.col('k').fillNull(0),
    pl
      .lit(asOf)
      .gtEq(pl.col('s').add(FU + WAIT))
      .alias('m'),
  )
  .groupBy('arm')
  .agg(
    pl.len().alias('n_cohort'),
    pl.col('m').sum().alias('n_measurable'),
    pl.col('m').not().sum().alias('n_pending'),
    pl.col('m').and(pl.col('k').gt(0)).sum().alias('reoffenders'),
    pl.col('k').filter(pl.col('m')).sum().alias('reoffences'),
  )
  .sort('arm')
  .collectSync();
process.stdout.write(out.writeCSV().toString());
