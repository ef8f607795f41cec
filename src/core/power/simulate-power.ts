/**
 * Power by simulation for a binary outcome (DeclareDesign-style diagnosands): each replicate
 * generates a trial, randomises it with the real randomiser and analyses it with the same logistic
 * regression code as `analyse`.
 *
 * - Cluster design: `n` people per arm in clusters of `clusterSize` (2n people spread as evenly as
 *   possible over 2 ceil(n / m) clusters); clusters randomised by complete randomisation, half to
 *   each arm; a normal cluster effect on the logit scale with latent ICC: variance
 *   icc/(1 - icc) x pi^2/3; analysis `glm(y ~ arm, binomial)` with `sandwich::vcovCL` SEs.
 * - Individual design: 2n people, complete randomisation, `glm(y ~ arm, binomial)`, model SEs.
 * - Truth: the log odds ratio logit(p2) - logit(p1) (the conditional, cluster-specific OR in the
 *   cluster design, so the population-averaged glm estimate shows attenuation as bias).
 * - Diagnosands: power = share of Wald p <= alpha (replicates whose fit fails or separates count
 *   as non-rejections); MCSE sqrt(power (1 - power)/reps); bias, rmse and coverage of the
 *   (1 - alpha) Wald CI over the replicates with a usable fit.
 */
import { UsageError } from '../errors.js';
import { normal, type Rng } from '../random.js';
import { completeAssign } from '../randomise/complete.js';
import { logisticArmEffect } from '../stats/logistic-regression.js';
import { pnorm, qnorm } from '../stats/distributions.js';

export interface BinarySimulationSpec {
  p1: number;
  p2: number;
  /** People per arm. */
  n: number;
  /** People per cluster; omit for an individually randomised trial. */
  clusterSize?: number;
  /** Latent (logit-scale) intraclass correlation; only with clusterSize. */
  icc?: number;
  reps: number;
  alpha?: number;
  twoTailed?: boolean;
}

export interface SimulationResult {
  power: number;
  power_mcse: number;
  bias: number | null;
  rmse: number | null;
  coverage: number | null;
  reps: number;
  /** Replicates whose fit did not converge or separated (excluded from bias, rmse, coverage). */
  failed_reps: number;
  /** The estimand: true log odds ratio logit(p2) - logit(p1). */
  truth: number;
  mean_estimate: number | null;
  mean_std_error: number | null;
  design: 'cluster' | 'individual';
  clusters: number | null;
  analysis: string;
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/**
 * Runs the simulation.
 * @param onProgress called with (done, reps) every 50 replicates
 * @throws UsageError for rates outside (0, 1), fewer than 2 clusters per arm, reps < 1
 */
export function simulateBinaryPower(spec: BinarySimulationSpec, rng: Rng, onProgress?: (done: number, total: number) => void): SimulationResult {
  const { p1, p2, n, reps } = spec;
  const alpha = spec.alpha ?? 0.05;
  const twoTailed = spec.twoTailed ?? true;
  if (!(p1 > 0 && p1 < 1)) throw new UsageError(`--p1 must be a proportion strictly between 0 and 1, got ${p1}`);
  if (!(p2 > 0 && p2 < 1)) throw new UsageError(`--p2 must be a proportion strictly between 0 and 1, got ${p2}`);
  if (!Number.isInteger(n) || n < 2) throw new UsageError(`--n (people per arm) must be a whole number >= 2 for --simulate, got ${n}`);
  if (!Number.isInteger(reps) || reps < 1) throw new UsageError(`--simulate must be a whole number of replicates >= 1, got ${reps}`);
  const clustered = spec.clusterSize !== undefined;
  const icc = spec.icc ?? 0;
  if (clustered && !(icc >= 0 && icc < 1)) throw new UsageError(`--icc must be in [0, 1), got ${icc}`);

  const total = 2 * n;
  const y = new Float64Array(total);
  const arm = new Float64Array(total);
  let nClusters = 0;
  let clusterOf: Int32Array | null = null;
  let clusterStart: Int32Array | null = null;
  if (clustered) {
    const m = spec.clusterSize!;
    if (!Number.isInteger(m) || m < 1) throw new UsageError(`--cluster-size must be a whole number >= 1, got ${m}`);
    const perArm = Math.ceil(n / m);
    if (perArm < 2) throw new UsageError(`--n ${n} with --cluster-size ${m} gives ${perArm} cluster per arm; cluster-robust analysis needs at least 2 per arm`);
    nClusters = 2 * perArm;
    clusterOf = new Int32Array(total);
    clusterStart = new Int32Array(nClusters + 1);
    for (let c = 0; c < nClusters; c++) {
      // Even spread: cluster c holds people [floor(c T / C), floor((c + 1) T / C)).
      clusterStart[c + 1] = Math.floor(((c + 1) * total) / nClusters);
      for (let i = clusterStart[c]!; i < clusterStart[c + 1]!; i++) clusterOf[i] = c;
    }
  }
  const sigma = Math.sqrt((icc / (1 - icc)) * (Math.PI ** 2 / 3));
  const eta0 = logit(p1);
  const eta1 = logit(p2);
  const truth = eta1 - eta0;
  const zc = qnorm(alpha / 2, false);
  const zTest = twoTailed ? zc : qnorm(alpha, false);
  const direction = Math.sign(truth) || 1;

  let rejections = 0;
  let used = 0;
  let sumErr = 0;
  let sumSq = 0;
  let covered = 0;
  let sumEst = 0;
  let sumSe = 0;
  for (let rep = 0; rep < reps; rep++) {
    if (clustered) {
      const armOf = completeAssign(nClusters, [1, 1], rng);
      for (let c = 0; c < nClusters; c++) {
        const a = armOf[c]!;
        const eta = (a === 1 ? eta1 : eta0) + (sigma > 0 ? normal(rng, 0, sigma) : 0);
        const prob = 1 / (1 + Math.exp(-eta));
        for (let i = clusterStart![c]!; i < clusterStart![c + 1]!; i++) {
          arm[i] = a;
          y[i] = rng.next() < prob ? 1 : 0;
        }
      }
    } else {
      const armOf = completeAssign(total, [1, 1], rng);
      for (let i = 0; i < total; i++) {
        const a = armOf[i]!;
        arm[i] = a;
        y[i] = rng.next() < (a === 1 ? p2 : p1) ? 1 : 0;
      }
    }
    let estimate = NaN;
    let se = NaN;
    try {
      const fit = clustered ? logisticArmEffect(y, arm, { cluster: clusterOf!, nClusters }) : logisticArmEffect(y, arm);
      if (!fit.separation) {
        estimate = fit.estimate;
        se = clustered ? fit.std_error_robust! : fit.std_error_model;
      }
    } catch (e) {
      // A replicate with all-0 or all-1 outcomes has a singular design: count it as failed.
      if (!(e instanceof Error && e.name === 'SingularDesignError')) throw e;
    }
    if (Number.isFinite(estimate) && Number.isFinite(se) && se > 0) {
      const z = estimate / se;
      const reject = twoTailed ? 2 * pnorm(-Math.abs(z)) <= alpha : direction * z >= zTest;
      if (reject) rejections++;
      used++;
      const err = estimate - truth;
      sumErr += err;
      sumSq += err * err;
      sumEst += estimate;
      sumSe += se;
      if (Math.abs(err) <= zc * se) covered++;
    }
    if (onProgress && ((rep + 1) % 50 === 0 || rep + 1 === reps)) onProgress(rep + 1, reps);
  }
  const power = rejections / reps;
  return {
    power,
    power_mcse: Math.sqrt((power * (1 - power)) / reps),
    bias: used > 0 ? sumErr / used : null,
    rmse: used > 0 ? Math.sqrt(sumSq / used) : null,
    coverage: used > 0 ? covered / used : null,
    reps,
    failed_reps: reps - used,
    truth,
    mean_estimate: used > 0 ? sumEst / used : null,
    mean_std_error: used > 0 ? sumSe / used : null,
    design: clustered ? 'cluster' : 'individual',
    clusters: clustered ? nClusters : null,
    analysis: clustered ? 'glm(y ~ arm, binomial) with sandwich::vcovCL(cluster = ~team) Wald z test' : 'glm(y ~ arm, binomial) Wald z test',
  };
}
