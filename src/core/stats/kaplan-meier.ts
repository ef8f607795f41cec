/**
 * Kaplan-Meier product-limit estimator with Greenwood standard errors, as R
 * `survival::survfit(Surv(time, status) ~ 1)` (conf.type = "log", the default).
 */
import { qnorm } from './distributions.js';

/** One distinct observed time (event or censoring), as a row of `summary(survfit(...), censored = TRUE)`. */
export interface KaplanMeierStep {
  time: number;
  nRisk: number;
  nEvent: number;
  nCensor: number;
  /** S(t) just after this time. */
  survival: number;
  /**
   * Greenwood SE of -log S(t) = sqrt(sum d / (n (n - d))): what `survfit()$std.err` holds.
   * null once S(t) = 0 (the sum is infinite; R shows Inf/NaN there).
   */
  stdErrLog: number | null;
}

export interface KaplanMeier {
  n: number;
  events: number;
  /** Largest observed time (event or censoring). */
  maxTime: number;
  steps: KaplanMeierStep[];
}

/** S(t) at one time point, as `summary(fit, times = day)` with its log-scale interval. */
export interface SurvivalPoint {
  day: number;
  estimate: number;
  /** Greenwood SE of S(t) = S(t) x stdErrLog (`summary(fit)$std.err`); null once S(t) = 0. */
  stdErr: number | null;
  stdErrLog: number | null;
  /** exp(log S -/+ z se_log), upper clipped at 1 (R conf.type = "log"); null once S(t) = 0. */
  confLow: number | null;
  confHigh: number | null;
  /** Number at risk at `day` (time >= day; 0 when day is after the last observed time). */
  nRisk: number;
  /** True when `day` is after the largest observed time: S is then only known if it has reached 0. */
  beyondFollowUp: boolean;
}

/**
 * Fits the Kaplan-Meier curve. Ties: at one time, events happen before censorings (the censored
 * are still at risk), as in R.
 * @param time follow-up time (finite numbers)
 * @param status 1 = event, 0 = censored
 * @throws RangeError on length mismatch, empty input, a non-finite time or a status other than 0/1
 *   (callers validate data first; reaching this is a bug)
 * @example kaplanMeier([1, 2, 2, 3], [1, 1, 0, 1]).steps.map((s) => s.survival) // => [0.75, 0.5, 0]
 */
export function kaplanMeier(time: ArrayLike<number>, status: ArrayLike<number>): KaplanMeier {
  const n = checkSurvivalData(time, status);
  const order = sortedOrder(time);
  const steps: KaplanMeierStep[] = [];
  let atRisk = n;
  let survival = 1;
  let greenwood = 0;
  let events = 0;
  for (let k = 0; k < n;) {
    const t = time[order[k]!]!;
    let d = 0;
    let c = 0;
    while (k < n && time[order[k]!] === t) {
      if (status[order[k]!] === 1) d++;
      else c++;
      k++;
    }
    if (d > 0) {
      survival *= 1 - d / atRisk;
      greenwood = d === atRisk ? Number.POSITIVE_INFINITY : greenwood + d / (atRisk * (atRisk - d));
    }
    events += d;
    steps.push({
      time: t,
      nRisk: atRisk,
      nEvent: d,
      nCensor: c,
      survival,
      stdErrLog: Number.isFinite(greenwood) && survival > 0 ? Math.sqrt(greenwood) : null,
    });
    atRisk -= d + c;
  }
  return { n, events, maxTime: steps[steps.length - 1]!.time, steps };
}

/**
 * S(day): the estimate at the last event time on or before `day` (1 before the first event), with
 * its Greenwood SE and log-scale confidence interval, as R `summary(fit, times = day, extend = TRUE)`.
 * @param confLevel two-sided confidence level (0.95: z = qnorm(0.975))
 */
export function survivalAt(km: KaplanMeier, day: number, confLevel = 0.95): SurvivalPoint {
  if (!Number.isFinite(day)) throw new RangeError(`survivalAt: day must be finite, got ${day}`);
  if (!(confLevel > 0 && confLevel < 1))
    throw new RangeError(`survivalAt: confLevel must be in (0, 1), got ${confLevel}`);
  let estimate = 1;
  let stdErrLog: number | null = 0;
  // R's n.risk at `day`: those with time >= day, i.e. the n.risk of the first step on or after it.
  let nRisk = 0;
  for (const s of km.steps) {
    if (s.time >= day) {
      nRisk = s.nRisk;
      if (s.time > day) break;
    }
    estimate = s.survival;
    stdErrLog = s.stdErrLog;
    if (s.time === day) break;
  }
  const z = qnorm(1 - (1 - confLevel) / 2);
  const se = estimate > 0 ? stdErrLog : null;
  return {
    day,
    estimate,
    stdErr: se === null ? null : estimate * se,
    stdErrLog: se,
    confLow: se === null ? null : Math.exp(Math.log(estimate) - z * se),
    confHigh: se === null ? null : Math.min(1, Math.exp(Math.log(estimate) + z * se)),
    nRisk,
    beyondFollowUp: day > km.maxTime,
  };
}

/** Validates (time, status) and returns n. Shared by the survival routines. */
export function checkSurvivalData(time: ArrayLike<number>, status: ArrayLike<number>): number {
  const n = time.length;
  if (status.length !== n) throw new RangeError(`survival data: ${n} times but ${status.length} status values`);
  if (n === 0) throw new RangeError('survival data: no observations');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(time[i]!))
      throw new RangeError(`survival data: time[${i}] = ${time[i]} is not a finite number`);
    const s = status[i];
    if (s !== 0 && s !== 1) throw new RangeError(`survival data: status[${i}] = ${s} is not 0 or 1`);
  }
  return n;
}

/**
 * Indices sorting `time` ascending, stable (ties keep input order). A comparator sort of 1e6
 * indices takes seconds in V8, so: native numeric sort of a copy, distinct values, each row's rank
 * by binary search, then a counting sort by rank. Times must not be NaN.
 */
export function sortedOrder(time: ArrayLike<number>): Uint32Array {
  const n = time.length;
  const byDay = integerOrder(time);
  if (byDay) return byDay;
  const sorted = Float64Array.from(time).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i]!;
  const distinct = sorted.subarray(0, m);
  const rank = new Uint32Array(n);
  const start = new Uint32Array(m + 1);
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
    start[lo + 1]!++;
  }
  for (let r = 0; r < m; r++) start[r + 1]! += start[r]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[start[rank[i]!]!++] = i;
  return order;
}

/**
 * sortedOrder for whole-number times spanning at most max(2n, 4096) values (days of follow-up, the
 * usual case): a counting sort keyed by the time itself, with no sort and no search (measured at
 * 1M people: 0.25 s to ~0.02 s). Null when the times are not such.
 */
function integerOrder(time: ArrayLike<number>): Uint32Array | null {
  const n = time.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    if (!Number.isInteger(t)) return null;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (n === 0 || hi - lo > Math.max(2 * n, 4096)) return null;
  const start = new Uint32Array(hi - lo + 2);
  for (let i = 0; i < n; i++) start[time[i]! - lo + 1]!++;
  for (let r = 1; r < start.length; r++) start[r]! += start[r - 1]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[start[time[i]! - lo]!++] = i;
  return order;
}
