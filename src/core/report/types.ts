/**
 * Shapes of the report: what the report builder takes in (already-parsed data and the `analyse`
 * result) and the report model every renderer draws from. Field names follow docs/reference/json.md#report.
 */
import type { Concept, Stage } from '../concepts.js';

import type { AnalyseResult, ArmSummary } from '../analysis/analyse-trial.js';
import type { EffectRow } from '../analysis/effect-row.js';
import type { Verdict } from '../analysis/verdict.js';
import type { AnalysisPlanInput } from '../plan/analysis-plan.js';
import type { Headline } from '../analysis/primary-analysis.js';

/** The report reads `analyse`'s own result types (docs/reference/json.md#analyse). */
export type { AnalyseResult, EffectRow, Verdict };
export type AnalyseArm = ArmSummary;

/** One person as the report needs them (no names; the id is used only for joins, never printed). */
export interface ReportCase {
  id: string;
  arm: string;
  sub_arm: string | null;
  site: string | null;
  team: string | null;
  sex: string | null;
  consented: boolean | null;
  received_intervention: boolean | null;
  withdrawn: boolean | null;
  sessions_offered: number | null;
  sessions_attended: number | null;
  budget_told: boolean | null;
  enabling_fund_gbp: number | null;
  /** The outcome window had not closed by the extract date. */
  pending: boolean;
}

/** Per-person re-offending outcome used for the Kaplan-Meier curves. */
export interface PersonOutcome {
  arm: string;
  /** 1 when a proven re-offence was observed. */
  event: 0 | 1;
  /** Days to the first re-offence (event) or days observed (censored). */
  time: number;
}

export interface ProcessRow {
  level: 'person' | 'team';
  unit: string;
  arm: string;
  measure: string;
  value: string;
}

export type CostCategory = 'staff_training' | 'staff_time' | 'enabling_fund' | 'grant_fund' | 'third_party' | 'other';

export interface CostRow {
  item: string;
  category: CostCategory;
  amount_gbp: number;
  arm: string;
  recurring: boolean;
}

export interface ThemeRow {
  source: string;
  participant: string;
  theme: string;
  subtheme: string;
  excerpt: string;
  arm: string;
}

export interface ProgressionThreshold {
  green: number;
  amber: number;
}

export type DesignKind =
  'randomised' | 'matched_all_observables' | 'matched_some_observables' | 'no_relevant_confounders' | 'no_comparator';

export const THREAT_KINDS = [
  'confounding',
  'concurrent_interventions',
  'contamination',
  'fidelity_and_compliance',
  'missing_data',
  'outcome_measurement',
  'selective_reporting',
] as const;
export type ThreatKind = (typeof THREAT_KINDS)[number];

export interface Threat {
  threat: ThreatKind;
  /** Padlocks to drop (1 or 2). */
  drop: number;
  reason: string;
}

/** The trial file (`trial.yaml`) after defaults. */
export interface TrialConfig {
  title: string | null;
  concept: string | null;
  stage: Stage | null;
  design: DesignKind;
  arms: { control: string; treatment: string };
  randomisation: { method: string; seed: number | null; unit: string | null; allocation_sha256: string | null };
  /** `as_of`: the data extract date (YYYY-MM-DD); null = the latest disposal date in the offences file. */
  outcome_windows: { follow_up_days: number; waiting_days: number; as_of: string | null };
  target_recruitment: number | null;
  progression: Record<string, ProgressionThreshold>;
  cost_bands: number[];
  threats: Threat[];
  /** The analysis plan as written (resolved against the design by resolvePlan). */
  analysis: AnalysisPlanInput;
  /** The intervention, its theory of change and the research questions, in the trial's words (override the concept's text). */
  intervention: string | null;
  theory_of_change: string | null;
  research_questions: string[] | null;
  /** Design assumptions for the MDES at randomisation (security rating). */
  assumptions: { control_rate: number; icc: number | null; power: number };
}

/** Everything the report builder needs; assembled by the CLI from files. */
export interface ReportInput {
  concept: Concept;
  stage: Stage;
  trial: TrialConfig;
  cases: ReportCase[];
  /** Re-offending analysis of treatment vs control; null when no outcomes were given. */
  analysis: AnalyseResult | null;
  /** The plan's primary analysis (null when no outcomes were given). */
  headline: Headline | null;
  /** Where the outcomes came from, the extract date, and who is still pending. */
  outcomes: {
    from: 'offences' | 'cases' | 'none';
    as_of: string | null;
    as_of_source: 'option' | 'latest_disposal' | null;
    pending: number;
    complete_by: string | null;
  };
  /** Pre-specified sub-group analyses (concept 2: told vs not told). */
  subgroups: Array<{ name: string; description: string; analysis: AnalyseResult }>;
  /** Per-person survival data for Kaplan-Meier curves (empty when not available). */
  survival: PersonOutcome[];
  /** Minimum detectable effect at randomisation from `power` (binary: logit d). */
  mdes: MdesInfo | null;
  process: ProcessRow[] | null;
  costs: CostRow[] | null;
  themes: ThemeRow[] | null;
  provenance: Provenance;
  suppress: boolean;
}

export interface MdesInfo {
  /** The MDES as logit d (the security-rating scale). */
  logit_d: number;
  control_rate: number;
  detectable_rate: number;
  n_control: number;
  n_treatment: number;
  design_effect: number;
  icc: number | null;
  method: string;
}

export interface Provenance {
  version: string;
  command: string;
  inputs: Array<{ role: string; file: string; sha256: string }>;
}
