/**
 * Complete randomisation (randomizr `complete_ra`): exact arm counts, then a random permutation.
 *
 * Remainders: arm i first gets floor(n w_i / W). The leftover R units go to arms chosen without
 * replacement with inclusion probability r_i / W, where r_i = n w_i - W floor(n w_i / W) (so
 * sum r_i = R W), by systematic sampling with one uniform start. Every arm's count is then its
 * floor or its ceiling, its expected count is exactly n w_i / W, and every unit's probability of
 * arm i is exactly w_i / W (randomizr gets the same expectation; systematic sampling also keeps
 * each arm within floor/ceil).
 */
import { shuffle, type Rng } from '../random.js';
import { totalWeight } from './ratio.js';
import { constantProbabilityMatrix } from './probabilities.js';

/**
 * Arm counts for n units: floor(n w_i / W) plus the remainder units drawn as described above.
 * @example armCounts(10, [1, 1], createRng(1)) // => [5, 5]
 */
export function armCounts(n: number, weights: readonly number[], rng: Rng): number[] {
  const W = totalWeight(weights);
  const counts = weights.map((w) => Math.floor((n * w) / W));
  const remainders = weights.map((w, i) => n * w - W * counts[i]!);
  const R = n - totalWeight(counts);
  if (R === 0) return counts;
  // Systematic sampling: points u, u + W, u + 2W, ... over the cumulative remainders (total R W).
  const u = rng.int(W);
  let lo = 0;
  for (let i = 0; i < weights.length; i++) {
    const hi = lo + remainders[i]!;
    const k = lo <= u ? 0 : Math.ceil((lo - u) / W);
    if (u + k * W < hi) counts[i]!++;
    lo = hi;
  }
  return counts;
}

/** Assigns n units to exact counts in random order. @returns arm index per unit */
export function completeAssign(n: number, weights: readonly number[], rng: Rng): Int32Array {
  const counts = armCounts(n, weights, rng);
  const out = new Int32Array(n);
  let pos = 0;
  counts.forEach((c, arm) => {
    out.fill(arm, pos, pos + c);
    pos += c;
  });
  return shuffle(rng, out);
}

/** Each unit's arm probabilities: exactly w_i / W (see the remainder rule above). */
export function completeProbabilities(n: number, weights: readonly number[]): number[][] {
  return constantProbabilityMatrix(n, weights);
}
