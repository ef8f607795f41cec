/**
 * Assembles the report model from the report input: the one object the html, md and json
 * renderers draw from (so they carry the same content). Pure and deterministic: no clock, no fs.
 */
import type { Concept, Stage } from '../concepts.js';
import { keyConclusions } from './conclusions.js';
import type { Headline } from '../analysis/primary-analysis.js';
import { wilson } from '../stats/wilson.js';
import { nearestTip } from '../analysis/multiple-imputation.js';
import { estimateInterval, fixed, gbp } from './format.js';
import { buildConsort, type Consort } from './consort.js';
import { costSummary, type CostSummary } from './cost-rating.js';
import { feasibilityMeasures, processMean, progressionItems, type FeasibilityMeasures } from './feasibility.js';
import { kmCurves, type KmCurve } from './km-curve.js';
import { processSummary, type ProcessSummary } from './process-summary.js';
import { progressionDecision, type ProgressionDecision, type ProgressionItem } from './progression.js';
import { securityRating, type SecurityRating } from './security-rating.js';
import { isSmall, suppressCells, SUPPRESSION_THRESHOLD, type Relation } from './suppression.js';
import { themesMatrix, type ThemesMatrix } from './themes-matrix.js';
import type { AnalyseArm, AnalyseResult, EffectRow, ReportInput, Threat, TrialConfig } from './types.js';

export type { Headline };

/** The headline when there are no outcomes to analyse. */
function emptyHeadline(pilot: boolean): Headline {
  return {
    outcome: 'reoffended',
    measure: 'risk_difference',
    estimate: null,
    std_error: null,
    conf_low: null,
    conf_high: null,
    statistic: null,
    p_value: null,
    df: null,
    per_100: null,
    per_100_conf_low: null,
    per_100_conf_high: null,
    verdict: null,
    computed_verdict: 'inconclusive',
    method: 'no outcomes were supplied',
    covariates: [],
    clustered_by: null,
    blocks: null,
    n_treatment: null,
    n_control: null,
    n_clusters: null,
    rate_treatment: null,
    rate_control: null,
    indicative_only: pilot,
    sensitivity: [],
  };
}

export interface ReportModel {
  title: string;
  concept: string;
  concept_id: number;
  concept_name: string;
  stage: Stage;
  introduction: {
    description: string;
    theory_of_change: string;
    population: string;
    research_questions: string[];
    arms: Concept['arms'];
    stage_description: string;
  };
  headline: Headline;
  key_conclusions: string[];
  /** Where the outcomes came from and the extract date they were judged at. */
  outcomes: ReportInput['outcomes'];
  security: SecurityRating;
  cost: CostSummary;
  consort: Consort;
  feasibility: { measures: FeasibilityMeasures; progression: ProgressionItem[]; decision: ProgressionDecision } | null;
  process: {
    measures: ProcessSummary['measures'];
    fund_use: ProcessSummary['fund_use'];
    themes: ThemesMatrix | null;
    fidelity: number | null;
    engagement: number | null;
    compliance: number | null;
    concept_notes: string[];
    told_comparison: Array<{ group: string; n: number; with_spend: number; mean_spend_gbp: number | null }> | null;
  };
  methods: {
    design: string;
    arms: { control: string; treatment: string };
    unit: string;
    unit_label: string;
    /** Singular noun for a cluster ("probation team", "group"). */
    cluster_noun: string;
    cluster_column: string | null;
    randomisation: TrialConfig['randomisation'];
    follow_up_days: number;
    waiting_days: number;
    target_recruitment: number | null;
    mdes: ReportInput['mdes'];
    analysis_model: string;
    outcome_definitions: string[];
    icc: number | null;
    design_effect: number | null;
  };
  arms: AnalyseArm[];
  /** Re-offending rate per arm with its 95% Wilson interval (R prop.test(correct = FALSE)). */
  rates: Array<{
    arm: string;
    rate: number | null;
    conf_low: number | null;
    conf_high: number | null;
    n: number | null;
  }>;
  effects: EffectRow[];
  balance: AnalyseResult['balance'];
  attrition: AnalyseResult['attrition'] | null;
  /** The missing-data sensitivity analysis (plan: missing_data: multiple_imputation), else null. */
  missing_data: {
    summary: NonNullable<AnalyseResult['missing_data']>;
    tipping_point: NonNullable<AnalyseResult['tipping_point']>;
    finding: string;
  } | null;
  subgroups: Array<{ name: string; description: string; arms: AnalyseArm[]; effects: EffectRow[] }>;
  /** The plan's arms: (more than two): the global tests and each arm against control; null for a two-arm trial. */
  multi_arm: MultiArmModel | null;
  km: KmCurve[];
  limitations: string[];
  conclusion: string[];
  suppression: { applied: boolean; threshold: number; cells: string[]; secondary: string[]; note: string };
  appendix: {
    randomisation: TrialConfig['randomisation'];
    software_version: string;
    command: string;
    inputs: ReportInput['provenance']['inputs'];
    security_reasons: string[];
  };
}

const STAGE_WORDS: Record<Stage, string> = {
  pilot:
    'Pilot: a few teams or sites chosen purposively, to learn whether the approach is feasible and shows promise. Mostly qualitative and descriptive; outcomes are indicative only.',
  efficacy:
    'Efficacy trial: can the approach work under developer-led conditions? A randomised impact evaluation with a mixed-methods process evaluation.',
  effectiveness:
    'Effectiveness trial: does the approach work at scale, delivered by others? A larger randomised trial with a process evaluation of delivery at scale.',
};

function findEffect(a: AnalyseResult | null, outcome: string, measure: string): EffectRow | null {
  return a?.effects.find((e) => e.outcome === outcome && e.measure === measure && e.arm === undefined) ?? null;
}

function automaticThreats(
  trial: TrialConfig,
  fidelity: number | null,
  compliance: number | null,
  attrition: AnalyseResult['attrition'] | null,
  stage: Stage,
): Threat[] {
  const have = new Set(trial.threats.map((t) => t.threat));
  const out: Threat[] = [...trial.threats];
  if (!have.has('fidelity_and_compliance')) {
    if (fidelity !== null && fidelity < 0.5)
      out.push({
        threat: 'fidelity_and_compliance',
        drop: 1,
        reason: `mean delivery fidelity was ${(100 * fidelity).toFixed(1)}%, below 50%`,
      });
    else if (compliance !== null && compliance < 0.5)
      out.push({
        threat: 'fidelity_and_compliance',
        drop: 1,
        reason: `only ${(100 * compliance).toFixed(1)}% of the treatment arm received the intervention`,
      });
  }
  if (
    !have.has('missing_data') &&
    attrition &&
    attrition.differential !== null &&
    Math.abs(attrition.differential) > 0.05
  ) {
    out.push({
      threat: 'missing_data',
      drop: 1,
      reason: `attrition differed between arms by ${(100 * Math.abs(attrition.differential)).toFixed(1)} percentage points (more than 5)`,
    });
  }
  if (stage === 'pilot' && !have.has('selective_reporting')) {
    // Pilots are purposive and small: say so rather than let the padlocks look like an efficacy trial's.
    out.push({
      threat: 'selective_reporting',
      drop: 0,
      reason: 'pilot sites were chosen purposively; the rating is shown for completeness only',
    });
  }
  return out;
}

export function buildReport(input: ReportInput): ReportModel {
  const { concept, stage, trial } = input;
  const treatment = trial.arms.treatment;
  const control = trial.arms.control;
  const armOrder = [
    control,
    treatment,
    ...[...new Set(input.cases.map((c) => c.arm))].filter((a) => a !== control && a !== treatment).sort(),
  ];
  const clusterDesign = concept.unit === 'cluster';
  const a = input.analysis;

  // Headline: the plan's primary analysis, computed by the analysis use case (as `analyse --plan`).
  const headline: Headline = input.headline
    ? { ...input.headline, sensitivity: input.headline.sensitivity.map((x) => ({ ...x })) }
    : emptyHeadline(stage === 'pilot');
  const labels = { control, treatment };

  const measures = feasibilityMeasures(input.cases, input.process, treatment, trial.target_recruitment);
  const progression = progressionItems(measures, trial.progression);
  const decision = progressionDecision(progression);

  const security = securityRating({
    design: trial.design,
    mdes: input.mdes?.logit_d ?? null,
    attrition: a ? a.attrition.overall : null,
    threats: automaticThreats(trial, measures.fidelity, measures.compliance, a?.attrition ?? null, stage),
  });

  const nTreatAllocated = input.cases.filter((c) => c.arm === treatment).length;
  const cost = costSummary(input.costs ?? [], treatment, control, nTreatAllocated, trial.cost_bands);
  const consort = buildConsort(
    input.cases,
    armOrder.filter((x) => input.cases.some((c) => c.arm === x)),
    treatment,
    clusterDesign,
    a,
  );
  const pendingNote =
    input.outcomes.pending > 0
      ? `${input.outcomes.pending} randomised people are pending: their outcome window (${trial.outcome_windows.follow_up_days} days of follow-up and ${trial.outcome_windows.waiting_days} for offences to be proven) had not closed by the data extract date ${input.outcomes.as_of}. They are not analysed and are not counted as lost; every outcome will be complete by ${input.outcomes.complete_by}.`
      : null;

  const ps = input.process ? processSummary(input.process, armOrder) : { measures: [], fund_use: null };
  const themes = input.themes && input.themes.length ? themesMatrix(input.themes) : null;

  // Concept-specific process notes.
  const notes: string[] = [];
  let told: ReportModel['process']['told_comparison'] = null;
  if (concept.nested) {
    const inArm = input.cases.filter((c) => c.arm === concept.nested!.arm);
    told = concept.nested.sub_arms.map((sub) => {
      const g = inArm.filter((c) =>
        c.sub_arm ? c.sub_arm === sub : c.budget_told === (sub === concept.nested!.sub_arms[0]),
      );
      const spend = g.map((c) => c.enabling_fund_gbp).filter((v): v is number => v !== null);
      return {
        group: sub.replace(/_/g, ' '),
        n: g.length,
        with_spend: spend.filter((v) => v > 0).length,
        mean_spend_gbp: spend.length ? spend.reduce((s, v) => s + v, 0) / spend.length : null,
      };
    });
    notes.push(
      'People in the fund arm were randomised again to be told, or not told, how much they could spend: the comparison below is pre-specified.',
    );
  }
  if (concept.sex_restriction === 'female') {
    const other = input.cases.filter((c) => c.sex !== null && c.sex !== 'female').length;
    const missing = input.cases.filter((c) => c.sex === null).length;
    notes.push(
      other === 0
        ? `Population check: every case with sex recorded is a woman, as the concept requires${missing ? ` (${missing} without sex recorded)` : ''}.`
        : `Population check: ${other < SUPPRESSION_THRESHOLD && input.suppress ? 'fewer than 5' : other} case(s) are recorded with a sex other than female although this concept is for women only; they are flagged here and kept in the analysis as randomised.`,
    );
    const fid = processMean(input.process, 'fidelity_pct', treatment);
    if (fid !== null)
      notes.push(`Third-party delivery: the women's centres' mean fidelity checklist score was ${fid.toFixed(1)}%.`);
  }
  if (clusterDesign) {
    const icc = findEffect(a, 'reoffended', 'icc');
    const k = consort.clusters_randomised;
    notes.push(
      `Cluster design: ${k ?? 'an unknown number of'} ${clusterNoun(concept, k ?? 2)} were randomised whole${icc?.estimate != null ? `; the intra-cluster correlation of re-offending was ${icc.estimate.toFixed(3)}` : ''}.`,
    );
  }
  if (concept.id === 4 || concept.id === 5) {
    const team = ps.measures.filter((m) => m.level === 'team' && m.arm === treatment);
    for (const m of team) {
      const f = (x: number) => (m.measure.endsWith('_gbp') ? gbp(x) : x.toFixed(1).replace(/\.0$/, ''));
      notes.push(
        `${m.label.replace(/ \(£\)$/, '')} per ${clusterNoun(concept, 1)} (treatment): mean ${f(m.mean)}, range ${f(m.min)} to ${f(m.max)}, over ${m.n} ${clusterNoun(concept, m.n)}.`,
      );
    }
  }

  const icc = findEffect(a, 'reoffended', 'icc')?.estimate ?? null;
  const de = findEffect(a, 'reoffended', 'design_effect')?.estimate ?? null;

  const subgroups = input.subgroups.map((s) => ({
    name: s.name,
    description: s.description,
    arms: s.analysis.arms.map((x) => ({ ...x })),
    effects: s.analysis.effects,
  }));
  const sgRd = input.subgroups[0] ? findEffect(input.subgroups[0].analysis, 'reoffended', 'risk_difference') : null;

  // Limitations.
  const limitations: string[] = [];
  if (stage === 'pilot')
    limitations.push(
      'A pilot is small and its sites were chosen purposively: outcome estimates are indicative only and must not be read as evidence of impact.',
    );
  if (!a)
    limitations.push(
      'No re-offending outcomes were supplied (no offences file and no outcome columns in the cases file), so there is no impact estimate.',
    );
  if (pendingNote) limitations.push(pendingNote);
  if (a && security.padlocks <= 2 && stage !== 'pilot')
    limitations.push(
      `The security rating is ${security.padlocks} padlocks: the finding could change with a larger or better-retained sample.`,
    );
  if (a && a.attrition.overall !== null && a.attrition.overall > 0.1)
    limitations.push(
      `${(100 * a.attrition.overall).toFixed(1)}% of randomised people whose outcome was due were not analysed; if they differ from those who stayed, the estimate may be biased.`,
    );
  if (measures.compliance !== null && measures.compliance < 0.8)
    limitations.push(
      `Only ${(100 * measures.compliance).toFixed(1)}% of the treatment arm received the intervention: the estimate is of the offer (intention to treat), not of full receipt.`,
    );
  limitations.push(
    'Proven re-offending counts only offences that reach a conviction or caution within the MoJ windows; offending that is not detected is not measured.',
  );

  const conclusion: string[] = [];
  const topTheme = themes?.rows[0];
  if (stage === 'pilot') {
    conclusion.push(`Progression decision: ${decision.text}`);
    conclusion.push(
      'The re-offending figures are indicative only; an efficacy trial with enough people would be needed to estimate the effect.',
    );
  } else if (a) {
    const v = headline.verdict;
    conclusion.push(
      v === 'significant_reduction'
        ? `The trial found a reduction in proven re-offending, with ${security.padlocks} of 5 padlocks.`
        : v === 'significant_increase'
          ? `The trial found an increase in proven re-offending, with ${security.padlocks} of 5 padlocks; the reasons need to be understood.`
          : `The trial could not tell whether the approach changes proven re-offending: the result is inconclusive, and more people would be needed to detect an effect of the size seen.`,
    );
  }

  const model: ReportModel = {
    title: trial.title ?? `${concept.name}: ${stage} ${stage === 'pilot' ? 'report' : 'evaluation report'}`,
    concept: concept.slug,
    concept_id: concept.id,
    concept_name: concept.name,
    stage,
    introduction: {
      description: trial.intervention ?? concept.description,
      theory_of_change: trial.theory_of_change ?? concept.theory_of_change,
      population: concept.population,
      research_questions: trial.research_questions ?? concept.research_questions,
      // The concept's arms under the labels the data uses, so the introduction and the flow diagram agree.
      arms: [
        { arm: labels.control, description: concept.arms[0]?.description ?? 'control' },
        { arm: labels.treatment, description: concept.arms[1]?.description ?? 'treatment' },
      ],
      stage_description: STAGE_WORDS[stage],
    },
    headline,
    key_conclusions: [],
    outcomes: { ...input.outcomes },
    security,
    cost,
    consort,
    feasibility: stage === 'pilot' ? { measures, progression, decision } : null,
    process: {
      measures: ps.measures,
      fund_use: ps.fund_use,
      themes,
      fidelity: measures.fidelity,
      engagement: measures.engagement,
      compliance: measures.compliance,
      concept_notes: notes,
      told_comparison: told,
    },
    methods: {
      design: trial.design,
      arms: { control, treatment },
      unit: concept.unit,
      unit_label: concept.unit_label,
      cluster_noun: concept.unit === 'cluster' ? clusterNoun(concept, 1) : 'cluster',
      cluster_column: concept.cluster_column,
      randomisation: trial.randomisation,
      follow_up_days: trial.outcome_windows.follow_up_days,
      waiting_days: trial.outcome_windows.waiting_days,
      target_recruitment: trial.target_recruitment,
      mdes: input.mdes,
      analysis_model: analysisModelText(headline, clusterDesign, a !== null),
      outcome_definitions: [
        `Proven re-offending (primary, binary): an offence committed within ${trial.outcome_windows.follow_up_days} days of the start date and proven by a conviction or caution within a further ${trial.outcome_windows.waiting_days} days (MoJ definition; breaches excluded).`,
        'Frequency: proven re-offences per person.',
        'Time to first proven re-offence (days), censored at the end of follow-up.',
      ],
      icc,
      design_effect: de,
    },
    arms: a ? a.arms.map((x) => ({ ...x })) : [],
    rates: a
      ? a.arms.map((x) => {
          const ci = x.reoffenders !== null && x.n_analysed > 0 ? wilson(x.reoffenders, x.n_analysed) : null;
          return {
            arm: x.arm,
            rate: x.binary_rate,
            conf_low: ci ? ci[0] : null,
            conf_high: ci ? ci[1] : null,
            n: x.n_analysed,
          };
        })
      : [],
    effects: a ? a.effects : [],
    balance: a ? a.balance : [],
    attrition: a ? a.attrition : null,
    missing_data:
      a?.missing_data && a.tipping_point
        ? { summary: a.missing_data, tipping_point: a.tipping_point, finding: missingDataFinding(a) }
        : null,
    subgroups,
    multi_arm: a?.multi_arm ? multiArmModel(a.multi_arm) : null,
    km: kmCurves(input.survival, armOrder),
    limitations,
    conclusion,
    suppression: { applied: input.suppress, threshold: SUPPRESSION_THRESHOLD, cells: [], secondary: [], note: '' },
    appendix: {
      randomisation: trial.randomisation,
      software_version: input.provenance.version,
      command: input.provenance.command,
      inputs: input.provenance.inputs,
      security_reasons: security.reasons,
    },
  };
  const hadEstimate = headline.estimate !== null;
  applySuppression(model, input.suppress);
  // The cell counts behind subgroup rows served disclosure control; the report publishes the estimates.
  model.effects = model.effects.map(({ counts: _counts, ...e }) => e);
  // Conclusions are written after suppression so they never quote a suppressed count or rate.
  const conclusions = keyConclusions({
    stage,
    headline: model.headline,
    pending: pendingNote,
    suppressed: hadEstimate && model.headline.estimate === null,
    n_treatment: model.headline.n_treatment,
    n_control: model.headline.n_control,
    padlocks: a ? security.padlocks : null,
    padlock_limit: a ? limitingReason(security) : null,
    cost_per_participant: cost.per_participant_gbp,
    cost_rating_words: cost.rating_words,
    progression: stage === 'pilot' ? progression : null,
    decision: stage === 'pilot' ? decision : null,
    fidelity: measures.fidelity,
    engagement: measures.engagement,
    subgroup:
      sgRd && sgRd.estimate !== null && sgRd.conf_low !== null && sgRd.conf_high !== null
        ? {
            name: input.subgroups[0]!.name,
            estimate: sgRd.estimate,
            conf_low: sgRd.conf_low,
            conf_high: sgRd.conf_high,
          }
        : null,
    top_theme:
      topTheme && (!input.suppress || topTheme.total_participants >= SUPPRESSION_THRESHOLD)
        ? { theme: topTheme.theme, participants: topTheme.total_participants }
        : null,
  });
  model.key_conclusions = conclusions;
  return model;
}

/** The multiple-imputation sensitivity analysis in one sentence: the pooled estimate and where the verdict tips. */
function missingDataFinding(a: AnalyseResult): string {
  const md = a.missing_data!;
  const mi = a.effects.find((e) => e.outcome === md.outcome && e.measure === 'mi_risk_difference');
  const t = nearestTip(a.tipping_point!);
  const pts = (d: number) => `${d > 0 ? '+' : ''}${fixed(100 * d, 0)} points`;
  const est =
    mi && mi.estimate !== null && mi.conf_low !== null && mi.conf_high !== null
      ? `a risk difference of ${estimateInterval(mi.estimate, mi.conf_low, mi.conf_high, 2)}`
      : 'no estimate';
  const tip = !t
    ? ''
    : t.tip
      ? ` The verdict would change (to ${t.tip.verdict.replace(/_/g, ' ')}) if the missing people's chance of re-offending were ${pts(t.tip.delta_control)} in ${a.control} and ${pts(t.tip.delta_treatment)} in ${a.treatment} away from what the imputation model predicts.`
      : ` No shift on the grid (${pts(md.deltas[0]!)} to ${pts(md.deltas[md.deltas.length - 1]!)} in each arm) changes the verdict.`;
  return `Multiple imputation under missing at random (${md.imputations} imputations by chained equations, seed ${md.seed}, pooled by Rubin's rules) gives ${est}.${tip}`;
}

/** The methods table's "Analysis" row: the primary analysis, then what is sensitivity. */
function analysisModelText(h: Headline, clusterDesign: boolean, analysed: boolean): string {
  if (!analysed) return 'Intention to treat; no outcomes were supplied, so no model was fitted.';
  const parts = [
    `Intention to treat. Primary analysis (pre-specified, decides the verdict): ${h.method.replace(/\.$/, '')}.`,
  ];
  parts.push(
    clusterDesign || h.clustered_by
      ? 'Sensitivity analyses: the unadjusted risk difference (Wald interval, which ignores clustering), logistic regression with cluster-robust variance, the cluster-level t-test on team proportions, and the Cox model (cluster-robust) for time to first re-offence; the ICC comes from a REML random-intercept model.'
      : 'Sensitivity analyses: the unadjusted risk difference (Wald interval, Pearson chi-square p), risk and odds ratios, the covariate-adjusted odds ratio, and the Cox model and log-rank test for time to first re-offence.',
  );
  return parts.join(' ');
}

/** The cluster in words, singular or plural: "probation team(s)", "group(s)". */
export function clusterNoun(concept: Concept, n: number): string {
  const word = concept.unit_label.startsWith('group')
    ? 'group'
    : concept.unit_label.includes('/')
      ? 'group'
      : concept.unit_label;
  return n === 1 ? word : `${word}s`;
}

function limitingReason(s: SecurityRating): string | null {
  const parts: string[] = [];
  if (s.mdes_padlocks !== null && s.mdes_padlocks === s.initial && s.initial < 5)
    parts.push('limited by the minimum detectable effect');
  if (s.attrition_padlocks !== null && s.attrition_padlocks === s.initial && s.initial < 5)
    parts.push('limited by attrition');
  if (s.drops.length) parts.push(`lowered for ${s.drops.map((d) => d.threat.replace(/_/g, ' ')).join(', ')}`);
  return parts.length ? parts.join('; ') : null;
}

/**
 * Small-count suppression across the published tables. Suppressed counts become null in the model
 * (and "<5" in html/md); `suppression.cells` lists them by path.
 */
function applySuppression(m: ReportModel, suppress: boolean): void {
  // Flow counts (randomised, allocated, received, pending, lost, analysed, per arm and cluster)
  // describe the trial, not a person's outcome: CONSORT requires them, so they are always shown.
  // Counts of people with an outcome or attribute are suppressed when 1-4, with secondary
  // suppression where a shown total would give them away.
  const cells = new Map<string, number>();
  const relations: Relation[] = [];
  const shown = new Set<string>();
  const arms = m.consort.arms;
  const armTables: Array<[string, AnalyseArm[]]> = [
    ['arms', m.arms],
    ...m.subgroups.map((s, j) => [`subgroups[${j}].arms`, s.arms] as [string, AnalyseArm[]]),
    ...(m.multi_arm ? [['multi_arm.arms', m.multi_arm.arms] as [string, AnalyseArm[]]] : []),
  ];
  for (const [prefix, list] of armTables) {
    list.forEach((a, i) => {
      if (a.reoffenders === null || a.reoffenders === undefined) return;
      const k = `${prefix}[${i}]`;
      cells.set(`${k}.n_analysed`, a.n_analysed);
      // The analysed count of the main table is a CONSORT flow count.
      if (prefix === 'arms' || prefix === 'multi_arm.arms') shown.add(`${k}.n_analysed`);
      cells.set(`${k}.reoffenders`, a.reoffenders);
      cells.set(`${k}.~non_reoffenders`, a.n_analysed - a.reoffenders);
      relations.push({ total: `${k}.n_analysed`, parts: [`${k}.reoffenders`, `${k}.~non_reoffenders`] });
    });
  }
  if (m.process.themes) {
    cells.set('process.themes.participants', m.process.themes.participants);
    m.process.themes.rows.forEach((r, i) => {
      r.participants.forEach((n, j) => cells.set(`process.themes.rows[${i}].participants[${j}]`, n));
      cells.set(`process.themes.rows[${i}].total_participants`, r.total_participants);
      relations.push({
        total: `process.themes.rows[${i}].total_participants`,
        parts: r.participants.map((_, j) => `process.themes.rows[${i}].participants[${j}]`),
      });
    });
  }
  m.process.fund_use?.categories.forEach((c, i) => cells.set(`process.fund_use.categories[${i}].units`, c.units));
  m.process.told_comparison?.forEach((t, i) => {
    // The group sizes are allocation (flow) counts; people with any spend are an attribute.
    cells.set(`process.told_comparison[${i}].n`, t.n);
    shown.add(`process.told_comparison[${i}].n`);
    cells.set(`process.told_comparison[${i}].with_spend`, t.with_spend);
    cells.set(`process.told_comparison[${i}].~without_spend`, t.n - t.with_spend);
    relations.push({
      total: `process.told_comparison[${i}].n`,
      parts: [`process.told_comparison[${i}].with_spend`, `process.told_comparison[${i}].~without_spend`],
    });
  });

  if (!suppress) {
    m.suppression.note =
      'Small-count suppression was switched off (--no-suppress): counts under 5 are shown. Do not publish this version.';
    return;
  }
  void arms;
  const res = suppressCells(cells, relations, shown);
  const visible = [...res.suppressed].filter((k) => !k.includes('~')).sort();
  m.suppression.cells = visible;
  m.suppression.secondary = res.secondary.filter((k) => !k.includes('~')).sort();
  for (const key of res.suppressed) {
    if (key.includes('~')) continue;
    setNull(m as unknown as Record<string, unknown>, key);
  }
  // Every number from which a suppressed re-offender count could be worked out goes too: the arm's
  // rate and interval, the headline's rates and estimate, the re-offending effects and the
  // Kaplan-Meier values of that comparison.
  const derived: string[] = [];
  const hiddenOutcome = (prefix: string, list: AnalyseArm[]) =>
    list.some(
      (_, i) =>
        res.suppressed.has(`${prefix}[${i}].reoffenders`) || res.suppressed.has(`${prefix}[${i}].~non_reoffenders`),
    );
  const blank = (e: EffectRow) =>
    Object.assign(e, {
      estimate: null,
      std_error: null,
      conf_low: null,
      conf_high: null,
      statistic: null,
      p_value: null,
      method: `${e.method} [suppressed: it would reveal a count under 5]`,
    });
  if (hiddenOutcome('arms', m.arms)) {
    // The re-offence count and mean re-offences per person give a lone re-offender away as surely as the rate.
    m.arms.forEach((a) => Object.assign(a, { binary_rate: null, reoffences: null, frequency_per_offender: null }));
    m.rates.forEach((r) => Object.assign(r, { rate: null, conf_low: null, conf_high: null }));
    const h = m.headline;
    Object.assign(h, {
      estimate: null,
      std_error: null,
      conf_low: null,
      conf_high: null,
      statistic: null,
      p_value: null,
      per_100: null,
      per_100_conf_low: null,
      per_100_conf_high: null,
      rate_treatment: null,
      rate_control: null,
      sensitivity: [],
    });
    m.effects = m.effects.map((e) =>
      ['reoffended', 'reoffences', 'days_to_reoffence'].includes(e.outcome) ? blank({ ...e }) : e,
    );
    m.km = [];
    derived.push(
      m.missing_data
        ? 're-offending rates, effects, Kaplan-Meier estimates and the missing-data analysis'
        : 're-offending rates, effects and Kaplan-Meier estimates',
    );
    m.missing_data = null;
  }
  // Subgroup rows carry their cell counts: a cell of 1-4 re-offenders (or non-re-offenders) hides the row.
  let hiddenSubgroupRows = 0;
  m.effects = m.effects.map((e) => {
    const c = e.counts;
    if (
      !c ||
      ![c.events_treatment, c.n_treatment - c.events_treatment, c.events_control, c.n_control - c.events_control].some(
        isSmall,
      )
    )
      return e;
    hiddenSubgroupRows++;
    return blank({ ...e });
  });
  if (hiddenSubgroupRows)
    derived.push(
      `${hiddenSubgroupRows} subgroup estimate${hiddenSubgroupRows === 1 ? '' : 's'} with a cell of fewer than 5 people`,
    );
  m.subgroups.forEach((s, j) => {
    if (!hiddenOutcome(`subgroups[${j}].arms`, s.arms)) return;
    s.arms.forEach((a) => Object.assign(a, { binary_rate: null }));
    s.effects = s.effects.map((e) => blank({ ...e }));
    derived.push(`the ${s.name} comparison`);
  });
  const ma = m.multi_arm;
  if (ma && hiddenOutcome('multi_arm.arms', ma.arms)) {
    // As the main table: a suppressed re-offender count hides every re-offending number of the arms.
    ma.arms.forEach((a) => Object.assign(a, { binary_rate: null, reoffences: null, frequency_per_offender: null }));
    const reoff = (e: EffectRow) =>
      ['reoffended', 'reoffences', 'days_to_reoffence'].includes(e.outcome) ? blank({ ...e }) : e;
    ma.effects = ma.effects.map(reoff);
    ma.global = ma.global.map(reoff);
    derived.push('the re-offending effects of each arm against control');
  }
  m.suppression.note = visible.length
    ? `Counts of 1 to 4 people with an outcome or attribute are shown as "<5"; where a total would let a reader work one out, a second count is hidden too and shown as "[c]" (${visible.length} cell${visible.length === 1 ? '' : 's'} in this report)${derived.length ? `; so are the numbers a count could be worked out from (${derived.join('; ')})` : ''}. Flow counts (randomised, allocated, received, pending, lost, analysed) are always shown, as CONSORT requires.`
    : 'Counts of 1 to 4 people with an outcome or attribute would be shown as "<5"; none occur in this report. Flow counts are always shown, as CONSORT requires.';
}

/** Sets a path like `consort.arms[0].lost` to null. */
function setNull(root: Record<string, unknown>, path: string): void {
  const parts = path.split('.').flatMap((p) => {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(p);
    if (!m) return [p];
    const idx = [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [m[1]!, ...idx];
  });
  let cur: unknown = root;
  for (let i = 0; i < parts.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string | number, unknown>)[parts[i]!];
  }
  if (cur !== null && typeof cur === 'object') {
    const last = parts[parts.length - 1]!;
    if (last in (cur as object)) (cur as Record<string | number, unknown>)[last] = null;
  }
}

/** The report's multi-arm section. */
export interface MultiArmModel {
  control: string;
  treatments: string[];
  /** The headline's treatment arm (the pre-specified primary contrast). */
  primary_treatment: string;
  sub_arm: string | null;
  /** Control first, then each treatment arm. */
  arms: AnalyseArm[];
  /** One `global_test` row per outcome. */
  global: EffectRow[];
  /** Each arm against control: the main measure(s) of each outcome, rows carrying `arm`. */
  effects: EffectRow[];
  note: string;
}

/** Measures of each arm against control that the report tabulates (the rest stay in analyse --json). */
const MULTI_ARM_MEASURES = [
  'risk_difference',
  'odds_ratio',
  'cluster_robust_odds_ratio',
  'rate_ratio',
  'hazard_ratio',
  'hedges_g',
];

function multiArmModel(x: NonNullable<AnalyseResult['multi_arm']>): MultiArmModel {
  const effects = x.effects.filter(
    (e) => e.comparison !== undefined && e.subgroup === undefined && MULTI_ARM_MEASURES.includes(e.measure),
  );
  const order = (e: EffectRow) => x.treatments.indexOf(e.comparison!);
  effects.sort((p, q) => order(p) - order(q));
  const split = x.sub_arm
    ? ` (the ${x.sub_arm.replace(/_/g, ' ')} column splits the ${x.primary_treatment} arm into ${x.treatments.map((t) => t.replace(/_/g, ' ')).join(' and ')})`
    : '';
  return {
    control: x.control,
    treatments: [...x.treatments],
    primary_treatment: x.primary_treatment,
    sub_arm: x.sub_arm,
    arms: x.arms.map((a) => ({ ...a })),
    global: x.effects.filter((e) => e.measure === 'global_test').map((e) => ({ ...e })),
    effects: effects.map((e) => ({ ...e })),
    note: `The headline is the pre-specified primary contrast, ${x.primary_treatment} against ${x.control}. The trial has ${x.treatments.length + 1} arms${split}: each is compared with ${x.control} by the same two-arm analysis, and a global test asks whether any arm differs. These comparisons are secondary and do not change the verdict.`,
  };
}
