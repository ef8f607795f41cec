/**
 * Power, minimum detectable effect size (MDES) and sample size for standardised outcomes in the
 * main-effect PowerUp! designs (Dong & Maynard 2013; R PowerUpR 1.1.0), with PowerUp!'s parameter
 * names: individual (ira), blocked individual (bira2c1, bira2f1, bira2, bira3, bira4), cluster
 * (cra2, cra3, cra4) and blocked cluster (bcra3f2, bcra3r2, bcra4f3, bcra4r2, bcra4r3).
 *
 * - df and SSE per design as in PowerUpR's `mdes.<design>` functions (written out in `designDf` and
 *   `designSse`).
 * - MDES = M x SSE, M = t(1 - alpha/2, df) + t(power, df) (one-tailed: t(1 - alpha, df)); the
 *   "CI" of the MDES is [MDES (1 - t1/M), MDES (1 + t1/M)].
 * - Power for an effect size uses the noncentral t with ncp = es / SSE; two-tailed power counts
 *   both tails, as PowerUpR's power functions do.
 * - Solving for the free size (the size PowerUpR's `mrss.<design>` solves: n for ira, bira2c1 and
 *   bira2f1; J for bira2 and cra2; K for 3-level designs and bcra4f3; L for 4-level designs)
 *   returns the smallest integer whose power reaches the target, and the exact real solution.
 *   PowerUpR's `mrss` rounds its iterated solution to the nearest integer instead, so it can be one
 *   below ours (a size whose power falls just short of the target).
 * - Moderator designs (PowerUpR `mdes.mod211`, `mod221`, `mod222`, `mod331`, `mod332`, `mod333`;
 *   Dong, Kelcey & Spybrook 2018, 2020; Spybrook, Kelcey & Dong 2016): the effect is the standardised
 *   treatment-by-moderator interaction; `q` is the share in a binary moderator's group (leave it out
 *   for a continuous moderator). The moderator's effect is random across level-2 (level-3) units
 *   when its variance omegam2 (omegam3, or omega2tm for mod211) is above 0 and r2m2 (r2m3) below
 *   1, which gives the smaller df of each design, as in PowerUpR.
 * - mod212 (PowerUpR `mdes.mod212`, `power.mod212`, `mrss.mod212`): individuals randomised within
 *   level-2 blocks, with a level-2 (block-level) moderator of the treatment effect. omega2t is the
 *   variance of the treatment effect across blocks (in units of the outcome variance). The moderator
 *   explains es^2 Var(M) of it (Var(M) = 1 for a standardised continuous moderator, q(1 - q) for a
 *   binary one), so with a random effect (omega2t > 0) the squared SSE is
 *   (omega2t - es^2 Var(M)) / (Var(M) J) + (1 - rho2)(1 - r21) / (P(1 - P) Var(M) J n): it depends on
 *   the effect. The MDES solves es = M SSE(es); squaring gives es^2 (1 + M^2 / J) =
 *   M^2 (omega2t / (Var(M) J) + (1 - rho2)(1 - r21) / (P(1 - P) Var(M) J n)), a closed form (no
 *   iteration), as PowerUpR's mdes.mod212. An effect whose share es^2 Var(M) exceeds omega2t is
 *   impossible (negative residual variance) and is refused; so is an MDES beyond that bound. With omega2t = 0 the effect is non-random and the SSE does not
 *   depend on es. df: J - 2 (random) or J (n - 1) - 3.
 * - Partially nested designs (PowerUpR `mdes.ira_pn`, `bira2_pn`, `cra2_pn`, `bcra3r2_pn`; Lohr,
 *   Schochet & Sanders 2014): the treatment is delivered in groups of `icSize` in the treatment arm
 *   only (intraclass correlation `rhoIc` within those groups); `rho2Trt`/`rho3Trt` are the ICCs of the
 *   randomised clusters. The df is Satterthwaite's approximation as in PowerUpR (not a whole
 *   number); bcra3r2_pn uses K - g3 - 1. As in PowerUpR, a group size of 1 sets rhoIc to 0 except in
 *   ira_pn, whose formula keeps it.
 */
import { UsageError } from '../errors.js';
import { pnt, qt } from '../stats/distributions.js';

export const DESIGNS = [
  'ira',
  'bira2',
  'bira2f1',
  'cra2',
  'cra3',
  'bcra3r2',
  'bcra3f2',
  'bira2c1',
  'bira3',
  'bira4',
  'cra4',
  'bcra4f3',
  'bcra4r2',
  'bcra4r3',
  'mod211',
  'mod212',
  'mod221',
  'mod222',
  'mod331',
  'mod332',
  'mod333',
  'ira_pn',
  'bira2_pn',
  'cra2_pn',
  'bcra3r2_pn',
] as const;
export type PowerUpDesign = (typeof DESIGNS)[number];

/** The size each design solves for with `--solve n`. */
export type SizeName = 'n' | 'J' | 'K' | 'L';

export const FREE_SIZE: Record<PowerUpDesign, SizeName> = {
  ira: 'n',
  bira2f1: 'n',
  bira2c1: 'n',
  bira2: 'J',
  cra2: 'J',
  cra3: 'K',
  bcra3r2: 'K',
  bcra3f2: 'K',
  bira3: 'K',
  bcra4f3: 'K',
  bira4: 'L',
  cra4: 'L',
  bcra4r2: 'L',
  bcra4r3: 'L',
  mod211: 'J',
  mod212: 'J',
  mod221: 'J',
  mod222: 'J',
  mod331: 'K',
  mod332: 'K',
  mod333: 'K',
  ira_pn: 'n',
  bira2_pn: 'J',
  cra2_pn: 'J',
  bcra3r2_pn: 'K',
};

/** Design parameters, PowerUp! names. Sizes: n per cluster/block (total for ira), J clusters/blocks, K level-3 units, L level-4 units. */
export interface DesignParams {
  n?: number;
  J?: number;
  K?: number;
  L?: number;
  /** Proportion treated at the level of randomisation (0.5). */
  p?: number;
  rho2?: number;
  rho3?: number;
  rho4?: number;
  omega2?: number;
  omega3?: number;
  omega4?: number;
  r21?: number;
  r22?: number;
  r23?: number;
  r24?: number;
  r2t2?: number;
  r2t3?: number;
  r2t4?: number;
  g1?: number;
  g2?: number;
  g3?: number;
  g4?: number;
  /** Moderator designs: variance of the moderator's effect across level-2 units (mod211). */
  omega2tm?: number;
  /** mod212: variance of the treatment effect across level-2 blocks (0: non-random). */
  omega2t?: number;
  /** Moderator designs: moderator effect heterogeneity at levels 2 and 3. */
  omegam2?: number;
  omegam3?: number;
  /** Moderator designs: R-squared of covariates for the moderator effect variation at levels 2 and 3 (1: non-random). */
  r2m2?: number;
  r2m3?: number;
  /** Moderator designs: share in a binary moderator's group (leave out for a continuous moderator). */
  q?: number;
  /** Partially nested designs: ICC within the treatment arm's delivery groups, their size, and the ICCs of the randomised clusters. */
  rhoIc?: number;
  icSize?: number;
  rho2Trt?: number;
  rho3Trt?: number;
  /** ira_pn: treatment/control outcome variance ratio (1). */
  ratioTcVar?: number;
}

export interface TestOptions {
  alpha?: number;
  twoTailed?: boolean;
}

/** Which parameters each design reads (sizes, ICCs, R-squares, covariate counts). */
const USES: Record<
  PowerUpDesign,
  { sizes: SizeName[]; required: Array<keyof DesignParams>; optional: Array<keyof DesignParams> }
> = {
  ira: { sizes: ['n'], required: [], optional: ['r21', 'g1'] },
  bira2f1: { sizes: ['n', 'J'], required: [], optional: ['r21', 'g1'] },
  bira2: { sizes: ['n', 'J'], required: ['rho2', 'omega2'], optional: ['r21', 'r2t2', 'g2'] },
  cra2: { sizes: ['n', 'J'], required: ['rho2'], optional: ['r21', 'r22', 'g2'] },
  cra3: { sizes: ['n', 'J', 'K'], required: ['rho2', 'rho3'], optional: ['r21', 'r22', 'r23', 'g3'] },
  bcra3r2: { sizes: ['n', 'J', 'K'], required: ['rho2', 'rho3', 'omega3'], optional: ['r21', 'r22', 'r2t3', 'g3'] },
  bcra3f2: { sizes: ['n', 'J', 'K'], required: ['rho2'], optional: ['r21', 'r22', 'g2'] },
  bira2c1: { sizes: ['n', 'J'], required: [], optional: ['r21', 'g1'] },
  bira3: {
    sizes: ['n', 'J', 'K'],
    required: ['rho2', 'rho3', 'omega2', 'omega3'],
    optional: ['r21', 'r2t2', 'r2t3', 'g3'],
  },
  bira4: {
    sizes: ['n', 'J', 'K', 'L'],
    required: ['rho2', 'rho3', 'rho4', 'omega2', 'omega3', 'omega4'],
    optional: ['r21', 'r2t2', 'r2t3', 'r2t4', 'g4'],
  },
  cra4: {
    sizes: ['n', 'J', 'K', 'L'],
    required: ['rho2', 'rho3', 'rho4'],
    optional: ['r21', 'r22', 'r23', 'r24', 'g4'],
  },
  bcra4f3: { sizes: ['n', 'J', 'K', 'L'], required: ['rho2', 'rho3'], optional: ['r21', 'r22', 'r23', 'g3'] },
  bcra4r2: {
    sizes: ['n', 'J', 'K', 'L'],
    required: ['rho2', 'rho3', 'rho4', 'omega3', 'omega4'],
    optional: ['r21', 'r22', 'r2t3', 'r2t4', 'g4'],
  },
  bcra4r3: {
    sizes: ['n', 'J', 'K', 'L'],
    required: ['rho2', 'rho3', 'rho4', 'omega4'],
    optional: ['r21', 'r22', 'r23', 'r2t4', 'g4'],
  },
  mod211: { sizes: ['n', 'J'], required: ['rho2', 'omega2tm'], optional: ['r21', 'q'] },
  mod212: { sizes: ['n', 'J'], required: ['rho2', 'omega2t'], optional: ['r21', 'q'] },
  mod221: { sizes: ['n', 'J'], required: ['rho2', 'omegam2'], optional: ['r21', 'r2m2', 'g1', 'q'] },
  mod222: { sizes: ['n', 'J'], required: ['rho2'], optional: ['r21', 'r22', 'g2', 'q'] },
  mod331: {
    sizes: ['n', 'J', 'K'],
    required: ['rho2', 'rho3'],
    optional: ['omegam2', 'omegam3', 'r21', 'r2m2', 'r2m3', 'g1', 'q'],
  },
  mod332: {
    sizes: ['n', 'J', 'K'],
    required: ['rho2', 'rho3', 'omegam3'],
    optional: ['r21', 'r22', 'r2m3', 'g2', 'q'],
  },
  mod333: { sizes: ['n', 'J', 'K'], required: ['rho2', 'rho3'], optional: ['r21', 'r22', 'r23', 'g3', 'q'] },
  ira_pn: { sizes: ['n'], required: ['rhoIc', 'icSize'], optional: ['r21', 'ratioTcVar'] },
  bira2_pn: { sizes: ['n', 'J'], required: ['rho2Trt', 'omega2', 'rhoIc', 'icSize'], optional: ['r21'] },
  cra2_pn: { sizes: ['n', 'J'], required: ['rho2Trt', 'rhoIc', 'icSize'], optional: ['r21'] },
  bcra3r2_pn: {
    sizes: ['n', 'J', 'K'],
    required: ['rho3Trt', 'omega3', 'rho2Trt', 'rhoIc', 'icSize'],
    optional: ['r21', 'g3'],
  },
};

/** Partially nested designs: rhoIc, set to 0 for groups of one (PowerUpR does so, except in ira_pn). */
function effectiveRhoIc(design: PowerUpDesign, params: DesignParams): number {
  const rho = params.rhoIc ?? 0;
  return design !== 'ira_pn' && (params.icSize ?? 1) === 1 ? 0 : rho;
}

/** Satterthwaite df of the two-level partially nested designs (PowerUpR's cra2_pn and bira2_pn). */
function pnDf2(params: DesignParams, rhoIc: number): number {
  const n = params.n ?? NaN;
  const J = params.J ?? NaN;
  const p = params.p ?? 0.5;
  const q = 1 - p;
  const ic = params.icSize ?? 1;
  const r2 = params.rho2Trt ?? 0;
  const it = n / ic;
  const xt = r2 + rhoIc / it + (1 - r2 - rhoIc) / (it * ic);
  const xc = r2 + (1 - r2 - rhoIc) / n;
  return (xc / q + xt / p) ** 2 / (xc ** 2 / (q ** 2 * (J * q - 1)) + xt ** 2 / (p ** 2 * (J * p - 1)));
}

/** Moderator designs: is the moderator's effect random at level 2 / level 3 (PowerUpR's rule)? */
function moderatorRandom(params: DesignParams): { level2: boolean; level3: boolean } {
  const level2 = (params.omegam2 ?? 0) !== 0 && (params.r2m2 ?? 0) !== 1;
  const level3 = level2 && (params.omegam3 ?? 0) !== 0 && (params.r2m3 ?? 0) !== 1;
  return { level2, level3 };
}

/** Parameters a design reads (sizes, ICCs, heterogeneity, R-squares, covariate counts). */
export function designParameters(design: PowerUpDesign): Array<keyof DesignParams> {
  return [...USES[design].sizes, 'p', ...USES[design].required, ...USES[design].optional];
}

export function isDesign(x: string): x is PowerUpDesign {
  return (DESIGNS as readonly string[]).includes(x);
}

/** Sizes a design uses. */
export function designSizes(design: PowerUpDesign): SizeName[] {
  return USES[design].sizes;
}

function opt(name: string): string {
  return `--${name.length === 1 ? name : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Checks the parameters a design needs (sizes may be left out when `except` is the size being
 * solved for) and their ranges.
 * @throws UsageError naming the option and the rule
 */
export function validateParams(design: PowerUpDesign, params: DesignParams, except?: SizeName): void {
  const use = USES[design];
  for (const s of use.sizes) {
    if (s === except) continue;
    const v = params[s];
    if (v === undefined) throw new UsageError(`${opt(s)} is required for design ${design}`);
    if (!(v > 0) || !Number.isFinite(v)) throw new UsageError(`${opt(s)} must be a positive number, got ${v}`);
  }
  for (const k of use.required) {
    if (params[k] === undefined) throw new UsageError(`${opt(k)} is required for design ${design}`);
  }
  const p = params.p ?? 0.5;
  if (!(p > 0 && p < 1)) throw new UsageError(`--p (proportion treated) must be strictly between 0 and 1, got ${p}`);
  if (params.icSize !== undefined && !(params.icSize >= 1 && Number.isFinite(params.icSize)))
    throw new UsageError(`--ic-size must be at least 1, got ${params.icSize}`);
  if (params.ratioTcVar !== undefined && !(params.ratioTcVar > 0 && Number.isFinite(params.ratioTcVar)))
    throw new UsageError(`--ratio-tc-var must be positive, got ${params.ratioTcVar}`);
  for (const k of [
    'rho2',
    'rho3',
    'rho4',
    'r21',
    'r22',
    'r23',
    'r24',
    'r2t2',
    'r2t3',
    'r2t4',
    'rhoIc',
    'rho2Trt',
    'rho3Trt',
  ] as const) {
    const v = params[k];
    if (v !== undefined && !(v >= 0 && v < 1)) throw new UsageError(`${opt(k)} must be in [0, 1), got ${v}`);
  }
  for (const k of ['r2m2', 'r2m3'] as const) {
    const v = params[k];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new UsageError(`${opt(k)} must be in [0, 1], got ${v}`);
  }
  if (params.q !== undefined && !(params.q > 0 && params.q < 1))
    throw new UsageError(`--q (share in the moderator's group) must be strictly between 0 and 1, got ${params.q}`);
  for (const k of ['omega2', 'omega3', 'omega4', 'omega2t', 'omega2tm', 'omegam2', 'omegam3'] as const) {
    const v = params[k];
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) throw new UsageError(`${opt(k)} must be >= 0, got ${v}`);
  }
  for (const k of ['g1', 'g2', 'g3', 'g4'] as const) {
    const v = params[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      throw new UsageError(`${opt(k)} must be a whole number >= 0, got ${v}`);
  }
  const total = (params.rho2 ?? 0) + (params.rho3 ?? 0) + (params.rho4 ?? 0);
  if (use.required.includes('rho3') && !(total < 1)) {
    throw new UsageError(
      `${use.required.includes('rho4') ? '--rho2 + --rho3 + --rho4' : '--rho2 + --rho3'} must be below 1, got ${total}`,
    );
  }
}

/** Degrees of freedom (PowerUpR's df per design). May be <= 0 for sizes that are too small; see `requirePositiveDf`. */
export function designDf(design: PowerUpDesign, params: DesignParams): number {
  const n = params.n ?? NaN;
  const J = params.J ?? NaN;
  const K = params.K ?? NaN;
  const L = params.L ?? NaN;
  const g1 = params.g1 ?? 0;
  const g2 = params.g2 ?? 0;
  const g3 = params.g3 ?? 0;
  const g4 = params.g4 ?? 0;
  switch (design) {
    case 'ira_pn': {
      const p = params.p ?? 0.5;
      const ic = params.icSize ?? 1;
      const rho = params.rhoIc ?? 0;
      const it = (n * p) / ic;
      const nc = n * (1 - p);
      const v = (params.ratioTcVar ?? 1) * (1 / ic + rho / (1 - rho));
      return ((nc - 1) * (it - 1) * (it + nc * v) ** 2) / ((it - 1) * it ** 2 + (nc - 1) * nc ** 2 * v ** 2);
    }
    case 'bira2_pn':
    case 'cra2_pn':
      return pnDf2(params, effectiveRhoIc(design, params));
    case 'bcra3r2_pn':
      return K - g3 - 1;
    case 'mod211':
      return (params.omega2tm ?? 0) === 0 ? J * (n - 1) - 4 : J - 1;
    case 'mod212':
      return (params.omega2t ?? 0) === 0 ? J * (n - 1) - 3 : J - 2;
    case 'mod221':
      return (params.omegam2 ?? 0) === 0 || (params.r2m2 ?? 0) === 1 ? n * J - J - g1 - 2 : J - g1 - 2;
    case 'mod222':
      return J - g2 - 4;
    case 'mod331': {
      const r = moderatorRandom(params);
      return !r.level2 ? n * J * K - J * K - K - g1 - 2 : !r.level3 ? J * K - K - g1 - 2 : K - g1 - 1;
    }
    case 'mod332':
      return (params.omegam3 ?? 0) === 0 || (params.r2m3 ?? 0) === 1 ? J * K - K - g2 - 2 : K - g2 - 1;
    case 'mod333':
      return K - g3 - 4;
    case 'bira2c1':
      return J * (n - 1) - g1 - 1;
    case 'bira3':
      return K - g3 - 1;
    case 'bira4':
    case 'bcra4r2':
    case 'bcra4r3':
      return L - g4 - 1;
    case 'cra4':
      return L - g4 - 2;
    case 'bcra4f3':
      return L * (K - 2) - g3;
    case 'ira':
      return n - g1 - 2;
    case 'bira2f1':
      return J * (n - 2) - g1;
    case 'bira2':
      return J - g2 - 1;
    case 'cra2':
      return J - g2 - 2;
    case 'cra3':
      return K - g3 - 2;
    case 'bcra3r2':
      return K - g3 - 1;
    case 'bcra3f2':
      return K * (J - 2) - g2;
  }
}

const DF_RULE: Record<PowerUpDesign, string> = {
  ira: 'n - g1 - 2',
  bira2f1: 'J (n - 2) - g1',
  bira2: 'J - g2 - 1',
  cra2: 'J - g2 - 2',
  cra3: 'K - g3 - 2',
  bcra3r2: 'K - g3 - 1',
  bcra3f2: 'K (J - 2) - g2',
  bira2c1: 'J (n - 1) - g1 - 1',
  bira3: 'K - g3 - 1',
  bira4: 'L - g4 - 1',
  cra4: 'L - g4 - 2',
  bcra4f3: 'L (K - 2) - g3',
  bcra4r2: 'L - g4 - 1',
  bcra4r3: 'L - g4 - 1',
  mod211: 'J - 1 (random moderator effect) or J (n - 1) - 4',
  mod212: 'J - 2 (random treatment effect) or J (n - 1) - 3',
  mod221: 'J - g1 - 2 (random moderator effect) or n J - J - g1 - 2',
  mod222: 'J - g2 - 4',
  mod331: 'K - g1 - 1, J K - K - g1 - 2 or n J K - J K - K - g1 - 2 (by where the moderator effect varies)',
  mod332: 'K - g2 - 1 (random moderator effect) or J K - K - g2 - 2',
  mod333: 'K - g3 - 4',
  ira_pn: "Satterthwaite's approximation (treatment groups of --ic-size and control people)",
  bira2_pn: "Satterthwaite's approximation (J p - 1 and J (1 - p) - 1 clusters)",
  cra2_pn: "Satterthwaite's approximation (J p - 1 and J (1 - p) - 1 clusters)",
  bcra3r2_pn: 'K - g3 - 1',
};

function requirePositiveDf(design: PowerUpDesign, df: number): void {
  if (!(df > 0))
    throw new UsageError(`sizes too small for design ${design}: df = ${DF_RULE[design]} = ${df}, must be > 0`);
}

/**
 * Standard error of the standardised impact estimate, SSE (PowerUpR's SSE per design).
 * `es` is needed only by mod212 with a random treatment effect (omega2t > 0), whose SSE depends on it.
 * @throws UsageError when mod212 needs `es` and it is missing, or when es^2 Var(M) exceeds omega2t
 */
export function designSse(design: PowerUpDesign, params: DesignParams, es?: number): number {
  const n = params.n ?? NaN;
  const J = params.J ?? NaN;
  const K = params.K ?? NaN;
  const L = params.L ?? NaN;
  const P = params.p ?? 0.5;
  const pq = P * (1 - P);
  const rho2 = params.rho2 ?? 0;
  const rho3 = params.rho3 ?? 0;
  const omega2 = params.omega2 ?? 0;
  const omega3 = params.omega3 ?? 0;
  const omega4 = params.omega4 ?? 0;
  const rho4 = params.rho4 ?? 0;
  const r21 = params.r21 ?? 0;
  const r22 = params.r22 ?? 0;
  const r23 = params.r23 ?? 0;
  const r24 = params.r24 ?? 0;
  const r2t2 = params.r2t2 ?? 0;
  const r2t3 = params.r2t3 ?? 0;
  const r2t4 = params.r2t4 ?? 0;
  const rest3 = 1 - rho2 - rho3;
  const rest4 = 1 - rho2 - rho3 - rho4;
  // Moderator designs: q(1 - q) for a binary moderator, 1 for a continuous one.
  const qq = params.q !== undefined ? params.q * (1 - params.q) : 1;
  const omegam2 = params.omegam2 ?? 0;
  const r2m2 = params.r2m2 ?? 0;
  const r2m3 = params.r2m3 ?? 0;
  const g2 = params.g2 ?? 0;
  const g3 = params.g3 ?? 0;
  const rhoIc = effectiveRhoIc(design, params);
  const ic = params.icSize ?? 1;
  // Partially nested designs: the design effect of the treatment arm's groups, and the variance factor.
  const icTerm = rhoIc * (1 - P) * (ic - 1);
  const pnFactor = (1 - P * rhoIc) / (1 - rhoIc);
  const rho2Trt = params.rho2Trt ?? 0;
  const rho3Trt = params.rho3Trt ?? 0;
  let v: number;
  switch (design) {
    case 'ira_pn':
      v = ((1 - r21) / (n * pq)) * pnFactor * (1 + icTerm / (1 - P * rhoIc));
      break;
    case 'cra2_pn':
      v = ((1 - r21) / (J * n * pq)) * pnFactor * (1 + (rho2Trt * (n - 1) + icTerm) / (1 - P * rhoIc));
      break;
    case 'bira2_pn':
      v =
        ((1 - r21) / (J * n * pq)) * pnFactor * (1 + (rho2Trt * omega2 * n * pq - rho2Trt + icTerm) / (1 - P * rhoIc));
      break;
    case 'bcra3r2_pn':
      v =
        ((1 - r21) / (K * J * n * pq)) *
        pnFactor *
        (1 + (rho3Trt * omega3 * J * n * pq - rho3Trt + rho2Trt * (n - 1) + icTerm) / (1 - P * rhoIc));
      break;
    case 'mod211':
      v = (params.omega2tm ?? 0) / J + ((1 - rho2) * (1 - r21)) / (pq * qq * J * n);
      break;
    case 'mod212': {
      const omega2t = params.omega2t ?? 0;
      const within = ((1 - rho2) * (1 - r21)) / (pq * qq * J * n);
      if (omega2t === 0) {
        v = within;
        break;
      }
      if (es === undefined)
        throw new UsageError(
          'design mod212 with --omega2t above 0: the standard error depends on the effect size; give --es',
        );
      v = mod212Residual(omega2t, es, qq) / (qq * J) + within;
      break;
    }
    case 'mod221':
      v = (rho2 * omegam2 * (1 - r2m2)) / (pq * J) + ((1 - rho2) * (1 - r21)) / (pq * qq * J * n);
      break;
    case 'mod222': {
      const Je = J - g2 - 4;
      v = (rho2 * (1 - r22)) / (pq * qq * Je) + ((1 - rho2) * (1 - r21)) / (pq * qq * Je * n);
      break;
    }
    case 'mod331': {
      const r = moderatorRandom(params);
      const t3 = r.level3 ? (rho3 * (params.omegam3 ?? 0) * (1 - r2m3)) / (pq * K) : 0;
      const t2 = r.level2 ? (rho2 * omegam2 * (1 - r2m2)) / (pq * K * J) : 0;
      v = t3 + t2 + (rest3 * (1 - r21)) / (pq * qq * K * J * n);
      break;
    }
    case 'mod332':
      v =
        (rho3 * (params.omegam3 ?? 0) * (1 - r2m3)) / (pq * K) +
        (rho2 * (1 - r22)) / (pq * qq * K * J) +
        (rest3 * (1 - r21)) / (pq * qq * K * J * n);
      break;
    case 'mod333': {
      const Ke = K - g3 - 4;
      v =
        (rho3 * (1 - r23)) / (pq * qq * Ke) +
        (rho2 * (1 - r22)) / (pq * qq * J * Ke) +
        (rest3 * (1 - r21)) / (pq * qq * J * Ke * n);
      break;
    }
    case 'bira2c1':
      v = (1 - r21) / (pq * J * n);
      break;
    case 'bira3':
      v =
        (rho3 * omega3 * (1 - r2t3)) / K +
        (rho2 * omega2 * (1 - r2t2)) / (J * K) +
        (rest3 * (1 - r21)) / (pq * J * K * n);
      break;
    case 'bira4':
      v =
        (rho4 * omega4 * (1 - r2t4)) / L +
        (rho3 * omega3 * (1 - r2t3)) / (K * L) +
        (rho2 * omega2 * (1 - r2t2)) / (J * K * L) +
        (rest4 * (1 - r21)) / (pq * J * K * L * n);
      break;
    case 'cra4':
      v =
        (rho4 * (1 - r24)) / (pq * L) +
        (rho3 * (1 - r23)) / (pq * K * L) +
        (rho2 * (1 - r22)) / (pq * J * K * L) +
        (rest4 * (1 - r21)) / (pq * J * K * L * n);
      break;
    case 'bcra4f3':
      v =
        (rho3 * (1 - r23)) / (pq * K * L) +
        (rho2 * (1 - r22)) / (pq * J * K * L) +
        (rest3 * (1 - r21)) / (pq * J * K * L * n);
      break;
    case 'bcra4r2':
      v =
        (rho4 * omega4 * (1 - r2t4)) / L +
        (rho3 * omega3 * (1 - r2t3)) / (K * L) +
        (rho2 * (1 - r22)) / (pq * J * K * L) +
        (rest4 * (1 - r21)) / (pq * J * K * L * n);
      break;
    case 'bcra4r3':
      v =
        (rho4 * omega4 * (1 - r2t4)) / L +
        (rho3 * (1 - r23)) / (pq * K * L) +
        (rho2 * (1 - r22)) / (pq * J * K * L) +
        (rest4 * (1 - r21)) / (pq * J * K * L * n);
      break;
    case 'ira':
      v = (1 - r21) / (pq * n);
      break;
    case 'bira2f1':
      v = (1 - r21) / (pq * J * n);
      break;
    case 'bira2':
      v = (rho2 * omega2 * (1 - r2t2)) / J + ((1 - rho2) * (1 - r21)) / (pq * J * n);
      break;
    case 'cra2':
      v = (rho2 * (1 - r22)) / (pq * J) + ((1 - rho2) * (1 - r21)) / (pq * J * n);
      break;
    case 'cra3':
      v =
        (rho3 * (1 - r23)) / (pq * K) +
        (rho2 * (1 - r22)) / (pq * J * K) +
        ((1 - rho2 - rho3) * (1 - r21)) / (pq * J * K * n);
      break;
    case 'bcra3r2':
      v =
        (rho3 * omega3 * (1 - r2t3)) / K +
        (rho2 * (1 - r22)) / (pq * J * K) +
        ((1 - rho2 - rho3) * (1 - r21)) / (pq * J * K * n);
      break;
    case 'bcra3f2':
      v = (rho2 * (1 - r22)) / (pq * J * K) + ((1 - rho2) * (1 - r21)) / (pq * J * K * n);
      break;
  }
  return Math.sqrt(v);
}

/**
 * mod212: the treatment-effect variance across blocks that the moderator leaves unexplained,
 * omega2t - es^2 Var(M).
 * @throws UsageError when it is negative (the moderator cannot explain more than omega2t)
 */
function mod212Residual(omega2t: number, es: number, varM: number): number {
  const resid = omega2t - es * es * varM;
  if (resid < 0) {
    throw new UsageError(
      `design mod212: an effect of ${es} would explain ${es * es * varM} of the treatment-effect variance across blocks, more than --omega2t ${omega2t}; ` +
        'raise --omega2t or lower --es',
    );
  }
  return resid;
}

export interface Multiplier {
  multiplier: number;
  /** Critical value t(1 - alpha/2, df) (one-tailed t(1 - alpha, df)). */
  t1: number;
  /** |t(power, df)|. */
  t2: number;
}

/** M = t1 + t2 (t1 - t2 when power < 0.5). */
export function mdesMultiplier(df: number, power: number, options: TestOptions = {}): Multiplier {
  const alpha = options.alpha ?? 0.05;
  const twoTailed = options.twoTailed ?? true;
  const t1 = qt(twoTailed ? alpha / 2 : alpha, df, false);
  const t2 = Math.abs(qt(power, df));
  return { multiplier: power >= 0.5 ? t1 + t2 : t1 - t2, t1, t2 };
}

export interface MdesResult {
  mdes: number;
  conf_low: number;
  conf_high: number;
  df: number;
  multiplier: number;
  sse: number;
}

/**
 * Minimum detectable effect size (PowerUpR `mdes.<design>`).
 * @throws UsageError for missing parameters or sizes giving df <= 0
 * @example mdesFor('ira', { n: 250 }).mdes // => 0.3557750 // PowerUpR: mdes.ira(n = 250) = 0.356
 */
export function mdesFor(
  design: PowerUpDesign,
  params: DesignParams,
  options: TestOptions & { power?: number } = {},
): MdesResult {
  validateParams(design, params);
  const power = options.power ?? 0.8;
  const df = designDf(design, params);
  requirePositiveDf(design, df);
  const m = mdesMultiplier(df, power, options);
  const sse = design === 'mod212' ? mod212MdesSse(params, m.multiplier) : designSse(design, params);
  const mdes = m.multiplier * sse;
  return {
    mdes,
    conf_low: mdes * (1 - m.t1 / m.multiplier),
    conf_high: mdes * (1 + m.t1 / m.multiplier),
    df,
    multiplier: m.multiplier,
    sse,
  };
}

/**
 * mod212: SSE at the MDES. With a random effect, es = M SSE(es) has the closed-form solution
 * SSE^2 = (omega2t / (Var(M) J) + (1 - rho2)(1 - r21) / (P(1 - P) Var(M) J n)) / (1 + M^2 / J)
 * (as PowerUpR's mdes.mod212); refused when that MDES would explain more than omega2t.
 */
function mod212MdesSse(params: DesignParams, multiplier: number): number {
  const omega2t = params.omega2t ?? 0;
  if (omega2t === 0) return designSse('mod212', params);
  const J = params.J ?? NaN;
  const n = params.n ?? NaN;
  const P = params.p ?? 0.5;
  const varM = params.q !== undefined ? params.q * (1 - params.q) : 1;
  const total =
    omega2t / (varM * J) + ((1 - (params.rho2 ?? 0)) * (1 - (params.r21 ?? 0))) / (P * (1 - P) * varM * J * n);
  const sse = Math.sqrt(total / (1 + (multiplier * multiplier) / J));
  const mdes = multiplier * sse;
  if (mdes * mdes * varM > omega2t) {
    // es - M SSE(es) increases with es, and is still negative at the largest effect omega2t allows.
    throw new UsageError(
      `design mod212: no MDES with these sizes: the effect that reaches the target power (${mdes}) would explain ${mdes * mdes * varM} of the treatment-effect variance across blocks, more than --omega2t ${omega2t}; raise --J or --n, or --omega2t`,
    );
  }
  return sse;
}

/** Power of the t test at noncentrality ncp with df degrees of freedom (two-tailed: both tails). */
export function tTestPower(ncp: number, df: number, options: TestOptions = {}): number {
  const alpha = options.alpha ?? 0.05;
  const twoTailed = options.twoTailed ?? true;
  if (!twoTailed) return pnt(qt(alpha, df, false), df, ncp, false);
  const tc = qt(alpha / 2, df, false);
  return pnt(tc, df, ncp, false) + pnt(-tc, df, ncp, true);
}

export interface PowerResult {
  power: number;
  df: number;
  sse: number;
  ncp: number;
}

/**
 * Power to detect a standardised effect es (PowerUpR `power.<design>`).
 * @example powerFor('ira', { n: 250 }, 0.3556).power // => 0.7996585 // PowerUpR::power.ira(es = .3556, n = 250)
 */
export function powerFor(
  design: PowerUpDesign,
  params: DesignParams,
  es: number,
  options: TestOptions = {},
): PowerResult {
  validateParams(design, params);
  if (!(es > 0) || !Number.isFinite(es)) throw new UsageError(`--es must be a positive number, got ${es}`);
  const df = designDf(design, params);
  requirePositiveDf(design, df);
  const sse = designSse(design, params, es);
  const ncp = es / sse;
  return { power: tTestPower(ncp, df, options), df, sse, ncp };
}

export interface SizeResult {
  /** Which size was solved for. */
  size: SizeName;
  /** Smallest integer size whose power reaches the target. */
  value: number;
  /** Real size at which the power equals the target exactly. */
  exact: number;
  /** Power at the integer size. */
  power: number;
}

/** Smallest value of the free size with df > 0 (exclusive bound). */
function minimumSize(design: PowerUpDesign, params: DesignParams): number {
  const g1 = params.g1 ?? 0;
  const g2 = params.g2 ?? 0;
  const g3 = params.g3 ?? 0;
  const g4 = params.g4 ?? 0;
  const n = params.n ?? NaN;
  const J = params.J ?? NaN;
  switch (design) {
    case 'ira_pn': {
      const p = params.p ?? 0.5;
      return Math.max((params.icSize ?? 1) / p, 1 / (1 - p));
    }
    case 'bira2_pn':
    case 'cra2_pn': {
      const p = params.p ?? 0.5;
      return Math.max(1 / p, 1 / (1 - p));
    }
    case 'bcra3r2_pn':
      return g3 + 1;
    case 'mod211':
      return (params.omega2tm ?? 0) === 0 ? 4 / (n - 1) : 1;
    case 'mod212':
      return (params.omega2t ?? 0) === 0 ? 3 / (n - 1) : 2;
    case 'mod221':
      return (params.omegam2 ?? 0) === 0 || (params.r2m2 ?? 0) === 1 ? (g1 + 2) / (n - 1) : g1 + 2;
    case 'mod222':
      return g2 + 4;
    case 'mod331': {
      const r = moderatorRandom(params);
      return !r.level2 ? (g1 + 2) / (n * J - J - 1) : !r.level3 ? (g1 + 2) / (J - 1) : g1 + 1;
    }
    case 'mod332':
      return (params.omegam3 ?? 0) === 0 || (params.r2m3 ?? 0) === 1 ? (g2 + 2) / (J - 1) : g2 + 1;
    case 'mod333':
      return g3 + 4;
    case 'bira2c1':
      return 1 + (g1 + 1) / (params.J ?? NaN);
    case 'bira3':
      return g3 + 1;
    case 'bira4':
    case 'bcra4r2':
    case 'bcra4r3':
      return g4 + 1;
    case 'cra4':
      return g4 + 2;
    case 'bcra4f3': {
      const L = params.L ?? NaN;
      return 2 + g3 / L;
    }
    case 'ira':
      return g1 + 2;
    case 'bira2f1':
      return 2 + g1 / (params.J ?? NaN);
    case 'bira2':
      return g2 + 1;
    case 'cra2':
      return g2 + 2;
    case 'cra3':
      return g3 + 2;
    case 'bcra3r2':
      return g3 + 1;
    case 'bcra3f2': {
      const J = params.J ?? NaN;
      if (!(J > 2)) throw new UsageError(`--J must be above 2 for design bcra3f2 (df = K (J - 2) - g2), got ${J}`);
      return g2 / (J - 2);
    }
  }
}

/**
 * Solves for the free size of the design (n, J, K or L) at which the power for `es` reaches `power`.
 * The exact real root is found by bisection on the noncentral-t power (monotone in the size); the
 * integer answer is then checked directly, so it is the smallest integer that reaches the target.
 * @throws UsageError when the target cannot be reached (e.g. the power is capped by a random block effect)
 */
export function solveSize(
  design: PowerUpDesign,
  params: DesignParams,
  es: number,
  options: TestOptions & { power?: number } = {},
): SizeResult {
  const size = FREE_SIZE[design];
  validateParams(design, params, size);
  if (!(es > 0) || !Number.isFinite(es)) throw new UsageError(`--es must be a positive number, got ${es}`);
  const target = options.power ?? 0.8;
  const powerAt = (s: number): number => {
    const q = { ...params, [size]: s };
    return tTestPower(es / designSse(design, q, es), designDf(design, q), options);
  };
  const lo0 = minimumSize(design, params);
  let lo = lo0;
  let hi = Math.max(lo0 + 1, 2 * lo0, 4);
  let guard = 0;
  while (powerAt(hi) < target) {
    lo = hi;
    hi *= 2;
    if (++guard > 60)
      throw new UsageError(`--power ${target} cannot be reached for es ${es} with design ${design} at any ${size}`);
  }
  // Bisection to full precision (the power is smooth and increasing in the size).
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (powerAt(mid) >= target) hi = mid;
    else lo = mid;
  }
  const exact = hi;
  let value = Math.max(Math.ceil(exact - 1e-9), Math.floor(lo0) + 1);
  while (value - 1 > lo0 && powerAt(value - 1) >= target) value -= 1;
  while (powerAt(value) < target) value += 1;
  return { size, value, exact, power: powerAt(value) };
}
