/**
 * `pilot-eval analyse <data.csv>`: effect sizes with honest uncertainty for an individually or
 * cluster randomised trial (docs/reference/commands.md#analyse). The handler returns the contract object; the
 * commander action only parses options and prints.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { AnalyseResult } from '../../core/analysis/analyse-trial.js';
import type { Headline } from '../../core/analysis/primary-analysis.js';
import { SMALL_SAMPLE_CHOICES, type SmallSample } from '../../app/analyse.js';
import {
  analyseTrialFiles,
  checkAnalyseFiles,
  checkedSurvivalOptions,
  loadTrialPlan,
  writeAnalyseJson,
} from '../../app/analyse.js';
import { parseReadOptions, withCommon, withReadOptions } from '../command-kit.js';
import { addAlias, parseIntOption, parseListOption, parseNumberOption, parseSeed, resolveAlias } from '../options.js';
import { jsonReplacer, printJson, printText, withProgress, warn } from '../output.js';
import { jsOnlyEngineNote, withEngineOption } from '../engine-option.js';
import { renderHuman } from '../analyse-render.js';

export { renderHuman };

export interface AnalyseCliOptions {
  data: string;
  offences?: string;
  plan?: string;
  asOf?: string;
  arm?: string;
  treatment?: string;
  control?: string;
  arms?: string;
  subArm?: string;
  outcome?: string;
  cluster?: string;
  covariates?: string;
  weights?: string;
  /** The randomisation block (stratum) column permutations and the bootstrap respect. */
  block?: string;
  /** Older name of `block`. */
  stratum?: string;
  strata?: string;
  ties?: string;
  kmDays?: string;
  rmstDay?: string;
  cace?: string;
  subgroup?: string;
  exposure?: string;
  alpha?: string;
  permutations?: string;
  bootstrap?: string;
  seed?: string;
  impute?: string;
  smallSample?: string;
  delimiter?: string;
  na?: string;
  dateFormat?: string;
  decimalComma?: boolean;
  map?: string;
  out?: string;
  onProgress?: (text: string) => void;
}

/** `analyse --json`: the contract object, plus the plan's `headline` with --plan. */
export type AnalyseOutput = AnalyseResult & { headline?: Headline };

/** Handler: parses the options and calls the analysis use case. */
export async function runAnalyse(input: AnalyseCliOptions): Promise<AnalyseOutput> {
  const o = resolveAlias(input, 'stratum', 'block', '--stratum', '--block');
  // Checked before any work: --out must not overwrite an input.
  checkAnalyseFiles(o);
  const alpha = parseNumberOption('--alpha', o.alpha, 0, 1, true);
  const permutations = parseIntOption('--permutations', o.permutations, 1, 1_000_000);
  const bootstrap = parseIntOption('--bootstrap', o.bootstrap, 10, 1_000_000);
  const impute = parseIntOption('--impute', o.impute, 2, 1000);
  const seed = parseSeed(o.seed, permutations !== undefined || bootstrap !== undefined || impute !== undefined);
  const survival = checkedSurvivalOptions({
    ties: o.ties as 'efron' | 'breslow' | undefined,
    kmDays: parseListOption(o.kmDays)?.map((d) => parseIntOption('--km-days', d, 1)!),
    rmstDay: parseNumberOption('--rmst-day', o.rmstDay, 0, Infinity, true),
  });
  const arms = parseArmsOption(o.arms, o.treatment);
  const res = await analyseTrialFiles({
    data: o.data,
    dataOption: '<data.csv>',
    offences: o.offences ?? null,
    map: o.map ?? null,
    read: parseReadOptions(o),
    asOf: o.asOf ?? null,
    trial: o.plan !== undefined ? loadTrialPlan(o.plan) : null,
    arm: o.arm,
    treatment: arms ? undefined : o.treatment,
    control: o.control,
    ...(arms ? { arms } : {}),
    ...(o.subArm !== undefined ? { subArm: o.subArm } : {}),
    outcomes: parseListOption(o.outcome),
    cluster: o.cluster,
    covariates: parseListOption(o.covariates),
    weights: o.weights,
    stratum: o.block,
    strata: o.strata,
    ...survival,
    cace: o.cace,
    subgroups: parseListOption(o.subgroup),
    exposure: o.exposure,
    alpha: alpha ?? (o.plan !== undefined ? undefined : 0.05),
    permutations,
    bootstrap,
    seed,
    impute,
    ...(o.smallSample !== undefined ? { smallSample: parseSmallSample(o.smallSample) } : {}),
    onProgress: o.onProgress,
  });
  return res.headline ? { ...res.result!, headline: res.headline } : res.result!;
}

/** `--small-sample cr2|none|auto`. */
function parseSmallSample(v: string): SmallSample {
  const t = v.trim().toLowerCase() as SmallSample;
  if (!SMALL_SAMPLE_CHOICES.includes(t))
    throw new UsageError(`--small-sample: expected one of ${SMALL_SAMPLE_CHOICES.join(', ')}, got "${v}"`);
  return t;
}

/**
 * More than two arms: `--arms all`, or `--treatment a,b` (two or more labels, comma-separated).
 * Undefined (the two-arm analysis) otherwise.
 */
export function parseArmsOption(arms: string | undefined, treatment: string | undefined): 'all' | string[] | undefined {
  const list = treatment !== undefined && treatment.includes(',') ? parseListOption(treatment) : undefined;
  if (arms !== undefined) {
    if (arms.trim().toLowerCase() !== 'all')
      throw new UsageError(`--arms: expected "all", got "${arms}" (to choose arms, list them: --treatment a,b)`);
    if (treatment !== undefined)
      throw new UsageError('--arms all and --treatment both choose the treatment arms: give one of them');
    return 'all';
  }
  if (list === undefined) return undefined;
  if (list.length === 0) throw new UsageError('--treatment: no arm label given');
  return list;
}

export function register(program: Command): void {
  const cmd = withEngineOption(withReadOptions(withCommon(program.command('analyse'))), false)
    .description('Effect sizes and inference for individual and cluster trials (treated vs control)')
    .argument(
      '<data.csv>',
      'per-person file (e.g. the outcomes file of `reoffending --out`, or cases with outcome columns); - for stdin',
    )
    .option('--offences <csv>', 'derive proven re-offending outcomes from this offences file first (as `reoffending`)')
    .option(
      '--plan <trial.yaml>',
      "the trial file's analysis plan: the primary analysis (the headline `report` prints), covariates, clusters, blocks, arms, windows; explicit options override it",
    )
    .option(
      '--as-of <date>',
      "with --offences: the data extract date (default: the plan's outcome_windows.as_of, else the latest disposal date)",
    )
    .option('--arm <col>', 'column holding the allocated arm', 'arm')
    .option(
      '--treatment <label>',
      'treatment arm label (default: the arm not named control); several labels a,b compare each with control (as --arms)',
    )
    .option('--control <label>', 'control arm label (default: the arm named control)')
    .option(
      '--arms <all>',
      'more than two arms: every arm but the control (--control, or the arm named control) against control, each by the two-arm analysis (rows carry arm and comparison), plus a global_test per outcome; by default only two arms are analysed and others are left out with a warning',
    )
    .option(
      '--sub-arm <col>',
      'label people by this column where it is filled (e.g. sub_arm: told / not_told inside the fund arm), by their arm otherwise; with --arms all, each sub-arm is compared with control',
    )
    .option(
      '--outcome <col,...>',
      'outcomes (default: every re-offending outcome present: reoffended, reoffences, days_to_reoffence)',
    )
    .option('--cluster <col>', 'cluster column (cluster-randomised design), e.g. team')
    .option('--covariates <a,b>', 'baseline covariates for the adjusted models (text columns become indicators)')
    .option(
      '--weights <col>',
      'weights (e.g. the weight column of `match`): every binary measure weighted, sandwich SEs (clustered by subclass when present)',
    )
    .option(
      '--block <col>',
      'randomisation block (stratum) column, as randomise --block: permutations and the bootstrap re-randomise within it (default: the stratum column when present)',
    )
    .option(
      '--strata <col>',
      'strata of a stratified Cox model (stratified_hazard_ratio: a baseline hazard per stratum), e.g. site; not --block, which only shapes the re-randomisations',
    )
    .option('--ties <method>', 'Cox tie handling: efron (default, as R coxph) or breslow')
    .option('--km-days <d1,d2>', 'days for the Kaplan-Meier rows km_survival_<day> (default 90,182,365)')
    .option('--rmst-day <D>', 'restricted mean survival time difference up to day D (rmst_difference)')
    .option(
      '--cace <col>',
      'complier average causal effect of receiving the intervention (yes/no or 0/1 column, e.g. received_intervention), allocation as the instrument (cace); with sessions_attended, the exploratory per-session dose-response (cace_dose)',
    )
    .option(
      '--subgroup <col,...>',
      "subgroup analyses of the binary outcome: risk difference per level and the arm x subgroup interaction test (exploratory unless in the plan's analysis.subgroups)",
    )
    .option(
      '--exposure <col>',
      'time at risk per person (e.g. days): a log offset in the Poisson (rate_ratio) and negative binomial (nb_rate_ratio) count models',
    )
    .option('--alpha <a>', "two-sided alpha for intervals and verdicts (default 0.05, or the plan's)")
    .option('--permutations <N>', 'design-based permutation test with N re-randomisations (needs --seed)')
    .option('--bootstrap <N>', 'percentile bootstrap CI with N resamples (needs --seed)')
    .option('--seed <int>', 'seed for --permutations / --bootstrap / --impute')
    .option(
      '--impute <m>',
      'missing-data sensitivity analysis: m multiple imputations by chained equations (mi_<measure> rows) and a tipping_point table (needs --seed)',
    )
    .option(
      '--small-sample <cr2|none|auto>',
      'cluster-robust GLM rows (cluster_robust_odds_ratio, clustered rate_ratio): cr2 = CR2 SE with Satterthwaite df (R clubSandwich); auto = cr2 below 50 clusters (the plan default); none = vcovCL (default without --plan)',
    )
    .option('--delimiter <d>', "input delimiter: ',' (default), ';' or tab")
    .option('--map <columns.yaml>', "map a site's column names onto the canonical ones")
    .option('-o, --out <path>', 'also write the JSON result to this file (atomically)')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval analyse outcomes.csv
  $ pilot-eval analyse trial/cases.csv --offences trial/offences.csv --covariates age,ogrs3
  $ pilot-eval analyse trial/cases.csv --offences trial/offences.csv --cluster team --permutations 999 --seed 1 --json
  $ pilot-eval analyse scores.csv --outcome wellbeing --treatment pcp --control usual
  $ pilot-eval analyse outcomes.csv --arms all --control control --json
  $ pilot-eval analyse fixtures/pcp-fund/cases.csv --offences fixtures/pcp-fund/offences.csv --sub-arm sub_arm --arms all
  $ pilot-eval analyse fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --plan fixtures/pcp/trial.yaml
  $ pilot-eval analyse fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --cluster team --cace received_intervention

Verdicts (Justice Data Lab): significant_reduction / significant_increase / inconclusive, read from the
primary measure's ${'1 - alpha'} interval: risk_difference (binary), rate_ratio (counts), hazard_ratio (time),
hedges_g (continuous). With --plan, the primary outcome's verdict comes from the pre-specified primary
analysis (the report's headline: rows primary_<measure>).`,
    )
    .action(async (data: string, opts: Omit<AnalyseCliOptions, 'data'> & { json?: boolean; engine?: string }) => {
      const engineNote = jsOnlyEngineNote('analyse', opts.engine);
      if (engineNote) warn(engineNote, { json: Boolean(opts.json) });
      const result = await withProgress('analysing', Boolean(opts.json), (update) =>
        runAnalyse({ ...opts, data, onProgress: update }),
      );
      const mode = { json: Boolean(opts.json) };
      for (const w of result.warnings) warn(w, mode);
      if (opts.out)
        writeAnalyseJson(opts.out, `${JSON.stringify({ schema_version: 1, ...result }, jsonReplacer, 2)}\n`);
      if (opts.json) return printJson(result);
      printText(renderHuman(result));
    });
  addAlias(cmd, '--stratum <col>', '--block');
}
