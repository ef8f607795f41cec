/**
 * Declaring a design: options validated once into a serialisable `AllocationDesign` (randomizr /
 * DeclareDesign style), with errors that name the conflicting options and suggest the fix.
 */
import { UsageError } from '../errors.js';
import { METHODS, type AllocationDesign, type Method } from './allocate.js';
import { parseFactors } from './minimise.js';
import { parseNested } from './nested.js';
import { checkBlockSizes } from './permuted-block.js';
import { parseArms, parseProb, parseRatio, totalWeight } from './ratio.js';

export interface DesignOptions {
  method: string;
  arms?: string;
  ratio?: string;
  prob?: string;
  /** Block / stratum column (canonical, lower case). */
  block?: string;
  cluster?: string;
  blockSizes?: string;
  factors?: string;
  minimiseP?: number;
  nested?: string;
  nestedRatio?: string;
}

/** A design plus the input columns it reads. */
export interface DeclaredDesign {
  design: AllocationDesign;
  blockColumn: string | null;
  clusterColumn: string | null;
}

const USES_BLOCK: Method[] = ['block', 'block-cluster', 'permuted-block'];
const USES_CLUSTER: Method[] = ['cluster', 'block-cluster'];

/** The largest permuted block: a block is drawn whole, so a huge one would hang and mean nothing. */
export const MAX_BLOCK_SIZE = 10_000;

function parseSizes(text: string): number[] {
  return text.split(',').map((s) => {
    const t = s.trim();
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_BLOCK_SIZE)
      throw new UsageError(
        `--block-sizes must be whole numbers from 1 to ${MAX_BLOCK_SIZE} separated by commas (e.g. 2,4), got ${JSON.stringify(text)}`,
      );
    return Number(t);
  });
}

/** @throws UsageError naming the option at fault */
export function declareDesign(o: DesignOptions): DeclaredDesign {
  if (!(METHODS as readonly string[]).includes(o.method)) {
    throw new UsageError(`--method must be one of ${METHODS.join(', ')}; got ${JSON.stringify(o.method)}`);
  }
  const method = o.method as Method;
  const arms = parseArms(o.arms ?? 'control,treatment');
  if (o.ratio !== undefined && o.prob !== undefined)
    throw new UsageError('give either --ratio or --prob, not both (--prob 0.3 is --ratio 7:3)');
  const weights =
    o.prob !== undefined
      ? parseProb(o.prob, arms.length)
      : o.ratio !== undefined
        ? parseRatio(o.ratio, arms.length)
        : arms.map(() => 1);

  const block = o.block?.trim().toLowerCase() || null;
  const cluster = o.cluster?.trim().toLowerCase() || null;
  if (block && !USES_BLOCK.includes(method))
    throw new UsageError(
      `--block is used only by --method ${USES_BLOCK.join(', ')}; for blocked randomisation use --method block`,
    );
  if (cluster && !USES_CLUSTER.includes(method))
    throw new UsageError(`--cluster is used only by --method cluster or block-cluster (got --method ${method})`);
  if ((method === 'block' || method === 'block-cluster') && !block)
    throw new UsageError(`--method ${method} needs --block <column> (e.g. --block site)`);
  if (USES_CLUSTER.includes(method) && !cluster)
    throw new UsageError(`--method ${method} needs --cluster <column> (e.g. --cluster team)`);
  if (block && cluster && block === cluster) throw new UsageError('--block and --cluster name the same column');

  if (o.factors !== undefined && method !== 'minimise')
    throw new UsageError('--factors is used only by --method minimise');
  if (o.minimiseP !== undefined && method !== 'minimise')
    throw new UsageError('--minimise-p is used only by --method minimise');
  if (method === 'minimise' && o.factors === undefined)
    throw new UsageError('--method minimise needs --factors <col,...> (e.g. --factors site:2,sex)');
  const factors = method === 'minimise' ? parseFactors(o.factors!) : [];
  const minimiseP = o.minimiseP ?? 0.8;
  if (method === 'minimise' && !(minimiseP > 0 && minimiseP <= 1))
    throw new UsageError(`--minimise-p must be above 0 and at most 1, got ${minimiseP}`);

  if (o.nestedRatio !== undefined && o.nested === undefined)
    throw new UsageError('--nested-ratio needs --nested <arm>:<sub_arm>,<sub_arm>');
  const nested = o.nested !== undefined ? parseNested(o.nested, arms, o.nestedRatio) : null;

  if (o.blockSizes !== undefined && method !== 'permuted-block')
    throw new UsageError('--block-sizes is used only by --method permuted-block');
  let blockSizes: number[] = [];
  if (method === 'permuted-block') {
    const W = totalWeight(weights);
    blockSizes = o.blockSizes !== undefined ? parseSizes(o.blockSizes) : [W, 2 * W];
    checkBlockSizes(blockSizes, weights);
    if (nested) {
      try {
        checkBlockSizes(blockSizes, nested.weights);
      } catch {
        const V = totalWeight(nested.weights);
        throw new UsageError(
          `--block-sizes ${blockSizes.join(',')} must also fit the nested ratio ${nested.weights.join(':')} (the sub-arms use the same block sizes): use multiples of ${(W * V) / gcd(W, V)}`,
        );
      }
    }
  }
  for (const f of factors) {
    if (f.name === block || f.name === cluster)
      throw new UsageError(`--factors ${f.name} is also the block or cluster column`);
  }
  return {
    design: { method, arms, weights, blockSizes, factors, minimiseP: method === 'minimise' ? minimiseP : 0, nested },
    blockColumn: block,
    clusterColumn: cluster,
  };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
