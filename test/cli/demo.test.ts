import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/cli/commands/demo.js';
import { runAnalyse } from '../../src/cli/commands/analyse.js';

/**
 * R 4.2.2 (estimatr 1.0.0, survival 3.5.3) on each team-randomised demo trial, the same people the
 * report analyses (outcomes from `pilot-eval reoffending --out`, measurable and not withdrawn):
 *   summary(lm_robust(reoffended ~ treat + ogrs3 + factor(stratum), d, clusters = team, se_type = "CR2"))$coefficients["treat", ]
 *   summary(coxph(Surv(follow_up_days, reoffended) ~ treat + ogrs3, d, cluster = team))$coefficients["treat", ]
 */
const R_CLUSTERED: Record<string, { estimate: number; se: number; df: number; hr_log: number; hr_robust_se: number }> =
  {
    'pcp-efficacy': {
      estimate: 0.00119644437887034,
      se: 0.0403909064426956,
      df: 25.1100101877933,
      hr_log: -0.0549389847253434,
      hr_robust_se: 0.162439661938278,
    },
    'user-grants-efficacy': {
      estimate: -0.0414315836985619,
      se: 0.0349846890143751,
      df: 56.4903936523998,
      hr_log: -0.179576703697923,
      hr_robust_se: 0.143147776240463,
    },
    'community-navigation-efficacy': {
      estimate: -0.0719656018746391,
      se: 0.0319831952807836,
      df: 56.3226019596207,
      hr_log: -0.320171518799876,
      hr_robust_se: 0.136001256553372,
    },
    'combined-effectiveness-effectiveness': {
      estimate: -0.0444392592520756,
      se: 0.0174514426051025,
      df: 119.980989899156,
      hr_log: -0.182660923409065,
      hr_robust_se: 0.0711616392258696,
    },
    'pcp-pilot': {
      estimate: -0.0566254705793797,
      se: 0.0232224798802169,
      df: 1.00331152893355,
      hr_log: -0.33196382904562,
      hr_robust_se: 0.375500119012692,
    },
    'user-grants-pilot': {
      estimate: -0.157810999293907,
      se: 0.0859495135295974,
      df: 1.77356911953319,
      hr_log: -0.378185839877087,
      hr_robust_se: 0.289515423289368,
    },
    'community-navigation-pilot': {
      estimate: 0.0507780128437918,
      se: 0.104217408238951,
      df: 1.72204411093963,
      hr_log: 0.155440604092188,
      hr_robust_se: 0.397807948112391,
    },
  };

describe('demo: the whole pipeline on bundled settings', () => {
  it('simulates, randomises, analyses and reports every concept and the effectiveness trial; analyse --plan prints the report headline', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pilot-eval-demo-')), 'reports');
    const r = await runDemo({ outDir: out });
    // Five concepts at efficacy stage and as pilots, then the combined model's effectiveness trial.
    expect(r.trials).toHaveLength(11);
    expect(r.trials.map((t) => t.stage)).toEqual([
      ...Array(5).fill('efficacy'),
      ...Array(5).fill('pilot'),
      'effectiveness',
    ]);
    const files = readdirSync(out)
      .filter((f) => f !== 'data')
      .sort();
    expect(files).toHaveLength(33);
    for (const t of r.trials) {
      expect(t.allocation_matches_cases).toBe(true);
      const analysis = JSON.parse(readFileSync(t.analysis, 'utf8'));
      const report = JSON.parse(
        readFileSync(
          t.reports.find((f) => f.endsWith('.json'))!,
          'utf8',
        ),
      );
      // One pipeline: the report's headline is the analysis's, and `analyse --plan` prints the same.
      expect(report.headline).toEqual(analysis.headline);
      const planned = await runAnalyse({
        data: join(t.data_dir, 'cases.csv'),
        offences: join(t.data_dir, 'offences.csv'),
        plan: join(t.data_dir, 'trial.yaml'),
      });
      const { verdict: v1, indicative_only: i1, ...fromAnalyse } = planned.headline!;
      const { verdict: v2, indicative_only: i2, ...fromReport } = report.headline;
      expect(fromAnalyse).toEqual(fromReport);
      // analyse has no stage: only the pilot's withheld verdict differs.
      if (t.stage === 'pilot') {
        expect([v2, i2]).toEqual([null, true]);
        expect(v1).toBe(report.headline.computed_verdict);
      } else expect([v1, i1]).toEqual([v2, i2]);
      expect(report.consort.analysed).toBe(analysis.attrition.analysed);
      // Team-randomised trials get the cluster-aware headline; the individual ones do not.
      const clustered = ['pcp', 'user-grants', 'community-navigation', 'combined-effectiveness'].includes(t.concept);
      expect(report.headline.clustered_by).toBe(clustered ? 'team' : null);
      if (clustered) {
        expect(report.headline.method).toMatch(
          /CR2 cluster-robust standard error by team with Satterthwaite degrees of freedom/,
        );
        const ref = R_CLUSTERED[`${t.concept}-${t.stage}`]!;
        expect(report.headline.estimate).toBeCloseTo(ref.estimate, 10);
        expect(report.headline.std_error).toBeCloseTo(ref.se, 10);
        expect(report.headline.df).toBeCloseTo(ref.df, 6);
        const hr = report.effects.find(
          (e: { outcome: string; measure: string }) =>
            e.outcome === 'days_to_reoffence' && e.measure === 'hazard_ratio',
        );
        expect(Math.log(hr.estimate)).toBeCloseTo(ref.hr_log, 8);
        expect(hr.std_error).toBeCloseTo(ref.hr_robust_se, 8);
      }
      expect(report.headline.covariates).toEqual(['ogrs3']);
      expect(report.headline.blocks).toBe('stratum');
      const html = readFileSync(
        t.reports.find((f) => f.endsWith('.html'))!,
        'utf8',
      );
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/P\d{6}/);
    }
    const eff = r.trials[10]!;
    const effReport = JSON.parse(
      readFileSync(
        eff.reports.find((f) => f.endsWith('.json'))!,
        'utf8',
      ),
    );
    expect(effReport.concept).toBe('custom');
    expect(effReport.title).toBe('The combined personalisation model: effectiveness trial across five CRC areas');
    expect(effReport.introduction.description).toMatch(/planned from\s+the efficacy trial's control rate/);
  }, 300_000);
});
