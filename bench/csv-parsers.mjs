#!/usr/bin/env node
// The CSV parser choice (docs/decisions/0001-papaparse.md), re-measured: papaparse (a dependency)
// against csv-parse and fast-csv (not dependencies: install them elsewhere and point LIBS there).
// Every parser streams both files, counts rows and does no other work; median of 3 runs after a
// warm-up, in one process.
//   npm install --prefix /tmp/dist-libs csv-parse fast-csv
//   node bench/gen-reoffending.mjs --people 200000 --offences 300000 --seed 1 --out-dir /tmp/p200k
//   npm run build && LIBS=/tmp/dist-libs node bench/csv-parsers.mjs /tmp/p200k
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { readCsv } from '../dist/io/csv-reader.js';

const dir = resolve(process.argv[2] ?? '/tmp/p200k');
const files = [join(dir, 'cases.csv'), join(dir, 'offences.csv')];
const libs = resolve(process.env.LIBS ?? '/tmp/dist-libs');
const require = createRequire(join(libs, 'package.json'));
const { parse } = require('csv-parse');
const fastCsv = require('fast-csv');
const version = (name) => JSON.parse(readFileSync(join(libs, 'node_modules', name, 'package.json'), 'utf8')).version;

const papa = (path) =>
  new Promise((res, rej) => {
    let rows = 0;
    Papa.parse(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 18 }), {
      delimiter: ',',
      chunk: (r) => (rows += r.data.length),
      complete: () => res(rows),
      error: rej,
    });
  });
const ours = async (path) => {
  let rows = 0;
  await readCsv(
    path,
    {},
    () => undefined,
    (b) => (rows += b.fields.length),
  );
  return rows;
};
const csvParse = async (path) => {
  let rows = 0;
  for await (const _ of createReadStream(path, { highWaterMark: 1 << 18 }).pipe(parse())) rows++;
  return rows;
};
const fast = (path) =>
  new Promise((res, rej) => {
    let rows = 0;
    createReadStream(path, { highWaterMark: 1 << 18 })
      .pipe(fastCsv.parse())
      .on('data', () => rows++)
      .on('end', () => res(rows))
      .on('error', rej);
  });

const readers = [
  ['papaparse 5 (streaming, 256 KiB chunks)', papa],
  ['readCsv (papaparse + line numbers + checks)', ours],
  [`csv-parse ${version('csv-parse')} (stream, async iterator)`, csvParse],
  [`fast-csv ${version('fast-csv')} (stream)`, fast],
];
for (const [name, fn] of readers) {
  for (const f of files) await fn(f);
  const times = [];
  let rows = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    rows = 0;
    for (const f of files) rows += await fn(f);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(46)} ${rows.toLocaleString('en-GB').padStart(9)} rows  median ${times[1].toFixed(2)} s  (${times.map((t) => t.toFixed(2)).join(', ')})`,
  );
}
