/**
 * Permuted blocks with random block sizes, for rolling recruitment lists: within each stratum a
 * sequence of blocks, each of a size drawn uniformly from `sizes` (every size a multiple of W)
 * and holding exactly size x w_i / W of arm i in random order. Units take the next place in their
 * stratum's sequence in recruitment (file) order, so the running imbalance in a stratum never
 * exceeds one block's worth, and random sizes make the next allocation hard to guess.
 */
import { shuffle, type Rng } from '../random.js';
import { UsageError } from '../errors.js';
import { totalWeight } from './ratio.js';
import { constantProbabilityMatrix } from './probabilities.js';

/** Checks block sizes against the ratio. @throws UsageError naming the option and the fix */
export function checkBlockSizes(sizes: readonly number[], weights: readonly number[], option = '--block-sizes'): void {
  const W = totalWeight(weights);
  if (sizes.length === 0) throw new UsageError(`${option} needs at least one block size`);
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 1 || s % W !== 0) {
      throw new UsageError(
        `${option}: block size ${s} cannot hold the ratio ${weights.join(':')} exactly; every size must be a multiple of ${W} (e.g. ${W},${2 * W})`,
      );
    }
  }
}

/** One stratum's endless sequence of permuted blocks. */
export class PermutedBlockSequence {
  private block = new Int32Array(0);
  private pos = 0;
  /** Blocks started so far. */
  blocksStarted = 0;

  constructor(
    private readonly weights: readonly number[],
    private readonly sizes: readonly number[],
    private readonly rng: Rng,
  ) {
    checkBlockSizes(sizes, weights);
  }

  private newBlock(): void {
    const size = this.sizes[this.rng.int(this.sizes.length)]!;
    const W = totalWeight(this.weights);
    const block = new Int32Array(size);
    let p = 0;
    this.weights.forEach((w, arm) => {
      const c = (size / W) * w;
      block.fill(arm, p, p + c);
      p += c;
    });
    this.block = shuffle(this.rng, block);
    this.pos = 0;
    this.blocksStarted++;
  }

  /** The next arm in this stratum. */
  next(): number {
    if (this.pos >= this.block.length) this.newBlock();
    return this.block[this.pos++]!;
  }

  /**
   * Probabilities of the next unit's arm given what has been allocated in the current block
   * (remaining places / places left; w_i / W at the start of a block).
   */
  nextProbabilities(): number[] {
    const left = this.block.length - this.pos;
    if (left === 0) {
      const W = totalWeight(this.weights);
      return this.weights.map((w) => w / W);
    }
    const counts = this.weights.map(() => 0);
    for (let i = this.pos; i < this.block.length; i++) counts[this.block[i]!]!++;
    return counts.map((c) => c / left);
  }
}

/**
 * Fresh permuted-block allocation: units in file order, one sequence per stratum, each stratum's
 * generator from `rngFor(stratum)`. @returns arm index per unit
 */
export function permutedBlockAssign(
  strata: readonly string[],
  weights: readonly number[],
  sizes: readonly number[],
  rngFor: (stratum: string) => Rng,
): Int32Array {
  const sequences = new Map<string, PermutedBlockSequence>();
  const out = new Int32Array(strata.length);
  for (let i = 0; i < strata.length; i++) {
    const s = strata[i]!;
    let seq = sequences.get(s);
    if (!seq) sequences.set(s, (seq = new PermutedBlockSequence(weights, sizes, rngFor(s))));
    out[i] = seq.next();
  }
  return out;
}

/** Unconditional arm probabilities: w_i / W for every unit (places in a block are exchangeable). */
export function permutedBlockProbabilities(n: number, weights: readonly number[]): number[][] {
  return constantProbabilityMatrix(n, weights);
}
