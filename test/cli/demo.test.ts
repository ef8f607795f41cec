import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/cli/commands/demo.js';

describe('demo: the whole pipeline on bundled settings', () => {
  it('simulates, randomises, analyses and reports every concept; report numbers equal analyse', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pilot-eval-demo-')), 'reports');
    const r = await runDemo({ outDir: out });
    expect(r.trials).toHaveLength(10);
    const files = readdirSync(out).filter((f) => f !== 'data').sort();
    expect(files).toHaveLength(30);
    for (const t of r.trials) {
      expect(t.allocation_matches_cases).toBe(true);
      const analysis = JSON.parse(readFileSync(t.analysis, 'utf8'));
      const report = JSON.parse(readFileSync(join(out, `${t.concept}-${t.stage}.json`), 'utf8'));
      const rd = analysis.effects.find((e: { outcome: string; measure: string }) => e.outcome === 'reoffended' && e.measure === 'risk_difference');
      expect(report.headline.estimate).toBe(rd.estimate);
      expect(report.headline.conf_low).toBe(rd.conf_low);
      expect(report.headline.conf_high).toBe(rd.conf_high);
      expect(report.consort.analysed).toBe(analysis.attrition.analysed);
      if (t.stage === 'pilot') expect(report.headline.verdict).toBeNull();
      const html = readFileSync(join(out, `${t.concept}-${t.stage}.html`), 'utf8');
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/P\d{6}/);
    }
  });
});
