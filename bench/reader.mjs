#!/usr/bin/env node
// How long does it take just to read the inputs? Times, in this process, reading cases.csv + offences.csv
// row by row with:
//   1. papaparse 5 streaming (chunk mode, no per-row work) with 256 KiB and 1 MiB chunks: the parser's own cost;
//   2. src/io/csv-reader.ts readCsv (papaparse + exact physical line numbers + NUL/UTF-8/quote checks);
//   3. line split on ',' (not RFC 4180: no quotes, no line numbers for quoted breaks): a floor.
//   4. csv-parse 6, only when it is installed (it is not a dependency).
// Usage: npm run build && node bench/reader.mjs [DIR]   (DIR default: bench/data/p1000000)
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { readCsv } from '../dist/io/csv-reader.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, 'data', 'p1000000'));
const files = [join(dir, 'cases.csv'), join(dir, 'offences.csv')];

function papaRows(path, highWaterMark) {
  return new Promise((res, rej) => {
    let rows = 0;
    Papa.parse(createReadStream(path, { encoding: 'utf8', highWaterMark }), {
      delimiter: ',',
      chunk: (r) => {
        rows += r.data.length;
      },
      complete: () => res(rows),
      error: rej,
    });
  });
}

async function ourRows(path) {
  let rows = 0;
  await readCsv(
    path,
    {},
    () => undefined,
    (b) => {
      rows += b.fields.length;
    },
  );
  return rows;
}

async function splitRows(path) {
  let rows = 0;
  const rl = createInterface({
    input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  for await (const line of rl) if (line.split(',').length > 0) rows++;
  return rows;
}

async function csvParseRows(path) {
  const { parse } = await import('csv-parse');
  let rows = 0;
  for await (const _ of createReadStream(path).pipe(parse({ relax_column_count: false }))) rows++;
  return rows;
}

const readers = [
  ['papaparse 5 raw, 256 KiB chunks', (p) => papaRows(p, 1 << 18)],
  ['papaparse 5 raw, 1 MiB chunks', (p) => papaRows(p, 1 << 20)],
  ['readCsv (papaparse + lines + checks)', ourRows],
  ['split on "," (not RFC 4180, floor)', splitRows],
];
try {
  await import('csv-parse');
  readers.push(['csv-parse 6', csvParseRows]);
} catch {
  console.log('csv-parse is not installed: skipped (npm i --no-save csv-parse to include it)');
}
for (const [name, fn] of readers) {
  for (const f of files) await fn(f); // warm-up: JIT and page cache
  const t0 = process.hrtime.bigint();
  let rows = 0;
  for (const f of files) rows += await fn(f);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name.padEnd(40)} ${rows.toLocaleString('en-GB').padStart(10)} rows  ${s.toFixed(2)} s`);
}
