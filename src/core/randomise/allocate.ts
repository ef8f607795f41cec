/**
 * Conducting a declared design on a batch of units, given what was allocated before (a ledger).
 *
 * A plain run is batch 1 with no prior allocation. For rolling recruitment:
 * - simple and minimise use one stream per stage and replay the prior units through it (checking
 *   each recorded arm), so any split into batches gives the same arms as one sequential run;
 * - permuted-block uses one stream per stratum and replays it past the units already in that
 *   stratum, continuing inside the current block;
 * - complete, block, cluster and block-cluster randomise each batch's new units as a whole
 *   (stream per batch); a new unit whose cluster is already allocated joins its cluster's arm.
 */
import { IntegrityError } from '../errors.js';
import type { Rng } from '../random.js';
import { blockClusterAssign } from './block-cluster.js';
import { blockAssign } from './block.js';
import { clusterAssign } from './cluster.js';
import { completeAssign } from './complete.js';
import { Minimiser, type MinimiseFactor } from './minimise.js';
import { unitsInArm, type NestedDesign } from './nested.js';
import { PermutedBlockSequence } from './permuted-block.js';
import { totalWeight } from './ratio.js';
import { simpleDraw } from './simple.js';
import { compareText, streamRng } from './streams.js';

export const METHODS = [
  'simple',
  'complete',
  'block',
  'cluster',
  'block-cluster',
  'permuted-block',
  'minimise',
] as const;
export type Method = (typeof METHODS)[number];

/** A declared, validated design (serialisable into the manifest). */
export interface AllocationDesign {
  method: Method;
  arms: string[];
  weights: number[];
  /** Permuted-block sizes (units); empty for other methods. */
  blockSizes: number[];
  /** Minimisation factors; empty for other methods. */
  factors: MinimiseFactor[];
  minimiseP: number;
  nested: NestedDesign | null;
}

/** Units in recruitment order, column by column. */
export interface UnitColumns {
  ids: string[];
  /** Block / stratum label per unit, or null when the design has none. */
  blocks: string[] | null;
  clusters: string[] | null;
  /** levels[f][i]: unit i's level of factor f (minimise only; [] otherwise). */
  levels: string[][];
}

/** Units already allocated (ledger rows in sequence order). */
export interface PriorAllocation extends UnitColumns {
  arms: Int32Array;
  /** Sub-arm index, -1 when the unit has none. */
  subArms: Int32Array;
}

export interface BatchAllocation {
  arms: Int32Array;
  subArms: Int32Array;
}

export function emptyUnits(): UnitColumns {
  return { ids: [], blocks: null, clusters: null, levels: [] };
}

function pick<T>(arr: T[] | null, idx: Int32Array | null): T[] | null {
  if (arr === null || idx === null) return arr;
  return Array.from(idx, (i) => arr[i]!);
}

function subset(cols: UnitColumns, idx: Int32Array | null): UnitColumns {
  if (idx === null) return cols;
  return {
    ids: pick(cols.ids, idx)!,
    blocks: pick(cols.blocks, idx),
    clusters: pick(cols.clusters, idx),
    levels: cols.levels.map((l) => pick(l, idx)!),
  };
}

interface Stage {
  name: 'arm' | 'sub';
  labels: string[];
  weights: number[];
}

/** A prior (ledger) allocation that the seed and design do not reproduce. */
export class ReplayMismatchError extends IntegrityError {
  constructor(
    readonly id: string,
    readonly column: 'arm' | 'sub_arm',
    readonly recorded: string,
    readonly replayed: string,
  ) {
    super(
      `id ${id}: recorded ${column} ${recorded} but the seed and design give ${replayed}; the ledger was not made with this seed and design, or has been altered`,
    );
    this.name = 'ReplayMismatchError';
  }
}

function mismatch(stage: Stage, id: string, recorded: number, replayed: number): IntegrityError {
  return new ReplayMismatchError(
    id,
    stage.name === 'arm' ? 'arm' : 'sub_arm',
    stage.labels[recorded] ?? '(none)',
    stage.labels[replayed]!,
  );
}

function runStage(
  design: AllocationDesign,
  stage: Stage,
  seed: number,
  batch: number,
  prior: UnitColumns,
  priorAssigned: Int32Array,
  units: UnitColumns,
): Int32Array {
  const n = units.ids.length;
  const { weights } = stage;
  const batchRng = (): Rng => streamRng(seed, stage.name, design.method, 'batch', batch);
  switch (design.method) {
    case 'simple': {
      const rng = streamRng(seed, stage.name, 'simple');
      const W = totalWeight(weights);
      for (let i = 0; i < prior.ids.length; i++) {
        const a = simpleDraw(weights, W, rng);
        if (a !== priorAssigned[i]) throw mismatch(stage, prior.ids[i]!, priorAssigned[i]!, a);
      }
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = simpleDraw(weights, W, rng);
      return out;
    }
    case 'complete':
      return completeAssign(n, weights, batchRng());
    case 'block':
      return blockAssign(units.blocks!, weights, batchRng());
    case 'cluster':
    case 'block-cluster': {
      const known = new Map<string, number>();
      prior.clusters!.forEach((c, i) => {
        const a = priorAssigned[i]!;
        const had = known.get(c);
        if (had !== undefined && had !== a) {
          throw new IntegrityError(
            `cluster ${c} has units in two ${stage.name === 'arm' ? 'arms' : 'sub-arms'} (${stage.labels[had]}, ${stage.labels[a]}) in the ledger (id ${prior.ids[i]})`,
          );
        }
        known.set(c, a);
      });
      const out = new Int32Array(n);
      const fresh: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = known.get(units.clusters![i]!);
        if (a === undefined) fresh.push(i);
        else out[i] = a;
      }
      if (fresh.length) {
        const f = Int32Array.from(fresh);
        const cl = pick(units.clusters, f)!;
        const arms =
          design.method === 'cluster'
            ? clusterAssign(cl, weights, batchRng())
            : blockClusterAssign(pick(units.blocks, f)!, cl, weights, batchRng());
        fresh.forEach((i, j) => (out[i] = arms[j]!));
      }
      return out;
    }
    case 'permuted-block': {
      const sequences = new Map<string, PermutedBlockSequence>();
      const seqFor = (s: string) => {
        let q = sequences.get(s);
        if (!q)
          sequences.set(
            s,
            (q = new PermutedBlockSequence(
              weights,
              design.blockSizes,
              streamRng(seed, stage.name, 'permuted-block', s),
            )),
          );
        return q;
      };
      for (let i = 0; i < prior.ids.length; i++) {
        const a = seqFor(prior.blocks ? prior.blocks[i]! : '').next();
        if (a !== priorAssigned[i]) throw mismatch(stage, prior.ids[i]!, priorAssigned[i]!, a);
      }
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = seqFor(units.blocks ? units.blocks[i]! : '').next();
      return out;
    }
    case 'minimise': {
      const m = new Minimiser(
        weights,
        design.factors.map((f) => f.weight),
        design.minimiseP,
      );
      const rng = streamRng(seed, stage.name, 'minimise');
      const row = new Array<string>(design.factors.length);
      const fill = (cols: UnitColumns, i: number) => {
        for (let f = 0; f < row.length; f++) row[f] = cols.levels[f]![i]!;
      };
      for (let i = 0; i < prior.ids.length; i++) {
        fill(prior, i);
        const a = m.choose(row, rng);
        if (a !== priorAssigned[i]) throw mismatch(stage, prior.ids[i]!, priorAssigned[i]!, a);
        m.add(row, a);
      }
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        fill(units, i);
        const a = m.choose(row, rng);
        m.add(row, a);
        out[i] = a;
      }
      return out;
    }
  }
}

/**
 * Allocates `units` (new, in recruitment order) given the `prior` allocation, as batch `batch`.
 * @throws IntegrityError when the prior allocation cannot have come from this seed and design
 */
export function allocateBatch(
  design: AllocationDesign,
  seed: number,
  prior: PriorAllocation,
  units: UnitColumns,
  batch: number,
): BatchAllocation {
  const armStage: Stage = { name: 'arm', labels: design.arms, weights: design.weights };
  const arms = runStage(design, armStage, seed, batch, prior, prior.arms, units);
  const subArms = new Int32Array(arms.length).fill(-1);
  if (design.nested) {
    const k = design.arms.indexOf(design.nested.arm);
    const subStage: Stage = { name: 'sub', labels: design.nested.subArms, weights: design.nested.weights };
    const priorIdx = unitsInArm(prior.arms, k);
    const unitIdx = unitsInArm(arms, k);
    const priorSub = Int32Array.from(priorIdx, (i) => prior.subArms[i]!);
    const sub = runStage(design, subStage, seed, batch, subset(prior, priorIdx), priorSub, subset(units, unitIdx));
    unitIdx.forEach((i, j) => (subArms[i] = sub[j]!));
  }
  return { arms, subArms };
}

/** Contract-shaped counts: arms, sub_arms, strata (or factor levels for minimise), clusters per arm. */
export interface AllocationSummary {
  n: number;
  arms: Record<string, number>;
  sub_arms: Record<string, number>;
  strata: Record<string, Record<string, number>>;
  clusters: Record<string, number>;
}

export function summarise(
  design: AllocationDesign,
  units: UnitColumns,
  arms: Int32Array,
  subArms: Int32Array,
): AllocationSummary {
  const zero = () => Object.fromEntries(design.arms.map((a) => [a, 0])) as Record<string, number>;
  const armCounts = zero();
  const subCounts: Record<string, number> = design.nested
    ? Object.fromEntries(design.nested.subArms.map((s) => [s, 0]))
    : {};
  const strata = new Map<string, Record<string, number>>();
  const bump = (key: string, arm: string) => {
    let s = strata.get(key);
    if (!s) strata.set(key, (s = zero()));
    s[arm]!++;
  };
  const clusterArm = new Map<string, string>();
  for (let i = 0; i < arms.length; i++) {
    const arm = design.arms[arms[i]!]!;
    armCounts[arm]!++;
    if (design.nested && subArms[i]! >= 0) subCounts[design.nested.subArms[subArms[i]!]!]!++;
    if (units.blocks) bump(units.blocks[i]!, arm);
    design.factors.forEach((f, k) => bump(`${f.name}=${units.levels[k]![i]}`, arm));
    if (units.clusters) clusterArm.set(units.clusters[i]!, arm);
  }
  const clusters: Record<string, number> = units.clusters ? zero() : {};
  for (const arm of clusterArm.values()) clusters[arm]!++;
  const strataObj: Record<string, Record<string, number>> = {};
  for (const k of [...strata.keys()].sort(compareText)) strataObj[k] = strata.get(k)!;
  return { n: arms.length, arms: armCounts, sub_arms: subCounts, strata: strataObj, clusters };
}

/**
 * Blocks too small for the ratio under complete-within-block designs: fewer units (or, for
 * block-cluster, clusters) than the ratio's total W, so at least one arm may get none. Allowed
 * (the remainder rule keeps each unit's probability exact) but reported as a warning.
 */
export function smallBlocks(design: AllocationDesign, units: UnitColumns): Array<{ block: string; size: number }> {
  if (!units.blocks || (design.method !== 'block' && design.method !== 'block-cluster')) return [];
  const W = totalWeight(design.weights);
  const sizes = new Map<string, number>();
  if (design.method === 'block') {
    for (const b of units.blocks) sizes.set(b, (sizes.get(b) ?? 0) + 1);
  } else {
    const seen = new Set<string>();
    units.clusters!.forEach((c, i) => {
      if (seen.has(c)) return;
      seen.add(c);
      const b = units.blocks![i]!;
      sizes.set(b, (sizes.get(b) ?? 0) + 1);
    });
  }
  return [...sizes.keys()]
    .sort(compareText)
    .filter((b) => sizes.get(b)! < W)
    .map((b) => ({ block: b, size: sizes.get(b)! }));
}
