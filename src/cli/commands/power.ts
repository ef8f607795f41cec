/**
 * `pilot-eval power`: MDES, power and sample size for standardised outcomes (PowerUp! designs) and
 * binary outcomes (proven re-offending), analytically or by simulation (`--simulate`).
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { BINARY_METHODS, binaryDetectable, binaryPower, binarySampleSize, checkRate, cohensH, designEffect, logitD, type BinaryMethod } from '../../core/power/binary-power.js';
import { curveSizes, sparkline, type CurvePoint } from '../../core/power/power-curve.js';
import { powerCurveSvg } from '../../report/svg/power-curve-svg.js';
import { DESIGNS, FREE_SIZE, designSizes, isDesign, mdesFor, powerFor, solveSize, validateParams, type Design, type DesignParams } from '../../core/power/powerup.js';
import { simulateBinaryPower, type SimulationResult } from '../../core/power/simulate-power.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { withCommon } from '../command-kit.js';
import { parseIntOption, parseNumberOption, parseSeed } from '../options.js';
import { painter, printJson, printText, progress, table } from '../output.js';

export type Solve = 'mdes' | 'power' | 'n';

export interface PowerOptions extends DesignParams {
  outcome: 'standardised' | 'binary';
  design?: Design;
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
  direction?: 'lower' | 'higher';
  simulate?: number;
  seed?: number;
  plot?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface StandardisedPowerResult {
  outcome: 'standardised';
  design: Design;
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
  es: number | null;
  target_power: number;
  alpha: number;
  two_tailed: boolean;
  attrition: number;
  /** Level-1 size used in the statistics: n x (1 - attrition). */
  n_analysed: number | null;
  /** The size solved for ('n', 'J' or 'K') and its exact real solution (at randomisation). */
  solved_size: 'n' | 'J' | 'K' | null;
  n_exact: number | null;
  J_exact: number | null;
  K_exact: number | null;
  power_curve: CurvePoint[];
  curve_size: 'n' | 'J' | 'K';
  plot: string | null;
}

export interface BinaryPowerResult {
  outcome: 'binary';
  solve: Solve;
  method: BinaryMethod;
  n_per_arm: [number, number];
  n_per_arm_exact: [number, number];
  n_total: number;
  clusters_per_arm: [number, number] | null;
  design_effect: number;
  power: number;
  p1: number;
  p2: number | null;
  cohens_h: number | null;
  detectable_p2: number | null;
  /** |ln OR| x sqrt(3)/pi of the detectable difference: the MDES for the security rating. */
  logit_d: number | null;
  ratio: number;
  target_power: number;
  alpha: number;
  two_tailed: boolean;
  icc: number | null;
  cluster_size: number | null;
  cluster_cv: number | null;
  attrition: number;
  power_curve: CurvePoint[];
  curve_size: 'n';
  plot: string | null;
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

export type PowerCommandResult = StandardisedPowerResult | BinaryPowerResult | SimulatedPowerResult;

const STANDARDISED_ONLY = ['design', 'es', 'p', 'J', 'K', 'rho2', 'rho3', 'omega2', 'omega3', 'r21', 'r22', 'r23', 'r2t2', 'r2t3', 'g1', 'g2', 'g3'] as const;
const BINARY_ONLY = ['p1', 'p2', 'ratio', 'method', 'icc', 'clusterSize', 'clusterCv', 'direction', 'simulate'] as const;

function flag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => (c === 'J' || c === 'K' ? c : `-${c.toLowerCase()}`))}`;
}

/** Handler: contract-shaped power results. */
export async function runPower(o: PowerOptions): Promise<PowerCommandResult> {
  const alpha = o.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be strictly between 0 and 1, got ${alpha}`);
  const target = o.power ?? 0.8;
  if (!(target > 0 && target < 1)) throw new UsageError(`--power must be strictly between 0 and 1, got ${target}`);
  const attrition = o.attrition ?? 0;
  if (!(attrition >= 0 && attrition < 1)) throw new UsageError(`--attrition must be in [0, 1), got ${attrition}`);
  if (o.seed !== undefined && o.simulate === undefined) throw new UsageError('--seed only applies with --simulate <reps>');
  if (o.outcome === 'binary') {
    for (const k of STANDARDISED_ONLY) {
      if (o[k] !== undefined) throw new UsageError(`${flag(k)} applies to standardised outcomes; with --outcome binary use --p1/--p2${k === 'J' || k === 'K' ? ' and --cluster-size' : ''}`);
    }
    return o.simulate !== undefined ? runSimulation(o, alpha) : runBinary(o, alpha, target, attrition);
  }
  for (const k of BINARY_ONLY) {
    if (o[k] !== undefined) throw new UsageError(`${flag(k)} needs --outcome binary`);
  }
  return runStandardised(o, alpha, target, attrition);
}

function inferSolve(o: PowerOptions, effectGiven: boolean, sizeGiven: boolean): Solve {
  if (o.solve) return o.solve;
  if (!effectGiven) return 'mdes';
  return sizeGiven ? 'power' : 'n';
}

async function runStandardised(o: PowerOptions, alpha: number, target: number, attrition: number): Promise<StandardisedPowerResult> {
  if (o.design === undefined) throw new UsageError(`--design is required: one of ${DESIGNS.join(', ')}`);
  const design = o.design;
  const free = FREE_SIZE[design];
  const solve = inferSolve(o, o.es !== undefined, o[free] !== undefined);
  const twoTailed = !o.oneTailed;
  const test = { alpha, twoTailed };
  if (solve === 'n' && o[free] !== undefined) {
    throw new UsageError(`--${free} conflicts with --solve n: design ${design} solves for ${free}; leave --${free} out`);
  }
  if (solve !== 'mdes' && o.es === undefined) throw new UsageError(`--es is required for --solve ${solve}`);
  if (solve === 'mdes' && o.es !== undefined) throw new UsageError('--es conflicts with --solve mdes: the MDES is the answer; use --solve power to get the power for --es');
  for (const s of ['n', 'J', 'K'] as const) {
    if (o[s] !== undefined && !designSizes(design).includes(s)) throw new UsageError(`--${s} does not apply to design ${design} (sizes: ${designSizes(design).map((x) => `--${x}`).join(', ')})`);
  }
  const params: DesignParams = {};
  for (const k of ['n', 'J', 'K', 'p', 'rho2', 'rho3', 'omega2', 'omega3', 'r21', 'r22', 'r23', 'r2t2', 'r2t3', 'g1', 'g2', 'g3'] as const) {
    if (o[k] !== undefined) params[k] = o[k];
  }
  validateParams(design, params, solve === 'n' ? free : undefined);
  // Attrition removes level-1 people: the statistics use n (1 - attrition).
  const analysed = (q: DesignParams): DesignParams => (q.n !== undefined ? { ...q, n: q.n * (1 - attrition) } : q);

  let sizes = { ...params };
  let exact: number | null = null;
  if (solve === 'n') {
    const solved = solveSize(design, analysed(params), o.es!, { ...test, power: target });
    if (free === 'n') {
      // Inflate the analysed size for attrition: people to randomise.
      const n = attrition > 0 ? Math.ceil(solved.value / (1 - attrition) - 1e-9) : solved.value;
      sizes = { ...params, n };
      exact = solved.exact / (1 - attrition);
    } else {
      sizes = { ...params, [free]: solved.value };
      exact = solved.exact;
    }
  }
  const stats = analysed(sizes);
  const m = mdesFor(design, stats, { ...test, power: target });
  const power = o.es !== undefined ? powerFor(design, stats, o.es, test).power : target;

  // Power curve against the free size, for es (or the MDES when no effect was given).
  const curveEs = o.es ?? m.mdes;
  const current = sizes[free]!;
  const lowest = Math.max(1, Math.floor(minimumValid(design, sizes, free, attrition)) + 1);
  const power_curve = curveSizes(lowest, Math.max(lowest + 4, Math.ceil(current * 2)), 24).map((s) => ({
    size: s,
    power: powerFor(design, analysed({ ...sizes, [free]: s }), curveEs, test).power,
  }));
  let plot: string | null = null;
  if (o.plot) {
    writeFileAtomic(o.plot, powerCurveSvg(power_curve, { title: `Power, design ${design}, es = ${curveEs.toFixed(3)}`, xLabel: sizeLabel(free), target, mark: current }));
    plot = o.plot;
  }
  return {
    outcome: 'standardised',
    design,
    solve,
    mdes: m.mdes,
    conf_low: m.conf_low,
    conf_high: m.conf_high,
    power,
    df: m.df,
    multiplier: m.multiplier,
    sse: m.sse,
    n: sizes.n ?? null,
    J: designSizes(design).includes('J') ? (sizes.J ?? null) : null,
    K: designSizes(design).includes('K') ? (sizes.K ?? null) : null,
    es: o.es ?? null,
    target_power: target,
    alpha,
    two_tailed: twoTailed,
    attrition,
    n_analysed: stats.n ?? null,
    solved_size: solve === 'n' ? free : null,
    n_exact: solve === 'n' && free === 'n' ? exact : null,
    J_exact: solve === 'n' && free === 'J' ? exact : null,
    K_exact: solve === 'n' && free === 'K' ? exact : null,
    power_curve,
    curve_size: free,
    plot,
  };
}

/** Smallest size value (exclusive) with df > 0, for the curve's start. */
function minimumValid(design: Design, sizes: DesignParams, free: 'n' | 'J' | 'K', attrition: number): number {
  let s = 1;
  for (; s < 1e6; s++) {
    const q = { ...sizes, [free]: s };
    if (q.n !== undefined) q.n *= 1 - attrition;
    try {
      mdesFor(design, q);
      return s - 1;
    } catch {
      // df <= 0 at this size: keep going.
    }
  }
  return s;
}

function sizeLabel(free: 'n' | 'J' | 'K'): string {
  return free === 'n' ? 'n (people)' : free === 'J' ? 'J (clusters or blocks)' : 'K (level-3 units)';
}

async function runBinary(o: PowerOptions, alpha: number, target: number, attrition: number): Promise<BinaryPowerResult> {
  if (o.p1 === undefined) throw new UsageError('--p1 (control rate) is required with --outcome binary');
  checkRate('--p1', o.p1);
  if (o.p2 !== undefined) checkRate('--p2', o.p2);
  const solve = inferSolve(o, o.p2 !== undefined, o.n !== undefined);
  const method = o.method ?? 'normal';
  const ratio = o.ratio ?? 1;
  const twoTailed = !o.oneTailed;
  const test = { method, ratio, alpha, twoTailed };
  if (solve === 'n' && o.n !== undefined) throw new UsageError('--n conflicts with --solve n: the size is the answer; leave --n out');
  if (solve !== 'n' && o.n === undefined) throw new UsageError(`--n (control-arm size) is required for --solve ${solve}`);
  if (solve !== 'mdes' && o.p2 === undefined) throw new UsageError(`--p2 (treated rate) is required for --solve ${solve}`);
  if (solve === 'mdes' && o.p2 !== undefined) throw new UsageError('--p2 conflicts with --solve mdes: the detectable treated rate is the answer; use --solve power for --p2');
  if (o.p2 !== undefined && o.p2 === o.p1) throw new UsageError(`--p1 and --p2 must differ (both are ${o.p1}): there is no effect to detect`);
  const clustered = o.icc !== undefined || o.clusterSize !== undefined;
  if (clustered && (o.icc === undefined || o.clusterSize === undefined)) throw new UsageError('--icc and --cluster-size go together: give both for a cluster design');
  if (o.clusterCv !== undefined && !clustered) throw new UsageError('--cluster-cv needs --icc and --cluster-size');
  const de = clustered ? designEffect(o.clusterSize!, o.icc!, o.clusterCv ?? 0) : 1;
  // People randomised per control arm -> effective (analysed, independent) size.
  const effective = (n1: number): number => (n1 * (1 - attrition)) / de;
  const direction = o.direction ?? (o.p2 !== undefined && o.p2 > o.p1 ? 'higher' : 'lower');

  let n1: number;
  let n1Exact: number;
  if (solve === 'n') {
    n1Exact = (binarySampleSize(o.p1, o.p2!, target, test) * de) / (1 - attrition);
    n1 = Math.ceil(n1Exact - 1e-9);
  } else {
    n1 = o.n!;
    n1Exact = o.n!;
  }
  if (!(n1 > 0)) throw new UsageError(`--n must be positive, got ${n1}`);
  const n2Exact = ratio * n1Exact;
  const n2 = solve === 'n' ? Math.ceil(n2Exact - 1e-9) : Math.ceil(ratio * n1 - 1e-9);
  const power = o.p2 !== undefined ? binaryPower(o.p1, o.p2, effective(n1), test) : target;
  const det = binaryDetectable({ ...test, p1: o.p1, n1: n1 * (1 - attrition), power: target, designEffect: de, direction });
  const curveP2 = o.p2 ?? det.detectable_p2;
  const power_curve: CurvePoint[] =
    curveP2 === null
      ? []
      : curveSizes(Math.max(2, Math.floor(n1 / 8)), Math.max(10, 2 * n1), 24).map((s) => ({ size: s, power: binaryPower(o.p1!, curveP2, effective(s), test) }));
  let plot: string | null = null;
  if (o.plot) {
    if (power_curve.length === 0) throw new UsageError('--plot: nothing to draw, no treated rate is detectable at this size');
    writeFileAtomic(o.plot, powerCurveSvg(power_curve, { title: `Power, p1 = ${o.p1}, p2 = ${curveP2!.toFixed(3)} (${method})`, xLabel: 'control-arm size n1 (people)', target, mark: n1 }));
    plot = o.plot;
  }
  const m = o.clusterSize;
  return {
    outcome: 'binary',
    solve,
    method,
    n_per_arm: [n1, n2],
    n_per_arm_exact: [n1Exact, n2Exact],
    n_total: n1 + n2,
    clusters_per_arm: clustered ? [Math.ceil(n1 / m! - 1e-9), Math.ceil(n2 / m! - 1e-9)] : null,
    design_effect: de,
    power,
    p1: o.p1,
    p2: o.p2 ?? null,
    cohens_h: o.p2 !== undefined ? cohensH(o.p1, o.p2) : det.cohens_h,
    detectable_p2: det.detectable_p2,
    logit_d: solve === 'mdes' ? det.logit_d : o.p2 !== undefined ? logitD(o.p1, o.p2) : det.logit_d,
    ratio,
    target_power: target,
    alpha,
    two_tailed: twoTailed,
    icc: o.icc ?? null,
    cluster_size: o.clusterSize ?? null,
    cluster_cv: o.clusterCv ?? null,
    attrition,
    power_curve,
    curve_size: 'n',
    plot,
  };
}

async function runSimulation(o: PowerOptions, alpha: number): Promise<SimulatedPowerResult> {
  if (o.seed === undefined) throw new UsageError('--seed <int> is required with --simulate so the result can be reproduced');
  if (o.solve !== undefined) throw new UsageError(`--solve ${o.solve} conflicts with --simulate: the simulation estimates the power at --n`);
  if (o.p1 === undefined || o.p2 === undefined) throw new UsageError('--simulate needs --p1 and --p2');
  if (o.n === undefined) throw new UsageError('--simulate needs --n (people per arm)');
  if (o.ratio !== undefined && o.ratio !== 1) throw new UsageError('--ratio other than 1 is not supported with --simulate (arms are equal)');
  if (o.plot !== undefined) throw new UsageError('--plot draws the analytic power curve; it cannot be combined with --simulate');
  if (o.attrition) throw new UsageError('--attrition is not supported with --simulate: give the analysed --n');
  if (o.clusterCv !== undefined) throw new UsageError('--cluster-cv is not supported with --simulate (clusters are of equal size)');
  const clustered = o.icc !== undefined || o.clusterSize !== undefined;
  if (clustered && (o.icc === undefined || o.clusterSize === undefined)) throw new UsageError('--icc and --cluster-size go together: give both for a cluster design');
  const twoTailed = !o.oneTailed;
  const r = simulateBinaryPower({ p1: o.p1, p2: o.p2, n: o.n, clusterSize: o.clusterSize, icc: o.icc, reps: o.simulate!, alpha, twoTailed }, createRng(o.seed), o.onProgress);
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

// ---------------------------------------------------------------------------------------------
// Command adapter

export interface RawPowerOptions {
  [key: string]: string | boolean | undefined;
}

const NUMERIC: Array<[keyof PowerOptions, number, number, boolean]> = [
  ['es', 0, Infinity, true],
  ['power', 0, 1, true],
  ['alpha', 0, 1, true],
  ['p', 0, 1, true],
  ['n', 0, Infinity, true],
  ['J', 0, Infinity, true],
  ['K', 0, Infinity, true],
  ['rho2', 0, 1, false],
  ['rho3', 0, 1, false],
  ['omega2', 0, Infinity, false],
  ['omega3', 0, Infinity, false],
  ['r21', 0, 1, false],
  ['r22', 0, 1, false],
  ['r23', 0, 1, false],
  ['r2t2', 0, 1, false],
  ['r2t3', 0, 1, false],
  ['attrition', 0, 1, false],
  ['p1', 0, 1, true],
  ['p2', 0, 1, true],
  ['ratio', 0, Infinity, true],
  ['icc', 0, 1, false],
  ['clusterSize', 1, Infinity, false],
  ['clusterCv', 0, Infinity, false],
];

/** Parses commander's raw strings into typed options (UsageError naming the option). */
export function parsePowerOptions(raw: RawPowerOptions): PowerOptions {
  const text = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const outcomeText = text('outcome') ?? 'standardised';
  const outcome = outcomeText === 'continuous' ? 'standardised' : outcomeText;
  if (outcome !== 'standardised' && outcome !== 'binary') throw new UsageError(`--outcome must be standardised or binary, got ${JSON.stringify(outcomeText)}`);
  const o: PowerOptions = { outcome };
  const design = text('design');
  if (design !== undefined) {
    if (!isDesign(design)) throw new UsageError(`--design must be one of ${DESIGNS.join(', ')}; got ${JSON.stringify(design)}`);
    o.design = design;
  }
  const solve = text('solve');
  if (solve !== undefined) {
    if (solve !== 'mdes' && solve !== 'power' && solve !== 'n') throw new UsageError(`--solve must be mdes, power or n; got ${JSON.stringify(solve)}`);
    o.solve = solve;
  }
  const method = text('method');
  if (method !== undefined) {
    if (!(BINARY_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${BINARY_METHODS.join(', ')}; got ${JSON.stringify(method)}`);
    o.method = method as BinaryMethod;
  }
  const direction = text('direction');
  if (direction !== undefined) {
    if (direction !== 'lower' && direction !== 'higher') throw new UsageError(`--direction must be lower or higher; got ${JSON.stringify(direction)}`);
    o.direction = direction;
  }
  for (const [key, min, max, exclusive] of NUMERIC) {
    const v = parseNumberOption(flag(key), text(key), min, max, exclusive);
    if (v !== undefined) (o as unknown as Record<string, number>)[key] = v;
  }
  for (const k of ['g1', 'g2', 'g3'] as const) {
    const v = parseIntOption(`--${k}`, text(k), 0);
    if (v !== undefined) o[k] = v;
  }
  const reps = parseIntOption('--simulate', text('simulate'), 1, 1e7);
  if (reps !== undefined) o.simulate = reps;
  const seed = parseSeed(text('seed'), false);
  if (seed !== undefined) o.seed = seed;
  if (raw.oneTailed === true) o.oneTailed = true;
  const plot = text('plot');
  if (plot !== undefined) o.plot = plot;
  return o;
}

function f(x: number | null, digits = 3): string {
  return x === null ? '-' : x.toFixed(digits);
}

function render(r: PowerCommandResult, json: boolean): string {
  const p = painter({ json });
  const lines: string[] = [];
  if (r.solve === 'simulate') {
    lines.push(p.bold(`Simulated power, binary outcome (${r.reps} replicates, seed ${r.seed})`));
    lines.push(`${r.design === 'cluster' ? `${r.clusters} clusters of ${r.cluster_size}, latent ICC ${r.icc}` : 'individually randomised'}; ${r.n_per_arm[0]} per arm; p1 ${r.p1} vs p2 ${r.p2}`);
    lines.push(p.dim(r.analysis));
    lines.push(
      table(
        [
          ['power', `${f(r.power)} (MCSE ${f(r.power_mcse)})`],
          ['bias (ln OR)', f(r.bias, 4)],
          ['rmse', f(r.rmse, 4)],
          ['coverage', f(r.coverage)],
          ['true ln OR', f(r.truth, 4)],
          ['failed fits', String(r.failed_reps)],
        ],
        ['l', 'r'],
      ),
    );
    return lines.join('\n');
  }
  if (r.outcome === 'standardised') {
    lines.push(p.bold(`Design ${r.design}: solve ${r.solve}${r.two_tailed ? '' : ' (one-tailed)'}`));
    const rows: string[][] = [];
    if (r.solved_size) rows.push([`${r.solved_size} (solved)`, `${r[r.solved_size]}  (exact ${f(r[`${r.solved_size}_exact`], 2)})`]);
    for (const s of ['n', 'J', 'K'] as const) if (r[s] !== null && s !== r.solved_size) rows.push([s, String(r[s])]);
    if (r.attrition > 0) rows.push(['n analysed', f(r.n_analysed, 1)]);
    rows.push(['MDES', `${f(r.mdes)}  [${f(r.conf_low)}, ${f(r.conf_high)}]`]);
    rows.push([r.es !== null ? `power at es ${r.es}` : 'target power', f(r.power)]);
    rows.push(['df', String(Number(r.df.toFixed(2)))], ['multiplier', f(r.multiplier)], ['SSE', f(r.sse, 4)]);
    lines.push(table(rows, ['l', 'r']));
  } else {
    lines.push(p.bold(`Binary outcome (${r.method}): solve ${r.solve}${r.two_tailed ? '' : ' (one-tailed)'}`));
    const rows: string[][] = [
      ['n per arm', `${r.n_per_arm[0]} / ${r.n_per_arm[1]}  (exact ${f(r.n_per_arm_exact[0], 2)} / ${f(r.n_per_arm_exact[1], 2)})`],
      ['n total', String(r.n_total)],
    ];
    if (r.clusters_per_arm) rows.push(['clusters per arm', `${r.clusters_per_arm[0]} / ${r.clusters_per_arm[1]}  (design effect ${f(r.design_effect)})`]);
    rows.push(['p1 / p2', `${r.p1} / ${r.p2 ?? '-'}`]);
    rows.push([r.p2 !== null ? 'power' : 'target power', f(r.power)]);
    rows.push(["Cohen's h", f(r.cohens_h)]);
    rows.push([`detectable p2 (power ${r.target_power})`, f(r.detectable_p2, 4)]);
    rows.push(['logit d', f(r.logit_d)]);
    lines.push(table(rows, ['l', 'r']));
  }
  if (r.power_curve.length > 0) {
    const first = r.power_curve[0]!.size;
    const last = r.power_curve[r.power_curve.length - 1]!.size;
    lines.push('');
    lines.push(`power vs ${r.curve_size}: ${first} ${p.cyan(sparkline(r.power_curve))} ${last}`);
  }
  if (r.plot) lines.push(p.dim(`power curve written to ${r.plot}`));
  return lines.join('\n');
}

export function register(program: Command): void {
  withCommon(program.command('power'))
    .description('Power, MDES and sample size (PowerUp! designs, binary outcomes, simulation)')
    .option('--outcome <type>', 'standardised (PowerUp! designs) or binary', 'standardised')
    .option('--design <d>', `PowerUp! design: ${DESIGNS.join(', ')}`)
    .option('--solve <what>', 'mdes, power or n (the free size of the design); inferred when omitted')
    .option('--es <d>', 'standardised effect size (for --solve power or n)')
    .option('--power <p>', 'target power (0.8)')
    .option('--alpha <a>', 'significance level (0.05)')
    .option('--one-tailed', 'one-tailed test')
    .option('--p <P>', 'proportion treated at the level of randomisation (0.5)')
    .option('--n <n>', 'people per cluster/block (ira: total); binary: control-arm size n1')
    .option('--J <J>', 'clusters or blocks (level 2)')
    .option('--K <K>', 'level-3 units')
    .option('--rho2 <icc>', 'ICC at level 2')
    .option('--rho3 <icc>', 'ICC at level 3')
    .option('--omega2 <w>', 'treatment-effect heterogeneity across level-2 blocks')
    .option('--omega3 <w>', 'treatment-effect heterogeneity across level-3 blocks')
    .option('--r21 <r2>', 'R-squared of level-1 covariates')
    .option('--r22 <r2>', 'R-squared of level-2 covariates')
    .option('--r23 <r2>', 'R-squared of level-3 covariates')
    .option('--r2t2 <r2>', 'R-squared of level-2 covariates for the effect variation')
    .option('--r2t3 <r2>', 'R-squared of level-3 covariates for the effect variation')
    .option('--g1 <g>', 'covariates at level 1')
    .option('--g2 <g>', 'covariates at level 2')
    .option('--g3 <g>', 'covariates at level 3')
    .option('--attrition <a>', 'share of people lost to follow-up; inflates sizes (0)')
    .option('--p1 <rate>', 'binary: control rate')
    .option('--p2 <rate>', 'binary: treated rate')
    .option('--ratio <r>', 'binary: allocation n2/n1 (1)')
    .option('--method <m>', `binary: ${BINARY_METHODS.join(', ')} (normal)`)
    .option('--icc <icc>', 'binary: intraclass correlation (cluster design)')
    .option('--cluster-size <m>', 'binary: people per cluster')
    .option('--cluster-cv <cv>', 'binary: coefficient of variation of cluster sizes (Eldridge)')
    .option('--direction <d>', 'binary: detectable change lower (default) or higher than p1')
    .option('--simulate <reps>', 'binary: estimate power by simulating the whole trial')
    .option('--seed <int>', 'seed for --simulate')
    .option('--plot <file.svg>', 'write the power curve as an SVG')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pilot-eval power --design ira --solve mdes --n 250',
        '  $ pilot-eval power --design cra2 --solve n --es 0.3 --rho2 0.17 --n 15 --plot curve.svg',
        '  $ pilot-eval power --outcome binary --p1 0.5 --p2 0.75 --power 0.9 --solve n',
        '  $ pilot-eval power --outcome binary --p1 0.35 --n 500 --icc 0.027 --cluster-size 25 --solve mdes --json',
        '  $ pilot-eval power --outcome binary --p1 0.35 --p2 0.288 --icc 0.027 --cluster-size 25 --n 500 --simulate 2000 --seed 1',
      ].join('\n'),
    )
    .action(async (raw: RawPowerOptions) => {
      const options = parsePowerOptions(raw);
      const json = raw.json === true;
      const bar = options.simulate !== undefined ? progress('simulating') : null;
      if (bar) options.onProgress = (done, total) => bar.update(`simulating ${done}/${total} ${'#'.repeat(Math.round((20 * done) / total)).padEnd(20, '.')}`);
      let result: PowerCommandResult;
      try {
        result = await runPower(options);
      } catch (err) {
        bar?.fail();
        throw err;
      }
      bar?.stop();
      if (json) return printJson(result);
      printText(render(result, false));
    });
}
