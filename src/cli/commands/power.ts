/**
 * `pilot-eval power`: declares the options, parses them into typed options, runs the power use
 * case (src/app/power.ts) and prints the result.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import {
  BINARY_METHODS,
  DESIGNS,
  SIMULATION_ANALYSES,
  flag,
  runPower,
  type PowerCommandResult,
  type PowerOptions,
} from '../../app/power.js';
import { withCommon } from '../command-kit.js';
import {
  addAlias,
  parseChoiceOption,
  parseDateOption,
  parseIntOption,
  parseNumberOption,
  parseSeed,
  resolveAlias,
  type Range,
} from '../options.js';
import { printJson, printText, progress } from '../output.js';
import { renderPower } from '../power-render.js';

export { runPower };
export type {
  BinaryPowerResult,
  CountPowerResult,
  PowerCommandResult,
  PowerOptions,
  SimulatedPowerResult,
  StandardisedPowerResult,
  SurvivalPowerResult,
} from '../../app/power.js';

/** The options as commander gives them: text, or values its argParsers have already parsed. */
export interface RawPowerOptions {
  [key: string]: string | number | boolean | undefined;
}

// [option, min, max, open ends]: every numeric option has a stated range (an effect size of 1e-8 or
// n = 1e308 would otherwise send the size searches looking for ever).
const NUMERIC: Array<[keyof PowerOptions, number, number, Range['open']]> = [
  ['es', 0.001, 20, 'none'],
  ['power', 0, 1, 'both'],
  ['alpha', 0, 1, 'both'],
  ['p', 0, 1, 'both'],
  ['n', 0, 1e9, 'both'],
  ['J', 0, 1e7, 'both'],
  ['K', 0, 1e7, 'both'],
  ['L', 0, 1e7, 'both'],
  ['rho2', 0, 1, 'none'],
  ['rho3', 0, 1, 'none'],
  ['rho4', 0, 1, 'none'],
  ['omega2', 0, 1000, 'none'],
  ['omega3', 0, 1000, 'none'],
  ['omega4', 0, 1000, 'none'],
  ['r21', 0, 1, 'none'],
  ['r22', 0, 1, 'none'],
  ['r23', 0, 1, 'none'],
  ['r24', 0, 1, 'none'],
  ['r2t2', 0, 1, 'none'],
  ['r2t3', 0, 1, 'none'],
  ['r2t4', 0, 1, 'none'],
  ['omega2t', 0, 1000, 'none'],
  ['omega2tm', 0, 1000, 'none'],
  ['omegam2', 0, 1000, 'none'],
  ['omegam3', 0, 1000, 'none'],
  ['r2m2', 0, 1, 'none'],
  ['r2m3', 0, 1, 'none'],
  ['q', 0, 1, 'both'],
  ['rhoIc', 0, 1, 'none'],
  ['icSize', 1, 1e6, 'none'],
  ['rho2Trt', 0, 1, 'none'],
  ['rho3Trt', 0, 1, 'none'],
  ['ratioTcVar', 0, 1000, 'both'],
  ['attrition', 0, 1, 'high'],
  ['compliance', 0, 1, 'low'],
  ['p1', 0, 1, 'both'],
  ['p2', 0, 1, 'both'],
  ['icc', 0, 1, 'none'],
  ['clusterSize', 1, 1e7, 'none'],
  ['clusterCv', 0, 10, 'none'],
  ['cvBetween', 0, 10, 'none'],
  ['hr', 0, 100, 'both'],
  ['eventProb', 0, 1, 'none'],
  ['median0', 0, 1e5, 'both'],
  ['accrual', 0, 1e5, 'none'],
  ['followUp', 0, 1e5, 'both'],
  ['rate0', 0, 1000, 'both'],
  ['rr', 0, 1000, 'both'],
  ['dispersion', 0, 1000, 'none'],
  ['exposure', 0, 1e5, 'both'],
  ['recruitPerMonth', 0, 1e7, 'both'],
];
const INTEGER: Array<[keyof PowerOptions, number]> = [
  ['g1', 0],
  ['g2', 0],
  ['g3', 0],
  ['g4', 0],
  ['teams', 1],
  ['extractLagDays', 0],
  ['followUpDays', 0],
  ['waitingDays', 0],
];
const OUTCOME_TYPES = ['standardised', 'binary', 'survival', 'count'] as const;
const SOLVES = ['mdes', 'power', 'n'] as const;
/** The choices `--help` lists, by option key. */
const CHOICES: Record<string, readonly string[]> = {
  outcomeType: OUTCOME_TYPES,
  design: DESIGNS,
  solve: SOLVES,
  method: BINARY_METHODS,
  direction: ['lower', 'higher'],
  clusterTest: ['t', 'z'],
  approach: ['1', '2', '3'],
  simAnalysis: SIMULATION_ANALYSES,
};
/** Options that cannot be given together (commander's `conflicts`); the use case states the same rules for callers outside the command line. */
const CONFLICTS: Record<string, string[]> = {
  cvBetween: ['icc'],
  eventProb: ['median0'],
  simulate: ['solve', 'plot'],
};

/**
 * `--allocation-ratio`: treated/control (n2/n1), as a number (2) or as control:treatment parts in
 * the form randomise's `--ratio` takes ("1:2" = twice as many treated).
 */
export function parseAllocationRatio(name: string, text: string): number {
  const parts = /^\s*([^:]+):([^:]+)\s*$/.exec(text);
  if (!parts) return parseNumberOption(name, text, 0, 1000, 'both')!;
  const control = parseNumberOption(`${name} (control part)`, parts[1], 0, Infinity, 'both')!;
  const treated = parseNumberOption(`${name} (treated part)`, parts[2], 0, Infinity, 'both')!;
  return checkRatio(name, text, treated / control);
}

function checkRatio(name: string, text: string, r: number): number {
  if (!(r > 0 && r < 1000))
    throw new UsageError(
      `${name} must give a treated/control ratio strictly between 0 and 1000, got ${JSON.stringify(text)}`,
    );
  return r;
}

/** The parser of each option's value, by option key (the same for commander's argParser and for text). */
const PARSERS: Record<string, (text: string) => unknown> = {
  outcomeType: (t) => parseChoiceOption('--outcome-type', t, OUTCOME_TYPES, { continuous: 'standardised' }),
  design: (t) => parseChoiceOption('--design', t, DESIGNS),
  solve: (t) => parseChoiceOption('--solve', t, SOLVES),
  method: (t) => parseChoiceOption('--method', t, BINARY_METHODS),
  direction: (t) => parseChoiceOption('--direction', t, ['lower', 'higher'] as const),
  clusterTest: (t) => parseChoiceOption('--cluster-test', t, ['t', 'z'] as const),
  approach: (t) => Number(parseChoiceOption('--approach', t, ['1', '2', '3'] as const)),
  simAnalysis: (t) => parseChoiceOption('--sim-analysis', t, SIMULATION_ANALYSES),
  simulate: (t) => parseIntOption('--simulate', t, 1, 1e7),
  seed: (t) => parseSeed(t, false),
  allocationRatio: (t) => parseAllocationRatio('--allocation-ratio', t),
  start: (t) => parseDateOption('--start', t),
  ...Object.fromEntries(
    NUMERIC.map(([key, min, max, open]) => [key, (t: string) => parseNumberOption(flag(key), t, min, max, open)]),
  ),
  ...Object.fromEntries(INTEGER.map(([key, min]) => [key, (t: string) => parseIntOption(flag(key), t, min)])),
};

/**
 * Typed options from commander's values (already parsed by the argParsers) or from text (a caller
 * outside commander); the older names `outcome` and `ratio` are taken as `outcomeType` and
 * `allocationRatio`. A bad value is a UsageError naming the option.
 */
export function parsePowerOptions(input: RawPowerOptions): PowerOptions {
  const raw = resolveAlias(
    resolveAlias(input, 'outcome', 'outcomeType', '--outcome', '--outcome-type'),
    'ratio',
    'allocationRatio',
    '--ratio',
    '--allocation-ratio',
  );
  const value = (k: string): unknown => {
    const v = raw[k];
    return typeof v === 'string' && Object.hasOwn(PARSERS, k) ? PARSERS[k]!(v) : v;
  };
  const o: PowerOptions = { outcome: (value('outcomeType') as PowerOptions['outcome'] | undefined) ?? 'standardised' };
  for (const k of [
    'design',
    'solve',
    'method',
    'direction',
    'clusterTest',
    'approach',
    'simulate',
    'simAnalysis',
    'seed',
    'start',
    ...NUMERIC.map(([key]) => key),
    ...INTEGER.map(([key]) => key),
  ]) {
    const v = value(k);
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  const ratio = value('allocationRatio');
  if (ratio !== undefined) o.ratio = ratio as number;
  if (raw.oneTailed === true) o.oneTailed = true;
  for (const k of ['plot', 'calendarPlot', 'from'] as const) if (typeof raw[k] === 'string') o[k] = raw[k] as string;
  return o;
}

const EXAMPLES = [
  'power --design cra2 --solve n --es 0.3 --rho2 0.17 --n 15 --plot curve.svg',
  'power --design cra4 --rho4 .05 --rho3 .05 --rho2 .10 --n 10 --J 2 --K 3 --L 20',
  'power --design mod221 --rho2 .17 --omegam2 .10 --q .5 --n 15 --J 20           # a subgroup question (binary moderator)',
  'power --design ira_pn --es 0.3 --rho-ic 0.1 --ic-size 8                          # groups in the treatment arm only',
  'power --outcome-type binary --p1 0.5 --p2 0.75 --power 0.9',
  'power --outcome-type binary --p1 0.40 --p2 0.25 --icc 0.05 --cluster-size 50           # clusters, t on 2(J-1) df',
  'power --outcome-type binary --p1 0.35 --p2 0.25 --icc 0.02 --J 20                      # solve the cluster size, or feasible: false',
  'power --outcome-type binary --p1 0.35 --p2 0.25 --cv-between 0.25 --cluster-size 30    # Hayes & Bennett k',
  'power --outcome-type survival --hr 0.7 --event-prob 0.45',
  'power --outcome-type survival --hr 0.7 --median0 24 --accrual 12 --follow-up 12 --icc 0.02 --cluster-size 25',
  'power --outcome-type count --rate0 0.8 --rr 0.85 --dispersion 0.4 --exposure 0.75',
  'power --outcome-type binary --p1 0.35 --p2 0.28 --recruit-per-month 10 --teams 8 --start 2026-01-01 --extract-lag-days 90 --calendar-plot when.svg',
  'power --outcome-type binary --p2 0.25 --from efficacy-report.json --recruit-per-month 4 --teams 40 --start 2027-01-01',
  'power --outcome-type binary --p1 0.35 --p2 0.288 --icc 0.027 --cluster-size 25 --n 500 --simulate 2000 --seed 1   # the headline analysis: LPM risk difference, CR2',
  'power --outcome-type binary --p1 0.3 --p2 0.5 --n 150 --simulate 1000 --seed 1 --sim-analysis logistic   # glm log odds ratio instead',
];

export function register(program: Command): void {
  const cmd = withCommon(program.command('power')).description(
    'Power, MDES and sample size (PowerUp! designs; binary, time-to-event and count outcomes; calendar; next stage from a report)',
  );
  const options: Array<[string, string, string?]> = [
    [
      '--outcome-type <type>',
      'kind of outcome: standardised (PowerUp! designs; continuous is accepted too), binary, survival or count',
      'standardised',
    ],
    ['--design <d>', `PowerUp! design: ${DESIGNS.join(', ')}`],
    ['--solve <what>', 'mdes, power or n (the free size of the design); inferred when omitted'],
    ['--es <d>', 'standardised effect size (for --solve power or n)'],
    ['--power <p>', 'target power (0.8)'],
    ['--alpha <a>', 'significance level (0.05)'],
    ['--one-tailed', 'one-tailed test'],
    ['--p <P>', 'proportion treated at the level of randomisation (0.5)'],
    ['--n <n>', 'people per cluster/block (ira: total); binary, survival, count: control-arm size'],
    ['--J <J>', 'level-2 units; binary: clusters per arm (alone: solve the cluster size)'],
    ['--K <K>', 'level-3 units'],
    ['--L <L>', 'level-4 units'],
    ['--rho2 <icc>', 'ICC at level 2'],
    ['--rho3 <icc>', 'ICC at level 3'],
    ['--rho4 <icc>', 'ICC at level 4'],
    ['--omega2 <w>', 'effect heterogeneity across level-2 blocks'],
    ['--omega3 <w>', 'effect heterogeneity across level-3 blocks'],
    ['--omega4 <w>', 'effect heterogeneity across level-4 blocks'],
    ['--r21 <r2>', 'R-squared, level-1 covariates'],
    ['--r22 <r2>', 'R-squared, level-2 covariates'],
    ['--r23 <r2>', 'R-squared, level-3 covariates'],
    ['--r24 <r2>', 'R-squared, level-4 covariates'],
    ['--r2t2 <r2>', 'R-squared of level-2 covariates for the effect variation'],
    ['--r2t3 <r2>', 'same, level 3'],
    ['--r2t4 <r2>', 'same, level 4'],
    ['--omega2t <w>', 'mod212: variance of the treatment effect across level-2 blocks (0: non-random)'],
    ['--omega2tm <w>', 'mod211: variance of the moderator effect across level-2 units'],
    ['--omegam2 <w>', 'mod221, mod331: moderator effect heterogeneity, level 2'],
    ['--omegam3 <w>', 'mod331, mod332: moderator effect heterogeneity, level 3'],
    ['--r2m2 <r2>', 'moderator designs: R-squared for the moderator effect variation, level 2'],
    ['--r2m3 <r2>', 'same, level 3'],
    ['--q <share>', "moderator designs: share in a binary moderator's group (leave out: continuous)"],
    ['--rho-ic <icc>', '*_pn designs: ICC within the groups the treatment is delivered in'],
    ['--ic-size <m>', '*_pn designs: people per delivery group'],
    ['--rho2-trt <icc>', '*_pn designs: ICC of the randomised clusters (level 2)'],
    ['--rho3-trt <icc>', 'bcra3r2_pn: ICC at level 3'],
    ['--ratio-tc-var <r>', 'ira_pn: treated/control variance ratio (1)'],
    ['--g1 <g>', 'covariates at level 1'],
    ['--g2 <g>', 'covariates at level 2'],
    ['--g3 <g>', 'covariates at level 3'],
    ['--g4 <g>', 'covariates at level 4'],
    ['--attrition <a>', 'share of people lost to follow-up; inflates sizes (0)'],
    ['--p1 <rate>', 'binary: control rate'],
    ['--p2 <rate>', 'binary: treated rate'],
    [
      '--allocation-ratio <r>',
      'treated/control allocation n2/n1: a number, or control:treatment parts as randomise --ratio takes them (1:2 = 2) (1)',
    ],
    ['--method <m>', `binary: ${BINARY_METHODS.join(', ')} (normal)`],
    ['--icc <icc>', 'intraclass correlation (cluster design)'],
    ['--cluster-size <m>', 'people per cluster'],
    ['--cluster-cv <cv>', 'coefficient of variation of cluster sizes (Eldridge)'],
    [
      '--cluster-test <t|z>',
      'binary clusters: t on 2(J-1) df as clusterPower::cpa.binary (default) or z with the design effect',
    ],
    ['--cv-between <k>', 'binary: between-cluster coefficient of variation (Hayes & Bennett 1999)'],
    ['--direction <d>', 'binary: detectable change lower (default) or higher than p1'],
    ['--compliance <c>', 'binary: share of the treatment arm who receive it; dilutes --p2 (1)'],
    ['--hr <hr>', 'survival: hazard ratio to detect'],
    ['--event-prob <p>', 'survival: probability of an event during follow-up'],
    ['--median0 <t>', 'survival: control median time to event (exponential)'],
    ['--accrual <t>', 'survival: accrual period (uniform entry)'],
    ['--follow-up <t>', 'survival: follow-up after accrual closes'],
    ['--rate0 <r>', 'count: control events per person per exposure unit'],
    ['--rr <rr>', 'count: rate ratio to detect'],
    ['--dispersion <k>', 'count: negative binomial dispersion k (0: Poisson)'],
    ['--exposure <t>', 'count: exposure per person (1)'],
    ['--approach <1|2|3>', 'count: Zhu & Lakkis variance under H0 (3)'],
    ['--recruit-per-month <n>', 'calendar: people recruited a month (per team with --teams)'],
    ['--teams <t>', 'calendar: teams recruiting'],
    ['--start <date>', 'calendar: recruitment starts (YYYY-MM-DD)'],
    ['--extract-lag-days <d>', 'calendar: days from the end of the outcome window to the data extract (0)'],
    ['--follow-up-days <d>', 'calendar: outcome follow-up (365)'],
    ['--waiting-days <d>', 'calendar: waiting period for offences to be proven (183)'],
    ['--calendar-plot <file.svg>', 'calendar: power (or MDES) by the date recruitment closes'],
    ['--from <report.json>', "plan the next stage from a finished report's JSON"],
    ['--simulate <reps>', 'binary: estimate power by simulating the whole trial'],
    [
      '--sim-analysis <a>',
      `--simulate: analyse each replicate with ${SIMULATION_ANALYSES.join(' or ')} (primary: the headline risk difference, LPM with HC2 / CR2)`,
    ],
    ['--seed <int>', 'seed for --simulate'],
    ['--plot <file.svg>', 'write the power curve as an SVG'],
  ];
  for (const [f, d, v] of options) {
    const opt = new Option(f, d);
    if (v !== undefined) opt.default(v);
    const key = opt.attributeName();
    const parse = PARSERS[key];
    if (parse) opt.argParser((t: string) => parse(t));
    if (Object.hasOwn(CHOICES, key)) opt.argChoices = [...CHOICES[key]!];
    if (Object.hasOwn(CONFLICTS, key)) opt.conflicts(CONFLICTS[key]!);
    cmd.addOption(opt);
  }
  // Older names, kept for scripts: --outcome (analyse and match use it for a column) and --ratio
  // (randomise's "1:2", match's comparisons per treated person).
  addAlias(cmd, '--outcome <type>', '--outcome-type');
  addAlias(cmd, '--ratio <r>', '--allocation-ratio');
  cmd
    .addHelpText(
      'after',
      [
        '',
        'Sizes are the smallest whole number that reaches the power (PowerUpR rounds to the nearest, so can be one lower).',
        '',
        'Examples:',
        ...EXAMPLES.map((e) => `  $ pilot-eval ${e}`),
      ].join('\n'),
    )
    .action(async (raw: RawPowerOptions) => {
      const parsed = parsePowerOptions(raw);
      const bar = parsed.simulate !== undefined ? progress('simulating') : null;
      if (bar)
        parsed.onProgress = (done, total) =>
          bar.update(`simulating ${done}/${total} ${'#'.repeat(Math.round((20 * done) / total)).padEnd(20, '.')}`);
      let result: PowerCommandResult;
      try {
        result = await runPower(parsed);
      } catch (err) {
        bar?.fail();
        throw err;
      }
      bar?.stop();
      if (raw.json === true) return printJson(result);
      printText(renderPower(result));
    });
}
