// Benchmark: `power --outcome binary --p1 0.35 --p2 0.288 --icc 0.027 --cluster-size 25 --n 500
// --simulate 2000 --seed 1 --sim-analysis logistic` (40 teams of 25), timed in-process on the built code (run `npx tsc` first).
// Compare with bench/power-simulate.R (plain R loop: glm + sandwich::vcovCL per replicate).
import { performance } from 'node:perf_hooks';
import { createRng } from '../dist/core/random.js';
import { simulateBinaryPower } from '../dist/core/power/simulate-power.js';

const reps = Number(process.argv[2] ?? 2000);
const spec = { p1: 0.35, p2: 0.288, n: 500, clusterSize: 25, icc: 0.027, reps, analysis: 'logistic' };
simulateBinaryPower({ ...spec, reps: 50 }, createRng(99)); // warm-up (JIT)
const t0 = performance.now();
const r = simulateBinaryPower(spec, createRng(1));
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    reps,
    seconds: +(ms / 1000).toFixed(3),
    power: r.power,
    power_mcse: r.power_mcse,
    bias: r.bias,
    rmse: r.rmse,
    coverage: r.coverage,
    failed_reps: r.failed_reps,
  }),
);
