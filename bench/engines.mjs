#!/usr/bin/env node
// Paired timing of `reoffending --engine js` against `--engine duckdb` on bench data
// (bench/gen-reoffending.mjs), CPU time (user + system) and peak RSS from /usr/bin/time, the
// engines alternated run by run so that all see the same load. The JSON of every pair must be
// byte-identical.
//   --by-hand   also runs the script `reoffending --emit-sql duckdb` prints, "by hand" through
//               @duckdb/node-api (bench/peers/duckdb-by-hand.mjs: both files loaded as tables, then
//               each statement), and checks its per-arm counts against the JSON
//   --parquet   also times every run on Parquet copies of the files (written once by DuckDB, with
//               the types it infers: DATE dates, DOUBLE severities)
// Usage: node bench/engines.mjs [--sizes 10000,100000,1000000] [--runs 3] [--dir /tmp/pe-engines]
//        [--by-hand] [--parquet]
// Needs a built dist/ (npm run build) and /usr/bin/time (GNU time).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const flags = new Set(
  argv.filter((a, i) => a.startsWith('--') && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))),
);
const args = Object.fromEntries(
  argv.reduce((acc, a, i, all) => (a.startsWith('--') && !flags.has(a) ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const sizes = (args.sizes ?? '10000,100000,1000000').split(',').map(Number);
const runs = Number(args.runs ?? 3);
const dir = args.dir ?? '/tmp/pe-engines';
const byHand = flags.has('--by-hand');
const formats = flags.has('--parquet') ? ['csv', 'parquet'] : ['csv'];
if (!existsSync('/usr/bin/time')) {
  console.log('skipped: needs GNU time at /usr/bin/time');
  process.exit(0);
}

function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %e %M', process.execPath, ...args], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const [user, sys, wall, kb] = r.stderr.toString().trim().split('\n').at(-1).split(' ').map(Number);
  return { cpu: user + sys, wall, mb: kb / 1024, out: r.stdout.toString() };
}

const engineRun = (engine) => (cases, offences) =>
  timed([
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
  ]);

function ensureParquet(d) {
  for (const t of ['cases', 'offences']) {
    if (existsSync(join(d, `${t}.parquet`))) continue;
    const code = `const { DuckDBInstance } = await import('@duckdb/node-api');
      const con = await (await DuckDBInstance.create(':memory:')).connect();
      await con.run("COPY (SELECT * FROM read_csv('${join(d, `${t}.csv`)}', header = true)) TO '${join(d, `${t}.parquet`)}' (FORMAT parquet)");`;
    execFileSync(process.execPath, ['--input-type=module', '-e', code]);
  }
}

/** The per-arm counts of the by-hand CSV output, as the JSON's groups give them. */
function byHandCounts(csv) {
  const [head, ...rows] = csv.trim().split('\n');
  const cols = head.split(',');
  const at = (name) => cols.indexOf(name);
  return rows.map((r) => {
    const v = r.split(',');
    return ['arm', 'n_cohort', 'n_measurable', 'n_pending', 'reoffenders', 'reoffences'].map((k) =>
      k === 'arm' ? v[at(k)] : Number(v[at(k)]),
    );
  });
}
function jsonCounts(json) {
  return JSON.parse(json).groups.map((g) => [
    g.group.arm,
    g.n_cohort,
    g.n_measurable,
    g.n_pending,
    g.reoffenders,
    g.reoffences,
  ]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const peers = [
  ['js', engineRun('js')],
  ['duckdb', engineRun('duckdb')],
];
console.log(
  `| people | input | ${peers.map(([n]) => `${n} CPU s`).join(' | ')}${byHand ? ' | by hand CPU s' : ''} | duckdb/js CPU${byHand ? ' | duckdb/by hand CPU' : ''} | ${peers.map(([n]) => `${n} peak MB`).join(' | ')}${byHand ? ' | by hand peak MB' : ''} |`,
);
console.log(`|---:|---|${'---:|'.repeat(peers.length * 2 + (byHand ? 4 : 1))}`);
for (const n of sizes) {
  const d = join(dir, String(n));
  if (!existsSync(join(d, 'offences.csv')))
    execFileSync(process.execPath, ['bench/gen-reoffending.mjs', '--people', String(n), '--seed', '1', '--out-dir', d]);
  if (formats.includes('parquet')) ensureParquet(d);
  const script = join(d, 'reoffending-duckdb.sql');
  if (byHand)
    writeFileSync(
      script,
      execFileSync(process.execPath, [
        'bin/pilot-eval',
        'reoffending',
        '--emit-sql',
        'duckdb',
        '--cases',
        join(d, 'cases.csv'),
        '--offences',
        join(d, 'offences.csv'),
        '--by',
        'arm',
      ]),
    );
  const all = [
    ...peers,
    ...(byHand ? [['by hand', (c, o) => timed(['bench/peers/duckdb-by-hand.mjs', script, c, o])]] : []),
  ];
  for (const fmt of formats) {
    const cases = join(d, `cases.${fmt}`);
    const offences = join(d, `offences.${fmt}`);
    const times = all.map(() => []);
    for (let k = 0; k < runs; k++) {
      // Rotate which runs first, so that none always meets a warm or cold cache.
      const order = all.map((_, i) => (i + k) % all.length);
      const res = [];
      for (const i of order) res[i] = all[i][1](cases, offences);
      if (res[0].out !== res[1].out) throw new Error(`the engines' JSON differs at ${n} people (${fmt})`);
      if (byHand && JSON.stringify(byHandCounts(res[2].out)) !== JSON.stringify(jsonCounts(res[0].out)))
        throw new Error(`the by-hand counts differ from the JSON at ${n} people (${fmt})`);
      res.forEach((r, i) => times[i].push(r));
    }
    const m = (i, key) => median(times[i].map((x) => x[key]));
    const cells = [
      ...all.map((_, i) => m(i, 'cpu').toFixed(2)),
      (m(1, 'cpu') / m(0, 'cpu')).toFixed(2),
      ...(byHand ? [(m(1, 'cpu') / m(2, 'cpu')).toFixed(2)] : []),
      ...all.map((_, i) => m(i, 'mb').toFixed(0)),
    ];
    console.log(`| ${n} | ${fmt} | ${cells.join(' | ')} |`);
  }
}
