/**
 * The renderers on a hand-made report input (a small concept-2 pilot): JSON fields as
 * docs/reference/json.md#report, html self-containment, small-count suppression, and a Markdown snapshot.
 */
import type { Measure } from '../core/analysis/measures.js';
import { describe, expect, it } from 'vitest';
import { findConcept } from '../core/concepts.js';
import { buildReport } from '../core/report/build-report.js';
import type { AnalyseResult, ReportCase, ReportInput } from '../core/report/types.js';
import { defaultTrialConfig } from '../io/trial-file.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-md.js';

function cases(): ReportCase[] {
  const out: ReportCase[] = [];
  for (let i = 0; i < 22; i++) {
    const treated = i < 12;
    out.push({
      id: `PX${String(i).padStart(4, '0')}`,
      arm: treated ? 'treatment' : 'control',
      sub_arm: treated ? (i % 2 ? 'told' : 'not_told') : null,
      site: 'North',
      team: `Team ${i % 3}`,
      sex: 'male',
      consented: i !== 21,
      received_intervention: treated ? i !== 0 : false,
      withdrawn: i === 5 || i === 20,
      sessions_offered: 10,
      sessions_attended: treated ? 7 : 5,
      budget_told: treated ? i % 2 === 1 : null,
      enabling_fund_gbp: treated ? (i % 3 === 0 ? 0 : 150 + 10 * i) : null,
      pending: false,
    });
  }
  return out;
}

const effect = (measure: Measure, estimate: number, lo: number | null, hi: number | null, p: number | null) => ({
  outcome: 'reoffended',
  measure,
  estimate,
  std_error: null,
  conf_low: lo,
  conf_high: hi,
  statistic: null,
  p_value: p,
  method: 'hand-made',
});

function analysis(): AnalyseResult {
  return {
    design: { unit: 'individual', cluster: null, n_clusters: {} },
    treatment: 'treatment',
    control: 'control',
    alpha: 0.05,
    primary_outcome: 'reoffended',
    arms: [
      {
        arm: 'control',
        n: 10,
        n_analysed: 9,
        reoffenders: 4,
        binary_rate: 4 / 9,
        reoffences: 9,
        frequency_per_offender: 1,
        mean: null,
        sd: null,
      },
      {
        arm: 'treatment',
        n: 12,
        n_analysed: 11,
        reoffenders: 3,
        binary_rate: 3 / 11,
        reoffences: 5,
        frequency_per_offender: 5 / 11,
        mean: null,
        sd: null,
      },
    ],
    effects: [
      effect('risk_difference', -0.1717, -0.5912, 0.2478, 0.4269),
      effect('per_100', -17.17, -59.12, 24.78, 0.4269),
      effect('odds_ratio', 0.4688, 0.0723, 3.0373, 0.427),
      { ...effect('km_survival_365', 0.73, 0.51, 0.95, null), arm: 'treatment' },
    ],
    balance: [
      { covariate: 'ogrs3', mean_control: 0.41, mean_treatment: 0.38, smd: -0.12, n_control: 10, n_treatment: 12 },
    ],
    attrition: {
      randomised: 22,
      analysed: 20,
      pending: 0,
      overall: 2 / 22,
      differential: 0.0167,
      control: 0.1,
      treatment: 1 / 12,
      not_measurable: 0,
      missing_outcome: 2,
    },
    verdict: [{ outcome: 'reoffended', measure: 'risk_difference', verdict: 'inconclusive' }],
    excluded: { not_measurable: 0, other_arms: 0, other_arm_labels: [] },
    warnings: [],
  };
}

function input(suppress = true): ReportInput {
  const trial = defaultTrialConfig();
  trial.target_recruitment = 30;
  trial.randomisation = { method: 'permuted-block', seed: 42, unit: 'person', allocation_sha256: 'a'.repeat(64) };
  return {
    concept: findConcept('pcp-fund')!,
    stage: 'pilot',
    trial,
    cases: cases(),
    analysis: analysis(),
    headline: {
      outcome: 'reoffended',
      measure: 'risk_difference',
      estimate: -0.1717,
      std_error: 0.214,
      conf_low: -0.5912,
      conf_high: 0.2478,
      statistic: -0.8,
      p_value: 0.4269,
      df: 17,
      per_100: -17.17,
      per_100_conf_low: -59.12,
      per_100_conf_high: 24.78,
      verdict: null,
      computed_verdict: 'inconclusive',
      method: 'hand-made primary analysis',
      covariates: [],
      clustered_by: null,
      blocks: null,
      n_treatment: 11,
      n_control: 9,
      n_clusters: null,
      rate_treatment: 3 / 11,
      rate_control: 4 / 9,
      indicative_only: true,
      sensitivity: [],
    },
    outcomes: { from: 'offences', as_of: '2024-06-30', as_of_source: 'latest_disposal', pending: 0, complete_by: null },
    subgroups: [],
    survival: [
      { arm: 'control', event: 1, time: 40 },
      { arm: 'control', event: 0, time: 365 },
      { arm: 'treatment', event: 1, time: 200 },
      { arm: 'treatment', event: 0, time: 365 },
    ],
    mdes: {
      logit_d: 0.9,
      control_rate: 0.35,
      detectable_rate: 0.09,
      n_control: 10,
      n_treatment: 12,
      design_effect: 1,
      icc: null,
      method: 'normal approximation (power.prop.test)',
    },
    process: [
      { level: 'person', unit: 'PX0001', arm: 'treatment', measure: 'fund_spend_gbp', value: '160' },
      { level: 'person', unit: 'PX0001', arm: 'treatment', measure: 'fund_category', value: 'travel' },
      { level: 'person', unit: 'PX0002', arm: 'treatment', measure: 'fund_spend_gbp', value: '170' },
      { level: 'person', unit: 'PX0002', arm: 'treatment', measure: 'fund_category', value: 'training course' },
      { level: 'person', unit: 'PX0001', arm: 'treatment', measure: 'coproduction_score', value: '41.5' },
      { level: 'person', unit: 'PX0002', arm: 'treatment', measure: 'coproduction_score', value: '38' },
    ],
    costs: [
      { item: 'training', category: 'staff_training', amount_gbp: 3000, arm: 'treatment', recurring: false },
      { item: 'fund', category: 'enabling_fund', amount_gbp: 2400, arm: 'treatment', recurring: true },
    ],
    themes: [
      {
        source: 'service_user',
        participant: 'SU-01',
        theme: 'choice and control',
        subtheme: '',
        excerpt: 'I decided what the money was for.',
        arm: 'treatment',
      },
      {
        source: 'service_user',
        participant: 'SU-02',
        theme: 'choice and control',
        subtheme: '',
        excerpt: 'It felt like my plan | not theirs.',
        arm: 'treatment',
      },
      {
        source: 'staff',
        participant: 'ST-01',
        theme: 'choice and control',
        subtheme: '',
        excerpt: '',
        arm: 'treatment',
      },
    ],
    provenance: {
      version: '0.1.0',
      command: 'pilot-eval report --concept pcp-fund --stage pilot --cases cases.csv --format md --out r.md',
      inputs: [{ role: 'cases', file: 'cases.csv', sha256: 'b'.repeat(64) }],
    },
    suppress,
  };
}

describe('report JSON', () => {
  const doc = JSON.parse(renderJson(buildReport(input())));
  it('carries the contract fields', () => {
    expect(doc.schema_version).toBe(1);
    expect(doc.concept).toBe('pcp-fund');
    expect(doc.stage).toBe('pilot');
    expect(Object.keys(doc.headline)).toEqual(
      expect.arrayContaining(['outcome', 'measure', 'estimate', 'conf_low', 'conf_high', 'per_100', 'verdict']),
    );
    expect(Object.keys(doc.headline)).toEqual(expect.arrayContaining(['method', 'covariates', 'clustered_by']));
    // Both arms have fewer than 5 re-offenders: the published headline hides what would reveal them.
    expect(doc.headline).toMatchObject({
      outcome: 'reoffended',
      measure: 'risk_difference',
      estimate: null,
      conf_low: null,
      conf_high: null,
      per_100: null,
      verdict: null,
      method: 'hand-made primary analysis',
    });
    const raw = JSON.parse(renderJson(buildReport(input(false))));
    expect(raw.headline).toMatchObject({
      outcome: 'reoffended',
      measure: 'risk_difference',
      estimate: -0.1717,
      conf_low: -0.5912,
      conf_high: 0.2478,
      per_100: -17.17,
      verdict: null,
    });
    expect(Object.keys(doc.security)).toEqual(
      expect.arrayContaining(['padlocks', 'design', 'mdes', 'attrition', 'reasons']),
    );
    expect(doc.security.design).toBe('randomised');
    expect(doc.security.mdes).toBe(0.9);
    expect(doc.security.padlocks).toBe(0);
    expect(doc.cost).toMatchObject({ per_participant_gbp: 450, rating: 3 });
    expect(doc.consort.randomised).toBe(22);
    expect(Object.keys(doc.consort.arms[0])).toEqual([
      'arm',
      'allocated',
      'received',
      'pending',
      'lost',
      'analysed',
      'clusters_allocated',
      'clusters_analysed',
    ]);
    expect(doc.feasibility.progression.map((p: { name: string }) => p.name)).toEqual([
      'recruitment',
      'retention',
      'engagement',
      'fidelity',
    ]);
    expect(Object.keys(doc.feasibility.progression[0])).toEqual(
      expect.arrayContaining(['name', 'value', 'green', 'amber', 'status']),
    );
    expect(doc.feasibility.progression[0]).toMatchObject({ value: 22 / 30, green: 0.8, amber: 0.5, status: 'amber' });
    expect(doc.effects).toHaveLength(4);
    expect(doc.process).toBeTypeOf('object');
    expect(doc.appendix).toMatchObject({
      software_version: '0.1.0',
      randomisation: { method: 'permuted-block', seed: 42 },
    });
  });
  it('suppresses counts of 1 to 4 and the cells that would reveal them', () => {
    // Flow counts are always shown (CONSORT): control 10 allocated, 1 lost, 9 analysed.
    expect(doc.consort.arms[0]).toMatchObject({ allocated: 10, lost: 1, analysed: 9 });
    expect(doc.arms[0].n_analysed).toBe(9);
    // Re-offenders 4 and 3 are suppressed, with every number they could be worked out from.
    expect(
      doc.arms.map((a: { reoffenders: number | null; binary_rate: number | null }) => [a.reoffenders, a.binary_rate]),
    ).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(doc.rates.map((r: { rate: number | null; conf_low: number | null }) => [r.rate, r.conf_low])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect([doc.headline.rate_control, doc.headline.estimate, doc.headline.per_100_conf_low]).toEqual([
      null,
      null,
      null,
    ]);
    expect(doc.effects.filter((e: { estimate: number | null }) => e.estimate !== null)).toEqual([]);
    expect(doc.km).toEqual([]);
    expect(doc.suppression.cells).not.toContain('consort.arms[0].lost');
    expect(doc.suppression.cells).toContain('arms[0].reoffenders');
  });
  it('never contains person ids or participant pseudonyms', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/PX\d{4}|SU-\d|ST-\d/);
  });
  it('shows the counts with --no-suppress', () => {
    const raw = JSON.parse(renderJson(buildReport(input(false))));
    expect(raw.consort.arms[0]).toMatchObject({ allocated: 10, lost: 1, analysed: 9 });
    expect(raw.arms[0].reoffenders).toBe(4);
    expect(raw.suppression.cells).toEqual([]);
  });
});

describe('report html', () => {
  const html = renderHtml(buildReport(input()));
  it('is self-contained: no URLs, scripts, external stylesheets, fonts or images', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)|src=|href="(?!#)/i);
    expect(html).toMatch(/<style>/);
    // CONSORT, rates, traffic lights (the Kaplan-Meier curves are withheld: they would reveal fewer than 5 re-offenders).
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3);
  });
  it('shows suppressed counts as <5 and no person ids or pseudonyms', () => {
    expect(html).toContain('<td class="r">&lt;5</td>');
    expect(html).not.toMatch(/PX\d{4}|SU-\d|ST-\d/);
  });
  it('is byte-identical for the same input', () => {
    expect(renderHtml(buildReport(input()))).toBe(html);
  });
  it('escapes text from the input files', () => {
    const i = input();
    i.themes![0]!.excerpt = '<b onclick="x">hi</b>';
    i.themes![1]!.excerpt = '';
    const h = renderHtml(buildReport(i));
    expect(h).not.toContain('<b onclick');
    expect(h).toContain('&lt;b onclick=&quot;x&quot;&gt;hi&lt;/b&gt;');
  });
});

describe('report markdown', () => {
  it('matches the snapshot of a small concept-2 pilot', async () => {
    const md = renderMarkdown(buildReport(input()));
    expect(md).not.toMatch(/PX\d{4}|SU-\d|ST-\d/);
    expect(md).not.toMatch(/no effect/i);
    await expect(md).toMatchFileSnapshot('./__snapshots__/pilot-pcp-fund.md');
  });
});
