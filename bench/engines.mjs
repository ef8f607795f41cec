#!/usr/bin/env node
// Paired timing of `reoffending --engine js` against `--engine duckdb` on bench data
// (bench/gen-reoffending.mjs), CPU time (user + system) and peak RSS from /usr/bin/time, the two
// engines alternated run by run so that both see the same load. The JSON of every pair must be
// byte-identical. Usage: node bench/engines.mjs [--sizes 10000,100000,1000000] [--runs 3] [--dir /tmp/pe-engines]
// Needs a built dist/ (npm run build) and /usr/bin/time (GNU time).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const sizes = (args.sizes ?? '10000,100000,1000000').split(',').map(Number);
const runs = Number(args.runs ?? 3);
const dir = args.dir ?? '/tmp/pe-engines';
if (!existsSync('/usr/bin/time')) {
  console.log('skipped: needs GNU time at /usr/bin/time');
  process.exit(0);
}

function once(engine, cases, offences) {
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%U %S %e %M',
      process.execPath,
      'bin/pilot-eval',
      'reoffending',
      '--cases',
      cases,
      '--offences',
      offences,
      '--by',
      'arm',
      '--json',
      '--engine',
      engine,
    ],
    { maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`${engine} failed: ${r.stderr}`);
  const [user, sys, wall, kb] = r.stderr.toString().trim().split('\n').at(-1).split(' ').map(Number);
  return { cpu: user + sys, wall, mb: kb / 1024, json: r.stdout.toString() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  '| people | offences | JS CPU s | DuckDB CPU s | DuckDB/JS CPU | JS wall s | DuckDB wall s | JS peak MB | DuckDB peak MB |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const n of sizes) {
  const d = join(dir, String(n));
  if (!existsSync(join(d, 'offences.csv')))
    execFileSync(process.execPath, ['bench/gen-reoffending.mjs', '--people', String(n), '--seed', '1', '--out-dir', d]);
  const cases = join(d, 'cases.csv');
  const offences = join(d, 'offences.csv');
  const js = [];
  const db = [];
  for (let k = 0; k < runs; k++) {
    // Alternate which engine goes first, so neither always meets a warm or cold cache.
    const pair =
      k % 2 === 0
        ? [once('js', cases, offences), once('duckdb', cases, offences)]
        : [once('duckdb', cases, offences), once('js', cases, offences)].reverse();
    if (pair[0].json !== pair[1].json) throw new Error(`the engines' JSON differs at ${n} people`);
    js.push(pair[0]);
    db.push(pair[1]);
  }
  const offencesCount = readFileSync(offences, 'utf8').split('\n').length - 2;
  const m = (xs, k) => median(xs.map((x) => x[k]));
  console.log(
    `| ${n} | ${offencesCount} | ${m(js, 'cpu').toFixed(2)} | ${m(db, 'cpu').toFixed(2)} | ${(m(db, 'cpu') / m(js, 'cpu')).toFixed(2)} | ${m(js, 'wall').toFixed(2)} | ${m(db, 'wall').toFixed(2)} | ${m(js, 'mb').toFixed(0)} | ${m(db, 'mb').toFixed(0)} |`,
  );
}
