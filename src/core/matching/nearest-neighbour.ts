/**
 * Greedy nearest-neighbour matching on a scalar distance (the logit of the propensity score), as
 * R `MatchIt::matchit(method = "nearest")`: treated units are taken in `order` (MatchIt's default
 * for an estimated distance is "largest" first); each takes the closest available control within
 * the caliper. With ratio k and no replacement, matching runs in k rounds (every treated unit gets
 * its first control before any gets its second), as MatchIt does. Ties in distance go to the
 * control that comes first in the pool file.
 *
 * Weights (ATT, as MatchIt): a matched treated unit has weight 1; a control gets the sum over the
 * treated units it serves of 1 / (number of controls matched to that treated unit), and control
 * weights are then scaled to sum to the number of distinct matched controls.
 */
import { shuffle, type Rng } from '../random.js';

export type MatchOrder = 'largest' | 'smallest' | 'data' | 'random';

export interface MatchInput {
  distance: Float64Array;
  treat: Uint8Array;
  /** Units outside common support (1): never matched. */
  discarded: Uint8Array;
  ratio: number;
  replace: boolean;
  /** Absolute caliper on the distance scale, or null for none. */
  caliper: number | null;
  order: MatchOrder;
  rng?: Rng;
}

export interface MatchResult {
  /** Treated row index -> matched control row indices (in the order they were matched). */
  matches: Map<number, number[]>;
  /** Weight per row (0 for rows not in the matched sample). */
  weights: Float64Array;
  matchedTreated: number;
  matchedControls: number;
  /** Treated units (not discarded) that found no control within the caliper. */
  unmatchedTreated: number;
}

/** Treated row indices in matching order (a stable sort, so ties keep file order, as R `order`). */
function treatedOrder(input: MatchInput): number[] {
  const idx: number[] = [];
  for (let i = 0; i < input.treat.length; i++) if (input.treat[i] && !input.discarded[i]) idx.push(i);
  const d = input.distance;
  switch (input.order) {
    case 'largest':
      return idx.sort((a, b) => d[b]! - d[a]! || a - b);
    case 'smallest':
      return idx.sort((a, b) => d[a]! - d[b]! || a - b);
    case 'data':
      return idx;
    case 'random':
      if (!input.rng) throw new Error('nearestNeighbourMatch(): order "random" needs an rng');
      return shuffle(input.rng, idx);
  }
}

export function nearestNeighbourMatch(input: MatchInput): MatchResult {
  const { distance: d, treat, discarded, ratio, replace, caliper } = input;
  if (!(Number.isInteger(ratio) && ratio >= 1)) throw new RangeError(`ratio must be a whole number >= 1, got ${ratio}`);
  const ctrl: number[] = [];
  for (let i = 0; i < treat.length; i++) if (!treat[i] && !discarded[i]) ctrl.push(i);
  ctrl.sort((a, b) => d[a]! - d[b]! || a - b);
  const m = ctrl.length;
  const cd = Float64Array.from(ctrl, (i) => d[i]!);
  const lowerBound = (x: number): number => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cd[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Disjoint-set "next unused" pointers to the right (0..m) and left (stored shifted by 1).
  const right = Int32Array.from({ length: m + 1 }, (_, j) => j);
  const left = Int32Array.from({ length: m + 1 }, (_, j) => j); // left[j + 1] is for position j; 0 means none
  const findRight = (j: number): number => {
    let r = j;
    while (right[r] !== r) r = right[r]!;
    while (right[j] !== r) {
      const next = right[j]!;
      right[j] = r;
      j = next;
    }
    return r;
  };
  const findLeft = (j: number): number => {
    let s = j + 1;
    let r = s;
    while (left[r] !== r) r = left[r]!;
    while (left[s] !== r) {
      const next = left[s]!;
      left[s] = r;
      s = next;
    }
    return r - 1;
  };
  const markUsed = (j: number) => {
    right[j] = j + 1;
    left[j + 1] = j;
  };
  /** Is candidate a (sorted position) closer to x than b? Ties go to the earlier pool row. */
  const closer = (x: number, a: number, b: number): boolean => {
    const da = Math.abs(cd[a]! - x);
    const db = Math.abs(cd[b]! - x);
    return da < db || (da === db && ctrl[a]! < ctrl[b]!);
  };
  const within = (x: number, j: number) => caliper === null || Math.abs(cd[j]! - x) <= caliper;

  const order = treatedOrder(input);
  const matches = new Map<number, number[]>();
  for (const t of order) matches.set(t, []);
  if (!replace) {
    for (let round = 0; round < ratio; round++) {
      for (const t of order) {
        const got = matches.get(t)!;
        if (got.length !== round) continue;
        const x = d[t]!;
        const j = lowerBound(x);
        const r = findRight(j);
        let l = findLeft(j - 1);
        // Among equal distances on the left, the earliest pool row sits leftmost (stable sort).
        for (let l2 = l >= 0 ? findLeft(l - 1) : -1; l2 >= 0 && cd[l2] === cd[l]; l2 = findLeft(l2 - 1)) l = l2;
        let best = -1;
        if (r < m && l >= 0) best = closer(x, l, r) ? l : r;
        else if (r < m) best = r;
        else if (l >= 0) best = l;
        if (best < 0 || !within(x, best)) continue;
        markUsed(best);
        got.push(ctrl[best]!);
      }
    }
  } else {
    for (const t of order) {
      const got = matches.get(t)!;
      const x = d[t]!;
      let r = lowerBound(x);
      let l = r - 1;
      // Walk outwards for the k nearest, then keep walking through ties with the k-th distance so
      // that ties go to the earliest pool rows.
      const cand: number[] = [];
      let kth = Infinity;
      while (l >= 0 || r < m) {
        const next = l >= 0 && r < m ? (closer(x, l, r) ? l : r) : l >= 0 ? l : r;
        const dist = Math.abs(cd[next]! - x);
        if (cand.length >= ratio && dist > kth) break;
        if (!within(x, next)) break;
        cand.push(next);
        if (cand.length === ratio) kth = dist;
        if (next === l) l--;
        else r++;
      }
      cand.sort((a, b) => Math.abs(cd[a]! - x) - Math.abs(cd[b]! - x) || ctrl[a]! - ctrl[b]!);
      for (const c of cand.slice(0, ratio)) got.push(ctrl[c]!);
    }
  }

  const weights = new Float64Array(treat.length);
  let matchedTreated = 0;
  let unmatchedTreated = 0;
  for (const [t, cs] of matches) {
    if (cs.length === 0) {
      unmatchedTreated++;
      continue;
    }
    matchedTreated++;
    weights[t] = 1;
    for (const c of cs) weights[c] = weights[c]! + 1 / cs.length;
  }
  let controlSum = 0;
  let matchedControls = 0;
  for (let i = 0; i < treat.length; i++) {
    if (!treat[i] && weights[i]! > 0) {
      controlSum += weights[i]!;
      matchedControls++;
    }
  }
  if (controlSum > 0) {
    const scale = matchedControls / controlSum;
    for (let i = 0; i < treat.length; i++) if (!treat[i]) weights[i] = weights[i]! * scale;
  }
  return { matches, weights, matchedTreated, matchedControls, unmatchedTreated };
}
