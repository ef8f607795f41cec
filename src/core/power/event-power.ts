/**
 * Sample size for time-to-event and count outcomes, two arms.
 *
 * Time to event (Schoenfeld 1983, Biometrika 68:316-319): the log-rank test (or a Cox model with
 * the arm alone) needs D = (z(1 - alpha/2) + z(power))^2 / (pi (1 - pi) ln(HR)^2) events, pi the
 * share allocated to treatment. People = D / P(event). The probability of an event comes either
 * directly (`eventProb`) or from exponential survival with control median `median0`, uniform
 * accrual over `accrual` and a further `followUp` after accrual closes: an arm with hazard h has
 * P = 1 - (exp(-h F) - exp(-h (A + F))) / (h A) (A = 0: 1 - exp(-h F)); the two arms are averaged
 * with the allocation weights.
 *
 * Counts (Zhu & Lakkis 2014, Stat Med 33:376-387; R `MKpower::power.nb.test`): rates r0 and
 * r1 = RR r0 per unit of exposure t, negative binomial dispersion k (Var = mu + k mu^2; k = 0 is
 * Poisson), allocation n1 = a n0:
 *   V1 = (1/t) (1/r0 + 1/(a r1)) + (1 + a) k / a,
 *   V0 = V1 (approach 2), (1 + a)/(t a r0) + (1 + a) k / a (approach 1), or
 *        (1 + a)^2 / (t a (r0 + a r1)) + (1 + a) k / a (approach 3, the default as in MKpower),
 *   n0 = (z(1 - alpha/2) sqrt(V0) + z(power) sqrt(V1))^2 / ln(RR)^2.
 */
import { UsageError } from '../errors.js';
import { pnorm, qnorm } from '../stats/distributions.js';

export interface ZTest {
  alpha?: number;
  twoTailed?: boolean;
}

function zAlpha(o: ZTest): number {
  const alpha = o.alpha ?? 0.05;
  return qnorm((o.twoTailed ?? true) ? alpha / 2 : alpha, false);
}

function checkPower(power: number): void {
  if (!(power > 0 && power < 1)) throw new UsageError(`--power must be strictly between 0 and 1, got ${power}`);
}

/**
 * Schoenfeld's number of events (real; round up) for hazard ratio hr.
 * @param allocation share randomised to treatment (0.5)
 * @example schoenfeldEvents(0.7, 0.8) // => 246.787 // 4 (qnorm(.975) + qnorm(.8))^2 / log(.7)^2; 247 events
 */
export function schoenfeldEvents(hr: number, power: number, o: ZTest & { allocation?: number } = {}): number {
  if (!(hr > 0) || hr === 1 || !Number.isFinite(hr))
    throw new UsageError(`--hr must be a positive number other than 1, got ${hr}`);
  checkPower(power);
  const pi = o.allocation ?? 0.5;
  return (zAlpha(o) + qnorm(power)) ** 2 / (pi * (1 - pi) * Math.log(hr) ** 2);
}

/** Power of the log-rank test with `events` events (Schoenfeld), counting the tail of the effect. */
export function schoenfeldPower(hr: number, events: number, o: ZTest & { allocation?: number } = {}): number {
  const pi = o.allocation ?? 0.5;
  return pnorm(Math.abs(Math.log(hr)) * Math.sqrt(events * pi * (1 - pi)) - zAlpha(o));
}

/**
 * Probability a person has an event with exponential hazard h, entering uniformly over `accrual`
 * and followed to `followUp` after accrual closes (all in the same time unit).
 */
export function eventProbability(h: number, accrual: number, followUp: number): number {
  if (!(h > 0)) throw new UsageError(`hazard must be positive, got ${h}`);
  if (!(accrual >= 0) || !(followUp > 0))
    throw new UsageError(`--accrual must be >= 0 and --follow-up > 0, got ${accrual} and ${followUp}`);
  if (accrual === 0) return 1 - Math.exp(-h * followUp);
  return 1 - (Math.exp(-h * followUp) - Math.exp(-h * (accrual + followUp))) / (h * accrual);
}

export interface SurvivalSize {
  events_exact: number;
  events: number;
  /** Probability of an event, averaged over the arms. */
  event_prob: number;
  /** Per arm [control, treated] when the event probability came from the hazards. */
  event_prob_arms: [number, number] | null;
  /** People (both arms) needed for the events, before any design effect or attrition. */
  n_exact: number;
}

export function survivalSize(
  args: ZTest & {
    hr: number;
    power: number;
    allocation?: number;
    eventProb?: number;
    median0?: number;
    accrual?: number;
    followUp?: number;
  },
): SurvivalSize {
  const pi = args.allocation ?? 0.5;
  const events_exact = schoenfeldEvents(args.hr, args.power, args);
  let event_prob: number;
  let arms: [number, number] | null = null;
  if (args.eventProb !== undefined) {
    if (!(args.eventProb > 0 && args.eventProb <= 1))
      throw new UsageError(`--event-prob must be in (0, 1], got ${args.eventProb}`);
    event_prob = args.eventProb;
  } else {
    if (args.median0 === undefined || args.followUp === undefined)
      throw new UsageError('--outcome-type survival needs --event-prob, or --median0 with --follow-up (and --accrual)');
    if (!(args.median0 > 0)) throw new UsageError(`--median0 must be positive, got ${args.median0}`);
    const h0 = Math.LN2 / args.median0;
    arms = [
      eventProbability(h0, args.accrual ?? 0, args.followUp),
      eventProbability(h0 * args.hr, args.accrual ?? 0, args.followUp),
    ];
    event_prob = (1 - pi) * arms[0] + pi * arms[1];
  }
  return {
    events_exact,
    events: Math.ceil(events_exact - 1e-9),
    event_prob,
    event_prob_arms: arms,
    n_exact: Math.ceil(events_exact - 1e-9) / event_prob,
  };
}

export type CountApproach = 1 | 2 | 3;

export interface CountDesign extends ZTest {
  rate0: number;
  rr: number;
  /** Negative binomial dispersion k (0: Poisson). */
  dispersion?: number;
  /** Exposure per person in the rate's time unit (1). */
  exposure?: number;
  /** Treated / control size (1). */
  ratio?: number;
  approach?: CountApproach;
}

function countVariances(d: CountDesign): { v0: number; v1: number; logRr: number } {
  if (!(d.rate0 > 0) || !Number.isFinite(d.rate0)) throw new UsageError(`--rate0 must be positive, got ${d.rate0}`);
  if (!(d.rr > 0) || d.rr === 1 || !Number.isFinite(d.rr))
    throw new UsageError(`--rr must be a positive number other than 1, got ${d.rr}`);
  const k = d.dispersion ?? 0;
  if (!(k >= 0) || !Number.isFinite(k)) throw new UsageError(`--dispersion must be >= 0, got ${k}`);
  const t = d.exposure ?? 1;
  if (!(t > 0)) throw new UsageError(`--exposure must be positive, got ${t}`);
  const a = d.ratio ?? 1;
  const r0 = d.rate0;
  const r1 = d.rate0 * d.rr;
  const extra = ((1 + a) * k) / a;
  const v1 = (1 / t) * (1 / r0 + 1 / (a * r1)) + extra;
  const approach = d.approach ?? 3;
  const v0 =
    approach === 2
      ? v1
      : approach === 1
        ? (1 + a) / (t * a * r0) + extra
        : (1 + a) ** 2 / (t * a * (r0 + a * r1)) + extra;
  return { v0, v1, logRr: Math.log(d.rr) };
}

/**
 * Control-arm size (real) for a rate ratio (MKpower::power.nb.test(n = NULL, ...)$n).
 * @example countSampleSize({ rate0: 0.8, rr: 0.85, dispersion: 0.4, exposure: 0.75 }, 0.8) // => 1310.73 // per arm, Zhu & Lakkis approach 3
 */
export function countSampleSize(d: CountDesign, power: number): number {
  checkPower(power);
  const { v0, v1, logRr } = countVariances(d);
  return (zAlpha(d) * Math.sqrt(v0) + qnorm(power) * Math.sqrt(v1)) ** 2 / logRr ** 2;
}

/** Power with n0 control people (MKpower::power.nb.test(power = NULL, ...)$power). */
export function countPower(d: CountDesign, n0: number): number {
  const { v0, v1, logRr } = countVariances(d);
  return pnorm((Math.sqrt(n0) * Math.abs(logRr) - zAlpha(d) * Math.sqrt(v0)) / Math.sqrt(v1));
}
