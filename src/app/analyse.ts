/**
 * The analysis use case: one trial dataset, the analysis plan, one result. `analyse` and `report`
 * both call `analyseTrialFiles`, so the report never analyses differently from `analyse`, and
 * `analyse --plan` prints the headline the report prints.
 */
import type { Concept } from '../core/concepts.js';
import { UsageError } from '../core/errors.js';
import {
  analyseData,
  type AnalyseOptions,
  type AnalyseResult,
  type MultiArmSummary,
} from '../core/analysis/analyse-trial.js';
import { analyseArms, armLabels, resolveArms, withSubArms, type ArmSelection } from '../core/analysis/multi-arm.js';
import { primaryAnalysis, type Headline } from '../core/analysis/primary-analysis.js';
import {
  hasColumn,
  parseTrialData,
  REOFFENDING_OUTCOMES,
  trialDataColumns,
  type TrialData,
} from '../core/analysis/trial-data.js';
import { resolvePlan, type ResolvedPlan } from '../core/plan/analysis-plan.js';
import type { SmallSample } from '../core/analysis/small-sample.js';
import type { TrialConfig } from '../core/report/types.js';
import { defaultTrialConfig, loadTrialFile } from '../io/trial-file.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkDistinctFiles } from '../io/distinct-files.js';
import { checkSurvivalOptions } from '../core/analysis/survival-effects.js';
import { loadTrialDataset, type TrialDataset } from './trial-dataset.js';
import type { ReadOptions } from '../io/read-options.js';

export interface AnalyseTrialOptions {
  /** Cases (or per-person outcomes) file; `-` for stdin. */
  data: string;
  /** How the data file is named in messages (default `--cases`). */
  dataOption?: string;
  offences?: string | null;
  map?: string | null;
  delimiter?: string;
  /** How cells are read (`--na`, `--date-format`, `--decimal-comma`). */
  read?: Partial<ReadOptions>;
  asOf?: string | null;
  /** The trial file (already loaded): its plan, arms, windows and extract date apply. */
  trial?: TrialConfig | null;
  /** The concept, for the design defaults of the plan (cluster column). */
  concept?: Concept | null;
  /** Explicit options override the plan. */
  arm?: string;
  treatment?: string;
  control?: string;
  /**
   * More than two arms: `all` (every arm but control) or the treatment labels, each compared with
   * control, plus a `global_test` per outcome. With one treatment arm this is the two-arm analysis.
   */
  arms?: ArmSelection;
  /** Sub-arm column (e.g. sub_arm): a row with it filled is labelled by it instead of its arm. */
  subArm?: string;
  outcomes?: string[];
  cluster?: string;
  covariates?: string[];
  weights?: string;
  stratum?: string;
  /** Strata of a stratified Cox model. */
  strata?: string;
  ties?: 'efron' | 'breslow';
  kmDays?: number[];
  rmstDay?: number;
  /** Received-intervention column: the complier average causal effect (`cace`, `cace_dose`). */
  cace?: string;
  /** Subgroup columns (the plan's analysis.subgroups are added, pre-specified). */
  subgroups?: string[];
  /** Time-at-risk column for the count models. */
  exposure?: string;
  alpha?: number;
  permutations?: number;
  bootstrap?: number;
  seed?: number;
  /** Multiple imputations for the missing-data sensitivity analysis (needs seed). */
  impute?: number;
  /** Inference on the cluster-robust GLM rows (default: the plan's small_sample, else none). */
  smallSample?: SmallSample;
  /** Pilot stage: the headline has no verdict. */
  pilot?: boolean;
  /** Hash the inputs while reading them. */
  hash?: boolean;
  /** Keep every column of the cases file (the report shows more than the analysis reads). */
  allColumns?: boolean;
  /** No outcomes in the data is not an error: the result is then null (a report of a trial still running). */
  outcomesOptional?: boolean;
  /** Checks the loaded table before it is analysed (the report checks the trial's arms are in it). */
  validate?: (table: TrialDataset['table']) => void;
  onProgress?: (text: string) => void;
}

export interface TrialAnalysis {
  /** Null only with `outcomesOptional` when the data hold no outcomes. */
  result: AnalyseResult | null;
  /** The pre-specified primary analysis (with a plan), else null. */
  headline: Headline | null;
  plan: ResolvedPlan | null;
  dataset: TrialDataset;
  data: TrialData | null;
}

/** Reads the data once, applies the plan (when a trial file is given) and analyses. */
export async function analyseTrialFiles(o: AnalyseTrialOptions): Promise<TrialAnalysis> {
  const trial = o.trial ?? null;
  const cfg = trial ?? defaultTrialConfig();
  const planned = trial !== null;
  const resampling = o.permutations !== undefined || o.bootstrap !== undefined;
  const base = {
    arm: o.arm,
    treatment: o.arms ? undefined : (o.treatment ?? (planned ? cfg.arms.treatment : undefined)),
    control: o.control ?? (planned ? cfg.arms.control : undefined),
    weights: o.weights,
  };
  // Read every column the plan or the options may name (a wide 1M-row file otherwise holds them all).
  const wanted = trialDataColumns({
    ...base,
    outcomes: [
      ...(o.outcomes ?? []),
      ...(planned ? [cfg.analysis.primary.outcome, ...(cfg.analysis.secondary ?? [])] : []),
    ],
    cluster: o.cluster ?? cfg.analysis.cluster ?? o.concept?.cluster_column ?? undefined,
    covariates: [...(o.covariates ?? []), ...cfg.analysis.covariates, ...cfg.analysis.subgroups],
    stratum: o.stratum ?? cfg.analysis.blocks ?? undefined,
    strata: o.strata,
    cace: o.cace ?? cfg.analysis.cace ?? undefined,
    subgroups: o.subgroups,
    exposure: o.exposure,
    resampling: resampling || planned,
  });
  const dataset = await loadTrialDataset({
    cases: o.data,
    casesOption: o.dataOption,
    offences: o.offences,
    map: o.map,
    delimiter: o.delimiter,
    read: o.read,
    asOf: o.asOf ?? cfg.outcome_windows.as_of,
    followUpDays: cfg.outcome_windows.follow_up_days,
    waitingDays: cfg.outcome_windows.waiting_days,
    // With a plan, the design's default cluster and block columns may be needed too.
    columns: o.allColumns
      ? undefined
      : [
          ...(planned ? [...wanted, 'team', 'stratum', ...(cfg.analysis.arms?.length ? [SUB_ARM] : [])] : wanted),
          ...(o.subArm ? [o.subArm.toLowerCase()] : []),
        ],
    hash: o.hash,
    onProgress: o.onProgress,
  });
  const table = o.subArm ? withSubArms(dataset.table, o.arm ?? 'arm', o.subArm) : dataset.table;
  o.validate?.(table);
  if (o.outcomesOptional && dataset.outcomes_from === 'none' && !o.outcomes?.length)
    return { result: null, headline: null, plan: null, dataset, data: null };
  let plan: ResolvedPlan | null = null;
  if (planned) {
    const present = REOFFENDING_OUTCOMES.filter(
      (x) => hasColumn(table, x) && (x !== 'days_to_reoffence' || hasColumn(table, 'follow_up_days')),
    );
    plan = resolvePlan(cfg.analysis, {
      method: cfg.randomisation.method,
      concept: o.concept ?? null,
      has: (c) => hasColumn(table, c),
      outcomes: present,
    });
    if (!hasColumn(table, plan.primary.outcome)) {
      throw new UsageError(
        `the analysis plan's primary outcome "${plan.primary.outcome}" is not in ${table.file}: derive it with --offences, or name the outcome column under analysis.primary in the trial file`,
      );
    }
  }
  const options: AnalyseOptions & { alpha: number } = {
    ...base,
    outcomes:
      o.outcomes ??
      (plan
        ? [plan.primary.outcome, ...plan.secondary.filter((s) => s !== plan!.primary.outcome && hasColumn(table, s))]
        : undefined),
    cluster: o.cluster ?? plan?.cluster ?? undefined,
    covariates: o.covariates ?? plan?.covariates,
    stratum: o.stratum ?? plan?.blocks ?? undefined,
    strata: o.strata,
    ties: o.ties,
    kmDays: o.kmDays,
    rmstDay: o.rmstDay,
    cace: o.cace ?? plan?.cace ?? undefined,
    // The plan's subgroups run whenever their columns are present (a missing one is reported below).
    subgroups: [
      ...new Set(
        [...(plan?.subgroups ?? []).filter((c) => hasColumn(table, c)), ...(o.subgroups ?? [])].map((c) =>
          c.toLowerCase(),
        ),
      ),
    ],
    prespecifiedSubgroups: plan?.subgroups ?? [],
    exposure: o.exposure,
    alpha: o.alpha ?? plan?.alpha ?? 0.05,
    permutations: o.permutations,
    bootstrap: o.bootstrap,
    seed: o.seed,
    smallSample: o.smallSample ?? plan?.small_sample,
  };
  // Multiple imputation: --impute, or the plan's missing_data: multiple_imputation (seeded by --seed, else the randomisation seed).
  options.impute = o.impute ?? (plan?.missing_data === 'multiple_imputation' ? plan.imputations : undefined);
  if (options.impute && options.seed === undefined && o.impute === undefined && cfg.randomisation.seed !== null)
    options.seed = cfg.randomisation.seed;
  if (options.impute && options.seed === undefined)
    throw new UsageError(
      "multiple imputation (--impute, or the plan's missing_data: multiple_imputation) needs --seed <int> (or randomisation.seed in the trial file) so the imputations can be reproduced",
    );
  if (!(options.alpha > 0 && options.alpha < 1))
    throw new UsageError(`--alpha must be strictly between 0 and 1, got ${options.alpha}`);
  if (resampling && options.seed === undefined)
    throw new UsageError('--permutations and --bootstrap need --seed <int> so the result can be reproduced');
  o.onProgress?.(`analysing ${table.n.toLocaleString('en-GB')} rows`);
  if (o.arms) {
    const chosen = resolveArms(armLabels(table, options.arm ?? 'arm'), o.arms, options.control, table.file);
    if (chosen.treatments.length > 1) {
      const multi = analyseArms(table, { ...options, resampling }, o.arms);
      if (plan)
        multi.result.warnings.push(
          "the analysis plan's primary analysis (the headline) compares two arms: it is not computed when several arms are analysed; choose one with --treatment <label>",
        );
      if (dataset.pending > 0) {
        multi.result.warnings.push(
          `${dataset.pending} person(s) pending: their outcome window had not closed by ${dataset.as_of}; they are left out of the analysis, not counted as lost (complete by ${dataset.complete_by})`,
        );
      }
      return { result: multi.result, headline: null, plan, dataset, data: multi.comparisons[0]!.data };
    }
    options.treatment = chosen.treatments[0];
    options.control = chosen.control;
  }
  const data = parseTrialData(table, { ...options, resampling });
  const result = analyseData(data, options);
  let headline: Headline | null = null;
  if (plan) {
    const effective: ResolvedPlan = {
      ...plan,
      covariates: options.covariates ?? [],
      cluster: options.cluster ?? null,
      blocks: options.stratum ?? null,
      alpha: options.alpha,
    };
    headline = primaryAnalysis(data, effective, result.effects, o.pilot ?? false);
    const v = result.verdict.find((x) => x.outcome === headline!.outcome);
    if (v && headline.verdict !== null) {
      v.measure = `primary_${headline.measure}`;
      v.verdict = headline.verdict;
    }
    result.effects.unshift(...primaryRows(headline));
    plan = effective;
  }
  // The plan's arms (more than two): every treatment arm against control beside the headline contrast.
  if (plan?.arms && !o.arms && o.treatment === undefined && o.subArm === undefined) {
    result.multi_arm = planArms(table, plan.arms, options, data.treatment);
  }
  for (const c of plan?.subgroups ?? []) {
    if (!hasColumn(table, c))
      result.warnings.push(
        `the analysis plan's subgroup column "${c}" is not in ${table.file}: its subgroup analysis is not possible`,
      );
  }
  if (dataset.pending > 0) {
    result.warnings.push(
      `${dataset.pending} person(s) pending: their outcome window had not closed by ${dataset.as_of}; they are left out of the analysis, not counted as lost (complete by ${dataset.complete_by})`,
    );
  }
  return { result, headline, plan, dataset, data };
}

/** The primary analysis as effect rows (`primary_<measure>`, and `primary_per_100` for a risk difference). */
function primaryRows(h: Headline): AnalyseResult['effects'] {
  const rows: AnalyseResult['effects'] = [
    {
      outcome: h.outcome,
      measure: `primary_${h.measure}`,
      estimate: h.estimate,
      std_error: h.std_error,
      conf_low: h.conf_low,
      conf_high: h.conf_high,
      statistic: h.statistic,
      p_value: h.p_value,
      method: h.method,
      ...(h.df !== null ? { df: h.df } : {}),
    },
  ];
  if (h.per_100 !== null) {
    rows.push({
      outcome: h.outcome,
      measure: 'primary_per_100',
      estimate: h.per_100,
      std_error: h.std_error === null ? null : 100 * h.std_error,
      conf_low: h.per_100_conf_low,
      conf_high: h.per_100_conf_high,
      statistic: h.statistic,
      p_value: h.p_value,
      method: `${h.method}; x 100: re-offenders per 100 people`,
      ...(h.df !== null ? { df: h.df } : {}),
    });
  }
  return rows;
}

/** The column that splits an arm into sub-arms (concept 2's told / not told inside the fund arm). */
const SUB_ARM = 'sub_arm';

/**
 * The analysis plan's `arms:` as a multi-arm analysis: each listed arm against control and a
 * global test per outcome. A listed label that is not an arm but a `sub_arm` label relabels the
 * rows by their sub-arm (so the fund arm's told / not told become two arms). Resampling and
 * imputation stay with the headline contrast.
 */
function planArms(
  table: TrialDataset['table'],
  arms: readonly string[],
  options: AnalyseOptions & { alpha: number },
  primary: string,
): MultiArmSummary {
  const armColumn = options.arm ?? 'arm';
  const labels = armLabels(table, armColumn);
  const useSub = arms.some((a) => !labels.includes(a)) && hasColumn(table, SUB_ARM);
  const t = useSub ? withSubArms(table, armColumn, SUB_ARM) : table;
  let multi: ReturnType<typeof analyseArms>;
  try {
    multi = analyseArms(
      t,
      {
        ...options,
        treatment: undefined,
        impute: undefined,
        permutations: undefined,
        bootstrap: undefined,
        resampling: false,
      },
      arms,
    );
  } catch (err) {
    if (err instanceof UsageError)
      throw new UsageError(
        `the analysis plan's arms (${arms.join(', ')}): ${err.message.replace(/^--treatment: /, '')}`,
      );
    throw err;
  }
  const r = multi.result;
  return {
    control: r.control,
    treatments: r.treatments ?? [r.treatment],
    primary_treatment: primary,
    sub_arm: useSub ? SUB_ARM : null,
    arms: r.arms,
    effects: r.effects,
    verdict: r.verdict,
    warnings: r.warnings,
  };
}

/** The `--small-sample` choices, for the command's option. */
export { SMALL_SAMPLE_CHOICES, type SmallSample } from '../core/analysis/small-sample.js';

/** The nearest shift on the tipping-point grid that changes the verdict, for the human output. */
export { nearestTip } from '../core/analysis/multiple-imputation.js';

/** The files `analyse` names: the inputs it reads and the JSON file `--out` writes. */
export interface AnalyseFiles {
  data: string;
  offences?: string;
  plan?: string;
  map?: string;
  out?: string;
}

/** Checked before any work: `--out` must not overwrite an input (a UsageError names the pair). */
export function checkAnalyseFiles(f: AnalyseFiles): void {
  checkDistinctFiles(
    [
      { option: 'the data file', path: f.data },
      { option: '--offences', path: f.offences },
      { option: '--plan', path: f.plan },
      { option: '--map', path: f.map },
    ],
    [{ option: '--out', path: f.out }],
  );
}

/** The survival options as parsed: Cox tie handling, Kaplan-Meier days, the RMST horizon. */
export interface SurvivalOptions {
  ties: 'efron' | 'breslow' | undefined;
  kmDays: number[] | undefined;
  rmstDay: number | undefined;
}

/**
 * Checks the survival options (ties efron or breslow, as R's coxph; Kaplan-Meier days and the RMST
 * horizon in range) and returns them; a UsageError names a bad one.
 */
export function checkedSurvivalOptions(o: SurvivalOptions): SurvivalOptions {
  checkSurvivalOptions(o);
  return o;
}

/** The trial file (`--plan`) whose analysis plan `analyse` follows. */
export function loadTrialPlan(path: string): TrialConfig {
  return loadTrialFile(path);
}

/** Writes the `--out` JSON text atomically (a temporary file renamed into place). */
export function writeAnalyseJson(path: string, text: string): void {
  writeFileAtomic(path, text);
}
