/**
 * The report as an ordered list of content blocks (section order of docs/reference/reports.md#what-a-report-contains). The html and
 * Markdown renderers walk the same blocks, so both carry the same content; only pictures differ
 * (inline SVG in html, a sentence in Markdown).
 */
import type { ReportModel } from '../core/report/build-report.js';
import { digitsFor, eff, estimateInterval, fixed, gbp, num1, pct } from '../core/report/format.js';
import { MEASURE_NAMES, MEASURES, isRatioMeasure, measureInfo } from '../core/analysis/measures.js';
import { nullValue } from '../core/analysis/verdict.js';
import { COST_RATING_WORDS } from '../core/report/cost-rating.js';
import type { EffectRow } from '../core/report/types.js';
import { consortSvg } from './svg/consort-diagram.js';
import { forestSvg, type ForestRow } from './svg/forest-plot.js';
import { kmSvg } from './svg/km-plot.js';
import { ratesSvg } from './svg/rates-chart.js';
import { trafficLightsSvg } from './svg/traffic-lights.js';

export type Block =
  | { kind: 'h1'; text: string }
  | { kind: 'h2'; text: string; id: string }
  | { kind: 'h3'; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'callout'; text: string; tone: 'info' | 'warn' }
  | { kind: 'list'; items: string[]; ordered?: boolean }
  | { kind: 'table'; header: string[]; rows: string[][]; align?: Array<'l' | 'r'>; caption?: string }
  | { kind: 'figure'; svg: string; caption: string; text: string }
  | { kind: 'code'; text: string };

/** Suppressed counts: "<5" for a count of 1-4, "[c]" for a larger count hidden so the small one cannot be worked out. */
function supFor(secondaryCells: ReadonlySet<string>) {
  return (n: number | null | undefined, path?: string): string => {
    if (n !== null && n !== undefined) return n.toLocaleString('en-GB');
    return path !== undefined && secondaryCells.has(path) ? '[c]' : '<5';
  };
}
/** A flow count (always published). */
const flow = (n: number | null | undefined): string =>
  n === null || n === undefined ? 'n/a' : n.toLocaleString('en-GB');
const padlockText = (n: number) => `${'🔒'.repeat(n)}${n === 0 ? '0' : ''} (${n}/5)`;
export const PADLOCK = padlockText;

const OUTCOME_WORDS: Record<string, string> = {
  reoffended: 'Proven re-offending',
  reoffences: 'Number of re-offences',
  days_to_reoffence: 'Time to first re-offence',
  severity: 'Severity of re-offending',
};

export function measureLabel(m: string): string {
  return measureInfo(m)?.label ?? m.replace(/_/g, ' ');
}

export function outcomeLabel(o: string): string {
  return Object.hasOwn(OUTCOME_WORDS, o) ? OUTCOME_WORDS[o]! : o.replace(/_/g, ' ');
}

function pText(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '';
  return p < 0.001 ? '<0.001' : fixed(p, 3);
}

/** Decimal places for a row: the measure's usual, more where the interval would seem to contradict itself. */
function rowDigits(e: EffectRow): number {
  const base = measureInfo(e.measure)?.digits ?? 2;
  if (e.conf_low === null || e.conf_high === null) return base;
  return digitsFor(e.conf_low, e.conf_high, base, nullValue(e.measure));
}

function effectValue(e: EffectRow, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (measureInfo(e.measure)?.percent) return pct(v);
  return fixed(v, rowDigits(e));
}

function effectRows(effects: EffectRow[]): string[][] {
  return effects.map((e) => [
    outcomeLabel(e.outcome),
    measureLabel(e.measure) +
      (e.arm ? ` (${e.arm})` : '') +
      (e.subgroup ? ` [${e.subgroup.replace('=', ': ')}${e.exploratory ? ', exploratory' : ', pre-specified'}]` : ''),
    e.method.endsWith('[suppressed: it would reveal a count under 5]') ? 'suppressed' : effectValue(e, e.estimate),
    e.conf_low !== null && e.conf_high !== null
      ? `${effectValue(e, e.conf_low)} to ${effectValue(e, e.conf_high)}`
      : '',
    pText(e.p_value),
  ]);
}

/** The short name of a global test from its method text. */
function globalTestName(method: string): string {
  if (/robust score/.test(method)) return 'Robust score chi-square (Cox, clustered)';
  if (/cluster-robust Wald/.test(method)) return 'Cluster-robust Wald chi-square';
  if (/Pearson chi-square/.test(method)) return 'Pearson chi-square';
  if (/likelihood-ratio/.test(method)) return 'Likelihood-ratio chi-square (Poisson)';
  if (/log-rank/.test(method)) return 'Log-rank chi-square';
  if (/analysis of variance/.test(method)) return 'One-way ANOVA F';
  return 'Global test';
}

/** Section 4's "Each arm against control": the arms' rates, the global tests and each arm's effects. */
function multiArmBlocks(
  x: NonNullable<ReportModel['multi_arm']>,
  sup: (n: number | null | undefined, path?: string) => string,
): Block[] {
  const b: Block[] = [
    { kind: 'h3', text: 'Each arm against control' },
    { kind: 'p', text: x.note },
  ];
  b.push({
    kind: 'table',
    header: ['Arm', 'n analysed', 'Re-offenders', 'Rate'],
    align: ['l', 'r', 'r', 'r'],
    rows: x.arms.map((a, i) => [
      a.arm.replace(/_/g, ' '),
      flow(a.n_analysed),
      sup(a.reoffenders, `multi_arm.arms[${i}].reoffenders`),
      a.binary_rate === null ? (a.reoffenders === null ? '[c]' : 'n/a') : pct(a.binary_rate),
    ]),
  });
  const suppressed = (e: EffectRow) => e.method.endsWith('[suppressed: it would reveal a count under 5]');
  if (x.global.length) {
    b.push({
      kind: 'table',
      header: ['Outcome', 'Global test (no difference between any arm)', 'Statistic', 'df', 'p'],
      align: ['l', 'l', 'r', 'r', 'r'],
      rows: x.global.map((e) => [
        outcomeLabel(e.outcome),
        globalTestName(e.method),
        suppressed(e) ? 'suppressed' : e.statistic === null ? 'n/a' : fixed(e.statistic, 2),
        e.df === undefined ? '' : String(e.df),
        pText(e.p_value),
      ]),
      caption: 'Unadjusted tests across all arms together.',
    });
  }
  if (x.effects.length) {
    b.push({
      kind: 'table',
      header: ['Arm', 'Outcome', 'Measure', 'Estimate', '95% CI', 'p'],
      align: ['l', 'l', 'l', 'r', 'r', 'r'],
      rows: x.effects.map((e) => [(e.arm ?? '').replace(/_/g, ' '), ...effectRows([{ ...e, arm: undefined }])[0]!]),
      caption: `Each arm versus ${x.control}: differences are the arm minus ${x.control}, ratios the arm over ${x.control}.`,
    });
  }
  return b;
}

function forestRows(effects: EffectRow[], ratio: boolean): ForestRow[] {
  const wanted = MEASURE_NAMES.filter((m) => MEASURES[m].charts.report && isRatioMeasure(m) === ratio);
  const out: ForestRow[] = [];
  for (const m of wanted) {
    for (const e of effects.filter((x) => x.measure === m && x.arm === undefined && x.subgroup === undefined)) {
      if (e.estimate === null || e.conf_low === null || e.conf_high === null) continue;
      if (ratio && !(e.conf_low > 0)) continue;
      out.push({
        label: `${outcomeLabel(e.outcome)}: ${measureLabel(m)}`,
        estimate: e.estimate,
        conf_low: e.conf_low,
        conf_high: e.conf_high,
        ratio,
      });
    }
  }
  return out;
}

const VERDICT_WORDS = {
  significant_reduction: 'Reduction in re-offending',
  significant_increase: 'Increase in re-offending',
  inconclusive: 'Inconclusive: more people would be needed',
} as const;

export function reportBlocks(m: ReportModel): Block[] {
  const sup = supFor(new Set(m.suppression.secondary));
  const b: Block[] = [];
  const h = m.headline;
  const pilot = m.stage === 'pilot';
  b.push({ kind: 'h1', text: m.title });
  b.push({
    kind: 'p',
    text: `${m.concept_id > 0 ? `Concept ${m.concept_id} (${m.concept})` : m.concept_name}, ${m.stage} stage. Unit of randomisation: ${m.methods.unit_label}.`,
  });
  if (m.outcomes.pending > 0) {
    b.push({
      kind: 'callout',
      tone: 'warn',
      text: `Interim: ${m.outcomes.pending} people are pending, their outcome window still open at the data extract date ${m.outcomes.as_of}. Every outcome will be complete by ${m.outcomes.complete_by}.`,
    });
  }
  if (!m.suppression.applied)
    b.push({
      kind: 'callout',
      tone: 'warn',
      text: 'Not for publication: small-count suppression was switched off, so counts of 1 to 4 people are shown.',
    });
  if (pilot)
    b.push({
      kind: 'callout',
      tone: 'warn',
      text: 'Pilot report: this report leads with feasibility. Re-offending figures are indicative only, with wide intervals, and carry no verdict.',
    });

  // 1. Executive summary
  b.push({ kind: 'h2', text: '1. Executive summary', id: 'summary' });
  const isRd = h.measure === 'risk_difference';
  const perText =
    h.per_100 !== null && h.per_100_conf_low !== null && h.per_100_conf_high !== null
      ? estimateInterval(h.per_100, h.per_100_conf_low, h.per_100_conf_high, 1)
      : h.n_treatment !== null
        ? 'suppressed'
        : 'n/a';
  const withheld = h.n_treatment !== null && h.estimate === null ? 'suppressed (would reveal a count under 5)' : 'n/a';
  const effText =
    h.estimate !== null && h.conf_low !== null && h.conf_high !== null
      ? estimateInterval(h.estimate, h.conf_low, h.conf_high, 2, nullValue(h.measure))
      : withheld;
  b.push({
    kind: 'table',
    caption: 'Headline result: the pre-specified primary analysis',
    header: [
      'Outcome',
      `Effect: ${measureLabel(h.measure).toLowerCase()} (95% CI)`,
      ...(isRd ? ['For every 100 people (95% CI)'] : []),
      'n analysed (treatment; control)',
      'Security rating',
      'Cost rating',
    ],
    rows: [
      [
        outcomeLabel(h.outcome) +
          (h.outcome === 'reoffended' ? ` within ${m.methods.follow_up_days} days` : '') +
          (pilot ? ' (indicative only)' : ''),
        effText,
        ...(isRd ? [perText] : []),
        h.n_treatment === null ? 'n/a' : `${flow(h.n_treatment)}; ${flow(h.n_control)}`,
        pilot ? `not rated at pilot stage (${m.security.padlocks}/5 for reference)` : padlockText(m.security.padlocks),
        m.cost.rating === null
          ? 'n/a'
          : `${'£'.repeat(m.cost.rating)} ${m.cost.rating}/5 (${COST_RATING_WORDS[m.cost.rating - 1]})`,
      ],
    ],
  });
  if (h.n_treatment !== null) b.push({ kind: 'p', text: `Primary analysis: ${h.method.replace(/\.$/, '')}.` });
  if (m.multi_arm)
    b.push({
      kind: 'p',
      text: `The headline compares ${m.multi_arm.primary_treatment} with ${m.multi_arm.control}, the pre-specified primary contrast; the trial has ${m.multi_arm.treatments.length + 1} arms, and each of ${m.multi_arm.treatments
        .map((t) => t.replace(/_/g, ' '))
        .join(', ')
        .replace(
          /, ([^,]*)$/,
          ' and $1',
        )} against ${m.multi_arm.control} is in section 4 ("Each arm against control").`,
    });
  if (!pilot && h.verdict) b.push({ kind: 'p', text: `Verdict: ${VERDICT_WORDS[h.verdict]}.` });
  b.push({ kind: 'h3', text: 'Key conclusions' });
  b.push({ kind: 'list', ordered: true, items: m.key_conclusions });
  if (pilot && m.feasibility) {
    b.push({ kind: 'h3', text: 'Progression criteria' });
    b.push({
      kind: 'figure',
      svg: trafficLightsSvg(m.feasibility.progression),
      caption: 'Progression criteria as traffic lights (thresholds from the trial file).',
      text: m.feasibility.progression.map((i) => `${i.label}: ${i.status.replace('_', ' ')}`).join('; ') + '.',
    });
    b.push(progressionTable(m));
    b.push({ kind: 'p', text: `Decision: ${m.feasibility.decision.text}` });
  }

  // 2. Introduction
  b.push({ kind: 'h2', text: '2. Introduction', id: 'introduction' });
  b.push({ kind: 'p', text: m.introduction.description });
  b.push({ kind: 'p', text: `Theory of change: ${m.introduction.theory_of_change}` });
  b.push({ kind: 'p', text: `Population: ${m.introduction.population}.` });
  b.push({ kind: 'p', text: `Stage: ${m.introduction.stage_description}` });
  b.push({
    kind: 'table',
    header: ['Arm', 'What it receives'],
    rows: m.introduction.arms.map((a) => [a.arm, a.description]),
  });
  b.push({ kind: 'h3', text: 'Research questions' });
  b.push({ kind: 'list', ordered: true, items: m.introduction.research_questions });

  // 3. Methods
  b.push({ kind: 'h2', text: '3. Methods', id: 'methods' });
  const r = m.methods.randomisation;
  const md = m.methods.mdes;
  b.push({
    kind: 'table',
    header: ['Item', 'Detail'],
    rows: [
      [
        'Design',
        m.methods.design.replace(/_/g, ' ') +
          (m.methods.unit === 'cluster' ? ' (cluster randomised)' : ' (individually randomised)'),
      ],
      [
        'Unit of randomisation',
        m.methods.unit_label + (m.methods.cluster_column ? ` (column "${m.methods.cluster_column}")` : ''),
      ],
      [
        'Randomisation',
        `method ${r.method}${r.seed !== null ? `, seed ${r.seed}` : ''}${r.unit ? `, unit ${r.unit}` : ''}`,
      ],
      [
        'Sample',
        `${flow(m.consort.randomised)} people randomised${m.consort.clusters_randomised !== null ? ` in ${m.consort.clusters_randomised} ${m.methods.cluster_noun}s` : ''}${m.methods.target_recruitment ? `; target ${m.methods.target_recruitment}` : ''}`,
      ],
      [
        'Minimum detectable effect',
        md
          ? `logit d ${eff(md.logit_d)}: a fall from ${pct(md.control_rate)} to ${pct(md.detectable_rate)} re-offending (80% power, 5% two-sided, ${md.n_treatment} treatment and ${md.n_control} control${md.design_effect > 1 ? `, design effect ${eff(md.design_effect)}` : ''}; ${md.method})`
          : 'not computed (no outcome data or sizes)',
      ],
      [
        'Follow-up',
        `${m.methods.follow_up_days} days from the start date, plus ${m.methods.waiting_days} days for offences to be proven`,
      ],
      ['Analysis', m.methods.analysis_model],
    ],
  });
  b.push({ kind: 'h3', text: 'Outcome definitions' });
  b.push({ kind: 'list', items: m.methods.outcome_definitions });

  // 4. Impact evaluation
  b.push({ kind: 'h2', text: pilot ? '4. Outcomes (indicative only)' : '4. Impact evaluation', id: 'impact' });
  b.push({ kind: 'h3', text: 'Participant flow' });
  b.push({
    kind: 'figure',
    svg: consortSvg(m.consort, m.methods.unit === 'cluster' ? m.methods.cluster_noun : null),
    caption: 'CONSORT flow diagram.',
    text: 'The CONSORT flow diagram is in the html report; the counts are in the table below.',
  });
  b.push({
    kind: 'table',
    header: [
      'Arm',
      'Allocated',
      'Received allocated intervention',
      'Pending (window still open)',
      'Lost / withdrew',
      'Analysed',
      ...(m.methods.unit === 'cluster' ? ['Clusters allocated', 'Clusters analysed'] : []),
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: m.consort.arms.map((a) => [
      a.arm,
      flow(a.allocated),
      a.received === null ? 'not recorded' : flow(a.received),
      flow(a.pending),
      flow(a.lost),
      flow(a.analysed),
      ...(m.methods.unit === 'cluster' ? [String(a.clusters_allocated ?? ''), String(a.clusters_analysed ?? '')] : []),
    ]),
  });
  if (m.consort.sub_arms.length) {
    b.push({
      kind: 'p',
      text: `Nested allocation: ${m.consort.sub_arms.map((s) => `${s.arm} / ${s.sub_arm.replace(/_/g, ' ')}: ${flow(s.allocated)}`).join('; ')}.`,
    });
  }
  if (m.attrition) {
    b.push({
      kind: 'p',
      text: `Attrition: ${pct(m.attrition.overall)} of randomised people whose outcome was due were not analysed${m.consort.pending > 0 ? ` (the ${m.consort.pending} pending people are not attrition)` : ''}${m.attrition.differential !== null ? `; the difference between arms was ${fixed(100 * m.attrition.differential, 1)} percentage points` : ''}.`,
    });
  }
  if (m.missing_data) {
    const md = m.missing_data;
    b.push({ kind: 'h3', text: 'Missing data' });
    b.push({
      kind: 'table',
      header: ['Arm', 'People due an outcome', 'Outcome missing', 'A covariate missing'],
      align: ['l', 'r', 'r', 'r'],
      rows: md.summary.by_arm.map((x) => [x.arm, flow(x.n), flow(x.outcome_missing), flow(x.covariate_missing)]),
      caption:
        'The primary analysis uses complete cases; multiple imputation is the pre-specified sensitivity analysis.',
    });
    b.push({ kind: 'p', text: md.finding });
  }
  if (m.balance.length) {
    b.push({ kind: 'h3', text: 'Balance at baseline' });
    b.push({
      kind: 'table',
      header: ['Covariate', 'Mean (control)', 'Mean (treatment)', 'Standardised mean difference'],
      align: ['l', 'r', 'r', 'r'],
      rows: m.balance.map((x) => [
        x.covariate.replace(/_/g, ' '),
        x.mean_control === null ? '' : fixed(x.mean_control, 2),
        x.mean_treatment === null ? '' : fixed(x.mean_treatment, 2),
        x.smd === null ? '' : eff(x.smd),
      ]),
      caption: 'SMD = (mean treatment - mean control) / sqrt((var treatment + var control) / 2); reported, not tested.',
    });
  }
  if (m.arms.length) {
    b.push({ kind: 'h3', text: 'Re-offending by arm' });
    const bars = m.rates;
    b.push({
      kind: 'figure',
      svg: ratesSvg(bars, 'Proven re-offending by arm'),
      caption: 'Proven re-offending rate by arm with 95% Wilson intervals.',
      text: bars.map((x) => `${x.arm}: ${x.rate === null ? 'suppressed' : pct(x.rate)}`).join('; ') + '.',
    });
    b.push({
      kind: 'table',
      header: ['Arm', 'n analysed', 'Re-offenders', 'Rate', 'Re-offences per person'],
      align: ['l', 'r', 'r', 'r', 'r'],
      rows: m.arms.map((a, i) => [
        a.arm,
        flow(a.n_analysed),
        sup(a.reoffenders, `arms[${i}].reoffenders`),
        a.binary_rate === null ? (a.reoffenders === null ? '[c]' : 'n/a') : pct(a.binary_rate),
        a.frequency_per_offender == null ? '' : fixed(a.frequency_per_offender, 2),
      ]),
    });
  }
  if (m.effects.length) {
    b.push({ kind: 'h3', text: pilot ? 'Indicative effects' : 'Results for every outcome' });
    b.push({
      kind: 'table',
      header: ['Outcome', 'Measure', 'Estimate', '95% CI', 'p'],
      align: ['l', 'l', 'r', 'r', 'r'],
      rows: effectRows(m.effects),
      caption:
        'Effects are treatment versus control: differences are treatment minus control, ratios treatment over control.',
    });
    const diffs = forestRows(m.effects, false);
    if (diffs.length)
      b.push({
        kind: 'figure',
        svg: forestSvg(diffs, 'Forest plot of differences'),
        caption: 'Effects on the difference scale with 95% intervals.',
        text: 'Forest plot in the html report.',
      });
    const ratios = forestRows(m.effects, true);
    if (ratios.length)
      b.push({
        kind: 'figure',
        svg: forestSvg(ratios, 'Forest plot of ratios'),
        caption: 'Ratio effects (log scale) with 95% intervals.',
        text: 'Forest plot in the html report.',
      });
  } else {
    b.push({ kind: 'p', text: 'No re-offending outcomes were supplied, so no effects are reported.' });
  }
  if (h.sensitivity.length) {
    b.push({ kind: 'h3', text: 'Sensitivity analyses' });
    const off = h.sensitivity.filter((x) => !x.agrees).length;
    b.push({
      kind: 'p',
      text: `The primary outcome estimated in other ways (unadjusted, individual-level, or on another scale); the verdict comes from the pre-specified primary analysis alone. ${off ? `${off} of ${h.sensitivity.length} disagree with it in direction or significance.` : 'All agree with it.'}`,
    });
    b.push({
      kind: 'table',
      header: ['Outcome', 'Measure', 'Estimate', '95% CI', 'p', 'Agrees with the primary analysis'],
      align: ['l', 'l', 'r', 'r', 'r', 'l'],
      rows: h.sensitivity.map((x) => {
        const row = {
          outcome: x.outcome,
          measure: x.measure,
          estimate: x.estimate,
          std_error: null,
          conf_low: x.conf_low,
          conf_high: x.conf_high,
          statistic: null,
          p_value: x.p_value,
          method: x.method,
        };
        return [...effectRows([row]).flat(), x.agrees ? 'yes' : `no (${x.verdict.replace(/_/g, ' ')})`];
      }),
    });
  }
  if (m.km.length) {
    b.push({ kind: 'h3', text: 'Time to first re-offence' });
    b.push({
      kind: 'figure',
      svg: kmSvg(m.km, m.methods.follow_up_days, 'Kaplan-Meier curves'),
      caption: 'Kaplan-Meier estimate of the share not yet re-offended, by arm.',
      text: 'Kaplan-Meier curves in the html report; estimates at days 90, 182 and 365 are in the effects table.',
    });
  }
  if (m.multi_arm) b.push(...multiArmBlocks(m.multi_arm, sup));
  for (const [si, s] of m.subgroups.entries()) {
    b.push({ kind: 'h3', text: `Sub-group: ${s.name}` });
    b.push({ kind: 'p', text: s.description });
    if (s.arms.length) {
      b.push({
        kind: 'table',
        header: ['Group', 'n analysed', 'Re-offenders', 'Rate'],
        align: ['l', 'r', 'r', 'r'],
        rows: s.arms.map((a, i) => [
          a.arm.replace(/_/g, ' '),
          sup(a.n_analysed, `subgroups[${si}].arms[${i}].n_analysed`),
          sup(a.reoffenders, `subgroups[${si}].arms[${i}].reoffenders`),
          a.binary_rate === null ? '[c]' : pct(a.binary_rate),
        ]),
      });
    }
    const rows = s.effects.filter((e) => ['risk_difference', 'per_100', 'odds_ratio'].includes(e.measure));
    if (rows.length)
      b.push({
        kind: 'table',
        header: ['Outcome', 'Measure', 'Estimate', '95% CI', 'p'],
        align: ['l', 'l', 'r', 'r', 'r'],
        rows: effectRows(rows),
      });
  }
  if (m.methods.icc !== null) {
    b.push({
      kind: 'p',
      text: `Clustering: ICC ${fixed(m.methods.icc, 3)}${m.methods.design_effect !== null ? `, design effect ${eff(m.methods.design_effect)}` : ''}.`,
    });
  }

  // 5. Implementation and process evaluation
  b.push({ kind: 'h2', text: '5. Implementation and process evaluation', id: 'process' });
  const pe: string[] = [];
  if (m.process.fidelity !== null) pe.push(`Fidelity: mean checklist score ${pct(m.process.fidelity)}.`);
  if (m.process.engagement !== null)
    pe.push(`Dosage and engagement: ${pct(m.process.engagement)} of offered sessions were attended (treatment arm).`);
  if (m.process.compliance !== null)
    pe.push(`Compliance: ${pct(m.process.compliance)} of the treatment arm received the intervention.`);
  if (pe.length) b.push({ kind: 'list', items: pe });
  for (const n of m.process.concept_notes) b.push({ kind: 'p', text: n });
  if (pilot && m.feasibility) {
    const f = m.feasibility.measures;
    b.push({
      kind: 'table',
      header: ['Feasibility measure', 'Value'],
      align: ['l', 'r'],
      rows: [
        ['Randomised', `${flow(f.randomised)}${f.target_recruitment ? ` of ${f.target_recruitment} targeted` : ''}`],
        ['Consent', pct(f.consent)],
        ['Retention', pct(f.retention)],
        ['Engagement (sessions attended / offered)', pct(f.engagement)],
        ['Fidelity', pct(f.fidelity)],
        ['Fund take-up', pct(f.fund_take_up)],
      ].filter((row) => row[1] !== 'n/a'),
    });
  }
  if (m.process.measures.length) {
    b.push({ kind: 'h3', text: 'Process measures' });
    b.push({
      kind: 'table',
      header: ['Measure', 'Level', 'Arm', 'Units', 'Mean', 'SD', 'Median', 'Range'],
      align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
      rows: m.process.measures.map((x) => {
        const f = x.measure.endsWith('_gbp') ? gbp : num1;
        return [x.label, x.level, x.arm, String(x.n), f(x.mean), f(x.sd), f(x.median), `${f(x.min)} to ${f(x.max)}`];
      }),
    });
  }
  if (m.process.told_comparison) {
    b.push({ kind: 'h3', text: 'Told vs not told the fund amount' });
    b.push({
      kind: 'table',
      header: ['Group', 'People', 'With any spend', 'Mean spend per person'],
      align: ['l', 'r', 'r', 'r'],
      rows: m.process.told_comparison.map((t, i) => [
        t.group,
        flow(t.n),
        sup(t.with_spend, `process.told_comparison[${i}].with_spend`),
        t.mean_spend_gbp === null ? 'n/a' : gbp(t.mean_spend_gbp),
      ]),
    });
  }
  if (m.process.themes) {
    const t = m.process.themes;
    b.push({ kind: 'h3', text: 'Qualitative findings' });
    b.push({
      kind: 'p',
      text: `${t.coded_excerpts} coded excerpts from ${sup(t.participants, 'process.themes.participants')} participants. The framework matrix shows, for each theme, how many distinct participants of each source raised it.`,
    });
    b.push({
      kind: 'table',
      header: ['Theme', ...t.sources.map((s) => s.replace(/_/g, ' ')), 'Total'],
      align: ['l', ...t.sources.map(() => 'r' as const), 'r'],
      rows: t.rows.map((row, i) => [
        row.theme.replace(/_/g, ' '),
        ...row.participants.map((n, j) => sup(n, `process.themes.rows[${i}].participants[${j}]`)),
        sup(row.total_participants, `process.themes.rows[${i}].total_participants`),
      ]),
    });
    const quotes = t.rows.flatMap((row) =>
      row.excerpts.map((e) => `${row.theme.replace(/_/g, ' ')} (${e.source.replace(/_/g, ' ')}): "${e.text}"`),
    );
    if (quotes.length) {
      b.push({ kind: 'p', text: 'Illustrative excerpts (at most two per theme):' });
      b.push({ kind: 'list', items: quotes });
    }
  } else if (pilot) {
    b.push({
      kind: 'p',
      text: 'No themes file was supplied: in a pilot the qualitative findings are the main evidence, so this is a gap.',
    });
  }

  // 6. Cost
  b.push({ kind: 'h2', text: '6. Cost', id: 'cost' });
  const cs = m.cost;
  if (cs.items === 0) b.push({ kind: 'p', text: 'No costs file was supplied.' });
  else {
    b.push({
      kind: 'table',
      header: ['Cost', 'Total', 'Per participant'],
      align: ['l', 'r', 'r'],
      rows: [
        ['Start-up (one-off)', gbp(cs.start_up_gbp), gbp(cs.start_up_per_participant_gbp)],
        ['Recurring', gbp(cs.recurring_gbp), gbp(cs.recurring_per_participant_gbp)],
        ...cs.by_category.map((x) => [
          `  of which ${x.category.replace(/_/g, ' ')}`,
          gbp(x.amount_gbp),
          gbp(x.per_participant_gbp),
        ]),
        ['Total', gbp(cs.total_gbp), gbp(cs.per_participant_gbp)],
      ],
    });
    b.push({
      kind: 'p',
      text: `${cs.note} Cost rating: ${cs.rating ?? 'n/a'}/5${cs.rating_words ? ` (${cs.rating_words})` : ''}.`,
    });
  }
  if (m.process.fund_use) {
    const f = m.process.fund_use;
    b.push({
      kind: 'h3',
      text: f.measure === 'fund_spend_gbp' ? 'What the Enabling Fund bought' : 'What the grants paid for',
    });
    b.push({
      kind: 'table',
      header: ['Category', 'Units with spend', 'Amount', 'Share'],
      align: ['l', 'r', 'r', 'r'],
      rows: f.categories.map((x, i) => [
        x.category.replace(/_/g, ' '),
        sup(x.units, `process.fund_use.categories[${i}].units`),
        gbp(x.amount_gbp),
        pct(x.amount_gbp / f.total_gbp),
      ]),
    });
  }

  // 7. Conclusion
  b.push({ kind: 'h2', text: '7. Conclusion', id: 'conclusion' });
  for (const c of m.conclusion) b.push({ kind: 'p', text: c });
  b.push({ kind: 'h3', text: 'Limitations' });
  b.push({ kind: 'list', items: m.limitations });

  // 8. Appendices
  b.push({ kind: 'h2', text: '8. Appendices', id: 'appendices' });
  b.push({ kind: 'h3', text: `A. Security rating: ${m.security.padlocks} of 5 padlocks` });
  b.push({ kind: 'list', items: m.security.reasons });
  b.push({ kind: 'h3', text: 'B. Randomisation record' });
  b.push({
    kind: 'table',
    header: ['Item', 'Value'],
    rows: [
      ['Method', r.method],
      ['Seed', r.seed === null ? 'not recorded' : String(r.seed)],
      ['Allocation sha256', r.allocation_sha256 ?? 'not recorded'],
    ],
  });
  b.push({ kind: 'h3', text: 'C. Software and inputs' });
  b.push({ kind: 'p', text: `pilot-eval ${m.appendix.software_version}. Command that produced this report:` });
  b.push({ kind: 'code', text: m.appendix.command });
  if (m.appendix.inputs.length)
    b.push({
      kind: 'table',
      header: ['Input', 'File', 'sha256'],
      rows: m.appendix.inputs.map((i) => [i.role, i.file, i.sha256]),
    });
  b.push({ kind: 'h3', text: 'D. Disclosure control' });
  b.push({ kind: 'p', text: m.suppression.note });
  return b;
}

function progressionTable(m: ReportModel): Block {
  const items = m.feasibility!.progression;
  return {
    kind: 'table',
    header: ['Criterion', 'Value', 'Green from', 'Amber from', 'Status', 'Basis'],
    align: ['l', 'r', 'r', 'r', 'l', 'l'],
    rows: items.map((i) => [
      i.label,
      i.value === null ? 'not measured' : pct(i.value),
      pct(i.green),
      pct(i.amber),
      i.status.replace('_', ' ').toUpperCase(),
      i.basis,
    ]),
  };
}
