/**
 * Payment by results on the frequency measure: re-offences per re-offender (as the payment-by-
 * results bulletins count it). Model: R ~ Bin(n, p1) re-offenders; given R, their total
 * re-offences T ~ Poisson(R f1). The cohort is paid when T is a significant one-sided reduction on
 * the baseline frequency f0 for that many re-offenders: exact P(T <= t | Poisson(R f0)) <= alpha
 * (R `poisson.test(t, R, f0, alternative = "less")`), or the normal test with the null SE
 * sqrt(R f0). A cohort with no re-offenders has no frequency and is not paid on this measure.
 * Payment per re-offence avoided: price x (R f0 - T).
 */
import { dbinom, dpois, pnorm, ppois } from '../stats/distributions.js';
import type { PbrTest } from './binary-pbr.js';
import { summarisePayments, type PaymentDistribution } from './binary-pbr.js';

/** One-sided p-value of t re-offences by `reoffenders` people against baseline frequency f0. */
export function frequencyPValue(t: number, reoffenders: number, f0: number, test: PbrTest): number {
  const mu = reoffenders * f0;
  if (test === 'exact') return ppois(t, mu);
  return pnorm((t - mu) / Math.sqrt(mu));
}

/** Largest total re-offences still significant for R re-offenders, or null (R = 0, or none). */
export function criticalReoffences(reoffenders: number, f0: number, alpha: number, test: PbrTest): number | null {
  if (reoffenders <= 0) return null;
  if (frequencyPValue(0, reoffenders, f0, test) > alpha) return null;
  let lo = 0;
  let hi = Math.max(1, Math.ceil(reoffenders * f0));
  while (frequencyPValue(hi, reoffenders, f0, test) <= alpha) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (frequencyPValue(mid, reoffenders, f0, test) <= alpha) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Range of re-offender counts holding all but ~1e-20 of Bin(n, p). */
function binomialBand(n: number, p: number): [number, number] {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  return [Math.max(0, Math.floor(mean - 10 * sd - 10)), Math.min(n, Math.ceil(mean + 10 * sd + 10))];
}

/**
 * Frequency-measure calculator with per-R caches (the critical count and the conditional payment
 * probability depend on R only), so scanning many cohort sizes stays cheap.
 */
export class FrequencyPbr {
  private readonly crit = new Map<number, number | null>();
  private readonly paidGivenR = new Map<number, number>();
  constructor(
    readonly f0: number,
    readonly f1: number,
    readonly alpha: number,
    readonly test: PbrTest,
  ) {}

  critical(reoffenders: number): number | null {
    let c = this.crit.get(reoffenders);
    if (c === undefined) {
      c = criticalReoffences(reoffenders, this.f0, this.alpha, this.test);
      this.crit.set(reoffenders, c);
    }
    return c;
  }

  /** P(paid | R re-offenders) = P(Poisson(R f1) <= t_crit(R)). */
  paidGiven(reoffenders: number): number {
    let v = this.paidGivenR.get(reoffenders);
    if (v === undefined) {
      const c = this.critical(reoffenders);
      v = c === null ? 0 : ppois(c, reoffenders * this.f1);
      this.paidGivenR.set(reoffenders, v);
    }
    return v;
  }

  /** Unconditional P(paid) for a cohort of n with true binary rate p1. */
  probabilityPaid(n: number, p1: number): number {
    const [lo, hi] = binomialBand(n, p1);
    let s = 0;
    for (let r = Math.max(1, lo); r <= hi; r++) s += dbinom(r, n, p1) * this.paidGiven(r);
    return Math.min(1, s);
  }

  /**
   * Expected payment at `price` per re-offence avoided, using sum over t <= c of t P(t) =
   * lambda P(Poisson(lambda) <= c - 1).
   */
  expectedPayment(n: number, p1: number, price: number): number {
    const [lo, hi] = binomialBand(n, p1);
    let s = 0;
    for (let r = Math.max(1, lo); r <= hi; r++) {
      const c = this.critical(r);
      if (c === null) continue;
      const lambda = r * this.f1;
      const mu0 = r * this.f0;
      let term: number;
      if (c > mu0) {
        term = 0;
        for (let t = 0; t <= c; t++) term += dpois(t, lambda) * Math.max(0, mu0 - t);
      } else {
        term = mu0 * ppois(c, lambda) - (c >= 1 ? lambda * ppois(c - 1, lambda) : 0);
      }
      s += dbinom(r, n, p1) * term;
    }
    return price * s;
  }

  /** Payment distribution (atoms over R and T; payments rounded to the penny to merge atoms). */
  paymentDistribution(n: number, p1: number, price: number): PaymentDistribution {
    const [lo, hi] = binomialBand(n, p1);
    const atoms = new Map<number, number>();
    let paidMass = 0;
    for (let r = Math.max(1, lo); r <= hi; r++) {
      const c = this.critical(r);
      if (c === null) continue;
      const pr = dbinom(r, n, p1);
      if (pr < 1e-18) continue;
      const lambda = r * this.f1;
      const tStart = Math.max(0, Math.floor(lambda - 12 * Math.sqrt(lambda) - 10));
      for (let t = tStart; t <= c; t++) {
        const prob = pr * dpois(t, lambda);
        if (prob === 0) continue;
        const value = Math.round(Math.max(0, price * (r * this.f0 - t)) * 100) / 100;
        atoms.set(value, (atoms.get(value) ?? 0) + prob);
        paidMass += prob;
      }
    }
    atoms.set(0, (atoms.get(0) ?? 0) + Math.max(0, 1 - paidMass));
    return summarisePayments([...atoms].map(([value, prob]) => ({ value, prob })));
  }
}
