/**
 * The analysis plan's `arms:` (more than two arms) through `analyse --plan`: the headline stays the
 * plan's treatment arm against control, and `multi_arm` carries the global test per outcome and
 * each listed arm against control. Concept 2's fund arm split into told / not told (the sub_arm
 * column) on the pcp-fund fixture; the global tests are R's, from test/data/make-multi-arm-references.R
 * on the same people: chisq.test(table(arm, reoffended), correct = FALSE);
 * anova(glm(reoffences ~ arm, poisson), test = "LRT"); survdiff(Surv(time, reoffended) ~ arm).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseTrialFiles } from '../../src/app/analyse.js';
import { loadTrialFile } from '../../src/io/trial-file.js';
import { resolvePlan, defaultAnalysisPlan } from '../../src/core/plan/analysis-plan.js';

const refs = JSON.parse(readFileSync('test/data/multi-arm-references.json', 'utf8')) as Record<
  string,
  { statistic: number; p_value: number; risk_difference?: number }
>;
const rel = (a: number | null | undefined, b: number): number => Math.abs((a as number) - b) / Math.abs(b);
const fund = { data: 'fixtures/pcp-fund/cases.csv', offences: 'fixtures/pcp-fund/offences.csv' };

describe('plan arms: more than two arms beside the headline contrast', () => {
  it('pcp-fund with arms: [told, not_told]', async () => {
    const trial = loadTrialFile('test/data/multiarm-plan/trial.yaml');
    expect(trial.analysis.arms).toEqual(['told', 'not_told']);
    const r = await analyseTrialFiles({ ...fund, trial });
    const two = await analyseTrialFiles({ ...fund, trial: loadTrialFile('fixtures/pcp-fund/trial.yaml') });
    // The headline and the two-arm rows are the plan's treatment vs control, unchanged by arms:.
    expect(r.headline).toEqual(two.headline);
    expect(r.result!.effects).toEqual(two.result!.effects);
    expect(two.result!.multi_arm).toBeUndefined();
    const m = r.result!.multi_arm!;
    expect(m.control).toBe('control');
    expect(m.treatments).toEqual(['told', 'not_told']);
    expect(m.primary_treatment).toBe('treatment');
    expect(m.sub_arm).toBe('sub_arm');
    expect(m.arms.map((a) => a.arm)).toEqual(['control', 'told', 'not_told']);
    const g = (o: string) => m.effects.find((e) => e.outcome === o && e.measure === 'global_test')!;
    for (const [o, key] of [
      ['reoffended', 'fund_chisq'],
      ['reoffences', 'fund_lrt'],
      ['days_to_reoffence', 'fund_logrank'],
    ] as const) {
      expect(rel(g(o).statistic, refs[key]!.statistic)).toBeLessThan(1e-9);
      expect(rel(g(o).p_value, refs[key]!.p_value)).toBeLessThan(1e-7);
    }
    // prop.test(table(arm, reoffended), correct = FALSE) on arm %in% c('told', 'control')
    const rd = m.effects.find((e) => e.measure === 'risk_difference' && e.arm === 'told')!;
    expect(rel(rd.estimate, refs.fund_told_vs_control!.risk_difference!)).toBeLessThan(1e-12);
    expect(m.verdict.map((v) => v.arm)).toEqual(['told', 'told', 'told', 'not_told', 'not_told', 'not_told']);
  });
  it('resolvePlan keeps arms only when there are several', () => {
    const ctx = { method: 'simple', concept: null, has: () => true, outcomes: ['reoffended'] };
    expect(resolvePlan({ ...defaultAnalysisPlan(), arms: ['a', 'b'] }, ctx).arms).toEqual(['a', 'b']);
    expect(resolvePlan({ ...defaultAnalysisPlan(), arms: ['a'] }, ctx).arms).toBeUndefined();
    expect(resolvePlan(defaultAnalysisPlan(), ctx).small_sample).toBe('auto');
  });
  it('an arm the data do not have is a usage error naming the plan', async () => {
    const trial = loadTrialFile('test/data/multiarm-plan/trial.yaml');
    await expect(
      analyseTrialFiles({ ...fund, trial: { ...trial, analysis: { ...trial.analysis, arms: ['told', 'nope'] } } }),
    ).rejects.toThrow(/the analysis plan's arms \(told, nope\)/);
  });
});

describe('analyse --plan text output with arms:', () => {
  it('prints the global tests and each arm after the headline', async () => {
    const { runAnalyse, renderHuman } = await import('../../src/cli/commands/analyse.js');
    const r = await runAnalyse({ ...fund, plan: 'test/data/multiarm-plan/trial.yaml' });
    const text = renderHuman(r).replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    expect(text).toMatch(
      /each arm against control \(the plan's arms: told, not_told; the headline above is treatment vs control\)/,
    );
    expect(text).toMatch(/global test, reoffended: statistic 0\.10 on 2 df, p 0\.951/);
    expect(text).toMatch(/not_told vs control, days_to_reoffence hazard_ratio:/);
  });
});
