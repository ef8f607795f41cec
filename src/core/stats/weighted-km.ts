/**
 * Kaplan-Meier with case weights, as R `survival::survfit(Surv(time, status) ~ 1, weights = w)`
 * (survival 3.x): S(t) = prod over event times t_j <= t of (1 - d_j / n_j) with weighted deaths d_j
 * and weighted numbers at risk n_j, and the robust (infinitesimal jackknife) standard error R uses
 * for non-integer weights: with h_j = d_j / n_j, the influence of person i on S(t) is
 *
 *     IF_i(t) = -S(t) [ delta_i 1(t_i <= t) / (n_(i) (1 - h_(i))) - sum_{t_j <= min(t_i, t)} h_j / (n_j (1 - h_j)) ]
 *
 * (n_(i), h_(i) at person i's own time), and Var S(t) = sum_i (w_i IF_i)^2, or with clusters (R
 * `cluster = `) sum_g (sum_{i in g} w_i IF_i)^2. The interval is log-scale, exp(log S -/+ z SE/S),
 * upper clipped at 1, as R's conf.type = "log".
 */
import { qnorm } from './distributions.js';

export interface WeightedSurvivalPoint {
  day: number;
  estimate: number;
  /** Robust SE of S(t); null once S(t) = 0. */
  stdErr: number | null;
  confLow: number | null;
  confHigh: number | null;
  /** Largest observed time. */
  maxTime: number;
}

/**
 * S(day) of the weighted Kaplan-Meier curve with its robust SE.
 * @param cluster optional 0-based cluster per row (influences summed within clusters)
 * @throws RangeError on mismatched lengths, a non-positive weight or a non-finite time
 */
export function weightedSurvivalAt(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  w: ArrayLike<number>,
  day: number,
  confLevel = 0.95,
  cluster?: ArrayLike<number> | null,
): WeightedSurvivalPoint {
  const n = time.length;
  if (status.length !== n || w.length !== n || (cluster && cluster.length !== n))
    throw new RangeError('weightedSurvivalAt: time, status, weights and cluster differ in length');
  let maxTime = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(time[i]!)) throw new RangeError(`weightedSurvivalAt: time[${i}] = ${time[i]} is not finite`);
    if (!(w[i]! > 0)) throw new RangeError(`weightedSurvivalAt: weight[${i}] = ${w[i]} is not positive`);
    maxTime = Math.max(maxTime, time[i]!);
  }
  // Distinct times ascending with weighted at-risk and death sums.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a]! - time[b]!);
  const times: number[] = [];
  const deaths: number[] = [];
  const leaving: number[] = [];
  for (const i of order) {
    const t = time[i]!;
    if (times.length === 0 || times[times.length - 1] !== t) {
      times.push(t);
      deaths.push(0);
      leaving.push(0);
    }
    const k = times.length - 1;
    leaving[k]! += w[i]!;
    if (status[i] === 1) deaths[k]! += w[i]!;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i]!;
  const m = times.length;
  const atRisk = new Array<number>(m);
  for (let k = 0, r = total; k < m; k++) {
    atRisk[k] = r;
    r -= leaving[k]!;
  }
  // S(day), and C_k = sum_{j <= k, t_j <= day} h_j / (n_j (1 - h_j)) (cumulative, capped at day).
  let S = 1;
  const cum = new Array<number>(m).fill(0);
  const own = new Array<number>(m).fill(0);
  let c = 0;
  let degenerate = false;
  for (let k = 0; k < m; k++) {
    if (times[k]! <= day && deaths[k]! > 0) {
      const h = deaths[k]! / atRisk[k]!;
      S *= 1 - h;
      if (h >= 1) degenerate = true;
      else {
        c += h / (atRisk[k]! * (1 - h));
        own[k] = 1 / (atRisk[k]! * (1 - h));
      }
    }
    cum[k] = c;
  }
  const z = qnorm(1 - (1 - confLevel) / 2);
  if (!(S > 0) || degenerate) return { day, estimate: S, stdErr: null, confLow: null, confHigh: null, maxTime };
  const index = new Map<number, number>();
  times.forEach((t, k) => index.set(t, k));
  const groups = new Map<number, number>();
  let v = 0;
  for (let i = 0; i < n; i++) {
    const k = index.get(time[i]!)!;
    const dead = status[i] === 1 && time[i]! <= day ? own[k]! : 0;
    const infl = -S * (dead - cum[k]!);
    const contrib = w[i]! * infl;
    if (cluster) groups.set(cluster[i]!, (groups.get(cluster[i]!) ?? 0) + contrib);
    else v += contrib * contrib;
  }
  if (cluster) for (const g of groups.values()) v += g * g;
  const se = Math.sqrt(v);
  const seLog = se / S;
  return {
    day,
    estimate: S,
    stdErr: se,
    confLow: Math.exp(Math.log(S) - z * seLog),
    confHigh: Math.min(1, Math.exp(Math.log(S) + z * seLog)),
    maxTime,
  };
}
