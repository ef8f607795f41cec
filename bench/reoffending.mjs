#!/usr/bin/env node
// Times `pilot-eval reoffending --by arm` against the same computation in R data.table
// (bench/reoffending.R) and readr + dplyr (bench/reoffending-dplyr.R) on one data set, and checks
// that all three per-arm tables agree (relative 1e-9).
// Usage:
//   node bench/gen-reoffending.mjs --people 1000000 --offences 1500000 --seed 1 --out-dir /tmp/reo-big
//   npm run build && node bench/reoffending.mjs /tmp/reo-big
// Needs /usr/bin/time (GNU) for peak RSS; reports wall, user+sys CPU and peak RSS per tool.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? 'bench-data');
const cases = join(dir, 'cases.csv');
const offences = join(dir, 'offences.csv');
const tmp = mkdtempSync(join(tmpdir(), 'reo-bench-'));

const tools = [
  {
    name: 'pilot-eval (node)',
    cmd: join(here, '..', 'bin', 'pilot-eval'),
    args: ['reoffending', '--cases', cases, '--offences', offences, '--by', 'arm', '--json'],
  },
  { name: 'R data.table', cmd: 'Rscript', args: [join(here, 'reoffending.R'), dir] },
  { name: 'R readr + dplyr', cmd: 'Rscript', args: [join(here, 'reoffending-dplyr.R'), dir] },
];

function run(tool) {
  const timeFile = join(tmp, 'time.txt');
  const stdout = execFileSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, tool.cmd, ...tool.args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const [wall, user, sys, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { stdout, wall, cpu: user + sys, rssMb: rssKb / 1024 };
}

function parseRCsv(text) {
  const [head, ...rows] = text
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  return rows.map((r) =>
    Object.fromEntries(head.map((h, i) => [h, h === 'arm' ? r[i] : r[i] === 'NA' ? null : Number(r[i])])),
  );
}

const FIELDS = [
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
const results = [];
let reference = null;
for (const tool of tools) {
  const r = run(tool);
  const table = tool.name.startsWith('pilot-eval')
    ? JSON.parse(r.stdout).groups.map((g) => ({
        arm: g.group.arm,
        ...Object.fromEntries(FIELDS.map((f) => [f, g[f]])),
      }))
    : parseRCsv(r.stdout);
  if (reference === null) reference = table;
  else {
    for (let i = 0; i < reference.length; i++) {
      for (const f of ['arm', ...FIELDS]) {
        const a = reference[i][f];
        const b = table[i]?.[f];
        const ok = typeof a === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)) : a === b;
        if (!ok) throw new Error(`${tool.name} disagrees with pilot-eval on ${reference[i].arm} ${f}: ${b} vs ${a}`);
      }
    }
  }
  results.push({ tool: tool.name, wall_s: r.wall, cpu_s: +r.cpu.toFixed(2), peak_rss_mb: Math.round(r.rssMb) });
  process.stderr.write(
    `${tool.name}: ${r.wall} s wall, ${r.cpu.toFixed(2)} s CPU, ${Math.round(r.rssMb)} MB peak RSS\n`,
  );
}
rmSync(tmp, { recursive: true, force: true });
console.table(results);
console.log('All three per-arm tables agree.');
console.table(reference);
