import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import { IntegrityError, UsageError } from '../errors.js';
import { parseArms, parseProb, parseRatio } from './ratio.js';
import { armCounts, completeAssign, completeProbabilities } from './complete.js';
import { simpleAssign, simpleProbabilities } from './simple.js';
import { blockAssign, blockProbabilities } from './block.js';
import { clusterAssign, clusterProbabilities } from './cluster.js';
import { blockClusterAssign, findClustersSpanningBlocks } from './block-cluster.js';
import { PermutedBlockSequence, permutedBlockAssign, permutedBlockProbabilities } from './permuted-block.js';
import { Minimiser, minimiseAssign, minimiseProbabilities, parseFactors } from './minimise.js';
import { parseNested } from './nested.js';
import { nestedProbabilities } from './probabilities.js';
import {
  allocateBatch,
  emptyUnits,
  ReplayMismatchError,
  type AllocationDesign,
  type PriorAllocation,
  type UnitColumns,
} from './allocate.js';
import { declareDesign } from './design.js';
import { canonicalJson, genesisHash, rowHash, verifyChain } from './ledger.js';
import { streamRng } from './streams.js';

const counts = (a: Int32Array, k: number) => {
  const c = new Array<number>(k).fill(0);
  for (const x of a) c[x]!++;
  return c;
};

/** Checks per-unit empirical frequencies against a probability matrix within 4.5 binomial SEs. */
function expectFrequencies(
  reps: number,
  n: number,
  k: number,
  draw: (seed: number) => Int32Array,
  probs: number[][],
): void {
  const hits = Array.from({ length: n }, () => new Array<number>(k).fill(0));
  for (let s = 0; s < reps; s++) {
    const a = draw(s);
    for (let i = 0; i < n; i++) hits[i]![a[i]!]!++;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const p = probs[i]![j]!;
      const se = Math.sqrt((p * (1 - p)) / reps);
      expect(Math.abs(hits[i]![j]! / reps - p)).toBeLessThan(4.5 * se + 1e-12);
    }
  }
}

describe('ratio, arms, nested and factor parsing', () => {
  it('reduces ratios to integer weights and converts probabilities exactly', () => {
    expect(parseRatio('1:2', 2)).toEqual([1, 2]);
    expect(parseRatio('2:4:2', 3)).toEqual([1, 2, 1]);
    expect(parseRatio('1.5:1', 2)).toEqual([3, 2]);
    expect(parseProb('0.3', 2)).toEqual([7, 3]);
    expect(parseProb('0.25,0.25,0.5', 3)).toEqual([1, 1, 2]);
    expect(parseArms('a, b ,c')).toEqual(['a', 'b', 'c']);
  });
  it('pins the error messages', () => {
    expect(() => parseRatio('1:2', 3)).toThrow(
      new UsageError('--ratio "1:2" has 2 part(s) but --arms names 3 arm(s); give one part per arm, e.g. 1:1:1'),
    );
    expect(() => parseRatio('0:1', 2)).toThrow('--ratio: every arm needs a share above zero, got "0:1"');
    expect(() => parseProb('0.3,0.6', 2)).toThrow('--prob "0.3,0.6" must sum to exactly 1');
    expect(() => parseProb('1', 2)).toThrow('--prob must be strictly between 0 and 1, got 1');
    expect(() => parseArms('a,a')).toThrow('--arms names arm "a" twice');
    expect(() => parseNested('treated:told,not_told', ['control', 'treatment'])).toThrow(
      '--nested names arm "treated", which is not one of --arms (control, treatment)',
    );
    expect(parseNested('treatment:told,not_told', ['control', 'treatment'], '1:2')).toEqual({
      arm: 'treatment',
      subArms: ['told', 'not_told'],
      weights: [1, 2],
    });
    expect(parseFactors('Site:2,sex')).toEqual([
      { name: 'site', weight: 2 },
      { name: 'sex', weight: 1 },
    ]);
    expect(() => parseFactors('site:x')).toThrow('--factors: weight of site must be a positive number, got "x"');
  });
  it('declares designs and names conflicting options', () => {
    expect(() => declareDesign({ method: 'stratified' })).toThrow(
      '--method must be one of simple, complete, block, cluster, block-cluster, permuted-block, minimise; got "stratified"',
    );
    expect(() => declareDesign({ method: 'block' })).toThrow(
      '--method block needs --block <column> (e.g. --block site)',
    );
    expect(() => declareDesign({ method: 'complete', cluster: 'team' })).toThrow(
      '--cluster is used only by --method cluster or block-cluster (got --method complete)',
    );
    expect(() => declareDesign({ method: 'permuted-block', ratio: '1:2', blockSizes: '2,4' })).toThrow(
      '--block-sizes: block size 2 cannot hold the ratio 1:2 exactly; every size must be a multiple of 3 (e.g. 3,6)',
    );
    expect(() => declareDesign({ method: 'complete', ratio: '1:1', prob: '0.5' })).toThrow(
      'give either --ratio or --prob, not both',
    );
    expect(declareDesign({ method: 'permuted-block', ratio: '1:2' }).design.blockSizes).toEqual([3, 6]);
  });
});

describe('complete randomisation and the remainder rule', () => {
  it('gives every arm its floor or ceiling and the exact total', () => {
    const bad: string[] = [];
    for (const w of [
      [1, 1],
      [1, 2],
      [1, 1, 1],
      [3, 7],
      [2, 3, 5],
    ]) {
      const W = w.reduce((a, b) => a + b, 0);
      for (let n = 0; n <= 23; n++) {
        for (let s = 0; s < 40; s++) {
          const c = armCounts(n, w, createRng(s * 100 + n));
          if (c.reduce((a, b) => a + b, 0) !== n) bad.push(`sum n=${n} w=${w}`);
          c.forEach((x, i) => {
            if (x < Math.floor((n * w[i]!) / W) || x > Math.ceil((n * w[i]!) / W))
              bad.push(`n=${n} w=${w} arm ${i}: ${x}`);
          });
          if (counts(completeAssign(n, w, createRng(s)), w.length).join() !== armCounts(n, w, createRng(s)).join())
            bad.push(`assign n=${n}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
  it('keeps each unit at exactly w_i / W (empirical, 10,000 seeds)', () => {
    expectFrequencies(10000, 7, 2, (s) => completeAssign(7, [1, 2], createRng(s)), completeProbabilities(7, [1, 2]));
    expectFrequencies(
      10000,
      5,
      3,
      (s) => completeAssign(5, [1, 1, 2], createRng(s)),
      completeProbabilities(5, [1, 1, 2]),
    );
  });
  it('simple randomisation draws w_i / W independently', () => {
    expectFrequencies(10000, 4, 2, (s) => simpleAssign(4, [7, 3], createRng(s)), simpleProbabilities(4, [7, 3]));
  });
});

describe('block, cluster and blocked-cluster designs', () => {
  const blocks = ['a', 'a', 'b', 'c', 'c', 'c', 'c', 'c', 'b', 'a'];
  it('balances within each block (floor/ceil) with exact unit probabilities', () => {
    for (let s = 0; s < 300; s++) {
      const a = blockAssign(blocks, [1, 2], createRng(s));
      for (const [b, size] of [
        ['a', 3],
        ['b', 2],
        ['c', 5],
      ] as const) {
        const t = blocks.reduce((acc, x, i) => acc + (x === b && a[i] === 1 ? 1 : 0), 0);
        expect(t).toBeGreaterThanOrEqual(Math.floor((size * 2) / 3));
        expect(t).toBeLessThanOrEqual(Math.ceil((size * 2) / 3));
      }
    }
    expectFrequencies(
      10000,
      blocks.length,
      2,
      (s) => blockAssign(blocks, [1, 2], createRng(s)),
      blockProbabilities(blocks, [1, 2]),
    );
  });
  it('keeps clusters intact and balances cluster counts', () => {
    const clusters = ['t1', 't1', 't2', 't3', 't3', 't3', 't4', 't5', 't5', 't2', 't6'];
    for (let s = 0; s < 300; s++) {
      const a = clusterAssign(clusters, [1, 1], createRng(s));
      const armOf = new Map<string, number>();
      clusters.forEach((c, i) => {
        if (armOf.has(c)) expect(a[i]).toBe(armOf.get(c));
        armOf.set(c, a[i]!);
      });
      expect([...armOf.values()].filter((x) => x === 1).length).toBe(3);
    }
    expectFrequencies(
      10000,
      clusters.length,
      2,
      (s) => clusterAssign(clusters, [1, 2], createRng(s)),
      clusterProbabilities(clusters, [1, 2]),
    );
  });
  it('randomises clusters within blocks and rejects a cluster spanning two blocks', () => {
    const b = ['n', 'n', 'n', 'n', 's', 's', 's', 's', 's'];
    const c = ['1', '1', '2', '3', '4', '5', '5', '6', '7'];
    for (let s = 0; s < 200; s++) {
      const a = blockClusterAssign(b, c, [1, 1], createRng(s));
      expect(a[0]).toBe(a[1]);
      expect(a[5]).toBe(a[6]);
      const north = new Set(['1', '2', '3'].map((x) => a[c.indexOf(x)]));
      expect(north.size).toBe(2); // 3 clusters split 1/2 or 2/1: both arms present
    }
    expect(findClustersSpanningBlocks(['n', 's', 'n'], ['1', '1', '2'])).toEqual([
      { cluster: '1', firstIndex: 0, firstBlock: 'n', otherIndex: 1, otherBlock: 's' },
    ]);
    expect(() => blockClusterAssign(['n', 's'], ['1', '1'], [1, 1], createRng(1))).toThrow(RangeError);
  });
});

describe('permuted blocks', () => {
  it('never lets the running imbalance in a stratum exceed one block', () => {
    for (const [w, sizes] of [
      [
        [1, 1],
        [2, 4],
      ],
      [
        [1, 2],
        [3, 6],
      ],
      [
        [1, 1, 1],
        [3, 6, 9],
      ],
    ] as const) {
      const W = w.reduce((a, b) => a + b, 0);
      const seen = new Set<number>();
      const over: string[] = [];
      const maxSize = Math.max(...sizes);
      for (let s = 0; s < 100; s++) {
        const seq = new PermutedBlockSequence(w, sizes, createRng(s));
        const c = new Array<number>(w.length).fill(0);
        let zeros = 0;
        for (let t = 1; t <= 200; t++) {
          c[seq.next()]!++;
          let balanced = true;
          c.forEach((x, i) => {
            const p = w[i]! / W;
            const dev = Math.abs(x - t * p);
            if (dev > maxSize * p * (1 - p) + 1e-9) over.push(`seed ${s} t ${t} arm ${i}: ${dev}`);
            if (dev > 1e-9) balanced = false;
          });
          if (balanced) zeros++;
        }
        expect(zeros).toBeGreaterThan(200 / Math.max(...sizes) / 2);
        seen.add(seq.blocksStarted);
      }
      expect(over).toEqual([]);
      expect(seen.size).toBeGreaterThan(1); // block sizes really vary
    }
  });
  it('runs one sequence per stratum in file order with exact marginal probabilities', () => {
    const strata = ['x', 'y', 'x', 'x', 'y', 'x'];
    const a = permutedBlockAssign(strata, [1, 1], [2], (st) => streamRng(1, st));
    expect(a[0]! + a[2]!).toBe(1); // first block of x
    expect(a[1]! + a[4]!).toBe(1); // first block of y
    expectFrequencies(
      10000,
      strata.length,
      2,
      (s) => permutedBlockAssign(strata, [1, 2], [3, 6], (st) => streamRng(s, st)),
      permutedBlockProbabilities(strata.length, [1, 2]),
    );
  });
  it("reports the next unit's conditional probabilities", () => {
    const seq = new PermutedBlockSequence([1, 1], [4], createRng(3));
    expect(seq.nextProbabilities()).toEqual([0.5, 0.5]);
    const first = seq.next();
    const p = seq.nextProbabilities();
    expect(p[first]).toBeCloseTo(1 / 3, 12);
  });
});

describe('minimisation', () => {
  const site = (i: number) => ['A', 'B', 'C', 'D'][(i * 7 + (i >> 3)) % 4]!;
  const sex = (i: number) => (i % 3 === 0 ? 'male' : 'female');
  const n = 120;
  const levels = [Array.from({ length: n }, (_, i) => site(i)), Array.from({ length: n }, (_, i) => sex(i))];
  const imbalance = (a: Int32Array) => {
    let total = 0;
    for (const l of levels) {
      const m = new Map<string, number>();
      l.forEach((v, i) => m.set(v, (m.get(v) ?? 0) + (a[i] === 1 ? 1 : -1)));
      for (const d of m.values()) total += Math.abs(d);
    }
    return total;
  };
  it('keeps marginal imbalance far below simple randomisation', () => {
    let mini = 0;
    let simple = 0;
    for (let s = 0; s < 200; s++) {
      mini += imbalance(minimiseAssign(levels, [1, 1], [1, 1], 0.8, createRng(s)));
      simple += imbalance(simpleAssign(n, [1, 1], createRng(s)));
    }
    expect(mini / 200).toBeLessThan(0.3 * (simple / 200));
  });
  it('draws with the probabilities its twin reports (biased coin, ties at random)', () => {
    const m = new Minimiser([1, 1], [2, 1], 0.8);
    m.add(['A', 'male'], 0);
    m.add(['A', 'female'], 0);
    m.add(['B', 'male'], 1);
    expect(m.scores(['A', 'male'])).toEqual([2 * 3 + 1, 2 * 1 + 1]); // site range x2 + sex range;
    expect(minimiseProbabilities(m, ['A', 'male'])).toEqual([0.19999999999999996, 0.8]);
    expect(minimiseProbabilities(m, ['C', 'other'])).toEqual([0.5, 0.5]); // every arm ties: by ratio
    const reps = 20000;
    let hits = 0;
    for (let s = 0; s < reps; s++) hits += m.choose(['A', 'male'], createRng(s));
    expect(Math.abs(hits / reps - 0.8)).toBeLessThan(4.5 * Math.sqrt(0.16 / reps));
  });
  it('scales counts by the ratio with unequal allocation', () => {
    const a = minimiseAssign(levels, [1, 2], [1, 1], 0.9, createRng(5));
    const c = counts(a, 2);
    expect(Math.abs(c[1]! - 2 * c[0]!)).toBeLessThan(12);
  });
});

describe('nested allocation and batches (rolling recruitment)', () => {
  const units = (n: number, offset = 0): UnitColumns => ({
    ids: Array.from({ length: n }, (_, i) => `P${i + offset}`),
    blocks: Array.from({ length: n }, (_, i) => ['s1', 's2', 's3'][(i + offset) % 3]!),
    clusters: Array.from({ length: n }, (_, i) => `t${((i + offset) * 5) % 11}`),
    levels: [
      Array.from({ length: n }, (_, i) => ['a', 'b'][((i + offset) * 3) % 2]!),
      Array.from({ length: n }, (_, i) => ['x', 'y', 'z'][(i + offset) % 3]!),
    ],
  });
  const design = (o: Parameters<typeof declareDesign>[0]): AllocationDesign => declareDesign(o).design;
  const none = (u: UnitColumns): PriorAllocation => ({
    ...emptyUnits(),
    blocks: u.blocks ? [] : null,
    clusters: u.clusters ? [] : null,
    levels: u.levels.map(() => []),
    arms: new Int32Array(0),
    subArms: new Int32Array(0),
  });
  const slice = (u: UnitColumns, a: number, b: number): UnitColumns => ({
    ids: u.ids.slice(a, b),
    blocks: u.blocks && u.blocks.slice(a, b),
    clusters: u.clusters && u.clusters.slice(a, b),
    levels: u.levels.map((l) => l.slice(a, b)),
  });

  it('splits the nested arm exactly and keeps joint probabilities', () => {
    const d = design({ method: 'complete', nested: 'treatment:told,not_told' });
    const u = units(9);
    u.levels = [];
    for (let s = 0; s < 100; s++) {
      const r = allocateBatch(d, s, none(u), u, 1);
      const t = [...r.arms].filter((x) => x === 1).length;
      const told = [...r.subArms].filter((x) => x === 0).length;
      expect(told === Math.floor(t / 2) || told === Math.ceil(t / 2)).toBe(true);
      r.arms.forEach((a, i) => expect(r.subArms[i]! >= 0).toBe(a === 1));
    }
    const joint = nestedProbabilities(['control', 'treatment'], [1, 1], 'treatment', ['told', 'not_told'], [1, 1]);
    expect(joint).toEqual({ control: 0.5, 'treatment/told': 0.25, 'treatment/not_told': 0.25 });
    const probs = Array.from({ length: 9 }, () => [
      joint.control!,
      joint['treatment/told']!,
      joint['treatment/not_told']!,
    ]);
    expectFrequencies(
      8000,
      9,
      3,
      (s) => {
        const r = allocateBatch(d, s, none(u), u, 1);
        return Int32Array.from(r.arms, (a, i) => (a === 0 ? 0 : 1 + r.subArms[i]!));
      },
      probs,
    );
  });

  for (const o of [
    { method: 'simple', prob: '0.3', nested: 'treatment:told,not_told' },
    { method: 'permuted-block', block: 'site', blockSizes: '2,4', nested: 'treatment:told,not_told' },
    { method: 'minimise', factors: 'a:2,b', nested: 'treatment:told,not_told' },
  ]) {
    it(`${o.method}: any split into batches gives one sequential run`, () => {
      const d = design(o);
      const all = units(90);
      if (o.method !== 'minimise') all.levels = [];
      if (o.method === 'simple') all.blocks = null;
      all.clusters = null;
      const one = allocateBatch(d, 42, none(all), all, 1);
      const first = allocateBatch(d, 42, none(all), slice(all, 0, 37), 1);
      const prior: PriorAllocation = { ...slice(all, 0, 37), arms: first.arms, subArms: first.subArms };
      const second = allocateBatch(d, 42, prior, slice(all, 37, 90), 2);
      expect([...first.arms, ...second.arms]).toEqual([...one.arms]);
      expect([...first.subArms, ...second.subArms]).toEqual([...one.subArms]);
      const tampered = { ...prior, arms: prior.arms.slice() };
      tampered.arms[20] = 1 - tampered.arms[20]!;
      expect(() => allocateBatch(d, 42, tampered, slice(all, 37, 90), 2)).toThrow(ReplayMismatchError);
      expect(() => allocateBatch(d, 43, prior, slice(all, 37, 90), 2)).toThrow(IntegrityError);
    });
  }

  it("cluster batches: new people join their cluster's arm, new clusters are randomised", () => {
    const d = design({ method: 'cluster', cluster: 'team' });
    const all = units(60);
    all.blocks = null;
    all.levels = [];
    const first = allocateBatch(d, 1, none(all), slice(all, 0, 20), 1);
    const prior: PriorAllocation = { ...slice(all, 0, 20), arms: first.arms, subArms: first.subArms };
    const later = slice(all, 20, 60);
    later.clusters = later.clusters!.map((c, i) => (i % 2 ? c : `new${i % 6}`));
    const second = allocateBatch(d, 1, prior, later, 2);
    const armOf = new Map<string, number>();
    [...prior.clusters!, ...later.clusters].forEach((c, i) => {
      const a = i < 20 ? prior.arms[i]! : second.arms[i - 20]!;
      if (armOf.has(c)) expect(a).toBe(armOf.get(c));
      armOf.set(c, a);
    });
  });

  it('is deterministic: same seed same allocation, another seed another', () => {
    const d = design({ method: 'block', block: 'site' });
    const u = units(300);
    u.levels = [];
    u.clusters = null;
    expect([...allocateBatch(d, 7, none(u), u, 1).arms]).toEqual([...allocateBatch(d, 7, none(u), u, 1).arms]);
    expect([...allocateBatch(d, 7, none(u), u, 1).arms]).not.toEqual([...allocateBatch(d, 8, none(u), u, 1).arms]);
  });
});

describe('ledger hash chain', () => {
  const g = genesisHash(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }));
  const rows = [
    ['1', 'P1', 'control'],
    ['2', 'P2', 'treatment'],
    ['3', 'P3', 'control'],
    ['4', 'P4', 'treatment'],
  ];
  const hashes: string[] = [];
  rows.reduce((prev, r) => {
    const h = rowHash(prev, r);
    hashes.push(h);
    return h;
  }, g);
  it('canonical JSON sorts keys', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
  });
  it('verifies an untouched chain and finds edits, deletions and reordering', () => {
    expect(verifyChain(g, rows, hashes)).toBeNull();
    const edited = rows.map((r) => r.slice());
    edited[1]![2] = 'control';
    expect(verifyChain(g, edited, hashes)?.index).toBe(1);
    expect(verifyChain(g, [rows[0]!, rows[2]!, rows[3]!], [hashes[0]!, hashes[2]!, hashes[3]!])?.index).toBe(1);
    expect(
      verifyChain(g, [rows[0]!, rows[2]!, rows[1]!, rows[3]!], [hashes[0]!, hashes[2]!, hashes[1]!, hashes[3]!])?.index,
    ).toBe(1);
    expect(verifyChain(genesisHash('{}'), rows, hashes)?.index).toBe(0);
  });
});
