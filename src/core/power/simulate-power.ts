/**
 * Power by simulation for a binary outcome (DeclareDesign-style diagnosands): each replicate
 * generates a trial, randomises it with the real randomiser and analyses it with the analysis the
 * trial will run.
 *
 * Data:
 * - Cluster design: `n` people per arm in clusters of `clusterSize` (2n people spread as evenly as
 *   possible over 2 ceil(n / m) clusters); clusters randomised by complete randomisation, half to
 *   each arm; a normal cluster effect u on the logit scale with latent ICC: variance
 *   sigma^2 = icc/(1 - icc) x pi^2/3, so a person in arm a re-offends with probability
 *   plogis(qlogis(p_a) + u). `p1`, `p2` are therefore the rates of a typical (u = 0) cluster.
 * - Individual design: 2n people, complete randomisation, rates p1 and p2.
 *
 * Analyses (`analysis`):
 * - 'primary' (default): the headline analysis of `analyse` (primaryRiskDifference): the risk
 *   difference as the arm coefficient of a linear probability model, HC2 SE and t on n - 2 df
 *   (individual) or CR2 SE with Satterthwaite df (cluster), as R
 *   `estimatr::lm_robust(y ~ arm, clusters = team, se_type = "CR2")`. Truth: the
 *   population-averaged risk difference E[plogis(qlogis(p2) + u)] - E[plogis(qlogis(p1) + u)]
 *   (p2 - p1 when there is no cluster effect), computed by Gauss-Hermite quadrature over the normal
 *   cluster effect (see `latentToMarginal`), so the bias is measured against what the LPM estimates.
 * - 'logistic': `glm(y ~ arm, binomial)` with `sandwich::vcovCL` SEs (cluster) or model SEs
 *   (individual), Wald z. Truth: the log odds ratio qlogis(p2) - qlogis(p1) (the conditional,
 *   cluster-specific OR in the cluster design, so the population-averaged glm estimate shows
 *   attenuation as bias).
 *
 * Diagnosands: power = share of replicates whose test rejects (p <= alpha); replicates with no
 * usable test (a fit that separates, all outcomes equal, a zero SE) count as non-rejections;
 * MCSE sqrt(power (1 - power)/reps); bias, rmse and coverage of the (1 - alpha) interval over the
 * replicates with a usable test.
 *
 * The formula to compare with (`formula_power`): individual, the normal approximation of R
 * `power.prop.test(n, p1, p2)`; cluster, the t-corrected `clusterPower::cpa.binary` formula on
 * 2(J - 1) df with the *marginal* rates and the *marginal* (proportion-scale) ICC implied by the
 * latent model: rho_a = Var_u(pi_a(u)) / (pibar_a (1 - pibar_a)) per arm, pooled as
 * rho = (V_1 + V_2) / (pibar_1 (1 - pibar_1) + pibar_2 (1 - pibar_2)), which makes the formula's
 * variance DEFF (p1 q1 + p2 q2)/(J m) equal the exact variance of the difference in arm means
 * (Eldridge, Ukoumunne & Carlin 2009 on latent vs proportion-scale ICCs).
 */
import { UsageError } from '../errors.js';
import { normal, type Rng } from '../random.js';
import { completeAssign } from '../randomise/complete.js';
import { primaryRiskDifference } from '../analysis/primary-effect.js';
import { logisticArmEffect } from '../stats/logistic-regression.js';
import { pnorm, pt, qnorm } from '../stats/distributions.js';
import { symmetricEigen } from '../stats/robust-lm.js';
import { binaryPower } from './binary-power.js';
import { clusterBinaryPower } from './cluster-binary.js';

export const SIMULATION_ANALYSES = ['primary', 'logistic'] as const;
export type SimulationAnalysis = (typeof SIMULATION_ANALYSES)[number];

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
  /** 'primary' (the headline LPM risk difference, default) or 'logistic'. */
  analysis?: SimulationAnalysis;
}

export interface MarginalDesign {
  /** Population-averaged rates E[plogis(qlogis(p_a) + u)]. */
  p1: number;
  p2: number;
  /** Proportion-scale ICC per arm, Var_u(pi_a(u)) / (pibar_a (1 - pibar_a)). */
  icc_arms: [number, number];
  /** The pooled proportion-scale ICC used in the formula (see the module header). */
  icc: number;
}

export interface SimulationResult {
  power: number;
  power_mcse: number;
  bias: number | null;
  rmse: number | null;
  coverage: number | null;
  reps: number;
  /** Replicates with no usable test (excluded from bias, rmse, coverage; counted as non-rejections). */
  failed_reps: number;
  /** The estimand's true value (see `estimand`). */
  truth: number;
  estimand: 'risk_difference' | 'log_odds_ratio';
  sim_analysis: SimulationAnalysis;
  mean_estimate: number | null;
  mean_std_error: number | null;
  /** Mean t degrees of freedom of the usable replicates (primary analysis); null for the z test. */
  mean_df: number | null;
  design: 'cluster' | 'individual';
  clusters: number | null;
  /** Cluster design: the marginal rates and proportion-scale ICC implied by the latent model. */
  marginal: MarginalDesign | null;
  /** The analytic power of the same design, to compare with `power` (see `formula`). */
  formula_power: number;
  formula: string;
  /** One sentence naming the model each replicate is analysed with. */
  analysis: string;
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

function expit(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Gauss-Hermite nodes used for the marginal quantities. */
const GH_NODES = 64;
let ghCache: { nodes: number[]; weights: number[] } | null = null;

/**
 * Gauss-Hermite rule for E[f(Z)], Z ~ N(0, 1) (probabilists' weight exp(-z^2/2)/sqrt(2 pi)), by
 * the Golub-Welsch method: the nodes are the eigenvalues of the symmetric tridiagonal Jacobi
 * matrix of the monic Hermite recurrence He_{k+1}(z) = z He_k(z) - k He_{k-1}(z) (zero diagonal,
 * off-diagonal sqrt(k)), and each weight is the squared first component of the unit eigenvector
 * (the weights sum to 1). Exact for polynomials of degree < 2 x GH_NODES.
 */
export function gaussHermite(): { nodes: number[]; weights: number[] } {
  if (ghCache) return ghCache;
  const k = GH_NODES;
  const J: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 1; i < k; i++) {
    J[i]![i - 1] = Math.sqrt(i);
    J[i - 1]![i] = Math.sqrt(i);
  }
  const { values, vectors } = symmetricEigen(J);
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const nodes = order.map((i) => values[i]!);
  const raw = order.map((i) => vectors[0]![i]! ** 2);
  const total = raw.reduce((s, w) => s + w, 0);
  ghCache = { nodes, weights: raw.map((w) => w / total) };
  return ghCache;
}

/**
 * The population-averaged rate and the between-cluster variance of the cluster rate when
 * pi(u) = plogis(qlogis(p) + u), u ~ N(0, sigma^2), sigma^2 = icc/(1 - icc) x pi^2/3 (icc latent):
 * mean = E[pi(u)], variance = Var[pi(u)], icc = variance / (mean (1 - mean)) (the proportion-scale
 * ICC). By Gauss-Hermite quadrature; as R
 * `integrate(function(u) plogis(qlogis(p) + u) * dnorm(u, 0, sigma), -Inf, Inf)`.
 */
export function latentToMarginal(p: number, iccLatent: number): { mean: number; variance: number; icc: number } {
  if (!(p > 0 && p < 1)) throw new RangeError(`latentToMarginal: p must be in (0, 1), got ${p}`);
  if (!(iccLatent >= 0 && iccLatent < 1))
    throw new RangeError(`latentToMarginal: icc must be in [0, 1), got ${iccLatent}`);
  if (iccLatent === 0) return { mean: p, variance: 0, icc: 0 };
  const sigma = Math.sqrt((iccLatent / (1 - iccLatent)) * (Math.PI ** 2 / 3));
  const { nodes, weights } = gaussHermite();
  const eta = logit(p);
  let m1 = 0;
  for (let i = 0; i < nodes.length; i++) m1 += weights[i]! * expit(eta + sigma * nodes[i]!);
  let v = 0;
  for (let i = 0; i < nodes.length; i++) v += weights[i]! * (expit(eta + sigma * nodes[i]!) - m1) ** 2;
  return { mean: m1, variance: v, icc: v / (m1 * (1 - m1)) };
}

/** The marginal rates and ICCs of the latent cluster model (see the module header). */
export function marginalDesign(p1: number, p2: number, iccLatent: number): MarginalDesign {
  const a = latentToMarginal(p1, iccLatent);
  const b = latentToMarginal(p2, iccLatent);
  const pq = a.mean * (1 - a.mean) + b.mean * (1 - b.mean);
  return { p1: a.mean, p2: b.mean, icc_arms: [a.icc, b.icc], icc: (a.variance + b.variance) / pq };
}

/**
 * Runs the simulation.
 * @param onProgress called with (done, reps) every 50 replicates
 * @throws UsageError for rates outside (0, 1), fewer than 2 clusters per arm, reps < 1
 */
export function simulateBinaryPower(
  spec: BinarySimulationSpec,
  rng: Rng,
  onProgress?: (done: number, total: number) => void,
): SimulationResult {
  const { p1, p2, n, reps } = spec;
  const alpha = spec.alpha ?? 0.05;
  const twoTailed = spec.twoTailed ?? true;
  const analysis = spec.analysis ?? 'primary';
  if (!(SIMULATION_ANALYSES as readonly string[]).includes(analysis))
    throw new UsageError(
      `--sim-analysis must be one of ${SIMULATION_ANALYSES.join(', ')}, got ${JSON.stringify(analysis)}`,
    );
  if (!(p1 > 0 && p1 < 1)) throw new UsageError(`--p1 must be a proportion strictly between 0 and 1, got ${p1}`);
  if (!(p2 > 0 && p2 < 1)) throw new UsageError(`--p2 must be a proportion strictly between 0 and 1, got ${p2}`);
  if (!Number.isInteger(n) || n < 2)
    throw new UsageError(`--n (people per arm) must be a whole number >= 2 for --simulate, got ${n}`);
  if (!Number.isInteger(reps) || reps < 1)
    throw new UsageError(`--simulate must be a whole number of replicates >= 1, got ${reps}`);
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
    if (perArm < 2)
      throw new UsageError(
        `--n ${n} with --cluster-size ${m} gives ${perArm} cluster per arm; cluster-robust analysis needs at least 2 per arm`,
      );
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
  const marginal = clustered ? marginalDesign(p1, p2, icc) : null;
  const primary = analysis === 'primary';
  const truth = primary ? (marginal ? marginal.p2 - marginal.p1 : p2 - p1) : eta1 - eta0;
  const zc = qnorm(alpha / 2, false);
  const zTest = twoTailed ? zc : qnorm(alpha, false);
  const direction = Math.sign(truth) || 1;
  const cluster = clustered ? { name: 'team', index: clusterOf!, levels: nClusters } : null;

  let rejections = 0;
  let used = 0;
  let sumErr = 0;
  let sumSq = 0;
  let covered = 0;
  let sumEst = 0;
  let sumSe = 0;
  let sumDf = 0;
  let method = '';
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
    if (primary) {
      const fit = primaryRiskDifference({ outcome: 'y', y, treated: arm, covariates: [], cluster, alpha });
      const row = fit.row;
      if (!method) method = row.method;
      const stat = row.statistic;
      const est = row.estimate;
      const se = row.std_error;
      if (est !== null && se !== null && se > 0 && stat !== null && Number.isFinite(stat) && fit.df > 0) {
        const p = twoTailed ? row.p_value! : pt(direction * stat, fit.df, false);
        if (p <= alpha) rejections++;
        used++;
        const err = est - truth;
        sumErr += err;
        sumSq += err * err;
        sumEst += est;
        sumSe += se;
        sumDf += fit.df;
        if (row.conf_low! <= truth && truth <= row.conf_high!) covered++;
      }
    } else {
      let estimate = NaN;
      let se = NaN;
      try {
        const fit = clustered
          ? logisticArmEffect(y, arm, { cluster: clusterOf!, nClusters })
          : logisticArmEffect(y, arm);
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
    }
    if (onProgress && ((rep + 1) % 50 === 0 || rep + 1 === reps)) onProgress(rep + 1, reps);
  }
  const power = rejections / reps;
  const formula = formulaPower({ p1, p2, n, nClusters, total, clusterStart, marginal, alpha, twoTailed });
  return {
    power,
    power_mcse: Math.sqrt((power * (1 - power)) / reps),
    bias: used > 0 ? sumErr / used : null,
    rmse: used > 0 ? Math.sqrt(sumSq / used) : null,
    coverage: used > 0 ? covered / used : null,
    reps,
    failed_reps: reps - used,
    truth,
    estimand: primary ? 'risk_difference' : 'log_odds_ratio',
    sim_analysis: analysis,
    mean_estimate: used > 0 ? sumEst / used : null,
    mean_std_error: used > 0 ? sumSe / used : null,
    mean_df: primary && used > 0 ? sumDf / used : null,
    design: clustered ? 'cluster' : 'individual',
    clusters: clustered ? nClusters : null,
    marginal,
    formula_power: formula.power,
    formula: formula.name,
    analysis: primary
      ? `${method.replace(/\.$/, '')}; power = share of replicates with ${twoTailed ? 'two' : 'one'}-sided t-test p <= alpha.`
      : clustered
        ? 'Log odds ratio from glm(y ~ arm, binomial) with sandwich::vcovCL(cluster = ~team) standard error, Wald z test.'
        : 'Log odds ratio from glm(y ~ arm, binomial) with the model standard error, Wald z test.',
  };
}

/** The analytic power of the simulated design (see the module header). */
function formulaPower(d: {
  p1: number;
  p2: number;
  n: number;
  nClusters: number;
  total: number;
  clusterStart: Int32Array | null;
  marginal: MarginalDesign | null;
  alpha: number;
  twoTailed: boolean;
}): { power: number; name: string } {
  if (!d.marginal || !d.clusterStart) {
    return {
      power: binaryPower(d.p1, d.p2, d.n, { alpha: d.alpha, twoTailed: d.twoTailed }),
      name: 'normal approximation, as R power.prop.test(n, p1, p2, sig.level)',
    };
  }
  // Mean cluster size and the coefficient of variation of the (near-equal) sizes.
  const m = d.total / d.nClusters;
  let ss = 0;
  for (let c = 0; c < d.nClusters; c++) ss += (d.clusterStart[c + 1]! - d.clusterStart[c]! - m) ** 2;
  const cv = Math.sqrt(ss / (d.nClusters - 1)) / m;
  const J = d.nClusters / 2;
  const power = clusterBinaryPower(
    { p1: d.marginal.p1, p2: d.marginal.p2, m, icc: d.marginal.icc, cv, alpha: d.alpha, twoTailed: d.twoTailed },
    J,
  );
  return {
    power,
    name: 't on 2(J - 1) df with the marginal rates and proportion-scale ICC, as R clusterPower::cpa.binary(nclusters, nsubjects, CV, p1, p2, ICC)',
  };
}
