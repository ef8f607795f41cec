/**
 * `power --outcome-type survival` (Schoenfeld's events for a hazard ratio) and `power --outcome-type count`
 * (Zhu & Lakkis' rate ratio with over-dispersion), individually or cluster randomised (sizes
 * inflated by the design effect 1 + ((cv^2 + 1) m - 1) icc) and for attrition.
 */
import { UsageError } from '../core/errors.js';
import { designEffect } from '../core/power/binary-power.js';
import {
  countPower,
  countSampleSize,
  schoenfeldPower,
  survivalSize,
  type CountDesign,
} from '../core/power/event-power.js';
import { qnorm } from '../core/stats/distributions.js';
import {
  type CalendarHooks,
  type CountPowerResult,
  type PowerOptions,
  type Settings,
  type SurvivalPowerResult,
} from './power.js';

function clusterInputs(o: PowerOptions): { de: number; icc: number | null; m: number | null } {
  const clustered = o.icc !== undefined || o.clusterSize !== undefined;
  if (clustered && (o.icc === undefined || o.clusterSize === undefined))
    throw new UsageError('--icc and --cluster-size go together: give both for a cluster design');
  if (o.clusterCv !== undefined && !clustered) throw new UsageError('--cluster-cv needs --icc and --cluster-size');
  return {
    de: clustered ? designEffect(o.clusterSize!, o.icc!, o.clusterCv ?? 0) : 1,
    icc: o.icc ?? null,
    m: o.clusterSize ?? null,
  };
}

function common(o: PowerOptions, s: Settings, kind: string): { solve: 'n' | 'power'; ratio: number } {
  if (o.solve === 'mdes')
    throw new UsageError(
      `--solve mdes is not available with --outcome-type ${kind}: give the effect and solve n (or power with --n)`,
    );
  const solve = o.solve ?? (o.n !== undefined ? 'power' : 'n');
  if (solve === 'n' && o.n !== undefined)
    throw new UsageError('--n conflicts with --solve n: the size is the answer; leave --n out');
  if (solve === 'power' && o.n === undefined)
    throw new UsageError('--n (control-arm size) is required for --solve power');
  const ratio = o.ratio ?? 1; // its range is checked where --allocation-ratio is parsed
  void s;
  return { solve, ratio };
}

function perArm(
  n0Exact: number,
  ratio: number,
): { n_per_arm: [number, number]; n_per_arm_exact: [number, number]; n_total: number } {
  const n0 = Math.ceil(n0Exact - 1e-9);
  const n1 = Math.ceil(ratio * n0Exact - 1e-9);
  return { n_per_arm: [n0, n1], n_per_arm_exact: [n0Exact, ratio * n0Exact], n_total: n0 + n1 };
}

export function runSurvival(o: PowerOptions, s: Settings): { result: SurvivalPowerResult; hooks: CalendarHooks } {
  if (o.hr === undefined) throw new UsageError('--outcome-type survival needs --hr (the hazard ratio to detect)');
  if (o.eventProb !== undefined && (o.median0 !== undefined || o.accrual !== undefined || o.followUp !== undefined)) {
    throw new UsageError('give --event-prob, or --median0 with --follow-up (and --accrual), not both');
  }
  const { solve, ratio } = common(o, s, 'survival');
  const { de, icc, m } = clusterInputs(o);
  const allocation = ratio / (1 + ratio);
  const test = { alpha: s.alpha, twoTailed: s.twoTailed, allocation };
  const size = survivalSize({
    ...test,
    hr: o.hr,
    power: s.target,
    eventProb: o.eventProb,
    median0: o.median0,
    accrual: o.accrual,
    followUp: o.followUp,
  });
  // Events expected among people analysed, effective after the design effect.
  const eventsFrom = (people: number): number => (people * (1 - s.attrition) * size.event_prob) / de;
  let sizes: ReturnType<typeof perArm>;
  let power: number;
  if (solve === 'n') {
    sizes = perArm((size.n_exact * de) / (1 - s.attrition) / (1 + ratio), ratio);
    power = schoenfeldPower(o.hr, eventsFrom(sizes.n_total), test);
  } else {
    sizes = {
      n_per_arm: [o.n!, Math.ceil(ratio * o.n! - 1e-9)],
      n_per_arm_exact: [o.n!, ratio * o.n!],
      n_total: o.n! + Math.ceil(ratio * o.n! - 1e-9),
    };
    power = schoenfeldPower(o.hr, eventsFrom(sizes.n_total), test);
  }
  const za = qnorm(s.twoTailed ? s.alpha / 2 : s.alpha, false);
  const hooks: CalendarHooks = {
    people: sizes.n_total,
    at: (people) => {
      const d = eventsFrom(people);
      // Detectable hazard ratio (below 1 when the effect is a reduction).
      const lnHr = (za + qnorm(s.target)) / Math.sqrt(d * allocation * (1 - allocation));
      return { power: schoenfeldPower(o.hr!, d, test), mdes: o.hr! < 1 ? Math.exp(-lnHr) : Math.exp(lnHr) };
    },
  };
  const result: SurvivalPowerResult = {
    outcome: 'survival',
    solve,
    hr: o.hr,
    events: solve === 'n' ? size.events : Math.floor(eventsFrom(sizes.n_total) + 1e-9),
    events_exact: solve === 'n' ? size.events_exact : eventsFrom(sizes.n_total),
    event_prob: size.event_prob,
    event_prob_arms: size.event_prob_arms,
    ...sizes,
    power,
    ratio,
    design_effect: de,
    icc,
    cluster_size: m,
    clusters_per_arm:
      m !== null ? [Math.ceil(sizes.n_per_arm[0] / m - 1e-9), Math.ceil(sizes.n_per_arm[1] / m - 1e-9)] : null,
    compliance: 1,
    target_power: s.target,
    alpha: s.alpha,
    two_tailed: s.twoTailed,
    attrition: s.attrition,
  };
  return { result, hooks };
}

export function runCount(o: PowerOptions, s: Settings): { result: CountPowerResult; hooks: CalendarHooks } {
  if (o.rate0 === undefined || o.rr === undefined)
    throw new UsageError(
      '--outcome-type count needs --rate0 (control events per person per --exposure) and --rr (the rate ratio to detect)',
    );
  const { solve, ratio } = common(o, s, 'count');
  const { de, icc, m } = clusterInputs(o);
  const d: CountDesign = {
    rate0: o.rate0,
    rr: o.rr,
    dispersion: o.dispersion ?? 0,
    exposure: o.exposure ?? 1,
    ratio,
    approach: o.approach ?? 3,
    alpha: s.alpha,
    twoTailed: s.twoTailed,
  };
  const effective = (n0: number): number => (n0 * (1 - s.attrition)) / de;
  const sizes =
    solve === 'n'
      ? perArm((countSampleSize(d, s.target) * de) / (1 - s.attrition), ratio)
      : {
          n_per_arm: [o.n!, Math.ceil(ratio * o.n! - 1e-9)] as [number, number],
          n_per_arm_exact: [o.n!, ratio * o.n!] as [number, number],
          n_total: o.n! + Math.ceil(ratio * o.n! - 1e-9),
        };
  const result: CountPowerResult = {
    outcome: 'count',
    solve,
    rate0: o.rate0,
    rr: o.rr,
    dispersion: d.dispersion!,
    exposure: d.exposure!,
    approach: d.approach!,
    ...sizes,
    power: countPower(d, effective(sizes.n_per_arm[0])),
    ratio,
    design_effect: de,
    icc,
    cluster_size: m,
    clusters_per_arm:
      m !== null ? [Math.ceil(sizes.n_per_arm[0] / m - 1e-9), Math.ceil(sizes.n_per_arm[1] / m - 1e-9)] : null,
    compliance: 1,
    target_power: s.target,
    alpha: s.alpha,
    two_tailed: s.twoTailed,
    attrition: s.attrition,
  };
  return {
    result,
    hooks: {
      people: sizes.n_total,
      at: (people) => ({ power: countPower(d, effective(people / (1 + ratio))), mdes: null }),
    },
  };
}
