/**
 * Assignment probabilities shared by the method modules (their `*Probabilities` twins call these).
 * Every design here gives every unit the same marginal probability w_i / W of arm i, because the
 * remainder rule keeps expected counts at exactly n w_i / W and units are exchangeable within a
 * block; the tests check this empirically over many seeds.
 */
import { totalWeight } from './ratio.js';

/** Probability of each arm for one unit: w_i / W. */
export function armProbabilities(weights: readonly number[]): number[] {
  const W = totalWeight(weights);
  return weights.map((w) => w / W);
}

/** An n x k matrix with the same row of probabilities for every unit (randomizr's prob matrix). */
export function constantProbabilityMatrix(n: number, weights: readonly number[]): number[][] {
  const row = armProbabilities(weights);
  return Array.from({ length: n }, () => row.slice());
}

/**
 * Joint probabilities of (arm, sub_arm) under a nested second stage inside `nestedArm`:
 * P(arm a) for arms without a second stage; P(arm) x P(sub | arm) for its sub-arms.
 * @example
 * nestedProbabilities(['control', 'treatment'], [1, 1], 'treatment', ['told', 'not_told'], [1, 1]) // => { control: 0.5, 'treatment/told': 0.25, 'treatment/not_told': 0.25 }
 */
export function nestedProbabilities(
  arms: readonly string[],
  weights: readonly number[],
  nestedArm: string,
  subArms: readonly string[],
  subWeights: readonly number[],
): Record<string, number> {
  const p = armProbabilities(weights);
  const q = armProbabilities(subWeights);
  const out: Record<string, number> = {};
  arms.forEach((a, i) => {
    if (a === nestedArm) subArms.forEach((s, j) => (out[`${a}/${s}`] = p[i]! * q[j]!));
    else out[a] = p[i]!;
  });
  return out;
}
