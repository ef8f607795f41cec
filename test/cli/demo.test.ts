import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/cli/commands/demo.js';
import { runAnalyse } from '../../src/cli/commands/analyse.js';

describe('demo: the whole pipeline on bundled settings', () => {
  it('simulates, randomises, analyses and reports every concept and the effectiveness trial; analyse --plan prints the report headline', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pilot-eval-demo-')), 'reports');
    const r = await runDemo({ outDir: out });
    // Five concepts at efficacy stage and as pilots, then the combined model's effectiveness trial.
    expect(r.trials).toHaveLength(11);
    expect(r.trials.map((t) => t.stage)).toEqual([...Array(5).fill('efficacy'), ...Array(5).fill('pilot'), 'effectiveness']);
    const files = readdirSync(out).filter((f) => f !== 'data').sort();
    expect(files).toHaveLength(33);
    for (const t of r.trials) {
      expect(t.allocation_matches_cases).toBe(true);
      const analysis = JSON.parse(readFileSync(t.analysis, 'utf8'));
      const report = JSON.parse(readFileSync(t.reports.find((f) => f.endsWith('.json'))!, 'utf8'));
      // One pipeline: the report's headline is the analysis's, and `analyse --plan` prints the same.
      expect(report.headline).toEqual(analysis.headline);
      const planned = await runAnalyse({ data: join(t.data_dir, 'cases.csv'), offences: join(t.data_dir, 'offences.csv'), plan: join(t.data_dir, 'trial.yaml') });
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
      if (clustered) expect(report.headline.method).toMatch(/CR2 cluster-robust standard error by team with Satterthwaite degrees of freedom/);
      expect(report.headline.covariates).toEqual(['ogrs3']);
      expect(report.headline.blocks).toBe('stratum');
      const html = readFileSync(t.reports.find((f) => f.endsWith('.html'))!, 'utf8');
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/P\d{6}/);
    }
    const eff = r.trials[10]!;
    const effReport = JSON.parse(readFileSync(eff.reports.find((f) => f.endsWith('.json'))!, 'utf8'));
    expect(effReport.concept).toBe('custom');
    expect(effReport.title).toBe('The combined personalisation model: effectiveness trial across five CRC areas');
    expect(effReport.introduction.description).toMatch(/planned from\s+the efficacy trial's control rate/);
  }, 300_000);
});
