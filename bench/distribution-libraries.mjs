#!/usr/bin/env node
// Why src/core/stats/distributions.ts is hand-written (docs/decisions/0002-hand-written-distributions.md):
// compares jStat and simple-statistics with R and with pilot-eval's own functions on a few values.
// The two libraries are not dependencies: install them elsewhere and point LIBS at that folder:
//   npm install --prefix /tmp/dist-libs jstat simple-statistics
//   npm run build && LIBS=/tmp/dist-libs node bench/distribution-libraries.mjs
// R values (R 4.2.2): pnorm(-10), pnorm(-5), pnorm(1.959963984540054), qnorm(0.975), pt(2, 10),
// qt(0.975, 10), pt(-8, 5), pchisq(40, 3, lower.tail = FALSE), pt(2, 10, ncp = 1), printed with digits = 17.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import * as ours from '../dist/core/stats/distributions.js';

const libs = resolve(process.env.LIBS ?? '/tmp/dist-libs');
const require = createRequire(join(libs, 'package.json'));
const { jStat } = require('jstat');
const ss = require('simple-statistics');
const version = (name) => require(join(name, 'package.json')).version;

const cases = [
  [
    'pnorm(-10)',
    7.6198530241605269e-24,
    () => ours.pnorm(-10),
    () => jStat.normal.cdf(-10, 0, 1),
    () => ss.cumulativeStdNormalProbability(-10),
  ],
  [
    'pnorm(-5)',
    2.8665157187919391e-7,
    () => ours.pnorm(-5),
    () => jStat.normal.cdf(-5, 0, 1),
    () => ss.cumulativeStdNormalProbability(-5),
  ],
  [
    'pnorm(1.959963984540054)',
    0.97499999999999998,
    () => ours.pnorm(1.959963984540054),
    () => jStat.normal.cdf(1.959963984540054, 0, 1),
    () => ss.cumulativeStdNormalProbability(1.959963984540054),
  ],
  [
    'qnorm(0.975)',
    1.9599639845400536,
    () => ours.qnorm(0.975),
    () => jStat.normal.inv(0.975, 0, 1),
    () => ss.probit(0.975),
  ],
  ['pt(2, 10)', 0.96330598261462974, () => ours.pt(2, 10), () => jStat.studentt.cdf(2, 10), null],
  ['qt(0.975, 10)', 2.2281388519862739, () => ours.qt(0.975, 10), () => jStat.studentt.inv(0.975, 10), null],
  ['pt(-8, 5)', 2.4645333028622187e-4, () => ours.pt(-8, 5), () => jStat.studentt.cdf(-8, 5), null],
  [
    'pchisq(40, 3, lower.tail = FALSE)',
    1.0655090334255863e-8,
    () => ours.pchisq(40, 3, false),
    () => 1 - jStat.chisquare.cdf(40, 3),
    null,
  ],
  ['pt(2, 10, ncp = 1)', 0.80761156253031108, () => ours.pnt(2, 10, 1), () => jStat.noncentralt.cdf(2, 10, 1), null],
];

const rel = (x, r) => (x === null ? 'n/a' : x === r ? '0' : (Math.abs(x - r) / Math.abs(r)).toExponential(1));
const show = (x) => (x === null ? 'n/a' : Number(x).toPrecision(17));
console.log(
  `jstat ${version('jstat')}, simple-statistics ${version('simple-statistics')}; relative error against R in brackets`,
);
console.log(['call', 'R', 'pilot-eval', 'jStat', 'simple-statistics'].join(' | '));
for (const [call, r, o, j, s] of cases) {
  const v = [o(), j(), s ? s() : null];
  console.log([call, show(r), ...v.map((x) => `${show(x)} [${rel(x, r)}]`)].join(' | '));
}
// simple-statistics' normal cdf is a lookup in a table of z to 2 decimals: nearby z give the same value.
const zs = [1.955, 1.96, 1.964];
console.log(
  `simple-statistics cumulativeStdNormalProbability(${zs.join(', ')}) = ${zs.map((z) => ss.cumulativeStdNormalProbability(z)).join(', ')}; R pnorm: ${zs.map((z) => ours.pnorm(z).toFixed(6)).join(', ')}`,
);
