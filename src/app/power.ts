/**
 * The `power` use case: typed options in, one result object out. Composes the pure calculations
 * in src/core/power with file output (the SVG curves) and input (a finished report's JSON for
 * `from`). Parses nothing from the command line (src/cli/commands/power.ts does that).
 */
import { UsageError } from '../core/errors.js';
import { parseDate, formatDate } from '../core/dates.js';
import { createRng } from '../core/random.js';
import { BINARY_METHODS, type BinaryMethod } from '../core/power/binary-power.js';
import { calendarAt, calendarFor, type RecruitmentPlan } from '../core/power/calendar.js';
import { type CurvePoint } from '../core/power/power-curve.js';
import {
  simulateBinaryPower,
  SIMULATION_ANALYSES,
  type SimulationAnalysis,
  type SimulationResult,
} from '../core/power/simulate-power.js';
import type { PowerUpDesign, DesignParams, SizeName } from '../core/power/powerup.js';
import type { CountApproach } from '../core/power/event-power.js';
import { readReportJson, type ReportPlanningInputs, type ReportProgression } from '../io/report-json.js';
import { writeFileAtomic } from '../io/atomic.js';
import { calendarCurveSvg } from '../report/svg/power-curve-svg.js';
import { runBinary } from './power-binary.js';
import { runCount, runSurvival } from './power-events.js';
import { PARAMS, runStandardised } from './power-standardised.js';

export { BINARY_METHODS, SIMULATION_ANALYSES };
export type Solve = 'mdes' | 'power' | 'n';
export type Outcome = 'standardised' | 'binary' | 'survival' | 'count';

export interface PowerOptions extends DesignParams {
  outcome: Outcome;
  design?: PowerUpDesign;
  /** Omitted: inferred from what is given (no effect -> mdes; effect and sizes -> power; else n). */
  solve?: Solve;
  es?: number;
  /** Target power (0.8). */
  power?: number;
  alpha?: number;
  oneTailed?: boolean;
  attrition?: number;
  p1?: number;
  p2?: number;
  ratio?: number;
  method?: BinaryMethod;
  icc?: number;
  clusterSize?: number;
  clusterCv?: number;
  /** Binary cluster designs: 't' (default with the normal method: cpa.binary's t on 2(J - 1) df) or 'z' (normal approximation with the design effect). */
  clusterTest?: 't' | 'z';
  /** Hayes & Bennett's between-cluster coefficient of variation k. */
  cvBetween?: number;
  direction?: 'lower' | 'higher';
  /** Share of the treatment arm who receive it: the effect to detect is diluted to this share (1). */
  compliance?: number;
  hr?: number;
  eventProb?: number;
  median0?: number;
  accrual?: number;
  followUp?: number;
  rate0?: number;
  rr?: number;
  dispersion?: number;
  exposure?: number;
  approach?: CountApproach;
  simulate?: number;
  /** How each simulated replicate is analysed: 'primary' (the headline LPM risk difference, default) or 'logistic'. */
  simAnalysis?: SimulationAnalysis;
  seed?: number;
  plot?: string;
  /** Calendar planning: people a month (per team with `teams`). */
  recruitPerMonth?: number;
  teams?: number;
  /** ISO date recruitment starts. */
  start?: string;
  extractLagDays?: number;
  followUpDays?: number;
  waitingDays?: number;
  calendarPlot?: string;
  /** A finished report's JSON to plan the next stage from. */
  from?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface CalendarResult {
  recruit_per_month: number;
  teams: number;
  start: string;
  people_needed: number;
  months: number;
  recruitment_closes_on: string;
  last_randomised_on: string;
  follow_up_days: number;
  waiting_days: number;
  extract_lag_days: number;
  analysable_on: string;
  /** What the curve shows: the power for the effect, or the MDES when no effect was given. */
  curve_measure: 'power' | 'mdes';
  curve: Array<{
    months: number;
    people: number;
    closes_on: string;
    analysable_on: string;
    power: number | null;
    mdes: number | null;
  }>;
  plot: string | null;
}

export interface FromReport {
  file: string;
  title: string | null;
  stage: string | null;
  /** Each value used, where it came from and how. */
  taken: Array<{ parameter: string; value: number; source: string }>;
  notes: string[];
  progression: ReportProgression[];
}

interface Common {
  target_power: number;
  alpha: number;
  two_tailed: boolean;
  attrition: number;
  analysable_on?: string | null;
  calendar?: CalendarResult | null;
  from?: FromReport | null;
}

export interface StandardisedPowerResult extends Common {
  outcome: 'standardised';
  design: PowerUpDesign;
  solve: Solve;
  mdes: number;
  conf_low: number;
  conf_high: number;
  power: number;
  df: number;
  multiplier: number;
  sse: number;
  n: number | null;
  J: number | null;
  K: number | null;
  L: number | null;
  es: number | null;
  /** Level-1 size used in the statistics: n x (1 - attrition). */
  n_analysed: number | null;
  /** The size solved for and its exact real solution (at randomisation). */
  solved_size: SizeName | null;
  n_exact: number | null;
  J_exact: number | null;
  K_exact: number | null;
  L_exact: number | null;
  rounding: string;
  power_curve: CurvePoint[];
  curve_size: SizeName;
  plot: string | null;
}

export interface BinaryPowerResult extends Common {
  outcome: 'binary';
  solve: Solve;
  method: BinaryMethod;
  /** 't' (cpa.binary's small-sample correction), 'z' (design effect on the normal approximation), 'hayes-bennett', or null (individual). */
  cluster_test: 't' | 'z' | 'hayes-bennett' | null;
  /** null when the target cannot be reached (`feasible: false`). */
  n_per_arm: [number, number] | null;
  n_per_arm_exact: [number, number] | null;
  n_total: number | null;
  clusters_per_arm: [number, number] | null;
  clusters_per_arm_exact: number | null;
  design_effect: number;
  df: number | null;
  power: number | null;
  feasible: boolean;
  /** With --J fixed: the power as the cluster size grows without limit. */
  max_power: number | null;
  p1: number;
  p2: number | null;
  cohens_h: number | null;
  detectable_p2: number | null;
  /** |ln OR| x sqrt(3)/pi of the detectable difference: the MDES for the security rating. */
  logit_d: number | null;
  ratio: number;
  icc: number | null;
  cluster_size: number | null;
  cluster_size_exact: number | null;
  cluster_cv: number | null;
  cv_between: number | null;
  compliance: number;
  power_curve: CurvePoint[];
  curve_size: 'n';
  plot: string | null;
}

export interface SurvivalPowerResult extends Common {
  outcome: 'survival';
  solve: 'n' | 'power';
  hr: number;
  events: number;
  events_exact: number;
  event_prob: number;
  event_prob_arms: [number, number] | null;
  n_per_arm: [number, number];
  n_per_arm_exact: [number, number];
  n_total: number;
  power: number;
  ratio: number;
  design_effect: number;
  icc: number | null;
  cluster_size: number | null;
  clusters_per_arm: [number, number] | null;
  compliance: number;
}

export interface CountPowerResult extends Common {
  outcome: 'count';
  solve: 'n' | 'power';
  rate0: number;
  rr: number;
  dispersion: number;
  exposure: number;
  approach: CountApproach;
  n_per_arm: [number, number];
  n_per_arm_exact: [number, number];
  n_total: number;
  power: number;
  ratio: number;
  design_effect: number;
  icc: number | null;
  cluster_size: number | null;
  clusters_per_arm: [number, number] | null;
  compliance: number;
}

export interface SimulatedPowerResult extends SimulationResult {
  outcome: 'binary';
  solve: 'simulate';
  seed: number;
  p1: number;
  p2: number;
  n_per_arm: [number, number];
  clusters_per_arm: [number, number] | null;
  cluster_size: number | null;
  icc: number | null;
  alpha: number;
  two_tailed: boolean;
}

export type PowerCommandResult =
  StandardisedPowerResult | BinaryPowerResult | SurvivalPowerResult | CountPowerResult | SimulatedPowerResult;

/** What the calendar needs from an outcome's plan: people to recruit, and power/MDES at any number recruited. */
export interface CalendarHooks {
  people: number | null;
  at: (people: number) => { power: number | null; mdes: number | null };
}

export interface Settings {
  alpha: number;
  target: number;
  attrition: number;
  twoTailed: boolean;
  compliance: number;
}

/** Options only a standardised (PowerUp!) calculation takes: every design parameter but the sizes n and J. */
const STANDARDISED_ONLY = ['design', 'es', ...PARAMS.filter((k) => k !== 'n' && k !== 'J')];
const BINARY_ONLY = [
  'p1',
  'p2',
  'compliance',
  'method',
  'clusterCv',
  'clusterTest',
  'cvBetween',
  'direction',
  'simulate',
  'simAnalysis',
] as const;
const SURVIVAL_ONLY = ['hr', 'eventProb', 'median0', 'accrual', 'followUp'] as const;
const COUNT_ONLY = ['rate0', 'rr', 'dispersion', 'exposure', 'approach'] as const;
const CLUSTER_INPUTS = ['icc', 'clusterSize', 'ratio'] as const;

/** `--flag` spelling of an option key. */
export function flag(key: string): string {
  if (key === 'ratio') return '--allocation-ratio';
  return `--${key.replace(/[A-Z]/g, (c) => (c === 'J' || c === 'K' || c === 'L' ? c : `-${c.toLowerCase()}`))}`;
}

function refuse(o: PowerOptions, keys: readonly string[], why: (k: string) => string): void {
  for (const k of keys) if ((o as unknown as Record<string, unknown>)[k] !== undefined) throw new UsageError(why(k));
}

/** Handler: contract-shaped power results. */
export async function runPower(input: PowerOptions): Promise<PowerCommandResult> {
  const { options: o, from } =
    input.from !== undefined ? applyReport(input, readReportJson(input.from)) : { options: { ...input }, from: null };
  // Each value's own range is checked where it is parsed (src/cli/commands/power.ts); here only
  // the rules between options.
  const alpha = o.alpha ?? 0.05;
  const target = o.power ?? 0.8;
  const attrition = o.attrition ?? 0;
  const compliance = o.compliance ?? 1;
  if (o.seed !== undefined && o.simulate === undefined)
    throw new UsageError('--seed only applies with --simulate <reps>');
  if (o.simAnalysis !== undefined && o.simulate === undefined)
    throw new UsageError('--sim-analysis only applies with --simulate <reps>');
  const calendarWanted =
    o.recruitPerMonth !== undefined ||
    o.start !== undefined ||
    o.extractLagDays !== undefined ||
    o.calendarPlot !== undefined;
  const s: Settings = { alpha, target, attrition, twoTailed: !o.oneTailed, compliance };
  const others = (mine: string) => `with --outcome-type ${mine}`;
  if (o.outcome !== 'binary') refuse(o, BINARY_ONLY, (k) => `${flag(k)} needs --outcome-type binary`);
  if (o.outcome !== 'survival') refuse(o, SURVIVAL_ONLY, (k) => `${flag(k)} needs --outcome-type survival`);
  if (o.outcome !== 'count') refuse(o, COUNT_ONLY, (k) => `${flag(k)} needs --outcome-type count`);
  if (o.outcome === 'standardised')
    refuse(o, CLUSTER_INPUTS, (k) => `${flag(k)} needs --outcome-type binary, survival or count`);
  else {
    refuse(
      o,
      STANDARDISED_ONLY,
      (k) =>
        `${flag(k)} applies to standardised outcomes; ${others(o.outcome)} use ${o.outcome === 'binary' ? `--p1/--p2${k === 'K' ? ' and --cluster-size' : ''}` : o.outcome === 'survival' ? '--hr and --event-prob' : '--rate0 and --rr'}`,
    );
  }
  if (o.outcome !== 'binary' && o.outcome !== 'standardised' && o.J !== undefined)
    throw new UsageError(`--J needs --outcome-type binary or a standardised design`);
  if (
    o.teams !== undefined &&
    o.outcome === 'binary' &&
    o.icc !== undefined &&
    o.J === undefined &&
    o.clusterSize === undefined
  ) {
    // The recruiting teams are the clusters: half in each arm, and the cluster size is solved.
    if (o.teams % 2 !== 0)
      throw new UsageError(
        `--teams ${o.teams}: a cluster design needs an even number of teams (half per arm), or give --J`,
      );
    o.J = o.teams / 2;
  }
  if (o.simulate !== undefined) {
    if (calendarWanted)
      throw new UsageError('--simulate cannot be combined with calendar planning (--recruit-per-month, --start)');
    return runSimulation(o, alpha);
  }
  let planned: { result: Exclude<PowerCommandResult, SimulatedPowerResult>; hooks: CalendarHooks };
  switch (o.outcome) {
    case 'binary':
      planned = runBinary(o, s);
      break;
    case 'survival':
      planned = runSurvival(o, s);
      break;
    case 'count':
      planned = runCount(o, s);
      break;
    default:
      planned = runStandardised(o, s);
  }
  const result = planned.result;
  result.from = from;
  result.calendar = calendarWanted ? planCalendar(o, planned.hooks, target) : null;
  result.analysable_on = result.calendar?.analysable_on ?? null;
  return result;
}

function planCalendar(o: PowerOptions, hooks: CalendarHooks, target: number): CalendarResult {
  if (o.recruitPerMonth === undefined || o.start === undefined)
    throw new UsageError(
      'calendar planning needs --recruit-per-month and --start (and optionally --teams, --extract-lag-days)',
    );
  const parsed = parseDate(o.start);
  if (!parsed.ok) throw new UsageError(`--start ${JSON.stringify(o.start)}: ${parsed.reason}`);
  if (hooks.people === null)
    throw new UsageError(
      'calendar planning needs a size to reach: the target power cannot be reached with this design (see max_power)',
    );
  const plan: RecruitmentPlan = {
    perMonth: o.recruitPerMonth,
    teams: o.teams,
    startDay: parsed.day,
    followUpDays: o.followUpDays,
    waitingDays: o.waitingDays,
    extractLagDays: o.extractLagDays,
  };
  const at = calendarFor(plan, hooks.people);
  const last = Math.max(at.months * 2, at.months + 6);
  const curve: CalendarResult['curve'] = [];
  const closing: number[] = [];
  for (let m = 1; m <= last; m++) {
    const point = calendarAt(plan, m);
    let v: { power: number | null; mdes: number | null };
    try {
      v = hooks.at(point.people);
    } catch (err) {
      if (err instanceof UsageError) continue; // too few people for this design yet (df <= 0)
      throw err;
    }
    curve.push({
      months: m,
      people: point.people,
      closes_on: formatDate(point.closesDay),
      analysable_on: formatDate(point.analysableDay),
      ...v,
    });
    closing.push(point.closesDay);
  }
  const measure: 'power' | 'mdes' = curve.some((p) => p.power !== null) ? 'power' : 'mdes';
  let plot: string | null = null;
  if (o.calendarPlot) {
    const pts = curve.flatMap((p, i) => (p[measure] !== null ? [{ day: closing[i]!, value: p[measure]! }] : []));
    if (pts.length === 0) throw new UsageError('--calendar-plot: nothing to draw');
    const yMax = measure === 'power' ? 1 : Math.max(...pts.map((p) => p.value)) * 1.05;
    writeFileAtomic(
      o.calendarPlot,
      calendarCurveSvg(pts, {
        title: `${measure === 'power' ? 'Power' : 'MDES'} by the date recruitment closes (${o.recruitPerMonth} a month${o.teams ? ` per team, ${o.teams} teams` : ''})`,
        yLabel: measure,
        yMax,
        target: measure === 'power' ? target : undefined,
        mark: at.closesDay,
      }),
    );
    plot = o.calendarPlot;
  }
  return {
    recruit_per_month: o.recruitPerMonth,
    teams: o.teams ?? 1,
    start: formatDate(parsed.day),
    people_needed: hooks.people,
    months: at.months,
    recruitment_closes_on: formatDate(at.closesDay),
    last_randomised_on: formatDate(at.closesDay - 1),
    follow_up_days: o.followUpDays ?? 365,
    waiting_days: o.waitingDays ?? 183,
    extract_lag_days: o.extractLagDays ?? 0,
    analysable_on: formatDate(at.analysableDay),
    curve_measure: measure,
    curve,
    plot,
  };
}

/**
 * Fills options the user left out from a finished report, recording each value's source. The ICC
 * is the upper confidence limit when the report gives one (the conservative end), else the point
 * estimate (said so in the notes).
 */
export function applyReport(o: PowerOptions, r: ReportPlanningInputs): { options: PowerOptions; from: FromReport } {
  const out: PowerOptions = { ...o };
  const taken: FromReport['taken'] = [];
  const notes: string[] = [];
  const take = (
    key: 'p1' | 'icc' | 'attrition' | 'compliance' | 'clusterSize',
    value: number | null,
    source: string,
  ): void => {
    if (value === null) return;
    if (out[key] !== undefined) {
      notes.push(`${flag(key)} ${out[key]} given on the command line was used instead of ${value} from ${source}`);
      return;
    }
    out[key] = value;
    taken.push({ parameter: key === 'clusterSize' ? 'cluster_size' : key, value, source });
  };
  if (o.outcome === 'binary') {
    take('p1', r.control_rate, 'arms[control].binary_rate');
    if (r.control_rate === null && o.p1 === undefined)
      notes.push('the report gives no control rate (suppressed or not measured): give --p1');
  }
  const clustered = r.mean_cluster_size !== null;
  if (clustered && o.outcome !== 'standardised') {
    if (r.icc_conf_high !== null)
      take('icc', r.icc_conf_high, 'effects[reoffended, icc].conf_high (the conservative end of its interval)');
    else if (r.icc_estimate !== null) {
      take('icc', r.icc_estimate, 'effects[reoffended, icc].estimate');
      notes.push(
        'the report gives no interval for the ICC, so its point estimate was used: with few clusters it is imprecise; try a larger --icc as a sensitivity check',
      );
    }
    if (o.J === undefined && o.cvBetween === undefined && o.teams === undefined)
      take(
        'clusterSize',
        r.mean_cluster_size,
        'consort.arms[].allocated / clusters_allocated (mean people per cluster)',
      );
  }
  if (r.attrition !== null && r.attrition > 0 && r.attrition < 1) take('attrition', r.attrition, 'attrition.overall');
  if (r.compliance !== null && r.compliance > 0 && r.compliance <= 1 && o.outcome === 'binary') {
    take('compliance', r.compliance, r.compliance_source ?? 'report');
    if (out.compliance === r.compliance)
      notes.push(
        `the effect given (--p2) is read as the effect on those who receive the intervention and diluted to ${(r.compliance * 100).toFixed(1)}% receipt for the intention-to-treat comparison`,
      );
  }
  return {
    options: out,
    from: { file: r.file, title: r.title, stage: r.stage, taken, notes, progression: r.progression },
  };
}

async function runSimulation(o: PowerOptions, alpha: number): Promise<SimulatedPowerResult> {
  if (o.seed === undefined)
    throw new UsageError('--seed <int> is required with --simulate so the result can be reproduced');
  if (o.solve !== undefined)
    throw new UsageError(`--solve ${o.solve} conflicts with --simulate: the simulation estimates the power at --n`);
  if (o.outcome !== 'binary') throw new UsageError('--simulate needs --outcome-type binary');
  if (o.p1 === undefined || o.p2 === undefined) throw new UsageError('--simulate needs --p1 and --p2');
  if (o.n === undefined) throw new UsageError('--simulate needs --n (people per arm)');
  if (o.ratio !== undefined && o.ratio !== 1)
    throw new UsageError('--allocation-ratio other than 1 is not supported with --simulate (arms are equal)');
  if (o.plot !== undefined)
    throw new UsageError('--plot draws the analytic power curve; it cannot be combined with --simulate');
  if (o.attrition) throw new UsageError('--attrition is not supported with --simulate: give the analysed --n');
  if (o.clusterCv !== undefined)
    throw new UsageError('--cluster-cv is not supported with --simulate (clusters are of equal size)');
  const clustered = o.icc !== undefined || o.clusterSize !== undefined;
  if (clustered && (o.icc === undefined || o.clusterSize === undefined))
    throw new UsageError('--icc and --cluster-size go together: give both for a cluster design');
  const twoTailed = !o.oneTailed;
  const r = simulateBinaryPower(
    {
      p1: o.p1,
      p2: o.p2,
      n: o.n,
      clusterSize: o.clusterSize,
      icc: o.icc,
      reps: o.simulate!,
      alpha,
      twoTailed,
      analysis: o.simAnalysis,
    },
    createRng(o.seed),
    o.onProgress,
  );
  const perArm = r.clusters !== null ? r.clusters / 2 : null;
  return {
    outcome: 'binary',
    solve: 'simulate',
    seed: o.seed,
    p1: o.p1,
    p2: o.p2,
    n_per_arm: [o.n, o.n],
    clusters_per_arm: perArm !== null ? [perArm, perArm] : null,
    cluster_size: o.clusterSize ?? null,
    icc: o.icc ?? null,
    alpha,
    two_tailed: twoTailed,
    ...r,
  };
}

/** Solve inferred from what is given. */
export function inferSolve(o: PowerOptions, effectGiven: boolean, sizeGiven: boolean): Solve {
  if (o.solve) return o.solve;
  if (!effectGiven) return 'mdes';
  return sizeGiven ? 'power' : 'n';
}

/** The PowerUp! designs `power --design` offers. */
export { DESIGNS } from '../core/power/powerup.js';
/** The text sparkline of a power curve, for the human output. */
export { sparkline } from '../core/power/power-curve.js';
