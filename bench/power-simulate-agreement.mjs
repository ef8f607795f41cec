// The long agreement check for `power --simulate` (not part of npm test): thousands of replicates
// per design, analysed with the primary analysis (LPM risk difference: HC2 + t for individual
// designs, CR2 + Satterthwaite df for cluster designs), against the formula that applies:
//   - individual: R power.prop.test(n, p1, p2) (the normal approximation);
//   - cluster: the t-corrected clusterPower::cpa.binary formula on 2(J - 1) df, given the marginal
//     rates and the pooled proportion-scale ICC implied by the latent (logit-normal) model.
// For each design it prints the simulated power, its MCSE, the formula's power, z = (sim - reference)
// / MCSE (the reference is the formula's power, or alpha for the null design: at no effect the
// formulas, like power.prop.test and cpa.binary, count only one tail and return alpha / 2), bias (and its MCSE), coverage and the seconds taken. Also times the contract example
// (40 teams of 25, 2000 replicates) with both analyses.
// Usage: npx tsc -p tsconfig.json && node bench/power-simulate-agreement.mjs [reps]   (default 5000;
// the output of a 5000-replicate run is in bench/power-simulate-agreement.out)
import { performance } from 'node:perf_hooks';
import { createRng } from '../dist/core/random.js';
import { simulateBinaryPower } from '../dist/core/power/simulate-power.js';

const reps = Number(process.argv[2] ?? 5000);
const designs = [
  { label: 'individual p1 .35 p2 .25 n 200', spec: { p1: 0.35, p2: 0.25, n: 200 } },
  { label: 'individual p1 .3 p2 .4 n 300', spec: { p1: 0.3, p2: 0.4, n: 300 } },
  { label: 'individual p1 .35 p2 .25 n 200 one-tailed', spec: { p1: 0.35, p2: 0.25, n: 200, twoTailed: false } },
  {
    label: 'cluster 8 x 50 per arm, p1 .4 p2 .25, latent icc .05',
    spec: { p1: 0.4, p2: 0.25, n: 400, clusterSize: 50, icc: 0.05 },
  },
  {
    label: 'cluster 20 x 25 per arm, p1 .35 p2 .288, latent icc .027',
    spec: { p1: 0.35, p2: 0.288, n: 500, clusterSize: 25, icc: 0.027 },
  },
  {
    label: 'cluster 5 x 20 per arm, p1 .35 p2 .2, latent icc .1',
    spec: { p1: 0.35, p2: 0.2, n: 100, clusterSize: 20, icc: 0.1 },
  },
  {
    label: 'cluster 10 x 30 per arm, p1 .3 p2 .3 (null), latent icc .05',
    spec: { p1: 0.3, p2: 0.3, n: 300, clusterSize: 30, icc: 0.05 },
  },
];
const rows = [];
for (const [i, d] of designs.entries()) {
  const t0 = performance.now();
  const r = simulateBinaryPower({ ...d.spec, reps }, createRng(1000 + i));
  const seconds = (performance.now() - t0) / 1000;
  const biasMcse = r.rmse / Math.sqrt(reps - r.failed_reps);
  rows.push({
    design: d.label,
    reps,
    power: r.power,
    power_mcse: r.power_mcse,
    formula_power: r.formula_power,
    z: (r.power - (r.truth === 0 ? 0.05 : r.formula_power)) / r.power_mcse,
    truth: r.truth,
    bias: r.bias,
    bias_mcse: biasMcse,
    coverage: r.coverage,
    mean_df: r.mean_df,
    marginal_icc: r.marginal?.icc ?? null,
    seconds: +seconds.toFixed(2),
  });
  const x = rows.at(-1);
  console.log(
    `${x.design}: power ${x.power.toFixed(4)} (MCSE ${x.power_mcse.toFixed(4)}) formula ${x.formula_power.toFixed(4)} z ${x.z.toFixed(2)}; bias ${x.bias.toExponential(2)} (MCSE ${x.bias_mcse.toExponential(2)}); coverage ${x.coverage.toFixed(4)}; df ${x.mean_df.toFixed(1)}; ${x.seconds} s`,
  );
}
for (const analysis of ['primary', 'logistic']) {
  const spec = { p1: 0.35, p2: 0.288, n: 500, clusterSize: 25, icc: 0.027, reps: 2000, analysis };
  simulateBinaryPower({ ...spec, reps: 50 }, createRng(99)); // warm-up (JIT)
  const t0 = performance.now();
  const r = simulateBinaryPower(spec, createRng(1));
  console.log(
    `timing, 40 teams of 25, 2000 replicates, ${analysis}: ${((performance.now() - t0) / 1000).toFixed(2)} s (power ${r.power}, seed 1)`,
  );
}
console.log(JSON.stringify(rows));
