/**
 * Cluster randomisation (randomizr `cluster_ra`): complete randomisation of the distinct clusters
 * (sorted label order); every unit takes its cluster's arm, so clusters stay intact.
 */
import type { Rng } from '../random.js';
import { completeAssign } from './complete.js';
import { constantProbabilityMatrix } from './probabilities.js';
import { groupIndices } from './streams.js';

/** @returns arm index per unit */
export function clusterAssign(clusters: readonly string[], weights: readonly number[], rng: Rng): Int32Array {
  const out = new Int32Array(clusters.length);
  const { keys, members } = groupIndices(clusters);
  const arms = completeAssign(keys.length, weights, rng);
  keys.forEach((key, c) => {
    for (const i of members.get(key)!) out[i] = arms[c]!;
  });
  return out;
}

/** Each unit's arm probabilities: its cluster's, w_i / W. */
export function clusterProbabilities(clusters: readonly string[], weights: readonly number[]): number[][] {
  return constantProbabilityMatrix(clusters.length, weights);
}
