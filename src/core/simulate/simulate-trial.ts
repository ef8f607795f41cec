/**
 * Synthetic but realistic trial data with a known true effect, for every concept and stage.
 *
 * Generative model (recorded in full in `truth`):
 * - Teams nested in sites; people in teams. OGRS3 ~ Beta(2, 3) (mean 0.40), age 18 + 6.5 x Gamma(2.2),
 *   prior convictions ~ Gamma-Poisson with mean rising with OGRS3. Women only for concept 3.
 * - Randomisation as the concept's design: whole teams (cluster concepts) or people within sites,
 *   complete (exact halves) within each site. Concept 2 nests told / not told inside the fund arm.
 * - Proven re-offending: each person has a constant hazard of "proven episodes" during the 365-day
 *   follow-up, lambda_i = -ln(1 - p_i)/365 with logit(p_i) = alpha + 1.2 z_i + u_team, z_i the centred
 *   logit of OGRS3 and u_team ~ N(0, s^2) with latent ICC s^2 / (s^2 + pi^2/3). Treatment multiplies
 *   the hazard by `hazard_ratio`. alpha and the hazard ratio are solved on the generated cohort so
 *   the expected control rate is `base_rate` and the expected treated rate is `effect_rate`.
 * - An episode is one proven offence on the episode date plus Poisson(1.6) more within 30 days
 *   (the burstiness that gives ~3 re-offences per re-offender). Disposals follow a log-normal court
 *   delay truncated so the offence is proven within the waiting period.
 * - Noise that the MoJ rules must exclude, added on top so the truth above is unchanged: breaches,
 *   `other` disposals, offences proven after the waiting period, offences on the start date, before
 *   the start, and after the follow-up.
 * - Withdrawn people (attrition) have no linked offence records.
 */
import { beta, createRng, gamma, normal, poisson, shuffle, weightedIndex, type Rng } from '../random.js';
import { daysFromCivil, formatDate } from '../dates.js';
import type { Concept, Stage } from '../concepts.js';
import { excerptSource, themeTemplates } from './themes.js';
import { declareDesign, type DesignOptions } from '../randomise/design.js';
import { allocateBatch, emptyUnits } from '../randomise/allocate.js';
import type { ProcessRow, ThemeRow } from '../report/types.js';

export interface SimulateOptions {
  concept: Concept;
  stage: Stage;
  seed: number;
  /** People randomised (default by stage and concept). */
  n?: number;
  /** Clusters (teams / groups / centres; default by stage and concept). */
  clusters?: number;
  baseRate?: number;
  effectRate?: number;
  /** Latent ICC of the cluster effect on the logit scale. */
  icc?: number;
  attrition?: number;
  followUpDays?: number;
  waitingDays?: number;
}

export interface CaseRow {
  id: string;
  arm: string;
  sub_arm: string;
  site: string;
  team: string;
  stratum: string;
  sex: string;
  age: number;
  ogrs3: number;
  prior_convictions: number;
  start_date: string;
  consented: string;
  received_intervention: string;
  withdrawn: string;
  sessions_offered: number;
  sessions_attended: number;
  budget_told: string;
  enabling_fund_gbp: string;
  coproduction_score: string;
}

export interface OffenceRow {
  id: string;
  offence_date: string;
  disposal_date: string;
  disposal_type: string;
  offence_category: string;
  severity: number;
}

export interface CostRow {
  item: string;
  category: string;
  amount_gbp: number;
  arm: string;
  recurring: string;
}

export interface SimulatedTrial {
  cases: CaseRow[];
  offences: OffenceRow[];
  process: ProcessRow[];
  costs: CostRow[];
  themes: ThemeRow[];
  truth: Record<string, unknown>;
}

export const CASE_COLUMNS: ReadonlyArray<keyof CaseRow> = [
  'id',
  'arm',
  'sub_arm',
  'site',
  'team',
  'stratum',
  'sex',
  'age',
  'ogrs3',
  'prior_convictions',
  'start_date',
  'consented',
  'received_intervention',
  'withdrawn',
  'sessions_offered',
  'sessions_attended',
  'budget_told',
  'enabling_fund_gbp',
  'coproduction_score',
];
export const OFFENCE_COLUMNS: ReadonlyArray<keyof OffenceRow> = [
  'id',
  'offence_date',
  'disposal_date',
  'disposal_type',
  'offence_category',
  'severity',
];
export const PROCESS_COLUMNS: ReadonlyArray<keyof ProcessRow> = ['level', 'unit', 'arm', 'measure', 'value'];
export const COST_COLUMNS: ReadonlyArray<keyof CostRow> = ['item', 'category', 'amount_gbp', 'arm', 'recurring'];
export const THEME_COLUMNS: ReadonlyArray<keyof ThemeRow> = [
  'source',
  'participant',
  'theme',
  'subtheme',
  'excerpt',
  'arm',
];

/** The five Purple Futures CRC areas of the pilot (docs/reference/reports.md#the-five-concepts). */
const SITES = [
  'Cheshire & Greater Manchester',
  'Humberside, Lincolnshire & North Yorkshire',
  'Merseyside',
  'West Yorkshire',
  'Hampshire & Isle of Wight',
];
const SITE_CODES = ['CGM', 'HLNY', 'MER', 'WY', 'HIOW'];

/** Offence categories with a crime-harm style seriousness weight and relative frequency. */
const CATEGORIES: Array<{ name: string; severity: number; weight: number }> = [
  { name: 'theft', severity: 1, weight: 30 },
  { name: 'drugs', severity: 2, weight: 15 },
  { name: 'violence', severity: 5, weight: 14 },
  { name: 'public_order', severity: 1, weight: 10 },
  { name: 'criminal_damage', severity: 1.5, weight: 8 },
  { name: 'burglary', severity: 4, weight: 6 },
  { name: 'fraud', severity: 2, weight: 5 },
  { name: 'motoring', severity: 0.5, weight: 8 },
  { name: 'weapons', severity: 4, weight: 3 },
  { name: 'sexual', severity: 8, weight: 1 },
];
const CATEGORY_WEIGHTS = CATEGORIES.map((c) => c.weight);

interface StageDefaults {
  n: number;
  clusters: number;
  sites: number;
  attrition: number;
  recruitmentDays: number;
}

/** Default sizes: pilots are small and purposive; efficacy multi-site; effectiveness at scale. */
export function stageDefaults(concept: Concept, stage: Stage): StageDefaults {
  const women = concept.id === 3;
  const groups = concept.id === 4 || concept.id === 5;
  switch (stage) {
    case 'pilot':
      return {
        n: women ? 40 : 60,
        clusters: women ? 2 : groups ? 6 : 4,
        sites: women ? 2 : 2,
        attrition: 0.15,
        recruitmentDays: 120,
      };
    case 'efficacy':
      return {
        n: women ? 400 : 800,
        clusters: women ? 4 : groups ? 64 : 32,
        sites: 3,
        attrition: 0.06,
        recruitmentDays: 270,
      };
    case 'effectiveness':
      return {
        n: women ? 1200 : 2400,
        clusters: women ? 10 : groups ? 200 : 80,
        sites: 5,
        attrition: 0.05,
        recruitmentDays: 365,
      };
  }
}

const logit = (p: number) => Math.log(p / (1 - p));
const expit = (x: number) => 1 / (1 + Math.exp(-x));

/** Solves f(x) = target for increasing f by bisection on [lo, hi]. */
function bisect(f: (x: number) => number, target: number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-13) break;
  }
  return (lo + hi) / 2;
}

function round(x: number, dp: number): number {
  const f = 10 ** dp;
  return Math.round(x * f) / f;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Log-normal court delay (days), median ~55, truncated to [lo, hi] by rejection. */
function courtDelay(rng: Rng, lo: number, hi: number): number {
  for (let tries = 0; tries < 50; tries++) {
    const d = Math.round(Math.exp(normal(rng, Math.log(55), 0.8)));
    if (d >= lo && d <= hi) return d;
  }
  return lo + rng.int(Math.max(1, hi - lo + 1));
}

/**
 * Generates a whole synthetic trial. Pure: the same options give the same data.
 * @throws RangeError when options are outside their valid ranges (the CLI checks them first).
 */
export function simulateTrial(options: SimulateOptions): SimulatedTrial {
  const { concept, stage, seed } = options;
  const defaults = stageDefaults(concept, stage);
  const n = options.n ?? defaults.n;
  const clustered = concept.unit === 'cluster';
  const nClusters = options.clusters ?? defaults.clusters;
  const baseRate = options.baseRate ?? 0.35;
  const effectRate = options.effectRate ?? 0.3;
  const icc = options.icc ?? (clustered ? 0.03 : 0.01);
  const attrition = options.attrition ?? defaults.attrition;
  const followUp = options.followUpDays ?? 365;
  const waiting = options.waitingDays ?? 183;
  if (n < 4) throw new RangeError('n must be at least 4');
  if (nClusters < 2) throw new RangeError('clusters must be at least 2');
  if (clustered && nClusters > n) throw new RangeError('clusters cannot exceed n');
  const nSites = Math.min(defaults.sites, nClusters);

  const root = createRng(seed);
  const rngPeople = root.fork();
  const rngOutcome = root.fork();
  const rngNoise = root.fork();
  const rngProcess = root.fork();
  const rngThemes = root.fork();

  // Teams nested in sites.
  const teamNames: string[] = [];
  const teamSite: number[] = [];
  for (let t = 0; t < nClusters; t++) {
    const s = Math.floor((t * nSites) / nClusters);
    teamSite.push(s);
    const within = t - Math.ceil((s * nClusters) / nSites) + 1;
    const label =
      concept.id === 3
        ? `Women's Centre ${SITE_CODES[s]}-${within}`
        : concept.id === 4
          ? `${SITE_CODES[s]} Group ${pad(within, 2)}`
          : concept.id === 5
            ? `${SITE_CODES[s]} Navigation Group ${pad(within, 2)}`
            : `${SITE_CODES[s]} Team ${pad(within, 2)}`;
    teamNames.push(label);
  }

  // People: spread as evenly as possible over teams, with some variation in cluster size.
  const teamWeights = teamNames.map(() => 0.6 + 0.8 * rngPeople.next());
  const personTeam: number[] = [];
  {
    const wsum = teamWeights.reduce((a, b) => a + b, 0);
    const counts = teamWeights.map((w) => Math.max(1, Math.floor((n * w) / wsum)));
    let total = counts.reduce((a, b) => a + b, 0);
    let k = 0;
    while (total < n) {
      counts[k % nClusters]!++;
      total++;
      k++;
    }
    while (total > n) {
      const i = counts.indexOf(Math.max(...counts));
      counts[i]!--;
      total--;
    }
    counts.forEach((c, t) => {
      for (let i = 0; i < c; i++) personTeam.push(t);
    });
  }

  // Ids in a shuffled order so file order does not reveal team or arm; cases.csv is sorted by id.
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(`P${pad(i + 1, 6)}`);
  const order = Array.from({ length: n }, (_, i) => i);
  shuffle(rngPeople, order);
  const idOf = new Array<string>(n);
  order.forEach((personIndex, k) => (idOf[personIndex] = ids[k]!));

  // Allocation with the real randomiser, on the cases in file (id) order, so that
  // `pilot-eval randomise cases.csv <randomisation options> --seed <seed>` reproduces the arms.
  const arms = concept.arms.map((a) => a.arm);
  const [control, treatment] = [arms[0]!, arms[1]!];
  const randomisation = randomisationFor(concept);
  const declared = declareDesign(randomisation.options);
  const byId = Array.from({ length: n }, (_, i) => i).sort((a, b) => (idOf[a]! < idOf[b]! ? -1 : 1));
  const units = {
    ...emptyUnits(),
    ids: byId.map((i) => idOf[i]!),
    blocks: byId.map((i) => SITE_CODES[teamSite[personTeam[i]!]!]!),
    clusters: clustered ? byId.map((i) => teamNames[personTeam[i]!]!) : null,
  };
  const prior = {
    ...emptyUnits(),
    blocks: [],
    clusters: clustered ? [] : null,
    arms: new Int32Array(0),
    subArms: new Int32Array(0),
  };
  const allocation = allocateBatch(declared.design, seed, prior, units, 1);
  const personArm: string[] = new Array(n).fill(control);
  const subArm: string[] = new Array(n).fill('');
  const teamArm: string[] = new Array(nClusters).fill(control);
  byId.forEach((person, k) => {
    personArm[person] = declared.design.arms[allocation.arms[k]!]!;
    const sub = allocation.subArms[k]!;
    if (sub >= 0 && declared.design.nested) subArm[person] = declared.design.nested.subArms[sub]!;
    teamArm[personTeam[person]!] = personArm[person]!;
  });

  // Baseline characteristics.
  const startBase = daysFromCivil(2023, 1, 2);
  const ogrs3 = new Float64Array(n);
  const ages = new Int32Array(n);
  const sexes: string[] = [];
  const priors = new Int32Array(n);
  const startDay = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ogrs3[i] = Math.min(0.99, Math.max(0.01, round(beta(rngPeople, 2, 3), 3)));
    ages[i] = Math.min(80, 18 + Math.round(6.5 * gamma(rngPeople, 2.2)));
    if (concept.sex_restriction === 'female') sexes.push('female');
    else {
      const u = rngPeople.next();
      sexes.push(u < 0.84 ? 'male' : u < 0.985 ? 'female' : u < 0.993 ? 'other' : 'unknown');
    }
    priors[i] = poisson(rngPeople, (gamma(rngPeople, 1.5) * (1 + 14 * ogrs3[i]!)) / 1.5);
    startDay[i] = startBase + rngPeople.int(defaults.recruitmentDays);
  }

  // Risk model, calibrated on this cohort.
  const zs = new Float64Array(n);
  let zMean = 0;
  for (let i = 0; i < n; i++) zMean += logit(ogrs3[i]!);
  zMean /= n;
  for (let i = 0; i < n; i++) zs[i] = logit(ogrs3[i]!) - zMean;
  const clusterSd = Math.sqrt((icc / (1 - icc)) * (Math.PI ** 2 / 3));
  const u = new Float64Array(nClusters);
  for (let t = 0; t < nClusters; t++) u[t] = normal(rngOutcome, 0, clusterSd);
  const linear = (i: number, alpha: number) => alpha + 1.2 * zs[i]! + u[personTeam[i]!]!;
  const meanRisk = (alpha: number, hr: number, onlyArm: string | null) => {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (onlyArm !== null && personArm[i] !== onlyArm) continue;
      const p = expit(linear(i, alpha));
      s += 1 - Math.pow(1 - p, hr);
      c++;
    }
    return s / Math.max(1, c);
  };
  // Calibrate on everyone (a property of the population, not of the arm draw).
  const alpha = bisect((a) => meanRisk(a, 1, null), baseRate, -12, 12);
  const hazardRatio = bisect((h) => meanRisk(alpha, h, null), effectRate, 1e-6, 20);
  const episodeExtra = 1.6;

  // Compliance, engagement and process at person level.
  const extractDay = startBase + defaults.recruitmentDays + followUp + waiting + 30;
  const cases: CaseRow[] = [];
  const offences: OffenceRow[] = [];
  const process: ProcessRow[] = [];

  const fundCategories = [
    'training_course',
    'work_clothing_tools',
    'travel',
    'id_documents',
    'housing_deposit',
    'phone_internet',
    'leisure_activity',
  ];
  let fundTotal = 0;
  let reoffendersExpected = 0;
  for (let i = 0; i < n; i++) {
    const treated = personArm[i] === treatment;
    const withdrawn = rngNoise.next() < attrition;
    const complier = treated ? rngNoise.next() < 0.85 : false;
    const offered = treated ? 8 + rngNoise.int(5) : 6 + rngNoise.int(3);
    const attendRate = treated
      ? complier
        ? 0.55 + 0.35 * rngNoise.next()
        : 0.15 * rngNoise.next()
      : 0.5 + 0.3 * rngNoise.next();
    let attended = 0;
    for (let k = 0; k < offered; k++) if (rngNoise.next() < attendRate) attended++;
    let fund = '';
    let budgetTold = '';
    const hasFund = concept.id === 2 || concept.id === 3;
    if (hasFund && treated) {
      if (concept.nested) budgetTold = subArm[i] === concept.nested.sub_arms[0] ? 'yes' : 'no';
      const spend = complier ? round(gamma(rngProcess, 2.5) * (budgetTold === 'yes' ? 140 : 115), 2) : 0;
      fund = spend.toFixed(2);
      fundTotal += spend;
      if (spend > 0) {
        process.push({
          level: 'person',
          unit: idOf[i]!,
          arm: treatment,
          measure: 'fund_spend_gbp',
          value: spend.toFixed(2),
        });
        process.push({
          level: 'person',
          unit: idOf[i]!,
          arm: treatment,
          measure: 'fund_category',
          value: fundCategories[weightedIndex(rngProcess, [5, 4, 4, 2, 2, 2, 1])]!,
        });
      }
    }
    const teamEffect = u[personTeam[i]!]! * 4;
    const copro = Math.min(100, Math.max(0, 55 + (treated ? 4 : 0) + teamEffect + normal(rngProcess, 0, 15)));
    const row: CaseRow = {
      id: idOf[i]!,
      arm: personArm[i]!,
      sub_arm: subArm[i]!,
      site: SITES[teamSite[personTeam[i]!]!]!,
      team: teamNames[personTeam[i]!]!,
      stratum: SITE_CODES[teamSite[personTeam[i]!]!]!,
      sex: sexes[i]!,
      age: ages[i]!,
      ogrs3: ogrs3[i]!,
      prior_convictions: priors[i]!,
      start_date: formatDate(startDay[i]!),
      consented: 'yes',
      received_intervention: treated && complier ? 'yes' : 'no',
      withdrawn: withdrawn ? 'yes' : 'no',
      sessions_offered: offered,
      sessions_attended: attended,
      budget_told: budgetTold,
      enabling_fund_gbp: fund,
      coproduction_score: withdrawn ? '' : copro.toFixed(1),
    };
    cases.push(row);

    // Concept-specific person-level process measures.
    if (concept.id === 4) {
      process.push({
        level: 'person',
        unit: row.id,
        arm: row.arm,
        measure: 'peer_contacts',
        value: String(poisson(rngProcess, treated ? 9 : 4)),
      });
      process.push({
        level: 'person',
        unit: row.id,
        arm: row.arm,
        measure: 'network_size',
        value: String(poisson(rngProcess, treated ? 7 : 5)),
      });
    }
    if (concept.id === 5) {
      process.push({
        level: 'person',
        unit: row.id,
        arm: row.arm,
        measure: 'orgs_used',
        value: String(poisson(rngProcess, treated ? 3 : 1)),
      });
      process.push({
        level: 'person',
        unit: row.id,
        arm: row.arm,
        measure: 'volunteering_hours',
        value: String(treated ? Math.round(gamma(rngProcess, 1.2) * 10) : Math.round(gamma(rngProcess, 0.5) * 6)),
      });
    }

    // Outcomes: counted (proven, in-window) offences from the hazard, then excluded noise.
    const p = expit(linear(i, alpha));
    const hr = treated ? hazardRatio : 1;
    const lambda = (-Math.log(1 - p) * hr) / followUp;
    reoffendersExpected += 1 - Math.pow(1 - p, hr);
    if (withdrawn) continue; // no linked records for people who left the study
    const start = startDay[i]!;
    const windowEnd = start + followUp;
    const provenBy = windowEnd + waiting;
    const addOffence = (offDay: number, dispDay: number, type: string) => {
      const cat = CATEGORIES[weightedIndex(rngOutcome, CATEGORY_WEIGHTS)]!;
      offences.push({
        id: row.id,
        offence_date: formatDate(offDay),
        disposal_date: formatDate(dispDay),
        disposal_type: type,
        offence_category: cat.name,
        severity: cat.severity,
      });
    };
    const provingType = () =>
      rngOutcome.next() < 0.83 ? 'conviction' : rngOutcome.next() < 0.9 ? 'caution' : 'warning';
    let t = start;
    for (;;) {
      t += Math.max(1, Math.ceil(-Math.log(1 - rngOutcome.next()) / lambda));
      if (t > windowEnd) break;
      const extra = poisson(rngOutcome, episodeExtra);
      for (let k = 0; k <= extra; k++) {
        const offDay = k === 0 ? t : t + rngOutcome.int(31);
        if (offDay > windowEnd) continue;
        addOffence(offDay, offDay + courtDelay(rngOutcome, 0, provenBy - offDay), provingType());
      }
    }
    // Noise the definition must exclude.
    const breaches = poisson(rngNoise, 0.35);
    for (let k = 0; k < breaches; k++) {
      const d = start + 1 + rngNoise.int(followUp);
      addOffence(d, d + courtDelay(rngNoise, 0, 200), 'breach');
    }
    if (rngNoise.next() < 0.04) {
      const d = start + 1 + rngNoise.int(followUp);
      addOffence(d, d + courtDelay(rngNoise, 0, 300), 'other');
    }
    if (rngNoise.next() < 0.05) {
      // Committed in the window, proven only after the waiting period.
      const d = start + 200 + rngNoise.int(followUp - 199);
      addOffence(d, provenBy + 1 + rngNoise.int(60), provingType());
    }
    if (rngNoise.next() < 0.02) addOffence(start, start + courtDelay(rngNoise, 1, 200), provingType());
    if (rngNoise.next() < 0.15) {
      const d = start - 30 - rngNoise.int(700);
      addOffence(d, Math.min(start, d + courtDelay(rngNoise, 0, 400)), provingType());
    }
    // Offending after the follow-up continues at the person's rate until the extract date.
    let t2 = windowEnd;
    for (;;) {
      t2 += Math.max(1, Math.ceil(-Math.log(1 - rngNoise.next()) / lambda));
      if (t2 > extractDay - 10) break;
      const disp = t2 + courtDelay(rngNoise, 0, 400);
      if (disp <= extractDay) addOffence(t2, disp, provingType());
    }
  }
  // The extract date is the latest disposal recorded: make it explicit so every case is measurable.
  if (offences.length > 0) {
    let last = -Infinity;
    for (const o of offences) last = Math.max(last, daysFromIso(o.disposal_date));
    if (last < extractDay) {
      const anyone = cases.find((c) => c.withdrawn === 'no');
      if (anyone) {
        const d = extractDay - 20;
        offences.push({
          id: anyone.id,
          offence_date: formatDate(d),
          disposal_date: formatDate(extractDay),
          disposal_type: 'breach',
          offence_category: 'breach_of_order',
          severity: 0,
        });
      }
    }
  }
  offences.sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : a.offence_date < b.offence_date ? -1 : a.offence_date > b.offence_date ? 1 : 0,
  );
  cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // Team-level process measures.
  const teamsUsed = [...new Set(personTeam)].sort((a, b) => a - b);
  let staffTotal = 0;
  for (const t of teamsUsed) {
    const arm = clustered ? teamArm[t]! : 'all';
    const name = teamNames[t]!;
    const delivering = !clustered || teamArm[t] === treatment;
    if (delivering) {
      const staff = 3 + rngProcess.int(5);
      staffTotal += staff;
      process.push({ level: 'team', unit: name, arm, measure: 'staff_trained', value: String(staff) });
      process.push({
        level: 'team',
        unit: name,
        arm,
        measure: 'fidelity_pct',
        value: Math.min(100, Math.max(20, normal(rngProcess, concept.id === 3 ? 72 : 78, 10))).toFixed(1),
      });
      if (concept.id === 1 || concept.id === 2) {
        process.push({
          level: 'team',
          unit: name,
          arm,
          measure: 'staff_experience_score',
          value: Math.min(5, Math.max(1, normal(rngProcess, 3.8, 0.5))).toFixed(2),
        });
      }
      if (concept.id === 4) {
        process.push({
          level: 'team',
          unit: name,
          arm,
          measure: 'grant_spend_gbp',
          value: (1500 + gamma(rngProcess, 3) * 500).toFixed(2),
        });
        process.push({
          level: 'team',
          unit: name,
          arm,
          measure: 'services_created',
          value: String(poisson(rngProcess, 1.5)),
        });
      }
      if (concept.id === 5)
        process.push({
          level: 'team',
          unit: name,
          arm,
          measure: 'orgs_mapped',
          value: String(5 + poisson(rngProcess, 12)),
        });
    }
  }

  // Costs.
  const nTreated = personArm.filter((a) => a === treatment).length;
  const costs: CostRow[] = [
    {
      item: 'person-centred practice training',
      category: 'staff_training',
      amount_gbp: round(staffTotal * 650, 2),
      arm: treatment,
      recurring: 'no',
    },
    {
      item: 'supervision time above usual practice',
      category: 'staff_time',
      amount_gbp: round(nTreated * 95, 2),
      arm: treatment,
      recurring: 'yes',
    },
  ];
  if (concept.id === 2 || concept.id === 3)
    costs.push({
      item: 'enabling fund spend',
      category: 'enabling_fund',
      amount_gbp: round(fundTotal, 2),
      arm: treatment,
      recurring: 'yes',
    });
  if (concept.id === 3)
    costs.push({
      item: "women's centre delivery contract",
      category: 'third_party',
      amount_gbp: round(nTreated * 420, 2),
      arm: treatment,
      recurring: 'yes',
    });
  if (concept.id === 4) {
    const grants = process.filter((r) => r.measure === 'grant_spend_gbp').reduce((s, r) => s + Number(r.value), 0);
    costs.push({
      item: 'service user group grants',
      category: 'grant_fund',
      amount_gbp: round(grants, 2),
      arm: treatment,
      recurring: 'yes',
    });
  }
  if (concept.id === 5)
    costs.push({
      item: 'community mapping materials and travel',
      category: 'other',
      amount_gbp: round(nTreated * 35, 2),
      arm: treatment,
      recurring: 'yes',
    });

  // Coded qualitative excerpts.
  const themes: ThemeRow[] = [];
  const templates = themeTemplates(concept.id);
  const nExcerpts = stage === 'pilot' ? 60 : stage === 'efficacy' ? 40 : 30;
  const prefixes: Record<string, string> = { service_user: 'SU', staff: 'ST', partner: 'PA' };
  const pool: Record<string, number> = { service_user: stage === 'pilot' ? 18 : 24, staff: 8, partner: 5 };
  for (let k = 0; k < nExcerpts; k++) {
    const tpl = templates[rngThemes.int(templates.length)]!;
    const e = rngThemes.int(tpl.excerpts.length);
    const source = excerptSource(tpl, e);
    const participant = `${prefixes[source]}-${pad(1 + rngThemes.int(pool[source]!), 2)}`;
    themes.push({
      source,
      participant,
      theme: tpl.theme,
      subtheme: tpl.subtheme,
      excerpt: tpl.excerpts[e]!,
      arm: source === 'partner' ? '' : treatment,
    });
  }

  const truth = {
    generator: 'pilot-eval simulate',
    concept: concept.slug,
    concept_id: concept.id,
    stage,
    seed,
    n,
    clusters: nClusters,
    sites: nSites,
    unit: concept.unit,
    arms,
    randomisation: {
      ...randomisation.record,
      seed,
      note: 'reproduce with: pilot-eval randomise cases.csv ' + randomisation.cli + ' --seed ' + String(seed),
    },
    base_rate: baseRate,
    effect_rate: effectRate,
    true_risk_difference: effectRate - baseRate,
    hazard_ratio: hazardRatio,
    expected_reoffending_rate_cohort: reoffendersExpected / n,
    logit_intercept: alpha,
    ogrs3_logit_slope: 1.2,
    ogrs3_distribution: 'Beta(2, 3), rounded to 3 dp, clamped to [0.01, 0.99]',
    icc_latent: icc,
    cluster_effect_sd_logit: clusterSd,
    attrition,
    follow_up_days: followUp,
    waiting_days: waiting,
    recruitment_start: formatDate(startBase),
    recruitment_days: defaults.recruitmentDays,
    extract_date: formatDate(extractDay),
    episode_extra_offences_mean: episodeExtra,
    court_delay: 'log-normal, median 55 days, sdlog 0.8, truncated to prove within the waiting period',
    compliance_treated: 0.85,
    coproduction_effect_points: 4,
    coproduction_sd: 15,
    noise: {
      breaches_per_person: 0.35,
      other_disposal_probability: 0.04,
      proven_after_waiting_probability: 0.05,
      offence_on_start_date_probability: 0.02,
      offence_before_start_probability: 0.15,
      offending_after_follow_up: 'at the person hazard until the extract date',
    },
    withdrawn_have_no_offence_records: true,
  };
  return { cases, offences, process, costs, themes, truth };
}

/** The randomisation each concept's trial uses, as `randomise` options and as a record. */
export function randomisationFor(concept: Concept): {
  options: DesignOptions;
  cli: string;
  record: { method: string; block: string; cluster: string | null; nested: string | null; unit: string };
} {
  if (concept.unit === 'cluster') {
    return {
      options: { method: 'block-cluster', block: 'stratum', cluster: 'team' },
      cli: '--method block-cluster --block stratum --cluster team',
      record: { method: 'block-cluster', block: 'stratum', cluster: 'team', nested: null, unit: concept.unit_label },
    };
  }
  const nested = concept.nested ? `${concept.nested.arm}:${concept.nested.sub_arms.join(',')}` : null;
  return {
    options: { method: 'block', block: 'stratum', ...(nested ? { nested } : {}) },
    cli: `--method block --block stratum${nested ? ` --nested ${nested}` : ''}`,
    record: { method: 'block', block: 'stratum', cluster: null, nested, unit: concept.unit_label },
  };
}

function daysFromIso(s: string): number {
  return daysFromCivil(+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10));
}
