/**
 * Blocked cluster randomisation (randomizr `block_and_cluster_ra`): clusters are randomised by
 * complete randomisation within each block. Every cluster must lie inside one block.
 */
import type { Rng } from '../random.js';
import { completeAssign } from './complete.js';
import { constantProbabilityMatrix } from './probabilities.js';
import { compareText, groupIndices } from './streams.js';

/** A cluster found in two blocks: the units (indices) where each block was first seen. */
export interface ClusterSpan {
  cluster: string;
  firstIndex: number;
  firstBlock: string;
  otherIndex: number;
  otherBlock: string;
}

/** Clusters that span more than one block (first conflict per cluster, in file order). */
export function findClustersSpanningBlocks(blocks: readonly string[], clusters: readonly string[]): ClusterSpan[] {
  const home = new Map<string, number>();
  const reported = new Set<string>();
  const spans: ClusterSpan[] = [];
  for (let i = 0; i < clusters.length; i++) {
    const c = clusters[i]!;
    const first = home.get(c);
    if (first === undefined) home.set(c, i);
    else if (blocks[first] !== blocks[i] && !reported.has(c)) {
      reported.add(c);
      spans.push({ cluster: c, firstIndex: first, firstBlock: blocks[first]!, otherIndex: i, otherBlock: blocks[i]! });
    }
  }
  return spans;
}

/**
 * @throws RangeError when a cluster spans blocks (validate with findClustersSpanningBlocks first)
 * @returns arm index per unit
 */
export function blockClusterAssign(
  blocks: readonly string[],
  clusters: readonly string[],
  weights: readonly number[],
  rng: Rng,
): Int32Array {
  const spans = findClustersSpanningBlocks(blocks, clusters);
  if (spans.length)
    throw new RangeError(
      `cluster ${spans[0]!.cluster} spans blocks ${spans[0]!.firstBlock} and ${spans[0]!.otherBlock}`,
    );
  const out = new Int32Array(clusters.length);
  const { keys: clusterKeys, members } = groupIndices(clusters);
  const byBlock = new Map<string, string[]>();
  for (const c of clusterKeys) {
    const b = blocks[members.get(c)![0]!]!;
    const list = byBlock.get(b);
    if (list) list.push(c);
    else byBlock.set(b, [c]);
  }
  for (const b of [...byBlock.keys()].sort(compareText)) {
    const cs = byBlock.get(b)!;
    const arms = completeAssign(cs.length, weights, rng);
    cs.forEach((c, j) => {
      for (const i of members.get(c)!) out[i] = arms[j]!;
    });
  }
  return out;
}

/** Each unit's arm probabilities: w_i / W. */
export function blockClusterProbabilities(blocks: readonly string[], weights: readonly number[]): number[][] {
  return constantProbabilityMatrix(blocks.length, weights);
}
