#!/usr/bin/env node
// Peers for `pilot-eval reoffending` (its JavaScript engine, and `--engine duckdb`): DuckDB
// (bench/peers/duckdb-reoffending.sql through @duckdb/node-api, one thread) and polars (nodejs-polars, lazy; installed on demand into
// bench/.peers, skipped with a message when it cannot be), on the same files as CSV and as Parquet.
// Paired, interleaved runs: each repetition runs every tool once, one after the other, so the
// machine's load (shared, noisy) weighs on all of them alike; CPU time (user + sys, GNU time) is
// compared, not wall time, and each ratio is the median over repetitions of the paired ratio.
// The per-arm counts (n_cohort, n_measurable, n_pending, reoffenders, reoffences) of every peer
// must equal pilot-eval's to the last digit, or the run fails.
//
// Usage: npm run build && node bench/peers/run.mjs [--sizes 100000,1000000,5000000]
//          [--reps 3 | --reps 3,3,1 (per size)] [--data-dir bench/data] [--out bench/peers/results.json] [--no-polars]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const cli = join(root, 'bin', 'pilot-eval');
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i].slice(2);
  if (a.startsWith('no-')) args[a] = true;
  else args[a] = process.argv[++i];
}
const sizes = (args.sizes ?? '100000,1000000,5000000').split(',').map(Number);
// --reps 3 (every size) or one count per size (3,3,1).
const repList = String(args.reps ?? 3)
  .split(',')
  .map(Number);
const repsFor = (i) => repList[Math.min(i, repList.length - 1)];
const dataDir = resolve(args['data-dir'] ?? join(root, 'bench', 'data'));
const outPath = resolve(args.out ?? join(here, 'results.json'));
const timeFile = join(tmpdir(), `pilot-eval-peers-time-${process.pid}.txt`);
const COUNTS = ['n_cohort', 'n_measurable', 'n_pending', 'reoffenders', 'reoffences'];

function run(cmd, argv) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) return { ok: false, status: r.status, stderr: r.stderr };
  const [wall, user, sys, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return {
    ok: true,
    wall,
    cpu: +(user + sys).toFixed(2),
    rss_mb: Math.round(kb / 1024),
    load: +load.toFixed(2),
    stdout: r.stdout,
  };
}

/** Per-arm counts from pilot-eval's JSON or a peer's CSV. */
function countsOf(tool, stdout) {
  if (tool.startsWith('pilot-eval'))
    return JSON.parse(stdout).groups.map((g) => [g.group.arm, ...COUNTS.map((c) => g[c])].join(','));
  const [head, ...rows] = stdout
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return rows.map((r) =>
    ['arm', ...COUNTS].map((c) => (c === 'arm' ? r[head.indexOf(c)] : Number(r[head.indexOf(c)]))).join(','),
  );
}

function ensureParquet(dir) {
  for (const t of ['cases', 'offences']) {
    if (existsSync(join(dir, `${t}.parquet`))) continue;
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const con = await (await DuckDBInstance.create(':memory:')).connect();
      await con.run("COPY (SELECT * FROM read_csv('${join(dir, `${t}.csv`)}', header = true)) TO '${join(dir, `${t}.parquet`)}' (FORMAT parquet)");
    `,
        '--input-type=module',
      ],
      { stdio: 'inherit', cwd: root },
    );
    if (r.status !== 0) throw new Error(`could not write ${t}.parquet with DuckDB`);
  }
}

let polars = !args['no-polars'];
if (polars && !existsSync(join(root, 'bench', '.peers', 'node_modules', 'nodejs-polars'))) {
  process.stderr.write('installing nodejs-polars@0.26.1 into bench/.peers ...\n');
  const r = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      join(root, 'bench', '.peers'),
      '--no-save',
      '--no-package-lock',
      'nodejs-polars@0.26.1',
      `nodejs-polars-${process.platform}-${process.arch}-gnu@0.26.1`,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) {
    polars = false;
    console.log('polars skipped: nodejs-polars could not be installed into bench/.peers (see the npm output above)');
  }
}
const duck =
  spawnSync(process.execPath, ['-e', "import('@duckdb/node-api').then(() => process.exit(0), () => process.exit(1))"], {
    cwd: root,
  }).status === 0;
if (!duck)
  console.log(
    'DuckDB skipped: @duckdb/node-api (an optional dependency) is not installed or its binary does not load here',
  );

/** pilot-eval `reoffending` with the engine named explicitly (the default, auto, picks by input). */
const pilotEval = (engine, fmt) => [
  `pilot-eval${engine === 'js' ? '' : ` ${engine}`} ${fmt}`,
  process.execPath,
  (c, o) => [cli, 'reoffending', '--cases', c, '--offences', o, '--by', 'arm', '--json', '--engine', engine],
  fmt,
];

const results = [];
const ratios = [];
for (const [sizeIndex, n] of sizes.entries()) {
  const reps = repsFor(sizeIndex);
  const dir = join(dataDir, `p${n}`);
  if (!existsSync(join(dir, 'cases.csv'))) {
    const g = spawnSync(
      process.execPath,
      [join(root, 'bench', 'gen-reoffending.mjs'), '--people', String(n), '--seed', '1', '--out-dir', dir],
      { stdio: 'inherit' },
    );
    if (g.status !== 0) throw new Error('data generation failed');
  }
  if (duck) ensureParquet(dir);
  const f = (fmt) => [join(dir, `cases.${fmt}`), join(dir, `offences.${fmt}`)];
  const tools = [
    pilotEval('js', 'csv'),
    ...(duck ? [pilotEval('duckdb', 'csv')] : []),
    ...(duck ? [['duckdb csv', process.execPath, (c, o) => [join(here, 'duckdb-run.mjs'), c, o], 'csv']] : []),
    ...(polars ? [['polars csv', process.execPath, (c, o) => [join(here, 'polars-run.mjs'), c, o], 'csv']] : []),
    ...(duck ? [pilotEval('js', 'parquet'), pilotEval('duckdb', 'parquet')] : []),
    ...(duck ? [['duckdb parquet', process.execPath, (c, o) => [join(here, 'duckdb-run.mjs'), c, o], 'parquet']] : []),
    ...(duck && polars
      ? [['polars parquet', process.execPath, (c, o) => [join(here, 'polars-run.mjs'), c, o], 'parquet']]
      : []),
  ];
  for (let rep = 0; rep < reps; rep++) {
    const byTool = {};
    let reference = null;
    for (const [tool, cmd, argv, fmt] of tools) {
      const m = run(cmd, argv(...f(fmt)));
      if (!m.ok)
        throw new Error(`${tool} at ${n} failed (exit ${m.status}): ${m.stderr.split('\n').slice(0, 5).join(' ')}`);
      const counts = countsOf(tool, m.stdout);
      if (reference === null) reference = counts;
      else if (JSON.stringify(counts) !== JSON.stringify(reference))
        throw new Error(`${tool} at ${n} disagrees with pilot-eval: ${counts.join(' | ')} vs ${reference.join(' | ')}`);
      delete m.stdout;
      delete m.ok;
      byTool[tool] = m;
      results.push({ n, rep, tool, ...m });
      process.stderr.write(
        `  ${String(n).padStart(9)} rep ${rep} ${tool.padEnd(19)} cpu ${m.cpu.toFixed(2).padStart(7)} s  wall ${m.wall.toFixed(2).padStart(7)} s  ${String(m.rss_mb).padStart(6)} MB  load ${m.load}\n`,
      );
    }
    for (const t of Object.keys(byTool))
      ratios.push({
        n,
        rep,
        tool: t,
        cpu_ratio_to_pilot_eval_csv: +(byTool[t].cpu / byTool['pilot-eval csv'].cpu).toFixed(3),
      });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = [];
for (const n of sizes) {
  for (const tool of [...new Set(results.filter((r) => r.n === n).map((r) => r.tool))]) {
    const rs = results.filter((r) => r.n === n && r.tool === tool);
    summary.push({
      n,
      tool,
      runs: rs.length,
      cpu_s_median: median(rs.map((r) => r.cpu)),
      wall_s_median: median(rs.map((r) => r.wall)),
      peak_rss_mb_max: Math.max(...rs.map((r) => r.rss_mb)),
      cpu_ratio_to_pilot_eval_csv: median(
        ratios.filter((r) => r.n === n && r.tool === tool).map((r) => r.cpu_ratio_to_pilot_eval_csv),
      ),
    });
  }
}
console.log('\n        n  tool                 cpu s   wall s  peak MB  cpu vs pilot-eval csv (paired median)');
for (const s of summary)
  console.log(
    `${String(s.n).padStart(9)}  ${s.tool.padEnd(19)} ${s.cpu_s_median.toFixed(2).padStart(6)}  ${s.wall_s_median.toFixed(2).padStart(7)}  ${String(s.peak_rss_mb_max).padStart(7)}  ${s.cpu_ratio_to_pilot_eval_csv.toFixed(2)}x`,
  );
console.log('counts (n_cohort, n_measurable, n_pending, reoffenders, reoffences per arm) equal in every run');
writeFileSync(
  outPath,
  JSON.stringify(
    {
      generated_at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      note: 'paired interleaved runs; CPU = user + sys; the machine was shared (see load)',
      summary,
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${outPath}`);
