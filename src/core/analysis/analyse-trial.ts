/**
 * The whole `analyse` computation as one pure function: a per-person table in, the contract's JSON
 * object out (docs/reference/json.md#analyse). Used by the `analyse` command and by `report`.
 */
import { UsageError } from '../errors.js';
import { createRng } from '../random.js';
import { logisticArmEffect, SingularDesignError, type ArmEffect } from '../stats/logistic-regression.js';
import { attrition, type Attrition } from './attrition.js';
import { balanceRow, type BalanceRow } from './balance.js';
import { adjustedBinaryRows, binaryEffects } from './binary-effects.js';
import { clusterBinaryEffects } from './cluster-effects.js';
import { continuousEffects } from './continuous-effects.js';
import { countEffects } from './count-effects.js';
import { caceEffects } from './cace-effects.js';
import { glmmOddsRatioRow } from './glmm-effects.js';
import { subgroupEffects } from './subgroup-effects.js';
import { fin, nullRow, type EffectRow } from './effect-row.js';
import { bootstrapCi, buildUnits, permutationTest, type ResampleStatistic } from './resampling.js';
import type { CoxTies } from '../stats/cox-regression.js';
import { checkSurvivalOptions, survivalEffects } from './survival-effects.js';
import {
  parseTrialData,
  type OutcomeData,
  type TextTableLike,
  type TrialData,
  type TrialDataOptions,
} from './trial-data.js';
import { PRIMARY_MEASURE, verdictFor, type Verdict } from './verdict.js';
import { meanVar } from '../stats/welch-t-test.js';
import { missingDataAnalysis, type MissingDataSummary, type TippingPointRow } from './missing-data.js';
import { weightedBinaryRows, weightedAdjustedSe } from './weighted-binary.js';
import { weightedMeanRows } from './weighted-measures.js';
import { SMALL_SAMPLE_CHOICES, useCr2, type SmallSample } from './small-sample.js';
import { firstAppearanceIndex } from './first-appearance.js';

export interface AnalyseOptions extends TrialDataOptions {
  /** Two-sided alpha for every interval and the verdicts (0.05). */
  alpha?: number;
  /** Permutation replicates (needs seed). */
  permutations?: number;
  /** Bootstrap replicates (needs seed). */
  bootstrap?: number;
  seed?: number;
  /** Cox tie handling for the time-to-event rows (default 'efron', as R coxph). */
  ties?: CoxTies;
  /** Days for `km_survival_<day>` (default 90, 182, 365). */
  kmDays?: readonly number[];
  /** Day up to which the restricted mean survival time difference is estimated (`rmst_difference`). */
  rmstDay?: number;
  /** Multiple imputations for the missing-data sensitivity analysis (`mi_<measure>` rows, tipping_point; needs seed). */
  impute?: number;
  /** Subgroup columns the analysis plan pre-specified (others in `subgroups` are exploratory). */
  prespecifiedSubgroups?: readonly string[];
  /**
   * Inference on the cluster-robust GLM rows (cluster_robust_odds_ratio, the clustered rate_ratio):
   * `cr2` CR2 + Satterthwaite df always, `auto` when there are fewer than FEW_CLUSTERS clusters
   * (the analysis plan's default), `none` (default) the vcovCL sandwich with a normal reference.
   */
  smallSample?: SmallSample;
}

export interface ArmSummary {
  arm: string;
  n: number;
  n_analysed: number;
  reoffenders: number | null;
  binary_rate: number | null;
  reoffences: number | null;
  frequency_per_offender: number | null;
  mean: number | null;
  sd: number | null;
}

export interface AnalyseResult {
  design: { unit: 'individual' | 'cluster'; cluster: string | null; n_clusters: Record<string, number> };
  treatment: string;
  control: string;
  /** More than two arms (`--arms all`, `--treatment a,b`): the treatment arms, each compared with control. */
  treatments?: string[];
  alpha: number;
  primary_outcome: string;
  arms: ArmSummary[];
  effects: EffectRow[];
  /** With more than two arms each row names its comparison's treatment `arm`. */
  balance: Array<BalanceRow & { arm?: string }>;
  attrition: Attrition;
  verdict: Array<{ outcome: string; measure: string; verdict: Verdict; arm?: string }>;
  excluded: { not_measurable: number; other_arms: number; other_arm_labels: string[] };
  warnings: string[];
  /** With `impute`: missing outcomes and covariates per arm, and the imputation settings. */
  missing_data?: MissingDataSummary;
  /** With `impute`: the delta-adjustment grid for the primary binary outcome. */
  tipping_point?: TippingPointRow[];
  /** More than two arms: each treatment arm's comparison with control (its attrition; with `impute` its missing-data tables). */
  comparisons?: Array<{
    arm: string;
    control: string;
    attrition: Attrition;
    missing_data?: MissingDataSummary;
    tipping_point?: TippingPointRow[];
  }>;
  /**
   * The analysis plan's `arms:` (more than two arms) beside the two-arm analysis of the headline
   * contrast: the global test per outcome and each treatment arm against control.
   */
  multi_arm?: MultiArmSummary;
}

/** More than two arms under an analysis plan: the headline stays `primary_treatment` vs control. */
export interface MultiArmSummary {
  control: string;
  treatments: string[];
  /** The plan's treatment arm, whose comparison with control is the headline (and this result's rows). */
  primary_treatment: string;
  /** The column whose labels split an arm into sub-arms (e.g. sub_arm), or null. */
  sub_arm: string | null;
  /** Control first, then each treatment arm. */
  arms: ArmSummary[];
  /** `global_test` rows (no arm) and every pairwise row (carrying `arm` and `comparison`). */
  effects: EffectRow[];
  verdict: AnalyseResult['verdict'];
  warnings: string[];
}

/** JDL: the minimum treated group size for a Justice Data Lab analysis. */
export const JDL_MIN_TREATED = 60;
/** Fewer clusters per arm than this makes cluster-robust and cluster-level inference fragile. */
export const MIN_CLUSTERS_PER_ARM = 10;

/**
 * Analyses a per-person table.
 * @throws UsageError for options that do not fit the data (unknown arm label or column, no one
 *   analysable in an arm, covariates without variance, resampling without a seed); DataError for bad cells.
 */
export function analyseTrial(table: TextTableLike, options: AnalyseOptions = {}): AnalyseResult {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be strictly between 0 and 1, got ${alpha}`);
  if ((options.permutations || options.bootstrap) && options.seed === undefined) {
    throw new UsageError('--permutations and --bootstrap need --seed <int> so the result can be reproduced');
  }
  if (options.impute && options.seed === undefined)
    throw new UsageError('--impute needs --seed <int> so the imputations can be reproduced');
  if (options.smallSample !== undefined && !SMALL_SAMPLE_CHOICES.includes(options.smallSample))
    throw new UsageError(
      `--small-sample must be one of ${SMALL_SAMPLE_CHOICES.join(', ')}, got ${options.smallSample}`,
    );
  const data = parseTrialData(table, { ...options, resampling: Boolean(options.permutations || options.bootstrap) });
  return analyseData(data, { ...options, alpha });
}

/** The analysis of already parsed data (see parseTrialData). */
export function analyseData(data: TrialData, options: AnalyseOptions & { alpha: number }): AnalyseResult {
  const { alpha } = options;
  const warnings: string[] = [];
  if (data.excludedOtherArms > 0) {
    warnings.push(
      `${data.excludedOtherArms} row(s) in other arms (${data.otherArms.join(', ')}) left out: only ${data.treatment} vs ${data.control} is analysed`,
    );
  }
  let notMeasurable = 0;
  for (let i = 0; i < data.n; i++) if (!data.measurable[i]) notMeasurable++;
  if (notMeasurable > 0)
    warnings.push(`${notMeasurable} person(s) not yet measurable (measurable = no) excluded from the analysis`);
  if (data.withdrawn > 0)
    warnings.push(`${data.withdrawn} person(s) withdrawn (withdrawn = yes): lost to follow-up, so not analysed`);

  const clusterCounts: Record<string, number> = { [data.control]: 0, [data.treatment]: 0 };
  if (data.cluster) {
    const seen = new Set<number>();
    for (let i = 0; i < data.n; i++) {
      const k = data.cluster.index[i]!;
      if (!seen.has(k)) {
        seen.add(k);
        clusterCounts[data.arm[i] ? data.treatment : data.control]!++;
      }
    }
    const few = Object.entries(clusterCounts).filter(([, c]) => c < MIN_CLUSTERS_PER_ARM);
    if (few.length) {
      warnings.push(
        `few clusters: ${few.map(([a, c]) => `${c} in ${a}`).join(', ')} (fewer than ${MIN_CLUSTERS_PER_ARM} per arm): cluster-robust standard errors and the ICC are imprecise; prefer the cluster-level analysis and a permutation test`,
      );
    }
  }

  if (options.smallSample === 'cr2' && !data.cluster)
    warnings.push('--small-sample cr2 applies to cluster designs only (give --cluster): no row is affected');
  const cr2 = data.cluster
    ? useCr2(
        options.smallSample,
        Object.values(clusterCounts).reduce((a, b) => a + b, 0),
      )
    : false;
  const effects: EffectRow[] = [];
  const verdict: AnalyseResult['verdict'] = [];
  const analysedMasks = new Map<string, Uint8Array>();
  for (const outcome of data.outcomes) {
    const mask = analysedMask(data, outcome);
    analysedMasks.set(outcome.name, mask);
    const rows = analyseOutcome(data, outcome, mask, { ...options, cr2 }, warnings);
    effects.push(...rows);
    const primary = PRIMARY_MEASURE[outcome.kind];
    verdict.push({
      outcome: outcome.name,
      measure: primary,
      verdict: verdictFor(rows.find((r) => r.measure === primary && r.arm === undefined)),
    });
  }

  const primaryOutcome = data.outcomes[0]!;
  const primaryMask = analysedMasks.get(primaryOutcome.name)!;
  let nTreatedAnalysed = 0;
  for (let i = 0; i < data.n; i++) if (primaryMask[i] && data.arm[i]) nTreatedAnalysed++;
  if (nTreatedAnalysed < JDL_MIN_TREATED) {
    warnings.push(
      `only ${nTreatedAnalysed} people analysed in the treatment group: the Justice Data Lab requires at least ${JDL_MIN_TREATED}; treat the estimates as indicative`,
    );
  }

  const mi = options.impute
    ? missingDataAnalysis(data, primaryOutcome, options as AnalyseOptions & { alpha: number; impute: number }, warnings)
    : null;
  if (mi) effects.push(...mi.rows);

  return {
    design: {
      unit: data.cluster ? 'cluster' : 'individual',
      cluster: data.cluster?.column ?? null,
      n_clusters: clusterCounts,
    },
    treatment: data.treatment,
    control: data.control,
    alpha,
    primary_outcome: primaryOutcome.name,
    arms: armSummaries(data, primaryMask, analysedMasks),
    effects,
    balance: data.balance.map((b) => balanceRow(b.name, b.values, data.arm, primaryMask)),
    attrition: attrition(data.arm, primaryMask, data.measurable),
    verdict,
    excluded: { not_measurable: notMeasurable, other_arms: data.excludedOtherArms, other_arm_labels: data.otherArms },
    warnings,
    ...(mi ? { missing_data: mi.missing_data, tipping_point: mi.tipping_point } : {}),
  };
}

function analysedMask(data: TrialData, outcome: OutcomeData): Uint8Array {
  const m = new Uint8Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const w = data.weights ? data.weights[i]! : 1;
    m[i] = data.measurable[i] && !Number.isNaN(outcome.y[i]!) && w > 0 ? 1 : 0;
  }
  return m;
}

/** Rows of `mask` as an index list, and the cluster index compacted to the clusters present. */
function subset(data: TrialData, mask: Uint8Array) {
  let n = 0;
  for (let i = 0; i < data.n; i++) n += mask[i]!;
  const idx = new Int32Array(n);
  const arm = new Uint8Array(n);
  for (let i = 0, r = 0; i < data.n; i++) {
    if (!mask[i]) continue;
    idx[r] = i;
    arm[r++] = data.arm[i]!;
  }
  let cluster: { index: Int32Array; nClusters: number } | undefined;
  if (data.cluster) {
    const src = new Int32Array(n);
    for (let r = 0; r < n; r++) src[r] = data.cluster.index[idx[r]!]!;
    cluster = firstAppearanceIndex(src);
  }
  return { idx, n, arm, cluster };
}

/** values[idx[r]] for every r. */
function gather(values: ArrayLike<number>, idx: Int32Array, offset = 0): Float64Array {
  const out = new Float64Array(idx.length);
  for (let r = 0; r < idx.length; r++) out[r] = values[offset + idx[r]!]!;
  return out;
}

function analyseOutcome(
  data: TrialData,
  outcome: OutcomeData,
  mask: Uint8Array,
  options: AnalyseOptions & { alpha: number; cr2: boolean },
  warnings: string[],
): EffectRow[] {
  const { alpha } = options;
  const name = outcome.name;
  const s = subset(data, mask);
  let nT = 0;
  for (let i = 0; i < s.n; i++) nT += s.arm[i]!;
  const nC = s.n - nT;
  if (nT === 0 || nC === 0) {
    throw new UsageError(
      `outcome ${name}: no one in the ${nT === 0 ? data.treatment : data.control} arm has a measurable ${name}: an effect cannot be estimated`,
    );
  }
  const y = gather(outcome.y, s.idx);
  const weights = data.weights ? gather(data.weights, s.idx) : undefined;
  const rows: EffectRow[] = [];

  // Complete cases for the covariate-adjusted models.
  const cov = data.covariates;
  let cc: { keep: Uint8Array; n: number } | null = null;
  if (cov) {
    const keep = new Uint8Array(s.n);
    let k = 0;
    for (let r = 0; r < s.n; r++) {
      const i = s.idx[r]!;
      let ok = 1;
      for (let j = 0; j < cov.q && ok; j++) if (Number.isNaN(cov.X[j * data.n + i]!)) ok = 0;
      keep[r] = ok;
      k += ok;
    }
    if (k < s.n)
      warnings.push(
        `${name}: ${s.n - k} analysed row(s) with a missing covariate left out of the adjusted models (complete cases)`,
      );
    cc = { keep, n: k };
  }
  const covBlock = (keep: Uint8Array | null, nk: number) => {
    if (!cov) return undefined;
    const X = new Float64Array(nk * cov.q);
    for (let j = 0; j < cov.q; j++) {
      let r2 = 0;
      for (let r = 0; r < s.n; r++) if (!keep || keep[r]) X[j * nk + r2++] = cov.X[j * data.n + s.idx[r]!]!;
    }
    return { X, q: cov.q, terms: cov.terms };
  };
  const pick = <T extends Float64Array | Uint8Array | Int32Array>(arr: T, keep: Uint8Array | null): T => {
    if (!keep) return arr;
    const Ctor = arr.constructor as new (n: number) => T;
    const out = new Ctor(cc!.n);
    let r2 = 0;
    for (let r = 0; r < s.n; r++) if (keep[r]) out[r2++] = arr[r]!;
    return out;
  };
  const keep = cc && cc.n < s.n ? cc.keep : null;
  const compactCluster = (index: Int32Array) => firstAppearanceIndex(index);
  const collinear = (err: unknown): never | EffectRow[] => {
    if (err instanceof SingularDesignError) {
      const term = err.column >= 2 ? cov?.terms[err.column - 2] : err.column === 1 ? 'arm' : 'intercept';
      throw new UsageError(
        `--covariates: "${term}" is collinear with the arm or other covariates in the analysed rows of ${name}; drop it`,
      );
    }
    throw err;
  };

  if (outcome.kind === 'binary') {
    let a = 0;
    let c = 0;
    for (let r = 0; r < s.n; r++) {
      if (s.arm[r]) a += y[r]!;
      else c += y[r]!;
    }
    // Weighted rows: clustered by matched set (subclass), else by the design's clusters, else HC0.
    const sets = data.matchedSet ?? data.cluster;
    if (weights)
      rows.push(
        ...weightedBinaryRows(
          name,
          y,
          s.arm,
          weights,
          sets ? { name: sets.column, index: s.idx.map((i) => sets.index[i]!) } : null,
          alpha,
          warnings,
        ),
      );
    else rows.push(...binaryEffects(name, { eventsT: a, nT, eventsC: c, nC }, alpha, warnings));
    const ya = pick(y, keep);
    const arma = pick(s.arm, keep);
    const wa = weights ? pick(weights, keep) : undefined;
    const cl = s.cluster ? (keep ? compactCluster(pick(s.cluster.index, keep)) : s.cluster) : undefined;
    const block = covBlock(keep, cc ? cc.n : s.n);
    const separated = a === 0 || c === 0 || a === nT || c === nC;
    // One logistic fit serves the adjusted rows (model SE) and the cluster-robust row (vcovCL SE).
    let fitted: ArmEffect | undefined;
    if ((cov || cl) && !separated) {
      try {
        fitted = logisticArmEffect(ya, arma, {
          covariates: block?.X,
          q: block?.q ?? 0,
          weights: wa,
          cluster: cl?.index,
          nClusters: cl?.nClusters,
        });
      } catch (err) {
        collinear(err);
      }
    }
    if (cov) {
      if (!fitted || fitted.separation) {
        warnings.push(
          `${name}: separation in the adjusted logistic model (fitted probabilities numerically 0 or 1): adjusted odds ratio withheld`,
        );
        rows.push(
          nullRow(name, 'adjusted_odds_ratio', 'not estimable: separation'),
          nullRow(name, 'adjusted_logit_d', 'not estimable: separation'),
        );
      } else if (wa) {
        const se = weightedAdjustedSe(
          fitted,
          ya,
          arma,
          block,
          wa,
          sets
            ? pick(
                s.idx.map((i) => sets.index[i]!),
                keep,
              )
            : null,
          sets?.column,
        );
        rows.push(
          ...adjustedBinaryRows(name, fitted.estimate, se.std_error, alpha, cov.terms).map((r) => ({
            ...r,
            method: `${r.method}; weighted, ${se.what}`,
          })),
        );
      } else rows.push(...adjustedBinaryRows(name, fitted.estimate, fitted.std_error_model, alpha, cov.terms));
    }
    if (cl) {
      // The same cluster design for the cluster-robust and the mixed-effects rows.
      const design = {
        outcome: name,
        y: ya,
        arm: arma,
        cluster: cl.index,
        nClusters: cl.nClusters,
        clusterName: data.cluster!.column,
        alpha,
        covariates: block,
        weights: wa,
      };
      rows.push(
        ...clusterBinaryEffects(
          { ...design, source: data.file, fitted: separated ? null : fitted, cr2: options.cr2 },
          warnings,
        ),
      );
      rows.push(glmmOddsRatioRow({ ...design, start: fitted?.fit.coef }, warnings));
    }
    const planned = new Set((options.prespecifiedSubgroups ?? []).map((c) => c.toLowerCase()));
    for (const sg of data.subgroups ?? []) {
      rows.push(
        ...subgroupEffects(
          {
            outcome: name,
            y,
            arm: s.arm,
            column: sg.column,
            index: s.idx.map((i) => sg.index[i]!),
            levels: sg.levels,
            cluster: s.cluster && data.cluster ? { ...s.cluster, name: data.cluster.column } : undefined,
            prespecified: planned.has(sg.column),
            alpha,
            cr2: options.cr2,
          },
          warnings,
        ),
      );
    }
  } else if (outcome.kind === 'count') {
    try {
      const countRows = countEffects(
        {
          outcome: name,
          y: pick(y, keep),
          arm: pick(s.arm, keep),
          alpha,
          covariates: covBlock(keep, cc ? cc.n : s.n),
          cluster: s.cluster ? (keep ? compactCluster(pick(s.cluster.index, keep)) : s.cluster) : undefined,
          weights: weights ? pick(weights, keep) : undefined,
          exposure: data.exposure
            ? { values: pick(gather(data.exposure, s.idx), keep), name: options.exposure!.toLowerCase() }
            : undefined,
          cr2: options.cr2 && data.cluster ? { clusterName: data.cluster.column } : null,
        },
        warnings,
      );
      // --weights: the mean difference is the weighted one (WLS + sandwich), as the rate ratio is weighted.
      if (weights) {
        const sets = data.matchedSet ?? data.cluster;
        const weighted = weightedMeanRows({
          outcome: name,
          y,
          arm: s.arm,
          w: weights,
          sets: sets ? { name: sets.column, index: s.idx.map((i) => sets.index[i]!) } : null,
          alpha,
        });
        const at = countRows.findIndex((r) => r.measure === 'mean_difference');
        if (at >= 0) countRows.splice(at, 1, ...weighted);
      }
      rows.push(...countRows);
    } catch (err) {
      collinear(err);
    }
  } else if (outcome.kind === 'time') {
    const status = new Uint8Array(s.n);
    for (let r = 0; r < s.n; r++) status[r] = outcome.event![s.idx[r]!]!;
    // --covariates adjust the Cox hazard ratio (complete cases); Kaplan-Meier and log-rank use everyone.
    const covs = cov
      ? cov.terms.map((t, j) => ({ name: t, values: pick(gather(cov.X, s.idx, j * data.n), keep) }))
      : undefined;
    // A cluster design gets the cluster-robust Cox rows; --strata the stratified hazard ratio.
    checkSurvivalOptions(options);
    const strata = data.strata ? { name: data.strata.column, index: s.idx.map((i) => data.strata!.index[i]!) } : null;
    rows.push(
      ...survivalEffects({
        outcome: name,
        time: y,
        status,
        treated: s.arm,
        armLabels: { treatment: data.treatment, control: data.control },
        alpha,
        covariates: covs,
        coxRows: keep,
        cluster: s.cluster && data.cluster ? { name: data.cluster.column, index: s.cluster.index } : null,
        strata,
        ties: options.ties,
        days: options.kmDays,
        rmstDay: options.rmstDay,
        weights: weights
          ? {
              values: weights,
              sets: data.matchedSet
                ? { name: data.matchedSet.column, index: s.idx.map((i) => data.matchedSet!.index[i]!) }
                : null,
            }
          : null,
      }),
    );
  } else {
    const covs = cov
      ? cov.terms.map((t, j) => ({ name: t, values: pick(gather(cov.X, s.idx, j * data.n), keep) }))
      : undefined;
    const cl = s.cluster ? (keep ? compactCluster(pick(s.cluster.index, keep)) : s.cluster) : undefined;
    if (weights) {
      // --weights: weighted least squares with the sandwich clustered by matched set (or cluster), else HC0.
      const sets = data.matchedSet ?? data.cluster;
      const block = covBlock(keep, cc ? cc.n : s.n);
      try {
        rows.push(
          ...weightedMeanRows({
            outcome: name,
            y: pick(y, keep),
            arm: pick(s.arm, keep),
            w: pick(weights, keep),
            sets: sets
              ? {
                  name: sets.column,
                  index: pick(
                    s.idx.map((i) => sets.index[i]!),
                    keep,
                  ),
                }
              : null,
            covariates: block,
            alpha,
            hedges: true,
          }),
        );
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        throw new UsageError(
          `outcome ${name}: the weighted regression cannot be fitted (${err.message}): check --weights and --covariates`,
        );
      }
      if (cl)
        warnings.push(
          `${name}: with --weights the continuous rows are weighted least squares with a sandwich SE clustered by ${sets!.column}; the random-intercept model and its ICC are not fitted`,
        );
    } else {
      const res = continuousEffects({
        outcome: name,
        y: pick(y, keep),
        treated: pick(s.arm, keep),
        covariates: covs,
        cluster: cl?.index,
        alpha,
        source: data.file,
      });
      rows.push(...res.rows);
    }
  }

  // --cace: the complier average causal effect and the exploratory dose-response (complete cases).
  if (data.compliance) {
    const comp = data.compliance;
    if (outcome.kind === 'time')
      warnings.push(
        `${name}: cace is not estimated for a time-to-event outcome (the binary and count outcomes carry it)`,
      );
    else {
      const nk = cc ? cc.n : s.n;
      const block = covBlock(keep, nk);
      const cl = s.cluster ? (keep ? compactCluster(pick(s.cluster.index, keep)) : s.cluster) : undefined;
      if (weights) warnings.push(`${name}: the cace rows are unweighted (--weights enter the regression models only)`);
      if (!comp.sessions)
        warnings.push(`${name}: no ${comp.sessionsColumn} column, so the exploratory cace_dose is not estimated`);
      rows.push(
        ...caceEffects(
          {
            outcome: name,
            kind: outcome.kind,
            y: pick(y, keep),
            arm: pick(s.arm, keep),
            received: pick(gather(comp.received, s.idx), keep),
            receivedColumn: comp.column,
            sessions: comp.sessions ? pick(gather(comp.sessions, s.idx), keep) : null,
            sessionsColumn: comp.sessionsColumn,
            covariates: block?.terms.map((t, j) => ({ name: t, values: block.X.subarray(j * nk, (j + 1) * nk) })),
            cluster: cl ? { index: cl.index, nClusters: cl.nClusters, name: data.cluster!.column } : null,
            armLabels: { treatment: data.treatment, control: data.control },
            alpha,
          },
          warnings,
        ),
      );
    }
  }

  if (weights && outcome.kind === 'time') {
    warnings.push(
      `${name}: with --weights the Cox hazard ratios and Kaplan-Meier rows are weighted (robust SE); the log-rank and RMST rows are unweighted`,
    );
  }
  const kind: ResampleStatistic | null =
    outcome.kind === 'count' ? 'log_ratio' : outcome.kind === 'time' ? null : 'difference';
  if ((options.permutations || options.bootstrap) && kind === null) {
    warnings.push(
      `${name}: permutation and bootstrap are not available for time-to-event outcomes (use the log-rank test)`,
    );
  }
  if (kind && (options.permutations || options.bootstrap)) {
    rows.push(...resamplingRows(data, outcome, s, y, kind, options, warnings));
  }
  return rows;
}

function resamplingRows(
  data: TrialData,
  outcome: OutcomeData,
  s: ReturnType<typeof subset>,
  y: Float64Array,
  kind: ResampleStatistic,
  options: AnalyseOptions & { alpha: number },
  warnings: string[],
): EffectRow[] {
  const rows: EffectRow[] = [];
  const name = outcome.name;
  const seed = options.seed!;
  const what =
    outcome.kind === 'binary'
      ? 'risk difference'
      : outcome.kind === 'count'
        ? 'log ratio of mean counts (unadjusted rate ratio)'
        : 'mean difference';
  let stratum: Int32Array | null = null;
  if (data.stratum) {
    stratum = new Int32Array(s.n);
    for (let r = 0; r < s.n; r++) stratum[r] = data.stratum.index[s.idx[r]!]!;
  }
  if (stratum && s.cluster) {
    // Strata must be constant within a cluster for whole clusters to be re-randomised within them.
    const first = new Int32Array(s.cluster.nClusters).fill(-1);
    for (let r = 0; r < s.n; r++) {
      const g = s.cluster.index[r]!;
      if (first[g] === -1) first[g] = stratum[r]!;
      else if (first[g] !== stratum[r]) {
        warnings.push(`${name}: strata vary within clusters, so clusters are re-randomised without strata`);
        stratum = null;
        break;
      }
    }
  }
  const units = buildUnits(y, s.arm, s.cluster?.index ?? null, s.cluster?.nClusters ?? s.n, stratum);
  const unitText = `${s.cluster ? 'whole clusters' : 'individuals'}${stratum ? ' within strata' : ''}`;
  if (options.permutations) {
    const p = permutationTest(kind, units, options.permutations, createRng(seed));
    rows.push({
      outcome: name,
      measure: 'permutation_p',
      estimate: fin(kind === 'log_ratio' ? Math.exp(p.observed) : p.observed),
      std_error: null,
      conf_low: null,
      conf_high: null,
      statistic: fin(p.observed),
      p_value: fin(p.p_value),
      method: `permutation test of the ${what}: ${p.replicates} re-randomisations of ${unitText}, seed ${seed}; p = (count |stat| >= |observed| + 1)/(N + 1)${p.undefined_replicates ? `; ${p.undefined_replicates} replicate(s) undefined` : ''}`,
      replicates: p.replicates,
      seed,
    });
  }
  if (options.bootstrap) {
    const measure =
      outcome.kind === 'binary'
        ? 'bootstrap_risk_difference'
        : outcome.kind === 'count'
          ? 'bootstrap_rate_ratio'
          : 'bootstrap_mean_difference';
    try {
      const b = bootstrapCi(kind, units, options.bootstrap, options.alpha, createRng(seed).fork());
      const tr = kind === 'log_ratio' ? Math.exp : (x: number) => x;
      rows.push({
        outcome: name,
        measure,
        estimate: fin(tr(b.observed)),
        std_error: fin(b.std_error),
        conf_low: fin(tr(b.conf_low)),
        conf_high: fin(tr(b.conf_high)),
        statistic: null,
        p_value: null,
        method: `percentile bootstrap (quantile type 7) of the ${what}: ${b.replicates} resamples of ${s.cluster ? 'clusters' : 'individuals'} within arm, seed ${seed}${kind === 'log_ratio' ? '; std_error on the log scale' : ''}${b.undefined_replicates ? `; ${b.undefined_replicates} replicate(s) undefined and dropped` : ''}`,
        replicates: b.replicates,
        seed,
      });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      warnings.push(`${name}: bootstrap not possible: ${err.message}`);
      rows.push(nullRow(name, measure, `not estimable: ${err.message}`));
    }
  }
  return rows;
}

function armSummaries(data: TrialData, primaryMask: Uint8Array, masks: Map<string, Uint8Array>): ArmSummary[] {
  const binary = data.outcomes.find((o) => o.name === 'reoffended');
  const count = data.outcomes.find((o) => o.name === 'reoffences');
  const cont = data.outcomes.find((o) => o.kind === 'continuous');
  return [0, 1].map((code) => {
    let n = 0;
    let nAn = 0;
    for (let i = 0; i < data.n; i++) {
      if (data.arm[i] !== code) continue;
      n++;
      if (primaryMask[i]) nAn++;
    }
    const sumOf = (o: OutcomeData | undefined) => {
      if (!o) return null;
      const m = masks.get(o.name)!;
      let s = 0;
      let k = 0;
      for (let i = 0; i < data.n; i++) {
        if (data.arm[i] !== code || !m[i]) continue;
        s += o.y[i]!;
        k++;
      }
      return { s, k };
    };
    const b = sumOf(binary);
    const c = sumOf(count);
    let mean: number | null = null;
    let sd: number | null = null;
    if (cont) {
      const m = masks.get(cont.name)!;
      const vals: number[] = [];
      for (let i = 0; i < data.n; i++) if (data.arm[i] === code && m[i]) vals.push(cont.y[i]!);
      const mv = meanVar(vals);
      mean = vals.length ? fin(mv.mean) : null;
      sd = fin(Math.sqrt(mv.variance));
    }
    return {
      arm: code ? data.treatment : data.control,
      n,
      n_analysed: nAn,
      reoffenders: b ? b.s : null,
      binary_rate: b && b.k > 0 ? b.s / b.k : null,
      reoffences: c ? c.s : null,
      frequency_per_offender: c && c.k > 0 ? c.s / c.k : null,
      mean,
      sd,
    };
  });
}
