/**
 * Block (stratified) randomisation (randomizr `block_ra`): complete randomisation within each
 * block, blocks taken in sorted label order. Within every block each arm gets floor or ceiling of
 * its share; remainders follow the complete-randomisation rule, so a block smaller than the ratio
 * (say 2 people with 1:2) is still allowed and keeps exact probabilities.
 */
import type { Rng } from '../random.js';
import { completeAssign } from './complete.js';
import { constantProbabilityMatrix } from './probabilities.js';
import { groupIndices } from './streams.js';

/** @returns arm index per unit */
export function blockAssign(blocks: readonly string[], weights: readonly number[], rng: Rng): Int32Array {
  const out = new Int32Array(blocks.length);
  const { keys, members } = groupIndices(blocks);
  for (const key of keys) {
    const idx = members.get(key)!;
    const arms = completeAssign(idx.length, weights, rng);
    for (let j = 0; j < idx.length; j++) out[idx[j]!] = arms[j]!;
  }
  return out;
}

/** Each unit's arm probabilities: w_i / W in every block. */
export function blockProbabilities(blocks: readonly string[], weights: readonly number[]): number[][] {
  return constantProbabilityMatrix(blocks.length, weights);
}
