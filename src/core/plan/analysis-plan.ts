/**
 * The analysis plan: what the trial pre-specified (in trial.yaml `analysis:`), resolved against
 * the randomisation record so that an unstated choice still mirrors the design. A cluster
 * design gets a cluster-aware primary analysis and a blocked design adjusts for its blocks
 * without anyone asking. Pure: the trial file is parsed in src/io/trial-file.ts.
 */
import type { Concept } from '../concepts.js';
import type { SmallSample } from '../analysis/small-sample.js';

/** Measures the headline can be estimated on, per kind of outcome. */
export const PRIMARY_MEASURES = ['risk_difference', 'mean_difference', 'hazard_ratio'] as const;
export type PrimaryMeasure = (typeof PRIMARY_MEASURES)[number];

/** Randomisation methods whose blocks (strata) the primary model adjusts for. */
export const BLOCKED_METHODS: readonly string[] = ['block', 'block-cluster', 'permuted-block', 'minimise'];
/** Randomisation methods that allocate whole clusters. */
export const CLUSTER_METHODS: readonly string[] = ['cluster', 'block-cluster'];

/** `analysis:` of trial.yaml as written (null / undefined = not stated, so resolved from the design). */
export interface AnalysisPlanInput {
  primary: { outcome: string; measure: PrimaryMeasure | null };
  covariates: string[];
  /** Cluster column; null = "individual analysis" stated; undefined = from the design. */
  cluster?: string | null;
  /** Block / stratum column; null = "no block adjustment" stated; undefined = from the design. */
  blocks?: string | null;
  secondary: string[] | null;
  subgroups: string[];
  alpha: number;
  /** Column saying who received the intervention: the complier average causal effect (`cace`) is estimated. */
  cace?: string | null;
  missing_data: 'complete_cases' | 'multiple_imputation';
  /** Imputations for missing_data: multiple_imputation (default 20). */
  imputations?: number;
  /**
   * Inference on the cluster-robust GLM rows: cr2 (CR2 + Satterthwaite), none (vcovCL), or auto
   * (the default: cr2 with fewer than FEW_CLUSTERS clusters).
   */
  small_sample?: SmallSample;
  /**
   * More than two arms: the treatment arms each compared with control (with a global test); the
   * headline stays `arms.treatment` vs control. Undefined / one arm: the two-arm analysis.
   */
  arms?: string[];
}

export function defaultAnalysisPlan(): AnalysisPlanInput {
  return {
    primary: { outcome: 'reoffended', measure: null },
    covariates: [],
    secondary: null,
    subgroups: [],
    alpha: 0.05,
    missing_data: 'complete_cases',
  };
}

/** The plan as it will be run: every choice made, and where it came from. */
export interface ResolvedPlan {
  primary: { outcome: string; measure: PrimaryMeasure };
  covariates: string[];
  cluster: string | null;
  blocks: string | null;
  secondary: string[];
  subgroups: string[];
  alpha: number;
  /** The received-intervention column of the CACE analysis, when the plan names one. */
  cace?: string;
  missing_data: 'complete_cases' | 'multiple_imputation';
  /** Imputations of the multiple-imputation sensitivity analysis (with missing_data: multiple_imputation). */
  imputations?: number;
  /** Inference on the cluster-robust GLM rows (auto unless the plan says otherwise). */
  small_sample: SmallSample;
  /** More than two arms: the treatment arms compared with control (the headline's arm among them). */
  arms?: string[];
  /** One sentence per choice that was derived rather than written in the plan. */
  derived: string[];
}

/** What the data and design say, for the defaults. */
export interface PlanContext {
  /** Randomisation method from the trial file ("not recorded" when unknown). */
  method: string;
  /** The concept's cluster column in a cluster design, if any. */
  concept: Pick<Concept, 'unit' | 'cluster_column'> | null;
  /** Whether a column is in the data. */
  has: (column: string) => boolean;
  /** Outcome columns present, in order (e.g. reoffended, reoffences, days_to_reoffence). */
  outcomes: readonly string[];
}

/** The measure that fits an outcome when the plan does not name one. */
export function defaultMeasure(outcome: string): PrimaryMeasure {
  if (outcome === 'reoffended') return 'risk_difference';
  if (outcome === 'days_to_reoffence') return 'hazard_ratio';
  return 'mean_difference';
}

export function resolvePlan(plan: AnalysisPlanInput, ctx: PlanContext): ResolvedPlan {
  const derived: string[] = [];
  let cluster: string | null;
  if (plan.cluster !== undefined) cluster = plan.cluster;
  else {
    const fromConcept = ctx.concept?.unit === 'cluster' ? ctx.concept.cluster_column : null;
    const fromMethod = CLUSTER_METHODS.includes(ctx.method) ? (fromConcept ?? 'team') : null;
    cluster = fromMethod ?? fromConcept;
    if (cluster !== null && !ctx.has(cluster)) cluster = null;
    if (cluster !== null)
      derived.push(
        `clustered by ${cluster}: whole ${cluster}s were randomised, so the primary analysis is cluster-robust`,
      );
  }
  let blocks: string | null;
  if (plan.blocks !== undefined) blocks = plan.blocks;
  else {
    blocks = BLOCKED_METHODS.includes(ctx.method) && ctx.has('stratum') ? 'stratum' : null;
    if (blocks !== null)
      derived.push(
        `adjusted for the randomisation blocks (${blocks}): the allocation was ${ctx.method} randomisation within them`,
      );
  }
  if (cluster !== null && plan.small_sample === undefined)
    derived.push(
      'cluster-robust odds and rate ratios use CR2 standard errors with Satterthwaite degrees of freedom when there are fewer than 50 clusters (small_sample: auto)',
    );
  const measure = plan.primary.measure ?? defaultMeasure(plan.primary.outcome);
  const secondary = plan.secondary ?? ctx.outcomes.filter((o) => o !== plan.primary.outcome);
  return {
    primary: { outcome: plan.primary.outcome, measure },
    covariates: plan.covariates,
    cluster,
    blocks,
    secondary,
    subgroups: plan.subgroups,
    alpha: plan.alpha,
    missing_data: plan.missing_data,
    small_sample: plan.small_sample ?? 'auto',
    ...(plan.arms && plan.arms.length > 1 ? { arms: plan.arms } : {}),
    ...(plan.cace ? { cace: plan.cace } : {}),
    ...(plan.missing_data === 'multiple_imputation' ? { imputations: plan.imputations ?? 20 } : {}),
    derived,
  };
}
