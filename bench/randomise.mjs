#!/usr/bin/env node
// Benchmark for `pilot-eval randomise` (build first: npx tsc -p tsconfig.json).
// Generates seeded cases files, then times the CLI end to end (read, allocate, write, manifest)
// under /usr/bin/time -v for wall time and peak RSS:
//   1. --method block over 1,000,000 rows in 50 sites
//   2. --method permuted-block over 1,000,000 rows in 50 sites (sequential, per-stratum streams)
//   3. --method minimise over 100,000 sequential cases on site (50 levels) x sex x age band
//   4. --verify of the 1,000,000-row block allocation
// Usage: node bench/randomise.mjs [--rows 1000000] [--minimise-rows 100000] [--dir /tmp/randomise-bench]
import { createWriteStream, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const rows = Number(args.rows ?? 1_000_000);
const minRows = Number(args['minimise-rows'] ?? 100_000);
const dir = args.dir ?? '/tmp/randomise-bench';
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'pilot-eval');
mkdirSync(dir, { recursive: true });

let state = 12345;
function rand() {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
}

async function generate(path, n) {
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  await write('id,site,team,sex,age\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const site = Math.floor(rand() * 50);
    chunk += `P${i},S${site},S${site}T${Math.floor(rand() * 20)},${rand() < 0.2 ? 'female' : 'male'},${18 + Math.floor(rand() * 50)}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise((r) => out.end(r));
}

function timed(label, argv) {
  const r = spawnSync('/usr/bin/time', ['-v', cli, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)/.exec(r.stderr)?.[1];
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const status = /Exit status: (\d+)/.exec(r.stderr)?.[1];
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  console.log(
    `${label.padEnd(44)} wall ${wall}  cpu ${(user + sys).toFixed(2)} s  peak RSS ${(rss / 1024).toFixed(0)} MB  exit ${status}`,
  );
  if (status !== '0') console.log(r.stderr.split('\n').slice(0, 5).join('\n'));
}

console.log(
  `load average: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const big = join(dir, `cases-${rows}.csv`);
const small = join(dir, `cases-${minRows}.csv`);
await generate(big, rows);
await generate(small, minRows);
timed(`block, ${rows} rows, 50 sites`, [
  'randomise',
  big,
  '--method',
  'block',
  '--block',
  'site',
  '--ratio',
  '1:2',
  '--seed',
  '1',
  '--out',
  join(dir, 'block.csv'),
  '--json',
]);
timed(`permuted-block, ${rows} rows, 50 sites`, [
  'randomise',
  big,
  '--method',
  'permuted-block',
  '--block',
  'site',
  '--block-sizes',
  '2,4,6',
  '--seed',
  '1',
  '--out',
  join(dir, 'pb.csv'),
  '--json',
]);
timed(`minimise, ${minRows} rows, site x sex x age`, [
  'randomise',
  small,
  '--method',
  'minimise',
  '--factors',
  'site:2,sex,age',
  '--seed',
  '1',
  '--out',
  join(dir, 'min.csv'),
  '--json',
]);
timed(`verify block allocation, ${rows} rows`, ['randomise', '--verify', join(dir, 'block.csv'), '--json']);
