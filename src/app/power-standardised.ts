/**
 * `power` for standardised outcomes: the PowerUp! designs (src/core/power/powerup.ts), attrition,
 * the power curve against the design's free size and its SVG.
 */
import { UsageError } from '../core/errors.js';
import { curveSizes } from '../core/power/power-curve.js';
import {
  DESIGNS,
  FREE_SIZE,
  designParameters,
  designSizes,
  mdesFor,
  powerFor,
  solveSize,
  validateParams,
  type PowerUpDesign,
  type DesignParams,
  type SizeName,
} from '../core/power/powerup.js';
import { writeFileAtomic } from '../io/atomic.js';
import { powerCurveSvg } from '../report/svg/power-curve-svg.js';
import {
  flag,
  inferSolve,
  type CalendarHooks,
  type PowerOptions,
  type Settings,
  type StandardisedPowerResult,
} from './power.js';

/** The PowerUp! design parameters a standardised calculation takes (sizes, ICCs, R-squared, ...). */
export const PARAMS = [
  'n',
  'J',
  'K',
  'L',
  'p',
  'rho2',
  'rho3',
  'rho4',
  'omega2',
  'omega3',
  'omega4',
  'r21',
  'r22',
  'r23',
  'r24',
  'r2t2',
  'r2t3',
  'r2t4',
  'g1',
  'g2',
  'g3',
  'g4',
  'omega2t',
  'omega2tm',
  'omegam2',
  'omegam3',
  'r2m2',
  'r2m3',
  'q',
  'rhoIc',
  'icSize',
  'rho2Trt',
  'rho3Trt',
  'ratioTcVar',
] as const;

export const ROUNDING_NOTE =
  'sizes are the smallest whole number whose power reaches the target (PowerUpR mrss rounds its solution to the nearest whole number, so it can be one lower)';

export function runStandardised(
  o: PowerOptions,
  s: Settings,
): { result: StandardisedPowerResult; hooks: CalendarHooks } {
  if (o.design === undefined) throw new UsageError(`--design is required: one of ${DESIGNS.join(', ')}`);
  const design = o.design;
  const free = FREE_SIZE[design];
  const solve = inferSolve(o, o.es !== undefined, o[free] !== undefined);
  const test = { alpha: s.alpha, twoTailed: s.twoTailed };
  const attrition = s.attrition;
  if (solve === 'n' && o[free] !== undefined) {
    throw new UsageError(
      `--${free} conflicts with --solve n: design ${design} solves for ${free}; leave --${free} out`,
    );
  }
  if (solve !== 'mdes' && o.es === undefined) throw new UsageError(`--es is required for --solve ${solve}`);
  if (solve === 'mdes' && o.es !== undefined)
    throw new UsageError(
      '--es conflicts with --solve mdes: the MDES is the answer; use --solve power to get the power for --es',
    );
  for (const size of ['n', 'J', 'K', 'L'] as const) {
    if (o[size] !== undefined && !designSizes(design).includes(size))
      throw new UsageError(
        `--${size} does not apply to design ${design} (sizes: ${designSizes(design)
          .map((x) => `--${x}`)
          .join(', ')})`,
      );
  }
  const uses = designParameters(design);
  const params: DesignParams = {};
  for (const k of PARAMS) {
    if (o[k] === undefined) continue;
    if (!uses.includes(k))
      throw new UsageError(
        `${flag(k)} does not apply to design ${design} (it reads ${uses.map((x) => flag(x)).join(', ')})`,
      );
    params[k] = o[k];
  }
  validateParams(design, params, solve === 'n' ? free : undefined);
  // Attrition removes level-1 people: the statistics use n (1 - attrition).
  const analysed = (q: DesignParams): DesignParams => (q.n !== undefined ? { ...q, n: q.n * (1 - attrition) } : q);

  let sizes = { ...params };
  let exact: number | null = null;
  if (solve === 'n') {
    const solved = solveSize(design, analysed(params), o.es!, { ...test, power: s.target });
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
  const m = mdesFor(design, stats, { ...test, power: s.target });
  const power = o.es !== undefined ? powerFor(design, stats, o.es, test).power : s.target;

  // Power curve against the free size, for es (or the MDES when no effect was given).
  const curveEs = o.es ?? m.mdes;
  const current = sizes[free]!;
  const lowest = Math.max(1, Math.floor(minimumValid(design, sizes, free, attrition)) + 1);
  const power_curve = curveSizes(lowest, Math.max(lowest + 4, Math.ceil(current * 2)), 24).map((x) => ({
    size: x,
    power: powerFor(design, analysed({ ...sizes, [free]: x }), curveEs, test).power,
  }));
  let plot: string | null = null;
  if (o.plot) {
    writeFileAtomic(
      o.plot,
      powerCurveSvg(power_curve, {
        title: `Power, design ${design}, es = ${curveEs.toFixed(3)}`,
        xLabel: sizeLabel(free),
        target: s.target,
        mark: current,
      }),
    );
    plot = o.plot;
  }
  const has = (x: SizeName): boolean => designSizes(design).includes(x);
  const higher = (q: DesignParams): number => (q.J ?? 1) * (q.K ?? 1) * (q.L ?? 1);
  const hooks: CalendarHooks = {
    // People randomised: n per lowest unit times the units above it.
    people: sizes.n! * higher(sizes),
    at: (people) => {
      const q = analysed({ ...sizes, n: people / higher(sizes) });
      return {
        power: o.es !== undefined ? powerFor(design, q, o.es, test).power : null,
        mdes: mdesFor(design, q, { ...test, power: s.target }).mdes,
      };
    },
  };
  const result: StandardisedPowerResult = {
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
    J: has('J') ? (sizes.J ?? null) : null,
    K: has('K') ? (sizes.K ?? null) : null,
    L: has('L') ? (sizes.L ?? null) : null,
    es: o.es ?? null,
    target_power: s.target,
    alpha: s.alpha,
    two_tailed: s.twoTailed,
    attrition,
    n_analysed: stats.n ?? null,
    solved_size: solve === 'n' ? free : null,
    n_exact: solve === 'n' && free === 'n' ? exact : null,
    J_exact: solve === 'n' && free === 'J' ? exact : null,
    K_exact: solve === 'n' && free === 'K' ? exact : null,
    L_exact: solve === 'n' && free === 'L' ? exact : null,
    rounding: ROUNDING_NOTE,
    power_curve,
    curve_size: free,
    plot,
  };
  return { result, hooks };
}

/** Smallest size value (exclusive) with df > 0, for the curve's start. */
function minimumValid(design: PowerUpDesign, sizes: DesignParams, free: SizeName, attrition: number): number {
  let x = 1;
  for (; x < 1e6; x++) {
    const q = { ...sizes, [free]: x };
    if (q.n !== undefined) q.n *= 1 - attrition;
    try {
      mdesFor(design, q);
      return x - 1;
    } catch {
      // df <= 0 at this size: keep going.
    }
  }
  return x;
}

function sizeLabel(free: SizeName): string {
  return free === 'n'
    ? 'n (people)'
    : free === 'J'
      ? 'J (clusters or blocks)'
      : free === 'K'
        ? 'K (level-3 units)'
        : 'L (level-4 units)';
}
