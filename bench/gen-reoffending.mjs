#!/usr/bin/env node
// Seeded generator of cases.csv + offences.csv for benchmarking `pilot-eval reoffending`.
// Usage: node bench/gen-reoffending.mjs --people 1000000 --offences 1500000 --seed 1 --out-dir /tmp/reo
// Self-contained (no build needed): a small integer hash generator, ISO dates, ~20% breach/other
// disposals, arms allocated by team, start dates 2021-2024 and an extraction date of 2025-06-30 (so some people are pending).
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const people = Number(args.people ?? 100000);
const offences = Number(args.offences ?? Math.round(people * 1.5));
const seed = Number(args.seed ?? 1);
const dir = args['out-dir'] ?? 'bench-data';
mkdirSync(dir, { recursive: true });

let state = seed >>> 0;
function rand() {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);

function iso(day) {
  const d = new Date(day * 86400000);
  return d.toISOString().slice(0, 10);
}
const DAY0 = Date.UTC(2021, 0, 1) / 86400000; // start dates 2021-01-01 .. 2024-12-30
const EXTRACT = Date.UTC(2025, 5, 30) / 86400000; // nothing disposed after the extraction date
const pad = (n, w) => String(n).padStart(w, '0');

async function writeAll(path, header, n, rowFn) {
  const out = createWriteStream(path);
  out.write(header + '\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += rowFn(i) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
}

// Cluster-randomised: each of the 200 teams (10 sites x 20) is allocated whole, half to each arm,
// so the same files serve individual and cluster analyses (analyse --cluster team).
const TEAM_ARM = Array.from({ length: 200 }, (_, t) => ((t * 7919 + seed) % 2 === 0 ? 'control' : 'treatment'));
const start = new Int32Array(people);
await writeAll(join(dir, 'cases.csv'), 'id,arm,site,team,stratum,start_date,sex,age,ogrs3', people, (i) => {
  const s = DAY0 + int(1460);
  start[i] = s;
  const site = 1 + int(10);
  const team = int(20);
  return [
    `P${pad(i + 1, 7)}`,
    TEAM_ARM[(site - 1) * 20 + team],
    `S${pad(site, 2)}`,
    `T${pad(site, 2)}${pad(team, 2)}`,
    rand() < 0.5 ? 'low' : 'high',
    iso(s),
    rand() < 0.8 ? 'male' : 'female',
    18 + int(50),
    (0.1 + 0.8 * rand()).toFixed(3),
  ].join(',');
});
const TYPES = [
  'conviction',
  'conviction',
  'conviction',
  'conviction',
  'conviction',
  'caution',
  'warning',
  'breach',
  'other',
  'conviction',
];
await writeAll(
  join(dir, 'offences.csv'),
  'id,offence_date,disposal_date,disposal_type,offence_category,severity',
  offences,
  () => {
    const p = int(people);
    let off = start[p] - 60 + int(760);
    let disp = off + int(Math.ceil(-Math.log(1 - rand()) * 120));
    if (off > EXTRACT) off = EXTRACT - int(60);
    if (disp > EXTRACT) disp = off + int(EXTRACT - off + 1);
    return [
      `P${pad(p + 1, 7)}`,
      iso(off),
      iso(disp),
      TYPES[int(TYPES.length)],
      rand() < 0.5 ? 'theft' : 'violence',
      (rand() * 10).toFixed(1),
    ].join(',');
  },
);
process.stderr.write(`wrote ${people} cases and ${offences} offences to ${dir}\n`);
