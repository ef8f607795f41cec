/**
 * Simple randomisation (randomizr `simple_ra`): each unit independently, arm i with probability
 * w_i / W. Counts are random; use `complete` for exact counts.
 */
import type { Rng } from '../random.js';
import { totalWeight } from './ratio.js';
import { constantProbabilityMatrix } from './probabilities.js';

/** One independent draw: a uniform integer in [0, W) mapped to the arm whose share contains it. */
export function simpleDraw(weights: readonly number[], total: number, rng: Rng): number {
  let u = rng.int(total);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/**
 * Assigns n units independently.
 * @returns arm index per unit
 */
export function simpleAssign(n: number, weights: readonly number[], rng: Rng): Int32Array {
  const W = totalWeight(weights);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = simpleDraw(weights, W, rng);
  return out;
}

/** Each unit's arm probabilities: w_i / W. */
export function simpleProbabilities(n: number, weights: readonly number[]): number[][] {
  return constantProbabilityMatrix(n, weights);
}
