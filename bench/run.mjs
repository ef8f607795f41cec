#!/usr/bin/env node
// `npm run bench`: the scale benchmark (GitHub issue 8). Not a test: it times whole processes.
//
//   1. Generates seeded data (bench/gen-reoffending.mjs) at 10k, 100k and 1M people with 1.5
//      offences each, under bench/data/p<N>/ (git-ignored; reused when already there).
//   2. Times, as separate processes under GNU time (wall, user+sys CPU, peak RSS):
//      import, reoffending, analyse (binary outcome, covariates age + ogrs3, cluster team),
//      survival (analyse of days_to_reoffence: Kaplan-Meier, log-rank, adjusted Cox),
//      randomise (block on site; minimise on site x sex x stratum), report (concept 1, json) and,
//      once, power --simulate 2000 (40 teams of 25).
//   3. Where R is installed, runs the equivalent R pipelines on the same files: data.table
//      (bench/reoffending.R), readr + dplyr (bench/reoffending-dplyr.R), glm + sandwich + lme4
//      (bench/analyse.R), survival (bench/survival.R) and the glm + vcovCL simulation loop
//      (bench/power-simulate.R); the data.table ones share bench/proven-dt.R for reading and the
//      MoJ rule. It checks that they agree with pilot-eval and prints the time ratios. Without R
//      it says so and skips them.
//   4. With the `peers` stage, runs DuckDB and polars beside `reoffending` (bench/peers/run.mjs).
//   5. Prints a table, the growth exponent of each stage (slope of log time on log n), and writes
//      bench/results.json.
//
// Usage: npm run build && npm run bench -- [--sizes 10000,100000,1000000] [--reps 1] [--no-r]
//          [--stages import,reoffending,analyse,survival,randomise-block,randomise-minimise,report,power]
//          [--data-dir bench/data] [--out bench/results.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const cli = join(root, 'bin', 'pilot-eval');

const args = parseArgs(process.argv.slice(2));
const sizes = (args.sizes ?? '10000,100000,1000000').split(',').map(Number);
const reps = Number(args.reps ?? 1);
const dataDir = resolve(args['data-dir'] ?? join(here, 'data'));
const outDir = resolve(join(here, 'out'));
const resultsPath = resolve(args.out ?? join(here, 'results.json'));
const ALL_STAGES = [
  'import',
  'reoffending',
  'analyse',
  'survival',
  'randomise-block',
  'randomise-minimise',
  'report',
  'power',
  'peers',
];
const stages = (args.stages ?? ALL_STAGES.join(',')).split(',');
for (const s of stages) if (!ALL_STAGES.includes(s)) fail(`unknown stage ${s} (stages: ${ALL_STAGES.join(', ')})`);
const SEED = 1;

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) fail(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (key.startsWith('no-')) out[key] = true;
    else out[key] = argv[++i];
  }
  return out;
}

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) fail('build first: npm run build');
const gnuTime = spawnSync('/usr/bin/time', ['-f', '%e', 'true'], { encoding: 'utf8' }).status === 0;
if (!gnuTime)
  process.stderr.write(
    'bench: GNU /usr/bin/time not found: wall and CPU are measured from here, peak RSS is not available\n',
  );

// --- R -------------------------------------------------------------------------------------------
function rHas(pkgs) {
  const r = spawnSync(
    'Rscript',
    [
      '-e',
      `quit(status = if (all(sapply(c(${pkgs.map((p) => `'${p}'`).join(',')}), requireNamespace, quietly = TRUE))) 0 else 1)`,
    ],
    { encoding: 'utf8' },
  );
  return r.status === 0;
}
let rVersion = null;
const rPkgs = {};
if (!args['no-r']) {
  const v = spawnSync('Rscript', ['--version'], { encoding: 'utf8' });
  if (v.status === 0) {
    rVersion = /version ([\d.]+)/.exec(v.stdout + v.stderr)?.[1] ?? 'unknown';
    for (const [name, pkgs] of Object.entries({
      datatable: ['data.table'],
      dplyr: ['readr', 'dplyr'],
      analyse: ['data.table', 'sandwich', 'lme4'],
      survival: ['data.table', 'survival'],
      power: ['sandwich'],
    }))
      rPkgs[name] = rHas(pkgs);
  }
}
if (rVersion === null)
  console.log(
    args['no-r']
      ? 'R pipelines skipped (--no-r).'
      : 'R is not installed (no Rscript on PATH): the R pipelines are skipped.',
  );
else {
  const missing = Object.entries(rPkgs)
    .filter(([, ok]) => !ok)
    .map(([k]) => k);
  console.log(`R ${rVersion}${missing.length ? `; missing packages, skipped: ${missing.join(', ')}` : ''}`);
}

// --- measurement ---------------------------------------------------------------------------------
const timeFile = join(tmpdir(), `pilot-eval-bench-time-${process.pid}.txt`);
function runOnce(cmd, argv) {
  const la = loadavg()[0];
  let r;
  let wall;
  let cpu = null;
  let rssMb = null;
  if (gnuTime) {
    r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...argv], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const [w, u, s, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    wall = w;
    cpu = +(u + s).toFixed(2);
    rssMb = Math.round(kb / 1024);
  } else {
    const t0 = process.hrtime.bigint();
    r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
    wall = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${argv.join(' ')} exited ${r.status}:\n${(r.stderr ?? '').split('\n').slice(0, 8).join('\n')}`,
    );
  }
  return { wall, cpu, rssMb, load: +la.toFixed(2), stdout: r.stdout };
}

/** Runs `reps` times and keeps the run with the median wall time. */
function measure(cmd, argv) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    try {
      runs.push(runOnce(cmd, argv));
    } catch (err) {
      // One failing stage is reported and the rest of the suite still runs.
      process.stderr.write(`bench: ${err.message}\n`);
      failures.push(err.message.split('\n')[0]);
      return null;
    }
  }
  runs.sort((a, b) => a.wall - b.wall);
  return runs[Math.floor((runs.length - 1) / 2)];
}

// --- data ----------------------------------------------------------------------------------------
function ensureData(n) {
  const dir = join(dataDir, `p${n}`);
  const meta = join(dir, 'meta.json');
  const want = JSON.stringify({
    people: n,
    offences: Math.round(n * 1.5),
    seed: SEED,
    generator: readFileSync(join(here, 'gen-reoffending.mjs'), 'utf8').length,
  });
  if (
    existsSync(meta) &&
    readFileSync(meta, 'utf8') === want &&
    existsSync(join(dir, 'cases.csv')) &&
    existsSync(join(dir, 'offences.csv'))
  )
    return dir;
  process.stderr.write(`generating ${n} people ...\n`);
  const r = spawnSync(
    process.execPath,
    [
      join(here, 'gen-reoffending.mjs'),
      '--people',
      String(n),
      '--offences',
      String(Math.round(n * 1.5)),
      '--seed',
      String(SEED),
      '--out-dir',
      dir,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) fail('data generation failed');
  writeFileSync(meta, want);
  return dir;
}

// --- agreement checks ----------------------------------------------------------------------------
const REO_FIELDS = [
  'n_cohort',
  'n_measurable',
  'n_pending',
  'reoffenders',
  'binary_rate',
  'reoffences',
  'frequency_per_offender',
  'frequency_per_reoffender',
  'median_days_to_first',
  'severity_per_offender',
];
function close(a, b, rel) {
  if (a === null || b === null || a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a));
}
function checkReoffending(nodeOut, rOut, tool) {
  const node = JSON.parse(nodeOut).groups.map((g) => ({
    arm: g.group.arm,
    ...Object.fromEntries(REO_FIELDS.map((f) => [f, g[f]])),
  }));
  const [head, ...rows] = rOut
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const r = rows.map((row) =>
    Object.fromEntries(head.map((h, i) => [h, h === 'arm' ? row[i] : row[i] === 'NA' ? null : Number(row[i])])),
  );
  for (let i = 0; i < node.length; i++) {
    for (const f of REO_FIELDS) {
      if (!close(node[i][f], r[i]?.[f], 1e-9))
        throw new Error(`${tool} disagrees with pilot-eval on ${node[i].arm} ${f}: ${r[i]?.[f]} vs ${node[i][f]}`);
    }
  }
  return 'agree (1e-9)';
}
function checkSurvival(nodeOut, rOut) {
  const effects = JSON.parse(nodeOut).effects;
  const km = (arm) =>
    [90, 182, 365].map((d) => effects.find((e) => e.measure === `km_survival_${d}` && e.arm === arm)?.estimate);
  const hr = effects.find((e) => e.measure === 'hazard_ratio');
  const lr = effects.find((e) => e.measure === 'logrank');
  const r = JSON.parse(rOut.trim().split('\n').pop());
  const pairs = [
    ...km('control').map((v, i) => [`KM control day ${[90, 182, 365][i]}`, v, r.km_control[i], 1e-9]),
    ...km('treatment').map((v, i) => [`KM treatment day ${[90, 182, 365][i]}`, v, r.km_treatment[i], 1e-9]),
    ['log-rank chi-square', lr.statistic, r.logrank_chisq, 1e-6],
    ['log-rank p', lr.p_value, r.logrank_p, 1e-6],
    ['hazard ratio (Cox, Efron, adjusted)', hr.estimate, r.hazard_ratio, 1e-6],
    ['SE of log HR', hr.std_error, r.log_hr_se, 1e-6],
  ];
  const bad = pairs.filter(([, a, b, tol]) => !close(a, b, tol));
  if (bad.length)
    throw new Error(
      `bench/survival.R disagrees with pilot-eval: ${bad.map(([k, a, b]) => `${k} ${b} vs ${a}`).join('; ')}`,
    );
  return 'agree (KM to 1e-9; log-rank, HR, SE to 1e-6)';
}
function checkAnalyse(nodeOut, rOut) {
  const e = Object.fromEntries(JSON.parse(nodeOut).effects.map((x) => [x.measure, x]));
  const r = JSON.parse(rOut.trim().split('\n').pop());
  const pairs = [
    ['risk_difference', e.risk_difference.estimate, r.risk_difference, 1e-6],
    ['risk_difference p', e.risk_difference.p_value, r.risk_difference_p, 1e-6],
    ['fisher p', e.fisher_exact.p_value, r.fisher_p, 1e-4],
    ['adjusted OR', e.adjusted_odds_ratio.estimate, r.adjusted_odds_ratio, 1e-4],
    ['adjusted SE', e.adjusted_odds_ratio.std_error, r.adjusted_se, 1e-4],
    ['cluster-robust SE', e.cluster_robust_odds_ratio.std_error, r.cluster_robust_se, 1e-4],
    ['cluster-level RD', e.cluster_level_risk_difference.estimate, r.cluster_level_risk_difference, 1e-6],
  ];
  const bad = pairs.filter(([, a, b, tol]) => !close(a, b, tol));
  if (bad.length)
    throw new Error(
      `bench/analyse.R disagrees with pilot-eval: ${bad.map(([k, a, b]) => `${k} ${b} vs ${a}`).join('; ')}`,
    );
  // The ICC: a relative difference, unless both are (near) zero (a singular fit: lmer stops at
  // ~1e-12 where pilot-eval's REML reaches 0); then the absolute difference.
  let icc = '';
  if (r.icc !== null && !Number.isNaN(r.icc)) {
    const diff = Math.abs(e.icc.estimate - r.icc);
    icc =
      Math.max(Math.abs(r.icc), Math.abs(e.icc.estimate)) < 1e-6
        ? `; ICC both ~0, abs. diff ${diff.toExponential(1)}`
        : `; ICC rel. diff ${(diff / Math.abs(r.icc)).toExponential(1)}`;
  }
  return `agree (RD, p, OR, SEs to 1e-4${icc})`;
}

// --- stages --------------------------------------------------------------------------------------
mkdirSync(outDir, { recursive: true });
const results = [];
const checks = [];
const failures = [];
function record(stage, n, tool, m, extra = {}) {
  if (m === null) return null;
  const row = { stage, n, tool, wall_s: m.wall, cpu_s: m.cpu, peak_rss_mb: m.rssMb, load_before: m.load, ...extra };
  results.push(row);
  process.stderr.write(
    `  ${stage.padEnd(19)} ${String(n).padStart(8)} ${tool.padEnd(18)} ${m.wall.toFixed(2).padStart(7)} s\n`,
  );
  return row;
}

for (const n of sizes) {
  const dir = ensureData(n);
  const cases = join(dir, 'cases.csv');
  const offences = join(dir, 'offences.csv');
  const o = join(outDir, `p${n}`);
  rmSync(o, { recursive: true, force: true });
  mkdirSync(o, { recursive: true });
  if (stages.includes('import')) {
    record(
      'import',
      n,
      'pilot-eval',
      measure(cli, ['import', '--cases', cases, '--offences', offences, '--out-dir', join(o, 'import'), '--json']),
    );
  }
  if (stages.includes('reoffending')) {
    const m = measure(cli, ['reoffending', '--cases', cases, '--offences', offences, '--by', 'arm', '--json']);
    record('reoffending', n, 'pilot-eval', m);
    if (rVersion && rPkgs.datatable) {
      const r = measure('Rscript', [join(here, 'reoffending.R'), dir]);
      record('reoffending', n, 'R data.table', r);
      if (m && r)
        checks.push({
          stage: 'reoffending',
          n,
          tool: 'R data.table',
          result: checkReoffending(m.stdout, r.stdout, 'R data.table'),
        });
    }
    if (rVersion && rPkgs.dplyr) {
      const r = measure('Rscript', [join(here, 'reoffending-dplyr.R'), dir]);
      record('reoffending', n, 'R readr+dplyr', r);
      if (m && r)
        checks.push({
          stage: 'reoffending',
          n,
          tool: 'R readr+dplyr',
          result: checkReoffending(m.stdout, r.stdout, 'R readr+dplyr'),
        });
    }
  }
  if (stages.includes('analyse')) {
    const m = measure(cli, [
      'analyse',
      cases,
      '--offences',
      offences,
      '--outcome',
      'reoffended',
      '--covariates',
      'age,ogrs3',
      '--cluster',
      'team',
      '--json',
    ]);
    record('analyse', n, 'pilot-eval', m);
    if (rVersion && rPkgs.datatable) {
      // Reading + derivation + glm + vcovCL only (the part that compares with data.table speed) ...
      const r = measure('Rscript', [join(here, 'analyse.R'), dir, '--no-lmer']);
      record('analyse', n, 'R dt+glm+sandwich', r);
      if (m && r)
        checks.push({ stage: 'analyse', n, tool: 'R dt+glm+sandwich', result: checkAnalyse(m.stdout, r.stdout) });
      // ... and everything pilot-eval reports, including the REML ICC (lme4::lmer).
      if (rPkgs.analyse) {
        const r2 = measure('Rscript', [join(here, 'analyse.R'), dir]);
        record('analyse', n, 'R ... + lmer ICC', r2);
        if (m && r2)
          checks.push({ stage: 'analyse', n, tool: 'R ... + lmer ICC', result: checkAnalyse(m.stdout, r2.stdout) });
      }
    }
  }
  if (stages.includes('survival')) {
    const m = measure(cli, [
      'analyse',
      cases,
      '--offences',
      offences,
      '--outcome',
      'days_to_reoffence',
      '--covariates',
      'age,ogrs3',
      '--json',
    ]);
    record('survival', n, 'pilot-eval', m);
    if (rVersion && rPkgs.survival) {
      const r = measure('Rscript', [join(here, 'survival.R'), dir]);
      record('survival', n, 'R dt+survival', r);
      if (m && r)
        checks.push({ stage: 'survival', n, tool: 'R dt+survival', result: checkSurvival(m.stdout, r.stdout) });
    }
  }
  if (stages.includes('randomise-block')) {
    record(
      'randomise-block',
      n,
      'pilot-eval',
      measure(cli, [
        'randomise',
        cases,
        '--method',
        'block',
        '--block',
        'site',
        '--seed',
        '1',
        '--out',
        join(o, 'block.csv'),
        '--json',
      ]),
    );
  }
  if (stages.includes('randomise-minimise')) {
    record(
      'randomise-minimise',
      n,
      'pilot-eval',
      measure(cli, [
        'randomise',
        cases,
        '--method',
        'minimise',
        '--factors',
        'site,sex,stratum',
        '--seed',
        '1',
        '--out',
        join(o, 'min.csv'),
        '--json',
      ]),
    );
  }
  if (stages.includes('report')) {
    record(
      'report',
      n,
      'pilot-eval',
      measure(cli, [
        'report',
        '--concept',
        '1',
        '--stage',
        'efficacy',
        '--cases',
        cases,
        '--offences',
        offences,
        '--format',
        'json',
        '--out',
        join(o, 'report.json'),
        '--json',
      ]),
    );
  }
}
if (stages.includes('power')) {
  // Size-independent: 2000 simulated trials of 40 teams of 25 (n is the number of replicates).
  const m = measure(cli, [
    'power',
    '--outcome',
    'binary',
    '--p1',
    '0.35',
    '--p2',
    '0.288',
    '--icc',
    '0.027',
    '--cluster-size',
    '25',
    '--n',
    '500',
    '--simulate',
    '2000',
    '--seed',
    '1',
    '--sim-analysis',
    'logistic',
    '--json',
  ]);
  record('power --simulate', 2000, 'pilot-eval', m);
  if (rVersion && rPkgs.power)
    record('power --simulate', 2000, 'R glm+vcovCL loop', measure('Rscript', [join(here, 'power-simulate.R'), '2000']));
}

if (stages.includes('peers')) {
  // DuckDB and polars beside `reoffending` on the same files (CSV and Parquet), paired runs, CPU
  // ratios, counts checked equal: bench/peers/run.mjs, results in bench/peers/results.json.
  const r = spawnSync(
    process.execPath,
    [join(here, 'peers', 'run.mjs'), '--sizes', sizes.join(','), '--reps', String(reps), '--data-dir', dataDir],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) failures.push(`bench/peers/run.mjs exited ${r.status}`);
}

// --- summary -------------------------------------------------------------------------------------
/** Least-squares slope of log(y) on log(n): 1 = linear growth. */
function exponent(points) {
  const p = points.filter(([x, y]) => x > 0 && y > 0);
  if (p.length < 2) return null;
  const lx = p.map(([x]) => Math.log(x));
  const ly = p.map(([, y]) => Math.log(y));
  const mx = lx.reduce((a, b) => a + b) / p.length;
  const my = ly.reduce((a, b) => a + b) / p.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < p.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  return +(sxy / sxx).toFixed(3);
}
const growth = [];
for (const stage of [...new Set(results.map((r) => r.stage))]) {
  for (const tool of [...new Set(results.filter((r) => r.stage === stage).map((r) => r.tool))]) {
    const rows = results.filter((r) => r.stage === stage && r.tool === tool).sort((a, b) => a.n - b.n);
    if (rows.length < 2) continue;
    const top = rows.slice(-2);
    growth.push({
      stage,
      tool,
      exponent_wall: exponent(rows.map((r) => [r.n, r.wall_s])),
      exponent_cpu: exponent(rows.map((r) => [r.n, r.cpu_s])),
      // The last decade only: start-up costs (~0.3 s per process) flatten the small sizes.
      exponent_wall_last_decade: exponent(top.map((r) => [r.n, r.wall_s])),
    });
  }
}
for (const r of results) {
  if (r.tool === 'pilot-eval') continue;
  const node = results.find((x) => x.stage === r.stage && x.n === r.n && x.tool === 'pilot-eval');
  if (node) r.ratio_to_pilot_eval = +(r.wall_s / node.wall_s).toFixed(2);
}

const fmt = (v, d = 2) => (v === null || v === undefined ? '-' : typeof v === 'number' ? v.toFixed(d) : String(v));
const header = ['stage', 'n', 'tool', 'wall s', 'cpu s', 'peak MB', 'R/node'];
const lines = results.map((r) => [
  r.stage,
  r.n.toLocaleString('en-GB'),
  r.tool,
  fmt(r.wall_s),
  fmt(r.cpu_s),
  fmt(r.peak_rss_mb, 0),
  r.ratio_to_pilot_eval === undefined ? '' : `${fmt(r.ratio_to_pilot_eval)}x`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const show = (cells) => cells.map((c, i) => (i <= 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log('\n' + show(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(show(l));
if (growth.length) {
  console.log('\ngrowth exponent (slope of log time on log n; 1 = linear)');
  for (const g of growth)
    console.log(
      `  ${g.stage.padEnd(19)} ${g.tool.padEnd(18)} wall ${fmt(g.exponent_wall)}  cpu ${fmt(g.exponent_cpu)}  last decade (wall) ${fmt(g.exponent_wall_last_decade)}`,
    );
}
if (checks.length) {
  console.log('\nagreement with R');
  for (const c of checks)
    console.log(`  ${c.stage.padEnd(12)} ${String(c.n).padStart(8)} ${c.tool.padEnd(18)} ${c.result}`);
}
// Issue 8's targets at the largest size: reoffending and analyse each faster than the R data.table
// re-offending pipeline on the same files, peak memory under 2 GiB, growth close to linear.
const targets = [];
const top = Math.max(...results.map((r) => r.n));
const dt = results.find((r) => r.stage === 'reoffending' && r.n === top && r.tool === 'R data.table');
for (const stage of ['reoffending', 'analyse']) {
  const node = results.find((r) => r.stage === stage && r.n === top && r.tool === 'pilot-eval');
  if (!node) continue;
  const g = growth.find((x) => x.stage === stage && x.tool === 'pilot-eval');
  targets.push({
    stage,
    n: top,
    wall_s: node.wall_s,
    r_data_table_wall_s: dt?.wall_s ?? null,
    faster_than_data_table: dt ? node.wall_s < dt.wall_s : null,
    peak_rss_mb: node.peak_rss_mb,
    under_2_gib: node.peak_rss_mb < 2048,
    growth_exponent_wall: g?.exponent_wall ?? null,
  });
}
if (targets.length) {
  console.log(`
targets at ${top.toLocaleString('en-GB')} people (faster than R data.table re-offending on the same files; peak < 2 GiB)`);
  for (const t of targets) {
    const speed =
      t.r_data_table_wall_s === null
        ? 'R not run'
        : `${fmt(t.wall_s)} s vs ${fmt(t.r_data_table_wall_s)} s (${fmt(t.r_data_table_wall_s / t.wall_s)}x): ${t.faster_than_data_table ? 'met' : 'NOT met'}`;
    console.log(
      `  ${t.stage.padEnd(12)} ${speed}; peak ${fmt(t.peak_rss_mb, 0)} MB: ${t.under_2_gib ? 'met' : 'NOT met'}; growth exponent ${fmt(t.growth_exponent_wall)}`,
    );
  }
}
const maxLoad = Math.max(...results.map((r) => r.load_before));
if (maxLoad > cpus().length)
  console.log(
    `\nnote: the 1-minute load average reached ${maxLoad.toFixed(1)} on ${cpus().length} CPUs during the run; times are inflated.`,
  );

if (failures.length) console.log(`\nfailed runs (not in the table):\n${failures.map((f) => `  ${f}`).join('\n')}`);

const report = {
  generated_at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? null,
    memory_gb: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    r: rVersion,
    platform: process.platform,
  },
  settings: { sizes, reps, seed: SEED, offences_per_person: 1.5, stages },
  results,
  growth,
  targets,
  checks,
  failures,
};
const tmp = `${resultsPath}.tmp-${process.pid}`;
writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
renameSync(tmp, resultsPath);
rmSync(timeFile, { force: true });
console.log(`\nwrote ${resultsPath}`);
if (failures.length) process.exitCode = 1;
