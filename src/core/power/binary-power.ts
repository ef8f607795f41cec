/**
 * Sample size, power and the smallest detectable difference for a binary outcome (proven
 * re-offending), two arms with allocation n2 = r n1 (docs/methods.md#power-for-binary-outcomes).
 *
 * - `normal`: R `power.prop.test` / Fleiss without correction, pbar = (p1 + r p2)/(1 + r):
 *   n1 = [z(1-a/2) sqrt((1 + 1/r) pbar qbar) + z(1-b) sqrt(p1 q1 + p2 q2 / r)]^2 / (p1 - p2)^2;
 *   the power counts the tail in the direction of the effect only (power.prop.test's default).
 * - `continuity`: Fleiss with continuity correction, n1cc = (n1/4)[1 + sqrt(1 + 2(r+1)/(n1 r |d|))]^2.
 * - `arcsine`: Cohen's h as R `pwr::pwr.2p2n.test`, two-sided power counting both tails.
 * - clusters: design effect 1 + (m - 1) icc, or 1 + ((cv^2 + 1) m - 1) icc for unequal sizes
 *   (Eldridge, Ashby & Kerry 2006); the effective sample size is n / DE.
 */
import { UsageError } from '../errors.js';
import { pnorm, qnorm } from '../stats/distributions.js';

export const BINARY_METHODS = ['normal', 'continuity', 'arcsine'] as const;
export type BinaryMethod = (typeof BINARY_METHODS)[number];

export interface BinaryTestOptions {
  method?: BinaryMethod;
  /** n2 / n1 (1). */
  ratio?: number;
  alpha?: number;
  twoTailed?: boolean;
}

function settings(o: BinaryTestOptions): {
  method: BinaryMethod;
  r: number;
  alpha: number;
  twoTailed: boolean;
  z: number;
} {
  const method = o.method ?? 'normal';
  const r = o.ratio ?? 1;
  const alpha = o.alpha ?? 0.05;
  const twoTailed = o.twoTailed ?? true;
  if (!(r > 0) || !Number.isFinite(r))
    throw new UsageError(`--allocation-ratio must be a positive number (n2/n1), got ${r}`);
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be strictly between 0 and 1, got ${alpha}`);
  return { method, r, alpha, twoTailed, z: qnorm(twoTailed ? alpha / 2 : alpha, false) };
}

/** @throws UsageError unless 0 < p < 1 */
export function checkRate(name: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new UsageError(`${name} must be a proportion strictly between 0 and 1, got ${p}`);
}

/**
 * Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)) (R `pwr::ES.h(p1, p2)`).
 * @example cohensH(0.65, 0.45) // => 0.4048601 // pwr::ES.h(.65, .45)
 */
export function cohensH(p1: number, p2: number): number {
  return 2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2));
}

/**
 * Design effect for clusters of mean size m: 1 + ((cv^2 + 1) m - 1) icc (cv = 0: 1 + (m - 1) icc).
 * @throws UsageError for icc outside [0, 1), m < 1 or cv < 0
 */
export function designEffect(m: number, icc: number, cv = 0): number {
  if (!(icc >= 0 && icc < 1)) throw new UsageError(`--icc must be in [0, 1), got ${icc}`);
  if (!(m >= 1) || !Number.isFinite(m)) throw new UsageError(`--cluster-size must be at least 1, got ${m}`);
  if (!(cv >= 0) || !Number.isFinite(cv)) throw new UsageError(`--cluster-cv must be >= 0, got ${cv}`);
  return 1 + ((cv * cv + 1) * m - 1) * icc;
}

/** Uncorrected n1 equivalent to a continuity-corrected n1cc (inverse of Fleiss' correction). */
function uncorrectedN(ncc: number, r: number, d: number): number {
  const c = (r + 1) / (r * Math.abs(d));
  if (ncc <= c / 2) return 0;
  return (ncc - c / 2) ** 2 / ncc;
}

/**
 * Power for control-arm size n1 (effective, i.e. already divided by any design effect) and
 * treated size r n1.
 * @example binaryPower(0.5, 0.75, 76.65) // => 0.8997842 // power.prop.test(n = 76.65, p1 = .5, p2 = .75)$power
 */
export function binaryPower(p1: number, p2: number, n1: number, options: BinaryTestOptions = {}): number {
  checkRate('--p1', p1);
  checkRate('--p2', p2);
  const { method, r, z, twoTailed } = settings(options);
  if (!(n1 > 0)) throw new UsageError(`--n must be positive, got ${n1}`);
  if (method === 'arcsine') {
    const lam = Math.abs(cohensH(p1, p2)) * Math.sqrt((r * n1) / (1 + r));
    return twoTailed ? pnorm(z - lam, false) + pnorm(-z - lam, true) : pnorm(z - lam, false);
  }
  const n = method === 'continuity' ? uncorrectedN(n1, r, p1 - p2) : n1;
  const pbar = (p1 + r * p2) / (1 + r);
  const num = Math.abs(p1 - p2) * Math.sqrt(n) - z * Math.sqrt((1 + 1 / r) * pbar * (1 - pbar));
  return pnorm(num / Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / r));
}

/**
 * Exact (real) control-arm size n1 for the target power, before any design effect.
 * @throws UsageError if p1 = p2 or a rate is outside (0, 1)
 * @example binarySampleSize(0.5, 0.75, 0.9) // => 76.707 // power.prop.test(p1 = .5, p2 = .75, power = .9)$n = 76.70693
 */
export function binarySampleSize(p1: number, p2: number, power: number, options: BinaryTestOptions = {}): number {
  checkRate('--p1', p1);
  checkRate('--p2', p2);
  if (p1 === p2) throw new UsageError(`--p1 and --p2 must differ to solve for n (both are ${p1})`);
  if (!(power > 0 && power < 1)) throw new UsageError(`--power must be strictly between 0 and 1, got ${power}`);
  const { method, r, z, twoTailed, alpha } = settings(options);
  if (!(power > (twoTailed ? alpha / 2 : alpha)))
    throw new UsageError(`--power must exceed the significance level, got ${power}`);
  const zb = qnorm(power);
  const d = Math.abs(p1 - p2);
  if (method === 'arcsine') {
    const h = Math.abs(cohensH(p1, p2));
    const closed = (((z + zb) / h) ** 2 * (1 + r)) / r;
    if (!twoTailed) return closed;
    // Both tails: the far tail adds a little power, so the root lies just below the one-tail size.
    let lo = 1e-9;
    let hi = closed;
    for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
      const mid = (lo + hi) / 2;
      if (binaryPower(p1, p2, mid, options) >= power) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  const pbar = (p1 + r * p2) / (1 + r);
  const n =
    (z * Math.sqrt((1 + 1 / r) * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / r)) ** 2 /
    (d * d);
  if (method === 'normal') return n;
  return (n / 4) * (1 + Math.sqrt(1 + (2 * (r + 1)) / (n * r * d))) ** 2;
}

export interface BinaryDetectable {
  /** Smallest treated rate (in the chosen direction) detectable with the target power; null if none is. */
  detectable_p2: number | null;
  cohens_h: number | null;
  /** ln OR of the detectable difference (signed). */
  log_odds_ratio: number | null;
  /** |ln OR| x sqrt(3)/pi: the MDES on the logit-d scale used for the security rating. */
  logit_d: number | null;
}

/** |ln OR| sqrt(3)/pi between two rates: the logit d effect size. */
export function logitD(p1: number, p2: number): number {
  return (Math.abs(Math.log(p2 / (1 - p2)) - Math.log(p1 / (1 - p1))) * Math.sqrt(3)) / Math.PI;
}

/**
 * The smallest detectable treated rate for control rate p1 and control-arm size n1 (people, before
 * the design effect), with the target power. `direction` 'lower' (default: a reduction in
 * re-offending) searches p2 < p1, 'higher' p2 > p1.
 * @example binaryDetectable({ p1: 0.35, n1: 500, designEffect: 1.648 }).logit_d // => 0.2757616 // the MDES on the logit-d scale
 */
export function binaryDetectable(
  args: BinaryTestOptions & {
    p1: number;
    n1: number;
    power?: number;
    designEffect?: number;
    direction?: 'lower' | 'higher';
  },
): BinaryDetectable {
  const { p1, n1 } = args;
  checkRate('--p1', p1);
  const power = args.power ?? 0.8;
  if (!(power > 0 && power < 1)) throw new UsageError(`--power must be strictly between 0 and 1, got ${power}`);
  if (!(n1 > 0)) throw new UsageError(`--n must be positive, got ${n1}`);
  const de = args.designEffect ?? 1;
  const nEff = n1 / de;
  const lower = (args.direction ?? 'lower') === 'lower';
  const edge = lower ? 1e-12 : 1 - 1e-12;
  const none: BinaryDetectable = { detectable_p2: null, cohens_h: null, log_odds_ratio: null, logit_d: null };
  if (binaryPower(p1, edge, nEff, args) < power) return none;
  // Power rises as p2 moves away from p1: bisect on the distance.
  let near = p1;
  let far = edge;
  for (let i = 0; i < 200 && Math.abs(far - near) > 1e-15; i++) {
    const mid = (near + far) / 2;
    if (mid === near || mid === far) break;
    if (binaryPower(p1, mid, nEff, args) >= power) far = mid;
    else near = mid;
  }
  const p2 = far;
  return {
    detectable_p2: p2,
    cohens_h: cohensH(p1, p2),
    log_odds_ratio: Math.log(p2 / (1 - p2)) - Math.log(p1 / (1 - p1)),
    logit_d: logitD(p1, p2),
  };
}
