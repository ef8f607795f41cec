/**
 * Minimisation (Pocock & Simon 1975) with range imbalance and a biased coin.
 *
 * For a new person with factor levels (l_1..l_F) and each candidate arm a, the imbalance is
 *   G_a = sum_f v_f x range_b((n_{f,l_f,b} + [b = a]) / w_b)
 * where n_{f,l,b} counts people already in arm b with level l of factor f, v_f is the factor's
 * weight and w_b the arm's ratio weight (counts scaled by the ratio, so 1:2 balances to 1:2).
 * If every arm gives the same G, the arm is drawn by the ratio. Otherwise the arms with the
 * smallest G are preferred: with probability p one of them (by ratio weight; ties broken at
 * random), else one of the other arms (by ratio weight). With p = 1 this is deterministic
 * minimisation apart from ties. Running marginal counts keep each person O(F x k^2).
 */
import type { Rng } from '../random.js';
import { UsageError } from '../errors.js';

/** A factor and its weight (`--factors site:2,sex`). */
export interface MinimiseFactor {
  name: string;
  weight: number;
}

/**
 * Parses `--factors site:2,sex` into names and weights (default weight 1).
 * @example parseFactors('site:2,sex') // => [{ name: 'site', weight: 2 }, { name: 'sex', weight: 1 }]
 */
export function parseFactors(text: string, option = '--factors'): MinimiseFactor[] {
  const out: MinimiseFactor[] = [];
  for (const part of text.split(',')) {
    const [rawName, rawWeight, ...extra] = part.split(':');
    const name = (rawName ?? '').trim().toLowerCase();
    if (name === '' || extra.length)
      throw new UsageError(`${option}: ${JSON.stringify(part)} is not "column" or "column:weight"`);
    let weight = 1;
    if (rawWeight !== undefined) {
      weight = Number(rawWeight.trim());
      if (!/^\d*\.?\d+$/.test(rawWeight.trim()) || !(weight > 0) || !Number.isFinite(weight)) {
        throw new UsageError(
          `${option}: weight of ${name} must be a positive number, got ${JSON.stringify(rawWeight)}`,
        );
      }
    }
    if (out.some((f) => f.name === name)) throw new UsageError(`${option} names ${name} twice`);
    out.push({ name, weight });
  }
  if (out.length === 0) throw new UsageError(`${option} needs at least one factor column`);
  return out;
}

/** Minimisation state: marginal counts per factor level and arm. */
export class Minimiser {
  private readonly counts: Array<Map<string, Float64Array>>;
  private readonly k: number;

  constructor(
    private readonly weights: readonly number[],
    private readonly factorWeights: readonly number[],
    private readonly p: number,
  ) {
    if (!(p > 0 && p <= 1)) throw new UsageError(`--minimise-p must be above 0 and at most 1, got ${p}`);
    this.k = weights.length;
    this.counts = factorWeights.map(() => new Map());
  }

  private levelCounts(f: number, level: string): Float64Array {
    const m = this.counts[f]!;
    let c = m.get(level);
    if (!c) m.set(level, (c = new Float64Array(this.k)));
    return c;
  }

  /** Imbalance G_a for each candidate arm a. */
  scores(levels: readonly string[]): number[] {
    const g = new Array<number>(this.k).fill(0);
    for (let f = 0; f < this.factorWeights.length; f++) {
      const c = this.counts[f]!.get(levels[f]!);
      for (let a = 0; a < this.k; a++) {
        let min = Infinity;
        let max = -Infinity;
        for (let b = 0; b < this.k; b++) {
          const v = ((c ? c[b]! : 0) + (a === b ? 1 : 0)) / this.weights[b]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        g[a]! += this.factorWeights[f]! * (max - min);
      }
    }
    return g;
  }

  /** The twin of `choose`: probability of each arm for a person with these levels, given the state. */
  probabilities(levels: readonly string[]): number[] {
    const g = this.scores(levels);
    const best = Math.min(...g);
    const tol = 1e-9 * Math.max(1, Math.abs(best));
    const preferred = g.map((x) => x - best <= tol);
    const sum = (sel: boolean) => this.weights.reduce((s, w, i) => (preferred[i] === sel ? s + w : s), 0);
    const wPref = sum(true);
    const wOther = sum(false);
    if (wOther === 0) return this.weights.map((w) => w / wPref);
    return this.weights.map((w, i) => (preferred[i] ? (this.p * w) / wPref : ((1 - this.p) * w) / wOther));
  }

  /** Draws an arm for a person with these levels (one uniform per person) without recording it. */
  choose(levels: readonly string[], rng: Rng): number {
    const probs = this.probabilities(levels);
    let u = rng.next();
    for (let i = 0; i < probs.length; i++) {
      u -= probs[i]!;
      if (u < 0) return i;
    }
    // Rounding left u just above 0: take the last arm with positive probability.
    for (let i = probs.length - 1; i >= 0; i--) if (probs[i]! > 0) return i;
    return 0;
  }

  /** Records a person's arm in the running counts. */
  add(levels: readonly string[], arm: number): void {
    for (let f = 0; f < this.factorWeights.length; f++) this.levelCounts(f, levels[f]!)[arm]!++;
  }

  /** Marginal counts: factor index -> level -> count per arm. */
  marginals(): Array<Map<string, number[]>> {
    return this.counts.map((m) => new Map([...m].map(([l, c]) => [l, Array.from(c)])));
  }
}

/**
 * Sequential minimisation of people in order. `levels[f][i]` is person i's level of factor f.
 * @returns arm index per person
 */
export function minimiseAssign(
  levels: ReadonlyArray<readonly string[]>,
  weights: readonly number[],
  factorWeights: readonly number[],
  p: number,
  rng: Rng,
): Int32Array {
  const m = new Minimiser(weights, factorWeights, p);
  const n = levels[0]?.length ?? 0;
  const out = new Int32Array(n);
  const row = new Array<string>(levels.length);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < levels.length; f++) row[f] = levels[f]![i]!;
    const a = m.choose(row, rng);
    m.add(row, a);
    out[i] = a;
  }
  return out;
}

/** Conditional probabilities for the next person given the current state (see Minimiser.probabilities). */
export function minimiseProbabilities(state: Minimiser, levels: readonly string[]): number[] {
  return state.probabilities(levels);
}
