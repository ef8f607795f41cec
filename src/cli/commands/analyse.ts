/**
 * `pilot-eval analyse <data.csv>`: effect sizes with honest uncertainty for an individually or
 * cluster randomised trial (CONTRACT.md "analyse"). The handler returns the contract object; the
 * commander action only parses options and prints.
 */
import type { Command } from 'commander';
import type { AnalyseResult } from '../../core/analysis/analyse-trial.js';
import type { Headline } from '../../core/analysis/primary-analysis.js';
import { checkSurvivalOptions } from '../../core/analysis/survival-effects.js';
import type { EffectRow } from '../../core/analysis/effect-row.js';
import { analyseTrialFiles } from '../../app/analyse.js';
import { delimiterOf } from '../../app/trial-dataset.js';
import { loadTrialFile } from '../../io/trial-file.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { withCommon } from '../command-kit.js';
import { parseIntOption, parseListOption, parseNumberOption, parseSeed } from '../options.js';
import { jsonReplacer, painter, printJson, printText, table, withProgress, warn } from '../output.js';

export interface AnalyseCliOptions {
  data: string;
  offences?: string;
  plan?: string;
  asOf?: string;
  arm?: string;
  treatment?: string;
  control?: string;
  outcome?: string;
  cluster?: string;
  covariates?: string;
  weights?: string;
  stratum?: string;
  strata?: string;
  ties?: string;
  kmDays?: string;
  rmstDay?: string;
  subgroup?: string;
  exposure?: string;
  alpha?: string;
  permutations?: string;
  bootstrap?: string;
  seed?: string;
  delimiter?: string;
  map?: string;
  out?: string;
  onProgress?: (text: string) => void;
}

/** `analyse --json`: the contract object, plus the plan's `headline` with --plan. */
export type AnalyseOutput = AnalyseResult & { headline?: Headline };

/** Handler: parses the options and calls the analysis use case. */
export async function runAnalyse(o: AnalyseCliOptions): Promise<AnalyseOutput> {
  const alpha = parseNumberOption('--alpha', o.alpha, 0, 1, true);
  const permutations = parseIntOption('--permutations', o.permutations, 1, 1_000_000);
  const bootstrap = parseIntOption('--bootstrap', o.bootstrap, 10, 1_000_000);
  const seed = parseSeed(o.seed, permutations !== undefined || bootstrap !== undefined);
  const survival = {
    ties: o.ties as 'efron' | 'breslow' | undefined,
    kmDays: parseListOption(o.kmDays)?.map((d) => parseIntOption('--km-days', d, 1)!),
    rmstDay: parseNumberOption('--rmst-day', o.rmstDay, 0, Infinity, true),
  };
  checkSurvivalOptions(survival);
  const res = await analyseTrialFiles({
    data: o.data,
    offences: o.offences ?? null,
    map: o.map ?? null,
    delimiter: delimiterOf(o.delimiter),
    asOf: o.asOf ?? null,
    trial: o.plan !== undefined ? loadTrialFile(o.plan) : null,
    arm: o.arm,
    treatment: o.treatment,
    control: o.control,
    outcomes: parseListOption(o.outcome),
    cluster: o.cluster,
    covariates: parseListOption(o.covariates),
    weights: o.weights,
    stratum: o.stratum,
    strata: o.strata,
    ...survival,
    subgroups: parseListOption(o.subgroup),
    exposure: o.exposure,
    alpha: alpha ?? (o.plan !== undefined ? undefined : 0.05),
    permutations,
    bootstrap,
    seed,
    onProgress: o.onProgress,
  });
  return res.headline ? { ...res.result!, headline: res.headline } : res.result!;
}

export function register(program: Command): void {
  withCommon(program.command('analyse'))
    .description('Effect sizes and inference for individual and cluster trials (treated vs control)')
    .argument('<data.csv>', 'per-person file (e.g. the outcomes file of `reoffending --out`, or cases with outcome columns); - for stdin')
    .option('--offences <csv>', 'derive proven re-offending outcomes from this offences file first (as `reoffending`)')
    .option('--plan <trial.yaml>', "the trial file's analysis plan: the primary analysis (the headline `report` prints), covariates, clusters, blocks, arms, windows; explicit options override it")
    .option('--as-of <date>', 'with --offences: the data extract date (default: the plan\'s outcome_windows.as_of, else the latest disposal date)')
    .option('--arm <col>', 'column holding the allocated arm', 'arm')
    .option('--treatment <label>', 'treatment arm label (default: the arm not named control)')
    .option('--control <label>', 'control arm label (default: the arm named control)')
    .option('--outcome <col,...>', 'outcomes (default: every re-offending outcome present: reoffended, reoffences, days_to_reoffence)')
    .option('--cluster <col>', 'cluster column (cluster-randomised design), e.g. team')
    .option('--covariates <a,b>', 'baseline covariates for the adjusted models (text columns become indicators)')
    .option('--weights <col>', 'prior weights for the regression models (e.g. the weight column of `match`)')
    .option('--stratum <col>', 'randomisation strata for permutations (default: stratum when present)')
    .option('--strata <col>', 'strata for a stratified Cox model (stratified_hazard_ratio), e.g. randomisation block or site')
    .option('--ties <method>', 'Cox tie handling: efron (default, as R coxph) or breslow')
    .option('--km-days <d1,d2>', 'days for the Kaplan-Meier rows km_survival_<day> (default 90,182,365)')
    .option('--rmst-day <D>', 'restricted mean survival time difference up to day D (rmst_difference)')
    .option('--subgroup <col,...>', "subgroup analyses of the binary outcome: risk difference per level and the arm x subgroup interaction test (exploratory unless in the plan's analysis.subgroups)")
    .option('--exposure <col>', 'time at risk per person (e.g. days): a log offset in the Poisson (rate_ratio) and negative binomial (nb_rate_ratio) count models')
    .option('--alpha <a>', "two-sided alpha for intervals and verdicts (default 0.05, or the plan's)")
    .option('--permutations <N>', 'design-based permutation test with N re-randomisations (needs --seed)')
    .option('--bootstrap <N>', 'percentile bootstrap CI with N resamples (needs --seed)')
    .option('--seed <int>', 'seed for --permutations / --bootstrap')
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
  $ pilot-eval analyse fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --plan fixtures/pcp/trial.yaml

Verdicts (Justice Data Lab): significant_reduction / significant_increase / inconclusive, read from the
primary measure's ${'1 - alpha'} interval: risk_difference (binary), rate_ratio (counts), hazard_ratio (time),
hedges_g (continuous). With --plan, the primary outcome's verdict comes from the pre-specified primary
analysis (the report's headline: rows primary_<measure>).`,
    )
    .action(async (data: string, opts: Omit<AnalyseCliOptions, 'data'> & { json?: boolean }) => {
      const result = await withProgress('analysing', Boolean(opts.json), (update) => runAnalyse({ ...opts, data, onProgress: update }));
      const mode = { json: Boolean(opts.json) };
      for (const w of result.warnings) warn(w, mode);
      if (opts.out) await writeFileAtomic(opts.out, `${JSON.stringify({ schema_version: 1, ...result }, jsonReplacer, 2)}\n`);
      if (opts.json) return printJson(result);
      printText(renderHuman(result));
    });
}

function headlineText(h: Headline): string {
  const d = (x: number | null) => (x === null ? '-' : fmt(x, 4));
  const per = h.per_100 !== null ? `; per 100 people ${h.per_100.toFixed(1)} (${h.per_100_conf_low?.toFixed(2)} to ${h.per_100_conf_high?.toFixed(2)})` : '';
  return `headline (primary analysis): ${h.outcome} ${h.measure} ${d(h.estimate)} [${d(h.conf_low)}, ${d(h.conf_high)}], p ${pval(h.p_value)}${per}\n  ${h.method}\n  verdict: ${h.verdict ?? 'none (indicative only)'}${h.sensitivity.some((x) => !x.agrees) ? `; ${h.sensitivity.filter((x) => !x.agrees).length} sensitivity analysis(es) disagree` : ''}`;
}

const fmt = (x: number | null, d = 3): string => (x === null ? '-' : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(d));
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
const pval = (p: number | null): string => (p === null ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** A compact summary table plus a forest-style chart. */
export function renderHuman(r: AnalyseOutput): string {
  const p = painter({ json: false });
  const out: string[] = [];
  const design = r.design.unit === 'cluster' ? `cluster design (${r.design.cluster}: ${Object.entries(r.design.n_clusters).map(([a, n]) => `${n} ${a}`).join(', ')})` : 'individual design';
  out.push(p.bold(`${r.treatment} vs ${r.control}`) + p.dim(`  ${design}; ${Math.round((1 - r.alpha) * 100)}% intervals`));
  out.push('');
  out.push(
    table(
      [
        ['arm', 'n', 'analysed', 'reoffenders', 'rate', 'reoffences', 'per person'],
        ...r.arms.map((a) => [a.arm, String(a.n), String(a.n_analysed), a.reoffenders === null ? '-' : String(a.reoffenders), pct(a.binary_rate), a.reoffences === null ? '-' : String(a.reoffences), fmt(a.frequency_per_offender, 2)]),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  const rows = r.effects.map((e) => [e.outcome, e.measure + (e.arm ? ` (${e.arm})` : '') + (e.subgroup ? ` [${e.subgroup}]` : ''), fmt(e.estimate), e.conf_low === null && e.conf_high === null ? '-' : `[${fmt(e.conf_low)}, ${fmt(e.conf_high)}]`, pval(e.p_value)]);
  out.push(table([['outcome', 'measure', 'estimate', 'interval', 'p'], ...rows], ['l', 'l', 'r', 'r', 'r']));
  out.push('');
  out.push(p.bold('forest chart'));
  out.push(...forest(r.effects));
  out.push('');
  for (const v of r.verdict) {
    const colour = v.verdict === 'significant_reduction' ? p.green : v.verdict === 'significant_increase' ? p.red : p.yellow;
    const rd = r.effects.find((e) => e.outcome === v.outcome && e.measure === 'per_100');
    const story =
      rd && rd.conf_low !== null && rd.conf_high !== null
        ? `; for every 100 people, between ${Math.abs(rd.conf_low).toFixed(1)} ${rd.conf_low < 0 ? 'fewer' : 'more'} and ${Math.abs(rd.conf_high).toFixed(1)} ${rd.conf_high < 0 ? 'fewer' : 'more'} re-offenders`
        : '';
    const inconclusive = v.verdict === 'inconclusive' ? ' (more people would be needed to tell)' : '';
    out.push(`${v.outcome}: ${colour(v.verdict)} by ${v.measure}${story}${inconclusive}`);
  }
  if (r.headline) out.push(headlineText(r.headline));
  out.push(`attrition: ${pct(r.attrition.overall)} overall, ${pct(r.attrition.differential)} differential (${r.attrition.analysed} of ${r.attrition.randomised} analysed)`);
  if (r.balance.length) out.push(`balance (SMD): ${r.balance.map((b) => `${b.covariate} ${fmt(b.smd, 2)}`).join(', ')}`);
  return out.join('\n');
}

const RATIOS = new Set(['risk_ratio', 'odds_ratio', 'adjusted_odds_ratio', 'cluster_robust_odds_ratio', 'rate_ratio', 'hazard_ratio', 'nb_rate_ratio', 'glmm_odds_ratio']);
const DIFFS = new Set(['risk_difference', 'cluster_level_risk_difference', 'cohens_h', 'logit_d', 'adjusted_logit_d', 'hedges_g']);

/** Text forest plot: ratios on a log axis around 1, differences on a linear axis around 0. */
function forest(effects: EffectRow[]): string[] {
  const lines: string[] = [];
  const width = 41;
  for (const [title, set, log, nul] of [
    ['ratios (log scale, 1 = no difference)', RATIOS, true, 1],
    ['differences (0 = no difference)', DIFFS, false, 0],
  ] as const) {
    const rows = effects.filter((e) => set.has(e.measure) && !e.arm && e.estimate !== null && e.conf_low !== null && e.conf_high !== null);
    if (!rows.length) continue;
    const tf = (x: number) => (log ? Math.log(x) : x);
    let lo = tf(nul);
    let hi = tf(nul);
    for (const e of rows) {
      lo = Math.min(lo, tf(e.conf_low!));
      hi = Math.max(hi, tf(e.conf_high!));
    }
    if (hi - lo < 1e-9) hi = lo + 1;
    const pos = (x: number) => Math.max(0, Math.min(width - 1, Math.round(((tf(x) - lo) / (hi - lo)) * (width - 1))));
    lines.push(`  ${title}: ${fmt(log ? Math.exp(lo) : lo, 2)} .. ${fmt(log ? Math.exp(hi) : hi, 2)}`);
    const labelWidth = Math.max(...rows.map((e) => `${e.outcome} ${e.measure}${e.subgroup ? ` [${e.subgroup}]` : ''}`.length));
    for (const e of rows) {
      const chars = Array.from({ length: width }, () => ' ');
      const a = pos(e.conf_low!);
      const b = pos(e.conf_high!);
      for (let i = a; i <= b; i++) chars[i] = '-';
      chars[pos(nul)] = '|';
      chars[a] = '[';
      chars[b] = ']';
      chars[pos(e.estimate!)] = '*';
      lines.push(`  ${`${e.outcome} ${e.measure}${e.subgroup ? ` [${e.subgroup}]` : ''}`.padEnd(labelWidth)}  ${chars.join('')}  ${fmt(e.estimate)}`);
    }
  }
  return lines;
}
