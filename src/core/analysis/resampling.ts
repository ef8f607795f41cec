/**
 * Design-based permutation test and bootstrap CI for the primary estimate of an outcome, seeded
 * through an injected Rng (docs/methods.md#permutation-and-bootstrap).
 *
 * Units are people, or whole clusters in a cluster design. A permutation re-randomises as the
 * trial did: the arm labels of the units are shuffled within each randomisation stratum, so every
 * stratum keeps its number of treated units. The bootstrap resamples units with replacement within
 * each arm. The statistic is computed from per-unit sums, so each replicate costs O(units).
 */
import type { Rng } from '../random.js';

export type ResampleStatistic = 'difference' | 'log_ratio';

export interface ResampleUnits {
  /** Sum of the outcome per unit. */
  sum: Float64Array;
  /** People per unit. */
  size: Float64Array;
  /** 1 = treatment per unit. */
  arm: Uint8Array;
  /** Stratum per unit (0 when unstratified). */
  stratum: Int32Array;
}

/**
 * Groups rows into units (row i -> unit[i]); the unit's arm and stratum are its rows' (callers
 * guarantee clusters are in one arm; a cluster spanning strata makes the caller drop the strata).
 */
export function buildUnits(
  y: ArrayLike<number>,
  arm: ArrayLike<number>,
  unit: ArrayLike<number> | null,
  nUnits: number,
  stratum: ArrayLike<number> | null,
): ResampleUnits {
  const n = y.length;
  const U = unit ? nUnits : n;
  const out: ResampleUnits = {
    sum: new Float64Array(U),
    size: new Float64Array(U),
    arm: new Uint8Array(U),
    stratum: new Int32Array(U),
  };
  for (let i = 0; i < n; i++) {
    const u = unit ? unit[i]! : i;
    out.sum[u] += y[i]!;
    out.size[u]++;
    out.arm[u] = arm[i]!;
    if (stratum) out.stratum[u] = stratum[i]!;
  }
  return out;
}

/** The statistic from the two arms' totals. */
export function statistic(kind: ResampleStatistic, sT: number, mT: number, sC: number, mC: number): number {
  const a = sT / mT;
  const b = sC / mC;
  return kind === 'difference' ? a - b : Math.log(a / b);
}

function statOf(kind: ResampleStatistic, u: ResampleUnits, arm: Uint8Array): number {
  let sT = 0;
  let mT = 0;
  let sC = 0;
  let mC = 0;
  for (let k = 0; k < arm.length; k++) {
    if (arm[k]) {
      sT += u.sum[k]!;
      mT += u.size[k]!;
    } else {
      sC += u.sum[k]!;
      mC += u.size[k]!;
    }
  }
  return statistic(kind, sT, mT, sC, mC);
}

export interface PermutationResult {
  observed: number;
  p_value: number;
  replicates: number;
  /** Replicates whose statistic was not finite (e.g. a log ratio with no events in an arm); counted as not extreme. */
  undefined_replicates: number;
}

/**
 * Two-sided permutation p-value (count of |stat| >= |observed| + 1) / (N + 1).
 * @example
 * const units = buildUnits([1, 1, 0, 1, 0, 0, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1], null, 8, null);
 * permutationTest('difference', units, 999, createRng(1)).p_value // => 0.484 // the exact permutation p is 34/70 = 0.486
 */
export function permutationTest(
  kind: ResampleStatistic,
  units: ResampleUnits,
  replicates: number,
  rng: Rng,
): PermutationResult {
  const observed = statOf(kind, units, units.arm);
  // Units grouped by stratum; each permutation shuffles the arm labels within a stratum.
  const byStratum = new Map<number, number[]>();
  for (let k = 0; k < units.arm.length; k++) {
    const s = units.stratum[k]!;
    let list = byStratum.get(s);
    if (!list) byStratum.set(s, (list = []));
    list.push(k);
  }
  const groups = [...byStratum.keys()].sort((a, b) => a - b).map((s) => byStratum.get(s)!);
  const perm = Uint8Array.from(units.arm);
  const labels = groups.map((g) => Uint8Array.from(g, (k) => units.arm[k]!));
  const threshold = Math.abs(observed) * (1 - 1e-12);
  let extreme = 0;
  let undef = 0;
  for (let r = 0; r < replicates; r++) {
    for (let gi = 0; gi < groups.length; gi++) {
      const g = groups[gi]!;
      const lab = labels[gi]!;
      for (let i = lab.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = lab[i]!;
        lab[i] = lab[j]!;
        lab[j] = t;
      }
      for (let i = 0; i < g.length; i++) perm[g[i]!] = lab[i]!;
    }
    const s = statOf(kind, units, perm);
    if (!Number.isFinite(s)) undef++;
    else if (Math.abs(s) >= threshold) extreme++;
  }
  return { observed, p_value: (extreme + 1) / (replicates + 1), replicates, undefined_replicates: undef };
}

export interface BootstrapResult {
  observed: number;
  conf_low: number;
  conf_high: number;
  std_error: number;
  replicates: number;
  undefined_replicates: number;
}

/**
 * Percentile bootstrap CI (R `quantile(type = 7)` of the replicates), resampling units within arm.
 * For `log_ratio` the CI is on the log scale (the caller exponentiates).
 * @throws RangeError when fewer than 10 replicates are finite.
 */
export function bootstrapCi(
  kind: ResampleStatistic,
  units: ResampleUnits,
  replicates: number,
  alpha: number,
  rng: Rng,
): BootstrapResult {
  const observed = statOf(kind, units, units.arm);
  const tUnits: number[] = [];
  const cUnits: number[] = [];
  for (let k = 0; k < units.arm.length; k++) (units.arm[k] ? tUnits : cUnits).push(k);
  const draws: number[] = [];
  let undef = 0;
  for (let r = 0; r < replicates; r++) {
    let sT = 0;
    let mT = 0;
    let sC = 0;
    let mC = 0;
    for (let i = 0; i < tUnits.length; i++) {
      const k = tUnits[rng.int(tUnits.length)]!;
      sT += units.sum[k]!;
      mT += units.size[k]!;
    }
    for (let i = 0; i < cUnits.length; i++) {
      const k = cUnits[rng.int(cUnits.length)]!;
      sC += units.sum[k]!;
      mC += units.size[k]!;
    }
    const s = statistic(kind, sT, mT, sC, mC);
    if (Number.isFinite(s)) draws.push(s);
    else undef++;
  }
  if (draws.length < 10)
    throw new RangeError(`only ${draws.length} of ${replicates} bootstrap replicates gave a finite estimate`);
  draws.sort((a, b) => a - b);
  let mean = 0;
  for (const d of draws) mean += d;
  mean /= draws.length;
  let ss = 0;
  for (const d of draws) ss += (d - mean) ** 2;
  return {
    observed,
    conf_low: quantile7(draws, alpha / 2),
    conf_high: quantile7(draws, 1 - alpha / 2),
    std_error: Math.sqrt(ss / (draws.length - 1)),
    replicates,
    undefined_replicates: undef,
  };
}

/** R quantile type 7 of sorted values. */
export function quantile7(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
